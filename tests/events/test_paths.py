"""paths on small inline logs: order, ties, loops, top N (pm4py: test_analytics_pm4py.py)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from journeymap.errors import UsageError
from journeymap.events import paths as paths_module
from journeymap.events.paths import paths, totals
from journeymap.events.prepare import prepare

pytestmark = pytest.mark.filterwarnings("ignore:fetch_arrow_table:DeprecationWarning")


def T(minutes: float) -> str:
    return str(int(1_700_000_000 + minutes * 60))


ROWS = [
    ("c1", "home", T(0)), ("c1", "home", T(1)), ("c1", "cart", T(2)),
    ("c2", "home", T(0)), ("c2", "cart", T(1)),
    ("c3", "cart", T(5)), ("c3", "home", T(0)),  # out of order in the file
    ("c4", "home", T(0)), ("c4", "cart", T(1)), ("c4", "cart", T(2)), ("c4", "home", T(3)),
    ("c5", "search", T(0)),
]  # fmt: skip


def test_variants_in_order_most_frequent_first_ties_by_path(make_log: Any) -> None:
    result = paths(make_log(ROWS))
    assert result.schema.names == ["path", "length", "customers", "share", "events"]
    assert result.schema.field("events").type == pa.list_(pa.string())
    assert result.select(["path", "length", "customers"]).to_pylist() == [
        {"path": "home > cart", "length": 2, "customers": 2},
        {"path": "home > cart > cart > home", "length": 4, "customers": 1},
        {"path": "home > home > cart", "length": 3, "customers": 1},
        {"path": "search", "length": 1, "customers": 1},
    ]
    assert result.column("share").to_pylist() == [0.4, 0.2, 0.2, 0.2]


def test_collapse_loops_merges_immediate_repeats(make_log: Any) -> None:
    result = paths(make_log(ROWS), collapse_loops=True)
    assert [(r["events"], r["customers"]) for r in result.to_pylist()] == [
        (["home", "cart"], 3),
        (["home", "cart", "home"], 1),
        (["search"], 1),
    ]


def test_top_and_ties_in_time(make_log: Any) -> None:
    log = make_log([("c1", "b", T(0)), ("c1", "a", T(0)), ("c2", "a", T(0)), ("c2", "b", T(0))])
    result = paths(log, top=1)
    assert result.to_pylist() == [
        {"path": "a > b", "length": 2, "customers": 1, "share": 0.5, "events": ["a", "b"]}
    ]
    assert paths(log, top=None).column("path").to_pylist() == ["a > b", "b > a"]
    with pytest.raises(UsageError, match="at least 1"):
        paths(log, top=0)


def test_all_variants_and_the_top_in_one_order(make_log: Any) -> None:
    """All variants and a top N (sorted with a limit) come in one order: count first, then
    element by element, a prefix first; codes above 255 sort as numbers."""
    rows = [
        # ties of 1 customer: prefixes, codes above 255 would break a one-byte key
        ("p1", "b", T(0)), ("p1", "a", T(1)),
        ("p2", "b", T(0)),
        ("p3", "a", T(0)), ("p3", "b", T(1)), ("p3", "a", T(2)),
        ("p4", "a", T(0)), ("p4", "b", T(1)),
        ("p5", "a", T(0)),
        ("p6", "ab", T(0)),
        ("p7", "a", T(0)), ("p7", "a", T(1)),
        ("p8", "b", T(0)), ("p9", "b", T(0)),  # "b" 3 times: first
    ]  # fmt: skip
    rows += [(f"q{i}", f"e{i:03d}", T(0)) for i in range(300)]  # 300 more names: codes > 255
    log = make_log(rows)
    every = paths(log, top=None)
    top = paths(log, top=every.num_rows)
    assert every.equals(top)
    assert every.column("path").to_pylist()[:8] == [
        "b",
        "a",
        "a > a",
        "a > b",
        "a > b > a",
        "ab",
        "b > a",
        "e000",
    ]
    assert every.column("customers").to_pylist()[:2] == [3, 1]


def test_totals_in_the_metadata_whatever_the_top(make_log: Any) -> None:
    """The variants and journeys of the whole log come with any top N."""
    log = make_log(ROWS)
    assert totals(paths(log, top=1)) == (4, 5)
    assert totals(paths(log, top=None)) == (4, 5)
    assert totals(paths(log, collapse_loops=True)) == (3, 5)
    assert totals(pa.table({"path": ["a"]})) is None


@pytest.mark.parametrize("name", ["receipt_log", "mobile_log", "cdnow_log"])
@pytest.mark.parametrize("cut", ["all", "top 1", "in a tie"])
def test_fingerprints_count_as_the_lists_do(
    name: str, cut: str, request: pytest.FixtureRequest
) -> None:
    """On the real logs, DuckDB's plan (journeys grouped by fingerprints, lists built for
    the variants shown) gives the variants of the plan Spark uses (journeys grouped by
    their lists): the same codes, counts and shares, in the same order, for all variants,
    the top one, and a top N whose last count is shared by variants left out."""
    import ibis

    log = request.getfixturevalue(name)
    p = prepare(log).table
    engine = log.engine
    listed, every_list = paths_module._by_lists(engine, p, log.report.rows_used)
    counts = sorted(engine.run(every_list.select("customers")).column(0).to_pylist())[::-1]
    top: int | None = None
    if cut == "top 1":
        top = 1
    elif cut == "in a tie":
        # the highest count two variants share; the cut takes the first of them only
        shared = max(c for c in counts if counts.count(c) > 1)
        top = counts.index(shared) + 1
    fingerprinted, every_fp = paths_module._by_fingerprints(engine, p, top)

    def shown(variants: Any) -> list[dict[str, Any]]:
        ordered = variants.order_by([ibis.desc("customers"), "codes"])
        rows: list[dict[str, Any]] = engine.run(
            ordered if top is None else ordered.limit(top)
        ).to_pylist()
        return rows

    got, want = shown(fingerprinted), shown(listed)
    assert len(got) == (len(counts) if top is None else top) > 0
    assert got == want
    assert engine.scalar(every_fp.count()) == len(counts)
