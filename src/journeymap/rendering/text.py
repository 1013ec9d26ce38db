"""Deterministic text measurement and wrapping for the journey-map visual.

No font library is needed: widths come from a per-character table of the metrics of
Liberation Sans, the sans-serif font that ``vl-convert`` bundles for PNG/PDF output. Liberation
Sans is metric-compatible with Arial (and within a few percent of Helvetica), the next names in
:data:`FONT_FAMILY`, so the same layout fits in a browser. The table was checked against
glyphs rendered by vl-convert (see ``tests/rendering/test_render_raster.py``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from itertools import islice

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

#: The width of every character met so far, regular and bold (measuring a character that is
#: not in the tables asks :mod:`unicodedata`, which is slow). Bounded: a text of every code
#: point cannot make it grow without end.
_CACHE: tuple[dict[str, int], dict[str, int]] = (
    {chr(32 + i): w for i, w in enumerate(_REGULAR)},
    {chr(32 + i): w for i, w in enumerate(_BOLD)},
)
_CACHE_MAX = 20_000


def _measure(ch: str, bold: bool) -> int:
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
        return _measure(base, bold)
    return 650 if bold else 600


def _char_width(ch: str, bold: bool) -> int:
    """Advance width of one character in 1/1000 em."""
    cache = _CACHE[bold]
    width = cache.get(ch)
    if width is None:
        width = _measure(ch, bold)
        if len(cache) < _CACHE_MAX:
            cache[ch] = width
    return width


def _units(text: str, bold: bool) -> int:
    """Advance width of ``text`` in 1/1000 em: a whole number, so widths of parts add up
    exactly."""
    cache = _CACHE[bold]
    try:
        return sum(map(cache.__getitem__, text))
    except KeyError:
        return sum(_char_width(ch, bold) for ch in text)


def _px(units: int, size: float) -> float:
    """``units`` (1/1000 em) as pixels at ``size`` px, widened by the safety margin."""
    return units * size / 1000.0 * _SAFETY


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """Estimated advance width of ``text`` at ``size`` px, a little on the wide side."""
    return _px(_units(text, bold), size)


def truncate(text: str, width: float, size: float, *, bold: bool = False) -> str:
    """``text`` shortened with an ellipsis so that it fits in ``width``.

    The result is the longest start of ``text`` (trailing spaces dropped) that fits with the
    ellipsis after it. Linear in the part of ``text`` that fits, whatever its length: widths
    are added up once, left to right, and the scan stops at the first character that no
    longer fits.
    """
    widths: list[int] = []
    total = 0
    for ch in text:
        w = _char_width(ch, bold)
        total += w
        widths.append(w)
        if _px(total, size) > width:
            break
    else:
        return text
    # Only the start scanned can matter: a longer cut holds what did not fit, or is the same
    # cut followed by spaces, which are dropped. ``ends[k]``: where ``text[:k].rstrip()``
    # ends; ``cum[k]``: the width of ``text[:k]``.
    ellipsis = _char_width("\u2026", bold)
    cum = [0] * (len(widths) + 1)
    ends = [0] * (len(widths) + 1)
    end = 0
    for k, ch in enumerate(text[: len(widths)], start=1):
        cum[k] = cum[k - 1] + widths[k - 1]
        if not ch.isspace():
            end = k
        ends[k] = end
    for k in range(len(widths), 0, -1):
        if _px(cum[ends[k]] + ellipsis, size) <= width:
            return text[: ends[k]] + "\u2026"
    return ""


def _break_word(word: str, width: float, size: float, bold: bool) -> Iterator[tuple[str, int]]:
    """Split a word that is wider than the line into pieces that fit, each with its width in
    units; lazily, so that a huge word costs only the pieces taken."""
    start, units = 0, 0
    for i, ch in enumerate(word):
        w = _char_width(ch, bold)
        if i > start and _px(units + w, size) > width:
            yield word[start:i], units
            start, units = i, w
        else:
            units += w
    if start < len(word):
        yield word[start:], units


def _lines(text: str, width: float, size: float, bold: bool, first_indent: float) -> Iterator[str]:
    """The lines of :func:`wrap`, one at a time (a caller that needs only the first few lines
    of a long text stops early)."""
    space = _char_width(" ", bold)
    started = False  # a line has been given out: the first-line indent no longer applies
    for para in text.splitlines() or [""]:
        words = para.split()
        if not words:
            yield ""
            started = True
            continue
        current, units = "", 0
        for word in words:
            # the first line of the whole text is narrower by the indent
            limit = width - first_indent if not started else width
            word_units = _units(word, bold)
            candidate = units + space + word_units if current else word_units
            if _px(candidate, size) <= limit:
                current = f"{current} {word}" if current else word
                units = candidate
                continue
            if current:
                yield current
                started = True
                current, units = "", 0
                limit = width
            if _px(word_units, size) <= limit:
                current, units = word, word_units
            else:
                pieces = _break_word(word, limit, size, bold)
                current, units = next(pieces)
                for piece in pieces:
                    yield current
                    started = True
                    current, units = piece
        yield current
        started = True


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
    ``max_lines``, the last kept line ends with an ellipsis when text was cut, and only the
    lines kept are worked out: a text of any length is wrapped in time linear in its length.
    """
    lines = _lines(text, width, size, bold, first_indent)
    if max_lines is None:
        return list(lines)
    if max_lines < 1:
        raise ValueError(f"max_lines must be at least 1, got {max_lines}")
    kept = list(islice(lines, max_lines + 1))
    if len(kept) > max_lines:
        kept = kept[:max_lines]
        kept[-1] = truncate(kept[-1] + "\u2026", width, size, bold=bold)
    return kept
