"""The voice of the customer per touchpoint: which feedback rows speak about each touchpoint
of a map, and what they say (scores, sentiment, negative themes, quotes).

Feedback is small and its methods run in memory (ADR 0005), so this works on the Arrow table
of :func:`journeymap.voice.read.read_feedback` and reuses the analyses of :mod:`journeymap.voice`:
:mod:`~journeymap.voice.scores` for NPS, CSAT, CES and ratings with their 95% intervals,
:func:`~journeymap.voice.sentiment.sentiment` for VADER scores and labels,
:func:`~journeymap.voice.themes.themes` for the themes of the negative verbatims and
:func:`~journeymap.voice.drivers.mentions` for keyword matching.

Which rows belong to a touchpoint
---------------------------------
A touchpoint's ``feedback:`` key (:class:`~journeymap.model.touchpoint.FeedbackMatch`) says:

- ``values``: a row belongs when its touchpoint column holds one of them; a row with an empty
  touchpoint (or feedback without a touchpoint column) is matched on its stage column
  instead. Values are compared without case and with spaces collapsed.
- ``keywords``: a row belongs when its verbatim mentions one of them (whole words or phrases,
  any case, ``word*`` for word endings; :func:`~journeymap.voice.drivers.mentions`).
- ``ratings``: rating columns that score this touchpoint; every row with a value in one of
  them speaks about it, through that rating only (the row's overall score and verbatim are
  about the whole experience, so they stay out unless ``values`` or ``keywords`` match too).

A touchpoint without a ``feedback:`` key gets no rows. A row may speak about several
touchpoints (a tweet about a delayed flight and a lost bag). Rows that belong to no
touchpoint are counted: the table's schema metadata ``b"unmatched"`` holds their number
(``b"rows"`` the rows read).

Which score a value is
----------------------
The feedback's score column is scored on the touchpoint's ``survey`` when it gives one, else
on the feedback's own scale (:class:`~journeymap.voice.read.FeedbackRoles`); a rating
column on the touchpoint's ``survey``, else as a plain rating. The range is the feedback's
``scale_range`` when the scale is the feedback's own, else the scale's default (NPS 0-10,
CSAT 1-5, CES 1-7); a plain rating's range is the one observed over its whole column. Scores
of one scale from several sources of a touchpoint are pooled; pooled ratings use the widest
of their ranges. An answer outside its scale is an error naming the touchpoint.

Columns, one row per touchpoint in map order
--------------------------------------------
======================  ==============  ==================================================
stage, touchpoint       string          ids of the map
order                   int64           1-based position in the map
n                       int64           rows that speak about the touchpoint
nps, nps_low, ...       float64         NPS -100..100 with its 95% interval; ``nps_n``
csat, csat_low, ...     float64         CSAT % top box 0..100, Wilson interval; ``csat_n``
ces, ces_low, ...       float64         mean CES answer, t interval; ``ces_n``
rating, rating_low ...  float64         mean rating, t interval; ``rating_n``
sentiment, _low, _high  float64         mean VADER compound -1..1 of its verbatims, t interval
sentiment_n             int64           verbatims scored
negative_share          float64         share of those verbatims labelled negative, 0..1
themes                  list<string>    labels of the (up to) 3 largest negative themes
quotes                  list<string>    up to 3 negative verbatims
ces_scale_low/_high     float64         the CES range used (to read the mean), null w/o CES
rating_scale_low/_high  float64         the rating range used, null without ratings
nps_boot, csat_boot,    list<float64>   the score (NPS, CSAT %, mean CES, mean rating,
ces_boot, rating_boot,                  mean sentiment) on each of ``resamples`` resamples
sentiment_boot                          of the respondents; null without answers
======================  ==============  ==================================================

The resamples (for the interval of the measured emotion,
:mod:`journeymap.measuring.emotion`) draw the touchpoint's respondents, the rows that give it
a score or a verbatim, with replacement, one draw for all its signals, so that a respondent's
score and comment stay together; two imaginary respondents join every resample, one giving
the worst and one the best answer of each signal (the top box or not for CSAT, a promoter or
a detractor for NPS, the ends of the scale, sentiment -1 and +1), so that a few identical
answers never make an interval of no width. The draws are seeded by ``seed``, the file's name
and the touchpoint: the same on every run, independent between files.

Themes are looked for only when a touchpoint has at least :data:`MIN_THEME_TEXTS` negative
verbatims: fewer are anecdotes, and k-means on a handful of short texts gives labels that
change with every new answer. Quotes are the verbatim nearest the centre of each of the top
themes (what the theme is about), then the most negative verbatims, whitespace collapsed and
cut at :data:`QUOTE_CHARS` characters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from journeymap.errors import UsageError
from journeymap.model.emotion import normalise_word
from journeymap.voice.read import DEFAULT_RANGES, ROW, Feedback, Scale, range_text

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

    from journeymap.model.journey import JourneyMap
    from journeymap.model.touchpoint import Touchpoint
    from journeymap.voice.scores import Score

__all__ = [
    "MIN_THEME_TEXTS",
    "QUOTES",
    "QUOTE_CHARS",
    "RESAMPLES",
    "SCORES",
    "THEMES",
    "touchpoint_feedback",
]

#: Negative verbatims a touchpoint needs before its themes are looked for.
MIN_THEME_TEXTS = 20
#: Theme labels and quotes kept per touchpoint.
THEMES = 3
QUOTES = 3
QUOTE_CHARS = 300
#: The scores of the table, in column order.
SCORES: tuple[Scale, ...] = ("nps", "csat", "ces", "rating")
#: Resamples of a touchpoint's respondents behind the interval of its measured emotion.
RESAMPLES = 1000
#: the most respondents x resamples drawn at once (memory: 8 bytes each)
_CHUNK = 2_000_000


@dataclass
class _Pool:
    """Answers of one scale gathered for a touchpoint, the rows they come from (indices into
    the feedback) and the range they are on."""

    values: list[np.ndarray] = field(default_factory=list)
    ranges: list[tuple[float, float] | None] = field(default_factory=list)
    rows: list[np.ndarray] = field(default_factory=list)

    def add(self, values: np.ndarray, lo_hi: tuple[float, float] | None, rows: np.ndarray) -> None:
        self.values.append(values)
        self.ranges.append(lo_hi)
        self.rows.append(rows)

    def range(self) -> tuple[float, float] | None:
        known = [r for r in self.ranges if r is not None]
        if not known:
            return None
        return min(r[0] for r in known), max(r[1] for r in known)


def _key(value: Any) -> str | None:
    if value is None:
        return None
    text = normalise_word(str(value))
    return text or None


def _row_keys(fb: Feedback) -> list[str | None]:
    """Each row's touchpoint value, else its stage value, compared as :func:`_key`."""
    t, roles = fb.table, fb.roles
    tps = t.column(roles.touchpoint).to_pylist() if roles.touchpoint else [None] * t.num_rows
    sts = t.column(roles.stage).to_pylist() if roles.stage else [None] * t.num_rows
    return [_key(a) or _key(b) for a, b in zip(tps, sts, strict=True)]


def _numbers(fb: Feedback, column: str, tp: Touchpoint) -> np.ndarray:
    import numpy as np
    import pyarrow as pa

    if column not in fb.table.column_names:
        names = ", ".join(c for c in fb.table.column_names if c != ROW)
        raise UsageError(
            f'touchpoint "{tp.id}": rating column "{column}" is not in {fb.source} '
            f"(columns: {names})"
        )
    col = fb.table.column(column)
    if not (pa.types.is_integer(col.type) or pa.types.is_floating(col.type)):
        raise UsageError(f'touchpoint "{tp.id}": column "{column}" holds {col.type}, not numbers')
    return np.asarray(col.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=float)


def _observed(x: np.ndarray) -> tuple[float, float] | None:
    import numpy as np

    present = x[~np.isnan(x)]
    return None if present.size == 0 else (float(present.min()), float(present.max()))


def _keyword_hits(fb: Feedback, m: JourneyMap) -> dict[str, np.ndarray]:
    """Touchpoint id -> boolean mask of the rows whose verbatim mentions its keywords."""
    import numpy as np

    from journeymap.voice.drivers import mentions

    wanted = {
        tp.id: tp.feedback.keywords
        for _, tp in m.iter_touchpoints()
        if tp.feedback is not None and tp.feedback.keywords
    }
    if not wanted:
        return {}
    if fb.roles.text is None:
        first = next(iter(wanted))
        raise UsageError(
            f'touchpoint "{first}" links feedback by keywords, but {fb.source} has no text '
            "column; name it with --text COL"
        )
    names = {f"__jm_tp{i}": tp_id for i, tp_id in enumerate(wanted)}
    hits = mentions(
        fb.table.select([fb.roles.text]),
        text=fb.roles.text,
        touchpoints={col: wanted[tp_id] for col, tp_id in names.items()},
    )
    out: dict[str, np.ndarray] = {}
    for col, tp_id in names.items():
        flags = hits.column(col).fill_null(0).to_numpy(zero_copy_only=False)
        out[tp_id] = np.asarray(flags, dtype=bool)
    return out


def _score(pool: _Pool, scale: Scale, tp: Touchpoint) -> Score:
    import numpy as np

    from journeymap.voice.scores import score_of

    lo_hi = pool.range()
    try:
        return score_of(np.concatenate(pool.values), scale, scale_range=lo_hi)
    except UsageError as error:
        raise UsageError(f'touchpoint "{tp.id}": {error}') from None


def _clip(text: str) -> str:
    quote = " ".join(text.split())
    return quote if len(quote) <= QUOTE_CHARS else quote[: QUOTE_CHARS - 1].rstrip() + "…"


def _negatives(
    texts: Sequence[str], scores: Sequence[float], min_texts: int, seed: int
) -> tuple[list[str], list[str]]:
    """Theme labels and quotes of a touchpoint's negative verbatims (``scores`` their VADER
    compound scores, same order)."""
    import pyarrow as pa

    from journeymap.voice.themes import NO_TERMS, themes

    labels: list[str] = []
    quotes: list[str] = []
    if len(texts) >= min_texts:
        found = themes(pa.table({"text": list(texts)}), quotes=1, seed=seed)
        for row in found.to_pylist():
            if row["label"] == NO_TERMS or len(labels) >= THEMES:
                continue
            labels.append(row["label"])
            quotes += [_clip(q) for q in row["quotes"][:1]]
    for i in sorted(range(len(texts)), key=lambda i: (scores[i], i)):
        if len(quotes) >= QUOTES:
            break
        quote = _clip(texts[i])
        if quote not in quotes:
            quotes.append(quote)
    return labels, quotes[:QUOTES]


@dataclass
class _Links:
    """Which rows speak about each touchpoint: by values or keywords (``talks``), through its
    rating columns (``rated``: answers, scale, range), and every row some touchpoint claims."""

    talks: dict[str, np.ndarray]
    rated: dict[str, list[tuple[np.ndarray, Scale, tuple[float, float] | None]]]
    claimed: np.ndarray


@dataclass(frozen=True)
class _OwnScore:
    """The feedback's score column as numbers (None: no score), its scale and range."""

    x: np.ndarray | None
    scale: Scale
    range: tuple[float, float] | None


def _links(fb: Feedback, m: JourneyMap) -> _Links:
    import numpy as np

    n_rows = fb.table.num_rows
    keys = _row_keys(fb) if (fb.roles.touchpoint or fb.roles.stage) else None
    hits = _keyword_hits(fb, m)
    links = _Links({}, {}, np.zeros(n_rows, dtype=bool))
    for _, tp in m.iter_touchpoints():
        mask = np.zeros(n_rows, dtype=bool)
        link = tp.feedback
        if link is not None and link.values and keys is not None:
            wanted = {_key(v) for v in link.values} - {None}
            mask |= np.fromiter((k in wanted for k in keys), dtype=bool, count=n_rows)
        if tp.id in hits:
            mask |= hits[tp.id]
        links.talks[tp.id] = mask
        links.claimed |= mask
        links.rated[tp.id] = []
        for col in link.ratings if link is not None else []:
            x = _numbers(fb, col, tp)
            scale: Scale = link.survey if link is not None and link.survey else "rating"
            links.rated[tp.id].append((x, scale, DEFAULT_RANGES[scale] or _observed(x)))
            links.claimed |= ~np.isnan(x)
    return links


def _own_score(fb: Feedback) -> _OwnScore:
    scale: Scale = fb.roles.scale or "rating"
    x = _numbers_of_score(fb)
    lo_hi = fb.roles.scale_range or DEFAULT_RANGES[scale]
    if lo_hi is None and x is not None:
        lo_hi = _observed(x)
    return _OwnScore(x, scale, lo_hi)


def _verbatims(fb: Feedback, claimed: np.ndarray) -> dict[int, tuple[str, float, str]]:
    """Text, VADER score and label of every row some touchpoint claims, scored once."""
    import numpy as np
    import pyarrow as pa

    from journeymap.voice.sentiment import sentiment

    text = fb.roles.text
    if text is None or not claimed.any():
        return {}
    idx = np.flatnonzero(claimed)
    scored = sentiment(fb.table.select([text]).take(pa.array(idx)), text=text)
    out: dict[int, tuple[str, float, str]] = {}
    for i, said, s, label in zip(
        idx.tolist(),
        scored.column("text").to_pylist(),
        scored.column("score").to_pylist(),
        scored.column("label").to_pylist(),
        strict=True,
    ):
        if s is not None:
            out[i] = (said, s, label)
    return out


def _pools(
    mask: np.ndarray, tp: Touchpoint, own: _OwnScore, links: _Links
) -> tuple[int, dict[Scale, _Pool]]:
    """The rows that speak about a touchpoint (n) and its answers pooled by scale."""
    import numpy as np

    every = mask.copy()
    pools: dict[Scale, _Pool] = {}
    if own.x is not None and mask.any():
        survey = tp.feedback.survey if tp.feedback is not None else None
        scale = survey or own.scale
        rows = np.flatnonzero(mask & ~np.isnan(own.x))
        if rows.size:
            lo_hi = own.range if scale == own.scale else DEFAULT_RANGES[scale]
            pools.setdefault(scale, _Pool()).add(own.x[rows], lo_hi or _observed(own.x), rows)
    for x, scale, lo_hi in links.rated[tp.id]:
        present = ~np.isnan(x)
        every |= present
        if present.any():
            pools.setdefault(scale, _Pool()).add(x[present], lo_hi, np.flatnonzero(present))
    return int(every.sum()), pools


@dataclass(frozen=True)
class _Answers:
    """One signal's answers at a touchpoint, for the bootstrap: the row of each answer, its
    part of the score (1/0 top box for CSAT, +1/0/-1 for NPS, the answer for CES and ratings,
    the compound score for sentiment), the worst and best part, and the factor to the score's
    units (100 for NPS and CSAT, in points and %)."""

    rows: np.ndarray
    parts: np.ndarray
    ends: tuple[float, float]
    factor: float = 1.0


def _answers(scale: Scale, pool: _Pool) -> _Answers:
    """The answers of a pool as :func:`~journeymap.voice.scores.score_of` scores them."""
    import numpy as np

    x, rows = np.concatenate(pool.values), np.concatenate(pool.rows)
    lo_hi = pool.range() or DEFAULT_RANGES[scale]
    if scale == "nps":
        return _Answers(rows, np.where(x >= 9, 1.0, np.where(x <= 6, -1.0, 0.0)), (-1, 1), 100)
    if scale == "csat" and lo_hi is not None:
        return _Answers(rows, (x >= lo_hi[1] - 1).astype(float), (0.0, 1.0), 100.0)
    return _Answers(rows, x, lo_hi or (float(x.min()), float(x.max())))


def _rng(seed: int, source: str, tp_id: str) -> np.random.Generator:
    """The random numbers of one touchpoint of one feedback file: the same on every run and
    in every folder, different for every file and touchpoint."""
    import zlib

    import numpy as np

    name = source.replace("\\", "/").rsplit("/", 1)[-1]
    return np.random.default_rng([seed, zlib.crc32(f"{name}\0{tp_id}".encode())])


def _replicates(
    signals: dict[str, _Answers], rng: np.random.Generator, resamples: int
) -> dict[str, list[float]]:
    """Each signal's score on ``resamples`` resamples of the touchpoint's respondents (rows,
    drawn with replacement, the same draw for every signal), two imaginary respondents added
    to every resample: one with the worst, one with the best answer of each signal. NaN where
    a resample holds no answer of the signal."""
    import numpy as np

    respondents = np.unique(np.concatenate([a.rows for a in signals.values()]))
    n = int(respondents.size)
    size = n + 2
    sums: dict[str, np.ndarray] = {}
    counts: dict[str, np.ndarray] = {}
    for name, a in signals.items():
        pos = np.searchsorted(respondents, a.rows)
        total, answered = np.zeros(size), np.zeros(size)
        np.add.at(total, pos, a.parts)
        np.add.at(answered, pos, 1.0)
        total[n], total[n + 1] = a.ends
        answered[n] = answered[n + 1] = 1.0
        sums[name], counts[name] = total, answered
    out = {name: np.empty(resamples) for name in signals}
    step = max(1, min(resamples, _CHUNK // size))
    for start in range(0, resamples, step):
        k = min(step, resamples - start)
        idx = rng.integers(0, size, size=(k, size))
        for name, a in signals.items():
            c = counts[name][idx].sum(axis=1)
            mean = np.divide(sums[name][idx].sum(axis=1), c, out=np.full(k, np.nan), where=c > 0)
            out[name][start : start + k] = mean * a.factor
    return {name: values.tolist() for name, values in out.items()}


def _boot_columns(
    pools: dict[Scale, _Pool],
    said: list[tuple[int, float]],
    rng: np.random.Generator,
    resamples: int,
) -> dict[str, list[float] | None]:
    """The ``<signal>_boot`` columns of a touchpoint (None without answers or resamples);
    ``said`` holds the row and VADER score of each verbatim."""
    import numpy as np

    signals: dict[str, _Answers] = {scale: _answers(scale, pool) for scale, pool in pools.items()}
    if said:
        rows = np.array([r for r, _ in said], dtype=np.int64)
        signals["sentiment"] = _Answers(rows, np.array([v for _, v in said]), (-1.0, 1.0))
    found = _replicates(signals, rng, resamples) if signals and resamples > 0 else {}
    return {f"{name}_boot": found.get(name) for name in (*SCORES, "sentiment")}


def _score_columns(pools: dict[Scale, _Pool], tp: Touchpoint) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for scale in SCORES:
        pool = pools.get(scale)
        s = _score(pool, scale, tp) if pool is not None else None
        row[scale] = s.score if s else None
        row[f"{scale}_low"] = s.ci_low if s else None
        row[f"{scale}_high"] = s.ci_high if s else None
        row[f"{scale}_n"] = s.n if s else 0
        if scale in ("ces", "rating"):
            lo_hi = pool.range() if pool is not None else None
            row[f"{scale}_scale_low"] = lo_hi[0] if lo_hi else None
            row[f"{scale}_scale_high"] = lo_hi[1] if lo_hi else None
    return row


def _sentiment_columns(
    said: list[tuple[str, float, str]], min_theme_texts: int, seed: int
) -> dict[str, Any]:
    """Mean sentiment with its interval, the negative share, themes and quotes of the
    verbatims ``said`` about one touchpoint."""
    from journeymap.voice.scores import rating

    mean = rating([v[1] for v in said], scale=(-1.0, 1.0))
    negative = [v for v in said if v[2] == "negative"]
    labels, quotes = _negatives(
        [v[0] for v in negative], [v[1] for v in negative], min_theme_texts, seed
    )
    return {
        "sentiment": mean.score,
        "sentiment_low": mean.ci_low,
        "sentiment_high": mean.ci_high,
        "sentiment_n": mean.n,
        "negative_share": len(negative) / len(said) if said else None,
        "themes": labels,
        "quotes": quotes,
    }


def touchpoint_feedback(
    fb: Feedback,
    m: JourneyMap,
    *,
    min_theme_texts: int = MIN_THEME_TEXTS,
    seed: int = 0,
    resamples: int = RESAMPLES,
) -> pa.Table:
    """What the feedback says about each touchpoint of ``m``: one row per touchpoint in map
    order, columns and matching rules in the module docstring; the schema metadata holds
    ``unmatched`` (rows no touchpoint claims), ``rows`` and ``resamples``.

    ``min_theme_texts``: the fewest negative verbatims a touchpoint needs for its themes;
    ``seed`` makes the themes and the resamples reproducible; ``resamples``: how many
    resamples of the respondents the ``*_boot`` columns hold (0: none). Raises
    :class:`UsageError` for keywords without a text column, a missing or non-numeric rating
    column, or an answer outside its scale.
    """
    import numpy as np
    import pyarrow as pa

    if min_theme_texts < 1:
        raise UsageError(f"min_theme_texts must be >= 1, not {min_theme_texts}")
    if resamples < 0:
        raise UsageError(f"resamples must be >= 0, not {resamples}")
    own = _own_score(fb)
    links = _links(fb, m)
    verbatims = _verbatims(fb, links.claimed)
    rows: list[dict[str, Any]] = []
    for order, (stage, tp) in enumerate(m.iter_touchpoints(), 1):
        mask = links.talks[tp.id]
        n, pools = _pools(mask, tp, own, links)
        spoke = [i for i in np.flatnonzero(mask).tolist() if i in verbatims]
        said = [verbatims[i] for i in spoke]
        scored = [(i, verbatims[i][1]) for i in spoke]
        rows.append(
            {"stage": stage.id, "touchpoint": tp.id, "order": order, "n": n}
            | _score_columns(pools, tp)
            | _sentiment_columns(said, min_theme_texts, seed)
            | _boot_columns(pools, scored, _rng(seed, fb.source, tp.id), resamples)
        )
    n_rows = fb.table.num_rows
    meta = {
        b"unmatched": str(int(n_rows - links.claimed.sum())).encode(),
        b"rows": str(n_rows).encode(),
        b"min_theme_texts": str(min_theme_texts).encode(),
        b"resamples": str(resamples).encode(),
    }
    if own.range is not None and fb.roles.score is not None:
        meta[b"score"] = f"{fb.roles.score} ({own.scale} {range_text(own.range)})".encode()
    return pa.Table.from_pylist(rows, schema=_schema(meta))


def _numbers_of_score(fb: Feedback) -> np.ndarray | None:
    import numpy as np
    import pyarrow as pa

    col = fb.roles.score
    if col is None:
        return None
    return np.asarray(
        fb.table.column(col).cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=float
    )


def _schema(meta: dict[bytes, bytes]) -> pa.Schema:
    import pyarrow as pa

    f64, i64, text = pa.float64(), pa.int64(), pa.string()
    fields: list[tuple[str, pa.DataType]] = [
        ("stage", text),
        ("touchpoint", text),
        ("order", i64),
        ("n", i64),
    ]
    for scale in SCORES:
        fields += [(scale, f64), (f"{scale}_low", f64), (f"{scale}_high", f64)]
        fields.append((f"{scale}_n", i64))
    fields += [
        ("sentiment", f64),
        ("sentiment_low", f64),
        ("sentiment_high", f64),
        ("sentiment_n", i64),
        ("negative_share", f64),
        ("themes", pa.list_(text)),
        ("quotes", pa.list_(text)),
        ("ces_scale_low", f64),
        ("ces_scale_high", f64),
        ("rating_scale_low", f64),
        ("rating_scale_high", f64),
    ]
    fields += [(f"{name}_boot", pa.list_(f64)) for name in (*SCORES, "sentiment")]
    return pa.schema(fields, metadata=meta)
