"""One exception tree for all of journeymap.

::

    JourneyMapError                 base; carries a stable ``code`` and an HTTP ``status``
    ├── MapFileError (ValueError)   a map file cannot be read or is invalid (FILE:LINE:COL)
    ├── TableImportError (ValueError)
    │                               a table to import cannot be understood
    ├── TemplateNotFoundError (LookupError)
    │                               no template of that name
    ├── EvidenceError (ValueError)  an event log or feedback file cannot be used (FILE:ROW)
    ├── RenderError                 a map cannot be drawn in the asked format
    └── UsageError (ValueError)     a caller asked for something that cannot be done

Every error is a *user* error unless it says otherwise: the CLI prints ``str(error)`` and
exits with ``exit_code`` (2 for invalid input), never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "EvidenceError",
    "JourneyMapError",
    "MapFileError",
    "Problem",
    "RenderError",
    "TableImportError",
    "TemplateNotFoundError",
    "UsageError",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as we can.

    ``line`` and ``column`` are 1-based; ``None`` when the position is unknown. ``excerpt``,
    when given, is the offending line with a caret under the column, printed after the
    message (a YAML syntax error shows it).
    """

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    excerpt: str | None = None

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.message}"
        return f"{text}\n{self.excerpt}" if self.excerpt else text


class JourneyMapError(Exception):
    """Base of every error journeymap raises on purpose."""

    code: str = "journeymap_error"
    status: int = 400
    exit_code: int = 2


class MapFileError(JourneyMapError, ValueError):
    """A map file cannot be parsed or does not describe a valid journey map.

    ``problems`` lists every problem found, each with file, line and column.
    """

    code = "map_file_invalid"
    status = 422

    def __init__(self, problems: list[Problem]) -> None:
        if not problems:
            raise ValueError("MapFileError needs at least one problem")
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    @classmethod
    def single(
        cls,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> MapFileError:
        return cls([Problem(message, None if file is None else str(file), line, column)])


class TableImportError(JourneyMapError, ValueError):
    """A table given to ``import`` cannot be turned into a map."""

    code = "table_import_invalid"
    status = 422


class TemplateNotFoundError(JourneyMapError, LookupError):
    """No shipped template has the asked name."""

    code = "template_not_found"
    status = 404

    def __str__(self) -> str:  # LookupError quotes its argument; we want plain text
        return str(self.args[0]) if self.args else "template not found"


class EvidenceError(JourneyMapError, ValueError):
    """An event log or a feedback file cannot be read or lacks what an analysis needs."""

    code = "evidence_invalid"
    status = 422


class RenderError(JourneyMapError):
    """A map cannot be drawn in the asked format."""

    code = "render_failed"
    status = 422


class UsageError(JourneyMapError, ValueError):
    """The caller asked for something that cannot be done (bad option, bad suffix)."""

    code = "usage"
    status = 400
