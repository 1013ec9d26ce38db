"""A measurement: the map held against evidence at one moment, saved beside the map.

``journeymap measure`` computes it from an event log and feedback (measuring/pipeline.py) and
saves it as JSON; the next ``measure`` compares with it (drift). Pure data: no I/O here. The
JSON Schema of this model is published as ``docs/measurement.schema.json``.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from journeymap.model.base import Model, many, optional

__all__ = [
    "MEASUREMENT_FORMAT",
    "ActionEstimate",
    "Drift",
    "EvidenceLevel",
    "FlowMeasure",
    "FoundPainPoint",
    "FrictionLevel",
    "FrictionMeasure",
    "KPIMeasure",
    "Measurement",
    "OutcomeMeasure",
    "SegmentMeasure",
    "SourceInfo",
    "StageMeasure",
    "TouchpointMeasure",
]

#: bumped when a saved measurement can no longer be read by the current model
MEASUREMENT_FORMAT = 1

EvidenceLevel = Literal["measured", "thin", "none"]


class SourceInfo(Model):
    """One evidence source: what was read and how much of it was used."""

    kind: Literal["events", "feedback"]
    path: str
    rows_read: int = 0
    rows_used: int = 0
    rows_unmatched: int = Field(default=0, description="Rows no touchpoint claims.")
    customers: int | None = None
    first: dt.datetime | None = optional("Earliest time in the data.")
    last: dt.datetime | None = optional("Latest time in the data.")
    notes: list[str] = many(
        "What was done to the rows before measuring: filters and what they kept, "
        "lifecycle transitions paired into steps."
    )


FrictionLevel = Literal["typical", "medium", "high", "critical"]


class FrictionMeasure(Model):
    """One behaviour measure of a touchpoint held against the journey's typical step
    (docs/measure.md, "Friction")."""

    measure: Literal["drop-off", "loops", "backtracking", "support", "slow"]
    value: float = Field(
        description="A share of the touchpoint's customers (0..1); for slow, the median "
        "seconds to the customer's next step."
    )
    low: float | None = optional("95% interval, same units.")
    high: float | None = None
    typical: float = Field(
        description="The journey's typical step: the median over its touchpoints, same units."
    )
    z: float = Field(
        description="Robust z: (value - typical) / the journey's usual spread (1.4826 x the "
        "median absolute deviation, floored); on log10 seconds for slow."
    )
    customers: int = Field(description="Customers counted (left, looped, ...; moving on: slow).")
    n: int = Field(description="Customers the share is of.")
    level: FrictionLevel | None = Field(
        default="typical", description="Null: too few customers to judge."
    )


class TouchpointMeasure(Model):
    """What the evidence says about one touchpoint (null: no evidence for that figure)."""

    stage: str
    touchpoint: str
    name: str
    # behaviour (event log)
    customer_step: bool = Field(
        default=True, description="False for back-stage work: not the customer's own step."
    )
    customers: int = 0
    reach_share: float | None = None
    entries: int = 0
    repeat_customers: int = 0
    loops: int | None = None
    backtrack_customers: int | None = None
    dropoff_customers: int | None = None
    dropoff_rate: float | None = None
    abandoned_customers: int | None = optional("Journeys given up here (no outcome, gone quiet).")
    abandon_rate: float | None = None
    in_progress_customers: int | None = None
    median_seconds_to_next: float | None = None
    service_steps: int | None = optional(
        "Steps with a start and a complete (a log with lifecycle transitions)."
    )
    median_service_seconds: float | None = optional(
        "Their median time from start to complete, in seconds."
    )
    p90_seconds_to_next: float | None = None
    support_customers: int = 0
    support_rate: float | None = None
    # voice (feedback)
    responses: int = 0
    nps: float | None = None
    csat: float | None = None
    ces: float | None = None
    rating: float | None = None
    sentiment: float | None = None
    negative_share: float | None = None
    themes: list[str] = Field(default_factory=list)
    quotes: list[str] = Field(default_factory=list)
    # the measured emotion: from what customers said or scored, never from behaviour
    emotion: float | None = optional(
        "On the map's emotion scale, measured only from feedback (scores, ratings, "
        "sentiment of verbatims); null where customers said nothing."
    )
    emotion_low: float | None = optional("95% interval (never 0 wide).")
    emotion_high: float | None = None
    interval_method: str | None = optional(
        "How the interval was computed: 'bootstrap over respondents', or the "
        "scores' own intervals combined as if fully correlated."
    )
    level: str | None = optional("Nearest level of the map's scale.")
    expected: float | None = None
    gap: float | None = optional("emotion - expected, where both exist.")
    evidence: EvidenceLevel = Field(
        default="none", description="Of the emotion: measured, thin, or none (no feedback)."
    )
    n: int = Field(
        default=0, description="The most answers or verbatims behind one of its signals."
    )
    sources: list[str] = many("The voice signals used.")
    # friction: what customers did, against the journey's typical step (not an emotion)
    friction: float | None = optional(
        "Robust z of the touchpoint's most telling behaviour measure against the "
        "journey's typical step (2 or more: flagged); null without behaviour."
    )
    friction_level: FrictionLevel | None = optional(
        "typical, or medium/high/critical as pain points; null: "
        "not judged (no behaviour, or too few customers)."
    )
    friction_evidence: EvidenceLevel = "none"
    friction_measures: list[FrictionMeasure] = many("Every measure, the most telling first.")


class StageMeasure(Model):
    """One stage: reach, conversion to the next stage, drop-off."""

    stage: str
    name: str
    customers: int = 0
    reach_share: float | None = None
    funnel_customers: int | None = optional(
        "Customers who reach this stage after every earlier one, in order (as "
        "`events funnel` counts with the stages as its steps)."
    )
    converted: int = Field(
        default=0, description="Go on: reach a later stage and do not end their journey here."
    )
    conversion_to_next: float | None = None
    dropoff_customers: int = Field(
        default=0, description="End here: their last step is in this stage (any outcome)."
    )
    dropoff_rate: float | None = None
    went_back: int = Field(
        default=0, description="Neither: they end their journey in an earlier stage."
    )
    ended_goal: int = Field(default=0, description="Of those ending here: reached the goal.")
    ended_other: int = Field(default=0, description="... ended another way (declined, ...).")
    abandoned: int = Field(default=0, description="... gave up (no outcome, gone quiet).")
    in_progress: int = Field(default=0, description="... still in progress at the data's end.")
    median_seconds_in_stage: float | None = None


class OutcomeMeasure(Model):
    """How many journeys end one way (docs/measure.md, "Outcomes")."""

    key: str = Field(description="'goal', an end's id, 'abandoned' or 'in-progress'.")
    name: str
    customers: int = 0
    share: float | None = optional("Of every journey, 0..1.")


class SegmentMeasure(Model):
    """The stages and outcomes of one segment of the customers (``measure --by COL``): the
    events whose column holds one value (docs/measure.md, "Filters and segments")."""

    column: str
    value: str | None = Field(description="The segment's value; null: events without one.")
    customers: int = Field(default=0, description="Customers with a matched event in it.")
    stages: list[StageMeasure] = Field(default_factory=list)
    outcomes: list[OutcomeMeasure] = Field(default_factory=list)


class FlowMeasure(Model):
    """Customers moving from one touchpoint straight to another (repeats of one touchpoint
    collapsed); ``designed`` when the move follows the map's order (the next touchpoint)."""

    source: str = Field(description="Touchpoint id moved from.")
    target: str = Field(description="Touchpoint id moved to.")
    customers: int = Field(description="Customers who made this move at least once.")
    moves: int = Field(description="How often the move was made.")
    designed: bool = False


class FoundPainPoint(Model):
    """A pain point the data shows, with its evidence and impact."""

    rank: int
    id: str
    kind: str
    stage: str | None = None
    touchpoint: str | None = None
    title: str
    evidence: str
    customers_affected: int = 0
    conversions_lost: float | None = None
    value_lost: float | None = None
    severity: str = "medium"
    score: float = 0.0
    matches: str | None = optional("Id of the team's pain point.")
    quotes: list[str] = Field(default_factory=list)


class KPIMeasure(Model):
    """A KPI computed from the evidence; ``kpi`` is the map's KPI id when it has one."""

    key: str = Field(description="Stable key, e.g. 'conversion:purchase' or 'nps'.")
    kind: str
    label: str
    value: float | None = None
    unit: str | None = None
    n: int | None = None
    low: float | None = None
    high: float | None = None
    kpi: str | None = None
    target: float | None = None
    previous: float | None = optional("Value in the last measurement.")
    change: float | None = None
    definition: str | None = optional(
        "What was computed, in words (numerator, denominator, filter)."
    )
    period: str | None = optional("The period the value covers ('2026-Q1', '2026-01-05 to ...').")
    partial: bool = Field(
        default=False,
        description="The period is cut short by the end of the data: not comparable with a "
        "target for the whole period.",
    )
    note: str | None = optional("Why the value is missing or must be read with care.")


class ActionEstimate(Model):
    """What an action item is worth, estimated from the data."""

    opportunity: str
    name: str
    estimate: str = Field(description="The expected outcome in words, with its numbers.")
    conversions_per_month: float | None = None
    value_per_month: float | None = None
    kpi: str | None = None
    kpi_before: float | None = None
    kpi_now: float | None = None


class Drift(Model):
    """Change since the previous measurement."""

    previous_at: dt.datetime | None = None
    previous_map_version: str | None = None
    kpis: dict[str, float] = Field(default_factory=dict, description="KPI key -> change.")
    emotions: dict[str, float] = Field(
        default_factory=dict, description="Touchpoint id -> change of measured emotion."
    )
    largest: float = Field(default=0.0, description="The largest absolute KPI change, in %.")


class Measurement(Model):
    """The map held against evidence at one moment."""

    format: int = MEASUREMENT_FORMAT
    map_id: str
    map_title: str
    map_version: str | None = None
    measured_at: dt.datetime
    method: str = Field(description="How the figures were computed, in words.")
    sources: list[SourceInfo] = Field(default_factory=list)
    touchpoints: list[TouchpointMeasure] = Field(default_factory=list)
    stages: list[StageMeasure] = Field(default_factory=list)
    flows: list[FlowMeasure] = Field(default_factory=list)
    pain_points: list[FoundPainPoint] = Field(default_factory=list)
    unconfirmed_pain_points: list[str] = many("Team pain points the data does not show.")
    outcomes: list[OutcomeMeasure] = many("How the journeys end, every way with its count.")
    segments: list[SegmentMeasure] = many("Stages and outcomes per segment (`--by COL`).")
    kpis: list[KPIMeasure] = Field(default_factory=list)
    actions: list[ActionEstimate] = Field(default_factory=list)
    coverage: float = Field(default=0.0, description="Share of touchpoints measured, 0..1.")
    caveats: list[str] = many(
        "What this measurement cannot tell, in words (e.g. a friction measure "
        "too few customer steps have to be judged)."
    )
    drift: Drift | None = None
