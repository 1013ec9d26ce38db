"""SVG to PNG and PDF without a browser or system libraries, through ``vl-convert-python``.

vl-convert draws SVG with resvg and bundles Liberation Sans, the first font of the map's font
stack, so text looks the same on every machine (system fonts are used too when present).
A text run with a glyph Liberation Sans lacks falls back to another font as a whole, which is
why the visual draws its symbols (stars, ticks, warnings) as shapes, never as characters, and
why text in other scripts comes as runs each naming its font (:mod:`~journeymap.rendering.fonts`).
Fonts found outside the system's folders (``JOURNEYMAP_FONT_DIRS``, the user's) are registered
with vl-convert before drawing; colour emoji go into a PDF as pictures.
"""

from __future__ import annotations

import base64
import math
import re
from types import ModuleType

from journeymap.errors import RenderError
from journeymap.rendering.fonts import EMOJI_FAMILY
from journeymap.rendering.limits import (
    DEFAULT_SCALE,
    check_elements,
    pdf_fit,
    png_scale,
    shrink_svg,
    svg_size,
)

__all__ = ["pdf_page_size", "png_size", "svg_to_pdf", "svg_to_png"]

_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


_REGISTERED: set[str] = set()


def _vlc() -> ModuleType:
    try:
        import vl_convert
    except ImportError:  # pragma: no cover - a declared dependency
        raise RenderError(
            "PNG and PDF output need vl-convert-python; run: pip install vl-convert-python"
        ) from None
    # the fonts the text was measured with: the system's are loaded by vl-convert itself
    from journeymap.rendering.fonts import extra_font_dirs

    for folder in map(str, extra_font_dirs()):
        if folder not in _REGISTERED:
            vl_convert.register_font_directory(folder)
            _REGISTERED.add(folder)
    return vl_convert


_TEXT = re.compile(r"<text\b([^>]*)>(.*?)</text>", re.S)
_EMOJI_SPAN = re.compile(
    r"<tspan x=\"([-\d.]+)\" font-family=\"'" + EMOJI_FAMILY + r"', sans-serif\">(.*?)</tspan>",
    re.S,
)


def _attr(tag: str, name: str, default: float) -> float:
    found = re.search(rf'\b{name}="([-\d.]+)"', tag)
    return float(found.group(1)) if found else default


def _emoji_as_images(svg: str) -> str:
    """Colour emoji as pictures: the PDF writer cannot embed a bitmap emoji font, so each
    emoji run is drawn as a PNG at its place (4 pixels per point)."""
    from xml.sax.saxutils import unescape

    from journeymap.rendering.text import exact_width

    def one(found: re.Match[str]) -> str:
        tag, inner = found.group(1), found.group(2)
        if EMOJI_FAMILY not in inner:
            return found.group(0)
        y, size = _attr(tag, "y", 0.0), _attr(tag, "font-size", 11.0)
        images = []
        for span in _EMOJI_SPAN.finditer(inner):
            x, emoji = float(span.group(1)), span.group(2)
            w, h = exact_width(unescape(emoji), size), size * 1.25
            small = (
                f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.2f}" height="{h:.2f}">'
                f'<text x="0" y="{size:.2f}" font-size="{size}" '
                f"font-family=\"'{EMOJI_FAMILY}'\">{emoji}</text></svg>"
            )
            png = base64.b64encode(_vlc().svg_to_png(small, scale=4)).decode("ascii")
            images.append(
                f'<image x="{x:.2f}" y="{y - size:.2f}" width="{w:.2f}" height="{h:.2f}" '
                f'href="data:image/png;base64,{png}"/>'
            )
        return f"<text{tag}>{_EMOJI_SPAN.sub('', inner)}</text>{''.join(images)}"

    return _TEXT.sub(one, svg)


def _first_line(exc: Exception) -> str:
    """vl-convert's message without the Rust backtrace that follows it."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def svg_to_png(svg: str, *, scale: float | None = None) -> bytes:
    """Rasterise an SVG document; ``scale`` PNG pixels per SVG pixel.

    With no ``scale``, 2 (sharp on slides and screens), or less when the picture would pass
    :data:`~journeymap.rendering.limits.MAX_PNG_PIXELS`; a picture too big even so, or too big
    at the ``scale`` asked, is refused with a :class:`RenderError` before any pixel is drawn
    (see :mod:`~journeymap.rendering.limits`).
    """
    if scale is not None and not (scale > 0 and math.isfinite(scale)):
        raise RenderError(f"scale must be a positive number, got {scale!r}")
    size = svg_size(svg)
    if size is not None:
        scale = png_scale(*size, scale)
    check_elements(svg, "PNG")
    try:
        data = _vlc().svg_to_png(svg, scale=DEFAULT_SCALE if scale is None else scale)
    except (RuntimeError, ValueError) as exc:
        raise RenderError(f"cannot draw the SVG as PNG: {_first_line(exc)}") from None
    return bytes(data)


def svg_to_pdf(svg: str) -> bytes:
    """The SVG as a one-page vector PDF of the same size (text stays text); one SVG pixel is
    one unit (1/72 inch) of the page.

    A picture wider or taller than the PDF format allows (14,400 units) is drawn smaller to
    fit, down to half its size, and refused beyond that (see
    :mod:`~journeymap.rendering.limits`).
    """
    check_elements(svg, "PDF")
    size = svg_size(svg)
    if size is not None:
        factor = pdf_fit(*size)
        if factor < 1.0:
            svg = shrink_svg(svg, factor)
    if EMOJI_FAMILY in svg:
        svg = _emoji_as_images(svg)
    try:
        data = _vlc().svg_to_pdf(svg)
    except (RuntimeError, ValueError) as exc:
        raise RenderError(f"cannot draw the SVG as PDF: {_first_line(exc)}") from None
    return bytes(data)


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height in pixels, read from the PNG header."""
    if png[:8] != _PNG_MAGIC or png[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def pdf_page_size(pdf: bytes) -> tuple[float, float] | None:
    """Width and height in points of the first page's MediaBox, when it can be found."""
    found = re.search(rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s*\]", pdf)
    if found is None:
        return None
    x0, y0, x1, y1 = (float(v) for v in found.groups())
    return x1 - x0, y1 - y0
