"""Activity instances from lifecycle transitions: a start and its complete are one step.

Process logs (XES, and CSV exports of them) often record an activity twice: when it starts
and when it completes (``lifecycle:transition``). ``journeymap events`` commands keep every
event, as pm4py does (``--lifecycle complete`` keeps one transition). A journey measured
step by step needs the activity once, with how long it took: :func:`steps` turns the log
into one event per activity instance, so that a start and its complete never become a
self-loop (``A -> A``).

Pairing, per customer and activity, in the log's order (time, then input order):

* a ``start`` opens an instance; a ``complete`` closes the **oldest** open instance of the
  same activity by the same customer (first in, first out: nested or repeated instances
  pair in order, as pm4py's ``interval_lifecycle.to_interval`` does);
* a ``complete`` with no open instance is a step of its own, with no service time recorded
  (service 0, state ``no start``);
* a ``start`` that no ``complete`` closes is a step still open at the end of the data
  (``open``: no end, no service time), counted;
* an event without a transition counts as ``complete`` (pm4py's rule);
* other transitions (``schedule``, ``assign``, ``suspend``, ``resume``, ``withdraw``, ...)
  are not steps: they are left out, and counted by value;
* a log with no ``start`` at all has nothing to pair (e.g. every event ``complete``, or a
  column of statuses as in BPI Challenge 2013): every event is one step (``no start``), and
  no event is left out. A log without a lifecycle column is read the same way.

Transitions are compared without case and around-spaces.

The steps are a new :class:`~journeymap.events.read.EventLog` (materialised once), one row
per step, with the log's columns and:

===============  ==========  ==============================================================
column           type        meaning
===============  ==========  ==============================================================
ts, ts_sub, seq  as the log  when the step starts: its ``start`` (the ``complete`` without a
                             start); the step's place in the journey
end_ts           timestamp   when it ends: its ``complete``; null for an open step
end_sub          int64       the sub-µs part of ``end_ts`` (0 without nanosecond times)
service_seconds  float64     end − start in seconds (0 for ``no start``; null when open)
state            string      ``paired``, ``no start`` or ``open``
===============  ==========  ==============================================================

The other columns (channel, value, the columns carried with ``keep``) are the completing
event's, the start's for an open step (pm4py keeps the complete's too). The lifecycle column
is left out. Every analysis runs on the steps as on any log; the time from one step to the
next is then start to start, and a wait is ``next ts − end_ts``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from journeymap._numbers import count

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from journeymap.events.read import EventLog

__all__ = ["COMPLETE", "START", "STATES", "Steps", "StepsReport", "steps"]

START = "start"
COMPLETE = "complete"
#: the states of a step
STATES = ("paired", "no start", "open")


@dataclass(frozen=True)
class StepsReport:
    """How the events became steps."""

    events: int
    steps: int
    paired: int
    no_start: int
    open: int
    #: events of other transitions (schedule, suspend, ...), left out, by transition
    other: dict[str, int] = field(default_factory=dict)
    #: whether the log has starts to pair (else every event is one step)
    pairs: bool = True

    def lines(self) -> list[str]:
        if not self.pairs:
            return [
                f"steps: {count(self.steps)} (no start transition in the log: every event "
                "is one step, with no service time recorded)"
            ]
        out = [
            f"steps: {count(self.steps)} from {count(self.events)} events: "
            f"{count(self.paired)} a start and its complete, {count(self.no_start)} a "
            f"complete without start (no service time recorded), {count(self.open)} "
            "started and not completed (open)"
        ]
        if self.other:
            out.append(
                "left out (not a start or a complete): "
                + ", ".join(f"{count(n)} {v}" for v, n in self.other.items())
            )
        return out


@dataclass(frozen=True)
class Steps:
    """The steps of a log (:func:`steps`) and how they were made."""

    log: EventLog
    report: StepsReport


def steps(log: EventLog) -> Steps:
    """One event per activity instance, with its end and service time: see the module
    docstring. Runs on every engine; the steps' table is materialised once."""
    import ibis

    t = log.table
    lc = _transition(t)
    engine = log.engine
    pairs = bool(engine.scalar((lc == START).any())) if lc is not None else False
    other: dict[str, int] = {}
    if not pairs:
        table = _as_they_are(t)
    else:
        assert lc is not None
        mine = t.mutate(__lc=lc)
        rest = mine.filter(~mine["__lc"].isin([START, COMPLETE]))
        counted = rest.group_by(v=rest["__lc"]).aggregate(n=rest.count())
        other = {
            str(r["v"]): int(r["n"])
            for r in engine.run(counted.order_by([ibis.desc("n"), "v"])).to_pylist()
        }
        table = _paired(mine.filter(mine["__lc"].isin([START, COMPLETE])))
    kept = engine.materialise(table, prefix="steps")
    states = engine.run(kept.group_by("state").aggregate(n=kept.count())).to_pylist()
    by_state = {str(r["state"]): int(r["n"]) for r in states}
    report = StepsReport(
        events=log.size,
        steps=sum(by_state.values()),
        paired=by_state.get("paired", 0),
        no_start=by_state.get("no start", 0),
        open=by_state.get("open", 0),
        other=other,
        pairs=pairs,
    )
    return Steps(dataclasses.replace(log, table=kept), report)


def _transition(t: ir.Table) -> ir.StringValue | None:
    """Each event's transition, lower case, ``complete`` when missing; ``None`` without a
    lifecycle column."""
    if "lifecycle" not in t.columns:
        return None
    return t.lifecycle.strip().lower().fill_null(COMPLETE)


def _own(t: ir.Table) -> list[str]:
    """The log's columns a step carries (all but the lifecycle and our own)."""
    return [c for c in t.columns if c != "lifecycle" and not c.startswith("__")]


def _as_they_are(t: ir.Table) -> ir.Table:
    """Every event one step without a start: ends when it happens, no service time."""
    import ibis

    return t.select(
        *_own(t),
        end_ts=t.ts,
        end_sub=t.ts_sub,
        service_seconds=ibis.literal(0.0, type="float64"),
        state=ibis.literal("no start", type="string"),
    )


def _paired(t: ir.Table) -> ir.Table:
    """Starts and completes (``__lc``) paired first in, first out, per customer and activity.

    With +1 for a start and −1 for a complete, S is the running sum in order; the completes
    that found no open start up to an event are U = −min(0, min S so far) (the queue's length
    is S + U, never below 0). A complete is unmatched when U grows at it; otherwise it is the
    (completes so far − U)-th successful close, and first in, first out pairs it with the
    start of the same number.
    """
    import ibis

    keys = [t.customer, t.event]
    order = [t.ts, t.ts_sub, t.seq]
    upto = ibis.cumulative_window(group_by=keys, order_by=order)
    is_start = t["__lc"] == START
    t = t.mutate(
        __s=ibis.ifelse(is_start, 1, -1).sum().over(upto),
        __k=is_start.cast("int64").sum().over(upto),
        __c=(~is_start).cast("int64").sum().over(upto),
    )
    upto = ibis.cumulative_window(group_by=[t.customer, t.event], order_by=[t.ts, t.ts_sub, t.seq])
    t = t.mutate(__u=-ibis.least(t["__s"], 0).min().over(upto))
    before = ibis.window(group_by=[t.customer, t.event], order_by=[t.ts, t.ts_sub, t.seq])
    t = t.mutate(__grew=t["__u"] > t["__u"].lag().over(before).fill_null(0))
    cols = _own(t)
    starts = t.filter(t["__lc"] == START)
    starts = starts.select(*cols, __n=starts["__k"])
    closes = t.filter((t["__lc"] == COMPLETE) & ~t["__grew"])
    closes = closes.select(
        *[c for c in cols if c not in ("ts", "ts_sub", "seq")],
        __n=closes["__c"] - closes["__u"],
        end_ts=closes.ts,
        end_sub=closes.ts_sub,
    )
    lone = t.filter((t["__lc"] == COMPLETE) & t["__grew"])
    return _union(starts, closes, _as_they_are(lone.select(*cols)), cols)


def _union(starts: ir.Table, closes: ir.Table, lone: ir.Table, cols: list[str]) -> ir.Table:
    """Paired steps (a start and its close), open starts and lone completes, as one table."""
    import ibis

    from journeymap.events.prepare import seconds_between

    j = starts.left_join(closes, ["customer", "event", "__n"])
    timing = ("ts", "ts_sub", "seq")
    # the completing event's columns (the start's when open); the start's time and order
    picked: dict[str, Any] = {}
    for c in cols:
        if c in timing or c in ("customer", "event"):
            picked[c] = starts[c]
        else:
            picked[c] = ibis.coalesce(closes[c], starts[c]) if c in closes.columns else starts[c]
    closed = closes["end_ts"].notnull()
    service = seconds_between(starts.ts, starts.ts_sub, closes["end_ts"], closes["end_sub"])
    paired = j.select(
        **picked,
        end_ts=closes["end_ts"],
        end_sub=closes["end_sub"],
        service_seconds=ibis.ifelse(closed, service, ibis.null("float64")),
        state=ibis.ifelse(closed, "paired", "open"),
    )
    return paired.union(lone.select(*paired.columns))
