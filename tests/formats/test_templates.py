"""Shipped templates: complete, realistic maps that load, lint clean and keep their comments."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import journeymap as jm
from journeymap.errors import TemplateNotFoundError, UsageError
from journeymap.formats.templates import TemplateInfo, list_templates, new_map, template_text
from journeymap.model.evidence import SOLICITED_KINDS, UNSOLICITED_KINDS
from journeymap.model.lint import lint

#: the complete example maps; ``blank`` is the one with nothing invented in it
NAMES = ["ecommerce", "issue-resolution", "lifecycle", "saas-onboarding", "saas-renewal"]
ALL = ["blank", *NAMES]
# a date shortly after the templates were written: nothing overdue or stale yet
WRITTEN = dt.date(2026, 12, 1)


def load(name: str) -> jm.JourneyMap:
    return jm.loads(template_text(name), file=f"{name}.yaml")


def test_list_templates() -> None:
    infos = list_templates()
    assert [t.name for t in infos] == ALL
    for t in infos:
        assert isinstance(t, TemplateInfo)
        assert t.title == load(t.name).name
        assert t.description
        assert not t.description.startswith("#")
        assert t.stages == [s.name for s in load(t.name).stages]
    by_name = {t.name: t for t in infos}
    assert by_name["ecommerce"].stages == [
        "Awareness",
        "Consideration",
        "Purchase/Decision",
        "Retention",
    ]
    assert by_name["lifecycle"].stages == [
        "Awareness",
        "Consideration",
        "Acquisition",
        "Service",
        "Loyalty",
    ]
    # the returned lists are the caller's own
    infos[0].stages.clear()
    assert list_templates()[0].stages


def test_unknown_template_lists_the_names() -> None:
    with pytest.raises(TemplateNotFoundError) as err:
        template_text("b2c")
    assert isinstance(err.value, LookupError)
    for name in NAMES:
        assert name in str(err.value)
    with pytest.raises(TemplateNotFoundError):
        new_map("../ecommerce")


@pytest.mark.parametrize("name", NAMES)
def test_template_loads_and_lints_clean(name: str) -> None:
    m = load(name)
    findings = lint(m, today=WRITTEN)
    assert [f for f in findings if f.severity == "error"] == []
    # the templates are examples of a finished map: not even warnings
    assert [str(f) for f in findings if f.severity == "warning"] == []
    # and years from now they still have no errors, only age
    later = lint(m, today=WRITTEN + dt.timedelta(days=3 * 365))
    assert {f.severity for f in later} <= {"warning", "info"}


@pytest.mark.parametrize("name", ALL)
def test_template_saves_byte_identical(name: str, tmp_path: Path) -> None:
    text = template_text(name)
    assert jm.dumps(jm.loads(text)) == text
    path = tmp_path / f"{name}.yaml"
    jm.save(new_map(name), path)
    assert path.read_text(encoding="utf-8") == text


@pytest.mark.parametrize("name", NAMES)
def test_template_is_a_complete_realistic_map(name: str) -> None:
    m = load(name)
    text = template_text(name)
    # a header comment that explains the file and the emotion scale
    assert text.startswith("# ")
    assert "-3" in text
    assert "+3" in text
    assert "Delighted" in text
    assert text.count("\n#") >= 10
    assert 4 <= len(m.stages) <= 6
    assert m.persona is not None
    assert m.persona.goals
    assert m.persona.data_sources
    assert m.objective
    assert m.scenario
    assert m.review is not None
    assert m.review.due is not None
    assert m.review.triggers
    for stage in m.stages:
        assert stage.customer_goal, stage.id
        front = [tp for tp in stage.touchpoints if tp.lane == "frontstage"]
        assert len(front) >= 2, stage.id
        for tp in front:
            assert all((tp.channel, tp.owner, tp.actions)), tp.id
            assert None not in (tp.expected_emotion, tp.actual_emotion), tp.id
    assert any(tp.lane == "backstage" for _, tp in m.iter_touchpoints())
    assert any(tp.moment_of_truth for _, tp in m.iter_touchpoints())
    assert any((m.gap(tp) or 0) < 0 for _, tp in m.iter_touchpoints())
    assert len(m.pain_points) >= 4
    for p in m.pain_points:
        assert all((p.touchpoint, p.trigger, p.customer_reaction)), p.id
        assert all((p.departments, p.owner, p.source, p.evidence)), p.id
    assert len(m.opportunities) >= 4
    for o in m.opportunities:
        assert all((o.expected_outcome, o.owner, o.kpi)), o.id
    assert any(o.addresses for o in m.opportunities)
    assert len(m.kpis) >= 5
    for k in m.kpis:
        assert k.definition, k.id
        assert None not in (k.value, k.target), k.id
    kinds = {i.kind for i in m.insights}
    assert kinds & SOLICITED_KINDS
    assert kinds & UNSOLICITED_KINDS
    # every insight is used somewhere
    text_refs = text.split("insights:")[0]
    for ins in m.insights:
        assert ins.id in text_refs, ins.id


def test_ecommerce_follows_the_seed_journey() -> None:
    m = load("ecommerce")
    assert m.persona is not None
    assert m.persona.name == "Amber, 32"
    assert m.persona.age == 32
    assert "coffee" in (m.persona.description or "")
    words = {str(tp.expected_emotion) for _, tp in m.iter_touchpoints()}
    words |= {str(tp.actual_emotion.emotion) for _, tp in m.iter_touchpoints() if tp.actual_emotion}
    words |= {str(s.emotion) for s in m.stages}
    assert {
        "Interested",
        "Curious but hesitant",
        "Frustrated",
        "Confused",
        "Accomplished",
        "Delighted",
    } <= words
    website, checkout = m.touchpoint("website-visit"), m.touchpoint("checkout")
    assert (website.expected_emotion, website.gap_note) == ("Interested", "Navigation issues")
    assert website.actual_emotion is not None
    assert website.actual_emotion.emotion == "Frustrated"
    assert (checkout.expected_emotion, checkout.gap_note) == ("Accomplished", "Complex procedures")
    assert checkout.actual_emotion is not None
    assert checkout.actual_emotion.emotion == "Confused"
    moments = {tp.id for _, tp in m.iter_touchpoints() if tp.moment_of_truth}
    assert moments == {"checkout", "delivery"}
    channels = {tp.channel for _, tp in m.iter_touchpoints()}
    assert {"podcast", "ad", "web", "review-site", "delivery", "chat", "email", "referral"} <= (
        channels
    )
    names = " ".join(tp.name.lower() for _, tp in m.iter_touchpoints())
    for word in ("faq", "loyalty", "back-in-stock", "nurture", "fulfilment", "inventory"):
        assert word in names, word
    backstage = {tp.id for _, tp in m.iter_touchpoints() if tp.lane == "backstage"}
    assert {"order-fulfilment", "inventory-sync"} <= backstage
    sources = {p.source for p in m.pain_points}
    assert {"User Interviews", "Survey Feedback", "Customer Reviews"} <= sources
    assert {p.name for p in m.pain_points} >= {"Hard to navigate", "Long checkout", "Slow response"}
    behaviours = " ".join(s.observed_behavior or "" for s in m.stages)
    assert "Frequent site visits" in behaviours
    assert "Cart abandonment" in behaviours
    assert "Positive reviews" in behaviours
    kpis = {k.kind: k for k in m.kpis}
    assert {"conversion", "cart-abandonment", "csat", "nps", "retention", "churn"} <= set(kpis)
    assert kpis["churn"].definition is not None
    assert kpis["churn"].definition.startswith("lost customers ÷ customers at start × 100")
    assert kpis["retention"].definition == (
        "(customers at end − new customers) ÷ customers at start × 100"
    )
    assert any(o.closed for o in m.opportunities)


LIFECYCLE_ACTIONS = [
    (
        "Awareness",
        "Enhance visibility & clarity of information.",
        "Better understanding of your offerings.",
    ),
    (
        "Consideration",
        "Streamline options & provide comparison tools.",
        "Easier decision-making for customers.",
    ),
    ("Acquisition", "Simplify the purchase process.", "Increased conversion rates."),
    (
        "Service",
        "Offer proactive support & personalized assistance.",
        "Higher customer satisfaction.",
    ),
    (
        "Loyalty",
        "Create rewarding programs & gather feedback.",
        "Customer retention and advocacy.",
    ),
]


def test_lifecycle_has_the_seed_action_items_verbatim() -> None:
    m = load("lifecycle")
    stage_names = {s.id: s.name for s in m.stages}
    found = [
        (stage_names[m.stage_id_of(o) or ""], o.name, o.expected_outcome)
        for o in m.opportunities
        if m.stage_id_of(o) in stage_names
    ]
    for row in LIFECYCLE_ACTIONS:
        assert row in found
    assert found[:5] == LIFECYCLE_ACTIONS


def test_lifecycle_has_the_quarterly_retention_example() -> None:
    m = load("lifecycle")
    (ret,) = [k for k in m.kpis if k.kind == "retention"]
    assert ret.inputs["customers_at_start"] == 1000
    assert ret.inputs["customers_at_end"] == 950
    assert ret.value == 95
    assert ret.unit == "%"
    assert ret.period == "quarterly"
    (churn,) = [k for k in m.kpis if k.kind == "churn"]
    assert churn.value == 5
    assert churn.inputs["lost_customers"] == 50


@pytest.mark.parametrize(
    ("name", "scenario", "kpi_words"),
    [
        ("saas-onboarding", "onboarding", ["time to first value", "activation"]),
        ("saas-renewal", "renewal", ["renewal rate", "revenue retention"]),
        ("issue-resolution", "issue resolution", ["time to resolution", "effort"]),
    ],
)
def test_saas_journeys(name: str, scenario: str, kpi_words: list[str]) -> None:
    m = load(name)
    assert m.scenario is not None
    assert scenario in m.scenario.lower()
    kpi_names = " ".join(k.name.lower() for k in m.kpis)
    for word in kpi_words:
        assert word in kpi_names, word
    # on stage and off stage in most stages
    with_backstage = [s for s in m.stages if any(tp.lane == "backstage" for tp in s.touchpoints)]
    assert len(with_backstage) >= len(m.stages) - 1
    assert m.review is not None
    assert any("release" in t for t in m.review.triggers)
    text = template_text(name)
    assert "solicited" in text
    assert "off-stage" in text.lower()


def test_issue_resolution_kpis() -> None:
    kinds = {k.kind for k in load("issue-resolution").kpis}
    assert {"time-to-resolution", "ces", "csat"} <= kinds


def test_new_map_replaces_persona_and_its_mention() -> None:
    m = new_map("ecommerce", persona="Jordan, 41")
    assert m.persona is not None
    assert (m.persona.name, m.persona.id) == ("Jordan, 41", "jordan-41")
    assert m.name == "Jordan, 41 — from podcast to repeat order"
    assert m.id == "ecommerce-first-purchase"
    text = jm.dumps(m)
    assert text.startswith("# E-commerce first purchase")
    assert "#     -3 Angry  -2 Frustrated" in text
    assert "Amber" not in text.split("persona:")[0]
    back = jm.loads(text)
    assert back.persona is not None
    assert back.persona.name == "Jordan, 41"


def test_new_map_mentions_first_names_only() -> None:
    m = new_map("saas-onboarding", persona="Alex")
    assert m.name == "Alex — onboarding a finance team onto Paylane"


def test_new_map_with_title() -> None:
    m = new_map("saas-renewal", persona="Chris", title="Acme renewal 2027")
    assert (m.name, m.id) == ("Acme renewal 2027", "acme-renewal-2027")
    assert m.persona is not None
    assert m.persona.name == "Chris"
    assert "title: Acme renewal 2027\n" in jm.dumps(m)


def test_new_map_returns_independent_maps() -> None:
    a = new_map("lifecycle")
    a.stages.clear()
    assert len(new_map("lifecycle").stages) == 5


def test_new_map_rejects_empty_names() -> None:
    with pytest.raises(UsageError):
        new_map("ecommerce", persona="  ")
    with pytest.raises(UsageError):
        new_map("ecommerce", title="")


def test_blank_template_has_only_the_findings_a_blank_map_should_have(tmp_path: Path) -> None:
    m = new_map("blank")
    assert m.persona is None
    assert [s.name for s in m.stages] == ["Before", "During", "After"]
    assert not any(s.touchpoints for s in m.stages)
    assert not (m.pain_points or m.opportunities or m.kpis or m.insights)
    assert jm.check_map(m) == []
    findings = lint(m, today=WRITTEN)
    # nothing but what a reviewer of an empty draft would say: no review date, no touchpoints
    assert sorted((f.code, f.loc) for f in findings) == [
        ("empty-stage", ("stages", 0)),
        ("empty-stage", ("stages", 1)),
        ("empty-stage", ("stages", 2)),
        ("no-review-date", ()),
    ]
    # and the header comment shows how to add a touchpoint on any channel
    text = template_text("blank")
    assert "channel: branch" in text
    assert text.startswith("# A blank map for any industry")


def test_blank_template_takes_a_persona_and_a_title(tmp_path: Path) -> None:
    m = new_map("blank", persona="Maya, 34", title="Opening a current account")
    assert m.persona is not None
    assert (m.persona.id, m.persona.name) == ("maya-34", "Maya, 34")
    assert (m.id, m.name) == ("opening-a-current-account", "Opening a current account")
    path = tmp_path / "blank.yaml"
    jm.save(m, path)
    again = jm.load(path)
    assert again.persona is not None and again.persona.name == "Maya, 34"
    assert again.name == "Opening a current account"
    # the comments of the template are kept for the first-time editor
    assert path.read_text(encoding="utf-8").startswith("# A blank map for any industry")
