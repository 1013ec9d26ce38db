"""A chart for every analysis: each a data function (the table drawn) and a drawing function
(a figure a notebook shows), written as SVG, PNG, PDF or offline HTML by :func:`save_chart`.

=====================  ======================  ===========================================
analysis               data                    drawing
=====================  ======================  ===========================================
flows                  :func:`flow_graph`      :func:`process_map`, :func:`sankey` (SVG)
time between steps     :func:`step_times_data` :func:`step_times_chart`
funnel                 :func:`funnel_data`     :func:`funnel_chart`
paths                  :func:`paths_data`      :func:`paths_chart`
retention and churn    :func:`retention_data`  :func:`retention_chart`
cohorts                :func:`cohort_data`     :func:`cohort_heatmap`
scores                 :func:`scores_data`     :func:`scores_chart`
sentiment              :func:`sentiment_data`  :func:`sentiment_chart`
themes                 :func:`themes_data`     :func:`themes_chart`
key drivers            :func:`drivers_data`    :func:`drivers_chart`
=====================  ======================  ===========================================

Standard charts are Altair (Vega-Lite) charts; the process map and the Sankey, which need a
graph layout Vega-Lite lacks, are :class:`SvgFigure` drawn with the map's SVG kit. Importing
this package loads neither Altair nor vl-convert.
"""

from __future__ import annotations

from journeymap.rendering.charts._figure import (
    CHART_FORMATS,
    ChartFormat,
    Figure,
    SvgFigure,
    chart_bytes,
    chart_format,
    save_chart,
)
from journeymap.rendering.charts.events import (
    cohort_data,
    cohort_heatmap,
    funnel_chart,
    funnel_data,
    paths_chart,
    paths_data,
    retention_chart,
    retention_data,
    step_times_chart,
    step_times_data,
)
from journeymap.rendering.charts.flows import FlowGraph, flow_graph, process_map, sankey
from journeymap.rendering.charts.voice import (
    drivers_chart,
    drivers_data,
    scores_chart,
    scores_data,
    sentiment_chart,
    sentiment_data,
    themes_chart,
    themes_data,
)

__all__ = [
    "CHART_FORMATS",
    "ChartFormat",
    "Figure",
    "FlowGraph",
    "SvgFigure",
    "chart_bytes",
    "chart_format",
    "cohort_data",
    "cohort_heatmap",
    "drivers_chart",
    "drivers_data",
    "flow_graph",
    "funnel_chart",
    "funnel_data",
    "paths_chart",
    "paths_data",
    "process_map",
    "retention_chart",
    "retention_data",
    "sankey",
    "save_chart",
    "scores_chart",
    "scores_data",
    "sentiment_chart",
    "sentiment_data",
    "step_times_chart",
    "step_times_data",
    "themes_chart",
    "themes_data",
]
