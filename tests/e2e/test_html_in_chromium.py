"""The HTML page opened in a real browser (Debian's headless Chromium), as a reader would.

Checks that the page renders (DOM has the map and the tables; the screenshot is not blank)
and that opening it asks the network for nothing: Chromium's net log may only show the
browser's own background hosts, never a request made by the page.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PIL import Image

import journeymap as jm
from journeymap.rendering import render_file

if TYPE_CHECKING:
    from conftest import Chromium


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from journeymap.formats.templates import new_map

    out = tmp_path_factory.mktemp("html") / "journey.html"
    render_file(new_map("ecommerce"), out)
    return out


def test_dom_has_the_map_and_its_tables(page: Path, tmp_path: Path, chromium: Chromium) -> None:
    dom = chromium.run(tmp_path, "--dump-dom", page.as_uri()).stdout
    m = jm.new_map("ecommerce")
    assert "<svg" in dom
    assert dom.count("<table") >= 3
    for text in ("Expected Emotion", "Actual Emotion", "Pain Point", "Expected Outcome"):
        assert text in dom
    assert m.persona is not None
    for text in (m.persona.name, *(s.name for s in m.stages), *(p.name for p in m.pain_points)):
        assert html.escape(text, quote=False) in dom, text


def test_screenshot_is_a_drawn_page(page: Path, tmp_path: Path, chromium: Chromium) -> None:
    shot = tmp_path / "shot.png"
    chromium.run(tmp_path, f"--screenshot={shot}", "--window-size=1600,1400", page.as_uri())
    img = Image.open(shot).convert("L")
    assert img.size == (1600, 1400)
    hist = img.histogram()
    dark = sum(hist[:128]) / (img.size[0] * img.size[1])
    non_white = sum(hist[:245]) / (img.size[0] * img.size[1])
    assert dark > 0.005, "almost no text or lines drawn"
    assert non_white > 0.05, "the page is nearly blank"


def test_opening_the_page_makes_no_network_request(
    page: Path, tmp_path: Path, chromium: Chromium
) -> None:
    hosts, files = chromium.requests(tmp_path, page)
    assert not hosts, f"the page asked the network for {hosts}"
    assert files <= {page.as_uri()}, files
