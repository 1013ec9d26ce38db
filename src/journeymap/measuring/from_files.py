"""A map measured from evidence files: what ``journeymap measure`` does, as one library call.

:func:`measure_files` reads one event log (a folder or glob of Parquet files is one log) on
an engine of its own, closed afterwards, keeping the columns the map's ``where:`` conditions
read (:func:`~journeymap.measuring.pipeline.columns_to_keep`); reads each feedback file;
measures (:func:`~journeymap.measuring.pipeline.measure`); and, given the map's file, compares
the result with the last measurement saved beside it and saves it there.
:func:`check_files` reads the event log the same way and reports what did not link cleanly
(:func:`~journeymap.measuring.behaviour.check_links`).

Both tell what they do through two optional hooks: ``progress`` is called with the stage
under way ("reading the event log", "reading survey.csv", "measuring", and the stages of
:func:`~journeymap.events.read.read_events`), ``say`` with each line of the read reports
(rows read, used and rejected; the columns found by name).
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from journeymap.events.logs import ReadOptions

if TYPE_CHECKING:
    import pyarrow as pa

    from journeymap.events.read import EventLog
    from journeymap.model import JourneyMap
    from journeymap.model.measurement import Measurement
    from journeymap.voice.read import Feedback

__all__ = ["EvidenceFiles", "FileMeasurement", "check_files", "measure_files"]

#: a hook called with a line of text (a stage under way, a line of a read report)
Say = Callable[[str], None]


def _quiet(_line: str) -> None:
    """The default hook: say nothing."""


@dataclass(frozen=True)
class EvidenceFiles:
    """The evidence of a measurement as files, and how to read them. ``log``: the columns
    and times of the event log (found by name when not given; its ``customer`` and
    ``strict`` also apply to the feedback files); ``score``, ``text``, ``date``,
    ``touchpoint``: the columns of the feedback files. ``where``, ``since``, ``until``: the
    events to keep (:func:`journeymap.events.subset.subset`; the columns the conditions
    name are carried into the log); ``by``: a column of the event log whose segments are
    measured too."""

    events: str | Path | None = None
    feedback: Sequence[str | Path] = ()
    log: ReadOptions = field(default_factory=ReadOptions)
    score: str | None = None
    text: str | None = None
    date: str | None = None
    touchpoint: str | None = None
    where: Sequence[str] = ()
    since: str | None = None
    until: str | None = None
    by: str | None = None
    #: a folder to keep the read and ordered event log in (``--cache``; DuckDB)
    cache: Path | None = None

    def columns_to_keep(self, m: JourneyMap) -> list[str]:
        """The event-log columns to carry: those the map's ``where:`` conditions, the
        filters and ``by`` name, beyond the log's own."""
        from journeymap.engine.conditions import parse_conditions
        from journeymap.events.read import CANONICAL
        from journeymap.measuring.pipeline import columns_to_keep

        named = [c.column for c in parse_conditions(self.where)] + ([self.by] if self.by else [])
        return sorted(
            {*self.log.keep, *columns_to_keep(m), *(c for c in named if c not in CANONICAL)}
        )


@dataclass(frozen=True)
class FileMeasurement:
    """A measurement made from files: the result, the earlier measurement it was compared
    with (None: none) and where it was saved (None: not saved)."""

    result: Measurement
    previous: Measurement | None
    saved: Path | None


@contextlib.contextmanager
def _event_log(
    m: JourneyMap, files: EvidenceFiles, progress: Say, say: Say
) -> Iterator[EventLog | None]:
    """The event log read on an engine of its own (None without one); the engine is
    closed afterwards."""
    if files.events is None:
        yield None
        return
    from journeymap.engine import Engine, EngineConfig
    from journeymap.events.logs import read_logs
    from journeymap.events.subset import subset

    engine = Engine.connect(EngineConfig())
    try:
        progress("reading the event log")
        options = dataclasses.replace(files.log, keep=tuple(files.columns_to_keep(m)))
        log, note = read_logs(
            [str(files.events)], engine=engine, options=options, cache=files.cache,
            progress=progress,
        )  # fmt: skip
        for line in [*log.report.lines(), *([note] if note else [])]:
            say(line)
        log = subset(log, where=files.where, since=files.since, until=files.until)
        if log.subset is not None:
            for line in log.subset.lines():
                say(line)
        yield log
    finally:
        engine.close()


def _feedback(files: EvidenceFiles, progress: Say, say: Say) -> list[Feedback]:
    from journeymap.voice.read import read_feedback

    out = []
    for path in files.feedback:
        progress(f"reading {Path(path).name}")
        fb = read_feedback(
            path, customer=files.log.customer, score=files.score, text=files.text,
            date=files.date, touchpoint=files.touchpoint, strict=files.log.strict,
        )  # fmt: skip
        for line in fb.lines():
            say(line)
        out.append(fb)
    return out


def check_files(
    m: JourneyMap,
    files: EvidenceFiles,
    *,
    progress: Say | None = None,
    say: Say | None = None,
) -> pa.Table:
    """What did not link cleanly between the map and the event log of ``files``, one row
    per finding (:func:`~journeymap.measuring.behaviour.check_links`). Raises
    :class:`UsageError` without an event log."""
    from journeymap.errors import UsageError
    from journeymap.measuring.behaviour import check_links

    with _event_log(m, files, progress or _quiet, say or _quiet) as log:
        if log is None:
            raise UsageError("checking the links between map and data needs an event log")
        return check_links(log, m)


def measure_files(
    m: JourneyMap,
    files: EvidenceFiles,
    *,
    beside: str | Path | None = None,
    weights: Mapping[str, float] | None = None,
    min_n: int | None = None,
    value_per_conversion: float | None = None,
    progress: Say | None = None,
    say: Say | None = None,
) -> FileMeasurement:
    """Measure ``m`` with the evidence of ``files`` (the module docstring says how).

    ``beside``: the map's file; the measurement is then compared with the last one saved in
    its measurements folder (:func:`~journeymap.measuring.pipeline.measurements_dir`) and
    saved there. Without it nothing is compared or saved. ``weights``, ``min_n`` and
    ``value_per_conversion`` as for :func:`~journeymap.measuring.pipeline.measure`."""
    from journeymap.measuring import pipeline

    progress = progress or _quiet
    say = say or _quiet
    folder = pipeline.measurements_dir(beside) if beside is not None else None
    with _event_log(m, files, progress, say) as log:
        feedback = _feedback(files, progress, say)
        before = pipeline.previous_measurement(folder) if folder is not None else None
        previous = pipeline.load_measurement(before) if before is not None else None
        progress("measuring")
        result = pipeline.measure(
            m, events=log, feedback=feedback, previous=previous, weights=weights, min_n=min_n,
            value_per_conversion=value_per_conversion, by=files.by,
        )  # fmt: skip
    saved = pipeline.save_measurement(result, folder) if folder is not None else None
    return FileMeasurement(result, previous, saved)
