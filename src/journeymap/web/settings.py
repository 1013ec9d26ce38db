"""The app's settings: environment variables (``JOURNEYMAP_*``), a config file, then
defaults; what ``journeymap serve`` options give wins over all three."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]


def _default_data() -> Path:
    return Path("journeymap-data")


class Settings(BaseSettings):
    """Everything the app needs to start. Secrets are never logged."""

    model_config = SettingsConfigDict(
        env_prefix="JOURNEYMAP_", env_file=None, extra="forbid", frozen=True
    )

    data_dir: Path = Field(
        default_factory=_default_data,
        description="Folder for the embedded database (journeymap.db).",
    )
    database: str | None = Field(
        default=None,
        description="SQLAlchemy URL, e.g. postgresql://user@host/db; default: SQLite in data_dir.",
    )
    session_hours: float = Field(
        default=12.0, gt=0, description="A session ends this long after sign-in."
    )
    idle_minutes: float = Field(
        default=120.0, gt=0, description="A session ends after this long without a request."
    )
    secure_cookies: bool = Field(
        default=False,
        description="Send cookies over HTTPS only (set it behind an HTTPS reverse proxy).",
    )
    login_attempts: int = Field(
        default=5, ge=1, description="Failed sign-ins per account and address in the window."
    )
    login_window_minutes: float = Field(
        default=15.0, gt=0, description="The window for counting failed sign-ins."
    )
    invite_days: float = Field(default=7.0, gt=0, description="How long an invite link lives.")

    @property
    def database_url(self) -> str:
        """The SQLAlchemy URL; PostgreSQL URLs are driven by psycopg 3."""
        url = self.database or f"sqlite:///{(self.data_dir / 'journeymap.db').resolve()}"
        if url.startswith("postgresql://") or url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        return url
