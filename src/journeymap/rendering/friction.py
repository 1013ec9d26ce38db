"""The friction lane of a measured map, and friction in words.

Under the emotion curve, a measured map shows what customers *did* at each touchpoint against
the journey's typical step (docs/measure.md, "Friction"): a signal of its own, never an
emotion. A touchpoint whose friction is flagged (medium, high, critical, as pain points) gets
a card with a meter of one to three bars and its flagged measures in words (*Drop-off 35%*,
*typical 7%*); loops and going back, which are ambiguous (comparing is browsing), are drawn
grey. A touchpoint of typical friction says *typical*, one with too few customers to judge
*few customers*; a touchpoint without behaviour (or back-stage work) shows nothing.

The words are the same in the report, the Markdown tables and on the terminal:
:func:`friction_words`, :func:`friction_line` and :func:`friction_summary`.
"""

from __future__ import annotations

from journeymap import _numbers as nb
from journeymap.model.measurement import FrictionMeasure, Measurement, TouchpointMeasure
from journeymap.rendering.blocks import BODY, LANE_PAD, PAD, SMALL, Para, stack
from journeymap.rendering.grid import Filled, Grid
from journeymap.rendering.text import LINE_HEIGHT
from journeymap.rendering.view import Box, FrictionMark, Rect

__all__ = [
    "AMBIGUOUS",
    "MEASURE_NAMES",
    "METER",
    "METER_BARS",
    "flagged_measures",
    "friction_lane",
    "friction_line",
    "friction_summary",
    "friction_words",
    "measure_value",
]

MEASURE_NAMES: dict[str, str] = {
    "drop-off": "Drop-off",
    "loops": "Loops",
    "backtracking": "Going back",
    "support": "Support contacts",
    "slow": "Wait",
}
#: measures that are friction or browsing: drawn grey
AMBIGUOUS = frozenset({"loops", "backtracking"})
#: bars of the meter per level
METER_BARS: dict[str, int] = {"medium": 1, "high": 2, "critical": 3}
#: the side of the meter
METER = 14.0
#: flagged measures written per touchpoint on the map
SHOWN = 2


def measure_value(measure: str, value: float) -> str:
    """A measure's value as people read it: a share, or a duration for the wait."""
    return nb.duration(value) if measure == "slow" else nb.percent(value)


def friction_words(f: FrictionMeasure) -> tuple[str, str]:
    """The measure and its value, and the journey's typical value: ``("Drop-off 35%",
    "typical 7%")``."""
    return (
        f"{MEASURE_NAMES.get(f.measure, f.measure)} {measure_value(f.measure, f.value)}",
        f"typical {measure_value(f.measure, f.typical)}",
    )


def friction_line(f: FrictionMeasure) -> str:
    """One measure in a line: ``Drop-off 35% (typical 7%, n=1,777)``."""
    what, typical = friction_words(f)
    return f"{what} ({typical}, n={nb.count(f.n)})"


def flagged_measures(t: TouchpointMeasure) -> list[FrictionMeasure]:
    """The touchpoint's measures at a level above typical, the most telling first."""
    if t.friction_evidence != "measured":
        return []
    return [f for f in t.friction_measures if f.level not in (None, "typical")]


def friction_summary(t: TouchpointMeasure) -> str:
    """A touchpoint's friction in a table cell: its level and flagged measures, ``typical``,
    ``few customers (n=12)``, or empty without behaviour."""
    if t.friction_evidence == "none":
        return ""
    if t.friction_evidence == "thin" or t.friction_level is None:
        n = max((f.n for f in t.friction_measures), default=0)
        return f"few customers (n={nb.count(n)})"
    flagged = flagged_measures(t)
    if not flagged:
        return "typical"
    return f"{t.friction_level}: " + "; ".join(friction_line(f) for f in flagged[:SHOWN])


# ---- the lane ---------------------------------------------------------------------------------


def _paras(t: TouchpointMeasure) -> list[Para]:
    """The text of a touchpoint's friction: flagged measures beside the meter, else a muted
    word."""
    flagged = flagged_measures(t)
    if not flagged:
        return [Para(friction_summary(t), SMALL, italic=True, tone="muted", max_lines=2)]
    indent = METER + 6
    paras: list[Para] = []
    for k, f in enumerate(flagged[:SHOWN]):
        what, typical = friction_words(f)
        if k == 0:
            paras.append(Para(what, BODY, bold=True, indent=indent, min_line=METER))
        else:
            paras.append(Para(what, SMALL, bold=True, indent=indent, gap_before=4.0))
        paras.append(Para(typical, SMALL, tone="muted", indent=indent))
    if len(flagged) > SHOWN:
        more = len(flagged) - SHOWN
        paras.append(Para(f"+{more} more", SMALL, italic=True, tone="muted", indent=indent))
    return paras


def _mark(t: TouchpointMeasure, x: float, w: float) -> FrictionMark:
    """The friction of one touchpoint in a column at ``x``, ``w`` wide, from y = 0."""
    flagged = flagged_measures(t)
    pad = PAD if flagged else 2.0
    block = stack(_paras(t), x + pad + 3, pad, w - 2 * pad - 3)
    box = Box("friction", Rect(x, 0.0, w, block.height + 2 * pad), tuple(block.lines),
              stage_id=t.stage, touchpoint_id=t.touchpoint)  # fmt: skip
    meter = None
    if flagged:
        first = max(LINE_HEIGHT * BODY, METER)
        meter = Rect(x + pad + 3, pad + (first - METER) / 2, METER, METER)
    ambiguous = bool(flagged) and flagged[0].measure in AMBIGUOUS
    return FrictionMark(t.touchpoint, t.friction_level, ambiguous, box, meter)


def friction_lane(measurement: Measurement | None, grid: Grid, y: float) -> Filled | None:
    """The friction lane from ``y``: a mark under every touchpoint with behaviour; ``None``
    without a measurement or when no touchpoint has any."""
    if measurement is None:
        return None
    by_tp = {t.touchpoint: t for t in measurement.touchpoints}
    marks: list[FrictionMark] = []
    for i, slot in enumerate(grid.slots):
        t = by_tp.get(slot.tp.id) if slot.tp is not None else None
        if t is None or t.friction_evidence == "none":
            continue
        x, w = grid.slot_box(i)
        marks.append(_mark(t, x, w))
    if not marks:
        return None
    lane = grid.lane("friction", y, max(mk.box.rect.h for mk in marks))
    top = lane.y + LANE_PAD
    return Filled(lane, frictions=[mk.moved(0.0, top) for mk in marks])
