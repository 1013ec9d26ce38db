"""Insights: references to the research and data a map's cells are based on.

Evidence is linked, never pasted: an insight names where it comes from (an interview round,
an NPS survey, support tickets, analytics) and cells of the map point at it by id.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, get_args

from pydantic import Field

from journeymap.model.base import Identified, optional

__all__ = ["SOLICITED_KINDS", "UNSOLICITED_KINDS", "Insight", "InsightKind", "insight_kind_of"]

_Solicited = Literal[  # the customer was asked
    "survey",
    "interview",
    "nps",
    "csat",
    "ces",
    "social",
    "usability-test",
    "focus-group",
]
_Unsolicited = Literal[  # what customers do or say without being asked
    "analytics",
    "purchase-history",
    "support-tickets",
    "reviews",
    "frontline-feedback",
    "session-recording",
]
InsightKind = Literal[_Solicited, _Unsolicited, "other"]

SOLICITED_KINDS: frozenset[str] = frozenset(get_args(_Solicited))
UNSOLICITED_KINDS: frozenset[str] = frozenset(get_args(_Unsolicited))

# words that name a kind of insight, as people write them in a "Source of Insight" column
_KIND_WORDS: list[tuple[str, InsightKind]] = [
    ("usability", "usability-test"),
    ("user test", "usability-test"),
    ("interview", "interview"),
    ("focus group", "focus-group"),
    ("nps", "nps"),
    ("net promoter", "nps"),
    ("csat", "csat"),
    ("ces", "ces"),
    ("effort score", "ces"),
    ("survey", "survey"),
    ("questionnaire", "survey"),
    ("social", "social"),
    ("twitter", "social"),
    ("analytics", "analytics"),
    ("clickstream", "analytics"),
    ("funnel", "analytics"),
    ("purchase", "purchase-history"),
    ("order history", "purchase-history"),
    ("ticket", "support-tickets"),
    ("support", "support-tickets"),
    ("review", "reviews"),
    ("frontline", "frontline-feedback"),
    ("staff", "frontline-feedback"),
    ("agent", "frontline-feedback"),
    ("recording", "session-recording"),
    ("heatmap", "session-recording"),
]


def insight_kind_of(text: str) -> InsightKind:
    """Guess the kind of a source from how it is written: "Customer Reviews" -> reviews."""
    low = text.lower()
    for word, kind in _KIND_WORDS:
        if word in low:
            return kind
    return "other"


class Insight(Identified):
    """A piece of research or data the map relies on."""

    kind: InsightKind = Field(default="other", description="What sort of source this is.")
    description: str | None = None
    finding: str | None = optional("What it showed, in a sentence.")
    date: dt.date | None = optional("When it was gathered.")
    n: int | None = Field(default=None, ge=0, description="How many customers or responses.")
    link: str | None = optional("Where the raw material lives.")
    notes: dict[str, str] = Field(default_factory=dict, description="Anything else.")

    @property
    def solicited(self) -> bool:
        """True when customers were asked (survey, interview, ...), False when observed."""
        return self.kind in SOLICITED_KINDS
