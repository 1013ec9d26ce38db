"""Mermaid journey diagrams: structure, score mapping, sanitising."""

from __future__ import annotations

import pytest

from journeymap.model import (
    DEFAULT_SCALE,
    EmotionLevel,
    EmotionScale,
    JourneyMap,
    Persona,
    Stage,
    Touchpoint,
)
from journeymap.rendering.mermaid import mermaid_score, to_mermaid


def test_structure() -> None:
    m = JourneyMap(
        name="Amber's first purchase",
        persona=Persona(name="Amber"),
        stages=[
            Stage(
                name="Awareness",
                touchpoints=[
                    Touchpoint(name="Podcast ad", expected_emotion="Interested"),
                    Touchpoint(name="Website visit", actual_emotion="Delighted"),
                ],
            ),
            Stage(
                name="Purchase",
                touchpoints=[
                    Touchpoint(
                        name="Checkout", expected_emotion="Delighted", actual_emotion="Angry"
                    )
                ],
            ),
        ],
    )
    assert to_mermaid(m) == (
        "journey\n"
        "    title Amber's first purchase\n"
        "    section Awareness\n"
        "      Podcast ad: 3.7: Amber\n"
        "      Website visit: 5: Amber\n"
        "    section Purchase\n"
        "      Checkout: 1: Amber\n"  # the actual emotion wins over the expected one
    )


@pytest.mark.parametrize(
    ("level", "score"), [(-3, 1), (-2, 1.7), (-1, 2.3), (0, 3), (1, 3.7), (2, 4.3), (3, 5)]
)
def test_default_scale_maps_linearly_onto_1_to_5(level: int, score: float) -> None:
    assert mermaid_score(level, DEFAULT_SCALE) == score


def test_every_level_of_the_scale_keeps_its_own_score() -> None:
    """Interested and Satisfied (and every other pair of levels) are scored apart, in order;
    the faces Mermaid draws follow the sign: above 3 smiling, 3 neutral, below 3 sad."""
    scores = [mermaid_score(lv.value, DEFAULT_SCALE) for lv in DEFAULT_SCALE.levels]
    assert scores == sorted(set(scores))
    assert mermaid_score(DEFAULT_SCALE.value("Interested"), DEFAULT_SCALE) < mermaid_score(
        DEFAULT_SCALE.value("Satisfied"), DEFAULT_SCALE
    )
    for lv in DEFAULT_SCALE.levels:
        score = mermaid_score(lv.value, DEFAULT_SCALE)
        assert (score > 3, score == 3, score < 3) == (lv.value > 0, lv.value == 0, lv.value < 0)
    m = JourneyMap(
        name="Two moods",
        stages=[
            Stage(
                name="S",
                touchpoints=[
                    Touchpoint(name="A", actual_emotion="Interested"),
                    Touchpoint(name="B", actual_emotion="Satisfied"),
                ],
            )
        ],
    )
    assert to_mermaid(m).splitlines()[3:] == ["      A: 3.7: Customer", "      B: 4.3: Customer"]


def test_back_stage_is_left_out_of_the_customers_journey() -> None:
    m = JourneyMap(
        name="Blueprint",
        stages=[
            Stage(
                name="Order",
                touchpoints=[
                    Touchpoint(name="Checkout", actual_emotion="Satisfied"),
                    Touchpoint(name="Fraud check", lane="backstage", expected_emotion=0),
                    Touchpoint(name="Warehouse", lane="support"),
                ],
            ),
            Stage(
                name="Ship",
                emotion="Interested",
                touchpoints=[Touchpoint(name="Picking", lane="backstage")],
            ),
        ],
    )
    assert to_mermaid(m).splitlines()[2:] == [
        "    section Order",
        "      Checkout: 4.3: Customer",
        "    %% Order, back stage (left out): Fraud check, Warehouse",
        # a stage whose touchpoints are all back stage is drawn from its own emotion
        "    section Ship",
        "      Ship: 3.7: Customer",
        "    %% Ship, back stage (left out): Picking",
    ]


def test_other_scales() -> None:
    five = EmotionScale(levels=[EmotionLevel(value=v, label=f"L{v}") for v in range(1, 6)])
    assert [mermaid_score(v, five) for v in range(1, 6)] == [1, 2, 3, 4, 5]
    ten = EmotionScale(levels=[EmotionLevel(value=v, label=f"L{v}") for v in (0, 10)])
    assert [mermaid_score(v, ten) for v in (0, 2, 5, 8, 10)] == [1, 1.8, 3, 4.2, 5]
    assert mermaid_score(99, ten) == 5  # out of range is clamped
    m = JourneyMap(
        name="Own scale",
        emotion_scale=five,
        stages=[Stage(name="S", touchpoints=[Touchpoint(name="T", actual_emotion="L2")])],
    )
    assert "      T: 2: Customer\n" in to_mermaid(m)


def test_missing_emotions_and_empty_stages() -> None:
    m = JourneyMap(
        name="Sparse",
        stages=[
            Stage(name="Nothing here"),
            Stage(name="Only a mood", emotion="Curious but hesitant"),
            Stage(name="Unknown", touchpoints=[Touchpoint(name="Call")]),
        ],
    )
    lines = to_mermaid(m).splitlines()
    assert "    section Nothing here" not in lines
    assert lines[2:] == [
        "    section Only a mood",
        "      Only a mood: 3: Customer",
        "    section Unknown",
        "      %% Call has no emotion; drawn at 3",
        "      Call: 3: Customer",
    ]


def test_names_are_sanitised() -> None:
    m = JourneyMap(
        name="Step 1: add to cart; pay #2",
        persona=Persona(name="Amber, 32"),
        stages=[
            Stage(
                name="Pre: purchase",
                touchpoints=[Touchpoint(name="Ad:\nwatch  it", actual_emotion="Confused")],
            )
        ],
    )
    lines = to_mermaid(m).splitlines()
    assert lines[1] == "    title Step 1 - add to cart, pay No.2"
    assert lines[2] == "    section Pre - purchase"
    assert lines[3] == "      Ad - watch it: 2.3: Amber 32"
    for line in lines[1:]:
        name = line.strip().split(": ")[0]
        assert not set(name) & set("#;\n"), line
        assert line.count(":") in (0, 2)
