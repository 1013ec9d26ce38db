"""The published JSON Schema of map files, for editors' autocompletion and validation.

Point an editor at it with a first line ``# yaml-language-server: $schema=journeymap.schema.json``
(VS Code's YAML extension, JetBrains IDEs, Neovim's yamlls), after
``journeymap schema -o journeymap.schema.json``.
"""

from __future__ import annotations

import json
from typing import Any

from journeymap.model.journey import JourneyMap

__all__ = ["SCHEMA_ID", "json_schema", "json_schema_text"]

SCHEMA_ID = "https://journeymap.dev/schema/journey-map-1.json"


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) that every valid map file satisfies."""
    schema = JourneyMap.model_json_schema(by_alias=True, mode="validation")
    defs = schema.get("$defs", {})
    if "ActualEmotion" in defs:
        # `actual_emotion: Frustrated` is shorthand for `actual_emotion: {emotion: Frustrated}`
        defs["ActualEmotion"] = {
            "anyOf": [
                {"type": ["string", "integer"], "description": "Just the emotion."},
                defs["ActualEmotion"],
            ]
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "journeymap journey map",
        "description": "A customer journey map: one persona in one scenario, its stages, "
        "touchpoints, emotions, pain points, action items and KPIs.",
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }


def json_schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
