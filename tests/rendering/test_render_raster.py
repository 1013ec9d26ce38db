"""PNG and PDF through vl-convert: valid files, sensible sizes, text actually drawn."""

from __future__ import annotations

import math
import subprocess
import sys
import zlib

import pytest

from journeymap.errors import RenderError
from journeymap.model import JourneyMap
from journeymap.rendering import layout, to_svg
from journeymap.rendering.raster import pdf_page_size, png_size, svg_to_pdf, svg_to_png
from journeymap.rendering.text import FONT_FAMILY, text_width


def _decode_png(png: bytes) -> tuple[int, int, list[bytes], int]:
    """Width, height, rows of raw pixels and bytes per pixel of an 8-bit RGB(A) PNG."""
    pos, idat, width, height, kind = 8, b"", 0, 0, 0
    while pos < len(png):
        length = int.from_bytes(png[pos : pos + 4], "big")
        tag, data = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if tag == b"IHDR":
            width, height = int.from_bytes(data[:4], "big"), int.from_bytes(data[4:8], "big")
            assert data[8] == 8
            kind = data[9]
        elif tag == b"IDAT":
            idat += data
    bpp = {2: 3, 6: 4}[kind]
    raw, stride = zlib.decompress(idat), width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    i = 0
    for _ in range(height):
        filt, line = raw[i], bytearray(raw[i + 1 : i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if filt == 1:
                line[x] = (line[x] + a) & 255
            elif filt == 2:
                line[x] = (line[x] + b) & 255
            elif filt == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif filt == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, rows, bpp


def _ink_columns(png: bytes) -> list[int]:
    """x of every column that has a dark pixel."""
    width, _, rows, bpp = _decode_png(png)
    return [x for x in range(width) if any(r[x * bpp] < 128 for r in rows)]


def _text_svg(text: str, *, size: float, bold: bool) -> str:
    weight = ' font-weight="bold"' if bold else ""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="900" height="60">'
        '<rect width="900" height="60" fill="#ffffff"/>'
        f'<text x="10" y="40" font-family="{FONT_FAMILY}" font-size="{size}"{weight}>'
        f"{text}</text></svg>"
    )


@pytest.mark.parametrize("bold", [False, True])
@pytest.mark.parametrize(
    "text",
    [
        "Frustrated \u22122",
        "Why do I need an account? So many fields",
        "WWW MMM mmm 000 %%% @@@",
        "iiii llll ffff tttt",
        "Caf\u00e9 na\u00efve \u201cquoted\u201d \u2014 done\u2026",
    ],
)
def test_width_table_matches_the_font_vl_convert_draws(text: str, bold: bool) -> None:
    size = 20.0
    ink = _ink_columns(svg_to_png(_text_svg(text, size=size, bold=bold), scale=1.0))
    assert ink, "no text was drawn"
    drawn = ink[-1] - 10 + 1
    estimate = text_width(text, size, bold=bold)
    # never narrower than what is drawn (so wrapped text fits), and not much wider
    assert drawn <= estimate
    assert estimate <= drawn * 1.12 + 4


def test_png_is_valid_and_sized_by_scale(sample_map: JourneyMap) -> None:
    view = layout(sample_map)
    svg = to_svg(sample_map)
    png = svg_to_png(svg)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png_size(png) == (math.ceil(view.width * 2), math.ceil(view.height * 2))
    small = svg_to_png(svg, scale=0.5)
    assert png_size(small) == (math.ceil(view.width / 2), math.ceil(view.height / 2))


def test_png_has_the_dark_stage_headers_and_text(sample_map: JourneyMap) -> None:
    view = layout(sample_map)
    png = svg_to_png(to_svg(sample_map), scale=1.0)
    _, _, rows, bpp = _decode_png(png)
    header = view.stages[0].header.rect
    y = int(header.y + 4)
    x = int(header.x + header.w - 40)
    # stage header: dark navy, not white
    assert rows[y][x * bpp] < 80
    # the title line is drawn (dark ink inside its bounds)
    title = view.header.title[0].bounds
    band = rows[int(title.y + title.h / 2)]
    dark = [i for i in range(int(title.x), int(title.right)) if band[i * bpp] < 100]
    assert len(dark) > 20


def test_pdf_is_valid_and_page_sized_like_the_svg(sample_map: JourneyMap) -> None:
    view = layout(sample_map)
    pdf = svg_to_pdf(to_svg(sample_map))
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    size = pdf_page_size(pdf)
    assert size is not None
    assert size == pytest.approx((view.width, view.height), abs=1)


def test_bad_svg_is_a_render_error_without_backtrace() -> None:
    with pytest.raises(RenderError, match="cannot draw the SVG as PNG") as info:
        svg_to_png("this is not svg")
    assert "Stack backtrace" not in str(info.value)
    assert "\n" not in str(info.value)
    with pytest.raises(RenderError, match="as PDF"):
        svg_to_pdf("<svg")
    with pytest.raises(RenderError, match="scale"):
        svg_to_png("<svg/>", scale=0)


def test_png_size_rejects_other_bytes() -> None:
    with pytest.raises(ValueError, match="not a PNG"):
        png_size(b"GIF89a........................")


def test_importing_render_loads_no_heavy_library() -> None:
    code = (
        "import sys, journeymap.rendering\n"
        "heavy = {'vl_convert', 'jinja2'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
