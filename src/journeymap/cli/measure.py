"""``journeymap measure`` and ``journeymap demo``: the map held against its evidence."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from journeymap.cli._common import handle_errors, stderr, stdout
from journeymap.cli._output import busy, print_table
from journeymap.errors import UsageError

if TYPE_CHECKING:
    from journeymap.events.read import EventLog
    from journeymap.model import JourneyMap
    from journeymap.model.measurement import Measurement
    from journeymap.voice.read import Feedback

_READ = "Reading the evidence"
_MODEL = "Measuring"


def parse_weights(text: str | None) -> dict[str, float] | None:
    """``"csat=2,nps=1"`` -> ``{"csat": 2.0, "nps": 1.0}``."""
    if not text:
        return None
    out: dict[str, float] = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        try:
            if not sep or not key.strip():
                raise ValueError
            out[key.strip()] = float(value)
        except ValueError:
            raise UsageError(
                f"--weights {text!r}: expected SIGNAL=NUMBER pairs, e.g. csat=2,dropoff=1"
            ) from None
    return out


@contextlib.contextmanager
def _events(
    paths: list[Path],
    customer: str | None,
    time: str | None,
    event: str | None,
    strict: bool,
    keep: list[str],
) -> Iterator[EventLog | None]:
    """The event logs read as one (or None); the engine is closed afterwards."""
    if not paths:
        yield None
        return
    from journeymap.engine.core import Engine, EngineConfig
    from journeymap.events.read import read_events

    if len(paths) > 1:
        raise UsageError("give one --events log (a folder or glob of Parquet files is one log)")
    engine = Engine.connect(EngineConfig())
    try:
        with busy("reading the event log") as progress:
            log = read_events(
                str(paths[0]), engine=engine, customer=customer, time=time, event=event,
                strict=strict, progress=progress, keep=keep,
            )  # fmt: skip
        err = stderr()
        for line in log.report.lines():
            err.print(line, markup=False, highlight=False)
        yield log
    finally:
        engine.close()


def _feedback(
    paths: list[Path],
    customer: str | None,
    score: str | None,
    text: str | None,
    date: str | None,
    touchpoint: str | None,
    strict: bool,
) -> list[Feedback]:
    from journeymap.voice.read import read_feedback

    out = []
    for p in paths:
        with busy(f"reading {p.name}"):
            fb = read_feedback(
                p, customer=customer, score=score, text=text, date=date,
                touchpoint=touchpoint, strict=strict,
            )  # fmt: skip
        for line in fb.lines():
            stderr().print(line, markup=False, highlight=False)
        out.append(fb)
    return out


def write_report(m: JourneyMap, result: Measurement, out: Path) -> Path:
    """Write the report in the format of ``out``'s suffix (atomically)."""
    from journeymap.rendering.report import write_report as write

    return write(m, result, out)


def _check_suffix(out: Path) -> None:
    """Refuse an unknown report suffix before the long work, not after it."""
    from journeymap.rendering.report import REPORT_SUFFIXES

    if out.suffix.lower() not in REPORT_SUFFIXES:
        raise UsageError(
            f"cannot tell the report format of {str(out)!r}; expected one of: "
            + " ".join(REPORT_SUFFIXES)
        )


def _summary(result: Measurement) -> None:
    """The headline of a measurement on the terminal."""
    import pyarrow as pa

    err = stdout()
    measured = sum(1 for t in result.touchpoints if t.evidence == "measured")
    err.print(
        f"{result.map_title}: {measured} of {len(result.touchpoints)} touchpoints measured "
        f"(coverage {result.coverage:.0%})",
        highlight=False,
    )

    def ci(lo: float | None, hi: float | None) -> str | None:
        return None if lo is None or hi is None else f"{lo:+.1f} to {hi:+.1f}"

    rows = [
        {
            "touchpoint": t.name,
            "expected": t.expected,
            "measured": t.emotion,
            "95% interval": ci(t.emotion_low, t.emotion_high),
            "gap": t.gap,
            "evidence": t.evidence if t.evidence != "measured" else f"n={t.n:,}",
        }
        for t in result.touchpoints
    ]
    print_table(pa.Table.from_pylist(rows), title="emotions (map scale)", limit=0)
    if result.pain_points:
        pains = [
            {"rank": p.rank, "pain point": p.title, "severity": p.severity}
            for p in result.pain_points[:5]
        ]
        print_table(pa.Table.from_pylist(pains), title="pain points, ranked", limit=0)
        if len(result.pain_points) > 5:
            err.print(f"… {len(result.pain_points) - 5} more in the report", highlight=False)
    if result.kpis:
        kpis = [
            {"kpi": k.label, "value": k.value, "target": k.target, "change": k.change}
            for k in result.kpis
        ]
        print_table(pa.Table.from_pylist(kpis), title="KPIs", limit=0)


@handle_errors
def measure(
    map_file: Annotated[Path, typer.Argument(metavar="MAP", help="The journey map file.")],
    events: Annotated[
        list[Path] | None,
        typer.Option(
            "--events",
            metavar="LOG",
            help="Event log (CSV, Parquet, JSON Lines, XES, ...).",
            rich_help_panel=_READ,
        ),
    ] = None,
    feedback: Annotated[
        list[Path] | None,
        typer.Option(
            "--feedback",
            metavar="FILE",
            help="Feedback file (survey export, reviews, tickets); repeatable. A 'survey' "
            "column of nps/csat/ces values splits a file into its surveys.",
            rich_help_panel=_READ,
        ),
    ] = None,
    output: Annotated[
        list[Path] | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Report to write; the format follows the suffix (.html .json .md .svg .png "
            ".pdf). Repeatable.",
        ),
    ] = None,
    fmt: Annotated[
        Literal["table", "json"],
        typer.Option(
            "--format",
            help="table: the headline on the terminal; json: the whole measurement as JSON on "
            "stdout (the same content as -o FILE.json, for machines).",
        ),
    ] = "table",
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Only check the links between map and data: unmatched events, touchpoints "
            "with no evidence, events matched twice.",
        ),
    ] = False,
    save: Annotated[
        bool,
        typer.Option(
            help="Save the measurement beside the map (MAP.measurements/) and compare it "
            "with the previous one."
        ),
    ] = True,
    weights: Annotated[
        str | None,
        typer.Option(
            metavar="SIGNAL=W,...",
            help="Weights of the emotion signals, e.g. csat=2,dropoff=1.",
            rich_help_panel=_MODEL,
        ),
    ] = None,
    min_n: Annotated[
        int | None,
        typer.Option(
            help="Evidence below this n is 'thin' (default: the map's measurement.min_n, else 30).",
            rich_help_panel=_MODEL,
        ),
    ] = None,
    value_per_conversion: Annotated[
        float | None,
        typer.Option(
            metavar="AMOUNT",
            help="What a conversion is worth (default: mean order value when the log has values).",
            rich_help_panel=_MODEL,
        ),
    ] = None,
    customer: Annotated[
        str | None,
        typer.Option(metavar="COL", help="Customer id column.", rich_help_panel=_READ),
    ] = None,
    time: Annotated[
        str | None,
        typer.Option(metavar="COL", help="Event time column.", rich_help_panel=_READ),
    ] = None,
    event: Annotated[
        str | None,
        typer.Option(metavar="COL", help="Event name column.", rich_help_panel=_READ),
    ] = None,
    score: Annotated[
        str | None,
        typer.Option(metavar="COL", help="Feedback score column.", rich_help_panel=_READ),
    ] = None,
    text: Annotated[
        str | None,
        typer.Option(metavar="COL", help="Feedback verbatim column.", rich_help_panel=_READ),
    ] = None,
    date: Annotated[
        str | None,
        typer.Option(metavar="COL", help="Feedback date column.", rich_help_panel=_READ),
    ] = None,
    touchpoint: Annotated[
        str | None,
        typer.Option(
            metavar="COL", help="Feedback touchpoint/stage column.", rich_help_panel=_READ
        ),
    ] = None,
    strict: Annotated[
        bool,
        typer.Option(help="Any unusable row is an error.", rich_help_panel=_READ),
    ] = False,
) -> None:
    """Hold the map against evidence: measured emotions, ranked pain points, KPIs, a report."""
    from journeymap.formats.document import load
    from journeymap.measuring import pipeline as mm

    m = load(map_file)
    events = events or []
    feedback = feedback or []
    for o in output or []:
        _check_suffix(o)
    with _events(events, customer, time, event, strict, mm.columns_to_keep(m)) as log:
        if check:
            if log is None:
                raise UsageError("--check needs an event log (--events LOG)")
            from journeymap.measuring.behaviour import check_links

            findings = check_links(log, m)
            out = stdout()
            for f in findings.to_pylist():
                out.print(f"{f['kind']}: {f['message']}", markup=False, highlight=False)
            if findings.num_rows == 0:
                stdout().print("every event belongs to one touchpoint; every touchpoint has events")
            return
        fbs = _feedback(feedback, customer, score, text, date, touchpoint, strict)
        folder = mm.measurements_dir(map_file)
        before_path = mm.previous_measurement(folder) if save else None
        previous = mm.load_measurement(before_path) if before_path else None
        with busy("measuring"):
            result = mm.measure(
                m, events=log, feedback=fbs, previous=previous, weights=parse_weights(weights),
                min_n=min_n, value_per_conversion=value_per_conversion,
            )  # fmt: skip
    if fmt == "json":
        from journeymap.rendering.report import report_json

        stdout().print(report_json(result), markup=False, highlight=False, soft_wrap=True)
    else:
        _summary(result)
    err = stderr()
    if previous is not None and result.drift is not None:
        err.print(
            f"since {previous.measured_at:%Y-%m-%d %H:%M}: largest KPI change "
            f"{result.drift.largest:.1f}%",
            highlight=False,
        )
    if save:
        err.print(f"saved {mm.save_measurement(result, folder)}", highlight=False)
    for o in output or []:
        err.print(f"wrote {write_report(m, result, o)}", highlight=False)


@handle_errors
def demo(
    out: Annotated[
        Path,
        typer.Option("--output", "-o", metavar="DIR", help="Where to write the demo."),
    ] = Path("journeymap-demo"),
    customers: Annotated[int, typer.Option(help="Customers to simulate.")] = 3000,
    seed: Annotated[int, typer.Option(help="Seed of the simulation.")] = 7,
) -> None:
    """Generate a realistic e-commerce journey with known frictions, measure it, write the
    report: the whole main job on sample data."""
    from journeymap.engine.core import Engine, EngineConfig
    from journeymap.events.read import read_events
    from journeymap.formats.document import load
    from journeymap.measuring import pipeline as mm
    from journeymap.measuring.sample import generate_sample
    from journeymap.voice.read import read_feedback

    if customers < 50:
        raise UsageError(f"--customers must be at least 50, not {customers}")
    err = stderr()
    with busy("generating the sample data"):
        files = generate_sample(out, customers=customers, seed=seed)
    err.print(
        f"sample: {files.counts.customers:,} customers, {files.counts.events:,} events, "
        f"{files.counts.responses:,} survey answers in {out}",
        highlight=False,
    )
    m = load(files.map)
    engine = Engine.connect(EngineConfig())
    try:
        with busy("reading the event log"):
            log = read_events(str(files.events), engine=engine)
        fb = read_feedback(files.feedback)
        with busy("measuring"):
            result = mm.measure(m, events=log, feedback=[fb])
    finally:
        engine.close()
    _summary(result)
    saved = mm.save_measurement(result, mm.measurements_dir(files.map))
    names = ("report.html", "report.md", "journey-measured.png")
    written = [write_report(m, result, out / name) for name in names]
    err.print(f"saved {saved}", highlight=False)
    for w in written:
        err.print(f"wrote {w}", highlight=False)
    stdout().print(f"Open {out / 'report.html'}", highlight=False)
