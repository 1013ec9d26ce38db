"""The grid of the map's layout: stages as columns, one sub-column per front-stage touchpoint,
lanes as rows.

Every sub-column is at least :data:`COL_MIN` wide (wider when the labels of the emotion curve
need it); a canvas width given by the caller is filled, and exceeded when the map needs more
room. A lane is as tall as its content, with its title in the left gutter. Cards stacked in a
lane are placed on a :class:`Skyline`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from journeymap.model.journey import JourneyMap
from journeymap.model.touchpoint import Stage, Touchpoint
from journeymap.rendering.blocks import GAP, INSET, LANE_PAD, LANE_TITLE, SMALL, TICK, Para, stack
from journeymap.rendering.text import text_width
from journeymap.rendering.view import (
    Box,
    EmotionCurve,
    FrictionMark,
    KpiCard,
    LaneView,
    Pin,
    TouchpointCard,
)

__all__ = [
    "COL_MIN",
    "LANE_TITLES",
    "MARGIN",
    "Filled",
    "Grid",
    "Skyline",
    "Slot",
    "gutter_width",
]

MARGIN = 32.0
#: narrowest sub-column; labels of the emotion curve may make it wider
COL_MIN = 176.0
#: width of a sub-column when the caller gives no canvas width
COL_PREFERRED = 212.0
#: widest sub-column when the canvas width is left to the layout
COL_MAX = 340.0
#: the layout fills this width when there are few touchpoints ...
CANVAS_MIN = 1280.0
#: ... but never goes narrower than this (the header needs it)
CANVAS_MIN_HEADER = 960.0
GUTTER_MIN = 150.0
GUTTER_MAX = 240.0
LANE_TITLES: dict[str, str] = {
    "actions": "Customer actions",
    "touchpoints": "Touchpoints",
    "thoughts": "Thoughts & quotes",
    "emotion": "Emotion",
    "friction": "Friction",
    "pains": "Pain points",
    "opportunities": "Opportunities",
    "backstage": "Back stage",
    "kpis": "KPIs",
}

#: a line under a lane's title, in the gutter
_LANE_NOTES: dict[str, str] = {
    "backstage": "Below the line of visibility",
    "friction": "What customers did, against the journey's typical step",
}


def gutter_width(scale_labels: Iterable[str]) -> float:
    """The width of the left gutter: room for every lane title and for the labels of the
    emotion scale."""
    widest = max(text_width(t, LANE_TITLE, bold=True) for t in LANE_TITLES.values())
    for text in scale_labels:
        widest = max(widest, text_width(text, TICK))
    return max(GUTTER_MIN, min(GUTTER_MAX, math.ceil(widest + 28)))


@dataclass(frozen=True)
class Slot:
    """A sub-column: one front-stage touchpoint of a stage (``None``: an empty stage)."""

    stage: Stage
    tp: Touchpoint | None
    x: float
    w: float


class Skyline:
    """Where the next card can go in each sub-column of a lane."""

    def __init__(self, n: int, top: float) -> None:
        self.bottoms = [top] * n
        self.top = top

    def place(self, start: int, end: int, height: float) -> float:
        y = max(self.bottoms[start:end])
        for i in range(start, end):
            self.bottoms[i] = y + height + GAP
        return y

    def lowest(self, start: int, end: int) -> int:
        """The sub-column of ``start:end`` with the most room left (leftmost on a tie)."""
        return min(range(start, end), key=lambda i: (self.bottoms[i], i))

    @property
    def height(self) -> float:
        return max(self.bottoms) - GAP - self.top if max(self.bottoms) > self.top else 0.0


@dataclass
class Filled:
    """A lane once laid out, with what it holds, every element at its place on the canvas."""

    lane: LaneView
    boxes: list[Box] = field(default_factory=list)
    cards: list[TouchpointCard] = field(default_factory=list)
    pins: list[Pin] = field(default_factory=list)
    kpis: list[KpiCard] = field(default_factory=list)
    curve: EmotionCurve | None = None
    frictions: list[FrictionMark] = field(default_factory=list)


class Grid:
    """The columns of a map on a canvas ``width`` wide (``None``: the layout's choice)."""

    def __init__(self, m: JourneyMap, width: int | None, *, gutter: float, col_min: float) -> None:
        self.gutter = gutter
        # one slot per front-stage touchpoint; an empty stage keeps one empty slot
        plan: list[tuple[Stage, Touchpoint | None]] = []
        self.ranges: dict[str, tuple[int, int]] = {}
        for stage in m.stages:
            start = len(plan)
            front = [tp for tp in stage.touchpoints if tp.lane == "frontstage"]
            plan += [(stage, tp) for tp in front] or [(stage, None)]
            self.ranges[stage.id] = (start, len(plan))
        n = max(len(plan), 1)
        room = 2 * MARGIN + gutter
        if width is None:
            # a few touchpoints get wider columns, up to COL_MAX; many get COL_PREFERRED
            fill = math.floor((CANVAS_MIN - room) / n)
            colw = max(col_min, COL_PREFERRED, min(fill, COL_MAX))
            canvas = max(CANVAS_MIN_HEADER, room + n * colw)
        else:
            canvas = float(width)
            colw = max(col_min, math.floor((canvas - room) / n))
        self.width = max(canvas, room + n * colw)
        self.x0 = MARGIN + gutter
        self.grid_w = n * colw
        self.slots = [
            Slot(stage, tp, self.x0 + i * colw, colw) for i, (stage, tp) in enumerate(plan)
        ]
        self.tp_slot = {s.tp.id: i for i, s in enumerate(self.slots) if s.tp is not None}

    def slot_box(self, i: int) -> tuple[float, float]:
        """x and width of a box in slot ``i``."""
        s = self.slots[i]
        return s.x + INSET, s.w - 2 * INSET

    def span_box(self, start: int, end: int) -> tuple[float, float]:
        """x and width of a box across the slots ``start:end``."""
        x = self.slots[start].x + INSET
        return x, self.slots[end - 1].x + self.slots[end - 1].w - INSET - x

    def span_w(self, start: int, end: int) -> float:
        return self.slots[end - 1].x + self.slots[end - 1].w - self.slots[start].x

    def span_of(self, stage_id: str | None, tp_id: str | None) -> tuple[int, int]:
        """The slots of a touchpoint, else of a stage, else of the whole map."""
        if tp_id is not None and tp_id in self.tp_slot:
            i = self.tp_slot[tp_id]
            return i, i + 1
        if stage_id is not None and stage_id in self.ranges:
            return self.ranges[stage_id]
        return 0, len(self.slots)

    def lane(
        self,
        key: str,
        y: float,
        content_h: float,
        *,
        title: str | None = None,
        note: str | None = None,
    ) -> LaneView:
        """A lane from ``y`` tall enough for ``content_h`` and for its title in the gutter
        (a built-in lane's title and note unless given: a lane of the map's own gives them)."""
        paras = [Para(title or LANE_TITLES.get(key, key), LANE_TITLE, bold=True)]
        note = note or _LANE_NOTES.get(key)
        if note is not None:
            paras.append(Para(note, SMALL, italic=True, tone="muted", gap_before=2))
        block = stack(paras, MARGIN + 12, y + LANE_PAD, self.gutter - 24)
        h = max(content_h, block.height) + 2 * LANE_PAD
        return LaneView(key, tuple(block.lines), y, h)
