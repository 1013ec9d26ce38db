"""A map as one self-contained HTML file: the visual inline, then the map's tables.

The file works offline and loads nothing: no CDN, no web fonts, no scripts, no images; its CSS
is inline and prints well (landscape pages, tables starting on a page of their own, header rows
repeated on every page). Text is escaped by Jinja2's autoescaping; the inline SVG is escaped by
the SVG drawing itself.

:func:`template` and :func:`inline_svg` serve every HTML page of the package: this one and the
measurement report (:mod:`~journeymap.rendering.report`).
"""

from __future__ import annotations

import math
from importlib import resources
from typing import TYPE_CHECKING

from journeymap.model.journey import JourneyMap
from journeymap.rendering.layout import layout
from journeymap.rendering.svg import draw_svg
from journeymap.rendering.svgkit import XMLNS
from journeymap.rendering.text import FONT_FAMILY

if TYPE_CHECKING:
    from jinja2 import Template
    from markupsafe import Markup

__all__ = ["inline_svg", "template", "to_html"]


def template(name: str) -> Template:
    """The Jinja2 template ``name`` of ``rendering/templates``, autoescaping."""
    from jinja2 import Environment

    text = resources.files("journeymap.rendering").joinpath("templates", name).read_text("utf-8")
    env = Environment(autoescape=True, keep_trailing_newline=True, trim_blocks=True)
    return env.from_string(text)


def inline_svg(svg: str) -> Markup:
    """An SVG document as inline HTML: inline SVG needs no namespace, and leaving it out keeps
    the file free of any URL."""
    from markupsafe import Markup

    return Markup(svg.replace(f' xmlns="{XMLNS}"', "", 1))


def to_html(m: JourneyMap, *, width: int | None = None) -> str:
    """The map as a standalone HTML document (UTF-8 text)."""
    from markupsafe import Markup

    from journeymap.rendering.tables import map_tables

    view = layout(m, width=width)
    return template("report.html.j2").render(
        title=m.name,
        svg=inline_svg(draw_svg(view)),
        tables=map_tables(m),
        font_family=Markup(FONT_FAMILY),
        # on screen: fit the window, but never shrink text below ~70% nor blow it up
        min_width=math.floor(view.width * 0.7),
        max_width=math.ceil(view.width * 1.25),
    )
