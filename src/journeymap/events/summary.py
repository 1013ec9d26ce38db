"""A log at a glance: how many rows were read and used, who, what, when.

One row, so that a face can print it as a list of metrics:

======================  =====================================================================
column                  meaning
======================  =====================================================================
source                  where the log came from
rows_read               rows in the source
rows_used               rows kept (customer, event and a readable time present)
rows_rejected           rows_read − rows_used (the reasons are in the log's read report)
customers               distinct customers
events                  events (= rows_used)
distinct_events         distinct event names
sessions                distinct (customer, session) pairs; null without a session column
first_ts, last_ts       the time range, UTC
events_per_customer_median, events_per_customer_p90
                        events per customer: median and 90th percentile (exact, linear
                        interpolation, as pandas' ``quantile``)
======================  =====================================================================
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from journeymap.events.prepare import prepared

if TYPE_CHECKING:
    import pyarrow as pa

    from journeymap.events.read import EventLog

__all__ = ["summary"]


def summary(log: EventLog) -> pa.Table:
    """One row: rows read/used/rejected, customers, events, sessions, time range, events
    per customer (median, p90). See the module docstring for the columns."""
    import ibis

    ready = prepared(log, per="customer")
    if ready is not None:  # the ordered pass is done: each customer's last pos is its count
        p = ready.table
        counts = p.filter(p.is_last).select(n=p.pos)
        event = p.code
    else:  # no need to sort for a summary
        p = log.table
        counts = p.group_by("customer").aggregate(n=p.count())
        event = p.event
    per_customer = counts.aggregate(
        customers=counts.count(),
        events_per_customer_median=counts.n.quantile(0.5).cast("float64"),
        events_per_customer_p90=counts.n.quantile(0.9).cast("float64"),
    )
    overall = p.aggregate(
        events=p.count(),
        distinct_events=event.nunique(),
        first_ts=p.ts.min(),
        last_ts=p.ts.max(),
    )
    both = overall.cross_join(per_customer)
    if log.has_session:
        pairs = log.table.select("customer", "session").distinct()
        both = both.cross_join(pairs.aggregate(sessions=pairs.count().cast("int64")))
        sessions = both.sessions
    else:
        sessions = ibis.null().cast("int64")
    report = log.report
    row = both.select(
        source=ibis.literal(report.source, type="string"),
        rows_read=ibis.literal(report.rows_read, type="int64"),
        rows_used=ibis.literal(report.rows_used, type="int64"),
        rows_rejected=ibis.literal(report.rows_rejected, type="int64"),
        customers=both.customers.cast("int64"),
        events=both.events.cast("int64"),
        distinct_events=both.distinct_events.cast("int64"),
        sessions=sessions,
        first_ts=both.first_ts,
        last_ts=both.last_ts,
        events_per_customer_median=both.events_per_customer_median,
        events_per_customer_p90=both.events_per_customer_p90,
    )
    return log.engine.run(row)
