"""The map on pages: A4, A3, letter and 16:9, split by stages (and lanes when tall), lane titles
and stage chevrons on every page, every text readable; PDF of many pages, PNG slides of
1920 x 1080; and the golden pictures of every theme and page size (looked at)."""

from __future__ import annotations

import io
import itertools
import os
import re
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

import journeymap as jm
from journeymap.errors import UsageError
from journeymap.model import JourneyMap
from journeymap.rendering import layout, render_bytes, render_pages
from journeymap.rendering.limits import svg_size
from journeymap.rendering.pages import (
    PRINT_SCALE,
    page_paths,
    page_size,
    page_svgs,
    paginate,
    pdf_pages,
)
from journeymap.rendering.raster import png_size, svg_to_png

GOLDEN = Path(__file__).parents[1] / "golden" / "pictures"
_SCALED = re.compile(r'<g transform="translate\([-\d. ]+\) scale\(([\d.]+)\)">')
_FONT = re.compile(r'font-size="([\d.]+)"')


def _sizes(svg: str) -> list[float]:
    """The size on the page, in points, of every text of a page: a text in a scaled group
    (the map's pieces, the header, the legend) is as big as its size times the scale."""
    out: list[float] = []
    scales: list[float] = []
    for line in svg.splitlines():
        found = _SCALED.search(line)
        if found:
            scales.append(float(found.group(1)))
            continue
        if line == "</g>" and scales:
            scales.pop()
            continue
        for size in _FONT.findall(line):
            out.append(float(size) * (scales[-1] if scales else 1.0))
    return out


def test_page_sizes() -> None:
    assert page_size("A4") == pytest.approx((841.89, 595.28))
    assert page_size("a4", "portrait") == pytest.approx((595.28, 841.89))
    assert page_size("A3") == pytest.approx((1190.55, 841.89))
    assert page_size("letter") == (792.0, 612.0)
    # a slide is 16:9 whatever the orientation asked
    assert page_size("16:9", "portrait") == (960.0, 540.0)
    with pytest.raises(UsageError, match="expected one of: fit, a4, a3, letter, 16:9"):
        page_size("A5")


def test_page_file_names() -> None:
    assert page_paths(Path("out/deck.png"), 3) == [
        Path("out/deck-1.png"), Path("out/deck-2.png"), Path("out/deck-3.png")
    ]  # fmt: skip
    assert page_paths(Path("deck.svg"), 12)[0] == Path("deck-01.svg")


@pytest.mark.parametrize(("page", "orientation"), [("a4", "landscape"), ("a4", "portrait"),
                                                   ("a3", "landscape"), ("letter", "landscape"),
                                                   ("16:9", "landscape")])  # fmt: skip
def test_every_stage_and_lane_is_on_a_readable_page(
    big_map: JourneyMap, page: str, orientation: str
) -> None:
    view = layout(big_map)
    width, height = page_size(page, orientation)  # type: ignore[arg-type]
    plans = paginate(view, width, height, legend_h=60)
    assert plans[0].cover and not any(p.cover for p in plans[1:])
    grid_pages = plans[1:]
    # the pieces cover every stage's columns and every lane, once
    for stage in view.stages:
        covered = sum(
            min(p.x1, stage.x + stage.w) - max(p.x0, stage.x)
            for p in grid_pages
            if p.x0 < stage.x + stage.w and stage.x < p.x1 and p.y0 == grid_pages[0].y0
        )
        assert covered == pytest.approx(stage.w), stage.name
    rows = sorted({(p.y0, p.y1) for p in grid_pages})
    assert rows[0][0] == pytest.approx(view.lanes[0].y)
    assert rows[-1][1] == pytest.approx(view.lanes[-1].bottom)
    assert all(a[1] == pytest.approx(b[0]) for a, b in itertools.pairwise(rows))
    # readable: never drawn smaller than the print scale, and each piece fits its page
    assert all(p.scale >= PRINT_SCALE for p in plans)
    svgs = page_svgs(big_map, page=page, orientation=orientation)  # type: ignore[arg-type]
    assert len(svgs) == len(plans)
    for svg in svgs:
        assert svg_size(svg) == pytest.approx((width, height), abs=0.01)
        sizes = _sizes(svg)
        assert sizes and min(sizes) >= 8.0 - 1e-6, min(sizes)
    # the lane titles and the stage band are on every page of the grid
    for plan, svg in zip(plans[1:], svgs[1:], strict=True):
        windows = re.findall(r'<svg x="[\d.]+" y="[\d.]+" width="([\d.]+)"', svg)
        assert len(windows) == 3  # the stage band, the lane titles, the piece of the grid
        shown = [la for la in view.lanes if la.y < plan.y1 and plan.y0 < la.bottom]
        assert shown
        for lane in shown:
            if lane.y >= plan.y0:  # a lane's title is at its top
                assert f">{escape(lane.title[0].text)}</text>" in svg, (plan.number, lane.key)
        for stage in view.stages:
            if plan.x0 <= stage.x < plan.x1:
                assert f">{escape(stage.header.lines[0].text)}</text>" in svg


def test_a_pdf_of_a4_pages() -> None:
    from pypdf import PdfReader

    small = jm.loads(GOLDEN_MAP)
    svgs = page_svgs(small, page="A4")
    reader = PdfReader(io.BytesIO(pdf_pages(svgs)))
    assert len(reader.pages) == len(svgs) > 2
    for p in reader.pages:
        assert float(p.mediabox.width) == pytest.approx(841.89, abs=0.5)
        assert float(p.mediabox.height) == pytest.approx(595.28, abs=0.5)
    # text stays text: the stage names can be found in the PDF
    text = "\n".join(p.extract_text() for p in reader.pages)
    for stage in small.stages:
        assert stage.name in text
    assert "page 1 of" in text


def test_slides_as_png_files(shop: JourneyMap, tmp_path: Path) -> None:
    written = render_pages(jm.loads(GOLDEN_MAP), tmp_path / "deck.png", page="16:9")
    assert len(written) > 1
    assert [p.name for p in written][:2] in (["deck-1.png", "deck-2.png"],
                                             ["deck-01.png", "deck-02.png"])  # fmt: skip
    for p in written:
        assert png_size(p.read_bytes()) == (1920, 1080)
    # one page: the file itself
    one = render_pages(shop, tmp_path / "one.pdf", page="A3")
    assert one == [tmp_path / "one.pdf"]
    with pytest.raises(UsageError, match=r"\.pdf, \.png or \.svg"):
        render_pages(shop, tmp_path / "deck.html", page="16:9")


def test_lanes_on_pages(shop: JourneyMap) -> None:
    svgs = page_svgs(shop, page="16:9", lanes=["emotion", "touchpoints"])
    joined = "\n".join(svgs[1:])
    assert ">Emotion</text>" in joined and ">Touchpoints</text>" in joined
    assert ">Pain points</text>" not in joined and ">Customer actions</text>" not in joined


def test_fit_is_one_page_as_big_as_the_map(shop: JourneyMap) -> None:
    (svg,) = page_svgs(shop, page="fit")
    assert svg == render_bytes(shop, "svg").decode()


# ---- golden pictures: every theme, every page size ----------------------------------------------

GOLDEN_MAP = """
title: Open a current account
scenario: New customer onboarding
persona: {name: Maya, age: 34, role: Nurse, quote: I just want it to work the first time.,
          goals: [Open an account in one sitting]}
stages:
  - name: Discover
    customer_goal: Find a bank that fits
    touchpoints:
      - {name: Comparison site, channel: review-site, expected_emotion: 1, actual_emotion: 1,
         actions: [Compares fees]}
      - {name: Bank website, channel: web, expected_emotion: 2, actual_emotion: 1}
  - name: Apply
    customer_goal: Open the account in one go
    touchpoints:
      - {name: Application form, channel: web, expected_emotion: 1, actual_emotion: -1,
         moment_of_truth: true, thoughts: [Why do they need all this?]}
      - {name: ID check, channel: app, expected_emotion: 0, actual_emotion: -2}
      - {name: KYC review, channel: system, lane: backstage, owner: Compliance,
         supports: [id-check]}
  - name: Onboard
    customer_goal: Get paid into it
    touchpoints:
      - {name: Welcome email, channel: email, expected_emotion: 1, actual_emotion: 2}
      - {name: First salary, channel: app, expected_emotion: 2, actual_emotion: 3}
pain_points:
  - {name: Selfie check fails, touchpoint: id-check, severity: high, source: App reviews}
  - {name: Form asks twice for address, touchpoint: application-form, severity: medium}
opportunities:
  - {name: Reuse the address, touchpoint: application-form, priority: high,
     expected_outcome: Fewer drop-outs}
lanes:
  - name: Regulation
    items:
      - {text: KYC under the AML directive, touchpoint: id-check}
      - {text: Terms on a durable medium, stage: onboard}
"""

#: (theme, page, orientation, page number): each theme as one picture and on a slide; each
#: page size in the light theme
CASES = [
    *[(t, "fit", "landscape", 1) for t in ("light", "dark", "print", "colour-blind")],
    *[(t, "16:9", "landscape", 2) for t in ("light", "dark", "print", "colour-blind")],
    ("light", "a4", "landscape", 2),
    ("light", "a4", "portrait", 2),
    ("light", "a3", "landscape", 2),
    ("light", "letter", "landscape", 2),
    ("light", "16:9", "landscape", 1),
]


def _compare(png: bytes, golden: Path) -> None:
    from PIL import Image, ImageChops

    if os.environ.get("JOURNEYMAP_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(png)
    assert golden.exists(), f"{golden} is missing; run with JOURNEYMAP_UPDATE_GOLDEN=1"
    new = Image.open(io.BytesIO(png)).convert("RGB")
    old = Image.open(golden).convert("RGB")
    assert new.size == old.size, f"{golden.name}: {new.size} != {old.size}"
    diff = ImageChops.difference(new, old).convert("L")
    changed = sum(diff.histogram()[48:]) / (new.size[0] * new.size[1])
    # anti-aliasing may move a little between font versions; a changed drawing moves more
    assert changed < 0.005, (
        f"{golden.name}: {changed:.2%} of the pixels differ; look at the new picture and, if "
        "it is right, run the tests with JOURNEYMAP_UPDATE_GOLDEN=1"
    )


@pytest.mark.parametrize(("theme", "page", "orientation", "number"), CASES)
def test_golden_pictures(theme: str, page: str, orientation: str, number: int) -> None:
    m = jm.loads(GOLDEN_MAP)
    svgs = page_svgs(m, page=page, orientation=orientation, theme_name=theme)  # type: ignore[arg-type]
    assert len(svgs) >= number
    name = f"{theme}-{page.replace(':', 'x')}-{orientation}-{number}.png"
    if page == "fit":
        name = f"{theme}-fit.png"
    _compare(svg_to_png(svgs[number - 1], scale=1.0 if page != "fit" else 0.75), GOLDEN / name)


def test_too_many_pages_are_refused(big_map: JourneyMap, monkeypatch: pytest.MonkeyPatch) -> None:
    from journeymap.errors import RenderError
    from journeymap.rendering import pages

    monkeypatch.setattr(pages, "MAX_PAGES", 5)
    with pytest.raises(RenderError, match=r"needs \d+ pages, more than the 5 drawn at most"):
        page_svgs(big_map, page="A4")


@pytest.fixture(scope="module")
def demo_map(tmp_path_factory: pytest.TempPathFactory) -> JourneyMap:
    """The map ``journeymap demo`` writes (the demo shop), from the same generator."""
    from journeymap.measuring.sample import generate_sample

    files = generate_sample(tmp_path_factory.mktemp("demo"), customers=50)
    return jm.load(files.map)


def test_the_demo_map_on_a4_packs_its_pages(demo_map: JourneyMap) -> None:
    view = layout(demo_map)
    width, height = page_size("a4")
    svgs = page_svgs(demo_map, page="a4")
    # the legend's height as page_svgs lays it out: the number of pages must agree
    plans = paginate(view, width, height, legend_h=44.0)
    assert len(plans) == len(svgs)
    columns = sorted({(p.x0, p.x1) for p in plans[1:]})
    by_column = [[p for p in plans[1:] if (p.x0, p.x1) == c] for c in columns]
    # 967 px of lanes on a page that holds about 500 at 8 pt: two pages a stage group (it
    # was three: the emotion lane went to a page of its own and left half of one empty)
    assert all(len(pages) <= 2 for pages in by_column), [len(p) for p in by_column]
    assert len(svgs) <= 1 + 2 * len(columns) <= 11
    lanes_h = view.lanes[-1].bottom - view.lanes[0].y
    for pages in by_column:
        # no page of a stage group is less than half as full as its fullest
        heights = [p.y1 - p.y0 for p in pages]
        assert min(heights) >= max(heights) / 2, heights
        assert sum(heights) == pytest.approx(lanes_h)
    for svg in svgs:
        assert min(_sizes(svg)) >= 8.0 - 1e-6


def test_a_stage_cut_across_pages_is_named_on_its_continuation(big_map: JourneyMap) -> None:
    view = layout(big_map)
    width, height = page_size("a4", "portrait")
    plans = paginate(view, width, height, legend_h=60)
    svgs = page_svgs(big_map, page="a4", orientation="portrait")
    cut = [
        (plan, stage)
        for plan in plans[1:]
        for stage in view.stages
        if stage.x < plan.x0 < stage.x + stage.w
    ]
    assert cut, "no stage of the big map is cut across A4 portrait pages"
    for plan, stage in cut:
        assert f">{escape(stage.name)} (cont.)</text>" in svgs[plan.number - 1], plan.number
    # the page where a stage starts has its name alone
    starts = [p for p in plans[1:] if all(not (s.x < p.x0 < s.x + s.w) for s in view.stages)]
    assert starts and all("(cont.)" not in svgs[p.number - 1] for p in starts)


def test_a_long_title_gives_way_to_the_page_line(big_map: JourneyMap) -> None:
    from journeymap.rendering.text import text_width

    svg = page_svgs(big_map, page="a4", orientation="portrait")[3]
    title = re.search(r'<text x="([\d.]+)" y="[\d.]+" font-size="12" font-weight="bold"[^>]*>'
                      r"([^<]+)</text>", svg)  # fmt: skip
    line = re.search(r'<text x="([\d.]+)" y="[\d.]+" font-size="9" text-anchor="end"[^>]*>'
                     r"([^<]+)</text>", svg)  # fmt: skip
    assert title is not None and line is not None
    assert title.group(2).endswith("\u2026") and big_map.name.startswith(title.group(2)[:-1])
    title_right = float(title.group(1)) + text_width(title.group(2), 12.0, bold=True)
    line_left = float(line.group(1)) - text_width(line.group(2), 9.0)
    assert title_right < line_left
