"""``journeymap events ...``: journey analytics on an event log, on the terminal or to a file.

Every command takes the log (a CSV, Parquet file/folder/glob, JSON Lines, XES or
``file.duckdb:table``; several are read as one log) and the same options for its columns,
its times and the engine; they are declared once (:class:`LogOptions`, :class:`OutputOptions`)
and added to each command by :func:`with_options`. The read report (rows read, used and
rejected, with examples) goes to stderr; results go to stdout as a table, or as CSV, JSON or
Parquet with ``--format`` / ``-o``. The commands only parse, call the library and print.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from journeymap.cli._common import handle_errors, stderr
from journeymap.cli._output import (
    OUT,
    OutputOptions,
    busy,
    emit,
    format_of,
    vertical,
    with_options,
)
from journeymap.errors import UsageError

if TYPE_CHECKING:
    from journeymap.events.read import EventLog

app = typer.Typer(
    name="events",
    help="Journey analytics on an event log: flows, paths, funnels, retention, sessions.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)

Per = Literal["customer", "session"]
Period = Literal["day", "week", "month", "quarter"]

_COLUMNS = "Columns and times"
_ENGINE = "Engine"

# ---- durations -------------------------------------------------------------------------------

_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(sec|min|s|m|h|d|w)")


def parse_duration(text: str, *, option: str = "duration") -> timedelta:
    """``"30m"`` -> 30 minutes; also ``45s``, ``2h``, ``30d``, ``1w``, ``1h30m``."""
    compact = text.strip().lower().replace(" ", "")
    if compact and _PART.sub("", compact) == "":
        seconds = sum(float(n) * _UNITS[u] for n, u in _PART.findall(compact))
        if seconds > 0:
            return timedelta(seconds=seconds)
    raise UsageError(
        f"{option}: cannot read {text!r} as a duration; expected a number and a unit, "
        "e.g. 30m, 2h, 30d (units: s, m, h, d, w)"
    )


def parse_steps(text: str) -> list[str | list[str]]:
    """``"a,b|c,d"`` -> ``["a", ["b", "c"], "d"]``: steps by commas, a set of names by ``|``."""
    steps: list[str | list[str]] = []
    for i, part in enumerate(text.split(","), 1):
        names = [n.strip() for n in part.split("|") if n.strip()]
        if not names:
            raise UsageError(f"--steps: step {i} of {text!r} names no event")
        steps.append(names[0] if len(names) == 1 else names)
    if len(steps) < 2:
        raise UsageError("--steps: a funnel needs at least two steps, e.g. visit,cart,buy")
    return steps


# ---- the options every command shares --------------------------------------------------------


@dataclass(frozen=True)
class LogOptions:
    """How to read the log and where to run: the common options of every ``events`` command."""

    customer: str | None = None
    time: str | None = None
    event: str | None = None
    default_event: str | None = None
    session: str | None = None
    channel: str | None = None
    value: str | None = None
    time_format: str | None = None
    time_unit: Literal["s", "ms", "us", "ns"] | None = None
    delimiter: str | None = None
    encoding: str | None = None
    strict: bool = False
    engine: Literal["duckdb", "spark"] = "duckdb"
    spark_master: str | None = None
    memory_limit: str | None = None
    temp_dir: Path | None = None
    cache: Path | None = None


#: LogOptions that say where to compute, not what the log is: not part of a cache's key
_ENGINE_ONLY = ("engine", "spark_master", "memory_limit", "temp_dir", "cache")


def _log_options(
    customer: Annotated[
        str | None,
        typer.Option(
            metavar="COL", help="Column of the customer (user, case) id.", rich_help_panel=_COLUMNS
        ),
    ] = None,
    time: Annotated[
        str | None,
        typer.Option(metavar="COL", help="Column of the event time.", rich_help_panel=_COLUMNS),
    ] = None,
    event: Annotated[
        str | None,
        typer.Option(metavar="COL", help="Column of the event name.", rich_help_panel=_COLUMNS),
    ] = None,
    default_event: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="For a log without an event column (e.g. a table of orders): every row is "
            "this event.",
            rich_help_panel=_COLUMNS,
        ),
    ] = None,
    session: Annotated[
        str | None,
        typer.Option(metavar="COL", help="Column of a session id.", rich_help_panel=_COLUMNS),
    ] = None,
    channel: Annotated[
        str | None,
        typer.Option(metavar="COL", help="Column of the channel.", rich_help_panel=_COLUMNS),
    ] = None,
    value: Annotated[
        str | None,
        typer.Option(
            metavar="COL", help="Column of a value (revenue, amount).", rich_help_panel=_COLUMNS
        ),
    ] = None,
    time_format: Annotated[
        str | None,
        typer.Option(
            metavar="FMT",
            help="strptime format of the times, e.g. '%d/%m/%Y %H:%M' (default: ISO 8601 or "
            "epoch numbers, detected).",
            rich_help_panel=_COLUMNS,
        ),
    ] = None,
    time_unit: Annotated[
        Literal["s", "ms", "us", "ns"] | None,
        typer.Option(
            help="Unit of epoch times (default: told by their magnitude).",
            rich_help_panel=_COLUMNS,
        ),
    ] = None,
    delimiter: Annotated[
        str | None,
        typer.Option(
            metavar="X",
            help="CSV delimiter: a character, 'tab' or 'whitespace' (default: detected).",
            rich_help_panel=_COLUMNS,
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="Text encoding: utf-8, utf-16, latin-1 (default: utf-8, or by byte-order mark).",
            rich_help_panel=_COLUMNS,
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Fail (exit 2) when any row cannot be used, instead of reporting and leaving "
            "it out.",
            rich_help_panel=_COLUMNS,
        ),
    ] = False,
    engine: Annotated[
        Literal["duckdb", "spark"],
        typer.Option(help="Where to compute: embedded DuckDB or Spark.", rich_help_panel=_ENGINE),
    ] = "duckdb",
    spark_master: Annotated[
        str | None,
        typer.Option(
            metavar="URL",
            help="Spark master URL (default: a local session).",
            rich_help_panel=_ENGINE,
        ),
    ] = None,
    memory_limit: Annotated[
        str | None,
        typer.Option(
            metavar="SIZE",
            help="Memory the engine may use, e.g. 4GB; beyond it DuckDB spills to disk "
            "(default 1.5GB; Spark: the driver's memory, default 4g).",
            rich_help_panel=_ENGINE,
        ),
    ] = None,
    temp_dir: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            help="Where the engine spills to disk (default: the system temp folder).",
            rich_help_panel=_ENGINE,
        ),
    ] = None,
    cache: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            envvar="JOURNEYMAP_CACHE",
            help="Keep the read and ordered log in DIR, so that the next command on the same "
            "files starts at the analysis (DuckDB only; a changed file is read again).",
            rich_help_panel=_ENGINE,
        ),
    ] = None,
) -> None:
    """The signature of the shared log options (never called)."""


_LOG = (LogOptions, _log_options, "opts")

LogsArg = Annotated[
    list[str],
    typer.Argument(
        metavar="LOG",
        help="The event log: CSV, Parquet (file, folder or glob), JSON Lines, XES or "
        "FILE.duckdb:TABLE. Several are read as one log.",
        show_default=False,
    ),
]
PerOpt = Annotated[
    Per,
    typer.Option(help="The journey: each customer's events, or each session's (--session)."),
]


# ---- reading, progress, the report -----------------------------------------------------------


@contextlib.contextmanager
def _opened(logs: list[str], opts: LogOptions) -> Iterator[EventLog]:
    """The log read on the chosen engine (closed afterwards); the read report on stderr."""
    from journeymap.engine.core import Engine, EngineConfig

    config = EngineConfig(
        kind=opts.engine,
        memory_limit=opts.memory_limit,
        temp_directory=str(opts.temp_dir) if opts.temp_dir else None,
        spark_master=opts.spark_master,
    )
    with busy("starting the engine") as progress:
        engine = Engine.connect(config)
    try:
        note = None
        with busy("reading") as progress:
            if opts.cache is None:
                log = _read_all(logs, opts, engine, progress)
            else:
                log, note = _read_cached(logs, opts, opts.cache, engine, progress)
        err = stderr()
        for line in log.report.lines():
            err.print(line, markup=False, highlight=False, emoji=False)
        if note:
            err.print(note, markup=False, highlight=False, emoji=False)
        yield log
    finally:
        engine.close()


def _read_cached(
    logs: list[str], opts: LogOptions, where: Path, engine: Any, progress: Any
) -> tuple[EventLog, str]:
    """The log from the cache in ``opts.cache`` when it holds these files read this way;
    else read, ordered and kept there. Also a line saying which."""
    import dataclasses

    from journeymap.events import cache

    if opts.engine != "duckdb":
        raise UsageError(
            "--cache (or JOURNEYMAP_CACHE) works with the DuckDB engine; "
            "unset it for --engine spark"
        )
    reading = {k: v for k, v in dataclasses.asdict(opts).items() if k not in _ENGINE_ONLY}
    found = cache.entry(where, logs, reading)
    log = cache.load(engine, found)
    if log is not None:
        return log, f"cache: read from {found.path}"
    log = _read_all(logs, opts, engine, progress)
    progress("ordering and keeping the log")
    path = cache.store(log, found)
    return log, f"cache: kept in {path} (the next command on these files starts from it)"


#: several logs are one: the n-th log's positions are offset by n times this
_LOG_STRIDE = 2**56


def _read_all(logs: list[str], opts: LogOptions, engine: Any, progress: Any) -> EventLog:
    from journeymap.events.read import EventLog, read_events

    read = [
        read_events(
            source,
            engine=engine,
            customer=opts.customer,
            time=opts.time,
            event=opts.event,
            default_event=opts.default_event,
            session=opts.session,
            channel=opts.channel,
            value=opts.value,
            time_format=opts.time_format,
            time_unit=opts.time_unit,
            delimiter=opts.delimiter,
            encoding=opts.encoding,
            strict=opts.strict,
            progress=progress,
        )
        for source in logs
    ]
    if len(read) == 1:
        return read[0]
    if len(read) > 127:
        raise UsageError(f"{len(read)} logs: give at most 127, or a folder or a quoted glob")
    columns = read[0].table.columns
    for log in read[1:]:
        if log.table.columns != columns:
            raise UsageError(
                f"{log.report.source} has the columns {', '.join(log.table.columns)}, "
                f"{read[0].report.source} has {', '.join(columns)}: they cannot be one log"
            )
    table = read[0].table
    for i, log in enumerate(read[1:], 1):
        table = table.union(log.table.mutate(seq=log.table.seq + i * _LOG_STRIDE))
    reports = [log.report for log in read]
    rejected: dict[str, int] = {}
    for r in reports:
        for reason, n in r.rejected.items():
            rejected[reason] = rejected.get(reason, 0) + n
    report = dataclasses.replace(
        reports[0],
        source=", ".join(r.source for r in reports),
        rows_read=sum(r.rows_read for r in reports),
        rows_used=sum(r.rows_used for r in reports),
        rejected=rejected,
        examples=tuple(e for r in reports for e in r.examples)[:5],
        unreadable_values=sum(r.unreadable_values for r in reports),
    )
    sub = any(log.sub_microsecond for log in read)
    known = [log.event_names for log in read]
    names = None if None in known else tuple(sorted({n for ns in known if ns for n in ns}))
    return EventLog(
        engine=engine, table=table, report=report, sub_microsecond=sub, event_names=names
    )


# ---- output ----------------------------------------------------------------------------------


# ---- commands --------------------------------------------------------------------------------


@app.command("summary")
@handle_errors
@with_options(_LOG, OUT)
def summary_(logs: LogsArg, *, opts: LogOptions, out: OutputOptions) -> None:
    """Rows read/used/rejected, customers, events, sessions, time range, events per customer."""
    from journeymap.events.summary import summary

    with _opened(logs, opts) as log, busy("summarising"):
        table = summary(log)
    emit(table, out, title="summary", terminal=vertical(table))


@app.command("flows")
@handle_errors
@with_options(_LOG, OUT)
def flows_(
    logs: LogsArg,
    per: PerOpt = "customer",
    markers: Annotated[
        bool, typer.Option("--markers", help="Add <start> and <end> transitions.")
    ] = False,
    *,
    opts: LogOptions,
    out: OutputOptions,
) -> None:
    """Directly-follows transitions: count, customers, median and p90 time between steps."""
    from journeymap.events.flows import flows

    with _opened(logs, opts) as log, busy("computing flows"):
        table = flows(log, per=per, markers=markers)
    emit(table, out, title=f"flows (per {per})")


@app.command("paths")
@handle_errors
@with_options(_LOG, OUT)
def paths_(
    logs: LogsArg,
    per: PerOpt = "customer",
    top: Annotated[int, typer.Option(help="The N most common paths (0: all).")] = 20,
    collapse_loops: Annotated[
        bool, typer.Option("--collapse-loops", help="Merge immediate repeats (a a b -> a b).")
    ] = False,
    *,
    opts: LogOptions,
    out: OutputOptions,
) -> None:
    """The most common paths (full event sequences) with customers and share."""
    from journeymap.events.paths import paths, totals

    with _opened(logs, opts) as log, busy("computing paths"):
        table = paths(log, per=per, top=top or None, collapse_loops=collapse_loops)
    title = f"paths (per {per})"
    counted = totals(table)
    if counted is not None:
        variants, journeys = counted
        unit = "customers" if per == "customer" else "sessions"
        shown = "all" if table.num_rows == variants else f"top {table.num_rows:,} of"
        title += f": {shown} {variants:,} variants of {journeys:,} {unit}"
    emit(table, out, title=title, hide=("events",))


@app.command("funnel")
@handle_errors
@with_options(_LOG, OUT)
def funnel_(
    logs: LogsArg,
    steps: Annotated[
        str,
        typer.Option(
            metavar="A,B|C,D",
            help="The steps in order, by commas; a step reached by any of several events "
            "names them with |.",
            show_default=False,
        ),
    ],
    within: Annotated[
        str | None,
        typer.Option(
            metavar="DURATION",
            help="Count a step only within this time of step 1 (e.g. 30m, 2h, 30d).",
        ),
    ] = None,
    per: PerOpt = "customer",
    *,
    opts: LogOptions,
    out: OutputOptions,
) -> None:
    """An ordered funnel: customers reaching each step, conversion, drop-off, time between."""
    from journeymap.events.funnel import funnel

    parsed = parse_steps(steps)
    limit = parse_duration(within, option="--within") if within is not None else None
    with _opened(logs, opts) as log, busy("computing the funnel"):
        table = funnel(log, steps=parsed, within=limit, per=per)
    emit(table, out, title="funnel")


@app.command("retention")
@handle_errors
@with_options(_LOG, OUT)
def retention_(
    logs: LogsArg,
    period: Annotated[Period, typer.Option(help="Calendar period (UTC).")] = "month",
    active_event: Annotated[
        str | None,
        typer.Option(
            metavar="NAME",
            help="Active means doing this event (e.g. purchase); default: any event. (--event "
            "names the event column, as in every command.)",
        ),
    ] = None,
    cohorts: Annotated[
        bool,
        typer.Option(
            "--cohorts",
            help="Cohort retention instead: share of each cohort (first period) active k "
            "periods later; a matrix on the terminal, long format in files.",
        ),
    ] = False,
    *,
    opts: LogOptions,
    out: OutputOptions,
) -> None:
    """Retention and churn per period (retained, new, lost, rates), or cohort retention."""
    from journeymap.events import retention as r

    with _opened(logs, opts) as log, busy("computing retention"):
        if cohorts:
            table = r.cohorts(log, period=period, event=active_event)
        else:
            table = r.retention(log, period=period, event=active_event)
    if cohorts:
        emit(table, out, title=f"cohorts by {period}", terminal=r.cohort_matrix(table))
    else:
        emit(table, out, title=f"retention by {period}")


@app.command("sessions")
@handle_errors
@with_options(_LOG, OUT)
def sessions_(
    logs: LogsArg,
    session_gap: Annotated[
        str,
        typer.Option(
            metavar="DURATION",
            help="Inactivity that ends a session (e.g. 30m); replaces a session column.",
        ),
    ] = "30m",
    *,
    opts: LogOptions,
    out: OutputOptions,
) -> None:
    """Cut journeys into sessions at gaps of inactivity: a summary on the terminal; with
    --format or -o, the events with their session."""
    from journeymap.events.sessions import session_summary, sessions

    gap = parse_duration(session_gap, option="--session-gap")
    fmt = format_of(out)
    with _opened(logs, opts) as log, busy("making sessions"):
        cut = sessions(log, gap=gap, replace_existing=True)
        if fmt == "table":
            table = session_summary(cut)
        else:
            table = cut.engine.run(cut.table.order_by("seq"))
    emit(table, out, title=f"sessions (gap {session_gap})", terminal=vertical(table))


@app.command("discover")
@handle_errors
@with_options(_LOG)
def discover_(
    logs: LogsArg,
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", metavar="FILE", help="The draft map to write (.yaml or .json)."
        ),
    ],
    top_events: Annotated[int, typer.Option(help="Frequent events kept as touchpoints.")] = 30,
    stages: Annotated[
        int | None, typer.Option(help="Number of stages (default: from the events).")
    ] = None,
    title: Annotated[str | None, typer.Option(help="Title of the map.")] = None,
    force: Annotated[bool, typer.Option("--force", "-f", help="Overwrite FILE.")] = False,
    *,
    opts: LogOptions,
) -> None:
    """Propose a draft journey map: frequent events as touchpoints in their typical order,
    grouped into stages, with the rules that match them."""
    from journeymap.events.discover import discover
    from journeymap.formats.document import format_of, save

    if output.exists() and not force:
        raise UsageError(f"{output}: already exists; pass --force to overwrite it")
    fmt = format_of(output)
    with _opened(logs, opts) as log, busy("discovering the journey"):
        m = discover(log, top_events=top_events, stages=stages, title=title)
    save(m, output, fmt=fmt)
    n_tp = sum(len(s.touchpoints) for s in m.stages)
    stderr().print(
        f"wrote {output}: {len(m.stages)} stages, {n_tp} touchpoints "
        "(a draft: review it, then `journeymap validate`)",
        highlight=False,
    )
