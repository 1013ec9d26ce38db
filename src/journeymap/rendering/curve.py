"""The layout of the emotion curve: one lane, the map's scale from top (best) to bottom, an
expected and an actual point per touchpoint, each with its written label, and the gap between.

The actual emotions are the ones a person wrote on the map, or, given a
:class:`~journeymap.model.measurement.Measurement`, the measured ones, which come from what
customers said or scored alone: each with its 95% interval (drawn as a light band), hollow and
noted when it rests on few answers, and left out — with *no feedback* under the expected point
— where customers said nothing, whatever their behaviour (that is friction, drawn in a lane
of its own: :mod:`~journeymap.rendering.friction`). The expected emotion is drawn everywhere,
the gap only where both exist. A person's gap is a whole number of levels; a measured one is
written with one decimal. The lines between neighbouring points are cut where they cross from
one level's colour into the next (:func:`line_segments`), so that they are drawn coloured by
emotion along their length.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from journeymap import _numbers as nb
from journeymap.model.emotion import format_level
from journeymap.model.journey import JourneyMap
from journeymap.model.measurement import Measurement, TouchpointMeasure
from journeymap.model.touchpoint import Stage, Touchpoint
from journeymap.rendering.blocks import EMOTION_LABEL, INSET, LANE_PAD, TICK
from journeymap.rendering.grid import Filled, Grid, Slot
from journeymap.rendering.text import ASCENT, DESCENT, LINE_HEIGHT, text_width, truncate, wrap
from journeymap.rendering.view import (
    CurveSegment,
    EmotionBand,
    EmotionCurve,
    EmotionGap,
    EmotionPoint,
    Evidence,
    Rect,
    ScaleTick,
    Text,
    Tone,
    level_tone,
)

__all__ = ["Emotions", "emotion_lane", "line_segments", "tick_text"]

_NUMBER = re.compile(r"^[+\-\u2212]?\d+$")
#: half the width of the interval band beyond the first and last point of a run
BAND_CAP = 12.0
NOTE_SIZE = 9.5
#: the note under an expected emotion that customers said nothing about
NO_FEEDBACK = "no feedback"


def tick_text(value: int, label: str) -> str:
    """The label of a level of the scale: ``Frustrated −2``."""
    return f"{label} {format_level(value)}"


@dataclass(frozen=True)
class Actual:
    """The actual emotion of a touchpoint as drawn: a person's or a measured one."""

    value: float
    text: str
    evidence: Evidence
    low: float | None = None
    high: float | None = None
    note: str | None = None


class Emotions:
    """The emotions of a map's touchpoints as the curve writes them: expected, and actual
    (measured when there is a ``measurement``)."""

    def __init__(self, m: JourneyMap, measurement: Measurement | None) -> None:
        self.m = m
        self.scale = m.scale
        self.measured: dict[str, TouchpointMeasure] | None = (
            None if measurement is None else {t.touchpoint: t for t in measurement.touchpoints}
        )
        # the level of every emotion word met: the scale's look-up is not cheap, and a map
        # has a few words for many touchpoints
        self._values: dict[tuple[type, str | int], int | None] = {}

    def value(self, ref: str | int | None) -> int | None:
        """The value of the level an emotion word or number stands for (``None``: none)."""
        if ref is None:
            return None
        key = (type(ref), ref)
        if key not in self._values:
            self._values[key] = self.m.emotion_value(ref)
        return self._values[key]

    def expected_value(self, tp: Touchpoint) -> int | None:
        return self.value(tp.expected_emotion)

    def _text(self, ref: str | int, value: int) -> str:
        """The author's word for the emotion (the scale's for a number) and its level."""
        label = self.scale.level(value).label
        word = ref.strip() if isinstance(ref, str) else ""
        if word and not _NUMBER.match(word) and "(" not in word:
            label = word[0].upper() + word[1:]
        return f"{label} {format_level(value)}"

    def expected_text(self, tp: Touchpoint) -> str | None:
        exp = self.expected_value(tp)
        if exp is None or tp.expected_emotion is None:
            return None
        return self._text(tp.expected_emotion, exp)

    def actual(self, tp: Touchpoint) -> Actual | None:
        """The actual emotion to draw: measured when there is a measurement, else written."""
        if self.measured is None:
            if tp.actual_emotion is None:
                return None
            act = self.value(tp.actual_emotion.emotion)
            if act is None:
                return None
            return Actual(act, self._text(tp.actual_emotion.emotion, act), "asserted")
        tm = self.measured.get(tp.id)
        if tm is None or tm.evidence == "none" or tm.emotion is None:
            return None
        lo, hi = self.scale.minimum, self.scale.maximum
        value = min(max(tm.emotion, lo), hi)
        word = tm.level or self.scale.level(round(value)).label
        thin = tm.evidence == "thin"
        return Actual(
            value,
            f"{word} {nb.signed(tm.emotion)}",
            "thin" if thin else "measured",
            None if tm.emotion_low is None else min(max(tm.emotion_low, lo), hi),
            None if tm.emotion_high is None else min(max(tm.emotion_high, lo), hi),
            f"few answers, n={nb.count(tm.n)}" if thin else None,
        )

    def unmeasured(self, tp: Touchpoint) -> bool:
        """A measurement exists but says nothing about this touchpoint."""
        if self.measured is None:
            return False
        tm = self.measured.get(tp.id)
        return tm is None or tm.evidence == "none" or tm.emotion is None

    def gap(self, tp: Touchpoint, expected: int, act: Actual) -> tuple[float, str]:
        """The gap (actual - expected) and how it is written: whole levels for a person's
        emotion, one decimal for a measured one."""
        if act.evidence == "asserted":
            gap = int(act.value) - expected
            return gap, format_level(gap)
        tm = self.measured.get(tp.id) if self.measured is not None else None
        raw = tm.gap if tm is not None and tm.gap is not None else act.value - expected
        measured = round(raw, 1) + 0.0  # no "-0.0"
        return measured, nb.signed(measured)

    def labels(self, tp: Touchpoint) -> list[tuple[str, str | None]]:
        """The label texts of a touchpoint's points, each with its note."""
        out: list[tuple[str, str | None]] = []
        exp = self.expected_text(tp)
        if exp is not None:
            out.append((exp, NO_FEEDBACK if self.unmeasured(tp) else None))
        act = self.actual(tp)
        if act is not None:
            out.append((act.text, act.note))
        return out

    def stage_emotions(self, stage: Stage) -> tuple[Actual | None, Actual | None]:
        """A stage's own expected and actual emotion, as a person wrote them (``None`` on a
        measured map: its actual series is the measured one)."""
        if self.measured is not None:
            return None, None
        out: list[Actual | None] = []
        for ref in (stage.expected_emotion, stage.emotion):
            value = self.value(ref)
            out.append(
                None if ref is None or value is None else Actual(value, self._text(ref, value),
                                                                  "asserted")
            )  # fmt: skip
        return out[0], out[1]

    def stage_labels(self, stage: Stage) -> list[tuple[str, str | None]]:
        """The label texts of a stage's own points: the actual one notes the behaviour seen."""
        exp, act = self.stage_emotions(stage)
        out: list[tuple[str, str | None]] = []
        if exp is not None:
            out.append((exp.text, None))
        if act is not None:
            out.append((act.text, stage.observed_behavior or None))
        return out

    def widest_label(self) -> float:
        """The width of the widest label of the curve (a sub-column must hold it)."""
        widest = 0.0
        for _, tp in self.m.iter_touchpoints():
            for text, _note in self.labels(tp):
                widest = max(widest, text_width(text, EMOTION_LABEL, bold=True))
        for stage in self.m.stages:
            if not stage.touchpoints:
                for text, _note in self.stage_labels(stage):
                    widest = max(widest, text_width(text, EMOTION_LABEL, bold=True))
        return widest

    def label_rows(self, w: float, tp: Touchpoint) -> int:
        """How many lines the tallest emotion label of a touchpoint needs."""
        return max(
            len(wrap(text, w, EMOTION_LABEL, bold=True, max_lines=2)) + (note is not None)
            for text, note in self.labels(tp)
        )


@dataclass(frozen=True)
class _Plot:
    """Where a value of the scale sits in the lane, and its colour tone."""

    top: float
    vmin: int
    vmax: int
    step: float

    def y(self, v: float) -> float:
        return self.top + (self.vmax - v) * self.step

    def tone(self, v: float) -> int:
        return level_tone(v, self.vmin, self.vmax)


def emotion_lane(em: Emotions, grid: Grid, y: float) -> Filled | None:
    """The emotion lane from ``y``: ticks of the scale, points, labels, gaps and bands;
    ``None`` when no touchpoint has an emotion to draw."""
    points = [(i, s.tp) for i, s in enumerate(grid.slots) if s.tp and em.labels(s.tp)]
    # a stage without touchpoints of its own: its own emotion is the point of its column
    moods = [
        (i, s.stage) for i, s in enumerate(grid.slots) if s.tp is None and em.stage_labels(s.stage)
    ]
    if not points and not moods:
        return None
    values = [lv.value for lv in em.scale.levels]
    vmin, vmax = values[0], values[-1]
    span = max(vmax - vmin, 1)
    step = 30.0 if span <= 6 else max(16.0, 180.0 / span)
    rows = max(
        [em.label_rows(grid.slots[i].w - 2 * INSET - 4, tp) for i, tp in points]
        + [_label_rows(em.stage_labels(st), grid.slots[i].w - 2 * INSET - 4) for i, st in moods]
    )
    pad = 12 + rows * LINE_HEIGHT * EMOTION_LABEL + 6
    lane = grid.lane("emotion", y, 2 * pad + span * step - 2 * LANE_PAD)
    plot = _Plot(lane.y + pad, vmin, vmax, step)
    expected: list[EmotionPoint] = []
    actual: list[EmotionPoint] = []
    gaps: list[EmotionGap] = []
    for i, tp in points:
        exp, act, gap = _marks(em, plot, grid.slots[i], i, tp)
        expected += exp
        actual += act
        gaps += gap
    for i, stage in moods:
        exp, act, gap = _stage_marks(em, plot, grid.slots[i], i, stage)
        expected += exp
        actual += act
        gaps += gap
    for series in (expected, actual):
        series.sort(key=lambda p: p.index)
    curve = EmotionCurve(
        Rect(grid.x0, lane.y, grid.grid_w, lane.h),
        plot.y(0) if vmin <= 0 <= vmax else None,
        _ticks(em, grid, plot),
        tuple(expected), tuple(actual), tuple(gaps), _bands(actual),
        measured=em.measured is not None,
        segments=(*line_segments(expected, plot.vmin, plot.vmax),
                  *line_segments(actual, plot.vmin, plot.vmax)),
    )  # fmt: skip
    return Filled(lane, curve=curve)


def _ticks(em: Emotions, grid: Grid, plot: _Plot) -> tuple[ScaleTick, ...]:
    """The levels of the scale, written in the gutter."""
    return tuple(
        ScaleTick(
            lv.value,
            plot.y(lv.value),
            Text(
                truncate(tick_text(lv.value, lv.label), grid.gutter - 24, TICK),
                grid.x0 - 10,
                plot.y(lv.value) + 0.35 * TICK,
                TICK,
                anchor="end",
                tone="muted",
            ),
        )
        for lv in em.scale.levels
    )


def _marks(
    em: Emotions, plot: _Plot, slot: Slot, i: int, tp: Touchpoint
) -> tuple[list[EmotionPoint], list[EmotionPoint], list[EmotionGap]]:
    """The expected point, the actual point and the gap of the touchpoint in slot ``i``
    (each when there is one)."""
    cx = slot.x + slot.w / 2
    lw = slot.w - 2 * INSET - 4
    exp = em.expected_value(tp)
    exp_text = em.expected_text(tp)
    act = em.actual(tp)
    expected: list[EmotionPoint] = []
    actual: list[EmotionPoint] = []
    gaps: list[EmotionGap] = []
    if exp is not None and exp_text is not None:
        note = NO_FEEDBACK if em.unmeasured(tp) else None
        label = _point_label(exp_text, cx, plot.y(exp), lw, above=act is None or exp > act.value,
                             actual=False, note=note)  # fmt: skip
        same = act is not None and act.evidence == "asserted" and act.text == exp_text
        if same and act is not None and act.value == exp:
            label = ()  # the actual label says it all; the gap pill says "0"
        point = EmotionPoint(tp.id, "expected", cx, plot.y(exp), exp, plot.tone(exp), label, i)
        expected.append(point)
    if act is not None:
        label = _point_label(
            act.text, cx, plot.y(act.value), lw, above=exp is None or act.value >= exp,
            actual=True, note=act.note, thin=act.evidence == "thin",
        )  # fmt: skip
        interval = None
        if act.low is not None and act.high is not None:
            interval = (plot.y(act.high), plot.y(act.low))
        actual.append(
            EmotionPoint(
                tp.id, "actual", cx, plot.y(act.value), act.value, plot.tone(act.value), label,
                i, act.evidence, interval,
            )
        )  # fmt: skip
    if exp is not None and act is not None:
        gap, text = em.gap(tp, exp, act)
        gaps.append(_gap(tp.id, cx, plot.y(exp), plot.y(act.value), gap, text))
    return expected, actual, gaps


def _label_rows(labels: list[tuple[str, str | None]], w: float) -> int:
    return max(
        len(wrap(text, w, EMOTION_LABEL, bold=True, max_lines=2)) + (note is not None)
        for text, note in labels
    )


def _stage_marks(
    em: Emotions, plot: _Plot, slot: Slot, i: int, stage: Stage
) -> tuple[list[EmotionPoint], list[EmotionPoint], list[EmotionGap]]:
    """The points of a stage's own expected and actual emotion in its (empty) column ``i``,
    the actual one noting the behaviour seen, and the gap between them."""
    cx = slot.x + slot.w / 2
    lw = slot.w - 2 * INSET - 4
    exp, act = em.stage_emotions(stage)
    expected: list[EmotionPoint] = []
    actual: list[EmotionPoint] = []
    gaps: list[EmotionGap] = []
    if exp is not None:
        label = _point_label(exp.text, cx, plot.y(exp.value), lw,
                             above=act is None or exp.value > act.value, actual=False)  # fmt: skip
        if act is not None and act.text == exp.text:
            label = ()
        expected.append(EmotionPoint(stage.id, "expected", cx, plot.y(exp.value), exp.value,
                                     plot.tone(exp.value), label, i))  # fmt: skip
    if act is not None:
        label = _point_label(act.text, cx, plot.y(act.value), lw,
                             above=exp is None or act.value >= exp.value, actual=True,
                             note=stage.observed_behavior or None)  # fmt: skip
        actual.append(EmotionPoint(stage.id, "actual", cx, plot.y(act.value), act.value,
                                   plot.tone(act.value), label, i))  # fmt: skip
    if exp is not None and act is not None:
        gap = int(act.value - exp.value)
        gaps.append(_gap(stage.id, cx, plot.y(exp.value), plot.y(act.value), gap,
                         format_level(gap)))  # fmt: skip
    return expected, actual, gaps


def line_segments(
    series: Sequence[EmotionPoint], lowest: float, highest: float
) -> list[CurveSegment]:
    """The line through each run of neighbouring points, cut where it crosses from one
    level's colour into the next (half-way between two levels on the -3..+3 ramp of
    :func:`~journeymap.rendering.view.level_tone`), each piece with the tone it runs through:
    a line from Frustrated to Satisfied goes red, orange, yellow, pale blue, blue."""
    widest = max(abs(lowest), abs(highest), 1)
    edges = [(k + 0.5) * widest / 3 for k in range(-4, 4)]
    out: list[CurveSegment] = []
    for run in EmotionCurve.runs(tuple(series)):
        for a, b in pairwise(run):
            thin = "thin" in (a.evidence, b.evidence)
            va, vb = a.value, b.value
            cuts = sorted(e for e in edges if min(va, vb) < e < max(va, vb))
            if vb < va:
                cuts.reverse()
            fractions = [0.0, *((c - va) / (vb - va) for c in cuts), 1.0]
            for f0, f1 in pairwise(fractions):
                tone = level_tone(va + (vb - va) * (f0 + f1) / 2, lowest, highest)
                out.append(
                    CurveSegment(a.series, a.x + (b.x - a.x) * f0, a.y + (b.y - a.y) * f0,
                                 a.x + (b.x - a.x) * f1, a.y + (b.y - a.y) * f1, tone, thin)
                )  # fmt: skip
    return out


def _bands(points: list[EmotionPoint]) -> tuple[EmotionBand, ...]:
    """One band per run of neighbouring measured points with an interval."""
    with_interval = tuple(p for p in points if p.interval is not None)
    bands = []
    for run in EmotionCurve.runs(with_interval):
        edges = [(p.x, *p.interval) for p in run if p.interval is not None]
        (x0, hi0, lo0), (x1, hi1, lo1) = edges[0], edges[-1]
        upper = [(x0 - BAND_CAP, hi0), *((x, hi) for x, hi, _ in edges), (x1 + BAND_CAP, hi1)]
        lower = [(x1 + BAND_CAP, lo1), *((x, lo) for x, _, lo in reversed(edges))]
        lower.append((x0 - BAND_CAP, lo0))
        bands.append(EmotionBand(tuple(p.touchpoint_id for p in run), tuple(upper + lower)))
    return tuple(bands)


def _point_label(
    text: str,
    x: float,
    y: float,
    w: float,
    *,
    above: bool,
    actual: bool,
    note: str | None = None,
    thin: bool = False,
) -> tuple[Text, ...]:
    """The written label of a point: actual bold, expected italic and muted; a measured
    value on thin evidence muted, with its note below the label."""
    rows = wrap(text, w, EMOTION_LABEL, bold=actual, max_lines=2)
    n = len(rows) + (note is not None)
    lh = LINE_HEIGHT * EMOTION_LABEL
    if above:
        last = y - 11 - DESCENT * EMOTION_LABEL
        first = last - (n - 1) * lh
    else:
        first = y + 11 + ASCENT * EMOTION_LABEL
    tone: Tone = "ink" if actual and not thin else "muted"
    out = [
        Text(r, x, first + k * lh, EMOTION_LABEL, actual, not actual, "middle", tone)
        for k, r in enumerate(rows)
    ]
    if note is not None:
        note = truncate(note, w, NOTE_SIZE)
        out.append(Text(note, x, first + len(rows) * lh, NOTE_SIZE, False, True, "middle",
                        "muted"))  # fmt: skip
    return tuple(out)


def _gap(tp_id: str, x: float, ye: float, ya: float, gap: float, text: str) -> EmotionGap:
    """The gap's pill beside the connector, halfway between the two points."""
    size = 10.0
    w = text_width(text, size, bold=True) + 12
    h = 16.0
    mid = (ye + ya) / 2
    pill = Rect(x + 11, mid - h / 2, w, h)
    label = Text(
        text, pill.x + w / 2, mid + 0.35 * size, size, bold=True, anchor="middle", tone="ink"
    )
    return EmotionGap(tp_id, x, ye, ya, gap, label, pill)
