"""Every drawing function gives a figure that is written as a valid SVG, PNG, PDF and offline
HTML file, showing the numbers of its table; on small real data (the running-example XES log,
the first reviews of the Amazon beauty file)."""

from __future__ import annotations

import gzip
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from journeymap import _numbers as nb
from journeymap.rendering import charts

if TYPE_CHECKING:
    import pyarrow as pa

    from journeymap.events.read import EventLog
    from journeymap.voice.read import Feedback

FORMATS = ("svg", "png", "pdf", "html")


@pytest.fixture(scope="module")
def log(shared_data: Path) -> EventLog:
    from journeymap.events.read import read_events

    return read_events(shared_data / "eventlogs/running-example.xes")


@pytest.fixture(scope="module")
def reviews(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Feedback:
    """The first 400 real reviews of the Amazon beauty file."""
    from journeymap.voice.read import read_feedback

    with gzip.open(shared_data / "feedback/amazon_all_beauty_5core.json.gz", "rt") as fh:
        lines = [next(fh) for _ in range(400)]
    path = tmp_path_factory.mktemp("reviews") / "beauty.jsonl"
    path.write_text("".join(lines))
    return read_feedback(path)


def _texts(svg: str) -> str:
    root = ET.fromstring(svg)
    return " ".join("".join(e.itertext()) for e in root.iter() if e.tag.endswith("text"))


def check_files(figure: Any, shown: list[str], tmp_path: Path) -> None:
    """The figure in each format: an SVG that parses and shows ``shown``, a PNG of a real
    size, a PDF, and an HTML file that loads no script from the network."""
    from PIL import Image

    for fmt in FORMATS:
        data = charts.chart_bytes(figure, fmt)
        if fmt == "svg":
            words = _texts(data.decode())
            for text in shown:
                assert text in words, (text, words[:400])
        elif fmt == "png":
            assert data.startswith(b"\x89PNG\r\n\x1a\n")
            with Image.open(io.BytesIO(data)) as img:
                assert img.width >= 400 and img.height >= 150, img.size
        elif fmt == "pdf":
            assert data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]
        else:
            html = data.decode()
            assert html.lstrip().lower().startswith("<!doctype html")
            assert not re.search(r"<script[^>]*\bsrc\s*=\s*[\"']?(https?:)?//", html, re.I)
            assert not re.search(r"<link[^>]*\bhref\s*=\s*[\"']?(https?:)?//", html, re.I)
    written = charts.save_chart(figure, tmp_path / "chart.png")
    assert written.read_bytes().startswith(b"\x89PNG")


def counts(table: pa.Table, column: str, n: int | None = None) -> list[str]:
    return [nb.count(v) for v in table.column(column).to_pylist()[:n]]


# ---- the charts of an event log -------------------------------------------------------------


def test_process_map(log: EventLog, tmp_path: Path) -> None:
    graph = charts.flow_graph(log, top_events=8)
    figure = charts.process_map(graph)
    assert isinstance(figure, charts.SvgFigure) and figure._repr_svg_() == figure.svg
    events = [r["event"] for r in graph.nodes.to_pylist() if r["kind"] == "event"]
    check_files(figure, [*events[:3], "start 6", "end 6"], tmp_path)


def test_sankey(log: EventLog, tmp_path: Path) -> None:
    graph = charts.flow_graph(log, top_events=8)
    figure = charts.sankey(graph)
    occurrences = [r["occurrences"] for r in graph.nodes.to_pylist() if r["kind"] == "event"]
    first = next(e["to"] for e in graph.edges.to_pylist() if e["from"] == "<start>")
    check_files(figure, [f"{nb.count(occurrences[0])} times", "the main path", first], tmp_path)
    assert figure.svg.index(first) < min(  # the main path starts with the commonest first event
        figure.svg.index(r["event"])
        for r in graph.nodes.to_pylist()
        if r["kind"] == "event" and r["event"] != first
    )


def test_step_times(log: EventLog, tmp_path: Path) -> None:
    table = charts.step_times_data(log, top=6)
    figure = charts.step_times_chart(table)
    check_files(figure, [table.column("label")[0].as_py(), "Time between steps"], tmp_path)


def test_funnel(log: EventLog, tmp_path: Path) -> None:
    steps = ["register request", ["examine casually", "examine thoroughly"], "decide"]
    table = charts.funnel_data(log, steps=steps)
    figure = charts.funnel_chart(table)
    check_files(figure, ["1. register request", *counts(table, "customers")], tmp_path)


def test_paths(log: EventLog, tmp_path: Path) -> None:
    table = charts.paths_data(log, top=5)
    figure = charts.paths_chart(table)
    check_files(figure, [*counts(table, "customers"), "Top 5 paths"], tmp_path)


def test_retention(log: EventLog, tmp_path: Path) -> None:
    table = charts.retention_data(log, period="week")
    figure = charts.retention_chart(table)
    check_files(figure, ["retention", "churn", "Retention and churn"], tmp_path)


def test_cohort_heatmap(log: EventLog, tmp_path: Path) -> None:
    table = charts.cohort_data(log, period="week")
    figure = charts.cohort_heatmap(table)
    later = [r for r in table.to_pylist() if r["period_offset"] == 1]
    shown = [f"{r['share'] * 100:.0f}" for r in later]
    check_files(figure, [*shown, "Cohort retention"], tmp_path)


# ---- the charts of feedback ------------------------------------------------------------------


def test_scores_by_group(reviews: Feedback, tmp_path: Path) -> None:
    table = charts.scores_data(reviews, by=["verified"])
    figure = charts.scores_chart(table, what="mean rating")
    shown = [f"(n={nb.count(n)})" for n in table.column("n").to_pylist()]
    check_files(figure, [*shown, "Mean rating by verified"], tmp_path)


def test_scores_by_period(reviews: Feedback, tmp_path: Path) -> None:
    table = charts.scores_data(reviews, by=["year"])
    figure = charts.scores_chart(table, what="mean rating")
    check_files(figure, [table.column("group")[0].as_py(), "Mean rating by year"], tmp_path)


def test_sentiment(reviews: Feedback, tmp_path: Path) -> None:
    table = charts.sentiment_data(reviews)
    labels = table.column("label").to_pylist()
    shown = [f"{x} ({nb.count(labels.count(x))})" for x in ("negative", "positive")]
    check_files(charts.sentiment_chart(table), shown, tmp_path)


def test_themes(reviews: Feedback, tmp_path: Path) -> None:
    table = charts.themes_data(reviews, k=4)
    rows = table.to_pylist()
    shown = [f"{r['theme']}. {r['label']}"[:30] for r in rows]
    check_files(charts.themes_chart(table), shown, tmp_path)


def test_drivers(reviews: Feedback, tmp_path: Path) -> None:
    mentions = {"smell": ["smell*", "scent*"], "hair": ["hair*"], "price": ["price*"]}
    table = charts.drivers_data(reviews, outcome="overall", mentions=mentions, drivers=[])
    shown = [f"{r['driver']} ({r['direction']})" for r in table.to_pylist()]
    check_files(charts.drivers_chart(table), [*shown, "Key drivers"], tmp_path)


# ---- writing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["chart.gif", "chart", "chart.csv"])
def test_save_chart_refuses_other_suffixes(log: EventLog, tmp_path: Path, name: str) -> None:
    from journeymap.errors import UsageError

    figure = charts.paths_chart(charts.paths_data(log, top=3))
    with pytest.raises(UsageError, match=r"\.svg, \.png, \.pdf or \.html"):
        charts.save_chart(figure, tmp_path / name)
    assert not (tmp_path / name).exists()


def test_a_segmented_table_is_refused(log: EventLog) -> None:
    import pyarrow as pa

    from journeymap.errors import UsageError
    from journeymap.events.retention import retention

    whole = retention(log, period="week")
    table = whole.add_column(0, "segment", pa.array(["a"] * whole.num_rows))
    draw: Callable[[pa.Table], Any] = charts.retention_data
    with pytest.raises(UsageError, match="one log at a time"):
        draw(table)
