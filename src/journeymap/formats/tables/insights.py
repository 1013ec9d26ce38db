"""Insight tables (Insight | Kind | Date | Sample Size ...) and the persona table (Field | Value):
the research a map rests on and the customer it follows, one object a row or a field a row.

Neither has notes: a column or field journeymap does not know is reported and not kept.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, get_args

from journeymap.errors import TableImportError
from journeymap.formats.tables import values as values
from journeymap.formats.tables.columns import hnorm
from journeymap.formats.tables.draft import Columns, Draft, MapDraft
from journeymap.formats.tables.readers import Cell, RawTable
from journeymap.model.base import slugify
from journeymap.model.emotion import normalise_word
from journeymap.model.evidence import InsightKind

__all__ = ["is_persona_table", "merge_insight_table", "merge_persona_table"]

# "support-tickets" as the map writes it, "Support tickets" as people do
_INSIGHT_KINDS = {normalise_word(kind): kind for kind in get_args(InsightKind)}


def merge_insight_table(d: MapDraft, columns: Columns, rows: list[list[Cell]]) -> None:
    """Merge the rows of an insight table into the map's insights."""
    for row in rows:
        name = row[columns.roles["insight"]]
        if not name.text:
            d.report.append(f"{name.where}: row without an insight name skipped")
            continue
        ins = d.insight(name.text)
        for j, role, header in columns.items:
            c = row[j]
            if c.text and role != "insight":
                _insight_field(d, ins, role, header, c)


def _insight_field(d: MapDraft, ins: Draft, role: str | None, header: str, c: Cell) -> None:
    if role == "kind":
        ins.data["kind"] = values.choice(c, header, _INSIGHT_KINDS, "kind of insight")
    elif role == "date":
        try:
            d.set(ins, "date", dt.date.fromisoformat(c.text), c, header)
        except ValueError:
            raise TableImportError(
                f"{c.where}: column {header!r}: {c.text!r} is not a date; expected YYYY-MM-DD"
            ) from None
    elif role == "sample_size":
        d.set(ins, "n", int(values.number(c, header)[0]), c, header)
    elif role in ("description", "finding", "link"):
        d.set(ins, role, c.text, c, header)
    else:
        d.report.append(f"{c.where}: column {header!r} not kept (an insight has no notes)")


# the persona's fields by their name in the Field column (compared as headers are)
_PERSONA_FIELDS = {
    "name": "name",
    "description": "description",
    "age": "age",
    "role": "role",
    "segment": "segment",
    "quote": "quote",
    "goals": "goals",
    "needs": "needs",
    "frustrations": "frustrations",
    "datasources": "data_sources",
}
_PERSONA_LISTS = ("goals", "needs", "frustrations", "data_sources")


def is_persona_table(table: RawTable) -> bool:
    """A table of two columns, Field and Value."""
    return [hnorm(h.text) for h in table.headers if h.text] == ["field", "value"]


def merge_persona_table(d: MapDraft, table: RawTable, rows: list[list[Cell]]) -> None:
    """The map's persona from a Field | Value table; one without a Name row is skipped."""
    fields: dict[str, Any] = {}
    for row in rows:
        key, value = row[0], row[1]
        name = _PERSONA_FIELDS.get(hnorm(key.text))
        if name is None:
            d.report.append(f"{key.where}: persona field {key.text!r} not kept (unknown field)")
        elif name == "age":
            fields[name] = int(values.number(value, "Value")[0])
        elif name in _PERSONA_LISTS:
            fields[name] = values.lines(value.text)
        elif value.text:
            fields[name] = value.text
    if "name" not in fields:
        d.report.append(f"{table.where}: persona table without a Name row skipped")
        return
    name = fields.pop("name")
    d.persona = Draft("persona", name, slugify(name), data=fields)
    d.report.append(f"{table.where}: persona {name!r}")
