"""The team app's tests run twice: on the embedded SQLite database and on PostgreSQL (one
suite for both, as ibis runs one suite for all its backends).

PostgreSQL comes from ``JOURNEYMAP_TEST_POSTGRES`` (a URL; ``.ci/run`` starts Debian's
server and sets it). Each test gets a schema of its own there, dropped afterwards.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from journeymap.web.app import create_app
from journeymap.web.settings import Settings

PASSWORD = "correct horse battery staple"
ROLES = ("viewer", "commenter", "editor", "admin")


def postgres_url() -> str:
    url = os.environ.get("JOURNEYMAP_TEST_POSTGRES", "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail(
                "JOURNEYMAP_TEST_POSTGRES is not set: .ci/run starts PostgreSQL and sets it"
            )
        pytest.skip("JOURNEYMAP_TEST_POSTGRES is not set (CI sets it)")
    return url


@pytest.fixture(autouse=True)
def _quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2id with its smallest cost: the same algorithm and checks, a hundred times
    faster (the default cost is for attackers, not for a test suite)."""
    from argon2 import PasswordHasher

    from journeymap.web import security

    monkeypatch.setattr(
        security, "_HASHER", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )


@pytest.fixture(params=["sqlite", "postgresql"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    if request.param == "sqlite":
        yield Settings(data_dir=tmp_path / "data")
        return
    import sqlalchemy as sa

    url = postgres_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in url else "?"
    try:
        yield Settings(
            data_dir=tmp_path / "data", database=f"{url}{sep}options=-csearch_path%3D{schema}"
        )
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


@pytest.fixture
def app(settings: Settings) -> Iterator[Any]:
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


_CSRF = re.compile(r'name="csrf-token" content="([^"]*)"')


class Client(TestClient):
    """A browser: it keeps cookies and sends each form with the CSRF token of the page it
    last saw (as a real form would)."""

    csrf = ""

    def page(self, url: str, **kwargs: Any) -> Any:
        r = self.get(url, **kwargs)
        found = _CSRF.search(r.text)
        if found and found.group(1):
            self.csrf = found.group(1)
        return r

    def submit(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        if not self.csrf:
            self.page("/login")
        return self.post(url, data={"csrf": self.csrf, **(data or {})}, **kwargs)

    def sign_in(self, email: str, password: str = PASSWORD) -> Any:
        self.page("/login")
        return self.submit("/login", {"email": email, "password": password})


def client(app: Any) -> Client:
    return Client(app, follow_redirects=False)


@dataclass
class Team:
    """A workspace ``cx`` with one member of each role, each signed in in a browser."""

    app: Any
    clients: dict[str, Client]
    emails: dict[str, str]
    password: str = PASSWORD

    def client(self) -> Client:
        """A new browser, signed out."""
        return client(self.app)

    def __getitem__(self, role: str) -> Client:
        return self.clients[role]

    def new_map(self, template: str = "ecommerce", title: str = "") -> str:
        admin = self.clients["admin"]
        admin.page("/w/cx/")
        r = admin.submit("/w/cx/maps", {"template": template, "title": title})
        assert r.status_code == 303, r.text
        return str(r.headers["location"])


@pytest.fixture
def browser(app: Any) -> Any:
    """A factory of new browsers (signed out) on the app."""
    return lambda: client(app)


@pytest.fixture
def team(app: Any) -> Team:
    from journeymap.web import store
    from journeymap.web.db import Member

    admin = client(app)
    admin.page("/setup")
    r = admin.submit(
        "/setup",
        {
            "email": "admin@example.com",
            "name": "Ada Admin",
            "password": PASSWORD,
            "workspace": "CX",
        },
    )
    assert r.status_code == 303, r.text
    clients, emails = {"admin": admin}, {"admin": "admin@example.com"}
    with app.state.sessions() as db:
        ws = store.workspace(db, "cx")
        for role in ROLES[:-1]:
            email = f"{role}@example.com"
            user = store.create_user(db, email, role.capitalize(), PASSWORD)
            db.add(Member(workspace_id=ws.id, user_id=user.id, role=role))
            emails[role] = email
        db.commit()
    for role in ROLES[:-1]:
        c = client(app)
        assert c.sign_in(emails[role]).status_code == 303
        clients[role] = c
    for c in clients.values():
        c.page("/w/cx/")
    return Team(app, clients, emails)


@dataclass
class Live:
    """The app served by uvicorn on 127.0.0.1 (a real HTTP server), with an admin's API token."""

    url: str
    app: Any
    token: str


@pytest.fixture
def live(app: Any) -> Iterator[Live]:
    import socket
    import threading
    import time

    import uvicorn

    from journeymap.web import store

    with app.state.sessions() as db:
        user = store.create_user(db, "admin@example.com", "Ada Admin", PASSWORD, is_admin=True)
        store.create_workspace(db, "CX", user)
        token = store.create_api_token(db, user, "tests")
        db.commit()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the app did not start"
        time.sleep(0.02)
    yield Live(f"http://127.0.0.1:{port}", app, token)
    server.should_exit = True
    thread.join(10)
