"""Files of drawings: the format a file's suffix asks for, and writing a file atomically in it.

Shared by the map's outputs (:func:`journeymap.rendering.render_file`) and the report of a
measurement (:func:`journeymap.rendering.report.write_report`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

from journeymap._atomic import atomic_write_bytes
from journeymap.errors import UsageError

__all__ = ["format_of", "suffixes_for", "write_as"]

F = TypeVar("F", bound=str)

#: every file suffix a drawing is written under, and the format it means
_SUFFIXES = {
    ".svg": "svg",
    ".png": "png",
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".md": "md",
    ".markdown": "md",
    ".mmd": "mmd",
    ".mermaid": "mmd",
    ".pptx": "pptx",
}


def suffixes_for(formats: Sequence[F]) -> dict[str, F]:
    """The suffixes that mean one of ``formats``, and the format each one means."""
    by_name = {f: f for f in formats}
    return {suffix: by_name[name] for suffix, name in _SUFFIXES.items() if name in by_name}


def format_of(path: str | Path, suffixes: Mapping[str, F], *, what: str) -> F:
    """The format the suffix of ``path`` asks for; a :class:`UsageError` naming the known
    suffixes otherwise (``what`` says which format: ``output``, ``report``)."""
    suffix = Path(path).suffix.lower()
    fmt = suffixes.get(suffix)
    if fmt is None:
        got = f"suffix {suffix!r}" if suffix else "no suffix"
        raise UsageError(
            f"cannot tell the {what} format of {str(path)!r} ({got}); "
            f"expected one of: {' '.join(suffixes)}"
        )
    return fmt


def write_as(
    out: str | Path,
    fmt: F | None,
    suffixes: Mapping[str, F],
    make: Callable[[F], bytes],
    *,
    what: str,
) -> Path:
    """Write ``make(format)`` to ``out`` atomically; the format follows the suffix unless
    given."""
    path = Path(out)
    chosen = fmt if fmt is not None else format_of(path, suffixes, what=what)
    atomic_write_bytes(path, make(chosen))
    return path
