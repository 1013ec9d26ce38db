"""Feedback per touchpoint: rows matched by values (stage fallback), keywords and rating
columns; scores from analytics.scores; sentiment, negative themes and quotes; unmatched rows
counted; and the airline tweets, where delays and customer service are what people hate."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

import journeymap as jm
from journeymap.errors import UsageError
from journeymap.measuring.feedback import touchpoint_feedback
from journeymap.voice.drivers import mentions
from journeymap.voice.read import read_feedback
from journeymap.voice.scores import csat, rating
from journeymap.voice.sentiment import polarity

SHOP = """\
title: Shop
stages:
  - name: Buy
    touchpoints:
      - name: Checkout
        feedback: [Checkout, Buy]
      - name: Help
  - name: Receive
    touchpoints:
      - name: Delivery
        feedback:
          values: [Delivery]
          keywords: [parcel, "courier*"]
          ratings: [delivery_rating]
"""

TEXTS = [
    "quick and easy, loved it",
    "fine",
    "the payment page crashed, awful",
    "ok I guess",
    "my parcel arrived late and broken, terrible",
    "the courier was rude",
    "great shop",
    None,
    "nothing to say",
]


def _shop_feedback() -> tuple[jm.JourneyMap, pa.Table]:
    m = jm.loads(SHOP, file="shop.yaml")
    table = pa.table(
        {
            "touchpoint": ["Checkout", " checkout ", "CHECKOUT", None, None, "Delivery", "Other",
                           None, None],
            "stage": [None, None, None, "Buy", None, None, None, None, None],
            "csat": [5, 4, 2, 3, None, 1, 5, None, None],
            "delivery_rating": [None, None, None, None, None, 2, None, 4, None],
            "text": TEXTS,
        }
    )  # fmt: skip
    return m, table


def _rows(t: pa.Table) -> dict[str, dict[str, Any]]:
    return {str(r["touchpoint"]): r for r in t.to_pylist()}


def test_rows_are_matched_by_values_stage_keywords_and_ratings() -> None:
    m, table = _shop_feedback()
    fb = read_feedback(table, ratings=["delivery_rating"])
    assert (fb.roles.touchpoint, fb.roles.stage, fb.roles.score) == ("touchpoint", "stage", "csat")
    voice = touchpoint_feedback(fb, m)
    assert voice.column("touchpoint").to_pylist() == ["checkout", "help", "delivery"]
    assert voice.column("stage").to_pylist() == ["buy", "buy", "receive"]
    assert voice.column("order").to_pylist() == [1, 2, 3]
    rows = _rows(voice)
    # Checkout: rows 1-3 by value (case and spaces ignored), row 4 by its stage "Buy"
    checkout = rows["checkout"]
    assert checkout["n"] == 4
    expected = csat([5, 4, 2, 3])
    assert checkout["csat"] == pytest.approx(50.0)  # 5 and 4 are the top two boxes of 1-5
    assert (checkout["csat_low"], checkout["csat_high"], checkout["csat_n"]) == (
        pytest.approx(expected.ci_low),
        pytest.approx(expected.ci_high),
        4,
    )
    assert checkout["nps"] is None
    assert checkout["nps_n"] == 0
    # Delivery: row 5 by keyword, row 6 by value (and keyword), row 8 by its rating only
    delivery = rows["delivery"]
    assert delivery["n"] == 3
    assert (delivery["csat"], delivery["csat_n"]) == (0.0, 1)  # only row 6 has a CSAT: 1
    assert (delivery["rating"], delivery["rating_n"]) == (3.0, 2)  # ratings 2 and 4
    assert (delivery["rating_scale_low"], delivery["rating_scale_high"]) == (2.0, 4.0)
    # Help has no feedback key: no rows
    assert rows["help"]["n"] == 0
    assert rows["help"]["sentiment"] is None
    assert rows["help"]["themes"] == rows["help"]["quotes"] == []
    # rows 7 ("Other") and 9 (nothing links it) belong to no touchpoint
    meta = voice.schema.metadata
    assert (meta[b"unmatched"], meta[b"rows"]) == (b"2", b"9")


def test_sentiment_negative_share_and_quotes() -> None:
    m, table = _shop_feedback()
    voice = touchpoint_feedback(read_feedback(table, ratings=["delivery_rating"]), m)
    rows = _rows(voice)
    for tp, idx in (("checkout", [0, 1, 2, 3]), ("delivery", [4, 5])):
        scores = [float(s) for s in polarity([TEXTS[i] for i in idx])]
        mean = rating(scores, scale=(-1.0, 1.0))
        row = rows[tp]
        assert row["sentiment_n"] == len(idx)
        assert row["sentiment"] == pytest.approx(sum(scores) / len(scores))
        assert (row["sentiment_low"], row["sentiment_high"]) == (
            pytest.approx(mean.ci_low),
            pytest.approx(mean.ci_high),
        )
        negative = [TEXTS[i] for i, s in zip(idx, scores, strict=True) if s <= -0.05]
        assert row["negative_share"] == pytest.approx(len(negative) / len(idx))
        # fewer than 20 negative verbatims: no themes; quotes are the negatives, worst first
        assert row["themes"] == []
        worst_first = sorted(negative, key=lambda t: float(polarity([t])[0]))
        assert row["quotes"] == worst_first[:3]
    assert "the payment page crashed, awful" in rows["checkout"]["quotes"]
    assert set(rows["delivery"]["quotes"]) == {
        "my parcel arrived late and broken, terrible",
        "the courier was rude",
    }


def test_the_touchpoint_survey_says_which_score_a_value_is() -> None:
    m = jm.loads(
        "title: S\nstages:\n  - name: A\n    touchpoints:\n      - name: Call\n"
        "        feedback: {values: [call], survey: ces}\n",
        file="s.yaml",
    )
    fb = read_feedback(pa.table({"touchpoint": ["call"] * 4, "score": [2, 3, 6, 7]}))
    assert fb.roles.scale == "rating"  # a column named "score" is a plain rating
    row = touchpoint_feedback(fb, m).to_pylist()[0]
    assert (row["ces"], row["ces_n"]) == (4.5, 4)
    assert (row["ces_scale_low"], row["ces_scale_high"]) == (1.0, 7.0)
    assert row["rating"] is None


def test_themes_of_many_negative_verbatims() -> None:
    m = jm.loads(
        "title: S\nstages:\n  - name: A\n    touchpoints:\n      - name: Phone\n"
        "        feedback: {keywords: [phone, hold]}\n",
        file="s.yaml",
    )
    texts = [f"terrible, on hold for {i} hours on the phone again" for i in range(12)]
    texts += [f"awful phone agent hung up on me, rude and useless {i}" for i in range(12)]
    fb = read_feedback(pa.table({"text": texts}))
    row = touchpoint_feedback(fb, m).to_pylist()[0]
    assert row["n"] == row["sentiment_n"] == 24
    assert row["negative_share"] == 1.0
    assert 1 <= len(row["themes"]) <= 3
    assert any("hold" in label or "rude" in label for label in row["themes"])
    assert len(row["quotes"]) == 3
    assert all(q in texts for q in row["quotes"])
    # below the minimum the same verbatims give no themes
    assert touchpoint_feedback(fb, m, min_theme_texts=25).column("themes")[0].as_py() == []


def test_usage_errors_name_the_touchpoint() -> None:
    m, table = _shop_feedback()
    with pytest.raises(UsageError, match=r'touchpoint "delivery".*"delivery_rating" is not in'):
        touchpoint_feedback(read_feedback(table.drop_columns(["delivery_rating"])), m)
    no_text = read_feedback(table.drop_columns(["text"]), ratings=["delivery_rating"])
    with pytest.raises(UsageError, match=r'"delivery" links feedback by keywords.*no text'):
        touchpoint_feedback(no_text, m)
    with pytest.raises(UsageError, match="min_theme_texts"):
        touchpoint_feedback(read_feedback(table, ratings=["delivery_rating"]), m, min_theme_texts=0)


def test_resamples_of_the_respondents() -> None:
    m, table = _shop_feedback()
    fb = read_feedback(table, ratings=["delivery_rating"])
    voice = touchpoint_feedback(fb, m, resamples=300)
    assert voice.schema.metadata[b"resamples"] == b"300"
    rows = _rows(voice)
    checkout, delivery = rows["checkout"], rows["delivery"]
    assert len(checkout["csat_boot"]) == len(checkout["sentiment_boot"]) == 300
    assert checkout["nps_boot"] is None and checkout["rating_boot"] is None
    assert all(rows["help"][f"{s}_boot"] is None for s in ("nps", "csat", "rating", "sentiment"))
    # checkout: 4 respondents (2 in the top box) and 2 imaginary ones (one in, one out):
    # a resample of 6 holds 0..6 in the top box, 50% on average
    boot = np.array(checkout["csat_boot"])
    assert set(np.round(boot * 6 / 100, 6)) <= set(range(7))
    assert boot.mean() == pytest.approx(50.0, abs=4.0)
    assert boot.std() > 5  # four answers are far from certain
    # delivery: ratings 2 and 4 (its observed range): every resample's mean lies in 2..4,
    # and one respondent's CSAT (1, not in the top box) gives replicates below 50% mostly
    ratings = np.array(delivery["rating_boot"])
    drawn = ratings[~np.isnan(ratings)]  # NaN: a resample of only the respondent with no rating
    assert len(drawn) > 290 and drawn.min() >= 2.0 and drawn.max() <= 4.0
    assert np.nanmean(delivery["csat_boot"]) < 50.0
    # one draw for all signals: a resample is the same rows for CSAT and sentiment
    assert len(delivery["sentiment_boot"]) == len(delivery["rating_boot"]) == 300
    # reproducible, a different draw for another file, none at all on request
    again = _rows(touchpoint_feedback(fb, m, resamples=300))
    assert again["checkout"]["csat_boot"] == checkout["csat_boot"]
    other = read_feedback(table, ratings=["delivery_rating"], name="other.csv")
    assert (
        _rows(touchpoint_feedback(other, m, resamples=300))["checkout"]["csat_boot"]
        != (checkout["csat_boot"])
    )
    none = _rows(touchpoint_feedback(fb, m, resamples=0))
    assert none["checkout"]["csat_boot"] is None
    assert none["checkout"]["csat"] == checkout["csat"]  # the scores themselves do not move
    with pytest.raises(UsageError, match="resamples"):
        touchpoint_feedback(fb, m, resamples=-1)


# ---- the real airline tweets -------------------------------------------------------------------

AIRLINE = """\
title: Flying
stages:
  - name: Book
    touchpoints:
      - name: Booking
        feedback: {keywords: [booking, "book*", "reservation*", website, online]}
  - name: Fly
    touchpoints:
      - name: Delays
        feedback: {keywords: ["delay*", late, "cancel*", "missed my connection"]}
      - name: Baggage
        feedback: {keywords: [bag, bags, baggage, luggage, "suitcase*"]}
  - name: Help
    touchpoints:
      - name: Customer service
        feedback: {keywords: ["customer service", "on hold", hold, "call*", "agent*", phone]}
"""


@pytest.mark.slow
def test_airline_tweets_delays_and_customer_service_are_the_most_negative(
    shared_data: Path,
) -> None:
    fb = read_feedback(shared_data / "feedback" / "airline_tweets.csv")
    m = jm.loads(AIRLINE, file="airline.yaml")
    voice = touchpoint_feedback(fb, m)
    rows = _rows(voice)
    by_share = sorted(rows, key=lambda tp: -float(rows[tp]["negative_share"]))
    by_mean = sorted(rows, key=lambda tp: float(rows[tp]["sentiment"]))
    assert set(by_share[:2]) == set(by_mean[:2]) == {"delays", "customer-service"}

    # n: the tweets that mention a touchpoint's keywords; every tweet has text
    keywords = {tp.id: tp.feedback.keywords for _, tp in m.iter_touchpoints() if tp.feedback}
    hits = mentions(fb.table.select(["text", "airline_sentiment"]), touchpoints=keywords)
    claimed = None
    for tp in keywords:
        mask = pc.equal(hits[tp], 1)
        assert rows[tp]["n"] == rows[tp]["sentiment_n"] == pc.sum(mask).as_py()
        assert int(rows[tp]["n"]) > 900
        claimed = mask if claimed is None else pc.or_(claimed, mask)
        # the share the people who labelled the tweets call negative
        human = pc.filter(hits["airline_sentiment"], mask)
        rows[tp]["human"] = pc.mean(pc.equal(human, "negative").cast(pa.float64())).as_py()
    assert claimed is not None
    unmatched = fb.table.num_rows - pc.sum(claimed).as_py()
    assert voice.schema.metadata[b"unmatched"] == str(unmatched).encode()
    # people agree on the ends (delays worst, booking least bad); in between they call
    # baggage and customer-service tweets negative alike (87% vs 86%), where VADER, reading
    # words, finds "lost bag" less negative than "on hold for hours"
    by_human = sorted(rows, key=lambda tp: -float(rows[tp]["human"]))
    assert by_human[0] == by_share[0] == "delays"
    assert by_human[-1] == by_share[-1] == "booking"
    for tp in rows:
        assert len(rows[tp]["themes"]) == 3
        assert len(rows[tp]["quotes"]) == 3
