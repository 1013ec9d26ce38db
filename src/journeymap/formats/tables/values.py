"""Reading the value of one imported cell: an emotion, a choice, a yes/no, a number.

Each reader returns the value journeymap stores, or raises
:class:`~journeymap.errors.TableImportError` naming the cell (``file:line``, ``row:column`` or
``Sheet!B5``), the column and what was expected.
"""

from __future__ import annotations

from journeymap.errors import TableImportError
from journeymap.formats.tables.columns import NO, YES, parse_number
from journeymap.formats.tables.readers import Cell
from journeymap.model.emotion import DEFAULT_SCALE, normalise_word

__all__ = ["choice", "emotion", "flag", "lines", "number"]


def emotion(cell: Cell, header: str) -> str:
    """An emotion on the default scale, as written (a word or a level)."""
    if DEFAULT_SCALE.find(cell.text) is None:
        raise TableImportError(
            f"{cell.where}: column {header!r}: {DEFAULT_SCALE.unknown_message(cell.text)}"
        )
    return cell.text


def choice(cell: Cell, header: str, table: dict[str, str], what: str) -> str:
    """The value ``table`` gives for the cell's words (compared by :func:`normalise_word`)."""
    found = table.get(normalise_word(cell.text))
    if found is None:
        accepted = ", ".join(dict.fromkeys(table.values()))
        raise TableImportError(
            f"{cell.where}: column {header!r}: unknown {what} {cell.text!r}; "
            f"expected one of: {accepted}"
        )
    return found


def flag(cell: Cell, header: str) -> bool:
    """``yes``, ``x``, ``true``, ``✓``... or ``no``, ``false``, ``-``..."""
    word = normalise_word(cell.text) or cell.text.strip()
    if word in YES:
        return True
    if word in NO:
        return False
    raise TableImportError(
        f"{cell.where}: column {header!r}: {cell.text!r} is not a yes/no value; "
        "expected yes, no, x, true or false"
    )


def number(cell: Cell, header: str) -> tuple[float, str]:
    """A number and its unit: ``95%`` -> ``(95.0, "%")``, ``1,000`` -> ``(1000.0, "")``."""
    found = parse_number(cell.text)
    if found is None:
        raise TableImportError(
            f"{cell.where}: column {header!r}: {cell.text!r} is not a number; "
            "expected a number such as 95, 95% or 1,000"
        )
    return found


def lines(text: str) -> list[str]:
    """The non-empty lines of a cell, stripped: one item of a list a line."""
    return [line.strip() for line in text.split("\n") if line.strip()]
