"""Three real public logs measured with maps written for them (``tests/measuring/maps/``), and
what a CX lead must be able to trust, each figure checked against an independent count made
here with the csv module and plain Python (no journeymap code):

- ``receipt.csv``: the receipt phase of a permit application at a Dutch municipality, the
  citizen's journey, with the municipality's checks and drafts on the back stage; the goal is
  the confirmation of receipt sent (T05), the other ends the municipality's decisions (a
  document X request, T15; a report that stops the procedure, T20);
- ``mobile_app_onboarding.csv``: onboarding screens; the goal is ``passed``; ``lost`` is the
  dataset's own label for a user who left and no touchpoint, so a lost user's journey ends at
  the last screen they saw;
- ``bpic2013_closed_problems.xes.gz``: Volvo IT's problem management (BPI Challenge 2013), the
  problem case as the customer, read here with gzip and xml.etree (below).

The independent rule (docs/measure.md, "Outcomes"; ``measuring/outcomes.py``): a journey is a
customer's matched events, in time order (ties: file order). Its outcome is that of its last
event of a goal or end touchpoint; without one, it is abandoned when its last matched event
(back stage included) is more than ``abandoned_after`` before the data ends (the file's last
event, matched or not), else in progress. Where it ends is its last customer step (front-stage
event).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import gzip
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

import journeymap as jm
from journeymap.model.measurement import Measurement

pytestmark = pytest.mark.slow

MAPS = Path(__file__).parent / "maps"
NOW = dt.datetime(2026, 4, 1, 12, 0, tzinfo=dt.UTC)

# ---- the maps, as the independent count reads them ------------------------------------------

#: receipt: activity code -> touchpoint (T07-1 .. T07-5 are T07, ...)
RECEIPT_CODES = {
    "Confirmation": "application",
    "T02": "check-receipt",
    "T03": "adjust-receipt",
    "T04": "determine-receipt",
    "T05": "confirmation-sent",
    "T06": "stop-advice",
    "T07": "internal-advice",
    "T08": "advice-request",
    "T09": "external-advice",
    "T10": "stop-indication",
    "T11": "unlicensed-drafting",
    "T12": "unlicensed-drafting",
    "T13": "unlicensed-drafting",
    "T14": "unlicensed-drafting",
    "T15": "unlicensed-request",
    "T16": "stop-report-drafting",
    "T17": "stop-report-drafting",
    "T18": "stop-report-drafting",
    "T19": "stop-report-drafting",
    "T20": "stop-report",
}
#: (touchpoint, stage, front stage), in map order
RECEIPT_LAYOUT = [
    ("application", "apply", True),
    ("check-receipt", "confirmation", False),
    ("adjust-receipt", "confirmation", False),
    ("determine-receipt", "confirmation", False),
    ("confirmation-sent", "confirmation", True),
    ("stop-advice", "decision", False),
    ("internal-advice", "decision", False),
    ("advice-request", "decision", False),
    ("external-advice", "decision", False),
    ("stop-indication", "decision", False),
    ("unlicensed-drafting", "decision", False),
    ("unlicensed-request", "decision", True),
    ("stop-report-drafting", "decision", False),
    ("stop-report", "decision", True),
]
RECEIPT_GOAL = {"confirmation-sent"}
RECEIPT_ENDS = {"unlicensed-request": "unlicensed", "stop-report": "stopped"}

#: onboarding: every event name of the log -> touchpoint; ``lost`` -> none
ONBOARDING_EVENTS: dict[str, str | None] = {
    "onboarding_welcome_screen": "welcome-screen",
    "onboarding__chooseLoginType": "choose-login",
    "onboarding_otherLogin__chooseLoginType": "choose-login",
    "onboarding_login_Type1": "login",
    "onboarding_login_Type2": "login",
    "onboarding_otherLogin__show": "login",
    "onboarding__loginFailure": "login-trouble",
    "onboarding_login_Type1_cancel": "login-trouble",
    "onboarding_otherLogin__close": "login-trouble",
    "onboarding_privacy_policyShown": "privacy-policy",
    "onboarding_privacy_policyAccepted": "privacy-policy",
    "onboarding_privacy_policyDecline": "privacy-policy",
    "onboarding_privacy_policyTapToPolicy": "privacy-policy",
    "onboarding_otherLogin_privacy_policyShown": "privacy-policy",
    "onboarding_otherLogin_privacy_policyDecline": "privacy-policy",
    "onboarding_profile_edit_close": "profile",
    "passed": "passed",
    "lost": None,
}
ONBOARDING_LAYOUT = [
    ("welcome-screen", "welcome", True),
    ("choose-login", "login", True),
    ("login", "login", True),
    ("login-trouble", "login", True),
    ("privacy-policy", "onboarding", True),
    ("profile", "onboarding", True),
    ("passed", "done", True),
]


# ---- the independent count -------------------------------------------------------------------


@dataclass(frozen=True)
class Journey:
    outcome: str  # "goal", an end's id, "abandoned" or "in-progress"
    reached_goal: bool
    #: the last customer step's touchpoint and stage (None: back-stage events only)
    last_tp: str | None
    last_st: str | None
    #: the stages of the customer's steps, in order
    stages: tuple[str, ...]
    touchpoints: frozenset[str]


@dataclass(frozen=True)
class Truth:
    journeys: dict[str, Journey]
    layout: list[tuple[str, str, bool]]
    #: rows no touchpoint claims
    unmatched_rows: int

    @property
    def outcomes(self) -> Counter[str]:
        return Counter(j.outcome for j in self.journeys.values())

    def ending(self, by: str) -> Counter[tuple[str | None, str]]:
        """Journeys per (last touchpoint or stage, outcome)."""
        return Counter(
            (j.last_tp if by == "tp" else j.last_st, j.outcome) for j in self.journeys.values()
        )

    def stage_figures(self) -> dict[str, dict[str, int]]:
        """docs/measure.md: customers, go on, end here, went back, and end here by outcome."""
        order = list(dict.fromkeys(st for _, st, _ in self.layout))
        out = {}
        for k, stage in enumerate(order):
            here = [j for j in self.journeys.values() if stage in j.stages]
            ended = [j for j in here if j.last_st == stage]
            later = set(order[k + 1 :])

            def goes_on(j: Journey, stage: str = stage, later: set[str] = later) -> bool:
                first = j.stages.index(stage)
                return j.last_st != stage and any(s in later for s in j.stages[first:])

            converted = sum(goes_on(j) for j in here)
            neither = [j for j in here if not goes_on(j) and j.last_st != stage]
            # "neither: they end their journey in an earlier stage"
            assert all(order.index(str(j.last_st)) < k for j in neither), stage
            out[stage] = {
                "customers": len(here),
                "converted": converted,
                "dropoff_customers": len(ended),
                "went_back": len(neither),
                "ended_goal": sum(j.outcome == "goal" for j in ended),
                "ended_other": sum(
                    j.outcome not in ("goal", "abandoned", "in-progress") for j in ended
                ),
                "abandoned": sum(j.outcome == "abandoned" for j in ended),
                "in_progress": sum(j.outcome == "in-progress" for j in ended),
            }
        return out


def _journeys(
    rows: Sequence[tuple[str, Any, int, str | None]],
    end: Any,
    quiet: Any,
    layout: list[tuple[str, str, bool]],
    goal: set[str],
    ends: dict[str, str],
) -> Truth:
    """``rows``: (customer, time, file position, touchpoint or None) for every row of the
    file; ``end``: the file's last time; ``quiet``: abandoned_after in the times' units."""
    stage = {tp: st for tp, st, _ in layout}
    front = {tp for tp, _, f in layout if f}
    per: dict[str, list[tuple[Any, int, str]]] = {}
    for customer, time, pos, tp in rows:
        if tp is not None:
            per.setdefault(customer, []).append((time, pos, tp))
    journeys = {}
    for customer, events in per.items():
        events.sort()
        kinds = [
            "goal" if tp in goal else ends[tp] for _, _, tp in events if tp in goal | set(ends)
        ]
        last_time = max(time for time, _, _ in events)
        gone_quiet = last_time < end - quiet
        outcome = kinds[-1] if kinds else "abandoned" if gone_quiet else "in-progress"
        steps = [tp for _, _, tp in events if tp in front]
        journeys[customer] = Journey(
            outcome=outcome,
            reached_goal="goal" in kinds,
            last_tp=steps[-1] if steps else None,
            last_st=stage[steps[-1]] if steps else None,
            stages=tuple(stage[tp] for tp in steps),
            touchpoints=frozenset(tp for _, _, tp in events),
        )
    unmatched = sum(tp is None for *_, tp in rows)
    return Truth(journeys, layout, unmatched)


def _receipt_truth(path: Path) -> Truth:
    rows = []
    with path.open(newline="", encoding="utf-8") as f:
        for pos, r in enumerate(csv.DictReader(f)):
            code = r["concept:name"].split(" ")[0].split("-")[0]
            when = dt.datetime.fromisoformat(r["time:timestamp"])
            rows.append((r["case:concept:name"], when, pos, RECEIPT_CODES[code]))
    end = max(when for _, when, _, _ in rows)
    quiet = dt.timedelta(days=30)  # the map's abandoned_after
    return _journeys(rows, end, quiet, RECEIPT_LAYOUT, RECEIPT_GOAL, RECEIPT_ENDS)


def _onboarding_truth(path: Path) -> Truth:
    rows = []
    with path.open(newline="", encoding="utf-8") as f:
        for pos, r in enumerate(csv.DictReader(f)):
            ns = int(r["event_timestamp"])
            rows.append((r["user_pseudo_id"], ns, pos, ONBOARDING_EVENTS[r["event_name"]]))
    end = max(ns for _, ns, _, _ in rows)
    quiet = 30 * 60 * 10**9  # the map's abandoned_after, in nanoseconds
    return _journeys(rows, end, quiet, ONBOARDING_LAYOUT, {"passed"}, {})


def _labels(path: Path) -> Counter[str]:
    """The onboarding dataset's own verdict per user: the last event, passed or lost."""
    last: dict[str, tuple[int, int, str]] = {}
    with path.open(newline="", encoding="utf-8") as f:
        for pos, r in enumerate(csv.DictReader(f)):
            key = (int(r["event_timestamp"]), pos, r["event_name"])
            last[r["user_pseudo_id"]] = max(last.get(r["user_pseudo_id"], key), key)
    return Counter(name for _, _, name in last.values())


# ---- the measurements, once per log ----------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    m: jm.JourneyMap
    result: Measurement
    truth: Truth

    @property
    def outcome_tps(self) -> set[str]:
        o = self.m.outcomes
        assert o is not None
        return {*o.goal, *(t for e in o.ends for t in e.touchpoints)}

    @property
    def back_stage(self) -> set[str]:
        return {tp for tp, _, front in self.truth.layout if not front}


def _measure(map_file: str, log_path: Path, truth: Callable[[Path], Truth]) -> Measured:
    m = jm.load(MAPS / map_file)
    log = jm.read_events(log_path)
    try:
        result = jm.measure(m, events=log, now=NOW)
    finally:
        log.engine.close()
    return Measured(m, result, truth(log_path))


@pytest.fixture(scope="module")
def receipt(shared_data: Path) -> Measured:
    path = shared_data / "eventlogs" / "receipt.csv"
    return _measure("permit-receipt.yaml", path, _receipt_truth)


@pytest.fixture(scope="module")
def onboarding(shared_data: Path) -> Measured:
    path = shared_data / "eventlogs" / "mobile_app_onboarding.csv"
    return _measure("app-onboarding.yaml", path, _onboarding_truth)


@pytest.fixture(params=["receipt", "onboarding"])
def measured(request: pytest.FixtureRequest) -> Measured:
    result: Measured = request.getfixturevalue(request.param)
    return result


def _by(items: list[Any], key: str) -> dict[Hashable, Any]:
    return {getattr(i, key): i for i in items}


# ---- what both logs must show ----------------------------------------------------------------


def test_the_maps_are_the_ones_the_count_reads(measured: Measured) -> None:
    """The independent count's touchpoints, stages and lanes are the map's."""
    got = [
        (tp.id, stage.id, tp.lane not in ("backstage", "support"))
        for stage, tp in measured.m.iter_touchpoints()
    ]
    assert got == measured.truth.layout


def test_outcome_counts_equal_the_independent_count(measured: Measured) -> None:
    result, truth = measured.result, measured.truth
    got = {o.key: o.customers for o in result.outcomes}
    want = truth.outcomes
    assert got == {key: want.get(key, 0) for key in got}, (got, dict(want))
    assert set(want) <= set(got), f"outcomes measured: {sorted(got)}, in the data: {sorted(want)}"
    journeys = len(truth.journeys)
    assert sum(got.values()) == journeys
    goal = _by(result.outcomes, "key")["goal"]
    assert goal.share == pytest.approx(goal.customers / journeys)
    assert sum(o.share or 0 for o in result.outcomes) == pytest.approx(1.0)
    assert result.sources[0].customers == journeys
    assert result.sources[0].rows_unmatched == truth.unmatched_rows


def test_where_journeys_end_equals_the_independent_count(measured: Measured) -> None:
    """Per customer step: journeys ending there, given up there, still in progress there."""
    ending = measured.truth.ending("tp")
    for t in measured.result.touchpoints:
        if not t.customer_step:
            continue
        mine = {out: n for (tp, out), n in ending.items() if tp == t.touchpoint}
        assert (t.dropoff_customers, t.abandoned_customers, t.in_progress_customers) == (
            sum(mine.values()),
            mine.get("abandoned", 0),
            mine.get("in-progress", 0),
        ), t.touchpoint


def test_no_drop_off_or_loops_where_a_journey_is_finished(measured: Measured) -> None:
    """Ending at the goal or by the business' decision is finishing, not giving up: no
    drop-off and no loops pain point there, no drop-off friction, nobody abandoned there."""
    ends = measured.outcome_tps
    for p in measured.result.pain_points:
        if p.touchpoint in ends:
            assert p.kind not in ("drop-off", "loops"), (p.kind, p.touchpoint, p.title)
    tps = _by(measured.result.touchpoints, "touchpoint")
    for tp in ends:
        t = tps[tp]
        assert t.abandoned_customers == 0, tp
        assert "drop-off" not in [f.measure for f in t.friction_measures], tp


def test_back_stage_is_never_a_customer_step(measured: Measured) -> None:
    back = measured.back_stage
    tps = _by(measured.result.touchpoints, "touchpoint")
    for tp in back:
        t = tps[tp]
        assert t.customer_step is False, tp
        figures = {
            "dropoff_customers": t.dropoff_customers,
            "abandoned_customers": t.abandoned_customers,
            "in_progress_customers": t.in_progress_customers,
            "loops": t.loops,
            "backtrack_customers": t.backtrack_customers,
            "median_seconds_to_next": t.median_seconds_to_next,
        }
        assert figures == dict.fromkeys(figures), (tp, figures)
        assert (t.friction, t.friction_level, t.friction_measures) == (None, None, []), tp
        reach = sum(tp in j.touchpoints for j in measured.truth.journeys.values())
        assert t.customers == reach, tp
    assert not [p.title for p in measured.result.pain_points if p.touchpoint in back]
    for t in measured.result.touchpoints:
        assert t.customer_step is (t.touchpoint not in back), t.touchpoint


def test_stage_figures_add_up_and_equal_the_independent_count(measured: Measured) -> None:
    result, truth = measured.result, measured.truth
    want = truth.stage_figures()
    for s in result.stages:
        parts = (s.converted, s.dropoff_customers, s.went_back)
        assert min(parts) >= 0 and s.customers == sum(parts), (s.stage, parts)
        outs = (s.ended_goal, s.ended_other, s.abandoned, s.in_progress)
        assert min(outs) >= 0 and s.dropoff_customers == sum(outs), (s.stage, outs)
        got = {k: getattr(s, k) for k in want[s.stage]}
        assert got == want[s.stage], s.stage
    # every journey ends in exactly one stage, in the way the outcomes count
    outcomes = _by(result.outcomes, "key")
    for field, key in (("ended_goal", "goal"), ("abandoned", "abandoned"),
                       ("in_progress", "in-progress")):  # fmt: skip
        assert sum(getattr(s, field) for s in result.stages) == outcomes[key].customers, key
    assert sum(s.dropoff_customers for s in result.stages) == len(truth.journeys)


def test_reaching_the_goal_equals_the_independent_count(measured: Measured) -> None:
    """The journey's own KPI counts every journey that reached the goal at any time."""
    kpis = _by(measured.result.kpis, "key")
    reached = sum(j.reached_goal for j in measured.truth.journeys.values())
    journeys = len(measured.truth.journeys)
    kpi = kpis["conversion:journey"]
    assert (kpi.value, kpi.n) == (pytest.approx(100 * reached / journeys), journeys)


def test_back_stage_work_is_never_going_back(receipt: Measured) -> None:
    """docs/measure.md: back-stage work "is never a drop-off, a loop or going back". The
    flows are what the report draws as going back (arcs under the designed path, to an
    earlier touchpoint): no such move may start or end in the municipality's own work, whose
    order (T10 before T02, ...) is not the citizen going back."""
    order = {tp: i for i, (tp, _, _) in enumerate(receipt.truth.layout)}
    back = receipt.back_stage
    going_back = [
        (f.source, f.target, f.customers)
        for f in receipt.result.flows
        if (f.source in back or f.target in back) and order[f.target] < order[f.source]
    ]
    assert going_back == []


# ---- each log ---------------------------------------------------------------------------------


def test_receipt_outcomes(receipt: Measured) -> None:
    """The figures the map's comments rest on: every case is a journey, the goal and the
    municipality's two decisions, and the few cases quiet for less than 30 days."""
    got = {o.key: o.customers for o in receipt.result.outcomes}
    assert sum(got.values()) == 1434
    assert got["unlicensed"] > 0 and got["stopped"] > 0
    assert 0 < got["in-progress"] < got["abandoned"]


def test_receipt_confirmation_rate(receipt: Measured) -> None:
    journeys = receipt.truth.journeys.values()
    sent = sum("confirmation-sent" in j.touchpoints for j in journeys)
    kpi = _by(receipt.result.kpis, "kpi")["confirmation-rate"]
    assert (kpi.value, kpi.n, kpi.target) == (pytest.approx(100 * sent / len(journeys)), 1434, 95)


def test_onboarding_outcomes_agree_with_the_datasets_labels(
    onboarding: Measured, shared_data: Path
) -> None:
    """``passed`` users reached the goal; the users the dataset calls ``lost`` are abandoned
    or, when they stopped within 30 minutes of the data's end, still in progress."""
    labels = _labels(shared_data / "eventlogs" / "mobile_app_onboarding.csv")
    got = {o.key: o.customers for o in onboarding.result.outcomes}
    assert got["goal"] == labels["passed"]
    assert got["abandoned"] + got["in-progress"] == labels["lost"]
    assert onboarding.result.sources[0].rows_unmatched == labels["lost"]  # lost: no touchpoint


def test_onboarding_users_are_lost_at_real_screens(onboarding: Measured) -> None:
    """The touchpoint that loses most users is a screen, not ``passed``; a drop-off pain point,
    if any, is at a screen and counts the users given up there."""
    ending = onboarding.truth.ending("tp")
    abandoned = Counter({tp: n for (tp, out), n in ending.items() if out == "abandoned"})
    (worst, most), *_ = abandoned.most_common()
    tps = onboarding.result.touchpoints
    top = max(tps, key=lambda t: t.abandoned_customers or 0)
    assert (top.touchpoint, top.abandoned_customers) == (worst, most)
    assert top.touchpoint != "passed"
    drops = [p for p in onboarding.result.pain_points if p.kind == "drop-off"]
    for p in drops:
        assert p.touchpoint != "passed", p.title
        assert p.customers_affected == abandoned[p.touchpoint], p.title


def test_onboarding_conversion(onboarding: Measured) -> None:
    journeys = onboarding.truth.journeys.values()
    passed = sum(j.outcome == "goal" for j in journeys)
    kpi = _by(onboarding.result.kpis, "kpi")["onboarding-conversion"]
    assert (kpi.value, kpi.n) == (pytest.approx(100 * passed / len(journeys)), 4139)


# ---- what the measurement says it cannot tell --------------------------------------------------


def test_what_cannot_be_judged_is_said(receipt: Measured) -> None:
    """The citizen's only step where a journey can be given up is the application (the
    others are outcomes): no norm for drop-off, so no touchpoint is judged on it, and the
    measurement says so instead of calling every step typical."""
    assert receipt.result.caveats == [
        "Not judged against the journey: drop-off (journeys given up), loops (coming back) "
        "and going back to an earlier stage. Only 1 customer step has them, and the "
        "journey's norm needs 3. No touchpoint is flagged for them, which does not mean they "
        "are typical."
    ]
    for t in receipt.result.touchpoints:
        assert "drop-off" not in [f.measure for f in t.friction_measures], t.touchpoint


def test_one_off_journeys_get_no_retention(measured: Measured) -> None:
    """An application or an onboarding is done once: retention and churn are not listed as
    figures, and the note says why."""
    kpis = _by(measured.result.kpis, "key")
    assert "churn" not in kpis
    retention = kpis["retention"]
    assert retention.value is None
    assert retention.note is not None and "within less than a month" in retention.note


def test_no_going_on_from_where_journeys_end(measured: Measured) -> None:
    """A stage with an outcome touchpoint is where journeys finish: "go on from" it would
    count the finished as lost; the stages without one keep the figure."""
    keys = {k.key for k in measured.result.kpis}
    for stage in measured.m.stages[:-1]:
        ends_here = any(tp.id in measured.outcome_tps for tp in stage.touchpoints)
        assert (f"conversion:{stage.id}" in keys) is not ends_here, stage.id


def test_the_goals_share_is_listed_once(onboarding: Measured) -> None:
    """The map's onboarding conversion is passed / users: the journey's own "Reached the goal",
    listed once under the map's name."""
    goal = [k for k in onboarding.result.kpis if k.key == "conversion:journey"]
    assert [(k.kpi, k.label) for k in goal] == [("onboarding-conversion", "Onboarding conversion")]


# ---- a third log: IT problem management (BPI Challenge 2013) ----------------------------------
#
# ``bpic2013_closed_problems.xes.gz``: Volvo IT's problem cases, the case as the "customer"
# (maps/it-problems.yaml). Its lifecycle column holds statuses (In Progress, Awaiting
# Assignment, Closed, ...), never ``start``: nothing to pair, every event is one step. The
# independent count reads the raw XES with gzip and xml.etree.

XES = "{http://www.xes-standard.org/}"

#: every event name of the log -> touchpoint; ``Unmatched`` (the log's label for a status it
#: could not map) -> none
PROBLEMS_EVENTS: dict[str, str | None] = {
    "Queued": "queued",
    "Accepted": "accepted",
    "Completed": "completed",
    "Unmatched": None,
}
PROBLEMS_LAYOUT = [
    ("queued", "queued", True),
    ("accepted", "worked-on", True),
    ("completed", "closed", True),
]
#: the map's abandoned_after
PROBLEMS_QUIET = dt.timedelta(days=730)
#: behaviour.py: a step back to an earlier stage counts when the next step comes this soon
BACKTRACK_WITHIN = dt.timedelta(minutes=30)


@dataclass(frozen=True)
class XesEvent:
    case: str
    time: dt.datetime  # aware, as written in the file
    pos: int  # the event's place in the file
    activity: str
    lifecycle: str | None


@functools.cache
def _read_xes(path: Path) -> tuple[XesEvent, ...]:
    """Every event of the file, with its trace's ``concept:name`` (read once)."""
    with gzip.open(path) as f:
        root = ET.parse(f).getroot()
    out: list[XesEvent] = []
    for trace in root.iter(f"{XES}trace"):
        (case,) = [a.get("value") for a in trace if a.get("key") == "concept:name"]
        for event in trace.iter(f"{XES}event"):
            a = {x.get("key"): x.get("value") for x in event}
            out.append(
                XesEvent(
                    case=str(case),
                    time=dt.datetime.fromisoformat(str(a["time:timestamp"])),
                    pos=len(out),
                    activity=str(a["concept:name"]),
                    lifecycle=a.get("lifecycle:transition"),
                )
            )
    return tuple(out)


def _problems_truth(path: Path) -> Truth:
    events = _read_xes(path)
    rows = [(e.case, e.time, e.pos, PROBLEMS_EVENTS[e.activity]) for e in events]
    end = max(e.time for e in events)
    return _journeys(rows, end, PROBLEMS_QUIET, PROBLEMS_LAYOUT, {"completed"}, {})


def _steps_per_case(events: Sequence[XesEvent]) -> dict[str, list[tuple[str, dt.datetime]]]:
    """Each case's matched events (touchpoint, time), in time order (ties: file order)."""
    per: dict[str, list[tuple[dt.datetime, int, str]]] = {}
    for e in events:
        tp = PROBLEMS_EVENTS[e.activity]
        if tp is not None:
            per.setdefault(e.case, []).append((e.time, e.pos, tp))
    return {case: [(tp, time) for time, _, tp in sorted(evs)] for case, evs in per.items()}


@pytest.fixture(scope="module")
def problems_log(shared_data: Path) -> Path:
    return shared_data / "eventlogs" / "bpic2013_closed_problems.xes.gz"


@pytest.fixture(scope="module")
def problems_events(problems_log: Path) -> Sequence[XesEvent]:
    return _read_xes(problems_log)


@pytest.fixture(scope="module")
def problems(problems_log: Path) -> Measured:
    return _measure("it-problems.yaml", problems_log, _problems_truth)


#: the checks every log must pass (above), on this log too; the retention check is not one
#: of them: problem cases stay open for months, so the log is not "one-off" by the measured
#: rule (90% of the customers within a month) and its retention and churn are listed
EVERY_LOG = [
    test_the_maps_are_the_ones_the_count_reads,
    test_outcome_counts_equal_the_independent_count,
    test_where_journeys_end_equals_the_independent_count,
    test_no_drop_off_or_loops_where_a_journey_is_finished,
    test_back_stage_is_never_a_customer_step,
    test_stage_figures_add_up_and_equal_the_independent_count,
    test_reaching_the_goal_equals_the_independent_count,
    test_no_going_on_from_where_journeys_end,
]


@pytest.mark.parametrize("check", EVERY_LOG, ids=lambda f: f.__name__.removeprefix("test_"))
def test_problems_pass_the_checks_of_every_log(
    problems: Measured, check: Callable[[Measured], None]
) -> None:
    check(problems)


def test_problems_statuses_are_steps_one_by_one(
    problems: Measured, problems_events: Sequence[XesEvent]
) -> None:
    """The lifecycle column holds statuses, no ``start``: the measurement says every event is
    one step, and each touchpoint's entries are its activity's events, none paired away or
    dropped."""
    statuses = Counter((e.lifecycle or "").strip().lower() for e in problems_events)
    assert "start" not in statuses and len(statuses) > 2, statuses
    source = problems.result.sources[0]
    assert source.notes == [
        f"steps: {len(problems_events):,} (no start transition in the log: every event is "
        "one step, with no service time recorded)"
    ]
    assert (source.rows_read, source.rows_used) == (len(problems_events),) * 2
    per_activity = Counter(e.activity for e in problems_events)
    entries = {t.touchpoint: t.entries for t in problems.result.touchpoints}
    assert entries == {tp: per_activity[a] for a, tp in PROBLEMS_EVENTS.items() if tp}
    assert source.rows_unmatched == per_activity["Unmatched"] > 0


def test_problems_outcomes(problems: Measured, problems_events: Sequence[XesEvent]) -> None:
    """The log holds closed problems only: every case's last event is Completed (Closed), so
    every journey ends at the goal, none is abandoned or in progress, and no other end; the
    cases completed and then worked on again (reopened) still end at the goal."""
    last: dict[str, XesEvent] = {}
    for e in problems_events:
        if e.case not in last or (e.time, e.pos) > (last[e.case].time, last[e.case].pos):
            last[e.case] = e
    assert {(e.activity, e.lifecycle) for e in last.values()} == {("Completed", "Closed")}
    got = {o.key: o.customers for o in problems.result.outcomes}
    assert got == {"goal": len(last), "abandoned": 0, "in-progress": 0}
    steps = _steps_per_case(problems_events)
    reopened = [c for c, evs in steps.items() if any(tp == "completed" for tp, _ in evs[:-1])]
    assert len(reopened) > 0 and len(steps) == len(last)
    assert all(problems.truth.journeys[case].outcome == "goal" for case in reopened)


def test_problems_loops_are_the_cases_that_come_back(
    problems: Measured, problems_events: Sequence[XesEvent]
) -> None:
    """Loops: the cases that come back to a touchpoint after another one (events of no
    touchpoint unseen), real rework such as Queued -> Accepted -> Queued (handed from team
    to team) or Completed -> Accepted -> Completed (reopened); repeats: two or more events."""
    visits: dict[str, Counter[str]] = {}
    repeats: dict[str, Counter[str]] = {}
    for case, evs in _steps_per_case(problems_events).items():
        seq = [tp for tp, _ in evs]
        runs = [tp for i, tp in enumerate(seq) if i == 0 or seq[i - 1] != tp]
        visits[case], repeats[case] = Counter(runs), Counter(seq)
    tps = _by(problems.result.touchpoints, "touchpoint")
    for tp, _, _ in PROBLEMS_LAYOUT:
        loops = sum(v[tp] >= 2 for v in visits.values())
        repeat = sum(r[tp] >= 2 for r in repeats.values())
        assert (tps[tp].loops, tps[tp].repeat_customers) == (loops, repeat), tp
    assert tps["queued"].loops > 0 and tps["accepted"].loops > tps["queued"].loops


def test_problems_going_back_is_a_handover_within_30_minutes(
    problems: Measured, problems_events: Sequence[XesEvent]
) -> None:
    """Going back (the only pain point on this log): cases whose next step after the
    touchpoint is in an earlier stage and comes within 30 minutes (behaviour.py's rule, the
    same visit). A case queued again after being worked on counts only when it is queued
    within 30 minutes; a going-back pain point counts these cases."""
    stage = {tp: i for i, (tp, _, _) in enumerate(PROBLEMS_LAYOUT)}
    back: dict[str, set[str]] = {tp: set() for tp in stage}
    ever: dict[str, set[str]] = {tp: set() for tp in stage}
    for case, evs in _steps_per_case(problems_events).items():
        for (tp, time), (nxt, then) in pairwise(evs):
            if stage[nxt] < stage[tp]:
                ever[tp].add(case)
                if then - time <= BACKTRACK_WITHIN:
                    back[tp].add(case)
    tps = _by(problems.result.touchpoints, "touchpoint")
    assert {tp: tps[tp].backtrack_customers for tp in stage} == {
        tp: len(cases) for tp, cases in back.items()
    }
    # the 30 minutes leave out some handovers and reopenings: the figure is a lower bound
    assert len(back["accepted"]) < len(ever["accepted"])
    for p in problems.result.pain_points:
        if p.kind == "loops" and "go back to an earlier stage" in p.title:
            assert p.customers_affected == len(back[str(p.touchpoint)]), p.title


def test_problems_no_loops_or_going_back_measured_at_the_goal(problems: Measured) -> None:
    """What follows an outcome is not the journey's friction (painpoints.py: loops "never at a
    goal or end touchpoint (what follows an outcome is a new journey)"): the goal, where 61
    cases are reopened, lists no loops or going-back measure either, so its reopening rate
    is neither shown as the goal's friction nor the typical step other steps are judged
    against."""
    tps = _by(problems.result.touchpoints, "touchpoint")
    for tp in problems.outcome_tps:
        measures = [f.measure for f in tps[tp].friction_measures]
        assert not {"drop-off", "loops", "backtracking"} & set(measures), (tp, measures)
