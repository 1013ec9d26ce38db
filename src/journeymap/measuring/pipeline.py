"""measure(map, evidence): the map a team drew, held against what customers did and said.

One call runs, in order:

1. **behaviour** per touchpoint and stage from the event log (``measuring/behaviour.py``:
   reach, repeats, loops, back-tracking, drop-off, time to the next step, support contacts).
   A log with lifecycle transitions is measured as steps: a ``start`` and its ``complete``
   are one step (:func:`journeymap.events.lifecycle.steps`), never a loop;
2. **voice** per touchpoint from each feedback file (``measuring/feedback.py``: NPS, CSAT, CES,
   ratings with intervals, sentiment, negative themes and quotes). A feedback file with a
   ``survey`` column holding ``nps``/``csat``/``ces`` is split by it, each part scored on its
   own scale; several files are combined per touchpoint (the first file that has a figure
   gives it; response counts add up);
3. the **measured emotion** of every touchpoint from what customers said or scored alone
   (``measuring/emotion.py``), with its interval over the respondents, evidence level and gap
   to the expected emotion (none where customers said nothing), and beside it the touchpoint's
   **friction**: its behaviour against the journey's typical step (``measuring/friction.py``),
   never an emotion;
4. **pain points** found and ranked (``measuring/painpoints.py``), matched with the team's;
5. **KPIs**: conversion per stage and overall, retention and churn of the last complete
   month, NPS, CSAT and CES overall — each linked to the map's KPI of the same kind (and
   stage) when there is one;
6. **action items**: what each opportunity is worth from the pain points it addresses;
7. **drift** against the previous measurement, when one is given;
8. with ``by``, the stages and outcomes of each **segment** of the log (the events whose
   column ``by`` holds one value, :func:`journeymap.events.subset.segments`).

The result is a :class:`~journeymap.model.measurement.Measurement`; :func:`save_measurement`
writes it as JSON (schema: ``docs/measurement.schema.json``) and :func:`previous_measurement`
finds the last one saved beside a map.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journeymap._numbers import count
from journeymap.errors import EvidenceError, UsageError
from journeymap.model.measurement import (
    ActionEstimate,
    Drift,
    FlowMeasure,
    FoundPainPoint,
    Measurement,
    OutcomeMeasure,
    SegmentMeasure,
    SourceInfo,
    StageMeasure,
    TouchpointMeasure,
)

if TYPE_CHECKING:
    import pyarrow as pa

    from journeymap.events.read import EventLog
    from journeymap.measuring.behaviour import Matched
    from journeymap.measuring.kpis import KPIEvidence
    from journeymap.model import JourneyMap
    from journeymap.voice.read import Feedback

__all__ = [
    "as_steps",
    "columns_to_keep",
    "latest_measurement",
    "load_measurement",
    "measure",
    "measurement_schema",
    "measurements_dir",
    "previous_measurement",
    "save_measurement",
]

_SURVEYS = ("nps", "csat", "ces")
_VOICE_SUMS = ("n", "nps_n", "csat_n", "ces_n", "rating_n", "sentiment_n")

METHOD = (
    "Behaviour from the event log, matched to touchpoints by their `events:` rules; only "
    "front-stage touchpoints are customer steps, and back-stage work counts in the customer's "
    "wait. Journeys end in the map's outcomes (goal, other ends), are abandoned after a time "
    "without events, or are still in progress at the end of the data. Friction per "
    "touchpoint: abandon rate, going back, wait to the next step, support contacts, each a "
    "robust z against the journey's other customer steps. Emotion only from what customers "
    "said or scored, matched by `feedback:` rules (NPS, CSAT, CES, ratings, VADER sentiment), "
    "normalised to [-1, 1] against fixed neutral points, combined with documented weights "
    "and scaled to the map's emotion scale, with a 95% bootstrap interval over respondents; "
    "touchpoints with little evidence are marked thin, and those without voice have no "
    "emotion. KPIs are computed as the map defines them. Pain points are touchpoints well "
    "outside the journey's norm, ranked by conversions lost and customers affected. See "
    "docs/measure.md."
)


# ---- evidence ------------------------------------------------------------------------------


def columns_to_keep(m: JourneyMap) -> list[str]:
    """The event-log columns the map's ``where:`` conditions read, beyond the log's roles:
    pass them to ``read_events(..., keep=...)``."""
    roles = {"customer", "event", "ts", "ts_sub", "seq", "session", "channel", "value"}
    wanted = {
        col
        for _, tp in m.iter_touchpoints()
        if tp.events is not None
        for col in tp.events.where
        if col not in roles
    }
    return sorted(wanted)


def _split_surveys(fb: Feedback) -> list[Feedback]:
    """A file with a ``survey`` column of nps/csat/ces values, one Feedback per survey."""
    import pyarrow.compute as pc

    from journeymap.voice.read import read_feedback

    col = next((c for c in fb.table.column_names if c.lower() == "survey"), None)
    if col is None:
        return [fb]
    kinds = [str(v).lower() for v in pc.unique(fb.table.column(col)).to_pylist() if v]
    if not kinds or any(k not in _SURVEYS for k in kinds):
        return [fb]
    parts = []
    for kind in sorted(kinds):
        mask = pc.equal(pc.utf8_lower(fb.table.column(col)), kind)
        sub = fb.table.filter(mask).drop_columns(["__jm_row"])
        r = fb.roles
        parts.append(
            read_feedback(
                sub, score=r.score, scale=kind, text=r.text, date=r.date, customer=r.customer,  # type: ignore[arg-type]
                touchpoint=r.touchpoint, stage=r.stage, segment=r.segment, outcome=r.outcome,
                ratings=list(r.ratings) or None, name=f"{fb.source} (survey={kind})",
            )
        )  # fmt: skip
    return parts


def _combine_voice(tables: list[pa.Table]) -> pa.Table | None:
    """Voice tables of several files, one row per touchpoint: counts add up, every other
    figure comes from the first file that has it."""
    import pyarrow as pa

    if not tables:
        return None
    if len(tables) == 1:
        return tables[0]
    rows = [t.to_pylist() for t in tables]
    out = []
    for per_file in zip(*rows, strict=True):
        merged = dict(per_file[0])
        for other in per_file[1:]:
            for key, value in other.items():
                if key in _VOICE_SUMS:
                    merged[key] = (merged.get(key) or 0) + (value or 0)
                elif merged.get(key) in (None, []) and value not in (None, []):
                    merged[key] = value
        out.append(merged)
    unmatched = sum(int((t.schema.metadata or {}).get(b"unmatched", b"0")) for t in tables)
    schema = tables[0].schema.with_metadata({b"unmatched": str(unmatched).encode()})
    return pa.Table.from_pylist(out, schema=schema)


def _no_behaviour(m: JourneyMap) -> pa.Table:
    """The behaviour table of a map measured without an event log: no figures."""
    import pyarrow as pa

    from journeymap.measuring.behaviour import BEHAVIOUR_SCHEMA

    rows = [
        {"stage": s.id, "touchpoint": tp.id, "order": i}
        for i, (s, tp) in enumerate(m.iter_touchpoints(), 1)
    ]
    return pa.Table.from_pylist(rows, schema=BEHAVIOUR_SCHEMA)


# ---- the measurement -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Settings:
    """How to measure: what the caller gives wins, then the map's ``measurement:``
    settings, then the defaults."""

    weights: Mapping[str, float] | None
    min_n: int
    support: Sequence[str] | None
    support_window: str
    value_per_conversion: float | None

    @classmethod
    def of(
        cls,
        m: JourneyMap,
        weights: Mapping[str, float] | None,
        min_n: int | None,
        support: Sequence[str] | None,
        support_window: str | None,
        value_per_conversion: float | None,
    ) -> _Settings:
        s = m.measurement
        if s is not None:
            weights = weights if weights is not None else (s.weights or None)
            min_n = min_n if min_n is not None else s.min_n
            support = support if support is not None else (s.support or None)
            support_window = support_window or s.support_window
            if value_per_conversion is None:
                value_per_conversion = s.value_per_conversion
        return cls(
            weights=weights,
            min_n=30 if min_n is None else min_n,
            support=support,
            support_window=support_window or "2d",
            value_per_conversion=value_per_conversion,
        )


@dataclass
class _Evidence:
    """The per-touchpoint tables of behaviour and voice, and where they come from."""

    behaviour: pa.Table
    matched: Matched | None = None
    stages: pa.Table | None = None
    flows: list[FlowMeasure] = field(default_factory=list)
    voice: pa.Table | None = None
    feedback: list[Feedback] = field(default_factory=list)
    sources: list[SourceInfo] = field(default_factory=list)


def _evidence(
    m: JourneyMap, events: EventLog | None, feedback: Sequence[Feedback], s: _Settings
) -> _Evidence:
    """Behaviour from the event log (none without one), voice from the feedback files
    (split by survey, then combined per touchpoint)."""
    from journeymap.measuring.behaviour import (
        match_events,
        stage_behaviour,
        touchpoint_behaviour,
        touchpoint_flows,
    )
    from journeymap.measuring.feedback import touchpoint_feedback

    if events is None:
        found = _Evidence(_no_behaviour(m))
    else:
        notes = [*events.subset.lines()] if events.subset is not None else []
        events, paired = as_steps(events)
        notes += paired
        matched = match_events(events, m)
        found = _Evidence(
            touchpoint_behaviour(matched, m, support=s.support, support_window=s.support_window),
            matched,
            stage_behaviour(matched, m),
            [FlowMeasure.model_validate(r) for r in touchpoint_flows(matched, m).to_pylist()],
            sources=[_events_source(events, matched, notes)],
        )
    found.feedback = [p for fb in feedback for p in _split_surveys(fb)]
    voices = [touchpoint_feedback(p, m) for p in found.feedback]
    found.voice = _combine_voice(voices)
    for fb, v in zip(found.feedback, voices, strict=True):
        unmatched = int((v.schema.metadata or {}).get(b"unmatched", b"0"))
        found.sources.append(_feedback_source(fb, unmatched))
    return found


def measure(
    m: JourneyMap,
    *,
    events: EventLog | None = None,
    feedback: Sequence[Feedback] = (),
    previous: Measurement | None = None,
    weights: Mapping[str, float] | None = None,
    min_n: int | None = None,
    support: Sequence[str] | None = None,
    support_window: str | None = None,
    value_per_conversion: float | None = None,
    now: dt.datetime | None = None,
    by: str | None = None,
) -> Measurement:
    """Hold the map against its evidence; see the module docstring for what is computed.
    ``by``: a column of the event log (carried with ``read_events(..., keep=[by])`` unless
    it plays a role): the stages and outcomes of each of its values too."""
    from journeymap.measuring.emotion import measure_emotions
    from journeymap.measuring.friction import not_judged
    from journeymap.measuring.kpis import measure_kpis
    from journeymap.measuring.painpoints import find_pain_points, unconfirmed_pain_points

    s = _Settings.of(m, weights, min_n, support, support_window, value_per_conversion)
    if events is None and not feedback:
        raise UsageError("nothing to measure with: give an event log, feedback, or both")
    if not list(m.iter_touchpoints()):
        raise UsageError(f"{m.name!r} has no touchpoints to measure")
    if by is not None and events is None:
        raise UsageError("--by cuts the event log into segments: give an event log (--events)")
    e = _evidence(m, events, feedback, s)
    emotions = measure_emotions(e.behaviour, e.voice, m, weights=s.weights, min_n=s.min_n)
    found = find_pain_points(
        e.behaviour, e.voice, e.stages, m, value_per_conversion=s.value_per_conversion
    )
    result = Measurement(
        map_id=m.id,
        map_title=m.name,
        map_version=m.version,
        measured_at=(now or dt.datetime.now(dt.UTC)).replace(microsecond=0),
        method=METHOD,
        sources=e.sources,
        touchpoints=_touchpoints(m, e.behaviour, e.voice, emotions),
        stages=_stages(m, e.stages),
        flows=e.flows,
        pain_points=[FoundPainPoint.model_validate(r) for r in found.to_pylist()],
        unconfirmed_pain_points=list(unconfirmed_pain_points(found, m)),
        outcomes=_outcomes(m, e.matched),
        kpis=measure_kpis(m, _kpi_evidence(m, events, e)),
        coverage=_coverage(emotions),
        caveats=not_judged(emotions.schema.metadata),
        segments=_segments(m, events, by) if events is not None and by is not None else [],
    )
    result.actions = _actions(m, result, events)
    if previous is not None:
        _compare(previous, result)
    return result


def _kpi_evidence(m: JourneyMap, events: EventLog | None, e: _Evidence) -> KPIEvidence:
    from journeymap.measuring.behaviour import journeys_of
    from journeymap.measuring.kpis import KPIEvidence

    return KPIEvidence(
        log=events,
        matched=e.matched,
        journeys=None if e.matched is None else journeys_of(e.matched, m),
        stages=e.stages,
        voice=e.voice,
        feedback=e.feedback,
    )


def _segments(m: JourneyMap, log: EventLog, by: str) -> list[SegmentMeasure]:
    """The stages and outcomes of each segment of ``log`` by the column ``by``."""
    from journeymap.events.subset import segments
    from journeymap.measuring.behaviour import match_events, stage_behaviour

    out = []
    for seg in segments(log, by):
        steps, _ = as_steps(seg.log)
        matched = match_events(steps, m)
        out.append(
            SegmentMeasure(
                column=by,
                value=seg.value,
                customers=matched.matched_customers,
                stages=_stages(m, stage_behaviour(matched, m)),
                outcomes=_outcomes(m, matched),
            )
        )
    return out


def _outcomes(m: JourneyMap, matched: Matched | None) -> list[OutcomeMeasure]:
    """How the journeys end, every way the map knows with its count (zero included)."""
    if matched is None:
        return []
    from journeymap.measuring.behaviour import _rules_for, journeys_of
    from journeymap.measuring.outcomes import OutcomeRules, outcome_counts

    names = OutcomeRules.of(m, _rules_for(matched, m)).names()
    got = {
        str(r["outcome"]): int(r["customers"])
        for r in outcome_counts(matched.engine, journeys_of(matched, m)).to_pylist()
    }
    total = sum(got.values())
    return [
        OutcomeMeasure(
            key=key,
            name=name,
            customers=got.get(key, 0),
            share=got.get(key, 0) / total if total else None,
        )
        for key, name in names.items()
    ]


def _compare(previous: Measurement, result: Measurement) -> None:
    """Drift since ``previous``, and each KPI's earlier value and change."""
    result.drift = drift(previous, result)
    for k in result.kpis:
        before = next((p for p in previous.kpis if p.key == k.key), None)
        if before is not None and before.value is not None and k.value is not None:
            k.previous, k.change = before.value, k.value - before.value


def as_steps(log: EventLog) -> tuple[EventLog, list[str]]:
    """The log as steps when it has lifecycle transitions (a ``start`` and its ``complete``
    one step: :func:`journeymap.events.lifecycle.steps`), with what was done, in words; the
    log itself otherwise."""
    if not log.has_lifecycle:
        return log, []
    from journeymap.events.lifecycle import steps

    made = steps(log)
    if not made.report.pairs:  # nothing to pair: every event is one step already
        return log, made.report.lines()
    return made.log, made.report.lines()


def _events_source(log: EventLog, matched: Any, notes: Sequence[str] = ()) -> SourceInfo:
    r = log.report
    summary = log.engine.run(
        log.table.aggregate(
            customers=log.table.customer.nunique(), first=log.table.ts.min(),
            last=log.table.ts.max(),
        )
    ).to_pylist()[0]  # fmt: skip
    return SourceInfo(
        kind="events",
        path=r.source,
        rows_read=r.rows_read,
        rows_used=log.size,  # with filters, the events they kept
        rows_unmatched=int(getattr(matched, "unmatched_rows", 0) or 0),
        customers=int(summary["customers"]),
        first=summary["first"],
        last=summary["last"],
        notes=list(notes),
    )


def _feedback_source(fb: Feedback, unmatched: int) -> SourceInfo:
    import pyarrow.compute as pc

    first = last = None
    if fb.roles.date and fb.table.num_rows:
        col = fb.table.column(fb.roles.date)
        first, last = pc.min(col).as_py(), pc.max(col).as_py()
    customers = None
    if fb.roles.customer:
        customers = len(pc.unique(fb.table.column(fb.roles.customer)))
    return SourceInfo(
        kind="feedback",
        path=fb.source,
        rows_read=fb.rows_read,
        rows_used=fb.rows_used,
        rows_unmatched=unmatched,
        customers=customers,
        first=first,
        last=last,
    )


def _touchpoints(
    m: JourneyMap, behaviour: pa.Table, voice: pa.Table | None, emotions: pa.Table
) -> list[TouchpointMeasure]:
    names = {tp.id: tp.name for _, tp in m.iter_touchpoints()}
    beh = {r["touchpoint"]: r for r in behaviour.to_pylist()}
    voi = {r["touchpoint"]: r for r in voice.to_pylist()} if voice is not None else {}
    emo = {r["touchpoint"]: r for r in emotions.to_pylist()}
    fields = set(TouchpointMeasure.model_fields)
    out = []
    for s, tp in m.iter_touchpoints():
        data: dict[str, Any] = {"stage": s.id, "touchpoint": tp.id, "name": names[tp.id]}
        for key, value in beh.get(tp.id, {}).items():
            if key in fields and key not in data and value is not None:
                data[key] = value
        v = voi.get(tp.id, {})
        for key in ("nps", "csat", "ces", "rating", "sentiment", "negative_share"):
            if v.get(key) is not None:
                data[key] = v[key]
        data["responses"] = int(v.get("n") or 0)
        data["themes"] = list(v.get("themes") or [])
        data["quotes"] = list(v.get("quotes") or [])
        e = emo.get(tp.id, {})
        for key in ("emotion", "emotion_low", "emotion_high", "level", "expected", "gap", "n",
                    "friction", "friction_level"):  # fmt: skip
            if e.get(key) is not None:
                data[key] = e[key]
        data["interval_method"] = e.get("interval")
        data["evidence"] = e.get("evidence") or "none"
        data["sources"] = list(e.get("sources") or [])
        data["friction_evidence"] = e.get("friction_evidence") or "none"
        data["friction_measures"] = [_finite(f) for f in e.get("friction_measures") or []]
        out.append(TouchpointMeasure.model_validate(_finite(data)))
    return out


def _stages(m: JourneyMap, stages: pa.Table | None) -> list[StageMeasure]:
    if stages is None:
        return []
    names = {s.id: s.name for s in m.stages}
    fields = set(StageMeasure.model_fields)
    return [
        StageMeasure.model_validate(
            _finite({"name": names.get(r["stage"], r["stage"])} | {k: v for k, v in r.items()
                                                                  if k in fields and v is not None})
        )
        for r in stages.to_pylist()
    ]  # fmt: skip


def _finite(data: dict[str, Any]) -> dict[str, Any]:
    """NaN and infinities are 'no figure' in a measurement (JSON has no NaN)."""
    return {
        k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in data.items()
    }


def _coverage(emotions: pa.Table) -> float:
    from journeymap.measuring.emotion import coverage

    return float(coverage(emotions))


def _actions(m: JourneyMap, result: Measurement, log: EventLog | None) -> list[ActionEstimate]:
    """Each open opportunity's worth: halving the conversions lost at the pain points it
    addresses (the team's ids it lists, or found at its touchpoint), per month of data."""
    months = _months(result)
    out = []
    for opp in m.opportunities:
        if opp.closed:
            continue
        related = [
            p
            for p in result.pain_points
            if (p.matches and p.matches in opp.addresses)
            or (opp.touchpoint and p.touchpoint == opp.touchpoint)
        ]
        lost = sum(p.conversions_lost or 0.0 for p in related)
        value = sum(p.value_lost or 0.0 for p in related)
        kpi = next((k for k in result.kpis if opp.kpi and k.kpi == opp.kpi), None)
        if related and lost > 0 and months:
            per_month = lost / 2 / months
            where = ", ".join(sorted({p.touchpoint or p.stage or "" for p in related} - {""}))
            text = (
                f"Halving the extra drop-off at {where} would keep about {count(per_month)} more "
                f"customers a month"
            )
            if value:
                text += f" (about {count(value / 2 / months)} in value a month)"
        else:
            per_month = None
            text = "No measured pain point behind it yet: the data gives no estimate."
        out.append(
            ActionEstimate(
                opportunity=opp.id,
                name=opp.name,
                estimate=text,
                conversions_per_month=per_month,
                value_per_month=(value / 2 / months) if value and months else None,
                kpi=opp.kpi,
                kpi_before=kpi.previous if kpi else None,
                kpi_now=kpi.value if kpi else None,
            )
        )
    return out


def _months(result: Measurement) -> float | None:
    """How many months of data the measurement rests on (from the event log)."""
    for s in result.sources:
        if s.kind == "events" and s.first and s.last:
            return max((s.last - s.first).total_seconds() / (86400 * 30.4375), 1 / 30.4375)
    return None


def drift(before: Measurement, now: Measurement) -> Drift:
    """What moved between two measurements: KPI changes (by key), emotion changes (by
    touchpoint id), and the largest KPI change relative to its earlier value, in %."""
    kpis: dict[str, float] = {}
    largest = 0.0
    old = {k.key: k for k in before.kpis}
    for k in now.kpis:
        b = old.get(k.key)
        if b is None or b.value is None or k.value is None:
            continue
        kpis[k.key] = k.value - b.value
        if b.value:
            largest = max(largest, abs(k.value - b.value) / abs(b.value) * 100)
    emotions: dict[str, float] = {}
    old_tp = {t.touchpoint: t for t in before.touchpoints}
    for t in now.touchpoints:
        b2 = old_tp.get(t.touchpoint)
        if b2 is not None and b2.emotion is not None and t.emotion is not None:
            emotions[t.touchpoint] = t.emotion - b2.emotion
    return Drift(
        previous_at=before.measured_at,
        previous_map_version=before.map_version,
        kpis=kpis,
        emotions=emotions,
        largest=largest,
    )


# ---- files ---------------------------------------------------------------------------------


def measurements_dir(map_path: str | Path) -> Path:
    """Where measurements of a map are kept: ``journey.measurements/`` beside ``journey.yaml``."""
    p = Path(map_path)
    return p.with_name(p.stem + ".measurements")


#: the name of a measurement: its time (UTC, to the second), ``-0001``... when one of that
#: second is there already; names sort as the measurements were taken
_STAMP = "%Y-%m-%dT%H-%M-%SZ"
_SAME_SECOND = 9999


def _stamp(t: dt.datetime) -> str:
    """A time as measurement files are named by it (UTC; a time without a zone is UTC)."""
    return (t.astimezone(dt.UTC) if t.tzinfo is not None else t).strftime(_STAMP)


def _names(folder: Path, stamp: str) -> Iterator[Path]:
    """The names a measurement of ``stamp`` may take, in order."""
    yield folder / f"{stamp}.json"
    for n in range(1, _SAME_SECOND + 1):
        yield folder / f"{stamp}-{n:04d}.json"


def save_measurement(result: Measurement, folder: str | Path) -> Path:
    """Write ``folder/<measured_at>.json`` and return its path: atomically, through a temp file
    of this writer's own, and never over another measurement. The first measurement of a
    second takes the plain name; the next ones of that second ``<measured_at>-0001.json``,
    ``-0002``, ... in the order they are saved (runs at once each keep theirs)."""
    from journeymap._atomic import atomic_write_new

    stamp = _stamp(result.measured_at)
    data = (result.model_dump_json(indent=2) + "\n").encode("utf-8")
    try:
        return atomic_write_new(_names(Path(folder), stamp), data)
    except FileExistsError:
        raise UsageError(
            f"{folder}: already {_SAME_SECOND + 1} measurements taken at {stamp}; move some away"
        ) from None


def load_measurement(path: str | Path) -> Measurement:
    """Read a saved measurement; a clear error for a file that is not one."""
    import pydantic

    p = Path(path)
    try:
        return Measurement.model_validate_json(p.read_bytes())
    except FileNotFoundError:
        raise EvidenceError(f"{p}: no such measurement file") from None
    except OSError as e:
        raise EvidenceError(f"{p}: cannot read it: {e.strerror or e}") from None
    except pydantic.ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        problem = f"{where}: {first['msg']}" if where else first["msg"]
        raise EvidenceError(f"{p}: not a journeymap measurement ({problem})") from None


def _saved(folder: Path, before: dt.datetime | None) -> list[Path]:
    """The measurement files of ``folder``, oldest first (earlier than ``before`` if given)."""
    found = [f for f in folder.glob("*.json") if not f.name.startswith(".")]
    found.sort(key=lambda f: f.stem)  # "<second>" before "<second>-0001"
    if before is not None:
        stamp = _stamp(before)
        found = [f for f in found if f.stem < stamp]
    return found


def latest_measurement(
    folder: str | Path,
    *,
    before: dt.datetime | None = None,
    say: Callable[[str], None] | None = None,
) -> tuple[Path, Measurement] | None:
    """The latest measurement saved in ``folder`` that can be read (earlier than ``before``
    when given), with its file. A file that is not a measurement (cut short, edited, not
    JSON) does not block the others: it is skipped with a warning naming it, told to ``say``
    (else a :class:`UserWarning`), and the one before it is taken."""
    folder = Path(folder)
    if not folder.is_dir():
        return None
    for f in reversed(_saved(folder, before)):
        try:
            return f, load_measurement(f)
        except EvidenceError as e:
            message = f"{e}; skipped it (the measurement before it is used)"
            if say is not None:
                say(message)
            else:
                warnings.warn(message, UserWarning, stacklevel=3)
    return None


def previous_measurement(
    folder: str | Path,
    *,
    before: dt.datetime | None = None,
    say: Callable[[str], None] | None = None,
) -> Path | None:
    """The file of the latest measurement saved in ``folder`` (earlier than ``before`` when
    given); one that cannot be read is skipped with a warning (:func:`latest_measurement`)."""
    found = latest_measurement(folder, before=before, say=say)
    return found[0] if found is not None else None


def measurement_schema() -> dict[str, Any]:
    """The JSON Schema of a saved measurement (published as docs/measurement.schema.json)."""
    schema = Measurement.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "journeymap measurement"
    return schema
