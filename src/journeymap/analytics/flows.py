"""Directly-follows flows: how often each event is followed by each other, and how fast.

For every pair of consecutive events in a journey (customer or session): the number of
transitions, the customers who made it, and the median and 90th percentile of the time
between them in seconds (exact, linear interpolation, as pandas' ``quantile``). With
``markers``, journeys' starts and ends appear as transitions from ``<start>`` and to ``<end>``,
as in a process map.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from journeymap.analytics.prepare import Per, prepare

if TYPE_CHECKING:
    import pyarrow as pa

    from journeymap.evidence.events import EventLog

__all__ = ["END", "START", "flows"]

START = "<start>"
END = "<end>"


def flows(log: EventLog, *, per: Per = "customer", markers: bool = False) -> pa.Table:
    """Columns ``from, to, count, customers, median_seconds, p90_seconds``, most frequent first."""
    import ibis

    p = prepare(log, per=per).table
    steps = p.filter(p.next_event.notnull())
    edges = steps.group_by(steps.event.name("from"), steps.next_event.name("to")).aggregate(
        count=steps.count(),
        customers=steps.customer.nunique(),
        median_seconds=steps.gap_s.quantile(0.5),
        p90_seconds=steps.gap_s.quantile(0.9),
    )
    if markers:
        null = ibis.null().cast("float64")
        firsts = p.filter(p.is_first)
        starts = firsts.group_by(ibis.literal(START).name("from"), firsts.event.name("to"))
        starts = starts.aggregate(
            count=firsts.count(),
            customers=firsts.customer.nunique(),
            median_seconds=null,
            p90_seconds=null,
        )
        lasts = p.filter(p.is_last)
        ends = lasts.group_by(lasts.event.name("from"), ibis.literal(END).name("to"))
        ends = ends.aggregate(
            count=lasts.count(),
            customers=lasts.customer.nunique(),
            median_seconds=null,
            p90_seconds=null,
        )
        edges = edges.union(starts).union(ends)
    edges = edges.mutate(
        count=edges["count"].cast("int64"), customers=edges.customers.cast("int64")
    )
    ordered = edges.order_by([ibis.desc("count"), "from", "to"])
    return log.engine.run(ordered)
