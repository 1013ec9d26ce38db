"""``journeymap events ...``: journey analytics on an event log, on the terminal or to a file.

Every command takes the log (a CSV, Parquet file/folder/glob, JSON Lines, XES or
``file.duckdb:table``; several are read as one log) and the same options for its columns,
its times and the engine; they are declared once (:class:`LogOptions`, :class:`OutputOptions`)
and added to each command by :func:`_with_options`. The read report (rows read, used and
rejected, with examples) goes to stderr; results go to stdout as a table, or as CSV, JSON or
Parquet with ``--format`` / ``-o``. The commands only parse, call the library and print.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import inspect
import io
import json
import math
import re
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer
from rich.table import Table

from journeymap.cli._common import handle_errors, stderr, stdout
from journeymap.errors import UsageError

if TYPE_CHECKING:
    import pyarrow as pa

    from journeymap.evidence.events import EventLog

app = typer.Typer(
    name="events",
    help="Journey analytics on an event log: flows, paths, funnels, retention, sessions.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)

OutFormat = Literal["table", "csv", "json", "parquet"]
Per = Literal["customer", "session"]
Period = Literal["day", "week", "month", "quarter"]

_COLUMNS = "Columns and times"
_ENGINE = "Engine"
_OUTPUT = "Output"

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
    memory_limit: str = "4GB"
    temp_dir: Path | None = None


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
        str,
        typer.Option(
            metavar="SIZE",
            help="Memory the engine may use, e.g. 4GB (Spark: the driver's memory).",
            rich_help_panel=_ENGINE,
        ),
    ] = "4GB",
    temp_dir: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            help="Where the engine spills to disk (default: the system temp folder).",
            rich_help_panel=_ENGINE,
        ),
    ] = None,
) -> None:
    """The signature of the shared log options (never called)."""


@dataclass(frozen=True)
class OutputOptions:
    """Where and how a result table goes."""

    format: OutFormat | None = None
    output: Path | None = None
    limit: int = 20


def _output_options(
    format: Annotated[
        OutFormat | None,
        typer.Option(
            "--format",
            help="table (the terminal), csv, json or parquet (default: from the suffix of -o, "
            "else table).",
            rich_help_panel=_OUTPUT,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write the result to FILE (csv and json go to stdout without it).",
            rich_help_panel=_OUTPUT,
        ),
    ] = None,
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            "-n",
            help="Rows shown in the terminal table (0: all); files get every row.",
            rich_help_panel=_OUTPUT,
        ),
    ] = 20,
) -> None:
    """The signature of the shared output options (never called)."""


def _with_options(
    *groups: tuple[type[Any], Callable[..., None], str],
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Add each group's options to a command's signature; the command receives them as one
    dataclass in its keyword argument of the given name."""

    def decorate(func: Callable[..., None]) -> Callable[..., None]:
        own = inspect.signature(func, eval_str=True)
        params = [p for p in own.parameters.values() if p.name not in {g[2] for g in groups}]
        names: list[tuple[type[Any], list[str], str]] = []
        for cls, template, arg in groups:
            extra = list(inspect.signature(template, eval_str=True).parameters.values())
            params += [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in extra]
            names.append((cls, [p.name for p in extra], arg))
        positional = [p for p in params if p.kind != inspect.Parameter.KEYWORD_ONLY]
        keyword = [p for p in params if p.kind == inspect.Parameter.KEYWORD_ONLY]

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> None:
            for cls, fields, arg in names:
                kwargs[arg] = cls(**{f: kwargs.pop(f) for f in fields if f in kwargs})
            func(*args, **kwargs)

        wrapper.__signature__ = own.replace(  # type: ignore[attr-defined]
            parameters=positional + keyword
        )
        wrapper.__annotations__ = {p.name: p.annotation for p in positional + keyword}
        return wrapper

    return decorate


_LOG = (LogOptions, _log_options, "opts")
_OUT = (OutputOptions, _output_options, "out")

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
def _busy(message: str) -> Iterator[Callable[[str], None]]:
    """A spinner on stderr while work is under way (only on a terminal); yields an updater."""
    err = stderr()
    if not err.is_terminal:
        yield lambda _stage: None
        return
    with err.status(message) as status:
        yield lambda stage: status.update(f"{stage}…")


@contextlib.contextmanager
def _opened(logs: list[str], opts: LogOptions) -> Iterator[EventLog]:
    """The log read on the chosen engine (closed afterwards); the read report on stderr."""
    from journeymap.analytics.engine import Engine, EngineConfig

    config = EngineConfig(
        kind=opts.engine,
        memory_limit=opts.memory_limit,
        temp_directory=str(opts.temp_dir) if opts.temp_dir else None,
        spark_master=opts.spark_master,
    )
    with _busy("starting the engine") as progress:
        engine = Engine.connect(config)
    try:
        with _busy("reading") as progress:
            log = _read_all(logs, opts, engine, progress)
        err = stderr()
        for line in log.report.lines():
            err.print(line, markup=False, highlight=False, emoji=False)
        yield log
    finally:
        engine.close()


#: several logs are one: the n-th log's positions are offset by n times this
_LOG_STRIDE = 2**56


def _read_all(logs: list[str], opts: LogOptions, engine: Any, progress: Any) -> EventLog:
    from journeymap.evidence.events import EventLog, read_events

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
    return EventLog(engine=engine, table=table, report=report)


# ---- output ----------------------------------------------------------------------------------


def _format_of(out: OutputOptions) -> OutFormat:
    if out.format is not None:
        if out.format == "parquet" and out.output is None:
            raise UsageError("--format parquet needs a file: -o FILE.parquet")
        return out.format
    if out.output is None:
        return "table"
    suffix = out.output.suffix.lower().lstrip(".")
    if suffix in ("csv", "json", "parquet"):
        return typing.cast(OutFormat, suffix)
    if suffix == "pq":
        return "parquet"
    raise UsageError(
        f"{out.output}: cannot tell the format from the suffix; use .csv, .json or .parquet, "
        "or say --format"
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, timedelta):
        return value.total_seconds()
    return value


def _write(table: pa.Table, fmt: OutFormat, path: Path | None) -> None:
    import pyarrow as pa

    from journeymap.cli._common import write_text_or_stdout
    from journeymap.formats._io import atomic_write_bytes

    if fmt == "parquet":
        import pyarrow.parquet as pq

        buffer = pa.BufferOutputStream()
        pq.write_table(table, buffer)
        assert path is not None
        atomic_write_bytes(path, buffer.getvalue().to_pybytes())
    elif fmt == "json":
        rows = [{k: _jsonable(v) for k, v in row.items()} for row in table.to_pylist()]
        write_text_or_stdout(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", path)
    else:
        import pyarrow.csv as pcsv

        # lists (a path's events) as JSON text: CSV has no lists
        for i, f in enumerate(table.schema):
            if pa.types.is_list(f.type) or pa.types.is_large_list(f.type):
                texts = [None if v is None else json.dumps(v) for v in table.column(i).to_pylist()]
                table = table.set_column(i, f.name, pa.array(texts, pa.string()))
        sink = io.BytesIO()
        pcsv.write_csv(table, sink)
        write_text_or_stdout(sink.getvalue().decode("utf-8"), path)
    if path is not None:
        stderr().print(f"wrote {path} ({table.num_rows:,} rows)", highlight=False)


def _duration(seconds: float) -> str:
    """Seconds for people: ``0.25 s``, ``42 s``, ``3m 20s``, ``5h 02m``, ``3d 4h``."""
    if seconds < 60:
        return f"{seconds:.3g} s" if seconds < 10 else f"{seconds:.0f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h {minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h"


def _cell(name: str, value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        if name == "share" or name.startswith("conversion") or name.isdigit():
            return f"{value:.1%}"
        if name.endswith(("_rate", "_rate_standard")):
            return f"{value:.1f}%"
        if "seconds" in name:
            return _duration(value)
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list):
        return " > ".join(str(v) for v in value)
    return str(value)


def _numeric(t: pa.DataType) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_integer(t) or pa.types.is_floating(t))


def _fixed(t: pa.DataType) -> bool:
    import pyarrow as pa

    return _numeric(t) or bool(pa.types.is_temporal(t))


def _print_table(table: pa.Table, *, title: str, limit: int, hide: tuple[str, ...] = ()) -> None:
    shown = [f for f in table.schema if f.name not in hide]
    rows = table.to_pylist() if limit <= 0 else table.slice(0, limit).to_pylist()
    cells = [[_cell(f.name, row[f.name]) for f in shown] for row in rows]
    rich_table = Table(title=title, title_justify="left", show_edge=False)
    for i, f in enumerate(shown):
        header = f.name.replace("_", " ")  # wraps at words in a narrow terminal
        if _fixed(f.type):  # numbers and times stay whole
            width = max([len(r[i]) for r in cells] + [max(map(len, header.split()))])
            justify: Literal["left", "right"] = "right" if _numeric(f.type) else "left"
            rich_table.add_column(header, justify=justify, overflow="fold", min_width=width)
        else:
            rich_table.add_column(header, overflow="fold")
    for r in cells:
        rich_table.add_row(*r)
    out = stdout()
    out.print(rich_table)
    if len(rows) < table.num_rows:
        out.print(
            f"… {table.num_rows - len(rows):,} more rows ({table.num_rows:,} in all): "
            "--limit 0 shows them all, --format csv/json or -o FILE writes them",
            highlight=False,
        )


def _emit(
    table: pa.Table,
    out: OutputOptions,
    *,
    title: str,
    hide: tuple[str, ...] = (),
    terminal: pa.Table | None = None,
) -> None:
    """The result: a table on the terminal (``terminal`` if given), or written as asked."""
    fmt = _format_of(out)
    if fmt == "table":
        _print_table(terminal if terminal is not None else table, title=title, limit=out.limit,
                     hide=hide)  # fmt: skip
    else:
        _write(table, fmt, out.output)


def _vertical(table: pa.Table) -> pa.Table:
    """A one-row table as ``metric, value`` rows, for the terminal."""
    import pyarrow as pa

    row = table.to_pylist()[0] if table.num_rows else {}
    names = list(row)
    return pa.table({"metric": names, "value": [_cell(n, row[n]) for n in names]})


# ---- commands --------------------------------------------------------------------------------


@app.command("summary")
@handle_errors
@_with_options(_LOG, _OUT)
def summary_(logs: LogsArg, *, opts: LogOptions, out: OutputOptions) -> None:
    """Rows read/used/rejected, customers, events, sessions, time range, events per customer."""
    from journeymap.analytics.summary import summary

    with _opened(logs, opts) as log, _busy("summarising"):
        table = summary(log)
    _emit(table, out, title="summary", terminal=_vertical(table))


@app.command("flows")
@handle_errors
@_with_options(_LOG, _OUT)
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
    from journeymap.analytics.flows import flows

    with _opened(logs, opts) as log, _busy("computing flows"):
        table = flows(log, per=per, markers=markers)
    _emit(table, out, title=f"flows (per {per})")


@app.command("paths")
@handle_errors
@_with_options(_LOG, _OUT)
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
    from journeymap.analytics.paths import paths

    with _opened(logs, opts) as log, _busy("computing paths"):
        table = paths(log, per=per, top=top or None, collapse_loops=collapse_loops)
    _emit(table, out, title=f"paths (per {per})", hide=("events",))


@app.command("funnel")
@handle_errors
@_with_options(_LOG, _OUT)
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
    from journeymap.analytics.funnel import funnel

    parsed = parse_steps(steps)
    limit = parse_duration(within, option="--within") if within is not None else None
    with _opened(logs, opts) as log, _busy("computing the funnel"):
        table = funnel(log, steps=parsed, within=limit, per=per)
    _emit(table, out, title="funnel")


@app.command("retention")
@handle_errors
@_with_options(_LOG, _OUT)
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
    from journeymap.analytics import retention as r

    with _opened(logs, opts) as log, _busy("computing retention"):
        if cohorts:
            table = r.cohorts(log, period=period, event=active_event)
        else:
            table = r.retention(log, period=period, event=active_event)
    if cohorts:
        _emit(table, out, title=f"cohorts by {period}", terminal=r.cohort_matrix(table))
    else:
        _emit(table, out, title=f"retention by {period}")


@app.command("sessions")
@handle_errors
@_with_options(_LOG, _OUT)
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
    from journeymap.analytics.sessions import session_summary, sessions

    gap = parse_duration(session_gap, option="--session-gap")
    fmt = _format_of(out)
    with _opened(logs, opts) as log, _busy("making sessions"):
        cut = sessions(log, gap=gap, replace_existing=True)
        if fmt == "table":
            table = session_summary(cut)
        else:
            table = cut.engine.run(cut.table.order_by("seq"))
    _emit(table, out, title=f"sessions (gap {session_gap})", terminal=_vertical(table))


@app.command("discover")
@handle_errors
@_with_options(_LOG)
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
    from journeymap.analytics.discover import discover
    from journeymap.formats.document import format_of, save

    if output.exists() and not force:
        raise UsageError(f"{output}: already exists; pass --force to overwrite it")
    fmt = format_of(output)
    with _opened(logs, opts) as log, _busy("discovering the journey"):
        m = discover(log, top_events=top_events, stages=stages, title=title)
    save(m, output, fmt=fmt)
    n_tp = sum(len(s.touchpoints) for s in m.stages)
    stderr().print(
        f"wrote {output}: {len(m.stages)} stages, {n_tp} touchpoints "
        "(a draft: review it, then `journeymap validate`)",
        highlight=False,
    )
