"""Commands that turn maps into other things and back: render, import, diff."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Literal

import typer

from journeymap.cli._common import handle_errors, stderr, stdout, write_text_or_stdout
from journeymap.cli._options import ENCODING_HELP
from journeymap.errors import MapFileError, UsageError
from journeymap.model.journey import JourneyMap

SUFFIXES = ".svg .png .pdf .html .md .mmd .pptx"


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
    page: Annotated[
        str,
        typer.Option(
            "--page",
            "--size",
            metavar="SIZE",
            help="Pages of PDF, PNG and SVG: fit (one page as big as the map), A4, A3, letter "
            "or 16:9 (slides). On pages the stages are split across pages, lane titles "
            "repeated; PNG and SVG write one file per page: deck.png gives deck-1.png, "
            "deck-2.png, ...",
        ),
    ] = "fit",
    orientation: Annotated[
        Literal["landscape", "portrait"],
        typer.Option(help="Orientation of A4, A3 and letter pages."),
    ] = "landscape",
    lanes: Annotated[
        str | None,
        typer.Option(
            metavar="LANE,...",
            help="The lanes to draw, in this order, e.g. touchpoints,emotion,pains: actions, "
            "touchpoints, thoughts, emotion, friction, pains, opportunities, backstage, kpis, "
            "or a lane of the map's own (its id or name). Default: every lane.",
            show_default=False,
        ),
    ] = None,
    theme: Annotated[
        str,
        typer.Option(
            metavar="NAME",
            help="Colours: light, dark, print (greyscale) or colour-blind (safe for "
            "protanopia, deuteranopia and tritanopia).",
        ),
    ] = "light",
) -> None:
    """Draw a map: the visual (SVG/PNG/PDF, on pages or as one picture), HTML, Markdown,
    Mermaid or slides.

    The format follows each output's suffix. A .pptx is a 16:9 PowerPoint deck: an overview
    slide with the map's picture, then a slide per stage with its touchpoints, emotions, pain
    points and action items as editable text (needs python-pptx, the "slides" extra)."""
    from journeymap.formats.document import load
    from journeymap.rendering import format_for, render_file, render_pages
    from journeymap.rendering.lanes import lane_order
    from journeymap.rendering.pages import page_name
    from journeymap.rendering.theme import theme as find_theme

    m = load(map_file)
    paged = page_name(page) != "fit"
    find_theme(theme)
    chosen = None if lanes is None else lanes.split(",")
    _refuse_ignored(out, format_for, paged=paged, lanes=chosen is not None, theme=theme)
    if chosen is not None:
        lane_order(m, chosen)
    for o in out:
        if paged and format_for(o) in ("pdf", "png", "svg"):
            written = render_pages(
                m, o, page=page, orientation=orientation, lanes=chosen, theme_name=theme
            )
            where = f"{written[0]}" if len(written) == 1 else f"{len(written)} pages: "
            if len(written) > 1:
                where += f"{written[0]} ... {written[-1].name}"
            stderr().print(f"wrote {where}")
        else:
            stderr().print(f"wrote {render_file(m, o, lanes=chosen, theme=theme)}")


#: the formats each option of ``render`` applies to
_PAGED = ("pdf", "png", "svg")
_THEMED = ("svg", "png", "pdf", "html", "pptx")


def _refuse_ignored(
    out: list[Path], format_for: Callable[[Path], str], *, paged: bool, lanes: bool, theme: str
) -> None:
    """A :class:`UsageError` (exit 2) when ``--page``, ``--lanes`` or ``--theme`` is given
    for an output whose format would ignore it, rather than ignoring it silently."""
    asked = [
        (paged, "--page", _PAGED),
        (lanes, "--lanes", _THEMED),
        (theme != "light", "--theme", _THEMED),
    ]
    for given, option, takes in asked:
        if not given:
            continue
        for o in out:
            fmt = format_for(o)
            if fmt not in takes:
                raise UsageError(
                    f"{option} does not apply to .{fmt} output ({o}); it applies to "
                    f"{', '.join('.' + f for f in takes)}: write the .{fmt} in a separate "
                    f"run without {option}"
                )


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
    stages: Annotated[
        str | None,
        typer.Option(
            metavar="STAGES",
            help="The stages, in journey order, separated by commas; NAME=OTHER+OTHER names a "
            "stage and maps the tables' stages OTHER onto it, e.g. "
            "Awareness=Discovery,Purchase=Checkout+Order,Support. Every stage of "
            "the tables must be named or mapped. Without it the stages are put in the usual "
            "journey order and stages that may be one are proposed.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Build a map from tables (Stage, Touchpoint, Expected/Actual Emotion, Pain Point, ...)."""
    from journeymap.formats.document import format_of, save
    from journeymap.formats.tables import import_tables
    from journeymap.formats.tables.columns import plural

    if out.exists() and not force:
        raise UsageError(f"{out}: already exists; pass --force to overwrite it")
    result = import_tables(files, title=title, encoding=encoding, stages=stages)
    save(result.map, out, fmt=format_of(out))
    err = stderr()
    for line in result.report:
        err.print(f"  {line}", markup=False)
    if result.guesses:
        err.print("guessed (the tables do not say it; check these):")
        for line in result.guesses:
            err.print(f"  {line}", markup=False)
    if result.proposals:
        err.print("proposed:")
        for line in result.proposals:
            err.print(f"  {line}", markup=False)
        if result.proposed_stages:
            err.print(f'  to merge them all: --stages "{result.proposed_stages}"', markup=False)
    m = result.map
    n_tp = sum(len(s.touchpoints) for s in m.stages)
    counts = [
        plural(len(m.stages), "stage"),
        plural(n_tp, "touchpoint"),
        plural(len(m.pain_points), "pain point"),
        plural(len(m.opportunities), "action item"),
        plural(len(m.kpis), "KPI"),
    ]
    err.print(f"wrote {out}: {', '.join(counts)}", markup=False)


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
