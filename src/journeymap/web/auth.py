"""Who is asking, and may they: the request's database session, its user (from the session
cookie or an API token), the workspace role check every route makes, and CSRF.

Browsers authenticate with the ``jm_session`` cookie (HttpOnly, SameSite=Lax) and must send
the session's CSRF token with every state-changing request (form field ``csrf`` or header
``X-CSRF-Token``). Before sign-in, forms carry the ``jm_csrf`` cookie's token instead
(double submit). Scripts authenticate with ``Authorization: Bearer jm_...``, which a
browser never sends on its own, so they need no CSRF token.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session as DB
from starlette.datastructures import FormData

from journeymap.web import security, store
from journeymap.web.db import Map, Session, User, Workspace
from journeymap.web.settings import Settings

__all__ = [
    "CSRF_COOKIE",
    "SESSION_COOKIE",
    "Access",
    "Who",
    "csrf_protect",
    "database",
    "require",
]

SESSION_COOKIE = "jm_session"
CSRF_COOKIE = "jm_csrf"
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_API = "/api/"


class SignInRequired(store.AppError):
    """No signed-in user: pages redirect to the sign-in page, the API answers 401."""

    status = 401


class CsrfFailed(store.AppError):
    status = 403


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def database(request: Request) -> Iterator[DB]:
    db: DB = request.app.state.sessions()
    try:
        yield db
    finally:
        db.close()


Database = Annotated[DB, Depends(database)]


@dataclass(frozen=True)
class Who:
    """The requester: a user signed in with a cookie, one using an API token, or nobody."""

    user: User | None
    session: Session | None = None
    by_token: bool = False

    @property
    def csrf(self) -> str:
        return self.session.csrf if self.session else ""


def address(request: Request) -> str:
    return request.client.host if request.client else ""


def who(request: Request, db: Database) -> Who:
    cached = getattr(request.state, "who", None)
    if isinstance(cached, Who):
        return cached
    result = Who(None)
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        user = store.user_for_api_token(db, header[7:].strip())
        db.commit()
        if user is None:
            raise SignInRequired("the API token is not valid or was revoked")
        result = Who(user, by_token=True)
    else:
        token = request.cookies.get(SESSION_COOKIE)
        found = store.session_for(db, token, settings_of(request)) if token else None
        if found:
            result = Who(found[1], session=found[0])
    request.state.who = result
    return result


WhoDep = Annotated[Who, Depends(who)]


async def form_data(request: Request) -> FormData:
    """The request's form, read once (the CSRF check reads it first), for routes that read
    fields by name: a sync route then runs in the thread pool as any other."""
    return await request.form()


FormFields = Annotated[FormData, Depends(form_data)]


async def csrf_protect(request: Request, db: Database) -> None:
    """Refuse a state-changing browser request that does not carry its CSRF token."""
    if request.method not in _UNSAFE:
        return
    current = who(request, db)
    if current.by_token:
        return
    if current.user is None and request.url.path.startswith(_API):
        # nobody to act for, and no API route is open to everyone: the route's own check
        # answers 401, telling a script that it forgot its token (not that a form is stale)
        return
    sent = request.headers.get("x-csrf-token", "")
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf")
        sent = value if isinstance(value, str) else ""
    expected = current.csrf or request.cookies.get(CSRF_COOKIE, "")
    if not sent or not expected or not security.same(sent, expected):
        raise CsrfFailed("the form is out of date or was not sent by this app; reload the page")


@dataclass(frozen=True)
class Access:
    """A signed-in member's access to a workspace (and a map of it)."""

    user: User
    workspace: Workspace
    role: str
    who: Who

    def can(self, needed: str) -> bool:
        return store.allows(self.role, needed)


def require(needed: str) -> Any:
    """A dependency: the requester's :class:`Access` to the path's workspace, refusing
    anyone below ``needed`` (404 for non-members, so that workspaces are not revealed)."""

    def check(ws: str, current: WhoDep, db: Database) -> Access:
        if current.user is None:
            raise SignInRequired("sign in to continue")
        if "\x00" in ws:  # no workspace has one, and PostgreSQL refuses to even look
            raise store.NotFound("no such workspace")
        try:
            workspace = store.workspace(db, ws)
        except store.NotFound:
            raise store.NotFound("no such workspace") from None
        role = store.role_of(db, workspace, current.user)
        if role is None:
            raise store.NotFound("no such workspace")
        if not store.allows(role, needed):
            raise store.Forbidden(f"this needs the {needed} role; you are a {role}")
        return Access(current.user, workspace, role, current)

    return Depends(check)


def signed_in(current: WhoDep) -> User:
    if current.user is None:
        raise SignInRequired("sign in to continue")
    return current.user


SignedIn = Annotated[User, Depends(signed_in)]


def map_of(access: Access, db: DB, slug: str) -> Map:
    return store.get_map(db, access.workspace, slug)
