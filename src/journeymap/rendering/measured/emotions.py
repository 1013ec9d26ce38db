"""Expected against measured emotion, and how much of the map customers' feedback backs:
:func:`gap_data` -> :func:`draw_gaps`, :func:`coverage_data` -> :func:`draw_coverage`.

A measured emotion comes from what customers said or scored alone (docs/measure.md), so both
charts count touchpoints with feedback; behaviour is friction
(:mod:`~journeymap.rendering.measured.friction`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from journeymap import _numbers as nb
from journeymap.model.journey import JourneyMap
from journeymap.model.measurement import Measurement
from journeymap.rendering.curve import tick_text
from journeymap.rendering.measured._chart import (
    CHART_W,
    REACH,
    Part,
    TouchpointRows,
    arrow_table,
    axis,
    empty,
    names,
    split_bar,
)
from journeymap.rendering.svgkit import (
    BAND_FILL,
    BAND_OPACITY,
    INK,
    LEVEL_COLORS,
    MUTED,
    NEGATIVE,
    POSITIVE,
    document,
    el,
    expected_mark,
    gap_line,
    measured_mark,
    scale_line,
    text,
    thin_mark,
)
from journeymap.rendering.view import level_tone

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["coverage_data", "draw_coverage", "draw_gaps", "gap_data"]

NONE_FILL = "#e3e8ee"


def gap_data(m: JourneyMap, measurement: Measurement) -> pa.Table:
    """Expected against measured emotion per touchpoint, the biggest shortfall first.

    One row per touchpoint with both an expected and a measured emotion: ``touchpoint, name,
    stage_name, expected, emotion, low, high, gap, evidence, n, level``. Sorted by ``gap``
    ascending (most negative first), then map order.
    """
    where = {tp.id: (tp.name, s.name) for s, tp in m.iter_touchpoints()}
    order = {tp.id: i for i, (_, tp) in enumerate(m.iter_touchpoints())}
    rows: list[dict[str, Any]] = []
    for t in measurement.touchpoints:
        if t.emotion is None or t.expected is None or t.touchpoint not in where:
            continue
        name, stage_name = where[t.touchpoint]
        rows.append(
            {
                "touchpoint": t.touchpoint,
                "name": name,
                "stage_name": stage_name,
                "expected": t.expected,
                "emotion": t.emotion,
                "low": t.emotion_low,
                "high": t.emotion_high,
                "gap": t.gap if t.gap is not None else t.emotion - t.expected,
                "evidence": t.evidence,
                "n": t.n,
                "level": t.level,
            }
        )
    rows.sort(key=lambda r: (r["gap"], order[r["touchpoint"]]))
    return arrow_table(
        rows,
        "touchpoint:str name:str stage_name:str expected:float emotion:float low:float "
        "high:float gap:float evidence:str n:int level:str",
    )


def coverage_data(m: JourneyMap, measurement: Measurement) -> pa.Table:
    """How much of the map customers' feedback backs: one row per evidence level of the
    measured emotion (``measured``,
    ``thin``, ``none``, in that order) with ``touchpoints`` (count), ``share`` (of all
    touchpoints of the measurement, 0..1) and ``names`` (the touchpoints, in map order)."""
    _, tp_names = names(m)
    total = len(measurement.touchpoints)
    rows: list[dict[str, Any]] = []
    for level in ("measured", "thin", "none"):
        found = [t for t in measurement.touchpoints if t.evidence == level]
        rows.append(
            {
                "evidence": level,
                "touchpoints": len(found),
                "share": len(found) / total if total else None,
                "names": [tp_names.get(t.touchpoint, t.name) for t in found],
            }
        )
    return arrow_table(rows, "evidence:str touchpoints:int share:float names:list")


# ---- emotion gaps -----------------------------------------------------------------------------


def draw_gaps(table: pa.Table, *, scale: Sequence[tuple[int, str]], width: float = CHART_W) -> str:
    """Expected (diamond) against measured emotion (circle) per touchpoint, the 95% interval
    as a light band, the gap written at the right; hollow grey for few answers. ``scale``
    is the map's levels as ``(value, label)``, lowest first."""
    rows = table.to_pylist()
    title = "Expected and measured emotion per touchpoint"
    if not rows:
        return empty(width, title, "No touchpoint has both an expected and a measured emotion.")
    vmin, vmax = scale[0][0], scale[-1][0]
    frame = TouchpointRows(len(rows), width)
    top, bottom, right_w = frame.top, frame.bottom, 150.0
    x0 = frame.name_w + 50
    x_of = axis(vmin, vmax, x0, width - right_w - 60)

    def color(v: float) -> str:
        return LEVEL_COLORS[level_tone(v, vmin, vmax)]

    out = frame.bands()
    for value, label in scale:
        x = x_of(value)
        out.append(scale_line(x, top - 4, x, bottom, zero=value == 0))
        out.append(text(tick_text(value, label), x, top - 12, 10, anchor="middle", fill=MUTED))
    out.append(text("Gap", width - right_w, top - 12, 10, bold=True, fill=MUTED))
    for i, r in enumerate(rows):
        y = frame.middle(i)
        out += frame.names(r, y)
        out += _gap_row(r, y, x_of, color, gx=width - right_w)
    ly = bottom + 24
    return document(width, ly + 10, title, out + _gap_legend(x0, ly))


def _gap_row(
    r: dict[str, Any], y: float, x_of: Callable[[float], float], color: Callable[[float], str],
    *, gx: float,
) -> list[str]:  # fmt: skip
    """One touchpoint's band, connector, marks, gap and evidence."""
    out: list[str] = []
    thin = r["evidence"] == "thin"
    if r["low"] is not None and r["high"] is not None:
        lo, hi = x_of(r["low"]), x_of(r["high"])
        out.append(el("rect", x=lo, y=y - 7, width=max(hi - lo, 2), height=14, rx=7,
                      fill=BAND_FILL, fill_opacity=BAND_OPACITY))  # fmt: skip
    xe, xa = x_of(r["expected"]), x_of(r["emotion"])
    gap = round(r["gap"], 1) + 0.0
    ink = MUTED if gap == 0 else NEGATIVE if gap < 0 else POSITIVE
    if abs(xa - xe) > 8:
        out.append(gap_line(xe, y, xa, y, ink))
    out.append(expected_mark(xe, y, 6.5, color(r["expected"])))
    if thin:
        out.append(thin_mark(xa, y))
    else:
        out.append(measured_mark(xa, y, 6, color(r["emotion"])))
    out.append(text(nb.signed(gap), gx, y + 4, 13, bold=True, fill=ink))
    note = f"n={nb.count(r['n'])}" + (" \u00b7 few answers" if thin else "")
    out.append(text(note, gx + 46, y + 4, 10, italic=thin, fill=MUTED))
    return out


def _gap_legend(x0: float, ly: float) -> list[str]:
    return [
        expected_mark(x0 + 6, ly - 4, 6, LEVEL_COLORS[2], stroke_width=1.3),
        text("expected", x0 + 17, ly, 10.5, fill=MUTED),
        measured_mark(x0 + 86, ly - 4, 5.5, LEVEL_COLORS[2], stroke_width=1.2),
        text("measured", x0 + 96, ly, 10.5, fill=MUTED),
        el("rect", x=x0 + 160, y=ly - 10, width=26, height=12, rx=6, fill=BAND_FILL,
           fill_opacity=BAND_OPACITY),
        text("95% interval", x0 + 192, ly, 10.5, fill=MUTED),
        thin_mark(x0 + 276, ly - 4, 5),
        text("few answers", x0 + 286, ly, 10.5, fill=MUTED),
    ]  # fmt: skip


# ---- coverage ---------------------------------------------------------------------------------

_COVERAGE_STYLE = {
    "measured": (REACH, "#ffffff", "measured from feedback"),
    "thin": ("#c4ccd6", INK, "few answers"),
    "none": (NONE_FILL, MUTED, "no feedback"),
}


def draw_coverage(table: pa.Table, *, width: float = 560.0) -> str:
    """The share of touchpoints with an emotion measured from feedback, on few answers and
    without feedback, as one bar."""
    rows = table.to_pylist()
    title = "Feedback coverage"
    if not any(r["touchpoints"] for r in rows):
        return empty(width, title, "The measurement has no touchpoints.")
    parts: list[Part] = []
    for r in rows:
        fill, ink, word = _COVERAGE_STYLE[r["evidence"]]
        share = nb.percent(r["share"])
        words = f"{r['touchpoints']} {word} ({share})"
        stroke = "#b9c4d2" if r["evidence"] == "none" else "none"
        parts.append(Part(r["touchpoints"], fill, ink, share, words, stroke=stroke))
    out, _ = split_bar(parts, width, wrap=False)
    return document(width, 62, title, out)
