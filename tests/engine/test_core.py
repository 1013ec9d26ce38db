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


DATA = Path("/work/shared/data/eventlogs/mobile_app_onboarding.csv")


def test_results_are_typed_as_ibis_types_them(engine: Engine) -> None:
    """``run`` fetches DuckDB's Arrow without Ibis' pandas converter: the same table, the
    same schema as Ibis' ``to_pyarrow`` (a SUM is DuckDB's HUGEINT, Ibis' int64; a null
    literal is a null column; lists, structs, times and strings as Ibis types them)."""
    import ibis

    log = engine.read_csv(str(DATA))
    log = log.mutate(
        t=log.event_timestamp.cast("int64"),
        n=ibis.literal(1, type="int32"),
    )
    per_user = log.group_by("user_pseudo_id").aggregate(
        events=log.count(),
        total=(log.t // 1_000_000_000).sum(),
        ones=log.n.sum(),
        mean=log.t.mean(),
        first=(log.t.min() // 1_000_000).as_timestamp("ms"),
        names=log.event_name.collect(order_by=log.t),
        nothing=ibis.null(),
        pair=ibis.struct({"a": log.n.max(), "b": log.event_name.max()}),
    )
    expr = per_user.order_by("user_pseudo_id").limit(50)
    ours = engine.run(expr)
    theirs = engine.backend.to_pyarrow(expr)
    assert ours.num_rows == 50
    assert ours.schema == theirs.schema
    assert ours.equals(theirs)
    assert ours.schema.field("total").type == pa.int64()


def test_a_scalar_or_a_column_is_run_as_ibis_runs_it(engine: Engine) -> None:
    """Not only tables: a scalar comes back as an Arrow scalar, a column as an array."""
    log = engine.read_csv(str(DATA))
    users = engine.run(log.user_pseudo_id.nunique()).as_py()  # type: ignore[arg-type]
    rows = engine.run(log.aggregate(n=log.user_pseudo_id.nunique())).to_pylist()
    assert users == rows[0]["n"] > 0
    names = engine.run(log.event_name.name("e"))  # type: ignore[arg-type]
    assert len(names) == engine.run(log.aggregate(n=log.count())).to_pylist()[0]["n"]


def test_fetching_a_result_does_not_import_pandas(tmp_path: Path) -> None:
    """pandas costs a command 0.4 s of CPU at start-up: the engine's results come without it."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from journeymap.engine import Engine\n"
        "with Engine.connect() as engine:\n"
        f"    log = engine.read_csv({str(DATA)!r})\n"
        "    out = engine.run(log.group_by('event_name').aggregate(n=log.count()))\n"
        "print(out.num_rows, 'pandas' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    rows, pandas = done.stdout.split()
    assert int(rows) > 1
    assert pandas == "False"


def test_a_table_of_python_values(engine: Engine) -> None:
    """``from_columns`` types each column as asked, keeps the order and the nulls, takes
    text that would break a pasted statement, and makes an empty table of the same types."""
    names = ["home", None, "it's; DROP TABLE x", "é\u0301 🛒"]
    t = engine.from_columns(
        {"event": names, "code": [1, 2, None, 4]}, {"event": "string", "code": "int32"}
    )
    assert t.columns == ("event", "code")
    assert str(t.schema()["event"]).lstrip("!") == "string"
    assert str(t.schema()["code"]).lstrip("!") == "int32"
    got = engine.run(t).to_pylist()
    assert got == [{"event": e, "code": c} for e, c in zip(names, [1, 2, None, 4], strict=True)]
    empty = engine.from_columns({"v": []}, {"v": "int64"})
    assert engine.run(empty).num_rows == 0
    assert str(empty.schema()["v"]).lstrip("!") == "int64"
    engine.drop(t)
