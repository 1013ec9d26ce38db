"""Rows that cannot be used: counted by reason, located as an editor shows them, never lost."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from journeymap.engine import Engine
from journeymap.errors import EvidenceError
from journeymap.events.read import REASONS, ReadReport, read_events

# ibis 12 calls duckdb 2.0's deprecated fetch_arrow_table() for every table's schema
pytestmark = pytest.mark.filterwarnings("ignore:fetch_arrow_table:DeprecationWarning")

Write = Callable[..., Path]


def _lines(n: int, broken: dict[int, str] | None = None) -> str:
    """A CSV of ``n`` data rows; ``broken`` replaces whole lines, by file line number."""
    out = ["user_id,event,timestamp"]
    for line in range(2, n + 2):
        out.append(f"u{line % 13},view,2023-01-0{1 + line % 9}T10:00:00Z")
    for line, text in (broken or {}).items():
        out[line - 1] = text
    return "\n".join(out) + "\n"


def _balanced(report: ReadReport) -> bool:
    return report.rows_read == report.rows_used + sum(report.rejected.values())


def test_broken_timestamp_in_row_1234_names_file_row_column_and_value(
    tmp_path: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("events.csv").write_text(_lines(3000, {1234: "u7,view,2023-13-45"}))
    log = read_events("events.csv", engine=engine)
    report = log.report
    assert (report.rows_read, report.rows_used, report.rows_rejected) == (3000, 2999, 1)
    assert report.rejected == {"a time that cannot be read": 1}
    assert [str(e) for e in report.examples] == [
        'events.csv:1234: column "timestamp": cannot read "2023-13-45" as a time'
    ]
    assert report.lines()[2:] == [
        "rejected: 1 row with a time that cannot be read",
        '  e.g. events.csv:1234: column "timestamp": cannot read "2023-13-45" as a time',
    ]
    with pytest.raises(EvidenceError) as err:
        read_events("events.csv", engine=engine, strict=True)
    assert str(err.value).splitlines() == [
        'events.csv:1234: column "timestamp": cannot read "2023-13-45" as a time',
        "events.csv: 1 of 3,000 rows cannot be used (1 row with a time that cannot be read); "
        "without --strict they are counted, reported and left out",
    ]


def test_rows_are_lines_as_an_editor_shows_them(write: Write, engine: Engine) -> None:
    # a quoted field over three lines and a blank line move the broken row down by three
    text = _lines(20, {5: 'u1,"one\ntwo\nthree",2023-01-01', 8: "", 12: "u1,view,nope"})
    path = write("shifted.csv", text)
    assert text.splitlines()[13] == "u1,view,nope"  # line 14 in an editor
    log = read_events(path, engine=engine, name="shown.csv")
    (example,) = log.report.examples
    assert (example.file, example.row) == ("shown.csv", 14)
    assert log.report.rows_read == 19  # the blank line is not a row


def test_each_rejected_row_counts_once_under_its_first_reason(write: Write, engine: Engine) -> None:
    broken = {
        3: ",view,2023-01-01",  # no customer
        4: ",,",  # no customer (and no event, no time): counted once
        5: "u1,,2023-01-01",  # no event
        6: "u1,view,",  # no time
        7: "u1,view,   ",  # no time (blanks)
        8: "u1,view,2023-02-30",  # a time that cannot be read
        9: "u1,  ,yesterday",  # no event
    }
    path = write("r.csv", _lines(50, broken))
    log = read_events(path, engine=engine)
    report = log.report
    assert report.rejected == {
        "no customer": 2,
        "no event": 2,
        "no time": 2,
        "a time that cannot be read": 1,
    }
    assert list(report.rejected) == [r for r in REASONS if r in report.rejected]
    assert report.rows_read == 50 and report.rows_used == 43
    assert _balanced(report)
    assert log.engine.run(log.table.count().as_table()).column(0)[0].as_py() == report.rows_used
    # at most five examples, every reason shown, in file order
    assert len(report.examples) == 5
    assert {e.reason for e in report.examples} == set(report.rejected)
    assert [e.row for e in report.examples] == sorted(e.row for e in report.examples)
    assert (
        str(report.examples[0]) == f'{path}:3: column "user_id": no customer (the value is empty)'
    )


def test_strict_lists_the_examples_and_the_counts(write: Write, engine: Engine) -> None:
    path = write("s.csv", _lines(10, {3: ",view,2023-01-01", 4: "u1,view,x", 5: "u1,view,y"}))
    with pytest.raises(EvidenceError) as err:
        read_events(path, engine=engine, strict=True)
    lines = str(err.value).splitlines()
    assert lines[:3] == [
        f'{path}:3: column "user_id": no customer (the value is empty)',
        f'{path}:4: column "timestamp": cannot read "x" as a time',
        f'{path}:5: column "timestamp": cannot read "y" as a time',
    ]
    assert lines[3].startswith(f"{path}: 3 of 10 rows cannot be used (1 row with no customer, ")
    assert "2 rows with a time that cannot be read)" in lines[3]
    assert read_events(path, engine=engine).report.rows_used == 7  # not strict: reported only


def test_report_lines_are_plural_where_they_should_be(write: Write, engine: Engine) -> None:
    one = read_events(write("one.csv", _lines(1)), engine=engine).report
    assert one.lines()[0].endswith(": 1 row read, 1 used, 0 rejected")
    two = read_events(write("two.csv", _lines(5, {2: "u,v,x", 3: "u,v,y"})), engine=engine)
    assert two.report.lines()[0].endswith(": 5 rows read, 3 used, 2 rejected")
    assert "rejected: 2 rows with a time that cannot be read" in two.report.lines()


def test_a_log_with_no_usable_row_is_an_error_with_a_hint(write: Write, engine: Engine) -> None:
    path = write("dmy.csv", _lines(3).replace("2023-01-0", "1/2/2023 0"))
    with pytest.raises(EvidenceError) as err:
        read_events(path, engine=engine)
    message = str(err.value)
    assert message.startswith(f"{path}: no usable rows (3 rows read)")
    assert "give their format with --time-format" in message
    with pytest.raises(EvidenceError, match=r"empty\.csv: no rows"):
        read_events(write("empty.csv", "user_id,event,timestamp\n"), engine=engine)
    with pytest.raises(EvidenceError, match=r"nothing\.csv: the file is empty"):
        read_events(write("nothing.csv", ""), engine=engine)


def test_values_that_are_not_numbers_are_counted(write: Write, engine: Engine) -> None:
    text = (
        "user_id,event,timestamp,revenue\nu,a,2024-01-01,9.5\nu,b,2024-01-01,$3\nu,c,2024-01-01,\n"
    )
    report = read_events(write("v.csv", text), engine=engine).report
    assert report.rows_used == 3 and report.unreadable_values == 1
    assert (
        report.lines()[-1]
        == "value: 1 row with a 'revenue' that is not a number (kept, without a value)"
    )


def test_rejects_in_a_glob_name_the_file_and_its_line(
    tmp_path: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("logs").mkdir()
    Path("logs/a.csv").write_text(_lines(5))
    Path("logs/b.csv").write_text(_lines(6, {4: "u1,view,bad"}))
    log = read_events("logs/*.csv", engine=engine)
    assert [str(e) for e in log.report.examples] == [
        'logs/b.csv:4: column "timestamp": cannot read "bad" as a time'
    ]
    for name, users in (("a", ["u1", None, "u3"]), ("b", ["u4", "u5", None])):
        pq.write_table(
            pa.table({"user_id": users, "event": ["e"] * 3, "ts": [1_700_000_000] * 3}),
            f"logs/{name}.parquet",
        )
    log = read_events("logs/*.parquet", engine=engine)
    assert [(e.file, e.row) for e in log.report.examples] == [
        ("logs/a.parquet", 2),
        ("logs/b.parquet", 3),
    ]
    assert _balanced(log.report)


def test_rejects_in_whitespace_text_and_json_lines_name_their_line(
    write: Write, engine: Engine
) -> None:
    text = "customer_id  date  amount\n 1  20240101  3\n\n 2  20240102\n 3  2024010x  1\n"
    log = read_events(write("w.txt", text), engine=engine, default_event="buy", name="w.txt")
    assert [str(e) for e in log.report.examples] == [
        "w.txt:4: 2 fields where the header has 3: '2  20240102'",
        'w.txt:5: column "date": cannot read "2024010x" as a time',
    ]
    assert log.report.rejected == {"the wrong number of fields": 1, "a time that cannot be read": 1}
    jsonl = '{"user_id": 1, "event": "a", "ts": 1}\n\n\n{"user_id": null, "event": "a", "ts": 1}\n'
    log = read_events(write("j.jsonl", jsonl), engine=engine)
    assert [(e.row, e.reason) for e in log.report.examples] == [(4, "no customer")]


def test_progress_is_told_and_the_library_is_quiet(
    write: Write, engine: Engine, capfd: pytest.CaptureFixture[str]
) -> None:
    path = write("p.csv", _lines(10, {3: "u,v,x"}))
    stages: list[str] = []
    read_events(path, engine=engine, progress=stages.append)
    assert stages == ["reading", "parsing times", "checking rows", "locating rejected rows"]
    read_events(path, engine=engine)
    assert capfd.readouterr() == ("", "")
    # an XES log is converted first, and the conversion tells how far it got
    xes = write("log.xes", '<log><trace><string key="concept:name" value="c"/><event>'
                '<string key="concept:name" value="a"/><date key="time:timestamp" '
                'value="2024-01-01T00:00:00Z"/></event></trace></log>')  # fmt: skip
    stages.clear()
    read_events(xes, engine=engine, progress=stages.append)
    assert stages == ["reading", "converting XES to Parquet", "converting XES: 1 event",
                      "parsing times", "checking rows"]  # fmt: skip


def test_typed_parquet_counts_match_the_full_check_clean_or_not(
    tmp_path: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Parquet log with typed times is counted from the rows that surely pass when that is
    all of them; a row that is missing something or needs trimming sends the read through
    the full check. Either way the report and the table are what the full check gives."""
    from datetime import UTC, datetime

    from journeymap.events import read as events_module

    full_check = events_module._clean_counts
    used: list[bool] = []

    def spy(*args: object) -> object:
        found = full_check(*args)  # type: ignore[arg-type]
        used.append(found is not None)
        return found

    t0 = datetime(2024, 5, 1, tzinfo=UTC)
    clean = {"user_id": ["u1", "u2", "u1"], "event": ["home", "cart", "buy"]}
    cases = {
        "clean": clean,
        "no customer": {**clean, "user_id": ["u1", None, "u1"]},
        "blank customer": {**clean, "user_id": ["u1", "  ", "u1"]},
        "customer to trim": {**clean, "user_id": ["u1", "u2 ", "u1"]},
        "no event": {**clean, "event": ["home", None, "buy"]},
        "event to trim": {**clean, "event": ["home", " cart", "buy"]},
        "no time": {**clean, "ts": [t0, None, t0]},
    }
    for name, columns in cases.items():
        # a session column is cleaned (trimmed) however the rows are counted
        data = pa.table({"ts": [t0, t0, t0], "session_id": [" s1", "s1 ", "\ts2"], **columns})
        path = tmp_path / f"{name.replace(' ', '_')}.parquet"
        pq.write_table(data, path)
        used.clear()
        monkeypatch.setattr(events_module, "_clean_counts", spy)
        got = read_events(path, engine=engine)
        assert used == [name == "clean"], name
        monkeypatch.setattr(events_module, "_clean_counts", lambda *a: None)
        want = read_events(path, engine=engine)
        assert got.report == want.report, name
        assert got.event_names == want.event_names, name
        rows, wanted = engine.run(got.table), engine.run(want.table)
        assert rows.sort_by("seq").equals(wanted.sort_by("seq")), name
        assert set(rows.column("session").to_pylist()) == {"s1", "s2"}, name
        if name != "clean":
            assert got.report.rejected or name.endswith("to trim"), name
