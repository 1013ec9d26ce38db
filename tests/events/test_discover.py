"""discover: a draft map from a log that passes the map checks and survives save and load."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import journeymap as jm
from journeymap.errors import UsageError
from journeymap.events.discover import discover, split_points
from journeymap.events.read import EventLog
from journeymap.formats.document import dumps

pytestmark = pytest.mark.filterwarnings("ignore:fetch_arrow_table:DeprecationWarning")


def _check_draft(m: jm.JourneyMap, log: EventLog, tmp_path: Path) -> None:
    assert jm.check_map(m) == []
    assert m.status == "draft"
    events = set(log.engine.run(log.table.select("event").distinct()).column("event").to_pylist())
    for _, tp in m.iter_touchpoints():
        assert tp.events is not None
        assert tp.events.names[0] in events
        assert tp.events.matches_name(tp.name)
        assert tp.name == tp.events.names[0]
        assert not tp.id_is_derived  # pinned: written into the file
    for fmt in ("yaml", "json"):
        path = tmp_path / f"draft.{fmt}"
        jm.save(m, path)
        again = jm.load(path)
        assert jm.check_map(again) == []
        assert again.model_dump() == m.model_dump()
    text = dumps(m)
    assert "id: stage-1" in text
    assert "events:\n          - " in text


def test_discover_onboarding(mobile_log: EventLog, tmp_path: Path) -> None:
    m = discover(mobile_log)
    _check_draft(m, mobile_log, tmp_path)
    assert 3 <= len(m.stages) <= 6
    order = [tp.events.names[0] for _, tp in m.iter_touchpoints() if tp.events]
    assert order[0] == "onboarding_welcome_screen"
    assert set(order[-2:]) == {"passed", "lost"}  # the outcomes come last
    assert order.index("onboarding__chooseLoginType") < order.index("onboarding_login_Type1")
    assert len(order) == 14  # reached by at least 5% of the 4,139 users
    assert len(list(discover(mobile_log, min_share=0.0).iter_touchpoints())) == 18
    three = discover(mobile_log, stages=3, top_events=5, title="Onboarding")
    assert three.name == "Onboarding"
    # typical positions 0, 1/7, 2/7 | 4/7 | 1: the natural breaks
    assert [[tp.name for tp in s.touchpoints] for s in three.stages] == [
        [
            "onboarding_welcome_screen",
            "onboarding__chooseLoginType",
            "onboarding_privacy_policyShown",
        ],
        ["onboarding_privacy_policyAccepted"],
        ["passed"],
    ]


def test_discover_receipt(receipt_log: EventLog, tmp_path: Path) -> None:
    m = discover(receipt_log)
    _check_draft(m, receipt_log, tmp_path)
    assert [[tp.name[:3] for tp in s.touchpoints] for s in m.stages] == [
        ["Con", "T02"],
        ["T04", "T05"],
        ["T06", "T10"],
    ]


def test_discover_small_log(make_log: Any, tmp_path: Path) -> None:
    rows = []
    for c in range(4):
        rows += [(f"c{c}", "Sign up!", f"2024-01-0{c + 1}T10:00:00"),
                 (f"c{c}", "sign-up", f"2024-01-0{c + 1}T10:01:00")]  # fmt: skip
    log = make_log(rows)
    m = discover(log)
    _check_draft(m, log, tmp_path)
    assert len(m.stages) == 2  # at most one stage per touchpoint
    assert [tp.id for _, tp in m.iter_touchpoints()] == ["sign-up", "sign-up-2"]
    # figures as journeymap._numbers writes them everywhere
    assert [tp.observed_behavior for _, tp in m.iter_touchpoints()] == [
        "Reached by 100.0% of customers (4 of 4); typically at 0% of the journey, 0 seconds "
        "after its start (medians).",
        "Reached by 100.0% of customers (4 of 4); typically at 100% of the journey, 60 seconds "
        "after its start (medians).",
    ]
    with pytest.raises(UsageError, match="min-share"):
        discover(log, min_share=2.0)
    with pytest.raises(UsageError, match="at least 1"):
        discover(log, stages=0)


def test_split_points() -> None:
    assert split_points([0.0, 0.2, 0.4, 0.6, 0.8, 1.0], 3) == [2, 4]
    assert split_points([0.0, 0.1, 0.9, 1.0], 2) == [2]
    assert split_points([0.0, 0.0, 0.5, 1.0, 1.0], 3) == [2, 3]
    assert split_points([0.3], 3) == []
    assert split_points([], 3) == []


def test_discover_proposes_outcomes(mobile_log: EventLog) -> None:
    """Every onboarding journey ends in ``passed`` or ``lost``: both end all the journeys that
    reach them, so both are proposed; ``passed``, reached by more users (2,497 against
    1,642), is taken as the goal; silence longer than 95% of the gaps between events is
    giving up. Counted independently from the log."""
    rows = mobile_log.engine.run(mobile_log.table.select("customer", "event", "ts")).to_pylist()
    last: dict[str, tuple[Any, str]] = {}
    for r in rows:
        if r["customer"] not in last or r["ts"] >= last[r["customer"]][0]:
            last[r["customer"]] = (r["ts"], r["event"])
    ended = {e: sum(1 for _, ev in last.values() if ev == e) for e in ("passed", "lost")}
    assert ended == {"passed": 2497, "lost": 1642}
    m = discover(mobile_log)
    assert m.outcomes is not None
    assert m.outcomes.goal == ["passed"]
    assert [e.name for e in m.outcomes.ends] == ["lost"]
    assert m.outcomes.abandoned_after_seconds > 0
    assert "passed (100%), lost (100%)" in m.notes["outcomes"]
    assert jm.check_map(m) == []
