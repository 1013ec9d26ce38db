"""The file toolkit: what every reader asks of a file before it reads it.

Event logs (:mod:`journeymap.events.sources`), feedback (:mod:`journeymap.voice.read`) and
table import (:mod:`journeymap.formats`) find, open and sniff local files with these
functions, so that one rule holds for all of them:

* **Which files** (:func:`local_files`). A source names one file, a folder (every file below
  it, in path order, names starting with ``.`` or ``_`` left out) or a glob (``*``, ``?``,
  ``[...]``, ``**``; the files that match, in path order, as DuckDB lists them). A file or
  folder that exists under the very name given is read as such, glob characters and all
  (``glob[ab].csv``); the name is a glob only when it does not exist (:func:`is_glob`). A URL
  (``s3://...``) names no local file.
* **Compression** (:func:`compression_of`, :func:`open_bytes`) is told by the magic bytes,
  whatever the name: gzip (``1f 8b``) and zstd (``28 b5 2f fd``). Python reads gzip; only the
  engine reads zstd, so a zstd file cannot be looked into here.
* **Encoding** (:func:`encoding_of`, :func:`decode`). A name given by the caller may be any
  text encoding Python knows, by any of its names (``utf-8``, ``utf-16``, ``latin-1``,
  ``cp1252``, ``shift_jis``, ...); without one, a byte-order mark decides (UTF-8, UTF-16 or
  UTF-32, either byte order), else the text is UTF-8. A byte-order mark is never part of the
  text. Bytes that are not text in that encoding are an error naming the first of them
  (:func:`not_text`); nothing is guessed, replaced or read in another encoding instead.
  :attr:`Encoding.native` names the encodings the engines read themselves (UTF-8,
  little-endian UTF-16, latin-1); readers convert the others (:func:`transcode`).
* **Delimiter** (:func:`delimiter_of`). Given: one character, ``tab`` (``comma``,
  ``semicolon``, ``pipe``) or ``whitespace`` (runs of blanks, no quoting). Else a ``.tsv`` or
  ``.tab`` name means tab; else the first lines tell: the most frequent of ``,`` ``;`` tab
  ``|`` outside quotes in the first line that has any (ties in that order), whitespace when no
  line has one and the lines split on blanks into as many fields as the first (two or more,
  no quotes), else ``,``. :func:`records` splits text into records by that delimiter.
* **Header names** (:func:`unique_names`): trimmed, an empty one is ``columnN``. A name
  written twice (:func:`repeated_name`) is an error of the reader, naming both columns:
  reading one of them, or both under made-up names, would use the other's values silently.
* **Format by content** (:func:`format_of`) for a file whose name says nothing, and the key
  order of the first JSON object of a JSON Lines file (:func:`json_key_order`).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import gzip
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from glob import glob
from pathlib import Path
from typing import IO, Literal, NamedTuple, cast

from journeymap.errors import UsageError

__all__ = [
    "DELIMITERS",
    "HEAD_BYTES",
    "MERGED_CELLS_MAX",
    "WHITESPACE",
    "Compression",
    "Encoding",
    "FileFormat",
    "RecordError",
    "Repeated",
    "column_letter",
    "compression_of",
    "decode",
    "delimiter_of",
    "encoding_of",
    "first_lines",
    "format_of",
    "head",
    "head_lines",
    "is_glob",
    "json_key_order",
    "local_files",
    "merged_cells",
    "not_text",
    "open_bytes",
    "open_text",
    "records",
    "repeated_name",
    "transcode",
    "unique_names",
]

Compression = Literal["gzip", "zstd"]
#: what a file holds, told by its first bytes
FileFormat = Literal["parquet", "zip", "xml", "json", "text"]

#: how much of a file is read to sniff it
HEAD_BYTES = 65536
#: the delimiters told from the text, in the order that breaks ties
DELIMITERS = (",", ";", "\t", "|")
#: the delimiter of whitespace-separated text: runs of spaces and tabs, no quoting
WHITESPACE = "whitespace"

_GZIP_MAGIC = b"\x1f\x8b"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_DELIMITER_NAMES = {
    "tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|",
    "whitespace": WHITESPACE, "spaces": WHITESPACE, "space+": WHITESPACE,
}  # fmt: skip
#: byte-order marks, longest first (a UTF-32 mark starts like a UTF-16 one)
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
#: Python's codec -> the name DuckDB and Spark read it by, for the encodings both read
_NATIVE = {"utf-8": "utf-8", "utf-16-le": "utf-16", "iso8859-1": "latin-1"}
#: codecs without a byte order, resolved by the file's byte-order mark (else little-endian)
_BYTE_ORDERED = frozenset({"utf-16", "utf-32"})


# ---- which files -----------------------------------------------------------------------------


def local_files(source: str) -> list[Path]:
    """The local files ``source`` names: a file, a folder (files below it, ``.`` and ``_``
    names left out) or a glob, in path order; none for a URL or a path that does not exist.
    A path that exists as written is that path, even with glob characters in its name
    (``glob[ab].csv``): it is a glob only when no such file or folder exists."""
    if re.match(r"^[a-z][a-z0-9+.-]*://", source) and not source.startswith("file://"):
        return []
    source = source.removeprefix("file://")
    if is_glob(source):
        matches = sorted(glob(source, recursive=True))  # noqa: PTH207 - a glob as written
        return [Path(p) for p in matches if Path(p).is_file()]
    path = Path(source)
    if path.is_dir():
        below = path.rglob("*")
        return sorted(p for p in below if p.is_file() and not p.name.startswith((".", "_")))
    return [path] if path.is_file() else []


def is_glob(source: str) -> bool:
    """Whether ``source`` is read as a glob: it has ``*``, ``?`` or ``[`` and no file or
    folder of that very name exists (a literal name comes first)."""
    return any(c in source for c in "*?[") and not Path(source).exists()


# ---- compression and bytes -------------------------------------------------------------------


def compression_of(path: Path) -> Compression | None:
    """gzip or zstd, from the file's magic bytes (not its name); ``None`` when neither."""
    with path.open("rb") as raw:
        magic = raw.read(4)
    if magic[:2] == _GZIP_MAGIC:
        return "gzip"
    if magic == _ZSTD_MAGIC:
        return "zstd"
    return None


@contextlib.contextmanager
def open_bytes(path: Path) -> Iterator[IO[bytes]]:
    """The file's bytes, decompressed when it is gzip. A zstd file is refused: Python cannot
    read it (the engine reads zstd CSV and JSON itself)."""
    with path.open("rb") as raw:
        magic = raw.read(4)
        raw.seek(0)
        if magic[:2] == _GZIP_MAGIC:
            with gzip.GzipFile(fileobj=raw) as unzipped:
                yield cast(IO[bytes], unzipped)
        elif magic == _ZSTD_MAGIC:
            raise UsageError(
                f"{path}: zstd-compressed; only the DuckDB engine reads zstd, and only CSV and "
                "JSON Lines: decompress it first (zstd -d)"
            )
        else:
            yield raw


def head(path: Path, size: int = HEAD_BYTES) -> bytes:
    """The first ``size`` bytes of the file, decompressed; nothing for a zstd file."""
    if compression_of(path) == "zstd":
        return b""
    with open_bytes(path) as stream:
        return stream.read(size)


# ---- encodings -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Encoding:
    """The text encoding of a file, as every reader decides it (see the module docstring)."""

    #: Python's codec, with its byte order (``utf-8``, ``utf-16-le``, ``iso8859-1``, ``cp1252``)
    codec: str
    #: as messages name it: the name given, else the codec
    name: str
    #: how it was decided
    how: Literal["given", "byte-order mark", "default"]
    #: whether the file starts with a byte-order mark
    bom: bool = False

    @property
    def native(self) -> str | None:
        """The name DuckDB and Spark read this encoding by (``utf-8``, ``utf-16``,
        ``latin-1``), or ``None`` when the engines cannot read it and it must be converted."""
        return _NATIVE.get(self.codec)

    @property
    def python(self) -> str:
        """The codec that decodes the file from its first byte, byte-order mark included."""
        if not self.bom:
            return self.codec
        return "utf-8-sig" if self.codec == "utf-8" else self.codec[: -len("-le")]


def _bom(data: bytes) -> str | None:
    return next((codec for mark, codec in _BOMS if data.startswith(mark)), None)


def encoding_of(start: bytes, given: str | None = None) -> Encoding:
    """The encoding of a file that starts with ``start`` (its first bytes, decompressed):
    ``given`` (any name Python knows), else by its byte-order mark, else UTF-8. A UTF-16 or
    UTF-32 name without a byte order takes it from the byte-order mark (else little-endian).
    Raises :class:`UsageError` for a name that is not a text encoding."""
    marked = _bom(start)
    if given is None:
        if marked is None:
            return Encoding("utf-8", "utf-8", "default")
        shown = marked.removesuffix("-le").removesuffix("-be")
        return Encoding(marked, shown, "byte-order mark", bom=True)
    try:
        info = codecs.lookup(given.strip())
    except LookupError:
        info = None
    if info is None or not getattr(info, "_is_text_encoding", True):
        raise UsageError(
            f"unknown or unsupported encoding {given!r}; expected the name of a text encoding, "
            "e.g. utf-8, utf-16, latin-1, cp1252"
        )
    codec = "utf-8" if info.name == "utf-8-sig" else info.name
    if codec in _BYTE_ORDERED:
        codec = marked if marked is not None and marked.startswith(codec) else f"{codec}-le"
    bom = marked is not None and marked == codec
    return Encoding(codec, given.strip(), "given", bom)


def decode(data: bytes, encoding: Encoding, *, whole: bool = True) -> str:
    """The text of ``data``, without its byte-order mark: a whole file, or (``whole=False``)
    its head, whose last character may be cut off (it is left out). Raises
    :class:`UnicodeDecodeError`, whose ``start`` is the offset of the first byte that is not
    text in the encoding."""
    decoder = codecs.getincrementaldecoder(encoding.python)()
    return decoder.decode(data, final=whole)


def first_lines(text: str, lines: int = 50) -> list[str]:
    """The first ``lines`` lines of ``text``, ends kept, split as files are read
    (``\\n``, ``\\r\\n``, ``\\r``; not at the other characters ``str.splitlines`` takes)."""
    import io
    import itertools

    return list(itertools.islice(io.StringIO(text, newline=""), lines))


def not_text(where: str, encoding: Encoding, byte: int) -> str:
    """The message for a file that is not text in its encoding."""
    return (
        f"{where}: not {encoding.name} text (byte {byte} cannot be decoded); give the encoding "
        "with --encoding (e.g. latin-1, cp1252, utf-16)"
    )


@contextlib.contextmanager
def open_text(path: Path, encoding: Encoding) -> Iterator[IO[str]]:
    """The file as text (decompressed, byte-order mark dropped), lines as they are
    (``newline=""``: ``\\r\\n`` stays, as the csv module wants it)."""
    import io

    with open_bytes(path) as stream:
        yield io.TextIOWrapper(stream, encoding=encoding.python, newline="")


def head_lines(path: Path, encoding: Encoding, lines: int = 50) -> list[str]:
    """The first ``lines`` lines of the file as text (line ends kept); raises
    :class:`UnicodeDecodeError` for bytes that are not text in the encoding."""
    return first_lines(decode(head(path), encoding, whole=False), lines)


def transcode(path: Path, encoding: Encoding, out: Path, *, where: str) -> None:
    """Write the file's text (decompressed) to ``out`` as UTF-8, streamed: for an engine
    that cannot read ``encoding`` itself. Raises :class:`EvidenceError` (:func:`not_text`)
    at the first byte that is not text in the encoding."""
    from journeymap.errors import EvidenceError

    decoder = codecs.getincrementaldecoder(encoding.python)()
    offset = 0
    with open_bytes(path) as src, out.open("wb") as dst:
        while True:
            chunk = src.read(1 << 22)
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:  # exc.object: bytes held from before + chunk
                byte = offset - (len(exc.object) - len(chunk)) + exc.start
                raise EvidenceError(not_text(where, encoding, byte)) from None
            dst.write(text.encode("utf-8"))
            if not chunk:
                break
            offset += len(chunk)


# ---- delimiters and records ------------------------------------------------------------------


def _named(given: str) -> str:
    """A delimiter as the caller gave it: one character, a name, or whitespace."""
    char = _DELIMITER_NAMES.get(given.lower(), given)
    if char != WHITESPACE and len(char) != 1:
        raise UsageError(
            f"delimiter {given!r}: expected one character (',', ';', tab, '|', ...) or "
            "'whitespace' (fields separated by runs of spaces)"
        )
    return char


def _unquoted(line: str) -> str:
    return re.sub(r'"[^"]*"', "", line)


def _looks_whitespace(lines: Sequence[str]) -> bool:
    """Fields separated by runs of blanks: a first line of >= 2 fields, most lines with as
    many, no quotes (a header with spaces over a one-column file does not pass)."""
    rows = [line.split() for line in lines if line.strip()]
    if not rows or len(rows[0]) < 2 or any('"' in line for line in lines):
        return False
    data = rows[1:]
    return 2 * sum(len(r) == len(rows[0]) for r in data) >= len(data)


def delimiter_of(
    lines: Sequence[str], *, given: str | None = None, name: str = "", whitespace: bool = True
) -> str:
    """The delimiter of delimited text whose first lines are ``lines`` (see the module
    docstring): a character, or :data:`WHITESPACE`. ``name`` is the file's name (``.tsv``
    means tab); ``whitespace=False`` for a reader that cannot split on blanks (``,`` then)."""
    if given is not None:
        return _named(given)
    if re.search(r"\.(tsv|tab)(\.(gz|gzip|zst|zstd))?$", name.lower()):
        return "\t"
    for line in lines:
        counts = {d: _unquoted(line).count(d) for d in DELIMITERS}
        best = max(DELIMITERS, key=lambda d: counts[d])  # ties: the first
        if counts[best]:
            return best
        if whitespace and line.strip():  # the header has none: whitespace, or a title line
            if _looks_whitespace([x for x in lines if x.strip()]):
                return WHITESPACE
            whitespace = False
    return ","


class RecordError(csv.Error):
    """Delimited text the csv module cannot split (a field over its size limit, ...);
    ``line`` is where the record that cannot be read starts."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def records(lines: Iterable[str], delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(the line where it starts, its fields) of every record of delimited text, from 1;
    a blank line is a record without fields. Quotes are ``"`` (doubled inside a field), so a
    field may hold delimiters and line breaks; whitespace-separated text has no quoting.
    Raises :class:`RecordError` for text the csv module cannot split."""
    if delimiter == WHITESPACE:
        for number, line in enumerate(lines, 1):
            yield number, line.split()
        return
    read: list[str] = []  # the lines of the record being read (the reader never reads ahead)

    def feed() -> Iterator[str]:
        for line in lines:
            read.append(line)
            yield line

    reader = csv.reader(feed(), delimiter=delimiter, quotechar='"', doublequote=True)
    consumed = 0
    last: list[str] = []
    while True:
        read.clear()
        try:
            fields = next(reader)
        except StopIteration:
            _check_closed(last, delimiter, consumed - len(last) + 1)
            return
        except csv.Error as exc:
            raise RecordError(str(exc), consumed + 1) from None
        start, consumed = consumed + 1, reader.line_num
        last = list(read) if len(read) > 1 else []
        yield start, fields


def _check_closed(last: list[str], delimiter: str, start: int) -> None:
    """The last record, when it spans lines, must close its quotes: an unclosed quote makes
    the csv module read the rest of the file into one field, every row after it lost
    without a word. Raises :class:`RecordError` at the line the quote opens."""
    if not last:
        return
    try:
        list(csv.reader(last, delimiter=delimiter, quotechar='"', doublequote=True, strict=True))
    except csv.Error as exc:
        if "end of data" not in str(exc):  # another quirk the lenient reader took as it is
            return
        raise RecordError(
            f"a quote opened here is never closed: the rest of the file ({len(last):,} lines) "
            "would be read as one field",
            start,
        ) from None


class Repeated(NamedTuple):
    """Two columns of a header named alike: their names and positions (from 1)."""

    first_name: str
    second_name: str
    first: int
    second: int


def repeated_name(header: Sequence[object], *, fold_case: bool = False) -> Repeated | None:
    """The first two columns a header names alike (trimmed; ``fold_case``: also names that
    differ only in case, which DuckDB cannot tell apart), empty names aside; ``None`` when
    every name is its own."""
    seen: dict[str, tuple[str, int]] = {}
    for i, raw in enumerate(header, 1):
        name = str(raw).strip() if raw is not None else ""
        if not name:
            continue
        key = name.lower() if fold_case else name
        if key in seen:
            return Repeated(seen[key][0], name, seen[key][1], i)
        seen[key] = (name, i)
    return None


def column_letter(position: int) -> str:
    """A spreadsheet's name of a column: 1 -> A, 26 -> Z, 27 -> AA."""
    letters = ""
    while position:
        position, rem = divmod(position - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def unique_names(header: Sequence[object]) -> list[str]:
    """Column names from a header: trimmed, an empty one ``columnN`` (its position), one
    that would repeat a name with ``_2``, ``_3``, ... (readers refuse a header that writes
    a name twice first: :func:`repeated_name`)."""
    names: list[str] = []
    seen: set[str] = set()
    for i, raw in enumerate(header):
        base = (str(raw).strip() if raw is not None else "") or f"column{i + 1}"
        name, n = base, 1
        while name in seen:
            n += 1
            name = f"{base}_{n}"
        seen.add(name)
        names.append(name)
    return names


# ---- spreadsheets ---------------------------------------------------------------------------

#: the most cells the merged ranges of a sheet may cover when a reader fills them (a
#: hostile file can merge A1:XFD1048576, 17 billion cells, in 40 bytes)
MERGED_CELLS_MAX = 100_000
#: a merged range in a sheet's XML: ``<mergeCell ref="A2:A4"/>`` (any namespace prefix)
_MERGE_CELL = re.compile(
    rb"<(?:\w+:)?mergeCell\b[^>]*?\bref\s*=\s*[\"']([A-Za-z]+\d+(?::[A-Za-z]+\d+)?)[\"']"
)


def merged_cells(path: Path, part: str) -> list[tuple[int, int, int, int]]:
    """The merged ranges of the sheet stored at ``part`` of the XLSX file ``path`` (e.g.
    ``xl/worksheets/sheet1.xml``), as (first row, first column, last row, last column),
    1-based, top to bottom. The XML is scanned as bytes, streamed (the
    ranges come after the cells, so a sheet is read once more, without parsing it)."""
    import zipfile

    from openpyxl.utils.cell import range_boundaries

    found: list[tuple[int, int, int, int]] = []
    with zipfile.ZipFile(path) as book, book.open(part.lstrip("/")) as sheet:
        tail = b""
        while True:
            chunk = sheet.read(1 << 20)
            data = tail + chunk
            end = 0
            for m in _MERGE_CELL.finditer(data):
                col1, row1, col2, row2 = range_boundaries(m.group(1).decode("ascii").upper())
                found.append((int(row1), int(col1), int(row2), int(col2)))
                end = m.end()
            if not chunk:
                return sorted(found)
            tail = data[max(end, len(data) - 256) :]


# ---- what a file holds -----------------------------------------------------------------------


def format_of(path: Path) -> FileFormat | None:
    """What a file holds, from its first bytes (decompressed): Parquet, a zip archive (XLSX),
    XML, JSON (an object or an array), text; ``None`` when it cannot be told (binary, zstd)."""
    with path.open("rb") as raw:
        magic = raw.read(4)
    if magic == b"PAR1":
        return "parquet"
    if magic == b"PK\x03\x04":
        return "zip"
    try:
        start = head(path, 4096)
        text = decode(start, encoding_of(start), whole=False).lstrip()
    except (OSError, EOFError, UnicodeDecodeError):
        return None
    if not start or "\x00" in text:
        return None
    if text.startswith("<"):
        return "xml"
    if text.startswith(("{", "[")):
        return "json"
    return "text"


def json_key_order(source: str) -> list[str]:
    """The keys of the first JSON object of a JSON Lines source (its first local file), in
    the file's order; none when that cannot be read."""
    files = local_files(source)
    if not files:
        return []
    try:
        start = head(files[0])
        text = decode(start, encoding_of(start), whole=False)
    except (OSError, EOFError, UnicodeDecodeError):
        return []
    for line in first_lines(text, lines=1000):
        if line.strip():
            try:
                obj = json.loads(line)
            except ValueError:
                return []
            return list(obj) if isinstance(obj, dict) else []
    return []
