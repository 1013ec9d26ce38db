"""Deterministic text measurement and wrapping for the journey-map visual.

Widths of Latin text come from a per-character table of the metrics of Liberation Sans, the
sans-serif font that ``vl-convert`` bundles for PNG/PDF output; every other character is
measured with the real font that draws it (:mod:`~journeymap.rendering.fonts`: the font's own
advance widths, read with fontTools), so that CJK, Arabic, Hebrew, Cyrillic and emoji text wraps
where it is drawn. Liberation
Sans is metric-compatible with Arial (and within a few percent of Helvetica), the next names in
:data:`FONT_FAMILY`, so the same layout fits in a browser. The table was checked against
glyphs rendered by vl-convert (see ``tests/rendering/test_render_raster.py``).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterator
from itertools import islice

from journeymap.rendering.fonts import arabic_correction, font_for

__all__ = [
    "ASCENT",
    "DESCENT",
    "FONT_FAMILY",
    "LINE_HEIGHT",
    "exact_width",
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

# Advance widths in 1/1000 em, (regular, bold), of the printable ASCII characters.
_ASCII: dict[str, tuple[int, int]] = {
    " ": (278, 278), "!": (278, 333), '"': (355, 474), "#": (556, 556), "$": (556, 556),
    "%": (889, 889), "&": (667, 722), "'": (191, 238), "(": (333, 333), ")": (333, 333),
    "*": (389, 389), "+": (584, 584), ",": (278, 278), "-": (333, 333), ".": (278, 278),
    "/": (278, 278), "0": (556, 556), "1": (556, 556), "2": (556, 556), "3": (556, 556),
    "4": (556, 556), "5": (556, 556), "6": (556, 556), "7": (556, 556), "8": (556, 556),
    "9": (556, 556), ":": (278, 333), ";": (278, 333), "<": (584, 584), "=": (584, 584),
    ">": (584, 584), "?": (556, 611), "@": (1015, 975), "A": (667, 722), "B": (667, 722),
    "C": (722, 722), "D": (722, 722), "E": (667, 667), "F": (611, 611), "G": (778, 778),
    "H": (722, 722), "I": (278, 278), "J": (500, 556), "K": (667, 722), "L": (556, 611),
    "M": (833, 833), "N": (722, 722), "O": (778, 778), "P": (667, 667), "Q": (778, 778),
    "R": (722, 722), "S": (667, 667), "T": (611, 611), "U": (722, 722), "V": (667, 667),
    "W": (944, 944), "X": (667, 667), "Y": (667, 667), "Z": (611, 611), "[": (278, 333),
    "\\": (278, 278), "]": (278, 333), "^": (469, 584), "_": (556, 556), "`": (333, 333),
    "a": (556, 556), "b": (556, 611), "c": (500, 556), "d": (556, 611), "e": (556, 556),
    "f": (278, 333), "g": (556, 611), "h": (556, 611), "i": (222, 278), "j": (222, 278),
    "k": (500, 556), "l": (222, 278), "m": (833, 889), "n": (556, 611), "o": (556, 611),
    "p": (556, 611), "q": (556, 611), "r": (333, 389), "s": (500, 556), "t": (278, 333),
    "u": (556, 611), "v": (500, 556), "w": (722, 778), "x": (500, 556), "y": (500, 556),
    "z": (500, 500), "{": (334, 389), "|": (260, 280), "}": (334, 389), "~": (584, 584),
}  # fmt: skip

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

#: The width of every character met so far, by style (bit 0 bold, bit 1 italic: ASCII is as
#: wide in italic, Cyrillic and Greek are not) (measuring a character that is
#: not in the tables asks :mod:`unicodedata`, which is slow). Bounded: a text of every code
#: point cannot make it grow without end.
_CACHE: tuple[dict[str, int], ...] = tuple(
    {ch: widths[style & 1] for ch, widths in _ASCII.items()} for style in range(4)
)
_CACHE_MAX = 20_000


def _style(bold: bool, italic: bool) -> int:
    """The style of a text as an index into :data:`_CACHE`."""
    return int(bold) | (2 if italic else 0)


def _measure(ch: str, bold: int) -> int:
    known = _ASCII.get(ch) or _EXTRA.get(ch)
    if known is not None:
        return known[bold & 1]
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    face = font_for(ch, bool(bold & 1), italic=bool(bold & 2))
    if face is not None:
        width = face.width(ch)
        if width is not None:
            return math.ceil(width)
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1000
    # accented Latin letters are as wide as their base letter
    base = unicodedata.normalize("NFKD", ch)[:1]
    if base and base != ch and 32 <= ord(base) <= 126:
        return _measure(base, bold)
    return 650 if bold & 1 else 600


def _char_width(ch: str, bold: int) -> int:
    """Advance width of one character in 1/1000 em."""
    cache = _CACHE[bold]
    width = cache.get(ch)
    if width is None:
        width = _measure(ch, bold)
        if len(cache) < _CACHE_MAX:
            cache[ch] = width
    return width


def _units(text: str, bold: int) -> int:
    """Advance width of ``text`` in 1/1000 em: a whole number, so widths of parts add up
    exactly."""
    cache = _CACHE[bold]
    try:
        total = sum(map(cache.__getitem__, text))
    except KeyError:
        total = sum(_char_width(ch, bold) for ch in text)
    if not text.isascii() and any("\u0620" <= ch <= "\u06ff" for ch in text):
        # joined Arabic letters are narrower than their isolated forms
        total += math.ceil(arabic_correction(text, bool(bold & 1)))
    return total


def _px(units: int, size: float) -> float:
    """``units`` (1/1000 em) as pixels at ``size`` px, widened by the safety margin."""
    return units * size / 1000.0 * _SAFETY


def text_width(text: str, size: float, *, bold: bool = False, italic: bool = False) -> float:
    """Estimated advance width of ``text`` at ``size`` px, a little on the wide side."""
    return _px(_units(text, _style(bold, italic)), size)


def exact_width(text: str, size: float, *, bold: bool = False, italic: bool = False) -> float:
    """Advance width of ``text`` at ``size`` px without the safety margin: where a run of it
    starts when several runs are laid out one after the other."""
    return _units(text, _style(bold, italic)) * size / 1000.0


def truncate(
    text: str, width: float, size: float, *, bold: bool = False, italic: bool = False
) -> str:
    """``text`` shortened with an ellipsis so that it fits in ``width``.

    The result is the longest start of ``text`` (trailing spaces dropped) that fits with the
    ellipsis after it. Linear in the part of ``text`` that fits, whatever its length: widths
    are added up once, left to right, and the scan stops at the first character that no
    longer fits.
    """
    style = _style(bold, italic)
    widths: list[int] = []
    total = 0
    for ch in text:
        w = _char_width(ch, style)
        total += w
        widths.append(w)
        if _px(total, size) > width:
            break
    else:
        return text
    # Only the start scanned can matter: a longer cut holds what did not fit, or is the same
    # cut followed by spaces, which are dropped. ``ends[k]``: where ``text[:k].rstrip()``
    # ends; ``cum[k]``: the width of ``text[:k]``.
    ellipsis = _char_width("\u2026", style)
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


def _break_word(word: str, width: float, size: float, bold: int) -> Iterator[tuple[str, int]]:
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


def _lines(text: str, width: float, size: float, bold: int, first_indent: float) -> Iterator[str]:
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
    italic: bool = False,
    max_lines: int | None = None,
    first_indent: float = 0.0,
) -> list[str]:
    """Greedy word wrap of ``text`` into lines no wider than ``width``.

    Explicit newlines are kept; a word longer than a line is broken between characters.
    ``first_indent`` narrows the first line (for a bullet written before it). With
    ``max_lines``, the last kept line ends with an ellipsis when text was cut, and only the
    lines kept are worked out: a text of any length is wrapped in time linear in its length.
    """
    lines = _lines(text, width, size, _style(bold, italic), first_indent)
    if max_lines is None:
        return list(lines)
    if max_lines < 1:
        raise ValueError(f"max_lines must be at least 1, got {max_lines}")
    kept = list(islice(lines, max_lines + 1))
    if len(kept) > max_lines:
        kept = kept[:max_lines]
        kept[-1] = truncate(kept[-1] + "\u2026", width, size, bold=bold, italic=italic)
    return kept
