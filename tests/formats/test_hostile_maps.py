"""Hostile map files: every one is refused with FILE:LINE:COL and exit 2, never a traceback.

The corpus is ``tests/hostile/maps/``; each file is listed here with where its error points
and what the error says. The alias bomb runs in a child process with a memory limit and a
timeout, so that a regression fails the test instead of the machine.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import journeymap as jm
from journeymap.cli import app
from journeymap.errors import MapFileError
from journeymap.formats import MapLimits

CORPUS = Path(__file__).resolve().parents[1] / "hostile" / "maps"

# file: (line, column, a part of the message)
EXPECTED: dict[str, tuple[int, int, str]] = {
    "billion-laughs.yaml": (6, 8, "aliases expand to more than 10,000 nodes"),
    "alias-cycle.yaml": (4, 18, "alias *s refers to a node that contains it"),
    "deep-brackets.yaml": (2, 108, "nested too deeply: more than 100 levels"),
    "deep-mappings.yaml": (4, 396, "nested too deeply: more than 100 levels"),
    "nul-byte.yaml": (5, 20, "control character U+0000 (NUL)"),
    "control-characters.yaml": (1, 12, "control character U+0007 (BEL)"),
    "huge-integer.yaml": (6, 25, "as an integer"),
    "invalid-date.yaml": (2, 10, "invalid date '2024-02-30' (day is out of range for month)"),
    "invalid-time.yaml": (5, 9, "invalid date and time '2024-02-10T25:61:00'"),
    "escaped-nul.yaml": (5, 15, "'name' holds control character U+0000 (NUL)"),
    "escaped-nul.json": (4, 46, "'name' holds control character U+0000 (NUL)"),
    "terminal-escape.yaml": (4, 18, "'description' holds control character U+001B (ESC)"),
    "unpaired-surrogate.json": (1, 39, "'name' holds unpaired surrogate U+D800"),
    "binary-nul.yaml": (1, 8, "'title' holds control character U+0000 (NUL)"),
    "bad-int-tag.yaml": (6, 25, "cannot read 'two' as an integer"),
    "bad-bool-tag.yaml": (6, 15, "cannot read 'maybe' as true or false"),
    "omap-duplicate.yaml": (2, 9, "as an ordered mapping"),
    # a boolean is not an emotion level (it was read as 1, Interested)
    "emotion-true.yaml": (5, 37, "invalid value True for 'expected_emotion'"),
}


def test_every_corpus_file_has_an_expected_error() -> None:
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted(EXPECTED)


def _check(output: str, path: Path, expected: tuple[int, int, str]) -> None:
    line, col, fragment = expected
    assert "Traceback" not in output
    assert f"{path}:{line}:{col}: " in output, output
    assert fragment in output, output


# The bomb is left to the child-process test below: in this process a regression would eat
# the machine's memory.
@pytest.mark.parametrize("name", sorted(set(EXPECTED) - {"billion-laughs.yaml"}))
def test_validate_refuses_with_a_located_error(name: str) -> None:
    path = CORPUS / name
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    _check(result.output, path, EXPECTED[name])


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    one_gb = 1024**3
    resource.setrlimit(resource.RLIMIT_AS, (one_gb, one_gb))


@pytest.mark.skipif(sys.platform != "linux", reason="address-space limit is Linux-only here")
def test_alias_bomb_is_refused_quickly_within_a_memory_limit() -> None:
    path = CORPUS / "billion-laughs.yaml"
    assert path.stat().st_size < 400
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", "from journeymap.cli import main; main()", "validate", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_limit_memory,
        check=False,
    )
    took = time.monotonic() - started
    assert done.returncode == 2, done.stderr[-2000:]
    _check(done.stdout + done.stderr, path, EXPECTED["billion-laughs.yaml"])
    assert took < 20


def _bomb(levels: int) -> str:
    """A small alias bomb: ``levels`` lists of nine aliases to the list before."""
    lines = ["title: Bomb", 'l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]")
    return "\n".join([*lines, "stages:", "  - name: Buy", ""])


# Six levels expand to half a million nodes: enough to show the mechanism is shared, small
# enough (about 60 MB before the fix) to run in this process.
@pytest.mark.parametrize(
    "args",
    [
        ["validate", "{map}"],
        ["lint", "{map}"],
        ["fmt", "--check", "{map}"],
        ["render", "{map}", "-o", "{tmp}/out.svg"],
        ["diff", "{map}", "{map}"],
    ],
    ids=lambda a: a[0],
)
def test_every_command_that_reads_a_map_refuses_the_bomb(args: list[str], tmp_path: Path) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(_bomb(6))
    argv = [a.format(map=path, tmp=tmp_path) for a in args]
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"{path}:6:" in result.output
    assert "aliases expand to more than 10,000 nodes" in result.output
    assert not (tmp_path / "out.svg").exists()


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    line = "# " + "x" * 1021 + "\n"  # 1 KiB a line
    path.write_text("title: Big\n" + line * 1024)
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert f"{path}:1025:1014: " in result.output, result.output  # where byte 1 MiB + 1 is
    assert "larger than 1 MiB (1,048,576 bytes)" in result.output


def test_limits_can_be_raised_or_lowered() -> None:
    def brackets(n: int) -> str:
        return f"title: T\nstages: {'[' * n}{']' * n}\n"

    deeper = MapLimits(max_depth=150)
    with pytest.raises(MapFileError, match=r"x.yaml:2:158: nested too deeply: more than 150"):
        jm.loads(brackets(200), file="x.yaml", limits=deeper)
    with pytest.raises(MapFileError, match="expected a valid dictionary or instance of Stage"):
        jm.loads(brackets(140), file="x.yaml", limits=deeper)
    with pytest.raises(MapFileError, match=r"x.yaml:2:10: nested too deeply: more than 2 levels"):
        jm.loads(brackets(2), file="x.yaml", limits=MapLimits(max_depth=2))
    # past what Python's stack holds: still a clear error, not a RecursionError
    with pytest.raises(MapFileError, match="nested too deeply to read"):
        jm.loads(brackets(400), file="x.yaml", limits=MapLimits(max_depth=5000))

    small = "title: T\nstages:\n  - name: Buy\n"
    jm.loads(small, limits=MapLimits(max_bytes=len(small)))
    with pytest.raises(MapFileError, match=r"<string>:3:14: .*larger than 30 bytes"):
        jm.loads(small, limits=MapLimits(max_bytes=len(small) - 1))

    bomb = _bomb(3)  # 9 x 9 + 9 x 82 alias nodes: 819
    with pytest.raises(MapFileError, match="unknown key 'l0'") as err:  # read, then validated
        jm.loads(bomb, limits=MapLimits(max_alias_nodes=819))
    assert "aliases expand" not in str(err.value)
    with pytest.raises(MapFileError, match=r":4:.*more than 818 nodes"):
        jm.loads(bomb, limits=MapLimits(max_alias_nodes=818))


def test_node_count_is_limited() -> None:
    text = "title: T\nstages:\n  - name: Buy\n    touchpoints: [{name: A}, {name: B}]\n"
    # 16 nodes: 2 mappings, 2 lists, 6 scalars, and 2 mappings of 2 scalars each
    assert len(jm.loads(text, limits=MapLimits(max_nodes=16)).stages[0].touchpoints) == 2
    with pytest.raises(MapFileError, match=r"<string>:4:37: too many nodes: more than 15 "):
        jm.loads(text, limits=MapLimits(max_nodes=15))


def test_depth_at_the_limit_is_read_and_one_more_is_refused() -> None:
    def nested(depth: int) -> str:  # the top mapping is level 1, notes is level 2
        inner = "[" * (depth - 2) + "]" * (depth - 2)
        return f"title: T\nstages: []\nnotes: {{k: {inner}}}\n"

    # at the limit: an ordinary validation error, not a limit, not a RecursionError
    with pytest.raises(MapFileError) as err:
        jm.loads(nested(100))
    assert "nested too deeply" not in str(err.value)
    assert "invalid value for 'k'" in str(err.value)
    with pytest.raises(MapFileError, match="nested too deeply"):
        jm.loads(nested(101))


def test_maps_may_use_a_few_aliases() -> None:
    text = """\
title: Shared
stages:
  - name: Buy
    customer_goal: &goal Get it done
    touchpoints:
      - &tp {name: Checkout, channel: web}
  - name: Use
    customer_goal: *goal
    touchpoints:
      - {<<: *tp, name: Dashboard}
"""
    m = jm.loads(text)
    assert m.stages[1].customer_goal == "Get it done"
    assert m.stages[1].touchpoints[0].channel == "web"


def test_an_error_in_a_merged_key_points_where_the_key_is_written() -> None:
    text = """\
title: Shared
stages:
  - name: Buy
    touchpoints:
      - &tp {name: Checkout, moment_of_truth: maybe}
  - name: Use
    touchpoints:
      - {<<: *tp, name: Dashboard}
"""
    with pytest.raises(MapFileError) as err:
        jm.loads(text)
    assert [(p.line, p.column) for p in err.value.problems] == [(5, 47)]
    assert "invalid value 'maybe' for 'moment_of_truth'" in str(err.value)


def test_tab_and_newline_are_text_but_carriage_return_is_not() -> None:
    ok = 'title: "A\\tB\\nC"\nstages:\n  - name: Buy\n'
    assert jm.loads(ok).name == "A\tB\nC"
    with pytest.raises(MapFileError, match=r":1:8: 'title' holds control character U\+000D"):
        jm.loads(ok.replace("\\n", "\\r"))


def test_keys_are_checked_too() -> None:
    with pytest.raises(MapFileError, match=r":3:1: a key holds control character U\+001B"):
        jm.loads('title: T\nstages: []\n"x\\e": 1\n')


def test_crlf_files_still_read() -> None:
    text = "title: T\r\nobjective: |\r\n  one\r\n  two\r\nstages:\r\n  - name: Buy\r\n"
    m = jm.loads(text)
    assert (m.objective, m.stages[0].name) == ("one\ntwo\n", "Buy")
