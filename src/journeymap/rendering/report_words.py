"""What the measurement report says in words, section by section: the rows and sentences the
HTML template and the Markdown report arrange (:mod:`journeymap.rendering.report`), and the
glossary of its method section. Every figure comes from the measurement and the data
functions of :mod:`journeymap.rendering.measured`; this module only words them."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from journeymap import _numbers as nb
from journeymap.model.journey import JourneyMap
from journeymap.model.measurement import Measurement, SourceInfo, TouchpointMeasure
from journeymap.model.outcome import DEFAULT_ABANDONED_AFTER, duration_of
from journeymap.rendering import measured as charts
from journeymap.rendering.friction import AMBIGUOUS, friction_line
from journeymap.rendering.measured.findings import FLAT
from journeymap.rendering.measured.funnel import SPLIT
from journeymap.rendering.measured.outcomes import outcome_color
from journeymap.rendering.measured.segments import segment_data

__all__ = [
    "ALL_CUSTOMERS",
    "GLOSSARY",
    "QUOTES_PER_PAIN",
    "abandoned_after",
    "action_rows",
    "currency_of",
    "date",
    "drift_lines",
    "evidence_span",
    "filter_line",
    "friction_rows",
    "has_other_ends",
    "kpi_rows",
    "money",
    "outcome_rows",
    "outcome_words",
    "pain_rows",
    "scores",
    "segment_rows",
    "segment_words",
    "share_of",
    "source",
    "stage_rows",
]

#: quotes under each pain point, none shown twice
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


# ---- words for the template -------------------------------------------------------------------


def date(value: dt.datetime | None) -> str:
    return "" if value is None else f"{value.day} {value:%b %Y}"


def source(s: SourceInfo) -> dict[str, Any]:
    rows = nb.count(s.rows_used)
    if s.rows_read != s.rows_used:
        rows += f" of {nb.count(s.rows_read)}"
    span = f"{date(s.first)} \u2013 {date(s.last)}" if s.first and s.last else "\u2013"
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


def filter_line(measurement: Measurement) -> str:
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


def evidence_span(measurement: Measurement) -> str:
    firsts = [s.first for s in measurement.sources if s.first]
    lasts = [s.last for s in measurement.sources if s.last]
    if not firsts or not lasts:
        return ""
    first = min(f.replace(tzinfo=None) for f in firsts)
    last = max(x.replace(tzinfo=None) for x in lasts)
    return f"{date(first)} \u2013 {date(last)}"


def scores(t: TouchpointMeasure) -> str:
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


def friction_rows(m: JourneyMap, measurement: Measurement) -> list[dict[str, Any]]:
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
                "scores": scores(t),
                "gap": nb.signed(r["gap"]) if r["gap"] is not None else "",
            }
        )
    return rows


def kpi_rows(m: JourneyMap, measurement: Measurement) -> list[dict[str, Any]]:
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


def abandoned_after(m: JourneyMap) -> tuple[str, str]:
    """The map's ``abandoned_after`` in words and as written (``14 days``, ``14d``)."""
    written = m.outcomes.abandoned_after if m.outcomes is not None else DEFAULT_ABANDONED_AFTER
    return nb.duration(duration_of(written).total_seconds()), written


def outcome_rows(m: JourneyMap, measurement: Measurement) -> list[dict[str, Any]]:
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


def outcome_words(m: JourneyMap, measurement: Measurement) -> str:
    """What the outcomes mean, in words, with the map's own ``abandoned_after`` (backticks
    mark code, for :func:`_prose`)."""
    words, written = abandoned_after(m)
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


def share_of(n: int | None, of: int) -> str:
    """``n`` as a share of ``of`` (a stage's customers); empty for none."""
    return nb.percent(n / of, digits=1) if n and of else ""


def stage_rows(m: JourneyMap, measurement: Measurement) -> list[dict[str, Any]]:
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
            "converted_share": "" if last else share_of(r["converted"], n),
            "dropoff": nb.count(r["dropoff_customers"]),
            "dropoff_share": share_of(r["dropoff_customers"], n),
        }
        for key in SPLIT:
            row[key] = nb.count(r[key])
            row[f"{key}_share"] = share_of(r[key], n)
        out.append(row)
    return out


def has_other_ends(m: JourneyMap, measurement: Measurement) -> bool:
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


def segment_rows(m: JourneyMap, measurement: Measurement) -> list[dict[str, Any]]:
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


def segment_words(measurement: Measurement) -> str:
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


def currency_of(m: JourneyMap) -> str | None:
    """The currency the map names for its values (``measurement: currency:``), or ``None``:
    a currency is never guessed."""
    return m.measurement.currency if m.measurement is not None else None


def money(value: float, currency: str | None) -> str:
    """``20498`` -> ``"EUR 20,498"`` with a currency code, ``"£20,498"`` with a symbol,
    ``"20,498"`` without a currency (the caller says "in the data's unit")."""
    figure = nb.count(value)
    if not currency:
        return figure
    return f"{currency}{figure}" if len(currency) == 1 else f"{currency} {figure}"


def pain_rows(m: JourneyMap, measurement: Measurement) -> list[dict[str, Any]]:
    """Pain points in words; each quote is shown once, with the first pain point that has it."""
    rows: list[dict[str, Any]] = charts.pain_data(m, measurement).to_pylist()
    biggest = max((r["customers_affected"] for r in rows), default=0) or 1
    currency = currency_of(m)
    shown: set[str] = set()
    for r in rows:
        fresh = [q for q in r["quotes"] if q not in shown][:QUOTES_PER_PAIN]
        shown.update(fresh)
        r["show_quotes"] = fresh
        r["where"] = " \u203a ".join(x for x in (r["stage_name"], r["touchpoint_name"]) if x)
        r["color"] = charts.severity_color(r["severity"])
        r["affected"] = nb.count(r["customers_affected"])
        r["lost"] = nb.count(r["conversions_lost"]) if r["conversions_lost"] else ""
        r["value"] = money(r["value_lost"], currency) if r["value_lost"] else ""
        r["value_what"] = "value lost" if currency else "value lost (in the data's unit)"
        r["bar"] = round(100 * r["customers_affected"] / biggest, 1)
        r["kind_label"] = r["kind"].replace("-", " ")
    return rows


def action_rows(m: JourneyMap, measurement: Measurement) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = charts.action_data(m, measurement).to_pylist()
    currency = currency_of(m)
    biggest = max((r["conversions_per_month"] or 0 for r in rows), default=0) or 1
    kpis = {k.id: k for k in m.kpis}
    for r in rows:
        per = r["conversions_per_month"]
        r["per_month"] = f"+{nb.count(per)} / month" if per else ""
        r["value"] = (
            f"{money(r['value_per_month'], currency)} / month"
            + ("" if currency else " (in the data's unit)")
            if r["value_per_month"]
            else ""
        )
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


def drift_lines(m: JourneyMap, measurement: Measurement) -> list[str]:
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
