"""Draw a :class:`~journeymap.rendering.view.MapView` as SVG.

The drawing only draws: every position comes from :func:`~journeymap.rendering.layout.layout`,
every colour and primitive from the SVG kit (:mod:`~journeymap.rendering.svgkit`, shared with
the charts of a measurement). Output is deterministic (no ids, no timestamps, numbers rounded to
2 decimals), so it can be compared with golden files. All text is XML-escaped.

The emotion curve is colour-coded on ColorBrewer's RdYlBu diverging scheme (see the kit), safe
for the common forms of colour blindness: the points, and the lines piece by piece in the
colour of the level they run through, over a darker casing. Colour is never the only carrier:
every point has a written label, expected and actual differ in line style (dashed/solid),
marker shape (diamond/circle) and type (italic/bold), and gaps are written with their sign.

A measured curve (a map drawn with a measurement) adds the 95% interval of each measured
emotion as a light band behind the solid line; a value on thin evidence is a hollow grey
circle on a grey stretch of line, with its note written under the label. A measured map also
has a friction lane: a card with a meter of one to three bars (medium, high, critical) for
each touchpoint whose behaviour is flagged, grey for loops and going back, which are
ambiguous; the level is carried by the number of bars and written words, not by colour alone.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import TypeVar

from journeymap.model.journey import JourneyMap
from journeymap.model.measurement import Measurement
from journeymap.rendering.blocks import ARROW
from journeymap.rendering.friction import METER_BARS
from journeymap.rendering.icons import channel_icon, marker_star
from journeymap.rendering.layout import layout
from journeymap.rendering.svgkit import (
    BAND_FILL,
    BAND_OPACITY,
    GUTTER_FILL,
    INK,
    LANE_FILLS,
    LINE,
    MUTED,
    STAGE_FILL,
    THIN,
    TONES,
    document,
    el,
    expected_mark,
    gap_line,
    measured_mark,
    meter,
    num,
    points,
    rect,
    scale_line,
    text,
    thin_mark,
)
from journeymap.rendering.theme import Theme, theme
from journeymap.rendering.view import (
    Box,
    CurveSegment,
    EmotionCurve,
    EmotionPoint,
    FrictionMark,
    Header,
    KpiCard,
    LegendItem,
    MapView,
    Pin,
    Rect,
    Text,
    TouchpointCard,
)

__all__ = ["draw_svg", "grid_parts", "header_parts", "legend_parts", "stage_parts", "to_svg"]

_T = TypeVar("_T")


def _text(t: Text, *, halo: bool = False) -> str:
    return text(t.text, t.x, t.y, t.size, bold=t.bold, italic=t.italic, anchor=t.anchor,
                fill=TONES[t.tone], halo=halo)  # fmt: skip


def _texts(lines: Iterable[Text], *, halo: bool = False) -> list[str]:
    return [_text(t, halo=halo) for t in lines]


def _each(draw: Callable[[_T], list[str]], items: Iterable[_T]) -> list[str]:
    """Every item drawn, in order."""
    return [part for item in items for part in draw(item)]


# ---- markers -----------------------------------------------------------------------------------


def _warning(r: Rect, color: str) -> str:
    """A pain point: a rounded warning triangle with an exclamation mark."""
    x, y, w, h = r.x, r.y, r.w, r.h
    tri = points([(x + w / 2, y + 0.5), (x + w - 0.3, y + h - 0.8), (x + 0.3, y + h - 0.8)])
    cx = x + w / 2
    return (
        el("polygon", points=tri, fill=color, stroke=color, stroke_width=1.4,
           stroke_linejoin="round")
        + el("line", x1=cx, y1=y + h * 0.38, x2=cx, y2=y + h * 0.62, stroke="#ffffff",
             stroke_width=1.6, stroke_linecap="round")
        + el("circle", cx=cx, cy=y + h * 0.77, r=0.95, fill="#ffffff")
    )  # fmt: skip


def _bulb(r: Rect, color: str) -> str:
    """An opportunity: a light bulb (glass, neck and two threads of the base)."""
    s = r.w / 24
    x, y = r.x, r.y
    glass = (
        f"M{num(x + 8.6 * s)} {num(y + 16.2 * s)}C{num(x + 8.4 * s)} {num(y + 14 * s)} "
        f"{num(x + 4.5 * s)} {num(y + 12.4 * s)} {num(x + 4.5 * s)} {num(y + 8.2 * s)}"
        f"A{num(7.5 * s)} {num(7.5 * s)} 0 0 1 {num(x + 19.5 * s)} {num(y + 8.2 * s)}"
        f"C{num(x + 19.5 * s)} {num(y + 12.4 * s)} {num(x + 15.6 * s)} {num(y + 14 * s)} "
        f"{num(x + 15.4 * s)} {num(y + 16.2 * s)}Z"
    )
    base = (
        f"M{num(x + 8.8 * s)} {num(y + 19 * s)}h{num(6.4 * s)}"
        f"M{num(x + 9.8 * s)} {num(y + 22 * s)}h{num(4.4 * s)}"
    )
    return el("path", d=glass, fill=color) + el(
        "path", d=base, fill="none", stroke=color, stroke_width=max(2.2 * s, 1.2),
        stroke_linecap="round",
    )  # fmt: skip


def _status(r: Rect, on_target: bool, th: Theme) -> str:
    """On target: a blue disc with a tick; off target: a red disc with a cross."""
    cx, cy, rad = r.x + r.w / 2, r.y + r.h / 2, r.w / 2
    disc = el("circle", cx=cx, cy=cy, r=rad, fill=th.positive if on_target else th.negative)
    k = rad * 0.45
    if on_target:
        d = (
            f"M{num(cx - k)} {num(cy)}"
            f"l{num(k * 0.7)} {num(k * 0.75)} {num(k * 1.35)} {num(-k * 1.5)}"
        )
    else:
        d = (
            f"M{num(cx - k)} {num(cy - k)}l{num(2 * k)} {num(2 * k)}"
            f"m0 {num(-2 * k)}l{num(-2 * k)} {num(2 * k)}"
        )
    return disc + el(
        "path", d=d, fill="none", stroke="#ffffff", stroke_width=1.6, stroke_linecap="round",
        stroke_linejoin="round",
    )  # fmt: skip


def _star(r: Rect, th: Theme) -> str:
    return marker_star(
        r.x + r.w / 2, r.y + r.h / 2 + 0.5, r.w / 2 + 0.8, fill=th.star, stroke=TONES["accent"]
    )


# ---- pieces --------------------------------------------------------------------------------


def _chevron(box: Box, *, first: bool, last: bool, arrow: float) -> str:
    r = box.rect
    a = arrow / 2
    top, mid, bot = r.y, r.y + r.h / 2, r.bottom
    left = r.x
    right = r.right
    pts = [(left - (0 if first else a), top), (right - a, top), (right + a, mid)]
    pts += [(right - a, bot), (left - (0 if first else a), bot)]
    if not first:
        pts.append((left + a, mid))
    if last:
        pts[1:4] = [(right, top), (right, bot)]
    return el("polygon", points=points(pts), fill=STAGE_FILL)


def _card_frame(box: Box, *, fill: str, stroke: str, dashed: bool = False) -> list[str]:
    r = box.rect
    return [
        el("rect", x=r.x, y=r.y + 1.5, width=r.w, height=r.h, rx=6, fill="#e6ebf1"),
        rect(r, rx=6, fill=fill, stroke=stroke, stroke_width=1,
             stroke_dasharray="4 3" if dashed else None),
    ]  # fmt: skip


def _accent_card(box: Box, *, fill: str, stroke: str, bar: str) -> list[str]:
    r = box.rect
    clip = f"M{num(r.x + 6)} {num(r.y)}h-0.01a6 6 0 0 0-6 6v{num(r.h - 12)}a6 6 0 0 0 6 6z"
    return [
        *_card_frame(box, fill=fill, stroke=stroke),
        el("path", d=clip, fill=bar),
        el("rect", x=r.x + 0.5, y=r.y + 6, width=4, height=max(r.h - 12, 0), fill=bar),
    ]


def _touchpoint(card: TouchpointCard, th: Theme) -> list[str]:
    box = card.box
    back = card.lane != "frontstage"
    out = _card_frame(
        box, fill="#f3f5f8" if back else "#ffffff", stroke="#b9c4d2" if back else "#cfd8e3",
        dashed=back,
    )  # fmt: skip
    ir = card.icon_rect
    out.append(el("rect", x=ir.x - 1, y=ir.y - 1, width=ir.w + 2, height=ir.h + 2, rx=5,
                  fill="#e9eef5"))  # fmt: skip
    pad = ir.w * 0.14
    out.append(channel_icon(card.icon, ir.x + pad, ir.y + pad, ir.w - 2 * pad, color="#27374d"))
    if card.marker is not None:
        out.append(_star(card.marker, th))
    if card.moment_of_truth:
        r = box.rect
        out.append(el("rect", x=r.x, y=r.y, width=r.w, height=3, rx=1.5, fill=th.star))
    out += _texts(box.lines)
    return out


def _pin(pin: Pin, th: Theme) -> list[str]:
    if pin.kind == "pain":
        bar = th.severity.get(pin.level, th.neutral)
        out = _accent_card(pin.box, fill="#fdf3f1", stroke="#f0cdc6", bar=bar)
        out.append(_warning(pin.icon_rect, TONES["pain"]))
    else:
        bar = th.priority.get(pin.level, th.neutral)
        out = _accent_card(pin.box, fill="#f1f6fc", stroke="#c9daef", bar=bar)
        out.append(_bulb(pin.icon_rect, TONES["opportunity"]))
    return out + _texts(pin.box.lines)


def _friction(mark: FrictionMark, th: Theme) -> list[str]:
    """A flagged friction as a card with its meter; a typical or thin one as muted text."""
    if not mark.flagged or mark.meter is None or mark.level is None:
        return _texts(mark.box.lines)
    if mark.ambiguous:
        color = THIN
        out = _accent_card(mark.box, fill="#f5f7fa", stroke="#d5dce5", bar=color)
    else:
        color = th.severity.get(mark.level, th.neutral)
        out = _accent_card(mark.box, fill="#fdf7f2", stroke="#efd9c8", bar=color)
    out.append(meter(mark.meter, METER_BARS.get(mark.level, 1), color))
    return out + _texts(mark.box.lines)


def _kpi(card: KpiCard, th: Theme) -> list[str]:
    out = _card_frame(card.box, fill="#ffffff", stroke="#cfd8e3")
    if card.marker is not None and card.on_target is not None:
        out.append(_status(card.marker, card.on_target, th))
    return out + _texts(card.box.lines)


def _box(box: Box) -> list[str]:
    if box.kind == "thought":
        r = box.rect
        return [rect(r, rx=8, fill="#f5f3ee"), *_texts(box.lines)]
    if box.kind == "systems":
        return [
            *_card_frame(box, fill="#f3f5f8", stroke="#b9c4d2", dashed=True),
            *_texts(box.lines),
        ]
    if box.kind == "lane-item":
        return [*_accent_card(box, fill="#ffffff", stroke="#cfd8e3", bar="#7b8798"),
                *_texts(box.lines)]  # fmt: skip
    if box.kind == "persona":
        return [rect(box.rect, rx=10, fill="#f3f6fa", stroke="#d9e1ea"), *_texts(box.lines)]
    return _texts(box.lines)


def _point_marker(p: EmotionPoint, th: Theme) -> str:
    color = th.level(p.tone)
    if p.series == "expected":
        return expected_mark(p.x, p.y, 6.8, color)
    if p.evidence == "thin":
        return thin_mark(p.x, p.y)
    return measured_mark(p.x, p.y, 5.8, color)


def _curve_lines(curve: EmotionCurve, th: Theme) -> list[str]:
    """The expected (dashed) and actual (solid) lines, coloured by the level each piece runs
    through, over a darker casing that keeps the pale middle levels visible on white; a
    stretch that touches a value on thin evidence is grey. The dashes of the pieces of one
    line continue from piece to piece (each starts where the one before ended)."""
    out: list[str] = []
    styles = (("expected", MUTED, 2.0, "6 4"), ("actual", INK, 2.4, ""))
    for series, casing, width, dashes in styles:
        pieces: list[tuple[CurveSegment, float]] = []
        offset, end = 0.0, (-1.0, -1.0)
        for seg in curve.segments:
            if seg.series == series:
                offset = offset if end == (seg.x1, seg.y1) else 0.0
                pieces.append((seg, offset))
                offset += math.hypot(seg.x2 - seg.x1, seg.y2 - seg.y1)
                end = (seg.x2, seg.y2)
        for seg, at in pieces:  # the casing first, so that no piece's colour is covered
            if not seg.thin:
                out.append(el("line", x1=seg.x1, y1=seg.y1, x2=seg.x2, y2=seg.y2, stroke=casing,
                              stroke_width=width + (1.6 if dashes else 2.2),
                              stroke_linecap=None if dashes else "round",
                              stroke_dasharray=dashes or None,
                              stroke_dashoffset=at if dashes and at else None))  # fmt: skip
        for seg, at in pieces:
            out.append(el("line", x1=seg.x1, y1=seg.y1, x2=seg.x2, y2=seg.y2,
                          stroke=THIN if seg.thin else th.level(seg.tone),
                          stroke_width=2 if seg.thin else width,
                          stroke_linecap="round" if seg.thin else None,
                          stroke_dasharray=dashes or None,
                          stroke_dashoffset=at if dashes and at else None))  # fmt: skip
    return out


def _emotion(curve: EmotionCurve, th: Theme) -> list[str]:
    a = curve.area
    out: list[str] = []
    if curve.zero_y is not None:
        top, bottom = curve.ticks[-1].y, curve.ticks[0].y
        out.append(el("rect", x=a.x, y=top, width=a.w, height=curve.zero_y - top,
                      fill=th.positive, fill_opacity=0.05))  # fmt: skip
        out.append(el("rect", x=a.x, y=curve.zero_y, width=a.w, height=bottom - curve.zero_y,
                      fill=th.negative, fill_opacity=0.05))  # fmt: skip
    for tick in curve.ticks:
        out.append(scale_line(a.x, tick.y, a.right, tick.y, zero=tick.value == 0))
        out.append(_text(tick.label))
    for band in curve.bands:
        out.append(el("polygon", points=points(band.outline), fill=BAND_FILL,
                      fill_opacity=BAND_OPACITY, stroke="none"))  # fmt: skip
    out += _curve_lines(curve, th)
    for g in curve.gaps:
        if g.gap != 0:
            color = th.negative if g.gap < 0 else th.positive
            out.append(gap_line(g.x, g.y_expected, g.x, g.y_actual, color))
    for p in (*curve.expected, *curve.actual):
        out.append(_point_marker(p, th))
    for p in (*curve.expected, *curve.actual):
        out += _texts(p.label, halo=True)
    for g in curve.gaps:
        color = THIN if g.gap == 0 else th.negative if g.gap < 0 else th.positive
        out.append(rect(g.pill, rx=g.pill.h / 2, fill="#ffffff", stroke=color, stroke_width=1.3))
        out.append(_text(g.label))
    return out


def _legend_symbol(item: LegendItem, th: Theme) -> list[str]:
    r = item.symbol
    cy = r.y + r.h / 2
    if item.kind == "expected":
        return [
            el("line", x1=r.x, y1=cy, x2=r.right, y2=cy, stroke=MUTED, stroke_width=3.6,
               stroke_dasharray="6 4"),
            el("line", x1=r.x, y1=cy, x2=r.right, y2=cy, stroke=th.level(2), stroke_width=2,
               stroke_dasharray="6 4"),
            expected_mark(r.x + r.w / 2, cy, 6, th.level(2), stroke_width=1.3),
        ]  # fmt: skip
    if item.kind == "actual":
        return [
            el("line", x1=r.x, y1=cy, x2=r.right, y2=cy, stroke=INK, stroke_width=4.6,
               stroke_linecap="round"),
            el("line", x1=r.x, y1=cy, x2=r.right, y2=cy, stroke=th.level(2), stroke_width=2.4),
            measured_mark(r.x + r.w / 2, cy, 5, th.level(2), stroke_width=1.2),
        ]  # fmt: skip
    if item.kind == "band":
        return [
            el("rect", x=r.x, y=r.y, width=r.w, height=r.h, rx=2, fill=BAND_FILL,
               fill_opacity=BAND_OPACITY),
            el("line", x1=r.x, y1=cy, x2=r.right, y2=cy, stroke=INK, stroke_width=2),
        ]  # fmt: skip
    if item.kind == "thin":
        return [thin_mark(r.x + 7, cy, 5)]
    if item.kind == "gap":
        return [
            gap_line(r.x + 4, r.y, r.x + 4, r.bottom, th.negative),
            el("rect", x=r.x + 8, y=cy - 7, width=18, height=14, rx=7, fill="#ffffff",
               stroke=th.negative, stroke_width=1.2),
            el("line", x1=r.x + 13.5, y1=cy, x2=r.x + 20.5, y2=cy, stroke=INK, stroke_width=1.6),
        ]  # fmt: skip
    if item.kind == "friction":
        return [meter(Rect(r.x, r.y, 14, 14), 2, th.severity["high"])]
    if item.kind == "ambiguous":
        return [meter(Rect(r.x, r.y, 14, 14), 1, THIN)]
    if item.kind == "pain":
        return [_warning(Rect(r.x, r.y, 14, 14), TONES["pain"])]
    if item.kind == "opportunity":
        return [_bulb(Rect(r.x, r.y, 14, 14), TONES["opportunity"])]
    if item.kind == "moment":
        return [_star(Rect(r.x, r.y + 1, 12, 12), th)]
    return [el("circle", cx=r.x + 6, cy=cy, r=6, fill=th.level(item.tone), stroke=INK,
               stroke_width=0.8)]  # fmt: skip


# ---- the whole picture ----------------------------------------------------------------------


def _grid(view: MapView) -> list[str]:
    g = view.grid
    out: list[str] = []
    lanes = list(view.lanes)
    for k, lane in enumerate(lanes):
        fill = "#ffffff" if lane.key == "emotion" else LANE_FILLS[k % 2]
        out.append(el("rect", x=g.x + view.gutter, y=lane.y, width=g.w - view.gutter,
                      height=lane.h, fill=fill))  # fmt: skip
        out.append(el("rect", x=g.x, y=lane.y, width=view.gutter - 4, height=lane.h,
                      fill=GUTTER_FILL))  # fmt: skip
        out.append(el("line", x1=g.x, y1=lane.bottom, x2=g.right, y2=lane.bottom, stroke=LINE))
    top = lanes[0].y if lanes else g.bottom
    for stage in view.stages:
        for sub in stage.subcolumns[1:]:
            out.append(el("line", x1=sub.x, y1=top, x2=sub.x, y2=g.bottom, stroke="#e6eaef",
                          stroke_dasharray="3 3"))  # fmt: skip
    for stage in view.stages[1:]:
        out.append(el("line", x1=stage.x, y1=top, x2=stage.x, y2=g.bottom, stroke="#c3ccd8",
                      stroke_width=1.2))  # fmt: skip
    return out


def header_parts(head: Header, th: Theme) -> list[str]:
    """The header: title, subtitle, persona card with its avatar, the journey's KPIs."""
    out = _texts(head.title) + _texts(head.subtitle)
    if head.persona is not None:
        out += _box(head.persona)
    if head.avatar is not None and head.initials is not None:
        a = head.avatar
        out.append(el("circle", cx=a.x + a.w / 2, cy=a.y + a.h / 2, r=a.w / 2, fill=STAGE_FILL))
        out.append(_text(head.initials))
    return out + _each(lambda k: _kpi(k, th), head.kpis)


def legend_parts(legend: Iterable[LegendItem], th: Theme) -> list[str]:
    out: list[str] = []
    for item in legend:
        out += _legend_symbol(item, th)
        out.append(_text(item.label))
    return out


def stage_parts(view: MapView, only: Collection[str] | None = None) -> list[str]:
    """The chevrons of the stages with their names; ``only`` some of them (by id), the first
    and last of those drawn flat at their outer sides (a page of the map)."""
    stages = [s for s in view.stages if only is None or s.stage_id in only]
    out: list[str] = []
    for i, stage in enumerate(stages):
        last = i == len(stages) - 1
        out.append(_chevron(stage.header, first=i == 0, last=last, arrow=ARROW))
        out += _texts(stage.header.lines)
    return out


def grid_parts(view: MapView, th: Theme) -> list[str]:
    """The lanes and stages with all they hold: everything but the header and the legend."""
    out = _grid(view)
    for lane in view.lanes:
        out += _texts(lane.title)
    out += stage_parts(view)
    if view.visibility_y is not None:
        y = view.visibility_y
        g = view.grid
        out.append(el("line", x1=g.x, y1=y, x2=g.right, y2=y, stroke="#7b8798",
                      stroke_width=1.4, stroke_dasharray="8 5"))  # fmt: skip
    if view.emotion is not None:
        out += _emotion(view.emotion, th)
    out += _each(lambda f: _friction(f, th), view.frictions)
    out += _each(_box, view.boxes)
    out += _each(lambda c: _touchpoint(c, th), view.touchpoints)
    out += _each(lambda p: _pin(p, th), view.pins)
    out += _each(lambda k: _kpi(k, th), view.kpis)
    return out


def draw_svg(view: MapView, *, theme_name: str = "light") -> str:
    """The SVG document of a laid-out map, in a theme (see :mod:`~journeymap.rendering.theme`)."""
    th = theme(theme_name)
    w, h = view.width, view.height
    out: list[str] = [el("rect", x=0.0, y=0.0, width=w, height=h, fill="#ffffff")]
    out += header_parts(view.header, th)
    out += grid_parts(view, th)
    out += legend_parts(view.legend, th)
    return th.recolor(document(w, h, view.title, out, aria_label=False))


def to_svg(
    m: JourneyMap,
    *,
    width: int | None = None,
    measurement: Measurement | None = None,
    lanes: Sequence[str] | None = None,
    theme_name: str = "light",
) -> str:
    """The journey-map visual as an SVG document (UTF-8 text); with a ``measurement``, its
    actual emotions are the measured ones; ``lanes`` chooses the lanes drawn and their order
    (see :func:`~journeymap.rendering.layout.layout`)."""
    view = layout(m, width=width, measurement=measurement, lanes=lanes)
    return draw_svg(view, theme_name=theme_name)
