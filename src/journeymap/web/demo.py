"""The demo workspace ``journeymap serve --demo`` starts with: the demo shop's map, its
generated data, and its measurement (the same as ``journeymap demo``)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session as DB

from journeymap.web import security, store
from journeymap.web.db import User, Workspace

__all__ = ["DEMO_EMAIL", "seed_demo"]

DEMO_EMAIL = "demo@example.com"
DEMO_WORKSPACE = "demo"


def seed_demo(db: DB, *, customers: int = 3000, seed: int = 7) -> tuple[str, str | None]:
    """Create the demo admin and workspace once; returns the admin's email and, when the
    account was made now, its generated password (otherwise ``None``)."""
    if db.scalar(select(Workspace).where(Workspace.slug == DEMO_WORKSPACE)):
        return DEMO_EMAIL, None
    from journeymap.formats.document import load, read_text
    from journeymap.measuring.from_files import EvidenceFiles, measure_files
    from journeymap.measuring.sample import generate_sample
    from journeymap.rendering.report import write_report

    password = None
    user = db.scalar(select(User).where(User.email == DEMO_EMAIL))
    if user is None:
        password = security.new_token()[:16]
        user = store.create_user(db, DEMO_EMAIL, "Demo admin", password, is_admin=True)
    ws = store.create_workspace(db, "Demo shop", user, slug=DEMO_WORKSPACE)
    with tempfile.TemporaryDirectory(prefix="journeymap-demo-") as tmp:
        files = generate_sample(Path(tmp), customers=customers, seed=seed)
        m = load(files.map)
        evidence = EvidenceFiles(events=files.events, feedback=[files.feedback])
        result = measure_files(m, evidence).result
        report = write_report(m, result, Path(tmp) / "report.md")
        row = store.create_map(db, ws, read_text(files.map), user, "the demo shop's map")
        store.attach_measurement(db, row, report.read_text(encoding="utf-8"))
    db.commit()
    return DEMO_EMAIL, password
