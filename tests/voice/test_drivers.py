"""Key drivers: relative weights against known structure, hand-checkable cases, outcome
coding, errors, determinism, and the airline tweets (complaints vs what they mention)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pytest

from journeymap.errors import UsageError
from journeymap.voice.drivers import drivers, drivers_report, mentions
from journeymap.voice.read import read_feedback


def _rows(result: pa.Table) -> dict[str, dict[str, Any]]:
    return {r["driver"]: r for r in result.to_pylist()}


def _meta(result: pa.Table, key: str) -> str:
    return result.schema.metadata[key.encode()].decode()


def _ols_r2(x: np.ndarray, y: np.ndarray) -> float:
    design = np.column_stack([np.ones(len(y)), x])
    fitted = design @ np.linalg.lstsq(design, y, rcond=None)[0]
    return float(1 - ((y - fitted) ** 2).sum() / ((y - y.mean()) ** 2).sum())


@pytest.fixture(scope="module")
def known() -> tuple[pa.Table, np.ndarray, np.ndarray]:
    """outcome = 0.6 a + 0.3 b + 0 c − 0.3 d + noise, with a and b correlated (r ≈ 0.4)."""
    rng = np.random.default_rng(7)
    n = 1500
    a, b0, c, d = rng.normal(size=(4, n))
    b = 0.4 * a + np.sqrt(1 - 0.4**2) * b0
    y = 0.6 * a + 0.3 * b + 0.0 * c - 0.3 * d + rng.normal(scale=0.8, size=n)
    x = np.column_stack([a, b, c, d])
    return pa.table({"a": a, "b": b, "c": c, "d": d, "overall": y}), x, y


def test_known_structure_ranks_signs_and_sums(known: tuple[pa.Table, Any, Any]) -> None:
    table, x, y = known
    result = drivers(table, outcome="overall", drivers=["c", "b", "d", "a"])
    assert result.column("driver").to_pylist() == ["a", "b", "d", "c"]
    assert result.column("rank").to_pylist() == [1, 2, 3, 4]
    rows = _rows(result)
    assert rows["a"]["direction"] == rows["b"]["direction"] == "+"
    assert rows["d"]["direction"] == "-"
    assert rows["d"]["coefficient"] < -0.2 < 0.2 < rows["b"]["coefficient"]
    # the raw weights add up to the R² of an ordinary least-squares fit, computed apart
    r2 = _ols_r2(x, y)
    assert sum(result.column("raw_weight").to_pylist()) == pytest.approx(r2, abs=1e-9)
    assert float(_meta(result, "r2")) == pytest.approx(r2, abs=1e-9)
    assert sum(result.column("importance").to_pylist()) == pytest.approx(100.0)
    assert _meta(result, "n") == "1500"
    assert _meta(result, "method") == "relative-weights"
    # c explains nothing: its interval hugs 0 (weights cannot be negative, so a percentile
    # interval of a ~0 weight sits just above 0) and stays far below the others
    assert rows["c"]["importance"] < 0.1
    assert rows["c"]["ci_low"] < 0.1
    assert rows["c"]["ci_high"] < 1.0 < rows["d"]["ci_low"]
    for r in result.to_pylist()[:3]:
        assert r["ci_low"] < r["importance"] < r["ci_high"]
    for r in result.to_pylist():
        assert r["n"] == 1500
        assert r["note"] is None


def test_uncorrelated_drivers_weigh_their_squared_correlation() -> None:
    """A 2x2x2 factorial design: a, b and c are exactly uncorrelated, so each relative
    weight is the driver's squared correlation with the outcome (Johnson 2000)."""
    a = [1, -1, 1, -1, 1, -1, 1, -1]
    b = [1, 1, -1, -1, 1, 1, -1, -1]
    c = [1, 1, 1, 1, -1, -1, -1, -1]
    y = [9.0, 4.0, 6.0, 2.0, 8.0, 5.0, 6.0, 1.0]
    table = pa.table({"a": a, "b": b, "c": c, "y": y})
    result = _rows(drivers(table, outcome="y", drivers=["a", "b", "c"], bootstrap=0))
    # by hand: sum((y - 5.125) * a) = 17, sum((y - 5.125)^2) = 52.875, sum(a^2) = 8
    # r_a = 17 / sqrt(8 * 52.875); likewise sum(.. * b) = 11, sum(.. * c) = 1
    for name, cross in (("a", 17.0), ("b", 11.0), ("c", 1.0)):
        r = cross / np.sqrt(8 * 52.875)
        assert result[name]["raw_weight"] == pytest.approx(r**2, abs=1e-12)
        assert result[name]["ci_low"] is None
    assert sum(r["raw_weight"] for r in result.values()) == pytest.approx(
        (17**2 + 11**2 + 1**2) / (8 * 52.875)
    )


def test_two_correlated_drivers_match_the_dominance_formula() -> None:
    """With two drivers, relative weights equal the general-dominance (Shapley) split:
    w1 = (r1² + R² − r2²) / 2 with R² = (r1² + r2² − 2 r1 r2 r12) / (1 − r12²)."""
    rng = np.random.default_rng(11)
    x1 = rng.normal(size=400)
    x2 = 0.7 * x1 + rng.normal(size=400)
    y = 0.5 * x1 + 0.2 * x2 + rng.normal(size=400)
    corr = np.corrcoef([x1, x2, y])
    r1, r2, r12 = corr[0, 2], corr[1, 2], corr[0, 1]
    full = (r1**2 + r2**2 - 2 * r1 * r2 * r12) / (1 - r12**2)
    table = pa.table({"x1": x1, "x2": x2, "y": y})
    result = _rows(drivers(table, outcome="y", drivers=["x1", "x2"], bootstrap=0))
    assert result["x1"]["raw_weight"] == pytest.approx((r1**2 + full - r2**2) / 2, abs=1e-10)
    assert result["x2"]["raw_weight"] == pytest.approx((r2**2 + full - r1**2) / 2, abs=1e-10)


def test_binary_outcome_yes_no_text_with_missing_values() -> None:
    rng = np.random.default_rng(3)
    n = 800
    staff, seat, food = (rng.integers(1, 6, size=n).astype(float) for _ in range(3))
    latent = 1.2 * (staff - 3) + 0.5 * (seat - 3) + rng.logistic(size=n)
    answer: list[str | None] = ["Yes" if v > 0 else "no" for v in latent]
    answer[:25] = [None] * 25  # no answer: dropped and counted
    food_with_gaps: list[float | None] = list(food)
    food_with_gaps[100:300] = [None] * 200  # not rated: left out of food's correlations only
    table = pa.table({"recommend": answer, "staff": staff, "seat": seat, "food": food_with_gaps})
    result = drivers(table, outcome="recommend", drivers=["staff", "seat", "food"], seed=1)
    assert result.column("driver").to_pylist() == ["staff", "seat", "food"]
    assert _meta(result, "dropped") == "25"
    assert _meta(result, "n") == str(n - 25)
    rows = _rows(result)
    assert rows["staff"]["n"] == n - 25
    assert rows["food"]["n"] == n - 25 - 200
    assert rows["staff"]["direction"] == rows["seat"]["direction"] == "+"
    assert rows["staff"]["performance"] == pytest.approx(staff[25:].mean())
    # 1..5 ratings: performance on 0..100 of the 1-5 scale
    expected_pct = (staff[25:].mean() - 1) / 4 * 100
    assert rows["staff"]["performance_pct"] == pytest.approx(expected_pct)
    # a true/false column codes the same way as the yes/no text
    as_bool = table.set_column(0, "recommend", pc.equal(table["recommend"], "Yes"))
    again = drivers(as_bool, outcome="recommend", drivers=["staff", "seat", "food"], seed=1)
    assert again.column("importance").to_pylist() == pytest.approx(
        result.column("importance").to_pylist()
    )


def test_nps_categories_are_coded_plus_zero_minus() -> None:
    rng = np.random.default_rng(5)
    service = rng.integers(0, 11, size=300).astype(float)
    noise = rng.normal(scale=2.0, size=300)
    score = np.clip(service + noise, 0, 10)
    category = ["promoter" if s >= 9 else "passive" if s >= 7 else "detractor" for s in score]
    wait = rng.integers(0, 11, size=300).astype(float)
    table = pa.table({"nps_group": category, "service": service, "wait": wait})
    rows = _rows(drivers(table, outcome="nps_group", drivers=["service", "wait"], bootstrap=50))
    assert rows["service"]["rank"] == 1
    assert rows["service"]["direction"] == "+"
    # the NPS 0-10 number itself is a valid numeric outcome (11 levels, no error)
    numeric = table.append_column("nps", pa.array(score))
    by_score = drivers(numeric, outcome="nps", drivers=["service", "wait"], bootstrap=0)
    assert by_score.column("driver").to_pylist() == ["service", "wait"]


def test_default_drivers_share_the_outcome_scale_and_skip_ids_and_roles(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    n = 200
    seat, staff = rng.integers(1, 6, size=(2, n))
    table = pa.table(
        {
            "review_id": np.arange(1, n + 1),
            "customerId": rng.integers(1, 5, size=n),  # on the 1-5 range, but an id
            "seat": seat,
            "staff": staff,
            "age": rng.integers(18, 80, size=n),  # another scale
            "overall": np.clip(np.round(0.5 * seat + 0.5 * staff + rng.normal(size=n)), 1, 5),
            "__jm_row": np.arange(2, n + 2),
        }
    )
    result = drivers(table, outcome="overall", bootstrap=0)
    assert sorted(result.column("driver").to_pylist()) == ["seat", "staff"]
    # through read_feedback: the score is the outcome, the rating columns are the drivers
    path = tmp_path / "survey.csv"
    pcsv.write_csv(table.drop_columns(["__jm_row"]), path)
    feedback = read_feedback(path, score="overall", ratings=["staff"])
    via_roles = drivers(feedback, bootstrap=0)
    assert via_roles.column("driver").to_pylist() == ["staff"]
    assert _meta(via_roles, "outcome") == "overall"


def test_priority_quadrants_and_thresholds() -> None:
    rng = np.random.default_rng(9)
    n = 1000
    cols = {name: rng.integers(1, 6, size=n).astype(float) for name in "pqrs"}
    cols["p"] = np.minimum(cols["p"], rng.integers(1, 4, size=n))  # important, performs low
    cols["s"] = np.maximum(cols["s"], rng.integers(3, 6, size=n))  # unimportant, high
    y = 0.8 * cols["p"] + 0.8 * cols["q"] + 0.1 * cols["r"] + 0.1 * cols["s"]
    table = pa.table({**cols, "y": y + rng.normal(size=n)})
    rows = _rows(drivers(table, outcome="y", drivers=list("pqrs"), bootstrap=0))
    assert rows["p"]["priority"] == "fix first"
    assert rows["s"]["priority"] == "monitor"
    assert rows["q"]["priority"] in {"keep", "fix first"}  # important
    assert rows["r"]["priority"] in {"monitor", "low priority"}  # not important
    # explicit thresholds: nothing is important above 100 %, nothing performs below 0
    strict = _rows(drivers(table, outcome="y", drivers=list("pqrs"), bootstrap=0,
                           high_importance=100.0, low_performance=0.0))  # fmt: skip
    assert {r["priority"] for r in strict.values()} == {"monitor"}
    lenient = _rows(drivers(table, outcome="y", drivers=list("pqrs"), bootstrap=0,
                            high_importance=0.0, low_performance=101.0))  # fmt: skip
    assert {r["priority"] for r in lenient.values()} == {"fix first"}


def test_constant_driver_is_left_out_with_a_note(known: tuple[pa.Table, Any, Any]) -> None:
    table, _, _ = known
    table = table.append_column("wifi", pa.array([4.0] * table.num_rows))
    result = drivers(table, outcome="overall", drivers=["a", "wifi", "b"], bootstrap=20)
    assert result.column("driver").to_pylist() == ["a", "b", "wifi"]
    wifi = result.to_pylist()[-1]
    assert wifi["rank"] is None
    assert wifi["importance"] == 0.0
    assert wifi["note"] == "constant"
    assert wifi["performance"] == 4.0
    assert sum(result.column("importance").to_pylist()) == pytest.approx(100.0)
    with pytest.raises(UsageError, match="no driver varies"):
        drivers(table, outcome="overall", drivers=["wifi"])


def test_near_duplicate_drivers_share_the_effect(known: tuple[pa.Table, Any, Any]) -> None:
    table, _, _ = known
    a = np.asarray(table["a"])
    twin = a + np.random.default_rng(0).normal(scale=1e-9, size=len(a))
    table = table.append_column("a_twin", pa.array(twin)).append_column("a_copy", pa.array(a))
    names = ["a", "a_twin", "a_copy", "b"]
    rows = _rows(drivers(table, outcome="overall", drivers=names, bootstrap=20))
    shares = [rows[k]["importance"] for k in ("a", "a_twin", "a_copy")]
    assert max(shares) - min(shares) < 1.0
    assert all(rows[k]["direction"] == "+" for k in ("a", "a_twin", "a_copy"))
    assert all(abs(rows[k]["coefficient"]) < 1 for k in rows)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"outcome": "overal", "drivers": ["a"]}, 'no column "overal".*did you mean .overall'),
        ({"drivers": ["a"]}, "say which column is the outcome"),
        ({"outcome": "overall", "drivers": ["nope"]}, 'driver: no column "nope"'),
        ({"outcome": "overall", "drivers": ["overall", "a"]}, "cannot also be a driver"),
        ({"outcome": "airline", "drivers": ["a"]}, '"airline" has 3 categories'),
        ({"outcome": "flag", "drivers": ["a"]}, "which of 'maybe', 'perhaps'"),
        ({"outcome": "overall", "drivers": ["airline"]}, 'driver "airline" has 3 categories'),
        ({"outcome": "overall", "method": "shapley"}, "unknown key-driver method"),
        ({"outcome": "overall", "bootstrap": -1}, "bootstrap must be"),
        ({"outcome": "same", "drivers": ["a"]}, "is the same in every row"),
        ({"outcome": "few", "drivers": ["a"]}, "has a value in only 2 rows"),
    ],
)
def test_usage_errors(kwargs: dict[str, Any], message: str) -> None:
    table = pa.table(
        {
            "a": [1.0, 2.0, 3.0, 4.0],
            "overall": [2.0, 1.0, 4.0, 3.0],
            "airline": ["United", "Delta", "Delta", "US Airways"],
            "flag": ["maybe", "perhaps", "maybe", "maybe"],
            "same": [3.0, 3.0, 3.0, 3.0],
            "few": [1.0, None, None, 2.0],
        }
    )
    with pytest.raises(UsageError, match=message):
        drivers(table, **kwargs)


def test_no_drivers_says_why_and_to_pass_them() -> None:
    table = pa.table(
        {"ticket_id": [1, 2, 3, 4], "overall": [1.0, 5.0, 3.0, 2.0], "age": [30, 41, 52, 63]}
    )
    with pytest.raises(UsageError, match=r"--drivers a,b,c") as info:
        drivers(table, outcome="overall")
    assert "(left out: ticket_id: an id; age: values 30 to 63: not a rating" in str(info.value)


def test_same_seed_same_table_other_seed_other_intervals(
    known: tuple[pa.Table, Any, Any],
) -> None:
    table, _, _ = known
    args: dict[str, Any] = {"outcome": "overall", "drivers": ["a", "b", "c", "d"], "bootstrap": 50}
    first = drivers(table, seed=4, **args)
    assert first.equals(drivers(table, seed=4, **args), check_metadata=True)
    other = drivers(table, seed=5, **args)
    assert other.column("importance").equals(first.column("importance"))
    assert other.column("ci_low").to_pylist() != first.column("ci_low").to_pylist()


def test_mentions_whole_words_phrases_stems_and_empty_text() -> None:
    table = pa.table(
        {
            "__jm_row": [2, 3, 4, 5, 6],
            "text": [
                "Lost my BAG again",
                "the cabbage salad was fine",
                "flight Cancelled, on hold with customer\nservice for 2h",
                None,
                "   ",
            ],
        }
    )
    out = mentions(
        table,
        touchpoints={
            "baggage": ["bag", "luggage"],
            "delay": ["cancel*", "late"],
            "customer service": ["customer service", "on hold"],
        },
    )
    assert out.column_names == ["__jm_row", "text", "baggage", "delay", "customer service"]
    assert out["baggage"].to_pylist() == [1, 0, 0, None, None]
    assert out["delay"].to_pylist() == [0, 0, 1, None, None]
    assert out["customer service"].to_pylist() == [0, 0, 1, None, None]
    assert out["baggage"].type == pa.int64()
    with pytest.raises(UsageError, match="would overwrite a column"):
        mentions(table, touchpoints={"text": ["x"]})
    with pytest.raises(UsageError, match="which column holds the text"):
        mentions(table.rename_columns(["__jm_row", "body"]), touchpoints={"bag": ["bag"]})
    with pytest.raises(UsageError, match="empty keyword"):
        mentions(table, touchpoints={"bag": ["  "]})


AIRLINE_TOUCHPOINTS = {
    "booking": ["booking", "book", "booked", "website", "online", "reservation*"],
    "check-in": ["check in", "check-in", "checkin", "checked in"],
    "boarding": ["boarding", "board", "gate*"],
    "baggage": ["bag", "bags", "baggage", "luggage", "suitcase*"],
    "delay/cancellation": ["delay*", "late", "cancel*", "missed my connection"],
    "crew": ["crew", "staff", "attendant*", "pilot*", "employee*"],
    "customer service": ["customer service", "phone", "on hold", "hold", "call*", "agent*"],
    "seat": ["seat*", "legroom", "upgrade*"],
    "food": ["food", "meal*", "snack*", "drink*"],
    "refund": ["refund*", "voucher*", "compensat*"],
}


def test_airline_complaints_are_driven_by_delays_and_customer_service(
    shared_data: Path,
) -> None:
    tweets = pcsv.read_csv(
        shared_data / "feedback" / "airline_tweets.csv",
        parse_options=pcsv.ParseOptions(newlines_in_values=True),
        convert_options=pcsv.ConvertOptions(column_types={"tweet_id": pa.string()}),
    )
    assert tweets.num_rows == 14640
    # the outcome is the human label; negativereason is derived from it, never a driver
    tweets = tweets.append_column(
        "negative", pc.equal(tweets["airline_sentiment"], "negative")
    ).drop_columns(["negativereason", "negativereason_confidence", "negativereason_gold"])
    data = mentions(tweets, touchpoints=AIRLINE_TOUCHPOINTS)
    result = drivers(data, outcome="negative", drivers=list(AIRLINE_TOUCHPOINTS), bootstrap=100)
    rank = {r["driver"]: r["rank"] for r in result.to_pylist()}
    top = {"delay/cancellation", "customer service"}
    assert set(result.column("driver").to_pylist()[:2]) == top
    for strong in top:
        for weak in ("food", "seat", "crew", "check-in"):
            assert rank[strong] < rank[weak]
    rows = _rows(result)
    for strong in top:
        assert rows[strong]["direction"] == "+"  # mentioning it goes with a negative tweet
        assert rows[strong]["ci_low"] > rows["food"]["ci_high"]
        assert rows[strong]["ci_low"] > rows["seat"]["ci_high"]
    assert 0.05 < float(_meta(result, "r2")) < 0.5
    assert _meta(result, "n") == "14640"


def test_a_frequent_harmful_mention_is_fixed_first() -> None:
    # mentions of a problem lower the outcome: the more often it comes up, the worse it does
    rng = np.random.default_rng(5)
    n = 2000
    delay = (rng.random(n) < 0.40).astype(float)  # common and harmful
    food = (rng.random(n) < 0.03).astype(float)  # rare and harmless
    staff = (rng.random(n) < 0.30).astype(float)  # common, mildly harmful
    seat = (rng.random(n) < 0.05).astype(float)  # rare, mildly harmful
    happy = (rng.random(n) > 0.2 + 0.5 * delay + 0.1 * staff + 0.1 * seat).astype(float)
    table = pa.table({"delay": delay, "food": food, "staff": staff, "seat": seat, "ok": happy})
    rows = _rows(drivers(table, outcome="ok", bootstrap=0))
    assert rows["delay"]["direction"] == "-"
    assert rows["delay"]["rank"] == 1
    assert rows["delay"]["priority"] == "fix first"
    assert rows["food"]["priority"] in {"monitor", "low priority"}


def test_drivers_made_from_mentions() -> None:
    """``mentions=`` makes the 0/1 columns and ranks them, after the drivers given, or alone
    (not with the default drivers): the same as ``mentions`` then ``drivers``."""
    rng = np.random.default_rng(11)
    n = 300
    late = rng.random(n) < 0.4
    rude = rng.random(n) < 0.3
    text = [
        " and ".join(w for w, on in (("the flight was late", a), ("the staff were rude", b)) if on)
        or "fine"
        for a, b in zip(late, rude, strict=True)
    ]
    seat = rng.integers(1, 6, n).astype(float)
    ok = (rng.random(n) > 0.2 + 0.5 * late + 0.2 * rude).astype(float)
    table = pa.table({"comment": text, "seat": seat, "ok": ok})
    words = {"delay": ["late", "delay*"], "staff": ["rude"]}
    made = mentions(table, text="comment", touchpoints=words)

    alone = drivers(table, outcome="ok", mentions=words, text="comment", bootstrap=20)
    assert alone.equals(drivers(made, outcome="ok", drivers=list(words), bootstrap=20))
    assert alone.column("driver").to_pylist() == ["delay", "staff"]
    assert _rows(alone)["delay"]["direction"] == "-"

    both = drivers(table, outcome="ok", drivers=["seat"], mentions=words, text="comment")
    assert sorted(both.column("driver").to_pylist()) == ["delay", "seat", "staff"]
    assert both.equals(drivers(made, outcome="ok", drivers=["seat", "delay", "staff"]))
    with pytest.raises(UsageError, match="which column holds the text"):
        drivers(table, outcome="ok", mentions=words)


# ---- the default drivers: every rating column, and why any other column is left out ----------

ASPECTS = {  # the rating columns of an airline-review export, with their weight on the outcome
    "Seat Comfort": 0.5,
    "Cabin Staff Service": 0.5,
    "Food & Beverages": 0.3,
    "Ground Service": 0.4,
    "Inflight Entertainment": 0.15,
    "Wifi & Connectivity": 0.1,
    "Value For Money": 1.2,  # the strongest: it was the one left out
}
#: how the export leaves a rating out: empty, NaN, n/a or "n", in some columns more often
GAPS = {"Food & Beverages": (0.2, "NaN"), "Ground Service": (0.1, "n/a"),
        "Inflight Entertainment": (0.35, ""), "Wifi & Connectivity": (0.7, "n")}  # fmt: skip


def airline_reviews(path: Path, n: int = 400, seed: int = 14) -> Path:
    """A review export like the airline ones on Kaggle: an overall rating 1-10, seven 1-5
    aspect ratings (some often missing, written as empty, NaN, n/a or n), Recommended
    yes/no, Verified True/False, a review date with an ordinal day, text columns."""
    rng = np.random.default_rng(seed)
    quality = rng.normal(size=n)
    ratings = {
        a: np.clip(np.round(3 + 1.1 * (0.6 * quality + 0.8 * rng.normal(size=n))), 1, 5)
        for a in ASPECTS
    }
    latent = sum(w * (ratings[a] - 3) for a, w in ASPECTS.items())
    overall = np.clip(np.round(5.5 + 1.1 * (latent + rng.normal(scale=0.8, size=n))), 1, 10)
    lines = [
        "Airline Name,Overall_Rating,Review_Title,Review Date,Verified,Review,Type Of Traveller,"
        + ",".join(f'"{a}"' for a in ASPECTS)
        + ",Recommended"
    ]
    for i in range(n):
        cells = []
        for a in ASPECTS:
            share, gap = GAPS.get(a, (0.0, ""))
            cells.append(gap if rng.random() < share else str(int(ratings[a][i])))
        day = 1 + i % 28
        suffix = (
            "st" if day in (1, 21) else "nd" if day in (2, 22) else "rd" if day in (3, 23) else "th"
        )
        lines.append(
            f'AB Aviation,{int(overall[i])},"""Trip {i}""",{day}{suffix} November 2023,'
            f'{"True" if i % 3 else "False"},"review {i}",{("Business", "Solo")[i % 2]},'
            + ",".join(cells)
            + f",{'yes' if overall[i] >= 6 else 'no'}"
        )
    path.write_text("\n".join(lines) + "\n")
    return path


def _left_out(result: pa.Table) -> dict[str, str]:
    return json.loads(_meta(result, "left_out"))


@pytest.mark.parametrize("outcome", ["Overall_Rating", "Recommended"])
def test_every_rating_column_is_a_default_driver(tmp_path: Path, outcome: str) -> None:
    """Before: 4 of the 7 ratings (the NaN and n/a ones were text, the 1-5 ratings lay
    outside a yes/no outcome's 0/1), and no driver at all for Recommended."""
    feedback = read_feedback(airline_reviews(tmp_path / "reviews.csv"), outcome=outcome)
    result = drivers(feedback, bootstrap=0)
    assert sorted(result.column("driver").to_pylist()) == sorted(ASPECTS)
    assert json.loads(_meta(result, "drivers")) == list(ASPECTS)
    assert _meta(result, "drivers_from") == "the rating columns"
    assert result.column("driver")[0].as_py() == "Value For Money"
    assert all(r["note"] is None for r in result.to_pylist())
    assert all(r["direction"] == "+" for r in result.to_pylist()[:4])  # the strong ones
    rows = _rows(result)
    assert rows["Wifi & Connectivity"]["n"] < rows["Seat Comfort"]["n"] == 400  # gaps missing
    left = _left_out(result)
    assert left["Verified"] == "yes/no, not a rating: name it in --drivers to use it"
    assert left["Airline Name"] == left["Type Of Traveller"] == "text, not numbers"
    assert left["Review Date"] == "the date column"
    assert left["Review"] == "the text column"
    assert outcome not in left and "__jm_row" not in left
    if outcome == "Recommended":  # the other outcome is not a touchpoint
        assert (
            left["Overall_Rating"] == "the score, another outcome: name it in --drivers to use it"
        )
        assert _meta(result, "outcome_coding") == "yes/no as 1/0 ('yes' = 1)"
    else:
        assert left["Recommended"].startswith("yes/no, not a rating")
        assert _meta(result, "outcome_coding") == "numbers"
    # the word "n" for "not rated" is read as missing, counted and said
    not_rated = 400 - rows["Wifi & Connectivity"]["n"]
    assert json.loads(_meta(result, "not_numbers")) == {
        "Wifi & Connectivity": {"count": not_rated, "examples": ["n"]}
    }
    lines = drivers_report(result)
    assert lines[1].startswith("drivers: the rating columns, 7: Seat Comfort, ")
    assert lines[2].startswith("left out: Airline Name, Review_Title, Type Of Traveller (text")
    assert "Verified" in lines[2]
    assert any(x.startswith("not numbers, read as missing: 'Wifi & Connectivity', ") for x in lines)


@pytest.mark.parametrize(
    "coding",
    [
        (lambda y: pa.array(y > 0), "true/false as 1/0"),
        (lambda y: pa.array((y > 0).astype(np.int64)), "numbers"),
        (lambda y: pa.array(np.where(y > 0, "True", "False")), "yes/no as 1/0 ('true' = 1)"),
        (lambda y: pa.array(np.where(y > 0, "Y", "N")), "yes/no as 1/0 ('y' = 1)"),
    ],
)
def test_yes_no_outcomes_take_the_ratings(coding: tuple[Any, str]) -> None:
    make, said = coding
    rng = np.random.default_rng(4)
    n = 600
    staff, seat, food = rng.integers(1, 6, size=(3, n))
    latent = 1.0 * (staff - 3) + 0.4 * (seat - 3) + rng.logistic(size=n)
    table = pa.table({"staff": staff, "seat": seat, "food": food, "ok": make(latent)})
    result = drivers(table, outcome="ok", bootstrap=0)
    assert result.column("driver").to_pylist() == ["staff", "seat", "food"]
    assert _meta(result, "outcome_coding") == said
    assert _left_out(result) == {}


def test_ratings_on_another_scale_than_the_outcome() -> None:
    """A 1-5 overall with 1-10 aspects (the old rule wanted the outcome's range); numbers
    on no rating scale are left out and say so."""
    rng = np.random.default_rng(8)
    n = 300
    wait, staff = rng.integers(1, 11, size=(2, n))
    table = pa.table(
        {
            "wait": wait,
            "staff": staff,
            "price": rng.uniform(20, 900, size=n).round(2),
            "score_pct": rng.integers(0, 101, size=n),
            "overall": np.clip(np.round(0.3 * wait + 0.2 * staff + rng.normal(size=n)), 1, 5),
        }
    )
    result = drivers(table, outcome="overall", bootstrap=0)
    assert result.column("driver").to_pylist() == ["wait", "staff"]
    left = _left_out(result)
    assert left["price"].startswith("values 2")
    assert left["price"].endswith(": not a rating of up to 10 points (whole or half) nor on "
                                  "the outcome's 1 to 5")  # fmt: skip
    assert left["score_pct"].startswith("values 0 to 100")


def test_an_outcome_with_a_word_for_not_rated() -> None:
    table = pa.table(
        {
            "overall": ["8", "n", "3", "9", "2", "n", "7", "10", "1", "5", None, "6"],
            "staff": [4, 3, 2, 5, 1, 2, 4, 5, 1, 3, 2, 3],
        }
    )
    result = drivers(table, outcome="overall", bootstrap=0)
    assert _meta(result, "n") == "9"
    assert _meta(result, "dropped") == "3"  # two "n" and one empty
    assert json.loads(_meta(result, "not_numbers")) == {"overall": {"count": 2, "examples": ["n"]}}
    assert "left out: 3 rows without an outcome" in drivers_report(result)


def test_the_ratings_role_chooses_and_the_rest_is_said(tmp_path: Path) -> None:
    feedback = read_feedback(
        airline_reviews(tmp_path / "r.csv", n=120), outcome="Recommended",
        ratings=["Seat Comfort", "Value For Money"],
    )  # fmt: skip
    result = drivers(feedback, bootstrap=0)
    assert sorted(result.column("driver").to_pylist()) == ["Seat Comfort", "Value For Money"]
    assert _meta(result, "drivers_from") == "the ratings (--ratings)"
    assert _left_out(result)["Ground Service"] == "not among the ratings (--ratings)"
    named = drivers(feedback, drivers=["Ground Service"], bootstrap=0)
    assert _meta(named, "drivers_from") == "named (--drivers)"
    assert _left_out(named) == {}


def test_amazon_reviews_have_no_rating_column_and_say_so(shared_data: Path) -> None:
    """The stars are the outcome; nothing else is a rating: the one yes/no column is the
    driver, and every other column is named with why it is not one."""
    feedback = read_feedback(shared_data / "feedback" / "amazon_all_beauty_5core.json.gz")
    result = drivers(feedback, bootstrap=0)
    assert _meta(result, "outcome") == "overall"
    assert _meta(result, "drivers_from") == "the yes/no columns (there is no rating column)"
    assert result.column("driver").to_pylist() == ["verified"]
    left = _left_out(result)
    assert left["reviewerID"] == "the customer column"
    assert left["reviewText"] == "the text column"
    assert left["unixReviewTime"] == "the date column"
    assert left["vote"].startswith("values 2 to ")
    assert "overall" not in left
    assert set(left) | {"verified", "overall"} == set(feedback.table.column_names) - {"__jm_row"}
