"""The pure layout: positions, wrapping, lanes, the emotion curve, pins, and readability."""

from __future__ import annotations

from itertools import combinations

import pytest

import journeymap as jm
from journeymap.model import JourneyMap
from journeymap.rendering import layout
from journeymap.rendering.header import persona_initials
from journeymap.rendering.layout import COL_MIN
from journeymap.rendering.view import MapView, Rect, Text

SMALL = """
title: Small map
persona: {name: Sam, quote: "Make it quick", goals: [Buy fast]}
stages:
  - name: Browse
    customer_goal: Find a product
    touchpoints:
      - name: Home page
        channel: web
        actions: [Opens the site]
        thoughts: ["Nice colours"]
        expected_emotion: Interested
        actual_emotion: Curious
      - name: Search
        channel: search
        expected_emotion: Satisfied
        actual_emotion: -1
  - name: Buy
    touchpoints:
      - name: Checkout
        channel: web
        moment_of_truth: true
        expected_emotion: Satisfied
        actual_emotion: Frustrated
      - name: Fraud check
        channel: system
        lane: backstage
        systems: [Radar]
pain_points:
  - {name: Slow search, touchpoint: search, severity: high}
  - {name: Too many steps, stage: buy}
opportunities:
  - {name: One-page checkout, touchpoint: checkout, expected_outcome: More orders}
kpis:
  - {name: NPS, kind: nps, value: 20, target: 30}
  - {name: Conversion, kind: conversion, stage: buy, value: 3, unit: "%"}
"""


@pytest.fixture
def small() -> JourneyMap:
    return jm.loads(SMALL)


def _texts_of(view: MapView) -> list[str]:
    return [t.text for box in view.all_boxes() for t in box.lines]


def _box_text(lines: tuple[Text, ...]) -> str:
    return " ".join(t.text for t in lines)


# ---- the grid ---------------------------------------------------------------------------------


def test_stages_are_columns_in_map_order(small: JourneyMap) -> None:
    view = layout(small)
    assert [s.stage_id for s in view.stages] == ["browse", "buy"]
    first, second = view.stages
    assert first.x + first.w == pytest.approx(second.x)
    # one sub-column per front-stage touchpoint; the back-stage one gets none
    assert [c.touchpoint_id for c in first.subcolumns] == ["home-page", "search"]
    assert [c.touchpoint_id for c in second.subcolumns] == ["checkout"]
    assert all(c.w >= COL_MIN for s in view.stages for c in s.subcolumns)


def test_lanes_top_to_bottom_in_order(small: JourneyMap) -> None:
    view = layout(small)
    keys = [lane.key for lane in view.lanes]
    assert keys == [
        "actions",
        "touchpoints",
        "thoughts",
        "emotion",
        "pains",
        "opportunities",
        "backstage",
        "kpis",
    ]
    for upper, lower in zip(view.lanes, view.lanes[1:], strict=False):
        assert upper.bottom == pytest.approx(lower.y)
    assert view.stages[0].header.rect.bottom <= view.lanes[0].y


def test_empty_lanes_are_left_out() -> None:
    m = jm.loads("title: T\nstages:\n  - name: A\n    touchpoints:\n      - name: X\n")
    view = layout(m)
    assert [lane.key for lane in view.lanes] == ["touchpoints"]
    assert view.emotion is None
    assert view.visibility_y is None
    assert not any(item.kind == "expected" for item in view.legend)


def test_width_is_a_target_and_the_canvas_grows_when_needed(small: JourneyMap) -> None:
    assert layout(small, width=2400).width == 2400
    narrow = layout(small, width=400)
    n = sum(len(s.subcolumns) for s in narrow.stages)
    assert narrow.width >= n * COL_MIN
    assert narrow.grid.right <= narrow.width


def test_layout_is_deterministic(sample_map: JourneyMap) -> None:
    assert layout(sample_map) == layout(sample_map)


def test_a_map_without_stages_still_lays_out() -> None:
    view = layout(JourneyMap(name="Nothing yet"))
    assert view.stages == ()
    assert view.lanes == ()
    assert view.header.title[0].text == "Nothing yet"


# ---- text ------------------------------------------------------------------------------------


def test_long_names_wrap_inside_their_card() -> None:
    long_name = "Compare the premium membership with free returns against the basic plan"
    m = jm.loads(f"title: T\nstages:\n  - name: A\n    touchpoints:\n      - name: {long_name}\n")
    card = layout(m).touchpoints[0]
    name_lines = [t for t in card.box.lines if t.bold and t.size == 12.0]
    assert len(name_lines) >= 2
    assert " ".join(t.text for t in name_lines) == long_name
    for t in card.box.lines:
        assert card.box.rect.contains(t.bounds)


def test_stage_header_has_name_and_goal(small: JourneyMap) -> None:
    header = layout(small).stages[0].header
    assert _box_text(header.lines) == "Browse Goal: Find a product"
    assert header.lines[0].tone == "inverse"


def test_persona_header(small: JourneyMap) -> None:
    view = layout(small)
    persona = view.header.persona
    assert persona is not None
    text = _box_text(persona.lines)
    assert "Sam" in text
    assert "\u201cMake it quick\u201d" in text
    assert "Buy fast" in text
    assert view.header.initials is not None
    assert view.header.initials.text == "S"


# ---- emotion curve ---------------------------------------------------------------------------


def test_one_point_per_touchpoint_and_signed_gaps(small: JourneyMap) -> None:
    curve = layout(small).emotion
    assert curve is not None
    assert [p.touchpoint_id for p in curve.expected] == ["home-page", "search", "checkout"]
    assert [p.touchpoint_id for p in curve.actual] == ["home-page", "search", "checkout"]
    gaps = {g.touchpoint_id: g for g in curve.gaps}
    assert {k: g.gap for k, g in gaps.items()} == {"home-page": 0, "search": -3, "checkout": -4}
    assert gaps["checkout"].label.text == "\u22124"
    assert gaps["home-page"].label.text == "0"
    # the connector runs from expected to actual; worse is lower on the canvas
    checkout = gaps["checkout"]
    assert checkout.y_actual > checkout.y_expected
    assert checkout.y_expected < checkout.pill.y + checkout.pill.h / 2 < checkout.y_actual


def test_points_sit_on_their_touchpoint_and_level(small: JourneyMap) -> None:
    view = layout(small)
    curve = view.emotion
    assert curve is not None
    centers = {c.touchpoint_id: c.center for s in view.stages for c in s.subcolumns}
    ticks = {t.value: t.y for t in curve.ticks}
    assert sorted(ticks) == [-3, -2, -1, 0, 1, 2, 3]
    for p in (*curve.expected, *curve.actual):
        assert p.x == pytest.approx(centers[p.touchpoint_id])
        assert p.y == pytest.approx(ticks[p.value])
    assert curve.zero_y == pytest.approx(ticks[0])
    assert ticks[3] < ticks[0] < ticks[-3]


def test_point_labels_are_written_with_the_authors_word(small: JourneyMap) -> None:
    curve = layout(small).emotion
    assert curve is not None
    actual = {p.touchpoint_id: _box_text(p.label) for p in curve.actual}
    expected = {p.touchpoint_id: _box_text(p.label) for p in curve.expected}
    assert actual == {
        "home-page": "Curious +1",
        "search": "Confused \u22121",
        "checkout": "Frustrated \u22122",
    }
    assert expected["checkout"] == "Satisfied +2"
    # actual labels are bold, expected ones italic: not told apart by colour alone
    assert all(t.bold and not t.italic for p in curve.actual for t in p.label)
    assert all(t.italic and not t.bold for p in curve.expected for t in p.label)


def test_worse_actual_label_goes_below_its_point(small: JourneyMap) -> None:
    curve = layout(small).emotion
    assert curve is not None
    act = next(p for p in curve.actual if p.touchpoint_id == "checkout")
    exp = next(p for p in curve.expected if p.touchpoint_id == "checkout")
    assert act.label[0].bounds.y > act.y
    assert exp.label[-1].bounds.bottom < exp.y


def test_custom_scale_is_squeezed_onto_the_colour_ramp() -> None:
    m = jm.loads(
        """
title: Five levels
emotion_scale:
  levels:
    - {value: 1, label: Awful}
    - {value: 2, label: Bad}
    - {value: 3, label: Meh}
    - {value: 4, label: Good}
    - {value: 5, label: Great}
stages:
  - name: A
    touchpoints:
      - {name: X, expected_emotion: Great, actual_emotion: Awful}
"""
    )
    curve = layout(m).emotion
    assert curve is not None
    assert [t.value for t in curve.ticks] == [1, 2, 3, 4, 5]
    assert curve.zero_y is None
    assert curve.expected[0].tone == 3
    assert 0 < curve.actual[0].tone < 3
    assert curve.gaps[0].gap == -4


# ---- pins, back stage, KPIs --------------------------------------------------------------------


def test_pins_attach_to_their_touchpoint_or_span_their_stage(small: JourneyMap) -> None:
    view = layout(small)
    subs = {c.touchpoint_id: c for s in view.stages for c in s.subcolumns}
    stages = {s.stage_id: s for s in view.stages}
    pins = {p.box.item_id: p for p in view.pins}
    slow = pins["slow-search"]
    assert slow.kind == "pain"
    assert slow.touchpoint_id == "search"
    assert slow.stage_id == "browse"
    assert (
        subs["search"].x
        < slow.box.rect.x
        < slow.box.rect.right
        < subs["search"].x + subs["search"].w
    )
    assert slow.level == "high"
    steps = pins["too-many-steps"]
    assert steps.touchpoint_id is None
    buy = stages["buy"]
    assert buy.x < steps.box.rect.x and steps.box.rect.right < buy.x + buy.w
    assert steps.box.rect.w > buy.w - 20
    opp = pins["one-page-checkout"]
    assert opp.kind == "opportunity"
    assert subs["checkout"].x < opp.box.rect.x < subs["checkout"].x + subs["checkout"].w
    assert "Outcome: More orders" in _box_text(opp.box.lines)
    pains_lane = view.lane("pains")
    opps_lane = view.lane("opportunities")
    assert pains_lane is not None and opps_lane is not None
    assert pains_lane.y < slow.box.rect.y < pains_lane.bottom
    assert opps_lane.y < opp.box.rect.y < opps_lane.bottom


def test_backstage_touchpoints_go_below_the_line_of_visibility(small: JourneyMap) -> None:
    view = layout(small)
    back = next(c for c in view.touchpoints if c.lane != "frontstage")
    lane = view.lane("backstage")
    assert lane is not None
    assert view.visibility_y == pytest.approx(lane.y)
    assert lane.y < back.box.rect.y < lane.bottom
    buy = next(s for s in view.stages if s.stage_id == "buy")
    assert buy.x <= back.box.rect.x < buy.x + buy.w
    assert back.icon == "system"
    assert "Systems: Radar" in _box_text(back.box.lines)


def test_moment_of_truth_marker(small: JourneyMap) -> None:
    cards = {c.box.touchpoint_id: c for c in layout(small).touchpoints}
    assert cards["checkout"].moment_of_truth
    assert cards["checkout"].marker is not None
    assert "Moment of truth" in _box_text(cards["checkout"].box.lines)
    assert cards["home-page"].marker is None
    assert cards["home-page"].icon == "web"


def test_kpis_in_their_stage_and_journey_kpis_in_the_header(small: JourneyMap) -> None:
    view = layout(small)
    assert [k.box.item_id for k in view.header.kpis] == ["nps"]
    assert view.header.kpis[0].on_target is False
    (conv,) = view.kpis
    buy = next(s for s in view.stages if s.stage_id == "buy")
    assert buy.x <= conv.box.rect.x < buy.x + buy.w
    assert "3%" in _box_text(conv.box.lines)
    assert conv.on_target is None


# ---- readability of a big map ------------------------------------------------------------------


def _assert_readable(view: MapView) -> None:
    boxes = view.all_boxes()
    canvas = Rect(0, 0, view.width, view.height)
    for a, b in combinations(boxes, 2):
        assert not a.rect.overlaps(b.rect), f"{a.kind} {a.rect} overlaps {b.kind} {b.rect}"
    for box in boxes:
        assert canvas.contains(box.rect)
        for line in box.lines:
            assert box.rect.contains(line.bounds), f"{line.text!r} sticks out of {box.kind}"
    for lane in view.lanes:
        for line in lane.title:
            assert line.bounds.right <= view.grid.x + view.gutter
            assert lane.y <= line.bounds.y and line.bounds.bottom <= lane.bottom
    # the persona card comes first, on the left; the title block stays right of it and
    # above the grid
    persona = view.header.persona
    for line in (*view.header.title, *view.header.subtitle):
        assert line.bounds.bottom <= view.grid.y
        assert line.bounds.x >= (persona.rect.right if persona else 0.0)
        assert line.bounds.right <= view.width
    # cards of a lane stay inside the lane
    for card in view.touchpoints:
        lane = next(la for la in view.lanes if la.y <= card.box.rect.y < la.bottom)
        assert card.box.rect.bottom <= lane.bottom
    curve = view.emotion
    assert curve is not None
    marks: list[Rect] = [g.pill for g in curve.gaps]
    marks += [t.bounds for p in (*curve.expected, *curve.actual) for t in p.label]
    for m1, m2 in combinations(marks, 2):
        assert not m1.overlaps(m2), f"emotion labels collide: {m1} {m2}"
    for r in marks:
        assert curve.area.contains(r)
    for tick in curve.ticks:
        assert tick.label.bounds.x >= view.grid.x
        assert tick.label.bounds.right <= curve.area.x


def test_six_stages_forty_touchpoints_stay_readable(big_map: JourneyMap) -> None:
    assert len(big_map.stages) == 6
    assert sum(tp.lane == "frontstage" for _, tp in big_map.iter_touchpoints()) == 40
    view = layout(big_map)
    assert sum(len(s.subcolumns) for s in view.stages) == 40
    assert all(c.w >= COL_MIN for s in view.stages for c in s.subcolumns)
    assert view.width >= 40 * COL_MIN
    _assert_readable(view)
    # every touchpoint, pain point and opportunity is drawn: nothing dropped
    assert len(view.touchpoints) == len(list(big_map.iter_touchpoints()))
    assert len(view.pins) == len(big_map.pain_points) + len(big_map.opportunities)


def test_sample_map_is_readable_at_any_width(sample_map: JourneyMap) -> None:
    for width in (None, 600, 1280, 3000):
        _assert_readable(layout(sample_map, width=width))


def test_all_text_of_the_map_is_on_the_visual(sample_map: JourneyMap) -> None:
    text = " ".join(_texts_of(layout(sample_map)))
    for _, tp in sample_map.iter_touchpoints():
        first_word = tp.name.split()[0]
        assert first_word in text
    for p in sample_map.pain_points:
        assert p.name.split()[0] in text


def test_lines_break_where_a_touchpoint_has_no_actual_emotion() -> None:
    m = jm.loads(
        """
title: Gaps in the data
stages:
  - name: A
    touchpoints:
      - {name: One, expected_emotion: 1, actual_emotion: 2}
      - {name: Two, expected_emotion: 1}
      - {name: Three, expected_emotion: 1, actual_emotion: -1}
      - {name: Four, expected_emotion: 0, actual_emotion: -2}
"""
    )
    curve = layout(m).emotion
    assert curve is not None
    assert [[p.touchpoint_id for p in run] for run in curve.runs(curve.actual)] == [
        ["one"],
        ["three", "four"],
    ]
    assert len(curve.runs(curve.expected)) == 1
    assert [g.touchpoint_id for g in curve.gaps] == ["one", "three", "four"]


@pytest.mark.parametrize(
    ("name", "letters"),
    [
        ("Maya, 34", "M"),
        ("Amber Lee, 32", "AL"),
        ("Amber, 32 — first-time buyer", "A"),
        ("Jean-Luc Picard", "JP"),
        ("Priya (38)", "P"),
        ("34, Maya", "M"),
        ("田中 花子", "田花"),
        ("42", ""),
    ],
)
def test_persona_initials_come_from_words_of_letters_only(name: str, letters: str) -> None:
    assert persona_initials(name) == letters
    m = jm.JourneyMap(name="M", persona=jm.Persona(name=name), stages=[jm.Stage(name="S")])
    initials = layout(m).header.initials
    assert initials is not None and initials.text == letters
