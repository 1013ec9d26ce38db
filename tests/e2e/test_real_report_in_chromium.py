"""The measured-journey report of a real log, opened in a real browser (Debian's headless
Chromium): the permit-application receipt phase of a Dutch municipality (receipt.csv, 1,434
cases) measured with the map written for it (tests/measuring/maps/permit-receipt.yaml).

What a CX lead reads there must be what the data says: how the cases end (the confirmation
sent, the municipality's two decisions, given up, still open) with the counts the
measurement has, the stages adding up, the friction the journey cannot judge said as such,
and nothing fetched from the network. ``JOURNEYMAP_UPDATE_SCREENSHOTS=1`` also writes the
screenshots docs/measure.md shows (``docs/img/real-receipt-*.png``).
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PIL import Image

import journeymap as jm
from journeymap.model.measurement import Measurement

if TYPE_CHECKING:
    from conftest import Chromium

ROOT = Path(__file__).resolve().parents[2]
MAP = ROOT / "tests" / "measuring" / "maps" / "permit-receipt.yaml"
DOCS_IMG = ROOT / "docs" / "img"
WIDTH = 1200

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def receipt(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, jm.JourneyMap, Measurement]:
    from journeymap.rendering.report import write_report

    m = jm.load(MAP)
    log = jm.read_events(shared_data / "eventlogs" / "receipt.csv")
    try:
        result = jm.measure(m, events=log)
    finally:
        log.engine.close()
    page = write_report(m, result, tmp_path_factory.mktemp("receipt") / "report.html")
    return page, m, result


def _section(dom: str, name: str) -> str:
    return dom.split(f'<section id="{name}"')[1].split("</section>")[0]


def test_the_receipt_report_says_how_cases_end_and_what_it_cannot_tell(
    receipt: tuple[Path, jm.JourneyMap, Measurement], tmp_path: Path, chromium: Chromium
) -> None:
    page, m, result = receipt
    dom = chromium.run(tmp_path, "--dump-dom", page.as_uri()).stdout
    outcomes = _section(dom, "outcomes")
    assert sum(o.customers for o in result.outcomes) == 1434
    for o in result.outcomes:
        assert html.escape(o.name, quote=False) in outcomes, o.name
        assert f"{o.customers:,}" in outcomes, o.name
    # no drop-off is claimed where a case is finished, and the report says drop-off is not
    # judged at all rather than calling the citizen's steps typical
    finished = {*m.goal_touchpoints(), *(t for e in m.outcomes.ends for t in e.touchpoints)}
    assert not [p for p in result.pain_points if p.kind == "drop-off" and p.touchpoint in finished]
    friction = _section(dom, "friction")
    assert "Not judged against the journey" in friction
    # the municipality's internal work is not drawn as the citizen's friction
    back = [tp.name for _, tp in m.iter_touchpoints() if tp.lane == "backstage"]
    assert back and not [name for name in back if html.escape(name, quote=False) in friction]
    hosts, _ = chromium.requests(tmp_path, page)
    assert not hosts


def test_the_receipt_report_screenshots(
    receipt: tuple[Path, jm.JourneyMap, Measurement], tmp_path: Path, chromium: Chromium
) -> None:
    """Every section of the page is drawn, the outcomes' one with its bar; with
    JOURNEYMAP_UPDATE_SCREENSHOTS=1, the header with the key numbers, the outcomes and the
    friction sections are saved for docs/measure.md."""
    page, _, _ = receipt
    dom = chromium.run(tmp_path, "--dump-dom", page.as_uri()).stdout
    ids = [part.split('"')[0] for part in dom.split('<section id="')[1:]]
    img = chromium.page_image(tmp_path, page, WIDTH)
    cards = chromium.cards(img)
    assert len(cards) == len(ids), (ids, cards)
    by = dict(zip(ids, cards, strict=True))
    for name in ("outcomes", "friction"):
        top, bottom = by[name]
        band = img.crop((0, top, WIDTH, bottom)).convert("L")
        assert sum(band.histogram()[:128]) / (band.size[0] * band.size[1]) > 0.002, name
    if os.environ.get("JOURNEYMAP_UPDATE_SCREENSHOTS") == "1":
        crops = {
            "summary": img.crop((0, 0, WIDTH, by[ids[0]][1] + 12)),
            "outcomes": img.crop((0, by["outcomes"][0] - 12, WIDTH, by["outcomes"][1] + 12)),
            "friction": img.crop((0, by["friction"][0] - 12, WIDTH, by["friction"][1] + 12)),
        }
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        for name, part in crops.items():
            small = part.quantize(colors=192, method=Image.Quantize.MEDIANCUT)
            small.save(DOCS_IMG / f"real-receipt-{name}.png", optimize=True)
