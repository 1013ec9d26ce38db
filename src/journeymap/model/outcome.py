"""How a journey ends: its goal, the other ends that are not abandonment, and when silence
means the customer gave up.

A journey (one customer's events) ends in one of four ways, decided by ``journeymap measure``
from the map's ``outcomes:`` (docs/measure.md, "Outcomes"):

* **goal**: the customer got what they came for (an order placed, a loan paid out);
* another **end** that is not abandonment: the business decided (declined) or the customer
  ended it on purpose (cancelled, refunded);
* **abandoned**: no outcome, and no event for longer than ``abandoned_after`` before the data
  ends;
* **in progress**: no outcome yet, but the last event is recent: the data ends before we can
  tell (censored), so the journey is neither lost nor won.

The last outcome a journey reaches decides (an order, then a refund, ends "refunded").
"""

from __future__ import annotations

import re
from datetime import timedelta

from pydantic import Field, field_validator

from journeymap.model.base import Identified, Model, Slug, many, optional

__all__ = ["DEFAULT_ABANDONED_AFTER", "OutcomeEnd", "Outcomes", "duration_of"]

#: how long without an event a journey with no outcome counts as abandoned, by default
DEFAULT_ABANDONED_AFTER = "30d"

_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(sec|min|s|m|h|d|w)")


def duration_of(text: str) -> timedelta:
    """``"30d"`` -> 30 days; also ``45s``, ``12h``, ``2w``, ``1d12h``. Raises
    :class:`ValueError` for anything else (a positive duration is expected)."""
    compact = text.strip().lower().replace(" ", "")
    if not compact or _PART.sub("", compact):
        raise ValueError(f"cannot read {text!r} as a duration; expected e.g. 30d, 12h, 45m or 2w")
    seconds = sum(float(n) * _UNITS[u] for n, u in _PART.findall(compact))
    if seconds <= 0:
        raise ValueError(f"{text!r}: expected a positive duration")
    return timedelta(seconds=seconds)


class OutcomeEnd(Identified):
    """An end of the journey that is not abandonment: declined, cancelled, refunded, ..."""

    touchpoints: list[Slug] = Field(
        min_length=1, description="Touchpoints whose events end the journey this way."
    )
    by: str | None = optional(
        "Who ends it: 'business' (declined) or 'customer' (cancelled); in words."
    )
    description: str | None = None


class Outcomes(Model):
    """What ends a journey. Without it the touchpoints of the last stage are the goal."""

    goal: list[Slug] = many(
        "Touchpoints that mean the customer got what they came for (the "
        "conversion); default: the front-stage touchpoints of the last stage."
    )
    ends: list[OutcomeEnd] = many(
        "Other ends that are not abandonment: declined, cancelled, refunded."
    )
    abandoned_after: str = Field(
        default=DEFAULT_ABANDONED_AFTER,
        description="A journey with no outcome and no event for longer than this before the "
        "data ends is abandoned; a more recent one is still in progress ('30d', '12h').",
    )

    @field_validator("abandoned_after")
    @classmethod
    def _a_duration(cls, text: str) -> str:
        duration_of(text)
        return text

    @property
    def abandoned_after_seconds(self) -> float:
        return duration_of(self.abandoned_after).total_seconds()
