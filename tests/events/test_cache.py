"""The cache (issue 18): one file per log whatever columns the commands name for the roles,
the log kept prepared per customer and per session, and every analysis of a cached log
equal to the same analysis of the log read afresh, on DuckDB, and to the Spark engine's."""

from __future__ import annotations

import json
import math
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from journeymap.cli import app
from journeymap.engine import Engine, EngineConfig
from journeymap.events.discover import discover
from journeymap.events.flows import flows
from journeymap.events.funnel import funnel
from journeymap.events.logs import ReadOptions, read_logs
from journeymap.events.paths import paths
from journeymap.events.prepare import prepared
from journeymap.events.read import EventLog, read_events
from journeymap.events.retention import cohorts, retention
from journeymap.events.sessions import session_summary, sessions
from journeymap.events.summary import summary

#: a shop's clickstream: sessions of a customer interleave with nothing but follow each
#: other; u2's second session starts at the second its first ends, two events of u3 share
#: an instant (input order decides), ``visit`` is a second session-like column nobody finds
#: by name, ``spend`` a value column nobody finds by name either
HEADER = "user_id,session_id,visit,event,timestamp,channel,spend\n"
ROWS = [
    ("u1", "s1", "v1", "home", "2024-01-01T10:00:00Z", "web", ""),
    ("u1", "s1", "v1", "product", "2024-01-01T10:01:30Z", "web", ""),
    ("u1", "s1", "v1", "cart", "2024-01-01T10:03:00Z", "web", ""),
    ("u1", "s2", "v2", "home", "2024-01-09T09:00:00Z", "app", ""),
    ("u1", "s2", "v2", "cart", "2024-01-09T09:02:00Z", "app", ""),
    ("u1", "s2", "v2", "purchase", "2024-01-09T09:05:00.250000Z", "app", "30.5"),
    ("u2", "s3", "v3", "home", "2024-01-02T12:00:00Z", "web", ""),
    ("u2", "s3", "v3", "product", "2024-01-02T12:10:00Z", "web", ""),
    ("u2", "s4", "v3", "product", "2024-01-02T12:10:00Z", "web", ""),
    ("u2", "s4", "v3", "cart", "2024-01-02T12:11:00Z", "web", ""),
    ("u2", "s4", "v3", "purchase", "2024-01-02T12:15:00Z", "web", "12"),
    ("u3", "s5", "v4", "home", "2024-01-03T08:00:00Z", "ad", ""),
    ("u3", "s5", "v4", "product", "2024-01-03T08:00:00Z", "ad", ""),
    ("u3", "s5", "v4", "home", "2024-01-03T08:04:00Z", "ad", ""),
    ("u3", "s6", "v5", "product", "2024-01-20T18:00:00Z", "web", ""),
    ("u3", "s6", "v5", "cart", "2024-01-20T18:00:07Z", "web", ""),
    ("u4", "s7", "v6", "home", "2024-02-05T07:00:00Z", "web", ""),
    ("u4", "s7", "v6", "search", "2024-02-05T07:00:45Z", "web", ""),
    ("u4", "s7", "v6", "product", "2024-02-05T07:02:00Z", "web", ""),
    ("u4", "s8", "v7", "product", "2024-02-14T20:00:00Z", "app", ""),
    ("u4", "s8", "v7", "cart", "2024-02-14T20:03:00Z", "app", ""),
    ("u4", "s8", "v7", "purchase", "2024-02-14T20:09:00Z", "app", "99.99"),
    ("u5", "s9", "v8", "home", "2024-01-05T11:00:00Z", "web", ""),
    ("u5", "", "v8", "product", "2024-01-05T11:00:30Z", "web", ""),
]
STEPS = ["home", "product", "cart", "purchase"]


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    path = tmp_path / "shop.csv"
    path.write_text(HEADER + "".join(",".join(r) + "\n" for r in ROWS))
    return path


def _read(path: Path, where: Path, **options: Any) -> tuple[EventLog, str, Engine]:
    engine = Engine.connect(EngineConfig())
    log, note = read_logs([path], engine=engine, options=ReadOptions(**options), cache=where)
    assert note is not None
    return log, note, engine


def _notes(path: Path, where: Path, **options: Any) -> str:
    _, note, engine = _read(path, where, **options)
    engine.close()
    return note.split(":")[1].strip().split(" ")[0]  # "kept" or "read"


def test_roles_named_or_found_by_name_share_one_file(shop: Path, tmp_path: Path) -> None:
    """Naming the column a role is found in by its name starts from the same file; naming
    another column reads the log again, and the file is replaced (one per log)."""
    where = tmp_path / "cache"
    assert _notes(shop, where) == "kept"
    assert _notes(shop, where, session="session_id") == "read"
    assert _notes(shop, where, customer="user_id", channel="channel") == "read"
    files = list(where.glob("*.duckdb"))
    assert len(files) == 1
    # a column nobody finds by its name: the log is read again with it, the file replaced
    assert _notes(shop, where, session="visit") == "kept"
    assert _notes(shop, where, session="visit") == "read"
    log, _, engine = _read(shop, where, session="visit")
    try:
        assert log.report.columns.session == "visit"
        got = engine.run(log.table.select("session").distinct())["session"].to_pylist()
        assert sorted(got) == [f"v{i}" for i in range(1, 9)]
    finally:
        engine.close()
    # without --session the file's named column is not the one found by name: read again
    assert _notes(shop, where) == "kept"
    assert _notes(shop, where, value="spend") == "kept"
    assert _notes(shop, where, value="spend") == "read"
    assert len(list(where.glob("*.duckdb"))) == 1


def test_the_sessions_order_is_kept_when_first_asked(shop: Path, tmp_path: Path) -> None:
    """The first command keeps the log prepared per customer only; the first that prepares
    it per session keeps that beside it, and the next starts from both files."""
    from journeymap.events.prepare import prepare

    where = tmp_path / "cache"
    _notes(shop, where)
    assert [p.name.endswith(".session.duckdb") for p in where.iterdir()] == [False]
    log, note, engine = _read(shop, where, session="session_id")
    try:
        assert note.startswith("cache: read from")
        assert prepared(log, per="customer") is not None
        assert prepared(log, per="session") is None  # not ordered per session yet
        prepare(log, per="session")
    finally:
        engine.close()
    assert len(list(where.glob("*.session.duckdb"))) == 1
    log, note, engine = _read(shop, where, session="session_id")
    try:
        kept = prepared(log, per="session")
        assert kept is not None  # from the file: no second ordered pass
        journeys = engine.run(kept.table.select("journey").distinct()).num_rows
        assert journeys == 10  # 9 sessions and u5's event without one
    finally:
        engine.close()
    # a new cache file (another column carried) makes the sessions' file another's: gone
    assert _notes(shop, where, session="session_id", keep=("visit",)) == "kept"
    assert not list(where.glob("*.session.duckdb"))
    log, note, engine = _read(shop, where, session="session_id")
    try:
        assert prepared(log, per="session") is None
    finally:
        engine.close()


def test_a_sessions_file_of_another_cache_file_is_not_used(shop: Path, tmp_path: Path) -> None:
    """The sessions' file names the cache file it was written for (a token): a file of
    the same name from an earlier cache file is not used."""
    import shutil

    from journeymap.events.prepare import prepare

    where = tmp_path / "cache"
    log, _, engine = _read(shop, where, session="session_id")
    try:
        prepare(log, per="session")
    finally:
        engine.close()
    (session_file,) = where.glob("*.session.duckdb")
    shutil.copy(session_file, tmp_path / "old.duckdb")
    shop.touch()  # a new key: the old files are stale and removed on the next write
    _notes(shop, where, session="session_id")
    (main,) = where.glob("*.duckdb")
    shutil.copy(tmp_path / "old.duckdb", main.with_name(main.stem + ".session.duckdb"))
    log, _, engine = _read(shop, where, session="session_id")
    try:
        assert prepared(log, per="session") is None
    finally:
        engine.close()


def _every_analysis(log: EventLog) -> list[Any]:
    per_session = [
        flows(log, per="session"),
        paths(log, per="session", top=None),
        funnel(log, steps=STEPS, per="session"),
    ]
    cut = sessions(log, gap=timedelta(minutes=30), replace_existing=True)
    return [
        flows(log, markers=True),
        paths(log, top=None),
        paths(log, top=2, collapse_loops=True),
        funnel(log, steps=STEPS, within=timedelta(days=10)),
        retention(log, period="week"),
        retention(log, period="month", event="purchase"),
        cohorts(log, period="week"),
        summary(log),
        session_summary(log),
        session_summary(cut),
        flows(cut, per="session"),
        *per_session,
        discover(log).model_dump(mode="json"),
    ]


def _same(got: Any, want: Any) -> None:
    if isinstance(want, dict):  # a discovered map
        assert got == want
        return
    assert got.schema.names == want.schema.names
    g_rows, w_rows = got.to_pylist(), want.to_pylist()
    assert len(g_rows) == len(w_rows)
    for g, w in zip(g_rows, w_rows, strict=True):
        for key in w:
            a, b = g[key], w[key]
            if isinstance(a, float) and isinstance(b, float):
                assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), (key, g, w)
            else:
                assert a == b, (key, g, w)


@pytest.fixture
def shop_parquet(shop: Path, tmp_path: Path) -> Path:
    """The shop as Parquet with typed times: the cache keeps its log as a view of it."""
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    table = pcsv.read_csv(
        shop,
        convert_options=pcsv.ConvertOptions(
            column_types={"timestamp": pa.timestamp("us", "UTC"), "spend": pa.float64()},
            strings_can_be_null=False,
        ),
    )
    path = tmp_path / "shop.parquet"
    pq.write_table(table, path, row_group_size=7)
    return path


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_every_analysis_of_the_cached_log_equals_a_fresh_read(
    kind: str, shop: Path, shop_parquet: Path, tmp_path: Path
) -> None:
    """Through the cache, written and then read, each analysis gives what a fresh read
    gives: from a CSV file (the log copied into the cache) and from Parquet (a view)."""
    import duckdb

    source = shop if kind == "csv" else shop_parquet
    where = tmp_path / "cache"
    with Engine.connect(EngineConfig()) as fresh_engine:
        want = _every_analysis(read_events(source, engine=fresh_engine))
    _notes(source, where, session="session_id")
    (main,) = [p for p in where.glob("*.duckdb") if not p.name.endswith(".session.duckdb")]
    with duckdb.connect(str(main), read_only=True) as con:
        views = [r[0] for r in con.execute("SELECT view_name FROM duckdb_views() "
                                           "WHERE NOT internal").fetchall()]  # fmt: skip
    assert views == (["log"] if kind == "parquet" else [])
    main.unlink()
    for expected_note in ("cache: kept in", "cache: read from"):  # writing it, then from it
        log, note, engine = _read(source, where, session="session_id")
        try:
            assert note.startswith(expected_note)
            got = _every_analysis(log)
        finally:
            engine.close()
        for g, w in zip(got, want, strict=True):
            _same(g, w)


@pytest.mark.slow
@pytest.mark.filterwarnings(
    "ignore:fetch_arrow_table:DeprecationWarning",
    "ignore::DeprecationWarning:pyspark.*",
    "ignore::ResourceWarning",
)
def test_the_cached_log_gives_the_spark_engines_tables(
    shop: Path, tmp_path: Path, spark_engine: Engine
) -> None:
    """The same analyses on Spark (no cache there) give what the cached DuckDB log gives."""
    where = tmp_path / "cache"
    assert _notes(shop, where, session="session_id") == "kept"
    log, note, engine = _read(shop, where, session="session_id")
    try:
        assert note.startswith("cache: read from")
        from_cache = _every_analysis(log)
    finally:
        engine.close()
    on_spark = _every_analysis(read_events(shop, engine=spark_engine))
    for g, w in zip(on_spark, from_cache, strict=True):
        _same(g, w)


def _cli(*args: Any) -> Any:
    result = CliRunner().invoke(app, ["events", *[str(a) for a in args]])
    assert result.exit_code == 0, result.output
    return result


def test_the_issues_commands_share_the_cache_and_print_what_they_print_without(
    shop: Path, tmp_path: Path
) -> None:
    """flows keeps the log; paths per session (naming the session column found by name),
    the funnel and retention start from that file and print what they print without it."""
    where = tmp_path / "cache"
    commands = [
        ["flows"],
        ["paths", "--session", "session_id", "--per", "session", "--top", "20"],
        ["funnel", "--steps", ",".join(STEPS)],
        ["retention", "--period", "week"],
    ]
    for i, command in enumerate(commands):
        plain = _cli(*command, shop, "--format", "json")
        cached = _cli(*command, shop, "--format", "json", "--cache", where)
        assert ("cache: kept in" if i == 0 else "cache: read from") in cached.stderr
        assert json.loads(cached.stdout) == json.loads(plain.stdout)
    # one file of the log, and the sessions' order paths kept beside it
    names = sorted(p.name for p in where.glob("*.duckdb"))
    assert len(names) == 2
    assert names[1] == names[0].removesuffix(".duckdb") + ".session.duckdb"


def test_several_logs_keep_their_roles_in_the_files_name(shop: Path, tmp_path: Path) -> None:
    """Each of several logs finds its columns by name; only the first's are in the file, so
    for several logs the roles named stay part of the key."""
    from journeymap.events import cache

    where = tmp_path / "cache"
    one = [cache.entry(where, [str(shop)], {"session": s}).path for s in (None, "visit")]
    two = [cache.entry(where, [str(shop), str(shop)], {"session": s}).path for s in (None, "visit")]
    assert one[0] == one[1]
    assert two[0] != two[1]


# ---- answers kept ----------------------------------------------------------------------------

ANSWERED = [
    ["flows", "--markers"],
    ["paths", "--session", "session_id", "--per", "session", "--top", "0"],
    ["funnel", "--steps", "home,product|search,cart", "--within", "10d"],
    ["retention", "--period", "week", "--active-event", "purchase"],
    ["retention", "--period", "month", "--cohorts"],
    ["summary"],
    ["flows", "--by", "channel"],
]


def test_an_answer_is_kept_and_read_again_in_any_format(shop: Path, tmp_path: Path) -> None:
    """Each analysis run again on the cache reads the answer the first run kept; written
    as another format it equals that format without a cache; each answer is its own."""
    where = tmp_path / "cache"
    for command in ANSWERED:
        first = _cli(*command, shop, "--format", "csv", "--cache", where)
        assert "cache: the answer read from" not in first.stderr
        again = _cli(*command, shop, "--format", "csv", "--cache", where)
        assert "cache: the answer read from" in again.stderr
        assert again.stdout == first.stdout
        # the read report is said again, as the first run said it
        assert first.stderr.splitlines()[0] == again.stderr.splitlines()[0]
        plain = _cli(*command, shop, "--format", "json")
        recalled = _cli(*command, shop, "--format", "json", "--cache", where)
        assert "cache: the answer read from" in recalled.stderr
        assert json.loads(recalled.stdout) == json.loads(plain.stdout)
    answers = list(where.glob("*.results/*.arrow"))
    assert len(answers) == len(ANSWERED)


def test_an_answer_belongs_to_its_options_filters_and_file(shop: Path, tmp_path: Path) -> None:
    """Other steps, another filter or another reading option compute anew; a changed log
    makes its answers stale (removed with the old cache file); a damaged answer file is
    computed again."""
    where = tmp_path / "cache"
    base = ["funnel", "--steps", "home,cart", shop, "--format", "json", "--cache", where]
    _cli(*base)
    for other in (
        ["funnel", "--steps", "home,purchase", shop, "--format", "json", "--cache", where],
        [*base, "--where", "channel=web"],
        [*base, "--since", "2024-01-03"],
        [*base, "--per", "session", "--session", "session_id"],
    ):
        cached = _cli(*other)
        assert "cache: the answer read from" not in cached.stderr
        plain = _cli(*[a for a in other if a not in ("--cache", where)])
        assert json.loads(cached.stdout) == json.loads(plain.stdout)
        assert "cache: the answer read from" in _cli(*other).stderr
    # a damaged answer: computed again and kept anew
    (answer,) = [p for p in where.glob("*.results/*.arrow") if p.stat().st_size > 0][:1]
    for path in where.glob("*.results/*.arrow"):
        path.write_bytes(b"not arrow")
    again = _cli(*base)
    assert "cache: the answer read from" not in again.stderr
    assert "cache: the answer read from" in _cli(*base).stderr
    # the log changes: its answers are another log's
    with shop.open("a") as f:
        f.write("u6,s10,v9,home,2024-03-01T10:00:00Z,web,\n")
    fresh = _cli(*base)
    assert "cache: kept in" in fresh.stderr
    assert json.loads(fresh.stdout)[0]["customers"] == 6
    assert len(list(where.glob("*.results"))) == 1
    assert answer.parent.name not in [p.name for p in where.iterdir()]


def test_an_answer_is_read_without_starting_the_engine(shop: Path, tmp_path: Path) -> None:
    """A command whose answer is kept loads neither DuckDB nor Ibis: it starts in the
    time of the CLI itself."""
    import subprocess
    import sys

    where = tmp_path / "cache"
    args = ["events", "flows", str(shop), "--format", "csv", "--cache", str(where)]
    _cli(*args[1:])
    probe = (
        "import sys\n"
        "from journeymap.cli import main\n"
        f"sys.argv = ['journeymap', *{args!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in ('duckdb', 'ibis', 'pandas') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert "cache: the answer read from" in done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_no_command_on_a_cached_log_imports_pandas(
    kind: str, shop: Path, shop_parquet: Path, tmp_path: Path
) -> None:
    """pandas is 0.3 s of a command's start, and nothing an events command does needs it:
    building an Arrow column of Python values imports it (pyarrow asks whether it is
    installed), so none is built that way. Each command in turn in one process, the first
    writing the cache, in each format."""
    import subprocess
    import sys

    log = str(shop if kind == "csv" else shop_parquet)
    where = str(tmp_path / "cache")
    commands = [
        ["flows"],
        ["paths", "--session", "session_id", "--per", "session", "--top", "3"],
        ["paths"],
        ["funnel", "--steps", ",".join(STEPS)],
        ["retention", "--period", "week"],
        ["retention", "--period", "week", "--cohorts", "--by", "channel"],
        ["summary"],
        ["sessions", "--session-gap", "30m"],
    ]
    runs = [
        ["events", *c, log, "--cache", where, *fmt]
        for fmt in ([], ["--format", "csv"], ["--format", "json"])
        for c in commands
    ]
    runs.append(["events", "discover", log, "--cache", where, "-o", str(tmp_path / "d.yaml")])
    probe = (
        "import sys\n"
        "from journeymap.cli import main\n"
        f"for args in {runs!r}:\n"
        "    sys.argv = ['journeymap', *args]\n"
        "    try:\n"
        "        main()\n"
        "    except SystemExit as e:\n"
        "        assert not e.code, (args, e.code)\n"
        "    print('PANDAS' if 'pandas' in sys.modules else 'none', *args)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    said = [line for line in done.stdout.splitlines() if line.startswith(("PANDAS", "none"))]
    assert len(said) == len(runs)
    assert [line for line in said if line.startswith("PANDAS")] == []
    assert "cache: kept in" in done.stderr  # the first wrote it
    assert "cache: the answer read from" in done.stderr  # and answers were kept


def test_a_hash_collision_while_the_cache_is_written(
    shop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two customers of one hash (forced: the hash is the name's length) are seen in the
    ordered pass written into the cache file, which is written again with numbered
    customers (and their dictionary); the cached log gives a fresh read's analyses."""
    from journeymap.events import prepare as prepare_module

    with Engine.connect(EngineConfig()) as fresh_engine:
        want = _every_analysis(read_events(shop, engine=fresh_engine))
    monkeypatch.setattr(prepare_module, "_customer_hash", lambda c: c.length().cast("int64"))
    where = tmp_path / "cache"
    for expected_note in ("cache: kept in", "cache: read from"):
        log, note, engine = _read(shop, where, session="session_id")
        try:
            assert note.startswith(expected_note)
            assert log.preparations.hashed is False
            got = _every_analysis(log)
        finally:
            engine.close()
        for g, w in zip(got, want, strict=True):
            _same(g, w)


def test_a_module_changed_in_place_makes_the_cache_anothers(tmp_path: Path) -> None:
    """The code stamp changes when a module of the events, the engine or the events
    command changes (an editable install edited): its old files and answers are not used."""
    import os
    import shutil

    import journeymap
    from journeymap.events.cache import code_stamp

    root = tmp_path / "journeymap"
    shutil.copytree(Path(journeymap.__file__).parent, root)
    before = code_stamp(root)
    assert code_stamp(root) == before
    for module in ("events/funnel.py", "engine/core.py", "cli/events.py"):
        path = root / module
        st = path.stat()
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
        assert code_stamp(root) != before, module
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        assert code_stamp(root) == before
    (root / "rendering" / "charts" / "__init__.py").write_text("# a chart changed")
    assert code_stamp(root) == before  # how an answer is drawn is not part of it


def test_files_half_written_by_a_process_gone_are_removed(shop: Path, tmp_path: Path) -> None:
    """A process killed while writing leaves ``.<name>.<pid>.tmp``: the next cache file
    written removes those of processes that are gone, not those of a live one."""
    import os
    import subprocess
    import sys

    where = tmp_path / "cache"
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    dead = int(gone.stdout)
    orphans = [
        where / f".events-a-b.duckdb.{dead}.tmp",
        where / f".events-a-b.session.duckdb.{dead}.tmp",
    ]
    alive = where / f".events-a-b.duckdb.{os.getpid()}.tmp"
    where.mkdir()
    for path in [*orphans, alive]:
        path.write_text("half")
    _notes(shop, where)
    assert not any(p.exists() for p in orphans)
    assert alive.exists()


def test_a_collision_of_sessions_on_a_cached_log(
    shop: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two sessions of one hash (forced) on a log from the cache: the sessions are
    numbered, as every code then is, the analyses are a fresh read's, and that order is not
    kept (the cache file's customers are coded by their hashes)."""
    from journeymap.events import prepare as prepare_module

    where = tmp_path / "cache"
    _notes(shop, where, session="session_id")
    with Engine.connect(EngineConfig()) as fresh_engine:
        want = _every_analysis(read_events(shop, engine=fresh_engine))
    import ibis.expr.operations as ops

    real = prepare_module._hash63

    def session_length(v: Any) -> Any:  # the session's code is its key's length
        key = isinstance(v.op(), ops.StringConcat) and len(v.op().arg) == 3
        return v.length().cast("int64") if key else real(v)

    monkeypatch.setattr(prepare_module, "_hash63", session_length)
    log, note, engine = _read(shop, where, session="session_id")
    try:
        assert note.startswith("cache: read from")
        got = _every_analysis(log)
        assert log.preparations.hashed is False
    finally:
        engine.close()
    for g, w in zip(got, want, strict=True):
        _same(g, w)
    assert not list(where.glob("*.session.duckdb"))
