"""One suite for every engine: each computation gives the same table on DuckDB and on Spark.

The ``engine`` fixture is parametrised over the engines (ibis' way: one suite, a fixture per
backend, known gaps marked). Both engines are started once per test session; Spark is a local
session with few shuffle partitions and code generation off (small data: compiling each
query's Java code costs more than running it), and small file splits, so that a Parquet log
is read by several tasks and input order is really put to the test.

For every dataset — small logs written here (ties in time, offsets, loops, quoted fields,
nanosecond epochs, rejected rows, Parquet, JSON Lines) and the real logs in
``../shared/data`` — every computation runs on DuckDB (the reference) and on the engine
under test; the Arrow tables must be equal: same schema, same rows in the same order, floats
within 1e-9. On DuckDB this compares two independent reads: results are deterministic.

Spark must be tested in CI: without pyspark or Java the Spark cases skip on a user's machine
and fail when ``CI`` is set.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from journeymap.engine import Engine, EngineConfig
from journeymap.events.flows import flows
from journeymap.events.funnel import funnel
from journeymap.events.lifecycle import steps
from journeymap.events.paths import paths
from journeymap.events.read import EventLog, read_events
from journeymap.events.retention import cohorts, retention
from journeymap.events.sessions import session_summary, sessions
from journeymap.events.subset import subset
from journeymap.events.summary import summary

ENGINES = ("duckdb", "spark")


# ---- engines -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def duckdb_engine() -> Iterator[Engine]:
    with Engine.connect(EngineConfig(kind="duckdb", threads=2, memory_limit="1GB")) as eng:
        yield eng


@pytest.fixture(
    params=[pytest.param(e, marks=pytest.mark.slow) if e == "spark" else e for e in ENGINES],
    scope="session",
)
def engine(request: pytest.FixtureRequest) -> Engine:
    found: Engine = request.getfixturevalue(f"{request.param}_engine")
    return found


# ---- comparing -----------------------------------------------------------------------------


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_value(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_value(a[k], b[k]) for k in a)
    return bool(a == b)


def assert_same_table(got: pa.Table, want: pa.Table) -> None:
    """Same schema, same rows in the same order, floats within 1e-9."""
    assert got.schema.names == want.schema.names
    assert got.schema.types == want.schema.types, f"\n{got.schema}\n-- vs --\n{want.schema}"
    assert got.num_rows == want.num_rows
    for i, (g, w) in enumerate(zip(got.to_pylist(), want.to_pylist(), strict=True)):
        for name in want.schema.names:
            assert _same_value(g[name], w[name]), f"row {i}, {name}: {g[name]!r} != {w[name]!r}"


# ---- datasets ------------------------------------------------------------------------------

SHOP = """\
user_id,event_name,timestamp,session_id,channel,revenue
u1,visit,2024-01-01T10:00:00Z,s1,web,
u1,view,2024-01-01T10:00:05Z,s1,web,
u1,view,2024-01-01T10:00:05Z,s1,web,
u1,cart,2024-01-01T11:01:00+01:00,s1,web,
u1,"buy, now",2024-01-01T10:05:00.250Z,s1,web,19.99
u2,visit,2024-01-03 08:00:00,s9,app,
u2,"multi
line",2024-01-03 08:00:00,s9,app,
u2,cart,2024-01-10 09:00:00,s10,app,
u2,"buy, now",2024-01-10 09:30:00.123456,s10,app,5
f3,visit,2024-02-01T00:00:00Z,,email,
f3,view,2024-02-01T00:00:00.5Z,,email,
f3,cart,2024-02-01T02:00:00Z,,email,abc
vf4,visit,2024-03-31T23:59:59Z,a,web,
vf4,cart,2024-04-01T00:00:00Z,a,web,
vf4,cart,2024-04-01T00:00:00Z,a,web,
vf4,visit,2024-04-01T00:00:00Z,a,web,
,visit,2024-01-01T00:00:00Z,x,web,
u5,visit,2024-13-45,x,web,
u5,visit,,x,web,
u1,visit,2024-01-08T10:00:00Z,s2,web,
u1,view,2024-01-08T10:00:00Z,s2,web,
u1,view,2024-01-08T10:10:00Z,s2,web,
u1,cart,2024-01-08T10:20:00-02:00,s2,web,
u6, visit ,2024-06-30T12:00:00+05:30,z,web,
u6,view,2024-07-01 00:00:00,z,web,
"""

#: epoch nanoseconds above 2**53 with sub-microsecond ties; ";" as the delimiter
NANOS = """\
customer_id;event;ts
a;open;1538405774195002999
a;tap;1538405774195002001
a;tap;1538405774195002001
a;close;1538405774195003000
b;open;1538405774000000000
b;close;1538405775999999999
b;open;1538405776000000000
c;open;1500000000000000000
"""


#: an activity started and completed, nested, repeated, never completed, scheduled; ties
LIFECYCLE = """\
case:concept:name,concept:name,time:timestamp,lifecycle:transition,org:group
c1,fill,2024-01-01T09:00:00Z,start,web
c1,fill,2024-01-01T09:08:00.5Z,complete,web
c1,review,2024-01-01T09:09:00Z,schedule,back
c1,review,2024-01-01T09:10:00Z,start,back
c1,review,2024-01-01T09:10:00Z,start,back
c1,review,2024-01-01T09:30:00Z,complete,back
c1,review,2024-01-02T09:31:00Z,COMPLETE,back
c1,review,2024-01-02T09:40:00Z,complete,back
c2,fill,2024-01-03T10:00:00Z,complete,web
c2,fill,2024-01-03T10:00:00Z,start,web
c2,pay,2024-02-03T11:00:00+01:00,start,web
c3,fill,2024-02-05T10:00:00Z,,web
"""

ALL = (
    "read", "summary", "flows", "flows_markers", "flows_per_session", "paths",
    "paths_collapsed", "funnel", "funnel_within", "retention_day", "retention_week",
    "retention_month_event", "retention_quarter", "cohorts_week", "cohorts_month",
    "sessions", "session_summary", "where", "where_flows", "funnel_by", "flows_by",
    "retention_by",
)  # fmt: skip
#: what a reader must get right: the table, and the computations that depend on the order
READING = ("read", "summary", "flows", "paths")


@dataclass(frozen=True)
class Dataset:
    name: str
    funnel: list[Any]
    event: str
    #: the computations run on it (all of them on the small CSV)
    computations: tuple[str, ...] = ALL
    real: bool = False
    options: dict[str, Any] = field(default_factory=dict)
    #: the filters of "where" and "where_flows", and the column of the "..._by" segments
    where: tuple[str, ...] = ("channel!=app",)
    since: str | None = "2024-01-02"
    until: str | None = "2024-04-01"
    by: str = "channel"


DATASETS = {
    "shop": Dataset("shop", ["visit", "view", ["cart", "buy, now"]], "cart"),
    "nanos": Dataset(
        "nanos",
        ["open", "tap", "close"],
        "open",
        (*READING, "funnel", "funnel_within", "sessions", "session_summary"),
    ),
    "shop_jsonl": Dataset("shop_jsonl", ["visit", "view"], "cart", READING),
    "shop_parquet": Dataset("shop_parquet", ["visit", "view"], "cart", READING),
    "receipt": Dataset(
        "receipt",
        [
            "Confirmation of receipt",
            "T02 Check confirmation of receipt",
            ["T04 Determine confirmation of receipt", "T10 Determine necessity to stop indication"],
        ],
        "Confirmation of receipt",
        (
            "read",
            "summary",
            "flows_markers",
            "paths",
            "funnel_within",
            "retention_week",
            "cohorts_month",
            "where_flows",
            "funnel_by",
            "retention_by",
        ),
        real=True,
        where=("case:channel=Internet|Desk",),
        since="2011-01-01",
        until="2011-07-01T00:00:00+02:00",
    ),
    "lifecycle": Dataset(
        "lifecycle",
        ["fill", "review"],
        "fill",
        ("read", "flows", "steps", "steps_flows", "lifecycle_complete", "where", "flows_by"),
        options={"keep": ["org:group"]},
        where=("org:group=web", "lifecycle:transition!=start"),
        since=None,
        until=None,
        by="lifecycle:transition",
    ),
    "mobile": Dataset(
        "mobile",
        ["onboarding_welcome_screen", "onboarding__chooseLoginType", "passed"],
        "passed",
        (
            "read",
            "flows",
            "paths_collapsed",
            "funnel",
            "retention_day",
            "cohorts_week",
            "sessions",
            "session_summary",
        ),
        real=True,
    ),
    "mobile_parquet_parts": Dataset(
        "mobile_parquet_parts",
        ["onboarding_welcome_screen", "passed"],
        "passed",
        READING,
        real=True,
    ),
}


def _shop_rows() -> list[dict[str, str]]:
    return list(csv.DictReader(SHOP.splitlines(keepends=True)))


@pytest.fixture(scope="session")
def dataset_paths(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The small logs, written once; the real ones are added by :func:`source`."""
    folder = tmp_path_factory.mktemp("engines")
    out = {"shop": folder / "shop.csv", "nanos": folder / "nanos.csv"}
    out["shop"].write_text(SHOP, encoding="utf-8")
    out["nanos"].write_text(NANOS, encoding="utf-8")
    out["lifecycle"] = folder / "lifecycle.csv"
    out["lifecycle"].write_text(LIFECYCLE, encoding="utf-8")
    rows = _shop_rows()
    out["shop_jsonl"] = folder / "shop.jsonl"
    with out["shop_jsonl"].open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    # Parquet with native timestamps: nanoseconds (Spark reads them as integers)
    keep = [r for r in rows if r["user_id"] and r["timestamp"] not in ("", "2024-13-45")]
    import pandas as pd

    stamps = pd.to_datetime([r["timestamp"] for r in keep], utc=True, format="ISO8601")
    nanos = [int(s.value) + i % 3 for i, s in enumerate(stamps)]  # sub-µs parts
    table = pa.table(
        {
            "user_id": [r["user_id"] for r in keep],
            "event_name": [r["event_name"] for r in keep],
            "timestamp": pa.array(nanos, pa.timestamp("ns")),
            "revenue": pa.array(
                [float(r["revenue"]) if r["revenue"][:1].isdigit() else None for r in keep]
            ),
        }
    )
    out["shop_parquet"] = folder / "shop.parquet"
    pq.write_table(table, out["shop_parquet"])
    return out


def _mobile_parts(shared_data: Path, folder: Path) -> Path:
    """The mobile log as two Parquet files with small row groups: several scan tasks."""
    import pyarrow.csv as pcsv

    parts = folder / "mobile_parts"
    if not parts.exists():
        parts.mkdir()
        convert = pcsv.ConvertOptions(column_types={"event_timestamp": pa.string()})
        table = pcsv.read_csv(
            shared_data / "eventlogs" / "mobile_app_onboarding.csv", convert_options=convert
        )
        half = table.num_rows // 2
        pq.write_table(table.slice(0, half), parts / "part-0.parquet", row_group_size=1500)
        pq.write_table(table.slice(half), parts / "part-1.parquet", row_group_size=1500)
    return parts / "*.parquet"


def source(name: str, request: pytest.FixtureRequest) -> Path:
    data = DATASETS[name]
    if not data.real:
        paths_: dict[str, Path] = request.getfixturevalue("dataset_paths")
        return paths_[name]
    shared: Path = request.getfixturevalue("shared_data")
    if name == "receipt":
        return shared / "eventlogs" / "receipt.csv"
    if name == "mobile":
        return shared / "eventlogs" / "mobile_app_onboarding.csv"
    folder: Path = request.getfixturevalue("tmp_path_factory").getbasetemp()
    return _mobile_parts(shared, folder)


_LOGS: dict[tuple[str, int, str], EventLog] = {}


def log_of(
    engine: Engine, name: str, request: pytest.FixtureRequest, *, fresh: bool = False
) -> EventLog:
    """The dataset read on ``engine`` (once per engine, so prepared tables are shared)."""
    key = (engine.kind, id(engine), name)
    if fresh or key not in _LOGS:
        data = DATASETS[name]
        _LOGS[key] = read_events(source(name, request), engine=engine, **data.options)
    return _LOGS[key]


# ---- computations --------------------------------------------------------------------------

Compute = Callable[[EventLog, Dataset], pa.Table]
GAP = timedelta(minutes=30)


def _read(log: EventLog, data: Dataset) -> pa.Table:
    return log.engine.run(log.table.order_by("seq"))


def _where(log: EventLog, data: Dataset) -> EventLog:
    return subset(log, where=data.where, since=data.since, until=data.until)


def _steps(log: EventLog, data: Dataset) -> pa.Table:
    made = steps(log).log
    return made.engine.run(made.table.order_by("seq"))


def _sessions(log: EventLog, data: Dataset) -> pa.Table:
    made = sessions(log, gap=GAP, replace_existing=True)
    return made.engine.run(made.table.order_by("seq"))


COMPUTATIONS: dict[str, Compute] = {
    "read": _read,
    "summary": lambda log, d: summary(log),
    "flows": lambda log, d: flows(log),
    "flows_markers": lambda log, d: flows(log, markers=True),
    "flows_per_session": lambda log, d: flows(
        sessions(log, gap=GAP, replace_existing=True), per="session", markers=True
    ),
    "paths": lambda log, d: paths(log, top=None),
    "paths_collapsed": lambda log, d: paths(log, top=5, collapse_loops=True),
    "funnel": lambda log, d: funnel(log, steps=d.funnel),
    "funnel_within": lambda log, d: funnel(log, steps=d.funnel, within=timedelta(hours=1)),
    "retention_day": lambda log, d: retention(log, period="day"),
    "retention_week": lambda log, d: retention(log, period="week"),
    "retention_month_event": lambda log, d: retention(log, period="month", event=d.event),
    "retention_quarter": lambda log, d: retention(log, period="quarter"),
    "cohorts_week": lambda log, d: cohorts(log, period="week"),
    "cohorts_month": lambda log, d: cohorts(log, period="month"),
    "sessions": _sessions,
    "session_summary": lambda log, d: session_summary(log, gap=GAP),
    "where": lambda log, d: _read(_where(log, d), d),
    "where_flows": lambda log, d: flows(_where(log, d), markers=True),
    "funnel_by": lambda log, d: funnel(log, steps=d.funnel, by=d.by),
    "flows_by": lambda log, d: flows(log, by=d.by),
    "retention_by": lambda log, d: retention(log, period="month", by=d.by),
    "steps": _steps,
    "steps_flows": lambda log, d: flows(steps(log).log),
    "lifecycle_complete": lambda log, d: flows(subset(log, lifecycle="complete")),
}

#: known gaps (ibis' ``notimpl``): (dataset, computation) -> the engines where the result
#: differs from DuckDB's, and why. Empty: every computation agrees on every engine.
GAPS: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {}


def _cases() -> list[Any]:
    return [
        pytest.param(name, comp, id=f"{name}-{comp}")
        for name, data in DATASETS.items()
        for comp in data.computations
    ]


@pytest.mark.parametrize(("dataset", "computation"), _cases())
def test_same_table_as_duckdb(
    engine: Engine,
    duckdb_engine: Engine,
    dataset: str,
    computation: str,
    request: pytest.FixtureRequest,
) -> None:
    gap = GAPS.get((dataset, computation))
    if gap is not None and engine.kind in gap[0]:
        request.applymarker(pytest.mark.xfail(reason=f"notimpl: {gap[1]}", strict=True))
    data = DATASETS[dataset]
    compute = COMPUTATIONS[computation]
    want = compute(log_of(duckdb_engine, dataset, request), data)
    # on DuckDB itself: a second, independent read of the same file
    log = log_of(engine, dataset, request, fresh=engine is duckdb_engine)
    got = compute(log, data)
    assert_same_table(got, want)


@pytest.mark.parametrize("dataset", list(DATASETS))
def test_same_read_report(
    engine: Engine, duckdb_engine: Engine, dataset: str, request: pytest.FixtureRequest
) -> None:
    want = log_of(duckdb_engine, dataset, request).report
    got = log_of(engine, dataset, request).report
    assert (got.rows_read, got.rows_used, got.rejected) == (
        want.rows_read,
        want.rows_used,
        want.rejected,
    )
    assert got.columns == want.columns
    assert [str(e) for e in got.examples] == [str(e) for e in want.examples]


ISO_TIMES = [
    "2024-01-01T10:00:00Z", "2024-01-01 10:00:00", "2024-01-01T10:00:00+01:00",
    "2024-01-01T10:00:00.123456Z", "2024-01-01", "2024-01-01T10:00:00.123456789Z",
    "2024-01-01 10:00", "2024-1-5 10:00:00", "2024-01-01T10:00:00+0100",
    "2024-01-01 10:00:00 UTC", "2024-01-01T10:00:00.5", "20240101 10:00:00", "2024-13-45",
    "2024-02-30 10:00:00", " 2024-01-01 10:00:00 ", "2024-01-01T10:00:00.1234567+05:30",
    "2024-01-01T10:00:00-08", "9999-12-31 23:59:59", "0001-01-01 00:00:00",
    "2024-01-01T10:00:00 +01:00", "2024/01/01 10:00:00", "2024-01-01T24:00:00",
]  # fmt: skip
#: ISO-like texts the engines' own casts read differently (the reader casts with TRY_CAST):
#: DuckDB takes "/" dates and hour 24, Spark an offset after a space
ISO_GAPS = {"spark": {"2024-01-01T10:00:00 +01:00", "2024/01/01 10:00:00", "2024-01-01T24:00:00"}}


def test_iso_times(engine: Engine, duckdb_engine: Engine, tmp_path: Path) -> None:
    """Each text becomes the same instant (or is rejected) on every engine; the known
    differences are listed in ISO_GAPS, and the test fails when one goes away."""
    path = tmp_path / "times.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["customer", "event", "timestamp"])
        w.writerows([f"c{i}", "e", v] for i, v in enumerate(ISO_TIMES))

    def parsed(eng: Engine) -> dict[str, Any]:
        log = read_events(path, engine=eng)
        rows = eng.run(log.table.select("customer", "ts", "ts_sub")).to_pylist()
        got = {r["customer"]: (r["ts"], r["ts_sub"]) for r in rows}
        return {v: got.get(f"c{i}") for i, v in enumerate(ISO_TIMES)}

    want, got = parsed(duckdb_engine), parsed(engine)
    assert want["2024-01-01T10:00:00+01:00"] == (datetime(2024, 1, 1, 9, 0), 0)
    differ = {v for v in ISO_TIMES if got[v] != want[v]}
    assert differ == ISO_GAPS.get(engine.kind, set())


@pytest.mark.parametrize("dataset", ["shop", "receipt", "mobile"])
def test_discover_draws_the_same_map(
    engine: Engine, duckdb_engine: Engine, dataset: str, request: pytest.FixtureRequest
) -> None:
    from journeymap.events.discover import discover

    want = discover(log_of(duckdb_engine, dataset, request), title="Draft")
    got = discover(log_of(engine, dataset, request), title="Draft")
    assert got.model_dump(mode="json") == want.model_dump(mode="json")


# ---- known answers on every engine ---------------------------------------------------------


def test_ties_keep_the_input_order(engine: Engine, request: pytest.FixtureRequest) -> None:
    log = log_of(engine, "shop", request)
    rows = engine.run(log.table.order_by("seq")).to_pylist()
    u1 = [(r["event"], r["seq"]) for r in rows if r["customer"] == "u1"][:5]
    # 11:01+01:00 is 10:01Z: the cart comes before the buy at 10:05Z
    assert [e for e, _ in u1] == ["visit", "view", "view", "cart", "buy, now"]
    f = flows(log)
    pairs = {(r["from"], r["to"]): r["count"] for r in f.to_pylist()}
    # vf4: cart, cart, visit all at 00:00:00 keep the file's order (else visit -> cart)
    assert pairs[("cart", "cart")] == 1
    assert pairs[("cart", "visit")] == 1
    assert ("visit", "visit") not in pairs


def test_customers_keep_their_letters(engine: Engine, request: pytest.FixtureRequest) -> None:
    """Spark once trimmed 'f' and 'v' off both ends of every value (see engine.py)."""
    log = log_of(engine, "shop", request)
    customers = set(engine.run(log.table.select("customer").distinct()).column(0).to_pylist())
    assert {"f3", "vf4", "u6"} <= customers
    events = set(engine.run(log.table.select("event").distinct()).column(0).to_pylist())
    assert "visit" in events and "multi\nline" in events  # " visit " stripped, newline kept


def test_nanosecond_epochs_are_exact(engine: Engine, request: pytest.FixtureRequest) -> None:
    log = log_of(engine, "nanos", request)
    rows = engine.run(log.table.order_by("seq")).to_pylist()
    first = rows[0]
    assert first["ts"].isoformat() == "2018-10-01T14:56:14.195002"
    assert first["ts_sub"] == 999
    # a: tap, tap (…002001 ns), open (…002999), close (…003000); b: open, close, open
    got = {(r["from"], r["to"]): r for r in flows(log).to_pylist()}
    assert set(got) == {("tap", "tap"), ("tap", "open"), ("open", "close"), ("close", "open")}
    assert got[("tap", "tap")]["median_seconds"] == 0.0
    assert got[("tap", "open")]["median_seconds"] == pytest.approx(998e-9, abs=1e-15)
    assert got[("close", "open")]["median_seconds"] == pytest.approx(1e-9, abs=1e-15)
    # open -> close: 1 ns (a) and 1.999999999 s (b): median 1.0, p90 by interpolation
    assert got[("open", "close")]["median_seconds"] == pytest.approx(1.0, abs=1e-12)
    assert got[("open", "close")]["p90_seconds"] == pytest.approx(
        1e-9 + 0.9 * (1.999999999 - 1e-9), abs=1e-12
    )


def test_rejected_rows_are_located(engine: Engine, request: pytest.FixtureRequest) -> None:
    log = log_of(engine, "shop", request)
    report = log.report
    assert report.rows_read == 25
    assert report.rows_rejected == 3
    text = "\n".join(str(e) for e in report.examples)
    assert '"2024-13-45"' in text


# ---- the engine's own pieces ---------------------------------------------------------------


def test_number_rows_follows_the_files(
    engine: Engine, shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Several files, several scan tasks per file: positions are the file order, 1..n."""
    pattern = _mobile_parts(shared_data, tmp_path_factory.getbasetemp())
    raw = engine.read_parquet(str(pattern))
    numbered = engine.number_rows(raw, name="n")
    expected = engine.run(raw.select("user_pseudo_id", "event_timestamp")).num_rows
    got = engine.run(numbered.select("n", "user_pseudo_id", "event_timestamp").order_by("n"))
    assert got.column("n").to_pylist() == list(range(1, expected + 1))
    import pyarrow.csv as pcsv

    convert = pcsv.ConvertOptions(column_types={"event_timestamp": pa.string()})
    original = pcsv.read_csv(
        shared_data / "eventlogs" / "mobile_app_onboarding.csv", convert_options=convert
    )
    assert (
        got.column("event_timestamp").to_pylist() == original.column("event_timestamp").to_pylist()
    )


def test_integer_floor_division_is_exact(engine: Engine) -> None:
    values = [1538405774195002999, 1538405774195002000, -1500, 1500, -1000, 7, -7, 0]
    t = engine.from_arrow(pa.table({"n": values}))
    got = engine.run(t.mutate(q=t.n // 1000, r=t.n // -3))
    assert got.column("q").to_pylist() == [v // 1000 for v in values]
    assert got.column("r").to_pylist() == [v // -3 for v in values]


def test_strings_with_control_characters(engine: Engine) -> None:
    values = ["fof", " \x0bvf\x0c ", "\tab\n", "a\x07b", None]
    t = engine.from_arrow(pa.table({"s": values}))
    got = engine.run(t.mutate(a=t.s.strip(), b=t.s.lstrip(), c=t.s.rstrip(), d=t.s + "\x0b|"))
    assert got.column("a").to_pylist() == [None if v is None else v.strip() for v in values]
    assert got.column("b").to_pylist() == [None if v is None else v.lstrip() for v in values]
    assert got.column("c").to_pylist() == [None if v is None else v.rstrip() for v in values]
    assert got.column("d").to_pylist() == [None if v is None else v + "\x0b|" for v in values]


def test_ordered_collect(engine: Engine) -> None:
    t = engine.from_arrow(
        pa.table(
            {"j": ["a", "a", "a", "b", "b"], "pos": [3, 1, 2, 2, 1], "c": [30, 10, None, 20, 5]}
        )
    )
    e = t.group_by("j").aggregate(cs=t.c.collect(order_by=t.pos)).order_by("j")
    assert engine.run(e).column("cs").to_pylist() == [[10, 30], [5, 20]]


def test_materialised_tables_keep_their_types(engine: Engine) -> None:
    import ibis

    t = engine.from_arrow(pa.table({"x": [1, 2]}))
    kept = engine.materialise(t.mutate(zero=ibis.literal(0, type="int64"), f=t.x.cast("float32")))
    assert kept.schema() == ibis.schema({"x": "int64", "zero": "int64", "f": "float32"})
    assert engine.run(kept).schema.types == [pa.int64(), pa.int64(), pa.float32()]


def test_csv_reading(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "semi.csv"
    path.write_bytes(
        '\ufeffuser;event;"time"\nu1;"a;b";2024-01-01\nu2;"line\nbreak";2024-01-02\n'.encode()
    )
    got = engine.run(engine.read_csv(str(path), delimiter=";"))
    assert got.column_names == ["user", "event", "time"]
    assert got.column("event").to_pylist() == ["a;b", "line\nbreak"]


def test_spilling_quantiles_equal_quantile_cont(engine: Engine) -> None:
    """The quantiles from a sort (for logs too big for quantile_cont's memory) are the
    quantile_cont numbers: groups of 1, 2 and many values, ties, nulls, a group of nulls."""
    import random

    from journeymap.events._quantiles import quantiles

    rng = random.Random(3)
    groups, values = [], []
    for g, n in (("one", 1), ("two", 2), ("many", 997), ("ties", 50), ("nulls", 3)):
        for _ in range(n):
            groups.append(g)
            if g == "nulls":
                values.append(None)
            elif g == "ties":
                values.append(float(rng.choice([1, 2, 2, 3])))
            else:
                values.append(rng.uniform(0, 1e6))
    values[5] = None  # a null among the many is ignored
    t = engine.from_arrow(pa.table({"g": groups, "v": pa.array(values, pa.float64())}))
    probs = {"p0": 0.0, "p10": 0.1, "median": 0.5, "p90": 0.9, "p100": 1.0}
    want = engine.run(quantiles(t, ["g"], "v", probs, spill=False).order_by("g")).to_pylist()
    got = engine.run(quantiles(t, ["g"], "v", probs, spill=True).order_by("g")).to_pylist()
    # the group with only nulls has no values to rank: no row, where quantile_cont has nulls
    assert [r for r in want if r["g"] == "nulls"] == [{"g": "nulls", **dict.fromkeys(probs)}]
    want = [r for r in want if r["g"] != "nulls"]
    assert [r["g"] for r in got] == [r["g"] for r in want]
    for a, b in zip(got, want, strict=True):
        for name in probs:
            assert math.isclose(a[name], b[name], rel_tol=1e-12), (a["g"], name, a, b)
    one = next(r for r in got if r["g"] == "one")
    assert len({one[name] for name in probs}) == 1  # one value: every quantile is it


def test_flows_spill_above_what_memory_holds(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above what the memory limit holds for quantile_cont, flows take the sorting plan and
    give the same table."""
    from journeymap.events import _quantiles

    path = source("mobile", request)
    with Engine.connect(EngineConfig(memory_limit="1GB")) as eng:
        assert _quantiles.in_memory(eng, 1_000_000)
        assert not _quantiles.in_memory(eng, 2**30 // _quantiles.BYTES_PER_VALUE + 1)
        want = flows(read_events(path, engine=eng))
        # as if each value took a gigabyte: every log is too big for quantile_cont
        monkeypatch.setattr(_quantiles, "BYTES_PER_VALUE", 2**30)
        assert not _quantiles.in_memory(eng, 2)
        got = flows(read_events(path, engine=eng))
    assert got.num_rows == want.num_rows > 10
    assert got.select(["from", "to", "count", "customers"]).equals(
        want.select(["from", "to", "count", "customers"])
    )
    for name in ("median_seconds", "p90_seconds"):
        for a, b in zip(got.column(name).to_pylist(), want.column(name).to_pylist(), strict=True):
            assert math.isclose(a, b, rel_tol=1e-12)


@pytest.mark.slow
def test_flows_quantiles_in_parts_of_pairs(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above what the memory limit holds, pairs are packed into parts that each fit and get
    quantile_cont part by part; pairs too big on their own take the sorting plan. The table
    is the one quantile_cont gives at once."""
    from journeymap.events import _quantiles

    path = source("mobile", request)
    with Engine.connect(EngineConfig(memory_limit="1GB")) as eng:
        want = flows(read_events(path, engine=eng))
        sizes = sorted(want.column("count").to_pylist())
        capacity = sizes[len(sizes) // 2]  # half the pairs fit a part, the others do not
        limit = eng.memory_limit_bytes()
        assert limit is not None
        monkeypatch.setattr(_quantiles, "BYTES_PER_VALUE", limit // capacity)
        assert limit // _quantiles.BYTES_PER_VALUE == capacity
        assert sum(n <= capacity for n in sizes) >= 2 and sum(n > capacity for n in sizes) >= 2
        tables = "SELECT table_name FROM duckdb_tables() WHERE temporary"
        before = set(eng.execute(tables))
        got = flows(read_events(path, engine=eng))
        after = set(eng.execute(tables))
        kept = [t for (t,) in after - before if "groups" in t]
    # one table of pairs per part, and one of the pairs that take the sort
    assert len(kept) >= 2
    assert got.select(["from", "to", "count", "customers"]).equals(
        want.select(["from", "to", "count", "customers"])
    )
    for name in ("median_seconds", "p90_seconds"):
        for a, b in zip(got.column(name).to_pylist(), want.column(name).to_pylist(), strict=True):
            assert a is not None and b is not None and math.isclose(a, b, rel_tol=1e-12)


def test_paths_in_parts_above_what_memory_holds(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A log whose ordered lists do not fit the memory limit is counted in groups of
    journeys; the variants are the same, with the same counts, in the same order."""
    from journeymap.events import paths as paths_module

    path = source("mobile", request)
    with Engine.connect(EngineConfig(memory_limit="1GB")) as eng:
        log = read_events(path, engine=eng)
        assert paths_module._buckets(eng, log.report.rows_used) == 1
        want = paths(log, top=None)
        limit = eng.memory_limit_bytes()
        assert limit is not None and abs(limit - 10**9) < 10**7  # DuckDB shows "953.6 MiB"
        rows = log.report.rows_used
        # as if each event took so much that the log needs 4 times half the limit
        monkeypatch.setattr(paths_module, "BYTES_PER_EVENT", 4 * (limit // 2) // rows + 1)
        assert paths_module._buckets(eng, rows) == 5  # 4 and a bit
        assert paths_module._buckets(eng, rows // 3) == 2
        assert paths_module._buckets(eng, rows // 5) == 1
        got = paths(read_events(path, engine=eng), top=None)
        collapsed = paths(read_events(path, engine=eng), top=5, collapse_loops=True)
    assert got.num_rows == want.num_rows > 100
    assert got.equals(want)
    monkeypatch.undo()
    with Engine.connect(EngineConfig(memory_limit="1GB")) as eng:
        assert collapsed.equals(paths(read_events(path, engine=eng), top=5, collapse_loops=True))
