"""The PowerPoint deck: opened again with python-pptx, every stage and touchpoint is there as
native text, every shape lies on its 16:9 slide, and every text fits its box by the metrics of
the fonts that draw it."""

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
    LINE,
    PAD_X,
    PAD_Y,
    SLIDE_H,
    SLIDE_W,
    stage_pages,
)
from journeymap.rendering.text import wrap

pptx = pytest.importorskip("pptx")
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


def _check_deck(deck: object) -> None:
    assert deck.slide_width / deck.slide_height == pytest.approx(16 / 9, rel=1e-3)  # type: ignore[attr-defined]
    for slide in deck.slides:  # type: ignore[attr-defined]
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
    # the overview holds the map's picture
    first = deck.slides[0]  # type: ignore[attr-defined]
    assert any(s.shape_type == pptx.enum.shapes.MSO_SHAPE_TYPE.PICTURE for s in first.shapes)
    _check_deck(deck)


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
