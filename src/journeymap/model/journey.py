"""The journey map: one persona in one scenario, its stages, pain points, actions and KPIs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, Literal

from pydantic import Field, PrivateAttr

from journeymap.model.base import Identified, Model, Slug, many, optional
from journeymap.model.emotion import DEFAULT_SCALE, EmotionScale
from journeymap.model.evidence import Insight
from journeymap.model.kpi import KPI
from journeymap.model.outcome import Outcomes
from journeymap.model.persona import Persona
from journeymap.model.touchpoint import Stage, Touchpoint

__all__ = [
    "BUILTIN_LANES",
    "JourneyMap",
    "Lane",
    "LaneItem",
    "MapStatus",
    "MeasurementSettings",
    "Opportunity",
    "PainPoint",
    "Severity",
]

Severity = Literal["low", "medium", "high", "critical"]
Frequency = Literal["rare", "occasional", "frequent", "constant"]
Priority = Literal["low", "medium", "high"]
ActionStatus = Literal["idea", "planned", "in-progress", "done", "dropped"]
MapStatus = Literal["draft", "in-review", "approved", "archived"]

SEVERITY_RANK: dict[str, int] = {"low": 1, "medium": 2, "high": 3, "critical": 4}


class PainPoint(Identified):
    """Where the customer struggles, what triggers it and how they react."""

    stage: Slug | None = optional("Stage id; taken from the touchpoint.")
    touchpoint: Slug | None = optional("Touchpoint id, if one.")
    description: str | None = None
    trigger: str | None = optional("What sets it off.")
    customer_reaction: str | None = optional("What customers do then.")
    departments: list[str] = many("Departments involved.")
    owner: str | None = optional("Who is responsible for fixing it.")
    severity: Severity = Field(default="medium", description="How badly it hurts.")
    frequency: Frequency | None = optional("How often it happens.")
    source: str | None = optional("Source of insight, in words.")
    evidence: list[Slug] = many("Ids of insights.")
    notes: dict[str, str] = Field(default_factory=dict)


class Opportunity(Identified):
    """An action item: what the team will do about it, and the outcome it expects."""

    stage: Slug | None = optional("Stage id; taken from the touchpoint.")
    touchpoint: Slug | None = optional("Touchpoint id, if one.")
    description: str | None = None
    expected_outcome: str | None = optional("What should change.")
    addresses: list[Slug] = many("Ids of pain points.")
    owner: str | None = optional("Who carries it out.")
    department: str | None = None
    priority: Priority = "medium"
    status: ActionStatus = Field(default="idea", description="Where the action stands.")
    kpi: Slug | None = optional("Id of the KPI it should move.")
    kpi_target: float | None = optional("Value the KPI should reach.")
    due: dt.date | None = optional("When it should be done.")
    notes: dict[str, str] = Field(default_factory=dict)

    @property
    def closed(self) -> bool:
        return self.status in ("done", "dropped")


#: the lanes every map has (drawn when they hold something), in their default order; a lane of
#: the map's own cannot take one of these ids
BUILTIN_LANES: tuple[str, ...] = (
    "actions",
    "touchpoints",
    "thoughts",
    "emotion",
    "friction",
    "pains",
    "opportunities",
    "backstage",
    "kpis",
)


class LaneItem(Model):
    """A card in a lane of the map's own, placed on a stage or on one of its touchpoints."""

    text: str = Field(min_length=1, description="What the card says.")
    detail: str | None = optional("A second, smaller line (who, when, a reference).")
    stage: Slug | None = optional("Stage id; taken from the touchpoint.")
    touchpoint: Slug | None = optional("Touchpoint id, if one.")


class Lane(Identified):
    """A lane of the map's own, e.g. 'Regulation' or 'Partner': drawn like the built-in lanes
    (after the opportunities unless ``journeymap render --lanes`` orders them)."""

    description: str | None = optional("A line under the lane's title.")
    items: list[LaneItem] = many("The lane's cards, each on a stage or a touchpoint.")


class Review(Model):
    """When the map must be looked at again."""

    due: dt.date | None = optional("Next review date.")
    every: str | None = optional("Cadence, e.g. 'quarterly', '90 days'.")
    last: dt.date | None = optional("Last review date.")
    triggers: list[str] = many(
        "Events that call for a review: a release, a KPI drift, a new competitor."
    )


class MeasurementSettings(Model):
    """How ``journeymap measure`` turns this map's evidence into measured emotions and pain
    points (docs/measure.md); the command's options override these."""

    weights: dict[str, float] = Field(
        default_factory=dict,
        description="Weight of each emotion signal (csat, nps, ces, rating, sentiment), e.g. "
        "{csat: 2, sentiment: 0} (0 turns a signal off; unnamed signals keep their defaults; "
        "behaviour is friction and has no weight).",
    )
    min_n: int | None = Field(
        default=None, ge=1, description="Evidence below this size is 'thin' (default 30)."
    )
    csat_neutral: float | None = Field(
        default=None, gt=0, lt=1, description="The CSAT share that reads as neutral (0.75)."
    )
    support: list[Slug] = many(
        "Touchpoints that are support contacts (default: the support lane and "
        "chat/phone help touchpoints)."
    )
    support_window: str | None = optional(
        "How soon after a touchpoint a support contact counts ('2d')."
    )
    value_per_conversion: float | None = Field(
        default=None, ge=0, description="What one conversion is worth, for value lost."
    )
    currency: str | None = Field(
        default=None,
        min_length=1,
        max_length=12,
        description="The currency of value_per_conversion and of the event log's value column "
        "(e.g. EUR, USD, £), written with value lost; never guessed: without it the report "
        "says 'in the data's unit'.",
    )
    stale_after_days: int | None = Field(
        default=None, ge=1, description="Lint: evidence older than this many days is stale."
    )
    drift_threshold: float | None = Field(
        default=None, gt=0, description="Lint: a KPI change above this % calls for a review."
    )


class JourneyMap(Identified):
    """One map = one persona in one scenario, with an objective."""

    name: str = Field(min_length=1, alias="title", description="Title of the map.")
    objective: str | None = optional("What the map is for.")
    scenario: str | None = optional("'first purchase', 'renewal', ...")
    scope: str | None = optional("Where the journey starts and ends.")
    persona: Persona | None = optional("Who the map is drawn for.")
    owner: str | None = optional("Who is responsible for the map.")
    team: list[str] = many("Who built it: frontline staff, managers, functions.")
    status: MapStatus = Field(default="draft", description="Where the map is in its life.")
    version: str | None = optional("The map's own version, e.g. '1.2'.")
    updated: dt.date | None = optional("When it was last changed.")
    review: Review | None = optional("When to look at the map again, and what calls for it.")
    emotion_scale: EmotionScale | None = optional(
        "A scale of the map's own; the default is -3..+3."
    )
    stages: list[Stage] = many("The stages, in order.")
    pain_points: list[PainPoint] = many("Where customers struggle.")
    opportunities: list[Opportunity] = many("Action items and their expected outcomes.")
    outcomes: Outcomes | None = optional(
        "What ends a journey: its goal, other ends that are not abandonment, and "
        "when silence means the customer gave up (default: the last stage is the goal)."
    )
    kpis: list[KPI] = many("How the journey is measured.")
    lanes: list[Lane] = many("Lanes of the map's own (Regulation, Partner, ...) and their cards.")
    insights: list[Insight] = many("Research and data the map relies on.")
    measurement: MeasurementSettings | None = optional(
        "How evidence is turned into measured emotions."
    )
    notes: dict[str, str] = Field(default_factory=dict, description="Anything else.")

    # The parsed file this map was loaded from (opaque to the model); saving merges into it so
    # that comments and layout survive.
    _source: Any = PrivateAttr(default=None)

    # ---- navigation helpers (pure) -------------------------------------------------------

    @property
    def scale(self) -> EmotionScale:
        return self.emotion_scale or DEFAULT_SCALE

    def iter_touchpoints(self) -> Iterator[tuple[Stage, Touchpoint]]:
        for stage in self.stages:
            for tp in stage.touchpoints:
                yield stage, tp

    def stage(self, stage_id: str) -> Stage:
        for s in self.stages:
            if s.id == stage_id:
                return s
        raise KeyError(stage_id)

    def touchpoint(self, touchpoint_id: str) -> Touchpoint:
        for _, tp in self.iter_touchpoints():
            if tp.id == touchpoint_id:
                return tp
        raise KeyError(touchpoint_id)

    def stage_of(self, touchpoint_id: str) -> Stage:
        for stage, tp in self.iter_touchpoints():
            if tp.id == touchpoint_id:
                return stage
        raise KeyError(touchpoint_id)

    def stage_id_of(self, item: PainPoint | Opportunity | KPI | LaneItem) -> str | None:
        """The stage an item belongs to: its own, else its touchpoint's."""
        if item.stage:
            return item.stage
        if item.touchpoint:
            try:
                return self.stage_of(item.touchpoint).id
            except KeyError:
                return None
        return None

    def customer_steps(self) -> list[Touchpoint]:
        """The touchpoints the customer goes through (front stage): back-stage and support
        touchpoints are the business' work, not the customer's steps."""
        return [tp for _, tp in self.iter_touchpoints() if tp.lane == "frontstage"]

    def goal_touchpoints(self) -> list[str]:
        """The ids of the touchpoints that are the journey's goal: the map's ``outcomes.goal``,
        else the front-stage touchpoints of the last stage that has any."""
        if self.outcomes is not None and self.outcomes.goal:
            return list(self.outcomes.goal)
        for stage in reversed(self.stages):
            front = [tp.id for tp in stage.touchpoints if tp.lane == "frontstage"]
            if front:
                return front
        return []

    def emotion_value(self, ref: str | int | None) -> int | None:
        if ref is None:
            return None
        found = self.scale.find(ref)
        return None if found is None else found.value

    def expected_value(self, tp: Touchpoint) -> int | None:
        return self.emotion_value(tp.expected_emotion)

    def actual_value(self, tp: Touchpoint) -> int | None:
        return None if tp.actual_emotion is None else self.emotion_value(tp.actual_emotion.emotion)

    def gap(self, tp: Touchpoint) -> int | None:
        """Gap = actual - expected, on the map's scale; ``None`` when either is unknown."""
        exp, act = self.expected_value(tp), self.actual_value(tp)
        if exp is None or act is None:
            return None
        return act - exp
