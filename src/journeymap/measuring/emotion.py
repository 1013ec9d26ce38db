"""The measured-emotion model: what customers feel at each touchpoint, computed from what they
said (scores, verbatims) and what they did (drop-off, loops, back-tracking, support
contacts, time to move on), on the map's emotion scale, with a 95% interval and provenance.

It reads the per-touchpoint tables of :func:`journeymap.measuring.feedback.touchpoint_feedback`
(voice) and ``journeymap.measuring.behaviour.touchpoint_behaviour`` (behaviour): a row per
touchpoint, a few dozen rows, so plain arithmetic in memory (ADR 0005).

1. Each signal is put on [-1, 1], 0 being neutral
-------------------------------------------------
==============  ==============================  =========================================
signal          from                            to [-1, 1]; neutral point and why
==============  ==============================  =========================================
nps             NPS -100..100                   NPS / 100. Neutral 0: as many detractors
                                                as promoters (NPS is already a net score).
csat            CSAT % top box, p = CSAT/100    piecewise linear around c = ``csat_neutral``
                                                (default 0.75): (p - c)/(1 - c) above c,
                                                (p - c)/c below. A top-box share is not a
                                                net score: 50% means half the customers
                                                are not satisfied, which no CX team reads
                                                as neutral. CX guides call 75-85% a good
                                                CSAT and the ACSI has averaged the
                                                mid-70s (of 100) across industries for two
                                                decades, so a typical 75% reads neutral,
                                                95% +0.8, 40% -0.47. ``csat_neutral=0.5``
                                                gives the plain 2p - 1.
ces             mean answer on lo..hi           1 - 2 (mean - lo)/(hi - lo): low effort is
                (default 1-7, low = easy)       good. Neutral: the scale's midpoint (4).
                                                A CES asked as "how easy" (high = easy)
                                                should be declared a rating instead.
rating          mean on lo..hi (stars)          2 (mean - lo)/(hi - lo) - 1. Neutral: the
                                                midpoint (3 of 1-5 stars).
sentiment       mean VADER compound, -1..1      as is. Neutral 0 (VADER's own).
drop-off        dropoff_rate                    friction, relative to the journey (below)
loops           loops / customers               friction, relative to the journey
backtracking    backtrack_customers / customers friction, relative to the journey
support         support_rate                    friction, relative to the journey
slow            log10 median_seconds_to_next    friction, relative to the journey
==============  ==============================  =========================================

**Behaviour is read relative to the journey.** A 30% drop-off is alarming on a payment page
and normal on a landing page of another business; what a map can say is how a touchpoint
compares with the journey's other touchpoints. For each friction measure x the journey's
norm is the median over the touchpoints that have customers, its spread the scaled median
absolute deviation ``1.4826 * MAD`` (the standard deviation for normal data, but not moved
by the outlier we are looking for), floored at :data:`RATE_FLOOR` (5 percentage points) for
rates and :data:`LOG_TIME_FLOOR` (0.15 in log10 seconds, a factor of 1.4) for times so that
a journey of near-identical steps does not turn tiny differences into large ones. The robust
z is ``(x - median) / spread`` and the signal ``-tanh(z / 2)``: 0 at the journey's typical
step, -0.46 one spread worse, -0.76 two, -0.91 three, never beyond -1; a step with less
friction than the norm reads positive the same way. Times are compared in log10 seconds
because they are skewed (a step taking 10x the typical time is as far above it as one
taking a tenth is below); times under a second count as one second. A norm needs
:data:`MIN_REFERENCE` touchpoints with customers, or the measure is left out. Drop-off does
not count where ending the journey is finishing it, not leaving: at the touchpoints of the
last stage that customers reach (when customers reach a single stage, at its last touchpoint
they reach).

2. Signals are combined by weight
---------------------------------
``value = sum(w_i * s_i) / sum(w_i)`` over the signals a touchpoint has (a missing signal
is left out and the weights of the others renormalised; weight 0 turns a signal off).
:data:`DEFAULT_WEIGHTS`: what customers tell us about the touchpoint itself weighs most —
csat 2; nps, ces, rating, sentiment 1 each — and behaviour, which shows friction but also
intent (people leave for reasons that are not the experience), less: drop-off 1, support 1,
loops 0.5, backtracking 0.5, slow 0.5 (a long time can be careful reading). ``weights={...}``
overrides any of them; the others keep their defaults.

3. The interval
---------------
Each signal's 95% interval is its own interval mapped through its normalisation (the maps
are monotone, so the ends map to ends): the score's interval from
:mod:`~journeymap.voice.scores` (NPS normal, CSAT Wilson, CES/rating/sentiment Student
t), a Wilson interval for a rate, and for a time ``log10 median ± 1.96 se`` with
``se = 1.2533 sd / sqrt(next_customers)`` (the standard error of a median) and ``sd =
(log10 p90 - log10 median) / 1.2816`` (log-normal times). Its standard error is the width /
(2 x 1.96); a signal without an interval (one answer) gets ``1/sqrt(3)``, the spread of a
value known only to lie in [-1, 1]. The combined standard error is ``sqrt(sum((w_i se_i)^2))
/ sum(w_i)`` and the interval ``value ± 1.96 se`` clipped to [-1, 1]. It assumes the signals
are independent and the journey's norm is exact; both make it somewhat too narrow, so read
it as a lower bound on the uncertainty. It narrows as 1/sqrt(n).

4. Evidence
-----------
``n`` is the largest sample behind a signal used (customers for behaviour, answers for a
score, verbatims for sentiment): the sources are mostly the same customers, so they are not
added. ``evidence`` is "measured" when ``n >= min_n`` (default 30), "thin" below it (the
value is still given, flagged) and "none" without any signal (value, interval and emotion
null). ``sources`` lists each signal used with its n; ``method`` the weights used.

5. The map's scale
------------------
``emotion = lo + (value + 1) / 2 * (hi - lo)`` with lo..hi the lowest and highest level of
the map's scale (-3..+3 by default: value 0 -> 0, 0.5 -> +1.5), the interval likewise;
``level`` is the label of the nearest level (ties to the higher one, as
:meth:`~journeymap.model.emotion.EmotionScale.level`). ``expected`` is the team's expected
emotion on the same scale and ``gap = emotion - expected`` (negative: worse than expected).
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from journeymap._numbers import count, number
from journeymap.errors import UsageError

if TYPE_CHECKING:
    import pyarrow as pa

    from journeymap.model.emotion import EmotionScale
    from journeymap.model.journey import JourneyMap

__all__ = [
    "BEHAVIOUR_SIGNALS",
    "CSAT_NEUTRAL",
    "DEFAULT_WEIGHTS",
    "LOG_TIME_FLOOR",
    "MIN_REFERENCE",
    "RATE_FLOOR",
    "SIGNALS",
    "VOICE_SIGNALS",
    "Measure",
    "Reference",
    "Signal",
    "behaviour_measures",
    "by_touchpoint",
    "coverage",
    "ending_touchpoints",
    "friction",
    "journey_references",
    "measure_emotions",
    "nearest_level",
    "normalise_ces",
    "normalise_csat",
    "normalise_rating",
    "robust_reference",
    "voice_signals",
]

VOICE_SIGNALS: tuple[str, ...] = ("csat", "nps", "ces", "rating", "sentiment")
BEHAVIOUR_SIGNALS: tuple[str, ...] = ("drop-off", "loops", "backtracking", "support", "slow")
SIGNALS: tuple[str, ...] = VOICE_SIGNALS + BEHAVIOUR_SIGNALS

DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "csat": 2.0,
        "nps": 1.0,
        "ces": 1.0,
        "rating": 1.0,
        "sentiment": 1.0,
        "drop-off": 1.0,
        "loops": 0.5,
        "backtracking": 0.5,
        "support": 1.0,
        "slow": 0.5,
    }
)
CSAT_NEUTRAL = 0.75
MIN_REFERENCE = 3
RATE_FLOOR = 0.05
LOG_TIME_FLOOR = 0.15
SQUASH = 2.0
Z = 1.96
UNKNOWN_SE = 1 / math.sqrt(3)
_MAD_SCALE = 1.4826
_SE_MEDIAN = 1.2533  # sqrt(pi / 2): se of a median = 1.2533 sd / sqrt(n) for normal data
_Z90 = 1.2816  # the 90% quantile of the standard normal
_CES_RANGE = (1.0, 7.0)
_RATING_RANGE = (1.0, 5.0)


@dataclass(frozen=True)
class Signal:
    """One signal of a touchpoint on [-1, 1] with its 95% interval, standard error and
    sample size."""

    name: str
    value: float
    low: float
    high: float
    n: int
    se: float

    @classmethod
    def of(cls, name: str, value: float, ends: tuple[float, float] | None, n: int) -> Signal:
        """A signal from its value and interval ends (any order; None: no interval, the
        standard error of a value known only to lie in [-1, 1])."""
        if ends is None:
            se = UNKNOWN_SE
            return cls(name, value, _clip(value - Z * se), _clip(value + Z * se), n, se)
        low, high = min(*ends, value), max(*ends, value)
        return cls(name, value, low, high, n, (high - low) / (2 * Z))


@dataclass(frozen=True)
class Measure:
    """A behaviour measure of a touchpoint in its own units (a rate, or log10 seconds) with
    its 95% interval, the customers it counts (``count``) and those it is out of (``n``)."""

    value: float
    low: float
    high: float
    count: int
    n: int


@dataclass(frozen=True)
class Reference:
    """The journey's norm for one measure: median, spread (floored 1.4826 MAD), and over how
    many touchpoints."""

    median: float
    spread: float
    touchpoints: int

    def z(self, x: float) -> float:
        return (x - self.median) / self.spread


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


def friction(z: float) -> float:
    """A friction measure's robust z on [-1, 1]: ``-tanh(z / 2)`` (worse than the norm < 0)."""
    return -math.tanh(z / SQUASH)


def robust_reference(values: Iterable[float], floor: float) -> Reference | None:
    """Median and spread ``max(1.4826 * MAD, floor)`` of ``values``; None for fewer than
    :data:`MIN_REFERENCE` values."""
    xs = sorted(values)
    if len(xs) < MIN_REFERENCE:
        return None
    median = _median(xs)
    mad = _median(sorted(abs(x - median) for x in xs))
    return Reference(median, max(_MAD_SCALE * mad, floor), len(xs))


def _median(xs: Sequence[float]) -> float:
    k = len(xs) // 2
    return xs[k] if len(xs) % 2 else (xs[k - 1] + xs[k]) / 2


def nearest_level(scale: EmotionScale, value: float) -> str:
    """The label of the scale's level nearest ``value`` (ties: the higher level)."""
    return min(scale.levels, key=lambda lv: (abs(lv.value - value), -lv.value)).label


# ---- voice signals --------------------------------------------------------------------------


def _signal(name: str, n: int, value: float, ends: tuple[Any, Any], fn: Any) -> Signal:
    """A signal from a score, its interval ``ends`` (None: no interval) and the monotone
    normalisation ``fn``."""
    if ends[0] is None or ends[1] is None:
        return Signal.of(name, fn(value), None, n)
    return Signal.of(name, fn(value), (fn(ends[0]), fn(ends[1])), n)


def _range(row: Mapping[str, Any], name: str, default: tuple[float, float]) -> tuple[float, float]:
    lo, hi = row.get(f"{name}_scale_low"), row.get(f"{name}_scale_high")
    return (float(lo), float(hi)) if lo is not None and hi is not None else default


def voice_signals(row: Mapping[str, Any], *, csat_neutral: float = CSAT_NEUTRAL) -> list[Signal]:
    """The voice signals of one row of the voice table (scores and sentiment with n >= 1)."""
    out: list[Signal] = []

    def has(name: str) -> bool:
        return row.get(name) is not None and (row.get(f"{name}_n") or 0) > 0

    def ends(name: str) -> tuple[Any, Any]:
        return row.get(f"{name}_low"), row.get(f"{name}_high")

    if has("csat"):
        out.append(
            _signal(
                "csat",
                row["csat_n"],
                row["csat"],
                ends("csat"),
                lambda p: normalise_csat(p, csat_neutral),
            )
        )
    if has("nps"):
        out.append(_signal("nps", row["nps_n"], row["nps"], ends("nps"), lambda x: x / 100))
    if has("ces"):
        lo_hi = _range(row, "ces", _CES_RANGE)
        if lo_hi[1] > lo_hi[0]:
            out.append(
                _signal(
                    "ces", row["ces_n"], row["ces"], ends("ces"), lambda x: normalise_ces(x, lo_hi)
                )
            )
    if has("rating"):
        lo_hi_r = _range(row, "rating", _RATING_RANGE)
        if lo_hi_r[1] > lo_hi_r[0]:
            out.append(
                _signal(
                    "rating",
                    row["rating_n"],
                    row["rating"],
                    ends("rating"),
                    lambda x: normalise_rating(x, lo_hi_r),
                )
            )
    if has("sentiment"):
        out.append(
            _signal("sentiment", row["sentiment_n"], row["sentiment"], ends("sentiment"), _clip)
        )
    return out


# ---- behaviour signals ----------------------------------------------------------------------


def _wilson(count: int, n: int) -> tuple[float, float]:
    p = count / n
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n**2)) / (1 + Z**2 / n)
    return min(max(centre - half, 0.0), p), max(min(centre + half, 1.0), p)


def _rate(count: Any, n: int) -> Measure | None:
    if count is None or n <= 0:
        return None
    c = min(int(count), n)
    low, high = _wilson(c, n)
    return Measure(c / n, low, high, c, n)


def behaviour_measures(row: Mapping[str, Any]) -> dict[str, Measure]:
    """The friction measures of one row of the behaviour table: drop-off, loops,
    backtracking and support as rates of the touchpoint's customers, slow as log10 of the
    median seconds to the next touchpoint (of ``next_customers``). Missing ones are left out."""
    out: dict[str, Measure] = {}
    n = int(row.get("customers") or 0)
    if n <= 0:
        return out
    counts = {
        "drop-off": row.get("dropoff_customers"),
        "loops": row.get("loops"),
        "backtracking": row.get("backtrack_customers"),
        "support": row.get("support_customers"),
    }
    if counts["support"] is None and row.get("support_rate") is not None:
        counts["support"] = round(float(row["support_rate"]) * n)
    for name, hits in counts.items():
        m = _rate(hits, n)
        if m is not None:
            out[name] = m
    median, nxt = row.get("median_seconds_to_next"), int(row.get("next_customers") or 0)
    if median is not None and nxt > 0:
        x = math.log10(max(float(median), 1.0))
        p90 = row.get("p90_seconds_to_next")
        sd = (
            max(math.log10(max(float(p90), 1.0)) - x, 0.0) / _Z90
            if p90 is not None
            else LOG_TIME_FLOOR
        )
        se = _SE_MEDIAN * sd / math.sqrt(nxt)
        out["slow"] = Measure(x, x - Z * se, x + Z * se, nxt, nxt)
    return out


def ending_touchpoints(behaviour: pa.Table | None, m: JourneyMap) -> set[str]:
    """Ids of the touchpoints where ending the journey is finishing it, so that drop-off is
    no friction there: those of the last stage customers reach (and of any stage after it);
    when customers reach only one stage, its last touchpoint they reach."""
    if behaviour is None or "customers" not in behaviour.column_names:
        return set()
    reached = {
        str(r["touchpoint"])
        for r in behaviour.select(["touchpoint", "customers"]).to_pylist()
        if r["customers"]
    }
    stages = [(s.id, [tp.id for tp in s.touchpoints]) for s in m.stages]
    hit = [i for i, (_, tps) in enumerate(stages) if reached.intersection(tps)]
    if not hit:
        return set()
    if len(hit) == 1:
        return {[tp for tp in stages[hit[0]][1] if tp in reached][-1]}
    return {tp for _, tps in stages[hit[-1] :] for tp in tps}


def journey_references(
    rows: Sequence[Mapping[str, Any]], ends: set[str]
) -> dict[str, Reference | None]:
    """The journey's norm of each friction measure over the touchpoints with customers
    (drop-off: outside the ending touchpoints)."""
    values: dict[str, list[float]] = {name: [] for name in BEHAVIOUR_SIGNALS}
    for row in rows:
        for name, measure in behaviour_measures(row).items():
            if name == "drop-off" and row.get("touchpoint") in ends:
                continue
            values[name].append(measure.value)
    return {
        name: robust_reference(xs, LOG_TIME_FLOOR if name == "slow" else RATE_FLOOR)
        for name, xs in values.items()
    }


def _behaviour_signals(
    row: Mapping[str, Any], refs: Mapping[str, Reference | None], ends: set[str]
) -> list[Signal]:
    out: list[Signal] = []
    for name, measure in behaviour_measures(row).items():
        ref = refs.get(name)
        if ref is None or (name == "drop-off" and row.get("touchpoint") in ends):
            continue
        interval = (friction(ref.z(measure.high)), friction(ref.z(measure.low)))
        out.append(Signal.of(name, friction(ref.z(measure.value)), interval, measure.n))
    return out


# ---- the model ------------------------------------------------------------------------------


def _weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    merged = dict(DEFAULT_WEIGHTS)
    for key, value in (weights or {}).items():
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


def by_touchpoint(table: pa.Table | None) -> dict[str, dict[str, Any]]:
    """The rows of a per-touchpoint table (behaviour, voice) by touchpoint id; ``{}`` for
    None."""
    if table is None:
        return {}
    if "touchpoint" not in table.column_names:
        raise UsageError(f"expected a table with a touchpoint column, got {table.column_names}")
    return {str(r["touchpoint"]): r for r in table.to_pylist()}


def _combine(signals: Sequence[Signal], weights: Mapping[str, float]) -> tuple[float, float, float]:
    total = sum(weights[s.name] for s in signals)
    value = sum(weights[s.name] * s.value for s in signals) / total
    se = math.sqrt(sum((weights[s.name] * s.se) ** 2 for s in signals)) / total
    return value, max(-1.0, value - Z * se), min(1.0, value + Z * se)


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
    behaviour and voice tables, by the model of the module docstring.

    Columns: ``stage, touchpoint, order, value, low, high`` (-1..1), ``emotion,
    emotion_low, emotion_high`` (the map's scale), ``level, expected, gap, n, sources,
    method, evidence``. Schema metadata: the weights, ``csat_neutral``, ``min_n`` and the
    journey's norms (JSON). ``weights`` override :data:`DEFAULT_WEIGHTS` by signal name.
    """
    import pyarrow as pa

    w = _weights(weights)
    if min_n < 1:
        raise UsageError(f"min_n must be >= 1, not {min_n}")
    if not 0 < csat_neutral < 1:
        raise UsageError(f"csat_neutral must be a share between 0 and 1, not {csat_neutral}")
    acts, says = by_touchpoint(behaviour), by_touchpoint(voice)
    ends = ending_touchpoints(behaviour, m)
    refs = journey_references(list(acts.values()), ends)
    scale = m.scale
    lo, hi = scale.minimum, scale.maximum

    def on_scale(v: float | None) -> float | None:
        return None if v is None else lo + (v + 1) / 2 * (hi - lo)

    rows: list[dict[str, Any]] = []
    for order, (stage, tp) in enumerate(m.iter_touchpoints(), 1):
        signals = voice_signals(says.get(tp.id, {}), csat_neutral=csat_neutral)
        signals += _behaviour_signals(acts.get(tp.id, {}), refs, ends)
        signals = [s for s in signals if w[s.name] > 0]
        expected = m.expected_value(tp)
        row: dict[str, Any] = {"stage": stage.id, "touchpoint": tp.id, "order": order}
        if signals:
            value, low, high = _combine(signals, w)
            n = max(s.n for s in signals)
            emotion = on_scale(value)
            assert emotion is not None
            row.update(
                value=value,
                low=low,
                high=high,
                emotion=emotion,
                emotion_low=on_scale(low),
                emotion_high=on_scale(high),
                level=nearest_level(scale, emotion),
                expected=expected,
                gap=None if expected is None else emotion - expected,
                n=n,
                sources=[f"{s.name} (n={count(s.n)})" for s in signals],
                method="weighted mean of "
                + ", ".join(f"{s.name}×{number(w[s.name])}" for s in signals),
                evidence="measured" if n >= min_n else "thin",
            )
        else:
            row.update(expected=expected, n=0, sources=[], method="no evidence", evidence="none")
        rows.append(row)
    meta = {
        b"weights": ",".join(f"{k}={v:g}" for k, v in w.items()).encode(),
        b"csat_neutral": f"{csat_neutral:g}".encode(),
        b"min_n": str(min_n).encode(),
        b"reference": json.dumps(
            {
                k: None
                if r is None
                else {"median": r.median, "spread": r.spread, "of": r.touchpoints}
                for k, r in refs.items()
            }
        ).encode(),
    }
    return pa.Table.from_pylist(rows, schema=_schema(meta))


def _schema(meta: dict[bytes, bytes]) -> pa.Schema:
    import pyarrow as pa

    f64, text = pa.float64(), pa.string()
    return pa.schema(
        [
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
            ("evidence", text),
        ],
        metadata=meta,
    )


def coverage(emotions: pa.Table) -> float:
    """The share of touchpoints whose emotion is evidence-backed (``evidence == "measured"``);
    0.0 for a map without touchpoints."""
    if emotions.num_rows == 0:
        return 0.0
    evidence: list[str | None] = emotions.column("evidence").to_pylist()
    return sum(e == "measured" for e in evidence) / len(evidence)
