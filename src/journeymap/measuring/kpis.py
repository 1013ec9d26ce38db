"""KPIs computed exactly as the map defines them, and compared with targets of the same period.

Every KPI of the map is computed by its definition (docs/measure.md, "KPIs"):

=====================================  ======================================================
the map's KPI                          computed as
=====================================  ======================================================
``numerator:`` (and ``denominator:``)  customers counted by the numerator among those counted
                                       by the denominator (default: every customer of the
                                       event log) x 100, in %. A side counts the customers
                                       who reached any of its ``touchpoints`` or ``stages``
                                       and whose journey ended its ``outcome`` (``goal``:
                                       reached the goal; ``abandoned``, ``in-progress``, an
                                       end's id: ended so), all that are given holding.
kind conversion, no numerator          with a ``touchpoint``: reached the goal among those
                                       who reached it; with a ``stage``: went on from it
                                       (the stage figures); neither: reached the goal among
                                       every journey
kind nps / csat / ces                  with a ``touchpoint``: the answers matched to that
                                       touchpoint only; else every answer of the feedback
                                       on that scale
kind retention / churn                 the event log's retention per the KPI's ``period``
                                       (monthly by default), the last complete period
=====================================  ======================================================

A KPI that cannot be computed this way (a custom one without numerator, a score without
feedback) is still listed, with no value and a note saying why. A value carries its
``definition`` in words and the ``period`` it covers; a period the data ends in the middle of
is ``partial`` and never presented as a complete one (the last complete period is used; a
partial period only when there is no complete one, and then flagged).

Besides the map's KPIs, the journey's own figures are listed when the map has no KPI that is
the same figure: reaching the goal, going on from each stage without an outcome touchpoint,
retention and churn of the last complete month, NPS, CSAT and CES overall.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from journeymap._numbers import count
from journeymap.measuring.outcomes import ABANDONED, GOAL, IN_PROGRESS, outcome_touchpoints
from journeymap.model.measurement import KPIMeasure

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa

    from journeymap.events.read import EventLog
    from journeymap.measuring.behaviour import Matched
    from journeymap.model import JourneyMap
    from journeymap.model.kpi import KPI, Counted
    from journeymap.voice.read import Feedback

__all__ = ["PERIODS", "KPIEvidence", "measure_kpis"]

Period = Literal["day", "week", "month", "quarter"]
#: the words of a KPI's ``period`` and the retention period they mean
PERIODS: dict[str, Period] = {
    "daily": "day", "day": "day", "weekly": "week", "week": "week", "monthly": "month",
    "month": "month", "quarterly": "quarter", "quarter": "quarter",
}  # fmt: skip
_SURVEYS = ("nps", "csat", "ces")


@dataclass(frozen=True)
class KPIEvidence:
    """What the KPIs are computed from: the event log matched with the map (and how each
    journey ends), the stage figures, the voice per touchpoint and the feedback files."""

    log: EventLog | None = None
    matched: Matched | None = None
    journeys: ir.Table | None = None
    stages: pa.Table | None = None
    voice: pa.Table | None = None
    feedback: Sequence[Feedback] = ()
    #: figures of the whole log several KPIs read, computed once (each is a scan of the log)
    memo: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def once(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()`` the first time ``key`` is asked for, its result after."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]


def measure_kpis(m: JourneyMap, e: KPIEvidence) -> list[KPIMeasure]:
    """The map's KPIs by their definitions, then the journey's own figures that no map KPI
    already is (module docstring)."""
    mine = [_map_kpi(m, k, e) for k in m.kpis]
    taken = {k.key for k in mine}
    return mine + [k for k in _journey_kpis(m, e) if k.key not in taken]


# ---- the map's KPIs ----------------------------------------------------------------------------


def _map_kpi(m: JourneyMap, kpi: KPI, e: KPIEvidence) -> KPIMeasure:
    if kpi.numerator is not None or kpi.denominator is not None:
        found = _ratio(m, kpi, e)
    elif kpi.kind == "conversion":
        found = _conversion(m, kpi, e)
    elif kpi.kind in _SURVEYS:
        found = _score(m, kpi.kind, kpi.touchpoint, e)
    elif kpi.kind in ("retention", "churn"):
        found = _retention(kpi.kind, PERIODS.get((kpi.period or "monthly").lower()), e)
    else:
        found = _missing(
            f"kpi:{kpi.id}",
            kpi.kind,
            "not computed: a custom KPI needs a numerator (and a denominator) to be computed "
            "from the data",
        )
    if _is_goal_share(kpi):  # the journey's own "Reached the goal": shown once, as the map's
        found.key = "conversion:journey"
    found.kpi, found.target, found.label = kpi.id, kpi.target, kpi.name
    if kpi.unit and found.unit is None and found.value is not None:
        found.unit = kpi.unit
    return found


def _missing(key: str, kind: str, note: str) -> KPIMeasure:
    return KPIMeasure(key=key, kind=kind, label=key, note=note)


def _customers(e: KPIEvidence, m: JourneyMap, counted: Counted | None) -> ir.Table | None:
    """The customers a side of a ratio counts (a one-column table), None: every customer."""
    if counted is None or counted.everyone:
        return None
    assert e.matched is not None and e.journeys is not None
    from journeymap.measuring.matching import rules_of

    rules = rules_of(m)
    orders = [r.order for r in rules if r.touchpoint in counted.touchpoints]
    orders += [r.order for r in rules if r.stage in counted.stages]
    picked: ir.Table | None = None
    if counted.touchpoints or counted.stages:
        t = e.matched.table
        picked = t.filter(t.tp_order.isin(orders)).select("customer").distinct()
    if counted.outcome is not None:
        j = e.journeys
        if counted.outcome == GOAL:
            ended = j.filter(j.reached_goal).select("customer")
        else:
            ended = j.filter(j.outcome == counted.outcome).select("customer")
        picked = ended if picked is None else picked.semi_join(ended, "customer")
    return picked


def _describe(m: JourneyMap, counted: Counted | None) -> str:
    if counted is None or counted.everyone:
        return "every customer of the event log"
    names = {tp.id: tp.name for _, tp in m.iter_touchpoints()} | {s.id: s.name for s in m.stages}
    bits = []
    if counted.touchpoints or counted.stages:
        where = [names.get(i, i) for i in (*counted.touchpoints, *counted.stages)]
        bits.append("customers who reached " + " or ".join(where))
    if counted.outcome is not None:
        ends = {e.id: e.name for e in m.outcomes.ends} if m.outcomes is not None else {}
        said = {GOAL: "reached the goal", ABANDONED: "gave up", IN_PROGRESS: "are in progress"}
        how = said.get(counted.outcome) or f"ended '{ends.get(counted.outcome, counted.outcome)}'"
        bits.append(("whose journey " if bits else "customers whose journey ") + how)
    return ", ".join(bits)


def _ratio(m: JourneyMap, kpi: KPI, e: KPIEvidence) -> KPIMeasure:
    key = f"kpi:{kpi.id}"
    text = f"{_describe(m, kpi.numerator)} ÷ {_describe(m, kpi.denominator)} × 100"
    if e.log is None or e.matched is None:
        return _missing(key, kpi.kind, f"not computed: {text} needs an event log")
    engine = e.log.engine
    below = _customers(e, m, kpi.denominator)
    above = _customers(e, m, kpi.numerator)
    base = below if below is not None else e.log.table.select("customer").distinct()
    top = base if above is None else base.semi_join(above, "customer")
    n = int(engine.scalar(base.count()) or 0)
    k = int(engine.scalar(top.count()) or 0)
    return KPIMeasure(
        key=key, kind=kpi.kind, label=kpi.name, value=k / n * 100 if n else None, unit="%",
        n=n, definition=f"{text}: {count(k)} of {count(n)}", period=_log_period(e),
        note=_period_note(kpi),
    )  # fmt: skip


def _period_note(kpi: KPI) -> str | None:
    if kpi.period is None:
        return None
    return f"computed over the whole event log, not per {kpi.period} period"


def _log_period(e: KPIEvidence) -> str | None:
    if e.log is None:
        return None
    return e.once("period", lambda: _period_of(e))  # type: ignore[no-any-return]


def _period_of(e: KPIEvidence) -> str | None:
    assert e.log is not None
    t = e.log.table
    got = e.log.engine.run(t.aggregate(first=t.ts.min(), last=t.ts.max())).to_pylist()[0]
    if got["first"] is None:
        return None
    return f"{got['first']:%Y-%m-%d} to {got['last']:%Y-%m-%d}"


def _conversion(m: JourneyMap, kpi: KPI, e: KPIEvidence) -> KPIMeasure:
    """A conversion KPI without numerator: by its touchpoint, its stage, or the journey."""
    from journeymap.model.kpi import Counted

    if kpi.touchpoint is not None:
        ratio = kpi.model_copy(
            update={
                "numerator": Counted(outcome=GOAL),
                "denominator": Counted(touchpoints=[kpi.touchpoint]),
            }
        )
        found = _ratio(m, ratio, e)
        found.key = f"conversion:{kpi.touchpoint}"
        return found
    if kpi.stage is not None:
        return next(
            (k for k in _stage_kpis(m, e, every=True) if k.key == f"conversion:{kpi.stage}"),
            _missing(f"conversion:{kpi.stage}", "conversion", "not computed: no event log"),
        )
    return _goal_kpi(m, e) or _missing("conversion:journey", "conversion", "no event log")


# ---- the journey's own figures -------------------------------------------------------------


def _journey_kpis(m: JourneyMap, e: KPIEvidence) -> list[KPIMeasure]:
    out: list[KPIMeasure] = []
    goal = _goal_kpi(m, e)
    if goal is not None:
        out.append(goal)
    out += _stage_kpis(m, e)
    once = _one_off(e, "month")
    if once >= ONE_OFF:
        skipped = _missing("retention", "retention", "not listed: " + one_off_note(once, "month"))
        skipped.label = "Retention and churn"
        out.append(skipped)
    elif e.log is not None:
        out += [
            k
            for k in (_retention("retention", "month", e), _retention("churn", "month", e))
            if k.value is not None
        ]
    for scale in _SURVEYS:
        found = _score(m, scale, None, e)
        if found.value is not None:
            out.append(found)
    return out


#: a period's nominal length in days
_DAYS: dict[str, int] = {"day": 1, "week": 7, "month": 30, "quarter": 91}
#: when at least this share of customers do everything within less than one period, their
#: journeys are one-off (an application, an onboarding): retention and churn per period say
#: little about them
ONE_OFF = 0.9


def _one_off(e: KPIEvidence, period: str) -> float:
    if e.log is None:
        return 0.0
    log = e.log
    return e.once(("one-off", period), lambda: one_off_share(log, period))  # type: ignore[no-any-return]


def one_off_share(log: EventLog, period: str) -> float:
    """The share of the log's customers whose first and last events are less than one
    ``period`` apart (0..1)."""
    t = log.table
    span = t.ts.max().delta(t.ts.min(), unit="second")
    per = t.group_by("customer").aggregate(span=span)
    within = per.span < _DAYS[period] * 86400
    got = log.engine.run(per.aggregate(n=per.count(), one=per.count(where=within))).to_pylist()[0]
    return int(got["one"] or 0) / int(got["n"]) if got["n"] else 0.0


def one_off_note(share: float, period: str) -> str:
    return (
        f"{share * 100:.0f}% of customers do everything within less than a {period}: one-off "
        "journeys (an application, an onboarding), which retention and churn per "
        f"{period} say little about"
    )


def _file_name(source: str) -> str:
    """A source as people name it: its file name (a report does not show local paths)."""
    from pathlib import PurePath

    return PurePath(source).name or source


def _is_goal_share(kpi: KPI) -> bool:
    """Whether the KPI counts the customers who reached the goal among every customer."""
    num, den = kpi.numerator, kpi.denominator
    return (
        num is not None
        and num.outcome == "goal"
        and not num.touchpoints
        and not num.stages
        and (den is None or den.everyone)
    )


def _goal_kpi(m: JourneyMap, e: KPIEvidence) -> KPIMeasure | None:
    if e.journeys is None or e.log is None:
        return None
    j = e.journeys
    got = e.log.engine.run(j.aggregate(n=j.count(), k=j.count(where=j.reached_goal))).to_pylist()
    n, k = int(got[0]["n"] or 0), int(got[0]["k"] or 0)
    goal = ", ".join(m.touchpoint(t).name for t in m.goal_touchpoints())
    return KPIMeasure(
        key="conversion:journey", kind="conversion", label="Reached the goal",
        value=k / n * 100 if n else None, unit="%", n=n,
        definition=f"customers who reached the goal ({goal}) ÷ customers with a matched "
        f"event × 100: {count(k)} of {count(n)}",
        period=_log_period(e),
    )  # fmt: skip


def _stage_kpis(m: JourneyMap, e: KPIEvidence, *, every: bool = False) -> list[KPIMeasure]:
    """Going on from each stage but the last; without ``every``, not from a stage with an
    outcome touchpoint (ending there is finishing: e.g. the stage of the order)."""
    if e.stages is None or not e.stages.num_rows:
        return []
    names = {s.id: s.name for s in m.stages}
    # a stage where journeys end by an outcome: ending there is finishing, not failing to go on
    ends = outcome_touchpoints(m)
    ending = (
        set() if every else {s.id for s in m.stages if any(t.id in ends for t in s.touchpoints)}
    )
    out = []
    for r in e.stages.to_pylist()[:-1]:
        if r["stage"] in ending:
            continue
        share = r.get("conversion_to_next")
        out.append(
            KPIMeasure(
                key=f"conversion:{r['stage']}", kind="conversion",
                label=f"Go on from {names.get(r['stage'], r['stage'])}",
                value=None if share is None else float(share) * 100, unit="%",
                n=r.get("customers"),
                definition=f"customers who reach a later stage and do not end their journey "
                f"in {names.get(r['stage'], r['stage'])} ÷ customers who reach it × 100: "
                f"{count(int(r.get('converted') or 0))} of {count(int(r.get('customers') or 0))}",
                period=_log_period(e),
            )
        )  # fmt: skip
    return out


def _score(m: JourneyMap, scale: str, touchpoint: str | None, e: KPIEvidence) -> KPIMeasure:
    """NPS, CSAT or CES: of one touchpoint's answers, or of every answer on that scale."""
    unit = None if scale == "ces" else ("points" if scale == "nps" else "%")
    if touchpoint is not None:
        key = f"{scale}:{touchpoint}"
        rows = {r["touchpoint"]: r for r in e.voice.to_pylist()} if e.voice is not None else {}
        r = rows.get(touchpoint, {})
        name = m.touchpoint(touchpoint).name
        if r.get(scale) is None:
            return _missing(key, scale, f"no {scale.upper()} answer matched to {name}")
        return KPIMeasure(
            key=key, kind=scale, label=f"{scale.upper()} {name}", value=r[scale], unit=unit,
            n=r.get(f"{scale}_n"), low=r.get(f"{scale}_low"), high=r.get(f"{scale}_high"),
            definition=f"{scale.upper()} of the answers matched to {name} only",
        )  # fmt: skip
    from journeymap.voice.scores import score_of

    for fb in e.feedback:
        if fb.roles.scale != scale or fb.roles.score is None:
            continue
        values = fb.table.column(fb.roles.score).to_pylist()
        s = score_of(values, scale, scale_range=fb.roles.scale_range, top_box=None)
        if s.n:
            return KPIMeasure(
                key=scale, kind=scale, label=scale.upper(), value=s.score, unit=unit, n=s.n,
                low=s.ci_low, high=s.ci_high,
                definition=f"{scale.upper()} of every answer of {_file_name(fb.source)}",
            )  # fmt: skip
    return _missing(scale, scale, f"no {scale.upper()} answers in the feedback")


# ---- retention and churn -----------------------------------------------------------------------


def _retention(kind: str, period: Period | None, e: KPIEvidence) -> KPIMeasure:
    """Retention or churn of the last complete ``period`` with customers at its start."""
    if period is None:
        return _missing(kind, kind, f"unknown period; expected one of: {', '.join(PERIODS)}")
    key = kind if period == "month" else f"{kind}:{period}"
    if e.log is None:
        return _missing(key, kind, "not computed: no event log")
    from journeymap.events.retention import retention

    log = e.log
    table = e.once(("retention", period), lambda: retention(log, period=period).to_pylist())
    rows = [r for r in table if r.get("customers_at_start")]
    if not rows:
        return _missing(key, kind, f"no {period} with customers at its start")
    end = e.once("end", lambda: log.engine.scalar(log.table.ts.max()))
    complete = [r for r in rows if _complete(r["period"], period, end)]
    r, partial = (complete[-1], False) if complete else (rows[-1], True)
    start = r["period"]
    label = _period_label(start, period)
    n = int(r["customers_at_start"])
    value = r["retention_rate"] if kind == "retention" else r["churn_rate"]
    formula = (
        "customers active in the period who were active in the one before ÷ customers active "
        "in the one before × 100"
        if kind == "retention"
        else "customers active in the period before who are not active in it ÷ customers "
        "active in the period before × 100"
    )
    notes = [f"the data ends inside {label}: no complete {period} to compare"] if partial else []
    once = _one_off(e, period)
    if once >= ONE_OFF:
        notes.append(one_off_note(once, period))
    return KPIMeasure(
        key=key, kind=kind, label=f"{kind.capitalize()} {label}", value=value, unit="%", n=n,
        definition=formula, period=label, partial=partial, note="; ".join(notes) or None,
    )  # fmt: skip


def _period_end(start: dt.date, period: str) -> dt.date:
    if period == "day":
        return start + dt.timedelta(days=1)
    if period == "week":
        return start + dt.timedelta(days=7)
    months = 1 if period == "month" else 3
    month = start.month - 1 + months
    return dt.date(start.year + month // 12, month % 12 + 1, 1)


def _complete(start: Any, period: str, end: Any) -> bool:
    """Whether the data covers the period's last day."""
    first = start.date() if isinstance(start, dt.datetime) else start
    last = end.date() if isinstance(end, dt.datetime) else end
    return bool(last >= _period_end(first, period) - dt.timedelta(days=1))


def _period_label(start: Any, period: str) -> str:
    first = start.date() if isinstance(start, dt.datetime) else start
    if period == "month":
        return f"{first:%Y-%m}"
    if period == "quarter":
        return f"{first.year}-Q{(first.month - 1) // 3 + 1}"
    if period == "week":
        return f"week of {first:%Y-%m-%d}"
    return f"{first:%Y-%m-%d}"
