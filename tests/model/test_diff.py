"""Semantic diff: objects matched by id, changes in the map's own words."""

from __future__ import annotations

import datetime as dt
import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

import journeymap as jm
from journeymap.model import Lane, LaneItem
from journeymap.model.diff import _OTHER, _PHRASES, Change, MapDiff, diff

BASE = """\
id: amber
title: Amber, first purchase
objective: Find out why first orders fail
persona:
  id: amber
  name: Amber, 32
review:
  due: 2026-12-31
stages:
  - id: consideration
    name: Consideration
    touchpoints:
      - id: website
        name: Website visit
        owner: E-commerce
        expected_emotion: Interested
        actual_emotion: Frustrated
      - id: reviews
        name: Customer reviews
  - id: purchase
    name: Purchase
    touchpoints:
      - id: checkout
        name: Checkout
        expected_emotion: Accomplished
        actual_emotion: Confused
      - id: delivery
        name: Delivery
  - id: retention
    name: Retention
    touchpoints:
      - id: email
        name: Nurture email
pain_points:
  - id: long-checkout
    name: Long checkout
    touchpoint: checkout
    severity: medium
opportunities:
  - id: guest-checkout
    name: Guest checkout
    touchpoint: checkout
    status: in-progress
  - id: faq
    name: Rewrite the FAQ
    stage: consideration
    status: idea
kpis:
  - id: conversion
    name: Checkout conversion
    kind: conversion
    value: 32
    target: 40
    unit: '%'
    touchpoint: checkout
  - id: churn
    name: Churn rate
    kind: churn
    value: 16.7
    target: 12
    unit: '%'
lanes:
  - id: regulation
    name: Regulation
    items:
      - text: Age check
        touchpoint: checkout
      - text: Cookie consent
        stage: consideration
  - id: partner
    name: Partner
    items:
      - text: Payment provider
        touchpoint: checkout
"""


def base() -> jm.JourneyMap:
    return jm.loads(BASE)


def kinds(d: MapDiff) -> list[str]:
    return [c.kind for c in d.changes]


def test_no_changes_is_an_empty_diff() -> None:
    d = diff(base(), base())
    assert not d
    assert d.changes == []
    assert len(d) == 0
    assert d.summary() == "no changes"
    assert d.to_text() == "No changes.\n"
    assert d.to_dict() == {"summary": "no changes", "changed": False, "changes": []}


def test_rename_keeps_identity() -> None:
    new = base()
    new.touchpoint("checkout").name = "Checkout process"
    new.stage("purchase").name = "Purchase/Decision"
    d = diff(base(), new)
    assert kinds(d) == ["stage-renamed", "touchpoint-renamed"]
    tp = d.of_kind("touchpoint-renamed")[0]
    assert tp.path == "touchpoints.checkout.name"
    assert (tp.old, tp.new) == ("Checkout", "Checkout process")
    assert tp.message == "Touchpoint renamed 'Checkout' -> 'Checkout process'"
    assert "touchpoint-added" not in kinds(d)
    assert "touchpoint-removed" not in kinds(d)
    assert d.summary() == "1 stage renamed; 1 touchpoint renamed"


def test_move_to_another_stage() -> None:
    new = base()
    delivery = new.stage("purchase").touchpoints.pop()
    new.stage("retention").touchpoints.insert(0, delivery)
    d = diff(base(), new)
    assert kinds(d) == ["touchpoint-moved"]
    (c,) = d.changes
    assert (c.old, c.new, c.stage) == ("purchase", "retention", "retention")
    assert c.message == "Touchpoint 'Delivery' moved from Purchase to Retention"
    assert d.summary() == "1 touchpoint moved"


def test_emotion_delta_on_the_scale() -> None:
    new = base()
    new.touchpoint("checkout").actual_emotion = jm.ActualEmotion(emotion="Frustrated")
    d = diff(base(), new)
    (c,) = d.changes
    assert c.kind == "emotion-changed"
    assert c.path == "touchpoints.checkout.actual_emotion"
    assert c.message == "Checkout: actual emotion Confused (−1) -> Frustrated (−2), −1"
    assert (c.old, c.new, c.delta) == ("Confused", "Frustrated", -1)
    assert d.summary() == "Checkout actual emotion −1"
    assert "-" not in d.summary()  # a true minus sign


def test_emotion_set_removed_and_reworded() -> None:
    new = base()
    new.touchpoint("reviews").expected_emotion = "Reassured"
    new.touchpoint("website").actual_emotion = jm.ActualEmotion(emotion="annoyed")
    new.touchpoint("checkout").actual_emotion = None
    d = diff(base(), new)
    by_tp = {c.subject: c for c in d.of_kind("emotion-changed")}
    assert by_tp["Customer reviews"].message == (
        "Customer reviews: expected emotion set to Reassured (+2)"
    )
    assert by_tp["Customer reviews"].delta is None
    assert by_tp["Website visit"].delta == 0
    assert by_tp["Website visit"].message.endswith("annoyed (−2), same level")
    assert by_tp["Checkout"].message == "Checkout: actual emotion removed (was Confused (−1))"
    # unchanged spelling variants are no change at all
    again = base()
    again.touchpoint("checkout").actual_emotion = jm.ActualEmotion(emotion="confused")
    assert not diff(base(), again)


def test_added_pain_points_and_severity() -> None:
    new = base()
    new.pain_points[0].severity = "critical"
    for i, name in enumerate(["Slow response", "Hard to navigate", "Lost parcel"]):
        new.pain_points.append(jm.PainPoint(id=f"p{i}", name=name, touchpoint="delivery"))
    d = diff(base(), new)
    assert kinds(d) == ["pain-point-severity"] + ["pain-point-added"] * 3
    sev = d.changes[0]
    assert (sev.old, sev.new, sev.delta) == ("medium", "critical", 2)
    assert d.changes[1].message == "New pain point 'Slow response' (medium) at Delivery"
    assert d.changes[1].stage == "purchase"
    assert d.summary() == "3 new pain points; 1 pain point re-rated"


def test_closed_action_and_status_change() -> None:
    new = base()
    new.opportunities[0].status = "done"
    new.opportunities[1].status = "planned"
    d = diff(base(), new)
    assert kinds(d) == ["opportunity-closed", "opportunity-status"]
    closed = d.changes[0]
    assert closed.message == "Action 'Guest checkout' closed: in-progress -> done"
    assert (closed.old, closed.new) == ("in-progress", "done")
    assert d.summary() == "1 action closed; 1 action status changed"


def test_reopening_is_a_status_change_not_a_close() -> None:
    old = base()
    old.opportunities[0].status = "dropped"
    d = diff(old, base())
    assert kinds(d) == ["opportunity-status"]


def test_added_and_removed_objects() -> None:
    new = base()
    new.stages.pop()  # retention and its touchpoint
    new.stage("purchase").touchpoints.append(jm.Touchpoint(id="chat", name="Support chat"))
    new.opportunities.pop()
    new.kpis.append(jm.KPI(id="nps", name="NPS", kind="nps", value=31, target=45))
    d = diff(base(), new)
    assert sorted(kinds(d)) == sorted(
        [
            "stage-removed",
            "touchpoint-added",
            "touchpoint-removed",
            "opportunity-removed",
            "kpi-added",
        ]
    )
    assert d.of_kind("touchpoint-removed")[0].message == (
        "Touchpoint 'Nurture email' removed from Retention"
    )


def test_reordering_reports_only_what_moved() -> None:
    new = base()
    new.stages.insert(0, new.stages.pop())  # retention first
    purchase = new.stage("purchase")
    purchase.touchpoints.reverse()
    d = diff(base(), new)
    assert kinds(d) == ["stage-reordered", "touchpoint-reordered"]
    stage = d.changes[0]
    assert stage.subject == "Retention"
    assert (stage.old, stage.new) == (3, 1)
    # a swap of two: one of them is reported as moved
    assert d.changes[1].message == "Touchpoint 'Checkout' moved from position 1 to 2 in Purchase"


def test_kpi_value_and_target_with_direction() -> None:
    new = base()
    new.kpis[0].value = 41
    new.kpis[1].value = 18.2
    new.kpis[1].target = 10
    d = diff(base(), new)
    assert kinds(d) == ["kpi-value", "kpi-value", "kpi-target"]
    conv, churn, target = d.changes
    assert conv.message == "KPI 'Checkout conversion': value 32% -> 41%, +9 (better)"
    assert conv.delta == 9
    assert conv.stage == "purchase"
    assert churn.message == "KPI 'Churn rate': value 16.7% -> 18.2%, +1.5 (worse)"
    assert target.delta == -2
    assert target.message.endswith("12% -> 10%, −2")


def test_title_persona_objective() -> None:
    new = base()
    new.name = "Amber, repeat purchase"
    new.objective = "Earn the second order"
    assert new.persona is not None
    new.persona.name = "Amber, 33"
    new.persona.age = 33
    d = diff(base(), new)
    assert kinds(d) == ["title-changed", "objective-changed", "persona-changed", "persona-changed"]
    assert d.changes[0].message == "Title 'Amber, first purchase' -> 'Amber, repeat purchase'"
    assert d.changes[3].path == "persona.age"
    assert d.changes[3].new == 33
    assert d.summary() == "title changed; objective changed; persona changed"


def test_other_fields_are_reported_generically() -> None:
    new = base()
    tp = new.touchpoint("website")
    tp.owner = "Digital"
    tp.actions = ["Searches for caffeine"]
    assert new.review is not None
    new.review.due = dt.date(2027, 3, 31)
    d = diff(base(), new)
    by_path = {c.path: c for c in d.changes}
    owner = by_path["touchpoints.website.owner"]
    assert owner.kind == "touchpoint-changed"
    assert owner.message == "Website visit: owner 'E-commerce' -> 'Digital'"
    assert by_path["touchpoints.website.actions"].message == (
        "Website visit: actions set to ['Searches for caffeine']"
    )
    due = by_path["review.due"]
    assert (due.kind, due.old, due.new) == ("map-changed", "2026-12-31", "2027-03-31")
    assert d.summary() == "3 other changes"


def test_actual_emotion_source_is_a_field_change() -> None:
    new = base()
    new.touchpoint("checkout").actual_emotion = jm.ActualEmotion(
        emotion="Confused", source="Survey Feedback"
    )
    (c,) = diff(base(), new).changes
    assert c.path == "touchpoints.checkout.actual_emotion.source"
    assert c.message == "Checkout: actual_emotion.source set to 'Survey Feedback'"


def test_text_is_grouped_by_stage() -> None:
    new = base()
    new.name = "Amber v2"
    new.touchpoint("checkout").actual_emotion = jm.ActualEmotion(emotion="Frustrated")
    new.pain_points.append(jm.PainPoint(id="nav", name="Hard to navigate", stage="consideration"))
    text = diff(base(), new).to_text()
    assert text.splitlines()[0] == ("Checkout actual emotion −1; title changed; 1 new pain point")
    assert text.index("Map\n  - Title") < text.index("Stage Consideration\n  - New pain point")
    assert text.index("Stage Consideration") < text.index(
        "Stage Purchase\n  - Checkout: actual emotion Confused (−1) -> Frustrated (−2), −1"
    )


def test_dict_is_json_ready() -> None:
    new = base()
    assert new.review is not None
    new.review.due = dt.date(2027, 1, 1)
    new.touchpoint("checkout").actual_emotion = jm.ActualEmotion(emotion=-3)
    data = diff(base(), new).to_dict()
    again = json.loads(json.dumps(data, ensure_ascii=False))
    assert again["changed"] is True
    by_kind = {c["kind"]: c for c in again["changes"]}
    assert by_kind["map-changed"]["new"] == "2027-01-01"
    emo = by_kind["emotion-changed"]
    assert (emo["old"], emo["new"], emo["delta"], emo["stage"]) == ("Confused", -3, -2, "purchase")
    assert emo["message"] == "Checkout: actual emotion Confused (−1) -> Angry (−3), −2"


def test_summary_caps_emotion_lines() -> None:
    new = base()
    for tid in ("website", "checkout", "reviews", "delivery", "email"):
        tp = new.touchpoint(tid)
        tp.expected_emotion = "Delighted" if tp.expected_emotion is None else "Angry"
    summary = diff(base(), new).summary()
    assert summary.count("expected emotion") == 2  # the two with a delta; the rest were set
    assert "3 emotions changed" in summary


def test_derived_ids_do_not_survive_a_rename() -> None:
    old = jm.loads("title: T\nstages:\n  - name: Awareness\n")
    new = jm.loads("title: T\nstages:\n  - name: Discovery\n")
    assert sorted(kinds(diff(old, new))) == ["stage-added", "stage-removed"]


def test_change_is_a_frozen_record() -> None:
    c = Change("kpi-value", "kpis.nps.value", "NPS", "NPS: value 1 -> 2, +1", 1, 2, 1, None)
    assert c.to_dict()["delta"] == 1
    assert bool(MapDiff([c])) is True


def test_emotions_written_as_numbers_or_with_levels() -> None:
    old, new = base(), base()
    old.touchpoint("checkout").actual_emotion = jm.ActualEmotion(emotion="Confused (-1)")
    new.touchpoint("checkout").actual_emotion = jm.ActualEmotion(emotion="+2")
    (c,) = diff(old, new).changes
    assert c.message == "Checkout: actual emotion Confused (−1) -> Satisfied (+2), +3"
    assert c.delta == 3


def test_stage_emotions() -> None:
    new = base()
    stage = new.stage("purchase")
    stage.expected_emotion = "Satisfied"
    stage.emotion = "Frustrated"
    d = diff(base(), new)
    assert [c.path for c in d.changes] == [
        "stages.purchase.expected_emotion",
        "stages.purchase.emotion",
    ]
    assert d.changes[1].message == "Purchase: emotion set to Frustrated (−2)"


def test_insights_added_renamed_changed_and_removed_belong_to_the_map() -> None:
    old = base()
    old.insights = [
        jm.Insight(id="survey", name="Survey", n=640),
        jm.Insight(id="tickets", name="Tickets"),
    ]
    new = base()
    new.insights = [
        jm.Insight(id="survey", name="Post-purchase survey", n=1200),
        jm.Insight(id="analytics", name="Analytics"),
    ]
    d = diff(old, new)
    assert kinds(d) == ["insight-renamed", "insight-changed", "insight-added", "insight-removed"]
    renamed, changed, added, removed = d.changes
    assert renamed.message == "Insight renamed 'Survey' -> 'Post-purchase survey'"
    assert changed.message == "Post-purchase survey: n 640 -> 1,200"  # grouped as on the map
    assert (added.message, removed.message) == (
        "New insight 'Analytics'",
        "Insight 'Tickets' removed",
    )
    assert {c.stage for c in d.changes} == {None}


def test_removed_items_keep_the_stage_they_had() -> None:
    new = base()
    new.pain_points, new.opportunities, new.kpis = [], [], new.kpis[1:]
    d = diff(base(), new)
    assert kinds(d) == [
        "pain-point-removed",
        "opportunity-removed",
        "opportunity-removed",
        "kpi-removed",
    ]
    pain, guest, faq, kpi = d.changes
    assert pain.message == "Pain point 'Long checkout' removed (was at Checkout)"
    assert [pain.stage, guest.stage, faq.stage] == ["purchase", "purchase", "consideration"]
    assert (kpi.message, kpi.stage) == ("KPI 'Checkout conversion' removed", "purchase")


def test_kpi_values_are_written_as_the_map_writes_them() -> None:
    old, new = base(), base()
    old.kpis[0].value, old.kpis[0].unit = 1250.0, "orders"
    new.kpis[0].value, new.kpis[0].unit = 1500.5, "orders"
    (change,) = diff(old, new).changes
    assert change.message == (
        "KPI 'Checkout conversion': value 1,250 orders -> 1,500.5 orders, +250.5 (better)"
    )


def test_two_emotions_of_one_touchpoint_are_two_emotions_changed() -> None:
    """The summary once said "1 emotion changed" and listed two (a touchpoint's expected and
    actual emotion, set or removed, counted as one object)."""
    new = base()
    tp = new.touchpoint("checkout")
    tp.expected_emotion = None
    tp.actual_emotion = None
    d = diff(base(), new)
    assert len(d.of_kind("emotion-changed")) == 2
    assert d.summary() == "2 emotions changed"
    assert d.to_text().count("  - Checkout: ") == 2


def test_lanes_and_their_cards() -> None:
    """Before: a changed lane was one "other change" printing both whole lists of lanes."""
    new = base()
    regulation, partner = new.lanes
    regulation.name = "Regulation and law"
    regulation.description = "What the law asks for"
    regulation.items[0].detail = "18 or over"
    regulation.items[1].touchpoint, regulation.items[1].stage = "reviews", None
    regulation.items.append(LaneItem(text="Right to withdraw", touchpoint="delivery"))
    partner.items.clear()
    new.lanes.insert(0, Lane(id="network", name="Network"))
    d = diff(base(), new)
    assert [(c.kind, c.path, c.stage) for c in d.changes] == [
        ("lane-added", "lanes.network", None),
        ("lane-renamed", "lanes.regulation.name", None),
        ("lane-changed", "lanes.regulation.description", None),
        ("lane-card-changed", "lanes.regulation.items.age-check.detail", "purchase"),
        ("lane-card-changed", "lanes.regulation.items.cookie-consent.stage", "consideration"),
        ("lane-card-changed", "lanes.regulation.items.cookie-consent.touchpoint", "consideration"),
        ("lane-card-added", "lanes.regulation.items.right-to-withdraw", "purchase"),
        ("lane-card-removed", "lanes.partner.items.payment-provider", "purchase"),
    ]
    messages = [c.message for c in d.changes]
    assert messages[0] == "New lane 'Network'"
    assert messages[1] == "Lane renamed 'Regulation' -> 'Regulation and law'"
    assert messages[3] == "Regulation and law card 'Age check': detail set to '18 or over'"
    assert messages[6] == "New card 'Right to withdraw' in lane Regulation and law at Delivery"
    assert messages[7] == "Card 'Payment provider' removed from lane Partner (was at Checkout)"
    assert d.summary() == (
        "1 new lane; 1 lane edited; 1 new lane card; 1 lane card removed; 2 lane cards edited"
    )


def test_lanes_and_cards_removed_and_reordered() -> None:
    new = base()
    new.lanes.reverse()
    new.lanes[1].items.reverse()
    d = diff(base(), new)
    assert [c.message for c in d.changes] == [
        "Card 'Age check' moved from position 1 to 2 in lane Regulation",
        "Lane 'Regulation' moved from position 1 to 2",
    ]
    new.lanes = []
    d = diff(base(), new)
    assert kinds(d) == ["lane-removed", "lane-removed"]
    assert d.summary() == "2 lanes removed"
    assert d.to_text().startswith("2 lanes removed\n\nMap\n  - Lane 'Regulation' removed\n")


def test_cards_saying_the_same_are_told_apart_by_their_order() -> None:
    old, new = base(), base()
    old.lanes[1].items.append(LaneItem(text="Payment provider", stage="retention"))
    new.lanes[1].items.append(LaneItem(text="Payment provider", stage="purchase"))
    new.lanes[1].items.append(LaneItem(text="\u6cd5\u5f8b", stage="purchase"))  # no Latin
    d = diff(old, new)
    assert [(c.kind, c.path) for c in d.changes] == [
        ("lane-card-changed", "lanes.partner.items.payment-provider-2.stage"),
        ("lane-card-added", "lanes.partner.items.card-" + d.changes[1].path[-8:]),
    ]
    assert d.summary() == "1 new lane card; 1 lane card edited"


# ---- the summary agrees with the list, over random pairs of maps ------------------------------

_EMOTIONS = [None, "Angry", "Frustrated", "Confused", "Neutral", "Interested", "Satisfied",
             "Delighted", "Hopeful", 2]  # fmt: skip
_SUMMARY_PART = re.compile(r"^(?P<n>\d[\d,]*) (?P<phrase>.+)$")
_NAMED_EMOTION = re.compile(r"^.+ (actual emotion|expected emotion|emotion) [+\u2212]\S+$")


@st.composite
def _edited(draw: st.DrawFn) -> jm.JourneyMap:
    """The base map with a random handful of the edits people make."""
    m = base()
    tps = [tp for _, tp in m.iter_touchpoints()]
    for _ in range(draw(st.integers(0, 8))):
        edit = draw(st.sampled_from(["expected", "actual", "stage", "rename", "move", "pain",
                                     "severity", "kpi", "drop", "title", "lane"]))  # fmt: skip
        tp = draw(st.sampled_from(tps))
        if edit == "expected":
            tp.expected_emotion = draw(st.sampled_from(_EMOTIONS))
        elif edit == "actual":
            word = draw(st.sampled_from(_EMOTIONS))
            tp.actual_emotion = None if word is None else jm.ActualEmotion(emotion=word)
        elif edit == "stage":
            stage = draw(st.sampled_from(m.stages))
            stage.emotion = draw(st.sampled_from(_EMOTIONS))
            stage.expected_emotion = draw(st.sampled_from(_EMOTIONS))
        elif edit == "rename":
            tp.name = draw(st.sampled_from(["Renamed", "Other name", tp.name]))
        elif edit == "move" and len(m.stages[0].touchpoints) > 1:
            moved = m.stages[0].touchpoints.pop()
            m.stages[-1].touchpoints.append(moved)
        elif edit == "pain":
            n = len(m.pain_points)
            m.pain_points.append(jm.PainPoint(id=f"p{n}", name=f"Pain {n}", touchpoint=tp.id))
        elif edit == "severity" and m.pain_points:
            m.pain_points[0].severity = draw(st.sampled_from(["low", "high", "critical"]))
        elif edit == "kpi":
            m.kpis[0].value = draw(st.sampled_from([10.0, 32.0, 55.5]))
        elif edit == "drop" and m.opportunities:
            m.opportunities.pop(0)
        elif edit == "title":
            m.name = "Another title"
        elif edit == "lane":
            lane = draw(st.sampled_from(m.lanes)) if m.lanes else None
            what = draw(st.sampled_from(["card", "detail", "drop-card", "rename", "new", "drop",
                                         "swap"]))  # fmt: skip
            if lane is None or what == "new":
                m.lanes.append(Lane(id=f"lane{len(m.lanes)}", name="Network"))
            elif what == "card":
                text = draw(st.sampled_from(["Age check", "KYC", "Vendor SLA"]))
                lane.items.append(LaneItem(text=text, touchpoint=tp.id))
            elif what == "detail" and lane.items:
                lane.items[0].detail = draw(st.sampled_from([None, "AML", "2-day SLA"]))
                lane.items[0].touchpoint, lane.items[0].stage = tp.id, None
            elif what == "drop-card" and lane.items:
                lane.items.pop(0)
            elif what == "rename":
                lane.name = draw(st.sampled_from(["Law", "Partners", lane.name]))
                lane.description = draw(st.sampled_from([None, "Who we depend on"]))
            elif what == "drop":
                m.lanes.remove(lane)
            elif what == "swap":
                m.lanes.reverse()
                lane.items.reverse()
    return m


def _summary_counts(summary: str) -> tuple[int, dict[str, int]]:
    """How many emotion changes the summary names (one by one, "N more", "N changed"), and
    the count it gives for every other phrase (1 for a phrase without a number)."""
    emotions, counts = 0, {}
    for part in summary.split("; "):
        found = _SUMMARY_PART.match(part)
        if _NAMED_EMOTION.match(part):
            emotions += 1
        elif found is not None and "emotion" in found["phrase"]:
            emotions += int(found["n"].replace(",", ""))
        elif found is not None:
            counts[found["phrase"]] = int(found["n"].replace(",", ""))
        else:
            counts[part] = 1
    return emotions, counts


@settings(max_examples=150, derandomize=True, database=None, deadline=None)
@given(old=_edited(), new=_edited())
def test_the_summary_counts_what_the_diff_lists(old: jm.JourneyMap, new: jm.JourneyMap) -> None:
    d = diff(old, new)
    text = d.to_text()
    listed = [line for line in text.splitlines() if line.startswith("  - ")]
    assert len(listed) == len(d.changes)
    if not d:
        assert d.summary() == "no changes"
        return
    emotions, counts = _summary_counts(d.summary())
    assert emotions == len(d.of_kind("emotion-changed")), text
    # every other phrase counts the objects its listed changes are about
    objects: dict[str, set[str]] = {}
    for c in d.changes:
        if c.kind == "emotion-changed":
            continue
        singular, plural = _PHRASES.get(c.kind, _OTHER)
        # a lane card is an object of its own: lanes.<lane>.items.<card>
        depth = 4 if c.path.startswith("lanes.") and ".items." in c.path else 2
        key = c.path if (singular, plural) == _OTHER else ".".join(c.path.split(".")[:depth])
        objects.setdefault(singular, set()).add(key)
    expected = {}
    for singular, keys in objects.items():
        plural = dict(_PHRASES.values()).get(singular, _OTHER[1])
        n = len(keys)
        expected[singular if n == 1 or plural is None else plural] = n if plural else 1
    assert counts == expected, text
