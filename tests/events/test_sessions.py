"""sessions: cut by inactivity gap; session_summary; per-session analyses on the result."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from journeymap.errors import UsageError
from journeymap.events.flows import flows
from journeymap.events.paths import paths
from journeymap.events.read import EventLog
from journeymap.events.sessions import session_summary, sessions

pytestmark = pytest.mark.filterwarnings("ignore:fetch_arrow_table:DeprecationWarning")


def T(minutes: float) -> str:
    return str(int(1_700_000_000 + minutes * 60))


ROWS = [
    ("c1", "home", T(0)), ("c1", "product", T(10)), ("c1", "cart", T(40)),  # 30 min: same
    ("c1", "home", T(71)),  # 31 min later: a new session
    ("c1", "product", T(72)),
    ("c2", "home", T(0)),
    ("c2", "home", T(600)),
]  # fmt: skip


def _by_customer(log: EventLog) -> dict[str, list[str]]:
    t = log.table
    rows = log.engine.run(
        t.select("customer", "ts", "seq", "session").order_by(["customer", "ts", "seq"])
    )
    out: dict[str, list[str]] = {}
    for r in rows.to_pylist():
        out.setdefault(r["customer"], []).append(r["session"])
    return out


def test_a_new_session_after_a_gap_longer_than_the_limit(make_log: Any) -> None:
    log = make_log(ROWS)
    assert not log.has_session
    s = sessions(log)
    assert s.has_session
    assert set(s.table.columns) == {*log.table.columns, "session"}
    assert _by_customer(s) == {"c1": ["1", "1", "1", "2", "2"], "c2": ["1", "2"]}
    assert _by_customer(sessions(log, gap=timedelta(minutes=29))) == {
        "c1": ["1", "1", "2", "3", "3"],
        "c2": ["1", "2"],
    }
    assert _by_customer(sessions(log, gap=timedelta(days=1))) == {
        "c1": ["1"] * 5,
        "c2": ["1", "1"],
    }
    # per-session analyses read the new column
    variants = paths(s, per="session").to_pylist()
    assert {r["path"]: r["customers"] for r in variants} == {
        "home > product > cart": 1,
        "home > product": 1,
        "home": 2,
    }
    assert flows(s, per="session").num_rows == 2
    assert flows(log).num_rows == 4  # the original log is untouched: cart > home counts


def test_session_summary(make_log: Any) -> None:
    log = make_log(ROWS)
    row = session_summary(log).to_pylist()[0]  # sessionised with 30 min
    assert row == {
        "sessions": 4,
        "customers": 2,
        "sessions_per_customer_median": 2.0,
        "events_per_session_median": 1.5,  # 3, 2, 1, 1
        "events_per_session_p90": pytest.approx(2.7),
        "session_seconds_median": 30.0,  # 2400, 60, 0, 0
        "session_seconds_p90": pytest.approx(1698.0),  # 60 + 0.7 x 2340
    }
    assert session_summary(log, gap=timedelta(days=1)).column("sessions")[0].as_py() == 2


def test_a_session_column_from_the_data_is_kept(make_log: Any) -> None:
    log = make_log(
        [("c1", "x", "a", T(0)), ("c1", "x", "b", T(500)), ("c1", "y", "a", T(501))],
        columns=("customer", "session_id", "event", "timestamp"),
    )
    assert log.has_session
    assert sessions(log) is log
    assert session_summary(log).column("sessions")[0].as_py() == 2
    assert (
        sessions(log, replace_existing=True)
        .engine.run(sessions(log, replace_existing=True).table.select("session").distinct())
        .num_rows
        == 2
    )  # 500 min gap, then 1 min: sessions 1 and 2
    with pytest.raises(UsageError, match="positive"):
        sessions(log, gap=timedelta(0))


def test_prepared_sessions_equal_a_fresh_preparation(mobile_log: EventLog) -> None:
    s = sessions(mobile_log, gap=timedelta(seconds=20))
    fresh = EventLog(engine=s.engine, table=s.table, report=s.report)  # nothing cached
    for per in ("customer", "session"):
        assert flows(s, per=per, markers=True).equals(flows(fresh, per=per, markers=True))
        assert paths(s, per=per, top=None).equals(paths(fresh, per=per, top=None))
    assert session_summary(s).equals(session_summary(fresh))
    row = session_summary(s).to_pylist()[0]
    assert row["customers"] == 4139
    assert row["sessions"] > 4139


def test_onboarding_sessions_match_pandas(mobile_log: EventLog, shared_data: Path) -> None:
    import pandas as pd

    df = pd.read_csv(shared_data / "eventlogs" / "mobile_app_onboarding.csv")
    df["ts"] = pd.to_datetime(df["event_timestamp"], unit="ns")
    df = df.assign(row=range(len(df))).sort_values(["user_pseudo_id", "ts", "row"])
    gap = df.groupby("user_pseudo_id")["ts"].diff()
    df["session"] = (gap.isna() | (gap > pd.Timedelta(seconds=20))).cumsum()
    per = df.groupby("session").agg(n=("ts", "size"), a=("ts", "min"), b=("ts", "max"))
    seconds = (per["b"] - per["a"]).dt.total_seconds()
    row = session_summary(mobile_log, gap=timedelta(seconds=20)).to_pylist()[0]
    assert row["sessions"] == len(per)
    assert row["events_per_session_median"] == per["n"].quantile(0.5)
    assert row["events_per_session_p90"] == pytest.approx(per["n"].quantile(0.9))
    assert row["session_seconds_median"] == pytest.approx(seconds.quantile(0.5))
    assert row["session_seconds_p90"] == pytest.approx(seconds.quantile(0.9))
