"""Stages and touchpoints: the columns of the map and what happens in them."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal, get_args

from pydantic import Field, model_serializer, model_validator

from journeymap.model.base import Identified, Model, Slug
from journeymap.model.emotion import EmotionRef

__all__ = ["CHANNELS", "ActualEmotion", "Channel", "Lane", "Stage", "Touchpoint"]

Channel = Literal[
    "web",
    "app",
    "email",
    "sms",
    "phone",
    "chat",
    "store",
    "social",
    "ad",
    "podcast",
    "search",
    "review-site",
    "referral",
    "delivery",
    "event",
    "partner",
    "community",
    "in-product",
    "document",
    "system",
    "other",
]
CHANNELS: tuple[str, ...] = get_args(Channel)

#: frontstage: the customer sees it; backstage: staff and systems behind it; support: the
#: processes that back both up (service-blueprint lanes).
Lane = Literal["frontstage", "backstage", "support"]


class ActualEmotion(Model):
    """What the customer actually feels at a touchpoint, and how we know.

    Written as a plain word (``actual_emotion: Frustrated``) when only the emotion is known,
    or as a mapping with its source.
    """

    emotion: EmotionRef
    source: str | None = Field(default=None, description="Where this comes from, in words.")
    evidence: list[Slug] = Field(default_factory=list, description="Ids of insights.")
    method: Literal["asserted", "measured"] = Field(
        default="asserted",
        description="asserted: a person's judgement; measured: computed from evidence.",
    )
    n: int | None = Field(default=None, ge=0, description="Sample size behind a measurement.")
    as_of: dt.date | None = Field(default=None, description="When it was observed.")

    @model_validator(mode="before")
    @classmethod
    def _from_word(cls, data: Any) -> Any:
        if isinstance(data, str | int) and not isinstance(data, bool):
            return {"emotion": data}
        return data

    @model_serializer(mode="wrap")
    def _as_word(self, handler: Any) -> Any:
        data = handler(self)
        if isinstance(data, dict) and set(data) == {"emotion"}:
            return data["emotion"]
        return data


class Touchpoint(Identified):
    """A moment where the customer meets the business (or where the business works for them)."""

    channel: Channel | None = Field(default=None, description="Where the interaction happens.")
    lane: Lane = Field(default="frontstage", description="Service-blueprint lane.")
    owner: str | None = Field(default=None, description="Department that owns it.")
    description: str | None = None
    actions: list[str] = Field(default_factory=list, description="What the customer does.")
    thoughts: list[str] = Field(default_factory=list, description="What they think or say.")
    expected_emotion: EmotionRef | None = Field(
        default=None, description="What the team expects the customer to feel."
    )
    actual_emotion: ActualEmotion | None = Field(
        default=None, description="What the customer actually feels, with its source."
    )
    gap_note: str | None = Field(
        default=None, description="The gap in experience, in words ('Navigation issues')."
    )
    observed_behavior: str | None = Field(default=None, description="What customers do here.")
    moment_of_truth: bool = Field(
        default=False, description="A moment that decides whether the customer stays."
    )
    systems: list[str] = Field(default_factory=list, description="Systems involved.")
    supports: list[Slug] = Field(
        default_factory=list,
        description="For a back-stage or support touchpoint: the ids of the front-stage "
        "touchpoints it makes possible (service blueprint).",
    )
    evidence: list[Slug] = Field(default_factory=list, description="Ids of insights.")
    notes: dict[str, str] = Field(
        default_factory=dict, description="Anything else, e.g. columns kept from an import."
    )


class Stage(Identified):
    """A phase of the journey, in order: Awareness, Consideration, Purchase, Retention."""

    customer_goal: str | None = Field(default=None, description="What the customer wants here.")
    business_goal: str | None = Field(default=None, description="What the business wants here.")
    description: str | None = None
    expected_emotion: EmotionRef | None = Field(
        default=None, description="What the team expects the customer to feel in this stage."
    )
    emotion: EmotionRef | None = Field(
        default=None, description="The customer's overall (actual) emotion in this stage."
    )
    observed_behavior: str | None = Field(default=None, description="What customers do here.")
    touchpoints: list[Touchpoint] = Field(
        default_factory=list, description="Touchpoints in the order customers meet them."
    )
    notes: dict[str, str] = Field(default_factory=dict, description="Anything else.")
