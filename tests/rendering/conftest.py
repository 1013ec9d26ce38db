"""Maps shared by the render tests: the realistic fixture, a big generated one, and a shop
with a measurement written by hand (every expected number can be worked out on paper)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import journeymap as jm
from journeymap.model import (
    CHANNELS,
    KPI,
    ActualEmotion,
    JourneyMap,
    Opportunity,
    PainPoint,
    Persona,
    Stage,
    Touchpoint,
)
from journeymap.model.measurement import (
    ActionEstimate,
    Drift,
    FlowMeasure,
    FoundPainPoint,
    FrictionMeasure,
    KPIMeasure,
    Measurement,
    OutcomeMeasure,
    SegmentMeasure,
    SourceInfo,
    StageMeasure,
    TouchpointMeasure,
)

FIXTURES = Path(__file__).parent / "fixtures"

_TEXT = (
    "Compares delivery options and prices across three different shops before deciding "
    "whether the premium membership with free returns is worth it this time"
)
_WORDS = _TEXT.split()
_EMOTIONS = ["Angry", "Frustrated", "Confused", "Neutral", "Interested", "Satisfied", "Delighted"]


def _phrase(i: int, n: int) -> str:
    return " ".join(_WORDS[(i + k) % len(_WORDS)] for k in range(n)).capitalize()


def make_big_map(n_stages: int = 6, n_touchpoints: int = 40) -> JourneyMap:
    """A map with many stages and touchpoints, with text of every length, built in code."""
    stages: list[Stage] = []
    per = [
        n_touchpoints // n_stages + (1 if s < n_touchpoints % n_stages else 0)
        for s in range(n_stages)
    ]
    k = 0
    for s, count in enumerate(per):
        tps: list[Touchpoint] = []
        for _ in range(count):
            name = f"Step {k + 1}: " + _phrase(k, 1 + k % 9)
            tps.append(
                Touchpoint(
                    id=f"tp-{k + 1}",
                    name=name,
                    channel=CHANNELS[k % len(CHANNELS)],
                    owner="Customer experience and operations" if k % 4 == 0 else None,
                    actions=[_phrase(k + j, 2 + (k + j) % 12) for j in range(k % 4)],
                    thoughts=[_phrase(k * 3, 3 + k % 14)] if k % 3 else [],
                    expected_emotion=_EMOTIONS[(k * 2) % 7],
                    actual_emotion=ActualEmotion(emotion=_EMOTIONS[(k * 5 + 1) % 7])
                    if k % 5
                    else None,
                    moment_of_truth=k % 7 == 3,
                    systems=["CRM", "Order management system"] if k % 6 == 1 else [],
                )
            )
            k += 1
        tps.append(
            Touchpoint(
                id=f"back-{s + 1}",
                name=f"Back office process {s + 1} with a long descriptive name",
                channel="system",
                lane="backstage" if s % 2 else "support",
                owner="Operations",
                systems=["ERP"],
            )
        )
        stages.append(
            Stage(
                id=f"stage-{s + 1}",
                name=f"Stage {s + 1} " + _phrase(s, 1 + s % 4),
                customer_goal=_phrase(s * 2, 4 + s * 3),
                touchpoints=tps,
            )
        )
    pains = [
        PainPoint(
            id=f"pain-{i}",
            name=_phrase(i, 3 + i % 8),
            touchpoint=f"tp-{i}",
            severity=("low", "medium", "high", "critical")[i % 4],
            source="Support tickets and session recordings",
        )
        for i in range(1, n_touchpoints + 1, 3)
    ]
    pains.append(PainPoint(id="pain-stage", name="Whole stage is slow", stage="stage-2"))
    opps = [
        Opportunity(
            id=f"opp-{i}",
            name=_phrase(i + 5, 2 + i % 6),
            touchpoint=f"tp-{i}",
            expected_outcome=_phrase(i * 2, 4 + i % 10),
            owner="Digital",
            status="planned",
        )
        for i in range(2, n_touchpoints + 1, 4)
    ]
    opps.append(Opportunity(id="opp-stage", name="Redesign the stage", stage="stage-3"))
    kpis = [
        KPI(id="nps", name="NPS", kind="nps", value=12, target=30),
        KPI(id="conv", name="Conversion", kind="conversion", stage="stage-3", value=2.4, unit="%"),
        KPI(
            id="churn", name="Churn", kind="churn", touchpoint="tp-5", value=4.1, target=5, unit="%"
        ),
    ]
    return JourneyMap(
        id="big",
        name="A big journey with many touchpoints to check that the layout stays readable",
        persona=Persona(name="Pat", quote="I just want it to work.", goals=["Get it done"]),
        stages=stages,
        pain_points=pains,
        opportunities=opps,
        kpis=kpis,
    )


@pytest.fixture
def sample_map() -> JourneyMap:
    return jm.load(FIXTURES / "sample_map.yaml")


@pytest.fixture
def big_map() -> JourneyMap:
    return make_big_map()


# ---- a shop and its measurement, written by hand ---------------------------------------------

SHOP = """
id: shop
title: Jo buys running shoes
version: "2.1"
objective: Find where first-time buyers give up.
persona: {name: Jo, goals: [New shoes by Saturday]}
stages:
  - id: discover
    name: Discover
    touchpoints:
      - {id: ads, name: Social ads, channel: ad, expected_emotion: Interested,
         actual_emotion: Delighted}
      - {id: search, name: Site search, channel: web, expected_emotion: Satisfied}
  - id: consider
    name: Consider
    touchpoints:
      - {id: product-page, name: Product page, channel: web, expected_emotion: Interested}
      - {id: reviews, name: Reviews, channel: review-site, expected_emotion: Interested}
  - id: purchase
    name: Purchase
    touchpoints:
      - {id: cart, name: Cart, channel: web, expected_emotion: Interested}
      - {id: checkout, name: Checkout, channel: web, expected_emotion: Satisfied,
         moment_of_truth: true}
      - {id: fulfilment, name: Fulfilment, channel: system, lane: backstage}
  - id: delivery
    name: Delivery
    touchpoints:
      - {id: tracking, name: Order tracking, channel: email, expected_emotion: Interested}
      - {id: delivery, name: Delivery, channel: delivery, expected_emotion: Satisfied}
  - id: loyalty
    name: Loyalty
    touchpoints:
      - {id: review-request, name: Review request, channel: email, expected_emotion: Interested}
      - {id: referral, name: Referral, channel: referral, expected_emotion: Delighted}
pain_points:
  - {id: long-checkout, name: Long checkout, touchpoint: checkout, severity: high}
  - {id: confusing-faq, name: Confusing FAQ, stage: consider}
opportunities:
  - {id: faq-rewrite, name: Rewrite the FAQ, stage: consider, owner: Content}
  - {id: guest-checkout, name: Guest checkout, touchpoint: checkout, owner: Digital,
     status: planned, priority: high, kpi: conversion, kpi_target: 20}
  - {id: delivery-updates, name: Delivery updates, touchpoint: delivery, owner: Operations}
kpis:
  - {id: conversion, name: Visitor conversion, kind: conversion, value: 18, target: 20, unit: "%"}
  - {id: nps, name: NPS, kind: nps, target: 30}
  - {id: churn, name: Churn, kind: churn, target: 10, unit: "%"}
outcomes:
  goal: [checkout, review-request, referral]
  ends:
    - {id: cancelled, name: Cancelled, touchpoints: [tracking], by: customer}
  abandoned_after: 14d
"""

# touchpoint id -> customers, emotion, low, high, expected, evidence, n
_TPS = {
    "ads": (600, 0.9, 0.7, 1.1, 1.0, "measured", 600),
    "search": (700, 0.2, 0.0, 0.4, 2.0, "measured", 700),
    "product-page": (800, 0.5, 0.3, 0.7, 1.0, "measured", 800),
    "reviews": (400, 1.2, 0.9, 1.5, 1.0, "measured", 400),
    "cart": (500, -0.2, -0.5, 0.1, 1.0, "measured", 500),
    "checkout": (450, -1.6, -1.9, -1.3, 2.0, "measured", 450),
    "fulfilment": (0, None, None, None, None, "none", 0),
    "tracking": (300, 0.1, -0.2, 0.4, 1.0, "measured", 300),
    "delivery": (290, -1.1, -1.5, -0.7, 2.0, "measured", 290),
    "review-request": (12, 0.8, -0.9, 2.5, 1.0, "thin", 12),
    "referral": (0, None, None, None, 3.0, "none", 0),
}
_STAGE_OF = {
    "ads": "discover", "search": "discover", "product-page": "consider", "reviews": "consider",
    "cart": "purchase", "checkout": "purchase", "fulfilment": "purchase", "tracking": "delivery",
    "delivery": "delivery", "review-request": "loyalty", "referral": "loyalty",
}  # fmt: skip
_LEVELS = {-2: "Frustrated", -1: "Confused", 0: "Neutral", 1: "Interested", 2: "Satisfied"}
# touchpoint id -> level, evidence, measures (measure, value, typical, z, customers, n, level)
_Measures = list[tuple[str, float, float, float, int, int, str | None]]
_FRICTION: dict[str, tuple[str | None, str, _Measures]] = {
    "search": ("medium", "measured", [("loops", 0.43, 0.1, 6.6, 301, 700, "medium")]),
    "product-page": ("typical", "measured", [("support", 0.05, 0.05, 0.0, 40, 800, "typical")]),
    "checkout": ("critical", "measured", [("drop-off", 0.40, 0.12, 5.6, 180, 450, "critical"),
                                          ("loops", 0.3, 0.1, 2.5, 135, 450, "medium")]),
    "delivery": ("high", "measured", [("slow", 527040.0, 90.0, 3.4, 290, 290, "high")]),
    "review-request": (None, "thin", [("drop-off", 0.5, 0.12, 7.6, 6, 12, None)]),
    "referral": ("typical", "measured", [("drop-off", 0.1, 0.12, -0.4, 40, 400, "typical")]),
}  # fmt: skip


def _friction(tp_id: str) -> dict[str, object]:
    """The friction fields of a touchpoint of the hand-made measurement."""
    if tp_id not in _FRICTION:
        return {}
    level, evidence, measures = _FRICTION[tp_id]
    return {
        "friction": measures[0][3], "friction_level": level, "friction_evidence": evidence,
        "friction_measures": [
            FrictionMeasure(measure=m, value=v, typical=t, z=z, customers=c, n=n, level=lv,
                            low=v * 0.9, high=v * 1.1)
            for m, v, t, z, c, n, lv in measures
        ],
    }  # fmt: skip


def make_measurement() -> Measurement:
    """A measurement of SHOP: a checkout many leave, a slow delivery, a thin loyalty step."""
    tps = []
    for tp_id, (customers, emo, low, high, exp, evidence, n) in _TPS.items():
        gap = None if emo is None or exp is None else round(emo - exp, 6)
        tps.append(
            TouchpointMeasure(
                stage=_STAGE_OF[tp_id], touchpoint=tp_id, name=tp_id.replace("-", " ").title(),
                customers=customers, emotion=emo, emotion_low=low, emotion_high=high,
                expected=exp, gap=gap, evidence=evidence, n=n,
                level=None if emo is None else _LEVELS[round(emo)],
                csat=52.0 if tp_id == "checkout" else None,
                quotes=["The card form kept failing."] if tp_id == "checkout" else [],
            ).model_copy(update=_friction(tp_id))
        )  # fmt: skip
    # each stage: customers = converted + went_back + dropoff_customers, and dropoff_customers
    # = ended_goal + ended_other + abandoned + in_progress; every journey ends in one stage
    stages = [
        StageMeasure(stage="discover", name="Discover", customers=1000, reach_share=1.0,
                     funnel_customers=1000, converted=800, conversion_to_next=0.8,
                     dropoff_customers=200, dropoff_rate=0.2, abandoned=170, in_progress=30),
        StageMeasure(stage="consider", name="Consider", customers=800, reach_share=0.8,
                     funnel_customers=800, converted=500, conversion_to_next=0.625,
                     dropoff_customers=300, dropoff_rate=0.375, abandoned=280, in_progress=20),
        StageMeasure(stage="purchase", name="Purchase", customers=500, reach_share=0.5,
                     funnel_customers=480, converted=300, conversion_to_next=0.6,
                     dropoff_customers=200, dropoff_rate=0.4, ended_goal=50, abandoned=140,
                     in_progress=10),
        StageMeasure(stage="delivery", name="Delivery", customers=300, reach_share=0.3,
                     funnel_customers=290, converted=120, conversion_to_next=0.4,
                     dropoff_customers=150, dropoff_rate=0.5, went_back=30, ended_goal=120,
                     ended_other=30),
        StageMeasure(stage="loyalty", name="Loyalty", customers=150, reach_share=0.15,
                     funnel_customers=110, dropoff_customers=150, dropoff_rate=1.0,
                     ended_goal=150),
    ]  # fmt: skip
    outcomes = [
        OutcomeMeasure(key="goal", name="Reached the goal", customers=320, share=0.32),
        OutcomeMeasure(key="cancelled", name="Cancelled", customers=30, share=0.03),
        OutcomeMeasure(key="abandoned", name="Abandoned", customers=590, share=0.59),
        OutcomeMeasure(key="in-progress", name="In progress", customers=60, share=0.06),
    ]
    flows = [
        FlowMeasure(source=a, target=b, customers=c, moves=c + 10, designed=d)
        for a, b, c, d in [
            ("ads", "search", 300, True),
            ("search", "product-page", 650, True),
            ("ads", "product-page", 250, False),
            ("product-page", "reviews", 380, True),
            ("reviews", "cart", 200, True),
            ("product-page", "cart", 280, False),
            ("cart", "product-page", 120, False),
            ("cart", "checkout", 450, True),
            ("checkout", "cart", 90, False),
            ("checkout", "tracking", 300, True),
            ("tracking", "delivery", 290, True),
            ("delivery", "review-request", 12, True),
        ]
    ]
    pains = [
        FoundPainPoint(
            rank=1, id="drop-off-checkout", kind="drop-off", stage="purchase",
            touchpoint="checkout", title="40% of customers who reach Checkout leave there",
            evidence="180 of 450 customers end their journey at Checkout; typical step 12%",
            customers_affected=180, conversions_lost=120.5, value_lost=6025.0,
            severity="critical", score=300.5, matches="long-checkout",
            quotes=["The card form kept failing.", "Too many steps to pay."],
        ),
        FoundPainPoint(
            rank=2, id="slow-delivery", kind="slow", stage="delivery", touchpoint="delivery",
            title="Delivery takes 6 days; a typical step takes minutes",
            evidence="median 6.1 days from Delivery to the next step for 290 customers",
            customers_affected=150, severity="high", score=150.0,
            quotes=["Parcel came a week late.", "The card form kept failing."],
        ),
        FoundPainPoint(
            rank=3, id="loops-search", kind="loops", stage="discover", touchpoint="search",
            title="Customers search again and again", evidence="300 of 700 search 3+ times",
            customers_affected=300, severity="medium", score=75.0,
        ),
    ]  # fmt: skip
    kpis = [
        KPIMeasure(key="conversion:journey", kind="conversion", label="Visitor conversion",
                   value=15.0, unit="%", n=1000, kpi="conversion", target=20.0, previous=18.0,
                   change=-3.0, period="2026-01-05 to 2026-03-29",
                   definition="orders \u00f7 visitors \u00d7 100: 150 of 1,000"),
        KPIMeasure(key="nps", kind="nps", label="NPS", value=21.0, unit="points", n=400,
                   low=14.0, high=28.0, kpi="nps", target=30.0, previous=15.0, change=6.0),
        # the data ends inside March: a partial month, never held against the target
        KPIMeasure(key="churn", kind="churn", label="Churn 2026-03", value=12.0, unit="%",
                   n=900, kpi="churn", target=10.0, previous=14.0, change=-2.0,
                   period="2026-03", partial=True,
                   definition="customers active in February not active in March \u00f7 "
                              "customers active in February \u00d7 100",
                   note="the data ends inside 2026-03: no complete month to compare"),
        KPIMeasure(key="csat", kind="csat", label="CSAT", value=78.0, unit="%", n=640,
                   target=75.0, previous=78.02, change=-0.02),
    ]  # fmt: skip
    actions = [
        ActionEstimate(opportunity="faq-rewrite", name="Rewrite the FAQ",
                       estimate="No measured pain point behind it yet."),
        ActionEstimate(opportunity="delivery-updates", name="Delivery updates",
                       estimate="Halving the extra drop-off at delivery keeps 20 a month",
                       conversions_per_month=20.0),
        ActionEstimate(opportunity="guest-checkout", name="Guest checkout",
                       estimate="Halving the extra drop-off at checkout keeps 60 a month",
                       conversions_per_month=60.25, value_per_month=3012.5, kpi="conversion",
                       kpi_before=18.0, kpi_now=15.0),
    ]  # fmt: skip
    return Measurement(
        map_id="shop", map_title="Jo buys running shoes", map_version="2.1",
        measured_at=dt.datetime(2026, 4, 2, 9, 30, tzinfo=dt.UTC),
        method="Signals normalised to [-1, 1] and combined; see `docs/measure.md`.",
        sources=[
            SourceInfo(kind="events", path="/data/events.parquet", rows_read=12000,
                       rows_used=12000, customers=1000,
                       first=dt.datetime(2026, 1, 5, 8, 0), last=dt.datetime(2026, 3, 29, 20, 0)),
            SourceInfo(kind="feedback", path="/data/survey.csv", rows_read=650, rows_used=640,
                       rows_unmatched=10, customers=610,
                       first=dt.datetime(2026, 1, 6), last=dt.datetime(2026, 3, 30)),
        ],
        touchpoints=tps, stages=stages, flows=flows, pain_points=pains, outcomes=outcomes,
        unconfirmed_pain_points=["confusing-faq"], kpis=kpis, actions=actions,
        coverage=8 / 11,
        drift=Drift(previous_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC), previous_map_version="2.0",
                    kpis={"nps": 6.0, "conversion:journey": -3.0},
                    emotions={"checkout": -0.4}, largest=40.0),
    )  # fmt: skip


#: what ``--since`` and ``--where`` leave a note of (measuring: EventSubset.lines)
FILTER_NOTES = [
    "filters: since 2026-01-05 (inclusive); channel!=store",
    "kept 12,000 of 15,500 events (77.4%) and 1,000 of 1,300 customers (76.9%)",
]
NOT_JUDGED = (
    "Drop-off (journeys given up) is not judged: 1 customer step has it, and the journey's "
    "norm needs 3. No touchpoint is flagged for it, which does not mean it is typical."
)


def _segment(value: str | None, customers: int, outcomes: dict[str, int],
             stages: dict[str, int]) -> SegmentMeasure:  # fmt: skip
    """A segment of SHOP: its customers, journeys by outcome key, customers per stage."""
    names = {"goal": "Reached the goal", "cancelled": "Cancelled", "abandoned": "Abandoned",
             "in-progress": "In progress"}  # fmt: skip
    journeys = sum(outcomes.values())
    return SegmentMeasure(
        column="channel", value=value, customers=customers,
        outcomes=[OutcomeMeasure(key=k, name=names[k], customers=n, share=n / journeys)
                  for k, n in outcomes.items()],
        stages=[StageMeasure(stage=k, name=k.title(), customers=n, reach_share=n / customers)
                for k, n in stages.items()],
    )  # fmt: skip


def make_segmented_measurement() -> Measurement:
    """The shop's measurement of the events after 5 January not in a store (a filter), by
    channel (two segments whose customers overlap: 600 + 450 of 1,000), with a friction
    measure it cannot judge (a caveat)."""
    ms = make_measurement()
    ms.sources[0].notes = list(FILTER_NOTES)
    ms.caveats = [NOT_JUDGED]
    ms.segments = [
        _segment("web", 600, {"goal": 240, "cancelled": 18, "abandoned": 312, "in-progress": 30},
                 {"discover": 600, "consider": 480, "purchase": 330, "delivery": 210,
                  "loyalty": 108}),
        # listed in another order: matched by key, shown in the report's order
        _segment("app", 450, {"in-progress": 30, "abandoned": 318, "cancelled": 12, "goal": 90},
                 {"loyalty": 50, "delivery": 100, "purchase": 200, "consider": 360,
                  "discover": 450}),
    ]  # fmt: skip
    return ms


@pytest.fixture
def shop_yaml() -> str:
    return SHOP


@pytest.fixture
def shop() -> JourneyMap:
    return jm.loads(SHOP)


@pytest.fixture
def ms() -> Measurement:
    return make_measurement()


@pytest.fixture
def segmented() -> Measurement:
    return make_segmented_measurement()
