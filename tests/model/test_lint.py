"""Lint rules: each one fires on a minimal map that breaks it, and not on the fixed map."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

import journeymap as jm
from journeymap.model import EventMatch
from journeymap.model.lint import LINT_RULES, LINT_SEVERITIES, LintFinding, lint

TODAY = dt.date(2026, 11, 22)

# A small map that lints clean: every rule below breaks it in one place.
CLEAN = """\
id: mini
title: Amber, first purchase
updated: 2026-11-01
review:
  due: 2026-12-31
  last: 2026-10-01
stages:
  - id: purchase
    name: Purchase
    touchpoints:
      - id: checkout
        name: Checkout
        moment_of_truth: true
        expected_emotion: Accomplished
        actual_emotion:
          emotion: Confused
          source: Survey Feedback
          evidence: [survey]
      - id: delivery
        name: Delivery
        expected_emotion: Satisfied
        actual_emotion:
          emotion: Delighted
          source: Delivery survey
pain_points:
  - id: long-checkout
    name: Long checkout
    touchpoint: checkout
    departments: [E-commerce]
    owner: Checkout PM
    source: Survey Feedback
opportunities:
  - id: guest-checkout
    name: Guest checkout
    touchpoint: checkout
    expected_outcome: Increased conversion rates.
    addresses: [long-checkout]
    owner: Checkout PM
    kpi: conversion
    kpi_target: 40
kpis:
  - id: conversion
    name: Checkout conversion
    kind: conversion
    value: 32
    target: 40
    touchpoint: checkout
  - id: retention
    name: Quarterly retention
    kind: retention
    value: 95
    target: 96
    inputs: {customers_at_start: 1000, customers_at_end: 950}
insights:
  - id: survey
    name: Checkout survey
    kind: survey
    date: 2026-09-30
    n: 640
"""


def clean() -> jm.JourneyMap:
    return jm.loads(CLEAN)


def codes(m: jm.JourneyMap, today: dt.date = TODAY) -> list[str]:
    return [f.code for f in lint(m, today=today)]


def _no_owner(m: jm.JourneyMap) -> None:
    m.pain_points[0].owner = None


def _no_department(m: jm.JourneyMap) -> None:
    m.pain_points[0].departments = []


def _pain_no_source(m: jm.JourneyMap) -> None:
    m.pain_points[0].source = None


def _mot_no_kpi(m: jm.JourneyMap) -> None:
    m.kpis[0].touchpoint = None
    m.kpis[0].stage = "purchase"


def _gap_no_action(m: jm.JourneyMap) -> None:
    m.opportunities.clear()


def _emotion_no_source(m: jm.JourneyMap) -> None:
    m.touchpoint("delivery").actual_emotion = jm.ActualEmotion(emotion="Delighted")


def _measured_no_n(m: jm.JourneyMap) -> None:
    m.touchpoint("delivery").actual_emotion = jm.ActualEmotion(
        emotion="Delighted", source="Delivery CSAT", method="measured"
    )


def _empty_stage(m: jm.JourneyMap) -> None:
    m.stages.append(jm.Stage(id="retention", name="Retention"))


def _no_outcome(m: jm.JourneyMap) -> None:
    m.opportunities[0].expected_outcome = None


def _action_no_owner(m: jm.JourneyMap) -> None:
    m.opportunities[0].owner = None


def _target_no_kpi(m: jm.JourneyMap) -> None:
    m.opportunities[0].kpi = None


def _action_no_kpi(m: jm.JourneyMap) -> None:
    m.opportunities[0].kpi = None
    m.opportunities[0].kpi_target = None


def _kpi_no_target(m: jm.JourneyMap) -> None:
    m.kpis[0].target = None


def _review_overdue(m: jm.JourneyMap) -> None:
    assert m.review is not None
    m.review.due = dt.date(2026, 11, 1)


def _no_review(m: jm.JourneyMap) -> None:
    m.review = None


def _stale(m: jm.JourneyMap) -> None:
    m.insights[0].date = dt.date(2025, 6, 1)


def _future(m: jm.JourneyMap) -> None:
    m.insights[0].date = dt.date(2027, 1, 1)


def _kpi_mismatch(m: jm.JourneyMap) -> None:
    m.kpis[1].value = 90


def _no_outcomes(m: jm.JourneyMap) -> None:
    """The map is measured from an event log, and does not say how a journey ends."""
    m.stages[0].touchpoints[0].events = EventMatch(names=["checkout"])


def _derived_id(m: jm.JourneyMap) -> None:
    m.stages.append(
        jm.Stage(name="Retention", touchpoints=[jm.Touchpoint(id="email", name="Email")])
    )


def _channel_typo(m: jm.JourneyMap) -> None:
    m.stages[0].touchpoints[0].channel = "emial"


BREAKERS: dict[str, Callable[[jm.JourneyMap], None]] = {
    "future-date": _future,
    "kpi-inputs-mismatch": _kpi_mismatch,
    "pain-point-no-owner": _no_owner,
    "pain-point-no-evidence": _pain_no_source,
    "moment-of-truth-no-kpi": _mot_no_kpi,
    "gap-without-action": _gap_no_action,
    "emotion-no-evidence": _emotion_no_source,
    "measured-without-sample": _measured_no_n,
    "empty-stage": _empty_stage,
    "action-no-outcome": _no_outcome,
    "action-no-owner": _action_no_owner,
    "action-target-no-kpi": _target_no_kpi,
    "kpi-no-target": _kpi_no_target,
    "review-overdue": _review_overdue,
    "no-review-date": _no_review,
    "stale-evidence": _stale,
    "pain-point-no-department": _no_department,
    "action-no-kpi": _action_no_kpi,
    "derived-id": _derived_id,
    "no-outcomes": _no_outcomes,
    "channel-near-miss": _channel_typo,
}


def test_the_clean_map_has_no_findings() -> None:
    assert lint(clean(), today=TODAY) == []


#: rules that read the map's latest measurement; tested in test_lint_measurement.py
MEASUREMENT_RULES = {"stale-measurement", "kpi-drift"}


def test_every_rule_is_tested_and_described() -> None:
    assert set(BREAKERS) | MEASUREMENT_RULES == set(LINT_RULES) == set(LINT_SEVERITIES)
    assert not set(BREAKERS) & MEASUREMENT_RULES
    for code, summary in LINT_RULES.items():
        assert summary, code
        assert "\n" not in summary, code
    assert {c for c, s in LINT_SEVERITIES.items() if s == "error"} == {
        "future-date",
        "kpi-inputs-mismatch",
    }
    assert LINT_SEVERITIES["derived-id"] == "info"
    assert LINT_SEVERITIES["gap-without-action"] == "warning"


@pytest.mark.parametrize("code", sorted(BREAKERS))
def test_rule_fires_on_a_broken_map_only(code: str) -> None:
    m = clean()
    assert code not in codes(m)
    BREAKERS[code](m)
    found = [f for f in lint(m, today=TODAY) if f.code == code]
    assert found, f"{code} did not fire"
    f = found[0]
    assert f.severity == LINT_SEVERITIES[code]
    assert f.message
    assert str(f) == f"{f.severity}: {f.message} [{code}]"


def test_locations_point_at_the_offending_object() -> None:
    m = clean()
    _no_owner(m)
    _gap_no_action(m)
    _review_overdue(m)
    by_code = {f.code: f.loc for f in lint(m, today=TODAY)}
    assert by_code["pain-point-no-owner"] == ("pain_points", 0)
    assert by_code["gap-without-action"] == ("stages", 0, "touchpoints", 0, "actual_emotion")
    assert by_code["review-overdue"] == ("review", "due")


def test_findings_come_in_file_order() -> None:
    m = clean()
    for breaker in (_no_owner, _review_overdue, _empty_stage, _kpi_no_target, _no_outcome):
        breaker(m)
    locs = [str(f.loc[0]) if f.loc else "" for f in lint(m, today=TODAY)]
    order = ["review", "stages", "pain_points", "opportunities", "kpis"]
    assert [x for x in order if x in locs] == order
    assert locs == sorted(locs, key=order.index)


def test_pain_point_owner_message_names_the_departments() -> None:
    m = clean()
    _no_owner(m)
    (f,) = [f for f in lint(m, today=TODAY) if f.code == "pain-point-no-owner"]
    assert "E-commerce" in f.message


def test_evidence_ids_alone_are_a_source_of_insight() -> None:
    m = clean()
    p = m.pain_points[0]
    p.source = None
    p.evidence = ["survey"]
    assert "pain-point-no-evidence" not in codes(m)


def test_touchpoint_evidence_backs_its_actual_emotion() -> None:
    m = clean()
    _emotion_no_source(m)
    m.touchpoint("delivery").evidence = ["survey"]
    assert "emotion-no-evidence" not in codes(m)


def test_gap_is_addressed_through_a_pain_point_on_the_touchpoint() -> None:
    m = clean()
    o = m.opportunities[0]
    o.touchpoint = None
    o.stage = "purchase"
    assert "gap-without-action" not in codes(m)  # still addresses long-checkout on checkout
    o.addresses = []
    assert "gap-without-action" in codes(m)


def test_dropped_actions_do_not_count_and_are_not_linted() -> None:
    m = clean()
    o = m.opportunities[0]
    o.status = "dropped"
    o.owner = None
    o.expected_outcome = None
    found = codes(m)
    assert "gap-without-action" in found
    assert "action-no-owner" not in found
    assert "action-no-outcome" not in found
    o.status = "done"
    assert "gap-without-action" not in codes(m)


def test_positive_or_missing_gap_needs_no_action() -> None:
    m = clean()
    _gap_no_action(m)
    tp = m.touchpoint("checkout")
    tp.expected_emotion = "Confused"
    assert "gap-without-action" not in codes(m)
    tp.expected_emotion = None
    assert "gap-without-action" not in codes(m)


def test_gap_message_gives_the_gap_on_the_scale() -> None:
    m = clean()
    _gap_no_action(m)
    (f,) = [f for f in lint(m, today=TODAY) if f.code == "gap-without-action"]
    assert "Confused" in f.message
    assert "Satisfied" in f.message
    assert "gap −3" in f.message


def test_review_due_today_is_not_overdue() -> None:
    m = clean()
    assert m.review is not None
    m.review.due = TODAY
    assert "review-overdue" not in codes(m)
    assert "review-overdue" in codes(m, today=TODAY + dt.timedelta(days=1))


def test_review_without_due_date() -> None:
    m = clean()
    assert m.review is not None
    m.review.due = None
    m.review.every = "quarterly"
    (f,) = [f for f in lint(m, today=TODAY) if f.code == "no-review-date"]
    assert f.loc == ("review",)
    assert "quarterly" in f.message


def test_stale_evidence_boundary() -> None:
    m = clean()
    m.insights[0].date = TODAY - dt.timedelta(days=365)
    assert "stale-evidence" not in codes(m)
    m.insights[0].date = TODAY - dt.timedelta(days=366)
    assert "stale-evidence" in codes(m)


def test_future_dates_everywhere_they_cannot_be() -> None:
    m = clean()
    m.updated = dt.date(2027, 1, 1)
    assert m.review is not None
    m.review.last = dt.date(2027, 1, 1)
    act = m.touchpoint("checkout").actual_emotion
    assert act is not None
    act.as_of = dt.date(2027, 1, 1)
    locs = [f.loc for f in lint(m, today=TODAY) if f.code == "future-date"]
    assert ("updated",) in locs
    assert ("review", "last") in locs
    assert ("stages", 0, "touchpoints", 0, "actual_emotion", "as_of") in locs
    # a future *due* date is what a review date is for
    assert "future-date" not in codes(clean())


@pytest.mark.parametrize(
    ("kind", "inputs", "value", "ok"),
    [
        ("retention", {"customers_at_start": 1000, "customers_at_end": 950}, 95, True),
        ("retention", {"customers_at_start": 1000, "customers_at_end": 950}, 95.4, True),
        ("retention", {"customers_at_start": 1000, "customers_at_end": 950}, 90, False),
        (
            "retention",
            {"customers_at_start": 4200, "customers_at_end": 4650, "new_customers": 1150},
            83.3,
            True,
        ),
        ("churn", {"customers_at_start": 1000, "lost_customers": 50}, 5, True),
        ("churn", {"customers_at_start": 1000, "lost_customers": 50}, 10, False),
        (
            "churn",
            {"customers_at_start": 1000, "customers_at_end": 1100, "new_customers": 200},
            10,
            True,
        ),
        ("churn", {"customers_at_start": 1000}, 10, True),  # not enough inputs to check
    ],
)
def test_kpi_inputs_use_the_seed_formulas(
    kind: str, inputs: dict[str, float], value: float, ok: bool
) -> None:
    m = clean()
    m.kpis[1] = jm.KPI.model_validate(
        {"id": "k", "name": "K", "kind": kind, "value": value, "target": 1, "inputs": inputs}
    )
    assert ("kpi-inputs-mismatch" not in codes(m)) is ok


def test_derived_ids_are_info_with_their_location() -> None:
    m = jm.loads("title: T\nstages:\n  - name: Awareness\n    touchpoints:\n      - name: Web\n")
    found = [f for f in lint(m, today=TODAY) if f.code == "derived-id"]
    assert {f.loc for f in found} == {(), ("stages", 0), ("stages", 0, "touchpoints", 0)}
    assert all(f.severity == "info" for f in found)
    assert any("journeymap fmt" in f.message for f in found)


def test_finding_is_frozen() -> None:
    f = LintFinding("empty-stage", "warning", "m", ("stages", 0))
    with pytest.raises(AttributeError):
        f.code = "x"  # type: ignore[misc]


def test_lint_defaults_to_today() -> None:
    m = clean()
    assert m.review is not None
    m.review.due = dt.date.today() - dt.timedelta(days=1)
    assert "review-overdue" in [f.code for f in lint(m)]


def test_stage_gap_needs_an_action_in_the_stage() -> None:
    m = clean()
    stage = m.stage("purchase")
    stage.expected_emotion = "Satisfied"
    stage.emotion = "Frustrated"
    assert "gap-without-action" not in codes(m)  # guest-checkout sits on a touchpoint here
    _gap_no_action(m)
    locs = [f.loc for f in lint(m, today=TODAY) if f.code == "gap-without-action"]
    assert ("stages", 0, "emotion") in locs
    stage.emotion = "Delighted"
    locs = [f.loc for f in lint(m, today=TODAY) if f.code == "gap-without-action"]
    assert ("stages", 0, "emotion") not in locs


def test_a_channel_of_any_name_is_fine_and_a_near_miss_is_a_warning() -> None:
    m = clean()
    tp = m.stages[0].touchpoints[0]
    names = ("post", "branch", "whatsapp", "ivr", "video", "kiosk", "home-visit", "e-mail")
    for name in names:  # known channels, other names of them, and any other name
        tp.channel = name
        assert "channel-near-miss" not in codes(m), name
    tp.channel = "Emial"  # normalised to lower case, then close to 'email'
    (found,) = [f for f in lint(m, today=TODAY) if f.code == "channel-near-miss"]
    assert found.severity == "warning"
    assert found.loc == ("stages", 0, "touchpoints", 0, "channel")
    assert "'emial'" in found.message and "'email'" in found.message
