"""What every command shares: consoles, error handling, the rule of outputs.

Every command goes through :func:`handle_errors`, which before the work checks where the
command will write (:func:`check_outputs`) and afterwards turns errors into messages:

- a command's outputs are its parameters named in :data:`OUTPUTS` (``-o``/``--output``,
  ``new``'s ``OUT``); its inputs every other path it is given (a file, a folder, a glob,
  ``FILE.duckdb:TABLE``), but for the engine's own folders (:data:`ENGINE_FOLDERS`);
- an output that is one of the inputs (the same file, by whatever name: a link, ``./``) is
  refused (exit 2), unless ``--force`` is given to a command that has it;
- an output in a place that cannot be written (a file where a folder of its path goes, a
  folder this user may not write) is refused before the work, not after it; any other
  :class:`OSError` of a named file (a full disk, a read-only file system found on writing)
  is told as ``error: FILE: reason`` (exit 2), never as a traceback;
- a :class:`UserWarning` of journeymap (e.g. a saved measurement that cannot be read and was
  skipped) is a ``warning: ...`` line on stderr.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import sys
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import ParamSpec, TextIO, TypeVar

import typer
from rich.console import Console

from journeymap.errors import JourneyMapError, MapFileError, UsageError

P = ParamSpec("P")
R = TypeVar("R")


def stdout() -> Console:
    return Console(highlight=False, soft_wrap=True, emoji=False)


def stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


#: the parameters by which commands name the files (or folder) they write
OUTPUTS = frozenset({"output", "out"})
#: the folders of the engine (its cache, where it spills): neither inputs nor results
ENGINE_FOLDERS = frozenset({"cache", "temp_dir"})
#: inputs given as text rather than paths (globs, ``FILE.duckdb:TABLE``)
_TEXT_INPUTS = frozenset({"logs"})
_PACKAGE = Path(__file__).resolve().parents[1]


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Check the command's outputs, then run it; turn journeymap's user errors and the
    system's errors of a named file into a clear message and exit code, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            check_outputs(kwargs)
            with _warnings_told():
                return func(*args, **kwargs)
        except MapFileError as exc:
            print_problems([str(p) for p in exc.problems])
            raise typer.Exit(exc.exit_code) from None
        except JourneyMapError as exc:
            err = stderr()
            for line in str(exc).splitlines() or [type(exc).__name__]:
                err.print(f"error: {line}", markup=False)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            stderr().print("interrupted")
            raise typer.Exit(130) from None
        except OSError as exc:
            if exc.filename is None:  # not of a file we can name (e.g. a closed pipe)
                raise
            stderr().print(f"error: {exc.filename}: {exc.strerror or exc}", markup=False)
            raise typer.Exit(2) from None

    return wrapper


@contextlib.contextmanager
def _warnings_told() -> Iterator[None]:
    """journeymap's own :class:`UserWarning` as ``warning: ...`` lines on stderr; others as
    Python shows them."""
    with warnings.catch_warnings():
        warnings.filterwarnings("always", category=UserWarning, module=r"journeymap\.")
        shown = warnings.showwarning

        def show(
            message: Warning | str,
            category: type[Warning],
            filename: str,
            lineno: int,
            file: TextIO | None = None,
            line: str | None = None,
        ) -> None:
            if issubclass(category, UserWarning) and _PACKAGE in Path(filename).resolve().parents:
                warn(str(message))
            else:
                shown(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        yield


# ---- the rule of outputs -----------------------------------------------------------------------


def _paths(value: object) -> list[Path]:
    """The paths a parameter's value holds (none for a value that is not paths)."""
    items = value if isinstance(value, list | tuple) else [value]
    return [v for v in items if isinstance(v, Path)]


def _input_files(params: Mapping[str, object]) -> Iterator[Path]:
    """The files a command reads: each path it is given, a folder's files, a glob's."""
    from journeymap.engine.files import local_files

    for name, value in params.items():
        if name in OUTPUTS or name in ENGINE_FOLDERS:
            continue
        specs: list[str] = [str(p) for p in _paths(value)]
        if name in _TEXT_INPUTS and isinstance(value, list | tuple):
            specs += [v for v in value if isinstance(v, str)]
        for spec in specs:
            found = local_files(spec)
            if not found and ":" in spec:  # FILE.duckdb:TABLE
                found = local_files(spec.rpartition(":")[0])
            yield from found


def _same(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def check_writable(path: Path, *, folder: bool = False) -> None:
    """Refuse, before any work, a ``path`` that cannot be written: a file where a folder of
    its path goes (``folder``: ``path`` itself is to be a folder), or a folder this user may
    not write. Raises the :class:`OSError` of the kind with ``path`` as its file; a place
    that refuses only when written (a read-only file system) is found then."""

    def refuse(code: int) -> None:
        raise OSError(code, os.strerror(code), str(path))

    if folder and path.exists() and not path.is_dir():
        refuse(errno.ENOTDIR)
    first = path if folder and path.is_dir() else path.parent
    for place in [first, *first.parents]:
        if not place.exists():
            continue
        if not place.is_dir():
            refuse(errno.ENOTDIR)
        if not os.access(place, os.W_OK | os.X_OK):
            refuse(errno.EACCES)
        return


def check_outputs(params: Mapping[str, object]) -> None:
    """The rule of every command's outputs (the module docstring), given its parameters."""
    outputs = [p for name in sorted(OUTPUTS) for p in _paths(params.get(name)) if str(p) != "-"]
    for out in outputs:
        check_writable(out)
    existing = [out for out in outputs if out.exists()]
    if not existing or params.get("force"):
        return
    for f in _input_files(params):
        for out in existing:
            if _same(out, f):
                also = "" if out.absolute() == f.absolute() else f" ({f}, by another name)"
                force = ", or pass --force to overwrite it" if "force" in params else ""
                raise UsageError(
                    f"{out}: is also an input of this command{also}; writing the result there "
                    f"would replace it: choose another output file{force}"
                )


def warn(message: str) -> None:
    """A ``warning: ...`` line on stderr."""
    stderr().print(f"warning: {message}", markup=False, highlight=False)


def print_problems(lines: list[str]) -> None:
    """Problems as compilers print them, ``FILE:LINE:COL: message``, one a line, on stderr."""
    err = stderr()
    for line in lines:
        err.print(line, markup=False)


def write_text_or_stdout(text: str, out: Path | None) -> None:
    """Write to a file atomically, or to standard output when no file is given."""
    if out is None or str(out) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from journeymap._atomic import atomic_write_text

    atomic_write_text(out, text)
