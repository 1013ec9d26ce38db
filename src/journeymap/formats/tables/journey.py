"""Tables of the journey: rows that name a stage, a touchpoint, a pain point or an action item.

A row is first placed: its stage comes from the Stage column, from the row above when the cell
is empty, or is 'Unassigned' when the table has no stage at all; its touchpoint, pain point and
action item are found or created in that place, and a pain point and an action item of one row
are linked. Then every other cell is set on the object it is a field of (a Severity on the pain
point, a Channel on the touchpoint, a Customer Goal on the stage); a cell that is no field of
the row's objects is kept in the notes of the most specific one. The table's report line counts
what the rows created, followed by what was decided for the whole table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from journeymap.formats.tables import values as values
from journeymap.formats.tables.columns import SEVERITY, STATUS, parse_number, plural
from journeymap.formats.tables.draft import Columns, Draft, MapDraft
from journeymap.formats.tables.readers import Cell, RawTable
from journeymap.model.base import slugify
from journeymap.model.emotion import DEFAULT_SCALE, format_level

__all__ = ["KEY_ROLES", "merge_journey_table"]

#: the roles that place a row on the map; a table needs one of them to be a journey table
KEY_ROLES = ("stage", "touchpoint", "pain_point", "action_item")

_TP_FIELDS = {"channel", "expected_emotion", "actual_emotion", "gap_note", "thoughts"}
_TP_FIELDS |= {"actions", "moment_of_truth"}
_PAIN_FIELDS = {"severity", "trigger", "customer_reaction", "departments"}
_ACTION_FIELDS = {"expected_outcome", "status"}
_LIST_SPLIT = re.compile(r"[,;\n]")


@dataclass(frozen=True)
class _Place:
    """The objects one row describes: always a stage, and what else the row names."""

    stage: Draft
    tp: Draft | None
    pp: Draft | None
    act: Draft | None

    @property
    def primary(self) -> Draft:
        """The most specific object of the row: the cells no field takes are its notes."""
        return self.act or self.pp or self.tp or self.stage


def merge_journey_table(
    d: MapDraft, table: RawTable, columns: Columns, rows: list[list[Cell]], title: str
) -> None:
    """Merge the rows of a journey table into the map; ``title`` starts its report line."""
    _JourneyTable(d, table, columns).merge(rows, title)


class _JourneyTable:
    """One journey table being merged: the rows' places, and what to report for the table."""

    def __init__(self, d: MapDraft, table: RawTable, columns: Columns) -> None:
        self.d, self.table, self.columns = d, table, columns
        # a Gap is checked against, and a source attached to, the emotions the row sets
        self.ordered = sorted(columns.items, key=lambda col: col[1] in ("gap", "source"))
        self.seen: dict[str, set[str]] = {
            kind: set() for kind in ("stage", "touchpoint", "pain point", "action item")
        }
        self.noted: dict[str, str] = {}  # header of a column kept as notes -> kind of object
        self.filled = 0  # rows that took the stage of the row above
        self.fallback = 0  # rows placed in 'Unassigned'
        self.skipped: list[str] = []
        self.gap_checked = False
        self.previous_stage: Draft | None = None

    def merge(self, rows: list[list[Cell]], title: str) -> None:
        start = len(self.d.report)  # the table's summary line goes before what its rows report
        for row in rows:
            self.row(row)
        created = ", ".join(plural(len(ids), kind) for kind, ids in self.seen.items() if ids)
        self.d.report.insert(start, title + (f" -> {created}" if created else ""))
        self.d.report += self.remarks()

    def row(self, row: list[Cell]) -> None:
        place = self.place(row)
        if place is None:
            self.skipped.append(row[0].where)
            return
        for kind, obj in (
            ("stage", place.stage),
            ("touchpoint", place.tp),
            ("pain point", place.pp),
            ("action item", place.act),
        ):
            if obj is not None and obj is not self.d.unassigned:
                self.seen[kind].add(obj.id)
        gap_cell: Cell | None = None
        for j, role, header in self.ordered:
            c = row[j]
            if not c.text or role in KEY_ROLES:
                continue
            if role == "gap" and place.tp is not None:
                gap_cell = c  # checked once the row's emotions are read
            elif not _set_field(self.d, place, role, header, c):
                self.d.note(place.primary, header, c)
                self.noted.setdefault(header, place.primary.kind)
        if gap_cell is not None and place.tp is not None:
            self.gap_checked |= self.check_gap(place.tp, gap_cell)

    def place(self, row: list[Cell]) -> _Place | None:
        """Find or create the objects the row names; ``None`` when it has no stage to go in."""
        d, cell = self.d, self.columns.cell
        stage_cell, tp_cell = cell(row, "stage"), cell(row, "touchpoint")
        pp_cell, act_cell = cell(row, "pain_point"), cell(row, "action_item")
        named = bool(tp_cell or pp_cell or act_cell)  # the row names something to place
        stage: Draft | None = None
        if stage_cell:
            stage = d.stage(stage_cell.text, stage_cell.where)
            lists = not any(
                self.columns.has(r) for r in ("touchpoint", "pain_point", "action_item")
            )
            d.saw_stage(self.table.where, stage, lists_stages=lists)
        elif self.columns.has("stage") and self.previous_stage is not None and named:
            stage, self.filled = self.previous_stage, self.filled + 1
        self.previous_stage = stage or self.previous_stage
        tp: Draft | None = None
        if tp_cell:
            was_known = bool(d.tps.get(slugify(tp_cell.text, fallback="touchpoint")))
            stage, tp = d.touchpoint(stage, tp_cell.text)
            if stage is d.unassigned and not was_known and stage_cell is None:
                self.fallback += 1
        elif stage is None and named:
            stage, self.fallback = d.fallback_stage(), self.fallback + 1
        if stage is None:
            return None
        where = tp.id if tp else stage.id
        pp = d.keyed(d.pains, "pain point", where, pp_cell.text) if pp_cell else None
        act = d.keyed(d.actions, "action item", where, act_cell.text) if act_cell else None
        for obj, name_cell in ((pp, pp_cell), (act, act_cell)):
            if obj is not None and name_cell is not None:
                obj.where.setdefault("row", name_cell.where)
                if tp is not None:
                    obj.data.setdefault("touchpoint", tp.id)
                else:
                    obj.data.setdefault("stage", stage.id)
        if act is not None and pp is not None:
            d.add(act, "addresses", [pp.id])
        return _Place(stage, tp, pp, act)

    def check_gap(self, tp: Draft, c: Cell) -> bool:
        """A Gap cell: a number is derived data to check; words are the gap in experience."""
        header = self.columns.header("gap")
        j = self.columns.roles["gap"]
        if not all(_is_plain_number(r[j].text) for r in self.table.rows if r[j].text):
            self.d.set(tp, "gap_note", c.text, c, header)
            return False
        value = parse_number(c.text)
        assert value is not None
        exp = tp.data.get("expected_emotion")
        act = tp.data.get("actual_emotion")
        if exp is not None and act is not None:
            want = DEFAULT_SCALE.value(act["emotion"]) - DEFAULT_SCALE.value(exp)
            if value[0] != want:
                self.d.report.append(
                    f"{c.where}: column {header!r}: touchpoint {tp.name!r} has gap {c.text!r}, "
                    f"but actual − expected = {format_level(want)}; the gap is computed, so "
                    f"{format_level(want)} is what the map shows"
                )
        return True

    def remarks(self) -> list[str]:
        """What was decided for the whole table: notes, stages filled in or not given, ..."""
        where = self.table.where
        out: list[str] = []
        known_role = {header: role for _, role, header in self.columns.items}
        for header, kind in self.noted.items():
            why = (
                "is not a column journeymap knows"
                if known_role.get(header) is None
                else f"has no field on a {kind} here"
            )
            out.append(f"{where}: column {header!r} {why}; kept in the notes of each {kind}")
        if self.filled:
            out.append(
                f"{where}: {plural(self.filled, 'row')} without a stage took the stage "
                "of the row above"
            )
        if self.fallback:
            out.append(
                f"{where}: no stage given for {plural(self.fallback, 'row')}; each goes to the "
                "stage another table links it to (see what was guessed), else to stage "
                "'Unassigned' (add a Stage column to place them)"
            )
        if self.gap_checked:
            out.append(
                f"{where}: column {self.columns.header('gap')!r} is computed (actual − "
                "expected emotion); checked against the emotions, not stored"
            )
        if self.skipped:
            out.append(
                f"{where}: {plural(len(self.skipped), 'row')} skipped: no stage, touchpoint, "
                f"pain point or action item to attach them to ({', '.join(self.skipped)})"
            )
        return out


def _is_plain_number(text: str) -> bool:
    found = parse_number(text)
    return found is not None and not found[1]


# ---- one cell on the objects of its row ----------------------------------------------------


def _set_field(d: MapDraft, place: _Place, role: str | None, header: str, c: Cell) -> bool:
    """Set a cell on the object of the row it is a field of; ``False`` when it is no field of
    them (the cell is then kept as a note)."""
    stage, tp = place.stage, place.tp
    if role is None:
        return False
    if role in ("customer_goal", "business_goal"):
        d.set(stage, role, c.text, c, header)
    elif role == "emotion" or (role == "actual_emotion" and tp is None):
        if tp is not None:
            d.actual(tp, values.emotion(c, header), c, header)
        else:
            d.set(stage, "emotion", values.emotion(c, header), c, header)
    elif role == "observed_behavior":
        d.set(tp or stage, role, c.text, c, header)
    elif role in _TP_FIELDS and tp is not None:
        _touchpoint_field(d, tp, role, header, c)
    elif role in _PAIN_FIELDS and place.pp is not None:
        _pain_point_field(d, place.pp, role, header, c)
    elif role in _ACTION_FIELDS and place.act is not None:
        status = role == "status"
        value = values.choice(c, header, STATUS, "status") if status else c.text
        d.set(place.act, role, value, c, header)
    elif role == "source" and (
        place.pp is not None or (tp is not None and "actual_emotion" in tp.data)
    ):
        _source(d, place, header, c)
    elif role in ("owner", "description") and place.primary.kind != "stage":
        d.set(place.primary, role, c.text, c, header)
    elif role == "description":
        d.set(stage, role, c.text, c, header)
    else:
        return False
    return True


def _touchpoint_field(d: MapDraft, tp: Draft, role: str, header: str, c: Cell) -> None:
    if role == "channel":
        d.channel(tp, c, header)
    elif role == "expected_emotion":
        d.set(tp, role, values.emotion(c, header), c, header)
    elif role == "actual_emotion":
        d.actual(tp, values.emotion(c, header), c, header)
    elif role == "gap_note":
        d.set(tp, role, c.text, c, header)
    elif role == "moment_of_truth":
        d.set(tp, role, values.flag(c, header), c, header)
    else:  # thoughts, actions: one per line
        d.add(tp, role, values.lines(c.text))


def _pain_point_field(d: MapDraft, pp: Draft, role: str, header: str, c: Cell) -> None:
    if role == "severity":
        d.set(pp, role, values.choice(c, header, SEVERITY, "severity"), c, header)
    elif role == "departments":
        d.add(pp, role, [p.strip() for p in _LIST_SPLIT.split(c.text) if p.strip()])
    else:
        d.set(pp, role, c.text, c, header)


def _source(d: MapDraft, place: _Place, header: str, c: Cell) -> None:
    """A source of insight: an insight, which the pain point (else the touchpoint's actual
    emotion) names as its source and evidence."""
    ins = d.insight(c.text)
    if place.pp is not None:
        d.set(place.pp, "source", c.text, c, header)
        d.add(place.pp, "evidence", [ins.id])
    elif place.tp is not None:
        felt = dict(place.tp.data["actual_emotion"])
        felt.setdefault("source", c.text)
        felt["evidence"] = [*felt.get("evidence", []), ins.id]
        place.tp.data["actual_emotion"] = felt
