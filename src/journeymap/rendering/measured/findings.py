"""What the report lists rather than draws: the KPIs with their trends (:func:`kpi_data`, with
:func:`trend_arrow`), the pain points the data shows (:func:`pain_data`, with
:func:`severity_color`) and the action items with what they are worth (:func:`action_data`).

A KPI's *trend* is the sign of its change since the previous measurement (a change under
:data:`FLAT` is flat); it *improved* when that change goes the KPI's better way (lower for
churn, cart abandonment, time to resolution and CES). A KPI of a partial period is judged
neither against its target nor as better or worse than before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape, quoteattr

from journeymap.model.journey import JourneyMap
from journeymap.model.kpi import LOWER_IS_BETTER
from journeymap.model.measurement import Measurement
from journeymap.rendering.measured._chart import arrow_table, names
from journeymap.rendering.svgkit import MUTED, NEGATIVE, POSITIVE, SEVERITY_COLORS, el, num

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["FLAT", "action_data", "kpi_data", "pain_data", "severity_color", "trend_arrow"]

#: a KPI change smaller than this (in the KPI's unit) is flat
FLAT = 0.05


def kpi_data(m: JourneyMap, measurement: Measurement) -> pa.Table:
    """The KPIs of the measurement with their trend: ``key, label, kind, value, unit, n, low,
    high, previous, change, target, higher_is_better, trend`` (``up``, ``down``, ``flat`` or
    null without a previous value), ``improved`` (the change goes the better way; null when
    flat or unknown, and for a partial period), ``on_target`` (null without a target, and for
    a partial period), and what the value is: ``definition, period, partial, note``.

    A KPI linked to a map KPI takes that KPI's direction; otherwise lower is better for churn,
    cart abandonment, time to resolution and CES. A change below :data:`FLAT` is flat. A
    partial period (the data ends inside it) is never compared with a target for the whole
    period, nor called better or worse than the previous value (a whole period, or another
    part of one): its ``change`` is only a difference.
    """
    map_kpis = {k.id: k for k in m.kpis}
    rows: list[dict[str, Any]] = []
    for k in measurement.kpis:
        linked = map_kpis.get(k.kpi) if k.kpi else None
        higher = linked.better_when_higher if linked else k.kind not in LOWER_IS_BETTER
        change = k.change
        if change is None and k.previous is not None and k.value is not None:
            change = k.value - k.previous
        trend = None if change is None else "flat" if abs(change) < FLAT else (
            "up" if change > 0 else "down"
        )  # fmt: skip
        improved = None if trend in (None, "flat") or k.partial else (trend == "up") == higher
        on_target = None
        if k.value is not None and k.target is not None and not k.partial:
            on_target = k.value >= k.target if higher else k.value <= k.target
        rows.append(
            {
                "key": k.key,
                "label": k.label,
                "kind": k.kind,
                "value": k.value,
                "unit": k.unit,
                "n": k.n,
                "low": k.low,
                "high": k.high,
                "previous": k.previous,
                "change": change,
                "target": k.target,
                "higher_is_better": higher,
                "trend": trend,
                "improved": improved,
                "on_target": on_target,
                "definition": k.definition,
                "period": k.period,
                "partial": k.partial,
                "note": k.note,
            }
        )
    return arrow_table(
        rows,
        "key:str label:str kind:str value:float unit:str n:int low:float high:float "
        "previous:float change:float target:float higher_is_better:bool trend:str "
        "improved:bool on_target:bool definition:str period:str partial:bool note:str",
    )


def trend_arrow(trend: str | None, improved: bool | None, *, size: float = 14.0) -> str:
    """A small SVG arrow for a KPI's change: up, down or flat, blue when it improved, red when
    it got worse, grey when flat or not judged (``improved`` null); empty without a previous
    value."""
    if trend is None:
        return ""
    color = MUTED if improved is None else POSITIVE if improved else NEGATIVE
    s, h, n = size, size / 2, num
    if trend == "flat":
        d = f"M2 {n(h)}H{n(s - 3)}M{n(s - 7)} {n(h - 4)}L{n(s - 3)} {n(h)}L{n(s - 7)} {n(h + 4)}"
        label = "no change"
    elif trend == "up":
        d = f"M{n(h)} {n(s - 2)}V3M{n(h - 4)} 7L{n(h)} 3L{n(h + 4)} 7"
        label = "up" + ("" if improved is None else ", better" if improved else ", worse")
    else:
        d = f"M{n(h)} 2V{n(s - 3)}M{n(h - 4)} {n(s - 7)}L{n(h)} {n(s - 3)}L{n(h + 4)} {n(s - 7)}"
        label = "down" + ("" if improved is None else ", better" if improved else ", worse")
    return (
        f'<svg width="{num(s)}" height="{num(s)}" viewBox="0 0 {num(s)} {num(s)}" role="img" '
        f"aria-label={quoteattr(label)} class=\"trend\">"
        f"<title>{escape(label)}</title>"
        + el("path", d=d, fill="none", stroke=color, stroke_width=2.2, stroke_linecap="round",
              stroke_linejoin="round")
        + "</svg>"
    )  # fmt: skip


def pain_data(m: JourneyMap, measurement: Measurement) -> pa.Table:
    """The pain points the data shows, by rank: ``rank, title, kind, severity, stage_name,
    touchpoint_name, customers_affected, conversions_lost, value_lost, evidence, quotes,
    team`` (the name of the team's pain point it confirms, if any)."""
    stages, tps = names(m)
    team = {p.id: p.name for p in m.pain_points}
    rows: list[dict[str, Any]] = [
        {
            "rank": p.rank,
            "title": p.title,
            "kind": p.kind,
            "severity": p.severity,
            "stage_name": stages.get(p.stage, p.stage) if p.stage else None,
            "touchpoint_name": tps.get(p.touchpoint, p.touchpoint) if p.touchpoint else None,
            "customers_affected": p.customers_affected,
            "conversions_lost": p.conversions_lost,
            "value_lost": p.value_lost,
            "evidence": p.evidence,
            "quotes": list(p.quotes),
            "team": team.get(p.matches, p.matches) if p.matches else None,
        }
        for p in sorted(measurement.pain_points, key=lambda p: p.rank)
    ]
    return arrow_table(
        rows,
        "rank:int title:str kind:str severity:str stage_name:str touchpoint_name:str "
        "customers_affected:int conversions_lost:float value_lost:float evidence:str "
        "quotes:list team:str",
    )


def severity_color(severity: str) -> str:
    """The colour of a pain point's severity, as on the map's pain-point cards."""
    return SEVERITY_COLORS.get(severity, SEVERITY_COLORS["medium"])


def action_data(m: JourneyMap, measurement: Measurement) -> pa.Table:
    """The action items with what the data says they are worth, the most valuable first
    (conversions per month, then value per month; items without an estimate last, in map
    order): ``opportunity, name, where, owner, status, priority, estimate,
    conversions_per_month, value_per_month, kpi, kpi_target, kpi_before, kpi_now``."""
    opps = {o.id: (i, o) for i, o in enumerate(m.opportunities)}
    stages, tps = names(m)
    kpis = {k.id: k for k in m.kpis}
    rows: list[dict[str, Any]] = []
    for a in measurement.actions:
        i, o = opps.get(a.opportunity, (len(opps), None))
        where = None
        if o is not None:
            where = tps.get(o.touchpoint or "") or stages.get(m.stage_id_of(o) or "")
        kpi = kpis.get(a.kpi) if a.kpi else None
        # the action's own target for its KPI, else the KPI's target
        target = o.kpi_target if o is not None and o.kpi_target is not None else None
        if target is None and kpi is not None:
            target = kpi.target
        rows.append(
            {
                "opportunity": a.opportunity,
                "name": a.name,
                "where": where,
                "owner": (o.owner or o.department) if o else None,
                "status": o.status if o else None,
                "priority": o.priority if o else None,
                "estimate": a.estimate,
                "conversions_per_month": a.conversions_per_month,
                "value_per_month": a.value_per_month,
                "kpi": kpi.name if kpi else a.kpi,
                "kpi_target": target,
                "kpi_before": a.kpi_before,
                "kpi_now": a.kpi_now,
                "_i": i,
            }
        )
    rows.sort(
        key=lambda r: (
            r["conversions_per_month"] is None and r["value_per_month"] is None,
            -(r["conversions_per_month"] or 0.0),
            -(r["value_per_month"] or 0.0),
            r["_i"],
        )
    )
    for r in rows:
        del r["_i"]
    return arrow_table(
        rows,
        "opportunity:str name:str where:str owner:str status:str priority:str "
        "estimate:str conversions_per_month:float value_per_month:float kpi:str "
        "kpi_target:float kpi_before:float kpi_now:float",
    )
