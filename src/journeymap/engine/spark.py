"""The Spark side of the engine: what Ibis' PySpark backend does not do by itself.

:class:`journeymap.engine.Engine` calls these for ``kind="spark"``; nothing else does.

* **Connecting.** A session we start runs in UTC with the settings the computations rely on,
  logs only errors (Spark's WARN lines would bury the read report, :func:`quiet_log4j`) and
  shows no progress bars; a running session is joined and keeps its own settings, except
  the ones results depend on.
* **Input order.** ``row_number() OVER ()`` is not deterministic on Spark (the rows of every
  partition are gathered into one, in whatever order they arrive). :func:`number_rows`
  numbers rows from the scan instead: ``monotonically_increasing_id()`` is
  ``partition << 33 | index in partition`` and a file scan's partitions follow the file's
  byte offsets, so ordering by (file, partition, index) is the file order. A small aggregate
  counts the rows of each (file, partition), their running sum gives each partition's
  offset, and ``offset + index - first index + 1`` is the row's 1-based position, dense,
  computed in parallel (no single-partition window over the data). Files of a glob are
  taken in path order, as DuckDB does.
* **Reading.** CSV: every column a string, header, RFC 4180 quoting (``""`` inside quotes),
  quoted fields spanning lines (``multiLine``: one task per file), the delimiter sniffed by
  the file toolkit when not given, a byte-order mark dropped from the first column name; a
  record with another number of fields than the header fails the read (``FAILFAST``), as
  on DuckDB (Spark's default drops the extra fields or fills the missing ones silently).
  JSON Lines: columns in the order of the file (Spark sorts them). Parquet: ``**`` globs
  become a recursive listing; nanosecond timestamps, which Spark cannot represent, are read
  as integer epoch nanoseconds (the reader parses those exactly).
* **Results** come through Arrow (``DataFrame.toArrow``), not pandas, and are cast to the
  expression's schema; prepared tables are persisted (memory and disk) with the column types
  of their Ibis schema (:func:`typed`: Ibis leaves some casts out of the SQL). PySpark leaves
  the socket of each result to the garbage collector; it is collected right away
  (:func:`sockets`).
"""

from __future__ import annotations

import contextlib
import gc
import os
import re
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journeymap.engine.files import delimiter_of, encoding_of, json_key_order, local_files
from journeymap.errors import UsageError

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa
    from ibis.backends import BaseBackend

    from journeymap.engine.core import EngineConfig

__all__ = [
    "connect",
    "dataframe",
    "errors",
    "from_arrow",
    "number_rows",
    "persist",
    "read_csv",
    "read_json",
    "read_parquet",
    "run",
    "unpersist",
    "with_filename",
]

#: bits of ``monotonically_increasing_id()`` that hold the row's index within its partition
_INDEX_BITS = 33
#: the encodings the engine reads itself (journeymap.engine.files' names) -> Spark's names
_ENCODINGS = {"utf-8": "UTF-8", "utf-16": "UTF-16", "latin-1": "ISO-8859-1"}


# ---- connecting ------------------------------------------------------------------------------


def connect(config: EngineConfig) -> tuple[BaseBackend, bool]:
    """An Ibis backend over a Spark session, and whether we started the session (a running
    one is joined)."""
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
        "spark.driver.memory": spark_memory(config.memory_limit or "4GB"),
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
    if existing is None:
        # defaults for a session we start (a running session keeps its own)
        defaults = {
            **static,
            "spark.sql.shuffle.partitions": "8",
            "spark.sql.execution.arrow.pyspark.enabled": "true",
        }
        if "spark.driver.extraJavaOptions" not in config.spark_conf:
            # Spark's own log lines (WARN and INFO) would bury the report on stderr
            defaults["spark.driver.extraJavaOptions"] = (
                f"-Dlog4j2.configurationFile={quiet_log4j()}"
            )
        builder = SparkSession.builder.appName("journeymap").master(master)
        for key, value in {**defaults, **required, **config.spark_conf}.items():
            builder = builder.config(key, value)
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
    else:
        session = existing
    _settle(session, {**required, **config.spark_conf}, skip=set(static))
    return ibis.pyspark.connect(session), existing is None


def _settle(session: Any, settings: dict[str, str], *, skip: set[str]) -> None:
    """Set what a session can change at run time; a static setting keeps its value."""
    from pyspark.errors import AnalysisException

    for key, value in settings.items():
        if key in skip or key.startswith(("spark.driver.", "spark.executor.")):
            continue
        try:
            session.conf.set(key, value)
        except AnalysisException:  # CANNOT_MODIFY_CONFIG: fixed when the session started
            continue


_LOG4J2 = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{yy/MM/dd HH:mm:ss} %p %c{1}: %m%n%ex
"""


def quiet_log4j() -> str:
    """A log4j2 configuration that lets only errors through, as a file URI."""
    path = Path(tempfile.gettempdir()) / "journeymap-spark-log4j2.properties"
    if not path.exists() or path.read_text() != _LOG4J2:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".journeymap-log4j2-")
        with os.fdopen(fd, "w") as f:
            f.write(_LOG4J2)
        Path(tmp).replace(path)  # atomic: another process never reads half a file
    return path.as_uri()


def spark_memory(limit: str) -> str:
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


def errors() -> tuple[type[Exception], ...]:
    """The exceptions Spark raises for input it cannot read or a query it cannot run."""
    from py4j.protocol import Py4JError  # type: ignore[import-untyped]
    from pyspark.errors import PySparkException

    return (PySparkException, Py4JError)


# ---- running ---------------------------------------------------------------------------------


@contextlib.contextmanager
def sockets() -> Iterator[None]:
    """Around a PySpark call that moves data through a local socket: PySpark leaves that
    socket for the garbage collector to close (a ResourceWarning); it is collected here."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            yield
        finally:
            gc.collect()


def _session(backend: Any) -> Any:
    return backend._session


def dataframe(backend: Any, expr: ir.Table) -> Any:
    """The Spark DataFrame of an Ibis table expression."""
    backend._run_pre_execute_hooks(expr)  # registers in-memory tables and UDFs
    return _session(backend).sql(backend.compile(expr))


def run(backend: Any, expr: ir.Table) -> pa.Table:
    """Execute ``expr``; an Arrow table with the expression's schema."""
    schema = expr.schema().to_pyarrow()
    df = dataframe(backend, expr)
    with sockets():
        result = df.toArrow()
    if result.schema.equals(schema):
        return result
    # Spark's own types (e.g. timestamps with tz=UTC, large strings) -> the Ibis schema
    return result.rename_columns(schema.names).cast(schema)


def typed(df: Any, schema: Any) -> Any:
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


def persist(backend: Any, expr: ir.Table) -> Any:
    """``expr`` computed once and kept (memory and disk), typed by its Ibis schema."""
    from pyspark import StorageLevel

    df = typed(dataframe(backend, expr), expr.schema())
    return df.persist(StorageLevel.MEMORY_AND_DISK)


def unpersist(df: Any) -> None:
    """Release a persisted DataFrame; nothing to do when its session has stopped."""
    from py4j.protocol import Py4JError

    try:
        df.unpersist()
    except Py4JError:  # the JVM is gone (the session was stopped by its owner): so is df
        return


def from_arrow(backend: Any, data: pa.Table) -> Any:
    """An Arrow table as a Spark DataFrame."""
    with sockets():
        return _session(backend).createDataFrame(data)


# ---- reading ---------------------------------------------------------------------------------


def read_csv(
    backend: Any,
    path: str,
    *,
    delimiter: str | None,
    encoding: str,
    quote: str | None,
    columns: Sequence[str] | None,
) -> Any:
    """A CSV file or glob as a DataFrame of strings (see the module docstring)."""
    if delimiter is None:
        delimiter = _sniffed_delimiter(path)
    df = _session(backend).read.csv(
        path,
        header=True,
        inferSchema=False,
        multiLine=quote is not None,
        quote=quote if quote is not None else "",
        escape=quote if quote is not None else "\\",
        sep=delimiter,
        encoding=_ENCODINGS[encoding],
        # a record with a field too many or too few is an error, as on DuckDB (PERMISSIVE
        # drops the extra fields or fills the missing ones without a word)
        mode="FAILFAST" if quote is not None else "PERMISSIVE",
    )
    names = [c.lstrip("\ufeff") for c in df.columns]
    if columns is not None:  # by position, as many as both have
        names[: len(columns)] = list(columns)[: len(names)]
    return df.toDF(*names) if names != df.columns else df


def _sniffed_delimiter(path: str) -> str:
    """The delimiter of the first local file of ``path``, as the file toolkit reads it."""
    from journeymap.engine.files import decode, first_lines, head

    files = local_files(path)
    if not files:
        return ","
    start = head(files[0])
    try:
        lines = first_lines(decode(start, encoding_of(start), whole=False))
    except UnicodeDecodeError:
        lines = []
    return delimiter_of(lines, name=str(files[0]), whitespace=False)


def read_parquet(backend: Any, path: str) -> Any:
    """Parquet: a file, a folder or a glob (``**`` lists the folder recursively)."""
    reader = _session(backend).read
    where = path
    if "**" in path:
        # DuckDB's recursive glob; Spark lists the folder recursively and filters names
        base, _, pattern = path.partition("**")
        reader = reader.option("recursiveFileLookup", "true")
        pattern = pattern.strip("/\\") or "*"
        if "/" not in pattern and "\\" not in pattern:
            reader = reader.option("pathGlobFilter", pattern)
        where = base.rstrip("/\\") or "."
    return reader.parquet(where)


def read_json(backend: Any, path: str) -> Any:
    """JSON Lines, columns in the order of the file."""
    df = _session(backend).read.json(path)
    order = json_key_order(path)
    if order and set(order) == set(df.columns):
        df = df.select(*[f"`{c}`" for c in order])
    return df


def with_filename(df: Any, path: str, column: str | None) -> Any:
    """``df`` with a column ``column`` naming each row's file by its absolute path, as
    DuckDB does (Spark gives a URI)."""
    if not column:
        return df
    from pyspark.sql import functions as F

    uri = F.input_file_name()
    shown = F.regexp_replace(uri, "^file:(//)?", "")
    # as DuckDB shows it: absolute, symlinks not resolved
    absolute = [(p, os.path.abspath(p)) for p in local_files(path)]  # noqa: PTH100
    named = [item for p, a in absolute for item in (F.lit(p.resolve().as_uri()), F.lit(a))]
    value = F.coalesce(F.create_map(*named)[uri], shown) if named else shown
    return df.withColumn(column, value)


def number_rows(backend: Any, table: ir.Table, name: str, *, per_file: bool, stride: int) -> Any:
    """``table`` (a fresh scan) with ``name``: each row's 1-based position in the input, or
    with ``per_file`` the file's rank times ``stride`` plus the row in the file."""
    from pyspark.sql import functions as F

    mid, file, part, idx = "__jm_rn_id", "__jm_rn_file", "__jm_rn_part", "__jm_rn_idx"
    df = dataframe(backend, table)
    columns = [F.col(f"`{c}`") for c in df.columns]
    mask = (1 << _INDEX_BITS) - 1
    ided = df.withColumn(mid, F.monotonically_increasing_id())
    ided = ided.select(
        *columns,
        F.input_file_name().alias(file),
        F.shiftright(F.col(mid), _INDEX_BITS).alias(part),
        F.col(mid).bitwiseAND(F.lit(mask)).alias(idx),
    )
    # rows per (file, partition) of the scan: a few rows, collected and summed up here
    with sockets():
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
            running = ranks[row[file]] * stride
        offsets.append((row[file], int(row[part]), running - int(row["lo"])))
        running += int(row["n"])
    with sockets():
        base = _session(backend).createDataFrame(
            offsets, schema=f"{file} string, {part} long, __jm_rn_base long"
        )
    return ided.join(F.broadcast(base), on=[file, part], how="inner").select(
        *columns, (F.col("__jm_rn_base") + F.col(idx) + F.lit(1)).cast("long").alias(name)
    )
