"""``journeymap feedback ...`` through Typer's runner: tables, files, read report, exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from journeymap.cli import app
from journeymap.cli.feedback import parse_list, parse_mention, parse_range
from journeymap.errors import UsageError
from journeymap.voice.read import read_feedback
from journeymap.voice.scores import scores


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, *args: Any) -> Any:
    result = runner.invoke(app, ["feedback", *[str(a) for a in args]])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def cells(stdout: str) -> list[list[str]]:
    return [[c.strip() for c in line.split("│")] for line in stdout.splitlines() if "│" in line]


# ---- small parsers ---------------------------------------------------------------------------


def test_parsers() -> None:
    assert parse_range("1-7") == (1, 7)
    assert parse_range("0..10") == (0, 10)
    assert parse_range(" 1 to 5 ") == (1, 5)
    for bad in ("7-1", "one-five", "5"):
        with pytest.raises(UsageError, match="expected LOW-HIGH"):
            parse_range(bad)
    assert parse_list(" seat, staff ,", "--ratings") == ["seat", "staff"]
    with pytest.raises(UsageError, match="--ratings"):
        parse_list(" , ", "--ratings")
    assert parse_mention("baggage=bag*| luggage") == ("baggage", ["bag*", "luggage"])
    with pytest.raises(UsageError, match="NAME=KEYWORD"):
        parse_mention("baggage")


# ---- commands --------------------------------------------------------------------------------


def test_help_lists_the_commands(runner: CliRunner) -> None:
    result = invoke(runner, "--help")
    assert result.exit_code == 0
    for cmd in ("summary", "scores", "sentiment", "themes", "drivers"):
        assert cmd in result.stdout


def test_summary(runner: CliRunner, survey: Path) -> None:
    result = invoke(runner, "summary", survey)
    assert result.exit_code == 0, result.output
    assert "8 rows read, 8 used, 0 rejected" in result.stderr
    assert "score='nps' (nps 0-10)" in result.stderr
    values = {row[0]: row[1] for row in cells(result.stdout)}
    assert values["rows_read"] == "8"
    assert values["with_score"] == "7"
    assert values["scale"] == "nps"
    assert values["stages"] == "3"


def test_scores_by_stage_table(runner: CliRunner, survey: Path) -> None:
    result = invoke(runner, "scores", survey, "--by", "stage")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "NPS by stage"
    header = next(line for line in result.stdout.splitlines() if "┃" in line)
    assert [c.strip() for c in header.split("┃")][:3] == ["stage", "n", "score"]
    rows = cells(result.stdout)
    assert [r[0] for r in rows] == ["Onboarding", "Renewal", "Support"]
    # Support: 2 (detractor), 7 (passive); the empty answer does not count
    assert rows[2][:3] == ["Support", "2", "-50"]


@pytest.mark.parametrize("fmt", ["json", "csv", "parquet"])
def test_scores_files_match_the_library(
    runner: CliRunner, survey: Path, tmp_path: Path, fmt: str
) -> None:
    want = scores(read_feedback(survey), by=["month", "stage"]).to_pylist()
    out = tmp_path / f"scores.{fmt}"
    result = invoke(runner, "scores", survey, "--by", "month", "--by", "stage", "-o", out)
    assert result.exit_code == 0, result.output
    assert f"wrote {out} ({len(want)} rows)" in result.stderr
    if fmt == "json":
        got = json.loads(out.read_text())
    elif fmt == "csv":
        got = pcsv.read_csv(out).to_pylist()
    else:
        got = pq.read_table(out).to_pylist()
    assert [(r["month"], r["stage"], r["n"]) for r in got] == [
        (r["month"], r["stage"], r["n"]) for r in want
    ]
    assert [r["score"] for r in got] == pytest.approx([r["score"] for r in want])


def test_scores_json_on_stdout_with_scale_and_top_box(runner: CliRunner, survey: Path) -> None:
    result = invoke(
        runner, "scores", survey, "--score", "seat", "--scale", "csat", "--top-box", "5",
        "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.stdout)
    assert (row["n"], row["score"]) == (8, 25.0)  # two 5s of eight


def test_scores_of_ratings_and_where(runner: CliRunner, survey: Path) -> None:
    result = invoke(
        runner, "scores", survey, "--ratings", "seat,staff", "--of", "ratings",
        "--where", "stage=Renewal", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "where stage=Renewal: 3 rows" in result.stderr
    got = [(r["rating"], r["n"], r["score"]) for r in json.loads(result.stdout)]
    assert got == [("seat", 3, pytest.approx(10 / 3)), ("staff", 3, pytest.approx(10 / 3))]


def test_range_for_another_scale(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("csat\n7\n6\n2\n")
    result = invoke(runner, "scores", path, "--format", "json")
    assert result.exit_code == 0
    assert "2 rows with a score outside the scale" in result.stderr
    assert 'column "csat": 7 is outside the CSAT scale 1-5 (say another with --range)' in (
        result.stderr
    )
    result = invoke(runner, "scores", path, "--range", "1-7", "--format", "json")
    assert json.loads(result.stdout)[0]["score"] == pytest.approx(200 / 3)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scores", "missing.csv"], "error: missing.csv: no such file"),
        (["scores", "{survey}", "--score", "npss"], "did you mean 'nps'?"),
        (["scores", "{survey}", "--by", "segment"], "say which with --segment COL"),
        (["scores", "{survey}", "--range", "7-1"], "--range '7-1': expected LOW-HIGH"),
        (["scores", "{survey}", "--scale", "csat", "--strict"], '{survey}:2: column "nps": 10 is'),
        (["scores", "{bad}", "--strict"], '{bad}:3: column "nps": cannot read "x" as a number'),
        (["summary", "{survey}", "--format", "parquet"], "--format parquet needs a file"),
    ],
)
def test_errors_exit_2_with_one_clear_line(
    runner: CliRunner, survey: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("nps,text\n9,a\nx,b\n7,c\n")
    args = [a.format(survey=survey, bad=bad) for a in args]
    result = invoke(runner, *args)
    assert result.exit_code == 2
    assert message.format(bad=bad, survey=survey) in result.stderr
    assert "Traceback" not in result.output


def test_sentiment_in_input_order_with_agreement(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "text,human\n"
        '"I love this airline, great crew!",positive\n'
        ",neutral\n"
        '"Terrible service,\nawful delay",negative\n'
        "The flight left at 9,neutral\n"
    )
    result = invoke(runner, "sentiment", path, "--human", "human", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["row"] for r in rows] == [2, 3, 4, 6]  # the lines where the records start
    assert [r["label"] for r in rows] == ["positive", None, "negative", "neutral"]
    assert "agreement with 'human':" in result.stderr
    assert "  accuracy: 1.000" in result.stderr
    bad = invoke(runner, "sentiment", path, "--human", "humans")
    assert bad.exit_code == 2
    assert "--human humans: no such column" in bad.stderr


def test_themes_of_some_rows(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    texts = ["late flight again", "flight delayed two hours", "delayed and late flight"] * 4
    texts += ["rude staff at the desk", "staff were rude", "the desk staff rude"] * 4
    lines = [f"{t},{1 + i % 2}" for i, t in enumerate(texts)]
    path.write_text("comment,stars\n" + "\n".join(lines) + "\n5 stars great,5\n")
    result = invoke(
        runner, "themes", path, "--k", "2", "--where", "stars<=2", "--format", "json"
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "where stars<=2: 24 rows" in result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 2
    assert sorted(r["size"] for r in rows) == [12, 12]
    assert all(len(r["quotes"]) == 3 for r in rows)
    table = invoke(runner, "themes", path, "--k", "2", "--where", "stars<=2")
    assert table.exit_code == 0
    assert "“" in table.stdout  # quotes, one a line, on the terminal


def test_drivers(runner: CliRunner, survey: Path) -> None:
    result = invoke(
        runner, "drivers", survey, "--outcome", "nps", "--drivers", "seat,staff",
        "--bootstrap", "20", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert sorted(r["driver"] for r in rows) == ["seat", "staff"]
    assert sum(r["importance"] for r in rows) == pytest.approx(100)
    assert "outcome 'nps'" in result.stderr


def test_drivers_from_mentions(runner: CliRunner, survey: Path) -> None:
    result = invoke(
        runner, "drivers", survey, "--outcome", "recommended", "--mention", "slow=slow|meh",
        "--mention", "good=great|lovely|fine", "--bootstrap", "0", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = {r["driver"]: r for r in json.loads(result.stdout)}
    assert set(rows) == {"slow", "good"}
    assert rows["good"]["direction"] == "+"
    assert rows["slow"]["direction"] == "-"


# ---- the real reviews ------------------------------------------------------------------------


def test_amazon_csat_by_month(runner: CliRunner, shared_data: Path, tmp_path: Path) -> None:
    path = shared_data / "feedback" / "amazon_all_beauty_5core.json.gz"
    out = tmp_path / "csat.json"
    result = invoke(runner, "scores", path, "--scale", "csat", "--by", "month", "-o", out)
    assert result.exit_code == 0, result.output
    assert "5,269 rows read, 5,269 used, 0 rejected" in result.stderr
    assert "date='unixReviewTime' (epoch s, by magnitude)" in result.stderr
    got = json.loads(out.read_text())
    want = scores(read_feedback(path, scale="csat"), by=["month"]).to_pylist()
    assert [r["month"] for r in got] == [r["month"] for r in want]
    assert sum(r["n"] for r in got) == 5_269
    assert got[0]["month"] == "2004-09"


# ---- what the results rest on, on stderr ----------------------------------------------------

#: an airline-review export: overall 1-10, three 1-5 aspects (gaps written as empty, NaN
#: and "n"), Recommended yes/no, Verified True/False, a date with an ordinal day
REVIEWS = (
    (
        "Airline Name,Overall_Rating,Review Date,Verified,Review,Seat Comfort,Food & Beverages,"
        "Wifi,Value For Money,Recommended\n"
    )
    + """\
AB,9,19th November 2023,True,"Great crew.",5,4,n,5,yes
AB,2,1st November 2023,False,"Lost bag, rude staff.",2,NaN,n,1,no
AB,8,Nov 2nd 2023,True,"Good value.",4,4,3,4,yes
AB,1,3rd November 2023,True,"Never again.",1,1,n,1,no
AB,7,4th November 2023,False,"Fine.",3,,2,4,yes
AB,3,5th November 2023,True,"Cramped and late.",2,2,n,2,no
AB,10,6th November 2023,True,"Superb.",5,5,5,5,yes
AB,5,sometime in 2023,True,"Meh.",3,3,n,3,no
AB,6,8th November 2023,False,"Ok value.",3,NaN,1,4,yes
AB,4,9th November 2023,True,"Poor food.",3,1,n,2,no
"""
)


def test_drivers_of_a_yes_no_outcome_say_what_was_used(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "reviews.csv"
    path.write_text(REVIEWS)
    result = invoke(runner, "drivers", path, "--bootstrap", "0", "--format", "json")
    assert result.exit_code == 0, result.output
    assert sorted(r["driver"] for r in json.loads(result.stdout)) == [
        "Food & Beverages", "Seat Comfort", "Value For Money", "Wifi"
    ]  # fmt: skip
    err = result.stderr
    assert "10 rows read, 10 used, 0 rejected" in err
    assert "date='Review Date' (day, month name and year)" in err
    assert "kept without a date: 1 row whose date cannot be read" in err
    assert "model: outcome 'Recommended' (yes/no as 1/0 ('yes' = 1)), R² " in err
    assert (
        "drivers: the rating columns, 4: Seat Comfort, Food & Beverages, Wifi, Value For Money"
        in err
    )
    assert "Overall_Rating (the score, another outcome: name it in --drivers to use it)" in err
    assert "Verified (yes/no, not a rating: name it in --drivers to use it)" in err
    assert "not numbers, read as missing: 'Wifi', 6 values (e.g. 'n')" in err


def test_sentiment_agreement_with_the_rating(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "reviews.csv"
    path.write_text(REVIEWS)
    result = invoke(runner, "sentiment", path, "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) == 10
    err = result.stderr
    assert "scored sentence by sentence" not in err  # every review is short
    assert (
        "agreement with the rating 'Overall_Rating' (scale 1-10; low: below 5.5, high: above "
        "5.5):" in err
    )
    assert "  all texts (10), Spearman " in err
    assert "fewer than 30 low or high ratings: rough" in err
    whole = invoke(runner, "sentiment", path, "--whole", "--format", "json")
    assert whole.exit_code == 0
    assert "scored sentence by sentence" not in whole.stderr
    assert "agreement with the rating 'Overall_Rating'" in whole.stderr
