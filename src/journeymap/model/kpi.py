"""Key performance indicators of a journey."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from journeymap.model.base import Identified, Model, Slug, many, optional

__all__ = ["KPI", "LOWER_IS_BETTER", "OUTCOME_NAMES", "Counted", "KPIKind"]

#: the outcomes a KPI can count besides the map's own ends (model/outcome.py)
OUTCOME_NAMES = ("goal", "abandoned", "in-progress")

KPIKind = Literal[
    "retention",
    "churn",
    "nps",
    "csat",
    "ces",
    "conversion",
    "cart-abandonment",
    "time-to-resolution",
    "revenue",
    "custom",
]

#: KPI kinds where a lower value is the better one.
LOWER_IS_BETTER: frozenset[str] = frozenset(
    {"churn", "cart-abandonment", "time-to-resolution", "ces"}
)


class Counted(Model):
    """The customers a KPI counts: those who reached any of these touchpoints or stages, or
    whose journey ended this way (all that are given must hold); nothing given: every
    customer of the event log."""

    touchpoints: list[Slug] = many("Customers with an event of any of these touchpoints.")
    stages: list[Slug] = many("Customers with an event of any of these stages.")
    outcome: str | None = optional(
        "Customers whose journey ended this way: 'goal', 'abandoned', "
        "'in-progress' or the id of one of the map's outcome ends."
    )

    @property
    def everyone(self) -> bool:
        return not (self.touchpoints or self.stages or self.outcome)


class KPI(Identified):
    """A measure of the journey: retention, churn, NPS, CSAT, CES, conversion, ..."""

    kind: KPIKind = Field(default="custom", description="What it measures.")
    definition: str | None = optional("How it is computed.")
    value: float | None = optional("Latest known value.")
    target: float | None = optional("Value the team aims for.")
    unit: str | None = optional("'%', 'points', 'days', ...")
    period: str | None = optional("'quarterly', '2024-Q1', ...")
    stage: Slug | None = optional("Stage the KPI belongs to.")
    touchpoint: Slug | None = optional("Touchpoint it measures.")
    higher_is_better: bool | None = optional(
        "Direction; defaults from the kind (churn: lower is better)."
    )
    numerator: Counted | None = optional(
        "For a rate: the customers counted above the line (e.g. {outcome: goal}); "
        "computed from the event log as numerator / denominator x 100."
    )
    denominator: Counted | None = optional(
        "For a rate: the customers counted below the line (default: every "
        "customer of the event log)."
    )
    inputs: dict[str, float] = Field(
        default_factory=dict,
        description="Figures the value is computed from, e.g. customers_at_start: 1000.",
    )
    notes: dict[str, str] = Field(default_factory=dict, description="Anything else.")

    @property
    def better_when_higher(self) -> bool:
        if self.higher_is_better is not None:
            return self.higher_is_better
        return self.kind not in LOWER_IS_BETTER

    @property
    def on_target(self) -> bool | None:
        """Whether the value meets the target; ``None`` when either is missing."""
        if self.value is None or self.target is None:
            return None
        if self.better_when_higher:
            return self.value >= self.target
        return self.value <= self.target
