"""Three-way merge of two edits of one map (what the team app does on concurrent saves)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from journeymap.errors import MapFileError
from journeymap.formats import dumps, loads, pin_ids
from journeymap.formats.merge import merge
from journeymap.formats.templates import template_text
from journeymap.model import JourneyMap, PainPoint, Stage

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
