"""The ``journeymap`` command line: a thin face over the library."""

from __future__ import annotations

from typing import Annotated

import typer

from journeymap.cli import events, feedback, files, maps, remote, serve
from journeymap.cli import measure as measuring

app = typer.Typer(
    name="journeymap",
    help="Customer journey maps as readable files: author, validate, lint, render, diff.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from journeymap._version import __version__

        typer.echo(f"journeymap {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Customer journey maps as readable files: author, validate, lint, render, diff."""


app.command("new")(maps.new)
app.command("templates")(maps.templates)
app.command("validate")(maps.validate)
app.command("lint")(maps.lint)
app.command("fmt")(maps.fmt)
app.command("schema")(maps.schema)
app.command("render")(files.render)
app.command("import")(files.import_)
app.command("diff")(files.diff)
app.command("measure")(measuring.measure)
app.command("demo")(measuring.demo)
app.add_typer(events.app, name="events")
app.add_typer(feedback.app, name="feedback")
app.command("serve")(serve.serve)
app.add_typer(serve.users, name="users")
app.command("push")(remote.push)
app.command("pull")(remote.pull)
app.command("backup")(serve.backup)
app.command("restore")(serve.restore)


def main() -> None:
    app()
