"""The measured view: the map with measured emotions, and the charts of a measurement.

Every chart has a **data function** that returns its table (Arrow; one row per bar, node, link
or line, the numbers already computed) and a **drawing function** that only draws that table
as SVG, with the palette and primitives of the map visual (:mod:`~journeymap.rendering.svgkit`):
no JavaScript, no web fonts, nothing fetched. The data functions are the headless twins a
notebook or a test reads; the report (:mod:`~journeymap.rendering.report`) puts the drawings
together.

The charts, each as *data* -> *drawing*, one module each:

- the map with measured emotions: :func:`render_measured_svg` (drawn from the layout);
- how the journeys end (``outcomes``): :func:`outcome_data` -> :func:`draw_outcomes`;
- customers per stage, and how they split by outcome (``funnel``): :func:`funnel_data` ->
  :func:`draw_funnel`;
- flows between touchpoints, a Sankey (``flows``): :func:`flow_nodes`, :func:`flow_links` ->
  :func:`draw_sankey`;
- the segments side by side, ``--by`` (``segments``): :func:`segment_data` -> a table in the
  report;
- expected against measured emotion (``emotions``): :func:`gap_data` -> :func:`draw_gaps`;
- feedback coverage (``emotions``): :func:`coverage_data` -> :func:`draw_coverage`;
- friction per touchpoint, and what customers say there (``friction``):
  :func:`friction_data` -> :func:`draw_friction`;
- KPIs with trends (``findings``): :func:`kpi_data` -> a table in the report, with
  :func:`trend_arrow`;
- pain points (``findings``): :func:`pain_data` -> cards in the report;
- action items (``findings``): :func:`action_data` -> a table in the report.

Definitions (the report's glossary says the same): *reach* is the share of the measured
customers who reach a stage; *goes on* is ``conversion_to_next`` (customers of the stage who
later reach any later stage and do not end their journey in it); *ends here* is
``dropoff_customers`` (customers whose last step is in this stage), split by outcome (at the
goal, another way, abandoned, in progress); *went back* are the stage's other customers, who
end their journey in an earlier stage. A flow is *designed* when it follows the map's order (a
touchpoint to the next one); every other flow is a deviation, drawn grey. A KPI's *trend* is
the sign of its change since the previous measurement; it *improved* when that change goes the
KPI's better way (lower for churn, cart abandonment, time to resolution and CES).
"""

from __future__ import annotations

from journeymap.model.journey import JourneyMap
from journeymap.model.measurement import Measurement
from journeymap.rendering.measured.emotions import (
    coverage_data,
    draw_coverage,
    draw_gaps,
    gap_data,
)
from journeymap.rendering.measured.findings import (
    action_data,
    kpi_data,
    pain_data,
    severity_color,
    trend_arrow,
)
from journeymap.rendering.measured.flows import draw_sankey, flow_links, flow_nodes
from journeymap.rendering.measured.friction import draw_friction, friction_data
from journeymap.rendering.measured.funnel import draw_funnel, funnel_data
from journeymap.rendering.measured.outcomes import draw_outcomes, outcome_data
from journeymap.rendering.measured.segments import segment_data
from journeymap.rendering.svg import to_svg

__all__ = [
    "action_data",
    "coverage_data",
    "draw_coverage",
    "draw_friction",
    "draw_funnel",
    "draw_gaps",
    "draw_outcomes",
    "draw_sankey",
    "flow_links",
    "flow_nodes",
    "friction_data",
    "funnel_data",
    "gap_data",
    "kpi_data",
    "outcome_data",
    "pain_data",
    "render_measured_svg",
    "segment_data",
    "severity_color",
    "trend_arrow",
]


def render_measured_svg(
    m: JourneyMap, measurement: Measurement, *, width: int | None = None
) -> str:
    """The journey-map visual with its measured emotions: expected dashed everywhere,
    measured (from feedback) solid, the 95% interval as a light band, few answers hollow with
    a note, no point without feedback, the gap where both exist; and the friction lane."""
    return to_svg(m, width=width, measurement=measurement)
