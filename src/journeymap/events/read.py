"""Reading event logs into the engine: sources, column roles, timestamps, rejected rows.

An event log is any table with, per row, a customer, a time and an event. :func:`read_events`
reads it from CSV (gzip too), whitespace-separated text, Parquet (a file, a folder or a glob),
JSON Lines, XES, a table in a DuckDB database (``file.duckdb:table``) or an Ibis table, finds
the columns that play each role by their names (:mod:`journeymap.events.roles`) or takes
them from the caller, parses times, and keeps the input order (``seq``) so that ties in time
keep the order of the file.

Rows that cannot be used (no customer, no event, no time, a time that cannot be read, a text
line with the wrong number of fields) are counted and reported with examples naming the file,
row, column and value; ``strict=True`` makes them an error. Nothing is dropped silently:
``rows_read == rows_used + sum(rejected.values())``; each rejected row is counted once, under
its first reason in the order of :data:`REASONS`.

The result, :class:`EventLog`, holds the canonical table:

=========  ==========  ===================================================================
column     type        meaning
=========  ==========  ===================================================================
customer   string      who (customer, user, case)
event      string      what happened
ts         timestamp   when, UTC, microseconds
ts_sub     int64       sub-microsecond part in ns (ns epochs and ns timestamps, else 0)
seq        int64       input order: increases with the position in the input (see below)
session    string      optional: a session id given by the data
channel    string      optional
value      float64     optional: revenue or another amount
lifecycle  string      optional: the lifecycle transition (XES ``lifecycle:transition``:
                       start, complete, ...), as written
=========  ==========  ===================================================================

Sources
-------
The format comes from the name (``.csv .tsv .txt .tab .parquet .pq .jsonl .ndjson .json .xes``,
each optionally ``.gz``), a folder is Parquet, and a name without a known suffix is recognised
by its first bytes. Compression is recognised by the magic bytes, whatever the name.

Files, compression, encodings and delimiters follow the rules of the file toolkit
(:mod:`journeymap.engine.files`), the same for feedback and table import. Text is in the
encoding given (any Python knows), else the one its byte-order mark says, else UTF-8; bytes
that are not text in it are an error naming the byte, never replaced. DuckDB reads UTF-8,
UTF-16 and latin-1 itself; a file in another encoding is converted to UTF-8 first (one
file, not a folder or glob of them).

CSV: the delimiter is read from the header line (``,`` ``;`` tab ``|``; the most frequent
outside quotes) unless given; quotes are ``"`` (doubled inside a field), so quoted fields may
hold delimiters and newlines. Every field is read as text; the roles are parsed afterwards,
so one bad value rejects one row, not the file. A row with more or fewer fields than the
header makes the file unreadable: the error names its line.

Whitespace-separated text (``delimiter="whitespace"``), e.g. ``" 00001 19970101  1   11.77"``:
fields are separated by runs of spaces or tabs, leading and trailing ones ignored, the first
line is the header, no quoting. It is chosen automatically for a file whose header has no
``, ; | tab`` but two or more fields, and most of whose first 50 lines have as many, with no
quote among them. A line with another number of fields is a rejected row.

JSON Lines: one object a line (a file that starts with ``[`` is one JSON array of objects),
read as UTF-8 (a file in another encoding is converted first); types are inferred from the
whole file (so a value of another type late in the file cannot break the read) and values of
mixed types are read as text.

XES: converted to Parquet first, streamed (see :mod:`journeymap.events.xes`); the trace's
``concept:name`` is ``case:concept:name``, the customer.

Times: native timestamps and dates are taken as they are (nanoseconds kept in ``ts_sub``);
text as ISO 8601 (an offset is converted to UTC, none means UTC) or one of a few unambiguous
variants (``2015-02-24 11:35:52 -0800``, RFC 2822, ...); numbers as epochs in s, ms, µs or ns
told by their magnitude (or ``time_unit``), or as YYYYMMDD dates when most look like one; or
a strptime ``time_format``. The kind is decided on the first 2,000 values, by majority, so one
odd value is one rejected row and does not change how the column is read.

On the Spark engine the same rules hold, with three differences: compression is told by the
file name (a compressed file named as plain text is refused with a message), rows of a folder
or glob are located by their position across all files, and whitespace text does not count
its blank lines.

Row numbers
-----------
``RejectedRow.row`` is what an editor shows, so that ``FILE:ROW`` can be opened:

- CSV: the line where the record starts, counting the header as line 1 (a record whose
  quoted field spans lines moves the following records down, as in the editor); blank lines
  count as lines but are not rows;
- whitespace text and JSON Lines: the line of the row;
- XES: the line of the ``<event>`` element (in the uncompressed text);
- Parquet, DuckDB tables and Ibis tables: the 1-based row number;
- a folder or glob of files: the file that holds the row, and the line or row within it.

Input order
-----------
``seq`` follows the input: file order (the files of a folder or glob sorted by path, as DuckDB
lists them), then row order within a file (for XES: trace order, then event order). Only its
order matters; it is not always dense:

- Parquet (and XES, read through Parquet): the row's number in its file, from 1, which
  DuckDB's reader gives while reading in parallel (``file_row_number``); for a folder or
  glob, plus the file's rank (from 1) times ``FILE_STRIDE`` (2**40); Spark numbers the same
  way (``Engine.numberrows(per_file=True)``);
- everything else: ``row_number() over ()`` over the scan, from 1. DuckDB plans it as a
  *streaming window*, an operator with fixed order preservation, so the scan that feeds it
  runs in source order whatever ``preserve_insertion_order`` and the number of threads are
  (a test reads 400k tied rows of CSV with 4 threads, and tied Parquet row groups across
  files). The price is that this scan runs on one thread, so text is parsed once and kept
  in the engine. Whitespace text keeps the numbers of its blank lines, which are not rows.

An Ibis table keeps the order its backend scans it in: insertion order for DuckDB tables and
memtables; a backend without an order (PostgreSQL, Spark over many files) gives ties an
arbitrary order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journeymap._numbers import count
from journeymap.engine import Engine, EngineConfig
from journeymap.engine.reading import EXAMPLES, missing_column, pick_examples, rows
from journeymap.engine.times import TimeUnit, time_exprs
from journeymap.errors import EvidenceError
from journeymap.events.prepare import Preparations
from journeymap.events.roles import ROLE_NAMES, Columns, Role, detect_roles
from journeymap.events.sources import (
    FILE,
    HIDDEN,
    LINE,
    SEQ,
    TEXT,
    Progress,
    Source,
    backend_errors,
    kind_of,
    locate,
    open_source,
    with_seq,
)

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from journeymap.events.subset import Kept

__all__ = [
    "CANONICAL",
    "REASONS",
    "ROLE_NAMES",
    "Columns",
    "EventLog",
    "Progress",
    "ReadReport",
    "RejectedRow",
    "TimeUnit",
    "read_events",
]

#: the columns of a log's table, in order (the optional ones when it has them); the columns
#: carried with ``keep`` come after them
CANONICAL: tuple[str, ...] = (
    "customer", "event", "ts", "ts_sub", "seq", "session", "channel", "value", "lifecycle",
)  # fmt: skip

#: Why a row cannot be used, in the order rows are checked (a row counts under its first).
REASONS: tuple[str, ...] = (
    "the wrong number of fields",
    "no customer",
    "no event",
    "no time",
    "a time that cannot be read",
)


@dataclass(frozen=True)
class RejectedRow:
    """One row that could not be used, located in its source (see *Row numbers*).

    ``reason`` is one of :data:`REASONS`; ``value`` is the time that cannot be read (or, for a
    line with the wrong number of fields, the line); ``column`` is the column of the role that
    is missing (for the wrong number of fields: what is wrong, "3 fields where the header has
    4").
    """

    file: str
    row: int
    column: str
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.row}"
        if self.reason == "a time that cannot be read":
            return f'{where}: column "{self.column}": cannot read "{self.value}" as a time'
        if self.reason == "the wrong number of fields":
            return f"{where}: {self.column}: {self.value!r}"
        return f'{where}: column "{self.column}": {self.reason} (the value is empty)'


@dataclass(frozen=True)
class ReadReport:
    """What reading a log did: rows read, used, rejected (with reasons and examples)."""

    source: str
    columns: Columns
    time_parse: str
    rows_read: int
    rows_used: int
    #: rows left out, by reason (the keys are :data:`REASONS`); they add up to rows_rejected
    rejected: dict[str, int] = field(default_factory=dict)
    examples: tuple[RejectedRow, ...] = ()
    #: used rows whose value (``columns.value``) is not a number: kept, with no value
    unreadable_values: int = 0
    default_event: str | None = None

    @property
    def rows_rejected(self) -> int:
        return self.rows_read - self.rows_used

    def lines(self) -> list[str]:
        event = (
            repr(self.columns.event)
            if self.columns.event is not None
            else f"(every row {self.default_event!r})"
        )
        out = [
            f"{self.source}: {rows(self.rows_read)} read, {count(self.rows_used)} used, "
            f"{count(self.rows_rejected)} rejected",
            f"columns: customer={self.columns.customer!r} time={self.columns.time!r} "
            f"({self.time_parse}) event={event}"
            + "".join(
                f" {role}={getattr(self.columns, role)!r}"
                for role in ("session", "channel", "value", "lifecycle")
                if getattr(self.columns, role)
            ),
        ]
        out += [f"rejected: {rows(n)} with {reason}" for reason, n in self.rejected.items() if n]
        out += [f"  e.g. {ex}" for ex in self.examples]
        if self.unreadable_values:
            out.append(
                f"value: {rows(self.unreadable_values)} with a {self.columns.value!r} that is "
                "not a number (kept, without a value)"
            )
        return out


@dataclass
class EventLog:
    """An event log in the engine, in canonical columns, with how it was read."""

    engine: Engine
    table: ir.Table
    report: ReadReport
    #: whether ``ts_sub`` can be other than 0 (nanosecond sources); when not, the ordered
    #: pass leaves it out of the sort
    sub_microsecond: bool = True
    #: the event names of the rows used, sorted, when the reader counted them (else None)
    event_names: tuple[str, ...] | None = None
    #: what filters kept of the log as read (:func:`journeymap.events.subset.subset`);
    #: ``None``: every event used
    subset: Kept | None = None
    #: the log ordered once for every analysis (:mod:`journeymap.events.prepare` writes it);
    #: a copy made with ``dataclasses.replace`` starts without
    preparations: Preparations = field(
        default_factory=Preparations, init=False, repr=False, compare=False
    )

    @property
    def has_session(self) -> bool:
        return "session" in self.table.columns

    @property
    def has_lifecycle(self) -> bool:
        return "lifecycle" in self.table.columns

    @property
    def size(self) -> int:
        """Events in the log: those the filters kept, else the rows used (what the
        analyses plan their memory with)."""
        return self.subset.events if self.subset is not None else self.report.rows_used


# ---- reading ---------------------------------------------------------------------------------


def _engine_of(table: ir.Table) -> Engine:
    """The engine of an Ibis table's backend; ours (DuckDB, UTC) for a bare memtable."""
    from ibis.common.exceptions import IbisError

    try:
        return Engine.wrap(table._find_backend())
    except IbisError:  # a memtable belongs to no backend until it is run
        return Engine.connect(EngineConfig())


def _quiet(_stage: str) -> None:
    """The default progress hook: say nothing."""


def read_events(
    source: str | Path | ir.Table,
    *,
    engine: Engine | None = None,
    customer: str | None = None,
    time: str | None = None,
    event: str | None = None,
    session: str | None = None,
    channel: str | None = None,
    value: str | None = None,
    lifecycle: str | None = None,
    default_event: str | None = None,
    time_format: str | None = None,
    time_unit: TimeUnit | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    strict: bool = False,
    name: str | None = None,
    progress: Progress | None = None,
    keep: Sequence[str] = (),
) -> EventLog:
    """Read an event log. Column roles are detected from names unless given.

    ``source`` is a path (CSV, whitespace-separated text, Parquet file/folder/glob, JSON Lines,
    XES, ``db.duckdb:table``) or an Ibis table. ``default_event`` names the event of every row
    of a log without an event column (e.g. ``"purchase"`` for an orders file). ``time_format``
    is a strptime format (``"%d/%m/%Y %H:%M"``); ``time_unit`` the unit of epoch numbers
    (otherwise told by their magnitude). ``delimiter`` is a character, ``"tab"`` or
    ``"whitespace"``; ``encoding`` the text encoding of CSV and JSON Lines (any name Python
    knows: utf-8, utf-16, latin-1, cp1252, ...; default: by byte-order mark, else UTF-8; see
    :mod:`journeymap.engine.files`). ``name`` is how the source
    is called in messages. ``progress`` is called with the stage of the read ("reading",
    "parsing times", "checking rows", ...); nothing is printed otherwise. ``keep`` names
    other input columns to carry into the log's table as text, trimmed (e.g. a ``plan``
    column that a touchpoint's ``where:`` condition reads). ``lifecycle`` names the column of
    the lifecycle transition (found by name otherwise: ``lifecycle:transition``,
    ``lifecycle``, ``transition``); the log keeps it as ``lifecycle``.

    Raises :class:`EvidenceError` when the log cannot be used, and, with ``strict``, when any
    row cannot be used.
    """
    import ibis.expr.types as ir

    say = progress or _quiet
    say("reading")
    created = engine is None
    if isinstance(source, ir.Table):
        engine = engine or _engine_of(source)
    else:
        kind = kind_of(str(source))
        engine = engine or Engine.connect(EngineConfig())
    try:
        if isinstance(source, ir.Table):
            src = Source(with_seq(engine, source), "ibis", name or "<table>")
        else:
            src = open_source(
                engine, str(source), kind, label=name or str(source), delimiter=delimiter,
                encoding=encoding, progress=say,
            )  # fmt: skip
        given: dict[Role, str | None] = {
            "customer": customer, "time": time, "event": event,
            "session": session, "channel": channel, "value": value, "lifecycle": lifecycle,
        }  # fmt: skip
        return _read(
            engine, src, given, default_event=default_event, time_format=time_format,
            time_unit=time_unit, strict=strict, say=say, keep=tuple(keep),
        )  # fmt: skip
    except BaseException:
        if created:  # ours: do not leave it open (an engine given or wrapped stays open)
            engine.close()
        raise


def _read(
    engine: Engine,
    src: Source,
    given: dict[Role, str | None],
    *,
    default_event: str | None,
    time_format: str | None,
    time_unit: TimeUnit | None,
    strict: bool,
    say: Progress,
    keep: tuple[str, ...] = (),
) -> EventLog:
    """Roles, times and rejected rows of an opened source."""
    visible = [c for c in src.table.columns if not c.startswith(HIDDEN)]
    cols = detect_roles(visible, given, src.label, default_event=default_event)
    _check_keep(keep, visible, src.label)
    say("parsing times")
    staged = _stage(
        engine, src, cols, default_event=default_event, time_format=time_format,
        time_unit=time_unit, keep=keep,
    )  # fmt: skip
    say("checking rows")
    counted = _count(engine, src, cols, staged)
    examples: list[RejectedRow] = []
    if counted.rejected:
        say("locating rejected rows")
        with backend_errors(engine, src.label, src.kind, source=src):
            examples = _examples(src, engine, counted.table, cols, counted.rejected)
    report = ReadReport(
        src.label, cols, staged.how, counted.rows_read, counted.rows_used, counted.rejected,
        tuple(examples), counted.bad_values, default_event,
    )  # fmt: skip
    _refuse_unusable(report, strict=strict, time_format=time_format)
    return EventLog(
        engine=engine,
        table=_used_rows(src.table, cols, staged, counted),
        report=report,
        sub_microsecond=staged.sub_microsecond,
        event_names=counted.names,
    )


def _check_keep(keep: tuple[str, ...], visible: list[str], label: str) -> None:
    """The other columns to carry must exist and must not be named like the log's own."""
    canonical = set(CANONICAL)
    for col in keep:
        if col not in visible:
            raise EvidenceError(missing_column(label, col, visible, wanted="to keep"))
        if col in canonical:
            raise EvidenceError(
                f"{label}: cannot keep the column {col!r}: the log's own column of that name "
                "would be replaced; rename it in the source"
            )


@dataclass(frozen=True)
class _Staged:
    """A source with its values cleaned (``clean``: layer 1) and every row checked
    (``table``: the canonical columns, ``__jm_reason``, ``__jm_value`` and the hidden
    columns that locate a rejected row)."""

    clean: dict[str, Any]
    table: ir.Table
    #: how the times were read (for the report)
    how: str
    #: whether the time column is typed (a timestamp, a date or a number), not text
    typed_time: bool
    #: whether ``ts_sub`` can be other than 0
    sub_microsecond: bool


def _times(
    engine: Engine, src: Source, cols: Columns, *, time_format: str | None,
    time_unit: TimeUnit | None,
) -> tuple[ir.TimestampValue, ir.IntegerValue, str]:  # fmt: skip
    """(time, sub-µs ns, how they are read) of the time column; text is told by a sample."""
    base = src.table
    raw_type = base[cols.time].type()
    sample: list[Any] = []
    if not (raw_type.is_timestamp() or raw_type.is_date()):  # native times need no sample
        with backend_errors(engine, src.label, src.kind, source=src):
            present = base.filter(base[cols.time].notnull())
            sample = engine.run(present.select(t=base[cols.time]).limit(2000))["t"].to_pylist()
    return time_exprs(
        base[cols.time], sample, time_format=time_format, time_unit=time_unit,
        engine_kind=engine.kind,
    )  # fmt: skip


def _stage(
    engine: Engine,
    src: Source,
    cols: Columns,
    *,
    default_event: str | None,
    time_format: str | None,
    time_unit: TimeUnit | None,
    keep: tuple[str, ...],
) -> _Staged:
    """The source cleaned and checked, in two layers: the values are cleaned once (layer
    1), the checks read the clean columns (layer 2); written as one, every check repeats
    the cleaning of the value it tests."""
    import ibis
    import ibis.expr.operations as ops

    base = src.table
    ts, ts_sub, how = _times(engine, src, cols, time_format=time_format, time_unit=time_unit)
    time_type = base[cols.time].type()
    typed_time = time_type.is_timestamp() or time_type.is_date() or time_type.is_numeric()
    clean = _cleaned(src, cols, ts, ts_sub, default_event=default_event, keep=keep)
    if typed_time:
        # a typed time is missing only when NULL: no text round trip for 10M values (a
        # timestamp formatted as text costs more than the rest of the read together)
        clean["__jm_notime"] = base[cols.time].isnull()
    else:
        raw_text = base[cols.time].cast("string")
        clean["__jm_notime"] = raw_text.isnull() | (raw_text.strip() == "")
    c = base.select(**clean)
    checks: list[tuple[ir.BooleanValue, str]] = [
        (c.customer.isnull(), "no customer"),
        (c.event.isnull(), "no event"),
        (c["__jm_notime"], "no time"),
        (c.ts.isnull(), "a time that cannot be read"),
    ]
    shown = c["__jm_rawtime"].cast("string")
    if "__jm_fieldsok" in c.columns:
        checks.insert(0, (~c["__jm_fieldsok"], "the wrong number of fields"))
        shown = ibis.cases((~c["__jm_fieldsok"], c["__jm_line"].strip()), else_=shown)
    reason = ibis.cases(*checks, else_=ibis.null("string"))
    fields: dict[str, Any] = {
        k: c[k] for k in (*CANONICAL, *keep) if k in c.columns
    }  # fmt: skip
    if "__jm_valuetext" in c.columns:
        fields["value"] = c["__jm_valuetext"].try_cast("float64")
        fields["__jm_badvalue"] = c["__jm_valuetext"].notnull() & fields["value"].isnull()
    fields["__jm_reason"] = reason
    fields["__jm_value"] = ibis.cases((reason.notnull(), shown), else_=ibis.null("string"))
    for hidden in (FILE, LINE):
        if hidden in c.columns:
            fields[hidden] = ibis.cases((reason.notnull(), c[hidden]), else_=ibis.null())
    sub = not isinstance(ts_sub.op(), ops.Literal)
    return _Staged(clean, c.select(**fields), how, typed_time, sub)


def _cleaned(
    src: Source,
    cols: Columns,
    ts: ir.TimestampValue,
    ts_sub: ir.IntegerValue,
    *,
    default_event: str | None,
    keep: tuple[str, ...],
) -> dict[str, Any]:
    """Layer 1: every column the log keeps, cleaned once (text trimmed, empty -> missing;
    see :func:`_clean`), and the raw values the checks and the examples need."""
    import ibis

    base = src.table

    def text(col: str) -> ir.StringValue:
        return _clean(base[col].cast("string"))

    clean: dict[str, Any] = {
        "customer": text(cols.customer),
        "event": text(cols.event) if cols.event else ibis.literal(default_event, type="string"),
        "ts": ts,
        "ts_sub": ts_sub.cast("int64"),
        "seq": base[SEQ],
    }
    for role in ("session", "channel", "lifecycle"):
        col = getattr(cols, role)
        if col:
            clean[role] = text(col)
    for col in keep:
        clean[col] = text(col)
    if cols.value and base[cols.value].type().is_numeric():
        clean["value"] = base[cols.value].cast("float64")  # a number is never unreadable
    elif cols.value:
        clean["__jm_valuetext"] = text(cols.value)
    clean["__jm_rawtime"] = base[cols.time]
    if src.lines == "whitespace" and src.fields:
        clean["__jm_fieldsok"] = base["__jm_fields"] == src.fields
        clean["__jm_line"] = base[TEXT]
    for hidden in (FILE, LINE):
        if hidden in base.columns:
            clean[hidden] = base[hidden]
    return clean


@dataclass(frozen=True)
class _Counted:
    """The rows of a staged source, counted by reason and by event name."""

    #: the staged table (materialised, for a source that is parsed: see :func:`_count`)
    table: ir.Table
    rows_read: int
    rows_used: int
    rejected: dict[str, int]
    bad_values: int
    names: tuple[str, ...]
    #: every row used, every customer and event as read (no cleaning changes them)
    plain: bool


def _count(engine: Engine, src: Source, cols: Columns, staged: _Staged) -> _Counted:
    """Count the rows by reason and, for the rows used, by event: the log's event names
    come with the counts, and the ordered pass needs no scan of its own to code them."""
    import ibis

    base, table = src.table, staged.table
    raw_type = base[cols.time].type()
    with backend_errors(engine, src.label, src.kind, source=src):
        # text is parsed once and kept: the counts, the examples, the analyses and the ordered
        # pass all read this table instead of parsing the source again (at 10M events read +
        # prepare went from 45 s to the time of one parse). A typed Parquet file or DuckDB
        # table is cheaper to scan again than to copy (10M events: 1 s per scan, 2-5 s and
        # ~1 GB to copy), so there the staged table stays a view.
        if src.kind not in ("parquet", "duckdb") or not staged.typed_time:
            table = engine.materialise(table, prefix="events")
        counts = None
        if (
            engine.kind == "duckdb"
            and src.kind in ("parquet", "duckdb")
            and (raw_type.is_timestamp() or raw_type.is_date())
            and cols.event
            and "__jm_badvalue" not in table.columns
            and "__jm_fieldsok" not in staged.clean
        ):
            counts = _clean_counts(engine, base, cols, staged.clean["ts"])
        plain = counts is not None
        if counts is None:
            agg: dict[str, Any] = {"n": table.count()}
            if "__jm_badvalue" in table.columns:
                agg["bad_values"] = table["__jm_badvalue"].sum()
            reason = table["__jm_reason"]
            name = ibis.ifelse(reason.isnull(), table.event, ibis.null("string"))
            grouped = table.group_by([reason, name.name("__jm_name")]).aggregate(**agg)
            counts = engine.run(grouped).to_pylist()
    rows_read = sum(int(c["n"]) for c in counts)
    by_reason = {str(c["__jm_reason"]): int(c["n"]) for c in counts if c["__jm_reason"]}
    return _Counted(
        table=table,
        rows_read=rows_read,
        rows_used=rows_read - sum(by_reason.values()),
        rejected={r: by_reason[r] for r in REASONS if by_reason.get(r, 0)},
        bad_values=sum(int(c.get("bad_values") or 0) for c in counts if not c["__jm_reason"]),
        names=tuple(sorted({str(c["__jm_name"]) for c in counts if c["__jm_name"] is not None})),
        plain=plain,
    )


def _refuse_unusable(report: ReadReport, *, strict: bool, time_format: str | None) -> None:
    """Raise :class:`EvidenceError` for a log with no usable row, or, with ``strict``, with
    any rejected row: the examples, the counts and what to do."""
    label, examples = report.source, report.examples
    if strict and report.rejected:
        lines = [str(e) for e in examples]
        lines.append(
            f"{label}: {count(report.rows_rejected)} of {rows(report.rows_read)} cannot be used ("
            + ", ".join(f"{rows(n)} with {r}" for r, n in report.rejected.items())
            + "); without --strict they are counted, reported and left out"
        )
        raise EvidenceError("\n".join(lines))
    if report.rows_used:
        return
    if report.rows_read == 0:
        raise EvidenceError(f"{label}: no rows")
    detail = "".join(f"\n{e}" for e in examples[:2])
    hint = ""
    unreadable = report.rejected.get("a time that cannot be read", 0)
    if unreadable * 2 > report.rows_read and not time_format:
        hint = (
            f"\nThe times in {report.columns.time!r} are not ISO 8601 or epoch numbers; give "
            "their format with --time-format (e.g. '%d/%m/%Y %H:%M')"
        )
    raise EvidenceError(f"{label}: no usable rows ({rows(report.rows_read)} read){detail}{hint}")


def _used_rows(base: ir.Table, cols: Columns, staged: _Staged, counted: _Counted) -> ir.Table:
    """The log's table: the rows used, in the canonical columns."""
    table = counted.table
    shown = [c for c in table.columns if not c.startswith(HIDDEN)]
    if not counted.plain:
        return table.filter(table["__jm_reason"].isnull()).select(shown)
    # nothing rejected and nothing to trim in the customers and events: the table reads
    # them as they are, without the cleaning and the checks (the ordered pass of 10M
    # events: 0.2 s less); the other text columns are cleaned as always
    as_read = {"customer": base[cols.customer].cast("string")}
    as_read["event"] = base[cols.event or ""].cast("string")
    return base.select(**{k: as_read.get(k, staged.clean.get(k)) for k in shown})


def _clean(v: ir.StringValue) -> ir.StringValue:
    """A text value trimmed, empty -> missing. TRIM is the dearest part of a read (2.5 s of
    10M rows x 4 columns), so only values that may need it go through it: those that are
    empty or start or end with a character at or below the space (all whitespace is). The
    last character is tested reversed: REVERSE is 3-4x cheaper than RIGHT(v, 1), and
    ``v < '!'`` is often decided by the Parquet statistics alone."""
    import ibis

    return ibis.cases((_edgy(v), v.strip().nullif("")), else_=v)


def _edgy(v: ir.StringValue) -> ir.BooleanValue:
    """Whether cleaning may change ``v``: empty, or a first or last character <= space."""
    return (v < "!") | (v.reverse() < "!")


def _clean_counts(
    engine: Engine, base: ir.Table, cols: Columns, ts: ir.TimestampValue
) -> list[dict[str, Any]] | None:
    """The rows per event of a source with typed times when no row needs cleaning or is
    rejected, as the checking query would count them; ``None`` when some row might.

    The rows that surely pass are counted per event as it is, with conditions DuckDB
    pushes into the scan; only the few distinct events are then tested. At 10M events
    0.13 s instead of 0.25 s. A customer or time that is missing, or a customer or event
    that cleaning would change, makes the full check run.
    """
    customer = base[cols.customer].cast("string")
    event = base[cols.event or ""].cast("string")
    # the rows that surely pass, as conditions DuckDB pushes into the scan (and often
    # decides from the Parquet statistics); all of them pass when they are all the rows
    fine = base.filter(
        customer.notnull(),
        customer >= "!",
        customer.reverse() >= "!",
        base[cols.time].notnull(),
        ts.notnull(),
    )
    per_event = engine.run(fine.group_by(__jm_name=event).aggregate(n=fine.count())).to_pylist()
    if sum(int(r["n"]) for r in per_event) != engine.scalar(base.count()):
        return None
    if any(r["__jm_name"] is None for r in per_event):
        return None
    names = engine.from_columns({"v": [r["__jm_name"] for r in per_event]}, {"v": "string"})
    if engine.scalar(_edgy(names.v).any()):  # tested by the engine, as the rows would be
        return None
    return [{"__jm_reason": None, "__jm_name": r["__jm_name"], "n": r["n"]} for r in per_event]


def _examples(
    src: Source, engine: Engine, staged: ir.Table, cols: Columns, rejected: dict[str, int]
) -> list[RejectedRow]:
    """Up to five rejected rows: the first of each reason, then the earliest others."""
    rej = staged.filter(staged["__jm_reason"].notnull())
    wanted = ["seq", "__jm_reason", "__jm_value"] + [c for c in (FILE, LINE) if c in staged.columns]
    first = engine.run(rej.order_by("seq").limit(EXAMPLES).select(wanted)).to_pylist()
    have = {r["__jm_reason"] for r in first}
    for reason in rejected:
        if reason not in have:
            one = rej.filter(rej["__jm_reason"] == reason).order_by("seq").limit(1)
            first += engine.run(one.select(wanted)).to_pylist()
    by_seq = {int(r["seq"]): r for r in first}
    picked = [
        by_seq[seq] for seq in pick_examples((int(r["seq"]), r["__jm_reason"]) for r in first)
    ]
    column_of = {
        "no customer": cols.customer,
        "no event": cols.event or "",
        "no time": cols.time,
        "a time that cannot be read": cols.time,
        "the wrong number of fields": "",
    }
    out: list[RejectedRow] = []
    for r, (file, row) in zip(picked, locate(src, engine, picked), strict=True):
        reason = str(r["__jm_reason"])
        value = r["__jm_value"]
        column = column_of[reason]
        if reason == "the wrong number of fields":
            found = len(str(value).split())
            column = f"{found} fields where the header has {src.fields}"
        out.append(RejectedRow(file, row, column, value, reason))
    return out
