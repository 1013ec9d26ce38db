"""A map as one self-contained HTML file: the visual inline, then the map's tables.

The file works offline and loads nothing: no CDN, no font fetched (the fonts the layout
measured are embedded, cut to the characters drawn), no images; its CSS and its one
small script are inline, and it prints well (landscape pages, tables starting on a page of their
own, header rows repeated on every page). Text is escaped by Jinja2's autoescaping; the inline
SVG is escaped by the SVG drawing itself.

The map opens at a readable scale, :data:`OPEN_ZOOM` (body text of 11.5 px is 12.65 px on the
screen, whatever the window's width), in a pane that pans (drag, scroll bars, arrow keys) and
zooms (the buttons, Ctrl + wheel, ``+``/``-``/``0``); "Fit" shows the whole map. Without
script the pane still scrolls at the readable scale (:func:`map_viewer`).

:func:`template`, :func:`inline_svg` and :func:`map_viewer` serve every HTML page of the
package: this one and the measurement report (:mod:`~journeymap.rendering.report`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from importlib import resources
from typing import TYPE_CHECKING

from journeymap.model.journey import JourneyMap
from journeymap.rendering.layout import layout
from journeymap.rendering.limits import svg_size
from journeymap.rendering.svg import draw_svg
from journeymap.rendering.svgkit import XMLNS, num
from journeymap.rendering.text import FONT_FAMILY

if TYPE_CHECKING:
    from jinja2 import Template
    from markupsafe import Markup

__all__ = [
    "OPEN_ZOOM",
    "VIEWER_CSS",
    "inline_svg",
    "map_viewer",
    "template",
    "themed_page",
    "to_html",
]

#: the zoom the map opens at: body text (11.5 px) is 12.65 px on the screen
OPEN_ZOOM = 1.1

#: the viewer's CSS, for the page's ``<style>``
VIEWER_CSS = """
  .jm-viewer { margin: 0 0 12px; }
  .jm-tools { display: flex; gap: 6px; align-items: center; margin: 0 0 8px; font-size: 13px; }
  .jm-tools button { font: inherit; padding: 3px 10px; border: 1px solid #c3ccd8;
                     border-radius: 6px; background: #ffffff; color: #1f2933; cursor: pointer; }
  .jm-tools button:hover { background: #eef2f6; }
  .jm-tools output { min-width: 3.5em; text-align: center; color: #5b6777; }
  .jm-tools .jm-hint { color: #5b6777; margin-left: 8px; }
  .jm-pane { overflow: auto; max-height: 82vh; border: 1px solid #d5dce5; border-radius: 8px;
             cursor: grab; touch-action: pan-x pan-y; }
  .jm-pane:focus-visible { outline: 2px solid #1f5fa6; outline-offset: 2px; }
  .jm-pane.jm-dragging { cursor: grabbing; user-select: none; }
  .jm-pane svg { display: block; height: auto; max-width: none; }
  @media print {
    .jm-tools { display: none; }
    .jm-pane { overflow: visible; max-height: none; border: 0; }
    .jm-pane svg { width: 100% !important; }
  }
"""

_VIEWER_JS = """
(function () {
  document.querySelectorAll(".jm-viewer").forEach(function (v) {
    var pane = v.querySelector(".jm-pane"), svg = pane.querySelector("svg");
    var level = v.querySelector("output"), W = +v.dataset.width, start = +v.dataset.zoom;
    var z = start;
    function set(nz, cx, cy) {
      nz = Math.max(0.1, Math.min(4, nz));
      if (cx === undefined) { cx = pane.clientWidth / 2; cy = pane.clientHeight / 2; }
      var px = (pane.scrollLeft + cx) / z, py = (pane.scrollTop + cy) / z;
      z = nz;
      svg.style.width = (W * z).toFixed(1) + "px";
      pane.scrollLeft = px * z - cx;
      pane.scrollTop = py * z - cy;
      level.textContent = Math.round(z * 100) + "%";
    }
    v.querySelectorAll("button[data-zoom]").forEach(function (b) {
      b.addEventListener("click", function () {
        var k = b.dataset.zoom;
        if (k === "in") set(z * 1.25);
        else if (k === "out") set(z / 1.25);
        else if (k === "fit") set(Math.min(1, (pane.clientWidth - 2) / W));
        else set(start);
      });
    });
    pane.addEventListener("wheel", function (e) {
      if (!(e.ctrlKey || e.metaKey)) return;
      e.preventDefault();
      var r = pane.getBoundingClientRect();
      set(z * Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
    }, { passive: false });
    var drag = null;
    pane.addEventListener("pointerdown", function (e) {
      if (e.button !== 0 || e.pointerType !== "mouse") return;
      drag = { x: e.clientX, y: e.clientY, l: pane.scrollLeft, t: pane.scrollTop };
      pane.classList.add("jm-dragging");
    });
    window.addEventListener("pointermove", function (e) {
      if (!drag) return;
      pane.scrollLeft = drag.l - (e.clientX - drag.x);
      pane.scrollTop = drag.t - (e.clientY - drag.y);
    });
    window.addEventListener("pointerup", function () {
      drag = null;
      pane.classList.remove("jm-dragging");
    });
    pane.addEventListener("keydown", function (e) {
      if (e.key === "+" || e.key === "=") set(z * 1.25);
      else if (e.key === "-") set(z / 1.25);
      else if (e.key === "0") set(start);
      else return;
      e.preventDefault();
    });
  });
})();
"""


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


def map_viewer(svg: str, *, zoom: float = OPEN_ZOOM) -> Markup:
    """The map's SVG in a pane that pans and zooms, opening at ``zoom`` (see the module's
    docstring); the page needs :data:`VIEWER_CSS` in its style."""
    from markupsafe import Markup, escape

    size = svg_size(svg)
    width, height = size if size is not None else (1280.0, 800.0)
    shown = math.ceil(width * zoom)
    # the SVG's own width and height give way to the zoom (the height follows the width)
    body = str(inline_svg(svg)).replace(
        f'width="{num(width)}" height="{num(height)}"', f'style="width: {shown}px"', 1
    )
    return Markup(
        f'<div class="jm-viewer" data-width="{num(width)}" data-zoom="{zoom}">'
        '<div class="jm-tools" role="toolbar" aria-label="Zoom the map">'
        '<button type="button" data-zoom="out" aria-label="Zoom out">\u2212</button>'
        f'<output aria-live="polite">{round(zoom * 100)}%</output>'
        '<button type="button" data-zoom="in" aria-label="Zoom in">+</button>'
        '<button type="button" data-zoom="fit">Fit</button>'
        '<button type="button" data-zoom="reset">Readable size</button>'
        '<span class="jm-hint">Drag to move; Ctrl + wheel to zoom</span></div>'
        f'<div class="jm-pane" tabindex="0" role="region" aria-label="{escape("Journey map")}">'
        f"{body}</div></div>\n<script>{_VIEWER_JS}</script>"
    )


def to_html(
    m: JourneyMap,
    *,
    width: int | None = None,
    lanes: Sequence[str] | None = None,
    theme: str = "light",
) -> str:
    """The map as a standalone HTML document (UTF-8 text), its visual in a pan-and-zoom
    viewer opening at a readable scale; ``lanes`` and ``theme`` as for
    :func:`~journeymap.rendering.svg.to_svg`."""
    from markupsafe import Markup

    from journeymap.rendering.fonts import font_face_css
    from journeymap.rendering.tables import map_tables

    view = layout(m, width=width, lanes=lanes)
    svg = draw_svg(view, theme_name=theme)
    page = template("report.html.j2").render(
        title=m.name,
        # the fonts the layout measured, embedded: a browser without them draws wider text
        font_faces=Markup(font_face_css(svg, text=m.model_dump_json())),
        viewer=map_viewer(svg),
        viewer_css=Markup(VIEWER_CSS),
        tables=map_tables(m),
        font_family=Markup(FONT_FAMILY),
    )
    return themed_page(page, theme)


_STYLE = re.compile(r"<style>.*?</style>", re.S)
_CSS_HEX = re.compile(r"#[0-9a-fA-F]{6}\b")


def themed_page(page: str, theme_name: str) -> str:
    """An HTML page whose ``<style>`` colours (background, text, lines, table heads, the
    viewer's buttons) follow the theme of its picture: the theme's rule for structural colours
    (dark: lightness turned over; print: grey), so a dark map sits on a dark page. The light
    theme leaves the page as it is."""
    from journeymap.rendering.theme import theme

    rule = theme(theme_name).other
    if rule is None:
        return page
    scheme = "dark" if theme_name == "dark" else "light"

    def swap(style: re.Match[str]) -> str:
        css = _CSS_HEX.sub(lambda c: rule(c.group(0).lower()), style.group(0))
        return css.replace("<style>", f"<style>\n  :root {{ color-scheme: {scheme}; }}", 1)

    return _STYLE.sub(swap, page)
