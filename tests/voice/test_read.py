"""Reading feedback: formats, roles found by name, types, dates, rejected rows and errors."""

from __future__ import annotations

import csv
import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest

from journeymap.errors import EvidenceError, UsageError
from journeymap.voice.read import ROW, read_feedback, scale_of_name

SURVEY = """\
respondent_id,submitted_at,nps,comment,stage
r1,2024-01-05T10:00:00Z,10,"great
onboarding, really",Onboarding
r2,2024-01-20 09:00:00 +0100,6,slow,Onboarding
r3,2024-02-03,,only a comment,Renewal
r4,2024-02-10,n/a,,Renewal
"""


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# ---- CSV -------------------------------------------------------------------------------------


def test_csv_roles_types_and_rows(tmp_path: Path) -> None:
    fb = read_feedback(write(tmp_path / "s.csv", SURVEY))
    r = fb.roles
    assert (r.score, r.scale, r.text, r.date, r.customer, r.stage) == (
        "nps", "nps", "comment", "submitted_at", "respondent_id", "stage",
    )  # fmt: skip
    assert set(fb.detected) == {"score", "text", "date", "customer", "stage"}
    t = fb.table
    assert t.schema.field("nps").type == pa.float64()
    assert t.schema.field("submitted_at").type == pa.timestamp("us")
    assert t.column("nps").to_pylist() == [10.0, 6.0, None, None]  # empty and n/a: missing
    assert t.column("comment").to_pylist()[0] == "great\nonboarding, really"
    assert t.column("comment").to_pylist()[3] is None
    # the record with a line break starts on line 2; the next ones move down one line
    assert t.column(ROW).to_pylist() == [2, 4, 5, 6]
    # offsets are converted to UTC; no offset means UTC
    assert t.column("submitted_at").to_pylist()[:2] == [
        datetime(2024, 1, 5, 10, 0),
        datetime(2024, 1, 20, 8, 0),
    ]
    assert (fb.rows_read, fb.rejected, fb.rows_used) == (4, 0, 4)


def test_crlf_lines_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_bytes(b'score,text\r\n3,"a\r\nb"\r\n4,c\r\n\r\n5,d\r\n')
    t = read_feedback(path).table
    assert t.column(ROW).to_pylist() == [2, 4, 6]  # the blank line 5 is a line, not a row
    assert t.column("text").to_pylist() == ["a\r\nb", "c", "d"]


def test_a_row_whose_date_cannot_be_read_is_kept_without_a_date(tmp_path: Path) -> None:
    text = SURVEY + 'r5,"not a date",9,"two\nlines",Renewal\nr6,24/13/2024,9,x,Renewal\n'
    text += "r7,n/a,8,y,Renewal\n"  # an empty date, not an unreadable one
    fb = read_feedback(write(tmp_path / "s.csv", text))
    assert (fb.rows_read, fb.rejected, fb.undated) == (7, 0, 2)
    assert fb.reasons == {}
    expected = (
        "(expected ISO 8601 like 2024-03-05 or 2024-03-05T14:30:00+01:00, a day, month name "
        "and year like 19th November 2023, or say --date-format)"
    )
    assert [str(p) for p in fb.undated_examples] == [
        f'{tmp_path / "s.csv"}:7: column "submitted_at": cannot read "not a date" as a date '
        + expected,
        f'{tmp_path / "s.csv"}:9: column "submitted_at": cannot read "24/13/2024" as a date '
        + expected,
    ]
    # kept: every row, the two unreadable dates (and the n/a one) as missing dates
    assert fb.table.num_rows == 7
    assert fb.table.column("respondent_id").to_pylist()[-3:] == ["r5", "r6", "r7"]
    assert fb.table.column("submitted_at").to_pylist()[-3:] == [None, None, None]
    assert fb.table.column("nps").to_pylist()[-3:] == [9, 9, 8]
    lines = fb.lines()
    assert lines[0].endswith("7 rows read, 7 used, 0 rejected")
    assert "kept without a date: 2 rows whose date cannot be read (--strict rejects them)" in lines
    assert not any(line.startswith("rejected:") for line in lines)
    with pytest.raises(EvidenceError, match=r"s\.csv:7: column \"submitted_at\"") as info:
        read_feedback(tmp_path / "s.csv", strict=True)
    assert "2 of 7 rows cannot be used (2 rows with a date that cannot be read)" in str(info.value)


def test_a_row_rejected_for_another_reason_is_not_also_undated(tmp_path: Path) -> None:
    text = "date,nps\n2024-01-02,9\nsoon,11\nlater,5\n"
    fb = read_feedback(write(tmp_path / "u.csv", text), date="date")
    assert (fb.rows_read, fb.rejected, fb.undated) == (3, 1, 1)
    assert fb.table.column("nps").to_pylist() == [9, 5]


def test_scores_outside_the_scale_or_not_numbers_are_rejected(tmp_path: Path) -> None:
    text = "nps,text\n10,a\n11,b\nten,c\n-1,d\n0,e\n"
    fb = read_feedback(write(tmp_path / "n.csv", text))
    assert fb.table.column("nps").to_pylist() == [10.0, 0.0]
    assert fb.reasons == {"a score outside the scale": 2, "a score that is not a number": 1}
    messages = [str(p) for p in fb.examples]
    assert messages[0].endswith(':3: column "nps": 11 is outside the NPS scale 0-10')
    assert messages[1].endswith(':4: column "nps": cannot read "ten" as a number')
    assert messages[2].endswith(':5: column "nps": -1 is outside the NPS scale 0-10')


def test_a_given_range_replaces_the_default(tmp_path: Path) -> None:
    path = write(tmp_path / "c.csv", "csat\n7\n1\n6\n")
    assert read_feedback(path).rejected == 2  # CSAT is 1-5 by default
    fb = read_feedback(path, scale_range=(1, 7))
    assert (fb.roles.scale, fb.rejected) == ("csat", 0)
    assert "score='csat' (csat 1-7)" in fb.lines()[1]


@pytest.mark.parametrize(
    ("delimiter", "sep"), [(None, ";"), (None, "\t"), (None, "|"), ("tab", "\t")]
)
def test_delimiters(tmp_path: Path, delimiter: str | None, sep: str) -> None:
    text = f"rating{sep}review\n4{sep}fine, mostly\n2{sep}meh\n"
    fb = read_feedback(write(tmp_path / "d.csv", text), delimiter=delimiter)
    assert fb.table.column("review").to_pylist() == ["fine, mostly", "meh"]
    assert fb.table.column("rating").to_pylist() == [4.0, 2.0]


def test_encodings_bom_latin1_and_gzip(tmp_path: Path) -> None:
    bom = read_feedback(write(tmp_path / "b.csv", "\ufeffscore,text\n3,ok\n"))
    assert bom.roles.score == "score"
    # one rule with event logs and table import: latin-1 text is read when it is said, never
    # guessed (it used to be read as latin-1 silently when it was not UTF-8)
    write(tmp_path / "l.csv", "score,text\n3,très bien\n", "latin-1")
    latin = read_feedback(tmp_path / "l.csv", encoding="latin-1")
    assert latin.table.column("text").to_pylist() == ["très bien"]
    with pytest.raises(EvidenceError, match=r"not utf-8 text \(byte 15 .*--encoding"):
        read_feedback(tmp_path / "l.csv")
    with pytest.raises(EvidenceError, match="not utf-8 text"):
        read_feedback(tmp_path / "l.csv", encoding="utf-8")
    gz = tmp_path / "s.csv.gz"
    gz.write_bytes(gzip.compress(SURVEY.encode()))
    assert read_feedback(gz).table.column("nps").to_pylist() == [10.0, 6.0, None, None]


def test_ids_stay_text_and_other_columns_keep_their_type(tmp_path: Path) -> None:
    text = (
        "tweet_id,orderId,zip,retweets,weight,flag,text\n"
        "570306133677760513,12,02134,0,1.5,yes,a\n"
        "570301130888122368,13,10001,3,,no,b\n"
    )
    t = read_feedback(write(tmp_path / "i.csv", text)).table
    assert t.column("tweet_id").to_pylist() == ["570306133677760513", "570301130888122368"]
    assert t.column("orderId").type == pa.string()
    assert t.column("zip").to_pylist() == ["02134", "10001"]
    assert t.column("retweets").type == pa.int64()
    assert t.column("weight").to_pylist() == [1.5, None]
    assert t.column("flag").type == pa.string()


def test_empty_markers_among_numbers_leave_a_column_of_numbers(tmp_path: Path) -> None:
    """An export that writes NaN or n/a for "not rated" keeps a rating column numeric (it
    was text, and key drivers then left it out without a word)."""
    text = "Seat Comfort,Wifi,Route,note\n4,NaN,A-B,-\nn/a,2.5,B-C,x\n5,nan,-,y\n"
    t = read_feedback(write(tmp_path / "m.csv", text)).table
    assert t.column("Seat Comfort").to_pylist() == [4, None, 5]
    assert t.column("Seat Comfort").type == pa.int64()
    assert t.column("Wifi").to_pylist() == [None, 2.5, None]
    assert t.column("Route").to_pylist() == ["A-B", "B-C", "-"]  # text stays as written
    assert t.column("note").to_pylist() == ["-", "x", "y"]
    lines = tmp_path / "m.jsonl"
    lines.write_text('{"seat": 4, "wifi": "n/a"}\n{"seat": "N/A", "wifi": 3}\n')
    t = read_feedback(lines).table
    assert t.column("seat").to_pylist() == [4, None]
    assert t.column("wifi").to_pylist() == [None, 3]


def test_wrong_number_of_fields_is_a_rejected_row(tmp_path: Path) -> None:
    fb = read_feedback(write(tmp_path / "w.csv", "score,text\n3,a\n4,b,extra\n5,c\n"))
    assert fb.table.column("score").to_pylist() == [3.0, 5.0]
    assert str(fb.examples[0]).endswith(":3: 3 fields where the header has 2")


@pytest.mark.parametrize(
    ("values", "how", "first"),
    [
        (["1425000000", "1425086400"], "epoch s, by magnitude", datetime(2015, 2, 27, 1, 20)),
        (
            ["1425000000000", "1425086400000"],
            "epoch ms, by magnitude",
            datetime(2015, 2, 27, 1, 20),
        ),
        (["20150224", "20150301"], "YYYYMMDD", datetime(2015, 2, 24)),
    ],
)
def test_numeric_dates(tmp_path: Path, values: list[str], how: str, first: datetime) -> None:
    path = write(tmp_path / "e.csv", "date,score\n" + "".join(f"{v},5\n" for v in values))
    fb = read_feedback(path)
    assert fb.date_parse == how
    assert fb.table.column("date").to_pylist()[0] == first


def test_date_format(tmp_path: Path) -> None:
    path = write(tmp_path / "f.csv", 'reviewTime,stars\n"09 1, 2016",5\n"11 14, 2013",4\n')
    fb = read_feedback(path, date="reviewTime", date_format="%m %d, %Y")
    assert fb.table.column("reviewTime").to_pylist() == [
        datetime(2016, 9, 1),
        datetime(2013, 11, 14),
    ]


ORDINAL_DATES = [
    ("19th November 2023", datetime(2023, 11, 19)),
    ("1st November 2023", datetime(2023, 11, 1)),
    ("2nd March 2024", datetime(2024, 3, 2)),
    ("23rd Jan 2024", datetime(2024, 1, 23)),
    ("Nov 1st, 2023", datetime(2023, 11, 1)),
    ("November 19th, 2023", datetime(2023, 11, 19)),
    ("Sunday, 19th November 2023", datetime(2023, 11, 19)),
    ("19-Nov-2023", datetime(2023, 11, 19)),
    ("Sept 3rd, 2021", datetime(2021, 9, 3)),
    ("4 July 2022", datetime(2022, 7, 4)),
]


def test_dates_with_the_month_name_and_an_ordinal_day(tmp_path: Path) -> None:
    """The airline-review exports write "19th November 2023"; read without a format."""
    rows = "".join(f'"{text}",{i % 5 + 1}\n' for i, (text, _) in enumerate(ORDINAL_DATES))
    path = write(tmp_path / "o.csv", "Review Date,rating\n" + rows + "31st February 2024,3\n")
    fb = read_feedback(path, date="Review Date")
    assert fb.date_parse == "day, month name and year"
    got = fb.table.column("Review Date").to_pylist()
    assert got == [when for _, when in ORDINAL_DATES] + [None]
    assert (fb.rejected, fb.undated) == (0, 1)  # no 31 February: kept without a date
    assert "31st February 2024" in str(fb.undated_examples[0])
    # found by name too ("review date"), and ISO dates still read as ISO 8601
    assert read_feedback(write(tmp_path / "n.csv", "review_date,x\n" + rows)).roles.date == (
        "review_date"
    )
    iso = read_feedback(write(tmp_path / "i.csv", "date,x\n2024-03-01,1\n2nd March 2024,2\n"))
    assert iso.date_parse == "ISO 8601"
    assert iso.table.column("date").to_pylist() == [datetime(2024, 3, 1), datetime(2024, 3, 2)]


@pytest.mark.parametrize("fmt", ["%d %B %Y", "%dth %B %Y"])
def test_ordinal_days_with_a_date_format_are_read_not_dropped(tmp_path: Path, fmt: str) -> None:
    text = "when,rating\n1st March 2024,4\n2nd March 2024,5\n3rd March 2024,2\n"
    text += "14th March 2024,3\n14 March 2024,1\nMarch 15 2024,2\n"
    fb = read_feedback(write(tmp_path / "f.csv", text), date="when", date_format=fmt)
    assert fb.table.column("when").to_pylist() == [
        datetime(2024, 3, d) for d in (1, 2, 3, 14, 14)
    ] + [None]  # another order than the format says: kept without a date, counted
    assert (fb.rows_read, fb.rejected, fb.undated) == (6, 0, 1)
    assert fb.date_parse == f"format {fmt!r}"
    assert 'cannot read "March 15 2024" as a date (expected format' in str(fb.undated_examples[0])


# ---- roles -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "scale"),
    [
        ("likelihood_to_recommend", "nps"),
        ("NPS", "nps"),
        ("csat_score", "csat"),
        ("Satisfaction", "csat"),
        ("CES", "ces"),
        ("effort", "ces"),
        ("score", "rating"),
        ("stars", "rating"),
        ("processes", "rating"),
    ],
)
def test_scale_from_the_name(name: str, scale: str) -> None:
    assert scale_of_name(name) == scale


def test_a_0_to_10_score_not_named_like_nps_is_a_rating(tmp_path: Path) -> None:
    fb = read_feedback(write(tmp_path / "r.csv", "score\n0\n10\n7\n"))
    assert fb.roles.scale == "rating"
    assert "score='score' (rating, 0-10 observed)" in fb.lines()[1]


def test_a_score_column_of_words_is_not_taken(tmp_path: Path) -> None:
    fb = read_feedback(write(tmp_path / "w.csv", "rating,stars,text\ngood,4,a\nbad,2,b\n"))
    assert fb.roles.score == "stars"


def test_explicit_roles_and_ratings(tmp_path: Path) -> None:
    text = "who,when,overall_rating,seat_comfort,staff,recommended,airline\n"
    text += "a,2024-01-01,8,4,5,yes,X\nb,2024-01-02,3,2,,no,Y\n"
    fb = read_feedback(
        write(tmp_path / "x.csv", text), customer="who", date="when",
        ratings=["seat_comfort", "staff"], segment="airline",
    )  # fmt: skip
    r = fb.roles
    assert (r.customer, r.date, r.score, r.outcome, r.segment) == (
        "who", "when", "overall_rating", "recommended", "airline",
    )  # fmt: skip
    assert r.ratings == ("seat_comfort", "staff")
    assert fb.table.column("staff").to_pylist() == [5.0, None]
    assert fb.table.column("recommended").to_pylist() == ["yes", "no"]
    assert fb.column("segment") == "airline"
    assert set(fb.detected) == {"score", "outcome"}


def test_unknown_columns_suggest_a_close_match(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", SURVEY)
    with pytest.raises(EvidenceError, match=r"no column 'npss' for --score; did you mean 'nps'\?"):
        read_feedback(path, score="npss")
    with pytest.raises(EvidenceError, match=r"for --ratings; did you mean 'stage'"):
        read_feedback(path, ratings=["stag"])
    with pytest.raises(UsageError, match="say which with --touchpoint COL"):
        read_feedback(path).column("touchpoint")


# ---- other formats ---------------------------------------------------------------------------


def test_json_lines_gzip_array_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        {"overall": 5.0, "reviewText": "nice", "unixReviewTime": 1472688000, "style": {"a": 1}},
        {"overall": 2, "reviewText": "meh", "unixReviewTime": 1384387200, "verified": True},
    ]
    text = "\n".join(json.dumps(x) for x in lines) + "\nnot json\n\n" + json.dumps(lines[0]) + "\n"
    path = tmp_path / "r.jsonl.gz"
    path.write_bytes(gzip.compress(text.encode()))
    fb = read_feedback(path)
    assert (fb.roles.score, fb.roles.text, fb.roles.date) == (
        "overall", "reviewText", "unixReviewTime",
    )  # fmt: skip
    assert fb.table.column(ROW).to_pylist() == [1, 2, 5]
    assert fb.table.column("style").to_pylist()[0] == '{"a": 1}'
    assert fb.table.column("verified").to_pylist() == [None, True, None]
    assert str(fb.examples[0]).endswith(":3: not a JSON object (Expecting value)")
    array = tmp_path / "a.json"
    array.write_text(json.dumps(lines))
    assert read_feedback(array).table.column(ROW).to_pylist() == [1, 2]


def test_xlsx_sheets_and_rows(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.append(["score", "comment"])
    first.append([4, "first sheet"])
    ws = book.create_sheet("answers")
    ws.append([])
    ws.append(["Respondent", "Submitted_at", "CSAT", "Comment"])
    ws.append([101, datetime(2024, 3, 1, 9, 30), 5, "ok"])
    ws.append([])
    ws.append([102, "2024-03-02", 2, None])
    ws.append([103, datetime(2024, 3, 3), "x", "what"])
    path = tmp_path / "t.xlsx"
    book.save(path)
    assert read_feedback(path).table.column("comment").to_pylist() == ["first sheet"]
    fb = read_feedback(path, sheet="answers")
    assert fb.table.column(ROW).to_pylist() == [3, 5]
    assert fb.table.column("Respondent").to_pylist() == ["101", "102"]
    assert fb.table.column("Submitted_at").to_pylist() == [
        datetime(2024, 3, 1, 9, 30),
        datetime(2024, 3, 2),
    ]
    assert (fb.roles.scale, fb.rejected) == ("csat", 1)
    assert str(fb.examples[0]).endswith(':6: column "CSAT": cannot read "x" as a number')
    with pytest.raises(EvidenceError, match=r"no sheet 'answer'; did you mean 'answers'\?"):
        read_feedback(path, sheet="answer")


def test_a_table(tmp_path: Path) -> None:
    table = pa.table({"nps": [10, 3, 12], "text": ["a", None, "c"]})
    fb = read_feedback(table)
    assert fb.table.column(ROW).to_pylist() == [1, 2]
    assert str(fb.examples[0]) == '<table>:3: column "nps": 12 is outside the NPS scale 0-10'


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("", "the file is empty"),
        ("score,text\n", r"no rows \(only a header\)"),
        ("nps\n11\n12\n", r"no usable rows \(2 rows read\)"),
    ],
)
def test_unusable_files(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "f.csv"
    if content is not None:
        path.write_text(content)
    with pytest.raises(EvidenceError, match=message):
        read_feedback(path)


# ---- the real datasets -----------------------------------------------------------------------


def test_airline_tweets(shared_data: Path) -> None:
    path = shared_data / "feedback" / "airline_tweets.csv"
    fb = read_feedback(path)
    t = fb.table
    assert (fb.rows_read, fb.rejected, t.num_rows) == (14_640, 0, 14_640)
    assert (fb.roles.text, fb.roles.date, fb.roles.score) == ("text", "tweet_created", None)
    with path.open(newline="", encoding="utf-8") as f:
        records = list(csv.DictReader(f))
    assert len(records) == 14_640
    assert t.column("tweet_id").type == pa.string()
    assert t.column("tweet_id").to_pylist() == [r["tweet_id"] for r in records]
    assert t.column("text").to_pylist() == [r["text"] for r in records]
    # 2015-02-24 11:35:52 -0800 is 19:35:52 UTC
    assert t.column("tweet_created").to_pylist()[0] == datetime(2015, 2, 24, 19, 35, 52)
    multi = [(row, text) for row, text in zip(t.column(ROW).to_pylist(),
                                               t.column("text").to_pylist(), strict=True)
             if "\n" in text]  # fmt: skip
    assert multi[0][0] == 7
    assert multi[0][1].startswith("@VirginAmerica seriously would pay $30")
    line_count = path.read_bytes().count(b"\n")
    assert t.column(ROW).to_pylist()[-1] == line_count  # the last record is one line


def test_amazon_reviews(shared_data: Path) -> None:
    path = shared_data / "feedback" / "amazon_all_beauty_5core.json.gz"
    fb = read_feedback(path)
    with gzip.open(path, "rt") as f:
        records = [json.loads(line) for line in f]
    assert (fb.rows_read, fb.rejected) == (5_269, 0) == (len(records), 0)
    r = fb.roles
    assert (r.score, r.scale, r.text, r.date, r.customer) == (
        "overall", "rating", "reviewText", "unixReviewTime", "reviewerID",
    )  # fmt: skip
    assert fb.date_parse == "epoch s, by magnitude"
    t = fb.table
    assert t.column("overall").to_pylist() == [float(x["overall"]) for x in records]
    want = [datetime.fromtimestamp(x["unixReviewTime"], UTC).replace(tzinfo=None) for x in records]
    assert t.column("unixReviewTime").to_pylist() == want
    assert len(set(t.column("reviewerID").to_pylist())) == 991


def test_an_unclosed_quote_is_an_error_at_its_line_not_a_silent_loss(tmp_path: Path) -> None:
    """Issue 16, item 3: ``r10,0,"Loved it`` on row 10 of 1,000 answers made the csv module
    read the 990 rows after it into one comment: "10 rows read, 10 used, 0 rejected"."""
    rows = ["id,score,comment"] + [
        f"r{i},{i % 11},ok" if i != 10 else 'r10,0,"Loved it' for i in range(1, 1001)
    ]
    path = tmp_path / "runaway.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(EvidenceError, match=r"runaway\.csv:11: .*quote opened here is never"):
        read_feedback(path)
    # a comment over several lines, its quote closed, is one answer as before
    path.write_text('id,score,comment\nr1,9,"fine\nreally fine"\nr2,3,bad\n', encoding="utf-8")
    fb = read_feedback(path)
    assert fb.rows_used == 2


def test_nps_answers_are_whole_ascii_numbers(tmp_path: Path) -> None:
    """Issue 16: NPS 9.5 and an Arabic-Indic nine were read as answers. Both are rejected,
    counted and located; 10 and 3 are read."""
    path = tmp_path / "nps.csv"
    path.write_text("id,score\nr1,9.5\nr2,\u0669\nr3,10\nr4,3\n", encoding="utf-8")
    fb = read_feedback(path, score="score", scale="nps")
    assert (fb.rows_read, fb.rows_used) == (4, 2)
    text = "\n".join(fb.lines())
    assert 'nps.csv:2: column "score": 9.5 is not a whole number' in text
    assert 'nps.csv:3: column "score": cannot read "\u0669" as a number' in text
