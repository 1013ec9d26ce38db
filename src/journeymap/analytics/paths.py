"""Path variants: the full ordered sequence of events of each journey, and how common it is.

A *variant* is the sequence of event names of one journey (a customer, or a session with
``per="session"``) in the prepared order (time, then input order). Journeys with the same
sequence share a variant. With ``collapse_loops``, immediate repeats are merged first
(``a a b a`` -> ``a b a``): a journey that reloads a page is the same path as one that does not.

Columns, most frequent first, ties by the sequence of names (element by element):

=========  ==============  ==============================================================
column     type            meaning
=========  ==============  ==============================================================
path       string          the names joined with ``" > "`` (readable; names may hold ">")
length     int64           number of events in the path
customers  int64           journeys with this path (customers; sessions with per="session")
share      float64         customers / all journeys, 0..1
events     list<string>    the names, unambiguous
=========  ==============  ==============================================================

Sequences are built from the event names' integer codes (see :mod:`prepare`) and decoded
at the end, which halves the time of grouping long sequences.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from journeymap.analytics.prepare import Per, prepare
from journeymap.errors import UsageError

if TYPE_CHECKING:
    import pyarrow as pa

    from journeymap.analytics.engine import Engine
    from journeymap.evidence.events import EventLog

__all__ = ["SEPARATOR", "paths"]

SEPARATOR = " > "
#: what building one event's place in its journey's ordered list costs DuckDB, in bytes (the
#: 100M-event benchmark ran out of a 1.3 GiB limit in one pass)
BYTES_PER_EVENT = 48


def _buckets(engine: Engine, events: int) -> int:
    """Into how many groups of journeys the lists are built: 1 unless half the engine's
    memory limit cannot hold them (DuckDB; Spark spreads them over its executors)."""
    limit = engine.memory_limit_bytes()
    if limit is None:
        return 1
    return max(1, -(-events * BYTES_PER_EVENT // (limit // 2)))


def paths(
    log: EventLog,
    *,
    per: Per = "customer",
    top: int | None = 20,
    collapse_loops: bool = False,
) -> pa.Table:
    """The ``top`` most frequent variants (all with ``top=None``); columns ``path, length,
    customers, share, events``. See the module docstring for the definitions."""
    import ibis
    import pyarrow as pa
    import pyarrow.compute as pc

    if top is not None and top < 1:
        raise UsageError(f"--top must be at least 1, not {top}")
    prepared = prepare(log, per=per)
    p = prepared.table
    if collapse_loops:
        # keep the last event of each run of equal events: the names in order are the same
        p = p.filter(p.next_code.isnull() | (p.next_code != p.code))
    engine = log.engine
    parts = _buckets(engine, log.report.rows_used)
    if parts == 1:
        seqs = p.group_by("journey").aggregate(codes=p.code.collect(order_by=p.pos))
        variants = seqs.group_by("codes").aggregate(customers=seqs.count().cast("int64"))
    else:
        # the ordered lists of a big log do not fit the memory limit at once (DuckDB cannot
        # spill them): the journeys are taken in ``parts`` groups, each counted and kept,
        # and the counts added up
        counted = []
        for k in range(parts):
            pk = p.filter(p.journey % parts == k)
            seqs = pk.group_by("journey").aggregate(codes=pk.code.collect(order_by=pk.pos))
            part = seqs.group_by("codes").aggregate(customers=seqs.count().cast("int64"))
            counted.append(engine.materialise(part, prefix="variants"))
        every = counted[0].union(*counted[1:])
        variants = every.group_by("codes").aggregate(customers=every.customers.sum().cast("int64"))
    variants = variants.mutate(
        share=variants.customers.cast("float64") / variants.customers.sum().over()
    )
    ordered = variants.order_by([ibis.desc("customers"), "codes"])
    result = engine.run(ordered if top is None else ordered.limit(top))
    names = pa.array(prepared.names(), pa.string())

    codes = _codes(result)
    # codes are 1.. in the order of the dictionary's rows
    decoded = pc.take(names, pc.subtract(codes.flatten(), 1))
    offsets = pc.subtract(codes.offsets, codes.offsets[0])  # a sliced array starts later
    events = pa.ListArray.from_arrays(offsets, decoded)
    return pa.table(
        {
            "path": pc.binary_join(events, SEPARATOR),
            "length": pc.list_value_length(events).cast(pa.int64()),
            "customers": result.column("customers"),
            "share": result.column("share"),
            "events": events,
        }
    )


def _codes(result: pa.Table) -> pa.ListArray:
    import pyarrow as pa

    codes = result.column("codes").combine_chunks()
    if not isinstance(codes, pa.ListArray) or codes.type.value_type != pa.int32():
        codes = codes.cast(pa.list_(pa.int32()))  # Spark may hand back a large list
    return codes
