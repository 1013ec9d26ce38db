"""The report of a measurement: one self-contained HTML file, JSON, Markdown, and the measured
map as SVG, PNG or PDF.

The HTML report is what a CX lead presents: the header (map, version, when it was measured,
from which sources, and the filters when only part of the event log was measured), the key
numbers with the sources and what was done to them (filters, lifecycle steps), the map with
measured emotions and friction, how the journeys end (outcomes), the funnel per stage with
how each stage's customers split (go on, went back, end there by outcome), the flows between
touchpoints, the segments side by side (``--by``), expected against measured emotion,
feedback coverage, friction per touchpoint beside what customers say there (after what the
measurement cannot tell, its caveats), the ranked pain points with their quotes, the KPIs
with their definitions, periods and trends (a partial period is compared neither with its
target nor as better or worse), the action items with what they are worth, and the method
with the caveats again. A measured emotion comes from feedback alone; behaviour is friction,
never an emotion (docs/measure.md). It loads nothing — CSS and SVG are inline, there is no
script — and prints on landscape pages. Every figure comes from the data functions of
:mod:`journeymap.rendering.measured`; this module only words and arranges them.

JSON is the measurement itself (``Measurement.model_dump_json``), valid against the published
schema. Markdown gives the seed tables with measured columns: Stage | Touchpoint | Expected |
Actual (from feedback: CI, n) | Gap | Friction | Pain point, then the outcomes, the funnel,
the segments, KPIs, pain points and action items, with the same filter line, source notes and
caveats as the HTML report.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from journeymap import _numbers as nb
from journeymap.errors import UsageError
from journeymap.model.emotion import format_level
from journeymap.model.journey import JourneyMap
from journeymap.model.measurement import Measurement
from journeymap.rendering import measured as charts
from journeymap.rendering.files import suffixes_for, write_as
from journeymap.rendering.friction import friction_summary
from journeymap.rendering.html import VIEWER_CSS, inline_svg, map_viewer, template
from journeymap.rendering.layout import least_size
from journeymap.rendering.limits import check_least_size
from journeymap.rendering.markdown import escape_cell, section
from journeymap.rendering.measured import render_measured_svg
from journeymap.rendering.measured.findings import FLAT
from journeymap.rendering.measured.funnel import SPLIT
from journeymap.rendering.measured.segments import segment_label
from journeymap.rendering.report_words import (
    ALL_CUSTOMERS,
    GLOSSARY,
    action_rows,
    date,
    drift_lines,
    evidence_span,
    filter_line,
    friction_rows,
    has_other_ends,
    kpi_rows,
    outcome_rows,
    outcome_words,
    pain_rows,
    segment_rows,
    segment_words,
    source,
    stage_rows,
)
from journeymap.rendering.tables import Table
from journeymap.rendering.text import FONT_FAMILY

__all__ = [
    "REPORT_FORMATS",
    "REPORT_SUFFIXES",
    "KeyNumber",
    "ReportFormat",
    "key_numbers",
    "render_measured_svg",
    "report_bytes",
    "report_html",
    "report_json",
    "report_markdown",
    "report_pdf",
    "report_png",
    "write_report",
]

_TEMPLATE = "measurement.html.j2"
#: the KPIs shown among the key numbers, in this order of preference (at most three)
_HEADLINE_KPIS = ("conversion:journey", "nps", "csat", "ces", "retention", "churn")
#: pain points shown as cards with their quotes; the rest are listed in a short table
PAIN_CARDS = 5

# ---- key numbers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyNumber:
    """One card of the report's key numbers: a big value with a label and a line of detail."""

    label: str
    value: str
    detail: str
    #: "good", "bad" or "neutral": the colour of the value
    tone: Literal["good", "bad", "neutral"] = "neutral"


def key_numbers(m: JourneyMap, measurement: Measurement) -> list[KeyNumber]:
    """The report's key numbers: feedback coverage, the biggest pain point, the largest
    emotion gap, the most friction, and up to three headline KPIs (journey conversion, NPS,
    CSAT, CES, retention, churn — those the measurement has a value for)."""
    out: list[KeyNumber] = []
    cov = {r["evidence"]: r for r in charts.coverage_data(m, measurement).to_pylist()}
    total = len(measurement.touchpoints)
    detail = (
        f"{cov['measured']['touchpoints']} of {total} touchpoints have a measured emotion "
        "from customers' feedback"
    )
    if cov["thin"]["touchpoints"] or cov["none"]["touchpoints"]:
        detail += (
            f"; {cov['thin']['touchpoints']} few answers, {cov['none']['touchpoints']} no feedback"
        )
    tone: Literal["good", "bad", "neutral"] = "good" if measurement.coverage >= 0.8 else "bad"
    out.append(KeyNumber("Feedback coverage", nb.percent(measurement.coverage), detail, tone))
    pains = charts.pain_data(m, measurement).to_pylist()
    if pains:
        p = pains[0]
        where = p["touchpoint_name"] or p["stage_name"] or "the journey"
        impact = f"{nb.count(p['customers_affected'])} customers affected"
        if p["conversions_lost"]:
            impact += f", {nb.count(p['conversions_lost'])} conversions lost"
        out.append(KeyNumber("Biggest pain point", where, f"{p['title']}. {impact}.", "bad"))
    gaps = charts.gap_data(m, measurement).to_pylist()
    if gaps and gaps[0]["gap"] < 0:
        g = gaps[0]
        scale = m.scale
        exp = f"{scale.level(round(g['expected'])).label} {format_level(round(g['expected']))}"
        got = f"{g['level'] or scale.level(round(g['emotion'])).label}"
        detail = f"at {g['name']}: expected {exp}, measured {got} {nb.signed(g['emotion'])}"
        out.append(KeyNumber("Largest emotion gap", nb.signed(g["gap"]), detail, "bad"))
    most = _most_friction(m, measurement)
    if most is not None:
        out.append(most)
    kpis = {r["key"]: r for r in charts.kpi_data(m, measurement).to_pylist()}
    # a KPI without a value (retention of one-off journeys, ...) is no key number
    for key in [k for k in _HEADLINE_KPIS if k in kpis and kpis[k]["value"] is not None][:3]:
        k = kpis[key]
        bits = []
        if k["target"] is not None:
            bits.append(f"target {nb.figure(k['target'], k['unit'])}")
        if k["change"] is not None:
            bits.append(f"{nb.change(k['change'], k['unit'], flat=FLAT)} since last time")
        if k["n"]:
            bits.append(f"n={nb.count(k['n'])}")
        if k["partial"]:
            bits.append("partial period" + (f" {k['period']}" if k["period"] else ""))
        tone = "neutral" if k["on_target"] is None else "good" if k["on_target"] else "bad"
        out.append(KeyNumber(k["label"], nb.figure(k["value"], k["unit"]), " · ".join(bits), tone))
    return out


def _most_friction(m: JourneyMap, measurement: Measurement) -> KeyNumber | None:
    """The touchpoint with the most friction (not an ambiguous one), with what customers say
    there."""
    rows = [r for r in charts.friction_data(m, measurement).to_pylist()
            if r["level"] != "typical" and not r["ambiguous"]]  # fmt: skip
    if not rows:
        return None
    r = rows[0]
    detail = f"{r['what']} ({r['typical_words']} in this journey, n={nb.count(r['n'])}); "
    detail += (
        f"customers there feel {r['level_felt']} {nb.signed(r['emotion'])}"
        if r["emotion"] is not None
        else "no feedback there"
    )
    return KeyNumber(f"Most friction ({r['level']})", r["name"], detail, "bad")


# ---- HTML -------------------------------------------------------------------------------------


def _prose(text: str) -> Any:
    """Plain text with ``code`` in backticks shown as code; everything else escaped."""
    from markupsafe import Markup, escape

    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unmatched backtick: leave the text as it is
        return escape(text)
    return Markup("").join(
        Markup("<code>{}</code>").format(part) if i % 2 else escape(part)
        for i, part in enumerate(parts)
    )


def report_html(m: JourneyMap, measurement: Measurement) -> str:
    """The whole report as one self-contained, offline HTML document (UTF-8 text)."""
    from journeymap._version import __version__

    ms = measurement
    scale = [(lv.value, lv.label) for lv in m.scale.levels]
    coverage = {r["evidence"]: r for r in charts.coverage_data(m, ms).to_pylist()}
    thin = {t.touchpoint: t for t in ms.touchpoints if t.evidence == "thin"}
    names = {tp.id: tp.name for _, tp in m.iter_touchpoints()}
    team = {p.id: p.name for p in m.pain_points}
    from markupsafe import Markup

    return template(_TEMPLATE).render(
        title=ms.map_title or m.name,
        version=ms.map_version or m.version,
        measured_at=f"{date(ms.measured_at)}, {ms.measured_at:%H:%M} UTC",
        evidence_span=evidence_span(ms),
        filtered=filter_line(ms),
        persona=m.persona.name if m.persona else None,
        objective=m.objective,
        sources=[source(s) for s in ms.sources],
        key_numbers=key_numbers(m, ms),
        map_svg=map_viewer(render_measured_svg(m, ms)),
        viewer_css=Markup(VIEWER_CSS),
        outcomes=outcome_rows(m, ms),
        outcomes_svg=inline_svg(charts.draw_outcomes(charts.outcome_data(m, ms), width=640)),
        outcome_words=_prose(outcome_words(m, ms)),
        funnel_svg=inline_svg(charts.draw_funnel(charts.funnel_data(m, ms))),
        has_stages=bool(ms.stages),
        stages=stage_rows(m, ms),
        other_ends=has_other_ends(m, ms),
        sankey_svg=inline_svg(
            charts.draw_sankey(charts.flow_nodes(m, ms), charts.flow_links(m, ms))
        ),
        has_flows=bool(ms.flows),
        segments=segment_rows(m, ms),
        segment_labels=[segment_label(s) for s in ms.segments],
        segment_column=ms.segments[0].column if ms.segments else "",
        segment_words=_prose(segment_words(ms)) if ms.segments else "",
        all_customers=ALL_CUSTOMERS,
        caveats=list(ms.caveats),
        gaps_svg=inline_svg(charts.draw_gaps(charts.gap_data(m, ms), scale=scale)),
        coverage_svg=inline_svg(charts.draw_coverage(charts.coverage_data(m, ms))),
        friction_svg=inline_svg(charts.draw_friction(charts.friction_data(m, ms))),
        frictions=friction_rows(m, ms),
        has_behaviour=any(t.friction_evidence != "none" for t in ms.touchpoints),
        thin=[f"{names.get(k, t.name)} (n={nb.count(t.n)})" for k, t in thin.items()],
        unmeasured=list(coverage["none"]["names"]),
        pains=(pains := pain_rows(m, ms))[:PAIN_CARDS],
        more_pains=pains[PAIN_CARDS:],
        unconfirmed=[team.get(p, p) for p in ms.unconfirmed_pain_points],
        kpis=kpi_rows(m, ms),
        has_previous=any(k.previous is not None for k in ms.kpis),
        drift=drift_lines(m, ms),
        previous_at=date(ms.drift.previous_at) if ms.drift and ms.drift.previous_at else None,
        actions=action_rows(m, ms),
        method=_prose(ms.method),
        glossary=GLOSSARY,
        font_family=Markup(FONT_FAMILY),
        journeymap_version=__version__,
    )


# ---- JSON and Markdown ------------------------------------------------------------------------


def report_json(measurement: Measurement) -> str:
    """The measurement as JSON, for machines (valid against docs/measurement.schema.json)."""
    return measurement.model_dump_json(indent=2) + "\n"


def _md(text: str | None) -> str:
    return escape_cell(text or "")


def _actual_cell(t: Any) -> str:
    if t.evidence == "none" or t.emotion is None:
        return "no feedback"
    text = f"{t.level or ''} {nb.signed(t.emotion)}".strip()
    if t.emotion_low is not None and t.emotion_high is not None:
        text += f" (95% CI {nb.signed(t.emotion_low)} to {nb.signed(t.emotion_high)}"
        text += f", n={nb.count(t.n)})"
    else:
        text += f" (n={nb.count(t.n)})"
    return text + (" \u2014 few answers" if t.evidence == "thin" else "")


def report_markdown(m: JourneyMap, measurement: Measurement) -> str:
    """The measurement as Markdown: the seed tables with measured columns."""
    ms = measurement
    parts = [f"# {_md(ms.map_title or m.name)} \u2014 measured journey\n"]
    meta = [f"Measured {date(ms.measured_at)}"]
    if ms.map_version:
        meta.append(f"map version {ms.map_version}")
    span = evidence_span(ms)
    if span:
        meta.append(f"evidence {span}")
    meta.append(f"coverage {nb.percent(ms.coverage)} of touchpoints with a measured emotion")
    parts.append(_md(", ".join(meta)) + ".\n")
    filtered = filter_line(ms)
    if filtered:
        parts.append(f"**Filtered:** {_md(filtered)}.\n")
    sources = _sources_table(ms)
    if sources is not None:
        parts.append(section(sources) + _source_notes(ms))
    # what the measurement cannot tell, before the friction it concerns
    head, table = section(_emotions_table(m, ms)).split("\n\n", 1)
    parts.append(f"{head}\n\n{_notices(ms.caveats)}{table}")
    outcomes = _outcome_table(m, ms)
    if outcomes is not None:
        words = outcome_words(m, ms).replace("`", "")
        parts.append(section(outcomes) + "\n" + _md(words) + "\n")
    funnel = _funnel_table(m, ms)
    if funnel is not None:
        parts.append(section(funnel))
        if stage_rows(m, ms):
            parts[-1] += "\n" + _md(_split_words(has_other_ends(m, ms))) + "\n"
    segments = _segment_table(m, ms)
    if segments is not None:
        words = segment_words(ms).replace("`", "")
        parts.append(section(segments) + "\n" + _md(words) + "\n")
    parts += [section(t) for t in (_kpi_table(m, ms), _pain_table(m, ms)) if t is not None]
    if ms.unconfirmed_pain_points:
        team = {p.id: p.name for p in m.pain_points}
        listed = "\n".join(f"- {_md(team.get(p, p))}" for p in ms.unconfirmed_pain_points)
        parts.append(f"Team pain points the data does not show:\n\n{listed}\n")
    if ms.actions:
        rows = [[a["name"], a["where"] or "", a["estimate"], a["per_month"], a["kpi"] or "",
                 a["kpi_line"]] for a in action_rows(m, ms)]  # fmt: skip
        headers = ["Action item", "Where", "Expected outcome", "Per month", "KPI", "KPI figures"]
        parts.append(section(Table("Action items", headers, rows)))
    parts.append(f"## Method\n\n{_md(ms.method)}\n")
    if ms.caveats:
        parts.append(f"### What this measurement cannot tell\n\n{_notices(ms.caveats)}")
    return "\n".join(parts)


def _notices(caveats: list[str]) -> str:
    """Caveats as Markdown notices, one quoted paragraph each; empty without any."""
    if not caveats:
        return ""
    return "\n>\n".join(f"> **Note:** {_md(c)}" for c in caveats) + "\n\n"


def _source_notes(ms: Measurement) -> str:
    """What was done to each source before measuring (filters, lifecycle steps), as a list
    under the sources table; empty when nothing was."""
    noted = [source(s) for s in ms.sources if s.notes]
    if not noted:
        return ""
    lines = []
    for s in noted:
        lines.append(f"- {_md(s['name'])} ({s['kind'].lower()})")
        lines += [f"  - {_md(n)}" for n in s["notes"]]
    return "\nWhat was done to the sources before measuring:\n\n" + "\n".join(lines) + "\n"


def _segment_table(m: JourneyMap, ms: Measurement) -> Table | None:
    """The segments side by side, as the HTML report and the terminal show them."""
    rows = segment_rows(m, ms)
    if not rows:
        return None
    headers = [f"By {ms.segments[0].column}", *(segment_label(s) for s in ms.segments),
               ALL_CUSTOMERS]  # fmt: skip
    out = []
    for r in rows:
        name = f"Reach {r['name']}" if r["figure"] == "reach" else r["name"]
        out.append([name, *(f"{v} ({c})" if c else v for v, c in r["cells"])])
    return Table("Segments", headers, out)


def _sources_table(ms: Measurement) -> Table | None:
    if not ms.sources:
        return None
    rows = [[s["kind"], s["name"], s["rows"], s["customers"], s["span"]]
            for s in (source(x) for x in ms.sources)]  # fmt: skip
    return Table("Sources", ["Kind", "Source", "Rows", "Customers", "Dates"], rows)


def _emotions_table(m: JourneyMap, ms: Measurement) -> Table:
    """Stage | Touchpoint | Expected | Actual (from feedback: CI, n) | Gap | Friction | Pain
    point."""
    pains_by_tp: dict[str, list[str]] = {}
    for p in sorted(ms.pain_points, key=lambda p: p.rank):
        if p.touchpoint:
            pains_by_tp.setdefault(p.touchpoint, []).append(f"#{p.rank} {p.title}")
    tps = {t.touchpoint: t for t in ms.touchpoints}
    rows = []
    for stage, tp in m.iter_touchpoints():
        t = tps.get(tp.id)
        exp = m.expected_value(tp)
        expected = f"{m.scale.level(exp).label} {format_level(exp)}" if exp is not None else ""
        gap = nb.signed(t.gap) if t is not None and t.gap is not None else ""
        felt = _actual_cell(t) if t else "no feedback"
        friction = friction_summary(t) if t else ""
        pains = "; ".join(pains_by_tp.get(tp.id, []))
        rows.append([stage.name, tp.name, expected, felt, gap, friction, pains])
    headers = ["Stage", "Touchpoint", "Expected", "Actual (from feedback: CI, n)", "Gap",
               "Friction (behaviour vs the journey)", "Pain point"]  # fmt: skip
    return Table("Expected and measured emotion, and friction", headers, rows)


def _outcome_table(m: JourneyMap, ms: Measurement) -> Table | None:
    rows = [[r["name"], r["customers"], r["share"]] for r in outcome_rows(m, ms)]
    if not rows:
        return None
    return Table("How the journeys end", ["Outcome", "Customers", "Share of journeys"], rows)


#: the headers of a stage's split, as in the HTML report's stage table
_SPLIT_HEADERS = {
    "went_back": "Went back",
    "ended_goal": "At the goal",
    "ended_other": "Another way",
    "abandoned": "Abandoned",
    "in_progress": "In progress",
}


def _split_words(other_ends: bool) -> str:
    """How the columns of the stage table add up, in words."""
    ends = "At the goal + Another way" if other_ends else "At the goal"
    return (
        "Every customer of a stage is counted once: Customers = Go on + Went back + End here, "
        f"and End here = {ends} + Abandoned + In progress. Went back: they end their journey "
        "in an earlier stage. Shares are of the stage's customers."
    )


def _funnel_table(m: JourneyMap, ms: Measurement) -> Table | None:
    if not ms.stages:
        return None
    split = stage_rows(m, ms)
    if not split:  # no outcomes: the split is unknown
        rows = [[r["name"], nb.count(r["customers"]), nb.percent(r["reach"]),
                 nb.percent(r["conversion_to_next"], digits=1),
                 f"{nb.count(r['dropoff_customers'])} ({nb.percent(r['dropoff_rate'], digits=1)})"]
                for r in charts.funnel_data(m, ms).to_pylist()]  # fmt: skip
        return Table("Funnel", ["Stage", "Customers", "Reach", "Go on", "End here"], rows)

    def cell(r: dict[str, Any], key: str) -> str:
        share = r[f"{key}_share"]
        return f"{r[key]} ({share})" if share else str(r[key])

    keys = [k for k in SPLIT if k != "ended_other" or has_other_ends(m, ms)]
    headers = ["Stage", "Customers", "Reach", "Go on", "Went back", "End here"]
    headers += [_SPLIT_HEADERS[k] for k in keys if k != "went_back"]
    rows = [
        [r["name"], r["customers"], r["reach"], cell(r, "converted"), cell(r, "went_back"),
         cell(r, "dropoff")] + [cell(r, k) for k in keys if k != "went_back"]
        for r in split
    ]  # fmt: skip
    return Table("Funnel", headers, rows)


def _kpi_table(m: JourneyMap, ms: Measurement) -> Table | None:
    if not ms.kpis:
        return None
    kpis = kpi_rows(m, ms)
    notes = any(k["note"] for k in kpis)
    rows = []
    for k in kpis:
        period = k["period"] + (" (partial period)" if k["partial"] else "")
        change = k["change"] + (f" ({k['change_note']})" if k["change_note"] else "")
        row = [k["label"], k["value"] + (f" ({k['ci']})" if k["ci"] else ""), k["previous"],
               change, k["target"], k["status"], period.strip(), k["definition"]]  # fmt: skip
        rows.append([*row, k["note"]] if notes else row)
    headers = ["KPI", "Value", "Previous", "Change", "Target", "Status", "Period", "Definition"]
    return Table("KPIs", [*headers, "Note"] if notes else headers, rows)


def _pain_table(m: JourneyMap, ms: Measurement) -> Table | None:
    if not ms.pain_points:
        return None
    rows = [[str(p["rank"]), p["where"], p["title"], p["severity"], p["affected"], p["lost"],
             p["evidence"], " / ".join(f"\u201c{q}\u201d" for q in p["quotes"][:2])]
            for p in pain_rows(m, ms)]  # fmt: skip
    headers = ["Rank", "Where", "Pain point", "Severity", "Customers affected",
               "Conversions lost", "Source of insight", "Quotes"]  # fmt: skip
    return Table("Pain points", headers, rows)


# ---- the measured map as picture, and files -----------------------------------------------------


def report_png(m: JourneyMap, measurement: Measurement, *, scale: float | None = None) -> bytes:
    """The map with measured emotions as PNG (no browser: vl-convert); ``scale`` as for
    :func:`journeymap.rendering.render_bytes`, and refused the same way when too big."""
    from journeymap.rendering.raster import svg_to_png

    check_least_size(*least_size(m), "png", scale)
    return svg_to_png(render_measured_svg(m, measurement), scale=scale)


def report_pdf(m: JourneyMap, measurement: Measurement) -> bytes:
    """The map with measured emotions as a one-page vector PDF (shrunk to fit the format's
    page size, or refused when too big)."""
    from journeymap.rendering.raster import svg_to_pdf

    check_least_size(*least_size(m), "pdf", None)
    return svg_to_pdf(render_measured_svg(m, measurement))


ReportFormat = Literal["html", "json", "md", "svg", "png", "pdf"]
REPORT_FORMATS: tuple[ReportFormat, ...] = get_args(ReportFormat)
#: File suffixes and the report format each one means.
REPORT_SUFFIXES: dict[str, ReportFormat] = suffixes_for(REPORT_FORMATS)


def report_bytes(
    m: JourneyMap, measurement: Measurement, fmt: ReportFormat, *, scale: float | None = None
) -> bytes:
    """The report in ``fmt``: ``html`` (the whole report), ``json`` (the measurement), ``md``
    (tables), or the measured map as ``svg``, ``png`` (``scale`` applies) or ``pdf``."""
    if fmt == "html":
        return report_html(m, measurement).encode("utf-8")
    if fmt == "json":
        return report_json(measurement).encode("utf-8")
    if fmt == "md":
        return report_markdown(m, measurement).encode("utf-8")
    if fmt == "svg":
        return render_measured_svg(m, measurement).encode("utf-8")
    if fmt == "png":
        return report_png(m, measurement, scale=scale)
    if fmt == "pdf":
        return report_pdf(m, measurement)
    raise UsageError(f"unknown report format {fmt!r}; expected one of: {', '.join(REPORT_FORMATS)}")


def write_report(
    m: JourneyMap,
    measurement: Measurement,
    out: str | Path,
    *,
    fmt: ReportFormat | None = None,
    scale: float | None = None,
) -> Path:
    """Write the report to ``out`` atomically; the format follows the suffix unless given."""

    def make(chosen: ReportFormat) -> bytes:
        return report_bytes(m, measurement, chosen, scale=scale)

    return write_as(out, fmt, REPORT_SUFFIXES, make, what="report")
