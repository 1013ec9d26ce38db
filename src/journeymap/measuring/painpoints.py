"""Pain points found in the evidence, with their impact, ranked, and held against the ones
the team wrote on the map.

Input: the per-touchpoint behaviour table (``touchpoint_behaviour``), the voice table
(:func:`journeymap.measuring.feedback.touchpoint_feedback`) and the stage table
(``stage_behaviour``), any of them ``None``. Everything is judged **relative to the
journey**: a touchpoint is a pain point when it is well outside what the journey's other
customer steps (front-stage touchpoints; back-stage work is never a customer step) show,
because every funnel loses people and what a team can act on is the step
that loses more than the others.

"Well outside" is a robust z-score, the same as in the measured-emotion model
(:mod:`journeymap.measuring.friction`): ``z = (x - median) / spread``, the median and the
spread (1.4826 x the median absolute deviation, floored) taken over the journey's
touchpoints, so that the outlier itself does not move the norm. A rule fires at
``z >= 2`` (:data:`Z_FLAG`) and only with enough evidence (``min_n``, default 30 customers,
answers or verbatims at the touchpoint).

The rules
---------
==================  ========================================================================
kind                fires when (at a touchpoint with ``min_n`` customers/answers/verbatims)
==================  ========================================================================
drop-off            abandon rate (customers who give up here: their last step is here, their
                    journey reached no outcome and has had no event for ``abandoned_after``
                    (``measuring/outcomes.py``) / customers reaching it) z >= 2, spread
                    floored at 5 points; never at a goal or end touchpoint (ending there is
                    finishing); journeys still in progress are not counted
loops               loops / customers or backtrack_customers / customers z >= 2 (floor 5
                    points); the larger of the two is reported; low severity unless what
                    customers say agrees (below): going back is ambiguous (comparing
                    products is browsing); never at a goal or end touchpoint (what follows
                    an outcome is a new journey)
slow                the wait: log10 median seconds to the customer's next step z >= 2
                    (floor 0.15, a factor of 1.4), with ``min_n`` customers moving on;
                    back-stage work in between counts, as the customer waits through it
support             support contacts soon after / customers z >= 2 (floor 5 points)
low-score           a score (NPS, CSAT, CES, rating) normalised as in the emotion model is
                    below neutral and z <= -2 against the touchpoints with that score (floor
                    0.1), or below neutral with even the better end of its 95% interval
                    under the journey's median (medium), or clearly bad on its own:
                    normalised <= -0.5 (CSAT <= 37.5% with the default neutral 75%, NPS
                    <= -50, CES >= 5.5 of 7, 2 of 5 stars)
negative-themes     the share of negative verbatims z >= 2 (floor 5 points), or at least
                    half of what customers write about the touchpoint is negative
==================  ========================================================================

Impact
------
- ``customers_affected``: those who showed the problem — left there (drop-off), looped or
  went back (loops), at least half of those moving on (slow: the median is above the norm),
  contacted support (support), answered the score (low-score), wrote negatively
  (negative-themes). Voice findings count the people who told us, a sample.
- ``conversions_lost`` (drop-off only, else null): customers reaching the touchpoint x (its
  drop-off rate - the journey's median drop-off rate), never below 0: the customers who
  would have moved on had the step lost only as many as a typical step.
- ``value_lost``: conversions lost x ``value_per_conversion`` when given; else, when the
  behaviour has values, x the value recorded at the touchpoints after this one divided by
  the customers who move on from it (``next_customers``): what a customer who moves on
  brings later on average, i.e. the mean order value x the chance of ordering from here. A
  customer lost on a landing page is worth less than one lost at payment. This assumes the
  value column holds money earned (orders); give ``value_per_conversion`` otherwise.

Severity and rank
-----------------
Severity from the robust z: medium at 2, high at 3, critical at 5 (for low scores the z
below the norm); the absolute voice rules give high at normalised <= -0.5, critical at <=
-0.75, and a negative share of 50% medium, 75% high. Loops are low unless a low score or
negative verbatims at the same touchpoint agree (then medium): going back alone is as often
browsing as confusion; a drop-off, wait or support finding that a low score or negative
verbatims at the same touchpoint agree with is one level more severe. The rank follows
``score = conversions_lost + severity_weight x customers_affected`` (weights low 0.02,
medium 0.05, high 0.1, critical 0.2): a lost conversion counts in full; friction customers
get through costs less than losing them, so a customer who met a critical friction counts as
a fifth of a lost conversion, one who met a medium friction as a twentieth (on a draft map
of the mobile-app onboarding log, counting each looping customer in full put the 2,741
customers who came back to the welcome screen above the 772 lost there). Ties: map order.

Team pain points
----------------
``matches`` is the id of the team's pain point this finding confirms: one at the same
touchpoint (preferring one whose words fit the kind: "slow", "wait" for slow; "abandon",
"leave" for drop-off ...), else one written for the whole stage. A team pain point no
finding supports (none at its touchpoint, or for a stage-wide one none in its stage) is
*unconfirmed*: :func:`unconfirmed_pain_points`.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from journeymap._numbers import MINUS, count, duration, number, percent, signed, with_unit
from journeymap.errors import UsageError
from journeymap.measuring._arrow import arrow_fields
from journeymap.measuring.emotion import (
    CSAT_NEUTRAL,
    LOG_TIME_FLOOR,
    RATE_FLOOR,
    Measure,
    Reference,
    behaviour_measures,
    by_touchpoint,
    journey_references,
    normalise_ces,
    normalise_csat,
    normalise_rating,
    robust_reference,
)
from journeymap.measuring.friction import finishing_touchpoints
from journeymap.measuring.outcomes import OutcomeRules, outcome_touchpoints

if TYPE_CHECKING:
    import pyarrow as pa

    from journeymap.model.journey import JourneyMap, PainPoint
    from journeymap.model.touchpoint import Stage, Touchpoint

__all__ = [
    "KINDS",
    "SEVERITY_WEIGHT",
    "Z_FLAG",
    "find_pain_points",
    "unconfirmed_pain_points",
]

KINDS: tuple[str, ...] = ("drop-off", "loops", "slow", "support", "low-score", "negative-themes")
Z_FLAG = 2.0
SCORE_FLOOR = 0.1
LOW_SCORE = -0.5
NEGATIVE_SHARE = 0.5
SEVERITY_WEIGHT: Mapping[str, float] = {"low": 0.02, "medium": 0.05, "high": 0.1, "critical": 0.2}
_SEVERITIES = ("low", "medium", "high", "critical")

#: Words of a team's pain point that fit each kind of finding.
_WORDS: Mapping[str, tuple[str, ...]] = {
    "drop-off": ("abandon", "drop", "leave", "leav", "quit", "give up", "bounce", "exit"),
    "loops": ("loop", "back", "again", "repeat", "confus", "navigat", "lost", "search"),
    "slow": ("slow", "wait", "late", "delay", "long", "time"),
    "support": ("support", "contact", "call", "ticket", "help", "chat", "complain"),
    "low-score": ("unhappy", "dissatisf", "score", "rating", "disappoint", "frustrat"),
    "negative-themes": ("complain", "review", "frustrat", "angry", "disappoint", "negative"),
}


@dataclass
class _Finding:
    kind: str
    stage: Stage
    tp: Touchpoint
    order: int
    title: str
    evidence: str
    customers_affected: int
    severity: str
    conversions_lost: float | None = None
    value_lost: float | None = None
    quotes: list[str] = field(default_factory=list)
    matches: str | None = None

    @property
    def score(self) -> float:
        lost = self.conversions_lost or 0.0
        return lost + SEVERITY_WEIGHT[self.severity] * self.customers_affected


def _severity_of_z(z: float) -> str:
    return "critical" if z >= 5 else "high" if z >= 3 else "medium"


def _worse(a: str, b: str) -> str:
    return max(a, b, key=_SEVERITIES.index)


# ---- behaviour rules -----------------------------------------------------------------------


@dataclass
class _Context:
    m: JourneyMap
    refs: Mapping[str, Reference | None]
    ends: AbstractSet[str]
    min_n: int
    #: how long without an event a journey with no outcome counts as given up, in words
    quiet: str
    #: the map has back-stage touchpoints (their work counts in the customer's waits)
    back_stage: bool
    stages: Mapping[str, Mapping[str, Any]]
    acts: Mapping[str, Mapping[str, Any]]
    value_per_conversion: float | None


@dataclass(frozen=True)
class _Step:
    """One touchpoint under the behaviour rules: where it is, its behaviour row and its
    friction measures."""

    stage: Stage
    tp: Touchpoint
    order: int
    row: Mapping[str, Any]
    measures: Mapping[str, Measure]

    @property
    def customers(self) -> int:
        return int(self.row["customers"])


def _later_value(ctx: _Context, order: int) -> float | None:
    """The value recorded at the touchpoints after position ``order``, None when unknown."""
    if all(r.get("value") is None for r in ctx.acts.values()):
        return None
    later = [tp.id for _, tp in ctx.m.iter_touchpoints()][order:]
    return sum(float(ctx.acts[t].get("value") or 0.0) for t in later if t in ctx.acts)


def _value_lost(ctx: _Context, row: Mapping[str, Any], order: int, lost: float) -> float | None:
    if ctx.value_per_conversion is not None:
        return lost * ctx.value_per_conversion
    later = _later_value(ctx, order)
    nxt = int(row.get("next_customers") or 0)
    if later is None or nxt <= 0:
        return None
    return lost * later / nxt


def _flagged(ctx: _Context, step: _Step, name: str) -> tuple[float, Reference] | None:
    """The robust z of a measure and the journey's norm, when the measure is flagged."""
    ref, measure = ctx.refs.get(name), step.measures.get(name)
    if ref is None or measure is None:
        return None
    z = ref.z(measure.value)
    return (z, ref) if z >= Z_FLAG else None


def _norm(ref: Reference, z: float) -> str:
    return f"({ref.touchpoints} steps, robust z {z:.1f})"


def _drop_off(ctx: _Context, s: _Step) -> _Finding | None:
    """Customers who give up here: their journey has no outcome and has gone quiet."""
    hit = None if s.tp.id in ctx.ends else _flagged(ctx, s, "drop-off")
    if hit is None:
        return None
    z, ref = hit
    left = int(s.row.get("abandoned_customers") or 0)
    rate = left / s.customers
    waiting = int(s.row.get("in_progress_customers") or 0)
    lost = max(s.customers * (rate - ref.median), 0.0)
    evidence = (
        f"{count(left)} of {count(s.customers)} customers ({percent(rate, digits=1)}) gave up at "
        f"{s.tp.name}: no goal, no other end, and no event for {ctx.quiet} before the data "
        f"ends; the journey's median step loses {percent(ref.median, digits=1)} {_norm(ref, z)}; "
        f"{count(lost)} more customers lost than at a typical step"
    )
    if waiting:
        evidence += f" ({count(waiting)} more stopped here recently: in progress, not counted)"
    conv = ctx.stages.get(s.stage.id, {}).get("conversion_to_next")
    if conv is not None:
        evidence += f"; stage {s.stage.name} passes {percent(conv)} of its customers on"
    return _Finding(
        "drop-off", s.stage, s.tp, s.order,
        f"{percent(rate)} of customers who reach {s.tp.name} give up there "
        f"(typical step: {percent(ref.median)})",
        evidence, left, _severity_of_z(z), lost, _value_lost(ctx, s.row, s.order, lost),
    )  # fmt: skip


def _loops(ctx: _Context, s: _Step) -> _Finding | None:
    if s.tp.id in ctx.ends:  # after an outcome a journey is done: what follows is a new one
        return None
    loops = [(name, hit) for name in ("loops", "backtracking") if (hit := _flagged(ctx, s, name))]
    if not loops:
        return None
    name, (z, ref) = max(loops, key=lambda item: item[1][0])
    rate, n = s.measures[name].value, s.measures[name].count
    what = (
        f"come back to {s.tp.name} after moving on"
        if name == "loops"
        else f"go back to an earlier stage after {s.tp.name}"
    )
    return _Finding(
        "loops", s.stage, s.tp, s.order,
        f"{percent(rate)} of customers {what} (typical step: {percent(ref.median)})",
        f"{count(n)} of {count(s.customers)} customers ({percent(rate, digits=1)}) {what}; journey "
        f"median {percent(ref.median, digits=1)} {_norm(ref, z)}",
        # going back is ambiguous on its own (comparing products is browsing, not always
        # confusion): at most medium unless scores or sentiment agree
        n, "medium",
    )  # fmt: skip


def _slow(ctx: _Context, s: _Step) -> _Finding | None:
    """Customers wait long after this step before their next one (back-stage work in
    between counts: it is the customer's wait)."""
    hit = _flagged(ctx, s, "slow")
    nxt = int(s.row.get("next_customers") or 0)
    if hit is None or nxt < ctx.min_n:
        return None
    z, ref = hit
    took, typical = 10 ** s.measures["slow"].value, 10**ref.median
    p90 = s.row.get("p90_seconds_to_next")
    tail = f", 1 in 10 waits over {duration(float(p90))}" if p90 is not None else ""
    inside = "; back-stage work in between included" if ctx.back_stage else ""
    return _Finding(
        "slow", s.stage, s.tp, s.order,
        f"Customers wait {duration(took)} after {s.tp.name} before their next step; a "
        f"typical step takes {duration(typical)}",
        f"median {duration(took)} from {s.tp.name} to the customer's next step for "
        f"{count(nxt)} customers{tail}{inside}; the journey's median step {duration(typical)} "
        f"({ref.touchpoints} steps, robust z {z:.1f} on log time)",
        (nxt + 1) // 2, _severity_of_z(z),
    )  # fmt: skip


def _support(ctx: _Context, s: _Step) -> _Finding | None:
    hit = _flagged(ctx, s, "support")
    if hit is None:
        return None
    z, ref = hit
    rate, n = s.measures["support"].value, s.measures["support"].count
    return _Finding(
        "support", s.stage, s.tp, s.order,
        f"{percent(rate)} of customers contact support soon after {s.tp.name} "
        f"(typical step: {percent(ref.median)})",
        f"{count(n)} of {count(s.customers)} customers ({percent(rate, digits=1)}) contact support "
        f"soon after {s.tp.name}; journey median {percent(ref.median, digits=1)} {_norm(ref, z)}",
        n, _severity_of_z(z),
    )  # fmt: skip


_BEHAVIOUR_RULES = (_drop_off, _loops, _slow, _support)


def _behaviour(ctx: _Context, stage: Stage, tp: Touchpoint, order: int) -> list[_Finding]:
    """The behaviour rules at one touchpoint."""
    row = ctx.acts.get(tp.id)
    if row is None or int(row.get("customers") or 0) < ctx.min_n:
        return []
    if row.get("customer_step") is False:  # the business' work, not the customer's step
        return []
    step = _Step(stage, tp, order, row, behaviour_measures(row))
    return [f for rule in _BEHAVIOUR_RULES if (f := rule(ctx, step)) is not None]


def _corroborate(findings: list[_Finding]) -> None:
    """What customers do, held against what they say about the same touchpoint (a low score
    or negative verbatims there). Going back is ambiguous on its own (comparing products is
    browsing): a loops finding is low severity, medium when customers' words agree. Any
    other behaviour finding that customers' words agree with is one level more severe: the
    same problem seen twice is surer and hurts more."""
    said = {f.tp.id for f in findings if f.kind in ("low-score", "negative-themes")}
    for f in findings:
        if f.kind == "loops":
            f.severity = "medium" if f.tp.id in said else "low"
        elif f.kind in ("drop-off", "slow", "support") and f.tp.id in said:
            f.severity = _SEVERITIES[min(_SEVERITIES.index(f.severity) + 1, 3)]


# ---- voice rules ---------------------------------------------------------------------------


def _n(row: Mapping[str, Any], name: str) -> int:
    return int(row.get(f"{name}_n") or 0)


def _nps(value: float) -> str:
    return f"NPS {signed(value, digits=0)}"


def _scores(row: Mapping[str, Any], csat_neutral: float) -> dict[str, tuple[float, str, int]]:
    """Each score of a voice row: (normalised value, how a person reads it, answers)."""
    out: dict[str, tuple[float, str, int]] = {}
    if row.get("nps") is not None:
        nps = float(row["nps"])
        out["nps"] = (nps / 100, _nps(nps), _n(row, "nps"))
    if row.get("csat") is not None:
        csat = float(row["csat"])
        label = "CSAT " + with_unit(number(csat, decimals=0), "%")
        out["csat"] = (normalise_csat(csat, csat_neutral), label, _n(row, "csat"))
    for name, fn in (("ces", normalise_ces), ("rating", normalise_rating)):
        lo, hi = row.get(f"{name}_scale_low"), row.get(f"{name}_scale_high")
        if row.get(name) is None:
            continue
        lo_hi = (float(lo), float(hi)) if lo is not None and hi is not None else None
        mean = float(row[name])
        if lo_hi is None:
            lo_hi = (1.0, 7.0) if name == "ces" else (1.0, 5.0)
        if lo_hi[1] <= lo_hi[0]:
            continue
        label = f"{name.upper() if name == 'ces' else name} {mean:.1f} of {number(lo_hi[1])}"
        out[name] = (fn(mean, lo_hi), label, _n(row, name))
    return out


def _best_bound(row: Mapping[str, Any], name: str, csat_neutral: float) -> float | None:
    """The better end of a score's 95% interval, normalised like the score (None: no CI)."""
    lo, hi = row.get(f"{name}_low"), row.get(f"{name}_high")
    if lo is None or hi is None:
        return None
    ends = []
    for raw in (float(lo), float(hi)):
        one = dict(row)
        one[name] = raw
        scored = _scores(one, csat_neutral).get(name)
        if scored is not None:
            ends.append(scored[0])
    return max(ends) if ends else None


@dataclass(frozen=True)
class _Voice:
    """What the voice rules compare with: each touchpoint's scores, and the journey's norm of
    each score and of the negative share."""

    scored: Mapping[str, dict[str, tuple[float, str, int]]]
    refs: Mapping[str, Reference | None]
    share_ref: Reference | None
    min_n: int
    csat_neutral: float


def _voice_norms(says: Mapping[str, Mapping[str, Any]], min_n: int, csat_neutral: float) -> _Voice:
    scored = {tp: _scores(row, csat_neutral) for tp, row in says.items()}
    refs: dict[str, Reference | None] = {}
    for name in ("nps", "csat", "ces", "rating"):
        values = [s[name][0] for s in scored.values() if name in s and s[name][2] >= min_n]
        refs[name] = robust_reference(values, SCORE_FLOOR)
    shares = [
        float(r["negative_share"])
        for r in says.values()
        if r.get("negative_share") is not None and int(r.get("sentiment_n") or 0) >= min_n
    ]
    return _Voice(scored, refs, robust_reference(shares, RATE_FLOOR), min_n, csat_neutral)


def _score_severity(
    v: _Voice, row: Mapping[str, Any], name: str, value: float
) -> tuple[str | None, Reference | None]:
    """How bad a score is (None: not a pain point) and the journey's norm it was held to."""
    ref = v.refs[name]
    z = ref.z(value) if ref is not None else 0.0
    severity: str | None = None
    if value < 0 and z <= -Z_FLAG:
        severity = _severity_of_z(-z)
    if value <= LOW_SCORE:
        severity = _worse(severity or "low", "critical" if value <= -0.75 else "high")
    best = _best_bound(row, name, v.csat_neutral)
    # significantly below the journey: even the 95% interval's best end is worse than the
    # typical touchpoint (with few touchpoints a z-score cannot say so)
    below = ref is not None and best is not None and best < ref.median
    if severity is None and value < 0 and below:
        severity = "medium"
    return severity, ref


def _low_score(
    v: _Voice, row: Mapping[str, Any], stage: Stage, tp: Touchpoint, order: int
) -> _Finding | None:
    low: list[tuple[float, str, str, int, str]] = []  # value, name, label, n, severity
    for name, (value, label, n) in v.scored[tp.id].items():
        if n < v.min_n:
            continue
        severity, ref = _score_severity(v, row, name, value)
        if severity is not None:
            typical = ""
            if ref is not None:
                typical = f" (journey typical: {_typical(name, ref.median, v.csat_neutral)})"
            low.append((value, name, label + typical, n, severity))
    if not low:
        return None
    value, name, label, n, severity = min(low)
    evidence = "; ".join(f"{lab} from {count(k)} answers" for _, _, lab, k, _ in sorted(low))
    return _Finding(
        "low-score", stage, tp, order,
        f"Customers score {tp.name} low: {label}",
        evidence + f"; normalised {signed(value, digits=2)} on {MINUS}1..1 (0 = neutral)",
        n, severity,
    )  # fmt: skip


def _negative_themes(
    v: _Voice, row: Mapping[str, Any], stage: Stage, tp: Touchpoint, order: int
) -> _Finding | None:
    share, said = row.get("negative_share"), int(row.get("sentiment_n") or 0)
    if share is None or said < v.min_n:
        return None
    ref = v.share_ref
    z = ref.z(share) if ref is not None else 0.0
    found: str | None = _severity_of_z(z) if z >= Z_FLAG else None
    if share >= NEGATIVE_SHARE:
        found = _worse(found or "low", "high" if share >= 0.75 else "medium")
    if found is None:
        return None
    themes = list(row.get("themes") or [])
    negative = round(share * said)
    title = f"{percent(share)} of what customers write about {tp.name} is negative"
    if themes:
        title += f", most about: {themes[0]}"
    evidence = f"{count(negative)} of {count(said)} verbatims negative ({percent(share, digits=1)})"
    if ref is not None:
        evidence += (
            f"; journey median {percent(ref.median, digits=1)} ({ref.touchpoints} touchpoints, "
            f"robust z {z:.1f})"
        )
    if themes:
        evidence += "; themes: " + " | ".join(themes)
    return _Finding("negative-themes", stage, tp, order, title, evidence, negative, found)


def _voice(
    says: Mapping[str, Mapping[str, Any]], m: JourneyMap, min_n: int, csat_neutral: float
) -> list[_Finding]:
    """The voice rules at every touchpoint that has feedback."""
    v = _voice_norms(says, min_n, csat_neutral)
    out: list[_Finding] = []
    for order, (stage, tp) in enumerate(m.iter_touchpoints(), 1):
        row = says.get(tp.id)
        if row is None:
            continue
        for rule in (_low_score, _negative_themes):
            found = rule(v, row, stage, tp, order)
            if found is not None:
                out.append(found)
    return out


def _typical(name: str, value: float, csat_neutral: float) -> str:
    """A normalised median back in the score's own words (NPS, CSAT %), else normalised."""
    if name == "nps":
        return _nps(value * 100)
    if name == "csat":
        c = csat_neutral
        p = c + value * (1 - c) if value >= 0 else c + value * c
        return f"CSAT {percent(p)}"
    return f"{signed(value, digits=2)} normalised"


# ---- team pain points ----------------------------------------------------------------------


def _fits(pp: PainPoint, kind: str) -> bool:
    text = " ".join(
        t for t in (pp.name, pp.description, pp.trigger, pp.customer_reaction) if t
    ).lower()
    return any(word in text for word in _WORDS[kind])


def _match(f: _Finding, m: JourneyMap) -> str | None:
    at_tp = [pp for pp in m.pain_points if pp.touchpoint == f.tp.id]
    at_stage = [pp for pp in m.pain_points if not pp.touchpoint and m.stage_id_of(pp) == f.stage.id]
    for group in (at_tp, at_stage):
        if group:
            return next((pp.id for pp in group if _fits(pp, f.kind)), group[0].id)
    return None


def unconfirmed_pain_points(found: pa.Table, m: JourneyMap) -> list[str]:
    """Ids of the team's pain points (map order) that no finding of ``found`` supports: none
    at their touchpoint, or, for a pain point written for a whole stage, none in that stage."""
    tps = set(found.column("touchpoint").to_pylist())
    stages = set(found.column("stage").to_pylist())
    out: list[str] = []
    for pp in m.pain_points:
        if pp.touchpoint:
            confirmed = pp.touchpoint in tps
        else:
            stage = m.stage_id_of(pp)
            confirmed = stage is not None and stage in stages
        if not confirmed:
            out.append(pp.id)
    return out


# ---- the analysis --------------------------------------------------------------------------


def find_pain_points(
    behaviour: pa.Table | None,
    voice: pa.Table | None,
    stages: pa.Table | None,
    m: JourneyMap,
    *,
    value_per_conversion: float | None = None,
    min_n: int = 30,
    csat_neutral: float = CSAT_NEUTRAL,
) -> pa.Table:
    """The pain points the evidence shows, ranked (rules, impact and score in the module
    docstring). One row per finding: ``rank, id, kind, stage, touchpoint, title, evidence,
    customers_affected, conversions_lost, value_lost, severity, score, matches, quotes``.
    Schema metadata: the thresholds and where the value of a conversion comes from."""
    import pyarrow as pa

    if min_n < 1:
        raise UsageError(f"min_n must be >= 1, not {min_n}")
    if value_per_conversion is not None and not value_per_conversion >= 0:
        raise UsageError(f"value_per_conversion must be >= 0, not {value_per_conversion}")
    acts, says = by_touchpoint(behaviour), by_touchpoint(voice)
    steps = {r for r, row in acts.items() if row.get("customer_step") is not False}
    ends = (
        finishing_touchpoints(behaviour, m)
        if behaviour is not None and "abandon_rate" in behaviour.column_names
        else outcome_touchpoints(m)
    )
    ctx = _Context(
        m=m,
        refs=journey_references([acts[r] for r in acts if r in steps], ends),
        ends=ends,
        min_n=min_n,
        quiet=duration(OutcomeRules.quiet_seconds(m)),
        back_stage=len(steps) < len(acts),
        stages={str(r["stage"]): r for r in stages.to_pylist()} if stages is not None else {},
        acts=acts,
        value_per_conversion=value_per_conversion,
    )
    findings: list[_Finding] = []
    for order, (stage, tp) in enumerate(m.iter_touchpoints(), 1):
        findings += _behaviour(ctx, stage, tp, order)
    findings += _voice(says, m, min_n, csat_neutral)
    _corroborate(findings)
    for f in findings:
        f.quotes = list(says.get(f.tp.id, {}).get("quotes") or [])
        f.matches = _match(f, m)
    findings.sort(key=lambda f: (-f.score, f.order, KINDS.index(f.kind)))
    rows = [
        {
            "rank": rank,
            "id": f"{f.kind}-{f.tp.id}",
            "kind": f.kind,
            "stage": f.stage.id,
            "touchpoint": f.tp.id,
            "title": f.title,
            "evidence": f.evidence,
            "customers_affected": f.customers_affected,
            "conversions_lost": _round(f.conversions_lost),
            "value_lost": _round(f.value_lost),
            "severity": f.severity,
            "score": _round(f.score),
            "matches": f.matches,
            "quotes": f.quotes,
        }
        for rank, f in enumerate(findings, 1)
    ]
    if value_per_conversion is not None:
        source = f"given: {value_per_conversion:g} per conversion"
    elif any(r.get("value") is not None for r in acts.values()):
        source = "value recorded after the step / customers moving on from it"
    else:
        source = "unknown (no value column, no value_per_conversion)"
    meta = {
        b"z_flag": f"{Z_FLAG:g}".encode(),
        b"min_n": str(min_n).encode(),
        b"floors": f"rates {RATE_FLOOR:g}, log10 seconds {LOG_TIME_FLOOR:g}, "
        f"scores {SCORE_FLOOR:g}".encode(),
        b"value_per_conversion": source.encode(),
    }
    return pa.Table.from_pylist(rows, schema=_schema(meta))


def _round(x: float | None) -> float | None:
    """Estimates to the cent: 145.00000000000003 conversions is 145."""
    return None if x is None else round(x, 2)


def _schema(meta: dict[bytes, bytes]) -> pa.Schema:
    """One row per :class:`~journeymap.model.measurement.FoundPainPoint`."""
    import pyarrow as pa

    from journeymap.model.measurement import FoundPainPoint

    return pa.schema(arrow_fields(FoundPainPoint), metadata=meta)
