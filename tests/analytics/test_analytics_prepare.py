"""The coded ordered pass on DuckDB: customers coded by their hash, and what happens when
two customers share one (the pass starts again with numbered customers)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from journeymap.analytics import prepare as prepare_module
from journeymap.analytics.engine import Engine
from journeymap.analytics.flows import flows
from journeymap.analytics.funnel import funnel
from journeymap.analytics.paths import paths
from journeymap.analytics.prepare import prepare
from journeymap.analytics.retention import retention
from journeymap.analytics.summary import summary
from journeymap.evidence.events import EventLog, read_events

STEPS = ["onboarding_welcome_screen", "onboarding__chooseLoginType", "passed"]


def analyses(log: EventLog) -> dict[str, pa.Table]:
    return {
        "flows": flows(log),
        "paths": paths(log, top=None),
        "funnel": funnel(log, steps=STEPS),
        "retention": retention(log, period="week"),
        "summary": summary(log),
        "flows with markers": flows(log, markers=True),
    }


def test_customers_coded_by_hash_or_numbered_give_the_same_tables(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hash shared by customers of one length (forced here) is seen in the ordered pass,
    which starts again with numbered customers: every analysis gives the tables of the
    hashed pass, where no two customers of the real log share a hash."""
    path = shared_data / "eventlogs" / "mobile_app_onboarding.csv"
    with Engine.connect() as engine:
        log = read_events(path, engine=engine)
        ready = prepare(log)
        assert prepare_module._cache(log)[prepare_module._HASHED] is True
        hashed_codes = engine.run(ready.table.select("cid").distinct()).column(0).to_pylist()
        want = analyses(log)

    lengths = Engine.connect()
    with lengths:
        log = read_events(path, engine=lengths)
        customers = lengths.run(log.table.select("customer").distinct()).column(0).to_pylist()
        assert len({len(c) for c in customers}) < len(customers)  # so lengths collide
        # as if the hash were the length of the name
        monkeypatch.setattr(prepare_module, "_customer_hash", lambda c: c.length().cast("int64"))
        ready = prepare(log)
        assert prepare_module._cache(log)[prepare_module._HASHED] is False
        numbered = lengths.run(ready.table.select("cid").distinct()).column(0).to_pylist()
        got = analyses(log)
        named = lengths.run(ready.named().select("customer", "cid").distinct())
    assert len(numbered) == len(hashed_codes) == len(customers) > 1000
    assert sorted(numbered) == list(range(1, len(customers) + 1))
    assert max(hashed_codes) > 2**40  # hashes, not numbers
    for name, table in want.items():
        assert got[name].equals(table), name
    # the dictionary decodes the numbers: one name per code, every customer once
    assert named.num_rows == len(customers)
    assert sorted(named.column("customer").to_pylist()) == sorted(customers)


def test_named_decodes_hashed_customers(make_log: Any) -> None:
    """With hashed codes the dictionary is computed when asked for, and names the rows."""
    log = make_log(
        [("ann", "a", "1700000000"), ("bob", "b", "1700000060"), ("ann", "c", "1700000120")]
    )
    ready = prepare(log)
    assert prepare_module._cache(log)[prepare_module._HASHED] is True
    rows = log.engine.run(
        ready.named().select("customer", "event", "next_event").order_by(["customer", "event"])
    ).to_pylist()
    assert rows == [
        {"customer": "ann", "event": "a", "next_event": "c"},
        {"customer": "ann", "event": "c", "next_event": None},
        {"customer": "bob", "event": "b", "next_event": None},
    ]
