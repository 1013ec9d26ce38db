"""Some rows of feedback: those that meet conditions written as people write them.

``where(fb, ["stage=Renewal|Support", "nps<=8", "date>=2018-01-01"])`` keeps the rows that
meet every condition (what ``journeymap feedback ... --where COND`` does):

==============  ==================================================================
condition       keeps the rows whose column ...
==============  ==================================================================
``COL=V``       holds V, compared as text; ``COL=V|W``: any of them
``COL!=V``      holds none of them (an empty value is kept: it is not V)
``COL<N``       is below N, a number; ``<=``, ``>``, ``>=`` likewise; for a date
                column N is an ISO date (``date>=2018-01-01``)
==============  ==================================================================

A row whose column is empty fails ``=``, ``<``, ``<=``, ``>`` and ``>=``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from journeymap.errors import UsageError

if TYPE_CHECKING:
    import pyarrow as pa

    from journeymap.voice.read import Feedback

__all__ = ["where"]

_CONDITION = re.compile(r"^\s*([^<>!=]+?)\s*(<=|>=|!=|=|<|>)\s*(.*?)\s*$")


def where(feedback: Feedback, conditions: Sequence[str]) -> Feedback:
    """The rows that meet every condition (module docstring). Raises :class:`UsageError`
    for a condition it cannot read, a column the feedback lacks, or when no row is left."""
    import pyarrow as pa
    import pyarrow.compute as pc

    table = feedback.table
    for cond in conditions:
        match = _CONDITION.match(cond)
        if match is None or not match[3]:
            raise UsageError(f"--where {cond!r}: expected COL=VALUE, COL!=VALUE or COL<=NUMBER")
        col, op, value = match[1], match[2], match[3]
        if col not in table.column_names:
            raise UsageError(
                f"--where {cond!r}: no column {col!r}; the columns are: "
                + ", ".join(c for c in table.column_names if not c.startswith("__jm_"))
            )
        column = table.column(col)
        if op in ("=", "!="):
            values = pa.array([v.strip() for v in value.split("|")], pa.string())
            mask = pc.is_in(column.cast(pa.string()), value_set=values)
            mask = pc.invert(mask) if op == "!=" else mask
        else:
            ops = {"<": pc.less, "<=": pc.less_equal, ">": pc.greater, ">=": pc.greater_equal}
            mask = ops[op](column, _comparable(cond, column.type, value))
        table = table.filter(pc.fill_null(mask, False))
    if conditions and table.num_rows == 0:
        raise UsageError(f"{feedback.source}: no row meets {' and '.join(conditions)}")
    return dataclasses.replace(feedback, table=table)


def _comparable(cond: str, typ: pa.DataType, value: str) -> object:
    """The value of a ``<``/``>`` condition: a number, or a date for a date column."""
    import pyarrow as pa

    try:
        if pa.types.is_timestamp(typ):
            return pa.scalar(datetime.fromisoformat(value).replace(tzinfo=None), typ)
        if pa.types.is_integer(typ) or pa.types.is_floating(typ):
            return float(value)
    except ValueError:
        raise UsageError(f"--where {cond!r}: cannot read {value!r} as a number or date") from None
    raise UsageError(f"--where {cond!r}: <, <=, > and >= compare numbers and dates, not {typ}")
