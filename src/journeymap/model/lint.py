"""Lint rules: what makes a valid map incomplete, stale or misleading.

:func:`check_map` rejects maps that are *invalid* (unknown ids, emotions off the scale).
:func:`lint` looks at valid maps and reports what a reviewer would ask about: a pain point
nobody owns, a moment of truth nobody measures, an emotion gap nobody acts on, a review date
that has passed. Every finding has a stable ``code`` (``LINT_RULES`` lists them), a severity
and the location of the offending object as a path of keys and list positions, the same path
the file format uses to find its line and column.

Severities, and why:

``error``
    The map states something that cannot be true, so readers would be misled: a date in the
    future where only the past makes sense (``future-date``), a retention or churn value that
    contradicts its own inputs (``kpi-inputs-mismatch``). A map with errors should not be
    published.
``warning``
    The map is incomplete or out of date in a way that weakens it as a living, evidence-backed
    document: no owner, no evidence, no KPI, no action, no target, no review date, an overdue
    review, stale evidence. Fine in a draft; worth fixing before a review.
``info``
    Suggestions that cost little: pin derived ids (``journeymap fmt``), name the departments
    involved, link an action to the KPI it should move.

Action items that were dropped (``status: dropped``) are history, not plans: the action rules
skip them, and they do not count as addressing an emotion gap.

Lint is pure: the only inputs besides the map are ``today`` (default: the local date) and
the map's latest measurement, when there is one.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from journeymap._numbers import figure
from journeymap.model.base import Identified
from journeymap.model.checks import Loc
from journeymap.model.emotion import format_level
from journeymap.model.journey import JourneyMap, Opportunity
from journeymap.model.kpi import KPI
from journeymap.model.measurement import Measurement
from journeymap.model.touchpoint import CHANNEL_ALIASES, CHANNELS, Touchpoint

__all__ = [
    "LINT_RULES",
    "LINT_SEVERITIES",
    "STALE_AFTER_DAYS",
    "LintFinding",
    "LintSeverity",
    "lint",
]

LintSeverity = Literal["error", "warning", "info"]

#: Evidence gathered longer ago than this is reported as stale.
STALE_AFTER_DAYS = 365
#: A measurement whose newest data is older than this is stale (map: measurement.stale_after_days).
MEASUREMENT_STALE_DAYS = 90
#: A KPI that moved by more than this % since the last measurement calls for a review
#: (map: measurement.drift_threshold).
DRIFT_THRESHOLD = 10.0

#: How far a retention or churn value may be from what its inputs give (percentage points),
#: so that values rounded to whole percents pass.
KPI_TOLERANCE = 0.5


@dataclass(frozen=True)
class LintFinding:
    """One thing a reviewer would ask about, located in the map file."""

    code: str
    severity: LintSeverity
    message: str
    loc: Loc

    def __str__(self) -> str:
        return f"{self.severity}: {self.message} [{self.code}]"


@dataclass(frozen=True)
class _Ctx:
    m: JourneyMap
    today: dt.date
    measurement: Measurement | None = None

    def touchpoints(self) -> Iterator[tuple[Loc, Touchpoint]]:
        for i, stage in enumerate(self.m.stages):
            for j, tp in enumerate(stage.touchpoints):
                yield ("stages", i, "touchpoints", j), tp

    def open_actions(self) -> Iterator[tuple[Loc, Opportunity]]:
        for i, o in enumerate(self.m.opportunities):
            if o.status != "dropped":
                yield ("opportunities", i), o


_Check = Callable[[_Ctx], Iterator[tuple[Loc, str]]]


@dataclass(frozen=True)
class _Rule:
    code: str
    severity: LintSeverity
    summary: str
    check: _Check


_RULES: list[_Rule] = []


def _rule(code: str, severity: LintSeverity) -> Callable[[_Check], _Check]:
    """Register a rule; the first line of its docstring is its summary in ``LINT_RULES``."""

    def register(fn: _Check) -> _Check:
        summary = (fn.__doc__ or code).strip().splitlines()[0]
        _RULES.append(_Rule(code, severity, summary, fn))
        return fn

    return register


# ---- errors: the map says something that cannot be true -------------------------------------


@_rule("future-date", "error")
def _future_date(c: _Ctx) -> Iterator[tuple[Loc, str]]:
    """A date in the future where only the past makes sense (evidence, last review, update)."""
    m, today = c.m, c.today
    if m.updated is not None and m.updated > today:
        yield ("updated",), f"the map was updated on {m.updated}, which is after today ({today})"
    if m.review is not None and m.review.last is not None and m.review.last > today:
        yield (
            ("review", "last"),
            f"the last review is dated {m.review.last}, which is after today ({today}); "
            "expected the date of a review that took place (the next one goes in 'due')",
        )
    for i, ins in enumerate(m.insights):
        if ins.date is not None and ins.date > today:
            yield (
                ("insights", i, "date"),
                f"insight {ins.name!r} is dated {ins.date}, after today ({today}); "
                "expected the date the evidence was gathered",
            )
    for loc, tp in c.touchpoints():
        act = tp.actual_emotion
        if act is not None and act.as_of is not None and act.as_of > today:
            yield (
                (*loc, "actual_emotion", "as_of"),
                f"the actual emotion of {tp.name!r} is observed 'as of' {act.as_of}, "
                f"after today ({today})",
            )


def _expected_kpi_value(kpi: KPI) -> tuple[float, str] | None:
    """What a retention or churn KPI's inputs give, and the formula in words."""
    inp = kpi.inputs
    start = inp.get("customers_at_start")
    if not start:
        return None
    end = inp.get("customers_at_end")
    new = inp.get("new_customers", 0.0)
    lost = inp.get("lost_customers")
    if kpi.kind == "retention" and end is not None:
        return (end - new) / start * 100, "(end − new) ÷ start × 100"
    if kpi.kind == "churn":
        if lost is None and end is not None:
            lost = start - (end - new)
        if lost is not None:
            return lost / start * 100, "lost ÷ start × 100"
    return None


@_rule("kpi-inputs-mismatch", "error")
def _kpi_inputs_mismatch(c: _Ctx) -> Iterator[tuple[Loc, str]]:
    """A retention or churn value that disagrees with its own inputs.

    Inputs are read by these names: ``customers_at_start``, ``customers_at_end``,
    ``new_customers`` (0 when absent) and ``lost_customers``. Retention =
    (end − new) ÷ start × 100; churn = lost ÷ start × 100, with lost = start − (end − new)
    when only those are given. Values within ``KPI_TOLERANCE`` points pass.
    """
    for i, kpi in enumerate(c.m.kpis):
        if kpi.value is None:
            continue
        expected = _expected_kpi_value(kpi)
        if expected is None:
            continue
        value, formula = expected
        if abs(value - kpi.value) > KPI_TOLERANCE:
            yield (
                ("kpis", i, "value"),
                f"KPI {kpi.name!r} has value {figure(kpi.value)} but its inputs give "
                f"{figure(value)} by {kpi.kind} = {formula}; expected the value to match its "
                "inputs",
            )


# ---- warnings: incomplete or out of date -----------------------------------------------------


@_rule("pain-point-no-owner", "warning")
def _pain_point_no_owner(c: _Ctx) -> Iterator[tuple[Loc, str]]:
    """A pain point without an owner: nobody is responsible for fixing it."""
    for i, p in enumerate(c.m.pain_points):
        if not p.owner:
            hint = f" (departments involved: {', '.join(p.departments)})" if p.departments else ""
            yield (
                ("pain_points", i),
                f"pain point {p.name!r} has no owner{hint}; expected 'owner': who is "
                "responsible for fixing it",
            )


@_rule("pain-point-no-evidence", "warning")
def _pain_point_no_evidence(c: _Ctx) -> Iterator[tuple[Loc, str]]:
    """A pain point without a source of insight or evidence: where do we know it from?"""
    for i, p in enumerate(c.m.pain_points):
        if not p.source and not p.evidence:
            yield (
                ("pain_points", i),
                f"pain point {p.name!r} has no source of insight; expected 'source' "
                "(e.g. User Interviews) or 'evidence' (ids of insights)",
            )


@_rule("moment-of-truth-no-kpi", "warning")
def _moment_of_truth_no_kpi(c: _Ctx) -> Iterator[tuple[Loc, str]]:
    """A moment of truth that no KPI measures (no KPI names that touchpoint)."""
    measured = {k.touchpoint for k in c.m.kpis if k.touchpoint}
    for loc, tp in c.touchpoints():
        if tp.moment_of_truth and tp.id not in measured:
            yield (
                (*loc, "moment_of_truth"),
                f"moment of truth {tp.name!r} has no KPI; expected a KPI with "
                f"'touchpoint: {tp.id}' so that the team sees when it gets worse",
            )


@_rule("gap-without-action", "warning")
def _gap_without_action(c: _Ctx) -> Iterator[tuple[Loc, str]]:
    """A negative emotion gap (actual below expected) that no action item addresses.

    An action addresses a touchpoint when it is placed on it, or when it addresses a pain
    point placed on it; it addresses a stage's overall gap (``emotion`` below
    ``expected_emotion``) when it is placed anywhere in that stage. Dropped actions do not
    count.
    """
    m = c.m
    pain_tp = {p.id: p.touchpoint for p in m.pain_points}
    acted: set[str] = set()
    acted_stages: set[str | None] = set()
    for _, o in c.open_actions():
        if o.touchpoint:
            acted.add(o.touchpoint)
        acted.update(t for pid in o.addresses if (t := pain_tp.get(pid)))
        acted_stages.add(m.stage_id_of(o))
    for i, stage in enumerate(m.stages):
        if stage.expected_emotion is None or stage.emotion is None:
            continue
        exp_v, act_v = m.emotion_value(stage.expected_emotion), m.emotion_value(stage.emotion)
        if exp_v is None or act_v is None or act_v >= exp_v or stage.id in acted_stages:
            continue
        yield (
            ("stages", i, "emotion"),
            f"stage {stage.name!r} feels {m.scale.label(stage.emotion)} where "
            f"{m.scale.label(stage.expected_emotion)} was expected (gap "
            f"{format_level(act_v - exp_v)}) and no action item is placed in it; expected an "
            f"opportunity with 'stage: {stage.id}'",
        )
    for loc, tp in c.touchpoints():
        gap = m.gap(tp)
        if gap is None or gap >= 0 or tp.id in acted:
            continue
        exp, act = tp.expected_emotion, tp.actual_emotion
        if exp is None or act is None:  # pragma: no cover - a gap needs both
            continue
        yield (
            (*loc, "actual_emotion"),
            f"touchpoint {tp.name!r} feels {m.scale.label(act.emotion)} where "
            f"{m.scale.label(exp)} was expected (gap {format_level(gap)}) and no action item "
            f"addresses it; expected an opportunity with 'touchpoint: {tp.id}' or one that "
            "addresses a pain point there",
        )


@_rule("emotion-no-evidence", "warning")
def _emotion_no_evidence(c: _Ctx) -> Iterator[tuple[Loc, str]]:
    """An actual emotion with no source or evidence: a guess presented as a finding."""
    for loc, tp in c.touchpoints():
        act = tp.actual_emotion
        if act is None or act.source or act.evidence or tp.evidence:
            continue
        yield (
            (*loc, "actual_emotion"),
            f"the actual emotion of {tp.name!r} has no source; expected 'source' or "
            "'evidence' under actual_emotion (or evidence on the touchpoint)",
        )


@_rule("measured-without-sample", "warning")
def _measured_without_sample(c: _Ctx) -> Iterator[tuple[Loc, str]]:
    """A measured actual emotion that does not say how many customers it rests on."""
    for loc, tp in c.touchpoints():
        act = tp.actual_emotion
        if act is not None and act.method == "measured" and act.n is None:
            yield (
                (*loc, "actual_emotion"),
                f"the actual emotion of {tp.name!r} is measured but has no sample size; "
                "expected 'n' (customers or responses behind it)",
            )


@_rule("no-outcomes", "warning")
def _no_outcomes(c: _Ctx) -> Iterator[tuple[Loc, str]]:
    """A map with event rules that does not say how a journey ends (no outcomes).

    The last stage is then taken as the goal, and every other end can count as giving up."""
    if c.m.outcomes is None and any(tp.events is not None for _, tp in c.touchpoints()):
        goal = ", ".join(c.m.goal_touchpoints()) or "none"
        yield (
            (),
            "the map does not say how a journey ends; expected 'outcomes' with the goal's "
            "touchpoints, other ends that are not abandonment (declined, cancelled) and "
            f"'abandoned_after' (today the goal is taken to be: {goal})",
        )


@_rule("empty-stage", "warning")
def _empty_stage(c: _Ctx) -> Iterator[tuple[Loc, str]]:
    """A stage without touchpoints."""
    for i, stage in enumerate(c.m.stages):
        if not stage.touchpoints:
            yield (
                ("stages", i),
                f"stage {stage.name!r} has no touchpoints; expected at least one place "
                "where the customer meets the business in this stage",
            )


@_rule("action-no-outcome", "warning")
def _action_no_outcome(c: _Ctx) -> Iterator[tuple[Loc, str]]:
    """An action item without an expected outcome: nobody can tell whether it worked."""
    for loc, o in c.open_actions():
        if not o.expected_outcome:
            yield (
                loc,
                f"action {o.name!r} has no expected outcome; expected 'expected_outcome' "
                "(e.g. 'Increased conversion rates.')",
            )


@_rule("action-no-owner", "warning")
def _action_no_owner(c: _Ctx) -> Iterator[tuple[Loc, str]]:
    """An action item without an owner."""
    for loc, o in c.open_actions():
        if not o.owner:
            hint = f" (department: {o.department})" if o.department else ""
            yield (
                loc,
                f"action {o.name!r} has no owner{hint}; expected 'owner': who drives it",
            )


@_rule("action-target-no-kpi", "warning")
def _action_target_no_kpi(c: _Ctx) -> Iterator[tuple[Loc, str]]:
    """An action item with a KPI target but no KPI: a target for what?"""
    for loc, o in c.open_actions():
        if o.kpi_target is not None and not o.kpi:
            yield (
                (*loc, "kpi_target"),
                f"action {o.name!r} has a KPI target ({figure(o.kpi_target)}) but no KPI; "
                "expected 'kpi': the id of the KPI it should move",
            )


@_rule("kpi-no-target", "warning")
def _kpi_no_target(c: _Ctx) -> Iterator[tuple[Loc, str]]:
    """A KPI without a target: nobody can tell whether it is good or bad."""
    for i, kpi in enumerate(c.m.kpis):
        if kpi.target is None:
            yield (
                ("kpis", i),
                f"KPI {kpi.name!r} has no target; expected 'target': the value the team aims for",
            )


@_rule("review-overdue", "warning")
def _review_overdue(c: _Ctx) -> Iterator[tuple[Loc, str]]:
    """The review date has passed: the map may no longer reflect reality."""
    review = c.m.review
    if review is not None and review.due is not None and review.due < c.today:
        days = (c.today - review.due).days
        yield (
            ("review", "due"),
            f"the review was due on {review.due} ({days} day{'s' * (days != 1)} ago); "
            "expected the map to be reviewed and 'due' moved to the next review",
        )


@_rule("no-review-date", "warning")
def _no_review_date(c: _Ctx) -> Iterator[tuple[Loc, str]]:
    """No next review date: a living document needs one."""
    review = c.m.review
    if review is None:
        yield (), "the map has no review date; expected 'review: {due: YYYY-MM-DD}'"
    elif review.due is None:
        cadence = f" (cadence: {review.every})" if review.every else ""
        yield ("review",), f"the review has no due date{cadence}; expected 'due: YYYY-MM-DD'"


@_rule("stale-evidence", "warning")
def _stale_evidence(c: _Ctx) -> Iterator[tuple[Loc, str]]:
    """Evidence gathered more than a year (365 days, ``STALE_AFTER_DAYS``) ago."""
    for i, ins in enumerate(c.m.insights):
        if ins.date is not None and (c.today - ins.date).days > STALE_AFTER_DAYS:
            yield (
                ("insights", i, "date"),
                f"insight {ins.name!r} dates from {ins.date}, more than {STALE_AFTER_DAYS} "
                "days ago; expected fresh evidence (repeat the research or replace it)",
            )


@_rule("stale-measurement", "warning")
def _stale_measurement(c: _Ctx) -> Iterator[tuple[Loc, str]]:
    """The latest measurement rests on data older than 90 days (measurement.stale_after_days)."""
    ms = c.measurement
    if ms is None:
        return
    limit = (c.m.measurement.stale_after_days if c.m.measurement else None) or (
        MEASUREMENT_STALE_DAYS
    )
    lasts = [s.last.date() for s in ms.sources if s.last is not None]
    newest = max(lasts) if lasts else ms.measured_at.date()
    days = (c.today - newest).days
    if days > limit:
        yield (
            ("measurement",) if c.m.measurement else (),
            f"the latest measurement ({ms.measured_at:%Y-%m-%d}) rests on data up to {newest}, "
            f"{days} days ago (more than {limit}); expected a fresh `journeymap measure`",
        )


@_rule("kpi-drift", "warning")
def _kpi_drift(c: _Ctx) -> Iterator[tuple[Loc, str]]:
    """A KPI moved by more than 10% since the previous measurement (a review trigger)."""
    ms = c.measurement
    if ms is None or ms.drift is None:
        return
    limit = (c.m.measurement.drift_threshold if c.m.measurement else None) or DRIFT_THRESHOLD
    before = {k.key: k for k in ms.kpis}
    moved = []
    for key, change in ms.drift.kpis.items():
        k = before.get(key)
        if k is None or k.value is None or k.value == change:
            continue
        previous = k.value - change
        if previous and abs(change) / abs(previous) * 100 > limit:
            moved.append((abs(change) / abs(previous) * 100, k.label, previous, k.value))
    if moved:
        moved.sort(reverse=True)
        shown = "; ".join(f"{label} {figure(a)} -> {figure(b)}" for _, label, a, b in moved[:3])
        yield (
            ("review",) if c.m.review else (),
            f"{len(moved)} KPI(s) moved by more than {figure(limit, '%')} since the measurement of "
            f"{ms.drift.previous_at:%Y-%m-%d}: {shown}; expected a review of the map"
            if ms.drift.previous_at
            else f"{len(moved)} KPI(s) moved by more than {figure(limit, '%')}: {shown}",
        )


@_rule("channel-near-miss", "warning")
def _channel_near_miss(c: _Ctx) -> Iterator[tuple[Loc, str]]:
    """A channel that is not a known one but close to one ('emial'): a typo loses its icon."""
    for loc, tp in c.touchpoints():
        if tp.channel is None or tp.channel in CHANNELS or tp.channel in CHANNEL_ALIASES:
            continue
        close = difflib.get_close_matches(tp.channel, CHANNELS, n=1, cutoff=0.75)
        if close:
            yield (
                (*loc, "channel"),
                f"touchpoint {tp.name!r} has channel {tp.channel!r}, close to the known "
                f"channel {close[0]!r}; a typo is drawn with the neutral icon (any other name "
                "is fine)",
            )


# ---- info: cheap improvements ---------------------------------------------------------------


@_rule("pain-point-no-department", "info")
def _pain_point_no_department(c: _Ctx) -> Iterator[tuple[Loc, str]]:
    """A pain point that does not say which departments are involved."""
    for i, p in enumerate(c.m.pain_points):
        if not p.departments:
            yield (
                ("pain_points", i),
                f"pain point {p.name!r} names no departments; expected 'departments': "
                "who is involved where it occurs",
            )


@_rule("action-no-kpi", "info")
def _action_no_kpi(c: _Ctx) -> Iterator[tuple[Loc, str]]:
    """An action item not linked to a KPI: its before/after effect cannot be measured."""
    for loc, o in c.open_actions():
        if not o.kpi:
            yield (
                loc,
                f"action {o.name!r} is not linked to a KPI; expected 'kpi' to measure its "
                "effect before and after",
            )


def _identified(m: JourneyMap) -> Iterator[tuple[Loc, Identified]]:
    yield (), m
    if m.persona is not None:
        yield ("persona",), m.persona
    for i, stage in enumerate(m.stages):
        yield ("stages", i), stage
        for j, tp in enumerate(stage.touchpoints):
            yield ("stages", i, "touchpoints", j), tp
    for key, items in (
        ("pain_points", m.pain_points),
        ("opportunities", m.opportunities),
        ("kpis", m.kpis),
        ("insights", m.insights),
    ):
        for i, item in enumerate(items):
            yield (key, i), item


@_rule("derived-id", "info")
def _derived_id(c: _Ctx) -> Iterator[tuple[Loc, str]]:
    """An id derived from the name: renaming the object would change it (pin it with fmt)."""
    for loc, obj in _identified(c.m):
        if obj.id_is_derived:
            yield (
                loc,
                f"the id {obj.id!r} of {obj.name!r} is derived from its name, so renaming it "
                "would break links and diffs; pin it with `journeymap fmt`",
            )


#: Every lint code and what it reports, in the order rules run.
LINT_RULES: dict[str, str] = {r.code: r.summary for r in _RULES}
#: Every lint code and its severity.
LINT_SEVERITIES: dict[str, LintSeverity] = {r.code: r.severity for r in _RULES}

_TOP_ORDER = {name: i for i, name in enumerate(["id", "title", *JourneyMap.model_fields])}


def _sort_key(f: LintFinding) -> tuple[Any, ...]:
    return tuple(
        (0, p, "") if isinstance(p, int) else (1, _TOP_ORDER.get(p, 999), p) for p in f.loc
    )


def lint(
    m: JourneyMap, *, today: dt.date | None = None, measurement: Measurement | None = None
) -> list[LintFinding]:
    """Every lint finding of a valid map, in file order (map-level first).

    ``today`` decides what is overdue, stale or in the future; it defaults to the local date.
    ``measurement`` is the map's latest measurement (``journeymap lint`` reads it from
    ``MAP.measurements/``): its age and KPI drift are review triggers.
    """
    ctx = _Ctx(m, today or dt.date.today(), measurement)
    found = [
        LintFinding(rule.code, rule.severity, message, loc)
        for rule in _RULES
        for loc, message in rule.check(ctx)
    ]
    return sorted(found, key=_sort_key)
