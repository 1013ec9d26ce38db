"""The REST API (``/api/v1``), described by the OpenAPI document at ``/api/openapi.json``.

The same role checks as the pages: a viewer reads, a commenter also comments, an editor
also saves, an admin also manages members. Scripts authenticate with a personal API token
(``Authorization: Bearer jm_...``); a browser session may call it too, with its CSRF token
in ``X-CSRF-Token``. A save is an edit of the version it names (``base``): merged when the
map moved on, refused with 409 and the conflicts when both changed the same field.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.responses import Response

from journeymap.errors import JourneyMapError
from journeymap.formats.merge import Side
from journeymap.web import store
from journeymap.web.auth import Access, Database, csrf_protect, require
from journeymap.web.db import Map

router = APIRouter(prefix="/api/v1", dependencies=[Depends(csrf_protect)], tags=["maps"])

Viewer = Annotated[Access, require("viewer")]
Commenter = Annotated[Access, require("commenter")]
Editor = Annotated[Access, require("editor")]
Admin = Annotated[Access, require("admin")]
Slug = Annotated[str, Path(max_length=200)]

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No valid API token or session"},
    403: {"description": "The role does not allow it"},
    404: {"description": "No such workspace, map or version (or not a member)"},
}


class MapSummary(BaseModel):
    slug: str
    title: str
    status: str
    owner: str | None
    persona: str | None
    stages: list[str]
    review_due: dt.date | None
    lint_errors: int
    lint_warnings: int
    head: int
    updated_at: dt.datetime


class MapDocument(BaseModel):
    slug: str
    version: int
    text: str = Field(description="The map file (YAML), as the CLI reads it.")


class NewMap(BaseModel):
    text: str = Field(max_length=1 << 20, description="A map file (YAML or JSON).")
    message: str = Field(default="", max_length=1000)


class Edit(BaseModel):
    text: str = Field(max_length=1 << 20, description="The whole map file after the edit.")
    base: int = Field(ge=1, description="The version the edit was made on.")
    message: str = Field(default="", max_length=1000)
    resolutions: dict[str, Literal["ours", "theirs"]] = Field(
        default_factory=dict, description="For each conflict's path, the side to keep."
    )


class Saved(BaseModel):
    slug: str
    version: int
    message: str
    merged: bool


class ConflictOut(BaseModel):
    path: str
    label: str
    base: Any
    ours: Any
    theirs: Any


class Conflicts(BaseModel):
    error: str
    base: int
    theirs: int
    conflicts: list[ConflictOut]


class VersionOut(BaseModel):
    number: int
    author: str
    message: str
    summary: str
    created_at: dt.datetime


class ChangeOut(BaseModel):
    kind: str
    path: str
    subject: str
    message: str
    stage: str | None


class DiffOut(BaseModel):
    summary: str
    changes: list[ChangeOut]


class CommentOut(BaseModel):
    id: int
    thread: int | None
    anchor: str
    author: str
    body: str
    resolved: bool
    created_at: dt.datetime


class NewComment(BaseModel):
    body: str = Field(min_length=1, max_length=10_000)
    anchor: str = Field(default="map", max_length=300)
    thread: int | None = None


class MemberOut(BaseModel):
    user_id: int
    email: str
    name: str
    role: str


class RoleIn(BaseModel):
    role: Literal["viewer", "commenter", "editor", "admin"]


def _summary(row: Map) -> MapSummary:
    return MapSummary(
        slug=row.slug, title=row.title, status=row.status, owner=row.owner, persona=row.persona,
        stages=[s for s in row.stages.split("\n") if s], review_due=row.review_due,
        lint_errors=row.lint_errors, lint_warnings=row.lint_warnings, head=row.head,
        updated_at=row.updated_at,
    )  # fmt: skip


@router.get("/w/{ws}/maps", responses=_ERRORS)
def list_maps(access: Viewer, db: Database, q: str = "", status: str = "") -> list[MapSummary]:
    """The workspace's maps, newest change first."""
    rows = store.list_maps(db, access.workspace, store.MapFilter(q=q, status=status))
    return [_summary(r) for r in rows]


@router.post("/w/{ws}/maps", status_code=201, responses={**_ERRORS, 422: {}})
def create_map(body: NewMap, access: Editor, db: Database) -> MapDocument:
    """A new map from a map file."""
    row = store.create_map(db, access.workspace, body.text, access.user, body.message or "created")
    db.commit()
    return MapDocument(slug=row.slug, version=1, text=store.version(db, row).text)


@router.get("/w/{ws}/maps/{slug}", responses=_ERRORS)
def get_map(slug: Slug, access: Viewer, db: Database, version: int | None = None) -> MapDocument:
    """A map's file: its newest version, or the one asked for."""
    row = store.get_map(db, access.workspace, slug)
    v = store.version(db, row, version)
    return MapDocument(slug=row.slug, version=v.number, text=v.text)


@router.put(
    "/w/{ws}/maps/{slug}",
    responses={**_ERRORS, 409: {"model": Conflicts}, 422: {}},
)
async def save_map(slug: Slug, body: Edit, access: Editor, db: Database) -> Response:
    """Save an edit of version ``base`` as a new version (merged when the map moved on)."""
    return await run_in_threadpool(_save, slug, body, access, db)


def _save(slug: str, body: Edit, access: Access, db: Database) -> Response:
    row = store.get_map(db, access.workspace, slug)
    resolutions: dict[str, Side] = dict(body.resolutions)
    try:
        saved = store.save_map(
            db, row, body.text, base=body.base, author=access.user, message=body.message,
            resolutions=resolutions,
        )  # fmt: skip
    except store.SaveConflict as exc:
        db.rollback()
        out = Conflicts(
            error=exc.message, base=exc.base, theirs=exc.theirs,
            conflicts=[ConflictOut(**c.__dict__) for c in exc.conflicts],
        )  # fmt: skip
        return JSONResponse(out.model_dump(mode="json"), status_code=409)
    except JourneyMapError as exc:
        db.rollback()
        raise store.Invalid(str(exc), "text") from None
    db.commit()
    out_saved = Saved(
        slug=row.slug,
        version=saved.number,
        message=saved.message,
        merged=body.base != saved.number - 1,
    )
    return JSONResponse(out_saved.model_dump(mode="json"))


@router.get("/w/{ws}/maps/{slug}/versions", responses=_ERRORS)
def list_versions(slug: Slug, access: Viewer, db: Database) -> list[VersionOut]:
    row = store.get_map(db, access.workspace, slug)
    return [
        VersionOut(
            number=v.number,
            author=name,
            message=v.message,
            summary=v.summary,
            created_at=v.created_at,
        )
        for v, name in store.versions(db, row)
    ]


@router.get("/w/{ws}/maps/{slug}/diff", responses=_ERRORS)
def version_diff(slug: Slug, a: int, b: int, access: Viewer, db: Database) -> DiffOut:
    """The semantic diff from version ``a`` to version ``b``."""
    row = store.get_map(db, access.workspace, slug)
    changes = store.version_diff(db, row, a, b)
    return DiffOut(
        summary=changes.summary(),
        changes=[
            ChangeOut(kind=c.kind, path=c.path, subject=c.subject, message=c.message, stage=c.stage)
            for c in changes.changes
        ],
    )


@router.get("/w/{ws}/maps/{slug}/comments", responses=_ERRORS)
def list_comments(slug: Slug, access: Viewer, db: Database) -> list[CommentOut]:
    row = store.get_map(db, access.workspace, slug)
    out: list[CommentOut] = []
    for t in store.comments(db, row):
        for c, name in [(t.first, t.author), *t.replies]:
            out.append(CommentOut(id=c.id, thread=c.thread_id, anchor=c.anchor, author=name,
                                  body=c.body, resolved=t.first.resolved,
                                  created_at=c.created_at))  # fmt: skip
    return out


@router.post("/w/{ws}/maps/{slug}/comments", status_code=201, responses={**_ERRORS, 422: {}})
def add_comment(slug: Slug, body: NewComment, access: Commenter, db: Database) -> CommentOut:
    row = store.get_map(db, access.workspace, slug)
    c = store.add_comment(db, row, access.user, body.body, body.anchor, body.thread)
    db.commit()
    return CommentOut(id=c.id, thread=c.thread_id, anchor=c.anchor, author=access.user.name,
                      body=c.body, resolved=False, created_at=c.created_at)  # fmt: skip


@router.get("/w/{ws}/members", responses=_ERRORS)
def list_members(access: Admin, db: Database) -> list[MemberOut]:
    return [
        MemberOut(user_id=u.id, email=u.email, name=u.name, role=m.role)
        for m, u in store.members(db, access.workspace)
    ]


@router.put("/w/{ws}/members/{user_id}", responses={**_ERRORS, 422: {}})
def set_member_role(user_id: int, body: RoleIn, access: Admin, db: Database) -> MemberOut:
    store.set_role(db, access.workspace, access.user, user_id, body.role)
    db.commit()
    for m, u in store.members(db, access.workspace):
        if u.id == user_id:
            return MemberOut(user_id=u.id, email=u.email, name=u.name, role=m.role)
    raise store.NotFound("no such member")
