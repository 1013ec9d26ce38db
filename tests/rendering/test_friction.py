"""Friction on the measured map and in the report: its own lane with a meter and words, never
an emotion; the friction chart and table beside what customers say; and on the demo, the two
injected problems stand out as friction and in what the survey says."""

from __future__ import annotations

import datetime as dt
from itertools import combinations
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

import journeymap as jm
from journeymap.model import JourneyMap
from journeymap.model.measurement import FrictionMeasure, Measurement
from journeymap.rendering import layout
from journeymap.rendering import measured as charts
from journeymap.rendering.friction import friction_line, friction_summary, friction_words
from journeymap.rendering.report import report_html
from journeymap.rendering.svgkit import SEVERITY_COLORS, THIN

NS = "{http://www.w3.org/2000/svg}"


def test_friction_in_words() -> None:
    wait = FrictionMeasure(measure="slow", value=527040.0, typical=90.0, z=3.4, customers=290,
                           n=290, level="high")  # fmt: skip
    assert friction_words(wait) == ("Wait 6.1 days", "typical 2 minutes")
    drop = FrictionMeasure(measure="drop-off", value=0.351, typical=0.069, z=2.8, customers=624,
                           n=1777, level="medium")  # fmt: skip
    assert friction_line(drop) == "Drop-off 35% (typical 7%, n=1,777)"


def test_the_friction_lane_is_under_the_curve_with_a_mark_per_touchpoint_with_behaviour(
    shop: JourneyMap, ms: Measurement
) -> None:
    assert layout(shop).lane("friction") is None  # a drawn map has no friction
    view = layout(shop, measurement=ms)
    keys = [lane.key for lane in view.lanes]
    assert keys.index("friction") == keys.index("emotion") + 1
    marks = {mk.touchpoint_id: mk for mk in view.frictions}
    # ads, cart and tracking have no behaviour here; fulfilment is back stage (no column)
    assert set(marks) == {"search", "product-page", "checkout", "delivery", "review-request",
                          "referral"}  # fmt: skip
    checkout = marks["checkout"]
    assert (checkout.level, checkout.flagged, checkout.ambiguous) == ("critical", True, False)
    assert [t.text for t in checkout.box.lines] == [
        "Drop-off 40%", "typical 12%", "Loops 30%", "typical 10%",
    ]  # fmt: skip
    assert checkout.meter is not None and checkout.box.rect.contains(checkout.meter)
    assert marks["search"].ambiguous and marks["search"].level == "medium"
    assert [t.text for t in marks["delivery"].box.lines] == ["Wait 6.1 days", "typical 2 minutes"]
    # typical and too-few-customers friction are a muted word, no card, no meter
    assert [t.text for t in marks["referral"].box.lines] == ["typical"]
    assert [t.text for t in marks["review-request"].box.lines] == ["few customers (n=12)"]
    assert marks["referral"].meter is None and not marks["review-request"].flagged
    # referral shows friction but no measured emotion: behaviour is never an emotion
    curve = view.emotion
    assert curve is not None
    assert "referral" not in {p.touchpoint_id for p in curve.actual}
    lane = view.lane("friction")
    assert lane is not None
    for mk in marks.values():
        assert lane.y <= mk.box.rect.y and mk.box.rect.bottom <= lane.bottom
        for t in mk.box.lines:
            assert mk.box.rect.contains(t.bounds, tolerance=1.0), t.text
    for a, b in combinations(view.frictions, 2):
        assert not a.box.rect.overlaps(b.box.rect)


def test_the_meter_says_the_level_in_bars_and_grey_when_ambiguous(
    shop: JourneyMap, ms: Measurement
) -> None:
    svg = charts.render_measured_svg(shop, ms)
    root = ET.fromstring(svg)
    fills = [r.get("fill") for r in root.iter(f"{NS}rect")]
    # checkout: 3 filled bars (critical); delivery: 2 (high); search: 1 grey, + the legend's
    # meters (2 high bars, 1 grey bar)
    assert fills.count(SEVERITY_COLORS["critical"]) >= 3 + 1  # bars and the card's accent
    assert fills.count(SEVERITY_COLORS["high"]) >= 2 + 2
    legend = ("Friction: medium, high, critical", "Loops or going back (ambiguous)")
    for text in ("Friction", "Drop-off 40%", "Wait 6.1 days", "Loops 43%", *legend):
        assert f">{text}</text>" in svg, text
    assert THIN in fills


def test_friction_data_ranks_clear_friction_before_ambiguous(
    shop: JourneyMap, ms: Measurement
) -> None:
    rows = charts.friction_data(shop, ms).to_pylist()
    assert [r["touchpoint"] for r in rows] == [
        "checkout",
        "delivery",
        "search",
        "product-page",
        "referral",
    ]  # fmt: skip  (review-request: too few customers to judge)
    checkout = rows[0]
    assert (checkout["level"], checkout["what"], checkout["flagged"]) == (
        "critical", "Drop-off 40%", 2,
    )  # fmt: skip
    assert (checkout["emotion"], checkout["level_felt"]) == (-1.6, "Frustrated")
    referral = next(r for r in rows if r["touchpoint"] == "referral")
    assert referral["emotion"] is None and referral["gap"] is None
    svg = charts.draw_friction(charts.friction_data(shop, ms))
    ET.fromstring(svg)
    for text in ("Drop-off 40%", "typical 12% \u00b7 n=450 \u00b7 critical \u00b7 +1 more",
                 "typical", "friction \u2192"):  # fmt: skip
        assert f">{text}</text>" in svg, text
    empty = Measurement(map_id="s", map_title="E", measured_at=dt.datetime(2026, 1, 1), method="-")
    assert "No touchpoint has enough customers" in charts.draw_friction(
        charts.friction_data(shop, empty)
    )


def test_the_report_shows_friction_beside_what_customers_say(
    shop: JourneyMap, ms: Measurement
) -> None:
    html = report_html(shop, ms)
    section = html[html.index('<section id="friction"') : html.index('<section id="pains"')]
    assert "Friction, and what customers say there" in section
    assert "Drop-off 40% (typical 12%, n=450)" in section
    assert "<b>Frustrated \u22121.6</b>" in section and "CSAT 52.0%" in section
    assert "Loops 43% (typical 10%, n=700): can be browsing" in section
    # the typical ones are in the chart, not in the table
    assert section.count("<tr>") == 1 + 3  # header, checkout, delivery, search
    assert friction_summary(ms.touchpoints[0]) == ""  # ads: no behaviour here


@pytest.mark.slow
def test_on_the_demo_the_injected_problems_stand_out_as_friction_and_in_the_survey(
    tmp_path: Path,
) -> None:
    """The demo's checkout that refuses cards and its late deliveries: the two touchpoints
    of clear friction ranked first, and the two lowest emotions customers report; no
    touchpoint without feedback has an emotion; no interval has zero width."""
    from journeymap.measuring.pipeline import measure
    from journeymap.measuring.sample import generate_sample

    files = generate_sample(tmp_path)
    m = jm.load(files.map)
    log = jm.read_events(str(files.events))
    try:
        result = measure(m, events=log, feedback=[jm.read_feedback(files.feedback)])
    finally:
        log.engine.close()
    injected = {f.touchpoint for f in files.frictions}
    assert injected == {"checkout", "delivery"}
    clear = [r for r in charts.friction_data(m, result).to_pylist()
             if r["level"] != "typical" and not r["ambiguous"]]  # fmt: skip
    assert {r["touchpoint"] for r in clear[:2]} == injected
    felt = sorted((t.emotion, t.touchpoint) for t in result.touchpoints if t.emotion is not None)
    assert {tp for _, tp in felt[:2]} == injected
    for t in result.touchpoints:
        if t.responses == 0:
            assert (t.emotion, t.level, t.gap, t.evidence) == (None, None, None, "none")
        if t.emotion is not None:
            assert t.emotion_low is not None and t.emotion_high is not None
            assert t.emotion_low < t.emotion_high
            assert all(s.split(" ")[0] in {"csat", "nps", "ces", "rating", "sentiment"}
                       for s in t.sources)  # fmt: skip
    # online ads: no survey asks about them, so no emotion, whatever their behaviour
    ads = next(t for t in result.touchpoints if t.touchpoint == "online-ads")
    assert ads.emotion is None and ads.friction_evidence == "measured"
    assert result.coverage == pytest.approx(
        sum(t.evidence == "measured" for t in result.touchpoints) / len(result.touchpoints)
    )
