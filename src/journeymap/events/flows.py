"""Directly-follows flows: how often each event is followed by each other, and how fast.

For every pair of consecutive events in a journey (customer or session): the number of
transitions, the customers who made it, and the median and 90th percentile of the time
between them in seconds (exact, linear interpolation, as pandas' ``quantile``; on a log too
big for the quantiles to be held in memory at once they are computed for a few pairs at a
time, and a pair too big on its own gets them from a sort that spills, with the same result:
see :mod:`journeymap.events._quantiles`). With ``markers``, journeys' starts and ends
appear as transitions from ``<start>`` and to ``<end>``, as in a process map.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from journeymap.events._quantiles import per_group
from journeymap.events.prepare import Per, prepare

if TYPE_CHECKING:
    import pyarrow as pa

    from journeymap.events.read import EventLog

__all__ = ["END", "START", "flows"]

START = "<start>"
END = "<end>"


def flows(
    log: EventLog, *, per: Per = "customer", markers: bool = False, by: str | None = None
) -> pa.Table:
    """Columns ``from, to, count, customers, median_seconds, p90_seconds``, most frequent
    first. With ``by``, the flows of each segment of the log
    (:func:`journeymap.events.subset.segments`), stacked under a first column ``segment``."""
    if by is not None:
        from journeymap.events.subset import by_segment

        return by_segment(log, by, lambda seg: flows(seg, per=per, markers=markers))
    import ibis

    ready = prepare(log, per=per)
    p = ready.table
    # on the codes; the names are joined to the few pairs at the end
    steps = p.filter(p.next_code.notnull())
    steps = steps.select(a=steps.code, b=steps.next_code, cid=steps.cid, gap_s=steps.gap_s)
    times = {"median_seconds": 0.5, "p90_seconds": 0.9}
    # quantile_cont while the values fit in memory, else in parts, or from a sort that spills
    timed = per_group(log.engine, steps, ["a", "b"], "gap_s", times, values=log.size)
    counts = steps.group_by("a", "b").aggregate(count=steps.count(), customers=steps.cid.nunique())
    edges = counts.left_join(timed, ["a", "b"]).select("a", "b", "count", "customers", *times)
    edges = ready.decode(edges, a="from", b="to")
    if markers:
        null = ibis.null().cast("float64")
        ends = []
        for flag, marker, side in ((p.is_first, START, "to"), (p.is_last, END, "from")):
            hits = p.filter(flag)
            counted = hits.group_by(c=hits.code).aggregate(
                count=hits.count(), customers=hits.cid.nunique()
            )
            counted = ready.decode(counted, c=side)
            other = "from" if side == "to" else "to"
            ends.append(
                counted.select(
                    **{other: ibis.literal(marker, type="string"), side: counted[side]},
                    count=counted["count"],
                    customers=counted.customers,
                    median_seconds=null,
                    p90_seconds=null,
                ).select("from", "to", "count", "customers", "median_seconds", "p90_seconds")
            )
        edges = edges.union(ends[0]).union(ends[1])
    edges = edges.mutate(
        count=edges["count"].cast("int64"), customers=edges.customers.cast("int64")
    )
    ordered = edges.order_by([ibis.desc("count"), "from", "to"])
    return log.engine.run(ordered)
