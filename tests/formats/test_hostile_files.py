"""Map and table files as people save them (issue 16): ``fmt`` keeps comments with their keys
and a file's byte-order mark, encoding and line ends; UTF-16 maps are read like UTF-8 ones;
the map limits can be raised from the command line (``JOURNEYMAP_MAP_LIMITS``); tables to
import with a header naming two columns alike are refused naming both, merged cells are
filled and said so."""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

import journeymap as jm
from journeymap.cli import app
from journeymap.errors import TableImportError, UsageError
from journeymap.formats import MapLimits
from journeymap.formats._guard import parse_limits
from journeymap.formats.document import format_file, format_text
from journeymap.formats.tables import import_tables

ENV = {"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}

# keys out of the model's order, a comment above most of them
UNORDERED = """\
# yaml-language-server: $schema=journeymap.schema.json
stages:
  # the first stage
  - name: Discover   # on the name
    touchpoints:
      # the ad
      - name: Ad
        actual_emotion: Happy  # felt good

        # above channel, after a blank line
        channel: web
        id: ad
    # above the stage's id
    id: discover
# above title
title: Test  # on the title
id: test
# at the very end
"""

ORDERED = """\
# yaml-language-server: $schema=journeymap.schema.json
id: test
# above title
title: Test  # on the title
stages:
  # the first stage
  # above the stage's id
  - id: discover
    name: Discover   # on the name
    touchpoints:
      # the ad
      - id: ad
        name: Ad

        # above channel, after a blank line
        channel: web
        actual_emotion: Happy  # felt good
# at the very end
"""


# ---- fmt: comments, byte-order marks, line ends ----------------------------------------------


def test_fmt_moves_each_comment_with_the_key_below_it() -> None:
    assert format_text(UNORDERED) == ORDERED
    assert format_text(ORDERED) == ORDERED  # and stays


def test_a_comment_above_a_moved_key_of_a_nested_object_moves_with_it() -> None:
    text = """\
title: T
persona:
  name: Amber
  # why this segment
  segment: VIP
  # the goals, most important first
  goals:
    - buy
    # above the second goal
    - compare
  id: amber
stages:
  - id: s
    name: S
"""
    out = format_text(text)
    assert out.index("# why this segment\n  segment: VIP") < out.index("  goals:")
    assert "# the goals, most important first\n  goals:\n    - buy\n" in out
    assert "    # above the second goal\n    - compare\n" in out
    assert out.index("  id: amber") < out.index("  name: Amber")


@pytest.mark.parametrize(
    ("name", "bom", "codec", "newline"),
    [
        ("utf8-bom-crlf.yaml", codecs.BOM_UTF8, "utf-8", "\r\n"),
        ("utf8-crlf.yaml", b"", "utf-8", "\r\n"),
        ("utf16le.yaml", codecs.BOM_UTF16_LE, "utf-16-le", "\n"),
        ("utf16be-crlf.yaml", codecs.BOM_UTF16_BE, "utf-16-be", "\r\n"),
        ("utf8-bom.json", codecs.BOM_UTF8, "utf-8", "\r\n"),
    ],
)
def test_fmt_keeps_the_encoding_byte_order_mark_and_line_ends(
    tmp_path: Path, name: str, bom: bytes, codec: str, newline: str
) -> None:
    text = UNORDERED if name.endswith(".yaml") else '{"title": "T", "stages": [{"name": "S"}]}\n'
    path = tmp_path / name
    path.write_bytes(bom + text.replace("\n", newline).encode(codec))
    result = CliRunner().invoke(app, ["fmt", str(path)], env=ENV)
    assert result.exit_code == 0, result.output
    data = path.read_bytes()
    assert data.startswith(bom)
    written = data[len(bom) :].decode(codec)
    assert "\r\n" not in written.replace(newline, "") if newline == "\r\n" else "\r" not in written
    assert written.count(newline) == written.count("\n")
    if name.endswith(".yaml"):
        assert written.replace(newline, "\n") == ORDERED
    again = CliRunner().invoke(app, ["fmt", "--check", str(path)], env=ENV)
    assert again.exit_code == 0, again.output  # nothing left to do


def test_format_file_gives_the_bytes_before_and_after(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_bytes(codecs.BOM_UTF8 + ORDERED.replace("\n", "\r\n").encode())
    before, after = format_file(path)
    assert before == after == path.read_bytes()


# ---- UTF-16 maps -----------------------------------------------------------------------------


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_a_utf16_or_utf32_map_with_a_byte_order_mark_is_read(tmp_path: Path, codec: str) -> None:
    path = tmp_path / "m.yaml"
    bom = {"utf-16-be": codecs.BOM_UTF16_BE}.get(codec, b"")  # "utf-16" writes its own
    path.write_bytes(bom + ORDERED.encode(codec))
    m = jm.load(path)
    assert (m.name, m.stages[0].touchpoints[0].id) == ("Test", "ad")
    result = CliRunner().invoke(app, ["validate", str(path)], env=ENV)
    assert result.exit_code == 0, result.output


def test_utf16_without_a_byte_order_mark_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_bytes("title: T\n".encode("utf-16-le"))
    result = CliRunner().invoke(app, ["validate", str(path)], env=ENV)
    assert result.exit_code == 2
    assert result.output == (
        f"{path}: not UTF-8 text: it looks like UTF-16 without a byte-order mark "
        "(every other byte is 0); save it as UTF-8, or as UTF-16 or UTF-32 with a byte-order "
        "mark\n"
    )


def test_an_error_in_a_utf16_map_is_located_as_in_utf8(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_bytes("title: T\nstages:\n  - name: S\n    touchpoints: 3\n".encode("utf-16"))
    result = CliRunner().invoke(app, ["validate", str(path)], env=ENV)
    assert result.exit_code == 2
    assert f"{path}:4:18:" in result.output


# ---- raising the map limits ------------------------------------------------------------------


def _deep(levels: int) -> str:
    return "title: Deep\nstages:\n  - name: S\nnotes: " + "[" * levels + "]" * levels + "\n"


def test_the_map_limits_are_raised_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(_deep(120))
    refused = CliRunner().invoke(app, ["validate", str(path)], env=ENV)
    assert refused.exit_code == 2
    assert "nested too deeply: more than 100 levels" in refused.output
    raised = CliRunner().invoke(
        app, ["validate", str(path)], env={**ENV, "JOURNEYMAP_MAP_LIMITS": "depth=200"}
    )
    assert "nested too deeply" not in raised.output  # read; whatever it says of notes
    monkeypatch.setenv("JOURNEYMAP_MAP_LIMITS", "max_depth=200, bytes=2MiB")
    assert MapLimits.from_env() == MapLimits(max_depth=200, max_bytes=2 * 1024 * 1024)


def test_the_limits_can_be_lowered_and_a_given_limits_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(ORDERED)
    monkeypatch.setenv("JOURNEYMAP_MAP_LIMITS", "nodes=5")
    with pytest.raises(jm.MapFileError, match=r"too many nodes: more than 5 keys"):
        jm.load(path)
    assert jm.load(path, limits=MapLimits()).name == "Test"


@pytest.mark.parametrize(
    ("spec", "limits"),
    [
        ("", MapLimits()),
        ("bytes=8MiB, nodes=500k", MapLimits(max_bytes=8 * 1024**2, max_nodes=500_000)),
        ("max_alias_nodes=1_000_000 depth=150", MapLimits(max_alias_nodes=10**6, max_depth=150)),
        ("nodes=2M;bytes=64KiB", MapLimits(max_nodes=2 * 10**6, max_bytes=64 * 1024)),
    ],
)
def test_limits_are_read_from_key_number_pairs(spec: str, limits: MapLimits) -> None:
    assert parse_limits(spec) == limits


@pytest.mark.parametrize("spec", ["depth=lots", "size=5", "nodes=0", "nodes=5 parsecs", "nodes"])
def test_a_limit_that_cannot_be_read_is_a_usage_error(tmp_path: Path, spec: str) -> None:
    with pytest.raises(UsageError, match=r"JOURNEYMAP_MAP_LIMITS: "):
        parse_limits(spec)
    path = tmp_path / "m.yaml"
    path.write_text(ORDERED)
    result = CliRunner().invoke(
        app, ["validate", str(path)], env={**ENV, "JOURNEYMAP_MAP_LIMITS": spec}
    )
    assert result.exit_code == 2
    assert "error: JOURNEYMAP_MAP_LIMITS: " in result.output
    assert "Traceback" not in result.output


# ---- import: header names and merged cells ---------------------------------------------------


def test_an_import_table_whose_header_names_two_columns_alike_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("Stage,Touchpoint,Actual emotion,stage\nDiscover,Ad,Happy,Buy\n")
    with pytest.raises(TableImportError) as info:
        import_tables([path])
    assert str(info.value) == (
        f"{path}:1:4: the header names two columns alike, 'Stage' ({path}:1:1) and 'stage' "
        f"({path}:1:4); rename one (or delete the one not needed)"
    )


def test_an_import_sheet_with_a_repeated_header_is_refused_at_its_cell(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Journey"
    ws.append(["Stage", "Touchpoint", "Pain point", "Pain Point"])
    ws.append(["Buy", "Checkout", "slow", "confusing"])
    path = tmp_path / "t.xlsx"
    book.save(path)
    result = CliRunner().invoke(app, ["import", str(path), "-o", str(tmp_path / "m.yaml")], env=ENV)
    assert result.exit_code == 2
    assert f"{path}:Journey!D1: the header names two columns alike" in result.output
    assert not (tmp_path / "m.yaml").exists()


def test_merged_cells_of_an_import_sheet_are_filled_and_reported(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Journey"
    ws.append(["Stage", "Touchpoint", "Actual emotion"])
    ws.append(["Discover", "Ad", "Frustrated"])
    ws.append([None, "Search", None])
    ws.append(["Buy", "Checkout", "Happy"])
    ws.merge_cells("A2:A3")
    ws.merge_cells("C2:C3")  # one emotion for two touchpoints: it used to be blank
    path = tmp_path / "t.xlsx"
    book.save(path)
    result = import_tables([path])
    emotions = {
        tp.name: tp.actual_emotion.emotion if tp.actual_emotion else None
        for s in result.map.stages
        for tp in s.touchpoints
    }
    assert emotions == {"Ad": "Frustrated", "Search": "Frustrated", "Checkout": "Happy"}
    assert f"{path}:Journey: 2 merged ranges (A2:A3, C2:C3) read as if every cell held the " \
        "value of its top-left cell" in result.report  # fmt: skip


def test_an_import_sheet_merging_too_many_cells_is_refused(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["Stage", "Touchpoint"])
    ws.append(["Buy", "Checkout"])
    path = tmp_path / "t.xlsx"
    book.save(path)
    with zipfile.ZipFile(path) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    merge = b'<mergeCells count="1"><mergeCell ref="A3:XFD1048576"/></mergeCells>'
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b"</sheetData>", b"</sheetData>" + merge)
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    with pytest.raises(TableImportError, match=r"t\.xlsx:Sheet!A3: merged ranges cover more "
                       r"than 100,000 cells"):  # fmt: skip
        import_tables([path])
