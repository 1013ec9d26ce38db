"""Exact quantiles per group that stay within the engine's memory on any size of log.

``quantile_cont`` (Ibis' ``quantile``) is the fastest exact plan while the values fit in
memory, but DuckDB keeps every value of a group in its aggregate state and cannot spill it:
at 100M events the directly-follows step times (one group per pair of events, ~90M values)
filled a 40 GB temp directory and failed (benchmarks/ANALYSIS.md). Above a size the
engine's memory limit holds, :func:`per_group` packs the groups into parts that each fit
and runs ``quantile_cont`` part by part. A group too big on its own gets the same numbers
from a sort instead — each value's rank in its group from ``row_number()`` over a window,
the group's size from ``count()`` — and a sort spills. The plans interpolate as DuckDB's
``quantile_cont`` and pandas do:

    h = (n - 1) * q,  lo = the value of rank floor(h),  hi = the value of rank ceil(h)
    quantile = lo + (hi - lo) * (h - floor(h))

so the choice changes the time, not the result: the two agree to the last bit or two of a
double (DuckDB rounds its interpolation its own way; relative differences below 1e-15 at
10M events). A test runs both plans on both engines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from journeymap.engine import Engine

__all__ = ["BYTES_PER_VALUE", "in_memory", "per_group", "quantiles"]

#: what one value costs ``quantile_cont`` on DuckDB, with headroom for the rest of the query
#: (8 bytes of double, the state's vector growth, the group's hash entry)
BYTES_PER_VALUE = 32


def in_memory(engine: Engine, values: int) -> bool:
    """Whether ``values`` values fit ``quantile_cont``'s state within the memory limit.

    Spark's exact percentile is distributed over the executors; the in-memory plan is kept
    there. On DuckDB the limit is the session's ``memory_limit``.
    """
    limit = engine.memory_limit_bytes()
    return limit is None or values * BYTES_PER_VALUE <= limit


def per_group(
    engine: Engine,
    t: ir.Table,
    by: list[str],
    value: str,
    probs: dict[str, float],
    *,
    values: int,
) -> ir.Table:
    """:func:`quantiles` of ``t`` (about ``values`` values) with the fastest plan that fits
    the engine's memory limit.

    - All at once with ``quantile_cont`` when they fit.
    - Else the groups are packed into parts that each fit, and each part runs
      ``quantile_cont`` on its own (at 100M events: 13 s, where the sort took 26 s). A
      group too big to fit alone takes the sort plan, which spills. The parts are kept and
      put together.
    """
    if in_memory(engine, values):
        return quantiles(t, by, value, probs, spill=False)
    limit = engine.memory_limit_bytes()
    assert limit is not None  # in_memory() is true without a limit
    capacity = limit // BYTES_PER_VALUE
    sizes = engine.run(t.group_by(by).aggregate(__n=t[value].count())).to_pylist()
    sizes.sort(key=lambda r: -int(r["__n"]))
    parts: list[list[dict[str, Any]]] = []
    too_big: list[dict[str, Any]] = []
    room = 0
    for row in sizes:
        n = int(row["__n"])
        if n > capacity:
            too_big.append(row)
        elif parts and n <= room:
            parts[-1].append(row)
            room -= n
        else:
            parts.append([row])
            room = capacity - n
    schema = t.select(*by).schema()
    types = {c: schema[c] for c in by}
    kept = []
    for rows, spill in [(part, False) for part in parts] + [(too_big, True)]:
        if not rows:
            continue
        keys = engine.from_columns({c: [r[c] for r in rows] for c in by}, types, prefix="groups")
        part = t.semi_join(keys, by)
        kept.append(engine.materialise(quantiles(part, by, value, probs, spill=spill)))
    if not kept:  # no values at all
        return quantiles(t, by, value, probs, spill=False)
    return kept[0].union(*kept[1:]) if len(kept) > 1 else kept[0]


def quantiles(
    t: ir.Table,
    by: list[str],
    value: str,
    probs: dict[str, float],
    *,
    spill: bool,
) -> ir.Table:
    """Per group of ``by``: a column per item of ``probs`` (name -> q in [0, 1]) holding the
    exact quantile of ``value`` (nulls ignored; null for a group without values). With
    ``spill``, by ranks from a sort (spills to disk); else with ``quantile_cont``."""
    import ibis

    if not spill:
        # one aggregate for all of them: the values are gathered (and sorted) once
        agg = t.group_by(by).aggregate(__q=t[value].quantile(list(probs.values())))
        return agg.select(
            *by, **{name: agg["__q"][i].cast("float64") for i, name in enumerate(probs)}
        )
    v = t.filter(t[value].notnull()).select(*by, value)
    groups = ibis.window(group_by=[v[c] for c in by])
    ordered = ibis.window(group_by=[v[c] for c in by], order_by=v[value])
    r = v.mutate(
        __rank=ibis.row_number().over(ordered).cast("int64"),  # 0-based
        __n=v[value].count().over(groups).cast("int64"),
    )

    def ranks(
        table: ir.Table, q: float
    ) -> tuple[ir.FloatingValue, ir.IntegerValue, ir.IntegerValue]:
        h = (table["__n"] - 1).cast("float64") * q
        return h, h.floor().cast("int64"), h.ceil().cast("int64")

    # only the rows at the wanted ranks go on: a handful per group
    keep = []
    for q in probs.values():
        _, lo, hi = ranks(r, q)
        keep += [r["__rank"] == lo, r["__rank"] == hi]
    r = r.filter(ibis.or_(*keep))
    parts: dict[str, ir.Value] = {}
    for name, q in probs.items():
        h, lo, hi = ranks(r, q)
        parts[f"__{name}_h"] = h.max()
        parts[f"__{name}_lo"] = r[value].max(where=r["__rank"] == lo)
        parts[f"__{name}_hi"] = r[value].max(where=r["__rank"] == hi)
    agg = r.group_by(by).aggregate(**parts)
    out: dict[str, ir.Value] = {}
    for name in probs:
        h, lo, hi = agg[f"__{name}_h"], agg[f"__{name}_lo"], agg[f"__{name}_hi"]
        out[name] = (lo + (hi - lo) * (h - h.floor())).cast("float64")
    return agg.select(*by, **out)
