"""``journeymap events ... --cache DIR``: a second command starts from the kept log, gives the
same tables, and a changed file is read again."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from journeymap.cli import app
from journeymap.engine import Engine, EngineConfig
from journeymap.events import cache
from journeymap.events.flows import flows
from journeymap.events.funnel import funnel
from journeymap.events.paths import paths
from journeymap.events.read import read_events
from journeymap.events.retention import retention
from journeymap.events.sessions import session_summary
from journeymap.events.summary import summary

STEPS = ["onboarding_welcome_screen", "onboarding__chooseLoginType", "passed"]


@pytest.fixture
def mobile(shared_data: Path, tmp_path: Path) -> Path:
    """A copy of a real log, so that the tests can change it."""
    path = tmp_path / "mobile.csv"
    shutil.copyfile(shared_data / "eventlogs" / "mobile_app_onboarding.csv", path)
    return path


def run(*args: Any) -> Any:
    result = CliRunner().invoke(app, ["events", *[str(a) for a in args]])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_the_second_command_reads_the_cache_and_prints_the_same(
    mobile: Path, tmp_path: Path
) -> None:
    where = tmp_path / "cache"
    plain = run("flows", mobile, "--format", "json")
    first = run("flows", mobile, "--format", "json", "--cache", where)
    second = run("flows", mobile, "--format", "json", "--cache", where)
    assert plain.exit_code == first.exit_code == second.exit_code == 0
    assert "cache: kept in" in first.stderr
    # the same analysis again: its answer, kept by the first
    assert "cache: the answer read from" in second.stderr
    assert json.loads(first.stdout) == json.loads(second.stdout) == json.loads(plain.stdout)
    # the read report is the same, from the cache
    assert first.stderr.splitlines()[:2] == second.stderr.splitlines()[:2]
    assert len(list(where.glob("*.duckdb"))) == 1
    # another analysis starts from the kept log
    markers = run("flows", mobile, "--markers", "--format", "json", "--cache", where)
    assert "cache: read from" in markers.stderr
    plain_markers = run("flows", mobile, "--markers", "--format", "json")
    assert json.loads(markers.stdout) == json.loads(plain_markers.stdout)
    # other commands on the same log start from the same file
    funnel_out = run("funnel", mobile, "--steps", ",".join(STEPS), "--cache", where)
    assert funnel_out.exit_code == 0 and "cache: read from" in funnel_out.stderr


def test_a_changed_file_is_read_again_and_the_old_cache_removed(
    mobile: Path, tmp_path: Path
) -> None:
    where = tmp_path / "cache"
    run("paths", mobile, "--cache", where)
    [old] = list(where.glob("*.duckdb"))
    with mobile.open("a") as f:  # one more event: the same size no more
        f.write("passed,1538405774195009000,u_new\n")
    again = run("paths", mobile, "--cache", where)
    assert again.exit_code == 0
    assert "cache: kept in" in again.stderr  # read again, not from the old file
    [new] = list(where.glob("*.duckdb"))
    assert new != old
    # only the modification time changes: read again too
    st = mobile.stat()
    os.utime(mobile, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert "cache: kept in" in run("paths", mobile, "--cache", where).stderr


def test_other_reading_options_keep_their_own_cache(mobile: Path, tmp_path: Path) -> None:
    where = tmp_path / "cache"
    run("summary", mobile, "--cache", where)
    strict = run("summary", mobile, "--cache", where, "--strict")
    assert "cache: kept in" in strict.stderr  # --strict reads differently: not the same key
    # the engine's options are not part of the key
    same = run("summary", mobile, "--cache", where, "--strict", "--memory-limit", "1GB")
    assert "cache: the answer read from" in same.stderr
    other = run("flows", mobile, "--cache", where, "--strict", "--memory-limit", "1GB")
    assert "cache: read from" in other.stderr


def test_a_broken_cache_file_is_read_again(mobile: Path, tmp_path: Path) -> None:
    where = tmp_path / "cache"
    run("summary", mobile, "--cache", where)
    [kept] = list(where.glob("*.duckdb"))
    kept.write_bytes(b"not a database")
    again = run("flows", mobile, "--cache", where)
    assert again.exit_code == 0 and "cache: kept in" in again.stderr
    assert "cache: read from" in run("paths", mobile, "--cache", where).stderr


def test_spark_or_no_file_is_a_clear_error(tmp_path: Path, mobile: Path) -> None:
    spark = run("summary", mobile, "--cache", tmp_path, "--engine", "spark")
    assert spark.exit_code == 2 and "works with the DuckDB engine" in spark.stderr
    missing = run("summary", tmp_path / "nothing-*.csv", "--cache", tmp_path)
    assert missing.exit_code == 2


def _every_analysis(log: Any) -> list[Any]:
    return [
        flows(log, markers=True),
        paths(log, top=None),
        funnel(log, steps=STEPS),
        retention(log, period="month"),
        summary(log),
        session_summary(log),
    ]


def test_the_cached_log_gives_the_same_tables(mobile: Path, tmp_path: Path) -> None:
    """Every analysis on the log from the cache equals the one on a fresh read."""
    found = cache.entry(tmp_path / "cache", [str(mobile)], {})
    with Engine.connect(EngineConfig()) as a:
        fresh = read_events(mobile, engine=a)
        cache.store(fresh, found)
        want = _every_analysis(fresh)
    with Engine.connect(EngineConfig()) as b:
        kept = cache.load(b, found).log
        assert kept is not None
        assert kept.report == fresh.report
        assert kept.event_names == fresh.event_names
        got = _every_analysis(kept)
    for g, w in zip(got, want, strict=True):
        assert g.equals(w)


def test_the_read_report_comes_back_with_its_rejected_rows(tmp_path: Path) -> None:
    log_file = tmp_path / "events.csv"
    log_file.write_text(
        "user_id,event,timestamp\nu1,visit,2024-01-01T10:00:00Z\nu1,cart,2023-13-45\n"
        ",visit,2024-01-01T10:00:00Z\nu2,visit,2024-01-02T10:00:00Z\n"
    )
    where = tmp_path / "cache"
    first = run("summary", log_file, "--cache", where)
    answer = run("summary", log_file, "--cache", where)
    assert "cache: the answer read from" in answer.stderr
    for kept in where.glob("*.results"):  # no answer kept: from the cache file
        shutil.rmtree(kept)
    second = run("summary", log_file, "--cache", where)
    assert "cache: read from" in second.stderr
    report = [line for line in first.stderr.splitlines() if not line.startswith("cache:")]
    for again in (answer, second):
        assert report == [ln for ln in again.stderr.splitlines() if not ln.startswith("cache:")]
        assert first.stdout == again.stdout
    assert any("events.csv:3" in line and "2023-13-45" in line for line in report)


def test_filters_apply_after_the_cache(mobile: Path, tmp_path: Path) -> None:
    """The cache holds the whole log: a filtered command starts from it and gives what it
    gives without a cache; a filter on a column without a role adds it to the file."""
    where = tmp_path / "cache"
    args = ["--where", "event_name!=passed", "--since", "2018-10-01", "--format", "json"]
    plain = run("flows", mobile, *args)
    first = run("flows", mobile, "--cache", where)
    second = run("flows", mobile, *args, "--cache", where)
    assert plain.exit_code == first.exit_code == second.exit_code == 0, second.output
    assert "cache: read from" in second.stderr
    assert "filters: where event_name!=passed; since 2018-10-01 (inclusive)" in second.stderr
    assert json.loads(second.stdout) == json.loads(plain.stdout)
    assert all(r["to"] != "passed" for r in json.loads(second.stdout))
    assert len(list(where.glob("*.duckdb"))) == 1
    # a column read only for --where: the log is read again with it, the file replaced;
    # then every command starts from the file, and gets only the columns it asks for
    planned = tmp_path / "planned.csv"
    planned.write_text(
        "user_id,event,timestamp,plan\nu1,a,2024-01-01T10:00:00Z,pro\n"
        "u1,b,2024-01-01T10:01:00Z,pro\nu2,a,2024-01-01T11:00:00Z,free\n"
    )
    assert "cache: kept in" in run("flows", planned, "--cache", where).stderr
    notes = []
    for _ in range(2):
        kept = run("flows", planned, "--where", "plan=pro", "--cache", where, "--format", "json")
        assert kept.exit_code == 0, kept.output
        assert [(r["from"], r["to"]) for r in json.loads(kept.stdout)] == [("a", "b")]
        notes.append(kept.stderr)
    assert "cache: kept in" in notes[0] and "cache: the answer read from" in notes[1]
    # the filter said again with the answer
    assert "filters: where plan=pro" in notes[1]
    other = run("paths", planned, "--where", "plan=pro", "--cache", where)
    assert "cache: read from" in other.stderr
    cut = run("sessions", planned, "--cache", where, "--format", "json")
    assert "cache: read from" in cut.stderr
    assert "plan" not in json.loads(cut.stdout)[0]  # asked for by another command only
    assert len(list(where.glob("*.duckdb"))) == 2  # one per set of files
