"""Commands that create, check and tidy map files: new, templates, validate, lint, fmt, schema."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.markup import escape
from rich.table import Table

from journeymap.cli._common import (
    handle_errors,
    print_problems,
    stderr,
    stdout,
    warn,
    write_text_or_stdout,
)
from journeymap.errors import UsageError


@handle_errors
def templates() -> None:
    """List the shipped templates."""
    from journeymap.formats.templates import list_templates

    table = Table(title="journeymap templates", title_justify="left")
    table.add_column("name", style="bold")
    table.add_column("title")
    table.add_column("stages")
    table.add_column("description", overflow="fold")
    for t in list_templates():
        table.add_row(t.name, t.title, " → ".join(t.stages), t.description)
    stdout().print(table)


@handle_errors
def new(
    out: Annotated[Path, typer.Argument(help="Where to write the new map (.yaml or .json).")],
    template: Annotated[
        str,
        typer.Option(
            "--template",
            "-t",
            help="Template name, or `blank` for a map with only a title and three stages; "
            "see `journeymap templates`.",
        ),
    ] = "ecommerce",
    persona: Annotated[
        str | None, typer.Option(help="Name of the persona, replacing the template's.")
    ] = None,
    title: Annotated[str | None, typer.Option(help="Title of the map.")] = None,
    force: Annotated[bool, typer.Option("--force", "-f", help="Overwrite OUT.")] = False,
) -> None:
    """Create a map from a template (`--template blank` for an empty one)."""
    from journeymap.formats.document import format_of, save
    from journeymap.formats.templates import new_map

    if out.exists() and not force:
        raise UsageError(f"{out}: already exists; pass --force to overwrite it")
    m = new_map(template, persona=persona, title=title)
    save(m, out, fmt=format_of(out))
    n_tp = sum(len(s.touchpoints) for s in m.stages)
    stderr().print(
        f"wrote {out}: {m.name!r} from template {template!r} "
        f"({len(m.stages)} stages, {n_tp} touchpoints)"
    )


@handle_errors
def validate(
    files: Annotated[list[Path], typer.Argument(help="Map files to check.", show_default=False)],
) -> None:
    """Check that map files are valid; errors read FILE:LINE:COL and exit with code 2."""
    from journeymap.errors import MapFileError
    from journeymap.formats.document import load

    problems: list[str] = []
    for f in files:
        try:
            m = load(f)
        except MapFileError as exc:
            problems += [str(p) for p in exc.problems]
            continue
        n_tp = sum(len(s.touchpoints) for s in m.stages)
        stdout().print(f"{f}: ok ({len(m.stages)} stages, {n_tp} touchpoints)", markup=False)
    if problems:
        print_problems(problems)
        raise typer.Exit(2)


@handle_errors
def lint(
    files: Annotated[list[Path], typer.Argument(help="Map files to lint.", show_default=False)],
    today: Annotated[
        dt.datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Date to check reviews against (default today)."),
    ] = None,
    output: Annotated[
        Literal["text", "json"], typer.Option("--format", help="Output format.")
    ] = "text",
) -> None:
    """Report findings a reviewer should look at; exit 1 when an error-level finding exists."""
    from journeymap.formats.document import load, locate
    from journeymap.measuring.pipeline import latest_measurement, measurements_dir
    from journeymap.model.lint import lint as run_lint

    day = today.date() if today else dt.date.today()
    rows: list[dict[str, object]] = []
    for f in files:
        m = load(f)
        latest = latest_measurement(measurements_dir(f), say=warn)
        measured = latest[1] if latest is not None else None
        for finding in run_lint(m, today=day, measurement=measured):
            pos = locate(m, finding.loc)
            rows.append(
                {
                    "file": str(f),
                    "line": pos[0] if pos else None,
                    "column": pos[1] if pos else None,
                    "severity": finding.severity,
                    "code": finding.code,
                    "message": finding.message,
                }
            )
    if output == "json":
        write_text_or_stdout(json.dumps(rows, indent=2) + "\n", None)
    else:
        con = stdout()
        colour = {"error": "red", "warning": "yellow", "info": "blue"}
        for r in rows:
            where = f"{r['file']}:{r['line']}:{r['column']}" if r["line"] else str(r["file"])
            sev = str(r["severity"])
            msg = escape(str(r["message"]))
            con.print(f"{escape(where)}: [{colour[sev]}]{sev}[/] {r['code']}: {msg}", markup=True)
        counts = {s: sum(1 for r in rows if r["severity"] == s) for s in colour}
        summary = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items())
        stderr().print(f"{len(files)} file{'s' if len(files) != 1 else ''}: {summary}")
    if any(r["severity"] == "error" for r in rows):
        raise typer.Exit(1)


@handle_errors
def fmt(
    files: Annotated[
        list[Path], typer.Argument(help="Map files to normalise.", show_default=False)
    ],
    check: Annotated[
        bool, typer.Option("--check", help="Change nothing; exit 1 if a file would change.")
    ] = False,
) -> None:
    """Normalise map files in place: keys in order, ids pinned, comments kept."""
    from journeymap._atomic import atomic_write_bytes
    from journeymap.formats.document import format_file

    changed = []
    for f in files:
        # located errors: missing, unreadable, not text, too big; the encoding, byte-order
        # mark and line ends stay as they are
        old, new = format_file(f)
        if new != old:
            changed.append(f)
            if not check:
                atomic_write_bytes(f, new)
    verb = "would reformat" if check else "reformatted"
    for f in changed:
        stderr().print(f"{verb} {f}")
    stderr().print(f"{len(changed)} of {len(files)} file(s) {verb}")
    if check and changed:
        raise typer.Exit(1)


@handle_errors
def schema(
    out: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
    ] = None,
) -> None:
    """Print the JSON Schema of map files, for editor autocompletion."""
    from journeymap.formats.schema import json_schema_text

    write_text_or_stdout(json_schema_text(), out)
    if out is not None:
        stderr().print(
            f"wrote {out}; add `# yaml-language-server: $schema={out.name}` "
            "as the first line of a map"
        )
