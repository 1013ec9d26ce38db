"""journeymap: customer journey maps as readable files, rendered beautifully, backed by evidence.

The public API. Everything else is an implementation detail that may change.
"""

from journeymap.errors import (
    JourneyMapError,
    MapFileError,
    RenderError,
    TableImportError,
    TemplateNotFoundError,
    UsageError,
)
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
    "ImportResult",
    "Insight",
    "JourneyMap",
    "JourneyMapError",
    "LintFinding",
    "MapDiff",
    "MapFileError",
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
    "check_map",
    "diff",
    "dumps",
    "import_tables",
    "json_schema",
    "lint",
    "list_templates",
    "load",
    "loads",
    "new_map",
    "render",
    "render_bytes",
    "save",
]
