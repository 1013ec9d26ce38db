"""Map files: YAML (round-trip), JSON, JSON Schema, the shipped templates, and import from
tables (Markdown, CSV, XLSX: the `tables` package, a module per step)."""

from journeymap.formats.document import (
    MapLimits,
    dumps,
    format_of,
    load,
    loads,
    pin_ids,
    save,
)

__all__ = ["MapLimits", "dumps", "format_of", "load", "loads", "pin_ids", "save"]
