"""The demo data: deterministic, read cleanly by the readers, tied to its map, and with the
injected frictions visible through the analyses that already exist (funnel, flows, scores,
sentiment). Nothing here knows the generator's parameters: every expectation is a property
that a correct demo must have."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import journeymap as jm
from journeymap.errors import UsageError
from journeymap.measuring.sample import SEGMENTS, SampleFiles, generate_sample

CHECKOUT_STEPS = ["cart_add", "checkout_start", "shipping_info", "payment_submit", "order_placed"]
PAIN_POINT_KINDS = {"drop-off", "loops", "slow", "support", "low-score", "negative-themes"}


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> SampleFiles:
    return generate_sample(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def log(sample: SampleFiles) -> Iterator[jm.EventLog]:
    log = jm.read_events(sample.events)
    yield log
    log.engine.close()


@pytest.fixture(scope="module")
def feedback(sample: SampleFiles) -> jm.Feedback:
    return jm.read_feedback(sample.feedback)


@pytest.fixture(scope="module")
def events(sample: SampleFiles) -> pa.Table:
    return pq.read_table(sample.events)


@pytest.fixture(scope="module")
def themap(sample: SampleFiles) -> jm.JourneyMap:
    return jm.load(sample.map)


def _survey(fb: jm.Feedback, survey: str) -> pa.Table:
    return fb.table.filter(pc.equal(fb.table.column("survey"), survey))


def _customers_with(events: pa.Table, event: str) -> set[str]:
    rows = events.filter(pc.equal(events.column("event"), event))
    return set(rows.column("customer_id").to_pylist())


def _sub_log(log: jm.EventLog, customers: set[str]) -> jm.EventLog:
    """The events of some customers, read again through read_events (on the same engine)."""
    table = log.table.filter(log.table.customer.isin(sorted(customers)))
    return jm.read_events(table, engine=log.engine)


def _step(table: pa.Table, name: str) -> dict[str, object]:
    rows = [r for r in table.to_pylist() if r["name"] == name]
    assert len(rows) == 1, name
    return rows[0]


# ---- determinism and size --------------------------------------------------------------------


def test_same_seed_gives_the_same_bytes_and_another_seed_other_data(
    sample: SampleFiles, tmp_path: Path
) -> None:
    again = generate_sample(tmp_path / "again")
    for a, b in ((sample.events, again.events), (sample.feedback, again.feedback),
                 (sample.map, again.map)):  # fmt: skip
        assert a.read_bytes() == b.read_bytes(), a.name
    assert again.counts == sample.counts
    other = generate_sample(tmp_path / "other", seed=8)
    assert other.events.read_bytes() != sample.events.read_bytes()
    assert other.feedback.read_bytes() != sample.feedback.read_bytes()
    assert other.counts != sample.counts


def test_writes_only_the_three_files(sample: SampleFiles) -> None:
    names = sorted(p.name for p in sample.events.parent.iterdir())
    assert names == ["events.parquet", "feedback.csv", "journey.yaml"]
    assert [sample.events.name, sample.feedback.name, sample.map.name] == names


def test_sizes_are_in_the_expected_ranges(
    sample: SampleFiles, events: pa.Table, feedback: jm.Feedback
) -> None:
    counts = sample.counts
    assert counts.customers == 3000
    assert counts.events == events.num_rows
    assert 50_000 <= counts.events <= 150_000
    assert counts.responses == feedback.table.num_rows
    assert len(set(events.column("customer_id").to_pylist())) == counts.customers
    respondents = len(set(feedback.table.column("customer_id").to_pylist()))
    assert 0.2 <= respondents / counts.customers <= 0.3
    orders = Counter(events.column("event").to_pylist())
    assert counts.orders == orders["order_placed"] + orders["repeat_order"]
    assert counts.late_orders == orders["delivery_late"]
    assert 0.15 <= counts.late_orders / counts.orders <= 0.45


def test_segments_and_their_shares(events: pa.Table) -> None:
    per_customer = dict(
        zip(events.column("customer_id").to_pylist(), events.column("segment").to_pylist(),
            strict=True)
    )  # fmt: skip
    shares = Counter(per_customer.values())
    assert set(shares) == set(SEGMENTS) and len(SEGMENTS) == 3
    total = sum(shares.values())
    share = [shares[s] / total for s in SEGMENTS]  # documented: 45%, 35%, 20%
    assert share == sorted(share, reverse=True)
    assert share[0] < 0.5 and share[-1] > 0.15


def test_small_sample_and_bad_arguments(tmp_path: Path) -> None:
    small = generate_sample(tmp_path / "small", customers=40, weeks=4)
    assert small.counts.customers == 40
    assert pq.read_table(small.events).num_rows == small.counts.events > 40
    assert (small.last - small.first).days >= 21
    with pytest.raises(UsageError, match="customers"):
        generate_sample(tmp_path / "none", customers=0)
    with pytest.raises(UsageError, match="weeks"):
        generate_sample(tmp_path / "none", weeks=0)


# ---- the event log ---------------------------------------------------------------------------


def test_events_columns_types_and_values(events: pa.Table) -> None:
    assert events.column_names == [
        "customer_id", "timestamp", "event", "session_id", "channel", "value", "segment",
    ]  # fmt: skip
    assert events.schema.field("timestamp").type == pa.timestamp("us", tz="UTC")
    assert events.schema.field("value").type == pa.float64()
    names = events.column("event").to_pylist()
    values = events.column("value").to_pylist()
    sessions = events.column("session_id").to_pylist()
    with_value = {n for n, v in zip(names, values, strict=True) if v is not None}
    assert with_value == {"order_placed", "repeat_order"}
    assert all(v > 0 for v in values if v is not None)
    assert all(v is not None for n, v in zip(names, values, strict=True) if n in with_value)
    off_site = {n for n, s in zip(names, sessions, strict=True) if s is None}
    assert "order_shipped" in off_site and "delivered" in off_site
    assert off_site.isdisjoint({"product_view", "checkout_start", "payment_submit"})
    # rows are written in time order
    ts = events.column("timestamp")
    assert pc.all(pc.less_equal(ts.slice(0, len(ts) - 1), ts.slice(1))).as_py()


def test_read_events_uses_every_row(sample: SampleFiles, log: jm.EventLog) -> None:
    report = log.report
    assert report.rows_read == sample.counts.events
    assert report.rows_rejected == 0
    cols = report.columns
    assert (cols.customer, cols.time, cols.event) == ("customer_id", "timestamp", "event")
    assert (cols.session, cols.channel, cols.value) == ("session_id", "channel", "value")


def test_gaps_are_realistic(log: jm.EventLog) -> None:
    """Seconds between clicks, days between an order and its delivery."""
    f = {(r["from"], r["to"]): r for r in jm.flows(log).to_pylist()}
    click = f[("product_view", "reviews_read")]["median_seconds"]
    assert 10 <= click <= 300
    ship = f[("order_placed", "order_shipped")]["median_seconds"]
    assert 6 * 3600 <= ship <= 2 * 86400


# ---- the map and its links -------------------------------------------------------------------


def test_map_loads_validates_and_lints_clean(sample: SampleFiles, themap: jm.JourneyMap) -> None:
    assert jm.check_map(themap) == []
    assert [f for f in jm.lint(themap) if f.severity == "error"] == []
    # on the day the data ends, a reviewer has nothing to ask about
    assert jm.lint(themap, today=sample.last) == []
    assert [s.id for s in themap.stages] == [
        "discover", "consider", "purchase", "delivery", "support", "loyalty",
    ]  # fmt: skip
    assert themap.persona is not None and themap.kpis and themap.opportunities
    kinds = {k.kind for k in themap.kpis}
    assert {"conversion", "nps", "csat", "retention", "churn"} <= kinds
    kpi_ids = {k.id for k in themap.kpis}
    assert all(o.kpi in kpi_ids and o.kpi_target is not None for o in themap.opportunities)
    checkout = next(o for o in themap.opportunities if o.touchpoint == "checkout")
    assert next(k for k in themap.kpis if k.id == checkout.kpi).touchpoint == "checkout"


def test_expected_emotions_are_optimistic(themap: jm.JourneyMap) -> None:
    expected = {tp.id: themap.expected_value(tp) for _, tp in themap.iter_touchpoints()}
    assert all(v is not None and v >= 1 for v in expected.values())
    assert expected["checkout"] == themap.scale.value("Satisfied")
    assert expected["delivery"] == themap.scale.value("Delighted")


def test_every_rule_matches_data_and_every_event_is_claimed_once(
    themap: jm.JourneyMap, events: pa.Table
) -> None:
    names = set(events.column("event").to_pylist())
    rules = {tp.id: tp.events for _, tp in themap.iter_touchpoints()}
    for tp_id, rule in rules.items():
        assert rule is not None, tp_id
        assert any(rule.matches_name(n) for n in names), tp_id
    for name in names:
        owners = [t for t, rule in rules.items() if rule is not None and rule.matches_name(name)]
        assert len(owners) == 1, (name, owners)
    patterns = [p for rule in rules.values() if rule is not None for p in rule.names]
    assert "payment_*" in patterns
    assert any(p.startswith("/") and p.endswith("/") for p in patterns)


def test_support_touchpoint_is_recognisable(themap: jm.JourneyMap) -> None:
    tp = themap.touchpoint("customer-support")
    assert tp.channel in ("chat", "phone") or tp.lane == "support"
    assert "support" in tp.name.lower()
    assert themap.stage_of("customer-support").id == "support"


def test_feedback_values_each_belong_to_one_touchpoint_with_one_survey(
    themap: jm.JourneyMap, feedback: jm.Feedback
) -> None:
    surveys: dict[str, set[str]] = defaultdict(set)
    for value, survey in zip(
        feedback.table.column("touchpoint").to_pylist(),
        feedback.table.column("survey").to_pylist(),
        strict=True,
    ):
        surveys[value].add(survey)
    claims = {tp.id: tp.feedback for _, tp in themap.iter_touchpoints() if tp.feedback is not None}
    for value, seen in surveys.items():
        owners = [t for t, fm in claims.items() if value in fm.values]
        assert len(owners) == 1, value
        assert seen == {claims[owners[0]].survey}, value
    assert {"Checkout", "Delivery", "Product page", "Support"} <= set(surveys)


# ---- the feedback ----------------------------------------------------------------------------


def test_read_feedback_detects_every_role(sample: SampleFiles, feedback: jm.Feedback) -> None:
    assert feedback.rows_read == sample.counts.responses
    assert feedback.rejected == 0
    roles = feedback.roles
    assert roles.score == "score" and roles.text == "comment"
    assert (roles.date, roles.customer) == ("submitted_at", "customer_id")
    assert (roles.touchpoint, roles.segment) == ("touchpoint", "segment")
    assert set(feedback.detected) >= {"score", "text", "date", "customer", "touchpoint"}
    raw = sample.feedback.read_text(encoding="utf-8").splitlines()[1]
    submitted = raw.split(",")[2]
    assert submitted[-6] in "+-" and submitted[-3] == ":"  # ISO 8601 with an offset


def test_scores_are_on_their_scales(feedback: jm.Feedback) -> None:
    nps = _survey(feedback, "nps").column("score").to_pylist()
    csat = _survey(feedback, "csat").column("score").to_pylist()
    assert len(nps) + len(csat) == feedback.table.num_rows
    assert set(nps) <= set(range(11)) and min(nps) == 0 and max(nps) == 10
    assert set(csat) == {1, 2, 3, 4, 5}


def test_comments_vary(feedback: jm.Feedback) -> None:
    by_tp: dict[str, list[str | None]] = defaultdict(list)
    for tp, text in zip(
        feedback.table.column("touchpoint").to_pylist(),
        feedback.table.column("comment").to_pylist(),
        strict=True,
    ):
        by_tp[tp].append(text)
    for tp, texts in by_tp.items():
        written = [t for t in texts if t]
        assert len(set(written)) >= 8, tp
        assert 0.05 <= 1 - len(written) / len(texts) <= 0.5, tp  # some answers leave no comment


# ---- the injected frictions, seen with the existing analyses ---------------------------------


def test_checkout_loses_most_at_the_payment_step(log: jm.EventLog) -> None:
    f = jm.funnel(log, steps=CHECKOUT_STEPS).to_pylist()
    later = f[1:]
    worst = min(later, key=lambda r: r["conversion_from_previous"])
    assert worst["name"] == "order_placed"
    assert worst["conversion_from_previous"] < 0.8
    assert worst["drop_off"] == max(r["drop_off"] for r in later)
    # the account wall and the shipping form before it lose customers too
    form = next(r for r in later if r["name"] == "shipping_info")
    assert form["conversion_from_previous"] < 0.9


def test_payment_errors_loop_back_to_payment(log: jm.EventLog, events: pa.Table) -> None:
    f = {(r["from"], r["to"]): r for r in jm.flows(log).to_pylist()}
    retry = f[("payment_error", "payment_submit")]
    assert retry["count"] > f[("payment_submit", "payment_error")]["count"] * 0.4
    erring = _customers_with(events, "payment_error")
    paying = _customers_with(events, "payment_submit")
    assert 0.2 <= len(erring) / len(paying) <= 0.6


def test_support_follows_payment_errors(log: jm.EventLog) -> None:
    def chat_within_hour(step: str) -> float:
        f = jm.funnel(log, steps=[step, "chat_started"], within=timedelta(hours=1))
        return float(_step(f, "chat_started")["conversion_from_previous"])  # type: ignore[arg-type]

    after_error = chat_within_hour("payment_error")
    assert after_error > 0.2
    assert after_error > 5 * chat_within_hour("product_view")
    assert after_error > 5 * chat_within_hour("order_placed")


def test_late_deliveries_take_days_longer_and_bring_tickets(
    log: jm.EventLog, events: pa.Table
) -> None:
    late = _customers_with(events, "delivery_late")
    on_time = _customers_with(events, "delivered") - late
    medians, tickets, back = {}, {}, {}
    for name, who in (("late", late), ("on_time", on_time)):
        sub = _sub_log(log, who)
        f = jm.funnel(sub, steps=["order_placed", "delivered"])
        medians[name] = _step(f, "delivered")["median_seconds"]
        t = jm.funnel(sub, steps=["order_placed", "ticket_opened"])
        tickets[name] = _step(t, "ticket_opened")["conversion_from_previous"]
        # coming back after the parcel arrived (late: after it was late)
        first = "delivery_late" if name == "late" else "delivered"
        r = jm.funnel(sub, steps=[first, "repeat_visit"])
        back[name] = _step(r, "repeat_visit")["conversion_from_previous"]
    day = 86400
    assert medians["on_time"] < 3.5 * day
    assert medians["late"] > 6 * day
    assert medians["late"] > 2.5 * medians["on_time"]
    assert tickets["late"] > 5 * tickets["on_time"]
    assert back["late"] < back["on_time"] / 2


def test_checkout_and_delivery_have_the_lowest_csat(feedback: jm.Feedback) -> None:
    csat = jm.scores(_survey(feedback, "csat"), score="score", scale="csat", by=["touchpoint"])
    by_tp = dict(zip(csat.column("touchpoint").to_pylist(), csat.column("score").to_pylist(),
                     strict=True))  # fmt: skip
    assert set(by_tp) == {"Search", "Product page", "Checkout", "Delivery", "Support"}
    ranked = sorted(by_tp, key=by_tp.__getitem__)
    assert set(ranked[:2]) == {"Checkout", "Delivery"}
    worst = max(by_tp["Checkout"], by_tp["Delivery"])
    assert worst < 70
    assert min(v for k, v in by_tp.items() if k not in ("Checkout", "Delivery")) > worst + 5
    # the team's search pain point is not backed by the data
    assert by_tp["Search"] > 75


def test_nps_is_low_where_the_frictions_hit(feedback: jm.Feedback, events: pa.Table) -> None:
    troubled = _customers_with(events, "delivery_late") | _customers_with(events, "payment_error")
    nps = _survey(feedback, "nps")
    hit = pc.is_in(nps.column("customer_id"), pa.array(sorted(troubled)))
    bad = jm.scores(nps.filter(hit), score="score", scale="nps").column("score")[0].as_py()
    good = jm.scores(nps.filter(pc.invert(hit)), score="score", scale="nps")
    assert good.column("score")[0].as_py() > bad + 40
    assert good.column("n")[0].as_py() >= 50


def test_comments_about_checkout_and_delivery_are_the_most_negative(
    feedback: jm.Feedback,
) -> None:
    scored = jm.sentiment(feedback)
    texts: dict[str, list[str]] = defaultdict(list)
    by_tp: dict[str, list[float]] = defaultdict(list)
    for tp, text, score in zip(
        feedback.table.column("touchpoint").to_pylist(),
        feedback.table.column("comment").to_pylist(),
        scored.column("score").to_pylist(),
        strict=True,
    ):
        if score is not None:
            by_tp[tp].append(score)
            texts[tp].append(text.lower())
    mean = {tp: statistics.fmean(v) for tp, v in by_tp.items()}
    csat_tps = {"Search", "Product page", "Checkout", "Delivery", "Support"}
    ranked = sorted(csat_tps, key=mean.__getitem__)
    assert set(ranked[:2]) == {"Checkout", "Delivery"}
    card = sum(("card" in t or "payment" in t) for t in texts["Checkout"]) / len(texts["Checkout"])
    late = sum(("late" in t or "days" in t) for t in texts["Delivery"]) / len(texts["Delivery"])
    assert card > 0.25 and late > 0.2


def test_ground_truth_points_at_the_map(sample: SampleFiles, themap: jm.JourneyMap) -> None:
    assert {f.touchpoint for f in sample.frictions} == {"checkout", "delivery"}
    assert {f.kind for f in sample.frictions} <= PAIN_POINT_KINDS
    assert all(f.description for f in sample.frictions)
    for pid in sample.unbacked_pain_points:
        pain = next(p for p in themap.pain_points if p.id == pid)
        assert pain.touchpoint not in {f.touchpoint for f in sample.frictions}
    confirmed = [p for p in themap.pain_points if p.id not in sample.unbacked_pain_points]
    assert {p.touchpoint for p in confirmed} == {"checkout"}
