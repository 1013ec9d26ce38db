"""Pages for working together: comment threads, share links (and the shared map itself),
members and invites, the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from journeymap.web import store
from journeymap.web.auth import Access, Database, csrf_protect, require, settings_of
from journeymap.web.db import ROLES
from journeymap.web.pages.maps import map_url
from journeymap.web.views import drawn, page

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

Viewer = Annotated[Access, require("viewer")]
Commenter = Annotated[Access, require("commenter")]
Editor = Annotated[Access, require("editor")]
Admin = Annotated[Access, require("admin")]
Text = Annotated[str, Form()]


# ---- comments ------------------------------------------------------------------------------------


@router.post("/w/{ws}/maps/{slug}/comments")
def comment(
    slug: str,
    access: Commenter,
    db: Database,
    body: Text,
    anchor: Annotated[str, Form()] = "map",
    thread: Annotated[int | None, Form()] = None,
) -> Response:
    row = store.get_map(db, access.workspace, slug)
    c = store.add_comment(db, row, access.user, body, anchor, thread)
    db.commit()
    return RedirectResponse(
        map_url(access, row, f"#comment-{c.thread_id or c.id}"), status_code=303
    )


@router.post("/w/{ws}/maps/{slug}/comments/{thread}/{action}")
def resolve_thread(
    slug: str, thread: int, action: str, access: Commenter, db: Database
) -> Response:
    if action not in ("resolve", "reopen"):
        raise store.NotFound("expected resolve or reopen")
    row = store.get_map(db, access.workspace, slug)
    store.set_resolved(db, row, thread, action == "resolve")
    db.commit()
    return RedirectResponse(map_url(access, row, f"#comment-{thread}"), status_code=303)


# ---- share links ---------------------------------------------------------------------------------


@router.post("/w/{ws}/maps/{slug}/shares")
def share(
    request: Request,
    slug: str,
    access: Editor,
    db: Database,
    expires: Annotated[str, Form()] = "",
) -> Response:
    row = store.get_map(db, access.workspace, slug)
    try:
        until = dt.date.fromisoformat(expires) if expires else None
    except ValueError:
        raise store.Invalid("expected a date such as 2027-01-31", "expires") from None
    token = store.create_share(db, access.workspace, row, access.user, until)
    db.commit()
    link = str(request.base_url).rstrip("/") + f"/s/{token}"
    return page(request, "shared-link.html", access.who, access=access, row=row, link=link)


@router.post("/w/{ws}/maps/{slug}/shares/{share_id}/revoke")
def revoke_share(slug: str, share_id: int, access: Editor, db: Database) -> Response:
    row = store.get_map(db, access.workspace, slug)
    store.revoke_share(db, access.workspace, row, access.user, share_id)
    db.commit()
    return RedirectResponse(map_url(access, row, "#sharing"), status_code=303)


@router.get("/s/{token}")
def shared(request: Request, token: str, db: Database) -> Response:
    row = store.shared_map(db, token)
    version = store.version(db, row)
    return page(request, "shared.html", None, row=row, shown=drawn(version, f"{row.slug}.yaml"))


# ---- members, invites, audit ---------------------------------------------------------------------


@router.get("/w/{ws}/members")
def members(request: Request, access: Admin, db: Database) -> Response:
    return page(
        request, "members.html", access.who, access=access,
        members=store.members(db, access.workspace), roles=ROLES,
    )  # fmt: skip


def _members_change(
    request: Request, access: Access, db: Database, change: Callable[[], None]
) -> Response:
    """Make a change to the members and go back to them; a refusal stays on the page."""
    try:
        change()
    except store.Invalid as exc:
        return page(
            request, "members.html", access.who, 422, access=access,
            members=store.members(db, access.workspace), roles=ROLES, error=exc,
        )  # fmt: skip
    db.commit()
    return RedirectResponse(f"/w/{access.workspace.slug}/members", status_code=303)


@router.post("/w/{ws}/members/{user_id}/role")
def set_role(request: Request, user_id: int, access: Admin, db: Database, role: Text) -> Response:
    return _members_change(
        request,
        access,
        db,
        lambda: store.set_role(db, access.workspace, access.user, user_id, role),
    )


@router.post("/w/{ws}/members/{user_id}/remove")
def remove_member(request: Request, user_id: int, access: Admin, db: Database) -> Response:
    return _members_change(
        request, access, db, lambda: store.remove_member(db, access.workspace, access.user, user_id)
    )


@router.post("/w/{ws}/invites")
def invite(request: Request, access: Admin, db: Database, role: Text) -> Response:
    token = store.create_invite(db, access.workspace, access.user, role, settings_of(request))
    db.commit()
    link = str(request.base_url).rstrip("/") + f"/invite/{token}"
    return page(
        request, "members.html", access.who, access=access,
        members=store.members(db, access.workspace), roles=ROLES, invite_link=link,
        invite_role=role,
    )  # fmt: skip


@router.get("/w/{ws}/audit")
def audit(request: Request, access: Admin, db: Database) -> Response:
    return page(
        request, "audit.html", access.who, access=access,
        entries=store.audit_log(db, access.workspace),
    )  # fmt: skip
