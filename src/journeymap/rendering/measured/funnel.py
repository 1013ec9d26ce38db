"""Customers per stage: :func:`funnel_data` -> :func:`draw_funnel`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from journeymap import _numbers as nb
from journeymap.model.journey import JourneyMap
from journeymap.model.measurement import Measurement
from journeymap.rendering.measured._chart import CHART_W, REACH, arrow_table, empty, room
from journeymap.rendering.svgkit import (
    LEVEL_COLORS,
    MUTED,
    NEGATIVE,
    STAGE_FILL,
    THIN,
    TONES,
    document,
    el,
    text,
)
from journeymap.rendering.text import truncate

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["SPLIT", "draw_funnel", "funnel_data"]

#: how a stage's customers split besides going on: back to an earlier stage, or ending here by
#: outcome (the columns of :func:`funnel_data`, as ``StageMeasure`` names them)
SPLIT = ("went_back", "ended_goal", "ended_other", "abandoned", "in_progress")


def funnel_data(m: JourneyMap, measurement: Measurement) -> pa.Table:
    """One row per stage of the map, in order: ``stage, name, order, customers, reach,
    converted, conversion_to_next, dropoff_customers, dropoff_rate``, and how the stage's
    customers split (docs/measure.md, "Behaviour per touchpoint and stage"): ``went_back``
    (they end their journey in an earlier stage) and, of those who end it here,
    ``ended_goal, ended_other, abandoned, in_progress``.

    ``customers = converted + went_back + dropoff_customers`` and ``dropoff_customers =
    ended_goal + ended_other + abandoned + in_progress``. The split is null for a measurement
    without outcomes (one saved before they were measured, or without an event log), where it
    is unknown. ``reach`` is the share of the measured customers who reach the stage (the
    measurement's ``reach_share``, as the segments and the terminal give it: with ``--since``
    the first stage need not have every customer), else the stage's customers divided by the
    most customers any stage has, 0..1. Stages without figures have 0 customers.
    """
    by_id = {s.stage: s for s in measurement.stages}
    total = max((s.customers for s in measurement.stages), default=0)
    split = bool(measurement.outcomes)
    rows: list[dict[str, Any]] = []
    for i, stage in enumerate(m.stages, 1):
        s = by_id.get(stage.id)
        customers = s.customers if s else 0
        reach = s.reach_share if s is not None else None
        if reach is None and total:
            reach = customers / total
        rows.append(
            {
                "stage": stage.id,
                "name": stage.name,
                "order": i,
                "customers": customers,
                "reach": reach,
                "converted": s.converted if s else 0,
                "conversion_to_next": s.conversion_to_next if s else None,
                "dropoff_customers": s.dropoff_customers if s else 0,
                "dropoff_rate": s.dropoff_rate if s else None,
            }
            | {key: (getattr(s, key) if s else 0) if split else None for key in SPLIT}
        )
    return arrow_table(
        rows,
        "stage:str name:str order:int customers:int reach:float converted:int "
        "conversion_to_next:float dropoff_customers:int dropoff_rate:float went_back:int "
        "ended_goal:int ended_other:int abandoned:int in_progress:int",
    )


#: the end of a stage's bar, by outcome, from the inside out (the abandoned part last, in red):
#: key, fill, words in the legend
_ENDS = (
    ("ended_goal", STAGE_FILL, "end here at the goal"),
    ("ended_other", THIN, "another way"),
    ("in_progress", LEVEL_COLORS[0], "still in progress"),
    ("abandoned", NEGATIVE, "abandoned here"),
)


def draw_funnel(table: pa.Table, *, width: float = CHART_W) -> str:
    """Customers per stage as bars, the part that ends its journey there at the bar's end (by
    outcome when the measurement has them: at the goal dark, another way grey, in progress
    light grey, abandoned red; else all red), and what goes on to a later stage written
    beside it."""
    rows = table.to_pylist()
    title = "Customers per stage"
    if not rows or not any(r["customers"] for r in rows):
        return empty(width, title, "No stage has customers in this measurement.")
    split = all(r["abandoned"] is not None for r in rows)
    name_w, right_w, row_h, top = 190.0, 360.0, 46.0, 8.0
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
            parts = [(r[k], fill) for k, fill, _ in _ENDS] if split else [
                (r["dropoff_customers"], NEGATIVE)
            ]  # fmt: skip
            x_end = bar_x + w
            for n, fill in reversed(parts):
                part = min(x_end - bar_x, bar_w * n / biggest)
                if part > 0:
                    x_end -= part
                    out.append(el("rect", x=x_end, y=mid - 13, width=part, height=26, fill=fill,
                                  fill_opacity=0.9))  # fmt: skip
        label = f"{nb.count(r['customers'])} customers"
        lw = room(label, 11.5, bold=True)
        if w - (bar_w * r["dropoff_customers"] / biggest) > lw + 16:
            out.append(text(label, bar_x + 8, mid + 4, 11.5, bold=True, fill="#ffffff"))
        else:
            out.append(text(label, bar_x + w + 8, mid + 4, 11.5, bold=True))
        out += _goes_on(r, bar_x + bar_w + 16, mid, right_w, split=split)
    height = top + len(rows) * row_h + 30
    out += _legend(rows, bar_x, height - 10, split=split)
    return document(width, height, title, out)


def _legend(rows: list[dict[str, Any]], x: float, y: float, *, split: bool) -> list[str]:
    """What the colours of the bars mean; an outcome no stage has is left out."""
    keys: list[tuple[str, str]] = [(REACH, "customers who reach the stage")]
    if split:
        keys += [(fill, words) for k, fill, words in _ENDS if any(r[k] for r in rows)]
    else:
        keys.append((NEGATIVE, "of them, end their journey there"))
    out: list[str] = []
    for fill, words in keys:
        out.append(el("rect", x=x, y=y - 9, width=12, height=10, fill=fill))
        out.append(text(words, x + 17, y, 10.5, fill=MUTED))
        x += 17 + room(words, 10.5) + 18
    return out


def _goes_on(r: dict[str, Any], x: float, mid: float, room_w: float, *, split: bool) -> list[str]:
    """Beside a stage's bar: the share that goes on, and how many end their journey there
    (by outcome, when known, in shorter words when the line would not fit in ``room_w``)."""
    out = []
    if r["conversion_to_next"] is not None:
        words = f"{nb.percent(r['conversion_to_next'], digits=1)} go on to a later stage"
        out.append(text("\u2192 " + words, x, mid - 3, 11.5, bold=True, fill=TONES["opportunity"]))
    if r["dropoff_customers"]:
        rate = f" ({nb.percent(r['dropoff_rate'], digits=1)})" if r["dropoff_rate"] else ""
        words = f"{nb.count(r['dropoff_customers'])} end their journey here{rate}"
        fill = TONES["pain"]
        if split:
            for names in _END_WORDS:
                parts = [f"{nb.count(r[k])} {w}" for k, w in names if r[k]]
                line = f"{nb.count(r['dropoff_customers'])} end here: " + ", ".join(parts)
                if room(line, 11) <= room_w:
                    words = line
                    break
            fill = TONES["pain"] if r["abandoned"] else MUTED
        out.append(text(words, x, mid + 13, 11, fill=fill))
    return out


#: the ends of a stage in the line beside its bar, in words and shorter
_END_WORDS = (
    (("ended_goal", "at the goal"), ("ended_other", "another way"), ("abandoned", "abandoned"),
     ("in_progress", "in progress")),
    (("ended_goal", "goal"), ("ended_other", "other"), ("abandoned", "abandoned"),
     ("in_progress", "in progress")),
)  # fmt: skip
