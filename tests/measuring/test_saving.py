"""Saved measurements: one file per run even when runs share a second or run at once (each
claimed under its own name, written through its own temp file), found again in the order
they were measured, a file that is not a measurement skipped with a warning naming it."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from pathlib import Path
from typing import Any

import pytest

import journeymap as jm
import journeymap._atomic as atomic
from journeymap.errors import EvidenceError
from journeymap.measuring import pipeline as mm
from journeymap.model.measurement import Measurement

NOW = dt.datetime(2026, 4, 1, 12, 0, tzinfo=dt.UTC)

MAP = """\
title: Shop
stages:
  - name: Browse
    touchpoints:
      - name: Home
        feedback: {values: [home]}
  - name: Buy
    touchpoints:
      - name: Cart
        feedback: {values: [cart]}
"""

FEEDBACK = """\
user,nps,page,comment
a,9,home,lovely shop
b,3,cart,slow and confusing
c,10,home,great
d,6,cart,ok
"""


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> tuple[jm.JourneyMap, Any]:
    folder = tmp_path_factory.mktemp("shop")
    (folder / "journey.yaml").write_text(MAP)
    (folder / "survey.csv").write_text(FEEDBACK)
    m = jm.load(folder / "journey.yaml")
    fb = jm.read_feedback(folder / "survey.csv", score="nps", touchpoint="page")
    return m, fb


@pytest.fixture(scope="module")
def result(shop: tuple[jm.JourneyMap, Any]) -> Measurement:
    m, fb = shop
    return mm.measure(m, feedback=[fb], now=NOW)


# ---- names -----------------------------------------------------------------------------------


def test_measurements_of_one_second_keep_a_file_each_in_the_order_saved(
    tmp_path: Path, result: Measurement
) -> None:
    folder = tmp_path / "journey.measurements"
    paths = [mm.save_measurement(result, folder) for _ in range(12)]
    assert len(set(paths)) == 12
    assert paths[0].name == "2026-04-01T12-00-00Z.json"  # the first keeps the plain name
    assert sorted(folder.glob("*.json")) == sorted(paths)
    assert mm.previous_measurement(folder) == paths[-1]
    assert mm.previous_measurement(folder, before=NOW) is None
    later = result.model_copy(update={"measured_at": NOW + dt.timedelta(seconds=1)})
    last = mm.save_measurement(later, folder)
    assert mm.previous_measurement(folder) == last
    assert mm.previous_measurement(folder, before=later.measured_at) == paths[-1]
    assert all(mm.load_measurement(p) == result for p in paths)
    assert not [p for p in folder.iterdir() if p.name.startswith(".")], "a temp file was left"


def test_an_earlier_measurement_saved_later_sorts_by_its_time(
    tmp_path: Path, result: Measurement
) -> None:
    folder = tmp_path / "m"
    newer = mm.save_measurement(
        result.model_copy(update={"measured_at": NOW + dt.timedelta(days=1)}), folder
    )
    mm.save_measurement(result, folder)
    mm.save_measurement(result, folder)
    assert mm.previous_measurement(folder) == newer


# ---- several writers at once ------------------------------------------------------------------


def _measure_and_save(
    folder: Path, shop: tuple[jm.JourneyMap, Any], start: Any, results: Any
) -> None:
    """One run of ``measure`` with saving: the previous measurement found and read, the map
    measured against it, the result saved (all runs of a trial released at once)."""
    try:
        m, fb = shop
        start.wait(timeout=20)
        found = mm.previous_measurement(folder)
        previous = mm.load_measurement(found) if found is not None else None
        done = mm.measure(m, feedback=[fb], previous=previous, now=NOW)
        results.put(("saved", str(mm.save_measurement(done, folder))))
    except BaseException as e:  # reported to the test, never lost in a child
        results.put(("failed", repr(e)))


def test_four_runs_at_once_keep_four_measurements(
    tmp_path: Path, shop: tuple[jm.JourneyMap, Any], result: Measurement
) -> None:
    """Four processes find the previous measurement, measure and save into one folder at the
    same moment, all measured in the same second (the worst case for names): 20 trials,
    four new files each time, each whole, no temp file left."""
    ctx = multiprocessing.get_context("fork")
    runs, trials = 4, 20
    for trial in range(trials):
        folder = tmp_path / f"trial{trial}" / "journey.measurements"
        earlier = result.model_copy(update={"measured_at": NOW - dt.timedelta(days=7)})
        seeded = mm.save_measurement(earlier, folder)
        start, results = ctx.Barrier(runs), ctx.Queue()
        procs = [ctx.Process(target=_measure_and_save, args=(folder, shop, start, results))
                 for _ in range(runs)]  # fmt: skip
        for p in procs:
            p.start()
        told = [results.get(timeout=30) for _ in procs]
        for p in procs:
            p.join(timeout=30)
        assert [kind for kind, _ in told] == ["saved"] * runs, (trial, told)
        saved = {Path(path) for _, path in told}
        assert len(saved) == runs, (trial, told)
        on_disk = set(folder.glob("*.json"))
        assert on_disk == saved | {seeded}, (trial, sorted(p.name for p in on_disk))
        assert all(mm.load_measurement(p).measured_at == NOW for p in saved)
        assert mm.previous_measurement(folder) in saved
        assert not [p for p in folder.iterdir() if p.name.startswith(".")], "a temp file was left"


def test_temp_files_are_the_writers_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every writer gets a temp file of its own, named with its process, beside the target."""
    made: list[str] = []
    real = os.replace

    def spy(src: Any, dst: Any) -> None:
        made.append(str(src))
        real(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    for _ in range(3):
        atomic.atomic_write_text(tmp_path / "out.txt", "x")
    assert len(set(made)) == 3
    assert all(Path(t).parent == tmp_path and f".{os.getpid()}." in Path(t).name for t in made)
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_a_new_file_never_replaces_one_there(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("first")
    names = [tmp_path / "a.txt", tmp_path / "b.txt"]
    assert atomic.atomic_write_new(names, b"second") == tmp_path / "b.txt"
    assert (tmp_path / "a.txt").read_text() == "first"
    assert (tmp_path / "b.txt").read_text() == "second"
    with pytest.raises(FileExistsError):
        atomic.atomic_write_new(names, b"third")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt"]


def test_a_failed_write_names_the_target_and_leaves_nothing(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("a file, not a folder")
    with pytest.raises(NotADirectoryError) as caught:
        atomic.atomic_write_text(tmp_path / "plain" / "out.csv", "x")
    assert caught.value.filename == str(tmp_path / "plain" / "out.csv")
    with pytest.raises(OSError, match=r"No such file|Permission denied") as caught_sys:
        atomic.atomic_write_text("/proc/journeymap-test/out.csv", "x")  # fails even for root
    assert caught_sys.value.filename == "/proc/journeymap-test/out.csv"


# ---- a file in the folder that is not a measurement --------------------------------------------


@pytest.mark.parametrize(
    "content",
    ["", "{not json", '{"format": 1}', "\udcff"],
    ids=["empty", "json", "schema", "bytes"],
)
def test_a_corrupt_latest_measurement_is_skipped_with_a_warning(
    tmp_path: Path, result: Measurement, content: str
) -> None:
    folder = tmp_path / "journey.measurements"
    good = mm.save_measurement(result, folder)
    bad = folder / "2026-05-01T00-00-00Z.json"
    bad.write_bytes(content.encode("utf-8", "surrogateescape"))
    with pytest.warns(UserWarning, match=r"2026-05-01T00-00-00Z\.json.*skipped"):
        assert mm.previous_measurement(folder) == good
    heard: list[str] = []
    assert mm.previous_measurement(folder, say=heard.append) == good
    assert len(heard) == 1 and str(bad) in heard[0] and "skipped" in heard[0]
    with pytest.raises(EvidenceError, match="not a journeymap measurement"):
        mm.load_measurement(bad)


def test_only_corrupt_measurements_mean_none(tmp_path: Path) -> None:
    folder = tmp_path / "journey.measurements"
    folder.mkdir()
    (folder / "2026-05-01T00-00-00Z.json").write_text("garbage")
    (folder / "2026-05-02T00-00-00Z.json").mkdir()  # a folder named like one
    heard: list[str] = []
    assert mm.previous_measurement(folder, say=heard.append) is None
    assert len(heard) == 2
