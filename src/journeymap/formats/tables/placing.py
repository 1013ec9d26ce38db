"""Once every table is read: the stages merged, named and ordered, touchpoints placed in their
stage and pain points on their touchpoint, where the tables link them; each guess reported.

The steps, in order:

1. A pain point or action item named both on a touchpoint that no table puts in a stage and in
   a stage (two tables: Touchpoint | Pain Point and Stage | Pain Point) is one object: the
   touchpoint goes to that stage.
2. ``--stages`` (when given) names the stages, in order, and maps the tables' other names onto
   them; every stage of the tables must be named or mapped.
3. A touchpoint still without a stage goes to the stage whose rows share the most words with
   it: a pain point of the stage that names what the touchpoint's name or gap in experience
   names ("Long checkout" and "Checkout Process"; "Hard to navigate" and the gap "Navigation
   issues") weighs most; the stage's observed behaviour, goal or action items less. A tie is
   left in 'Unassigned' and reported.
4. A pain point of a stage goes on the touchpoint of that stage whose name or gap shares a
   word with it.
5. Without ``--stages``, the stages are put in journey order and stages that may be one are
   proposed (:mod:`~journeymap.formats.tables.stages`).

Every guess is a line of :attr:`MapDraft.guesses`, naming the row it rests on.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from journeymap.errors import UsageError
from journeymap.formats.tables.columns import channel_of
from journeymap.formats.tables.draft import Draft, MapDraft
from journeymap.formats.tables.stages import (
    StageSpec,
    journey_order,
    proposals,
    stage_key,
)
from journeymap.model.base import slugify

__all__ = ["arrange"]

#: words too common in pain points and touchpoints to link them
_COMMON = frozenset(
    re.findall(
        r"\w+",
        """issue issues problem problems process procedure procedures hard long slow poor bad
        lack difficult complex confusing customer customers experience with from that this than
        into very more less better easy easier make makes made does have having about their
        your over under what when where which while unclear many much some none other others""",
    )
)
#: words that name a channel in a Channel cell but not in a touchpoint's name ("Product page",
#: "Search results", "Call to action", "Text of the offer")
_VAGUE_CHANNEL_WORDS = frozenset(
    re.findall(
        r"\w+",
        """product text call shop retail online search event document community other ad ads
        mobile""",
    )
)
#: a touchpoint's fields that say what happens there, and how a guess names them
_TP_TEXTS = (
    ("gap_note", "gap in experience"),
    ("observed_behavior", "observed behavior"),
    ("description", "description"),
)
_STAGE_TEXTS = (
    ("observed_behavior", "observed behavior"),
    ("customer_goal", "customer goal"),
    ("business_goal", "business goal"),
    ("description", "description"),
)


def arrange(d: MapDraft, specs: list[StageSpec] | None) -> None:
    """Merge, name and order the stages; place touchpoints and pain points (see the module)."""
    _shared_names(d)
    if specs is not None:
        _apply_specs(d, specs)
    _place_touchpoints(d)
    _link_pain_points(d)
    _channels(d)
    if specs is None:
        _order(d)
    else:
        _reid(d)


# ---- words -------------------------------------------------------------------------------

#: a word in more rows than this links nothing (it tells no row from another)
_TOO_COMMON = 50


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).casefold()
    return [w for w in re.findall(r"\w+", text) if len(w) >= 4 and w not in _COMMON]


def _alike(a: str, b: str) -> bool:
    """One word, or two forms of it: "navigate" / "navigation", "visit" / "visits"."""
    if a == b:
        return True
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n >= 5 and n >= 0.7 * min(len(a), len(b))


_T = TypeVar("_T")


class _Index(Generic[_T]):
    """Texts by their words, to find the ones that share a word (in some form) with another
    text without comparing every pair: two words alike share their first five letters (or are
    equal, when shorter)."""

    def __init__(self) -> None:
        self.by_head: dict[str, list[tuple[str, _T]]] = {}

    def add(self, text: str, item: _T) -> None:
        for w in dict.fromkeys(_words(text)):
            self.by_head.setdefault(w[:5], []).append((w, item))

    def find(self, text: str) -> Iterator[tuple[str, _T]]:
        """Each item with a word alike one of ``text``'s, and that word of ``text``."""
        for x in dict.fromkeys(_words(text)):
            found = self.by_head.get(x[:5], [])
            if len(found) > _TOO_COMMON:
                continue
            for y, item in found:
                if _alike(x, y):
                    yield x, item


# ---- 1. a pain point named on a touchpoint and in a stage ----------------------------------


def _stages_by_id(d: MapDraft) -> dict[str, Draft]:
    return {s.id: s for s in d.stages.values()}


def _move(d: MapDraft, tp: Draft, stage: Draft) -> None:
    """Record that a touchpoint of 'Unassigned' is in ``stage`` (the caller takes it out of
    'Unassigned')."""
    stage.children.append(tp)
    entries = d.tps.get(slugify(tp.name, fallback="touchpoint"), [])
    for i, (_, t) in enumerate(entries):
        if t is tp:
            entries[i] = (stage, t)


def _take_out(d: MapDraft, moved: list[Draft]) -> None:
    """Take the touchpoints ``moved`` out of 'Unassigned' (by identity)."""
    if d.unassigned is not None and moved:
        gone = {id(tp) for tp in moved}
        d.unassigned.children = [tp for tp in d.unassigned.children if id(tp) not in gone]


def _shared_names(d: MapDraft) -> None:
    if d.unassigned is None:
        return
    stages = _stages_by_id(d)
    unplaced = {tp.id: tp for tp in d.unassigned.children}
    moved: list[Draft] = []
    for registry, kind in ((d.pains, "pain point"), (d.actions, "action item")):
        by_slug: dict[str, list[tuple[tuple[str, str], Draft]]] = {}
        for key, obj in registry.items():
            by_slug.setdefault(key[1], []).append((key, obj))
        for group in by_slug.values():
            on_tp = [(k, o) for k, o in group if o.data.get("touchpoint") in unplaced]
            in_stage = [(k, o) for k, o in group if o.data.get("stage") in stages]
            if not on_tp or len(in_stage) != 1:
                continue
            ((skey, sobj),) = in_stage
            stage = stages[sobj.data["stage"]]
            for _, obj in on_tp:
                tp = unplaced.pop(obj.data["touchpoint"], None)
                if tp is None:
                    continue
                _move(d, tp, stage)
                moved.append(tp)
                d.guesses.append(
                    f"stage of touchpoint {tp.name!r} taken from {kind} row "
                    f"{sobj.where.get('row', '?')}: {sobj.name!r} is in stage {stage.name!r} "
                    f"there and on {tp.name!r} at {obj.where.get('row', '?')}"
                )
            keep = on_tp[0][1]
            for field, value in sobj.data.items():
                if field not in ("stage", "touchpoint"):
                    if isinstance(value, list):
                        d.add(keep, field, value)
                    else:
                        keep.data.setdefault(field, value)
            for header, text in sobj.notes.items():
                keep.notes.setdefault(header, text)
            del registry[skey]
    _take_out(d, moved)


# ---- 2. --stages -------------------------------------------------------------------------


def _apply_specs(d: MapDraft, specs: list[StageSpec]) -> None:
    tables = dict(d.stages)  # key -> stage, as the tables name them
    claimed: dict[str, str] = {}  # key of a table's stage -> the --stages name it goes to
    new: dict[str, Draft] = {}
    shown = ",".join(s.name + ("=" + "+".join(s.aliases) if s.aliases else "") for s in specs)
    for spec in specs:
        members: list[Draft] = []
        for text in (spec.name, *spec.aliases):
            key = stage_key(text)
            stage = tables.get(key)
            if key == "unassigned" and d.unassigned is not None and text != spec.name:
                stage = d.unassigned  # NAME=Unassigned: what no table placed goes to NAME
                d.unassigned = None
                d.unassigned_named = False
            if stage is None:
                if text != spec.name:
                    raise UsageError(
                        f"--stages {shown!r}: {text!r} (mapped onto {spec.name!r}) is no stage "
                        f"of the tables; their stages are: {_names(tables)}"
                    )
                continue
            claimed[key] = spec.name
            members.append(stage)
        if members:
            stage = members[0]
            for other in members[1:]:
                _merge(d, stage, other)
        else:
            stage = Draft("stage", spec.name, slugify(spec.name, fallback="stage"))
            d.guesses.append(f"stage {spec.name!r} from --stages: no table names it; kept empty")
        if stage.name != spec.name or len(members) > 1:
            was = ", ".join(repr(m.name) for m in members)
            d.report.append(f"--stages: stage {spec.name!r} from the tables' {was}")
        stage.name = spec.name
        new[stage_key(spec.name)] = stage
    missing = [s for k, s in tables.items() if k not in claimed]
    if missing:
        first = missing[0].name
        listed = ", ".join(f"{s.name!r} ({s.where.get('row', 'a table')})" for s in missing)
        what = "stage" if len(missing) == 1 else "stages"
        raise UsageError(
            f"--stages {shown!r} leaves out the tables' {what} {listed}; --stages must name "
            f"every stage or map it onto one it names (e.g. Awareness={first})"
        )
    d.stages = new


def _names(stages: dict[str, Draft]) -> str:
    return ", ".join(repr(s.name) for s in stages.values()) or "(none)"


def _merge(d: MapDraft, into: Draft, other: Draft) -> None:
    """Merge stage ``other`` into ``into``: fields (the first value wins; a different one is
    reported), notes, touchpoints; what pointed at ``other`` points at ``into``."""
    for key, value in other.data.items():
        if key not in into.data:
            into.data[key] = value
            into.where[key] = other.where.get(key, "?")
        elif into.data[key] != value:
            d.report.append(
                f"{other.where.get(key, '?')}: stage {into.name!r}: {key} {value!r} of "
                f"{other.name!r} differs from {into.data[key]!r} of {into.name!r} given at "
                f"{into.where.get(key, '?')}; kept the first"
            )
    for header, text in other.notes.items():
        into.notes.setdefault(header, text)
    for tp in other.children:
        into.children.append(tp)
    for entries in d.tps.values():
        for i, (s, t) in enumerate(entries):
            if s is other:
                entries[i] = (into, t)
    for obj in _pointing(d):
        if obj.data.get("stage") == other.id:
            obj.data["stage"] = into.id


def _pointing(d: MapDraft) -> Iterator[Draft]:
    """Everything that may name a stage by id."""
    yield from d.pains.values()
    yield from d.actions.values()
    yield from d.kpis.values()


# ---- 3. touchpoints without a stage --------------------------------------------------------


@dataclass(frozen=True)
class _Link:
    stage: Draft
    weight: int
    why: str


def _tp_texts(tp: Draft) -> Iterator[tuple[str, str]]:
    """What a touchpoint's cells say, and how to name each: its name, its gap in experience..."""
    yield tp.name, "its name"
    for field, label in _TP_TEXTS:
        value = tp.data.get(field)
        if isinstance(value, str) and value:
            yield value, f"its {label} {value!r}"
    for header, value in tp.notes.items():
        yield value, f"its {header} {value!r}"


class _Clues:
    """The rows of the tables that may tell a touchpoint's stage, indexed by their words: the
    pain points of a stage, the stages' observed behaviour, goals and description, the action
    items of a stage."""

    def __init__(self, d: MapDraft) -> None:
        stages = _stages_by_id(d)
        self.pains: _Index[tuple[Draft, Draft]] = _Index()
        for pain in d.pains.values():
            stage = stages.get(pain.data.get("stage", ""))
            if stage is not None:
                self.pains.add(pain.name, (pain, stage))
        self.stages: _Index[tuple[Draft, str, str]] = _Index()
        for stage in d.stages.values():
            for field, label in _STAGE_TEXTS:
                value = stage.data.get(field)
                if isinstance(value, str):
                    self.stages.add(value, (stage, field, label))
        self.actions: _Index[tuple[Draft, Draft]] = _Index()
        for act in d.actions.values():
            stage = stages.get(act.data.get("stage", ""))
            if stage is not None:
                self.actions.add(act.name, (act, stage))

    def links(self, tp: Draft) -> list[_Link]:
        links: list[_Link] = []
        seen: set[int] = set()
        for text, what in _tp_texts(tp):
            for _, (pain, stage) in self.pains.find(text):
                if id(pain) in seen:
                    continue
                seen.add(id(pain))
                links.append(
                    _Link(
                        stage,
                        3 if what == "its name" else 2,
                        f"pain-point row {pain.where.get('row', '?')}: {pain.name!r} "
                        f"(stage {stage.name!r}) ~ {what}",
                    )
                )
        for _, (stage, field, label) in self.stages.find(tp.name):
            if id(stage) * 7 + hash(field) in seen:
                continue
            seen.add(id(stage) * 7 + hash(field))
            links.append(
                _Link(
                    stage,
                    1,
                    f"stage row {stage.where.get(field, '?')}: {label} "
                    f"{stage.data[field]!r} of {stage.name!r} ~ its name",
                )
            )
        for _, (act, stage) in self.actions.find(tp.name):
            if id(act) in seen:
                continue
            seen.add(id(act))
            links.append(
                _Link(
                    stage,
                    1,
                    f"action-item row {act.where.get('row', '?')}: {act.name!r} "
                    f"(stage {stage.name!r}) ~ its name",
                )
            )
        return links


def _place_touchpoints(d: MapDraft) -> None:
    if d.unassigned is None or not d.unassigned.children:
        return
    clues = _Clues(d)
    moved: list[Draft] = []
    for tp in d.unassigned.children:
        links = clues.links(tp)
        if not links:
            continue
        score: dict[int, int] = {}
        for link in links:
            score[id(link.stage)] = score.get(id(link.stage), 0) + link.weight
        best = max(score.values())
        top = list({id(lk.stage): lk.stage for lk in links if score[id(lk.stage)] == best}.values())
        if len(top) > 1:
            names = " and ".join(repr(s.name) for s in top)
            d.guesses.append(
                f"touchpoint {tp.name!r} left in 'Unassigned': it may be in {names} equally "
                f"({'; '.join(link.why for link in links)}); add a Stage column to place it"
            )
            continue
        stage = top[0]
        _move(d, tp, stage)
        moved.append(tp)
        why = [link.why for link in links if link.stage is stage]
        others = [f"{link.stage.name!r} ({link.why})" for link in links if link.stage is not stage]
        d.guesses.append(
            f"stage of touchpoint {tp.name!r} guessed: {stage.name!r}, from {'; '.join(why)}"
            + (f"; less likely: {'; '.join(others)}" if others else "")
        )
    _take_out(d, moved)


# ---- 4. pain points of a stage on its touchpoint -------------------------------------------


def _link_pain_points(d: MapDraft) -> None:
    stages = _stages_by_id(d)
    indexes: dict[str, _Index[tuple[Draft, str, int]]] = {}
    for pain in d.pains.values():
        stage = stages.get(pain.data.get("stage", ""))
        if stage is None or "touchpoint" in pain.data or not stage.children:
            continue
        index = indexes.get(stage.id)
        if index is None:
            index = indexes[stage.id] = _Index()
            for tp in stage.children:
                for text, what in _tp_texts(tp):
                    index.add(text, (tp, what, 3 if what == "its name" else 2))
        best: dict[int, tuple[int, Draft, str, str]] = {}  # touchpoint -> its strongest match
        for word, (tp, what, weight) in index.find(pain.name):
            if id(tp) not in best or best[id(tp)][0] < weight:
                best[id(tp)] = (weight, tp, what, word)
        if not best:
            continue
        top_weight = max(w for w, *_ in best.values())
        top = [(tp, what, word) for w, tp, what, word in best.values() if w == top_weight]
        if len(top) > 1:
            d.guesses.append(
                f"pain point {pain.name!r} left on stage {stage.name!r}: it may be on "
                + " or ".join(repr(tp.name) for tp, *_ in top)
            )
            continue
        ((tp, what, word),) = top
        pain.data.pop("stage")
        pain.data["touchpoint"] = tp.id
        d.guesses.append(
            f"pain point {pain.name!r} (row {pain.where.get('row', '?')}) put on touchpoint "
            f"{tp.name!r} of stage {stage.name!r}: {word!r} ~ "
            + what.replace("its ", "the touchpoint's ", 1)
        )


def _channels(d: MapDraft) -> None:
    """A touchpoint without a Channel cell takes the channel its name says ("Website Visit":
    web), reported as a guess."""
    for stage in [*d.stages.values(), *([d.unassigned] if d.unassigned else [])]:
        for tp in stage.children:
            if "channel" in tp.data:
                continue
            words = re.findall(r"\w+", tp.name.casefold())
            phrases = [" ".join(words[i : i + n]) for n in (2, 1) for i in range(len(words))]
            found = next(
                (
                    (p, c)
                    for p in phrases
                    if len(p) >= 3 and p not in _VAGUE_CHANNEL_WORDS and (c := channel_of(p))
                ),
                None,
            )
            if found is not None:
                tp.data["channel"] = found[1]
                d.guesses.append(
                    f"channel of touchpoint {tp.name!r} guessed: {found[1]} (from the word "
                    f"{found[0]!r} of its name)"
                )


# ---- 5. order and proposals ----------------------------------------------------------------


def _order(d: MapDraft) -> None:
    names = {k: s.name for k, s in d.stages.items()}
    ordered = journey_order(names, d.sequences)
    d.stages = {k: d.stages[k] for k in ordered.keys}
    d.guesses[:0] = ordered.guesses
    lines, spec = proposals(names, ordered.keys)
    d.proposals += lines
    d.proposed_stages = spec


def _reid(d: MapDraft) -> None:
    """Give a stage named by --stages the id of its new name (what points at it follows)."""
    taken: set[str] = set()
    renamed: dict[str, str] = {}
    for stage in d.stages.values():
        slug = ident = slugify(stage.name, fallback="stage")
        n = 2
        while ident in taken or ident == "unassigned":
            ident, n = f"{slug}-{n}", n + 1
        taken.add(ident)
        if ident != stage.id:
            renamed[stage.id] = ident
            stage.id = ident
    if renamed:
        for obj in _pointing(d):
            old = obj.data.get("stage")
            if old in renamed:
                obj.data["stage"] = renamed[old]
