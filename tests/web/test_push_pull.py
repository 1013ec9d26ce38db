"""`journeymap push` and `pull` against the app served over HTTP: a map file in git and the
same map in the app meet."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from typer.testing import CliRunner

from journeymap.cli import app as cli
from journeymap.formats import dumps, loads
from journeymap.formats.templates import template_text

if TYPE_CHECKING:
    from conftest import Live


def run(*args: str, token: str | None) -> Any:
    env = {"JOURNEYMAP_TOKEN": token} if token else {"JOURNEYMAP_TOKEN": ""}
    return CliRunner().invoke(cli, list(args), env=env)


def edit(path: Path, tp: str, emotion: str) -> None:
    m = loads(path.read_text(encoding="utf-8"))
    m.touchpoint(tp).expected_emotion = emotion
    path.write_text(dumps(m), encoding="utf-8")


@pytest.fixture
def journey(tmp_path: Path) -> Path:
    path = tmp_path / "repo" / "journey.yaml"
    path.parent.mkdir()
    path.write_text(template_text("ecommerce"), encoding="utf-8")
    return path


def test_push_creates_then_merges_and_pull_brings_the_apps_edits(live: Live, journey: Path) -> None:
    r = run("push", str(journey), "--to", f"{live.url}/w/cx", token=live.token)
    assert r.exit_code == 0, r.output
    url = r.output.split("created ")[1].split(" ")[0]
    assert url.startswith(f"{live.url}/w/cx/maps/")
    state = json.loads((journey.parent / ".journeymap-app.json").read_text())
    assert state["maps"]["journey.yaml"]["version"] == 1

    # someone edits one touchpoint in the app while the file changes another
    tps = [tp.id for _, tp in loads(journey.read_text()).iter_touchpoints()]
    slug = url.rsplit("/", 1)[1]
    from fastapi.testclient import TestClient

    api = TestClient(live.app, headers={"Authorization": f"Bearer {live.token}"})
    doc = api.get(f"/api/v1/w/cx/maps/{slug}").json()
    in_app = loads(doc["text"])
    in_app.touchpoint(tps[0]).expected_emotion = "Angry"
    assert (
        api.put(f"/api/v1/w/cx/maps/{slug}", json={"text": dumps(in_app), "base": 1}).status_code
        == 200
    )
    edit(journey, tps[1], "Delighted")
    r = run("push", str(journey), "-m", "from git", token=live.token)
    assert r.exit_code == 0, r.output
    assert "merged" in r.output
    merged = loads(journey.read_text())
    assert merged.touchpoint(tps[0]).expected_emotion == "Angry"
    assert merged.touchpoint(tps[1]).expected_emotion == "Delighted"

    # the same field on both sides: a conflict, nothing saved, exit 1; --keep settles it
    in_app = loads(api.get(f"/api/v1/w/cx/maps/{slug}").json()["text"])
    in_app.touchpoint(tps[2]).expected_emotion = "Angry"
    head = api.get(f"/api/v1/w/cx/maps/{slug}").json()["version"]
    api.put(f"/api/v1/w/cx/maps/{slug}", json={"text": dumps(in_app), "base": head})
    edit(journey, tps[2], "Delighted")
    r = run("push", str(journey), token=live.token)
    assert r.exit_code == 1
    assert "yours 'Delighted', the app's 'Angry'" in r.output
    r = run("push", str(journey), "--keep", "ours", token=live.token)
    assert r.exit_code == 0, r.output
    final = loads(api.get(f"/api/v1/w/cx/maps/{slug}").json()["text"])
    assert final.touchpoint(tps[2]).expected_emotion == "Delighted"

    # pull into a new file, then a pull refuses to drop edits that were never pushed
    copy = journey.parent / "copy.yaml"
    r = run("pull", url, "-o", str(copy), token=live.token)
    assert r.exit_code == 0, r.output
    assert loads(copy.read_text()).touchpoint(tps[2]).expected_emotion == "Delighted"
    edit(copy, tps[3], "Confused")
    r = run("pull", url, "-o", str(copy), token=live.token)
    assert r.exit_code == 2
    assert "never pushed" in r.output
    assert loads(copy.read_text()).touchpoint(tps[3]).expected_emotion == "Confused"


def test_push_and_pull_errors_are_clear(live: Live, journey: Path, tmp_path: Path) -> None:
    r = run("push", str(journey), "--to", f"{live.url}/w/cx", token=None)
    assert r.exit_code == 2 and "JOURNEYMAP_TOKEN" in r.output
    r = run("push", str(journey), "--to", f"{live.url}/w/cx", token="jm_not_a_token")
    assert r.exit_code == 2 and "not valid" in r.output
    r = run("push", str(journey), "--to", "ftp://example.com/x", token=live.token)
    assert r.exit_code == 2 and "expected the address of a map" in r.output
    r = run("push", str(journey), token=live.token)
    assert r.exit_code == 2 and "give --to URL" in r.output
    broken = tmp_path / "broken.yaml"
    broken.write_text("title: x\nstages: [\n", encoding="utf-8")
    r = run("push", str(broken), "--to", f"{live.url}/w/cx", token=live.token)
    assert r.exit_code == 2 and "broken.yaml:" in r.output
    r = run(
        "pull",
        f"{live.url}/w/cx/maps/nothing-here",
        "-o",
        str(tmp_path / "x.yaml"),
        token=live.token,
    )
    assert r.exit_code == 2 and "no such map" in r.output
    r = run(
        "pull", "http://127.0.0.1:9/w/cx/maps/x", "-o", str(tmp_path / "x.yaml"), token=live.token
    )
    assert r.exit_code == 2 and "cannot reach the app" in r.output
    assert "Traceback" not in r.output


def test_push_sends_the_latest_measurement_shown_on_the_maps_page(
    live: Live, tmp_path: Path
) -> None:
    from journeymap.formats.document import load
    from journeymap.measuring.from_files import EvidenceFiles, measure_files
    from journeymap.measuring.pipeline import measurements_dir, save_measurement
    from journeymap.measuring.sample import generate_sample

    files = generate_sample(tmp_path / "shop", customers=200, seed=3)
    evidence = EvidenceFiles(events=files.events, feedback=[files.feedback])
    result = measure_files(load(files.map), evidence).result
    save_measurement(result, measurements_dir(files.map))
    r = run("push", str(files.map), "--to", f"{live.url}/w/cx", token=live.token)
    assert r.exit_code == 0, r.output
    assert "its latest measurement too" in r.output
    slug = r.output.split("created ")[1].split(" ")[0].rsplit("/", 1)[1]
    from fastapi.testclient import TestClient

    browser = TestClient(live.app)
    page = browser.get("/login")
    import re

    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf is not None
    browser.post(
        "/login",
        data={
            "csrf": csrf.group(1),
            "email": "admin@example.com",
            "password": "correct horse battery staple",
        },
    )
    shown = browser.get(f"/w/cx/maps/{slug}").text
    assert 'id="measurement"' in shown
    assert "<table>" in shown.split('id="measurement"')[1]
    r = run("push", str(files.map), "--no-measurement", "-m", "again", token=live.token)
    assert r.exit_code == 0 and "measurement" not in r.output
