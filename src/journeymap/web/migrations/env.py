"""Alembic's entry point: migrations run on the connection :func:`journeymap.web.db.upgrade`
hands over (no URL or logging setup of its own)."""

from __future__ import annotations

from alembic import context

from journeymap.web.db import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
