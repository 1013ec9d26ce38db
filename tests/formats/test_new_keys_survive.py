"""The keys maps gained this release (lanes of the map's own and their cards, the measurement's
currency, open channels, stage emotions) survive every path a map takes: `journeymap fmt`,
the JSON export and import, `journeymap diff` and the three-way merge of the team app."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from journeymap.cli import app
from journeymap.formats import dumps, loads, pin_ids
from journeymap.formats.merge import merge
from journeymap.model import JourneyMap, LaneItem
from journeymap.model.diff import diff

MAP = """\
# Loan application, as the credit team keeps it
title: Loan application
measurement:
  value_per_conversion: 120
  currency: EUR   # the bank's own money
stages:
  - name: Apply
    expected_emotion: Hopeful
    emotion: Confused   # from the interviews
    touchpoints:
      - name: ID check
        channel: Post Office   # not a channel journeymap knows
      - name: Kiosk form
        channel: kiosk
  - name: Onboard
    touchpoints:
      - name: Welcome letter
        channel: letter
lanes:
  # what the law asks for, card by card
  - name: Regulation
    description: What the law asks for
    items:
      - text: KYC identity check   # AML directive
        touchpoint: id-check
      - text: Terms sent
        detail: Consumer credit rules
        stage: onboard
  - name: Partner
    items:
      - {text: ID verification vendor, touchpoint: id-check, detail: 2-day SLA}
"""

BASE = dumps(pin_ids(loads(MAP)))


def _plain(m: JourneyMap) -> dict[str, object]:
    data = m.model_dump(mode="json")
    assert isinstance(data, dict)
    return data


def test_fmt_keeps_the_new_keys_and_their_comments(tmp_path: Path) -> None:
    path = tmp_path / "loan.yaml"
    path.write_text(MAP, encoding="utf-8")
    result = CliRunner().invoke(app, ["fmt", str(path)])
    assert result.exit_code == 0, result.output
    text = path.read_text(encoding="utf-8")
    for comment in (
        "# the bank's own money",
        "# from the interviews",
        "# not a channel journeymap knows",
        "# what the law asks for, card by card",
        "# AML directive",
    ):
        assert comment in text
    assert _plain(loads(text)) == _plain(loads(MAP))
    m = loads(text)
    assert m.measurement is not None and m.measurement.currency == "EUR"
    assert m.touchpoint("id-check").channel == "post-office"
    assert (m.stage("apply").expected_emotion, m.stage("apply").emotion) == ("Hopeful", "Confused")
    assert [(lane.id, len(lane.items)) for lane in m.lanes] == [("regulation", 2), ("partner", 1)]
    # a second run changes nothing
    again = CliRunner().invoke(app, ["fmt", "--check", str(path)])
    assert again.exit_code == 0, again.output


def test_json_export_and_import_keep_the_new_keys() -> None:
    m = loads(MAP)
    back = loads(dumps(m, fmt="json"), file="loan.json")
    assert _plain(back) == _plain(m)
    assert back.lanes[1].items[0].detail == "2-day SLA"
    assert back.measurement is not None and back.measurement.currency == "EUR"


def test_diff_reports_every_new_key() -> None:
    new = loads(BASE)
    assert new.measurement is not None
    new.measurement.currency = "GBP"
    new.touchpoint("kiosk-form").channel = "video-call"
    new.stage("apply").emotion = "Frustrated"
    new.lanes[0].items[1].detail = "Consumer Credit Directive"
    d = diff(loads(BASE), new)
    assert [c.path for c in d.changes] == [
        "measurement.currency",
        "stages.apply.emotion",
        "touchpoints.kiosk-form.channel",
        "lanes.regulation.items.terms-sent.detail",
    ]
    assert d.changes[0].message == "Map: measurement.currency 'EUR' -> 'GBP'"
    assert d.changes[3].message == (
        "Regulation card 'Terms sent': detail 'Consumer credit rules' -> "
        "'Consumer Credit Directive'"
    )


def test_merge_keeps_each_sides_edit_of_every_new_key() -> None:
    ours = loads(BASE)
    assert ours.measurement is not None
    ours.measurement.currency = "GBP"
    ours.lanes[0].items.append(LaneItem(text="Cooling-off period", stage="onboard"))
    theirs = loads(BASE)
    theirs.touchpoint("kiosk-form").channel = "branch"
    theirs.stage("onboard").expected_emotion = "Relieved"
    theirs.lanes[0].items[0].detail = "Anti-money-laundering rules"
    theirs.lanes[1].name = "Partners"
    result = merge(BASE, dumps(ours), dumps(theirs))
    assert result.clean, result.conflicts
    assert result.text is not None
    m = loads(result.text)
    assert m.measurement is not None and m.measurement.currency == "GBP"
    assert m.touchpoint("kiosk-form").channel == "branch"
    assert m.stage("onboard").expected_emotion == "Relieved"
    regulation, partner = m.lanes
    assert [(c.text, c.detail) for c in regulation.items] == [
        ("KYC identity check", "Anti-money-laundering rules"),
        ("Terms sent", "Consumer credit rules"),
        ("Cooling-off period", None),
    ]
    assert partner.name == "Partners"
    # the comments of the stored version are kept
    assert "# what the law asks for, card by card" in result.text
    assert "# AML directive" in result.text
