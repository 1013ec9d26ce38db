"""funnel: the issue's definition, checked against plain pandas on real data and on edge cases."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from journeymap.errors import UsageError
from journeymap.events.funnel import funnel
from journeymap.events.read import EventLog

pytestmark = pytest.mark.filterwarnings("ignore:fetch_arrow_table:DeprecationWarning")

ONBOARDING = [
    "onboarding_welcome_screen",
    "onboarding__chooseLoginType",
    "onboarding_login_Type1",
    "passed",
]


def pandas_funnel(
    df: Any, steps: Sequence[str | Sequence[str]], within: timedelta | None = None
) -> list[dict[str, Any]]:
    """The definition, written independently: walk each customer's events in order."""
    import pandas as pd

    sets = [{s} if isinstance(s, str) else set(s) for s in steps]
    df = df.assign(_row=range(len(df))).sort_values(["customer", "ts", "_row"], kind="stable")
    gaps: list[list[float]] = [[] for _ in sets]
    for _, g in df.groupby("customer", sort=False):
        events, times = g["event"].tolist(), g["ts"].tolist()
        at, first, previous = -1, None, None
        for k, names in enumerate(sets):
            hit = next((i for i in range(at + 1, len(events)) if events[i] in names), None)
            if hit is None:
                break
            if k and within is not None and times[hit] - first > pd.Timedelta(within):
                break
            if k == 0:
                first = times[hit]
                gaps[0].append(math.nan)
            else:
                gaps[k].append((times[hit] - previous).total_seconds())
            previous, at = times[hit], hit
    out = []
    for k, values in enumerate(gaps):
        s = pd.Series(values, dtype="float64")
        out.append(
            {
                "customers": len(values),
                "median_seconds": s.quantile(0.5) if k else None,
                "p90_seconds": s.quantile(0.9) if k else None,
            }
        )
    return out


def _assert_matches(result: Any, expected: list[dict[str, Any]]) -> None:
    rows = result.to_pylist()
    assert [r["step"] for r in rows] == list(range(1, len(expected) + 1))
    for k, (got, want) in enumerate(zip(rows, expected, strict=True)):
        assert got["customers"] == want["customers"], k
        if want["median_seconds"] is None or math.isnan(want["median_seconds"]):
            assert got["median_seconds"] is None
            assert got["p90_seconds"] is None
        else:
            assert got["median_seconds"] == pytest.approx(want["median_seconds"], abs=1e-6)
            assert got["p90_seconds"] == pytest.approx(want["p90_seconds"], abs=1e-6)
    first = rows[0]["customers"]
    for prev, row in itertools.pairwise(rows):
        assert row["drop_off"] == prev["customers"] - row["customers"]
        assert row["conversion_from_previous"] == pytest.approx(
            row["customers"] / prev["customers"]
        )
        assert row["conversion_from_first"] == pytest.approx(row["customers"] / first)
    assert rows[0]["conversion_from_previous"] == 1.0
    assert rows[0]["drop_off"] == 0


@pytest.fixture(scope="module")
def mobile_frame(shared_data: Path) -> Any:
    import pandas as pd

    df = pd.read_csv(shared_data / "eventlogs" / "mobile_app_onboarding.csv")
    return pd.DataFrame(
        {
            "customer": df["user_pseudo_id"],
            "event": df["event_name"],
            "ts": pd.to_datetime(df["event_timestamp"], unit="ns"),
        }
    )


def test_onboarding_funnel_matches_pandas(mobile_log: EventLog, mobile_frame: Any) -> None:
    result = funnel(mobile_log, steps=ONBOARDING)
    expected = pandas_funnel(mobile_frame, ONBOARDING)
    _assert_matches(result, expected)
    assert [r["customers"] for r in result.to_pylist()] == [4120, 2160, 1841, 1344]
    assert result.column("name").to_pylist() == ONBOARDING


@pytest.mark.slow
def test_onboarding_funnel_with_a_step_set_and_within(
    mobile_log: EventLog, mobile_frame: Any
) -> None:
    steps: list[str | list[str]] = [
        "onboarding_welcome_screen",
        ["onboarding_login_Type1", "onboarding_login_Type2"],
        "onboarding_privacy_policyAccepted",
        "passed",
    ]
    within = timedelta(minutes=2)
    result = funnel(mobile_log, steps=steps, within=within)
    _assert_matches(result, pandas_funnel(mobile_frame, steps, within))
    assert result.column("name")[1].as_py() == "onboarding_login_Type1 | onboarding_login_Type2"
    without = funnel(mobile_log, steps=steps)
    _assert_matches(without, pandas_funnel(mobile_frame, steps))
    assert result.column("customers")[3].as_py() < without.column("customers")[3].as_py()


@pytest.mark.slow
def test_repeat_purchase_funnel_on_cdnow(cdnow_log: EventLog, cdnow_frame: Any) -> None:
    frame = cdnow_frame.rename(columns={"customer_id": "customer", "date": "ts"})
    steps = ["purchase"] * 4  # first, second, third, fourth purchase
    result = funnel(cdnow_log, steps=steps, within=timedelta(days=90))
    _assert_matches(result, pandas_funnel(frame, steps, timedelta(days=90)))
    assert result.column("customers")[0].as_py() == 23570


# ---- edge cases on small inline logs ---------------------------------------------------------


def T(minutes: float) -> str:
    base = 1_700_000_000  # epoch seconds
    return str(int(base + minutes * 60))


def test_step_k_counts_only_after_step_k_minus_1(make_log: Any) -> None:
    log = make_log(
        [
            ("c1", "a", T(0)), ("c1", "c", T(1)), ("c1", "b", T(2)),  # c before b: stops at b
            ("c2", "a", T(0)), ("c2", "c", T(1)), ("c2", "b", T(2)), ("c2", "c", T(5)),
            ("c3", "b", T(0)), ("c3", "a", T(1)), ("c3", "c", T(2)),  # b before a: only a
            ("c4", "c", T(0)),  # never starts
        ]
    )  # fmt: skip
    rows = funnel(log, steps=["a", "b", "c"]).to_pylist()
    assert [r["customers"] for r in rows] == [3, 2, 1]
    assert [r["drop_off"] for r in rows] == [0, 1, 1]
    assert rows[1]["median_seconds"] == 120.0
    assert rows[2]["median_seconds"] == 180.0  # c2: b at 2 min, c at 5 min


def test_first_event_of_step_1_is_the_anchor(make_log: Any) -> None:
    log = make_log(
        [
            ("c1", "a", T(0)), ("c1", "a", T(60)), ("c1", "b", T(61)),
            ("c2", "a", T(0)), ("c2", "b", T(30)),  # exactly at the limit: counts
        ]
    )  # fmt: skip
    rows = funnel(log, steps=["a", "b"], within=timedelta(minutes=30)).to_pylist()
    assert [r["customers"] for r in rows] == [2, 1]
    assert rows[1]["median_seconds"] == 1800.0
    rows = funnel(log, steps=["a", "b"]).to_pylist()
    assert [r["customers"] for r in rows] == [2, 2]
    assert rows[1]["median_seconds"] == pytest.approx((1800.0 + 3660.0) / 2)


def test_step_sets_and_repeated_steps(make_log: Any) -> None:
    log = make_log(
        [
            ("c1", "view", T(0)), ("c1", "card", T(1)), ("c1", "view", T(2)),
            ("c2", "view", T(0)), ("c2", "paypal", T(3)),
            ("c3", "view", T(0)), ("c3", "view", T(1)),
        ]
    )  # fmt: skip
    rows = funnel(log, steps=["view", ("card", "paypal")]).to_pylist()
    assert [r["customers"] for r in rows] == [3, 2]
    assert rows[1]["name"] == "card | paypal"
    # the same event twice needs two occurrences of it
    rows = funnel(log, steps=["view", "view"]).to_pylist()
    assert [r["customers"] for r in rows] == [3, 2]
    assert sorted([rows[1]["median_seconds"], rows[1]["p90_seconds"]]) == [90.0, 114.0]


def test_ties_follow_the_input_order(make_log: Any) -> None:
    log = make_log(
        [
            ("c1", "b", T(0)), ("c1", "a", T(0)),  # same time: b comes first
            ("c2", "a", T(0)), ("c2", "b", T(0)),
        ]
    )  # fmt: skip
    rows = funnel(log, steps=["a", "b"]).to_pylist()
    assert [r["customers"] for r in rows] == [2, 1]
    assert rows[1]["median_seconds"] == 0.0


def test_nobody_converts(make_log: Any) -> None:
    log = make_log([("c1", "a", T(0)), ("c1", "b", T(1)), ("c2", "b", T(0))])
    rows = funnel(log, steps=["b", "a", "b"]).to_pylist()
    assert [r["customers"] for r in rows] == [2, 0, 0]
    assert rows[1]["conversion_from_previous"] == 0.0
    assert rows[1]["drop_off"] == 2
    assert rows[1]["median_seconds"] is None
    assert rows[2]["conversion_from_previous"] is None  # 0 of 0
    assert rows[2]["conversion_from_first"] == 0.0
    assert rows[2]["drop_off"] == 0


def test_one_event_customers_and_sessions(make_log: Any) -> None:
    log = make_log(
        [
            ("c1", "s1", "a", T(0)), ("c1", "s1", "b", T(1)),
            ("c1", "s2", "a", T(10)),
            ("c2", "s1", "b", T(0)),
        ],
        columns=("customer", "session", "event", "timestamp"),
    )  # fmt: skip
    assert funnel(log, steps=["a", "b"]).column("customers").to_pylist() == [1, 1]
    by_session = funnel(log, steps=["a", "b"], per="session")
    assert by_session.column("customers").to_pylist() == [2, 1]


def test_bad_steps_are_usage_errors(make_log: Any) -> None:
    log = make_log([("c1", "checkout", T(0))])
    with pytest.raises(UsageError, match=r"no event 'chekout'.*did you mean 'checkout'"):
        funnel(log, steps=["chekout"])
    with pytest.raises(UsageError, match="list of steps"):
        funnel(log, steps="checkout")
    with pytest.raises(UsageError, match="step 2 names no event"):
        funnel(log, steps=["checkout", []])
    with pytest.raises(UsageError, match="positive"):
        funnel(log, steps=["checkout"], within=timedelta(0))
