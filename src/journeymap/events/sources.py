"""Opening the sources of event logs, and locating a row of them as an editor shows it.

Private to :mod:`journeymap.evidence`; the behaviour is described in
:mod:`journeymap.events.read`. Each opener returns a :class:`Source`: the table with the
input columns, the input position ``__jm_seq`` and the reader's own hidden ``__jm_*`` columns
(the file of a row in a folder or glob, the line of an XES event, the whole line of
whitespace-separated text), and what is needed to turn a position back into ``FILE:LINE``.
"""

from __future__ import annotations

import contextlib
import csv
import glob as globlib
import io
import itertools
import os
import re
import shutil
import tempfile
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from journeymap.engine.core import FILE_STRIDE
from journeymap.errors import EvidenceError, JourneyMapError, UsageError
from journeymap.events.xes import open_maybe_gzip

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from journeymap.engine.core import Engine

__all__ = [
    "FILE",
    "HIDDEN",
    "LINE",
    "SEQ",
    "TEXT",
    "Progress",
    "Source",
    "SourceKind",
    "backend_errors",
    "kind_of",
    "locate",
    "open_source",
    "with_seq",
]

#: Called with the stage of a read ("reading", "parsing times", "checking rows", ...).
Progress = Callable[[str], None]

HIDDEN = "__jm_"  # prefix of the columns the reader adds for itself
FILE = "__jm_file"  # the file of a row, for folders and globs
LINE = "__jm_line"  # the line of a row in an XES file
TEXT = "__jm_text"  # a whole line of whitespace-separated text
SEQ = "__jm_seq"  # the input position
ROW = "__jm_row"  # the row in its file, from 0 (Parquet)

SourceKind = Literal["csv", "parquet", "json", "xes", "duckdb", "ibis"]
_ENCODINGS = {
    "utf-8": "utf-8", "utf8": "utf-8", "utf-8-sig": "utf-8",
    "utf-16": "utf-16", "utf16": "utf-16",
    "latin-1": "latin-1", "latin1": "latin-1", "iso-8859-1": "latin-1", "iso8859-1": "latin-1",
    "l1": "latin-1",
}  # fmt: skip
_PY_CODEC = {"utf-8": "utf-8-sig", "utf-16": "utf-16", "latin-1": "latin-1"}
_DELIMITERS = (",", ";", "\t", "|")
_DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def kind_of(source: str) -> SourceKind:
    """The kind of a path: from its suffix, a folder is Parquet, else from its first bytes."""
    low = source.lower()
    if re.search(r"\.(duckdb|ddb|db):[^/\\]+$", low):
        return "duckdb"
    stripped = re.sub(r"\.(gz|gzip|zst)$", "", low)
    if stripped.endswith(".xes"):
        return "xes"
    if stripped.endswith((".parquet", ".pq")) or Path(source).is_dir():
        return "parquet"
    if stripped.endswith((".jsonl", ".ndjson", ".json")):
        return "json"
    if stripped.endswith((".csv", ".tsv", ".txt", ".tab")):
        return "csv"
    sniffed = _kind_by_content(Path(source)) if Path(source).is_file() else None
    if sniffed:
        return sniffed
    raise UsageError(
        f"{source}: cannot tell the format from the name; expected .csv, .tsv, .txt, .parquet, "
        ".jsonl, .json, .xes (each optionally .gz), a folder of Parquet files, or "
        "FILE.duckdb:TABLE"
    )


def _kind_by_content(path: Path) -> SourceKind | None:
    """The format of a file without a known suffix, from its first bytes."""
    with path.open("rb") as raw:
        if raw.read(4) == b"PAR1":
            return "parquet"
    try:
        with open_maybe_gzip(path) as stream:
            head = stream.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    except (OSError, EOFError):
        return None
    if head.startswith(b"<"):
        return "xes"
    if head.startswith(b"{"):
        return "json"
    if head and b"\x00" not in head:
        return "csv"
    return None


def _compression(path: Path) -> str | None:
    """DuckDB's ``compression`` option for a file, from its magic bytes."""
    with path.open("rb") as raw:
        magic = raw.read(4)
    if magic[:2] == b"\x1f\x8b":
        return "gzip"
    if magic == _ZSTD_MAGIC:
        return "zstd"
    return None


def _check_compression_name(
    engine: Engine, source: str, compression: str | None, *, where: str
) -> None:
    """Spark tells compression by the file name only: say so rather than read garbage."""
    suffix = {"gzip": (".gz", ".gzip"), "zstd": (".zst", ".zstd")}.get(compression or "")
    if engine.kind != "duckdb" and suffix and not source.lower().endswith(suffix):
        raise UsageError(
            f"{where}: the file is {compression}-compressed but its name does not end in "
            f"{suffix[0]}; the Spark engine tells compression by the name, so rename the file"
        )


def _encoding(path: Path, given: str | None) -> str:
    """DuckDB's name of the text encoding: the given one, else from a byte-order mark."""
    if given is not None:
        name = _ENCODINGS.get(given.strip().lower().replace("_", "-"))
        if name is None:
            raise UsageError(
                f"unknown or unsupported encoding {given!r}; expected utf-8, utf-16 or latin-1"
            )
        return name
    if _compression(path) == "zstd":
        return "utf-8"
    with open_maybe_gzip(path) as stream:
        bom = stream.read(2)
    return "utf-16" if bom in (b"\xff\xfe", b"\xfe\xff") else "utf-8"


@contextlib.contextmanager
def _text(path: Path, encoding: str) -> Iterator[io.TextIOWrapper]:
    """The file as text (decompressed), lines as they are (``newline=""``)."""
    with open_maybe_gzip(path) as stream:
        yield io.TextIOWrapper(stream, encoding=_PY_CODEC[encoding], newline="")


@dataclass(frozen=True)
class _Layout:
    """How a text file is split into fields: a delimiter (``None``: whitespace) and the header."""

    delimiter: str | None
    header: list[str]


def _delimiter_option(given: str) -> str | None:
    """A ``delimiter`` argument as a character; ``None`` for whitespace."""
    low = given.lower()
    if low in ("whitespace", "space+", "spaces"):
        return None
    char = _DELIMITER_NAMES.get(low, given)
    if len(char) != 1:
        raise UsageError(
            f"delimiter {given!r}: expected one character (',', ';', tab, '|', ...) or "
            "'whitespace' (fields separated by runs of spaces)"
        )
    return char


def _layout(path: Path, encoding: str, delimiter: str | None, *, where: str) -> _Layout:
    """Delimiter and header of a delimited text file, read from its first lines (``where``:
    the file as messages name it)."""
    try:
        with _text(path, encoding) as text:
            lines = list(itertools.islice(text, 50))
    except UnicodeDecodeError as exc:
        raise EvidenceError(
            f"{where}: not {encoding} text (byte {exc.start} cannot be decoded); give the "
            "encoding with --encoding (utf-8, utf-16 or latin-1)"
        ) from None
    except (OSError, EOFError) as exc:
        raise EvidenceError(f"{where}: cannot read: {exc}") from None
    if not lines:
        raise EvidenceError(f"{where}: the file is empty (a header line is expected)")
    first = lines[0]
    if delimiter is not None:
        sep = _delimiter_option(delimiter)
    else:
        unquoted = re.sub(r'"[^"]*"', "", first)
        counts = {d: unquoted.count(d) for d in _DELIMITERS}
        best = max(_DELIMITERS, key=lambda d: counts[d])
        sep = best if counts[best] else (None if _looks_whitespace(lines) else ",")
    if sep is None:
        header = first.split()
    else:
        header = next(csv.reader(lines, delimiter=sep, quotechar='"'), [])
    return _Layout(sep, _unique_names(header))


def _looks_whitespace(lines: list[str]) -> bool:
    """Fields separated by runs of blanks: a header of >= 2 fields, most lines with as many,
    no quotes (a header with spaces over a one-column file does not pass: its lines differ)."""
    rows = [line.split() for line in lines if line.strip()]
    if not rows or len(rows[0]) < 2 or any('"' in line for line in lines):
        return False
    data = rows[1:]
    return 2 * sum(len(r) == len(rows[0]) for r in data) >= len(data)


def _unique_names(header: list[str]) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    for i, raw in enumerate(header):
        name = raw.strip() or f"column{i + 1}"
        base, n = name, 1
        while name in seen:
            n += 1
            name = f"{base}_{n}"
        seen.add(name)
        names.append(name)
    return names


@dataclass
class Source:
    """An opened source: its table (input columns, hidden ``__jm_*`` columns and the input
    position ``__jm_seq``) and what is needed to locate a row in it."""

    table: ir.Table
    kind: SourceKind
    label: str
    #: how a row's position maps to what an editor shows (see *Row numbers*)
    lines: Literal["csv", "whitespace", "json", "xes", "rows"] = "rows"
    #: the table before blank lines were left out (whitespace text), for file offsets
    scan: ir.Table | None = None
    multi: bool = False
    #: the file itself, when the source is one file (``label`` may be another name for it)
    path: Path | None = None
    #: ``seq`` is file rank * FILE_STRIDE + row in the file (folders and globs of Parquet)
    packed: bool = False
    #: the files by rank (from 1), when rows do not carry their file (Spark)
    files: list[Path] = field(default_factory=list)
    encoding: str = "utf-8"
    delimiter: str = ","
    fields: int = 0


def with_seq(engine: Engine, table: ir.Table) -> ir.Table:
    """``table`` with its input position ``__jm_seq`` (1-based): the engine numbers the rows
    of a fresh scan in file order (DuckDB: a streaming ``row_number() over ()``)."""
    return engine.number_rows(table, name=SEQ)


def _read(engine: Engine, reader: str, path: str, **options: Any) -> ir.Table:
    """``read_csv`` / ``read_parquet`` / ``read_json`` of the backend, with DuckDB's options.

    :class:`Engine`'s own readers take no options; on DuckDB the backend is called with them
    (encoding, compression, explicit columns, the file name of each row), elsewhere the
    engine's reader is used as it is.
    """
    if engine.kind == "duckdb":
        return getattr(engine.backend, reader)(path, **options)
    if reader == "read_csv":
        return engine.read_csv(path, delimiter=options.get("delim"))
    return getattr(engine, reader)(path)


def _files(source: str, label: str) -> list[Path]:
    """The files of a glob, in name order (DuckDB's order)."""
    matches = globlib.glob(source, recursive=True)  # noqa: PTH207 - an absolute or relative pattern
    found = [Path(p) for p in sorted(matches) if Path(p).is_file()]  # by string, as DuckDB
    if not found:
        raise EvidenceError(f"{label}: no file matches")
    return found


def open_source(
    engine: Engine,
    source: str,
    kind: SourceKind,
    *,
    label: str,
    delimiter: str | None,
    encoding: str | None,
    progress: Progress,
) -> Source:
    """Open a path of the given kind; see :mod:`journeymap.events.read` for the formats.

    A local path is made absolute first: an engine may not share our working directory (a
    Spark JVM keeps the one it started in).
    """
    if not re.match(r"^[a-z][a-z0-9+.-]*://", source):
        source = os.path.abspath(source)  # noqa: PTH100 - keeps globs and FILE.duckdb:TABLE
    opened = _open_any(
        engine, source, kind, label=label, delimiter=delimiter, encoding=encoding,
        progress=progress,
    )  # fmt: skip
    if not opened.multi and Path(source).is_file():
        opened.path = Path(source)
    return opened


def _open_any(
    engine: Engine,
    source: str,
    kind: SourceKind,
    *,
    label: str,
    delimiter: str | None,
    encoding: str | None,
    progress: Progress,
) -> Source:
    globbed = any(c in source for c in "*?[")
    if kind not in ("duckdb", "parquet") and not globbed and not Path(source).exists():
        raise EvidenceError(f"{label}: no such file")
    with backend_errors(label, kind):
        if kind == "csv":
            return _open_text(engine, source, label=label, delimiter=delimiter, encoding=encoding)
        if kind == "parquet":
            path, multi = source, globbed
            if Path(source).is_dir():
                path, multi = str(Path(source) / "**" / "*.parquet"), True
            return _open_parquet(engine, path, label=label, multi=multi)
        if kind == "json":
            return _open_json(engine, source, label=label, globbed=globbed)
        if kind == "xes":
            from journeymap.events.xes import xes_to_parquet

            progress("converting XES to Parquet")
            folder = Path(tempfile.mkdtemp(prefix="journeymap-xes-"))
            weakref.finalize(engine, shutil.rmtree, folder, True)
            out = folder / "log.parquet"
            xes_to_parquet(source, out, line_column=LINE, name=label, progress=progress)
            opened = _open_parquet(engine, str(out), label=label, multi=False)
            return Source(opened.table, kind, label, lines="xes")
        if kind == "duckdb":
            db, _, name = source.rpartition(":")
            if not Path(db).exists():
                raise EvidenceError(f"{label.rpartition(':')[0]}: no such DuckDB database")
            if engine.kind != "duckdb":
                raise UsageError("FILE.duckdb:TABLE sources need the DuckDB engine")
            alias = f"src_{abs(hash(str(Path(db).resolve()))) % 10**8}"
            try:
                engine.backend.attach(db, name=alias, read_only=True)
            except Exception as exc:  # attached by an earlier read: keep that attachment
                # (ibis' list_catalogs() fails on duckdb 2.0, so we ask for forgiveness)
                if "already" not in str(exc).lower():
                    raise
            return Source(
                with_seq(engine, engine.table(name, database=(alias, "main"))), kind, label
            )
    raise AssertionError(kind)  # pragma: no cover


def _open_parquet(engine: Engine, path: str, *, label: str, multi: bool) -> Source:
    """Parquet, with ``seq`` from the row numbers the reader gives (no ordered pass).

    DuckDB numbers the rows of each file while reading in parallel (``file_row_number``), so
    the input position costs nothing: a single file's ``seq`` is the row in the file; for a
    folder or glob, the rank of the file by path (from 1) times ``FILE_STRIDE`` plus the row
    in the file. Spark gives the same numbers (``Engine.number_rows(per_file=True)``). When
    the file has a column called ``file_row_number`` itself, the position is the engine's
    ``number_rows`` over the scan.
    """
    import ibis

    if engine.kind != "duckdb":
        table = engine.read_parquet(path)
        if not multi:
            return Source(with_seq(engine, table), "parquet", label)
        numbered = engine.number_rows(table, name=SEQ, per_file=True)
        return Source(numbered, "parquet", label, packed=True, files=_files(path, label))
    opts: dict[str, Any] = {"file_row_number": True}
    if multi:
        opts |= {"filename": FILE, "union_by_name": True}
    try:
        table = _read(engine, "read_parquet", path, **opts).rename({ROW: "file_row_number"})
    except Exception as exc:  # the user's file has its own file_row_number column
        if "file_row_number" not in str(exc):
            raise
        del opts["file_row_number"]
        table = with_seq(engine, _read(engine, "read_parquet", path, **opts))
        return Source(table, "parquet", label, multi=multi)
    row = table[ROW].cast("int64") + 1
    if not multi:
        return Source(table.mutate(**{SEQ: row}).drop(ROW), "parquet", label)
    files = table.select(FILE).distinct()
    rank = (ibis.rank().over(order_by=files[FILE]) + 1).cast("int64")  # ibis' rank is 0-based
    files = files.mutate(__jm_rank=rank)
    table = table.join(files, FILE)
    seq = table["__jm_rank"] * FILE_STRIDE + row
    table = table.mutate(**{SEQ: seq}).drop(ROW, "__jm_rank")
    return Source(table, "parquet", label, multi=True, packed=True)


def _open_text(
    engine: Engine, source: str, *, label: str, delimiter: str | None, encoding: str | None
) -> Source:
    """CSV or whitespace-separated text: the dialect is read here and given to the reader."""
    multi = any(c in source for c in "*?[")
    first = _files(source, label)[0] if multi else Path(source)
    where = _shown(str(first)) if multi else label
    compression = _compression(first)
    _check_compression_name(engine, str(first), compression, where=where)
    enc = _encoding(first, encoding)
    opts: dict[str, Any] = {}
    if enc != "utf-8":
        opts["encoding"] = enc
    if compression:
        opts["compression"] = compression
    multi_file = multi and engine.kind == "duckdb"  # rows know their file
    if multi_file:
        opts["filename"] = FILE
    if compression == "zstd":  # Python cannot look inside: let DuckDB's sniffer do it all
        if delimiter:
            sep = _delimiter_option(delimiter)
            if sep is None:
                raise UsageError("whitespace-separated text cannot be read from zstd files")
            opts["delim"] = sep
        table = _read(engine, "read_csv", source, all_varchar=True, header=True, **opts)
        return Source(with_seq(engine, table), "csv", label, lines="csv", multi=multi_file)
    if delimiter is None and re.search(r"\.(tsv|tab)(\.gz)?$", source.lower()):
        delimiter = "\t"
    layout = _layout(first, enc, delimiter, where=where)
    if layout.delimiter is None:
        return _open_whitespace(engine, source, layout, label=label, multi=multi_file, opts=opts)
    columns = dict.fromkeys(layout.header, "VARCHAR")
    table = _read(
        engine, "read_csv", source, columns=columns, header=True, delim=layout.delimiter,
        quote='"', escape='"', auto_detect=False, **opts,
    )  # fmt: skip
    if engine.kind != "duckdb":
        table = table.rename(dict(zip(layout.header, table.columns, strict=False)))
    return Source(
        with_seq(engine, table), "csv", label, lines="csv", multi=multi_file, encoding=enc,
        delimiter=layout.delimiter,
    )  # fmt: skip


def _open_whitespace(
    engine: Engine, source: str, layout: _Layout, *, label: str, multi: bool, opts: dict[str, Any]
) -> Source:
    """Each line as one text, split on runs of blanks by the engine (no quoting)."""
    import ibis

    if engine.kind == "duckdb":
        raw = _read(
            engine, "read_csv", source, columns={TEXT: "VARCHAR"}, header=False, skip=1,
            delim="\x1f", quote="", escape="", auto_detect=False, **opts,
        )  # fmt: skip
    else:
        raw = engine.read_csv(source, delimiter="\x1f")
        raw = raw.rename({TEXT: raw.columns[0]})
    scan = with_seq(engine, raw)
    line = scan[TEXT].re_replace(r"^\s+|\s+$", "")
    kept = scan.filter(line.notnull() & (line != ""))
    parts = kept[TEXT].re_replace(r"^\s+|\s+$", "").re_split(r"\s+")
    n = parts.length()
    null = ibis.null("string")
    table = kept.mutate(  # a short line has no field there (Spark's element_at would throw)
        **{name: ibis.cases((n > i, parts[i]), else_=null) for i, name in enumerate(layout.header)},
        __jm_fields=n,
    )
    return Source(
        table, "csv", label, lines="whitespace", scan=scan, multi=multi,
        fields=len(layout.header),
    )  # fmt: skip


def _open_json(engine: Engine, source: str, *, label: str, globbed: bool) -> Source:
    """JSON Lines (or one JSON array of objects); values of mixed types as text."""
    import ibis.expr.datatypes as dt

    opts: dict[str, Any] = {"format": "newline_delimited", "sample_size": -1}
    lines: Literal["json", "rows"] = "json"
    multi = globbed and engine.kind == "duckdb"
    if multi:
        opts["filename"] = FILE
    elif not globbed:
        compression = _compression(Path(source))
        _check_compression_name(engine, source, compression, where=label)
        if compression:
            opts["compression"] = compression
        if compression != "zstd":
            with open_maybe_gzip(Path(source)) as stream:
                if stream.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"["):
                    opts["format"], lines = "array", "rows"
    table = _read(engine, "read_json", source, **opts)
    texts = {
        name: table[name].str.coalesce(table[name].cast("string").nullif("null"))
        for name, typ in table.schema().items()
        if isinstance(typ, dt.JSON)
    }
    if texts:  # a JSON string without its quotes, a number or an object as its JSON text
        table = table.mutate(**texts)
    return Source(with_seq(engine, table), "json", label, lines=lines, multi=multi)


_CSV_ERROR_LINE = re.compile(r"CSV Error on Line: (\d+)")
_CSV_FIELDS = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")
_CSV_ORIGINAL = re.compile(r"Original Line: (.*)")


def _explain(label: str, kind: str, exc: Exception) -> str:
    """A backend's error as one clear line."""
    text = str(exc).strip()
    line = _CSV_ERROR_LINE.search(text)
    fields = _CSV_FIELDS.search(text)
    if line and fields:
        original = _CSV_ORIGINAL.search(text)
        shown = f": {original.group(1)[:200]!r}" if original else ""
        return (
            f"{label}:{line.group(1)}: {fields.group(2)} fields where the header has "
            f"{fields.group(1)}{shown}"
        )
    if "unicode" in text.lower() and "encod" in text.lower():
        return (
            f"{label}: the text is not UTF-8; give the encoding with --encoding (utf-16 or latin-1)"
        )
    first = text.splitlines()[0] if text else type(exc).__name__
    return f"{label}: cannot read as {kind}: {first}"


@contextlib.contextmanager
def backend_errors(label: str, kind: str) -> Iterator[None]:
    """Turn the backends' own exceptions into :class:`EvidenceError`; ours pass through."""
    try:
        yield
    except JourneyMapError:
        raise
    except Exception as exc:  # the backends raise their own types; report them plainly
        raise EvidenceError(_explain(label, kind, exc)) from exc


# ---- locating rows --------------------------------------------------------------------------


def _csv_lines(path: Path, encoding: str, delimiter: str, records: set[int]) -> dict[int, int]:
    """Data record (1-based, as the reader counts them) -> the line where it starts.

    Lines are counted as an editor does (``\\n``, ``\\r\\n``, ``\\r``), the header being line 1;
    blank lines count as lines and are skipped as records, as DuckDB skips them.
    """
    found: dict[int, int] = {}
    if not records:
        return found
    last = max(records)
    with _text(path, encoding) as text:
        reader = csv.reader(text, delimiter=delimiter, quotechar='"', doublequote=True)
        consumed, index = 0, -1  # the header is record 0
        try:
            for fields in reader:
                start, consumed = consumed + 1, reader.line_num
                if not fields:
                    continue
                index += 1
                if index in records:
                    found[index] = start
                if index >= last:
                    break
        except csv.Error:  # a field larger than csv's limit: locate the rest as 1 line each
            pass
    return found


def _json_lines(path: Path, records: set[int]) -> dict[int, int]:
    """JSON Lines record (1-based, blank lines skipped) -> its line."""
    found: dict[int, int] = {}
    if not records:
        return found
    last, index = max(records), 0
    with _text(path, "utf-8") as text:
        for number, line in enumerate(text, start=1):
            if not line.strip():
                continue
            index += 1
            if index in records:
                found[index] = number
            if index >= last:
                break
    return found


def _shown(path: str) -> str:
    """A file of a folder or glob as the user would write it: relative when under the cwd."""
    p = Path(path)
    try:
        return str(p.relative_to(Path.cwd()))
    except ValueError:
        return path


def locate(src: Source, engine: Engine, picked: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """(file, row as an editor shows it) of each picked rejected row."""
    firsts: dict[str, int] = {}
    if src.multi and not src.packed:
        files = sorted({str(r[FILE]) for r in picked})
        scan = src.scan if src.scan is not None else src.table
        got = engine.run(
            scan.filter(scan[FILE].isin(files)).group_by(FILE).aggregate(first=scan[SEQ].min())
        ).to_pylist()
        firsts = {str(g[FILE]): int(g["first"]) for g in got}
    places: list[tuple[str | None, int]] = []
    for r in picked:
        seq = int(r["seq"])
        file = str(r[FILE]) if src.multi else None
        if src.packed and not src.multi and 0 < seq // FILE_STRIDE <= len(src.files):
            file = str(src.files[seq // FILE_STRIDE - 1])  # Spark: the file from its rank
        places.append(
            (file, seq % FILE_STRIDE if src.packed else seq - firsts.get(file or "", 1) + 1)
        )
    wanted: dict[str | None, set[int]] = {}
    for file, index in places:
        wanted.setdefault(file, set()).add(index)
    lines: dict[str | None, dict[int, int]] = {}
    for file, indexes in wanted.items():
        path = Path(file) if file else src.path
        if path is None:
            continue
        if src.lines == "csv" and path.is_file() and _compression(path) != "zstd":
            lines[file] = _csv_lines(path, src.encoding, src.delimiter, indexes)
        elif src.lines == "json" and path.is_file() and _compression(path) != "zstd":
            lines[file] = _json_lines(path, indexes)
    out: list[tuple[str, int]] = []
    for r, (file, index) in zip(picked, places, strict=True):
        label = _shown(file) if file else src.label
        if src.lines == "xes":
            row = int(r[LINE])
        elif src.lines in ("csv", "whitespace"):
            row = lines.get(file, {}).get(index, index + 1)  # +1: the header line
        elif src.lines == "json":
            row = lines.get(file, {}).get(index, index)
        else:
            row = index
        out.append((label, row))
    return out
