"""The CLI end to end on real files: new -> validate -> lint -> render -> diff; import."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

import journeymap as jm
from journeymap.cli import app

runner = CliRunner()


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_templates_lists_all_five() -> None:
    code, out, _ = invoke("templates")
    assert code == 0
    for name in ("ecommerce", "lifecycle", "saas-onboarding", "saas-renewal", "issue-resolution"):
        assert name in out


def test_new_validate_lint_render(tmp_path: Path) -> None:
    path = tmp_path / "journey.yaml"
    code, _, err = invoke("new", "--template", "ecommerce", "--persona", "Maya", path)
    assert code == 0, err
    m = jm.load(path)
    assert m.persona is not None
    assert m.persona.name.startswith("Maya")
    assert invoke("new", path)[0] == 2  # refuses to overwrite
    assert invoke("validate", path)[0] == 0
    code, out, _ = invoke("lint", path, "--today", "2026-12-01")
    assert code == 0, out
    code, out, _ = invoke("lint", path, "--today", "2031-01-01", "--format", "json")
    findings = json.loads(out)
    assert any(f["code"] == "review-overdue" for f in findings)
    assert all(f["line"] for f in findings if f["code"] == "review-overdue")
    outs = [tmp_path / f"map.{s}" for s in ("svg", "png", "pdf", "html", "md", "mmd")]
    args: list[str | Path] = ["render", path]
    for o in outs:
        args += ["-o", o]
    code, _, err = invoke(*args)
    assert code == 0, err
    assert outs[0].read_text().lstrip().startswith(("<svg", "<?xml"))
    assert outs[1].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert outs[2].read_bytes()[:5] == b"%PDF-"
    assert "<html" in outs[3].read_text().lower()
    assert "| Touchpoint |" in outs[4].read_text() or "Touchpoint" in outs[4].read_text()
    assert outs[5].read_text().startswith("journey")


def test_render_unknown_suffix_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "journey.yaml"
    invoke("new", path)
    code, _, err = invoke("render", path, "-o", tmp_path / "map.docx")
    assert code == 2
    assert ".docx" in err and ".svg" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("option", "value", "suffix"),
    [
        ("--page", "A4", ".html"),
        ("--page", "16:9", ".md"),
        ("--page", "A3", ".mmd"),
        ("--page", "A4", ".pptx"),
        ("--theme", "dark", ".md"),
        ("--theme", "print", ".mmd"),
        ("--lanes", "touchpoints,emotion", ".md"),
        ("--lanes", "touchpoints", ".mmd"),
    ],
)
def test_render_refuses_an_option_its_format_ignores(
    tmp_path: Path, option: str, value: str, suffix: str
) -> None:
    path = tmp_path / "journey.yaml"
    invoke("new", path)
    target = tmp_path / f"map{suffix}"
    code, _, err = invoke("render", path, "-o", target, option, value)
    assert code == 2, err
    assert option in err and suffix in err and ".pdf" in err
    assert "Traceback" not in err
    assert not target.exists()
    # the formats that take it accept it
    code, _, err = invoke("render", path, "-o", tmp_path / "ok.svg", option, value)
    assert code == 0, err


def test_lint_error_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(
        "title: T\nstages:\n  - name: S\n    touchpoints:\n      - name: A\n"
        "kpis:\n  - name: Retention\n    kind: retention\n    value: 50\n    target: 90\n"
        "    inputs: {customers_at_start: 1000, customers_at_end: 950}\n"
    )
    code, out, _ = invoke("lint", path)
    assert code == 1
    assert f"{path}:9:12: error kpi-inputs-mismatch" in out


def test_diff_text_json_and_exit_code(tmp_path: Path) -> None:
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    invoke("new", old)
    m = jm.load(old)
    m.touchpoint("checkout").actual_emotion = jm.ActualEmotion(emotion="Angry")
    m.pain_points.append(
        jm.PainPoint(
            id="captcha",
            name="Captcha fails",
            touchpoint="checkout",
            owner="IT",
            source="Support tickets",
        )
    )
    jm.save(m, new)
    code, out, _ = invoke("diff", old, new)
    assert code == 0
    assert "Captcha fails" in out and "Angry" in out
    code, out, _ = invoke("diff", old, new, "--format", "json", "--exit-code")
    assert code == 1
    data = json.loads(out)
    assert data
    assert invoke("diff", old, old, "--exit-code")[0] == 0


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_diff_against_a_git_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    invoke("new", "journey.yaml")
    subprocess.run([*git, "add", "journey.yaml"], check=True)
    subprocess.run([*git, "commit", "-qm", "map"], check=True)
    m = jm.load("journey.yaml")
    m.stages[0].name = "Discovery"
    jm.save(m, "journey.yaml")
    code, out, err = invoke("diff", "HEAD:journey.yaml", "journey.yaml", "--format", "summary")
    assert code == 0, err
    assert "Discovery" in out or "renamed" in out
    code, _, err = invoke("diff", "HEAD~5:journey.yaml", "journey.yaml")
    assert code == 2
    assert "HEAD~5:journey.yaml" in err
    # a "revision" that git would read as its option (--output=FILE writes a file): refused
    code, _, err = invoke("diff", "--", "--output=pwned.txt:journey.yaml", "journey.yaml")
    assert code == 2
    assert "cannot start with '-'" in err
    assert not list(tmp_path.glob("pwned*"))  # git wrote nothing


def test_import_seed_tables(seeds_dir: Path, tmp_path: Path) -> None:
    seed = next(p for p in sorted(seeds_dir.iterdir()) if "Gap in Experience" in p.read_text())
    out = tmp_path / "imported.yaml"
    code, _, err = invoke("import", seed, "-o", out, "--title", "Seed journey")
    assert code == 0, err
    assert "Unassigned" in err  # the report says where stage-less touchpoints went
    m = jm.load(out)
    assert m.name == "Seed journey"
    assert m.gap(m.touchpoint("website-visit")) == -3
    code, _, err = invoke("import", tmp_path / "missing.md", "-o", tmp_path / "x.yaml")
    assert code == 2
    assert "missing.md" in err


BROKEN = {
    "bad-yaml": "title: x\nstages: [\n",
    "unknown-emotion": "title: T\nstages:\n  - name: S\n    touchpoints:\n      - name: A\n"
    "        expected_emotion: Grumpy\n",
    "dangling-reference": "title: T\nstages:\n  - name: S\npain_points:\n  - name: P\n"
    "    stage: nowhere\n",
    "duplicate-id": "title: T\nstages:\n  - name: S\n  - name: S\n",
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_files_one_error_exit_2(case: str, tmp_path: Path) -> None:
    path = tmp_path / f"{case}.yaml"
    path.write_text(BROKEN[case])
    for cmd in ("validate", "lint", "render"):
        args = [cmd, str(path)] + (["-o", str(tmp_path / "x.svg")] if cmd == "render" else [])
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (cmd, result.output)
        # one problem; a syntax error shows its line and a caret under it
        lines = [ln for ln in result.stderr.strip().splitlines() if not ln.startswith("  ")]
        assert len(lines) == 1, lines
        assert lines[0].startswith(f"{path}:")
        assert lines[0].split(":")[1].isdigit() and lines[0].split(":")[2].isdigit()
        assert "Traceback" not in result.output


def test_import_takes_the_encoding_of_its_files(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("Stage,Pain Point\nCafé,Slow\n".encode("latin-1"))
    out = tmp_path / "m.yaml"
    refused = runner.invoke(app, ["import", str(path), "-o", str(out)])
    assert refused.exit_code == 2
    assert "not UTF-8 text" in refused.output
    assert "--encoding" in refused.output
    assert not out.exists()
    done = runner.invoke(app, ["import", str(path), "-o", str(out), "--encoding", "latin-1"])
    assert done.exit_code == 0, done.output
    assert "name: Café" in out.read_text(encoding="utf-8")
