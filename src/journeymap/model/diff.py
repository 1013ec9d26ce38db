"""Semantic diff of two versions of a journey map.

Objects are matched by ``id``, so a renamed touchpoint is a rename, not a removal and an
addition (ids derived from names do not survive renames: pin them with ``journeymap fmt``).
The diff speaks the language of the map: stages and touchpoints added, removed, renamed,
moved or reordered; emotions changed with their delta on the scale; pain points added,
removed or re-rated; action items added, removed or closed; KPI values and targets; the map's
own lanes added, removed, renamed or reordered and their cards added, removed or edited (a card
has no id: it is matched by its text within its lane). Every other field is reported
generically as ``path old -> new``.

``diff(old, new).summary()`` gives one line ("Checkout actual emotion −1; 3 new pain points"),
``to_text()`` a readable report grouped by stage, ``to_dict()`` a JSON-ready form.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel

from journeymap._numbers import count, figure, number
from journeymap.model.base import slugify
from journeymap.model.emotion import EmotionScale, format_level, normalise_word
from journeymap.model.evidence import Insight
from journeymap.model.journey import (
    SEVERITY_RANK,
    JourneyMap,
    Lane,
    LaneItem,
    Opportunity,
    PainPoint,
)
from journeymap.model.kpi import KPI
from journeymap.model.touchpoint import Stage, Touchpoint

__all__ = ["Change", "MapDiff", "card_keys", "diff", "object_of"]

_Item = TypeVar("_Item", PainPoint, Opportunity, KPI, Insight)

_LEVEL_SUFFIX = re.compile(r"\s*\([+\-−]?\d+\)$")


@dataclass(frozen=True)
class Change:
    """One change between two versions of a map.

    ``kind`` is a stable word such as ``touchpoint-renamed`` or ``emotion-changed``;
    ``path`` names the object by id and the field, e.g. ``touchpoints.checkout.actual_emotion``;
    ``subject`` is the object's display name; ``old``/``new`` are JSON-ready values;
    ``delta`` is ``new - old`` where that means something (emotion level, severity rank,
    KPI value); ``stage`` is the id of the stage the change belongs to, if any.
    """

    kind: str
    path: str
    subject: str
    message: str
    old: Any = None
    new: Any = None
    delta: float | None = None
    stage: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "path": self.path,
            "subject": self.subject,
            "message": self.message,
            "old": _jsonable(self.old),
            "new": _jsonable(self.new),
            "delta": self.delta,
            "stage": self.stage,
        }


@dataclass(frozen=True)
class MapDiff:
    """The changes from one version of a map to the next; false when there are none."""

    changes: list[Change] = field(default_factory=list)
    #: (id, name) of every stage of either version: the new order, then removed stages.
    stages: tuple[tuple[str, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def of_kind(self, *kinds: str) -> list[Change]:
        return [c for c in self.changes if c.kind in kinds]

    def summary(self) -> str:
        """One line: "Checkout actual emotion −1; 3 new pain points". Its counts agree with
        the changes listed: every emotion that changed counts (a touchpoint's expected and
        actual emotion are two), other objects count once however many of their fields
        changed."""
        if not self.changes:
            return "no changes"
        parts: list[str] = []
        moved = [c for c in self.changes if c.kind == "emotion-changed" and c.delta]
        for c in moved[:3]:
            assert c.delta is not None
            parts.append(f"{c.subject} {_which_emotion(c.path)} {_signed(c.delta)}")
        if len(moved) > 3:
            parts.append(_count(len(moved) - 3, "more emotion change", "more emotion changes"))
        counted: dict[str, set[str]] = {}
        for c in self.changes:
            if c.kind == "emotion-changed" and c.delta:
                continue
            phrase = _PHRASES.get(c.kind, _OTHER)
            # count objects, not fields ("2 pain points edited"), except emotions (a
            # touchpoint has two: both changed are 2 emotions changed, each listed) and the
            # catch-all
            by_field = phrase is _OTHER or c.kind == "emotion-changed"
            counted.setdefault(phrase[0], set()).add(c.path if by_field else object_of(c))
        for singular, plural in _PHRASE_ORDER:
            if singular in counted:
                n = len(counted[singular])
                parts.append(singular if plural is None else _count(n, singular, plural))
        return "; ".join(parts)

    def to_text(self) -> str:
        """A readable report: a summary line, then the changes grouped by stage."""
        if not self.changes:
            return "No changes.\n"
        lines = [self.summary(), ""]
        groups: dict[str | None, list[Change]] = {}
        for c in self.changes:
            groups.setdefault(c.stage, []).append(c)
        names = dict(self.stages)
        order: list[str | None] = [None, *(sid for sid, _ in self.stages)]
        order += [sid for sid in groups if sid not in order]
        for sid in order:
            if sid not in groups:
                continue
            lines.append("Map" if sid is None else f"Stage {names.get(sid, sid)}")
            lines += [f"  - {c.message}" for c in groups[sid]]
            lines.append("")
        return "\n".join(lines).rstrip("\n") + "\n"

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary(),
            "changed": bool(self.changes),
            "changes": [c.to_dict() for c in self.changes],
        }


# ---- summary phrases -------------------------------------------------------------------------

_OTHER = ("other change", "other changes")
_PHRASES: dict[str, tuple[str, str | None]] = {
    "title-changed": ("title changed", None),
    "objective-changed": ("objective changed", None),
    "persona-changed": ("persona changed", None),
    "stage-added": ("new stage", "new stages"),
    "stage-removed": ("stage removed", "stages removed"),
    "stage-renamed": ("stage renamed", "stages renamed"),
    "stage-reordered": ("stage reordered", "stages reordered"),
    "touchpoint-added": ("new touchpoint", "new touchpoints"),
    "touchpoint-removed": ("touchpoint removed", "touchpoints removed"),
    "touchpoint-renamed": ("touchpoint renamed", "touchpoints renamed"),
    "touchpoint-moved": ("touchpoint moved", "touchpoints moved"),
    "touchpoint-reordered": ("touchpoint reordered", "touchpoints reordered"),
    "emotion-changed": ("emotion changed", "emotions changed"),
    "pain-point-added": ("new pain point", "new pain points"),
    "pain-point-removed": ("pain point removed", "pain points removed"),
    "pain-point-severity": ("pain point re-rated", "pain points re-rated"),
    "pain-point-renamed": ("pain point edited", "pain points edited"),
    "pain-point-changed": ("pain point edited", "pain points edited"),
    "opportunity-added": ("new action", "new actions"),
    "opportunity-removed": ("action removed", "actions removed"),
    "opportunity-closed": ("action closed", "actions closed"),
    "opportunity-status": ("action status changed", "action statuses changed"),
    "opportunity-renamed": ("action edited", "actions edited"),
    "opportunity-changed": ("action edited", "actions edited"),
    "kpi-added": ("new KPI", "new KPIs"),
    "kpi-removed": ("KPI removed", "KPIs removed"),
    "kpi-value": ("KPI value changed", "KPI values changed"),
    "kpi-target": ("KPI target changed", "KPI targets changed"),
    "insight-added": ("new insight", "new insights"),
    "insight-removed": ("insight removed", "insights removed"),
    "lane-added": ("new lane", "new lanes"),
    "lane-removed": ("lane removed", "lanes removed"),
    "lane-renamed": ("lane edited", "lanes edited"),
    "lane-changed": ("lane edited", "lanes edited"),
    "lane-reordered": ("lane reordered", "lanes reordered"),
    "lane-card-added": ("new lane card", "new lane cards"),
    "lane-card-removed": ("lane card removed", "lane cards removed"),
    "lane-card-changed": ("lane card edited", "lane cards edited"),
    "lane-card-reordered": ("lane card reordered", "lane cards reordered"),
}
_PHRASE_ORDER: list[tuple[str, str | None]] = list(dict.fromkeys([*_PHRASES.values(), _OTHER]))


def object_of(change: Change) -> str:
    """The path of the object a change is about (``pain_points.slow``,
    ``lanes.regulation.items.kyc-check``), without the field."""
    depth = 4 if change.kind.startswith("lane-card-") else 2
    return ".".join(change.path.split(".")[:depth])


def card_keys(texts: Iterable[str]) -> list[str]:
    """The keys a lane's cards are matched by, given their texts in order: the text as an id
    (``"KYC check"`` -> ``kyc-check``; a hash of it when it has no Latin letters or digits),
    ``-2``, ``-3``, ... for a second and third card that says the same."""
    keys: list[str] = []
    seen: dict[str, int] = {}
    for text in texts:
        stem = slugify(text, fallback="")
        if not stem:
            stem = "card-" + hashlib.sha1(text.encode()).hexdigest()[:8]
        n = seen[stem] = seen.get(stem, 0) + 1
        keys.append(stem if n == 1 else f"{stem}-{n}")
    return keys


def _count(n: int, singular: str, plural: str) -> str:
    return f"{count(n)} {singular if n == 1 else plural}"


def _signed(x: float) -> str:
    """A change of a KPI or a level, with its sign: ``+9``, ``−1.5``, ``0``."""
    text = figure(x)
    return f"+{text}" if x > 0 and text != "0" else text


def _which_emotion(path: str) -> str:
    last = path.rsplit(".", 1)[-1]
    return {"actual_emotion": "actual emotion", "expected_emotion": "expected emotion"}.get(
        last, "emotion"
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return value


def _show(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return number(value, typeset_minus=True)
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)


# ---- the differ ------------------------------------------------------------------------------


def _lcs(a: Sequence[str], b: Sequence[str]) -> set[str]:
    """The items of a longest common subsequence of ``a`` and ``b``."""
    n, m = len(a), len(b)
    table = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            table[i][j] = (
                table[i + 1][j + 1] + 1 if a[i] == b[j] else max(table[i + 1][j], table[i][j + 1])
            )
    out: set[str] = set()
    i = j = 0
    while i < n and j < m:
        if a[i] == b[j]:
            out.add(a[i])
            i += 1
            j += 1
        elif table[i + 1][j] >= table[i][j + 1]:
            i += 1
        else:
            j += 1
    return out


def _dump(obj: BaseModel | None, exclude: Iterable[str]) -> dict[str, Any]:
    if obj is None:
        return {}
    data = obj.model_dump(mode="json", exclude=set(exclude), exclude_defaults=True)
    return data if isinstance(data, dict) else {}


class _Differ:
    def __init__(self, old: JourneyMap, new: JourneyMap) -> None:
        self.old, self.new = old, new
        self.out: list[Change] = []
        self.old_tp = {tp.id: (s, tp) for s, tp in old.iter_touchpoints()}
        self.new_tp = {tp.id: (s, tp) for s, tp in new.iter_touchpoints()}

    def add(
        self,
        kind: str,
        path: str,
        subject: str,
        message: str,
        *,
        old: Any = None,
        new: Any = None,
        delta: float | None = None,
        stage: str | None = None,
    ) -> None:
        self.out.append(Change(kind, path, subject, message, old, new, delta, stage))

    # -- generic field changes

    def fields(
        self,
        kind: str,
        path: str,
        subject: str,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        *,
        stage: str | None,
        depth: int | None = None,
    ) -> None:
        """Report every differing field; ``depth`` parts of the path name the object."""
        if depth is None:
            depth = len(path.split(".")) if path else 0
        for key in dict.fromkeys([*old, *new]):
            a, b = old.get(key), new.get(key)
            where = f"{path}.{key}" if path else key
            if isinstance(a, Mapping) and isinstance(b, Mapping):
                self.fields(kind, where, subject, a, b, stage=stage, depth=depth)
                continue
            if a == b:
                continue
            label = ".".join(where.split(".")[depth:])
            if a is None:
                text = f"{subject}: {label} set to {_show(b)}"
            elif b is None:
                text = f"{subject}: {label} removed (was {_show(a)})"
            else:
                text = f"{subject}: {label} {_show(a)} -> {_show(b)}"
            self.add(kind, where, subject, text, old=a, new=b, stage=stage)

    def renamed(
        self, kind: str, what: str, path: str, old: str, new: str, stage: str | None
    ) -> None:
        if old != new:
            self.add(
                f"{kind}-renamed",
                f"{path}.name",
                new,
                f"{what} renamed '{old}' -> '{new}'",
                old=old,
                new=new,
                stage=stage,
            )

    def emotion(
        self,
        subject: str,
        path: str,
        stage: str | None,
        a: str | int | None,
        b: str | int | None,
    ) -> None:
        if a is None and b is None:
            return
        if a is not None and b is not None and normalise_word(str(a)) == normalise_word(str(b)):
            return
        which = _which_emotion(path)
        old_scale, new_scale = self.old.scale, self.new.scale
        if a is None:
            text = f"{subject}: {which} set to {_emotion(b, new_scale)}"
            self.add("emotion-changed", path, subject, text, new=b, stage=stage)
            return
        if b is None:
            text = f"{subject}: {which} removed (was {_emotion(a, old_scale)})"
            self.add("emotion-changed", path, subject, text, old=a, stage=stage)
            return
        va, vb = old_scale.find(a), new_scale.find(b)
        delta = None if va is None or vb is None else vb.value - va.value
        text = f"{subject}: {which} {_emotion(a, old_scale)} -> {_emotion(b, new_scale)}"
        if delta is not None:
            text += f", {format_level(delta)}" if delta else ", same level"
        self.add("emotion-changed", path, subject, text, old=a, new=b, delta=delta, stage=stage)

    # -- the parts of a map

    def map_fields(self) -> None:
        old, new = self.old, self.new
        if old.name != new.name:
            self.add(
                "title-changed",
                "title",
                new.name,
                f"Title '{old.name}' -> '{new.name}'",
                old=old.name,
                new=new.name,
            )
        if old.objective != new.objective:
            self.add(
                "objective-changed",
                "objective",
                new.name,
                f"Objective {_show(old.objective)} -> {_show(new.objective)}",
                old=old.objective,
                new=new.objective,
            )
        self.persona()
        skip = {"name", "objective", "persona", "stages", "pain_points", "opportunities"}
        skip |= {"kpis", "insights", "lanes"}
        self.fields("map-changed", "", "Map", _dump(old, skip), _dump(new, skip), stage=None)

    def persona(self) -> None:
        a, b = self.old.persona, self.new.persona
        if a is None or b is None:
            persona = b if a is None else a
            if persona is not None:
                self.add(
                    "persona-changed",
                    "persona",
                    persona.name,
                    f"Persona '{persona.name}' {'added' if a is None else 'removed'}",
                    old=None if a is None else _dump(a, ()),
                    new=None if b is None else _dump(b, ()),
                )
            return
        if a.name != b.name:
            self.add(
                "persona-changed",
                "persona.name",
                b.name,
                f"Persona '{a.name}' -> '{b.name}'",
                old=a.name,
                new=b.name,
            )
        self.fields(
            "persona-changed",
            "persona",
            f"Persona '{b.name}'",
            _dump(a, {"name"}),
            _dump(b, {"name"}),
            stage=None,
        )

    def stages(self) -> None:
        old = {s.id: (i, s) for i, s in enumerate(self.old.stages)}
        new = {s.id: (i, s) for i, s in enumerate(self.new.stages)}
        for sid, (i, s) in new.items():
            path = f"stages.{sid}"
            if sid not in old:
                self.add(
                    "stage-added",
                    path,
                    s.name,
                    f"Stage '{s.name}' added at position {i + 1}",
                    new=s.name,
                    stage=sid,
                )
                continue
            _, before = old[sid]
            self.renamed("stage", "Stage", path, before.name, s.name, sid)
            self.emotion(
                s.name, f"{path}.expected_emotion", sid, before.expected_emotion, s.expected_emotion
            )
            self.emotion(s.name, f"{path}.emotion", sid, before.emotion, s.emotion)
            skip = {"id", "name", "expected_emotion", "emotion", "touchpoints"}
            self.fields(
                "stage-changed", path, s.name, _dump(before, skip), _dump(s, skip), stage=sid
            )
        for sid, (_, s) in old.items():
            if sid not in new:
                self.add(
                    "stage-removed",
                    f"stages.{sid}",
                    s.name,
                    f"Stage '{s.name}' removed",
                    old=s.name,
                    stage=sid,
                )
        self.reordered("stage", "stages", self.old.stages, self.new.stages)

    def touchpoints(self) -> None:
        for tid, (stage, tp) in self.new_tp.items():
            path = f"touchpoints.{tid}"
            if tid not in self.old_tp:
                self.add(
                    "touchpoint-added",
                    path,
                    tp.name,
                    f"Touchpoint '{tp.name}' added to {stage.name}",
                    new=tp.name,
                    stage=stage.id,
                )
                continue
            old_stage, before = self.old_tp[tid]
            self.touchpoint(path, stage, old_stage, before, tp)
        for tid, (stage, tp) in self.old_tp.items():
            if tid not in self.new_tp:
                self.add(
                    "touchpoint-removed",
                    f"touchpoints.{tid}",
                    tp.name,
                    f"Touchpoint '{tp.name}' removed from {stage.name}",
                    old=tp.name,
                    stage=stage.id,
                )
        old_stages = {s.id: s for s in self.old.stages}
        for stage in self.new.stages:
            prev = old_stages.get(stage.id)
            if prev is not None:
                self.reordered(
                    "touchpoint", "touchpoints", prev.touchpoints, stage.touchpoints, within=stage
                )

    def reordered(
        self,
        kind: str,
        key: str,
        old: Sequence[Stage | Touchpoint | Lane],
        new: Sequence[Stage | Touchpoint | Lane],
        *,
        within: Stage | None = None,
    ) -> None:
        """The items of ``new`` that moved against the others, which a longest common
        subsequence keeps in order; positions count from 1 (``within`` a stage)."""
        old_ids, new_ids = [x.id for x in old], [x.id for x in new]
        kept = _lcs([x for x in old_ids if x in new_ids], [x for x in new_ids if x in old_ids])
        for item in new:
            if item.id not in old_ids or item.id in kept:
                continue
            a, b = old_ids.index(item.id) + 1, new_ids.index(item.id) + 1
            where = "" if within is None else f" in {within.name}"
            stage = None if isinstance(item, Lane) else item.id if within is None else within.id
            self.add(
                f"{kind}-reordered",
                f"{key}.{item.id}",
                item.name,
                f"{kind.capitalize()} '{item.name}' moved from position {a} to {b}{where}",
                old=a,
                new=b,
                stage=stage,
            )

    def touchpoint(
        self, path: str, stage: Stage, old_stage: Stage, before: Touchpoint, tp: Touchpoint
    ) -> None:
        sid = stage.id
        self.renamed("touchpoint", "Touchpoint", path, before.name, tp.name, sid)
        if old_stage.id != sid:
            text = f"Touchpoint '{tp.name}' moved from {old_stage.name} to {stage.name}"
            self.add(
                "touchpoint-moved",
                f"{path}.stage",
                tp.name,
                text,
                old=old_stage.id,
                new=sid,
                stage=sid,
            )
        self.emotion(
            tp.name, f"{path}.expected_emotion", sid, before.expected_emotion, tp.expected_emotion
        )
        a = None if before.actual_emotion is None else before.actual_emotion.emotion
        b = None if tp.actual_emotion is None else tp.actual_emotion.emotion
        self.emotion(tp.name, f"{path}.actual_emotion", sid, a, b)
        skip = {"id", "name", "expected_emotion", "actual_emotion"}
        old_fields, new_fields = _dump(before, skip), _dump(tp, skip)
        old_fields["actual_emotion"] = _dump(before.actual_emotion, {"emotion"})
        new_fields["actual_emotion"] = _dump(tp.actual_emotion, {"emotion"})
        self.fields("touchpoint-changed", path, tp.name, old_fields, new_fields, stage=sid)

    def _where(self, item: PainPoint | Opportunity | LaneItem, m: JourneyMap) -> str:
        tps = self.new_tp if m is self.new else self.old_tp
        if item.touchpoint and item.touchpoint in tps:
            return tps[item.touchpoint][1].name
        sid = m.stage_id_of(item)
        for s in m.stages:
            if s.id == sid:
                return s.name
        return "the map"

    def items(
        self,
        kind: str,
        key: str,
        noun: str,
        *,
        added: Callable[[_Item], str] | None = None,
        removed: Callable[[_Item], str] | None = None,
        compare: Callable[[str, _Item, _Item, str | None], None] | None = None,
        compared: Iterable[str] = (),
    ) -> None:
        """Items of the list ``key`` of both maps matched by id: added, removed, renamed, then
        what ``compare`` says about the ``compared`` fields, then every other field. The
        messages speak of a ``noun`` ("New pain point 'Slow page'") unless ``added`` or
        ``removed`` write them."""
        what = noun[:1].upper() + noun[1:]
        old_items: Sequence[_Item] = getattr(self.old, key)
        new_items: Sequence[_Item] = getattr(self.new, key)
        old = {i.id: i for i in old_items}
        new = {i.id: i for i in new_items}
        skip = {"id", "name", *compared}
        for ident, item in new.items():
            path = f"{key}.{ident}"
            sid = _stage_of(item, self.new)
            if ident not in old:
                text = added(item) if added else f"New {noun} '{item.name}'"
                self.add(f"{kind}-added", path, item.name, text, new=item.name, stage=sid)
                continue
            before = old[ident]
            self.renamed(kind, what, path, before.name, item.name, sid)
            if compare is not None:
                compare(path, before, item, sid)
            old_fields, new_fields = _dump(before, skip), _dump(item, skip)
            self.fields(f"{kind}-changed", path, item.name, old_fields, new_fields, stage=sid)
        for ident, item in old.items():
            if ident not in new:
                text = removed(item) if removed else f"{what} '{item.name}' removed"
                stage = _stage_of(item, self.old)
                path = f"{key}.{ident}"
                self.add(f"{kind}-removed", path, item.name, text, old=item.name, stage=stage)

    def pain_points(self) -> None:
        self.items(
            "pain-point",
            "pain_points",
            "pain point",
            added=lambda p: (
                f"New pain point '{p.name}' ({p.severity}) at {self._where(p, self.new)}"
            ),
            removed=lambda p: f"Pain point '{p.name}' removed (was at {self._where(p, self.old)})",
            compare=self.severity,
            compared={"severity"},
        )

    def severity(self, path: str, before: PainPoint, p: PainPoint, sid: str | None) -> None:
        if before.severity != p.severity:
            delta = SEVERITY_RANK[p.severity] - SEVERITY_RANK[before.severity]
            self.add(
                "pain-point-severity",
                f"{path}.severity",
                p.name,
                f"Pain point '{p.name}': severity {before.severity} -> {p.severity}, "
                f"{format_level(delta)}",
                old=before.severity,
                new=p.severity,
                delta=delta,
                stage=sid,
            )

    def opportunities(self) -> None:
        self.items(
            "opportunity",
            "opportunities",
            "action",
            added=lambda o: f"New action '{o.name}' ({o.status}) at {self._where(o, self.new)}",
            compare=self.status,
            compared={"status"},
        )

    def status(self, path: str, before: Opportunity, o: Opportunity, sid: str | None) -> None:
        a, b = before.status, o.status
        if a == b:
            return
        closed = o.closed and not before.closed
        kind, word = (
            ("opportunity-closed", "closed") if closed else ("opportunity-status", "status")
        )
        text = f"Action '{o.name}' {word}: {a} -> {b}"
        self.add(kind, f"{path}.status", o.name, text, old=a, new=b, stage=sid)

    def kpis(self) -> None:
        self.items("kpi", "kpis", "KPI", compare=self.kpi_values, compared={"value", "target"})

    def kpi_values(self, path: str, before: KPI, k: KPI, sid: str | None) -> None:
        for name in ("value", "target"):
            a, b = getattr(before, name), getattr(k, name)
            if a == b:
                continue
            text = f"KPI '{k.name}': {name} {_kpi_value(a, k)} -> {_kpi_value(b, k)}"
            delta = None if a is None or b is None else b - a
            if delta is not None:
                text += f", {_signed(delta)}"
                if name == "value" and delta:
                    text += " (better)" if (delta > 0) == k.better_when_higher else " (worse)"
            self.add(
                f"kpi-{name}", f"{path}.{name}", k.name, text, old=a, new=b, delta=delta, stage=sid
            )

    def insights(self) -> None:
        self.items("insight", "insights", "insight")

    def lanes(self) -> None:
        """The map's own lanes, matched by id (they belong to the map, not to a stage), then
        their cards, matched by text within the lane (:func:`card_keys`)."""
        old = {lane.id: lane for lane in self.old.lanes}
        for lane in self.new.lanes:
            path = f"lanes.{lane.id}"
            before = old.get(lane.id)
            if before is None:
                n = len(lane.items)
                cards = f" with {_count(n, 'card', 'cards')}" if n else ""
                text = f"New lane '{lane.name}'{cards}"
                self.add("lane-added", path, lane.name, text, new=lane.name)
                continue
            self.renamed("lane", "Lane", path, before.name, lane.name, None)
            skip = {"id", "name", "items"}
            self.fields("lane-changed", path, lane.name, _dump(before, skip), _dump(lane, skip),
                        stage=None)  # fmt: skip
            self.cards(path, before, lane)
        for lane in self.old.lanes:
            if lane.id not in {x.id for x in self.new.lanes}:
                self.add(
                    "lane-removed",
                    f"lanes.{lane.id}",
                    lane.name,
                    f"Lane '{lane.name}' removed",
                    old=lane.name,
                )
        self.reordered("lane", "lanes", self.old.lanes, self.new.lanes)

    def cards(self, path: str, before: Lane, lane: Lane) -> None:
        old = dict(zip(card_keys(x.text for x in before.items), before.items, strict=True))
        new = dict(zip(card_keys(x.text for x in lane.items), lane.items, strict=True))
        for key, card in new.items():
            where = f"{path}.items.{key}"
            prev = old.get(key)
            if prev is None:
                text = (
                    f"New card '{card.text}' in lane {lane.name} at {self._where(card, self.new)}"
                )
                stage = self.new.stage_id_of(card)
                self.add("lane-card-added", where, card.text, text, new=card.text, stage=stage)
                continue
            subject = f"{lane.name} card '{card.text}'"
            self.fields("lane-card-changed", where, subject, _dump(prev, {"text"}),
                        _dump(card, {"text"}), stage=self.new.stage_id_of(card))  # fmt: skip
        for key, card in old.items():
            if key not in new:
                text = f"Card '{card.text}' removed from lane {lane.name} (was at "
                text += f"{self._where(card, self.old)})"
                stage = self.old.stage_id_of(card)
                where = f"{path}.items.{key}"
                self.add("lane-card-removed", where, card.text, text, old=card.text, stage=stage)
        old_keys, new_keys = [k for k in old if k in new], [k for k in new if k in old]
        kept = _lcs(old_keys, new_keys)
        for key in new_keys:
            if key in kept:
                continue
            card = new[key]
            a, b = list(old).index(key) + 1, list(new).index(key) + 1
            text = f"Card '{card.text}' moved from position {a} to {b} in lane {lane.name}"
            self.add("lane-card-reordered", f"{path}.items.{key}", card.text, text, old=a, new=b,
                     stage=self.new.stage_id_of(card))  # fmt: skip

    def run(self) -> MapDiff:
        self.map_fields()
        self.stages()
        self.touchpoints()
        self.pain_points()
        self.opportunities()
        self.kpis()
        self.insights()
        self.lanes()
        names = {s.id: s.name for s in self.new.stages}
        for s in self.old.stages:
            names.setdefault(s.id, s.name)
        return MapDiff(self.out, tuple(names.items()))


def _emotion(ref: str | int | None, scale: EmotionScale) -> str:
    if ref is None:
        return "(none)"
    level = scale.find(ref)
    if level is None:
        return str(ref)
    # the word as written, without a level already given in brackets ("Frustrated (-2)")
    word = _LEVEL_SUFFIX.sub("", ref.strip()) if isinstance(ref, str) else ""
    if not word or word.lstrip("+-−").isdigit():
        word = level.label
    return f"{word} ({format_level(level.value)})"


def _kpi_value(value: float | None, kpi: KPI) -> str:
    return "(none)" if value is None else figure(value, kpi.unit)


def _stage_of(item: PainPoint | Opportunity | KPI | Insight, m: JourneyMap) -> str | None:
    """The stage an item belongs to; insights belong to none."""
    return None if isinstance(item, Insight) else m.stage_id_of(item)


def diff(old: JourneyMap, new: JourneyMap) -> MapDiff:
    """What changed from ``old`` to ``new``, matching stages, touchpoints and items by id."""
    return _Differ(old, new).run()
