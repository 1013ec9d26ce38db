"""A read and prepared log kept between runs: ``journeymap events ... --cache DIR``.

Reading a big log and ordering every customer's events is most of the time of an ``events``
command (10M events: 1.7 s to read, 3.3 s to order; the analyses after that take about a
second each). With ``--cache DIR``, the first command on a log keeps the result in a DuckDB
file in ``DIR``: the log's table, its prepared (ordered, coded) table, the dictionaries and
the read report. The next command on the same files with the same options opens that file
and starts at the analysis.

A cache file is used only when it is certainly the same log:

* its name is a hash of the journeymap version, the cache format, the sources as given, how
  they are read (every reading option) and, for every file they name (globs and folders
  expanded), its absolute path, size and modification time to the nanosecond;
* a file that changes, appears or disappears changes the hash: the old cache file is not
  used, and it is removed when the new one is written (one cache file per set of sources).

The columns of the roles (``--customer``, ``--session``, ``--channel``, ...) are not part of
the hash of one source (they are of several): they are checked against the columns the
file's log was read with. A role named in a command must be the column the file has for it;
a role not named must not have been named by the command that wrote the file (the columns
are then found by name as they were).
So ``paths --session session_id`` uses the file ``flows`` kept when ``session_id`` was found
by its name; a command that names another column reads the log again and replaces the file.

The file holds the log prepared per customer and, when the log has sessions, per session:
every analysis of the log, per customer or per session, starts at its aggregates.

Only the DuckDB engine keeps a cache, and only logs read from files.

Filters (``--where``, ``--since``/``--until``, ``--lifecycle``) and segments (``--by``) are
applied to the log *after* the cache: the cache file holds the whole log, so every filter of
it starts from the same file, and a filtered result is never mistaken for the whole log. A
filter on a column that plays no role needs that column in the log (``keep``). The columns
kept are not part of the key: a cache file carries the columns asked for so far, a command
gets those it asks for, and a command that asks for one the file lacks reads the log again
with all of them and replaces the file.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from journeymap.engine.files import local_files
from journeymap.errors import UsageError

if TYPE_CHECKING:
    from journeymap.engine import Engine
    from journeymap.events.prepare import Prepared
    from journeymap.events.read import EventLog, ReadReport

__all__ = ["FORMAT", "ROLE_OPTIONS", "CacheEntry", "Loaded", "entry", "load", "store"]

#: the layout of a cache file; a change makes every older cache file unused (2: the
#: lifecycle column; 3: roles outside the key, the log prepared per session, the prepared
#: tables without their derived columns)
FORMAT = 3
_TABLES = ("log", "prepared", "codes", "customers")
#: the reading options that name the columns of the roles: checked, not hashed
ROLE_OPTIONS = ("customer", "time", "event", "session", "channel", "value", "lifecycle")


@dataclass(frozen=True)
class CacheEntry:
    """Where the cache file of a set of sources read a given way is, or would be."""

    path: Path
    #: the other cache files of the same sources (older versions of them)
    stale: tuple[Path, ...]


def _files(source: str) -> list[Path]:
    """The files a source names (a ``db.duckdb:table`` names its database file)."""
    from journeymap.events.sources import kind_of

    if kind_of(source) == "duckdb":
        source = re.sub(r":[^:/\\]+$", "", source)
    return local_files(source)


def entry(cache_dir: Path, sources: list[str], options: dict[str, Any]) -> CacheEntry:
    """The cache file for ``sources`` read with ``options`` (every reading option)."""
    from journeymap._version import __version__

    files = []
    for source in sources:
        found = _files(source)
        if not found:
            raise UsageError(f"--cache: {source} names no file to keep a cache of")
        for f in found:
            st = f.stat()
            files.append([str(f.resolve()), st.st_size, st.st_mtime_ns])
    payload = {
        "format": FORMAT,
        "journeymap": __version__,
        "sources": sources,
        # the columns carried are not part of the key: the file holds those asked for so far;
        # nor, for one source, are the columns of the roles: they are checked against the
        # file's (load; several sources are each found by name, checked by the first's only)
        "options": {
            k: v
            for k, v in options.items()
            if k != "keep" and (k not in ROLE_OPTIONS or len(sources) > 1)
        },
        "files": files,
    }
    key = hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
    named = hashlib.sha256(json.dumps(sources).encode()).hexdigest()[:12]
    path = cache_dir / f"events-{named}-{key[:24]}.duckdb"
    stale = tuple(p for p in sorted(cache_dir.glob(f"events-{named}-*.duckdb")) if p != path)
    return CacheEntry(path, stale)


class Loaded(NamedTuple):
    """What :func:`load` found: the log (``None`` when there is none to use) and the columns
    the cache file carries beyond the log's own (``keep``)."""

    log: EventLog | None
    kept: tuple[str, ...] = ()


def load(
    engine: Engine,
    found: CacheEntry,
    keep: Sequence[str] = (),
    roles: Mapping[str, str | None] | None = None,
) -> Loaded:
    """The cached log with the columns ``keep`` names, or no log when there is no cache file
    (or it cannot be read: cut short, from elsewhere, of another layout), when it lacks one
    of them (a column that plays a role in the log is there under its role's name) or when
    its roles' columns are not those ``roles`` name (the reading options of the roles; see
    the module docstring); the log is then read again. The log's table holds its own columns
    and those ``keep`` names, whatever else the file carries."""
    from journeymap.events.prepare import adopt, completed
    from journeymap.events.read import CANONICAL, Columns, EventLog, ReadReport, RejectedRow

    if engine.kind != "duckdb" or not found.path.is_file():
        return Loaded(None)
    unreadable: tuple[type[Exception], ...] = (*engine.errors, ValueError, KeyError, TypeError)
    try:
        alias = engine.attach(found.path, read_only=True)
    except engine.errors:  # not a DuckDB database file
        return Loaded(None)
    try:
        meta = json.loads(
            engine.run(engine.table("meta", database=(alias, "main")))["json"][0].as_py()
        )
        tables = {t: engine.table(t, database=(alias, "main")) for t in _TABLES}
        if meta["per_session"]:
            tables["prepared_session"] = engine.table("prepared_session", database=(alias, "main"))
        r = meta["report"]
        report = ReadReport(
            source=r["source"],
            columns=Columns(**r["columns"]),
            time_parse=r["time_parse"],
            rows_read=r["rows_read"],
            rows_used=r["rows_used"],
            rejected=dict(r["rejected"]),
            examples=tuple(RejectedRow(**e) for e in r["examples"]),
            unreadable_values=r["unreadable_values"],
            default_event=r["default_event"],
        )
        names = meta["event_names"]
        table = tables["log"]
        kept = tuple(c for c in table.columns if c not in CANONICAL)
        playing = {v for v in dataclasses.asdict(report.columns).values() if v}
        if not _same_roles(report, meta["given"], roles or {}):
            engine.detach(alias)  # other columns play the roles: the log is read anew
            return Loaded(None)
        if any(c not in table.columns and c not in playing for c in keep):
            engine.detach(alias)
            return Loaded(None, kept)
        table = table.select([c for c in table.columns if c in CANONICAL or c in keep])
        log = EventLog(
            engine=engine,
            table=table,
            report=report,
            sub_microsecond=meta["sub_microsecond"],
            event_names=tuple(names) if names is not None else None,
        )
    except unreadable:  # a cache file cut short or from elsewhere: read the log again
        engine.detach(alias)
        return Loaded(None)
    sub = log.sub_microsecond
    session = tables.get("prepared_session")
    adopt(
        log, codes=tables["codes"], customers=tables["customers"],
        customer=completed(tables["prepared"], "customer", sub=sub, derived_next=not sub),
        session=None if session is None else completed(
            session, "session", sub=sub, derived_next=not sub
        ),
        dictionaries=True,
    )  # fmt: skip
    return Loaded(log, kept)


def _same_roles(
    report: ReadReport, given: Mapping[str, str | None], asked: Mapping[str, str | None]
) -> bool:
    """Whether reading the log with the roles ``asked`` gives the columns of the file's log,
    read with the roles ``given``: each role asked is the file's column of that role, and
    each role not asked was not given either (then it is found by name as it was)."""
    for role in ROLE_OPTIONS:
        want = asked.get(role)
        if want is None:
            if given.get(role) is not None:
                return False
        elif getattr(report.columns, role) != want:
            return False
    return True


def store(log: EventLog, found: CacheEntry, roles: Mapping[str, str | None] | None = None) -> Path:
    """Keep ``log`` (read, and prepared per customer and, with sessions, per session) in the
    cache file, with the roles it was read with (``roles``: the reading options that name
    columns); remove the stale ones. Written under a temporary name and renamed: a reader
    never sees half a file."""
    from journeymap.events.prepare import prepare

    engine = log.engine
    if engine.kind != "duckdb":
        raise UsageError("--cache works with the DuckDB engine")
    ready = [prepare(log, per="customer")]
    if log.has_session:
        ready.append(prepare(log, per="session"))
    found.path.parent.mkdir(parents=True, exist_ok=True)
    tmp = found.path.with_name(f".{found.path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    alias = engine.attach(tmp)
    try:
        try:
            _write(log, ready, alias, roles or {})
        finally:
            engine.detach(alias)
        tmp.replace(found.path)
    finally:
        tmp.unlink(missing_ok=True)  # left by a failed write
    for old in found.stale:
        with contextlib.suppress(OSError):
            old.unlink()
    return found.path


def _write(
    log: EventLog, ready: list[Prepared], alias: str, roles: Mapping[str, str | None]
) -> None:
    """The log's tables and its read report into the attached database ``alias``."""
    import pyarrow as pa

    from journeymap.events.prepare import stored

    customer = ready[0]
    # the prepared tables without what follows from their other columns (prepare.stored)
    tables = {"log": log.table, "prepared": stored(customer), "codes": customer.codes,
              "customers": customer.customers}  # fmt: skip
    for more in ready[1:]:
        tables[f"prepared_{more.per}"] = stored(more)
    for name, expr in tables.items():
        log.engine.create_table(name, expr, database=alias)
    meta = {
        "format": FORMAT,
        "given": {role: roles.get(role) for role in ROLE_OPTIONS},
        "per_session": len(ready) > 1,
        "report": dataclasses.asdict(log.report),
        "sub_microsecond": log.sub_microsecond,
        "event_names": list(log.event_names) if log.event_names is not None else None,
    }
    log.engine.create_table("meta", pa.table({"json": [json.dumps(meta)]}), database=alias)
