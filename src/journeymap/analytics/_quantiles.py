"""Exact quantiles per group that stay within the engine's memory on any size of log.

``quantile_cont`` (Ibis' ``quantile``) is the fastest exact plan while the values fit in
memory, but DuckDB keeps every value of a group in its aggregate state and cannot spill it:
at 100M events the directly-follows step times (one group per pair of events, ~90M values)
filled a 40 GB temp directory and failed (benchmarks/ANALYSIS.md). Above a size the
engine's memory limit holds, the same numbers come from a sort instead — each value's rank
in its group from ``row_number()`` over a window, the group's size from ``count()`` — and
a sort spills. Both plans interpolate as DuckDB's ``quantile_cont`` and pandas do:

    h = (n - 1) * q,  lo = the value of rank floor(h),  hi = the value of rank ceil(h)
    quantile = lo + (hi - lo) * (h - floor(h))

so the choice changes the time, not the result: the two agree to the last bit or two of a
double (DuckDB rounds its interpolation its own way; relative differences below 1e-15 at
10M events). A test runs both plans on both engines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from journeymap.analytics.engine import Engine

__all__ = ["BYTES_PER_VALUE", "in_memory", "quantiles"]

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
