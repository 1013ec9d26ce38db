"""The positioned view model of a journey map: what :func:`~journeymap.rendering.layout.layout`
computes and every output format draws.

Coordinates are in pixels (SVG user units), origin top-left, ``y`` growing downwards. Text is
already wrapped into lines, each with its own position; a drawing only has to draw. Nothing
here knows about colours: elements carry *roles* (a tone, a level, a severity) that the
drawing maps to its palette.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from journeymap.rendering.text import ASCENT, DESCENT, text_width

__all__ = [
    "Anchor",
    "Box",
    "BoxKind",
    "CurveSegment",
    "EmotionBand",
    "EmotionCurve",
    "EmotionGap",
    "EmotionPoint",
    "Evidence",
    "FrictionMark",
    "Header",
    "KpiCard",
    "LaneKey",
    "LaneView",
    "LegendItem",
    "LegendKind",
    "MapView",
    "Pin",
    "Rect",
    "ScaleTick",
    "StageColumn",
    "SubColumn",
    "Text",
    "Tone",
    "TouchpointCard",
    "level_tone",
]

Anchor = Literal["start", "middle", "end"]
#: The role of a text, which the drawing turns into a colour.
Tone = Literal["ink", "muted", "inverse", "inverse-muted", "pain", "opportunity", "accent"]
LaneKey = Literal[
    "actions",
    "touchpoints",
    "thoughts",
    "emotion",
    "friction",
    "pains",
    "opportunities",
    "backstage",
    "kpis",
]
BoxKind = Literal[
    "stage",
    "persona",
    "action",
    "touchpoint",
    "thought",
    "pain",
    "opportunity",
    "backstage",
    "systems",
    "kpi",
    "friction",
    "lane-item",
]
LegendKind = Literal[
    "expected",
    "actual",
    "gap",
    "band",
    "thin",
    "friction",
    "ambiguous",
    "pain",
    "opportunity",
    "moment",
    "level",
]
#: Where a point of the curve comes from: a person's word (the map), a measurement backed by
#: enough evidence, or a measurement on too little evidence (drawn hollow, with a note).
Evidence = Literal["asserted", "measured", "thin"]


def level_tone(value: float, lowest: float, highest: float) -> int:
    """A value of an emotion scale from ``lowest`` to ``highest`` on the -3..+3 colour ramp
    (the scale squeezed or stretched to it, zero staying zero)."""
    widest = max(abs(lowest), abs(highest), 1)
    return max(-3, min(3, round(value / widest * 3)))


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def bottom(self) -> float:
        return self.y + self.h

    def overlaps(self, other: Rect) -> bool:
        """True when the two rectangles share more than an edge."""
        return (
            self.x < other.right
            and other.x < self.right
            and self.y < other.bottom
            and other.y < self.bottom
        )

    def moved(self, dx: float, dy: float) -> Rect:
        return Rect(self.x + dx, self.y + dy, self.w, self.h)

    def contains(self, other: Rect, *, tolerance: float = 0.01) -> bool:
        return (
            other.x >= self.x - tolerance
            and other.y >= self.y - tolerance
            and other.right <= self.right + tolerance
            and other.bottom <= self.bottom + tolerance
        )


@dataclass(frozen=True)
class Text:
    """One line of text; ``y`` is its baseline."""

    text: str
    x: float
    y: float
    size: float
    bold: bool = False
    italic: bool = False
    anchor: Anchor = "start"
    tone: Tone = "ink"

    @property
    def width(self) -> float:
        return text_width(self.text, self.size, bold=self.bold, italic=self.italic)

    @property
    def bounds(self) -> Rect:
        """The area the line covers (estimated width, font ascent to descent)."""
        w = self.width
        left = self.x - (w / 2 if self.anchor == "middle" else w if self.anchor == "end" else 0)
        top = self.y - ASCENT * self.size
        return Rect(left, top, w, (ASCENT + DESCENT) * self.size)

    def moved(self, dx: float, dy: float) -> Text:
        return replace(self, x=self.x + dx, y=self.y + dy)


@dataclass(frozen=True)
class Box:
    """A rectangle with wrapped text: a card, a cell, a header."""

    kind: BoxKind
    rect: Rect
    lines: tuple[Text, ...]
    stage_id: str | None = None
    touchpoint_id: str | None = None
    #: id of the pain point, opportunity, KPI or persona shown
    item_id: str | None = None

    def moved(self, dx: float, dy: float) -> Box:
        lines = tuple(t.moved(dx, dy) for t in self.lines)
        return replace(self, rect=self.rect.moved(dx, dy), lines=lines)


@dataclass(frozen=True)
class TouchpointCard:
    """A touchpoint: its channel icon (an icon key, one of ``CHANNELS``), name and flags."""

    box: Box
    channel: str | None
    icon: str
    icon_rect: Rect
    lane: Literal["frontstage", "backstage", "support"]
    moment_of_truth: bool
    #: where the moment-of-truth star is drawn, when it is one
    marker: Rect | None = None

    def moved(self, dx: float, dy: float) -> TouchpointCard:
        return replace(
            self,
            box=self.box.moved(dx, dy),
            icon_rect=self.icon_rect.moved(dx, dy),
            marker=None if self.marker is None else self.marker.moved(dx, dy),
        )


@dataclass(frozen=True)
class Pin:
    """A pain point or an opportunity, pinned under its touchpoint (or across its stage)."""

    kind: Literal["pain", "opportunity"]
    box: Box
    stage_id: str | None
    touchpoint_id: str | None
    #: severity of a pain point, priority of an opportunity
    level: str
    icon_rect: Rect

    def moved(self, dx: float, dy: float) -> Pin:
        return replace(self, box=self.box.moved(dx, dy), icon_rect=self.icon_rect.moved(dx, dy))


@dataclass(frozen=True)
class FrictionMark:
    """A touchpoint's friction in the friction lane: for a flagged level a card with a meter
    (one to three bars: medium, high, critical) and the measures in words; for a typical or
    thin one a muted line. ``ambiguous``: the measure is loops or going back (drawn grey)."""

    touchpoint_id: str
    #: typical, medium, high or critical; None: too few customers to judge
    level: str | None
    ambiguous: bool
    box: Box
    meter: Rect | None = None

    @property
    def flagged(self) -> bool:
        return self.level not in (None, "typical")

    def moved(self, dx: float, dy: float) -> FrictionMark:
        meter = None if self.meter is None else self.meter.moved(dx, dy)
        return replace(self, box=self.box.moved(dx, dy), meter=meter)


@dataclass(frozen=True)
class KpiCard:
    box: Box
    on_target: bool | None
    #: where the on/off-target marker is drawn, when known
    marker: Rect | None = None

    def moved(self, dx: float, dy: float) -> KpiCard:
        marker = None if self.marker is None else self.marker.moved(dx, dy)
        return replace(self, box=self.box.moved(dx, dy), marker=marker)


@dataclass(frozen=True)
class SubColumn:
    """The column of one front-stage touchpoint inside its stage (``None``: an empty stage)."""

    touchpoint_id: str | None
    x: float
    w: float

    @property
    def center(self) -> float:
        return self.x + self.w / 2


@dataclass(frozen=True)
class StageColumn:
    stage_id: str
    name: str
    x: float
    w: float
    subcolumns: tuple[SubColumn, ...]
    header: Box


@dataclass(frozen=True)
class LaneView:
    """A row of the map, with its title in the left gutter; ``key`` is a :data:`LaneKey` or
    the id of a lane of the map's own."""

    key: str
    title: tuple[Text, ...]
    y: float
    h: float

    @property
    def bottom(self) -> float:
        return self.y + self.h


@dataclass(frozen=True)
class EmotionPoint:
    touchpoint_id: str
    series: Literal["expected", "actual"]
    x: float
    y: float
    #: on the map's scale: a level (an int) when a person wrote it, any value when measured
    value: float
    #: the level on a -3..+3 colour ramp (the map's scale squeezed or stretched to it)
    tone: int
    #: e.g. "Frustrated −2", wrapped into at most two lines (plus a note on its evidence)
    label: tuple[Text, ...]
    #: position of the touchpoint's sub-column among all sub-columns, left to right
    index: int = 0
    evidence: Evidence = "asserted"
    #: y of the upper and lower end of the 95% interval of a measured value
    interval: tuple[float, float] | None = None


@dataclass(frozen=True)
class CurveSegment:
    """A straight piece of the expected (dashed) or actual (solid) line between two points,
    cut where the line crosses from one level's colour into the next: its ``tone`` is the
    level it runs through, so the line is coloured by emotion along its length."""

    series: Literal["expected", "actual"]
    x1: float
    y1: float
    x2: float
    y2: float
    tone: int
    #: it touches a measured value on thin evidence (drawn grey)
    thin: bool = False


@dataclass(frozen=True)
class EmotionGap:
    """The gap (actual - expected) at a touchpoint: a vertical connector and its signed value."""

    touchpoint_id: str
    x: float
    y_expected: float
    y_actual: float
    #: a whole number of levels for a person's emotion; one decimal for a measured one
    gap: float
    label: Text
    pill: Rect


@dataclass(frozen=True)
class ScaleTick:
    value: int
    y: float
    label: Text


@dataclass(frozen=True)
class EmotionBand:
    """The 95% interval of measured emotions of neighbouring touchpoints, as one shape: the
    upper edge left to right, then the lower edge right to left."""

    touchpoint_ids: tuple[str, ...]
    outline: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class EmotionCurve:
    #: the plotting area (inside the lane, right of the gutter)
    area: Rect
    zero_y: float | None
    ticks: tuple[ScaleTick, ...]
    expected: tuple[EmotionPoint, ...]
    actual: tuple[EmotionPoint, ...]
    gaps: tuple[EmotionGap, ...]
    #: light bands of the measured intervals (none on a map without a measurement)
    bands: tuple[EmotionBand, ...] = ()
    #: True when the actual series is measured from evidence, not written by a person
    measured: bool = False
    #: the lines between neighbouring points, in pieces coloured by the level they run through
    segments: tuple[CurveSegment, ...] = ()

    @staticmethod
    def runs(points: tuple[EmotionPoint, ...]) -> list[list[EmotionPoint]]:
        """Points of neighbouring touchpoints, grouped: a line never bridges a missing value."""
        out: list[list[EmotionPoint]] = []
        for p in points:
            if out and out[-1][-1].index == p.index - 1:
                out[-1].append(p)
            else:
                out.append([p])
        return out


@dataclass(frozen=True)
class LegendItem:
    kind: LegendKind
    #: where the symbol is drawn
    symbol: Rect
    label: Text
    #: for ``level`` items: the tone (-3..+3) of the swatch
    tone: int = 0


@dataclass(frozen=True)
class Header:
    title: tuple[Text, ...]
    subtitle: tuple[Text, ...]
    persona: Box | None
    kpis: tuple[KpiCard, ...]
    #: the persona's avatar: a disc with their initials
    avatar: Rect | None = None
    initials: Text | None = None


@dataclass(frozen=True)
class MapView:
    """Everything needed to draw one journey map."""

    width: float
    height: float
    title: str
    header: Header
    #: the area of the lanes, gutter included
    grid: Rect
    gutter: float
    stages: tuple[StageColumn, ...]
    lanes: tuple[LaneView, ...]
    boxes: tuple[Box, ...]
    touchpoints: tuple[TouchpointCard, ...]
    pins: tuple[Pin, ...]
    kpis: tuple[KpiCard, ...]
    emotion: EmotionCurve | None
    legend: tuple[LegendItem, ...]
    #: the line of visibility, above the back-stage lane, when there is one
    visibility_y: float | None
    #: the friction of each touchpoint, on a measured map
    frictions: tuple[FrictionMark, ...] = ()

    def lane(self, key: str) -> LaneView | None:
        return next((lane for lane in self.lanes if lane.key == key), None)

    def all_boxes(self) -> list[Box]:
        """Every box with text, in drawing order (stage headers first)."""
        out = [s.header for s in self.stages]
        if self.header.persona is not None:
            out.append(self.header.persona)
        out += [k.box for k in self.header.kpis]
        out += [c.box for c in self.touchpoints]
        out += list(self.boxes)
        out += [p.box for p in self.pins]
        out += [k.box for k in self.kpis]
        out += [f.box for f in self.frictions]
        return out
