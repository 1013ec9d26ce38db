"""``-o FILE.svg|png|pdf|html`` on every ``events`` and ``feedback`` command: a chart from
each command that has one, a clear refusal (exit 2) from those that have none and for a
suffix that is neither a table's nor a chart's. Small real data: the running-example XES log
and the first reviews of the Amazon beauty file."""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from journeymap.cli import app

SUFFIXES = ("svg", "png", "pdf", "html")
FUNNEL = "register request,examine casually|examine thoroughly,decide"

#: command, its arguments after the file, the file (log or reviews), a word the chart shows
CHARTS: list[tuple[str, list[str], str, str]] = [
    ("events flows", [], "log", "Process map"),
    ("events flows", ["--chart", "sankey"], "log", "Flows between events"),
    ("events flows", ["--chart", "times"], "log", "Time between steps"),
    ("events paths", ["--top", "5"], "log", "Top 5 paths"),
    ("events funnel", ["--steps", FUNNEL], "log", "Funnel"),
    ("events retention", ["--period", "week"], "log", "Retention and churn"),
    ("events retention", ["--period", "week", "--cohorts"], "log", "Cohort retention"),
    ("feedback scores", ["--by", "year"], "reviews", "Mean rating by year"),
    ("feedback sentiment", [], "reviews", "Sentiment of the verbatims"),
    ("feedback themes", ["--k", "3"], "reviews", "Themes of the verbatims"),
    ("feedback drivers", ["--mention", "smell=smell*|scent*", "--mention", "hair=hair*",
                          "--outcome", "overall"], "reviews", "Key drivers"),
]  # fmt: skip


@pytest.fixture(scope="module")
def files(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("cli-charts")
    with gzip.open(shared_data / "feedback/amazon_all_beauty_5core.json.gz", "rt") as fh:
        lines = [next(fh) for _ in range(300)]
    reviews = folder / "beauty.jsonl"
    reviews.write_text("".join(lines))
    return {"log": shared_data / "eventlogs/running-example.xes", "reviews": reviews}


def run(*args: Any) -> Any:
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


@pytest.mark.slow  # 44 commands that read, compute and draw: about 3 minutes on 2 cores
@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize(
    ("command", "args", "source", "title"),
    CHARTS,
    ids=[" ".join([c[0], *c[1][:2]]) for c in CHARTS],
)
def test_every_chart_in_every_format(
    files: dict[str, Path], tmp_path: Path, command: str, args: list[str], source: str,
    title: str, suffix: str,
) -> None:  # fmt: skip
    out = tmp_path / f"chart.{suffix}"
    result = run(*command.split(), files[source], *args, "-o", out)
    assert result.exit_code == 0, result.output
    assert f"wrote {out} (chart)" in result.output
    data = out.read_bytes()
    if suffix == "png":
        from PIL import Image

        assert data.startswith(b"\x89PNG")
        with Image.open(out) as img:
            assert img.width > 300 and img.height > 100
    elif suffix == "pdf":
        assert data.startswith(b"%PDF-")
    elif suffix == "svg":
        assert data.lstrip().startswith(b"<svg") and title.encode() in data
    else:
        html = data.decode()
        assert not re.search(r"<script[^>]*\bsrc\s*=\s*[\"']?(https?:)?//", html, re.I)
        assert title in html


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize(
    ("command", "source"),
    [("events summary", "log"), ("events sessions", "log"), ("feedback summary", "reviews")],
)
def test_a_command_without_a_chart_refuses_an_image(
    files: dict[str, Path], tmp_path: Path, command: str, source: str, suffix: str
) -> None:
    out = tmp_path / f"x.{suffix}"
    result = run(*command.split(), files[source], "-o", out)
    assert result.exit_code == 2
    assert f"{command} draws no chart" in result.output
    assert "The commands that draw charts: events flows, paths, funnel, retention" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_discover_refuses_an_image(files: dict[str, Path], tmp_path: Path) -> None:
    result = run("events", "discover", files["log"], "-o", tmp_path / "map.png")
    assert result.exit_code == 2
    assert "discover writes a draft map (.yaml or .json), not a chart" in result.output


@pytest.mark.parametrize("name", ["flows.gif", "flows.txt", "flows"])
def test_a_bad_suffix_is_refused_before_reading(
    files: dict[str, Path], tmp_path: Path, name: str
) -> None:
    result = run("events", "flows", files["log"], "-o", tmp_path / name)
    assert result.exit_code == 2
    assert "cannot tell the format from the suffix" in result.output
    assert ".svg, .png, .pdf or .html for a chart" in result.output
    assert "rows read" not in result.output  # refused before the log is read


def test_format_and_a_chart_suffix_contradict(files: dict[str, Path], tmp_path: Path) -> None:
    result = run("events", "flows", files["log"], "--format", "csv", "-o", tmp_path / "f.png")
    assert result.exit_code == 2
    assert "is a chart; --format csv asks for a table" in result.output


def test_tables_still_go_to_their_files(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "flows.csv"
    result = run("events", "flows", files["log"], "-o", out)
    assert result.exit_code == 0, result.output
    assert out.read_text().splitlines()[0].replace('"', "").startswith("from,to,count,customers")


def test_a_chart_of_segments_is_refused(files: dict[str, Path], tmp_path: Path) -> None:
    result = run("events", "funnel", files["log"], "--steps", FUNNEL, "--by", "org:resource",
                 "-o", tmp_path / "f.png")  # fmt: skip
    assert result.exit_code == 2
    assert "a chart draws one log at a time; drop --by org:resource" in result.output
    assert "rows read" not in result.output  # refused before the log is read
