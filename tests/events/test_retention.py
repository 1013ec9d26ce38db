"""retention and cohorts: checked against plain pandas on CDNOW purchases and app onboarding."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from journeymap.errors import UsageError
from journeymap.events.read import EventLog
from journeymap.events.retention import cohort_matrix, cohorts, observed, partial_notes, retention

pytestmark = pytest.mark.filterwarnings("ignore:fetch_arrow_table:DeprecationWarning")

FREQ = {"day": "D", "week": "W-SUN", "month": "M", "quarter": "Q"}  # W-SUN: Monday..Sunday


def _activity(df: Any, period: str, end: Any) -> tuple[dict[Any, set[str]], Any]:
    import pandas as pd

    periods = df["ts"].dt.to_period(FREQ[period])
    active: dict[Any, set[str]] = {}
    for p, c in zip(periods, df["customer"], strict=True):
        active.setdefault(p, set()).add(c)
    # from the first period with activity to the period the data ends in
    last = max(periods.max(), (end - pd.Timedelta(microseconds=1)).to_period(FREQ[period]))
    calendar = pd.period_range(periods.min(), last, freq=FREQ[period])
    return active, calendar


def data_end(df: Any, everything: Any = None) -> Any:
    """When the data ends (exclusive): the day after the last date of a log of dates, else
    just after the last event; ``everything``: the whole log (``df`` may be some events)."""
    import pandas as pd

    whole = df if everything is None else everything
    last = whole["ts"].max()
    dated = bool((whole["ts"] == whole["ts"].dt.normalize()).all())
    return last + (pd.Timedelta(days=1) if dated else pd.Timedelta(microseconds=1))


def pandas_retention(df: Any, period: str, everything: Any = None) -> list[dict[str, Any]]:
    end = data_end(df, everything)
    active, calendar = _activity(df, period, end)
    seen: set[str] = set()
    rows = []
    for p in calendar:
        now, before = active.get(p, set()), active.get(p - 1, set())
        new = now - seen
        seen |= now
        start = len(before)
        rows.append(
            {
                "period": p.start_time.date(),
                "partial": bool(p.end_time >= end),
                "customers_at_start": start,
                "retained": len(now & before),
                "new": len(new),
                "reactivated": len(now - before - new),
                "lost": len(before - now),
                "customers_at_end": len(now),
                "retention_rate": 100 * len(now & before) / start if start else None,
                "churn_rate": 100 * len(before - now) / start if start else None,
            }
        )
    return rows


def pandas_cohorts(df: Any, period: str, everything: Any = None) -> list[dict[str, Any]]:
    end = data_end(df, everything)
    active, calendar = _activity(df, period, end)
    first: dict[str, Any] = {}
    for p in calendar:
        for c in active.get(p, set()):
            first.setdefault(c, p)
    members: dict[Any, set[str]] = {}
    for c, p in first.items():
        members.setdefault(p, set()).add(c)
    rows = []
    for cohort in sorted(members):
        size = len(members[cohort])
        for p in calendar:
            if p < cohort:
                continue
            n = len(members[cohort] & active.get(p, set()))
            rows.append(
                {
                    "cohort": cohort.start_time.date(),
                    "period_offset": (p - cohort).n,
                    "period": p.start_time.date(),
                    "partial": bool(p.end_time >= end),
                    "cohort_size": size,
                    "customers": n,
                    "share": n / size,
                }
            )
    return rows


def _same(got: list[dict[str, Any]], want: list[dict[str, Any]]) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g.keys() == w.keys()
        for key, value in w.items():
            if isinstance(value, float):
                assert g[key] == pytest.approx(value), (w, key)
            else:
                assert g[key] == value, (w, key)


@pytest.fixture(scope="module")
def cdnow(cdnow_frame: Any) -> Any:
    return cdnow_frame.rename(columns={"customer_id": "customer", "date": "ts"})


@pytest.fixture(scope="module")
def mobile(shared_data: Path) -> Any:
    import pandas as pd

    df = pd.read_csv(shared_data / "eventlogs" / "mobile_app_onboarding.csv")
    return pd.DataFrame(
        {
            "customer": df["user_pseudo_id"],
            "event": df["event_name"],
            "ts": pd.to_datetime(df["event_timestamp"], unit="ns"),
        }
    )


@pytest.mark.parametrize("period", ["month", "quarter"])
def test_cdnow_retention_and_cohorts_match_pandas(
    cdnow_log: EventLog, cdnow: Any, period: Any
) -> None:
    got = retention(cdnow_log, period=period).to_pylist()
    _same(got, pandas_retention(cdnow, period))
    assert sum(r["new"] for r in got) == 23570  # every customer is new once
    for r in got:
        assert r["customers_at_end"] == r["retained"] + r["new"] + r["reactivated"]
        if r["customers_at_start"]:
            assert r["retention_rate"] + r["churn_rate"] == pytest.approx(100.0)
            assert 0 <= r["retention_rate"] <= 100  # the seeds' standard form reached 132.8%
    # CDNOW ends on 30 June 1998, a log of dates: the last day is whole, June is not partial
    assert not any(r["partial"] for r in got)
    assert retention(cdnow_log, period=period, event="purchase").equals(
        retention(cdnow_log, period=period)
    )
    _same(cohorts(cdnow_log, period=period).to_pylist(), pandas_cohorts(cdnow, period))


def test_cdnow_figures(cdnow_log: EventLog) -> None:
    quarters = retention(cdnow_log, period="quarter").to_pylist()
    assert [r["customers_at_end"] for r in quarters] == [23570, 5376, 4263, 4221, 3817, 3317]
    # the first quarter after acquisition has no returning customers: both forms agree
    assert quarters[1]["reactivated"] == 0
    assert quarters[1]["retention_rate"] == pytest.approx(100 * 5376 / 23570)
    months = retention(cdnow_log, period="month").to_pylist()
    assert len(months) == 18  # Jan 1997 .. Jun 1998
    # March 1998: the seeds' standard form (E - N) / S counts the reactivated customers
    # and gives 132.8%; the retention rate counts those retained from the start only
    march = months[14]
    assert (march["customers_at_start"], march["retained"], march["reactivated"]) == (
        1551, 571, 1489,
    )  # fmt: skip
    standard = 100 * (march["customers_at_end"] - march["new"]) / march["customers_at_start"]
    assert standard == pytest.approx(132.8, abs=0.05)
    assert march["retention_rate"] == pytest.approx(100 * 571 / 1551)
    assert max(r["retention_rate"] or 0 for r in months + quarters) < 100


@pytest.mark.parametrize("period", ["day", "week"])
def test_onboarding_retention_and_cohorts_match_pandas(
    mobile_log: EventLog, mobile: Any, period: Any
) -> None:
    _same(retention(mobile_log, period=period).to_pylist(), pandas_retention(mobile, period))
    _same(cohorts(mobile_log, period=period).to_pylist(), pandas_cohorts(mobile, period))
    passed = mobile[mobile["event"] == "passed"]
    _same(
        retention(mobile_log, period=period, event="passed").to_pylist(),
        pandas_retention(passed, period, mobile),
    )


# ---- small inline logs -------------------------------------------------------------------------


def test_calendar_keeps_empty_periods_and_counts_reactivation(make_log: Any) -> None:
    log = make_log(
        [
            ("a", "visit", "2024-01-05"), ("b", "visit", "2024-01-20"),
            ("a", "visit", "2024-02-01"),
            # nobody in March
            ("a", "visit", "2024-04-02"), ("b", "visit", "2024-04-03"),
            ("c", "visit", "2024-04-09"),
        ]
    )  # fmt: skip
    rows = retention(log, period="month").to_pylist()
    assert [r["period"] for r in rows] == [dt.date(2024, m, 1) for m in (1, 2, 3, 4)]
    keys = ["customers_at_start", "retained", "new", "reactivated", "lost", "customers_at_end"]
    assert [[r[k] for k in keys] for r in rows] == [
        [0, 0, 2, 0, 0, 2],
        [2, 1, 0, 0, 1, 1],
        [1, 0, 0, 0, 1, 0],
        [0, 0, 1, 2, 0, 3],
    ]
    assert rows[0]["retention_rate"] is None
    assert rows[1]["retention_rate"] == 50.0
    assert rows[1]["churn_rate"] == 50.0
    assert rows[2]["retention_rate"] == 0.0
    assert rows[2]["churn_rate"] == 100.0
    assert rows[3]["retention_rate"] is None  # nobody at the start of April

    matrix = cohort_matrix(cohorts(log, period="month"))
    assert matrix.column_names == ["cohort", "cohort_size", "0", "1", "2", "3"]
    assert matrix.to_pylist() == [
        {"cohort": dt.date(2024, 1, 1), "cohort_size": 2, "0": 1.0, "1": 0.5, "2": 0.0, "3": 1.0},
        {"cohort": dt.date(2024, 4, 1), "cohort_size": 1, "0": 1.0, "1": None, "2": None,
         "3": None},
    ]  # fmt: skip
    counts = cohort_matrix(cohorts(log, period="month"), value="customers")
    assert counts.column("1").to_pylist() == [1, None]


def test_identity_with_the_standard_form_when_nobody_comes_back(make_log: Any) -> None:
    rows = []
    for i in range(10):  # customer i is active from week i // 3 for 3 - i % 3 weeks, no breaks
        start = dt.date(2024, 1, 1) + dt.timedelta(weeks=i // 3)
        for w in range(3 - i % 3):
            rows.append((f"c{i}", "use", (start + dt.timedelta(weeks=w, days=i % 7)).isoformat()))
    got = retention(make_log(rows), period="week").to_pylist()
    assert got[0]["period"] == dt.date(2024, 1, 1)  # a Monday: weeks start on Monday
    for r in got:
        assert r["reactivated"] == 0
        if r["customers_at_start"]:
            assert r["retention_rate"] == pytest.approx(
                (r["customers_at_end"] - r["new"]) / r["customers_at_start"] * 100
            )


def test_event_filter_and_periods(make_log: Any) -> None:
    log = make_log(
        [
            ("a", "visit", "2024-03-31T23:59:59"), ("a", "purchase", "2024-04-01T00:00:00"),
            ("b", "purchase", "2024-06-30T10:00:00"), ("b", "visit", "2024-07-01T10:00:00"),
        ]
    )  # fmt: skip
    rows = retention(log, period="quarter", event="purchase").to_pylist()
    # the calendar runs to the quarter the log ends in: nobody buys in it, both are lost
    assert [(r["period"], r["customers_at_end"], r["lost"], r["partial"]) for r in rows] == [
        (dt.date(2024, 4, 1), 2, 0, False), (dt.date(2024, 7, 1), 0, 2, True),
    ]  # fmt: skip
    rows = retention(log, period="quarter").to_pylist()
    assert [r["period"] for r in rows] == [dt.date(2024, 1, 1), dt.date(2024, 4, 1),
                                           dt.date(2024, 7, 1)]  # fmt: skip
    assert [r["retained"] for r in rows] == [0, 1, 1]
    days = retention(log, period="day").to_pylist()
    assert len(days) == 1 + 30 + 31 + 30 + 1  # 31 Mar .. 1 Jul, every day
    assert cohorts(log, period="day").column("period_offset").to_pylist()[:3] == [0, 1, 2]
    with pytest.raises(UsageError, match=r"no event 'purchse'.*did you mean 'purchase'"):
        retention(log, period="month", event="purchse")
    with pytest.raises(UsageError, match="unknown period 'year'"):
        retention(log, period="year")  # type: ignore[arg-type]


# ---- partial periods, segments -----------------------------------------------------------------


def test_the_last_period_cut_by_the_end_of_the_data_is_partial(make_log: Any) -> None:
    log = make_log(
        [
            ("a", "visit", "2024-01-05T10:00:00Z"), ("b", "visit", "2024-01-20T10:00:00Z"),
            ("a", "visit", "2024-02-01T10:00:00Z"), ("b", "visit", "2024-02-29T23:00:00Z"),
            ("a", "visit", "2024-03-14T09:30:00Z"),
        ]
    )  # fmt: skip
    table = retention(log, period="month")
    rows = table.to_pylist()
    assert [r["partial"] for r in rows] == [False, False, True]
    assert partial_notes(table) == [
        "period 2024-03-01 is partial: the data ends at 2024-03-14 09:30:00 UTC, before "
        "the period does; its figures cover part of it, not a full period"
    ]
    assert observed(log)[1] == dt.datetime(2024, 3, 14, 9, 30, 0, 1)
    long = cohorts(log, period="month").to_pylist()
    assert {(r["period"], r["partial"]) for r in long} == {
        (dt.date(2024, 1, 1), False), (dt.date(2024, 2, 1), False), (dt.date(2024, 3, 1), True),
    }  # fmt: skip
    # a log of dates that ends on the last day of a month covers that day: not partial
    dated = make_log([("a", "visit", "2024-01-05"), ("a", "visit", "2024-02-29")])
    assert [r["partial"] for r in retention(dated, period="month").to_pylist()] == [False, False]
    assert partial_notes(retention(dated, period="month")) == []
    assert [r["partial"] for r in retention(dated, period="quarter").to_pylist()] == [True]


def test_a_window_decides_what_the_data_covers(make_log: Any) -> None:
    from journeymap.events.subset import window

    log = make_log(
        [(c, "visit", f"2024-{m:02d}-{d:02d}T12:00:00Z") for c in "abc" for m in (1, 2, 3, 4)
         for d in (3, 20)]
    )  # fmt: skip
    # until the 1st of March: February is whole (the log goes on after it)
    rows = retention(window(log, until="2024-03-01"), period="month").to_pylist()
    assert [(r["period"].month, r["partial"]) for r in rows] == [(1, False), (2, False)]
    # until mid-March, since mid-January: both ends are cut
    cut = window(log, since="2024-01-10", until="2024-03-15")
    table = retention(cut, period="month")
    assert [(r["period"].month, r["partial"]) for r in table.to_pylist()] == [
        (1, True), (2, False), (3, True),
    ]  # fmt: skip
    notes = partial_notes(table)
    assert notes[0].startswith("period 2024-01-01 is partial: the data starts 2024-01-10 (since)")
    assert notes[1].startswith("period 2024-03-01 is partial: the data ends before 2024-03-15")


def test_retention_by_segment_is_retention_of_each_subset(make_log: Any) -> None:
    from journeymap.events.subset import where

    log = make_log(
        [
            ("a", "visit", "2024-01-05", "web"),
            ("a", "visit", "2024-02-05", "web"),
            ("b", "visit", "2024-01-06", "app"),
            ("b", "visit", "2024-03-06", "app"),
            ("c", "visit", "2024-02-07", "web"),
            ("c", "visit", "2024-03-07", ""),
        ],
        columns=("customer", "event", "timestamp", "channel"),
    )
    table = retention(log, period="month", by="channel")
    assert table.column_names[0] == "segment"
    got = table.to_pylist()
    # every segment's calendar runs to March, where the data ends: web's customers are lost
    assert [r["segment"] for r in got] == ["app"] * 3 + ["web"] * 3 + [None]
    assert [r["lost"] for r in got if r["segment"] == "web"] == [0, 0, 2]
    for value in ("app", "web"):
        want = retention(where(log, [f"channel={value}"]), period="month").to_pylist()
        assert [{k: v for k, v in r.items() if k != "segment"} for r in got if r["segment"] ==
                value] == want  # fmt: skip
    # the data ends on 7 March for every segment (web's last event is in February): March
    # is partial in each
    assert [(r["segment"], r["period"].month) for r in got if r["partial"]] == [
        ("app", 3), ("web", 3), (None, 3),
    ]  # fmt: skip
    with pytest.raises(UsageError, match="no event 'buy'"):
        retention(log, period="month", event="buy", by="channel")
    matrix = cohort_matrix(cohorts(log, period="month", by="channel"))
    assert matrix.column_names[:3] == ["segment", "cohort", "cohort_size"]
