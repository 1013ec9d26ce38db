"""Maps shared by the render tests: the realistic fixture and a big generated one."""

from __future__ import annotations

from pathlib import Path

import pytest

import journeymap as jm
from journeymap.model import (
    CHANNELS,
    KPI,
    ActualEmotion,
    JourneyMap,
    Opportunity,
    PainPoint,
    Persona,
    Stage,
    Touchpoint,
)

FIXTURES = Path(__file__).parent / "fixtures"

_TEXT = (
    "Compares delivery options and prices across three different shops before deciding "
    "whether the premium membership with free returns is worth it this time"
)
_WORDS = _TEXT.split()
_EMOTIONS = ["Angry", "Frustrated", "Confused", "Neutral", "Interested", "Satisfied", "Delighted"]


def _phrase(i: int, n: int) -> str:
    return " ".join(_WORDS[(i + k) % len(_WORDS)] for k in range(n)).capitalize()


def make_big_map(n_stages: int = 6, n_touchpoints: int = 40) -> JourneyMap:
    """A map with many stages and touchpoints, with text of every length, built in code."""
    stages: list[Stage] = []
    per = [
        n_touchpoints // n_stages + (1 if s < n_touchpoints % n_stages else 0)
        for s in range(n_stages)
    ]
    k = 0
    for s, count in enumerate(per):
        tps: list[Touchpoint] = []
        for _ in range(count):
            name = f"Step {k + 1}: " + _phrase(k, 1 + k % 9)
            tps.append(
                Touchpoint(
                    id=f"tp-{k + 1}",
                    name=name,
                    channel=CHANNELS[k % len(CHANNELS)],
                    owner="Customer experience and operations" if k % 4 == 0 else None,
                    actions=[_phrase(k + j, 2 + (k + j) % 12) for j in range(k % 4)],
                    thoughts=[_phrase(k * 3, 3 + k % 14)] if k % 3 else [],
                    expected_emotion=_EMOTIONS[(k * 2) % 7],
                    actual_emotion=ActualEmotion(emotion=_EMOTIONS[(k * 5 + 1) % 7])
                    if k % 5
                    else None,
                    moment_of_truth=k % 7 == 3,
                    systems=["CRM", "Order management system"] if k % 6 == 1 else [],
                )
            )
            k += 1
        tps.append(
            Touchpoint(
                id=f"back-{s + 1}",
                name=f"Back office process {s + 1} with a long descriptive name",
                channel="system",
                lane="backstage" if s % 2 else "support",
                owner="Operations",
                systems=["ERP"],
            )
        )
        stages.append(
            Stage(
                id=f"stage-{s + 1}",
                name=f"Stage {s + 1} " + _phrase(s, 1 + s % 4),
                customer_goal=_phrase(s * 2, 4 + s * 3),
                touchpoints=tps,
            )
        )
    pains = [
        PainPoint(
            id=f"pain-{i}",
            name=_phrase(i, 3 + i % 8),
            touchpoint=f"tp-{i}",
            severity=("low", "medium", "high", "critical")[i % 4],
            source="Support tickets and session recordings",
        )
        for i in range(1, n_touchpoints + 1, 3)
    ]
    pains.append(PainPoint(id="pain-stage", name="Whole stage is slow", stage="stage-2"))
    opps = [
        Opportunity(
            id=f"opp-{i}",
            name=_phrase(i + 5, 2 + i % 6),
            touchpoint=f"tp-{i}",
            expected_outcome=_phrase(i * 2, 4 + i % 10),
            owner="Digital",
            status="planned",
        )
        for i in range(2, n_touchpoints + 1, 4)
    ]
    opps.append(Opportunity(id="opp-stage", name="Redesign the stage", stage="stage-3"))
    kpis = [
        KPI(id="nps", name="NPS", kind="nps", value=12, target=30),
        KPI(id="conv", name="Conversion", kind="conversion", stage="stage-3", value=2.4, unit="%"),
        KPI(
            id="churn", name="Churn", kind="churn", touchpoint="tp-5", value=4.1, target=5, unit="%"
        ),
    ]
    return JourneyMap(
        id="big",
        name="A big journey with many touchpoints to check that the layout stays readable",
        persona=Persona(name="Pat", quote="I just want it to work.", goals=["Get it done"]),
        stages=stages,
        pain_points=pains,
        opportunities=opps,
        kpis=kpis,
    )


@pytest.fixture
def sample_map() -> JourneyMap:
    return jm.load(FIXTURES / "sample_map.yaml")


@pytest.fixture
def big_map() -> JourneyMap:
    return make_big_map()
