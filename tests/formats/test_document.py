"""Map files: round-trip with comments kept, JSON equivalence, located errors."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import journeymap as jm
from journeymap.formats.document import format_text, locate
from journeymap.formats.schema import json_schema

SAMPLE = """\
# Amber's first purchase: kept in git, reviewed quarterly
title: Amber, first purchase   # shown on the map
objective: Find out why first orders fail
persona:
  name: Amber
  age: 32
  quote: "I want something healthy that still tastes good."
review:
  due: 2025-01-15
  triggers: [checkout release]
stages:
  - id: awareness
    name: Awareness
    customer_goal: Find a healthier morning drink
    touchpoints:
      - id: podcast
        name: Podcast ad
        channel: podcast
        expected_emotion: Interested   # the hope
        actual_emotion:
          emotion: Curious but hesitant
          source: User interviews
  - id: purchase
    name: Purchase
    touchpoints:
      - id: checkout
        name: 'Checkout process'
        channel: web
        moment_of_truth: true
        expected_emotion: Accomplished
        actual_emotion: Confused
        gap_note: Complex procedures

# what hurts
pain_points:
  - id: long-checkout
    name: Long checkout
    touchpoint: checkout
    severity: high
    source: Survey Feedback
opportunities:
  - id: one-page-checkout
    name: One-page checkout
    touchpoint: checkout
    expected_outcome: Increased conversion rates.
    addresses: [long-checkout]
    kpi: conversion
    kpi_target: 3.5
kpis:
  - id: conversion
    name: Conversion rate
    kind: conversion
    value: 2.1
    target: 3.5
    unit: "%"
"""


def test_unchanged_map_saves_byte_identical(tmp_path: Path) -> None:
    path = tmp_path / "map.yaml"
    path.write_text(SAMPLE)
    m = jm.load(path)
    jm.save(m, path)
    assert path.read_text() == SAMPLE


def test_edit_keeps_comments_and_untouched_lines() -> None:
    m = jm.loads(SAMPLE)
    tp = m.touchpoint("checkout")
    tp.actual_emotion = jm.ActualEmotion(emotion="Frustrated", source="Usability test")
    m.pain_points.append(jm.PainPoint(id="slow-delivery", name="Slow delivery", stage="purchase"))
    out = jm.dumps(m)
    assert "# Amber's first purchase: kept in git, reviewed quarterly" in out
    assert "expected_emotion: Interested   # the hope" in out
    assert "# what hurts" in out
    assert "name: 'Checkout process'" in out  # quoting of untouched values kept
    assert "emotion: Frustrated" in out and "source: Usability test" in out
    assert "actual_emotion: Confused" not in out
    again = jm.loads(out)
    assert again.touchpoint("checkout").actual_emotion is not None
    assert again.actual_value(again.touchpoint("checkout")) == -2
    assert [p.id for p in again.pain_points] == ["long-checkout", "slow-delivery"]


def test_removing_and_reordering_items_keeps_item_comments() -> None:
    m = jm.loads(SAMPLE)
    m.stages.reverse()
    out = jm.dumps(m)
    assert out.index("id: purchase") < out.index("id: awareness")
    assert "expected_emotion: Interested   # the hope" in out
    m.stages.pop()  # drop awareness
    out = jm.dumps(m)
    assert "awareness" not in out
    assert jm.loads(out).stages[0].id == "purchase"


def test_json_is_equivalent(tmp_path: Path) -> None:
    m = jm.loads(SAMPLE)
    jpath = tmp_path / "map.json"
    jm.save(m, jpath)
    data = json.loads(jpath.read_text())
    assert data["title"] == "Amber, first purchase"
    assert data["review"]["due"] == "2025-01-15"
    back = jm.load(jpath)
    assert back.model_dump() == m.model_dump()


def test_save_is_atomic_and_leaves_no_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "map.yaml"
    jm.save(jm.loads(SAMPLE), path)
    assert [p.name for p in path.parent.iterdir()] == ["map.yaml"]


def test_derived_ids_are_not_written_until_fmt() -> None:
    text = "title: T\nstages:\n  - name: Awareness\n    touchpoints:\n      - name: Web Site\n"
    m = jm.loads(text)
    assert m.stages[0].touchpoints[0].id == "web-site"
    assert jm.dumps(m) == text
    formatted = format_text(text)
    assert "id: web-site" in formatted and "id: awareness" in formatted and "id: t\n" in formatted
    assert format_text(formatted) == formatted


def test_fmt_orders_keys_and_keeps_comments() -> None:
    text = (
        "# head\nstages:  # the stages\n  - name: A  # first\n    touchpoints:\n"
        "      - expected_emotion: 1\n        name: Ad   # an ad\ntitle: T\n"
    )
    out = format_text(text)
    lines = out.splitlines()
    assert lines[0] == "# head"
    assert lines[1:3] == ["id: t", "title: T"]
    assert "    name: A  # first" in out
    assert out.index("name: Ad   # an ad") < out.index("expected_emotion: 1")


def test_locate_points_at_the_object() -> None:
    m = jm.loads(SAMPLE)
    assert locate(m, ("stages", 1, "touchpoints", 0)) == (26, 9)
    assert locate(m, ("pain_points", 0, "owner")) == (36, 5)  # nearest existing: the item


BROKEN = {
    "bad-yaml": ("title: x\nstages: [\n", 2, "this list opened with '[' is never closed"),
    "unknown-emotion": (
        SAMPLE.replace("actual_emotion: Confused", "actual_emotion: Grumpy"),
        31,
        "unknown emotion 'Grumpy'",
    ),
    "dangling-reference": (
        SAMPLE.replace(
            "    touchpoint: checkout\n    severity", "    touchpoint: chekout\n    severity"
        ),
        38,
        "unknown touchpoint 'chekout'; expected one of: checkout, podcast",
    ),
    "duplicate-id": (
        SAMPLE.replace("  - id: purchase", "  - id: awareness"),
        23,
        "duplicate stage id 'awareness'",
    ),
    "unknown-key": (
        SAMPLE.replace("channel: podcast", "chanel: podcast"),
        18,
        "unknown key 'chanel' (did you mean 'channel'?)",
    ),
    "bad-channel": (
        SAMPLE.replace("channel: podcast", "channel: ' '"),
        18,
        "'channel': a channel cannot be empty",
    ),
    "bad-date": (SAMPLE.replace("due: 2025-01-15", "due: next week"), 9, "'due'"),
    "bad-id": (SAMPLE.replace("id: podcast", "id: Podcast Ad"), 16, "invalid id 'Podcast Ad'"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_file_gives_one_located_error(case: str, tmp_path: Path) -> None:
    text, line, message = BROKEN[case]
    path = tmp_path / f"{case}.yaml"
    path.write_text(text)
    with pytest.raises(jm.MapFileError) as info:
        jm.load(path)
    problems = info.value.problems
    assert len(problems) == 1, problems
    p = problems[0]
    assert p.file == str(path)
    assert p.line == line
    assert p.column is not None
    assert message in p.message
    assert str(p).startswith(f"{path}:{line}:{p.column}: ")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("- a\n- b\n", "expected a mapping"),
        ("stages: []\n", "missing required key 'title'"),
        ("title: T\nstages: 3\n", "'stages'"),
    ],
)
def test_structural_errors(text: str, message: str) -> None:
    with pytest.raises(jm.MapFileError, match=message):
        jm.loads(text, file="m.yaml")


def test_missing_file_and_json_syntax_error(tmp_path: Path) -> None:
    with pytest.raises(jm.MapFileError, match="no such file"):
        jm.load(tmp_path / "nope.yaml")
    bad = tmp_path / "m.json"
    bad.write_text('{\n  "title": "x",\n  "stages": [\n}\n')
    with pytest.raises(jm.MapFileError) as info:
        jm.load(bad)
    assert info.value.problems[0].line == 4


def test_any_channel_is_accepted_and_normalised(tmp_path: Path) -> None:
    written = ["post", "Letter", "branch", "WhatsApp", "IVR", "video", " Review  Site", "kiosk"]
    lines = ["title: Bank", "stages:", "  - name: Open", "    touchpoints:"]
    lines += [f"      - {{name: T{i}, channel: '{c}'}}" for i, c in enumerate(written)]
    path = tmp_path / "bank.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    m = jm.load(path)
    assert [tp.channel for _, tp in m.iter_touchpoints()] == [
        "post", "letter", "branch", "whatsapp", "ivr", "video", "review-site", "kiosk",
    ]  # fmt: skip
    # the JSON schema takes any name and offers the known ones
    schema = json_schema()
    text = json.dumps(schema)
    for known in ("whatsapp", "ivr", "branch"):
        assert f'"{known}"' in text
    jsonschema.validate(jm.load(path).model_dump(mode="json", by_alias=True), schema)
