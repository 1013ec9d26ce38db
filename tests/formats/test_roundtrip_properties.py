"""Property tests: any valid map survives save/load, in YAML and JSON, and edits stay local."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import journeymap as jm
from journeymap.model import DEFAULT_SCALE

# Text as people type it into a map: letters (some accented), digits, punctuation, spaces,
# YAML-significant characters and words ("yes", "null", "- x", "a: b", "#"), line breaks.
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
PUNCTUATION = " -_:#'\"&*!?%@,.[]{}|>"
TEXT = st.text(
    alphabet=st.sampled_from([*LETTERS, *PUNCTUATION, "é", "ü", "ß", "✓", "—", "\n"]),
    min_size=1,
    max_size=40,
).filter(lambda s: s.strip() != "")
SPECIAL = st.sampled_from(["yes", "no", "null", "~", "1.0", "0x1F", "- item", "key: value", "@x"])
WORDS = st.one_of(TEXT, SPECIAL)
NAMES = st.text(alphabet=st.sampled_from(list("abcdefghij ")), min_size=1, max_size=12).filter(
    lambda s: any(c.isalpha() for c in s)
)
EMOTION = st.one_of(st.sampled_from(DEFAULT_SCALE.words()), st.integers(-3, 3))


@st.composite
def maps(draw: Any) -> jm.JourneyMap:
    n_stages = draw(st.integers(1, 4))
    stages = []
    used: set[str] = set()
    tp_ids: list[tuple[str, str]] = []
    for i in range(n_stages):
        tps = []
        for j in range(draw(st.integers(0, 3))):
            tid = f"tp-{i}-{j}"
            tp_ids.append((f"s{i}", tid))
            actual = draw(st.one_of(st.none(), EMOTION))
            tps.append(
                jm.Touchpoint(
                    id=tid,
                    name=draw(WORDS),
                    channel=draw(st.sampled_from(["web", "app", "email", "store", None])),
                    expected_emotion=draw(st.one_of(st.none(), EMOTION)),
                    actual_emotion=None if actual is None else jm.ActualEmotion(emotion=actual),
                    thoughts=draw(st.lists(WORDS, max_size=2)),
                    moment_of_truth=draw(st.booleans()),
                )
            )
        name = draw(NAMES)
        used.add(name)
        stages.append(
            jm.Stage(
                id=f"s{i}",
                name=name,
                touchpoints=tps,
                customer_goal=draw(st.one_of(st.none(), WORDS)),
            )
        )
    pains = []
    for k in range(draw(st.integers(0, 3))):
        stage, tp = draw(st.sampled_from(tp_ids)) if tp_ids else ("s0", None)
        pains.append(
            jm.PainPoint(
                id=f"p{k}",
                name=draw(WORDS),
                stage=stage,
                touchpoint=tp,
                severity=draw(st.sampled_from(["low", "high"])),
            )
        )
    return jm.JourneyMap(
        title=draw(WORDS),
        objective=draw(st.one_of(st.none(), WORDS)),
        stages=stages,
        pain_points=pains,
        kpis=[
            jm.KPI(
                id="k",
                name="NPS",
                kind="nps",
                value=draw(st.floats(-100, 100, allow_subnormal=False)),
            )
        ],
    )


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(maps())
def test_yaml_round_trip_preserves_the_map(m: jm.JourneyMap) -> None:
    text = jm.dumps(m)
    back = jm.loads(text)
    assert back.model_dump() == m.model_dump()
    assert jm.dumps(back) == text  # and saving what was loaded changes nothing


@FAST
@given(maps())
def test_json_round_trip_preserves_the_map(m: jm.JourneyMap) -> None:
    back = jm.loads(jm.dumps(m, fmt="json"))
    assert back.model_dump() == m.model_dump()


@FAST
@given(maps(), st.data())
def test_an_edit_changes_only_what_it_touches(m: jm.JourneyMap, data: Any) -> None:
    header = "# reviewed by the CX team\n"
    text = header + jm.dumps(m)
    loaded = jm.loads(text)
    stage = data.draw(st.sampled_from(loaded.stages))
    new_goal = "Goal changed by the test"
    stage.customer_goal = new_goal
    out = jm.dumps(loaded)
    assert out.startswith(header)
    back = jm.loads(out)
    assert back.stage(stage.id).customer_goal == new_goal
    others = [s.model_dump() for s in back.stages if s.id != stage.id]
    assert others == [s.model_dump() for s in m.stages if s.id != stage.id]
