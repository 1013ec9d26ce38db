"""Friction: what customers *did* at each touchpoint, held against the journey's typical step.

Behaviour (drop-off, loops, back-tracking, support contacts, time to move on) shows where
customers struggle, but not what they feel: people leave for reasons that are not the
experience, come back to compare, take long to read. So behaviour never sets an emotion
level (:mod:`journeymap.measuring.emotion` reads only what customers said or scored); it
gives **friction**, a signal of its own with its own evidence.

It reads the behaviour table (``journeymap.measuring.behaviour.touchpoint_behaviour``): a row
per touchpoint, a few dozen rows, so plain arithmetic in memory (ADR 0005).

The measures
------------
=============  =========================================================================
measure        of the touchpoint's customers (``customers``)
=============  =========================================================================
drop-off       ``abandoned_customers`` (journeys given up here: not at a goal, not ended
               by the business, not still in progress) when the table has an
               ``abandon_rate`` column; else ``dropoff_customers`` (every journey whose
               last step is here)
loops          ``loops``: customers who come back after moving on
backtracking   ``backtrack_customers``: customers who go back to an earlier stage
support        ``support_customers`` (or ``support_rate``): a support contact soon after
slow           log10 of ``median_seconds_to_next`` (of ``next_customers``; times under a
               second count as one second)
=============  =========================================================================

Where ending the journey is finishing it (:func:`finishing_touchpoints`: the map's goal
and other ends) drop-off, loops and going back are not read: ending there is no drop-off,
and coming back or going back after an outcome is a new journey, not friction of this one
(as for pain points). The wait to the next step is read: a map often goes on after its goal
(an order, then the delivery). Without abandonment figures (an older behaviour table) the
last stage customers reach stands for the ends, and only its drop-off is left out.

A null figure is no measure. Back-stage touchpoints (``customer_step`` false) are the
business' work, not the customer's steps: they have no friction and stay out of the norms.
Each rate has its Wilson 95% interval; a median time ``log10 median ± 1.96 se`` with
``se = 1.2533 sd / sqrt(next_customers)`` and ``sd = (log10 p90 - log10 median) / 1.2816``
(log-normal times).

Relative to the journey
-----------------------
A 30% drop-off is alarming on a payment page and normal on a landing page of another
business; what a map can say is how a touchpoint compares with the journey's other
touchpoints. For each measure the journey's **typical step** is the median over the
touchpoints that have it, its **usual spread** the scaled median absolute deviation ``1.4826 *
MAD`` (the standard deviation for normal data, but not moved by the outlier we are looking
for), floored at :data:`RATE_FLOOR` (5 percentage points) for rates and
:data:`LOG_TIME_FLOOR` (0.15 in log10 seconds, a factor of 1.4) for times, so that a journey of
near-identical steps does not turn tiny differences into large ones. A norm needs
:data:`MIN_REFERENCE` touchpoints, or the measure is left out. The **robust z** is ``(x -
typical) / spread``: how many usual spreads worse than the typical step.

A touchpoint's friction
-----------------------
Its ``friction`` is the robust z of its most telling measure, and its ``friction_level``:

- ``typical`` below :data:`FRICTION_Z` (2), the threshold of a pain point;
- ``medium`` from 2, ``high`` from 3, ``critical`` from 5, as the severity of pain points;
  loops and back-tracking never above ``medium`` (going back is ambiguous: comparing
  products is browsing), and after the other measures of the same level
  (:func:`friction_rank`).

Only measures over at least ``min_n`` customers (default 30) have a level and judge the
touchpoint's: ``friction_evidence`` is "measured" with one, "thin" with measures on fewer
customers only (no level), "none" without measures. ``friction_measures`` lists every
measure, the most telling first, each with its value, interval, the journey's typical value,
z and counts.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from journeymap.errors import UsageError
from journeymap.measuring._arrow import arrow_fields

if TYPE_CHECKING:
    import pyarrow as pa

    from journeymap.model.journey import JourneyMap

__all__ = [
    "BEHAVIOUR_SIGNALS",
    "FRICTION_LEVELS",
    "FRICTION_Z",
    "LOG_TIME_FLOOR",
    "MEASURES",
    "MIN_REFERENCE",
    "RATE_FLOOR",
    "Ends",
    "Measure",
    "Reference",
    "behaviour_measures",
    "by_touchpoint",
    "customer_steps",
    "ending_touchpoints",
    "finishing_touchpoints",
    "friction",
    "friction_level",
    "friction_rank",
    "journey_references",
    "measure_friction",
    "not_judged",
    "robust_reference",
    "uses_abandon",
]

#: The behaviour measures, in the order they are listed.
MEASURES: tuple[str, ...] = ("drop-off", "loops", "backtracking", "support", "slow")
#: The name earlier versions gave them (they were emotion signals then).
BEHAVIOUR_SIGNALS = MEASURES
#: Friction levels from least to most, as pain-point severities ("typical": not flagged).
FRICTION_LEVELS: tuple[str, ...] = ("typical", "medium", "high", "critical")
#: The robust z from which a measure is friction (the pain-point threshold).
FRICTION_Z = 2.0
_LEVEL_Z = (("critical", 5.0), ("high", 3.0), ("medium", FRICTION_Z))
#: Measures whose friction is at most "medium": going back is ambiguous.
_AMBIGUOUS = frozenset({"loops", "backtracking"})
MIN_REFERENCE = 3
RATE_FLOOR = 0.05
LOG_TIME_FLOOR = 0.15
SQUASH = 2.0
Z = 1.96
_MAD_SCALE = 1.4826
_SE_MEDIAN = 1.2533  # sqrt(pi / 2): se of a median = 1.2533 sd / sqrt(n) for normal data
_Z90 = 1.2816  # the 90% quantile of the standard normal


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


def friction(z: float) -> float:
    """A robust z squashed on [-1, 1]: ``-tanh(z / 2)`` (worse than the norm < 0). Kept for
    callers that need a bounded score; the friction of a touchpoint is its z itself."""
    return -math.tanh(z / SQUASH)


def friction_level(measure: str, z: float) -> str:
    """The level of one measure's robust z: typical below 2, then medium, high (3), critical
    (5); loops and back-tracking at most medium."""
    level = next((name for name, at in _LEVEL_Z if z >= at), "typical")
    if measure in _AMBIGUOUS and level != "typical":
        return "medium"
    return level


def friction_rank(measure: Mapping[str, Any]) -> tuple[int, bool, float]:
    """Sorts measures (mappings with ``measure``, ``level``, ``z``) the most telling first:
    the higher level (None, not judged, last), then drop-off, support and slow before the
    ambiguous loops and back-tracking, then the larger z."""
    level = measure["level"]
    return (
        -(FRICTION_LEVELS.index(level) if level is not None else -1),
        measure["measure"] in _AMBIGUOUS,
        -float(measure["z"]),
    )


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


def _left(row: Mapping[str, Any], n: int) -> Any:
    """The customers who left at a touchpoint: abandoned when the table says so, else every
    journey that ends here; None when the figure is null."""
    if "abandon_rate" in row:
        left = row.get("abandoned_customers")
        if left is None and row.get("abandon_rate") is not None:
            left = round(float(row["abandon_rate"]) * n)
        return left
    return row.get("dropoff_customers")


def behaviour_measures(row: Mapping[str, Any]) -> dict[str, Measure]:
    """The friction measures of one row of the behaviour table (module docstring): drop-off,
    loops, backtracking and support as rates of the touchpoint's customers, slow as log10 of
    the median seconds to the next touchpoint (of ``next_customers``). Null ones are left
    out."""
    out: dict[str, Measure] = {}
    n = int(row.get("customers") or 0)
    if n <= 0:
        return out
    counts = {
        "drop-off": _left(row, n),
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
    if median is not None and nxt > 0 and math.isfinite(float(median)):
        x = math.log10(max(float(median), 1.0))
        p90 = row.get("p90_seconds_to_next")
        sd = (
            max(math.log10(max(float(p90), 1.0)) - x, 0.0) / _Z90
            if p90 is not None and math.isfinite(float(p90))
            else LOG_TIME_FLOOR
        )
        se = _SE_MEDIAN * sd / math.sqrt(nxt)
        out["slow"] = Measure(x, x - Z * se, x + Z * se, nxt, nxt)
    return out


def by_touchpoint(table: pa.Table | None) -> dict[str, dict[str, Any]]:
    """The rows of a per-touchpoint table (behaviour, voice) by touchpoint id; ``{}`` for
    None."""
    if table is None:
        return {}
    if "touchpoint" not in table.column_names:
        raise UsageError(f"expected a table with a touchpoint column, got {table.column_names}")
    return {str(r["touchpoint"]): r for r in table.to_pylist()}


def uses_abandon(rows: Iterable[Mapping[str, Any]]) -> bool:
    """True when the behaviour table tells abandoned journeys apart (an ``abandon_rate``
    column): then drop-off is abandonment and no touchpoint is left out of it."""
    return any("abandon_rate" in row for row in rows)


def ending_touchpoints(behaviour: pa.Table | None, m: JourneyMap) -> set[str]:
    """Ids of the touchpoints where ending the journey is finishing it, so that drop-off is
    no friction there: those of the last stage customers reach (and of any stage after it);
    when customers reach only one stage, its last touchpoint they reach. Used only when the
    table does not tell abandoned journeys apart (:func:`uses_abandon`)."""
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


#: the measures not read where ending the journey is finishing it (the map's outcomes):
#: ending there is no drop-off, and coming back or going back after an outcome is a new
#: journey, not friction of this one
_NOT_AT_ENDS = frozenset({"drop-off", "loops", "backtracking"})


class Ends(frozenset[str]):
    """The touchpoints where ending the journey is finishing it; ``outcomes``: whether they
    are the map's outcomes (else a guess, the last stage customers reach: drop-off alone is
    left out there)."""

    outcomes: bool = False

    @classmethod
    def of(cls, ends: Iterable[str], *, outcomes: bool) -> Ends:
        made = cls(ends)
        made.outcomes = outcomes
        return made


def _skipped(name: str, row: Mapping[str, Any], ends: AbstractSet[str]) -> bool:
    """A measure not read at a touchpoint where ending the journey is finishing it."""
    tp = row.get("touchpoint")
    if tp not in ends:
        return False
    if not isinstance(ends, Ends) or not ends.outcomes:
        return name == "drop-off"
    return name in _NOT_AT_ENDS


def customer_steps(rows: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The rows of the customer's own steps: back-stage work (``customer_step`` false) is the
    business', never the customer's friction."""
    return [r for r in rows if r.get("customer_step") is not False]


def finishing_touchpoints(behaviour: pa.Table | None, m: JourneyMap) -> AbstractSet[str]:
    """Where ending the journey is finishing it: the touchpoints of the map's goal and other
    ends when the table tells abandoned journeys apart, else :func:`ending_touchpoints`."""
    if behaviour is not None and "abandon_rate" in behaviour.column_names:
        from journeymap.measuring.outcomes import outcome_touchpoints

        return Ends.of(outcome_touchpoints(m), outcomes=True)
    return ending_touchpoints(behaviour, m)


def journey_references(
    rows: Sequence[Mapping[str, Any]], ends: AbstractSet[str]
) -> dict[str, Reference | None]:
    """The journey's norm of each friction measure over the touchpoints that have it
    (drop-off as every ending: outside the ending touchpoints ``ends``)."""
    values: dict[str, list[float]] = {name: [] for name in MEASURES}
    for row in rows:
        for name, measure in behaviour_measures(row).items():
            if not _skipped(name, row, ends):
                values[name].append(measure.value)
    return {
        name: robust_reference(xs, LOG_TIME_FLOOR if name == "slow" else RATE_FLOOR)
        for name, xs in values.items()
    }


def _natural(name: str, x: float) -> float:
    """A measure's value in the units people read: a share, or seconds for slow."""
    return 10**x if name == "slow" else x


def _measures(
    row: Mapping[str, Any], refs: Mapping[str, Reference | None], ends: AbstractSet[str], min_n: int
) -> list[dict[str, Any]]:
    """The touchpoint's measures against the journey's norms, the most telling first (a
    measure over fewer than ``min_n`` customers has no level)."""
    out: list[dict[str, Any]] = []
    for name, m in behaviour_measures(row).items():
        ref = refs.get(name)
        if ref is None or _skipped(name, row, ends):
            continue
        z = ref.z(m.value)
        out.append(
            {
                "measure": name,
                "value": _natural(name, m.value),
                "low": _natural(name, m.low),
                "high": _natural(name, m.high),
                "typical": _natural(name, ref.median),
                "z": z,
                "customers": m.count,
                "n": m.n,
                "level": friction_level(name, z) if m.n >= min_n else None,
            }
        )
    out.sort(key=friction_rank)
    return out


def _touchpoint(measures: list[dict[str, Any]], min_n: int) -> dict[str, Any]:
    """A touchpoint's friction from its measures: level and z of the most telling measure
    over enough customers, and the evidence."""
    solid = [r for r in measures if r["n"] >= min_n]
    if not measures:
        return {"friction": None, "friction_level": None, "friction_evidence": "none",
                "friction_n": 0}  # fmt: skip
    top = (solid or measures)[0]
    return {
        "friction": top["z"],
        "friction_level": top["level"] if solid else None,
        "friction_evidence": "measured" if solid else "thin",
        "friction_n": max(r["n"] for r in measures),
    }


def measure_friction(behaviour: pa.Table | None, m: JourneyMap, *, min_n: int = 30) -> pa.Table:
    """The friction of every touchpoint of ``m`` (one row each, map order) from its
    behaviour table, by the rules of the module docstring.

    Columns: ``stage, touchpoint, order, friction`` (the robust z of the most telling
    measure), ``friction_level``, ``friction_evidence``, ``friction_n`` (the most customers
    behind a measure) and ``friction_measures`` (a list of structs: ``measure, value, low,
    high, typical, z, customers, n, level``; level null under ``min_n`` customers). Schema
    metadata ``reference``: the journey's norms (JSON), ``drop_off``: ``abandoned`` or
    ``every ending``, ``steps``: per measure, the customer steps that have it (JSON; a norm
    needs :data:`MIN_REFERENCE`: see :func:`not_judged`).
    """
    import pyarrow as pa

    acts = {str(r["touchpoint"]): r for r in customer_steps(by_touchpoint(behaviour).values())}
    ends = finishing_touchpoints(behaviour, m)
    refs = journey_references(list(acts.values()), ends)
    have = {
        name: sum(
            1
            for row in acts.values()
            if name in behaviour_measures(row) and not _skipped(name, row, ends)
        )
        for name in MEASURES
    }
    rows = []
    for order, (stage, tp) in enumerate(m.iter_touchpoints(), 1):
        measures = _measures(acts.get(tp.id, {}), refs, ends, min_n)
        rows.append(
            {"stage": stage.id, "touchpoint": tp.id, "order": order}
            | _touchpoint(measures, min_n)
            | {"friction_measures": measures}
        )
    meta = {
        b"reference": json.dumps(
            {
                k: None
                if r is None
                else {"median": r.median, "spread": r.spread, "of": r.touchpoints}
                for k, r in refs.items()
            }
        ).encode(),
        b"drop_off": b"abandoned" if uses_abandon(acts.values()) else b"every ending",
        b"min_n": str(min_n).encode(),
        b"steps": json.dumps(have).encode(),
    }
    return pa.Table.from_pylist(rows, schema=friction_schema(meta))


def not_judged(metadata: Mapping[bytes, bytes] | None) -> list[str]:
    """In words, the friction measures that customer steps have but too few of them for the
    journey's norm (:data:`MIN_REFERENCE`), from the metadata of :func:`measure_friction`
    (or of the emotion table, which carries it): those are judged nowhere, not typical. One
    sentence per number of steps."""
    if not metadata or b"steps" not in metadata:
        return []
    have = json.loads(metadata[b"steps"])
    names = {"drop-off": "drop-off (journeys given up)", "loops": "loops (coming back)",
             "backtracking": "going back to an earlier stage", "support": "support contacts",
             "slow": "the wait to the next step"}  # fmt: skip
    by_n: dict[int, list[str]] = {}
    for name, n in have.items():
        if 0 < n < MIN_REFERENCE and name in names:
            by_n.setdefault(int(n), []).append(names[name])
    out = []
    for n, measures in sorted(by_n.items()):
        listed = (
            measures[0] if len(measures) == 1 else ", ".join(measures[:-1]) + " and " + measures[-1]
        )
        steps = (
            f"{n} customer step has {'it' if len(measures) == 1 else 'them'}"
            if n == 1
            else (f"{n} customer steps have {'it' if len(measures) == 1 else 'them'}")
        )
        out.append(
            f"Not judged against the journey: {listed}. Only {steps}, and the journey's norm "
            f"needs {MIN_REFERENCE}. No touchpoint is flagged for "
            f"{'it' if len(measures) == 1 else 'them'}, which does not mean "
            f"{'it is' if len(measures) == 1 else 'they are'} typical."
        )
    return out


def friction_schema(meta: dict[bytes, bytes] | None = None) -> pa.Schema:
    """The columns of :func:`measure_friction` (after ``stage, touchpoint, order``)."""
    import pyarrow as pa

    from journeymap.model.measurement import FrictionMeasure

    f64, text, i64 = pa.float64(), pa.string(), pa.int64()
    measure = pa.struct(arrow_fields(FrictionMeasure))
    return pa.schema(
        [
            ("stage", text),
            ("touchpoint", text),
            ("order", i64),
            ("friction", f64),
            ("friction_level", text),
            ("friction_evidence", text),
            ("friction_n", i64),
            ("friction_measures", pa.list_(measure)),
        ],
        metadata=meta,
    )
