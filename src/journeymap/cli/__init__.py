"""The ``journeymap`` command line: a thin face over the library.

``app`` is the whole command line, made when first asked for. :func:`main` (the
``journeymap`` script) makes only the group a command names when it is ``events``: a command
on an event log then imports none of the map, rendering and team-app commands (about 0.5 s
of a cached ``events`` command's start; benchmarks/ANALYSIS.md).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer


def _new_app() -> typer.Typer:
    app = typer.Typer(
        name="journeymap",
        help="Customer journey maps as readable files: author, validate, lint, render, diff.",
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode="rich",
        pretty_exceptions_enable=False,
    )
    app.callback()(_root)
    return app


def _version(value: bool) -> None:
    if value:
        from journeymap._version import __version__

        typer.echo(f"journeymap {__version__}")
        raise typer.Exit()


def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Customer journey maps as readable files: author, validate, lint, render, diff."""


def _full_app() -> typer.Typer:
    from journeymap.cli import events, feedback, files, maps, remote, serve
    from journeymap.cli import measure as measuring

    app = _new_app()
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
    return app


def _events_app() -> typer.Typer:
    """The command line with the ``events`` group only (what ``journeymap events ...`` runs)."""
    from journeymap.cli import events

    app = _new_app()
    app.add_typer(events.app, name="events")
    return app


_made: dict[str, typer.Typer] = {}


def __getattr__(name: str) -> typer.Typer:
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if "app" not in _made:
        _made["app"] = _full_app()
    return _made["app"]


def main() -> None:
    only_events = len(sys.argv) > 1 and sys.argv[1] == "events"
    (_events_app() if only_events else _full_app())()
