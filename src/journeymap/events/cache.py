"""A read and prepared log kept between runs: ``journeymap events ... --cache DIR``.

Reading a big log and ordering every customer's events is most of the time of an ``events``
command (10M events: 1.7 s to read, 3.3 s to order; the analyses after that take about a
second each). With ``--cache DIR``, the first command on a log keeps the result in a DuckDB
file in ``DIR``: the log's table, its prepared (ordered, coded) table, the dictionaries and
the read report. The next command on the same files with the same options opens that file
and starts at the analysis.

A cache file is used only when it is certainly the same log:

* its name is a hash of the journeymap version and a stamp of its code that reads, prepares
  and analyses logs (:func:`code_stamp`: a module changed in place is a new version), the
  cache format, the sources as given, how they are read (every reading option) and, for
  every file they name (globs and folders expanded), its absolute path, size and
  modification time to the nanosecond;
* a file that changes, appears or disappears changes the hash: the old cache file is not
  used, and it is removed when the new one is written (one cache file per set of sources).

The columns of the roles (``--customer``, ``--session``, ``--channel``, ...) are not part of
the hash of one source (they are of several): they are checked against the columns the
file's log was read with. A role named in a command must be the column the file has for it;
a role not named must not have been named by the command that wrote the file (the columns
are then found by name as they were).
So ``paths --session session_id`` uses the file ``flows`` kept when ``session_id`` was found
by its name; a command that names another column reads the log again and replaces the file.

The file holds the log prepared per customer: every analysis per customer starts at its
aggregates. The log prepared per session is kept beside it, in a file of its own
(``....session.duckdb``), by the first command that analyses sessions: ordering sessions
costs as much as ordering customers and most commands never need it. The ordered passes
write their tables straight into the files, and a log that is a view of Parquet files is
kept as that view (benchmarks/ANALYSIS.md has what each choice saves).

**Answers** are kept too: an analysis computed on a cached log keeps its table in the
folder ``....results`` beside the file (Arrow IPC, one file per analysis and options: the
command, its options that change the table, the filters and the reading options; not how
the answer is written out). The same analysis asked again, for instance as a chart after
the table, reads that file without starting the engine.

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
import shutil
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from journeymap.engine.files import local_files
from journeymap.errors import UsageError

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

    from journeymap.engine import Engine
    from journeymap.events.prepare import Per, Prepared
    from journeymap.events.read import EventLog, ReadReport

__all__ = [
    "FORMAT",
    "ROLE_OPTIONS",
    "CacheEntry",
    "Loaded",
    "Recalled",
    "answer_key",
    "code_stamp",
    "entry",
    "load",
    "recall",
    "remember",
    "store",
]

#: the layout of a cache file; a change makes every older cache file unused (2: the
#: lifecycle column; 3: roles outside the key, the log prepared per session, the prepared
#: tables without their derived columns; 4: the sessions' order in a file of its own, when
#: first asked, and the answers kept)
FORMAT = 4
_TABLES = ("log", "prepared", "codes", "customers")
#: the reading options that name the columns of the roles: checked, not hashed
ROLE_OPTIONS = ("customer", "time", "event", "session", "channel", "value", "lifecycle")


@dataclass(frozen=True)
class CacheEntry:
    """Where the cache file of a set of sources read a given way is, or would be."""

    path: Path
    #: the other cache files of the same sources (older versions of them), with their
    #: sessions' files and answers
    stale: tuple[Path, ...]

    @property
    def session_path(self) -> Path:
        """The file of the log prepared per session (written when first asked)."""
        return self.path.with_name(f"{self.path.stem}.session.duckdb")

    @property
    def results(self) -> Path:
        """The folder of the answers kept (:func:`recall`, :func:`remember`)."""
        return self.path.with_name(f"{self.path.stem}.results")


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
        "code": code_stamp(Path(__file__).parent.parent),
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
    ours = f"events-{named}-{key[:24]}"
    path = cache_dir / f"{ours}.duckdb"
    stale = tuple(
        p
        for p in sorted(cache_dir.glob(f"events-{named}-*"))
        if p.name.split(".")[0] != ours and not p.name.startswith(".")
    )
    return CacheEntry(path, stale)


#: the code a cache file's tables and answers come from (in the package's folder)
_CODE = ("events/*.py", "engine/*.py", "cli/events.py")


def code_stamp(root: Path) -> str:
    """A stamp of the code under ``root`` (the package) that reads, prepares and analyses
    logs: each module's name, size and modification time. A journeymap changed in place (an
    editable install, a patched module) makes the cache files of the old code another's, as
    a new version does; 30 files, well under a millisecond."""
    found = []
    for pattern in _CODE:
        for path in sorted(root.glob(pattern)):
            st = path.stat()
            found.append(f"{path.relative_to(root).as_posix()}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(found).encode()).hexdigest()[:16]


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
    from journeymap.events.prepare import adopt, completed, hashed_customers
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
        tables = {
            t: engine.table(t, database=(alias, "main"))
            for t in _TABLES
            if t != "customers" or not meta["hashed"]
        }
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
    if meta["hashed"]:  # coded by their hashes: the dictionary is not kept (hashed_customers)
        tables["customers"] = hashed_customers(log)
    session = _session_table(engine, found, meta["token"]) if log.has_session else None
    adopt(
        log, codes=tables["codes"], customers=tables["customers"],
        customer=completed(tables["prepared"], "customer", sub=sub, derived_next=not sub),
        session=None if session is None else completed(
            session, "session", sub=sub, derived_next=not sub
        ),
        dictionaries=True,
    )  # fmt: skip
    # the sessions are coded as the file's customers were (by their hash, or numbered)
    log.preparations.hashed = meta["hashed"]
    if session is None and log.has_session:
        _SessionFile(found, meta["token"], log).arm(log)
    return Loaded(log, kept)


def _session_table(engine: Engine, found: CacheEntry, token: str) -> ir.Table | None:
    """The log prepared per session, from its file, if that was written for this cache file
    (its token); ``None`` otherwise (it is then prepared, and kept, when first asked)."""
    path = found.session_path
    if not path.is_file():
        return None
    try:
        alias = engine.attach(path, read_only=True)
    except engine.errors:
        return None
    unreadable: tuple[type[Exception], ...] = (*engine.errors, ValueError, KeyError, TypeError)
    try:
        meta = json.loads(
            engine.run(engine.table("meta", database=(alias, "main")))["json"][0].as_py()
        )
        if meta.get("format") == FORMAT and meta.get("token") == token:
            return engine.table("prepared_session", database=(alias, "main"))
    except unreadable:
        pass
    engine.detach(alias)
    return None


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


class _SessionFile:
    """Keeps the log prepared per session beside the cache file ``token`` names, when a
    command first prepares it: the ordered pass writes its table straight into a new file
    (no copy: 2.2 s less at 10M events), which is then renamed and read from. A file that
    cannot be written is no error: the table is kept in the engine, and the next command
    prepares the sessions again."""

    def __init__(self, found: CacheEntry, token: str, log: EventLog) -> None:
        self.found, self.token, self.engine = found, token, log.engine
        #: how the cache file codes customers: a sessions' table coded otherwise (after a
        #: collision of two sessions' hashes, every code is numbered) is not kept
        self.hashed = log.preparations.hashed
        self.tmp = found.session_path.with_name(f".{found.session_path.name}.{os.getpid()}.tmp")
        self.alias: str | None = None
        self.failed: tuple[type[Exception], ...] = (*log.engine.errors, OSError)

    def arm(self, log: EventLog) -> None:
        kept = log.preparations
        kept.place, kept.keeper = self.place, self.keep

    def place(self, expr: ir.Table, per: Per) -> ir.Table:
        engine = self.engine
        if per == "session":
            try:
                if self.alias is None:
                    self.tmp.unlink(missing_ok=True)
                    self.alias = engine.attach(self.tmp)
                return engine.create_table("prepared_session", expr, database=self.alias,
                                           replace=True)  # fmt: skip
            except self.failed:
                self._drop()
        return engine.materialise(expr, prefix="prepared")

    def keep(self, ready: Prepared) -> None:
        from journeymap.events.prepare import Prepared, completed

        if ready.per != "session":
            return
        kept = ready.log.preparations
        kept.place = kept.keeper = None
        if self.alias is None or kept.hashed != self.hashed:
            return  # computed in the engine, or in a file left unnamed (removed later)
        engine, path = self.engine, self.found.session_path
        meta = {"format": FORMAT, "token": self.token}
        try:
            _write_meta(engine, meta, self.alias)
            engine.detach(self.alias)
            self.alias = None
            self.tmp.replace(path)
            alias = engine.attach(path, read_only=True)
        except self.failed:
            if self.alias is not None:
                return  # the table stays where it is, in the file not renamed
            alias = engine.attach(self.tmp, read_only=True)  # detached, not renamed
        sub = ready.log.sub_microsecond
        table = engine.table("prepared_session", database=(alias, "main"))
        kept.per_session = Prepared(
            ready.log, completed(table, "session", sub=sub, derived_next=not sub),
            "session", ready.codes, ready.customers,
        )  # fmt: skip

    def _drop(self) -> None:
        if self.alias is not None:
            with contextlib.suppress(*self.failed):
                self.engine.detach(self.alias)
            self.alias = None
        with contextlib.suppress(OSError):
            self.tmp.unlink(missing_ok=True)


def store(log: EventLog, found: CacheEntry, roles: Mapping[str, str | None] | None = None) -> Path:
    """Keep ``log`` (read, and prepared per customer) in the cache file, with the roles it
    was read with (``roles``: the reading options that name columns); remove the stale
    ones. Written under a temporary name and renamed: a reader never sees half a file. The
    ordered pass writes straight into the file (no copy: 2 s less at 10M events), and the
    log's prepared table is then read from it. With sessions, the first analysis per session
    keeps its order beside the file (:class:`_SessionFile`)."""
    from journeymap.events.prepare import Prepared, completed, prepare

    engine = log.engine
    if engine.kind != "duckdb":
        raise UsageError("--cache works with the DuckDB engine")
    found.path.parent.mkdir(parents=True, exist_ok=True)
    tmp = found.path.with_name(f".{found.path.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    token = uuid.uuid4().hex
    kept = log.preparations
    placed = kept.per_customer is None
    alias = engine.attach(tmp)
    try:
        try:
            if placed:
                kept.place = lambda expr, per: engine.create_table(
                    "prepared", expr, database=alias, replace=True
                )
            try:
                ready = prepare(log, per="customer")
            finally:
                kept.place = None
            _write(log, ready, alias, roles or {}, token, prepared=not placed)
        finally:
            engine.detach(alias)
        tmp.replace(found.path)
    finally:
        tmp.unlink(missing_ok=True)  # left by a failed write
    if placed:  # the prepared table, from the file now (its name while written is gone)
        sub = log.sub_microsecond
        table = engine.table("prepared", database=(engine.attach(found.path, read_only=True),
                                                   "main"))  # fmt: skip
        kept.per_customer = Prepared(
            log, completed(table, "customer", sub=sub, derived_next=not sub), "customer",
            ready.codes, ready.customers,
        )  # fmt: skip
    # the sessions' file of the file replaced is another's; answers stay (same log)
    found.session_path.unlink(missing_ok=True)
    for folder in (found.path.parent, found.results):
        _remove_orphans(folder)
    for old in found.stale:
        with contextlib.suppress(OSError):
            if old.is_dir():
                shutil.rmtree(old)
            else:
                old.unlink()
    if log.has_session and kept.per_session is None:
        _SessionFile(found, token, log).arm(log)
    return found.path


def _remove_orphans(folder: Path) -> None:
    """Remove the files half written by processes that are gone (killed while writing a
    cache file, a sessions' file or an answer): ``.<name>.<pid>.tmp`` in ``folder``."""
    for path in folder.glob(".*.tmp"):
        found = re.fullmatch(r"\..+\.(\d+)\.tmp", path.name)
        if not found or int(found.group(1)) == os.getpid():
            continue
        try:
            os.kill(int(found.group(1)), 0)
        except ProcessLookupError:  # no such process: nobody writes the file
            with contextlib.suppress(OSError):
                path.unlink()
        except OSError:  # a process of another user, or cannot tell: leave it
            continue


def _write(
    log: EventLog,
    customer: Prepared,
    alias: str,
    roles: Mapping[str, str | None],
    token: str,
    *,
    prepared: bool,
) -> None:
    """The log's tables and its read report into the attached database ``alias``; with
    ``prepared``, its prepared table too (else it is there already)."""
    from journeymap.events.prepare import stored

    tables = {"log": log.table, "codes": customer.codes, "customers": customer.customers}
    if prepared:  # the prepared table without what follows from its other columns
        tables["prepared"] = stored(customer)
    # a log that is a view of Parquet files (typed times, nothing to clean) is kept as that
    # view: the files are the cache's key, so they are those it read
    if log.engine.create_view_of_files("log", log.table, database=alias):
        del tables["log"]
    if log.preparations.hashed:  # the customers' hashes: the dictionary is the log's
        del tables["customers"]
    for name, expr in tables.items():
        log.engine.create_table(name, expr, database=alias)
    meta = {
        "format": FORMAT,
        "token": token,
        "hashed": log.preparations.hashed,
        "given": {role: roles.get(role) for role in ROLE_OPTIONS},
        "report": dataclasses.asdict(log.report),
        "sub_microsecond": log.sub_microsecond,
        "event_names": list(log.event_names) if log.event_names is not None else None,
    }
    _write_meta(log.engine, meta, alias)


def _write_meta(engine: Engine, meta: Mapping[str, Any], alias: str) -> None:
    """The table ``meta`` of the attached database ``alias``: ``meta`` as one JSON text."""
    row = engine.from_columns({"json": [json.dumps(meta)]}, {"json": "string"}, prefix="meta")
    try:
        engine.create_table("meta", row, database=alias)
    finally:
        engine.drop(row)


# ---- answers kept --------------------------------------------------------------------------

#: where an answer's lines (what the command said of the log) travel in its file's schema
_LINES = b"journeymap.cache.lines"


class Recalled(NamedTuple):
    """An answer kept by an earlier command: its table, what that command said of the log
    (the read report, what the filters kept) and the file."""

    table: pa.Table
    lines: tuple[str, ...]
    path: Path


def answer_key(what: str, options: Mapping[str, Any]) -> str:
    """The name of an answer: a hash of the analysis (``what``) and every option that
    changes its table (the analysis', the filters, how the log is read)."""
    text = json.dumps({"what": what, "options": options}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def recall(found: CacheEntry, key: str) -> Recalled | None:
    """The answer kept under ``key`` for the log ``found`` is the cache file of, or ``None``
    (none kept, or a file that cannot be read: the answer is computed again)."""
    import pyarrow as pa

    path = found.results / f"{key}.arrow"
    if not path.is_file():
        return None
    try:
        with pa.memory_map(str(path)) as source:
            table = pa.ipc.open_file(source).read_all()
    except (OSError, pa.ArrowInvalid):
        return None
    meta = dict(table.schema.metadata or {})
    lines = tuple(json.loads(meta.pop(_LINES, b"[]")))
    return Recalled(table.replace_schema_metadata(meta or None), lines, path)


def remember(found: CacheEntry, key: str, table: pa.Table, lines: Sequence[str]) -> None:
    """Keep ``table`` (and the ``lines`` said of the log) as the answer ``key``: written
    under a temporary name and renamed; a folder that cannot be written is no error."""
    import pyarrow as pa

    meta = {**(table.schema.metadata or {}), _LINES: json.dumps(list(lines)).encode()}
    table = table.replace_schema_metadata(meta)
    path = found.results / f"{key}.arrow"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        tmp.replace(path)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
