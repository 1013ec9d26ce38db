"""What is broken in a source the engine cannot read, said as an editor shows it.

Private to :mod:`journeymap.events`. The engine's errors (:func:`backend_errors`) become
one clear line naming the source; for a file whose layout is broken, the place is found
here, since the engine's own is often not it: DuckDB counts CSV records rather than lines
(a quoted line break, a blank line or a carriage return alone put its number off), names no
line for some errors, and names the line after a JSON object that does not close. So the
file is read again, up to the first record that is wrong:

- delimited text: the first record with another number of fields than the header, at the
  line where it starts, or a quote that is never closed, at the line where it opens;
- JSON Lines: the first line that is not a JSON object (broken JSON, a list, a number),
  with its column, or the first byte that is not text in the file's encoding.

Only files that failed are read again, and only up to the record that is wrong.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from journeymap.engine.files import (
    Encoding,
    RecordError,
    compression_of,
    delimiter_of,
    encoding_of,
    head,
    head_lines,
    is_glob,
    open_bytes,
    open_text,
    records,
)
from journeymap.errors import EvidenceError, JourneyMapError

if TYPE_CHECKING:
    from journeymap.engine import Engine
    from journeymap.events.sources import Source

__all__ = ["backend_errors", "refuse_bad_json", "shown"]


def shown(path: str) -> str:
    """A file of a folder or glob as the user would write it: relative when under the cwd."""
    p = Path(path)
    try:
        return str(p.relative_to(Path.cwd()))
    except ValueError:
        return path


_CSV_ERROR_LINE = re.compile(r"CSV Error on Line: (\d+)")
_CSV_FIELDS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")
_CSV_ORIGINAL = re.compile(r"Original Line: (.*)")
_CSV_FILE = re.compile(r"^\s*file = (.+)$", re.MULTILINE)
#: Spark names the file it could not read as a URI
_SPARK_FILE = re.compile(r"while reading file file:(?://)?(/\S+?)\.?\s")
_CSV_DELIMITER = re.compile(r"^\s*delimiter = (.+?) \((?:Set|Auto)", re.MULTILINE)


def _located_csv(text: str, label: str, source: Source | None) -> str | None:
    """A CSV error of the engine located as an editor shows it: the first record whose
    number of fields is not the header's, at the line where it starts. DuckDB counts
    records, not lines (a quoted field with a line break, a blank line, a carriage return
    alone put its number off), and some of its errors name no line at all."""
    file = _CSV_FILE.search(text) or _SPARK_FILE.search(text)
    path = Path(file.group(1).strip()) if file else source.path if source else None
    if path is None or not path.is_file():
        return None
    sep = _CSV_DELIMITER.search(text)
    delimiter = sep.group(1).replace("\\t", "\t") if sep else source.delimiter if source else None
    if delimiter is None:  # an error while the source was opened: the delimiter of its head
        with contextlib.suppress(OSError, EOFError, UnicodeDecodeError):
            delimiter = delimiter_of(head_lines(path, encoding_of(head(path, 4))), name=path.name)
    if delimiter is None or len(delimiter) != 1:
        return None
    encoding = source.encoding if source and source.path == path else None
    try:
        found = _wrong_fields(path, delimiter, encoding)
    except (OSError, EOFError, UnicodeDecodeError, csv.Error):
        return None
    return None if found is None else f"{_where(path, label)}:{found}"


def _where(path: Path, label: str) -> str:
    """How a message names ``path``, a file the engine read for the source ``label``: the
    label, or for a folder or glob the file (``path`` may be a converted copy or a link of
    our own, in a ``journeymap-*`` folder: then the label)."""
    ours = path.parent.name.startswith("journeymap-")
    return label if ours or not is_glob(label) else shown(str(path))


def _wrong_fields(path: Path, delimiter: str, encoding: Encoding | None = None) -> str | None:
    """``LINE: what is wrong`` for the first record of delimited text whose number of
    fields is not the header's (or, when that record is a quote never closed that runs to
    the end of the file, that); ``None`` when every record has the header's fields."""
    header: int | None = None
    with open_text(path, encoding or encoding_of(head(path, 4))) as stream:
        found = records(stream, delimiter)
        for start, fields in found:
            if not fields:  # a blank line
                continue
            if header is None:
                header = len(fields)
                continue
            if len(fields) == header:
                continue
            try:
                next(found)
            except RecordError as exc:  # the record is a quote that runs to the end
                if exc.line == start:
                    return f"{start}: {exc}"
            except StopIteration:
                pass
            record = delimiter.join(fields)[:200]
            return f"{start}: {len(fields)} fields where the header has {header}: {record!r}"
    return None


_MALFORMED_JSON = re.compile(r'Malformed JSON in file "(.+?)", at byte \d+ in (line|record)')
#: the largest JSON array looked into to locate what is wrong in it
_JSON_ARRAY_LOCATED = 256 * 1024 * 1024


def _bad_json(path: Path) -> tuple[int, int, str] | None:
    """(line, column, what is wrong) of the first record of a JSON Lines file that is not
    a JSON object (a JSON array file: where it stops being JSON, or the line of the first
    element that is not an object); ``None`` when every record is one, or the file cannot
    be looked into (zstd, a JSON array too large to load here)."""
    if compression_of(path) == "zstd":
        return None
    encoding = encoding_of(head(path, 4))
    if head(path, 4096).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"["):
        if path.stat().st_size > _JSON_ARRAY_LOCATED:
            return None
        with open_text(path, encoding) as stream:
            text = stream.read()
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            array = "the file starts with '[', so it is read as one JSON array"
            return exc.lineno, exc.colno, f"not valid JSON ({exc.msg}; {array})"
        for i, item in enumerate(items if isinstance(items, list) else [items], 1):
            if not isinstance(item, dict):
                what = type(item).__name__
                return 1, 1, f"element {i:,} of the array is not a JSON object (a {what})"
        return None
    with open_bytes(path) as stream:  # lines end at \n only, as JSON Lines says
        for number, raw in enumerate(stream, 1):
            if number == 1:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            try:
                line = raw.decode(encoding.codec).rstrip("\r\n")
            except UnicodeDecodeError as exc:
                return number, exc.start + 1, f"not {encoding.name} text"
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                return number, exc.colno, f"not valid JSON ({exc.msg})"
            if not isinstance(record, dict):
                return number, 1, f"not a JSON object (a {_json_kind(record)})"
    return None


def _json_kind(value: object) -> str:
    return {list: "list", str: "string", bool: "boolean", type(None): "null"}.get(
        type(value), "number"
    )


def refuse_bad_json(path: Path, where: str) -> None:
    """Raise :class:`EvidenceError` at the first record of ``path`` that is not a JSON
    object, if any (``where``: how the message names the file)."""
    problem = _json_problem(path, where)
    if problem is not None:
        raise EvidenceError(problem)


def _json_problem(path: Path, where: str) -> str | None:
    """The message for the first record of ``path`` that is not a JSON object; ``None``
    when every record is one (or the file cannot be looked into)."""
    found = _bad_json(path)
    if found is None:
        return None
    line, column, problem = found
    if problem.endswith(" text"):  # bytes that are not text in the file's encoding
        return (
            f"{where}:{line}:{column}: {problem} (the byte there cannot be decoded); give the "
            "encoding with --encoding (e.g. latin-1, cp1252, utf-16)"
        )
    return (
        f"{where}:{line}:{column}: {problem}; every line of a JSON Lines file must be one "
        "JSON object (an event): fix the line or remove it"
    )


def _explain(label: str, kind: str, exc: Exception, source: Source | None = None) -> str:
    """A backend's error as one clear line (``source``: the source being read, to locate
    what the engine does not)."""
    text = str(exc).strip()
    malformed = _MALFORMED_JSON.search(text)
    located = None
    if malformed and Path(malformed.group(1)).is_file():  # DuckDB's line is often not it
        path = Path(malformed.group(1))
        with contextlib.suppress(OSError, EOFError, UnicodeDecodeError):
            located = _json_problem(path, _where(path, label))
    elif kind == "csv":
        located = _located_csv(text, label, source)
    if located is not None:
        return located
    line = _CSV_ERROR_LINE.search(text)
    fields = _CSV_FIELDS.search(text)
    if line and fields:
        original = _CSV_ORIGINAL.search(text)
        record = f": {original.group(1)[:200]!r}" if original else ""
        return (
            f"{label}:{line.group(1)}: {fields.group(2)} fields where the header has "
            f"{fields.group(1)}{record}"
        )
    if "not latin-1 encoded" in text:
        return (
            f"{label}: DuckDB reads latin-1 without the bytes 0x80-0x9F (control characters in "
            "latin-1; letters and signs such as € in cp1252), and the file has them: if it is "
            "cp1252, say --encoding cp1252"
        )
    if "unicode" in text.lower() and "encod" in text.lower():
        return (
            f"{label}: the text is not UTF-8; give the encoding with --encoding (e.g. latin-1, "
            "cp1252, utf-16)"
        )
    first = text.splitlines()[0] if text else type(exc).__name__
    return f"{label}: cannot read as {kind}: {first}"


@contextlib.contextmanager
def backend_errors(
    engine: Engine, label: str, kind: str, *, source: Source | None = None
) -> Iterator[None]:
    """Turn the engine's own exceptions (:attr:`Engine.errors`) into :class:`EvidenceError`
    naming the source (and the line, where it can be found in ``source``); ours and any
    other pass through."""
    try:
        yield
    except JourneyMapError:
        raise
    except engine.errors as exc:
        raise EvidenceError(_explain(label, kind, exc, source)) from exc
