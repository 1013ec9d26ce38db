"""Markdown tables of a map: the table view model, escaping, and a golden file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from journeymap.formats.tables import import_tables
from journeymap.model import (
    KPI,
    Insight,
    JourneyMap,
    Opportunity,
    PainPoint,
    Persona,
    Stage,
    Touchpoint,
)
from journeymap.rendering.markdown import escape_cell, to_markdown
from journeymap.rendering.tables import Table, input_header, map_tables

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def small_map() -> JourneyMap:
    return JourneyMap(
        name="Amber's first purchase",
        objective="Find out why first orders fail",
        scenario="first purchase",
        persona=Persona(name="Amber", age=32, goals=["Healthy mornings", "Little effort"]),
        stages=[
            Stage(
                name="Awareness",
                customer_goal="Find a healthier morning drink",
                touchpoints=[
                    Touchpoint(
                        name="Podcast ad",
                        channel="podcast",
                        expected_emotion="Interested",
                        actual_emotion="Curious but hesitant",
                    )
                ],
            ),
            Stage(
                name="Purchase",
                business_goal="Convert the first order",
                emotion="Frustrated",
                observed_behavior="Cart abandonment",
                touchpoints=[
                    Touchpoint(
                        name="Checkout process",
                        channel="web",
                        owner="E-commerce",
                        expected_emotion="Accomplished",
                        actual_emotion={"emotion": -1, "source": "Survey Feedback"},
                        gap_note="Complex procedures | too many fields\nand a captcha",
                        moment_of_truth=True,
                        actions=["Types the card number", "Solves a captcha"],
                        thoughts=["Why so many fields?"],
                        notes={"Priority": "High"},
                    )
                ],
            ),
        ],
        pain_points=[
            PainPoint(
                name="Long checkout",
                touchpoint="checkout-process",
                source="Survey Feedback",
                severity="high",
                evidence=["survey-feedback"],
            )
        ],
        opportunities=[
            Opportunity(
                name="One-page checkout",
                stage="purchase",
                expected_outcome="Increased conversion rates.",
                owner="Web team",
                status="planned",
            )
        ],
        kpis=[
            KPI(
                name="Retention Rate",
                kind="retention",
                value=95,
                unit="%",
                period="Quarterly",
                inputs={"customers_at_start": 1000, "customers_at_end": 950},
            )
        ],
        insights=[Insight(name="Survey Feedback", kind="survey")],
    )


def test_map_tables_order_and_cells() -> None:
    tables = {t.title: t for t in map_tables(small_map())}
    assert list(tables) == [
        "Persona",
        "Stages",
        "Touchpoints",
        "Stage emotions",
        "Pain points",
        "Action items",
        "KPIs",
        "Insights",
    ]
    tps = tables["Touchpoints"]
    assert tps.headers[:7] == [
        "Stage",
        "Touchpoint",
        "Channel",
        "Owner",
        "Expected Emotion",
        "Actual Emotion",
        "Gap",
    ]
    assert tps.column("Stage") == ["Awareness", "Purchase"]  # names, not ids
    assert tps.column("Actual Emotion") == ["Curious but hesitant", "Confused"]  # as written
    assert tps.column("Gap") == ["−1", "−3"]  # true minus
    assert tps.column("Moment of Truth") == ["", "yes"]
    assert tps.column("Priority") == ["", "High"]  # a note becomes a column
    assert tables["Stage emotions"].rows == [["Purchase", "Frustrated", "Cart abandonment"]]
    pains = tables["Pain points"]
    assert pains.headers == [
        "Customer Stage",
        "Touchpoint",
        "Pain Point",
        "Source of Insight",
        "Severity",
    ]
    assert pains.rows == [
        ["Purchase", "Checkout process", "Long checkout", "Survey Feedback", "high"]
    ]
    assert tables["Action items"].rows == [
        ["Purchase", "One-page checkout", "Increased conversion rates.", "Web team", "planned"]
    ]
    kpis = tables["KPIs"]
    assert kpis.headers == ["KPI", "Value", "Period", "Customers at Start", "Customers at End"]
    assert kpis.rows == [["Retention Rate", "95%", "Quarterly", "1000", "950"]]
    assert tables["Persona"].column("Value") == ["Amber", "32", "Healthy mornings\nLittle effort"]
    with pytest.raises(KeyError):
        tps.column("Nope")


def test_empty_map_has_no_tables_and_defaults_are_not_shown() -> None:
    assert map_tables(JourneyMap(name="Empty")) == []
    m = JourneyMap(
        name="Defaults",
        stages=[Stage(name="S")],
        pain_points=[PainPoint(name="P", stage="s")],
    )
    pains = next(t for t in map_tables(m) if t.title == "Pain points")
    assert pains.headers == ["Customer Stage", "Pain Point"]  # the default severity is hidden


def test_helpers() -> None:
    assert input_header("customers_at_start") == "Customers at Start"
    assert input_header("new_customers") == "New Customers"
    assert escape_cell("a | b\nc") == "a \\| b<br>c"
    assert escape_cell("*x* _y_ <z>") == "\\*x\\* \\_y\\_ &lt;z>"
    assert Table("T", ["A"], [["1"]]).column("A") == ["1"]


def test_markdown_document_structure() -> None:
    text = to_markdown(small_map())
    lines = text.splitlines()
    assert lines[0] == "# Amber's first purchase"
    assert "**Objective:** Find out why first orders fail" in text
    assert "**Scenario:** first purchase" in text
    headings = [line for line in lines if line.startswith("## ")]
    assert headings == [
        "## Persona",
        "## Stages",
        "## Touchpoints",
        "## Stage emotions",
        "## Pain points",
        "## Action items",
        "## KPIs",
        "## Insights",
    ]
    assert "Complex procedures \\| too many fields<br>and a captcha" in text
    assert text.endswith("|\n")
    for line in lines:
        if line.startswith("|"):
            assert line.endswith("|")


def test_markdown_golden() -> None:
    text = to_markdown(small_map())
    path = GOLDEN / "markdown_small_map.md"
    if os.environ.get("JOURNEYMAP_UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"{path} is missing; run with JOURNEYMAP_UPDATE_GOLDEN=1 to write it"
    assert text == path.read_text(encoding="utf-8")


def test_markdown_imports_back_to_the_same_map(tmp_path: Path) -> None:
    original = small_map()
    path = tmp_path / "map.md"
    path.write_text(to_markdown(original), encoding="utf-8")
    result = import_tables([path])
    again = result.map
    assert again.name == original.name
    assert [s.name for s in again.stages] == ["Awareness", "Purchase"]
    checkout = again.touchpoint("checkout-process")
    assert checkout.gap_note == "Complex procedures | too many fields\nand a captcha"
    assert checkout.notes == {"Priority": "High"}
    assert checkout.moment_of_truth is True
    assert checkout.owner == "E-commerce"
    assert checkout.actions == ["Types the card number", "Solves a captcha"]
    assert checkout.thoughts == ["Why so many fields?"]
    assert again.persona is not None
    assert again.persona.goals == ["Healthy mornings", "Little effort"]
    assert again.kpis[0].inputs == {"customers_at_start": 1000, "customers_at_end": 950}
    assert again.pain_points[0].severity == "high"
    assert again.opportunities[0].status == "planned"
    assert again.objective == original.objective
    assert again.scenario == original.scenario
    # everything the tables show survives the trip
    assert map_tables(again) == map_tables(original)
    assert to_markdown(again) == to_markdown(original)
    assert result.report[-1] == (
        "imported 2 stages, 2 touchpoints, 1 pain point, 1 action item, 1 KPI, 1 insight"
    )
