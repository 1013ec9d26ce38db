"""Fuzzing the map reader: any bytes read as a map give a map or a located error (exit 2),
never another exception; a map that reads is formatted to a fixed point; ``fmt`` keeps every
comment above its key whatever order the keys come in."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from fuzz_strategies import FUZZ, map_texts, ordered_maps_with_comments
from hypothesis import event, given, settings
from typer.testing import Result

import journeymap as jm
from journeymap.errors import MapFileError
from journeymap.formats.document import format_text, read_text

Invoke = Callable[[Sequence[str]], Result]


@settings(FUZZ, max_examples=80)
@given(map_texts())
def test_the_map_reader_gives_a_map_or_a_located_error(sample: tuple[bytes, str]) -> None:
    data, how = sample
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "map.yaml"
        path.write_bytes(data)
        try:
            m = jm.load(path)
        except MapFileError as exc:
            refused: MapFileError | None = exc
        else:
            refused = None
        if refused is not None:
            event(f"{how.split()[0]}: refused")
            assert refused.exit_code == 2
            assert refused.problems, how
            for problem in refused.problems:
                assert problem.file == str(path), (how, str(refused))
                assert problem.line is None or problem.line >= 1, (how, str(refused))
                assert problem.column is None or problem.column >= 1, (how, str(refused))
            return
        event(f"{how.split()[0]}: read")
        assert isinstance(m, jm.JourneyMap), how  # a title alone is a map (of no stage)
        text = format_text(read_text(path), file=str(path))
        assert format_text(text) == text, how  # fmt reaches a fixed point at once


@settings(FUZZ, max_examples=25)
@given(sample=map_texts())
def test_validate_and_fmt_exit_0_1_or_2_without_a_traceback(
    invoke: Invoke, sample: tuple[bytes, str]
) -> None:
    data, how = sample
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "map.yaml"
        path.write_bytes(data)
        for args in (["validate", str(path)], ["fmt", "--check", str(path)]):
            result = invoke(args)
            assert result.exit_code in (0, 1, 2), (how, args, result.output)
            assert result.exception is None or isinstance(result.exception, SystemExit), (
                how,
                args,
                repr(result.exception),
            )
            assert "Traceback" not in result.output


@settings(FUZZ, max_examples=30)
@given(ordered_maps_with_comments())
def test_fmt_keeps_every_comment_above_its_key(sample: tuple[str, dict[str, str]]) -> None:
    text, above = sample
    out = format_text(text)
    lines = [line.strip() for line in out.splitlines()]
    for comment, key_line in above.items():
        assert lines.count(comment) == 1, (comment, out)
        below = lines[lines.index(comment) + 1]
        assert below.removeprefix("- ") == key_line, (comment, key_line, text, out)
    assert format_text(out) == out
