"""Shared building blocks of the domain model: the base class, slugs and ids."""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["Identified", "Model", "Slug", "many", "optional", "slugify"]

_SLUG = r"^[a-z0-9][a-z0-9_-]*$"

#: A stable identifier: lower-case letters, digits, ``-`` and ``_``.
Slug = Annotated[
    str,
    Field(
        pattern=_SLUG,
        description="A stable id: lower-case letters, digits, '-' or '_' (e.g. 'checkout').",
        json_schema_extra={"examples": ["checkout", "website-visit"]},
    ),
]


def slugify(text: str, *, fallback: str = "item") -> str:
    """``"Purchase/Decision"`` -> ``"purchase-decision"``; never empty."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or fallback


def optional(description: str) -> Any:
    """A field the file may leave out: ``None`` then."""
    return Field(default=None, description=description)


def many(description: str) -> Any:
    """A list field the file may leave out: empty then."""
    return Field(default_factory=list, description=description)


class Model(BaseModel):
    """Base of every domain class: unknown keys are errors, assignments are validated."""

    model_config = ConfigDict(
        extra="forbid",
        validate_assignment=True,
        populate_by_name=True,
        use_attribute_docstrings=True,
    )


class Identified(Model):
    """An object with a stable ``id``. When the file gives none, it is derived from ``name``.

    A derived id is not written back on save (the file stays as the author wrote it);
    ``journeymap fmt`` pins derived ids into the file.
    """

    id: Slug = Field(default="", description="Stable id; derived from the name when omitted.")
    name: str = Field(min_length=1, description="Name shown on the map.")

    @model_validator(mode="before")
    @classmethod
    def _empty_id_is_missing(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("id") == "":
            data = {k: v for k, v in data.items() if k != "id"}
        return data

    @model_validator(mode="after")
    def _derive_id(self) -> Identified:
        if not self.id:
            # Bypass assignment validation so the derived id does not count as "set".
            self.__dict__["id"] = slugify(self.name)
        return self

    @property
    def id_is_derived(self) -> bool:
        return "id" not in self.model_fields_set
