"""The emotion scale: ordered levels with labels and the words people use for them.

A map's emotions are written as words ("Interested", "Curious but hesitant") or numbers
(``-2``, ``"+1"``). The scale places every accepted word on an integer level; the default runs
from -3 (Angry) to +3 (Delighted). A map may define its own scale. Gap = actual - expected.
"""

from __future__ import annotations

import difflib
import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, Strict, model_validator

from journeymap._numbers import signed
from journeymap.model.base import many

__all__ = [
    "DEFAULT_SCALE",
    "EmotionLevel",
    "EmotionRef",
    "EmotionScale",
    "format_level",
    "normalise_word",
]

#: How an emotion is written in a map file: a word on the scale or a level number.
EmotionRef = Annotated[
    Annotated[str, Strict()] | Annotated[int, Strict()],  # true is not "Interested" (1)
    Field(
        description="A word on the emotion scale (e.g. 'Frustrated') or its level (-3..3).",
        json_schema_extra={
            "examples": [
                "Angry",
                "Frustrated",
                "Confused",
                "Neutral",
                "Interested",
                "Satisfied",
                "Delighted",
                "Curious but hesitant",
                "Accomplished",
            ]
        },
    ),
]

_NON_WORD = re.compile(r"[^a-z0-9+\-]+")
_NUMBER = re.compile(r"^[+\-−]?\d+$")


def format_level(value: int) -> str:
    """``2`` -> ``"+2"``, ``0`` -> ``"0"``, ``-1`` -> ``"−1"`` (a true minus sign)."""
    return signed(value, digits=0)


def normalise_word(text: str) -> str:
    """Lower-case, collapse punctuation and spacing: ``" Curious-but  hesitant!"`` -> words."""
    text = text.strip().lower().replace("−", "-").replace("’", "'")
    text = text.replace("-", " ").replace("'", "")
    return " ".join(_NON_WORD.sub(" ", text).split())


class EmotionLevel(BaseModel):
    """One level of the scale, e.g. ``-2 Frustrated`` with its synonyms."""

    model_config = ConfigDict(extra="forbid")

    value: int = Field(description="Position on the scale; negative is unpleasant.")
    label: str = Field(min_length=1, description="The word shown on the map.")
    synonyms: list[str] = many("Other words accepted for this level.")


class EmotionScale(BaseModel):
    """An ordered emotion scale. Levels are kept sorted from lowest to highest value."""

    model_config = ConfigDict(extra="forbid")

    levels: list[EmotionLevel] = Field(min_length=2)

    @model_validator(mode="after")
    def _check(self) -> EmotionScale:
        values = [lv.value for lv in self.levels]
        if len(set(values)) != len(values):
            raise ValueError("emotion scale levels must have distinct values")
        seen: dict[str, int] = {}
        for lv in self.levels:
            for word in (lv.label, *lv.synonyms):
                key = normalise_word(word)
                if key in seen and seen[key] != lv.value:
                    raise ValueError(
                        f"the word {word!r} is on two levels ({seen[key]} and {lv.value})"
                    )
                seen[key] = lv.value
        self.levels.sort(key=lambda lv: lv.value)
        return self

    @property
    def minimum(self) -> int:
        return self.levels[0].value

    @property
    def maximum(self) -> int:
        return self.levels[-1].value

    def _index(self) -> dict[str, EmotionLevel]:
        index: dict[str, EmotionLevel] = {}
        for lv in self.levels:
            for word in (lv.label, *lv.synonyms):
                index[normalise_word(word)] = lv
        return index

    def words(self) -> list[str]:
        """Every accepted word, labels first."""
        return [lv.label for lv in self.levels] + [s for lv in self.levels for s in lv.synonyms]

    def level(self, value: int) -> EmotionLevel:
        """The level with exactly this value, or the nearest one."""
        return min(self.levels, key=lambda lv: (abs(lv.value - value), -lv.value))

    def find(self, ref: str | int) -> EmotionLevel | None:
        """The level a word or number stands for, or ``None`` if the scale does not know it."""
        if isinstance(ref, bool):
            return None
        if isinstance(ref, int):
            return next((lv for lv in self.levels if lv.value == ref), None)
        raw = ref.strip().replace("−", "-")
        if _NUMBER.match(raw):
            return self.find(int(raw))
        # "Frustrated (-2)" as written by our own Markdown tables
        m = re.match(r"^(.*?)\s*\(([+\-−]?\d+)\)$", raw)
        if m:
            return self.find(m.group(1)) or self.find(int(m.group(2).replace("−", "-")))
        return self._index().get(normalise_word(raw))

    def value(self, ref: str | int) -> int:
        """The level value of a word or number; raises ``ValueError`` naming what is accepted."""
        found = self.find(ref)
        if found is None:
            raise ValueError(self.unknown_message(ref))
        return found.value

    def label(self, ref: str | int) -> str:
        found = self.find(ref)
        return found.label if found else str(ref)

    def unknown_message(self, ref: str | int) -> str:
        labels = ", ".join(f"{lv.label} ({format_level(lv.value)})" for lv in self.levels)
        msg = f"unknown emotion {ref!r}; expected a level from {self.minimum} to {self.maximum}"
        msg += f" or a word on the scale: {labels}"
        if isinstance(ref, str):
            close = difflib.get_close_matches(normalise_word(ref), list(self._index()), n=3)
            if close:
                msg += f" (did you mean {', '.join(repr(c) for c in close)}?)"
        return msg


def _lv(value: int, label: str, *synonyms: str) -> EmotionLevel:
    return EmotionLevel(value=value, label=label, synonyms=list(synonyms))


#: The default scale, -3..+3. The seeds' words (Interested, Curious but hesitant, Frustrated,
#: Confused, Accomplished, Delighted) are all on it.
DEFAULT_SCALE = EmotionScale(
    levels=[
        _lv(
            -3,
            "Angry",
            "furious",
            "outraged",
            "betrayed",
            "hopeless",
            "livid",
            "desperate",
            "hostile",
            "fed up",
        ),
        _lv(
            -2,
            "Frustrated",
            "annoyed",
            "disappointed",
            "irritated",
            "stressed",
            "let down",
            "upset",
            "dissatisfied",
            "helpless",
            "abandoned",
        ),
        _lv(
            -1,
            "Confused",
            "hesitant",
            "unsure",
            "uncertain",
            "skeptical",
            "sceptical",
            "anxious",
            "worried",
            "impatient",
            "bored",
            "doubtful",
            "nervous",
            "overwhelmed",
            "concerned",
            "cautious",
            "lost",
        ),
        _lv(
            0,
            "Neutral",
            "indifferent",
            "ok",
            "okay",
            "calm",
            "curious but hesitant",
            "ambivalent",
            "mixed",
            "expectant",
            "waiting",
        ),
        _lv(
            1,
            "Interested",
            "curious",
            "hopeful",
            "optimistic",
            "engaged",
            "intrigued",
            "motivated",
            "positive",
            "eager",
            "informed",
            "welcomed",
        ),
        _lv(
            2,
            "Satisfied",
            "accomplished",
            "happy",
            "pleased",
            "confident",
            "relieved",
            "grateful",
            "reassured",
            "content",
            "proud",
            "valued",
            "supported",
            "productive",
        ),
        _lv(
            3,
            "Delighted",
            "thrilled",
            "excited",
            "ecstatic",
            "elated",
            "overjoyed",
            "amazed",
            "loving it",
            "wowed",
            "enthusiastic",
            "loyal",
        ),
    ]
)
