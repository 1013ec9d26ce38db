"""Retention, churn and cohorts per calendar period.

A customer is **active** in a period if it has an event in it (or, with ``event``, that
event: e.g. ``purchase``). Periods are calendar periods in UTC: days, ISO weeks (starting on
Monday), months, quarters; each is named by the date it starts. The calendar runs from the
first period with activity to the period the data ends in (see *Partial periods*), every
period in between included, active or not: customers active only before the last periods
are counted lost in them.

Per period P, with P−1 the calendar period before it, every customer active in P is exactly
one of retained, new or reactivated, and every customer active in P−1 is retained or lost:

======================  =====================================================================
column                  definition
======================  =====================================================================
period                  date P starts
partial                 the data covers only part of P (see below): its counts are not those
                        of a full period
customers_at_start      S: active in P−1 (0 for the first period)
retained                R: active in P−1 and in P
new                     N: active in P for the first time ever (in the data)
reactivated             A: active in P, not in P−1, and active before (back after a break)
lost                    L: active in P−1, not in P  (= S − R)
customers_at_end        E: active in P  (= R + N + A)
retention_rate          R / S × 100
churn_rate              L / S × 100  (= 100 − retention_rate)
======================  =====================================================================

Rates are percentages, null when S is 0. Both lie between 0 and 100.

The seeds' standard form, (E − N) ÷ S × 100, assumes that everyone at the end of a period is
either new or was a customer at its start. Reactivated customers are neither: counted in E,
they make the "retention" exceed 100% (CDNOW, monthly: 132.8% in March 1998, with 1,489 of the
2,060 customers active that month back after a break). The standard form holds when E counts
the customers at the end who were customers at the start or are new (R + N): then
(E − N) ÷ S = R ÷ S, the ``retention_rate``. Reactivated customers are reported apart.

**Partial periods.** The data covers the time from its first period (or, for a log cut with
``since``, from that bound) to its end: the last event's time (the whole day of it when every
time in the log is a midnight, i.e. the log has dates without times), or the log's ``until``
bound when that comes first. A period not wholly inside is ``partial``: usually the last one,
which the data ends in the middle of; with ``since`` in the middle of a period, the first one
too. :func:`partial_notes` says so in words. The table's schema metadata holds the end
(``journeymap.data_end``, ISO, UTC).

With ``by``, one table per segment of the log (:func:`journeymap.events.subset.segments`),
stacked under a first column ``segment``; each segment has its own calendar, and the end of
the data is the whole log's.

:func:`cohorts` groups customers by the period of their first activity (the cohort) and
counts, for every k from 0 to the last period, the cohort's customers active k periods later;
long format, one row per (cohort, k), with the ``partial`` flag of the period k;
:func:`cohort_matrix` pivots it wide at the edge.
"""

from __future__ import annotations

import difflib
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from journeymap.errors import UsageError
from journeymap.events.prepare import events_of

if TYPE_CHECKING:
    from collections.abc import Callable

    import ibis.expr.types as ir
    import pyarrow as pa

    from journeymap.events.read import EventLog

__all__ = [
    "DATA_END",
    "Period",
    "cohort_matrix",
    "cohorts",
    "observed",
    "partial_notes",
    "retention",
]

#: the schema metadata keys of the time the data covers (ISO, naive UTC; the end exclusive)
DATA_END = b"journeymap.data_end"
DATA_START = b"journeymap.data_start"

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


def _calendar(act: ir.Table, period: Period, window: tuple[datetime | None, datetime]) -> ir.Table:
    """Every period from the first with activity to the one the data ends in (the last
    with activity when that is later): one column ``period``."""
    from datetime import timedelta

    import ibis

    step = _step(period)
    last = ibis.literal(window[1] - timedelta(microseconds=1)).truncate(_UNIT[period])
    bounds = act.aggregate(lo=act.period.min(), hi=act.period.max())
    hi = ibis.greatest(bounds.hi, last)
    return bounds.select(period=ibis.range(bounds.lo, hi + step, step).unnest())


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


def observed(log: EventLog) -> tuple[datetime | None, datetime]:
    """The time the data covers: (start, end), naive UTC, the end exclusive; the start is
    the log's ``since`` bound (``None`` without one). See *Partial periods*."""
    from datetime import timedelta

    kept = log.subset
    if kept is not None and kept.last_ts is not None:
        last, dated = kept.last_ts, kept.dated
    else:
        t, _ = events_of(log)
        last = log.engine.scalar(t.ts.max())
        # a log of dates has every time at midnight, its last one too: only then is every
        # time looked at (0.1 s of 10M events, the last one alone 0.02 s)
        dated = last.time() == datetime.min.time() and not log.engine.scalar(
            (t.ts != t.ts.truncate("D")).any()
        )
    end = last + (timedelta(days=1) if dated else timedelta(microseconds=1))
    if kept is not None and kept.until is not None:
        end = min(end, kept.until)
    return (kept.since if kept is not None else None), end


def _partial(
    period: ir.TimestampValue, kind: Period, window: tuple[datetime | None, datetime]
) -> ir.BooleanValue:
    """Whether the period is not wholly inside the time the data covers."""
    start, end = window
    out = (period + _step(kind)) > end
    if start is not None:
        out = out | (period < start)
    return out


def _with_end(table: pa.Table, window: tuple[datetime | None, datetime]) -> pa.Table:
    meta = dict(table.schema.metadata or {})
    meta[DATA_END] = window[1].isoformat().encode()
    if window[0] is not None:
        meta[DATA_START] = window[0].isoformat().encode()
    return table.replace_schema_metadata(meta)


def partial_notes(table: pa.Table) -> list[str]:
    """Sentences about the partial periods of a :func:`retention` or :func:`cohorts` table
    (empty when there is none)."""
    if "partial" not in table.column_names or "period" not in table.column_names:
        return []
    meta = table.schema.metadata or {}
    end = meta.get(DATA_END, b"").decode()
    start = meta.get(DATA_START, b"").decode()
    flagged = sorted({r["period"] for r in table.select(["period", "partial"]).to_pylist()
                      if r["partial"]})  # fmt: skip
    out = []
    for p in flagged:
        when = p.isoformat() if hasattr(p, "isoformat") else str(p)
        if start and when < start[:10]:
            out.append(
                f"period {when} is partial: the data starts {_start(start)} (since), after the "
                "period does; its figures cover part of it"
            )
        else:
            out.append(
                f"period {when} is partial: the data ends {_readable(end)}, before the period "
                "does; its figures cover part of it, not a full period"
            )
    return out


def _start(iso: str) -> str:
    start = datetime.fromisoformat(iso)
    if start.time() == datetime.min.time():
        return start.date().isoformat()
    return start.isoformat(sep=" ") + " UTC"


def _readable(iso: str) -> str:
    """The end of the data for people: ``before 2024-03-08`` (a bound at midnight), else the
    last event's time, ``at 2024-03-14 09:30:00 UTC`` (the end is just after it)."""
    from datetime import timedelta

    end = datetime.fromisoformat(iso)
    if end.time() == datetime.min.time():
        return f"before {end.date().isoformat()}"
    last = end - timedelta(microseconds=1)
    shown = last.isoformat(sep=" ", timespec="seconds" if not last.microsecond else "auto")
    return f"at {shown} UTC"


def retention(
    log: EventLog, *, period: Period, event: str | None = None, by: str | None = None
) -> pa.Table:
    """Per period: partial or not, customers at start, retained, new, reactivated, lost, at
    end, retention and churn rates; with ``by``, per segment. See the module docstring."""
    return _per_segment(log, _retention, period, event, by)


def _per_segment(
    log: EventLog,
    compute: Callable[[EventLog, Period, str | None, tuple[datetime | None, datetime]], pa.Table],
    period: Period,
    event: str | None,
    by: str | None,
) -> pa.Table:
    """``compute`` on the whole log, or on each segment by ``by`` (each judged against the
    time the whole log covers); a named event the log lacks is a clear error."""
    window = observed(log)
    if by is not None:
        from journeymap.events.subset import by_segment

        _check_event(log, event)
        return by_segment(log, by, lambda seg: compute(seg, period, event, window))
    result = compute(log, period, event, window)
    if event is not None and result.num_rows == 0:
        raise _no_such_event(log, event)
    return result


def _retention(
    log: EventLog, period: Period, event: str | None, window: tuple[datetime | None, datetime]
) -> pa.Table:
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
    cal = _calendar(act, period, window)
    t = cal.left_join(per, "period").select(
        period=cal.period,
        customers_at_end=per.customers_at_end.fill_null(0).cast("int64"),
        retained=per.retained.fill_null(0).cast("int64"),
        new=per.new.fill_null(0).cast("int64"),
    )
    start = t.customers_at_end.lag().over(ibis.window(order_by=t.period)).fill_null(0)
    t = t.mutate(customers_at_start=start.cast("int64"))
    denominator = t.customers_at_start.nullif(0).cast("float64")
    out = t.select(
        period=t.period.date(),
        partial=_partial(t.period, period, window),
        customers_at_start=t.customers_at_start,
        retained=t.retained,
        new=t.new,
        reactivated=t.customers_at_end - t.retained - t.new,
        lost=t.customers_at_start - t.retained,
        customers_at_end=t.customers_at_end,
        retention_rate=t.retained.cast("float64") * 100.0 / denominator,
        churn_rate=(t.customers_at_start - t.retained).cast("float64") * 100.0 / denominator,
    ).order_by("period")
    return _with_end(log.engine.run(out), window)


def _check_event(log: EventLog, event: str | None) -> None:
    """Raise for an event the whole log lacks (a segment may lack it: it then has no rows)."""
    if event is None:
        return
    t, ready = events_of(log)
    if ready is not None:
        known = ready.code_of([event])
    else:
        known = log.engine.run(t.filter(t.event == event).select("event").limit(1)).num_rows
    if not known:
        raise _no_such_event(log, event)


def cohorts(
    log: EventLog, *, period: Period, event: str | None = None, by: str | None = None
) -> pa.Table:
    """Cohort retention, long format: ``cohort`` (date the cohort's first period starts),
    ``period_offset`` k (0, 1, ...), ``period`` (date of the period k after the cohort's),
    ``partial`` (that period is partial), ``cohort_size`` (customers first active in the
    cohort period), ``customers`` (of them, active k periods later), ``share`` = customers /
    cohort_size (0..1). Every k from 0 to the last period of the calendar appears, with 0
    customers where none were active. With ``by``, per segment (a first column
    ``segment``)."""
    return _per_segment(log, _cohorts, period, event, by)


def _cohorts(
    log: EventLog, period: Period, event: str | None, window: tuple[datetime | None, datetime]
) -> pa.Table:
    act = _activity(log, period, event)
    first = act.group_by("customer").aggregate(cohort=act.period.min())
    joined = act.join(first, "customer")
    counts = joined.group_by(["cohort", "period"]).aggregate(customers=joined.count())
    sizes = first.group_by("cohort").aggregate(cohort_size=first.count())
    cal = _calendar(act, period, window)
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
        partial=_partial(t.period, period, window),
        cohort_size=t.cohort_size,
        customers=t.customers,
        share=t.customers.cast("float64") / t.cohort_size.cast("float64"),
    ).order_by(["cohort", "period_offset"])
    return _with_end(log.engine.run(out), window)


def cohort_matrix(table: pa.Table, *, value: Literal["share", "customers"] = "share") -> pa.Table:
    """Pivot :func:`cohorts`' long table wide: ``cohort, cohort_size`` and one column per
    offset k (named ``"0"``, ``"1"``, ...) holding ``value``; null past the calendar's end.
    A table by segment keeps its ``segment`` column first, one row per segment and cohort."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from journeymap._arrow import indices

    segmented = "segment" in table.column_names
    segments = table.column("segment").to_pylist() if segmented else None
    cohorts = table.column("cohort").to_pylist()
    offsets = table.column("period_offset").to_pylist()
    width = 1 + max((int(k) for k in offsets), default=-1)
    # each (segment, cohort) row of the wide table, at its first long row; its cells, the
    # long rows of each period offset (a period nobody was active in stays empty)
    first: dict[tuple[object, object], int] = {}
    cells: dict[tuple[object, object], list[int | None]] = {}
    for i, (cohort, k) in enumerate(zip(cohorts, offsets, strict=True)):
        key = (segments[i] if segments is not None else None, cohort)
        if key not in first:
            first[key] = i
            cells[key] = [None] * width
        cells[key][int(k)] = i
    rows = indices(list(first.values()))
    names = (["segment"] if segmented else []) + ["cohort", "cohort_size"]
    columns: dict[str, pa.Array | pa.ChunkedArray] = {
        name: pc.take(table.column(name), rows) for name in names
    }
    for k in range(width):
        columns[str(k)] = pc.take(table.column(value), indices([c[k] for c in cells.values()]))
    return pa.table(columns)
