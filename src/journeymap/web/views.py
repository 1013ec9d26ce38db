"""Turning stored maps into what pages show: templates, and the drawn map, its lint
findings and its element index, cached per stored version (a version never changes)."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.responses import Response

from journeymap.formats import loads
from journeymap.model import JourneyMap
from journeymap.model.lint import LintFinding, lint
from journeymap.rendering import render_bytes
from journeymap.web.auth import CSRF_COOKIE, Who
from journeymap.web.db import MapVersion

__all__ = ["Drawn", "Element", "drawn", "markdown", "page", "templates"]


@dataclass(frozen=True)
class Element:
    """A map element people can comment on or edit: ``anchor`` is its kind and id."""

    anchor: str
    kind: str
    name: str
    stage: str | None = None


@dataclass(frozen=True)
class Drawn:
    """A stored version as its page shows it; made once per version (a version never
    changes), so that opening a map costs no parsing or drawing."""

    m: JourneyMap
    svg: Markup
    findings: list[LintFinding]
    elements: list[Element]
    #: element anchor -> "touchpoint Checkout", for comment threads
    names: dict[str, str]
    #: the elements as the <option>s of the comment form
    options: Markup


def _elements(m: JourneyMap) -> list[Element]:
    out = [Element("map", "map", m.name)]
    if m.persona:
        out.append(Element("persona", "persona", m.persona.name))
    for s in m.stages:
        out.append(Element(f"stage:{s.id}", "stage", s.name))
        out += [
            Element(f"touchpoint:{tp.id}", "touchpoint", tp.name, s.name) for tp in s.touchpoints
        ]
    out += [Element(f"pain_point:{p.id}", "pain point", p.name) for p in m.pain_points]
    out += [Element(f"opportunity:{o.id}", "action", o.name) for o in m.opportunities]
    out += [Element(f"kpi:{k.id}", "KPI", k.name) for k in m.kpis]
    return out


class _Cache:
    def __init__(self, size: int = 256) -> None:
        self.size = size
        self.items: OrderedDict[tuple[int, str], Drawn] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, version: MapVersion, file: str) -> Drawn:
        # keyed by the text too: a row id alone is another map's version in another database
        # of the same process (an app made again, a restore, the tests' apps)
        key = (version.id, version.text)
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        m = loads(version.text, file=file)
        svg = render_bytes(m, "svg").decode("utf-8")
        svg = svg.split("?>", 1)[-1] if svg.startswith("<?xml") else svg
        elements = _elements(m)
        names = {e.anchor: f"{e.kind} {e.name}" for e in elements}
        options = Markup("").join(
            Markup('<option value="{}">{}: {}{}</option>').format(
                e.anchor, e.kind, e.name, f" ({e.stage})" if e.stage else ""
            )
            for e in elements
        )
        item = Drawn(m, Markup(svg), lint(m), elements, names, options)
        with self.lock:
            self.items[key] = item
            while len(self.items) > self.size:
                self.items.popitem(last=False)
        return item


_CACHE = _Cache()


def drawn(version: MapVersion, file: str) -> Drawn:
    return _CACHE.get(version, file)


def markdown(text: str | None) -> Markup | None:
    """Markdown (a measurement's report) as HTML under the page's own headings: raw HTML in
    it is escaped (html is off), unsafe links dropped."""
    if not text:
        return None
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = md.parse(text)
    for token in tokens:  # the page has its own h1 and h2: the report's headings go under
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + 2)}"
    return Markup(md.renderer.render(tokens, md.options, {}))


def _environment() -> Environment:
    folder = resources.files("journeymap.web") / "templates"
    env = Environment(
        loader=FileSystemLoader(str(folder)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = lambda d: d.strftime("%Y-%m-%d %H:%M") if d else ""
    env.filters["day"] = lambda d: d.isoformat() if d else ""
    return env


templates = Jinja2Templates(env=_environment())


def page(
    request: Request,
    template: str,
    who: Who | None = None,
    status: int = 200,
    **context: Any,
) -> Response:
    """A page from ``template``; forms get the session's (or the pre-sign-in)
    CSRF token."""
    csrf = who.csrf if who and who.session else request.cookies.get(CSRF_COOKIE, "")
    fresh = ""
    if not csrf:
        from journeymap.web.security import new_token

        csrf = fresh = new_token()
    response = templates.TemplateResponse(
        request,
        template,
        {"who": who, "csrf": csrf, "today": dt.date.today(), **context},
        status_code=status,
    )
    if fresh:
        settings = request.app.state.settings
        response.set_cookie(
            CSRF_COOKIE,
            fresh,
            httponly=True,
            samesite="strict",
            secure=settings.secure_cookies,
        )
    return response
