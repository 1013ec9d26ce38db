"""Pages for maps: the list, new and imported maps, the map itself, export, the YAML view,
history, diff and restore, and saving with merge (shared by every editing page)."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from journeymap.errors import JourneyMapError
from journeymap.formats import dumps, pin_ids
from journeymap.formats.merge import Side
from journeymap.formats.tables import import_tables
from journeymap.formats.templates import list_templates, new_map, template_text
from journeymap.rendering import FORMATS, render_bytes
from journeymap.web import store
from journeymap.web.auth import Access, Database, FormFields, csrf_protect, require
from journeymap.web.db import Map
from journeymap.web.views import drawn, markdown, page

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

Viewer = Annotated[Access, require("viewer")]
Editor = Annotated[Access, require("editor")]
Admin = Annotated[Access, require("admin")]

MAX_UPLOAD = 1 << 20
EXPORTS: dict[str, tuple[str, str]] = {
    "yaml": ("application/yaml; charset=utf-8", "yaml"),
    "json": ("application/json", "json"),
    "svg": ("image/svg+xml", "svg"),
    "png": ("image/png", "png"),
    "pdf": ("application/pdf", "pdf"),
    "html": ("text/html; charset=utf-8", "html"),
    "md": ("text/markdown; charset=utf-8", "md"),
    "mmd": ("text/plain; charset=utf-8", "mmd"),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
}
assert set(FORMATS) <= set(EXPORTS)


def map_url(access: Access, row: Map, tail: str = "") -> str:
    return f"/w/{access.workspace.slug}/maps/{row.slug}{tail}"


@router.get("/w/{ws}/")
def list_maps(
    request: Request,
    access: Viewer,
    db: Database,
    q: str = "",
    status: str = "",
    owner: str = "",
    persona: str = "",
    stage: str = "",
    review_due: bool = False,
) -> Response:
    flt = store.MapFilter(q, status, owner, persona, stage, review_due)
    rows = store.list_maps(db, access.workspace, flt)
    everything = store.list_maps(db, access.workspace)
    choices = {
        "owners": sorted({r.owner for r in everything if r.owner}),
        "personas": sorted({r.persona for r in everything if r.persona}),
    }
    return page(
        request, "maps.html", access.who, access=access, maps=rows, flt=flt, choices=choices,
        templates=list_templates(),
    )  # fmt: skip


@router.post("/w/{ws}/maps")
def create(
    request: Request,
    access: Editor,
    db: Database,
    template: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    persona: Annotated[str, Form()] = "",
) -> Response:
    try:
        # no template: the shipped blank map, as `journeymap new --template blank` writes it
        m = new_map(template or "blank", persona=persona or None, title=title or None)
        text = dumps(pin_ids(m))
        row = store.create_map(db, access.workspace, text, access.user, "created")
    except (JourneyMapError, store.Invalid) as exc:
        return _list_error(request, access, db, str(exc))
    db.commit()
    return RedirectResponse(map_url(access, row), status_code=303)


def _list_error(request: Request, access: Access, db: Database, message: str) -> Response:
    return page(
        request, "maps.html", access.who, 422, access=access,
        maps=store.list_maps(db, access.workspace), flt=store.MapFilter(),
        choices={"owners": [], "personas": []}, templates=list_templates(), error=message,
    )  # fmt: skip


@router.post("/w/{ws}/maps/import")
def import_map(request: Request, access: Editor, db: Database, files: list[UploadFile]) -> Response:
    if not files or not any(f.filename for f in files):
        return _list_error(request, access, db, "choose a map file or tables to import")
    with tempfile.TemporaryDirectory(prefix="journeymap-import-") as tmp:
        paths: list[Path] = []
        for i, f in enumerate(files):
            data = f.file.read(MAX_UPLOAD + 1)
            if len(data) > MAX_UPLOAD:
                return _list_error(request, access, db, f"{f.filename}: larger than 1 MiB")
            name = Path(f.filename or f"upload-{i}").name or f"upload-{i}"
            path = Path(tmp) / f"{i}-{name}"
            path.write_bytes(data)
            paths.append(path)
        try:
            if len(paths) == 1 and paths[0].suffix.lower() in (".yaml", ".yml", ".json"):
                from journeymap.formats.document import read_text

                text = read_text(paths[0])
                message = f"imported {Path(files[0].filename or '').name}"
            else:
                result = import_tables(paths)
                text = dumps(result.map)
                message = "imported from tables: " + (result.report[-1] if result.report else "")
            shown_name = Path(files[0].filename or "map.yaml").name
            row = store.create_map(
                db, access.workspace, text, access.user, message, file=shown_name
            )
        except (JourneyMapError, store.Invalid) as exc:
            shown = re.sub(re.escape(tmp) + r"/\d+-", "", str(exc))
            return _list_error(request, access, db, shown)
    db.commit()
    return RedirectResponse(map_url(access, row), status_code=303)


@router.get("/w/{ws}/maps/{slug}")
def view(
    request: Request, slug: str, access: Viewer, db: Database, v: int | None = None
) -> Response:
    row = store.get_map(db, access.workspace, slug)
    version = store.version(db, row, v)
    shown = drawn(version, f"{row.slug}.yaml")
    threads = store.comments(db, row)
    return page(
        request, "map.html", access.who, access=access, row=row, version=version, shown=shown,
        threads=threads, shares=store.shares(db, row) if access.can("editor") else [],
        measurement=markdown(row.measurement),
    )  # fmt: skip


@router.get("/w/{ws}/maps/{slug}/export/{fmt}")
def export(slug: str, fmt: str, access: Viewer, db: Database, v: int | None = None) -> Response:
    row = store.get_map(db, access.workspace, slug)
    if fmt not in EXPORTS:
        raise store.NotFound(f"no export format {fmt!r}; expected one of {', '.join(EXPORTS)}")
    version = store.version(db, row, v)
    media, suffix = EXPORTS[fmt]
    if fmt == "yaml":
        body = version.text.encode("utf-8")
    else:
        m = drawn(version, f"{row.slug}.yaml").m
        try:
            body = (
                dumps(m, fmt="json").encode("utf-8") if fmt == "json" else render_bytes(m, fmt)  # type: ignore[arg-type]
            )
        except JourneyMapError as exc:
            raise store.Invalid(str(exc), "format") from None
    name = f"{row.slug}.{suffix}"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/w/{ws}/maps/{slug}/yaml")
def yaml_form(request: Request, slug: str, access: Editor, db: Database) -> Response:
    row = store.get_map(db, access.workspace, slug)
    version = store.version(db, row)
    return page(
        request, "yaml.html", access.who, access=access, row=row, text=version.text,
        base=version.number,
    )  # fmt: skip


@router.post("/w/{ws}/maps/{slug}/yaml")
def yaml_save(
    request: Request,
    slug: str,
    access: Editor,
    db: Database,
    text: Annotated[str, Form()],
    base: Annotated[int, Form()],
    message: Annotated[str, Form()] = "",
) -> Response:
    row = store.get_map(db, access.workspace, slug)
    try:
        return save(request, access, db, row, text.replace("\r\n", "\n"), base, message)
    except store.Invalid as exc:
        return page(
            request, "yaml.html", access.who, 422, access=access, row=row, text=text, base=base,
            error=exc, message=message,
        )  # fmt: skip


def save(
    request: Request,
    access: Access,
    db: Database,
    row: Map,
    text: str,
    base: int,
    message: str,
    resolutions: Mapping[str, Side] | None = None,
) -> Response:
    """Save an edit as a new version and go to the map; a conflict shows what to choose.
    Raises :class:`store.Invalid` for an edit that is not a valid map."""
    try:
        saved = store.save_map(
            db, row, text, base=base, author=access.user, message=message, resolutions=resolutions
        )
    except store.SaveConflict as exc:
        db.rollback()
        return page(
            request, "conflict.html", access.who, 409, access=access, row=row, conflict=exc,
            message=message,
        )  # fmt: skip
    except JourneyMapError as exc:
        db.rollback()
        raise store.Invalid(str(exc), "text") from None
    db.commit()
    return RedirectResponse(map_url(access, row, f"?saved={saved.number}"), status_code=303)


@router.post("/w/{ws}/maps/{slug}/resolve")
def resolve(
    request: Request, slug: str, access: Editor, db: Database, form: FormFields
) -> Response:
    row = store.get_map(db, access.workspace, slug)
    text, base, message = str(form.get("text", "")), str(form.get("base", "")), ""
    message = str(form.get("message", ""))
    if not base.isdigit():
        raise store.Invalid("expected the version the edit was made on", "base")
    choices: dict[str, Side] = {}
    for key, value in form.multi_items():
        if key.startswith("choice:") and value in ("ours", "theirs"):
            choices[key[len("choice:") :]] = "ours" if value == "ours" else "theirs"
    return save(request, access, db, row, text, int(base), message, choices)


@router.get("/w/{ws}/maps/{slug}/history")
def history(
    request: Request,
    slug: str,
    access: Viewer,
    db: Database,
    a: int | None = None,
    b: int | None = None,
) -> Response:
    row = store.get_map(db, access.workspace, slug)
    changes = None
    if a is not None and b is not None:
        changes = store.version_diff(db, row, a, b)
    return page(
        request, "history.html", access.who, access=access, row=row,
        versions=store.versions(db, row), changes=changes, a=a, b=b,
    )  # fmt: skip


@router.post("/w/{ws}/maps/{slug}/restore/{number}")
def restore(slug: str, number: int, access: Editor, db: Database) -> Response:
    row = store.get_map(db, access.workspace, slug)
    saved = store.restore(db, row, number, access.user)
    db.commit()
    return RedirectResponse(map_url(access, row, f"?saved={saved.number}"), status_code=303)


@router.post("/w/{ws}/maps/{slug}/delete")
def delete(slug: str, access: Admin, db: Database) -> Response:
    row = store.get_map(db, access.workspace, slug)
    store.delete_map(db, access.workspace, row, access.user)
    db.commit()
    return RedirectResponse(f"/w/{access.workspace.slug}/", status_code=303)


@router.get("/w/{ws}/templates/{name}")
def template_source(name: str, access: Viewer) -> Response:
    try:
        text = template_text(name)
    except JourneyMapError as exc:
        raise store.NotFound(str(exc)) from None
    return Response(text, media_type="text/plain; charset=utf-8")
