"""Consistency checks a map must pass beyond its field types.

Ids are unique, every reference points at something that exists, every emotion is on the
map's scale. Each finding carries the location of the offending value as a path of keys and
list positions, the same path the file format uses to find its line and column.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from journeymap.model.emotion import EmotionScale
from journeymap.model.journey import BUILTIN_LANES, JourneyMap
from journeymap.model.kpi import OUTCOME_NAMES, Counted
from journeymap.model.touchpoint import Touchpoint

__all__ = ["Finding", "Loc", "check_map"]

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Finding:
    loc: Loc
    message: str


def _dupes(items: Iterable[tuple[Loc, str]], what: str) -> list[Finding]:
    seen: dict[str, Loc] = {}
    out: list[Finding] = []
    for loc, ident in items:
        if ident in seen:
            first = ".".join(str(p) for p in seen[ident])
            out.append(
                Finding(
                    loc,
                    f"duplicate {what} id {ident!r} (first used at {first}); "
                    "expected every id to be unique",
                )
            )
        else:
            seen[ident] = loc
    return out


def _missing(loc: Loc, what: str, ident: str, known: Iterable[str]) -> Finding:
    names = sorted(known)
    shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
    expected = f"one of: {shown}" if names else f"a {what} defined in the map (there are none)"
    return Finding(loc, f"unknown {what} {ident!r}; expected {expected}")


def check_map(m: JourneyMap) -> list[Finding]:
    """Every consistency problem of a map, in file order."""
    ids = _Ids.of(m)
    return [
        *_duplicate_ids(m),
        *_stages(m, ids),
        *_pain_points(m, ids),
        *_opportunities(m, ids),
        *_kpis(m, ids),
        *_outcomes(m, ids),
        *_lanes(m, ids),
    ]


@dataclass(frozen=True)
class _Ids:
    """The ids a map defines, which its references must name."""

    stages: set[str]
    touchpoints: dict[str, str]  # touchpoint id -> id of its stage
    insights: set[str]
    pain_points: set[str]
    kpis: set[str]

    @classmethod
    def of(cls, m: JourneyMap) -> _Ids:
        return cls(
            stages={s.id for s in m.stages},
            touchpoints={tp.id: s.id for s, tp in m.iter_touchpoints()},
            insights={i.id for i in m.insights},
            pain_points={p.id for p in m.pain_points},
            kpis={k.id for k in m.kpis},
        )


def _duplicate_ids(m: JourneyMap) -> Iterator[Finding]:
    yield from _dupes(((("stages", i, "id"), s.id) for i, s in enumerate(m.stages)), "stage")
    yield from _dupes(
        (
            (("stages", i, "touchpoints", j, "id"), tp.id)
            for i, s in enumerate(m.stages)
            for j, tp in enumerate(s.touchpoints)
        ),
        "touchpoint",
    )
    for key, items, what in (
        ("pain_points", m.pain_points, "pain point"),
        ("opportunities", m.opportunities, "opportunity"),
        ("kpis", m.kpis, "KPI"),
        ("insights", m.insights, "insight"),
        ("lanes", m.lanes, "lane"),
    ):
        yield from _dupes((((key, i, "id"), it.id) for i, it in enumerate(items)), what)


def _emotion(scale: EmotionScale, loc: Loc, ref: str | int | None) -> Iterator[Finding]:
    if ref is not None and scale.find(ref) is None:
        yield Finding(loc, scale.unknown_message(ref))


def _evidence(loc: Loc, refs: list[str], ids: _Ids) -> Iterator[Finding]:
    for k, ident in enumerate(refs):
        if ident not in ids.insights:
            yield _missing((*loc, k), "insight", ident, ids.insights)


def _stages(m: JourneyMap, ids: _Ids) -> Iterator[Finding]:
    for i, s in enumerate(m.stages):
        yield from _emotion(m.scale, ("stages", i, "emotion"), s.emotion)
        yield from _emotion(m.scale, ("stages", i, "expected_emotion"), s.expected_emotion)
        for j, tp in enumerate(s.touchpoints):
            yield from _touchpoint(m.scale, ("stages", i, "touchpoints", j), tp, ids)


def _touchpoint(scale: EmotionScale, base: Loc, tp: Touchpoint, ids: _Ids) -> Iterator[Finding]:
    """Its emotions are on the scale, its evidence exists, it supports other touchpoints."""
    yield from _emotion(scale, (*base, "expected_emotion"), tp.expected_emotion)
    if tp.actual_emotion is not None:
        act = tp.actual_emotion
        # a plain word is written without the "emotion" key
        loc = (*base, "actual_emotion")
        word_only = act.model_fields_set == {"emotion"}
        yield from _emotion(scale, loc if word_only else (*loc, "emotion"), act.emotion)
        yield from _evidence((*loc, "evidence"), act.evidence, ids)
    yield from _evidence((*base, "evidence"), tp.evidence, ids)
    for k, ident in enumerate(tp.supports):
        if ident not in ids.touchpoints:
            yield _missing((*base, "supports", k), "touchpoint", ident, ids.touchpoints)
        elif ident == tp.id:
            yield Finding(
                (*base, "supports", k),
                "a touchpoint cannot support itself; expected the id of a front-stage touchpoint",
            )


def _placed(
    key: str, i: int, stage: str | None, tp: str | None, ids: _Ids, *, at: Loc = ()
) -> Iterator[Finding]:
    """A pain point, opportunity or lane card is on a stage or touchpoint that exists (the
    touchpoint in the stage, when both are given); ``at`` is where it sits inside item ``i``."""
    if stage is not None and stage not in ids.stages:
        yield _missing((key, i, *at, "stage"), "stage", stage, ids.stages)
    if tp is not None:
        if tp not in ids.touchpoints:
            yield _missing((key, i, *at, "touchpoint"), "touchpoint", tp, ids.touchpoints)
        elif stage is not None and stage in ids.stages and ids.touchpoints[tp] != stage:
            yield Finding(
                (key, i, *at, "touchpoint"),
                f"touchpoint {tp!r} is in stage {ids.touchpoints[tp]!r}, not in "
                f"stage {stage!r}; expected a touchpoint of that stage",
            )
    if stage is None and tp is None:
        yield Finding((key, i, *at), "expected a 'stage' or a 'touchpoint' to place it on the map")


def _pain_points(m: JourneyMap, ids: _Ids) -> Iterator[Finding]:
    for i, p in enumerate(m.pain_points):
        yield from _placed("pain_points", i, p.stage, p.touchpoint, ids)
        yield from _evidence(("pain_points", i, "evidence"), p.evidence, ids)


def _opportunities(m: JourneyMap, ids: _Ids) -> Iterator[Finding]:
    for i, o in enumerate(m.opportunities):
        yield from _placed("opportunities", i, o.stage, o.touchpoint, ids)
        for k, pid in enumerate(o.addresses):
            if pid not in ids.pain_points:
                loc: Loc = ("opportunities", i, "addresses", k)
                yield _missing(loc, "pain point", pid, ids.pain_points)
        if o.kpi is not None and o.kpi not in ids.kpis:
            yield _missing(("opportunities", i, "kpi"), "KPI", o.kpi, ids.kpis)


def _kpis(m: JourneyMap, ids: _Ids) -> Iterator[Finding]:
    for i, kpi in enumerate(m.kpis):
        if kpi.stage is not None and kpi.stage not in ids.stages:
            yield _missing(("kpis", i, "stage"), "stage", kpi.stage, ids.stages)
        if kpi.touchpoint is not None and kpi.touchpoint not in ids.touchpoints:
            loc: Loc = ("kpis", i, "touchpoint")
            yield _missing(loc, "touchpoint", kpi.touchpoint, ids.touchpoints)
        for side in ("numerator", "denominator"):
            counted = getattr(kpi, side)
            if counted is not None:
                yield from _counted(m, ("kpis", i, side), counted, ids)


def _counted(m: JourneyMap, loc: Loc, counted: Counted, ids: _Ids) -> Iterator[Finding]:
    """What a KPI counts names touchpoints, stages and outcomes that exist."""
    for k, ident in enumerate(counted.touchpoints):
        if ident not in ids.touchpoints:
            yield _missing((*loc, "touchpoints", k), "touchpoint", ident, ids.touchpoints)
    for k, ident in enumerate(counted.stages):
        if ident not in ids.stages:
            yield _missing((*loc, "stages", k), "stage", ident, ids.stages)
    if counted.outcome is not None:
        ends = [e.id for e in m.outcomes.ends] if m.outcomes is not None else []
        known = [*OUTCOME_NAMES, *ends]
        if counted.outcome not in known:
            yield _missing((*loc, "outcome"), "outcome", counted.outcome, known)


def _outcomes(m: JourneyMap, ids: _Ids) -> Iterator[Finding]:
    """Every outcome names touchpoints that exist, and no touchpoint is two outcomes."""
    if m.outcomes is None:
        return
    seen: dict[str, str] = {}
    named = [("goal", ("outcomes", "goal"), m.outcomes.goal)] + [
        (f"end {end.id!r}", ("outcomes", "ends", i, "touchpoints"), end.touchpoints)
        for i, end in enumerate(m.outcomes.ends)
    ]
    for what, loc, touchpoints in named:
        for k, ident in enumerate(touchpoints):
            if ident not in ids.touchpoints:
                yield _missing((*loc, k), "touchpoint", ident, ids.touchpoints)
            elif ident in seen:
                yield Finding(
                    (*loc, k),
                    f"touchpoint {ident!r} is already the {seen[ident]}; expected each "
                    "touchpoint to end a journey one way only",
                )
            else:
                seen[ident] = what
    yield from _dupes(
        ((("outcomes", "ends", i, "id"), e.id) for i, e in enumerate(m.outcomes.ends)),
        "outcome end",
    )


def _lanes(m: JourneyMap, ids: _Ids) -> Iterator[Finding]:
    """A lane of the map's own has an id of its own, and its cards are on the map."""
    for i, lane in enumerate(m.lanes):
        if lane.id in BUILTIN_LANES:
            yield Finding(
                ("lanes", i, "id"),
                f"{lane.id!r} is the name of a built-in lane; expected another id, e.g. "
                f"{lane.id + '-notes'!r}",
            )
        for k, item in enumerate(lane.items):
            yield from _placed("lanes", i, item.stage, item.touchpoint, ids, at=("items", k))
