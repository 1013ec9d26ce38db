"""Feedback files written carelessly or with intent (issue 16): nothing left out without a word.

A date column half unreadable is taken, its unreadable dates counted and located (``--strict``
fails); a header that names two columns alike is an error naming both; merged XLSX cells are
filled from their top-left cell and said so, never read as blanks; a JSON Lines file with a
broken line rejects and counts that line, at its own line number.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from journeymap.cli import app
from journeymap.errors import EvidenceError
from journeymap.voice.read import ROW, read_feedback

ENV = {"COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}


def _half_dated(path: Path, n: int = 40) -> Path:
    lines = ["customer_id,date,nps,comment"]
    for i in range(n):
        when = f"2024-{1 + (i // 2) % 6:02d}-1{i % 9}" if i % 2 == 0 else f"soon{i}"
        lines.append(f"c{i},{when},{i % 11},fine")
    path.write_text("\n".join(lines) + "\n")
    return path


# ---- a date column half unreadable -----------------------------------------------------------


def test_a_date_column_half_unreadable_is_taken_and_its_bad_dates_counted(tmp_path: Path) -> None:
    path = _half_dated(tmp_path / "half.csv")
    fb = read_feedback(path)
    assert fb.roles.date == "date"  # it used to be passed over: no date column, no word
    assert (fb.rows_read, fb.rejected, fb.undated) == (40, 0, 20)
    assert str(fb.undated_examples[0]).startswith(
        f'{path}:3: column "date": cannot read "soon1" as a date'
    )
    with pytest.raises(EvidenceError, match=r"20 of 40 rows cannot be used \(20 rows with a date"):
        read_feedback(path, strict=True)


def test_the_cli_groups_by_month_and_strict_fails(tmp_path: Path) -> None:
    path = _half_dated(tmp_path / "half.csv")
    by_month = CliRunner().invoke(app, ["feedback", "scores", str(path), "--by", "month"], env=ENV)
    assert by_month.exit_code == 0, by_month.output
    assert "2024-01" in by_month.output
    assert "kept without a date: 20 rows whose date cannot be read" in by_month.output
    strict = CliRunner().invoke(app, ["feedback", "summary", str(path), "--strict"], env=ENV)
    assert strict.exit_code == 2
    assert f'{path}:3: column "date": cannot read "soon1" as a date' in strict.output
    assert "Traceback" not in strict.output


def test_a_column_named_like_a_date_without_one_date_is_named_in_the_report(
    tmp_path: Path,
) -> None:
    path = tmp_path / "t.csv"
    path.write_text("time,nps\nmorning,9\nevening,3\n")
    fb = read_feedback(path)
    assert fb.roles.date is None
    assert (
        "column 'time' is named like the date but not taken as it: none of them reads as a "
        "date, e.g. 'morning' (say --date time to take it)"
    ) in fb.lines()


def test_a_date_format_given_finds_the_date_column_by_name(tmp_path: Path) -> None:
    path = tmp_path / "dm.csv"
    path.write_text("date,nps\n03/04/2024,9\n13/04/2024,3\n")
    fb = read_feedback(path, date_format="%d/%m/%Y")
    assert fb.roles.date == "date"
    assert fb.undated == 0


# ---- header names ----------------------------------------------------------------------------


def test_a_repeated_csv_header_name_is_an_error_naming_both(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("customer_id,nps,comment,nps\nc1,9,ok,3\n")
    with pytest.raises(EvidenceError) as info:
        read_feedback(path)
    assert str(info.value) == (
        f"{path}:1: the header names two columns 'nps' (columns 2 and 4); which one holds the "
        "values cannot be told: rename one (or delete the one not needed)"
    )


def test_a_repeated_xlsx_header_name_is_an_error_naming_both(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Answers"
    ws.append([])
    ws.append(["customer_id", "nps", "nps", "comment"])
    ws.append(["c1", 9, 3, "x"])
    path = tmp_path / "dup.xlsx"
    book.save(path)
    with pytest.raises(EvidenceError, match=r"dup\.xlsx:Answers!C2: the header names two "
                       r"columns 'nps' \(columns B and C\)"):  # fmt: skip
        read_feedback(path)


def test_two_columns_that_could_both_be_a_role_are_not_chosen_between(tmp_path: Path) -> None:
    path = tmp_path / "alike.csv"
    path.write_text("Customer ID,customer_id,nps\na,b,9\n")
    with pytest.raises(EvidenceError, match=r"columns 'Customer ID' and 'customer_id' could "
                       r"both be the customer .*say which with --customer COL"):  # fmt: skip
        read_feedback(path)
    assert read_feedback(path, customer="customer_id").roles.customer == "customer_id"


# ---- merged cells ----------------------------------------------------------------------------


def _merged_book(path: Path) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Survey"
    ws.append(["customer_id", "segment", "nps", "comment"])
    ws.append(["c1", "VIP", 9, "good"])
    ws.append(["c2", None, 3, "bad"])
    ws.append(["c3", None, 7, "meh"])
    ws.append(["c4", "Basic", 10, "same"])
    ws.append(["c5", "Basic", 8, None])
    ws.merge_cells("B2:B4")  # one segment for three answers
    ws.merge_cells("D5:D6")  # one comment for two
    book.save(path)
    return path


def test_merged_cells_take_the_value_of_their_top_left_cell_and_are_reported(
    tmp_path: Path,
) -> None:
    path = _merged_book(tmp_path / "m.xlsx")
    fb = read_feedback(path)
    assert fb.table.column("segment").to_pylist() == ["VIP", "VIP", "VIP", "Basic", "Basic"]
    assert fb.table.column("comment").to_pylist() == ["good", "bad", "meh", "same", "same"]
    assert fb.table.column(ROW).to_pylist() == [2, 3, 4, 5, 6]
    lines = fb.lines()
    at = lines.index(
        "merged cells: 2 ranges read as if every cell held the value of its top-left cell"
    )
    assert lines[at + 1 : at + 3] == [
        f"  e.g. {path}:Survey!B2:B4: the value of B2",
        f"  e.g. {path}:Survey!D5:D6: the value of D5",
    ]


def test_a_merged_header_is_an_error_that_says_so(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["customer_id", "ratings", None, "comment"])
    ws.append(["c1", 4, 5, "x"])
    ws.merge_cells("B1:C1")
    path = tmp_path / "h.xlsx"
    book.save(path)
    with pytest.raises(EvidenceError, match=r"two columns 'ratings' \(columns B and C\).*the "
                       r"header row has merged cells"):  # fmt: skip
        read_feedback(path)


def with_merge(path: Path, ref: str) -> Path:
    """``path`` (an XLSX file of one sheet) with a merged range ``ref`` written into its
    XML, as a hostile file would have it (openpyxl would make a cell object for each)."""
    with zipfile.ZipFile(path) as book:
        parts = {name: book.read(name) for name in book.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    merge = f'<mergeCells count="1"><mergeCell ref="{ref}"/></mergeCells>'
    sheet = sheet.replace("</sheetData>", "</sheetData>" + merge, 1)
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as book:
        for name, data in parts.items():
            book.writestr(name, data)
    return path


def test_merges_over_too_many_cells_are_refused(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["nps", "comment"])
    ws.append([9, "x"])
    book.save(tmp_path / "huge.xlsx")
    path = with_merge(tmp_path / "huge.xlsx", "A3:XFD1048576")  # 17 billion cells
    with pytest.raises(EvidenceError, match=r"huge\.xlsx:Sheet!A3: merged ranges cover more "
                       r"than 100,000 cells; unmerge them"):  # fmt: skip
        read_feedback(path)


# ---- JSON Lines with a broken line -----------------------------------------------------------


def test_a_broken_json_line_is_rejected_counted_and_located(tmp_path: Path) -> None:
    lines = [json.dumps({"customer_id": f"c{i}", "nps": i % 11}) for i in range(30)]
    lines[12] = '{"customer_id": "c12", "nps": 4'
    lines[3:3] = ["", ""]  # blank lines are lines, not rows
    path = tmp_path / "f.jsonl"
    path.write_text("\n".join(lines) + "\n")
    fb = read_feedback(path)
    assert (fb.rows_read, fb.rejected) == (30, 1)
    assert [str(e) for e in fb.examples] == [
        f"{path}:15: not a JSON object (Expecting ',' delimiter)"
    ]
    with pytest.raises(EvidenceError, match=r"f\.jsonl:15: not a JSON object"):
        read_feedback(path, strict=True)


def test_a_json_lines_file_without_one_object_is_refused(tmp_path: Path) -> None:
    # found by the fuzz suite: no column at all made an ArrowInvalid
    path = tmp_path / "f.jsonl"
    path.write_text('7\n"x"\n{oops\n')
    with pytest.raises(EvidenceError) as info:
        read_feedback(path)
    assert str(info.value).splitlines() == [
        f"{path}: no usable rows (3 rows read)",
        f"{path}:1: not a JSON object (int)",
        f"{path}:2: not a JSON object (str)",
    ]
