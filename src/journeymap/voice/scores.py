"""Survey scores with their standard definitions, a sample size and a 95% confidence interval.

The definitions, each checkable by hand (``values`` are the answers; empty ones are left out
and do not count in ``n``):

**NPS** (Net Promoter Score) on 0-10: promoters answer 9-10, passives 7-8, detractors 0-6;
NPS = % promoters − % detractors, from −100 to 100. Its 95% interval treats each answer as
+1 (promoter), 0 (passive) or −1 (detractor): NPS/100 is the mean of that score, whose
variance is ``p+ + p− − (p+ − p−)²``, so ``se = sqrt((p+ + p− − (p+ − p−)²) / n) × 100`` and
the interval is NPS ± 1.96 se, clipped to [−100, 100] (a normal approximation: it needs a
few dozen answers, and when every answer is in one category it has no width).

**CSAT** (customer satisfaction): the % of answers in the top box, by default the top two
points of the scale (4-5 on 1-5, 6-7 on 1-7; ``top_box`` is the lowest satisfied answer),
with the Wilson score interval of a proportion (z = 1.96), which stays inside 0-100 and is
sensible for small n and for 0% or 100%.

**CES** (customer effort score): the mean answer on its scale (default 1-7), with the
Student t interval ``mean ± t(0.975, n−1) × sd / sqrt(n)`` (sd with n − 1), clipped to the
scale. **Rating**: the same mean and interval for any other numeric score (stars), clipped
only when a range is given.

With one answer there is no interval for NPS, CES or a rating (null), not a made-up one;
Wilson's interval exists from n = 1. An answer outside the scale is an error, never clipped.

:func:`scores` computes them per group (a role, a column or a period of the date) from
feedback (:func:`journeymap.voice.read.read_feedback`); :func:`feedback_summary`
describes what was read.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, get_args

from journeymap.errors import EvidenceError, UsageError
from journeymap.voice.read import (
    DEFAULT_RANGES,
    ROLES,
    ROW,
    Feedback,
    Scale,
    range_text,
    read_feedback,
    scale_of_name,
)

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

__all__ = [
    "PERIODS",
    "Period",
    "Score",
    "ces",
    "csat",
    "feedback_summary",
    "nps",
    "rating",
    "score_of",
    "scores",
]

Period = Literal["day", "week", "month", "quarter", "year"]
PERIODS: tuple[Period, ...] = get_args(Period)
Z = 1.96  # the 97.5% quantile of the normal distribution, as the definitions state it


@dataclass(frozen=True)
class Score:
    """One score: answers counted, the value, its 95% interval and the scale's parts (in %:
    promoters/passives/detractors for NPS, top_box for CSAT)."""

    scale: Scale
    n: int
    score: float | None
    ci_low: float | None
    ci_high: float | None
    parts: dict[str, float | None] = field(default_factory=dict)


def _answers(values: Iterable[float | None], name: str, lo_hi: tuple[float, float] | None) -> Any:
    """The answers as a float array, empty ones left out; a value outside the scale is an error."""
    import numpy as np

    array = np.asarray([np.nan if v is None else v for v in values], dtype=float)
    array = array[~np.isnan(array)]
    if lo_hi is not None and array.size:
        outside = array[(array < lo_hi[0]) | (array > lo_hi[1])]
        if outside.size:
            raise UsageError(
                f"{outside.size:,} answer(s) outside the {name} scale {range_text(lo_hi)}, "
                f"e.g. {outside[0]:g}"
            )
    return array


def nps(values: Iterable[float | None]) -> Score:
    """Net Promoter Score of answers on 0-10 (see the module docstring)."""
    x = _answers(values, "NPS", (0, 10))
    n = int(x.size)
    if n == 0:
        return _empty("nps")
    promoters, detractors = int((x >= 9).sum()), int((x <= 6).sum())
    p_plus, p_minus = promoters / n, detractors / n
    value = (promoters - detractors) * 100 / n
    parts: dict[str, float | None] = {
        "promoters": promoters * 100 / n,
        "passives": (n - promoters - detractors) * 100 / n,
        "detractors": detractors * 100 / n,
    }
    if n < 2:
        return Score("nps", n, value, None, None, parts)
    variance = max(p_plus + p_minus - (p_plus - p_minus) ** 2, 0.0)
    se = math.sqrt(variance / n) * 100
    low, high = max(value - Z * se, -100.0), min(value + Z * se, 100.0)
    return Score("nps", n, value, low, high, parts)


def csat(
    values: Iterable[float | None],
    *,
    scale: tuple[float, float] = (1, 5),
    top_box: float | None = None,
) -> Score:
    """CSAT: % of answers at or above ``top_box`` (default: the top two points of ``scale``),
    with the Wilson 95% interval."""
    lo, hi = scale
    top = hi - 1 if top_box is None else top_box
    if not lo <= top <= hi:
        raise UsageError(f"top box {top:g} is outside the CSAT scale {range_text(scale)}")
    x = _answers(values, "CSAT", scale)
    n = int(x.size)
    if n == 0:
        return _empty("csat")
    p = float((x >= top).sum()) / n
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2)) / (1 + Z**2 / n)
    # at p = 0 or 1 a bound equals p exactly; keep rounding from putting p outside
    low, high = min(max(centre - half, 0.0), p) * 100, max(min(centre + half, 1.0), p) * 100
    return Score("csat", n, p * 100, low, high, {"top_box": p * 100})


def ces(values: Iterable[float | None], *, scale: tuple[float, float] = (1, 7)) -> Score:
    """Customer effort score: the mean answer on ``scale`` with its t interval."""
    return _mean("ces", _answers(values, "CES", scale), scale)


def rating(values: Iterable[float | None], *, scale: tuple[float, float] | None = None) -> Score:
    """A plain rating: the mean with its t interval (checked against and clipped to ``scale``
    when one is given)."""
    return _mean("rating", _answers(values, "rating", scale), scale)


def score_of(
    values: Iterable[float | None],
    scale: Scale,
    *,
    scale_range: tuple[float, float] | None = None,
    top_box: float | None = None,
) -> Score:
    """The score of ``scale`` (``scale_range``: its range when not the default)."""
    lo_hi = scale_range or DEFAULT_RANGES[scale]
    if scale == "nps":
        if lo_hi is not None and lo_hi != (0, 10):
            raise UsageError(f"NPS is defined on 0-10, not {range_text(lo_hi)}")
        return nps(values)
    if scale == "csat":
        assert lo_hi is not None
        return csat(values, scale=lo_hi, top_box=top_box)
    if scale == "ces":
        assert lo_hi is not None
        return ces(values, scale=lo_hi)
    return rating(values, scale=lo_hi)


def _empty(scale: Scale) -> Score:
    names = {"nps": ("promoters", "passives", "detractors"), "csat": ("top_box",)}
    return Score(scale, 0, None, None, None, dict.fromkeys(names.get(scale, ()), None))


def _mean(scale: Scale, x: np.ndarray, lo_hi: tuple[float, float] | None) -> Score:
    from scipy import stats

    n = int(x.size)
    if n == 0:
        return _empty(scale)
    mean = float(x.mean())
    if n < 2:
        return Score(scale, n, mean, None, None)
    half = float(stats.t.ppf(0.975, n - 1)) * float(x.std(ddof=1)) / math.sqrt(n)
    low, high = mean - half, mean + half
    if lo_hi is not None:
        low, high = max(low, lo_hi[0]), min(high, lo_hi[1])
    return Score(scale, n, mean, low, high)


# ---- grouped scores --------------------------------------------------------------------------


def _period(when: datetime, period: Period) -> str:
    """The calendar period of a time: 2015-02-24, 2015-W09 (ISO week), 2015-02, 2015-Q1, 2015."""
    if period == "day":
        return when.strftime("%Y-%m-%d")
    if period == "week":
        year, week, _ = when.isocalendar()
        return f"{year}-W{week:02d}"
    if period == "month":
        return when.strftime("%Y-%m")
    if period == "quarter":
        return f"{when.year}-Q{(when.month - 1) // 3 + 1}"
    return str(when.year)


def _all_periods(first: datetime, last: datetime, period: Period) -> list[str]:
    """Every period from the one of ``first`` to the one of ``last``, in order."""
    labels: list[str] = []
    day = datetime(first.year, first.month, first.day)
    while day <= last:
        label = _period(day, period)
        if not labels or labels[-1] != label:
            labels.append(label)
        day += timedelta(days=1)
    return labels


def _keys(fb: Feedback, by: Sequence[str]) -> list[tuple[str, pa.Array]]:
    """The grouping columns: a role, an input column, or a period of the date role."""
    import pyarrow as pa

    out: list[tuple[str, pa.Array]] = []
    columns = [c for c in fb.table.column_names if c != ROW]
    for name in by:
        role_col = getattr(fb.roles, name, None) if name in ROLES else None
        if isinstance(role_col, str):
            out.append((name, fb.table.column(role_col).combine_chunks()))
        elif name in columns:
            out.append((name, fb.table.column(name).combine_chunks()))
        elif name in PERIODS:
            date_col = fb.column("date")
            cache: dict[Any, str] = {}
            labels: list[str | None] = []
            for when in fb.table.column(date_col).to_pylist():
                if when is None:
                    labels.append(None)
                    continue
                day = when.date()
                if day not in cache:
                    cache[day] = _period(when, name)
                labels.append(cache[day])
            out.append((name, pa.array(labels, pa.string())))
        elif name in ROLES:
            fb.column(name)  # raises, naming the flag that sets the role
        else:
            options = [*ROLES, *PERIODS, *columns]
            close = difflib.get_close_matches(name, options, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise UsageError(
                f"--by {name}: not a role, a period or a column{hint} Roles: "
                f"{', '.join(ROLES)}; periods: {', '.join(PERIODS)}; columns: {', '.join(columns)}"
            )
    return out


def _sort_key(key: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple((v is None, v if v is not None else 0) for v in key)


def _values(fb: Feedback, col: str, scale: Scale, lo_hi: tuple[float, float] | None) -> np.ndarray:
    """A score column as floats (NaN: missing), every answer checked against the scale with
    its ``FILE:ROW``."""
    import numpy as np
    import pyarrow as pa

    if col not in fb.table.column_names:
        raise UsageError(f"{fb.source}: no column {col!r}")
    column = fb.table.column(col)
    if not (pa.types.is_integer(column.type) or pa.types.is_floating(column.type)):
        raise EvidenceError(f'{fb.source}: column "{col}" holds {column.type}, not numbers')
    x = np.asarray(column.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=float)
    if lo_hi is not None:
        outside = np.flatnonzero((x < lo_hi[0]) | (x > lo_hi[1]))
        if outside.size:
            first = int(outside[0])
            row = fb.table.column(ROW)[first].as_py()
            name = scale.upper() if scale != "rating" else "rating"
            more = f" ({outside.size:,} answers in all)" if outside.size > 1 else ""
            raise EvidenceError(
                f'{fb.source}:{row}: column "{col}": {x[first]:g} is outside the {name} scale '
                f"{range_text(lo_hi)}{more}; give the scale with --scale and --range"
            )
    return x


def _grouped(
    keys: list[tuple[str, pa.Array]],
    x: np.ndarray,
    scale: Scale,
    lo_hi: tuple[float, float] | None,
    top_box: float | None,
    first_last: tuple[datetime, datetime] | None,
) -> pa.Table:
    import numpy as np
    import pyarrow as pa

    groups: dict[tuple[Any, ...], list[int]] = {}
    if keys:
        for i, key in enumerate(zip(*(k.to_pylist() for _, k in keys), strict=True)):
            groups.setdefault(key, []).append(i)
    else:
        groups[()] = list(range(x.size))
    if len(keys) == 1 and keys[0][0] in PERIODS and first_last is not None:
        for label in _all_periods(*first_last, keys[0][0]):
            groups.setdefault((label,), [])
    ordered = sorted(groups, key=_sort_key)
    results = [
        score_of(x[np.asarray(groups[k], dtype=int)], scale, scale_range=lo_hi, top_box=top_box)
        for k in ordered
    ]
    data: dict[str, pa.Array] = {}
    for j, (name, array) in enumerate(keys):
        data[name] = pa.array([k[j] for k in ordered], array.type)
    data["n"] = pa.array([r.n for r in results], pa.int64())
    for col in ("score", "ci_low", "ci_high"):
        data[col] = pa.array([getattr(r, col) for r in results], pa.float64())
    parts = {"nps": ("promoters", "passives", "detractors"), "csat": ("top_box",)}
    for part in parts.get(scale, ()):
        data[part] = pa.array([r.parts.get(part) for r in results], pa.float64())
    return pa.table(data)


def scores(
    data: Feedback | pa.Table,
    *,
    score: str | None = None,
    scale: Scale | None = None,
    scale_range: tuple[float, float] | None = None,
    top_box: float | None = None,
    by: Sequence[str] = (),
    date: str | None = None,
    ratings: Sequence[str] | None = None,
    of: Literal["score", "ratings"] | None = None,
) -> pa.Table:
    """The score per group: one row per group, ordered by group (empty values last).

    ``by`` names roles (stage, touchpoint, segment, customer, outcome), input columns or
    periods of the date (day, week, month, quarter, year: a column ``month`` = ``2015-02``);
    grouped by a period alone, every period between the first and the last date has a row
    (n = 0 and a null score where nobody answered). Columns: the ``by`` columns, ``n``,
    ``score``, ``ci_low``, ``ci_high``, then ``promoters``/``passives``/``detractors`` (NPS)
    or ``top_box`` (CSAT), in %.

    ``scale`` (default: the feedback's), ``scale_range`` and ``top_box`` say how to score;
    an answer outside the scale raises :class:`EvidenceError` naming its ``FILE:ROW``.
    ``of="ratings"`` scores each rating column instead (a first column ``rating`` names it);
    it is the default when there are rating columns and no score. A plain Table is read with
    :func:`read_feedback` (``score``, ``date``, ``ratings`` name its columns), strictly.
    """
    import pyarrow.compute as pc

    if isinstance(data, Feedback):
        fb = data
    else:
        fb = read_feedback(
            data, score=score, scale=scale, date=date, ratings=ratings,
            scale_range=scale_range, strict=True,
        )  # fmt: skip
    if date is not None and date != fb.roles.date:
        raise UsageError(f"date={date!r}: the feedback's date column is {fb.roles.date!r}")
    rating_cols = tuple(ratings) if ratings is not None else fb.roles.ratings
    has_score = score is not None or fb.roles.score is not None
    mode = of or ("ratings" if rating_cols and not has_score else "score")
    keys = _keys(fb, by)
    first_last = None
    if fb.roles.date is not None and fb.table.num_rows:
        mm = pc.min_max(fb.table.column(fb.roles.date)).as_py()
        first_last = None if mm["min"] is None else (mm["min"], mm["max"])
    if mode == "score":
        col = score or fb.column("score")
        own = col == fb.roles.score  # the score column as read, with its scale
        read_scale: Scale = (fb.roles.scale or "rating") if own else scale_of_name(col)
        the_scale: Scale = scale or read_scale
        lo_hi = scale_range
        if lo_hi is None and own and the_scale == read_scale:
            lo_hi = fb.roles.scale_range
        lo_hi = lo_hi or DEFAULT_RANGES[the_scale]
        x = _values(fb, col, the_scale, lo_hi)
        return _grouped(keys, x, the_scale, lo_hi, top_box, first_last)
    if not rating_cols:
        raise UsageError(f"{fb.source}: no rating columns; name them with --ratings a,b,c")
    import pyarrow as pa

    the_scale = scale or "rating"
    lo_hi = scale_range or DEFAULT_RANGES[the_scale]
    tables = []
    for col in rating_cols:
        t = _grouped(keys, _values(fb, col, the_scale, lo_hi), the_scale, lo_hi, top_box,
                     first_last)  # fmt: skip
        tables.append(t.add_column(0, "rating", pa.array([col] * t.num_rows, pa.string())))
    return pa.concat_tables(tables)


def feedback_summary(data: Feedback | pa.Table) -> pa.Table:
    """One row: rows read/used/rejected, rows kept without their unreadable date (null without
    a date column), rows with a score and with text, the date range, the
    score column, its scale and overall score with its interval, distinct customers,
    touchpoints, stages and segments (null when the role has no column)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    fb = data if isinstance(data, Feedback) else read_feedback(data)
    t, r = fb.table, fb.roles

    def valid(col: str | None) -> int | None:
        return None if col is None else int(pc.sum(pc.is_valid(t.column(col))).as_py() or 0)

    def distinct(col: str | None) -> int | None:
        return None if col is None else len(pc.unique(t.column(col).drop_null()))

    first = last = None
    if r.date is not None:
        mm = pc.min_max(t.column(r.date)).as_py()
        first, last = mm["min"], mm["max"]
    overall = None
    lo_hi = None
    if r.score is not None:
        scale = r.scale or "rating"
        lo_hi = r.scale_range or DEFAULT_RANGES[scale]
        overall = _grouped([], _values(fb, r.score, scale, lo_hi), scale, lo_hi, None, None)
    row: dict[str, Any] = {
        "source": fb.source,
        "rows_read": fb.rows_read,
        "rows_used": fb.rows_used,
        "rows_rejected": fb.rejected,
        "rows_undated": None if r.date is None else fb.undated,
        "with_score": valid(r.score),
        "with_text": valid(r.text),
        "first_date": first,
        "last_date": last,
        "score_column": r.score,
        "scale": None if r.score is None else (r.scale or "rating"),
        "scale_range": None if lo_hi is None else range_text(lo_hi),
        "score": None if overall is None else overall.column("score")[0].as_py(),
        "ci_low": None if overall is None else overall.column("ci_low")[0].as_py(),
        "ci_high": None if overall is None else overall.column("ci_high")[0].as_py(),
        "customers": distinct(r.customer),
        "touchpoints": distinct(r.touchpoint),
        "stages": distinct(r.stage),
        "segments": distinct(r.segment),
    }
    text, when, number = pa.string(), pa.timestamp("us"), pa.float64()
    types = {
        "source": text, "score_column": text, "scale": text, "scale_range": text,
        "first_date": when, "last_date": when, "score": number, "ci_low": number,
        "ci_high": number,
    }  # fmt: skip
    return pa.table({k: pa.array([v], types.get(k, pa.int64())) for k, v in row.items()})


def with_category(fb: Feedback, *, name: str = "category") -> Feedback:
    """The feedback with a column ``name`` that sorts each answer into its score category:
    NPS promoter (9-10) / passive (7-8) / detractor (0-6); CSAT satisfied (top box) /
    unsatisfied; empty where there is no score. For themes of detractors vs promoters:
    ``themes(with_category(fb), by="category")``."""
    import dataclasses

    import pyarrow as pa

    scale = fb.roles.scale
    if scale not in ("nps", "csat"):
        raise UsageError(
            f"{fb.source}: score categories need an NPS or CSAT score (--scale nps|csat), "
            f"not {scale or 'no scale'}"
        )
    if name in fb.table.column_names:
        raise UsageError(f"{fb.source}: there is a column {name!r} already")
    values = fb.table.column(fb.column("score")).to_pylist()
    if scale == "nps":
        cats = [
            None if v is None else "promoter" if v >= 9 else "passive" if v >= 7 else "detractor"
            for v in values
        ]
    else:
        lo_hi = fb.roles.scale_range or DEFAULT_RANGES["csat"] or (1.0, 5.0)
        hi = lo_hi[1]
        box = hi - 1  # the top two boxes, as csat() counts them (4-5 on 1-5)
        cats = [None if v is None else "satisfied" if v >= box else "unsatisfied" for v in values]
    table = fb.table.append_column(name, pa.array(cats, pa.string()))
    return dataclasses.replace(fb, table=table)
