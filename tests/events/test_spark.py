"""The readers on the Spark engine: the same rows, times, rejects and order as on DuckDB."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from journeymap.engine import Engine
from journeymap.engine.times import _spark_pattern
from journeymap.errors import EvidenceError, UsageError
from journeymap.events.read import EventLog, read_events

pytestmark = pytest.mark.filterwarnings(
    "ignore:fetch_arrow_table:DeprecationWarning",
    # pyspark's own deprecations and resource warnings are not ours to fix
    "ignore::DeprecationWarning:pyspark.*",
    "ignore::ResourceWarning",
)

Write = Callable[..., Path]


def _summary(log: EventLog) -> dict[str, Any]:
    t = log.table
    got = log.engine.run(
        t.aggregate(
            rows=t.count(),
            customers=t.customer.nunique(),
            first=t.ts.min(),
            last=t.ts.max(),
            seq_max=t.seq.max(),
        )
    ).to_pylist()[0]
    return {**got, "report": log.report.lines()}


@pytest.mark.parametrize(
    ("fmt", "pattern"),
    [
        ("%d/%m/%Y %H:%M", "d/M/yyyy H:m"),
        ("%Y%m%d", "yyyyMMdd"),
        ("%Y-%m-%dT%H:%M:%SZ", "yyyy-M-d'T'H:m:s'Z'"),
        ("%d %b %Y %z", "d MMM yyyy Z"),
    ],
)
def test_strptime_formats_become_spark_patterns(fmt: str, pattern: str) -> None:
    assert _spark_pattern(fmt) == pattern


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("eventlogs/receipt.csv", {}),
        ("eventlogs/mobile_app_onboarding.csv", {}),
        ("eventlogs/running-example.xes", {}),
        ("purchases/cdnow_master.txt", {"default_event": "purchase"}),
        ("feedback/amazon_all_beauty_5core.json.gz",
         {"customer": "reviewerID", "event": "asin", "time": "unixReviewTime"}),
    ],
)  # fmt: skip
def test_real_logs_read_the_same_on_both_engines(
    shared_data: Path, engine: Engine, spark_engine: Engine, name: str, options: dict[str, Any]
) -> None:
    path = shared_data / name
    on_duckdb = _summary(read_events(path, engine=engine, **options))
    on_spark = _summary(read_events(path, engine=spark_engine, **options))
    assert on_spark == on_duckdb


@pytest.mark.slow
def test_broken_timestamp_is_located_on_spark(
    tmp_path: Path, spark_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    lines = ["user_id,event,timestamp"] + [f"u{i % 5},view,2023-01-01" for i in range(2, 1500)]
    lines[1233] = "u1,view,2023-13-45"
    Path("events.csv").write_text("\n".join(lines) + "\n")
    log = read_events("events.csv", engine=spark_engine)
    assert [str(e) for e in log.report.examples] == [
        'events.csv:1234: column "timestamp": cannot read "2023-13-45" as a time'
    ]


@pytest.mark.slow
def test_formats_and_short_lines_do_not_fail_a_spark_query(
    write: Write, spark_engine: Engine
) -> None:
    path = write("dmy.csv", "user_id,event,timestamp\nu1,a,1/2/2024 10:00\nu2,b,x\n")
    log = read_events(path, engine=spark_engine, time_format="%d/%m/%Y %H:%M")
    assert log.report.rejected == {"a time that cannot be read": 1}
    assert log.engine.run(log.table).column("ts").to_pylist() == [datetime(2024, 2, 1, 10)]
    text = " customer_id  date  amount\n 1  20240101  3\n 2  20240102\n 3  19971345  1\n"
    log = read_events(write("w.txt", text), engine=spark_engine, default_event="buy")
    assert log.report.rejected == {
        "the wrong number of fields": 1,
        "a time that cannot be read": 1,
    }


@pytest.mark.slow
def test_spark_refuses_compressed_files_named_as_plain(write: Write, spark_engine: Engine) -> None:
    path = write("disguised.csv", gzip.compress(b"user_id,event,timestamp\nu,e,2024-01-01\n"))
    with pytest.raises(UsageError, match=r"does not end in \.gz"):
        read_events(path, engine=spark_engine)


@pytest.mark.slow
def test_parquet_folder_numbers_and_rejects_match_duckdb(
    tmp_path: Path, engine: Engine, spark_engine: Engine
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path / "log"
    folder.mkdir()
    for name, users in (("b.parquet", ["u3", None]), ("a.parquet", ["u1", "u2"])):
        table = pa.table({"user_id": users, "event": ["e", "f"], "ts": [1_700_000_000] * 2})
        pq.write_table(table, folder / name)
    got = {}
    for eng in (engine, spark_engine):
        log = read_events(folder, engine=eng)
        seqs = eng.run(log.table.order_by("seq").select("customer", "seq")).to_pylist()
        got[eng.kind] = (seqs, [(e.file, e.row) for e in log.report.examples])
    assert got["spark"] == got["duckdb"]
    seqs, examples = got["duckdb"]
    assert [r["customer"] for r in seqs] == ["u1", "u2", "u3"]
    assert examples == [(str(folder / "b.parquet"), 2)]


@pytest.mark.slow
def test_encodings_read_the_same_on_both_engines(
    write: Write, engine: Engine, spark_engine: Engine
) -> None:
    """One rule on both engines: the encoding told by the byte-order mark or given is read
    (Spark used to read every file as UTF-8); what the engines cannot read is converted. One
    file the engines read as it is, one they are given converted (every encoding on DuckDB:
    tests/engine/test_files.py)."""
    text = "user_id,event,timestamp\nü1,café €,2024-01-01\n"
    cases = {
        "le.csv": (text.encode("utf-16"), None, "café €"),
        "cp.csv": (text.encode("cp1252"), "cp1252", "café €"),
    }
    for name, (data, encoding, event) in cases.items():
        path = write(name, data)
        for eng in (engine, spark_engine):
            log = read_events(path, engine=eng, encoding=encoding)
            got = eng.run(log.table).select(["customer", "event"]).to_pylist()
            assert got == [{"customer": "ü1", "event": event}], (name, eng.kind)


@pytest.mark.slow
def test_a_running_session_keeps_its_static_settings(spark_engine: Engine) -> None:
    from pyspark.sql import SparkSession

    from journeymap.engine.spark import _settle

    session = SparkSession.getActiveSession()
    assert session is not None
    before = session.conf.get("spark.sql.warehouse.dir")
    _settle(
        session,
        {"spark.sql.warehouse.dir": "/nowhere", "spark.sql.shuffle.partitions": "3"},
        skip=set(),
    )
    assert session.conf.get("spark.sql.warehouse.dir") == before  # static: kept
    assert session.conf.get("spark.sql.shuffle.partitions") == "3"
    session.conf.set("spark.sql.shuffle.partitions", "8")


@pytest.mark.slow
def test_zone_abbreviations_read_the_same_on_both_engines(
    write: Write, engine: Engine, spark_engine: Engine
) -> None:
    """A zone abbreviation is its fixed offset on Spark too (PST is UTC-8 in May), and an
    ambiguous one is rejected there as well."""
    path = write(
        "tz.csv",
        "customer,event,timestamp\nc1,a,2024-05-01 11:00 PST\nc2,a,2024-05-01 11:00 CET\n"
        "c3,a,2024-05-01 11:00 IST\n",
    )
    on_duckdb = read_events(path, engine=engine)
    on_spark = read_events(path, engine=spark_engine)
    assert _summary(on_spark) == _summary(on_duckdb)
    assert (_summary(on_spark)["first"], _summary(on_spark)["last"]) == (
        datetime(2024, 5, 1, 10), datetime(2024, 5, 1, 19),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        # Spark's reader used to drop the extra field without a word
        (
            "log.csv",
            'user_id,event,timestamp\nu1,"a\nb",2024-01-01\nu2,view,2024-01-01,extra\n',
            "log.csv:4: 4 fields where the header has 3: 'u2,view,2024-01-01,extra'",
        ),
        # ... and read a broken JSON line as a row of nothing
        (
            "log.jsonl",
            '{"user_id": "u1", "event": "a", "timestamp": "2024-01-01"}\n{"user_id": "u2"\n',
            "log.jsonl:2:17: not valid JSON (Expecting ',' delimiter)",
        ),
    ],
    ids=["csv", "json lines"],
)
def test_a_broken_layout_is_the_same_located_error_on_spark(
    write: Write, engine: Engine, spark_engine: Engine, name: str, text: str, message: str
) -> None:
    path = write(name, text)
    for eng in (engine, spark_engine):
        with pytest.raises(EvidenceError) as info:
            read_events(path, engine=eng)
        assert str(info.value).startswith(f"{path.parent}/{message}"), eng.kind
