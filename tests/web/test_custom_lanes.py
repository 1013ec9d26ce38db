"""Lanes of a map's own in the team app: the YAML editor keeps them, a form save by someone
else merges with them, the JSON export imports back, and a backup restores them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from journeymap.formats import loads
from journeymap.web import store
from journeymap.web.backup import backup, restore
from journeymap.web.db import connect
from journeymap.web.settings import Settings

if TYPE_CHECKING:
    from conftest import Client, Team

LANES = """
lanes:
  # what the law asks for
  - id: regulation
    name: Regulation
    items:
      - text: Age check   # 18 or over
        touchpoint: {tp}
        detail: ID document
  - id: partner
    name: Partner
    description: Who we depend on
    items:
      - {{text: Payment provider, touchpoint: {tp}}}
"""


def _yaml(c: Client, url: str) -> str:
    r = c.get(f"{url}/export/yaml")
    assert r.status_code == 200
    return str(r.text)


def _lanes(text: str) -> list[tuple[str, str, list[tuple[str, str | None]]]]:
    return [
        (lane.id, lane.name, [(c.text, c.detail) for c in lane.items]) for lane in loads(text).lanes
    ]


def test_lanes_survive_yaml_save_a_concurrent_form_save_export_and_backup(
    team: Team, tmp_path: Path
) -> None:
    a, b = team["editor"], team["admin"]
    url = team.new_map()
    text = _yaml(a, url)
    tp = next(iter(loads(text).iter_touchpoints()))[1].id
    # b opens a touchpoint's form on version 1 while a adds the lanes in the YAML editor
    page = b.get(f"{url}/edit/touchpoint/{tp}").text
    assert 'name="base" value="1"' in page
    a.page(f"{url}/yaml")
    r = a.submit(f"{url}/yaml", {"text": text + LANES.format(tp=tp), "base": "1"})
    assert r.status_code == 303, r.text
    saved = _yaml(a, url)
    assert "# what the law asks for" in saved and "# 18 or over" in saved
    expected = [
        ("regulation", "Regulation", [("Age check", "ID document")]),
        ("partner", "Partner", [("Payment provider", None)]),
    ]
    assert _lanes(saved) == expected

    form = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page))
    form["expected_emotion"] = "Delighted"
    r = b.submit(f"{url}/edit/touchpoint/{tp}", form)
    assert r.status_code == 303, r.text
    merged = _yaml(b, url)
    assert loads(merged).touchpoint(tp).expected_emotion == "Delighted"
    assert _lanes(merged) == expected
    assert "# 18 or over" in merged

    exported = b.get(f"{url}/export/json")
    assert exported.status_code == 200
    r = b.submit(
        "/w/cx/maps/import",
        files={"files": ("copy.json", exported.content, "application/json")},
    )
    assert r.status_code == 303, r.text
    assert _lanes(_yaml(b, r.headers["location"])) == expected

    archive = tmp_path / "team.zip"
    backup(team.app.state.engine, archive)
    (tmp_path / "restored").mkdir()
    engine, sessions = connect(Settings(data_dir=tmp_path / "restored").database_url)
    try:
        restore(engine, archive)
        with sessions() as db:
            row = store.get_map(db, store.workspace(db, "cx"), url.rstrip("/").split("/")[-1])
            assert _lanes(store.version(db, row, None).text) == expected
    finally:
        engine.dispose()
