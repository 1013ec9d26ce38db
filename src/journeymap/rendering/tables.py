"""A map as plain tables: the view every tabular output (Markdown, HTML, spreadsheets) draws.

Pure: no I/O. :func:`map_tables` returns the map's tables in a fixed order, each only when it
has rows. Cells are strings, written as the map's author wrote them (an emotion word stays
"Curious but hesitant", not the scale's label), so an imported table renders back verbatim.
Columns that are empty in every row are left out, except a table's key columns; a ``notes``
entry of the objects (e.g. a column kept from an import) becomes a column of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from journeymap import _numbers as nb
from journeymap.model.emotion import format_level
from journeymap.model.journey import JourneyMap, Opportunity, PainPoint
from journeymap.model.kpi import KPI

__all__ = ["Table", "input_header", "map_tables"]

_Placed = TypeVar("_Placed", PainPoint, Opportunity)


@dataclass(frozen=True)
class Table:
    """One table: a title, its column headers and its rows of cell text."""

    title: str
    headers: list[str]
    rows: list[list[str]]

    def column(self, header: str) -> list[str]:
        """The cells of one column, top to bottom; raises ``KeyError`` for an unknown header."""
        try:
            i = self.headers.index(header)
        except ValueError:
            raise KeyError(header) from None
        return [row[i] for row in self.rows]


_SMALL_WORDS = frozenset({"a", "an", "and", "at", "by", "in", "of", "on", "or", "per", "the", "to"})


def input_header(key: str) -> str:
    """The column header of a KPI input: ``customers_at_start`` -> ``Customers at Start``."""
    words = [w for w in re.split(r"[_\s]+", key) if w]
    return " ".join(
        w if i and w in _SMALL_WORDS else w[:1].upper() + w[1:] for i, w in enumerate(words)
    )


def _kpi_value(kpi: KPI, value: float | None) -> str:
    return "" if value is None else nb.with_unit(nb.plain(value), kpi.unit)


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def _lines(items: Iterable[str]) -> str:
    return "\n".join(items)


class _Builder:
    """Collects rows as header -> cell mappings, then orders and trims the columns: in the
    order of ``headers``, by default the keys of the first row."""

    def __init__(self, title: str, headers: Sequence[str] = (), *, keep: Sequence[str]) -> None:
        self.title = title
        self.headers = list(headers)
        self.keep = set(keep)
        self.standard = {_norm(h) for h in headers}
        self.rows: list[dict[str, str]] = []

    def add_notes(self, notes: dict[str, str], row: dict[str, str]) -> None:
        for key, value in notes.items():
            if _norm(key) in self.standard or not value:
                continue  # a note that shadows a real column (e.g. the original channel word)
            if key not in self.headers:
                self.headers.append(key)
            row[key] = value

    def add(self, row: dict[str, str | None], notes: dict[str, str] | None = None) -> None:
        if not self.headers:
            self.headers = list(row)
            self.standard = {_norm(h) for h in row}
        clean: dict[str, str] = {k: v for k, v in row.items() if v}
        if notes:
            self.add_notes(notes, clean)
        self.rows.append(clean)

    def build(self) -> Table | None:
        if not self.rows:
            return None
        headers = [h for h in self.headers if h in self.keep or any(r.get(h) for r in self.rows)]
        return Table(self.title, headers, [[r.get(h, "") for h in headers] for r in self.rows])


def _persona(m: JourneyMap) -> Table | None:
    p = m.persona
    if p is None:
        return None
    b = _Builder("Persona", keep=["Field", "Value"])
    fields: list[tuple[str, str | None]] = [
        ("Name", p.name),
        ("Description", p.description),
        ("Age", None if p.age is None else str(p.age)),
        ("Role", p.role),
        ("Segment", p.segment),
        ("Quote", p.quote),
        ("Goals", _lines(p.goals)),
        ("Needs", _lines(p.needs)),
        ("Frustrations", _lines(p.frustrations)),
        ("Data Sources", _lines(p.data_sources)),
    ]
    for field, value in fields:
        if value:
            b.add({"Field": field, "Value": value})
    return b.build()


def map_tables(m: JourneyMap) -> list[Table]:
    """The map's tables, in order: persona, stages, touchpoints, stage emotions, pain points,
    action items, KPIs, insights; each only when it has rows."""
    names = _Names(m)
    tables = [
        _persona(m),
        _stages(m),
        _touchpoints(m, names),
        _stage_emotions(m, names),
        _placed("Pain points", m.pain_points, _pain_fields, names, "Customer Stage", "Pain Point"),
        _placed("Action items", m.opportunities, _action_fields, names, "Stage", "Action Items"),
        _kpis(m, names),
        _insights(m),
    ]
    return [t for t in tables if t is not None]


class _Names:
    """How the tables write what a map refers to: stages and touchpoints by name, emotions as
    their author wrote them (a level of the scale by its label)."""

    def __init__(self, m: JourneyMap) -> None:
        self.m = m
        self.stages = {s.id: s.name for s in m.stages}
        self.tps = {tp.id: tp.name for _, tp in m.iter_touchpoints()}

    def emotion(self, ref: str | int | None) -> str | None:
        if ref is None:
            return None
        if isinstance(ref, str):
            return ref.strip()
        found = self.m.scale.find(ref)
        return found.label if found else str(ref)

    def stage(self, stage: str | None) -> str | None:
        return None if stage is None else self.stages.get(stage, stage)

    def touchpoint(self, tp: str | None) -> str | None:
        return None if tp is None else self.tps.get(tp, tp)

    def where(self, item: PainPoint | Opportunity, stage_header: str) -> dict[str, str | None]:
        """The stage and the touchpoint of a pain point or an action item."""
        return {
            stage_header: self.stage(self.m.stage_id_of(item)),
            "Touchpoint": self.touchpoint(item.touchpoint),
        }


def _stages(m: JourneyMap) -> Table | None:
    b = _Builder("Stages", keep=["Stage"])
    for s in m.stages:  # always: the stage list is the backbone (and order) of the map
        b.add(
            {
                "Stage": s.name,
                "Customer Goal": s.customer_goal,
                "Business Goal": s.business_goal,
                "Description": s.description,
            },
            s.notes,
        )
    return b.build()


def _touchpoints(m: JourneyMap, names: _Names) -> Table | None:
    b = _Builder("Touchpoints", keep=["Stage", "Touchpoint"])
    for stage, tp in m.iter_touchpoints():
        gap = m.gap(tp)
        actual = tp.actual_emotion
        b.add(
            {
                "Stage": stage.name,
                "Touchpoint": tp.name,
                # a channel word journeymap did not know is kept in the notes: show it
                "Channel": tp.notes.get("Channel", tp.channel)
                if tp.channel == "other"
                else tp.channel,
                "Owner": tp.owner,
                "Expected Emotion": names.emotion(tp.expected_emotion),
                "Actual Emotion": names.emotion(actual.emotion if actual else None),
                "Gap": None if gap is None else format_level(gap),
                "Gap in Experience": tp.gap_note,
                "Source of Insight": actual.source if actual else None,
                "Customer Actions": _lines(tp.actions),
                "Thoughts": _lines(tp.thoughts),
                "Observed Behavior": tp.observed_behavior,
                "Moment of Truth": "yes" if tp.moment_of_truth else None,
            },
            tp.notes,
        )
    return b.build()


def _stage_emotions(m: JourneyMap, names: _Names) -> Table | None:
    b = _Builder("Stage emotions", keep=["Customer Stage"])
    for s in m.stages:
        if s.emotion is not None or s.observed_behavior:
            b.add(
                {
                    "Customer Stage": s.name,
                    "Emotion": names.emotion(s.emotion),
                    "Observed Behavior": s.observed_behavior,
                }
            )
    return b.build()


def _placed(
    title: str,
    items: Sequence[_Placed],
    fields: Callable[[_Placed], dict[str, str | None]],
    names: _Names,
    stage_header: str,
    name_header: str,
) -> Table | None:
    """A table of items placed on the map (pain points, action items): their stage,
    touchpoint and name, then their own ``fields`` and notes."""
    b = _Builder(title, keep=[stage_header, name_header])
    for item in items:
        row = {**names.where(item, stage_header), name_header: item.name, **fields(item)}
        b.add(row, item.notes)
    return b.build()


def _pain_fields(p: PainPoint) -> dict[str, str | None]:
    return {
        "Trigger": p.trigger,
        "Customer Reaction": p.customer_reaction,
        "Departments": ", ".join(p.departments),
        "Source of Insight": p.source,
        # a default severity is nobody's judgement: shown only when written down
        "Severity": p.severity if "severity" in p.model_fields_set else None,
        "Owner": p.owner,
    }


def _action_fields(o: Opportunity) -> dict[str, str | None]:
    return {
        "Expected Outcome": o.expected_outcome,
        "Owner": o.owner,
        "Status": o.status if "status" in o.model_fields_set else None,
    }


def _kpis(m: JourneyMap, names: _Names) -> Table | None:
    """The KPIs, with a column for every input any of them has (``customers_at_start``)."""
    input_keys: list[str] = []
    for k in m.kpis:
        input_keys += [key for key in k.inputs if key not in input_keys]
    inputs = [input_header(key) for key in input_keys]
    b = _Builder(
        "KPIs",
        ["KPI", "Value", "Target", "Period", "Stage", *inputs, "Definition"],
        keep=["KPI", "Value"],
    )
    for k in m.kpis:
        row: dict[str, str | None] = {
            "KPI": k.name,
            "Value": _kpi_value(k, k.value),
            "Target": _kpi_value(k, k.target),
            "Period": k.period,
            "Stage": names.stage(k.stage),
            "Definition": k.definition,
        }
        for key, number in k.inputs.items():
            row[input_header(key)] = nb.plain(number)
        b.add(row)
    return b.build()


def _insights(m: JourneyMap) -> Table | None:
    b = _Builder("Insights", keep=["Insight", "Kind"])
    for i in m.insights:
        b.add(
            {
                "Insight": i.name,
                "Kind": i.kind,
                "Description": i.description,
                "Finding": i.finding,
                "Date": None if i.date is None else i.date.isoformat(),
                "Sample Size": None if i.n is None else str(i.n),
                "Link": i.link,
            }
        )
    return b.build()
