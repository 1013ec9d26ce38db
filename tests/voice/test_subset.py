"""Some rows of feedback: ``where`` conditions on text, numbers and dates."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeymap.errors import UsageError
from journeymap.voice.read import Feedback, read_feedback
from journeymap.voice.subset import where


def _ids(fb: Feedback) -> list[str]:
    ids: list[str] = fb.table.column("respondent_id").to_pylist()
    return ids


def test_where(survey: Path) -> None:
    fb = read_feedback(survey)
    assert where(fb, ["stage=Renewal|Support", "nps<=8"]).table.column(
        "respondent_id"
    ).to_pylist() == ["c", "d", "g", "h"]
    assert where(fb, ["stage!=Renewal"]).table.num_rows == 5
    with pytest.raises(UsageError, match="no column 'stag'"):
        where(fb, ["stag=x"])
    assert where(fb, ["date>=2024-03-09"]).table.column("respondent_id").to_pylist() == [
        "e", "f", "g", "h",
    ]  # fmt: skip
    with pytest.raises(UsageError, match="cannot read 'high' as a number or date"):
        where(fb, ["nps<high"])
    with pytest.raises(UsageError, match="compare numbers and dates, not string"):
        where(fb, ["stage<b"])
    with pytest.raises(UsageError, match="no row meets"):
        where(fb, ["nps>10"])


def test_empty_values(tmp_path: Path) -> None:
    """An empty value is not V (``!=`` keeps it) and no number (``<``, ``>`` leave it out)."""
    path = tmp_path / "gaps.csv"
    path.write_text("respondent_id,nps,stage\na,10,Renewal\nb,,Support\nc,3,\n")
    fb = read_feedback(path)
    assert _ids(where(fb, ["stage!=Renewal"])) == ["b", "c"]
    assert _ids(where(fb, ["stage=Renewal|Support"])) == ["a", "b"]
    assert _ids(where(fb, ["nps<100"])) == ["a", "c"]
    assert _ids(where(fb, ["nps>9"])) == ["a"]


def test_the_rest_of_the_feedback_stays(survey: Path) -> None:
    fb = read_feedback(survey)
    some = where(fb, ["stage=Renewal"])
    assert _ids(some) == ["c", "d", "e"]
    assert (some.roles, some.source) == (fb.roles, fb.source)
    assert fb.table.num_rows == 8  # the feedback given is left as it was
    assert where(fb, []).table.equals(fb.table)


@pytest.mark.parametrize("condition", ["nps", "nps=", "<=3"])
def test_a_condition_it_cannot_read(survey: Path, condition: str) -> None:
    with pytest.raises(UsageError, match="expected COL=VALUE, COL!=VALUE or COL<=NUMBER"):
        where(read_feedback(survey), [condition])
