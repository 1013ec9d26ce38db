"""XES to Parquet, streamed: checked against pm4py on real logs and on small inline logs."""

from __future__ import annotations

import gzip
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from journeymap.engine import Engine
from journeymap.errors import EvidenceError
from journeymap.events.read import read_events
from journeymap.events.xes import CASE_ID, xes_to_parquet

# ibis 12 calls duckdb 2.0's deprecated fetch_arrow_table() for every table's schema
pytestmark = pytest.mark.filterwarnings("ignore:fetch_arrow_table:DeprecationWarning")

REAL_LOGS = [
    ("running-example.xes", 42, 6),
    ("bpic2013_closed_problems.xes.gz", 6660, 1487),
]


@pytest.fixture(scope="module")
def pm4py() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pm4py announces its licence with a warning
        return pytest.importorskip("pm4py")


def _pm4py_rows(pm4py: Any, path: Path) -> list[tuple[str, str, Any]]:
    """(case, activity, UTC timestamp) of every event, in pm4py's order."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = pm4py.read_xes(str(path), show_progress_bar=False)
    ts = df["time:timestamp"].dt.tz_convert("UTC").dt.tz_localize(None)
    return list(
        zip(df["case:concept:name"], df["concept:name"], ts.dt.to_pydatetime(), strict=True)
    )


def _xes(*traces: str, head: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1.0">\n'
        + head
        + "".join(traces)
        + "</log>\n"
    )


def _trace(name: str, *events: str, extra: str = "") -> str:
    return (
        f'<trace>\n<string key="concept:name" value="{name}"/>\n{extra}{"".join(events)}</trace>\n'
    )


def _event(activity: str, when: str, extra: str = "") -> str:
    return (
        f'<event>\n<string key="concept:name" value="{activity}"/>\n'
        f'<date key="time:timestamp" value="{when}"/>\n{extra}</event>\n'
    )


# ---- real logs against pm4py -----------------------------------------------------------------


@pytest.mark.parametrize(("name", "events", "cases"), REAL_LOGS)
def test_xes_to_parquet_matches_pm4py_on_real_logs(
    shared_data: Path, tmp_path: Path, pm4py: Any, name: str, events: int, cases: int
) -> None:
    import pandas as pd

    path = shared_data / "eventlogs" / name
    out = tmp_path / "log.parquet"
    # a small batch so that the real logs are written in many batches
    assert xes_to_parquet(path, out, batch_rows=1000) == events
    ours = pq.read_table(out).to_pandas()
    assert len(ours) == events
    assert ours[CASE_ID].nunique() == cases
    ts = pd.to_datetime(ours["time:timestamp"], utc=True, format="ISO8601").dt.tz_localize(None)
    mine = list(zip(ours[CASE_ID], ours["concept:name"], ts.dt.to_pydatetime(), strict=True))
    assert mine == _pm4py_rows(pm4py, path)


@pytest.mark.parametrize(("name", "events", "cases"), REAL_LOGS)
def test_read_events_on_real_xes_keeps_pm4py_rows_and_order(
    shared_data: Path,
    pm4py: Any,
    engine: Engine,
    rows: Callable[..., list[dict[str, Any]]],
    name: str,
    events: int,
    cases: int,
) -> None:
    path = shared_data / "eventlogs" / name
    log = read_events(path, engine=engine)
    assert log.report.rows_read == log.report.rows_used == events
    assert (log.report.columns.customer, log.report.columns.event) == (CASE_ID, "concept:name")
    got = [(r["customer"], r["event"], r["ts"]) for r in rows(log)]
    assert got == _pm4py_rows(pm4py, path)
    assert len({r[0] for r in got}) == cases


def test_bpic_trace_attributes_are_not_lost(shared_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "log.parquet"
    xes_to_parquet(shared_data / "eventlogs" / "bpic2013_closed_problems.xes.gz", out)
    names = pq.read_schema(out).names
    assert names[0] == CASE_ID
    assert {"org:group", "impact", "product", "lifecycle:transition"} <= set(names)
    # the log-level attributes (meta_*) and the globals are not rows or columns
    assert not any(n.startswith("meta_") for n in names)


# ---- the format, on small logs ---------------------------------------------------------------


def test_trace_attributes_become_case_columns_and_globals_are_not_filled(
    tmp_path: Path,
) -> None:
    head = (
        '<string key="creator" value="a tool"/>\n'
        '<global scope="event"><string key="org:group" value="UNKNOWN"/></global>\n'
        '<classifier name="Activity" keys="concept:name"/>\n'
    )
    text = _xes(
        _trace(
            "c1",
            _event("a", "2024-01-01T10:00:00+01:00", '<string key="org:group" value="g1"/>\n'),
            _event("b", "2024-01-01T11:00:00+01:00"),
            extra='<string key="segment" value="gold"/>\n<int key="age" value="32"/>\n',
        ),
        head=head,
    )
    src = tmp_path / "log.xes"
    src.write_text(text)
    out = tmp_path / "log.parquet"
    assert xes_to_parquet(src, out) == 2
    table = pq.read_table(out)
    assert table.column_names == [
        CASE_ID, "case:segment", "case:age", "concept:name", "time:timestamp", "org:group",
    ]  # fmt: skip
    assert table.to_pylist() == [
        {CASE_ID: "c1", "case:segment": "gold", "case:age": "32", "concept:name": "a",
         "time:timestamp": "2024-01-01T10:00:00+01:00", "org:group": "g1"},
        {CASE_ID: "c1", "case:segment": "gold", "case:age": "32", "concept:name": "b",
         "time:timestamp": "2024-01-01T11:00:00+01:00", "org:group": None},
    ]  # fmt: skip


def test_a_key_first_seen_late_widens_the_schema(tmp_path: Path) -> None:
    traces = [_trace(f"c{i}", _event("a", f"2024-01-0{i}T00:00:00Z")) for i in range(1, 4)]
    traces.append(
        _trace(
            "c4",
            _event("b", "2024-01-04T00:00:00Z", '<string key="channel" value="app"/>\n'),
            extra='<boolean key="vip" value="true"/>\n',
        )
    )
    src = tmp_path / "log.xes"
    src.write_text(_xes(*traces))
    out = tmp_path / "log.parquet"
    # one row a batch: the new keys arrive in the fourth batch, after three parts were written
    assert xes_to_parquet(src, out, batch_rows=1) == 4
    table = pq.read_table(out)
    assert table.column_names == [CASE_ID, "concept:name", "time:timestamp", "case:vip", "channel"]
    assert table.column("channel").to_pylist() == [None, None, None, "app"]
    assert table.column("case:vip").to_pylist() == [None, None, None, "true"]
    assert table.column(CASE_ID).to_pylist() == ["c1", "c2", "c3", "c4"]
    assert not list(tmp_path.glob(".log.parquet.*")), "the parts are cleaned up"


def test_batches_do_not_change_the_result(tmp_path: Path) -> None:
    traces = [
        _trace(f"c{i}", *(_event(f"e{j}", f"2024-01-01T00:00:0{j}Z") for j in range(3)))
        for i in range(7)
    ]
    src = tmp_path / "log.xes"
    src.write_text(_xes(*traces))
    tables = []
    for batch in (1, 2, 5, 100):
        out = tmp_path / f"out{batch}.parquet"
        assert xes_to_parquet(src, out, batch_rows=batch) == 21
        tables.append(pq.read_table(out).to_pylist())
    assert all(t == tables[0] for t in tables)


def test_trace_attribute_written_after_the_events_applies_to_them(tmp_path: Path) -> None:
    text = _xes(
        '<trace>\n<event><string key="concept:name" value="a"/></event>\n'
        '<string key="concept:name" value="late"/>\n</trace>\n'
    )
    src = tmp_path / "log.xes"
    src.write_text(text)
    out = tmp_path / "log.parquet"
    xes_to_parquet(src, out)
    assert pq.read_table(out).column(CASE_ID).to_pylist() == ["late"]


def test_nested_attributes_lists_and_containers_are_left_out(tmp_path: Path) -> None:
    extra = (
        '<string key="cost" value="10"><string key="currency" value="EUR"/></string>\n'
        '<list key="items"><values><string key="x" value="1"/></values></list>\n'
        '<container key="box"><int key="n" value="2"/></container>\n'
        '<float key="amount" value="1.5"/><id key="id" value="abc-1"/>\n'
    )
    src = tmp_path / "log.xes"
    src.write_text(_xes(_trace("c1", _event("a", "2024-01-01T00:00:00Z", extra))))
    out = tmp_path / "log.parquet"
    xes_to_parquet(src, out)
    row = pq.read_table(out).to_pylist()[0]
    assert row["cost"] == "10" and row["amount"] == "1.5" and row["id"] == "abc-1"
    assert not {"currency", "items", "x", "box", "n"} & set(row)


def test_gzip_is_told_by_its_bytes_not_its_name(tmp_path: Path) -> None:
    text = _xes(_trace("c1", _event("a", "2024-01-01T00:00:00Z")))
    disguised = tmp_path / "log.xes"  # gzip content, plain name
    disguised.write_bytes(gzip.compress(text.encode()))
    plain = tmp_path / "plain.xes.gz"  # plain content, gzip name
    plain.write_text(text)
    for src in (disguised, plain):
        out = tmp_path / f"{src.name}.parquet"
        assert xes_to_parquet(src, out) == 1
        assert pq.read_table(out).column("concept:name").to_pylist() == ["a"]


def test_a_prefixed_xes_namespace_is_read(tmp_path: Path) -> None:
    text = (
        '<xes:log xmlns:xes="http://www.xes-standard.org/"><xes:trace>'
        '<xes:string key="concept:name" value="c1"/><xes:event>'
        '<xes:string key="concept:name" value="a"/></xes:event></xes:trace></xes:log>'
    )
    src = tmp_path / "log.xes"
    src.write_text(text)
    out = tmp_path / "log.parquet"
    assert xes_to_parquet(src, out) == 1
    assert pq.read_table(out).to_pylist() == [{CASE_ID: "c1", "concept:name": "a"}]


def test_line_column_gives_the_line_of_each_event(tmp_path: Path) -> None:
    text = _xes(
        _trace("c1", _event("a", "2024-01-01T00:00:00Z"), _event("b", "2024-01-01T00:00:01Z"))
    )
    src = tmp_path / "log.xes"
    src.write_text(text)
    out = tmp_path / "log.parquet"
    xes_to_parquet(src, out, line_column="line")
    lines = text.splitlines()
    got = pq.read_table(out).column("line").to_pylist()
    assert [lines[n - 1] for n in got] == ["<event>", "<event>"]
    assert got[0] < got[1]


def test_malformed_xml_is_an_error_naming_the_line(tmp_path: Path) -> None:
    src = tmp_path / "bad.xes"
    src.write_text('<log>\n<trace>\n<event>\n<string key="a" value="1">\n</event>\n</trace></log>')
    with pytest.raises(EvidenceError, match=r"bad\.xes:5:\d+: not well-formed XML"):
        xes_to_parquet(src, tmp_path / "out.parquet")
    assert not (tmp_path / "out.parquet").exists()


def test_a_file_that_is_not_an_xes_log_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "other.xes"
    src.write_text("<html><body/></html>")
    with pytest.raises(EvidenceError, match=r"other\.xes: the root element is <html>"):
        xes_to_parquet(src, tmp_path / "out.parquet")
    with pytest.raises(EvidenceError, match="no such file"):
        xes_to_parquet(tmp_path / "missing.xes", tmp_path / "out.parquet")


def test_truncated_gzip_is_an_error(tmp_path: Path) -> None:
    text = _xes(*(_trace(f"c{i}", _event("a", "2024-01-01T00:00:00Z")) for i in range(200)))
    src = tmp_path / "cut.xes.gz"
    src.write_bytes(gzip.compress(text.encode())[:300])
    with pytest.raises(EvidenceError, match=r"cut\.xes\.gz: "):
        xes_to_parquet(src, tmp_path / "out.parquet")


# ---- through read_events ---------------------------------------------------------------------


def test_read_events_locates_a_broken_date_at_its_event_line(
    tmp_path: Path, engine: Engine
) -> None:
    text = _xes(
        _trace("c1", _event("a", "2024-01-01T00:00:00Z"), _event("b", "2024-13-45T00:00:00Z")),
        _trace("c2", _event("a", "2024-01-02T00:00:00Z")),
    )
    src = tmp_path / "log.xes"
    src.write_text(text)
    log = read_events(src, engine=engine)
    assert (log.report.rows_read, log.report.rows_used) == (3, 2)
    (example,) = log.report.examples
    event_lines = [n for n, line in enumerate(text.splitlines(), start=1) if line == "<event>"]
    assert example.row == event_lines[1]  # the second event has the broken date
    assert str(example) == (
        f'{src}:{example.row}: column "time:timestamp": cannot read "2024-13-45T00:00:00Z" '
        "as a time"
    )


def test_an_event_outside_a_trace_is_counted_without_a_customer(
    tmp_path: Path, engine: Engine
) -> None:
    text = _xes(_trace("c1", _event("a", "2024-01-01T00:00:00Z"))).replace(
        "</log>", _event("stray", "2024-01-01T00:00:01Z") + "</log>"
    )
    src = tmp_path / "log.xes"
    src.write_text(text)
    log = read_events(src, engine=engine)
    assert log.report.rejected == {"no customer": 1}
    assert log.report.rows_read == 2


def test_ties_in_time_keep_trace_then_event_order(
    tmp_path: Path, engine: Engine, rows: Callable[..., list[dict[str, Any]]]
) -> None:
    same = "2024-01-01T00:00:00Z"
    src = tmp_path / "log.xes"
    src.write_text(
        _xes(
            _trace("c1", _event("z", same), _event("y", same), _event("x", same)),
            _trace("c2", _event("b", same), _event("a", same)),
        )
    )
    log = read_events(src, engine=engine)
    got = [(r["customer"], r["event"]) for r in rows(log)]
    assert got == [("c1", "z"), ("c1", "y"), ("c1", "x"), ("c2", "b"), ("c2", "a")]
