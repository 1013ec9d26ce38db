"""Each chart's data function on the real datasets of ``../shared/data``, checked against a
count made independently with pandas on the raw file (never through journeymap's reader)."""

from __future__ import annotations

import gzip
import itertools
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from journeymap.rendering import charts

if TYPE_CHECKING:
    import pandas as pd

    from journeymap.events.read import EventLog
    from journeymap.voice.read import Feedback

pd_ = pytest.importorskip("pandas")
pytestmark = pytest.mark.slow  # real datasets, a few seconds each

WELCOME = "onboarding_welcome_screen"
CHOOSE = "onboarding__chooseLoginType"


# ---- the raw files, read with pandas ---------------------------------------------------------


@pytest.fixture(scope="module")
def onboarding_raw(shared_data: Path) -> pd.DataFrame:
    """The onboarding clickstream in each user's order: time, then the file's order."""
    df = pd_.read_csv(shared_data / "eventlogs/mobile_app_onboarding.csv")
    df["row"] = range(len(df))
    df = df.sort_values(["user_pseudo_id", "event_timestamp", "row"], kind="stable")
    df["pos"] = df.groupby("user_pseudo_id").cumcount()
    return df


@pytest.fixture(scope="module")
def onboarding(shared_data: Path) -> EventLog:
    from journeymap.events.read import read_events

    return read_events(shared_data / "eventlogs/mobile_app_onboarding.csv", time_unit="ns")


@pytest.fixture(scope="module")
def cdnow_raw(shared_data: Path) -> pd.DataFrame:
    df = pd_.read_csv(
        shared_data / "purchases/cdnow_master.txt", sep=r"\s+", header=0,
        names=["customer", "date", "cds", "dollars"], dtype={"date": str},
    )  # fmt: skip
    df["month"] = pd_.to_datetime(df["date"], format="%Y%m%d").dt.to_period("M")
    return df


@pytest.fixture(scope="module")
def cdnow(shared_data: Path) -> EventLog:
    from journeymap.events.read import read_events

    return read_events(shared_data / "purchases/cdnow_master.txt", default_event="purchase")


@pytest.fixture(scope="module")
def beauty_raw(shared_data: Path) -> pd.DataFrame:
    with gzip.open(shared_data / "feedback/amazon_all_beauty_5core.json.gz", "rt") as fh:
        return pd_.DataFrame([json.loads(line) for line in fh])


@pytest.fixture(scope="module")
def beauty(shared_data: Path) -> Feedback:
    from journeymap.voice.read import read_feedback

    return read_feedback(shared_data / "feedback/amazon_all_beauty_5core.json.gz")


# ---- event logs ------------------------------------------------------------------------------


def test_funnel_data_counts_users_in_order(onboarding: EventLog, onboarding_raw: Any) -> None:
    table = charts.funnel_data(onboarding, steps=[WELCOME, CHOOSE, "passed"])
    rows = table.to_pylist()
    df = onboarding_raw
    first_welcome = df[df.event_name == WELCOME].groupby("user_pseudo_id").pos.min()
    chose = df[df.event_name == CHOOSE].join(first_welcome.rename("w"), on="user_pseudo_id")
    chose = chose[chose.pos > chose.w].groupby("user_pseudo_id").pos.min()
    passed = df[df.event_name == "passed"].join(chose.rename("c"), on="user_pseudo_id")
    passed = passed[passed.pos > passed.c].user_pseudo_id.nunique()
    assert [r["customers"] for r in rows] == [len(first_welcome), len(chose), passed]
    assert [r["label"] for r in rows] == [f"1. {WELCOME}", f"2. {CHOOSE}", "3. passed"]
    assert rows[2]["lost_from_first"] == len(first_welcome) - passed


def test_paths_data_are_the_most_common_sequences(
    onboarding: EventLog, onboarding_raw: Any
) -> None:
    table = charts.paths_data(onboarding, top=5)
    sequences = onboarding_raw.groupby("user_pseudo_id").event_name.agg(tuple)
    counts = sequences.value_counts()
    rows = table.to_pylist()
    assert [r["customers"] for r in rows] == list(counts.iloc[:5])
    assert [tuple(r["events"]) for r in rows] == list(counts.index[:5])
    assert rows[0]["share"] == pytest.approx(counts.iloc[0] / len(sequences))
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5]
    long = next(r for r in rows if r["length"] > 6)
    assert f"{long['length'] - 5} more" in long["label"]


def _transitions(df: Any) -> Any:
    nxt = df.groupby("user_pseudo_id").shift(-1)
    steps = df.assign(to=nxt.event_name, gap=(nxt.event_timestamp - df.event_timestamp) / 1e9)
    return steps.dropna(subset=["to"])


def test_step_times_data_are_the_biggest_transitions(
    onboarding: EventLog, onboarding_raw: Any
) -> None:
    table = charts.step_times_data(onboarding, top=6)
    steps = _transitions(onboarding_raw)
    grouped = steps.groupby(["event_name", "to"]).gap
    counts = grouped.size().sort_values(ascending=False)
    rows = table.to_pylist()
    assert [r["count"] for r in rows] == list(counts.iloc[:6])
    for r in rows:
        gaps = steps[(steps.event_name == r["from"]) & (steps.to == r["to"])].gap
        assert r["median_seconds"] == pytest.approx(gaps.median(), rel=1e-6, abs=1e-6)
        assert r["label"] == f"{r['from']} → {r['to']}"


def test_flow_graph_keeps_the_most_frequent_events(
    onboarding: EventLog, onboarding_raw: Any
) -> None:
    graph = charts.flow_graph(onboarding, top_events=5, max_edges=12)
    nodes = {r["event"]: r for r in graph.nodes.to_pylist()}
    frequent = onboarding_raw.event_name.value_counts()
    assert set(nodes) - {"<start>", "<end>"} == set(frequent.index[:5])
    for name in frequent.index[:5]:
        assert nodes[name]["occurrences"] == frequent[name]
    users = onboarding_raw.user_pseudo_id.nunique()
    assert nodes["<start>"]["occurrences"] == users == nodes["<end>"]["occurrences"]
    assert nodes["<start>"]["layer"] == 0
    assert nodes["<end>"]["layer"] == max(r["layer"] for r in nodes.values())
    moves = _transitions(onboarding_raw).groupby(["event_name", "to"]).size()
    edges = graph.edges.to_pylist()
    assert len(edges) <= 12 + 2 * 5  # the biggest, and each event's biggest way in and out
    assert [e["count"] for e in edges] == sorted((e["count"] for e in edges), reverse=True)
    steps = _transitions(onboarding_raw)
    kept = set(frequent.index[:5])
    for name in kept:  # each event's biggest way in and out among the events kept is drawn
        ways_in = steps[(steps.to == name) & steps.event_name.isin(kept - {name})]
        if len(ways_in):
            best = ways_in.groupby("event_name").size().idxmax()
            assert any(e["from"] == best and e["to"] == name for e in edges), name
        ways_out = steps[(steps.event_name == name) & steps.to.isin(kept - {name})]
        if len(ways_out):
            best = ways_out.groupby("to").size().idxmax()
            assert any(e["from"] == name and e["to"] == best for e in edges), name
    for e in edges:
        if "<" not in e["from"] + e["to"]:
            assert e["count"] == moves[(e["from"], e["to"])]
    assert graph.hidden_events == len(frequent) - 5
    all_moves = len(_transitions(onboarding_raw)) + 2 * users  # with the start and end markers
    assert sum(e["count"] for e in edges) + graph.hidden_moves == all_moves


def test_retention_data_is_retained_over_active_before(cdnow: EventLog, cdnow_raw: Any) -> None:
    table = charts.retention_data(cdnow, period="month")
    active = cdnow_raw.groupby("month").customer.agg(set)
    months = list(active.index)
    rows = {(str(r["period"])[:7], r["rate"]): r["value"] for r in table.to_pylist()}
    for before, now in itertools.pairwise(months):
        kept = len(active[before] & active[now]) / len(active[before]) * 100
        assert rows[(str(now), "retention")] == pytest.approx(kept)
        assert rows[(str(now), "churn")] == pytest.approx(100 - kept)
    assert (str(months[0]), "retention") not in rows  # nobody at the start of the first month


def test_cohort_data_sizes_and_shares(cdnow: EventLog, cdnow_raw: Any) -> None:
    table = charts.cohort_data(cdnow, period="month")
    first = cdnow_raw.groupby("customer").month.min().rename("cohort")
    df = cdnow_raw.join(first, on="customer")
    sizes = first.value_counts()
    rows = table.to_pylist()
    for r in (r for r in rows if r["period_offset"] == 1):
        cohort = pd_.Period(r["cohort"], "M")
        back = df[(df.cohort == cohort) & (df.month == cohort + 1)].customer.nunique()
        assert r["cohort_size"] == sizes[cohort]
        assert r["customers"] == back
        assert r["share"] == pytest.approx(back / sizes[cohort])
    assert {r["cohort"].isoformat()[:7] for r in rows} == {str(c) for c in sizes.index}


# ---- feedback --------------------------------------------------------------------------------


def test_scores_data_by_a_column(beauty: Feedback, beauty_raw: Any) -> None:
    table = charts.scores_data(beauty, by=["verified"])
    expected = beauty_raw.groupby("verified").overall.agg(["mean", "size"])
    rows = {r["group"]: r for r in table.to_pylist()}
    for flag, row in expected.iterrows():
        got = rows[str(flag)]
        assert got["n"] == row["size"]
        assert got["score"] == pytest.approx(row["mean"])
        assert got["ci_low"] < got["score"] < got["ci_high"]


def test_scores_data_by_year_drop_empty_periods(beauty: Feedback, beauty_raw: Any) -> None:
    table = charts.scores_data(beauty, by=["year"])
    years = pd_.to_datetime(beauty_raw.unixReviewTime, unit="s").dt.year
    counts = years.value_counts()
    assert {int(r["group"]): r["n"] for r in table.to_pylist()} == dict(counts.items())


def test_sentiment_data_has_every_text(beauty: Feedback, beauty_raw: Any) -> None:
    table = charts.sentiment_data(beauty)
    with_text = beauty_raw.reviewText.fillna("").str.strip().ne("").sum()
    assert table.num_rows == with_text
    assert set(table.column("label").to_pylist()) <= {"negative", "neutral", "positive"}


def test_themes_data_cover_the_texts(beauty: Feedback, beauty_raw: Any) -> None:
    table = charts.themes_data(beauty, k=5)
    rows = table.to_pylist()
    with_text = beauty_raw.reviewText.fillna("").str.strip().ne("").sum()
    assert sum(r["size"] for r in rows) <= with_text
    assert sum(r["share"] for r in rows) == pytest.approx(1.0)
    assert [r["size"] for r in rows] == sorted((r["size"] for r in rows), reverse=True)


def test_drivers_data_reads_mentions_the_helpful_way(beauty: Feedback, beauty_raw: Any) -> None:
    mentions = {"smell": ["smell*", "scent*"], "hair": ["hair*"], "broken": ["broke*", "leak*"]}
    table = charts.drivers_data(beauty, outcome="overall", mentions=mentions, drivers=[])
    rows = {r["driver"]: r for r in table.to_pylist()}
    assert set(rows) == set(mentions)
    assert sum(r["importance"] for r in rows.values()) == pytest.approx(100.0)
    texts = beauty_raw.reviewText.fillna("").str.lower()
    for name, words in mentions.items():
        pattern = r"\b(?:" + "|".join(re.escape(w[:-1]) + r"\w*" for w in words) + r")"
        share = texts.str.contains(pattern, regex=True).mean() * 100
        r = rows[name]
        assert r["performance_pct"] == pytest.approx(share, abs=0.05)
        helpful = 100 - share if r["direction"] == "-" else share
        assert r["performance_read"] == pytest.approx(helpful, abs=0.05)
