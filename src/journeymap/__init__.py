"""journeymap: customer journey maps as readable files, rendered beautifully, backed by evidence.

The public API. Everything else is an implementation detail that may change.
"""

from journeymap.analytics.discover import discover
from journeymap.analytics.drivers import drivers, mentions
from journeymap.analytics.engine import Engine, EngineConfig
from journeymap.analytics.flows import flows
from journeymap.analytics.funnel import funnel
from journeymap.analytics.measure import load_measurement, measure, save_measurement
from journeymap.analytics.paths import paths
from journeymap.analytics.retention import cohorts, retention
from journeymap.analytics.scores import ces, csat, feedback_summary, nps, scores
from journeymap.analytics.sentiment import sentiment, sentiment_agreement
from journeymap.analytics.sessions import sessions
from journeymap.analytics.summary import summary
from journeymap.analytics.themes import theme_assignments, themes
from journeymap.errors import (
    EvidenceError,
    JourneyMapError,
    MapFileError,
    RenderError,
    TableImportError,
    TemplateNotFoundError,
    UsageError,
)
from journeymap.evidence.events import EventLog, read_events
from journeymap.evidence.feedback import Feedback, read_feedback
from journeymap.evidence.sample import generate_sample
from journeymap.formats import dumps, load, loads, save
from journeymap.formats.schema import json_schema
from journeymap.formats.tables import ImportResult, import_tables
from journeymap.formats.templates import TemplateInfo, list_templates, new_map
from journeymap.model import (
    KPI,
    ActualEmotion,
    EmotionLevel,
    EmotionScale,
    Insight,
    JourneyMap,
    Opportunity,
    PainPoint,
    Persona,
    Review,
    Stage,
    Touchpoint,
    check_map,
)
from journeymap.model.diff import Change, MapDiff, diff
from journeymap.model.lint import LINT_RULES, LintFinding, lint
from journeymap.model.measurement import Measurement
from journeymap.rendering import render_bytes
from journeymap.rendering import render_file as render

__version__ = "0.1.0"

__all__ = [
    "KPI",
    "LINT_RULES",
    "ActualEmotion",
    "Change",
    "EmotionLevel",
    "EmotionScale",
    "Engine",
    "EngineConfig",
    "EventLog",
    "EvidenceError",
    "Feedback",
    "ImportResult",
    "Insight",
    "JourneyMap",
    "JourneyMapError",
    "LintFinding",
    "MapDiff",
    "MapFileError",
    "Measurement",
    "Opportunity",
    "PainPoint",
    "Persona",
    "RenderError",
    "Review",
    "Stage",
    "TableImportError",
    "TemplateInfo",
    "TemplateNotFoundError",
    "Touchpoint",
    "UsageError",
    "__version__",
    "ces",
    "check_map",
    "cohorts",
    "csat",
    "diff",
    "discover",
    "drivers",
    "dumps",
    "feedback_summary",
    "flows",
    "funnel",
    "generate_sample",
    "import_tables",
    "json_schema",
    "lint",
    "list_templates",
    "load",
    "load_measurement",
    "loads",
    "measure",
    "mentions",
    "new_map",
    "nps",
    "paths",
    "read_events",
    "read_feedback",
    "render",
    "render_bytes",
    "retention",
    "save",
    "save_measurement",
    "scores",
    "sentiment",
    "sentiment_agreement",
    "sessions",
    "summary",
    "theme_assignments",
    "themes",
]
