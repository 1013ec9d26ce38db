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
``outcome``, ``outcome_coding``, ``dropped`` (rows without an outcome), ``drivers`` (JSON
list), ``drivers_from``, ``left_out`` (JSON: every other column but the outcome, with why),
``not_numbers`` (JSON: values read as missing per column, with examples), ``ridge_lambda``,
``bootstrap`` and ``seed``; :func:`drivers_report` writes them for people.

Method (see docs/feedback.md for the reasoning):

* **Outcome** coding: numbers as they are (an overall rating, NPS 0-10), yes/no outcomes as
  1/0 (yes/no, true/false, y/n, recommended, retained/churned, ...), NPS categories as
  promoter +1, passive 0, detractor −1 (their mean is the NPS / 100). Any other text with more
  than two levels is a :class:`UsageError`. Numbers written as text count as numbers: ``n/a``,
  ``nan``, ``null``, ``none`` and ``-`` are empty, and other values among them (fewer than the
  numbers, or one word however often, such as ``n`` for "not rated") are read as missing and
  counted (``not_numbers``). Drivers are coded the same way.
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
every rating column: whole or half points within 0-10 (1-5, 1-7, 0-10 ...), or within the
outcome's range when the outcome has more than two values, whatever the outcome's scale (1-5
aspects of a 1-10 overall or of a yes/no recommendation); when there is none, the yes/no
columns (0/1, true/false, yes/no text). Never the outcome, the other role columns (score:
another outcome; text, date, customer, touchpoint, stage, segment), ``__jm_row`` or id-like
columns (a name with the word ``id``/``ids``/``uuid``/``key``, e.g. ``tweet_id``,
``customerId``, ``ID``). Every column left out is named with the reason
(:mod:`journeymap.voice._driver_columns`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from journeymap.errors import UsageError
from journeymap.voice._driver_columns import Coded, coded, column, default_drivers

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa

    from journeymap.voice.read import Feedback, FeedbackRoles

    Floats = npt.NDArray[np.float64]

__all__ = ["Method", "drivers", "drivers_report", "mentions"]

Method = Literal["relative-weights"]

_MIN_ANSWERS = 3
_SCALES = ((0, 1), (1, 5), (0, 5), (1, 7), (0, 7), (0, 10), (1, 10), (0, 100))


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


@dataclass(frozen=True)
class _Chosen:
    """The drivers (names), where they come from, and the columns left out with why."""

    names: list[str]
    source: str
    left_out: dict[str, str]


def _driver_names(
    table: pa.Table,
    outcome: str,
    y: Floats,
    roles: FeedbackRoles | None,
    drivers: Sequence[str] | None,
    mentioned: Sequence[str],
) -> _Chosen:
    """The drivers asked for (a list or "a,b,c"; default: module docstring), then those
    made from mentions, each once."""
    if isinstance(drivers, str):
        drivers = drivers.split(",")
    source, left_out = "named (--drivers)", {}
    if drivers is None and not mentioned:
        found = default_drivers(table, outcome, y, roles)
        drivers, source, left_out = found.names, found.source, found.left_out
    elif drivers is None:
        source = "mentions (--mention)"
    names = list(dict.fromkeys(d.strip() for d in [*(drivers or []), *mentioned] if d.strip()))
    if outcome in names:
        raise UsageError(f'the outcome "{outcome}" cannot also be a driver')
    if not names:
        why = "; ".join(f"{c}: {r}" for c, r in left_out.items())
        raise UsageError(
            f'no drivers for the outcome "{outcome}"'
            + (f" (left out: {why})" if why else "")
            + ": name the touchpoint rating or mention columns with drivers=[...] "
            "(--drivers a,b,c)"
        )
    return _Chosen(names, source, left_out)


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
    ``ratings``, else every rating column (module docstring), each column left out named
    with why in the metadata.
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
    y_all = coded(table, outcome, "outcome", nps=True)
    chosen = _driver_names(table, outcome, y_all.values, roles, drivers, list(mentions or ()))
    keep, y = _outcome(y_all.values, outcome)
    columns = {d: coded(table, d, "driver") for d in chosen.names}
    x = np.column_stack([columns[d].values[keep] for d in chosen.names])
    fit = _fit(x, y, chosen.names, bootstrap, seed)
    meta = {
        "r2": fit.r2, "n": y.size, "method": method, "outcome": outcome,
        "dropped": int((~keep).sum()), "ridge_lambda": fit.lam, "bootstrap": bootstrap,
        "seed": seed, "outcome_coding": y_all.coding, "drivers": json.dumps(chosen.names),
        "drivers_from": chosen.source, "left_out": json.dumps(chosen.left_out),
        "not_numbers": json.dumps(_not_numbers({outcome: y_all, **columns})),
    }  # fmt: skip
    rows = [_row(j, name, x, fit) for j, name in enumerate(chosen.names)]
    return _table(rows, (high_importance, low_performance), meta)


def _not_numbers(columns: Mapping[str, Coded]) -> dict[str, dict[str, Any]]:
    """The columns with values that are not numbers (read as missing): how many, examples."""
    return {
        name: {"count": c.not_numbers, "examples": list(c.examples)}
        for name, c in columns.items()
        if c.not_numbers
    }


def drivers_report(result: pa.Table) -> list[str]:
    """What a :func:`drivers` result rests on, for people (the CLI prints it on stderr): the
    model, the drivers used and where they come from, every column left out with why, values
    read as missing because they are not numbers, and rows without an outcome."""
    from journeymap._numbers import count
    from journeymap.engine.reading import rows

    meta = {k.decode(): v.decode() for k, v in (result.schema.metadata or {}).items()}
    if "r2" not in meta:
        return []
    coding = meta.get("outcome_coding", "numbers")
    shown = "" if coding == "numbers" else f" ({coding})"
    lines = [
        f"model: outcome {meta['outcome']!r}{shown}, R² {float(meta['r2']):.3f}, "
        f"n {count(int(meta['n']))}"
    ]
    if float(meta["r2"]) > 1.0:
        lines.append(
            "  R² above 1 cannot come from one model: the drivers are answered in different "
            "rows (pairwise correlations) and do not fit together; read the importances as "
            "rough, or name fewer drivers (--drivers) answered in the same rows"
        )
    used: list[str] = json.loads(meta.get("drivers", "[]"))
    lines.append(f"drivers: {meta.get('drivers_from', 'named')}, {len(used)}: {', '.join(used)}")
    by_reason: dict[str, list[str]] = {}
    for name, why in json.loads(meta.get("left_out", "{}")).items():
        by_reason.setdefault(why, []).append(name)
    if by_reason:
        lines.append(
            "left out: " + "; ".join(f"{', '.join(cs)} ({why})" for why, cs in by_reason.items())
        )
    for name, bad in json.loads(meta.get("not_numbers", "{}")).items():
        examples = ", ".join(repr(e) for e in bad["examples"])
        n = int(bad["count"])
        lines.append(
            f"not numbers, read as missing: {name!r}, {count(n)} value{'s' * (n != 1)} (e.g. "
            f"{examples})"
        )
    dropped = int(meta.get("dropped", "0"))
    if dropped:
        lines.append(f"left out: {rows(dropped)} without an outcome")
    return lines


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
        table, name_of_text = data, text
    else:
        table, name_of_text = data.table, text or data.roles.text
    if name_of_text is None and "text" in table.column_names:
        name_of_text = "text"
    if name_of_text is None:
        raise UsageError("say which column holds the text: text=COLUMN (--text COL)")
    if not touchpoints:
        raise UsageError("mentions need touchpoints with keywords, e.g. {'baggage': ['bag*']}")
    values = column(table, name_of_text, "text")
    if pa.types.is_dictionary(values.type):
        values = values.cast(values.type.value_type)
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        raise UsageError(f'text "{name_of_text}" is {values.type}, not text')
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
