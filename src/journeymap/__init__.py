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
)

__version__ = "0.1.0"

__all__ = [
    "KPI",
    "ActualEmotion",
    "EmotionLevel",
    "EmotionScale",
    "Insight",
    "JourneyMap",
    "JourneyMapError",
    "MapFileError",
    "Opportunity",
    "PainPoint",
    "Persona",
    "RenderError",
    "Review",
    "Stage",
    "TableImportError",
    "TemplateNotFoundError",
    "Touchpoint",
    "UsageError",
    "__version__",
    "dumps",
    "load",
    "loads",
    "save",
]
