"""Lanes: the map's own lanes (Regulation, Partner) drawn like the built-in ones and checked by
validate; ``--lanes`` choosing and ordering lanes; and the ``render`` options end to end."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from typer.testing import CliRunner

import journeymap as jm
from journeymap.cli import app
from journeymap.errors import MapFileError, UsageError
from journeymap.rendering import layout, to_svg
from journeymap.rendering.lanes import lane_order
from journeymap.rendering.raster import png_size

BANK = """
title: Open a current account
stages:
  - name: Apply
    touchpoints:
      - {name: Application form, channel: web, expected_emotion: 1, actual_emotion: -1}
      - {name: ID check, channel: app, expected_emotion: 0, actual_emotion: -2}
  - name: Onboard
    touchpoints:
      - {name: Welcome letter, channel: email, expected_emotion: 1, actual_emotion: 1}
pain_points:
  - {name: Selfie check fails, touchpoint: id-check, severity: high}
lanes:
  - name: Regulation
    description: What the law asks for
    items:
      - {text: KYC identity check (AML directive), touchpoint: id-check}
      - {text: Terms sent on a durable medium, stage: onboard, detail: Consumer credit rules}
  - id: partner
    name: Partner
    items:
      - {text: ID verification vendor, touchpoint: id-check, detail: 2-day SLA}
"""


def test_own_lanes_are_drawn_like_the_built_in_ones() -> None:
    m = jm.loads(BANK)
    view = layout(m)
    keys = [lane.key for lane in view.lanes]
    # after the opportunities (none here) and before the back stage
    assert keys == ["touchpoints", "emotion", "pains", "regulation", "partner"]
    regulation = view.lane("regulation")
    assert regulation is not None
    assert [t.text for t in regulation.title] == ["Regulation", "What the law asks for"]
    cards = [b for b in view.boxes if b.kind == "lane-item"]
    assert len(cards) == 3
    # a card on a touchpoint sits in its column, one on a stage spans the stage
    kyc = next(b for b in cards if b.touchpoint_id == "id-check" and b.item_id == "regulation")
    assert kyc.lines[0].text.startswith("KYC identity check")
    column = next(c for s in view.stages for c in s.subcolumns if c.touchpoint_id == "id-check")
    assert column.x <= kyc.rect.x and kyc.rect.right <= column.x + column.w
    terms = next(b for b in cards if b.stage_id == "onboard")
    onboard = next(s for s in view.stages if s.stage_id == "onboard")
    assert terms.rect.w > onboard.w - 20
    for card in cards:
        lane = view.lane(card.item_id or "")
        assert lane is not None and lane.y <= card.rect.y and card.rect.bottom <= lane.bottom
        for line in card.lines:
            assert card.rect.contains(line.bounds)
    svg = to_svg(m)
    for text in ("Regulation", "Partner", "2-day SLA", "What the law asks for"):
        assert f">{text}</text>" in svg


def test_lanes_are_chosen_and_ordered() -> None:
    m = jm.loads(BANK)
    view = layout(m, lanes=["Regulation", "emotion", "touchpoints"])
    assert [lane.key for lane in view.lanes] == ["regulation", "emotion", "touchpoints"]
    # lanes are stacked in that order, one under the other
    assert all(a.bottom == b.y for a, b in itertools.pairwise(view.lanes))
    assert not any(b.kind == "pain" for b in view.all_boxes())
    assert lane_order(m, ["pain-points", "partner"]) == ["pains", "partner"]
    with pytest.raises(UsageError, match="unknown lane 'legal'; expected one of: actions"):
        lane_order(m, ["legal"])
    with pytest.raises(UsageError, match="no lane chosen"):
        lane_order(m, [" ", ""])


def test_own_lanes_are_checked() -> None:
    bad = BANK.replace("touchpoint: id-check, detail: 2-day SLA", "touchpoint: id-chek")
    bad = bad.replace("id: partner", "id: kpis")
    with pytest.raises(MapFileError) as caught:
        jm.loads(bad, file="bank.yaml")
    text = str(caught.value)
    # each problem at its line and column, saying what was expected
    assert "bank.yaml:19:9: 'kpis' is the name of a built-in lane; expected another id" in text
    assert "bank.yaml:22:52: unknown touchpoint 'id-chek'; expected one of: " in text
    # a misspelt key of a lane's card names the keys it could have been
    with pytest.raises(MapFileError, match="did you mean 'text'"):
        jm.loads(BANK.replace("{text: ID verification vendor", "{txt: ID verification vendor"))


runner = CliRunner()


def test_render_options_end_to_end(tmp_path: Path) -> None:
    path = tmp_path / "bank.yaml"
    path.write_text(BANK, encoding="utf-8")
    out = tmp_path / "deck.png"
    result = runner.invoke(
        app,
        ["render", str(path), "-o", str(out), "--page", "16:9", "--lanes",
         "touchpoints,emotion,regulation", "--theme", "colour-blind"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    pages = sorted(tmp_path.glob("deck-*.png"))
    assert len(pages) >= 2 and not out.exists()
    assert png_size(pages[1].read_bytes()) == (1920, 1080)
    assert "pages" in result.stderr
    pdf = tmp_path / "map.pdf"
    svg = tmp_path / "map.svg"
    result = runner.invoke(
        app, ["render", str(path), "-o", str(pdf), "-o", str(svg), "--size", "A4",
              "--orientation", "portrait", "--theme", "print"],
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert len(list(tmp_path.glob("map-*.svg"))) >= 2
    for bad, words in (
        (["--page", "A5"], "unknown page size 'A5'"),
        (["--lanes", "legal"], "unknown lane 'legal'"),
        (["--theme", "neon"], "unknown theme 'neon'"),
    ):
        result = runner.invoke(app, ["render", str(path), "-o", str(tmp_path / "x.pdf"), *bad])
        assert result.exit_code == 2
        assert words in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x.pdf").exists()
