"""The public API is small and deliberate: this test fails when ``__all__`` drifts."""

from __future__ import annotations

import subprocess
import sys

import pytest

import journeymap

EXPECTED = {
    # domain
    "JourneyMap", "Persona", "Stage", "Touchpoint", "ActualEmotion", "PainPoint", "Opportunity",
    "KPI", "Insight", "Review", "EmotionScale", "EmotionLevel", "check_map",
    # files
    "load", "loads", "save", "dumps", "json_schema",
    # templates and import
    "new_map", "list_templates", "TemplateInfo", "import_tables", "ImportResult",
    # review
    "lint", "LintFinding", "LINT_RULES", "diff", "MapDiff", "Change",
    # drawing
    "render", "render_bytes", "charts",
    # event logs
    "read_events", "EventLog", "Engine", "EngineConfig", "summary", "flows", "paths", "funnel",
    "retention", "cohorts", "sessions", "discover",
    # feedback
    "read_feedback", "Feedback", "scores", "feedback_summary", "nps", "csat", "ces",
    "sentiment", "sentiment_agreement", "themes", "theme_assignments", "drivers", "mentions",
    # the evidence-backed map
    "measure", "Measurement", "load_measurement", "save_measurement", "generate_sample",
    # errors
    "JourneyMapError", "MapFileError", "TableImportError", "TemplateNotFoundError",
    "RenderError", "UsageError", "EvidenceError",
    "__version__",
}  # fmt: skip


def test_all_is_pinned() -> None:
    assert set(journeymap.__all__) == EXPECTED
    assert len(journeymap.__all__) == len(EXPECTED)


def test_every_name_exists() -> None:
    for name in journeymap.__all__:
        assert hasattr(journeymap, name), name


def test_errors_form_one_tree() -> None:
    for name in (
        "MapFileError",
        "TableImportError",
        "TemplateNotFoundError",
        "RenderError",
        "UsageError",
    ):
        err = getattr(journeymap, name)
        assert issubclass(err, journeymap.JourneyMapError)
        assert err.code and err.exit_code == 2
    assert issubclass(journeymap.MapFileError, ValueError)
    assert issubclass(journeymap.TemplateNotFoundError, LookupError)


def test_import_does_no_work_and_loads_no_heavy_library() -> None:
    code = (
        "import sys, journeymap; "
        "heavy = [m for m in ('vl_convert', 'openpyxl', 'jinja2', 'markdown_it', 'typer', "
        "'rich', 'ibis', 'duckdb', 'pyarrow', 'pyspark', 'pandas', 'numpy', 'sklearn', 'scipy', "
        "'vaderSentiment', 'torch', 'sentence_transformers') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
    assert out.stderr == ""


def test_names_load_when_first_used() -> None:
    """``import journeymap`` loads none of its parts; reading an event log does not load the
    renderers or the map model; each public name is the object of its module."""
    code = (
        "import sys, journeymap; before = sorted(m for m in sys.modules "
        "if m.startswith('journeymap.')); "
        "import journeymap.events.read; "
        "later = [m for m in ('journeymap.rendering', 'journeymap.model.journey', "
        "'journeymap.measuring.pipeline', 'pydantic') if m in sys.modules]; "
        "print(before, later)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] []"
    from journeymap.rendering import render_file

    assert journeymap.render is render_file
    assert "flows" in dir(journeymap)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        journeymap.nope  # noqa: B018
