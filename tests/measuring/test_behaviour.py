"""Behaviour per touchpoint and stage: linking rules (names, globs, regexes, channel, where,
first claim wins), check_links findings, and every metric on a hand-made log whose numbers
are worked out by hand below; the onboarding log against independent SQL and the funnel;
DuckDB against Spark on the small log."""

from __future__ import annotations

import csv
import gc
import math
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import journeymap as jm
from journeymap.engine import Engine
from journeymap.errors import UsageError
from journeymap.events.funnel import funnel
from journeymap.events.read import EventLog, read_events
from journeymap.measuring.behaviour import (
    BEHAVIOUR_SCHEMA,
    STAGE_SCHEMA,
    check_links,
    default_support,
    match_events,
    stage_behaviour,
    touchpoint_behaviour,
)

# ---- the hand-made shop --------------------------------------------------------------------

SHOP = """\
title: Shop
stages:
  - name: Browse
    touchpoints:
      - name: Home
        events: [home]
      - name: Search
        events: ["search_*"]
  - name: Buy
    touchpoints:
      - name: Cart
        events: [cart]
      - name: Pay
        events: ["/^pay(ment)?$/"]
  - name: Help
    touchpoints:
      - name: Support chat
        channel: chat
        events: [chat]
      - name: Refund
        events: [refund_form, pay]
      - name: Email
"""

T0 = datetime(2024, 1, 1)
DAY = 86400

#: (customer, event, seconds after T0), in input order. Matched sequences (H home, S search,
#: C cart, P pay, X support chat; "other" belongs to no touchpoint):
#:   a: H@0 H@5 S@10 H@20 C@30 H@40 P@100 X@200
#:   b: H@0 C@0 (a tie: input order says H first) C@50 [other@60] P@70
#:   c: S@0 [other@5]
#:   d: C@0 X@3600 C@4000
#:   e: H@0 X@3 days
SHOP_ROWS: list[tuple[str, str, int]] = [
    ("a", "home", 0), ("a", "home", 5), ("a", "search_x", 10), ("a", "home", 20),
    ("a", "cart", 30), ("a", "home", 40), ("a", "payment", 100), ("a", "chat", 200),
    ("b", "home", 0), ("b", "cart", 0), ("b", "cart", 50), ("b", "other", 60), ("b", "pay", 70),
    ("c", "search_y", 0), ("c", "other", 5),
    ("d", "cart", 0), ("d", "chat", 3600), ("d", "cart", 4000),
    ("e", "home", 0), ("e", "chat", 3 * DAY),
]  # fmt: skip

#: the touchpoint table worked out by hand from the sequences above
#: (support: chat within 2 days after an event; e's chat comes 3 days after its home)
SHOP_TOUCHPOINTS: list[dict[str, Any]] = [
    # home: a (4 events, 3 visits), b, e. Seconds to the next other touchpoint, per event:
    # a 10 5 10 60, b 0 (the tie), e 259200 -> sorted 0 5 10 10 60 259200: median 10,
    # p90 at 4.5 = 60 + 0.5 * (259200 - 60) = 129630. Support: a (chat 200 s after).
    {"stage": "browse", "touchpoint": "home", "order": 1, "customers": 3, "reach_share": 3 / 5,
     "entries": 6, "repeat_customers": 1, "loops": 1, "backtrack_customers": 0,
     "dropoff_customers": 0, "dropoff_rate": 0.0, "next_customers": 3,
     "median_seconds_to_next": 10.0, "p90_seconds_to_next": 129630.0, "support_customers": 1,
     "support_rate": 1 / 3, "value": None},
    # search: a (-> home 10 s later), c (ends there)
    {"stage": "browse", "touchpoint": "search", "order": 2, "customers": 2, "reach_share": 0.4,
     "entries": 2, "repeat_customers": 0, "loops": 0, "backtrack_customers": 0,
     "dropoff_customers": 1, "dropoff_rate": 0.5, "next_customers": 1,
     "median_seconds_to_next": 10.0, "p90_seconds_to_next": 10.0, "support_customers": 1,
     "support_rate": 0.5, "value": None},
    # cart: a (-> home: back to Browse), b (2 in a row: a repeat, no loop), d (cart, chat,
    # cart: a loop, ends there). Seconds: a 10, b 70 20, d 3600 -> 10 20 70 3600: median 45,
    # p90 at 2.7 = 70 + 0.7 * 3530 = 2541. Support: a, d (chat 1 h later).
    {"stage": "buy", "touchpoint": "cart", "order": 3, "customers": 3, "reach_share": 0.6,
     "entries": 5, "repeat_customers": 2, "loops": 1, "backtrack_customers": 1,
     "dropoff_customers": 1, "dropoff_rate": 1 / 3, "next_customers": 3,
     "median_seconds_to_next": 45.0, "p90_seconds_to_next": 2541.0, "support_customers": 2,
     "support_rate": 2 / 3, "value": None},
    # pay (payment and pay by the regex): a (-> chat 100 s), b (ends there)
    {"stage": "buy", "touchpoint": "pay", "order": 4, "customers": 2, "reach_share": 0.4,
     "entries": 2, "repeat_customers": 0, "loops": 0, "backtrack_customers": 0,
     "dropoff_customers": 1, "dropoff_rate": 0.5, "next_customers": 1,
     "median_seconds_to_next": 100.0, "p90_seconds_to_next": 100.0, "support_customers": 1,
     "support_rate": 0.5, "value": None},
    # support chat: a, e end there; d goes back to cart (Buy, an earlier stage) 400 s later
    {"stage": "help", "touchpoint": "support-chat", "order": 5, "customers": 3,
     "reach_share": 0.6, "entries": 3, "repeat_customers": 0, "loops": 0,
     "backtrack_customers": 1, "dropoff_customers": 2, "dropoff_rate": 2 / 3,
     "next_customers": 1, "median_seconds_to_next": 400.0, "p90_seconds_to_next": 400.0,
     "support_customers": None, "support_rate": None, "value": None},
    # refund: its "pay" goes to Pay (first in map order); refund_form never happens
    {"stage": "help", "touchpoint": "refund", "order": 6, "customers": 0, "reach_share": 0.0,
     "entries": 0, "repeat_customers": 0, "loops": 0, "backtrack_customers": 0,
     "dropoff_customers": 0, "dropoff_rate": None, "next_customers": 0,
     "median_seconds_to_next": None, "p90_seconds_to_next": None, "support_customers": 0,
     "support_rate": None, "value": None},
    # email: no events rule
    {"stage": "help", "touchpoint": "email", "order": 7, "customers": 0, "reach_share": 0.0,
     "entries": 0, "repeat_customers": 0, "loops": 0, "backtrack_customers": 0,
     "dropoff_customers": 0, "dropoff_rate": None, "next_customers": 0,
     "median_seconds_to_next": None, "p90_seconds_to_next": None, "support_customers": 0,
     "support_rate": None, "value": None},
]  # fmt: skip

#: Outcomes with the map's defaults: the goal is the last stage (Help: support chat, refund,
#: email); the data ends at e's chat (3 days), so every journey without the goal is still in
#: progress (quiet for less than 30 days). a, d, e reached the goal (a chat); b and c did not.
#: Every customer of a stage goes on, ends there or went back (ends in an earlier stage):
#: customers = converted + dropoff_customers + went_back; those who end there, by outcome.
SHOP_STAGES: list[dict[str, Any]] = [
    # Browse: a, b, c, e; later stage after it: a, b, e (c ends in search). Visits and their
    # exits: a [H H S H]@0 -> C@30: 30, a [H]@40 -> P@100: 60, b [H]@0 -> C@0: 0,
    # e [H]@0 -> X: 259200 (c's visit is its last: left out) -> median (30 + 60) / 2 = 45.
    # In order (the funnel): a, b, c, e reach Browse first.
    {"stage": "browse", "order": 1, "customers": 4, "reach_share": 0.8, "funnel_customers": 4,
     "converted": 3, "conversion_to_next": 0.75, "dropoff_customers": 1, "dropoff_rate": 0.25,
     "went_back": 0, "ended_goal": 0, "ended_other": 0, "abandoned": 0, "in_progress": 1,
     "median_seconds_in_stage": 45.0},
    # Buy: a, b, d. a goes on to Help; b ends at Pay; d's chat is followed by a cart: d ends
    # in Buy, so it does not go on. Visits: a [C]@30 -> H: 10, a [P]@100 -> X: 100,
    # d [C]@0 -> X: 3600 (b's and d's last visits left out) -> median 100. After Browse, in
    # order: a (C@30), b (C@0 after H@0, input order); d never browsed.
    {"stage": "buy", "order": 2, "customers": 3, "reach_share": 0.6, "funnel_customers": 2,
     "converted": 1, "conversion_to_next": 1 / 3, "dropoff_customers": 2,
     "dropoff_rate": 2 / 3, "went_back": 0, "ended_goal": 1, "ended_other": 0,
     "abandoned": 0, "in_progress": 1, "median_seconds_in_stage": 100.0},
    # Help: the last stage (nothing to convert to); d's chat -> cart 400 s later: d went back.
    # In order after Buy: a only.
    {"stage": "help", "order": 3, "customers": 3, "reach_share": 0.6, "funnel_customers": 1,
     "converted": None, "conversion_to_next": None, "dropoff_customers": 2,
     "dropoff_rate": 2 / 3, "went_back": 1, "ended_goal": 2, "ended_other": 0,
     "abandoned": 0, "in_progress": 0, "median_seconds_in_stage": 400.0},
]  # fmt: skip


def _iso(seconds: float) -> str:
    return (T0 + timedelta(seconds=seconds)).isoformat() + "Z"


MakeLog = Callable[..., EventLog]


@pytest.fixture
def make_log(tmp_path: Path) -> Iterator[MakeLog]:
    """``make_log(rows, columns=(...))``: the rows written to a CSV file in this order and
    read with ``read_events`` on a fresh DuckDB engine; a time given as a number is seconds
    after T0."""
    engines: list[Engine] = []

    def make(
        rows: Sequence[Sequence[Any]],
        columns: Sequence[str] = ("customer", "event", "timestamp"),
        engine: Engine | None = None,
    ) -> EventLog:
        path = tmp_path / f"log{len(engines)}_{id(rows)}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(columns)
            for row in rows:
                w.writerow(
                    [_iso(v) if c == "timestamp" else v for c, v in zip(columns, row, strict=True)]
                )
        if engine is None:
            engine = Engine.connect()
            engines.append(engine)
        return read_events(path, engine=engine)

    yield make
    for engine in engines:
        engine.close()


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return bool(a == b) and type(a) is type(b)


def assert_rows(got: pa.Table, want: list[dict[str, Any]]) -> None:
    rows = got.to_pylist()
    assert len(rows) == len(want)
    for r, w in zip(rows, want, strict=True):
        for key, value in w.items():
            assert _close(r[key], value), f"{w.get('touchpoint', w['stage'])}.{key}: {r[key]!r}"


def by_touchpoint(table: pa.Table, column: str | None = None) -> dict[str, Any]:
    """``{touchpoint: row}``, or ``{touchpoint: row[column]}``."""
    return {r["touchpoint"]: r if column is None else r[column] for r in table.to_pylist()}


@pytest.fixture
def shop(make_log: MakeLog) -> tuple[EventLog, jm.JourneyMap]:
    return make_log(SHOP_ROWS), jm.loads(SHOP, file="shop.yaml")


def test_match_events_labels_and_counts(shop: tuple[EventLog, jm.JourneyMap]) -> None:
    log, m = shop
    matched = match_events(log, m)
    assert (matched.rows, matched.matched_rows, matched.unmatched_rows) == (20, 18, 2)
    assert (matched.customers, matched.matched_customers) == (5, 5)
    table = log.engine.run(matched.table.order_by("seq"))
    # the log's other columns (channel, session, carried ones) did their work once claimed
    assert table.column_names == ["customer", "event", "ts", "ts_sub", "seq", "touchpoint",
                                  "stage", "tp_order"]  # fmt: skip
    labels = {(r["event"], r["touchpoint"], r["stage"], r["tp_order"]) for r in table.to_pylist()}
    assert labels == {
        ("home", "home", "browse", 1),
        ("search_x", "search", "browse", 2),
        ("search_y", "search", "browse", 2),
        ("cart", "cart", "buy", 3),
        ("payment", "pay", "buy", 4),
        ("pay", "pay", "buy", 4),  # Pay's, not Refund's: the first in map order wins
        ("chat", "support-chat", "help", 5),
    }


def test_touchpoint_behaviour_by_hand(shop: tuple[EventLog, jm.JourneyMap]) -> None:
    log, m = shop
    got = touchpoint_behaviour(match_events(log, m), m)
    assert got.schema == BEHAVIOUR_SCHEMA
    assert_rows(got, SHOP_TOUCHPOINTS)


def test_stage_behaviour_by_hand(shop: tuple[EventLog, jm.JourneyMap]) -> None:
    log, m = shop
    got = stage_behaviour(match_events(log, m), m)
    assert got.schema == STAGE_SCHEMA
    assert_rows(got, SHOP_STAGES)


def test_ties_in_time_follow_input_order(make_log: MakeLog) -> None:
    """b's home and cart share a time: with cart written first, b goes cart -> home (back
    to Browse) -> cart, and its home's next touchpoint is the cart 50 s later."""
    rows = list(SHOP_ROWS)
    i = rows.index(("b", "home", 0))
    rows[i], rows[i + 1] = rows[i + 1], rows[i]
    m = jm.loads(SHOP)
    got = by_touchpoint(touchpoint_behaviour(match_events(make_log(rows), m), m))
    assert got["cart"]["backtrack_customers"] == 2  # a, and now b
    assert got["cart"]["loops"] == 2  # b: cart, home, cart
    # cart's seconds to next: a 10, b 0 (-> home at the same time) 20, d 3600
    assert got["cart"]["median_seconds_to_next"] == pytest.approx(15.0)
    # home: a 10 5 10 60, b 50, e 259200 -> 5 10 10 50 60 259200: median (10 + 50) / 2
    assert got["home"]["median_seconds_to_next"] == pytest.approx(30.0)


def test_support_window_and_explicit_support(shop: tuple[EventLog, jm.JourneyMap]) -> None:
    log, m = shop
    assert default_support(m) == ["support-chat"]
    matched = match_events(log, m)
    # 4 days: e's chat (3 days after home) now counts
    wide = by_touchpoint(touchpoint_behaviour(matched, m, support_window="4d"), "support_customers")
    assert wide["home"] == 2
    # 30 minutes: a's chat (200 s after its first home) counts, d's (1 h after cart) not
    narrow = touchpoint_behaviour(matched, m, support_window=timedelta(minutes=30))
    assert by_touchpoint(narrow, "support_customers") == {
        "home": 1,
        "search": 1,
        "cart": 1,
        "pay": 1,
        "support-chat": None,  # a support touchpoint is not followed by "support"
        "refund": 0,
        "email": 0,
    }
    # exactly the window is inside: d's chat is 3600 s after its cart
    hour = by_touchpoint(touchpoint_behaviour(matched, m, support_window="1h"), "support_customers")
    assert hour["cart"] == 2
    # cart as the support touchpoint: a (home -> cart 10 s later), b, d
    as_cart = by_touchpoint(touchpoint_behaviour(matched, m, support=["cart"]), "support_customers")
    assert as_cart["home"] == 2  # a, b (e never reaches cart)
    assert as_cart["cart"] is None  # the support touchpoint itself
    # no support touchpoint: not measured, not zero
    none = touchpoint_behaviour(matched, m, support=[])
    assert none.column("support_customers").null_count == none.num_rows
    with pytest.raises(UsageError, match=r"no touchpoint 'support_chat'.*'support-chat'"):
        touchpoint_behaviour(matched, m, support=["support_chat"])
    with pytest.raises(UsageError, match="support_window"):
        touchpoint_behaviour(matched, m, support_window="soon")


def test_value_sums_the_log_value(make_log: MakeLog) -> None:
    rows = [(c, e, t, 10.5 if e in ("pay", "payment") else "") for c, e, t in SHOP_ROWS]
    rows[-2] = ("e", "home", 0, 1.25)
    log = make_log(rows, columns=("customer", "event", "timestamp", "revenue"))
    m = jm.loads(SHOP)
    got = by_touchpoint(touchpoint_behaviour(match_events(log, m), m), "value")
    assert got["pay"] == pytest.approx(21.0)
    assert got["home"] == pytest.approx(1.25)
    assert got["cart"] is None  # no cart event has a value
    assert got["email"] is None


# ---- linking rules -------------------------------------------------------------------------


def test_check_links_findings(shop: tuple[EventLog, jm.JourneyMap]) -> None:
    log, m = shop
    found = check_links(log, m)
    assert found.column_names == ["kind", "touchpoint", "event", "rows", "customers", "message"]
    keys = ("kind", "touchpoint", "event", "rows", "customers")
    rows = [tuple(r[k] for k in keys) for r in found.to_pylist()]
    assert rows == [
        ("no-events", "refund", None, 0, 0),
        ("no-events", "email", None, 0, 0),
        ("matched-twice", "refund", "pay", 1, 1),
        ("unmatched-event", None, "other", 2, 2),
    ]
    messages = found.column("message").to_pylist()
    assert "goes to the earlier touchpoint 'pay'" in messages[0]
    assert "no `events:` rule" in messages[1]
    assert "count for 'pay'" in messages[2]
    assert "'other': 2 rows of 2 customers belong to no touchpoint" in messages[3]


def test_check_links_names_a_missing_event(make_log: MakeLog) -> None:
    log = make_log([("a", "checkout", 0)])
    m = jm.loads(
        "title: T\nstages:\n  - name: S\n    touchpoints:\n"
        "      - name: Checkout\n        events: [chekout]\n"
    )
    found = check_links(log, m).to_pylist()
    assert [f["kind"] for f in found] == ["no-events", "unmatched-event"]
    assert "no event 'chekout' (did you mean 'checkout'?)" in found[0]["message"]


NAMES = ["a_b", "axb", "a%b", "a%%b", "ab", "b_x", "a_x", "]x", "a[", "x.y", "xzy", "(a)1",
         "pay$1", "a\\b", "50%_off", "50x_off", "Pay", "prepay", "payment", "payments",
         "login_failure"]  # fmt: skip
PATTERNS = ["a_*", "a%b", "*%*", "a?b", "[ab]_x", "[!a]*", "[]]x", "a[", "x.y*", "(a)*",
            "pay$*", "a\\b*", "50%_*", "*", "[z-a]b", "/^pay(ment)?$/", "/fail/", "/^a.b$/",
            "a_b"]  # fmt: skip


@pytest.mark.parametrize("pattern", PATTERNS)
def test_patterns_match_as_the_model_says(make_log: MakeLog, pattern: str) -> None:
    """Globs are whole-name with ``%`` and ``_`` literal (no SQL LIKE wildcards), regexes
    are searched: the engine picks exactly the names ``EventMatch.matches_name`` picks."""
    log = make_log([("c", name, i) for i, name in enumerate(NAMES)])
    m = jm.JourneyMap.model_validate(
        {
            "title": "P",
            "stages": [{"name": "S", "touchpoints": [{"name": "T", "events": [pattern]}]}],
        }
    )
    got = set(log.engine.run(match_events(log, m).table.select("event")).column(0).to_pylist())
    assert m.stages[0].touchpoints[0].events is not None
    want = {n for n in NAMES if m.stages[0].touchpoints[0].events.matches_name(n)}
    assert got == want


def test_literal_percent_and_underscore() -> None:
    """The cases that a SQL LIKE translation gets wrong, written out."""
    from journeymap.model import EventMatch

    assert EventMatch(names=["a_*"]).matches_name("a_b")
    assert not EventMatch(names=["a_*"]).matches_name("axb")
    assert not EventMatch(names=["50%_*"]).matches_name("50x_off")


def test_channel_condition(make_log: MakeLog) -> None:
    rows = [("a", "message", 0, "Chat"), ("a", "message", 10, "email"), ("b", "message", 0, "")]
    log = make_log(rows, columns=("customer", "event", "timestamp", "channel"))
    m = jm.loads(
        "title: T\nstages:\n  - name: S\n    touchpoints:\n      - name: Chat\n"
        "        events: {names: [message], channel: [chat]}\n"
    )
    matched = match_events(log, m)
    assert (matched.matched_rows, matched.unmatched_rows) == (1, 2)
    found = check_links(log, m).to_pylist()
    assert [(f["kind"], f["rows"]) for f in found] == [("unmatched-event", 2)]
    assert "its name matches 'chat', but not the conditions" in found[0]["message"]


def test_where_on_a_column_of_the_log(make_log: MakeLog) -> None:
    rows = [("a", "open", 0, "s1"), ("a", "open", 10, "s2"), ("b", "open", 0, "s1")]
    log = make_log(rows, columns=("customer", "event", "timestamp", "session"))
    m = jm.loads(
        "title: T\nstages:\n  - name: S\n    touchpoints:\n      - name: First\n"
        "        events: {names: [open], where: {session: s1}}\n      - name: Later\n"
        "        events: [open]\n"
    )
    got = touchpoint_behaviour(match_events(log, m), m).to_pylist()
    assert [(r["touchpoint"], r["entries"], r["customers"]) for r in got] == [
        ("first", 2, 2),
        ("later", 1, 1),
    ]
    # the rows of s1 match both: they go to First and are reported for Later
    twice = [f for f in check_links(log, m).to_pylist() if f["kind"] == "matched-twice"]
    assert [(f["touchpoint"], f["event"], f["rows"], f["customers"]) for f in twice] == [
        ("later", "open", 2, 2)
    ]


def test_conditions_on_missing_columns_are_errors(shop: tuple[EventLog, jm.JourneyMap]) -> None:
    log, _ = shop
    channel = jm.loads(
        "title: T\nstages:\n  - name: S\n    touchpoints:\n      - name: Chat\n"
        "        events: {names: [chat], channel: [chat]}\n"
    )
    with pytest.raises(UsageError, match=r"touchpoint 'chat' \(stage 's'\).*no channel column"):
        match_events(log, channel)
    with pytest.raises(UsageError, match="no channel column"):
        check_links(log, channel)
    where = jm.loads(
        "title: T\nstages:\n  - name: S\n    touchpoints:\n      - name: Pro\n"
        "        events: {names: [home], where: {plan: [pro]}}\n"
    )
    with pytest.raises(UsageError, match=r"touchpoint 'pro'.*the column 'plan'"):
        match_events(log, where)


def test_a_regex_the_engine_cannot_run_names_its_touchpoint(
    shop: tuple[EventLog, jm.JourneyMap],
) -> None:
    log, _ = shop
    m = jm.loads(
        "title: T\nstages:\n  - name: S\n    touchpoints:\n      - name: Look\n"
        '        events: ["/(?<=a)b/"]\n'
    )
    with pytest.raises(UsageError, match=r"touchpoint 'look'.*'/\(\?<=a\)b/'"):
        match_events(log, m)


def test_another_map_is_refused(shop: tuple[EventLog, jm.JourneyMap]) -> None:
    log, m = shop
    matched = match_events(log, m)
    other = jm.loads("title: T\nstages:\n  - name: S\n    touchpoints:\n      - name: Home\n")
    with pytest.raises(UsageError, match="another map"):
        touchpoint_behaviour(matched, other)


# ---- the onboarding log --------------------------------------------------------------------

ONBOARDING = {
    "welcome": {"welcome-screen": ["onboarding_welcome_screen"]},
    "login": {
        "choose-login": ["*chooseLoginType"],
        "login": ["/^onboarding_login_Type[12]$/", "onboarding_otherLogin__show"],
        "login-trouble": ["onboarding__loginFailure", "*_cancel", "*__close"],
    },
    "onboarding": {
        "privacy-policy": ["*privacy_policy*"],
        "profile": ["onboarding_profile_edit_close"],
    },
    "outcome": {"passed": ["passed"], "lost": ["lost"]},
}
#: the same touchpoints written as SQL, independently of the map's patterns
ONBOARDING_SQL = {
    "welcome-screen": "event_name = 'onboarding_welcome_screen'",
    "choose-login": "event_name IN ('onboarding__chooseLoginType', "
    "'onboarding_otherLogin__chooseLoginType')",
    "login": "event_name IN ('onboarding_login_Type1', 'onboarding_login_Type2', "
    "'onboarding_otherLogin__show')",
    "login-trouble": "event_name IN ('onboarding__loginFailure', 'onboarding_login_Type1_cancel', "
    "'onboarding_otherLogin__close')",
    "privacy-policy": "event_name LIKE '%privacy\\_policy%' ESCAPE '\\'",
    "profile": "event_name = 'onboarding_profile_edit_close'",
    "passed": "event_name = 'passed'",
    "lost": "event_name = 'lost'",
}


def _onboarding_map(without: Sequence[str] = ()) -> jm.JourneyMap:
    stages = [
        {
            "id": stage,
            "name": stage.title(),
            "touchpoints": [
                {"id": tp, "name": tp.replace("-", " ").title(), "events": names}
                for tp, names in tps.items()
                if tp not in without
            ],
        }
        for stage, tps in ONBOARDING.items()
    ]
    return jm.JourneyMap.model_validate({"title": "Mobile onboarding", "stages": stages})


@pytest.fixture(scope="module")
def onboarding(shared_data: Path) -> Iterator[tuple[EventLog, Path]]:
    path = shared_data / "eventlogs" / "mobile_app_onboarding.csv"
    with Engine.connect() as engine:
        yield read_events(path, engine=engine), path


def _sql(path: Path, query: str, without: Sequence[str] = ()) -> list[tuple[Any, ...]]:
    """Plain DuckDB SQL over the CSV, read as text in file order (``row``): ``ev`` holds
    each event's touchpoint ``tp`` (the touchpoints ``without`` left out), customer ``c``
    and time ``ns``."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute(
            "CREATE TABLE raw AS SELECT *, row_number() OVER () AS row FROM "
            "read_csv(?, all_varchar = true, header = true)",
            [str(path)],
        )
        case = " ".join(f"WHEN {cond} THEN '{tp}'" for tp, cond in ONBOARDING_SQL.items())
        con.execute(
            f"CREATE TABLE ev AS SELECT user_pseudo_id AS c, CASE {case} END AS tp, "
            "CAST(event_timestamp AS BIGINT) AS ns, row FROM raw"
        )
        con.execute("DELETE FROM ev WHERE list_contains(?, tp)", [list(without)])
        return con.execute(query).fetchall()
    finally:
        con.close()


#: per event, the seconds to the first event of the next visit (a run of one touchpoint)
TO_NEXT_SQL = """
WITH o AS (
  SELECT *, lag(tp) OVER (PARTITION BY c ORDER BY ns, row) AS prev FROM ev
), r AS (
  SELECT *, sum(CASE WHEN prev IS DISTINCT FROM tp THEN 1 ELSE 0 END)
    OVER (PARTITION BY c ORDER BY ns, row ROWS UNBOUNDED PRECEDING) AS visit FROM o
), starts AS (SELECT c, visit, min(ns) AS start FROM r GROUP BY c, visit)
SELECT r.tp, quantile_cont((s.start - r.ns) / 1e9, 0.5), quantile_cont((s.start - r.ns) / 1e9, 0.9)
FROM r JOIN starts s ON s.c = r.c AND s.visit = r.visit + 1 GROUP BY r.tp
"""


def test_onboarding_links_every_event(onboarding: tuple[EventLog, Path]) -> None:
    log, _ = onboarding
    assert check_links(log, _onboarding_map()).num_rows == 0


@pytest.mark.parametrize("without", [(), ("lost",)], ids=["all", "lost-left-out"])
def test_onboarding_agrees_with_sql(
    onboarding: tuple[EventLog, Path], without: tuple[str, ...]
) -> None:
    """Reach, entries, drop-off and times to next against plain SQL on the same file; with
    ``lost`` left out of the map, drop-off shows where the lost users stopped."""
    log, path = onboarding
    m = _onboarding_map(without)
    got = touchpoint_behaviour(match_events(log, m), m).to_pylist()

    def sql(query: str) -> list[tuple[Any, ...]]:
        return _sql(path, query, without)

    want = dict(sql("SELECT tp, count(DISTINCT c) FROM ev GROUP BY tp"))
    assert None not in want  # every event belongs to a touchpoint
    assert {r["touchpoint"]: r["customers"] for r in got} == want
    assert {r["touchpoint"]: r["entries"] for r in got} == dict(
        sql("SELECT tp, count(*) FROM ev GROUP BY tp")
    )
    # drop-off: the touchpoint of each customer's last event (time, then file order)
    last = dict(
        sql(
            "SELECT tp, count(*) FROM (SELECT c, arg_max(tp, (ns, row)) AS tp FROM ev "
            "GROUP BY c) GROUP BY tp"
        )
    )
    assert {r["touchpoint"]: r["dropoff_customers"] for r in got if r["dropoff_customers"]} == last
    assert sum(r["dropoff_customers"] for r in got) == sql("SELECT count(DISTINCT c) FROM ev")[0][0]
    times = {tp: (med, p90) for tp, med, p90 in sql(TO_NEXT_SQL)}
    assert {r["touchpoint"] for r in got if r["median_seconds_to_next"] is not None} == set(times)
    for r in got:
        if r["touchpoint"] in times:
            med, p90 = times[r["touchpoint"]]
            assert r["median_seconds_to_next"] == pytest.approx(med, rel=1e-9)
            assert r["p90_seconds_to_next"] == pytest.approx(p90, rel=1e-9)


#: per stage, the customers who go on (an event of a later stage after one of this stage,
#: and their last event is not in this stage), end there (their last event is in it) and
#: went back (neither), from a table ``st`` of (c, s, ns, row) events
STAGE_PARTITION_SQL = """
WITH last AS (SELECT c, arg_max(s, (ns, row)) AS s FROM st GROUP BY c),
here AS (SELECT c, s, min((ns, row)) AS first FROM st GROUP BY c, s),
later AS (
  SELECT DISTINCT h.c, h.s FROM st e JOIN here h ON e.c = h.c
  WHERE e.s > h.s AND (e.ns, e.row) > h.first
)
SELECT h.s, count(*) AS customers,
  count(*) FILTER (WHERE l.s = h.s) AS ends_here,
  count(*) FILTER (WHERE l.s <> h.s AND g.c IS NOT NULL) AS goes_on
FROM here h JOIN last l ON h.c = l.c LEFT JOIN later g ON g.c = h.c AND g.s = h.s
GROUP BY h.s ORDER BY h.s
"""


@pytest.mark.parametrize("without", [(), ("lost",)], ids=["all", "lost-left-out"])
def test_onboarding_stages_agree_with_funnel(
    onboarding: tuple[EventLog, Path], without: tuple[str, ...]
) -> None:
    """A stage's customers are step 1 of a funnel on its events, and its funnel customers the
    steps of ``events funnel`` with the stages as its steps; every stage's customers go on,
    end there or went back, counted independently in SQL; drop-off is the stage of each
    user's last event (SQL)."""
    log, path = onboarding
    m = _onboarding_map(without)
    stages = stage_behaviour(match_events(log, m), m).to_pylist()
    known = _events_in(path)
    names = {
        stage: sorted(
            {
                e
                for tp, rule in tps.items()
                if tp not in without
                for e in known
                if _rule_matches(rule, e)
            }
        )
        for stage, tps in ONBOARDING.items()
    }
    order = list(ONBOARDING)
    whole = funnel(log, steps=[names[s] for s in order]).to_pylist()
    stage_of = {tp: s for s, tps in ONBOARDING.items() for tp in tps}
    number = " ".join(f"WHEN '{tp}' THEN {order.index(s) + 1}" for tp, s in stage_of.items())
    partition = _sql(
        path,
        f"CREATE TABLE st AS SELECT c, CASE tp {number} END AS s, ns, row FROM ev; "
        + STAGE_PARTITION_SQL,
        without,
    )
    by_stage = {int(s): (n, ends, on) for s, n, ends, on in partition}
    for i, row in enumerate(stages):
        assert row["customers"] == funnel(log, steps=[names[order[i]]]).to_pylist()[0]["customers"]
        assert row["funnel_customers"] == whole[i]["customers"]
        n, ends, on = by_stage[i + 1]
        assert (row["customers"], row["dropoff_customers"]) == (n, ends)
        if i < len(order) - 1:
            assert row["converted"] == on
            assert row["conversion_to_next"] == pytest.approx(on / n)
        else:
            assert row["converted"] is None
        assert (
            row["customers"]
            == (row["converted"] or 0) + row["dropoff_customers"] + row["went_back"]
        )
        assert row["dropoff_customers"] == sum(
            row[k] for k in ("ended_goal", "ended_other", "abandoned", "in_progress")
        )
    last = _sql(path, "SELECT arg_max(tp, (ns, row)) FROM ev GROUP BY c", without)
    want = {s: sum(1 for (tp,) in last if stage_of[tp] == s) for s in ONBOARDING}
    assert {r["stage"]: r["dropoff_customers"] for r in stages} == want


def _events_in(path: Path) -> set[str]:
    return {row[0] for row in _sql(path, "SELECT DISTINCT event_name FROM raw")}


def _rule_matches(names: list[str], event: str) -> bool:
    from journeymap.model import EventMatch

    return EventMatch(names=names).matches_name(event)


# ---- DuckDB and Spark ----------------------------------------------------------------------


@pytest.mark.slow
def test_spark_gives_the_same_tables(make_log: MakeLog, spark_engine: Engine) -> None:
    """The shop, plus a glob with a regex metacharacter (``page.*``) and a channel rule."""
    rows = [(c, e, t, "chat" if e == "chat" else "web") for c, e, t in SHOP_ROWS]
    rows += [("a", "page.view", 300, "web"), ("f", "pageXview", 0, "web")]
    columns = ("customer", "event", "timestamp", "channel")
    text = SHOP.replace("events: [chat]", "events: {names: [chat], channel: [chat]}")
    text += "      - name: Pages\n        events: ['page.*']\n"
    m = jm.loads(text)
    results = []
    for engine in (None, spark_engine):
        log = make_log(rows, columns=columns, engine=engine)
        matched = match_events(log, m)
        results.append(
            (
                touchpoint_behaviour(matched, m),
                stage_behaviour(matched, m),
                check_links(log, m),
            )
        )
    duck, spark = results
    for want, got in zip(duck, spark, strict=True):
        assert got.schema == want.schema
        for g, w in zip(got.to_pylist(), want.to_pylist(), strict=True):
            assert g.keys() == w.keys()
            for key in w:
                assert _close(g[key], w[key]) or g[key] == w[key], (key, g[key], w[key])
    pages = duck[0].to_pylist()[-1]
    assert (pages["touchpoint"], pages["customers"]) == ("pages", 1)  # not pageXview


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_spark_names_a_pattern_java_cannot_run(make_log: MakeLog, spark_engine: Engine) -> None:
    """Python's named group ``(?P<name>...)`` is not Java's: Spark's own error about it
    becomes a message naming the touchpoint (Spark keeps the matched events lazily, so the
    pattern fails when they are first counted)."""
    m = jm.loads(
        "title: T\nstages:\n  - name: S\n    touchpoints:\n      - name: Named\n"
        "        events: ['/(?P<page>home)/']\n"
    )
    log = make_log(SHOP_ROWS, engine=spark_engine)
    with pytest.raises(UsageError, match=r"touchpoint 'named'.*the spark engine.*\(Java") as e:
        match_events(log, m)
    # PySpark closes the socket of a failed collect when it is garbage, with a
    # ResourceWarning: let it go here rather than at the end of the session
    del e
    gc.collect()


def test_coming_back_on_a_later_visit_is_not_backtracking(make_log: MakeLog) -> None:
    """Back to an earlier stage within 30 minutes is back-tracking; hours later it is a new
    visit (what loyal customers do), counted in loops, not in back-tracking."""
    m = jm.loads(SHOP)
    rows = [
        ("f", "home", 0), ("f", "cart", 60), ("f", "home", 60 + 29 * 60),  # back in the visit
        ("g", "home", 0), ("g", "cart", 60), ("g", "home", 60 + 3 * 3600),  # a later visit
    ]  # fmt: skip
    got = by_touchpoint(touchpoint_behaviour(match_events(make_log(rows), m), m))
    assert got["cart"]["backtrack_customers"] == 1  # f only
    assert got["home"]["loops"] == 2  # both came back to home


def test_where_reads_a_column_kept_by_read_events(tmp_path: Path) -> None:
    """A `where:` condition on a column outside the log's roles works once the column is
    kept (`journeymap measure` keeps what the map's conditions name)."""
    from journeymap.errors import EvidenceError
    from journeymap.measuring.pipeline import columns_to_keep

    path = tmp_path / "events.csv"
    path.write_text(
        "user_id,timestamp,event,plan\n"
        "a,2024-01-01T00:00:00,chat,pro\n"
        "b,2024-01-01T00:00:00,chat, free \n"
        "c,2024-01-01T00:00:00,chat,team\n",
        encoding="utf-8",
    )
    m = jm.loads(
        "title: T\nstages:\n  - name: S\n    touchpoints:\n"
        "      - name: Pro chat\n        events: {names: [chat], where: {plan: [pro, team]}}\n"
        "      - name: Free chat\n        events: {names: [chat], where: {plan: free}}\n"
    )
    assert columns_to_keep(m) == ["plan"]
    log = jm.read_events(path, keep=columns_to_keep(m))
    try:
        got = by_touchpoint(touchpoint_behaviour(match_events(log, m), m), "customers")
    finally:
        log.engine.close()
    assert got == {"pro-chat": 2, "free-chat": 1}  # " free " is trimmed like every text
    with pytest.raises(EvidenceError, match="no column 'plans' to keep; did you mean 'plan'"):
        jm.read_events(path, keep=["plans"])
