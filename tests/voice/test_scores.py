"""Scores against hand-computed values, grouped scores, the summary, and the real reviews."""

from __future__ import annotations

import gzip
import json
import math
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from journeymap.errors import EvidenceError, UsageError
from journeymap.voice.read import read_feedback
from journeymap.voice.scores import ces, csat, feedback_summary, nps, rating, scores

approx = pytest.approx

# ---- the score functions, by hand ------------------------------------------------------------


def test_nps_by_hand() -> None:
    # promoters 10, 9, 10, 9 (4); passives 8, 7 (2); detractors 6, 0, 3, 5 (4); n = 10
    s = nps([10, 9, 8, 7, 6, 0, 10, 3, 9, 5, None])
    assert (s.n, s.score) == (10, approx(0.0))
    assert s.parts == {"promoters": approx(40), "passives": approx(20), "detractors": approx(40)}
    # variance of +1/0/-1: 0.4 + 0.4 - 0^2 = 0.8; se = sqrt(0.8 / 10) * 100 = 28.2843
    assert s.ci_low == approx(-1.96 * 28.2843, abs=1e-3)
    assert s.ci_high == approx(55.4372, abs=1e-3)


def test_nps_interval_is_clipped() -> None:
    # 4 promoters, 1 passive, 1 detractor: NPS = (4 - 1) / 6 = 50
    # variance = 5/6 - 0.5^2 = 0.58333; se = sqrt(0.58333 / 6) * 100 = 31.1805
    s = nps([10, 10, 10, 9, 8, 2])
    assert s.score == approx(50.0)
    assert s.ci_low == approx(50 - 1.96 * 31.1805, abs=1e-3)  # -11.114
    assert s.ci_high == 100.0  # 111.1 clipped


def test_all_promoters_and_n_1() -> None:
    s = nps([9, 10, 10])
    assert (s.n, s.score, s.ci_low, s.ci_high) == (3, 100.0, 100.0, 100.0)
    one = nps([9])
    assert (one.n, one.score, one.ci_low, one.ci_high) == (1, 100.0, None, None)
    none = nps([None])
    assert (none.n, none.score, none.ci_low, none.parts["promoters"]) == (0, None, None, None)
    detractors = nps([0, 6])
    assert (detractors.score, detractors.ci_low, detractors.ci_high) == (-100, -100, -100)


def test_csat_wilson_by_hand() -> None:
    # top box 4-5: 5, 4, 5, 4, 4 of 8 -> p = 0.625
    s = csat([5, 4, 3, 2, 1, 5, 4, 4])
    assert (s.n, s.score, s.parts["top_box"]) == (8, 62.5, 62.5)
    # Wilson: (p + z²/2n ± z sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n), z = 1.96
    z2 = 1.96**2
    centre = (0.625 + z2 / 16) / (1 + z2 / 8)  # 0.58445
    half = 1.96 * math.sqrt(0.625 * 0.375 / 8 + z2 / 256) / (1 + z2 / 8)  # 0.27871
    assert s.ci_low == approx((centre - half) * 100) == approx(30.57, abs=0.01)
    assert s.ci_high == approx((centre + half) * 100) == approx(86.32, abs=0.01)


def test_csat_n_1_top_box_and_other_scales() -> None:
    one = csat([5])
    # Wilson with n = 1, p = 1: lower = 1 / (1 + z²) = 0.2065
    assert (one.score, one.ci_low, one.ci_high) == (100, approx(100 / (1 + 1.96**2)), 100)
    assert csat([5, 4, 3, 3], top_box=5).score == 25
    assert csat([7, 6, 5, 1], scale=(1, 7)).score == 50  # top two: 6-7
    with pytest.raises(UsageError, match="top box 6 is outside the CSAT scale 1-5"):
        csat([5], top_box=6)


def test_ces_and_rating_t_intervals() -> None:
    # mean 3, sd 1, t(0.975, 2) = 4.302653; half = 4.302653 / sqrt(3) = 2.48414
    s = ces([2, 3, 4])
    assert (s.n, s.score) == (3, 3.0)
    assert s.ci_low == 1.0  # 0.516 clipped to the 1-7 scale
    assert s.ci_high == approx(5.48414, abs=1e-4)
    # mean 3, sd 2.828427, t(0.975, 1) = 12.7062; half = 12.7062 * 2.828427 / sqrt(2) = 25.4124
    r = rating([1, 5])
    assert r.ci_low == approx(-22.4124, abs=1e-3)
    assert r.ci_high == approx(28.4124, abs=1e-3)
    assert (rating([1, 5], scale=(1, 5)).ci_low, rating([1, 5], scale=(1, 5)).ci_high) == (1, 5)
    n1 = ces([5])
    assert (n1.n, n1.score, n1.ci_low, n1.ci_high) == (1, 5.0, None, None)
    assert ces([]).score is None


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: nps([10, 11]), "outside the NPS scale 0-10, e.g. 11"),
        (lambda: nps([-1]), "outside the NPS scale 0-10, e.g. -1"),
        (lambda: csat([0, 5]), "outside the CSAT scale 1-5, e.g. 0"),
        (lambda: ces([8]), "outside the CES scale 1-7, e.g. 8"),
        (lambda: rating([6], scale=(1, 5)), "outside the rating scale 1-5, e.g. 6"),
    ],
)
def test_scores_outside_the_scale_are_an_error(call: object, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        call()  # type: ignore[operator]


# ---- grouped scores --------------------------------------------------------------------------

SURVEY = """\
respondent_id,date,nps,stage,comment
a,2024-01-03,10,Onboarding,x
b,2024-01-15,9,Onboarding,x
c,2024-01-20,3,Renewal,x
d,2024-03-02,8,Renewal,x
e,2024-03-09,10,Renewal,x
f,2024-03-09,,Support,only text
"""


@pytest.fixture
def survey(tmp_path: Path) -> Path:
    path = tmp_path / "survey.csv"
    path.write_text(SURVEY)
    return path


def test_scores_by_stage(survey: Path) -> None:
    t = scores(read_feedback(survey), by=["stage"])
    assert t.column_names == [
        "stage", "n", "score", "ci_low", "ci_high", "promoters", "passives", "detractors",
    ]  # fmt: skip
    rows = {r["stage"]: r for r in t.to_pylist()}
    assert list(rows) == ["Onboarding", "Renewal", "Support"]
    assert (rows["Onboarding"]["n"], rows["Onboarding"]["score"]) == (2, 100.0)
    # Renewal: 3 (detractor), 8 (passive), 10 (promoter) -> 0
    assert (rows["Renewal"]["n"], rows["Renewal"]["score"]) == (3, approx(0.0))
    renewal = nps([3, 8, 10])
    assert (rows["Renewal"]["ci_low"], rows["Renewal"]["ci_high"]) == (
        approx(renewal.ci_low), approx(renewal.ci_high),
    )  # fmt: skip
    # a group whose rows have no score: n = 0 and no score
    support = rows["Support"]
    assert (support["n"], support["score"], support["ci_low"], support["promoters"]) == (
        0, None, None, None,
    )  # fmt: skip


def test_scores_by_month_fill_the_gaps(survey: Path) -> None:
    t = scores(read_feedback(survey), by=["month"])
    assert t.column("month").to_pylist() == ["2024-01", "2024-02", "2024-03"]
    assert t.column("n").to_pylist() == [3, 0, 2]
    assert t.column("score").to_pylist() == [approx(100 * (2 - 1) / 3), None, approx(50.0)]
    both = scores(read_feedback(survey), by=["month", "stage"])
    assert both.num_rows == 4  # observed combinations only
    assert both.slice(0, 2).column("stage").to_pylist() == ["Onboarding", "Renewal"]


@pytest.mark.parametrize(
    ("period", "labels"),
    [
        ("day", ["2024-01-03", "2024-01-04"]),
        ("week", ["2024-W01", "2024-W02", "2024-W03"]),
        ("quarter", ["2024-Q1"]),
        ("year", ["2024"]),
    ],
)
def test_period_labels(survey: Path, period: str, labels: list[str]) -> None:
    got = scores(read_feedback(survey), by=[period]).column(period).to_pylist()
    assert got[: len(labels)] == labels


def test_scores_with_another_scale_check_every_answer(survey: Path, tmp_path: Path) -> None:
    fb = read_feedback(survey, scale="rating")
    with pytest.raises(EvidenceError, match=r'survey\.csv:2: column "nps": 10 is outside the '
                       r"CSAT scale 1-5 \(4 answers in all\)"):  # fmt: skip
        scores(fb, scale="csat")
    assert scores(fb, scale="csat", scale_range=(0, 10), top_box=9).column("score")[0].as_py() == (
        approx(60.0)
    )
    # 10, 9, 8, 10 are outside 1-5; the first is on line 2
    # a plain table is read strictly
    with pytest.raises(EvidenceError, match=r"<table>:2: column \"score\": 6 is outside"):
        scores(pa.table({"score": [5, 6]}), scale="csat")


def test_scores_of_rating_columns(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("seat,staff,airline\n4,5,X\n2,,X\n5,3,Y\n")
    fb = read_feedback(path, ratings=["seat", "staff"], segment="airline")
    t = scores(fb, by=["segment"])
    assert t.column_names[:4] == ["rating", "segment", "n", "score"]
    assert [(r["rating"], r["segment"], r["n"], r["score"]) for r in t.to_pylist()] == [
        ("seat", "X", 2, 3.0), ("seat", "Y", 1, 5.0), ("staff", "X", 1, 5.0),
        ("staff", "Y", 1, 3.0),
    ]  # fmt: skip
    top = scores(fb, scale="csat", of="ratings")
    assert top.column("top_box").to_pylist() == [approx(200 / 3), 50.0]


def test_another_score_column_gets_the_scale_of_its_name(tmp_path: Path) -> None:
    path = tmp_path / "two.csv"
    path.write_text("csat,effort\n5,2\n4,6\n1,7\n")
    fb = read_feedback(path)
    assert fb.roles.score == "csat"
    t = scores(fb, score="effort")  # CES by its name: the mean on 1-7
    assert (t.column("n")[0].as_py(), t.column("score")[0].as_py()) == (3, 5.0)
    assert "top_box" not in t.column_names


def test_bad_groupings(survey: Path) -> None:
    fb = read_feedback(survey)
    with pytest.raises(UsageError, match=r"--by mnth: .*did you mean 'month'\?"):
        scores(fb, by=["mnth"])
    with pytest.raises(UsageError, match="say which with --segment COL"):
        scores(fb, by=["segment"])
    assert scores(fb, by=["comment"]).column("comment").to_pylist() == ["only text", "x"]


def test_summary(survey: Path) -> None:
    row = feedback_summary(read_feedback(survey)).to_pylist()[0]
    assert row["rows_read"] == 6
    assert row["rows_used"] == 6
    assert row["rows_undated"] == 0
    assert row["with_score"] == 5
    assert row["with_text"] == 6
    assert (row["first_date"], row["last_date"]) == (datetime(2024, 1, 3), datetime(2024, 3, 9))
    assert (row["scale"], row["scale_range"]) == ("nps", "0-10")
    assert row["score"] == approx(100 * (3 - 1) / 5)
    assert (row["customers"], row["stages"], row["touchpoints"]) == (6, 3, None)


def test_summary_counts_the_rows_kept_without_a_date(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("date,nps\n19th November 2023,9\nlast week,3\n2nd March 2024,10\n")
    row = feedback_summary(read_feedback(path, date="date")).to_pylist()[0]
    assert (row["rows_read"], row["rows_used"], row["rows_undated"]) == (3, 3, 1)
    assert (row["first_date"], row["last_date"]) == (datetime(2023, 11, 19), datetime(2024, 3, 2))
    assert row["with_score"] == 3
    no_date = tmp_path / "n.csv"
    no_date.write_text("nps\n9\n")
    assert feedback_summary(read_feedback(no_date)).to_pylist()[0]["rows_undated"] is None


# ---- the real reviews ------------------------------------------------------------------------


def test_amazon_csat_by_month(shared_data: Path) -> None:
    path = shared_data / "feedback" / "amazon_all_beauty_5core.json.gz"
    t = scores(read_feedback(path, scale="csat"), by=["month"])
    # the same by hand: per calendar month (UTC) of unixReviewTime, the share of 4 and 5
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    with gzip.open(path, "rt") as f:
        for line in f:
            review = json.loads(line)
            month = datetime.fromtimestamp(review["unixReviewTime"], UTC).strftime("%Y-%m")
            counts[month][0] += 1
            counts[month][1] += review["overall"] >= 4
    first, last = min(counts), max(counts)
    months = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:]) - int(first[5:]) + 1
    assert t.num_rows == months
    assert sum(t.column("n").to_pylist()) == 5_269
    for row in t.to_pylist():
        n, top = counts.get(row["month"], [0, 0])
        assert row["n"] == n
        if n:
            assert row["score"] == approx(100 * top / n)
            assert row["ci_low"] <= row["score"] <= row["ci_high"]
        else:
            assert row["score"] is None


def test_with_category_sorts_answers_into_nps_and_csat_categories() -> None:
    import pyarrow as pa

    from journeymap.errors import UsageError
    from journeymap.voice.read import read_feedback
    from journeymap.voice.scores import with_category

    fb = read_feedback(pa.table({"nps": [10.0, 9.0, 8.0, 7.0, 6.0, 0.0, None]}), scale="nps")
    cats = with_category(fb).table.column("category").to_pylist()
    assert cats == ["promoter", "promoter", "passive", "passive", "detractor", "detractor", None]
    fb = read_feedback(pa.table({"csat": [5.0, 4.0, 3.0, 1.0]}), scale="csat")
    cats = with_category(fb).table.column("category").to_pylist()
    assert cats == ["satisfied", "satisfied", "unsatisfied", "unsatisfied"]
    with pytest.raises(UsageError, match="NPS or CSAT"):
        with_category(read_feedback(pa.table({"rating": [1.0, 2.0]}), scale="rating"))
