"""Fixtures for the event-log tests: an engine, small files and logs written inline, and the
real logs, read once."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from journeymap.engine import Engine, EngineConfig
from journeymap.events.read import EventLog, read_events

Rows = Sequence[Sequence[Any]]
MakeLog = Callable[..., EventLog]


@pytest.fixture
def make_log(tmp_path: Path) -> Iterator[MakeLog]:
    """``make_log(rows, columns=("customer", "event", "timestamp"), **read_options)``: the
    rows written to a CSV file (in the given order) and read with ``read_events``."""
    engines: list[Engine] = []

    def make(
        rows: Rows, columns: Sequence[str] = ("customer", "event", "timestamp"), **options: Any
    ) -> EventLog:
        path = tmp_path / f"log{len(engines)}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(columns)
            w.writerows(rows)
        engine = Engine.connect()
        engines.append(engine)
        return read_events(path, engine=engine, **options)

    yield make
    for engine in engines:
        engine.close()


def _read(path: Path, **options: Any) -> Iterator[EventLog]:
    engine = Engine.connect()
    try:
        yield read_events(path, engine=engine, **options)
    finally:
        engine.close()


@pytest.fixture(scope="session")
def receipt_log(shared_data: Path) -> Iterator[EventLog]:
    yield from _read(shared_data / "eventlogs" / "receipt.csv")


@pytest.fixture(scope="session")
def mobile_log(shared_data: Path) -> Iterator[EventLog]:
    yield from _read(shared_data / "eventlogs" / "mobile_app_onboarding.csv")


@pytest.fixture(scope="session")
def cdnow_frame(shared_data: Path) -> Any:
    """CDNOW purchases as a pandas frame: customer_id, date (datetime), event, value."""
    import pandas as pd

    df = pd.read_csv(
        shared_data / "purchases" / "cdnow_master.txt",
        sep=r"\s+",
        header=None,
        names=["customer_id", "date", "number_of_cds", "value"],
        dtype=str,
    )
    df = df[df["customer_id"] != "customer_id"]  # the file starts with a header line
    df["date"] = pd.to_datetime(df["date"], format="%Y%m%d")
    df["event"] = "purchase"
    df["value"] = df["value"].astype(float)
    return df[["customer_id", "date", "event", "value"]].reset_index(drop=True)


@pytest.fixture(scope="session")
def cdnow_log(cdnow_frame: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[EventLog]:
    """CDNOW written as Parquet (customer_id, date, event, value) and read with read_events."""
    path = tmp_path_factory.mktemp("cdnow") / "cdnow.parquet"
    cdnow_frame.to_parquet(path, index=False)
    yield from _read(path)


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
