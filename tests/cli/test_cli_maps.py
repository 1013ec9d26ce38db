"""The CLI's map commands, through Typer's runner: exit codes, messages, files written."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from journeymap.cli import app

GOOD = """\
# a tiny map
title: Tiny
stages:
  - id: buy
    name: Buy
    touchpoints:
      - id: checkout
        name: Checkout
        expected_emotion: Satisfied
        actual_emotion: Confused
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_help_lists_every_command(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for cmd in (
        "new",
        "templates",
        "validate",
        "lint",
        "render",
        "import",
        "diff",
        "schema",
        "fmt",
    ):
        assert cmd in result.output


def test_validate_ok_and_broken(runner: CliRunner, tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    result = runner.invoke(app, ["validate", str(good)])
    assert result.exit_code == 0, result.output
    assert "ok (1 stages, 1 touchpoints)" in result.stdout

    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("actual_emotion: Confused", "actual_emotion: Grumpy"))
    result = runner.invoke(app, ["validate", str(good), str(bad)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{bad}:10:25: unknown emotion 'Grumpy'")
    assert "Traceback" not in result.output


def test_validate_bad_yaml_has_no_traceback(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: [unclosed\n")
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:1:8: this list opened with '[' is never closed" in result.stderr
    assert "  1 | title: [unclosed\n    |        ^" in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_fmt_check_then_write(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(GOOD.replace("title: Tiny\n", "") + "title: Tiny\n")
    result = runner.invoke(app, ["fmt", "--check", str(path)])
    assert result.exit_code == 1
    assert "would reformat" in result.stderr
    before = path.read_text()
    result = runner.invoke(app, ["fmt", str(path)])
    assert result.exit_code == 0
    after = path.read_text()
    assert after != before
    assert after.startswith("# a tiny map\nid: tiny\ntitle: Tiny\n")
    assert runner.invoke(app, ["fmt", "--check", str(path)]).exit_code == 0


def test_schema_is_valid_and_accepts_a_map(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    result = runner.invoke(app, ["schema", "-o", str(out)])
    assert result.exit_code == 0
    schema = json.loads(out.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(GOOD)
    jsonschema.validate(data, schema)
    data["stages"][0]["touchpoints"][0]["chanel"] = "web"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)
    printed = runner.invoke(app, ["schema"])
    assert json.loads(printed.stdout) == schema


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith("journeymap ")


def test_new_blank_map_validates_lints_and_renders(runner: CliRunner, tmp_path: Path) -> None:
    listed = runner.invoke(app, ["templates"], env={"COLUMNS": "200"})
    assert listed.exit_code == 0
    assert "blank" in listed.stdout and "Before → During → After" in listed.stdout
    path = tmp_path / "account.yaml"
    args = ["new", str(path), "--template", "blank", "--title", "Opening an account"]
    result = runner.invoke(app, [*args, "--persona", "Maya, 34"])
    assert result.exit_code == 0, result.output
    assert "from template 'blank' (3 stages, 0 touchpoints)" in result.stderr
    assert runner.invoke(app, ["validate", str(path)]).exit_code == 0
    result = runner.invoke(app, ["lint", str(path), "--format", "json", "--today", "2026-12-01"])
    assert result.exit_code == 0, result.output
    codes = sorted(f["code"] for f in json.loads(result.stdout))
    assert codes == ["empty-stage", "empty-stage", "empty-stage", "no-review-date"]
    outs = [tmp_path / f"account.{s}" for s in ("svg", "png", "md", "mmd")]
    result = runner.invoke(app, ["render", str(path), *(a for o in outs for a in ("-o", str(o)))])
    assert result.exit_code == 0, result.output
    svg = outs[0].read_text(encoding="utf-8")
    for text in ("Opening an account", "Before", "During", "After", "Maya, 34"):
        assert text in svg, text
    assert outs[1].read_bytes().startswith(b"\x89PNG")
