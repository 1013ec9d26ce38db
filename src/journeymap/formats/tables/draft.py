"""The map under construction while tables are imported (see :mod:`journeymap.formats.tables`).

A :class:`Draft` is one object of the map (a stage, touchpoint, pain point, action item, KPI,
insight or the persona) as the plain fields it will be validated from, each with the cell it
came from. :class:`MapDraft` holds them all: it finds or creates objects by name, merges the
values of several rows and tables (the first value wins; a different one is reported) and
validates the whole map at the end. :class:`Columns` are the roles of one table's columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from journeymap.errors import TableImportError
from journeymap.formats.document import pin_ids
from journeymap.formats.tables.columns import CANONICAL, channel_of, hnorm, resolve
from journeymap.formats.tables.readers import Cell, RawTable
from journeymap.formats.tables.stages import stage_key
from journeymap.model.base import slugify
from journeymap.model.checks import check_map
from journeymap.model.evidence import insight_kind_of
from journeymap.model.journey import JourneyMap
from journeymap.model.touchpoint import CHANNELS, normalise_channel

__all__ = ["Column", "Columns", "Draft", "MapDraft", "columns_of"]

#: one column of a table: its index, its role (``None``: kept as notes) and its header
Column = tuple[int, str | None, str]


@dataclass
class Draft:
    """A map object under construction: its fields as they will be validated."""

    kind: str
    name: str
    id: str
    data: dict[str, Any] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    where: dict[str, str] = field(default_factory=dict)
    children: list[Draft] = field(default_factory=list)  # a stage's touchpoints

    def dump(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "name": self.name, **self.data}
        if self.notes:
            out["notes"] = dict(self.notes)
        if self.kind == "stage" and self.children:
            out["touchpoints"] = [c.dump() for c in self.children]
        return out


@dataclass(frozen=True)
class Columns:
    """The columns of one table in order, and the index of the column of each role."""

    items: list[Column]
    roles: dict[str, int]

    def has(self, role: str) -> bool:
        return role in self.roles

    def cell(self, row: list[Cell], role: str) -> Cell | None:
        """The row's cell in the column of ``role``; ``None`` when there is none or it is empty."""
        j = self.roles.get(role)
        return row[j] if j is not None and row[j].text else None

    def header(self, role: str) -> str:
        """The header of the column of ``role``, as written."""
        return next(header for j, _, header in self.items if j == self.roles[role])


def columns_of(table: RawTable, report: list[str]) -> Columns:
    """The role of each column from its header. A header read as a close synonym, and a second
    column of a role already taken (kept as notes), are reported; two headers alike (but for
    case, spaces and punctuation) are a :class:`TableImportError` naming both."""
    items: list[Column] = []
    roles: dict[str, int] = {}
    seen: dict[str, Cell] = {}
    for j, h in enumerate(table.headers):
        if not h.text:
            if any(r[j].text for r in table.rows):
                items.append((j, None, f"column {j + 1}"))
            continue
        first = seen.setdefault(hnorm(h.text) or h.text, h)
        if first is not h:  # which of the two holds the values cannot be told
            raise TableImportError(
                f"{h.where}: the header names two columns alike, {first.text!r} ({first.where}) "
                f"and {h.text!r} ({h.where}); rename one (or delete the one not needed)"
            )
        found = resolve(h.text)
        role = found[0] if found else None
        if role is not None and role in roles:
            report.append(
                f"{h.where}: column {h.text!r} means {CANONICAL[role]!r} like an earlier "
                "column of the table; kept as a note"
            )
            role = None
        if role is not None:
            roles[role] = j
            if found and not found[1]:
                report.append(f"{h.where}: column {h.text!r} read as {CANONICAL[role]!r}")
        items.append((j, role, h.text))
    return Columns(items, roles)


class MapDraft:
    """Every object of the map being imported, and the report of what was done."""

    def __init__(self) -> None:
        self.report: list[str] = []
        self.stages: dict[str, Draft] = {}  # stage_key -> stage, in order of first appearance
        self.taken: dict[str, set[str]] = {}  # kind -> the ids given to objects of that kind
        self.synonyms: set[str] = set()  # names read as a stage of another spelling
        # each table's stages in row order, and whether its rows are stages
        self.sequences: list[tuple[str, list[str], bool]] = []
        self.guesses: list[str] = []  # what was guessed: stage order, places of touchpoints
        self.proposals: list[str] = []  # stages that may be one
        self.proposed_stages: str | None = None  # the --stages value that merges them
        self.unassigned: Draft | None = None
        self.unassigned_named = False  # a table names the stage "Unassigned" itself
        self.tps: dict[str, list[tuple[Draft, Draft]]] = {}  # slug -> [(stage, touchpoint)]
        self.tp_ids: set[str] = set()
        self.pains: dict[tuple[str, str], Draft] = {}
        self.actions: dict[tuple[str, str], Draft] = {}
        self.kpis: dict[tuple[str, str], Draft] = {}
        self.insights: dict[str, Draft] = {}
        self.persona: Draft | None = None
        self.moved: list[str] = []

    # -- setting values ----------------------------------------------------------------------

    def set(self, obj: Draft, key: str, value: Any, cell: Cell, label: str) -> None:
        """Set a field; a different value given before is kept, and the conflict reported."""
        if key not in obj.data:
            obj.data[key] = value
            obj.where[key] = cell.where
        elif obj.data[key] != value:
            self.report.append(
                f"{cell.where}: {obj.kind} {obj.name!r}: {label} {value!r} differs from "
                f"{obj.data[key]!r} given at {obj.where[key]}; kept the first"
            )

    def actual(self, tp: Draft, word: str, cell: Cell, label: str) -> None:
        """Set a touchpoint's actual emotion (which may already carry a source)."""
        current = tp.data.get("actual_emotion")
        if current is None:
            self.set(tp, "actual_emotion", {"emotion": word}, cell, label)
        elif current["emotion"] != word:
            self.set(tp, "actual_emotion", {**current, "emotion": word}, cell, label)

    def add(self, obj: Draft, key: str, values: list[str]) -> None:
        """Add to a list field the values it does not hold yet."""
        current: list[str] = obj.data.setdefault(key, [])
        current += [v for v in values if v not in current]

    def note(self, obj: Draft, header: str, cell: Cell) -> None:
        """Keep a cell no field takes in the object's notes, under its column's header."""
        if header not in obj.notes:
            obj.notes[header] = cell.text
            obj.where["notes:" + header] = cell.where
        elif obj.notes[header] != cell.text:
            self.report.append(
                f"{cell.where}: {obj.kind} {obj.name!r}: {header!r} {cell.text!r} differs "
                f"from {obj.notes[header]!r} given at {obj.where['notes:' + header]}; "
                "kept the first"
            )

    def channel(self, obj: Draft, cell: Cell, header: str) -> None:
        """Set the channel a word names; a word journeymap has no icon for is kept as the
        channel's name (any name is a channel), and the report says so."""
        channel = channel_of(cell.text)
        if channel is None:
            try:
                channel = normalise_channel(cell.text)
            except ValueError:
                return
            if len(channel) > 60:  # a sentence, not a channel's name: kept as a note
                self.note(obj, header, cell)
                return
            self.report.append(
                f"{cell.where}: channel {cell.text!r} is not one journeymap has an icon for; "
                f"kept as {channel!r}, drawn with a neutral icon (known: {', '.join(CHANNELS)})"
            )
        self.set(obj, "channel", channel, cell, "channel")

    # -- finding or creating objects ---------------------------------------------------------

    def stage(self, name: str, where: str | None = None) -> Draft:
        """The stage of that name: names that differ only in case, spacing, punctuation, a
        plural or the word "stage" are one stage (:func:`stage_key`), and the report says so."""
        key = stage_key(name)
        if key == "unassigned":
            self.unassigned_named = True
            return self.fallback_stage()
        found = self.stages.get(key)
        if found is None:
            taken = self.taken.setdefault("stage", {"unassigned"})
            slug = ident = slugify(name, fallback="stage")
            n = 2
            while ident in taken:
                ident, n = f"{slug}-{n}", n + 1
            taken.add(ident)
            found = self.stages[key] = Draft("stage", name, ident)
            if where is not None:
                found.where["row"] = where
        elif name != found.name and name not in self.synonyms:
            self.synonyms.add(name)
            self.report.append(
                f"{where or 'a table'}: stage {name!r} read as {found.name!r} (the same name "
                "but for case, spacing, punctuation, a plural or the word 'stage')"
            )
        return found

    def saw_stage(self, table: str, stage: Draft, *, lists_stages: bool) -> None:
        """Note that a row of ``table`` names ``stage``: the tables' order of the stages.
        ``lists_stages``: the table's rows are stages (no touchpoint, pain point or action
        item column), so a table that names them all is the author's list of stages."""
        if stage is self.unassigned:
            return
        key = stage_key(stage.name)
        if not self.sequences or self.sequences[-1][0] != table:
            self.sequences.append((table, [], lists_stages))
            self._in_sequence: set[str] = set()
        if key not in self._in_sequence:
            self._in_sequence.add(key)
            self.sequences[-1][1].append(key)

    def fallback_stage(self) -> Draft:
        """The stage 'Unassigned', for what a table does not place in a stage."""
        if self.unassigned is None:
            self.unassigned = Draft("stage", "Unassigned", "unassigned")
        return self.unassigned

    def touchpoint(self, stage: Draft | None, name: str) -> tuple[Draft, Draft]:
        """The touchpoint of that name in ``stage`` (any stage when ``None``) and its stage.

        A touchpoint placed in 'Unassigned' moves to the first real stage a later row gives
        it; the same name in two stages is two touchpoints with two ids.
        """
        slug = slugify(name, fallback="touchpoint")
        found = self.tps.setdefault(slug, [])
        if stage is None:
            if found:
                return found[0]
            stage = self.fallback_stage()
        for i, (s, tp) in enumerate(found):
            if s is stage:
                return s, tp
            if s is self.unassigned and stage is not self.unassigned:
                s.children.remove(tp)
                stage.children.append(tp)
                found[i] = (stage, tp)
                self.moved.append(
                    f"touchpoint {tp.name!r} moved from 'Unassigned' to {stage.name!r}"
                )
                return stage, tp
        ident = slug if slug not in self.tp_ids else f"{slug}-{stage.id}"
        n = 2
        while ident in self.tp_ids:
            ident, n = f"{slug}-{stage.id}-{n}", n + 1
        tp = Draft("touchpoint", name, ident)
        self.tp_ids.add(ident)
        stage.children.append(tp)
        found.append((stage, tp))
        return stage, tp

    def keyed(
        self, registry: dict[tuple[str, str], Draft], kind: str, place: str, name: str
    ) -> Draft:
        """The pain point or action item of that name at ``place`` (a touchpoint or stage id)."""
        slug = slugify(name, fallback=kind.replace(" ", "-"))
        key = (place, slug)
        if key not in registry:
            taken = self.taken.setdefault(kind, set())
            ident, n = slug, 2
            while ident in taken:
                ident, n = f"{slug}-{n}", n + 1
            taken.add(ident)
            registry[key] = Draft(kind, name, ident)
        return registry[key]

    def insight(self, source: str) -> Draft:
        """The insight a source of insight names, its kind guessed from the words."""
        slug = slugify(source, fallback="insight")
        if slug not in self.insights:
            self.insights[slug] = Draft(
                "insight", source, slug, data={"kind": insight_kind_of(source)}
            )
        return self.insights[slug]

    # -- the map -----------------------------------------------------------------------------

    def build(self, meta: dict[str, str]) -> JourneyMap:
        """The validated map, ids pinned; raises when it is not valid or not consistent."""
        stages = list(self.stages.values())
        # the fallback stage comes last; it is left out when every touchpoint put there was
        # placed in a real stage by a later table
        if self.unassigned is not None and (
            self.unassigned.children
            or self.unassigned_named
            or any(
                o.data.get("stage") == "unassigned"
                for o in (*self.pains.values(), *self.actions.values())
            )
        ):
            stages.append(self.unassigned)
        data: dict[str, Any] = {
            **meta,
            "stages": [s.dump() for s in stages],
            "pain_points": [p.dump() for p in self.pains.values()],
            "opportunities": [o.dump() for o in self.actions.values()],
            "kpis": [k.dump() for k in self.kpis.values()],
            "insights": [i.dump() for i in self.insights.values()],
        }
        if self.persona is not None:
            data["persona"] = {"name": self.persona.name, **self.persona.data}
        data = {k: v for k, v in data.items() if v != []}
        try:
            m = JourneyMap.model_validate(data)
        except ValidationError as exc:  # values are checked cell by cell; this is a bug
            raise TableImportError(f"the imported map is not valid: {exc}") from exc
        pin_ids(m)
        findings = check_map(m)
        if findings:
            raise TableImportError(
                "the imported map is not consistent: " + "; ".join(f.message for f in findings)
            )
        return m
