"""Sessionising keeps every column of the log, while the prepared table stays narrow."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import journeymap as jm
from journeymap.events.prepare import prepare


def test_sessions_keep_channel_and_value(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text(
        "user_id,timestamp,event,channel,value\n"
        "u1,2024-01-01T10:00:00Z,home,web,\n"
        "u1,2024-01-01T10:05:00Z,buy,web,12.5\n"
        "u1,2024-01-01T12:00:00Z,home,app,\n"
        "u2,2024-01-01T09:00:00Z,home,app,\n"
    )
    log = jm.read_events(path)
    assert "channel" not in prepare(log).table.columns  # narrow ordered pass
    out = jm.sessions(log, gap=timedelta(minutes=30))
    rows = out.engine.run(out.table.order_by("seq")).to_pylist()
    assert [r["session"] for r in rows] == ["1", "1", "2", "1"]
    assert [r["channel"] for r in rows] == ["web", "web", "app", "app"]
    assert [r["value"] for r in rows] == [None, 12.5, None, None]
    flows = jm.flows(out, per="session").to_pylist()
    assert [(f["from"], f["to"], f["count"]) for f in flows] == [("home", "buy", 1)]
