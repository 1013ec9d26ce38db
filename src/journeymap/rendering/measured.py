"""The measured view: the map with measured emotions, and the charts of a measurement.

Every chart has a **data function** that returns its table (Arrow; one row per bar, node, link
or line, the numbers already computed) and a **drawing function** that only draws that table
as SVG, in the palette and fonts of the map visual (``rendering/svg.py``): no JavaScript, no
web fonts, nothing fetched. The data functions are the headless twins a notebook or a test
reads; the report (``rendering/report.py``) puts the drawings together.

The charts, each as *data* -> *drawing*:

- the map with measured emotions: :func:`render_measured_svg` (drawn from the layout);
- customers per stage: :func:`funnel_data` -> :func:`draw_funnel`;
- flows between touchpoints (Sankey): :func:`flow_nodes`, :func:`flow_links` ->
  :func:`draw_sankey`;
- expected against measured emotion: :func:`gap_data` -> :func:`draw_gaps`;
- evidence coverage: :func:`coverage_data` -> :func:`draw_coverage`;
- KPIs with trends: :func:`kpi_data` -> a table in the report, with :func:`trend_arrow`;
- pain points: :func:`pain_data` -> cards in the report;
- action items: :func:`action_data` -> a table in the report.

Definitions (the report's glossary says the same): *reach* is the share of the measured
customers who reach a stage; *goes on* is ``conversion_to_next`` (customers of the stage who
later reach any later stage); *ends here* is ``dropoff_customers`` (customers whose last
matched stage is this one). A flow is *designed* when it follows the map's order (a
touchpoint to the next one); every other flow is a deviation, drawn grey. A KPI's *trend* is
the sign of its change since the previous measurement; it *improved* when that change goes the
KPI's better way (lower for churn, cart abandonment, time to resolution and CES).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape, quoteattr

from journeymap.model.emotion import format_level
from journeymap.model.journey import JourneyMap
from journeymap.model.kpi import LOWER_IS_BETTER
from journeymap.model.measurement import Measurement
from journeymap.rendering.layout import format_measured, layout
from journeymap.rendering.svg import (
    BAND_FILL,
    BAND_OPACITY,
    INK,
    LEVEL_COLORS,
    MUTED,
    NEGATIVE,
    POSITIVE,
    SEVERITY_COLORS,
    STAGE_FILL,
    THIN,
    TONES,
    _diamond,
    _el,
    _n,
    draw_svg,
)
from journeymap.rendering.text import FONT_FAMILY, text_width, truncate, wrap

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "action_data",
    "coverage_data",
    "draw_coverage",
    "draw_funnel",
    "draw_gaps",
    "draw_sankey",
    "flow_links",
    "flow_nodes",
    "fmt_count",
    "fmt_share",
    "fmt_value",
    "funnel_data",
    "gap_data",
    "kpi_data",
    "pain_data",
    "render_measured_svg",
    "severity_color",
    "trend_arrow",
]

#: default width of a chart, in pixels (the report's column)
CHART_W = 1120.0
FLOW = "#2f6db3"  # the designed path
DEVIATION = "#9aa5b1"
REACH = "#4575b4"
NONE_FILL = "#e3e8ee"


# ---- numbers in words ------------------------------------------------------------------------


def fmt_count(value: float | None) -> str:
    """``1234.5`` -> ``"1,235"`` (halves round up, as people do); ``None`` -> ``"–"``."""
    if value is None:
        return "\u2013"
    whole = math.floor(abs(value) + 0.5)
    return f"{-whole if value < 0 else whole:,}"


def fmt_share(share: float | None, *, digits: int = 0) -> str:
    """A 0..1 share as a percentage: ``0.3456`` -> ``"35%"``."""
    return "\u2013" if share is None else f"{share * 100:.{digits}f}%"


def fmt_value(value: float | None, unit: str | None = None) -> str:
    """A KPI value with one decimal (none when it rounds to a whole number) and its unit."""
    if value is None:
        return "\u2013"
    text = f"{value:,.1f}".removesuffix(".0").replace("-", "\u2212")
    if text == "\u22120":
        text = "0"
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


# ---- the map ----------------------------------------------------------------------------------


def render_measured_svg(
    m: JourneyMap, measurement: Measurement, *, width: int | None = None
) -> str:
    """The journey-map visual with its measured emotions: expected dashed, measured solid,
    the 95% interval as a light band, thin evidence hollow with a note, no point without
    evidence, and every gap written."""
    return draw_svg(layout(m, width=width, measurement=measurement))


# ---- data functions ---------------------------------------------------------------------------


_TYPES = {"str": "string", "int": "int64", "float": "float64", "bool": "bool_"}


def _table(rows: list[dict[str, Any]], columns: str) -> pa.Table:
    """An Arrow table of ``rows`` with the columns ``"name:type ..."`` (str, int, float,
    bool, list = list of strings), in that order, also when there are no rows."""
    import pyarrow as pa

    fields = []
    for spec in columns.split():
        name, kind = spec.split(":")
        typ = pa.list_(pa.string()) if kind == "list" else getattr(pa, _TYPES[kind])()
        fields.append((name, typ))
    return pa.Table.from_pylist(rows, schema=pa.schema(fields))


def funnel_data(m: JourneyMap, measurement: Measurement) -> pa.Table:
    """One row per stage of the map, in order: ``stage, name, order, customers, reach,
    converted, conversion_to_next, dropoff_customers, dropoff_rate``.

    ``reach`` is the stage's customers divided by the customers of the journey (the most
    customers any stage has, normally the first), 0..1. Stages without figures have 0 customers.
    """
    by_id = {s.stage: s for s in measurement.stages}
    total = max((s.customers for s in measurement.stages), default=0)
    rows: list[dict[str, Any]] = []
    for i, stage in enumerate(m.stages, 1):
        s = by_id.get(stage.id)
        customers = s.customers if s else 0
        rows.append(
            {
                "stage": stage.id,
                "name": stage.name,
                "order": i,
                "customers": customers,
                "reach": customers / total if total else None,
                "converted": s.converted if s else 0,
                "conversion_to_next": s.conversion_to_next if s else None,
                "dropoff_customers": s.dropoff_customers if s else 0,
                "dropoff_rate": s.dropoff_rate if s else None,
            }
        )
    return _table(
        rows,
        "stage:str name:str order:int customers:int reach:float converted:int "
        "conversion_to_next:float dropoff_customers:int dropoff_rate:float",
    )


def flow_nodes(m: JourneyMap, measurement: Measurement) -> pa.Table:
    """The nodes of the flow chart: touchpoints with customers or flows, in map order.

    Columns ``touchpoint, name, stage, stage_name, order`` (1-based in the map), ``index``
    (0-based among the nodes: the column drawn), ``customers`` (reach), ``inflow, outflow``
    (customers arriving from / leaving to another touchpoint, summed over flows).
    """
    tps = {t.touchpoint: t for t in measurement.touchpoints}
    inflow: dict[str, int] = {}
    outflow: dict[str, int] = {}
    for f in measurement.flows:
        inflow[f.target] = inflow.get(f.target, 0) + f.customers
        outflow[f.source] = outflow.get(f.source, 0) + f.customers
    rows: list[dict[str, Any]] = []
    for order, (stage, tp) in enumerate(m.iter_touchpoints(), 1):
        t = tps.get(tp.id)
        customers = t.customers if t else 0
        if not customers and tp.id not in inflow and tp.id not in outflow:
            continue
        rows.append(
            {
                "touchpoint": tp.id,
                "name": tp.name,
                "stage": stage.id,
                "stage_name": stage.name,
                "order": order,
                "index": len(rows),
                "customers": customers,
                "inflow": inflow.get(tp.id, 0),
                "outflow": outflow.get(tp.id, 0),
            }
        )
    return _table(
        rows,
        "touchpoint:str name:str stage:str stage_name:str order:int index:int "
        "customers:int inflow:int outflow:int",
    )


def flow_links(m: JourneyMap, measurement: Measurement) -> pa.Table:
    """The links of the flow chart, one per measured flow between two touchpoints of the map,
    biggest first: ``source, target, source_order, target_order`` (1-based in the map),
    ``customers, moves, designed, direction`` (``forward`` to a later touchpoint of the map,
    ``back`` to an earlier one) and ``share`` (customers / customers of the journey)."""
    order = {tp.id: i for i, (_, tp) in enumerate(m.iter_touchpoints(), 1)}
    total = max((s.customers for s in measurement.stages), default=0) or max(
        (t.customers for t in measurement.touchpoints), default=0
    )
    rows: list[dict[str, Any]] = [
        {
            "source": f.source,
            "target": f.target,
            "source_order": order[f.source],
            "target_order": order[f.target],
            "customers": f.customers,
            "moves": f.moves,
            "designed": f.designed,
            "direction": "forward" if order[f.target] > order[f.source] else "back",
            "share": f.customers / total if total else None,
        }
        for f in measurement.flows
        if f.source in order and f.target in order and f.source != f.target
    ]
    rows.sort(key=lambda r: (-r["customers"], r["source_order"], r["target_order"]))
    return _table(
        rows,
        "source:str target:str source_order:int target_order:int customers:int moves:int "
        "designed:bool direction:str share:float",
    )


def gap_data(m: JourneyMap, measurement: Measurement) -> pa.Table:
    """Expected against measured emotion per touchpoint, the biggest shortfall first.

    One row per touchpoint with both an expected and a measured emotion: ``touchpoint, name,
    stage_name, expected, emotion, low, high, gap, evidence, n, level``. Sorted by ``gap``
    ascending (most negative first), then map order.
    """
    names = {tp.id: (tp.name, s.name) for s, tp in m.iter_touchpoints()}
    order = {tp.id: i for i, (_, tp) in enumerate(m.iter_touchpoints())}
    rows: list[dict[str, Any]] = []
    for t in measurement.touchpoints:
        if t.emotion is None or t.expected is None or t.touchpoint not in names:
            continue
        name, stage_name = names[t.touchpoint]
        rows.append(
            {
                "touchpoint": t.touchpoint,
                "name": name,
                "stage_name": stage_name,
                "expected": t.expected,
                "emotion": t.emotion,
                "low": t.emotion_low,
                "high": t.emotion_high,
                "gap": t.gap if t.gap is not None else t.emotion - t.expected,
                "evidence": t.evidence,
                "n": t.n,
                "level": t.level,
            }
        )
    rows.sort(key=lambda r: (r["gap"], order[r["touchpoint"]]))
    return _table(
        rows,
        "touchpoint:str name:str stage_name:str expected:float emotion:float low:float "
        "high:float gap:float evidence:str n:int level:str",
    )


def coverage_data(m: JourneyMap, measurement: Measurement) -> pa.Table:
    """How much of the map the evidence backs: one row per evidence level (``measured``,
    ``thin``, ``none``, in that order) with ``touchpoints`` (count), ``share`` (of all
    touchpoints of the measurement, 0..1) and ``names`` (the touchpoints, in map order)."""
    names = {tp.id: tp.name for _, tp in m.iter_touchpoints()}
    total = len(measurement.touchpoints)
    rows: list[dict[str, Any]] = []
    for level in ("measured", "thin", "none"):
        found = [t for t in measurement.touchpoints if t.evidence == level]
        rows.append(
            {
                "evidence": level,
                "touchpoints": len(found),
                "share": len(found) / total if total else None,
                "names": [names.get(t.touchpoint, t.name) for t in found],
            }
        )
    return _table(rows, "evidence:str touchpoints:int share:float names:list")


def kpi_data(m: JourneyMap, measurement: Measurement) -> pa.Table:
    """The KPIs of the measurement with their trend: ``key, label, kind, value, unit, n, low,
    high, previous, change, target, higher_is_better, trend`` (``up``, ``down``, ``flat`` or
    null without a previous value), ``improved`` (the change goes the better way; null when
    flat or unknown) and ``on_target`` (null without a target).

    A KPI linked to a map KPI takes that KPI's direction; otherwise lower is better for churn,
    cart abandonment, time to resolution and CES. A change below 0.05 (in the KPI's unit) is
    flat.
    """
    map_kpis = {k.id: k for k in m.kpis}
    rows: list[dict[str, Any]] = []
    for k in measurement.kpis:
        linked = map_kpis.get(k.kpi) if k.kpi else None
        higher = linked.better_when_higher if linked else k.kind not in LOWER_IS_BETTER
        change = k.change
        if change is None and k.previous is not None and k.value is not None:
            change = k.value - k.previous
        trend = None if change is None else "flat" if abs(change) < 0.05 else (
            "up" if change > 0 else "down"
        )  # fmt: skip
        improved = None if trend in (None, "flat") else (trend == "up") == higher
        on_target = None
        if k.value is not None and k.target is not None:
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
            }
        )
    return _table(
        rows,
        "key:str label:str kind:str value:float unit:str n:int low:float high:float "
        "previous:float change:float target:float higher_is_better:bool trend:str "
        "improved:bool on_target:bool",
    )


def pain_data(m: JourneyMap, measurement: Measurement) -> pa.Table:
    """The pain points the data shows, by rank: ``rank, title, kind, severity, stage_name,
    touchpoint_name, customers_affected, conversions_lost, value_lost, evidence, quotes,
    team`` (the name of the team's pain point it confirms, if any)."""
    stages = {s.id: s.name for s in m.stages}
    tps = {tp.id: tp.name for _, tp in m.iter_touchpoints()}
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
    return _table(
        rows,
        "rank:int title:str kind:str severity:str stage_name:str touchpoint_name:str "
        "customers_affected:int conversions_lost:float value_lost:float evidence:str "
        "quotes:list team:str",
    )


def action_data(m: JourneyMap, measurement: Measurement) -> pa.Table:
    """The action items with what the data says they are worth, the most valuable first
    (conversions per month, then value per month; items without an estimate last, in map
    order): ``opportunity, name, where, owner, status, priority, estimate,
    conversions_per_month, value_per_month, kpi, kpi_target, kpi_before, kpi_now``."""
    opps = {o.id: (i, o) for i, o in enumerate(m.opportunities)}
    stages = {s.id: s.name for s in m.stages}
    tps = {tp.id: tp.name for _, tp in m.iter_touchpoints()}
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
    return _table(
        rows,
        "opportunity:str name:str where:str owner:str status:str priority:str "
        "estimate:str conversions_per_month:float value_per_month:float kpi:str "
        "kpi_target:float kpi_before:float kpi_now:float",
    )


# ---- drawing helpers --------------------------------------------------------------------------

#: Browsers without Liberation Sans draw the charts' text in a wider font (DejaVu Sans is
#: about 12% wider); text placed side by side leaves that much room.
_SLACK = 1.12


def _w(text: str, size: float, *, bold: bool = False) -> float:
    """The width to leave for ``text``: its measured width with room for a wider font."""
    return text_width(text, size, bold=bold) * _SLACK


def _svg(width: float, height: float, title: str, body: Iterable[str]) -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(width)}" height="{_n(height)}" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" font-family={quoteattr(FONT_FAMILY)} '
        f"role={quoteattr('img')} aria-label={quoteattr(title)}>"
    )
    return "\n".join([head, f"<title>{escape(title)}</title>", *body, "</svg>"]) + "\n"


def _t(
    text: str,
    x: float,
    y: float,
    size: float = 11.0,
    *,
    bold: bool = False,
    italic: bool = False,
    anchor: str = "start",
    fill: str = INK,
) -> str:
    attrs: dict[str, str | float | None] = {
        "x": x,
        "y": y,
        "font-size": size,
        "font-weight": "bold" if bold else None,
        "font-style": "italic" if italic else None,
        "text-anchor": None if anchor == "start" else anchor,
        "fill": fill,
    }
    inner = "".join(
        f" {k}={quoteattr(_n(v) if isinstance(v, float | int) else v)}"
        for k, v in attrs.items()
        if v is not None
    )
    return f"<text{inner}>{escape(text)}</text>"


def _empty(width: float, title: str, message: str) -> str:
    return _svg(width, 48, title, [_t(message, 0, 28, 12, italic=True, fill=MUTED)])


# ---- funnel -----------------------------------------------------------------------------------


def draw_funnel(table: pa.Table, *, width: float = CHART_W) -> str:
    """Customers per stage as bars, the share that ends its journey there in red at the bar's
    end, and what goes on to a later stage written beside it."""
    rows = table.to_pylist()
    title = "Customers per stage"
    if not rows or not any(r["customers"] for r in rows):
        return _empty(width, title, "No stage has customers in this measurement.")
    name_w, right_w, row_h, top = 190.0, 330.0, 46.0, 8.0
    bar_x, bar_w = name_w, width - name_w - right_w - 16
    biggest = max(r["customers"] for r in rows) or 1
    out: list[str] = []
    for i, r in enumerate(rows):
        y = top + i * row_h
        mid = y + row_h / 2
        out.append(_t(truncate(r["name"], name_w - 16, 13, bold=True), 0, mid - 2, 13, bold=True))
        reach = f"reach {fmt_share(r['reach'])}" if r["reach"] is not None else "no data"
        out.append(_t(reach, 0, mid + 13, 10.5, fill=MUTED))
        w = bar_w * r["customers"] / biggest
        out.append(_el("rect", x=bar_x, y=mid - 13, width=bar_w, height=26, rx=3, fill="#f1f4f8"))
        if w > 0:
            out.append(_el("rect", x=bar_x, y=mid - 13, width=w, height=26, rx=3, fill=REACH))
            drop = min(w, bar_w * r["dropoff_customers"] / biggest)
            if drop > 0:
                out.append(_el("rect", x=bar_x + w - drop, y=mid - 13, width=drop, height=26,
                               fill=NEGATIVE, fill_opacity=0.9))  # fmt: skip
        label = f"{fmt_count(r['customers'])} customers"
        lw = _w(label, 11.5, bold=True)
        if w - (bar_w * r["dropoff_customers"] / biggest) > lw + 16:
            out.append(_t(label, bar_x + 8, mid + 4, 11.5, bold=True, fill="#ffffff"))
        else:
            out.append(_t(label, bar_x + w + 8, mid + 4, 11.5, bold=True))
        rx = bar_x + bar_w + 16
        if r["conversion_to_next"] is not None:
            text = f"{fmt_share(r['conversion_to_next'], digits=1)} go on to a later stage"
            out.append(
                _t("\u2192 " + text, rx, mid - 3, 11.5, bold=True, fill=TONES["opportunity"])
            )
        if r["dropoff_customers"]:
            rate = f" ({fmt_share(r['dropoff_rate'], digits=1)})" if r["dropoff_rate"] else ""
            text = f"{fmt_count(r['dropoff_customers'])} end their journey here{rate}"
            out.append(_t(text, rx, mid + 13, 11, fill=TONES["pain"]))
    height = top + len(rows) * row_h + 30
    ly = height - 10
    out += [
        _el("rect", x=bar_x, y=ly - 9, width=12, height=10, fill=REACH),
        _t("customers who reach the stage", bar_x + 17, ly, 10.5, fill=MUTED),
        _el("rect", x=bar_x + 200, y=ly - 9, width=12, height=10, fill=NEGATIVE),
        _t("of them, end their journey there", bar_x + 217, ly, 10.5, fill=MUTED),
    ]
    return _svg(width, height, title, out)


# ---- flows (Sankey) ---------------------------------------------------------------------------


def _arc(x1: float, y1: float, x2: float, y2: float, ry: float, *, over: bool) -> str:
    """Half an ellipse from (x1, y1) to (x2, y2), over the top or under the bottom."""
    rx = abs(x2 - x1) / 2
    sweep = 1 if (x2 > x1) == over else 0
    return f"M{_n(x1)} {_n(y1)}A{_n(rx)} {_n(ry)} 0 0 {sweep} {_n(x2)} {_n(y2)}"


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def draw_sankey(
    nodes: pa.Table,
    links: pa.Table,
    *,
    width: float = CHART_W,
    min_share: float = 0.02,
    max_deviations: int = 16,
) -> str:
    """Real flows between touchpoints, nodes in map order under their stage.

    Each touchpoint is a bar as tall as its reach. The designed path (a touchpoint to the next
    one of the map) runs straight along the middle in blue; customers who skip ahead arc over
    the top, those who go back arc underneath, in grey. Every link is as thick as the
    customers who made that move (one scale for bars and links). Only the biggest
    ``max_deviations`` flows off the designed path, each of at least ``min_share`` of the
    journey's customers, are drawn; the chart says how many were left out.
    """
    node_rows = nodes.to_pylist()
    title = "Flows between touchpoints"
    if not node_rows:
        return _empty(width, title, "No touchpoint has customers in this measurement.")
    n = len(node_rows)
    col = width / n
    index = {r["touchpoint"]: r["index"] for r in node_rows}
    link_rows = [r for r in links.to_pylist() if r["source"] in index and r["target"] in index]

    def span(r: dict[str, Any]) -> int:
        return int(index[r["target"]] - index[r["source"]])

    def straight(r: dict[str, Any]) -> bool:
        return span(r) == 1 and bool(r["designed"])

    big = [r for r in link_rows if r["share"] is None or r["share"] >= min_share]
    path = [r for r in big if straight(r)]
    off = sorted((r for r in big if not straight(r)), key=lambda r: -r["customers"])
    drawn = path + off[:max_deviations]
    hidden = [r for r in link_rows if r not in drawn]
    biggest = max([r["customers"] for r in node_rows] + [r["customers"] for r in drawn] + [1])
    thick: float = min(64.0, col * 0.7) / biggest  # px per customer

    def cx(i: int) -> float:
        return col * (i + 0.5)

    def half(i: int) -> float:
        return max(float(node_rows[i]["customers"]) * thick, 2.0) / 2.0

    def t_of(r: dict[str, Any]) -> float:
        return max(float(r["customers"]) * thick, 1.2)

    def ry(r: dict[str, Any]) -> float:
        rx = abs(span(r)) * col / 2
        return min(rx * 0.5, 90.0) + t_of(r) / 2 + 6

    def reach(r: dict[str, Any]) -> float:
        """How far an arc goes beyond the taller of its two nodes' ends."""
        i, j = index[r["source"]], index[r["target"]]
        return ry(r) + t_of(r) / 2 + abs(half(i) - half(j))

    over = [r for r in drawn if not straight(r) and span(r) > 0]
    under = [r for r in drawn if span(r) < 0]
    biggest_half = max(half(i) for i in range(n))
    above = max([reach(r) for r in over] + [12.0]) + 16
    below = max([reach(r) for r in under] + [12.0]) + 16
    stage_h = 30.0
    y0 = stage_h + 8 + above + biggest_half
    out: list[str] = []
    # stage headers over their touchpoints' columns
    start = 0
    for i in range(1, n + 1):
        if i == n or node_rows[i]["stage"] != node_rows[start]["stage"]:
            x = col * start + 2
            w = col * (i - start) - 4
            out.append(_el("rect", x=x, y=0.0, width=w, height=stage_h, rx=4, fill=STAGE_FILL))
            name = truncate(node_rows[start]["stage_name"], w - 12, 12.5, bold=True)
            out.append(_t(name, x + w / 2, 20, 12.5, bold=True, anchor="middle", fill="#ffffff"))
            start = i
    labels: list[tuple[str, float, float, str]] = []
    # deviations first, the biggest at the back; the designed path on top
    for r in sorted(drawn, key=lambda r: (straight(r), -r["customers"])):
        i, j = index[r["source"]], index[r["target"]]
        t = t_of(r)
        mid = (cx(i) + cx(j)) / 2
        if straight(r):
            d = f"M{_n(cx(i))} {_n(y0)}L{_n(cx(j))} {_n(y0)}"
            color, opacity = FLOW, 0.8
            if t >= 13:
                labels.append((fmt_count(r["customers"]), mid, y0 + 3.5, "#ffffff"))
        elif span(r) > 0:
            y1, y2 = y0 - half(i), y0 - half(j)
            d = _arc(cx(i), y1, cx(j), y2, ry(r), over=True)
            color, opacity = DEVIATION, 0.42
            labels.append((fmt_count(r["customers"]), mid, min(y1, y2) - ry(r) - t / 2 - 4, MUTED))
        else:
            y1, y2 = y0 + half(i), y0 + half(j)
            d = _arc(cx(i), y1, cx(j), y2, ry(r), over=False)
            color, opacity = DEVIATION, 0.42
            labels.append((fmt_count(r["customers"]), mid, max(y1, y2) + ry(r) + t / 2 + 12, MUTED))
        out.append(_el("path", d=d, fill="none", stroke=color, stroke_width=t,
                       stroke_opacity=opacity))  # fmt: skip
    for r in node_rows:
        h = half(r["index"]) * 2
        out.append(_el("rect", x=cx(r["index"]) - 7, y=y0 - h / 2, width=14, height=h, rx=2,
                       fill=STAGE_FILL))  # fmt: skip
    # numbers of the links, the biggest first, none on top of another
    taken: list[tuple[float, float, float, float]] = []
    for text, x, y, fill in labels:
        w = _w(text, 10, bold=True)
        box = (x - w / 2 - 2, y - 10, w + 4, 13)
        if fill == MUTED and any(_overlaps(box, b) for b in taken):
            continue
        taken.append(box)
        out.append(_t(text, x, y, 10, bold=True, anchor="middle", fill=fill))
    # touchpoint names and reach under everything
    ny = y0 + biggest_half + below + 14
    lines = 1
    for r in node_rows:
        rows = wrap(r["name"], (col - 8) / _SLACK, 11, bold=True, max_lines=3)
        lines = max(lines, len(rows))
        for k, row in enumerate(rows):
            out.append(_t(row, cx(r["index"]), ny + k * 14, 11, bold=True, anchor="middle"))
    for r in node_rows:
        out.append(_t(f"{fmt_count(r['customers'])} reach", cx(r["index"]), ny + lines * 14 + 1,
                      10.5, anchor="middle", fill=MUTED))  # fmt: skip
    ly = ny + lines * 14 + 30
    legend = [
        (FLOW, 0.8, "the designed path: each touchpoint to the map's next one"),
        (DEVIATION, 0.6, "off the path: skipping ahead (over) or going back (under)"),
    ]
    x = 0.0
    for color, opacity, text in legend:
        out.append(_el("rect", x=x, y=ly - 9, width=22, height=10, fill=color,
                       fill_opacity=opacity))  # fmt: skip
        out.append(_t(text, x + 28, ly, 10.5, fill=MUTED))
        x += 28 + _w(text, 10.5) + 26
    note = "Thickness: customers who made the move; bar height: customers who reach the touchpoint."
    if hidden:
        many = len(hidden) > 1
        note += (
            f" {len(hidden)} smaller flow{'s' if many else ''} "
            f"({fmt_count(sum(r['customers'] for r in hidden))} customer moves in all) "
            f"{'are' if many else 'is'} not drawn."
        )
    out.append(_t(note, 0, ly + 20, 10.5, italic=True, fill=MUTED))
    return _svg(width, ly + 30, title, out)


# ---- emotion gaps -----------------------------------------------------------------------------


def draw_gaps(table: pa.Table, *, scale: Sequence[tuple[int, str]], width: float = CHART_W) -> str:
    """Expected (diamond) against measured emotion (circle) per touchpoint, the 95% interval
    as a light band, the gap written at the right; hollow grey for thin evidence. ``scale``
    is the map's levels as ``(value, label)``, lowest first."""
    rows = table.to_pylist()
    title = "Expected and measured emotion per touchpoint"
    if not rows:
        return _empty(width, title, "No touchpoint has both an expected and a measured emotion.")
    name_w, right_w, row_h, top = 220.0, 150.0, 34.0, 34.0
    x0, x1 = name_w + 50, width - right_w - 60
    vmin, vmax = scale[0][0], scale[-1][0]
    widest = max(abs(vmin), abs(vmax), 1)

    def x_of(v: float) -> float:
        v = min(max(v, vmin), vmax)
        return x0 + (v - vmin) / max(vmax - vmin, 1) * (x1 - x0)

    def tone(v: float) -> int:
        return max(-3, min(3, round(v / widest * 3)))

    bottom = top + len(rows) * row_h
    out: list[str] = [
        _el("rect", x=0.0, y=top + i * row_h, width=width, height=row_h, fill="#f7f9fb")
        for i in range(1, len(rows), 2)
    ]
    for value, label in scale:
        x = x_of(value)
        zero = value == 0
        out.append(_el("line", x1=x, y1=top - 4, x2=x, y2=bottom, stroke="#aab4c0" if zero
                       else "#e3e8ee", stroke_width=1.2 if zero else 1))  # fmt: skip
        out.append(_t(f"{label} {format_level(value)}", x, top - 12, 10, anchor="middle",
                      fill=MUTED))  # fmt: skip
    out.append(_t("Gap", width - right_w, top - 12, 10, bold=True, fill=MUTED))
    for i, r in enumerate(rows):
        y = top + i * row_h + row_h / 2
        out.append(_t(truncate(r["name"], name_w, 12, bold=True), 0, y - 1, 12, bold=True))
        out.append(_t(truncate(r["stage_name"], name_w, 10), 0, y + 12, 10, fill=MUTED))
        thin = r["evidence"] == "thin"
        if r["low"] is not None and r["high"] is not None:
            lo, hi = x_of(r["low"]), x_of(r["high"])
            out.append(_el("rect", x=lo, y=y - 7, width=max(hi - lo, 2), height=14, rx=7,
                           fill=BAND_FILL, fill_opacity=BAND_OPACITY))  # fmt: skip
        xe, xa = x_of(r["expected"]), x_of(r["emotion"])
        gap = round(r["gap"], 1) + 0.0
        color = MUTED if gap == 0 else NEGATIVE if gap < 0 else POSITIVE
        if abs(xa - xe) > 8:
            out.append(_el("line", x1=xe, y1=y, x2=xa, y2=y, stroke=color, stroke_width=2,
                           stroke_dasharray="2 2.5"))  # fmt: skip
        out.append(_diamond(xe, y, 6.5, fill=LEVEL_COLORS[tone(r["expected"])], stroke=MUTED,
                            stroke_width=1.4))  # fmt: skip
        if thin:
            out.append(_el("circle", cx=xa, cy=y, r=5.4, fill="#ffffff", stroke=THIN,
                           stroke_width=1.8))  # fmt: skip
        else:
            out.append(_el("circle", cx=xa, cy=y, r=6, fill=LEVEL_COLORS[tone(r["emotion"])],
                           stroke=INK, stroke_width=1.3))  # fmt: skip
        gx = width - right_w
        out.append(_t(format_measured(gap), gx, y + 4, 13, bold=True, fill=color))
        note = f"n={fmt_count(r['n'])}" + (" \u00b7 thin" if thin else "")
        out.append(_t(note, gx + 46, y + 4, 10, italic=thin, fill=MUTED))
    ly = bottom + 24
    out += [
        _diamond(x0 + 6, ly - 4, 6, fill=LEVEL_COLORS[2], stroke=MUTED, stroke_width=1.3),
        _t("expected", x0 + 17, ly, 10.5, fill=MUTED),
        _el("circle", cx=x0 + 86, cy=ly - 4, r=5.5, fill=LEVEL_COLORS[2], stroke=INK,
            stroke_width=1.2),
        _t("measured", x0 + 96, ly, 10.5, fill=MUTED),
        _el("rect", x=x0 + 160, y=ly - 10, width=26, height=12, rx=6, fill=BAND_FILL,
            fill_opacity=BAND_OPACITY),
        _t("95% interval", x0 + 192, ly, 10.5, fill=MUTED),
        _el("circle", cx=x0 + 276, cy=ly - 4, r=5, fill="#ffffff", stroke=THIN, stroke_width=1.8),
        _t("thin evidence", x0 + 286, ly, 10.5, fill=MUTED),
    ]  # fmt: skip
    return _svg(width, ly + 10, title, out)


# ---- coverage ---------------------------------------------------------------------------------

_COVERAGE_STYLE = {
    "measured": (REACH, "#ffffff", "measured"),
    "thin": ("#c4ccd6", INK, "thin evidence"),
    "none": (NONE_FILL, MUTED, "no evidence"),
}


def draw_coverage(table: pa.Table, *, width: float = 560.0) -> str:
    """The share of touchpoints measured, on thin evidence and without evidence, as one bar."""
    rows = table.to_pylist()
    title = "Evidence coverage"
    total = sum(r["touchpoints"] for r in rows)
    if not total:
        return _empty(width, title, "The measurement has no touchpoints.")
    out: list[str] = []
    x = 0.0
    for r in rows:
        if not r["touchpoints"]:
            continue
        fill, ink, _ = _COVERAGE_STYLE[r["evidence"]]
        w = width * r["touchpoints"] / total
        out.append(_el("rect", x=x, y=0.0, width=w, height=30, fill=fill, stroke="#ffffff",
                       stroke_width=1.5))  # fmt: skip
        text = fmt_share(r["share"])
        if _w(text, 12, bold=True) + 10 < w:
            out.append(_t(text, x + w / 2, 19.5, 12, bold=True, anchor="middle", fill=ink))
        x += w
    lx = 0.0
    for r in rows:
        fill, _, word = _COVERAGE_STYLE[r["evidence"]]
        text = f"{r['touchpoints']} {word} ({fmt_share(r['share'])})"
        out.append(_el("rect", x=lx, y=42.0, width=12, height=12, rx=2, fill=fill,
                       stroke="#b9c4d2" if r["evidence"] == "none" else "none"))  # fmt: skip
        out.append(_t(text, lx + 17, 52.5, 11))
        lx += 17 + _w(text, 11) + 22
    return _svg(width, 62, title, out)


# ---- small inline marks -----------------------------------------------------------------------


def trend_arrow(trend: str | None, improved: bool | None, *, size: float = 14.0) -> str:
    """A small SVG arrow for a KPI's change: up, down or flat, blue when it improved, red when
    it got worse, grey when flat; empty without a previous value."""
    if trend is None:
        return ""
    color = MUTED if improved is None else POSITIVE if improved else NEGATIVE
    s = size
    if trend == "flat":
        d = f"M2 {_n(s / 2)}H{_n(s - 3)}M{_n(s - 7)} {_n(s / 2 - 4)}L{_n(s - 3)} {_n(s / 2)}" \
            f"L{_n(s - 7)} {_n(s / 2 + 4)}"  # fmt: skip
        label = "no change"
    elif trend == "up":
        d = f"M{_n(s / 2)} {_n(s - 2)}V3M{_n(s / 2 - 4)} 7L{_n(s / 2)} 3L{_n(s / 2 + 4)} 7"
        label = "up" + (", better" if improved else ", worse")
    else:
        d = f"M{_n(s / 2)} 2V{_n(s - 3)}M{_n(s / 2 - 4)} {_n(s - 7)}L{_n(s / 2)} {_n(s - 3)}" \
            f"L{_n(s / 2 + 4)} {_n(s - 7)}"  # fmt: skip
        label = "down" + (", better" if improved else ", worse")
    return (
        f'<svg width="{_n(s)}" height="{_n(s)}" viewBox="0 0 {_n(s)} {_n(s)}" role="img" '
        f"aria-label={quoteattr(label)} class=\"trend\">"
        f"<title>{escape(label)}</title>"
        + _el("path", d=d, fill="none", stroke=color, stroke_width=2.2, stroke_linecap="round",
              stroke_linejoin="round")
        + "</svg>"
    )  # fmt: skip


def severity_color(severity: str) -> str:
    """The colour of a pain point's severity, as on the map's pain-point cards."""
    return SEVERITY_COLORS.get(severity, SEVERITY_COLORS["medium"])
