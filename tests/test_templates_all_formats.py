"""Must-show of the foundation: every template validates, lints clean and renders everywhere."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from io import BytesIO

import pytest
from PIL import Image

import journeymap as jm

TEMPLATES = [t.name for t in jm.list_templates()]


def test_the_five_templates_ship() -> None:
    assert set(TEMPLATES) == {
        "blank",
        "ecommerce",
        "lifecycle",
        "saas-onboarding",
        "saas-renewal",
        "issue-resolution",
    }


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_is_valid_and_lints_without_errors(name: str) -> None:
    m = jm.new_map(name)
    assert jm.check_map(m) == []
    errors = [f for f in jm.lint(m, today=dt.date(2026, 12, 1)) if f.severity == "error"]
    assert errors == []


@pytest.mark.parametrize("name", TEMPLATES)
def test_template_renders_to_every_format(name: str) -> None:
    m = jm.new_map(name)
    svg = jm.render_bytes(m, "svg").decode()
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    texts = "".join(root.itertext())
    for stage in m.stages:
        assert stage.name.split("/")[0] in texts
    png = Image.open(BytesIO(jm.render_bytes(m, "png")))
    assert png.width >= 2000
    # the blank map is a header and a row of stages; the others have lanes under them
    assert png.height >= (1000 if any(s.touchpoints for s in m.stages) else 400)
    grey = png.convert("L").histogram()
    assert sum(grey[:100]) > 0.002 * png.width * png.height  # dark text is drawn
    assert jm.render_bytes(m, "pdf").startswith(b"%PDF-")
    html = jm.render_bytes(m, "html").decode()
    assert "<svg" in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    md = jm.render_bytes(m, "md").decode()
    if name != "blank":  # no touchpoints, no actions: no tables of them
        assert "Expected Emotion" in md and "Expected Outcome" in md
    assert all(f"| {s.name} |" in md for s in m.stages)
    mmd = jm.render_bytes(m, "mmd").decode()
    assert mmd.startswith("journey")
    assert mmd.count("section ") == sum(1 for s in m.stages if s.touchpoints or s.emotion)
