"""The shared ordered pass: each event's position in its journey, its next event and the gap.

Sorting every customer's events is the expensive part of journey analytics; aggregating is
cheap. So the log is prepared once — ordered by (customer[, session], time, input order),
each event given its position, the next event and the time to it, and its event name's small
integer code — and materialised in the engine; flows, paths, funnels, step times, sessions
and retention all read the prepared table.

A *journey* is the unit the order applies to: a customer (``per="customer"``), or a session
of a customer (``per="session"``, from the log's session column).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from journeymap.errors import UsageError

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from journeymap.evidence.events import EventLog

__all__ = [
    "Per",
    "Prepared",
    "events_of",
    "journey_key",
    "order_keys",
    "prepare",
    "prepared",
    "seconds_between",
]

Per = Literal["customer", "session"]

#: the columns of the log that the prepared table keeps
_CARRIED = ("customer", "event", "ts", "ts_sub", "seq", "session")


@dataclass(frozen=True)
class Prepared:
    """A prepared log: ``table`` has the canonical columns plus

    ``journey`` (string: the customer, or customer + session), ``pos`` (1-based position in
    the journey), ``code`` (int32: the event name's code, 1.. in the sorted order of the
    names), ``next_event``, ``next_ts`` and ``gap_s`` (seconds to the next event, null for
    the last), ``is_first`` and ``is_last``. ``codes`` is the dictionary: ``event, code``.
    """

    log: EventLog
    table: ir.Table
    per: Per
    codes: ir.Table


def journey_key(t: ir.Table, per: Per) -> ir.StringValue:
    if per == "customer":
        return t.customer
    if "session" not in t.columns:
        raise UsageError(
            "--per session needs a session column (--session COL) or sessions made with "
            "`journeymap events sessions --session-gap 30m`"
        )
    # the customer is part of the key: session ids are often only unique per customer
    return t.customer.concat("\x1f", t.session.fill_null(""))


def order_keys(t: ir.Table) -> list[ir.Value]:
    """The order of events within a journey: time, then sub-µs time, then input order."""
    return [t.ts, t.ts_sub, t.seq]


def seconds_between(
    ts_from: ir.TimestampValue,
    sub_from: ir.IntegerValue,
    ts_to: ir.TimestampValue,
    sub_to: ir.IntegerValue,
) -> ir.FloatingValue:
    """Seconds from one (timestamp, sub-µs ns) instant to another, to the nanosecond."""
    micros = ts_to.delta(ts_from, unit="microsecond").cast("float64")
    return (micros + (sub_to - sub_from).cast("float64") / 1000.0) / 1_000_000.0


def prepared(log: EventLog, *, per: Per = "customer") -> Prepared | None:
    """The log's prepared table if it has been made already, else ``None``."""
    cache = log._prepared if isinstance(log._prepared, dict) else {}
    found: Prepared | None = cache.get(per)
    return found


def events_of(log: EventLog) -> ir.Table:
    """The log's events for an analysis that needs no order: the prepared table (already
    computed and kept) when there is one, else the log's table. Canonical columns."""
    ready = prepared(log, per="customer") or prepared(log, per="session")
    return ready.table if ready is not None else log.table


def prepare(log: EventLog, *, per: Per = "customer") -> Prepared:
    """Order the log once and keep the result in the engine (cached per ``per``)."""
    import ibis

    cache = log._prepared if isinstance(log._prepared, dict) else {}
    if per in cache:
        return cache[per]  # type: ignore[no-any-return]
    t = log.table
    # only the columns the analyses read travel through the sort: channel and value (and any
    # other) stay in log.table; a narrow table sorts and stores much cheaper (benchmarks/
    # ANALYSIS.md: 19.5 s -> 7 s for the ordered pass at 10M events)
    t = t.select([c for c in t.columns if c in _CARRIED])
    t = t.mutate(journey=journey_key(t, per))
    # event names as small codes, in the sorted order of the names: sequences of codes are
    # built and grouped about twice as fast as sequences of strings (paths)
    names = t.select("event").distinct()
    names = names.mutate(code=(ibis.row_number().over(order_by=names.event) + 1).cast("int32"))
    t = t.join(names, "event")
    w = ibis.window(group_by=t.journey, order_by=order_keys(t))
    p = t.mutate(
        pos=(ibis.row_number().over(w) + 1).cast("int64"),
        next_event=t.event.lead().over(w),
        next_ts=t.ts.lead().over(w),
        next_sub=t.ts_sub.lead().over(w),
    )
    p = p.mutate(gap_s=seconds_between(p.ts, p.ts_sub, p.next_ts, p.next_sub)).drop("next_sub")
    p = p.mutate(is_first=p.pos == 1, is_last=p.next_event.isnull())
    table = log.engine.materialise(p, prefix="prepared")
    codes = log.engine.materialise(
        table.select("event", "code").distinct().order_by("code"), prefix="codes"
    )
    prepared = Prepared(log, table, per, codes)
    cache[per] = prepared
    log._prepared = cache
    return prepared
