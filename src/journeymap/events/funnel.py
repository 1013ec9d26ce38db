"""Ordered funnels: how many journeys reach each step, in order, and how long it takes.

Definition (issue 3), on the prepared order of each journey (time, then input order):

* A journey reaches step 1 at its **first** event of step 1.
* It reaches step k at its first event of step k that comes **after** the position where it
  reached step k−1. An event counts for one step only: two consecutive steps naming the same
  event need two occurrences of it.
* With ``within``, step k counts only if it is reached at most ``within`` after step 1 (to
  the nanosecond, inclusive). The first event of step 1 is the anchor; a later occurrence
  of step 1 does not restart the clock.
* A step is an event name or a set of names (any of them reaches the step).

A journey is a customer (``per="customer"``) or a session (``per="session"``); ``customers``
counts journeys.

Columns, one row per step (every step, reached by nobody or not):

========================  ========  =========================================================
column                    type      meaning
========================  ========  =========================================================
step                      int64     1, 2, ... in the order given
name                      string    the step's event name(s), a set joined with ``" | "``
customers                 int64     journeys that reached the step
conversion_from_previous  float64   customers / customers of the previous step, 0..1
                                    (1 for step 1; null when the previous step has none)
conversion_from_first     float64   customers / customers of step 1, 0..1
drop_off                  int64     customers of the previous step that did not reach this
                                    one (0 for step 1)
median_seconds            float64   median time from reaching the previous step to reaching
                                    this one (exact, linear interpolation); null for step 1
p90_seconds               float64   its 90th percentile
========================  ========  =========================================================

Everything is one Ibis expression: a join per step of that step's events with the journeys
that reached the previous step, keeping the first later event.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from journeymap.errors import UsageError
from journeymap.events.prepare import Per, prepare, seconds_between

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

    from journeymap.events.prepare import Prepared
    from journeymap.events.read import EventLog

__all__ = ["Step", "funnel", "step_label"]

#: A funnel step: one event name, or a set of names any of which reaches the step.
Step = str | Sequence[str]

SET_SEPARATOR = " | "


def _normalise(steps: Sequence[Step]) -> list[tuple[str, ...]]:
    if isinstance(steps, str) or not steps:
        raise UsageError("a funnel needs a list of steps, e.g. steps=['visit', 'cart', 'buy']")
    out: list[tuple[str, ...]] = []
    for i, step in enumerate(steps, 1):
        names = (step,) if isinstance(step, str) else tuple(step)
        names = tuple(dict.fromkeys(n.strip() for n in names if n.strip()))
        if not names:
            raise UsageError(f"funnel step {i} names no event")
        out.append(names)
    return out


def step_label(step: Step) -> str:
    """``"a"`` -> ``"a"``; ``["a", "b"]`` -> ``"a | b"``."""
    return step if isinstance(step, str) else SET_SEPARATOR.join(step)


def _check_names(prepared: Prepared, steps: list[tuple[str, ...]]) -> None:
    """A step naming an event the log never has is a typo far more often than not."""
    _check_known(prepared.names(), steps)


def _check_known(names: Sequence[str], steps: list[tuple[str, ...]]) -> None:
    known = set(names)
    for i, names in enumerate(steps, 1):
        for name in names:
            if name not in known:
                close = difflib.get_close_matches(name, sorted(known), n=3)
                hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
                raise UsageError(f"funnel step {i}: no event {name!r} in the log{hint}")


def funnel(
    log: EventLog,
    *,
    steps: Sequence[Step],
    within: timedelta | None = None,
    per: Per = "customer",
    by: str | None = None,
) -> pa.Table:
    """Journeys reaching each step in order; see the module docstring for the definition and
    the columns. With ``by``, one funnel per segment of the log
    (:func:`journeymap.events.subset.segments`), stacked under a first column ``segment``.
    Raises :class:`UsageError` for a step naming an event absent from the log."""
    sets = _normalise(steps)
    if within is not None and within <= timedelta(0):
        raise UsageError(f"--within must be a positive duration, not {within}")
    if by is not None:
        from journeymap.events.subset import by_segment

        names = log.event_names
        if names is None:
            found = log.engine.run(log.table.select("event").distinct())
            names = tuple(str(n) for n in found["event"].to_pylist())
        _check_known(names, sets)
        return by_segment(log, by, lambda seg: _funnel(seg, sets, within, per))
    prepared = prepare(log, per=per)
    _check_names(prepared, sets)
    return _funnel(log, sets, within, per)


def _funnel(
    log: EventLog, sets: list[tuple[str, ...]], within: timedelta | None, per: Per
) -> pa.Table:
    import ibis

    prepared = prepare(log, per=per)
    p = prepared.table.select("journey", "code", "pos", "ts", "ts_sub")
    within_ns = None if within is None else within // timedelta(microseconds=1) * 1000
    rows: list[ir.Table] = []
    reached: ir.Table | None = None
    for k, names in enumerate(sets, 1):
        hits = p.filter(p.code.isin(prepared.code_of(names)))
        if reached is None:
            step = _first_step(hits, sub=log.sub_microsecond)
        else:
            step = _next_step(hits, reached, within_ns=within_ns, sub=log.sub_microsecond)
        reached = step.select("journey", "pos", "ts", "sub", "ts1", "sub1")
        rows.append(
            step.aggregate(
                step=ibis.literal(k, type="int64"),
                name=ibis.literal(SET_SEPARATOR.join(names), type="string"),
                customers=step.count().cast("int64"),
                median_seconds=step.secs.quantile(0.5).cast("float64"),
                p90_seconds=step.secs.quantile(0.9).cast("float64"),
            )
        )
    table = rows[0]
    for row in rows[1:]:
        table = table.union(row)
    return log.engine.run(_conversions(table))


def _first_sub(sub: ir.IntegerColumn, pos: ir.IntegerColumn, *, known: bool) -> ir.IntegerScalar:
    """The sub-µs time of the first event of a set. The first event (the least position)
    has the least time too: positions follow the times; its sub-µs time is the one at the
    least position, unless the log has none (``known``)."""
    return sub.argmin(pos) if known else sub.min()


def _first_step(hits: ir.Table, *, sub: bool) -> ir.Table:
    """Step 1: each journey's first event of the step, the anchor of ``within``."""
    import ibis

    first = hits.group_by("journey").aggregate(
        pos=hits.pos.min(), ts=hits.ts.min(), sub=_first_sub(hits.ts_sub, hits.pos, known=sub)
    )
    return first.mutate(ts1=first.ts, sub1=first.sub, secs=ibis.null().cast("float64"))


def _next_step(hits: ir.Table, prev: ir.Table, *, within_ns: int | None, sub: bool) -> ir.Table:
    """Step k: each journey's first event of the step after where it reached step k-1
    (``prev``), within ``within_ns`` of step 1; and the seconds from step k-1."""
    j = hits.join(prev, hits.journey == prev.journey).select(
        journey=hits.journey,
        pos=hits.pos,
        ts=hits.ts,
        sub=hits.ts_sub,
        prev_pos=prev.pos,
        prev_ts=prev.ts,
        prev_sub=prev.sub,
        ts1=prev.ts1,
        sub1=prev.sub1,
    )
    later = j.pos > j.prev_pos
    if within_ns is not None:
        elapsed_ns = j.ts.delta(j.ts1, unit="microsecond") * 1000 + (j.sub - j.sub1)
        later = later & (elapsed_ns <= within_ns)
    j = j.filter(later)
    nxt = j.group_by(["journey", "prev_ts", "prev_sub", "ts1", "sub1"]).aggregate(
        pos=j.pos.min(), ts=j.ts.min(), sub=_first_sub(j.sub, j.pos, known=sub)
    )
    return nxt.mutate(secs=seconds_between(nxt.prev_ts, nxt.prev_sub, nxt.ts, nxt.sub)).select(
        "journey", "pos", "ts", "sub", "ts1", "sub1", "secs"
    )


def _conversions(table: ir.Table) -> ir.Table:
    """The steps' counts with conversion from the previous step and from step 1, and the
    drop-off, in the order of the steps."""
    import ibis

    w = ibis.window(order_by=table.step)
    previous = table.customers.lag().over(w)
    first_count = table.customers.first().over(w)
    out = table.mutate(
        conversion_from_previous=ibis.cases(
            (table.step == 1, ibis.cases((table.customers > 0, 1.0), else_=ibis.null())),
            else_=table.customers.cast("float64") / previous.nullif(0).cast("float64"),
        ),
        conversion_from_first=table.customers.cast("float64")
        / first_count.nullif(0).cast("float64"),
        drop_off=(previous.fill_null(table.customers) - table.customers).cast("int64"),
    )
    return out.select(
        "step",
        "name",
        "customers",
        "conversion_from_previous",
        "conversion_from_first",
        "drop_off",
        "median_seconds",
        "p90_seconds",
    ).order_by("step")
