"""Import a journey map from tables: Markdown pipe tables, CSV files and Excel workbooks.

Teams often start from tables pasted into a document, like the seed articles' ::

    Touchpoint | Expected Emotion | Actual Emotion | Gap in Experience |
    ---|---|---|---|
    Website Visit | Interested | Frustrated | Navigation issues |

:func:`import_tables` reads every table of every file, recognises the columns by their
headers (case, spacing, punctuation and small wording differences do not matter) and merges
the rows into one map: rows that name the same stage, touchpoint, pain point or action item
fill the same object, stages in the order they first appear.

Nothing is dropped silently. A column journeymap does not know is kept in the ``notes`` of
the object the row describes; touchpoints of a table without a stage column go to a stage
"Unassigned"; every such decision is a line of :attr:`ImportResult.report`. A value that cannot
be right (an emotion not on the scale, a severity that is not one) raises
:class:`~journeymap.errors.TableImportError` naming the file and row (Markdown: the line;
CSV: ``row:column``; Excel: ``Sheet!B5``) and what was expected.

Reading the files is :mod:`journeymap.formats._table_readers`; what headers and words mean is
:mod:`journeymap.formats._table_columns`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from pydantic import ValidationError

from journeymap.errors import TableImportError
from journeymap.formats._table_columns import (
    CANONICAL,
    KEY_HEADERS,
    NO,
    SEVERITY,
    STATUS,
    YES,
    channel_of,
    hnorm,
    kpi_kind,
    parse_number,
    plural,
    resolve,
)
from journeymap.formats._table_readers import Cell, RawTable, read_csv, read_markdown, read_xlsx
from journeymap.formats.document import pin_ids
from journeymap.model.base import slugify
from journeymap.model.checks import check_map
from journeymap.model.emotion import DEFAULT_SCALE, format_level, normalise_word
from journeymap.model.evidence import InsightKind, insight_kind_of
from journeymap.model.journey import JourneyMap
from journeymap.model.kpi import KPIKind
from journeymap.model.touchpoint import CHANNELS

__all__ = ["ImportResult", "import_tables"]


@dataclass
class ImportResult:
    """The imported map (ids pinned, so saving writes them) and what was done, line by line."""

    map: JourneyMap
    report: list[str]


# ---- building the map ----------------------------------------------------------------------


@dataclass
class _Obj:
    """A map object under construction: its fields as they will be validated."""

    kind: str
    name: str
    id: str
    data: dict[str, Any] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    where: dict[str, str] = field(default_factory=dict)
    children: list[_Obj] = field(default_factory=list)  # a stage's touchpoints

    def dump(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "name": self.name, **self.data}
        if self.notes:
            out["notes"] = dict(self.notes)
        if self.kind == "stage" and self.children:
            out["touchpoints"] = [c.dump() for c in self.children]
        return out


class _Builder:
    def __init__(self) -> None:
        self.report: list[str] = []
        self.stages: dict[str, _Obj] = {}
        self.unassigned: _Obj | None = None
        self.unassigned_named = False  # a table names the stage "Unassigned" itself
        self.tps: dict[str, list[tuple[_Obj, _Obj]]] = {}  # slug -> [(stage, touchpoint)]
        self.tp_ids: set[str] = set()
        self.pains: dict[tuple[str, str], _Obj] = {}
        self.actions: dict[tuple[str, str], _Obj] = {}
        self.kpis: dict[tuple[str, str], _Obj] = {}
        self.insights: dict[str, _Obj] = {}
        self.persona: _Obj | None = None
        self.moved: list[str] = []

    # -- setting values ----------------------------------------------------------------------

    def set(self, obj: _Obj, key: str, value: Any, cell: Cell, label: str) -> None:
        if key not in obj.data:
            obj.data[key] = value
            obj.where[key] = cell.where
        elif obj.data[key] != value:
            self.report.append(
                f"{cell.where}: {obj.kind} {obj.name!r}: {label} {value!r} differs from "
                f"{obj.data[key]!r} given at {obj.where[key]}; kept the first"
            )

    def actual(self, tp: _Obj, word: str, cell: Cell, label: str) -> None:
        """Set a touchpoint's actual emotion (which may already carry a source)."""
        current = tp.data.get("actual_emotion")
        if current is None:
            self.set(tp, "actual_emotion", {"emotion": word}, cell, label)
        elif current["emotion"] != word:
            self.set(tp, "actual_emotion", {**current, "emotion": word}, cell, label)

    def add(self, obj: _Obj, key: str, values: list[str]) -> None:
        current: list[str] = obj.data.setdefault(key, [])
        current += [v for v in values if v not in current]

    def note(self, obj: _Obj, header: str, cell: Cell) -> None:
        if header not in obj.notes:
            obj.notes[header] = cell.text
            obj.where["notes:" + header] = cell.where
        elif obj.notes[header] != cell.text:
            self.report.append(
                f"{cell.where}: {obj.kind} {obj.name!r}: {header!r} {cell.text!r} differs "
                f"from {obj.notes[header]!r} given at {obj.where['notes:' + header]}; "
                "kept the first"
            )

    # -- finding or creating objects ---------------------------------------------------------

    def stage(self, name: str) -> _Obj:
        slug = slugify(name, fallback="stage")
        if slug == "unassigned":
            self.unassigned_named = True
            return self.fallback_stage()
        if slug not in self.stages:
            self.stages[slug] = _Obj("stage", name, slug)
        return self.stages[slug]

    def fallback_stage(self) -> _Obj:
        if self.unassigned is None:
            self.unassigned = _Obj("stage", "Unassigned", "unassigned")
        return self.unassigned

    def touchpoint(self, stage: _Obj | None, name: str) -> tuple[_Obj, _Obj]:
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
        tp = _Obj("touchpoint", name, ident)
        self.tp_ids.add(ident)
        stage.children.append(tp)
        found.append((stage, tp))
        return stage, tp

    def _keyed(
        self, registry: dict[tuple[str, str], _Obj], kind: str, place: str, name: str
    ) -> _Obj:
        slug = slugify(name, fallback=kind.replace(" ", "-"))
        key = (place, slug)
        if key not in registry:
            taken = {o.id for o in registry.values()}
            ident, n = slug, 2
            while ident in taken:
                ident, n = f"{slug}-{n}", n + 1
            registry[key] = _Obj(kind, name, ident)
        return registry[key]

    def insight(self, source: str) -> _Obj:
        slug = slugify(source, fallback="insight")
        if slug not in self.insights:
            self.insights[slug] = _Obj(
                "insight", source, slug, data={"kind": insight_kind_of(source)}
            )
        return self.insights[slug]

    # -- reading values ----------------------------------------------------------------------

    @staticmethod
    def emotion(cell: Cell, header: str) -> str:
        if DEFAULT_SCALE.find(cell.text) is None:
            raise TableImportError(
                f"{cell.where}: column {header!r}: {DEFAULT_SCALE.unknown_message(cell.text)}"
            )
        return cell.text

    @staticmethod
    def choice(cell: Cell, header: str, table: dict[str, str], what: str) -> str:
        found = table.get(normalise_word(cell.text))
        if found is None:
            accepted = ", ".join(dict.fromkeys(table.values()))
            raise TableImportError(
                f"{cell.where}: column {header!r}: unknown {what} {cell.text!r}; "
                f"expected one of: {accepted}"
            )
        return found

    @staticmethod
    def flag(cell: Cell, header: str) -> bool:
        word = normalise_word(cell.text) or cell.text.strip()
        if word in YES:
            return True
        if word in NO:
            return False
        raise TableImportError(
            f"{cell.where}: column {header!r}: {cell.text!r} is not a yes/no value; "
            "expected yes, no, x, true or false"
        )

    @staticmethod
    def number(cell: Cell, header: str) -> tuple[float, str]:
        found = parse_number(cell.text)
        if found is None:
            raise TableImportError(
                f"{cell.where}: column {header!r}: {cell.text!r} is not a number; "
                "expected a number such as 95, 95% or 1,000"
            )
        return found

    def channel(self, obj: _Obj, cell: Cell, header: str) -> None:
        channel = channel_of(cell.text)
        if channel is None:
            channel = "other"
            self.note(obj, header, cell)
            self.report.append(
                f"{cell.where}: channel {cell.text!r} is not one journeymap knows; stored as "
                f"'other' with the original word kept in the notes (known: {', '.join(CHANNELS)})"
            )
        self.set(obj, "channel", channel, cell, "channel")

    # -- building --------------------------------------------------------------------------

    def build(self, meta: dict[str, str]) -> JourneyMap:
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


# ---- interpreting one table ----------------------------------------------------------------

_TP_FIELDS = {"channel", "expected_emotion", "actual_emotion", "gap_note", "gap", "thoughts"}
_TP_FIELDS |= {"actions", "moment_of_truth"}
_PAIN_FIELDS = {"severity", "trigger", "customer_reaction", "departments"}
_ACTION_FIELDS = {"expected_outcome", "status"}
_LIST_SPLIT = re.compile(r"[,;\n]")


def _interpret(b: _Builder, table: RawTable) -> bool:
    """Merge one table into the map; ``False`` when none of its columns can place a row."""
    columns: list[tuple[int, str | None, str]] = []  # (index, role, header)
    roles: dict[str, int] = {}
    for j, h in enumerate(table.headers):
        if not h.text:
            if any(r[j].text for r in table.rows):
                columns.append((j, None, f"column {j + 1}"))
            continue
        found = resolve(h.text)
        role = found[0] if found else None
        if role is not None and role in roles:
            b.report.append(
                f"{h.where}: column {h.text!r} means {CANONICAL[role]!r} like an earlier "
                "column of the table; kept as a note"
            )
            role = None
        if role is not None:
            roles[role] = j
            if found and not found[1]:
                b.report.append(f"{h.where}: column {h.text!r} read as {CANONICAL[role]!r}")
        columns.append((j, role, h.text))

    # a Gap is checked against, and a source attached to, the emotions the row sets
    ordered = sorted(columns, key=lambda col: col[1] in ("gap", "source"))
    names = " | ".join(h.text for h in table.headers if h.text)
    rows = [r for r in table.rows if any(c.text for c in r)]
    headers_norm = [hnorm(h.text) for h in table.headers if h.text]
    if headers_norm == ["field", "value"]:
        _persona(b, table, rows)
        return True
    has = roles.__contains__
    if (
        has("kpi")
        or any(r.startswith("rate:") for r in roles)
        or (has("input:customers_at_start") and has("input:customers_at_end"))
    ):
        b.report.append(f"{table.where}: table {names!r}: {plural(len(rows), 'row')} of KPIs")
        _kpis(b, columns, rows)
        return True
    if has("insight") and not any(has(r) for r in ("stage", "touchpoint", "pain_point")):
        b.report.append(f"{table.where}: table {names!r}: {plural(len(rows), 'row')} of insights")
        _insights(b, columns, rows)
        return True
    if not any(has(r) for r in ("stage", "touchpoint", "pain_point", "action_item")):
        b.report.append(f"{table.where}: table {names!r} skipped: it has no {KEY_HEADERS} column")
        return False

    counts = {"stage": 0, "touchpoint": 0, "pain point": 0, "action item": 0}
    seen: dict[str, set[str]] = {k: set() for k in counts}
    unknown_where: dict[str, str] = {}
    filled, fallback, skipped = 0, 0, []
    gap_checked = False
    previous_stage: _Obj | None = None
    start = len(b.report)  # the table's summary line goes before what its rows report

    def cell(row: list[Cell], role: str) -> Cell | None:
        j = roles.get(role)
        return row[j] if j is not None and row[j].text else None

    for row in rows:
        stage_cell = cell(row, "stage")
        tp_cell, pp_cell, act_cell = (
            cell(row, "touchpoint"),
            cell(row, "pain_point"),
            cell(row, "action_item"),
        )
        stage: _Obj | None = None
        if stage_cell:
            stage = b.stage(stage_cell.text)
        elif has("stage") and previous_stage is not None and (tp_cell or pp_cell or act_cell):
            stage, filled = previous_stage, filled + 1
        previous_stage = stage or previous_stage
        tp: _Obj | None = None
        if tp_cell:
            was_known = bool(b.tps.get(slugify(tp_cell.text, fallback="touchpoint")))
            stage, tp = b.touchpoint(stage, tp_cell.text)
            if stage is b.unassigned and not was_known and stage_cell is None:
                fallback += 1
        elif stage is None and (pp_cell or act_cell):
            stage, fallback = b.fallback_stage(), fallback + 1
        if stage is None:
            skipped.append(row[0].where)
            continue
        place = tp.id if tp else stage.id
        pp = b._keyed(b.pains, "pain point", place, pp_cell.text) if pp_cell else None
        act = b._keyed(b.actions, "action item", place, act_cell.text) if act_cell else None
        for obj in (pp, act):
            if obj is not None:
                if tp is not None:
                    obj.data.setdefault("touchpoint", tp.id)
                else:
                    obj.data.setdefault("stage", stage.id)
        if act is not None and pp is not None:
            b.add(act, "addresses", [pp.id])
        for kind, obj in (("stage", stage), ("touchpoint", tp), ("pain point", pp)):
            if obj is not None and obj.id not in seen[kind]:
                seen[kind].add(obj.id)
                counts[kind] += 1
        if act is not None and act.id not in seen["action item"]:
            seen["action item"].add(act.id)
            counts["action item"] += 1
        primary: _Obj = act or pp or tp or stage
        gap_cell: Cell | None = None
        for j, role, header in ordered:
            c = row[j]
            if not c.text or role in ("stage", "touchpoint", "pain_point", "action_item"):
                continue
            if role is None:
                b.note(primary, header, c)
                unknown_where.setdefault(header, primary.kind)
                continue
            target: _Obj | None = None
            if role in ("customer_goal", "business_goal"):
                b.set(stage, role, c.text, c, header)
            elif role == "emotion" or (role == "actual_emotion" and tp is None):
                if tp is not None:
                    b.actual(tp, b.emotion(c, header), c, header)
                else:
                    b.set(stage, "emotion", b.emotion(c, header), c, header)
            elif role == "observed_behavior":
                b.set(tp or stage, role, c.text, c, header)
            elif role in _TP_FIELDS and tp is not None:
                if role == "channel":
                    b.channel(tp, c, header)
                elif role == "expected_emotion":
                    b.set(tp, role, b.emotion(c, header), c, header)
                elif role == "actual_emotion":
                    b.actual(tp, b.emotion(c, header), c, header)
                elif role == "gap":
                    gap_cell = c  # checked once the row's emotions are read
                elif role == "gap_note":
                    b.set(tp, role, c.text, c, header)
                elif role == "moment_of_truth":
                    b.set(tp, role, b.flag(c, header), c, header)
                else:  # thoughts, actions: one per line
                    b.add(tp, role, [line.strip() for line in c.text.split("\n") if line.strip()])
            elif role in _PAIN_FIELDS and pp is not None:
                if role == "severity":
                    b.set(pp, role, b.choice(c, header, SEVERITY, "severity"), c, header)
                elif role == "departments":
                    parts = [p.strip() for p in _LIST_SPLIT.split(c.text) if p.strip()]
                    b.add(pp, role, parts)
                else:
                    b.set(pp, role, c.text, c, header)
            elif role in _ACTION_FIELDS and act is not None:
                if role == "status":
                    b.set(act, role, b.choice(c, header, STATUS, "status"), c, header)
                else:
                    b.set(act, role, c.text, c, header)
            elif role == "source" and (pp is not None or (tp and "actual_emotion" in tp.data)):
                ins = b.insight(c.text)
                if pp is not None:
                    b.set(pp, "source", c.text, c, header)
                    b.add(pp, "evidence", [ins.id])
                elif tp is not None:
                    act_emotion = dict(tp.data["actual_emotion"])
                    act_emotion.setdefault("source", c.text)
                    act_emotion["evidence"] = [*act_emotion.get("evidence", []), ins.id]
                    tp.data["actual_emotion"] = act_emotion
            elif role in ("owner", "description") and primary.kind != "stage":
                b.set(primary, role, c.text, c, header)
            elif role == "description":
                b.set(stage, role, c.text, c, header)
            else:
                target = primary
            if target is not None:
                b.note(target, header, c)
                unknown_where.setdefault(header, target.kind)
        if gap_cell is not None and tp is not None:
            gap_checked |= _check_gap(b, tp, gap_cell, _header(table, roles["gap"]), table, roles)

    created = ", ".join(plural(n, k) for k, n in counts.items() if n)
    b.report.insert(
        start,
        f"{table.where}: table {names!r}: {plural(len(rows), 'row')}"
        + (f" -> {created}" if created else ""),
    )
    known_role = {h: role for _, role, h in columns}
    for header, kind in unknown_where.items():
        why = (
            "is not a column journeymap knows"
            if known_role.get(header) is None
            else (f"has no field on a {kind} here")
        )
        b.report.append(f"{table.where}: column {header!r} {why}; kept in the notes of each {kind}")
    if filled:
        b.report.append(
            f"{table.where}: {plural(filled, 'row')} without a stage took the stage "
            "of the row above"
        )
    if fallback:
        b.report.append(
            f"{table.where}: no stage given for {plural(fallback, 'row')}; placed in stage "
            "'Unassigned' (add a Stage column to place them)"
        )
    if gap_checked:
        b.report.append(
            f"{table.where}: column {_header(table, roles['gap'])!r} is computed (actual − "
            "expected emotion); checked against the emotions, not stored"
        )
    if skipped:
        b.report.append(
            f"{table.where}: {plural(len(skipped), 'row')} skipped: no stage, touchpoint, pain "
            f"point or action item to attach them to ({', '.join(skipped)})"
        )
    return True


def _header(table: RawTable, j: int) -> str:
    return table.headers[j].text


def _is_plain_number(text: str) -> bool:
    found = parse_number(text)
    return found is not None and not found[1]


def _check_gap(
    b: _Builder, tp: _Obj, c: Cell, header: str, table: RawTable, roles: dict[str, int]
) -> bool:
    """A Gap cell: a number is derived data to check; words are the gap in experience."""
    j = roles["gap"]
    numeric = all(_is_plain_number(r[j].text) for r in table.rows if r[j].text)
    if not numeric:
        b.set(tp, "gap_note", c.text, c, header)
        return False
    value = parse_number(c.text)
    assert value is not None
    exp = tp.data.get("expected_emotion")
    act = tp.data.get("actual_emotion")
    if exp is not None and act is not None:
        want = DEFAULT_SCALE.value(act["emotion"]) - DEFAULT_SCALE.value(exp)
        if value[0] != want:
            b.report.append(
                f"{c.where}: column {header!r}: touchpoint {tp.name!r} has gap {c.text!r}, but "
                f"actual − expected = {format_level(want)}; the gap is computed, so "
                f"{format_level(want)} is what the map shows"
            )
    return True


def _kpis(b: _Builder, columns: list[tuple[int, str | None, str]], rows: list[list[Cell]]) -> None:
    roles = {role: j for j, role, _ in columns if role}
    headers = {j: h for j, _, h in columns}
    dropped: dict[str, str] = {}
    for row in rows:

        def get(role: str, row: list[Cell] = row) -> Cell | None:
            j = roles.get(role)
            return row[j] if j is not None and row[j].text else None

        period = get("period")
        inputs: dict[str, float] = {}
        extra: list[tuple[str, Cell]] = []
        for j, role, header in columns:
            c = row[j]
            if not c.text:
                continue
            if role and role.startswith("input:"):
                inputs[role.removeprefix("input:")] = b.number(c, header)[0]
            elif role is None or role not in (
                "kpi",
                "value",
                "target",
                "period",
                "definition",
                "stage",
                "rate:retention",
                "rate:churn",
            ):
                extra.append((header, c))
        for header, c in extra:
            found = parse_number(c.text)
            if found is not None and not found[1]:
                inputs[re.sub(r"[^a-z0-9]+", "_", header.lower()).strip("_")] = found[0]
            else:
                dropped.setdefault(header, c.where)
        made: list[tuple[_Obj, Cell]] = []
        if roles.get("kpi") is not None:
            name_cell = get("kpi")
            if name_cell is None:
                b.report.append(f"{row[0].where}: row without a KPI name skipped")
                continue
            kpi = _kpi(b, name_cell.text, period)
            for role in ("value", "target"):
                vc = get(role)
                if vc:
                    number, unit = b.number(vc, headers[roles[role]])
                    b.set(kpi, role, number, vc, headers[roles[role]])
                    if unit:
                        b.set(kpi, "unit", unit, vc, "unit")
            made.append((kpi, name_cell))
        rates: tuple[tuple[str, KPIKind], ...] = (
            ("rate:retention", "retention"),
            ("rate:churn", "churn"),
        )
        for role, kind in rates:
            rc = get(role)
            if rc is None:
                continue
            header = headers[roles[role]]
            name = re.sub(r"\s*\(.*?\)\s*$", "", header).strip() or header
            kpi = _kpi(b, name, period, kind=kind)
            number, unit = b.number(rc, header)
            b.set(kpi, "value", number, rc, header)
            if unit or "%" in header:
                b.set(kpi, "unit", unit or "%", rc, header)
            made.append((kpi, rc))
        start, end = inputs.get("customers_at_start"), inputs.get("customers_at_end")
        if not made and start and end is not None:
            cell0 = get("input:customers_at_end") or row[0]
            kpi = _kpi(b, "Retention Rate", period, kind="retention")
            value = round((end - inputs.get("new_customers", 0)) / start * 100, 2)
            b.set(kpi, "value", value, cell0, "value")
            b.set(kpi, "unit", "%", cell0, "unit")
            b.report.append(
                f"{cell0.where}: retention computed as (customers at end − new) ÷ customers "
                f"at start × 100 = {value:g}%"
            )
            made.append((kpi, cell0))
        for kpi, c in made:
            if period:
                b.set(kpi, "period", period.text, period, "period")
            for role in ("definition",):
                dc = get(role)
                if dc:
                    b.set(kpi, role, dc.text, dc, headers[roles[role]])
            sc = get("stage")
            if sc:
                b.set(kpi, "stage", b.stage(sc.text).id, sc, headers[roles["stage"]])
            if inputs:
                merged = {**kpi.data.get("inputs", {}), **inputs}
                kpi.data["inputs"] = merged
            if kpi.data.get("kind") == "retention" and start and end is not None:
                want = (end - inputs.get("new_customers", 0)) / start * 100
                got = kpi.data.get("value")
                if isinstance(got, float) and abs(got - want) > 0.5:
                    b.report.append(
                        f"{c.where}: {kpi.name!r} is {got:g}, but (customers at end − new) ÷ "
                        f"customers at start × 100 = {want:.4g}; kept {got:g} as written"
                    )
    for header, where in dropped.items():
        b.report.append(
            f"{where}: column {header!r} is not a KPI field and not a number; not kept "
            "(a KPI has no notes)"
        )


def _kpi(b: _Builder, name: str, period: Cell | None, *, kind: KPIKind | None = None) -> _Obj:
    slug = slugify(name, fallback="kpi")
    when = period.text if period else ""
    if (slug, when) in b.kpis:
        return b.kpis[(slug, when)]
    taken = {o.id for o in b.kpis.values()}
    shown, ident = name, slug
    if ident in taken and when:
        shown, ident = f"{name} ({when})", slugify(f"{name} {when}")
    n = 2
    while ident in taken:
        ident, n = f"{slug}-{n}", n + 1
    kpi = _Obj("KPI", shown, ident, data={"kind": kind or kpi_kind(name)})
    b.kpis[(slug, when)] = kpi
    return kpi


_INSIGHT_KINDS: tuple[str, ...] = get_args(InsightKind)


def _insights(
    b: _Builder, columns: list[tuple[int, str | None, str]], rows: list[list[Cell]]
) -> None:
    roles = {role: j for j, role, _ in columns if role}
    for row in rows:
        name = row[roles["insight"]]
        if not name.text:
            b.report.append(f"{name.where}: row without an insight name skipped")
            continue
        ins = b.insight(name.text)
        for j, role, header in columns:
            c = row[j]
            if not c.text or role == "insight":
                continue
            if role == "kind":
                kind = b.choice(c, header, {k: k for k in _INSIGHT_KINDS}, "kind of insight")
                ins.data["kind"] = kind
            elif role == "date":
                try:
                    b.set(ins, "date", dt.date.fromisoformat(c.text), c, header)
                except ValueError:
                    raise TableImportError(
                        f"{c.where}: column {header!r}: {c.text!r} is not a date; "
                        "expected YYYY-MM-DD"
                    ) from None
            elif role == "sample_size":
                b.set(ins, "n", int(b.number(c, header)[0]), c, header)
            elif role in ("description", "finding", "link"):
                b.set(ins, role, c.text, c, header)
            else:
                b.report.append(f"{c.where}: column {header!r} not kept (an insight has no notes)")


_PERSONA_FIELDS = {
    "name": "name",
    "description": "description",
    "age": "age",
    "role": "role",
    "segment": "segment",
    "quote": "quote",
    "goals": "goals",
    "needs": "needs",
    "frustrations": "frustrations",
    "datasources": "data_sources",
}


def _persona(b: _Builder, table: RawTable, rows: list[list[Cell]]) -> None:
    values: dict[str, Any] = {}
    for row in rows:
        key, value = row[0], row[1]
        name = _PERSONA_FIELDS.get(hnorm(key.text))
        if name is None:
            b.report.append(f"{key.where}: persona field {key.text!r} not kept (unknown field)")
        elif name == "age":
            values[name] = int(b.number(value, "Value")[0])
        elif name in ("goals", "needs", "frustrations", "data_sources"):
            values[name] = [v.strip() for v in value.text.split("\n") if v.strip()]
        elif value.text:
            values[name] = value.text
    if "name" not in values:
        b.report.append(f"{table.where}: persona table without a Name row skipped")
        return
    name = values.pop("name")
    b.persona = _Obj("persona", name, slugify(name), data=values)
    b.report.append(f"{table.where}: persona {name!r}")


# ---- the entry point -----------------------------------------------------------------------

_MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".txt", ".text", ""}


def import_tables(paths: Sequence[str | Path], *, title: str | None = None) -> ImportResult:
    """Build a map from the tables in Markdown, CSV and XLSX files (merged, in order).

    Raises :class:`~journeymap.errors.TableImportError` for a file that cannot be read or
    holds no table journeymap recognises, and for a value that cannot be right, naming the
    file, row and column.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    if not paths:
        raise TableImportError("no files given; expected Markdown, CSV or XLSX files")
    b = _Builder()
    meta: dict[str, str] = {}
    for raw in paths:
        path = Path(raw)
        file = str(raw)
        suffix = path.suffix.lower()
        if not path.is_file():
            what = "is a directory" if path.is_dir() else "no such file"
            raise TableImportError(f"{file}: {what}; expected a Markdown, CSV or XLSX file")
        extra: list[str] = []
        if suffix in (".xlsx", ".xlsm"):
            tables, extra = read_xlsx(path, file)
        elif suffix == ".xls":
            raise TableImportError(
                f"{file}: the old Excel format (.xls) is not supported; save it as .xlsx or CSV"
            )
        elif suffix in (".csv", ".tsv"):
            tables = read_csv(path.read_bytes(), file)
        else:
            try:
                text = path.read_text(encoding="utf-8-sig")
            except UnicodeDecodeError as exc:
                raise TableImportError(
                    f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start}); expected a "
                    "Markdown, CSV or XLSX file"
                ) from None
            tables, found = read_markdown(text, file)
            meta = {**found, **meta}  # the first file that says wins
        b.report.append(f"{file}: {plural(len(tables), 'table')} found")
        b.report += extra
        recognised = False
        for table in tables:
            b.report += table.report
            recognised |= _interpret(b, table)
        if not recognised:
            seen = "; ".join(" | ".join(h.text for h in t.headers if h.text) for t in tables)
            raise TableImportError(
                f"{file}: no table journeymap can read; expected a table whose header row "
                f"names columns such as {KEY_HEADERS}"
                + (f" (found: {seen})" if seen else " (found no table)")
            )
    b.report += b.moved
    meta["title"] = title or meta.get("title") or _title_from(Path(paths[0]))
    m = b.build(meta)
    counts = [
        (len(m.stages), "stage"),
        (sum(len(s.touchpoints) for s in m.stages), "touchpoint"),
        (len(m.pain_points), "pain point"),
        (len(m.opportunities), "action item"),
        (len(m.kpis), "KPI"),
        (len(m.insights), "insight"),
    ]
    b.report.append("imported " + ", ".join(plural(n, what) for n, what in counts if n))
    return ImportResult(map=m, report=b.report)


def _title_from(path: Path) -> str:
    words = re.sub(r"[_\-]+", " ", path.stem).strip()
    return words[:1].upper() + words[1:] if words else "Imported journey map"
