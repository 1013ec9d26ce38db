"""flows and paths equal pm4py's directly-follows graph and variants, pair for pair.

pm4py is given the same file through ``format_dataframe`` (without it ``get_variants`` is
silently wrong), which orders each case by (timestamp, input row): the order journeymap
uses, (ts, ts_sub, seq).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

from journeymap.engine import Engine
from journeymap.events.flows import END, START, flows
from journeymap.events.paths import SEPARATOR, paths
from journeymap.events.read import EventLog, read_events

pytestmark = pytest.mark.filterwarnings("ignore:fetch_arrow_table:DeprecationWarning")


def _pm4py() -> Any:
    return pytest.importorskip("pm4py")


def _reference(df: Any, *, case: str, activity: str, timestamp: str) -> dict[str, Any]:
    pm4py = _pm4py()
    f = pm4py.format_dataframe(df, case_id=case, activity_key=activity, timestamp_key=timestamp)
    dfg, starts, ends = pm4py.discover_dfg(f)
    variants = pm4py.get_variants(f)
    return {
        "dfg": dict(dfg),
        "starts": dict(starts),
        "ends": dict(ends),
        "variants": {tuple(k): int(v) for k, v in variants.items()},
    }


def _assert_same(log: EventLog, ref: dict[str, Any]) -> None:
    edges = flows(log, markers=True).to_pylist()
    dfg = {(r["from"], r["to"]): r["count"] for r in edges if r["from"] != START and r["to"] != END}
    assert dfg == ref["dfg"]
    assert {r["to"]: r["count"] for r in edges if r["from"] == START} == ref["starts"]
    assert {r["from"]: r["count"] for r in edges if r["to"] == END} == ref["ends"]

    found = paths(log, top=None).to_pylist()
    assert {tuple(r["events"]): r["customers"] for r in found} == ref["variants"]
    total = sum(ref["variants"].values())
    for r in found:
        assert r["path"] == SEPARATOR.join(r["events"])
        assert r["length"] == len(r["events"])
        assert r["share"] == pytest.approx(r["customers"] / total)
    counts = [r["customers"] for r in found]
    assert counts == sorted(counts, reverse=True)


@pytest.mark.slow
def test_receipt_csv_equals_pm4py(receipt_log: EventLog, shared_data: Path) -> None:
    import pandas as pd

    df = pd.read_csv(shared_data / "eventlogs" / "receipt.csv")
    df["time:timestamp"] = pd.to_datetime(df["time:timestamp"], utc=True, format="ISO8601")
    ref = _reference(
        df, case="case:concept:name", activity="concept:name", timestamp="time:timestamp"
    )
    assert len(ref["dfg"]) == 99
    assert len(ref["variants"]) == 116
    _assert_same(receipt_log, ref)


def test_mobile_onboarding_equals_pm4py(mobile_log: EventLog, shared_data: Path) -> None:
    import pandas as pd

    df = pd.read_csv(shared_data / "eventlogs" / "mobile_app_onboarding.csv")
    df["event_timestamp"] = pd.to_datetime(df["event_timestamp"], unit="ns", utc=True)
    ref = _reference(df, case="user_pseudo_id", activity="event_name", timestamp="event_timestamp")
    assert sum(ref["variants"].values()) == 4139
    _assert_same(mobile_log, ref)


@pytest.mark.slow
def test_bpic2013_xes_equals_pm4py(shared_data: Path) -> None:
    pm4py = _pm4py()
    path = shared_data / "eventlogs" / "bpic2013_closed_problems.xes.gz"
    with warnings.catch_warnings():  # pm4py suggests an optional faster parser
        warnings.simplefilter("ignore")
        df = pm4py.read_xes(str(path), show_progress_bar=False)
    ref = _reference(
        df, case="case:concept:name", activity="concept:name", timestamp="time:timestamp"
    )
    assert sum(ref["variants"].values()) == 1487
    with Engine.connect() as engine:
        _assert_same(read_events(path, engine=engine), ref)


def test_ties_keep_input_order_as_pm4py(make_log: Any) -> None:
    import pandas as pd

    rows = [
        ("c1", "b", "2024-01-01T10:00:00"),
        ("c1", "a", "2024-01-01T10:00:00"),  # same time as b: after it, as in the file
        ("c2", "a", "2024-01-01T09:00:00"),
        ("c1", "c", "2024-01-01T09:00:00"),  # earlier time, later in the file: first
        ("c2", "b", "2024-01-01T09:00:00"),
        ("c2", "c", "2024-01-01T09:00:00"),
    ]
    log = make_log(rows)
    df = pd.DataFrame(rows, columns=["customer", "event", "timestamp"])
    df["timestamp"] = pd.to_datetime(df["timestamp"], utc=True)
    ref = _reference(df, case="customer", activity="event", timestamp="timestamp")
    assert ref["variants"] == {("c", "b", "a"): 1, ("a", "b", "c"): 1}
    _assert_same(log, ref)
