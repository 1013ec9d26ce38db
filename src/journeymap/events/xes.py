"""XES event logs to Parquet, streamed: one row per event, in trace order then event order.

XES (IEEE 1849) is the XML format of process-mining tools. A log holds traces (here: one
customer journey each), a trace holds events, and both carry typed attributes
(``<string key=... value=...>``, ``date``, ``int``, ``float``, ``boolean``, ``id``).

:func:`xes_to_parquet` reads the file with the standard library's expat parser, streamed, so
memory holds one trace and one batch of rows, never the log. A file is gzip when its first
bytes say so, whatever its name (:func:`journeymap.engine.files.open_bytes`); its text
encoding is XML's own (a declaration or a byte-order mark, else UTF-8). The rows it writes:

- ``case:concept:name``: the trace's ``concept:name`` (the customer); other trace attributes
  become ``case:<key>`` columns (customer attributes), as pm4py and the XES CSV convention name
  them;
- every event attribute under its key: ``concept:name`` (the event), ``time:timestamp``,
  ``lifecycle:transition``, ``org:group``, ...;
- with ``line_column``, the line of the file where the ``<event>`` starts (in the
  uncompressed text), so that a row that cannot be used can be located in the XES file.

Values are written as the strings the file holds: dates stay ISO 8601 text with their offset
(the time parser of :func:`journeymap.events.read.read_events` converts them to UTC),
numbers and booleans stay as written. Only attributes directly under a trace or an event are
kept; nested attributes (the ``nested-attributes`` feature), lists and containers have no
single value and are left out, as are the log-level attributes, extensions, globals and
classifiers. Global defaults are not filled in (pm4py does not either). An event outside any
trace gets no customer; :func:`read_events` counts it as a row without a customer. A trace
attribute written after the trace's events still applies to all of them: the events of a trace
are held until the trace ends.

Schema: keys are only known as the file is read, and a key may first appear late. Rows are
written in batches of ``batch_rows`` to a part file whose schema is the set of keys seen so
far (in order of first appearance, all strings); when a batch brings a new key, a new part is
started with the wider schema. Keys are only ever added, so each schema extends the previous
one; at the end a single part is renamed into place, or the parts are streamed, batch by batch,
into one file with the last (widest) schema, missing columns as nulls. The common case, where
every key appears in the first batch, writes the file once.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.parsers import expat

from journeymap._numbers import count
from journeymap.engine.files import open_bytes
from journeymap.errors import EvidenceError, UsageError

if TYPE_CHECKING:
    from pyexpat import XMLParserType as xmlparser

    import pyarrow as pa
    import pyarrow.parquet as pq

__all__ = ["CASE_ID", "xes_to_parquet"]

#: The column holding the trace's ``concept:name``.
CASE_ID = "case:concept:name"

_ATTRIBUTE_TAGS = frozenset({"string", "date", "int", "float", "boolean", "id"})


class _Sink:
    """Collects rows and writes them to Parquet parts, widening the schema when needed."""

    def __init__(
        self,
        parts_dir: Path,
        batch_rows: int,
        line_column: str | None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.parts_dir = parts_dir
        self.progress = progress
        self.batch_rows = batch_rows
        self.line_column = line_column
        self.keys: dict[str, None] = {CASE_ID: None}  # ordered set, first appearance
        self.rows: list[dict[str, Any]] = []
        self.parts: list[Path] = []
        self.writer: pq.ParquetWriter | None = None
        self.schema: pa.Schema | None = None
        self.written = 0

    def add(self, row: dict[str, Any]) -> None:
        for key in row:
            if key not in self.keys:
                self.keys[key] = None
        self.rows.append(row)
        if len(self.rows) >= self.batch_rows:
            self.flush()

    def _schema(self) -> pa.Schema:
        import pyarrow as pa

        fields = [pa.field(k, pa.string()) for k in self.keys if k != self.line_column]
        if self.line_column:
            fields.append(pa.field(self.line_column, pa.int64()))
        return pa.schema(fields)

    def flush(self, *, final: bool = False) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self.rows and not (final and self.writer is None):
            return
        schema = self._schema()
        if self.schema is None or not schema.equals(self.schema):
            if self.writer is not None:
                self.writer.close()
            part = self.parts_dir / f"part-{len(self.parts):05d}.parquet"
            self.parts.append(part)
            self.writer = pq.ParquetWriter(part, schema)
            self.schema = schema
        assert self.writer is not None
        if self.rows:
            self.writer.write_table(pa.Table.from_pylist(self.rows, schema=schema))
            self.written += len(self.rows)
            self.rows = []
            if self.progress is not None:
                n = self.written
                self.progress(f"converting XES: {count(n)} event{'' if n == 1 else 's'}")

    def finish(self, out: Path) -> None:
        """Close the parts and leave one Parquet file at ``out`` (atomically)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.flush(final=True)
        assert self.writer is not None and self.schema is not None
        self.writer.close()
        target = self.parts[0]
        if len(self.parts) > 1:
            target = self.parts_dir / "unified.parquet"
            schema = self.schema
            with pq.ParquetWriter(target, schema) as writer:
                for part in self.parts:
                    for batch in pq.ParquetFile(part).iter_batches(self.batch_rows):
                        n = batch.num_rows
                        arrays = [
                            batch.column(f.name)
                            if f.name in batch.schema.names
                            else pa.nulls(n, f.type)
                            for f in schema
                        ]
                        writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=schema))
        target.replace(out)


class _Handler:
    """Parser callbacks -> rows: attributes of the trace and of each event, held per trace."""

    def __init__(self, sink: _Sink, parser: xmlparser) -> None:
        self.sink = sink
        self.parser = parser
        self.stack: list[str] = []
        self.trace: dict[str, str] | None = None
        self.events: list[dict[str, Any]] = []
        self.event: dict[str, Any] | None = None
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = name.rpartition(":")[2]  # a prefixed XES namespace: xes:trace -> trace
        parent = self.stack[-1] if self.stack else None
        self.stack.append(tag)
        if tag in _ATTRIBUTE_TAGS:
            if parent == "event" and self.event is not None:
                key, value = attrs.get("key"), attrs.get("value")
                if key is not None and value is not None:
                    self.event[key] = value
            elif parent == "trace" and self.trace is not None:
                key, value = attrs.get("key"), attrs.get("value")
                if key is not None and value is not None:
                    self.trace[key] = value
        elif tag == "event" and parent in ("trace", "log"):
            self.event = {}
            if self.sink.line_column:
                self.event[self.sink.line_column] = self.parser.CurrentLineNumber
        elif tag == "trace" and parent == "log":
            self.trace = {}
            self.events = []
        elif parent is None and tag != "log":
            raise EvidenceError(f"the root element is <{name}>, not the <log> of XES")

    def end(self, name: str) -> None:
        tag = self.stack.pop()
        if tag == "event" and self.event is not None:
            event, self.event = self.event, None
            if self.trace is not None and self.stack and self.stack[-1] == "trace":
                self.events.append(event)
            else:  # an event directly under <log>: no customer
                self.sink.add(event)
        elif tag == "trace" and self.trace is not None and self.stack == ["log"]:
            case = {f"case:{k}": v for k, v in self.trace.items()}
            for event in self.events:
                self.sink.add({**case, **event})
            self.trace, self.events = None, []


def xes_to_parquet(
    path: str | Path,
    out: Path,
    *,
    batch_rows: int = 100_000,
    line_column: str | None = None,
    name: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Convert an XES (or gzip XES) file to one Parquet file at ``out``; the rows written.

    One row per event, in trace order then event order; see the module docstring for the
    columns. ``line_column`` names an extra int64 column with the line where each event
    starts; ``name`` is how messages call the file (default: its path); ``progress`` is told
    the events written so far after each batch. Raises :class:`EvidenceError` when the file
    is not a readable XES log.
    """
    path = Path(path)
    out = Path(out)
    label = name or str(path)
    if batch_rows < 1:
        raise UsageError("batch_rows must be at least 1")
    if not path.is_file():
        raise EvidenceError(f"{label}: no such file")
    out.parent.mkdir(parents=True, exist_ok=True)
    parts_dir = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        sink = _Sink(parts_dir, batch_rows, line_column, progress)
        parser = expat.ParserCreate()
        parser.buffer_text = True
        _Handler(sink, parser)
        try:
            with open_bytes(path) as stream:
                parser.ParseFile(stream)
        except expat.ExpatError as exc:
            where = f"{label}:{exc.lineno}:{exc.offset + 1}"
            message = expat.errors.messages[exc.code]
            raise EvidenceError(f"{where}: not well-formed XML: {message}") from exc
        except EvidenceError as exc:
            raise EvidenceError(f"{label}: {exc}") from exc
        except (OSError, EOFError) as exc:  # a truncated or corrupt gzip stream
            raise EvidenceError(f"{label}: cannot read: {exc}") from exc
        sink.finish(out)
        return sink.written
    finally:
        shutil.rmtree(parts_dir, ignore_errors=True)
