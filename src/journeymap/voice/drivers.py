"""Key drivers (moments of truth): which touchpoints move the overall outcome, and which to fix.

``drivers(data, outcome=..., drivers=[...])`` ranks per-touchpoint ratings (or 0/1 mentions
made by :func:`mentions`) by how much of the outcome's variance each one explains, one row per
driver, strongest first:

===============  ========  ===============================================================
column           type      meaning
===============  ========  ===============================================================
rank             int64     1 = strongest; null for a driver left out of the model (``note``)
driver           string    the column
importance       float64   Johnson's relative weight as a share of the model R², in %
                           (the importances of a model sum to 100)
raw_weight       float64   the relative weight itself; the raw weights sum to R²
ci_low, ci_high  float64   95% bootstrap percentile interval of ``importance`` (%)
coefficient      float64   standardised ridge regression coefficient (all drivers together)
direction        string    ``"+"``: a higher driver goes with a higher outcome; ``"-"``
performance      float64   the driver's mean (for a 0/1 mention: the share mentioning it)
performance_pct  float64   that mean on 0..100 of the driver's scale (see below)
n                int64     rows where both the driver and the outcome are present
priority         string    fix first | keep | monitor | low priority (below)
note             string    why a driver was left out of the model, else null
===============  ========  ===============================================================

The table's schema metadata carries ``r2``, ``n`` (rows with an outcome), ``method``,
``outcome``, ``dropped`` (rows without an outcome), ``ridge_lambda``, ``bootstrap`` and ``seed``.

Method (see docs/feedback.md for the reasoning):

* **Outcome** coding: numbers as they are (an overall rating, NPS 0-10), yes/no outcomes as
  1/0 (yes/no, true/false, y/n, recommended, retained/churned, ...), NPS categories as
  promoter +1, passive 0, detractor −1 (their mean is the NPS / 100). Any other text with more
  than two levels is a :class:`UsageError`.
* **Missing values**: rows without an outcome are dropped and counted (``dropped``); a
  missing driver value drops that row from that driver's correlations only (pairwise-complete
  correlations, so a touchpoint that only some customers rate does not shrink every other
  driver's sample); the correlation matrix is made positive semi-definite by clipping its
  negative eigenvalues.
* **Relative weights** (Johnson 2000): the drivers are replaced by their closest orthogonal
  counterparts, the outcome is regressed on those, and each driver gets back the variance its
  counterparts explain, in proportion to how much of each counterpart it is. Unlike regression
  coefficients these stay sensible when drivers are correlated, and they add up to R².
* **Direction** is the sign of the standardised ridge coefficient, the ridge penalty chosen by
  generalised cross-validation, so that two nearly identical drivers share the effect instead
  of taking huge opposite signs.
* **Uncertainty**: rows are resampled ``bootstrap`` times with a seeded generator and the
  importances recomputed; ``ci_low``/``ci_high`` are the 2.5% and 97.5% percentiles.
* A driver that is **constant** (or has fewer than 3 answers with an outcome) explains
  nothing and would make the matrix singular: it is left out of the model and returned last
  with importance 0, no rank and a ``note``. When no driver is left: :class:`UsageError`.
* **Priority** (importance-performance analysis, Martilla & James 1977): importance above
  ``high_importance`` (default: the median importance) is high, ``performance_pct`` below
  ``low_performance`` (default: the median) is low; high/low -> ``fix first``, high/high ->
  ``keep``, low/high -> ``monitor``, low/low -> ``low priority``. Performance is read in the
  direction that helps the outcome: for a driver with direction ``-`` (a mention of a
  problem, a wait time) it is ``100 - performance_pct``, so a frequent complaint performs low.
* ``performance_pct`` puts a driver's mean on the smallest common scale that holds all its
  values: 0-1, 1-5, 0-5, 1-7, 0-7, 0-10, 1-10, 0-100 (else its own min-max).

Default drivers (``drivers=None``): the ``ratings`` role of a :class:`Feedback` when set; else
every numeric or true/false column whose values all lie within the outcome's range (after
the coding above, so a yes/no outcome takes 0/1 columns), except the outcome, the other role
columns (score, text, date, customer, touchpoint, stage, segment), ``__jm_row`` and id-like
columns (a name with the word ``id``/``ids``/``uuid``/``key``, e.g. ``tweet_id``,
``customerId``, ``ID``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from journeymap.errors import UsageError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa

    from journeymap.voice.read import Feedback, FeedbackRoles

    Floats = npt.NDArray[np.float64]

__all__ = ["Method", "drivers", "mentions"]

Method = Literal["relative-weights"]

ROW = "__jm_row"
_MIN_ANSWERS = 3
_YES = frozenset(
    {"yes", "y", "true", "t", "recommended", "would recommend", "retained", "renewed",
     "promoter", "positive", "pass", "passed", "satisfied", "success"}
)  # fmt: skip
_NO = frozenset(
    {"no", "n", "false", "f", "not recommended", "would not recommend", "churned", "lost",
     "detractor", "negative", "fail", "failed", "dissatisfied", "unsatisfied", "failure"}
)  # fmt: skip
_NPS = {"promoter": 1.0, "promoters": 1.0, "passive": 0.0, "passives": 0.0, "detractor": -1.0}
_NPS["detractors"] = -1.0
_SCALES = ((0, 1), (1, 5), (0, 5), (1, 7), (0, 7), (0, 10), (1, 10), (0, 100))
_ID_WORDS = frozenset({"id", "ids", "uuid", "guid", "key"})


# ---------------------------------------------------------------- columns -> numbers


def _column(table: pa.Table, name: str, what: str) -> pa.ChunkedArray:
    if name not in table.column_names:
        close = difflib.get_close_matches(name, table.column_names, n=3)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise UsageError(f'{what}: no column "{name}" in the data{hint}')
    return table.column(name)


def _strings(col: pa.ChunkedArray) -> list[str | None]:
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_dictionary(col.type):
        col = col.cast(col.type.value_type)
    values: list[str | None] = pc.utf8_trim_whitespace(col.cast(pa.string())).to_pylist()
    return [v.lower() if v else None for v in values]


def _from_text(values: list[str | None], name: str, what: str, *, nps: bool) -> Floats:
    """Two-level yes/no text -> 1/0, NPS categories -> +1/0/-1, numbers in text -> numbers."""
    import numpy as np

    levels = sorted({v for v in values if v is not None})
    try:
        return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
    except ValueError:
        pass
    if nps and len(levels) >= 2 and set(levels) <= _NPS.keys():
        return np.array([np.nan if v is None else _NPS[v] for v in values], dtype=np.float64)
    shown = ", ".join(repr(v) for v in levels[:6]) + (", ..." if len(levels) > 6 else "")
    if len(levels) > 2:
        raise UsageError(
            f'{what} "{name}" has {len(levels)} categories ({shown}); key drivers need a '
            "number (an overall rating, NPS 0-10), a yes/no value or NPS categories "
            "(promoter/passive/detractor)"
        )
    yes = [v for v in levels if v in _YES]
    no = [v for v in levels if v in _NO]
    if len(levels) == 2 and len(yes) == 1 and len(no) == 1:
        return np.array([np.nan if v is None else float(v in _YES) for v in values])
    if len(levels) == 1 and (yes or no):
        return np.array([np.nan if v is None else float(v in _YES) for v in values])
    raise UsageError(
        f'{what} "{name}": cannot tell which of {shown} is the "yes" value; code it as 1/0 '
        "or true/false"
    )


def _numbers(table: pa.Table, name: str, what: str, *, nps: bool = False) -> Floats:
    """A column as float64 with NaN for missing; see the module docstring for the coding."""
    import numpy as np
    import pyarrow as pa

    col = _column(table, name, what)
    t = col.type
    if pa.types.is_boolean(t) or pa.types.is_integer(t) or pa.types.is_floating(t):
        out: Floats = col.cast(pa.float64()).to_numpy(zero_copy_only=False).astype(np.float64)
        return out
    if pa.types.is_decimal(t):
        return np.asarray(col.cast(pa.float64()).to_numpy(zero_copy_only=False), np.float64)
    if pa.types.is_null(t):
        return np.full(len(col), np.nan)
    if (
        pa.types.is_string(t)
        or pa.types.is_large_string(t)
        or (pa.types.is_dictionary(t) and pa.types.is_string(t.value_type))
    ):
        return _from_text(_strings(col), name, what, nps=nps)
    raise UsageError(f'{what} "{name}" is {t}, not a number, a rating or a yes/no value')


def _id_like(name: str) -> bool:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    words = re.split(r"[^A-Za-z0-9]+", spaced)
    return any(w.lower() in _ID_WORDS for w in words) or name.endswith("ID")


def _default_drivers(
    table: pa.Table, outcome: str, y: Floats, roles: FeedbackRoles | None
) -> list[str]:
    """Numeric/boolean columns within the outcome's range, never ids, roles or the outcome."""
    import numpy as np
    import pyarrow as pa

    if roles is not None and roles.ratings:
        return [c for c in roles.ratings if c != outcome]
    excluded = {outcome, ROW}
    if roles is not None:
        for role in ("score", "text", "date", "customer", "touchpoint", "stage", "segment"):
            excluded.add(getattr(roles, role) or "")
    present = y[~np.isnan(y)]
    lo, hi = (float(present.min()), float(present.max())) if present.size else (0.0, 0.0)
    out = []
    for field in table.schema:
        t = field.type
        numeric = pa.types.is_boolean(t) or pa.types.is_integer(t) or pa.types.is_floating(t)
        if not numeric or field.name in excluded or _id_like(field.name):
            continue
        x = _numbers(table, field.name, "driver")
        x = x[~np.isnan(x)]
        if x.size and lo <= x.min() and x.max() <= hi:
            out.append(field.name)
    return out


# ---------------------------------------------------------------- the statistics


def _pairwise_corr(m: Floats) -> tuple[Floats, Floats]:
    """Pearson correlations between the columns of ``m`` over the rows where both are
    present (NaN = missing), and those row counts. A column constant over the rows it shares
    with another correlates 0 with it; the diagonal is 1."""
    import numpy as np

    present = ~np.isnan(m)
    w = present.astype(np.float64)
    x = np.where(present, m, 0.0)
    x -= x.sum(axis=0) / np.maximum(w.sum(axis=0), 1.0)  # centred: less cancellation below
    x *= w
    if present.all():  # the common case, 5x faster: every pair has every row
        n = np.full((m.shape[1], m.shape[1]), float(m.shape[0]))
        s = np.zeros_like(n)
        ss = np.broadcast_to((x * x).sum(axis=0)[:, None], n.shape)
    else:
        n = w.T @ w
        s = x.T @ w  # s[i, j]: sum of column i over the rows where i and j are present
        ss = (x * x).T @ w
    with np.errstate(divide="ignore", invalid="ignore"):
        cov = x.T @ x - s * s.T / n
        var = ss - s * s / n
        denom = np.sqrt(var * var.T)
        scale = np.maximum(np.abs(ss), np.abs(ss.T)) * 1e-12
        ok = (n >= _MIN_ANSWERS) & (var > scale) & (var.T > scale.T)
        corr = np.where(ok, cov / np.where(ok, denom, 1.0), 0.0)
    corr = np.clip(corr, -1.0, 1.0)
    np.fill_diagonal(corr, 1.0)
    out: Floats = corr
    return out, n


def _eigen(rxx: Floats) -> tuple[Floats, Floats]:
    """Eigen-decomposition of a correlation matrix with negative eigenvalues (from pairwise
    correlations or rounding) clipped to 0."""
    import numpy as np

    d, q = np.linalg.eigh((rxx + rxx.T) / 2)
    return np.clip(d, 0.0, None), q


def _relative_weights(rxx: Floats, rxy: Floats) -> Floats:
    """Johnson's (2000) raw relative weights from the drivers' correlation matrix ``rxx`` and
    their correlations with the outcome ``rxy``; they sum to R² = rxy' rxx⁺ rxy."""
    import numpy as np

    d, q = _eigen(rxx)
    tol = max(float(d.max(initial=0.0)), 1.0) * len(d) * 1e-10
    root = np.sqrt(d)
    inv_root = np.where(d > tol, 1.0 / np.where(d > tol, root, 1.0), 0.0)
    lam = (q * root) @ q.T  # correlations of the drivers with their orthogonal counterparts
    beta = (q * inv_root) @ q.T @ rxy  # the outcome regressed on the counterparts
    raw: Floats = (lam**2) @ (beta**2)
    return raw


def _ridge(rxx: Floats, rxy: Floats, n: float) -> tuple[Floats, float]:
    """Standardised ridge coefficients from correlations; the penalty (in correlation units,
    alpha / n) minimises generalised cross-validation over a log grid."""
    import numpy as np

    d, q = _eigen(rxx)
    z = q.T @ rxy
    best: tuple[float, float] | None = None
    for lam in np.logspace(-6, 2, 81):
        b = z / (d + lam)
        rss = max(1.0 - 2.0 * float(b @ z) + float((d * b * b).sum()), 0.0)
        df = float((d / (d + lam)).sum())
        if df >= n - 1:
            continue
        gcv = rss / (1.0 - df / n) ** 2
        if best is None or gcv < best[0]:
            best = (gcv, float(lam))
    lam_best = best[1] if best is not None else 100.0
    coef: Floats = q @ (z / (d + lam_best))
    return coef, lam_best


def _scale(x: Floats) -> tuple[float, float]:
    lo, hi = float(x.min()), float(x.max())
    for a, b in _SCALES:
        if a <= lo and hi <= b:
            return float(a), float(b)
    return lo, hi


def _bootstrap(m: Floats, times: int, seed: int) -> Floats:
    """2.5% and 97.5% percentiles (rows 0 and 1) of each driver's share of R² (%) over
    ``times`` resamples of the rows of ``m`` (drivers, then the outcome last); NaN if none."""
    import numpy as np

    ci = np.full((2, m.shape[1] - 1), np.nan)
    if not times:
        return ci
    rng = np.random.default_rng(seed)
    shares = np.full((times, m.shape[1] - 1), np.nan)
    for b in range(times):
        c, _ = _pairwise_corr(m[rng.integers(0, len(m), len(m))])
        w = _relative_weights(c[:-1, :-1], c[:-1, -1])
        total = float(w.sum())
        if total > 0:
            shares[b] = w / total * 100.0
    ok = ~np.isnan(shares[:, 0])
    if ok.any():
        ci = np.percentile(shares[ok], [2.5, 97.5], axis=0)
    return ci


# ---------------------------------------------------------------- the analysis


def _resolve(
    data: pa.Table | Feedback, outcome: str | None
) -> tuple[pa.Table, FeedbackRoles | None, str]:
    import pyarrow as pa

    if isinstance(data, pa.Table):
        table, roles = data, None
    else:
        table, roles = data.table, data.roles
    if outcome is None and roles is not None:
        outcome = roles.outcome or roles.score
    if not outcome:
        raise UsageError(
            "say which column is the outcome (an overall rating, recommended yes/no, NPS): "
            "outcome=COLUMN (--outcome COL)"
        )
    return table, roles, outcome


def _driver_names(
    table: pa.Table,
    outcome: str,
    y: Floats,
    roles: FeedbackRoles | None,
    drivers: Sequence[str] | None,
    mentioned: Sequence[str],
) -> list[str]:
    """The drivers asked for (a list or "a,b,c"; default: module docstring), then those
    made from mentions, each once."""
    if isinstance(drivers, str):
        drivers = drivers.split(",")
    if drivers is None and not mentioned:
        drivers = _default_drivers(table, outcome, y, roles)
    names = list(dict.fromkeys(d.strip() for d in [*(drivers or []), *mentioned] if d.strip()))
    if outcome in names:
        raise UsageError(f'the outcome "{outcome}" cannot also be a driver')
    if not names:
        raise UsageError(
            f'no drivers for the outcome "{outcome}": name the touchpoint rating or mention '
            "columns with drivers=[...] (--drivers a,b,c)"
        )
    return names


def _outcome(y_all: Floats, outcome: str) -> tuple[npt.NDArray[np.bool_], Floats]:
    """The rows with an outcome and their outcome values; an error for too few or one value."""
    import numpy as np

    keep = ~np.isnan(y_all)
    y = y_all[keep]
    if y.size < _MIN_ANSWERS:
        raise UsageError(f'the outcome "{outcome}" has a value in only {y.size} rows')
    if float(y.max()) == float(y.min()):
        raise UsageError(f'the outcome "{outcome}" is the same in every row ({y.size} rows)')
    return keep, y


@dataclass(frozen=True)
class _Fit:
    """The model over the usable drivers (``idx``, their columns): relative weights and R²,
    ridge coefficients and penalty, bootstrap interval; ``n_pair`` for every driver."""

    idx: npt.NDArray[np.intp]
    raw: Floats
    r2: float
    coef: Floats
    lam: float
    ci: Floats
    n_pair: npt.NDArray[np.int64]


def _fit(x: Floats, y: Floats, names: list[str], bootstrap: int, seed: int) -> _Fit:
    import numpy as np

    m = np.column_stack([x, y])
    corr, counts = _pairwise_corr(m)
    p = len(names)
    n_pair = counts[:p, p].astype(np.int64)
    usable = n_pair >= _MIN_ANSWERS
    for j in range(p):  # constant over its answers -> no correlation can be computed
        xj = x[:, j][~np.isnan(x[:, j])]
        usable[j] &= bool(xj.size) and float(xj.max()) > float(xj.min())
    if not usable.any():
        raise UsageError(
            f"no driver varies with an outcome present ({', '.join(names)}): each is constant "
            f"or has fewer than {_MIN_ANSWERS} answers"
        )
    idx = np.flatnonzero(usable)
    raw = _relative_weights(corr[np.ix_(idx, idx)], corr[idx, p])
    coef, lam = _ridge(corr[np.ix_(idx, idx)], corr[idx, p], float(y.size))
    ci = _bootstrap(m[:, np.append(idx, p)], bootstrap, seed)
    return _Fit(idx, raw, float(raw.sum()), coef, lam, ci, n_pair)


def drivers(
    data: pa.Table | Feedback,
    *,
    outcome: str | None = None,
    drivers: Sequence[str] | None = None,
    mentions: Mapping[str, Sequence[str]] | None = None,
    text: str | None = None,
    method: Method = "relative-weights",
    bootstrap: int = 200,
    seed: int = 0,
    high_importance: float | None = None,
    low_performance: float | None = None,
) -> pa.Table:
    """Rank ``drivers`` by how much of ``outcome`` they explain (relative weights), with
    direction, a bootstrap interval, performance and an importance-performance priority.

    ``outcome`` defaults to the Feedback's outcome role, then its score; ``drivers`` to its
    rating columns, then the numeric columns on the outcome's scale (module docstring).
    ``mentions`` (``{"baggage": ["bag*", "luggage"]}``) adds a 0/1 driver per name made from
    the verbatims (:func:`mentions`, ``text`` naming their column), after ``drivers`` or
    instead of the default ones.
    ``high_importance`` is in % of R², ``low_performance`` in ``performance_pct`` (0-100).
    Raises :class:`UsageError` for a missing or unusable outcome or no usable driver."""
    import numpy as np

    if method != "relative-weights":
        raise UsageError(f'unknown key-driver method "{method}"; use "relative-weights"')
    if bootstrap < 0:
        raise UsageError(f"bootstrap must be 0 (no intervals) or more resamples, not {bootstrap}")
    table, roles, outcome = _resolve(data, outcome)
    if mentions:
        table = _mention_columns(data, text=text, touchpoints=mentions)
    y_all = _numbers(table, outcome, "outcome", nps=True)
    names = _driver_names(table, outcome, y_all, roles, drivers, list(mentions or ()))
    keep, y = _outcome(y_all, outcome)
    x = np.column_stack([_numbers(table, d, "driver")[keep] for d in names])
    fit = _fit(x, y, names, bootstrap, seed)
    meta = {
        "r2": fit.r2, "n": y.size, "method": method, "outcome": outcome,
        "dropped": int((~keep).sum()), "ridge_lambda": fit.lam, "bootstrap": bootstrap,
        "seed": seed,
    }  # fmt: skip
    rows = [_row(j, name, x, fit) for j, name in enumerate(names)]
    return _table(rows, (high_importance, low_performance), meta)


def _row(j: int, name: str, x: Floats, fit: _Fit) -> dict[str, Any]:
    """One driver's row before ranking: performance always; the model's figures when it is
    in the model, else a note why not."""
    import numpy as np

    xj = x[:, j][~np.isnan(x[:, j])]
    perf = float(xj.mean()) if xj.size else None
    lo, hi = _scale(xj) if xj.size else (0.0, 0.0)
    pct = None if perf is None else (100.0 * (perf - lo) / (hi - lo) if hi > lo else 100.0)
    row: dict[str, Any] = {
        "rank": None, "driver": name, "importance": 0.0, "raw_weight": 0.0, "ci_low": None,
        "ci_high": None, "coefficient": None, "direction": None, "performance": perf,
        "performance_pct": pct, "n": int(fit.n_pair[j]), "priority": None,
        "note": "constant" if xj.size >= _MIN_ANSWERS else f"fewer than {_MIN_ANSWERS} answers",
    }  # fmt: skip
    hits = np.flatnonzero(fit.idx == j)
    if hits.size:
        k = int(hits[0])
        c = float(fit.coef[k])
        row.update(
            importance=float(fit.raw[k]) / fit.r2 * 100.0 if fit.r2 > 0 else 0.0,
            raw_weight=float(fit.raw[k]),
            ci_low=None if np.isnan(fit.ci[0, k]) else float(fit.ci[0, k]),
            ci_high=None if np.isnan(fit.ci[1, k]) else float(fit.ci[1, k]),
            coefficient=c,
            direction="+" if c > 0 else "-" if c < 0 else None,
            note=None,
        )
    return row


def _standing(r: dict[str, Any]) -> float:
    """How well a driver does, read in the direction that helps the outcome: for a driver
    that lowers it (a mention of a problem, "-"), the less of it the better."""
    pct = float(r["performance_pct"])
    return 100.0 - pct if r["direction"] == "-" else pct


def _table(
    rows: list[dict[str, Any]],
    thresholds: tuple[float | None, float | None],
    meta: Mapping[str, Any],
) -> pa.Table:
    """The result: priorities and ranks given, strongest first, left-out drivers last."""
    import numpy as np
    import pyarrow as pa

    modelled = [r for r in rows if r["note"] is None]
    high, low = thresholds
    if high is None:
        high = float(np.median([r["importance"] for r in modelled]))
    if low is None:
        low = float(np.median([_standing(r) for r in modelled]))
    for r in modelled:
        weak = _standing(r) < low
        if r["importance"] > high:
            r["priority"] = "fix first" if weak else "keep"
        else:
            r["priority"] = "low priority" if weak else "monitor"
    modelled.sort(key=lambda r: -r["importance"])  # stable: ties keep the input order
    for i, r in enumerate(modelled, 1):
        r["rank"] = i
    ordered = modelled + [r for r in rows if r["note"] is not None]
    f64, text = pa.float64(), pa.string()
    schema = pa.schema(
        [
            ("rank", pa.int64()), ("driver", text), ("importance", f64), ("raw_weight", f64),
            ("ci_low", f64), ("ci_high", f64), ("coefficient", f64), ("direction", text),
            ("performance", f64), ("performance_pct", f64), ("n", pa.int64()),
            ("priority", text), ("note", text),
        ],
        metadata={k.encode(): str(v).encode() for k, v in meta.items()},
    )  # fmt: skip
    return pa.Table.from_pylist(ordered, schema=schema)


# ---------------------------------------------------------------- mentions


def _keyword_pattern(keywords: Sequence[str], touchpoint: str) -> str:
    """RE2 pattern: any keyword as whole words, case-insensitive; spaces match any
    whitespace; a trailing ``*`` matches any word ending (``cancel*`` -> cancelled)."""
    word = r"\pL\pN_"
    alts = []
    for kw in keywords:
        kw = kw.strip()
        stem = kw.endswith("*")
        parts = kw.rstrip("*").split()
        if not parts:
            raise UsageError(f'touchpoint "{touchpoint}": empty keyword')
        alts.append(r"\s+".join(re.escape(p) for p in parts) + (f"[{word}]*" if stem else ""))
    if not alts:
        raise UsageError(f'touchpoint "{touchpoint}" has no keywords')
    return f"(?:^|[^{word}])(?:{'|'.join(alts)})(?:$|[^{word}])"


def mentions(
    data: pa.Table | Feedback,
    *,
    text: str | None = None,
    touchpoints: Mapping[str, Sequence[str]],
) -> pa.Table:
    """The table with one 0/1 column per touchpoint appended: 1 when the text mentions any
    of its keywords (whole words or phrases, any case; ``word*`` matches word endings), null
    when the text is empty. Feed the result to :func:`drivers` with ``drivers=touchpoints``.

    ``text`` defaults to the Feedback's text role, then a column named ``text``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(data, pa.Table):
        table, column = data, text
    else:
        table, column = data.table, text or data.roles.text
    if column is None and "text" in table.column_names:
        column = "text"
    if column is None:
        raise UsageError("say which column holds the text: text=COLUMN (--text COL)")
    if not touchpoints:
        raise UsageError("mentions need touchpoints with keywords, e.g. {'baggage': ['bag*']}")
    values = _column(table, column, "text")
    if pa.types.is_dictionary(values.type):
        values = values.cast(values.type.value_type)
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        raise UsageError(f'text "{column}" is {values.type}, not text')
    empty = pc.equal(pc.utf8_trim_whitespace(values), "")
    for name, keywords in touchpoints.items():
        if not name or name in table.column_names:
            raise UsageError(f'touchpoint "{name}" would overwrite a column; rename it')
        if isinstance(keywords, str):
            keywords = [keywords]
        hit = pc.match_substring_regex(values, _keyword_pattern(keywords, name), ignore_case=True)
        hit = pc.if_else(empty, pa.scalar(None, pa.bool_()), hit)
        table = table.append_column(name, hit.cast(pa.int64()))
    return table


def _mention_columns(
    data: pa.Table | Feedback, *, text: str | None, touchpoints: Mapping[str, Sequence[str]]
) -> pa.Table:
    """:func:`mentions`, for :func:`drivers` (whose ``mentions`` argument hides the name)."""
    return mentions(data, text=text, touchpoints=touchpoints)
