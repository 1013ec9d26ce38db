"""The measured view and the report: the map with measured emotions, each chart's data and
drawing, and the report as HTML, Markdown, JSON, PNG and PDF.

Everything is checked against one measurement written by hand below, so every expected number
can be worked out on paper from it.
"""

from __future__ import annotations

import datetime as dt
import json
from html.parser import HTMLParser
from itertools import combinations, pairwise
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

import journeymap as jm
from journeymap.errors import UsageError
from journeymap.model import JourneyMap
from journeymap.model.journey import MeasurementSettings
from journeymap.model.measurement import (
    Measurement,
    TouchpointMeasure,
)
from journeymap.rendering import layout
from journeymap.rendering import measured as charts
from journeymap.rendering.measured.flows import DEVIATION, FLOW
from journeymap.rendering.raster import pdf_page_size, png_size
from journeymap.rendering.report import (
    key_numbers,
    report_bytes,
    report_html,
    report_json,
    report_markdown,
    report_pdf,
    report_png,
    write_report,
)
from journeymap.rendering.svg import to_svg
from journeymap.rendering.svgkit import BAND_FILL, NEGATIVE, POSITIVE, THIN
from journeymap.rendering.view import Rect


def _svg_root(svg: str) -> ET.Element:
    return ET.fromstring(svg)


NS = {"svg": "http://www.w3.org/2000/svg"}


# ---- the map with measured emotions ------------------------------------------------------------


def test_measured_curve_replaces_the_written_actuals(shop: JourneyMap, ms: Measurement) -> None:
    plain = layout(shop).emotion
    assert plain is not None
    # without a measurement only the one written actual emotion is drawn
    assert [p.touchpoint_id for p in plain.actual] == ["ads"]
    curve = layout(shop, measurement=ms).emotion
    assert curve is not None and curve.measured
    front = ["ads", "search", "product-page", "reviews", "cart", "checkout", "tracking",
             "delivery", "review-request"]  # fmt: skip
    assert [p.touchpoint_id for p in curve.actual] == front  # referral: no feedback, no point
    values = {p.touchpoint_id: p.value for p in curve.actual}
    assert values["ads"] == pytest.approx(0.9)  # the measured value, not "Delighted" (+3)
    assert values["checkout"] == pytest.approx(-1.6)
    assert [p.touchpoint_id for p in curve.expected][-1] == "referral"


def test_measured_points_sit_at_their_value_and_the_band_at_their_interval(
    shop: JourneyMap, ms: Measurement
) -> None:
    curve = layout(shop, measurement=ms).emotion
    assert curve is not None
    ticks = {t.value: t.y for t in curve.ticks}
    step = ticks[0] - ticks[1]

    def y_of(v: float) -> float:
        return ticks[0] - v * step

    for p in curve.actual:
        tm = next(t for t in ms.touchpoints if t.touchpoint == p.touchpoint_id)
        low, high = tm.emotion_low, tm.emotion_high
        assert low is not None and high is not None
        assert p.y == pytest.approx(y_of(p.value))
        assert p.interval == pytest.approx((y_of(high), y_of(low)))
    # one band over the run of neighbouring measured points (no hole in this map)
    (band,) = curve.bands
    assert band.touchpoint_ids == tuple(p.touchpoint_id for p in curve.actual)
    xs = [p.x for p in curve.actual]
    intervals = [p.interval for p in curve.actual if p.interval is not None]
    assert len(intervals) == len(xs)
    upper = band.outline[1 : len(xs) + 1]
    assert [x for x, _ in upper] == pytest.approx(xs)
    assert [y for _, y in upper] == pytest.approx([hi for hi, _ in intervals])
    lower = band.outline[len(xs) + 3 : -1]
    assert [y for _, y in lower] == pytest.approx([lo for _, lo in reversed(intervals)])
    assert band.outline[0][0] < xs[0] and band.outline[len(xs) + 1][0] > xs[-1]


def test_thin_evidence_is_hollow_and_noted_none_has_no_point(
    shop: JourneyMap, ms: Measurement
) -> None:
    curve = layout(shop, measurement=ms).emotion
    assert curve is not None
    evidence = {p.touchpoint_id: p.evidence for p in curve.actual}
    assert evidence["review-request"] == "thin"
    assert {e for k, e in evidence.items() if k != "review-request"} == {"measured"}
    thin = next(p for p in curve.actual if p.touchpoint_id == "review-request")
    texts = [t.text for t in thin.label]
    assert texts == ["Interested +0.8", "few answers, n=12"]
    assert all(t.tone == "muted" for t in thin.label)
    referral = next(p for p in curve.expected if p.touchpoint_id == "referral")
    assert [t.text for t in referral.label] == ["Delighted +3", "no feedback"]
    assert "referral" not in {g.touchpoint_id for g in curve.gaps}


def test_gaps_are_written_with_one_decimal(shop: JourneyMap, ms: Measurement) -> None:
    curve = layout(shop, measurement=ms).emotion
    assert curve is not None
    gaps = {g.touchpoint_id: g for g in curve.gaps}
    assert gaps["checkout"].gap == pytest.approx(-3.6)
    assert gaps["checkout"].label.text == "\u22123.6"
    assert gaps["reviews"].label.text == "+0.2"
    assert gaps["checkout"].y_actual > gaps["checkout"].y_expected


def test_measured_map_stays_readable(shop: JourneyMap, ms: Measurement) -> None:
    view = layout(shop, measurement=ms)
    curve = view.emotion
    assert curve is not None
    marks: list[Rect] = [g.pill for g in curve.gaps]
    marks += [t.bounds for p in (*curve.expected, *curve.actual) for t in p.label]
    for a, b in combinations(marks, 2):
        assert not a.overlaps(b), f"emotion labels collide: {a} {b}"
    for r in marks:
        assert curve.area.contains(r)
    header = " ".join(t.text for t in view.header.subtitle)
    assert "Actual emotions measured 2026-04-02 from 640 feedback rows" in header
    assert "73% of touchpoints with a measured emotion" in header
    assert "friction from 12,000 events" in header
    kinds = [item.kind for item in view.legend]
    assert kinds[:7] == ["expected", "actual", "band", "thin", "gap", "friction", "ambiguous"]


def test_map_without_measurement_is_unchanged(shop: JourneyMap) -> None:
    assert layout(shop, measurement=None) == layout(shop)
    assert to_svg(shop, measurement=None) == to_svg(shop)


def test_measured_svg_draws_band_hollow_point_and_legend(shop: JourneyMap, ms: Measurement) -> None:
    svg = charts.render_measured_svg(shop, ms)
    root = _svg_root(svg)
    bands = [p for p in root.iter(f"{{{NS['svg']}}}polygon") if p.get("fill") == BAND_FILL]
    assert len(bands) == 1
    hollow = [
        c
        for c in root.iter(f"{{{NS['svg']}}}circle")
        if c.get("fill") == "#ffffff" and c.get("stroke") == THIN
    ]
    assert len(hollow) == 2  # the thin point and its legend symbol
    for text in ("Measured emotion (from feedback)", "95% interval", "Few answers", "\u22123.6",
                 "few answers, n=12", "no feedback"):  # fmt: skip
        assert f">{text}</text>" in svg, text
    # the stretch of line into the thin point is grey: one run of pieces (cut where it
    # crosses a level), from the point before to the hollow point
    grey = [ln for ln in root.iter(f"{{{NS['svg']}}}line") if ln.get("stroke") == THIN]
    ends = [((ln.get("x1"), ln.get("y1")), (ln.get("x2"), ln.get("y2"))) for ln in grey]
    assert ends and all(a[1] == b[0] for a, b in pairwise(ends))
    assert ends[-1][1] in {(c.get("cx"), c.get("cy")) for c in hollow}


# ---- charts: data ------------------------------------------------------------------------------


def test_funnel_data(shop: JourneyMap, ms: Measurement) -> None:
    rows = charts.funnel_data(shop, ms).to_pylist()
    assert [r["stage"] for r in rows] == ["discover", "consider", "purchase", "delivery", "loyalty"]
    assert [r["customers"] for r in rows] == [1000, 800, 500, 300, 150]
    assert [r["reach"] for r in rows] == pytest.approx([1.0, 0.8, 0.5, 0.3, 0.15])
    assert [r["conversion_to_next"] for r in rows] == [0.8, 0.625, 0.6, 0.4, None]
    assert [r["dropoff_customers"] for r in rows] == [200, 300, 200, 150, 150]
    assert [r["went_back"] for r in rows] == [0, 0, 0, 30, 0]
    assert [r["abandoned"] for r in rows] == [170, 280, 140, 0, 0]
    for r in rows:  # the split adds up to the stage's customers
        assert r["customers"] == r["converted"] + r["went_back"] + r["dropoff_customers"]
        ends = r["ended_goal"] + r["ended_other"] + r["abandoned"] + r["in_progress"]
        assert ends == r["dropoff_customers"]
    # a measurement without outcomes (saved before they were measured): the split is unknown
    ms.outcomes = []
    rows = charts.funnel_data(shop, ms).to_pylist()
    assert {r["abandoned"] for r in rows} == {None} and {r["went_back"] for r in rows} == {None}


def test_outcome_data(shop: JourneyMap, ms: Measurement) -> None:
    ms.outcomes.reverse()  # listed goal, other ends, abandoned, in progress, whatever the order
    rows = charts.outcome_data(shop, ms).to_pylist()
    assert [(r["key"], r["kind"], r["customers"]) for r in rows] == [
        ("goal", "goal", 320), ("cancelled", "end", 30), ("abandoned", "abandoned", 590),
        ("in-progress", "in-progress", 60),
    ]  # fmt: skip
    assert sum(r["customers"] for r in rows) == 1000  # every journey ends one way
    assert sum(r["share"] for r in rows) == pytest.approx(1.0)
    ms.outcomes = []
    assert charts.outcome_data(shop, ms).num_rows == 0


def test_flow_nodes_and_links(shop: JourneyMap, ms: Measurement) -> None:
    nodes = charts.flow_nodes(shop, ms).to_pylist()
    # the back-stage touchpoint and the referral have neither customers nor flows
    assert [n["touchpoint"] for n in nodes] == [
        "ads", "search", "product-page", "reviews", "cart", "checkout", "tracking", "delivery",
        "review-request",
    ]  # fmt: skip
    assert [n["index"] for n in nodes] == list(range(9))
    page = next(n for n in nodes if n["touchpoint"] == "product-page")
    assert (page["inflow"], page["outflow"]) == (650 + 250 + 120, 380 + 280)
    links = charts.flow_links(shop, ms).to_pylist()
    assert [lk["customers"] for lk in links] == sorted(
        (f.customers for f in ms.flows), reverse=True
    )
    by = {(lk["source"], lk["target"]): lk for lk in links}
    assert by[("cart", "product-page")]["direction"] == "back"
    assert by[("ads", "product-page")]["direction"] == "forward"
    assert not by[("ads", "product-page")]["designed"]
    assert by[("search", "product-page")]["share"] == pytest.approx(0.65)
    assert by[("checkout", "tracking")]["source_order"] == 6
    assert by[("checkout", "tracking")]["target_order"] == 8  # fulfilment sits between them


def test_gap_data_sorted_by_gap(shop: JourneyMap, ms: Measurement) -> None:
    rows = charts.gap_data(shop, ms).to_pylist()
    assert [r["touchpoint"] for r in rows] == [
        "checkout", "delivery", "search", "cart", "tracking", "product-page", "review-request",
        "ads", "reviews",
    ]  # fmt: skip
    assert [r["gap"] for r in rows] == pytest.approx([-3.6, -3.1, -1.8, -1.2, -0.9, -0.5, -0.2,
                                                      -0.1, 0.2])  # fmt: skip
    assert rows[0]["name"] == "Checkout" and rows[0]["stage_name"] == "Purchase"
    assert rows[6]["evidence"] == "thin"


def test_coverage_data(shop: JourneyMap, ms: Measurement) -> None:
    rows = {r["evidence"]: r for r in charts.coverage_data(shop, ms).to_pylist()}
    assert [rows[k]["touchpoints"] for k in ("measured", "thin", "none")] == [8, 1, 2]
    assert rows["measured"]["share"] == pytest.approx(ms.coverage)
    assert rows["none"]["names"] == ["Fulfilment", "Referral"]
    assert rows["thin"]["names"] == ["Review request"]


def test_kpi_data_trends_and_targets(shop: JourneyMap, ms: Measurement) -> None:
    rows = {r["key"]: r for r in charts.kpi_data(shop, ms).to_pylist()}
    conv, nps, churn, csat = (rows[k] for k in ("conversion:journey", "nps", "churn", "csat"))
    assert (conv["trend"], conv["improved"], conv["on_target"]) == ("down", False, False)
    assert (nps["trend"], nps["improved"], nps["on_target"]) == ("up", True, False)
    # churn: lower is better, but its month is partial: it is held neither against the target
    # (12% against 10% would be off target) nor against last time (down would be better)
    assert churn["higher_is_better"] is False
    assert (churn["trend"], churn["improved"], churn["on_target"]) == ("down", None, None)
    assert (churn["partial"], churn["period"]) == (True, "2026-03")
    assert conv["definition"] == "orders \u00f7 visitors \u00d7 100: 150 of 1,000"
    assert (conv["partial"], conv["note"]) == (False, None)
    assert (csat["trend"], csat["improved"], csat["on_target"]) == ("flat", None, True)
    ms.kpis[2].partial = False  # a whole month: judged both ways
    churn = next(r for r in charts.kpi_data(shop, ms).to_pylist() if r["key"] == "churn")
    assert (churn["trend"], churn["improved"], churn["on_target"]) == ("down", True, False)


def test_pain_and_action_data(shop: JourneyMap, ms: Measurement) -> None:
    pains = charts.pain_data(shop, ms).to_pylist()
    assert [p["rank"] for p in pains] == [1, 2, 3]
    assert pains[0]["team"] == "Long checkout"
    assert pains[0]["touchpoint_name"] == "Checkout" and pains[0]["stage_name"] == "Purchase"
    actions = charts.action_data(shop, ms).to_pylist()
    # worth most first; the one without an estimate last
    assert [a["opportunity"] for a in actions] == [
        "guest-checkout", "delivery-updates", "faq-rewrite",
    ]  # fmt: skip
    assert actions[0]["where"] == "Checkout" and actions[0]["kpi"] == "Visitor conversion"
    assert actions[0]["kpi_target"] == 20.0
    assert actions[2]["where"] == "Consider"


# ---- charts: drawings --------------------------------------------------------------------------


def test_funnel_drawing(shop: JourneyMap, ms: Measurement) -> None:
    ms.outcomes = []  # how the journeys end is unknown: the end of each bar is red
    svg = charts.draw_funnel(charts.funnel_data(shop, ms))
    _svg_root(svg)
    for text in ("1,000 customers", "\u2192 62.5% go on to a later stage",
                 "300 end their journey here (37.5%)", "reach 15%"):  # fmt: skip
        assert f">{text}</text>" in svg, text
    assert "go on to a later stage" not in svg.split("Loyalty")[1]  # the last stage goes nowhere


def test_funnel_drawing_splits_the_end_of_each_bar_by_outcome(
    shop: JourneyMap, ms: Measurement
) -> None:
    svg = charts.draw_funnel(charts.funnel_data(shop, ms))
    root = _svg_root(svg)
    for text in ("200 end here: 170 abandoned, 30 in progress",
                 "150 end here: 120 at the goal, 30 another way", "150 end here: 150 at the goal",
                 "end here at the goal", "abandoned here"):  # fmt: skip
        assert f">{text}</text>" in svg, text
    # the red end of a bar is the abandoned journeys only: Loyalty's bar has none
    rects = list(root.iter(f"{{{NS['svg']}}}rect"))
    red = [r for r in rects if r.get("fill") == NEGATIVE and r.get("height") == "26"]
    assert len(red) == 3  # discover, consider, purchase
    widths = sorted(float(r.get("width", 0)) for r in red)
    assert widths[0] / widths[-1] == pytest.approx(140 / 280, abs=0.01)


def test_outcomes_drawing(shop: JourneyMap, ms: Measurement) -> None:
    svg = charts.draw_outcomes(charts.outcome_data(shop, ms), width=640)
    root = _svg_root(svg)
    for text in ("Reached the goal: 320 (32.0%)", "Cancelled: 30 (3.0%)",
                 "Abandoned: 590 (59.0%)", "In progress: 60 (6.0%)", "59.0%"):  # fmt: skip
        assert f">{text}</text>" in svg, text
    bars = [r for r in root.iter(f"{{{NS['svg']}}}rect") if r.get("height") == "30"]
    assert [round(float(r.get("width", 0))) for r in bars] == [205, 19, 378, 38]  # of 640
    assert bars[2].get("fill") == NEGATIVE
    empty = charts.outcome_data(shop, ms.model_copy(update={"outcomes": []}))
    assert "No journey" in charts.draw_outcomes(empty)


def test_sankey_drawing_highlights_the_designed_path(shop: JourneyMap, ms: Measurement) -> None:
    nodes, links = charts.flow_nodes(shop, ms), charts.flow_links(shop, ms)
    root = _svg_root(charts.draw_sankey(nodes, links))
    paths = list(root.iter(f"{{{NS['svg']}}}path"))
    blue = [p for p in paths if p.get("stroke") == FLOW]
    grey = [p for p in paths if p.get("stroke") == DEVIATION]
    # designed flows to the next drawn node run straight; checkout -> tracking also counts
    # (the back-stage fulfilment between them is not drawn)
    assert len(blue) == 7  # delivery -> review request (1.2% of customers) is left out
    assert all("A" not in p.get("d", "") for p in blue)
    assert len(grey) == 4  # two skips ahead, two going back
    widths = {round(float(p.get("stroke-width", 0))) for p in blue}
    assert len(widths) > 1  # thickness follows customers
    # a stricter threshold leaves flows out, and the chart says so
    assert "1 smaller flow (12 customer moves in all) is not drawn" in ET.tostring(root, "unicode")
    svg = charts.draw_sankey(nodes, links, min_share=0.3)
    assert "7 smaller flows" in svg


def test_gap_and_coverage_drawings(shop: JourneyMap, ms: Measurement) -> None:
    scale = [(lv.value, lv.label) for lv in shop.scale.levels]
    svg = charts.draw_gaps(charts.gap_data(shop, ms), scale=scale)
    root = _svg_root(svg)
    assert ">\u22123.6</text>" in svg and ">+0.2</text>" in svg
    assert ">n=12 \u00b7 few answers</text>" in svg
    hollow = [c for c in root.iter(f"{{{NS['svg']}}}circle") if c.get("stroke") == THIN]
    assert len(hollow) == 2  # the thin row and the legend
    cov = charts.draw_coverage(charts.coverage_data(shop, ms))
    _svg_root(cov)
    for text in ("8 measured from feedback (73%)", "1 few answers (9%)", "2 no feedback (18%)"):
        assert f">{text}</text>" in cov


def test_trend_arrows() -> None:
    assert charts.trend_arrow(None, None) == ""
    up_good = charts.trend_arrow("up", True)
    assert 'aria-label="up, better"' in up_good and POSITIVE in up_good
    assert NEGATIVE in charts.trend_arrow("down", False)
    assert 'aria-label="no change"' in charts.trend_arrow("flat", None)
    # a change not judged better or worse says only its direction
    assert 'aria-label="down"' in charts.trend_arrow("down", None)


def test_charts_of_an_empty_measurement_say_so(shop: JourneyMap) -> None:
    empty = Measurement(
        map_id="shop", map_title="Empty", measured_at=dt.datetime(2026, 1, 1), method="-"
    )
    assert "No stage has customers" in charts.draw_funnel(charts.funnel_data(shop, empty))
    nodes, links = charts.flow_nodes(shop, empty), charts.flow_links(shop, empty)
    assert "No touchpoint has customers" in charts.draw_sankey(nodes, links)
    scale = [(lv.value, lv.label) for lv in shop.scale.levels]
    assert "No touchpoint has both" in charts.draw_gaps(charts.gap_data(shop, empty), scale=scale)
    html = report_html(shop, empty)
    assert "No KPI could be computed" in html


# ---- the report ----------------------------------------------------------------------------------


def test_key_numbers(shop: JourneyMap, ms: Measurement) -> None:
    cards = {k.label: k for k in key_numbers(shop, ms)}
    assert cards["Feedback coverage"].value == "73%"
    assert cards["Feedback coverage"].detail.startswith(
        "8 of 11 touchpoints have a measured emotion from customers' feedback"
    )
    assert cards["Biggest pain point"].value == "Checkout"
    assert "121 conversions lost" in cards["Biggest pain point"].detail
    assert cards["Largest emotion gap"].value == "\u22123.6"
    assert "expected Satisfied +2, measured Frustrated \u22121.6" in (
        cards["Largest emotion gap"].detail
    )
    assert cards["Visitor conversion"].value == "15%"
    assert cards["Visitor conversion"].tone == "bad"
    assert "\u22123 pts since last time" in cards["Visitor conversion"].detail
    assert cards["NPS"].value == "21 points"
    # the most friction that is not ambiguous, with what customers feel there
    most = cards["Most friction (critical)"]
    assert most.value == "Checkout"
    assert most.detail == (
        "Drop-off 40% (typical 12% in this journey, n=450); customers there feel "
        "Frustrated \u22121.6"
    )
    assert len(cards) == 7


def test_a_kpi_value_reads_the_same_on_the_map_and_in_the_report(
    ms: Measurement, shop_yaml: str
) -> None:
    shop = jm.loads(shop_yaml.replace("value: 18, target: 20", "value: -18.46, target: 20.25"))
    view = layout(shop)
    card = next(k for k in view.header.kpis if k.box.item_id == "conversion")
    on_map = " ".join(t.text for t in card.box.lines)
    assert "\u221218.5% \u00b7 target 20.2%" in on_map  # one decimal, halves to even
    ms.kpis[0].value, ms.kpis[0].target = -18.46, 20.25
    cards = {k.label: k for k in key_numbers(shop, ms)}
    assert cards["Visitor conversion"].value == "\u221218.5%"
    assert "target 20.2%" in cards["Visitor conversion"].detail
    assert "| Visitor conversion | \u221218.5% |" in report_markdown(shop, ms)


class _Balance(HTMLParser):
    """Checks that every opened element is closed in order (void elements aside)."""

    VOID = frozenset({"meta", "input", "br", "img", "link", "hr"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def test_report_html_is_well_formed_and_self_contained(shop: JourneyMap, ms: Measurement) -> None:
    html = report_html(shop, ms)
    parser = _Balance()
    parser.feed(html)
    parser.close()
    assert parser.problems == []
    assert parser.stack == []
    tags = [t for t, _ in parser.tags]
    # one script: the map viewer's pan and zoom, inline
    assert tags.count("script") == 1 and "link" not in tags and "img" not in tags
    assert "http://" not in html and "https://" not in html
    assert all("src" not in attrs for _, attrs in parser.tags)
    ids = {attrs.get("id") for _, attrs in parser.tags}
    assert {"summary", "map", "outcomes", "flows", "emotions", "friction", "pains", "kpis",
            "actions", "method"} <= ids  # fmt: skip
    assert tags.count("svg") >= 7  # map, outcomes, funnel, flows, gaps, coverage, friction


def test_report_html_says_the_key_numbers(shop: JourneyMap, ms: Measurement) -> None:
    html = report_html(shop, ms)
    for text in (
        "Jo buys running shoes",
        "Map version <b>2.1</b>",
        "Measured <b>2 Apr 2026, 09:30 UTC</b>",
        "Evidence from <b>5 Jan 2026 \u2013 30 Mar 2026</b>",
        "events.parquet", "survey.csv", "12,000", "640 of 650",
        "73%", "\u22123.6",
        "40% of customers who reach Checkout leave there",
        "\u201cThe card form kept failing.\u201d", "\u201cParcel came a week late.\u201d",
        "pain point \u201cLong checkout\u201d",
        "Team pain points the data does not show:</b> Confusing FAQ",
        "Guest checkout", "+60 / month", "3,013 / month",
        "Drift since the last measurement:</b> NPS: +6 points; Visitor conversion: \u22123 pts",
        "<code>docs/measure.md</code>",
        "Few answers:</b> Review request (n=12)", "No feedback:</b> Fulfilment, Referral",
    ):  # fmt: skip
        assert text in html, text
    assert "\u00b10 pts" in html  # CSAT moved by 0.02: flat
    # a quote already shown with a higher-ranked pain point is not repeated
    assert html.count("\u201cThe card form kept failing.\u201d") == 1


def test_report_html_escapes_what_it_is_given(shop: JourneyMap, ms: Measurement) -> None:
    ms.map_title = "<script>alert(1)</script>"
    ms.pain_points[0].quotes = ["<b>bold</b> & more"]
    ms.outcomes[1].name = "<i>Cancelled</i>"
    ms.kpis[0].definition = "<u>orders</u> & visitors"
    ms.kpis[2].note = "<s>note</s>"
    html = report_html(shop, ms)
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; more" in html
    assert "<i>Cancelled" not in html and "&lt;i&gt;Cancelled&lt;/i&gt;" in html
    assert "&lt;u&gt;orders&lt;/u&gt; &amp; visitors" in html and "&lt;s&gt;note" in html
    md = report_markdown(shop, ms)
    assert "<i>" not in md and "<u>" not in md and "<s>" not in md


def test_report_markdown_has_the_seed_tables(shop: JourneyMap, ms: Measurement) -> None:
    md = report_markdown(shop, ms)
    assert md.startswith("# Jo buys running shoes \u2014 measured journey\n")
    assert (
        "| Stage | Touchpoint | Expected | Actual (from feedback: CI, n) | Gap | Friction "
        "(behaviour vs the journey) | Pain point |"
    ) in md
    row = next(line for line in md.splitlines() if line.startswith("| Purchase | Checkout |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells == [
        "Purchase", "Checkout", "Satisfied +2",
        "Frustrated \u22121.6 (95% CI \u22121.9 to \u22121.3, n=450)", "\u22123.6",
        "critical: Drop-off 40% (typical 12%, n=450); Loops 30% (typical 10%, n=450)",
        "#1 40% of customers who reach Checkout leave there",
    ]  # fmt: skip
    review = next(ln for ln in md.splitlines() if "| Review request |" in ln)
    assert "few answers" in review and "few customers (n=12)" in review
    # no feedback: no emotion and no gap, whatever the behaviour shows
    assert "| Loyalty | Referral | Delighted +3 | no feedback |  | typical |" in md
    assert "| Visitor conversion | 15% | 18% | \u22123 pts | 20% | Off target |" in md
    assert "## Pain points" in md and "## Action items" in md and "## Method" in md
    assert "- Confusing FAQ" in md


class _Tables(HTMLParser):
    """The tables of one section of the report, as rows of cell text (a cell's lines joined
    by a space)."""

    def __init__(self, section: str) -> None:
        super().__init__()
        self.section, self.depth = section, 0
        self.tables: list[list[list[str]]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section":
            self.depth += 1 if self.depth or dict(attrs).get("id") == self.section else 0
        elif self.depth and tag == "table":
            self.tables.append([])
        elif self.depth and tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif self.depth and tag in ("td", "th") and self.tables:
            self.cell = []
        elif self.cell is not None and tag in ("br", "span", "div"):
            self.cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "section" and self.depth:
            self.depth -= 1
        elif tag in ("td", "th") and self.cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def _tables(html: str, section: str) -> list[list[list[str]]]:
    parser = _Tables(section)
    parser.feed(html)
    return parser.tables


def _count(cell: str) -> int:
    """The count a cell starts with (``1,015 33.8%`` -> 1015; ``–`` -> 0)."""
    first = cell.split()[0]
    return 0 if first == "\u2013" else int(first.replace(",", ""))


def test_report_html_shows_how_the_journeys_end(shop: JourneyMap, ms: Measurement) -> None:
    html = report_html(shop, ms)
    assert '<a href="#outcomes">Outcomes</a>' in html
    (table,) = _tables(html, "outcomes")
    assert table == [
        ["Outcome", "Customers", "Share of journeys"],
        ["Reached the goal", "320", "32.0%"],
        ["Cancelled", "30", "3.0%"],
        ["Abandoned", "590", "59.0%"],
        ["In progress", "60", "6.0%"],
        ["Every journey", "1,000", "100.0%"],
    ]
    lead = html.split('id="outcomes-title"')[1].split("</p>")[0]
    for words in ("no event for more than 14 days before the data ends",
                  "<code>abandoned_after: 14d</code>", "neither lost nor finished",
                  "Ending another way (Cancelled) is finished"):  # fmt: skip
        assert words in lead, words
    section = html.split('id="outcomes"')[1].split("</section>")[0]
    assert '<svg width="640"' in section and 'aria-label="How the journeys end"' in section


def test_report_html_stage_table_adds_up(shop: JourneyMap, ms: Measurement) -> None:
    html = report_html(shop, ms)
    (table,) = _tables(html, "flows")
    head = ["Stage", "Customers", "Go on", "Went back", "End their journey here"]
    assert table[0] == head
    assert table[1] == ["All", "At the goal", "Another way", "Abandoned", "In progress"]
    rows = {r[0].split(" reach")[0]: r[1:] for r in table[2:]}
    assert list(rows) == ["Discover", "Consider", "Purchase", "Delivery", "Loyalty"]
    # counts with their share of the stage's customers; no share for none
    assert rows["Delivery"] == ["300", "120 40.0%", "30 10.0%", "150 50.0%", "120 40.0%",
                                "30 10.0%", "0", "0"]  # fmt: skip
    assert rows["Loyalty"][1] == "\u2013"  # the last stage has no later one to go on to
    for name, cells in rows.items():
        customers, on, back, ended, goal, other, abandoned, progress = map(_count, cells)
        assert customers == on + back + ended, name
        assert ended == goal + other + abandoned + progress, name
    stage = next(s for s in ms.stages if s.stage == "purchase")
    assert _count(rows["Purchase"][6]) == stage.abandoned == 140
    assert "<b>Customers = Go on + Went back + End here</b>" in html
    assert "<b>End here = At the goal + Another way + Abandoned + In progress</b>" in html


def test_report_html_without_outcomes_has_no_outcome_section(
    shop: JourneyMap, ms: Measurement
) -> None:
    ms.outcomes = []  # no event log, or a measurement saved before outcomes were measured
    html = report_html(shop, ms)
    assert 'id="outcomes"' not in html and 'href="#outcomes"' not in html
    assert _tables(html, "flows") == []  # the split is unknown: only the funnel chart
    assert "300 end their journey here (37.5%)" in html


def test_report_html_kpis_show_definition_period_and_partial(
    shop: JourneyMap, ms: Measurement
) -> None:
    html = report_html(shop, ms)
    (table,) = _tables(html, "kpis")
    assert table[0] == ["KPI", "Value", "Interval, n", "Period", "Previous", "Change", "Target",
                        "Status"]  # fmt: skip
    rows = {r[0].split(" ")[0]: r for r in table[1:]}
    conv, churn = rows["Visitor"], rows["Churn"]
    assert conv[0] == "Visitor conversion orders \u00f7 visitors \u00d7 100: 150 of 1,000"
    assert conv[3] == "2026-01-05 to 2026-03-29"
    assert conv[-1] == "Off target"
    # a partial month: flagged, and never held against the target (12% against 10%)
    assert churn[3] == "2026-03 partial period"
    assert churn[6] == "10%" and churn[-1] == "Not compared: partial period"
    assert "on target" not in " ".join(churn).lower()
    assert "off target" not in " ".join(churn).lower()
    assert "the data ends inside 2026-03: no complete month to compare" in churn[0]
    assert "customers active in February not active in March" in churn[0]


def test_key_number_of_a_partial_kpi_is_not_judged(shop: JourneyMap, ms: Measurement) -> None:
    ms.kpis[0].partial = True  # journey conversion: 15% against a target of 20%
    card = {k.label: k for k in key_numbers(shop, ms)}["Visitor conversion"]
    assert card.tone == "neutral"
    assert "partial period 2026-01-05 to 2026-03-29" in card.detail


def test_report_markdown_shows_outcomes_stage_split_and_kpi_definitions(
    shop: JourneyMap, ms: Measurement
) -> None:
    md = report_markdown(shop, ms)
    outcomes = md.split("## How the journeys end\n")[1].split("\n## ")[0]
    for line in ("| Outcome | Customers | Share of journeys |",
                 "| Reached the goal | 320 | 32.0% |", "| Cancelled | 30 | 3.0% |",
                 "| Abandoned | 590 | 59.0% |", "| In progress | 60 | 6.0% |",
                 "| Every journey | 1,000 | 100.0% |"):  # fmt: skip
        assert line in outcomes.splitlines(), line
    assert "neither lost nor finished" in outcomes and "14 days" in outcomes
    assert md.index("## How the journeys end") < md.index("## Funnel") < md.index("## KPIs")
    funnel = md.split("## Funnel\n")[1].split("\n## ")[0]
    assert ("| Stage | Customers | Reach | Go on | Went back | End here | At the goal | "
            "Another way | Abandoned | In progress |") in funnel  # fmt: skip
    assert ("| Delivery | 300 | 30% | 120 (40.0%) | 30 (10.0%) | 150 (50.0%) | 120 (40.0%) | "
            "30 (10.0%) | 0 | 0 |") in funnel  # fmt: skip
    rows = [ln for ln in funnel.splitlines() if ln.startswith("| ") and "Stage" not in ln
            and "---" not in ln]  # fmt: skip
    assert len(rows) == 5
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        customers, on, back, ended, goal, other, abandoned, progress = (
            _count(cells[i]) for i in (1, 3, 4, 5, 6, 7, 8, 9)
        )
        assert customers == on + back + ended, row
        assert ended == goal + other + abandoned + progress, row
    assert "Customers = Go on + Went back + End here" in funnel
    kpis = md.split("## KPIs\n")[1].split("\n## ")[0]
    assert (
        "| KPI | Value | Previous | Change | Target | Status | Period | Definition | Note |" in kpis
    )
    conv = next(ln for ln in kpis.splitlines() if ln.startswith("| Visitor conversion |"))
    assert (
        "| Off target | 2026-01-05 to 2026-03-29 | orders \u00f7 visitors \u00d7 100: 150 of "
        in conv
    )
    churn = next(ln for ln in kpis.splitlines() if ln.startswith("| Churn 2026-03 |"))
    assert "| Not compared: partial period | 2026-03 (partial period) |" in churn
    assert "on target" not in churn.lower() and "off target" not in churn.lower()
    assert churn.endswith("| the data ends inside 2026-03: no complete month to compare |")


def test_report_markdown_without_outcomes_keeps_the_plain_funnel(
    shop: JourneyMap, ms: Measurement
) -> None:
    ms.outcomes = []
    md = report_markdown(shop, ms)
    assert "## How the journeys end" not in md
    assert "| Stage | Customers | Reach | Go on | End here |" in md
    assert "| Consider | 800 | 80% | 62.5% | 300 (37.5%) |" in md


def test_report_json_is_the_measurement(ms: Measurement) -> None:
    text = report_json(ms)
    assert Measurement.model_validate_json(text) == ms
    assert json.loads(text)["map_id"] == "shop"


def test_measured_map_as_png_and_pdf(shop: JourneyMap, ms: Measurement) -> None:
    svg = charts.render_measured_svg(shop, ms)
    width = float(_svg_root(svg).get("width", "0"))
    png = report_png(shop, ms, scale=1.0)
    assert png_size(png)[0] == round(width)
    pdf = report_pdf(shop, ms)
    assert pdf.startswith(b"%PDF")
    size = pdf_page_size(pdf)
    assert size is not None and size[0] == pytest.approx(width, rel=0.01)


def test_write_report_picks_the_format_from_the_suffix(
    shop: JourneyMap, ms: Measurement, tmp_path: Path
) -> None:
    for suffix, start in ((".html", b"<!doctype html>"), (".json", b"{"), (".md", b"# "),
                          (".svg", b"<svg"), (".png", b"\x89PNG")):  # fmt: skip
        path = write_report(shop, ms, tmp_path / f"report{suffix}")
        assert path.read_bytes().startswith(start), suffix
    assert report_bytes(shop, ms, "json") == report_json(ms).encode()
    with pytest.raises(UsageError, match="cannot tell the report format"):
        write_report(shop, ms, tmp_path / "report.docx")


def test_a_big_measured_map_stays_readable(big_map: JourneyMap) -> None:
    """Forty touchpoints measured with every kind of evidence: no label collides."""
    tps = []
    for k, (stage, tp) in enumerate(big_map.iter_touchpoints()):
        evidence = ("measured", "measured", "thin", "none")[k % 4]
        emo = None if evidence == "none" else ((k * 7) % 61) / 10 - 3.0
        exp = big_map.expected_value(tp)
        tps.append(
            TouchpointMeasure(
                stage=stage.id, touchpoint=tp.id, name=tp.name, evidence=evidence, n=k * 11,
                emotion=emo, emotion_low=None if emo is None else emo - 0.4 - k % 3,
                emotion_high=None if emo is None else emo + 0.3,
                expected=exp, gap=None if emo is None or exp is None else emo - exp,
            )
        )  # fmt: skip
    ms = Measurement(
        map_id="big", map_title="Big", measured_at=dt.datetime(2026, 1, 1), method="-",
        touchpoints=tps, coverage=0.5,
    )  # fmt: skip
    curve = layout(big_map, measurement=ms).emotion
    assert curve is not None
    assert {p.evidence for p in curve.actual} == {"measured", "thin"}
    marks: list[Rect] = [g.pill for g in curve.gaps]
    marks += [t.bounds for p in (*curve.expected, *curve.actual) for t in p.label]
    for a, b in combinations(marks, 2):
        assert not a.overlaps(b), f"emotion labels collide: {a} {b}"
    for r in marks:
        assert curve.area.contains(r)
    # the band never leaves the scale, even where an interval is wider than it
    top, bottom = curve.ticks[-1].y, curve.ticks[0].y
    assert len(curve.bands) > 1  # touchpoints without evidence break the band
    for band in curve.bands:
        assert all(top - 0.01 <= y <= bottom + 0.01 for _, y in band.outline)


# ---- segments, filters and caveats -------------------------------------------------------------


def test_segment_data(shop: JourneyMap, segmented: Measurement) -> None:
    rows = charts.segment_data(shop, segmented).to_pylist()
    assert len(rows) == 2 * (1 + 4 + 5)  # customers, four outcomes, five stages per segment
    web, app = rows[:10], rows[10:]
    assert {r["label"] for r in web} == {"web"} and {r["column"] for r in app} == {"channel"}
    assert [r["figure"] for r in web] == ["customers"] + ["outcome"] * 4 + ["reach"] * 5
    # the app segment lists its outcomes in another order: matched by key, in the report's
    # order (goal, the map's other ends, abandoned, in progress), every segment alike
    for seg in (web, app):
        assert [r["key"] for r in seg[1:5]] == ["goal", "cancelled", "abandoned", "in-progress"]
        assert [r["key"] for r in seg[5:]] == ["discover", "consider", "purchase", "delivery",
                                               "loyalty"]  # fmt: skip
    assert (app[0]["customers"], app[0]["share"]) == (450, None)
    assert [r["customers"] for r in app[1:5]] == [90, 12, 318, 30]
    assert app[1]["share"] == pytest.approx(0.2) and app[1]["kind"] == "goal"
    assert [r["customers"] for r in app[5:]] == [450, 360, 200, 100, 50]
    assert app[7]["share"] == pytest.approx(200 / 450) and app[7]["name"] == "Purchase"
    # the events without a value are a segment too
    segmented.segments[1].value = None
    assert charts.segment_data(shop, segmented).column("label")[10].as_py() == "(empty)"
    assert charts.segment_data(shop, segmented).column("segment")[10].as_py() is None
    assert charts.segment_data(shop, make_plain(segmented)).num_rows == 0


def make_plain(ms: Measurement) -> Measurement:
    """The measurement without segments, filters or caveats."""
    sources = [s.model_copy(update={"notes": []}) for s in ms.sources]
    return ms.model_copy(update={"segments": [], "caveats": [], "sources": sources})


#: the segment table of the segmented shop: a share of the segment's journeys or customers
#: (one decimal), with the customers behind it; the last column is every customer
SEGMENT_ROWS = [
    ["Customers", "600", "450", "1,000"],
    ["Reached the goal", "40.0% 240", "20.0% 90", "32.0% 320"],
    ["Cancelled", "3.0% 18", "2.7% 12", "3.0% 30"],
    ["Abandoned", "52.0% 312", "70.7% 318", "59.0% 590"],
    ["In progress", "5.0% 30", "6.7% 30", "6.0% 60"],
    ["Discover", "100.0% 600", "100.0% 450", "100.0% 1,000"],
    ["Consider", "80.0% 480", "80.0% 360", "80.0% 800"],
    ["Purchase", "55.0% 330", "44.4% 200", "50.0% 500"],
    ["Delivery", "35.0% 210", "22.2% 100", "30.0% 300"],
    ["Loyalty", "18.0% 108", "11.1% 50", "15.0% 150"],
]


def test_report_html_shows_the_segments(shop: JourneyMap, segmented: Measurement) -> None:
    html = report_html(shop, segmented)
    assert '<a href="#segments">Segments</a>' in html
    (table,) = _tables(html, "segments")
    assert table[0] == ["By channel", "web", "app", "All customers"]
    rows = [r for r in table[1:] if len(r) > 1]
    groups = [r[0] for r in table[1:] if len(r) == 1]
    assert rows == SEGMENT_ROWS
    assert groups == [
        "How their journeys end \u2014 share of the segment's journeys, and how many",
        "Reach \u2014 share of the segment's customers who reach the stage, and how many",
    ]
    section = html.split('id="segments"')[1].split("</section>")[0]
    for words in ("One column per value of <code>channel</code> in the event log",
                  "a customer whose events hold several values is in several segments",
                  "judged against the end of the whole data"):  # fmt: skip
        assert words in section, words
    # after the funnel and flows, before the emotions
    assert html.index('id="flows"') < html.index('id="segments"') < html.index('id="emotions"')


def test_report_markdown_shows_the_segments(shop: JourneyMap, segmented: Measurement) -> None:
    md = report_markdown(shop, segmented)
    part = md.split("## Segments\n")[1].split("\n## ")[0]
    lines = [ln for ln in part.splitlines() if ln.startswith("| ") and "---" not in ln]
    assert lines[0] == "| By channel | web | app | All customers |"
    cells = [[c.strip() for c in ln.strip("|").split("|")] for ln in lines[1:]]
    # the same figures as the HTML table, the customers in brackets, reach named so
    expected = [[name if i < 5 else f"Reach {name}",
                 *(v.replace(" ", " (", 1) + ")" if " " in v else v for v in values)]
                for i, (name, *values) in enumerate(SEGMENT_ROWS)]  # fmt: skip
    assert cells == expected
    assert "| Reach Purchase | 55.0% (330) | 44.4% (200) | 50.0% (500) |" in lines
    assert "A segment is the events whose channel holds the value" in part
    assert md.index("## Funnel") < md.index("## Segments") < md.index("## KPIs")


def test_without_segments_filters_or_caveats_nothing_is_said(
    shop: JourneyMap, segmented: Measurement
) -> None:
    plain = make_plain(segmented)
    html = report_html(shop, plain)
    for absent in ('id="segments"', 'href="#segments"', "Filtered:", 'class="filtered"',
                   'class="source-notes"', 'class="notice"', "cannot tell"):  # fmt: skip
        assert absent not in html, absent
    md = report_markdown(shop, plain)
    for absent in ("## Segments", "**Filtered:**", "before measuring", "> **Note:**",
                   "cannot tell"):  # fmt: skip
        assert absent not in md, absent


def test_report_header_says_when_filters_kept_part_of_the_data(
    shop: JourneyMap, segmented: Measurement
) -> None:
    words = ("since 2026-01-05 (inclusive); channel!=store \u2014 1,000 of 1,300 customers "
             "(76.9%) of the event log; feedback not filtered")  # fmt: skip
    html = report_html(shop, segmented)
    header = html.split("<header")[1].split("</header>")[0]
    assert f'<p class="filtered"><b>Filtered:</b> {words}</p>' in header
    md = report_markdown(shop, segmented)
    head = md.split("## Sources")[0]
    assert f"**Filtered:** {words}.\n" in head
    # the notes of each source, under the table of the evidence used
    summary = html.split('id="summary"')[1].split("</section>")[0]
    notes = summary.split("</table>")[1]
    assert "<b>events.parquet</b> (event log), before measuring:" in notes
    for note in segmented.sources[0].notes:
        assert f'<span class="lines">{note}</span>' in notes
    assert "survey.csv" not in notes  # nothing was done to it
    sources = md.split("## Sources\n")[1].split("\n## ")[0]
    assert (
        "What was done to the sources before measuring:\n\n- events.parquet (event log)\n"
        "  - filters: since 2026-01-05 (inclusive); channel!=store\n"
        "  - kept 12,000 of 15,500 events (77.4%) and 1,000 of 1,300 customers (76.9%)\n"
    ) in sources
    # lifecycle steps are a note, not a filter: no header line
    segmented.sources[0].notes = ["steps: 7 from 9 events: 2 a start and its complete"]
    html = report_html(shop, segmented)
    assert "Filtered:" not in html
    assert '<span class="lines">steps: 7 from 9 events: 2 a start and its complete</span>' in html


def test_caveats_are_a_notice_in_friction_and_method(
    shop: JourneyMap, segmented: Measurement
) -> None:
    segmented.caveats.append("Loops <b>are</b> not judged & more.")
    html = report_html(shop, segmented)
    caveat = (
        "Drop-off (journeys given up) is not judged: 1 customer step has it, and the "
        "journey&#39;s norm needs 3. No touchpoint is flagged for it, which does not mean it "
        "is typical."
    )
    friction = html.split('id="friction"')[1].split("</section>")[0]
    notice = f'<div class="notice" role="note"><p><b>Note:</b> {caveat}</p>'
    assert notice in friction
    assert friction.index(notice) < friction.index("<table")  # before the table
    assert "Loops &lt;b&gt;are&lt;/b&gt; not judged &amp; more." in friction
    method = html.split('id="method"')[1].split("</section>")[0]
    assert "<h3>What this measurement cannot tell</h3>" in method
    assert f'<div class="notice" role="note"><p>{caveat}</p>' in method
    assert "<b>are</b>" not in html
    md = report_markdown(shop, segmented)
    emotions = md.split("## Expected and measured emotion, and friction\n")[1].split("\n## ")[0]
    plain = caveat.replace("&#39;", "'")
    assert emotions.startswith(f"\n> **Note:** {plain}\n>\n> **Note:** Loops &lt;b>are&lt;/b>")
    assert emotions.index("> **Note:**") < emotions.index("| Stage |")
    method_md = md.split("## Method\n")[1]
    assert f"### What this measurement cannot tell\n\n> **Note:** {plain}\n" in method_md


def test_a_partial_kpi_has_no_better_or_worse_arrow(shop: JourneyMap, ms: Measurement) -> None:
    html = report_html(shop, ms)
    (table,) = _tables(html, "kpis")
    rows = {r[0].split(" ")[0]: r for r in table[1:]}
    # churn went down (lower is better) in a partial month: a difference, not an improvement
    assert rows["Churn"][5] == "\u22122 pts (partial period)"
    kpis = html.split('id="kpis"')[1].split("</section>")[0]
    churn = kpis.split("Churn 2026-03")[1].split("</tr>")[0]
    assert "<svg" not in churn and 'class="better"' not in churn and 'class="worse"' not in churn
    # a whole period's change keeps its arrow: NPS up, better
    nps = kpis.split("<td>NPS")[1].split("</tr>")[0]
    assert 'aria-label="up, better"' in nps and 'class="better"' in nps
    assert rows["NPS"][5] == "up, better+6 points"  # the arrow's title, then the change
    md = report_markdown(shop, ms)
    churn_md = next(ln for ln in md.splitlines() if ln.startswith("| Churn 2026-03 |"))
    assert "| \u22122 pts (partial period) |" in churn_md
    nps_md = next(ln for ln in md.splitlines() if ln.startswith("| NPS |"))
    assert "| +6 points |" in nps_md and "partial" not in nps_md
    # the drift says the same
    ms.drift.kpis["churn"] = -2.0  # type: ignore[union-attr]
    assert "Churn 2026-03: \u22122 pts (partial period)" in report_html(shop, ms)


def test_a_kpi_without_a_value_is_no_key_number(shop: JourneyMap, ms: Measurement) -> None:
    ms.kpis[1].value = None  # NPS: not computable (e.g. retention of one-off journeys)
    labels = [k.label for k in key_numbers(shop, ms)]
    assert "NPS" not in labels and "CSAT" in labels


def test_funnel_reach_is_the_measurements_reach(shop: JourneyMap, ms: Measurement) -> None:
    # with --since, journeys start in a later stage: fewer reach the first stage than the
    # second, and reach is of every customer measured, as the segments and terminal say
    ms.stages[0].customers, ms.stages[0].reach_share = 760, 0.76
    ms.stages[1].reach_share = 0.8
    rows = charts.funnel_data(shop, ms).to_pylist()
    assert [r["reach"] for r in rows[:2]] == pytest.approx([0.76, 0.8])
    ms.stages[0].reach_share = None  # saved without it: of the most customers a stage has
    assert charts.funnel_data(shop, ms).to_pylist()[0]["reach"] == pytest.approx(760 / 800)


def test_report_html_with_everything_is_well_formed(
    shop: JourneyMap, segmented: Measurement
) -> None:
    parser = _Balance()
    parser.feed(report_html(shop, segmented))
    parser.close()
    assert parser.problems == [] and parser.stack == []


def test_value_lost_names_its_currency_and_never_guesses_one(
    shop: JourneyMap, ms: Measurement
) -> None:
    assert shop.measurement is None  # no currency anywhere in the map
    html = report_html(shop, ms)
    assert '6,025</div><div class="what">value lost (in the data&#39;s unit)</div>' in html
    assert "3,013 / month (in the data&#39;s unit)" in html
    for symbol in ("$", "€", "£", "USD", "EUR"):
        assert symbol not in html, symbol
    shop.measurement = MeasurementSettings(currency="EUR")
    html = report_html(shop, ms)
    assert 'EUR 6,025</div><div class="what">value lost</div>' in html
    assert "EUR 3,013 / month<" in html
    shop.measurement = MeasurementSettings(currency="£")
    assert "£6,025</div>" in report_html(shop, ms)
