"""Commands that turn maps into other things and back: render, import, diff."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Annotated, Literal

import typer

from journeymap.cli._common import handle_errors, stderr, stdout, write_text_or_stdout
from journeymap.cli._options import ENCODING_HELP
from journeymap.errors import MapFileError, UsageError
from journeymap.model.journey import JourneyMap

SUFFIXES = ".svg .png .pdf .html .md .mmd"


@handle_errors
def render(
    map_file: Annotated[Path, typer.Argument(metavar="MAP", help="The map file to draw.")],
    out: Annotated[
        list[Path],
        typer.Option(
            "--output",
            "-o",
            help=f"Output file; the format follows the suffix ({SUFFIXES}). Repeatable.",
        ),
    ],
) -> None:
    """Draw a map: the journey-map visual (SVG/PNG/PDF), an HTML page, Markdown or Mermaid."""
    from journeymap.formats.document import load
    from journeymap.rendering import render_file

    m = load(map_file)
    for o in out:
        written = render_file(m, o)
        stderr().print(f"wrote {written}")


@handle_errors
def import_(
    files: Annotated[
        list[Path],
        typer.Argument(help="Tables to import: Markdown, CSV or XLSX.", show_default=False),
    ],
    out: Annotated[Path, typer.Option("--output", "-o", help="The map file to write.")],
    title: Annotated[str | None, typer.Option(help="Title of the new map.")] = None,
    force: Annotated[bool, typer.Option("--force", "-f", help="Overwrite OUT.")] = False,
    encoding: Annotated[
        str | None, typer.Option(metavar="NAME", help=ENCODING_HELP, show_default=False)
    ] = None,
) -> None:
    """Build a map from tables (Stage, Touchpoint, Expected/Actual Emotion, Pain Point, ...)."""
    from journeymap.formats.document import format_of, save
    from journeymap.formats.tables import import_tables

    if out.exists() and not force:
        raise UsageError(f"{out}: already exists; pass --force to overwrite it")
    result = import_tables(files, title=title, encoding=encoding)
    save(result.map, out, fmt=format_of(out))
    err = stderr()
    for line in result.report:
        err.print(f"  {line}")
    m = result.map
    n_tp = sum(len(s.touchpoints) for s in m.stages)
    err.print(
        f"wrote {out}: {len(m.stages)} stages, {n_tp} touchpoints, {len(m.pain_points)} pain "
        f"points, {len(m.opportunities)} action items, {len(m.kpis)} KPIs"
    )


def _load_version(spec: Path) -> JourneyMap:
    """A map from a file, or from git as REV:PATH (e.g. HEAD~1:journey.yaml)."""
    from journeymap.formats.document import load, loads

    if spec.exists() or ":" not in str(spec):
        return load(spec)
    text = str(spec)
    if text.startswith("-"):  # git would read it as one of its options (--output=FILE, ...)
        raise MapFileError.single(
            "no such file, and a git revision cannot start with '-'", file=text
        )
    try:
        proc = subprocess.run(
            ["git", "show", text], capture_output=True, text=True, check=False, timeout=60
        )
    except FileNotFoundError:
        raise MapFileError.single("no such file (and git is not installed)", file=text) from None
    if proc.returncode != 0:
        reason = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "git failed"
        raise MapFileError.single(f"no such file, nor a git revision: {reason}", file=text)
    return loads(proc.stdout, file=text)


@handle_errors
def diff(
    old: Annotated[Path, typer.Argument(help="Old version: a file, or git REV:PATH.")],
    new: Annotated[Path, typer.Argument(help="New version: a file, or git REV:PATH.")],
    output: Annotated[
        Literal["text", "json", "summary"], typer.Option("--format", help="Output format.")
    ] = "text",
    exit_code: Annotated[
        bool, typer.Option("--exit-code", help="Exit 1 when the maps differ (like git diff).")
    ] = False,
) -> None:
    """Show what changed between two versions of a map, by meaning rather than by line."""
    from journeymap.model.diff import diff as run_diff

    d = run_diff(_load_version(old), _load_version(new))
    if output == "json":
        write_text_or_stdout(json.dumps(d.to_dict(), indent=2, ensure_ascii=False) + "\n", None)
    elif output == "summary":
        stdout().print(d.summary())
    else:
        stdout().print(d.to_text() if d else "no changes")
    if exit_code and d:
        raise typer.Exit(1)
