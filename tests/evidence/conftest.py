"""Fixtures for the event-log readers: an engine, small files written inline."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from journeymap.analytics.engine import Engine, EngineConfig
from journeymap.evidence.events import EventLog


@pytest.fixture
def engine() -> Iterator[Engine]:
    with Engine.connect(EngineConfig(threads=2)) as eng:
        yield eng


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """Write a small text file into tmp_path (bytes as given, no newline translation)."""

    def _write(name: str, text: str | bytes, *, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
        return path

    return _write


@pytest.fixture
def rows() -> Callable[[EventLog], list[dict[str, Any]]]:
    """The canonical rows of a log, in input order."""

    def _rows(log: EventLog) -> list[dict[str, Any]]:
        return log.engine.run(log.table.order_by("seq")).to_pylist()

    return _rows


@pytest.fixture(scope="session")
def spark_engine() -> Iterator[Engine]:
    """A local Spark engine, one for the session (starting Spark takes ~20 s)."""
    pytest.importorskip("pyspark")
    with Engine.connect(EngineConfig(kind="spark", threads=2)) as eng:
        yield eng
