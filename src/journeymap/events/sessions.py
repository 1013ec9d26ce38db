"""Sessions: cutting each customer's events into visits at gaps of inactivity.

A customer's events, in the prepared order, start a new session at the first event and at
every event that comes more than ``gap`` after the one before it (a gap equal to ``gap``
stays in the session). Sessions are numbered per customer from 1, in order; the ``session``
column holds that number as a string, so that ``(customer, session)`` names a session — the
journey key of ``prepare(log, per="session")``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING

from journeymap.errors import UsageError
from journeymap.events.prepare import adopt, dense_customers, prepare, seconds_between

if TYPE_CHECKING:
    import pyarrow as pa

    from journeymap.events.read import EventLog

__all__ = ["DEFAULT_GAP", "session_summary", "sessions"]

DEFAULT_GAP = timedelta(minutes=30)
#: a session's journey code: the customer's code times this, plus the session's number
_SESSION_STRIDE = 2**32


def sessions(
    log: EventLog, *, gap: timedelta = DEFAULT_GAP, replace_existing: bool = False
) -> EventLog:
    """A new log whose table has a ``session`` column made by the inactivity ``gap``.

    A log that already has a session column (from the data) is returned as it is, unless
    ``replace_existing``. One pass over the prepared log makes the session column and the
    new log's prepared tables (per customer and per session), kept in the engine, so that
    per-session analyses of the new log need no second sort.
    """
    import ibis

    if gap <= timedelta(0):
        raise UsageError(f"--session-gap must be a positive duration, not {gap}")
    if log.has_session and not replace_existing:
        return log
    base = prepare(log, per="customer")
    p = base.table
    if not dense_customers(log):
        # customer codes are hashes (63 bits): numbered 1.. here, to leave room for the
        # session's number in a journey's code
        numbers = p.select("cid").distinct()
        numbers = numbers.mutate(__n=(ibis.row_number().over(order_by=numbers.cid) + 1))
        p = p.join(numbers, "cid")
    else:
        p = p.mutate(__n=p.cid)
    # the event ends its session when the next one comes more than ``gap`` later
    ends_here = (p.gap_s > gap.total_seconds()).fill_null(False)
    before = ibis.window(group_by=p.cid, order_by=p.pos, rows=(None, -1))
    p = p.mutate(
        __ends=ends_here,
        __number=ends_here.cast("int64").sum().over(before).fill_null(0) + 1,
        __start=ibis.ifelse(ends_here, p.pos + 1, ibis.null()).max().over(before).fill_null(1),
    )
    null_ts = ibis.null().cast(p.next_ts.type())
    p = p.mutate(
        number=p["__number"],
        # a code per (customer, session): the customer's code in the high bits
        s_journey=p["__n"].cast("int64") * _SESSION_STRIDE + p["__number"],
        s_pos=p.pos - p["__start"] + 1,
        s_next_code=ibis.ifelse(p["__ends"], ibis.null().cast("int32"), p.next_code),
        s_next_ts=ibis.ifelse(p["__ends"], null_ts, p.next_ts),
        s_gap_s=ibis.ifelse(p["__ends"], ibis.null().cast("float64"), p.gap_s),
        s_is_last=p.is_last | p["__ends"],
    ).drop("__ends", "__number", "__start", "__n")
    both = log.engine.materialise(p, prefix="sessions", rows=log.size)
    # the prepared table carries only what the analyses read; the new log keeps every column
    # of the old one (channel, value, ...) with the session numbers joined on the input order
    source = log.table.drop("session") if "session" in log.table.columns else log.table
    numbers = both.select("seq", session=both.number.cast("string"))
    table = source.join(numbers, "seq").select(*source.columns, "session")
    columns = [c for c in base.table.columns if c != "journey"]
    per_customer = both.select("journey", *columns)
    per_session = both.select(
        journey=both.s_journey,
        cid=both.cid,
        code=both.code,
        next_code=both.s_next_code,
        ts=both.ts,
        ts_sub=both.ts_sub,
        seq=both.seq,
        pos=both.s_pos,
        next_ts=both.s_next_ts,
        gap_s=both.s_gap_s,
        is_first=both.s_pos == 1,
        is_last=both.s_is_last,
    )
    out = replace(log, table=table)  # a copy starts with nothing prepared
    adopt(
        out, codes=base.codes, customers=base.customers, customer=per_customer,
        session=per_session,
    )  # fmt: skip
    return out


def session_summary(log: EventLog, *, gap: timedelta | None = None) -> pa.Table:
    """One row: ``sessions``, ``customers``, ``sessions_per_customer_median``,
    ``events_per_session_median``/``_p90``, ``session_seconds_median``/``_p90`` (from the
    first to the last event of a session; 0 for a one-event session). Quantiles are exact
    (linear interpolation). Uses the log's sessions; a log without them is sessionised with
    ``gap`` (default 30 minutes)."""
    if not log.has_session or gap is not None:
        log = sessions(log, gap=gap or DEFAULT_GAP, replace_existing=gap is not None)
    p = prepare(log, per="session").table
    firsts = p.filter(p.is_first).select("journey", "cid", first_ts=p.ts, first_sub=p.ts_sub)
    lasts = p.filter(p.is_last).select("journey", n=p.pos, last_ts=p.ts, last_sub=p.ts_sub)
    s = firsts.join(lasts, "journey")
    s = s.mutate(seconds=seconds_between(s.first_ts, s.first_sub, s.last_ts, s.last_sub))
    per_customer = s.group_by("cid").aggregate(k=s.count())
    both = s.aggregate(
        sessions=s.count().cast("int64"),
        customers=s.cid.nunique().cast("int64"),
        events_per_session_median=s.n.quantile(0.5).cast("float64"),
        events_per_session_p90=s.n.quantile(0.9).cast("float64"),
        session_seconds_median=s.seconds.quantile(0.5).cast("float64"),
        session_seconds_p90=s.seconds.quantile(0.9).cast("float64"),
    ).cross_join(
        per_customer.aggregate(
            sessions_per_customer_median=per_customer.k.quantile(0.5).cast("float64")
        )
    )
    return log.engine.run(
        both.select(
            "sessions",
            "customers",
            "sessions_per_customer_median",
            "events_per_session_median",
            "events_per_session_p90",
            "session_seconds_median",
            "session_seconds_p90",
        )
    )
