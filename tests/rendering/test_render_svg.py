"""The SVG drawing: a golden file, well-formed and escaped XML, and what the curve shows."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from itertools import pairwise
from pathlib import Path

import pytest

import journeymap as jm
from journeymap.model import CHANNELS, JourneyMap, Stage, Touchpoint
from journeymap.rendering import layout, to_svg
from journeymap.rendering.icons import CHANNEL_ICONS
from journeymap.rendering.svgkit import LEVEL_COLORS
from journeymap.rendering.view import Rect

GOLDEN = Path(__file__).parents[1] / "golden" / "ecommerce-small.svg"
NS = {"svg": "http://www.w3.org/2000/svg"}

SMALL = """
title: Jo's first order
scenario: First purchase
objective: See where first orders fail
persona:
  name: Jo Doe
  age: 41
  quote: Just tell me when it arrives.
  goals: [Order in two minutes]
stages:
  - name: Consideration
    customer_goal: Pick the right size
    touchpoints:
      - name: Product page
        channel: web
        owner: E-commerce
        actions: [Reads the size guide]
        thoughts: ["Does it run small?"]
        expected_emotion: Interested
        actual_emotion: Confused
        systems: [Shopify]
      - name: Reviews
        channel: review-site
        expected_emotion: Satisfied
        actual_emotion: Satisfied
  - name: Purchase
    customer_goal: Pay safely
    touchpoints:
      - name: Checkout
        channel: web
        moment_of_truth: true
        actions: [Enters card details]
        expected_emotion: Satisfied
        actual_emotion: Frustrated
      - name: Fraud check
        channel: system
        lane: backstage
        owner: Finance
pain_points:
  - {name: Card declined, touchpoint: checkout, severity: critical, source: Support tickets}
opportunities:
  - {name: Retry payment, touchpoint: checkout, expected_outcome: Fewer failed orders}
kpis:
  - {name: Conversion, kind: conversion, stage: purchase, value: 2.5, target: 3, unit: "%"}
"""


@pytest.fixture
def small() -> JourneyMap:
    return jm.loads(SMALL)


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_golden_file(small: JourneyMap) -> None:
    svg = to_svg(small)
    if os.environ.get("JOURNEYMAP_UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(svg, encoding="utf-8")
    assert GOLDEN.exists(), f"{GOLDEN} is missing; run with JOURNEYMAP_UPDATE_GOLDEN=1"
    expected = GOLDEN.read_text(encoding="utf-8")
    assert svg == expected, (
        "the SVG differs from the golden file; look at the new picture and, if it is right, "
        "run the tests with JOURNEYMAP_UPDATE_GOLDEN=1"
    )


def test_output_is_deterministic_and_has_no_ids(small: JourneyMap) -> None:
    svg = to_svg(small)
    assert svg == to_svg(jm.loads(SMALL))
    assert re.search(r'\sid="', svg) is None
    assert not re.search(r"20\d\d-\d\d-\d\dT", svg)  # no timestamps


def test_well_formed_with_size_and_font_stack(small: JourneyMap) -> None:
    root = _parse(to_svg(small))
    view = layout(small)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert float(root.attrib["width"]) == view.width
    assert float(root.attrib["height"]) == view.height
    assert root.attrib["font-family"].startswith("'Liberation Sans', Arial")
    assert root.find("svg:title", NS) is not None


def test_text_is_escaped() -> None:
    m = JourneyMap(
        name='Tom & Jerry <script>alert("x")</script>',
        stages=[Stage(name="A & B", touchpoints=[Touchpoint(name="<b>bold</b>")])],
    )
    svg = to_svg(m)
    assert "<script>" not in svg
    assert "<b>" not in svg
    root = _parse(svg)
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert 'Tom & Jerry <script>alert("x")</script>' in texts
    assert "A & B" in texts
    assert "<b>bold</b>" in texts


def _chains(root: ET.Element, series: str, area: Rect) -> list[list[tuple[float, float]]]:
    """The coloured pieces of the expected (dashed) or actual (solid) line in the curve's
    ``area``, joined into chains of the points they pass: a piece that starts where the one
    before ended goes on its chain."""
    chains: list[list[tuple[float, float]]] = []
    for line in root.iter("{http://www.w3.org/2000/svg}line"):
        a = line.attrib
        if a.get("stroke") not in LEVEL_COLORS.values():
            continue
        if not area.y <= float(a["y1"]) <= area.y + area.h:  # the legend's samples
            continue
        if (a.get("stroke-dasharray") == "6 4") != (series == "expected"):
            continue
        if series == "actual" and a.get("stroke-width") != "2.4":
            continue
        start = (float(a["x1"]), float(a["y1"]))
        end = (float(a["x2"]), float(a["y2"]))
        if chains and chains[-1][-1] == start:
            chains[-1].append(end)
        else:
            chains.append([start, end])
    return chains


def test_curve_expected_dashed_actual_solid_with_labels_and_gaps(small: JourneyMap) -> None:
    root = _parse(to_svg(small))
    curve = layout(small).emotion
    assert curve is not None
    # three touchpoints on the curve: each line one chain from the first point to the last
    for series, points in (("expected", curve.expected), ("actual", curve.actual)):
        (chain,) = _chains(root, series, curve.area)
        assert (chain[0], chain[-1]) == ((points[0].x, points[0].y), (points[-1].x, points[-1].y))
        assert {(p.x, p.y) for p in points} <= set(chain)
    texts = ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "Frustrated \u22122" in texts
    assert "Confused \u22121" in texts
    assert "Interested +1" in texts
    # signed gaps at each touchpoint: -2, 0 and -4
    for gap in ("\u22122", "0", "\u22124"):
        assert gap in texts
    # markers: diamonds for expected, circles for actual, coloured by level
    frustrated = LEVEL_COLORS[-2]
    circles = list(root.iter("{http://www.w3.org/2000/svg}circle"))
    assert any(c.attrib.get("fill") == frustrated for c in circles)
    diamonds = [
        p
        for p in root.iter("{http://www.w3.org/2000/svg}polygon")
        if len(p.attrib["points"].split()) == 4 and p.attrib.get("fill") == LEVEL_COLORS[2]
    ]
    assert len(diamonds) >= 2  # "Satisfied +2" expected at Reviews and at Checkout


def test_legend_names_every_symbol(small: JourneyMap) -> None:
    svg = to_svg(small)
    for label in (
        "Expected emotion",
        "Actual emotion",
        "Gap (actual \u2212 expected)",
        "Pain point",
        "Opportunity",
        "Moment of truth",
        "Angry \u22123",
        "Delighted +3",
    ):
        assert f">{label}</text>" in svg


def test_every_channel_has_its_own_icon() -> None:
    assert set(CHANNEL_ICONS) == set(CHANNELS)
    assert len(set(CHANNEL_ICONS.values())) == len(CHANNELS)
    tps = [Touchpoint(name=f"Via {c}", channel=c) for c in CHANNELS]
    m = JourneyMap(name="Channels", stages=[Stage(name="All", touchpoints=tps)])
    svg = to_svg(m)
    _parse(svg)
    for label in ("Web", "SMS", "Review site", "In-product", "Delivery", "Other"):
        assert f">{label}</text>" in svg
    # one icon group per touchpoint, each scaled into its card
    assert svg.count('stroke-linecap="round" stroke-linejoin="round">') == len(CHANNELS)


def test_persona_and_title_are_drawn(small: JourneyMap) -> None:
    svg = to_svg(small)
    assert ">Jo's first order</text>" in svg or ">Jo&apos;s first order</text>" in svg
    assert ">Jo Doe</text>" in svg
    assert ">JD</text>" in svg  # the avatar's initials
    assert "\u201cJust tell me when it arrives.\u201d" in svg


def test_actual_line_does_not_bridge_a_missing_value() -> None:
    m = jm.loads(
        """
title: Holes
stages:
  - name: A
    touchpoints:
      - {name: One, expected_emotion: 1, actual_emotion: 2}
      - {name: Two, expected_emotion: 1}
      - {name: Three, expected_emotion: 1, actual_emotion: -1}
      - {name: Four, expected_emotion: 0, actual_emotion: -2}
"""
    )
    root = _parse(to_svg(m))
    curve = layout(m).emotion
    assert curve is not None
    three, four = curve.actual[1:]
    # one solid line, from Three to Four; One stands alone; the dashed line through all four
    assert [(c[0], c[-1]) for c in _chains(root, "actual", curve.area)] == [
        ((three.x, three.y), (four.x, four.y))
    ]
    assert len(_chains(root, "expected", curve.area)) == 1


def test_the_lines_are_coloured_by_the_level_they_run_through() -> None:
    m = jm.loads(
        """
title: Colours
stages:
  - name: A
    touchpoints:
      - {name: One, expected_emotion: 2, actual_emotion: -2}
      - {name: Two, expected_emotion: 2, actual_emotion: 2}
"""
    )
    curve = layout(m).emotion
    assert curve is not None
    actual = [s for s in curve.segments if s.series == "actual"]
    # from Frustrated to Satisfied: red, orange, grey, pale blue, blue
    assert [s.tone for s in actual] == [-2, -1, 0, 1, 2]
    one, two = curve.actual
    assert (actual[0].x1, actual[0].y1) == (one.x, one.y)
    assert (actual[-1].x2, actual[-1].y2) == pytest.approx((two.x, two.y))
    ticks = {t.value: t.y for t in curve.ticks}
    for a, b in pairwise(actual):
        assert (a.x2, a.y2) == (b.x1, b.y1)  # the pieces join, end to start
        # and change colour half-way between two levels
        assert a.y2 == pytest.approx((ticks[a.tone] + ticks[b.tone]) / 2)
    # a flat line is one piece in one colour
    assert [s.tone for s in curve.segments if s.series == "expected"] == [2]
    svg = to_svg(m)
    for tone in (-2, -1, 0, 1, 2):
        assert f'stroke="{LEVEL_COLORS[tone]}" stroke-width="2.4"' in svg
    # the expected line keeps its dashes, the actual line is solid, both over a casing
    assert f'stroke="{LEVEL_COLORS[2]}" stroke-width="2" stroke-dasharray="6 4"' in svg
    assert svg.count('stroke="#1f2933" stroke-width="4.6" stroke-linecap="round"') >= 5


def test_any_channel_is_drawn_known_ones_with_their_icon_others_with_a_neutral_one() -> None:
    m = jm.loads(
        """
title: Opening a current account
stages:
  - name: Open
    touchpoints:
      - {name: Welcome pack, channel: Letter}
      - {name: Advice, channel: WhatsApp}
      - {name: Self-service, channel: Kiosk}
      - {name: Hotline menu, channel: IVR}
      - {name: Counter, channel: Post Office}
      - {name: Menu, channel: Phone menu}
"""
    )
    tps = [tp for _, tp in m.iter_touchpoints()]
    assert [tp.channel for tp in tps] == [
        "letter", "whatsapp", "kiosk", "ivr", "post-office", "phone-menu",
    ]  # fmt: skip
    svg = to_svg(m)
    for label in ("Letter", "WhatsApp", "Kiosk", "IVR", "Post office", "Phone menu"):
        assert f">{label}</text>" in svg, label
    icons = {key: body.replace("{c}", "#27374d") for key, body in CHANNEL_ICONS.items()}
    for key in ("letter", "whatsapp", "ivr"):
        assert icons[key] in svg, key
    # kiosk and post office: the neutral icon, once each; a phone menu is an IVR
    assert svg.count(icons["other"]) == 2
    assert svg.count(icons["ivr"]) == 2
