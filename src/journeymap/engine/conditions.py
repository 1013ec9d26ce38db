"""Conditions on a column, written as people write them: parsed once, applied by each reader.

``parse_condition("plan=pro|team")`` gives a typed :class:`Condition`; the event logs apply it
to their table as an Ibis expression (:mod:`journeymap.events.subset`), feedback to its rows.
Pure: nothing here reads data or talks to an engine.

==============  ==================================================================
condition       holds for the rows whose column ...
==============  ==================================================================
``COL=V``       holds V, compared as text; ``COL=V|W``: any of them
``COL!=V``      holds none of them (an empty value holds: it is not V)
``COL<N``       is below N; ``<=``, ``>``, ``>=`` likewise. N is a number (``nps<=6``,
                ``amount>=99.5``) or an ISO date or time (``date>=2018-01-01``,
                ``ts<2024-03-01T12:00:00+01:00``)
==============  ==================================================================

An empty value fails ``=``, ``<``, ``<=``, ``>`` and ``>=``. Around the operator and around
each value, spaces are ignored; the column is everything before the operator, so it may hold
``:`` or spaces (``case:channel=Internet``) but not ``<``, ``>``, ``!`` or ``=``; the value
is everything after it (it may hold ``=``).

Dates and times: a date is its midnight; a time with an offset is converted to UTC, one
without is taken as UTC (as event times are read). :func:`parse_instant` reads the bounds of
a date window (``--since``/``--until``) the same way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Literal, cast

from journeymap.errors import UsageError

__all__ = [
    "COMPARISONS",
    "Condition",
    "Op",
    "parse_condition",
    "parse_conditions",
    "parse_instant",
]

Op = Literal["=", "!=", "<", "<=", ">", ">="]
#: the operators that compare a number or a time
COMPARISONS: tuple[Op, ...] = ("<", "<=", ">", ">=")

_CONDITION = re.compile(r"^\s*([^<>!=]+?)\s*(<=|>=|!=|=|<|>)\s*(.*?)\s*$", re.DOTALL)
_EXPECTED = "expected COL=VALUE, COL=V|W, COL!=VALUE, or COL<N, <=, >, >= with a number or a date"


@dataclass(frozen=True)
class Condition:
    """One condition on one column.

    For ``=`` and ``!=``, ``values`` are the alternatives (text, trimmed). For ``<``, ``<=``,
    ``>``, ``>=``, ``values`` holds the bound as written, ``number`` its reading as a number
    and ``instant`` its reading as a date or time (naive UTC); at least one of them is set,
    and the column's type decides which one is compared. ``text`` is the condition as given.
    """

    column: str
    op: Op
    values: tuple[str, ...]
    number: float | None = None
    instant: datetime | None = None
    text: str = ""

    @property
    def compares(self) -> bool:
        """Whether it is ``<``, ``<=``, ``>`` or ``>=`` (else ``=`` or ``!=``)."""
        return self.op in COMPARISONS

    def __str__(self) -> str:
        return self.text or f"{self.column}{self.op}{'|'.join(self.values)}"


def parse_condition(text: str, *, option: str = "--where") -> Condition:
    """``"nps<=6"`` -> ``Condition("nps", "<=", ("6",), number=6.0, ...)``. Raises
    :class:`UsageError` (naming ``option`` and the condition) for text that is not a
    condition, and for a bound of ``<``/``>`` that is neither a number nor a date."""
    match = _CONDITION.match(text)
    if match is None or not match[3].strip():
        raise UsageError(f"{option} {text!r}: {_EXPECTED}")
    column, op, value = match[1].strip(), match[2], match[3]
    if op in ("=", "!="):
        values = tuple(dict.fromkeys(v.strip() for v in value.split("|") if v.strip()))
        if not values:
            raise UsageError(f"{option} {text!r}: {_EXPECTED}")
        return Condition(column, cast(Op, op), values, text=text.strip())
    number = _number(value)
    instant = None if number is not None else _instant(value)
    if number is None and instant is None:
        raise UsageError(
            f"{option} {text!r}: cannot read {value!r} as a number or a date; "
            f"{op} compares numbers (e.g. 6, 99.5) or dates (e.g. 2024-01-31, "
            "2024-01-31T12:00:00+01:00)"
        )
    if number is not None and _YEAR.match(value):  # 2024: a number, or the year's start
        instant = datetime(int(value), 1, 1)
    return Condition(
        column, cast(Op, op), (value.strip(),), number=number, instant=instant, text=text.strip()
    )


def parse_conditions(texts: Sequence[str], *, option: str = "--where") -> tuple[Condition, ...]:
    """Each text parsed (:func:`parse_condition`); all must hold."""
    return tuple(parse_condition(t, option=option) for t in texts)


def parse_instant(text: str | date | datetime, *, option: str) -> datetime:
    """A date or time as naive UTC: ``"2024-01-31"`` -> midnight UTC of that day; an offset
    is converted to UTC; a ``date`` is its midnight, an aware ``datetime`` its UTC time.
    Raises :class:`UsageError` naming ``option`` for text that is not an ISO date."""
    if isinstance(text, datetime):
        return _utc(text)
    if isinstance(text, date):
        return datetime(text.year, text.month, text.day)
    found = _instant(text)
    if found is None:
        raise UsageError(
            f"{option}: cannot read {text!r} as a date; expected an ISO date or time, e.g. "
            "2024-01-31 or 2024-01-31T12:00:00+01:00 (UTC unless an offset is given)"
        )
    return found


_YEAR = re.compile(r"^\s*(1[89]|2[01])\d\d\s*$")
_NUMBER = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$")


def _number(value: str) -> float | None:
    return float(value) if _NUMBER.match(value) else None


def _utc(value: datetime) -> datetime:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def _instant(value: str) -> datetime | None:
    """An ISO 8601 date or time as naive UTC, or ``None``."""
    text = value.strip()
    if not re.match(r"^\d{4}-\d\d-\d\d", text):
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return _utc(parsed)
