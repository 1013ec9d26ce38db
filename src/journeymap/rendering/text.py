"""Deterministic text measurement and wrapping for the journey-map visual.

No font library is needed: widths come from a per-character table of the metrics of
Liberation Sans, the sans-serif font that ``vl-convert`` bundles for PNG/PDF output. Liberation
Sans is metric-compatible with Arial (and within a few percent of Helvetica), the next names in
:data:`FONT_FAMILY`, so the same layout fits in a browser. The table was checked against
glyphs rendered by vl-convert (see ``tests/rendering/test_render_raster.py``).
"""

from __future__ import annotations

import unicodedata

__all__ = [
    "ASCENT",
    "DESCENT",
    "FONT_FAMILY",
    "LINE_HEIGHT",
    "text_width",
    "truncate",
    "wrap",
]

#: The font stack of every text in the visual. Metric-compatible fonts come first so that the
#: width table below holds wherever the SVG is drawn; Inter and DejaVu Sans are wider, so they
#: only come after them.
FONT_FAMILY = (
    "'Liberation Sans', Arial, 'Helvetica Neue', Helvetica, Inter, 'DejaVu Sans', sans-serif"
)

#: Ascent and descent of the font, as a fraction of the font size (Liberation Sans: .905/.212).
ASCENT = 0.905
DESCENT = 0.212
#: Distance between baselines, as a multiple of the font size.
LINE_HEIGHT = 1.32

# Advance widths in 1/1000 em of the printable ASCII characters, from " " (32) to "~" (126).
_REGULAR = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
)  # fmt: skip
_BOLD = (
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
)  # fmt: skip

# Common non-ASCII punctuation, (regular, bold).
_EXTRA: dict[str, tuple[int, int]] = {
    "\u201c": (333, 500),  # left double quote
    "\u201d": (333, 500),
    "\u2018": (222, 278),
    "\u2019": (222, 278),
    "\u2013": (556, 556),  # en dash
    "\u2014": (1000, 1000),  # em dash
    "\u2026": (1000, 1000),  # ellipsis
    "\u2022": (350, 350),  # bullet
    "\u2212": (584, 584),  # minus sign
    "\u00b7": (278, 278),  # middle dot
    "\u00d7": (584, 584),
    "\u00b0": (400, 400),
    "\u00b1": (548, 549),
    "\u2192": (1000, 1000),
    "\u20ac": (556, 556),
    "\u00a3": (556, 556),
    "\u00df": (611, 611),
    "\u00a0": (278, 278),
}

#: Every estimate is widened by this factor: a safety margin for kerning-free rendering and
#: for the fonts further down the stack.
_SAFETY = 1.03


def _char_width(ch: str, bold: bool) -> int:
    code = ord(ch)
    if 32 <= code <= 126:
        return (_BOLD if bold else _REGULAR)[code - 32]
    extra = _EXTRA.get(ch)
    if extra is not None:
        return extra[1] if bold else extra[0]
    if unicodedata.combining(ch):
        return 0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1000
    # accented Latin letters are as wide as their base letter
    base = unicodedata.normalize("NFKD", ch)[:1]
    if base and base != ch and 32 <= ord(base) <= 126:
        return _char_width(base, bold)
    return 650 if bold else 600


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Estimated advance width of ``text`` at ``size`` px, a little on the wide side."""
    units = sum(_char_width(ch, bold) for ch in text)
    return units * size / 1000.0 * _SAFETY


def _break_word(word: str, width: float, size: float, bold: bool) -> list[str]:
    """Split a word that is wider than the line into pieces that fit."""
    pieces: list[str] = []
    current = ""
    for ch in word:
        if current and text_width(current + ch, size, bold=bold) > width:
            pieces.append(current)
            current = ch
        else:
            current += ch
    if current:
        pieces.append(current)
    return pieces


def truncate(text: str, width: float, size: float, *, bold: bool = False) -> str:
    """``text`` shortened with an ellipsis so that it fits in ``width``."""
    if text_width(text, size, bold=bold) <= width:
        return text
    out = text
    while out and text_width(out.rstrip() + "\u2026", size, bold=bold) > width:
        out = out[:-1]
    return out.rstrip() + "\u2026" if out else ""


def wrap(
    text: str,
    width: float,
    size: float,
    *,
    bold: bool = False,
    max_lines: int | None = None,
    first_indent: float = 0.0,
) -> list[str]:
    """Greedy word wrap of ``text`` into lines no wider than ``width``.

    Explicit newlines are kept; a word longer than a line is broken between characters.
    ``first_indent`` narrows the first line (for a bullet written before it). With
    ``max_lines``, the last kept line ends with an ellipsis when text was cut.
    """
    lines: list[str] = []
    for para in text.splitlines() or [""]:
        words = para.split()
        if not words:
            lines.append("")
            continue
        current = ""
        for word in words:
            # the first line of the whole text is narrower by the indent
            limit = width - first_indent if not lines else width
            candidate = f"{current} {word}" if current else word
            if text_width(candidate, size, bold=bold) <= limit:
                current = candidate
                continue
            if current:
                lines.append(current)
                current = ""
                limit = width
            if text_width(word, size, bold=bold) <= limit:
                current = word
            else:
                *done, current = _break_word(word, limit, size, bold)
                lines.extend(done)
        lines.append(current)
    if max_lines is not None and len(lines) > max_lines:
        kept = lines[:max_lines]
        kept[-1] = truncate(kept[-1] + "\u2026", width, size, bold=bold)
        return kept
    return lines
