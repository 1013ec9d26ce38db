"""The engine: the only module that connects to a backend and executes queries.

Every analysis is an Ibis expression built elsewhere (``events/``, ``measuring/``); it runs
here, on DuckDB (embedded, out of core, the default) or on a PySpark session
(``kind="spark"``, see :mod:`journeymap.engine.spark`), and leaves as an Arrow table whose
column types are the expression's Ibis schema, so both engines hand back the same types.
Sessions run in UTC so that timestamps mean the same everywhere. Each backend instance gets
a compiler with fixes that keep results exact and equal (:mod:`journeymap.engine.compiler`).

DuckDB is configured explicitly: a memory limit, a temp directory for spilling and a cap on
its size, so a large log spills to disk instead of exhausting memory. A table bigger than
half the memory limit is kept compressed in a database file of its own
(:meth:`Engine.materialise`).

Besides running expressions, :class:`Engine` is what other modules use instead of a raw
connection: it reads files (:meth:`Engine.read_csv`, ``read_parquet``, ``read_json``),
attaches and detaches database files (:meth:`Engine.attach`), writes tables into them
(:meth:`Engine.create_table`) and executes a statement with bound values
(:meth:`Engine.execute`). Paths and values are bound, never pasted into SQL; identifiers are
quoted.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from journeymap.engine import spark
from journeymap.engine.files import Compression, encoding_of
from journeymap.errors import UsageError

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa
    from ibis.backends import BaseBackend

__all__ = ["FILE_STRIDE", "Engine", "EngineConfig", "EngineKind"]

EngineKind = Literal["duckdb", "spark"]

#: DuckDB's memory limit when none is given: with it, the benchmark's 10M events (all
#: analyses) peak at 1.8 GB of RSS and take 15% longer than with 4GB (benchmarks/ANALYSIS.md)
DUCKDB_MEMORY_LIMIT = "1.5GB"
#: DuckDB keeps a table of more than this share of its memory limit compressed in a database
#: file (:meth:`Engine.materialise`)
COMPRESSED_ABOVE = 0.5
#: per-file positions: the file's rank times this, plus the row in the file
FILE_STRIDE = 2**40


@dataclass(frozen=True)
class EngineConfig:
    """How to connect. Every field has a sensible default for one laptop."""

    kind: EngineKind = "duckdb"
    #: DuckDB database file; ``":memory:"`` keeps everything in memory (spilling to temp).
    database: str = ":memory:"
    #: memory limit, e.g. ``"4GB"``: DuckDB's ``memory_limit`` (default 1.5GB: 10M events
    #: stay under 2 GB of RSS, bigger logs spill; more is faster when RAM is free); for a
    #: local Spark session the driver's memory (``spark.driver.memory``, default 4g).
    memory_limit: str | None = None
    #: where DuckDB spills (Spark: ``spark.local.dir``); default: under the system temp dir.
    temp_directory: str | None = None
    #: the most DuckDB may spill, e.g. ``"100GB"``.
    max_temp_directory_size: str | None = None
    threads: int | None = None
    #: Spark master URL; ``None`` starts a local session (``local[*]``).
    spark_master: str | None = None
    #: more Spark settings, e.g. ``{"spark.sql.shuffle.partitions": "200"}``.
    spark_conf: dict[str, str] = field(default_factory=dict)


class Engine:
    """A connection to one backend. Use :meth:`connect`; close it when done (or use ``with``)."""

    def __init__(self, backend: BaseBackend, kind: EngineKind, *, owns: bool = True) -> None:
        self.backend = backend
        self.kind: EngineKind = kind
        self._owns = owns
        self._counter = 0
        self._persisted: list[Any] = []  # Spark DataFrames persisted by materialise()
        #: DuckDB: database files attached by attach(): resolved path -> alias
        self._attached: dict[Path, str] = {}
        #: DuckDB: the attached database file that holds tables bigger than memory
        self._store: tuple[str, Path] | None = None
        self._stored: dict[str, str] = {}  # its tables: qualified name -> name
        self._store_finalizer: Callable[[], Any] = lambda: None

    # ---- connecting ----------------------------------------------------------------------

    @classmethod
    def connect(cls, config: EngineConfig | None = None) -> Engine:
        from journeymap.engine.compiler import fix_compiler, load_compilers_lazily

        load_compilers_lazily()
        config = config or EngineConfig()
        if config.kind == "duckdb":
            engine = cls(_duckdb(config), "duckdb")
        elif config.kind == "spark":
            backend, owns = spark.connect(config)
            engine = cls(backend, "spark", owns=owns)
        else:
            raise UsageError(f"unknown engine {config.kind!r}; expected 'duckdb' or 'spark'")
        fix_compiler(engine.backend)
        return engine

    @classmethod
    def wrap(cls, backend: BaseBackend) -> Engine:
        """An engine over a backend the caller already has (not closed by us)."""
        from journeymap.engine.compiler import fix_compiler

        name = getattr(backend, "name", "")
        kind: EngineKind = "spark" if name == "pyspark" else "duckdb"
        if name in ("pyspark", "duckdb"):
            fix_compiler(backend)
        return cls(backend, kind, owns=False)

    def close(self) -> None:
        """Release what this engine made; stop the backend if this engine started it."""
        for df in self._persisted:
            spark.unpersist(df)
        self._persisted.clear()
        self._close_store()
        if self._owns:
            self.backend.disconnect()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def errors(self) -> tuple[type[Exception], ...]:
        """The exceptions the backend raises for input it cannot read or a query it cannot
        run (its own, Ibis' and Arrow's): what a reader turns into a message."""
        import pyarrow as pa
        from ibis.common.exceptions import IbisError, TableNotFound

        ours = (IbisError, TableNotFound, pa.ArrowException)
        if self.kind == "spark":
            return (*spark.errors(), *ours)
        import duckdb

        return (duckdb.Error, *ours)

    # ---- executing -----------------------------------------------------------------------

    def run(self, expr: ir.Table) -> pa.Table:
        """Execute a table expression; the result as an Arrow table typed by its Ibis schema."""
        if self.kind == "spark":
            return spark.run(self.backend, expr)
        if not hasattr(expr, "schema"):  # a scalar or a column: Ibis' own conversion
            return self.backend.to_pyarrow(expr)
        return _duckdb_arrow(self.backend, expr)

    def scalar(self, expr: ir.Scalar) -> Any:
        """Execute a scalar expression; the result as a Python value."""
        table = self.run(expr.as_table())
        return table.column(0)[0].as_py() if table.num_rows else None

    def execute(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """Execute one SQL statement on DuckDB with ``params`` bound to its ``?``; its rows.
        Values are always bound, never pasted into ``sql``."""
        rows: list[tuple[Any, ...]] = self._duck("execute").execute(sql, list(params)).fetchall()
        return rows

    def memory_limit_bytes(self) -> int | None:
        """DuckDB's ``memory_limit`` in bytes: what a plan that cannot spill may use. ``None``
        on Spark (the work is spread over executors) or when the limit cannot be read."""
        if self.kind != "duckdb" or getattr(self.backend, "con", None) is None:
            return None
        rows = self.execute("SELECT current_setting('memory_limit')")
        return _size_bytes(str(rows[0][0])) if rows else None

    def materialise(
        self, expr: ir.Table, *, prefix: str = "jm", rows: int | None = None
    ) -> ir.Table:
        """Compute ``expr`` once and keep it (a temp table / a persisted Spark view).

        ``rows``, the number of rows ``expr`` will have (if known), lets DuckDB keep a
        table bigger than half its memory limit compressed in a database file of its own
        in the temp directory, instead of an uncompressed temp table that spills (see
        :meth:`_compressed`)."""
        name = self._name(prefix)
        if self.kind == "duckdb":
            if rows is not None and self._compressed(expr, rows):
                return self._store_table(name, expr)
            return self.backend.create_table(name, expr, temp=True)
        df = spark.persist(self.backend, expr)
        self._persisted.append(df)
        return self._view(df, name=name)

    def from_arrow(self, data: pa.Table, *, prefix: str = "arrow") -> ir.Table:
        """Put an Arrow table into the engine."""
        name = self._name(prefix)
        if self.kind == "duckdb":
            return self.backend.create_table(name, data, temp=True)
        return self._view(spark.from_arrow(self.backend, data), name=name)

    def from_columns(
        self,
        columns: Mapping[str, Sequence[Any]],
        types: Mapping[str, object],
        *,
        prefix: str = "values",
    ) -> ir.Table:
        """A small table of Python values (``columns``, one list per column, of equal
        length), typed ``types`` (Ibis type names: ``"string"``, ``"int32"``...).

        On DuckDB the lists are bound to the statement and unnested: building an Arrow
        array of Python values imports pandas (0.7 s at the start of the command that reads
        a log)."""
        if self.kind != "duckdb":
            import ibis.expr.datatypes as dt
            import pyarrow as pa

            arrays = {
                c: pa.array(list(v), dt.dtype(types[c]).to_pyarrow()) for c, v in columns.items()
            }
            return self.from_arrow(pa.table(arrays), prefix=prefix)
        import ibis.expr.datatypes as dt
        from ibis.backends.sql.datatypes import DuckDBType

        name = self._name(prefix)
        parts = [
            f"unnest(?::{DuckDBType.to_string(dt.dtype(types[c]))}[]) AS {_identifier(c)}"
            for c in columns
        ]
        self.execute(
            f"CREATE TEMP TABLE {_identifier(name)} AS SELECT {', '.join(parts)}",
            [list(v) for v in columns.values()],
        )
        return self.backend.table(name)

    def drop(self, table: ir.Table) -> None:
        """Forget a table made by :meth:`materialise`, :meth:`from_arrow` or
        :meth:`from_columns`."""
        name = table.get_name()
        if self.kind == "spark":
            self.backend.drop_view(name, force=True)
        elif name in self._stored and self._store is not None:
            bare = self._stored.pop(name)
            self.execute(f"DROP TABLE IF EXISTS {_qualified(self._store[0], bare)}")
        else:
            self.backend.drop_table(name, force=True)

    def number_rows(
        self, table: ir.Table, *, name: str = "__seq", per_file: bool = False
    ) -> ir.Table:
        """``table`` with a column ``name``: each row's 1-based position in the input (int64).

        Call it on a freshly read source (before any filter or join): the numbers follow the
        file order (files of a glob in path order), the same on every engine. With
        ``per_file`` (Spark only) the position is the file's rank by name times
        :data:`FILE_STRIDE` plus the row in the file: what DuckDB's ``file_row_number`` gives
        a folder or glob of Parquet for free (:meth:`read_parquet` with ``row_number``).
        """
        import ibis

        if self.kind == "duckdb":
            if per_file:
                raise UsageError(
                    "per-file row numbers on DuckDB come from read_parquet(row_number=...)"
                )
            # DuckDB preserves insertion order: a streaming row_number over the scan
            return table.mutate(**{name: (ibis.row_number() + 1).cast("int64")})
        numbered = spark.number_rows(
            self.backend, table, name, per_file=per_file, stride=FILE_STRIDE
        )
        return self._view(numbered, prefix="numbered")

    def _name(self, prefix: str) -> str:
        self._counter += 1
        return f"_{prefix}_{self._counter}_{id(self):x}"

    def _view(self, df: Any, *, prefix: str = "view", name: str | None = None) -> ir.Table:
        """A Spark DataFrame as a temp view, an Ibis table."""
        name = name or self._name(prefix)
        df.createOrReplaceTempView(name)
        return self.backend.table(name)

    def _duck(self, what: str) -> Any:
        """The DuckDB connection, for what only DuckDB does."""
        con = getattr(self.backend, "con", None)
        if self.kind != "duckdb" or con is None:
            raise UsageError(f"{what} needs the DuckDB engine")
        return con

    # ---- database files ------------------------------------------------------------------

    def attach(self, path: str | Path, *, read_only: bool = False) -> str:
        """Attach a DuckDB database file; the name its tables are found under
        (``table(name, database=(alias, "main"))``). A file attached already keeps its
        attachment (and its name). The path is bound, not pasted into the statement."""
        resolved = Path(path).resolve()
        found = self._attached.get(resolved)
        if found is not None:
            return found
        con = self._duck("attaching a database file")
        alias = self._name("db").strip("_")
        mode = " (READ_ONLY)" if read_only else ""
        con.execute(f"ATTACH ? AS {_identifier(alias)}{mode}", [str(path)])
        self._attached[resolved] = alias
        return alias

    def detach(self, alias: str) -> None:
        """Detach a database file attached by :meth:`attach`."""
        self._attached = {p: a for p, a in self._attached.items() if a != alias}
        self.execute(f"DETACH {_identifier(alias)}")

    def create_table(
        self, name: str, data: ir.Table | pa.Table, *, database: str, replace: bool = False
    ) -> ir.Table:
        """Write ``data`` (an expression, computed, or an Arrow table) as table ``name`` of an
        attached database file (``database``: its name from :meth:`attach`); ``replace``:
        in place of a table of that name."""
        import ibis
        import pyarrow as pa

        if isinstance(data, pa.Table):
            temp = self.from_arrow(data, prefix="load")
            try:
                return self.create_table(name, temp, database=database, replace=replace)
            finally:
                self.drop(temp)
        sql = ibis.to_sql(data, dialect="duckdb")
        create = "CREATE OR REPLACE TABLE" if replace else "CREATE TABLE"
        self.execute(f"{create} {_qualified(database, name)} AS {sql}")
        return self.table(name, database=(database, "main"))

    def create_view_of_files(self, name: str, data: ir.Table, *, database: str) -> bool:
        """Keep ``data`` as view ``name`` of an attached database file when it reads only
        Parquet files (each ``read_parquet`` written into the view: the view reads the files
        again, by their absolute paths); ``False``, and nothing written, when it reads
        anything else (a table of this session, another database). A view costs nothing to
        write; a copy of 10M events, 6 s."""
        import ibis
        import ibis.expr.operations as ops
        from ibis.backends.sql.datatypes import DuckDBType

        leaves = {leaf.name for leaf in data.op().find(ops.DatabaseTable)}
        if not leaves or not all(n.startswith("ibis_read_parquet_") for n in leaves):
            return False
        rows = self.execute(
            "SELECT view_name, sql FROM duckdb_views() WHERE temporary AND list_contains(?, "
            "view_name)",
            [sorted(leaves)],
        )
        found = {str(r[0]): str(r[1]) for r in rows}
        sql = ibis.to_sql(data, dialect="duckdb")
        for leaf in leaves:
            head = f"CREATE TEMP VIEW {leaf} AS "
            body = found.get(leaf, "")
            if not body.startswith(head) or f'"{leaf}"' not in sql:
                return False
            sql = sql.replace(f'"{leaf}"', f"({body[len(head) :].rstrip().rstrip(';')})")
        # each column of the type the expression has (a literal would be the view's own)
        typed = ", ".join(
            f"CAST({_identifier(c)} AS {DuckDBType.to_string(t)}) AS {_identifier(c)}"
            for c, t in data.schema().items()
        )
        self.execute(f"CREATE VIEW {_qualified(database, name)} AS SELECT {typed} FROM ({sql})")
        return True

    def table(self, name: str, *, database: str | tuple[str, str] | None = None) -> ir.Table:
        return self.backend.table(name, database=database)

    def tables(self, *, database: str | None = None) -> list[str]:
        """The names of the tables and views of an attached database (``database``: its
        name from :meth:`attach`), or of the main one, temporary ones included (DuckDB)."""
        if database is None:
            database = str(self.execute("SELECT current_database()")[0][0])
            catalogs = [database, "temp"]
        else:
            catalogs = [database]
        rows = self.execute(
            "SELECT DISTINCT table_name FROM information_schema.tables "
            "WHERE list_contains(?, table_catalog) AND table_schema = 'main' ORDER BY 1",
            [catalogs],
        )
        return [str(name) for (name,) in rows]

    # ---- the compressed store of big tables (DuckDB) -------------------------------------

    def _compressed(self, expr: ir.Table, rows: int) -> bool:
        """Whether a table of ``rows`` rows of ``expr``'s columns is better kept compressed.

        A DuckDB temp table is stored uncompressed; one bigger than memory spills to the
        temp directory as it is, and every scan reads it back from there. A table in a
        database file is compressed as it is written (the prepared table of 100M events:
        2.5 GB instead of about 6): writing costs more (at 10M events 1.6 s instead of
        0.6 s), reading it back much less (at 100M the analyses after the ordered pass took
        27 s instead of 54 s; benchmarks/ANALYSIS.md). So tables above half the memory limit,
        which would spill, go to the file; smaller ones stay temp tables."""
        limit = self.memory_limit_bytes()
        if limit is None:
            return False
        width = sum(_value_bytes(t) for t in expr.schema().types)
        return rows * width > limit * COMPRESSED_ABOVE

    def _store_table(self, name: str, expr: ir.Table) -> ir.Table:
        if self._store is None:
            temp = self.execute("SELECT current_setting('temp_directory')")[0][0]
            folder = Path(str(temp) or tempfile.gettempdir())
            folder.mkdir(parents=True, exist_ok=True)
            _remove_orphans(folder)
            path = folder / f"journeymap-{os.getpid()}-{id(self):x}.duckdb"
            for old in (path, path.with_name(path.name + ".wal")):
                old.unlink(missing_ok=True)
            self._store = (self.attach(path), path)
            # removed at close(); and, for an engine never closed, when it is collected or
            # the interpreter exits
            self._store_finalizer = weakref.finalize(self, _remove_store, path)
        table = self.create_table(name, expr, database=self._store[0])
        self._stored[table.get_name()] = name
        return table

    def _close_store(self) -> None:
        """Detach the database file of big tables and remove it."""
        if self._store is None:
            return
        import duckdb

        alias = self._store[0]
        self._store = None
        self._stored.clear()
        # a connection closed by its owner has nothing attached any more
        with contextlib.suppress(duckdb.ConnectionException):
            self.detach(alias)
        self._store_finalizer()  # removes the file (once)

    # ---- reading files -------------------------------------------------------------------

    def read_csv(
        self,
        path: str,
        *,
        delimiter: str | None = None,
        encoding: str | None = None,
        quote: str | None = '"',
        filename: str | None = None,
        compression: Compression | None = None,
        columns: Sequence[str] | None = None,
    ) -> ir.Table:
        """A CSV file (or a glob of them) as a table of strings, with a header line.

        Every column is text, parsed later. ``delimiter``: sniffed when not given (DuckDB's
        sniffer; Spark: the file toolkit's, from the header). ``encoding``: one the engine
        reads itself, ``utf-8`` (default), ``utf-16`` (little-endian) or ``latin-1``; readers
        convert others first. ``quote``: the quote character (doubled inside a field; quoted
        fields may span lines), ``None`` for no quoting. ``filename``: add a column of that
        name holding each row's file, as the absolute path. ``compression``: ``gzip`` or
        ``zstd`` whatever the name (DuckDB; Spark tells it by the name). ``columns``: the
        names of the columns, in order; the header line is skipped, not read, and nothing
        is sniffed.
        """
        native = _native_encoding(encoding)
        if self.kind == "spark":
            df = spark.read_csv(
                self.backend, path, delimiter=delimiter, encoding=native, quote=quote,
                columns=columns,
            )  # fmt: skip
            return self._view(spark.with_filename(df, path, filename), prefix="read_csv")
        opts: dict[str, Any] = {"header": True}
        if columns is None:
            opts["all_varchar"] = True
        else:
            opts |= {"columns": dict.fromkeys(columns, "VARCHAR"), "auto_detect": False}
        if delimiter:
            opts["delim"] = delimiter
        if native != "utf-8":
            opts["encoding"] = native
        if quote is None:
            opts |= {"quote": "", "escape": ""}
        elif quote != '"' or columns is not None:
            opts |= {"quote": quote, "escape": quote}
        if filename:
            opts["filename"] = filename
        if compression:
            opts["compression"] = compression
        return self.backend.read_csv(path, **opts)

    def read_parquet(
        self, path: str, *, filename: str | None = None, row_number: str | None = None
    ) -> ir.Table:
        """A Parquet file, folder (``dir/**/*.parquet``) or glob; ``filename`` as in
        :meth:`read_csv`. Nanosecond timestamps: DuckDB keeps them; Spark, which cannot hold
        them, reads them as integer epoch nanoseconds. ``row_number`` (DuckDB): add a column
        of that name, each row's number in its file from 0, given by the reader as it reads
        in parallel; left out when the file has a ``file_row_number`` column of its own."""
        if self.kind == "spark":
            if row_number:
                raise UsageError("row numbers in the file on Spark come from number_rows()")
            df = spark.read_parquet(self.backend, path)
            return self._view(spark.with_filename(df, path, filename), prefix="read_parquet")
        opts: dict[str, Any] = {}
        if filename:
            opts |= {"filename": filename, "union_by_name": True}
        if row_number:
            import duckdb

            try:
                table = self.backend.read_parquet(path, file_row_number=True, **opts)
            except duckdb.BinderException as exc:
                if "file_row_number" not in str(exc):
                    raise
            else:
                return table.rename({row_number: "file_row_number"})
        return self.backend.read_parquet(path, **opts)

    def read_json(
        self,
        path: str,
        *,
        filename: str | None = None,
        array: bool = False,
        compression: Compression | None = None,
    ) -> ir.Table:
        """JSON Lines (``array``: one JSON array of objects); ``filename`` and
        ``compression`` as in :meth:`read_csv`. Columns in the file's order; types from the
        whole file (values of mixed types are JSON)."""
        if self.kind == "spark":
            df = spark.read_json(self.backend, path)
            return self._view(spark.with_filename(df, path, filename), prefix="read_json")
        opts: dict[str, Any] = {
            "format": "array" if array else "newline_delimited",
            "sample_size": -1,
        }
        if filename:
            opts["filename"] = filename
        if compression:
            opts["compression"] = compression
        return self.backend.read_json(path, **opts)


def _native_encoding(given: str | None) -> str:
    """The engine's name of an encoding it reads itself; a :class:`UsageError` for others."""
    if given is None:
        return "utf-8"
    native = encoding_of(b"", given).native
    if native is None:
        raise UsageError(
            f"encoding {given!r}: the engine reads utf-8, utf-16 (little-endian) and latin-1 "
            "itself; convert the text to UTF-8 first (read_events does)"
        )
    return native


def _identifier(name: str) -> str:
    """A name quoted as a DuckDB identifier."""
    import sqlglot as sg

    return str(sg.to_identifier(name, quoted=True).sql("duckdb"))


def _qualified(database: str, name: str) -> str:
    """``"database"."main"."name"``, quoted."""
    return ".".join(_identifier(part) for part in (database, "main", name))


def _duckdb(config: EngineConfig) -> BaseBackend:
    """A DuckDB backend with our settings (bound as values)."""
    import ibis

    temp = config.temp_directory or str(Path(tempfile.gettempdir()) / "journeymap-duckdb")
    settings: dict[str, Any] = {"TimeZone": "UTC", "temp_directory": temp}
    settings["memory_limit"] = config.memory_limit or DUCKDB_MEMORY_LIMIT
    if config.max_temp_directory_size:
        settings["max_temp_directory_size"] = config.max_temp_directory_size
    if config.threads:
        settings["threads"] = config.threads
    con = ibis.duckdb.connect(config.database)
    for key, value in settings.items():
        # the names are ours; the values are settings we chose or the user typed: bound
        con.con.execute(f"SET {key} = ?", [value])
    return con


_DECIMAL_UNITS = {"": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12}
_BINARY_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}


def _remove_store(path: Path) -> None:
    """Remove a database file of big tables (and its write-ahead log)."""
    for old in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(OSError):
            old.unlink()


def _remove_orphans(folder: Path) -> None:
    """Remove the database files of big tables left in ``folder`` by processes that are
    gone (killed before they could close their engine): ``journeymap-<pid>-<id>.duckdb``."""
    for path in folder.glob("journeymap-*-*.duckdb*"):
        m = re.fullmatch(r"journeymap-(\d+)-[0-9a-f]+\.duckdb(\.wal)?", path.name)
        if not m or int(m.group(1)) == os.getpid():
            continue
        try:
            os.kill(int(m.group(1)), 0)
        except ProcessLookupError:  # no such process: nobody uses the file
            with contextlib.suppress(OSError):
                path.unlink()
        except OSError:  # a process of another user, or cannot tell: leave it
            continue


def _value_bytes(dtype: Any) -> int:
    """What a value of an Ibis type takes in an uncompressed DuckDB table (about)."""
    if dtype.is_boolean() or dtype.is_int8() or dtype.is_uint8():
        return 1
    if dtype.is_int16() or dtype.is_uint16():
        return 2
    if dtype.is_int32() or dtype.is_uint32() or dtype.is_float32() or dtype.is_date():
        return 4
    if dtype.is_string():
        return 16  # the inline part; longer strings take more
    return 8


def _size_bytes(setting: str) -> int | None:
    """DuckDB's spelling of a size (``1.3 GiB``, ``286.1 MiB``, ``4GB``) in bytes."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?)b?\s*", setting.lower())
    if not m:
        return None
    number, unit, binary = m.groups()
    return int(float(number) * (_BINARY_UNITS if binary else _DECIMAL_UNITS)[unit])


def _duckdb_arrow(backend: Any, expr: ir.Table) -> pa.Table:
    """``backend.to_pyarrow(expr)`` without pandas: Ibis' DuckDB backend imports its pandas
    converter (0.4 s of CPU at start-up) for the first result. The same steps: Ibis' hooks
    (memtables registered), its SQL run by DuckDB, the Arrow result cast to the expression's
    schema as Ibis' mapper casts it (a column typed null becomes nulls). Integer columns
    DuckDB widened (a ``SUM`` is a ``HUGEINT``) are cast by DuckDB, in the query: a cast in
    Arrow would import ``pyarrow.compute`` (0.07 s) for it."""
    import pyarrow as pa
    from ibis.backends.sql.datatypes import DuckDBType
    from ibis.formats.pyarrow import PyArrowSchema, PyArrowType

    relation = backend._to_duckdb_relation(expr)
    schema = expr.schema()
    widened = {
        name: DuckDBType.to_string(dtype)
        for (name, dtype), found in zip(schema.items(), relation.types, strict=True)
        if dtype.is_integer() and type(DuckDBType.from_string(str(found))) is not type(dtype)
    }
    if widened:
        relation = relation.project(
            ", ".join(
                f"CAST({_identifier(name)} AS {widened[name]}) AS {_identifier(name)}"
                if name in widened
                else _identifier(name)
                for name in schema.names
            )
        )
    table: pa.Table = relation.to_arrow_table()
    desired = PyArrowSchema.from_ibis(schema)
    if table.schema == desired:
        return table
    columns = []
    for name, dtype in schema.items():
        column = table[name]
        if dtype.is_null():
            columns.append(pa.nulls(len(column)))
            continue
        wanted = PyArrowType.from_ibis(dtype)
        columns.append(column if column.type == wanted else column.cast(wanted))
    return pa.Table.from_arrays(columns, schema=desired)
