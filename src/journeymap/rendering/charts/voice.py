"""Charts of the voice of the customer: scores by group or period with their intervals, the
sentiment of the verbatims, their themes, and the key drivers as an importance x performance
quadrant.

As for the event charts, each *data* function takes the feedback (:class:`Feedback`, read by
:func:`journeymap.voice.read.read_feedback`) and runs the analysis of :mod:`journeymap.voice`,
or takes that analysis' result table as it is (the CLI's way), and each *drawing* function
only draws the table and returns an Altair chart.
"""

from __future__ import annotations

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
    import pyarrow as pa

    from journeymap.voice.read import Feedback

__all__ = [
    "drivers_chart",
    "drivers_data",
    "scores_chart",
    "scores_data",
    "sentiment_chart",
    "sentiment_data",
    "themes_chart",
    "themes_data",
]

#: the columns of a scores table after the group columns
_SCORE_COLUMNS = ("n", "score", "ci_low", "ci_high")
_PRIORITY = {
    "fix first": NEGATIVE,
    "keep": POSITIVE,
    "monitor": GREY,
    "low priority": "#c9ced6",
}


def _table(source: object) -> pa.Table | None:
    import pyarrow as pa

    return source if isinstance(source, pa.Table) else None


def _need(table: pa.Table, columns: tuple[str, ...], what: str) -> None:
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise UsageError(
            f"the {what} chart needs the columns {', '.join(columns)}; "
            f"the table lacks {', '.join(missing)}"
        )


# ---- scores ----------------------------------------------------------------------------------


def scores_data(
    source: Feedback | pa.Table, *, by: list[str] | None = None, **options: Any
) -> pa.Table:
    """Scores per group (:func:`journeymap.voice.scores.scores`: the ``by`` columns, ``n,
    score, ci_low, ci_high``, ...) with a ``group`` column naming each row (the ``by`` values
    joined with " / "; "all" without ``by``); rows without answers are dropped."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from journeymap.voice.scores import scores

    table = _table(source)
    if table is None:
        table = scores(source, by=list(by or []), **options)
    _need(table, _SCORE_COLUMNS, "scores")
    groups = table.column_names[: table.column_names.index("n")]
    table = table.filter(pc.is_valid(table["score"]))
    names = [
        " / ".join("—" if r[g] is None else str(r[g]) for g in groups) or "all"
        for r in table.select(groups).to_pylist()
    ] if groups else ["all"] * table.num_rows  # fmt: skip
    return table.append_column("group", pa.array(names, pa.string())).replace_schema_metadata(
        {**(table.schema.metadata or {}), b"journeymap.groups": ",".join(groups).encode()}
    )


def scores_chart(table: pa.Table, *, what: str = "score") -> Any:
    """The score of each group with its 95% interval (a bar from ``ci_low`` to ``ci_high``)
    and n; groups that are periods (a ``day``, ``week``, ``month``, ``quarter`` or ``year``
    column) in time order joined by a line, other groups best first."""
    alt = altair()
    rows = rows_of(table)
    meta = table.schema.metadata or {}
    groups = [g for g in meta.get(b"journeymap.groups", b"").decode().split(",") if g]
    periodic = len(groups) == 1 and groups[0] in ("day", "week", "month", "quarter", "year")
    for r in rows:
        r["label"] = f"{nb.number(r['score'])}  (n={nb.count(r['n'])})"
    label = f"{what} by {', '.join(groups)}" if groups else what
    tip = ["group:N", alt.Tooltip("score:Q", format=".1f"), alt.Tooltip("ci_low:Q", format=".1f"),
           alt.Tooltip("ci_high:Q", format=".1f"), "n:Q"]  # fmt: skip
    if periodic:
        base = alt.Chart(alt.Data(values=rows)).encode(
            x=alt.X("group:O", title=None, sort=None, axis=alt.Axis(labelAngle=-40))
        )
        band = base.mark_area(color=BLUE, opacity=0.18).encode(
            y=alt.Y("ci_low:Q", title=what), y2="ci_high:Q"
        )
        line = base.mark_line(color=BLUE, strokeWidth=2.2).encode(y="score:Q")
        dots = base.mark_point(filled=True, color=BLUE, size=50).encode(y="score:Q", tooltip=tip)
        chart = (band + line + dots).properties(width=max(360, 46 * len(rows)), height=300)
        sub = "the line: the score per period; the band: its 95% confidence interval"
    else:
        rows.sort(key=lambda r: -r["score"])
        order = [r["group"] for r in rows]
        base = alt.Chart(alt.Data(values=rows)).encode(y=alt.Y("group:N", sort=order, title=None))
        ci = base.mark_rule(color=GREY, strokeWidth=6, opacity=0.8).encode(
            x=alt.X("ci_low:Q", title=what), x2="ci_high:Q", tooltip=tip
        )
        dot = base.mark_point(filled=True, color=NAVY, size=90, opacity=1).encode(
            x="score:Q", tooltip=tip
        )
        text = base.mark_text(align="left", dx=10, dy=-11, color=MUTED, fontSize=11).encode(
            x="score:Q", text="label:N"
        )
        chart = (ci + dot + text).properties(width=560, height=40 * max(1, len(rows)))
        sub = "dot: the score; bar: its 95% confidence interval; n: answers"
    return style(chart, title=label[0].upper() + label[1:], subtitle=sub)


# ---- sentiment -------------------------------------------------------------------------------


def sentiment_data(source: Feedback | pa.Table, **options: Any) -> pa.Table:
    """The sentiment of each verbatim (:func:`journeymap.voice.sentiment.sentiment`:
    ``score`` -1..1 and ``label``), rows without text left out."""
    import pyarrow.compute as pc

    from journeymap.voice.sentiment import sentiment

    table = _table(source)
    if table is None:
        table = sentiment(source, **options)
    _need(table, ("score", "label"), "sentiment")
    return table.filter(pc.is_valid(table["score"]))


def sentiment_chart(table: pa.Table, *, bins: int = 20) -> Any:
    """How the verbatims' sentiment scores spread from -1 to 1: a histogram of ``bins`` bars,
    coloured by label, with the count of each label in the legend."""
    alt = altair()
    counts: dict[str, int] = {}
    for label in table.column("label").to_pylist():
        counts[str(label)] = counts.get(str(label), 0) + 1
    step = 2.0 / bins
    cells: dict[tuple[int, str], int] = {}
    for score, label in zip(table["score"].to_pylist(), table["label"].to_pylist(), strict=True):
        k = min(bins - 1, int((float(score) + 1.0) / step))
        cells[(k, str(label))] = cells.get((k, str(label)), 0) + 1
    names = {x: f"{x} ({nb.count(counts.get(x, 0))})" for x in ("negative", "neutral", "positive")}
    rows = [
        {"lo": -1.0 + k * step, "hi": -1.0 + (k + 1) * step, "label": names.get(lab, lab), "n": n}
        for (k, lab), n in sorted(cells.items())
    ]
    color = alt.Color(
        "label:N",
        title=None,
        scale=alt.Scale(domain=list(names.values()), range=[NEGATIVE, "#c9ced6", POSITIVE]),
        legend=alt.Legend(orient="top"),
    )
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar(stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X("lo:Q", bin="binned", title="sentiment score (-1 negative … 1 positive)",
                    scale=alt.Scale(domain=[-1, 1])),
            x2="hi:Q",
            y=alt.Y("sum(n):Q", title="verbatims"),
            color=color,
            tooltip=["label:N", "lo:Q", "hi:Q", "n:Q"],
        )
        .properties(width=620, height=280)
    )  # fmt: skip
    return style(
        chart,
        title="Sentiment of the verbatims",
        subtitle=f"{nb.count(table.num_rows)} texts scored; most texts without a sentiment "
        "word score 0",
    )


# ---- themes ----------------------------------------------------------------------------------


def themes_data(source: Feedback | pa.Table, **options: Any) -> pa.Table:
    """The themes (:func:`journeymap.voice.themes.themes`: ``theme, label, size, share,
    mean_score, mean_sentiment, quotes``), largest first."""
    from journeymap.voice.themes import themes

    table = _table(source)
    if table is None:
        table = themes(source, **options)
    _need(table, ("label", "size", "share", "mean_sentiment"), "themes")
    return table


def themes_chart(table: pa.Table) -> Any:
    """The themes as bars of their size (texts), largest first, named by their key terms and
    coloured by their mean sentiment (red negative, blue positive); the share at the end."""
    alt = altair()
    rows = rows_of(table)
    grouped = table.column_names[0] not in ("theme", "label")
    by = table.column_names[0] if grouped else None
    for r in rows:
        r["name"] = (f"{r[by]}: " if by else "") + f"{r['theme']}. {r['label']}"
        r["text"] = f"{nb.count(r['size'])}  ({nb.percent(r['share'], digits=1)})"
        r["quote"] = str(r.get("quotes") or "").split(" > ")[0][:160]
    order = [r["name"] for r in rows]
    base = alt.Chart(alt.Data(values=rows)).encode(
        y=alt.Y("name:N", sort=order, title=None, axis=alt.Axis(labelLimit=420))
    )
    bars = base.mark_bar(height=20, stroke=MUTED, strokeWidth=0.4).encode(
        x=alt.X("size:Q", title="texts"),
        color=alt.Color("mean_sentiment:Q", title="mean sentiment",
                        scale=alt.Scale(scheme="redblue", domain=[-1, 1]),
                        legend=alt.Legend(orient="top", gradientLength=220)),
        tooltip=["label:N", "size:Q", alt.Tooltip("share:Q", format=".1%"),
                 alt.Tooltip("mean_sentiment:Q", format=".2f"), "quote:N"],
    )  # fmt: skip
    text = base.mark_text(align="left", dx=6, color=NAVY, fontSize=12).encode(
        x="size:Q", text="text:N"
    )
    chart = (bars + text).properties(width=460, height=30 * max(1, len(rows)))
    return style(
        chart,
        title="Themes of the verbatims",
        subtitle="texts in each theme (named by the words that set it apart), coloured by "
        "their mean sentiment",
    )


# ---- drivers ---------------------------------------------------------------------------------


def drivers_data(source: Feedback | pa.Table, **options: Any) -> pa.Table:
    """The key drivers (:func:`journeymap.voice.drivers.drivers`) in the model, with
    ``performance_read``: ``performance_pct`` in the direction that helps the outcome (100 −
    it for a driver with direction ``-``), the performance the priority is judged on."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from journeymap.voice.drivers import drivers

    table = _table(source)
    if table is None:
        table = drivers(source, **options)
    _need(table, ("driver", "importance", "ci_low", "ci_high", "direction",
                  "performance_pct", "priority", "rank"), "drivers")  # fmt: skip
    table = table.filter(pc.is_valid(table["rank"]))
    read = [
        None if p is None else (100.0 - p if d == "-" else p)
        for p, d in zip(
            table["performance_pct"].to_pylist(), table["direction"].to_pylist(), strict=True
        )
    ]
    return table.append_column("performance_read", pa.array(read, pa.float64()))


def drivers_chart(table: pa.Table) -> Any:
    """Importance x performance (Martilla & James): each driver at its performance (0-100, read
    in the direction that helps the outcome) and its importance (% of the explained
    variance, with its 95% interval), the quadrants split at the medians the priorities use,
    coloured by priority: fix first (important, performing low) in red."""
    import statistics

    alt = altair()
    rows = rows_of(table)
    imp = statistics.median([r["importance"] for r in rows]) if rows else 0.0
    perf = statistics.median([r["performance_read"] for r in rows if r["performance_read"]
                              is not None] or [50.0])  # fmt: skip
    for r in rows:
        r["name"] = f"{r['driver']} ({r['direction']})"
    color = alt.Color(
        "priority:N",
        scale=alt.Scale(domain=list(_PRIORITY), range=list(_PRIORITY.values())),
        legend=alt.Legend(orient="top", title=None),
    )
    top = max([r["ci_high"] or r["importance"] for r in rows] + [10.0]) * 1.1
    base = alt.Chart(alt.Data(values=rows)).encode(
        x=alt.X("performance_read:Q", title="performance (0-100, read so that higher helps)",
                scale=alt.Scale(domain=[0, 100])),
    )  # fmt: skip
    tip = ["driver:N", "direction:N", alt.Tooltip("importance:Q", format=".1f"),
           alt.Tooltip("performance_read:Q", format=".1f"), "priority:N", "n:Q"]  # fmt: skip
    ci = base.mark_rule(color=GREY, strokeWidth=1.5).encode(
        y=alt.Y("ci_low:Q", title="importance (% of explained variance)",
                scale=alt.Scale(domain=[0, top])),
        y2="ci_high:Q",
    )  # fmt: skip
    dots = base.mark_point(filled=True, size=130, opacity=1).encode(
        y="importance:Q", color=color, tooltip=tip
    )
    # each name just above its dot, moved up where it would cover a name already placed
    step = top * 0.05
    placed: list[tuple[float, float]] = []
    for r in sorted(rows, key=lambda r: r["importance"]):
        y = float(r["importance"])
        x = float(r["performance_read"] or 0.0)
        while any(abs(x - px) < 14 and abs(y - py) < step for px, py in placed):
            y += step
        placed.append((x, y))
        r["name_y"] = y
    names = (
        alt.Chart(alt.Data(values=rows))
        .mark_text(align="left", dx=9, dy=-8, fontSize=11, color=NAVY)
        .encode(x="performance_read:Q", y="name_y:Q", text="name:N")
    )
    lines = alt.Data(values=[{"x": perf, "y": imp}])
    vline = alt.Chart(lines).mark_rule(strokeDash=[4, 3], color=MUTED).encode(x="x:Q")
    hline = alt.Chart(lines).mark_rule(strokeDash=[4, 3], color=MUTED).encode(y="y:Q")
    chart = (vline + hline + ci + dots + names).properties(width=560, height=400)
    meta = table.schema.metadata or {}
    r2 = meta.get(b"r2")
    sub = "dashed: the medians that split the quadrants (the priorities); bars: 95% intervals"
    if r2:
        sub += f"; the drivers explain R² = {float(r2):.2f} of the outcome"
    return style(chart, title="Key drivers: importance x performance", subtitle=sub)
