"""Themes of the map's visual: light (the default), dark, print (greyscale) and colour-blind safe.

A theme is the colours of what carries meaning (the seven levels of an emotion, a negative and a
positive gap, the severity of a pain point, the priority of an opportunity, the moment-of-truth
star) plus a rule for everything else (paper, ink, lines, card fills), which the drawing applies
to the finished SVG:

- ``light``: the kit's palette (ColorBrewer RdYlBu for emotions), as drawn everywhere else.
- ``dark``: light ink on a dark canvas. The lightness of every structural colour is turned
  over (white paper becomes near black, dark ink near white, a dark stage chevron a light one
  with dark words), hue kept; the colours of meaning stay, as they read on dark too.
- ``print``: greyscale for a black-and-white printer. Every level, severity and priority is a
  grey of its own lightness, in order (the most negative emotion darkest, the most positive
  lightest); meaning never rests on the grey alone, since emotions keep their shapes (diamond
  expected, disc actual), dashed and solid lines and written labels, severity its meter bars
  and gaps their signed pills.
- ``colour-blind``: an orange-to-blue ramp whose steps differ in lightness as well as hue, so
  every pair of levels, of severities and of priorities stays apart under protanopia,
  deuteranopia and tritanopia (checked by a simulation test, ``tests/rendering/test_themes.py``:
  Machado et al. 2009, CIEDE2000 above 10). The light theme's RdYlBu does not pass that test
  (its grey centre and palest blue come within 5 under protanopia), hence this theme.
"""

from __future__ import annotations

import colorsys
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, get_args

from journeymap.errors import UsageError
from journeymap.rendering import svgkit as kit

__all__ = ["THEMES", "Theme", "ThemeName", "theme"]

ThemeName = Literal["light", "dark", "print", "colour-blind"]
THEMES: tuple[ThemeName, ...] = get_args(ThemeName)
#: other spellings a user may type
_ALIASES = {"color-blind": "colour-blind", "colorblind": "colour-blind", "cb": "colour-blind",
            "greyscale": "print", "grayscale": "print"}  # fmt: skip

_HEX = re.compile(r'(?<=")#[0-9a-fA-F]{6}(?=")')


@dataclass(frozen=True)
class Theme:
    """The colours of one theme; see the module's docstring."""

    name: ThemeName
    levels: dict[int, str]
    negative: str
    positive: str
    severity: dict[str, str]
    priority: dict[str, str]
    star: str
    #: the accent bar of a pain point or opportunity whose severity or priority is not given
    neutral: str = "#a9b4c2"
    #: how every other colour of the drawing changes (None: it stays)
    other: Callable[[str], str] | None = field(default=None, compare=False)

    def level(self, tone: int) -> str:
        return self.levels[max(-3, min(3, tone))]

    def meaning(self) -> set[str]:
        """The colours of meaning, which :meth:`recolor` leaves alone."""
        return {*self.levels.values(), self.negative, self.positive, *self.severity.values(),
                *self.priority.values(), self.star, self.neutral}  # fmt: skip

    def recolor(self, svg: str) -> str:
        """The drawing's structural colours (every ``"#rrggbb"`` attribute that is not a colour
        of meaning) changed by the theme's rule."""
        rule = self.other
        if rule is None:
            return svg
        keep = {c.lower() for c in self.meaning()}
        cache: dict[str, str] = {}

        def swap(found: re.Match[str]) -> str:
            c = found.group(0).lower()
            if c in keep:
                return c
            if c not in cache:
                cache[c] = rule(c)
            return cache[c]

        return _HEX.sub(swap, svg)


def _rgb(c: str) -> tuple[float, float, float]:
    return int(c[1:3], 16) / 255, int(c[3:5], 16) / 255, int(c[5:7], 16) / 255


def _hex(r: float, g: float, b: float) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, v)) * 255):02x}" for v in (r, g, b))


def _turned_over(c: str) -> str:
    """The same hue with its lightness turned over: white paper -> near black, ink -> near
    white."""
    h, lightness, s = colorsys.rgb_to_hls(*_rgb(c))
    return _hex(*colorsys.hls_to_rgb(h, 0.09 + (1 - lightness) * 0.84, s))


def _grey(c: str) -> str:
    """The grey of the same relative luminance (Rec. 709 weights on linear light)."""

    def lin(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(v) for v in _rgb(c))
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    v = 12.92 * y if y <= 0.0031308 else 1.055 * y ** (1 / 2.4) - 0.055
    return _hex(v, v, v)


_LIGHT = Theme(
    name="light",
    levels=dict(kit.LEVEL_COLORS),
    negative=kit.NEGATIVE,
    positive=kit.POSITIVE,
    severity=dict(kit.SEVERITY_COLORS),
    priority=dict(kit.PRIORITY_COLORS),
    star=kit.STAR_FILL,
)

_DARK = Theme(
    name="dark",
    levels=dict(kit.LEVEL_COLORS),
    negative="#f06a5e",
    positive="#6fa8dc",
    severity={"critical": "#ff8a80", "high": "#f0614f", "medium": "#e8825a", "low": "#b8654b"},
    priority={"high": "#8dbbf0", "medium": "#5a92d0", "low": "#38618f"},
    star=kit.STAR_FILL,
    neutral="#6b7685",
    other=_turned_over,
)

_PRINT = Theme(
    name="print",
    # darkest for the most negative, lightest for the most positive: 7 steps of about 12
    # points of CIELAB lightness, from 18 to 95
    levels={
        -3: "#2b2b2b",
        -2: "#4d4d4d",
        -1: "#6f6f6f",
        0: "#949494",
        1: "#b5b5b5",
        2: "#d4d4d4",
        3: "#f0f0f0",
    },
    negative="#262626",
    positive="#7a7a7a",
    severity={"critical": "#1a1a1a", "high": "#4d4d4d", "medium": "#808080", "low": "#b3b3b3"},
    priority={"high": "#262626", "medium": "#666666", "low": "#a6a6a6"},
    star="#9a9a9a",
    neutral="#c8c8c8",
    other=_grey,
)

_COLOUR_BLIND = Theme(
    name="colour-blind",
    levels={
        -3: "#7f3b08",
        -2: "#d66a10",
        -1: "#f8c471",
        0: "#cccccc",
        1: "#8fc1e3",
        2: "#3a7dc0",
        3: "#0b2f6b",
    },
    negative="#b04a05",
    positive="#1f5fa6",
    severity={"critical": "#4a1d06", "high": "#a3400e", "medium": "#e8873a", "low": "#f9d3a6"},
    priority={"high": "#0b2f6b", "medium": "#3a7dc0", "low": "#a9cdee"},
    star=kit.STAR_FILL,
)

_BY_NAME: dict[str, Theme] = {t.name: t for t in (_LIGHT, _DARK, _PRINT, _COLOUR_BLIND)}


def theme(name: str = "light") -> Theme:
    """The theme called ``name`` (one of :data:`THEMES`; ``color-blind`` and ``greyscale``
    are understood too); a :class:`UsageError` naming them otherwise."""
    key = _ALIASES.get(name.strip().lower(), name.strip().lower())
    found = _BY_NAME.get(key)
    if found is None:
        raise UsageError(f"unknown theme {name!r}; expected one of: {', '.join(THEMES)}")
    return found
