"""``journeymap measure`` and ``journeymap demo``: the map held against its evidence."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from journeymap._numbers import MISSING, change, count, figure, percent, signed
from journeymap.cli._common import check_writable, handle_errors, stderr, stdout
from journeymap.cli._options import (
    FILTERS,
    CacheDir,
    CustomerCol,
    DateCol,
    EventCol,
    LifecycleCol,
    ScoreCol,
    SinceOpt,
    StrictOpt,
    TextCol,
    TimeCol,
    TouchpointCol,
    UntilOpt,
    WhereOpt,
)
from journeymap.cli._output import busy, print_table
from journeymap.errors import UsageError

if TYPE_CHECKING:
    import pyarrow as pa

    from journeymap.model import JourneyMap
    from journeymap.model.measurement import KPIMeasure, Measurement, TouchpointMeasure

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
                f"--weights {text!r}: expected SIGNAL=NUMBER pairs, e.g. csat=2,sentiment=0"
            ) from None
    return out


def write_report(m: JourneyMap, result: Measurement, out: Path) -> Path:
    """Write the report in the format of ``out``'s suffix (atomically); ``.pptx`` is the
    measured map as a slide deck (:func:`journeymap.rendering.slides.to_pptx`)."""
    if out.suffix.lower() == ".pptx":
        from journeymap._atomic import atomic_write_bytes
        from journeymap.rendering.slides import to_pptx

        atomic_write_bytes(out, to_pptx(m, measurement=result))
        return out
    from journeymap.rendering.report import write_report as write

    return write(m, result, out)


def _check_suffix(out: Path) -> None:
    """Refuse an unknown report suffix before the long work, not after it."""
    from journeymap.rendering.files import format_of
    from journeymap.rendering.report import REPORT_SUFFIXES

    format_of(out, {**REPORT_SUFFIXES, ".pptx": "pptx"}, what="report")


def _journeys(result: Measurement) -> str | None:
    """How the journeys ended, in one line: ``journeys: 3,000 — ended at the goal 33.7%,
    abandoned 65.1%, in progress 1.2%`` (every outcome with a customer); None without
    outcomes (no event log)."""
    total = sum(o.customers for o in result.outcomes)
    if not total:
        return None

    def lower(name: str) -> str:  # "Ended at the goal" -> "ended at the goal"; "NPS ..." stays
        return name[:1].lower() + name[1:] if name[1:2].islower() else name

    ends = [f"{lower(o.name)} {percent(o.customers / total, digits=1)}"
            for o in result.outcomes if o.customers]  # fmt: skip
    return f"journeys: {count(total)} — " + ", ".join(ends)


def _kpi_change(k: KPIMeasure, *, flat: float) -> str:
    """A KPI's change since the last measurement, as the report writes it; for a partial
    period only a difference (``−2 pts (partial period)``), neither better nor worse."""
    if k.change is None:
        return MISSING
    return change(k.change, k.unit, flat=flat) + (" (partial period)" if k.partial else "")


def _summary(result: Measurement) -> None:
    """The headline of a measurement on the terminal: the emotion measured from feedback next
    to the expected one, the friction behaviour shows, how the journeys ended and what the
    measurement cannot tell (its caveats, each a ``note:``), then pain points and KPIs
    (written as the report writes them; a partial period's change is only a difference)."""
    import pyarrow as pa

    from journeymap.model.emotion import format_level
    from journeymap.rendering.friction import MEASURE_NAMES, flagged_measures, measure_value
    from journeymap.rendering.measured.findings import FLAT

    err = stdout()
    measured = sum(1 for t in result.touchpoints if t.evidence == "measured")
    err.print(
        f"{result.map_title}: {measured} of {len(result.touchpoints)} touchpoints with an "
        f"emotion measured from feedback (coverage {percent(result.coverage)})",
        highlight=False,
    )

    def value(v: float | None) -> str:
        if v is None:
            return MISSING
        return format_level(int(v)) if float(v).is_integer() else signed(v)

    def said(t: TouchpointMeasure) -> str:
        if t.evidence == "none":
            return "none"
        return count(t.n) + (" (few)" if t.evidence == "thin" else "")

    def friction(t: TouchpointMeasure) -> str:
        if t.friction_evidence == "none":
            return MISSING
        if t.friction_level is None:
            return "few customers"
        flagged = flagged_measures(t)
        if not flagged:
            return "typical"
        f = flagged[0]
        what = f"{MEASURE_NAMES[f.measure]} {measure_value(f.measure, f.value)}"
        return f"{t.friction_level} \u00b7 {what} vs {measure_value(f.measure, f.typical)}"

    rows = [
        {
            "touchpoint": t.name,
            "expected": value(t.expected),
            "measured": value(t.emotion),
            "95% CI": MISSING
            if t.emotion_low is None or t.emotion_high is None
            else f"{signed(t.emotion_low)} to {signed(t.emotion_high)}",
            "gap": value(t.gap),
            "answers": said(t),
            "friction (vs typical step)": friction(t),
        }
        for t in result.touchpoints
    ]
    title = "emotion from feedback (map scale); friction from behaviour"
    print_table(pa.Table.from_pylist(rows), title=title, limit=0)
    journeys = _journeys(result)
    if journeys is not None:
        err.print(journeys, markup=False, highlight=False)
    for caveat in result.caveats:
        err.print(f"note: {caveat}", markup=False, highlight=False)
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
            {
                "kpi": k.label,
                "value": figure(k.value, k.unit),
                "target": figure(k.target, k.unit),
                "change": _kpi_change(k, flat=FLAT),
            }
            for k in result.kpis
        ]
        print_table(pa.Table.from_pylist(kpis), title="KPIs", limit=0)


# ---- the options of `measure` ---------------------------------------------------------------


def _option(metavar: str | None, help: str, panel: str | None = _READ) -> object:
    return typer.Option(metavar=metavar, help=help, rich_help_panel=panel)


def _files(name: str, metavar: str, help: str) -> object:
    return typer.Option(name, metavar=metavar, help=help, rich_help_panel=_READ)


_MapArg = Annotated[Path, typer.Argument(metavar="MAP", help="The journey map file.")]
_Events = Annotated[
    list[Path] | None,
    _files("--events", "LOG", "Event log (CSV, Parquet, JSON Lines, XES, ...)."),
]
_Feedback = Annotated[
    list[Path] | None,
    _files(
        "--feedback",
        "FILE",
        "Feedback file (survey export, reviews, tickets); repeatable. A 'survey' column of "
        "nps/csat/ces values splits a file into its surveys.",
    ),
]
_Output = Annotated[
    list[Path] | None,
    typer.Option(
        "--output",
        "-o",
        metavar="FILE",
        help="Report to write; the format follows the suffix (.html .json .md .svg .png "
        ".pdf; .pptx: the measured map as a slide deck). Repeatable.",
    ),
]
_Format = Annotated[
    Literal["table", "json"],
    typer.Option(
        "--format",
        help="table: the headline on the terminal; json: the whole measurement as JSON on "
        "stdout (the same content as -o FILE.json, for machines).",
    ),
]
_Check = Annotated[
    bool,
    typer.Option(
        "--check",
        help="Only check the links between map and data: unmatched events, touchpoints "
        "with no evidence, events matched twice.",
    ),
]
_Save = Annotated[
    bool,
    _option(
        None,
        "Save the measurement beside the map (MAP.measurements/) and compare it with the "
        "previous one.",
        None,
    ),
]
_Weights = Annotated[
    str | None,
    _option(
        "SIGNAL=W,...",
        "Weights of the emotion signals (csat, nps, ces, rating, sentiment), e.g. "
        "csat=2,sentiment=0.",
        _MODEL,
    ),
]
_MinN = Annotated[
    int | None,
    _option(
        None,
        "Evidence below this n is 'thin' (default: the map's measurement.min_n, else 30).",
        _MODEL,
    ),
]
_ValuePerConversion = Annotated[
    float | None,
    _option(
        "AMOUNT",
        "What a conversion is worth (default: mean order value when the log has values).",
        _MODEL,
    ),
]


_By = Annotated[
    str | None,
    typer.Option(
        "--by",
        metavar="COL",
        help="Also measure the stages and outcomes of each value of COL, a column of the event "
        "log (e.g. a plan or a channel): one segment per value.",
        rich_help_panel=FILTERS,
    ),
]


@handle_errors
def measure(
    map_file: _MapArg,
    events: _Events = None,
    feedback: _Feedback = None,
    output: _Output = None,
    fmt: _Format = "table",
    check: _Check = False,
    save: _Save = True,
    weights: _Weights = None,
    min_n: _MinN = None,
    value_per_conversion: _ValuePerConversion = None,
    customer: CustomerCol = None,
    time: TimeCol = None,
    event: EventCol = None,
    score: ScoreCol = None,
    text: TextCol = None,
    date: DateCol = None,
    touchpoint: TouchpointCol = None,
    lifecycle: LifecycleCol = None,
    strict: StrictOpt = False,
    where: WhereOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    by: _By = None,
    cache: CacheDir = None,
) -> None:
    """Hold the map against evidence: measured emotions, ranked pain points, KPIs, a report.

    A log with lifecycle transitions (XES lifecycle:transition) is measured as steps: a start
    and its complete are one step. --where, --since and --until keep some of the events
    before measuring; --by measures the stages and outcomes of each segment too."""
    from journeymap.events.logs import ReadOptions
    from journeymap.formats.document import load
    from journeymap.measuring.from_files import EvidenceFiles, check_files, measure_files
    from journeymap.measuring.pipeline import measurements_dir

    m = load(map_file)
    for o in output or []:
        _check_suffix(o)
    if save and not check:  # where it will be saved, before the work
        check_writable(measurements_dir(map_file), folder=True)
    if len(events or []) > 1:
        raise UsageError("give one --events log (a folder or glob of Parquet files is one log)")
    files = EvidenceFiles(
        events=events[0] if events else None, feedback=feedback or [],
        log=ReadOptions(
            customer=customer, time=time, event=event, lifecycle=lifecycle, strict=strict
        ),
        score=score, text=text, date=date, touchpoint=touchpoint, where=tuple(where or ()),
        since=since, until=until, by=by, cache=cache,
    )  # fmt: skip
    if files.events is None and (where or since or until or by):
        raise UsageError("--where, --since, --until and --by apply to the event log: give --events")
    if check:
        if files.events is None:
            raise UsageError("--check needs an event log (--events LOG)")
        with busy("reading the event log") as progress:
            findings = check_files(m, files, progress=progress, say=_say)
        _links(findings)
        return
    with busy("reading the evidence") as progress:
        run = measure_files(
            m, files, beside=map_file if save else None, weights=parse_weights(weights),
            min_n=min_n, value_per_conversion=value_per_conversion, progress=progress, say=_say,
        )  # fmt: skip
    result = run.result
    if fmt == "json":
        from journeymap.rendering.report import report_json

        stdout().print(report_json(result), markup=False, highlight=False, soft_wrap=True)
    else:
        _summary(result)
        _segments(result)
    err = stderr()
    if run.previous is not None and result.drift is not None:
        err.print(
            f"since {run.previous.measured_at:%Y-%m-%d %H:%M}: largest KPI change "
            f"{result.drift.largest:.1f}%",
            highlight=False,
        )
    if run.saved is not None:
        err.print(f"saved {run.saved}", highlight=False)
    for o in output or []:
        err.print(f"wrote {write_report(m, result, o)}", highlight=False)


def _segments(result: Measurement) -> None:
    """The segments side by side (``--by``), one column each: how their journeys end, and
    the share of their customers reaching each stage."""
    if not result.segments:
        return
    import pyarrow as pa

    def share(v: float | None) -> str:
        return percent(v, digits=1) if v is not None else MISSING

    segs = result.segments
    labels = [s.value if s.value is not None else "(empty)" for s in segs]
    lines: list[tuple[str, list[str]]] = [("customers", [count(s.customers) for s in segs])]
    for i, o in enumerate(segs[0].outcomes):
        lines.append((o.name, [share(s.outcomes[i].share) for s in segs]))
    for i, st in enumerate(segs[0].stages):
        lines.append((f"reach {st.name}", [share(s.stages[i].reach_share) for s in segs]))
    columns: dict[str, list[str]] = {"": [name for name, _ in lines]}
    for j, label in enumerate(labels):
        columns[label] = [values[j] for _, values in lines]
    title = f"by {segs[0].column}: how journeys end, and reach per stage"
    print_table(pa.table(columns), title=title, limit=0)


def _say(line: str) -> None:
    """A line of a read report, on stderr."""
    stderr().print(line, markup=False, highlight=False)


def _links(findings: pa.Table) -> None:
    """The findings of ``--check``, one a line."""
    out = stdout()
    for f in findings.to_pylist():
        out.print(f"{f['kind']}: {f['message']}", markup=False, highlight=False)
    if findings.num_rows == 0:
        out.print("every event belongs to one touchpoint; every touchpoint has events")


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
    from journeymap.formats.document import load
    from journeymap.measuring import pipeline as mm
    from journeymap.measuring.from_files import EvidenceFiles, measure_files
    from journeymap.measuring.sample import generate_sample

    if customers < 50:
        raise UsageError(f"--customers must be at least 50, not {customers}")
    err = stderr()
    with busy("generating the sample data"):
        files = generate_sample(out, customers=customers, seed=seed)
    err.print(
        f"sample: {count(files.counts.customers)} customers, {count(files.counts.events)} "
        f"events, {count(files.counts.responses)} survey answers in {out}",
        highlight=False,
    )
    m = load(files.map)
    evidence = EvidenceFiles(events=files.events, feedback=[files.feedback])
    with busy("reading the event log") as progress:
        result = measure_files(m, evidence, progress=progress).result
    _summary(result)
    saved = mm.save_measurement(result, mm.measurements_dir(files.map))
    names = ("report.html", "report.md", "journey-measured.png")
    written = [write_report(m, result, out / name) for name in names]
    err.print(f"saved {saved}", highlight=False)
    for w in written:
        err.print(f"wrote {w}", highlight=False)
    stdout().print(f"Open {out / 'report.html'}", highlight=False)
