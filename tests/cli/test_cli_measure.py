"""`journeymap demo` and `journeymap measure` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeymap.cli import app

ENV = {"COLUMNS": "120", "NO_COLOR": "1", "TERM": "dumb"}


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(
        app, ["demo", "-o", str(out), "--customers", "800"], env=ENV, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return out


def test_demo_writes_data_map_measurement_and_report(demo_dir: Path) -> None:
    for name in ("events.parquet", "feedback.csv", "journey.yaml", "report.html", "report.md",
                 "journey-measured.png"):  # fmt: skip
        assert (demo_dir / name).stat().st_size > 0, name
    saved = list((demo_dir / "journey.measurements").glob("*.json"))
    assert len(saved) == 1
    data = json.loads(saved[0].read_text())
    assert data["map_id"] and data["touchpoints"] and data["pain_points"]
    html = (demo_dir / "report.html").read_text()
    assert "<html" in html and "Pain points" in html
    assert "http://" not in html.replace("http://www.w3.org", "")  # offline: nothing fetched
    assert (demo_dir / "journey-measured.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_measure_twice_reports_no_drift_and_writes_reports(demo_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    args = [
        "measure", str(demo_dir / "journey.yaml"), "--events", str(demo_dir / "events.parquet"),
        "--feedback", str(demo_dir / "feedback.csv"), "-o", str(tmp_path / "r.json"),
        "-o", str(tmp_path / "r.md"),
    ]  # fmt: skip
    result = runner.invoke(app, args, env=ENV, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "largest KPI change 0.0%" in result.output
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["drift"]["largest"] == 0
    assert "| Stage |" in (tmp_path / "r.md").read_text()
    assert len(list((demo_dir / "journey.measurements").glob("*.json"))) >= 1


def test_measure_check_reports_links(demo_dir: Path) -> None:
    args = ["measure", str(demo_dir / "journey.yaml"), "--events",
            str(demo_dir / "events.parquet"), "--check"]  # fmt: skip
    result = CliRunner().invoke(app, args, env=ENV, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "every event belongs to one touchpoint" in result.output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["-o", "report.docx"], "cannot tell the report format"),
        ([], "nothing to measure"),
        (["--weights", "csat"], "--weights"),
    ],
)
def test_measure_errors_exit_2_without_traceback(
    demo_dir: Path, extra: list[str], message: str
) -> None:
    args = ["measure", str(demo_dir / "journey.yaml"), "--no-save", *extra]
    if extra and extra[0] == "--weights":
        args += ["--feedback", str(demo_dir / "feedback.csv")]
    result = CliRunner().invoke(app, args, env=ENV)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_measure_format_json_prints_the_measurement(demo_dir: Path) -> None:
    args = ["measure", str(demo_dir / "journey.yaml"), "--events",
            str(demo_dir / "events.parquet"), "--no-save", "--format", "json"]  # fmt: skip
    result = CliRunner().invoke(app, args, env=ENV, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["map_title"] and len(data["touchpoints"]) > 5
    assert data["pain_points"][0]["rank"] == 1


def test_measure_says_how_the_journeys_ended(demo_dir: Path, tmp_path: Path) -> None:
    args = ["measure", str(demo_dir / "journey.yaml"), "--events",
            str(demo_dir / "events.parquet"), "--no-save", "-o",
            str(tmp_path / "r.json")]  # fmt: skip
    result = CliRunner().invoke(app, args, env=ENV, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    outcomes = json.loads((tmp_path / "r.json").read_text())["outcomes"]
    total = sum(o["customers"] for o in outcomes)
    ends = ", ".join(
        f"{o['name'][0].lower()}{o['name'][1:]} {100 * o['customers'] / total:.1f}%"
        for o in outcomes
        if o["customers"]
    )
    line = f"journeys: {total:,} \u2014 {ends}"
    assert line.startswith("journeys: 800 \u2014 ended at the goal ")
    lines = result.stdout.splitlines()
    assert line in lines
    # after the touchpoint table, before the pain points
    assert lines.index(line) < lines.index("pain points, ranked")
    assert "note: " not in result.stdout  # the demo's measures can all be judged


def test_summary_prints_caveats_and_a_partial_change(capsys: pytest.CaptureFixture[str]) -> None:
    import datetime as dt

    from journeymap.cli.measure import _summary
    from journeymap.model.measurement import KPIMeasure, Measurement, OutcomeMeasure

    caveat = "Drop-off (journeys given up) is not judged: 1 customer step has it [sic]."
    result = Measurement(
        map_id="m", map_title="Permits", measured_at=dt.datetime(2026, 1, 1), method="-",
        outcomes=[
            OutcomeMeasure(key="goal", name="Ended at the goal", customers=1246),
            OutcomeMeasure(key="stopped", name="Stopped (report Y)", customers=15),
            OutcomeMeasure(key="declined", name="Declined", customers=0),
            OutcomeMeasure(key="abandoned", name="Abandoned", customers=131),
        ],
        kpis=[KPIMeasure(key="churn", kind="churn", label="Churn", value=12.0, unit="%",
                         previous=14.0, change=-2.0, partial=True)],
        caveats=[caveat],
    )  # fmt: skip
    _summary(result)
    out = capsys.readouterr().out.splitlines()
    # every outcome with a customer, of 1,392 journeys
    line = "journeys: 1,392 \u2014 ended at the goal 89.5%, stopped (report Y) 1.1%, abandoned 9.4%"
    assert line in out
    assert f"note: {caveat}" in out  # each caveat on its own line, brackets and all
    assert any("\u22122 pts (partial period)" in line for line in out)


def test_measure_with_a_cache_gives_the_measurement_without(demo_dir: Path, tmp_path: Path) -> None:
    """`measure --cache DIR` keeps the event log as `events` commands do; the next
    measurement (and an `events` command) starts from that file and says the same."""
    args = ["measure", str(demo_dir / "journey.yaml"), "--events",
            str(demo_dir / "events.parquet"), "--no-save", "--format", "json"]  # fmt: skip
    runner = CliRunner()
    plain = runner.invoke(app, args, env=ENV, catch_exceptions=False)
    cache = ["--cache", str(tmp_path / "cache")]
    kept = runner.invoke(app, [*args, *cache], env=ENV, catch_exceptions=False)
    again = runner.invoke(app, [*args, *cache], env=ENV, catch_exceptions=False)
    assert "cache: kept in" in kept.stderr
    assert "cache: read from" in again.stderr
    want = json.loads(plain.stdout)
    for result in (kept, again):
        got = json.loads(result.stdout)
        for volatile in ("measured_at", "created", "generated_at"):
            got.pop(volatile, None)
            want.pop(volatile, None)
        assert got == want
    flows = runner.invoke(
        app, ["events", "flows", str(demo_dir / "events.parquet"), *cache], env=ENV
    )
    assert "cache: read from" in flows.stderr
