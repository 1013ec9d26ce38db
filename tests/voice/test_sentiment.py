"""Sentiment of verbatims: VADER with the customer-experience lexicon, and its agreement with
human labels (hand-computed on small inputs, measured on 14,640 labelled airline tweets)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from journeymap.errors import UsageError
from journeymap.voice.sentiment import (
    DOMAIN_LEXICON,
    LABELS,
    polarity,
    sentiment,
    sentiment_agreement,
)


def _table(texts: Sequence[str | None], **columns: Sequence[object]) -> pa.Table:
    return pa.table({"comment": pa.array(texts, pa.string()), **columns})


def _score(text: str, **options: object) -> float:
    out = sentiment(_table([text]), text="comment", **options)  # type: ignore[arg-type]
    value = out.column("score")[0].as_py()
    assert isinstance(value, float)
    return value


@pytest.fixture(scope="module")
def tweets(shared_data: Path) -> pa.Table:
    """The airline tweets as they are: quoted multi-line texts, tweet ids kept as text."""
    return pacsv.read_csv(
        shared_data / "feedback" / "airline_tweets.csv",
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
        convert_options=pacsv.ConvertOptions(column_types={"tweet_id": pa.string()}),
    )


# -- the output ---------------------------------------------------------------------------


def test_one_row_per_input_row_in_order_with_nulls_for_empty_text() -> None:
    texts = ["Great crew, thank you!", None, "   ", "Flight cancelled, no refund.", "ok"]
    out = sentiment(_table(texts), text="comment")
    assert out.column_names == ["row", "text", "score", "label", "pos", "neu", "neg"]
    assert out.schema.field("row").type == pa.int64()
    assert out.column("row").to_pylist() == [1, 2, 3, 4, 5]
    assert out.column("text").to_pylist() == texts
    scores = out.column("score").to_pylist()
    labels = out.column("label").to_pylist()
    assert scores[1] is None and scores[2] is None
    assert labels[1] is None and labels[2] is None
    assert labels[0] == "positive" and labels[3] == "negative"
    for row in out.to_pylist():
        if row["score"] is not None:
            assert -1.0 <= row["score"] <= 1.0
            assert row["pos"] + row["neu"] + row["neg"] == pytest.approx(1.0, abs=0.002)


def test_row_numbers_come_from_the_reader_when_present() -> None:
    table = _table(["good", "bad"], __jm_row=[7, 9])
    assert sentiment(table, text="comment").column("row").to_pylist() == [7, 9]


def test_labels_follow_the_thresholds() -> None:
    texts = ["good", "okay I guess", "bad"]
    scores = polarity(texts)
    out = sentiment(_table(texts), text="comment")
    expected = [
        "positive" if s >= 0.05 else "negative" if s <= -0.05 else "neutral" for s in scores
    ]
    assert out.column("label").to_pylist() == expected
    strict = sentiment(_table(texts), text="comment", positive=0.99, negative=-0.99)
    assert strict.column("label").to_pylist() == ["neutral"] * 3
    with pytest.raises(UsageError, match="thresholds"):
        sentiment(_table(texts), text="comment", positive=-0.5, negative=0.5)


def test_empty_input_gives_the_schema() -> None:
    out = sentiment(_table([]), text="comment")
    assert out.num_rows == 0
    assert out.schema == pa.schema(
        [
            ("row", pa.int64()),
            ("text", pa.string()),
            ("score", pa.float64()),
            ("label", pa.string()),
            ("pos", pa.float64()),
            ("neu", pa.float64()),
            ("neg", pa.float64()),
        ]
    )


# -- what the model reads -----------------------------------------------------------------


def test_negation_flips_the_sign() -> None:
    assert _score("The staff were helpful") > 0.3
    assert _score("The staff were not helpful") < -0.3
    assert _score("My flight was delayed") < 0 < _score("My flight was not delayed")


def test_emoji() -> None:
    assert _score("flight 😊") > 0.3  # VADER's own emoji names
    assert _score("flight 😡") < -0.3  # the domain lexicon: VADER only names it "pouting face"
    assert _score("flight 👍") > 0.3
    assert _score("flight 👎") < -0.3
    assert _score("flight 😡", domain=False) == 0.0


def test_handles_are_names_not_opinions() -> None:
    # VADER alone reads "@united" as the word "united" (+1.8)
    assert _score("@united where is my bag") == _score("where is my bag")


def test_domain_words_and_phrases() -> None:
    for text in (
        "I have been on hold for 2 hours",
        "they hung up on me",
        "stuck at the gate waiting",
        "flight canceled",
        "please help",
    ):
        with_domain, plain = _score(text), _score(text, domain=False)
        assert with_domain < plain, text
        assert with_domain <= -0.05 or text == "please help", text
    # a request is not praise: "please" and "help" are positive in VADER, neutral here
    assert _score("please help") == 0.0 < _score("please help", domain=False)
    # negation still works on the new words: "can't wait" is eagerness
    assert _score("can't wait to fly with you") > 0.05


def test_custom_lexicon_adds_and_overrides() -> None:
    # VADER has "united" +1.8: a brand name in this data; 0 takes it out
    assert _score("United again", lexicon={"united": 0}) == _score("again") < _score("United again")
    base = _score("the gate change was announced")
    assert _score("the gate change was announced", lexicon={"gate change": -2.5}) < base - 0.3
    assert _score("GATE   CHANGE", lexicon={"gate change": -2.5}) < -0.3  # case, spaces
    with pytest.raises(UsageError, match=r"-4\.\.4"):
        sentiment(_table(["x"]), text="comment", lexicon={"meh": -9})
    with pytest.raises(UsageError, match="word, phrase or emoji"):
        sentiment(_table(["x"]), text="comment", lexicon={" ": -1})
    assert all(-4 <= v <= 4 for v in DOMAIN_LEXICON.values())


# -- inputs and errors --------------------------------------------------------------------


def test_feedback_like_input_uses_its_text_role() -> None:
    feedback = SimpleNamespace(
        table=_table(["awful delay", "lovely crew"], __jm_row=[2, 3]),
        roles=SimpleNamespace(text="comment", score=None),
    )
    out = sentiment(feedback)
    assert out.column("label").to_pylist() == ["negative", "positive"]
    assert out.column("row").to_pylist() == [2, 3]


def test_usage_errors() -> None:
    table = _table(["fine"], rating=[5])
    with pytest.raises(UsageError, match="valid methods: vader"):
        sentiment(table, text="comment", method="bert")  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="did you mean 'comment'"):
        sentiment(table, text="coment")
    with pytest.raises(UsageError, match="not text"):
        sentiment(table, text="rating")
    with pytest.raises(UsageError, match="text=COLUMN"):
        sentiment(table)
    with pytest.raises(UsageError, match="pyarrow Table"):
        sentiment([1, 2, 3])


# -- agreement ----------------------------------------------------------------------------


def test_agreement_hand_computed() -> None:
    predicted = pa.table(
        {
            "score": [0.9, 0.2, -0.1, -0.8, 0.6, 0.0, None, 0.3],
            "label": [
                "positive",
                "positive",
                "negative",
                "negative",
                "positive",
                "neutral",
                None,
                "positive",
            ],
        }
    )
    human = [
        "positive",
        "negative",
        "negative",
        "negative",
        "Positive",
        "neutral",
        "positive",
        None,
    ]
    a = sentiment_agreement(predicted, human)
    # compared: rows 1-6 (row 7 has no text, row 8 no human label); 5 of 6 agree
    assert a["n"] == 6
    assert a["missing_human"] == 1
    assert a["missing_text"] == 1
    assert a["accuracy"] == pytest.approx(5 / 6)
    # AUC: positives 0.9, 0.6 vs negatives 0.2, -0.1, -0.8: all 6 pairs ordered right
    assert a["auc"] == pytest.approx(1.0)
    assert a["auc_n"] == 5
    assert a["confusion"]["negative"] == {"negative": 2, "neutral": 0, "positive": 1}
    assert a["confusion"]["positive"] == {"negative": 0, "neutral": 0, "positive": 2}
    # F1: negative 2*1*(2/3)/(1+2/3)=0.8, neutral 1, positive 2*(2/3)*1/(2/3+1)=0.8
    assert a["macro_f1"] == pytest.approx((0.8 + 1.0 + 0.8) / 3)


def test_agreement_auc_with_one_inversion_and_errors() -> None:
    predicted = pa.table({"score": [0.5, -0.2, 0.1, 0.3], "label": ["positive"] * 4})
    a = sentiment_agreement(predicted, pa.array(["positive", "negative", "positive", "negative"]))
    # pairs (pos, neg): (0.5,-0.2) (0.5,0.3) (0.1,-0.2) right, (0.1,0.3) wrong -> 3/4
    assert a["auc"] == pytest.approx(0.75)
    only_pos = sentiment_agreement(predicted, ["positive", None, "positive", None])
    assert only_pos["auc"] is None and only_pos["n"] == 2
    with pytest.raises(UsageError, match="must align"):
        sentiment_agreement(predicted, ["positive"])
    with pytest.raises(UsageError, match="'great'"):
        sentiment_agreement(predicted, ["great", "positive", "positive", "positive"])
    assert set(LABELS) == set(a["confusion"])


# -- measured on real, human-labelled data -----------------------------------------------


@pytest.mark.slow
def test_airline_tweets_agree_with_human_labels(tweets: pa.Table) -> None:
    """Measured: accuracy 0.640, macro-F1 0.586, AUC 0.913 (plain VADER 0.490 / 0.457 /
    0.867); see docs/feedback.md for the effect of each part."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    human = tweets.column("airline_sentiment")
    out = sentiment(tweets, text="text")
    assert out.num_rows == tweets.num_rows == 14_640
    ours = sentiment_agreement(out, human)
    assert ours["n"] == 14_640
    assert ours["accuracy"] is not None and ours["accuracy"] >= 0.62
    assert ours["macro_f1"] is not None and ours["macro_f1"] >= 0.56
    assert ours["auc"] is not None and ours["auc"] >= 0.90

    # the lexicon does not make it worse than VADER alone (handles stripped either way) ...
    no_domain = sentiment_agreement(sentiment(tweets, text="text", domain=False), human)
    # ... nor than VADER as shipped, scored here directly
    analyzer = SentimentIntensityAnalyzer()
    raw = [analyzer.polarity_scores(t)["compound"] for t in tweets.column("text").to_pylist()]
    plain = sentiment_agreement(
        pa.table(
            {
                "score": raw,
                "label": [
                    "positive" if s >= 0.05 else "negative" if s <= -0.05 else "neutral"
                    for s in raw
                ],
            }
        ),
        human,
    )
    for baseline in (no_domain, plain):
        for key in ("accuracy", "macro_f1", "auc"):
            assert ours[key] >= baseline[key], key  # type: ignore[operator]
    assert ours["accuracy"] >= plain["accuracy"] + 0.1  # type: ignore[operator]
