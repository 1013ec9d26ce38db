"""Finding tables in files: Markdown pipe tables, CSV files, the sheets of an XLSX workbook.

Each reader returns :class:`RawTable` objects whose every cell knows its location (Markdown:
``file:line``; CSV: ``file:row:column``; XLSX: ``file:Sheet!B5``), for error messages.

Markdown tables are found line by line rather than by a CommonMark parser: a table is a line
with pipes followed by a delimiter row (``---|---``), and ends at the first line without a
pipe. (GitHub's rule, "a table ends at a blank line", would swallow the prose that follows a
table pasted into text without a blank line, as in the seed articles.) Cells are read as
inline Markdown (``\\|``, ``**bold**``, ``<br>`` line breaks, entities) with markdown-it-py.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journeymap.engine.files import (
    MERGED_CELLS_MAX,
    decode,
    delimiter_of,
    encoding_of,
    first_lines,
    merged_cells,
    records,
)
from journeymap.errors import TableImportError
from journeymap.formats.tables.columns import plural, resolve

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

__all__ = ["Cell", "RawTable", "read_csv", "read_markdown", "read_xlsx", "text_of"]


@dataclass(frozen=True)
class Cell:
    text: str
    where: str  # "file.md:12", "file.csv:5:3", "book.xlsx:Sheet1!C5"


@dataclass
class RawTable:
    where: str  # location of the header row
    headers: list[Cell]
    rows: list[list[Cell]]
    report: list[str] = field(default_factory=list)


_DELIM_CELL = re.compile(r"^:?-+:?$")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^\s{0,3}#\s+(.*?)\s*#*\s*$")
_META = re.compile(r"^\*\*(Objective|Scenario|Scope):\*\*\s*(.+?)\s*$", re.IGNORECASE)
_BR = re.compile(r"^<br\s*/?>$", re.IGNORECASE)


def _split_row(line: str) -> list[str]:
    """A pipe-table line as raw cells: outer pipes optional, ``\\|`` does not split."""
    text = line.strip()
    if text.startswith("|"):
        text = text[1:]
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    cells: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            current.append(text[i : i + 2])
            i += 2
            continue
        if ch == "|":
            cells.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    cells.append("".join(current))
    return [c.strip() for c in cells]


def _has_pipe(line: str) -> bool:
    return "|" in line.replace("\\|", "")


def _is_delimiter(line: str) -> bool:
    if not _has_pipe(line) and not line.strip().startswith("-"):
        return False
    cells = _split_row(line)
    return bool(cells) and all(_DELIM_CELL.match(c.replace(" ", "")) for c in cells)


def _starts_table(lines: list[str], i: int) -> bool:
    """Whether ``lines[i]`` is a table's header row: pipes, then a delimiter row as wide."""
    return (
        _has_pipe(lines[i])
        and i + 1 < len(lines)
        and _is_delimiter(lines[i + 1])
        and len(_split_row(lines[i + 1])) == len(_split_row(lines[i]))
    )


@functools.cache
def _inline_parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark")


def inline_text(source: str) -> str:
    """A Markdown cell as plain text: escapes undone, markup removed, ``<br>`` as a newline."""
    if not source:
        return ""
    tokens = _inline_parser().parseInline(source)
    out: list[str] = []
    for tok in tokens[0].children or []:
        if tok.type in ("text", "text_special", "code_inline"):
            out.append(tok.content)
        elif tok.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif tok.type == "html_inline":
            out.append("\n" if _BR.match(tok.content.strip()) else tok.content)
        elif tok.type == "image":
            out.append(tok.content)
    return "\n".join(line.strip() for line in "".join(out).split("\n")).strip()


def read_markdown(text: str, file: str) -> tuple[list[RawTable], dict[str, str]]:
    """Every pipe table of a Markdown text, and what the text says about the map: its first
    level-1 heading as ``title``, and ``**Objective:** ...`` lines (also Scenario, Scope), as
    :func:`journeymap.rendering.markdown.to_markdown` writes them."""
    lines = text.splitlines()
    tables: list[RawTable] = []
    meta: dict[str, str] = {}
    fence: str | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        m = _FENCE.match(line)
        if m:
            marker = m.group(1)[0]
            fence = None if fence == marker else (fence or marker)
            i += 1
            continue
        if fence:
            i += 1
            continue
        heading = _HEADING.match(line)
        if heading and "title" not in meta and inline_text(heading.group(1)):
            meta["title"] = inline_text(heading.group(1))
        field_line = _META.match(line)
        if field_line and field_line.group(1).lower() not in meta:
            meta[field_line.group(1).lower()] = inline_text(field_line.group(2))
        indented = len(line) - len(line.lstrip(" ")) >= 4
        if not indented and _starts_table(lines, i):
            where = f"{file}:{i + 1}"
            headers = [Cell(inline_text(c), where) for c in _split_row(line)]
            table = RawTable(where, headers, [])
            i += 2
            while i < len(lines) and _has_pipe(lines[i]) and lines[i].strip():
                if _starts_table(lines, i):
                    break  # the next table starts right under this one
                row_where = f"{file}:{i + 1}"
                raw = _split_row(lines[i])
                extra = [c for c in raw[len(headers) :] if c]
                if extra:
                    table.report.append(
                        f"{row_where}: {len(extra)} cell(s) beyond the {len(headers)} columns "
                        f"of the header ignored: {', '.join(repr(c) for c in extra)}"
                    )
                raw = (raw + [""] * len(headers))[: len(headers)]
                table.rows.append([Cell(inline_text(c), row_where) for c in raw])
                i += 1
            tables.append(table)
            continue
        i += 1
    return tables, meta


def _column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def grid_table(grid: list[list[Cell]], row_prefix: str) -> RawTable | None:
    """A table from rows of cells (CSV, a sheet): the header is the first row, among the
    first 20 non-empty ones, that names a column journeymap knows. A row is located as
    ``row_prefix`` + its 1-based number."""

    def where_of_row(i: int) -> str:
        return f"{row_prefix}{i + 1}"

    non_empty = [i for i, row in enumerate(grid) if any(c.text for c in row)]
    header_at = next(
        (i for i in non_empty[:20] if any(resolve(c.text) for c in grid[i] if c.text)), None
    )
    if header_at is None:
        return None
    header_row = grid[header_at]
    width = max((j + 1 for j, c in enumerate(header_row) if c.text), default=0)
    table = RawTable(where_of_row(header_at), header_row[:width], [])
    above = [i for i in non_empty if i < header_at]
    if above:
        table.report.append(
            f"{table.where}: {plural(len(above), 'row')} above the header row skipped"
        )
    for i in range(header_at + 1, len(grid)):
        row = grid[i]
        extra = [c for c in row[width:] if c.text]
        if extra:
            table.report.append(
                f"{extra[0].where}: {plural(len(extra), 'cell')} outside the header's "
                f"columns ignored: {', '.join(repr(c.text) for c in extra)}"
            )
        pad = [Cell("", where_of_row(i))] * width
        table.rows.append((row[:width] + pad)[:width])
    return table


def text_of(data: bytes, file: str, *, encoding: str | None = None) -> str:
    """The text of a Markdown or CSV file's bytes, by the rule of the file toolkit: the
    ``encoding`` given (any Python knows), else by byte-order mark, else UTF-8, never guessed.
    Raises :class:`TableImportError` naming the first byte that is not text."""
    enc = encoding_of(data[:4], encoding)
    try:
        return decode(data, enc)
    except UnicodeDecodeError as exc:
        raise TableImportError(
            f"{file}: not {enc.name.upper()} text ({exc.reason} at byte {exc.start}); "
            "give the encoding with --encoding (e.g. latin-1, cp1252, utf-16)"
        ) from None


def read_csv(data: bytes, file: str, *, encoding: str | None = None) -> list[RawTable]:
    """The table of a CSV (or TSV, or whitespace-separated) file's bytes, read by the rules
    of the file toolkit (:mod:`journeymap.engine.files`), as event logs and feedback are:
    the ``encoding`` given (any Python knows), else by byte-order mark, else UTF-8, never
    guessed; the delimiter from the name (``.tsv``) or the first lines."""
    text = text_of(data, file, encoding=encoding)
    sep = delimiter_of(first_lines(text), name=file)
    try:
        rows = [fields for _, fields in records(io.StringIO(text, newline=""), sep)]
    except csv.Error as exc:
        raise TableImportError(f"{file}: cannot read as CSV: {exc}") from None
    grid = [
        [Cell(v.strip(), f"{file}:{r + 1}:{c + 1}") for c, v in enumerate(rec)]
        for r, rec in enumerate(rows)
    ]
    table = grid_table(grid, f"{file}:")
    return [table] if table else []


def _plain(value: float) -> str:
    """``1000.0`` -> ``"1000"``: a number as a person would type it."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.9f}".rstrip("0").rstrip(".")


def _excel_text(value: Any, number_format: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        if number_format and "%" in number_format:
            return _plain(round(float(value) * 100, 9)) + "%"
        return _plain(float(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def _fill_merged(grid: list[list[Cell]], path: Path, ws: Any, where: str) -> list[str]:
    """Fill every merged range of the sheet with the text of its top-left cell, as a person
    reading the sheet sees it (openpyxl reads the other cells as blanks); what was filled,
    for the report."""
    part = getattr(ws, "_worksheet_path", None)
    ranges = merged_cells(path, part) if part else []
    covered = 0
    for r1, c1, r2, c2 in ranges:
        covered += (r2 - r1 + 1) * (c2 - c1 + 1)
        if covered > MERGED_CELLS_MAX:
            raise TableImportError(
                f"{where}!{_column_letter(c1 - 1)}{r1}: merged ranges cover more than "
                f"{MERGED_CELLS_MAX:,} cells; unmerge them (fill the values) first"
            )
        if r1 > len(grid):
            continue
        top = grid[r1 - 1][c1 - 1].text if c1 <= len(grid[r1 - 1]) else ""
        for r in range(r1 - 1, min(r2, len(grid))):
            row = grid[r]
            for c in range(c1 - 1, c2):
                if (r, c) == (r1 - 1, c1 - 1):
                    continue
                cell = Cell(top, f"{where}!{_column_letter(c)}{r + 1}")
                if c < len(row):
                    row[c] = cell
                else:
                    row += [
                        Cell("", f"{where}!{_column_letter(k)}{r + 1}") for k in range(len(row), c)
                    ]
                    row.append(cell)
    if not ranges:
        return []
    shown = ", ".join(
        f"{_column_letter(c1 - 1)}{r1}:{_column_letter(c2 - 1)}{r2}"
        for r1, c1, r2, c2 in ranges[:5]
    )
    more = f" and {len(ranges) - 5:,} more" if len(ranges) > 5 else ""
    return [
        f"{where}: {plural(len(ranges), 'merged range')} ({shown}{more}) read as if every cell "
        "held the value of its top-left cell"
    ]


def read_xlsx(path: Path, file: str) -> tuple[list[RawTable], list[str]]:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - a declared dependency
        raise TableImportError("reading .xlsx needs openpyxl; run pip install openpyxl") from None
    from zipfile import BadZipFile

    tables: list[RawTable] = []
    notes: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (BadZipFile, KeyError, OSError, ValueError) as exc:
            raise TableImportError(
                f"{file}: not an Excel workbook ({exc}); expected an .xlsx file"
            ) from None
        try:
            for ws in wb.worksheets:
                sheet = ws.title
                grid: list[list[Cell]] = []
                for r, row in enumerate(ws.iter_rows()):
                    grid.append(
                        [
                            Cell(
                                _excel_text(cell.value, getattr(cell, "number_format", None)),
                                f"{file}:{sheet}!{_column_letter(c)}{r + 1}",
                            )
                            for c, cell in enumerate(row)
                        ]
                    )
                notes += _fill_merged(grid, path, ws, f"{file}:{sheet}")
                table = grid_table(grid, f"{file}:{sheet}!A")
                if table:
                    tables.append(table)
                elif any(c.text for row in grid for c in row):
                    notes.append(f"{file}:{sheet}: no header row journeymap knows; sheet skipped")
        finally:
            wb.close()
    notes += [f"{file}: {w.message}" for w in caught]
    return tables, notes
