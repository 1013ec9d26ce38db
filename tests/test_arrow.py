"""Arrow columns of Python values built without pandas (``journeymap._arrow``): equal to
``pyarrow.array``'s, nulls included."""

from __future__ import annotations

import subprocess
import sys

import pyarrow as pa
import pytest

from journeymap._arrow import indices, texts


@pytest.mark.parametrize(
    "values",
    [[], ["a"], [None], ["home", None, "", "é\u0301", "🛒 cart", None, "x" * 1000] * 3],
)
def test_texts_equal_pyarrows_strings(values: list[str | None]) -> None:
    got = texts(values)
    got.validate(full=True)
    assert got.equals(pa.array(values, pa.string()))
    assert got.null_count == values.count(None)


@pytest.mark.parametrize("values", [[], [0], [None], [3, None, 0, 2**40, None, 1] * 5])
def test_indices_equal_pyarrows_int64(values: list[int | None]) -> None:
    got = indices(values)
    got.validate(full=True)
    assert got.equals(pa.array(values, pa.int64()))


def test_neither_imports_pandas() -> None:
    probe = (
        "import sys\n"
        "from journeymap._arrow import indices, texts\n"
        "texts(['a', None]); indices([1, None])\n"
        "print('pandas' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr
