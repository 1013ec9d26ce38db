"""Several logs read as one, through a cache (journeymap.events.logs), and the prepared
tables a log keeps (journeymap.events.prepare.Preparations)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from journeymap.engine import Engine
from journeymap.errors import UsageError
from journeymap.events.logs import ReadOptions, merge, read_logs
from journeymap.events.prepare import prepare, prepared
from journeymap.events.read import read_events
from journeymap.events.sessions import sessions

Write = Callable[..., Path]

HEADER = "user_id,event,timestamp\n"


def test_several_logs_are_one(write: Write, engine: Engine) -> None:
    a = write("a.csv", HEADER + "u1,home,2024-01-01T10:00:00Z\nu1,buy,2024-01-01T10:00:00Z\n")
    b = write("b.csv", HEADER + "u1,home,2024-01-01T10:00:00Z\n,x,2024-01-02\n")
    log, note = read_logs([a, b], engine=engine)
    assert note is None
    assert (log.report.rows_read, log.report.rows_used, log.report.rejected) == (
        4, 3, {"no customer": 1},
    )  # fmt: skip
    assert log.report.source == f"{a}, {b}"
    assert log.event_names == ("buy", "home")
    ordered = engine.run(log.table.order_by("seq")).column("event").to_pylist()
    assert ordered == ["home", "buy", "home"]  # ties: the first log's rows first


def test_logs_that_cannot_be_one(write: Write, engine: Engine) -> None:
    a = read_events(write("a.csv", HEADER + "u1,home,2024-01-01\n"), engine=engine)
    b = read_events(
        write("b.csv", "user_id,event,timestamp,channel\nu1,a,2024-01-01,web\n"), engine=engine
    )
    with pytest.raises(UsageError, match="they cannot be one log"):
        merge([a, b])
    with pytest.raises(UsageError, match="128 logs: give at most 127"):
        merge([a] * 128)


def test_reading_options_say_what_the_log_is(write: Write, engine: Engine) -> None:
    path = write("o.csv", "who;when;what\nc1;01/02/2024 10:00;buy\n")
    options = ReadOptions(customer="who", time="when", event="what", delimiter=";",
                          time_format="%d/%m/%Y %H:%M")  # fmt: skip
    log, _ = read_logs([path], engine=engine, options=options)
    assert log.report.columns.customer == "who"
    assert engine.run(log.table).column("ts").to_pylist()[0].month == 2


def test_a_cache_in_a_folder_whose_name_holds_a_quote(write: Write, tmp_path: Path) -> None:
    """The cache file is attached with its path bound: a quote in it is only a character."""
    path = write("e.csv", HEADER + "u1,home,2024-01-01\nu1,buy,2024-01-02\nu2,home,2024-01-03\n")
    where = tmp_path / "it's the cache"
    with Engine.connect() as engine:
        first, kept = read_logs([path], engine=engine, cache=where)
        want = engine.run(first.table.order_by("seq"))
    assert kept is not None and kept.startswith("cache: kept in ")
    with Engine.connect() as engine:
        second, note = read_logs([path], engine=engine, cache=where)
        assert note == f"cache: read from {next(where.glob('*.duckdb'))}"
        assert prepared(second) is not None  # ordered once, kept in the file
        assert engine.run(second.table.order_by("seq")).equals(want)
        assert second.report == first.report


def test_a_copy_of_a_log_starts_unprepared(write: Write, engine: Engine) -> None:
    log = read_events(write("e.csv", HEADER + "u1,a,2024-01-01\nu1,b,2024-01-02\n"), engine=engine)
    ready = prepare(log)
    assert prepared(log) is ready
    assert log.preparations.hashed is True  # DuckDB codes customers by their hash
    copy = dataclasses.replace(log, table=log.table.filter(log.table.event == "a"))
    assert prepared(copy) is None
    assert prepare(copy).log is copy
    cut = sessions(log, gap=timedelta(hours=1))
    per_session = prepared(cut, per="session")
    assert per_session is not None and per_session.log is cut  # made with the sessions
    assert prepared(log, per="session") is None
