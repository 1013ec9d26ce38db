"""Opening the sources of event logs, and locating a row of them as an editor shows it.

Private to :mod:`journeymap.events`; the behaviour is described in
:mod:`journeymap.events.read`. Each opener returns a :class:`Source`: the table with the
input columns, the input position ``__jm_seq`` and the reader's own hidden ``__jm_*`` columns
(the file of a row in a folder or glob, the line of an XES event, the whole line of
whitespace-separated text), and what is needed to turn a position back into ``FILE:LINE``.
Files are found, sniffed and decoded by the file toolkit (:mod:`journeymap.engine.files`)
and read by the engine.
"""

from __future__ import annotations

import csv
import dataclasses
import os
import re
import shutil
import tempfile
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from journeymap.engine import FILE_STRIDE
from journeymap.engine.files import (
    WHITESPACE,
    Compression,
    Encoding,
    compression_of,
    delimiter_of,
    encoding_of,
    format_of,
    head,
    head_lines,
    is_glob,
    local_files,
    not_text,
    open_text,
    records,
    repeated_name,
    transcode,
    unique_names,
)
from journeymap.engine.reading import repeated_column
from journeymap.errors import EvidenceError, UsageError
from journeymap.events._broken import backend_errors, refuse_bad_json, shown

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from journeymap.engine import Engine

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
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://")
#: what a file without a known suffix holds -> how it is read
_BY_CONTENT: dict[str, SourceKind] = {
    "parquet": "parquet", "xml": "xes", "json": "json", "text": "csv",
}  # fmt: skip


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
    sniffed = format_of(Path(source)) if Path(source).is_file() else None
    if sniffed in _BY_CONTENT:
        return _BY_CONTENT[sniffed]
    raise UsageError(
        f"{source}: cannot tell the format from the name; expected .csv, .tsv, .txt, .parquet, "
        ".jsonl, .json, .xes (each optionally .gz), a folder of Parquet files, or "
        "FILE.duckdb:TABLE"
    )


def _check_compression_name(
    engine: Engine, source: str, compression: Compression | None, *, where: str
) -> None:
    """Spark tells compression by the file name only: say so rather than read garbage."""
    suffix = {"gzip": (".gz", ".gzip"), "zstd": (".zst", ".zstd")}.get(compression or "")
    if engine.kind != "duckdb" and suffix and not source.lower().endswith(suffix):
        raise UsageError(
            f"{where}: the file is {compression}-compressed but its name does not end in "
            f"{suffix[0]}; the Spark engine tells compression by the name, so rename the file"
        )


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
    encoding: Encoding = field(default_factory=lambda: encoding_of(b""))
    delimiter: str = ","
    fields: int = 0


def with_seq(engine: Engine, table: ir.Table) -> ir.Table:
    """``table`` with its input position ``__jm_seq`` (1-based): the engine numbers the rows
    of a fresh scan in file order (DuckDB: a streaming ``row_number() over ()``)."""
    return engine.number_rows(table, name=SEQ)


@dataclass(frozen=True)
class _Request:
    """A source to open, as :func:`open_source` was asked."""

    engine: Engine
    source: str
    label: str
    delimiter: str | None
    encoding: str | None
    progress: Progress

    @property
    def globbed(self) -> bool:
        return is_glob(self.source)

    def files(self) -> list[Path]:
        """The files of the source, in path order (DuckDB's order)."""
        found = local_files(self.source)
        if not found:
            raise EvidenceError(f"{self.label}: no file matches")
        return found

    def scratch(self, prefix: str) -> Path:
        """A folder of our own, removed with the engine (converted copies of files)."""
        folder = Path(tempfile.mkdtemp(prefix=f"journeymap-{prefix}-"))
        weakref.finalize(self.engine, shutil.rmtree, folder, True)
        return folder


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
    if not _URL.match(source):
        source = os.path.abspath(source)  # noqa: PTH100 - keeps globs and FILE.duckdb:TABLE
    asked = _Request(engine, source, label, delimiter, encoding, progress)
    if kind != "duckdb" and any(c in source for c in "*?[") and Path(source).exists():
        # a file named glob[ab].csv: the engines glob every path they are given (DuckDB
        # cannot escape a bracket), so they read it through a link of a plain name
        asked = dataclasses.replace(asked, source=_plain_link(asked))
    if kind not in ("duckdb", "parquet") and not asked.globbed and not Path(source).exists():
        raise EvidenceError(f"{label}: no such file")
    openers: dict[SourceKind, Callable[[_Request], Source]] = {
        "csv": _open_text, "parquet": _open_parquet_source, "json": _open_json,
        "xes": _open_xes, "duckdb": _open_duckdb,
    }  # fmt: skip
    with backend_errors(engine, label, kind):
        opened = openers[kind](asked)
    if not opened.multi and Path(source).is_file():
        opened.path = Path(source)
    return opened


def _plain_link(asked: _Request) -> str:
    """A link to the file or folder ``asked.source`` under a name without glob characters,
    in a folder of our own (removed with the engine); a copy where links cannot be made."""
    real = Path(asked.source)
    link = asked.scratch("link") / re.sub(r"[*?\[\]]", "_", real.name)
    try:
        link.symlink_to(real, target_is_directory=real.is_dir())
    except OSError:
        if real.is_dir():
            shutil.copytree(real, link)
        else:
            shutil.copyfile(real, link)
    return str(link)


def _open_parquet_source(asked: _Request) -> Source:
    """A Parquet file, folder or glob."""
    path, multi = asked.source, asked.globbed
    if Path(path).is_dir():
        path, multi = str(Path(path) / "**" / f"*{_folder_suffix(asked)}"), True
    return _open_parquet(asked.engine, path, label=asked.label, multi=multi)


#: how a file of a folder is read, by its name: its kind and how messages call it
_FOLDER_KINDS: tuple[tuple[str, str], ...] = (
    (r"\.parquet$", "Parquet"), (r"\.pq$", "Parquet (.pq)"),
    (r"\.(csv|tsv|txt|tab)(\.(gz|gzip|zst))?$", "CSV or text"),
    (r"\.(jsonl|ndjson|json)(\.(gz|gzip|zst))?$", "JSON"), (r"\.xes(\.(gz|gzip))?$", "XES"),
)  # fmt: skip


def _folder_suffix(asked: _Request) -> str:
    """The suffix of the files a folder is read by (``.parquet``, or ``.pq`` when all are);
    a folder that holds files of another kind as well, or none of Parquet, is refused naming
    them: reading one kind would leave the others out without a word."""
    by_kind: dict[str, list[Path]] = {}
    for file in local_files(asked.source):
        kind = next((k for rule, k in _FOLDER_KINDS if re.search(rule, file.name.lower())), None)
        if kind is not None:
            by_kind.setdefault(kind, []).append(file)
    if set(by_kind) == {"Parquet (.pq)"}:
        return ".pq"
    if set(by_kind) <= {"Parquet"}:  # none at all: the engine says no file matches
        return ".parquet"
    folder = Path(asked.source)
    found = "; ".join(
        f"{len(files):,} {kind} ("
        + ", ".join(str(f.relative_to(folder)) for f in files[:3])
        + (", ..." if len(files) > 3 else "")
        + ")"
        for kind, files in by_kind.items()
    )
    if "Parquet" in by_kind:
        what, example = "holds files of other kinds too", "*.parquet"
    else:
        first = next(iter(by_kind.values()))[0].name
        what, example = "holds none", "*" + first[first.index(".") :] if "." in first else "*"
    raise EvidenceError(
        f"{asked.label}: a folder is read as Parquet files, and this one {what}: {found}. "
        f'Name the files to read with a glob (e.g. "{Path(asked.label) / example}"), or move '
        "the others out of the folder"
    )


def _open_xes(asked: _Request) -> Source:
    """XES, converted to Parquet first (streamed) and read as such."""
    from journeymap.events.xes import xes_to_parquet

    asked.progress("converting XES to Parquet")
    out = asked.scratch("xes") / "log.parquet"
    xes_to_parquet(asked.source, out, line_column=LINE, name=asked.label, progress=asked.progress)
    opened = _open_parquet(asked.engine, str(out), label=asked.label, multi=False)
    return Source(opened.table, "xes", asked.label, lines="xes")


def _open_duckdb(asked: _Request) -> Source:
    """A table of a DuckDB database file (``FILE.duckdb:TABLE``), attached read-only."""
    engine, label = asked.engine, asked.label
    db, _, name = asked.source.rpartition(":")
    if not Path(db).exists():
        raise EvidenceError(f"{label.rpartition(':')[0]}: no such DuckDB database")
    if engine.kind != "duckdb":
        raise UsageError("FILE.duckdb:TABLE sources need the DuckDB engine")
    alias = engine.attach(db, read_only=True)  # a file read before keeps its attachment
    table = engine.table(name, database=(alias, "main"))
    return Source(with_seq(engine, table), "duckdb", label)


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
        found = local_files(path)
        if not found:
            raise EvidenceError(f"{label}: no file matches")
        return Source(numbered, "parquet", label, packed=True, files=found)
    table = engine.read_parquet(path, filename=FILE if multi else None, row_number=ROW)
    if ROW not in table.columns:  # the file has a file_row_number column of its own
        return Source(with_seq(engine, table), "parquet", label, multi=multi)
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


@dataclass(frozen=True)
class _Text:
    """A text source as the engine will read it: the file (or glob) to read, its first file,
    how messages name that file, its compression and its encoding."""

    read: str
    first: Path
    where: str
    compression: Compression | None
    encoding: Encoding
    multi: bool


def _prepare_text(asked: _Request, *, json: bool = False) -> _Text:
    """Compression and encoding of a text source's first file; a file in an encoding the
    engine cannot read (CSV: other than utf-8, utf-16 and latin-1; JSON: other than utf-8)
    is converted to UTF-8 first. One file is: a folder or glob of them, or a zstd file
    (Python cannot decompress zstd), is refused with the reason."""
    multi = asked.globbed
    first = asked.files()[0] if multi else Path(asked.source)
    where = shown(str(first)) if multi else asked.label
    compression = compression_of(first)
    _check_compression_name(asked.engine, str(first), compression, where=where)
    try:
        enc = encoding_of(head(first, 4), asked.encoding)
    except (OSError, EOFError) as exc:
        raise EvidenceError(f"{where}: cannot read: {exc}") from None
    native = enc.codec == "utf-8" if json else enc.native is not None
    if native:
        return _Text(asked.source, first, where, compression, enc, multi)
    if multi or compression == "zstd":
        what = "the files of a folder or glob" if multi else "a zstd file"
        reads = "JSON as utf-8" if json else "utf-8, utf-16 and latin-1"
        raise UsageError(
            f"{where}: the engine reads {reads} itself; journeymap converts {enc.name} text to "
            f"UTF-8 first for one file, not for {what}: convert them first (e.g. iconv -f "
            f"{enc.name} -t utf-8)"
        )
    converted = asked.scratch("text") / f"{first.name}.utf8"
    transcode(first, enc, converted, where=where)
    return _Text(str(converted), first, where, None, enc, multi)


def _open_text(asked: _Request) -> Source:
    """CSV or whitespace-separated text: the dialect is read here and given to the reader."""
    engine, label = asked.engine, asked.label
    text = _prepare_text(asked)
    opts: dict[str, Any] = {"compression": text.compression}
    if text.encoding.native != "utf-8" and text.read == asked.source:  # not converted
        opts["encoding"] = text.encoding.native
    multi_file = text.multi and engine.kind == "duckdb"  # rows know their file
    if multi_file:
        opts["filename"] = FILE
    if text.compression == "zstd":  # Python cannot look inside: let DuckDB's sniffer do it all
        sep = delimiter_of([], given=asked.delimiter) if asked.delimiter else None
        if sep == WHITESPACE:
            raise UsageError("whitespace-separated text cannot be read from zstd files")
        table = engine.read_csv(text.read, delimiter=sep, **opts)
        return Source(with_seq(engine, table), "csv", label, lines="csv", multi=multi_file)
    sep, header = _layout(text, asked.delimiter, name=asked.source)
    if sep == WHITESPACE:
        return _open_whitespace(engine, text.read, header, label=label, multi=multi_file, **opts)
    table = engine.read_csv(text.read, delimiter=sep, columns=header, **opts)
    return Source(
        with_seq(engine, table), "csv", label, lines="csv", multi=multi_file,
        encoding=text.encoding, delimiter=sep,
    )  # fmt: skip


def _layout(text: _Text, delimiter: str | None, *, name: str) -> tuple[str, list[str]]:
    """Delimiter and header of a delimited text file, read from its first lines."""
    try:
        lines = head_lines(text.first, text.encoding)
    except UnicodeDecodeError as exc:
        raise EvidenceError(not_text(text.where, text.encoding, exc.start)) from None
    except (OSError, EOFError) as exc:
        raise EvidenceError(f"{text.where}: cannot read: {exc}") from None
    if not lines:
        raise EvidenceError(f"{text.where}: the file is empty (a header line is expected)")
    sep = delimiter_of(lines, given=delimiter, name=name)
    line, header = next(records(lines, sep), (1, []))
    twice = repeated_name(header, fold_case=True)  # DuckDB's names ignore case
    if twice is not None:
        raise EvidenceError(repeated_column(f"{text.where}:{line}", twice))
    return sep, unique_names(header)


def _open_whitespace(
    engine: Engine, source: str, header: list[str], *, label: str, multi: bool, **opts: Any
) -> Source:
    """Each line as one text, split on runs of blanks by the engine (no quoting)."""
    import ibis

    raw = engine.read_csv(source, delimiter="\x1f", quote=None, columns=[TEXT], **opts)
    scan = with_seq(engine, raw)
    line = scan[TEXT].re_replace(r"^\s+|\s+$", "")
    kept = scan.filter(line.notnull() & (line != ""))
    parts = kept[TEXT].re_replace(r"^\s+|\s+$", "").re_split(r"\s+")
    n = parts.length()
    null = ibis.null("string")
    table = kept.mutate(  # a short line has no field there (Spark's element_at would throw)
        **{name: ibis.cases((n > i, parts[i]), else_=null) for i, name in enumerate(header)},
        __jm_fields=n,
    )
    return Source(
        table, "csv", label, lines="whitespace", scan=scan, multi=multi, fields=len(header)
    )


def _open_json(asked: _Request) -> Source:
    """JSON Lines (or one JSON array of objects); values of mixed types as text."""
    import ibis.expr.datatypes as dt

    engine, label = asked.engine, asked.label
    lines: Literal["json", "rows"] = "json"
    multi = asked.globbed and engine.kind == "duckdb"
    read, array, compression = asked.source, False, None
    encoding = encoding_of(b"")
    if not asked.globbed:
        text = _prepare_text(asked, json=True)
        read, compression, encoding = text.read, text.compression, text.encoding
        if compression != "zstd":
            start = head(Path(read), 4096).lstrip(b"\xef\xbb\xbf \t\r\n")
            array = start.startswith(b"[")
            lines = "rows" if array else "json"
    table = engine.read_json(
        read, filename=FILE if multi else None, array=array, compression=compression
    )
    # how DuckDB reads records that are not all objects, and Spark lines that are not JSON
    if tuple(table.columns) == ("json",) or "_corrupt_record" in table.columns:
        for file in asked.files() if asked.globbed else [Path(read)]:
            refuse_bad_json(file, shown(str(file)) if asked.globbed else label)
    texts = {
        name: table[name].str.coalesce(table[name].cast("string").nullif("null"))
        for name, typ in table.schema().items()
        if isinstance(typ, dt.JSON)
    }
    if texts:  # a JSON string without its quotes, a number or an object as its JSON text
        table = table.mutate(**texts)
    return Source(
        with_seq(engine, table), "json", label, lines=lines, multi=multi, encoding=encoding
    )


# ---- locating rows --------------------------------------------------------------------------


def _csv_lines(path: Path, encoding: Encoding, delimiter: str, wanted: set[int]) -> dict[int, int]:
    """Data record (1-based, as the reader counts them) -> the line where it starts.

    Lines are counted as an editor does (``\\n``, ``\\r\\n``, ``\\r``), the header being line 1;
    blank lines count as lines and are skipped as records, as DuckDB skips them.
    """
    found: dict[int, int] = {}
    if not wanted:
        return found
    last = max(wanted)
    with open_text(path, encoding) as text:
        index = -1  # the header is record 0
        try:
            for start, fields in records(text, delimiter):
                if not fields:
                    continue
                index += 1
                if index in wanted:
                    found[index] = start
                if index >= last:
                    break
        except csv.Error:  # a field larger than csv's limit: locate the rest as 1 line each
            pass
    return found


def _json_lines(path: Path, encoding: Encoding, wanted: set[int]) -> dict[int, int]:
    """JSON Lines record (1-based, blank lines skipped) -> its line."""
    found: dict[int, int] = {}
    if not wanted:
        return found
    last, index = max(wanted), 0
    with open_text(path, encoding) as text:
        for number, line in enumerate(text, start=1):
            if not line.strip():
                continue
            index += 1
            if index in wanted:
                found[index] = number
            if index >= last:
                break
    return found


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
        if not path.is_file() or compression_of(path) == "zstd":
            continue
        if src.lines == "csv":
            lines[file] = _csv_lines(path, src.encoding, src.delimiter, indexes)
        elif src.lines == "json":
            lines[file] = _json_lines(path, src.encoding, indexes)
    out: list[tuple[str, int]] = []
    for r, (file, index) in zip(picked, places, strict=True):
        label = shown(file) if file else src.label
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
