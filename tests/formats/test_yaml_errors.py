"""YAML syntax errors in plain words: the common mistakes, each named at its line and column,
with a hint and the offending line under a caret; on the command line, exit code 2 and no
traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import journeymap as jm
from journeymap.cli import app
from journeymap.errors import Problem
from journeymap.formats import _yaml_errors

GOOD = """\
title: Opening an account
stages:
  - id: apply
    name: Apply
    touchpoints:
      - id: branch-visit
        name: Branch visit
        channel: branch
        actions: [Brings ID, Signs the form]
"""
LINES = GOOD.splitlines()


def _with(at: int, *new: str, drop: int = 1) -> str:
    """GOOD with ``drop`` lines from line ``at`` (1-based) replaced by ``new``."""
    out = LINES[: at - 1] + list(new) + LINES[at - 1 + drop :]
    return "\n".join(out) + "\n"


#: case -> (text, line, column, words of the message, words of the hint)
CASES: dict[str, tuple[str, int, int, str, str]] = {
    "indented-too-far": (
        _with(7, "         name: Branch visit"),
        7,
        10,
        "the indentation of this line does not match the lines around it",
        "line 6 starts its key in column 9",
    ),
    "indented-too-little": (
        _with(7, "       name: Branch visit"),
        7,
        8,
        "the indentation of this line does not match the lines around it",
        "line 6 starts its key in column 9",
    ),
    "stage-key-too-deep": (
        _with(4, "      name: Apply"),
        4,
        7,
        "the indentation of this line does not match",
        "line 3 starts its key in column 5",
    ),
    "list-item-among-keys": (
        "title: T\n- apply\n",
        2,
        1,
        "the indentation of this line does not match",
        "a list item '- ' stands under the key that holds the list",
    ),
    "tab-as-indentation": (
        _with(7, "\tname: Branch visit"),
        7,
        1,
        "a tab character",
        "replace the tab with spaces",
    ),
    "tab-after-colon": (
        _with(7, "        name:\tBranch visit"),
        7,
        14,
        "a tab character",
        "replace the tab with spaces",
    ),
    "missing-colon": (
        _with(7, "        name Branch visit"),
        7,
        9,
        "this key has no ':' after it",
        "write 'key: value'",
    ),
    "no-space-after-colon": (
        _with(1, "title:Opening"),
        1,
        6,
        "the ':' after this key has no space after it",
        "with a space after the colon",
    ),
    "no-space-after-dash": (
        _with(3, "  -id: apply"),
        3,
        3,
        "a list item needs a space after its '-'",
        "write '- name: ...'",
    ),
    "unclosed-double-quote": (
        _with(7, '        name: "Branch visit'),
        7,
        15,
        "this quoted text is never closed",
        'end it with " on the same line',
    ),
    "unclosed-single-quote": (
        _with(7, "        name: 'Branch visit"),
        7,
        15,
        "this quoted text is never closed",
        "end it with ' on the same line",
    ),
    "unclosed-quote-closed-lines-later": (
        _with(1, 'title: "Opening an account', 'owner: "Retail"'),
        1,
        8,
        "this quoted text is never closed",
        "hint:",
    ),
    "unclosed-bracket": (
        _with(9, "        actions: [Brings ID, Signs the form", "        owner: Retail"),
        9,
        18,
        "this list opened with '[' is never closed",
        "close it with ']'",
    ),
    "unclosed-bracket-at-the-end": (
        "title: x\nstages: [\n",
        2,
        9,
        "this list opened with '[' is never closed",
        "close it with ']'",
    ),
    "unclosed-brace": (
        _with(9, "        notes: {source: interviews", "        owner: Retail"),
        9,
        16,
        "this mapping opened with '{' is never closed",
        "close it with '}'",
    ),
    "key-value-value": (
        _with(7, "        name: Branch visit: opening"),
        7,
        27,
        "a second ': ' in the value of 'name' reads as another key",
        'put the value in quotes: name: "Branch visit: opening"',
    ),
    "duplicate-key": (
        _with(8, "        name: Visit", "        channel: branch", drop=1),
        8,
        9,
        "the key 'name' is written twice in the same mapping, first on line 7",
        "keep one of them",
    ),
    "duplicate-top-level-key": (
        GOOD + "title: Again\n",
        10,
        1,
        "the key 'title' is written twice in the same mapping, first on line 1",
        "keep one of them",
    ),
    "json-missing-comma": (
        '{\n  "title": "x",\n  "stages": [\n    {"name": "A"}\n    {"name": "B"}\n  ]\n}\n',
        5,
        5,
        "a ',' is missing before this item",
        "separate the items",
    ),
}


def _problem(text: str, name: str = "map.yaml") -> Problem:
    with pytest.raises(jm.MapFileError) as info:
        jm.loads(text, file=name)
    assert len(info.value.problems) == 1, info.value.problems
    return info.value.problems[0]


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_common_mistake_is_named_with_a_hint_and_the_line(case: str) -> None:
    text, line, column, words, hint = CASES[case]
    jm.loads(GOOD)  # the unbroken map is fine
    p = _problem(text)
    assert (p.line, p.column) == (line, column), str(p)
    assert p.message.startswith(words), p.message
    assert "(hint: " in p.message and hint in p.message, p.message
    # the parser's grammar words stay out of it
    assert "<block" not in p.message and "cannot parse" not in p.message, p.message
    # the offending line, then a caret under the column (a tab shown as one arrow)
    assert p.excerpt is not None
    shown, caret = p.excerpt.splitlines()
    offending = text.splitlines()[line - 1].replace("\t", "→")
    assert shown == f"  {line} | {offending}".rstrip()
    assert caret.index("^") == shown.index("|") + 2 + (column - 1)
    assert str(p) == f"map.yaml:{line}:{column}: {p.message}\n{p.excerpt}"


def test_an_uncommon_error_keeps_the_parsers_words_and_shows_the_line() -> None:
    p = _problem("title: *nowhere\nstages: []\n")
    assert (p.line, p.column) == (1, 8)
    assert p.message == "cannot parse: found undefined alias 'nowhere'"
    assert p.excerpt == "  1 | title: *nowhere\n    |        ^"


def test_a_long_line_is_cut_around_the_column() -> None:
    text = "title: T\nstages: []\nowner: " + "x" * 300 + ": y\n"
    p = _problem(text)
    assert p.excerpt is not None
    shown, caret = p.excerpt.splitlines()
    assert len(shown) < 120 and "…" in shown
    assert shown[caret.index("^")] == ":"


def test_excerpt_outside_the_text_is_none() -> None:
    assert _yaml_errors.excerpt("a: b\n", 5, 0) is None


@pytest.mark.parametrize("case", ["indented-too-little", "tab-as-indentation", "key-value-value"])
def test_the_command_line_prints_it_and_exits_2_without_traceback(
    case: str, tmp_path: Path
) -> None:
    text, line, column, words, _ = CASES[case]
    path = tmp_path / "map.yaml"
    path.write_text(text, encoding="utf-8")
    runner = CliRunner()
    for command in (["validate"], ["lint"], ["render", "-o", str(tmp_path / "m.svg")]):
        result = runner.invoke(app, [*command, str(path)], env={"COLUMNS": "200"})
        assert result.exit_code == 2, (command, result.output)
        err = result.stderr.splitlines()
        assert err[0].startswith(f"{path}:{line}:{column}: {words}"), err
        assert err[1].startswith(f"  {line} | ")
        assert err[2].rstrip().endswith("^")
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
