"""Hostile sizes (issue 16, items 6 and 7).

A field of any length is fitted in time linear in its length and cut after a bounded number of
lines; a map too big to draw as PNG or PDF is refused before anything is drawn, with a
:class:`RenderError` (exit 2, no traceback) that names the size, the limit and what to do.
"""

from __future__ import annotations

import math
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType, SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import journeymap as jm
import journeymap.rendering as rendering
from journeymap.cli import app
from journeymap.errors import RenderError
from journeymap.model import (
    KPI,
    JourneyMap,
    Opportunity,
    PainPoint,
    Persona,
    Stage,
    Touchpoint,
)
from journeymap.model.measurement import Measurement
from journeymap.rendering import layout, limits, raster, render_bytes, render_file
from journeymap.rendering.blocks import MAX_LINES
from journeymap.rendering.layout import least_size
from journeymap.rendering.raster import pdf_page_size, png_size
from journeymap.rendering.report import report_html, report_pdf, report_png
from journeymap.rendering.text import _SAFETY, _char_width, text_width, truncate, wrap

# ---- helpers -------------------------------------------------------------------------------


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Fail (instead of hanging) when the block takes longer than ``seconds``."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    start = time.perf_counter()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert time.perf_counter() - start < seconds


def grid_map(stages: int, per_stage: int) -> JourneyMap:
    """``stages`` stages of ``per_stage`` front-stage touchpoints each, with short text."""
    return JourneyMap(
        id="big",
        name="A big journey",
        stages=[
            Stage(
                id=f"s{s}",
                name=f"Stage {s}",
                touchpoints=[
                    Touchpoint(id=f"t{s}-{k}", name=f"Step {k}", channel="web")
                    for k in range(per_stage)
                ],
            )
            for s in range(stages)
        ],
    )


def no_drawing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make laying out, drawing the SVG and rasterising fail: a refusal must come first."""

    def forbidden(*args: object, **kwargs: object) -> Any:
        raise AssertionError("the map was drawn before it was refused")

    monkeypatch.setattr(rendering, "to_svg", forbidden)
    monkeypatch.setattr("journeymap.rendering.report.render_measured_svg", forbidden)
    monkeypatch.setattr(raster, "_vlc", forbidden)


class FakeConverter:
    """vl-convert's stand-in: records what it was asked, returns a PNG header of that size."""

    def __init__(self) -> None:
        self.scales: list[float] = []

    def module(self) -> SimpleNamespace:
        return SimpleNamespace(svg_to_png=self.svg_to_png, svg_to_pdf=self.svg_to_pdf)

    def svg_to_png(self, svg: str, scale: float) -> bytes:
        self.scales.append(scale)
        size = limits.svg_size(svg)
        assert size is not None
        w, h = (math.ceil(v * scale) for v in size)
        return b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + w.to_bytes(4, "big") + h.to_bytes(4, "big")

    def svg_to_pdf(self, svg: str) -> bytes:
        size = limits.svg_size(svg)
        assert size is not None
        return f"%PDF-1.7 /MediaBox [0 0 {size[0]:g} {size[1]:g}]".encode()


# ---- item 6: long strings --------------------------------------------------------------------

LONG = 100_000
KINDS = {
    "one word": "x" * LONG,
    "words": ("lorem ipsum dolor " * LONG)[:LONG],
    "wide characters": "\u6f22" * LONG,
    "spaces": " " * LONG,
    "accents": "e\u0301" * (LONG // 2),
    "lines": ("a b\n" * LONG)[:LONG],
}


@pytest.mark.parametrize("text", KINDS.values(), ids=list(KINDS))
def test_a_string_of_any_length_is_fitted_in_linear_time(text: str) -> None:
    with within(3.0):
        for _ in range(10):  # the 100,000 characters of the issue, ten times
            cut = truncate(text, 180.0, 12.0, bold=True)
            lines = wrap(text, 180.0, 11.5, max_lines=MAX_LINES)
        every = wrap(text, 180.0, 11.5)  # every line, no limit
        width = text_width(text * 10, 12.0)
    assert text_width(cut, 12.0, bold=True) <= 180.0
    assert len(lines) <= MAX_LINES
    assert all(text_width(line, 11.5) <= 180.0 for line in lines)
    assert len(every) >= len(lines)
    assert width >= 0.0


def _reference_truncate(text: str, width: float, size: float, bold: bool) -> str:
    """The definition, one character at a time (quadratic: only for short text)."""

    def w(s: str) -> float:
        return sum(_char_width(c, bold) for c in s) * size / 1000.0 * _SAFETY

    if w(text) <= width:
        return text
    out = text
    while out and w(out.rstrip() + "\u2026") > width:
        out = out[:-1]
    return out.rstrip() + "\u2026" if out else ""


def _reference_wrap(text: str, width: float, size: float, bold: bool, first: float) -> list[str]:
    """Greedy wrap as first written: every candidate line measured whole."""

    def w(s: str) -> float:
        return text_width(s, size, bold=bold)

    lines: list[str] = []
    for para in text.splitlines() or [""]:
        words = para.split()
        if not words:
            lines.append("")
            continue
        current = ""
        for word in words:
            limit = width - first if not lines else width
            candidate = f"{current} {word}" if current else word
            if w(candidate) <= limit:
                current = candidate
                continue
            if current:
                lines.append(current)
                current = ""
                limit = width
            if w(word) <= limit:
                current = word
                continue
            piece = ""
            for ch in word:
                if piece and w(piece + ch) > limit:
                    lines.append(piece)
                    piece = ch
                else:
                    piece += ch
            current = piece
        lines.append(current)
    return lines


_TEXT = st.text(
    st.sampled_from(list("aiWM  .,-\u00e9\u0301\u6f22\u2014\u2026\u00a0\n")),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(
    text=_TEXT,
    width=st.floats(0.0, 260.0),
    size=st.sampled_from([9.5, 10.5, 11.5, 12.0, 15.0, 26.0]),
    bold=st.booleans(),
    first=st.sampled_from([0.0, 0.0, 17.0]),
    max_lines=st.sampled_from([None, 1, 2, 3]),
)
def test_fitting_is_what_it_was_for_every_text(
    text: str, width: float, size: float, bold: bool, first: float, max_lines: int | None
) -> None:
    """Faster, not different: the same cut and the same lines as measuring every candidate."""
    assert truncate(text, width, size, bold=bold) == _reference_truncate(text, width, size, bold)
    lines = _reference_wrap(text, width, size, bold, first)
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = _reference_truncate(lines[-1] + "\u2026", width, size, bold)
    got = wrap(text, width, size, bold=bold, max_lines=max_lines, first_indent=first)
    assert got == lines


def long_map(text: str) -> JourneyMap:
    """A map with ``text`` in every field that is drawn wrapped."""
    tp = Touchpoint(
        id="tp", name=text, channel="web", owner=text, actions=[text], thoughts=[text],
        expected_emotion="Neutral", systems=[text],
    )  # fmt: skip
    back = Touchpoint(id="back", name=text, channel="system", lane="backstage", supports=["tp"])
    return JourneyMap(
        id="long",
        name=text,
        objective=text,
        scenario=text,
        persona=Persona(name=text, description=text, quote=text, goals=[text]),
        stages=[Stage(id="s", name=text, customer_goal=text, touchpoints=[tp, back])],
        pain_points=[PainPoint(id="p", name=text, touchpoint="tp", source=text)],
        opportunities=[Opportunity(id="o", name=text, touchpoint="tp", expected_outcome=text)],
        kpis=[KPI(id="k", name=text, touchpoint="tp", value=1.0, period=text)],
    )


def test_one_long_field_cannot_make_the_picture_tall() -> None:
    with within(3.0):
        short = layout(long_map("A few words"))
        view = layout(long_map(("word " * LONG)[:LONG]))
        huge_word = layout(long_map("x" * LONG))
    # every paragraph is cut after MAX_LINES lines: the picture stays a few cards tall
    # (it was 444,827 px for one field of 100,000 characters)
    for v in (view, huge_word):
        assert v.height < short.height + 60 * MAX_LINES * 16
        assert v.height < 10_000
    card = next(c for c in view.touchpoints if c.box.touchpoint_id == "tp")
    names = [t.text for t in card.box.lines if t.size == 12.0 and t.bold]
    assert len(names) == MAX_LINES
    assert names[-1].endswith("\u2026")
    assert all(t.bounds.right <= card.box.rect.right for t in card.box.lines)


def test_the_report_of_a_long_touchpoint_name_is_quick(
    shop: JourneyMap, ms: Measurement, tmp_path: Path
) -> None:
    """``measure -o report.html`` ran past 300 s with a 100,000-character name."""
    long = shop.model_copy(deep=True)
    long.stages[0].touchpoints[0].name = ("lorem ipsum " * LONG)[:LONG]
    with within(12.0):
        html = report_html(long, ms)
    assert "lorem ipsum" in html


# ---- item 7: big maps --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["png", "pdf"])
def test_a_huge_map_is_refused_before_anything_is_drawn(
    fmt: rendering.RenderFormat, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """500 stages x 20 touchpoints: the PNG aborted asking for 29 GB; the PDF page was
    2,120,214 units wide. Now: refused in milliseconds, nothing laid out, drawn or written."""
    m = grid_map(500, 20)
    no_drawing(monkeypatch)
    out = tmp_path / f"map.{fmt}"
    with within(2.0), pytest.raises(RenderError) as info:
        render_file(m, out)
    message = str(info.value)
    assert "\n" not in message
    assert "SVG or HTML" in message and "fewer stages" in message
    if fmt == "png":
        assert "1,060,107 pixels wide" in message  # the width, at the smallest scale
        assert "limit of 100 megapixels" in message
    else:
        assert "2,120,214 units" in message
        assert "limit of 14,400 units" in message
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_the_report_refuses_a_huge_map_the_same_way(
    ms: Measurement, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = grid_map(500, 20)
    no_drawing(monkeypatch)
    with within(2.0):
        with pytest.raises(RenderError, match="too big for a PNG"):
            report_png(m, ms)
        with pytest.raises(RenderError, match="too big for a PDF page"):
            report_pdf(m, ms)


def test_a_map_of_50_stages_of_10_touchpoints_is_drawn_as_png_smaller(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """50 x 10 is 106,214 px wide: 693 megapixels at scale 2, refused by Pillow as a
    decompression bomb. It is drawn at the largest scale that keeps it under the limit."""
    m = grid_map(50, 10)
    fake = FakeConverter()
    monkeypatch.setattr(raster, "_vlc", fake.module)
    view = layout(m)
    w, h = png_size(render_bytes(m, "png"))
    (scale,) = fake.scales
    assert limits.SMALLEST_SCALE <= scale < 2.0
    assert (w, h) == (math.ceil(view.width * scale), math.ceil(view.height * scale))
    assert w * h <= limits.MAX_PNG_PIXELS
    # the largest such scale, to two decimals
    bigger = scale + 0.01
    assert math.ceil(view.width * bigger) * math.ceil(view.height * bigger) > limits.MAX_PNG_PIXELS


def test_the_default_scale_shrinks_to_the_limit_for_real(
    sample_map: JourneyMap, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same with vl-convert drawing: a limit of 1 megapixel, a map of 2.7 at scale 1."""
    monkeypatch.setattr(limits, "MAX_PNG_PIXELS", 1_000_000)
    view = layout(sample_map)
    w, h = png_size(render_bytes(sample_map, "png"))
    assert w * h <= 1_000_000
    assert w * h > 0.97 * 1_000_000
    assert w / h == pytest.approx(view.width / view.height, rel=0.01)


def test_a_scale_asked_for_is_kept_or_refused_with_one_that_fits(
    sample_map: JourneyMap, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_PNG_PIXELS", 1_000_000)
    with pytest.raises(RenderError) as info:
        render_bytes(sample_map, "png", scale=2.0)
    message = str(info.value)
    view = layout(sample_map)
    size = f"{math.ceil(view.width * 2):,} x {math.ceil(view.height * 2):,} pixels"
    assert f"at scale 2 it would be {size}" in message
    assert "more than the limit of 1 megapixels" in message
    fits = float(message.split("smaller scale (")[1].split(" fits")[0])
    assert 0.5 < fits < 0.7
    w, h = png_size(render_bytes(sample_map, "png", scale=fits))
    assert w * h <= 1_000_000


def test_a_pdf_page_wider_than_the_format_allows_is_drawn_smaller() -> None:
    m = grid_map(1, 80)  # 17,174 px wide
    view = layout(m)
    assert view.width > limits.MAX_PDF_SIDE
    size = pdf_page_size(render_bytes(m, "pdf"))
    assert size is not None
    assert max(size) <= limits.MAX_PDF_SIDE
    assert max(size) > limits.MAX_PDF_SIDE - 1
    assert size[0] / size[1] == pytest.approx(view.width / view.height, rel=0.001)


def test_a_pdf_page_beyond_twice_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    m = grid_map(1, 150)  # 32,014 px wide: half of it is still too wide
    no_drawing(monkeypatch)
    with pytest.raises(RenderError, match=r"at least 32,014 units .* 14,400 units a side"):
        render_bytes(m, "pdf")


def test_a_picture_of_too_many_elements_is_refused_before_it_is_drawn(
    sample_map: JourneyMap, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_ELEMENTS", 100)
    monkeypatch.setattr(raster, "_vlc", lambda: pytest.fail("drawn"))
    formats: tuple[rendering.RenderFormat, ...] = ("png", "pdf")
    for fmt in formats:
        with pytest.raises(RenderError, match=r"too detailed for a (PNG|PDF): its drawing has"):
            render_bytes(sample_map, fmt)


def test_the_lower_bound_of_the_size_is_one(sample_map: JourneyMap) -> None:
    """The early refusal rests on :func:`least_size`: never more than the layout."""
    maps = [jm.new_map(t.name) for t in jm.list_templates()]
    maps += [sample_map, grid_map(1, 1), grid_map(3, 0), grid_map(7, 3), long_map("x")]
    maps.append(JourneyMap(id="empty", name="x", stages=[Stage(id="s", name="s")]))
    back = Stage(id="s", name="s", touchpoints=[Touchpoint(id="b", name="b", lane="backstage")])
    maps.append(JourneyMap(id="back", name="b", stages=[back]))
    for m in maps:
        view = layout(m)
        least_w, least_h = least_size(m)
        assert least_w <= view.width, m.id
        assert least_h <= view.height, m.id


def test_the_command_line_says_why_and_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "wide.yaml"
    jm.save(grid_map(1, 150), path)
    out = tmp_path / "wide.pdf"
    result = CliRunner().invoke(app, ["render", str(path), "-o", str(out)])
    assert result.exit_code == 2
    assert "error: the map is too big for a PDF page" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert not out.exists()
