"""The REST API (``/api/v1``), described by the OpenAPI document at ``/api/openapi.json``.

The same role checks as the pages: a viewer reads, a commenter also comments, an editor
also saves, an admin also manages members. Scripts authenticate with a personal API token
(``Authorization: Bearer jm_...``); a browser session may call it too, with its CSRF token
in ``X-CSRF-Token``. A save is an edit of the version it names (``base``): merged when the
map moved on, refused with 409 and the conflicts when both changed the same field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import AfterValidator, BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.responses import Response

from journeymap.errors import JourneyMapError
from journeymap.formats.merge import Side
from journeymap.web import store
from journeymap.web.auth import Access, Database, csrf_protect, require
from journeymap.web.db import Map


class _Unreadable(store.AppError):
    """A request FastAPI cannot even read (a body that is not UTF-8 text, say)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message, "body")
        self.status = status


class _Route(APIRoute):
    """The API's routes answer FastAPI's own refusals (400 for a body it cannot read) in the
    API's error shape, as documented, not as ``{"detail": ...}``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await handle(request)
            except HTTPException as exc:
                raise _Unreadable(exc.status_code, str(exc.detail)) from None

        return handler


router = APIRouter(
    prefix="/api/v1", dependencies=[Depends(csrf_protect)], tags=["maps"], route_class=_Route
)

Viewer = Annotated[Access, require("viewer")]
Commenter = Annotated[Access, require("commenter")]
Editor = Annotated[Access, require("editor")]
Admin = Annotated[Access, require("admin")]

#: the largest number the database keeps (PostgreSQL's ``integer``): larger ones are refused
#: as invalid, not sent to the database to fail there
MAX_NUMBER = 2**31 - 1


def _plain(value: str) -> str:
    """Text the database can keep: no NUL character (PostgreSQL refuses them) and no lone
    surrogate (not UTF-8)."""
    if "\x00" in value:
        raise ValueError("must not contain a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be UTF-8 text") from None
    return value


Plain = AfterValidator(_plain)
Text = Annotated[str, Plain]
Slug = Annotated[str, Path(max_length=200), Plain]
UserId = Annotated[int, Path(ge=1, le=MAX_NUMBER)]
VersionNumber = Annotated[int, Query(ge=1, le=MAX_NUMBER)]


def _utc(value: dt.datetime) -> dt.datetime:
    """The database keeps UTC without a zone; answers say so (``...Z``), as RFC 3339 wants."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


#: a time in an answer: always with its zone
Time = Annotated[dt.datetime, AfterValidator(_utc)]


class Problem(BaseModel):
    field: str
    error: str


class ErrorOut(BaseModel):
    """A refused request: why, and the field at fault (or, for a malformed request, each
    problem)."""

    error: str
    field: str | None = None
    problems: list[Problem] | None = None


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "The body cannot be read (not UTF-8 JSON)"},
    401: {"model": ErrorOut, "description": "No valid API token or session"},
    403: {"model": ErrorOut, "description": "The role does not allow it"},
    404: {
        "model": ErrorOut,
        "description": "No such workspace, map or version (or not a member)",
    },
    422: {"model": ErrorOut, "description": "The request is not valid"},
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
    updated_at: Time


class MapDocument(BaseModel):
    slug: str
    version: int
    text: str = Field(description="The map file (YAML), as the CLI reads it.")


class NewMap(BaseModel):
    text: Text = Field(max_length=1 << 20, description="A map file (YAML or JSON).")
    message: Text = Field(default="", max_length=1000)


class Edit(BaseModel):
    text: Text = Field(max_length=1 << 20, description="The whole map file after the edit.")
    base: int = Field(ge=1, le=MAX_NUMBER, description="The version the edit was made on.")
    message: Text = Field(default="", max_length=1000)
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
    created_at: Time


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
    created_at: Time


class MeasurementIn(BaseModel):
    report: Text = Field(
        min_length=1,
        max_length=4 << 20,
        description="The measurement's report in Markdown, as `journeymap measure -o report.md` "
        "writes it; the map's page shows the latest.",
    )


class NewComment(BaseModel):
    body: Text = Field(min_length=1, max_length=10_000)
    anchor: Text = Field(default="map", max_length=300)
    thread: int | None = Field(
        default=None, ge=1, le=MAX_NUMBER, description="The thread's first comment, to reply."
    )


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
def list_maps(access: Viewer, db: Database, q: Text = "", status: Text = "") -> list[MapSummary]:
    """The workspace's maps, newest change first."""
    rows = store.list_maps(db, access.workspace, store.MapFilter(q=q, status=status))
    return [_summary(r) for r in rows]


@router.post("/w/{ws}/maps", status_code=201, responses=_ERRORS)
def create_map(body: NewMap, access: Editor, db: Database) -> MapDocument:
    """A new map from a map file."""
    row = store.create_map(db, access.workspace, body.text, access.user, body.message or "created")
    db.commit()
    return MapDocument(slug=row.slug, version=1, text=store.version(db, row).text)


@router.get("/w/{ws}/maps/{slug}", responses=_ERRORS)
def get_map(
    slug: Slug, access: Viewer, db: Database, version: VersionNumber | None = None
) -> MapDocument:
    """A map's file: its newest version, or the one asked for."""
    row = store.get_map(db, access.workspace, slug)
    v = store.version(db, row, version)
    return MapDocument(slug=row.slug, version=v.number, text=v.text)


@router.put(
    "/w/{ws}/maps/{slug}",
    responses={**_ERRORS, 200: {"model": Saved}, 409: {"model": Conflicts}},
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
def version_diff(
    slug: Slug, a: VersionNumber, b: VersionNumber, access: Viewer, db: Database
) -> DiffOut:
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


@router.post("/w/{ws}/maps/{slug}/comments", status_code=201, responses=_ERRORS)
def add_comment(slug: Slug, body: NewComment, access: Commenter, db: Database) -> CommentOut:
    row = store.get_map(db, access.workspace, slug)
    c = store.add_comment(db, row, access.user, body.body, body.anchor, body.thread)
    db.commit()
    return CommentOut(id=c.id, thread=c.thread_id, anchor=c.anchor, author=access.user.name,
                      body=c.body, resolved=False, created_at=c.created_at)  # fmt: skip


@router.put("/w/{ws}/maps/{slug}/measurement", status_code=204, responses=_ERRORS)
def set_measurement(slug: Slug, body: MeasurementIn, access: Editor, db: Database) -> Response:
    """Keep a measurement's report with the map (`journeymap push --measurement` sends it)."""
    row = store.get_map(db, access.workspace, slug)
    store.attach_measurement(db, row, body.report)
    db.commit()
    return Response(status_code=204)


@router.get("/w/{ws}/members", responses=_ERRORS)
def list_members(access: Admin, db: Database) -> list[MemberOut]:
    return [
        MemberOut(user_id=u.id, email=u.email, name=u.name, role=m.role)
        for m, u in store.members(db, access.workspace)
    ]


@router.put("/w/{ws}/members/{user_id}", responses=_ERRORS)
def set_member_role(user_id: UserId, body: RoleIn, access: Admin, db: Database) -> MemberOut:
    store.set_role(db, access.workspace, access.user, user_id, body.role)
    db.commit()
    for m, u in store.members(db, access.workspace):
        if u.id == user_id:
            return MemberOut(user_id=u.id, email=u.email, name=u.name, role=m.role)
    raise store.NotFound("no such member")
