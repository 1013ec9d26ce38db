"""The SVG kit: the palette and the primitives that the map (:mod:`~journeymap.rendering.svg`)
and the charts of a measurement (:mod:`~journeymap.rendering.measured`) draw with.

Output is deterministic: attributes in the order given, numbers rounded to 2 decimals without
trailing zeros (:func:`num`), every text XML-escaped. Keyword attributes are written with
``-`` for ``_`` (``stroke_width=2`` -> ``stroke-width="2"``); ``None`` leaves one out.

The emotion palette is ColorBrewer's RdYlBu diverging scheme, which is safe for the common forms
of colour blindness (negative orange/red, positive blue); the centre is a neutral grey rather
than the scheme's pale yellow, which would vanish on white. The marks of an emotion are the same
everywhere: expected a diamond, measured (or a person's actual) a circle, a value on thin
evidence a hollow grey circle; a gap is a dashed connector.
"""

from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import escape, quoteattr

from journeymap.rendering.fonts import font_face_css, runs
from journeymap.rendering.text import FONT_FAMILY, exact_width
from journeymap.rendering.view import Rect, Tone

__all__ = [
    "BAND_FILL",
    "BAND_OPACITY",
    "GUTTER_FILL",
    "INK",
    "LANE_FILLS",
    "LEVEL_COLORS",
    "LINE",
    "MUTED",
    "NEGATIVE",
    "POSITIVE",
    "PRIORITY_COLORS",
    "SEVERITY_COLORS",
    "STAGE_FILL",
    "STAR_FILL",
    "THIN",
    "TONES",
    "XMLNS",
    "Attr",
    "attrs",
    "diamond",
    "document",
    "el",
    "expected_mark",
    "gap_line",
    "measured_mark",
    "meter",
    "num",
    "points",
    "polyline",
    "rect",
    "scale_line",
    "text",
    "thin_mark",
]

XMLNS = "http://www.w3.org/2000/svg"

# ---- the palette ---------------------------------------------------------------------------

#: ColorBrewer RdYlBu (7 classes) from -3 to +3, with a neutral grey in the middle.
LEVEL_COLORS: dict[int, str] = {
    -3: "#d73027",
    -2: "#f46d43",
    -1: "#fdae61",
    0: "#c9ced6",
    1: "#abd9e9",
    2: "#74add1",
    3: "#4575b4",
}
NEGATIVE = "#d73027"
POSITIVE = "#4575b4"

INK = "#1f2933"
MUTED = "#5b6777"
LINE = "#d5dce5"
TONES: dict[Tone, str] = {
    "ink": INK,
    "muted": MUTED,
    "inverse": "#ffffff",
    "inverse-muted": "#d3deeb",
    "pain": "#a8261b",
    "opportunity": "#1f5fa6",
    "accent": "#8a5a00",
}
STAGE_FILL = "#27374d"
GUTTER_FILL = "#eef2f6"
LANE_FILLS = ("#ffffff", "#f7f9fb")
SEVERITY_COLORS = {
    "critical": "#8e1b12",
    "high": "#c8372d",
    "medium": "#e8825a",
    "low": "#f2b8a2",
}
PRIORITY_COLORS = {"high": "#1f5fa6", "medium": "#4f86c6", "low": "#9bbbe0"}
STAR_FILL = "#f2b705"
#: the 95% interval band of measured emotions, and the grey of thin evidence
BAND_FILL = "#8fa3bb"
BAND_OPACITY = 0.28
THIN = "#8a94a3"
#: the lines of an emotion scale: the zero line darker than the others
_ZERO_LINE = "#aab4c0"
_SCALE_LINE = "#e3e8ee"

# ---- primitives ----------------------------------------------------------------------------

Attr = str | float | None


def num(v: float, digits: int = 2) -> str:
    """A coordinate: at most ``digits`` decimals, no trailing zeros, never ``-0``."""
    text = f"{v:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def attrs(values: dict[str, Attr]) -> str:
    """`` name="value"`` for every attribute that is not ``None``, numbers through :func:`num`."""
    parts = []
    for key, value in values.items():
        if value is None:
            continue
        written = num(value) if isinstance(value, float | int) else value
        parts.append(f" {key}={quoteattr(written)}")
    return "".join(parts)


def el(tag: str, **attributes: Attr) -> str:
    """An empty element: ``el("rect", x=1.0, stroke_width=2)`` is
    ``<rect x="1" stroke-width="2"/>``."""
    return f"<{tag}{attrs({k.replace('_', '-'): v for k, v in attributes.items()})}/>"


def rect(r: Rect, **attributes: Attr) -> str:
    return el("rect", x=r.x, y=r.y, width=r.w, height=r.h, **attributes)


def points(pts: Iterable[tuple[float, float]]) -> str:
    """The ``points`` of a polygon or polyline."""
    return " ".join(f"{num(x)},{num(y)}" for x, y in pts)


def polyline(pts: Iterable[tuple[float, float]], **attributes: Attr) -> str:
    return el("polyline", points=points(pts), fill="none", **attributes)


def diamond(cx: float, cy: float, r: float, **attributes: Attr) -> str:
    return el("polygon", points=points([(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)]),
              **attributes)  # fmt: skip


def text(
    content: str,
    x: float,
    y: float,
    size: float = 11.0,
    *,
    bold: bool = False,
    italic: bool = False,
    anchor: str = "start",
    fill: str = INK,
    halo: bool = False,
) -> str:
    """A line of text at its baseline; ``halo`` outlines it in white to stay readable on lines."""
    values: dict[str, Attr] = {
        "x": x,
        "y": y,
        "font-size": size,
        "font-weight": "bold" if bold else None,
        "font-style": "italic" if italic else None,
        "text-anchor": None if anchor == "start" else anchor,
        "fill": fill,
    }
    if halo:
        values |= {
            "stroke": "#ffffff",
            "stroke-width": "3",
            "stroke-linejoin": "round",
            "paint-order": "stroke",
        }
    parts = runs(content, bold)
    if len(parts) == 1 and parts[0][0] is None:
        return f"<text{attrs(values)}>{escape(content)}</text>"
    return _runs_text(values, parts, x, size, bold, italic, anchor)


#: how a run of text in a font of its own starts its font
_RUN_FONT = " font-family=\"'"


def _runs_text(
    values: dict[str, Attr],
    parts: list[tuple[str | None, str]],
    x: float,
    size: float,
    bold: bool,
    italic: bool,
    anchor: str,
) -> str:
    """A text in several fonts: each run a ``<tspan>`` of its own font at its own ``x``, laid
    out from the measured widths (a chunk per run: see :mod:`~journeymap.rendering.fonts`)."""
    widths = [exact_width(part, size, bold=bold, italic=italic) for _, part in parts]
    left = x - sum(widths) * {"middle": 0.5, "end": 1.0}.get(anchor, 0.0)
    values = {**values, "text-anchor": None}
    spans = []
    for (family, part), w in zip(parts, widths, strict=True):
        font = "" if family is None else f"{_RUN_FONT}{family}', sans-serif\""
        spans.append(f'<tspan x="{num(left)}"{font}>{escape(part)}</tspan>')
        left += w
    return f"<text{attrs(values)}>{''.join(spans)}</text>"


def document(
    width: float, height: float, title: str, body: Iterable[str], *, aria_label: bool = True
) -> str:
    """A standalone SVG document in the visual's fonts; ``title`` is its accessible name
    (also written as ``aria-label`` unless told otherwise)."""
    body = list(body)
    if any(_RUN_FONT in part for part in body):
        # text in several fonts: the fonts travel with the picture (see fonts.font_face_css)
        css = font_face_css("\n".join(body))
        body.insert(0, f"<style>{css}</style>")
    label = f" aria-label={quoteattr(title)}" if aria_label else ""
    head = (
        f'<svg xmlns="{XMLNS}" width="{num(width)}" height="{num(height)}" '
        f'viewBox="0 0 {num(width)} {num(height)}" font-family={quoteattr(FONT_FAMILY)} '
        f'role="img"{label}>'
    )
    return "\n".join([head, f"<title>{escape(title)}</title>", *body, "</svg>"]) + "\n"


# ---- the marks of an emotion ---------------------------------------------------------------


def expected_mark(cx: float, cy: float, r: float, fill: str, *, stroke_width: float = 1.4) -> str:
    """An expected emotion: a diamond in its level's colour."""
    return diamond(cx, cy, r, fill=fill, stroke=MUTED, stroke_width=stroke_width)


def measured_mark(cx: float, cy: float, r: float, fill: str, *, stroke_width: float = 1.3) -> str:
    """A measured (or a person's actual) emotion: a disc in its level's colour."""
    return el("circle", cx=cx, cy=cy, r=r, fill=fill, stroke=INK, stroke_width=stroke_width)


def thin_mark(cx: float, cy: float, r: float = 5.4) -> str:
    """A measured emotion on thin evidence: a hollow grey circle."""
    return el("circle", cx=cx, cy=cy, r=r, fill="#ffffff", stroke=THIN, stroke_width=1.8)


def meter(r: Rect, bars: int, color: str) -> str:
    """Friction: three ascending bars, the first ``bars`` of them filled with ``color``."""
    w = r.w / 4
    gap = (r.w - 3 * w) / 2
    out = ""
    for k in range(3):
        h = r.h * (0.45 + 0.275 * k)
        out += el("rect", x=r.x + k * (w + gap), y=r.bottom - h, width=w, height=h, rx=1,
                  fill=color if k < bars else "#dde3ea")  # fmt: skip
    return out


def gap_line(x1: float, y1: float, x2: float, y2: float, color: str) -> str:
    """The dashed connector between an expected and an actual emotion."""
    return el("line", x1=x1, y1=y1, x2=x2, y2=y2, stroke=color, stroke_width=2,
              stroke_dasharray="2 2.5")  # fmt: skip


def scale_line(x1: float, y1: float, x2: float, y2: float, *, zero: bool) -> str:
    """A line of an emotion scale; the zero line is darker."""
    return el("line", x1=x1, y1=y1, x2=x2, y2=y2, stroke=_ZERO_LINE if zero else _SCALE_LINE,
              stroke_width=1.2 if zero else 1)  # fmt: skip
