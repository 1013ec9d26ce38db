"""What the backends raise while matching events: a pattern the engine cannot run is named
with its touchpoint; every other error goes on as it is."""

from __future__ import annotations

from typing import Any, cast

import pytest

import journeymap as jm
from journeymap.engine import Engine
from journeymap.errors import UsageError
from journeymap.measuring.matching import regex_errors, rules_of

MAP = (
    "title: T\nstages:\n  - name: S\n    touchpoints:\n      - name: Look\n"
    '        events: ["/(?<=a)b/"]\n'
)


class _BackendError(Exception):
    """The error type of the fake backend."""


class _Engine:
    """An engine whose backend raises ``_BackendError`` and rejects the patterns given."""

    kind = "duckdb"
    errors = (_BackendError,)

    def __init__(self, bad: tuple[str, ...] = ()) -> None:
        self.bad = bad
        self.runs = 0

    def run(self, expr: Any) -> None:
        self.runs += 1
        if any(p in repr(expr) for p in self.bad):
            raise _BackendError("invalid perl operator: (?<")


def _rules() -> Any:
    return rules_of(jm.loads(MAP))


def test_a_pattern_the_backend_rejects_is_named() -> None:
    engine = _Engine(bad=("(?<=a)b",))
    with (
        pytest.raises(UsageError, match=r"touchpoint 'look'.*'/\(\?<=a\)b/'.*invalid perl") as e,
        regex_errors(cast(Engine, engine), _rules()),
    ):
        raise _BackendError("the query failed")
    assert isinstance(e.value.__cause__, _BackendError)


def test_a_backend_error_no_pattern_explains_goes_on() -> None:
    engine = _Engine()
    error = _BackendError("out of memory")
    with pytest.raises(_BackendError) as e, regex_errors(cast(Engine, engine), _rules()):
        raise error
    assert e.value is error
    assert engine.runs == 1  # the pattern was tried, and ran


def test_other_errors_are_not_looked_into() -> None:
    engine = _Engine(bad=("(?<=a)b",))
    error = KeyError("a bug, not the backend")
    with pytest.raises(KeyError) as e, regex_errors(cast(Engine, engine), _rules()):
        raise error
    assert e.value is error
    assert engine.runs == 0
    with pytest.raises(UsageError, match="mine"), regex_errors(cast(Engine, engine), _rules()):
        raise UsageError("mine")
    assert engine.runs == 0
