"""Every script in every output: long Latin, Japanese, Arabic, Hebrew, Russian and emoji names
stay inside their boxes in the SVG, the PNG, the PDF and the HTML page in Chromium, and their
glyphs are really drawn (no empty boxes).

A text's box is the smallest rectangle (or chevron's bounding box) of the picture that holds its
start: a card, a lane, a stage header. The SVG is checked with the fonts' own metrics, the PNG
by drawing each text alone and finding its ink, the PDF by the word boxes poppler reads back,
the HTML by the boxes Chromium lays out (``getBBox``) with the fonts the page embeds.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from journeymap.formats.document import load
from journeymap.model import JourneyMap
from journeymap.rendering import render_bytes, to_html, to_svg
from journeymap.rendering.fonts import font_for, missing_scripts, runs
from journeymap.rendering.raster import svg_to_pdf, svg_to_png
from journeymap.rendering.svgkit import document, text
from journeymap.rendering.text import ASCENT, DESCENT, exact_width, text_width, wrap

NS = "{http://www.w3.org/2000/svg}"
SCRIPTS = Path(__file__).parent / "fixtures" / "scripts_map.yaml"
SAMPLES = {
    "japanese": "商品ページとサイズガイド",
    "arabic": "صفحة الدفع والتأكيد",
    "hebrew": "תשלום מקוון",
    "russian": "Уведомление о доставке",
    "emoji": "🎉📦🚚",
}
Box = tuple[float, float, float, float]


@pytest.fixture(scope="module")
def scripts_map() -> JourneyMap:
    return load(SCRIPTS)


@pytest.fixture(scope="module")
def svg(scripts_map: JourneyMap) -> str:
    return to_svg(scripts_map)


# ---- the boxes of a picture ------------------------------------------------------------------


def _boxes(root: ET.Element) -> list[Box]:
    out: list[Box] = []
    for el in root.iter():
        tag = el.tag.replace(NS, "")
        if tag == "rect":
            x, y = float(el.get("x", 0)), float(el.get("y", 0))
            out.append((x, y, x + float(el.get("width", 0)), y + float(el.get("height", 0))))
        elif tag == "polygon":
            pts = [tuple(map(float, p.split(","))) for p in (el.get("points") or "").split()]
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            out.append((min(xs), min(ys), max(xs), max(ys)))
    return [b for b in out if b[2] > b[0] and b[3] > b[1]]


def _box_of(boxes: list[Box], x: float, y: float) -> Box | None:
    """The smallest box holding the point."""
    inside = [b for b in boxes if b[0] <= x <= b[2] and b[1] <= y <= b[3]]
    return min(inside, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]), default=None)


def _texts(root: ET.Element) -> Iterator[tuple[ET.Element, str, Box]]:
    """Every text of the SVG with its extent by the fonts' metrics: (x0, top, x1, bottom)."""
    for el in root.iter(f"{NS}text"):
        size = float(el.get("font-size", 11))
        bold = el.get("font-weight") == "bold"
        y = float(el.get("y", 0))
        spans = list(el.iter(f"{NS}tspan"))
        if spans:
            content = "".join(s.text or "" for s in spans)
            x0 = float(spans[0].get("x", 0))
            x1 = float(spans[-1].get("x", 0)) + exact_width(spans[-1].text or "", size, bold=bold)
        else:
            content = el.text or ""
            w = exact_width(content, size, bold=bold)
            anchor = {"middle": 0.5, "end": 1.0}.get(el.get("text-anchor", "start"), 0.0)
            x0 = float(el.get("x", 0)) - w * anchor
            x1 = x0 + w
        if content.strip():
            yield el, content, (x0, y - ASCENT * size, x1, y + DESCENT * size)


def _outside(extent: Box, box: Box, slack: float) -> bool:
    return (
        extent[0] < box[0] - slack
        or extent[2] > box[2] + slack
        or extent[1] < box[1] - slack
        or extent[3] > box[3] + slack
    )


def _overflows(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    boxes = _boxes(root)
    bad = []
    for _, content, ext in _texts(root):
        box = _box_of(boxes, ext[0] + 1, (ext[1] + ext[3]) / 2)
        if box is None or _outside(ext, box, 0.5):
            bad.append(f"{content!r} {ext} outside {box}")
    return bad


# ---- the fonts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sample", "family"),
    [
        ("japanese", "Noto Sans CJK JP"),
        ("arabic", "Noto Sans Arabic"),
        ("hebrew", "Noto Sans Hebrew"),
        ("russian", None),  # Liberation Sans, the primary font, draws Cyrillic
        ("emoji", "Noto Color Emoji"),
    ],
)
def test_each_script_has_its_font(sample: str, family: str | None) -> None:
    parts = runs(SAMPLES[sample])
    assert parts == [(family, SAMPLES[sample])]
    assert not missing_scripts([SAMPLES[sample]])


def test_measured_with_the_real_font() -> None:
    # CJK ideographs are one em wide in Noto Sans CJK; emoji 1.245 em in Noto Color Emoji;
    # Cyrillic as wide as Liberation Sans draws it, not a guess
    assert exact_width("商品", 10) == pytest.approx(20.0)
    assert exact_width("🎉", 10) == pytest.approx(12.46, abs=0.01)
    face = font_for("Ж")
    assert face is not None and face.family == "Liberation Sans"
    assert exact_width("Ж", 10) == pytest.approx(face.width("Ж") / 100, abs=0.01)  # type: ignore[operator]
    # a Latin text is measured as before: the width table of Liberation Sans
    # (C 722, h 556, e 556, c 500, k 500, o 556, u 556, t 278 per 1000 em, widened by 3%)
    assert text_width("Checkout", 10) == pytest.approx(42.24 * 1.03)


def test_a_long_japanese_name_wraps_at_the_box() -> None:
    lines = wrap("商品ページとサイズガイドの確認", 100, 12)
    assert len(lines) == 2
    assert all(text_width(line, 12) <= 100 for line in lines)


def test_mixed_text_gets_a_run_per_font() -> None:
    assert runs("Checkout 購入 ok 🎉") == [
        (None, "Checkout "),
        ("Noto Sans CJK JP", "購入 "),
        (None, "ok "),
        ("Noto Color Emoji", "🎉"),
    ]
    markup = text("Pay الدفع عبر now", 10, 20, 12, anchor="middle")
    assert markup.count("<tspan") == 3 and "text-anchor" not in markup
    xs = [float(x) for x in re.findall(r'tspan x="([-\d.]+)"', markup)]
    assert xs == sorted(xs)
    # centred on 10 by the measured widths
    total = exact_width("Pay الدفع عبر now", 12)
    assert xs[0] == pytest.approx(10 - total / 2, abs=0.01)


@pytest.fixture
def no_fonts(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A machine with no font files at all (the widths measured meanwhile are forgotten)."""
    from journeymap.rendering import fonts, text

    kept = [dict(c) for c in text._CACHE]
    cached = (fonts._face, fonts._script_face, fonts.font_for)

    def forget() -> None:
        for f in cached:
            f.cache_clear()
        for c, k in zip(text._CACHE, kept, strict=True):
            c.clear()
            c.update(k)

    forget()
    monkeypatch.setattr(fonts, "_files", dict)
    yield
    monkeypatch.undo()
    forget()


@pytest.mark.usefixtures("no_fonts")
def test_a_script_without_a_font_is_named_in_a_warning() -> None:
    assert missing_scripts(["商品 と ページ", "🎉", "שלום", "Жж"]) == {
        "CJK": "fonts-noto-cjk",
        "Hiragana": "fonts-noto-cjk",
        "Katakana": "fonts-noto-cjk",
        "Emoji": "fonts-noto-color-emoji",
        "Hebrew": "fonts-noto-core",
        "Cyrillic": "fonts-noto-core",
    }
    m = JourneyMap(id="m", title="購入 journey")
    with pytest.warns(UserWarning, match=r"draws CJK text: .*apt-get install fonts-noto-cjk"):
        render_bytes(m, "svg")


def test_script_names_in_warnings() -> None:
    from journeymap.rendering.fonts import _script

    assert _script("\U00010c80") == "OLD HUNGARIAN"
    assert _script("\u1401") == "CANADIAN SYLLABICS"
    assert _script("\U00013000") == "EGYPTIAN"
    assert _script("中") == "CJK"


# ---- every output keeps its text in its box --------------------------------------------------


def test_svg_text_inside_its_box(svg: str) -> None:
    assert _overflows(svg) == []


def test_the_svg_check_can_fail(svg: str) -> None:
    longer = svg.replace("any card width<", "any card width and a good deal more<", 1)
    assert longer != svg
    assert len(_overflows(longer)) == 1


def test_svg_embeds_the_fonts_it_measured(svg: str) -> None:
    for family in ("Liberation Sans", "Noto Sans CJK JP", "Noto Sans Arabic", "Noto Color Emoji"):
        assert re.search(rf"@font-face {{ font-family: '{family}'; [^}}]*unicode-range", svg)


def _ink(png: bytes) -> Box | None:
    from io import BytesIO

    img = Image.open(BytesIO(png)).convert("RGB")
    diff = ImageChops.difference(img, Image.new("RGB", img.size, "white")).convert("L")
    found = diff.point(lambda v: 255 if v > 40 else 0).getbbox()
    return None if found is None else tuple(map(float, found))  # type: ignore[return-value]


@pytest.mark.slow
def test_png_ink_of_each_text_inside_its_box(svg: str) -> None:
    root = ET.fromstring(svg)
    boxes = _boxes(root)
    width, height = root.get("width"), root.get("height")
    bad = []
    for el, content, ext in _texts(root):
        box = _box_of(boxes, ext[0] + 1, (ext[1] + ext[3]) / 2)
        assert box is not None, content
        el.set("fill", "#000000")  # white text on a dark badge is ink too
        for key in ("stroke", "stroke-width"):
            el.attrib.pop(key, None)
        alone = (
            (
                f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
                f'font-family="{root.get("font-family")}"><rect width="100%" height="100%" '
                f'fill="white"/>{ET.tostring(el, encoding="unicode")}</svg>'
            )
            .replace("ns0:", "")
            .replace(":ns0", "")
        )
        ink = _ink(svg_to_png(alone, scale=1))
        assert ink is not None, f"nothing drawn for {content!r}"
        if _outside(ink, box, 1.5):
            bad.append(f"{content!r} ink {ink} outside {box}")
    assert bad == []


@pytest.mark.slow
def test_pdf_words_inside_their_boxes(svg: str, tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils is not installed (.ci/run installs it)")
    pdf = tmp_path / "map.pdf"
    pdf.write_bytes(svg_to_pdf(svg))
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', out
    )
    found = " ".join(w[4] for w in words)
    for sample in ("商品ページとサイズガイド", "תשלום", "Уведомление"):
        # right-to-left words come back in the order they are drawn
        assert sample in found.replace(" ", "") or sample[::-1] in found, sample
    boxes = _boxes(ET.fromstring(svg))
    bad = []
    for x0, y0, x1, y1, word in words:
        ext = (float(x0), float(y0), float(x1), float(y1))
        box = _box_of(boxes, ext[0] + 1, (ext[1] + ext[3]) / 2)
        if box is None or _outside(ext, box, 1.0):
            bad.append(f"{word!r} {ext} outside {box}")
    assert bad == []


@pytest.mark.parametrize("sample", list(SAMPLES))
def test_glyphs_are_drawn_not_empty_boxes(sample: str) -> None:
    def draw(content: str) -> bytes:
        return svg_to_png(document(300, 40, "t", [text(content, 10, 28, 20)]), scale=1)

    drawn = draw(SAMPLES[sample])
    # the same number of characters no font has: what empty boxes look like
    tofu = draw("\U000f0000" * len(SAMPLES[sample]))
    ink = _ink(drawn)
    assert ink is not None
    assert drawn != tofu
    if sample == "emoji":  # in colour
        from io import BytesIO

        img = Image.open(BytesIO(drawn)).convert("HSV")
        assert img.getchannel(1).getextrema()[1] > 150  # saturated colour


@pytest.mark.slow
def test_html_text_inside_its_box_in_chromium(scripts_map: JourneyMap, tmp_path: Path) -> None:
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    page_file = tmp_path / "map.html"
    html = to_html(scripts_map)
    page_file.write_text(html, encoding="utf-8")
    # the same page drawn in a wider font than the one measured: the check must see it
    wider = tmp_path / "wider.html"
    wider.write_text(
        html.replace("</head>", "<style>svg { font-family: 'DejaVu Sans' !important }</style>"
                     "</head>", 1),
        encoding="utf-8",
    )  # fmt: skip
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(chromium), args=["--no-sandbox", "--disable-gpu"], headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(page_file.as_uri())
            page.evaluate("document.fonts.ready")
            result = page.evaluate(_BOXES_JS)
            page.goto(wider.as_uri())
            page.evaluate("document.fonts.ready")
            too_wide = page.evaluate(_BOXES_JS)
        finally:
            browser.close()
    assert result["texts"] > 50
    assert result["bad"] == []
    assert too_wide["bad"], "the check does not see text wider than its box"


_BOXES_JS = """
() => {
  const svg = document.querySelector('svg');
  const boxes = [];
  for (const el of svg.querySelectorAll('rect, polygon')) {
    const b = el.getBBox();
    if (b.width > 0 && b.height > 0) boxes.push(b);
  }
  const bad = [];
  let texts = 0;
  for (const t of svg.querySelectorAll('text')) {
    if (!t.textContent.trim() || t.closest('g[transform]')) continue;
    texts++;
    const e = t.getBBox();
    const px = e.x + 1, py = e.y + e.height / 2;
    let best = null;
    for (const b of boxes) {
      if (b.x <= px && px <= b.x + b.width && b.y <= py && py <= b.y + b.height
          && (!best || b.width * b.height < best.width * best.height)) best = b;
    }
    // 1 px of slack for anti-aliasing; the line box of a font is taller than its ink
    if (!best || e.x < best.x - 1 || e.x + e.width > best.x + best.width + 1)
      bad.push(`${t.textContent}: ${e.x.toFixed(1)}..${(e.x + e.width).toFixed(1)} outside `
               + (best ? `${best.x.toFixed(1)}..${(best.x + best.width).toFixed(1)}` : 'none'));
  }
  return {texts, bad};
}
"""


# ---- right to left: flush right in its card ----------------------------------------------------

#: texts of the fixture in cards (touchpoints, an opportunity): right to left, and left to right
RTL_IN_CARDS = ("صفحة الدفع والتأكيد النهائي", "תשלום מקוון ואישור ההזמנה",
                "عرض تكلفة الشحن في صفحة المنتج")  # fmt: skip
LTR_IN_CARDS = ("Уведомление о доставке 🎉",)


def test_first_strong_character_decides_the_direction() -> None:
    from journeymap.rendering.blocks import right_to_left

    assert right_to_left("صفحة الدفع")
    assert right_to_left("“لماذا؟”")  # quotes and digits are neutral
    assert right_to_left("123 תשלום")
    assert not right_to_left("Goal: الدفع")
    assert not right_to_left("商品ページ")
    assert not right_to_left("🎉 42")


def _card_gaps(svg: str, wanted: tuple[str, ...]) -> dict[str, tuple[float, float]]:
    """For each wanted text, its gaps (left, right) to the card holding it, by font metrics."""
    root = ET.fromstring(svg)
    boxes = _boxes(root)
    out = {}
    for _, content, ext in _texts(root):
        if content in wanted:
            box = _box_of(boxes, ext[0] + 1, (ext[1] + ext[3]) / 2)
            assert box is not None, content
            out[content] = (ext[0] - box[0], box[2] - ext[2])
    assert set(out) == set(wanted)
    return out


def test_svg_right_to_left_text_is_flush_right(svg: str) -> None:
    for content, (left, right) in _card_gaps(svg, RTL_IN_CARDS).items():
        assert 5.0 <= right <= 13.0, (content, left, right)  # at the card's right padding
        assert left > right + 10, (content, left, right)  # not at its left
    for content, (left, right) in _card_gaps(svg, LTR_IN_CARDS).items():
        assert left <= 14.0 and right > left, (content, left, right)


@pytest.mark.slow
def test_png_right_to_left_ink_is_flush_right(svg: str) -> None:
    root = ET.fromstring(svg)
    boxes = _boxes(root)
    width, height = root.get("width"), root.get("height")
    seen = 0
    for el, content, ext in _texts(root):
        if content not in RTL_IN_CARDS:
            continue
        box = _box_of(boxes, ext[0] + 1, (ext[1] + ext[3]) / 2)
        assert box is not None
        alone = (
            (
                f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
                f'font-family="{root.get("font-family")}"><rect width="100%" height="100%" '
                f'fill="white"/>{ET.tostring(el, encoding="unicode")}</svg>'
            )
            .replace("ns0:", "")
            .replace(":ns0", "")
        )
        ink = _ink(svg_to_png(alone, scale=1))
        assert ink is not None, content
        # vl-convert's ink ends at the card's right padding, and starts well right of its left
        assert 4.0 <= box[2] - ink[2] <= 14.0, (content, ink, box)
        assert ink[0] - box[0] > box[2] - ink[2] + 10, (content, ink, box)
        seen += 1
    assert seen == len(RTL_IN_CARDS)


_GAPS_JS = """
(wanted) => {
  const svg = document.querySelector('svg');
  const rects = [...svg.querySelectorAll('rect')].map(r => r.getBBox())
    .filter(b => b.width > 0 && b.height > 0);
  const out = {};
  for (const t of svg.querySelectorAll('text')) {
    if (!wanted.includes(t.textContent)) continue;
    const e = t.getBBox();
    const px = e.x + e.width / 2, py = e.y + e.height / 2;
    let best = null;
    for (const b of rects)
      if (b.x <= px && px <= b.x + b.width && b.y <= py && py <= b.y + b.height
          && (!best || b.width * b.height < best.width * best.height)) best = b;
    out[t.textContent] = best && [e.x - best.x, best.x + best.width - e.x - e.width];
  }
  return out;
}
"""


@pytest.mark.slow
def test_html_right_to_left_text_is_flush_right_in_chromium(
    scripts_map: JourneyMap, tmp_path: Path
) -> None:
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    page_file = tmp_path / "map.html"
    page_file.write_text(to_html(scripts_map), encoding="utf-8")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(chromium), args=["--no-sandbox", "--disable-gpu"], headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(page_file.as_uri())
            page.evaluate("document.fonts.ready")
            gaps = page.evaluate(_GAPS_JS, [*RTL_IN_CARDS, *LTR_IN_CARDS])
        finally:
            browser.close()
    for content in RTL_IN_CARDS:
        assert gaps[content] is not None, content
        left, right = gaps[content]
        assert 4.0 <= right <= 14.0 and left > right + 10, (content, left, right)
    for content in LTR_IN_CARDS:
        left, right = gaps[content]
        assert left <= 14.0 and right > left, (content, left, right)
