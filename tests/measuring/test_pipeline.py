"""measure(map, evidence) end to end: on the demo data with its injected frictions, on real
onboarding data against the events commands, saved measurements, schema and drift."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest

import journeymap as jm
from journeymap.errors import EvidenceError, UsageError
from journeymap.measuring import pipeline as mm
from journeymap.measuring.sample import SampleFiles, generate_sample
from journeymap.model.measurement import Measurement

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 4, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> SampleFiles:
    return generate_sample(tmp_path_factory.mktemp("demo"), customers=1500, seed=7)


@pytest.fixture(scope="module")
def measured(demo: SampleFiles) -> tuple[jm.JourneyMap, Measurement]:
    m = jm.load(demo.map)
    log = jm.read_events(str(demo.events))
    try:
        result = mm.measure(m, events=log, feedback=[jm.read_feedback(demo.feedback)], now=NOW)
    finally:
        log.engine.close()
    return m, result


def test_the_injected_frictions_rank_first(
    demo: SampleFiles, measured: tuple[jm.JourneyMap, Measurement]
) -> None:
    _, result = measured
    injected = {f.touchpoint for f in demo.frictions}
    top = [p.touchpoint for p in result.pain_points[: len(injected)]]
    assert set(top) == injected, [p.title for p in result.pain_points[:5]]
    # the ranking is by the documented score, strongest first
    scores = [p.score for p in result.pain_points]
    assert scores == sorted(scores, reverse=True)
    # the team's pain point the data does not back up is reported as unconfirmed
    assert set(demo.unbacked_pain_points) <= set(result.unconfirmed_pain_points)


def test_measured_emotions_show_the_gap_where_the_frictions_are(
    demo: SampleFiles, measured: tuple[jm.JourneyMap, Measurement]
) -> None:
    m, result = measured
    by_id = {t.touchpoint: t for t in result.touchpoints}
    injected = {f.touchpoint for f in demo.frictions}
    others = [t for t in result.touchpoints if t.touchpoint not in injected and t.gap is not None]
    for tp in injected:
        t = by_id[tp]
        assert t.evidence == "measured"
        assert t.emotion is not None and t.emotion_low is not None and t.emotion_high is not None
        assert t.emotion_low <= t.emotion <= t.emotion_high
        assert t.expected == m.expected_value(m.touchpoint(tp))
        assert t.gap == pytest.approx(t.emotion - t.expected)
        # a friction's measured emotion is below the median of the other touchpoints
        below = sorted(o.emotion for o in others if o.emotion is not None)
        assert t.emotion < below[len(below) // 2]
    assert 0 < result.coverage <= 1


def test_kpis_link_to_the_map_and_agree_with_the_events_commands(
    demo: SampleFiles, measured: tuple[jm.JourneyMap, Measurement]
) -> None:
    m, result = measured
    kpis = {k.key: k for k in result.kpis}
    log = jm.read_events(str(demo.events))
    try:
        months = jm.retention(log, period="month").to_pylist()
    finally:
        log.engine.close()
    complete = [r for r in months if r["customers_at_start"]][:-1]
    assert kpis["retention"].value == pytest.approx(complete[-1]["retention_rate"])
    assert kpis["churn"].value == pytest.approx(complete[-1]["churn_rate"])
    linked = {k.kpi for k in result.kpis if k.kpi}
    assert linked <= {k.id for k in m.kpis}
    assert linked  # the demo map's KPIs are measured
    # stage conversion is customers of the stage who reach a later one
    first = result.stages[0]
    assert first.conversion_to_next == pytest.approx(first.converted / first.customers)


def test_the_demo_kpis_mean_what_they_say(
    demo: SampleFiles, measured: tuple[jm.JourneyMap, Measurement]
) -> None:
    """Visitor conversion is customers who ordered ÷ every visitor; checkout CSAT is the
    checkout's own answers (4 or 5 of 5), not every CSAT answer: both counted here from the
    raw files."""
    import csv

    import pyarrow.parquet as pq

    _, result = measured
    kpis = {k.kpi: k for k in result.kpis if k.kpi}
    events = pq.read_table(demo.events, columns=["customer_id", "event"]).to_pylist()
    visitors = {e["customer_id"] for e in events}
    ordered = {e["customer_id"] for e in events if e["event"] == "order_placed"}
    conversion = kpis["visit-conversion"]
    assert (conversion.value, conversion.n) == (
        pytest.approx(100 * len(ordered) / len(visitors)), len(visitors),
    )  # fmt: skip
    with Path(demo.feedback).open(encoding="utf-8") as f:
        answers = [r for r in csv.DictReader(f) if r["survey"] == "csat" and r["score"]]
    at_checkout = [int(r["score"]) for r in answers if r["touchpoint"] == "Checkout"]
    checkout = kpis["checkout-csat"]
    assert (checkout.value, checkout.n) == (
        pytest.approx(100 * sum(s >= 4 for s in at_checkout) / len(at_checkout)), len(at_checkout),
    )  # fmt: skip
    every = [int(r["score"]) for r in answers]
    assert len(every) > len(at_checkout)  # every CSAT answer would be another figure
    assert checkout.value != pytest.approx(100 * sum(s >= 4 for s in every) / len(every))


def test_action_items_get_an_estimate_from_the_pain_points_they_address(
    measured: tuple[jm.JourneyMap, Measurement],
) -> None:
    m, result = measured
    estimated = [a for a in result.actions if a.conversions_per_month]
    assert estimated, [a.estimate for a in result.actions]
    for a in estimated:
        assert "a month" in a.estimate
        assert a.conversions_per_month is not None and a.conversions_per_month > 0
    assert {a.opportunity for a in result.actions} <= {o.id for o in m.opportunities}


def test_saved_measurement_validates_against_the_published_schema(
    tmp_path: Path, measured: tuple[jm.JourneyMap, Measurement]
) -> None:
    _, result = measured
    path = mm.save_measurement(result, tmp_path / "journey.measurements")
    assert path.name == "2026-04-01T12-00-00Z.json"
    published = json.loads((ROOT / "docs" / "measurement.schema.json").read_text())
    jsonschema.validate(json.loads(path.read_text()), published)
    again = mm.load_measurement(path)
    assert again == result
    assert mm.previous_measurement(path.parent) == path
    assert mm.previous_measurement(path.parent, before=NOW) is None


def test_measuring_twice_shows_no_drift(
    demo: SampleFiles, measured: tuple[jm.JourneyMap, Measurement]
) -> None:
    m, first = measured
    log = jm.read_events(str(demo.events))
    try:
        second = mm.measure(
            m, events=log, feedback=[jm.read_feedback(demo.feedback)], previous=first,
            now=NOW + dt.timedelta(days=7),
        )  # fmt: skip
    finally:
        log.engine.close()
    assert second.drift is not None
    assert second.drift.largest == 0
    assert set(second.drift.kpis.values()) == {0.0}
    assert set(second.drift.emotions.values()) == {0.0}
    assert all(k.change == 0 for k in second.kpis if k.value is not None)


def test_errors_are_clear(tmp_path: Path, demo: SampleFiles) -> None:
    m = jm.load(demo.map)
    with pytest.raises(UsageError, match="nothing to measure"):
        mm.measure(m)
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": 1}')
    with pytest.raises(EvidenceError, match="not a journeymap measurement"):
        mm.load_measurement(bad)
    with pytest.raises(EvidenceError, match="no such measurement"):
        mm.load_measurement(tmp_path / "missing.json")


ONBOARDING_MAP = """\
title: Mobile app onboarding
stages:
  - name: Welcome
    touchpoints:
      - name: Welcome screen
        events: [onboarding_welcome_screen]
      - name: Choose login
        events: ["onboarding__chooseLoginType", "onboarding_otherLogin__*"]
  - name: Sign in
    touchpoints:
      - name: Login
        events: ["/^onboarding_login_/", "/[Ll]ogin/"]
  - name: Set up
    touchpoints:
      - name: Privacy and terms
        events: ["/privacy|terms|gdpr/"]
      - name: Tutorial
        events: ["/tutorial|tour|intro/"]
  - name: Done
    touchpoints:
      - name: Passed
        events: [passed]
outcomes:
  goal: [passed]
  abandoned_after: 30m
"""


def test_onboarding_names_the_steps_where_most_users_are_lost(shared_data: Path) -> None:
    """On real data: the stage where most users are lost, with numbers equal to the events
    commands' on the same file."""
    path = shared_data / "eventlogs" / "mobile_app_onboarding.csv"
    m = jm.loads(ONBOARDING_MAP)
    log = jm.read_events(path)
    try:
        result = mm.measure(m, events=log, now=NOW)
        funnel = jm.funnel(log, steps=["onboarding_welcome_screen", "passed"]).to_pylist()
        customers = log.engine.run(log.table.customer.nunique()).as_py()
    finally:
        log.engine.close()
    stages = {s.stage: s for s in result.stages}
    # the funnel's first step is the welcome screen's reach; reaching "passed" after it
    assert stages["welcome"].customers == funnel[0]["customers"]
    assert stages["done"].customers >= funnel[1]["customers"]
    lost = max(result.stages[:-1], key=lambda s: s.dropoff_customers)
    drops = [p for p in result.pain_points if p.kind == "drop-off"]
    assert drops, [p.title for p in result.pain_points]
    assert drops[0].stage == lost.stage
    assert result.sources[0].customers == customers
    assert result.sources[0].rows_read == 30_943
