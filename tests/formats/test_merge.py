"""Three-way merge of two edits of one map (what the team app does on concurrent saves)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from journeymap.errors import MapFileError
from journeymap.formats import dumps, loads, pin_ids
from journeymap.formats.merge import merge
from journeymap.formats.templates import template_text
from journeymap.model import JourneyMap, LaneItem, PainPoint, Stage

BASE = dumps(pin_ids(loads(template_text("ecommerce"))))


def edit(change: Callable[[JourneyMap], None], text: str = BASE) -> str:
    m = loads(text)
    change(m)
    return dumps(m)


def set_expected(tp_id: str, emotion: str) -> Callable[[JourneyMap], None]:
    def change(m: JourneyMap) -> None:
        m.touchpoint(tp_id).expected_emotion = emotion

    return change


def first_two_touchpoints() -> tuple[str, str]:
    m = loads(BASE)
    ids = [tp.id for _, tp in m.iter_touchpoints()]
    return ids[0], ids[1]


def test_edits_to_different_touchpoints_are_both_kept() -> None:
    a, b = first_two_touchpoints()
    ours = edit(set_expected(a, "Delighted"))
    theirs = edit(set_expected(b, "Confused"))
    result = merge(BASE, ours, theirs)
    assert result.clean
    assert result.text is not None
    m = loads(result.text)
    assert m.touchpoint(a).expected_emotion == "Delighted"
    assert m.touchpoint(b).expected_emotion == "Confused"
    # the layout and comments of the stored version are kept
    assert result.text.startswith("# E-commerce first purchase")


def test_the_same_field_changed_twice_is_a_conflict_not_last_writer_wins() -> None:
    a, _ = first_two_touchpoints()
    ours = edit(set_expected(a, "Delighted"))
    theirs = edit(set_expected(a, "Confused"))
    result = merge(BASE, ours, theirs)
    assert result.text is None
    [c] = result.conflicts
    stage = loads(BASE).stage_of(a).id
    assert c.path == f"stages.{stage}.touchpoints.{a}.expected_emotion"
    assert (c.ours, c.theirs) == ("Delighted", "Confused")
    assert c.label.endswith("expected emotion")
    assert loads(BASE).touchpoint(a).name in c.label

    kept = merge(BASE, ours, theirs, resolutions={c.path: "ours"})
    assert kept.text is not None
    assert loads(kept.text).touchpoint(a).expected_emotion == "Delighted"
    kept = merge(BASE, ours, theirs, resolutions={c.path: "theirs"})
    assert kept.text is not None
    assert loads(kept.text).touchpoint(a).expected_emotion == "Confused"


def test_the_same_change_on_both_sides_merges_cleanly() -> None:
    a, _ = first_two_touchpoints()
    ours = edit(set_expected(a, "Delighted"))
    result = merge(BASE, ours, ours)
    assert result.clean
    assert result.text is not None
    assert loads(result.text).touchpoint(a).expected_emotion == "Delighted"


def test_additions_on_both_sides_keep_their_places() -> None:
    def add_pain(m: JourneyMap) -> None:
        m.pain_points.append(PainPoint(id="slow-refund", name="Slow refund", stage=m.stages[0].id))

    def add_stage(m: JourneyMap) -> None:
        m.stages.insert(1, Stage(id="compare", name="Compare"))

    result = merge(BASE, edit(add_pain), edit(add_stage))
    assert result.text is not None
    m = loads(result.text)
    assert m.pain_points[-1].id == "slow-refund"
    base_stages = [s.id for s in loads(BASE).stages]
    assert [s.id for s in m.stages] == [base_stages[0], "compare", *base_stages[1:]]


def test_deleting_what_the_other_edited_is_a_conflict() -> None:
    a, _ = first_two_touchpoints()

    def drop(m: JourneyMap) -> None:
        stage = m.stage_of(a)
        stage.touchpoints = [tp for tp in stage.touchpoints if tp.id != a]
        m.pain_points = [p for p in m.pain_points if p.touchpoint != a]
        m.opportunities = [o for o in m.opportunities if o.touchpoint != a]
        m.kpis = [k for k in m.kpis if k.touchpoint != a]

    result = merge(BASE, edit(drop), edit(set_expected(a, "Confused")))
    assert not result.clean
    assert any(c.path.endswith(f"touchpoints.{a}") and c.ours is None for c in result.conflicts)


def test_two_valid_edits_that_do_not_fit_together_are_refused_with_a_reason() -> None:
    a, _ = first_two_touchpoints()

    def drop(m: JourneyMap) -> None:
        stage = m.stage_of(a)
        stage.touchpoints = [tp for tp in stage.touchpoints if tp.id != a]
        m.pain_points = [p for p in m.pain_points if p.touchpoint != a]
        m.opportunities = [o for o in m.opportunities if o.touchpoint != a]
        m.kpis = [k for k in m.kpis if k.touchpoint != a]

    def point_at(m: JourneyMap) -> None:
        m.pain_points.append(PainPoint(id="new-pain", name="New pain", touchpoint=a))

    with pytest.raises(MapFileError, match="do not fit together"):
        merge(BASE, edit(point_at), edit(drop))


def test_conflicting_reorders_are_a_conflict() -> None:
    def reverse(m: JourneyMap) -> None:
        m.stages.reverse()

    def rotate(m: JourneyMap) -> None:
        m.stages.append(m.stages.pop(0))

    result = merge(BASE, edit(reverse), edit(rotate))
    assert [c.path for c in result.conflicts] == ["stages.(order)"]
    kept = merge(BASE, edit(reverse), edit(rotate), resolutions={"stages.(order)": "ours"})
    assert kept.text is not None
    base_ids = [s.id for s in loads(BASE).stages]
    assert [s.id for s in loads(kept.text).stages] == base_ids[::-1]


# ---- lanes of the map's own: lanes by id, their cards by text -------------------------------

LANES = (
    BASE
    + f"""lanes:
  # what the law asks for
  - id: regulation
    name: Regulation
    items:
      - text: Age check   # 18 or over
        stage: {loads(BASE).stages[0].id}
      - text: Cookie consent
        stage: {loads(BASE).stages[0].id}
  - id: partner
    name: Partner
    items:
      - text: Payment provider
        stage: {loads(BASE).stages[-1].id}
"""
)


def test_lane_edits_on_both_sides_are_merged_card_by_card() -> None:
    """Before: the cards of a lane were one value, so two people adding or editing different
    cards of one lane got a conflict over the whole list."""

    def add_card(m: JourneyMap) -> None:
        m.lanes[0].items.append(LaneItem(text="Right to withdraw", stage=m.stages[1].id))

    def edit_card(m: JourneyMap) -> None:
        m.lanes[0].items[1].detail = "GDPR"
        m.lanes[1].description = "Who we depend on"

    result = merge(LANES, edit(add_card, LANES), edit(edit_card, LANES))
    assert result.clean, result.conflicts
    assert result.text is not None
    m = loads(result.text)
    assert [(c.text, c.detail) for c in m.lanes[0].items] == [
        ("Age check", None),
        ("Cookie consent", "GDPR"),
        ("Right to withdraw", None),
    ]
    assert m.lanes[1].description == "Who we depend on"
    assert "# what the law asks for" in result.text and "# 18 or over" in result.text


def test_one_card_edited_by_both_is_a_conflict_named_by_lane_and_card() -> None:
    def detail(value: str) -> Callable[[JourneyMap], None]:
        def change(m: JourneyMap) -> None:
            m.lanes[0].items[0].detail = value

        return change

    ours, theirs = edit(detail("ID document"), LANES), edit(detail("Credit file"), LANES)
    result = merge(LANES, ours, theirs)
    [c] = result.conflicts
    assert c.path == "lanes.regulation.items.age-check.detail"
    assert c.label == "lane Regulation › card 'Age check' › detail"
    assert (c.base, c.ours, c.theirs) == (None, "ID document", "Credit file")
    kept = merge(LANES, ours, theirs, resolutions={c.path: "ours"})
    assert kept.text is not None
    assert loads(kept.text).lanes[0].items[0].detail == "ID document"


def test_a_lane_deleted_by_one_and_edited_by_the_other_is_a_conflict() -> None:
    def drop(m: JourneyMap) -> None:
        m.lanes.pop(1)

    def rename(m: JourneyMap) -> None:
        m.lanes[1].name = "Partners"

    result = merge(LANES, edit(drop, LANES), edit(rename, LANES))
    [c] = result.conflicts
    assert (c.path, c.ours) == ("lanes.partner", None)
    assert c.label == "lane Partner"  # named as it was


def test_lane_and_card_reorders_merge_like_other_lists() -> None:
    def swap_lanes(m: JourneyMap) -> None:
        m.lanes.reverse()

    def swap_cards(m: JourneyMap) -> None:
        m.lanes[0].items.reverse()

    result = merge(LANES, edit(swap_lanes, LANES), edit(swap_cards, LANES))
    assert result.text is not None
    m = loads(result.text)
    assert [lane.id for lane in m.lanes] == ["partner", "regulation"]
    assert [c.text for c in m.lanes[1].items] == ["Cookie consent", "Age check"]

    def rotate_cards(m: JourneyMap) -> None:
        m.lanes[0].items.append(LaneItem(text="Sanctions list", stage=m.stages[0].id))
        m.lanes[0].items.insert(0, m.lanes[0].items.pop())

    clash = merge(LANES, edit(rotate_cards, edit(swap_cards, LANES)), edit(swap_cards, LANES))
    assert clash.clean  # same reorder on both sides, one addition
    assert clash.text is not None
    texts = [c.text for c in loads(clash.text).lanes[0].items]
    assert texts == ["Sanctions list", "Cookie consent", "Age check"]
