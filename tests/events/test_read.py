"""Event-log sources: CSV dialects and encodings, whitespace text, Parquet, JSON Lines,
DuckDB databases, Ibis tables; column roles found by name or given."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from journeymap.engine import Engine
from journeymap.errors import EvidenceError, UsageError
from journeymap.events.read import ROLE_NAMES, read_events

# ibis 12 calls duckdb 2.0's deprecated fetch_arrow_table() for every table's schema
pytestmark = pytest.mark.filterwarnings("ignore:fetch_arrow_table:DeprecationWarning")

Rows = Callable[..., list[dict[str, Any]]]
Write = Callable[..., Path]
HEADER = "user_id,event,timestamp\n"


def _triples(rows: list[dict[str, Any]]) -> list[tuple[str, str, datetime]]:
    return [(r["customer"], r["event"], r["ts"]) for r in rows]


# ---- CSV -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "sep"), [("a.csv", ","), ("b.csv", ";"), ("c.txt", "\t"), ("d.csv", "|")]
)
def test_csv_delimiter_is_read_from_the_header(
    write: Write, engine: Engine, rows: Rows, name: str, sep: str
) -> None:
    text = (
        f"user_id{sep}event{sep}timestamp\nu1{sep}a,b c{sep}2024-01-01\nu2{sep}b{sep}2024-01-02\n"
    )
    if sep == ",":
        text = text.replace("a,b c", '"a,b c"')
    log = read_events(write(name, text), engine=engine)
    assert _triples(rows(log)) == [
        ("u1", "a,b c", datetime(2024, 1, 1)),
        ("u2", "b", datetime(2024, 1, 2)),
    ]


def test_csv_quoted_fields_hold_delimiters_newlines_and_quotes(
    write: Write, engine: Engine, rows: Rows
) -> None:
    text = (
        'user_id,event,timestamp\r\nu1,"line one\r\nline two, with a comma",2024-01-01\r\n'
        'u2,"say ""hi""",2024-01-02\r\n'
    )
    log = read_events(write("q.csv", text), engine=engine)
    assert [r["event"] for r in rows(log)] == ["line one\r\nline two, with a comma", 'say "hi"']


def test_csv_explicit_delimiter_and_tsv_suffix(write: Write, engine: Engine, rows: Rows) -> None:
    # the header alone would say ',' but the caller knows better
    text = "user_id;event,kind;timestamp\nu1;a,x;2024-01-01\n"
    log = read_events(write("e.csv", text), engine=engine, delimiter=";", event="event,kind")
    assert [r["event"] for r in rows(log)] == ["a,x"]
    log = read_events(write("e.tsv", "user_id\tevent\ttimestamp\nu1\ta\t2024-01-01\n"),
                      engine=engine, delimiter="tab")  # fmt: skip
    assert [r["event"] for r in rows(log)] == ["a"]
    with pytest.raises(UsageError, match="one character"):
        read_events(write("f.csv", HEADER), engine=engine, delimiter="::")


def test_csv_with_byte_order_mark_and_other_encodings(
    write: Write, engine: Engine, rows: Rows
) -> None:
    text = HEADER + "ü1,café,2024-01-01\n"
    bom = read_events(write("bom.csv", text, encoding="utf-8-sig"), engine=engine)
    assert bom.report.columns.customer == "user_id"  # not "\ufeffuser_id"
    assert _triples(rows(bom)) == [("ü1", "café", datetime(2024, 1, 1))]
    utf16 = read_events(write("u16.csv", text, encoding="utf-16"), engine=engine)
    assert _triples(rows(utf16)) == [("ü1", "café", datetime(2024, 1, 1))]
    latin = write("latin.csv", text, encoding="latin-1")
    with pytest.raises(EvidenceError, match=r"latin\.csv: not utf-8 text .*--encoding"):
        read_events(latin, engine=engine)
    log = read_events(latin, engine=engine, encoding="ISO-8859-1")
    assert _triples(rows(log)) == [("ü1", "café", datetime(2024, 1, 1))]
    with pytest.raises(UsageError, match="unsupported encoding 'klingon'"):
        read_events(latin, engine=engine, encoding="klingon")


def test_gzip_is_told_by_its_bytes(write: Write, engine: Engine, rows: Rows) -> None:
    data = gzip.compress((HEADER + "u1,a,2024-01-01\n").encode())
    for name in ("named.csv.gz", "disguised.csv"):
        log = read_events(write(name, data), engine=engine)
        assert _triples(rows(log)) == [("u1", "a", datetime(2024, 1, 1))]


def test_csv_row_with_too_many_fields_names_its_line(write: Write, engine: Engine) -> None:
    body = "".join(f"u{i},e,2024-01-01\n" for i in range(3000))
    path = write("bad.csv", HEADER + body.replace("u1500,e,", "u1500,e,x,", 1))
    with pytest.raises(EvidenceError, match=r"bad\.csv:1502: 4 fields where the header has 3"):
        read_events(path, engine=engine)


def test_an_empty_header_name_is_its_position(write: Write, engine: Engine) -> None:
    log = read_events(write("d.csv", "user_id,event,,timestamp\nu,a,c,2024-01-01\n"),
                      engine=engine, channel="column3")  # fmt: skip
    assert log.report.columns.channel == "column3"


def test_a_header_naming_two_columns_alike_is_an_error_naming_both(
    write: Write, engine: Engine
) -> None:
    # it used to read the first "event" and call the second event_2: which was meant?
    path = write("d.csv", "user_id,event,timestamp,event\nu,a,2024-01-01,b\n")
    with pytest.raises(EvidenceError, match=r"d\.csv:1: the header names two columns 'event' "
                       r"\(columns 2 and 4\)"):  # fmt: skip
        read_events(path, engine=engine)


def test_real_csv_with_offsets_and_channel(shared_data: Path, engine: Engine, rows: Rows) -> None:
    log = read_events(shared_data / "eventlogs" / "receipt.csv", engine=engine)
    cols = log.report.columns
    assert (cols.customer, cols.time, cols.event, cols.channel) == (
        "case:concept:name", "time:timestamp", "concept:name", "case:channel",
    )  # fmt: skip
    assert log.report.rows_read == log.report.rows_used == 8577
    got = rows(log)
    assert len({r["customer"] for r in got}) == 1434
    # 2011-10-11 13:45:40.276000+02:00 in UTC
    assert got[0]["ts"] == datetime(2011, 10, 11, 11, 45, 40, 276000)
    assert {r["channel"] for r in got} == {"Internet", "Desk", "Post", "e-mail", "Intern"}


def test_real_csv_with_multiline_quoted_text(shared_data: Path, engine: Engine, rows: Rows) -> None:
    import pandas as pd

    path = shared_data / "feedback" / "airline_tweets.csv"
    log = read_events(path, engine=engine, customer="airline", event="airline_sentiment",
                      time="tweet_created")  # fmt: skip
    ref = pd.read_csv(path, dtype=str)
    assert log.report.rows_read == log.report.rows_used == len(ref) == 14640
    got = rows(log)
    assert [r["event"] for r in got] == ref["airline_sentiment"].tolist()
    # "2015-02-24 11:35:52 -0800": an offset after a space, read as UTC
    assert got[0]["ts"] == datetime(2015, 2, 24, 19, 35, 52)


# ---- whitespace-separated text ---------------------------------------------------------------


def test_whitespace_text_with_leading_and_repeated_blanks(
    write: Write, engine: Engine, rows: Rows
) -> None:
    text = (
        " customer_id  date number_of_cds  dollar_value\r\n"
        " 00001 19970101  1   11.77\r\n"
        "\r\n"
        "   00002\t19970112  5   77.00\r\n"
    )
    log = read_events(write("cd.txt", text), engine=engine, default_event="purchase")
    assert log.report.columns.value == "dollar_value"
    assert log.report.time_parse == "format YYYYMMDD"
    assert [(r["customer"], r["event"], r["ts"], r["value"]) for r in rows(log)] == [
        ("00001", "purchase", datetime(1997, 1, 1), 11.77),
        ("00002", "purchase", datetime(1997, 1, 12), 77.0),
    ]
    assert log.report.rows_read == 2  # the blank line is not a row


def test_whitespace_is_not_taken_for_a_one_column_file(write: Write, engine: Engine) -> None:
    # a header with a space over rows of one word: one column named "event name"
    text = "event name\nsignup\nlogin\npurchase\n"
    with pytest.raises(EvidenceError, match="the columns are: event name"):
        read_events(write("one.txt", text), engine=engine)


def test_whitespace_delimiter_can_be_forced(write: Write, engine: Engine, rows: Rows) -> None:
    text = "user_id event timestamp\nu1 a 2024-01-01\nu2 b 2024-01-02\n"
    log = read_events(write("s.csv", text), engine=engine, delimiter="whitespace")
    assert _triples(rows(log)) == [
        ("u1", "a", datetime(2024, 1, 1)),
        ("u2", "b", datetime(2024, 1, 2)),
    ]


def test_real_whitespace_text_cdnow(shared_data: Path, engine: Engine) -> None:
    import pandas as pd

    path = shared_data / "purchases" / "cdnow_master.txt"
    log = read_events(path, engine=engine, default_event="purchase")
    ref = pd.read_csv(path, sep=r"\s+", dtype={"customer_id": str, "date": str})
    assert log.report.rows_read == log.report.rows_used == len(ref) == 69659
    cols = log.report.columns
    assert (cols.customer, cols.time, cols.value) == ("customer_id", "date", "dollar_value")
    got = log.engine.run(
        log.table.aggregate(
            customers=log.table.customer.nunique(),
            first=log.table.ts.min(),
            last=log.table.ts.max(),
            total=log.table.value.sum(),
        )
    ).to_pylist()[0]
    assert got["customers"] == ref["customer_id"].nunique() == 23570
    assert (got["first"], got["last"]) == (datetime(1997, 1, 1), datetime(1998, 6, 30))
    assert got["total"] == pytest.approx(ref["dollar_value"].sum())


# ---- Parquet ---------------------------------------------------------------------------------


def _parquet(path: Path, **columns: list[Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), path)
    return path


def test_parquet_file_folder_and_glob(tmp_path: Path, engine: Engine, rows: Rows) -> None:
    folder = tmp_path / "log"
    # file order is name order: "part-10" comes before "part-9"
    _parquet(folder / "part-9.parquet", user_id=["u3"], event=["c"], ts=[1_700_000_002])
    _parquet(folder / "part-10.parquet", user_id=["u1", "u2"], event=["a", "b"],
             ts=[1_700_000_000, 1_700_000_001])  # fmt: skip
    _parquet(folder / "deeper" / "x.parquet", user_id=["u4"], event=["d"], ts=[1_700_000_003])
    expected = ["d", "a", "b", "c"]  # by path: deeper/x.parquet, part-10, part-9
    by_folder = read_events(folder, engine=engine)
    assert [r["event"] for r in rows(by_folder)] == expected
    by_glob = read_events(str(folder / "part-*.parquet"), engine=engine)
    assert [r["event"] for r in rows(by_glob)] == ["a", "b", "c"]
    single = read_events(folder / "part-10.parquet", engine=engine)
    assert [r["seq"] for r in rows(single)] == [1, 2]


def test_parquet_files_with_different_columns_are_unified(
    tmp_path: Path, engine: Engine, rows: Rows
) -> None:
    _parquet(tmp_path / "a.parquet", user_id=["u1"], event=["a"], ts=[1_700_000_000])
    _parquet(tmp_path / "b.parquet", user_id=["u2"], event=["b"], ts=[1_700_000_001],
             channel=["app"])  # fmt: skip
    log = read_events(str(tmp_path / "*.parquet"), engine=engine)
    assert [r["channel"] for r in rows(log)] == [None, "app"]


def test_parquet_with_its_own_file_row_number_column(
    tmp_path: Path, engine: Engine, rows: Rows
) -> None:
    path = _parquet(tmp_path / "f.parquet", file_row_number=[7, 8], user_id=["u", "u"],
                    event=["a", "b"], ts=[1, 1])  # fmt: skip
    log = read_events(path, engine=engine)
    assert [(r["event"], r["seq"]) for r in rows(log)] == [("a", 1), ("b", 2)]


# ---- JSON Lines ------------------------------------------------------------------------------


def test_json_lines_plain_gzip_and_mixed_types(write: Write, engine: Engine, rows: Rows) -> None:
    text = (
        '{"user_id": "u1", "event": "a", "timestamp": "2024-01-01T10:00:00+01:00"}\n'
        "\n"
        '{"user_id": 42, "event": "b", "timestamp": "2024-01-02"}\n'
    )
    expected = [("u1", "a", datetime(2024, 1, 1, 9)), ("42", "b", datetime(2024, 1, 2))]
    for name, data in [
        ("e.jsonl", text.encode()),
        ("e.jsonl.gz", gzip.compress(text.encode())),
        ("disguised.ndjson", gzip.compress(text.encode())),
    ]:
        log = read_events(write(name, data), engine=engine)
        assert _triples(rows(log)) == expected, name


def test_json_lines_type_change_late_in_the_file(write: Write, engine: Engine, rows: Rows) -> None:
    lines = [f'{{"user_id": {i}, "event": "e", "ts": {1_700_000_000 + i}}}' for i in range(30_000)]
    lines[25_000] = '{"user_id": "abc", "event": "e", "ts": "2024-13-45"}'
    log = read_events(write("late.jsonl", "\n".join(lines) + "\n"), engine=engine)
    assert log.report.rows_read == 30_000
    assert log.report.rejected == {"a time that cannot be read": 1}
    assert str(log.report.examples[0]).endswith('cannot read "2024-13-45" as a time')
    assert log.report.examples[0].row == 25_001


def test_real_json_lines_gzip(shared_data: Path, engine: Engine) -> None:
    log = read_events(
        shared_data / "feedback" / "amazon_all_beauty_5core.json.gz",
        engine=engine, customer="reviewerID", event="asin", time="unixReviewTime",
        value="overall",
    )  # fmt: skip
    assert log.report.rows_read == log.report.rows_used == 5269
    assert log.report.time_parse == "epoch s (by magnitude)"
    n = log.engine.run(log.table.aggregate(c=log.table.customer.nunique())).to_pylist()[0]["c"]
    assert n == 991


# ---- databases and Ibis tables ---------------------------------------------------------------


def test_duckdb_database_table(tmp_path: Path, engine: Engine, rows: Rows) -> None:
    import duckdb

    db = tmp_path / "shop.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE events (customer_id VARCHAR, action VARCHAR, created_at TIMESTAMP)")
    con.execute(
        "INSERT INTO events VALUES ('c1', 'view', '2024-01-01 10:00'), "
        "('c1', 'buy', '2024-01-01 10:00'), ('c2', 'view', '2024-01-02')"
    )
    con.close()
    log = read_events(f"{db}:events", engine=engine)
    assert read_events(f"{db}:events", engine=engine).report.rows_used == 3  # attached once
    assert log.report.time_parse == "native timestamp"
    assert _triples(rows(log)) == [
        ("c1", "view", datetime(2024, 1, 1, 10)),
        ("c1", "buy", datetime(2024, 1, 1, 10)),
        ("c2", "view", datetime(2024, 1, 2)),
    ]
    with pytest.raises(EvidenceError, match="no such DuckDB database"):
        read_events(f"{tmp_path / 'none.duckdb'}:events", engine=engine)
    with pytest.raises(EvidenceError, match=r"shop\.duckdb:nope: cannot read as duckdb"):
        read_events(f"{db}:nope", engine=engine)


def test_ibis_memtable_and_backend_table(rows: Rows) -> None:
    import ibis

    data = pa.table(
        {"user_id": ["b", "a", "b"], "event": ["x", "y", "z"], "ts": ["2024-01-01"] * 3}
    )
    log = read_events(ibis.memtable(data))
    assert log.report.source == "<table>"
    assert [r["event"] for r in rows(log)] == ["x", "y", "z"]
    con = ibis.duckdb.connect()
    table = con.create_table("clicks", ibis.memtable(data))
    log = read_events(table, name="clicks")
    assert log.engine.backend is con
    assert log.report.source == "clicks"
    assert [r["event"] for r in rows(log)] == ["x", "y", "z"]


# ---- roles -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("case:concept:name,concept:name,time:timestamp", ("case:concept:name", "concept:name")),
        ("user_pseudo_id,event_name,event_timestamp", ("user_pseudo_id", "event_name")),
        ("Customer ID,Activity,Created At", ("Customer ID", "Activity")),
        ("visitor,page,ts", ("visitor", "page")),
    ],
)
def test_roles_are_found_by_common_names(
    write: Write, engine: Engine, header: str, expected: tuple[str, str]
) -> None:
    log = read_events(write("r.csv", f"{header}\nc,e,2024-01-01\n"), engine=engine)
    assert (log.report.columns.customer, log.report.columns.event) == expected


def test_role_names_table_covers_the_issue_examples() -> None:
    names = {n for names in ROLE_NAMES.values() for n in names}
    for name in ("user_id", "customer_id", "case:concept:name", "user_pseudo_id", "timestamp",
                 "time:timestamp", "event_timestamp", "event", "event_name", "concept:name",
                 "activity"):  # fmt: skip
        assert name in names


def test_given_roles_win_over_names(write: Write, engine: Engine, rows: Rows) -> None:
    text = "user_id,account,event,page,timestamp\nu1,acc1,e1,p1,2024-01-01\n"
    # the event is "page" although a column is called "event", which is then free to be taken
    log = read_events(write("g.csv", text), engine=engine, customer="account", event="page",
                      session="event")  # fmt: skip
    (row,) = rows(log)
    assert (row["customer"], row["event"], row["session"]) == ("acc1", "p1", "e1")


def test_a_missing_given_column_is_named_with_the_columns(write: Write, engine: Engine) -> None:
    path = write("m.csv", HEADER + "u1,a,2024-01-01\n")
    with pytest.raises(EvidenceError) as err:
        read_events(path, engine=engine, time="Timestamp")
    message = str(err.value)
    assert "no column 'Timestamp' for --time; did you mean 'timestamp'?" in message
    assert "The columns are: user_id, event, timestamp" in message


def test_roles_that_cannot_be_found_say_which_flag_to_use(write: Write, engine: Engine) -> None:
    path = write("n.csv", "who,what,when_it_was\nu1,a,2024-01-01\n")
    with pytest.raises(EvidenceError) as err:
        read_events(path, engine=engine)
    message = str(err.value)
    assert "cannot tell which column holds the customer and the time and the event" in message
    assert "the columns are: who, what, when_it_was" in message
    assert "--customer COL" in message and "--time COL" in message
    assert "--default-event NAME" in message
    log = read_events(path, engine=engine, customer="who", time="when_it_was", event="what")
    assert log.report.rows_used == 1


def test_default_event_for_a_log_without_event_column(write: Write, engine: Engine) -> None:
    log = read_events(write("o.csv", "customer_id,date,amount\nc1,20240101,9.5\n"),
                      engine=engine, default_event="purchase")  # fmt: skip
    assert log.report.columns.event is None
    assert "event=(every row 'purchase')" in log.report.lines()[1]
    assert log.engine.run(log.table).to_pylist()[0]["event"] == "purchase"


# ---- formats told apart ----------------------------------------------------------------------


def test_format_of_a_name_without_suffix_comes_from_the_content(
    tmp_path: Path, write: Write, engine: Engine
) -> None:
    csv_file = write("export", HEADER + "u1,a,2024-01-01\n")
    assert read_events(csv_file, engine=engine).report.rows_used == 1
    pq_file = _parquet(tmp_path / "dump", user_id=["u"], event=["e"], ts=[1_700_000_000])
    assert read_events(pq_file, engine=engine).report.rows_used == 1
    with pytest.raises(UsageError, match="cannot tell the format"):
        read_events(write("blob", b"\x00\x01\x02"), engine=engine)
    with pytest.raises(EvidenceError, match="no such file"):
        read_events(tmp_path / "missing.csv", engine=engine)
    with pytest.raises(EvidenceError, match="no file matches"):
        read_events(str(tmp_path / "none-*.csv"), engine=engine)


def test_zstd_csv_is_left_to_duckdb(tmp_path: Path, engine: Engine, rows: Rows) -> None:
    import duckdb

    path = tmp_path / "events.csv.zst"
    duckdb.execute(
        "COPY (SELECT 'u' || i AS user_id, 'e' AS event, DATE '2024-01-01' + i::INTEGER "
        f"AS timestamp FROM range(3) t(i)) TO '{path}' (HEADER, COMPRESSION zstd)"
    )
    log = read_events(path, engine=engine)
    assert [r["customer"] for r in rows(log)] == ["u0", "u1", "u2"]


def test_json_array_of_objects(write: Write, engine: Engine, rows: Rows) -> None:
    text = (
        '[{"user_id": "u1", "event": "a", "ts": 1700000000},\n'
        ' {"user_id": "u2", "event": "b", "ts": 1700000001}]'
    )
    log = read_events(write("e.json", text), engine=engine)
    assert [r["customer"] for r in rows(log)] == ["u1", "u2"]


def test_whitespace_text_glob_skips_each_header(write: Write, engine: Engine, rows: Rows) -> None:
    first = write("w/a.txt", " customer_id  date  amount\n 1  20240101  3\n")
    write("w/b.txt", " customer_id  date  amount\n\n 2  20240102  4\n")
    log = read_events(str(first.parent / "*.txt"), engine=engine, default_event="buy")
    assert [(r["customer"], r["value"]) for r in rows(log)] == [("1", 3.0), ("2", 4.0)]
    assert log.report.rows_read == 2


def test_messages_name_the_file_as_it_was_given(
    tmp_path: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("latin.csv").write_bytes((HEADER + "ü1,café,2024-01-01\n").encode("latin-1"))
    Path("empty.csv").write_text("")
    cases = {
        "latin.csv": "latin.csv: not utf-8 text (byte 24 cannot be decoded)",
        "empty.csv": "empty.csv: the file is empty",
        "missing.csv": "missing.csv: no such file",
        "none-*.csv": "none-*.csv: no file matches",
        "nothing.duckdb:events": "nothing.duckdb: no such DuckDB database",
    }
    for source, start in cases.items():
        with pytest.raises(EvidenceError) as err:
            read_events(source, engine=engine)
        assert str(err.value).startswith(start), source
