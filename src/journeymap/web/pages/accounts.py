"""Pages for accounts: the first admin, sign in and out, password, API tokens, invites, and
the list of one's workspaces."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from journeymap.web import store
from journeymap.web.auth import (
    SESSION_COOKIE,
    Database,
    SignedIn,
    WhoDep,
    address,
    csrf_protect,
    settings_of,
)
from journeymap.web.db import User
from journeymap.web.views import page

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

Text = Annotated[str, Form()]


def _safe_next(target: str) -> str:
    """Only a path of this app (no scheme, no other host) is followed after sign-in."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _signed_in(request: Request, db: Database, user: User, target: str) -> Response:
    token = store.start_session(db, user, settings_of(request))
    db.commit()
    response = RedirectResponse(_safe_next(target), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=settings_of(request).secure_cookies,
        max_age=int(settings_of(request).session_hours * 3600),
    )
    return response


@router.get("/")
def home(request: Request, current: WhoDep, db: Database) -> Response:
    if current.user is None:
        if store.user_count(db) == 0:
            return RedirectResponse("/setup", status_code=303)
        return RedirectResponse("/login", status_code=303)
    spaces = store.workspaces_of(db, current.user)
    if len(spaces) == 1:
        return RedirectResponse(f"/w/{spaces[0].slug}/", status_code=303)
    return page(request, "home.html", current, workspaces=spaces)


@router.post("/workspaces")
def new_workspace(
    request: Request, user: SignedIn, current: WhoDep, db: Database, name: Text
) -> Response:
    if not user.is_admin:
        raise store.Forbidden("only a site admin creates workspaces")
    try:
        ws = store.create_workspace(db, name, user)
    except store.Invalid as exc:
        spaces = store.workspaces_of(db, user)
        return page(request, "home.html", current, 422, workspaces=spaces, error=exc, name=name)
    db.commit()
    return RedirectResponse(f"/w/{ws.slug}/", status_code=303)


@router.get("/setup")
def setup_form(request: Request, current: WhoDep, db: Database) -> Response:
    if store.user_count(db):
        return RedirectResponse("/login", status_code=303)
    return page(request, "setup.html", current)


@router.post("/setup")
def setup(
    request: Request,
    db: Database,
    current: WhoDep,
    email: Text,
    name: Text,
    password: Text,
    workspace: Annotated[str, Form()] = "Our team",
) -> Response:
    if store.user_count(db):
        raise store.Forbidden("the first admin exists already; sign in")
    try:
        user = store.create_user(db, email, name, password, is_admin=True)
        store.create_workspace(db, workspace, user)
    except store.Invalid as exc:
        db.rollback()
        form = {"email": email, "name": name, "workspace": workspace}
        return page(request, "setup.html", current, 422, error=exc, form=form)
    return _signed_in(request, db, user, "/")


@router.get("/login")
def login_form(request: Request, current: WhoDep, db: Database, next: str = "/") -> Response:
    if store.user_count(db) == 0:
        return RedirectResponse("/setup", status_code=303)
    return page(request, "login.html", current, next=_safe_next(next))


@router.post("/login")
def login(
    request: Request,
    db: Database,
    current: WhoDep,
    email: Text,
    password: Text,
    next: Annotated[str, Form()] = "/",
) -> Response:
    try:
        user = store.sign_in(db, email, password, address(request), settings_of(request))
    except (store.Invalid, store.TooMany) as exc:
        return page(
            request,
            "login.html",
            current,
            exc.status,
            error=exc,
            email=email,
            next=_safe_next(next),
        )
    return _signed_in(request, db, user, next)


@router.post("/logout")
def logout(current: WhoDep, db: Database) -> Response:
    if current.session is not None:
        store.end_session(db, current.session)
        db.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/logout-everywhere")
def logout_everywhere(user: SignedIn, db: Database) -> Response:
    store.end_all_sessions(db, user)
    db.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/account")
def account(request: Request, user: SignedIn, current: WhoDep, db: Database) -> Response:
    return page(request, "account.html", current, tokens=store.api_tokens(db, user))


@router.post("/account/password")
def password(
    request: Request,
    user: SignedIn,
    current: WhoDep,
    db: Database,
    current_password: Text,
    new: Text,
) -> Response:
    try:
        store.change_password(db, user, current_password, new)
    except store.Invalid as exc:
        return page(
            request, "account.html", current, 422, tokens=store.api_tokens(db, user), error=exc
        )
    # every other browser is signed out; this one stays
    store.end_all_sessions(db, user)
    return _signed_in(request, db, user, "/account?changed=1")


@router.post("/account/tokens")
def new_token(
    request: Request, user: SignedIn, current: WhoDep, db: Database, name: Text
) -> Response:
    try:
        token = store.create_api_token(db, user, name)
    except store.Invalid as exc:
        return page(
            request, "account.html", current, 422, tokens=store.api_tokens(db, user), error=exc
        )
    db.commit()
    return page(
        request, "account.html", current, tokens=store.api_tokens(db, user), new_token=token
    )


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(token_id: int, user: SignedIn, db: Database) -> Response:
    store.revoke_api_token(db, user, token_id)
    db.commit()
    return RedirectResponse("/account", status_code=303)


@router.get("/invite/{token}")
def invite_page(request: Request, token: str, current: WhoDep, db: Database) -> Response:
    inv, ws = store.invite(db, token)
    return page(request, "invite.html", current, workspace=ws, role=inv.role, token=token)


@router.post("/invite/{token}")
def accept(
    request: Request,
    token: str,
    current: WhoDep,
    db: Database,
    email: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
) -> Response:
    inv, ws = store.invite(db, token)
    if current.user is not None:
        store.accept_invite(db, token, current.user)
        db.commit()
        return RedirectResponse(f"/w/{ws.slug}/", status_code=303)
    try:
        user = store.create_user(db, email, name, password)
        store.accept_invite(db, token, user)
    except store.Invalid as exc:
        db.rollback()
        form = {"email": email, "name": name}
        return page(
            request, "invite.html", current, 422, workspace=ws, role=inv.role, token=token,
            error=exc, form=form,
        )  # fmt: skip
    return _signed_in(request, db, user, f"/w/{ws.slug}/")
