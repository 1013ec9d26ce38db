"""How journeys end, back-stage work, waits and KPIs by their definitions, on a hand-made
loan-like log worked out by hand (times in hours after T0).

Map: Apply (Apply) -> Decide (Review: back stage; Offer; Decline) -> Accept (Accept).
Outcomes: the goal is Accept, Decline is an end (the business said no), a journey quiet for
two days is abandoned. The data ends at f's application, 200 h.

======  ==============================================================  =====================
who     events (h)                                                      outcome
======  ==============================================================  =====================
a       apply 0, review 1 (back), offer 24, accept 30                   goal
b       apply 0, review 2 (back), decline 5                             declined
c       apply 0, review 1 (back), offer 10; then nothing for 190 h      abandoned (at Offer)
d       apply 190, review 195 (back)                                    in progress (5 h)
e       apply 0, offer 3, accept 4, apply 100                           goal (the last one)
f       apply 200                                                       in progress
======  ==============================================================  =====================
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import journeymap as jm
from journeymap.engine import Engine
from journeymap.events.read import EventLog, read_events
from journeymap.measuring.behaviour import (
    journeys_of,
    match_events,
    stage_behaviour,
    touchpoint_behaviour,
)
from journeymap.measuring.pipeline import measure

LOAN = """\
title: Loan
stages:
  - name: Apply
    touchpoints:
      - {name: Apply, events: [apply]}
  - name: Decide
    touchpoints:
      - {name: Review, lane: backstage, events: [review]}
      - {name: Offer, events: [offer]}
      - {name: Decline, events: [decline]}
  - name: Accept
    touchpoints:
      - {name: Accept, events: [accept]}
outcomes:
  goal: [accept]
  ends:
    - {name: Declined, by: business, touchpoints: [decline]}
  abandoned_after: 2d
kpis:
  - {name: Offer rate, kind: custom, numerator: {touchpoints: [offer]},
     denominator: {touchpoints: [apply]}, target: 60, unit: '%'}
  - {name: Completed, kind: conversion, numerator: {outcome: goal}}
  - {name: Declined share, kind: custom, numerator: {outcome: declined}}
  - {name: Gave up after an offer, kind: custom, numerator: {outcome: abandoned},
     denominator: {touchpoints: [offer]}}
  - {name: Loyalty, kind: custom}
"""

T0 = datetime(2024, 3, 1)
ROWS = [
    ("a", "apply", 0), ("a", "review", 1), ("a", "offer", 24), ("a", "accept", 30),
    ("b", "apply", 0), ("b", "review", 2), ("b", "decline", 5),
    ("c", "apply", 0), ("c", "review", 1), ("c", "offer", 10),
    ("d", "apply", 190), ("d", "review", 195),
    ("e", "apply", 0), ("e", "offer", 3), ("e", "accept", 4), ("e", "apply", 100),
    ("f", "apply", 200),
]  # fmt: skip


@pytest.fixture
def loan(tmp_path: Path) -> Iterator[tuple[EventLog, jm.JourneyMap]]:
    path = tmp_path / "loan.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["customer", "event", "timestamp"])
        for who, what, hours in ROWS:
            w.writerow([who, what, (T0 + timedelta(hours=hours)).isoformat() + "Z"])
    with Engine.connect() as engine:
        yield read_events(path, engine=engine), jm.loads(LOAN)


def _by(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {r[key]: r for r in rows}


def test_each_journey_ends_one_way(loan: tuple[EventLog, jm.JourneyMap]) -> None:
    log, m = loan
    matched = match_events(log, m)
    j = log.engine.run(journeys_of(matched, m)).to_pylist()
    got = {r["customer"]: (r["outcome"], r["reached_goal"]) for r in j}
    assert got == {
        "a": ("goal", True),
        "b": ("declined", False),
        "c": ("abandoned", False),
        "d": ("in-progress", False),
        "e": ("goal", True),
        "f": ("in-progress", False),
    }
    result = measure(m, events=log)
    assert {o.key: o.customers for o in result.outcomes} == {
        "goal": 2, "declined": 1, "abandoned": 1, "in-progress": 2,
    }  # fmt: skip
    assert sum(o.share or 0 for o in result.outcomes) == pytest.approx(1.0)


def test_back_stage_is_not_a_customer_step(loan: tuple[EventLog, jm.JourneyMap]) -> None:
    log, m = loan
    tps = _by(touchpoint_behaviour(match_events(log, m), m).to_pylist(), "touchpoint")
    review = tps["review"]
    assert review["customer_step"] is False
    assert (review["customers"], review["entries"]) == (4, 4)
    for figure in ("dropoff_customers", "abandoned_customers", "loops", "backtrack_customers",
                   "median_seconds_to_next"):  # fmt: skip
        assert review[figure] is None, figure
    # the wait after applying runs to the customer's next step, the review in between
    # included: a 24 h, b 5 h, c 10 h, e 3 h (e's second application and d's, f's: none)
    assert tps["apply"]["median_seconds_to_next"] == pytest.approx(7.5 * 3600)
    assert tps["apply"]["next_customers"] == 4
    # only c gave up, at Offer; Accept and Decline end journeys, nobody gives up there
    assert (tps["offer"]["abandoned_customers"], tps["offer"]["customers"]) == (1, 3)
    assert tps["accept"]["abandoned_customers"] == 0
    assert tps["decline"]["abandoned_customers"] == 0
    assert (tps["apply"]["abandoned_customers"], tps["apply"]["in_progress_customers"]) == (0, 2)


def test_stage_figures_add_up(loan: tuple[EventLog, jm.JourneyMap]) -> None:
    log, m = loan
    stages = _by(stage_behaviour(match_events(log, m), m).to_pylist(), "stage")
    # Apply: all six; d, e (its second application) and f end there; a, b, c go on
    assert {k: stages["apply"][k] for k in ("customers", "converted", "dropoff_customers",
            "went_back", "ended_goal", "in_progress", "funnel_customers")} == {
        "customers": 6, "converted": 3, "dropoff_customers": 3, "went_back": 0,
        "ended_goal": 1, "in_progress": 2, "funnel_customers": 6,
    }  # fmt: skip
    # Decide (its customer steps: Offer, Decline): a, b, c, e; b and c end there (declined,
    # abandoned); a and e go on to Accept (e ends its journey back in Apply, not here)
    assert {k: stages["decide"][k] for k in ("customers", "converted", "dropoff_customers",
            "went_back", "ended_other", "abandoned", "funnel_customers")} == {
        "customers": 4, "converted": 2, "dropoff_customers": 2, "went_back": 0,
        "ended_other": 1, "abandoned": 1, "funnel_customers": 4,
    }  # fmt: skip
    assert {k: stages["accept"][k] for k in ("customers", "converted", "dropoff_customers",
            "went_back", "ended_goal", "funnel_customers")} == {
        "customers": 2, "converted": None, "dropoff_customers": 1, "went_back": 1,
        "ended_goal": 1, "funnel_customers": 2,
    }  # fmt: skip


def test_kpis_are_computed_by_their_definitions(loan: tuple[EventLog, jm.JourneyMap]) -> None:
    log, m = loan
    kpis = {k.kpi: k for k in measure(m, events=log).kpis if k.kpi}
    offer = kpis["offer-rate"]
    assert (offer.value, offer.n, offer.target) == (pytest.approx(50.0), 6, 60)
    assert offer.definition == (
        "customers who reached Offer ÷ customers who reached Apply × 100: 3 of 6"
    )
    assert kpis["completed"].value == pytest.approx(2 / 6 * 100)
    assert kpis["declined-share"].value == pytest.approx(1 / 6 * 100)
    assert kpis["gave-up-after-an-offer"].value == pytest.approx(1 / 3 * 100)
    loyalty = kpis["loyalty"]
    assert loyalty.value is None
    assert loyalty.note is not None and "needs a numerator" in loyalty.note


def test_no_drop_off_at_an_outcome(loan: tuple[EventLog, jm.JourneyMap]) -> None:
    """b's journey ends at Decline and a's at Accept: finished, not given up."""
    log, m = loan
    result = measure(m, events=log, min_n=1)
    drops = [p.touchpoint for p in result.pain_points if p.kind == "drop-off"]
    assert "decline" not in drops
    assert "accept" not in drops
    assert "review" not in [p.touchpoint for p in result.pain_points]
