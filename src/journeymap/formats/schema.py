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


def _type_of(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        return str(prop["$ref"]).rsplit("/", 1)[-1]
    if "enum" in prop:
        return " \\| ".join(f"`{v}`" for v in prop["enum"])
    if "const" in prop:
        return f"`{prop['const']}`"
    if "anyOf" in prop:
        parts = [_type_of(p) for p in prop["anyOf"] if p.get("type") != "null"]
        return " or ".join(dict.fromkeys(parts))
    kind = prop.get("type")
    if kind == "array":
        return f"list of {_type_of(prop.get('items', {}))}"
    if kind == "object":
        extra = prop.get("additionalProperties")
        return f"mapping of text to {_type_of(extra)}" if isinstance(extra, dict) else "mapping"
    if isinstance(kind, list):
        return " or ".join(str(k) for k in kind)
    if prop.get("format") == "date":
        return "date (YYYY-MM-DD)"
    return str(kind or "any")


def reference_markdown() -> str:
    """Every key of a map file, object by object, as Markdown tables (for docs/file-format.md)."""
    schema = json_schema()
    defs: dict[str, Any] = schema.get("$defs", {})
    sections: list[tuple[str, dict[str, Any]]] = [("JourneyMap (the file)", schema)]
    sections += [(name, d) for name, d in sorted(defs.items()) if "properties" in d]
    if "anyOf" in defs.get("ActualEmotion", {}):
        inner = next(p for p in defs["ActualEmotion"]["anyOf"] if "properties" in p)
        sections.append(("ActualEmotion", inner))
        sections.sort(key=lambda s: (s[0] != "JourneyMap (the file)", s[0]))
    out: list[str] = []
    for name, d in sections:
        out.append(f"### {name}\n")
        if d.get("description") and name != "JourneyMap (the file)":
            out.append(" ".join(str(d["description"]).split()) + "\n")
        required = set(d.get("required", []))
        out.append("| key | type | required | description |")
        out.append("|---|---|---|---|")
        for key, prop in d["properties"].items():
            desc = " ".join(str(prop.get("description", "")).split()).replace("|", "\\|")
            req = "yes" if key in required else ""
            out.append(f"| `{key}` | {_type_of(prop)} | {req} | {desc} |")
        out.append("")
    return "\n".join(out)
