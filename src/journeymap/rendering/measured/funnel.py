"""Customers per stage: :func:`funnel_data` -> :func:`draw_funnel`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from journeymap import _numbers as nb
from journeymap.model.journey import JourneyMap
from journeymap.model.measurement import Measurement
from journeymap.rendering.measured._chart import CHART_W, REACH, arrow_table, empty, room
from journeymap.rendering.svgkit import MUTED, NEGATIVE, TONES, document, el, text
from journeymap.rendering.text import truncate

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["draw_funnel", "funnel_data"]


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
    return arrow_table(
        rows,
        "stage:str name:str order:int customers:int reach:float converted:int "
        "conversion_to_next:float dropoff_customers:int dropoff_rate:float",
    )


def draw_funnel(table: pa.Table, *, width: float = CHART_W) -> str:
    """Customers per stage as bars, the share that ends its journey there in red at the bar's
    end, and what goes on to a later stage written beside it."""
    rows = table.to_pylist()
    title = "Customers per stage"
    if not rows or not any(r["customers"] for r in rows):
        return empty(width, title, "No stage has customers in this measurement.")
    name_w, right_w, row_h, top = 190.0, 330.0, 46.0, 8.0
    bar_x, bar_w = name_w, width - name_w - right_w - 16
    biggest = max(r["customers"] for r in rows) or 1
    out: list[str] = []
    for i, r in enumerate(rows):
        y = top + i * row_h
        mid = y + row_h / 2
        out.append(text(truncate(r["name"], name_w - 16, 13, bold=True), 0, mid - 2, 13,
                        bold=True))  # fmt: skip
        reach = f"reach {nb.percent(r['reach'])}" if r["reach"] is not None else "no data"
        out.append(text(reach, 0, mid + 13, 10.5, fill=MUTED))
        w = bar_w * r["customers"] / biggest
        out.append(el("rect", x=bar_x, y=mid - 13, width=bar_w, height=26, rx=3, fill="#f1f4f8"))
        if w > 0:
            out.append(el("rect", x=bar_x, y=mid - 13, width=w, height=26, rx=3, fill=REACH))
            drop = min(w, bar_w * r["dropoff_customers"] / biggest)
            if drop > 0:
                out.append(el("rect", x=bar_x + w - drop, y=mid - 13, width=drop, height=26,
                              fill=NEGATIVE, fill_opacity=0.9))  # fmt: skip
        label = f"{nb.count(r['customers'])} customers"
        lw = room(label, 11.5, bold=True)
        if w - (bar_w * r["dropoff_customers"] / biggest) > lw + 16:
            out.append(text(label, bar_x + 8, mid + 4, 11.5, bold=True, fill="#ffffff"))
        else:
            out.append(text(label, bar_x + w + 8, mid + 4, 11.5, bold=True))
        out += _goes_on(r, bar_x + bar_w + 16, mid)
    height = top + len(rows) * row_h + 30
    ly = height - 10
    out += [
        el("rect", x=bar_x, y=ly - 9, width=12, height=10, fill=REACH),
        text("customers who reach the stage", bar_x + 17, ly, 10.5, fill=MUTED),
        el("rect", x=bar_x + 200, y=ly - 9, width=12, height=10, fill=NEGATIVE),
        text("of them, end their journey there", bar_x + 217, ly, 10.5, fill=MUTED),
    ]
    return document(width, height, title, out)


def _goes_on(r: dict[str, Any], x: float, mid: float) -> list[str]:
    """Beside a stage's bar: the share that goes on, and how many end their journey there."""
    out = []
    if r["conversion_to_next"] is not None:
        words = f"{nb.percent(r['conversion_to_next'], digits=1)} go on to a later stage"
        out.append(text("\u2192 " + words, x, mid - 3, 11.5, bold=True, fill=TONES["opportunity"]))
    if r["dropoff_customers"]:
        rate = f" ({nb.percent(r['dropoff_rate'], digits=1)})" if r["dropoff_rate"] else ""
        words = f"{nb.count(r['dropoff_customers'])} end their journey here{rate}"
        out.append(text(words, x, mid + 13, 11, fill=TONES["pain"]))
    return out
