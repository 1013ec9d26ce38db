"""The team app in a real browser: the app served by uvicorn on 127.0.0.1 (a free port, a
fresh SQLite data dir), driven through Debian's headless Chromium with Playwright.

One server and one browser serve the whole folder (package-scoped: they are closed after
its last test, as a second Playwright cannot start while one runs; test_first_start has a
server of its own, on which nobody has an account yet). Each user is a browser context of
their own, signed in once and reused; a signed-out visitor gets a fresh context every
time. After each test, every page it used must have asked nothing of any host but
127.0.0.1 and met no script error (or Content-Security-Policy refusal).

Playwright never downloads a browser here: it starts ``/usr/bin/chromium``. Without it the
tests skip on a developer's machine and fail in CI (``CI`` set).

``JOURNEYMAP_UPDATE_SCREENSHOTS=1`` makes the tests write the docs' screenshots
(``docs/img/app-*.png``, 1400x900) as they pass the pages shown there.
"""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page
    from sqlalchemy.orm import Session as DB

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 900}
PASSWORD = "correct horse battery staple"
WORKSPACE = "cx"
ADMIN = "admin@example.com"
#: who is in the workspace of :func:`team` besides its admin: email, name and role
MEMBERS = {
    "editor": ("editor@example.com", "Edda Editor", "editor"),
    "editor2": ("editor2@example.com", "Ben Second", "editor"),
    "commenter": ("commenter@example.com", "Carla Commenter", "commenter"),
    "viewer": ("viewer@example.com", "Vic Viewer", "viewer"),
}
DOCS_IMG = Path(__file__).resolve().parents[3] / "docs" / "img"
#: the slowest step (a large map drawn for the first time) takes about a second
TIMEOUT_MS = 10_000


# ---- the server ---------------------------------------------------------------------------------


#: a small map (quick to read, save and draw) for the tests that edit one: four
#: touchpoints, one of them expecting an emotion by a synonym ("Reassured", +2)
SMALL_MAP = """\
title: {title}
status: draft
owner: Head of E-commerce
persona:
  id: maya
  name: Maya
stages:
  - id: discover
    name: Discover
    touchpoints:
      - id: podcast
        name: Podcast mention
        channel: podcast
        expected_emotion: Interested
      - id: reviews
        name: Customer reviews
        channel: review-site
        expected_emotion: Reassured
  - id: buy
    name: Buy
    touchpoints:
      - id: checkout
        name: Checkout process
        channel: web
        expected_emotion: Accomplished
      - id: delivery
        name: Delivery
        channel: delivery
        expected_emotion: Delighted
"""


@dataclass
class Server:
    """The app served on ``url``; :meth:`db` opens its database (to seed it or look)."""

    url: str
    app: Any

    def db(self) -> DB:
        session: DB = self.app.state.sessions()
        return session


@contextmanager
def _serving(data_dir: Path) -> Iterator[Server]:
    import uvicorn

    from journeymap.web.app import create_app
    from journeymap.web.settings import Settings

    app = create_app(Settings(data_dir=data_dir))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_level="warning", lifespan="off", ws="none", access_log=False, http="h11"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="uvicorn", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + 15
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                pytest.fail("the app's server did not start")
            time.sleep(0.02)
        yield Server(f"http://127.0.0.1:{port}", app)
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()
        app.state.engine.dispose()


@pytest.fixture(scope="package")
def serving() -> Callable[[Path], AbstractContextManager[Server]]:
    """Starts a server on a fresh data dir (for a module that needs one of its own)."""
    return _serving


@pytest.fixture(scope="package")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real server on a free port of 127.0.0.1, on a fresh SQLite database, shared by
    the modules that work in :func:`team`'s workspace."""
    with _serving(tmp_path_factory.mktemp("e2e") / "data") as running:
        yield running


@dataclass
class Team:
    """The workspace ``cx``: its admin and one member per entry of :data:`MEMBERS`."""

    server: Server
    emails: dict[str, str] = field(default_factory=dict)

    def new_map(self, title: str, template: str = "") -> str:
        """A map (by the admin, as version 1): :data:`SMALL_MAP`, or made from
        ``template``; its page's path."""
        from journeymap.formats import dumps, pin_ids
        from journeymap.formats.templates import new_map
        from journeymap.web import store

        if template:
            text = dumps(pin_ids(new_map(template, title=title)))
        else:
            text = SMALL_MAP.format(title=title)
        with self.server.db() as db:
            ws = store.workspace(db, WORKSPACE)
            row = store.create_map(db, ws, text, self.user(db, ADMIN), "created")
            db.commit()
            return f"/w/{WORKSPACE}/maps/{row.slug}"

    @staticmethod
    def user(db: DB, email: str) -> Any:
        from sqlalchemy import select

        from journeymap.web.db import User

        return db.scalar(select(User).where(User.email == email))


@pytest.fixture(scope="package")
def team(server: Server) -> Team:
    """The workspace ``cx`` with an admin and members of every role, made in the database
    (signing up through the pages is what test_first_start and the invite test do)."""
    from journeymap.web import store
    from journeymap.web.db import Member

    with server.db() as db:
        admin = store.create_user(db, ADMIN, "Ada Admin", PASSWORD, is_admin=True)
        ws = store.create_workspace(db, "CX", admin, slug=WORKSPACE)
        for email, name, role in MEMBERS.values():
            user = store.create_user(db, email, name, PASSWORD)
            db.add(Member(workspace_id=ws.id, user_id=user.id, role=role))
        db.commit()
    return Team(server, {"admin": ADMIN, **{key: m[0] for key, m in MEMBERS.items()}})


@pytest.fixture(scope="package")
def shop(team: Team) -> str:
    """The path of a map made from the ecommerce template (a large one), which the tests
    look at but do not edit."""
    return team.new_map("Dawnleaf first purchase", template="ecommerce")


# ---- the browser --------------------------------------------------------------------------------


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium (never a downloaded browser)"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the app's browser tests: {message}")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Traffic:
    """What the pages of a browser context asked for, and what went wrong in them."""

    urls: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def outside(self) -> list[str]:
        """Requests to anything but the app on 127.0.0.1 (or data: and blob: URLs)."""
        out = []
        for url in self.urls:
            parts = urlparse(url)
            if parts.scheme in ("data", "blob", "about"):
                continue
            if parts.scheme not in ("http", "https") or parts.hostname != "127.0.0.1":
                out.append(url)
        return out


@dataclass
class Tab:
    """A browser context with its one page, and what that page asked for."""

    context: BrowserContext
    page: Page
    traffic: Traffic


def _tab(browser: Browser, server: Server) -> Tab:
    context = browser.new_context(base_url=server.url, viewport=VIEWPORT)  # type: ignore[arg-type]
    context.set_default_timeout(TIMEOUT_MS)
    traffic = Traffic()
    context.on("request", lambda r: traffic.urls.append(r.url))
    page = context.new_page()
    page.on("pageerror", lambda e: traffic.errors.append(f"{page.url}: {e}"))

    def console(message: Any) -> None:
        # the status of a page answering 403, 404 or 409 is no error of the page's
        if message.type == "error" and "Failed to load resource" not in message.text:
            traffic.errors.append(f"{page.url}: {message.text}")

    page.on("console", console)
    return Tab(context, page, traffic)


@pytest.fixture(scope="package")
def signed_in() -> Iterator[dict[tuple[str, str], Tab]]:
    """Each user's browser context, signed in, by server and email: kept for the whole
    folder, as opening a page in a fresh context is what costs most time here."""
    tabs: dict[tuple[str, str], Tab] = {}
    yield tabs
    for tab in tabs.values():
        tab.context.close()


@dataclass
class UI:
    """The tests' browser: pages on the server, each in a browser context of its own (one
    per user; a user's is reused from test to test), and what the tests do with them."""

    browser: Browser
    server: Server
    signed_in: dict[tuple[str, str], Tab]
    password: str = PASSWORD
    tabs: list[Tab] = field(default_factory=list)
    guests: list[Tab] = field(default_factory=list)

    def open(self, email: str | None = None) -> Page:
        """The page of ``email``'s browser context, signed in (or of a fresh context,
        signed out)."""
        if email is None:
            tab = _tab(self.browser, self.server)
            self.guests.append(tab)
        else:
            key = (self.server.url, email)
            if key not in self.signed_in:
                tab = _tab(self.browser, self.server)
                self.session(tab.context, email)
                self.signed_in[key] = tab
            tab = self.signed_in[key]
            assert tab not in self.tabs, f"{email} is open already"
            tab.traffic.urls.clear()
            tab.traffic.errors.clear()
        self.tabs.append(tab)
        return tab.page

    def session(self, context: BrowserContext, email: str) -> None:
        """Sign ``email`` in, as the sign-in page would (the page itself is tested by
        test_first_start): a session, its cookie in the browser."""
        from journeymap.web import store
        from journeymap.web.auth import SESSION_COOKIE

        with self.server.db() as db:
            user = Team.user(db, email)
            assert user is not None, email
            token = store.start_session(db, user, self.server.app.state.settings)
            db.commit()
        cookie = {"name": SESSION_COOKIE, "value": token, "url": self.server.url}
        context.add_cookies([cookie])  # type: ignore[list-item]

    def traffic(self, page: Page) -> Traffic:
        return next(t.traffic for t in self.tabs if t.page is page)

    @staticmethod
    def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
        """Sign in through the sign-in page."""
        page.goto("/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="Sign in").click()
        assert "/login" not in page.url, f"{email} could not sign in: {page.content()[:2000]}"

    @staticmethod
    def csrf(page: Page) -> str:
        token = page.locator('meta[name="csrf-token"]').get_attribute("content")
        assert token
        return token

    @staticmethod
    def map_ready(page: Page) -> None:
        """Wait until the map on the page is drawn and its pan and zoom set up."""
        page.locator("#map-canvas svg").first.wait_for()
        page.locator('#map-canvas[data-ready="1"]').wait_for()

    @staticmethod
    def yaml_of(page: Page, map_path: str) -> dict[str, Any]:
        """The newest version of the map, exported as YAML by the page's user."""
        import yaml

        r = page.request.get(f"{map_path}/export/yaml")
        assert r.status == 200, r.text()
        data: dict[str, Any] = yaml.safe_load(r.text())
        return data

    @staticmethod
    def touchpoint(data: dict[str, Any], tp_id: str) -> dict[str, Any]:
        """Touchpoint ``tp_id`` of a map read by :meth:`yaml_of`."""
        for stage in data["stages"]:
            for tp in stage.get("touchpoints", []):
                if tp["id"] == tp_id:
                    found: dict[str, Any] = tp
                    return found
        raise AssertionError(f"no touchpoint {tp_id} in the map")

    @staticmethod
    def screenshot(page: Page, name: str) -> None:
        """The docs' picture ``docs/img/{name}.png`` of the page as it is, 1400x900, only
        when ``JOURNEYMAP_UPDATE_SCREENSHOTS=1``."""
        if os.environ.get("JOURNEYMAP_UPDATE_SCREENSHOTS") != "1":
            return
        assert re.fullmatch(r"app-[a-z-]+", name)
        page.evaluate("document.activeElement && document.activeElement.blur()")
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(DOCS_IMG / f"{name}.png"), full_page=False)


@pytest.fixture
def ui(browser: Browser, server: Server, signed_in: dict[tuple[str, str], Tab]) -> Iterator[UI]:
    """The test's pages; afterwards, they must have asked nothing of any host but the
    app's and met no script error."""
    opened = UI(browser, server, signed_in)
    yield opened
    for tab in opened.guests:
        tab.context.close()
    for tab in opened.tabs:
        assert not tab.traffic.outside(), f"requests beyond 127.0.0.1: {tab.traffic.outside()}"
        assert not tab.traffic.errors, f"errors in the page: {tab.traffic.errors}"
