"""A map as a 16:9 PowerPoint deck: an overview slide with the map's picture, then a slide per
stage with the stage's own part of the map's picture on the left (its chevron, the lane titles
and its columns of every lane, cut from the laid-out map as :mod:`~journeymap.rendering.pages`
cuts pages) and its touchpoints, emotions, pain points and action items as native, editable
text on the right. With a measurement (``journeymap measure map.yaml ... -o deck.pptx``) the
pictures are the measured map's and the "Actual" column holds the measured emotions with the
number of answers behind them.

Needs python-pptx (``pip install 'journeymap[slides]'``), imported only when a deck is asked
for. Nothing overflows: every text is wrapped with the metrics of the fonts that draw it
(:mod:`~journeymap.rendering.text`), rows and items that do not fit go to a continuation slide
("Checkout (2/2)"), and a single text longer than a whole slide is cut with an ellipsis. Runs of
text that the Latin font lacks (CJK, Arabic, Hebrew, emoji) are given the font they were
measured with, and right-to-left paragraphs are set right to left.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from journeymap._numbers import count, percent
from journeymap.errors import RenderError
from journeymap.model.emotion import format_level
from journeymap.model.journey import JourneyMap
from journeymap.model.measurement import Measurement
from journeymap.model.touchpoint import Stage
from journeymap.rendering.fonts import line_factor, runs
from journeymap.rendering.tables import _Names
from journeymap.rendering.text import wrap

if TYPE_CHECKING:
    from pptx.slide import Slide

    from journeymap.rendering.view import MapView

__all__ = [
    "BODY_PT",
    "LINE",
    "SLIDE_H",
    "SLIDE_W",
    "StagePage",
    "stage_pages",
    "stage_svg",
    "to_pptx",
]

#: the slide, 16:9, in points (13.333 x 7.5 inches)
SLIDE_W = 960.0
SLIDE_H = 540.0
MARGIN = 36.0
TITLE_PT = 28.0
SUB_PT = 16.0
BODY_PT = 14.0
#: the sizes a stage's text is set in, the largest at which it all fits one slide (a stage
#: with little to say is not a small table in a corner); then BODY_PT on more slides
BODY_SIZES = (20.0, 18.0, 16.0, BODY_PT)
#: line spacing, as a multiple of single spacing (the fonts' own line height: 1.15 of the size
#: for Liberation Sans/Arial, 1.45 for Noto Sans CJK, 2.1 for Noto Sans Arabic)
LINE = 1.0
#: inner margins of a text box and of a table cell
PAD_X = 7.2
PAD_Y = 3.6
HEAD_Y = 24.0  # where the title starts
TOP = 100.0  # where the body starts at the highest, below the title and the goal
LATIN_FONT = "Arial"  # metric-compatible with Liberation Sans, which measured it
COLUMNS = (("Touchpoint", 0.36), ("Channel", 0.16), ("Expected", 0.22), ("Actual", 0.26))
#: the box of the stage's picture, left of the text (the picture keeps its proportions)
PICTURE_W = 330.0
PICTURE_GAP = 18.0
#: the text column, right of the picture: the table, then the items under it
TEXT_X = MARGIN + PICTURE_W + PICTURE_GAP
TABLE_W = SLIDE_W - TEXT_X - MARGIN
ITEM_GAP = 6.0  # between the items under the table
BELOW_GAP = 14.0  # between the table and the items under it
#: PNG pixels a slide point: a 16:9 slide is 1920 x 1080 pixels
PNG_PER_PT = 2.0
INK = (0x1F, 0x29, 0x33)
MUTED = (0x5B, 0x67, 0x77)


def _pptx() -> Any:
    try:
        import pptx
    except ImportError:
        raise RenderError(
            "PowerPoint output needs python-pptx; run: pip install 'journeymap[slides]'"
        ) from None
    return pptx


def lines_of(text: str, width: float, size: float, *, bold: bool = False) -> list[str]:
    """``text`` wrapped in a box ``width`` points wide (inner margins taken off)."""
    return wrap(text, width - 2 * PAD_X, size, bold=bold)


def text_height(text: str, width: float, size: float, *, bold: bool = False) -> float:
    """Height of a box ``width`` points wide holding ``text`` at ``size`` points: each
    paragraph's wrapped lines at the single line height of the fonts that draw it, and the
    inner margins."""
    return 2 * PAD_Y + sum(
        len(lines_of(para, width, size, bold=bold)) * size * line_factor(para, bold) * LINE
        for para in text.split("\n")
    )


@dataclass
class StagePage:
    """What one stage slide holds: its rows of touchpoints (cells of text) and the items
    under them (stage emotion, pain points then action items, each ``(heading, text)``)."""

    stage: Stage
    number: int
    top: float  # where the body starts
    part: int = 1
    parts: int = 1
    #: where the text column starts and how wide it is, right of the stage's picture
    x: float = TEXT_X
    width: float = TABLE_W
    size: float = BODY_PT
    #: the picture's size on the slide
    picture: tuple[float, float] = (0.0, 0.0)
    rows: list[list[str]] = field(default_factory=list)
    items: list[tuple[str, str]] = field(default_factory=list)

    @property
    def title(self) -> str:
        more = f" ({self.part}/{self.parts})" if self.parts > 1 else ""
        return f"{self.number}. {self.stage.name}{more}"


def _row_height(
    cells: Sequence[str], width: float = TABLE_W, size: float = BODY_PT, bold: bool = False
) -> float:
    return max(
        text_height(c, width * share, size, bold=bold)
        for c, (_, share) in zip(cells, COLUMNS, strict=True)
    )


def _item_text(item: tuple[str, str]) -> str:
    head, text = item
    return f"{head}\n{text}" if head else text


def _item_height(item: tuple[str, str], width: float = TABLE_W, size: float = BODY_PT) -> float:
    head, text = item
    h = text_height(text, width, size)
    if head:  # the heading, bold, is a paragraph of the same box
        h += text_height(head, width, size, bold=True) - 2 * PAD_Y
    return h + ITEM_GAP


def _fit(text: str, width: float, size: float, max_h: float, *, bold: bool = False) -> str:
    """``text`` cut with an ellipsis so that it wraps into no more than ``max_h`` points."""
    if text_height(text, width, size, bold=bold) <= max_h:
        return text  # as written: the deck wraps it, and it stays editable
    n = max(1, int((max_h - 2 * PAD_Y) // (size * line_factor(text, bold) * LINE)))
    return "\n".join(wrap(text, width - 2 * PAD_X, size, bold=bold, max_lines=n))


def _measured(names: _Names, t: Any) -> str:
    """A touchpoint's measured emotion in words, with the answers behind it: "Frustrated
    (n=42, gap -2)"; "no feedback" where customers said nothing."""
    if t is None or t.emotion is None or t.evidence == "none":
        return "no feedback"
    level = t.level or format_level(round(t.emotion))
    thin = ", few answers" if t.evidence == "thin" else ""
    gap = f", gap {format_level(round(t.gap))}" if t.gap is not None and round(t.gap) else ""
    return f"{names.emotion(level) or level} (n={t.n:,}{thin}{gap})"


def _stage_content(
    m: JourneyMap, stage: Stage, measurement: Measurement | None = None
) -> tuple[list[list[str]], list[tuple[str, str]]]:
    names = _Names(m)
    measured = {t.touchpoint: t for t in measurement.touchpoints} if measurement else {}
    rows = []
    for tp in stage.touchpoints:
        actual = tp.actual_emotion
        gap = m.gap(tp)
        act = names.emotion(actual.emotion if actual else None) or ""
        if gap:
            act = f"{act} (gap {format_level(gap)})"
        if measurement is not None:
            act = _measured(names, measured.get(tp.id))
        channel = tp.notes.get("Channel", tp.channel) if tp.channel == "other" else tp.channel
        rows.append([tp.name, channel or "", names.emotion(tp.expected_emotion) or "", act])
    items: list[tuple[str, str]] = []
    for p in m.pain_points:
        if m.stage_id_of(p) == stage.id:
            # a default severity is nobody's judgement: shown only when written down
            sev = f" ({p.severity} severity)" if "severity" in p.model_fields_set else ""
            where = f" at {names.touchpoint(p.touchpoint)}" if p.touchpoint else ""
            items.append(("Pain point" + sev + where, p.name))
    for o in m.opportunities:
        if m.stage_id_of(o) == stage.id:
            out = f" \u2192 {o.expected_outcome}" if o.expected_outcome else ""
            items.append(("Action item", o.name + out))
    if stage.emotion is not None or stage.observed_behavior:
        text = " \u2014 ".join(
            t for t in (names.emotion(stage.emotion), stage.observed_behavior) if t
        )
        items.insert(0, ("Stage emotion", text))
    sm = next((x for x in measurement.stages if x.stage == stage.id), None) if measurement else None
    if sm is not None and sm.customers:
        said = [f"{count(sm.customers)} customers reach it ({percent(sm.reach_share)})"]
        if sm.conversion_to_next is not None:
            said.append(f"{percent(sm.conversion_to_next)} go on")
        if sm.dropoff_customers:
            said.append(f"{count(sm.dropoff_customers)} end their journey here")
        items.insert(0, ("Measured", "; ".join(said)))
    return rows, items


def stage_pages(
    m: JourneyMap,
    measurement: Measurement | None = None,
    sizes: Mapping[str, tuple[float, float]] | None = None,
) -> list[StagePage]:
    """The stage slides of the deck: each stage's rows and items cut into pages that fit the
    text column (the table, then the items under it; what does not fit goes on a
    continuation slide). ``sizes`` are the sizes of the stages' pictures (any unit, by stage
    id): a picture is as large as fits :data:`PICTURE_W` by the body's height, and the text
    column takes the rest of the slide's width."""
    pages: list[StagePage] = []
    for number, stage in enumerate(m.stages, start=1):
        # the widest title it may get: with "(9/9)" after it
        top = _body_top(f"{number}. {stage.name} (9/9)", _goal(stage))
        avail = SLIDE_H - top - MARGIN
        pw, ph = (sizes or {}).get(stage.id, (PICTURE_W, avail))
        k = min(PICTURE_W / pw, avail / ph)
        picture = (pw * k, ph * k)
        x = MARGIN + picture[0] + PICTURE_GAP
        first = StagePage(stage, number, top, x=x, width=SLIDE_W - x - MARGIN, picture=picture)
        rows, items = _stage_content(m, stage, measurement)
        for size in BODY_SIZES:
            first.size = size
            mine, whole = _cut(first, rows, items, avail)
            if len(mine) == 1 and whole:  # on one slide, and no text cut short
                break
        for i, page in enumerate(mine, start=1):
            page.part, page.parts = i, len(mine)
        pages.extend(mine)
    return pages


def _cut(
    first: StagePage, rows: list[list[str]], items: list[tuple[str, str]], avail: float
) -> tuple[list[StagePage], bool]:
    """A stage's rows and items on as many slides like ``first`` as they need, ``avail``
    points high: the table, then the items under it, while they fit; and whether every text
    is whole (none was cut to fit a slide)."""
    width, size = first.width, first.size
    before_rows, before_items = rows, items
    header_h = _row_height([h for h, _ in COLUMNS], width, size, bold=True)
    rows = [[_fit(c, width * s, size, avail - header_h) for c, (_, s) in
             zip(r, COLUMNS, strict=True)] for r in rows]  # fmt: skip
    items = [
        (h, _fit(t, width, size, avail - text_height(h, width, size) - ITEM_GAP)) for h, t in items
    ]
    whole = rows == before_rows and items == before_items
    mine: list[StagePage] = []
    while rows or items or not mine:
        page = replace(first, rows=[], items=[])
        used = header_h
        while rows and (not page.rows or used + _row_height(rows[0], width, size) <= avail):
            used += _row_height(rows[0], width, size)
            page.rows.append(rows.pop(0))
        used = used + BELOW_GAP if page.rows else 0.0
        # the items under the table, while they fit; the first of a slide always does
        while items and (
            (not page.rows and not page.items)
            or used + _item_height(items[0], width, size) <= avail
        ):
            used += _item_height(items[0], width, size)
            page.items.append(items.pop(0))
        mine.append(page)
    return mine, whole


def _rtl(text: str) -> bool:
    """Whether the first letter of ``text`` is of a right-to-left script."""
    import unicodedata

    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def _set_text(frame: Any, text: str, size: float, *, bold: bool = False, color: Any = INK) -> None:
    """Paragraphs of ``text``, each cut into runs of one font (see :func:`fonts.runs`)."""
    pptx = _pptx()
    from pptx.enum.text import PP_ALIGN

    frame.word_wrap = True
    for attr in ("margin_left", "margin_right"):
        setattr(frame, attr, pptx.util.Pt(PAD_X))
    for attr in ("margin_top", "margin_bottom"):
        setattr(frame, attr, pptx.util.Pt(PAD_Y))
    for i, line in enumerate(text.split("\n")):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        para.line_spacing = LINE  # a multiple of the fonts' own line height, as measured
        if _rtl(line):
            para.alignment = PP_ALIGN.RIGHT
            para._p.get_or_add_pPr().set("rtl", "1")
        for family, part in runs(line, bold):
            run = para.add_run()
            run.text = part
            font = run.font
            font.size = pptx.util.Pt(size)
            font.bold = bold
            font.color.rgb = pptx.dml.color.RGBColor(*color)
            _typeface(run, family or LATIN_FONT)


def _typeface(run: Any, family: str) -> None:
    """The run's Latin, East Asian and complex-script typefaces (PowerPoint picks one of
    the three by the characters)."""
    from pptx.oxml.ns import qn

    rpr = run._r.get_or_add_rPr()
    for tag in ("a:latin", "a:ea", "a:cs"):
        el = rpr.find(qn(tag))
        if el is None:
            el = rpr.makeelement(qn(tag), {})
            rpr.append(el)
        el.set("typeface", family)


def _box(slide: Slide, x: float, y: float, w: float, h: float) -> Any:
    from pptx.util import Pt

    return slide.shapes.add_textbox(Pt(x), Pt(y), Pt(w), Pt(h)).text_frame


def _header(title: str, sub: str | None) -> tuple[str, float, str | None, float]:
    """The title and the subtitle as they fit (cut to one and two lines), and their heights."""
    width = SLIDE_W - 2 * MARGIN
    one = TITLE_PT * line_factor(title, True) * LINE + 2 * PAD_Y
    title = _fit(title, width, TITLE_PT, one, bold=True)
    title_h = text_height(title, width, TITLE_PT, bold=True)
    if not sub:
        return title, title_h, None, 0.0
    two = 2 * SUB_PT * line_factor(sub) * LINE + 2 * PAD_Y
    sub = _fit(sub, width, SUB_PT, two)
    return title, title_h, sub, text_height(sub, width, SUB_PT)


def _body_top(title: str, sub: str | None) -> float:
    """Where the body of a slide starts, below its title and subtitle."""
    _, title_h, _, sub_h = _header(title, sub)
    return max(TOP, HEAD_Y + title_h + sub_h + 10)


def _title(slide: Slide, title: str, sub: str | None) -> None:
    title, title_h, sub, sub_h = _header(title, sub)
    width = SLIDE_W - 2 * MARGIN
    _set_text(_box(slide, MARGIN, HEAD_Y, width, title_h), title, TITLE_PT, bold=True)
    if sub:
        _set_text(_box(slide, MARGIN, HEAD_Y + title_h, width, sub_h), sub, SUB_PT, color=MUTED)


def _overview(prs: Any, m: JourneyMap, view: MapView, theme: str) -> None:
    from pptx.util import Pt

    from journeymap.rendering.raster import png_size, svg_to_png
    from journeymap.rendering.svg import draw_svg

    slide = prs.slides.add_slide(prs.slide_layouts[6])
    who = []
    if m.persona is not None:
        p = m.persona
        age = None if p.age is None or str(p.age) in p.name else p.age  # "Amber, 32"
        who.append(", ".join(str(v) for v in (p.name, age, p.role) if v))
    if m.scenario:
        who.append(m.scenario)
    sub = " \u00b7 ".join(who) or None
    _title(slide, m.name, sub)
    top = _body_top(m.name, sub)
    box_w, box_h = SLIDE_W - 2 * MARGIN, SLIDE_H - top - MARGIN / 2
    k = min(box_w / view.width, box_h / view.height)
    png = svg_to_png(draw_svg(view, theme_name=theme), scale=PNG_PER_PT * k)
    w, h = png_size(png)
    k = min(box_w / w, box_h / h)
    slide.shapes.add_picture(io.BytesIO(png), Pt(MARGIN + (box_w - w * k) / 2), Pt(top),
                             Pt(w * k), Pt(h * k))  # fmt: skip


def _goal(stage: Stage) -> str | None:
    return f"Goal: {stage.customer_goal}" if stage.customer_goal else None


def stage_svg(view: MapView, stage_id: str, *, theme_name: str = "light") -> str:
    """The stage's own part of a laid-out map as an SVG document: the lane titles, the
    stage's chevron and its columns of every lane, cut from the whole map's drawing the way
    :func:`~journeymap.rendering.pages.page_svgs` cuts a page (in map pixels)."""
    from journeymap.rendering.pages import _bounds, _frame, _window
    from journeymap.rendering.svg import grid_parts, stage_parts
    from journeymap.rendering.svgkit import document, el
    from journeymap.rendering.theme import theme

    th = theme(theme_name)
    st = next(s for s in view.stages if s.stage_id == stage_id)
    fr = _frame(view)
    gw, bh = fr.gutter_x1 - fr.gutter_x0, fr.band_y1 - fr.band_y0
    y0 = view.lanes[0].y if view.lanes else fr.band_y1
    y1 = view.lanes[-1].bottom if view.lanes else fr.band_y1
    x0, x1 = st.x, st.x + st.w
    width, height = gw + x1 - x0, bh + y1 - y0
    body = [el("rect", x=0.0, y=0.0, width=width, height=height, fill="#ffffff")]
    body += _window(gw, 0.0, (x0, fr.band_y0, x1, fr.band_y1),
                    [(p, None) for p in stage_parts(view, {stage_id})])  # fmt: skip
    if y1 > y0:
        grid = [(part, _bounds(part)) for part in grid_parts(view, th)]
        body += _window(0.0, bh, (fr.gutter_x0, y0, fr.gutter_x1, y1), grid)
        body += _window(gw, bh, (x0, y0, x1, y1), grid)
    return th.recolor(document(width, height, st.name, body, aria_label=False))


def _picture(slide: Slide, png: bytes, x: float, y: float, box: tuple[float, float]) -> None:
    """A PNG as large as fits ``box`` (width, height in points), its corner at ``(x, y)``."""
    from pptx.util import Pt

    from journeymap.rendering.raster import png_size

    pw, ph = png_size(png)
    k = min(box[0] / pw, box[1] / ph)
    slide.shapes.add_picture(io.BytesIO(png), Pt(x), Pt(y), Pt(pw * k), Pt(ph * k))


def _stage_slide(prs: Any, page: StagePage, picture: bytes | None) -> None:
    from pptx.util import Pt

    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _title(slide, page.title, _goal(page.stage))
    top, width, size = page.top, page.width, page.size
    if picture is not None:
        _picture(slide, picture, MARGIN, top, page.picture)
    heights: list[float] = []
    if page.rows:
        heights = [_row_height([h for h, _ in COLUMNS], width, size, bold=True)]
        heights += [_row_height(r, width, size) for r in page.rows]
        shape = slide.shapes.add_table(len(page.rows) + 1, len(COLUMNS), Pt(page.x), Pt(top),
                                       Pt(width), Pt(sum(heights)))  # fmt: skip
        table = shape.table
        for j, (_, share) in enumerate(COLUMNS):
            table.columns[j].width = Pt(width * share)
        for i, h in enumerate(heights):
            table.rows[i].height = Pt(h)
        for j, (head, _) in enumerate(COLUMNS):
            _set_text(table.cell(0, j).text_frame, head, size, bold=True, color=(255, 255, 255))
        for i, row in enumerate(page.rows, start=1):
            for j, cell in enumerate(row):
                _set_text(table.cell(i, j).text_frame, cell, size)
    below = top + sum(heights) + BELOW_GAP if heights else top
    _items(slide, page.items, page.x, below, width, size)


def _items(
    slide: Slide, items: list[tuple[str, str]], x: float, y: float, width: float, size: float
) -> None:
    """Pain points and action items, one text box each, a bold heading over the text."""
    for head, text in items:
        h = _item_height((head, text), width, size) - ITEM_GAP
        body = f"{head}\n{text}" if head else text
        frame = _box(slide, x, y, width, h)
        _set_text(frame, body, size)
        if head:
            for run in frame.paragraphs[0].runs:
                run.font.bold = True
        y += h + ITEM_GAP


def to_pptx(
    m: JourneyMap,
    *,
    lanes: Sequence[str] | None = None,
    theme: str = "light",
    measurement: Measurement | None = None,
) -> bytes:
    """The map as a 16:9 PowerPoint deck: an overview slide, then a slide per stage (and a
    continuation slide where a stage holds more than one slide shows). ``lanes`` and
    ``theme`` are those of the pictures (see :func:`~journeymap.rendering.to_svg`); with a
    ``measurement`` the pictures are the measured map's and the "Actual" column holds the
    measured emotions, with the answers behind them."""
    pptx = _pptx()
    from pptx.util import Pt

    from journeymap.rendering.layout import layout
    from journeymap.rendering.limits import svg_size
    from journeymap.rendering.raster import svg_to_png

    view = layout(m, measurement=measurement, lanes=lanes)
    prs = pptx.Presentation()
    prs.slide_width, prs.slide_height = Pt(SLIDE_W), Pt(SLIDE_H)
    prs.core_properties.title = m.name
    _overview(prs, m, view, theme)
    svgs = {st.stage_id: stage_svg(view, st.stage_id, theme_name=theme) for st in view.stages}
    sizes = {sid: size for sid, svg in svgs.items() if (size := svg_size(svg)) is not None}
    pngs: dict[str, bytes] = {}
    for page in stage_pages(m, measurement, sizes):
        sid = page.stage.id
        if sid not in pngs and sid in svgs:  # at the slide's resolution
            scale = PNG_PER_PT * page.picture[0] / sizes[sid][0]
            pngs[sid] = svg_to_png(svgs[sid], scale=scale)
        _stage_slide(prs, page, pngs.get(sid))
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
