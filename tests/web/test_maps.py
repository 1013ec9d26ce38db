"""Maps in the app: create, import, see, export, edit (forms and YAML), versions merged or
shown as conflicts, history, comments, share links, the audit log."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from journeymap.formats import loads
from journeymap.formats.templates import list_templates, new_map
from journeymap.web.db import AuditEntry

if TYPE_CHECKING:
    from conftest import Client, Team

DATA = Path(__file__).resolve().parents[2] / "tests" / "golden"


def _yaml(c: Client, url: str) -> str:
    r = c.get(f"{url}/export/yaml")
    assert r.status_code == 200
    return str(r.text)


def _first_touchpoint(text: str) -> tuple[str, str, str]:
    m = loads(text)
    stage, tp = next(iter(m.iter_touchpoints()))
    second = [t for _, t in m.iter_touchpoints()][1]
    return tp.id, second.id, stage.id


def _form(c: Client, url: str) -> dict[str, str]:
    """The values a browser would send for the form at ``url``, as loaded."""
    html = c.page(url).text
    values: dict[str, str] = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        values[name] = value
    for name, body in re.findall(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        values[name] = body
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', options)
        values[name] = chosen.group(1) if chosen else ""
    for name in re.findall(r'<input type="checkbox"[^>]*name="([^"]+)"[^>]*checked', html):
        values[name] = "on"
    values.pop("csrf", None)
    import html as html_lib

    return {k: html_lib.unescape(v) for k, v in values.items()}


def test_every_template_and_a_blank_map_make_maps_that_validate(team: Team) -> None:
    admin = team["admin"]
    for t in list_templates():
        url = team.new_map(t.name)
        text = _yaml(admin, url)
        assert loads(text).stages, t.name
        page = admin.get(url)
        assert page.status_code == 200
        assert "<svg" in page.text
    admin.page("/w/cx/")
    r = admin.submit("/w/cx/maps", {"template": "", "title": 'Support: "calls" & chats'})
    blank = _yaml(admin, r.headers["location"])
    assert loads(blank).name == 'Support: "calls" & chats'
    # the app's blank map is the shipped blank template, as `journeymap new -t blank` writes it
    assert [s.id for s in loads(blank).stages] == [s.id for s in new_map("blank").stages]
    listing = admin.get("/w/cx/").text
    assert listing.count('href="/w/cx/maps/') == len(list_templates()) + 1
    assert "Support: &#34;calls&#34; &amp; chats" in listing


def test_export_in_every_format_the_cli_writes(team: Team) -> None:
    admin = team["admin"]
    url = team.new_map("saas-onboarding")
    expected = {
        "yaml": b"title:", "json": b'"title"', "svg": b"<svg", "png": b"\x89PNG",
        "pdf": b"%PDF", "html": b"<!doctype html", "md": b"# ", "mmd": b"journey",
    }  # fmt: skip
    for fmt, start in expected.items():
        r = admin.get(f"{url}/export/{fmt}")
        assert r.status_code == 200, fmt
        assert start.lower() in r.content[:6000].lower(), fmt
        assert r.headers["content-disposition"].endswith(f'.{fmt}"')
    assert admin.get(f"{url}/export/docx").status_code == 404


def test_import_a_map_file_and_tables(team: Team, tmp_path: Path) -> None:
    admin = team["admin"]
    admin.page("/w/cx/")
    text = _yaml(admin, team.new_map("issue-resolution"))
    r = admin.submit(
        "/w/cx/maps/import", files={"files": ("support.yaml", text.encode(), "application/yaml")}
    )
    assert r.status_code == 303
    assert loads(_yaml(admin, r.headers["location"])).name == loads(text).name
    table = (
        "| Stage | Touchpoint | Expected emotion | Actual emotion |\n"
        "| --- | --- | --- | --- |\n"
        "| Discover | Search ad | Curious | Confused |\n"
        "| Buy | Checkout | Satisfied | Frustrated |\n"
    )
    r = admin.submit(
        "/w/cx/maps/import", files={"files": ("journey.md", table.encode(), "text/markdown")}
    )
    assert r.status_code == 303, r.text
    m = loads(_yaml(admin, r.headers["location"]))
    assert [s.name for s in m.stages] == ["Discover", "Buy"]
    bad = admin.submit(
        "/w/cx/maps/import",
        files={"files": ("broken.yaml", b"title: [unclosed\n", "application/yaml")},
    )
    assert bad.status_code == 422
    assert "broken.yaml:" in bad.text  # located, without the server's temporary folder
    assert "/tmp/" not in bad.text


def test_a_touchpoint_edited_through_its_form(team: Team) -> None:
    editor = team["editor"]
    url = team.new_map()
    tp, _, _ = _first_touchpoint(_yaml(editor, url))
    form = _form(editor, f"{url}/edit/touchpoint/{tp}")
    assert form["base"] == "1"
    # the channel is free text, with the known channels offered
    page = editor.get(f"{url}/edit/touchpoint/{tp}").text
    assert 'list="f-channel-known"' in page and '<option value="whatsapp">' in page
    form.update(
        {
            "channel": "WhatsApp",
            "expected_emotion": "Delighted",
            "actions": "Opens the app\nSearches",
            "moment_of_truth": "on",
        }
    )
    r = editor.submit(f"{url}/edit/touchpoint/{tp}", form)
    assert r.status_code == 303, r.text
    m = loads(_yaml(editor, url))
    edited = m.touchpoint(tp)
    assert edited.channel == "whatsapp"
    assert edited.expected_emotion == "Delighted"
    assert edited.actions == ["Opens the app", "Searches"]
    assert edited.moment_of_truth is True
    history = editor.get(f"{url}/history").text
    assert "expected emotion" in history.lower()


def test_a_field_error_stands_next_to_the_field_and_nothing_typed_is_lost(team: Team) -> None:
    editor = team["editor"]
    url = team.new_map()
    form = _form(editor, f"{url}/edit/persona/-")
    form.update({"age": "two hundred", "quote": "Keep this text"})
    r = editor.submit(f"{url}/edit/persona/-", form)
    assert r.status_code == 422
    field = r.text.split('id="f-age"')[1].split("</div>")[0]
    assert "field-error" in field
    assert "Keep this text" in r.text
    assert editor.get(f"{url}/history").text.count("<tr>") == 2  # header + version 1


def test_yaml_errors_are_the_clis_file_line_col(team: Team) -> None:
    editor = team["editor"]
    url = team.new_map()
    text = _yaml(editor, url)
    broken = text.replace("stages:", "stages:\n  - name: [", 1)
    editor.page(f"{url}/yaml")
    r = editor.submit(f"{url}/yaml", {"text": broken, "base": "1"})
    assert r.status_code == 422
    assert re.search(r"\.yaml:\d+:\d+: ", r.text)
    assert "stages:\n  - name: [" in r.text.replace("&#34;", '"')  # the text stays


def test_two_editors_saving_different_touchpoints_keep_both(team: Team) -> None:
    a, b = team["editor"], team["admin"]
    url = team.new_map()
    first, second, _ = _first_touchpoint(_yaml(a, url))
    form_a = _form(a, f"{url}/edit/touchpoint/{first}")
    form_b = _form(b, f"{url}/edit/touchpoint/{second}")
    form_a["expected_emotion"] = "Delighted"
    form_b["expected_emotion"] = "Angry"
    assert a.submit(f"{url}/edit/touchpoint/{first}", form_a).status_code == 303
    r = b.submit(f"{url}/edit/touchpoint/{second}", form_b)
    assert r.status_code == 303, r.text
    m = loads(_yaml(a, url))
    assert m.touchpoint(first).expected_emotion == "Delighted"
    assert m.touchpoint(second).expected_emotion == "Angry"
    assert "merged with version 2" in a.get(f"{url}/history").text


def test_the_same_field_saved_twice_is_a_conflict_to_resolve(team: Team) -> None:
    a, b = team["editor"], team["admin"]
    url = team.new_map()
    tp, _, _ = _first_touchpoint(_yaml(a, url))
    form_a = _form(a, f"{url}/edit/touchpoint/{tp}")
    form_b = _form(b, f"{url}/edit/touchpoint/{tp}")
    form_a["expected_emotion"] = "Delighted"
    form_b["expected_emotion"] = "Angry"
    form_b["owner"] = "Support team"
    assert a.submit(f"{url}/edit/touchpoint/{tp}", form_a).status_code == 303
    r = b.submit(f"{url}/edit/touchpoint/{tp}", form_b)
    assert r.status_code == 409
    assert "expected emotion" in r.text
    assert loads(_yaml(a, url)).touchpoint(tp).expected_emotion == "Delighted"  # nothing lost
    path = re.search(r'name="choice:([^"]+)"', r.text)
    assert path is not None
    ours = re.search(r'<textarea name="text" hidden>(.*?)</textarea>', r.text, re.S)
    assert ours is not None
    import html

    b.csrf = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)  # type: ignore[union-attr]
    r = b.submit(
        f"{url}/resolve",
        {"text": html.unescape(ours.group(1)), "base": "1", f"choice:{path.group(1)}": "ours"},
    )
    assert r.status_code == 303, r.text
    final = loads(_yaml(a, url)).touchpoint(tp)
    assert final.expected_emotion == "Angry"
    assert final.owner == "Support team"


def test_history_diff_and_restore(team: Team) -> None:
    editor = team["editor"]
    url = team.new_map()
    tp, _, _ = _first_touchpoint(_yaml(editor, url))
    before = loads(_yaml(editor, url)).touchpoint(tp).expected_emotion
    form = _form(editor, f"{url}/edit/touchpoint/{tp}")
    form["expected_emotion"] = "Angry"
    editor.submit(f"{url}/edit/touchpoint/{tp}", form)
    diff = editor.get(f"{url}/history?a=1&b=2").text
    assert "expected emotion" in diff.lower() and "Angry" in diff
    editor.page(f"{url}/history")
    r = editor.submit(f"{url}/restore/1")
    assert r.status_code == 303
    assert loads(_yaml(editor, url)).touchpoint(tp).expected_emotion == before
    history = editor.get(f"{url}/history").text
    assert "restored version 1" in history
    assert editor.get(f"{url}?v=2").status_code == 200


def test_a_comment_thread_on_a_touchpoint_resolved_and_reopened(team: Team) -> None:
    commenter = team["commenter"]
    url = team.new_map()
    tp, _, _ = _first_touchpoint(_yaml(commenter, url))
    commenter.page(url)
    r = commenter.submit(
        f"{url}/comments", {"anchor": f"touchpoint:{tp}", "body": "Is this <b>right</b>?"}
    )
    assert r.status_code == 303
    thread = int(r.headers["location"].rsplit("-", 1)[1])
    commenter.submit(f"{url}/comments", {"thread": str(thread), "body": "Checked with support"})
    page = commenter.page(url).text
    assert "Is this &lt;b&gt;right&lt;/b&gt;?" in page
    assert "Checked with support" in page
    assert f'data-anchor="touchpoint:{tp}"' in page
    # the touchpoint's form shows its open thread
    form_page = team["editor"].get(f"{url}/edit/touchpoint/{tp}").text
    assert "Open comments on this touchpoint" in form_page
    assert "Is this &lt;b&gt;right&lt;/b&gt;?" in form_page
    commenter.submit(f"{url}/comments/{thread}/resolve")
    assert "· resolved" in commenter.page(url).text
    assert "Open comments" not in team["editor"].get(f"{url}/edit/touchpoint/{tp}").text
    commenter.submit(f"{url}/comments/{thread}/reopen")
    assert "· resolved" not in commenter.page(url).text


def test_a_share_link_shows_the_map_and_nothing_else_until_revoked(team: Team) -> None:
    editor = team["editor"]
    url = team.new_map()
    editor.page(url)
    r = editor.submit(f"{url}/shares", {"expires": ""})
    link = re.search(r'id="share-link">([^<]+)<', r.text)
    assert link is not None
    path = "/" + link.group(1).split("/", 3)[3]
    stranger = team.client()
    shown = stranger.get(path)
    assert shown.status_code == 200
    assert "<svg" in shown.text
    assert "/w/cx" not in shown.text and "Comments" not in shown.text
    editor.page(url)
    with team.app.state.sessions() as db:
        from journeymap.web.db import ShareLink

        share_id = db.scalars(select(ShareLink.id)).all()[-1]
    assert editor.submit(f"{url}/shares/{share_id}/revoke").status_code == 303
    assert stranger.get(path).status_code == 404
    past = editor.submit(f"{url}/shares", {"expires": "2020-01-01"})
    assert past.status_code == 422


def test_the_list_filters_and_the_audit_log(team: Team) -> None:
    admin = team["admin"]
    team.new_map("ecommerce")
    team.new_map("saas-renewal")
    all_maps = admin.get("/w/cx/").text
    only = admin.get("/w/cx/?q=renewal").text
    assert all_maps.count('href="/w/cx/maps/') == 2
    assert only.count('href="/w/cx/maps/') == 1
    assert admin.get("/w/cx/?status=archived").text.count('href="/w/cx/maps/') == 0
    audit = admin.get("/w/cx/audit").text
    assert "map-created" in audit and "sign-in" in audit
    with team.app.state.sessions() as db:
        assert "workspace-created" in db.scalars(select(AuditEntry.action)).all()


def test_the_api_saves_merges_and_reports_conflicts(team: Team) -> None:
    from journeymap.web import store
    from journeymap.web.db import User

    with team.app.state.sessions() as db:
        user = db.scalar(select(User).where(User.email == "editor@example.com"))
        assert user is not None
        token = store.create_api_token(db, user, "push")
        db.commit()
    api = team.client()
    auth = {"Authorization": f"Bearer {token}"}
    url = team.new_map()
    slug = url.rsplit("/", 1)[1]
    doc = api.get(f"/api/v1/w/cx/maps/{slug}", headers=auth).json()
    tp, _, _ = _first_touchpoint(doc["text"])
    m = loads(doc["text"])
    m.touchpoint(tp).expected_emotion = "Delighted"
    from journeymap.formats import dumps

    r = api.put(f"/api/v1/w/cx/maps/{slug}", json={"text": dumps(m), "base": 1}, headers=auth)
    assert r.status_code == 200 and r.json()["version"] == 2
    m2 = loads(doc["text"])
    m2.touchpoint(tp).expected_emotion = "Angry"
    r = api.put(f"/api/v1/w/cx/maps/{slug}", json={"text": dumps(m2), "base": 1}, headers=auth)
    assert r.status_code == 409
    [conflict] = r.json()["conflicts"]
    assert conflict["ours"] == "Angry" and conflict["theirs"] == "Delighted"
    r = api.put(
        f"/api/v1/w/cx/maps/{slug}",
        json={"text": dumps(m2), "base": 1, "resolutions": {conflict["path"]: "ours"}},
        headers=auth,
    )
    assert r.status_code == 200 and r.json()["merged"] is True
    assert (
        api.get(
            f"/api/v1/w/cx/maps/{slug}", headers={"Authorization": "Bearer jm_wrong"}
        ).status_code
        == 401
    )
    diff = api.get(f"/api/v1/w/cx/maps/{slug}/diff?a=1&b=3", headers=auth).json()
    assert "Angry" in str(diff["changes"])


def test_the_actual_emotion_and_its_source_through_the_form(team: Team) -> None:
    editor = team["editor"]
    url = team.new_map()
    text = _yaml(editor, url)
    tp, _, _ = _first_touchpoint(text)
    measured = next(
        t.id for _, t in loads(text).iter_touchpoints()
        if t.actual_emotion is not None and t.actual_emotion.source
    )  # fmt: skip
    form = _form(editor, f"{url}/edit/touchpoint/{tp}")
    form.update({"actual_emotion": "Frustrated", "actual_source": "Support tickets, Q3"})
    assert editor.submit(f"{url}/edit/touchpoint/{tp}", form).status_code == 303
    actual = loads(_yaml(editor, url)).touchpoint(tp).actual_emotion
    assert actual is not None
    assert (actual.emotion, actual.source, actual.method) == (
        "Frustrated", "Support tickets, Q3", "asserted",
    )  # fmt: skip
    # a touchpoint whose actual emotion is kept keeps how it was known; only the source moves
    before = loads(_yaml(editor, url)).touchpoint(measured).actual_emotion
    assert before is not None
    form = _form(editor, f"{url}/edit/touchpoint/{measured}")
    assert form["actual_source"] == before.source
    form["actual_source"] = "Exit survey"
    assert editor.submit(f"{url}/edit/touchpoint/{measured}", form).status_code == 303
    after = loads(_yaml(editor, url)).touchpoint(measured).actual_emotion
    assert after is not None
    assert (after.emotion, after.evidence, after.source) == (
        before.emotion,
        before.evidence,
        "Exit survey",
    )
    # cleared: no actual emotion
    form = _form(editor, f"{url}/edit/touchpoint/{tp}")
    form["actual_emotion"] = ""
    editor.submit(f"{url}/edit/touchpoint/{tp}", form)
    assert loads(_yaml(editor, url)).touchpoint(tp).actual_emotion is None
