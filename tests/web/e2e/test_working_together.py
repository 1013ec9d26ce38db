"""Working together in the browser: two editors with the same map's forms open at once
(different touchpoints are both kept; the same field asks the second one to choose), and a
comment thread (comment, reply, resolve, reopen)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from playwright.sync_api import expect

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from conftest import UI, Server, Team


def _form(page: Page, path: str, tp_id: str) -> None:
    page.goto(f"{path}/edit/touchpoint/{tp_id}")
    expect(page.locator("form.element-form")).to_be_visible()


def _save(page: Page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Save", exact=True).click()


def test_two_editors_at_once_keep_both_edits_or_choose(ui: UI, team: Team, server: Server) -> None:
    path = team.new_map("Edited by two")
    a = ui.open(team.emails["editor"])
    b = ui.open(team.emails["editor2"])

    # A edits touchpoint X, B (form loaded before A saves) touchpoint Y: both are kept
    _form(a, path, "reviews")
    _form(b, path, "checkout")
    for page in (a, b):
        assert page.locator('form.element-form input[name="base"]').get_attribute("value") == "1"
    a.get_by_label("Name", exact=True).fill("Reviews and ratings")
    _save(a)
    assert a.url == f"{server.url}{path}?saved=2"
    b.get_by_label("Name", exact=True).fill("One-page checkout")
    b.get_by_label("Expected emotion").select_option("Delighted")
    _save(b)
    assert b.url == f"{server.url}{path}?saved=3"
    ui.map_ready(b)
    drawn = b.locator("#map-canvas svg").first.inner_html()
    assert "Reviews and ratings" in drawn and "One-page checkout" in drawn
    data = ui.yaml_of(b, path)
    reviews, checkout = ui.touchpoint(data, "reviews"), ui.touchpoint(data, "checkout")
    assert reviews["name"] == "Reviews and ratings"
    assert reviews["expected_emotion"] == "Reassured"  # a field the form left alone
    assert checkout["name"] == "One-page checkout"
    assert checkout["expected_emotion"] == "Delighted"
    b.goto(f"{path}/history")
    assert "merged with version 2" in b.locator("table.versions tbody tr").first.inner_text()

    # both change the name of the same touchpoint: the second one chooses
    _form(a, path, "delivery")
    _form(b, path, "delivery")
    a.get_by_label("Name", exact=True).fill("Delivery in a day")
    _save(a)
    assert a.url == f"{server.url}{path}?saved=4"
    b.get_by_label("Name", exact=True).fill("Delivery by drone")
    b.get_by_label("Expected emotion").select_option("Satisfied")  # no conflict: merged
    with b.expect_navigation() as answer:
        b.get_by_role("button", name="Save", exact=True).click()
    assert answer.value is not None and answer.value.status == 409
    expect(b.get_by_role("heading", name="Someone else changed the same thing")).to_be_visible()
    assert "version 4 changed the same field" in b.get_by_role("alert").inner_text()
    rows = b.locator("table.conflicts tbody tr")
    assert rows.count() == 1
    assert "Delivery in a day" in rows.first.inner_text()
    assert "Delivery by drone" in rows.first.inner_text()
    assert rows.first.locator("td").nth(1).inner_text() == "Delivery"  # what it was
    ui.screenshot(b, "app-conflict")
    b.get_by_label("Delivery by drone").check()
    with b.expect_navigation():
        b.get_by_role("button", name="Save with these choices").click()
    assert b.url == f"{server.url}{path}?saved=5"
    delivery = ui.touchpoint(ui.yaml_of(b, path), "delivery")
    assert delivery["name"] == "Delivery by drone"
    assert delivery["expected_emotion"] == "Satisfied"
    assert ui.touchpoint(ui.yaml_of(a, path), "checkout")["name"] == "One-page checkout"


def test_a_comment_thread_is_answered_resolved_and_reopened(ui: UI, team: Team) -> None:
    path = team.new_map("Talked about")
    editor = ui.open(team.emails["editor"])
    commenter = ui.open(team.emails["commenter"])

    editor.goto(path)
    comments = editor.locator("#comments")
    assert "No comments yet." in comments.inner_text()
    comments.locator('select[name="anchor"]').select_option("touchpoint:checkout")
    comments.get_by_label("Comment", exact=True).fill("Do we need the shipping step?")
    with editor.expect_navigation():
        comments.get_by_role("button", name="Comment", exact=True).click()
    assert "#comment-" in editor.url
    thread = editor.locator("article.thread", has_text="Do we need the shipping step?")
    assert thread.count() == 1
    assert thread.locator(".anchor").inner_text() == "on touchpoint Checkout process"
    assert "Edda Editor: Do we need the shipping step?" in thread.inner_text()

    commenter.goto(path)
    theirs = commenter.locator("article.thread", has_text="Do we need the shipping step?")
    theirs.get_by_label("Reply").fill("Yes, for gifts")
    with commenter.expect_navigation():
        theirs.get_by_role("button", name="Reply").click()
    assert theirs.locator(".reply").inner_text() == "Carla Commenter: Yes, for gifts"

    editor.reload()
    assert thread.locator(".reply").inner_text() == "Carla Commenter: Yes, for gifts"
    with editor.expect_navigation():
        thread.get_by_role("button", name="Resolve").click()
    assert "resolved" in (thread.get_attribute("class") or "").split()
    assert thread.locator(".anchor").inner_text().endswith("· resolved")
    assert thread.get_by_role("button", name="Resolve").count() == 0
    commenter.reload()
    assert "resolved" in (theirs.get_attribute("class") or "").split()

    with commenter.expect_navigation():
        theirs.get_by_role("button", name="Reopen").click()
    assert "resolved" not in (theirs.get_attribute("class") or "").split()
    assert "resolved" not in theirs.locator(".anchor").inner_text()
    expect(theirs.get_by_role("button", name="Resolve")).to_be_visible()
    assert commenter.locator("article.thread").count() == 1
