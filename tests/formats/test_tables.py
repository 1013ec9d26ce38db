"""Importing maps from tables: the seed articles as they stand, Markdown, CSV and XLSX."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import journeymap as jm
from journeymap.errors import TableImportError
from journeymap.formats.document import dumps, load, loads, save
from journeymap.formats.tables import ImportResult, import_tables
from journeymap.model.checks import check_map
from journeymap.model.journey import JourneyMap
from journeymap.rendering.markdown import to_markdown

# ---- an independent reader of pipe tables, to compare the seeds with what we render ---------

_DELIM = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")


def _cells(line: str) -> list[str]:
    text = line.strip()
    text = text[1:] if text.startswith("|") else text
    text = text[:-1] if text.endswith("|") and not text.endswith("\\|") else text
    parts = re.split(r"(?<!\\)\|", text)
    return [p.strip().replace("\\|", "|").replace("<br>", "\n") for p in parts]


def pipe_tables(text: str) -> list[tuple[list[str], list[list[str]]]]:
    """(headers, rows) of every pipe table; a table ends at a line without a pipe or at the
    header row of the next table."""
    lines = text.splitlines()
    tables: list[tuple[list[str], list[list[str]]]] = []
    i = 0
    while i < len(lines) - 1:
        if "|" in lines[i] and _DELIM.match(lines[i + 1]):
            headers = _cells(lines[i])
            rows: list[list[str]] = []
            i += 2
            while i < len(lines) and "|" in lines[i]:
                if i + 1 < len(lines) and _DELIM.match(lines[i + 1]):
                    break
                rows.append(_cells(lines[i])[: len(headers)])
                i += 1
            tables.append((headers, rows))
        else:
            i += 1
    return tables


def _has_tables(path: Path) -> bool:
    return bool(pipe_tables(path.read_text(encoding="utf-8")))


# ---- the seed articles -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_with_tables(seeds_dir: Path) -> Path:
    found = [p for p in sorted(seeds_dir.iterdir()) if p.is_file() and _has_tables(p)]
    assert found, f"no seed in {seeds_dir} has a table"
    with_touchpoints = [p for p in found if "Expected Emotion" in p.read_text(encoding="utf-8")]
    assert with_touchpoints, "expected the seed with the Touchpoint | Expected Emotion table"
    return with_touchpoints[0]


@pytest.fixture
def seed_import(seed_with_tables: Path, tmp_path: Path) -> ImportResult:
    copy = tmp_path / "seeds.md"
    shutil.copyfile(seed_with_tables, copy)  # as it stands, byte for byte
    assert copy.read_bytes() == seed_with_tables.read_bytes()
    return import_tables([copy], title="Seed journey")


def test_every_seed_imports_or_says_it_has_no_table(seeds_dir: Path) -> None:
    seeds = [p for p in sorted(seeds_dir.iterdir()) if p.is_file()]
    assert seeds
    for path in seeds:
        if _has_tables(path):
            result = import_tables([path])
            assert check_map(result.map) == []
            assert result.map.stages
        else:
            with pytest.raises(TableImportError, match="no table journeymap can read"):
                import_tables([path])


def test_seed_stages_and_touchpoints(seed_import: ImportResult) -> None:
    m = seed_import.map
    # in journey order, not in order of first appearance; names of one phase proposed, not merged
    assert [s.name for s in m.stages] == [
        "Discovery",
        "Awareness",
        "Pre-purchase",
        "Consideration",
        "Purchase",
        "Acquisition",
        "Post-purchase",
        "Support",
        "Service",
        "Loyalty",
    ]
    placed = {s.name: [tp.name for tp in s.touchpoints] for s in m.stages if s.touchpoints}
    # the touchpoint table names no stage: the pain points that share its words place them
    assert placed == {"Discovery": ["Website Visit"], "Purchase": ["Checkout Process"]}
    visit, checkout = m.touchpoint("website-visit"), m.touchpoint("checkout-process")
    assert visit.expected_emotion == "Interested"
    assert visit.actual_emotion is not None
    assert visit.actual_emotion.emotion == "Frustrated"
    assert visit.gap_note == "Navigation issues"
    assert visit.channel == "web"  # guessed from "Website", and reported
    assert "channel" not in checkout.model_fields_set
    assert checkout.expected_emotion == "Accomplished"
    assert checkout.actual_emotion is not None
    assert checkout.actual_emotion.emotion == "Confused"
    assert checkout.gap_note == "Complex procedures"
    assert m.gap(visit) == -3  # Interested (+1) -> Frustrated (-2)
    assert m.gap(checkout) == -3  # Accomplished (+2) -> Confused (-1)
    guesses = "\n".join(seed_import.guesses)
    assert "stage of touchpoint 'Website Visit' guessed: 'Discovery'" in guesses
    assert "'Hard to navigate' (stage 'Discovery') ~ its gap in experience" in guesses
    assert "stage of touchpoint 'Checkout Process' guessed: 'Purchase'" in guesses
    assert "channel of touchpoint 'Website Visit' guessed: web" in guesses


def _stage_of(m: JourneyMap, stage: str | None, touchpoint: str | None) -> str:
    if touchpoint is not None:
        return next(s.name for s in m.stages if any(tp.id == touchpoint for tp in s.touchpoints))
    return m.stage(stage or "").name


def test_seed_pain_points_with_sources_and_insights(seed_import: ImportResult) -> None:
    m = seed_import.map
    got = [
        (_stage_of(m, p.stage, p.touchpoint), p.touchpoint, p.name, p.source) for p in m.pain_points
    ]
    assert got == [
        ("Discovery", "website-visit", "Hard to navigate", "User Interviews"),
        ("Purchase", "checkout-process", "Long checkout", "Survey Feedback"),
        ("Support", None, "Slow response", "Customer Reviews"),
    ]
    kinds = {i.name: i.kind for i in m.insights}
    assert kinds == {
        "User Interviews": "interview",
        "Survey Feedback": "survey",
        "Customer Reviews": "reviews",
    }
    by_id = {i.id: i.name for i in m.insights}
    assert [[by_id[e] for e in p.evidence] for p in m.pain_points] == [
        ["User Interviews"],
        ["Survey Feedback"],
        ["Customer Reviews"],
    ]
    # no table gives a severity: none is set (so none is drawn or saved)
    assert all("severity" not in p.model_fields_set for p in m.pain_points)


def test_seed_stage_emotions_and_behaviour(seed_import: ImportResult) -> None:
    m = seed_import.map
    got = [(s.name, s.emotion, s.observed_behavior) for s in m.stages if s.emotion]
    assert got == [
        ("Pre-purchase", "Curious but hesitant", "Frequent site visits"),
        ("Purchase", "Frustrated", "Cart abandonment"),
        ("Post-purchase", "Delighted", "Positive reviews"),
    ]
    assert m.emotion_value("Curious but hesitant") == 0


def test_seed_action_items(seed_import: ImportResult) -> None:
    m = seed_import.map
    got = [(m.stage(o.stage or "").name, o.name, o.expected_outcome) for o in m.opportunities]
    assert got == [
        (
            "Awareness",
            "Enhance visibility & clarity of information.",
            "Better understanding of your offerings.",
        ),
        (
            "Consideration",
            "Streamline options & provide comparison tools.",
            "Easier decision-making for customers.",
        ),
        ("Acquisition", "Simplify the purchase process.", "Increased conversion rates."),
        (
            "Service",
            "Offer proactive support & personalized assistance.",
            "Higher customer satisfaction.",
        ),
        (
            "Loyalty",
            "Create rewarding programs & gather feedback.",
            "Customer retention and advocacy.",
        ),
    ]


def test_seed_retention_kpi(seed_import: ImportResult) -> None:
    (kpi,) = seed_import.map.kpis
    assert kpi.kind == "retention"
    assert kpi.value == 95
    assert kpi.unit == "%"
    assert kpi.period == "Quarterly"
    assert kpi.inputs == {"customers_at_start": 1000, "customers_at_end": 950}


def test_seed_map_is_consistent_and_round_trips(seed_import: ImportResult, tmp_path: Path) -> None:
    m = seed_import.map
    assert check_map(m) == []
    text = dumps(m)
    assert "unassigned" not in text
    assert "severity" not in text and "priority" not in text
    assert "id: website-visit" in text
    again = loads(text)
    assert again.model_dump() == m.model_dump()
    save(m, tmp_path / "map.yaml")
    assert load(tmp_path / "map.yaml").model_dump() == m.model_dump()
    assert seed_import.report[-1] == (
        "imported 10 stages, 2 touchpoints, 3 pain points, 5 action items, 1 KPI, 3 insights"
    )


#: seed header -> the header of the rendered table that shows the same values
_RENDERED_AS = {"Retention Rate (%)": "Value"}


def test_seed_renders_back_to_the_same_rows(
    seed_with_tables: Path, seed_import: ImportResult
) -> None:
    seed = pipe_tables(seed_with_tables.read_text(encoding="utf-8"))
    rendered = pipe_tables(to_markdown(seed_import.map))
    assert len(seed) == 5
    for headers, rows in seed:
        wanted = [_RENDERED_AS.get(h, h) for h in headers]
        matches = [(h, r) for h, r in rendered if set(wanted) <= set(h)]
        assert matches, f"no rendered table has the columns {wanted}"
        r_headers, r_rows = matches[0]
        projected = [[row[r_headers.index(h)] for h in wanted] for row in r_rows]
        assert sorted(projected) == sorted(rows), headers


def test_rendered_markdown_imports_back_to_the_same_map(
    seed_import: ImportResult, tmp_path: Path
) -> None:
    path = tmp_path / "exported.md"
    path.write_text(to_markdown(seed_import.map), encoding="utf-8")
    again = import_tables([path])
    assert again.map.name == "Seed journey"  # from the Markdown's title heading
    assert again.map.model_dump() == seed_import.map.model_dump()


# ---- Markdown --------------------------------------------------------------------------------


def _md(tmp_path: Path, text: str, name: str = "journey.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_markdown_merges_tables_by_stage_and_touchpoint(tmp_path: Path) -> None:
    path = _md(
        tmp_path,
        "# Amber buys a pillowcase\n\n"
        "| Journey Stage | Touch point | Channel | Customer Goal |\n"
        "|---|:---:|---|---|\n"
        "| Awareness | Podcast ad | podcast | Find a fix for frizz |\n"
        "| | Instagram post | Social media | |\n"
        "| Purchase | Checkout | website | Pay quickly |\n"
        "\n"
        "Touchpoint | Expected Feeling | Actual Feeling | Gap |\n"
        "---|---|---|---|\n"
        "podcast AD | Interested | Curious | 0 |\n"
        "Checkout | Satisfied | Annoyed | −4 |\n",
    )
    result = import_tables([path])
    m = result.map
    assert m.name == "Amber buys a pillowcase"
    assert [s.name for s in m.stages] == ["Awareness", "Purchase"]  # no Unassigned
    awareness = m.stage("awareness")
    assert [tp.name for tp in awareness.touchpoints] == ["Podcast ad", "Instagram post"]
    assert awareness.customer_goal == "Find a fix for frizz"
    ad = m.touchpoint("podcast-ad")
    assert ad.channel == "podcast"
    assert ad.expected_emotion == "Interested"
    assert m.touchpoint("instagram-post").channel == "social"
    checkout = m.touchpoint("checkout")
    assert checkout.channel == "web"
    assert m.gap(checkout) == -4
    assert checkout.gap_note is None  # a numeric gap is derived, not stored
    assert any("1 row without a stage took the stage of the row above" in r for r in result.report)
    assert any("column 'Gap' is computed" in r for r in result.report)
    assert check_map(m) == []


def test_markdown_numeric_gap_that_disagrees_is_reported(tmp_path: Path) -> None:
    path = _md(
        tmp_path,
        "| Stage | Touchpoint | Gap | Expected Emotion | Actual Emotion |\n"
        "|---|---|---|---|---|\n"
        "| Buy | Checkout | +1 | Interested | Frustrated |\n",
    )
    result = import_tables([path])
    (line,) = [r for r in result.report if "actual − expected" in r and "has gap" in r]
    assert line.startswith(f"{path}:3: column 'Gap': touchpoint 'Checkout' has gap '+1'")
    assert "−3" in line


def test_markdown_unknown_emotion_names_the_line_and_column(tmp_path: Path) -> None:
    path = _md(
        tmp_path,
        "Some prose.\n\n"
        "Touchpoint | Expected Emotion | Actual Emotion |\n"
        "---|---|---|\n"
        "Website Visit | Interested | Frustrated |\n"
        "Checkout | Accomplished | Grumpy |\n",
    )
    with pytest.raises(TableImportError) as info:
        import_tables([path])
    msg = str(info.value)
    assert msg.startswith(f"{path}:6: column 'Actual Emotion': unknown emotion 'Grumpy'; expected")
    assert "Frustrated (−2)" in msg  # lists the scale
    assert info.value.exit_code == 2


def test_markdown_cells_are_plain_text(tmp_path: Path) -> None:
    path = _md(
        tmp_path,
        "| Stage | Pain Point | Trigger |\n"
        "| --- | --- | --- |\n"
        "| **Support** | Waits \\| then leaves | Ticket queue<br>over 2 days |\n",
    )
    m = import_tables([path]).map
    (pain,) = m.pain_points
    assert m.stage(pain.stage or "").name == "Support"
    assert pain.name == "Waits | then leaves"
    assert pain.trigger == "Ticket queue\nover 2 days"


def test_tables_inside_code_fences_are_ignored(tmp_path: Path) -> None:
    path = _md(
        tmp_path,
        "```\n| Stage | Pain Point |\n|---|---|\n| Fake | Not real |\n```\n\n"
        "| Stage | Pain Point |\n|---|---|\n| Real | Slow |\n",
    )
    m = import_tables([path]).map
    assert [s.name for s in m.stages] == ["Real"]


def test_unknown_column_is_kept_as_notes_and_reported(tmp_path: Path) -> None:
    path = _md(
        tmp_path,
        "| Stage | Action Items | Priority | Expected Outcome |\n"
        "|---|---|---|---|\n"
        "| Service | Call back within a day | High | Fewer repeat tickets |\n",
    )
    result = import_tables([path])
    (action,) = result.map.opportunities
    assert action.notes == {"Priority": "High"}
    assert action.expected_outcome == "Fewer repeat tickets"
    assert any(
        "column 'Priority' is not a column journeymap knows; kept in the notes of each "
        "action item" in r
        for r in result.report
    )
    assert "Priority: High" in dumps(result.map)


def test_pain_point_and_action_in_one_row_are_linked(tmp_path: Path) -> None:
    path = _md(
        tmp_path,
        "| Stage | Touchpoint | Pain Point | Severity | Department(s) | Action | Owner |"
        " Status | Moment of Truth |\n"
        "|---|---|---|---|---|---|---|---|---|\n"
        "| Purchase | Checkout | Long checkout | High | Web, Payments | One-page checkout |"
        " Web team | In progress | x |\n",
    )
    m = import_tables([path]).map
    (pain,), (action,) = m.pain_points, m.opportunities
    assert pain.touchpoint == "checkout"
    assert pain.stage is None
    assert pain.severity == "high"
    assert pain.departments == ["Web", "Payments"]
    assert action.addresses == [pain.id]
    assert action.owner == "Web team"
    assert action.status == "in-progress"
    assert m.touchpoint("checkout").moment_of_truth is True
    assert check_map(m) == []


def test_touchpoint_moves_out_of_unassigned_when_a_later_table_places_it(tmp_path: Path) -> None:
    path = _md(
        tmp_path,
        "Touchpoint | Actual Emotion |\n---|---|\nWebsite Visit | Frustrated |\n\n"
        "Stage | Touchpoint | Channel |\n---|---|---|\nDiscovery | Website visit | web |\n",
    )
    result = import_tables([path])
    m = result.map
    assert [s.id for s in m.stages] == ["discovery"]
    (tp,) = m.stage("discovery").touchpoints
    assert tp.name == "Website Visit"  # first spelling kept
    assert tp.channel == "web"
    assert tp.actual_emotion is not None
    assert tp.actual_emotion.emotion == "Frustrated"
    assert any("moved from 'Unassigned' to 'Discovery'" in r for r in result.report)


def test_same_touchpoint_name_in_two_stages_gets_two_ids(tmp_path: Path) -> None:
    path = _md(
        tmp_path,
        "Stage | Touchpoint |\n---|---|\nAwareness | Email |\nRetention | Email |\n",
    )
    m = import_tables([path]).map
    assert [tp.id for _, tp in m.iter_touchpoints()] == ["email", "email-retention"]
    assert check_map(m) == []


def test_conflicting_values_keep_the_first_and_are_reported(tmp_path: Path) -> None:
    path = _md(
        tmp_path,
        "Stage | Emotion |\n---|---|\nPurchase | Frustrated |\n\n"
        "Stage | Emotion |\n---|---|\nPurchase | Delighted |\n",
    )
    result = import_tables([path])
    assert result.map.stage("purchase").emotion == "Frustrated"
    assert any(
        r.startswith(f"{path}:7: stage 'Purchase': Emotion 'Delighted' differs from 'Frustrated'")
        for r in result.report
    )


@pytest.mark.parametrize(
    ("header", "cell", "check"),
    [
        ("Customer Stage", "Awareness", lambda m: m.stages[0].name == "Awareness"),
        ("PHASE", "Awareness", lambda m: m.stages[0].name == "Awareness"),
        ("Touch-point", "Ad", lambda m: m.touchpoint("ad").name == "Ad"),
        ("Interaction", "Ad", lambda m: m.touchpoint("ad").name == "Ad"),
        ("expected   feeling", "Happy", lambda m: m.touchpoint("t").expected_emotion == "Happy"),
        ("Mood", "Angry", lambda m: m.touchpoint("t").actual_emotion.emotion == "Angry"),
        ("Experience Gap", "Slow", lambda m: m.touchpoint("t").gap_note == "Slow"),
        ("Gap", "Slow page", lambda m: m.touchpoint("t").gap_note == "Slow page"),
        ("Observed Behaviour", "Leaves", lambda m: m.touchpoint("t").observed_behavior == "Leaves"),
        ("Customer Actions", "Reads", lambda m: m.touchpoint("t").actions == ["Reads"]),
        ("Quote", "Hmm", lambda m: m.touchpoint("t").thoughts == ["Hmm"]),
        ("Expected Emtion", "Calm", lambda m: m.touchpoint("t").expected_emotion == "Calm"),
        ("Channels", "E-mail", lambda m: m.touchpoint("t").channel == "email"),
    ],
)
def test_header_variations(tmp_path: Path, header: str, cell: str, check: object) -> None:
    base = "Touchpoint" if "stage" in header.lower() or header == "PHASE" else "Stage"
    first = "T" if base == "Touchpoint" else "S"
    if header in ("Touch-point", "Interaction"):
        text = f"Stage | {header} |\n---|---|\nS | {cell} |\n"
    elif base == "Touchpoint":
        text = f"{header} | Touchpoint |\n---|---|\n{cell} | {first} |\n"
    else:
        text = f"Stage | Touchpoint | {header} |\n---|---|---|\nS | T | {cell} |\n"
    m = import_tables([_md(tmp_path, text)]).map
    assert callable(check)
    assert check(m)
    assert check_map(m) == []


def test_close_header_is_read_and_reported(tmp_path: Path) -> None:
    path = _md(tmp_path, "Stage | Touchpoint | Expected Emtion |\n---|---|---|\nS | T | Calm |\n")
    result = import_tables([path])
    assert f"{path}:1: column 'Expected Emtion' read as 'Expected Emotion'" in result.report


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("| S | P | Huge |", "column 'Severity': unknown severity 'Huge'; expected one of: low"),
        ("| S | P | high | maybe |", "column 'Moment of Truth': 'maybe' is not a yes/no value"),
    ],
)
def test_bad_values_name_their_location(tmp_path: Path, row: str, message: str) -> None:
    path = _md(
        tmp_path,
        "| Stage | Pain Point | Severity | Moment of Truth |\n|---|---|---|---|\n" + row + "\n",
    )
    if "Moment" in message:  # a moment of truth belongs to a touchpoint
        path = _md(
            tmp_path,
            "| Stage | Touchpoint | Severity | Moment of Truth |\n|---|---|---|---|\n" + row + "\n",
        )
    with pytest.raises(TableImportError, match=re.escape(f"{path}:3: {message}")):
        import_tables([path])


def test_no_table_names_the_file_and_what_is_expected(tmp_path: Path) -> None:
    path = _md(tmp_path, "Just prose.\n\n| Colour | Size |\n|---|---|\n| red | L |\n")
    with pytest.raises(TableImportError) as info:
        import_tables([path])
    msg = str(info.value)
    assert msg.startswith(f"{path}: no table journeymap can read; expected a table whose header")
    assert "Touchpoint" in msg
    assert "Pain Point" in msg
    assert "(found: Colour | Size)" in msg


def test_missing_file_and_no_files(tmp_path: Path) -> None:
    with pytest.raises(TableImportError, match="no such file"):
        import_tables([tmp_path / "nope.md"])
    with pytest.raises(TableImportError, match="no files given"):
        import_tables([])


def test_several_files_are_merged_in_order(tmp_path: Path) -> None:
    a = _md(tmp_path, "Stage | Customer Goal |\n---|---|\nAwareness | Learn |\n", "a.md")
    b = _md(tmp_path, "Stage | Pain Point |\n---|---|\nPurchase | Slow |\nawareness | Vague |\n")
    result = import_tables([a, b], title="Two files")
    m = result.map
    assert m.name == "Two files"
    assert m.id == "two-files"
    assert [s.id for s in m.stages] == ["awareness", "purchase"]
    assert [p.stage for p in m.pain_points] == ["purchase", "awareness"]


# ---- CSV -------------------------------------------------------------------------------------


def test_csv_with_bom_semicolons_and_header_variations(tmp_path: Path) -> None:
    path = tmp_path / "journey.csv"
    path.write_bytes(
        "\ufeffcustomer stage;Pain Points;Source;Department(s);Customer reaction\n"
        'Purchase;Long checkout;NPS survey;"Web; Payments";Abandons cart\n'.encode()
    )
    m = import_tables([path]).map
    (pain,) = m.pain_points
    assert pain.stage == "purchase"
    assert pain.source == "NPS survey"
    assert pain.departments == ["Web", "Payments"]
    assert pain.customer_reaction == "Abandons cart"
    (insight,) = m.insights
    assert insight.kind == "nps"
    assert pain.evidence == [insight.id]


def test_csv_error_names_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "emotions.csv"
    path.write_text(
        "Stage,Touchpoint,Expected Emotion,Actual Emotion\n"
        "Awareness,Ad,Interested,Curious\n"
        "Purchase,Checkout,Satisfied,Grumpy\n",
        encoding="utf-8",
    )
    with pytest.raises(TableImportError) as info:
        import_tables([path])
    assert str(info.value).startswith(
        f"{path}:3:4: column 'Actual Emotion': unknown emotion 'Grumpy'"
    )


def test_csv_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("Stage,Pain Point\nCafé,Slow\n".encode("latin-1"))
    with pytest.raises(
        TableImportError, match=r"not UTF-8 text .*give the encoding with --encoding"
    ):
        import_tables([path])
    # the same file with its encoding named, and a Markdown file in cp1252
    assert [s.name for s in import_tables([path], encoding="latin-1").map.stages] == ["Café"]
    md = tmp_path / "seed.md"
    md.write_bytes("| Stage | Pain Point |\n|---|---|\n| Café – day 1 | Slow |\n".encode("cp1252"))
    stages = import_tables([md], encoding="cp1252").map.stages
    assert [s.name for s in stages] == ["Café – day 1"]


def test_csv_retention_table_without_rate_is_computed(tmp_path: Path) -> None:
    path = tmp_path / "kpi.csv"
    path.write_text(
        "Period,Customers at Start,Customers at End,New Customers\nQ1,1000,980,30\n",
        encoding="utf-8",
    )
    result = import_tables([path])
    (kpi,) = result.map.kpis
    assert kpi.kind == "retention"
    assert kpi.value == 95
    assert kpi.unit == "%"
    assert kpi.inputs == {"customers_at_start": 1000, "customers_at_end": 980, "new_customers": 30}
    assert any("retention computed as" in r for r in result.report)


def test_retention_rate_that_disagrees_with_its_inputs_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "kpi.csv"
    path.write_text(
        "Period,Customers at Start,Customers at End,Retention Rate (%)\nQ1,1000,950,90%\n",
        encoding="utf-8",
    )
    result = import_tables([path])
    assert result.map.kpis[0].value == 90
    assert any("'Retention Rate' is 90, but" in r for r in result.report)


# ---- XLSX ------------------------------------------------------------------------------------


def _workbook(path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Journey"
    ws.append(["Amber's journey"])  # a title row above the header
    ws.append([])
    ws.append(["Stage", "Touchpoint", "Expected Emotion", "Actual Emotion", "Moment of truth"])
    ws.append(["Awareness", "Podcast ad", "Interested", "Curious", None])
    ws.append(["Purchase", "Checkout", "Satisfied", "Frustrated", True])
    kpis = wb.create_sheet("KPIs")
    kpis.append(["KPI", "Value", "Target", "Period"])
    kpis.append(["Net Promoter Score", 31, 40, "2024-Q1"])
    kpis.append(["Cart abandonment", 0.72, 0.6, "2024-Q1"])
    kpis["B3"].number_format = "0%"
    kpis["C3"].number_format = "0%"
    wb.create_sheet("Empty")
    wb.save(path)


def test_xlsx_every_sheet_with_a_header_row(tmp_path: Path) -> None:
    path = tmp_path / "journey.xlsx"
    _workbook(path)
    result = import_tables([path])
    m = result.map
    assert m.name == "Journey"
    assert [s.name for s in m.stages] == ["Awareness", "Purchase"]
    checkout = m.touchpoint("checkout")
    assert checkout.moment_of_truth is True
    assert m.gap(checkout) == -4
    nps, cart = m.kpis
    assert (nps.name, nps.kind, nps.value, nps.target) == ("Net Promoter Score", "nps", 31, 40)
    assert (cart.kind, cart.value, cart.target, cart.unit) == ("cart-abandonment", 72, 60, "%")
    assert f"{path}:Journey!A3: 1 row above the header row skipped" in result.report
    assert check_map(m) == []


def test_xlsx_error_names_sheet_and_cell(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "bad.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Emotions"
    ws.append(["Stage", "Emotion"])
    ws.append(["Awareness", "Curious"])
    ws.append(["Purchase", "Grumpy"])
    wb.save(path)
    with pytest.raises(TableImportError) as info:
        import_tables([path])
    assert str(info.value).startswith(
        f"{path}:Emotions!B3: column 'Emotion': unknown emotion 'Grumpy'"
    )


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_text("not a zip", encoding="utf-8")
    with pytest.raises(TableImportError, match="not an Excel workbook"):
        import_tables([path])


def test_imported_map_saves_with_its_ids(tmp_path: Path) -> None:
    path = _md(tmp_path, "Stage | Touchpoint |\n---|---|\nAwareness | Podcast ad |\n")
    m = import_tables([path]).map
    out = tmp_path / "map.yaml"
    save(m, out)
    text = out.read_text(encoding="utf-8")
    assert "id: awareness" in text
    assert "id: podcast-ad" in text
    assert "id: journey" in text
    assert isinstance(load(out), JourneyMap)


def test_kpi_table_values_units_and_kinds(tmp_path: Path) -> None:
    path = _md(
        tmp_path,
        "| KPI | Value | Target | Period | Stage |\n|---|---|---|---|---|\n"
        "| Onboarding success rate | 1,250 | 1,500 | 2024-Q1 | Onboarding |\n"
        "| Time to resolution | 3 days | 1 days | 2024-Q1 | Support |\n"
        "| Customer Effort Score | 4.5 | 5 | 2024-Q1 | Support |\n",
    )
    m = import_tables([path]).map
    success, ttr, ces = m.kpis
    assert (success.kind, success.value, success.target) == ("custom", 1250, 1500)
    assert success.stage == "onboarding"
    assert (ttr.kind, ttr.value, ttr.unit) == ("time-to-resolution", 3, "days")
    assert (ces.kind, ces.value) == ("ces", 4.5)
    assert [s.id for s in m.stages] == ["onboarding", "support"]


def test_kpi_value_that_is_not_a_number(tmp_path: Path) -> None:
    path = _md(tmp_path, "| KPI | Value |\n|---|---|\n| NPS | 1,5 |\n")
    with pytest.raises(
        TableImportError, match=re.escape(f"{path}:3: column 'Value': '1,5' is not")
    ):
        import_tables([path])


def test_gap_with_words_is_the_gap_in_experience(tmp_path: Path) -> None:
    path = _md(
        tmp_path,
        "| Stage | Touchpoint | Gap |\n|---|---|---|\n| S | Form | 3 fields too many |\n"
        "| S | Page | 2 |\n",
    )
    m = import_tables([path]).map
    assert m.touchpoint("form").gap_note == "3 fields too many"
    assert m.touchpoint("page").gap_note == "2"  # the column is words, so is every cell


# ---- persona and insight tables --------------------------------------------------------------


def test_persona_table_fields_lists_and_unknown_fields(tmp_path: Path) -> None:
    path = _md(
        tmp_path,
        "| Field | Value |\n|---|---|\n| Name | Bo |\n| Age | 41 |\n"
        "| Goals | Cheap<br>Fast |\n| Data Sources | Interviews |\n| Shoe size | 44 |\n\n"
        "| Stage | Touchpoint |\n|---|---|\n| Book | Checkout |\n",
    )
    result = import_tables([path])
    persona = result.map.persona
    assert persona is not None
    assert (persona.name, persona.age) == ("Bo", 41)
    assert persona.goals == ["Cheap", "Fast"]
    assert persona.data_sources == ["Interviews"]
    assert f"{path}:7: persona field 'Shoe size' not kept (unknown field)" in result.report
    assert f"{path}:1: persona 'Bo'" in result.report


def test_persona_table_without_a_name_is_skipped(tmp_path: Path) -> None:
    path = _md(
        tmp_path,
        "| Field | Value |\n|---|---|\n| Role | Buyer |\n\n"
        "| Stage | Touchpoint |\n|---|---|\n| Book | Checkout |\n",
    )
    result = import_tables([path])
    assert result.map.persona is None
    assert f"{path}:1: persona table without a Name row skipped" in result.report


def test_insight_table_kinds_as_the_map_writes_them_and_as_people_do(tmp_path: Path) -> None:
    path = _md(
        tmp_path,
        "| Insight | Kind | Date | Sample Size | Finding | Colour |\n|---|---|---|---|---|---|\n"
        "| Ticket history | support-tickets | 2024-01-02 | 1,200 | Slow refunds | red |\n"
        "| Lab sessions | Usability test | | | | |\n"
        "| | nps | | | | |\n\n"
        "| Stage | Pain Point | Source of Insight |\n|---|---|---|\n"
        "| Refund | Slow | Ticket history |\n",
    )
    result = import_tables([path])
    tickets, lab = result.map.insights
    assert (tickets.kind, tickets.n, tickets.finding) == ("support-tickets", 1200, "Slow refunds")
    assert tickets.date is not None and tickets.date.isoformat() == "2024-01-02"
    assert lab.kind == "usability-test"
    assert result.map.pain_points[0].evidence == [tickets.id]
    assert f"{path}:3: column 'Colour' not kept (an insight has no notes)" in result.report
    assert f"{path}:5: row without an insight name skipped" in result.report


def test_insight_table_unknown_kind_and_bad_date(tmp_path: Path) -> None:
    table = "| Insight | Kind | Date |\n|---|---|---|\n"
    path = _md(tmp_path, table + "| Lab | gossip | |\n")
    with pytest.raises(TableImportError, match=r":3: column 'Kind': unknown kind of insight"):
        import_tables([path])
    path = _md(tmp_path, table + "| Lab | interview | May |\n", "dated.md")
    with pytest.raises(TableImportError, match=r":3: column 'Date': 'May' is not a date"):
        import_tables([path])


def test_rendered_template_imports_back_with_its_insight_kinds(tmp_path: Path) -> None:
    m = jm.new_map("ecommerce")
    path = _md(tmp_path, to_markdown(m), "ecommerce.md")
    kinds = {i.name: i.kind for i in import_tables([path]).map.insights}
    assert kinds["Support tickets"] == "support-tickets"  # a kind written with a hyphen
    assert kinds["Order history"] == "purchase-history"
    assert all(kinds[i.name] == i.kind for i in m.insights if i.name in kinds)


# ---- KPI tables ------------------------------------------------------------------------------


def test_kpi_table_with_rates_inputs_and_columns_it_cannot_keep(tmp_path: Path) -> None:
    path = _md(
        tmp_path,
        "| Period | Customers at Start | Customers at End | New Customers | Churn Rate (%) "
        "| Region | Budget |\n|---|---|---|---|---|---|---|\n"
        "| Q3 | 500 | 450 | 20 | 14 | North | 1,000 |\n"
        "| Q4 | 450 | 460 | 30 | | | |\n\n"
        "| Stage | Touchpoint |\n|---|---|\n| Renew | Invoice |\n",
    )
    result = import_tables([path])
    churn, retention = result.map.kpis
    assert (churn.kind, churn.name, churn.value, churn.unit) == ("churn", "Churn Rate", 14, "%")
    assert churn.period == "Q3"
    assert churn.inputs == {
        "customers_at_start": 500,
        "customers_at_end": 450,
        "new_customers": 20,
        "budget": 1000,
    }
    assert (retention.kind, retention.value, retention.period) == ("retention", 95.56, "Q4")
    assert any(r.endswith("customers at start × 100 = 95.56%") for r in result.report)
    assert (
        f"{path}:3: column 'Region' is not a KPI field and not a number; not kept "
        "(a KPI has no notes)"
    ) in result.report


def test_kpi_row_without_a_name_is_skipped(tmp_path: Path) -> None:
    path = _md(tmp_path, "| KPI | Value |\n|---|---|\n| NPS | 31 |\n| | 5 |\n")
    result = import_tables([path])
    assert [k.name for k in result.map.kpis] == ["NPS"]
    assert f"{path}:4: row without a KPI name skipped" in result.report


def test_a_channel_journeymap_has_no_icon_for_is_kept_by_name(tmp_path: Path) -> None:
    path = _md(
        tmp_path,
        "| Stage | Touchpoint | Channel |\n|---|---|---|\n"
        "| Apply | Counter | Branch |\n| Apply | Self-service | Kiosk |\n"
        "| Apply | Hotline | Phone menu |\n",
    )
    result = import_tables([path])
    m = result.map
    channels = {tp.name: tp.channel for _, tp in m.iter_touchpoints()}
    assert channels == {"Counter": "branch", "Self-service": "kiosk", "Hotline": "phone-menu"}
    assert not any(tp.notes for _, tp in m.iter_touchpoints())
    said = [r for r in result.report if "has an icon for" in r]
    assert len(said) == 2 and "'Kiosk'" in said[0] and "kept as 'kiosk'" in said[0]
    assert check_map(m) == []
