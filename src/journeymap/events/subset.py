"""Some of a log: the events that meet conditions, in a date window, of one lifecycle
transition; and the log cut into segments by a column.

:func:`subset` keeps the events that meet every filter given, and says what it kept
(:class:`Kept`, on the new log's ``subset``: events and customers before and after):

* ``where``: conditions on any column of the log (:mod:`journeymap.engine.conditions`:
  ``plan=pro|team``, ``channel!=email``, ``value>=100``, ``case:startdate<2011-11-01``).
  A column is named as the log's table names it (``customer``, ``event``, ``ts``,
  ``channel``, ...), or as the source names it: a column that plays a role
  (``case:channel``) is its role's column, any other column must be carried into the log
  with ``read_events(..., keep=[...])`` (``journeymap events`` keeps the columns its
  ``--where`` and ``--by`` name). Text is compared as text; ``<``, ``<=``, ``>``, ``>=``
  compare the time as a time, the value as a number, and a text column as numbers or as
  times (read as event times are: ISO 8601 with offsets, epochs, ...) as the bound is a
  number or a date. A value that cannot be read so is left out and counted in
  :attr:`Kept.unreadable`.
* ``since`` / ``until``: a window on the event time, ``since`` inclusive and ``until``
  exclusive (``since=2024-01-01, until=2024-02-01`` is January), in UTC; a date is its
  midnight.
* ``lifecycle``: the events of one lifecycle transition (``complete``, ``start``, or any
  other value the log's lifecycle column holds; compared without case; an event without a
  transition counts as ``complete``, as in pm4py). ``all`` or ``None`` keeps every event.

Filters apply to the events, before the ordered pass: every analysis of the new log sees the
same events, and a journey is what remains of it (a flow joins the events next to each other
*after* filtering). The new log keeps the event names of the whole log, so that a funnel
step naming an event the subset lacks counts zero customers instead of being refused.

:func:`segments` cuts a log by the values of a column: segment V is the subset
``where COL=V`` (events without a value form a segment of their own, ``None``). A customer
whose events hold several values is in several segments. :func:`by_segment` runs an
analysis on each segment and stacks the results under a first column ``segment``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from journeymap._numbers import count, percent
from journeymap.engine.conditions import Condition, parse_condition, parse_instant
from journeymap.errors import UsageError

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

    from journeymap.events.read import EventLog

__all__ = [
    "MAX_SEGMENTS",
    "SEGMENT",
    "Kept",
    "Segment",
    "by_segment",
    "column_of",
    "segments",
    "subset",
    "where",
    "window",
]

#: the most segments :func:`segments` cuts a log into
MAX_SEGMENTS = 50
#: the name of the column :func:`by_segment` puts first
SEGMENT = "segment"

Instant = str | date | datetime


@dataclass(frozen=True)
class Kept:
    """What filters kept of a log: the filters, as people read them, and the events and
    customers before (the log as read) and after."""

    filters: tuple[str, ...]
    events_before: int
    customers_before: int
    events: int
    customers: int
    #: per condition, the events whose value could not be compared (not a number, not a
    #: time) and were therefore left out
    unreadable: tuple[tuple[str, int], ...] = ()
    #: the window's bounds (naive UTC), when one was given
    since: datetime | None = None
    until: datetime | None = None
    #: the time of the last event of the log before the filters, and whether every time of
    #: it is a midnight (dates without a time of day): when the data ends
    last_ts: datetime | None = None
    dated: bool = False

    def lines(self) -> list[str]:
        """For people: the filters, and what they kept."""
        out = [
            "filters: " + "; ".join(self.filters),
            f"kept {count(self.events)} of {count(self.events_before)} events "
            f"({percent(self.events / self.events_before, digits=1)}) and "
            f"{count(self.customers)} of {count(self.customers_before)} customers "
            f"({percent(self.customers / self.customers_before, digits=1)})",
        ]
        for condition, n in self.unreadable:
            if n:
                out.append(f"{condition}: {count(n)} events whose value cannot be compared, "
                           "left out")  # fmt: skip
        return out


def where(log: EventLog, conditions: Sequence[str | Condition]) -> EventLog:
    """The events that meet every condition (see the module docstring)."""
    return subset(log, where=conditions)


def window(
    log: EventLog, *, since: Instant | None = None, until: Instant | None = None
) -> EventLog:
    """The events from ``since`` (inclusive) to ``until`` (exclusive), UTC."""
    return subset(log, since=since, until=until)


def subset(
    log: EventLog,
    *,
    where: Sequence[str | Condition] = (),
    since: Instant | None = None,
    until: Instant | None = None,
    lifecycle: str | None = None,
) -> EventLog:
    """The events of ``log`` that meet every filter, as a new log whose ``subset`` says what
    was kept. The log itself when no filter is given. Raises :class:`UsageError` for a
    condition that cannot apply (no such column, a time compared with a number, ...) and when
    no event is left."""
    conditions = [c if isinstance(c, Condition) else parse_condition(c) for c in where]
    lo = parse_instant(since, option="--since") if since is not None else None
    hi = parse_instant(until, option="--until") if until is not None else None
    wanted = lifecycle.strip().lower() if lifecycle and lifecycle.strip().lower() != "all" else None
    if not conditions and lo is None and hi is None and wanted is None:
        return log
    if lo is not None and hi is not None and lo >= hi:
        raise UsageError(f"--since {_when(lo)} is not before --until {_when(hi)}: no time is left")
    t = log.table
    keep: list[ir.BooleanValue] = []
    described: list[str] = []
    unreadable: dict[str, ir.BooleanValue] = {}
    for cond in conditions:
        test, bad = _condition(log, cond)
        keep.append(test)
        described.append(f"where {cond}")
        if bad is not None:
            unreadable[f"where {cond}"] = bad
    if lo is not None:
        keep.append(t.ts >= lo)
        described.append(f"since {_when(lo)} (inclusive)")
    if hi is not None:
        keep.append(t.ts < hi)
        described.append(f"until {_when(hi)} (exclusive)")
    if wanted is not None:
        keep.append(_transition(log) == wanted)
        described.append(f"lifecycle {wanted}")
    test = keep[0]
    for k in keep[1:]:
        test = test & k
    kept = _count(log, test.fill_null(False), unreadable, tuple(described), lo, hi)
    if kept.events == 0:
        raise UsageError(_nothing_left(log, kept, wanted))
    return dataclasses.replace(log, table=t.filter(test.fill_null(False)), subset=kept)


def _when(value: datetime) -> str:
    """A bound for people: the date alone at midnight, else the time; UTC."""
    if value.time() == datetime.min.time():
        return value.date().isoformat()
    return value.isoformat(sep=" ") + " UTC"


def _count(
    log: EventLog,
    test: ir.BooleanValue,
    unreadable: dict[str, ir.BooleanValue],
    described: tuple[str, ...],
    lo: datetime | None,
    hi: datetime | None,
) -> Kept:
    """What ``test`` keeps of the log: one scan, counting before and after."""
    import ibis

    t = log.table
    agg: dict[str, Any] = {
        "n": t.count(),
        "people": t.customer.nunique(),
        "kept": test.cast("int64").sum(),
        "kept_people": ibis.ifelse(test, t.customer, ibis.null("string")).nunique(),
        "last_ts": t.ts.max(),
        "timed": (t.ts != t.ts.truncate("D")).any(),
    }
    for i, bad in enumerate(unreadable.values()):
        agg[f"bad{i}"] = bad.fill_null(False).cast("int64").sum()
    row = log.engine.run(t.aggregate(**agg)).to_pylist()[0]
    bads = tuple((name, int(row[f"bad{i}"] or 0)) for i, name in enumerate(unreadable))
    prior = log.subset
    if prior is not None:  # a subset of a subset: counted from the log as read
        return Kept(
            filters=prior.filters + described,
            events_before=prior.events_before,
            customers_before=prior.customers_before,
            events=int(row["kept"] or 0),
            customers=int(row["kept_people"] or 0),
            unreadable=prior.unreadable + bads,
            since=_tighter(prior.since, lo, max),
            until=_tighter(prior.until, hi, min),
            last_ts=prior.last_ts,
            dated=prior.dated,
        )
    return Kept(
        filters=described,
        events_before=int(row["n"]),
        customers_before=int(row["people"]),
        events=int(row["kept"] or 0),
        customers=int(row["kept_people"] or 0),
        unreadable=bads,
        since=lo,
        until=hi,
        last_ts=row["last_ts"],
        dated=not row["timed"],
    )


def _tighter(
    a: datetime | None, b: datetime | None, pick: Callable[[datetime, datetime], datetime]
) -> datetime | None:
    if a is None or b is None:
        return a if b is None else b
    return pick(a, b)


def _nothing_left(log: EventLog, kept: Kept, wanted: str | None) -> str:
    import ibis

    message = (
        f"{log.report.source}: no event meets {' and '.join(kept.filters)} "
        f"(of {count(kept.events_before)} events)"
    )
    if wanted is not None:
        _transition(log)  # a clear error without a lifecycle column
        t = log.table
        values = t.group_by(v=t.lifecycle.fill_null("(empty)")).aggregate(n=t.count())
        values = values.order_by([ibis.desc("n"), "v"]).limit(10)
        found = [f"{r['v']} ({count(r['n'])})" for r in log.engine.run(values).to_pylist()]
        message += f"; the lifecycle column {log.report.columns.lifecycle!r} holds: " + ", ".join(
            found
        )
    return message


def _transition(log: EventLog) -> ir.StringValue:
    """Each event's lifecycle transition, lower case; ``complete`` when it has none."""
    if not log.has_lifecycle:
        raise UsageError(
            f"{log.report.source}: no lifecycle column (looked for lifecycle:transition, "
            "lifecycle, transition); name it with --lifecycle-column COL "
            "(read_events(..., lifecycle=COL))"
        )
    return log.table.lifecycle.lower().fill_null("complete")


# ---- one condition ---------------------------------------------------------------------------


def column_of(log: EventLog, name: str, *, option: str = "--where") -> str:
    """The column of ``log.table`` that ``name`` means: a column of the table, else the
    column of the role the source column ``name`` plays. Raises :class:`UsageError` naming
    the columns and ``keep=`` when there is none."""
    from journeymap.events.read import CANONICAL
    from journeymap.events.roles import ROLES

    t = log.table
    if name in CANONICAL and name in t.columns:
        return name
    role_column = {"time": "ts"}
    cols = log.report.columns
    for role in ROLES:  # a role's column, typed, before a copy of it kept as text
        if getattr(cols, role) == name:
            found = role_column.get(role, role)
            if found in t.columns:
                return found
    if name in t.columns and not name.startswith("__jm"):
        return name
    shown = [c for c in t.columns if c not in ("ts_sub", "seq")]
    raise UsageError(
        f"{option} {name!r}: the log has no column {name!r} (it has {', '.join(shown)}). A log "
        "keeps the columns of its roles and those read with read_events(..., keep=[...]); "
        "journeymap events keeps the columns that --where and --by name"
    )


def _condition(log: EventLog, cond: Condition) -> tuple[ir.BooleanValue, ir.BooleanValue | None]:
    """(whether an event meets ``cond``, whether its value could not be compared)."""
    name = column_of(log, cond.column)
    col = log.table[name]
    typ = col.type()
    if typ.is_timestamp():
        return _on_time(log, cond, name), None
    if typ.is_numeric():
        return _on_number(cond, col, name), None
    text = col.cast("string")
    if not cond.compares:
        test = text.isin(list(cond.values))
        return (~test).fill_null(True) if cond.op == "!=" else test.fill_null(False), None
    as_time = cond.number is None or (cond.instant is not None and _looks_like_time(log, text))
    if as_time:
        from journeymap.engine.times import time_exprs

        assert cond.instant is not None
        sample = _sample(log, text)
        ts, _, _ = time_exprs(
            text, sample, time_format=None, time_unit=None, engine_kind=log.engine.kind
        )
        return _compare(ts, cond.op, cond.instant), text.notnull() & ts.isnull()
    number = text.try_cast("float64")
    assert cond.number is not None
    return _compare(number, cond.op, cond.number), text.notnull() & number.isnull()


def _on_time(log: EventLog, cond: Condition, name: str) -> ir.BooleanValue:
    t = log.table
    if not cond.compares or cond.instant is None:
        raise UsageError(
            f"--where {str(cond)!r}: {cond.column!r} is the time; compare it with <, <=, >, >= "
            "and a date (e.g. ts>=2024-01-31), or use --since and --until"
        )
    ts, bound = t[name], cond.instant
    if name == "ts" and "ts_sub" in t.columns:  # the sub-µs part decides at the bound
        if cond.op == ">":
            return (ts > bound) | ((ts == bound) & (t.ts_sub > 0))
        if cond.op == "<=":
            return (ts < bound) | ((ts == bound) & (t.ts_sub == 0))
    return _compare(ts, cond.op, bound)


def _on_number(cond: Condition, col: ir.Value, name: str) -> ir.BooleanValue:
    numbers = [_as_float(v) for v in cond.values]
    if any(n is None for n in numbers):
        raise UsageError(
            f"--where {str(cond)!r}: {cond.column!r} holds numbers; "
            f"{', '.join(repr(v) for v in cond.values)} is not one"
        )
    if cond.compares:
        return _compare(col, cond.op, numbers[0])
    test = col.isin([n for n in numbers if n is not None])
    return (~test).fill_null(True) if cond.op == "!=" else test.fill_null(False)


def _as_float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _compare(col: Any, op: str, bound: object) -> ir.BooleanValue:
    result: ir.BooleanValue
    if op == "<":
        result = col < bound
    elif op == "<=":
        result = col <= bound
    elif op == ">":
        result = col > bound
    else:
        result = col >= bound
    return result.fill_null(False)


def _sample(log: EventLog, text: ir.StringValue) -> list[Any]:
    """Up to 2,000 non-empty values of a text column: how its times are written."""
    t = log.table.select(v=text)
    t = t.filter(t.v.notnull())
    values: list[Any] = log.engine.run(t.limit(2000))["v"].to_pylist()
    return values


def _looks_like_time(log: EventLog, text: ir.StringValue) -> bool:
    """For a bound that reads both as a number and a year (``date>=2018``): whether most
    values of the column are not numbers (dates, times), so that the year is meant."""
    values = [str(v) for v in _sample(log, text)]
    numbers = sum(_as_float(v) is not None for v in values)
    return numbers * 2 < len(values)


# ---- segments --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    """One segment: the value (``None``: events without one) and its events."""

    value: str | None
    log: EventLog


def segments(log: EventLog, column: str, *, limit: int = MAX_SEGMENTS) -> list[Segment]:
    """The log cut by the values of ``column``, in the order of the values (the segment of
    events without a value last). Raises :class:`UsageError` for the time column and for a
    column with more than ``limit`` values."""
    import ibis

    name = column_of(log, column, option="--by")
    t = log.table
    if t[name].type().is_timestamp():
        raise UsageError(
            f"--by {column!r}: the time cannot cut segments; compare periods with "
            "--since/--until, or retention by period"
        )
    text = t[name].cast("string")
    counted = t.group_by(v=text).aggregate(n=t.count(), people=t.customer.nunique())
    found = log.engine.run(counted.order_by(ibis.asc("v", nulls_first=False))).to_pylist()
    if len(found) > limit:
        raise UsageError(
            f"--by {column!r}: {count(len(found))} values; at most {limit} segments are "
            f"compared. Keep some with --where (e.g. --where '{column}=A|B') or choose a "
            "column with fewer values"
        )
    prior = log.subset or _whole(log)
    out = []
    for row in found:
        value = row["v"]
        test = text.isnull() if value is None else (text == value).fill_null(False)
        label = f"segment {column}={value}" if value is not None else f"segment {column} empty"
        kept = dataclasses.replace(
            prior, filters=(*prior.filters, label), events=int(row["n"]),
            customers=int(row["people"]),
        )  # fmt: skip
        out.append(Segment(value, dataclasses.replace(log, table=t.filter(test), subset=kept)))
    return out


def _whole(log: EventLog) -> Kept:
    """What the whole log holds, as the base of its segments."""
    t = log.table
    row = log.engine.run(
        t.aggregate(
            n=t.count(),
            people=t.customer.nunique(),
            last_ts=t.ts.max(),
            timed=(t.ts != t.ts.truncate("D")).any(),
        )
    ).to_pylist()[0]
    n, people = int(row["n"]), int(row["people"])
    return Kept((), n, people, n, people, last_ts=row["last_ts"], dated=not row["timed"])


def by_segment(log: EventLog, column: str, compute: Callable[[EventLog], pa.Table]) -> pa.Table:
    """``compute`` on each segment of ``log`` by ``column`` (:func:`segments`), the results
    stacked with a first column ``segment`` (string; null for the events without a value).
    The schema metadata of the first result is kept."""
    import pyarrow as pa

    from journeymap._arrow import texts

    tables = []
    for seg in segments(log, column):
        result = compute(seg.log)
        labels = texts([seg.value] * result.num_rows)
        tables.append(result.add_column(0, SEGMENT, labels))
    if not tables:  # a log always has a segment; kept for the type checker
        raise UsageError(f"--by {column!r}: no segment")
    metadata = tables[0].schema.metadata
    out = pa.concat_tables([t.replace_schema_metadata(None) for t in tables])
    return out.replace_schema_metadata(metadata)
