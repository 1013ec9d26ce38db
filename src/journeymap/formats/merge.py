"""Three-way merge of two edits of one map: what the team app does when two people save the
same map at once, and what a push from git does when the app has moved on.

Both edits are compared with the version they started from (the *base*). Objects with ids
(stages, touchpoints, pain points, actions, KPIs, insights, lanes) are matched by id, the cards
of a lane by their text within it (as ``journeymap diff`` matches them), fields by name:
edits to different objects, or to different fields of one object, are both kept. The
same field changed to two different values is a :class:`Conflict`; it is never settled by
whoever saved last. The caller resolves each conflict (keep *ours* or *theirs*) and merges
again with ``resolutions``.

The merged map keeps the layout and comments of *theirs* (the newer stored version) and is
validated like any map file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from journeymap.errors import MapFileError
from journeymap.formats.document import _dump, dumps, loads, pin_ids
from journeymap.model import JourneyMap, check_map
from journeymap.model.diff import card_keys

__all__ = ["Conflict", "MergeResult", "Side", "merge"]

Side = Literal["ours", "theirs"]


class _Missing:
    """An absent key or object (deleted, or never there)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


@dataclass(frozen=True)
class Conflict:
    """One field (or object) both edits changed, to different values.

    ``path`` names it by ids, e.g. ``stages.checkout.touchpoints.pay.expected_emotion``;
    ``label`` by the names people see ("Checkout › Pay › expected emotion"). ``base``,
    ``ours`` and ``theirs`` are plain values; ``None`` where the object was deleted or absent.
    """

    path: str
    label: str
    base: Any
    ours: Any
    theirs: Any


@dataclass(frozen=True)
class MergeResult:
    """The merged map's text, or the conflicts that stand in its way."""

    text: str | None
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.conflicts


def _plain(text: str, file: str) -> tuple[JourneyMap, dict[str, Any]]:
    m = pin_ids(loads(text, file=file))
    return m, _dump(m)


def _value(v: Any) -> Any:
    return None if v is MISSING else v


#: what one object of each list of the map is called in a conflict's label
_KINDS = {
    "stages": "stage",
    "touchpoints": "touchpoint",
    "pain_points": "pain point",
    "opportunities": "action item",
    "kpis": "KPI",
    "insights": "insight",
    "lanes": "lane",
    "items": "card",
}


def _name(*items: Any) -> str | None:
    for item in items:
        if isinstance(item, Mapping):
            name = item.get("name", item.get("title"))
            if isinstance(name, str):
                return name
    return None


def _text(*items: Any) -> str | None:
    for item in items:
        if isinstance(item, Mapping) and isinstance(item.get("text"), str):
            return f"'{item['text']}'"
    return None


def _identified(*lists: Any) -> bool:
    items = [x for lst in lists if isinstance(lst, list) for x in lst]
    return bool(items) and all(isinstance(x, Mapping) and x.get("id") for x in items)


def _cards(path: tuple[str, ...], *lists: Any) -> bool:
    """Whether the lists are the cards of a lane of the map's own (no ids: keyed by text)."""
    items = [x for lst in lists if isinstance(lst, list) for x in lst]
    return (
        len(path) == 3
        and path[0] == "lanes"
        and path[2] == "items"
        and all(isinstance(x, Mapping) and isinstance(x.get("text"), str) for x in items)
    )


def _keyed(items: Sequence[Mapping[str, Any]], cards: bool) -> dict[str, Mapping[str, Any]]:
    keys = card_keys(x["text"] for x in items) if cards else [str(x["id"]) for x in items]
    return dict(zip(keys, items, strict=True))


class _Merger:
    def __init__(self, resolutions: Mapping[str, Side]) -> None:
        self.resolutions = resolutions
        self.conflicts: list[Conflict] = []

    def conflict(
        self, path: tuple[str, ...], label: tuple[str, ...], b: Any, o: Any, t: Any
    ) -> Any:
        key = ".".join(path)
        choice = self.resolutions.get(key)
        if choice == "ours":
            return o
        if choice == "theirs":
            return t
        self.conflicts.append(Conflict(key, " › ".join(label), _value(b), _value(o), _value(t)))
        return t

    def merge(self, b: Any, o: Any, t: Any, path: tuple[str, ...], label: tuple[str, ...]) -> Any:
        if o == t:
            return o
        if o == b:
            return t
        if t == b:
            return o
        if all(isinstance(x, Mapping) or x is MISSING for x in (b, o, t)) and not (
            o is MISSING or t is MISSING
        ):
            return self.merge_dict({} if b is MISSING else b, o, t, path, label)
        lists = all(isinstance(x, list) or x is MISSING for x in (b, o, t))
        cards = lists and _cards(path, b, o, t)
        if lists and (cards or _identified(b, o, t)) and MISSING not in (o, t):
            return self.merge_list([] if b is MISSING else b, o, t, path, label, cards=cards)
        return self.conflict(path, label, b, o, t)

    def merge_dict(
        self,
        b: Mapping[str, Any],
        o: Mapping[str, Any],
        t: Mapping[str, Any],
        path: tuple[str, ...],
        label: tuple[str, ...],
    ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in dict.fromkeys([*t, *o, *b]):
            here = key.replace("_", " ")
            v = self.merge(
                b.get(key, MISSING),
                o.get(key, MISSING),
                t.get(key, MISSING),
                (*path, key),
                (*label, here),
            )
            if v is not MISSING:
                out[key] = v
        return out

    def merge_list(
        self,
        b: Sequence[Mapping[str, Any]],
        o: Sequence[Mapping[str, Any]],
        t: Sequence[Mapping[str, Any]],
        path: tuple[str, ...],
        label: tuple[str, ...],
        *,
        cards: bool = False,
    ) -> list[Any]:
        by_b, by_o, by_t = _keyed(b, cards), _keyed(o, cards), _keyed(t, cards)
        merged: dict[str, Any] = {}
        for oid in dict.fromkeys([*by_t, *by_o, *by_b]):
            bx, ox, tx = by_b.get(oid, MISSING), by_o.get(oid, MISSING), by_t.get(oid, MISSING)
            name = _name(bx, tx, ox) or _text(bx, tx, ox) or oid
            kind = _KINDS.get(path[-1], path[-1].replace("_", " ")) if path else ""
            item_label = (*label[:-1], f"{kind} {name}".strip())
            v = self.merge(bx, ox, tx, (*path, oid), item_label)
            if v is not MISSING:
                merged[oid] = v
        order = self.order(list(by_b), list(by_o), list(by_t), path, label)
        return [merged[oid] for oid in order if oid in merged]

    def order(
        self,
        b: list[str],
        o: list[str],
        t: list[str],
        path: tuple[str, ...],
        label: tuple[str, ...],
    ) -> list[str]:
        """The merged order: the side that reordered wins; the other side's additions go
        after the object they follow there."""
        common = [x for x in b if x in o and x in t]
        o_common = [x for x in o if x in common]
        t_common = [x for x in t if x in common]
        if o_common != common and t_common not in (common, o_common):
            chosen = self.conflict(
                (*path, "(order)"), (*label, "order"), common, o_common, t_common
            )
            primary, other = (o, t) if chosen == o_common else (t, o)
        elif o_common != common:
            primary, other = o, t
        else:
            primary, other = t, o
        out = list(primary)
        for i, oid in enumerate(other):
            if oid in out or oid in b:
                continue
            before = next((p for p in reversed(other[:i]) if p in out), None)
            out.insert(0 if before is None else out.index(before) + 1, oid)
        return out


def merge(
    base: str,
    ours: str,
    theirs: str,
    *,
    resolutions: Mapping[str, Side] | None = None,
    file: str = "<merge>",
) -> MergeResult:
    """Merge two edits (``ours``, ``theirs``) of the map text ``base``.

    Returns the merged text (YAML, in the layout of ``theirs``) when nothing conflicts or
    every conflict has a resolution; otherwise ``text`` is ``None`` and ``conflicts`` lists
    what to decide. Raises :class:`MapFileError` when an input is not a valid map, or when
    the merge of two valid edits is not one (e.g. ours adds a pain point on a touchpoint
    theirs deleted).
    """
    _, b = _plain(base, f"{file} (base)")
    _, o = _plain(ours, f"{file} (ours)")
    t_map, t = _plain(theirs, f"{file} (theirs)")
    merger = _Merger(resolutions or {})
    merged = merger.merge(b, o, t, (), ())
    if merger.conflicts:
        return MergeResult(None, merger.conflicts)
    try:
        result = JourneyMap.model_validate(merged)
    except ValueError as exc:
        raise MapFileError.single(f"the two edits do not fit together: {exc}", file=file) from None
    findings = check_map(result)
    if findings:
        raise MapFileError.single(
            "the two edits do not fit together: " + "; ".join(f.message for f in findings),
            file=file,
        )
    result._source = t_map._source
    return MergeResult(dumps(result))
