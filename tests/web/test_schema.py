"""The tables the migrations make are the tables the models describe (on both databases):
a model changed without a migration fails here."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from journeymap.web.db import Base


def test_the_migrations_make_what_the_models_describe(app: Any) -> None:
    with app.state.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        assert context.get_current_revision() == "0001"
