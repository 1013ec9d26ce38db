"""Retention, churn and cohorts per calendar period.

A customer is **active** in a period if it has an event in it (or, with ``event``, that
event: e.g. ``purchase``). Periods are calendar periods in UTC: days, ISO weeks (starting on
Monday), months, quarters; each is named by the date it starts. The calendar runs from the
first to the last period with activity, every period in between included, active or not.

Per period P, with P−1 the calendar period before it:

======================  =====================================================================
column                  definition
======================  =====================================================================
period                  date P starts
customers_at_start      active in P−1 (0 for the first period)
retained                active in P−1 and in P
new                     active in P for the first time ever
reactivated             active in P, not in P−1, and active before (back after a break)
lost                    active in P−1, not in P  (= customers_at_start − retained)
customers_at_end        active in P  (= retained + new + reactivated)
retention_rate          retained / customers_at_start × 100
retention_rate_standard (customers_at_end − new) / customers_at_start × 100: the seeds'
                        standard form; equals retention_rate exactly when reactivated = 0
churn_rate              lost / customers_at_start × 100  (= 100 − retention_rate)
======================  =====================================================================

Rates are percentages, null when ``customers_at_start`` is 0.

:func:`cohorts` groups customers by the period of their first activity (the cohort) and
counts, for every k from 0 to the last period, the cohort's customers active k periods later;
long format, one row per (cohort, k); :func:`cohort_matrix` pivots it wide at the edge.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Literal

from journeymap.errors import UsageError
from journeymap.events.prepare import events_of

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

    from journeymap.events.read import EventLog

__all__ = ["Period", "cohort_matrix", "cohorts", "retention"]

Period = Literal["day", "week", "month", "quarter"]

_UNIT: dict[str, Literal["D", "W", "M", "Q"]] = {
    "day": "D",
    "week": "W",
    "month": "M",
    "quarter": "Q",
}


def _step(period: Period) -> ir.IntervalScalar:
    import ibis

    if period == "day":
        return ibis.interval(days=1)
    if period == "week":
        return ibis.interval(days=7)
    if period == "month":
        return ibis.interval(months=1)
    return ibis.interval(months=3)


def _check_period(period: str) -> None:
    if period not in _UNIT:
        raise UsageError(f"unknown period {period!r}; expected one of: {', '.join(_UNIT)}")


def _activity(log: EventLog, period: Period, event: str | None) -> ir.Table:
    """Distinct (customer, period) pairs: who was active when."""
    _check_period(period)
    t, ready = events_of(log)
    if ready is not None:  # the coded prepared table: customers and events as codes
        if event is not None:
            t = t.filter(t.code.isin(ready.code_of([event])))
        t = t.select(customer=t.cid, ts=t.ts)
    elif event is not None:
        t = t.filter(t.event == event)
    return t.select("customer", period=t.ts.truncate(_UNIT[period])).distinct()


def _calendar(act: ir.Table, period: Period) -> ir.Table:
    """Every period from the first to the last with activity: one column ``period``."""
    import ibis

    step = _step(period)
    bounds = act.aggregate(lo=act.period.min(), hi=act.period.max())
    return bounds.select(period=ibis.range(bounds.lo, bounds.hi + step, step).unnest())


def _offset(start: ir.TimestampValue, end: ir.TimestampValue, period: Period) -> ir.IntegerValue:
    """Whole periods from ``start`` to ``end`` (both period starts)."""
    if period in ("month", "quarter"):
        months = (end.year() - start.year()) * 12 + (end.month() - start.month())
        return (months // (3 if period == "quarter" else 1)).cast("int64")
    seconds = end.epoch_seconds() - start.epoch_seconds()  # UTC: no daylight saving
    return (seconds // (86_400 if period == "day" else 7 * 86_400)).cast("int64")


def _no_such_event(log: EventLog, event: str) -> UsageError:
    t, ready = events_of(log)
    if ready is not None:
        known = ready.names()
    else:
        known = log.engine.run(t.select("event").distinct()).column("event").to_pylist()
    close = difflib.get_close_matches(event, sorted(known), n=3)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return UsageError(f"no event {event!r} in the log{hint}")


def retention(log: EventLog, *, period: Period, event: str | None = None) -> pa.Table:
    """Per period: customers at start, retained, new, reactivated, lost, at end, retention
    and churn rates. See the module docstring for the definitions."""
    import ibis

    act = _activity(log, period, event)
    w = ibis.window(group_by=act.customer, order_by=act.period)
    before = act.period.lag().over(w)
    act = act.mutate(
        was_active=(before == act.period - _step(period)).fill_null(False),
        is_new=before.isnull(),
    )
    per = act.group_by("period").aggregate(
        customers_at_end=act.count(),
        retained=act.was_active.sum(),
        new=act.is_new.sum(),
    )
    cal = _calendar(act, period)
    t = cal.left_join(per, "period").select(
        period=cal.period,
        customers_at_end=per.customers_at_end.fill_null(0).cast("int64"),
        retained=per.retained.fill_null(0).cast("int64"),
        new=per.new.fill_null(0).cast("int64"),
    )
    start = t.customers_at_end.lag().over(ibis.window(order_by=t.period)).fill_null(0)
    t = t.mutate(customers_at_start=start.cast("int64"))
    denominator = t.customers_at_start.nullif(0).cast("float64")
    t = t.mutate(
        reactivated=t.customers_at_end - t.retained - t.new,
        lost=t.customers_at_start - t.retained,
        retention_rate=t.retained.cast("float64") * 100.0 / denominator,
        retention_rate_standard=(t.customers_at_end - t.new).cast("float64") * 100.0 / denominator,
        churn_rate=(t.customers_at_start - t.retained).cast("float64") * 100.0 / denominator,
    )
    out = t.select(
        period=t.period.date(),
        customers_at_start=t.customers_at_start,
        retained=t.retained,
        new=t.new,
        reactivated=t.reactivated,
        lost=t.lost,
        customers_at_end=t.customers_at_end,
        retention_rate=t.retention_rate,
        retention_rate_standard=t.retention_rate_standard,
        churn_rate=t.churn_rate,
    ).order_by("period")
    result = log.engine.run(out)
    if event is not None and result.num_rows == 0:
        raise _no_such_event(log, event)
    return result


def cohorts(log: EventLog, *, period: Period, event: str | None = None) -> pa.Table:
    """Cohort retention, long format: ``cohort`` (date the cohort's first period starts),
    ``period_offset`` k (0, 1, ...), ``period`` (date of the period k after the cohort's),
    ``cohort_size`` (customers first active in the cohort period), ``customers`` (of them,
    active k periods later), ``share`` = customers / cohort_size (0..1). Every k from 0 to the
    last period of the calendar appears, with 0 customers where none were active."""
    act = _activity(log, period, event)
    first = act.group_by("customer").aggregate(cohort=act.period.min())
    joined = act.join(first, "customer")
    counts = joined.group_by(["cohort", "period"]).aggregate(customers=joined.count())
    sizes = first.group_by("cohort").aggregate(cohort_size=first.count())
    cal = _calendar(act, period)
    grid = sizes.cross_join(cal)
    grid = grid.filter(grid.period >= grid.cohort)
    t = grid.left_join(counts, [grid.cohort == counts.cohort, grid.period == counts.period]).select(
        cohort=grid.cohort,
        period=grid.period,
        cohort_size=grid.cohort_size.cast("int64"),
        customers=counts.customers.fill_null(0).cast("int64"),
    )
    out = t.select(
        cohort=t.cohort.date(),
        period_offset=_offset(t.cohort, t.period, period),
        period=t.period.date(),
        cohort_size=t.cohort_size,
        customers=t.customers,
        share=t.customers.cast("float64") / t.cohort_size.cast("float64"),
    ).order_by(["cohort", "period_offset"])
    result = log.engine.run(out)
    if event is not None and result.num_rows == 0:
        raise _no_such_event(log, event)
    return result


def cohort_matrix(table: pa.Table, *, value: Literal["share", "customers"] = "share") -> pa.Table:
    """Pivot :func:`cohorts`' long table wide: ``cohort, cohort_size`` and one column per
    offset k (named ``"0"``, ``"1"``, ...) holding ``value``; null past the calendar's end."""
    import pyarrow as pa

    rows = table.select(["cohort", "cohort_size", "period_offset", value]).to_pylist()
    width = 1 + max((int(r["period_offset"]) for r in rows), default=-1)
    order: list[object] = []
    sizes: dict[object, int] = {}
    cells: dict[object, list[object]] = {}
    for r in rows:
        key = r["cohort"]
        if key not in cells:
            order.append(key)
            sizes[key] = r["cohort_size"]
            cells[key] = [None] * width
        cells[key][int(r["period_offset"])] = r[value]
    cohort_type = table.schema.field("cohort").type
    value_type = table.schema.field(value).type
    columns: dict[str, pa.Array] = {
        "cohort": pa.array(order, type=cohort_type),
        "cohort_size": pa.array([sizes[k] for k in order], type=pa.int64()),
    }
    for k in range(width):
        columns[str(k)] = pa.array([cells[c][k] for c in order], type=value_type)
    return pa.table(columns)
