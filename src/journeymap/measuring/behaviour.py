"""Behaviour per touchpoint and stage: what customers do at each step of the map.

The map's ``events:`` rules link events to touchpoints (:mod:`journeymap.measuring.matching`:
exact names, globs, /regexes/, channel, where; the first touchpoint in map order wins an
event two rules match). :func:`match_events` labels the log's events once and keeps them in
the engine; :func:`check_links` reports what did not link cleanly; :func:`touchpoint_behaviour`
and :func:`stage_behaviour` measure.

Everything below is computed on the **matched events** only, each customer's in the order
(time, sub-microsecond time, input order): so "next" and "last" mean the next and last
*matched* event; unmatched events are invisible here. "Touchpoint X" below means "an event
claimed by X"; an **occurrence** is one event; a **visit** is a run of consecutive events
of the same touchpoint (or, for stages, of the same stage).

Per touchpoint (:func:`touchpoint_behaviour`), one row for every touchpoint of the map in
map order (those with no events: counts 0, rates and times null):

======================  =======  =============================================================
column                  type     meaning
======================  =======  =============================================================
stage, touchpoint       string   ids
order                   int64    1-based index in the map's touchpoints
customers               int64    reach: customers with at least one event of X
reach_share             float64  customers / customers with any matched event, 0..1
entries                 int64    events of X
repeat_customers        int64    customers with 2 or more events of X (even back to back)
loops                   int64    customers who come back to X after at least one event of
                                 another touchpoint in between (2 or more visits of X)
backtrack_customers     int64    customers for whom the event right after an event of X
                                 belongs to an EARLIER stage and comes within 30 minutes
                                 (the same visit), at least once
dropoff_customers       int64    customers whose last matched event is X
dropoff_rate            float64  dropoff_customers / customers
next_customers          int64    customers with an event of another touchpoint after an
                                 event of X (they moved on at least once)
median_seconds_to_next  float64  per occurrence of X: the seconds from it to the next event
p90_seconds_to_next     float64  of a different touchpoint (a tie in time counts 0 s, input
                                 order decides who is next); occurrences with none are left
                                 out; exact quantiles, linear interpolation (as flows)
support_customers       int64    customers with an event of a support touchpoint after an
                                 event of X (later in their order) and at most
                                 ``support_window`` after it (inclusive); null when the map
                                 has no support touchpoint, and for the support touchpoints
                                 themselves
support_rate            float64  support_customers / customers
value                   float64  sum of the log's value over the events of X (null when the
                                 log has no value column or none of them has a value)
service_steps           int64    a log of lifecycle steps (a start and its complete one step,
                                 ``events.lifecycle``): the steps of X with both; else null
median_service_seconds  float64  their median start-to-complete seconds (back stage too: the
                                 business' work takes time the customer waits through)
======================  =======  =============================================================

Example, one customer: ``A A B A C`` (A, B in stage 1, C in stage 2). A: entries 3, repeat
and loop (two visits: ``A A`` and ``A``), seconds to next measured from each of the three
A's (to B, to B, to C); B: next is A (same stage, no backtrack); dropoff at C. A customer
is in ``next_customers``, in ``dropoff_customers`` or in both (``A B A``).

Support touchpoints: the ``support`` ids given, else every touchpoint whose lane is
``support`` or whose channel is ``chat`` or ``phone``, AND whose name or id mentions
support, help, contact or ticket (:func:`default_support`). A support touchpoint itself has
no ``support_customers`` (null): its own contacts would count as "support after".

Per stage (:func:`stage_behaviour`), one row for every stage in map order:

=======================  =======  ============================================================
column                   type     meaning
=======================  =======  ============================================================
stage                    string   id
order                    int64    1-based index in the map's stages
customers                int64    customers with an event of any touchpoint of the stage
reach_share              float64  customers / customers with any matched event
converted                int64    customers of the stage with an event of any LATER stage
                                  after an event of this one; null for the last stage
conversion_to_next       float64  converted / customers (reaching any later stage counts)
dropoff_customers        int64    customers whose last matched event is in this stage
dropoff_rate             float64  dropoff_customers / customers
median_seconds_in_stage  float64  per visit of the stage: seconds from its first event to
                                  the first event after it (of another stage); the last
                                  visit of a customer is left out (exact median)
=======================  =======  ============================================================

Censoring: a log covers a window of time. A customer whose last event is near the end of
the log may come back after it: drop-off is "the journey ends here *within the log*", and
conversion, "afterwards" and times to next are as seen up to the log's last event. For the
last stage, drop-off is simply where journeys end (an outcome like ``passed`` ends journeys
too): read it with the stage's meaning.

Cost: matching is one ``CASE`` over the touchpoints, evaluated once and kept
(:meth:`Engine.materialise`); the ordered pass over the matched events (one sort, windows
for previous/next, visits and exits) is kept too and shared by both tables; support
contacts add one window and one join.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from journeymap.errors import UsageError
from journeymap.measuring.matching import (
    Rule,
    check_links,
    claim,
    derive,
    regex_errors,
    rules_of,
    stage_order_of,
)
from journeymap.measuring.outcomes import (
    ABANDONED,
    GOAL,
    IN_PROGRESS,
    OutcomeRules,
    journeys,
    outcome_counts,
)

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

    from journeymap.engine import Engine
    from journeymap.events.read import EventLog
    from journeymap.model import JourneyMap

    #: the schemas of the two tables (built on first use: see ``__getattr__`` at the end)
    BEHAVIOUR_SCHEMA: pa.Schema
    STAGE_SCHEMA: pa.Schema

__all__ = [
    "BEHAVIOUR_SCHEMA",
    "STAGE_SCHEMA",
    "Matched",
    "check_links",
    "default_support",
    "match_events",
    "stage_behaviour",
    "touchpoint_behaviour",
    "touchpoint_flows",
]

#: how soon the next event must come for a step back to an earlier stage to count as
#: back-tracking (a standard web-analytics visit timeout)
BACKTRACK_WITHIN_S = 30 * 60
_SUPPORT_WORDS = re.compile(r"support|help|contact|ticket", re.IGNORECASE)
_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(sec|min|s|m|h|d|w)")


@dataclass
class Matched:
    """A log's events labelled with their touchpoints.

    ``table`` (kept in the engine) has the columns the measures read (``customer, event,
    ts, ts_sub, seq`` and ``value`` when the log has one) plus ``touchpoint`` and ``stage``
    (ids) and ``tp_order`` (the touchpoint's 1-based index in the map), for the matched
    events only. ``rows``/``customers`` describe the whole log,
    ``matched_rows``/``matched_customers`` the matched part; the rest is unmatched.
    """

    log: EventLog
    table: ir.Table
    #: (stage id, touchpoint id) of every touchpoint of the map it was matched with
    touchpoints: tuple[tuple[str, str], ...]
    rows: int
    customers: int
    matched_rows: int
    matched_customers: int
    _ordered: ir.Table | None = field(default=None, repr=False)
    _journeys: ir.Table | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        return self.log.engine

    @property
    def unmatched_rows(self) -> int:
        return self.rows - self.matched_rows


# ---- matching --------------------------------------------------------------------------------


#: the columns of the log the matched table keeps
_MATCHED_COLUMNS = ("customer", "event", "ts", "ts_sub", "seq", "value", "service_seconds",
                    "state")  # fmt: skip


def match_events(log: EventLog, m: JourneyMap) -> Matched:
    """Label every event with the first touchpoint (in map order) whose rule matches it.

    Raises :class:`UsageError` naming the touchpoint when a rule needs a column the log lacks
    or a pattern the engine cannot run.
    """
    import ibis

    rules = rules_of(m)
    t = log.table
    engine = log.engine
    # every event with its claim, computed once and kept: the counts and the matched table
    # read it (the log itself may be a view that parses its source on every scan). Spark
    # keeps it lazily: the patterns run, and may fail, when the counts are computed.
    with regex_errors(engine, rules):
        labelled = derive(rules, t, lambda d: d.mutate(tp_order=claim(rules, d)))
        # only what the measures read is kept, and the event name (the channel, session and
        # carried columns have done their work once claimed): a smaller table to scan and hold
        kept = [c for c in _MATCHED_COLUMNS if c in labelled.columns]
        labelled = engine.materialise(labelled.select(*kept, "tp_order"), prefix="matched")
        hit = labelled.tp_order.notnull()
        counts = labelled.aggregate(
            rows=labelled.count(),
            customers=labelled.customer.nunique(),
            matched_rows=labelled.count(where=hit),
            matched_customers=labelled.customer.nunique(where=hit),
        )
        got = engine.run(counts).to_pylist()[0]
    mine = labelled.filter(hit)
    none = ibis.null("string")
    ids = [(mine.tp_order == r.order, r.touchpoint) for r in rules]
    stages = [(mine.tp_order == r.order, r.stage) for r in rules]
    table = mine.select(
        *kept,
        touchpoint=ibis.cases(*ids, else_=none) if ids else none,
        stage=ibis.cases(*stages, else_=none) if stages else none,
        tp_order=mine.tp_order,
    )
    return Matched(
        log,
        table,
        tuple((r.stage, r.touchpoint) for r in rules),
        **{k: int(v or 0) for k, v in got.items()},
    )


# ---- the ordered pass ------------------------------------------------------------------------


def _rules_for(matched: Matched, m: JourneyMap) -> list[Rule]:
    rules = rules_of(m)
    if tuple((r.stage, r.touchpoint) for r in rules) != matched.touchpoints:
        raise UsageError(
            "these events were matched with another map (its stages or touchpoints differ); "
            "match them with this map first: match_events(log, m)"
        )
    return rules


#: nanoseconds from a customer's first event are int64: journeys up to this long (290 years)
_MAX_SPAN_US = 290 * 365 * 86400 * 1_000_000


def _ordered(matched: Matched, rules: list[Rule]) -> ir.Table:
    """The customer's steps (matched events of front-stage touchpoints) in each customer's
    order, with what every metric reads (kept). Back-stage events are left out, so the time
    to the next step includes the back-stage work in between: the wait as the customer lives
    it.

    Two window passes over the same order. Times are exact integer nanoseconds since the
    customer's first matched event (``rel``), so "the next event of another touchpoint" is a
    minimum over the following rows: only the last event of a visit has a next event of
    another touchpoint, and ``rel`` never decreases along the order, so the smallest such
    ``rel`` after an event is its visit's exit.
    """
    import ibis

    if matched._ordered is not None:
        return matched._ordered
    t = matched.table
    front = [r.order for r in rules if r.front]
    if len(front) < len(rules):  # back-stage work is not a customer step
        t = t.filter(t.tp_order.isin(front))
    cols: dict[str, Any] = {
        "customer": t.customer,
        "tp": t.tp_order,
        "st": stage_order_of(rules, t.tp_order),
        "ts": t.ts,
        "sub": t.ts_sub,
        "seq": t.seq,
    }
    if "value" in t.columns:
        cols["value"] = t.value
    t = t.select(**cols)
    keys = [t.ts, t.sub, t.seq]
    w = ibis.window(group_by=t.customer, order_by=keys)
    after = ibis.window(group_by=t.customer, order_by=keys, rows=(1, None))
    since_us = t.ts.delta(t.ts.first().over(w), unit="microsecond")
    gap_us = t.ts.lead().over(w).delta(t.ts, unit="microsecond")
    o = t.mutate(
        pos=(ibis.row_number().over(w) + 1).cast("int64"),
        prev_tp=t.tp.lag().over(w),
        prev_st=t.st.lag().over(w),
        next_tp=t.tp.lead().over(w),
        next_st=t.st.lead().over(w),
        later_st=t.st.max().over(after),
        rel=ibis.cases(
            (since_us <= _MAX_SPAN_US, since_us * 1000 + t.sub - t.sub.first().over(w)),
            else_=ibis.null("int64"),
        ),
        gap=ibis.cases(
            (gap_us <= _MAX_SPAN_US, gap_us * 1000 + t.sub.lead().over(w) - t.sub),
            else_=ibis.null("int64"),
        ),
    )
    leaves = o.next_tp.notnull() & (o.next_tp != o.tp)
    leaves_stage = o.next_st.notnull() & (o.next_st != o.st)
    rest = ibis.window(group_by=o.customer, order_by=o.pos, rows=(0, None))
    null = ibis.null("int64")
    exit_rel = ibis.cases((leaves, o.rel + o.gap), else_=null).min().over(rest)
    stage_exit_rel = ibis.cases((leaves_stage, o.rel + o.gap), else_=null).min().over(rest)
    stage_start = o.prev_st.isnull() | (o.prev_st != o.st)
    keep: dict[str, Any] = {
        "customer": o.customer,
        "pos": o.pos,
        "tp": o.tp,
        "st": o.st,
        "rel": o.rel,
        "is_last": o.next_tp.isnull(),
        "run_start": o.prev_tp.isnull() | (o.prev_tp != o.tp),
        "stage_start": stage_start,
        "leaves": leaves,
        # going back within a visit (the next event within 30 minutes), not coming back
        # on a later visit, which is what loyal customers do
        "backtrack": ((o.next_st < o.st) & (o.gap <= BACKTRACK_WITHIN_S * 1_000_000_000)).fill_null(
            False
        ),
        "converts": (o.later_st > o.st).fill_null(False),
        "to_next_s": (exit_rel - o.rel).cast("float64") / 1e9,
        "in_stage_s": ibis.cases(
            (stage_start, (stage_exit_rel - o.rel).cast("float64") / 1e9),
            else_=ibis.null("float64"),
        ),
    }
    if "value" in o.columns:
        keep["value"] = o.value
    matched._ordered = matched.engine.materialise(o.select(**keep), prefix="tp_ordered")
    return matched._ordered


# ---- support ---------------------------------------------------------------------------------


def default_support(m: JourneyMap) -> list[str]:
    """The touchpoints counted as support contacts by default (see the module docstring)."""
    return [
        tp.id
        for _, tp in m.iter_touchpoints()
        if (tp.lane == "support" or tp.channel in ("chat", "phone"))
        and (_SUPPORT_WORDS.search(tp.name) or _SUPPORT_WORDS.search(tp.id))
    ]


def _seconds(window: timedelta | str) -> float:
    if isinstance(window, timedelta):
        seconds = window.total_seconds()
    else:
        compact = window.strip().lower().replace(" ", "")
        ok = bool(compact) and _PART.sub("", compact) == ""
        seconds = sum(float(n) * _UNITS[u] for n, u in _PART.findall(compact)) if ok else 0
    if seconds <= 0:
        raise UsageError(
            f"support_window: cannot read {window!r} as a positive duration; expected e.g. "
            "2d, 12h, 30m or a timedelta"
        )
    return seconds


def _support_orders(support: Sequence[str] | None, m: JourneyMap, rules: list[Rule]) -> list[int]:
    ids = default_support(m) if support is None else list(support)
    order = {r.touchpoint: r.order for r in rules}
    for tp in ids:
        if tp not in order:
            close = difflib.get_close_matches(tp, list(order), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise UsageError(f"support: the map has no touchpoint {tp!r}{hint}")
    return sorted({order[tp] for tp in ids})


def _with_support(o: ir.Table, orders: list[int], window_s: float) -> ir.Table:
    """``o`` with ``near_support``: a support event follows within the window.

    The first support event after an event is the one with the smallest ``rel`` among the
    following rows (``rel`` never decreases along the order): a minimum over a frame.
    """
    import ibis

    later = ibis.window(group_by=o.customer, order_by=o.pos, rows=(1, None))
    next_support = ibis.cases((o.tp.isin(orders), o.rel), else_=ibis.null("int64"))
    gap_ns = next_support.min().over(later) - o.rel
    return o.mutate(near_support=(gap_ns <= round(window_s * 1e9)).fill_null(False))


# ---- the tables ------------------------------------------------------------------------------


def _share(part: int | None, whole: int | None) -> float | None:
    return None if part is None or not whole else part / whole


def _merged(engine: Engine, key: str, *queries: ir.Table) -> dict[Any, dict[str, Any]]:
    """The rows of aggregations grouped by the same ``key``, one dict per key value."""
    got: dict[Any, dict[str, Any]] = {}
    for query in queries:
        for r in engine.run(query).to_pylist():
            got.setdefault(r[key], {}).update(r)
    return got


def _touchpoint_queries(o: ir.Table, sup_orders: list[int], window_s: float) -> list[ir.Table]:
    """The per-touchpoint aggregations of the ordered pass: counts per customer, then times."""
    rows = _with_support(o, sup_orders, window_s) if sup_orders else o
    c = rows.group_by(["customer", "tp"]).aggregate(
        n=rows.count(),
        runs=rows.run_start.cast("int64").sum(),
        backtrack=rows.backtrack.any(),
        last=rows.is_last.any(),
        moves_on=rows.leaves.any(),
        **({"support": rows.near_support.any()} if sup_orders else {}),
    )
    per_tp = c.group_by("tp").aggregate(
        repeat_customers=c.count(where=c.n >= 2),
        loops=c.count(where=c.runs >= 2),
        backtrack_customers=c.count(where=c.backtrack),
        dropoff_customers=c.count(where=c["last"]),
        next_customers=c.count(where=c.moves_on),
        **({"support_customers": c.count(where=c.support)} if sup_orders else {}),
    )
    times = o.group_by("tp").aggregate(
        median_seconds_to_next=o.to_next_s.quantile(0.5).cast("float64"),
        p90_seconds_to_next=o.to_next_s.quantile(0.9).cast("float64"),
    )
    return [per_tp, times]


_COUNTS = (
    "entries", "repeat_customers", "loops", "backtrack_customers", "dropoff_customers",
    "next_customers",
)  # fmt: skip


def _touchpoint_row(
    rule: Rule, r: dict[str, Any], total: int, sup_orders: list[int], ends: dict[str, int]
) -> dict[str, Any]:
    n = int(r.get("customers") or 0)
    row: dict[str, Any] = {
        "stage": rule.stage,
        "touchpoint": rule.touchpoint,
        "order": rule.order,
        "customer_step": rule.front,
        "customers": n,
        "reach_share": _share(n, total),
        "entries": int(r.get("entries") or 0),
        "value": r.get("value"),
        "service_steps": r.get("service_steps"),
        "median_service_seconds": r.get("median_service_seconds"),
    }
    if not rule.front:  # the business' work: reach and time, never the customer's steps
        return row
    counts = {k: int(r.get(k) or 0) for k in _COUNTS}
    # a support touchpoint is not "followed by support": that would count its own contacts
    is_support = rule.order in sup_orders
    sup = int(r.get("support_customers") or 0) if sup_orders and not is_support else None
    abandoned = ends.get(ABANDONED, 0)
    return {
        **row,
        **counts,
        "dropoff_rate": _share(counts["dropoff_customers"], n),
        "abandoned_customers": abandoned,
        "abandon_rate": _share(abandoned, n),
        "in_progress_customers": ends.get(IN_PROGRESS, 0),
        "median_seconds_to_next": r.get("median_seconds_to_next"),
        "p90_seconds_to_next": r.get("p90_seconds_to_next"),
        "support_customers": sup,
        "support_rate": _share(sup, n),
    }


def _reach(matched: Matched) -> ir.Table:
    """Customers, events and value per touchpoint over every matched event (back stage too),
    and, for a log of lifecycle steps, the service time of the steps with a start and a
    complete."""
    t = matched.table
    extra: dict[str, Any] = {}
    if "value" in t.columns:
        extra["value"] = t.value.sum().cast("float64")
    if "service_seconds" in t.columns and "state" in t.columns:
        paired = t.state == "paired"
        extra["service_steps"] = t.count(where=paired)
        extra["median_service_seconds"] = t.service_seconds.quantile(0.5, where=paired).cast(
            "float64"
        )
    return t.group_by(tp=t.tp_order).aggregate(
        customers=t.customer.nunique(), entries=t.count(), **extra
    )


def _ends(matched: Matched, m: JourneyMap, rules: list[Rule], by: str) -> dict[int, dict[str, int]]:
    """How many journeys end at each customer step (``by="last_tp"``) or stage
    (``"last_st"``), by outcome."""
    got: dict[int, dict[str, int]] = {}
    table = outcome_counts(matched.engine, journeys_of(matched, m), by)
    for r in table.to_pylist():
        if r[by] is not None:
            got.setdefault(int(r[by]), {})[str(r["outcome"])] = int(r["customers"])
    return got


def journeys_of(matched: Matched, m: JourneyMap) -> ir.Table:
    """How each journey of the matched log ends (:func:`journeymap.measuring.outcomes.journeys`),
    computed once and kept with the matched events."""
    if matched._journeys is None:
        rules = _rules_for(matched, m)
        matched._journeys = journeys(matched, OutcomeRules.of(m, rules), _ordered(matched, rules))
    return matched._journeys


def touchpoint_behaviour(
    matched: Matched,
    m: JourneyMap,
    *,
    support: Sequence[str] | None = None,
    support_window: timedelta | str = "2d",
) -> pa.Table:
    """One row per touchpoint of the map, in map order; columns and definitions in the
    module docstring. ``support``: the ids of the support touchpoints (default:
    :func:`default_support`); ``support_window``: how soon after counts (``"2d"``,
    ``"12h"``, a timedelta)."""
    import pyarrow as pa

    rules = _rules_for(matched, m)
    window_s = _seconds(support_window)
    sup_orders = _support_orders(support, m, rules)
    o = _ordered(matched, rules)
    queries = [*_touchpoint_queries(o, sup_orders, window_s), _reach(matched)]
    got = _merged(matched.engine, "tp", *queries)
    ends = _ends(matched, m, rules, "last_tp")
    total = matched.matched_customers
    out = [
        _touchpoint_row(rule, got.get(rule.order, {}), total, sup_orders, ends.get(rule.order, {}))
        for rule in rules
    ]
    return pa.Table.from_pylist(out, _touchpoint_schema())


def stage_behaviour(matched: Matched, m: JourneyMap) -> pa.Table:
    """One row per stage of the map, in order; columns and definitions in the module
    docstring."""
    import pyarrow as pa

    rules = _rules_for(matched, m)
    o = _ordered(matched, rules)
    c = o.group_by(["customer", "st"]).aggregate(converts=o.converts.any(), last=o.is_last.any())
    per_stage = c.group_by("st").aggregate(
        customers=c.count(),
        converted=c.count(where=c.converts & ~c["last"]),
        dropoff_customers=c.count(where=c["last"]),
    )
    visits = o.filter(o.stage_start)
    times = visits.group_by("st").aggregate(
        median_seconds_in_stage=visits.in_stage_s.quantile(0.5).cast("float64")
    )
    got = _merged(matched.engine, "st", per_stage, times)
    ends = _ends(matched, m, rules, "last_st")
    funnel = _stage_funnel(matched.engine, o, len(m.stages))
    total = matched.matched_customers
    out = [
        _stage_row(stage.id, i, got.get(i, {}), ends.get(i, {}), funnel[i - 1], total, last)
        for i, stage in enumerate(m.stages, 1)
        for last in [i == len(m.stages)]
    ]
    return pa.Table.from_pylist(out, _stage_schema())


def _stage_row(
    stage: str,
    i: int,
    r: dict[str, Any],
    ends: dict[str, int],
    funnel: int,
    total: int,
    last: bool,
) -> dict[str, Any]:
    """A stage's figures; ``customers = converted + dropoff_customers + went_back`` and
    ``dropoff_customers = ended_goal + ended_other + abandoned + in_progress``."""
    n = int(r.get("customers") or 0)
    converted = None if last else int(r.get("converted") or 0)
    ended = int(r.get("dropoff_customers") or 0)
    goal = ends.get(GOAL, 0)
    abandoned, progress = ends.get(ABANDONED, 0), ends.get(IN_PROGRESS, 0)
    return {
        "stage": stage,
        "order": i,
        "customers": n,
        "reach_share": _share(n, total),
        "funnel_customers": funnel,
        "converted": converted,
        "conversion_to_next": _share(converted, n),
        "dropoff_customers": ended,
        "dropoff_rate": _share(ended, n),
        "went_back": n - (converted or 0) - ended,
        "ended_goal": goal,
        "ended_other": ended - goal - abandoned - progress,
        "abandoned": abandoned,
        "in_progress": progress,
        "median_seconds_in_stage": r.get("median_seconds_in_stage"),
    }


def _stage_funnel(engine: Engine, o: ir.Table, stages: int) -> list[int]:
    """Customers who reach each stage after every earlier one, in order (``events funnel``'s
    definition with the stages as its steps: step k is reached at the first event of stage k
    after the position where step k-1 was reached)."""
    counts: list[int] = []
    prev: ir.Table | None = None
    for k in range(1, stages + 1):
        events = o.filter(o.st == k).select("customer", "pos")
        if prev is not None:
            joined = events.join(prev, "customer")
            events = joined.filter(joined.pos > joined.at).select("customer", "pos")
        reached = events.group_by("customer").aggregate(at=events.pos.min())
        if k < stages:
            reached = engine.materialise(reached, prefix="stage_funnel")
        counts.append(int(engine.scalar(reached.count()) or 0))
        prev = reached
    return counts


def touchpoint_flows(matched: Matched, m: JourneyMap) -> pa.Table:
    """Moves between customer steps: per (source, target), how often customers went from an
    event of ``source`` straight to an event of another front-stage touchpoint ``target``
    (their next customer step; back-stage work in between is not a step, and repeats of one
    touchpoint are collapsed), and how many customers did so at least once. ``designed``
    marks a move to the next customer step in map order: the path the team drew. Sorted by
    customers, most first."""
    import itertools

    import ibis
    import pyarrow as pa

    rules = _rules_for(matched, m)
    ids = {r.order: r.touchpoint for r in rules}
    following = dict(itertools.pairwise(sorted(r.order for r in rules if r.front)))
    o = _ordered(matched, rules)
    w = ibis.window(group_by=o.customer, order_by=o.pos)
    o = o.select("customer", "tp", next_tp=o.tp.lead().over(w))
    moved = o.filter(o.next_tp.notnull() & (o.next_tp != o.tp))
    agg = moved.group_by(["tp", "next_tp"]).aggregate(
        moves=moved.count(), customers=moved.customer.nunique()
    )
    rows = matched.engine.run(agg).to_pylist()
    out: list[dict[str, Any]] = [
        {
            "source": ids[int(r["tp"])],
            "target": ids[int(r["next_tp"])],
            "customers": int(r["customers"]),
            "moves": int(r["moves"]),
            "designed": following.get(int(r["tp"])) == int(r["next_tp"]),
        }
        for r in rows
    ]
    out.sort(key=lambda r: (-int(r["customers"]), str(r["source"]), str(r["target"])))
    schema = pa.schema(
        [("source", pa.string()), ("target", pa.string()), ("customers", pa.int64()),
         ("moves", pa.int64()), ("designed", pa.bool_())]
    )  # fmt: skip
    return pa.Table.from_pylist(out, schema=schema)


def _touchpoint_schema() -> pa.Schema:
    import pyarrow as pa

    i, f, s = pa.int64(), pa.float64(), pa.string()
    return pa.schema(
        [
            ("stage", s), ("touchpoint", s), ("order", i), ("customer_step", pa.bool_()),
            ("customers", i), ("reach_share", f), ("entries", i), ("repeat_customers", i),
            ("loops", i), ("backtrack_customers", i), ("dropoff_customers", i),
            ("dropoff_rate", f), ("abandoned_customers", i), ("abandon_rate", f),
            ("in_progress_customers", i), ("next_customers", i), ("median_seconds_to_next", f),
            ("p90_seconds_to_next", f), ("support_customers", i), ("support_rate", f),
            ("value", f), ("service_steps", i), ("median_service_seconds", f),
        ]
    )  # fmt: skip


def _stage_schema() -> pa.Schema:
    import pyarrow as pa

    i, f, s = pa.int64(), pa.float64(), pa.string()
    return pa.schema(
        [
            ("stage", s), ("order", i), ("customers", i), ("reach_share", f),
            ("funnel_customers", i), ("converted", i), ("conversion_to_next", f),
            ("dropoff_customers", i), ("dropoff_rate", f), ("went_back", i), ("ended_goal", i),
            ("ended_other", i), ("abandoned", i), ("in_progress", i),
            ("median_seconds_in_stage", f),
        ]
    )  # fmt: skip


def __getattr__(name: str) -> Any:
    """``BEHAVIOUR_SCHEMA`` and ``STAGE_SCHEMA``: the schemas of the two tables, built when
    asked (pyarrow loads only then)."""
    if name == "BEHAVIOUR_SCHEMA":
        return _touchpoint_schema()
    if name == "STAGE_SCHEMA":
        return _stage_schema()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
