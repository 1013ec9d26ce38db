"""Accounts: the first admin, sign-in and its limits, sessions, passwords, invites."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from journeymap.web.db import AuditEntry, Invite, Session, User

if TYPE_CHECKING:
    from conftest import Client, Team

PASSWORD = "correct horse battery staple"


def test_first_start_asks_for_the_first_admin_then_never_again(app: Any, browser: Any) -> None:
    c = browser()
    assert c.get("/").headers["location"] == "/setup"
    c.page("/setup")
    r = c.submit(
        "/setup",
        {"email": "ana@example.com", "name": "Ana", "password": "short", "workspace": "CX"},
    )
    assert r.status_code == 422
    assert "at least 10 characters" in r.text
    assert 'value="ana@example.com"' in r.text  # nothing typed is lost
    r = c.submit(
        "/setup",
        {"email": "ana@example.com", "name": "Ana", "password": PASSWORD, "workspace": "CX"},
    )
    assert r.status_code == 303
    assert c.get("/").headers["location"] == "/w/cx/"
    other = browser()
    assert other.get("/setup").headers["location"] == "/login"
    other.page("/login")
    r = other.submit("/setup", {"email": "eve@example.com", "name": "Eve", "password": PASSWORD})
    assert r.status_code == 403
    with app.state.sessions() as db:
        [user] = db.scalars(select(User)).all()
        assert user.password_hash.startswith("$argon2id$")
        assert PASSWORD not in user.password_hash


def test_a_wrong_password_says_nothing_about_the_account_and_attempts_are_limited(
    team: Team,
) -> None:
    c = team.client()
    wrong = c.sign_in("editor@example.com", "not the password")
    unknown = c.sign_in("nobody@example.com", "not the password")
    assert wrong.status_code == unknown.status_code == 422
    assert "wrong email or password" in wrong.text and "wrong email or password" in unknown.text
    for _ in range(4):
        c.sign_in("editor@example.com", "still wrong")
    # the fifth failure from this address locks the account for the window, even with the
    # right password
    limited = c.sign_in("editor@example.com")
    assert limited.status_code == 429
    assert "too many failed sign-ins" in limited.text
    with team.app.state.sessions() as db:
        actions = db.scalars(select(AuditEntry.action)).all()
    assert actions.count("sign-in-failed") == 6  # the locked attempt is not counted


def test_sessions_expire_when_idle(team: Team) -> None:
    c = team["editor"]
    assert c.get("/w/cx/").status_code == 200
    with team.app.state.sessions() as db:
        for s in db.scalars(select(Session)).all():
            s.seen_at = s.seen_at - dt.timedelta(hours=3)
        db.commit()
    r = c.get("/w/cx/")
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login?next=/w/cx/")


def test_password_change_signs_out_every_other_browser(team: Team) -> None:
    first = team["editor"]
    second = team.client()
    assert second.sign_in("editor@example.com").status_code == 303
    first.page("/account")
    r = first.submit(
        "/account/password", {"current_password": "wrong one here", "new": "a new password 1"}
    )
    assert r.status_code == 422
    assert "current password is wrong" in r.text
    first.page("/account")
    r = first.submit("/account/password", {"current_password": PASSWORD, "new": "a new password 1"})
    assert r.status_code == 303
    assert first.get("/w/cx/").status_code == 200
    assert second.get("/w/cx/").status_code == 303
    assert team.client().sign_in("editor@example.com", "a new password 1").status_code == 303


def test_sign_out_everywhere(team: Team) -> None:
    first = team["commenter"]
    second = team.client()
    second.sign_in("commenter@example.com")
    first.page("/account")
    assert first.submit("/logout-everywhere").status_code == 303
    assert first.get("/w/cx/").status_code == 303
    assert second.get("/w/cx/").status_code == 303


def test_sign_in_follows_only_this_apps_paths(team: Team) -> None:
    c = team.client()
    c.page("/login")
    r = c.submit(
        "/login", {"email": "viewer@example.com", "password": PASSWORD, "next": "//evil.example/x"}
    )
    assert r.headers["location"] == "/"
    c = team.client()
    c.page("/login")
    r = c.submit("/login", {"email": "viewer@example.com", "password": PASSWORD, "next": "/w/cx/"})
    assert r.headers["location"] == "/w/cx/"


def test_an_invite_link_makes_a_member_once_and_expires(team: Team) -> None:
    admin = team["admin"]
    admin.page("/w/cx/members")
    r = admin.submit("/w/cx/invites", {"role": "commenter"})
    link = r.text.split('id="invite-link">')[1].split("<")[0]
    path = "/" + link.split("/", 3)[3]
    guest: Client = team.client()
    assert "as <strong>commenter</strong>" in guest.page(path).text
    r = guest.submit(path, {"email": "new@example.com", "name": "Nia New", "password": PASSWORD})
    assert r.status_code == 303 and r.headers["location"] == "/w/cx/"
    assert guest.get("/w/cx/").status_code == 200
    # used once
    assert team.client().get(path).status_code == 404
    # an expired one
    r = admin.submit("/w/cx/invites", {"role": "viewer"})
    path = "/" + r.text.split('id="invite-link">')[1].split("<")[0].split("/", 3)[3]
    with team.app.state.sessions() as db:
        for inv in db.scalars(select(Invite)).all():
            inv.expires_at = inv.expires_at - dt.timedelta(days=8)
        db.commit()
    assert team.client().get(path).status_code == 404


def test_the_last_admin_stays_an_admin(team: Team) -> None:
    admin = team["admin"]
    admin.page("/w/cx/members")
    with team.app.state.sessions() as db:
        admin_id = db.scalar(select(User.id).where(User.email == "admin@example.com"))
    r = admin.submit(f"/w/cx/members/{admin_id}/role", {"role": "viewer"})
    assert r.status_code == 422
    assert "at least one admin" in r.text
    r = admin.submit(f"/w/cx/members/{admin_id}/remove")
    assert r.status_code == 422
