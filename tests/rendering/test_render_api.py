"""render_bytes and render_file: every format, suffixes, atomic writes, clear errors."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from journeymap.errors import UsageError
from journeymap.model import JourneyMap
from journeymap.rendering import SUFFIXES, RenderFormat, render_bytes, render_file

MAGIC = {
    "svg": b"<svg ",
    "png": b"\x89PNG\r\n\x1a\n",
    "pdf": b"%PDF-",
    "html": b"<!doctype html>",
    "md": b"# Amber's first purchase",
    "mmd": b"journey\n",
    "pptx": b"PK\x03\x04",  # a zip of XML parts
}


def test_public_names() -> None:
    # the package, not ``journeymap.rendering``: the top-level package may re-export a function
    # under that name
    render = importlib.import_module("journeymap.rendering")
    for name in ("render_bytes", "render_file", "layout", "to_svg", "to_html"):
        assert name in render.__all__
        assert callable(getattr(render, name))


@pytest.mark.parametrize("fmt", ["svg", "png", "pdf", "html", "md", "mmd", "pptx"])
def test_render_bytes_every_format(sample_map: JourneyMap, fmt: RenderFormat) -> None:
    data = render_bytes(sample_map, fmt)
    assert data.startswith(MAGIC[fmt])


def test_unknown_format_is_a_usage_error(sample_map: JourneyMap) -> None:
    with pytest.raises(UsageError, match="unknown format 'gif'"):
        render_bytes(sample_map, "gif")  # type: ignore[arg-type]


@pytest.mark.parametrize("suffix", sorted(SUFFIXES))
def test_render_file_picks_the_format_from_the_suffix(
    sample_map: JourneyMap, tmp_path: Path, suffix: str
) -> None:
    out = render_file(sample_map, tmp_path / f"map{suffix.upper()}")
    assert out == tmp_path / f"map{suffix.upper()}"
    assert out.read_bytes().startswith(MAGIC[SUFFIXES[suffix]])
    # written atomically: no temporary file is left behind
    assert [p.name for p in tmp_path.iterdir()] == [out.name]


def test_unknown_suffix_lists_the_supported_ones(sample_map: JourneyMap, tmp_path: Path) -> None:
    with pytest.raises(UsageError) as info:
        render_file(sample_map, tmp_path / "map.gif")
    message = str(info.value)
    assert "'.gif'" in message
    for suffix in (".svg", ".png", ".pdf", ".html", ".htm", ".md", ".markdown", ".mmd"):
        assert suffix in message
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(UsageError, match="no suffix"):
        render_file(sample_map, tmp_path / "map")


def test_explicit_format_wins_over_the_suffix(sample_map: JourneyMap, tmp_path: Path) -> None:
    out = render_file(sample_map, tmp_path / "picture.txt", fmt="svg")
    assert out.read_bytes().startswith(b"<svg ")


def test_render_file_replaces_an_existing_file(sample_map: JourneyMap, tmp_path: Path) -> None:
    target = tmp_path / "deep" / "map.svg"
    target.parent.mkdir()
    target.write_text("old")
    render_file(sample_map, target)
    assert target.read_text(encoding="utf-8").startswith("<svg ")


def test_png_scale_is_passed_on(sample_map: JourneyMap) -> None:
    from journeymap.rendering.raster import png_size

    one = png_size(render_bytes(sample_map, "png", scale=1.0))
    two = png_size(render_bytes(sample_map, "png"))
    assert two == (one[0] * 2, one[1] * 2)


def test_a_file_without_a_suffix_says_so() -> None:
    from journeymap.rendering.files import format_of
    from journeymap.rendering.report import REPORT_SUFFIXES

    with pytest.raises(UsageError, match=r"report format of 'report' \(no suffix\)"):
        format_of("report", REPORT_SUFFIXES, what="report")
    assert format_of("Report.JSON", REPORT_SUFFIXES, what="report") == "json"
