"""What every command shares: consoles, error handling, reading maps."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from journeymap.errors import JourneyMapError, MapFileError

P = ParamSpec("P")
R = TypeVar("R")


def stdout() -> Console:
    return Console(highlight=False, soft_wrap=True, emoji=False)


def stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn journeymap's user errors into a clear message and exit code, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
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

    return wrapper


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
