"""Lint reads the map's latest measurement: stale evidence and KPI drift are review
triggers, with thresholds the map can set."""

from __future__ import annotations

import datetime as dt

import journeymap as jm
from journeymap.model.measurement import Drift, KPIMeasure, Measurement, SourceInfo

MAP = """\
title: Shop
review: {due: 2030-01-01}
stages:
  - name: Buy
    touchpoints:
      - name: Checkout
"""


def _measurement(last: dt.date, *, nps_before: float, nps_now: float) -> Measurement:
    at = dt.datetime(last.year, last.month, last.day, 12, tzinfo=dt.UTC)
    return Measurement(
        map_id="shop", map_title="Shop", measured_at=at, method="test",
        sources=[SourceInfo(kind="events", path="e.parquet", last=at)],
        kpis=[KPIMeasure(key="nps", kind="nps", label="NPS", value=nps_now)],
        drift=Drift(previous_at=at - dt.timedelta(days=30),
                    kpis={"nps": nps_now - nps_before}),
    )  # fmt: skip


def codes(m: jm.JourneyMap, ms: Measurement | None, today: dt.date) -> set[str]:
    return {f.code for f in jm.lint(m, today=today, measurement=ms)}


def test_stale_measurement_after_90_days_or_the_maps_own_limit() -> None:
    m = jm.loads(MAP)
    ms = _measurement(dt.date(2026, 1, 1), nps_before=40, nps_now=40)
    assert "stale-measurement" not in codes(m, ms, dt.date(2026, 3, 31))  # 89 days
    assert "stale-measurement" in codes(m, ms, dt.date(2026, 4, 2))  # 91 days
    strict = jm.loads(MAP + "measurement: {stale_after_days: 30}\n")
    assert "stale-measurement" in codes(strict, ms, dt.date(2026, 2, 5))
    assert "stale-measurement" not in codes(m, None, dt.date(2030, 1, 1))  # nothing measured


def test_kpi_drift_over_the_threshold_is_a_review_trigger() -> None:
    m = jm.loads(MAP)
    today = dt.date(2026, 1, 2)
    assert "kpi-drift" not in codes(m, _measurement(today, nps_before=40, nps_now=43), today)
    found = jm.lint(m, today=today, measurement=_measurement(today, nps_before=40, nps_now=30))
    drift = [f for f in found if f.code == "kpi-drift"]
    assert len(drift) == 1
    assert "NPS 40 -> 30" in drift[0].message
    assert drift[0].severity == "warning"
    lenient = jm.loads(MAP + "measurement: {drift_threshold: 30}\n")
    assert "kpi-drift" not in codes(lenient, _measurement(today, nps_before=40, nps_now=30), today)
