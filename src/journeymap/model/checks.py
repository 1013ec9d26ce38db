"""Consistency checks a map must pass beyond its field types.

Ids are unique, every reference points at something that exists, every emotion is on the
map's scale. Each finding carries the location of the offending value as a path of keys and
list positions, the same path the file format uses to find its line and column.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from journeymap.model.journey import JourneyMap

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
    out: list[Finding] = []
    scale = m.scale

    stage_ids = {s.id for s in m.stages}
    tp_stage = {tp.id: s.id for s, tp in m.iter_touchpoints()}
    insight_ids = {i.id for i in m.insights}
    pain_ids = {p.id for p in m.pain_points}
    kpi_ids = {k.id for k in m.kpis}

    out += _dupes(((("stages", i, "id"), s.id) for i, s in enumerate(m.stages)), "stage")
    out += _dupes(
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
    ):
        out += _dupes((((key, i, "id"), it.id) for i, it in enumerate(items)), what)

    def emotion(loc: Loc, ref: str | int | None) -> None:
        if ref is not None and scale.find(ref) is None:
            out.append(Finding(loc, scale.unknown_message(ref)))

    def evidence(loc: Loc, ids: list[str]) -> None:
        for k, ident in enumerate(ids):
            if ident not in insight_ids:
                out.append(_missing((*loc, k), "insight", ident, insight_ids))

    for i, s in enumerate(m.stages):
        emotion(("stages", i, "emotion"), s.emotion)
        emotion(("stages", i, "expected_emotion"), s.expected_emotion)
        for j, tp in enumerate(s.touchpoints):
            base: Loc = ("stages", i, "touchpoints", j)
            emotion((*base, "expected_emotion"), tp.expected_emotion)
            if tp.actual_emotion is not None:
                act = tp.actual_emotion
                # a plain word is written without the "emotion" key
                loc = (*base, "actual_emotion")
                emotion(
                    loc if act.model_fields_set == {"emotion"} else (*loc, "emotion"), act.emotion
                )
                evidence((*loc, "evidence"), act.evidence)
            evidence((*base, "evidence"), tp.evidence)
            for k, ident in enumerate(tp.supports):
                if ident not in tp_stage:
                    out.append(_missing((*base, "supports", k), "touchpoint", ident, tp_stage))
                elif ident == tp.id:
                    out.append(
                        Finding(
                            (*base, "supports", k),
                            "a touchpoint cannot support itself; expected the id of "
                            "a front-stage touchpoint",
                        )
                    )

    def placed(key: str, i: int, stage: str | None, tp: str | None) -> None:
        if stage is not None and stage not in stage_ids:
            out.append(_missing((key, i, "stage"), "stage", stage, stage_ids))
        if tp is not None:
            if tp not in tp_stage:
                out.append(_missing((key, i, "touchpoint"), "touchpoint", tp, tp_stage))
            elif stage is not None and stage in stage_ids and tp_stage[tp] != stage:
                out.append(
                    Finding(
                        (key, i, "touchpoint"),
                        f"touchpoint {tp!r} is in stage {tp_stage[tp]!r}, not in "
                        f"stage {stage!r}; expected a touchpoint of that stage",
                    )
                )
        if stage is None and tp is None:
            out.append(
                Finding((key, i), "expected a 'stage' or a 'touchpoint' to place it on the map")
            )

    for i, p in enumerate(m.pain_points):
        placed("pain_points", i, p.stage, p.touchpoint)
        evidence(("pain_points", i, "evidence"), p.evidence)
    for i, o in enumerate(m.opportunities):
        placed("opportunities", i, o.stage, o.touchpoint)
        for k, pid in enumerate(o.addresses):
            if pid not in pain_ids:
                out.append(
                    _missing(("opportunities", i, "addresses", k), "pain point", pid, pain_ids)
                )
        if o.kpi is not None and o.kpi not in kpi_ids:
            out.append(_missing(("opportunities", i, "kpi"), "KPI", o.kpi, kpi_ids))
    for i, kpi in enumerate(m.kpis):
        if kpi.stage is not None and kpi.stage not in stage_ids:
            out.append(_missing(("kpis", i, "stage"), "stage", kpi.stage, stage_ids))
        if kpi.touchpoint is not None and kpi.touchpoint not in tp_stage:
            out.append(_missing(("kpis", i, "touchpoint"), "touchpoint", kpi.touchpoint, tp_stage))
    return out
