"""Options that several commands share, declared once as ``Annotated`` aliases.

A command (or a ``with_options`` template) writes ``customer: CustomerCol = None``; the name
of the parameter is the name of the option (``--customer``), the default is the command's.
The help texts of reading text files (:data:`DELIMITER_HELP`, :data:`ENCODING_HELP`) are the
rule of the file toolkit (:mod:`journeymap.engine.files`), the same for every reader; a
command that shows them in another panel declares its own alias with them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import typer

__all__ = [
    "COLUMNS",
    "DELIMITER_HELP",
    "ENCODING_HELP",
    "ENGINE",
    "STRICT_HELP",
    "CacheDir",
    "ChannelCol",
    "CustomerCol",
    "DefaultEvent",
    "DelimiterOpt",
    "EncodingOpt",
    "EngineKindOpt",
    "EventCol",
    "MemoryLimit",
    "SessionCol",
    "SparkMaster",
    "StrictOpt",
    "TempDir",
    "TimeCol",
    "TimeFormat",
    "TimeUnitOpt",
    "ValueCol",
]

#: help panels
COLUMNS = "Columns and times"
ENGINE = "Engine"

DELIMITER_HELP = "CSV delimiter: a character, 'tab' or 'whitespace' (default: detected)."
ENCODING_HELP = (
    "Text encoding, any Python knows: utf-8, utf-16, latin-1, cp1252, ... (default: by "
    "byte-order mark, else utf-8)."
)
STRICT_HELP = "Fail (exit 2) when any row cannot be used, instead of reporting and leaving it out."


def _column(help: str) -> Any:
    return typer.Option(metavar="COL", help=help, rich_help_panel=COLUMNS)


CustomerCol = Annotated[str | None, _column("Column of the customer (user, case) id.")]
TimeCol = Annotated[str | None, _column("Column of the event time.")]
EventCol = Annotated[str | None, _column("Column of the event name.")]
SessionCol = Annotated[str | None, _column("Column of a session id.")]
ChannelCol = Annotated[str | None, _column("Column of the channel.")]
ValueCol = Annotated[str | None, _column("Column of a value (revenue, amount).")]
DefaultEvent = Annotated[
    str | None,
    typer.Option(
        metavar="NAME",
        help="For a log without an event column (e.g. a table of orders): every row is this event.",
        rich_help_panel=COLUMNS,
    ),
]
TimeFormat = Annotated[
    str | None,
    typer.Option(
        metavar="FMT",
        help="strptime format of the times, e.g. '%d/%m/%Y %H:%M' (default: ISO 8601 or "
        "epoch numbers, detected).",
        rich_help_panel=COLUMNS,
    ),
]
TimeUnitOpt = Annotated[
    Literal["s", "ms", "us", "ns"] | None,
    typer.Option(
        help="Unit of epoch times (default: told by their magnitude).", rich_help_panel=COLUMNS
    ),
]
DelimiterOpt = Annotated[
    str | None, typer.Option(metavar="X", help=DELIMITER_HELP, rich_help_panel=COLUMNS)
]
EncodingOpt = Annotated[
    str | None, typer.Option(metavar="NAME", help=ENCODING_HELP, rich_help_panel=COLUMNS)
]
StrictOpt = Annotated[bool, typer.Option("--strict", help=STRICT_HELP, rich_help_panel=COLUMNS)]

EngineKindOpt = Annotated[
    Literal["duckdb", "spark"],
    typer.Option(help="Where to compute: embedded DuckDB or Spark.", rich_help_panel=ENGINE),
]
SparkMaster = Annotated[
    str | None,
    typer.Option(
        metavar="URL", help="Spark master URL (default: a local session).", rich_help_panel=ENGINE
    ),
]
MemoryLimit = Annotated[
    str | None,
    typer.Option(
        metavar="SIZE",
        help="Memory the engine may use, e.g. 4GB; beyond it DuckDB spills to disk (default "
        "1.5GB; Spark: the driver's memory, default 4g).",
        rich_help_panel=ENGINE,
    ),
]
TempDir = Annotated[
    Path | None,
    typer.Option(
        metavar="DIR",
        help="Where the engine spills to disk (default: the system temp folder).",
        rich_help_panel=ENGINE,
    ),
]
CacheDir = Annotated[
    Path | None,
    typer.Option(
        metavar="DIR",
        envvar="JOURNEYMAP_CACHE",
        help="Keep the read and ordered log in DIR, so that the next command on the same "
        "files starts at the analysis (DuckDB only; a changed file is read again).",
        rich_help_panel=ENGINE,
    ),
]
