"""``journeymap serve`` (the team app) and ``journeymap users`` (accounts from the terminal).

Needs the ``web`` extra; without it the commands say what to install.
"""

from __future__ import annotations

import contextlib
import getpass
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from journeymap.cli._common import handle_errors, stderr, stdout
from journeymap.errors import UsageError

if TYPE_CHECKING:
    from journeymap.web.settings import Settings

users = typer.Typer(help="Accounts of the team app.", no_args_is_help=True)

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data",
        metavar="DIR",
        help="Folder of the embedded database (default: ./journeymap-data).",
    ),
]
Database = Annotated[
    str | None,
    typer.Option(
        "--database", metavar="URL",
        help="A PostgreSQL (postgresql://user:pass@host/db) or SQLite (sqlite:///file) URL "
        "instead of the embedded database.",
    ),
]  # fmt: skip
Config = Annotated[
    Path | None,
    typer.Option("--config", metavar="FILE", help="A TOML file of settings (see docs/app.md)."),
]


def _web() -> None:
    try:
        import fastapi  # noqa: F401
        import sqlalchemy  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        raise UsageError(
            "the team app needs the web extra: pip install 'journeymap[web]'"
        ) from None


def settings(config: Path | None, data: Path | None, database: str | None) -> Settings:
    """The settings: these options, then JOURNEYMAP_* variables, then the config file."""
    import tomllib

    from pydantic import ValidationError

    from journeymap.web.settings import Settings

    values: dict[str, Any] = {}
    if config is not None:
        try:
            values = tomllib.loads(config.read_text(encoding="utf-8"))
        except OSError as exc:
            raise UsageError(f"{config}: cannot read: {exc.strerror or exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise UsageError(f"{config}: not TOML: {exc}") from None
    try:
        from_env = Settings()
        values.update({k: getattr(from_env, k) for k in from_env.model_fields_set})
        if data is not None:
            values["data_dir"] = data
        if database is not None:
            values["database"] = database
        return Settings(**values)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        where = f"{config}" if config else "JOURNEYMAP_* settings"
        raise UsageError(f"{where}: {problems}") from None


@contextlib.contextmanager
def _open(s: Settings) -> Iterator[Any]:
    """A session factory on the database, its schema brought up to date; closed after."""
    from sqlalchemy.exc import OperationalError

    from journeymap.web import db

    if s.database is None:
        s.data_dir.mkdir(parents=True, exist_ok=True)
    engine, sessions = db.connect(s.database_url)
    try:
        try:
            db.upgrade(engine)
        except OperationalError as exc:
            raise UsageError(f"cannot open the database: {exc.orig}") from None
        yield sessions
    finally:
        engine.dispose()


@handle_errors
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    data: DataDir = None,
    database: Database = None,
    config: Config = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="Add the demo workspace (the demo map, measured).")
    ] = False,
) -> None:
    """Start the team app: the team's maps in the browser, and its REST API."""
    _web()
    import uvicorn

    from journeymap.web import store
    from journeymap.web.app import create_app

    s = settings(config, data, database)
    with _open(s) as sessions:
        err = stderr()
        address = f"http://{'localhost' if host in ('127.0.0.1', '::1') else host}:{port}"
        with sessions() as db:
            if demo:
                from journeymap.web.demo import seed_demo

                err.print("preparing the demo workspace (the demo shop, measured)...")
                email, password = seed_demo(db)
                if password:
                    err.print(f"demo admin: {email}  password: {password}  (shown once)")
                else:
                    err.print(f"demo admin: {email} (the password shown when it was made)")
            first = store.user_count(db) == 0
        where = s.database_url.split("@")[-1] if s.database else str(s.data_dir / "journeymap.db")
        err.print(f"database: {where}")
        if first:
            stdout().print(
                f"Open {address}/setup to create the first admin (or: journeymap users add --admin)"
            )
        else:
            stdout().print(f"Open {address}/ and sign in")

    app = create_app(s)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        app.state.engine.dispose()


@users.command("add")
@handle_errors
def add_user(
    email: Annotated[str, typer.Option(help="The account's email.")],
    name: Annotated[str, typer.Option(help="The name shown to the team.")],
    admin: Annotated[
        bool, typer.Option("--admin", help="A site admin (creates workspaces).")
    ] = False,
    workspace: Annotated[
        str | None,
        typer.Option(help="Add to this workspace (its slug); with --admin, created if new."),
    ] = None,
    role: Annotated[str, typer.Option(help="Role in the workspace.")] = "editor",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    data: DataDir = None,
    database: Database = None,
    config: Config = None,
) -> None:
    """Create an account (the password is asked for, never given on the command line)."""
    _web()
    from sqlalchemy import select

    from journeymap.web import store
    from journeymap.web.db import ROLES, Member, Workspace

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            raise UsageError("the two passwords differ")
    with _open(settings(config, data, database)) as sessions, sessions() as db:
        try:
            user = store.create_user(db, email, name, password, is_admin=admin)
            if workspace:
                ws = db.scalar(select(Workspace).where(Workspace.slug == workspace))
                if ws is None and admin:
                    ws = store.create_workspace(db, workspace, user, slug=workspace)
                elif ws is None:
                    raise UsageError(f"no workspace {workspace!r}")
                elif store.role_of(db, ws, user) is None:
                    if role not in ROLES:
                        raise UsageError(f"--role: expected one of {', '.join(ROLES)}")
                    db.add(Member(workspace_id=ws.id, user_id=user.id, role=role))
        except store.Invalid as exc:
            raise UsageError(f"--{exc.field or 'email'}: {exc.message}") from None
        db.commit()
    stdout().print(f"created {email}{' (admin)' if admin else ''}")


def _counted(counts: dict[str, int]) -> str:
    from journeymap._numbers import count

    return ", ".join(
        f"{count(n)} {what if n == 1 else what + 's'}"
        for n, what in (
            (counts.get("maps", 0), "map"),
            (counts.get("map_versions", 0), "version"),
            (counts.get("users", 0), "account"),
        )
    )


def _engine(config: Path | None, data: Path | None, database: str | None) -> Any:
    _web()
    from journeymap.web import db

    s = settings(config, data, database)
    if s.database is None and not (s.data_dir / "journeymap.db").exists():
        raise UsageError(
            f"{s.data_dir / 'journeymap.db'}: no such database (give --data or --database)"
        )
    engine, _ = db.connect(s.database_url)
    return engine


@handle_errors
def backup(
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="FILE", help="The backup file (.zip).")
    ],
    data: DataDir = None,
    database: Database = None,
    config: Config = None,
) -> None:
    """Copy the team app's database into one file (consistent while the app runs)."""
    from journeymap.web.backup import backup as make

    engine = _engine(config, data, database)
    try:
        counts = make(engine, output)
    finally:
        engine.dispose()
    stdout().print(f"wrote {output}: {_counted(counts)}")


@handle_errors
def restore(
    source: Annotated[
        Path, typer.Argument(metavar="FILE", help="A file `journeymap backup` wrote.")
    ],
    data: DataDir = None,
    database: Database = None,
    config: Config = None,
) -> None:
    """Load a backup into a new, empty database (SQLite or PostgreSQL)."""
    _web()
    from journeymap.web import db
    from journeymap.web.backup import restore as load

    s = settings(config, data, database)
    if s.database is None:
        s.data_dir.mkdir(parents=True, exist_ok=True)
    engine, _ = db.connect(s.database_url)
    try:
        counts = load(engine, source)
    finally:
        engine.dispose()
    stdout().print(f"restored {source}: {_counted(counts)}")
