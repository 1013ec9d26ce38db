"""Key performance indicators of a journey."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from journeymap.model.base import Identified, Slug

__all__ = ["KPI", "LOWER_IS_BETTER", "KPIKind"]

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


class KPI(Identified):
    """A measure of the journey: retention, churn, NPS, CSAT, CES, conversion, ..."""

    kind: KPIKind = Field(default="custom", description="What it measures.")
    definition: str | None = Field(default=None, description="How it is computed.")
    value: float | None = Field(default=None, description="Latest known value.")
    target: float | None = Field(default=None, description="Value the team aims for.")
    unit: str | None = Field(default=None, description="'%', 'points', 'days', ...")
    period: str | None = Field(default=None, description="'quarterly', '2024-Q1', ...")
    stage: Slug | None = Field(default=None, description="Stage the KPI belongs to.")
    touchpoint: Slug | None = Field(default=None, description="Touchpoint it measures.")
    higher_is_better: bool | None = Field(
        default=None, description="Direction; defaults from the kind (churn: lower is better)."
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
