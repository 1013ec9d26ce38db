"""The app factory: :func:`create_app` builds the ASGI app from :class:`Settings`."""

from __future__ import annotations

import traceback
from collections.abc import Awaitable, Callable
from importlib import resources
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DataError, StatementError
from starlette.responses import Response

from journeymap._version import __version__
from journeymap.web import db as tables
from journeymap.web.auth import SignInRequired, who
from journeymap.web.settings import Settings
from journeymap.web.store import AppError, Invalid

__all__ = ["create_app"]

_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def _from_database(exc: BaseException) -> bool:
    """Whether the database driver refused a value: a DataError, or an OverflowError or
    ValueError raised while SQLAlchemy bound a parameter."""
    if isinstance(exc, DataError):
        return True
    if isinstance(exc, StatementError):
        return isinstance(exc.orig, OverflowError | ValueError)
    frames = traceback.extract_tb(exc.__traceback__)
    return any("/sqlalchemy/" in f.filename for f in frames[-3:])


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def create_app(settings: Settings | None = None, *, migrate: bool = True) -> FastAPI:
    """The app on ``settings``' database, its schema brought up to date first."""
    settings = settings or Settings()
    if settings.database is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine, sessions = tables.connect(settings.database_url)
    if migrate:
        tables.upgrade(engine)

    app = FastAPI(
        title="journeymap",
        version=__version__,
        description="The team app's REST API: maps, versions, diffs, comments and members. "
        "Authenticate with a personal API token: `Authorization: Bearer jm_...`.",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = sessions

    static = resources.files("journeymap.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    from journeymap.web import api
    from journeymap.web.pages import accounts, editing, maps, team

    app.include_router(api.router)
    for module in (accounts, maps, editing, team):
        app.include_router(module.router)

    app.middleware("http")(headers)
    app.add_exception_handler(AppError, refused)
    for kind in (DataError, StatementError, OverflowError):
        app.add_exception_handler(kind, unstorable)
    app.add_exception_handler(RequestValidationError, malformed)
    return app


async def headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """The security headers of every answer."""
    response = await call_next(request)
    response.headers.setdefault("Content-Security-Policy", _CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if not request.url.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


async def refused(request: Request, exc: Exception) -> Response:
    """A refusal of the app: JSON for the API, a page (or the sign-in page) otherwise."""
    assert isinstance(exc, AppError)
    if _is_api(request):
        body = {"error": exc.message, "field": exc.field}
        extra = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse(body, status_code=exc.status, headers=extra)
    if isinstance(exc, SignInRequired):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    from journeymap.web.views import page

    sessions_db = request.app.state.sessions()
    try:
        current = who(request, sessions_db)
    except AppError:
        current = None
    finally:
        sessions_db.close()
    return page(request, "error.html", current, status=exc.status, message=exc.message)


async def unstorable(request: Request, exc: Exception) -> Response:
    """A number or a text the database cannot hold (a NUL character, 2**63) from a URL
    or a form: the request is refused; no row was written."""
    if not _from_database(exc):
        raise exc
    message = "a value is out of range or holds a character that cannot be stored"
    return await refused(request, Invalid(message))


async def malformed(request: Request, exc: Exception) -> Response:
    """A request FastAPI could not read into the route's parameters."""
    assert isinstance(exc, RequestValidationError)
    problems = [
        {"field": ".".join(str(p) for p in e.get("loc", ())[1:]), "error": e.get("msg", "")}
        for e in exc.errors()
    ]
    if _is_api(request):
        return JSONResponse({"error": "invalid request", "problems": problems}, 422)
    from journeymap.web.views import page

    text = "; ".join(f"{p['field']}: {p['error']}" for p in problems)
    return page(request, "error.html", None, status=422, message=f"invalid request: {text}")
