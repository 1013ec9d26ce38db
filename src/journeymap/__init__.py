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
    from journeymap._version import __version__
    from journeymap.engine import Engine, EngineConfig
    from journeymap.errors import (
        EvidenceError,
        JourneyMapError,
        MapFileError,
        RenderError,
        TableImportError,
        TemplateNotFoundError,
        UsageError,
    )
    from journeymap.events.discover import discover
    from journeymap.events.flows import flows
    from journeymap.events.funnel import funnel
    from journeymap.events.paths import paths
    from journeymap.events.read import EventLog, read_events
    from journeymap.events.retention import cohorts, retention
    from journeymap.events.sessions import sessions
    from journeymap.events.summary import summary
    from journeymap.formats import dumps, load, loads, save
    from journeymap.formats.schema import json_schema
    from journeymap.formats.tables import ImportResult, import_tables
    from journeymap.formats.templates import TemplateInfo, list_templates, new_map
    from journeymap.measuring.pipeline import load_measurement, measure, save_measurement
    from journeymap.measuring.sample import generate_sample
    from journeymap.model.checks import check_map
    from journeymap.model.diff import Change, MapDiff, diff
    from journeymap.model.emotion import EmotionLevel, EmotionScale
    from journeymap.model.evidence import Insight
    from journeymap.model.journey import JourneyMap, Opportunity, PainPoint, Review
    from journeymap.model.kpi import KPI
    from journeymap.model.lint import LINT_RULES, LintFinding, lint
    from journeymap.model.measurement import Measurement
    from journeymap.model.persona import Persona
    from journeymap.model.touchpoint import ActualEmotion, Stage, Touchpoint
    from journeymap.rendering import charts, render_bytes
    from journeymap.rendering import render_file as render
    from journeymap.voice.drivers import drivers, mentions
    from journeymap.voice.read import Feedback, read_feedback
    from journeymap.voice.scores import ces, csat, feedback_summary, nps, scores
    from journeymap.voice.sentiment import sentiment, sentiment_agreement
    from journeymap.voice.themes import theme_assignments, themes


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
    "charts",
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
    "Engine": ("journeymap.engine", "Engine"),
    "EngineConfig": ("journeymap.engine", "EngineConfig"),
    "EventLog": ("journeymap.events.read", "EventLog"),
    "EvidenceError": ("journeymap.errors", "EvidenceError"),
    "Feedback": ("journeymap.voice.read", "Feedback"),
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
    "__version__": ("journeymap._version", "__version__"),
    "ces": ("journeymap.voice.scores", "ces"),
    "charts": ("journeymap.rendering.charts", ""),  # the module itself
    "check_map": ("journeymap.model", "check_map"),
    "cohorts": ("journeymap.events.retention", "cohorts"),
    "csat": ("journeymap.voice.scores", "csat"),
    "diff": ("journeymap.model.diff", "diff"),
    "discover": ("journeymap.events.discover", "discover"),
    "drivers": ("journeymap.voice.drivers", "drivers"),
    "dumps": ("journeymap.formats", "dumps"),
    "feedback_summary": ("journeymap.voice.scores", "feedback_summary"),
    "flows": ("journeymap.events.flows", "flows"),
    "funnel": ("journeymap.events.funnel", "funnel"),
    "generate_sample": ("journeymap.measuring.sample", "generate_sample"),
    "import_tables": ("journeymap.formats.tables", "import_tables"),
    "json_schema": ("journeymap.formats.schema", "json_schema"),
    "lint": ("journeymap.model.lint", "lint"),
    "list_templates": ("journeymap.formats.templates", "list_templates"),
    "load": ("journeymap.formats", "load"),
    "load_measurement": ("journeymap.measuring.pipeline", "load_measurement"),
    "loads": ("journeymap.formats", "loads"),
    "measure": ("journeymap.measuring.pipeline", "measure"),
    "mentions": ("journeymap.voice.drivers", "mentions"),
    "new_map": ("journeymap.formats.templates", "new_map"),
    "nps": ("journeymap.voice.scores", "nps"),
    "paths": ("journeymap.events.paths", "paths"),
    "read_events": ("journeymap.events.read", "read_events"),
    "read_feedback": ("journeymap.voice.read", "read_feedback"),
    "render": ("journeymap.rendering", "render_file"),
    "render_bytes": ("journeymap.rendering", "render_bytes"),
    "retention": ("journeymap.events.retention", "retention"),
    "save": ("journeymap.formats", "save"),
    "save_measurement": ("journeymap.measuring.pipeline", "save_measurement"),
    "scores": ("journeymap.voice.scores", "scores"),
    "sentiment": ("journeymap.voice.sentiment", "sentiment"),
    "sentiment_agreement": ("journeymap.voice.sentiment", "sentiment_agreement"),
    "sessions": ("journeymap.events.sessions", "sessions"),
    "summary": ("journeymap.events.summary", "summary"),
    "theme_assignments": ("journeymap.voice.themes", "theme_assignments"),
    "themes": ("journeymap.voice.themes", "themes"),
}


def __getattr__(name: str) -> Any:
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'journeymap' has no attribute {name!r}") from None
    loaded = importlib.import_module(module)
    value = getattr(loaded, attr) if attr else loaded
    globals()[name] = value  # the next access is a plain lookup
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
