"""Shared fixtures: the real datasets and seed articles beside the project root, a small
survey export, and the one Spark session of the test run."""

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


#: a small survey export: NPS, a stage, a verbatim with a line break, two ratings, an outcome
SURVEY = """\
respondent_id,date,nps,stage,comment,seat,staff,recommended
a,2024-01-03,10,Onboarding,"lovely,
really",4,5,yes
b,2024-01-15,9,Onboarding,fine,5,4,yes
c,2024-01-20,3,Renewal,slow,2,1,no
d,2024-03-02,8,Renewal,ok,3,4,yes
e,2024-03-09,10,Renewal,great,5,5,yes
f,2024-03-09,,Support,only text,1,2,no
g,2024-03-10,2,Support,bad,1,2,no
h,2024-03-11,7,Support,meh,3,3,no
"""


@pytest.fixture
def survey(tmp_path: Path) -> Path:
    """:data:`SURVEY` written to ``survey.csv`` in the test's folder."""
    path = tmp_path / "survey.csv"
    path.write_text(SURVEY)
    return path


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
