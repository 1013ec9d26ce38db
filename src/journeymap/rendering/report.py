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

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from journeymap import _numbers as nb
from journeymap.errors import UsageError
from journeymap.model.emotion import format_level
from journeymap.model.journey import JourneyMap
from journeymap.model.measurement import Measurement, SourceInfo, TouchpointMeasure
from journeymap.model.outcome import DEFAULT_ABANDONED_AFTER, duration_of
from journeymap.rendering import measured as charts
from journeymap.rendering.files import suffixes_for, write_as
from journeymap.rendering.friction import AMBIGUOUS, friction_line, friction_summary
from journeymap.rendering.html import inline_svg, template
from journeymap.rendering.layout import least_size
from journeymap.rendering.limits import check_least_size
from journeymap.rendering.markdown import escape_cell, section
from journeymap.rendering.measured import render_measured_svg
from journeymap.rendering.measured.findings import FLAT
from journeymap.rendering.measured.funnel import SPLIT
from journeymap.rendering.measured.outcomes import outcome_color
from journeymap.rendering.measured.segments import segment_data, segment_label
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

ReportFormat = Literal["html", "json", "md", "svg", "png", "pdf"]
REPORT_FORMATS: tuple[ReportFormat, ...] = get_args(ReportFormat)
REPORT_SUFFIXES: dict[str, ReportFormat] = suffixes_for(REPORT_FORMATS)
_TEMPLATE = "measurement.html.j2"
#: the KPIs shown among the key numbers, in this order of preference (at most three)
_HEADLINE_KPIS = ("conversion:journey", "nps", "csat", "ces", "retention", "churn")
#: pain points shown as cards with their quotes; the rest are listed in a short table
PAIN_CARDS = 5
QUOTES_PER_PAIN = 2

#: How to read the report; the method section shows it under the measurement's own method.
GLOSSARY: tuple[tuple[str, str], ...] = (
    (
        "Expected and measured emotion",
        "Expected is what the team wrote in the map. Measured comes only from what customers "
        "said or scored about the touchpoint (NPS, CSAT, CES, ratings, the sentiment of their "
        "comments), each put on a scale from -1 to +1 by a fixed convention, combined with "
        "weights and placed on the map's emotion scale. What customers did is friction, never "
        "an emotion: a touchpoint nobody said anything about has no measured emotion.",
    ),
    (
        "95% interval",
        "The range the measured emotion lies in with 95% confidence given who happened to "
        "answer: a bootstrap over the respondents. Wide means few or divided answers. It does "
        "not cover the convention that turns scores into emotion levels.",
    ),
    (
        "Evidence",
        "Measured: at least 30 answers or comments behind a signal. Few answers: the value is "
        "shown hollow and grey, as a hint only. No feedback: no value is drawn. Coverage is "
        "the share of touchpoints with a measured emotion.",
    ),
    (
        "Gap",
        "Measured minus expected emotion, where both exist. Negative: customers feel worse "
        "than planned.",
    ),
    (
        "Friction",
        "What customers did at a touchpoint against the journey's typical step: drop-off, "
        "loops, going back, support contacts soon after, the wait until their next step. "
        "Medium, high and critical (one to three bars) are 2, 3 and 5 usual spreads worse "
        "than the typical step, as for pain points; loops and going back stay medium and grey, "
        "as they can be browsing. Friction says where customers struggle, not what they feel.",
    ),
    (
        "Outcomes",
        "How each journey ends: at the map's goal, another way the map names (declined, "
        "cancelled: finished, not given up), abandoned (no outcome and no event for longer "
        "than the map's abandoned_after before the data ends), or in progress (no outcome yet "
        "but a recent event: neither lost nor finished). Only abandoned journeys are drop-off.",
    ),
    (
        "Funnel",
        "Customers per stage; 'go on' are a stage's customers who later reach a later stage "
        "and do not end their journey in it, 'end here' those whose last step is in this "
        "stage (by outcome), 'went back' the others, who end their journey in an earlier "
        "stage. The three add up to the stage's customers.",
    ),
    (
        "Flows",
        "Customers moving from one touchpoint straight to another. The designed path follows "
        "the map's order; everything else skips ahead or goes back.",
    ),
    (
        "Pain points",
        "Touchpoints well outside the journey's norm, ranked by conversions lost and customers "
        "affected; each with the numbers behind it and what customers wrote.",
    ),
)


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


# ---- words for the template -------------------------------------------------------------------


def _date(value: dt.datetime | None) -> str:
    return "" if value is None else f"{value.day} {value:%b %Y}"


def _source(s: SourceInfo) -> dict[str, Any]:
    rows = nb.count(s.rows_used)
    if s.rows_read != s.rows_used:
        rows += f" of {nb.count(s.rows_read)}"
    span = f"{_date(s.first)} \u2013 {_date(s.last)}" if s.first and s.last else "\u2013"
    # "/data/feedback.csv (survey=nps)": the file's name and what part of it was read
    file, sep, part = s.path.partition(" (")
    return {
        "name": Path(file).name + sep + part,
        "path": s.path,
        "kind": "Event log" if s.kind == "events" else "Feedback",
        "rows": rows,
        "unmatched": nb.count(s.rows_unmatched) if s.rows_unmatched else "0",
        "customers": nb.count(s.customers),
        "span": span,
        "notes": list(s.notes),
    }  # fmt: skip


#: a source's note on its filters, and the customers they kept (pipeline: EventSubset.lines)
_FILTERS = "filters: "
_KEPT = re.compile(r"(?P<kept>[\d,]+) of (?P<of>[\d,]+) customers(?: \((?P<share>[^)]+)\))?")


def _filter_line(measurement: Measurement) -> str:
    """What the header says when filters kept only part of the data: the filters, how many
    customers they kept, and which sources are not filtered (``since 2026-02-01 (inclusive)
    — 2,390 of 3,000 customers (79.7%) of the event log; feedback not filtered``); empty
    without filters."""
    parts, unfiltered = [], []
    for s in measurement.sources:
        filters = next((n for n in s.notes if n.startswith(_FILTERS)), None)
        what = "event log" if s.kind == "events" else "feedback"
        if filters is None:
            unfiltered.append(what)
            continue
        text = filters.removeprefix(_FILTERS)
        kept = next((k for n in s.notes if n.startswith("kept ") and (k := _KEPT.search(n))), None)
        if kept is not None:
            share = f" ({kept['share']})" if kept["share"] else ""
            text += f" — {kept['kept']} of {kept['of']} customers{share} of the {what}"
        else:
            text += f" (the {what})"
        parts.append(text)
    if not parts:
        return ""
    if unfiltered:
        parts.append(f"{' and '.join(dict.fromkeys(unfiltered))} not filtered")
    return "; ".join(parts)


def _evidence_span(measurement: Measurement) -> str:
    firsts = [s.first for s in measurement.sources if s.first]
    lasts = [s.last for s in measurement.sources if s.last]
    if not firsts or not lasts:
        return ""
    first = min(f.replace(tzinfo=None) for f in firsts)
    last = max(x.replace(tzinfo=None) for x in lasts)
    return f"{_date(first)} \u2013 {_date(last)}"


def _scores(t: TouchpointMeasure) -> str:
    """What customers scored at a touchpoint, in words: ``CSAT 54.7%, NPS +1``."""
    bits = []
    if t.csat is not None:
        bits.append(f"CSAT {nb.percentage(t.csat, digits=1)}")
    if t.nps is not None:
        bits.append(f"NPS {nb.signed(t.nps, digits=0)}")
    if t.ces is not None:
        bits.append(f"CES {nb.number(t.ces, decimals=1)}")
    if t.rating is not None:
        bits.append(f"rating {nb.number(t.rating, decimals=1)}")
    if t.sentiment is not None:
        bits.append(f"sentiment {nb.signed(t.sentiment, digits=2)}")
    return ", ".join(bits)


def _friction_rows(m: JourneyMap, measurement: Measurement) -> list[dict[str, Any]]:
    """The touchpoints with friction above typical, the most first, each with what customers
    said there (the measured emotion and the scores; their quotes are with the pain points)
    or that they said nothing."""
    tps = {t.touchpoint: t for t in measurement.touchpoints}
    rows = []
    for r in charts.friction_data(m, measurement).to_pylist():
        if r["level"] == "typical":
            continue
        t = tps[r["touchpoint"]]
        flagged = [
            friction_line(f) + (": can be browsing" if f.measure in AMBIGUOUS else "")
            for f in t.friction_measures
            if f.level not in (None, "typical")
        ]
        felt = ""
        if r["emotion"] is not None:
            felt = f"{r['level_felt'] or ''} {nb.signed(r['emotion'])}".strip()
            if r["evidence"] == "thin":
                felt += " (few answers)"
        rows.append(
            {
                "name": r["name"],
                "stage": r["stage_name"],
                "level": r["level"],
                "color": "#8a94a3" if r["ambiguous"] else charts.severity_color(r["level"]),
                "measures": flagged,
                "felt": felt,
                "scores": _scores(t),
                "gap": nb.signed(r["gap"]) if r["gap"] is not None else "",
            }
        )
    return rows


def _kpi_rows(m: JourneyMap, measurement: Measurement) -> list[dict[str, Any]]:
    from markupsafe import Markup

    rows = []
    for k in charts.kpi_data(m, measurement).to_pylist():
        unit = k["unit"]
        ci = ""
        if k["low"] is not None and k["high"] is not None:
            ci = f"95% CI {nb.figure(k['low'])}\u2013{nb.figure(k['high'], unit)}"
        status = {True: "On target", False: "Off target", None: ""}[k["on_target"]]
        if k["partial"] and k["target"] is not None:
            status = "Not compared: partial period"  # never against a whole period's target
        rows.append(
            {
                "label": k["label"],
                "value": nb.figure(k["value"], unit),
                "ci": ci,
                "n": f"n={nb.count(k['n'])}" if k["n"] else "",
                "previous": nb.figure(k["previous"], unit) if k["previous"] is not None else "",
                "change": nb.change(k["change"], unit, flat=FLAT)
                if k["change"] is not None
                else "",
                # a partial period is a difference only: neither better nor worse, no arrow
                "change_note": "partial period" if k["partial"] and k["change"] is not None else "",
                "arrow": Markup(
                    "" if k["partial"] else charts.trend_arrow(k["trend"], k["improved"])
                ),
                "improved": None if k["partial"] else k["improved"],
                "target": nb.figure(k["target"], unit) if k["target"] is not None else "",
                "status": status,
                "on_target": k["on_target"],
                "direction": "" if k["higher_is_better"] else "lower is better",
                "definition": k["definition"] or "",
                "period": k["period"] or "",
                "partial": bool(k["partial"]),
                "note": k["note"] or "",
            }
        )
    return rows


def _abandoned_after(m: JourneyMap) -> tuple[str, str]:
    """The map's ``abandoned_after`` in words and as written (``14 days``, ``14d``)."""
    written = m.outcomes.abandoned_after if m.outcomes is not None else DEFAULT_ABANDONED_AFTER
    return nb.duration(duration_of(written).total_seconds()), written


def _outcome_rows(m: JourneyMap, measurement: Measurement) -> list[dict[str, Any]]:
    """How the journeys end, one row per outcome (goal, other ends, abandoned, in progress),
    then every journey: ``name, kind, customers, share, color``."""
    rows: list[dict[str, Any]] = charts.outcome_data(m, measurement).to_pylist()
    if not rows:
        return []
    total = sum(r["customers"] for r in rows)
    out = [
        {"name": r["name"], "kind": r["kind"], "customers": nb.count(r["customers"]),
         "share": nb.percent(r["share"], digits=1), "color": outcome_color(r["kind"])}
        for r in rows
    ]  # fmt: skip
    out.append({"name": "Every journey", "kind": "total", "customers": nb.count(total),
                "share": nb.percent(1.0 if total else None, digits=1), "color": ""})  # fmt: skip
    return out


def _outcome_words(m: JourneyMap, measurement: Measurement) -> str:
    """What the outcomes mean, in words, with the map's own ``abandoned_after`` (backticks
    mark code, for :func:`_prose`)."""
    words, written = _abandoned_after(m)
    whose = "the map's" if m.outcomes is not None else "the default"
    text = (
        "Each journey is counted once, by how it ends. Abandoned: no outcome, and no event "
        f"for more than {words} before the data ends ({whose} `abandoned_after: {written}`). "
        f"In progress: no outcome yet, but an event in the last {words} of the data: these "
        "journeys are neither lost nor finished, so they count neither as abandoned nor as "
        "reaching the goal."
    )
    outcomes = charts.outcome_data(m, measurement).to_pylist()
    ends = [o["name"] for o in outcomes if o["kind"] == "end"]
    if ends:
        text += f" Ending another way ({', '.join(ends)}) is finished, not given up."
    if m.outcomes is None or not m.outcomes.goal:
        text += (
            " The map names no goal (`outcomes:`), so the touchpoints of its last stage are "
            "the goal."
        )
    return text


def _share_of(n: int | None, of: int) -> str:
    """``n`` as a share of ``of`` (a stage's customers); empty for none."""
    return nb.percent(n / of, digits=1) if n and of else ""


def _stage_rows(m: JourneyMap, measurement: Measurement) -> list[dict[str, Any]]:
    """Each stage with how its customers split: go on, went back, end here by outcome (counts
    and shares of the stage's customers); empty when the split is unknown (no outcomes)."""
    rows = charts.funnel_data(m, measurement).to_pylist()
    if not measurement.outcomes or not any(r["customers"] for r in rows):
        return []
    out = []
    for r in rows:
        n = r["customers"]
        last = r["conversion_to_next"] is None
        row: dict[str, Any] = {
            "name": r["name"],
            "customers": nb.count(n),
            "reach": nb.percent(r["reach"]),
            "converted": nb.MISSING if last else nb.count(r["converted"]),
            "converted_share": "" if last else _share_of(r["converted"], n),
            "dropoff": nb.count(r["dropoff_customers"]),
            "dropoff_share": _share_of(r["dropoff_customers"], n),
        }
        for key in SPLIT:
            row[key] = nb.count(r[key])
            row[f"{key}_share"] = _share_of(r[key], n)
        out.append(row)
    return out


def _has_other_ends(m: JourneyMap, measurement: Measurement) -> bool:
    """Whether the map names ends besides the goal (or a stage has journeys ending so)."""
    ends = any(o["kind"] == "end" for o in charts.outcome_data(m, measurement).to_pylist())
    return ends or any(s.ended_other for s in measurement.stages)


#: the column of every customer, after the segments' columns
ALL_CUSTOMERS = "All customers"
#: the headings of the segment table's groups of rows
_SEGMENT_GROUPS = {
    "outcome": ("How their journeys end", "share of the segment's journeys, and how many"),
    "reach": ("Reach", "share of the segment's customers who reach the stage, and how many"),
}


def _segment_rows(m: JourneyMap, measurement: Measurement) -> list[dict[str, Any]]:
    """The segments side by side, one row per figure: the customers, each outcome's share of
    the journeys and each stage's reach, as shares with one decimal and the customers behind
    them. Each row has ``name, figure, color``, ``group`` (the heading of the rows it starts,
    if any) and ``cells``: one ``(value, count)`` per segment, then all customers. Empty
    without segments."""
    rows = segment_data(m, measurement).to_pylist()
    segments = len(measurement.segments)
    if not rows or not segments:
        return []
    figures = len(rows) // segments  # every segment has the same figures, in the same order
    outcomes = {o.key: o for o in measurement.outcomes}
    stages = {s.stage: s for s in measurement.stages}
    journeys = sum(o.customers for o in measurement.outcomes) if measurement.outcomes else None

    def cell(share: float | None, customers: int | None) -> tuple[str, str]:
        return nb.percent(share, digits=1), nb.count(customers)

    out: list[dict[str, Any]] = []
    for j in range(figures):
        first = rows[j]
        figure, key = first["figure"], first["key"]
        cells = [rows[i * figures + j] for i in range(segments)]
        if figure == "customers":
            values = [(nb.count(r["customers"]), "") for r in cells]
            values.append((nb.count(journeys), ""))
        elif figure == "outcome":
            values = [cell(r["share"], r["customers"]) for r in cells]
            o = outcomes.get(key)
            values.append(cell(o.share, o.customers) if o else (nb.MISSING, ""))
        else:
            values = [cell(r["share"], r["customers"]) for r in cells]
            st = stages.get(key)
            values.append(cell(st.reach_share, st.customers) if st else (nb.MISSING, ""))
        group = None if out and out[-1]["figure"] == figure else _SEGMENT_GROUPS.get(figure)
        out.append({
            "name": first["name"], "figure": figure, "cells": values, "group": group,
            "color": outcome_color(first["kind"]) if figure == "outcome" else "",
        })  # fmt: skip
    return out


def _segment_words(measurement: Measurement) -> str:
    """What a segment is, in words (backticks mark code, for :func:`_prose`)."""
    column = measurement.segments[0].column
    return (
        f"One column per value of `{column}` in the event log, then all customers. A segment "
        f"is the events whose `{column}` holds the value: a customer whose events hold "
        "several values is in several segments, so the segments' customers can add up to "
        "more than all customers. Whether a journey is abandoned or in progress is judged "
        "against the end of the whole data, not of the segment's own events. How journeys "
        "end is a share of the segment's journeys; reach, the share of its customers who "
        "reach the stage."
    )


def _pain_rows(m: JourneyMap, measurement: Measurement) -> list[dict[str, Any]]:
    """Pain points in words; each quote is shown once, with the first pain point that has it."""
    rows: list[dict[str, Any]] = charts.pain_data(m, measurement).to_pylist()
    biggest = max((r["customers_affected"] for r in rows), default=0) or 1
    shown: set[str] = set()
    for r in rows:
        fresh = [q for q in r["quotes"] if q not in shown][:QUOTES_PER_PAIN]
        shown.update(fresh)
        r["show_quotes"] = fresh
        r["where"] = " \u203a ".join(x for x in (r["stage_name"], r["touchpoint_name"]) if x)
        r["color"] = charts.severity_color(r["severity"])
        r["affected"] = nb.count(r["customers_affected"])
        r["lost"] = nb.count(r["conversions_lost"]) if r["conversions_lost"] else ""
        r["value"] = nb.count(r["value_lost"]) if r["value_lost"] else ""
        r["bar"] = round(100 * r["customers_affected"] / biggest, 1)
        r["kind_label"] = r["kind"].replace("-", " ")
    return rows


def _action_rows(m: JourneyMap, measurement: Measurement) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = charts.action_data(m, measurement).to_pylist()
    biggest = max((r["conversions_per_month"] or 0 for r in rows), default=0) or 1
    kpis = {k.id: k for k in m.kpis}
    for r in rows:
        per = r["conversions_per_month"]
        r["per_month"] = f"+{nb.count(per)} / month" if per else ""
        r["value"] = f"{nb.count(r['value_per_month'])} / month" if r["value_per_month"] else ""
        r["bar"] = round(100 * (per or 0) / biggest, 1)
        kpi = next((k for k in kpis.values() if k.name == r["kpi"]), None)
        unit = kpi.unit if kpi else None
        moves = []
        if r["kpi_before"] is not None:
            moves.append(f"before {nb.figure(r['kpi_before'], unit)}")
        if r["kpi_now"] is not None:
            moves.append(f"now {nb.figure(r['kpi_now'], unit)}")
        if r["kpi_target"] is not None:
            moves.append(f"target {nb.figure(r['kpi_target'], unit)}")
        r["kpi_line"] = " \u00b7 ".join(moves)
        r["status_label"] = (r["status"] or "").replace("-", " ")
    return rows


def _drift_lines(m: JourneyMap, measurement: Measurement) -> list[str]:
    d = measurement.drift
    if d is None:
        return []
    names = {tp.id: tp.name for _, tp in m.iter_touchpoints()}
    labels = {k.key: (k.label, k.unit, k.partial) for k in measurement.kpis}
    lines = []
    for key, change in sorted(d.kpis.items(), key=lambda kv: -abs(kv[1]))[:6]:
        label, unit, partial = labels.get(key, (key, None, False))
        note = " (partial period)" if partial else ""
        lines.append(f"{label}: {nb.change(change, unit, flat=FLAT)}{note}")
    for tp, change in sorted(d.emotions.items(), key=lambda kv: -abs(kv[1]))[:4]:
        if abs(change) >= 0.05:
            lines.append(f"Emotion at {names.get(tp, tp)}: {nb.signed(change)}")
    return lines


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
        measured_at=f"{_date(ms.measured_at)}, {ms.measured_at:%H:%M} UTC",
        evidence_span=_evidence_span(ms),
        filtered=_filter_line(ms),
        persona=m.persona.name if m.persona else None,
        objective=m.objective,
        sources=[_source(s) for s in ms.sources],
        key_numbers=key_numbers(m, ms),
        map_svg=inline_svg(render_measured_svg(m, ms)),
        outcomes=_outcome_rows(m, ms),
        outcomes_svg=inline_svg(charts.draw_outcomes(charts.outcome_data(m, ms), width=640)),
        outcome_words=_prose(_outcome_words(m, ms)),
        funnel_svg=inline_svg(charts.draw_funnel(charts.funnel_data(m, ms))),
        has_stages=bool(ms.stages),
        stages=_stage_rows(m, ms),
        other_ends=_has_other_ends(m, ms),
        sankey_svg=inline_svg(
            charts.draw_sankey(charts.flow_nodes(m, ms), charts.flow_links(m, ms))
        ),
        has_flows=bool(ms.flows),
        segments=_segment_rows(m, ms),
        segment_labels=[segment_label(s) for s in ms.segments],
        segment_column=ms.segments[0].column if ms.segments else "",
        segment_words=_prose(_segment_words(ms)) if ms.segments else "",
        all_customers=ALL_CUSTOMERS,
        caveats=list(ms.caveats),
        gaps_svg=inline_svg(charts.draw_gaps(charts.gap_data(m, ms), scale=scale)),
        coverage_svg=inline_svg(charts.draw_coverage(charts.coverage_data(m, ms))),
        friction_svg=inline_svg(charts.draw_friction(charts.friction_data(m, ms))),
        frictions=_friction_rows(m, ms),
        has_behaviour=any(t.friction_evidence != "none" for t in ms.touchpoints),
        thin=[f"{names.get(k, t.name)} (n={nb.count(t.n)})" for k, t in thin.items()],
        unmeasured=list(coverage["none"]["names"]),
        pains=(pains := _pain_rows(m, ms))[:PAIN_CARDS],
        more_pains=pains[PAIN_CARDS:],
        unconfirmed=[team.get(p, p) for p in ms.unconfirmed_pain_points],
        kpis=_kpi_rows(m, ms),
        has_previous=any(k.previous is not None for k in ms.kpis),
        drift=_drift_lines(m, ms),
        previous_at=_date(ms.drift.previous_at) if ms.drift and ms.drift.previous_at else None,
        actions=_action_rows(m, ms),
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
    meta = [f"Measured {_date(ms.measured_at)}"]
    if ms.map_version:
        meta.append(f"map version {ms.map_version}")
    span = _evidence_span(ms)
    if span:
        meta.append(f"evidence {span}")
    meta.append(f"coverage {nb.percent(ms.coverage)} of touchpoints with a measured emotion")
    parts.append(_md(", ".join(meta)) + ".\n")
    filtered = _filter_line(ms)
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
        words = _outcome_words(m, ms).replace("`", "")
        parts.append(section(outcomes) + "\n" + _md(words) + "\n")
    funnel = _funnel_table(m, ms)
    if funnel is not None:
        parts.append(section(funnel))
        if _stage_rows(m, ms):
            parts[-1] += "\n" + _md(_split_words(_has_other_ends(m, ms))) + "\n"
    segments = _segment_table(m, ms)
    if segments is not None:
        words = _segment_words(ms).replace("`", "")
        parts.append(section(segments) + "\n" + _md(words) + "\n")
    parts += [section(t) for t in (_kpi_table(m, ms), _pain_table(m, ms)) if t is not None]
    if ms.unconfirmed_pain_points:
        team = {p.id: p.name for p in m.pain_points}
        listed = "\n".join(f"- {_md(team.get(p, p))}" for p in ms.unconfirmed_pain_points)
        parts.append(f"Team pain points the data does not show:\n\n{listed}\n")
    if ms.actions:
        rows = [[a["name"], a["where"] or "", a["estimate"], a["per_month"], a["kpi"] or "",
                 a["kpi_line"]] for a in _action_rows(m, ms)]  # fmt: skip
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
    noted = [_source(s) for s in ms.sources if s.notes]
    if not noted:
        return ""
    lines = []
    for s in noted:
        lines.append(f"- {_md(s['name'])} ({s['kind'].lower()})")
        lines += [f"  - {_md(n)}" for n in s["notes"]]
    return "\nWhat was done to the sources before measuring:\n\n" + "\n".join(lines) + "\n"


def _segment_table(m: JourneyMap, ms: Measurement) -> Table | None:
    """The segments side by side, as the HTML report and the terminal show them."""
    rows = _segment_rows(m, ms)
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
            for s in (_source(x) for x in ms.sources)]  # fmt: skip
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
    rows = [[r["name"], r["customers"], r["share"]] for r in _outcome_rows(m, ms)]
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
    split = _stage_rows(m, ms)
    if not split:  # no outcomes: the split is unknown
        rows = [[r["name"], nb.count(r["customers"]), nb.percent(r["reach"]),
                 nb.percent(r["conversion_to_next"], digits=1),
                 f"{nb.count(r['dropoff_customers'])} ({nb.percent(r['dropoff_rate'], digits=1)})"]
                for r in charts.funnel_data(m, ms).to_pylist()]  # fmt: skip
        return Table("Funnel", ["Stage", "Customers", "Reach", "Go on", "End here"], rows)

    def cell(r: dict[str, Any], key: str) -> str:
        share = r[f"{key}_share"]
        return f"{r[key]} ({share})" if share else str(r[key])

    keys = [k for k in SPLIT if k != "ended_other" or _has_other_ends(m, ms)]
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
    kpis = _kpi_rows(m, ms)
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
            for p in _pain_rows(m, ms)]  # fmt: skip
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
