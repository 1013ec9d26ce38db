"""How each journey ends: reached its goal, ended another way, abandoned, or still in progress.

A journey is one customer's matched events. Its outcome (the map's ``outcomes:``,
:class:`~journeymap.model.Outcomes`):

==============  ===========================================================================
outcome         when
==============  ===========================================================================
``goal``        its last event of an outcome touchpoint is one of the goal's touchpoints
an end's id     ... is one of that end's touchpoints (declined, cancelled, refunded)
``abandoned``   it has no event of an outcome touchpoint, and its last event is more than
                ``abandoned_after`` before the data ends (the log's last event;
                for filtered logs and segments, the whole log's, :func:`data_end`)
``in-progress`` it has no event of an outcome touchpoint, and its last event is more recent:
                the data ends before we can tell (censored): neither lost nor won
==============  ===========================================================================

The last outcome decides (an order, then a refund: ``refunded``); ``reached_goal`` says
whether the journey reached the goal at all (conversion). Ties in time are broken by input
order. Without ``outcomes:`` in the map the goal is the front-stage touchpoints of the last
stage (:meth:`~journeymap.model.JourneyMap.goal_touchpoints`), there is no other end and
``abandoned_after`` is 30 days.

Where a journey ends is its last **customer step** (front-stage touchpoint): back-stage work
after the customer's last step does not move the place where they stopped, but it does keep
the journey alive (the business is still on it), so silence is measured from the last event
of any kind.

:func:`journeys` gives one row per customer with a matched event (``customer, outcome,
reached_goal, last_tp, last_st``: the last customer step's touchpoint and stage orders, null
for a journey with back-stage events only), kept in the engine; :func:`outcome_counts`
counts them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from journeymap.model.outcome import DEFAULT_ABANDONED_AFTER, duration_of

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

    from journeymap.events.read import EventLog
    from journeymap.measuring.behaviour import Matched
    from journeymap.measuring.matching import Rule
    from journeymap.model import JourneyMap

__all__ = [
    "ABANDONED",
    "GOAL",
    "IN_PROGRESS",
    "OutcomeRules",
    "data_end",
    "journeys",
    "outcome_counts",
    "outcome_touchpoints",
]

GOAL = "goal"
ABANDONED = "abandoned"
IN_PROGRESS = "in-progress"


@dataclass(frozen=True)
class OutcomeRules:
    """A map's outcomes as touchpoint orders (1-based, map order)."""

    goal: tuple[int, ...]
    #: (end id, end name, its touchpoints' orders)
    ends: tuple[tuple[str, str, tuple[int, ...]], ...]
    abandoned_after_s: float
    #: the customer's steps: front-stage touchpoints
    front: tuple[int, ...]
    #: the map said nothing: the goal is the last stage's front-stage touchpoints
    defaulted: bool

    @classmethod
    def of(cls, m: JourneyMap, rules: list[Rule]) -> OutcomeRules:
        order = {r.touchpoint: r.order for r in rules}
        o = m.outcomes
        ends = tuple(
            (e.id, e.name, tuple(order[t] for t in e.touchpoints if t in order))
            for e in (o.ends if o is not None else [])
        )
        front = {tp.id for tp in m.customer_steps()}
        return cls(
            goal=tuple(order[t] for t in m.goal_touchpoints() if t in order),
            ends=ends,
            abandoned_after_s=cls.quiet_seconds(m),
            front=tuple(r.order for r in rules if r.touchpoint in front),
            defaulted=o is None or not o.goal,
        )

    @staticmethod
    def quiet_seconds(m: JourneyMap) -> float:
        """How long without an event a journey with no outcome counts as abandoned."""
        after = m.outcomes.abandoned_after if m.outcomes is not None else DEFAULT_ABANDONED_AFTER
        return duration_of(after).total_seconds()

    def names(self) -> dict[str, str]:
        """Each outcome's name for people, by its key."""
        return {
            GOAL: "Ended at the goal",
            **{key: name for key, name, _ in self.ends},
            ABANDONED: "Abandoned",
            IN_PROGRESS: "In progress",
        }


def outcome_touchpoints(m: JourneyMap) -> set[str]:
    """The touchpoints whose events end a journey (the goal's and the other ends'): a journey
    that stops there is finished, not given up."""
    ends = [t for e in m.outcomes.ends for t in e.touchpoints] if m.outcomes is not None else []
    return {*m.goal_touchpoints(), *ends}


def _kind(rules: OutcomeRules, tp: ir.IntegerValue) -> ir.StringValue:
    """The outcome an event of touchpoint ``tp`` stands for (null: none)."""
    import ibis

    cases = []
    if rules.goal:
        cases.append((tp.isin(list(rules.goal)), ibis.literal(GOAL)))
    cases += [(tp.isin(list(orders)), ibis.literal(key)) for key, _, orders in rules.ends if orders]
    return ibis.cases(*cases, else_=ibis.null("string")) if cases else ibis.null("string")


def _last_outcomes(t: ir.Table, rules: OutcomeRules) -> ir.Table:
    """Per customer with an outcome event: the outcome of the last one (time, then input
    order). Only outcome events are ordered: a few per journey."""
    import ibis

    marked = t.mutate(kind=_kind(rules, t.tp))
    hits = marked.filter(marked.kind.notnull())
    w = ibis.window(group_by=hits.customer, order_by=[hits.ts, hits.sub, hits.seq])
    ranked = hits.mutate(pos=ibis.row_number().over(w))
    return ranked.group_by("customer").aggregate(
        last_kind=ranked.kind.argmax(ranked.pos),
        reached_goal=(ranked.kind == GOAL).any(),
    )


def journeys(matched: Matched, rules: OutcomeRules, ordered: ir.Table) -> ir.Table:
    """One row per customer with a matched event: ``customer, outcome, reached_goal,
    last_tp, last_st`` (module docstring), kept in the engine. ``ordered``: the customers'
    steps in order (``measuring.behaviour``'s ordered pass: ``customer, tp, st, is_last``)."""
    import ibis

    engine = matched.engine
    end = data_end(matched.log)
    t = matched.table
    t = t.select(customer=t.customer, tp=t.tp_order, ts=t.ts, sub=t.ts_sub, seq=t.seq)
    per = t.group_by("customer").aggregate(last_ts=t.ts.max())
    last_step = ordered.filter(ordered.is_last).select("customer", last_tp="tp", last_st="st")
    outs = _last_outcomes(t, rules)
    j = per.left_join(outs, "customer").select(
        per.customer, per.last_ts, outs.last_kind, outs.reached_goal
    )
    j = j.left_join(last_step, "customer").select(
        j.customer, j.last_ts, j.last_kind, j.reached_goal, last_step.last_tp, last_step.last_st
    )
    cutoff = _naive(end) - dt.timedelta(seconds=rules.abandoned_after_s)
    outcome = ibis.cases(
        (j.last_kind.notnull(), j.last_kind),
        (j.last_ts < ibis.literal(cutoff), ibis.literal(ABANDONED)),
        else_=ibis.literal(IN_PROGRESS),
    )
    result = j.select(
        customer=j.customer,
        outcome=outcome,
        reached_goal=j.reached_goal.fill_null(False),
        last_tp=j.last_tp,
        last_st=j.last_st,
    )
    return engine.materialise(result, prefix="journeys")


def data_end(log: EventLog) -> Any:
    """When the data ends: the log's last event; for a subset of a log (filters, a
    segment), the last event of the log as read, or the ``until`` bound when earlier: a
    customer of one segment is not "in progress" because the segment's own events stop
    earlier than the data does."""
    kept = log.subset
    if kept is not None and kept.last_ts is not None:
        return kept.last_ts if kept.until is None else min(kept.last_ts, kept.until)
    return log.engine.scalar(log.table.ts.max())


def _naive(value: Any) -> dt.datetime:
    """The log's last time as a naive UTC datetime (the canonical ``ts`` is naive UTC)."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value
    raise TypeError(f"expected the log's last time, got {value!r}")


def outcome_counts(engine: Any, journeys: ir.Table, by: str | None = None) -> pa.Table:
    """How many journeys end each way (``outcome, customers``), per ``by`` (``last_tp`` or
    ``last_st``) when given, else overall."""
    keys = [by, "outcome"] if by else ["outcome"]
    result: pa.Table = engine.run(journeys.group_by(keys).aggregate(customers=journeys.count()))
    return result
