"""Fuzzing the event-log readers (CSV, JSON Lines, XES): a log reads with every record
counted (used or rejected, with its reason) or is refused with a user error (exit 2) that
names the file, and the line of a broken record; never another exception."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from fuzz_strategies import FUZZ, Sample, event_csv, event_jsonl, event_xes
from hypothesis import event, given, settings
from typer.testing import Result

from journeymap.engine import Engine, EngineConfig
from journeymap.errors import JourneyMapError
from journeymap.events.read import read_events

Invoke = Callable[[Sequence[str]], Result]


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    with Engine.connect(EngineConfig(threads=1)) as eng:
        yield eng


def _check(engine: Engine, sample: Sample) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / sample.name
        path.write_bytes(sample.data)
        try:
            log = read_events(path, engine=engine)
        except JourneyMapError as exc:
            refused: JourneyMapError | None = exc
        else:
            refused = None
        if refused is not None:
            message = str(refused)
            event(f"{sample.how}: refused")
            assert refused.exit_code == 2, (sample.how, message)
            assert str(path) in message, (sample.how, message)
            if sample.error_line is not None:
                assert f"{path}:{sample.error_line}:" in message, (sample.how, message)
            return
        report = log.report
        event(f"{sample.how}: read")
        assert sample.error_line is None, (sample.how, "read without the error expected")
        if sample.records is not None:  # every record of the file is read: none left out
            assert report.rows_read == sample.records, (sample.how, report.lines())
        assert sum(report.rejected.values()) == report.rows_rejected, report.lines()
        assert report.rows_used + report.rows_rejected == report.rows_read
        assert engine.scalar(log.table.count()) == report.rows_used


@settings(FUZZ, max_examples=30)
@given(sample=event_csv())
def test_csv_logs(engine: Engine, sample: Sample) -> None:
    _check(engine, sample)


@settings(FUZZ, max_examples=30)
@given(sample=event_jsonl())
def test_json_lines_logs(engine: Engine, sample: Sample) -> None:
    _check(engine, sample)


@settings(FUZZ, max_examples=15)
@given(sample=event_xes())
def test_xes_logs(engine: Engine, sample: Sample) -> None:
    _check(engine, sample)


@settings(FUZZ, max_examples=6)
@given(sample=event_csv())
def test_events_summary_exits_0_or_2_without_a_traceback(invoke: Invoke, sample: Sample) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / sample.name
        path.write_bytes(sample.data)
        result = invoke(["events", "summary", str(path), "--strict"])
        assert result.exit_code in (0, 2), (sample.how, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output
