"""The fonts that draw the map's text, found on the machine, and their real metrics.

The visual's Latin text is drawn in Liberation Sans (bundled by vl-convert, metric-compatible
with Arial) and measured with the width table of :mod:`~journeymap.rendering.text`. Every other
character is drawn and measured with the first font of :data:`FALLBACKS` that has a glyph for
it: Liberation Sans itself (accented Latin, Greek, Cyrillic), Noto Sans Arabic and Hebrew, Noto
Sans CJK, Noto Color Emoji, then the Noto Sans font of the character's script (``Noto Sans
Thai``, ``Noto Sans Devanagari``, ...). Fonts are looked up by file name in the usual font
directories (and those of ``JOURNEYMAP_FONT_DIRS``) when first needed, never downloaded;
advance widths come from the font's ``cmap`` and ``hmtx`` tables through fontTools.

Where a text needs a fallback font, the SVG gives each run of it its own ``<tspan>`` with the
font named and an ``x`` of its own (:func:`runs`), so that resvg (PNG, PDF) and a browser draw
it with the font it was measured with. (resvg picks one fallback font for a whole text chunk,
Latin letters included, when a chunk mixes scripts: a chunk per run avoids that.)

A script with no font on the machine is named in a warning with the package to install
(:func:`warn_missing`): never silent empty boxes.
"""

from __future__ import annotations

import base64
import io
import os
import re
import unicodedata
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fontTools.ttLib import TTFont

__all__ = [
    "EMOJI_FAMILY",
    "FALLBACKS",
    "Face",
    "FontSpec",
    "arabic_correction",
    "extra_font_dirs",
    "font_dirs",
    "font_face_css",
    "font_for",
    "line_factor",
    "missing_scripts",
    "runs",
    "warn_missing",
]

#: the family of colour emoji
EMOJI_FAMILY = "Noto Color Emoji"


@dataclass(frozen=True)
class FontSpec:
    """A font the visual can draw with: its family, its files (regular, bold) and the package
    that installs it."""

    family: str
    regular: str
    bold: str | None
    package: str
    italic: tuple[str, str] | None = None  # (italic, bold italic) where metrics differ


#: Fallback fonts, in the order they are tried for a character the primary font lacks.
FALLBACKS: tuple[FontSpec, ...] = (
    FontSpec(
        "Liberation Sans", "LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf",
        "fonts-liberation", ("LiberationSans-Italic.ttf", "LiberationSans-BoldItalic.ttf"),
    ),
    FontSpec(
        "Noto Sans Arabic", "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf",
        "fonts-noto-core",
    ),
    FontSpec(
        "Noto Sans Hebrew", "NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf",
        "fonts-noto-core",
    ),
    FontSpec(
        "Noto Sans CJK JP", "NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc", "fonts-noto-cjk"
    ),
    FontSpec(EMOJI_FAMILY, "NotoColorEmoji.ttf", None, "fonts-noto-color-emoji"),
    FontSpec("Noto Sans", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "fonts-noto-core"),
    FontSpec("DejaVu Sans", "DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "fonts-dejavu-core"),
)  # fmt: skip

#: the first word of a character's Unicode name that names a script whose Noto font is not
#: called after it, and the package of the scripts in a package of their own
_SCRIPT_PACKAGE = {
    "CJK": "fonts-noto-cjk",
    "HIRAGANA": "fonts-noto-cjk",
    "KATAKANA": "fonts-noto-cjk",
    "HANGUL": "fonts-noto-cjk",
    "IDEOGRAPHIC": "fonts-noto-cjk",
    "EMOJI": "fonts-noto-color-emoji",
}

_SYSTEM_DIRS = (
    "~/.local/share/fonts",
    "~/.fonts",
    "/usr/local/share/fonts",
    "/usr/share/fonts",
    "/Library/Fonts",
    "/System/Library/Fonts",
    "C:/Windows/Fonts",
)


@dataclass(frozen=True)
class Face:
    """One font file found on the machine, loaded lazily: its family, its units per em and the
    advance width of each character it maps."""

    family: str
    path: Path
    package: str

    @property
    def widths(self) -> dict[int, int]:
        return _widths(self.path)[0]

    @property
    def units_per_em(self) -> int:
        return _widths(self.path)[1]

    def width(self, ch: str) -> float | None:
        """Advance width of ``ch`` in 1/1000 em, or ``None`` without a glyph."""
        w = self.widths.get(ord(ch))
        return None if w is None else w * 1000.0 / self.units_per_em


@cache
def _widths(path: Path) -> tuple[dict[int, int], int]:
    with _open(path) as font:
        cmap = font.getBestCmap() or {}
        hmtx = font["hmtx"]
        widths = {cp: hmtx[name][0] for cp, name in cmap.items()}
        return widths, int(font["head"].unitsPerEm)


def _open(path: Path) -> TTFont:
    from fontTools.ttLib import TTFont

    return TTFont(path, fontNumber=0, lazy=True)


def font_dirs() -> list[Path]:
    """The directories searched for fonts: ``JOURNEYMAP_FONT_DIRS`` (``os.pathsep``-separated)
    first, then the system's and the user's font directories that exist."""
    extra = [d for d in os.environ.get("JOURNEYMAP_FONT_DIRS", "").split(os.pathsep) if d]
    found = [Path(d).expanduser() for d in [*extra, *_SYSTEM_DIRS]]
    return [d for d in found if d.is_dir()]


@cache
def _files() -> dict[str, Path]:
    """Every font file under :func:`font_dirs`, by file name (the first found wins)."""
    files: dict[str, Path] = {}
    for root in font_dirs():
        for folder, _, names in sorted(os.walk(root)):
            for name in sorted(names):
                if name.lower().endswith((".ttf", ".otf", ".ttc")):
                    files.setdefault(name, Path(folder) / name)
    return files


@cache
def _face(spec: FontSpec, bold: bool, italic: bool = False) -> Face | None:
    files = _files()
    path = files.get(spec.italic[bold]) if italic and spec.italic else None
    path = path or (files.get(spec.bold) if bold and spec.bold else None)
    path = path or files.get(spec.regular)
    if path is None:
        return None
    if not italic:
        _USED.setdefault(spec.family, {})[bold] = path
    return Face(spec.family, path, spec.package)


#: the files of every family used so far, regular (False) and bold (True)
_USED: dict[str, dict[bool, Path]] = {}


#: the words of a character's Unicode name where the name of its script ends
_AFTER_SCRIPT = frozenset(
    {
        "LETTER", "CAPITAL", "SMALL", "CHARACTER", "SYLLABLE", "IDEOGRAPH", "UNIFIED",
        "COMPATIBILITY", "DIGIT", "SIGN", "VOWEL", "CONSONANT", "LIGATURE", "MARK", "FINAL",
        "MEDIAL", "INITIAL", "ISOLATED", "FORM", "HIEROGLYPH",
    }
)  # fmt: skip


def _script(ch: str) -> str | None:
    """The script of a letter from its Unicode name, upper case: ``ARABIC``, ``CJK``,
    ``OLD HUNGARIAN``."""
    words: list[str] = []
    for word in unicodedata.name(ch, "").split():
        if word in _AFTER_SCRIPT or "-" in word or any(c.isdigit() for c in word):
            if not words and "-" in word:  # KATAKANA-HIRAGANA PROLONGED SOUND MARK
                words.append(word.split("-", 1)[0])
            break
        words.append(word)
        if word == "SYLLABICS":  # CANADIAN SYLLABICS
            break
    return " ".join(words) or None


def _is_emoji(ch: str) -> bool:
    cp = ord(ch)
    return unicodedata.category(ch) == "So" and (0x1F000 <= cp <= 0x1FAFF or 0x2600 <= cp <= 0x27BF)


@cache
def _script_face(script: str, bold: bool) -> Face | None:
    """The Noto Sans font named after a script (``NotoSansThai-Regular.ttf``), if found."""
    camel = "".join(w.capitalize() for w in script.split())
    spec = FontSpec(f"Noto Sans {script.title()}", f"NotoSans{camel}-Regular.ttf",
                    f"NotoSans{camel}-Bold.ttf", "fonts-noto-core")  # fmt: skip
    return _face(spec, bold)


@cache
def font_for(ch: str, bold: bool = False, *, italic: bool = False) -> Face | None:
    """The first fallback font found on the machine with a glyph for ``ch``; ``None`` when no
    font has one (or the character is a control or format character). ``italic`` matters
    for the fonts whose italic is wider (Liberation Sans' Cyrillic and Greek)."""
    if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
        return None
    emoji = _is_emoji(ch)
    for spec in FALLBACKS:
        if emoji != (spec.family == EMOJI_FAMILY) and spec.family != "DejaVu Sans":
            continue  # emoji are drawn in colour, never in a text font's black outline
        face = _face(spec, bold, italic)
        if face is not None and face.width(ch) is not None:
            return face
    script = _script(ch)
    if script is not None and unicodedata.category(ch).startswith("L"):
        face = _script_face(script, bold)
        if face is not None and face.width(ch) is not None:
            return face
    return None


@cache
def _arabic_forms(path: Path) -> dict[str, dict[int, int]]:
    """The advance widths of the contextual forms (``init``, ``medi``, ``fina``) of an Arabic
    font's letters, by code point, from its single substitutions."""
    forms: dict[str, dict[int, int]] = {}
    with _open(path) as font:
        if "GSUB" not in font:
            return forms
        gsub = font["GSUB"].table
        by_glyph: dict[str, list[int]] = {}
        for cp, name in (font.getBestCmap() or {}).items():
            if 0x0600 <= cp <= 0x06FF:
                by_glyph.setdefault(name, []).append(cp)
        hmtx = font["hmtx"]
        for record in gsub.FeatureList.FeatureRecord:
            if record.FeatureTag not in ("init", "medi", "fina"):
                continue
            for index in record.Feature.LookupListIndex:
                for table in gsub.LookupList.Lookup[index].SubTable:
                    table = getattr(table, "ExtSubTable", table)
                    for glyph, form in (getattr(table, "mapping", None) or {}).items():
                        for cp in by_glyph.get(glyph, ()):
                            forms.setdefault(record.FeatureTag, {})[cp] = hmtx[form][0]
    return forms


def arabic_correction(text: str, bold: bool = False) -> float:
    """How much narrower (in 1/1000 em, usually negative) the Arabic letters of ``text`` are
    when joined than the sum of their isolated forms that character widths add up to.

    Letters join by the font's own forms: a letter with an initial form joins both ways, one
    with only a final form joins the letter before it (alef, dal, ra, waw, ...); ligatures
    such as lam-alef are left out, which errs on the wide side."""
    face = None
    for ch in text:
        if 0x0620 <= ord(ch) <= 0x06FF:
            face = font_for(ch, bold)
            break
    if face is None:
        return 0.0
    forms = _arabic_forms(face.path)
    init, medi, fina = forms.get("init", {}), forms.get("medi", {}), forms.get("fina", {})
    scale = 1000.0 / face.units_per_em
    letters = [ord(ch) for ch in text if unicodedata.category(ch) not in ("Mn", "Me", "Cf")]
    delta = 0.0
    for i, cp in enumerate(letters):
        if cp not in fina:
            continue  # not a joining letter (or not Arabic)
        before = letters[i - 1] if i else None
        after = letters[i + 1] if i + 1 < len(letters) else None
        joins_before = before is not None and before in init  # the one before joins forward
        joins_after = cp in init and after is not None and after in fina
        form = (
            medi.get(cp) if joins_before and joins_after
            else fina.get(cp) if joins_before
            else init.get(cp) if joins_after
            else None
        )  # fmt: skip
        isolated = face.widths.get(cp)
        if form is not None and isolated is not None:
            delta += (form - isolated) * scale
    return delta


@cache
def _path_line_factor(path: Path) -> float:
    """A font's line height as a multiple of its size: the larger of its Windows and ``hhea``
    extents (applications differ in which they use for single line spacing)."""
    with _open(path) as font:
        units = font["head"].unitsPerEm
        hhea = font["hhea"]
        extent = hhea.ascent - hhea.descent + hhea.lineGap
        if "OS/2" in font:
            os2 = font["OS/2"]
            extent = max(extent, os2.usWinAscent + os2.usWinDescent)
        return float(extent) / float(units)


#: Liberation Sans' single line height, for a machine without its file
_PRIMARY_LINE = 1.15


def line_factor(text: str, bold: bool = False) -> float:
    """The single line height of ``text`` as a multiple of the font size: that of the
    tallest font drawing it (Noto Sans Arabic's lines are twice as tall as Latin ones)."""
    primary = _face(FALLBACKS[0], bold)
    factor = _PRIMARY_LINE if primary is None else _path_line_factor(primary.path)
    for ch in set(text):
        if not _primary(ch) and unicodedata.category(ch)[0] in "LSN":
            face = font_for(ch, bold)
            if face is not None:
                factor = max(factor, _path_line_factor(face.path))
    return factor


def _primary(ch: str) -> bool:
    """Whether the primary font (Liberation Sans) draws ``ch``: ASCII, Latin-1 and the
    punctuation of the width table, and what no fallback font has."""
    return ord(ch) < 0x250 or 0x2000 <= ord(ch) <= 0x206F


def runs(text: str, bold: bool = False) -> list[tuple[str | None, str]]:
    """``text`` cut into runs drawn by one font each: ``(family, part)`` with ``None`` for the
    primary font. A text the primary font draws alone is one run ``(None, text)``.

    Spaces, digits and punctuation stay in the run they are in when its font has them, so that
    a right-to-left phrase stays one run (and is ordered as one by the renderer)."""
    out: list[tuple[str | None, str]] = []
    family: str | None = None
    face: Face | None = None
    start = 0
    for i, ch in enumerate(text):
        if unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue  # combining marks and joiners go with the character before them
        neutral = not ch.isalpha() and not _is_emoji(ch)
        if neutral and face is not None and face.width(ch) is not None:
            continue
        if _primary(ch):
            new_face, new_family = None, None
        else:
            new_face = font_for(ch, bold)
            # Liberation Sans is the primary font: drawn without a family of its own
            new_family = (
                None if new_face is None or new_face.family == "Liberation Sans"
                else new_face.family
            )  # fmt: skip
            if new_family is None:
                new_face = None
        if new_family != family:
            if i > start:
                out.append((family, text[start:i]))
            start, family, face = i, new_family, new_face
    out.append((family, text[start:]))
    return out


def missing_scripts(texts: Iterable[str]) -> dict[str, str]:
    """The scripts of the letters and emoji in ``texts`` that no font on the machine draws,
    each with the package that would install one (``{"Hiragana": "fonts-noto-cjk"}``)."""
    missing: dict[str, str] = {}
    seen: set[str] = set()
    for text in texts:
        for ch in text:
            if ch in seen or ord(ch) < 0x250:
                continue
            seen.add(ch)
            emoji = _is_emoji(ch)
            if not (emoji or unicodedata.category(ch).startswith("L")):
                continue
            if font_for(ch) is not None:
                continue
            script = "EMOJI" if emoji else (_script(ch) or "UNKNOWN")
            package = _SCRIPT_PACKAGE.get(script.split()[0], "fonts-noto-core")
            missing["CJK" if script == "CJK" else script.title()] = package
    return missing


def warn_missing(texts: Iterable[str]) -> None:
    """A :class:`UserWarning` per script of ``texts`` that no font on the machine draws,
    naming the package to install."""
    for script, package in missing_scripts(texts).items():
        warnings.warn(
            f"no font on this machine draws {script} text: it shows as empty boxes; "
            f"install one, e.g. Debian's {package} (apt-get install {package}), or put a "
            "font in a directory named by JOURNEYMAP_FONT_DIRS",
            UserWarning,
            stacklevel=3,
        )


def extra_font_dirs() -> list[Path]:
    """The font directories a renderer does not search by itself: those of
    ``JOURNEYMAP_FONT_DIRS`` and the user's own (the system's are loaded anyway)."""
    system = {Path(d) for d in _SYSTEM_DIRS if not d.startswith("~")}
    return [d for d in font_dirs() if d not in system]


_SPAN = re.compile(
    r"<tspan x=\"[-\d.]+\" font-family=\"'([^']+)', sans-serif\">(.*?)</tspan>", re.S
)
_TEXT = re.compile(r"<text\b[^>]*>(.*?)</text>", re.S)
_TAG = re.compile(r"<[^>]+>")


def _chars_by_family(svg: str) -> dict[str, set[str]]:
    """The characters each family draws in an SVG drawn by :mod:`~journeymap.rendering.svgkit`:
    the fallback runs' by their ``font-family``, the rest by Liberation Sans."""
    from xml.sax.saxutils import unescape

    found: dict[str, set[str]] = {"Liberation Sans": set()}
    for inner in _TEXT.findall(svg):
        for family, part in _SPAN.findall(inner):
            found.setdefault(family, set()).update(unescape(part))
        found["Liberation Sans"].update(unescape(_TAG.sub("", _SPAN.sub("", inner))))
    return found


def _ranges(cps: list[int]) -> str:
    """Code points as a CSS ``unicode-range``: ``U+20-7E, U+4E00``."""
    out: list[str] = []
    start = prev = cps[0]
    for cp in [*cps[1:], -1]:
        if cp == prev + 1:
            prev = cp
            continue
        out.append(f"U+{start:X}" if start == prev else f"U+{start:X}-{prev:X}")
        start = prev = cp
    return ", ".join(out)


@cache
def _subset(path: Path, text: str) -> bytes:
    """The font at ``path`` cut down to the glyphs of ``text``, as WOFF (zlib, no extra
    dependency)."""
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["*"]
    options.drop_tables = [*options.drop_tables, "FFTM"]
    with _open(path) as font:
        sub = subset.Subsetter(options)
        sub.populate(text=text)
        sub.subset(font)
        out = io.BytesIO()
        font.save(out)
    return out.getvalue()


def font_face_css(svg: str, *, text: str = "") -> str:
    """``@font-face`` rules embedding the fonts that draw an SVG's text (and the Latin font
    for ``text``, e.g. a page's tables), each cut to the characters it draws and declared with
    that ``unicode-range``, so that a browser draws with the fonts the layout measured, and
    several subsets of one family add up. Empty when no font file is found."""
    chars = _chars_by_family(svg)
    chars["Liberation Sans"].update(text)
    for ch in "".join(sorted(c for cs in chars.values() for c in cs)):
        if not _primary(ch):
            font_for(ch)  # makes sure the family's files are known
    primary = FALLBACKS[0]
    _face(primary, False), _face(primary, True)
    rules = []
    for family, used in chars.items():
        files = _USED.get(family, {})
        for bold, path in sorted(files.items()):
            if bold and path == files.get(False):
                continue  # no bold face: the browser emboldens the regular one
            widths = _widths(path)[0]
            cps = sorted({ord(c) for c in used if ord(c) in widths and ord(c) >= 0x20})
            if not cps:
                continue
            data = base64.b64encode(_subset(path, "".join(map(chr, cps)))).decode("ascii")
            rules.append(
                f"@font-face {{ font-family: '{family}'; font-weight: {700 if bold else 400}; "
                f"src: url(data:font/woff;base64,{data}) format('woff'); "
                f"unicode-range: {_ranges(cps)}; }}"
            )
    return "\n".join(rules)
