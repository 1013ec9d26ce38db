"""A map as a Mermaid ``journey`` diagram: one section per stage, one task per front-stage
touchpoint.

A Mermaid journey is the customer's: the back-stage and support touchpoints (the work the
customer never sees) are left out of it and named in a ``%%`` comment under their stage, so
that nothing is lost silently.

A task's score comes from the touchpoint's actual emotion, else its expected one, placed
linearly from the map's scale onto Mermaid's 1..5 with one decimal, so that every level of the
scale keeps a score of its own (on the default -3..+3 scale: Angry 1, Frustrated 1.7,
Confused 2.3, Neutral 3, Interested 3.7, Satisfied 4.3, Delighted 5). Mermaid reads the score
as a number (``Number(...)``): it places the face by it, smiling above 3, sad below. A scale of
five levels or fewer gives whole scores. A touchpoint without either emotion is drawn at 3 and
marked by a ``%%`` comment. A stage without front-stage touchpoints but with an emotion of its
own becomes one task named after the stage; a stage with neither is left out (Mermaid has
nothing to draw for it).
"""

from __future__ import annotations

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


def mermaid_score(value: float, scale: EmotionScale) -> float:
    """A value of ``scale`` placed linearly onto Mermaid's 1..5, to one decimal (a whole
    number when it is one): the levels of a scale of up to 41 levels stay apart."""
    lo, hi = scale.minimum, scale.maximum
    position = (min(max(value, lo), hi) - lo) / (hi - lo)
    return round(1 + 4 * position, 1) + 0.0


def _score(value: float) -> str:
    """``4.0`` -> ``"4"``; ``3.7`` -> ``"3.7"``."""
    return f"{value:g}"


def to_mermaid(m: JourneyMap) -> str:
    """The map as Mermaid ``journey`` source: the customer's journey, front stage only."""
    actor = _actor(m.persona.name) if m.persona else "Customer"
    lines = ["journey", f"    title {_clean(m.name)}"]
    for stage in m.stages:
        tasks: list[str] = []
        front = [tp for tp in stage.touchpoints if tp.lane == "frontstage"]
        behind = [tp for tp in stage.touchpoints if tp.lane != "frontstage"]
        for tp in front:
            value = m.actual_value(tp)
            if value is None:
                value = m.expected_value(tp)
            if value is None:
                tasks.append(f"      %% {_clean(tp.name)} has no emotion; drawn at 3")
                score = 3.0
            else:
                score = mermaid_score(value, m.scale)
            tasks.append(f"      {_clean(tp.name)}: {_score(score)}: {actor}")
        if not front:
            value = m.emotion_value(stage.emotion)
            if value is not None:
                score = mermaid_score(value, m.scale)
                tasks.append(f"      {_clean(stage.name)}: {_score(score)}: {actor}")
        if tasks:
            lines.append(f"    section {_clean(stage.name)}")
            lines += tasks
        if behind:
            names = ", ".join(_clean(tp.name) for tp in behind)
            lines.append(f"    %% {_clean(stage.name)}, back stage (left out): {names}")
    return "\n".join(lines) + "\n"
