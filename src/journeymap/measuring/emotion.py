"""The measured-emotion model: what customers feel at each touchpoint, measured **only from
what they said or scored** (survey scores, ratings, the sentiment of their verbatims), on the
map's emotion scale, with a 95% interval over the respondents, and the friction they meet.

Behaviour (drop-off, loops, back-tracking, support contacts, time to move on) never sets an
emotion: people leave for reasons that are not the experience and come back to compare, and
an emotion level read off a drop-off rate is a made-up mapping however many customers it
counts. Behaviour gives **friction**, a signal with its own evidence
(:mod:`journeymap.measuring.friction`); :func:`measure_emotions` returns both side by side. A
touchpoint nobody said anything about has no measured emotion (evidence "none"), whatever
its behaviour.

It reads the per-touchpoint tables of :func:`journeymap.measuring.feedback.touchpoint_feedback`
(voice) and ``journeymap.measuring.behaviour.touchpoint_behaviour`` (behaviour): a row per
touchpoint, a few dozen rows, so plain arithmetic in memory (ADR 0005).

1. Each voice signal is put on [-1, 1], 0 being neutral
-------------------------------------------------------
==========  ==============================  =============================================
signal      from                            to [-1, 1]; neutral point and why
==========  ==============================  =============================================
nps         NPS -100..100                   NPS / 100. Neutral 0: as many detractors as
                                            promoters (NPS is already a net score).
csat        CSAT % top box, p = CSAT/100    piecewise linear around c = ``csat_neutral``
                                            (default 0.75): (p - c)/(1 - c) above c,
                                            (p - c)/c below. A top-box share is not a net
                                            score: 50% means half the customers are not
                                            satisfied, which no CX team reads as neutral.
                                            CX guides call 75-85% a good CSAT and the ACSI
                                            has averaged the mid-70s (of 100) across
                                            industries for two decades, so a typical 75%
                                            reads neutral, 95% +0.8, 40% -0.47.
                                            ``csat_neutral=0.5`` gives the plain 2p - 1.
ces         mean answer on lo..hi           1 - 2 (mean - lo)/(hi - lo): low effort is good.
            (default 1-7, low = easy)       Neutral: the scale's midpoint (4). A CES asked
                                            as "how easy" (high = easy) should be declared
                                            a rating instead.
rating      mean on lo..hi (stars)          2 (mean - lo)/(hi - lo) - 1. Neutral: the
                                            midpoint (3 of 1-5 stars).
sentiment   mean VADER compound, -1..1      as is. Neutral 0 (VADER's own).
==========  ==============================  =============================================

2. Signals are combined by weight
---------------------------------
``value = sum(w_i * s_i) / sum(w_i)`` over the signals a touchpoint has (a missing signal is
left out and the weights of the others renormalised; weight 0 turns a signal off).
:data:`DEFAULT_WEIGHTS`: csat 2 (customers rating this touchpoint itself); nps, ces, rating,
sentiment 1 each. ``weights={...}`` overrides any of them; a behaviour measure in
``weights`` is an error (it is friction, not an emotion signal).

3. The interval: a bootstrap over respondents
---------------------------------------------
The voice table carries, per signal, :data:`~journeymap.measuring.feedback.RESAMPLES`
replicates of its score, each computed on a resample (with replacement) of the touchpoint's
respondents, the same resample for every signal of one feedback file: a respondent's CSAT
answer and the sentiment of their comment move together, as they do in the data. Two
imaginary respondents are added to every resample, one with the worst and one with the best
answer of each signal, so that a handful of identical answers never looks certain (the idea
of the Wilson and Agresti-Coull intervals for a share; it fades as 1/n). Each replicate is
normalised and combined with the same weights, and the interval is the 2.5th to 97.5th
percentile of the combined replicates (signals from different files are resampled
independently: they are different rows). It covers the sampling of respondents, not the
mapping of step 1 (see "What it cannot tell" in docs/measure.md).

A voice table without replicates (built by hand) falls back to the scores' own intervals
(NPS normal, CSAT Wilson, CES/rating/sentiment Student t), mapped through their
normalisations and combined as if the signals were fully correlated, the worst case for
signals from the same respondents: every signal at the low end of its interval together, or
at the high end, so ``low = sum(w_i low_i) / sum(w_i)`` and likewise ``high`` (with one
signal, its own interval). A signal whose own interval is missing (one answer) or has no
width (every answer the same) gets the widest interval a mean on [-1, 1] of that many answers
can have, the Wilson interval of ``(s + 1) / 2``. Either way no interval has zero width;
``interval`` says which was used.

4. Evidence
-----------
``n`` is the largest sample behind a signal used (answers for a score, verbatims for
sentiment). ``evidence`` is "measured" when ``n >= min_n`` (default 30), "thin" below it (the
value is still given, flagged) and "none" without any voice signal (value, interval and
emotion null). ``sources`` lists each signal used with its n; ``method`` the weights used.
:func:`coverage` is the share of touchpoints "measured".

5. The map's scale
------------------
``emotion = lo + (value + 1) / 2 * (hi - lo)`` with lo..hi the lowest and highest level of the
map's scale (-3..+3 by default: value 0 -> 0, 0.5 -> +1.5), the interval likewise; ``level``
is the label of the nearest level (ties to the higher one, as
:meth:`~journeymap.model.emotion.EmotionScale.level`). ``expected`` is the team's expected
emotion on the same scale and ``gap = emotion - expected`` (negative: worse than expected),
only where both exist.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from journeymap._numbers import count, number
from journeymap.errors import UsageError
from journeymap.measuring.friction import (
    BEHAVIOUR_SIGNALS,
    FRICTION_Z,
    LOG_TIME_FLOOR,
    MEASURES,
    MIN_REFERENCE,
    RATE_FLOOR,
    Measure,
    Reference,
    behaviour_measures,
    by_touchpoint,
    ending_touchpoints,
    friction,
    friction_schema,
    journey_references,
    measure_friction,
    robust_reference,
)

if TYPE_CHECKING:
    import numpy as np
    import pyarrow as pa

    from journeymap.model.emotion import EmotionScale
    from journeymap.model.journey import JourneyMap

__all__ = [
    "BEHAVIOUR_SIGNALS",
    "CSAT_NEUTRAL",
    "DEFAULT_WEIGHTS",
    "FRICTION_Z",
    "LOG_TIME_FLOOR",
    "MEASURES",
    "MIN_REFERENCE",
    "RATE_FLOOR",
    "SIGNALS",
    "VOICE_SIGNALS",
    "Measure",
    "Reference",
    "Signal",
    "behaviour_measures",
    "bounded_interval",
    "by_touchpoint",
    "coverage",
    "ending_touchpoints",
    "friction",
    "journey_references",
    "measure_emotions",
    "measure_friction",
    "nearest_level",
    "normalise_ces",
    "normalise_csat",
    "normalise_rating",
    "robust_reference",
    "voice_signals",
]

VOICE_SIGNALS: tuple[str, ...] = ("csat", "nps", "ces", "rating", "sentiment")
#: The emotion signals: what customers said or scored (behaviour is friction).
SIGNALS: tuple[str, ...] = VOICE_SIGNALS

DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {"csat": 2.0, "nps": 1.0, "ces": 1.0, "rating": 1.0, "sentiment": 1.0}
)
CSAT_NEUTRAL = 0.75
Z = 1.96
#: How the interval was computed, in words (the ``interval`` column).
BOOTSTRAP = "bootstrap over respondents"
COMBINED = "the scores' own intervals, combined as if fully correlated"
_CES_RANGE = (1.0, 7.0)
_RATING_RANGE = (1.0, 5.0)
#: fewer usable combined replicates than this and the bootstrap is not trusted
_MIN_REPLICATES = 100


def bounded_interval(value: float, n: int) -> tuple[float, float]:
    """The widest 95% interval a mean on [-1, 1] of ``n`` answers can have: the Wilson
    interval of ``(value + 1) / 2`` as a share of ``n`` (answers at the ends of the scale)."""
    n = max(n, 1)
    p = min(max((value + 1) / 2, 0.0), 1.0)
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2)) / (1 + Z**2 / n)
    low, high = min(centre - half, p), max(centre + half, p)
    return max(2 * low - 1, -1.0), min(2 * high - 1, 1.0)


@dataclass(frozen=True)
class Signal:
    """One voice signal of a touchpoint on [-1, 1] with its 95% interval, standard error and
    sample size."""

    name: str
    value: float
    low: float
    high: float
    n: int
    se: float

    @classmethod
    def of(cls, name: str, value: float, ends: tuple[float, float] | None, n: int) -> Signal:
        """A signal from its value and interval ends (any order); without ends, or ends of no
        width, the widest interval of ``n`` answers (:func:`bounded_interval`)."""
        if ends is not None:
            low, high = min(*ends, value), max(*ends, value)
            if high > low:
                return cls(name, value, low, high, n, (high - low) / (2 * Z))
        low, high = bounded_interval(value, n)
        return cls(name, value, low, high, n, (high - low) / (2 * Z))


# ---- normalisations ------------------------------------------------------------------------


def _clip(x: float) -> float:
    return max(-1.0, min(1.0, x))


def normalise_csat(pct: float, neutral: float = CSAT_NEUTRAL) -> float:
    """CSAT % (0..100) on [-1, 1], piecewise linear around ``neutral`` (a share, 0..1)."""
    p = pct / 100
    return _clip((p - neutral) / (1 - neutral) if p >= neutral else (p - neutral) / neutral)


def normalise_ces(mean: float, scale: tuple[float, float] = _CES_RANGE) -> float:
    """A mean CES answer on [-1, 1]: the lowest effort +1, the highest -1."""
    lo, hi = scale
    return _clip(1 - 2 * (mean - lo) / (hi - lo))


def normalise_rating(mean: float, scale: tuple[float, float] = _RATING_RANGE) -> float:
    """A mean rating on [-1, 1]: the scale's bottom -1, its top +1."""
    lo, hi = scale
    return _clip(2 * (mean - lo) / (hi - lo) - 1)


def nearest_level(scale: EmotionScale, value: float) -> str:
    """The label of the scale's level nearest ``value`` (ties: the higher level)."""
    return min(scale.levels, key=lambda lv: (abs(lv.value - value), -lv.value)).label


# ---- voice signals --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Part:
    """A score of a voice row: its name, answers, value, interval ends (None: none) and the
    monotone map of its units onto [-1, 1]."""

    name: str
    n: int
    value: float
    ends: tuple[Any, Any]
    fn: Callable[[float], float]

    def signal(self) -> Signal:
        low, high = self.ends
        if low is None or high is None:
            return Signal.of(self.name, self.fn(self.value), None, self.n)
        return Signal.of(self.name, self.fn(self.value), (self.fn(low), self.fn(high)), self.n)


def _range(row: Mapping[str, Any], name: str, default: tuple[float, float]) -> tuple[float, float]:
    lo, hi = row.get(f"{name}_scale_low"), row.get(f"{name}_scale_high")
    return (float(lo), float(hi)) if lo is not None and hi is not None else default


def _parts(row: Mapping[str, Any], csat_neutral: float) -> list[_Part]:
    """The scores of one row of the voice table (with n >= 1), in signal order."""

    def has(name: str) -> bool:
        return row.get(name) is not None and (row.get(f"{name}_n") or 0) > 0

    def part(name: str, fn: Callable[[float], float]) -> _Part:
        ends = (row.get(f"{name}_low"), row.get(f"{name}_high"))
        return _Part(name, int(row[f"{name}_n"]), float(row[name]), ends, fn)

    out: list[_Part] = []
    if has("csat"):
        out.append(part("csat", lambda p: normalise_csat(p, csat_neutral)))
    if has("nps"):
        out.append(part("nps", lambda x: _clip(x / 100)))
    ces_range, rating_range = _range(row, "ces", _CES_RANGE), _range(row, "rating", _RATING_RANGE)
    if has("ces") and ces_range[1] > ces_range[0]:
        out.append(part("ces", lambda x: normalise_ces(x, ces_range)))
    if has("rating") and rating_range[1] > rating_range[0]:
        out.append(part("rating", lambda x: normalise_rating(x, rating_range)))
    if has("sentiment"):
        out.append(part("sentiment", _clip))
    return out


def voice_signals(row: Mapping[str, Any], *, csat_neutral: float = CSAT_NEUTRAL) -> list[Signal]:
    """The voice signals of one row of the voice table (scores and sentiment with n >= 1),
    each with its own interval mapped onto [-1, 1]."""
    return [p.signal() for p in _parts(row, csat_neutral)]


# ---- the interval ---------------------------------------------------------------------------


def _replicates(row: Mapping[str, Any], part: _Part) -> np.ndarray | None:
    """The signal's bootstrap replicates on [-1, 1] (NaN where a resample had no answer)."""
    import numpy as np

    boot = row.get(f"{part.name}_boot")
    if not boot:
        return None
    return np.array(
        [part.fn(x) if x is not None and math.isfinite(x) else math.nan for x in boot],
        dtype=float,
    )


def _bootstrap(
    row: Mapping[str, Any], parts: Sequence[_Part], w: Mapping[str, float]
) -> tuple[float, float] | None:
    """The 2.5th and 97.5th percentile of the weighted combination of the replicates; None
    when a signal has none."""
    import numpy as np

    reps = [_replicates(row, p) for p in parts]
    if any(r is None for r in reps) or len({r.size for r in reps if r is not None}) != 1:
        return None
    values = np.vstack([r for r in reps if r is not None])
    present = np.isfinite(values)
    weights = np.array([w[p.name] for p in parts])[:, None] * present
    total = weights.sum(axis=0)
    ok = total > 0
    if int(ok.sum()) < _MIN_REPLICATES:
        return None
    combined = (weights * np.where(present, values, 0.0)).sum(axis=0)[ok] / total[ok]
    low, high = np.percentile(combined, [2.5, 97.5])
    return float(low), float(high)


def _combine(signals: Sequence[Signal], w: Mapping[str, float]) -> tuple[float, float, float]:
    """The weighted value, and the interval of the signals' own intervals as if fully
    correlated (all at their lower ends together, or all at their upper ends): the weighted
    mean of the ends."""
    total = sum(w[s.name] for s in signals)
    value = sum(w[s.name] * s.value for s in signals) / total
    low = sum(w[s.name] * s.low for s in signals) / total
    high = sum(w[s.name] * s.high for s in signals) / total
    return value, min(low, value), max(high, value)


# ---- the model ------------------------------------------------------------------------------


def _weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    merged = dict(DEFAULT_WEIGHTS)
    for key, value in (weights or {}).items():
        if key in MEASURES:
            raise UsageError(
                f"{key!r} in weights is a friction measure, not an emotion signal: behaviour "
                "is shown as friction and never sets an emotion (docs/measure.md); the emotion "
                f"signals are {', '.join(SIGNALS)}"
            )
        if key not in DEFAULT_WEIGHTS:
            close = difflib.get_close_matches(str(key), SIGNALS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UsageError(
                f"unknown signal {key!r} in weights{hint}; the signals are {', '.join(SIGNALS)}"
            )
        if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
            raise UsageError(f"weight of {key!r} must be a number >= 0, not {value!r}")
        merged[key] = float(value)
    if not any(merged.values()):
        raise UsageError("at least one weight must be above 0")
    return merged


@dataclass(frozen=True)
class _Model:
    """The settings of one run of the model and the map's scale."""

    w: Mapping[str, float]
    min_n: int
    csat_neutral: float
    lo: float
    hi: float
    scale: EmotionScale

    def on_scale(self, v: float) -> float:
        return self.lo + (v + 1) / 2 * (self.hi - self.lo)


def _emotion(row: Mapping[str, Any], model: _Model, expected: float | None) -> dict[str, Any]:
    """The emotion columns of one touchpoint from its voice row."""
    parts = [p for p in _parts(row, model.csat_neutral) if model.w[p.name] > 0]
    if not parts:
        return {"expected": expected, "n": 0, "sources": [], "method": "no feedback",
                "evidence": "none"}  # fmt: skip
    signals = [p.signal() for p in parts]
    value, low, high = _combine(signals, model.w)
    interval = COMBINED
    boot = _bootstrap(row, parts, model.w)
    if boot is not None and boot[1] > boot[0]:
        low, high, interval = min(boot[0], value), max(boot[1], value), BOOTSTRAP
    n = max(s.n for s in signals)
    emotion = model.on_scale(value)
    return {
        "value": value,
        "low": low,
        "high": high,
        "emotion": emotion,
        "emotion_low": model.on_scale(low),
        "emotion_high": model.on_scale(high),
        "level": nearest_level(model.scale, emotion),
        "expected": expected,
        "gap": None if expected is None else emotion - expected,
        "n": n,
        "sources": [f"{s.name} (n={count(s.n)})" for s in signals],
        "method": "weighted mean of "
        + ", ".join(f"{s.name}×{number(model.w[s.name])}" for s in signals),
        "interval": interval,
        "evidence": "measured" if n >= model.min_n else "thin",
    }


def measure_emotions(
    behaviour: pa.Table | None,
    voice: pa.Table | None,
    m: JourneyMap,
    *,
    weights: Mapping[str, float] | None = None,
    min_n: int = 30,
    csat_neutral: float = CSAT_NEUTRAL,
) -> pa.Table:
    """The measured emotion of every touchpoint of ``m`` (one row each, map order) from its
    voice table, by the model of the module docstring, and beside it the touchpoint's
    friction from its behaviour table (:func:`~journeymap.measuring.friction.measure_friction`).

    Columns: ``stage, touchpoint, order, value, low, high`` (-1..1), ``emotion,
    emotion_low, emotion_high`` (the map's scale), ``level, expected, gap, n, sources,
    method, interval, evidence``, then ``friction, friction_level, friction_evidence,
    friction_n, friction_measures``. Schema metadata: the weights, ``csat_neutral``,
    ``min_n``, the journey's friction norms (``reference``, JSON) and how drop-off is read
    (``drop_off``). ``weights`` override :data:`DEFAULT_WEIGHTS` by signal name.
    """
    import pyarrow as pa

    w = _weights(weights)
    if min_n < 1:
        raise UsageError(f"min_n must be >= 1, not {min_n}")
    if not 0 < csat_neutral < 1:
        raise UsageError(f"csat_neutral must be a share between 0 and 1, not {csat_neutral}")
    says = by_touchpoint(voice)
    frictions = measure_friction(behaviour, m, min_n=min_n)
    felt = by_touchpoint(frictions)
    model = _Model(w, min_n, csat_neutral, m.scale.minimum, m.scale.maximum, m.scale)
    rows: list[dict[str, Any]] = []
    for order, (stage, tp) in enumerate(m.iter_touchpoints(), 1):
        row: dict[str, Any] = {"stage": stage.id, "touchpoint": tp.id, "order": order}
        row |= _emotion(says.get(tp.id, {}), model, m.expected_value(tp))
        row |= {k: v for k, v in felt[tp.id].items() if k.startswith("friction")}
        rows.append(row)
    meta = dict(frictions.schema.metadata or {})
    meta |= {
        b"weights": ",".join(f"{k}={v:g}" for k, v in w.items()).encode(),
        b"csat_neutral": f"{csat_neutral:g}".encode(),
        b"min_n": str(min_n).encode(),
    }
    return pa.Table.from_pylist(rows, schema=_schema(meta))


def _schema(meta: dict[bytes, bytes]) -> pa.Schema:
    import pyarrow as pa

    f64, text = pa.float64(), pa.string()
    emotion = [
        ("stage", text),
        ("touchpoint", text),
        ("order", pa.int64()),
        ("value", f64),
        ("low", f64),
        ("high", f64),
        ("emotion", f64),
        ("emotion_low", f64),
        ("emotion_high", f64),
        ("level", text),
        ("expected", f64),
        ("gap", f64),
        ("n", pa.int64()),
        ("sources", pa.list_(text)),
        ("method", text),
        ("interval", text),
        ("evidence", text),
    ]
    friction_fields = [f for f in friction_schema() if f.name.startswith("friction")]
    return pa.schema([pa.field(n, t) for n, t in emotion] + friction_fields, metadata=meta)


def coverage(emotions: pa.Table) -> float:
    """The share of touchpoints whose emotion is measured from enough feedback (``evidence ==
    "measured"``); 0.0 for a map without touchpoints."""
    if emotions.num_rows == 0:
        return 0.0
    evidence: list[str | None] = emotions.column("evidence").to_pylist()
    return sum(e == "measured" for e in evidence) / len(evidence)
