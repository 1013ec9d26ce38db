"""summary: rows read/used/rejected, customers, events, sessions, time range."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from journeymap.events.prepare import prepare
from journeymap.events.read import EventLog
from journeymap.events.summary import summary

pytestmark = pytest.mark.filterwarnings("ignore:fetch_arrow_table:DeprecationWarning")


def test_summary_of_a_small_log_with_a_rejected_row(make_log: Any) -> None:
    log = make_log(
        [
            ("c1", "s1", "a", "2024-01-01T10:00:00"),
            ("c1", "s1", "b", "2024-01-01T10:05:00"),
            ("c1", "s2", "a", "2024-01-02T10:00:00"),
            ("c2", "s1", "a", "not a time"),
            ("c2", "s1", "c", "2024-01-03T09:00:00"),
            ("c3", "s9", "a", "2024-01-01T08:00:00"),
        ],
        columns=("customer", "session", "event", "timestamp"),
    )
    row = summary(log).to_pylist()[0]
    assert row["rows_read"] == 6
    assert row["rows_used"] == 5
    assert row["rows_rejected"] == 1
    assert row["customers"] == 3
    assert row["events"] == 5
    assert row["distinct_events"] == 3
    assert row["sessions"] == 4  # (c1, s1), (c1, s2), (c2, s1), (c3, s9)
    assert row["first_ts"] == dt.datetime(2024, 1, 1, 8)
    assert row["last_ts"] == dt.datetime(2024, 1, 3, 9)
    assert row["events_per_customer_median"] == 1.0  # 3, 1, 1
    assert row["events_per_customer_p90"] == pytest.approx(2.6)
    prepare(log)  # the same from the prepared table
    assert summary(log).to_pylist()[0] == row


def test_summary_of_the_onboarding_log(mobile_log: EventLog) -> None:
    row = summary(mobile_log).to_pylist()[0]
    assert row["rows_read"] == row["rows_used"] == row["events"] == 30_943
    assert row["customers"] == 4_139
    assert row["distinct_events"] == 18
    assert row["sessions"] is None
