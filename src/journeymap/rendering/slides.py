"""A map as a 16:9 PowerPoint deck: an overview slide with the map's picture, then a slide per
stage with its touchpoints, emotions, pain points and action items as native, editable text.

Needs python-pptx (``pip install 'journeymap[slides]'``), imported only when a deck is asked
for. Nothing overflows: every text is wrapped with the metrics of the fonts that draw it
(:mod:`~journeymap.rendering.text`), rows and items that do not fit go to a continuation slide
("Checkout (2/2)"), and a single text longer than a whole slide is cut with an ellipsis. Runs of
text that the Latin font lacks (CJK, Arabic, Hebrew, emoji) are given the font they were
measured with, and right-to-left paragraphs are set right to left.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from journeymap.errors import RenderError
from journeymap.model.emotion import format_level
from journeymap.model.journey import JourneyMap
from journeymap.model.touchpoint import Stage
from journeymap.rendering.fonts import line_factor, runs
from journeymap.rendering.tables import _Names
from journeymap.rendering.text import wrap

if TYPE_CHECKING:
    from pptx.slide import Slide

__all__ = [
    "BODY_PT",
    "LINE",
    "SLIDE_H",
    "SLIDE_W",
    "StagePage",
    "stage_pages",
    "to_pptx",
]

#: the slide, 16:9, in points (13.333 x 7.5 inches)
SLIDE_W = 960.0
SLIDE_H = 540.0
MARGIN = 36.0
TITLE_PT = 28.0
SUB_PT = 16.0
BODY_PT = 14.0
#: line spacing, as a multiple of single spacing (the fonts' own line height: 1.15 of the size
#: for Liberation Sans/Arial, 1.45 for Noto Sans CJK, 2.1 for Noto Sans Arabic)
LINE = 1.0
#: inner margins of a text box and of a table cell
PAD_X = 7.2
PAD_Y = 3.6
HEAD_Y = 24.0  # where the title starts
TOP = 100.0  # where the body starts at the highest, below the title and the goal
LATIN_FONT = "Arial"  # metric-compatible with Liberation Sans, which measured it
COLUMNS = (("Touchpoint", 0.40), ("Channel", 0.16), ("Expected", 0.22), ("Actual", 0.22))
TABLE_W = 560.0
ITEM_GAP = 4.0  # between the items of the side column
BELOW_GAP = 14.0  # between the table and the items under it
SIDE_X = MARGIN + TABLE_W + 18.0
SIDE_W = SLIDE_W - SIDE_X - MARGIN
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
    """What one stage slide holds: its rows of touchpoints (cells of text) and the items of
    its side column (pain points then action items, each ``(heading, text)``)."""

    stage: Stage
    number: int
    top: float  # where the body starts
    part: int = 1
    parts: int = 1
    rows: list[list[str]] = field(default_factory=list)
    items: list[tuple[str, str]] = field(default_factory=list)
    #: items of the side column that did not fit in it, drawn under the table
    below: list[tuple[str, str]] = field(default_factory=list)

    @property
    def title(self) -> str:
        more = f" ({self.part}/{self.parts})" if self.parts > 1 else ""
        return f"{self.number}. {self.stage.name}{more}"


def _row_height(cells: Sequence[str], bold: bool = False) -> float:
    return max(
        text_height(c, TABLE_W * share, BODY_PT, bold=bold)
        for c, (_, share) in zip(cells, COLUMNS, strict=True)
    )


def _item_text(item: tuple[str, str]) -> str:
    head, text = item
    return f"{head}\n{text}" if head else text


def _item_height(item: tuple[str, str], width: float = SIDE_W) -> float:
    head, text = item
    h = text_height(text, width, BODY_PT)
    if head:  # the heading, bold, is a paragraph of the same box
        h += text_height(head, width, BODY_PT, bold=True) - 2 * PAD_Y
    return h + ITEM_GAP


def _fit(text: str, width: float, size: float, max_h: float, *, bold: bool = False) -> str:
    """``text`` cut with an ellipsis so that it wraps into no more than ``max_h`` points."""
    if text_height(text, width, size, bold=bold) <= max_h:
        return text  # as written: the deck wraps it, and it stays editable
    n = max(1, int((max_h - 2 * PAD_Y) // (size * line_factor(text, bold) * LINE)))
    return "\n".join(wrap(text, width - 2 * PAD_X, size, bold=bold, max_lines=n))


def _stage_content(m: JourneyMap, stage: Stage) -> tuple[list[list[str]], list[tuple[str, str]]]:
    names = _Names(m)
    rows = []
    for tp in stage.touchpoints:
        actual = tp.actual_emotion
        gap = m.gap(tp)
        act = names.emotion(actual.emotion if actual else None) or ""
        if gap:
            act = f"{act} (gap {format_level(gap)})"
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
    return rows, items


def stage_pages(m: JourneyMap) -> list[StagePage]:
    """The stage slides of the deck: each stage's rows and items cut into pages that fit."""
    header_h = _row_height([h for h, _ in COLUMNS], bold=True)
    pages: list[StagePage] = []
    for number, stage in enumerate(m.stages, start=1):
        # the widest title it may get: with "(9/9)" after it
        top = _body_top(f"{number}. {stage.name} (9/9)", _goal(stage))
        avail = SLIDE_H - top - MARGIN
        rows, items = _stage_content(m, stage)
        rows = [[_fit(c, TABLE_W * s, BODY_PT, avail - header_h) for c, (_, s) in
                 zip(r, COLUMNS, strict=True)] for r in rows]  # fmt: skip
        items = [
            (h, _fit(t, SIDE_W, BODY_PT, avail - text_height(h, SIDE_W, BODY_PT) - ITEM_GAP))
            for h, t in items
        ]
        mine: list[StagePage] = []
        while rows or items or not mine:
            page = StagePage(stage, number, top)
            used = header_h
            while rows and (not page.rows or used + _row_height(rows[0]) <= avail):
                used += _row_height(rows[0])
                page.rows.append(rows.pop(0))
            table_h = used if page.rows else 0.0
            used = 0.0
            while items and (not page.items or used + _item_height(items[0]) <= avail):
                used += _item_height(items[0])
                page.items.append(items.pop(0))
            # what the side column cannot hold goes under the table, when there is room
            used = table_h + BELOW_GAP
            while items and used + _item_height(items[0], TABLE_W) <= avail:
                used += _item_height(items[0], TABLE_W)
                page.below.append(items.pop(0))
            mine.append(page)
        for i, page in enumerate(mine, start=1):
            page.part, page.parts = i, len(mine)
        pages.extend(mine)
    return pages


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


def _overview(prs: Any, m: JourneyMap, lanes: Sequence[str] | None, theme: str) -> None:
    from pptx.util import Pt

    from journeymap.rendering.raster import png_size, svg_to_png
    from journeymap.rendering.svg import to_svg

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
    png = svg_to_png(to_svg(m, lanes=lanes, theme_name=theme))
    w, h = png_size(png)
    box_w, box_h = SLIDE_W - 2 * MARGIN, SLIDE_H - top - MARGIN / 2
    k = min(box_w / w, box_h / h)
    slide.shapes.add_picture(io.BytesIO(png), Pt(MARGIN + (box_w - w * k) / 2), Pt(top),
                             Pt(w * k), Pt(h * k))  # fmt: skip


def _goal(stage: Stage) -> str | None:
    return f"Goal: {stage.customer_goal}" if stage.customer_goal else None


def _stage_slide(prs: Any, page: StagePage) -> None:
    from pptx.util import Pt

    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _title(slide, page.title, _goal(page.stage))
    top = page.top
    heights: list[float] = []
    if page.rows:
        heights = [_row_height([h for h, _ in COLUMNS], bold=True)]
        heights += [_row_height(r) for r in page.rows]
        shape = slide.shapes.add_table(len(page.rows) + 1, len(COLUMNS), Pt(MARGIN), Pt(top),
                                       Pt(TABLE_W), Pt(sum(heights)))  # fmt: skip
        table = shape.table
        for j, (_, share) in enumerate(COLUMNS):
            table.columns[j].width = Pt(TABLE_W * share)
        for i, h in enumerate(heights):
            table.rows[i].height = Pt(h)
        for j, (head, _) in enumerate(COLUMNS):
            _set_text(table.cell(0, j).text_frame, head, BODY_PT, bold=True, color=(255, 255, 255))
        for i, row in enumerate(page.rows, start=1):
            for j, cell in enumerate(row):
                _set_text(table.cell(i, j).text_frame, cell, BODY_PT)
    _items(slide, page.items, SIDE_X, top, SIDE_W)
    if page.below:
        _items(slide, page.below, MARGIN, top + sum(heights) + BELOW_GAP, TABLE_W)


def _items(slide: Slide, items: list[tuple[str, str]], x: float, y: float, width: float) -> None:
    """Pain points and action items, one text box each, a bold heading over the text."""
    for head, text in items:
        h = _item_height((head, text), width) - ITEM_GAP
        body = f"{head}\n{text}" if head else text
        frame = _box(slide, x, y, width, h)
        _set_text(frame, body, BODY_PT)
        if head:
            for run in frame.paragraphs[0].runs:
                run.font.bold = True
        y += h + ITEM_GAP


def to_pptx(m: JourneyMap, *, lanes: Sequence[str] | None = None, theme: str = "light") -> bytes:
    """The map as a 16:9 PowerPoint deck: an overview slide, then a slide per stage (and a
    continuation slide where a stage holds more than one slide shows). ``lanes`` and
    ``theme`` are those of the overview's picture (see :func:`~journeymap.rendering.to_svg`)."""
    pptx = _pptx()
    from pptx.util import Pt

    prs = pptx.Presentation()
    prs.slide_width, prs.slide_height = Pt(SLIDE_W), Pt(SLIDE_H)
    prs.core_properties.title = m.name
    _overview(prs, m, lanes, theme)
    for page in stage_pages(m):
        _stage_slide(prs, page)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
