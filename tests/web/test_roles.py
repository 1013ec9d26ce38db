"""Who may do what: every route of the app against every role, and CSRF on every route that
changes something.

:data:`ROUTES` holds each route's minimum: a workspace role (``viewer`` < ``commenter`` <
``editor`` < ``admin``), ``signed-in`` (any account), ``site-admin`` (the site's admin
account), ``public`` (anyone, signed in or not) or ``nobody`` (the first-run setup, closed
once an admin exists). A route of the app without an entry fails
:func:`test_every_route_has_a_case`, so that a new route cannot go unchecked.

Each route is called with real values in its path (a map of the workspace, a comment
thread, a share link, a member, a version, an API token...) and a valid form or body, so
that a refusal is the role check's doing and a missing check would show as a change.
Below the minimum the answer is 403 or 404 and the database is unchanged; at or above it
the request goes through. Signed out, a page sends the browser to the sign-in page and the
API answers 401.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa
from fastapi.routing import APIRoute

from journeymap.web import store
from journeymap.web.db import ApiToken, Base, Member, ShareLink, User

if TYPE_CHECKING:
    from conftest import Client, Team

ROLES = ("viewer", "commenter", "editor", "admin")
#: the routes the app gets from FastAPI and Starlette, not from the app's own code
SKIPPED = frozenset({"openapi", "swagger_ui_html", "swagger_ui_redirect", "static"})
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

#: (method, path) -> who may call it (see the module's docstring)
ROUTES: dict[tuple[str, str], str] = {
    # accounts (pages/accounts.py)
    ("GET", "/"): "signed-in",
    ("POST", "/workspaces"): "site-admin",
    ("GET", "/setup"): "public",
    ("POST", "/setup"): "nobody",
    ("GET", "/login"): "public",
    ("POST", "/login"): "public",
    ("POST", "/logout"): "public",
    ("POST", "/logout-everywhere"): "signed-in",
    ("GET", "/account"): "signed-in",
    ("POST", "/account/password"): "signed-in",
    ("POST", "/account/tokens"): "signed-in",
    ("POST", "/account/tokens/{token_id}/revoke"): "signed-in",
    ("GET", "/invite/{token}"): "public",
    ("POST", "/invite/{token}"): "public",
    # maps (pages/maps.py)
    ("GET", "/w/{ws}/"): "viewer",
    ("POST", "/w/{ws}/maps"): "editor",
    ("POST", "/w/{ws}/maps/import"): "editor",
    ("GET", "/w/{ws}/maps/{slug}"): "viewer",
    ("GET", "/w/{ws}/maps/{slug}/export/{fmt}"): "viewer",
    ("GET", "/w/{ws}/maps/{slug}/yaml"): "editor",
    ("POST", "/w/{ws}/maps/{slug}/yaml"): "editor",
    ("POST", "/w/{ws}/maps/{slug}/resolve"): "editor",
    ("GET", "/w/{ws}/maps/{slug}/history"): "viewer",
    ("POST", "/w/{ws}/maps/{slug}/restore/{number}"): "editor",
    ("POST", "/w/{ws}/maps/{slug}/delete"): "admin",
    ("GET", "/w/{ws}/templates/{name}"): "viewer",
    # element forms (pages/editing.py)
    ("GET", "/w/{ws}/maps/{slug}/edit"): "editor",
    ("GET", "/w/{ws}/maps/{slug}/edit/{kind}/{element}"): "editor",
    ("POST", "/w/{ws}/maps/{slug}/edit/{kind}/{element}"): "editor",
    ("POST", "/w/{ws}/maps/{slug}/add/{kind}"): "editor",
    ("POST", "/w/{ws}/maps/{slug}/remove/{kind}/{element}"): "editor",
    # comments, shares, members, audit (pages/team.py)
    ("POST", "/w/{ws}/maps/{slug}/comments"): "commenter",
    ("POST", "/w/{ws}/maps/{slug}/comments/{thread}/{action}"): "commenter",
    ("POST", "/w/{ws}/maps/{slug}/shares"): "editor",
    ("POST", "/w/{ws}/maps/{slug}/shares/{share_id}/revoke"): "editor",
    ("GET", "/s/{token}"): "public",
    ("GET", "/w/{ws}/members"): "admin",
    ("POST", "/w/{ws}/members/{user_id}/role"): "admin",
    ("POST", "/w/{ws}/members/{user_id}/remove"): "admin",
    ("POST", "/w/{ws}/invites"): "admin",
    ("GET", "/w/{ws}/audit"): "admin",
    # the REST API (api.py)
    ("GET", "/api/v1/w/{ws}/maps"): "viewer",
    ("POST", "/api/v1/w/{ws}/maps"): "editor",
    ("GET", "/api/v1/w/{ws}/maps/{slug}"): "viewer",
    ("PUT", "/api/v1/w/{ws}/maps/{slug}"): "editor",
    ("GET", "/api/v1/w/{ws}/maps/{slug}/versions"): "viewer",
    ("GET", "/api/v1/w/{ws}/maps/{slug}/diff"): "viewer",
    ("GET", "/api/v1/w/{ws}/maps/{slug}/comments"): "viewer",
    ("POST", "/api/v1/w/{ws}/maps/{slug}/comments"): "commenter",
    ("PUT", "/api/v1/w/{ws}/maps/{slug}/measurement"): "editor",
    ("GET", "/api/v1/w/{ws}/members"): "admin",
    ("PUT", "/api/v1/w/{ws}/members/{user_id}"): "admin",
}

#: a small map with a KPI nothing points at (removed by the remove-element route)
SMALL_MAP = (
    "title: Small\nstatus: draft\nstages:\n  - id: s1\n    name: First\n"
    "kpis:\n  - id: k1\n    name: Orders\n"
)


def app_routes(app: Any) -> set[tuple[str, str]]:
    """Every (method, path) the app answers, but FastAPI's own documentation routes and
    the static files (skipped by name, so that anything else new is seen)."""
    try:  # FastAPI keeps included routers unflattened and walks them with this
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older FastAPI: app.routes is flat
        contexts: list[Any] = list(app.routes)
    else:
        contexts = list(iter_route_contexts(app.routes))
    found: set[tuple[str, str]] = set()
    for route in contexts:
        original = getattr(route, "original_route", route)
        if route.name in SKIPPED:
            continue
        assert isinstance(original, APIRoute), f"unexpected route {route.path} ({route.name})"
        for method in sorted(route.methods or ()):
            found.add((method, route.path))
    return found


def allowed(minimum: str, role: str | None) -> bool:
    """Whether ``role`` (``None``: signed out) passes ``minimum``; in the team, only the
    admin is the site's admin."""
    if minimum == "public":
        return True
    if minimum == "nobody" or role is None:
        return False
    if minimum == "signed-in":
        return True
    if minimum == "site-admin":
        return role == "admin"
    return ROLES.index(role) >= ROLES.index(minimum)


# ---- the world the requests are made in ----------------------------------------------------------


@dataclass
class Request:
    """One request: the URL, and a form (pages) or a JSON body (API)."""

    url: str
    form: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    files: list[tuple[str, tuple[str, bytes, str]]] | None = None


@dataclass
class World:
    """The team's workspace with a map, a comment thread, a share link, a spare member and
    an API token for each role; makes fresh ones for the requests that use them up."""

    team: Team
    slug: str = ""
    stage: str = ""
    thread: int = 0
    share_token: str = ""
    spare: int = 0
    tokens: dict[str, str] = field(default_factory=dict)
    counter: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def app(self) -> Any:
        return self.team.app

    def db(self) -> Any:
        return self.app.state.sessions()

    def user(self, db: Any, role: str) -> User:
        found = db.scalar(sa.select(User).where(User.email == self.team.emails[role]))
        assert found is not None
        return found  # type: ignore[no-any-return]

    def setup(self) -> World:
        # a small map (the blank one): saving a big one takes a second
        self.slug = self.team.new_map(template="", title="Roles").rsplit("/", 1)[-1]
        with self.db() as db:
            ws = store.workspace(db, "cx")
            row = store.get_map(db, ws, self.slug)
            self.stage = store.current_map(db, row).stages[0].id
            admin = self.user(db, "admin")
            self.thread = store.add_comment(db, row, admin, "Is this right?", "map").id
            self.share_token = store.create_share(db, ws, row, admin)
            db.commit()
            for role in ROLES:
                self.tokens[role] = store.create_api_token(db, self.user(db, role), "tests")
            db.commit()
        self.spare = self.new_member()
        return self

    def unique(self, stem: str) -> str:
        return f"{stem}-{next(self.counter)}"

    def head(self) -> tuple[int, str]:
        with self.db() as db:
            row = store.get_map(db, store.workspace(db, "cx"), self.slug)
            return row.head, store.version(db, row).text

    def new_member(self) -> int:
        with self.db() as db:
            ws = store.workspace(db, "cx")
            name = self.unique("spare")
            user = store.create_user(db, f"{name}@example.com", name, self.team.password)
            db.add(Member(workspace_id=ws.id, user_id=user.id, role="viewer"))
            db.commit()
            return user.id

    def new_map(self, text: str = SMALL_MAP) -> str:
        with self.db() as db:
            ws = store.workspace(db, "cx")
            row = store.create_map(db, ws, text, self.user(db, "admin"))
            db.commit()
            return row.slug

    def new_share(self) -> int:
        with self.db() as db:
            ws = store.workspace(db, "cx")
            row = store.get_map(db, ws, self.slug)
            token = store.create_share(db, ws, row, self.user(db, "admin"))
            db.commit()
            link = db.scalar(
                sa.select(ShareLink.id)
                .where(ShareLink.prefix == token[:6])
                .order_by(ShareLink.id.desc())
            )
            return int(link)

    def new_invite(self) -> str:
        with self.db() as db:
            ws = store.workspace(db, "cx")
            token = store.create_invite(
                db, ws, self.user(db, "admin"), "viewer", self.app.state.settings
            )
            db.commit()
            return token

    def new_token_id(self, role: str | None) -> int:
        with self.db() as db:
            user = self.user(db, role or "viewer")
            token = store.create_api_token(db, user, self.unique("token"))
            db.commit()
            found = db.scalar(
                sa.select(ApiToken.id)
                .where(ApiToken.prefix == token[:7])
                .order_by(ApiToken.id.desc())
            )
            return int(found)

    # -- the request for each route, for a role (None: signed out) --

    def request(self, method: str, path: str, role: str | None) -> Request:
        maker = REQUESTS[(method, path)]
        return maker(self, role)

    def snapshot(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every table, but for the times a session or token was last used."""
        volatile = {("sessions", "seen_at"), ("api_tokens", "last_used_at")}
        out: dict[str, list[tuple[Any, ...]]] = {}
        with self.app.state.engine.connect() as conn:
            for table in Base.metadata.sorted_tables:
                columns = [c for c in table.columns if (table.name, c.name) not in volatile]
                query = sa.select(*columns).order_by(*table.primary_key.columns)
                out[table.name] = [tuple(r) for r in conn.execute(query)]
        return out

    def refused(self, method: str, path: str, attempts: list[Attempt]) -> list[str]:
        """Send each attempt at ``path`` (made beforehand, with whatever they use up), each
        to be refused; what went through, and whether anything changed in the database."""
        problems: list[str] = []
        before = self.snapshot()
        for a in attempts:
            r = send(a.client, method, path, a.request, csrf=a.csrf, headers=a.headers)
            if r.status_code not in a.expected:
                problems.append(f"{method} {a.request.url} ({a.label}): {describe(r)}")
        if self.snapshot() != before:
            labels = ", ".join(a.label for a in attempts)
            problems.append(f"{method} {path} changed the database ({labels})")
        return problems


@dataclass
class Attempt:
    """A request to be refused: who sends it, how, and the statuses that refuse it."""

    label: str
    client: Client
    request: Request
    csrf: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    expected: tuple[int, ...] = (403, 404)


def _map_path(w: World, tail: str = "", slug: str | None = None) -> str:
    return f"/w/cx/maps/{slug or w.slug}{tail}"


def _yaml_save(w: World, role: str | None) -> Request:
    head, text = w.head()
    return Request(_map_path(w, "/yaml"), {"text": text, "base": str(head), "message": "same"})


def _resolve(w: World, role: str | None) -> Request:
    head, text = w.head()
    return Request(_map_path(w, "/resolve"), {"text": text, "base": str(head), "message": "m"})


def _element_save(w: World, role: str | None) -> Request:
    head, _ = w.head()
    form = {"base": str(head), "name": w.unique("Stage"), "message": "renamed"}
    return Request(_map_path(w, f"/edit/stage/{w.stage}"), form)


def _api_save(w: World, role: str | None) -> Request:
    head, text = w.head()
    return Request(f"/api/v1{_map_path(w)}", json={"text": text, "base": head, "message": "m"})


REQUESTS: dict[tuple[str, str], Callable[[World, str | None], Request]] = {
    ("GET", "/"): lambda w, r: Request("/"),
    ("POST", "/workspaces"): lambda w, r: Request("/workspaces", {"name": w.unique("Team")}),
    ("GET", "/setup"): lambda w, r: Request("/setup"),
    ("POST", "/setup"): lambda w, r: Request(
        "/setup",
        {"email": "eve@example.com", "name": "Eve", "password": w.team.password, "workspace": "E"},
    ),
    ("GET", "/login"): lambda w, r: Request("/login"),
    ("POST", "/login"): lambda w, r: Request(
        "/login", {"email": w.team.emails[r or "viewer"], "password": w.team.password}
    ),
    ("POST", "/logout"): lambda w, r: Request("/logout"),
    ("POST", "/logout-everywhere"): lambda w, r: Request("/logout-everywhere"),
    ("GET", "/account"): lambda w, r: Request("/account"),
    ("POST", "/account/password"): lambda w, r: Request(
        "/account/password", {"current_password": w.team.password, "new": w.team.password}
    ),
    ("POST", "/account/tokens"): lambda w, r: Request("/account/tokens", {"name": "script"}),
    ("POST", "/account/tokens/{token_id}/revoke"): lambda w, r: Request(
        f"/account/tokens/{w.new_token_id(r)}/revoke"
    ),
    ("GET", "/invite/{token}"): lambda w, r: Request(f"/invite/{w.new_invite()}"),
    ("POST", "/invite/{token}"): lambda w, r: Request(
        f"/invite/{w.new_invite()}",
        {"email": f"{w.unique('new')}@example.com", "name": "New", "password": w.team.password},
    ),
    ("GET", "/w/{ws}/"): lambda w, r: Request("/w/cx/"),
    ("POST", "/w/{ws}/maps"): lambda w, r: Request(
        "/w/cx/maps", {"template": "", "title": "Another"}
    ),
    ("POST", "/w/{ws}/maps/import"): lambda w, r: Request(
        "/w/cx/maps/import",
        files=[("files", ("small.yaml", SMALL_MAP.encode(), "application/yaml"))],
    ),
    ("GET", "/w/{ws}/maps/{slug}"): lambda w, r: Request(_map_path(w)),
    ("GET", "/w/{ws}/maps/{slug}/export/{fmt}"): lambda w, r: Request(_map_path(w, "/export/yaml")),
    ("GET", "/w/{ws}/maps/{slug}/yaml"): lambda w, r: Request(_map_path(w, "/yaml")),
    ("POST", "/w/{ws}/maps/{slug}/yaml"): _yaml_save,
    ("POST", "/w/{ws}/maps/{slug}/resolve"): _resolve,
    ("GET", "/w/{ws}/maps/{slug}/history"): lambda w, r: Request(_map_path(w, "/history?a=1&b=1")),
    ("POST", "/w/{ws}/maps/{slug}/restore/{number}"): lambda w, r: Request(
        _map_path(w, "/restore/1")
    ),
    ("POST", "/w/{ws}/maps/{slug}/delete"): lambda w, r: Request(
        _map_path(w, "/delete", w.new_map())
    ),
    ("GET", "/w/{ws}/templates/{name}"): lambda w, r: Request("/w/cx/templates/ecommerce"),
    ("GET", "/w/{ws}/maps/{slug}/edit"): lambda w, r: Request(_map_path(w, "/edit")),
    ("GET", "/w/{ws}/maps/{slug}/edit/{kind}/{element}"): lambda w, r: Request(
        _map_path(w, f"/edit/stage/{w.stage}")
    ),
    ("POST", "/w/{ws}/maps/{slug}/edit/{kind}/{element}"): _element_save,
    ("POST", "/w/{ws}/maps/{slug}/add/{kind}"): lambda w, r: Request(
        _map_path(w, "/add/kpi"), {"base": str(w.head()[0])}
    ),
    ("POST", "/w/{ws}/maps/{slug}/remove/{kind}/{element}"): lambda w, r: Request(
        _map_path(w, "/remove/kpi/k1", w.new_map()), {"base": "1"}
    ),
    ("POST", "/w/{ws}/maps/{slug}/comments"): lambda w, r: Request(
        _map_path(w, "/comments"), {"body": "Looks good", "anchor": "map"}
    ),
    ("POST", "/w/{ws}/maps/{slug}/comments/{thread}/{action}"): lambda w, r: Request(
        _map_path(w, f"/comments/{w.thread}/resolve")
    ),
    ("POST", "/w/{ws}/maps/{slug}/shares"): lambda w, r: Request(_map_path(w, "/shares")),
    ("POST", "/w/{ws}/maps/{slug}/shares/{share_id}/revoke"): lambda w, r: Request(
        _map_path(w, f"/shares/{w.new_share()}/revoke")
    ),
    ("GET", "/s/{token}"): lambda w, r: Request(f"/s/{w.share_token}"),
    ("GET", "/w/{ws}/members"): lambda w, r: Request("/w/cx/members"),
    ("POST", "/w/{ws}/members/{user_id}/role"): lambda w, r: Request(
        f"/w/cx/members/{w.spare}/role", {"role": "commenter" if r else "editor"}
    ),
    ("POST", "/w/{ws}/members/{user_id}/remove"): lambda w, r: Request(
        f"/w/cx/members/{w.new_member()}/remove"
    ),
    ("POST", "/w/{ws}/invites"): lambda w, r: Request("/w/cx/invites", {"role": "viewer"}),
    ("GET", "/w/{ws}/audit"): lambda w, r: Request("/w/cx/audit"),
    ("GET", "/api/v1/w/{ws}/maps"): lambda w, r: Request("/api/v1/w/cx/maps"),
    ("POST", "/api/v1/w/{ws}/maps"): lambda w, r: Request(
        "/api/v1/w/cx/maps", json={"text": SMALL_MAP, "message": "from a script"}
    ),
    ("GET", "/api/v1/w/{ws}/maps/{slug}"): lambda w, r: Request(f"/api/v1{_map_path(w)}"),
    ("PUT", "/api/v1/w/{ws}/maps/{slug}"): _api_save,
    ("GET", "/api/v1/w/{ws}/maps/{slug}/versions"): lambda w, r: Request(
        f"/api/v1{_map_path(w, '/versions')}"
    ),
    ("GET", "/api/v1/w/{ws}/maps/{slug}/diff"): lambda w, r: Request(
        f"/api/v1{_map_path(w, '/diff')}?a=1&b={w.head()[0]}"
    ),
    ("GET", "/api/v1/w/{ws}/maps/{slug}/comments"): lambda w, r: Request(
        f"/api/v1{_map_path(w, '/comments')}"
    ),
    ("POST", "/api/v1/w/{ws}/maps/{slug}/comments"): lambda w, r: Request(
        f"/api/v1{_map_path(w, '/comments')}", json={"body": "From a script", "anchor": "map"}
    ),
    ("PUT", "/api/v1/w/{ws}/maps/{slug}/measurement"): lambda w, r: Request(
        f"/api/v1{_map_path(w, '/measurement')}", json={"report": f"# Measured by {r}\n"}
    ),
    ("GET", "/api/v1/w/{ws}/members"): lambda w, r: Request("/api/v1/w/cx/members"),
    ("PUT", "/api/v1/w/{ws}/members/{user_id}"): lambda w, r: Request(
        f"/api/v1/w/cx/members/{w.spare}", json={"role": "commenter" if r else "editor"}
    ),
}


# ---- sending -------------------------------------------------------------------------------------


def is_api(path: str) -> bool:
    return path.startswith("/api/")


def send(
    c: Client,
    method: str,
    path: str,
    req: Request,
    *,
    csrf: str | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """``req`` sent by browser ``c``: a form with ``csrf`` (the browser's token unless
    given; "" sends none), or for the API a JSON body with ``csrf`` in ``X-CSRF-Token``."""
    token = c.csrf if csrf is None else csrf
    sent = dict(headers or {})
    if method not in UNSAFE:
        return c.request(method, req.url, headers=sent)
    if is_api(path):
        if token:
            sent["X-CSRF-Token"] = token
        return c.request(method, req.url, json=req.json, headers=sent)
    form = {**req.form, **({"csrf": token} if token else {})}
    return c.request(method, req.url, data=form, files=req.files, headers=sent)


def bearer(world: World, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[role]}"}


def signed_out(world: World) -> Client:
    """A new browser that has seen the sign-in page (so it has the pre-sign-in token)."""
    c = world.team.client()
    c.page("/login")
    assert c.csrf
    return c


def keep_signed_in(world: World, role: str) -> None:
    """Sign ``role``'s browser in again after a request that signed it out (or in anew),
    and take the CSRF token of its current session."""
    c = world.team[role]
    if c.page("/account").status_code != 200:
        assert c.sign_in(world.team.emails[role]).status_code == 303
        assert c.page("/account").status_code == 200


def describe(r: Any) -> str:
    return f"{r.status_code} {r.headers.get('location', '')} {r.text[:160]!r}"


# ---- the tests -----------------------------------------------------------------------------------


def test_every_route_has_a_case(app: Any) -> None:
    found = app_routes(app)
    assert found - set(ROUTES) == set(), "routes without an entry in ROUTES (add them)"
    assert set(ROUTES) - found == set(), "entries in ROUTES for routes the app no longer has"
    assert set(REQUESTS) == set(ROUTES)


@pytest.fixture
def world(team: Team) -> World:
    return World(team).setup()


def test_each_role_below_the_minimum_is_refused_and_changes_nothing(world: World) -> None:
    """Every route, every role below its minimum (by session cookie, and by API token for
    the API): 403 or 404, and not a row of the database changed."""
    assert app_routes(world.app) == set(ROUTES)
    problems: list[str] = []
    for (method, path), minimum in ROUTES.items():
        attempts: list[Attempt] = []
        for role in ROLES:
            if allowed(minimum, role):
                continue
            req = world.request(method, path, role)
            attempts.append(Attempt(f"{role}, session", world.team[role], req))
            if is_api(path):
                req = world.request(method, path, role)
                token = bearer(world, role)
                attempts.append(Attempt(f"{role}, token", world.team.client(), req, "", token))
        problems += world.refused(method, path, attempts)
    assert not problems, "\n".join(problems)


def test_signed_out_a_page_asks_to_sign_in_and_the_api_answers_401(world: World) -> None:
    """Every route for members or accounts, signed out: a page redirects to the sign-in page
    (forms sent with the pre-sign-in CSRF token, so that only the sign-in is missing), the
    API answers 401 (with no credentials at all); nothing changes."""
    problems: list[str] = []
    for (method, path), minimum in ROUTES.items():
        if minimum == "public":
            continue
        c = signed_out(world)
        req = world.request(method, path, None)
        before = world.snapshot()
        r = send(c, method, path, req, csrf="" if is_api(path) else None)
        if minimum == "nobody":
            expected = r.status_code in (403, 404)
        elif is_api(path):
            expected = r.status_code == 401 and r.headers.get("www-authenticate") == "Bearer"
        else:
            expected = r.status_code == 303 and r.headers["location"].startswith("/login")
        if not expected:
            problems.append(f"{method} {req.url} signed out: {describe(r)}")
        if world.snapshot() != before:
            problems.append(f"{method} {req.url} signed out changed the database")
    assert not problems, "\n".join(problems)


#: the routes that sign the browser out, or in anew (with a new CSRF token)
SESSION_ROUTES = frozenset(
    {("POST", "/login"), ("POST", "/logout"), ("POST", "/logout-everywhere"),
     ("POST", "/account/password")}
)  # fmt: skip


def test_each_role_at_or_above_the_minimum_gets_through(world: World) -> None:
    """Every route, every role at or above its minimum (and signed out for public routes):
    not refused, and with the real values and forms sent, no error at all; for the API by
    session and by API token."""
    problems: list[str] = []
    for (method, path), minimum in ROUTES.items():
        for role in (None, *ROLES):
            if not allowed(minimum, role):
                continue
            ways: list[tuple[str, Client, dict[str, str]]] = []
            if role is None:
                ways.append(("signed out", signed_out(world), {}))
            else:
                ways.append(("session", world.team[role], {}))
                if is_api(path):
                    ways.append(("token", world.team.client(), bearer(world, role)))
            for how, c, headers in ways:
                req = world.request(method, path, role)
                r = send(c, method, path, req, headers=headers)
                if r.status_code >= 400:
                    problems.append(f"{method} {req.url} as {role} ({how}): {describe(r)}")
                if role is not None and (method, path) in SESSION_ROUTES:
                    keep_signed_in(world, role)
    assert not problems, "\n".join(problems)


# ---- CSRF ----------------------------------------------------------------------------------------

UNSAFE_ROUTES = sorted(k for k in ROUTES if k[0] in UNSAFE)


def test_a_browser_request_without_its_csrf_token_is_refused(world: World) -> None:
    """Every state-changing route, from the admin's browser (who may do anything) and from a
    signed-out browser: no token, a wrong token, the pre-sign-in token of a signed-in
    browser, another user's token: 403 and nothing changed."""
    admin = world.team["admin"]
    pre_sign_in = admin.cookies.get("jm_csrf") or ""
    world.team["editor"].page("/account")
    others = world.team["editor"].csrf
    assert others and others != admin.csrf and pre_sign_in and pre_sign_in != admin.csrf
    problems: list[str] = []
    for method, path in UNSAFE_ROUTES:
        cases: list[tuple[str, Client, str, str | None]] = [
            ("admin, no token", admin, "", "admin"),
            ("admin, a wrong token", admin, "not-the-token", "admin"),
            ("admin, the pre-sign-in token", admin, pre_sign_in, "admin"),
            ("admin, the editor's token", admin, others, "admin"),
        ]
        if not is_api(path):  # the API signed out is 401 (see above)
            anonymous = signed_out(world)
            cases += [
                ("signed out, no token", anonymous, "", None),
                ("signed out, a wrong token", anonymous, "not-the-token", None),
            ]
        attempts = [
            Attempt(label, c, world.request(method, path, role), token, expected=(403,))
            for label, c, token, role in cases
        ]
        problems += world.refused(method, path, attempts)
    assert not problems, "\n".join(problems)


def test_the_csrf_token_is_also_taken_from_the_header(world: World) -> None:
    admin = world.team["admin"]
    r = admin.post(
        _map_path(world, "/comments"),
        data={"body": "Sent by a script in the page"},
        headers={"X-CSRF-Token": admin.csrf},
    )
    assert r.status_code == 303, describe(r)
    r = admin.post(
        _map_path(world, "/comments"),
        data={"body": "A wrong header wins over a right field", "csrf": admin.csrf},
        headers={"X-CSRF-Token": "not-the-token"},
    )
    assert r.status_code == 403, describe(r)


def test_an_api_token_needs_no_csrf_token(world: World) -> None:
    """Every state-changing API route with the admin's API token and no CSRF token at all
    (a browser never sends an Authorization header by itself)."""
    problems: list[str] = []
    for method, path in UNSAFE_ROUTES:
        if not is_api(path):
            continue
        req = world.request(method, path, "admin")
        r = send(world.team.client(), method, path, req, csrf="", headers=bearer(world, "admin"))
        if r.status_code not in (200, 201, 204):
            problems.append(f"{method} {req.url}: {describe(r)}")
    assert not problems, "\n".join(problems)


def test_a_revoked_or_wrong_api_token_is_refused(world: World) -> None:
    c = world.team.client()
    url = "/api/v1/w/cx/maps"
    assert c.get(url, headers=bearer(world, "viewer")).status_code == 200
    wrong = c.get(url, headers={"Authorization": "Bearer jm_not-a-token"})
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"] == "Bearer"
    with world.db() as db:
        user = world.user(db, "viewer")
        [tok] = [t for t in store.api_tokens(db, user) if t.prefix == world.tokens["viewer"][:7]]
        store.revoke_api_token(db, user, tok.id)
        db.commit()
    revoked = c.get(url, headers=bearer(world, "viewer"))
    assert revoked.status_code == 401
    posted = c.post(
        f"/api/v1{_map_path(world, '/comments')}",
        json={"body": "after the revoke"},
        headers=bearer(world, "viewer"),
    )
    assert posted.status_code == 401


def test_a_member_of_another_workspace_sees_nothing_of_this_one(world: World) -> None:
    """An admin of another workspace, in this one: every workspace route answers 404 (the
    workspace is not revealed) and changes nothing."""
    with world.db() as db:
        outsider = store.create_user(db, "out@example.com", "Out", world.team.password)
        store.create_workspace(db, "Elsewhere", outsider)
        db.commit()
        token = store.create_api_token(db, outsider, "tests")
        db.commit()
    c = world.team.client()
    assert c.sign_in("out@example.com").status_code == 303
    c.page("/account")
    problems: list[str] = []
    for (method, path), minimum in ROUTES.items():
        if "{ws}" not in path:
            continue
        attempts = [Attempt(f"session, minimum {minimum}", c, world.request(method, path, None),
                            expected=(404,))]  # fmt: skip
        if is_api(path):
            headers = {"Authorization": f"Bearer {token}"}
            req = world.request(method, path, None)
            attempts.append(Attempt("token", world.team.client(), req, "", headers, (404,)))
        problems += world.refused(method, path, attempts)
    assert not problems, "\n".join(problems)


def test_only_the_site_admin_makes_workspaces(world: World) -> None:
    """``site-admin`` is not the workspace's admin role: another admin of ``cx`` may not."""
    with world.db() as db:
        ws = store.workspace(db, "cx")
        member = db.scalar(
            sa.select(Member).where(
                Member.workspace_id == ws.id, Member.user_id == world.user(db, "editor").id
            )
        )
        member.role = "admin"
        db.commit()
    attempt = Attempt("a workspace admin", world.team["editor"], Request("/workspaces"))
    attempt.request.form["name"] = "Mine"
    assert world.refused("POST", "/workspaces", [attempt]) == []
