"""How big a picture may be drawn as PNG or PDF: checked before it is rasterised, and when it
is hopeless (a lower bound of its size already passes a limit) before the map is even laid out.

PNG
    vl-convert draws the whole picture in memory before it writes a byte: about 5 bytes a
    pixel at its peak (measured: 88 megapixels took 470 MB and 9 seconds, 173 megapixels
    950 MB and 15 seconds). A picture is drawn only up to :data:`MAX_PNG_PIXELS`, 100
    megapixels (some 550 MB at the peak: room to spare under a 2 GB memory limit). The
    default scale is 2 (sharp on slides and high-density screens); when a map would pass the
    limit at 2, it is drawn at the largest scale that fits, down to :data:`SMALLEST_SCALE`
    (text of 11.5 px is then 5.75 px); a scale the caller asks for is kept or refused, never
    changed.
PDF
    One pixel of the map is one unit (1/72 inch) of the page, and the PDF format allows no
    page side longer than :data:`MAX_PDF_SIDE`, 14,400 units (200 inches; ISO 32000-1,
    annex C). A wider or taller map is drawn smaller to fit, down to half size (text stays
    text: readers zoom in); beyond that it is refused.
Both
    Drawing also costs memory and time for every element of the picture (a shape, a text):
    about 9 KB and a third of a millisecond each, whatever the picture's size. A picture of
    more than :data:`MAX_ELEMENTS`, 50,000 elements (some 450 MB and 15 seconds), is
    refused; a map of 40 touchpoints with every lane filled has about 2,500.

A refusal is a :class:`~journeymap.errors.RenderError` (exit 2 on the command line, no
traceback) that names the size, the limit and what to do: write SVG or HTML, which have no
limit, or draw fewer stages and touchpoints. A map drawn on pages (``render --page A4``,
:mod:`~journeymap.rendering.pages`) has no such limit: each page is small, and the number of
pages is capped instead (:data:`~journeymap.rendering.pages.MAX_PAGES`).

The limits are this module's constants: a program that has the memory and the time can raise
:data:`MAX_PNG_PIXELS` or :data:`MAX_ELEMENTS`, or lower :data:`SMALLEST_SCALE`, before
drawing (the PDF limit is the format's).
"""

from __future__ import annotations

import math
import re

from journeymap.errors import RenderError

__all__ = [
    "DEFAULT_SCALE",
    "MAX_ELEMENTS",
    "MAX_PDF_SIDE",
    "MAX_PNG_PIXELS",
    "SMALLEST_SCALE",
    "check_elements",
    "check_least_size",
    "pdf_fit",
    "png_scale",
    "shrink_svg",
    "svg_size",
]

#: the most pixels (width x height) of a PNG: 100 megapixels
MAX_PNG_PIXELS = 100_000_000
#: the most elements (shapes, texts, groups) of a picture drawn as PNG or PDF
MAX_ELEMENTS = 50_000
#: the longest side of a PDF page, in units of 1/72 inch: the PDF format's limit
MAX_PDF_SIDE = 14_400
#: PNG pixels per pixel of the map when the caller asks for no scale
DEFAULT_SCALE = 2.0
#: the smallest a picture is drawn to fit a limit (a PNG's scale, a PDF's shrinking)
SMALLEST_SCALE = 0.5

_SVG_HTML = "write it as SVG or HTML instead (no size limit)"
_FEWER = "draw fewer stages or touchpoints"

_ROOT = re.compile(r"<svg\b[^>]*>")
_NUMBER = r"\s*([0-9]+(?:\.[0-9]+)?)\s*(?:px)?\s*"
_WIDTH = re.compile(rf"""\swidth\s*=\s*["']{_NUMBER}["']""")
_HEIGHT = re.compile(rf"""\sheight\s*=\s*["']{_NUMBER}["']""")


def _root(svg: str) -> re.Match[str] | None:
    return _ROOT.search(svg, 0, 4096)


def svg_size(svg: str) -> tuple[float, float] | None:
    """Width and height of an SVG document, from its root element (in pixels); ``None`` when
    it does not say them as plain numbers."""
    root = _root(svg)
    if root is None:
        return None
    width, height = _WIDTH.search(root.group()), _HEIGHT.search(root.group())
    if width is None or height is None:
        return None
    return float(width.group(1)), float(height.group(1))


def check_elements(svg: str, fmt: str) -> None:
    """Refuse an SVG document with more than :data:`MAX_ELEMENTS` elements: drawing one holds
    about 9 KB and takes a third of a millisecond for each, whatever the picture's size."""
    elements = svg.count("<") - svg.count("</")
    if elements > MAX_ELEMENTS:
        raise RenderError(
            f"the map is too detailed for a {fmt}: its drawing has {elements:,} elements, more "
            f"than the limit of {MAX_ELEMENTS:,}; {_SVG_HTML}, or {_FEWER}"
        )


def _pixels(width: float, height: float, scale: float) -> tuple[int, int]:
    return math.ceil(width * scale), math.ceil(height * scale)


def _png_too_big(
    width: float, height: float, scale: float, *, least: bool, hint: str, smaller: float = 0.0
) -> str:
    w, h = _pixels(width, height, scale)
    mp = f"{w * h / 1e6:,.1f} megapixels"
    size = f"at least {w:,} pixels wide and {mp}" if least else f"{w:,} x {h:,} pixels ({mp})"
    todo = (
        f"{_SVG_HTML}, {_FEWER}, or use a smaller scale ({smaller:g} fits)"
        if smaller > 0
        else f"{_SVG_HTML}, or {_FEWER}"
    )
    return (
        f"the map is too big for a PNG: {hint} it would be {size}, more than the limit of "
        f"{MAX_PNG_PIXELS / 1e6:,.0f} megapixels; {todo}"
    )


def _fits_png(width: float, height: float, scale: float) -> bool:
    w, h = _pixels(width, height, scale)
    return w * h <= MAX_PNG_PIXELS


def _largest_scale(width: float, height: float, upto: float) -> float:
    """The largest scale of two decimals, at most ``upto``, at which the PNG fits (0 if none)."""
    scale = math.floor(min(upto, math.sqrt(MAX_PNG_PIXELS / max(width * height, 1e-9))) * 100)
    while scale > 0 and not _fits_png(width, height, scale / 100):
        scale -= 1
    return max(scale, 0) / 100


def png_scale(width: float, height: float, scale: float | None) -> float:
    """The scale to draw a ``width`` x ``height`` picture as PNG at.

    ``scale`` when given and the picture fits; with ``None``, :data:`DEFAULT_SCALE` or less to
    fit, down to :data:`SMALLEST_SCALE`. Raises :class:`RenderError` otherwise.
    """
    if scale is not None:
        if not scale > 0 or not math.isfinite(scale):
            raise RenderError(f"scale must be a positive number, got {scale!r}")
        if not _fits_png(width, height, scale):
            fits = _largest_scale(width, height, scale)
            hint = f"at scale {scale:g}"
            message = _png_too_big(width, height, scale, least=False, hint=hint, smaller=fits)
            raise RenderError(message)
        return scale
    fits = _largest_scale(width, height, DEFAULT_SCALE)
    if fits < SMALLEST_SCALE:
        hint = f"even at scale {SMALLEST_SCALE:g}"
        raise RenderError(_png_too_big(width, height, SMALLEST_SCALE, least=False, hint=hint))
    return fits


def pdf_fit(width: float, height: float) -> float:
    """How much to shrink a ``width`` x ``height`` picture for its PDF page to be valid: 1 when
    it is, else the factor that brings its longer side to :data:`MAX_PDF_SIDE`. Raises
    :class:`RenderError` when that would be less than :data:`SMALLEST_SCALE`."""
    longest = max(width, height)
    if longest <= MAX_PDF_SIDE:
        return 1.0
    factor = MAX_PDF_SIDE / longest
    if factor < SMALLEST_SCALE:
        raise RenderError(_pdf_too_big(width, height, least=False))
    return factor


def _pdf_too_big(width: float, height: float, *, least: bool) -> str:
    size = (
        f"at least {math.ceil(max(width, height)):,} units (1/72 inch) on its longer side"
        if least
        else f"{math.ceil(width):,} x {math.ceil(height):,} units (1/72 inch)"
    )
    return (
        f"the map is too big for a PDF page: it is {size}, and even at "
        f"{SMALLEST_SCALE:.0%} of its size it would pass the PDF format's limit of "
        f"{MAX_PDF_SIDE:,} units a side; {_SVG_HTML}, or {_FEWER}"
    )


def check_least_size(width: float, height: float, fmt: str, scale: float | None) -> None:
    """Refuse a PNG or PDF early, from a lower bound of the picture's size (before the map is
    laid out and drawn): :class:`RenderError` when even that passes the limit."""
    if fmt == "png":
        if scale is not None and not (scale > 0 and math.isfinite(scale)):
            raise RenderError(f"scale must be a positive number, got {scale!r}")
        # refused here only when a smaller scale would not help either; otherwise the exact
        # size, once laid out, says which scale fits
        least = SMALLEST_SCALE if scale is None else min(scale, SMALLEST_SCALE)
        if not _fits_png(width, height, least):
            hint = f"at scale {least:g}" if least == scale else f"even at scale {least:g}"
            raise RenderError(_png_too_big(width, height, least, least=True, hint=hint))
    elif fmt == "pdf" and max(width, height) * SMALLEST_SCALE > MAX_PDF_SIDE:
        raise RenderError(_pdf_too_big(width, height, least=True))


def shrink_svg(svg: str, factor: float) -> str:
    """The SVG drawn ``factor`` times its size: the root's width and height scaled, its
    viewBox (added when missing) kept, so that the drawing scales with them."""
    root = _root(svg)
    size = svg_size(svg)
    if root is None or size is None:
        return svg
    width, height = (math.floor(v * factor * 100) / 100 for v in size)
    tag = root.group()
    if "viewBox" not in tag:
        tag = tag.replace("<svg", f'<svg viewBox="0 0 {size[0]:g} {size[1]:g}"', 1)
    tag = _WIDTH.sub(f' width="{width:g}"', tag, count=1)
    tag = _HEIGHT.sub(f' height="{height:g}"', tag, count=1)
    return svg[: root.start()] + tag + svg[root.end() :]
