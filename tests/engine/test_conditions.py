"""Conditions as people write them, parsed once: what each means and the errors."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from journeymap.engine.conditions import (
    Condition,
    parse_condition,
    parse_conditions,
    parse_instant,
)
from journeymap.errors import UsageError


@pytest.mark.parametrize(
    ("text", "column", "op", "values"),
    [
        ("plan=pro", "plan", "=", ("pro",)),
        (" plan = pro | team ", "plan", "=", ("pro", "team")),
        ("case:channel!=Internet", "case:channel", "!=", ("Internet",)),
        ("stage=Renewal|Support", "stage", "=", ("Renewal", "Support")),
        ("url=a=b", "url", "=", ("a=b",)),  # the value is everything after the operator
        ("org resource=Resource 21", "org resource", "=", ("Resource 21",)),
        ("x=a||a", "x", "=", ("a",)),  # empty and repeated alternatives dropped
    ],
)
def test_membership(text: str, column: str, op: str, values: tuple[str, ...]) -> None:
    cond = parse_condition(text)
    assert (cond.column, cond.op, cond.values) == (column, op, values)
    assert not cond.compares
    assert cond.number is None and cond.instant is None
    assert str(cond) == text.strip()


@pytest.mark.parametrize(
    ("text", "op", "number", "instant"),
    [
        ("nps<=6", "<=", 6.0, None),
        ("amount>99.5", ">", 99.5, None),
        ("delta>=-1e3", ">=", -1000.0, None),
        ("date>=2018-01-01", ">=", None, datetime(2018, 1, 1)),
        ("ts<2024-03-01T12:00:00+01:00", "<", None, datetime(2024, 3, 1, 11)),
        ("ts<2024-03-01 12:00:00Z", "<", None, datetime(2024, 3, 1, 12)),
        ("ts>2024-03-01T12:00:00.250", ">", None, datetime(2024, 3, 1, 12, 0, 0, 250000)),
        # a year reads both ways: the column's type (or values) decides
        ("date<2019", "<", 2019.0, datetime(2019, 1, 1)),
    ],
)
def test_comparisons(text: str, op: str, number: float | None, instant: datetime | None) -> None:
    cond = parse_condition(text)
    assert cond.op == op and cond.compares
    assert (cond.number, cond.instant) == (number, instant)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plan", "expected COL=VALUE"),
        ("plan=", "expected COL=VALUE"),
        ("plan=|", "expected COL=VALUE"),
        ("=pro", "expected COL=VALUE"),
        ("nps<=six", "cannot read 'six' as a number or a date"),
        ("date>=31/01/2024", "cannot read '31/01/2024' as a number or a date"),
        ("date>=2024-02-30", "cannot read '2024-02-30' as a number or a date"),
    ],
)
def test_errors_say_what_is_expected(text: str, expected: str) -> None:
    with pytest.raises(UsageError, match=expected) as info:
        parse_condition(text, option="--where")
    assert str(info.value).startswith(f"--where {text!r}: ")


def test_several_and_the_option_named() -> None:
    got = parse_conditions(["a=1", "b<2"])
    assert [c.column for c in got] == ["a", "b"]
    assert isinstance(got[0], Condition)
    with pytest.raises(UsageError, match=r"^--filter 'b<'"):
        parse_conditions(["a=1", "b<"], option="--filter")


def test_instants_are_naive_utc() -> None:
    assert parse_instant("2024-01-31", option="--since") == datetime(2024, 1, 31)
    assert parse_instant("2024-01-31T02:00:00+02:00", option="--since") == datetime(2024, 1, 31)
    assert parse_instant(date(2024, 1, 31), option="--since") == datetime(2024, 1, 31)
    assert parse_instant(datetime(2024, 1, 31, 5), option="--since") == datetime(2024, 1, 31, 5)
    with pytest.raises(UsageError, match=r"^--until: cannot read 'next week' as a date"):
        parse_instant("next week", option="--until")
