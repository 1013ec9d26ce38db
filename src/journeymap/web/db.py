"""The app's tables (SQLAlchemy 2) and the connection to them.

The schema is made and changed only by the Alembic migrations in ``web/migrations``
(:func:`upgrade`); the same tables run on SQLite (WAL) and PostgreSQL. A map is a row and
its versions: every save is a new :class:`MapVersion` holding the whole map file, the
document the CLI reads.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import Annotated, Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

__all__ = [
    "ROLES",
    "ApiToken",
    "AuditEntry",
    "Base",
    "Comment",
    "Invite",
    "LoginAttempt",
    "Map",
    "MapVersion",
    "Member",
    "Session",
    "ShareLink",
    "User",
    "Workspace",
    "connect",
    "upgrade",
    "utcnow",
]

#: workspace roles, least to most
ROLES = ("viewer", "commenter", "editor", "admin")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


# The column kinds the tables share (SQLAlchemy 2's annotated declarative mapping); a
# column's SQL type, nullability and default follow from its annotation.
IntPK = Annotated[int, mapped_column(Integer, primary_key=True)]
Created = Annotated[dt.datetime, mapped_column(DateTime, default=utcnow)]
When = Annotated[dt.datetime, mapped_column(DateTime)]
Maybe = Annotated[dt.datetime | None, mapped_column(DateTime, nullable=True)]
TokenHash = Annotated[str, mapped_column(String(64), unique=True)]
Prefix = Annotated[str, mapped_column(String(16))]
Name = Annotated[str, mapped_column(String(200))]
Role = Annotated[str, mapped_column(String(20))]
Flag = Annotated[bool, mapped_column(Boolean, default=False)]
UserRef = Annotated[int, mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)]
WorkspaceRef = Annotated[
    int, mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
]
MapRef = Annotated[int, mapped_column(ForeignKey("maps.id", ondelete="CASCADE"), index=True)]
AuthorRef = Annotated[
    int | None, mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
]


class User(Base):
    __tablename__ = "users"
    id: Mapped[IntPK]
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[Name]
    password_hash: Mapped[Name]
    is_admin: Mapped[Flag]
    created_at: Mapped[Created]


class Session(Base):
    """A signed-in browser. The cookie holds a random token; only its hash is stored."""

    __tablename__ = "sessions"
    id: Mapped[IntPK]
    token_hash: Mapped[TokenHash]
    user_id: Mapped[UserRef]
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[Created]
    seen_at: Mapped[Created]
    expires_at: Mapped[When]


class LoginAttempt(Base):
    """A failed sign-in, for limiting attempts per account and address."""

    __tablename__ = "login_attempts"
    id: Mapped[IntPK]
    email: Mapped[str] = mapped_column(String(320), index=True)
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[Created]


class ApiToken(Base):
    """A personal API token; only its hash is stored."""

    __tablename__ = "api_tokens"
    id: Mapped[IntPK]
    user_id: Mapped[UserRef]
    name: Mapped[Name]
    token_hash: Mapped[TokenHash]
    prefix: Mapped[Prefix]
    created_at: Mapped[Created]
    last_used_at: Mapped[Maybe]
    revoked_at: Mapped[Maybe]


class Workspace(Base):
    __tablename__ = "workspaces"
    id: Mapped[IntPK]
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[Name]
    created_at: Mapped[Created]


class Member(Base):
    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("workspace_id", "user_id"),)
    id: Mapped[IntPK]
    workspace_id: Mapped[WorkspaceRef]
    user_id: Mapped[UserRef]
    role: Mapped[Role]


class Invite(Base):
    __tablename__ = "invites"
    id: Mapped[IntPK]
    workspace_id: Mapped[WorkspaceRef]
    token_hash: Mapped[TokenHash]
    role: Mapped[Role]
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[Created]
    expires_at: Mapped[When]
    used_at: Mapped[Maybe]


class Map(Base):
    """One map of a workspace. The listing columns are copied from its newest version."""

    __tablename__ = "maps"
    __table_args__ = (UniqueConstraint("workspace_id", "slug"),)
    id: Mapped[IntPK]
    workspace_id: Mapped[WorkspaceRef]
    slug: Mapped[Name]
    title: Mapped[str] = mapped_column(String(500))
    status: Mapped[Role]
    owner: Mapped[str | None] = mapped_column(String(200), nullable=True)
    persona: Mapped[str | None] = mapped_column(String(200), nullable=True)
    stages: Mapped[str] = mapped_column(Text, default="")
    review_due: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    lint_errors: Mapped[int] = mapped_column(Integer, default=0)
    lint_warnings: Mapped[int] = mapped_column(Integer, default=0)
    head: Mapped[int] = mapped_column(Integer, default=0)
    measurement: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[Created]
    updated_at: Mapped[Created]


class MapVersion(Base):
    __tablename__ = "map_versions"
    __table_args__ = (UniqueConstraint("map_id", "number"),)
    id: Mapped[IntPK]
    map_id: Mapped[MapRef]
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[AuthorRef]
    message: Mapped[str] = mapped_column(String(1000), default="")
    summary: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[Created]


class Comment(Base):
    """A comment on the map or one of its elements; replies share the thread's ``thread_id``."""

    __tablename__ = "comments"
    id: Mapped[IntPK]
    map_id: Mapped[MapRef]
    thread_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    anchor: Mapped[str] = mapped_column(String(300), default="")
    author_id: Mapped[AuthorRef]
    body: Mapped[str] = mapped_column(Text)
    resolved: Mapped[Flag]
    created_at: Mapped[Created]


class ShareLink(Base):
    __tablename__ = "share_links"
    id: Mapped[IntPK]
    map_id: Mapped[MapRef]
    token_hash: Mapped[TokenHash]
    prefix: Mapped[Prefix]
    created_by: Mapped[AuthorRef]
    created_at: Mapped[Created]
    expires_at: Mapped[Maybe]
    revoked_at: Mapped[Maybe]


class AuditEntry(Base):
    __tablename__ = "audit"
    id: Mapped[IntPK]
    workspace_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    action: Mapped[str] = mapped_column(String(50))
    detail: Mapped[str] = mapped_column(String(1000), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[Created]


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def connect(url: str) -> tuple[Engine, sessionmaker[Any]]:
    """An engine and a session factory for ``url``; SQLite in WAL mode with foreign keys."""
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine, sessionmaker(engine, expire_on_commit=False)


def upgrade(engine: Engine) -> None:
    """Bring the database's schema to the newest migration (creating it when empty)."""
    from alembic import command
    from alembic.config import Config

    folder = resources.files("journeymap.web") / "migrations"
    cfg = Config()
    cfg.set_main_option("script_location", str(folder))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
