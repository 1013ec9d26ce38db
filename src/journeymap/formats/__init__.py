"""Map files: YAML (round-trip), JSON, JSON Schema, and the shipped templates."""

from journeymap.formats.document import dumps, format_of, load, loads, pin_ids, save

__all__ = ["dumps", "format_of", "load", "loads", "pin_ids", "save"]
