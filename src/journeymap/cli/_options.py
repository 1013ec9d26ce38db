"""Options that several commands share, declared once as ``Annotated`` aliases.

A command (or a ``with_options`` template) writes ``customer: CustomerCol = None``; the name
of the parameter is the name of the option (``--customer``), the default is the command's.
The help texts of reading text files (:data:`DELIMITER_HELP`, :data:`ENCODING_HELP`) are the
rule of the file toolkit (:mod:`journeymap.engine.files`), the same for every reader; a
command that shows them in another panel declares its own alias with them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

__all__ = [
    "COLUMNS",
    "DELIMITER_HELP",
    "ENCODING_HELP",
    "ENGINE",
    "FILTERS",
    "STRICT_HELP",
    "WHERE_HELP",
    "ByOpt",
    "CacheDir",
    "ChannelCol",
    "CustomerCol",
    "DateCol",
    "DefaultEvent",
    "DelimiterOpt",
    "EncodingOpt",
    "EngineKindOpt",
    "EventCol",
    "LifecycleCol",
    "LifecycleOpt",
    "MemoryLimit",
    "ScoreCol",
    "SessionCol",
    "SinceOpt",
    "SparkMaster",
    "StrictOpt",
    "TempDir",
    "TextCol",
    "TimeCol",
    "TimeFormat",
    "TimeUnitOpt",
    "TouchpointCol",
    "UntilOpt",
    "ValueCol",
    "WhereOpt",
    "column",
]

#: help panels
COLUMNS = "Columns and times"
ENGINE = "Engine"
FILTERS = "Filters and segments"

DELIMITER_HELP = "CSV delimiter: a character, 'tab' or 'whitespace' (default: detected)."
ENCODING_HELP = (
    "Text encoding, any Python knows: utf-8, utf-16, latin-1, cp1252, ... (default: by "
    "byte-order mark, else utf-8)."
)
STRICT_HELP = "Fail (exit 2) when any row cannot be used, instead of reporting and leaving it out."


def column(help: str) -> Any:
    """The option of a column (``COL``) in the panel of columns."""
    return typer.Option(metavar="COL", help=help, rich_help_panel=COLUMNS)


CustomerCol = Annotated[str | None, column("Column of the customer (user, case, respondent) id.")]
TimeCol = Annotated[str | None, column("Column of the event time.")]
EventCol = Annotated[str | None, column("Column of the event name.")]
SessionCol = Annotated[str | None, column("Column of a session id.")]
ChannelCol = Annotated[str | None, column("Column of the channel.")]
ValueCol = Annotated[str | None, column("Column of a value (revenue, amount).")]
LifecycleCol = Annotated[
    str | None,
    typer.Option(
        "--lifecycle-column",
        metavar="COL",
        help="Column of the lifecycle transition (start, complete, ...; default: found by "
        "name: lifecycle:transition, lifecycle, transition).",
        rich_help_panel=COLUMNS,
    ),
]
#: the columns of feedback (survey answers, reviews, tickets)
ScoreCol = Annotated[str | None, column("Column of the score (NPS, CSAT, CES, a rating).")]
TextCol = Annotated[str | None, column("Column of the verbatim (comment, review).")]
DateCol = Annotated[str | None, column("Column of the date.")]
TouchpointCol = Annotated[str | None, column("Column of the touchpoint.")]


def _in(panel: str, metavar: str | None, help: str, **more: Any) -> Any:
    """An option in ``panel``, shown with ``metavar`` (``None``: typer's own)."""
    return typer.Option(metavar=metavar, help=help, rich_help_panel=panel, **more)


DefaultEvent = Annotated[
    str | None,
    _in(
        COLUMNS,
        "NAME",
        "For a log without an event column (e.g. a table of orders): every row is this event.",
    ),
]
TimeFormat = Annotated[
    str | None,
    _in(
        COLUMNS,
        "FMT",
        "strptime format of the times, e.g. '%d/%m/%Y %H:%M' (default: ISO 8601 or epoch "
        "numbers, detected).",
    ),
]
TimeUnitOpt = Annotated[
    Literal["s", "ms", "us", "ns"] | None,
    _in(COLUMNS, None, "Unit of epoch times (default: told by their magnitude)."),
]
DelimiterOpt = Annotated[str | None, _in(COLUMNS, "X", DELIMITER_HELP)]
EncodingOpt = Annotated[str | None, _in(COLUMNS, "NAME", ENCODING_HELP)]
StrictOpt = Annotated[bool, typer.Option("--strict", help=STRICT_HELP, rich_help_panel=COLUMNS)]

EngineKindOpt = Annotated[
    Literal["duckdb", "spark"],
    _in(ENGINE, None, "Where to compute: embedded DuckDB or Spark."),
]
SparkMaster = Annotated[
    str | None, _in(ENGINE, "URL", "Spark master URL (default: a local session).")
]
#: a size: a number and a unit, decimal (KB, MB, GB, TB; K, M, G, T) or binary (KiB, ...)
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt])(?:i?b)?\s*", re.IGNORECASE)


def _size(value: str | None) -> str | None:
    """A size option (``--memory-limit``) as typed, once it is known to be a size: a usage
    error (exit 2) naming the option and the form otherwise, before any work."""
    if value is None:
        return None
    m = _SIZE.fullmatch(value)
    if m is None or float(m.group(1)) == 0:
        raise typer.BadParameter(
            f"{value!r} is not a size: expected a number and a unit, e.g. 2GB, 512MB or 1.5GiB"
        )
    return value


MemoryLimit = Annotated[
    str | None,
    _in(
        ENGINE,
        "SIZE",
        "Memory the engine may use, e.g. 4GB; beyond it DuckDB spills to disk (default 1.5GB; "
        "Spark: the driver's memory, default 4g).",
        callback=_size,
    ),
]
TempDir = Annotated[
    Path | None,
    _in(ENGINE, "DIR", "Where the engine spills to disk (default: the system temp folder)."),
]
CacheDir = Annotated[
    Path | None,
    _in(
        ENGINE,
        "DIR",
        "Keep the read and ordered log in DIR, so that the next command on the same files "
        "starts at the analysis, and each answer, so that the same analysis asked again is "
        "read back (DuckDB only; a changed file is read again).",
        envvar="JOURNEYMAP_CACHE",
    ),
]

# ---- filters and segments of an event log ------------------------------------------------

WHERE_HELP = (
    "Keep the events that meet a condition: COL=V, COL=V|W (any), COL!=V, COL<N, <=, >, >= "
    "(a number or an ISO date). On any column of the log; repeat for several (all must hold)."
)
WhereOpt = Annotated[list[str] | None, _in(FILTERS, "COND", WHERE_HELP, show_default=False)]
SinceOpt = Annotated[
    str | None,
    _in(
        FILTERS,
        "DATE",
        "Keep the events from DATE on (inclusive; ISO, UTC unless an offset "
        "is given, e.g. 2024-01-01).",
    ),
]
UntilOpt = Annotated[
    str | None,
    _in(
        FILTERS,
        "DATE",
        "Keep the events before DATE (exclusive: --since 2024-01-01 --until "
        "2024-02-01 is January).",
    ),
]
LifecycleOpt = Annotated[
    str,
    typer.Option(
        "--lifecycle",
        metavar="all|complete|start|VALUE",
        help="Keep the events of one lifecycle transition (compared without case; an event "
        "without one counts as complete); all keeps every event, as pm4py does.",
        rich_help_panel=FILTERS,
    ),
]
ByOpt = Annotated[
    str | None,
    _in(
        FILTERS,
        "COL",
        "One result per value of COL (a first column 'segment'): segment V "
        "is what --where COL=V gives; the whole log is the command without --by.",
    ),
]
