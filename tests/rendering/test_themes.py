"""The themes of the map: the colour-blind theme checked by simulating colour blindness, the print
theme by its greys, dark by its contrast; and the colours each theme puts in the drawing.

Simulation: Machado, Oliveira and Fernandes (2009), "A Physiologically-based Model for
Simulation of Color Vision Deficiency", the matrices for severity 1.0 (complete protanopia,
deuteranopia, tritanopia), applied to linear RGB. Distance: CIEDE2000 in CIELAB (D65).

Threshold: 10. A CIEDE2000 difference of about 1 is just noticeable between two large patches
side by side; for the small marks of a map (12-14 px discs and bars, about 0.3 degrees of
view) the difference that people notice reliably is several times larger (Szafir 2017,
"Modeling Color Difference for Visualization Design", puts it near 5-6 for marks of that
size). 10, about twice that, keeps every pair apart at a glance, not only side by side.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest

import journeymap as jm
from journeymap.errors import UsageError
from journeymap.rendering import to_svg
from journeymap.rendering.svgkit import LEVEL_COLORS
from journeymap.rendering.theme import THEMES, theme

# Machado et al. 2009, severity 1.0
MACHADO = {
    "protanopia": np.array(
        [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
         [-0.003882, -0.048116, 1.051998]]
    ),
    "deuteranopia": np.array(
        [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
         [-0.011820, 0.042940, 0.968881]]
    ),
    "tritanopia": np.array(
        [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
         [0.004733, 0.691367, 0.303900]]
    ),
}  # fmt: skip
THRESHOLD = 10.0


def _linear(hex_colour: str) -> np.ndarray:
    c = np.array([int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear: np.ndarray) -> np.ndarray:
    xyz = np.array(
        [[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
         [0.0193339, 0.1191920, 0.9503041]]
    ) @ np.clip(linear, 0, 1)  # fmt: skip
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> float:
    """CIEDE2000 colour difference (Sharma, Wu and Dalal 2005)."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar**7 / (c_bar**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    dl, dc = l2 - l1, c2p - c1p
    dh = h2p - h1p
    if c1p * c2p == 0:
        dh = 0.0
    elif dh > 180:
        dh -= 360
    elif dh < -180:
        dh += 360
    d_h = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    l_bar, cp_bar = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_bar = (h1p + h2p) / 2
    elif h1p + h2p < 360:
        h_bar = (h1p + h2p + 360) / 2
    else:
        h_bar = (h1p + h2p - 360) / 2
    t = 1 - 0.17 * np.cos(np.radians(h_bar - 30)) + 0.24 * np.cos(np.radians(2 * h_bar))
    t += 0.32 * np.cos(np.radians(3 * h_bar + 6)) - 0.20 * np.cos(np.radians(4 * h_bar - 63))
    d_theta = 30 * np.exp(-(((h_bar - 275) / 25) ** 2))
    r_c = 2 * np.sqrt(cp_bar**7 / (cp_bar**7 + 25**7))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / np.sqrt(20 + (l_bar - 50) ** 2)
    s_c = 1 + 0.045 * cp_bar
    s_h = 1 + 0.015 * cp_bar * t
    r_t = -np.sin(np.radians(2 * d_theta)) * r_c
    return float(np.sqrt((dl / s_l) ** 2 + (dc / s_c) ** 2 + (d_h / s_h) ** 2
                         + r_t * (dc / s_c) * (d_h / s_h)))  # fmt: skip


def _seen(colour: str, vision: str) -> np.ndarray:
    lin = _linear(colour)
    return _lab(lin if vision == "normal" else MACHADO[vision] @ lin)


def test_ciede2000_matches_the_published_test_data() -> None:
    # Sharma, Wu and Dalal (2005), table 1, pairs 1, 7 and 17
    assert ciede2000(np.array([50, 2.6772, -79.7751]), np.array([50, 0, -82.7485])) == (
        pytest.approx(2.0425, abs=1e-4)
    )
    assert ciede2000(np.array([50, 0, 0]), np.array([50, -1, 2])) == pytest.approx(2.3669, abs=1e-4)
    assert ciede2000(np.array([50, 2.5, 0]), np.array([73, 25, -18])) == pytest.approx(
        27.1492, abs=1e-4
    )


def _groups(name: str) -> dict[str, list[str]]:
    """The sets of colours whose members must be told apart from each other."""
    th = theme(name)
    return {
        "emotion levels": [th.levels[k] for k in range(-3, 4)],
        "severities": [th.severity[k] for k in ("low", "medium", "high", "critical")],
        "priorities": [th.priority[k] for k in ("low", "medium", "high")],
        "gap signs": [th.negative, th.positive],
    }


@pytest.mark.parametrize("vision", ["normal", "protanopia", "deuteranopia", "tritanopia"])
@pytest.mark.parametrize("group", ["emotion levels", "severities", "priorities", "gap signs"])
def test_colour_blind_theme_keeps_every_pair_apart(vision: str, group: str) -> None:
    colours = _groups("colour-blind")[group]
    for a, b in itertools.combinations(colours, 2):
        d = ciede2000(_seen(a, vision), _seen(b, vision))
        assert d > THRESHOLD, f"{group}: {a} and {b} are {d:.1f} apart for {vision}"


def test_the_simulation_finds_what_the_light_theme_loses() -> None:
    # the check can fail: RdYlBu's grey centre and palest blue come close under protanopia,
    # which is why the colour-blind theme exists
    d = ciede2000(_seen(LEVEL_COLORS[0], "protanopia"), _seen(LEVEL_COLORS[1], "protanopia"))
    assert d < THRESHOLD
    # and a red/green pair that everyone with normal vision tells apart collapses
    red, green = "#d62728", "#2ca02c"
    normal = ciede2000(_seen(red, "normal"), _seen(green, "normal"))
    deutan = ciede2000(_seen(red, "deuteranopia"), _seen(green, "deuteranopia"))
    assert normal > 40 and deutan < normal / 2


def _lightness(colour: str) -> float:
    return float(_lab(_linear(colour))[0])


@pytest.mark.parametrize("group", ["emotion levels", "severities", "priorities", "gap signs"])
def test_print_theme_is_grey_and_ordered_by_lightness(group: str) -> None:
    colours = _groups("print")[group]
    for c in colours:
        assert c[1:3] == c[3:5] == c[5:7], f"{c} is not grey"
    lightness = [_lightness(c) for c in colours]
    steps = np.diff(lightness)
    # in order (negative dark to positive light; low severity light to critical dark) and at
    # least 8 points of lightness apart, so a greyscale print keeps the order
    assert np.all(steps > 8) or np.all(steps < -8), (group, lightness)


def test_print_drawing_has_no_colour_left(shop_yaml: str) -> None:
    svg = to_svg(jm.loads(shop_yaml), theme_name="print")
    colours = set(re.findall(r'"(#[0-9a-f]{6})"', svg))
    assert colours, "no colours found"
    assert all(c[1:3] == c[3:5] == c[5:7] for c in colours), sorted(colours)


def test_dark_theme_turns_paper_dark_and_ink_light(shop_yaml: str) -> None:
    m = jm.loads(shop_yaml)
    light, dark = to_svg(m), to_svg(m, theme_name="dark")
    paper = re.search(r'<rect x="0" y="0" width="[\d.]+" height="[\d.]+" fill="(#\w+)"', dark)
    assert paper is not None and _lightness(paper.group(1)) < 15
    ink = re.search(r'<text [^>]*font-size="26"[^>]*fill="(#\w+)"', dark)
    assert ink is not None and _lightness(ink.group(1)) > 75
    # the same drawing, recoloured: same elements, same text
    assert light != dark
    assert re.sub(r"#[0-9a-f]{6}", "#", light) == re.sub(r"#[0-9a-f]{6}", "#", dark)
    # emotion colours keep their meaning on dark
    assert theme("dark").levels == theme("light").levels


def test_colour_blind_drawing_uses_its_levels(shop_yaml: str) -> None:
    svg = to_svg(jm.loads(shop_yaml), theme_name="colour-blind")
    th = theme("colour-blind")
    used = set(re.findall(r'fill="(#[0-9a-f]{6})"', svg))
    assert {th.levels[-2], th.levels[2]} & used
    assert not {LEVEL_COLORS[-3], LEVEL_COLORS[3]} & used


def test_theme_names() -> None:
    assert THEMES == ("light", "dark", "print", "colour-blind")
    assert theme("Color-Blind").name == "colour-blind"
    assert theme("greyscale").name == "print"
    with pytest.raises(UsageError, match="expected one of: light, dark, print, colour-blind"):
        theme("neon")


_BARS = """\
title: Bars
stages:
  - name: Buy
    touchpoints:
      - {id: cart, name: Cart}
pain_points:
  - {name: Slow page, touchpoint: cart}
  - {name: Card refused, touchpoint: cart, severity: medium}
  - {name: Lost order, touchpoint: cart, severity: critical}
opportunities:
  - {name: Faster page, touchpoint: cart}
  - {name: Save the cart, touchpoint: cart, priority: medium}
"""


def _bar_of(svg: str, name: str) -> str:
    """The fill of the accent bar (a 4 px wide rect) of the card titled ``name``."""
    at = svg.index(f">{name}<")
    bars = re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="4" height="[\d.]+" fill="(#\w+)"',
                      svg[:at])  # fmt: skip
    assert bars, name
    return bars[-1]


@pytest.mark.parametrize("name", THEMES)
def test_a_level_not_given_gets_the_neutral_bar(name: str) -> None:
    th = theme(name)
    svg = to_svg(jm.loads(_BARS), theme_name=name)
    # no severity or priority given: the neutral bar, not the medium one
    assert _bar_of(svg, "Slow page") == th.neutral
    assert _bar_of(svg, "Faster page") == th.neutral
    # given, even when it is the default value: its colour
    assert _bar_of(svg, "Card refused") == th.severity["medium"]
    assert _bar_of(svg, "Lost order") == th.severity["critical"]
    assert _bar_of(svg, "Save the cart") == th.priority["medium"]
    assert th.neutral not in {*th.severity.values(), *th.priority.values()}
