"""The SVG kit shared by the map and the charts, and the helpers every HTML page uses."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from journeymap.rendering.html import inline_svg
from journeymap.rendering.measured.funnel import draw_funnel
from journeymap.rendering.svgkit import (
    XMLNS,
    document,
    el,
    expected_mark,
    num,
    points,
    text,
    thin_mark,
)
from journeymap.rendering.text import FONT_FAMILY


def test_numbers_are_short_and_never_negative_zero() -> None:
    assert num(12.0) == "12"
    assert num(12.3456) == "12.35"
    assert num(-0.001) == "0"
    assert num(0.123456, 4) == "0.1235"
    assert points([(1.0, 2.5), (3.333, -4.0)]) == "1,2.5 3.33,-4"


def test_elements_write_dashes_and_leave_none_out() -> None:
    assert el("rect", x=1.0, stroke_width=2, stroke_dasharray=None) == (
        '<rect x="1" stroke-width="2"/>'
    )
    assert ET.fromstring(el("path", d="M0 0\"'<")).get("d") == "M0 0\"'<"


def test_text_is_escaped_and_halo_comes_last() -> None:
    plain = text("a < b & c", 1, 2, 10, bold=True, anchor="middle", fill="#000")
    assert plain == (
        '<text x="1" y="2" font-size="10" font-weight="bold" text-anchor="middle" '
        'fill="#000">a &lt; b &amp; c</text>'
    )
    halo = text("x", 0, 0, halo=True)
    assert halo.index('fill="') < halo.index('stroke="#ffffff"') < halo.index("paint-order")


def test_document_is_well_formed_and_named() -> None:
    svg = document(100.5, 20, 'Flows "A" & B', [el("rect", x=0.0)])
    root = ET.fromstring(svg)
    assert root.tag == f"{{{XMLNS}}}svg"
    assert root.get("width") == "100.5" and root.get("viewBox") == "0 0 100.5 20"
    assert root.get("font-family") == FONT_FAMILY
    assert root.get("aria-label") == 'Flows "A" & B'
    assert root.find(f"{{{XMLNS}}}title").text == 'Flows "A" & B'  # type: ignore[union-attr]
    assert "aria-label" not in document(1, 1, "Map", [], aria_label=False)


def test_marks_of_an_emotion() -> None:
    assert expected_mark(10, 10, 5, "#abcdef").startswith('<polygon points="10,5 15,10 10,15 5,10"')
    assert 'fill="#ffffff"' in thin_mark(0, 0) and 'r="5.4"' in thin_mark(0, 0)


def test_inline_svg_drops_the_namespace_once() -> None:
    import pyarrow as pa

    chart = draw_funnel(pa.table({"customers": pa.array([], pa.int64())}))
    inline = inline_svg(chart)
    assert XMLNS not in inline
    assert inline.startswith("<svg width=")
    assert str(inline).count("<svg") == 1
