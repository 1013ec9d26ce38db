"""The stages of an imported map: which names are one stage, their journey order, and the
order and names a user sets with ``--stages``.

Names that differ only in case, spacing, punctuation, a plural or the word "stage" or "phase"
("Pre-purchase", "pre purchase", "Prepurchase stage") are one stage: :func:`stage_key`.
Names that are different words for the same phase of a journey (Discovery and Awareness,
Pre-purchase and Consideration) are *not* merged: they are proposed, with the ``--stages``
value that would merge them (:func:`proposals`).

Without ``--stages`` the stages are put in journey order (:func:`journey_order`): a table
that names every stage gives the order; otherwise each stage's phase (:data:`PHASES`, the
usual order of a customer journey) orders it, and a stage journeymap does not know stays
next to the stage its table puts it after. ``--stages`` (:func:`parse_stages`) sets the order
and the names, and maps the tables' other names onto them: ``Awareness=Discovery``.
"""

from __future__ import annotations

import difflib
import heapq
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from journeymap.errors import UsageError

__all__ = [
    "PHASES",
    "StageSpec",
    "journey_order",
    "parse_stages",
    "phase_of",
    "proposals",
    "stage_key",
]

#: the usual phases of a customer journey, in order, and the stage names that mean each
PHASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "awareness",
        (
            "awareness",
            "aware",
            "discovery",
            "discover",
            "attention",
            "attract",
            "attraction",
            "trigger",
            "need",
            "need recognition",
            "problem recognition",
            "reach",
            "inspiration",
            "first contact",
            "first impression",
        ),
    ),
    (
        "consideration",
        (
            "consideration",
            "consider",
            "research",
            "evaluation",
            "evaluate",
            "pre purchase",
            "pre sale",
            "comparison",
            "compare",
            "exploration",
            "explore",
            "interest",
            "desire",
            "search",
            "browse",
            "browsing",
            "shopping",
            "intent",
            "quote",
            "familiarity",
            "pre booking",
        ),
    ),
    (
        "purchase",
        (
            "purchase",
            "decision",
            "acquisition",
            "acquire",
            "buy",
            "buying",
            "checkout",
            "conversion",
            "convert",
            "order",
            "ordering",
            "transaction",
            "sign up",
            "signup",
            "registration",
            "register",
            "subscribe",
            "subscription",
            "payment",
            "action",
            "booking",
            "enrolment",
            "enrollment",
            "application",
            "apply",
            "sale",
            "account opening",
            "commitment",
            "join",
            "joining",
        ),
    ),
    ("delivery", ("delivery", "fulfilment", "fulfillment", "shipping", "receive", "unboxing")),
    (
        "onboarding",
        (
            "onboarding",
            "setup",
            "set up",
            "activation",
            "welcome",
            "first use",
            "installation",
            "getting started",
            "implementation",
            "kickoff",
            "kick off",
        ),
    ),
    (
        "usage",
        (
            "usage",
            "use",
            "using",
            "experience",
            "engagement",
            "adoption",
            "post purchase",
            "post sale",
            "product use",
            "ownership",
            "consumption",
            "stay",
            "in life",
        ),
    ),
    (
        "support",
        (
            "support",
            "service",
            "customer service",
            "customer support",
            "customer care",
            "help",
            "care",
            "issue resolution",
            "resolution",
            "complaint",
            "troubleshooting",
            "assistance",
            "claim",
            "claims",
        ),
    ),
    (
        "retention",
        (
            "retention",
            "loyalty",
            "renewal",
            "renew",
            "repurchase",
            "repeat purchase",
            "repeat",
            "re engagement",
            "reengagement",
            "expansion",
            "upsell",
            "nurture",
            "relationship",
            "growth",
        ),
    ),
    (
        "advocacy",
        (
            "advocacy",
            "advocate",
            "referral",
            "refer",
            "recommendation",
            "recommend",
            "sharing",
            "word of mouth",
        ),
    ),
    ("exit", ("exit", "churn", "cancellation", "cancel", "offboarding", "leave", "leaving")),
)

#: stages named in the report's line on their order; pairs of names compared for typos
_LISTED_MAX = 40
_TYPO_MAX = 200

PHASE_RANK: dict[str, int] = {name: i for i, (name, _) in enumerate(PHASES)}

_FILLER = {"stage", "phase", "step", "the"}


def _words(name: str) -> list[str]:
    text = unicodedata.normalize("NFKC", name).casefold()
    return [_singular(w) for w in re.findall(r"\w+", text)]


def _singular(word: str) -> str:
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def stage_key(name: str) -> str:
    """What two names of one stage share: ``"Pre-purchase"``, ``"pre purchase"`` and
    ``"Prepurchase stage"`` are all ``"prepurchase"``; any script is kept (no ASCII folding)."""
    words = _words(name)
    core = [w for w in words if w not in _FILLER] or words
    return "".join(core) or name.strip().casefold()


_PHASE_OF: dict[str, str] = {}
for _phase, _names in PHASES:
    for _n in _names:
        _w = _words(_n)
        _PHASE_OF.setdefault(" ".join(_w), _phase)
        _PHASE_OF.setdefault("".join(_w), _phase)


def phase_of(name: str) -> str | None:
    """The phase a stage name means: ``"Pre-purchase"`` -> consideration; ``None`` when the
    name is not one journeymap knows. The phrase that ends last wins, as the last word says
    what the stage is ("Post-purchase support" -> support), then the longer one ("Repeat
    purchase" -> retention)."""
    words = [w for w in _words(name) if w not in _FILLER]
    if not words:
        return None
    found = _PHASE_OF.get(" ".join(words)) or _PHASE_OF.get("".join(words))
    if found:
        return found
    best: tuple[int, int, str] | None = None
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            phrase = words[i : i + size]
            hit = _PHASE_OF.get(" ".join(phrase)) or _PHASE_OF.get("".join(phrase))
            if hit and (best is None or (i + size, size) > best[:2]):
                best = (i + size, size, hit)
    return best[2] if best else None


# ---- --stages --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StageSpec:
    """One stage of ``--stages``: its name, and the tables' stage names mapped onto it."""

    name: str
    aliases: tuple[str, ...] = ()


_SYNTAX = "expected NAME or NAME=OTHER+OTHER, separated by commas"


def parse_stages(value: str | Sequence[str]) -> list[StageSpec]:
    """``"Awareness=Discovery,Consideration=Pre-purchase+Research,Purchase"`` as a list of
    :class:`StageSpec`; a sequence gives one item per element. Raises
    :class:`~journeymap.errors.UsageError` for an empty item, name or alias, or a stage
    named twice."""
    shown = value if isinstance(value, str) else ",".join(value)
    items = value.split(",") if isinstance(value, str) else list(value)
    if not any(item.strip() for item in items):
        raise UsageError(f"--stages {shown!r}: no stage given; {_SYNTAX}")
    specs: list[StageSpec] = []
    seen: dict[str, str] = {}
    for n, item in enumerate(items, 1):
        where = f"--stages {shown!r}: item {n} ({item.strip()!r})"
        if not item.strip():
            raise UsageError(f"--stages {shown!r}: item {n} is empty; {_SYNTAX}")
        name, eq, rest = item.partition("=")
        name = name.strip()
        if not name:
            raise UsageError(f"{where} has no stage name before '='; {_SYNTAX}")
        aliases = tuple(a.strip() for a in rest.split("+")) if eq else ()
        if eq and not all(aliases):
            raise UsageError(f"{where} has an empty name after '=' or '+'; {_SYNTAX}")
        for text in (name, *aliases):
            key = stage_key(text)
            if key in seen:
                raise UsageError(
                    f"{where}: {text!r} is already given as {seen[key]!r}; name each stage once"
                )
            seen[key] = text
        specs.append(StageSpec(name, aliases))
    return specs


def spec_text(specs: Iterable[StageSpec]) -> str:
    """The ``--stages`` value of ``specs``."""
    return ",".join(s.name + ("=" + "+".join(s.aliases) if s.aliases else "") for s in specs)


# ---- order -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ordered:
    """The stages (their keys) in journey order, and what was guessed to order them."""

    keys: list[str]
    guesses: list[str]


def journey_order(names: dict[str, str], listed: list[tuple[str, list[str], bool]]) -> Ordered:
    """The journey order of the stages ``names`` (key -> name, in order of first appearance),
    given the order of the stages in each table (where, keys in row order, whether the table's
    rows are stages).

    A table of stages that names every stage gives the order. Otherwise each stage's phase gives it;
    two stages of one phase, and a stage of no known phase, keep the order of the tables
    (an unknown stage stays after the stage its table puts it after)."""
    keys = list(names)
    if len(keys) < 2:
        return Ordered(keys, [])
    for _, seq, lists_stages in listed:
        if lists_stages and set(seq) == set(keys):
            return Ordered(list(seq), [])
    tables = [(where, seq) for where, seq, _ in listed]
    rank: dict[str, float | None] = {}
    for k in keys:
        phase = phase_of(names[k])
        rank[k] = None if phase is None else float(PHASE_RANK[phase])
    if all(r is None for r in rank.values()):
        return Ordered(_topological(keys, tables, dict.fromkeys(keys, 0.0), []), [])
    eff = _effective_ranks(keys, tables, rank)
    guesses: list[str] = []
    for where, seq in tables:
        for a, b in pairwise(seq):
            ra, rb = rank[a], rank[b]
            if ra is not None and rb is not None and ra > rb:
                guesses.append(
                    f"stage order: the table at {where} lists {names[a]!r} before {names[b]!r}; "
                    f"put {names[b]!r} ({_phase_name(names[b])}) first, as a journey usually goes"
                )
    order = _topological(keys, tables, eff, guesses, rank=rank, names=names)
    described = []
    for k in order[:_LISTED_MAX]:
        phase = phase_of(names[k])
        described.append(f"{names[k]} ({phase})" if phase else f"{names[k]} (as its table)")
    if len(order) > _LISTED_MAX:
        described.append(f"and {len(order) - _LISTED_MAX:,} more")
    guesses.insert(
        0,
        "stage order: as a journey usually goes (awareness, consideration, purchase, delivery, "
        "onboarding, usage, support, retention, advocacy): " + ", ".join(described),
    )
    return Ordered(order, guesses)


def _phase_name(name: str) -> str:
    return phase_of(name) or "unknown"


def _effective_ranks(
    keys: list[str], tables: list[tuple[str, list[str]]], rank: dict[str, float | None]
) -> dict[str, float]:
    """A rank for every stage: its phase's; an unknown stage's from its neighbours in the
    tables (just after the one before it, else just before the one after it), else last."""
    eff: dict[str, float] = {k: r for k, r in rank.items() if r is not None}
    for backwards in (False, True, False):
        for _, seq in tables:
            near: float | None = None
            for k in reversed(seq) if backwards else seq:
                if k in eff:
                    near = eff[k]
                elif near is not None:
                    eff[k] = near - 0.5 if backwards else near + 0.5
                    near = eff[k]
    last = max(eff.values(), default=0.0) + 1
    return {k: eff.get(k, last) for k in keys}


def _topological(
    keys: list[str],
    tables: list[tuple[str, list[str]]],
    eff: dict[str, float],
    guesses: list[str],
    *,
    rank: dict[str, float | None] | None = None,
    names: dict[str, str] | None = None,
) -> list[str]:
    """The keys ordered by ``eff`` (then first appearance), keeping the tables' order of
    any two stages the phases do not order; where the tables disagree, ``eff`` decides."""
    index = {k: i for i, k in enumerate(keys)}
    succ: dict[str, set[str]] = {k: set() for k in keys}
    for _, seq in tables:
        for a, b in pairwise(seq):
            ra = rank.get(a) if rank else None
            rb = rank.get(b) if rank else None
            if (ra is None or rb is None or ra == rb) and a != b:
                succ[a].add(b)
    indegree = dict.fromkeys(keys, 0)
    for targets in succ.values():
        for b in targets:
            indegree[b] += 1
    ready = [(eff[k], index[k], k) for k in keys if indegree[k] == 0]
    everything = [(eff[k], index[k], k) for k in keys]
    heapq.heapify(ready)
    heapq.heapify(everything)
    order: list[str] = []
    placed: set[str] = set()
    while len(order) < len(keys):
        while ready and ready[0][2] in placed:
            heapq.heappop(ready)
        if ready:
            k = heapq.heappop(ready)[2]
        else:  # the tables disagree: the phases (or first appearance) decide
            while everything[0][2] in placed:
                heapq.heappop(everything)
            k = heapq.heappop(everything)[2]
            if names is not None and not any("disagree" in g for g in guesses):
                guesses.append(
                    f"stage order: the tables disagree on where {names[k]!r} goes; put it "
                    "where its phase (or its first appearance) puts it"
                )
        order.append(k)
        placed.add(k)
        for b in succ[k]:
            indegree[b] -= 1
            if indegree[b] == 0 and b not in placed:
                heapq.heappush(ready, (eff[b], index[b], b))
    return order


# ---- proposals -------------------------------------------------------------------------------


def proposals(names: dict[str, str], order: list[str]) -> tuple[list[str], str | None]:
    """Stages that may be one (the same phase, or names a typo apart), each as a line, and
    the ``--stages`` value that merges them all (``None`` when there is nothing to merge or a
    name cannot be written in ``--stages``)."""
    groups: dict[str, list[str]] = {}
    for k in order:
        phase = phase_of(names[k])
        groups.setdefault(phase or f"?{k}", []).append(k)
    lines: list[str] = []
    # names a typo apart (not of one phase): said, not merged by the proposed --stages; on a
    # map of a sensible size (every pair is compared)
    for i, a in enumerate(order if len(order) <= _TYPO_MAX else []):
        for b in order[i + 1 :]:
            pa, pb = phase_of(names[a]), phase_of(names[b])
            if pa is not None and pa == pb:
                continue
            if min(len(a), len(b)) >= 5 and difflib.SequenceMatcher(None, a, b).ratio() >= 0.85:
                lines.append(
                    f"stages {names[a]!r} and {names[b]!r} differ by a letter or two; if they "
                    f"are one stage, map one onto the other: --stages ...,{names[a]}="
                    f"{names[b]},..."
                )
    keeper: dict[str, str] = {}
    for phase, members in groups.items():
        if len(members) < 2:
            continue
        keep = next((k for k in members if k == stage_key(phase)), members[0])
        keeper[keep] = phase
        others = [names[k] for k in members if k != keep]
        if not phase.startswith("?"):
            lines.append(
                f"stages {', '.join(repr(names[k]) for k in members)} may be one stage "
                f"({phase}); to merge them: --stages ...,{names[keep]}={'+'.join(others)},..."
            )
    if not keeper:
        return lines, None
    specs: list[StageSpec] = []
    merged: set[str] = set()
    for k in order:
        if k in merged:
            continue
        group = next((g for g in groups.values() if k in g and len(g) > 1), [k])
        keep = next((m for m in group if m in keeper), k)
        specs.append(StageSpec(names[keep], tuple(names[m] for m in group if m != keep)))
        merged.update(group)
    text = spec_text(specs)
    if any(ch in names[k] for k in order for ch in ",=+"):
        return lines, None
    return lines, text
