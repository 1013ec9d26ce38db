"""``journeymap events ...``: journey analytics on an event log, on the terminal or to a file.

Every command takes the log (a CSV, Parquet file/folder/glob, JSON Lines, XES or
``file.duckdb:table``; several are read as one log) and the same options for its columns,
its times and the engine; they are declared once (the options in :mod:`journeymap.cli._options`,
gathered in :class:`LogOptions`, :class:`OutputOptions`) and added to each command by
:func:`with_options`. The log is read by :func:`journeymap.events.logs.read_logs` (several
as one, through the cache with ``--cache``). The read report (rows read, used and rejected,
with examples) goes to stderr; results go to stdout as a table, or as CSV, JSON or Parquet
with ``--format`` / ``-o``, or as a chart with ``-o FILE.svg|png|pdf|html``
(:mod:`journeymap.rendering.charts`; summary, sessions and discover draw none). The commands
only parse, call the library and print.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from journeymap._numbers import count
from journeymap.cli import _options as o
from journeymap.cli._common import handle_errors, stderr
from journeymap.cli._output import (
    CHART_COMMANDS,
    OUT,
    OutputOptions,
    busy,
    chart_of,
    emit,
    format_of,
    no_chart,
    vertical,
    with_options,
)
from journeymap.errors import UsageError
from journeymap.events.logs import ReadOptions

if TYPE_CHECKING:
    import pyarrow as pa

    from journeymap.engine import EngineConfig
    from journeymap.engine.conditions import Condition
    from journeymap.events.read import EventLog

app = typer.Typer(
    name="events",
    help="Journey analytics on an event log: flows, paths, funnels, retention, sessions.",
    no_args_is_help=True,
    rich_markup_mode="rich",
)

Per = Literal["customer", "session"]
FlowChart = Literal["map", "sankey", "times"]
#: the most paths a chart shows (--top 0 writes every path to a table)
MAX_PATHS = 30
Period = Literal["day", "week", "month", "quarter"]

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
class LogOptions(ReadOptions):
    """How to read the log (:class:`~journeymap.events.logs.ReadOptions`), which of its
    events to keep (``where``, ``since``, ``until``, ``transition``: applied after reading
    and after the cache) and where to run: the common options of every ``events`` command."""

    engine: Literal["duckdb", "spark"] = "duckdb"
    spark_master: str | None = None
    memory_limit: str | None = None
    temp_dir: Path | None = None
    cache: Path | None = None
    where: list[str] | None = None
    since: str | None = None
    until: str | None = None
    transition: str = "all"

    def conditions(self) -> tuple[Condition, ...]:
        """The ``--where`` conditions, parsed (a clear error before anything is read)."""
        from journeymap.engine.conditions import parse_conditions

        return parse_conditions(self.where or ())

    def reading(self, by: str | None = None) -> ReadOptions:
        """What the log is, without where to run (a cache file's key holds only this): the
        columns that ``--where`` and ``--by`` name are carried into the log."""
        from journeymap.events.read import CANONICAL

        names = [f.name for f in dataclasses.fields(ReadOptions)]
        wanted = [c.column for c in self.conditions()] + ([by] if by else [])
        keep = tuple(sorted({c for c in wanted if c not in CANONICAL}))
        return dataclasses.replace(
            ReadOptions(**{name: getattr(self, name) for name in names}), keep=keep
        )

    def filtered(self, log: EventLog) -> EventLog:
        """The events of ``log`` the filters keep (the log itself without filters)."""
        from journeymap.events.subset import subset

        return subset(
            log, where=self.conditions(), since=self.since, until=self.until,
            lifecycle=self.transition,
        )  # fmt: skip

    def engine_config(self) -> EngineConfig:
        """Where to compute."""
        from journeymap.engine import EngineConfig

        return EngineConfig(
            kind=self.engine,
            memory_limit=self.memory_limit,
            temp_directory=str(self.temp_dir) if self.temp_dir else None,
            spark_master=self.spark_master,
        )


def _log_options(
    customer: o.CustomerCol = None,
    time: o.TimeCol = None,
    event: o.EventCol = None,
    default_event: o.DefaultEvent = None,
    session: o.SessionCol = None,
    channel: o.ChannelCol = None,
    value: o.ValueCol = None,
    lifecycle: o.LifecycleCol = None,
    time_format: o.TimeFormat = None,
    time_unit: o.TimeUnitOpt = None,
    delimiter: o.DelimiterOpt = None,
    encoding: o.EncodingOpt = None,
    strict: o.StrictOpt = False,
    engine: o.EngineKindOpt = "duckdb",
    spark_master: o.SparkMaster = None,
    memory_limit: o.MemoryLimit = None,
    temp_dir: o.TempDir = None,
    cache: o.CacheDir = None,
    where: o.WhereOpt = None,
    since: o.SinceOpt = None,
    until: o.UntilOpt = None,
    transition: o.LifecycleOpt = "all",
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


def _checked(opts: LogOptions, by: str | None) -> ReadOptions:
    """What the log is (the columns ``--where`` and ``--by`` name carried); the cache, the
    conditions and the dates checked before any work."""
    from journeymap.engine.conditions import parse_instant
    from journeymap.events.logs import check_cache

    check_cache(opts.engine, opts.cache)
    reading = opts.reading(by)
    for bound, option in ((opts.since, "--since"), (opts.until, "--until")):
        if bound is not None:
            parse_instant(bound, option=option)
    return reading


@contextlib.contextmanager
def _opened(
    logs: list[str], opts: LogOptions, *, by: str | None = None, said: list[str] | None = None
) -> Iterator[EventLog]:
    """The log read on the chosen engine (closed afterwards), the filters applied; the read
    report and what the filters kept on stderr (and in ``said``, without the cache's note)."""
    from journeymap.engine import Engine
    from journeymap.events.logs import read_logs

    reading = _checked(opts, by)
    with busy("starting the engine"):
        engine = Engine.connect(opts.engine_config())
    try:
        with busy("reading") as progress:
            log, note = read_logs(
                logs, engine=engine, options=reading, cache=opts.cache, progress=progress
            )
        lines = log.report.lines()
        _say([*lines, *([note] if note else [])])
        with busy("filtering"):
            log = opts.filtered(log)
        if log.subset is not None:
            lines += log.subset.lines()
            _say(log.subset.lines())
        if said is not None:
            said += lines
        yield log
    finally:
        engine.close()


def _analysed(
    logs: list[str],
    opts: LogOptions,
    what: str,
    options: dict[str, Any],
    compute: Callable[[EventLog], pa.Table],
    *,
    by: str | None = None,
    doing: str,
) -> pa.Table:
    """``compute`` on the log read (:func:`_opened`); with ``--cache``, the answer an
    earlier command kept for this analysis (``what``), its ``options`` and the filters is
    read instead, without starting the engine, and a new answer is kept."""
    if opts.cache is None:
        with _opened(logs, opts, by=by) as log, busy(doing):
            return compute(log)
    from journeymap.events import cache as caches

    reading = _checked(opts, by)
    found = caches.entry(opts.cache, list(logs), dataclasses.asdict(reading))
    asked = {
        **options, "by": by, "reading": dataclasses.asdict(reading), "where": opts.where,
        "since": opts.since, "until": opts.until, "transition": opts.transition,
    }  # fmt: skip
    key = caches.answer_key(what, asked)
    hit = caches.recall(found, key)
    if hit is not None:
        _say([*hit.lines, f"cache: the answer read from {hit.path} (kept by an earlier command)"])
        return hit.table
    said: list[str] = []
    with _opened(logs, opts, by=by, said=said) as log, busy(doing):
        table = compute(log)
    caches.remember(found, key, table, said)
    return table


def _say(lines: list[str]) -> None:
    err = stderr()
    for line in lines:
        err.print(line, markup=False, highlight=False, emoji=False)


# ---- commands --------------------------------------------------------------------------------


@app.command("summary")
@handle_errors
@with_options(_LOG, OUT)
def summary_(logs: LogsArg, *, opts: LogOptions, out: OutputOptions) -> None:
    """Rows read/used/rejected, customers, events, sessions, time range, events per customer."""
    from journeymap.events.summary import summary

    no_chart(out, "events summary")

    table = _analysed(logs, opts, "summary", {}, summary, doing="summarising")
    emit(table, out, title="summary", terminal=vertical(table), command="events summary")


@app.command("flows")
@handle_errors
@with_options(_LOG, OUT)
def flows_(
    logs: LogsArg,
    per: PerOpt = "customer",
    markers: Annotated[
        bool, typer.Option("--markers", help="Add <start> and <end> transitions.")
    ] = False,
    by: o.ByOpt = None,
    chart: Annotated[
        FlowChart,
        typer.Option(
            help="The chart of -o FILE.svg|png|pdf|html: map (a process map), sankey, or "
            "times (the time between steps).",
            rich_help_panel="Output",
        ),
    ] = "map",
    top_events: Annotated[
        int,
        typer.Option(
            metavar="N",
            help="The process map and the Sankey: the N most frequent events; the time "
            "chart: the N most frequent transitions.",
            rich_help_panel="Output",
        ),
    ] = 12,
    *,
    opts: LogOptions,
    out: OutputOptions,
) -> None:
    """Directly-follows transitions: count, customers, median and p90 time between steps;
    drawn as a process map, a Sankey or the time between steps with -o FILE.png (.svg, .pdf,
    .html)."""
    from journeymap.events.flows import flows

    graph = chart_of(out) is not None and chart != "times"
    _one_log(out, by)
    asked: dict[str, Any] = {"per": per, "markers": markers or graph}
    table = _analysed(
        logs,
        opts,
        "flows",
        asked,
        lambda log: flows(log, per=per, markers=markers or graph, by=by),
        by=by,
        doing="computing flows",
    )
    emit(table, out, title=f"flows (per {per})" + (f" by {by}" if by else ""),
         chart=lambda: _flow_chart(table, chart, top_events))  # fmt: skip


def _one_log(out: OutputOptions, by: str | None) -> None:
    """A chart draws one log: ``--by`` with ``-o FILE.png`` is refused before any work."""
    if by is not None and chart_of(out) is not None:
        raise UsageError(
            f"{out.output}: a chart draws one log at a time; drop --by {by} (or write the "
            "table per segment as .csv, .json or .parquet, or keep one segment with --where)"
        )


def _flow_chart(table: pa.Table, chart: FlowChart, top: int) -> object:
    from journeymap.rendering import charts

    if chart == "times":
        return charts.step_times_chart(charts.step_times_data(table, top=top))
    graph = charts.flow_graph(table, top_events=top)
    return charts.process_map(graph) if chart == "map" else charts.sankey(graph)


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

    asked: dict[str, Any] = {"per": per, "top": top or None, "collapse_loops": collapse_loops}
    table = _analysed(
        logs,
        opts,
        "paths",
        asked,
        lambda log: paths(log, per=per, top=top or None, collapse_loops=collapse_loops),
        doing="computing paths",
    )
    title = f"paths (per {per})"
    counted = totals(table)
    if counted is not None:
        variants, journeys = counted
        unit = "customers" if per == "customer" else "sessions"
        shown = "all" if table.num_rows == variants else f"top {count(table.num_rows)} of"
        title += f": {shown} {count(variants)} variants of {count(journeys)} {unit}"
    emit(table, out, title=title, hide=("events",), chart=lambda: _paths_chart(table))


def _paths_chart(table: pa.Table) -> object:
    from journeymap.rendering import charts

    return charts.paths_chart(charts.paths_data(table, top=min(table.num_rows, MAX_PATHS)))


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
    by: o.ByOpt = None,
    *,
    opts: LogOptions,
    out: OutputOptions,
) -> None:
    """An ordered funnel: customers reaching each step, conversion, drop-off, time between."""
    from journeymap.events.funnel import funnel

    parsed = parse_steps(steps)
    _one_log(out, by)
    limit = parse_duration(within, option="--within") if within is not None else None
    asked: dict[str, Any] = {"steps": parsed, "within": limit, "per": per}
    table = _analysed(
        logs,
        opts,
        "funnel",
        asked,
        lambda log: funnel(log, steps=parsed, within=limit, per=per, by=by),
        by=by,
        doing="computing the funnel",
    )
    emit(table, out, title="funnel" + (f" by {by}" if by else ""),
         chart=lambda: _chart("funnel", table))  # fmt: skip


def _chart(kind: str, table: pa.Table) -> object:
    """The chart of a funnel, retention or cohort table."""
    from journeymap.rendering import charts

    if kind == "funnel":
        return charts.funnel_chart(charts.funnel_data(table))
    if kind == "cohorts":
        return charts.cohort_heatmap(charts.cohort_data(table))
    return charts.retention_chart(charts.retention_data(table))


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
    by: o.ByOpt = None,
    *,
    opts: LogOptions,
    out: OutputOptions,
) -> None:
    """Retention and churn per period (retained, new, reactivated, lost, rates; a partial
    period flagged), or cohort retention."""
    from journeymap.events import retention as r

    _one_log(out, by)
    compute = r.cohorts if cohorts else r.retention
    asked: dict[str, Any] = {"period": period, "event": active_event}
    table = _analysed(
        logs,
        opts,
        "cohorts" if cohorts else "retention",
        asked,
        lambda log: compute(log, period=period, event=active_event, by=by),
        by=by,
        doing="computing retention",
    )
    segments = f", per {by}" if by else ""
    if cohorts:
        emit(table, out, title=f"cohorts by {period}{segments}", terminal=r.cohort_matrix(table),
             chart=lambda: _chart("cohorts", table))  # fmt: skip
    else:
        emit(table, out, title=f"retention by {period}{segments}",
             chart=lambda: _chart("retention", table))  # fmt: skip
    _say(r.partial_notes(table))


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
    no_chart(out, "events sessions")
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

    if output.suffix.lower() in (".svg", ".png", ".pdf", ".html", ".htm"):
        raise UsageError(
            f"{output}: discover writes a draft map (.yaml or .json), not a chart; the "
            f"commands that draw charts: {CHART_COMMANDS}"
        )
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
