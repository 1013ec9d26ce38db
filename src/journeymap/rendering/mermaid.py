"""A map as a Mermaid ``journey`` diagram: one section per stage, one task per touchpoint.

A task's score (Mermaid's 1..5) comes from the touchpoint's actual emotion, else its expected
one, placed linearly from the map's scale onto 1..5 (on the default -3..+3 scale: -3 -> 1,
0 -> 3, +3 -> 5). A touchpoint without either is drawn at 3 and marked by a ``%%`` comment. A
stage without touchpoints but with an emotion of its own becomes one task named after the
stage; a stage with neither is left out (Mermaid has nothing to draw for it).
"""

from __future__ import annotations

import math
import re

from journeymap.model.emotion import EmotionScale
from journeymap.model.journey import JourneyMap

__all__ = ["mermaid_score", "to_mermaid"]

_SPACES = re.compile(r"\s+")


def _clean(text: str) -> str:
    """Text safe in a Mermaid journey line (its grammar ends a name at # : ; or newline)."""
    text = text.replace(":", " -").replace(";", ",").replace("#", "No.").replace("%%", "%")
    return _SPACES.sub(" ", text).strip() or "-"


def _actor(name: str) -> str:
    """A persona's name as one Mermaid actor. The grammar has no quoting: a task's actors
    are split at commas, and ``;`` ``#`` ``:`` end the line, so each of them becomes a
    space ("Amber; VIP, Inc" is the one actor "Amber VIP Inc", not "Amber" and "VIP Inc")."""
    text = re.sub(r"[,;#:]", " ", name).replace("%%", "%")
    return _SPACES.sub(" ", text).strip() or "-"


def mermaid_score(value: int, scale: EmotionScale) -> int:
    """A level of ``scale`` placed linearly onto Mermaid's 1..5 (half-way rounds up)."""
    lo, hi = scale.minimum, scale.maximum
    position = (min(max(value, lo), hi) - lo) / (hi - lo)
    return math.floor(1 + 4 * position + 0.5)


def to_mermaid(m: JourneyMap) -> str:
    """The map as Mermaid ``journey`` source."""
    actor = _actor(m.persona.name) if m.persona else "Customer"
    lines = ["journey", f"    title {_clean(m.name)}"]
    for stage in m.stages:
        tasks: list[str] = []
        for tp in stage.touchpoints:
            value = m.actual_value(tp)
            if value is None:
                value = m.expected_value(tp)
            if value is None:
                tasks.append(f"      %% {_clean(tp.name)} has no emotion; drawn at 3")
                score = 3
            else:
                score = mermaid_score(value, m.scale)
            tasks.append(f"      {_clean(tp.name)}: {score}: {actor}")
        if not stage.touchpoints:
            value = m.emotion_value(stage.emotion)
            if value is not None:
                tasks.append(
                    f"      {_clean(stage.name)}: {mermaid_score(value, m.scale)}: {actor}"
                )
        if tasks:
            lines.append(f"    section {_clean(stage.name)}")
            lines += tasks
    return "\n".join(lines) + "\n"
