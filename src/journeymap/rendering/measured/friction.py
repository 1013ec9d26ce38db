"""Friction per touchpoint, and what customers say there: :func:`friction_data` ->
:func:`draw_friction`.

Friction is behaviour held against the journey's typical step (docs/measure.md, "Friction"),
never an emotion; the chart puts each touchpoint's most telling measure on one axis, how many
usual spreads it is from the journey's typical step (its robust z), with the measure in words,
and the table beside it in the report says what customers said at the same touchpoint.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from journeymap import _numbers as nb
from journeymap.measuring.friction import FRICTION_Z, friction_rank
from journeymap.model.journey import JourneyMap
from journeymap.model.measurement import Measurement
from journeymap.rendering.friction import AMBIGUOUS, METER_BARS, friction_words
from journeymap.rendering.measured._chart import CHART_W, TouchpointRows, arrow_table, axis, empty
from journeymap.rendering.svgkit import (
    MUTED,
    SEVERITY_COLORS,
    THIN,
    document,
    el,
    meter,
    scale_line,
    text,
)
from journeymap.rendering.view import Rect

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["draw_friction", "friction_data"]

#: the axis of the chart, in robust z; larger values are drawn at the end with an arrow
Z_MIN, Z_MAX = -2.0, 8.0
_COLUMNS = (
    "touchpoint:str name:str stage_name:str level:str ambiguous:bool friction:float "
    "measure:str value:float typical:float n:int what:str typical_words:str flagged:int "
    "emotion:float level_felt:str evidence:str gap:float"
)


def friction_data(m: JourneyMap, measurement: Measurement) -> pa.Table:
    """Every touchpoint whose friction is judged (enough customers), the most friction first:
    ``touchpoint, name, stage_name, level, ambiguous, friction`` (the robust z of its most
    telling measure), ``measure, value, typical, n, what, typical_words`` (that measure, and
    in words), ``flagged`` (how many measures are above typical), and what customers said
    there: ``emotion, level_felt, evidence, gap`` (null without feedback). Sorted by level,
    then drop-off, support and waits before the ambiguous loops and going back, then z."""
    where = {tp.id: (tp.name, s.name) for s, tp in m.iter_touchpoints()}
    rows: list[dict[str, Any]] = []
    for t in measurement.touchpoints:
        judged = t.friction_evidence == "measured" and t.friction_measures
        if not judged or t.touchpoint not in where:
            continue
        top = t.friction_measures[0]
        what, typical = friction_words(top)
        name, stage_name = where[t.touchpoint]
        rows.append(
            {
                "touchpoint": t.touchpoint,
                "name": name,
                "stage_name": stage_name,
                "level": top.level,
                "ambiguous": top.measure in AMBIGUOUS,
                "friction": top.z,
                "measure": top.measure,
                "value": top.value,
                "typical": top.typical,
                "n": top.n,
                "what": what,
                "typical_words": typical,
                "flagged": sum(f.level not in (None, "typical") for f in t.friction_measures),
                "emotion": t.emotion if t.evidence != "none" else None,
                "level_felt": t.level if t.evidence != "none" else None,
                "evidence": t.evidence,
                "gap": t.gap if t.evidence != "none" else None,
            }
        )
    rows.sort(key=lambda r: friction_rank({"measure": r["measure"], "level": r["level"],
                                           "z": r["friction"]}))  # fmt: skip
    return arrow_table(rows, _COLUMNS)


def draw_friction(table: pa.Table, *, width: float = CHART_W) -> str:
    """Each touchpoint's most telling measure as a bar from the journey's typical step (0)
    to its robust z, the friction zone (2 and more) shaded, the meter and the measure in
    words at the right; grey for typical friction and for the ambiguous loops and going
    back."""
    rows = table.to_pylist()
    title = "Friction per touchpoint, against the journey's typical step"
    if not rows:
        return empty(width, title, "No touchpoint has enough customers to judge its friction.")
    frame = TouchpointRows(len(rows), width)
    top, bottom, right_w = frame.top, frame.bottom, 330.0
    x0, x1 = frame.name_w + 30, width - right_w - 30
    x_of = axis(Z_MIN, Z_MAX, x0, x1)
    out = frame.bands()
    zone = x_of(FRICTION_Z)
    out.append(el("rect", x=zone, y=top - 4, width=x1 - zone, height=bottom - top + 4,
                  fill=SEVERITY_COLORS["medium"], fill_opacity=0.08))  # fmt: skip
    for z in range(int(Z_MIN), int(Z_MAX) + 1, 2):
        out.append(scale_line(x_of(z), top - 4, x_of(z), bottom, zero=z == 0))
        label = "typical" if z == 0 else f"{z:+d}".replace("-", nb.MINUS)
        out.append(text(label, x_of(z), top - 12, 10, anchor="middle", fill=MUTED))
    out.append(text("friction \u2192", zone + 4, bottom + 16, 10, italic=True, fill=MUTED))
    for i, r in enumerate(rows):
        y = frame.middle(i)
        out += frame.names(r, y)
        out += _bar(r, y, x_of(0.0), x_of(r["friction"]), over=r["friction"] > Z_MAX)
        out += _words(r, y, x1 + 30)
    ly = bottom + 34
    legend = [
        meter(Rect(x0, ly - 11, 12, 12), 2, SEVERITY_COLORS["high"]),
        text("medium, high, critical: 1, 2, 3 bars", x0 + 18, ly, 10.5, fill=MUTED),
        meter(Rect(x0 + 240, ly - 11, 12, 12), 1, THIN),
        text("loops or going back (ambiguous), or typical", x0 + 258, ly, 10.5, fill=MUTED),
        text("bar: usual spreads from the journey's typical step (robust z)", x0 + 520, ly,
             10.5, fill=MUTED),
    ]  # fmt: skip
    return document(width, ly + 10, title, out + legend)


def _color(r: dict[str, Any]) -> str:
    if r["ambiguous"] or r["level"] == "typical":
        return THIN
    return SEVERITY_COLORS.get(r["level"], SEVERITY_COLORS["medium"])


def _bar(r: dict[str, Any], y: float, x_zero: float, x_z: float, *, over: bool) -> list[str]:
    """The bar from the typical step to the touchpoint's z, an arrow when beyond the axis."""
    color = _color(r)
    left, right = min(x_zero, x_z), max(x_zero, x_z)
    out = [el("rect", x=left, y=y - 6, width=max(right - left, 2), height=12, rx=3, fill=color,
              fill_opacity=0.85)]  # fmt: skip
    if over:
        tip = f"M{right:.2f} {y - 8:.2f}l9 8l-9 8z"
        out.append(el("path", d=tip, fill=color))
    return out


def _words(r: dict[str, Any], y: float, x: float) -> list[str]:
    """The meter, the measure in words, the journey's typical value and n."""
    color = _color(r)
    bars = 0 if r["level"] == "typical" else METER_BARS.get(r["level"], 1)
    more = f" \u00b7 +{r['flagged'] - 1} more" if r["flagged"] > 1 else ""
    return [
        meter(Rect(x, y - 12, 13, 13), bars, color),
        text(r["what"], x + 20, y - 1, 12, bold=True),
        text(f"{r['typical_words']} \u00b7 n={nb.count(r['n'])} \u00b7 {r['level']}{more}",
             x + 20, y + 12, 10, fill=MUTED),
    ]  # fmt: skip
