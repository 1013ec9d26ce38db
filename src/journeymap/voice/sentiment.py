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

**Long texts** (more than :data:`LONG_WORDS` = 50 words) are scored sentence by sentence: one
VADER compound of a whole review sums every sentence's valence and squashes the sum into
[-1, 1] as if it were one short text, so a long review saturates at +0.9 from its polite
sentences alone ("the crew were friendly ... a nightmare ... do not fly" scores +0.77). Here
each sentence's valence (its compound turned back into the sum VADER squashed, ``v =
c·sqrt(15 / (1 - c²))``) is added up with negative sentences counting twice, and the total is
squashed with VADER's own formula, its α = 15 growing with the number of sentences ``n``:
``score = V / sqrt(V² + 15·n)``. On the 1,102 Amazon reviews of more than 50 words this
agrees better with the reviewers' own stars (Spearman 0.42 -> 0.48, AUC of 1-2 vs 4-5 stars
0.89 -> 0.91, 1-2 star reviews read negative 52% -> 69%, at a cost: 4-5 star ones read
positive 97% -> 88%); up to 50 words neither way is better, so short texts (and tweets, whose
agreement with human labels is pinned) keep the whole-text score. docs/feedback.md has the
measurements. ``long_words=None`` scores every text whole.

Labels use VADER's thresholds: ``score >= 0.05`` positive, ``score <= -0.05`` negative,
neutral between (``positive=`` and ``negative=`` move them).

**Agreement with a rating.** When the feedback has a score (an overall rating, stars, NPS) or
``rating=`` names a column, :func:`sentiment` measures how well the sentiment agrees with it
(:func:`rating_agreement`: Spearman's rank correlation, the share of low ratings read
negative and of high ratings read positive with 95% Wilson intervals, and the AUC of the
score between low and high ratings), for all texts, the short and the long ones, and keeps it
in the table's metadata (``rating_agreement``, JSON); :func:`sentiment_report` writes it for
people.

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

The table's schema metadata carries ``method``, ``long_words`` (``none`` when every text is
scored whole), ``long_texts`` (how many were scored by sentences) and, with a rating,
``rating`` and ``rating_agreement``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal, TypedDict

from journeymap.errors import UsageError
from journeymap.voice._text import numeric_column, strip_handles, verbatims

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

__all__ = [
    "DOMAIN_LEXICON",
    "LABELS",
    "LONG_WORDS",
    "METHODS",
    "Agreement",
    "RatingAgreement",
    "polarity",
    "rating_agreement",
    "sentences",
    "sentiment",
    "sentiment_agreement",
    "sentiment_report",
]

Method = Literal["vader"]
METHODS: tuple[str, ...] = ("vader",)
LABELS: tuple[str, str, str] = ("negative", "neutral", "positive")
#: texts of more words than this are scored sentence by sentence (see the module docstring)
LONG_WORDS = 50
#: VADER's normalisation constant: compound = x / sqrt(x² + α)
_ALPHA = 15.0
#: a sentence with a negative valence counts this many times in a long text
_NEGATIVE_WEIGHT = 2.0
#: the end of a sentence: . ! ? (and closing quotes or brackets) before a space, a blank
#: line, or a line break before a list item, a number or a capital
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"')\]]))\s+|\n\s*\n|\s*\n(?=\s*[-*•\dA-Z])")

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

    def compound(self, text: str, long_words: int | None) -> float:
        """The text's score: VADER's compound, or for a text of more than ``long_words``
        words the sentence-level score of the module docstring."""
        if long_words is not None and _words(text) > long_words:
            return self.by_sentences(text)
        result: float = self.scores(text)["compound"]
        return result

    def by_sentences(self, text: str) -> float:
        """The sentence-level score of the module docstring."""
        return _by_sentences([self.scores(s)["compound"] for s in sentences(text)])

    def _token(self, match: re.Match[str]) -> str:
        return f" {self.tokens[' '.join(match.group(0).lower().split())]} "


def sentences(text: str) -> list[str]:
    """The sentences of a text: split after . ! ? before a space, at blank lines and at line
    breaks before a list item, a number or a capital; pieces without a letter or digit are
    dropped (the whole text when nothing is left)."""
    parts = [p.strip() for p in _SENTENCE_END.split(text) if p and p.strip()]
    return [p for p in parts if re.search(r"\w", p)] or [text]


def _by_sentences(compounds: Sequence[float]) -> float:
    """The long-text score from the compounds of its sentences (module docstring)."""
    total = 0.0
    for c in compounds:
        c = max(min(c, 0.9999), -0.9999)  # VADER rounds to 4 decimals
        v = c * math.sqrt(_ALPHA / (1.0 - c * c))
        total += _NEGATIVE_WEIGHT * v if v < 0 else v
    return total / math.sqrt(total * total + _ALPHA * len(compounds))


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
    long_words: int | None = LONG_WORDS,
) -> np.ndarray:
    """The score of each text (NaN for a missing or blank one): VADER's compound, long texts
    sentence by sentence (module docstring)."""
    import numpy as np

    scorer = _scorer(_entries(domain, lexicon))
    return np.array(
        [scorer.compound(t, long_words) if t and t.strip() else np.nan for t in texts],
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
    long_words: int | None = LONG_WORDS,
    rating: str | None = None,
) -> pa.Table:
    """Score each verbatim of ``data`` (a Feedback, or a table with ``text=`` naming the
    column); one row per input row, in input order (columns in the module docstring).

    ``domain=False`` leaves out :data:`DOMAIN_LEXICON`; ``lexicon`` adds or overrides words,
    phrases and emoji (``{"united": 0, "on hold": -1.5}``), valences on VADER's -4..4 scale.
    Texts of more than ``long_words`` words are scored sentence by sentence (``None``: every
    text whole). ``rating`` names a column of ratings to measure the agreement with (default:
    the Feedback's score); it goes in the metadata (module docstring).
    """
    import pyarrow as pa

    _check(method, positive, negative)
    if long_words is not None and long_words < 1:
        raise UsageError(f"long_words must be 1 or more words (None: never), not {long_words}")
    v = verbatims(data, text)
    scorer = _scorer(_entries(domain, lexicon))
    cols: dict[str, list[Any]] = {k: [] for k in ("score", "label", "pos", "neu", "neg")}
    long_texts = 0
    for t in v.texts:
        if t is None:
            for col in cols.values():
                col.append(None)
            continue
        s = scorer.scores(t)
        c = s["compound"]
        if long_words is not None and _words(t) > long_words:
            c = scorer.by_sentences(t)
            long_texts += 1
        cols["score"].append(c)
        cols["label"].append(
            "positive" if c >= positive else "negative" if c <= negative else "neutral"
        )
        for k in ("pos", "neu", "neg"):
            cols[k].append(s[k])
    meta = {"method": method, "long_words": str(long_words).lower(), "long_texts": long_texts}
    table = pa.table(
        {
            "row": v.rows,
            "text": v.table.column(v.column).cast(pa.string()),
            "score": pa.array(cols["score"], pa.float64()),
            "label": pa.array(cols["label"], pa.string()),
            "pos": pa.array(cols["pos"], pa.float64()),
            "neu": pa.array(cols["neu"], pa.float64()),
            "neg": pa.array(cols["neg"], pa.float64()),
        }
    )
    name, ratings = numeric_column(v, rating, role="score")
    if name:
        meta["rating"] = name
        meta["rating_agreement"] = json.dumps(
            _agreement_by_length(table, ratings, _scale_of(v.roles, ratings), long_words)
        )
    return table.replace_schema_metadata({k: str(x) for k, x in meta.items()})


def _words(text: str) -> int:
    return len(text.split())


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


# -- agreement with a rating --------------------------------------------------------------


class RatingAgreement(TypedDict):
    """Agreement of sentiment scores with ratings (see :func:`rating_agreement`)."""

    n: int
    spearman: float | None
    auc: float | None
    n_low: int
    n_high: int
    low_negative: float | None
    low_negative_ci: list[float] | None
    high_positive: float | None
    high_positive_ci: list[float] | None
    missing_rating: int
    missing_text: int


def _wilson(k: int, n: int) -> list[float] | None:
    """95% Wilson interval of the share k / n."""
    if n == 0:
        return None
    z = 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return [max(min(centre - half, p), 0.0), min(max(centre + half, p), 1.0)]


def rating_agreement(
    predicted: pa.Table,
    ratings: Sequence[float | None],
    *,
    scale: tuple[float, float] | None = None,
) -> RatingAgreement:
    """How well :func:`sentiment`'s scores agree with ratings of the same rows.

    ``spearman``: Spearman's rank correlation of score and rating. Ratings below the middle
    of ``scale`` (default: the ratings' own range) are *low*, above it *high* (1-2 and 4-5
    on 1-5; 0-4 and 6-10 on 0-10): ``low_negative`` is the share of low ratings labelled
    negative, ``high_positive`` of high ones labelled positive, each with its 95% Wilson
    interval; ``auc`` the chance that a high rating's text scores above a low one's. Rows
    without a rating (``missing_rating``) or a text (``missing_text``) are left out."""
    import numpy as np

    if "score" not in predicted.column_names or "label" not in predicted.column_names:
        raise UsageError("predicted needs 'score' and 'label' columns: the output of sentiment()")
    if len(ratings) != predicted.num_rows:
        raise UsageError(f"{len(ratings)} ratings for {predicted.num_rows} rows; they must align")
    scores = predicted.column("score").to_pylist()
    labels = predicted.column("label").to_pylist()
    r = np.array([np.nan if x is None else float(x) for x in ratings], dtype=np.float64)
    has_rating = ~np.isnan(r)
    has_text = np.array([x is not None for x in scores], dtype=bool)
    keep = has_rating & has_text
    y, x = r[keep], np.array([scores[i] for i in np.flatnonzero(keep)], dtype=np.float64)
    lab = [labels[i] for i in np.flatnonzero(keep)]
    lo, hi = scale if scale is not None else (
        (float(y.min()), float(y.max())) if y.size else (0.0, 0.0)
    )  # fmt: skip
    middle = (lo + hi) / 2
    low, high = y < middle, y > middle
    n_low, n_high = int(low.sum()), int(high.sum())
    low_neg = sum(1 for i in np.flatnonzero(low) if lab[i] == "negative")
    high_pos = sum(1 for i in np.flatnonzero(high) if lab[i] == "positive")
    return RatingAgreement(
        n=int(keep.sum()),
        spearman=_spearman(x, y),
        auc=_auc(x[low | high], high[low | high]),
        n_low=n_low,
        n_high=n_high,
        low_negative=low_neg / n_low if n_low else None,
        low_negative_ci=_wilson(low_neg, n_low),
        high_positive=high_pos / n_high if n_high else None,
        high_positive_ci=_wilson(high_pos, n_high),
        missing_rating=int((has_text & ~has_rating).sum()),
        missing_text=int((has_rating & ~has_text).sum()),
    )


def _ranks(x: np.ndarray) -> np.ndarray:
    """1-based ranks, ties given their average rank (numpy only: scipy costs a second to
    import)."""
    import numpy as np

    _, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    upto = np.cumsum(counts)
    ranks: np.ndarray = ((upto - counts + 1 + upto) / 2)[inverse]
    return ranks


def _spearman(x: np.ndarray, y: np.ndarray) -> float | None:
    """Spearman's rank correlation: Pearson's of the ranks (ties averaged)."""
    import numpy as np

    if x.size < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return None
    return float(np.corrcoef(_ranks(x), _ranks(y))[0, 1])


def _auc(x: np.ndarray, high: np.ndarray) -> float | None:
    """The chance that a high row scores above a low one, ties half (Mann-Whitney U)."""
    n1, n0 = int(high.sum()), int((~high).sum())
    if not n1 or not n0:
        return None
    return float((_ranks(x)[high].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def _scale_of(roles: object | None, ratings: Sequence[float | None]) -> tuple[float, float]:
    """The rating's scale: the Feedback's range or its scale's default, else as observed."""
    from journeymap.voice.read import DEFAULT_RANGES

    given = getattr(roles, "scale_range", None)
    if given is not None:
        return float(given[0]), float(given[1])
    default = DEFAULT_RANGES.get(getattr(roles, "scale", None) or "rating")
    if default is not None:
        return float(default[0]), float(default[1])
    present = [float(x) for x in ratings if x is not None and not math.isnan(x)]
    return (min(present), max(present)) if present else (0.0, 0.0)


def _agreement_by_length(
    table: pa.Table,
    ratings: Sequence[float | None],
    scale: tuple[float, float],
    long_words: int | None,
) -> dict[str, Any]:
    """The agreement over all texts and, when long texts are scored by sentences, over the
    short and the long ones apart."""
    import pyarrow as pa

    out: dict[str, Any] = {"scale": list(scale), "middle": (scale[0] + scale[1]) / 2}
    out["all"] = rating_agreement(table, ratings, scale=scale)
    if long_words is None:
        return out
    words = [None if t is None else _words(t) for t in table.column("text").to_pylist()]
    for part, keep in (
        ("short", [w is not None and w <= long_words for w in words]),
        ("long", [w is not None and w > long_words for w in words]),
    ):
        idx = [i for i, k in enumerate(keep) if k]
        sub = table.take(pa.array(idx, pa.int64()))
        out[part] = rating_agreement(sub, [ratings[i] for i in idx], scale=scale)
    return out


#: fewer low (or high) ratings than this make their share a rough figure
_FEW = 30


def _strength(rho: float) -> str:
    return "weak" if abs(rho) < 0.3 else "moderate" if abs(rho) < 0.5 else "strong"


def _agreement_line(what: str, a: Mapping[str, Any], low: str, high: str) -> str:
    from journeymap._numbers import count, percent

    def share(key: str, n: int) -> str:
        if a[key] is None:
            return f"– of 0 {key.split('_')[0]} ratings"
        lo, hi = a[f"{key}_ci"]
        return f"{percent(a[key])} ({percent(lo)[:-1]}-{percent(hi)}) of {count(n)}"

    rho = a["spearman"]
    parts = [f"{what} ({count(a['n'])})"]
    parts.append("Spearman –" if rho is None else f"Spearman {rho:.2f} ({_strength(rho)})")
    parts.append(f"read negative when {low}: {share('low_negative', a['n_low'])}")
    parts.append(f"read positive when {high}: {share('high_positive', a['n_high'])}")
    parts.append("AUC –" if a["auc"] is None else f"AUC {a['auc']:.2f}")
    if min(a["n_low"], a["n_high"]) < _FEW:
        parts.append(f"fewer than {_FEW} low or high ratings: rough")
    return ", ".join(parts)


def sentiment_report(result: pa.Table) -> list[str]:
    """What a :func:`sentiment` result rests on, for people (the CLI prints it on stderr):
    how long texts were scored and the agreement with the rating (module docstring)."""
    from journeymap._numbers import count

    meta = {k.decode(): v.decode() for k, v in (result.schema.metadata or {}).items()}
    lines = []
    long_words = meta.get("long_words", "none")
    n = int(meta.get("long_texts", "0"))
    if n:
        lines.append(
            f"sentiment: {count(n)} text{'s' * (n != 1)} of more than {long_words} words "
            "scored sentence by sentence (--whole: every text whole)"
        )
    if "rating_agreement" not in meta:
        return lines
    agreement = json.loads(meta["rating_agreement"])
    lo, hi = agreement["scale"]
    middle = agreement["middle"]
    low, high = f"rated below {middle:g}", f"above {middle:g}"
    lines.append(
        f"agreement with the rating {meta['rating']!r} (scale {lo:g}-{hi:g}; low: below "
        f"{middle:g}, high: above {middle:g}):"
    )
    names = {
        "all": "all texts",
        "short": f"up to {long_words} words",
        "long": f"over {long_words} words",
    }
    for part, what in names.items():
        if part in agreement and agreement[part]["n"]:
            lines.append("  " + _agreement_line(what, agreement[part], low, high))
    return lines
