"""What the app does, apart from HTTP: accounts, sessions, workspaces and roles, maps and
their versions (saved, merged, restored), comments, share links, API tokens and the audit
log. The pages and the API both call these functions; the journey logic itself (reading,
checking, diffing and merging maps) is the library's.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session as DB

from journeymap.errors import MapFileError
from journeymap.formats import dumps, loads, pin_ids
from journeymap.formats.merge import Conflict, Side, merge
from journeymap.model import JourneyMap
from journeymap.model.diff import MapDiff, diff
from journeymap.model.lint import lint
from journeymap.web import security
from journeymap.web.db import (
    ROLES,
    ApiToken,
    AuditEntry,
    Comment,
    Invite,
    LoginAttempt,
    Map,
    MapVersion,
    Member,
    Session,
    ShareLink,
    User,
    Workspace,
    utcnow,
)
from journeymap.web.settings import Settings

__all__ = [
    "AppError",
    "Forbidden",
    "Invalid",
    "NotFound",
    "SaveConflict",
    "TooMany",
]

_SLUG = re.compile(r"[^a-z0-9]+")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


# ---- errors --------------------------------------------------------------------------------------


class AppError(Exception):
    """A request the app refuses, with the HTTP status and the form field at fault."""

    status = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(AppError):
    status = 404


class Forbidden(AppError):
    status = 403


class Invalid(AppError):
    status = 422


class TooMany(AppError):
    status = 429


class SaveConflict(AppError):
    """A save made on an older version changes the same fields as a newer one."""

    status = 409

    def __init__(self, conflicts: list[Conflict], ours: str, base: int, theirs: int) -> None:
        super().__init__(
            f"{len(conflicts)} change(s) conflict with version {theirs}; choose which to keep"
        )
        self.conflicts = conflicts
        self.ours = ours
        self.base = base
        self.theirs = theirs


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean(text: str, field: str) -> str:
    """``text`` without its surrounding blanks; control characters (a NUL...) are refused,
    on every database alike."""
    found = _CONTROL.search(text)
    if found:
        raise Invalid(f"holds a control character (U+{ord(found.group()):04X})", field)
    return text.strip()


def slugify(text: str, fallback: str = "map") -> str:
    return _SLUG.sub("-", text.lower()).strip("-")[:80] or fallback


# ---- audit ---------------------------------------------------------------------------------------


def audit(
    db: DB,
    action: str,
    *,
    user: User | None = None,
    workspace: Workspace | None = None,
    detail: str = "",
    address: str = "",
) -> None:
    db.add(
        AuditEntry(
            action=action,
            user_id=user.id if user else None,
            workspace_id=workspace.id if workspace else None,
            detail=detail[:1000],
            address=address[:64],
        )
    )


def audit_log(db: DB, workspace: Workspace, limit: int = 500) -> list[tuple[AuditEntry, str]]:
    rows = db.execute(
        select(AuditEntry, User.email)
        .outerjoin(User, User.id == AuditEntry.user_id)
        .where(AuditEntry.workspace_id == workspace.id)
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    ).all()
    return [(entry, email or "") for entry, email in rows]


# ---- accounts and sessions -----------------------------------------------------------------------


def user_count(db: DB) -> int:
    return int(db.scalar(select(func.count(User.id))) or 0)


def create_user(db: DB, email: str, name: str, password: str, *, is_admin: bool = False) -> User:
    email = clean(email, "email").lower()
    name = clean(name, "name")
    if not _EMAIL.match(email) or len(email) > 320:
        raise Invalid("expected an email address such as ana@example.com", "email")
    if not name.strip():
        raise Invalid("expected a name", "name")
    problem = security.password_problem(password)
    if problem:
        raise Invalid(problem, "password")
    if db.scalar(select(User).where(User.email == email)):
        raise Invalid("an account with this email exists; sign in instead", "email")
    user = User(
        email=email,
        name=name.strip()[:200],
        password_hash=security.hash_password(password),
        is_admin=is_admin,
    )
    db.add(user)
    db.flush()
    return user


def sign_in(db: DB, email: str, password: str, address: str, settings: Settings) -> User:
    """The account, or :class:`Invalid` (wrong email or password, never which) or
    :class:`TooMany` after too many failures for this account from this address."""
    email = email.strip().lower()
    since = utcnow() - dt.timedelta(minutes=settings.login_window_minutes)
    failures = db.scalar(
        select(func.count(LoginAttempt.id)).where(
            LoginAttempt.email == email, LoginAttempt.address == address, LoginAttempt.at >= since
        )
    )
    if (failures or 0) >= settings.login_attempts:
        raise TooMany(
            f"too many failed sign-ins; try again in {settings.login_window_minutes:g} minutes"
        )
    user = db.scalar(select(User).where(User.email == email))
    if not security.check_password(user.password_hash if user else None, password):
        db.add(LoginAttempt(email=email[:320], address=address[:64]))
        audit(db, "sign-in-failed", detail=email, address=address)
        db.commit()
        raise Invalid("wrong email or password", "password")
    assert user is not None
    db.execute(delete(LoginAttempt).where(LoginAttempt.email == email))
    for ws in workspaces_of(db, user):
        audit(db, "sign-in", user=user, workspace=ws, address=address)
    return user


def start_session(db: DB, user: User, settings: Settings) -> str:
    """A new session for ``user``; returns the cookie's token (stored hashed)."""
    token = security.new_token()
    now = utcnow()
    db.add(
        Session(
            token_hash=security.hash_token(token),
            user_id=user.id,
            csrf=security.new_token(),
            created_at=now,
            seen_at=now,
            expires_at=now + dt.timedelta(hours=settings.session_hours),
        )
    )
    return token


def session_for(db: DB, token: str, settings: Settings) -> tuple[Session, User] | None:
    """The live session and its user for a cookie token; expired ones are ended."""
    found = db.execute(
        select(Session, User)
        .join(User, User.id == Session.user_id)
        .where(Session.token_hash == security.hash_token(token))
    ).first()
    if found is None:
        return None
    sess, user = found
    now = utcnow()
    idle = dt.timedelta(minutes=settings.idle_minutes)
    if now >= sess.expires_at or now - sess.seen_at > idle:
        db.delete(sess)
        db.commit()
        return None
    if now - sess.seen_at > min(idle / 10, dt.timedelta(minutes=5)):
        sess.seen_at = now
        db.commit()
    return sess, user


def end_session(db: DB, sess: Session) -> None:
    db.delete(sess)


def end_all_sessions(db: DB, user: User) -> int:
    result = db.execute(delete(Session).where(Session.user_id == user.id))
    return int(getattr(result, "rowcount", 0) or 0)


def change_password(db: DB, user: User, current: str, new: str) -> None:
    if not security.check_password(user.password_hash, current):
        raise Invalid("the current password is wrong", "current")
    problem = security.password_problem(new)
    if problem:
        raise Invalid(problem, "new")
    user.password_hash = security.hash_password(new)


# ---- API tokens ----------------------------------------------------------------------------------


def create_api_token(db: DB, user: User, name: str) -> str:
    if not clean(name, "name"):
        raise Invalid("expected a name for the token", "name")
    token = security.new_token("jm_")
    db.add(
        ApiToken(
            user_id=user.id,
            name=name.strip()[:200],
            token_hash=security.hash_token(token),
            prefix=token[:7],
        )
    )
    return token


def api_tokens(db: DB, user: User) -> Sequence[ApiToken]:
    return db.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    ).all()


def revoke_api_token(db: DB, user: User, token_id: int) -> None:
    tok = db.get(ApiToken, token_id)
    if tok is None or tok.user_id != user.id:
        raise NotFound("no such token")
    tok.revoked_at = tok.revoked_at or utcnow()


def user_for_api_token(db: DB, token: str) -> User | None:
    tok = db.scalar(select(ApiToken).where(ApiToken.token_hash == security.hash_token(token)))
    if tok is None or tok.revoked_at is not None:
        return None
    tok.last_used_at = utcnow()
    return db.get(User, tok.user_id)


# ---- workspaces, members, invites ----------------------------------------------------------------


def create_workspace(db: DB, name: str, admin: User, slug: str | None = None) -> Workspace:
    if not clean(name, "name"):
        raise Invalid("expected a name", "name")
    slug = slugify(slug or name, "workspace")
    if db.scalar(select(Workspace).where(Workspace.slug == slug)):
        raise Invalid(f"a workspace called {slug!r} exists", "name")
    ws = Workspace(slug=slug, name=name.strip()[:200])
    db.add(ws)
    db.flush()
    db.add(Member(workspace_id=ws.id, user_id=admin.id, role="admin"))
    audit(db, "workspace-created", user=admin, workspace=ws, detail=ws.name)
    return ws


def workspaces_of(db: DB, user: User) -> list[Workspace]:
    return list(
        db.scalars(
            select(Workspace)
            .join(Member, Member.workspace_id == Workspace.id)
            .where(Member.user_id == user.id)
            .order_by(Workspace.name)
        )
    )


def workspace(db: DB, slug: str) -> Workspace:
    ws = db.scalar(select(Workspace).where(Workspace.slug == slug))
    if ws is None:
        raise NotFound("no such workspace")
    return ws


def role_of(db: DB, ws: Workspace, user: User) -> str | None:
    return db.scalar(
        select(Member.role).where(Member.workspace_id == ws.id, Member.user_id == user.id)
    )


def allows(role: str | None, needed: str) -> bool:
    return role is not None and ROLES.index(role) >= ROLES.index(needed)


def members(db: DB, ws: Workspace) -> list[tuple[Member, User]]:
    rows = db.execute(
        select(Member, User)
        .join(User, User.id == Member.user_id)
        .where(Member.workspace_id == ws.id)
        .order_by(User.name)
    ).all()
    return [(m, u) for m, u in rows]


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise Invalid(f"expected a role: {', '.join(ROLES)}", "role")


def _admins(db: DB, ws: Workspace) -> int:
    return int(
        db.scalar(
            select(func.count(Member.id)).where(
                Member.workspace_id == ws.id, Member.role == "admin"
            )
        )
        or 0
    )


def set_role(db: DB, ws: Workspace, by: User, user_id: int, role: str) -> None:
    _check_role(role)
    member = db.scalar(
        select(Member).where(Member.workspace_id == ws.id, Member.user_id == user_id)
    )
    if member is None:
        raise NotFound("no such member")
    if member.role == "admin" and role != "admin" and _admins(db, ws) == 1:
        raise Invalid("a workspace keeps at least one admin", "role")
    old, member.role = member.role, role
    who = db.get(User, user_id)
    audit(
        db,
        "role-changed",
        user=by,
        workspace=ws,
        detail=f"{who.email if who else user_id}: {old} -> {role}",
    )


def remove_member(db: DB, ws: Workspace, by: User, user_id: int) -> None:
    member = db.scalar(
        select(Member).where(Member.workspace_id == ws.id, Member.user_id == user_id)
    )
    if member is None:
        raise NotFound("no such member")
    if member.role == "admin" and _admins(db, ws) == 1:
        raise Invalid("a workspace keeps at least one admin", "role")
    who = db.get(User, user_id)
    db.delete(member)
    audit(db, "member-removed", user=by, workspace=ws, detail=who.email if who else str(user_id))


def create_invite(db: DB, ws: Workspace, by: User, role: str, settings: Settings) -> str:
    _check_role(role)
    token = security.new_token()
    db.add(
        Invite(
            workspace_id=ws.id,
            token_hash=security.hash_token(token),
            role=role,
            created_by=by.id,
            expires_at=utcnow() + dt.timedelta(days=settings.invite_days),
        )
    )
    audit(db, "invite-created", user=by, workspace=ws, detail=f"role {role}")
    return token


def invite(db: DB, token: str) -> tuple[Invite, Workspace]:
    inv = db.scalar(select(Invite).where(Invite.token_hash == security.hash_token(token)))
    if inv is None or inv.used_at is not None or inv.expires_at <= utcnow():
        raise NotFound("this invite link is not valid: it was used, it expired or it is wrong")
    ws = db.get(Workspace, inv.workspace_id)
    assert ws is not None
    return inv, ws


def accept_invite(db: DB, token: str, user: User) -> Workspace:
    inv, ws = invite(db, token)
    inv.used_at = utcnow()
    current = db.scalar(
        select(Member).where(Member.workspace_id == ws.id, Member.user_id == user.id)
    )
    if current is None:
        db.add(Member(workspace_id=ws.id, user_id=user.id, role=inv.role))
    elif ROLES.index(inv.role) > ROLES.index(current.role):
        current.role = inv.role
    audit(db, "invite-accepted", user=user, workspace=ws, detail=f"role {inv.role}")
    return ws


# ---- maps and versions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MapFilter:
    q: str = ""
    status: str = ""
    owner: str = ""
    persona: str = ""
    stage: str = ""
    review_due: bool = False


def _read(text: str, file: str, field_name: str = "text") -> JourneyMap:
    try:
        return loads(text, file=file)
    except MapFileError as exc:
        raise Invalid(str(exc), field_name) from None


def _listing(row: Map, m: JourneyMap) -> None:
    row.title = m.name[:500]
    row.status = m.status
    row.owner = (m.owner or "")[:200] or None
    row.persona = m.persona.name[:200] if m.persona else None
    row.stages = "\n".join(s.name for s in m.stages)
    row.review_due = m.review.due if m.review else None
    findings = lint(m)
    row.lint_errors = sum(f.severity == "error" for f in findings)
    row.lint_warnings = sum(f.severity == "warning" for f in findings)


def list_maps(db: DB, ws: Workspace, flt: MapFilter | None = None) -> list[Map]:
    flt = flt or MapFilter()
    query = select(Map).where(Map.workspace_id == ws.id)
    if flt.q:
        like = f"%{flt.q.lower()}%"
        query = query.where(
            func.lower(Map.title).like(like)
            | func.lower(func.coalesce(Map.persona, "")).like(like)
            | func.lower(Map.stages).like(like)
        )
    if flt.status:
        query = query.where(Map.status == flt.status)
    if flt.owner:
        query = query.where(Map.owner == flt.owner)
    if flt.persona:
        query = query.where(Map.persona == flt.persona)
    if flt.stage:
        query = query.where(func.lower(Map.stages).like(f"%{flt.stage.lower()}%"))
    if flt.review_due:
        query = query.where(Map.review_due <= dt.date.today())
    return list(db.scalars(query.order_by(Map.updated_at.desc(), Map.id.desc())))


def get_map(db: DB, ws: Workspace, slug: str) -> Map:
    row = db.scalar(select(Map).where(Map.workspace_id == ws.id, Map.slug == slug))
    if row is None:
        raise NotFound("no such map")
    return row


def version(db: DB, row: Map, number: int | None = None) -> MapVersion:
    v = db.scalar(
        select(MapVersion).where(
            MapVersion.map_id == row.id, MapVersion.number == (number or row.head)
        )
    )
    if v is None:
        raise NotFound(f"map {row.slug!r} has no version {number}")
    return v


def versions(db: DB, row: Map) -> list[tuple[MapVersion, str]]:
    rows = db.execute(
        select(MapVersion, User.name)
        .outerjoin(User, User.id == MapVersion.author_id)
        .where(MapVersion.map_id == row.id)
        .order_by(MapVersion.number.desc())
    ).all()
    return [(v, name or "") for v, name in rows]


def current_map(db: DB, row: Map, number: int | None = None) -> JourneyMap:
    v = version(db, row, number)
    return loads(v.text, file=f"{row.slug}.yaml")


def _normalise(text: str, file: str) -> tuple[JourneyMap, str]:
    """The map and its text with every id written out (ids are how edits are merged and
    comments anchored)."""
    m = pin_ids(_read(text, file))
    return m, dumps(m)


def create_map(
    db: DB,
    ws: Workspace,
    text: str,
    author: User,
    message: str = "created",
    *,
    file: str = "map.yaml",
) -> Map:
    """A new map from a map file's text (``file`` names it in errors)."""
    m, text = _normalise(text, file)
    base = slugify(m.id or m.name)
    slug, n = base, 1
    while db.scalar(select(Map.id).where(Map.workspace_id == ws.id, Map.slug == slug)):
        n += 1
        slug = f"{base}-{n}"
    row = Map(workspace_id=ws.id, slug=slug, head=1)
    _listing(row, m)
    db.add(row)
    db.flush()
    db.add(
        MapVersion(map_id=row.id, number=1, text=text, author_id=author.id, message=message[:1000])
    )
    audit(db, "map-created", user=author, workspace=ws, detail=f"{slug}: {m.name}")
    return row


def save_map(
    db: DB,
    row: Map,
    text: str,
    *,
    base: int,
    author: User,
    message: str = "",
    resolutions: Mapping[str, Side] | None = None,
) -> MapVersion:
    """Save ``text`` (an edit of version ``base``) as a new version.

    When the map moved on since ``base``, the edit is merged with the newer version: edits
    to different elements or fields are both kept; the same field changed twice raises
    :class:`SaveConflict` unless ``resolutions`` settles it. Nothing is ever overwritten.
    """
    # lock the map row so that two saves never take the same number
    db.execute(update(Map).where(Map.id == row.id).values(head=Map.head))
    db.refresh(row)
    _, ours = _normalise(text, f"{row.slug}.yaml")
    if base < 1 or base > row.head:
        raise Invalid(f"expected a version between 1 and {row.head}", "base")
    head = version(db, row)
    merged_note = ""
    if base != row.head:
        result = merge(
            version(db, row, base).text,
            ours,
            head.text,
            resolutions=resolutions,
            file=f"{row.slug}.yaml",
        )
        if result.text is None:
            raise SaveConflict(result.conflicts, ours, base, row.head)
        ours = result.text
        merged_note = f" (made on version {base}, merged with version {row.head})"
    new_map = _read(ours, f"{row.slug}.yaml")
    changes = diff(loads(head.text), new_map)
    number = row.head + 1
    saved = MapVersion(
        map_id=row.id,
        number=number,
        text=ours,
        author_id=author.id,
        message=((message.strip() or changes.summary()) + merged_note)[:1000],
        summary=changes.summary()[:1000],
    )
    db.add(saved)
    row.head = number
    row.updated_at = utcnow()
    _listing(row, new_map)
    return saved


def restore(db: DB, row: Map, number: int, author: User) -> MapVersion:
    old = version(db, row, number)
    return save_map(
        db, row, old.text, base=row.head, author=author, message=f"restored version {number}"
    )


def version_diff(db: DB, row: Map, a: int, b: int) -> MapDiff:
    return diff(current_map(db, row, a), current_map(db, row, b))


def attach_measurement(db: DB, row: Map, report_markdown: str) -> None:
    """Keep a measurement's report (Markdown, as ``journeymap measure -o report.md`` writes)
    with the map; its page shows the latest."""
    row.measurement = report_markdown


def delete_map(db: DB, ws: Workspace, row: Map, by: User) -> None:
    audit(db, "map-deleted", user=by, workspace=ws, detail=f"{row.slug}: {row.title}")
    db.delete(row)


# ---- comments ------------------------------------------------------------------------------------


@dataclass
class Thread:
    first: Comment
    author: str
    replies: list[tuple[Comment, str]] = field(default_factory=list)


def comments(db: DB, row: Map) -> list[Thread]:
    rows = db.execute(
        select(Comment, User.name)
        .outerjoin(User, User.id == Comment.author_id)
        .where(Comment.map_id == row.id)
        .order_by(Comment.id)
    ).all()
    threads: dict[int, Thread] = {}
    for c, name in rows:
        if c.thread_id is None:
            threads[c.id] = Thread(c, name or "")
        elif c.thread_id in threads:
            threads[c.thread_id].replies.append((c, name or ""))
    return list(threads.values())


def add_comment(
    db: DB, row: Map, author: User, body: str, anchor: str = "", thread: int | None = None
) -> Comment:
    body = clean(body, "body")
    anchor = clean(anchor, "anchor")
    if not body:
        raise Invalid("expected some text", "body")
    if len(body) > 10_000:
        raise Invalid("at most 10,000 characters", "body")
    if thread is not None:
        first = db.get(Comment, thread)
        if first is None or first.map_id != row.id or first.thread_id is not None:
            raise NotFound("no such thread")
        anchor = first.anchor
    c = Comment(
        map_id=row.id, thread_id=thread, anchor=anchor[:300], author_id=author.id, body=body
    )
    db.add(c)
    db.flush()
    return c


def set_resolved(db: DB, row: Map, thread: int, resolved: bool) -> None:
    first = db.get(Comment, thread)
    if first is None or first.map_id != row.id or first.thread_id is not None:
        raise NotFound("no such thread")
    first.resolved = resolved


# ---- share links ---------------------------------------------------------------------------------


def create_share(db: DB, ws: Workspace, row: Map, by: User, expires: dt.date | None = None) -> str:
    if expires is not None and expires <= dt.date.today():
        raise Invalid("expected a date after today", "expires")
    token = security.new_token()
    db.add(
        ShareLink(
            map_id=row.id,
            token_hash=security.hash_token(token),
            prefix=token[:6],
            created_by=by.id,
            expires_at=dt.datetime.combine(expires, dt.time()) if expires else None,
        )
    )
    audit(
        db,
        "share-created",
        user=by,
        workspace=ws,
        detail=f"{row.slug}, expires {expires or 'never'}",
    )
    return token


def shares(db: DB, row: Map) -> Sequence[ShareLink]:
    return db.scalars(
        select(ShareLink).where(ShareLink.map_id == row.id).order_by(ShareLink.id)
    ).all()


def revoke_share(db: DB, ws: Workspace, row: Map, by: User, share_id: int) -> None:
    link = db.get(ShareLink, share_id)
    if link is None or link.map_id != row.id:
        raise NotFound("no such share link")
    link.revoked_at = link.revoked_at or utcnow()
    audit(db, "share-revoked", user=by, workspace=ws, detail=f"{row.slug} {link.prefix}…")


def shared_map(db: DB, token: str) -> Map:
    link = db.scalar(select(ShareLink).where(ShareLink.token_hash == security.hash_token(token)))
    if (
        link is None
        or link.revoked_at is not None
        or (link.expires_at is not None and link.expires_at <= utcnow())
    ):
        raise NotFound("this link is not valid: it was revoked, it expired or it is wrong")
    row = db.get(Map, link.map_id)
    if row is None:
        raise NotFound("this map was deleted")
    return row


def to_plain(obj: Any) -> Any:
    """A dataclass-free, JSON-ready copy (for API answers)."""
    if isinstance(obj, dt.datetime | dt.date):
        return obj.isoformat()
    return obj
