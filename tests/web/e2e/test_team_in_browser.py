"""The team in the browser: an editor joins through an invite link, a viewer sees no edit
control (and the server refuses an edit anyway), a read-only share link shows the map and
nothing else of the workspace until it is revoked; and no page asks any host but the app's
for anything."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlparse

from playwright.sync_api import expect

if TYPE_CHECKING:
    from conftest import UI, Server, Team


def test_an_invited_editor_joins_and_can_edit(ui: UI, team: Team, server: Server) -> None:
    path = team.new_map("Invited editing")
    admin = ui.open(team.emails["admin"])
    admin.goto("/w/cx/")
    with admin.expect_navigation():
        admin.get_by_role("link", name="Members").click()
    assert admin.url == f"{server.url}/w/cx/members"
    admin.get_by_label("Role", exact=True).select_option("editor")
    with admin.expect_navigation():
        admin.get_by_role("button", name="Create invite link").click()
    assert "Invite link for an editor" in admin.get_by_role("status").inner_text()
    link = admin.locator("#invite-link").inner_text().strip()
    assert link.startswith(f"{server.url}/invite/")

    newcomer = ui.open()
    newcomer.goto(urlparse(link).path)
    expect(newcomer.get_by_role("heading", name="Join CX")).to_be_visible()
    assert "invited as editor" in newcomer.locator("main").inner_text()
    newcomer.get_by_label("Your name").fill("Nina Newcomer")
    newcomer.get_by_label("Email").fill("nina@example.com")
    newcomer.get_by_label("Password").fill(ui.password)
    with newcomer.expect_navigation():
        newcomer.get_by_role("button", name="Join").click()

    assert newcomer.url == f"{server.url}/w/cx/"
    assert newcomer.locator(".role").inner_text() == "editor"
    expect(newcomer.get_by_role("link", name="Nina Newcomer")).to_be_visible()
    assert newcomer.get_by_role("link", name="Members").count() == 0  # not an admin
    with newcomer.expect_navigation():
        newcomer.get_by_role("link", name="Invited editing").click()
    assert newcomer.url == f"{server.url}{path}"
    edit = newcomer.get_by_role("link", name="Edit", exact=True)
    expect(edit).to_be_visible()
    with newcomer.expect_navigation():
        edit.click()
    expect(newcomer.get_by_role("heading", name="Edit the map")).to_be_visible()

    # the admin sees the new member; the link works once
    admin.goto("/w/cx/members")
    member = admin.locator("tbody tr", has_text="nina@example.com")
    assert member.get_by_label("Role of Nina Newcomer").input_value() == "editor"
    used = newcomer.request.get(urlparse(link).path)
    assert used.status == 404


def test_a_viewer_sees_no_edit_control(ui: UI, team: Team) -> None:
    path = team.new_map("Only looking")
    page = ui.open(team.emails["viewer"])
    page.goto(path)
    ui.map_ready(page)
    assert page.locator(".role").inner_text() == "viewer"
    heading = page.locator(".heading")
    expect(heading.get_by_role("link", name="History")).to_be_visible()  # what a viewer may do
    assert heading.get_by_role("link", name="Edit", exact=True).count() == 0
    assert heading.get_by_role("link", name="YAML").count() == 0
    assert page.locator('textarea[name="body"]').count() == 0
    assert page.get_by_role("button", name="Comment").count() == 0
    assert page.locator("#sharing").count() == 0
    assert page.get_by_role("button", name="Create link").count() == 0
    assert page.get_by_role("button", name="Delete map").count() == 0
    page.goto(f"{path}/history")
    assert page.locator("table.versions tbody tr").count() == 1
    assert page.get_by_role("button", name="Restore").count() == 0
    page.goto("/w/cx/")
    assert page.locator("#new-map").count() == 0

    # the server refuses what the page does not offer, even with the session's CSRF token
    token = ui.csrf(page)
    edit = page.request.post(
        f"{path}/edit/touchpoint/checkout",
        form={"csrf": token, "base": "1", "name": "Sneaky", "lane": "frontstage"},
    )
    assert edit.status == 403
    assert "needs the editor role" in edit.text()
    comment = page.request.post(f"{path}/comments", form={"csrf": token, "body": "hi"})
    assert comment.status == 403
    form = page.goto(f"{path}/edit")
    assert form is not None and form.status == 403
    assert ui.touchpoint(ui.yaml_of(page, path), "checkout")["name"] == "Checkout process"


def test_a_share_link_shows_the_map_and_nothing_else(ui: UI, team: Team) -> None:
    path = team.new_map("Shown to a partner")
    editor = ui.open(team.emails["editor"])
    editor.goto(path)
    editor.locator("#comments").get_by_label("Comment").fill("internal: do not show")
    with editor.expect_navigation():
        editor.get_by_role("button", name="Comment").click()
    with editor.expect_navigation():
        editor.locator("#sharing").get_by_role("button", name="Create link").click()
    expect(editor.get_by_role("heading", name="Read-only link")).to_be_visible()
    link = urlparse(editor.locator("#share-link").inner_text().strip()).path
    assert link.startswith("/s/")

    guest = ui.open()
    response = guest.goto(link)
    assert response is not None and response.status == 200
    expect(guest.get_by_role("heading", name="Shown to a partner")).to_be_visible()
    expect(guest.locator(".badge", has_text="read-only")).to_be_visible()
    ui.map_ready(guest)
    assert "Checkout process" in guest.locator("#map-canvas svg").first.inner_html()
    text = guest.locator("body").inner_text()
    assert "internal: do not show" not in text
    assert "Comments" not in text and "CX" not in text
    hrefs = guest.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert not [h for h in hrefs if h and h.startswith("/w/")], hrefs
    assert guest.locator("form").count() == 0
    assert guest.locator("#comments, #sharing, header.top").count() == 0
    # and the workspace stays closed to the guest
    closed = guest.request.get(path, max_redirects=0)
    assert closed.status == 303
    assert closed.headers["location"].startswith("/login")

    editor.goto(path)
    sharing = editor.locator("#sharing")
    assert "no expiry" in sharing.inner_text()
    with editor.expect_navigation():
        sharing.get_by_role("button", name="Revoke").click()
    assert "revoked" in editor.locator("#sharing").inner_text()
    gone = guest.goto(link)
    assert gone is not None and gone.status == 404
    assert "not valid" in guest.locator("body").inner_text()
    assert guest.locator("#map-canvas").count() == 0


def test_no_page_asks_another_host_for_anything(ui: UI, team: Team, shop: str) -> None:
    path = shop
    page = ui.open(team.emails["admin"])
    page.goto(path)
    share = page.request.post(f"{path}/shares", form={"csrf": ui.csrf(page)})
    assert share.status == 200
    link = share.text().split('id="share-link">', 1)[1].split("<", 1)[0]
    for where in (
        "/w/cx/",
        path,
        f"{path}/edit",
        f"{path}/edit/touchpoint/checkout",
        f"{path}/yaml",
        f"{path}/history?a=1&b=1",
        "/w/cx/members",
        "/account",
    ):
        response = page.goto(where)
        assert response is not None and response.status == 200, where
    page.goto(path)
    ui.map_ready(page)
    guest = ui.open()
    guest.goto(urlparse(link).path)
    ui.map_ready(guest)

    for user in (page, guest):
        traffic = ui.traffic(user)
        assert traffic.urls, "no request recorded"
        hosts = {urlparse(u).hostname for u in traffic.urls}
        assert hosts == {"127.0.0.1"}, hosts
        assert traffic.outside() == []
        assert traffic.errors == []
    scripts = {urlparse(u).path for u in ui.traffic(guest).urls if u.endswith(".js")}
    assert scripts == {"/static/vendor/svg-pan-zoom.min.js", "/static/app.js"}
