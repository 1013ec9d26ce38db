"""``journeymap events ...`` through Typer's runner: outputs, the read report, exit codes."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from journeymap.cli import app
from journeymap.cli.events import parse_duration, parse_steps
from journeymap.engine import Engine
from journeymap.errors import UsageError
from journeymap.events.read import read_events

SMALL = """\
user_id,event,timestamp
u1,visit,2024-01-01T10:00:00Z
u1,cart,2024-01-01T10:05:00Z
u1,buy,2024-01-01T10:20:00Z
u2,visit,2024-01-02T09:00:00Z
u2,cart,2024-01-02T09:01:00Z
u3,visit,2024-01-09T12:00:00Z
u3,visit,2024-02-01T12:00:00Z
u3,cart,2024-02-01T13:00:00Z
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.csv"
    path.write_text(SMALL)
    return path


@pytest.fixture(scope="module")
def mobile(shared_data: Path) -> Path:
    return shared_data / "eventlogs" / "mobile_app_onboarding.csv"


def invoke(runner: CliRunner, *args: Any) -> Any:
    result = runner.invoke(app, ["events", *[str(a) for a in args]])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def library(path: Path, compute: Any) -> list[dict[str, Any]]:
    """What the library gives for the same file: the reference for the CLI's output."""
    with Engine.connect() as engine:
        table: pa.Table = compute(read_events(path, engine=engine))
        return table.to_pylist()


# ---- small helpers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30m", 1800),
        ("2h", 7200),
        ("30d", 30 * 86400),
        ("45s", 45),
        ("1w", 604800),
        ("1h30m", 5400),
        ("1.5h", 5400),
        (" 10 min ", 600),
    ],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


@pytest.mark.parametrize("text", ["", "30", "m", "30x", "0m", "-5m", "1h30", "thirty minutes"])
def test_bad_durations_say_what_is_expected(text: str) -> None:
    with pytest.raises(UsageError, match=r"as a duration; expected .* e\.g\. 30m, 2h, 30d"):
        parse_duration(text, option="--within")


def test_steps() -> None:
    assert parse_steps("a,b|c,d") == ["a", ["b", "c"], "d"]
    assert parse_steps(" visit , cart | basket ") == ["visit", ["cart", "basket"]]
    with pytest.raises(UsageError, match="step 2"):
        parse_steps("a,,b")
    with pytest.raises(UsageError, match="at least two steps"):
        parse_steps("a")


# ---- commands on a small log ---------------------------------------------------------------


def test_help_lists_the_commands(runner: CliRunner) -> None:
    result = invoke(runner, "--help")
    assert result.exit_code == 0
    for cmd in ("summary", "flows", "paths", "funnel", "retention", "sessions", "discover"):
        assert cmd in result.stdout


def test_flows_table_and_report(runner: CliRunner, small: Path) -> None:
    result = invoke(runner, "flows", small)
    assert result.exit_code == 0, result.output
    assert "8 rows read, 8 used, 0 rejected" in result.stderr
    assert "customer='user_id'" in result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "flows (per customer)"
    top = next(line for line in lines if "│" in line)
    assert [c.strip() for c in top.split("│")][:4] == ["visit", "cart", "3", "3"]
    assert "5m 00s" in result.stdout  # visit -> cart: 5m, 1m and 1h; the median
    assert "more rows" not in result.stdout


def test_paths_title_gives_the_totals(runner: CliRunner, small: Path) -> None:
    """The title says how many variants and journeys there are, however few are shown."""
    from journeymap.events.paths import paths, totals

    with Engine.connect() as engine:
        counted = totals(paths(read_events(small, engine=engine), top=1))
    assert counted is not None
    variants, customers = counted
    assert variants > 1
    result = invoke(runner, "paths", small, "--top", "1")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert (
        lines[0] == f"paths (per customer): top 1 of {variants} variants of {customers} customers"
    )
    result = invoke(runner, "paths", small, "--top", "0")
    assert result.stdout.splitlines()[0] == (
        f"paths (per customer): all {variants} variants of {customers} customers"
    )


def test_truncated_table_says_so(runner: CliRunner, small: Path) -> None:
    result = invoke(runner, "flows", small, "--limit", "1")
    assert result.exit_code == 0
    assert "… 2 more rows (3 in all)" in result.stdout


@pytest.mark.parametrize("fmt", ["json", "csv", "parquet"])
def test_outputs_are_readable(runner: CliRunner, small: Path, tmp_path: Path, fmt: str) -> None:
    from journeymap.events.flows import flows

    want = library(small, flows)
    out = tmp_path / f"flows.{fmt}"
    result = invoke(runner, "flows", small, "-o", out)
    assert result.exit_code == 0, result.output
    assert f"wrote {out} (3 rows)" in result.stderr
    assert result.stdout == ""
    if fmt == "json":
        got = json.loads(out.read_text())
    elif fmt == "csv":
        got = pcsv.read_csv(out).to_pylist()
    else:
        got = pq.read_table(out).to_pylist()
    assert got == want


def test_json_and_csv_go_to_stdout(runner: CliRunner, small: Path) -> None:
    result = invoke(runner, "funnel", small, "--steps", "visit,cart,buy", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["customers"] for r in rows] == [3, 3, 1]
    result = invoke(runner, "paths", small, "--format", "csv")
    assert result.exit_code == 0, result.output
    got = list(csv.DictReader(io.StringIO(result.stdout)))
    assert got[0]["path"] == "visit > cart" and json.loads(got[0]["events"]) == ["visit", "cart"]


def test_parquet_needs_a_file(runner: CliRunner, small: Path) -> None:
    result = invoke(runner, "flows", small, "--format", "parquet")
    assert result.exit_code == 2
    assert "--format parquet needs a file" in result.stderr


def test_unknown_suffix(runner: CliRunner, small: Path, tmp_path: Path) -> None:
    result = invoke(runner, "flows", small, "-o", tmp_path / "flows.xlsx")
    assert result.exit_code == 2
    assert "cannot tell the format" in result.stderr


def test_funnel_bad_within_and_unknown_step(runner: CliRunner, small: Path) -> None:
    result = invoke(runner, "funnel", small, "--steps", "visit,cart", "--within", "30x")
    assert result.exit_code == 2
    assert "--within: cannot read '30x' as a duration" in result.stderr
    assert "Traceback" not in result.output
    result = invoke(runner, "funnel", small, "--steps", "visit,crt")
    assert result.exit_code == 2
    assert "no event 'crt' in the log; did you mean 'cart'?" in result.stderr


def test_funnel_within_and_sets(runner: CliRunner, small: Path) -> None:
    result = invoke(
        runner, "funnel", small, "--steps", "visit,cart|buy", "--within", "30m", "--format",
        "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["name"] for r in rows] == ["visit", "cart | buy"]
    assert [r["customers"] for r in rows] == [3, 2]  # u3's cart comes 3 weeks after its visit


def test_retention_and_cohorts(runner: CliRunner, small: Path) -> None:
    result = invoke(runner, "retention", small, "--period", "week", "--format", "json")
    assert result.exit_code == 0, result.output
    weeks = json.loads(result.stdout)
    assert (weeks[0]["period"], weeks[0]["new"]) == ("2024-01-01", 2)  # u3 starts a week later
    result = invoke(runner, "retention", small, "--period", "month", "--active-event", "cart")
    assert result.exit_code == 0, result.output
    assert "retention by month" in result.stdout
    result = invoke(runner, "retention", small, "--period", "month", "--cohorts")
    assert result.exit_code == 0, result.output
    assert "cohorts by month" in result.stdout and "100.0%" in result.stdout
    result = invoke(runner, "retention", small, "--cohorts", "--format", "json")
    cohorts = json.loads(result.stdout)
    assert {"cohort", "period_offset", "cohort_size", "customers", "share"} <= set(cohorts[0])


def test_sessions(runner: CliRunner, small: Path, tmp_path: Path) -> None:
    result = invoke(runner, "sessions", small, "--session-gap", "30m")
    assert result.exit_code == 0, result.output
    assert "sessions" in result.stdout
    out = tmp_path / "sessions.csv"
    result = invoke(runner, "sessions", small, "--session-gap", "1h", "-o", out)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [r["session"] for r in rows if r["customer"] == "u3"] == ["1", "2", "2"]
    result = invoke(runner, "sessions", small, "--session-gap", "soon")
    assert result.exit_code == 2
    assert "--session-gap: cannot read 'soon' as a duration" in result.stderr


def test_summary(runner: CliRunner, small: Path) -> None:
    result = invoke(runner, "summary", small)
    assert result.exit_code == 0, result.output
    assert "customers" in result.stdout and "rows_read" in result.stdout
    result = invoke(runner, "summary", small, "--format", "json")
    (row,) = json.loads(result.stdout)
    assert (row["customers"], row["events"], row["distinct_events"]) == (3, 8, 3)


def test_discover_writes_a_valid_map(runner: CliRunner, small: Path, tmp_path: Path) -> None:
    out = tmp_path / "draft.yaml"
    result = invoke(runner, "discover", small, "-o", out, "--title", "Small shop")
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.stderr
    assert runner.invoke(app, ["validate", str(out)]).exit_code == 0
    again = invoke(runner, "discover", small, "-o", out)
    assert again.exit_code == 2
    assert "already exists; pass --force" in again.stderr


def test_columns_given_and_unknown(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("who,what,when\na,x,1700000000\na,y,1700000060\n")
    result = invoke(
        runner, "flows", path, "--customer", "who", "--event", "what", "--time", "when",
        "--time-unit", "s", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["median_seconds"] == 60.0
    result = invoke(runner, "flows", path, "--customer", "nope")
    assert result.exit_code == 2
    assert "no column 'nope'" in result.stderr


def test_several_logs_are_one(runner: CliRunner, small: Path, tmp_path: Path) -> None:
    more = tmp_path / "more.csv"
    more.write_text("user_id,event,timestamp\nu9,visit,2024-03-01T00:00:00Z\n")
    result = invoke(runner, "summary", small, more, "--format", "json")
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert (row["rows_read"], row["customers"]) == (9, 4)
    assert f"{small}, {more}: 9 rows read" in result.stderr


def test_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    result = invoke(runner, "flows", tmp_path / "nope.csv")
    assert result.exit_code == 2
    assert "no such file" in result.stderr
    assert "Traceback" not in result.output


# ---- a broken timestamp in row 1,234 -------------------------------------------------------


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    path = tmp_path / "events.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["user_id", "event", "timestamp"])
        for line in range(2, 2001):  # the header is line 1
            ts = "2023-13-45" if line == 1234 else f"2023-01-{1 + line % 28:02d}T10:00:00Z"
            w.writerow([f"u{line % 50}", ("visit", "cart", "buy")[line % 3], ts])
    return path


def test_strict_names_file_row_column_and_value(runner: CliRunner, broken: Path) -> None:
    result = invoke(runner, "flows", broken, "--strict")
    assert result.exit_code == 2
    assert f'{broken}:1234: column "timestamp": cannot read "2023-13-45" as a time' in (
        result.stderr
    )
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_strict_exits_2_without_a_traceback(runner: CliRunner, broken: Path) -> None:
    result = invoke(runner, "flows", broken, "--strict")
    assert result.exit_code == 2
    assert 'cannot read "2023-13-45" as a time' in result.stderr
    assert "1 of 1,999 rows cannot be used" in result.stderr
    assert "Traceback" not in result.output


def test_without_strict_the_row_is_reported(runner: CliRunner, broken: Path) -> None:
    result = invoke(runner, "flows", broken)
    assert result.exit_code == 0, result.output
    assert "1,999 rows read, 1,998 used, 1 rejected" in result.stderr
    assert f'e.g. {broken}:1234: column "timestamp": cannot read "2023-13-45" as a time' in (
        result.stderr
    )
    assert "flows (per customer)" in result.stdout


# ---- the real mobile onboarding log --------------------------------------------------------


def test_mobile_flows_top_row(runner: CliRunner, mobile: Path) -> None:
    from journeymap.events.flows import flows

    want = library(mobile, flows)
    result = invoke(runner, "flows", mobile, "--limit", "3")
    assert result.exit_code == 0, result.output
    assert "30,943 rows read, 30,943 used, 0 rejected" in result.stderr
    top = want[0]
    assert (top["from"], top["to"]) == ("onboarding_welcome_screen", "onboarding_welcome_screen")
    first_row = next(line for line in result.stdout.splitlines() if "│" in line)
    assert f"{top['count']:,}" in first_row and f"{top['customers']:,}" in first_row
    result = invoke(runner, "flows", mobile, "--format", "json")
    assert json.loads(result.stdout) == want


def test_mobile_funnel_equals_the_library(runner: CliRunner, mobile: Path) -> None:
    from journeymap.events.funnel import funnel

    steps = ["onboarding_welcome_screen", "onboarding__chooseLoginType", "passed"]
    want = library(mobile, lambda log: funnel(log, steps=steps, within=timedelta(days=1)))
    result = invoke(
        runner, "funnel", mobile, "--steps", ",".join(steps), "--within", "1d", "--format",
        "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == want
    assert [r["customers"] for r in want] == [4120, 2160, 1536]
    table = invoke(runner, "funnel", mobile, "--steps", ",".join(steps), "--within", "1d")
    assert "4,120" in table.stdout and "52.4%" in table.stdout and "37.3%" in table.stdout


# ---- Spark through the CLI -----------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.usefixtures("spark_engine")  # the test run's Spark session, which the CLI joins
def test_spark_engine_gives_the_same_output(runner: CliRunner, small: Path) -> None:
    args = ["funnel", small, "--steps", "visit,cart|buy", "--format", "json"]
    duck = invoke(runner, *args)
    spark = invoke(runner, *args, "--engine", "spark", "--memory-limit", "1GB")
    assert spark.exit_code == 0, spark.output
    assert json.loads(spark.stdout) == json.loads(duck.stdout)


# ---- filters, segments, lifecycles, columns named for what they hold ------------------------

SEGMENTED = """\
user_id,event,timestamp,plan,lifecycle:transition
u1,visit,2024-01-01T10:00:00Z,pro,complete
u1,cart,2024-01-01T10:05:00Z,pro,start
u1,cart,2024-01-01T10:07:00Z,pro,complete
u1,buy,2024-01-01T10:20:00Z,pro,complete
u2,visit,2024-01-02T09:00:00Z,free,complete
u2,cart,2024-01-02T09:01:00Z,free,complete
u3,visit,2024-01-09T12:00:00Z,free,complete
u3,visit,2024-02-01T12:00:00Z,,complete
u3,cart,2024-02-01T13:00:00Z,pro,complete
"""


@pytest.fixture
def segmented(tmp_path: Path) -> Path:
    path = tmp_path / "segmented.csv"
    path.write_text(SEGMENTED)
    return path


def test_where_and_a_window_keep_some_events(runner: CliRunner, segmented: Path) -> None:
    from journeymap.events.flows import flows
    from journeymap.events.subset import subset

    args = ["--where", "plan=pro|free", "--where", "event!=buy", "--since", "2024-01-01",
            "--until", "2024-02-01"]  # fmt: skip
    result = invoke(runner, "flows", segmented, *args, "--format", "json")
    assert result.exit_code == 0, result.output
    assert "filters: where plan=pro|free; where event!=buy; since 2024-01-01 (inclusive); " \
        "until 2024-02-01 (exclusive)" in result.stderr  # fmt: skip
    assert "kept 6 of 9 events (66.7%) and 3 of 3 customers (100.0%)" in result.stderr

    def filtered(log: Any) -> Any:
        return flows(
            subset(log, where=["plan=pro|free", "event!=buy"], since="2024-01-01",
                   until="2024-02-01")
        )  # fmt: skip

    with Engine.connect() as engine:
        log = read_events(segmented, engine=engine, keep=["plan"])
        want = filtered(log).to_pylist()
    assert json.loads(result.stdout) == want
    assert [(r["from"], r["to"], r["count"]) for r in want] == [
        ("visit", "cart", 2), ("cart", "cart", 1),
    ]  # fmt: skip


def test_bad_filters_are_clear_errors(runner: CliRunner, segmented: Path) -> None:
    cases = [
        (["--where", "plan"], "error: --where 'plan': expected COL=VALUE"),
        (["--where", "nps<=six"], "cannot read 'six' as a number or a date"),
        (["--since", "yesterday"], "error: --since: cannot read 'yesterday' as a date"),
        (["--where", "region=EU"], "no column 'region' to keep"),
        (["--where", "plan=gold"], "no event meets where plan=gold (of 9 events)"),
        (["--lifecycle", "suspend"], "holds: complete (8), start (1)"),
    ]
    for args, message in cases:
        result = invoke(runner, "summary", segmented, *args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.output


def test_lifecycle_keeps_one_transition(runner: CliRunner, segmented: Path, small: Path) -> None:
    result = invoke(runner, "summary", segmented, "--format", "json")
    assert "lifecycle='lifecycle:transition'" in result.stderr
    assert json.loads(result.stdout)[0]["events"] == 9  # every event by default, as pm4py
    result = invoke(runner, "summary", segmented, "--lifecycle", "complete", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["events"] == 8
    assert "filters: lifecycle complete" in result.stderr
    result = invoke(runner, "summary", small, "--lifecycle", "complete")
    assert result.exit_code == 2
    assert "no lifecycle column" in result.stderr and "--lifecycle-column COL" in result.stderr
    renamed = small.with_name("renamed.csv")
    renamed.write_text(SEGMENTED.replace("lifecycle:transition", "stage"))
    result = invoke(
        runner, "summary", renamed, "--lifecycle-column", "stage", "--lifecycle", "start",
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["events"] == 1


def test_by_gives_one_result_per_segment(runner: CliRunner, segmented: Path) -> None:
    from journeymap.events.funnel import funnel
    from journeymap.events.subset import where

    result = invoke(
        runner, "funnel", segmented, "--steps", "visit,cart", "--by", "plan", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert next(iter(rows[0])) == "segment"
    assert [(r["segment"], r["step"], r["customers"]) for r in rows] == [
        ("free", 1, 2), ("free", 2, 1), ("pro", 1, 1), ("pro", 2, 2 - 1), (None, 1, 1),
        (None, 2, 0),
    ]  # fmt: skip
    with Engine.connect() as engine:
        log = read_events(segmented, engine=engine, keep=["plan"])
        want = funnel(where(log, ["plan=free"]), steps=["visit", "cart"]).to_pylist()
    assert [{k: v for k, v in r.items() if k != "segment"} for r in rows[:2]] == want
    table = invoke(runner, "retention", segmented, "--by", "plan", "--period", "month")
    assert table.exit_code == 0, table.output
    assert table.stdout.splitlines()[0] == "retention by month, per plan"
    table = invoke(runner, "retention", segmented, "--by", "plan", "--format", "csv")
    got = list(csv.DictReader(io.StringIO(table.stdout)))
    assert list(got[0])[:3] == ["segment", "period", "partial"]
    assert [(r["segment"], r["period"]) for r in got] == [
        ("free", "2024-01-01"), ("free", "2024-02-01"), ("pro", "2024-01-01"),
        ("pro", "2024-02-01"), ("", "2024-02-01"),
    ]  # fmt: skip
    flows_out = invoke(runner, "flows", segmented, "--by", "plan")
    assert flows_out.exit_code == 0 and "flows (per customer) by plan" in flows_out.stdout


def test_retention_flags_the_partial_period(runner: CliRunner, small: Path) -> None:
    result = invoke(runner, "retention", small, "--period", "month", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["period"], r["partial"]) for r in rows] == [
        ("2024-01-01", False), ("2024-02-01", True),
    ]  # fmt: skip
    assert "retention_rate_standard" not in rows[0]
    assert (
        "period 2024-02-01 is partial: the data ends at 2024-02-01 13:00:00 UTC, before the "
        "period does" in result.stderr
    )


def test_seconds_are_headed_as_times_on_the_terminal_and_kept_in_files(
    runner: CliRunner, small: Path
) -> None:
    result = invoke(runner, "flows", small)
    header = next(line for line in result.stdout.splitlines() if "median" in line)
    assert "median time" in header and "p90 time" in header and "seconds" not in header
    assert "5m 00s" in result.stdout
    result = invoke(runner, "flows", small, "--format", "csv")
    got = list(csv.DictReader(io.StringIO(result.stdout)))
    assert float(got[0]["median_seconds"]) == 300.0
