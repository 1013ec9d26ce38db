"""Arrow columns of Python text, built without pandas.

``pyarrow.array`` (and ``pyarrow.table`` of Python lists) asks whether pandas is installed
before it converts anything, and so imports it: 0.3 s at the start of a command that only
shows a small table. :func:`texts` builds the same string column from its buffers, and
:func:`indices` the positions that ``pyarrow.compute.take`` picks other columns' values by.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pyarrow as pa

__all__ = ["indices", "texts"]

#: the most bytes a ``string`` column's 32-bit offsets can address
_MAX_BYTES = 2**31 - 1


def texts(values: Sequence[str | None]) -> pa.StringArray:
    """``pa.array(values, pa.string())``: ``None`` is a null."""
    from array import array

    import pyarrow as pa

    offsets = array("i", [0])
    data = bytearray()
    valid = bytearray((len(values) + 7) // 8)
    nulls = 0
    for i, value in enumerate(values):
        if value is None:
            nulls += 1
        else:
            data += value.encode("utf-8")
            if len(data) > _MAX_BYTES:
                raise ValueError("more text than one Arrow string column holds (2 GiB)")
            valid[i >> 3] |= 1 << (i & 7)
        offsets.append(len(data))
    bitmap = pa.py_buffer(bytes(valid)) if nulls else None
    return pa.StringArray.from_buffers(
        len(values), pa.py_buffer(offsets), pa.py_buffer(bytes(data)), bitmap, nulls
    )


def indices(values: Sequence[int | None]) -> pa.Int64Array:
    """``pa.array(values, pa.int64())``: ``None`` is a null (``take`` gives a null there)."""
    from array import array

    import pyarrow as pa

    data = array("q", (0 if v is None else v for v in values))
    valid = bytearray((len(values) + 7) // 8)
    nulls = 0
    for i, value in enumerate(values):
        if value is None:
            nulls += 1
        else:
            valid[i >> 3] |= 1 << (i & 7)
    bitmap = pa.py_buffer(bytes(valid)) if nulls else None
    found: pa.Int64Array = pa.Array.from_buffers(
        pa.int64(), len(values), [bitmap, pa.py_buffer(data)], nulls
    )
    return found
