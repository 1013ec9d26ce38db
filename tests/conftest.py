"""Shared fixtures: the real datasets and seed articles beside the project root, and the one
Spark session of the test run."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from journeymap.engine import Engine

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def _shared(sub: str) -> Path:
    path = SHARED / sub
    if not path.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing; CI must have ../shared beside the project")
        pytest.skip(f"{path} is absent (the real datasets live beside the project root)")
    return path


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``: real public datasets (skipped on a user's machine, required in CI)."""
    return _shared("data")


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """``../shared/seeds``: the articles the product was conceived from."""
    return _shared("seeds")


#: the Spark settings of the tests: small data, so few shuffle partitions and no code
#: generation (compiling each query's Java code costs more than running it), and small file
#: splits, so that a Parquet log of a few hundred kB is read by several tasks and input order
#: is really put to the test
SPARK_TEST_CONF = {
    "spark.sql.shuffle.partitions": "2",
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
    "spark.sql.files.maxPartitionBytes": "65536",
    "spark.sql.files.openCostInBytes": "0",
}


def need_spark() -> None:
    """Skip (fail in CI) when Spark cannot run here."""
    problem = None
    try:
        import pyspark  # noqa: F401
    except ImportError:
        problem = "pyspark is not installed (pip install 'journeymap[spark]')"
    if problem is None and not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        problem = "Java is not installed (Spark needs Java 17)"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"CI must test the Spark engine: {problem}")
        pytest.skip(problem)


@pytest.fixture(scope="session")
def spark_engine() -> Iterator[Engine]:
    """ONE local Spark session for the whole test run (it takes ~15 s to start), whichever
    test needs it first. An engine connected later in the run, a CLI command's with
    ``--engine spark`` among them, joins it and leaves it running."""
    from journeymap.engine import Engine, EngineConfig

    need_spark()
    eng = Engine.connect(
        EngineConfig(kind="spark", threads=2, memory_limit="1GB", spark_conf=SPARK_TEST_CONF)
    )
    yield eng
    eng.close()
