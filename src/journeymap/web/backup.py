"""Backup and restore of the app's database, as one portable file.

A backup is a ZIP of JSON Lines, one file per table, read in one transaction (a consistent
copy while the app runs). It restores into an empty database of either kind, so it also
moves a team from the embedded SQLite database to PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, func, select, text
from sqlalchemy.engine import Engine

from journeymap._atomic import atomic_write_bytes
from journeymap._version import __version__
from journeymap.errors import UsageError
from journeymap.web.db import Base, User, upgrade

__all__ = ["backup", "restore"]

FORMAT = 1


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def backup(engine: Engine, out: Path) -> dict[str, int]:
    """Write every table to ``out`` (atomically); returns the rows per table."""
    counts: dict[str, int] = {}
    buf = io.BytesIO()
    with (
        engine.connect() as conn,
        conn.begin(),
        zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z,
    ):
        for table in Base.metadata.sorted_tables:
            lines = []
            for row in conn.execute(select(table).order_by(*table.primary_key.columns)):
                lines.append(json.dumps({k: _plain(v) for k, v in row._mapping.items()}))
            z.writestr(f"tables/{table.name}.jsonl", "\n".join(lines) + ("\n" if lines else ""))
            counts[table.name] = len(lines)
        meta = {"format": FORMAT, "journeymap": __version__, "tables": counts,
                "created": dt.datetime.now(dt.UTC).isoformat()}  # fmt: skip
        z.writestr("backup.json", json.dumps(meta, indent=2))
    atomic_write_bytes(out, buf.getvalue())
    return counts


def _typed(table: Any, row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for column in table.columns:
        value = out.get(column.name)
        if isinstance(value, str) and isinstance(column.type, DateTime):
            out[column.name] = dt.datetime.fromisoformat(value)
        elif isinstance(value, str) and isinstance(column.type, Date):
            out[column.name] = dt.date.fromisoformat(value)
    return out


def restore(engine: Engine, source: Path) -> dict[str, int]:
    """Load a backup into an empty database (its schema made first)."""
    try:
        z = zipfile.ZipFile(source)
    except (OSError, zipfile.BadZipFile) as exc:
        raise UsageError(f"{source}: not a journeymap backup ({exc})") from None
    with z:
        try:
            meta = json.loads(z.read("backup.json"))
        except (KeyError, ValueError):
            raise UsageError(f"{source}: not a journeymap backup (no backup.json)") from None
        if meta.get("format") != FORMAT:
            raise UsageError(f"{source}: backup format {meta.get('format')}; expected {FORMAT}")
        upgrade(engine)
        counts: dict[str, int] = {}
        with engine.begin() as conn:
            if conn.scalar(select(func.count()).select_from(User.__table__)):
                raise UsageError("the database is not empty: restore into a new one")
            for table in Base.metadata.sorted_tables:
                try:
                    data = z.read(f"tables/{table.name}.jsonl").decode("utf-8")
                except KeyError:
                    raise UsageError(f"{source}: has no table {table.name}") from None
                rows = [_typed(table, json.loads(line)) for line in data.splitlines() if line]
                if rows:
                    conn.execute(table.insert(), rows)
                counts[table.name] = len(rows)
            if conn.dialect.name == "postgresql":
                for table in Base.metadata.sorted_tables:
                    conn.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                        )
                    )
    return counts
