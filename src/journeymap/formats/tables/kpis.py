"""KPI tables: a row per KPI (KPI | Value | Target | Period ...), or a row per period of
customer counts with a retention or churn rate, as the seed articles write them.

A row makes a KPI from its KPI column, one from each rate column (Retention Rate (%), Churn
Rate), or, when it has neither, a retention rate computed from its customer counts. Numeric
columns journeymap does not know are kept as the KPI's inputs; other unknown columns are
reported and dropped (a KPI has no notes). A retention rate that disagrees with its own
customer counts is kept as written and reported.
"""

from __future__ import annotations

import re

from journeymap._numbers import number
from journeymap.formats.tables import values as values
from journeymap.formats.tables.columns import kpi_kind, parse_number
from journeymap.formats.tables.draft import Columns, Draft, MapDraft
from journeymap.formats.tables.readers import Cell
from journeymap.model.base import slugify
from journeymap.model.kpi import KPIKind

__all__ = ["is_kpi_table", "merge_kpi_table"]

# the columns that are fields of a KPI; any other one is an input (a number) or dropped
_KPI_ROLES = ("kpi", "value", "target", "period", "definition", "stage")
_RATES: tuple[tuple[str, KPIKind], ...] = (("rate:retention", "retention"), ("rate:churn", "churn"))


def is_kpi_table(columns: Columns) -> bool:
    """A KPI column, a rate column, or the customer counts a retention rate is computed from."""
    return (
        columns.has("kpi")
        or any(role.startswith("rate:") for role in columns.roles)
        or (columns.has("input:customers_at_start") and columns.has("input:customers_at_end"))
    )


def merge_kpi_table(d: MapDraft, columns: Columns, rows: list[list[Cell]]) -> None:
    """Merge the rows of a KPI table into the map's KPIs."""
    dropped: dict[str, str] = {}  # header of a column not kept -> its first cell
    for row in rows:
        inputs = _inputs(columns, row, dropped)
        period = columns.cell(row, "period")
        made: list[tuple[Draft, Cell]] = []
        if columns.has("kpi"):
            name = columns.cell(row, "kpi")
            if name is None:
                d.report.append(f"{row[0].where}: row without a KPI name skipped")
                continue
            made.append((_named(d, columns, row, name, period), name))
        made += _rates(d, columns, row, period)
        if not made:
            made += _computed_retention(d, columns, row, inputs, period)
        for kpi, cell in made:
            _complete(d, columns, row, kpi, cell, period, inputs)
    for header, where in dropped.items():
        d.report.append(
            f"{where}: column {header!r} is not a KPI field and not a number; not kept "
            "(a KPI has no notes)"
        )


def _inputs(columns: Columns, row: list[Cell], dropped: dict[str, str]) -> dict[str, float]:
    """The row's customer counts, then the numbers of its columns journeymap does not know
    (named after their header); the cells of such columns that are not numbers are dropped."""
    inputs: dict[str, float] = {}
    extra: list[tuple[str, Cell]] = []
    for j, role, header in columns.items:
        c = row[j]
        if not c.text:
            continue
        if role and role.startswith("input:"):
            inputs[role.removeprefix("input:")] = values.number(c, header)[0]
        elif role is None or role not in (*_KPI_ROLES, *(rate for rate, _ in _RATES)):
            extra.append((header, c))
    for header, c in extra:
        found = parse_number(c.text)
        if found is not None and not found[1]:
            inputs[re.sub(r"[^a-z0-9]+", "_", header.lower()).strip("_")] = found[0]
        else:
            dropped.setdefault(header, c.where)
    return inputs


def _named(
    d: MapDraft, columns: Columns, row: list[Cell], name: Cell, period: Cell | None
) -> Draft:
    """The KPI the row's KPI column names, with its value and target (and their unit)."""
    kpi = _kpi(d, name.text, period)
    for role in ("value", "target"):
        c = columns.cell(row, role)
        if c:
            header = columns.header(role)
            number, unit = values.number(c, header)
            d.set(kpi, role, number, c, header)
            if unit:
                d.set(kpi, "unit", unit, c, "unit")
    return kpi


def _rates(
    d: MapDraft, columns: Columns, row: list[Cell], period: Cell | None
) -> list[tuple[Draft, Cell]]:
    """A retention or churn KPI for each rate column, named after the column."""
    made: list[tuple[Draft, Cell]] = []
    for role, kind in _RATES:
        c = columns.cell(row, role)
        if c is None:
            continue
        header = columns.header(role)
        name = re.sub(r"\s*\(.*?\)\s*$", "", header).strip() or header
        kpi = _kpi(d, name, period, kind=kind)
        number, unit = values.number(c, header)
        d.set(kpi, "value", number, c, header)
        if unit or "%" in header:
            d.set(kpi, "unit", unit or "%", c, header)
        made.append((kpi, c))
    return made


def _retention(inputs: dict[str, float]) -> float | None:
    """(customers at end − new) ÷ customers at start × 100, when the counts are given."""
    start, end = inputs.get("customers_at_start"), inputs.get("customers_at_end")
    if not start or end is None:
        return None
    return (end - inputs.get("new_customers", 0)) / start * 100


def _computed_retention(
    d: MapDraft,
    columns: Columns,
    row: list[Cell],
    inputs: dict[str, float],
    period: Cell | None,
) -> list[tuple[Draft, Cell]]:
    """A Retention Rate computed from the row's customer counts, when it gives them."""
    computed = _retention(inputs)
    if computed is None:
        return []
    cell = columns.cell(row, "input:customers_at_end") or row[0]
    kpi = _kpi(d, "Retention Rate", period, kind="retention")
    value = round(computed, 2)
    d.set(kpi, "value", value, cell, "value")
    d.set(kpi, "unit", "%", cell, "unit")
    d.report.append(
        f"{cell.where}: retention computed as (customers at end − new) ÷ customers "
        f"at start × 100 = {number(value)}%"
    )
    return [(kpi, cell)]


def _complete(
    d: MapDraft,
    columns: Columns,
    row: list[Cell],
    kpi: Draft,
    cell: Cell,
    period: Cell | None,
    inputs: dict[str, float],
) -> None:
    """Set what the row says about every KPI it makes: period, definition, stage, inputs; a
    retention rate is checked against the customer counts."""
    if period:
        d.set(kpi, "period", period.text, period, "period")
    definition = columns.cell(row, "definition")
    if definition:
        d.set(kpi, "definition", definition.text, definition, columns.header("definition"))
    stage = columns.cell(row, "stage")
    if stage:
        d.set(kpi, "stage", d.stage(stage.text).id, stage, columns.header("stage"))
    if inputs:
        kpi.data["inputs"] = {**kpi.data.get("inputs", {}), **inputs}
    want = _retention(inputs)
    got = kpi.data.get("value")
    retention = kpi.data.get("kind") == "retention"
    if retention and want is not None and isinstance(got, float) and abs(got - want) > 0.5:
        d.report.append(
            f"{cell.where}: {kpi.name!r} is {number(got)}, but (customers at end − new) ÷ "
            f"customers at start × 100 = {number(want)}; kept {number(got)} as written"
        )


def _kpi(d: MapDraft, name: str, period: Cell | None, *, kind: KPIKind | None = None) -> Draft:
    """The KPI of that name and period; the same name in another period is another KPI."""
    slug = slugify(name, fallback="kpi")
    when = period.text if period else ""
    if (slug, when) in d.kpis:
        return d.kpis[(slug, when)]
    taken = {o.id for o in d.kpis.values()}
    shown, ident = name, slug
    if ident in taken and when:
        shown, ident = f"{name} ({when})", slugify(f"{name} {when}")
    n = 2
    while ident in taken:
        ident, n = f"{slug}-{n}", n + 1
    kpi = Draft("KPI", shown, ident, data={"kind": kind or kpi_kind(name)})
    d.kpis[(slug, when)] = kpi
    return kpi
