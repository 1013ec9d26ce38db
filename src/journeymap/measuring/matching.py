"""Touchpoint rules as engine conditions: which touchpoint claims each event of a log.

A touchpoint's ``events:`` rule (:class:`~journeymap.model.EventMatch`) becomes one Ibis
boolean over the log's canonical table, so the engine does the matching (on 100M events as on
100):

* exact names: ``event IN (...)`` (case-sensitive, the whole name);
* globs (``*``, ``?``, ``[...]``, as :func:`fnmatch.fnmatchcase`): a regular expression
  anchored at both ends, every other character taken literally, so ``%`` and ``_`` in a name
  mean themselves (a SQL ``LIKE`` would read them as wildcards);
* ``/regular expressions/``: searched anywhere in the name by the engine's own regex
  (RE2 on DuckDB, Java's on Spark; both know the common syntax, neither the Python-only
  parts, and DuckDB has no look-around or back-references);
* ``channel``: the log's channel column, compared without case;
* ``where``: ``column IN (values)``, the column's value compared as text.

An event belongs to a touchpoint when its name matches any of ``names`` and every condition
holds; a rule without names claims nothing (``names: ["*"]`` claims every name). All rules
together are ONE ``CASE`` over the touchpoints in map order: an event that two rules match
goes to the first (and :func:`check_links` reports it). Without ``where`` conditions the
rules read only the event name and the channel, so they are evaluated once per distinct
(event, channel) and joined back (:func:`derive`): a pattern runs a few hundred times, not
once per event.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from journeymap._numbers import count
from journeymap.errors import UsageError

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

    from journeymap.engine import Engine
    from journeymap.events.read import EventLog
    from journeymap.model import EventMatch, JourneyMap

__all__ = [
    "Rule",
    "check_columns",
    "check_links",
    "claim",
    "derive",
    "glob_regex",
    "is_glob",
    "is_regex",
    "name_condition",
    "regex_errors",
    "rule_condition",
    "rules_of",
    "stage_order_of",
]

#: characters that are special in a regular expression outside a class (RE2 and Java)
_SPECIAL = set("\\.^$*+?()[]{}|")
#: characters that are special inside a class (Java: ``[`` nests and ``&&`` intersects)
_CLASS_SPECIAL = set("\\]^-[&")


def is_regex(name: str) -> bool:
    return len(name) > 1 and name.startswith("/") and name.endswith("/")


def is_glob(name: str) -> bool:
    return not is_regex(name) and any(c in name for c in "*?[")


def _literal(text: str, special: set[str]) -> str:
    return "".join(f"\\{c}" if c in special else c for c in text)


def _char_class(body: str) -> str | None:
    """The regex class for a glob's ``[body]`` (``!`` negates, ``a-z`` ranges), as
    :mod:`fnmatch` reads it; ``None`` when it can match nothing (``[z-a]``)."""
    negate = body.startswith("!")
    if negate:
        body = body[1:]
    items: list[str] = []
    i = 0
    while i < len(body):
        if i + 2 < len(body) and body[i + 1] == "-":
            lo, hi = body[i], body[i + 2]
            if lo <= hi:  # fnmatch drops a reversed range
                items.append(f"{_literal(lo, _CLASS_SPECIAL)}-{_literal(hi, _CLASS_SPECIAL)}")
            i += 3
        else:
            items.append(_literal(body[i], _CLASS_SPECIAL))
            i += 1
    if not items:
        return "." if negate else None  # [!z-a]: any character; [z-a]: none
    return f"[{'^' if negate else ''}{''.join(items)}]"


def glob_regex(glob: str) -> str | None:
    """A glob as a regular expression for the engine, anchored at both ends; ``None`` when
    the glob can match no name. ``*`` any run of characters, ``?`` one character, ``[abc]``,
    ``[a-z]`` and ``[!abc]`` classes (a ``]`` right after ``[`` or ``[!`` is a member); an
    unclosed ``[`` is itself; everything else is literal."""
    out = ["^(?s:"]
    i, n = 0, len(glob)
    while i < n:
        c = glob[i]
        i += 1
        if c == "*":
            if out[-1] != ".*":
                out.append(".*")
        elif c == "?":
            out.append(".")
        elif c == "[":
            j = i
            if j < n and glob[j] == "!":
                j += 1
            if j < n and glob[j] == "]":
                j += 1
            while j < n and glob[j] != "]":
                j += 1
            if j >= n:
                out.append("\\[")
                continue
            cls = _char_class(glob[i:j])
            if cls is None:
                return None
            out.append(cls)
            i = j + 1
        else:
            out.append(_literal(c, _SPECIAL))
    out.append(")$")
    return "".join(out)


@dataclass(frozen=True)
class Rule:
    """One touchpoint of a map and its place: ``order`` is its 1-based index in
    ``m.iter_touchpoints()``, ``stage_order`` its stage's 1-based index in ``m.stages``;
    ``front``: whether it is a customer step (front-stage lane)."""

    order: int
    stage: str
    stage_order: int
    touchpoint: str
    events: EventMatch | None
    #: a customer step (front stage); back-stage and support work is the business'
    front: bool = True

    @property
    def label(self) -> str:
        return f"touchpoint {self.touchpoint!r} (stage {self.stage!r})"


def rules_of(m: JourneyMap) -> list[Rule]:
    """Every touchpoint of the map, in map order."""
    index = {stage.id: i for i, stage in enumerate(m.stages, 1)}
    return [
        Rule(order, stage.id, index[stage.id], tp.id, tp.events, tp.lane == "frontstage")
        for order, (stage, tp) in enumerate(m.iter_touchpoints(), 1)
    ]


def name_condition(match: EventMatch, event: ir.StringValue) -> ir.BooleanValue | None:
    """Whether ``event`` matches one of the rule's names; ``None`` when none can match."""
    exact = [n for n in match.names if not is_glob(n) and not is_regex(n)]
    parts: list[ir.BooleanValue] = []
    if exact:
        parts.append(event.isin(list(dict.fromkeys(exact))))
    for name in match.names:
        if is_regex(name):
            parts.append(event.re_search(name[1:-1]))
        elif is_glob(name):
            pattern = glob_regex(name)
            if pattern is not None:
                parts.append(event.re_search(pattern))
    if not parts:
        return None
    cond = parts[0]
    for part in parts[1:]:
        cond = cond | part
    return cond


def check_columns(rules: list[Rule], columns: list[str]) -> None:
    """Raise :class:`UsageError` naming the touchpoint when a rule needs a column the log
    lacks: a condition is never silently ignored."""
    for rule in rules:
        _check_columns(rule, columns)


def _check_columns(rule: Rule, columns: list[str]) -> None:
    match = rule.events
    if match is None:
        return
    have = ", ".join(columns)
    if match.channel and "channel" not in columns:
        raise UsageError(
            f"{rule.label} matches events on channel {', '.join(match.channel)}, but the event "
            f"log has no channel column (it has {have}); read it with its channel column "
            "(read_events(..., channel=COL), --channel COL) or drop the channel condition"
        )
    for column in match.where:
        if column not in columns:
            raise UsageError(
                f"{rule.label}: its `where` condition needs the column {column!r}, which the "
                f"event log does not have (it has {have}). An event log keeps the columns of "
                "its roles (customer, event, time, session, channel, value) and those read "
                f"with read_events(..., keep=[{column!r}]); `journeymap measure` keeps the "
                "columns the map's conditions name"
            )


def rule_condition(rule: Rule, t: ir.Table) -> ir.BooleanValue | None:
    """The events of ``t`` that ``rule`` matches; ``None`` when it can match none.

    Raises :class:`UsageError` naming the touchpoint when a condition needs a column ``t``
    lacks: a condition is never silently ignored.
    """
    match = rule.events
    if match is None:
        return None
    _check_columns(rule, list(t.columns))
    cond = name_condition(match, t.event)
    if cond is None:
        return None
    if match.channel:
        cond = cond & t.channel.lower().isin(sorted({c.lower() for c in match.channel}))
    for column, values in match.where.items():
        wanted = [values] if isinstance(values, str) else list(values)
        cond = cond & t[column].cast("string").isin(wanted)
    return cond


def claim(
    rules: list[Rule], t: ir.Table, conditions: dict[int, ir.BooleanValue] | None = None
) -> ir.IntegerValue:
    """The ``order`` of the first rule that matches each event (null: none): one CASE.
    ``conditions``: the rules' conditions by order, when already built."""
    import ibis

    if conditions is None:
        conditions = {r.order: c for r in rules if (c := rule_condition(r, t)) is not None}
    branches = [
        (cond, ibis.literal(order, type="int64")) for order, cond in sorted(conditions.items())
    ]
    if not branches:
        return ibis.null("int64")
    return ibis.cases(*branches, else_=ibis.null("int64"))


def derive(rules: list[Rule], t: ir.Table, add: Callable[[ir.Table], ir.Table]) -> ir.Table:
    """``t`` with the columns ``add`` derives from the rules' conditions.

    The conditions read the event name (and the channel): when no rule has a ``where``,
    they are evaluated once per distinct (event[, channel]) and joined back, so a pattern
    runs a few hundred times instead of once per event; otherwise once per event.
    """
    check_columns(rules, list(t.columns))
    if any(r.events is not None and r.events.where for r in rules):
        return add(t)
    channel = any(r.events is not None and r.events.channel for r in rules)
    keys = ["event", "channel"] if channel else ["event"]
    d = add(t.select(*keys).distinct())
    preds = [t.event == d.event]
    if channel:
        preds.append(t.channel.identical_to(d.channel))
    new = [c for c in d.columns if c not in keys]
    return t.join(d, preds).select(*[t[c] for c in t.columns], *[d[c] for c in new])


def stage_order_of(rules: list[Rule], order: ir.IntegerValue) -> ir.IntegerValue:
    """A touchpoint's ``order`` -> its stage's order (one CASE over the touchpoints)."""
    import ibis

    if not rules:
        return ibis.null("int64")
    return ibis.cases(
        *[(order == r.order, ibis.literal(r.stage_order, type="int64")) for r in rules],
        else_=ibis.null("int64"),
    )


@contextmanager
def regex_errors(engine: Engine, rules: list[Rule]) -> Iterator[None]:
    """Around a query that matches events: when the engine fails, find the regular
    expression it cannot use (the model checks them with Python's ``re``, the engine has
    its own dialect) and say which touchpoint holds it. Only the backend's own errors
    (:attr:`Engine.errors <journeymap.engine.core.Engine.errors>`) are looked into; when no
    pattern is to blame, or for any other error, the error goes on as it is."""
    try:
        yield
    except engine.errors as exc:
        culprit = _bad_regex(engine, rules)
        if culprit is None:
            raise
        raise culprit from exc


def _bad_regex(engine: Engine, rules: list[Rule]) -> UsageError | None:
    import ibis
    import pyarrow as pa

    probe = ibis.memtable(pa.table({"event": pa.array([""], pa.string())}))
    for rule in rules:
        for name in rule.events.names if rule.events else []:
            pattern = name[1:-1] if is_regex(name) else glob_regex(name) if is_glob(name) else None
            if pattern is None:
                continue
            try:
                engine.run(probe.select(ok=probe.event.re_search(pattern)))
            except engine.errors as exc:  # the backend's own error type, reported in words
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                dialect = "RE2" if engine.kind == "duckdb" else "Java"
                return UsageError(
                    f"{rule.label}: the {engine.kind} engine cannot use the pattern {name!r} "
                    f"({dialect} regular expressions; no look-around or back-references on "
                    f"DuckDB): {first}"
                )
    return None


# ---- check_links -----------------------------------------------------------------------------

_FINDINGS = ("kind", "touchpoint", "event", "rows", "customers", "message")


def check_links(log: EventLog, m: JourneyMap) -> pa.Table:
    """What did not link cleanly, one row per finding (columns ``kind, touchpoint, event,
    rows, customers, message``):

    * ``no-events``: a touchpoint that claims no event (no rule, a rule that can match no
      name, one that matches nothing in the log, or one whose events all go to an earlier
      touchpoint), in map order; ``rows`` and ``customers`` are 0;
    * ``matched-twice``: rows of ``event`` that ``touchpoint``'s rule matches but an earlier
      touchpoint claims (they count for the earlier one), most rows first;
    * ``unmatched-event``: an event name with rows no touchpoint claims, most rows first.

    One pass over the log: every rule's condition per event, grouped by (event, claim,
    customer), then by (event, claim).
    """
    import pyarrow as pa

    rules = rules_of(m)
    t = log.table
    conditional = {
        r.order for r in rules if r.events is not None and (r.events.channel or r.events.where)
    }
    live: set[int] = set()
    names_only: set[int] = set()

    def flags(d: ir.Table) -> ir.Table:
        conds = {r.order: c for r in rules if (c := rule_condition(r, d)) is not None}
        named = {
            o: c
            for o in conditional & set(conds)
            if (c := name_condition(by_order[o].events, d.event)) is not None  # type: ignore[arg-type]
        }
        live.update(conds)
        names_only.update(named)
        d = d.mutate(
            **{f"m{o}": c for o, c in conds.items()}, **{f"n{o}": c for o, c in named.items()}
        )
        return d.mutate(claim=claim(rules, d, {o: d[f"m{o}"] for o in conds}))

    by_order = {r.order: r for r in rules}
    check_columns(rules, list(t.columns))
    read = {"customer", "event"}
    for r in rules:
        if r.events is not None:
            read |= set(r.events.where) | ({"channel"} if r.events.channel else set())
    x = derive(rules, t.select(*[c for c in t.columns if c in read]), flags)
    conds = sorted(live)
    one: dict[str, Any] = {"n": x.count()}
    for o in conds:
        one[f"lost{o}"] = x.count(where=x[f"m{o}"] & (x.claim < o))
    for o in names_only:
        one[f"name{o}"] = x.count(where=x[f"n{o}"])
    per = x.group_by(["event", "claim", "customer"]).aggregate(**one)
    two: dict[str, Any] = {"rows": per.n.sum().cast("int64"), "customers": per.count()}
    for o in conds:
        two[f"lost{o}"] = per[f"lost{o}"].sum().cast("int64")
        two[f"lostc{o}"] = per.count(where=per[f"lost{o}"] > 0)
    for o in names_only:
        two[f"name{o}"] = per[f"name{o}"].sum().cast("int64")
    grouped = per.group_by(["event", "claim"]).aggregate(**two)
    with regex_errors(log.engine, rules):
        groups = log.engine.run(grouped).to_pylist()
    findings = _no_events(rules, groups, live)
    findings += _twice(rules, groups, list(conds))
    findings += _unmatched(rules, groups)
    schema = pa.schema(
        [(k, pa.int64() if k in ("rows", "customers") else pa.string()) for k in _FINDINGS]
    )
    return pa.Table.from_pylist([{k: f[k] for k in _FINDINGS} for f in findings], schema)


def _rows(n: int) -> str:
    return f"{count(n)} row" if n == 1 else f"{count(n)} rows"


def _customers(n: int) -> str:
    return f"{count(n)} customer" if n == 1 else f"{count(n)} customers"


def _finding(
    kind: str, touchpoint: str | None, event: str | None, rows: Any, customers: Any, message: str
) -> dict[str, Any]:
    return {
        "kind": kind,
        "touchpoint": touchpoint,
        "event": event,
        "rows": int(rows),
        "customers": int(customers),
        "message": message,
    }


def _no_events(
    rules: list[Rule], groups: list[dict[str, Any]], live: set[int]
) -> list[dict[str, Any]]:
    claimed = {r.order: 0 for r in rules}
    for g in groups:
        if g["claim"] is not None:
            claimed[int(g["claim"])] += int(g["rows"])
    known = sorted({str(g["event"]) for g in groups})
    out = []
    for r in rules:
        if not claimed[r.order]:
            why = _why_nothing(r, rules, groups, known, live)
            out.append(_finding("no-events", r.touchpoint, None, 0, 0, f"{r.label}: {why}"))
    return out


def _twice(
    rules: list[Rule], groups: list[dict[str, Any]], live: list[int]
) -> list[dict[str, Any]]:
    by_order = {r.order: r for r in rules}
    out = []
    for g in groups:
        for o in live:
            n = int(g.get(f"lost{o}") or 0)
            if not n:
                continue
            winner, loser = by_order[int(g["claim"])].touchpoint, by_order[o].touchpoint
            msg = (
                f"{_rows(n)} of {g['event']!r} match both {winner!r} and {loser!r}; they count "
                f"for {winner!r} (the first in map order)"
            )
            out.append((n, o, _finding("matched-twice", loser, g["event"], n, g[f"lostc{o}"], msg)))
    return [f for _, _, f in sorted(out, key=lambda x: (-x[0], x[1], x[2]["event"]))]


def _unmatched(rules: list[Rule], groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for g in groups:
        if g["claim"] is not None:
            continue
        event = str(g["event"])
        # a rule whose names match but whose conditions do not (a hint, in Python's terms)
        near = [
            r.touchpoint for r in rules if r.events is not None and r.events.matches_name(event)
        ]
        hint = (
            f"; its name matches {', '.join(repr(n) for n in near)}, but not the conditions"
            if near
            else ""
        )
        msg = (
            f"{event!r}: {_rows(int(g['rows']))} of {_customers(int(g['customers']))} belong "
            f"to no touchpoint{hint}"
        )
        out.append(_finding("unmatched-event", None, event, g["rows"], g["customers"], msg))
    return sorted(out, key=lambda f: (-f["rows"], f["event"]))


def _conditions_text(rule: Rule) -> str:
    match = rule.events
    parts = []
    if match is not None and match.channel:
        parts.append(f"channel {', '.join(match.channel)}")
    for column, values in (match.where if match is not None else {}).items():
        shown = values if isinstance(values, str) else ", ".join(values)
        parts.append(f"{column} in {shown}")
    return "; ".join(parts)


def _why_nothing(
    rule: Rule, rules: list[Rule], groups: list[dict[str, Any]], known: list[str], live: set[int]
) -> str:
    """Why a touchpoint claims no event, in words."""
    match = rule.events
    if match is None:
        return "has no `events:` rule, so no event is linked to it"
    if rule.order not in live:
        return 'its `events:` rule can match no event name (give names; "*" matches every name)'
    lost = sum(int(g.get(f"lost{rule.order}") or 0) for g in groups)
    if lost:
        winners = {int(g["claim"]) for g in groups if g.get(f"lost{rule.order}")}
        names = ", ".join(repr(r.touchpoint) for r in rules if r.order in winners)
        return (
            f"every event its rule matches ({_rows(lost)}) goes to the earlier touchpoint "
            f"{names} (the first in map order wins)"
        )
    by_name = sum(int(g.get(f"name{rule.order}") or 0) for g in groups)
    if by_name:
        return (
            f"its names match {_rows(by_name)}, but none meets its conditions "
            f"({_conditions_text(rule)})"
        )
    hints = []
    for name in match.names:
        if not is_glob(name) and not is_regex(name) and name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hints.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    absent = f"; the log has no event {', '.join(hints)}" if hints else ""
    return f"no event of the log matches its names{absent}"
