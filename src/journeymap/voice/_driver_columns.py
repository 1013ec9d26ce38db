"""Key drivers' columns: a column as numbers (the outcome coding), and which columns are the
drivers when none are named, with the reason for every column left out.

Private to :mod:`journeymap.voice.drivers`, whose docstring states the rules.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from journeymap.errors import UsageError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa

    from journeymap.voice.read import FeedbackRoles

    Floats = npt.NDArray[np.float64]

__all__ = [
    "RATING_TOP",
    "ROW",
    "Coded",
    "DefaultDrivers",
    "coded",
    "column",
    "default_drivers",
    "id_like",
]

ROW = "__jm_row"
_YES = frozenset(
    {"yes", "y", "true", "t", "recommended", "would recommend", "retained", "renewed",
     "promoter", "positive", "pass", "passed", "satisfied", "success"}
)  # fmt: skip
_NO = frozenset(
    {"no", "n", "false", "f", "not recommended", "would not recommend", "churned", "lost",
     "detractor", "negative", "fail", "failed", "dissatisfied", "unsatisfied", "failure"}
)  # fmt: skip
_NPS = {"promoter": 1.0, "promoters": 1.0, "passive": 0.0, "passives": 0.0, "detractor": -1.0}
_NPS["detractors"] = -1.0
#: written for "no value" in exports: empty, not text that is not a number
_EMPTY = frozenset({"", "na", "n/a", "nan", "null", "none", "-"})
_ID_WORDS = frozenset({"id", "ids", "uuid", "guid", "key"})
#: the highest point of a rating scale taken by default (1-5, 0-10, 1-10 stars, halves too)
RATING_TOP = 10.0
_ROLES = ("score", "text", "date", "customer", "touchpoint", "stage", "segment", "outcome")
_YES_NO = "yes/no, not a rating: name it in --drivers to use it"


@dataclass(frozen=True)
class Coded:
    """A column as float64 (NaN: missing), how it was coded, and the values that are
    neither numbers nor empty in a column of mostly numbers (read as missing)."""

    values: Floats
    coding: str
    not_numbers: int = 0
    examples: tuple[str, ...] = ()


def column(table: pa.Table, name: str, what: str) -> pa.ChunkedArray:
    if name not in table.column_names:
        close = difflib.get_close_matches(name, table.column_names, n=3)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise UsageError(f'{what}: no column "{name}" in the data{hint}')
    return table.column(name)


def _strings(col: pa.ChunkedArray) -> list[str | None]:
    """Trimmed, lower-case text; None for missing and for the empty markers (n/a, -, ...)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_dictionary(col.type):
        col = col.cast(col.type.value_type)
    values: list[str | None] = pc.utf8_trim_whitespace(col.cast(pa.string())).to_pylist()
    return [v.lower() if v and v.lower() not in _EMPTY else None for v in values]


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _mostly_numbers(values: list[str | None], bad: list[str]) -> bool:
    """Numbers with a few other values, or with one word written for "not rated" ("n",
    "not rated") however often: at least 3 numbers either way."""
    numbers = sum(v is not None for v in values) - len(bad)
    return numbers >= 3 and (len(bad) < numbers or len(set(bad)) == 1)


def _from_text(values: list[str | None], name: str, what: str, *, nps: bool) -> Coded:
    """Numbers in text (a few values that are not numbers among them read as missing and
    counted), NPS categories -> +1/0/-1, two-level yes/no text -> 1/0."""
    import numpy as np

    parsed = {v: _float(v) for v in set(values) if v is not None}
    bad = [v for v in values if v is not None and parsed[v] is None]
    if _mostly_numbers(values, bad):
        x = np.array([np.nan if v is None or parsed[v] is None else parsed[v] for v in values])
        examples = tuple(dict.fromkeys(bad))[:3]
        return Coded(x.astype(np.float64), "numbers", len(bad), examples)
    levels = sorted(parsed)
    if nps and len(levels) >= 2 and set(levels) <= _NPS.keys():
        x = np.array([np.nan if v is None else _NPS[v] for v in values], dtype=np.float64)
        return Coded(x, "NPS categories: promoter +1, passive 0, detractor -1")
    shown = ", ".join(repr(v) for v in levels[:6]) + (", ..." if len(levels) > 6 else "")
    if len(levels) > 2:
        raise UsageError(
            f'{what} "{name}" has {len(levels)} categories ({shown}); key drivers need a '
            "number (an overall rating, NPS 0-10), a yes/no value or NPS categories "
            "(promoter/passive/detractor)"
        )
    yes = [v for v in levels if v in _YES]
    no = [v for v in levels if v in _NO]
    if (len(levels) == 2 and len(yes) == 1 and len(no) == 1) or (len(levels) == 1 and yes + no):
        x = np.array([np.nan if v is None else float(v in _YES) for v in values])
        said = f"{yes[0]!r} = 1" if yes else f"{no[0]!r} = 0"
        return Coded(x.astype(np.float64), f"yes/no as 1/0 ({said})")
    raise UsageError(
        f'{what} "{name}": cannot tell which of {shown} is the "yes" value; code it as 1/0 '
        "or true/false"
    )


def _is_text(t: pa.DataType) -> bool:
    import pyarrow as pa

    return bool(
        pa.types.is_string(t)
        or pa.types.is_large_string(t)
        or (pa.types.is_dictionary(t) and pa.types.is_string(t.value_type))
    )


def coded(table: pa.Table, name: str, what: str, *, nps: bool = False) -> Coded:
    """A column as numbers: numbers as they are, true/false and yes/no text as 1/0, NPS
    categories (with ``nps``) as +1/0/-1; see :mod:`journeymap.voice.drivers`."""
    import numpy as np
    import pyarrow as pa

    col = column(table, name, what)
    t = col.type
    if pa.types.is_boolean(t):
        x = col.cast(pa.float64()).to_numpy(zero_copy_only=False).astype(np.float64)
        return Coded(x, "true/false as 1/0")
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        x = col.cast(pa.float64()).to_numpy(zero_copy_only=False).astype(np.float64)
        return Coded(x, "numbers")
    if pa.types.is_null(t):
        return Coded(np.full(len(col), np.nan), "numbers")
    if _is_text(t):
        return _from_text(_strings(col), name, what, nps=nps)
    raise UsageError(f'{what} "{name}" is {t}, not a number, a rating or a yes/no value')


def id_like(name: str) -> bool:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    words = re.split(r"[^A-Za-z0-9]+", spaced)
    return any(w.lower() in _ID_WORDS for w in words) or name.endswith("ID")


def _range(lo: float, hi: float) -> str:
    return f"{lo:g}" if lo == hi else f"{lo:g} to {hi:g}"


def _why_not(
    table: pa.Table, name: str, role: str | None, outcome_range: tuple[float, float] | None
) -> str | None:
    """Why a column is not a default driver; None when it is one (a rating)."""
    import numpy as np
    import pyarrow as pa

    t = table.schema.field(name).type
    if role == "score":
        return "the score, another outcome: name it in --drivers to use it"
    if role is not None:
        return f"the {role} column"
    if id_like(name):
        return "an id"
    if pa.types.is_boolean(t):
        return _YES_NO
    numeric = pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)
    if not (numeric or _is_text(t) or pa.types.is_null(t)):
        return f"{t}, not numbers"
    if _is_text(t):
        values = _strings(table.column(name))
        if not _mostly_numbers(values, [v for v in values if v is not None and _float(v) is None]):
            levels = {v for v in values if v is not None}
            if levels and len(levels) <= 2 and levels <= _YES | _NO:
                return _YES_NO
            return "text, not numbers" if levels else "empty"
    x = coded(table, name, "driver").values
    x = x[~np.isnan(x)]
    if not x.size:
        return "empty"
    lo, hi = float(x.min()), float(x.max())
    if set(np.unique(x).tolist()) <= {0.0, 1.0}:
        return _YES_NO
    if lo >= 0 and hi <= RATING_TOP and bool(np.all(x * 2 == np.round(x * 2))):
        return None
    if outcome_range is not None and outcome_range[0] <= lo and hi <= outcome_range[1]:
        return None
    where = f"values {_range(lo, hi)}"
    scale = f"not a rating of up to {RATING_TOP:g} points (whole or half)"
    if outcome_range is not None:
        scale += f" nor on the outcome's {_range(*outcome_range)}"
    return f"{where}: {scale}"


@dataclass(frozen=True)
class DefaultDrivers:
    """The drivers chosen when none are named, where they come from, and every other
    column (but the outcome) with the reason it was left out."""

    names: list[str]
    source: str
    left_out: dict[str, str]


def default_drivers(
    table: pa.Table, outcome: str, y: Floats, roles: FeedbackRoles | None
) -> DefaultDrivers:
    """The rating columns (every column of whole or half numbers within 0-10, or within the
    outcome's range, that plays no role and is not an id), else the yes/no columns (0/1,
    true/false, yes/no text); the ``ratings`` role when set. See
    :mod:`journeymap.voice.drivers`."""
    import numpy as np

    role_of: dict[str, str] = {}
    if roles is not None:
        for role in _ROLES:
            col = getattr(roles, role)
            if col:
                role_of.setdefault(col, role)
    present = np.unique(y[~np.isnan(y)])
    outcome_range = (float(present[0]), float(present[-1])) if present.size > 2 else None
    used: list[str] = []
    left: dict[str, str] = {}
    for name in table.column_names:
        if name in (outcome, ROW):
            continue
        why = _why_not(table, name, role_of.get(name), outcome_range)
        if why is None:
            used.append(name)
        else:
            left[name] = why
    if roles is not None and roles.ratings:
        chosen = [c for c in roles.ratings if c != outcome]
        for name in used:
            if name not in chosen:
                left[name] = "not among the ratings (--ratings)"
        return DefaultDrivers(chosen, "the ratings (--ratings)", {
            k: v for k, v in left.items() if k not in chosen
        })  # fmt: skip
    if used:
        return DefaultDrivers(used, "the rating columns", left)
    flags = [name for name, why in left.items() if why == _YES_NO]
    left = {k: v for k, v in left.items() if k not in flags}
    return DefaultDrivers(flags, "the yes/no columns (there is no rating column)", left)
