"""Lay a journey map out on a canvas: a pure function from a map to a :class:`MapView`.

The grid (:mod:`~journeymap.rendering.grid`): stages are columns, split into one sub-column
per front-stage touchpoint; lanes are rows, from top to bottom: stage header, customer actions,
touchpoints, thoughts, emotion curve, friction (on a measured map), pain points,
opportunities, back stage, KPIs. Lanes with
nothing in them are left out. Every sub-column is at least :data:`COL_MIN` wide, text wraps
inside its box and lanes grow to fit their tallest cell, so a big map makes a bigger canvas,
never an overlap.

Each part has its module: the header (:mod:`~journeymap.rendering.header`), the cards of the
lanes (:mod:`~journeymap.rendering.cards`) and the emotion curve
(:mod:`~journeymap.rendering.curve`, which also draws a measurement's emotions); this module
puts them one under the other and adds the legend.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from functools import partial

from journeymap.model.emotion import EmotionScale
from journeymap.model.journey import JourneyMap
from journeymap.model.measurement import Measurement
from journeymap.rendering.blocks import (
    CARD_TITLE,
    ICON,
    INSET,
    LANE_PAD,
    PAD,
    SMALL,
    STAGE_NAME,
    TITLE,
)
from journeymap.rendering.cards import backstage_lane, kpi_lane, pin_lane, row_lane, stage_headers
from journeymap.rendering.curve import Emotions, emotion_lane, tick_text
from journeymap.rendering.friction import friction_lane
from journeymap.rendering.grid import (
    CANVAS_MIN_HEADER,
    COL_MIN,
    COL_PREFERRED,
    GUTTER_MIN,
    MARGIN,
    Filled,
    Grid,
    gutter_width,
)
from journeymap.rendering.header import header
from journeymap.rendering.lanes import custom_lane, lane_order
from journeymap.rendering.text import LINE_HEIGHT, text_width, truncate
from journeymap.rendering.view import (
    LegendItem,
    LegendKind,
    MapView,
    Rect,
    Text,
    level_tone,
)

__all__ = ["COL_MIN", "layout", "least_size", "legend_items"]

#: space between the header and the grid, under the stage headers, above the legend
_ABOVE_GRID = 22.0
_BELOW_STAGES = 4.0
_ABOVE_LEGEND = 18.0
_LEGEND_ROW = 22.0


def layout(
    m: JourneyMap,
    *,
    width: int | None = None,
    measurement: Measurement | None = None,
    lanes: Sequence[str] | None = None,
) -> MapView:
    """Position every element of the map's visual.

    ``width`` is the canvas width to aim for; the canvas grows beyond it when the map needs
    more room (every sub-column is at least :data:`COL_MIN` wide). With a ``measurement``,
    the curve's actual emotions are the measured ones (see :mod:`~journeymap.rendering.curve`).
    ``lanes`` names the lanes to draw, top to bottom (see
    :func:`~journeymap.rendering.lanes.lane_order`); by default every lane that holds something.
    """
    emotions = Emotions(m, measurement)
    gutter = gutter_width(tick_text(lv.value, lv.label) for lv in m.scale.levels)
    col_min = max(COL_MIN, min(320.0, emotions.widest_label() + 2 * INSET + 8))
    grid = Grid(m, width, gutter=gutter, col_min=col_min)
    head, bottom = header(m, grid.width, measurement)
    grid_top = bottom + _ABOVE_GRID
    stages, y = stage_headers(m, grid, grid_top)
    y += _BELOW_STAGES
    filled: list[Filled] = []

    def fill(lane: Filled | None, y: float) -> float:
        if lane is None:
            return y
        filled.append(lane)
        return lane.lane.bottom

    builders: dict[str, Callable[[float], Filled | None]] = {
        "actions": lambda y: row_lane(grid, "actions", "action", y),
        "touchpoints": lambda y: row_lane(grid, "touchpoints", "touchpoint", y),
        "thoughts": lambda y: row_lane(grid, "thoughts", "thought", y),
        "emotion": lambda y: emotion_lane(emotions, grid, y),
        "friction": lambda y: friction_lane(measurement, grid, y),
        "pains": lambda y: pin_lane(m, grid, "pains", m.pain_points, y),
        "opportunities": lambda y: pin_lane(m, grid, "opportunities", m.opportunities, y),
        "backstage": lambda y: backstage_lane(m, grid, y),
        "kpis": lambda y: kpi_lane(m, grid, y),
    }
    for own in m.lanes:
        builders[own.id] = partial(custom_lane, m, grid, own)
    visibility: float | None = None
    for key in lane_order(m, lanes):
        before = y
        y = fill(builders[key](y), y)
        if key == "backstage" and y > before:
            visibility = before
    curve = next((f.curve for f in filled if f.curve is not None), None)
    frictions = tuple(mk for f in filled for mk in f.frictions)
    legend, bottom = legend_items(
        m.scale, grid.width, y + _ABOVE_LEGEND, curve=curve is not None,
        measured=measurement is not None, friction=any(mk.flagged for mk in frictions),
    )  # fmt: skip
    return MapView(
        width=grid.width,
        height=math.ceil(bottom + MARGIN),
        title=m.name,
        header=head,
        grid=Rect(MARGIN, grid_top, grid.gutter + grid.grid_w, y - grid_top),
        gutter=grid.gutter,
        stages=tuple(stages),
        lanes=tuple(f.lane for f in filled),
        boxes=tuple(b for f in filled for b in f.boxes),
        touchpoints=tuple(c for f in filled for c in f.cards),
        pins=tuple(p for f in filled for p in f.pins),
        kpis=tuple(k for f in filled for k in f.kpis),
        emotion=curve,
        legend=legend,
        visibility_y=visibility,
        frictions=frictions,
    )


def least_size(m: JourneyMap) -> tuple[float, float]:
    """A lower bound of the size of ``layout(m)``, worked out without laying anything out (no
    text measured), in time linear in the number of touchpoints: to refuse a picture too big
    to draw before spending time and memory on it.

    The width is that of the sub-columns at their narrowest; the height that of the header's
    title and meta line, one line of stage names, one row of touchpoint cards and the legend.
    """
    slots, front = 0, False
    for stage in m.stages:
        n = sum(1 for tp in stage.touchpoints if tp.lane == "frontstage")
        slots += max(n, 1)
        front = front or n > 0
    width = max(
        CANVAS_MIN_HEADER, 2 * MARGIN + GUTTER_MIN + max(slots, 1) * max(COL_MIN, COL_PREFERRED)
    )
    header = MARGIN + LINE_HEIGHT * (TITLE + SMALL)
    stage_row = (LINE_HEIGHT * STAGE_NAME if m.stages else 0.0) + 2 * PAD + 2
    # a touchpoint card: its channel beside the icon, then its name
    cards = 2 * LANE_PAD + 2 * PAD + ICON + 5 + LINE_HEIGHT * CARD_TITLE if front else 0.0
    height = (
        header + _ABOVE_GRID + stage_row + _BELOW_STAGES + cards
        + _ABOVE_LEGEND + _LEGEND_ROW + MARGIN
    )  # fmt: skip
    return width, height


def legend_items(
    scale: EmotionScale, width: float, y: float, *, curve: bool, measured: bool,
    friction: bool = False,
) -> tuple[tuple[LegendItem, ...], float]:  # fmt: skip
    """The legend under the grid, in rows as wide as the canvas, and where it ends."""
    entries: list[tuple[LegendKind, str, float, int]] = []
    if curve and measured:
        entries += [
            ("expected", "Expected emotion", 34.0, 0),
            ("actual", "Measured emotion (from feedback)", 34.0, 0),
            ("band", "95% interval", 26.0, 0),
            ("thin", "Few answers", 14.0, 0),
            ("gap", "Gap (measured \u2212 expected)", 26.0, 0),
        ]
    if friction:
        entries += [
            ("friction", "Friction: medium, high, critical", 14.0, 0),
            ("ambiguous", "Loops or going back (ambiguous)", 14.0, 0),
        ]
    elif curve:
        entries += [
            ("expected", "Expected emotion", 34.0, 0),
            ("actual", "Actual emotion", 34.0, 0),
            ("gap", "Gap (actual \u2212 expected)", 26.0, 0),
        ]
    entries += [
        ("pain", "Pain point", 16.0, 0),
        ("opportunity", "Opportunity", 16.0, 0),
        ("moment", "Moment of truth", 14.0, 0),
    ]
    if curve:
        for lv in scale.levels:
            tone = level_tone(lv.value, scale.minimum, scale.maximum)
            entries.append(("level", tick_text(lv.value, lv.label), 12.0, tone))
    size, row_h = 11.0, _LEGEND_ROW
    x, top = MARGIN, y
    items: list[LegendItem] = []
    right = width - MARGIN
    for kind, text, sym_w, tone in entries:
        text = truncate(text, right - MARGIN - sym_w - 6, size)
        w = sym_w + 6 + text_width(text, size)
        if x > MARGIN and x + w > right:
            x, top = MARGIN, top + row_h
        symbol = Rect(x, top + (row_h - 14) / 2, sym_w, 14)
        label = Text(text, x + sym_w + 6, top + row_h / 2 + 0.35 * size, size, tone="ink")
        items.append(LegendItem(kind, symbol, label, tone))
        x += w + (22 if kind != "level" else 14)
    return tuple(items), top + row_h
