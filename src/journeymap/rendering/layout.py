"""Lay a journey map out on a canvas: a pure function from a map to a :class:`MapView`.

The grid: stages are columns, split into one sub-column per front-stage touchpoint; lanes are
rows, from top to bottom: stage header, customer actions, touchpoints, thoughts, emotion curve,
pain points, opportunities, back stage, KPIs. Lanes with nothing in them are left out. Every
sub-column is at least :data:`COL_MIN` wide, text wraps inside its box and lanes grow to fit
their tallest cell, so a big map makes a bigger canvas, never an overlap.

Cards stacked in a lane (pain points, opportunities, back stage, KPIs) are placed on a
*skyline*: each card goes below whatever is already in the sub-columns it spans. A card tied to
a touchpoint sits in that touchpoint's sub-column; a card tied only to a stage spans the stage.

Given a :class:`~journeymap.model.measurement.Measurement`, the actual emotions on the curve
are the measured ones instead of those a person wrote: each with its 95% interval (drawn as a
light band), hollow and noted when its evidence is thin, and left out — with a note under the
expected point — when there is none. Gaps are then written with one decimal.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from journeymap.model.emotion import format_level
from journeymap.model.journey import JourneyMap, Opportunity, PainPoint
from journeymap.model.kpi import KPI
from journeymap.model.measurement import Measurement, TouchpointMeasure
from journeymap.model.touchpoint import Stage, Touchpoint
from journeymap.rendering.blocks import (
    ARROW,
    AVATAR,
    BODY,
    CARD_TITLE,
    EMOTION_LABEL,
    GAP,
    HEADER_KPI_W,
    INSET,
    LANE_PAD,
    LANE_TITLE,
    MARK,
    PAD,
    PERSONA_W,
    PIN_ICON,
    SMALL,
    STAGE_NAME,
    SUBTITLE,
    TICK,
    TITLE,
    Block,
    Para,
    quote,
    shift,
    stack,
    tp_card,
    tp_paras,
    with_unit,
)
from journeymap.rendering.text import ASCENT, DESCENT, LINE_HEIGHT, text_width, truncate, wrap
from journeymap.rendering.view import (
    Box,
    BoxKind,
    EmotionBand,
    EmotionCurve,
    EmotionGap,
    EmotionPoint,
    Evidence,
    Header,
    KpiCard,
    LaneKey,
    LaneView,
    LegendItem,
    LegendKind,
    MapView,
    Pin,
    Rect,
    ScaleTick,
    StageColumn,
    SubColumn,
    Text,
    Tone,
    TouchpointCard,
)

__all__ = ["COL_MIN", "format_measured", "layout"]

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
LANE_TITLES: dict[LaneKey, str] = {
    "actions": "Customer actions",
    "touchpoints": "Touchpoints",
    "thoughts": "Thoughts & quotes",
    "emotion": "Emotion",
    "pains": "Pain points",
    "opportunities": "Opportunities",
    "backstage": "Back stage",
    "kpis": "KPIs",
}

_NUMBER = re.compile(r"^[+\-\u2212]?\d+$")
#: half the width of the interval band beyond the first and last point of a run
BAND_CAP = 12.0
NOTE_SIZE = 9.5


def format_measured(value: float) -> str:
    """A measured emotion or gap with one decimal and its sign: ``+1.2``, ``−0.6``, ``0.0``."""
    if abs(value) < 0.05:
        return "0.0"
    return f"{value:+.1f}".replace("-", "\u2212")


@dataclass(frozen=True)
class _Actual:
    """The actual emotion of a touchpoint as drawn: a person's or a measured one."""

    value: float
    text: str
    evidence: Evidence
    low: float | None = None
    high: float | None = None
    note: str | None = None


# ---- the grid --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Slot:
    stage: Stage
    tp: Touchpoint | None
    x: float
    w: float


class _Skyline:
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


class _Layout:
    def __init__(
        self, m: JourneyMap, width: int | None, measurement: Measurement | None = None
    ) -> None:
        self.m = m
        self.scale = m.scale
        self.measurement = measurement
        self.measured: dict[str, TouchpointMeasure] | None = (
            None if measurement is None else {t.touchpoint: t for t in measurement.touchpoints}
        )
        self.gutter = self._gutter()
        # one slot per front-stage touchpoint; an empty stage keeps one empty slot
        plan: list[tuple[Stage, Touchpoint | None]] = []
        self.ranges: dict[str, tuple[int, int]] = {}
        for stage in m.stages:
            start = len(plan)
            front = [tp for tp in stage.touchpoints if tp.lane == "frontstage"]
            plan += [(stage, tp) for tp in front] or [(stage, None)]
            self.ranges[stage.id] = (start, len(plan))
        n = max(len(plan), 1)
        col_min = max(COL_MIN, min(320.0, self._widest_emotion_label() + 2 * INSET + 8))
        room = 2 * MARGIN + self.gutter
        if width is None:
            # a few touchpoints get wider columns, up to COL_MAX; many get COL_PREFERRED
            fill = math.floor((CANVAS_MIN - room) / n)
            colw = max(col_min, COL_PREFERRED, min(fill, COL_MAX))
            canvas = max(CANVAS_MIN_HEADER, room + n * colw)
        else:
            canvas = float(width)
            colw = max(col_min, math.floor((canvas - room) / n))
        self.width = max(canvas, room + n * colw)
        self.x0 = MARGIN + self.gutter
        self.grid_w = n * colw
        self.slots = [
            _Slot(stage, tp, self.x0 + i * colw, colw) for i, (stage, tp) in enumerate(plan)
        ]
        self.tp_slot = {s.tp.id: i for i, s in enumerate(self.slots) if s.tp is not None}
        self.boxes: list[Box] = []
        self.cards: list[TouchpointCard] = []
        self.pins: list[Pin] = []
        self.kpis: list[KpiCard] = []
        self.lanes: list[LaneView] = []

    # ---- sizes ---------------------------------------------------------------------------

    def _gutter(self) -> float:
        widest = max(text_width(t, LANE_TITLE, bold=True) for t in LANE_TITLES.values())
        for lv in self.scale.levels:
            widest = max(widest, text_width(self._tick_text(lv.value, lv.label), TICK))
        return max(GUTTER_MIN, min(GUTTER_MAX, math.ceil(widest + 28)))

    @staticmethod
    def _tick_text(value: int, label: str) -> str:
        return f"{label} {format_level(value)}"

    def _emotion_text(self, ref: str | int, value: int) -> str:
        """The author's word for the emotion (the scale's for a number) and its level."""
        label = self.scale.level(value).label
        word = ref.strip() if isinstance(ref, str) else ""
        if word and not _NUMBER.match(word) and "(" not in word:
            label = word[0].upper() + word[1:]
        return f"{label} {format_level(value)}"

    def _widest_emotion_label(self) -> float:
        widest = 0.0
        for _, tp in self.m.iter_touchpoints():
            for text, _note in self._labels(tp):
                widest = max(widest, text_width(text, EMOTION_LABEL, bold=True))
        return widest

    def _expected_text(self, tp: Touchpoint) -> str | None:
        exp = self.m.expected_value(tp)
        if exp is None or tp.expected_emotion is None:
            return None
        return self._emotion_text(tp.expected_emotion, exp)

    def _actual(self, tp: Touchpoint) -> _Actual | None:
        """The actual emotion to draw: measured when there is a measurement, else written."""
        if self.measured is None:
            act = self.m.actual_value(tp)
            if act is None or tp.actual_emotion is None:
                return None
            return _Actual(act, self._emotion_text(tp.actual_emotion.emotion, act), "asserted")
        tm = self.measured.get(tp.id)
        if tm is None or tm.evidence == "none" or tm.emotion is None:
            return None
        lo, hi = self.scale.minimum, self.scale.maximum
        value = min(max(tm.emotion, lo), hi)
        word = tm.level or self.scale.level(round(value)).label
        thin = tm.evidence == "thin"
        return _Actual(
            value,
            f"{word} {format_measured(tm.emotion)}",
            "thin" if thin else "measured",
            None if tm.emotion_low is None else min(max(tm.emotion_low, lo), hi),
            None if tm.emotion_high is None else min(max(tm.emotion_high, lo), hi),
            f"thin evidence, n={tm.n:,}" if thin else None,
        )

    def _unmeasured(self, tp: Touchpoint) -> bool:
        """A measurement exists but says nothing about this touchpoint."""
        if self.measured is None:
            return False
        tm = self.measured.get(tp.id)
        return tm is None or tm.evidence == "none" or tm.emotion is None

    def _labels(self, tp: Touchpoint) -> list[tuple[str, str | None]]:
        """The label texts of a touchpoint's points, each with its note."""
        out: list[tuple[str, str | None]] = []
        exp = self._expected_text(tp)
        if exp is not None:
            out.append((exp, "no evidence" if self._unmeasured(tp) else None))
        act = self._actual(tp)
        if act is not None:
            out.append((act.text, act.note))
        return out

    def _slot_box(self, i: int) -> tuple[float, float]:
        """x and width of a box in slot ``i``."""
        s = self.slots[i]
        return s.x + INSET, s.w - 2 * INSET

    def _span_box(self, start: int, end: int) -> tuple[float, float]:
        x = self.slots[start].x + INSET
        return x, self.slots[end - 1].x + self.slots[end - 1].w - INSET - x

    def _span_of(self, stage_id: str | None, tp_id: str | None) -> tuple[int, int]:
        if tp_id is not None and tp_id in self.tp_slot:
            i = self.tp_slot[tp_id]
            return i, i + 1
        if stage_id is not None and stage_id in self.ranges:
            return self.ranges[stage_id]
        return 0, len(self.slots)

    # ---- header ----------------------------------------------------------------------------

    def header(self) -> tuple[Header, float]:
        m = self.m
        persona_w = PERSONA_W if m.persona is not None else 0.0
        left_w = self.width - 2 * MARGIN - (persona_w + 24 if persona_w else 0.0)
        title = stack([Para(m.name, TITLE, bold=True)], MARGIN, MARGIN, left_w)
        sub: list[Para] = []
        context = " \u00b7 ".join(x for x in (m.scenario, m.scope) if x)
        if context:
            sub.append(Para(context, SUBTITLE, tone="muted", gap_before=2))
        if m.objective:
            sub.append(Para(f"Objective: {m.objective}", 12.5, gap_before=4))
        meta = [f"Owner: {m.owner}" if m.owner else "", f"Status: {m.status.replace('-', ' ')}"]
        if m.version:
            meta.append(f"Version {m.version}")
        if m.updated:
            meta.append(f"Updated {m.updated.isoformat()}")
        sub.append(Para(" \u00b7 ".join(x for x in meta if x), SMALL, tone="muted", gap_before=4))
        if self.measurement is not None:
            sub.append(Para(self._measured_line(self.measurement), SMALL, bold=True, gap_before=3))
        journey_kpis = [k for k in m.kpis if k.stage is None and k.touchpoint is None]
        if journey_kpis:
            sub.append(Para("JOURNEY KPIS", 9.5, bold=True, tone="muted", gap_before=14))
        subtitle = stack(sub, MARGIN, MARGIN + title.height, left_w)
        bottom = MARGIN + title.height + subtitle.height
        # KPIs of the whole journey: a row of cards under the title
        kpis: list[KpiCard] = []
        row_top, x, row_h = bottom + 4, MARGIN, 0.0
        for kpi in journey_kpis:
            card = self._kpi_card(kpi, 0.0, 0.0, HEADER_KPI_W, stage_id=None)
            if x > MARGIN and x + HEADER_KPI_W > MARGIN + left_w:
                row_top, x, row_h = row_top + row_h + GAP, MARGIN, 0.0
            kpis.append(card.moved(x, row_top))
            x += HEADER_KPI_W + GAP
            row_h = max(row_h, card.box.rect.h)
            bottom = row_top + row_h
        persona, avatar, initials = None, None, None
        if m.persona is not None:
            persona, avatar, initials = self._persona(
                self.width - MARGIN - persona_w, MARGIN, persona_w
            )
            bottom = max(bottom, persona.rect.bottom)
        header = Header(
            tuple(title.lines), tuple(subtitle.lines), persona, tuple(kpis), avatar, initials
        )
        return header, bottom

    @staticmethod
    def _measured_line(ms: Measurement) -> str:
        """What the measured curve rests on, in one line under the title."""
        events = sum(s.rows_used for s in ms.sources if s.kind == "events")
        answers = sum(s.rows_used for s in ms.sources if s.kind == "feedback")
        what = [f"{events:,} events" if events else "", f"{answers:,} feedback rows" if answers
                else ""]  # fmt: skip
        basis = " and ".join(w for w in what if w) or "no evidence"
        return (
            f"Actual emotions measured {ms.measured_at.date().isoformat()} from {basis} \u00b7 "
            f"{ms.coverage:.0%} of touchpoints evidence-backed"
        )

    def _persona(self, x: float, y: float, w: float) -> tuple[Box, Rect, Text]:
        p = self.m.persona
        assert p is not None
        side = AVATAR + 12
        paras = [
            Para("PERSONA", 9.5, bold=True, tone="muted", indent=side),
            Para(p.name, 16, bold=True, gap_before=1, indent=side),
        ]
        facts = [str(p.age) if p.age is not None else "", p.role or "", p.segment or ""]
        if any(facts):
            facts_text = " \u00b7 ".join(f for f in facts if f)
            paras.append(Para(facts_text, BODY, tone="muted", indent=side))
        beside = len(paras)  # the paragraphs next to the avatar
        if p.description:
            paras.append(Para(p.description, BODY, gap_before=4))
        if p.quote:
            paras.append(Para(quote(p.quote), 12, italic=True, gap_before=6))
        if p.goals:
            paras.append(Para("Goals", BODY, bold=True, gap_before=6))
            paras += [Para(g, BODY, bullet=True) for g in p.goals]
        inner = w - 2 * PAD - 8
        if beside < len(paras):
            # what follows starts below the avatar
            head = stack(paras[:beside], 0.0, 0.0, inner).height
            extra = max(AVATAR + 2 - head, 0.0)
            paras[beside] = replace(paras[beside], gap_before=paras[beside].gap_before + extra)
        block = stack(paras, x + PAD + 4, y + PAD + 2, inner)
        h = max(block.height, AVATAR) + 2 * PAD + 4
        avatar = Rect(x + PAD + 4, y + PAD + 4, AVATAR, AVATAR)
        letters = "".join(word[0] for word in p.name.replace(",", " ").split()[:2]).upper()
        initials = Text(
            letters,
            avatar.x + AVATAR / 2,
            avatar.y + AVATAR / 2 + 0.36 * 17,
            17,
            bold=True,
            anchor="middle",
            tone="inverse",
        )
        box = Box("persona", Rect(x, y, w, h), tuple(block.lines), item_id=p.id)
        return box, avatar, initials

    # ---- lanes -----------------------------------------------------------------------------

    def _lane(self, key: LaneKey, y: float, content_h: float) -> LaneView:
        paras = [Para(LANE_TITLES[key], LANE_TITLE, bold=True)]
        if key == "backstage":
            note = "Below the line of visibility"
            paras.append(Para(note, SMALL, italic=True, tone="muted", gap_before=2))
        title = stack(paras, MARGIN + 12, y + LANE_PAD, self.gutter - 24)
        h = max(content_h, title.height) + 2 * LANE_PAD
        lane = LaneView(key, tuple(title.lines), y, h)
        self.lanes.append(lane)
        return lane

    def stage_headers(self, y: float) -> tuple[list[StageColumn], float]:
        blocks = []
        for stage in self.m.stages:
            start, end = self.ranges[stage.id]
            x, w = self._span_box(start, end)
            paras = [Para(stage.name, STAGE_NAME, bold=True, tone="inverse")]
            if stage.customer_goal:
                paras.append(
                    Para(f"Goal: {stage.customer_goal}", BODY, tone="inverse-muted", gap_before=3)
                )
            inner = ARROW / 2 + PAD + 2
            blocks.append((stage, x, w, stack(paras, x + inner, 0.0, w - 2 * inner)))
        h = max((b.height for *_, b in blocks), default=0.0) + 2 * PAD + 2
        columns = []
        for stage, x, w, block in blocks:
            start, end = self.ranges[stage.id]
            subs = tuple(
                SubColumn(s.tp.id if s.tp else None, s.x, s.w) for s in self.slots[start:end]
            )
            box = Box(
                "stage",
                Rect(x, y, w, h),
                shift(block.lines, y + (h - block.height) / 2),
                stage_id=stage.id,
            )
            sx = self.slots[start].x
            columns.append(
                StageColumn(stage.id, stage.name, sx, self._span_w(start, end), subs, box)
            )
        return columns, y + h

    def _span_w(self, start: int, end: int) -> float:
        return self.slots[end - 1].x + self.slots[end - 1].w - self.slots[start].x

    def row_lane(self, key: LaneKey, kind: BoxKind, y: float) -> float:
        """A lane of one box per touchpoint, all boxes as tall as the tallest."""
        made: list[tuple[int, float, float, Block]] = []
        for i, slot in enumerate(self.slots):
            if slot.tp is None:
                continue
            paras = self._row_paras(key, slot.tp)
            if not paras:
                continue
            x, w = self._slot_box(i)
            made.append((i, x, w, stack(paras, x + PAD, PAD, w - 2 * PAD)))
        if not made:
            return y
        content = max(b.height for *_, b in made) + 2 * PAD
        lane = self._lane(key, y, content)
        top = lane.y + LANE_PAD
        for i, x, w, block in made:
            tp = self.slots[i].tp
            assert tp is not None
            box = Box(
                kind,
                Rect(x, top, w, content),
                shift(block.lines, top),
                stage_id=self.slots[i].stage.id,
                touchpoint_id=tp.id,
            )
            if key == "touchpoints":
                self.cards.append(tp_card(box, tp, block.tops, top))
            else:
                self.boxes.append(box)
        return lane.bottom

    def _row_paras(self, key: LaneKey, tp: Touchpoint) -> list[Para]:
        if key == "actions":
            return [Para(a, BODY, bullet=True, gap_before=3) for a in tp.actions]
        if key == "thoughts":
            return [Para(quote(t), BODY, italic=True, gap_before=5) for t in tp.thoughts]
        return tp_paras(tp)

    # ---- emotion curve -----------------------------------------------------------------------

    def emotion_lane(self, y: float) -> tuple[EmotionCurve | None, float]:
        points = [(i, s.tp) for i, s in enumerate(self.slots) if s.tp and self._labels(s.tp)]
        if not points:
            return None, y
        values = [lv.value for lv in self.scale.levels]
        vmin, vmax = values[0], values[-1]
        span = max(vmax - vmin, 1)
        step = 30.0 if span <= 6 else max(16.0, 180.0 / span)
        rows = max(
            self._label_rows(s.w - 2 * INSET - 4, tp) for i, tp in points for s in [self.slots[i]]
        )
        pad = 12 + rows * LINE_HEIGHT * EMOTION_LABEL + 6
        lane = self._lane("emotion", y, 2 * pad + span * step - 2 * LANE_PAD)
        top = lane.y + pad

        def y_of(v: float) -> float:
            return top + (vmax - v) * step

        widest = max(abs(vmin), abs(vmax), 1)

        def tone(v: float) -> int:
            return max(-3, min(3, round(v / widest * 3)))

        ticks = tuple(
            ScaleTick(
                lv.value,
                y_of(lv.value),
                Text(
                    truncate(self._tick_text(lv.value, lv.label), self.gutter - 24, TICK),
                    self.x0 - 10,
                    y_of(lv.value) + 0.35 * TICK,
                    TICK,
                    anchor="end",
                    tone="muted",
                ),
            )
            for lv in self.scale.levels
        )
        expected: list[EmotionPoint] = []
        actual: list[EmotionPoint] = []
        gaps: list[EmotionGap] = []
        for i, tp in points:
            slot = self.slots[i]
            cx = slot.x + slot.w / 2
            exp = self.m.expected_value(tp)
            exp_text = self._expected_text(tp)
            act = self._actual(tp)
            lw = slot.w - 2 * INSET - 4
            if exp is not None and exp_text is not None:
                above = act is None or exp > act.value
                note = "no evidence" if self._unmeasured(tp) else None
                label = self._point_label(
                    exp_text, cx, y_of(exp), lw, above=above, actual=False, note=note
                )
                same = act is not None and act.evidence == "asserted" and act.text == exp_text
                if same and act is not None and act.value == exp:
                    label = ()  # the actual label says it all; the gap pill says "0"
                expected.append(
                    EmotionPoint(tp.id, "expected", cx, y_of(exp), exp, tone(exp), label, i)
                )
            if act is not None:
                above = exp is None or act.value >= exp
                label = self._point_label(
                    act.text, cx, y_of(act.value), lw, above=above, actual=True, note=act.note,
                    thin=act.evidence == "thin",
                )  # fmt: skip
                interval = None
                if act.low is not None and act.high is not None:
                    interval = (y_of(act.high), y_of(act.low))
                actual.append(
                    EmotionPoint(
                        tp.id, "actual", cx, y_of(act.value), act.value, tone(act.value), label,
                        i, act.evidence, interval,
                    )
                )  # fmt: skip
            if exp is not None and act is not None:
                if act.evidence == "asserted":
                    gap: float = int(act.value) - exp
                    text = format_level(int(gap))
                else:
                    tm = self.measured.get(tp.id) if self.measured is not None else None
                    raw = tm.gap if tm is not None and tm.gap is not None else act.value - exp
                    gap = round(raw, 1) + 0.0  # no "-0.0"
                    text = format_measured(gap)
                gaps.append(self._gap(tp.id, cx, y_of(exp), y_of(act.value), gap, text))
        area = Rect(self.x0, lane.y, self.grid_w, lane.h)
        zero = y_of(0) if vmin <= 0 <= vmax else None
        curve = EmotionCurve(
            area, zero, ticks, tuple(expected), tuple(actual), tuple(gaps),
            self._bands(actual), measured=self.measured is not None,
        )  # fmt: skip
        return curve, lane.bottom

    @staticmethod
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

    def _label_rows(self, w: float, tp: Touchpoint) -> int:
        """How many lines the tallest emotion label of a touchpoint needs."""
        return max(
            len(wrap(text, w, EMOTION_LABEL, bold=True, max_lines=2)) + (note is not None)
            for text, note in self._labels(tp)
        )

    def _point_label(
        self,
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

    @staticmethod
    def _gap(tp_id: str, x: float, ye: float, ya: float, gap: float, text: str) -> EmotionGap:
        size = 10.0
        w = text_width(text, size, bold=True) + 12
        h = 16.0
        mid = (ye + ya) / 2
        pill = Rect(x + 11, mid - h / 2, w, h)
        label = Text(
            text, pill.x + w / 2, mid + 0.35 * size, size, bold=True, anchor="middle", tone="ink"
        )
        return EmotionGap(tp_id, x, ye, ya, gap, label, pill)

    # ---- stacked lanes -------------------------------------------------------------------------

    def pin_lane(self, key: LaneKey, items: list[PainPoint] | list[Opportunity], y: float) -> float:
        if not items or not self.slots:
            return y
        placed: list[tuple[int, int, PainPoint | Opportunity]] = []
        for item in items:
            stage_id = self.m.stage_id_of(item)
            start, end = self._span_of(stage_id, item.touchpoint)
            placed.append((start, end, item))
        # cards for a whole stage first, then those under a touchpoint; file order otherwise
        placed.sort(key=lambda p: p[1] - p[0] == 1 and p[2].touchpoint is not None)
        sky = _Skyline(len(self.slots), 0.0)
        made: list[Pin] = []
        for start, end, item in placed:
            x, w = self._span_box(start, end)
            pin = self._pin(item, x, w)
            dy = sky.place(start, end, pin.box.rect.h)
            made.append(pin.moved(0.0, dy))
        lane = self._lane(key, y, sky.height)
        self.pins += [p.moved(0.0, lane.y + LANE_PAD) for p in made]
        return lane.bottom

    def _pin(self, item: PainPoint | Opportunity, x: float, w: float) -> Pin:
        if isinstance(item, PainPoint):
            kind: BoxKind = "pain"
            level = item.severity
            tone: Tone = "pain"
            paras = [Para(item.name, CARD_TITLE, bold=True, indent=PIN_ICON + 7)]
            facts = [f"{item.severity.capitalize()} severity", item.frequency or ""]
            paras.append(Para(" \u00b7 ".join(f for f in facts if f), SMALL, bold=True, tone=tone))
            if item.departments:
                paras.append(Para(f"Teams: {', '.join(item.departments)}", SMALL, tone="muted"))
            if item.source:
                paras.append(Para(f"Source: {item.source}", SMALL, tone="muted"))
        else:
            kind, level, tone = "opportunity", item.priority, "opportunity"
            paras = [Para(item.name, CARD_TITLE, bold=True, indent=PIN_ICON + 7)]
            if item.expected_outcome:
                paras.append(Para(f"Outcome: {item.expected_outcome}", BODY, gap_before=2))
            who = item.owner or item.department
            status = item.status.replace("-", " ")
            facts = [who or "", status, f"{item.priority} priority"]
            paras.append(
                Para(" \u00b7 ".join(f for f in facts if f), SMALL, tone="muted", gap_before=2)
            )
            if item.kpi is not None:
                kpi = next((k for k in self.m.kpis if k.id == item.kpi), None)
                name = kpi.name if kpi else item.kpi
                target = (
                    f" \u2192 {with_unit(item.kpi_target, kpi.unit if kpi else None)}"
                    if item.kpi_target is not None
                    else ""
                )
                paras.append(Para(f"KPI: {name}{target}", SMALL, tone=tone))
        block = stack(paras, x + PAD + 3, PAD, w - 2 * PAD - 3)
        h = block.height + 2 * PAD
        first_h = max(LINE_HEIGHT * CARD_TITLE, 0.0)
        icon = Rect(x + PAD + 3, PAD + (first_h - PIN_ICON) / 2, PIN_ICON, PIN_ICON)
        box = Box(
            kind,
            Rect(x, 0.0, w, h),
            tuple(block.lines),
            stage_id=self.m.stage_id_of(item),
            touchpoint_id=item.touchpoint,
            item_id=item.id,
        )
        return Pin(
            "pain" if kind == "pain" else "opportunity",
            box,
            box.stage_id,
            item.touchpoint,
            level,
            icon,
        )

    def backstage_lane(self, y: float) -> float:
        systems = [(i, s.tp) for i, s in enumerate(self.slots) if s.tp and s.tp.systems]
        back = [(st, tp) for st, tp in self.m.iter_touchpoints() if tp.lane != "frontstage"]
        if (not systems and not back) or not self.slots:
            return y
        sky = _Skyline(len(self.slots), 0.0)
        boxes: list[Box] = []
        cards: list[TouchpointCard] = []
        for i, tp in systems:
            x, w = self._slot_box(i)
            paras = [
                Para("Systems", SMALL, bold=True, tone="muted"),
                *(Para(s, BODY, bullet=True) for s in tp.systems),
            ]
            block = stack(paras, x + PAD, PAD, w - 2 * PAD)
            h = block.height + 2 * PAD
            dy = sky.place(i, i + 1, h)
            stage_id = self.slots[i].stage.id
            boxes.append(Box("systems", Rect(x, dy, w, h), shift(block.lines, dy), stage_id, tp.id))
        slot_of = {s.tp.id: i for i, s in enumerate(self.slots) if s.tp is not None}
        for stage, tp in back:
            start, end = self.ranges[stage.id]
            # under the first front-stage touchpoint it supports (in its stage), else where
            # the stage has most room
            supported = [slot_of[t] for t in tp.supports if t in slot_of]
            inside = [i for i in supported if start <= i < end]
            i = inside[0] if inside else sky.lowest(start, end)
            x, w = self._slot_box(i)
            paras = tp_paras(tp)
            if tp.systems:
                paras.append(Para(f"Systems: {', '.join(tp.systems)}", SMALL, tone="muted"))
            block = stack(paras, x + PAD, PAD, w - 2 * PAD)
            h = block.height + 2 * PAD
            dy = sky.place(i, i + 1, h)
            box = Box("backstage", Rect(x, dy, w, h), shift(block.lines, dy), stage.id, tp.id)
            cards.append(tp_card(box, tp, block.tops, dy))
        lane = self._lane("backstage", y, sky.height)
        dy = lane.y + LANE_PAD
        self.boxes += [b.moved(0.0, dy) for b in boxes]
        self.cards += [c.moved(0.0, dy) for c in cards]
        return lane.bottom

    def kpi_lane(self, y: float) -> float:
        items = [k for k in self.m.kpis if k.stage is not None or k.touchpoint is not None]
        if not items or not self.slots:
            return y
        sky = _Skyline(len(self.slots), 0.0)
        made: list[KpiCard] = []
        for kpi in items:
            stage_id = kpi.stage
            if stage_id is None and kpi.touchpoint is not None:
                try:
                    stage_id = self.m.stage_of(kpi.touchpoint).id
                except KeyError:
                    stage_id = None
            start, end = self._span_of(stage_id, kpi.touchpoint)
            i = sky.lowest(start, end)
            x, w = self._slot_box(i)
            card = self._kpi_card(kpi, x, 0.0, w, stage_id=stage_id)
            dy = sky.place(i, i + 1, card.box.rect.h)
            made.append(card.moved(0.0, dy))
        lane = self._lane("kpis", y, sky.height)
        self.kpis += [c.moved(0.0, lane.y + LANE_PAD) for c in made]
        return lane.bottom

    def _kpi_card(self, kpi: KPI, x: float, y: float, w: float, *, stage_id: str | None) -> KpiCard:
        paras = [Para(kpi.name, BODY, bold=True)]
        if kpi.value is not None:
            value = with_unit(kpi.value, kpi.unit)
            target = (
                "" if kpi.target is None else f"  \u00b7  target {with_unit(kpi.target, kpi.unit)}"
            )
            paras.append(Para(f"{value}{target}", 13, bold=True, gap_before=2))
        elif kpi.target is not None:
            paras.append(Para(f"Target {with_unit(kpi.target, kpi.unit)}", BODY, gap_before=2))
        else:
            paras.append(Para("No value yet", SMALL, tone="muted", gap_before=2))
        on = kpi.on_target
        status_at = len(paras)
        if on is not None:
            word = "On target" if on else "Off target"
            paras.append(Para(word, SMALL, bold=True, tone="muted", indent=MARK + 5))
        if kpi.period:
            paras.append(Para(kpi.period, SMALL, tone="muted"))
        block = stack(paras, x + PAD, y + PAD, w - 2 * PAD)
        marker = None
        if on is not None:
            top = block.tops[status_at]
            marker = Rect(x + PAD, top + (LINE_HEIGHT * SMALL - MARK) / 2, MARK, MARK)
        box = Box(
            "kpi",
            Rect(x, y, w, block.height + 2 * PAD),
            tuple(block.lines),
            stage_id=stage_id,
            touchpoint_id=kpi.touchpoint,
            item_id=kpi.id,
        )
        return KpiCard(box, on, marker)

    # ---- legend ----------------------------------------------------------------------------

    def legend(self, y: float, has_curve: bool) -> tuple[tuple[LegendItem, ...], float]:
        entries: list[tuple[LegendKind, str, float, int]] = []
        if has_curve and self.measured is not None:
            entries += [
                ("expected", "Expected emotion", 34.0, 0),
                ("actual", "Measured emotion", 34.0, 0),
                ("band", "95% interval", 26.0, 0),
                ("thin", "Thin evidence", 14.0, 0),
                ("gap", "Gap (measured \u2212 expected)", 26.0, 0),
            ]
        elif has_curve:
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
        if has_curve:
            widest = max(abs(self.scale.minimum), abs(self.scale.maximum), 1)
            for lv in self.scale.levels:
                tone = max(-3, min(3, round(lv.value / widest * 3)))
                entries.append(("level", self._tick_text(lv.value, lv.label), 12.0, tone))
        size, row_h = 11.0, 22.0
        x, top = MARGIN, y
        items: list[LegendItem] = []
        right = self.width - MARGIN
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

    # ---- all of it -------------------------------------------------------------------------

    def build(self) -> MapView:
        header, bottom = self.header()
        y = bottom + 22
        grid_top = y
        stages, y = self.stage_headers(y)
        y += 4
        y = self.row_lane("actions", "action", y)
        y = self.row_lane("touchpoints", "touchpoint", y)
        y = self.row_lane("thoughts", "thought", y)
        curve, y = self.emotion_lane(y)
        y = self.pin_lane("pains", self.m.pain_points, y)
        y = self.pin_lane("opportunities", self.m.opportunities, y)
        before_back = y
        y = self.backstage_lane(y)
        visibility = before_back if y > before_back else None
        y = self.kpi_lane(y)
        grid = Rect(MARGIN, grid_top, self.gutter + self.grid_w, y - grid_top)
        legend, bottom = self.legend(y + 18, curve is not None)
        return MapView(
            width=self.width,
            height=math.ceil(bottom + MARGIN),
            title=self.m.name,
            header=header,
            grid=grid,
            gutter=self.gutter,
            stages=tuple(stages),
            lanes=tuple(self.lanes),
            boxes=tuple(self.boxes),
            touchpoints=tuple(self.cards),
            pins=tuple(self.pins),
            kpis=tuple(self.kpis),
            emotion=curve,
            legend=legend,
            visibility_y=visibility,
        )


def layout(
    m: JourneyMap, *, width: int | None = None, measurement: Measurement | None = None
) -> MapView:
    """Position every element of the map's visual.

    ``width`` is the canvas width to aim for; the canvas grows beyond it when the map needs
    more room (every sub-column is at least :data:`COL_MIN` wide). With a ``measurement``,
    the curve's actual emotions are the measured ones (see the module docstring).
    """
    return _Layout(m, width, measurement).build()
