"""The coded ordered pass on DuckDB: customers coded by their hash, and what happens when
two customers share one (the pass starts again with numbered customers)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from journeymap.engine import Engine
from journeymap.events import prepare as prepare_module
from journeymap.events.flows import flows
from journeymap.events.funnel import funnel
from journeymap.events.paths import paths
from journeymap.events.prepare import prepare
from journeymap.events.read import EventLog, read_events
from journeymap.events.retention import retention
from journeymap.events.summary import summary

STEPS = ["onboarding_welcome_screen", "onboarding__chooseLoginType", "passed"]


def analyses(log: EventLog) -> dict[str, pa.Table]:
    return {
        "flows": flows(log),
        "paths": paths(log, top=None),
        "funnel": funnel(log, steps=STEPS),
        "retention": retention(log, period="week"),
        "summary": summary(log),
        "flows with markers": flows(log, markers=True),
    }


@pytest.mark.slow
def test_customers_coded_by_hash_or_numbered_give_the_same_tables(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hash shared by customers of one length (forced here) is seen in the ordered pass,
    which starts again with numbered customers: every analysis gives the tables of the
    hashed pass, where no two customers of the real log share a hash."""
    path = shared_data / "eventlogs" / "mobile_app_onboarding.csv"
    with Engine.connect() as engine:
        log = read_events(path, engine=engine)
        ready = prepare(log)
        assert log.preparations.hashed is True
        hashed_codes = engine.run(ready.table.select("cid").distinct()).column(0).to_pylist()
        want = analyses(log)

    lengths = Engine.connect()
    with lengths:
        log = read_events(path, engine=lengths)
        customers = lengths.run(log.table.select("customer").distinct()).column(0).to_pylist()
        assert len({len(c) for c in customers}) < len(customers)  # so lengths collide
        # as if the hash were the length of the name
        monkeypatch.setattr(prepare_module, "_customer_hash", lambda c: c.length().cast("int64"))
        ready = prepare(log)
        assert log.preparations.hashed is False
        numbered = lengths.run(ready.table.select("cid").distinct()).column(0).to_pylist()
        got = analyses(log)
        named = lengths.run(ready.named().select("customer", "cid").distinct())
    assert len(numbered) == len(hashed_codes) == len(customers) > 1000
    assert sorted(numbered) == list(range(1, len(customers) + 1))
    assert max(hashed_codes) > 2**40  # hashes, not numbers
    for name, table in want.items():
        assert got[name].equals(table), name
    # the dictionary decodes the numbers: one name per code, every customer once
    assert named.num_rows == len(customers)
    assert sorted(named.column("customer").to_pylist()) == sorted(customers)


def test_named_decodes_hashed_customers(make_log: Any) -> None:
    """With hashed codes the dictionary is computed when asked for, and names the rows."""
    log = make_log(
        [("ann", "a", "1700000000"), ("bob", "b", "1700000060"), ("ann", "c", "1700000120")]
    )
    ready = prepare(log)
    assert log.preparations.hashed is True
    rows = log.engine.run(
        ready.named().select("customer", "event", "next_event").order_by(["customer", "event"])
    ).to_pylist()
    assert rows == [
        {"customer": "ann", "event": "a", "next_event": "c"},
        {"customer": "ann", "event": "c", "next_event": None},
        {"customer": "bob", "event": "b", "next_event": None},
    ]


@pytest.mark.slow
def test_prepared_log_bigger_than_memory_is_kept_compressed_in_a_file(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A prepared table above half the memory limit goes to a database file of its own in
    the temp directory (compressed), not to a temp table that spills; every analysis gives
    the same tables, and the file is gone when the engine closes."""
    from journeymap.engine import EngineConfig
    from journeymap.engine import core as engine_module
    from journeymap.events.sessions import sessions

    path = shared_data / "eventlogs" / "mobile_app_onboarding.csv"
    with Engine.connect() as engine:
        log = read_events(path, engine=engine)
        want = analyses(log)
        want["sessions"] = flows(sessions(log, gap=timedelta(minutes=30)), per="session")
        assert engine._store is None  # 1.5GB holds this log
        size = log.report.rows_used * 57  # bytes, about, of its prepared table

    temp = tmp_path / "spill"
    # tables above a quarter of the prepared table's size count as too big for memory
    monkeypatch.setattr(engine_module, "COMPRESSED_ABOVE", size / 4 / (100 * 10**6))
    with Engine.connect(EngineConfig(memory_limit="100MB", temp_directory=str(temp))) as engine:
        log = read_events(path, engine=engine)
        ready = prepare(log)
        assert engine._store is not None
        alias, store = engine._store
        assert store.parent == temp and store.is_file()
        # the prepared table is a table of that database, not a temp table
        found = engine.execute(
            "SELECT database_name, temporary FROM duckdb_tables() "
            "WHERE table_name LIKE '\\_prepared\\_%' ESCAPE '\\'"
        )
        assert found == [(alias, False)]
        assert engine.scalar(ready.table.count()) == log.report.rows_used
        got = analyses(log)
        got["sessions"] = flows(sessions(log, gap=timedelta(minutes=30)), per="session")
    assert not store.exists()
    assert not list(temp.glob("journeymap-*"))
    for name, table in want.items():
        assert got[name].equals(table), name


def test_tables_kept_in_the_file_can_be_dropped(tmp_path: Path) -> None:
    """materialise() with a row count above the share puts the table in the file; drop()
    removes it there; a table without a row count stays a temp table."""
    from journeymap.engine import EngineConfig

    # files left by processes that are gone are removed; those of live ones are not
    gone = 2**22 + 12345  # above the largest pid Linux allows: no such process
    orphan = tmp_path / f"journeymap-{gone}-7f00.duckdb"
    alive = tmp_path / f"journeymap-{os.getppid()}-7f00.duckdb"
    other = tmp_path / "journeymap-notes.duckdb"
    for path in (orphan, orphan.with_name(orphan.name + ".wal"), alive, other):
        path.write_bytes(b"")
    config = EngineConfig(memory_limit="64MB", temp_directory=str(tmp_path))
    with Engine.connect(config) as engine:
        data = engine.from_arrow(pa.table({"x": pa.array(range(1000), pa.int64())}))
        small = engine.materialise(data)
        assert engine._store is None
        big = engine.materialise(data, rows=10**7)  # 80 MB of int64: above half of 64MB
        assert engine._store is not None
        alias, store = engine._store

        def where() -> list[tuple[str, bool]]:
            return engine.execute("SELECT database_name, temporary FROM duckdb_tables() ORDER BY 1")

        assert ("temp", True) in where() and (alias, False) in where()
        assert engine.scalar(big.x.sum()) == engine.scalar(small.x.sum()) == 499500
        engine.drop(big)
        assert (alias, False) not in where()
        assert store.is_file()
    assert not store.exists()
    assert not orphan.exists() and not orphan.with_name(orphan.name + ".wal").exists()
    assert alive.exists() and other.exists()


def test_the_file_of_an_engine_never_closed_is_removed_at_exit(tmp_path: Path) -> None:
    """A script that keeps a big table and exits without closing its engine leaves no file."""
    import subprocess
    import sys

    script = f"""
import pyarrow as pa
from journeymap.engine import Engine, EngineConfig
engine = Engine.connect(EngineConfig(memory_limit="64MB", temp_directory={str(tmp_path)!r}))
data = engine.from_arrow(pa.table({{"x": pa.array(range(1000), pa.int64())}}))
engine.materialise(data, rows=10**7)
print(engine._store[1])
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    store = Path(done.stdout.strip())
    assert store.parent == tmp_path and store.name.startswith("journeymap-")
    assert not store.exists()
    assert not list(tmp_path.glob("journeymap-*"))
