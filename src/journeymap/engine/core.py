"""The engine: the only module that connects to a backend and executes queries.

Every analysis is an Ibis expression built elsewhere in ``analytics/``; it runs here, on
DuckDB (embedded, out of core, the default) or on a PySpark session (``kind="spark"``), and
leaves as an Arrow table whose column types are the expression's Ibis schema, so both engines
hand back the same types. Sessions run in UTC so that timestamps mean the same everywhere.

DuckDB is configured explicitly: a memory limit, a temp directory for spilling and a cap on
its size, so a large log spills to disk instead of exhausting memory.

Spark needs a few things the Ibis backend does not do by itself; they all live here:

* **Input order.** ``row_number() OVER ()`` is not deterministic on Spark (the rows of every
  partition are gathered into one, in whatever order they arrive). :meth:`Engine.number_rows`
  numbers rows from the scan instead: ``monotonically_increasing_id()`` is
  ``partition << 33 | index in partition`` and a file scan's partitions follow the file's
  byte offsets, so ordering by (file, partition, index) is the file order. A small aggregate
  counts the rows of each (file, partition), their running sum gives each partition's offset,
  and ``offset + index - first index + 1`` is the row's 1-based position, dense, computed in
  parallel (no single-partition window over the data). Files of a glob are taken in path
  order, as DuckDB does.
* **Reading.** CSV: every column a string, header, RFC 4180 quoting (``""`` inside quotes),
  quoted fields spanning lines (``multiLine``: one task per file), the delimiter sniffed
  from the header when not given (DuckDB sniffs too), a UTF-8 byte-order mark dropped from
  the first column name. JSON Lines: columns in the order of the file (Spark sorts them).
  Parquet: ``**`` globs become a recursive listing; nanosecond timestamps, which Spark cannot
  represent, are read as integer epoch nanoseconds (the reader parses those exactly).
* **Results** come through Arrow (``DataFrame.toArrow``), not pandas, and are cast to the
  expression's schema; prepared tables are persisted (memory and disk) as temp views whose
  columns keep their Ibis types (Ibis leaves some casts out of the SQL). PySpark leaves the
  socket of each result to the garbage collector; it is collected right away.
* **Compiling.** Each backend instance gets a compiler with fixes that keep results exact
  and equal (see :func:`_fix_compiler`): integer ``//`` without a detour through doubles (both
  engines), ordered ``collect`` (Spark has no ordered ``array_agg``), string literals with
  VT/FF/BEL and ``strip()`` (Spark read ``'\\v\\f'`` as the letters ``vf`` and trimmed them off
  every value).
* **Quiet.** A session we start logs only errors (Spark's WARN lines would bury the read
  report) and shows no progress bars.
"""

from __future__ import annotations

import contextlib
import gc
import gzip
import json
import os
import re
import string
import tempfile
import warnings
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from glob import glob
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

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
#: bits of ``monotonically_increasing_id()`` that hold the row's index within its partition
_SPARK_INDEX_BITS = 33
_DELIMITERS = (",", ";", "\t", "|")
_SPARK_ENCODINGS = {
    "utf-8": "UTF-8", "utf8": "UTF-8", "utf-16": "UTF-16", "utf16": "UTF-16",
    "latin-1": "ISO-8859-1", "latin1": "ISO-8859-1", "iso-8859-1": "ISO-8859-1",
}  # fmt: skip
#: characters sqlglot writes as escapes that Spark SQL does not read back (BEL, VT, FF)
_SPARK_UNESCAPABLE = ("\x07", "\x0b", "\x0c")


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
        #: DuckDB: the attached database file that holds tables bigger than memory
        self._store: tuple[str, Path] | None = None
        self._stored: dict[str, str] = {}  # its tables: qualified name -> name
        self._store_finalizer: Callable[[], Any] = lambda: None

    # ---- connecting ----------------------------------------------------------------------

    @classmethod
    def connect(cls, config: EngineConfig | None = None) -> Engine:
        config = config or EngineConfig()
        if config.kind == "duckdb":
            return cls._duckdb(config)
        if config.kind == "spark":
            return cls._spark(config)
        raise UsageError(f"unknown engine {config.kind!r}; expected 'duckdb' or 'spark'")

    @classmethod
    def _duckdb(cls, config: EngineConfig) -> Engine:
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
            # values are settings we chose or the user typed as options; bind them as literals
            con.con.execute(f"SET {key} = ?", [value])
        _fix_compiler(con)
        return cls(con, "duckdb")

    @classmethod
    def _spark(cls, config: EngineConfig) -> Engine:
        try:
            from pyspark.sql import SparkSession
        except ImportError:  # pragma: no cover - depends on the extra
            raise UsageError(
                "the Spark engine needs pyspark; install it with: pip install 'journeymap[spark]'"
            ) from None
        import ibis

        os.environ.setdefault("PYARROW_IGNORE_TIMEZONE", "1")
        existing = SparkSession.getActiveSession()
        # settings a running JVM cannot change; only used when we start the session
        static = {
            "spark.ui.enabled": "false",
            "spark.ui.showConsoleProgress": "false",
            "spark.driver.memory": _spark_memory(config.memory_limit or "4GB"),
        }
        if config.temp_directory:
            static["spark.local.dir"] = config.temp_directory
        if config.threads and not config.spark_master:
            master = f"local[{config.threads}]"
        else:
            master = config.spark_master or "local[*]"
        # what the computations rely on: set on a session we start and on one we join
        required = {
            "spark.sql.session.timeZone": "UTC",
            # Spark cannot hold nanosecond timestamps: read them as integer epoch ns
            "spark.sql.legacy.parquet.nanosAsLong": "true",
        }
        # defaults for a session we start (a running session keeps its own)
        defaults = {
            **static,
            "spark.sql.shuffle.partitions": "8",
            "spark.sql.execution.arrow.pyspark.enabled": "true",
        }
        if existing is None and "spark.driver.extraJavaOptions" not in config.spark_conf:
            # Spark's own log lines (WARN and INFO) would bury the report on stderr
            defaults["spark.driver.extraJavaOptions"] = (
                f"-Dlog4j2.configurationFile={_quiet_log4j()}"
            )
        if existing is None:
            builder = SparkSession.builder.appName("journeymap").master(master)
            for key, value in {**defaults, **required, **config.spark_conf}.items():
                builder = builder.config(key, value)
            session = builder.getOrCreate()
            session.sparkContext.setLogLevel("ERROR")
        else:
            session = existing
        for key, value in {**required, **config.spark_conf}.items():
            if key in static or key.startswith(("spark.driver.", "spark.executor.")):
                continue
            with contextlib.suppress(Exception):  # a static setting of a running session
                session.conf.set(key, value)
        backend = ibis.pyspark.connect(session)
        _fix_compiler(backend)
        return cls(backend, "spark", owns=existing is None)

    @classmethod
    def wrap(cls, backend: BaseBackend) -> Engine:
        """An engine over a backend the caller already has (not closed by us)."""
        name = getattr(backend, "name", "")
        kind: EngineKind = "spark" if name == "pyspark" else "duckdb"
        if name in ("pyspark", "duckdb"):
            _fix_compiler(backend)
        return cls(backend, kind, owns=False)

    def close(self) -> None:
        """Release what this engine made; stop the backend if this engine started it."""
        for df in self._persisted:
            with contextlib.suppress(Exception):
                df.unpersist()
        self._persisted.clear()
        self._close_store()
        if self._owns:
            self.backend.disconnect()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- executing -----------------------------------------------------------------------

    def run(self, expr: ir.Table) -> pa.Table:
        """Execute a table expression; the result as an Arrow table typed by its Ibis schema."""
        if self.kind == "spark":
            return self._spark_run(expr)
        result: pa.Table = self.backend.to_pyarrow(expr)
        return result

    def scalar(self, expr: ir.Scalar) -> Any:
        """Execute a scalar expression; the result as a Python value."""
        table = self.run(expr.as_table())
        return table.column(0)[0].as_py() if table.num_rows else None

    def memory_limit_bytes(self) -> int | None:
        """DuckDB's ``memory_limit`` in bytes: what a plan that cannot spill may use. ``None``
        on Spark (the work is spread over executors) or when the limit cannot be read."""
        if self.kind != "duckdb":
            return None
        con: Any = getattr(self.backend, "con", None)
        if con is None:
            return None
        rows = con.execute("SELECT current_setting('memory_limit')").fetchall()
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
        from pyspark import StorageLevel

        df = _spark_typed(self._spark_df(expr), expr.schema())
        df = df.persist(StorageLevel.MEMORY_AND_DISK)
        self._persisted.append(df)
        df.createOrReplaceTempView(name)
        return self.backend.table(name)

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
        import ibis

        if self._store is None:
            con: Any = self.backend
            temp = con.con.execute("SELECT current_setting('temp_directory')").fetchall()[0][0]
            folder = Path(str(temp) or tempfile.gettempdir())
            folder.mkdir(parents=True, exist_ok=True)
            _remove_orphans(folder)
            path = folder / f"journeymap-{os.getpid()}-{id(self):x}.duckdb"
            for old in (path, path.with_name(path.name + ".wal")):
                old.unlink(missing_ok=True)
            alias = self._name("store").strip("_")
            con.attach(str(path), name=alias)
            self._store = (alias, path)
            # removed at close(); and, for an engine never closed, when it is collected or
            # the interpreter exits
            self._store_finalizer = weakref.finalize(self, _remove_store, path)
        alias = self._store[0]
        sql = ibis.to_sql(expr, dialect="duckdb")
        duck: Any = self.backend
        duck.con.execute(f'CREATE TABLE "{alias}"."main"."{name}" AS {sql}')
        table = self.table(name, database=(alias, "main"))
        self._stored[table.get_name()] = name
        return table

    def _close_store(self) -> None:
        """Detach the database file of big tables and remove it."""
        if self._store is None:
            return
        alias = self._store[0]
        self._store = None
        self._stored.clear()
        with contextlib.suppress(Exception):
            self.backend.detach(alias)
        self._store_finalizer()  # removes the file (once)

    def drop(self, table: ir.Table) -> None:
        """Forget a table made by :meth:`materialise` or :meth:`from_arrow`."""
        name = table.get_name()
        if self.kind == "duckdb":
            if name in self._stored and self._store is not None:
                duck: Any = self.backend
                bare = self._stored.pop(name)
                duck.con.execute(f'DROP TABLE IF EXISTS "{self._store[0]}"."main"."{bare}"')
            else:
                self.backend.drop_table(name, force=True)
        else:
            self.backend.drop_view(name, force=True)

    def from_arrow(self, data: pa.Table, *, prefix: str = "arrow") -> ir.Table:
        """Put an Arrow table into the engine."""
        name = self._name(prefix)
        if self.kind == "duckdb":
            return self.backend.create_table(name, data, temp=True)
        with _spark_sockets():
            df = self._session.createDataFrame(data)
        df.createOrReplaceTempView(name)
        return self.backend.table(name)

    def number_rows(
        self, table: ir.Table, *, name: str = "__seq", per_file: bool = False
    ) -> ir.Table:
        """``table`` with a column ``name``: each row's 1-based position in the input (int64).

        Call it on a freshly read source (before any filter or join): the numbers follow the
        file order (files of a glob in path order), the same on every engine. With
        ``per_file`` (Spark only) the position is the file's rank by name times
        :data:`FILE_STRIDE` plus the row in the file: what DuckDB's ``file_row_number`` gives
        a folder or glob of Parquet for free.
        """
        import ibis

        if self.kind == "duckdb":
            if per_file:
                raise UsageError(
                    "per-file row numbers on DuckDB come from read_parquet(file_row_number=True)"
                )
            # DuckDB preserves insertion order: a streaming row_number over the scan
            return table.mutate(**{name: (ibis.row_number() + 1).cast("int64")})
        return self._spark_number_rows(table, name, per_file)

    def _name(self, prefix: str) -> str:
        self._counter += 1
        return f"_{prefix}_{self._counter}_{id(self):x}"

    # ---- reading files -------------------------------------------------------------------

    def read_csv(
        self,
        path: str,
        *,
        delimiter: str | None = None,
        encoding: str | None = None,
        quote: str | None = '"',
        filename: str | None = None,
    ) -> ir.Table:
        """A CSV file (or a glob of them) as a table of strings, with a header line.

        Every column is text, parsed later. ``delimiter``: sniffed from the header when not
        given. ``encoding``: ``utf-8`` (default), ``utf-16`` or ``latin-1``. ``quote``: the
        quote character (doubled inside a field; quoted fields may span lines), ``None`` for
        no quoting. ``filename``: add a column of that name holding each row's file, as the
        absolute path (DuckDB's ``filename`` option).
        """
        if self.kind == "duckdb":
            opts: dict[str, Any] = {"all_varchar": True, "header": True}
            if delimiter:
                opts["delim"] = delimiter
            if encoding:
                opts["encoding"] = encoding
            if quote is None:
                opts |= {"quote": "", "escape": ""}
            elif quote != '"':
                opts |= {"quote": quote, "escape": quote}
            if filename:
                opts["filename"] = filename
            return self.backend.read_csv(path, **opts)
        df = self._session.read.csv(
            path,
            header=True,
            inferSchema=False,
            multiLine=quote is not None,
            quote=quote if quote is not None else "",
            escape=quote if quote is not None else "\\",
            sep=delimiter or _sniff_delimiter(path),
            encoding=_SPARK_ENCODINGS.get((encoding or "utf-8").lower(), encoding or "UTF-8"),
            mode="PERMISSIVE",
        )
        names = [c.lstrip("\ufeff") for c in df.columns]
        if names != df.columns:
            df = df.toDF(*names)
        return self._spark_view(self._spark_filename(df, path, filename), "read_csv")

    def read_parquet(self, path: str, *, filename: str | None = None) -> ir.Table:
        """A Parquet file, folder (``dir/**/*.parquet``) or glob; ``filename`` as in
        :meth:`read_csv`. Nanosecond timestamps: DuckDB keeps them; Spark, which cannot hold
        them, reads them as integer epoch nanoseconds."""
        if self.kind == "duckdb":
            if filename:
                return self.backend.read_parquet(path, filename=filename, union_by_name=True)
            return self.backend.read_parquet(path)
        reader = self._session.read
        where = path
        if "**" in path:
            # DuckDB's recursive glob; Spark lists the folder recursively and filters names
            base, _, pattern = path.partition("**")
            reader = reader.option("recursiveFileLookup", "true")
            pattern = pattern.strip("/\\") or "*"
            if "/" not in pattern and "\\" not in pattern:
                reader = reader.option("pathGlobFilter", pattern)
            where = base.rstrip("/\\") or "."
        df = reader.parquet(where)
        return self._spark_view(self._spark_filename(df, path, filename), "read_parquet")

    def read_json(self, path: str, *, filename: str | None = None) -> ir.Table:
        """JSON Lines; ``filename`` as in :meth:`read_csv`. Columns in the file's order."""
        if self.kind == "duckdb":
            opts: dict[str, Any] = {"format": "newline_delimited"}
            if filename:
                opts["filename"] = filename
            return self.backend.read_json(path, **opts)
        df = self._session.read.json(path)
        order = _json_key_order(path)
        if order and set(order) == set(df.columns):
            df = df.select(*[f"`{c}`" for c in order])
        return self._spark_view(self._spark_filename(df, path, filename), "read_json")

    def table(self, name: str, *, database: str | tuple[str, str] | None = None) -> ir.Table:
        return self.backend.table(name, database=database)

    # ---- Spark ---------------------------------------------------------------------------

    @property
    def _session(self) -> Any:
        return self.backend._session

    def _spark_df(self, expr: ir.Table) -> Any:
        """The Spark DataFrame of an Ibis table expression."""
        backend: Any = self.backend
        backend._run_pre_execute_hooks(expr)  # registers in-memory tables and UDFs
        return self._session.sql(backend.compile(expr))

    def _spark_view(self, df: Any, prefix: str) -> ir.Table:
        name = self._name(prefix)
        df.createOrReplaceTempView(name)
        return self.backend.table(name)

    def _spark_run(self, expr: ir.Table) -> pa.Table:
        schema = expr.schema().to_pyarrow()
        df = self._spark_df(expr)
        with _spark_sockets():
            result = df.toArrow()
        if result.schema.equals(schema):
            return result
        # Spark's own types (e.g. timestamps with tz=UTC, large strings) -> the Ibis schema
        return result.rename_columns(schema.names).cast(schema)

    def _spark_filename(self, df: Any, path: str, column: str | None) -> Any:
        """``df`` with a column ``column`` naming each row's file by its absolute path, as
        DuckDB does (Spark gives a URI)."""
        if not column:
            return df
        from pyspark.sql import functions as F

        uri = F.input_file_name()
        shown = F.regexp_replace(uri, "^file:(//)?", "")
        # as DuckDB shows it: absolute, symlinks not resolved
        absolute = [(p, os.path.abspath(p)) for p in _local_files(path)]  # noqa: PTH100
        named = [item for p, a in absolute for item in (F.lit(p.resolve().as_uri()), F.lit(a))]
        value = F.coalesce(F.create_map(*named)[uri], shown) if named else shown
        return df.withColumn(column, value)

    def _spark_number_rows(self, table: ir.Table, name: str, per_file: bool) -> ir.Table:
        from pyspark.sql import functions as F

        mid, file, part, idx = "__jm_rn_id", "__jm_rn_file", "__jm_rn_part", "__jm_rn_idx"
        df = self._spark_df(table)
        columns = [F.col(f"`{c}`") for c in df.columns]
        mask = (1 << _SPARK_INDEX_BITS) - 1
        ided = df.withColumn(mid, F.monotonically_increasing_id())
        ided = ided.select(
            *columns,
            F.input_file_name().alias(file),
            F.shiftright(F.col(mid), _SPARK_INDEX_BITS).alias(part),
            F.col(mid).bitwiseAND(F.lit(mask)).alias(idx),
        )
        # rows per (file, partition) of the scan: a few rows, collected and summed up here
        with _spark_sockets():
            stats = (
                ided.groupBy(file, part)
                .agg(F.count(F.lit(1)).alias("n"), F.min(idx).alias("lo"))
                .collect()
            )
        offsets = []
        running = 0
        ranks: dict[str, int] = {}
        for row in sorted(stats, key=lambda r: (r[file], r[part])):
            if per_file and row[file] not in ranks:
                ranks[row[file]] = len(ranks) + 1
                running = ranks[row[file]] * FILE_STRIDE
            offsets.append((row[file], int(row[part]), running - int(row["lo"])))
            running += int(row["n"])
        with _spark_sockets():
            base = self._session.createDataFrame(
                offsets, schema=f"{file} string, {part} long, __jm_rn_base long"
            )
        numbered = ided.join(F.broadcast(base), on=[file, part], how="inner").select(
            *columns, (F.col("__jm_rn_base") + F.col(idx) + F.lit(1)).cast("long").alias(name)
        )
        return self._spark_view(numbered, "numbered")


def _fix_compiler(backend: Any) -> None:
    """Give this backend instance a compiler with these fixes; nothing global changes.

    * ``a // b`` on integers is exact. Ibis compiles floor division as ``FLOOR(a / b)``; on
      both DuckDB and Spark ``/`` of two integers is a double, so above 2**53 (epoch
      nanoseconds) the quotient is off by one. Here it is the engine's integer division
      (truncating), corrected for operands of different signs.
    * Spark: ``collect(order_by=...)`` (an ordered ``array_agg``, which Spark lacks) becomes
      ``transform(array_sort(collect_list(named_struct(keys..., v))), s -> s.v)``: the same
      list, ordered by the keys (ascending keys only; ties by the value).
    * Spark: string literals holding BEL, VT or FF. sqlglot writes them as ``\\a \\v \\f``,
      which Spark reads as the letters ``a v f``: ``strip()`` (``TRIM(' \\t\\n\\r\\v\\f'
      FROM x)``) then ate a leading or trailing ``f`` or ``v`` of every value. Those characters
      are written as ``CHR(n)`` instead, and ``lstrip``/``rstrip`` trim all whitespace, as on
      DuckDB (Ibis' Spark ``ltrim``/``rtrim`` trim spaces only).
    """
    import ibis.common.exceptions as com
    import sqlglot as sg
    import sqlglot.expressions as sge

    base = type(backend.compiler)
    if getattr(base, "_journeymap_fixed", False):
        return

    def visit_FloorDivide(self: Any, op: Any, *, left: Any, right: Any) -> Any:
        if not (op.left.dtype.is_integer() and op.right.dtype.is_integer()):
            return base.visit_FloorDivide(self, op, left=left, right=right)
        left, right = sge.paren(left), sge.paren(right)
        zero = sge.convert(0)
        rem = sge.paren(sge.Mod(this=left, expression=right))
        inexact = sge.and_(
            sge.NEQ(this=rem, expression=zero),
            sge.NEQ(
                this=sge.paren(sge.LT(this=rem, expression=zero)),
                expression=sge.paren(sge.LT(this=right, expression=zero)),
            ),
        )
        quotient = sge.IntDiv(this=left, expression=right)
        floor = sge.Sub(this=quotient, expression=self.if_(inexact, 1, 0))
        return self.cast(floor, op.dtype)

    def visit_ArrayCollect(
        self: Any, op: Any, *, arg: Any, where: Any, order_by: Any, include_null: Any, distinct: Any
    ) -> Any:
        if not order_by or distinct or include_null:
            return base.visit_ArrayCollect(
                self, op, arg=arg, where=where, order_by=order_by,
                include_null=include_null, distinct=distinct,
            )  # fmt: skip
        if any(o.args.get("desc") for o in order_by):
            raise com.UnsupportedOperationError(
                "collect(order_by=...) with a descending key is not supported on Spark"
            )
        fields: list[Any] = []
        for i, o in enumerate(order_by):
            fields += [sge.convert(f"k{i}"), o.this]
        item = self.f.named_struct(*fields, sge.convert("v"), arg)
        keep = arg.is_(sge.Null()).not_()
        if where is not None:
            keep = sge.and_(where, keep)
        collected = self.f.array_sort(self.f.collect_list(self.if_(keep, item, sge.Null())))
        pick = sge.Lambda(this=sg.column("v", table="s"), expressions=[sg.to_identifier("s")])
        return self.f.transform(collected, pick)

    def spark_string(value: str) -> Any:
        """A Spark string expression for ``value``, with CHR() for what Spark cannot unescape."""
        if not any(c in _SPARK_UNESCAPABLE for c in value):
            return sge.convert(value)
        parts = re.split(f"([{''.join(_SPARK_UNESCAPABLE)}])", value)
        pieces = [
            sge.Anonymous(this="CHR", expressions=[sge.convert(ord(p))])
            if p in _SPARK_UNESCAPABLE
            else sge.convert(p)
            for p in parts
            if p
        ]
        return pieces[0] if len(pieces) == 1 else sge.Anonymous(this="CONCAT", expressions=pieces)

    def visit_NonNullLiteral(self: Any, op: Any, *, value: Any, dtype: Any) -> Any:
        if dtype.is_string() and isinstance(value, str):
            return spark_string(value)
        return base.visit_NonNullLiteral(self, op, value=value, dtype=dtype)

    def trim(position: str) -> Any:
        def visit(self: Any, op: Any, *, arg: Any) -> Any:
            chars = spark_string(string.whitespace)
            return sge.Trim(this=arg, expression=chars, position=position)

        return visit

    methods: dict[str, Any] = {"visit_FloorDivide": visit_FloorDivide}
    if getattr(backend, "name", "") == "pyspark":
        methods |= {
            "visit_ArrayCollect": visit_ArrayCollect,
            "visit_NonNullLiteral": visit_NonNullLiteral,
            "visit_Strip": trim("BOTH"),
            "visit_LStrip": trim("LEADING"),
            "visit_RStrip": trim("TRAILING"),
        }
    fixed = type(
        f"JourneyMap{base.__name__}", (base,), {"__slots__": (), "_journeymap_fixed": True}
    )
    for name, method in methods.items():  # after __init_subclass__ made the simple ops
        setattr(fixed, name, method)
    backend.compiler = fixed()


@contextlib.contextmanager
def _spark_sockets() -> Iterator[None]:
    """Around a PySpark call that moves data through a local socket: PySpark leaves that
    socket for the garbage collector to close (a ResourceWarning); it is collected here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            yield
        finally:
            gc.collect()


def _spark_typed(df: Any, schema: Any) -> Any:
    """``df`` with the column types of the Ibis ``schema``.

    Ibis leaves some casts to its own type tracking (an ``int64`` literal ``0`` compiles to
    ``0``, an INT in Spark); a view made from the SQL would then change the types that the
    next expression sees. Columns whose Spark type differs are cast (timestamps excepted:
    with and without time zone are the same instant in a UTC session).
    """
    from ibis.backends.pyspark.datatypes import PySparkSchema
    from pyspark.sql import functions as F
    from pyspark.sql import types as T

    wanted = PySparkSchema.from_ibis(schema)
    stamps = (T.TimestampType, T.TimestampNTZType)
    columns = []
    changed = False
    for got, want in zip(df.schema.fields, wanted.fields, strict=True):
        col = F.col(f"`{got.name}`")
        same = got.dataType == want.dataType or (
            isinstance(got.dataType, stamps) and isinstance(want.dataType, stamps)
        )
        if not same:
            col, changed = col.cast(want.dataType), True
        columns.append(col.alias(got.name))
    return df.select(*columns) if changed else df


_LOG4J2 = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex
"""


def _quiet_log4j() -> str:
    """A log4j2 configuration that lets only errors through, as a file URI."""
    path = Path(tempfile.gettempdir()) / "journeymap-spark-log4j2.properties"
    if not path.exists() or path.read_text() != _LOG4J2:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".journeymap-log4j2-")
        with os.fdopen(fd, "w") as f:
            f.write(_LOG4J2)
        Path(tmp).replace(path)  # atomic: another process never reads half a file
    return path.as_uri()


def _spark_memory(limit: str) -> str:
    """``4GB`` -> ``4g`` (Spark's spelling of sizes)."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*", limit.lower())
    if not m:
        raise UsageError(f"cannot read memory limit {limit!r}; expected e.g. 4GB or 512MB")
    number, unit = m.groups()
    if "." in number:  # Spark takes whole numbers: go one unit down
        scale = {"": 1, "k": 1, "m": 1024, "g": 1024, "t": 1024}[unit]
        down = {"": "", "k": "", "m": "k", "g": "m", "t": "g"}[unit]
        return f"{round(float(number) * scale)}{down or 'b'}"
    return f"{number}{unit or 'b'}"


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


def _local_files(path: str) -> list[Path]:
    if re.match(r"^[a-z][a-z0-9+.-]*://", path) and not path.startswith("file://"):
        return []  # remote: not sniffed
    path = path.removeprefix("file://")
    if any(c in path for c in "*?["):
        matches = sorted(glob(path, recursive=True))  # noqa: PTH207 - a glob as the user wrote it
        return [Path(p) for p in matches if Path(p).is_file()]
    p = Path(path)
    if p.is_dir():
        return sorted(q for q in p.rglob("*") if q.is_file() and not q.name.startswith((".", "_")))
    return [p] if p.is_file() else []


def _head(path: Path, size: int = 65536) -> str:
    opener: Any = gzip.open if path.suffix.lower() in (".gz", ".gzip") else open
    try:
        with opener(path, "rb") as f:
            data: bytes = f.read(size)
    except OSError:
        return ""
    return data.decode("utf-8", errors="replace").lstrip("\ufeff")


def _sniff_delimiter(path: str) -> str:
    """The delimiter of a CSV from its header line: the most frequent of , ; tab |."""
    files = _local_files(path)
    if not files:
        return ","
    text = _head(files[0])
    if re.search(r"\.(tsv|tab)(\.gz)?$", str(files[0]).lower()):
        return "\t"
    header = text.splitlines()[0] if text else ""
    counts = {d: header.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])  # ties: the first, ","
    return best if counts[best] else ","


def _json_key_order(path: str) -> list[str]:
    """The keys of the first JSON object of a JSON Lines file, in the file's order."""
    files = _local_files(path)
    if not files:
        return []
    for line in _head(files[0]).splitlines():
        if line.strip():
            try:
                obj = json.loads(line)
            except ValueError:
                return []
            return list(obj) if isinstance(obj, dict) else []
    return []
