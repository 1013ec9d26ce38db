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

Also: measuring some of the log (filters), each segment of it (``by``), and a log with
lifecycle transitions (a start and its complete are one step).
"""

from __future__ import annotations

import csv
import dataclasses
import json
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import journeymap as jm
from journeymap.cli import app
from journeymap.engine import Engine
from journeymap.events.read import EventLog, read_events
from journeymap.measuring.behaviour import (
    journeys_of,
    match_events,
    stage_behaviour,
    touchpoint_behaviour,
)
from journeymap.measuring.from_files import EvidenceFiles, measure_files
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


# ---- filters, segments, lifecycles ----------------------------------------------------------

ENV = {"COLUMNS": "120", "NO_COLOR": "1", "TERM": "dumb"}
#: a, b, c are on the basic plan; d, e, f on pro
PLAN = {"a": "basic", "b": "basic", "c": "basic", "d": "pro", "e": "pro", "f": "pro"}


def _write(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def _at(hours: float) -> str:
    return (T0 + timedelta(hours=hours)).isoformat() + "Z"


@pytest.fixture
def planned(tmp_path: Path) -> Path:
    rows = [(who, what, _at(h), PLAN[who]) for who, what, h in ROWS]
    return _write(tmp_path / "loan.csv", ["customer", "event", "timestamp", "plan"], rows)


def _outcomes(result: jm.Measurement | Any) -> dict[str, int]:
    return {o.key: o.customers for o in result.outcomes}


def test_each_segment_measured_against_the_whole_data(planned: Path) -> None:
    """c (basic) offered at 10 h is abandoned: the data runs to 200 h, although the basic
    plan's own events stop at 30 h (a's acceptance). Segments add up to the whole."""
    m = jm.loads(LOAN)
    with Engine.connect() as engine:
        log = read_events(planned, engine=engine, keep=["plan"])
        result = measure(m, events=log, by="plan")
    segs = {s.value: s for s in result.segments}
    assert list(segs) == ["basic", "pro"]
    assert (segs["basic"].customers, segs["pro"].customers) == (3, 3)
    assert _outcomes(segs["basic"]) == {
        "goal": 1, "declined": 1, "abandoned": 1, "in-progress": 0,
    }  # fmt: skip
    assert _outcomes(segs["pro"]) == {"goal": 1, "declined": 0, "abandoned": 0, "in-progress": 2}
    whole = _outcomes(result)
    assert {k: _outcomes(segs["basic"])[k] + _outcomes(segs["pro"])[k] for k in whole} == whole
    basic_stages = {st.stage: st for st in segs["basic"].stages}
    assert (basic_stages["apply"].customers, basic_stages["decide"].customers) == (3, 3)
    assert basic_stages["accept"].customers == 1
    # the whole log's figures are unchanged by measuring its segments
    assert result.stages == measure(m, events=read_events(planned)).stages


def test_filters_keep_events_before_measuring(planned: Path) -> None:
    """--where plan=pro keeps d, e, f; --until 150 h ends the data there: d (190 h) and f
    (200 h) are gone, and e's second application (100 h) decides nothing (the goal came
    before), so e is the only journey."""
    m = jm.loads(LOAN)
    said: list[str] = []
    files = EvidenceFiles(events=planned, where=("plan=pro",), until=_at(150)[:-1])
    result = measure_files(m, files, say=said.append).result
    assert _outcomes(result) == {"goal": 1, "declined": 0, "abandoned": 0, "in-progress": 0}
    assert result.sources[0].customers == 1
    notes = result.sources[0].notes
    assert notes[0].startswith("filters: where plan=pro; until 2024-03-07")
    assert "kept 4 of 17 events" in notes[1]
    assert any(line.startswith("kept 4 of 17 events") for line in said)


def test_a_start_and_its_complete_are_one_step(tmp_path: Path) -> None:
    """Offer is worked on from 10 h to 12 h, with a chat in between: read as events, Offer
    comes twice around the chat (a loop); as steps it is one visit, then the chat."""
    m = jm.loads(
        LOAN.replace(
            "      - {name: Decline, events: [decline]}",
            "      - {name: Decline, events: [decline]}\n      - {name: Chat, events: [chat]}",
        )
    )
    rows = [
        ("a", "apply", _at(0), "complete"), ("a", "offer", _at(10), "start"),
        ("a", "chat", _at(11), "complete"), ("a", "offer", _at(12), "complete"),
        ("a", "accept", _at(20), "complete"),
        ("b", "apply", _at(0), "complete"), ("b", "offer", _at(5), "start"),
        ("b", "offer", _at(6), "complete"), ("b", "accept", _at(7), "complete"),
    ]  # fmt: skip
    header = ["case:concept:name", "concept:name", "time:timestamp", "lifecycle:transition"]
    path = _write(tmp_path / "steps.csv", header, rows)
    with Engine.connect() as engine:
        log = read_events(path, engine=engine)
        assert log.has_lifecycle
        paired = measure(m, events=log, min_n=1)
        # the same events without their transitions: what measuring did before
        plain = measure(
            m, events=dataclasses.replace(log, table=log.table.drop("lifecycle")), min_n=1
        )
    offer = {t.touchpoint: t for t in paired.touchpoints}["offer"]
    offer_before = {t.touchpoint: t for t in plain.touchpoints}["offer"]
    assert (offer_before.loops, offer_before.entries) == (1, 4)
    assert (offer.loops, offer.entries, offer.customers) == (0, 2, 2)
    # service time, start to complete: a 2 h, b 1 h; the applications have no start
    assert (offer.service_steps, offer.median_service_seconds) == (2, pytest.approx(5400))
    apply = {t.touchpoint: t for t in paired.touchpoints}["apply"]
    assert (apply.service_steps, apply.median_service_seconds) == (0, None)
    assert offer_before.service_steps is None  # events, not steps
    assert not [p for p in paired.pain_points if p.touchpoint == "offer" and p.kind == "loops"]
    notes = paired.sources[0].notes
    assert notes == [
        "steps: 7 from 9 events: 2 a start and its complete, 5 a complete without start "
        "(no service time recorded), 0 started and not completed (open)"
    ]


def test_measure_by_and_where_from_the_command_line(planned: Path, tmp_path: Path) -> None:
    map_file = tmp_path / "loan.yaml"
    map_file.write_text(LOAN)
    args = ["measure", str(map_file), "--events", str(planned), "--no-save", "--by", "plan",
            "--since", "2024-03-01", "-o", str(tmp_path / "r.json")]  # fmt: skip
    result = CliRunner().invoke(app, args, env=ENV, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "by plan: how journeys end, and reach per stage" in result.output
    table = result.output.split("by plan:")[1]
    assert "basic" in table and "pro" in table and "33.3%" in table
    report = json.loads((tmp_path / "r.json").read_text())
    assert [s["value"] for s in report["segments"]] == ["basic", "pro"]
    bad = CliRunner().invoke(app, ["measure", str(map_file), "--by", "plan"], env=ENV)
    assert bad.exit_code == 2
    assert "give --events" in bad.output
    wrong = CliRunner().invoke(
        app, ["measure", str(map_file), "--events", str(planned), "--no-save", "--by", "plann"],
        env=ENV,
    )  # fmt: skip
    assert wrong.exit_code == 2
    assert "plann" in wrong.output and "Traceback" not in wrong.output
