"""The measured-emotion model, checked by hand: normalisations, the journey's norm, weights,
the interval, thin and missing evidence, and the map's own scale."""

from __future__ import annotations

import json
import math
from typing import Any

import pyarrow as pa
import pytest

import journeymap as jm
from journeymap.errors import UsageError
from journeymap.measuring.emotion import (
    DEFAULT_WEIGHTS,
    coverage,
    friction,
    measure_emotions,
    nearest_level,
    normalise_ces,
    normalise_csat,
    normalise_rating,
    robust_reference,
)
from journeymap.model.emotion import DEFAULT_SCALE
from journeymap.voice.scores import csat, nps

JOURNEY = """\
title: Shop
stages:
  - name: Browse
    touchpoints:
      - {name: Home, expected_emotion: Interested}
      - {name: Search}
      - {name: Product}
      - {name: Payment, expected_emotion: Satisfied}
  - name: After
    touchpoints:
      - {name: Delivery}
      - {name: Survey}
"""


def _behaviour(rows: list[tuple[str, str, int, int | None]]) -> pa.Table:
    """(stage, touchpoint, customers, dropoff_customers); the other friction columns absent."""
    return pa.Table.from_pylist(
        [
            {
                "stage": s,
                "touchpoint": tp,
                "order": i,
                "customers": n,
                "dropoff_customers": d,
                "dropoff_rate": None if d is None else d / n,
            }
            for i, (s, tp, n, d) in enumerate(rows, 1)
        ]
    )


# drop-off rates 10%, 10%, 12%, 40% in Browse; After is where journeys end
BEHAVIOUR = _behaviour(
    [
        ("browse", "home", 1000, 100),
        ("browse", "search", 900, 90),
        ("browse", "product", 800, 96),
        ("browse", "payment", 700, 280),
        ("after", "delivery", 400, 150),
        ("after", "survey", 250, 250),
    ]
)
# the journey's norm: median (0.10 + 0.12) / 2 = 0.11; MAD 0.01 -> 1.4826 * 0.01, floored 0.05
MEDIAN, SPREAD = 0.11, 0.05


def _voice(**rows: dict[str, Any]) -> pa.Table:
    return pa.Table.from_pylist([{"touchpoint": tp, **row} for tp, row in rows.items()])


def _csat_row(top: int, n: int) -> dict[str, Any]:
    s = csat([5] * top + [2] * (n - top))
    return {"csat": s.score, "csat_low": s.ci_low, "csat_high": s.ci_high, "csat_n": s.n}


def _by_tp(t: pa.Table) -> dict[str, dict[str, Any]]:
    return {r["touchpoint"]: r for r in t.to_pylist()}


def test_normalisations_by_hand() -> None:
    # CSAT: piecewise linear around 75%
    assert normalise_csat(75) == 0.0
    assert normalise_csat(95) == pytest.approx(0.20 / 0.25)
    assert normalise_csat(40) == pytest.approx(-0.35 / 0.75)
    assert (normalise_csat(100), normalise_csat(0)) == (1.0, -1.0)
    assert normalise_csat(80, neutral=0.5) == pytest.approx(2 * 0.8 - 1)
    # CES: low effort is good, the midpoint neutral
    assert normalise_ces(4.0) == 0.0
    assert (normalise_ces(1.0), normalise_ces(7.0)) == (1.0, -1.0)
    assert normalise_ces(2.5) == pytest.approx(0.5)
    assert normalise_ces(2.0, (1, 5)) == pytest.approx(0.5)
    # ratings: the midpoint neutral
    assert normalise_rating(3.0) == 0.0
    assert normalise_rating(4.0) == pytest.approx(0.5)
    assert normalise_rating(8.0, (0, 10)) == pytest.approx(0.6)
    # friction: -tanh(z / 2)
    assert friction(0.0) == 0.0
    assert friction(2.0) == pytest.approx(-math.tanh(1.0))
    assert friction(-2.0) == pytest.approx(math.tanh(1.0))


def test_the_journeys_norm_is_robust() -> None:
    ref = robust_reference([0.10, 0.10, 0.12, 0.40], 0.05)
    assert ref is not None
    assert (ref.median, ref.spread, ref.touchpoints) == (pytest.approx(MEDIAN), SPREAD, 4)
    wide = robust_reference([0.0, 0.1, 0.2, 0.3, 1.0], 0.01)
    assert wide is not None
    # deviations from 0.2: 0.2 0.1 0 0.1 0.8 -> MAD 0.1; the outlier 1.0 moves neither
    assert (wide.median, wide.spread) == (pytest.approx(0.2), pytest.approx(0.14826))
    assert robust_reference([0.1, 0.9], 0.05) is None  # too few touchpoints for a norm


def test_low_csat_and_bad_behaviour_read_below_high_csat() -> None:
    m = jm.loads(JOURNEY, file="shop.yaml")
    voice = _voice(home=_csat_row(190, 200), payment=_csat_row(80, 200))  # 95% and 40%
    rows = _by_tp(measure_emotions(BEHAVIOUR, voice, m))
    home, payment = rows["home"], rows["payment"]
    drop_home = friction((0.10 - MEDIAN) / SPREAD)
    drop_payment = friction((0.40 - MEDIAN) / SPREAD)  # z = 5.8
    assert home["value"] == pytest.approx((2 * normalise_csat(95) + drop_home) / 3)
    assert payment["value"] == pytest.approx((2 * normalise_csat(40) + drop_payment) / 3)
    assert payment["value"] < 0 < home["value"]
    assert payment["emotion"] < home["emotion"]
    # on -3..3: value v -> 3 v
    assert home["emotion"] == pytest.approx(3 * home["value"])
    assert payment["level"] == nearest_level(DEFAULT_SCALE, 3 * payment["value"])
    assert payment["level"] in {"Frustrated", "Confused"}
    assert home["level"] == "Satisfied"
    # the gap to the team's expectation
    assert home["expected"] == 1.0
    assert home["gap"] == pytest.approx(home["emotion"] - 1.0)
    assert payment["gap"] == pytest.approx(payment["emotion"] - 2.0)
    assert rows["search"]["expected"] is None
    assert rows["search"]["gap"] is None
    assert payment["sources"] == ["csat (n=200)", "drop-off (n=700)"]
    assert payment["n"] == 700
    # drop-off at the end of the journey is finishing it, not friction
    assert rows["survey"]["sources"] == rows["delivery"]["sources"] == []
    assert rows["survey"]["evidence"] == "none"


def test_weights_change_the_result_as_documented() -> None:
    m = jm.loads(JOURNEY, file="shop.yaml")
    voice = _voice(payment=_csat_row(80, 200))
    s_csat, s_drop = normalise_csat(40), friction((0.40 - MEDIAN) / SPREAD)
    default = _by_tp(measure_emotions(BEHAVIOUR, voice, m))["payment"]
    assert default["value"] == pytest.approx((2 * s_csat + 1 * s_drop) / 3)
    assert default["method"] == "weighted mean of csat×2, drop-off×1"
    heavy = measure_emotions(BEHAVIOUR, voice, m, weights={"drop-off": 3})
    payment = _by_tp(heavy)["payment"]
    assert payment["value"] == pytest.approx((2 * s_csat + 3 * s_drop) / 5)
    assert payment["method"] == "weighted mean of csat×2, drop-off×3"
    assert b"drop-off=3" in heavy.schema.metadata[b"weights"]
    # weight 0 turns a signal off; the other weights keep their defaults
    off = _by_tp(measure_emotions(BEHAVIOUR, voice, m, weights={"csat": 0}))["payment"]
    assert off["value"] == pytest.approx(s_drop)
    assert off["sources"] == ["drop-off (n=700)"]
    # the neutral point of CSAT is a parameter too
    half = _by_tp(measure_emotions(BEHAVIOUR, voice, m, csat_neutral=0.5))["payment"]
    assert half["value"] == pytest.approx((2 * (2 * 0.4 - 1) + s_drop) / 3)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"cast": 1}, r"unknown signal 'cast' in weights \(did you mean 'csat'\?\)"),
        ({"csat": -1}, "weight of 'csat' must be a number >= 0"),
        (dict.fromkeys(DEFAULT_WEIGHTS, 0), "at least one weight"),
    ],
)
def test_bad_weights(weights: dict[str, float], message: str) -> None:
    m = jm.loads(JOURNEY, file="shop.yaml")
    with pytest.raises(UsageError, match=message):
        measure_emotions(BEHAVIOUR, None, m, weights=weights)


def test_thin_and_no_evidence_are_flagged() -> None:
    m = jm.loads(JOURNEY, file="shop.yaml")
    voice = _voice(delivery=_csat_row(8, 10))
    result = measure_emotions(None, voice, m)
    rows = _by_tp(result)
    thin = rows["delivery"]
    assert (thin["evidence"], thin["n"]) == ("thin", 10)
    assert thin["value"] == pytest.approx(normalise_csat(80))  # shown, but flagged
    none = rows["home"]
    assert (none["evidence"], none["n"], none["sources"]) == ("none", 0, [])
    for key in ("value", "low", "high", "emotion", "emotion_low", "emotion_high", "level", "gap"):
        assert none[key] is None
    assert none["expected"] == 1.0  # the team's expectation stays
    assert coverage(result) == 0.0
    lenient = measure_emotions(None, voice, m, min_n=10)
    assert _by_tp(lenient)["delivery"]["evidence"] == "measured"
    assert coverage(lenient) == pytest.approx(1 / 6)
    with_behaviour = measure_emotions(BEHAVIOUR, voice, m)
    assert coverage(with_behaviour) == pytest.approx(4 / 6)  # the four Browse touchpoints
    assert coverage(with_behaviour.slice(0, 0)) == 0.0


def test_interval_by_hand() -> None:
    m = jm.loads(JOURNEY, file="shop.yaml")
    # one signal: the interval is its own; two: se = sqrt(sum((w se)^2)) / sum(w)
    one = _voice(home={"sentiment": 0.2, "sentiment_low": 0.1, "sentiment_high": 0.3,
                       "sentiment_n": 100})  # fmt: skip
    home = _by_tp(measure_emotions(None, one, m))["home"]
    assert (home["low"], home["value"], home["high"]) == (
        pytest.approx(0.1),
        pytest.approx(0.2),
        pytest.approx(0.3),
    )
    two = _voice(home={"sentiment": 0.2, "sentiment_low": 0.1, "sentiment_high": 0.3,
                       "sentiment_n": 100, "nps": 50.0, "nps_low": 40.0, "nps_high": 60.0,
                       "nps_n": 80})  # fmt: skip
    home = _by_tp(measure_emotions(None, two, m))["home"]
    half = 1.96 * math.sqrt(2 * (0.1 / 1.96) ** 2) / 2
    assert home["value"] == pytest.approx(0.35)
    assert (home["low"], home["high"]) == (pytest.approx(0.35 - half), pytest.approx(0.35 + half))
    assert home["n"] == 100
    assert (home["emotion_low"], home["emotion_high"]) == (
        pytest.approx(3 * (0.35 - half)),
        pytest.approx(3 * (0.35 + half)),
    )
    # one answer has no interval: it gets the spread of a value anywhere in [-1, 1]
    single = nps([10])
    assert single.ci_low is None
    lone = _voice(home={"nps": single.score, "nps_low": None, "nps_high": None, "nps_n": 1})
    home = _by_tp(measure_emotions(None, lone, m))["home"]
    assert (home["value"], home["high"]) == (1.0, 1.0)
    assert home["low"] == pytest.approx(1 - 1.96 / math.sqrt(3))


def test_interval_contains_the_value_and_narrows_with_n() -> None:
    m = jm.loads(JOURNEY, file="shop.yaml")
    widths = []
    for n in (50, 500, 5000):
        voice = _voice(product=_csat_row(3 * n // 5, n))  # 60% satisfied
        row = _by_tp(measure_emotions(None, voice, m))["product"]
        assert row["low"] < row["value"] < row["high"]
        assert row["emotion_low"] < row["emotion"] < row["emotion_high"]
        widths.append(row["high"] - row["low"])
    assert widths[0] > widths[1] > widths[2]
    assert widths[0] / widths[1] == pytest.approx(math.sqrt(10), rel=0.15)
    # behaviour too: the same 40% drop-off seen on 10x the customers
    small = _behaviour([("browse", "home", 100, 10), ("browse", "search", 100, 10),
                        ("browse", "product", 100, 12), ("browse", "payment", 100, 40),
                        ("after", "delivery", 60, 60)])  # fmt: skip
    large = _behaviour([("browse", "home", 1000, 100), ("browse", "search", 1000, 100),
                        ("browse", "product", 1000, 120), ("browse", "payment", 1000, 400),
                        ("after", "delivery", 600, 600)])  # fmt: skip
    a = _by_tp(measure_emotions(small, None, m))["payment"]
    b = _by_tp(measure_emotions(large, None, m))["payment"]
    assert a["value"] == pytest.approx(b["value"])
    for r in (a, b):
        assert r["low"] <= r["value"] <= r["high"]
    assert b["high"] - b["low"] < a["high"] - a["low"]


def test_levels_of_a_custom_scale() -> None:
    m = jm.loads(
        "title: Custom\nemotion_scale:\n  levels:\n"
        "    - {value: 1, label: Hate}\n    - {value: 3, label: Meh}\n"
        "    - {value: 5, label: Love}\n"
        "stages:\n  - name: S\n    touchpoints:\n"
        "      - {name: A, expected_emotion: Meh}\n      - {name: B}\n      - {name: C}\n",
        file="custom.yaml",
    )

    def row(value: float) -> dict[str, Any]:
        return {"nps": value * 100, "nps_low": value * 100 - 1, "nps_high": value * 100 + 1,
                "nps_n": 100}  # fmt: skip

    rows = _by_tp(measure_emotions(None, _voice(a=row(0.8), b=row(0.0), c=row(-0.6)), m))
    # -1..1 -> 1..5: 1 + (v + 1) / 2 * 4
    assert rows["a"]["emotion"] == pytest.approx(4.6)
    assert (rows["a"]["level"], rows["b"]["level"], rows["c"]["level"]) == ("Love", "Meh", "Hate")
    assert rows["b"]["emotion"] == pytest.approx(3.0)
    assert rows["c"]["emotion"] == pytest.approx(1.8)
    assert rows["a"]["expected"] == 3.0
    assert rows["a"]["gap"] == pytest.approx(1.6)
    # ties go to the higher level, as EmotionScale.level does
    assert nearest_level(m.scale, 2.0) == "Meh"
    assert nearest_level(DEFAULT_SCALE, 1.5) == "Satisfied"


def test_a_one_stage_journey_ends_at_its_last_step_only() -> None:
    m = jm.loads(
        "title: Onboarding\nstages:\n  - name: Onboarding\n    touchpoints:\n"
        "      - {name: Welcome}\n      - {name: Profile}\n      - {name: Permissions}\n"
        "      - {name: Done}\n",
        file="one.yaml",
    )
    behaviour = _behaviour([("onboarding", "welcome", 1000, 100),
                            ("onboarding", "profile", 900, 90),
                            ("onboarding", "permissions", 810, 400),
                            ("onboarding", "done", 410, 410)])  # fmt: skip
    rows = _by_tp(measure_emotions(behaviour, None, m))
    # norm over welcome, profile, permissions (done is where the journey is finished)
    ref = robust_reference([0.1, 0.1, 400 / 810], 0.05)
    assert ref is not None
    assert rows["permissions"]["value"] == pytest.approx(friction(ref.z(400 / 810)))
    assert rows["done"]["evidence"] == "none"


def test_metadata_records_the_model() -> None:
    m = jm.loads(JOURNEY, file="shop.yaml")
    result = measure_emotions(BEHAVIOUR, None, m, min_n=50)
    meta = result.schema.metadata
    assert (meta[b"csat_neutral"], meta[b"min_n"]) == (b"0.75", b"50")
    reference = json.loads(meta[b"reference"])
    assert reference["drop-off"] == {"median": pytest.approx(MEDIAN), "spread": SPREAD, "of": 4}
    assert reference["slow"] is None  # no times in this behaviour table
    assert result.column_names == [
        "stage", "touchpoint", "order", "value", "low", "high", "emotion", "emotion_low",
        "emotion_high", "level", "expected", "gap", "n", "sources", "method", "evidence",
    ]  # fmt: skip
