"""The first start of the app in a browser: nobody has an account yet, so / leads to the
setup page, which makes the first admin and the team's workspace."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import expect

if TYPE_CHECKING:
    from conftest import UI, Server


@pytest.fixture(scope="module")
def server(
    serving: Callable[[Path], AbstractContextManager[Server]],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Server]:
    """A server of its own: nobody has an account on it yet."""
    with serving(tmp_path_factory.mktemp("first-start") / "data") as running:
        yield running


def test_the_first_admin_is_made_on_the_setup_page(ui: UI, server: Server) -> None:
    page = ui.open()
    page.goto("/")
    assert page.url == f"{server.url}/setup"
    expect(page.get_by_role("heading", name="Welcome to journeymap")).to_be_visible()

    page.get_by_label("Your name").fill("Ada Admin")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill(ui.password)
    page.get_by_label("Workspace").fill("Customer Experience")
    with page.expect_navigation():
        page.get_by_role("button", name="Create the admin account").click()

    # signed in, on the workspace's (empty) map list
    assert page.url == f"{server.url}/w/customer-experience/"
    expect(page.get_by_role("heading", name="Journey maps")).to_be_visible()
    assert page.locator("nav.crumbs").inner_text().strip() == "Customer Experience"
    assert page.locator(".role").inner_text() == "admin"
    expect(page.get_by_role("link", name="Members")).to_be_visible()
    expect(page.get_by_role("link", name="Ada Admin")).to_be_visible()
    assert page.locator("table.maps tbody").inner_text().strip() == "No maps."
    expect(page.get_by_role("button", name="Create map")).to_be_visible()

    # setup is closed now: a second visitor is sent to sign in, and can with that account
    other = ui.open()
    other.goto("/setup")
    assert other.url == f"{server.url}/login"
    ui.sign_in(other, "ada@example.com")
    assert other.url == f"{server.url}/w/customer-experience/"
