"""Times: ISO 8601, epochs by magnitude, formats, native types; the order of events."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from journeymap.engine import Engine, EngineConfig
from journeymap.events.read import read_events

# ibis 12 calls duckdb 2.0's deprecated fetch_arrow_table() for every table's schema
pytestmark = pytest.mark.filterwarnings("ignore:fetch_arrow_table:DeprecationWarning")

Rows = Callable[..., list[dict[str, Any]]]
Write = Callable[..., Path]

# 2023-11-14 22:13:20.123456 UTC
INSTANT = datetime(2023, 11, 14, 22, 13, 20, 123456)
EPOCH_NS = 1_700_000_000_123_456_000


def _csv(times: list[str]) -> str:
    return "user_id,event,timestamp\n" + "".join(f"u,e{i},{t}\n" for i, t in enumerate(times))


def _read(write: Write, engine: Engine, times: list[str], **kw: Any) -> Any:
    return read_events(write("t.csv", _csv(times)), engine=engine, **kw)


def test_iso_with_and_without_offset_is_utc(write: Write, engine: Engine, rows: Rows) -> None:
    log = _read(write, engine, [
        "2024-03-01T10:00:00+02:00", "2024-03-01 10:00:00", "2024-03-01T10:00:00Z",
        "2024-03-01T10:00:00.5-01:30", "2024-03-01",
    ])  # fmt: skip
    assert log.report.time_parse == "ISO 8601"
    assert [r["ts"] for r in rows(log)] == [
        datetime(2024, 3, 1, 8), datetime(2024, 3, 1, 10), datetime(2024, 3, 1, 10),
        datetime(2024, 3, 1, 11, 30, 0, 500000), datetime(2024, 3, 1),
    ]  # fmt: skip


def test_zone_abbreviations_are_fixed_offsets_never_summer_time(
    write: Write, engine: Engine, rows: Rows
) -> None:
    """Issue 16: "11:00 PST" on 1 May was read as 18:00Z (PDT) and "CET" in May as 09:00Z
    (CEST). PST is UTC-8 and CET UTC+1 on any day; CST and IST name several zones: rejected,
    never guessed; UTC and the 12-hour clock read as before."""
    log = _read(write, engine, [
        "2024-05-01 11:00 PST", "2024-05-01 11:00 CET", "2024-05-01 11:00 pdt",
        "2024-05-01 11:00 UTC", "2024-05-01 11:00 CST", "2024-05-01 11:00 IST",
    ])  # fmt: skip
    assert [r["ts"] for r in rows(log)] == [
        datetime(2024, 5, 1, 19), datetime(2024, 5, 1, 10), datetime(2024, 5, 1, 18),
        datetime(2024, 5, 1, 11),
    ]  # fmt: skip
    assert log.report.rows_rejected == 2
    assert any('"2024-05-01 11:00 CST"' in line for line in log.report.lines())


@pytest.mark.parametrize(
    ("value", "unit", "micros"),
    [
        ("1700000000", "s", 0),
        ("1700000000123", "ms", 123000),
        ("1700000000123456", "us", 123456),
        ("1700000000123456000", "ns", 123456),
    ],
)
def test_epoch_unit_by_magnitude(
    write: Write, engine: Engine, rows: Rows, value: str, unit: str, micros: int
) -> None:
    log = _read(write, engine, [value])
    assert log.report.time_parse == f"epoch {unit} (by magnitude)"
    assert rows(log)[0]["ts"] == INSTANT.replace(microsecond=micros)


def test_epoch_unit_can_be_given(write: Write, engine: Engine, rows: Rows) -> None:
    log = _read(write, engine, ["1700000000"], time_unit="ms")
    assert log.report.time_parse == "epoch ms"
    assert rows(log)[0]["ts"] == datetime(1970, 1, 20, 16, 13, 20)
    # seconds that would overflow as nanoseconds... and the other way: not a time, not a crash
    log = _read(write, engine, ["1700000000123456000", "1700000000"], time_unit="s")
    assert log.report.rejected == {"a time that cannot be read": 1}
    assert rows(log)[0]["ts"] == datetime(2023, 11, 14, 22, 13, 20)


def test_float_epochs(write: Write, engine: Engine, rows: Rows) -> None:
    log = _read(write, engine, ["1700000000.5", "1700000001.25"])
    assert log.report.time_parse == "epoch s (by magnitude)"
    assert [r["ts"] for r in rows(log)] == [
        datetime(2023, 11, 14, 22, 13, 20, 500000),
        datetime(2023, 11, 14, 22, 13, 21, 250000),
    ]
    native = pa.table({"user_id": ["u"], "event": ["e"], "ts": [1.7000000001234e12]})
    log = read_events(_parquet(write, native), engine=engine)
    assert log.report.time_parse == "epoch ms (by magnitude)"
    assert rows(log)[0]["ts"] == datetime(2023, 11, 14, 22, 13, 20, 123400)


def test_custom_format_rejects_what_does_not_fit(write: Write, engine: Engine, rows: Rows) -> None:
    log = _read(write, engine, ["01/02/2024 13:05", "31/12/2023 00:00", "2024-02-01"],
                time_format="%d/%m/%Y %H:%M")  # fmt: skip
    assert log.report.time_parse == "format '%d/%m/%Y %H:%M'"
    assert [r["ts"] for r in rows(log)] == [datetime(2024, 2, 1, 13, 5), datetime(2023, 12, 31)]
    assert log.report.rejected == {"a time that cannot be read": 1}
    log = _read(write, engine, ["01/02/2024 13:05 +0100"], time_format="%d/%m/%Y %H:%M %z")
    assert rows(log)[0]["ts"] == datetime(2024, 2, 1, 12, 5)


def test_yyyymmdd_numbers(write: Write, engine: Engine, rows: Rows) -> None:
    log = _read(write, engine, ["19970101", "19980630", "19971345"])
    assert log.report.time_parse == "format YYYYMMDD"
    assert [r["ts"] for r in rows(log)] == [datetime(1997, 1, 1), datetime(1998, 6, 30)]
    assert log.report.examples[0].value == "19971345"
    native = pa.table({"user_id": ["u"], "event": ["e"], "date": pa.array([20240229], pa.int64())})
    log = read_events(_parquet(write, native), engine=engine)
    assert rows(log)[0]["ts"] == datetime(2024, 2, 29)


def test_one_odd_value_does_not_change_the_kind_of_a_column(
    write: Write, engine: Engine, rows: Rows
) -> None:
    log = _read(write, engine, ["1700000000", "oops", "1700000001"])
    assert log.report.time_parse == "epoch s (by magnitude)"
    assert log.report.rejected == {"a time that cannot be read": 1}
    assert len(rows(log)) == 2


def _parquet(write: Write, table: pa.Table) -> Path:
    path = write("t.parquet", b"")
    pq.write_table(table, path)
    return path


def test_native_timestamps_and_dates(write: Write, engine: Engine, rows: Rows) -> None:
    aware = datetime(2024, 1, 1, 12, tzinfo=UTC)
    table = pa.table({
        "user_id": ["u", "u"], "event": ["a", "b"],
        "ts": pa.array([aware, aware], pa.timestamp("ms", tz="Europe/Paris")),
    })  # fmt: skip
    log = read_events(_parquet(write, table), engine=engine)
    assert log.report.time_parse == "native timestamp"
    assert rows(log)[0]["ts"] == datetime(2024, 1, 1, 12)
    table = pa.table({"user_id": ["u"], "event": ["a"], "date": [date(2024, 5, 6)]})
    log = read_events(_parquet(write, table), engine=engine)
    assert log.report.time_parse == "date"
    assert rows(log)[0]["ts"] == datetime(2024, 5, 6)


def test_nanosecond_order_is_kept(write: Write, engine: Engine, rows: Rows) -> None:
    # three events within one microsecond, written in the reverse of their order in time
    ns = [EPOCH_NS + 999, EPOCH_NS + 1, EPOCH_NS]
    log = _read(write, engine, [str(n) for n in ns])
    got = rows(log)
    assert {r["ts"] for r in got} == {INSTANT}
    assert [r["ts_sub"] for r in got] == [999, 1, 0]
    by_time = sorted(got, key=lambda r: (r["ts"], r["ts_sub"], r["seq"]))
    assert [r["event"] for r in by_time] == ["e2", "e1", "e0"]
    # the same from a nanosecond timestamp column, and before 1970
    table = pa.table({
        "user_id": ["u"] * 3, "event": ["e0", "e1", "e2"],
        "ts": pa.array(ns, pa.timestamp("ns")),
    })  # fmt: skip
    log = read_events(_parquet(write, table), engine=engine)
    assert log.report.time_parse == "native timestamp (ns)"
    assert [(r["ts"], r["ts_sub"]) for r in rows(log)] == [
        (INSTANT, 999),
        (INSTANT, 1),
        (INSTANT, 0),
    ]
    log = _read(write, engine, ["-1"], time_unit="ns")
    assert [(r["ts"], r["ts_sub"]) for r in rows(log)] == [
        (datetime(1969, 12, 31, 23, 59, 59, 999999), 999)
    ]


def test_real_epoch_nanoseconds(shared_data: Path, engine: Engine, rows: Rows) -> None:
    import pandas as pd

    path = shared_data / "eventlogs" / "mobile_app_onboarding.csv"
    log = read_events(path, engine=engine)
    assert log.report.time_parse == "epoch ns (by magnitude)"
    ref = pd.read_csv(path)
    assert log.report.rows_read == log.report.rows_used == len(ref) == 30943
    got = rows(log)
    expected = pd.to_datetime(ref["event_timestamp"], unit="ns").dt.floor("us")
    assert [r["ts"] for r in got] == list(expected.dt.to_pydatetime())
    assert len({r["customer"] for r in got}) == 4139


# ---- ties keep the input order ---------------------------------------------------------------


def test_ties_keep_csv_order_when_read_by_several_threads(tmp_path: Path) -> None:
    # ~12 MB: DuckDB reads this with several threads; without order preservation a plain scan
    # of it comes back out of order (seen with DuckDB 2.0 and 4 threads)
    n = 400_000
    path = tmp_path / "big.csv"
    # every event at the same time; the event is its data row, the customer cycles
    with path.open("w") as f:
        f.write("user_id,event,timestamp\n")
        f.writelines(f"u{i % 7},{i},2024-01-01T00:00:00Z\n" for i in range(n))
    with Engine.connect(EngineConfig(threads=4)) as engine:
        log = read_events(path, engine=engine)
        t = log.table
        got = log.engine.run(
            t.aggregate(rows=t.count(), misplaced=(t.event.cast("int64") + 1 != t.seq).sum())
        ).to_pylist()[0]
    assert got == {"rows": n, "misplaced": 0}


def test_ties_keep_parquet_order_across_row_groups_and_files(tmp_path: Path) -> None:
    folder = tmp_path / "log"
    folder.mkdir()
    k = 0
    for name in ("b.parquet", "a.parquet", "c.parquet"):
        events = list(range(k, k + 50_000))
        k += 50_000
        table = pa.table({
            "user_id": [f"u{i % 3}" for i in events],
            "event": [str(i) for i in events],
            "ts": [1_700_000_000] * len(events),
        })  # fmt: skip
        pq.write_table(table, folder / name, row_group_size=4_096)
    with Engine.connect(EngineConfig(threads=4)) as engine:
        log = read_events(folder, engine=engine)
        got = log.engine.run(log.table.order_by("seq").select("event")).column("event")
        events = [int(e) for e in got.to_pylist()]
    # files in name order (a, b, c), rows in file order
    assert events == list(range(50_000, 100_000)) + list(range(50_000)) + list(
        range(100_000, 150_000)
    )
