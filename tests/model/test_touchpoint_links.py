"""Touchpoints say which events and which feedback rows belong to them (``events:``,
``feedback:``): short and long forms, pattern kinds, round trip, located errors."""

from __future__ import annotations

from pathlib import Path

import pytest

import journeymap as jm
from journeymap.errors import MapFileError
from journeymap.model import EventMatch, FeedbackMatch

MAP = """\
title: Links
stages:
  - name: Buy
    touchpoints:
      - name: Checkout
        events: [checkout, "payment_*", "/^pay(ment)?_retry$/"]
        feedback: [Checkout]
      - name: Help
        events:
          names: [chat_*]
          channel: [app]
          where: {plan: [pro, team]}
        feedback:
          keywords: [support, "customer service"]
          ratings: [help_rating]
          survey: csat
"""


def test_short_and_long_forms_load() -> None:
    m = jm.loads(MAP, file="links.yaml")
    checkout, help_ = (tp for _, tp in m.iter_touchpoints())
    assert checkout.events == EventMatch(names=["checkout", "payment_*", "/^pay(ment)?_retry$/"])
    assert checkout.feedback == FeedbackMatch(values=["Checkout"])
    assert help_.events is not None
    assert help_.events.channel == ["app"]
    assert help_.events.where == {"plan": ["pro", "team"]}
    assert help_.feedback is not None
    assert help_.feedback.survey == "csat"
    assert help_.feedback.keywords == ["support", "customer service"]


@pytest.mark.parametrize(
    ("event", "matches"),
    [
        ("checkout", True),
        ("checkout_started", False),  # exact names are exact
        ("payment_card", True),  # glob
        ("payment", False),
        ("pay_retry", True),  # regex
        ("payment_retry", True),
        ("xpay_retry", False),
    ],
)
def test_name_patterns(event: str, matches: bool) -> None:
    rule = EventMatch(names=["checkout", "payment_*", "/^pay(ment)?_retry$/"])
    assert rule.matches_name(event) is matches


@pytest.mark.parametrize("name", ["page[1]", "what?", "/odd/", "a*b"])
def test_exactly_matches_only_that_name(name: str) -> None:
    rule = EventMatch.exactly(name)
    assert rule.matches_name(name)
    assert not rule.matches_name(name + "x")
    assert not rule.matches_name("x" + name)


def test_round_trip_keeps_the_short_forms(tmp_path: Path) -> None:
    path = tmp_path / "links.yaml"
    path.write_text(MAP, encoding="utf-8")
    m = jm.load(path)
    jm.save(m, path)
    assert path.read_text(encoding="utf-8") == MAP  # unchanged map: byte-identical
    # written from the model (no source file to merge into): the short forms stay short
    text = jm.dumps(jm.loads(MAP))
    again = jm.loads(text)
    assert again.model_dump() == m.model_dump()
    assert "values:" not in text
    assert "names:" not in text.split("name: Help")[0]


def test_a_broken_regex_is_a_located_error() -> None:
    bad = MAP.replace('"/^pay(ment)?_retry$/"', '"/([/"')
    with pytest.raises(MapFileError) as e:
        jm.loads(bad, file="links.yaml")
    text = str(e.value)
    assert text.startswith("links.yaml:6:")
    assert "is not a regular expression" in text


def test_unknown_key_in_a_rule_is_an_error() -> None:
    bad = MAP.replace("channel: [app]", "chanel: [app]")
    with pytest.raises(MapFileError) as e:
        jm.loads(bad, file="links.yaml")
    assert "chanel" in str(e.value)


@pytest.mark.parametrize(
    ("rule", "field", "other"),
    [(EventMatch, "names", "channel"), (FeedbackMatch, "values", "keywords")],
)
def test_a_rule_is_written_as_a_list_while_its_list_is_all_it_says(
    rule: type[EventMatch] | type[FeedbackMatch], field: str, other: str
) -> None:
    assert getattr(rule.model_validate("checkout"), field) == ["checkout"]
    short = rule.model_validate(["checkout", "pay"])
    assert short.model_dump(exclude_defaults=True) == ["checkout", "pay"]
    long = rule.model_validate({field: ["checkout"], other: ["x"]})
    assert long.model_dump(exclude_defaults=True) == {field: ["checkout"], other: ["x"]}
