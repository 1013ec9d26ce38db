"""Lifecycle transitions: the column read as a role, and a start and its complete as one step,
checked against a plain-Python first-in-first-out pairing and on the real receipt and BPI
Challenge 2013 logs (whose transitions are all ``complete``, and statuses)."""

from __future__ import annotations

import collections
import gzip
import random
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from journeymap.engine import Engine
from journeymap.errors import UsageError
from journeymap.events.flows import flows
from journeymap.events.lifecycle import steps
from journeymap.events.read import EventLog, read_events
from journeymap.events.subset import subset

pytestmark = pytest.mark.filterwarnings("ignore:fetch_arrow_table:DeprecationWarning")

COLUMNS = ("case:concept:name", "concept:name", "time:timestamp", "lifecycle:transition")
T0 = datetime(2024, 1, 1, 9)


def _at(minutes: int) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat() + "Z"


def fifo(rows: list[tuple[str, str, str, str]]) -> tuple[list[tuple[Any, ...]], dict[str, int]]:
    """Steps of ``rows`` (customer, activity, ISO time, transition), paired in plain Python:
    (customer, activity, start, end, state), and the other transitions counted."""
    order = sorted(range(len(rows)), key=lambda i: (rows[i][0], rows[i][2], i))
    waiting: dict[tuple[str, str], list[str]] = collections.defaultdict(list)
    out: list[tuple[Any, ...]] = []
    other: collections.Counter[str] = collections.Counter()
    for i in order:
        customer, activity, ts, transition = rows[i]
        kind = transition.strip().lower() or "complete"
        if kind == "start":
            waiting[(customer, activity)].append(ts)
        elif kind == "complete":
            queue = waiting[(customer, activity)]
            if queue:
                out.append((customer, activity, queue.pop(0), ts, "paired"))
            else:
                out.append((customer, activity, ts, ts, "no start"))
        else:
            other[kind] += 1
    for (customer, activity), starts in waiting.items():
        out += [(customer, activity, s, None, "open") for s in starts]
    return sorted(out, key=str), dict(other)


def _got(log: EventLog) -> list[tuple[Any, ...]]:
    made = steps(log).log
    rows = made.engine.run(made.table).to_pylist()

    def iso(value: datetime | None) -> str | None:
        return None if value is None else value.isoformat() + "Z"

    got = [(r["customer"], r["event"], iso(r["ts"]), iso(r["end_ts"]), r["state"]) for r in rows]
    return sorted(got, key=str)


def test_pairs_first_in_first_out_like_plain_python(make_log: Any) -> None:
    rng = random.Random(14)
    rows = []
    for c in range(60):
        minute = 0
        for _ in range(rng.randint(1, 14)):
            minute += rng.choice([0, 0, 1, 5, 60])  # ties too: input order decides
            transition = rng.choice(["start", "complete", "complete", "START", "schedule", ""])
            rows.append((f"c{c}", rng.choice("ab"), _at(minute), transition))
    log = make_log(rows, columns=COLUMNS)
    want, other = fifo(rows)
    assert _got(log) == want
    report = steps(log).report
    states = collections.Counter(s[-1] for s in want)
    assert (report.paired, report.no_start, report.open) == (
        states["paired"], states["no start"], states["open"],
    )  # fmt: skip
    assert report.other == other == {"schedule": report.other["schedule"]}
    assert report.steps + sum(other.values()) + report.paired == len(rows)
    assert (
        report.lines()[1] == f"left out (not a start or a complete): {other['schedule']} schedule"
    )


def test_a_start_and_its_complete_are_one_step_not_a_loop(make_log: Any) -> None:
    rows = [
        ("a", "fill form", _at(0), "start"),
        ("a", "fill form", _at(8), "complete"),
        ("a", "review", _at(9), "start"),
        ("a", "review", _at(9), "start"),  # nested: the first complete closes the first
        ("a", "review", _at(30), "complete"),
        ("a", "review", _at(31), "complete"),
        ("a", "review", _at(40), "complete"),  # nothing open: a step without start
        ("b", "fill form", _at(0), "start"),  # never completed: open
    ]
    log = make_log(rows, columns=COLUMNS)
    raw = {(r["from"], r["to"]) for r in flows(log).to_pylist()}
    assert ("fill form", "fill form") in raw and ("review", "review") in raw
    made = steps(log)
    got = made.log.engine.run(made.log.table.order_by(["customer", "ts", "seq"])).to_pylist()
    assert [(r["event"], r["state"], r["service_seconds"]) for r in got] == [
        ("fill form", "paired", 480.0),
        ("review", "paired", 21 * 60.0),
        ("review", "paired", 22 * 60.0),
        ("review", "no start", 0.0),
        ("fill form", "open", None),
    ]
    assert got[-1]["end_ts"] is None
    assert "lifecycle" not in made.log.table.columns
    paired = {(r["from"], r["to"]): r["count"] for r in flows(made.log).to_pylist()}
    assert paired == {("fill form", "review"): 1, ("review", "review"): 2}  # three reviews
    assert made.report.lines() == [
        "steps: 5 from 8 events: 3 a start and its complete, 1 a complete without start (no "
        "service time recorded), 1 started and not completed (open)"
    ]


def test_the_completing_event_gives_the_other_columns(make_log: Any) -> None:
    rows = [
        ("a", "call", _at(0), "start", "phone"),
        ("a", "call", _at(3), "complete", "chat"),
        ("a", "mail", _at(5), "start", "email"),
    ]
    log = make_log(rows, columns=(*COLUMNS, "channel"))
    made = steps(log).log
    got = made.engine.run(made.table.order_by("ts")).to_pylist()
    assert [(r["event"], r["channel"], r["end_ts"]) for r in got] == [
        ("call", "chat", T0 + timedelta(minutes=3)),
        ("mail", "email", None),
    ]


def test_a_log_without_starts_is_every_event_a_step(make_log: Any) -> None:
    plain = make_log([("a", "x", _at(0)), ("a", "y", _at(1))])
    made = steps(plain)
    assert made.report.pairs is False and made.report.steps == 2
    assert flows(made.log).equals(flows(plain))


def test_lifecycle_column_found_by_name_or_given(make_log: Any) -> None:
    for name in ("lifecycle:transition", "Lifecycle", "transition"):
        log = make_log([("a", "x", _at(0), "start")], columns=(*COLUMNS[:3], name))
        assert log.report.columns.lifecycle == name
        assert "lifecycle='" in log.report.lines()[1]
    typed = make_log([("a", "x", _at(0), "start")], columns=(*COLUMNS[:3], "event_type"))
    assert typed.report.columns.lifecycle is None  # not clearly a lifecycle: not taken
    given = make_log(
        [("a", "x", _at(0), "start")], columns=(*COLUMNS[:3], "status"), lifecycle="status"
    )
    assert given.has_lifecycle


# ---- real logs -----------------------------------------------------------------------------


def test_receipt_every_transition_is_complete(receipt_log: EventLog, shared_data: Path) -> None:
    import pandas as pd

    df = pd.read_csv(shared_data / "eventlogs" / "receipt.csv", dtype=str)
    assert df["lifecycle:transition"].value_counts().to_dict() == {"complete": 8577}
    made = steps(receipt_log)
    assert (made.report.pairs, made.report.steps, made.report.no_start) == (False, 8577, 8577)
    assert flows(made.log).equals(flows(receipt_log))
    only = subset(receipt_log, lifecycle="complete")
    assert only.subset is not None and only.subset.events == 8577


@pytest.fixture(scope="module")
def bpic(shared_data: Path) -> Any:
    with Engine.connect() as engine:
        yield read_events(
            shared_data / "eventlogs" / "bpic2013_closed_problems.xes.gz", engine=engine
        )


def _xes_transitions(path: Path) -> collections.Counter[str]:
    """The events' lifecycle transitions of an XES file, counted with the standard library."""
    found: collections.Counter[str] = collections.Counter()
    with gzip.open(path) as f:
        for _, el in ET.iterparse(f):
            if el.tag.endswith("}event") or el.tag == "event":
                for attr in el:
                    if attr.get("key") == "lifecycle:transition":
                        found[attr.get("value", "")] += 1
                el.clear()
    return found


def test_bpic2013_statuses_are_no_start_and_can_be_kept(bpic: EventLog, shared_data: Path) -> None:
    want = _xes_transitions(shared_data / "eventlogs" / "bpic2013_closed_problems.xes.gz")
    assert sum(want.values()) == 6660 and "start" not in {k.lower() for k in want}
    assert bpic.report.columns.lifecycle == "lifecycle:transition"
    made = steps(bpic)
    assert (made.report.pairs, made.report.steps, made.report.other) == (False, 6660, {})
    for value in ("Closed", "In Progress", "wait"):
        kept = subset(bpic, lifecycle=value).subset
        assert kept is not None
        assert kept.events == sum(n for k, n in want.items() if k.lower() == value.lower())
    with pytest.raises(UsageError, match=r"no event meets lifecycle complete .* In Progress"):
        subset(bpic, lifecycle="complete")
