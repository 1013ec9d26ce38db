"""The PowerPoint deck: opened again with python-pptx, every stage and touchpoint is there as
native text, every shape lies on its 16:9 slide, no two shapes overlap, every text fits its box
by the metrics of the fonts that draw it, and every stage slide shows the stage's picture at the
slide's resolution. The measured deck (``measure ... -o deck.pptx``) of the demo's data holds
the measured emotions and the answers behind them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeymap.cli import app
from journeymap.formats.document import load
from journeymap.model import JourneyMap, Stage, Touchpoint
from journeymap.rendering import render_bytes
from journeymap.rendering.fonts import line_factor
from journeymap.rendering.slides import (
    BODY_PT,
    LINE,
    PAD_X,
    PAD_Y,
    SLIDE_H,
    SLIDE_W,
    stage_pages,
)
from journeymap.rendering.text import wrap

pptx = pytest.importorskip("pptx")
MSO_SHAPE_TYPE = pptx.enum.shapes.MSO_SHAPE_TYPE
EMU = 12700  # per point
SCRIPTS = Path(__file__).parent / "fixtures" / "scripts_map.yaml"


def _deck(m: JourneyMap) -> object:
    return pptx.Presentation(io.BytesIO(render_bytes(m, "pptx")))


def _texts(deck: object) -> str:
    out = []
    for slide in deck.slides:  # type: ignore[attr-defined]
        for shape in slide.shapes:
            if shape.has_text_frame:
                out.append(shape.text_frame.text)
            if shape.has_table:
                out += [c.text for row in shape.table.rows for c in row.cells]
    return "\n".join(out)


def _fits(frame: object, width: float, height: float) -> tuple[float, float]:
    """The height the frame's text needs (by the fonts' metrics) and the height it has."""
    need = 2 * PAD_Y
    for para in frame.paragraphs:  # type: ignore[attr-defined]
        runs = para.runs
        if not runs:
            continue
        size = runs[0].font.size.pt
        assert size >= 12, f"text smaller than 12 pt: {para.text!r}"
        bold = bool(runs[0].font.bold)
        # lines at the single line height of the tallest font that draws them
        assert para.line_spacing == LINE
        n = len(wrap(para.text, width - 2 * PAD_X, size, bold=bold))
        need += n * size * line_factor(para.text, bold) * LINE
    return need, height


def _box(shape: object) -> tuple[float, float, float, float]:
    s = shape
    return s.left / EMU, s.top / EMU, (s.left + s.width) / EMU, (s.top + s.height) / EMU  # type: ignore[attr-defined]


def _check_deck(deck: object) -> None:
    assert deck.slide_width / deck.slide_height == pytest.approx(16 / 9, rel=1e-3)  # type: ignore[attr-defined]
    for k, slide in enumerate(deck.slides):  # type: ignore[attr-defined]
        boxes = [_box(s) for s in slide.shapes]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                overlap = min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])
                assert min(overlap) <= 0.5, f"slide {k + 1}: shapes overlap: {a} {b}"
        pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(pictures) == 1, f"slide {k + 1} has no picture"
        pic = pictures[0]
        # drawn at the slide's resolution: 2 pixels a point, give or take a pixel's rounding
        px_w, _ = pic.image.size
        assert px_w == pytest.approx(2 * pic.width / EMU, abs=3), (px_w, pic.width / EMU)
        for shape in slide.shapes:
            x, y = shape.left / EMU, shape.top / EMU
            w, h = shape.width / EMU, shape.height / EMU
            assert x >= 0 and y >= 0, shape.name
            assert x + w <= SLIDE_W + 0.5 and y + h <= SLIDE_H + 0.5, shape.name
            if shape.has_text_frame and shape.text_frame.text:
                need, have = _fits(shape.text_frame, w, h)
                assert need <= have + 0.5, shape.text_frame.text
            if shape.has_table:
                table = shape.table
                for row in table.rows:
                    for j, cell in enumerate(row.cells):
                        need, have = _fits(
                            cell.text_frame, table.columns[j].width / EMU, row.height / EMU
                        )
                        assert need <= have + 0.5, cell.text


def test_deck_of_the_sample_map(sample_map: JourneyMap) -> None:
    deck = _deck(sample_map)
    pages = stage_pages(sample_map)
    assert len(deck.slides) == 1 + len(pages) >= 1 + len(sample_map.stages)  # type: ignore[attr-defined]
    text = _texts(deck)
    for stage in sample_map.stages:
        assert stage.name in text
        for tp in stage.touchpoints:
            assert tp.name in text
    for item in [*sample_map.pain_points, *sample_map.opportunities]:
        assert item.name in text
    _check_deck(deck)
    # a stage slide: the stage's picture on the left, as high as the body, the text right of it
    for slide in list(deck.slides)[1:]:  # type: ignore[attr-defined]
        pic = next(s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE)
        x0, y0, x1, y1 = _box(pic)
        assert y1 - y0 > 0.6 * SLIDE_H or x1 - x0 > 0.3 * SLIDE_W
        texts = [_box(s) for s in slide.shapes if s.has_table or (s.top / EMU > y0 + 1)]
        texts = [b for b in texts if b != (x0, y0, x1, y1)]
        assert texts and all(b[0] >= x1 for b in texts)


def test_little_text_is_set_large() -> None:
    """A stage with one touchpoint is set larger than one that needs many slides."""
    m = JourneyMap(id="one", title="One", stages=[
        Stage(id="s", name="Only", touchpoints=[Touchpoint(id="t", name="Call us")])])  # fmt: skip
    assert stage_pages(m)[0].size > BODY_PT
    deck = _deck(m)
    _check_deck(deck)
    table = next(s for s in deck.slides[1].shapes if s.has_table).table  # type: ignore[attr-defined]
    assert table.cell(1, 0).text_frame.paragraphs[0].runs[0].font.size.pt > BODY_PT


def test_severity_only_when_written(sample_map: JourneyMap) -> None:
    text = _texts(_deck(sample_map))
    for p in sample_map.pain_points:
        shown = f"({p.severity} severity)" in text
        assert shown == ("severity" in p.model_fields_set) or not shown


def test_long_stage_continues_on_more_slides() -> None:
    tps = [
        Touchpoint(id=f"t{i}", name=f"Step {i}: " + "a rather long description " * (i % 4 + 1))
        for i in range(40)
    ]
    m = JourneyMap(id="long", title="Long", stages=[Stage(id="s", name="Only", touchpoints=tps)])
    deck = _deck(m)
    assert len(deck.slides) > 2  # type: ignore[attr-defined]
    titles = [s.shapes[0].text_frame.text for s in list(deck.slides)[1:]]  # type: ignore[attr-defined]
    assert titles[0].endswith(f"(1/{len(titles)})")
    text = _texts(deck)
    for tp in tps:
        assert text.count(tp.name.strip()) == 1
    _check_deck(deck)


def test_every_script_in_the_deck() -> None:
    m = load(SCRIPTS)
    deck = _deck(m)
    _check_deck(deck)
    text = _texts(deck)
    for _, tp in m.iter_touchpoints():
        assert tp.name in text.replace("\n", " ") or tp.name in text
    fonts: dict[str, str] = {}
    rtl = []
    for slide in deck.slides:  # type: ignore[attr-defined]
        for shape in slide.shapes:
            frames = [shape.text_frame] if shape.has_text_frame else []
            if shape.has_table:
                frames += [c.text_frame for row in shape.table.rows for c in row.cells]
            for frame in frames:
                for para in frame.paragraphs:
                    if para._pPr is not None and para._pPr.get("rtl") == "1":
                        rtl.append(para.text)
                    for run in para.runs:
                        latin = run._r.rPr.find(pptx.oxml.ns.qn("a:latin"))
                        fonts[run.text] = latin.get("typeface")
    assert fonts["商品ページとサイズガイドの確認"] == "Noto Sans CJK JP"
    assert any(t.startswith("صفحة الدفع") for t in rtl)
    assert any(t.startswith("תשלום") for t in rtl)
    assert fonts["Уведомление о доставке "] == "Arial"
    assert fonts["🎉"] == "Noto Color Emoji"


def test_cli_writes_a_deck(tmp_path: Path) -> None:
    out = tmp_path / "deck.pptx"
    result = CliRunner().invoke(app, ["render", str(SCRIPTS), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert len(pptx.Presentation(out).slides) == 1 + len(stage_pages(load(SCRIPTS)))


def test_measured_deck_of_the_demo(tmp_path: Path) -> None:
    """``measure ... -o deck.pptx`` on the demo's data: the measured emotions with their n in
    the "Actual" column, "no feedback" where customers said nothing, and the stages' reach."""
    from journeymap.measuring.sample import generate_sample
    from journeymap.model.measurement import Measurement

    files = generate_sample(tmp_path, customers=600)
    out = tmp_path / "deck.pptx"
    args = ["measure", str(files.map), "--events", str(files.events), "--feedback",
            str(files.feedback), "-o", str(out)]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    saved = next((tmp_path / f"{files.map.stem}.measurements").glob("*.json"))
    ms = Measurement.model_validate_json(saved.read_text())
    m = load(files.map)
    deck = pptx.Presentation(out)
    _check_deck(deck)
    assert len(deck.slides) == 1 + len(stage_pages(m, ms))
    actual = {}
    for slide in list(deck.slides)[1:]:
        for shape in slide.shapes:
            if shape.has_table:
                for row in list(shape.table.rows)[1:]:
                    actual[row.cells[0].text] = row.cells[3].text
    measured = [t for t in ms.touchpoints if t.emotion is not None and t.evidence != "none"]
    assert measured and len(measured) < len(ms.touchpoints)
    for t in ms.touchpoints:
        cell = actual[t.name]
        if t in measured:
            assert f"n={t.n:,}" in cell, cell
            assert (t.level or "") in cell
        else:
            assert cell == "no feedback"
    text = _texts(deck)
    for st in ms.stages:
        if st.customers:
            assert f"{st.customers:,} customers reach it" in text
