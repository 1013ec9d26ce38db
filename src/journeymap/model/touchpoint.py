"""Stages and touchpoints: the columns of the map and what happens in them."""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, Field, field_validator, model_serializer, model_validator

from journeymap.model.base import Identified, Model, Slug, many, optional
from journeymap.model.emotion import EmotionRef

__all__ = [
    "CHANNELS",
    "CHANNEL_ALIASES",
    "ActualEmotion",
    "Channel",
    "EventMatch",
    "FeedbackMatch",
    "Lane",
    "Stage",
    "Touchpoint",
    "normalise_channel",
]

#: The channels journeymap knows: each has its own icon on the map. A touchpoint may name
#: any other channel too ("kiosk", "fax", "post office"): it is drawn with a neutral icon and
#: its own name as the label.
CHANNELS: tuple[str, ...] = (
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
    "post",
    "letter",
    "branch",
    "whatsapp",
    "ivr",
    "video",
    "system",
    "other",
)
#: Other names of known channels: a touchpoint keeps the name it was given, drawn with the
#: icon of the channel it names.
CHANNEL_ALIASES: dict[str, str] = {
    "website": "web",
    "mobile-app": "app",
    "e-mail": "email",
    "text-message": "sms",
    "telephone": "phone",
    "call-centre": "phone",
    "call-center": "phone",
    "live-chat": "chat",
    "chatbot": "chat",
    "shop": "store",
    "in-store": "store",
    "mail": "post",
    "postal": "post",
    "postal-mail": "post",
    "leaflet": "post",
    "bank-branch": "branch",
    "whats-app": "whatsapp",
    "phone-menu": "ivr",
    "voice-menu": "ivr",
    "video-call": "video",
    "webinar": "video",
}
_CHANNEL_SEPARATORS = re.compile(r"[\s_]+")


def normalise_channel(value: str) -> str:
    """A channel as the map keeps it: lower case, words joined by ``-``
    (``" Review Site"`` -> ``"review-site"``, ``"WhatsApp"`` -> ``"whatsapp"``)."""
    text = _CHANNEL_SEPARATORS.sub("-", value.strip().lower())
    text = re.sub(r"-{2,}", "-", text).strip("-")
    if not text:
        raise ValueError(
            "a channel cannot be empty; expected a name such as 'web', 'post' or 'branch'"
        )
    return text


#: Where an interaction happens: one of ``CHANNELS`` (drawn with its icon) or any other name.
Channel = Annotated[
    str,
    AfterValidator(normalise_channel),
    Field(max_length=60, json_schema_extra={"examples": list(CHANNELS)}),
]

#: frontstage: the customer sees it; backstage: staff and systems behind it; support: the
#: processes that back both up (service-blueprint lanes).
Lane = Literal["frontstage", "backstage", "support"]


class ActualEmotion(Model):
    """What the customer actually feels at a touchpoint, and how we know.

    Written as a plain word (``actual_emotion: Frustrated``) when only the emotion is known,
    or as a mapping with its source.
    """

    emotion: EmotionRef
    source: str | None = optional("Where this comes from, in words.")
    evidence: list[Slug] = many("Ids of insights.")
    method: Literal["asserted", "measured"] = Field(
        default="asserted",
        description="asserted: a person's judgement; measured: computed from evidence.",
    )
    n: int | None = Field(default=None, ge=0, description="Sample size behind a measurement.")
    as_of: dt.date | None = optional("When it was observed.")

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


_GLOB = re.compile(r"[*?\[]")


class _ListShorthand(Model):
    """A rule a file may write as the plain list of its main field, ``_shorthand`` (one item
    may be a plain string); it is saved that way when no other field is set."""

    _shorthand: ClassVar[str]

    @model_validator(mode="before")
    @classmethod
    def _from_list(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {cls._shorthand: [data]}
        if isinstance(data, list):
            return {cls._shorthand: data}
        return data

    @model_serializer(mode="wrap")
    def _as_list(self, handler: Any) -> Any:
        data = handler(self)
        if isinstance(data, dict) and set(data) <= {self._shorthand}:
            return data.get(self._shorthand, [])
        return data


class EventMatch(_ListShorthand):
    """Which events of a log belong to a touchpoint.

    Written as a list of event names (``events: [checkout, "payment_*"]``) when names are
    enough, or as a mapping with conditions. An event belongs to the touchpoint when its name
    matches any entry of ``names`` and every condition given holds. A name is matched exactly,
    as a glob when it holds ``*``, ``?`` or ``[`` (``payment_*``), or as a regular expression
    when written between slashes (``/^pay(ment)?_/``, searched anywhere in the name).
    """

    _shorthand = "names"
    names: list[str] = many("Event names, globs ('payment_*') or /regular expressions/.")
    channel: list[str] = many("Only events on these channels (the log's channel).")
    where: dict[str, str | list[str]] = Field(
        default_factory=dict,
        description="Only events whose column has this value (or one of these values).",
    )

    @field_validator("names")
    @classmethod
    def _valid_patterns(cls, names: list[str]) -> list[str]:
        for name in names:
            if not name.strip():
                raise ValueError("an event name cannot be empty")
            if len(name) > 1 and name.startswith("/") and name.endswith("/"):
                try:
                    re.compile(name[1:-1])
                except re.error as e:
                    raise ValueError(f"{name!r} is not a regular expression: {e}") from None
        return names

    @classmethod
    def exactly(cls, event: str) -> EventMatch:
        """A rule that matches this one event name, whatever characters it holds."""
        if _GLOB.search(event) or (
            len(event) > 1 and event.startswith("/") and event.endswith("/")
        ):
            return cls(names=[f"/^{re.escape(event)}$/"])
        return cls(names=[event])

    def matches_name(self, event: str) -> bool:
        """Whether an event name matches one of ``names`` (conditions not included)."""
        for name in self.names:
            if len(name) > 1 and name.startswith("/") and name.endswith("/"):
                if re.search(name[1:-1], event):
                    return True
            elif _GLOB.search(name):
                if fnmatch.fnmatchcase(event, name):
                    return True
            elif event == name:
                return True
        return False


class FeedbackMatch(_ListShorthand):
    """Which feedback rows speak about a touchpoint.

    A row belongs to the touchpoint when its touchpoint (or stage) column holds one of
    ``values``, or, for text-only feedback, when its verbatim mentions one of ``keywords``.
    ``ratings`` names the rating columns that score this touchpoint (one column per
    touchpoint, as review sites have); ``survey`` the scale of the score that applies here.
    """

    _shorthand = "values"
    values: list[str] = many(
        "Values of the feedback's touchpoint or stage column for this touchpoint."
    )
    keywords: list[str] = many(
        "Words or phrases whose mention in a verbatim ties it to this touchpoint."
    )
    ratings: list[str] = many("Rating columns that score this touchpoint.")
    survey: Literal["nps", "csat", "ces", "rating"] | None = optional(
        "The scale of the scores for this touchpoint."
    )


class Touchpoint(Identified):
    """A moment where the customer meets the business (or where the business works for them)."""

    channel: Channel | None = optional(
        "Where the interaction happens: any name (lower case, '-' between words); the known "
        "ones (" + ", ".join(CHANNELS) + ") have their own icon, any other is drawn with a "
        "neutral icon and its name."
    )
    lane: Lane = Field(default="frontstage", description="Service-blueprint lane.")
    owner: str | None = optional("Department that owns it.")
    description: str | None = None
    actions: list[str] = many("What the customer does.")
    thoughts: list[str] = many("What they think or say.")
    expected_emotion: EmotionRef | None = optional("What the team expects the customer to feel.")
    actual_emotion: ActualEmotion | None = optional(
        "What the customer actually feels, with its source."
    )
    gap_note: str | None = optional("The gap in experience, in words ('Navigation issues').")
    observed_behavior: str | None = optional("What customers do here.")
    moment_of_truth: bool = Field(
        default=False, description="A moment that decides whether the customer stays."
    )
    systems: list[str] = many("Systems involved.")
    supports: list[Slug] = many(
        "For a back-stage or support touchpoint: the ids of the front-stage "
        "touchpoints it makes possible (service blueprint)."
    )
    evidence: list[Slug] = many("Ids of insights.")
    events: EventMatch | None = optional(
        "Which events of an event log belong here: names, globs, /regexes/, "
        "or a mapping with names, channel and where."
    )
    feedback: FeedbackMatch | None = optional(
        "Which feedback rows speak about this touchpoint: touchpoint/stage "
        "values, or a mapping with values, keywords, ratings and survey."
    )
    notes: dict[str, str] = Field(
        default_factory=dict, description="Anything else, e.g. columns kept from an import."
    )


class Stage(Identified):
    """A phase of the journey, in order: Awareness, Consideration, Purchase, Retention."""

    customer_goal: str | None = optional("What the customer wants here.")
    business_goal: str | None = optional("What the business wants here.")
    description: str | None = None
    expected_emotion: EmotionRef | None = optional(
        "What the team expects the customer to feel in this stage."
    )
    emotion: EmotionRef | None = optional("The customer's overall (actual) emotion in this stage.")
    observed_behavior: str | None = optional("What customers do here.")
    touchpoints: list[Touchpoint] = many("Touchpoints in the order customers meet them.")
    notes: dict[str, str] = Field(default_factory=dict, description="Anything else.")
