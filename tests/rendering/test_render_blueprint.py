"""Service blueprint: back-stage touchpoints sit under the front-stage ones they support."""

from __future__ import annotations

import pytest

import journeymap as jm
from journeymap.rendering import layout
from journeymap.rendering.view import MapView

MAP = """\
title: Blueprint
stages:
  - id: buy
    name: Buy
    touchpoints:
      - {id: browse, name: Browse, channel: web}
      - {id: checkout, name: Checkout, channel: web}
      - {id: confirm, name: Confirmation email, channel: email}
      - {id: fraud, name: Fraud check, lane: backstage, supports: [confirm]}
      - {id: payments, name: Payment gateway, lane: support, supports: [checkout]}
"""


def _x_of(view: MapView, lane: str, tp_id: str) -> float:
    cards = [c for c in view.touchpoints if c.box.touchpoint_id == tp_id]
    assert len(cards) == 1, tp_id
    assert (cards[0].lane == "frontstage") == (lane == "frontstage")
    return cards[0].box.rect.x


def test_backstage_card_is_under_the_touchpoint_it_supports() -> None:
    view = layout(jm.loads(MAP))
    assert _x_of(view, "backstage", "fraud") == _x_of(view, "frontstage", "confirm")
    assert _x_of(view, "support", "payments") == _x_of(view, "frontstage", "checkout")
    assert _x_of(view, "frontstage", "browse") < _x_of(view, "frontstage", "checkout")


def test_supports_must_name_a_touchpoint() -> None:
    with pytest.raises(jm.MapFileError) as info:
        jm.loads(MAP.replace("supports: [confirm]", "supports: [confrim]"), file="m.yaml")
    p = info.value.problems[0]
    assert (p.line, p.message.split(";")[0]) == (9, "unknown touchpoint 'confrim'")
