"""Fuzzing the feedback reader (CSV, JSON Lines): a file reads with every record counted
(used, rejected with its reason, or kept without its date) or is refused with a user error
(exit 2) that names the file; never another exception."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from fuzz_strategies import FUZZ, Sample, feedback_files
from hypothesis import event, given, settings
from typer.testing import Result

from journeymap.errors import JourneyMapError
from journeymap.voice.read import read_feedback

Invoke = Callable[[Sequence[str]], Result]


@settings(FUZZ, max_examples=120)
@given(sample=feedback_files())
def test_the_feedback_reader_counts_every_record_or_refuses(sample: Sample) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / sample.name
        path.write_bytes(sample.data)
        for strict in (False, True):
            try:
                fb = read_feedback(path, strict=strict)
            except JourneyMapError as exc:
                refused: JourneyMapError | None = exc
            else:
                refused = None
            if refused is not None:
                event(f"{sample.how}, strict={strict}: refused")
                assert refused.exit_code == 2, (sample.how, str(refused))
                assert str(path) in str(refused), (sample.how, str(refused))
                continue
            event(f"{sample.how}, strict={strict}: read")
            if sample.records is not None:  # every record of the file is read
                assert fb.rows_read == sample.records, (sample.how, fb.lines())
            assert sum(fb.reasons.values()) == fb.rejected, fb.lines()
            assert fb.table.num_rows == fb.rows_used == fb.rows_read - fb.rejected
            assert fb.undated <= fb.rows_used
            if strict:
                assert fb.rejected == fb.undated == 0, fb.lines()


@settings(FUZZ, max_examples=10)
@given(sample=feedback_files())
def test_feedback_commands_exit_0_or_2_without_a_traceback(invoke: Invoke, sample: Sample) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / sample.name
        path.write_bytes(sample.data)
        for args in (["feedback", "summary", str(path)], ["feedback", "scores", str(path)]):
            result = invoke(args)
            assert result.exit_code in (0, 2), (sample.how, args, result.output)
            assert result.exception is None or isinstance(result.exception, SystemExit), (
                sample.how,
                repr(result.exception),
            )
            assert "Traceback" not in result.output
