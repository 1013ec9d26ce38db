"""What the readers of tables share beyond files: how column names are compared, the message
for a column that is not there, and which rejected rows a read report shows.

Event logs (:mod:`journeymap.events.read`) and feedback (:mod:`journeymap.voice.read`) find
the column of each role by its name and report the rows they cannot use the same way.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence

from journeymap._numbers import count
from journeymap.engine.files import Repeated, column_letter

__all__ = [
    "EXAMPLES",
    "ambiguous_role",
    "missing_column",
    "name_key",
    "pick_examples",
    "repeated_column",
    "rows",
]

#: rejected rows shown in a read report
EXAMPLES = 5


def name_key(name: str) -> str:
    """A column name as roles are matched: lower case, letters and digits only
    (``case:concept:name`` ~ ``caseconceptname``, ``reviewerID`` ~ ``reviewerid``)."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def missing_column(label: str, name: str, names: Sequence[str], *, wanted: str) -> str:
    """The message for a column ``name`` that ``label`` does not have (``wanted``: what it
    was asked for, e.g. ``for --customer``), with the closest name and all of them."""
    close = difflib.get_close_matches(name, list(names), n=1) or [
        c for c in names if c.lower() == name.lower()
    ]
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"{label}: no column {name!r} {wanted}{hint} The columns are: " + ", ".join(names)


def repeated_column(where: str, twice: Repeated, *, letters: bool = False) -> str:
    """The message for a header that names two columns alike (``letters``: the columns as a
    spreadsheet names them, A, B, ...)."""
    first, second = twice.first, twice.second
    shown = (column_letter(first), column_letter(second)) if letters else (first, second)
    if twice.first_name == twice.second_name:
        what = f"two columns {twice.first_name!r} (columns {shown[0]} and {shown[1]})"
    else:
        what = (
            f"two columns alike, {twice.first_name!r} (column {shown[0]}) and "
            f"{twice.second_name!r} (column {shown[1]}), which the engine reads as one name"
        )
    return (
        f"{where}: the header names {what}; which one holds the values cannot be told: "
        "rename one (or delete the one not needed)"
    )


def ambiguous_role(label: str, role: str, columns: Sequence[str], flag: str) -> str:
    """The message for a role two columns could play, their names alike but for case,
    spaces or punctuation (``Date`` and ``date``)."""
    both = " and ".join(repr(c) for c in columns[:2])
    return (
        f"{label}: columns {both} could both be the {role} (their names differ only in case, "
        f"spaces or punctuation); say which with {flag} COL, or rename one"
    )


def pick_examples(rejected: Iterable[tuple[int, str]], most: int = EXAMPLES) -> list[int]:
    """Which rejected rows to show, given (position, reason) of some of them: the first of
    each reason, then the earliest others; at most ``most``, in position order."""
    ordered = sorted(set(rejected))
    first: dict[str, int] = {}
    for position, reason in ordered:
        first.setdefault(reason, position)
    picked = sorted(first.values())[:most]
    for position, _ in ordered:
        if len(picked) >= most:
            break
        if position not in picked:
            picked.append(position)
    return sorted(picked)


def rows(n: int) -> str:
    """``1 row``, ``1,234 rows``."""
    return f"{count(n)} row" if n == 1 else f"{count(n)} rows"
