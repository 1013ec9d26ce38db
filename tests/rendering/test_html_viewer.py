"""The HTML map in a real browser (Chromium, 1400 x 900 window): it opens at a readable scale,
body text at least 12 px on the screen, and pans and zooms, with no network and no CDN.

Playwright starts ``/usr/bin/chromium`` as the app's browser tests do (tests/web/e2e); it never
downloads a browser.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from journeymap.model import JourneyMap
from journeymap.rendering import render_file
from journeymap.rendering.report import write_report

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

    from journeymap.model.measurement import Measurement

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]

#: on-screen size of every text of the map, in CSS pixels, and of the body text (11.5 px and up)
_SIZES = """
() => {
  const svg = document.querySelector(".jm-pane svg");
  const k = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const sizes = [...svg.querySelectorAll("text")].map(
    t => parseFloat(getComputedStyle(t).fontSize) * k);
  return {k, sizes, body: sizes.filter(s => s >= 11.5 * k - 1e-6)};
}
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests: {message}")
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def _open(browser: Browser, path: Path) -> tuple[Page, list[str]]:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    asked: list[str] = []

    def route(r):  # type: ignore[no-untyped-def]
        asked.append(r.request.url)
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            r.abort()

    page.route("**/*", route)
    page.goto(path.as_uri())
    page.wait_for_selector(".jm-pane svg")
    return page, asked


def _check_readable_and_zooms(page: Page) -> None:
    first = page.evaluate(_SIZES)
    assert min(first["body"]) >= 12.0, first["body"][:5]
    assert min(first["sizes"]) >= 10.0
    pane = page.locator(".jm-pane")
    # the map is wider than the window: it pans
    assert page.evaluate("document.querySelector('.jm-pane').scrollWidth") > 1400
    pane.scroll_into_view_if_needed()
    box = pane.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 600, box["y"] + 200)
    page.mouse.down()
    page.mouse.move(box["x"] + 200, box["y"] + 200, steps=5)
    page.mouse.up()
    assert page.evaluate("document.querySelector('.jm-pane').scrollLeft") >= 300
    page.get_by_role("button", name="Zoom in").click()
    assert page.evaluate(_SIZES)["k"] == pytest.approx(first["k"] * 1.25, rel=0.01)
    page.get_by_role("button", name="Fit").click()
    fit = page.evaluate(_SIZES)
    assert fit["k"] < first["k"]
    assert (
        page.evaluate("document.querySelector('.jm-pane svg').getBoundingClientRect().width")
        <= (box["width"])
    )
    page.get_by_role("button", name="Readable size").click()
    assert page.evaluate(_SIZES)["k"] == pytest.approx(first["k"], rel=0.01)
    pane.focus()
    page.keyboard.press("-")
    assert page.evaluate(_SIZES)["k"] == pytest.approx(first["k"] / 1.25, rel=0.01)
    assert page.locator(".jm-tools output").inner_text() == f"{round(first['k'] / 1.25 * 100)}%"


def test_the_html_map_opens_readable_and_pans_and_zooms(
    browser: Browser, big_map: JourneyMap, tmp_path: Path
) -> None:
    path = render_file(big_map, tmp_path / "map.html")
    page, asked = _open(browser, path)
    try:
        _check_readable_and_zooms(page)
        assert asked == [path.as_uri()], "the page asked for more than itself"
    finally:
        page.close()


def test_the_report_map_opens_readable(
    browser: Browser, shop: JourneyMap, ms: Measurement, tmp_path: Path
) -> None:
    path = write_report(shop, ms, tmp_path / "report.html")
    page, asked = _open(browser, path)
    try:
        _check_readable_and_zooms(page)
        assert asked == [path.as_uri()]
    finally:
        page.close()


#: the page's own colours as Chromium computes them: body background and text, a table head
_PAGE_COLOURS = """
() => {
  const rgb = s => s.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const body = getComputedStyle(document.body);
  const th = document.querySelector("thead th");
  const pane = document.querySelector(".jm-pane svg rect");
  return {
    paper: rgb(body.backgroundColor), ink: rgb(body.color),
    head: th ? rgb(getComputedStyle(th).backgroundColor) : null,
    headInk: th ? rgb(getComputedStyle(th).color) : null,
    picture: rgb(pane.getAttribute("fill").replace(/#(..)(..)(..)/,
      (_, r, g, b) => `${parseInt(r, 16)},${parseInt(g, 16)},${parseInt(b, 16)}`)),
  };
}
"""


def _luminance(rgb: list[float]) -> float:
    lin = [v / 255 / 12.92 if v <= 10 else ((v / 255 + 0.055) / 1.055) ** 2.4 for v in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


@pytest.mark.parametrize("theme", ["light", "dark", "print"])
def test_the_html_page_follows_the_theme(
    browser: Browser, shop: JourneyMap, tmp_path: Path, theme: str
) -> None:
    path = render_file(shop, tmp_path / f"{theme}.html", theme=theme)
    page, _ = _open(browser, path)
    try:
        c = page.evaluate(_PAGE_COLOURS)
    finally:
        page.close()
    paper, ink, picture = (_luminance(c[k]) for k in ("paper", "ink", "picture"))
    # the page is the picture's paper: both dark on dark, both light otherwise
    if theme == "dark":
        assert paper < 0.05 and picture < 0.05, c
        assert ink > 0.4, c
    else:
        assert paper > 0.9 and picture > 0.9, c
        assert ink < 0.05, c
    # the text reads on its background (WCAG contrast >= 7), in the tables' heads too
    assert (max(paper, ink) + 0.05) / (min(paper, ink) + 0.05) >= 7, c
    assert c["head"] is not None
    head, head_ink = _luminance(c["head"]), _luminance(c["headInk"])
    assert (max(head, head_ink) + 0.05) / (min(head, head_ink) + 0.05) >= 4.5, c
    if theme == "print":
        for colour in (c["paper"], c["ink"], c["head"], c["headInk"]):
            assert colour[0] == colour[1] == colour[2], c
