"""The measured-journey report of the demo data, opened in a real browser (Debian's headless
Chromium) as a CX lead would open it.

The report is made the way ``journeymap demo`` makes it: the generated sample (events, survey
answers, map) measured, then written as HTML. The tests check that every section renders (in
the DOM and on the screenshot), that the key numbers are on the page, and that opening it asks
the network for nothing. The same data measured after 1 February by segment (``measure
--since 2026-02-01 --by segment``) adds the filter line in the header, the segments section
and, with a caveat, the notices in the friction and method sections.

``JOURNEYMAP_UPDATE_SCREENSHOTS=1`` also writes the screenshots the docs show
(``docs/img/report-*.png``).
"""

from __future__ import annotations

import html
import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PIL import Image

import journeymap as jm
from journeymap.model.measurement import Measurement

if TYPE_CHECKING:
    from conftest import Chromium

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
SECTIONS = (
    "summary", "map", "outcomes", "flows", "emotions", "friction", "pains", "kpis", "actions",
    "method",
)  # fmt: skip
WIDTH = 1200


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, jm.JourneyMap, Measurement]:
    """The demo's report: sample data generated, measured and written as HTML."""
    from journeymap.events.read import read_events
    from journeymap.measuring.pipeline import measure
    from journeymap.measuring.sample import generate_sample
    from journeymap.rendering.report import write_report
    from journeymap.voice.read import read_feedback

    folder = tmp_path_factory.mktemp("demo")
    files = generate_sample(folder)
    m = jm.load(files.map)
    result = measure(m, events=read_events(files.events), feedback=[read_feedback(files.feedback)])
    page = write_report(m, result, folder / "report.html")
    return page, m, result


@pytest.fixture(scope="module")
def full_page(
    demo: tuple[Path, jm.JourneyMap, Measurement],
    tmp_path_factory: pytest.TempPathFactory,
    chromium: Chromium,
) -> Image.Image:
    """The whole report, 1200 px wide, as one screenshot."""
    return chromium.page_image(tmp_path_factory.mktemp("shots"), demo[0])


@pytest.fixture(scope="module")
def segmented(
    demo: tuple[Path, jm.JourneyMap, Measurement], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Measurement]:
    """The demo's data after 1 February, by segment, with a caveat (as the permit-receipt log
    gives one), written as HTML."""
    from journeymap.measuring.from_files import EvidenceFiles, measure_files
    from journeymap.rendering.report import write_report

    page, m, _ = demo
    folder = page.parent
    files = EvidenceFiles(events=folder / "events.parquet", feedback=[folder / "feedback.csv"],
                          since="2026-02-01", by="segment")  # fmt: skip
    result = measure_files(m, files).result
    result.caveats = [CAVEAT]
    out = tmp_path_factory.mktemp("segmented") / "report.html"
    return write_report(m, result, out), result


CAVEAT = (
    "Drop-off (journeys given up) is not judged: 1 customer step has it, and the journey's "
    "norm needs 3. No touchpoint is flagged for it, which does not mean it is typical."
)


def _amber(p: tuple[int, int, int]) -> bool:
    """The filter line's background (#f6e3b4) and its like."""
    return p[0] > 230 and 200 < p[1] < 240 and p[2] < 200


def test_dom_has_every_section_and_the_key_numbers(
    demo: tuple[Path, jm.JourneyMap, Measurement], tmp_path: Path, chromium: Chromium
) -> None:
    page, m, result = demo
    dom = chromium.run(tmp_path, "--dump-dom", page.as_uri()).stdout
    for section in SECTIONS:
        assert f'id="{section}"' in dom, section
    # the map, funnel, emotion gaps, coverage and friction, and the flows when there are any
    assert dom.count("<svg") >= 5 + bool(result.flows)
    assert html.escape(result.map_title, quote=False) in dom
    assert f"{result.coverage * 100:.0f}%" in dom
    assert "Friction, and what customers say there" in dom
    # touchpoints nobody asked about are named as having no feedback, not given an emotion
    silent = [t.name for t in result.touchpoints if t.evidence == "none"]
    assert silent and "No feedback:</b> " + ", ".join(silent) in dom
    top = min(result.pain_points, key=lambda p: p.rank)
    assert html.escape(top.title, quote=False) in dom
    for s in m.stages:
        assert html.escape(s.name, quote=False) in dom
    for k in result.kpis:
        assert html.escape(k.label, quote=False) in dom


def test_screenshot_shows_every_section(
    full_page: Image.Image, demo: tuple[Path, jm.JourneyMap, Measurement], chromium: Chromium
) -> None:
    img = full_page.convert("L")
    hist = img.histogram()
    pixels = img.size[0] * img.size[1]
    assert sum(hist[:128]) / pixels > 0.005, "almost no text or lines drawn"
    assert sum(hist[:245]) / pixels > 0.05, "the page is nearly blank"
    # the nine sections are nine white cards, each with something drawn in it
    cards = chromium.cards(full_page)
    assert len(cards) == len(SECTIONS), cards
    for top, bottom in cards:
        band = full_page.crop((0, top, WIDTH, bottom)).convert("L")
        dark = sum(band.histogram()[:128]) / (band.size[0] * band.size[1])
        assert dark > 0.002, f"section at y={top}..{bottom} is empty"
    if os.environ.get("JOURNEYMAP_UPDATE_SCREENSHOTS") == "1":
        _save_docs_screenshots(full_page, cards, demo[1], demo[2])


def _save_docs_screenshots(
    img: Image.Image, cards: list[tuple[int, int]], m: jm.JourneyMap, result: Measurement
) -> None:
    """docs/img/report-summary.png (header and key numbers), report-emotions.png (expected
    against measured emotion, coverage), report-friction.png (friction beside what customers
    say) — from the browser — and report-map.png (the left part of the measured map at full
    size down to its friction lane, drawn without a browser), as small PNGs."""
    from journeymap.rendering import layout
    from journeymap.rendering.report import report_png

    by = dict(zip(SECTIONS, cards, strict=True))
    crops = {
        "summary": img.crop((0, 0, WIDTH, by["summary"][1] + 12)),
        "emotions": img.crop((0, by["emotions"][0] - 12, WIDTH, by["emotions"][1] + 12)),
        "friction": img.crop((0, by["friction"][0] - 12, WIDTH, by["friction"][1] + 12)),
    }
    lane = layout(m, measurement=result).lane("friction")
    assert lane is not None
    whole = Image.open(io.BytesIO(report_png(m, result, scale=1.0))).convert("RGB")
    crops["map"] = whole.crop((0, 0, WIDTH, round(lane.bottom) + 12))
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    for name, part in crops.items():
        small = part.quantize(colors=192, method=Image.Quantize.MEDIANCUT)
        small.save(DOCS_IMG / f"report-{name}.png", optimize=True)


def test_opening_the_report_makes_no_network_request(
    demo: tuple[Path, jm.JourneyMap, Measurement], tmp_path: Path, chromium: Chromium
) -> None:
    hosts, files = chromium.requests(tmp_path, demo[0])
    assert not hosts, f"the page asked the network for {hosts}"
    assert files <= {demo[0].as_uri()}, files  # nor does it open any other file


def test_a_filtered_report_by_segment_says_so(
    segmented: tuple[Path, Measurement], tmp_path: Path, chromium: Chromium
) -> None:
    page, result = segmented
    dom = chromium.run(tmp_path, "--dump-dom", page.as_uri()).stdout
    header = dom.split("<header")[1].split("</header>")[0]
    customers = f"{result.sources[0].customers:,}"
    assert "<b>Filtered:</b> since 2026-02-01 (inclusive) — " in header
    assert f"{customers} of 3,000 customers" in header and "feedback not filtered" in header
    assert '<a href="#segments">Segments</a>' in header
    labels = [s.value for s in result.segments]
    assert labels == ["bargain hunters", "new visitors", "returning shoppers"]
    section = dom.split('id="segments"')[1].split("</section>")[0]
    for label in (*labels, "All customers", "How their journeys end", "Reach"):
        assert label is not None and label in section, label
    friction = dom.split('id="friction"')[1].split("</section>")[0]
    assert 'class="notice"' in friction and "is not judged" in friction
    # eleven white cards now, each with something drawn in it; the filter line stands out
    # in the header (amber on the dark blue)
    img = chromium.page_image(tmp_path, page)
    cards = chromium.cards(img)
    assert len(cards) == len(SECTIONS) + 1, cards
    for top, bottom in cards:
        band = img.crop((0, top, WIDTH, bottom)).convert("L")
        assert sum(band.histogram()[:128]) / (band.size[0] * band.size[1]) > 0.002, top
    px = img.load()
    assert px is not None
    amber = sum(
        _amber(px[x, y])  # type: ignore[arg-type]
        for y in range(cards[0][0])
        for x in range(0, WIDTH, 2)
    )
    assert amber > 2500, amber
