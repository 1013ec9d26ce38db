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

The table's schema metadata holds the totals, whatever ``top`` is: how many variants the log
has and how many journeys (:func:`totals` reads them; the CLI prints them in the title).

Sequences are built from the event names' integer codes (see :mod:`prepare`) and decoded
at the end, on the variants shown.

Two plans count the variants, with the same result:

- **Lists** (Spark, and ``collapse_loops``): each journey's list of codes in order, grouped
  by the list.
- **Fingerprints** (DuckDB): journeys are grouped by their length and two sums of 64-bit
  hashes of (position, code) — one pass of integer sums, without building a list per
  journey. Only one journey of each variant that can be shown (all of them with
  ``top=None``; with a top N, those with at least as many customers as the N-th) then has
  its list built, to name the variant and to break ties. Two different sequences of one
  length count as one only if both 64-bit sums collide: about 2^-128 per pair of variants,
  far less likely than a fault in the machine. At 10M events this is 4x faster than the
  lists (benchmarks/ANALYSIS.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from journeymap.errors import UsageError
from journeymap.events.prepare import Per, prepare

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

    from journeymap.engine import Engine
    from journeymap.events.read import EventLog

__all__ = ["SEPARATOR", "paths", "totals"]

SEPARATOR = " > "
#: what building one event's place in its journey's ordered list costs DuckDB, in bytes (the
#: 100M-event benchmark ran out of a 1.3 GiB limit in one pass)
BYTES_PER_EVENT = 48
#: the schema metadata keys of the totals
VARIANTS_KEY = b"journeymap.variants"
JOURNEYS_KEY = b"journeymap.journeys"
#: mixed into the second fingerprint's keys so that its hashes differ from the first's
_SALT = 0x5BD1E9955BD1E995


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
    engine = log.engine
    if collapse_loops:
        # keep the last event of each run of equal events: the names in order are the same
        p = p.filter(p.next_code.isnull() | (p.next_code != p.code))
        variants, counted = _by_lists(engine, p, log.size)
    elif engine.kind == "duckdb":
        variants, counted = _by_fingerprints(engine, p, top)
    else:
        variants, counted = _by_lists(engine, p, log.size)
    ordered = variants.order_by([ibis.desc("customers"), "codes"])
    result = engine.run(ordered if top is None else ordered.limit(top))
    every = engine.run(
        counted.aggregate(v=counted.count().cast("int64"), j=counted.customers.sum().cast("int64"))
    ).to_pylist()[0]
    from journeymap._arrow import texts

    names = prepared.name_array()

    codes = _codes(result)
    # codes are 1.. in the order of the dictionary's rows
    # (a null in front, so that code k is item k: subtracting 1 would convert the 1 with
    # pandas imported)
    decoded = pc.take(pa.concat_arrays([pa.nulls(1, pa.string()), names]), codes.flatten())
    offsets = pc.subtract(codes.offsets, codes.offsets[0])  # a sliced array starts later
    events = pa.ListArray.from_arrays(offsets, decoded)
    table = pa.table(
        {
            "path": pc.binary_join(events, texts([SEPARATOR])[0]),
            "length": pc.list_value_length(events).cast(pa.int64()),
            "customers": result.column("customers"),
            "share": result.column("share"),
            "events": events,
        }
    )
    return table.replace_schema_metadata(
        {VARIANTS_KEY: str(every["v"] or 0), JOURNEYS_KEY: str(every["j"] or 0)}
    )


def totals(table: pa.Table) -> tuple[int, int] | None:
    """``(variants, journeys)`` of the whole log from a :func:`paths` result (which may show
    only the top N); ``None`` for a table without them (e.g. read back from CSV)."""
    meta = table.schema.metadata or {}
    if VARIANTS_KEY not in meta or JOURNEYS_KEY not in meta:
        return None
    return int(meta[VARIANTS_KEY]), int(meta[JOURNEYS_KEY])


def _lists(
    engine: Engine, p: ir.Table, events: int, then: Callable[[ir.Table], ir.Table]
) -> ir.Table:
    """``then`` of each journey's codes in order (a table ``journey, codes``). The lists are
    built in as many parts as the memory limit needs (DuckDB cannot spill a list aggregate):
    ``then`` of each part is kept, and the parts are put together."""
    parts = _buckets(engine, events)
    if parts == 1:
        return then(p.group_by("journey").aggregate(codes=p.code.collect(order_by=p.pos)))
    kept = []
    for k in range(parts):
        pk = p.filter(p.journey % parts == k)
        part = pk.group_by("journey").aggregate(codes=pk.code.collect(order_by=pk.pos))
        kept.append(engine.materialise(then(part), prefix="lists"))
    return kept[0].union(*kept[1:])


def _by_lists(engine: Engine, p: ir.Table, events: int) -> tuple[ir.Table, ir.Table]:
    """``codes, customers, share`` of every variant, grouping journeys by their lists; and
    the variants' counts (``customers``) again, for the totals."""

    def count(seqs: ir.Table) -> ir.Table:
        return seqs.group_by("codes").aggregate(customers=seqs.count().cast("int64"))

    # the parts of a big log hold different journeys, so a variant's counts add up
    every = _lists(engine, p, events, count)
    variants = every.group_by("codes").aggregate(customers=every.customers.sum().cast("int64"))
    variants = engine.materialise(variants, prefix="variants")
    shared = variants.mutate(
        share=variants.customers.cast("float64") / variants.customers.sum().over()
    )
    return shared, variants


def _by_fingerprints(engine: Engine, p: ir.Table, top: int | None) -> tuple[ir.Table, ir.Table]:
    """``codes, customers, share`` of the variants that can be shown (DuckDB), grouping
    journeys by fingerprints (see the module docstring); and every variant's count."""
    import ibis

    # DuckDB's 64-bit hash as it is: ibis' .hash() reinterprets it through BIT, twice as slow
    _hash = ibis.udf.scalar.builtin(lambda x: None, name="hash", signature=(("int64",), "uint64"))

    key = p.pos.cast("int64") * 4_294_967_296 + p.code.cast("int64")
    per_journey = p.group_by("journey").aggregate(
        n=p.count(), h1=_hash(key).sum(), h2=_hash(key ^ _SALT).sum()
    )
    groups = per_journey.group_by("n", "h1", "h2").aggregate(
        customers=per_journey.count().cast("int64"), rep=per_journey.journey.min()
    )
    groups = groups.select(
        "rep",
        "n",
        "customers",
        share=groups.customers.cast("float64") / groups.customers.sum().over(),
    )
    kept = every = engine.materialise(groups, prefix="variants")
    if top is not None:
        # only variants with as many customers as the top-th can be in the top
        nth = engine.run(
            kept.select("customers").order_by(ibis.desc("customers")).limit(1, offset=top - 1)
        )
        if nth.num_rows:
            kept = kept.filter(kept.customers >= nth.column(0)[0].as_py())
    events = int(engine.scalar(kept.n.sum()) or 0)
    reps = p.semi_join(kept, p.journey == kept.rep)
    seqs = _lists(engine, reps, events, lambda seqs: seqs)
    named = seqs.join(kept, seqs.journey == kept.rep)
    return named.select("codes", "customers", "share"), every


def _codes(result: pa.Table) -> pa.ListArray:
    import pyarrow as pa

    codes = result.column("codes").combine_chunks()
    if not isinstance(codes, pa.ListArray) or codes.type.value_type != pa.int32():
        codes = codes.cast(pa.list_(pa.int32()))  # Spark may hand back a large list
    return codes
