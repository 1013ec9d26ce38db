"""The shared ordered pass: each event's position in its journey, its next event and the gap.

Sorting every customer's events is the expensive part of journey analytics; aggregating is
cheap. So the log is prepared once — ordered by (customer[, session], time, input order),
each event given its position, the next event and the time to it — and materialised in the
engine; flows, paths, funnels and step times all read the prepared table.

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

__all__ = ["Per", "Prepared", "prepare"]

Per = Literal["customer", "session"]


@dataclass(frozen=True)
class Prepared:
    """A prepared log: ``table`` has the canonical columns plus

    ``journey`` (string: the customer, or customer + session), ``pos`` (1-based position in
    the journey), ``next_event``, ``next_ts`` and ``gap_s`` (seconds to the next event, null
    for the last), ``is_first`` and ``is_last``.
    """

    log: EventLog
    table: ir.Table
    per: Per


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


def prepare(log: EventLog, *, per: Per = "customer") -> Prepared:
    """Order the log once and keep the result in the engine (cached per ``per``)."""
    import ibis

    cache = log._prepared if isinstance(log._prepared, dict) else {}
    if per in cache:
        return cache[per]  # type: ignore[no-any-return]
    t = log.table
    t = t.mutate(journey=journey_key(t, per))
    w = ibis.window(group_by=t.journey, order_by=order_keys(t))
    nxt_ts = t.ts.lead().over(w)
    p = t.mutate(
        pos=(ibis.row_number().over(w) + 1).cast("int64"),
        next_event=t.event.lead().over(w),
        next_ts=nxt_ts,
        next_sub=t.ts_sub.lead().over(w),
    )
    micros = p.next_ts.delta(p.ts, unit="microsecond").cast("float64")
    p = p.mutate(
        gap_s=(micros + (p.next_sub - p.ts_sub).cast("float64") / 1000.0) / 1_000_000.0,
    ).drop("next_sub")
    p = p.mutate(is_first=p.pos == 1, is_last=p.next_event.isnull())
    prepared = Prepared(log, log.engine.materialise(p, prefix="prepared"), per)
    cache[per] = prepared
    log._prepared = cache
    return prepared
