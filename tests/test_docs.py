"""Docs that run: generated sections are current, examples load, code blocks execute."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import journeymap as jm
from journeymap.cli import app
from journeymap.formats.schema import reference_markdown

ROOT = Path(__file__).resolve().parents[1]
UPDATE = os.environ.get("JOURNEYMAP_UPDATE_GOLDEN") == "1"
COMMANDS = ["new", "templates", "validate", "lint", "fmt", "schema", "render", "import", "diff",
            "events", "events summary", "events flows", "events paths", "events funnel",
            "events retention", "events sessions", "events discover",
            "feedback", "feedback summary", "feedback scores", "feedback sentiment",
            "feedback themes", "feedback drivers", "measure", "demo",
            "serve", "users", "users add", "push", "pull", "backup", "restore"]  # fmt: skip


def test_cli_reference_lists_every_command() -> None:
    import typer.main

    def walk(group: Any, prefix: str) -> list[str]:
        out = []
        for name, cmd in group.commands.items():
            out.append(f"{prefix}{name}")
            if hasattr(cmd, "commands"):  # a group of commands
                out += walk(cmd, f"{prefix}{name} ")
        return out

    root = typer.main.get_command(app)
    assert sorted(walk(root, "")) == sorted(COMMANDS)


def _blocks(path: Path, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", path.read_text(), flags=re.S)


def _replace_between(text: str, begin: str, end: str, body: str) -> str:
    start, stop = text.index(begin) + len(begin), text.index(end)
    return text[:start] + "\n" + body.rstrip("\n") + "\n" + text[stop:]


def _check_generated(path: Path, begin: str, end: str, body: str) -> None:
    text = path.read_text()
    wanted = _replace_between(text, begin, end, body)
    if UPDATE:
        path.write_text(wanted)
    assert text == wanted, f"{path.name} is stale: run `make docs` (JOURNEYMAP_UPDATE_GOLDEN=1)"


def test_file_format_reference_is_current() -> None:
    _check_generated(
        ROOT / "docs" / "file-format.md",
        "<!-- BEGIN GENERATED KEYS -->",
        "<!-- END GENERATED KEYS -->",
        reference_markdown(),
    )


def cli_reference() -> str:
    runner = CliRunner()
    env = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb", "_TYPER_FORCE_DISABLE_TERMINAL": "1"}
    parts = []
    for cmd in [None, *COMMANDS]:
        args = ["--help"] if cmd is None else [*cmd.split(), "--help"]
        result = runner.invoke(app, args, env=env, prog_name="journeymap")
        assert result.exit_code == 0, result.output
        text = "\n".join(line.rstrip() for line in result.stdout.splitlines()).strip("\n")
        parts.append(f"## `journeymap{'' if cmd is None else ' ' + cmd}`\n\n```text\n{text}\n```\n")
    return "\n".join(parts)


def test_cli_reference_is_current() -> None:
    _check_generated(
        ROOT / "docs" / "cli.md",
        "<!-- BEGIN GENERATED -->",
        "<!-- END GENERATED -->",
        cli_reference(),
    )


def lint_rules_markdown() -> str:
    from journeymap.model.lint import LINT_RULES, LINT_SEVERITIES

    order = {"error": 0, "warning": 1, "info": 2}
    rows = sorted(LINT_RULES, key=lambda c: (order[LINT_SEVERITIES[c]], c))
    lines = ["| code | severity | finding |", "|---|---|---|"]
    lines += [f"| `{c}` | {LINT_SEVERITIES[c]} | {LINT_RULES[c]} |" for c in rows]
    return "\n".join(lines)


def test_lint_rules_in_guide_are_current() -> None:
    _check_generated(
        ROOT / "docs" / "guide.md",
        "<!-- BEGIN GENERATED LINT RULES -->",
        "<!-- END GENERATED LINT RULES -->",
        lint_rules_markdown(),
    )


def test_file_format_example_loads() -> None:
    examples = [b for b in _blocks(ROOT / "docs" / "file-format.md", "yaml") if "title:" in b]
    assert examples
    for text in examples:
        m = jm.loads(text, file="docs/file-format.md")
        assert m.stages


@pytest.mark.parametrize(
    "doc",
    [
        "README.md",
        "docs/python-api.md",
        "docs/guide.md",
        "docs/events.md",
        "docs/feedback.md",
        "docs/measure.md",
        "docs/rendering.md",
    ],
)
def test_python_blocks_run(doc: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = _blocks(ROOT / doc, "python")
    assert blocks, f"{doc} has no python examples"
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    for code in blocks:
        exec(compile(code, doc, "exec"), namespace)


def test_measurement_schema_is_current() -> None:
    import json

    from journeymap.measuring.pipeline import measurement_schema

    path = ROOT / "docs" / "measurement.schema.json"
    wanted = json.dumps(measurement_schema(), indent=2) + "\n"
    if UPDATE:
        path.write_text(wanted)
    assert path.read_text() == wanted, "docs/measurement.schema.json is stale: run `make docs`"
