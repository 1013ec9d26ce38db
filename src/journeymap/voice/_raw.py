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
    RecordError,
    decode,
    delimiter_of,
    encoding_of,
    first_lines,
    format_of,
    not_text,
    open_bytes,
    records,
    unique_names,
)
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
        header: list[str] | None = None
        columns: list[list[Any]] = []
        rows: list[int] = []
        for n, values in enumerate(ws.iter_rows(values_only=True), 1):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            if header is None:
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
    return Raw(header, columns, rows, textual=False)


def from_table(table: pa.Table) -> Raw:
    """A pyarrow Table as raw columns; its own ``__jm_row`` (if any) gives the rows."""
    names = [c for c in table.column_names if c != ROW]
    rows = (
        [int(v) for v in table.column(ROW).to_pylist()]
        if ROW in table.column_names
        else list(range(1, table.num_rows + 1))
    )
    return Raw(names, [table.column(c).to_pylist() for c in names], rows, textual=False)
