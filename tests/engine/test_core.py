"""What the engine gives other modules instead of a raw connection: database files attached
and written, statements with bound values, the backend's own exceptions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from journeymap.engine import Engine
from journeymap.errors import UsageError


@pytest.fixture
def engine() -> Iterator[Engine]:
    with Engine.connect() as duck:
        yield duck


def test_a_path_holding_a_quote_is_bound_not_pasted(tmp_path: Path, engine: Engine) -> None:
    """``ATTACH '<path>'`` with the path pasted in ran SQL written in a file name; bound,
    the name is only a name."""
    folder = tmp_path / "it's a folder"
    folder.mkdir()
    evil = folder / "x' AS y; CREATE TABLE pwned (a INT); ATTACH 'z.duckdb"
    con = duckdb.connect(str(evil))
    con.execute("CREATE TABLE events AS SELECT 1 AS n UNION ALL SELECT 2")
    con.close()
    alias = engine.attach(evil, read_only=True)
    assert engine.scalar(engine.table("events", database=(alias, "main")).n.sum()) == 3
    assert "pwned" not in engine.tables()
    assert engine.tables(database=alias) == ["events"]
    assert engine.attach(evil, read_only=True) == alias  # attached once
    assert not (folder / "z.duckdb").exists()
    engine.detach(alias)
    assert alias not in {
        r[0] for r in engine.execute("SELECT database_name FROM duckdb_databases()")
    }


def test_tables_written_into_an_attached_file(tmp_path: Path, engine: Engine) -> None:
    path = tmp_path / "kept.duckdb"
    alias = engine.attach(path)
    data = engine.from_arrow(pa.table({"x": [1, 2, 3]}))
    engine.create_table("doubled", data.mutate(y=data.x * 2), database=alias)
    engine.create_table("meta", pa.table({"json": ['{"a": "it\'s"}']}), database=alias)
    engine.detach(alias)
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT sum(y) FROM doubled").fetchall() == [(12,)]
        assert con.execute("SELECT json FROM meta").fetchall() == [('{"a": "it\'s"}',)]
        assert sorted(r[0] for r in con.execute("SHOW TABLES").fetchall()) == ["doubled", "meta"]


def test_execute_binds_values(engine: Engine) -> None:
    sneaky = "'); DROP TABLE t; --"
    engine.execute("CREATE TEMP TABLE t (v VARCHAR)")
    engine.execute("INSERT INTO t VALUES (?)", [sneaky])
    assert engine.execute("SELECT v FROM t WHERE v = ?", [sneaky]) == [(sneaky,)]


def test_the_backends_own_exceptions(engine: Engine) -> None:
    with pytest.raises(engine.errors):
        engine.execute("SELECT * FROM no_such_table")
    with pytest.raises(engine.errors):
        engine.table("no_such_table")
    assert not issubclass(UsageError, engine.errors)  # ours are not the backend's


def test_reading_in_an_encoding_the_engine_cannot_read_is_refused(
    tmp_path: Path, engine: Engine
) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes("a,b\n€,x\n".encode("cp1252"))
    with pytest.raises(UsageError, match=r"reads utf-8, utf-16 .* and latin-1 itself"):
        engine.read_csv(str(path), encoding="cp1252")
    path.write_bytes("a,b\nçé,x\n".encode("latin-1"))
    got = engine.run(engine.read_csv(str(path), encoding="latin1", columns=["p", "q"]))
    assert got.to_pylist() == [{"p": "çé", "q": "x"}]
