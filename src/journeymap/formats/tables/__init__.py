"""Import a journey map from tables: Markdown pipe tables, CSV files and Excel workbooks.

Teams often start from tables pasted into a document, like the seed articles' ::

    Touchpoint | Expected Emotion | Actual Emotion | Gap in Experience |
    ---|---|---|---|
    Website Visit | Interested | Frustrated | Navigation issues |

:func:`import_tables` reads every table of every file, recognises the columns by their
headers (case, spacing, punctuation and small wording differences do not matter) and merges
the rows into one map: rows that name the same stage, touchpoint, pain point or action item
fill the same object; stages in journey order unless ``stages`` sets them.

Nothing is dropped silently. A column journeymap does not know is kept in the ``notes`` of
the object the row describes; every such decision is a line of :attr:`ImportResult.report`.
What the tables do not say is guessed only from what another table links (the journey order of
the stages, the stage of a touchpoint row without one, the touchpoint of a stage's pain point:
:mod:`~journeymap.formats.tables.placing`), each guess a line of
:attr:`ImportResult.guesses`; what is left goes to a stage "Unassigned". A value that cannot
be right (an emotion not on the scale, a severity that is not one) raises
:class:`~journeymap.errors.TableImportError` naming the file and row (Markdown: the line;
CSV: ``row:column``; Excel: ``Sheet!B5``) and what was expected.

The steps, a module each: reading the files into tables of located cells
(:mod:`~journeymap.formats.tables.readers`); what headers and words mean
(:mod:`~journeymap.formats.tables.columns`) and reading one cell's value
(:mod:`~journeymap.formats.tables.values`); the map under construction
(:mod:`~journeymap.formats.tables.draft`); and the kinds of table: the journey's stages,
touchpoints, pain points and action items (:mod:`~journeymap.formats.tables.journey`), KPIs
(:mod:`~journeymap.formats.tables.kpis`), insights and the persona
(:mod:`~journeymap.formats.tables.insights`); then the stages' names and order
(:mod:`~journeymap.formats.tables.stages`) and the places of what the rows name
(:mod:`~journeymap.formats.tables.placing`). This module reads each file, tells which kind
each of its tables is, and builds the map.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from journeymap.errors import TableImportError
from journeymap.formats.tables.columns import KEY_HEADERS, plural
from journeymap.formats.tables.draft import MapDraft, columns_of
from journeymap.formats.tables.insights import (
    is_persona_table,
    merge_insight_table,
    merge_persona_table,
)
from journeymap.formats.tables.journey import KEY_ROLES, merge_journey_table
from journeymap.formats.tables.kpis import is_kpi_table, merge_kpi_table
from journeymap.formats.tables.placing import arrange
from journeymap.formats.tables.readers import (
    RawTable,
    read_csv,
    read_markdown,
    read_xlsx,
    text_of,
)
from journeymap.formats.tables.stages import parse_stages
from journeymap.model.journey import JourneyMap

__all__ = ["ImportResult", "import_tables"]


@dataclass
class ImportResult:
    """The imported map (ids pinned, so saving writes them) and what was done, line by line.

    ``guesses`` says what the tables did not say and was guessed (the stage order, the stage
    of a touchpoint, the touchpoint of a pain point), each with the row it rests on;
    ``proposals`` names stages that may be one, and ``proposed_stages`` is the ``stages``
    (``--stages``) value that would merge them.
    """

    map: JourneyMap
    report: list[str]
    guesses: list[str] = field(default_factory=list)
    proposals: list[str] = field(default_factory=list)
    proposed_stages: str | None = None


def import_tables(
    paths: Sequence[str | Path],
    *,
    title: str | None = None,
    encoding: str | None = None,
    stages: str | Sequence[str] | None = None,
) -> ImportResult:
    """Build a map from the tables in Markdown, CSV and XLSX files (merged, in order).

    Text files are read by the rule every reader follows: ``encoding`` when given (any
    encoding Python knows), else by byte-order mark, else UTF-8.

    ``stages`` sets the stages, in order: ``"Awareness=Discovery,Consideration,Purchase"``
    (or a list of such items) names each stage and maps the tables' other names onto it;
    every stage of the tables must be named or mapped. Without it the stages are put in
    journey order (see :mod:`~journeymap.formats.tables.stages`).

    Raises :class:`~journeymap.errors.TableImportError` for a file that cannot be read or
    holds no table journeymap recognises, and for a value that cannot be right, naming the
    file, row and column; :class:`~journeymap.errors.UsageError` for a ``stages`` value that
    cannot be applied.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    if not paths:
        raise TableImportError("no files given; expected Markdown, CSV or XLSX files")
    specs = None if stages is None else parse_stages(stages)
    d = MapDraft()
    meta: dict[str, str] = {}
    for raw in paths:
        tables, found = _read(Path(raw), str(raw), d.report, encoding)
        meta = {**found, **meta}  # the first file that says wins
        recognised = False
        for table in tables:
            d.report += table.report
            recognised |= _interpret(d, table)
        if not recognised:
            seen = "; ".join(" | ".join(h.text for h in t.headers if h.text) for t in tables)
            raise TableImportError(
                f"{raw}: no table journeymap can read; expected a table whose header row "
                f"names columns such as {KEY_HEADERS}"
                + (f" (found: {seen})" if seen else " (found no table)")
            )
    d.report += d.moved
    arrange(d, specs)
    meta["title"] = title or meta.get("title") or _title_from(Path(paths[0]))
    m = d.build(meta)
    counts = [
        (len(m.stages), "stage"),
        (sum(len(s.touchpoints) for s in m.stages), "touchpoint"),
        (len(m.pain_points), "pain point"),
        (len(m.opportunities), "action item"),
        (len(m.kpis), "KPI"),
        (len(m.insights), "insight"),
    ]
    d.report.append("imported " + ", ".join(plural(n, what) for n, what in counts if n))
    return ImportResult(
        map=m,
        report=d.report,
        guesses=d.guesses,
        proposals=d.proposals,
        proposed_stages=d.proposed_stages,
    )


def _read(
    path: Path, file: str, report: list[str], encoding: str | None
) -> tuple[list[RawTable], dict[str, str]]:
    """The tables of one file, and what a Markdown file says about the map (title, objective)."""
    suffix = path.suffix.lower()
    if not path.is_file():
        what = "is a directory" if path.is_dir() else "no such file"
        raise TableImportError(f"{file}: {what}; expected a Markdown, CSV or XLSX file")
    extra: list[str] = []
    meta: dict[str, str] = {}
    if suffix in (".xlsx", ".xlsm"):
        tables, extra = read_xlsx(path, file)
    elif suffix == ".xls":
        raise TableImportError(
            f"{file}: the old Excel format (.xls) is not supported; save it as .xlsx or CSV"
        )
    elif suffix in (".csv", ".tsv"):
        tables = read_csv(path.read_bytes(), file, encoding=encoding)
    else:
        tables, meta = read_markdown(text_of(path.read_bytes(), file, encoding=encoding), file)
    report.append(f"{file}: {plural(len(tables), 'table')} found")
    report += extra
    return tables, meta


def _interpret(d: MapDraft, table: RawTable) -> bool:
    """Merge one table into the map; ``False`` when none of its columns can place a row."""
    columns = columns_of(table, d.report)
    names = " | ".join(h.text for h in table.headers if h.text)
    rows = [r for r in table.rows if any(c.text for c in r)]
    title = f"{table.where}: table {names!r}: {plural(len(rows), 'row')}"
    if is_persona_table(table):
        merge_persona_table(d, table, rows)
    elif is_kpi_table(columns):
        d.report.append(f"{title} of KPIs")
        merge_kpi_table(d, columns, rows)
    elif columns.has("insight") and not any(
        columns.has(role) for role in ("stage", "touchpoint", "pain_point")
    ):
        d.report.append(f"{title} of insights")
        merge_insight_table(d, columns, rows)
    elif any(columns.has(role) for role in KEY_ROLES):
        merge_journey_table(d, table, columns, rows, title)
    else:
        d.report.append(f"{table.where}: table {names!r} skipped: it has no {KEY_HEADERS} column")
        return False
    return True


def _title_from(path: Path) -> str:
    words = re.sub(r"[_\-]+", " ", path.stem).strip()
    return words[:1].upper() + words[1:] if words else "Imported journey map"
