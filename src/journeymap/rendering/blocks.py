"""Blocks of text: paragraphs wrapped, stacked and positioned inside a box; the layout's sizes.

Part of the pure layout: :func:`stack` turns paragraphs into positioned :class:`Text` lines and
reports how tall they are and where each paragraph starts (to put an icon beside it).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from journeymap.model.touchpoint import Touchpoint
from journeymap.rendering.text import ASCENT, DESCENT, LINE_HEIGHT, text_width, wrap
from journeymap.rendering.view import Anchor, Box, Rect, Text, Tone, TouchpointCard

__all__ = [
    "MAX_LINES",
    "Block",
    "Para",
    "channel_label",
    "quote",
    "right_to_left",
    "shift",
    "stack",
    "tp_card",
    "tp_paras",
]

#: space between a box and the edges of its sub-column
INSET = 6.0
#: padding between a box's edge and its text
PAD = 9.0
#: vertical space between stacked boxes, and above/below the content of a lane
GAP = 8.0
LANE_PAD = 10.0
#: depth of the chevron of a stage header
ARROW = 14.0
PERSONA_W = 380.0
HEADER_KPI_W = 200.0
ICON = 22.0
PIN_ICON = 15.0
AVATAR = 42.0
MARK = 12.0
#: the most lines of one paragraph: a longer text is cut, its last line ending with an
#: ellipsis, so that no one field can make a card (and the picture) as tall as it likes
MAX_LINES = 12

# font sizes
TITLE = 26.0
SUBTITLE = 14.0
BODY = 11.5
SMALL = 10.5
CARD_TITLE = 12.0
STAGE_NAME = 15.0
LANE_TITLE = 12.0
EMOTION_LABEL = 10.5
TICK = 10.0


_CHANNEL_LABELS = {
    "sms": "SMS",
    "review-site": "Review site",
    "in-product": "In-product",
    "ivr": "IVR",
    "whatsapp": "WhatsApp",
}


def channel_label(channel: str | None) -> str:
    """``"review-site"`` -> ``"Review site"``; ``None`` -> ``"No channel"``."""
    if channel is None:
        return "No channel"
    return _CHANNEL_LABELS.get(channel, channel.replace("-", " ").capitalize())


@dataclass(frozen=True)
class Para:
    """A paragraph of a box: wrapped to the box, optionally indented or bulleted."""

    text: str
    size: float = BODY
    bold: bool = False
    italic: bool = False
    tone: Tone = "ink"
    bullet: bool = False
    indent: float = 0.0
    gap_before: float = 0.0
    #: minimum height of each line box (to sit beside an icon)
    min_line: float = 0.0
    #: lines kept at most (see :data:`MAX_LINES`)
    max_lines: int = MAX_LINES


@dataclass
class Block:
    lines: list[Text] = field(default_factory=list)
    #: top of the first line box of every paragraph
    tops: list[float] = field(default_factory=list)
    height: float = 0.0


def stack(paras: Iterable[Para], x: float, y: float, w: float) -> Block:
    """Lay paragraphs out top-down from ``(x, y)`` in a column ``w`` wide."""
    block = Block()
    top = y
    for p in paras:
        top += p.gap_before if block.tops else 0.0
        block.tops.append(top)
        bullet_w = text_width("\u2022 ", p.size, bold=p.bold) if p.bullet else 0.0
        avail = w - p.indent - bullet_w
        rows = wrap(p.text, avail, p.size, bold=p.bold, italic=p.italic, max_lines=p.max_lines)
        line_h = max(LINE_HEIGHT * p.size, p.min_line)
        # a right-to-left paragraph is set flush right (its bullet on the right), the room
        # of its indent (an icon's) kept on the left
        rtl = right_to_left(p.text)
        anchor: Anchor = "end" if rtl else "start"
        for i, row in enumerate(rows):
            base = top + (line_h - (ASCENT + DESCENT) * p.size) / 2 + ASCENT * p.size
            if rtl:
                bx, tx = x + w, x + w - bullet_w
            else:
                bx, tx = x + p.indent, x + p.indent + bullet_w
            if p.bullet and i == 0:
                block.lines.append(Text("\u2022", bx, base, p.size, p.bold, False, anchor, p.tone))
            block.lines.append(Text(row, tx, base, p.size, p.bold, p.italic, anchor, p.tone))
            top += line_h
    block.height = top - y
    return block


def right_to_left(text: str) -> bool:
    """Whether a text reads right to left: its first strong character (a letter of a
    direction, Unicode's bidi class L, R or AL) is Arabic, Hebrew or another RTL script."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return False
        if kind in ("R", "AL"):
            return True
    return False


def shift(lines: Iterable[Text], dy: float) -> tuple[Text, ...]:
    return tuple(t.moved(0.0, dy) for t in lines)


def quote(text: str) -> str:
    text = text.strip().strip("\"'\u201c\u201d\u2018\u2019").strip()
    return f"\u201c{text}\u201d"


def tp_paras(tp: Touchpoint) -> list[Para]:
    """The text of a touchpoint card: channel (beside its icon), name, lane, owner, flags."""
    paras = [
        Para(channel_label(tp.channel), SMALL, bold=True, tone="muted", indent=ICON + 6,
              min_line=ICON, max_lines=1),
        Para(tp.name, CARD_TITLE, bold=True, gap_before=5),
    ]  # fmt: skip
    if tp.lane != "frontstage":
        paras.append(Para(tp.lane.capitalize(), SMALL, bold=True, tone="muted", gap_before=1))
    if tp.owner:
        paras.append(Para(tp.owner, SMALL, tone="muted", gap_before=1))
    if tp.moment_of_truth:
        paras.append(
            Para("Moment of truth", SMALL, bold=True, tone="accent", indent=MARK + 5, gap_before=4)
        )
    return paras


def tp_card(box: Box, tp: Touchpoint, tops: list[float], dy: float) -> TouchpointCard:
    """A touchpoint card from its box and the paragraph tops of :func:`tp_paras`."""
    x = box.rect.x + PAD
    icon = Rect(x, tops[0] + dy, ICON, ICON)
    marker = None
    if tp.moment_of_truth:
        top = tops[-1] + dy
        marker = Rect(x, top + (LINE_HEIGHT * SMALL - MARK) / 2, MARK, MARK)
    return TouchpointCard(
        box, tp.channel, tp.channel or "other", icon, tp.lane, tp.moment_of_truth, marker
    )
