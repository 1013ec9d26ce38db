"""The engine: the only module that connects to a backend and executes queries.

Every analysis is an Ibis expression built elsewhere in ``analytics/``; it runs here, on
DuckDB (embedded, out of core, the default) or on a PySpark session (``kind="spark"``), and
leaves as an Arrow table. Sessions run in UTC so that timestamps mean the same everywhere.

DuckDB is configured explicitly: a memory limit, a temp directory for spilling and a cap on
its size, so a large log spills to disk instead of exhausting memory.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from journeymap.errors import UsageError

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pyarrow as pa
    from ibis.backends import BaseBackend

__all__ = ["Engine", "EngineConfig", "EngineKind"]

EngineKind = Literal["duckdb", "spark"]


@dataclass(frozen=True)
class EngineConfig:
    """How to connect. Every field has a sensible default for one laptop."""

    kind: EngineKind = "duckdb"
    #: DuckDB database file; ``":memory:"`` keeps everything in memory (spilling to temp).
    database: str = ":memory:"
    #: DuckDB memory limit, e.g. ``"4GB"``; ``None`` leaves DuckDB's default (80% of RAM).
    memory_limit: str | None = "4GB"
    #: where DuckDB spills; default: a folder under the system temp directory.
    temp_directory: str | None = None
    #: the most DuckDB may spill, e.g. ``"100GB"``.
    max_temp_directory_size: str | None = None
    threads: int | None = None
    #: Spark master URL; ``None`` starts a local session (``local[*]``).
    spark_master: str | None = None
    spark_conf: dict[str, str] = field(default_factory=dict)


class Engine:
    """A connection to one backend. Use :meth:`connect`; close it when done (or use ``with``)."""

    def __init__(self, backend: BaseBackend, kind: EngineKind, *, owns: bool = True) -> None:
        self.backend = backend
        self.kind: EngineKind = kind
        self._owns = owns
        self._counter = 0

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
        if config.memory_limit:
            settings["memory_limit"] = config.memory_limit
        if config.max_temp_directory_size:
            settings["max_temp_directory_size"] = config.max_temp_directory_size
        if config.threads:
            settings["threads"] = config.threads
        con = ibis.duckdb.connect(config.database)
        for key, value in settings.items():
            # values are settings we chose or the user typed as options; bind them as literals
            con.con.execute(f"SET {key} = ?", [value])
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
        builder = SparkSession.builder.appName("journeymap").master(
            config.spark_master or "local[*]"
        )
        conf = {
            "spark.sql.session.timeZone": "UTC",
            "spark.ui.enabled": "false",
            "spark.sql.shuffle.partitions": "8",
            "spark.sql.execution.arrow.pyspark.enabled": "true",
            "spark.driver.memory": "4g",
            **config.spark_conf,
        }
        for key, value in conf.items():
            builder = builder.config(key, value)
        session = builder.getOrCreate()
        return cls(ibis.pyspark.connect(session), "spark")

    @classmethod
    def wrap(cls, backend: BaseBackend) -> Engine:
        """An engine over a backend the caller already has (not closed by us)."""
        name = getattr(backend, "name", "")
        kind: EngineKind = "spark" if name == "pyspark" else "duckdb"
        return cls(backend, kind, owns=False)

    def close(self) -> None:
        if self._owns and self.kind == "duckdb":
            self.backend.disconnect()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- executing -----------------------------------------------------------------------

    def run(self, expr: ir.Table) -> pa.Table:
        """Execute a table expression; the result as an Arrow table."""
        result: pa.Table = self.backend.to_pyarrow(expr)
        return result

    def scalar(self, expr: ir.Scalar) -> Any:
        """Execute a scalar expression; the result as a Python value."""
        return self.backend.execute(expr)

    def materialise(self, expr: ir.Table, *, prefix: str = "jm") -> ir.Table:
        """Compute ``expr`` once and keep it (a temp table / a cached Spark view)."""
        self._counter += 1
        name = f"_{prefix}_{self._counter}_{id(self):x}"
        if self.kind == "duckdb":
            return self.backend.create_table(name, expr, temp=True)
        # ibis' pyspark backend caches views created from an expression
        table = self.backend.create_view(name, expr, overwrite=True)
        return table.cache()

    def from_arrow(self, data: pa.Table, *, prefix: str = "arrow") -> ir.Table:
        """Put an Arrow table into the engine."""
        self._counter += 1
        name = f"_{prefix}_{self._counter}_{id(self):x}"
        if self.kind == "duckdb":
            return self.backend.create_table(name, data, temp=True)
        return self.backend.create_table(name, data)

    # ---- reading files -------------------------------------------------------------------

    def read_csv(self, path: str, *, delimiter: str | None = None) -> ir.Table:
        """A CSV file as a table of strings (every column VARCHAR, parsed later)."""
        if self.kind == "duckdb":
            opts: dict[str, Any] = {"all_varchar": True, "header": True}
            if delimiter:
                opts["delim"] = delimiter
            return self.backend.read_csv(path, **opts)
        opts = {"header": True, "inferSchema": False, "multiLine": True, "escape": '"'}
        if delimiter:
            opts["sep"] = delimiter
        return self.backend.read_csv(path, **opts)

    def read_parquet(self, path: str) -> ir.Table:
        return self.backend.read_parquet(path)

    def read_json(self, path: str) -> ir.Table:
        if self.kind == "duckdb":
            return self.backend.read_json(path, format="newline_delimited")
        return self.backend.read_json(path)

    def table(self, name: str, *, database: str | tuple[str, str] | None = None) -> ir.Table:
        return self.backend.table(name, database=database)
