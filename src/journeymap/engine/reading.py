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

__all__ = ["EXAMPLES", "missing_column", "name_key", "pick_examples", "rows"]

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
