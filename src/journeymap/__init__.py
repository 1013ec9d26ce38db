"""journeymap: customer journey maps as readable files, rendered beautifully, backed by evidence.

The public API. Everything else is an implementation detail that may change.

Names are imported when first used (PEP 562): ``import journeymap`` costs a few
milliseconds, and a command that reads an event log does not load the renderers, the
feedback models or the map linter.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

#: public name -> (module, attribute)
_LAZY: dict[str, tuple[str, str]] = {
    "ActualEmotion": ("journeymap.model", "ActualEmotion"),
    "Change": ("journeymap.model.diff", "Change"),
    "EmotionLevel": ("journeymap.model", "EmotionLevel"),
    "EmotionScale": ("journeymap.model", "EmotionScale"),
    "Engine": ("journeymap.analytics.engine", "Engine"),
    "EngineConfig": ("journeymap.analytics.engine", "EngineConfig"),
    "EventLog": ("journeymap.evidence.events", "EventLog"),
    "EvidenceError": ("journeymap.errors", "EvidenceError"),
    "Feedback": ("journeymap.evidence.feedback", "Feedback"),
    "ImportResult": ("journeymap.formats.tables", "ImportResult"),
    "Insight": ("journeymap.model", "Insight"),
    "JourneyMap": ("journeymap.model", "JourneyMap"),
    "JourneyMapError": ("journeymap.errors", "JourneyMapError"),
    "KPI": ("journeymap.model", "KPI"),
    "LINT_RULES": ("journeymap.model.lint", "LINT_RULES"),
    "LintFinding": ("journeymap.model.lint", "LintFinding"),
    "MapDiff": ("journeymap.model.diff", "MapDiff"),
    "MapFileError": ("journeymap.errors", "MapFileError"),
    "Measurement": ("journeymap.model.measurement", "Measurement"),
    "Opportunity": ("journeymap.model", "Opportunity"),
    "PainPoint": ("journeymap.model", "PainPoint"),
    "Persona": ("journeymap.model", "Persona"),
    "RenderError": ("journeymap.errors", "RenderError"),
    "Review": ("journeymap.model", "Review"),
    "Stage": ("journeymap.model", "Stage"),
    "TableImportError": ("journeymap.errors", "TableImportError"),
    "TemplateInfo": ("journeymap.formats.templates", "TemplateInfo"),
    "TemplateNotFoundError": ("journeymap.errors", "TemplateNotFoundError"),
    "Touchpoint": ("journeymap.model", "Touchpoint"),
    "UsageError": ("journeymap.errors", "UsageError"),
    "ces": ("journeymap.analytics.scores", "ces"),
    "check_map": ("journeymap.model", "check_map"),
    "cohorts": ("journeymap.analytics.retention", "cohorts"),
    "csat": ("journeymap.analytics.scores", "csat"),
    "diff": ("journeymap.model.diff", "diff"),
    "discover": ("journeymap.analytics.discover", "discover"),
    "drivers": ("journeymap.analytics.drivers", "drivers"),
    "dumps": ("journeymap.formats", "dumps"),
    "feedback_summary": ("journeymap.analytics.scores", "feedback_summary"),
    "flows": ("journeymap.analytics.flows", "flows"),
    "funnel": ("journeymap.analytics.funnel", "funnel"),
    "generate_sample": ("journeymap.evidence.sample", "generate_sample"),
    "import_tables": ("journeymap.formats.tables", "import_tables"),
    "json_schema": ("journeymap.formats.schema", "json_schema"),
    "lint": ("journeymap.model.lint", "lint"),
    "list_templates": ("journeymap.formats.templates", "list_templates"),
    "load": ("journeymap.formats", "load"),
    "load_measurement": ("journeymap.analytics.measure", "load_measurement"),
    "loads": ("journeymap.formats", "loads"),
    "measure": ("journeymap.analytics.measure", "measure"),
    "mentions": ("journeymap.analytics.drivers", "mentions"),
    "new_map": ("journeymap.formats.templates", "new_map"),
    "nps": ("journeymap.analytics.scores", "nps"),
    "paths": ("journeymap.analytics.paths", "paths"),
    "read_events": ("journeymap.evidence.events", "read_events"),
    "read_feedback": ("journeymap.evidence.feedback", "read_feedback"),
    "render": ("journeymap.rendering", "render_file"),
    "render_bytes": ("journeymap.rendering", "render_bytes"),
    "retention": ("journeymap.analytics.retention", "retention"),
    "save": ("journeymap.formats", "save"),
    "save_measurement": ("journeymap.analytics.measure", "save_measurement"),
    "scores": ("journeymap.analytics.scores", "scores"),
    "sentiment": ("journeymap.analytics.sentiment", "sentiment"),
    "sentiment_agreement": ("journeymap.analytics.sentiment", "sentiment_agreement"),
    "sessions": ("journeymap.analytics.sessions", "sessions"),
    "summary": ("journeymap.analytics.summary", "summary"),
    "theme_assignments": ("journeymap.analytics.themes", "theme_assignments"),
    "themes": ("journeymap.analytics.themes", "themes"),
}


def __getattr__(name: str) -> Any:
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'journeymap' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value  # the next access is a plain lookup
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
