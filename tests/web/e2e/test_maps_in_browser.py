"""Maps in the browser: one made from a template on the list page, the drawn map (readable
as it opens, zoom buttons that work), an edit through a touchpoint's form, and the history
(a diff between versions, an old version restored)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from playwright.sync_api import expect

from journeymap.formats import dumps

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from conftest import UI, Server, Team


def _text_height(page: Page, text: str) -> float:
    """The height on screen of the first text of the drawn map that reads ``text``."""
    box = page.locator("#map-canvas svg text", has_text=text).first.bounding_box()
    assert box is not None, f"{text!r} is not drawn"
    return float(box["height"])


def _zoom(page: Page) -> float:
    return float(page.evaluate("window.journeymapZoom.getZoom()"))


def test_a_map_made_from_a_template_is_drawn(ui: UI, team: Team, server: Server) -> None:
    page = ui.open(team.emails["editor"])
    page.goto("/")
    assert page.url == f"{server.url}/w/cx/"  # the only workspace of the editor
    form = page.locator("#new-map form").first
    form.get_by_label("Start from").select_option("ecommerce")
    form.get_by_label("Title").fill("Online shop first purchase")
    form.get_by_label("Persona").fill("Maya")
    with page.expect_navigation():
        form.get_by_role("button", name="Create map").click()

    assert page.url == f"{server.url}/w/cx/maps/online-shop-first-purchase"
    expect(page.get_by_role("heading", name="Online shop first purchase")).to_be_visible()
    ui.map_ready(page)
    svg = page.locator("#map-canvas svg").first
    expect(svg).to_be_visible()
    drawn = svg.inner_html()
    for stage in ("Awareness", "Consideration", "Retention", "Checkout process"):
        assert stage in drawn, stage
    assert "version 1" in page.locator(".heading").inner_text()

    # the list shows it, with its persona
    page.goto("/w/cx/")
    row = page.locator("table.maps tbody tr", has_text="Online shop first purchase")
    assert row.count() == 1
    assert "Maya" in row.inner_text()
    assert row.locator(".badge", has_text="draft").count() == 1
    ui.screenshot(page, "app-maps")

    # the list follows the search as it is typed (htmx), and the address keeps the filter
    page.get_by_label("Search").fill("no map is called this")
    expect(page.locator("table.maps tbody tr", has_text="No maps match")).to_have_count(1)
    assert "q=no%20map%20is%20called%20this" in page.url
    page.get_by_label("Search").fill("online shop")
    expect(
        page.locator("table.maps tbody tr", has_text="Online shop first purchase")
    ).to_have_count(1)


def test_the_map_opens_readable_and_zooms(ui: UI, team: Team, shop: str) -> None:
    page = ui.open(team.emails["editor"])
    page.goto(shop)
    ui.map_ready(page)
    canvas = page.locator("#map-canvas").bounding_box()
    assert canvas is not None
    # the map fills the window's height, not a strip, and its words can be read
    assert canvas["height"] >= 600, canvas
    assert canvas["width"] >= 800, canvas
    opened = _text_height(page, "Consideration")
    assert opened >= 11, f"the map opens shrunk: stage names are {opened:.1f} px high"
    start = _zoom(page)

    page.get_by_role("button", name="Zoom in").click()
    assert _zoom(page) > start * 1.1
    assert _text_height(page, "Consideration") > opened * 1.1
    page.get_by_role("button", name="Zoom out").click()
    page.get_by_role("button", name="Zoom out").click()
    assert _zoom(page) < start
    assert _text_height(page, "Consideration") < opened

    # Fit shows the whole map inside the canvas
    page.get_by_role("button", name="Fit").click()
    whole = page.locator("#map-canvas svg .svg-pan-zoom_viewport").bounding_box()
    assert whole is not None
    assert whole["width"] <= canvas["width"] + 2 and whole["height"] <= canvas["height"] + 2
    assert whole["x"] >= canvas["x"] - 2 and whole["y"] >= canvas["y"] - 2
    assert max(whole["width"] / canvas["width"], whole["height"] / canvas["height"]) > 0.9

    # 100% goes back to how it opened
    page.get_by_role("button", name="100%").click()
    assert abs(_text_height(page, "Consideration") - opened) < 0.5
    ui.screenshot(page, "app-map")


def test_a_touchpoint_is_edited_through_its_form(ui: UI, team: Team, server: Server) -> None:
    path = team.new_map("Form edits")
    page = ui.open(team.emails["editor"])
    page.goto(path)
    with page.expect_navigation():
        page.get_by_role("link", name="Edit", exact=True).click()
    assert page.url == f"{server.url}{path}/edit"
    with page.expect_navigation():
        page.get_by_role("link", name="Customer reviews").click()
    assert page.url == f"{server.url}{path}/edit/touchpoint/reviews"
    expect(page.get_by_role("heading", name="Touchpoint: Customer reviews")).to_be_visible()
    # the form shows the stored values
    assert page.get_by_label("Name").input_value() == "Customer reviews"
    assert page.get_by_label("Channel").input_value() == "review-site"
    assert page.get_by_label("Lane").input_value() == "frontstage"
    # an emotion written as a synonym of a level is offered as written
    assert page.get_by_label("Expected emotion").input_value() == "Reassured"

    page.get_by_label("Name").fill("Reviews and ratings")
    page.get_by_label("Expected emotion").select_option("Frustrated")
    page.get_by_label("What changed").fill("reviews disappoint")
    ui.screenshot(page, "app-edit")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()

    assert page.url == f"{server.url}{path}?saved=2"
    assert page.get_by_role("status").inner_text() == "Saved as version 2."
    ui.map_ready(page)
    drawn = page.locator("#map-canvas svg").first.inner_html()
    assert "Reviews and ratings" in drawn
    assert "Customer reviews" not in drawn
    tp = ui.touchpoint(ui.yaml_of(page, path), "reviews")
    assert tp["name"] == "Reviews and ratings"
    assert tp["expected_emotion"] == "Frustrated"
    assert tp["channel"] == "review-site"  # the fields left alone are kept

    with page.expect_navigation():
        page.get_by_role("link", name="History").click()
    rows = page.locator("table.versions tbody tr")
    assert rows.count() == 2
    newest = rows.first.inner_text()
    assert newest.startswith("2") and "Edda Editor" in newest and "reviews disappoint" in newest
    with page.expect_navigation():
        rows.first.get_by_role("link", name="changes").click()
    changes = page.locator("#diff").inner_text()
    assert "Version 1 → version 2" in changes
    assert "expected emotion" in changes
    assert "Reviews and ratings" in changes


def _set_emotion(team: Team, path: str, tp_id: str, emotion: str) -> None:
    """Save a new version of the map with touchpoint ``tp_id``'s expected emotion changed
    (as another editor would, through the store)."""
    from journeymap.web import store
    from journeymap.web.db import User

    slug = path.rsplit("/", 1)[-1]
    with team.server.db() as db:
        row = store.get_map(db, store.workspace(db, "cx"), slug)
        m = store.current_map(db, row)
        next(tp for _, tp in m.iter_touchpoints() if tp.id == tp_id).expected_emotion = emotion
        editor = db.query(User).filter_by(email=team.emails["editor2"]).one()
        store.save_map(db, row, dumps(m), base=row.head, author=editor, message="gloomier")
        db.commit()


def test_history_shows_a_diff_and_restores_an_old_version(ui: UI, team: Team) -> None:
    path = team.new_map("Going back")
    _set_emotion(team, path, "checkout", "Angry")
    page = ui.open(team.emails["editor"])
    page.goto(f"{path}/history")
    rows = page.locator("table.versions tbody tr")
    assert rows.count() == 2
    assert "gloomier" in rows.first.inner_text()

    page.get_by_label("Compare version").fill("1")
    page.get_by_label("with").fill("2")
    with page.expect_navigation():
        page.get_by_role("button", name="Show changes").click()
    diff = page.locator("#diff")
    assert "Version 1 → version 2" in diff.inner_text()
    items = diff.locator("ul.changes li").all_inner_texts()
    assert items == ["Checkout process: expected emotion Accomplished (+2) -> Angry (−3), −5"]

    # restore version 1: a new version 3, with the old emotion back
    version_1 = rows.filter(has=page.get_by_role("link", name="1", exact=True))
    with page.expect_navigation():
        version_1.get_by_role("button", name="Restore").click()
    assert page.url.endswith(f"{path}?saved=3")
    assert page.get_by_role("status").inner_text() == "Saved as version 3."
    tp = ui.touchpoint(ui.yaml_of(page, path), "checkout")
    assert tp["expected_emotion"] == "Accomplished"
    page.goto(f"{path}/history")
    rows = page.locator("table.versions tbody tr")
    assert rows.count() == 3
    assert "restored version 1" in rows.first.inner_text()
    # the newest version and version 1 are the same map again
    page.goto(f"{path}/history?a=1&b=3")
    assert page.locator("#diff .summary").inner_text() == "no changes"
    assert page.locator("#diff ul.changes li").count() == 0
