"""Reading one or several event logs as one, through a cache when asked.

:func:`read_logs` is what ``journeymap events ...`` and ``journeymap measure`` call: each
source is read with :func:`journeymap.events.read.read_events` and the same
:class:`ReadOptions`; several sources become one log (:func:`merge`); with a cache folder,
a log read and ordered before is opened from its cache file instead
(:mod:`journeymap.events.cache`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from journeymap.engine.times import TimeUnit
from journeymap.errors import UsageError

if TYPE_CHECKING:
    from journeymap.engine import Engine
    from journeymap.events.read import EventLog
    from journeymap.events.sources import Progress

__all__ = ["MAX_LOGS", "LogsRead", "ReadOptions", "check_cache", "merge", "read_logs"]

#: the most logs read as one (their positions are offset by multiples of :data:`_STRIDE`)
MAX_LOGS = 127
#: several logs are one: the n-th log's positions are offset by n times this
_STRIDE = 2**56


@dataclass(frozen=True)
class ReadOptions:
    """How to read an event log: the keyword arguments of :func:`read_events` that say what
    the log is (not where it is computed). Every field is part of a cache file's key."""

    customer: str | None = None
    time: str | None = None
    event: str | None = None
    default_event: str | None = None
    session: str | None = None
    channel: str | None = None
    value: str | None = None
    lifecycle: str | None = None
    time_format: str | None = None
    time_unit: TimeUnit | None = None
    delimiter: str | None = None
    encoding: str | None = None
    strict: bool = False
    #: other columns to carry into the log (``read_events(keep=...)``): those a filter or a
    #: segment names
    keep: tuple[str, ...] = ()


def check_cache(kind: str, cache: Path | None) -> None:
    """Raise :class:`UsageError` for a cache on an engine other than DuckDB: callable before
    the engine is started (a Spark session takes seconds to start for nothing)."""
    if cache is not None and kind != "duckdb":
        raise UsageError(
            "--cache (or JOURNEYMAP_CACHE) works with the DuckDB engine; "
            "unset it for --engine spark"
        )


class LogsRead(NamedTuple):
    """What :func:`read_logs` gives: the log, and a line saying whether it came from the
    cache or was kept in it (``None`` without a cache)."""

    log: EventLog
    cache_note: str | None


def read_logs(
    sources: Sequence[str | Path],
    *,
    engine: Engine,
    options: ReadOptions | None = None,
    cache: Path | None = None,
    progress: Progress | None = None,
) -> LogsRead:
    """Read ``sources`` as one log on ``engine``, each the way ``options`` says.

    With ``cache`` (a folder, DuckDB only), the log is opened from its cache file when that
    holds these files read this way; else it is read, ordered and kept there for the next
    time. Raises :class:`UsageError` for logs that cannot be one (other columns, too many)
    and for a cache on Spark.
    """
    options = options or ReadOptions()
    names = [str(s) for s in sources]
    if cache is None:
        return LogsRead(_read_all(names, engine, options, progress), None)
    from journeymap.events import cache as caches

    check_cache(engine.kind, cache)
    found = caches.entry(cache, names, dataclasses.asdict(options))
    roles = {role: getattr(options, role) for role in caches.ROLE_OPTIONS}
    loaded = caches.load(engine, found, options.keep, roles)
    if loaded.log is not None:
        return LogsRead(loaded.log, f"cache: read from {found.path}")
    wanted = options.keep
    if loaded.kept:  # the file lacks a column: read with it and with those it carries
        options = dataclasses.replace(options, keep=tuple(sorted({*loaded.kept, *wanted})))
    log = _read_all(names, engine, options, progress)
    if progress is not None:
        progress("ordering and keeping the log")
    path = caches.store(log, found, roles)
    if options.keep != wanted:
        log = _only(log, wanted)
    return LogsRead(log, f"cache: kept in {path} (the next command on these files starts from it)")


def _only(log: EventLog, keep: Sequence[str]) -> EventLog:
    """The log with its own columns and those ``keep`` names, its ordered pass kept (the
    prepared tables hold no other column)."""
    from journeymap.events.read import CANONICAL

    t = log.table
    only = dataclasses.replace(
        log, table=t.select([c for c in t.columns if c in CANONICAL or c in keep])
    )
    only.preparations = log.preparations
    return only


def _read_all(
    sources: list[str], engine: Engine, options: ReadOptions, progress: Progress | None
) -> EventLog:
    from journeymap.events.read import read_events

    logs = [
        read_events(source, engine=engine, progress=progress, **dataclasses.asdict(options))
        for source in sources
    ]
    return logs[0] if len(logs) == 1 else merge(logs)


def merge(logs: Sequence[EventLog]) -> EventLog:
    """Several logs of one engine, with the same columns, as one: the rows of each in turn
    (positions offset so that the first log's rows come first), the read reports added up
    (the first five examples kept), the event names together."""
    from journeymap.events.read import EventLog

    if len(logs) > MAX_LOGS:
        raise UsageError(f"{len(logs)} logs: give at most 127, or a folder or a quoted glob")
    first = logs[0]
    columns = first.table.columns
    for log in logs[1:]:
        if log.table.columns != columns:
            raise UsageError(
                f"{log.report.source} has the columns {', '.join(log.table.columns)}, "
                f"{first.report.source} has {', '.join(columns)}: they cannot be one log"
            )
    table = first.table
    for i, log in enumerate(logs[1:], 1):
        table = table.union(log.table.mutate(seq=log.table.seq + i * _STRIDE))
    reports = [log.report for log in logs]
    rejected: dict[str, int] = {}
    for r in reports:
        for reason, n in r.rejected.items():
            rejected[reason] = rejected.get(reason, 0) + n
    report = dataclasses.replace(
        reports[0],
        source=", ".join(r.source for r in reports),
        rows_read=sum(r.rows_read for r in reports),
        rows_used=sum(r.rows_used for r in reports),
        rejected=rejected,
        examples=tuple(e for r in reports for e in r.examples)[:5],
        unreadable_values=sum(r.unreadable_values for r in reports),
    )
    known = [log.event_names for log in logs]
    names = None if None in known else tuple(sorted({n for ns in known if ns for n in ns}))
    return EventLog(
        engine=first.engine,
        table=table,
        report=report,
        sub_microsecond=any(log.sub_microsecond for log in logs),
        event_names=names,
    )
