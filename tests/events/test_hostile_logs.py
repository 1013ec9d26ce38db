"""Event logs written carelessly or with intent (issue 16): nothing left out without a word.

A time column half unreadable is counted and located, a folder of mixed files is refused
naming them, a header that names two columns alike is an error naming both, a JSON Lines
file with a broken line names that very line, and a file called ``glob[ab].csv`` is that
file, not a pattern.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from journeymap.engine import Engine
from journeymap.errors import EvidenceError
from journeymap.events.read import EventLog, read_events

Write = Callable[..., Path]
Rows = Callable[[EventLog], list[dict[str, Any]]]


def _log(times: list[str]) -> str:
    return "user_id,event,timestamp\n" + "".join(
        f"u{i % 7},view,{t}\n" for i, t in enumerate(times)
    )


# ---- a time column half unreadable -----------------------------------------------------------


def test_half_the_times_unreadable_are_rejected_counted_and_located(
    write: Write, engine: Engine
) -> None:
    times = [f"2024-03-{1 + i // 2:02d}T10:00:00" if i % 2 == 0 else f"soon{i}" for i in range(40)]
    path = write("half.csv", _log(times))
    log = read_events(path, engine=engine)
    report = log.report
    assert (report.rows_read, report.rows_used, report.rows_rejected) == (40, 20, 20)
    assert report.rejected == {"a time that cannot be read": 20}
    assert str(report.examples[0]) == (
        f'{path}:3: column "timestamp": cannot read "soon1" as a time'
    )
    with pytest.raises(EvidenceError, match=r"20 of 40 rows cannot be used"):
        read_events(path, engine=engine, strict=True)


def test_a_column_named_date_half_unreadable_is_still_the_time(
    write: Write, engine: Engine
) -> None:
    body = "customer_id,event,date\n" + "".join(
        f"c{i},view,{'2024-01-0' + str(1 + i % 9) if i % 2 else 'n/a-' + str(i)}\n"
        for i in range(10)
    )
    log = read_events(write("d.csv", body), engine=engine)
    assert log.report.columns.time == "date"
    assert log.report.rejected == {"a time that cannot be read": 5}


# ---- folders ---------------------------------------------------------------------------------


def _parquet(path: Path, customers: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = len(customers)
    pq.write_table(
        pa.table({
            "user_id": customers, "event": ["view"] * n,
            "timestamp": [f"2024-01-0{1 + i}T00:00:00" for i in range(n)],
        }),
        path,
    )  # fmt: skip


def test_a_folder_of_mixed_files_is_refused_naming_them(tmp_path: Path, engine: Engine) -> None:
    folder = tmp_path / "logs"
    _parquet(folder / "a.parquet", ["p1", "p2"])
    (folder / "b.csv").write_text("user_id,event,timestamp\nc1,view,2024-01-01\n")
    (folder / "sub").mkdir()
    (folder / "sub" / "c.jsonl").write_text('{"user_id": "j1"}\n')
    (folder / "_SUCCESS").write_text("")  # Spark's marker: not data, left out
    with pytest.raises(EvidenceError) as info:
        read_events(folder, engine=engine)
    message = str(info.value)
    assert message.startswith(f"{folder}: a folder is read as Parquet files, and this one ")
    for part in ("1 CSV or text (b.csv)", "1 JSON (sub/c.jsonl)", "1 Parquet (a.parquet)"):
        assert part in message
    assert f'"{folder}/*.parquet"' in message


def test_a_folder_of_csv_files_is_refused_with_the_glob_to_use(
    tmp_path: Path, engine: Engine, rows: Rows
) -> None:
    folder = tmp_path / "csvs"
    folder.mkdir()
    for name in ("a.csv", "b.csv"):
        (folder / name).write_text(f"user_id,event,timestamp\n{name},view,2024-01-01\n")
    with pytest.raises(
        EvidenceError, match=r"this one holds none: 2 CSV or text \(a\.csv, b\.csv\)"
    ):
        read_events(folder, engine=engine)
    log = read_events(str(folder / "*.csv"), engine=engine)  # the glob the message gives
    assert [r["customer"] for r in rows(log)] == ["a.csv", "b.csv"]


def test_a_folder_of_parquet_files_named_pq_is_read(
    tmp_path: Path, engine: Engine, rows: Rows
) -> None:
    _parquet(tmp_path / "pq" / "one.pq", ["x", "y"])
    _parquet(tmp_path / "pq" / "two.pq", ["z"])
    log = read_events(tmp_path / "pq", engine=engine)
    assert [r["customer"] for r in rows(log)] == ["x", "y", "z"]


# ---- header names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("user_id,event,timestamp,timestamp", r"two columns 'timestamp' \(columns 3 and 4\)"),
        (" user_id ,event,user_id,timestamp", r"two columns 'user_id' \(columns 1 and 3\)"),
        # DuckDB's column names ignore case: it could not read both (a Binder Error before)
        (
            "user_id,event,Timestamp,timestamp",
            r"two columns alike, 'Timestamp' \(column 3\) and 'timestamp' \(column 4\)",
        ),
    ],
)
def test_a_repeated_header_name_is_an_error_naming_both(
    write: Write, engine: Engine, header: str, message: str
) -> None:
    fields = len(header.split(","))
    path = write("dup.csv", header + "\n" + ",".join(["u1", "view", "2024-01-01", "x"][:fields]))
    with pytest.raises(EvidenceError, match=rf"dup\.csv:1: the header names {message}"):
        read_events(path, engine=engine)


def test_whitespace_text_with_a_repeated_header_name_is_refused(
    write: Write, engine: Engine
) -> None:
    path = write("ws.txt", "user_id event timestamp event\nu1 a 2024-01-01 b\n")
    with pytest.raises(EvidenceError, match=r"two columns 'event' \(columns 2 and 4\)"):
        read_events(path, engine=engine)


def test_two_columns_that_could_both_be_a_role_are_not_chosen_between(
    write: Write, engine: Engine
) -> None:
    path = write("alike.csv", "user_id,event,event_time,Event Time\nu1,a,2024-01-01,2024-02-01\n")
    with pytest.raises(EvidenceError) as info:
        read_events(path, engine=engine)
    assert str(info.value) == (
        f"{path}: columns 'event_time' and 'Event Time' could both be the time (their names "
        "differ only in case, spaces or punctuation); say which with --time COL, or rename one"
    )
    log = read_events(path, engine=engine, time="Event Time")  # said: no guess needed
    assert log.report.columns.time == "Event Time"


# ---- JSON Lines with a broken line -----------------------------------------------------------


def _jsonl(n: int) -> list[str]:
    return [
        json.dumps({"user_id": f"u{i % 5}", "event": "e", "timestamp": f"2024-01-01T00:{i:02d}:00"})
        for i in range(n)
    ]


@pytest.mark.parametrize("blank_lines", [False, True])
def test_a_broken_json_line_is_an_error_at_its_own_line(
    write: Write, engine: Engine, blank_lines: bool
) -> None:
    lines = _jsonl(60)
    lines[41] = '{"user_id": "u1", "event": "e", "timestamp": "2024-01-01T00:00:00"'  # no }
    if blank_lines:  # blank lines count as lines: the error still names the right one
        lines[5:5] = ["", "   "]
    path = write("log.jsonl", "\n".join(lines) + "\n")
    line = 44 if blank_lines else 42  # DuckDB's own message said 43 (and 45)
    with pytest.raises(EvidenceError) as info:
        read_events(path, engine=engine)
    assert str(info.value) == (
        f"{path}:{line}:67: not valid JSON (Expecting ',' delimiter); every line of a JSON "
        "Lines file must be one JSON object (an event): fix the line or remove it"
    )


def test_a_broken_line_of_a_gzipped_log_is_located_too(write: Write, engine: Engine) -> None:
    lines = _jsonl(30)
    lines[20] = "{oops}"
    path = write("log.jsonl.gz", gzip.compress(("\n".join(lines) + "\n").encode()))
    with pytest.raises(EvidenceError, match=r"log\.jsonl\.gz:21:2: not valid JSON"):
        read_events(path, engine=engine)


@pytest.mark.parametrize(("record", "what"), [("[1, 2]", "a list"), ("42", "a number")])
def test_a_json_line_that_is_not_an_object_is_an_error_at_its_line(
    write: Write, engine: Engine, record: str, what: str
) -> None:
    lines = _jsonl(10)
    lines[6] = record
    path = write("log.jsonl", "\n".join(lines) + "\n")
    with pytest.raises(EvidenceError, match=rf"log\.jsonl:7:1: not a JSON object \({what}\)"):
        read_events(path, engine=engine)


def test_a_broken_json_array_names_its_line_and_column(write: Write, engine: Engine) -> None:
    good, bad = _jsonl(2)
    path = write("log.json", f"[{good},\n{bad[:-1]}\n")  # the last object never closes
    with pytest.raises(EvidenceError, match=r"log\.json:3:1: not valid JSON"):
        read_events(path, engine=engine)


# ---- names with glob characters --------------------------------------------------------------


def test_a_file_named_like_a_glob_is_that_file(write: Write, engine: Engine, rows: Rows) -> None:
    literal = write("glob[ab].csv", _log(["2024-01-01", "later"]))
    write("globa.csv", _log(["2024-01-02"]))  # what the name would match as a pattern
    log = read_events(literal, engine=engine)
    assert [r["customer"] for r in rows(log)] == ["u0"]
    assert log.report.rows_read == 2
    assert str(log.report.examples[0]) == (
        f'{literal}:3: column "timestamp": cannot read "later" as a time'
    )


def test_a_pattern_is_a_glob_when_no_file_has_its_name(
    write: Write, engine: Engine, rows: Rows
) -> None:
    write("globa.csv", _log(["2024-01-01"]))
    write("globb.csv", _log(["2024-01-02", "2024-01-03"]))
    folder = Path(write("globc.csv", "").parent)
    log = read_events(str(folder / "glob[ab].csv"), engine=engine)
    assert log.report.rows_read == 3


def test_a_parquet_folder_named_like_a_glob_is_that_folder(
    tmp_path: Path, engine: Engine, rows: Rows
) -> None:
    _parquet(tmp_path / "run[1]" / "part.parquet", ["a", "b"])
    log = read_events(tmp_path / "run[1]", engine=engine)
    assert [r["customer"] for r in rows(log)] == ["a", "b"]


def test_a_json_lines_file_named_like_a_glob_is_that_file(
    write: Write, engine: Engine, rows: Rows
) -> None:
    path = write("events*.jsonl", "\n".join(_jsonl(3)) + "\n")
    log = read_events(path, engine=engine)
    assert log.report.rows_read == 3


# ---- a broken layout, located as an editor counts lines --------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        # DuckDB said line 4: it counts records, and the quoted field spans two lines
        (
            'u1,"multi\nline",2024-01-01\n\nu2,view,2024-01-01,extra\nu3,view,2024-01-02\n',
            "5: 4 fields where the header has 3: 'u2,view,2024-01-01,extra'",
        ),
        # a carriage return alone ends a line in an editor (DuckDB named no line at all)
        (
            "u1,view,2024-01-01\nu2,vi\rew,2024-01-01\n",
            "3: 2 fields where the header has 3: 'u2,vi'",
        ),
        (
            "u1,view,2024-01-01\n" + 'u2,"view,2024-01-01\n' + "u3,view,2024-01-01\n" * 50,
            "3: a quote opened here is never closed: the rest of the file (51 lines) would be "
            "read as one field",
        ),
    ],
    ids=["quoted line break", "carriage return", "unclosed quote"],
)
def test_a_broken_csv_layout_is_an_error_at_the_line_an_editor_shows(
    write: Write, engine: Engine, body: str, message: str
) -> None:
    path = write("log.csv", "user_id,event,timestamp\n" + body)
    with pytest.raises(EvidenceError) as info:
        read_events(path, engine=engine)
    assert str(info.value) == f"{path}:{message}"


def test_json_times_as_float_nanoseconds_are_read(write: Write, engine: Engine, rows: Rows) -> None:
    # found by the fuzz suite: the limit of a float epoch in ns is past int64 (a TypeError)
    path = write("ns.jsonl", '{"user_id": "a", "event": "x", "timestamp": 1.7e18}\n')
    log = read_events(path, engine=engine)
    assert log.report.time_parse == "epoch ns (by magnitude)"
    assert rows(log)[0]["ts"] == datetime(2023, 11, 14, 22, 13, 20)
