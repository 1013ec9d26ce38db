"""Consistency checks beyond field types: unique ids, references, emotions on the scale."""

from __future__ import annotations

from typing import Any

import pytest

from journeymap.model.checks import check_map
from journeymap.model.journey import JourneyMap


def _map(**extra: Any) -> JourneyMap:
    data: dict[str, Any] = {
        "title": "Checks",
        "stages": [
            {"id": "find", "name": "Find", "touchpoints": [{"id": "ad", "name": "Ad"}]},
            {"id": "buy", "name": "Buy", "touchpoints": [{"id": "pay", "name": "Pay"}]},
        ],
        "insights": [{"id": "interviews", "name": "Interviews"}],
    }
    for key, value in extra.items():
        if key == "touchpoint":  # fields of the first touchpoint
            data["stages"][0]["touchpoints"][0].update(value)
        else:
            data[key] = value
    return JourneyMap.model_validate(data)


CASES: dict[str, tuple[JourneyMap, tuple[str | int, ...], str]] = {
    "duplicate-touchpoint-id": (
        _map(
            stages=[
                {"name": "S", "touchpoints": [{"id": "a", "name": "A"}, {"id": "a", "name": "B"}]}
            ]
        ),
        ("stages", 0, "touchpoints", 1, "id"),
        "duplicate touchpoint id 'a' (first used at stages.0.touchpoints.0.id)",
    ),
    "duplicate-kpi-id": (
        _map(kpis=[{"id": "nps", "name": "NPS"}, {"id": "nps", "name": "NPS again"}]),
        ("kpis", 1, "id"),
        "duplicate KPI id 'nps'",
    ),
    "emotion-word-off-the-scale": (
        _map(touchpoint={"actual_emotion": "Grumpy"}),
        ("stages", 0, "touchpoints", 0, "actual_emotion"),
        "unknown emotion 'Grumpy'",
    ),
    "emotion-in-a-mapping-off-the-scale": (
        _map(touchpoint={"actual_emotion": {"emotion": "Grumpy", "source": "x"}}),
        ("stages", 0, "touchpoints", 0, "actual_emotion", "emotion"),
        "unknown emotion 'Grumpy'",
    ),
    "unknown-evidence": (
        _map(touchpoint={"actual_emotion": {"emotion": "Neutral", "evidence": ["survey"]}}),
        ("stages", 0, "touchpoints", 0, "actual_emotion", "evidence", 0),
        "unknown insight 'survey'; expected one of: interviews",
    ),
    "supports-itself": (
        _map(touchpoint={"supports": ["ad"]}),
        ("stages", 0, "touchpoints", 0, "supports", 0),
        "a touchpoint cannot support itself",
    ),
    "supports-unknown": (
        _map(touchpoint={"supports": ["nowhere"]}),
        ("stages", 0, "touchpoints", 0, "supports", 0),
        "unknown touchpoint 'nowhere'; expected one of: ad, pay",
    ),
    "touchpoint-of-another-stage": (
        _map(pain_points=[{"name": "Slow", "stage": "find", "touchpoint": "pay"}]),
        ("pain_points", 0, "touchpoint"),
        "touchpoint 'pay' is in stage 'buy', not in stage 'find'",
    ),
    "not-placed": (
        _map(opportunities=[{"name": "Fix"}]),
        ("opportunities", 0),
        "expected a 'stage' or a 'touchpoint' to place it on the map",
    ),
    "addresses-unknown": (
        _map(opportunities=[{"name": "Fix", "stage": "buy", "addresses": ["slow"]}]),
        ("opportunities", 0, "addresses", 0),
        "unknown pain point 'slow'; expected a pain point defined in the map (there are none)",
    ),
    "kpi-unknown": (
        _map(opportunities=[{"name": "Fix", "stage": "buy", "kpi": "nps"}]),
        ("opportunities", 0, "kpi"),
        "unknown KPI 'nps'",
    ),
    "kpi-on-unknown-touchpoint": (
        _map(kpis=[{"name": "NPS", "touchpoint": "checkout"}]),
        ("kpis", 0, "touchpoint"),
        "unknown touchpoint 'checkout'",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_one_finding_located_at_the_value(case: str) -> None:
    m, loc, message = CASES[case]
    (finding,) = check_map(m)
    assert finding.loc == loc
    assert finding.message.startswith(message), finding.message


def test_a_consistent_map_has_no_finding() -> None:
    assert check_map(_map(kpis=[{"name": "NPS", "stage": "buy", "touchpoint": "pay"}])) == []


def test_findings_come_in_file_order() -> None:
    m = _map(
        stages=[
            {"id": "s", "name": "S", "emotion": "Grumpy"},
            {"id": "s", "name": "T"},
        ],
        pain_points=[{"name": "P", "stage": "nowhere"}],
        kpis=[{"name": "K", "stage": "nowhere"}],
    )
    assert [f.loc for f in check_map(m)] == [
        ("stages", 1, "id"),  # ids first
        ("stages", 0, "emotion"),
        ("pain_points", 0, "stage"),
        ("kpis", 0, "stage"),
    ]
