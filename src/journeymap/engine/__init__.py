"""The engine: the only place that connects to a backend and executes queries, and the file
toolkit every reader shares.

* :mod:`~journeymap.engine.core`: :class:`Engine` (connect to DuckDB or Spark, run Ibis
  expressions, keep tables, read files, attach database files, execute a statement with
  bound values) and :class:`EngineConfig`;
* :mod:`~journeymap.engine.spark`: what Spark needs beyond Ibis' backend (reading, input
  order, typed views, quiet logs);
* :mod:`~journeymap.engine.compiler`: fixes to Ibis' SQL compilers that keep results exact
  and equal on both engines;
* :mod:`~journeymap.engine.files`: which files a source names, compression, encodings,
  delimiters, header names: one rule for event logs, feedback and table import;
* :mod:`~journeymap.engine.reading`: what readers of tables share beyond files (column names
  compared, the hint for a missing column, the rejected rows shown as examples);
* :mod:`~journeymap.engine.times`: parsing times, for event logs (as engine expressions)
  and feedback (in Python) alike.

Importing this package loads no backend: DuckDB, Ibis and Spark load when an engine
connects.
"""

from journeymap.engine.core import FILE_STRIDE, Engine, EngineConfig, EngineKind

__all__ = ["FILE_STRIDE", "Engine", "EngineConfig", "EngineKind"]
