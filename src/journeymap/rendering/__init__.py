"""Drawing a journey map: SVG, PNG, PDF, self-contained HTML, Markdown, Mermaid and PowerPoint.

:func:`layout` turns a map into a positioned view model; every visual format only draws that.
:func:`render_bytes` gives any format as bytes, :func:`render_file` writes it atomically,
choosing the format from the file's suffix. Importing this package loads no heavy library:
Jinja2 and vl-convert are imported when HTML, PNG or PDF are asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Literal, get_args

from journeymap.errors import UsageError
from journeymap.model.journey import JourneyMap
from journeymap.rendering.files import format_of, suffixes_for, write_as
from journeymap.rendering.html import to_html
from journeymap.rendering.layout import layout, least_size
from journeymap.rendering.limits import check_least_size
from journeymap.rendering.pages import render_pages
from journeymap.rendering.svg import to_svg

__all__ = [
    "FORMATS",
    "SUFFIXES",
    "RenderFormat",
    "format_for",
    "layout",
    "render_bytes",
    "render_file",
    "render_pages",
    "to_html",
    "to_svg",
]

RenderFormat = Literal["svg", "png", "pdf", "html", "md", "mmd", "pptx"]
FORMATS: tuple[RenderFormat, ...] = get_args(RenderFormat)
#: File suffixes and the format each one means.
SUFFIXES: dict[str, RenderFormat] = suffixes_for(FORMATS)


def format_for(path: str | Path) -> RenderFormat:
    """The format a file name asks for; raises :class:`UsageError` for an unknown suffix."""
    return format_of(path, SUFFIXES, what="output")


def render_bytes(
    m: JourneyMap,
    fmt: RenderFormat,
    *,
    scale: float | None = None,
    lanes: Sequence[str] | None = None,
    theme: str = "light",
) -> bytes:
    """The map drawn in ``fmt``. Text formats are UTF-8.

    ``scale`` applies to PNG only: PNG pixels per map pixel, by default 2, or less when the
    picture would be too big. A PNG or PDF too big to draw is refused with a
    :class:`~journeymap.errors.RenderError` naming its size and the limit, before it is
    drawn (see :mod:`journeymap.rendering.limits`); SVG and HTML have no limit.

    ``lanes`` chooses the lanes of the visual and their order, ``theme`` its colours (light,
    dark, print, colour-blind: :mod:`journeymap.rendering.theme`). For pages (A4, 16:9, ...)
    see :func:`render_pages`.
    """
    if fmt in ("svg", "png", "pdf", "html", "pptx"):
        from journeymap.rendering.fonts import warn_missing

        warn_missing([m.model_dump_json()])
    if fmt in ("png", "pdf"):
        check_least_size(*least_size(m), fmt, scale)
    if fmt == "svg":
        return to_svg(m, lanes=lanes, theme_name=theme).encode("utf-8")
    if fmt == "png":
        from journeymap.rendering.raster import svg_to_png

        return svg_to_png(to_svg(m, lanes=lanes, theme_name=theme), scale=scale)
    if fmt == "pdf":
        from journeymap.rendering.raster import svg_to_pdf

        return svg_to_pdf(to_svg(m, lanes=lanes, theme_name=theme))
    if fmt == "html":
        return to_html(m, lanes=lanes, theme=theme).encode("utf-8")
    if fmt == "md":
        from journeymap.rendering.markdown import to_markdown

        return to_markdown(m).encode("utf-8")
    if fmt == "pptx":
        from journeymap.rendering.slides import to_pptx

        return to_pptx(m, lanes=lanes, theme=theme)
    if fmt == "mmd":
        from journeymap.rendering.mermaid import to_mermaid

        return to_mermaid(m).encode("utf-8")
    raise UsageError(f"unknown format {fmt!r}; expected one of: {', '.join(FORMATS)}")


def render_file(
    m: JourneyMap,
    out: str | Path,
    *,
    fmt: RenderFormat | None = None,
    scale: float | None = None,
    lanes: Sequence[str] | None = None,
    theme: str = "light",
) -> Path:
    """Write the map to ``out`` atomically; the format follows the suffix unless given."""

    def make(f: RenderFormat) -> bytes:
        return render_bytes(m, f, scale=scale, lanes=lanes, theme=theme)

    return write_as(out, fmt, SUFFIXES, make, what="output")
