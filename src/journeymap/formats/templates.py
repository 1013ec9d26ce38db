"""The shipped templates: complete, realistic maps to start from.

Each template is a map file under ``formats/templates/`` (package data), written in the
ordinary file format with comments for a first-time editor. ``blank`` is the one for any
industry: a title and three stages to rename (Before, During, After), nothing invented.
``new_map`` loads one, so saving the result keeps those comments.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable

from journeymap.errors import TemplateNotFoundError, UsageError
from journeymap.formats.document import loads
from journeymap.model.base import slugify
from journeymap.model.journey import JourneyMap
from journeymap.model.persona import Persona

__all__ = ["TemplateInfo", "list_templates", "new_map", "template_text"]

_SUFFIX = ".yaml"


@dataclass(frozen=True)
class TemplateInfo:
    """What a template is: its name (for ``new_map``), the map's title, a one-line
    description (the first line of the file's header comment) and its stage names."""

    name: str
    title: str
    description: str
    stages: list[str]


def _folder() -> Traversable:
    return resources.files("journeymap.formats").joinpath("templates")


def _names() -> list[str]:
    return sorted(
        entry.name.removesuffix(_SUFFIX)
        for entry in _folder().iterdir()
        if entry.is_file() and entry.name.endswith(_SUFFIX)
    )


def template_text(name: str) -> str:
    """The text of a template file; raises :class:`TemplateNotFoundError` naming the others."""
    names = _names()
    if name not in names:
        raise TemplateNotFoundError(
            f"no template named {name!r}; expected one of: {', '.join(names)}"
        )
    return _folder().joinpath(name + _SUFFIX).read_text(encoding="utf-8")


def _description(text: str) -> str:
    """The first line of the header comment: ``# E-commerce ...`` -> ``E-commerce ...``."""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            break
        words = stripped.lstrip("#").strip()
        if words:
            return words
    return ""


def _load(name: str) -> JourneyMap:
    return loads(template_text(name), file=f"template:{name}")


@functools.cache
def _summary(name: str) -> tuple[str, str, tuple[str, ...]]:
    m = _load(name)
    return m.name, _description(template_text(name)), tuple(s.name for s in m.stages)


def list_templates() -> list[TemplateInfo]:
    """Every shipped template, sorted by name."""
    out = []
    for name in _names():
        title, description, stages = _summary(name)
        out.append(TemplateInfo(name, title, description, list(stages)))
    return out


def _replace_mention(title: str, old: str, new: str) -> str:
    """Put the new persona name where the title mentions the old one (or its first name)."""
    if old and old in title:
        return title.replace(old, new)
    first = re.split(r"[,(]", old, maxsplit=1)[0].strip()
    if first and re.search(rf"\b{re.escape(first)}\b", title):
        return re.sub(rf"\b{re.escape(first)}\b", lambda _: new, title)
    return title


def new_map(name: str, *, persona: str | None = None, title: str | None = None) -> JourneyMap:
    """A new map from a template, ready to edit and save (the template's comments are kept).

    ``persona`` replaces the persona's name, its id and its mention in the title; the rest of
    the persona (age, goals, quote) is the template's example, to be edited (the ``blank``
    template has no persona: it gets one with only that name). ``title`` replaces the title
    and the map's id (its slug). Raises :class:`TemplateNotFoundError` for an unknown name and
    :class:`UsageError` for an empty persona or title.
    """
    m = _load(name)
    if persona is not None:
        persona = persona.strip()
        if not persona:
            raise UsageError("the persona name must not be empty")
        if m.persona is None:
            m.persona = Persona(id=slugify(persona, fallback="persona"), name=persona)
        else:
            old = m.persona.name
            m.persona.name = persona
            m.persona.id = slugify(persona, fallback="persona")
            if title is None:
                m.name = _replace_mention(m.name, old, persona)
    if title is not None:
        title = title.strip()
        if not title:
            raise UsageError("the title must not be empty")
        m.name = title
        m.id = slugify(title, fallback="journey-map")
    return m
