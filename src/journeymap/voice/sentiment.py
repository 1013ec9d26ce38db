"""Sentiment of verbatims, offline: VADER with a small customer-experience lexicon.

VADER (Hutto & Gilbert, 2014) scores a text from a lexicon of ~7,500 words, emoticons and
emoji rated by people on -4..4, with rules for negation ("not good"), intensifiers ("very"),
capitals ("GREAT"), exclamation marks and "but" (what follows weighs more). Its ``compound``
score sums the valences and squashes them into [-1, 1]. Before scoring, @handles are removed
(a name is not an opinion: VADER reads "@united" as "united", +1.8), and the words and
phrases of :data:`DOMAIN_LEXICON` are applied: customer-experience words VADER misses or
weighs wrongly ("delayed", "on hold", "hung up", 😡, a "please help" that is a complaint,
not praise). Each entry was kept only because it raised agreement with human labels on
airline tweets it was not chosen on; the measured effects are in docs/feedback.md.

Labels use VADER's thresholds: ``score >= 0.05`` positive, ``score <= -0.05`` negative,
neutral between (``positive=`` and ``negative=`` move them).

Limits: English only; no sarcasm ("thanks for nothing" reads as thanks); a lexicon sees
words, not what they are about ("the flight was not late but the food was awful").

Columns of :func:`sentiment`, one row per input row, in input order:

=====  =======  ==============================================================
row    int64    the row as the reader numbered it (``__jm_row``), else 1, 2, ...
text   string   the verbatim as given
score  float64  VADER compound score in [-1, 1]; null when the text is empty
label  string   negative | neutral | positive; null when the text is empty
pos    float64  share of the text's words that read positive, 0..1
neu    float64  share that read neutral
neg    float64  share that read negative
=====  =======  ==============================================================
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from journeymap.errors import UsageError
from journeymap.voice._text import strip_handles, verbatims

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

__all__ = [
    "DOMAIN_LEXICON",
    "LABELS",
    "METHODS",
    "Agreement",
    "polarity",
    "sentiment",
    "sentiment_agreement",
]

Method = Literal["vader"]
METHODS: tuple[str, ...] = ("vader",)
LABELS: tuple[str, str, str] = ("negative", "neutral", "positive")

#: Customer-experience words, phrases and emoji on VADER's -4..4 scale (0 removes a word from
#: VADER's lexicon). For comparison VADER has "delay" -1.3, "bad" -2.5, "good" 1.9.
DOMAIN_LEXICON: Mapping[str, float] = {
    # waiting and disruption: VADER has no "late", "waiting", "canceled" (US spelling)
    "delayed": -1.5,
    "delays": -1.3,
    "cancelled": -1.5,
    "canceled": -1.5,
    "cancellation": -1.3,
    "cancelation": -1.3,
    "late": -1.0,
    "stuck": -1.5,
    "overbooked": -1.8,
    "stranded": -2.0,
    "diverted": -1.0,
    "waiting": -1.0,
    "wait": -0.8,  # "can't wait to ..." is negated by VADER and reads positive
    "hours": -0.8,
    "hrs": -0.8,
    "minutes": -0.5,
    "mins": -0.5,
    "min": -0.5,
    "sitting": -0.5,
    # service
    "on hold": -1.5,
    "hung up": -2.0,
    "rude": -2.5,
    "unhelpful": -2.0,
    # complaint markers
    "why": -0.7,
    "again": -0.5,
    "still": -0.5,
    # requests are not praise: "please help" is how a complaint starts; "like" is a filler
    "help": 0.0,
    "please": 0.0,
    "like": 0.0,
    # emoji VADER only names ("pouting face") without a valence
    "😡": -2.5,
    "😤": -2.0,
    "😒": -1.5,
    "👎": -2.0,
    "😑": -1.0,
    "👍": 1.5,
    "🙏": 1.0,
    "👏": 1.5,
}

_SINGLE_WORD = re.compile(r"[a-z][a-z'-]*")


class Agreement(TypedDict):
    """Agreement of predicted labels with human ones (see :func:`sentiment_agreement`)."""

    n: int
    accuracy: float | None
    macro_f1: float | None
    auc: float | None
    auc_n: int
    confusion: dict[str, dict[str, int]]
    missing_human: int
    missing_text: int


@dataclass
class _Scorer:
    """One VADER analyser with the lexicon applied, and the rewrite of phrases and emoji into
    tokens VADER can look up (VADER reads single words only)."""

    analyzer: Any
    phrases: re.Pattern[str] | None
    tokens: dict[str, str]

    def scores(self, text: str) -> dict[str, float]:
        text = strip_handles(text)
        if self.phrases is not None:
            text = self.phrases.sub(self._token, text)
        result: dict[str, float] = self.analyzer.polarity_scores(text)
        return result

    def _token(self, match: re.Match[str]) -> str:
        return f" {self.tokens[' '.join(match.group(0).lower().split())]} "


def _phrase_pattern(phrase: str) -> str:
    if not phrase[0].isalnum():  # an emoji or emoticon: literal
        return re.escape(phrase)
    words = r"\s+".join(re.escape(w) for w in phrase.split())
    return rf"(?<!\w){words}(?!\w)"


@lru_cache(maxsize=8)
def _scorer(entries: tuple[tuple[str, float], ...]) -> _Scorer:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    tokens: dict[str, str] = {}
    for key, valence in entries:
        word = key.strip().lower()
        if _SINGLE_WORD.fullmatch(word):
            if valence == 0.0:
                analyzer.lexicon.pop(word, None)
            else:
                analyzer.lexicon[word] = valence
        else:
            phrase = " ".join(word.split())
            token = f"jmlex{len(tokens)}x"
            tokens[phrase] = token
            analyzer.lexicon[token] = valence
    pattern = None
    if tokens:
        ordered = sorted(tokens, key=len, reverse=True)  # "hung up on" before "hung up"
        pattern = re.compile("|".join(_phrase_pattern(p) for p in ordered), re.IGNORECASE)
    return _Scorer(analyzer, pattern, tokens)


def _entries(domain: bool, lexicon: Mapping[str, float] | None) -> tuple[tuple[str, float], ...]:
    merged: dict[str, float] = dict(DOMAIN_LEXICON) if domain else {}
    for key, value in (lexicon or {}).items():
        if not isinstance(key, str) or not key.strip():
            raise UsageError(f"lexicon entry {key!r}: a word, phrase or emoji is needed")
        if not isinstance(value, int | float) or not -4.0 <= float(value) <= 4.0:
            raise UsageError(f"lexicon entry {key!r}: valence must be a number in -4..4")
        merged[key] = float(value)
    return tuple(merged.items())


def _check(method: str, positive: float, negative: float) -> None:
    if method not in METHODS:
        raise UsageError(
            f"unknown sentiment method {method!r}; valid methods: {', '.join(METHODS)}"
        )
    if not -1.0 <= negative < positive <= 1.0:
        raise UsageError(
            f"sentiment thresholds need -1 <= negative < positive <= 1, "
            f"not negative={negative}, positive={positive}"
        )


def polarity(
    texts: Sequence[str | None],
    *,
    domain: bool = True,
    lexicon: Mapping[str, float] | None = None,
) -> np.ndarray:
    """VADER compound score of each text (NaN for a missing or blank one)."""
    import numpy as np

    scorer = _scorer(_entries(domain, lexicon))
    return np.array(
        [scorer.scores(t)["compound"] if t and t.strip() else np.nan for t in texts],
        dtype=np.float64,
    )


def sentiment(
    data: object,
    *,
    text: str | None = None,
    method: Method = "vader",
    positive: float = 0.05,
    negative: float = -0.05,
    domain: bool = True,
    lexicon: Mapping[str, float] | None = None,
) -> pa.Table:
    """Score each verbatim of ``data`` (a Feedback, or a table with ``text=`` naming the
    column); one row per input row, in input order (columns in the module docstring).

    ``domain=False`` leaves out :data:`DOMAIN_LEXICON`; ``lexicon`` adds or overrides words,
    phrases and emoji (``{"united": 0, "on hold": -1.5}``), valences on VADER's -4..4 scale.
    """
    import pyarrow as pa

    _check(method, positive, negative)
    v = verbatims(data, text)
    scorer = _scorer(_entries(domain, lexicon))
    score: list[float | None] = []
    label: list[str | None] = []
    pos: list[float | None] = []
    neu: list[float | None] = []
    neg: list[float | None] = []
    for t in v.texts:
        if t is None:
            for col in (score, label, pos, neu, neg):
                col.append(None)
            continue
        s = scorer.scores(t)
        c = s["compound"]
        score.append(c)
        label.append("positive" if c >= positive else "negative" if c <= negative else "neutral")
        pos.append(s["pos"])
        neu.append(s["neu"])
        neg.append(s["neg"])
    return pa.table(
        {
            "row": v.rows,
            "text": v.table.column(v.column).cast(pa.string()),
            "score": pa.array(score, pa.float64()),
            "label": pa.array(label, pa.string()),
            "pos": pa.array(pos, pa.float64()),
            "neu": pa.array(neu, pa.float64()),
            "neg": pa.array(neg, pa.float64()),
        }
    )


def _human_labels(human: object, n: int) -> list[str | None]:
    import pyarrow as pa

    if isinstance(human, pa.Array | pa.ChunkedArray):
        values: list[object] = human.to_pylist()
    elif isinstance(human, Sequence) and not isinstance(human, str):
        values = list(human)
    else:
        raise UsageError("human labels must be a sequence of 'negative'/'neutral'/'positive'")
    if len(values) != n:
        raise UsageError(f"{len(values)} human labels for {n} predicted rows; they must align")
    out: list[str | None] = []
    bad: list[str] = []
    for value in values:
        if value is None or (isinstance(value, str) and not value.strip()):
            out.append(None)
            continue
        label = str(value).strip().lower()
        if label not in LABELS:
            bad.append(str(value))
        out.append(label)
    if bad:
        shown = ", ".join(repr(b) for b in list(dict.fromkeys(bad))[:5])
        raise UsageError(f"human labels must be negative, neutral or positive; found {shown}")
    return out


def sentiment_agreement(predicted: pa.Table, human: Sequence[str | None] | object) -> Agreement:
    """How well :func:`sentiment`'s output agrees with human labels, row by row.

    ``accuracy`` and ``macro_f1`` over the three classes; ``auc``: the score as a ranking of
    the rows people labelled positive above those labelled negative (neutral rows left out;
    None when either class is absent); ``confusion[human][predicted]`` counts. Rows without a
    human label (``missing_human``) or without text (``missing_text``) are left out of all.
    """
    import numpy as np
    from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

    for col in ("score", "label"):
        if col not in predicted.column_names:
            raise UsageError(f"predicted has no {col!r} column; pass the output of sentiment()")
    labels = _human_labels(human, predicted.num_rows)
    pred = predicted.column("label").to_pylist()
    scores = predicted.column("score").to_pylist()
    missing_human = sum(h is None for h in labels)
    keep = [i for i, h in enumerate(labels) if h is not None and pred[i] is not None]
    missing_text = sum(1 for h, p in zip(labels, pred, strict=True) if h is not None and p is None)
    y = [labels[i] for i in keep]
    p = [pred[i] for i in keep]
    confusion = {h: dict.fromkeys(LABELS, 0) for h in LABELS}
    for h, q in zip(y, p, strict=True):
        confusion[str(h)][str(q)] += 1
    polar = [i for i in keep if labels[i] != "neutral"]
    truth = np.array([labels[i] == "positive" for i in polar])
    auc = None
    if truth.size and truth.any() and not truth.all():
        auc = float(roc_auc_score(truth, np.array([scores[i] for i in polar], dtype=float)))
    return Agreement(
        n=len(keep),
        accuracy=float(accuracy_score(y, p)) if keep else None,
        macro_f1=(
            float(f1_score(y, p, labels=list(LABELS), average="macro", zero_division=0))
            if keep
            else None
        ),
        auc=auc,
        auc_n=len(polar),
        confusion=confusion,
        missing_human=missing_human,
        missing_text=missing_text,
    )
