"""Editing a map without writing YAML: a form per element (the map, its persona, a stage, a
touchpoint, a pain point, an action item, a KPI), adding and removing elements.

A form is applied to the version it was loaded from and saved like any edit (merged when
the map moved on since). Field errors come from the model's own validation and stand next
to the field; errors across the map (a pain point on a removed touchpoint) come from the
map reader, as the CLI shows them.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData
from starlette.responses import Response

from journeymap.formats import dumps
from journeymap.model import (
    CHANNELS,
    JourneyMap,
    Opportunity,
    PainPoint,
    Persona,
    Stage,
    Touchpoint,
)
from journeymap.model.base import Identified
from journeymap.model.kpi import KPI
from journeymap.web import store
from journeymap.web.auth import Access, Database, FormFields, csrf_protect, require
from journeymap.web.db import Map
from journeymap.web.pages.maps import map_url, save
from journeymap.web.views import page

router = APIRouter(dependencies=[Depends(csrf_protect)], include_in_schema=False)

Editor = Annotated[Access, require("editor")]

#: "suggest": free text with the known values offered (a channel may be any name)
Widget = Literal[
    "text", "textarea", "lines", "select", "suggest", "emotion", "bool", "number", "date", "ref"
]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    widget: Widget = "text"
    #: for ``ref``: which ids to offer ("stage", "touchpoint", "kpi")
    ref: str = ""


#: fields of a form that are parts of a model field: (label, help)
_VIRTUAL = {
    "actual_source": (
        "Source of the actual emotion",
        "Where it comes from: a survey, interviews, support tickets, a measurement.",
    ),
}


@dataclass(frozen=True)
class Kind:
    """One kind of element: its model, where it lives in the map and its form's fields."""

    key: str
    label: str
    model: type[BaseModel]
    fields: tuple[FieldSpec, ...]


_F = FieldSpec
KINDS: dict[str, Kind] = {
    k.key: k
    for k in (
        Kind("map", "map", JourneyMap, (
            _F("name"), _F("objective", "textarea"), _F("scenario"), _F("scope", "textarea"),
            _F("owner"), _F("team", "lines"), _F("status", "select"), _F("version"),
        )),
        Kind("persona", "persona", Persona, (
            _F("name"), _F("description", "textarea"), _F("age", "number"), _F("role"),
            _F("segment"), _F("quote", "textarea"), _F("goals", "lines"), _F("needs", "lines"),
            _F("frustrations", "lines"), _F("data_sources", "lines"),
        )),
        Kind("stage", "stage", Stage, (
            _F("name"), _F("customer_goal", "textarea"), _F("business_goal", "textarea"),
            _F("description", "textarea"), _F("expected_emotion", "emotion"),
            _F("emotion", "emotion"), _F("observed_behavior", "textarea"),
        )),
        Kind("touchpoint", "touchpoint", Touchpoint, (
            _F("name"), _F("channel", "suggest"), _F("lane", "select"), _F("owner"),
            _F("description", "textarea"), _F("actions", "lines"), _F("thoughts", "lines"),
            _F("expected_emotion", "emotion"), _F("actual_emotion", "emotion"),
            _F("actual_source"), _F("observed_behavior", "textarea"), _F("gap_note", "textarea"),
            _F("moment_of_truth", "bool"), _F("systems", "lines"),
        )),
        Kind("pain_point", "pain point", PainPoint, (
            _F("name"), _F("stage", "ref", "stage"), _F("touchpoint", "ref", "touchpoint"),
            _F("description", "textarea"), _F("trigger", "textarea"),
            _F("customer_reaction", "textarea"), _F("departments", "lines"), _F("owner"),
            _F("severity", "select"), _F("frequency", "select"), _F("source"),
        )),
        Kind("opportunity", "action item", Opportunity, (
            _F("name"), _F("stage", "ref", "stage"), _F("touchpoint", "ref", "touchpoint"),
            _F("description", "textarea"), _F("expected_outcome", "textarea"), _F("owner"),
            _F("department"), _F("priority", "select"), _F("status", "select"),
            _F("kpi", "ref", "kpi"), _F("kpi_target", "number"), _F("due", "date"),
        )),
        Kind("kpi", "KPI", KPI, (
            _F("name"), _F("kind", "select"), _F("definition", "textarea"),
            _F("value", "number"), _F("target", "number"), _F("unit"), _F("period"),
            _F("stage", "ref", "stage"), _F("touchpoint", "ref", "touchpoint"),
        )),
    )
}  # fmt: skip


def _choices(model: type[BaseModel], name: str) -> list[str]:
    annotation = model.model_fields[name].annotation
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        literal = next((a for a in args if typing.get_origin(a) is Literal), None)
        args = typing.get_args(literal) if literal else ()
    elif typing.get_origin(annotation) is not Literal:
        args = ()
    return [str(a) for a in args]


def _label(model: type[BaseModel], name: str) -> tuple[str, str]:
    if name in _VIRTUAL:
        return _VIRTUAL[name]
    info = model.model_fields[name]
    label = (info.alias if name == "name" and info.alias else name).replace("_", " ")
    return label.capitalize(), info.description or ""


def _refs(m: JourneyMap, ref: str) -> list[tuple[str, str]]:
    if ref == "stage":
        return [(s.id, s.name) for s in m.stages]
    if ref == "touchpoint":
        return [(tp.id, f"{s.name} › {tp.name}") for s, tp in m.iter_touchpoints()]
    return [(k.id, k.name) for k in m.kpis]


_LISTS = {"pain_point": "pain_points", "opportunity": "opportunities", "kpi": "kpis"}


def _container(m: JourneyMap, kind: str) -> list[Any]:
    if kind == "stage":
        return m.stages
    if kind == "touchpoint":
        return [tp for _, tp in m.iter_touchpoints()]
    items: list[Any] = getattr(m, _LISTS[kind])
    return items


def _find(m: JourneyMap, kind: str, element: str) -> BaseModel:
    if kind == "map":
        return m
    if kind == "persona":
        return m.persona or Persona(name="Persona")
    for item in _container(m, kind):
        if item.id == element:
            return item  # type: ignore[no-any-return]
    raise store.NotFound(f"no {KINDS[kind].label} {element!r} in this map")


def _replace(m: JourneyMap, kind: str, element: str, new: BaseModel) -> JourneyMap:
    if kind == "map":
        assert isinstance(new, JourneyMap)
        new._source = m._source
        return new
    if kind == "persona":
        assert isinstance(new, Persona)
        m.persona = new
        return m
    lists: Iterable[list[Any]] = (
        [s.touchpoints for s in m.stages] if kind == "touchpoint" else [_container(m, kind)]
    )
    for items in lists:
        for i, item in enumerate(items):
            if item.id == element:
                items[i] = new
                return m
    raise store.NotFound(f"no {KINDS[kind].label} {element!r} in this map")


def _parse(spec: FieldSpec, form: FormData) -> Any:
    raw = form.get(spec.name)
    value = raw if isinstance(raw, str) else ""
    if spec.widget == "bool":
        return value == "on"
    if spec.widget == "lines":
        return [line.strip() for line in value.splitlines() if line.strip()] or None
    value = value.strip()
    return value or None


def _actual(data: dict[str, Any], emotion: str | None, source: str | None) -> None:
    """The actual emotion from its two fields: an unchanged emotion keeps how it was known
    (a measurement's method, size and date); a new one is a person's, with its source."""
    before = data.get("actual_emotion")
    if emotion is None:
        data.pop("actual_emotion", None)
        return
    was = before.get("emotion") if isinstance(before, dict) else before
    if isinstance(before, dict) and str(was) == emotion:
        after = {k: v for k, v in before.items() if k != "source"}
        data["actual_emotion"] = {**after, "source": source} if source else after
    else:
        data["actual_emotion"] = {"emotion": emotion, "source": source} if source else emotion


def _current(obj: BaseModel, name: str) -> Any:
    """What a form field shows of an element."""
    actual = getattr(obj, "actual_emotion", None)
    if name == "actual_emotion":
        return actual.emotion if actual is not None else None
    if name == "actual_source":
        return actual.source if actual is not None else None
    return getattr(obj, name, None)


def apply_form(
    m: JourneyMap, kind: str, element: str, form: FormData
) -> tuple[JourneyMap | None, dict[str, str]]:
    """The map with the form's values put into one element, or the errors by field."""
    spec = KINDS[kind]
    old = _find(m, kind, element)
    data = old.model_dump(mode="python", by_alias=True, exclude_unset=True)
    names = {f.name: f for f in spec.fields}
    for f in spec.fields:
        if f.name in _VIRTUAL or f.name == "actual_emotion":
            continue
        key = spec.model.model_fields[f.name].alias or f.name
        value = _parse(f, form)
        if value is None or (f.widget == "bool" and value is False and key not in data):
            data.pop(key, None)
        else:
            data[key] = value
    if "actual_emotion" in names:
        _actual(data, _parse(names["actual_emotion"], form), _parse(names["actual_source"], form))
    old_id = old.id if isinstance(old, Identified) else ""
    if "id" not in data and old_id:
        data["id"] = old_id
    try:
        new = spec.model.model_validate(data)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for e in exc.errors():
            loc = e.get("loc", ())
            key = str(loc[0]) if loc else ""
            field = "name" if key == "title" else key
            errors.setdefault(field if field in names else "", str(e.get("msg", "")))
        return None, errors
    return _replace(m, kind, element, new), {}


def _form_page(
    request: Request,
    access: Access,
    db: Database,
    row: Map,
    base: int,
    m: JourneyMap,
    kind: str,
    element: str,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    spec = KINDS[kind]
    obj = _find(m, kind, element)
    fields = []
    for f in spec.fields:
        label, help_text = _label(spec.model, f.name)
        current = values.get(f.name) if values is not None else _current(obj, f.name)
        options: list[tuple[str, str]] = []
        if f.widget == "select":
            options = [(c, c) for c in _choices(spec.model, f.name)]
        elif f.widget == "suggest":
            options = [(c, c) for c in CHANNELS]
        elif f.widget == "emotion":
            options = [(lv.label, f"{lv.label} ({lv.value:+d})") for lv in m.scale.levels]
            if current is not None and not isinstance(current, str):
                current = m.scale.label(current)
            if current and current not in (v for v, _ in options):
                # a synonym ("Reassured") stays as written, or saving would drop it
                level = m.scale.find(current)
                options.insert(0, (current, f"{current} ({level.value:+d})" if level else current))
        elif f.widget == "ref":
            options = _refs(m, f.ref)
        if f.widget == "lines" and isinstance(current, list):
            current = "\n".join(str(x) for x in current)
        fields.append({"spec": f, "label": label, "help": help_text, "value": current,
                       "options": options, "error": (errors or {}).get(f.name)})  # fmt: skip
    anchor = kind if kind in ("map", "persona") else f"{kind}:{element}"
    threads = [t for t in store.comments(db, row) if t.first.anchor == anchor]
    return page(
        request, "element.html", access.who, status, access=access, row=row, base=base,
        kind=spec, element=element, name=str(getattr(obj, "name", None) or ""), fields=fields,
        error=(errors or {}).get(""), threads=[t for t in threads if not t.first.resolved],
    )  # fmt: skip


@router.get("/w/{ws}/maps/{slug}/edit")
def overview(request: Request, slug: str, access: Editor, db: Database) -> Response:
    row = store.get_map(db, access.workspace, slug)
    version = store.version(db, row)
    m = store.current_map(db, row)
    return page(request, "edit.html", access.who, access=access, row=row, m=m, base=version.number)


@router.get("/w/{ws}/maps/{slug}/edit/{kind}/{element}")
def element_form(
    request: Request, slug: str, kind: str, element: str, access: Editor, db: Database
) -> Response:
    if kind not in KINDS:
        raise store.NotFound(f"no element kind {kind!r}")
    row = store.get_map(db, access.workspace, slug)
    m = store.current_map(db, row)
    return _form_page(request, access, db, row, row.head, m, kind, element)


def _base(form: FormData) -> int:
    raw = form.get("base")
    if not isinstance(raw, str) or not raw.isdigit():
        raise store.Invalid("expected the version the form was loaded from", "base")
    return int(raw)


@router.post("/w/{ws}/maps/{slug}/edit/{kind}/{element}")
def element_save(
    request: Request,
    slug: str,
    kind: str,
    element: str,
    access: Editor,
    db: Database,
    form: FormFields,
) -> Response:
    if kind not in KINDS:
        raise store.NotFound(f"no element kind {kind!r}")
    row = store.get_map(db, access.workspace, slug)
    base = _base(form)
    m = store.current_map(db, row, base)
    new, errors = apply_form(m, kind, element, form)
    message = str(form.get("message") or "")
    values: dict[str, Any] = {f.name: form.get(f.name) for f in KINDS[kind].fields}
    if KINDS[kind].fields and any(f.widget == "bool" for f in KINDS[kind].fields):
        values.update({f.name: form.get(f.name) == "on" for f in KINDS[kind].fields
                       if f.widget == "bool"})  # fmt: skip
    if new is None:
        return _form_page(request, access, db, row, base, m, kind, element, 422, errors, values)
    try:
        return save(request, access, db, row, dumps(new), base, message)
    except store.Invalid as exc:
        return _form_page(
            request, access, db, row, base, m, kind, element, 422, {"": exc.message}, values
        )


def _unique(existing: Iterable[str], stem: str) -> str:
    taken = set(existing)
    n = 1
    while f"{stem}-{n}" in taken:
        n += 1
    return f"{stem}-{n}"


_NEW: dict[str, Callable[[JourneyMap, str, str], BaseModel]] = {
    "stage": lambda m, i, _: Stage(id=i, name="New stage"),
    "touchpoint": lambda m, i, _: Touchpoint(id=i, name="New touchpoint"),
    "pain_point": lambda m, i, s: PainPoint(id=i, name="New pain point", stage=s),
    "opportunity": lambda m, i, s: Opportunity(id=i, name="New action item", stage=s),
    "kpi": lambda m, i, s: KPI(id=i, name="New KPI"),
}


@router.post("/w/{ws}/maps/{slug}/add/{kind}")
def add(
    request: Request, slug: str, kind: str, access: Editor, db: Database, form: FormFields
) -> Response:
    if kind not in _NEW:
        raise store.NotFound(f"cannot add a {kind!r}")
    row = store.get_map(db, access.workspace, slug)
    base = _base(form)
    m = store.current_map(db, row, base)
    stage = str(form.get("stage") or "") or (m.stages[0].id if m.stages else "")
    if kind in ("touchpoint", "pain_point", "opportunity") and not stage:
        raise store.Invalid("add a stage first", "stage")
    ids = [s.id for s in m.stages] + [tp.id for _, tp in m.iter_touchpoints()]
    ids += [x.id for x in (*m.pain_points, *m.opportunities, *m.kpis, *m.insights)]
    new_id = _unique(ids, kind.replace("_", "-"))
    item = _NEW[kind](m, new_id, stage)
    if kind == "touchpoint":
        m.stage(stage).touchpoints.append(item)  # type: ignore[arg-type]
    else:
        _container(m, kind).append(item)
    response = save(request, access, db, row, dumps(m), base, f"added a {KINDS[kind].label}")
    if response.status_code == 303:
        return RedirectResponse(map_url(access, row, f"/edit/{kind}/{new_id}"), status_code=303)
    return response


@router.post("/w/{ws}/maps/{slug}/remove/{kind}/{element}")
def remove(
    request: Request,
    slug: str,
    kind: str,
    element: str,
    access: Editor,
    db: Database,
    form: FormFields,
) -> Response:
    if kind not in _NEW:
        raise store.NotFound(f"cannot remove a {kind!r}")
    row = store.get_map(db, access.workspace, slug)
    base = _base(form)
    m = store.current_map(db, row, base)
    old = _find(m, kind, element)
    if kind == "touchpoint":
        for s in m.stages:
            s.touchpoints = [tp for tp in s.touchpoints if tp.id != element]
    elif kind == "stage":
        m.stages = [s for s in m.stages if s.id != element]
    else:
        kept = [x for x in _container(m, kind) if x.id != element]
        setattr(m, _LISTS[kind], kept)
    try:
        return save(
            request, access, db, row, dumps(m), base,
            f"removed {KINDS[kind].label} {getattr(old, 'name', element)}",
        )  # fmt: skip
    except store.Invalid as exc:
        raise store.Invalid(
            f"cannot remove it: other parts of the map point at it ({exc.message})", "element"
        ) from None
