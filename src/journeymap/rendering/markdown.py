"""A map as Markdown: a title, the objective and scenario, then GitHub pipe tables.

Cells escape what Markdown would otherwise read as markup (``|``, ``*``, ``_``, backticks,
brackets, ``<``) and write line breaks as ``<br>``, so ``journeymap import`` reads every cell
back exactly as it was.
"""

from __future__ import annotations

import re

from journeymap.model.journey import JourneyMap
from journeymap.rendering.tables import Table, map_tables

__all__ = ["escape_cell", "section", "table_to_markdown", "to_markdown"]

_MARKUP = re.compile(r"([\\|*_`\[\]])")


def escape_cell(text: str) -> str:
    """One cell's text as Markdown table-cell source."""
    text = _MARKUP.sub(r"\\\1", text.strip()).replace("<", "&lt;")
    return "<br>".join(part.strip() for part in text.splitlines())


def _escape_line(text: str) -> str:
    return " ".join(_MARKUP.sub(r"\\\1", text).replace("<", "&lt;").split())


def table_to_markdown(table: Table) -> str:
    """One table as a GitHub pipe table (no heading)."""
    lines = [
        "| " + " | ".join(escape_cell(h) for h in table.headers) + " |",
        "|" + "|".join(" --- " for _ in table.headers) + "|",
    ]
    lines += ["| " + " | ".join(escape_cell(c) for c in row) + " |" for row in table.rows]
    return "\n".join(lines) + "\n"


def section(table: Table) -> str:
    """One table under its title, a second-level heading; the measurement report's tables are
    written this way too."""
    return f"## {_escape_line(table.title)}\n\n{table_to_markdown(table)}"


def to_markdown(m: JourneyMap) -> str:
    """The whole map as a Markdown document."""
    parts = [f"# {_escape_line(m.name)}\n"]
    meta = [
        (label, value)
        for label, value in (
            ("Objective", m.objective),
            ("Scenario", m.scenario),
            ("Scope", m.scope),
        )
        if value
    ]
    if meta:
        parts.append("\n".join(f"**{label}:** {_escape_line(value)}  " for label, value in meta))
        parts[-1] = parts[-1].rstrip() + "\n"
    parts += [section(table) for table in map_tables(m)]
    return "\n".join(parts)
