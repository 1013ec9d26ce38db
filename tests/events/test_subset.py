"""Filters and segments of a log: what they keep, checked against pandas on the real receipt log
and on small inline logs; the analyses of a subset equal those of the same events read alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.compute as pc
import pytest

from journeymap.engine import Engine
from journeymap.errors import UsageError
from journeymap.events.flows import flows
from journeymap.events.funnel import funnel
from journeymap.events.read import EventLog, read_events
from journeymap.events.subset import MAX_SEGMENTS, by_segment, segments, subset, where, window

pytestmark = pytest.mark.filterwarnings("ignore:fetch_arrow_table:DeprecationWarning")


@pytest.fixture(scope="module")
def receipt_path(shared_data: Path) -> Path:
    return shared_data / "eventlogs" / "receipt.csv"


@pytest.fixture(scope="module")
def receipt(receipt_path: Path) -> Any:
    """The receipt log with the columns the tests filter on kept."""
    with Engine.connect() as engine:
        yield read_events(receipt_path, engine=engine, keep=["case:startdate", "org:group"])


@pytest.fixture(scope="module")
def frame(receipt_path: Path) -> Any:
    import pandas as pd

    df = pd.read_csv(receipt_path, dtype=str)
    df["ts"] = pd.to_datetime(df["time:timestamp"], utc=True, format="ISO8601")
    df["start"] = pd.to_datetime(df["case:startdate"], utc=True, format="ISO8601")
    return df


def _kept(df: Any) -> tuple[int, int]:
    return len(df), df["case:concept:name"].nunique()


def test_where_and_window_on_the_receipt_log(receipt: EventLog, frame: Any) -> None:
    import pandas as pd

    got = subset(
        receipt,
        where=["case:channel=Internet|Desk", "org:group!=Group 1", "case:startdate>=2011-01-01"],
        since="2011-03-01",
        until="2011-07-01T00:00:00+02:00",
    )
    utc = "UTC"
    want = frame[
        frame["case:channel"].isin(["Internet", "Desk"])
        & (frame["org:group"] != "Group 1")
        & (frame["start"] >= pd.Timestamp("2011-01-01", tz=utc))
        & (frame["ts"] >= pd.Timestamp("2011-03-01", tz=utc))
        & (frame["ts"] < pd.Timestamp("2011-06-30T22:00:00", tz=utc))
    ]
    kept = got.subset
    assert kept is not None
    assert (kept.events, kept.customers) == _kept(want)
    assert (kept.events_before, kept.customers_before) == _kept(frame) == (8577, 1434)
    assert got.engine.scalar(got.table.count()) == len(want)
    assert kept.lines()[0] == (
        "filters: where case:channel=Internet|Desk; where org:group!=Group 1; "
        "where case:startdate>=2011-01-01; since 2011-03-01 (inclusive); "
        "until 2011-06-30 22:00:00 UTC (exclusive)"
    )
    assert kept.lines()[1].startswith(f"kept {len(want):,} of 8,577 events (")
    # the same events read alone give the same flows: filters come before the ordered pass
    assert _alone(want, got)


def _alone(want: Any, got: EventLog) -> bool:
    """Whether the flows of ``got`` equal those of ``want``'s rows written and read alone."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "alone.csv"
        want.drop(columns=["ts", "start"]).to_csv(path, index=False)
        with Engine.connect() as engine:
            alone = flows(read_events(path, engine=engine))
    return bool(flows(got).equals(alone))


def test_a_column_with_a_role_is_its_role_and_others_need_keep(receipt: EventLog) -> None:
    by_source_name = where(receipt, ["case:channel=Post"])
    by_role = where(receipt, ["channel=Post"])
    assert by_source_name.subset is not None and by_role.subset is not None
    assert by_source_name.subset.events == by_role.subset.events > 0
    with pytest.raises(UsageError, match=r"no column 'org:resource'.*keep=\[\.\.\.\]"):
        where(receipt, ["org:resource=Resource21"])
    with pytest.raises(UsageError, match="is the time; compare it with <"):
        where(receipt, ["time:timestamp=2011-03-01"])
    # the time by its source name is the parsed time
    early = where(receipt, ["time:timestamp<2011-03-01"])
    assert early.subset is not None
    assert early.subset.events == window(receipt, until="2011-03-01").subset.events  # type: ignore[union-attr]


def test_numbers_text_and_unreadable_values(make_log: Any) -> None:
    log = make_log(
        [
            ("a", "visit", "2024-01-01T10:00:00Z", "12.5", "10"),
            ("a", "buy", "2024-01-01T10:05:00Z", "99", "x"),
            ("b", "visit", "2024-01-02T10:00:00Z", "", "7"),
            ("b", "buy", "2024-01-02T10:00:00.000001Z", "100", ""),
            ("c", "visit", "2024-01-03T10:00:00Z", "abc", "3"),
        ],
        columns=("customer", "event", "timestamp", "revenue", "score"),
        keep=["score"],
    )
    # the value is a number: compared as one (an empty or unreadable value is no value)
    big = where(log, ["revenue>=99"])
    assert big.subset is not None and (big.subset.events, big.subset.customers) == (2, 2)
    assert where(log, ["value=99|100"]).subset.events == 2  # type: ignore[union-attr]
    assert where(log, ["revenue!=99"]).subset.events == 4  # type: ignore[union-attr]
    # a kept text column compared as numbers: "x" cannot be, counted and left out
    low = where(log, ["score<8"])
    assert low.subset is not None
    assert low.subset.events == 2
    assert low.subset.unreadable == (("where score<8", 1),)
    assert "where score<8: 1 events whose value cannot be compared, left out" in (
        low.subset.lines()
    )
    # != keeps an empty value: it is not the value
    assert where(log, ["score!=10"]).subset.events == 4  # type: ignore[union-attr]
    # the time compared at the microsecond: b's buy is after 10:00:00
    after = where(log, ["ts>2024-01-02T10:00:00Z"])
    assert after.engine.run(after.table.select("customer", "event")).to_pylist()[0] == {
        "customer": "b",
        "event": "buy",
    }
    with pytest.raises(UsageError, match="'revenue' holds numbers; 'lots' is not one"):
        where(log, ["revenue=lots"])


def test_nested_filters_count_from_the_log_as_read(make_log: Any) -> None:
    log = make_log(
        [(c, e, f"2024-01-0{d}T10:00:00Z") for c in "abcd" for d, e in ((1, "x"), (2, "y"))]
    )
    first = window(log, since="2024-01-02")
    second = where(first, ["customer!=a"])
    kept = second.subset
    assert kept is not None
    assert (kept.events_before, kept.customers_before, kept.events, kept.customers) == (
        8, 4, 3, 3,
    )  # fmt: skip
    assert kept.filters == ("since 2024-01-02 (inclusive)", "where customer!=a")
    assert kept.since is not None and kept.since.day == 2


def test_nothing_left_and_bad_windows(make_log: Any) -> None:
    log = make_log([("a", "x", "2024-01-01"), ("b", "y", "2024-01-02")])
    with pytest.raises(UsageError, match=r"no event meets where event=z \(of 2 events\)"):
        where(log, ["event=z"])
    with pytest.raises(UsageError, match="--since 2024-02-01 is not before --until 2024-01-01"):
        window(log, since="2024-02-01", until="2024-01-01")
    with pytest.raises(UsageError, match=r"no lifecycle column .* --lifecycle-column COL"):
        subset(log, lifecycle="complete")
    assert subset(log, lifecycle="all") is log
    assert subset(log) is log


def test_lifecycle_keeps_one_transition(make_log: Any) -> None:
    log = make_log(
        [
            ("a", "x", "2024-01-01T10:00:00Z", "start"),
            ("a", "x", "2024-01-01T10:05:00Z", "COMPLETE"),
            ("a", "y", "2024-01-01T10:06:00Z", ""),  # no transition: complete, as pm4py
            ("b", "x", "2024-01-01T11:00:00Z", "schedule"),
        ],
        columns=("case:concept:name", "concept:name", "time:timestamp", "lifecycle:transition"),
    )
    assert log.report.columns.lifecycle == "lifecycle:transition"
    complete = subset(log, lifecycle="complete")
    assert complete.subset is not None and complete.subset.events == 2
    assert subset(log, lifecycle="Start").subset.events == 1  # type: ignore[union-attr]
    with pytest.raises(
        UsageError, match=r"holds: \(empty\) \(1\), COMPLETE \(1\), schedule \(1\), start \(1\)$"
    ):
        subset(log, lifecycle="withdraw")


# ---- segments ------------------------------------------------------------------------------

SEGMENTED = [
    ("a", "home", "2024-01-01T10:00:00Z", "web"),
    ("a", "cart", "2024-01-01T10:01:00Z", "web"),
    ("a", "buy", "2024-01-01T10:03:00Z", "app"),
    ("b", "home", "2024-01-02T10:00:00Z", "app"),
    ("b", "buy", "2024-01-02T10:09:00Z", "app"),
    ("c", "home", "2024-01-03T10:00:00Z", ""),
    ("c", "cart", "2024-01-03T10:02:00Z", "web"),
]


def test_segments_are_the_subsets_of_each_value(make_log: Any) -> None:
    log = make_log(SEGMENTED, columns=("customer", "event", "timestamp", "channel"))
    cut = segments(log, "channel")
    assert [s.value for s in cut] == ["app", "web", None]
    sizes = [(s.log.subset.events, s.log.subset.customers) for s in cut]  # type: ignore[union-attr]
    assert sizes == [(3, 2), (3, 2), (1, 1)]
    assert sum(events for events, _ in sizes) == 7  # every event in one segment
    # segment V is --where channel=V; its funnel counts zero for an event it never has
    steps = ["home", "cart", "buy"]
    table = funnel(log, steps=steps, by="channel")
    assert table.column_names[0] == "segment"
    for value in ("app", "web"):
        mine = table.filter(pc.equal(table["segment"], value)).drop(["segment"])
        assert mine.equals(funnel(where(log, [f"channel={value}"]), steps=steps))
    web = table.filter(pc.equal(table["segment"], "web")).to_pylist()
    assert [r["customers"] for r in web] == [1, 1, 0]  # a: home > cart; c: cart only
    none = table.filter(pc.is_null(table["segment"])).to_pylist()
    assert [r["customers"] for r in none] == [1, 0, 0]
    with pytest.raises(UsageError, match="funnel step 2: no event 'crat'"):
        funnel(log, steps=["home", "crat"], by="channel")
    by_flows = flows(log, by="channel")
    assert set(by_flows["segment"].to_pylist()) == {"app", "web"}  # one event: no flow


def test_too_many_segments_and_the_time(make_log: Any) -> None:
    rows = [(f"c{i}", "x", f"2024-01-01T10:00:{i % 60:02d}Z") for i in range(MAX_SEGMENTS + 1)]
    log = make_log(rows)
    with pytest.raises(UsageError, match=r"--by 'customer': 51 values; at most 50 segments"):
        segments(log, "customer")
    with pytest.raises(UsageError, match="the time cannot cut segments"):
        segments(log, "timestamp")
    assert by_segment(log, "event", lambda seg: flows(seg)).num_rows == 0
