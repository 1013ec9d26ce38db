"""The pure domain model of a journey map: no I/O, no engine, no rendering."""

from journeymap.model.base import Identified, Model, Slug, slugify
from journeymap.model.checks import Finding, check_map
from journeymap.model.emotion import DEFAULT_SCALE, EmotionLevel, EmotionScale
from journeymap.model.evidence import Insight, InsightKind, insight_kind_of
from journeymap.model.journey import JourneyMap, Lane, LaneItem, Opportunity, PainPoint, Review
from journeymap.model.kpi import KPI
from journeymap.model.outcome import OutcomeEnd, Outcomes
from journeymap.model.persona import Persona
from journeymap.model.touchpoint import (
    CHANNELS,
    ActualEmotion,
    EventMatch,
    FeedbackMatch,
    Stage,
    Touchpoint,
)

__all__ = [
    "CHANNELS",
    "DEFAULT_SCALE",
    "KPI",
    "ActualEmotion",
    "EmotionLevel",
    "EmotionScale",
    "EventMatch",
    "FeedbackMatch",
    "Finding",
    "Identified",
    "Insight",
    "InsightKind",
    "JourneyMap",
    "Lane",
    "LaneItem",
    "Model",
    "Opportunity",
    "OutcomeEnd",
    "Outcomes",
    "PainPoint",
    "Persona",
    "Review",
    "Slug",
    "Stage",
    "Touchpoint",
    "check_map",
    "insight_kind_of",
    "slugify",
]
