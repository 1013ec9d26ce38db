"""Where commands write, checked once for all of them: never over one of the command's inputs
(unless ``--force`` where a command has it), a folder that cannot be written a located error
(the path and the system's reason, exit 2) and never a traceback; a size option that is not
a size a usage error naming it; a saved measurement that cannot be read skipped with a
warning, not a blocked ``measure`` or ``lint``."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from journeymap.cli import _common, app

ENV = {"COLUMNS": "120", "NO_COLOR": "1", "TERM": "dumb"}

LOG = """\
user_id,event,timestamp
u1,visit,2024-01-01T10:00:00Z
u1,cart,2024-01-01T10:05:00Z
u1,buy,2024-01-01T10:20:00Z
u2,visit,2024-01-02T09:00:00Z
u2,cart,2024-01-02T09:01:00Z
u3,visit,2024-01-09T12:00:00Z
"""

SURVEY = """\
respondent,nps,touchpoint,comment,seat,staff
a,9,home,lovely shop,4,5
b,3,cart,slow and confusing,2,1
c,10,home,great,5,5
d,6,cart,ok,3,3
"""

MAP = """\
title: Shop
stages:
  - name: Browse
    touchpoints:
      - name: Home
        events: [visit]
        feedback: {values: [home]}
  - name: Buy
    touchpoints:
      - name: Cart
        events: [cart]
        feedback: {values: [cart]}
"""


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "log.csv").write_text(LOG)
    (tmp_path / "survey.csv").write_text(SURVEY)
    (tmp_path / "journey.yaml").write_text(MAP)
    (tmp_path / "table.md").write_text("| Stage | Touchpoint |\n|---|---|\n| Browse | Home |\n")
    return tmp_path


def run(*args: Any) -> Any:
    result = CliRunner().invoke(app, [str(a) for a in args], env=ENV)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.output,
        result.exception,
    )
    assert "Traceback" not in result.output
    return result


def writing_commands(d: Path, out: Path) -> Iterator[tuple[str, list[Any]]]:
    """Every command that writes a file, writing ``out`` (a suffix the command takes)."""
    log, survey, jmap = d / "log.csv", d / "survey.csv", d / "journey.yaml"
    csv, yaml = out.with_suffix(".csv"), out.with_suffix(".yaml")
    for cmd in ("summary", "flows", "paths", "retention", "sessions"):
        yield f"events {cmd}", ["events", cmd, log, "-o", csv]
    yield "events funnel", ["events", "funnel", log, "--steps", "visit,cart", "-o", csv]
    yield "events discover", ["events", "discover", log, "-o", yaml]
    for cmd in ("summary", "scores", "sentiment", "themes", "drivers"):
        yield f"feedback {cmd}", ["feedback", cmd, survey, "--score", "nps", "-o", csv]
    yield "new", ["new", yaml]
    yield "schema", ["schema", "-o", out.with_suffix(".json")]
    yield "render", ["render", jmap, "-o", out.with_suffix(".svg")]
    yield "import", ["import", d / "table.md", "-o", yaml]
    yield "measure", ["measure", jmap, "--events", log, "--no-save", "-o", out.with_suffix(".md")]
    yield "demo", ["demo", "--customers", "50", "-o", out.with_suffix("")]


# ---- an output that is one of the inputs ---------------------------------------------------


@pytest.mark.parametrize(
    ("args", "victim"),
    [
        (["events", "flows", "{d}/log.csv", "-o", "{d}/log.csv"], "log.csv"),
        (["events", "summary", "{d}/log.csv", "--format", "json", "-o", "{d}/log.csv"], "log.csv"),
        (["events", "paths", "{d}/*.csv", "-o", "{d}/log.csv"], "log.csv"),  # a glob's file
        (["feedback", "sentiment", "{d}/survey.csv", "-o", "{d}/survey.csv"], "survey.csv"),
        (
            ["feedback", "scores", "{d}/survey.csv", "--score", "nps", "-o", "{d}/./survey.csv"],
            "survey.csv",
        ),
        (
            ["measure", "{d}/journey.yaml", "--events", "{d}/log.csv", "-o", "{d}/log.csv"],
            "log.csv",
        ),
        (["render", "{d}/journey.yaml", "-o", "{d}/journey.yaml"], "journey.yaml"),
    ],
    ids=["events", "events-json", "glob", "feedback", "dot", "measure", "render"],
)
def test_an_output_that_is_an_input_is_refused(files: Path, args: list[str], victim: str) -> None:
    before = {p.name: p.read_bytes() for p in files.iterdir()}
    result = run(*[a.format(d=files) for a in args])
    assert result.exit_code == 2, result.output
    assert f"{files / victim}" in result.output
    assert "is also an input" in result.output
    assert {p.name: p.read_bytes() for p in files.iterdir()} == before


def test_the_same_file_by_another_name_is_refused(files: Path) -> None:
    (files / "link.csv").symlink_to(files / "log.csv")
    os.link(files / "survey.csv", files / "hard.csv")
    before = (files / "log.csv").read_bytes(), (files / "survey.csv").read_bytes()
    assert run("events", "flows", files / "log.csv", "-o", files / "link.csv").exit_code == 2
    assert (
        run("feedback", "sentiment", files / "hard.csv", "-o", files / "survey.csv").exit_code == 2
    )
    assert ((files / "log.csv").read_bytes(), (files / "survey.csv").read_bytes()) == before


def test_force_writes_over_an_input_where_a_command_has_it(files: Path) -> None:
    log = files / "log.json"  # JSON Lines named .json: a log, and a name a map may have
    log.write_text(
        "".join(
            f'{{"user_id": "{u}", "event": "{e}", "timestamp": "2024-01-0{d}T10:00:00Z"}}\n'
            for d, u, e in [(1, "a", "visit"), (2, "a", "cart"), (1, "b", "visit")]
        )
    )
    refused = run("events", "discover", log, "-o", log)
    assert refused.exit_code == 2, refused.output
    assert "is also an input" in refused.output and "--force" in refused.output
    assert log.read_text().startswith('{"user_id"')
    forced = run("events", "discover", log, "-o", log, "--force")
    assert forced.exit_code == 0, forced.output
    assert "stages:" in log.read_text() or '"stages"' in log.read_text()


def test_an_output_beside_its_input_is_written(files: Path) -> None:
    result = run("events", "flows", files / "log.csv", "-o", files / "flows.csv")
    assert result.exit_code == 0, result.output
    assert (files / "flows.csv").read_text().startswith('"from","to"')
    assert (files / "log.csv").read_text() == LOG


def test_every_output_option_is_one_the_rule_knows() -> None:
    """The rule finds a command's outputs by name: every ``-o``/``--output`` is one of them."""
    seen = 0
    groups: list[Any] = [typer.main.get_command(app)]
    while groups:
        group = groups.pop()
        for sub in group.commands.values():
            if hasattr(sub, "commands"):  # a group: events, feedback
                groups.append(sub)
                continue
            for p in sub.params:
                if {"-o", "--output"} & set(p.opts):
                    seen += 1
                    assert p.name in _common.OUTPUTS, (sub.name, p.name)
    assert seen >= 15


# ---- a place that cannot be written ------------------------------------------------------------


def _located(result: Any, where: Path | str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert lines, result.output
    assert str(where) in lines[0], result.output


def test_every_writing_command_reports_a_place_it_cannot_write(files: Path) -> None:
    """Under a regular file no one can create anything, root included: every command stops
    before its work with the path and why."""
    (files / "plain").write_text("a file, not a folder")
    out = files / "plain" / "out"
    names = []
    for name, args in writing_commands(files, out):
        result = run(*args)
        _located(result, files / "plain")
        assert "Not a directory" in result.output or "not a folder" in result.output, name
        names.append(name)
    assert len(names) >= 15


@pytest.mark.parametrize("name", ["schema", "events flows", "feedback sentiment", "new", "measure"])
def test_a_system_folder_that_refuses_writes(files: Path, name: str) -> None:
    """/proc takes no new files, whoever asks: found when the file is written."""
    out = Path("/proc/journeymap-test/out")
    args = dict(writing_commands(files, out))[name]
    result = run(*args)
    _located(result, "/proc/journeymap-test/out")


def test_a_full_disk_is_reported_with_the_file(
    files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("journeymap._atomic.os.fsync", full)
    (files / "flows.csv").write_text("the old one")
    result = run("events", "flows", files / "log.csv", "-o", files / "flows.csv")
    _located(result, files / "flows.csv")
    assert "No space left on device" in result.output
    assert (files / "flows.csv").read_text() == "the old one"
    assert not [p for p in files.iterdir() if p.name.startswith(".")]


def test_measure_stops_before_measuring_when_it_cannot_save(files: Path) -> None:
    (files / "journey.measurements").write_text("a file where the folder goes")
    result = run("measure", files / "journey.yaml", "--events", files / "log.csv")
    _located(result, files / "journey.measurements")
    assert "touchpoints with an emotion" not in result.output  # no result printed first


# ---- sizes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["lots", "4", "80%", "0GB", "-1GB", "2 XB", ""])
def test_a_memory_limit_that_is_not_a_size_is_a_usage_error(files: Path, value: str) -> None:
    result = run("events", "summary", files / "log.csv", "--memory-limit", value)
    assert result.exit_code == 2, result.output
    assert "--memory-limit" in result.output and "2GB" in result.output


@pytest.mark.parametrize("value", ["2GB", "512 mb", "1.5GiB", "4g"])
def test_a_memory_limit_in_any_usual_spelling_is_taken(files: Path, value: str) -> None:
    result = run("events", "summary", files / "log.csv", "--memory-limit", value)
    assert result.exit_code == 0, result.output


# ---- a saved measurement that cannot be read ---------------------------------------------------


def _corrupt(files: Path) -> Path:
    first = run("measure", files / "journey.yaml", "--events", files / "log.csv")
    assert first.exit_code == 0, first.output
    bad = files / "journey.measurements" / "2999-01-01T00-00-00Z.json"
    bad.write_text('{"truncated": ')
    return bad


def test_measure_skips_a_corrupt_measurement_and_says_so(files: Path) -> None:
    bad = _corrupt(files)
    result = run("measure", files / "journey.yaml", "--events", files / "log.csv")
    assert result.exit_code == 0, result.output
    warned = [line for line in result.output.splitlines() if line.startswith("warning: ")]
    assert warned and str(bad) in warned[0] and "skipped" in warned[0], result.output
    assert len(list(bad.parent.glob("*.json"))) == 3


def test_lint_skips_a_corrupt_measurement_and_says_so(files: Path) -> None:
    bad = _corrupt(files)
    result = run("lint", files / "journey.yaml")
    assert result.exit_code in (0, 1), result.output
    assert f"warning: {bad}" in result.output
