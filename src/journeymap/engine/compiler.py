"""Fixes to Ibis' SQL compilers that keep results exact and the same on every engine.

:func:`fix_compiler` gives one backend instance a compiler subclass with these methods;
nothing global changes:

* ``a // b`` on integers is exact. Ibis compiles floor division as ``FLOOR(a / b)``; on both
  DuckDB and Spark ``/`` of two integers is a double, so above 2**53 (epoch nanoseconds) the
  quotient is off by one. Here it is the engine's integer division (truncating), corrected
  for operands of different signs.
* Spark: ``collect(order_by=...)`` (an ordered ``array_agg``, which Spark lacks) becomes
  ``transform(array_sort(collect_list(named_struct(keys..., v))), s -> s.v)``: the same list,
  ordered by the keys (ascending keys only; ties by the value).
* Spark: string literals holding BEL, VT or FF. sqlglot writes them as ``\\a \\v \\f``, which
  Spark reads as the letters ``a v f``: ``strip()`` (``TRIM(' \\t\\n\\r\\v\\f' FROM x)``) then
  ate a leading or trailing ``f`` or ``v`` of every value. Those characters are written as
  ``CHR(n)`` instead, and ``lstrip``/``rstrip`` trim all whitespace, as on DuckDB (Ibis'
  Spark ``ltrim``/``rtrim`` trim spaces only).
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from typing import Any

import sqlglot as sg
import sqlglot.expressions as sge

__all__ = ["fix_compiler"]

#: characters sqlglot writes as escapes that Spark SQL does not read back (BEL, VT, FF)
_SPARK_UNESCAPABLE = ("\x07", "\x0b", "\x0c")


def fix_compiler(backend: Any) -> None:
    """Give this backend instance a compiler with the fixes (see the module docstring)."""
    base = type(backend.compiler)
    if getattr(base, "_journeymap_fixed", False):
        return
    methods: dict[str, Callable[..., Any]] = {"visit_FloorDivide": _floor_divide}
    if getattr(backend, "name", "") == "pyspark":
        methods |= {
            "visit_ArrayCollect": _ordered_collect,
            "visit_NonNullLiteral": _string_literal,
            "visit_Strip": _trim("BOTH"),
            "visit_LStrip": _trim("LEADING"),
            "visit_RStrip": _trim("TRAILING"),
        }
    fixed = type(
        f"JourneyMap{base.__name__}", (base,), {"__slots__": (), "_journeymap_fixed": True}
    )
    for name, method in methods.items():  # after __init_subclass__ made the simple ops
        setattr(fixed, name, method)
    backend.compiler = fixed()


def _base(compiler: Any) -> Any:
    """Ibis' own compiler class, under the fixed one."""
    return type(compiler).__mro__[1]


def _floor_divide(self: Any, op: Any, *, left: Any, right: Any) -> Any:
    """``a // b``: exact on integers (the engine's integer division, made a floor)."""
    if not (op.left.dtype.is_integer() and op.right.dtype.is_integer()):
        return _base(self).visit_FloorDivide(self, op, left=left, right=right)
    left, right = sge.paren(left), sge.paren(right)
    zero = sge.convert(0)
    rem = sge.paren(sge.Mod(this=left, expression=right))
    inexact = sge.and_(
        sge.NEQ(this=rem, expression=zero),
        sge.NEQ(
            this=sge.paren(sge.LT(this=rem, expression=zero)),
            expression=sge.paren(sge.LT(this=right, expression=zero)),
        ),
    )
    quotient = sge.IntDiv(this=left, expression=right)
    floor = sge.Sub(this=quotient, expression=self.if_(inexact, 1, 0))
    return self.cast(floor, op.dtype)


def _ordered_collect(
    self: Any, op: Any, *, arg: Any, where: Any, order_by: Any, include_null: Any, distinct: Any
) -> Any:
    """Spark: ``collect(order_by=...)`` as a sorted list of structs, keys first."""
    if not order_by or distinct or include_null:
        return _base(self).visit_ArrayCollect(
            self, op, arg=arg, where=where, order_by=order_by,
            include_null=include_null, distinct=distinct,
        )  # fmt: skip
    if any(o.args.get("desc") for o in order_by):
        import ibis.common.exceptions as com

        raise com.UnsupportedOperationError(
            "collect(order_by=...) with a descending key is not supported on Spark"
        )
    fields: list[Any] = []
    for i, o in enumerate(order_by):
        fields += [sge.convert(f"k{i}"), o.this]
    item = self.f.named_struct(*fields, sge.convert("v"), arg)
    keep = arg.is_(sge.Null()).not_()
    if where is not None:
        keep = sge.and_(where, keep)
    collected = self.f.array_sort(self.f.collect_list(self.if_(keep, item, sge.Null())))
    pick = sge.Lambda(this=sg.column("v", table="s"), expressions=[sg.to_identifier("s")])
    return self.f.transform(collected, pick)


def _spark_string(value: str) -> Any:
    """A Spark string expression for ``value``, with CHR() for what Spark cannot unescape."""
    if not any(c in _SPARK_UNESCAPABLE for c in value):
        return sge.convert(value)
    parts = re.split(f"([{''.join(_SPARK_UNESCAPABLE)}])", value)
    pieces = [
        sge.Anonymous(this="CHR", expressions=[sge.convert(ord(p))])
        if p in _SPARK_UNESCAPABLE
        else sge.convert(p)
        for p in parts
        if p
    ]
    return pieces[0] if len(pieces) == 1 else sge.Anonymous(this="CONCAT", expressions=pieces)


def _string_literal(self: Any, op: Any, *, value: Any, dtype: Any) -> Any:
    """Spark: a string literal Spark reads back as written."""
    if dtype.is_string() and isinstance(value, str):
        return _spark_string(value)
    return _base(self).visit_NonNullLiteral(self, op, value=value, dtype=dtype)


def _trim(position: str) -> Callable[..., Any]:
    """Spark: ``strip``/``lstrip``/``rstrip`` that trim all whitespace, as on DuckDB."""

    def visit(self: Any, op: Any, *, arg: Any) -> Any:
        chars = _spark_string(string.whitespace)
        return sge.Trim(this=arg, expression=chars, position=position)

    return visit


#: Ibis' package of SQL compilers
COMPILERS = "ibis.backends.sql.compilers"


def load_compilers_lazily() -> None:
    """Put in place of Ibis' package of SQL compilers one that imports each compiler when it
    is first asked for. The package imports the compiler of every database Ibis knows (20,
    each with its sqlglot dialect): 0.3 s of every command's start on a 2-core machine,
    for the one compiler an engine uses (benchmarks/ANALYSIS.md). Its names
    (``DuckDBCompiler``, ``duckdb``, ...) are found as before; does nothing once Ibis'
    package is imported."""
    import importlib
    import importlib.util
    import sys

    if COMPILERS in sys.modules:
        return
    spec = importlib.util.find_spec(COMPILERS)
    if spec is None or spec.submodule_search_locations is None:
        return
    package = importlib.util.module_from_spec(spec)

    def __getattr__(name: str) -> Any:
        compiler = name.endswith("Compiler") and name != "Compiler"
        sub = name.removesuffix("Compiler").lower() if compiler else name
        try:
            module = importlib.import_module(f"{COMPILERS}.{sub}")
        except ModuleNotFoundError as e:
            if e.name != f"{COMPILERS}.{sub}":
                raise
            raise AttributeError(f"module {COMPILERS!r} has no attribute {name!r}") from None
        return getattr(module, name) if compiler else module

    package.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules[COMPILERS] = package
