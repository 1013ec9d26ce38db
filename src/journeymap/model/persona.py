"""The persona a map is drawn for."""

from __future__ import annotations

from pydantic import Field

from journeymap.model.base import Identified, many, optional

__all__ = ["Persona"]


class Persona(Identified):
    """A semi-fictional customer, grounded in research: "Amber, 32, first purchase"."""

    description: str | None = optional("Who they are, in a sentence.")
    age: int | None = Field(default=None, ge=0, le=130, description="Age in years.")
    role: str | None = optional("Job title or life situation.")
    segment: str | None = optional("Customer segment they stand for.")
    quote: str | None = optional("A line in their own words.")
    goals: list[str] = many("What they want to achieve.")
    needs: list[str] = many("What they need from us.")
    frustrations: list[str] = many("What annoys them today.")
    data_sources: list[str] = many("Research the persona is based on.")
    notes: dict[str, str] = Field(default_factory=dict, description="Anything else.")
