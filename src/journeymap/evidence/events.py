"""Reading event logs into the engine: sources, column roles, timestamps, rejected rows.

An event log is any table with, per row, a customer, a time and an event. :func:`read_events`
reads it from CSV (gzip too), Parquet (a file, a folder or a glob), JSON Lines, XES, a table in
a DuckDB database (``file.duckdb:table``) or an Ibis table, finds the columns that play each
role by their names (or takes them from the caller), parses times, and keeps the input order
(``seq``) so that ties in time keep the order of the file.

Rows that cannot be used (no customer, no event, no time, a time that cannot be read) are
counted and reported with examples naming the file, row, column and value; ``strict=True``
makes them an error. Nothing is dropped silently.

The result, :class:`EventLog`, holds the canonical table:

=========  ==========  ===================================================================
column     type        meaning
=========  ==========  ===================================================================
customer   string      who (customer, user, case)
event      string      what happened
ts         timestamp   when, UTC, microseconds
ts_sub     int64       sub-microsecond part in ns (ns epochs only, else 0): part of the order
seq        int64       position in the input, from 1
session    string      optional: a session id given by the data
channel    string      optional
value      float64     optional: revenue or another amount
=========  ==========  ===================================================================
"""

from __future__ import annotations

import re
import statistics
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from journeymap.analytics.engine import Engine, EngineConfig
from journeymap.errors import EvidenceError, UsageError

if TYPE_CHECKING:
    import ibis.expr.types as ir

__all__ = [
    "ROLE_NAMES",
    "Columns",
    "EventLog",
    "ReadReport",
    "RejectedRow",
    "TimeUnit",
    "read_events",
]

TimeUnit = Literal["s", "ms", "us", "ns"]
Role = Literal["customer", "time", "event", "session", "channel", "value"]

#: Column names recognised for each role, most specific first (compared without case,
#: spaces, dots, dashes or colons: ``case:concept:name`` ~ ``caseconceptname``).
ROLE_NAMES: dict[Role, tuple[str, ...]] = {
    "customer": (
        "customer_id", "customerid", "user_id", "userid", "user_pseudo_id", "case:concept:name",
        "case_id", "caseid", "client_id", "clientid", "visitor_id", "account_id", "member_id",
        "person_id", "contact_id", "uid", "customer", "user", "client", "case", "visitor",
    ),
    "time": (
        "time:timestamp", "timestamp", "event_timestamp", "event_time", "eventtime", "datetime",
        "date_time", "created_at", "occurred_at", "time", "ts", "event_date", "date",
    ),
    "event": (
        "event_name", "eventname", "event", "concept:name", "activity", "activity_name",
        "action", "event_type", "eventtype", "step", "page", "name",
    ),
    "session": ("session_id", "sessionid", "ga_session_id", "session", "visit_id"),
    "channel": ("channel", "case:channel", "source", "medium", "platform", "device"),
    "value": ("value", "revenue", "amount", "dollar_value", "order_value", "price"),
}  # fmt: skip

_REQUIRED: tuple[Role, ...] = ("customer", "time", "event")
_EXAMPLES = 5


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


@dataclass(frozen=True)
class Columns:
    """Which input column plays which role."""

    customer: str
    time: str
    event: str
    session: str | None = None
    channel: str | None = None
    value: str | None = None


@dataclass(frozen=True)
class RejectedRow:
    """One row that could not be used, located in its source."""

    file: str
    row: int
    column: str
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = f'{self.file}:{self.row}: column "{self.column}"'
        if self.reason == "cannot read":
            return f'{where}: cannot read "{self.value}" as a time'
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class ReadReport:
    """What reading a log did: rows read, used, rejected (with reasons and examples)."""

    source: str
    columns: Columns
    time_parse: str
    rows_read: int
    rows_used: int
    rejected: dict[str, int] = field(default_factory=dict)
    examples: tuple[RejectedRow, ...] = ()

    @property
    def rows_rejected(self) -> int:
        return self.rows_read - self.rows_used

    def lines(self) -> list[str]:
        out = [
            f"{self.source}: {self.rows_read:,} rows read, {self.rows_used:,} used, "
            f"{self.rows_rejected:,} rejected",
            f"columns: customer={self.columns.customer!r} time={self.columns.time!r} "
            f"({self.time_parse}) event={self.columns.event!r}"
            + "".join(
                f" {role}={getattr(self.columns, role)!r}"
                for role in ("session", "channel", "value")
                if getattr(self.columns, role)
            ),
        ]
        out += [f"rejected: {n:,} rows with {reason}" for reason, n in self.rejected.items() if n]
        out += [f"  e.g. {ex}" for ex in self.examples]
        return out


@dataclass
class EventLog:
    """An event log in the engine, in canonical columns, with how it was read."""

    engine: Engine
    table: ir.Table
    report: ReadReport
    _prepared: Any = field(default=None, repr=False)

    @property
    def has_session(self) -> bool:
        return "session" in self.table.columns

    @property
    def has_channel(self) -> bool:
        return "channel" in self.table.columns

    @property
    def has_value(self) -> bool:
        return "value" in self.table.columns


# ---- sources ---------------------------------------------------------------------------------

SourceKind = Literal["csv", "parquet", "json", "xes", "duckdb", "ibis"]


def _kind_of(source: str) -> SourceKind:
    low = source.lower()
    if re.search(r"\.(duckdb|ddb|db):[^/\\]+$", low):
        return "duckdb"
    stripped = re.sub(r"\.(gz|gzip|zst)$", "", low)
    if stripped.endswith(".xes"):
        return "xes"
    if stripped.endswith((".parquet", ".pq")) or Path(source).is_dir():
        return "parquet"
    if stripped.endswith((".jsonl", ".ndjson", ".json")):
        return "json"
    if stripped.endswith((".csv", ".tsv", ".txt", ".tab")):
        return "csv"
    raise UsageError(
        f"{source}: cannot tell the format from the name; expected .csv, .tsv, .parquet, "
        ".jsonl, .json, .xes (each optionally .gz), a folder of Parquet files, or "
        "FILE.duckdb:TABLE"
    )


def _open(engine: Engine, source: str, kind: SourceKind, delimiter: str | None) -> ir.Table:
    globbed = any(c in source for c in "*?[")
    if kind not in ("duckdb", "parquet") and not globbed and not Path(source).exists():
        raise EvidenceError(f"{source}: no such file")
    try:
        if kind == "csv":
            sep = delimiter or ("\t" if re.search(r"\.(tsv|tab)(\.gz)?$", source.lower()) else None)
            return engine.read_csv(source, delimiter=sep)
        if kind == "parquet":
            path = source
            if Path(source).is_dir():
                path = str(Path(source) / "**" / "*.parquet")
            return engine.read_parquet(path)
        if kind == "json":
            return engine.read_json(source)
        if kind == "xes":
            from journeymap.evidence.xes import xes_to_parquet

            out = Path(tempfile.mkdtemp(prefix="journeymap-xes-")) / "log.parquet"
            xes_to_parquet(source, out)
            return engine.read_parquet(str(out))
        if kind == "duckdb":
            db, _, table = source.rpartition(":")
            if not Path(db).exists():
                raise EvidenceError(f"{db}: no such DuckDB database")
            if engine.kind != "duckdb":
                raise UsageError("FILE.duckdb:TABLE sources need the DuckDB engine")
            alias = f"src_{abs(hash(db)) % 10**8}"
            if alias not in engine.backend.list_catalogs():
                engine.backend.attach(db, name=alias, read_only=True)
            return engine.table(table, database=(alias, "main"))
    except (EvidenceError, UsageError):
        raise
    except Exception as exc:  # the backends raise their own types; report them plainly
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise EvidenceError(f"{source}: cannot read as {kind}: {message}") from exc
    raise AssertionError(kind)  # pragma: no cover


# ---- roles -----------------------------------------------------------------------------------


def _detect(columns: Sequence[str], given: dict[Role, str | None], source: str) -> Columns:
    by_norm: dict[str, str] = {}
    for c in columns:
        by_norm.setdefault(_norm(c), c)
    chosen: dict[Role, str | None] = {}
    taken: set[str] = set()
    for role in ("customer", "time", "event", "session", "channel", "value"):
        name = given.get(role)
        if name is not None:
            if name not in columns:
                raise EvidenceError(
                    f"{source}: no column {name!r} for --{role}; the columns are: "
                    + ", ".join(columns)
                )
            chosen[role] = name
            taken.add(name)
            continue
        found = next(
            (
                by_norm[_norm(cand)]
                for cand in ROLE_NAMES[role]
                if _norm(cand) in by_norm and by_norm[_norm(cand)] not in taken
            ),
            None,
        )
        chosen[role] = found
        if found is not None:
            taken.add(found)
    missing = [r for r in _REQUIRED if chosen[r] is None]
    if missing:
        hints = "; ".join(f"--{r} COL (e.g. {', '.join(ROLE_NAMES[r][:4])})" for r in missing)
        raise EvidenceError(
            f"{source}: cannot tell which column holds the {' and the '.join(missing)}; the "
            f"columns are: {', '.join(columns)}. Say it with {hints}"
        )
    return Columns(
        customer=str(chosen["customer"]),
        time=str(chosen["time"]),
        event=str(chosen["event"]),
        session=chosen["session"],
        channel=chosen["channel"],
        value=chosen["value"],
    )


# ---- time ------------------------------------------------------------------------------------

_NUMERIC = re.compile(r"^\s*-?\d+(\.\d+)?\s*$")
_YMD = re.compile(r"^\s*(19|20|21)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\s*$")
_UNIT_NS = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1}


def _unit_by_magnitude(values: list[float]) -> TimeUnit:
    """Epoch unit from the size of the numbers: 2024 in s ~1.7e9, ms ~1.7e12, ..."""
    mag = statistics.median(abs(v) for v in values)
    if mag < 1e11:
        return "s"
    if mag < 1e14:
        return "ms"
    if mag < 1e17:
        return "us"
    return "ns"


def _time_exprs(
    raw: ir.Value,
    sample: list[Any],
    *,
    time_format: str | None,
    time_unit: TimeUnit | None,
) -> tuple[ir.TimestampValue, ir.IntegerValue, str]:
    """(timestamp, sub-microsecond ns, how it was parsed) for a raw time column."""
    import ibis
    import ibis.expr.datatypes as dt

    zero = ibis.literal(0, type="int64")
    if raw.type().is_timestamp():
        ts = raw.cast(dt.Timestamp()) if raw.type().timezone else raw
        return ts, zero, "native timestamp"
    if raw.type().is_date():
        return raw.cast(dt.Timestamp()), zero, "date"
    if time_format:
        text = raw.cast("string")
        return text.as_timestamp(time_format), zero, f"format {time_format!r}"
    strings = [str(v) for v in sample if v is not None and str(v).strip() != ""]
    numeric = raw.type().is_numeric() or (bool(strings) and all(_NUMERIC.match(s) for s in strings))
    if numeric and time_unit is None and strings and all(_YMD.match(s) for s in strings):
        return raw.cast("string").as_timestamp("%Y%m%d"), zero, "format YYYYMMDD"
    if numeric or time_unit is not None:
        values = [float(s) for s in strings if _NUMERIC.match(s)]
        unit: TimeUnit = time_unit or (_unit_by_magnitude(values) if values else "s")
        how = f"epoch {unit}" + ("" if time_unit else " (by magnitude)")
        is_int = raw.type().is_integer() or all("." not in s for s in strings)
        if is_int:
            n = raw.cast("string").try_cast("int64") if not raw.type().is_integer() else raw
            n = n.cast("int64")
            if unit == "ns":
                micros, sub = n // 1000, n % 1000
            else:
                micros, sub = n * (_UNIT_NS[unit] // 1000), zero
        else:
            f = raw.cast("string").try_cast("float64") if not raw.type().is_floating() else raw
            micros = (f * (_UNIT_NS[unit] / 1000)).round().cast("int64")
            sub = zero
        epoch = ibis.timestamp("1970-01-01 00:00:00")
        ts = epoch + micros.as_interval("us")
        return ts, sub, how
    text = raw.cast("string")
    ts = text.try_cast(dt.Timestamp(timezone="UTC")).cast(dt.Timestamp())
    return ts, zero, "ISO 8601"


# ---- reading ---------------------------------------------------------------------------------


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
    time_format: str | None = None,
    time_unit: TimeUnit | None = None,
    delimiter: str | None = None,
    strict: bool = False,
    name: str | None = None,
) -> EventLog:
    """Read an event log. Column roles are detected from names unless given.

    ``source`` is a path (CSV, Parquet file/folder/glob, JSON Lines, XES, ``db.duckdb:table``)
    or an Ibis table. Raises :class:`EvidenceError` when the log cannot be used, and, with
    ``strict``, when any row cannot be used.
    """
    import ibis
    import ibis.expr.types as ir

    if isinstance(source, ir.Table):
        engine = engine or Engine.wrap(source._find_backend())
        raw = source
        label = name or "<table>"
        kind: SourceKind = "ibis"
    else:
        label = name or str(source)
        kind = _kind_of(str(source))
        engine = engine or Engine.connect(EngineConfig())
        raw = _open(engine, str(source), kind, delimiter)
    given: dict[Role, str | None] = {
        "customer": customer,
        "time": time,
        "event": event,
        "session": session,
        "channel": channel,
        "value": value,
    }
    cols = _detect(list(raw.columns), given, label)

    # input order: the scan order of the source (DuckDB keeps insertion order)
    base = raw.mutate(__seq=ibis.row_number() + 1)
    sample_rows = engine.run(
        base.filter(base[cols.time].notnull()).select(t=base[cols.time]).limit(2000)
    )
    sample = sample_rows.column("t").to_pylist()
    ts, ts_sub, how = _time_exprs(
        base[cols.time], sample, time_format=time_format, time_unit=time_unit
    )

    def text(col: str) -> ir.StringValue:
        return base[col].cast("string").strip().nullif("")

    fields: dict[str, Any] = {
        "customer": text(cols.customer),
        "event": text(cols.event),
        "ts": ts,
        "ts_sub": ts_sub,
        "seq": base["__seq"].cast("int64"),
        "__raw_time": base[cols.time].cast("string"),
    }
    if cols.session:
        fields["session"] = text(cols.session)
    if cols.channel:
        fields["channel"] = text(cols.channel)
    if cols.value:
        fields["value"] = base[cols.value].cast("string").try_cast("float64")
    staged = base.select(**fields)

    bad_customer = staged.customer.isnull()
    bad_event = staged.event.isnull()
    missing_time = staged["__raw_time"].isnull() | (staged["__raw_time"].strip() == "")
    bad_time = staged.ts.isnull() & ~missing_time
    counts = engine.run(
        staged.aggregate(
            rows=staged.count(),
            no_customer=bad_customer.sum(),
            no_event=bad_event.sum(),
            no_time=missing_time.sum(),
            bad_time=bad_time.sum(),
            usable=(~(bad_customer | bad_event | missing_time | bad_time)).sum(),
        )
    ).to_pylist()[0]
    rows_read = int(counts["rows"] or 0)
    used = int(counts["usable"] or 0)
    row_offset = 1 if kind == "csv" else 0  # CSV: the header is line 1
    examples: list[RejectedRow] = []
    if used < rows_read:
        checks = [
            (bad_time, cols.time, "__raw_time", "cannot read as a time"),
            (missing_time, cols.time, None, "missing time"),
            (bad_customer, cols.customer, None, "missing customer"),
            (bad_event, cols.event, None, "missing event"),
        ]
        for cond, col, val_col, reason in checks:
            picked = staged.filter(cond).order_by("seq").limit(_EXAMPLES)
            rows = engine.run(
                picked.select("seq", v=picked[val_col] if val_col else ibis.literal(""))
            ).to_pylist()
            for r in rows:
                if val_col:
                    examples.append(
                        RejectedRow(label, r["seq"] + row_offset, col, r["v"], "cannot read")
                    )
                else:
                    examples.append(RejectedRow(label, r["seq"] + row_offset, col, None, reason))
    rejected = {
        "a time that cannot be read": int(counts["bad_time"] or 0),
        "no time": int(counts["no_time"] or 0),
        "no customer": int(counts["no_customer"] or 0),
        "no event": int(counts["no_event"] or 0),
    }
    examples = sorted(examples, key=lambda e: e.row)[:_EXAMPLES]
    report = ReadReport(label, cols, how, rows_read, used, rejected, tuple(examples))
    if strict and used < rows_read:
        lines = [str(e) for e in examples]
        lines.append(
            f"{label}: {rows_read - used:,} of {rows_read:,} rows cannot be used "
            "(without --strict they are counted, reported and left out)"
        )
        raise EvidenceError("\n".join(lines))
    if used == 0:
        detail = "; ".join(str(e) for e in examples[:2])
        raise EvidenceError(f"{label}: no usable rows ({rows_read:,} read). {detail}".strip())
    keep = [c for c in staged.columns if c != "__raw_time"]
    table = staged.filter(~(bad_customer | bad_event | missing_time | bad_time)).select(keep)
    return EventLog(engine=engine, table=table, report=report)
