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


def test_the_file_holds_the_log_prepared_per_session(shop: Path, tmp_path: Path) -> None:
    where = tmp_path / "cache"
    _notes(shop, where)
    log, note, engine = _read(shop, where, session="session_id")
    try:
        assert note.startswith("cache: read from")
        kept = prepared(log, per="session")
        assert kept is not None  # from the file: no second ordered pass
        journeys = engine.run(kept.table.select("journey").distinct()).num_rows
        assert journeys == 10  # 9 sessions and u5's event without one
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


def test_every_analysis_of_the_cached_log_equals_a_fresh_read(shop: Path, tmp_path: Path) -> None:
    where = tmp_path / "cache"
    with Engine.connect(EngineConfig()) as fresh_engine:
        want = _every_analysis(read_events(shop, engine=fresh_engine))
    for expected_note in ("cache: kept in", "cache: read from"):  # writing it, then from it
        log, note, engine = _read(shop, where, session="session_id")
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
    assert len(list(where.glob("*.duckdb"))) == 1


def test_several_logs_keep_their_roles_in_the_files_name(shop: Path, tmp_path: Path) -> None:
    """Each of several logs finds its columns by name; only the first's are in the file, so
    for several logs the roles named stay part of the key."""
    from journeymap.events import cache

    where = tmp_path / "cache"
    one = [cache.entry(where, [str(shop)], {"session": s}).path for s in (None, "visit")]
    two = [cache.entry(where, [str(shop), str(shop)], {"session": s}).path for s in (None, "visit")]
    assert one[0] == one[1]
    assert two[0] != two[1]
