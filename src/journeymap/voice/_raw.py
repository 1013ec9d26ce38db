"""Feedback files as raw columns: CSV, JSON Lines (or one JSON array), XLSX, a pyarrow Table.

Private to :mod:`journeymap.voice.read`, which types the columns and finds their roles.
Files are found, decompressed, decoded and split by the file toolkit
(:mod:`journeymap.engine.files`), with the rules event logs and table import follow: the
format from the name or the first bytes, gzip by its magic bytes, the encoding given (any
Python knows), else by byte-order mark, else UTF-8, never guessed; the delimiter given, else
``.tsv`` -> tab, else read from the first lines (``,`` ``;`` tab ``|`` or whitespace).
"""

from __future__ import annotations

import difflib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from journeymap.engine.files import (
    MERGED_CELLS_MAX,
    RecordError,
    column_letter,
    decode,
    delimiter_of,
    encoding_of,
    first_lines,
    format_of,
    merged_cells,
    not_text,
    open_bytes,
    records,
    repeated_name,
    unique_names,
)
from journeymap.engine.reading import repeated_column
from journeymap.errors import EvidenceError, UsageError

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["ROW", "Raw", "from_table", "read_file"]

ROW = "__jm_row"
Kind = Literal["csv", "xlsx", "json"]
#: what a file without a known suffix holds -> how it is read
_BY_CONTENT: dict[str, Kind] = {"zip": "xlsx", "json": "json", "text": "csv"}


@dataclass
class Raw:
    """Columns of raw values, the position of each row, and rows already found unusable."""

    names: list[str]
    columns: list[list[Any]]
    rows: list[int]
    textual: bool  # values are text to be typed (CSV), not typed already
    bad: dict[int, tuple[str, str]] = field(default_factory=dict)  # index -> (reason, message)
    #: what the reader did that the read report should say (merged cells filled)
    notes: list[str] = field(default_factory=list)


def _kind(path: Path, label: str) -> Kind:
    name = re.sub(r"\.(gz|gzip)$", "", path.name.lower())
    if name.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return "json"
    if name.endswith((".csv", ".tsv", ".txt", ".tab")):
        return "csv"
    found = _BY_CONTENT.get(format_of(path) or "")
    if found is None:
        raise UsageError(
            f"{label}: cannot tell the format from the name or the content; expected .csv, "
            ".tsv, .txt, .xlsx, .jsonl or .json (text ones optionally .gz)"
        )
    return found


def read_file(
    path: Path, label: str, *, encoding: str | None, delimiter: str | None, sheet: str | None
) -> Raw:
    """A feedback file as raw columns (see the module docstring)."""
    if not path.is_file():
        raise EvidenceError(f"{label}: no such file")
    kind = _kind(path, label)
    if kind == "xlsx":
        return _read_xlsx(path, label, sheet)
    try:
        with open_bytes(path) as stream:
            data = stream.read()
    except (OSError, EOFError) as exc:
        raise EvidenceError(f"{label}: cannot read: {exc}") from None
    if not data.strip():
        raise EvidenceError(f"{label}: the file is empty")
    enc = encoding_of(data[:4], encoding)
    try:
        text = decode(data, enc)
    except UnicodeDecodeError as exc:
        raise EvidenceError(not_text(label, enc, exc.start)) from None
    if kind == "json":
        return _read_json(text, label)
    sep = delimiter_of(first_lines(text), given=delimiter, name=path.name)
    return _read_csv(text, label, sep)


def _read_csv(text: str, label: str, sep: str) -> Raw:
    header: list[str] | None = None
    columns: list[list[Any]] = []
    rows: list[int] = []
    bad: dict[int, tuple[str, str]] = {}
    lines = io.StringIO(text, newline="")
    try:
        for line, record in records(lines, sep):
            if not record or (len(record) == 1 and not record[0].strip()):
                continue  # a blank line: a line, not a row
            if header is None:
                twice = repeated_name(record)
                if twice is not None:
                    raise EvidenceError(repeated_column(f"{label}:{line}", twice))
                header = unique_names(record)
                columns = [[] for _ in header]
                continue
            if len(record) != len(header):
                bad[len(rows)] = (
                    "the wrong number of fields",
                    f"{len(record)} fields where the header has {len(header)}",
                )
                record = (record + [""] * len(header))[: len(header)]
            for col, value in zip(columns, record, strict=True):
                col.append(value if value != "" else None)
            rows.append(line)
    except RecordError as exc:
        raise EvidenceError(f"{label}:{exc.line}: cannot read the CSV: {exc}") from None
    if header is None:
        raise EvidenceError(f"{label}: the file is empty (a header line is expected)")
    return Raw(header, columns, rows, textual=True, bad=bad)


def _json_records(text: str, label: str) -> list[tuple[int, Any]]:
    """(line or element number, the object or the error) of every record."""
    stripped = text.lstrip()
    if not stripped:
        raise EvidenceError(f"{label}: the file is empty (JSON objects are expected)")
    if stripped.startswith("["):
        try:
            array = json.loads(text)
        except json.JSONDecodeError as exc:
            raise EvidenceError(f"{label}:{exc.lineno}: not valid JSON: {exc.msg}") from None
        return list(enumerate(array, 1))
    found: list[tuple[int, Any]] = []
    for i, line in enumerate(io.StringIO(text, newline=""), 1):
        if not line.strip():
            continue
        try:
            found.append((i, json.loads(line)))
        except json.JSONDecodeError as exc:
            found.append((i, exc))
    return found


def _read_json(text: str, label: str) -> Raw:
    found = _json_records(text, label)
    names: list[str] = []
    index: dict[str, int] = {}
    for _, obj in found:
        if isinstance(obj, dict):
            for key in obj:
                if key not in index:
                    index[key] = len(names)
                    names.append(str(key))
    columns: list[list[Any]] = [[None] * len(found) for _ in names]
    bad: dict[int, tuple[str, str]] = {}
    for i, (_, obj) in enumerate(found):
        if not isinstance(obj, dict):
            what = obj.msg if isinstance(obj, json.JSONDecodeError) else type(obj).__name__
            bad[i] = ("a line that is not a JSON object", f"not a JSON object ({what})")
            continue
        for key, value in obj.items():
            columns[index[key]][i] = value
    return Raw(names, columns, [n for n, _ in found], textual=False, bad=bad)


def _read_xlsx(path: Path, label: str, sheet: str | None) -> Raw:
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise EvidenceError(f"{label}: cannot read as XLSX: {exc}") from None
    try:
        if sheet is None:
            ws = book.worksheets[0]
        elif sheet in book.sheetnames:
            ws = book[sheet]
        else:
            close = difflib.get_close_matches(sheet, book.sheetnames, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise EvidenceError(
                f"{label}: no sheet {sheet!r}{hint} The sheets are: {', '.join(book.sheetnames)}"
            )
        merged = _Merged(path, ws, label)
        header: list[str] | None = None
        columns: list[list[Any]] = []
        rows: list[int] = []
        for n, read in enumerate(ws.iter_rows(values_only=True), 1):
            values = merged.fill(n, read)
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            if header is None:
                twice = repeated_name(values)
                if twice is not None:
                    where = f"{label}:{ws.title}!{column_letter(twice.second)}{n}"
                    raise EvidenceError(
                        repeated_column(where, twice, letters=True) + merged.hint(n)
                    )
                header = unique_names(values)
                columns = [[] for _ in header]
                continue
            cells = (list(values) + [None] * len(header))[: len(header)]
            for col, value in zip(columns, cells, strict=True):
                col.append(None if isinstance(value, str) and value == "" else value)
            rows.append(n)
    finally:
        book.close()
    if header is None:
        raise EvidenceError(f"{label}: the sheet {ws.title!r} is empty (a header row is expected)")
    return Raw(header, columns, rows, textual=False, notes=merged.notes())


class _Merged:
    """The merged ranges of a sheet, filled as they are read: every cell of a range takes
    the value of its top-left cell, as a person reading the sheet sees it (openpyxl reads
    them as blanks)."""

    def __init__(self, path: Path, ws: Any, label: str) -> None:
        self.label, self.sheet = label, ws.title
        part = getattr(ws, "_worksheet_path", None)
        self.ranges = merged_cells(path, part) if part else []
        #: (row, column) -> the range's top-left (row, column), for cells not top-left
        self.cover: dict[tuple[int, int], tuple[int, int]] = {}
        for r1, c1, r2, c2 in self.ranges:
            if (r2 - r1 + 1) * (c2 - c1 + 1) > MERGED_CELLS_MAX - len(self.cover):
                raise EvidenceError(
                    f"{label}:{ws.title}!{column_letter(c1)}{r1}: merged ranges cover more "
                    f"than {MERGED_CELLS_MAX:,} cells; unmerge them (fill the values) first"
                )
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    if (r, c) != (r1, c1):
                        self.cover[(r, c)] = (r1, c1)
        self.heads = {(r1, c1) for r1, c1, _, _ in self.ranges}
        self.last = max((r2 for _, _, r2, _ in self.ranges), default=0)
        self.top_left: dict[tuple[int, int], Any] = {}
        #: row -> its last column a range covers (a row may end before it)
        self.width: dict[int, int] = {}
        for r, c in self.cover:
            self.width[r] = max(self.width.get(r, 0), c)

    def fill(self, row: int, values: tuple[Any, ...]) -> tuple[Any, ...]:
        """The row's values with its merged cells filled (rows come in order, so a range's
        top-left is read before the cells it fills)."""
        if not self.cover or row > self.last:
            return values
        out = list(values)
        for c in range(1, len(out) + 1):
            if (row, c) in self.cover:
                out[c - 1] = self.top_left.get(self.cover[(row, c)])
            elif (row, c) in self.heads:
                self.top_left[(row, c)] = out[c - 1]
        for c in range(len(out) + 1, self.width.get(row, 0) + 1):  # past the row's last value
            out.append(self.top_left.get(self.cover.get((row, c), (0, 0))))
        return tuple(out)

    def hint(self, row: int) -> str:
        if any(r1 <= row <= r2 for r1, _, r2, _ in self.ranges):
            return " (the header row has merged cells: unmerge them and name each column)"
        return ""

    def notes(self) -> list[str]:
        """The read report's lines on merged cells: at most five ranges, and how many."""
        if not self.ranges:
            return []
        out = [
            f"merged cells: {len(self.ranges):,} range{'s' if len(self.ranges) != 1 else ''} "
            "read as if every cell held the value of its top-left cell"
        ]
        for r1, c1, r2, c2 in self.ranges[:5]:
            first, last = f"{column_letter(c1)}{r1}", f"{column_letter(c2)}{r2}"
            out.append(f"  e.g. {self.label}:{self.sheet}!{first}:{last}: the value of {first}")
        return out


def from_table(table: pa.Table) -> Raw:
    """A pyarrow Table as raw columns; its own ``__jm_row`` (if any) gives the rows."""
    names = [c for c in table.column_names if c != ROW]
    rows = (
        [int(v) for v in table.column(ROW).to_pylist()]
        if ROW in table.column_names
        else list(range(1, table.num_rows + 1))
    )
    return Raw(names, [table.column(c).to_pylist() for c in names], rows, textual=False)
