"""A map as one self-contained HTML file: the visual inline, then the map's tables.

The file works offline and loads nothing: no CDN, no web fonts, no scripts, no images; its CSS
is inline and prints well (landscape pages, tables starting on a page of their own, header rows
repeated on every page). Text is escaped by Jinja2's autoescaping; the inline SVG is escaped by
the SVG drawing itself.
"""

from __future__ import annotations

import math
from importlib import resources
from typing import TYPE_CHECKING

from journeymap.model.journey import JourneyMap
from journeymap.rendering.layout import layout
from journeymap.rendering.svg import draw_svg
from journeymap.rendering.text import FONT_FAMILY

if TYPE_CHECKING:
    from jinja2 import Template

__all__ = ["to_html"]

_TEMPLATE = "report.html.j2"
_SVG_NS = ' xmlns="http://www.w3.org/2000/svg"'


def _template() -> Template:
    from jinja2 import Environment

    text = (
        resources.files("journeymap.rendering").joinpath("templates", _TEMPLATE).read_text("utf-8")
    )
    env = Environment(autoescape=True, keep_trailing_newline=True, trim_blocks=True)
    return env.from_string(text)


def to_html(m: JourneyMap, *, width: int | None = None) -> str:
    """The map as a standalone HTML document (UTF-8 text)."""
    from markupsafe import Markup

    from journeymap.rendering.tables import map_tables

    view = layout(m, width=width)
    # inline SVG in HTML needs no namespace; leaving it out keeps the file free of any URL
    svg = draw_svg(view).replace(_SVG_NS, "", 1)
    return _template().render(
        title=m.name,
        svg=Markup(svg),
        tables=map_tables(m),
        font_family=Markup(FONT_FAMILY),
        # on screen: fit the window, but never shrink text below ~70% nor blow it up
        min_width=math.floor(view.width * 0.7),
        max_width=math.ceil(view.width * 1.25),
    )
