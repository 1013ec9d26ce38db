"""The app's commands: `journeymap serve`, `users add`, `backup` and `restore`."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from typer.testing import CliRunner

from journeymap.cli import app as cli
from journeymap.web.settings import Settings

PASSWORD = "correct horse battery staple"


def invoke(*args: str, stdin: str | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), input=stdin)


def where(settings: Settings) -> list[str]:
    return (
        ["--database", settings.database]
        if settings.database
        else ["--data", str(settings.data_dir)]
    )


def test_users_add_backup_and_restore_into_another_database(
    settings: Settings, tmp_path: Path
) -> None:
    source = tmp_path / "source"
    r = invoke(
        "users",
        "add",
        "--email",
        "ana@example.com",
        "--name",
        "Ana",
        "--admin",
        "--workspace",
        "cx",
        "--password-stdin",
        "--data",
        str(source),
        stdin=PASSWORD + "\n",
    )
    assert r.exit_code == 0, r.output
    r = invoke(
        "users",
        "add",
        "--email",
        "bo@example.com",
        "--name",
        "Bo",
        "--workspace",
        "cx",
        "--role",
        "viewer",
        "--password-stdin",
        "--data",
        str(source),
        stdin=PASSWORD + "\n",
    )
    assert r.exit_code == 0, r.output
    r = invoke(
        "users",
        "add",
        "--email",
        "bo@example.com",
        "--name",
        "Bo",
        "--password-stdin",
        "--data",
        str(source),
        stdin=PASSWORD + "\n",
    )
    assert r.exit_code == 2 and "exists" in r.output
    r = invoke(
        "users",
        "add",
        "--email",
        "cy@example.com",
        "--name",
        "Cy",
        "--password-stdin",
        "--data",
        str(source),
        stdin="short\n",
    )
    assert r.exit_code == 2 and "--password: use at least 10 characters" in r.output

    from journeymap.formats.templates import template_text
    from journeymap.web import store
    from journeymap.web.db import connect

    engine, sessions = connect(Settings(data_dir=source).database_url)
    with sessions() as db:
        ws = store.workspace(db, "cx")
        ana = db.scalars(
            store.select(store.User).where(store.User.email == "ana@example.com")
        ).one()
        row = store.create_map(db, ws, template_text("ecommerce"), ana)
        store.add_comment(db, row, ana, "Check the refunds")
        db.commit()
    engine.dispose()

    backup = tmp_path / "team.zip"
    r = invoke("backup", "-o", str(backup), "--data", str(source))
    assert r.exit_code == 0, r.output
    assert "1 map, 1 version, 2 accounts" in r.output
    r = invoke("restore", str(backup), *where(settings))
    assert r.exit_code == 0, r.output
    r = invoke("restore", str(backup), *where(settings))
    assert r.exit_code == 2 and "not empty" in r.output

    from journeymap.web.app import create_app

    app = create_app(settings)
    try:
        with app.state.sessions() as db:
            restored = store.get_map(db, store.workspace(db, "cx"), row.slug)
            assert store.comments(db, restored)[0].first.body == "Check the refunds"
            user = store.sign_in(db, "bo@example.com", PASSWORD, "127.0.0.1", settings)
            assert store.role_of(db, store.workspace(db, "cx"), user) == "viewer"
            # new rows after a restore get new ids (PostgreSQL's sequences moved on)
            again = store.create_map(
                db, store.workspace(db, "cx"), template_text("lifecycle"), user
            )
            db.commit()
            assert again.id > restored.id
    finally:
        app.state.engine.dispose()
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip")
    r = invoke("restore", str(bad), "--data", str(tmp_path / "other"))
    assert r.exit_code == 2 and "not a journeymap backup" in r.output


def test_serve_starts_on_an_empty_data_folder_and_asks_for_the_first_admin(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = Path(sys.executable).parent / "journeymap"
    env = {**os.environ, "JOURNEYMAP_SECURE_COOKIES": "false"}
    proc = subprocess.Popen(
        [str(exe), "serve", "--data", str(tmp_path / "data"), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert re.search(rf"Open http://localhost:{port}/setup to create the first admin", line), (
            line
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the app did not answer"
                time.sleep(0.1)
        assert r.status_code == 303 and r.headers["location"] == "/setup"
        assert (tmp_path / "data" / "journeymap.db").exists()
        css = httpx.get(f"http://127.0.0.1:{port}/static/vendor/htmx.min.js", timeout=2)
        assert css.status_code == 200 and len(css.content) > 10_000
    finally:
        proc.terminate()
        proc.communicate(timeout=10)


def test_bad_settings_are_clear_errors(tmp_path: Path) -> None:
    config = tmp_path / "app.toml"
    config.write_text("session_hours = -1\nnot_a_setting = 1\n", encoding="utf-8")
    r = invoke(
        "users",
        "add",
        "--email",
        "a@example.com",
        "--name",
        "A",
        "--password-stdin",
        "--config",
        str(config),
        stdin=PASSWORD + "\n",
    )
    assert r.exit_code == 2
    assert "app.toml" in r.output and "session_hours" in r.output and "not_a_setting" in r.output
    r = invoke("backup", "-o", str(tmp_path / "x.zip"), "--data", str(tmp_path / "none"))
    assert r.exit_code == 2 and "no such database" in r.output
    r = invoke(
        "users",
        "add",
        "--email",
        "a@example.com",
        "--name",
        "A",
        "--password-stdin",
        "--database",
        "postgresql://nobody:wrong@127.0.0.1:1/none",
        stdin=PASSWORD + "\n",
    )
    assert r.exit_code == 2 and "cannot open the database" in r.output
    assert "Traceback" not in r.output
