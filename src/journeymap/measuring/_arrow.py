"""The Arrow columns of a measurement's tables, read from the model class their rows become
(:class:`~journeymap.model.measurement.FoundPainPoint`, ``FrictionMeasure``): one place says
what a row holds."""

from __future__ import annotations

import types
import typing
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pyarrow as pa
    from pydantic import BaseModel

__all__ = ["arrow_fields"]

_SCALARS = {int: "int64", float: "float64", str: "string", bool: "bool_"}


def arrow_fields(model: type[BaseModel]) -> list[pa.Field]:
    """One Arrow field per field of ``model``, in its order: int, float, bool, str (or a
    Literal of words), a list of one of them; ``None`` allowed."""
    import pyarrow as pa

    return [pa.field(name, _arrow_type(f.annotation)) for name, f in model.model_fields.items()]


def _arrow_type(annotation: Any) -> pa.DataType:
    import pyarrow as pa

    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):  # X | None
        (inner,) = [a for a in args if a is not type(None)]
        return _arrow_type(inner)
    if origin is Literal:
        return pa.string()
    if origin is list:
        return pa.list_(_arrow_type(args[0]))
    return getattr(pa, _SCALARS[annotation])()
