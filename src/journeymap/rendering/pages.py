"""The map on pages: A4, A3, US letter or 16:9 slides, each page readable.

A map is laid out once, at full size; :func:`paginate` then cuts its grid into pieces that fit
a page at :data:`PRINT_SCALE` or larger: the stages are split across pages (a stage too wide
for one page across its touchpoints), and the lanes too when they are taller than a page. Every
page repeats the lane titles on its left and the stage chevrons on its top, carries a line
saying what it shows and the legend at its foot; the first page is the map's header (title,
context, persona, the journey's KPIs). Pages are read stage group by stage group, top to
bottom within each.

Units: a page is in points (1/72 inch), as PDF wants; A4 is 842 x 595 landscape, a 16:9 slide
960 x 540 (13.33 x 7.5 inches, PowerPoint's widescreen), drawn as PNG at 2 pixels a point:
1920 x 1080. At :data:`PRINT_SCALE` the smallest text of the map (9.5 px) is 8 points on
paper and the body text (11.5 px) 9.8 points; on a 1920-pixel slide the body is 19.6 pixels.

Each page is an SVG document that holds the map's grid once and shows windows of it (nested
``<svg>`` elements with a ``viewBox``, which clip); PDF pages are joined into one file with
pypdf (imported only then).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from journeymap.errors import RenderError, UsageError
from journeymap.model.journey import JourneyMap
from journeymap.model.measurement import Measurement
from journeymap.rendering.blocks import ARROW
from journeymap.rendering.grid import MARGIN
from journeymap.rendering.header import header
from journeymap.rendering.layout import layout, legend_items
from journeymap.rendering.svg import grid_parts, header_parts, legend_parts, stage_parts
from journeymap.rendering.svgkit import MUTED, STAGE_FILL, document, el, text
from journeymap.rendering.theme import theme
from journeymap.rendering.view import LegendItem, MapView

__all__ = [
    "MAX_PAGES",
    "PAGES",
    "PRINT_SCALE",
    "Orientation",
    "PageName",
    "PagePlan",
    "page_name",
    "page_paths",
    "page_size",
    "page_svgs",
    "paginate",
    "pdf_pages",
    "render_pages",
]

PageName = Literal["fit", "a4", "a3", "letter", "16:9"]
PAGES: tuple[PageName, ...] = get_args(PageName)
Orientation = Literal["landscape", "portrait"]
#: sides in points, portrait (16:9 is always landscape)
_SIZES: dict[str, tuple[float, float]] = {
    "a4": (595.28, 841.89),
    "a3": (841.89, 1190.55),
    "letter": (612.0, 792.0),
    "16:9": (540.0, 960.0),
}
_ALIASES = {"16x9": "16:9", "slide": "16:9", "slides": "16:9", "us-letter": "letter"}
#: the smallest scale from map pixels to page points: the 9.5 px labels are 8 pt (rounded up
#: to the 4 decimals the pages are written with)
PRINT_SCALE = math.ceil(8.0 / 9.5 * 10_000) / 10_000
#: the largest scale: a piece of the map smaller than its page is drawn larger, up to this
_MOST_SCALE = 1.3
#: a map that needs more pages than this is refused
MAX_PAGES = 200
#: 20 points (7 mm): inside what every office printer prints
_PAGE_MARGIN = 20.0
#: the line at the top of a page that says what it shows
_TOP_LINE = 18.0
#: the gap between the grid and the legend
_ABOVE_LEGEND = 4.0


def page_name(name: str) -> PageName:
    """``"A4"`` -> ``"a4"``; a :class:`UsageError` naming the known sizes otherwise."""
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    for known in PAGES:
        if key == known:
            return known
    raise UsageError(f"unknown page size {name!r}; expected one of: {', '.join(PAGES)}")


def page_size(name: str, orientation: Orientation = "landscape") -> tuple[float, float]:
    """Width and height in points of a page size (not ``fit``)."""
    key = page_name(name)
    if key == "fit":
        raise UsageError("a 'fit' page is as big as the map; it has no size of its own")
    short, long = _SIZES[key]
    if key == "16:9" or orientation == "landscape":
        return long, short
    return short, long


@dataclass(frozen=True)
class PagePlan:
    """One page: the map's columns ``x0..x1`` and rows ``y0..y1`` (map pixels) it shows, or
    the map's header when ``cover``; the scale from map pixels to page points."""

    number: int
    scale: float
    cover: bool = False
    x0: float = 0.0
    x1: float = 0.0
    y0: float = 0.0
    y1: float = 0.0
    #: names of the stages it shows, first and last
    stages: tuple[str, ...] = ()


def _columns(view: MapView, room: float) -> list[tuple[float, float, tuple[str, ...]]]:
    """Stages grouped so that each group is at most ``room`` wide; a stage wider than that
    is cut between its touchpoints' columns (a single column wider still is cut anywhere)."""
    out: list[tuple[float, float, tuple[str, ...]]] = []
    start: float | None = None
    end = 0.0
    names: list[str] = []
    for stage in view.stages:
        right = stage.x + stage.w
        if start is not None and right - start <= room:
            end, names = right, [*names, stage.name]
            continue
        if start is not None:
            out.append((start, end, tuple(names)))
            start = None
        if stage.w <= room:
            start, end, names = stage.x, right, [stage.name]
            continue
        # one stage wider than a page: its sub-columns, as many as fit on each page
        x = stage.x
        for sub in stage.subcolumns:
            while sub.x + sub.w - x > room and sub.x > x:
                out.append((x, sub.x, (stage.name,)))
                x = sub.x
            while sub.x + sub.w - x > room:
                out.append((x, x + room, (stage.name,)))
                x += room
        if x < right:
            start, end, names = x, right, [stage.name]
    if start is not None:
        out.append((start, end, tuple(names)))
    return out


def _rows(view: MapView, room: float) -> list[tuple[float, float]]:
    """Lanes grouped so that each group is at most ``room`` tall (a taller lane is cut)."""
    out: list[tuple[float, float]] = []
    start: float | None = None
    end = 0.0
    for lane in view.lanes:
        if start is not None and lane.bottom - start <= room:
            end = lane.bottom
            continue
        if start is not None:
            out.append((start, end))
        y = lane.y
        while lane.bottom - y > room:
            out.append((y, y + room))
            y += room
        start, end = y, lane.bottom
    if start is not None:
        out.append((start, end))
    return out


@dataclass(frozen=True)
class _Frame:
    """What every page of a map shares: the strip of lane titles and the band of stages."""

    gutter_x0: float
    gutter_x1: float
    band_y0: float
    band_y1: float


def _frame(view: MapView) -> _Frame:
    band_top = min((s.header.rect.y for s in view.stages), default=view.grid.y)
    band_bottom = view.lanes[0].y if view.lanes else view.grid.bottom
    return _Frame(MARGIN - 2, MARGIN + view.gutter, band_top - 2, band_bottom)


def paginate(
    view: MapView, width: float, height: float, *, legend_h: float = 0.0
) -> list[PagePlan]:
    """The pages of a laid-out map on pages ``width`` x ``height`` points: a cover with the
    header, then the grid cut into pieces (see the module's docstring); ``legend_h`` is the
    height in map pixels of the legend at the foot of each page, at that page's width."""
    fr = _frame(view)
    usable_w = width - 2 * _PAGE_MARGIN
    usable_h = height - 2 * _PAGE_MARGIN - _TOP_LINE
    gutter_w = fr.gutter_x1 - fr.gutter_x0
    band_h = fr.band_y1 - fr.band_y0
    grid_w = sum(s.w for s in view.stages)
    lanes_h = view.lanes[-1].bottom - view.lanes[0].y if view.lanes else 0.0
    # as large as the whole map fits, else the print scale and the map cut into pieces
    whole = min(
        usable_w / (gutter_w + grid_w),
        (usable_h - _ABOVE_LEGEND) / (band_h + lanes_h + legend_h),
    )
    scale = max(PRINT_SCALE, min(_MOST_SCALE, whole))
    room_w = usable_w / scale - gutter_w
    room_h = usable_h / scale - band_h - legend_h - _ABOVE_LEGEND / scale
    if room_w < 60 or room_h < 60:
        raise RenderError(
            f"a page of {width:.0f} x {height:.0f} points is too small to show the map readably"
        )
    cols = _columns(view, room_w)
    rows = _rows(view, room_h)
    n = 1 + len(cols) * max(len(rows), 1)
    if n > MAX_PAGES:
        raise RenderError(
            f"the map needs {n} pages, more than the {MAX_PAGES} drawn at most; draw fewer "
            "lanes (--lanes), or write it as SVG or HTML (no size limit)"
        )
    plans = [PagePlan(1, scale, cover=True)]
    for x0, x1, names in cols:
        for y0, y1 in rows or [(fr.band_y1, fr.band_y1)]:
            # a piece smaller than the page is drawn larger, up to _MOST_SCALE
            fit_w = usable_w / (gutter_w + x1 - x0)
            fit_h = (usable_h - legend_h * scale - _ABOVE_LEGEND) / (band_h + y1 - y0)
            grown = max(scale, min(_MOST_SCALE, fit_w, fit_h))
            plans.append(PagePlan(len(plans) + 1, grown, False, x0, x1, y0, y1, names))
    return plans


_COORD = re.compile(r'\s(x|y|x1|y1|x2|y2|cx|cy|width|height)="(-?[\d.]+)"')
_POINTS = re.compile(r'\spoints="([^"]+)"')
_MOVED = re.compile(r'<g transform="translate\((-?[\d.]+)[ ,](-?[\d.]+)\)')
_MOVE = re.compile(r'\sd="M\s*(-?[\d.]+)[ ,](-?[\d.]+)')
#: how far a drawn thing may reach beyond the coordinates written in it (a line of text
#: from its anchor, the rest of a path from its start), in map pixels
_REACH_X, _REACH_Y = 360.0, 40.0

_Bounds = tuple[float, float, float, float]


def _bounds(part: str) -> _Bounds | None:
    """A box around a drawn thing (one or a few SVG elements), from the coordinates written
    in it and :data:`_REACH_X`/:data:`_REACH_Y` around them; None when it has none."""
    moved = _MOVED.match(part)
    if moved is not None:  # a group drawn in its own coordinates (an icon): where it is put
        x, y = float(moved.group(1)), float(moved.group(2))
        return x - _REACH_X, y - _REACH_Y, x + _REACH_X, y + _REACH_Y
    xs: list[float] = []
    ys: list[float] = []
    found: dict[str, float] = {}
    for name, value in _COORD.findall(part):
        v = float(value)
        if name in ("width", "height"):
            found[name] = v
            continue
        (xs if name.startswith(("x", "cx")) else ys).append(v)
    if xs and "width" in found:
        xs.append(min(xs) + found["width"])
    if ys and "height" in found:
        ys.append(min(ys) + found["height"])
    for pts in _POINTS.findall(part):
        nums = [float(n) for n in re.split(r"[ ,]+", pts.strip()) if n]
        xs += nums[0::2]
        ys += nums[1::2]
    for x, y in _MOVE.findall(part):
        xs.append(float(x))
        ys.append(float(y))
    if not xs or not ys:
        return None
    return min(xs) - _REACH_X, min(ys) - _REACH_Y, max(xs) + _REACH_X, max(ys) + _REACH_Y


def _window(
    x: float,
    y: float,
    area: _Bounds,
    parts: Sequence[tuple[str, _Bounds | None]],
) -> list[str]:
    """A window at ``(x, y)`` onto the map's ``area`` (x0, y0, x1, y1), clipped to it, with
    the drawn things that may reach into it (drawing the whole map behind every window
    would make a page as slow to draw as the whole map)."""
    x0, y0, x1, y1 = area
    inside = [
        part
        for part, b in parts
        if b is None or (b[0] < x1 and x0 < b[2] and b[1] < y1 and y0 < b[3])
    ]
    return [
        f'<svg x="{x:.2f}" y="{y:.2f}" width="{x1 - x0:.2f}" height="{y1 - y0:.2f}" '
        f'viewBox="{x0:.2f} {y0:.2f} {x1 - x0:.2f} {y1 - y0:.2f}">',
        *inside,
        "</svg>",
    ]


def _top_line(title: str, what: str, number: int, total: int, width: float) -> list[str]:
    from journeymap.rendering.text import text_width, truncate

    y = _PAGE_MARGIN + 11
    right = f"{what} \u00b7 page {number} of {total}"
    # the title gives way to what the page shows: shortened, it never runs into it
    room = width - 2 * _PAGE_MARGIN - text_width(right, 9.0) - 16
    if text_width(title, 12.0, bold=True) > room:
        title = truncate(title, max(room, 0.0), 12.0, bold=True)
    return [
        text(title, _PAGE_MARGIN, y, 12.0, bold=True),
        text(
            right,
            width - _PAGE_MARGIN,
            y,
            9.0,
            anchor="end",
            fill=MUTED,
        ),
        el("line", x1=_PAGE_MARGIN, y1=y + 5, x2=width - _PAGE_MARGIN, y2=y + 5, stroke="#d5dce5"),
    ]


def page_svgs(
    m: JourneyMap,
    *,
    page: str,
    orientation: Orientation = "landscape",
    lanes: Sequence[str] | None = None,
    theme_name: str = "light",
    measurement: Measurement | None = None,
) -> list[str]:
    """The map on pages of size ``page`` (see :data:`PAGES`; ``fit`` is one page as big as
    the map), one SVG document per page, in page points."""
    th = theme(theme_name)
    view = layout(m, measurement=measurement, lanes=lanes)
    if page_name(page) == "fit":
        from journeymap.rendering.svg import draw_svg

        return [draw_svg(view, theme_name=theme_name)]
    width, height = page_size(page, orientation)
    # the legend at the foot of each page, laid out at the page's width (in map pixels)
    probe = PRINT_SCALE
    legend, legend_bottom = _page_legend(m, view, (width - 2 * _PAGE_MARGIN) / probe)
    legend_h = legend_bottom - MARGIN
    plans = paginate(view, width, height, legend_h=legend_h)
    # the scale of the cover and of the legend; pieces of the grid may be drawn larger
    scale = plans[0].scale
    if scale != probe:
        legend, legend_bottom = _page_legend(m, view, (width - 2 * _PAGE_MARGIN) / scale)
        legend_h = legend_bottom - MARGIN
    fr = _frame(view)
    grid = [(part, _bounds(part)) for part in grid_parts(view, th)]
    out: list[str] = []
    for plan in plans:
        body: list[str] = [el("rect", x=0.0, y=0.0, width=width, height=height, fill="#ffffff")]
        top = _PAGE_MARGIN + _TOP_LINE
        if plan.cover:
            what = "the map's header"
            body += _top_line(m.name, what, plan.number, len(plans), width)
            inner = (width - 2 * _PAGE_MARGIN) / scale
            head, head_bottom = header(m, inner + 2 * MARGIN, measurement)
            body.append(
                f'<g transform="translate({_PAGE_MARGIN - MARGIN * scale:.2f} '
                f'{top - MARGIN * scale:.2f}) scale({scale:.4f})">'
            )
            body += header_parts(head, th)
            body.append("</g>")
            body += _contents(plans, top + (head_bottom - MARGIN + 24) * scale, height)
        else:
            names = plan.stages
            what = names[0] if len(names) == 1 else f"{names[0]} \u2013 {names[-1]}"
            body += _top_line(m.name, f"Stages: {what}", plan.number, len(plans), width)
            gw = fr.gutter_x1 - fr.gutter_x0
            bh = fr.band_y1 - fr.band_y0
            lh = plan.y1 - plan.y0
            body.append(
                f'<g transform="translate({_PAGE_MARGIN:.2f} {top:.2f}) scale({plan.scale:.4f})">'
            )
            # the page's own stages: the first and last drawn flat at the page's edges
            ids = {st.stage_id for st in view.stages if st.x < plan.x1 and plan.x0 < st.x + st.w}
            chevrons = [(part, None) for part in stage_parts(view, ids)]
            chevrons += [(part, None) for part in _continued(view, plan)]
            band = (plan.x0, fr.band_y0, plan.x1, fr.band_y1)
            body += _window(gw, 0.0, band, chevrons)
            if lh > 0:
                titles = (fr.gutter_x0, plan.y0, fr.gutter_x1, plan.y1)
                body += _window(0.0, bh, titles, grid)
                body += _window(gw, bh, (plan.x0, plan.y0, plan.x1, plan.y1), grid)
            body.append("</g>")
        legend_top = height - _PAGE_MARGIN - legend_h * scale
        body.append(
            f'<g transform="translate({_PAGE_MARGIN - MARGIN * scale:.2f} '
            f'{legend_top - MARGIN * scale:.2f}) scale({scale:.4f})">'
        )
        body += legend_parts(legend, th)
        body.append("</g>")
        title = f"{m.name} \u2013 page {plan.number} of {len(plans)}"
        out.append(th.recolor(document(width, height, title, body, aria_label=False)))
    return out


def _continued(view: MapView, plan: PagePlan) -> list[str]:
    """The name of a stage cut across pages, "Purchase (cont.)", in its chevron on the pages
    after its first (its own name is drawn at its start, on that page only)."""
    for stage in view.stages:
        if stage.x < plan.x0 < stage.x + stage.w and stage.header.lines:
            first = stage.header.lines[0]
            r = stage.header.rect
            # over the chevron's own (clipped) text: a patch of the chevron's colour
            return [
                el("rect", x=plan.x0 + 2, y=r.y + 6, width=min(stage.x + stage.w, plan.x1)
                   - plan.x0 - ARROW - 8, height=r.h - 12, fill=STAGE_FILL),
                text(f"{stage.name} (cont.)", plan.x0 + ARROW + 4, first.y, first.size,
                     bold=first.bold, fill="#ffffff"),
            ]  # fmt: skip
    return []


def _contents(plans: Sequence[PagePlan], y: float, height: float) -> list[str]:
    """The cover's list of which pages show which stages, while it fits above the legend."""
    groups: dict[tuple[str, ...], list[int]] = {}
    for plan in plans[1:]:
        groups.setdefault(plan.stages, []).append(plan.number)
    out = [text("Pages", _PAGE_MARGIN, y + 11, 10.0, bold=True, fill=MUTED)]
    y += 11
    for names, numbers in groups.items():
        y += 15
        if y > height - 120:
            break
        span = f"{numbers[0]}" if len(numbers) == 1 else f"{numbers[0]}\u2013{numbers[-1]}"
        what = names[0] if len(names) == 1 else f"{names[0]} \u2013 {names[-1]}"
        out.append(text(span, _PAGE_MARGIN, y, 10.0, fill=MUTED))
        out.append(text(what, _PAGE_MARGIN + 40, y, 10.0))
    return out


def _page_legend(
    m: JourneyMap, view: MapView, width: float
) -> tuple[tuple[LegendItem, ...], float]:
    """The legend laid out ``width`` map pixels wide, from the map's top margin."""
    items, bottom = legend_items(
        m.scale, width + 2 * MARGIN, MARGIN, curve=view.emotion is not None,
        measured=view.emotion is not None and view.emotion.measured,
        friction=any(mk.flagged for mk in view.frictions),
    )  # fmt: skip
    return items, bottom


def pdf_pages(svgs: Sequence[str]) -> bytes:
    """SVG pages joined into one PDF (each drawn by vl-convert, joined by pypdf)."""
    import io

    from journeymap.rendering.raster import svg_to_pdf

    try:
        from pypdf import PdfWriter
    except ImportError:  # pragma: no cover - a declared dependency
        raise RenderError("a PDF of several pages needs pypdf; run: pip install pypdf") from None
    parts = [svg_to_pdf(svg) for svg in svgs]
    if len(parts) == 1:
        return parts[0]
    writer = PdfWriter()
    for part in parts:
        writer.append(io.BytesIO(part))
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def render_pages(
    m: JourneyMap,
    out: str | Path,
    *,
    page: str,
    orientation: Orientation = "landscape",
    lanes: Sequence[str] | None = None,
    theme_name: str = "light",
    scale: float | None = None,
) -> list[Path]:
    """Write the map on pages (see :func:`page_svgs`): a PDF is one file of all pages; PNG
    and SVG are one file per page, named after ``out`` with the page's number
    (``deck.png`` -> ``deck-1.png``, ``deck-2.png``, ... :func:`page_paths`), or ``out``
    itself when there is one page. PNG pages are drawn at ``scale`` pixels a point (2 by
    default: a 16:9 slide is 1920 x 1080). Returns the files written."""
    from journeymap._atomic import atomic_write_bytes

    path = Path(out)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("pdf", "png", "svg"):
        raise UsageError(
            f"pages are drawn as .pdf, .png or .svg, not {path.suffix or 'no suffix'!r} ({path})"
        )
    svgs = page_svgs(m, page=page, orientation=orientation, lanes=lanes, theme_name=theme_name)
    if fmt == "pdf":
        atomic_write_bytes(path, pdf_pages(svgs))
        return [path]
    paths = [path] if len(svgs) == 1 else page_paths(path, len(svgs))
    for target, svg in zip(paths, svgs, strict=True):
        if fmt == "svg":
            data = svg.encode("utf-8")
        else:
            from journeymap.rendering.raster import svg_to_png

            data = svg_to_png(svg, scale=scale)
        atomic_write_bytes(target, data)
    return paths


def page_paths(out: Path, n: int) -> list[Path]:
    """``deck.png`` and 3 pages -> ``deck-1.png``, ``deck-2.png``, ``deck-3.png``; numbers are
    padded with zeros to sort in order (12 pages: ``deck-01.png`` ... ``deck-12.png``)."""
    digits = len(str(n))
    return [out.with_name(f"{out.stem}-{k:0{digits}d}{out.suffix}") for k in range(1, n + 1)]
