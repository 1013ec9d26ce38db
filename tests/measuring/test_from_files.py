"""A map measured from evidence files (what ``journeymap measure`` calls): the event log and
feedback read with the roles given, the read reports and stages told, the result compared
with the last one saved beside the map and saved; the links checked."""

from __future__ import annotations

from pathlib import Path

import pytest

import journeymap as jm
from journeymap.errors import UsageError
from journeymap.events.logs import ReadOptions
from journeymap.measuring.from_files import EvidenceFiles, check_files, measure_files

MAP = """\
title: Shop
stages:
  - name: Browse
    touchpoints:
      - name: Home
        events: [home]
        feedback: {values: [home]}
  - name: Buy
    touchpoints:
      - name: Cart
        events: [cart]
      - name: Pay
        events: {names: [pay], where: {plan: [pro]}}
"""

EVENTS = """\
user,at,what,plan
a,2024-01-01T10:00:00,home,pro
a,2024-01-01T10:01:00,cart,pro
a,2024-01-01T10:02:00,pay,pro
b,2024-01-01T11:00:00,home,free
b,2024-01-01T11:05:00,cart,free
b,2024-01-01T11:06:00,pay,free
c,2024-01-02T09:00:00,home,pro
c,2024-01-02T09:00:30,search,pro
"""

FEEDBACK = """\
user,nps,page,comment
a,9,home,lovely shop
b,3,home,slow and confusing
c,10,home,great
"""


@pytest.fixture
def shop(tmp_path: Path) -> tuple[jm.JourneyMap, Path, EvidenceFiles]:
    (tmp_path / "journey.yaml").write_text(MAP)
    (tmp_path / "events.csv").write_text(EVENTS)
    (tmp_path / "survey.csv").write_text(FEEDBACK)
    files = EvidenceFiles(
        events=tmp_path / "events.csv", feedback=[tmp_path / "survey.csv"],
        log=ReadOptions(customer="user", time="at", event="what"), score="nps", touchpoint="page",
    )  # fmt: skip
    return jm.load(tmp_path / "journey.yaml"), tmp_path / "journey.yaml", files


def test_measured_compared_and_saved_beside_the_map(
    shop: tuple[jm.JourneyMap, Path, EvidenceFiles],
) -> None:
    m, path, files = shop
    said: list[str] = []
    stages: list[str] = []
    first = measure_files(m, files, beside=path, progress=stages.append, say=said.append)
    assert first.previous is None
    assert first.saved is not None and first.saved.parent == path.with_name("journey.measurements")
    assert jm.load_measurement(first.saved).model_dump() == first.result.model_dump()
    by_id = {t.touchpoint: t for t in first.result.touchpoints}
    assert by_id["home"].responses == 3  # the feedback, linked by its page column
    assert by_id["home"].nps == pytest.approx((2 - 1) / 3 * 100)
    assert by_id["pay"].customers == 1  # only the pro customer: `where` read the kept plan column
    assert [s.kind for s in first.result.sources] == ["events", "feedback"]
    # the read reports of both files, and the stages, in order
    assert any("8 rows read" in line for line in said), said
    assert any("3 rows read" in line for line in said), said
    assert stages[0] == "reading the event log"
    assert stages.index("reading survey.csv") < stages.index("measuring") == len(stages) - 1

    again = measure_files(m, files, beside=path)
    assert again.previous is not None
    assert again.result.drift is not None and again.result.drift.largest == 0


def test_without_the_map_file_nothing_is_compared_or_saved(
    shop: tuple[jm.JourneyMap, Path, EvidenceFiles],
) -> None:
    m, path, files = shop
    run = measure_files(m, EvidenceFiles(feedback=files.feedback, score="nps", touchpoint="page"))
    assert (run.previous, run.saved) == (None, None)
    assert not path.with_name("journey.measurements").exists()
    assert run.result.sources[0].kind == "feedback"
    with pytest.raises(UsageError, match="nothing to measure"):
        measure_files(m, EvidenceFiles())


def test_links_checked(shop: tuple[jm.JourneyMap, Path, EvidenceFiles]) -> None:
    m, _, files = shop
    findings = check_files(m, files).to_pylist()
    # ties in rows: by event name; the free customer's payment fails Pay's `where`
    assert [(f["kind"], f["event"], f["rows"]) for f in findings] == [
        ("unmatched-event", "pay", 1),
        ("unmatched-event", "search", 1),
    ]
    assert "its name matches 'pay', but not the conditions" in findings[0]["message"]
    with pytest.raises(UsageError, match="needs an event log"):
        check_files(m, EvidenceFiles(feedback=files.feedback))
