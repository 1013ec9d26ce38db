"""The measured-emotion model and friction, checked by hand: an emotion only from what customers
said or scored, with an interval over the respondents that never has zero width; behaviour as
friction with its own evidence, relative to the journey's typical step."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

import journeymap as jm
from journeymap.errors import UsageError
from journeymap.measuring.emotion import (
    BOOTSTRAP,
    COMBINED,
    DEFAULT_WEIGHTS,
    bounded_interval,
    coverage,
    friction,
    measure_emotions,
    nearest_level,
    normalise_ces,
    normalise_csat,
    normalise_rating,
    robust_reference,
    voice_signals,
)
from journeymap.measuring.feedback import touchpoint_feedback
from journeymap.measuring.friction import measure_friction
from journeymap.model.emotion import DEFAULT_SCALE
from journeymap.voice.read import read_feedback
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


def _behaviour(rows: list[tuple[str, str, int, int | None]], **extra: Any) -> pa.Table:
    """(stage, touchpoint, customers, dropoff_customers); other columns from ``extra``
    (touchpoint id -> {column: value})."""
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
            | extra.get(tp.replace("-", "_"), {})
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


def _map() -> jm.JourneyMap:
    return jm.loads(JOURNEY, file="shop.yaml")


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
    # a robust z squashed on [-1, 1], kept for callers that need it bounded
    assert friction(0.0) == 0.0
    assert friction(2.0) == pytest.approx(-math.tanh(1.0))


def test_the_journeys_norm_is_robust() -> None:
    ref = robust_reference([0.10, 0.10, 0.12, 0.40], 0.05)
    assert ref is not None
    assert (ref.median, ref.spread, ref.touchpoints) == (pytest.approx(MEDIAN), SPREAD, 4)
    wide = robust_reference([0.0, 0.1, 0.2, 0.3, 1.0], 0.01)
    assert wide is not None
    # deviations from 0.2: 0.2 0.1 0 0.1 0.8 -> MAD 0.1; the outlier 1.0 moves neither
    assert (wide.median, wide.spread) == (pytest.approx(0.2), pytest.approx(0.14826))
    assert robust_reference([0.1, 0.9], 0.05) is None  # too few touchpoints for a norm


# ---- emotion: from what customers said, never from behaviour -----------------------------------


def test_behaviour_alone_gives_friction_never_an_emotion() -> None:
    rows = _by_tp(measure_emotions(BEHAVIOUR, None, _map()))
    for tp, row in rows.items():
        assert (row["evidence"], row["n"], row["sources"]) == ("none", 0, []), tp
        for key in ("value", "low", "high", "emotion", "level", "gap", "interval"):
            assert row[key] is None, (tp, key)
    # payment loses 40% against a typical 11%: z = (0.40 - 0.11) / 0.05 = 5.8, critical
    payment = rows["payment"]
    assert payment["friction"] == pytest.approx((0.40 - MEDIAN) / SPREAD)
    assert (payment["friction_level"], payment["friction_evidence"]) == ("critical", "measured")
    (drop,) = payment["friction_measures"]
    assert drop["measure"] == "drop-off"
    assert (drop["value"], drop["typical"], drop["customers"], drop["n"]) == (
        pytest.approx(0.40), pytest.approx(MEDIAN), 280, 700,
    )  # fmt: skip
    assert drop["low"] < 0.40 < drop["high"]
    assert rows["home"]["friction_level"] == "typical"
    # drop-off in the last stage is finishing the journey: no measure, no friction
    assert rows["survey"]["friction_evidence"] == rows["delivery"]["friction_evidence"] == "none"
    assert rows["survey"]["friction"] is None


def test_the_emotion_is_the_voice_whatever_the_behaviour() -> None:
    m = _map()
    voice = _voice(home=_csat_row(190, 200), payment=_csat_row(80, 200))  # 95% and 40%
    rows = _by_tp(measure_emotions(BEHAVIOUR, voice, m))
    alone = _by_tp(measure_emotions(None, voice, m))
    home, payment = rows["home"], rows["payment"]
    assert home["value"] == pytest.approx(normalise_csat(95))
    assert payment["value"] == pytest.approx(normalise_csat(40))
    for tp in ("home", "payment"):  # the behaviour changes nothing of the emotion
        for key in ("value", "low", "high", "emotion", "n", "sources", "evidence"):
            assert rows[tp][key] == alone[tp][key], (tp, key)
    assert payment["sources"] == ["csat (n=200)"]
    assert payment["method"] == "weighted mean of csat×2"
    # on -3..3: value v -> 3 v; the nearest level; the gap where an expectation exists
    assert home["emotion"] == pytest.approx(3 * normalise_csat(95))
    assert home["level"] == "Satisfied"
    assert payment["level"] == nearest_level(DEFAULT_SCALE, 3 * normalise_csat(40))
    assert (home["expected"], payment["expected"]) == (1.0, 2.0)
    assert home["gap"] == pytest.approx(home["emotion"] - 1.0)
    assert payment["gap"] == pytest.approx(payment["emotion"] - 2.0)
    assert rows["search"]["expected"] is None and rows["search"]["gap"] is None
    # coverage counts the touchpoints with feedback only
    assert coverage(measure_emotions(BEHAVIOUR, voice, m)) == pytest.approx(2 / 6)


def test_weights_are_voice_weights() -> None:
    m = _map()
    row = {
        **_csat_row(80, 200),
        "sentiment": -0.4, "sentiment_low": -0.5, "sentiment_high": -0.3, "sentiment_n": 150,
    }  # fmt: skip
    voice = _voice(payment=row)
    s_csat = normalise_csat(40)
    default = _by_tp(measure_emotions(None, voice, m))["payment"]
    assert default["value"] == pytest.approx((2 * s_csat - 0.4) / 3)
    assert default["method"] == "weighted mean of csat×2, sentiment×1"
    heavy = measure_emotions(None, voice, m, weights={"sentiment": 3})
    assert _by_tp(heavy)["payment"]["value"] == pytest.approx((2 * s_csat - 3 * 0.4) / 5)
    assert b"sentiment=3" in heavy.schema.metadata[b"weights"]
    off = _by_tp(measure_emotions(None, voice, m, weights={"csat": 0}))["payment"]
    assert (off["value"], off["sources"]) == (pytest.approx(-0.4), ["sentiment (n=150)"])
    half = _by_tp(measure_emotions(None, voice, m, csat_neutral=0.5))["payment"]
    assert half["value"] == pytest.approx((2 * (2 * 0.4 - 1) - 0.4) / 3)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"cast": 1}, r"unknown signal 'cast' in weights \(did you mean 'csat'\?\)"),
        ({"csat": -1}, "weight of 'csat' must be a number >= 0"),
        (dict.fromkeys(DEFAULT_WEIGHTS, 0), "at least one weight"),
        ({"drop-off": 1}, "'drop-off' in weights is a friction measure, not an emotion signal"),
        ({"slow": 0}, "'slow' in weights is a friction measure"),
    ],
)
def test_bad_weights(weights: dict[str, float], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        measure_emotions(BEHAVIOUR, None, _map(), weights=weights)


def test_few_answers_and_no_feedback_are_flagged() -> None:
    m = _map()
    voice = _voice(delivery=_csat_row(8, 10))
    result = measure_emotions(BEHAVIOUR, voice, m)
    rows = _by_tp(result)
    thin = rows["delivery"]
    assert (thin["evidence"], thin["n"]) == ("thin", 10)
    assert thin["value"] == pytest.approx(normalise_csat(80))  # shown, but flagged
    none = rows["home"]
    assert (none["evidence"], none["n"], none["method"]) == ("none", 0, "no feedback")
    assert none["expected"] == 1.0  # the team's expectation stays
    assert coverage(result) == 0.0
    lenient = measure_emotions(BEHAVIOUR, voice, m, min_n=10)
    assert _by_tp(lenient)["delivery"]["evidence"] == "measured"
    assert coverage(lenient) == pytest.approx(1 / 6)
    assert coverage(result.slice(0, 0)) == 0.0


# ---- the interval ---------------------------------------------------------------------------


def test_without_replicates_the_scores_intervals_combine_as_fully_correlated() -> None:
    m = _map()
    one = _voice(home={"sentiment": 0.2, "sentiment_low": 0.1, "sentiment_high": 0.3,
                       "sentiment_n": 100})  # fmt: skip
    home = _by_tp(measure_emotions(None, one, m))["home"]
    assert (home["low"], home["value"], home["high"]) == pytest.approx((0.1, 0.2, 0.3))
    assert home["interval"] == COMBINED
    two = _voice(home={"sentiment": 0.2, "sentiment_low": 0.1, "sentiment_high": 0.3,
                       "sentiment_n": 100, "nps": 50.0, "nps_low": 30.0, "nps_high": 70.0,
                       "nps_n": 80})  # fmt: skip
    home = _by_tp(measure_emotions(None, two, m))["home"]
    # sentiment 0.1..0.3, NPS 0.3..0.7 on [-1, 1], weights 1 and 1: both at their low ends
    # (0.1 + 0.3) / 2 or both at their high ends (0.3 + 0.7) / 2; as if independent the
    # interval would be narrower, 0.35 +- sqrt(0.1^2 + 0.2^2) / 2
    assert home["value"] == pytest.approx(0.35)
    assert (home["low"], home["high"]) == pytest.approx((0.2, 0.5))
    assert (home["high"] - home["low"]) / 2 > math.hypot(0.1, 0.2) / 2
    assert (home["emotion_low"], home["emotion_high"]) == pytest.approx((0.6, 1.5))
    assert home["n"] == 100


def test_no_interval_has_zero_width() -> None:
    m = _map()
    # one answer (no interval of its own) and many identical answers (an interval of no
    # width) get the widest interval that many answers on [-1, 1] can have
    single = nps([10])
    assert single.ci_low is None
    lone = _voice(home={"nps": single.score, "nps_low": None, "nps_high": None, "nps_n": 1})
    home = _by_tp(measure_emotions(None, lone, m))["home"]
    assert (home["value"], home["high"]) == (1.0, 1.0)
    assert (home["low"], home["high"]) == pytest.approx(bounded_interval(1.0, 1))
    assert home["low"] < -0.5  # one promoter says little
    same = nps([10] * 40)
    assert same.ci_low == same.ci_high == 100.0
    row = {"nps": same.score, "nps_low": same.ci_low, "nps_high": same.ci_high, "nps_n": 40}
    home = _by_tp(measure_emotions(None, _voice(home=row), m))["home"]
    assert home["low"] == pytest.approx(bounded_interval(1.0, 40)[0])
    assert 0.8 < home["low"] < 1.0 == home["high"]
    # Wilson on (v + 1) / 2: 40 of 40 -> 0.912..1 -> 0.824..1 on [-1, 1]
    assert bounded_interval(1.0, 40)[0] == pytest.approx(2 * 0.91237 - 1, abs=1e-4)
    # the same through the bootstrap, from the answers themselves
    tps = ["Home"] * 40 + ["Search"]
    fb = read_feedback(pa.table({"touchpoint": tps, "score": [10.0] * 41}), scale="nps")
    m2 = jm.loads(JOURNEY.replace("{name: Home,", "{name: Home, feedback: [Home],")
                  .replace("{name: Search}", "{name: Search, feedback: [Search]}"))  # fmt: skip
    rows = _by_tp(measure_emotions(None, touchpoint_feedback(fb, m2), m2, min_n=1))
    for tp in ("home", "search"):
        assert rows[tp]["interval"] == BOOTSTRAP
        assert rows[tp]["low"] < rows[tp]["value"] == rows[tp]["high"] == 1.0
    assert rows["search"]["low"] < rows["home"]["low"]  # one answer is less sure than 40


def test_the_bootstrap_interval_is_the_percentiles_of_the_combined_resamples() -> None:
    m = _map()
    rng = np.random.default_rng(0)
    csat_boot = rng.normal(40.0, 3.0, 1000)
    senti_boot = rng.normal(-0.3, 0.05, 1000)
    row = {**_csat_row(80, 200), "sentiment": -0.3, "sentiment_low": -0.4,
           "sentiment_high": -0.2, "sentiment_n": 150, "csat_boot": csat_boot.tolist(),
           "sentiment_boot": senti_boot.tolist()}  # fmt: skip
    payment = _by_tp(measure_emotions(None, _voice(payment=row), m))["payment"]
    combined = [(2 * normalise_csat(c) + s) / 3 for c, s in zip(csat_boot, senti_boot, strict=True)]
    low, high = np.percentile(combined, [2.5, 97.5])
    assert payment["interval"] == BOOTSTRAP
    assert (payment["low"], payment["high"]) == pytest.approx((low, high))
    assert payment["value"] == pytest.approx((2 * normalise_csat(40) - 0.3) / 3)
    # a resample without an answer of one signal combines the others
    gappy = dict(row, sentiment_boot=[math.nan] * 10 + senti_boot.tolist()[10:])
    again = _by_tp(measure_emotions(None, _voice(payment=gappy), m))["payment"]
    assert again["interval"] == BOOTSTRAP and again["low"] < again["high"]


def _one_touchpoint() -> jm.JourneyMap:
    return jm.loads(
        "title: T\nstages:\n  - name: S\n    touchpoints:\n      - name: A\n"
        "        feedback: [A]\n",
        file="t.yaml",
    )


def test_the_interval_narrows_with_the_respondents() -> None:
    m = _one_touchpoint()
    widths = []
    for n in (50, 500, 5000):
        scores = [5.0] * (3 * n // 5) + [2.0] * (n - 3 * n // 5)  # 60% satisfied
        fb = read_feedback(pa.table({"touchpoint": ["A"] * n, "score": scores}), scale="csat")
        row = measure_emotions(None, touchpoint_feedback(fb, m), m).to_pylist()[0]
        assert row["interval"] == BOOTSTRAP
        assert row["low"] < row["value"] < row["high"]
        assert row["emotion_low"] < row["emotion"] < row["emotion_high"]
        widths.append(row["high"] - row["low"])
    assert widths[0] > widths[1] > widths[2]
    assert widths[0] / widths[1] == pytest.approx(math.sqrt(10), rel=0.2)


@pytest.mark.slow
def test_the_bootstrap_interval_covers_the_truth_about_95_times_in_100() -> None:
    """Simulated surveys of 40 answers from a touchpoint where 60% are satisfied: the
    interval holds the true value (CSAT 60% -> -0.2) in about 95% of them."""
    m = _one_touchpoint()
    rng = np.random.default_rng(11)
    truth, sims, hits = normalise_csat(60), 200, 0
    for seed in range(sims):
        happy = rng.random(40) < 0.6
        x = np.where(happy, rng.integers(4, 6, 40), rng.integers(1, 4, 40)).astype(float)
        fb = read_feedback(pa.table({"touchpoint": ["A"] * 40, "score": x}), scale="csat")
        voice = touchpoint_feedback(fb, m, seed=seed, resamples=400)
        row = measure_emotions(None, voice, m).to_pylist()[0]
        hits += row["low"] <= truth <= row["high"]
    assert 0.89 <= hits / sims <= 0.995


@pytest.mark.slow
def test_real_reviews_the_bootstrap_sits_between_independent_and_fully_correlated(
    shared_data: Path,
) -> None:
    """Amazon beauty reviews of the most reviewed product: star ratings and the sentiment of
    the same reviews move together, so the interval over the reviewers is wider than if they
    were independent and narrower than if fully correlated; the ratings' own is their t
    interval."""
    path = shared_data / "feedback" / "amazon_all_beauty_5core.json.gz"
    raw = read_feedback(path, score="overall", text="reviewText")
    table = raw.table.filter(pc.equal(raw.table.column("asin"), "B0012Y0ZG2"))
    fb = read_feedback(table.drop_columns(["__jm_row"]), score="overall", text="reviewText",
                       touchpoint="asin")  # fmt: skip
    m = jm.loads(
        "title: Beauty\nstages:\n  - name: Buy\n    touchpoints:\n      - name: Shampoo\n"
        "        feedback: [B0012Y0ZG2]\n",
        file="b.yaml",
    )
    voice = touchpoint_feedback(fb, m)
    row = voice.to_pylist()[0]
    assert row["rating_n"] == table.num_rows == 1794
    both = measure_emotions(None, voice, m).to_pylist()[0]
    stars = measure_emotions(None, voice, m, weights={"sentiment": 0}).to_pylist()[0]
    assert both["interval"] == stars["interval"] == BOOTSTRAP
    rating, sentiment = voice_signals(row)
    assert (stars["high"] - stars["low"]) == pytest.approx(rating.high - rating.low, rel=0.15)
    independent = 1.96 * math.hypot(rating.se, sentiment.se) / 2
    correlated = 1.96 * (rating.se + sentiment.se) / 2
    half = (both["high"] - both["low"]) / 2
    assert independent < half < correlated


# ---- friction --------------------------------------------------------------------------------


def test_abandonment_replaces_drop_off_and_null_measures_are_absent() -> None:
    m = jm.loads(JOURNEY + "outcomes: {goal: [survey]}\n", file="shop.yaml")
    extra = {
        tp: {"abandoned_customers": a, "abandon_rate": None if a is None else a / n,
             "customer_step": a is not None, "loops": None if a is None else 0}
        for tp, n, a in [("home", 1000, 50), ("search", 900, 45), ("product", 800, None),
                         ("payment", 700, 210), ("delivery", 400, 20), ("survey", 250, 0)]
    }  # fmt: skip
    behaviour = _behaviour(
        [("browse", "home", 1000, 100), ("browse", "search", 900, 90),
         ("browse", "product", 800, None), ("browse", "payment", 700, 280),
         ("after", "delivery", 400, 150), ("after", "survey", 250, 250)],
        **extra,
    )  # fmt: skip
    table = measure_friction(behaviour, m)
    rows = _by_tp(table)
    assert table.schema.metadata[b"drop_off"] == b"abandoned"
    # abandonment 5%, 5%, 30%, 5% (the goal, survey, left out): median 5%, spread floored
    payment = {f["measure"]: f for f in rows["payment"]["friction_measures"]}
    assert (payment["drop-off"]["value"], payment["drop-off"]["customers"]) == (
        pytest.approx(0.30), 210,
    )  # fmt: skip
    assert payment["drop-off"]["z"] == pytest.approx((0.30 - 0.05) / 0.05)
    assert rows["payment"]["friction_level"] == "critical"
    # delivery gives up 5% (its 150 endings include journeys that reached the goal later on)
    delivery = {f["measure"]: f for f in rows["delivery"]["friction_measures"]}
    assert delivery["drop-off"]["value"] == pytest.approx(0.05)
    assert rows["delivery"]["friction_level"] == "typical"
    # at the goal, ending is finishing and coming back a new journey: no drop-off, no loops
    assert {f["measure"] for f in rows["survey"]["friction_measures"]} == set()
    # back-stage work is not the customer's step: no friction, out of the norms
    assert (rows["product"]["friction_evidence"], rows["product"]["friction_measures"]) == (
        "none", [],
    )  # fmt: skip
    reference = json.loads(table.schema.metadata[b"reference"])
    assert (reference["drop-off"]["of"], reference["loops"]["of"]) == (4, 4)


def test_going_back_is_at_most_medium_and_comes_after_clear_friction() -> None:
    m = _map()
    loops = {"product": {"loops": 600}, "payment": {"loops": 350}}
    counts = {"home": 50, "search": 45, "delivery": 40, "survey": 20}
    extra = {tp: {"loops": counts.get(tp, loops.get(tp, {}).get("loops"))}
             for tp in ("home", "search", "product", "payment", "delivery", "survey")}  # fmt: skip
    rows = _by_tp(measure_friction(_behaviour(
        [("browse", "home", 1000, 100), ("browse", "search", 900, 90),
         ("browse", "product", 800, 96), ("browse", "payment", 700, 280),
         ("after", "delivery", 400, 150), ("after", "survey", 250, 250)], **extra), m))  # fmt: skip
    # product: 75% loop back against a typical ~7%: far out, but only medium
    product = rows["product"]
    assert product["friction_measures"][0]["measure"] == "loops"
    assert product["friction_measures"][0]["z"] > 10
    assert product["friction_level"] == "medium"
    # payment: loops 50% (medium) and drop-off z 5.8 (critical): the drop-off tells most
    first = rows["payment"]["friction_measures"][0]
    assert (first["measure"], first["level"]) == ("drop-off", "critical")
    assert rows["payment"]["friction"] == pytest.approx(first["z"])


def test_too_few_customers_to_judge_friction() -> None:
    m = _map()
    small = _behaviour([("browse", "home", 10, 1), ("browse", "search", 10, 1),
                        ("browse", "product", 10, 2), ("browse", "payment", 10, 6),
                        ("after", "delivery", 5, 5)])  # fmt: skip
    rows = _by_tp(measure_friction(small, m))
    payment = rows["payment"]
    assert (payment["friction_evidence"], payment["friction_level"]) == ("thin", None)
    assert payment["friction"] is not None and payment["friction_n"] == 10
    assert {f["level"] for f in payment["friction_measures"]} == {None}  # none is judged
    assert _by_tp(measure_friction(small, m, min_n=10))["payment"]["friction_level"] == "critical"


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
    rows = _by_tp(measure_friction(behaviour, m))
    # norm over welcome, profile, permissions (done is where the journey is finished)
    ref = robust_reference([0.1, 0.1, 400 / 810], 0.05)
    assert ref is not None
    assert rows["permissions"]["friction"] == pytest.approx(ref.z(400 / 810))
    assert rows["done"]["friction_evidence"] == "none"


def test_metadata_and_columns() -> None:
    result = measure_emotions(BEHAVIOUR, None, _map(), min_n=50)
    meta = result.schema.metadata
    assert (meta[b"csat_neutral"], meta[b"min_n"], meta[b"drop_off"]) == (
        b"0.75", b"50", b"every ending",
    )  # fmt: skip
    reference = json.loads(meta[b"reference"])
    assert reference["drop-off"] == {"median": pytest.approx(MEDIAN), "spread": SPREAD, "of": 4}
    assert reference["slow"] is None  # no times in this behaviour table
    assert result.column_names == [
        "stage", "touchpoint", "order", "value", "low", "high", "emotion", "emotion_low",
        "emotion_high", "level", "expected", "gap", "n", "sources", "method", "interval",
        "evidence", "friction", "friction_level", "friction_evidence", "friction_n",
        "friction_measures",
    ]  # fmt: skip
