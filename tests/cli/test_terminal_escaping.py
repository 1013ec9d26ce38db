"""Data never drives the terminal (issue 16, item 10): Rich markup in a review is shown as
written, not read as a link or a style, and control characters (clear screen, clipboard
writes) are shown as escapes instead of being sent."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from journeymap.cli import app

ENV = {"COLUMNS": "240", "NO_COLOR": "1", "TERM": "xterm-256color"}
LINK = "[link=https://evil.example]click[/link]"
CLEAR = "\x1b[2J"
CLIPBOARD = "\x1b]52;c;ZXZpbA==\x07"


def test_reviews_are_shown_as_written_and_control_characters_escaped(tmp_path: Path) -> None:
    path = tmp_path / "reviews.csv"
    rows = [
        "id,score,comment",
        f'r1,9,"{LINK} great {CLEAR}"',
        f'r2,3,"[bold red]awful[/bold red] service {CLIPBOARD}"',
        "r3,8,plain good service",
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["feedback", "themes", str(path), "--k", "1"], env=ENV)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "\x1b" not in out and "\x07" not in out  # nothing reaches the terminal raw
    assert "\\x1b[2J" in out and "\\x1b]52;c;" in out  # shown, escaped
    flat = "".join(out.split())  # the quotes fold over lines in the table
    assert "[link=https://evil.example]click[/link]" in flat
    assert "[boldred]awful[/boldred]" in flat  # the markup as written, not a style
