"""The seed article's tables (tests/data/seed_tables) import into a map a CX lead would keep:
stages in journey order (names of one phase proposed, or merged by --stages), touchpoints in
their stage, pain points on them, stage emotions drawn, nothing shown that the tables do not
say, and every guess reported."""

from __future__ import annotations

import csv
import re
import struct
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeymap.cli import app
from journeymap.errors import UsageError
from journeymap.formats.document import dumps, load
from journeymap.formats.tables import ImportResult, import_tables
from journeymap.formats.tables.stages import journey_order, parse_stages, phase_of, stage_key
from journeymap.model.checks import check_map
from journeymap.model.journey import JourneyMap
from journeymap.rendering import to_svg
from journeymap.rendering.layout import layout

DATA = Path(__file__).parents[1] / "data" / "seed_tables"
MD = DATA / "groove_tables.md"
CSVS = [
    DATA / name
    for name in (
        "touchpoints.csv",
        "pain_points.csv",
        "stage_emotions.csv",
        "action_items.csv",
        "retention.csv",
    )
]
ORDER = [
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
PROPOSED = (
    "Awareness=Discovery,Consideration=Pre-purchase,Purchase=Acquisition,Post-purchase,"
    "Support=Service,Loyalty"
)
runner = CliRunner()


def _line_of(path: Path, text: str) -> str:
    """``file:line`` of the line of ``path`` that starts with ``text``, as the report writes."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return f"{path}:{next(i for i, line in enumerate(lines, 1) if line.startswith(text))}"


def _stage_of(m: JourneyMap, tp_id: str) -> str:
    return next(s.name for s in m.stages if any(tp.id == tp_id for tp in s.touchpoints))


@pytest.fixture(scope="module")
def seed() -> ImportResult:
    return import_tables([MD], title="Seed journey")


@pytest.fixture(scope="module")
def merged() -> ImportResult:
    return import_tables([MD], title="Seed journey", stages=PROPOSED)


# ---- the fixtures are the article's tables ---------------------------------------------------


def test_fixture_holds_the_articles_tables(seeds_dir: Path) -> None:
    article = seeds_dir / "000_82cab448a414bfa3.txt"
    if not article.exists():
        pytest.skip("the seed article is not in ../shared/seeds")
    rows = [line for line in article.read_text(encoding="utf-8").splitlines() if "|" in line]
    fixture = [line for line in MD.read_text(encoding="utf-8").splitlines() if "|" in line]
    assert fixture == rows


def _md_tables() -> list[list[list[str]]]:
    tables: list[list[list[str]]] = []
    for block in MD.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if "|" in line and "---" not in line]
        if lines:
            tables.append([[c.strip() for c in line.split("|")[:-1]] for line in lines])
    return tables


def test_csv_fixtures_hold_the_same_rows() -> None:
    md = _md_tables()
    assert len(md) == len(CSVS) == 5
    for table, path in zip(md, CSVS, strict=True):
        with path.open(encoding="utf-8", newline="") as f:
            assert list(csv.reader(f)) == table, path.name


def test_csv_and_markdown_import_into_the_same_map(seed: ImportResult) -> None:
    from_csv = import_tables(CSVS, title="Seed journey")
    assert from_csv.map.model_dump() == seed.map.model_dump()
    assert len(from_csv.guesses) == len(seed.guesses)


# ---- what the import makes of them ---------------------------------------------------------


def test_stages_in_journey_order(seed: ImportResult) -> None:
    m = seed.map
    assert [s.name for s in m.stages] == ORDER
    assert seed.guesses[0].startswith("stage order: as a journey usually goes")
    assert "Pre-purchase (consideration)" in seed.guesses[0]
    assert "Post-purchase (usage)" in seed.guesses[0]


def test_every_touchpoint_in_a_stage_and_pain_points_on_them(seed: ImportResult) -> None:
    m = seed.map
    assert all(s.id != "unassigned" for s in m.stages)
    assert {tp.id: _stage_of(m, tp.id) for _, tp in m.iter_touchpoints()} == {
        "website-visit": "Discovery",
        "checkout-process": "Purchase",
    }
    on = {p.name: (p.touchpoint, p.stage) for p in m.pain_points}
    assert on == {
        "Hard to navigate": ("website-visit", None),
        "Long checkout": ("checkout-process", None),
        "Slow response": (None, "support"),  # no touchpoint of Support shares its words
    }
    assert check_map(m) == []


def test_the_guesses_name_their_rows(seed: ImportResult) -> None:
    navigate, checkout = _line_of(MD, "Discovery |"), _line_of(MD, "Purchase | Long")
    visits = _line_of(MD, "Pre-purchase |")
    assert seed.guesses[1:] == [
        f"stage of touchpoint 'Website Visit' guessed: 'Discovery', from pain-point row {navigate}:"
        " 'Hard to navigate' (stage 'Discovery') ~ its gap in experience 'Navigation issues'; "
        f"less likely: 'Pre-purchase' (stage row {visits}: observed behavior 'Frequent site "
        "visits' of 'Pre-purchase' ~ its name)",
        f"stage of touchpoint 'Checkout Process' guessed: 'Purchase', from pain-point row "
        f"{checkout}: 'Long checkout' (stage 'Purchase') ~ its name",
        f"pain point 'Hard to navigate' (row {navigate}) put on touchpoint 'Website Visit' of "
        "stage 'Discovery': 'navigate' ~ the touchpoint's gap in experience 'Navigation issues'",
        f"pain point 'Long checkout' (row {checkout}) put on touchpoint 'Checkout Process' of "
        "stage 'Purchase': 'checkout' ~ the touchpoint's name",
        "channel of touchpoint 'Website Visit' guessed: web (from the word 'website' of its name)",
    ]


def test_names_of_one_phase_are_proposed_not_merged(seed: ImportResult) -> None:
    assert [re.findall(r"'([^']+)'", line)[:2] for line in seed.proposals] == [
        ["Discovery", "Awareness"],
        ["Pre-purchase", "Consideration"],
        ["Purchase", "Acquisition"],
        ["Support", "Service"],
    ]
    assert seed.proposed_stages == PROPOSED


def test_stage_emotions_kept(seed: ImportResult) -> None:
    got = [(s.name, s.emotion, s.observed_behavior) for s in seed.map.stages if s.emotion]
    assert got == [
        ("Pre-purchase", "Curious but hesitant", "Frequent site visits"),
        ("Purchase", "Frustrated", "Cart abandonment"),
        ("Post-purchase", "Delighted", "Positive reviews"),
    ]


def test_no_severity_priority_or_status_invented(seed: ImportResult) -> None:
    m = seed.map
    assert all("severity" not in p.model_fields_set for p in m.pain_points)
    for o in m.opportunities:
        assert not {"priority", "status"} & o.model_fields_set
    text = dumps(m)
    assert "severity" not in text and "priority" not in text and "status: idea" not in text


# ---- --stages ----------------------------------------------------------------------------


def test_stages_option_merges_names_and_orders(merged: ImportResult) -> None:
    m = merged.map
    assert [(s.id, s.name) for s in m.stages] == [
        ("awareness", "Awareness"),
        ("consideration", "Consideration"),
        ("purchase", "Purchase"),
        ("post-purchase", "Post-purchase"),
        ("support", "Support"),
        ("loyalty", "Loyalty"),
    ]
    assert {tp.id: _stage_of(m, tp.id) for _, tp in m.iter_touchpoints()} == {
        "website-visit": "Awareness",
        "checkout-process": "Purchase",
    }
    feel = {s.name: s.emotion for s in m.stages if s.emotion}
    assert feel == {
        "Consideration": "Curious but hesitant",  # from Pre-purchase
        "Purchase": "Frustrated",
        "Post-purchase": "Delighted",
    }
    acts = {o.name: o.stage for o in m.opportunities}
    assert acts["Simplify the purchase process."] == "purchase"  # was Acquisition's
    assert acts["Offer proactive support & personalized assistance."] == "support"
    assert merged.proposals == [] and merged.proposed_stages is None
    assert not any(g.startswith("stage order") for g in merged.guesses)
    assert check_map(m) == []


def test_stages_option_renames_and_adds_an_empty_stage() -> None:
    spec = "Find=Discovery+Awareness,Compare=Pre-purchase+Consideration,Buy=Purchase+Acquisition"
    spec += ",Onboarding,Post-purchase,Get help=Support+Service,Stay=Loyalty"
    m = import_tables([MD], stages=spec).map
    assert [s.name for s in m.stages] == [
        "Find", "Compare", "Buy", "Onboarding", "Post-purchase", "Get help", "Stay",
    ]  # fmt: skip
    assert not m.stage("onboarding").touchpoints
    assert {p.name: p.stage for p in m.pain_points}["Slow response"] == "get-help"


def test_stages_as_a_list() -> None:
    assert parse_stages(["Awareness=Discovery", "Buy"]) == parse_stages("Awareness=Discovery,Buy")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "no stage given"),
        ("Awareness,,Loyalty", "item 2 is empty"),
        ("=Discovery", "has no stage name before '='"),
        ("Awareness=", "has an empty name after '=' or '+'"),
        ("Awareness=Discovery+", "has an empty name after '=' or '+'"),
        ("Awareness,awareness stage", "'awareness stage' is already given as 'Awareness'"),
        ("A=Discovery,B=discovery", "'discovery' is already given as 'Discovery'"),
        (PROPOSED.replace("Discovery", "Discovry"), "'Discovry' (mapped onto 'Awareness') is no"),
        (PROPOSED.replace(",Loyalty", ""), "leaves out the tables' stage 'Loyalty'"),
    ],
)
def test_bad_stages_are_a_clear_error_exit_2(value: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=re.escape(message)):
        import_tables([MD], stages=value)
    out = tmp_path / "map.yaml"
    result = runner.invoke(app, ["import", str(MD), "-o", str(out), "--stages", value])
    assert result.exit_code == 2
    assert message in result.stderr.replace("\n", " ") or message in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


# ---- the CLI and the picture ---------------------------------------------------------------


def test_cli_prints_the_guesses_and_the_proposal(tmp_path: Path) -> None:
    out = tmp_path / "map.yaml"
    result = runner.invoke(app, ["import", str(MD), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    err = result.stderr
    assert "guessed (the tables do not say it; check these):" in err
    assert "stage of touchpoint 'Website Visit' guessed: 'Discovery'" in err
    assert f'to merge them all: --stages "{PROPOSED}"' in err
    assert [s.name for s in load(out).stages] == ORDER


def test_merged_map_draws_what_the_tables_say_and_nothing_more(merged: ImportResult) -> None:
    m = merged.map
    view = layout(m)
    svg = to_svg(m)
    texts = re.findall(r">([^<>]+)</text>", svg)
    # the stage emotions: on the curve where the stage has no touchpoint, in its header else
    assert view.emotion is not None
    stage_points = {p.touchpoint_id: p.value for p in view.emotion.actual}
    assert stage_points == {
        "website-visit": -2,
        "consideration": 0,
        "checkout-process": -1,
        "post-purchase": 3,
    }
    for shown in ("Curious but hesitant 0", "Frequent site visits", "Delighted +3"):
        assert shown in texts
    assert "Stage emotion: Frustrated \u22122" in texts
    assert "Seen: Cart abandonment" in texts
    # pain points under their touchpoints
    pins = {p.box.item_id: p.touchpoint_id for p in view.pins if p.kind == "pain"}
    assert pins == {
        "hard-to-navigate": "website-visit",
        "long-checkout": "checkout-process",
        "slow-response": None,
    }
    joined = " ".join(texts).lower()
    assert "severity" not in joined and "priority" not in joined
    assert "idea" not in texts and not any(t.startswith("idea ") for t in texts)
    assert "unassigned" not in joined


def test_render_png_of_the_imported_map(tmp_path: Path) -> None:
    yaml = tmp_path / "seed.yaml"
    png = tmp_path / "seed.png"
    done = runner.invoke(app, ["import", str(MD), "-o", str(yaml), "--stages", PROPOSED])
    assert done.exit_code == 0, done.stderr
    drawn = runner.invoke(app, ["render", str(yaml), "-o", str(png)])
    assert drawn.exit_code == 0, drawn.stderr
    head = png.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", head[16:24])
    assert width > 1000 and height > 500


# ---- the stage knowledge on its own --------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "phase"),
    [
        ("Discovery", "awareness"),
        ("Pre-purchase", "consideration"),
        ("Prepurchase stage", "consideration"),
        ("Purchase/Decision", "purchase"),
        ("Customer service", "support"),
        ("Post-purchase support", "support"),
        ("Post-purchase", "usage"),
        ("Renewal", "retention"),
        ("Onboarding", "onboarding"),
        ("Zahlung", None),
    ],
)
def test_phase_of(name: str, phase: str | None) -> None:
    assert phase_of(name) == phase


def test_stage_key_merges_spelling_not_words() -> None:
    assert stage_key("Pre-purchase") == stage_key("pre purchase") == stage_key("Prepurchase stage")
    assert stage_key("Purchases") == stage_key("Purchase phase")
    assert stage_key("Discovery") != stage_key("Awareness")
    assert stage_key("購入") != stage_key("認知")  # any script, no ASCII folding


def test_unknown_stage_stays_after_the_stage_its_table_puts_it_after() -> None:
    names = {"loyalty": "Loyalty", "wow": "Wow moment", "purchase": "Purchase", "aware": "Aware"}
    tables = [("t1", ["aware", "purchase", "wow"], False), ("t2", ["loyalty"], False)]
    order = journey_order(names, tables)
    assert order.keys == ["aware", "purchase", "wow", "loyalty"]
    assert "Wow moment (as its table)" in order.guesses[0]


def test_table_that_lists_every_stage_keeps_its_order() -> None:
    names = {"retention": "Retention", "awareness": "Awareness"}
    order = journey_order(names, [("t", ["retention", "awareness"], True)])
    assert order.keys == ["retention", "awareness"]
    assert order.guesses == []


def _md(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "t.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_pain_point_named_on_a_touchpoint_and_in_a_stage_places_the_touchpoint(
    tmp_path: Path,
) -> None:
    path = _md(
        tmp_path,
        "Touchpoint | Pain Point |\n---|---|\nMobile app | Slow login |\n\n"
        "Stage | Pain Point | Severity |\n---|---|---|\nUsage | Slow login | high |\n",
    )
    result = import_tables([path])
    m = result.map
    assert [s.name for s in m.stages] == ["Usage"]
    assert [tp.name for tp in m.stage("usage").touchpoints] == ["Mobile app"]
    (pain,) = m.pain_points
    assert (pain.touchpoint, pain.severity) == ("mobile-app", "high")
    assert result.guesses[0] == (
        f"stage of touchpoint 'Mobile app' taken from pain point row {path}:7: 'Slow login' is "
        f"in stage 'Usage' there and on 'Mobile app' at {path}:3"
    )


def test_a_tie_is_left_in_unassigned_and_said(tmp_path: Path) -> None:
    path = _md(
        tmp_path,
        "Touchpoint | Actual Emotion |\n---|---|\nOrder tracking | Confused |\n\n"
        "Stage | Pain Point |\n---|---|\nDelivery | Order tracking vague |\n"
        "Support | Order tracking missing |\n",
    )
    result = import_tables([path])
    assert [tp.name for tp in result.map.stage("unassigned").touchpoints] == ["Order tracking"]
    assert any(
        g.startswith("touchpoint 'Order tracking' left in 'Unassigned': it may be in 'Delivery' "
                     "and 'Support' equally")
        for g in result.guesses
    )  # fmt: skip


def test_clear_synonyms_are_one_stage_and_reported(tmp_path: Path) -> None:
    path = _md(
        tmp_path,
        "Stage | Pain Point |\n---|---|\nPurchase | Slow |\n\n"
        "Stage | Action Items |\n---|---|\npurchase stage | Faster |\n",
    )
    result = import_tables([path])
    assert [s.name for s in result.map.stages] == ["Purchase"]
    assert any("stage 'purchase stage' read as 'Purchase'" in line for line in result.report)


def test_stages_option_can_place_what_no_table_placed(tmp_path: Path) -> None:
    path = _md(
        tmp_path,
        "Touchpoint | Actual Emotion |\n---|---|\nOrder tracking | Confused |\n\n"
        "Stage | Pain Point |\n---|---|\nDelivery | Late parcel |\n",
    )
    assert [s.id for s in import_tables([path]).map.stages] == ["delivery", "unassigned"]
    m = import_tables([path], stages="Delivery=Unassigned").map
    assert [(s.name, [tp.name for tp in s.touchpoints]) for s in m.stages] == [
        ("Delivery", ["Order tracking"])
    ]
    assert check_map(m) == []
