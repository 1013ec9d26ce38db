"""Charts of the journey analyses of an event log: the funnel, the top paths, retention and
churn per period, the cohort heatmap and the time between steps.

Each chart is a pair: a *data* function that returns the table drawn (it takes the log and
runs the analysis of :mod:`journeymap.events`, or takes that analysis' result table as it is,
as the CLI does, and shapes it), and a *drawing* function that only draws that table and
returns an Altair chart (a notebook shows it; :func:`~journeymap.rendering.charts.save_chart`
writes it as SVG, PNG, PDF or HTML). The flows have their own module,
:mod:`~journeymap.rendering.charts.flows`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from journeymap import _numbers as nb
from journeymap.errors import UsageError
from journeymap.rendering.charts._figure import (
    BLUE,
    GREY,
    MUTED,
    NAVY,
    NEGATIVE,
    POSITIVE,
    altair,
    rows_of,
    style,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    import pyarrow as pa

    from journeymap.events.funnel import Step
    from journeymap.events.prepare import Per
    from journeymap.events.read import EventLog
    from journeymap.events.retention import Period

__all__ = [
    "DURATION_LABEL",
    "cohort_data",
    "cohort_heatmap",
    "funnel_chart",
    "funnel_data",
    "paths_chart",
    "paths_data",
    "retention_chart",
    "retention_data",
    "step_times_chart",
    "step_times_data",
]

#: a Vega expression writing an axis value in seconds as a short duration (45s, 12m, 3.5h, 2d)
DURATION_LABEL = (
    "datum.value < 60 ? format(datum.value, '.2~r') + 's' : "
    "datum.value < 3600 ? format(datum.value / 60, '.2~r') + 'm' : "
    "datum.value < 86400 ? format(datum.value / 3600, '.2~r') + 'h' : "
    "format(datum.value / 86400, '.3~r') + 'd'"
)


def _is_table(source: object) -> bool:
    import pyarrow as pa

    return isinstance(source, pa.Table)


def _need(table: pa.Table, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise UsageError(
            f"the {what} chart needs the columns {', '.join(columns)}; "
            f"the table lacks {', '.join(missing)}"
        )


def _segmented(table: pa.Table, what: str) -> None:
    if "segment" in table.column_names:
        raise UsageError(
            f"the {what} chart draws one log at a time; drop --by (or draw each segment apart)"
        )


def _add(table: pa.Table, name: str, values: list[Any], type_: Any = None) -> pa.Table:
    import pyarrow as pa

    return table.append_column(name, pa.array(values, type=type_))


# ---- funnel ----------------------------------------------------------------------------------


def funnel_data(
    source: EventLog | pa.Table,
    *,
    steps: Sequence[Step] | None = None,
    within: timedelta | None = None,
    per: Per = "customer",
) -> pa.Table:
    """The funnel (:func:`journeymap.events.funnel.funnel`) with a ``label`` per step
    (``"1. visit"``) and ``lost_from_first`` (customers of step 1 who did not get this far)."""
    from journeymap.events.funnel import funnel

    if _is_table(source):
        table: pa.Table = source
    else:
        if steps is None:
            raise UsageError("a funnel needs its steps, e.g. steps=['visit', 'cart', 'buy']")
        table = funnel(source, steps=steps, within=within, per=per)
    _segmented(table, "funnel")
    _need(table, ("step", "name", "customers", "conversion_from_first"), "funnel")
    rows = table.to_pylist()
    first = rows[0]["customers"] if rows else 0
    table = _add(table, "label", [f"{r['step']}. {r['name']}" for r in rows])
    return _add(table, "lost_from_first", [first - r["customers"] for r in rows])


def funnel_chart(table: pa.Table) -> Any:
    """Horizontal bars, one per step in order: customers who reached it (blue) against those
    who entered the funnel (grey), with the count and the conversion from step 1."""
    alt = altair()
    rows = rows_of(table)
    for r in rows:
        share = r["conversion_from_first"]
        r["text"] = (
            f"{nb.count(r['customers'])}  ({nb.percent(share, digits=1)})"
            if (share is not None)
            else nb.count(r["customers"])
        )
        r["entered"] = r["customers"] + r["lost_from_first"]
    order = [r["label"] for r in rows]
    base = alt.Chart(alt.Data(values=rows)).encode(
        y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelFontWeight="bold")),
    )
    entered = base.mark_bar(color="#e3e8ee", height=26).encode(x=alt.X("entered:Q"))
    reached = base.mark_bar(color=BLUE, height=26).encode(
        x=alt.X("customers:Q", title="customers"),
        tooltip=["label:N", "customers:Q", "conversion_from_previous:Q", "drop_off:Q",
                 "median_seconds:Q"],
    )  # fmt: skip
    labels = base.mark_text(align="left", dx=6, color=NAVY, fontSize=12).encode(
        x=alt.X("customers:Q"), text="text:N"
    )
    chart = (entered + reached + labels).properties(width=640, height=44 * max(1, len(rows)))
    total = rows[0]["customers"] if rows else 0
    return style(
        chart,
        title="Funnel",
        subtitle=f"{nb.count(total)} entered; bars: customers reaching each step in order "
        "(grey: those who entered), with the share of those who entered",
    )


# ---- paths -----------------------------------------------------------------------------------


def _short_path(events: list[str], keep: int = 6) -> str:
    """A path to read at a glance: the first three and last two events around the count of
    the rest when it is longer than ``keep``."""
    if len(events) <= keep:
        return " › ".join(events)
    hidden = len(events) - 5
    return " › ".join([*events[:3], f"… {hidden} more …", *events[-2:]])


def paths_data(
    source: EventLog | pa.Table,
    *,
    top: int = 10,
    per: Per = "customer",
    collapse_loops: bool = False,
) -> pa.Table:
    """The ``top`` paths (:func:`journeymap.events.paths.paths`) with their ``rank`` and a
    short ``label`` (long paths as their first three and last two events)."""
    from journeymap.events.paths import SEPARATOR, paths

    if _is_table(source):
        table: pa.Table = source
    else:
        table = paths(source, per=per, top=top, collapse_loops=collapse_loops)
    _need(table, ("path", "customers", "share"), "paths")
    table = table.slice(0, top)
    rows = table.to_pylist()
    labels = [
        f"{i}. " + _short_path(r.get("events") or str(r["path"]).split(SEPARATOR))
        for i, r in enumerate(rows, 1)
    ]
    table = _add(table, "rank", list(range(1, len(rows) + 1)))
    return _add(table, "label", labels)


def paths_chart(table: pa.Table) -> Any:
    """The most common paths as horizontal bars of customers, each under its path (long
    paths shortened to their first three and last two events), the share of all journeys at
    the end of the bar; the full path in the tooltip."""
    alt = altair()
    rows = rows_of(table)
    for r in rows:
        r["text"] = f"{nb.count(r['customers'])}  ({nb.percent(r['share'], digits=1)})"
        r["origin"] = 0
    order = [r["label"] for r in rows]
    base = alt.Chart(alt.Data(values=rows)).encode(
        y=alt.Y("label:N", sort=order, title=None, axis=None)
    )
    bars = base.mark_bar(color=BLUE, height=16, yOffset=9).encode(
        x=alt.X("customers:Q", title="customers"),
        tooltip=["path:N", "length:Q", "customers:Q", "share:Q"],
    )
    counts = base.mark_text(align="left", dx=6, dy=9, color=NAVY, fontSize=12).encode(
        x="customers:Q", text="text:N"
    )
    names = base.mark_text(align="left", dy=-9, color=NAVY, fontSize=12, limit=900).encode(
        x="origin:Q", text="label:N"
    )
    chart = (bars + counts + names).properties(width=900, height=48 * max(1, len(rows)))
    return style(
        chart,
        title=f"Top {len(rows)} paths",
        subtitle="customers whose whole journey is this sequence of events, and their share "
        "of all journeys",
    )


# ---- retention -------------------------------------------------------------------------------


def retention_data(
    source: EventLog | pa.Table, *, period: Period = "month", event: str | None = None
) -> pa.Table:
    """Retention and churn per period (:func:`journeymap.events.retention.retention`), long:
    ``period, partial, rate`` (retention or churn), ``value`` (%), ``customers_at_start``."""
    import pyarrow as pa

    from journeymap.events.retention import retention

    if _is_table(source):
        table: pa.Table = source
    else:
        table = retention(source, period=period, event=event)
    _segmented(table, "retention")
    _need(table, ("period", "partial", "retention_rate", "churn_rate"), "retention")
    rows = []
    for r in table.to_pylist():
        for rate, column in (("retention", "retention_rate"), ("churn", "churn_rate")):
            if r[column] is not None:
                rows.append(
                    {
                        "period": r["period"],
                        "partial": bool(r["partial"]),
                        "rate": rate,
                        "value": float(r[column]),
                        "customers_at_start": r.get("customers_at_start"),
                    }
                )
    schema = pa.schema(
        [
            ("period", table.schema.field("period").type),
            ("partial", pa.bool_()),
            ("rate", pa.string()),
            ("value", pa.float64()),
            ("customers_at_start", pa.int64()),
        ]
    )
    return pa.Table.from_pylist(rows, schema=schema)


def retention_chart(table: pa.Table) -> Any:
    """The retention curve: retention and churn rate per period (%), a hollow point for a
    partial period, whose rates are not those of a full one."""
    alt = altair()
    rows = rows_of(table)
    partial = any(r["partial"] for r in rows)
    color = alt.Color(
        "rate:N",
        scale=alt.Scale(domain=["retention", "churn"], range=[POSITIVE, NEGATIVE]),
        legend=alt.Legend(title=None, orient="top"),
    )
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("period:T", title=None, axis=alt.Axis(format="%Y-%m-%d", labelAngle=-40)),
        y=alt.Y("value:Q", title="% of customers at the start of the period",
                scale=alt.Scale(domain=[0, 100])),
        color=color,
    )  # fmt: skip
    line = base.mark_line(strokeWidth=2.2)
    points = base.mark_point(size=46, strokeWidth=1.6).encode(
        fill=alt.condition("datum.partial", alt.value("white"), color),
        tooltip=["period:T", "rate:N", alt.Tooltip("value:Q", format=".1f"),
                 "customers_at_start:Q", "partial:N"],
    )  # fmt: skip
    chart = (line + points).properties(width=640, height=300)
    sub = "retained ÷ customers at start, and lost ÷ customers at start, per period"
    if partial:
        sub += "; hollow: a partial period"
    return style(chart, title="Retention and churn", subtitle=sub)


def cohort_data(
    source: EventLog | pa.Table, *, period: Period = "month", event: str | None = None
) -> pa.Table:
    """Cohort retention (:func:`journeymap.events.retention.cohorts`), long format: ``cohort,
    period_offset, period, partial, cohort_size, customers, share``."""
    from journeymap.events.retention import cohorts

    if _is_table(source):
        table: pa.Table = source
    else:
        table = cohorts(source, period=period, event=event)
    _segmented(table, "cohort")
    _need(table, ("cohort", "period_offset", "cohort_size", "customers", "share"), "cohort")
    return table


def cohort_heatmap(table: pa.Table) -> Any:
    """The cohort heatmap: one row per cohort (with its size), one column per period since
    the cohort's first, the share still active as colour and number; period 0 is 100% by
    definition and left grey so that the scale shows the later periods."""
    alt = altair()
    rows = rows_of(table)
    for r in rows:
        r["name"] = f"{r['cohort']}  (n={nb.count(r['cohort_size'])})"
        r["text"] = f"{r['share'] * 100:.0f}" if r["share"] is not None else ""
        r["later"] = r["period_offset"] > 0
    later = [r["share"] for r in rows if r["later"] and r["share"] is not None]
    top = max(later, default=1.0) or 1.0
    cohorts_ = sorted({r["cohort"] for r in rows})
    names = [next(r["name"] for r in rows if r["cohort"] == c) for c in cohorts_]
    offsets = 1 + max((r["period_offset"] for r in rows), default=0)
    cell = 30 if offsets <= 24 else 18
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("period_offset:O", title="periods since the cohort's first",
                axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("name:N", sort=names, title=None),
    )  # fmt: skip
    first = base.transform_filter("!datum.later").mark_rect(color="#d5dce5")
    heat = base.transform_filter("datum.later").mark_rect().encode(
        color=alt.Color("share:Q", title="active",
                        scale=alt.Scale(scheme="blues", domain=[0, top]),
                        legend=alt.Legend(format=".0%")),
        tooltip=["cohort:N", "period_offset:O", "period:N", "cohort_size:Q", "customers:Q",
                 alt.Tooltip("share:Q", format=".1%"), "partial:N"],
    )  # fmt: skip
    labels = base.mark_text(fontSize=10 if cell >= 30 else 8).encode(
        text="text:N",
        color=alt.condition(f"datum.later && datum.share > {top * 0.55}",
                            alt.value("white"), alt.value(NAVY)),
    )  # fmt: skip
    chart = (first + heat + labels).properties(
        width=cell * offsets, height=max(cell, 24) * max(1, len(cohorts_))
    )
    return style(
        chart,
        title="Cohort retention",
        subtitle="% of each cohort (customers first active in that period) active k periods later",
    )


# ---- time between steps ----------------------------------------------------------------------


def step_times_data(
    source: EventLog | pa.Table, *, top: int = 15, per: Per = "customer"
) -> pa.Table:
    """The ``top`` most frequent transitions of the flows (:func:`journeymap.events.flows.flows`,
    start and end markers left out) with their median and 90th-percentile time and a
    ``label`` ``"a → b"``."""
    import pyarrow.compute as pc

    from journeymap.events.flows import END, START, flows

    if _is_table(source):
        table: pa.Table = source
    else:
        table = flows(source, per=per)
    _segmented(table, "step time")
    _need(table, ("from", "to", "count", "median_seconds", "p90_seconds"), "step time")
    keep = pc.and_(
        pc.and_(pc.not_equal(table["from"], START), pc.not_equal(table["to"], END)),
        pc.is_valid(table["median_seconds"]),
    )
    table = table.filter(keep).sort_by([("count", "descending")]).slice(0, top)
    return _add(table, "label", [f"{r['from']} → {r['to']}" for r in table.to_pylist()])


#: where the time axis has its ticks: round durations from a millisecond to a year
_TICKS = (0.001, 0.01, 0.1, 1, 10, 60, 600, 3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400,
          365 * 86400)  # fmt: skip


def step_times_chart(table: pa.Table) -> Any:
    """Time between consecutive steps, one row per transition (most frequent first), its name
    over it: a dot at the median, a bar on to the 90th percentile, on a log scale of time
    (a time of 0 is drawn at the axis' start)."""
    alt = altair()
    rows = rows_of(table)
    positive = [float(v) for r in rows for v in (r["median_seconds"], r["p90_seconds"])
                if v is not None and v > 0]  # fmt: skip
    floor = max(min(positive, default=1.0) / 2, 0.0005)
    ceiling = max(positive, default=10.0) * 1.6
    for r in rows:
        r["lo"] = max(float(r["median_seconds"]), floor)
        r["hi"] = max(float(r["p90_seconds"] if r["p90_seconds"] is not None else r["lo"]), floor)
        r["name"] = f"{r['label']}   n={nb.count(r['count'])}"
        r["median"] = nb.duration_short(r["median_seconds"])
        r["p90"] = nb.duration_short(r["p90_seconds"]) if r["p90_seconds"] is not None else ""
        r["origin"] = floor
    ticks = [t for t in _TICKS if floor <= t <= ceiling]
    order = [r["name"] for r in rows]
    axis = alt.Axis(labelExpr=DURATION_LABEL, grid=True, values=ticks)
    scale = alt.Scale(type="log", domain=[floor, ceiling], nice=False)
    base = alt.Chart(alt.Data(values=rows)).encode(y=alt.Y("name:N", sort=order, axis=None))
    tip = ["label:N", "count:Q", "median:N", "p90:N"]
    bar = base.mark_rule(color=GREY, strokeWidth=8, opacity=0.8, yOffset=8).encode(
        x=alt.X("lo:Q", scale=scale, axis=axis, title="time to the next step (log scale)"),
        x2="hi:Q", tooltip=tip,
    )  # fmt: skip
    dot = base.mark_point(filled=True, size=80, color=BLUE, opacity=1, yOffset=8).encode(
        x="lo:Q", tooltip=tip
    )
    text = base.mark_text(align="left", dx=9, dy=8, color=MUTED, fontSize=11).encode(
        x="hi:Q", text="p90:N"
    )
    names = base.mark_text(align="left", dy=-9, color=NAVY, fontSize=12, limit=760).encode(
        x="origin:Q", text="name:N"
    )
    chart = (bar + dot + text + names).properties(width=760, height=46 * max(1, len(rows)))
    return style(
        chart,
        title="Time between steps",
        subtitle="the most frequent transitions; dot: median time to the next step; bar: on to "
        "the 90th percentile (its value at the end)",
    )
