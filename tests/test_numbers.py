"""The one place that writes numbers, shares and durations for people."""

from __future__ import annotations

import math

import pytest

from journeymap import _numbers as nb


@pytest.mark.parametrize(
    ("value", "text"),
    [(1234.5, "1,235"), (0.5, "1"), (-2.5, "-3"), (0, "0"), (None, "\u2013"), (math.nan, "\u2013")],
)
def test_count_rounds_halves_up_and_groups(value: float | None, text: str) -> None:
    assert nb.count(value) == text


def test_number_drops_float_noise_and_trailing_zeros() -> None:
    assert nb.number(95.0) == "95"
    assert nb.number(0.125, decimals=3) == "0.125"
    assert nb.number(0.125, decimals=2) == "0.12"  # Python rounds half to even on binary floats
    assert nb.number(1234.5) == "1,234.5"
    assert nb.number(1234.5, grouping=False) == "1234.5"
    assert nb.number(-0.6, typeset_minus=True) == "\u22120.6"
    assert nb.number(-0.0001, decimals=2) == "0"
    assert nb.number(None) == "\u2013"


def test_plain_is_read_back_exactly() -> None:
    # what the Markdown tables write and ``journeymap import`` reads back
    assert nb.plain(95.0) == "95"
    assert nb.plain(0.125) == "0.125"
    assert nb.plain(-3.0) == "-3"
    assert nb.plain(1234.5) == "1234.5"  # no grouping


def test_percent_signed_and_units() -> None:
    assert nb.percent(0.3456) == "35%"
    assert nb.percent(0.3456, digits=1) == "34.6%"
    assert nb.signed(1.24) == "+1.2"
    assert nb.signed(-0.6) == "\u22120.6"
    assert nb.signed(0.04) == "0.0"
    assert nb.signed(-0.04) == "0.0"
    assert nb.with_unit("35", "%") == "35%"
    assert nb.with_unit("4.2", "days") == "4.2 days"
    assert nb.with_unit("4.2", None) == "4.2"
    assert nb.percentage(12.345, digits=1) == "12.3%"
    assert nb.percentage(None) == "\u2013"


def test_figure_is_the_same_everywhere() -> None:
    # a KPI's value: one decimal at most, grouped, a typeset minus, its unit
    assert nb.figure(18.0, "%") == "18%"
    assert nb.figure(4.26, "days") == "4.3 days"
    assert nb.figure(1234.5) == "1,234.5"
    assert nb.figure(67.96, "%") == "68%"
    assert nb.figure(-3.0, "points") == "\u22123 points"
    assert nb.figure(None, "%") == "\u2013"


def test_change_has_a_sign_and_points_for_percentages() -> None:
    assert nb.change(6.0, "points") == "+6 points"
    assert nb.change(-3.0, "%") == "\u22123 pts"
    assert nb.change(0.26, None) == "+0.3"
    assert nb.change(-0.02, "%", flat=0.05) == "\u00b10 pts"
    assert nb.change(0.001) == "\u00b10"  # rounds to zero


@pytest.mark.parametrize(
    ("seconds", "words", "short"),
    [
        (0.25, "0 seconds", "0.25 s"),
        (42, "42 seconds", "42 s"),
        (200, "3 minutes", "3m 20s"),
        (9.2 * 3600, "9.2 hours", "9h 12m"),
        (3.1 * 86400, "3.1 days", "3d 2h"),
        (30 * 86400, "30 days", "30d 0h"),
        (2 * 3600, "2 hours", "2h 00m"),
    ],
)
def test_durations(seconds: float, words: str, short: str) -> None:
    assert nb.duration(seconds) == words
    assert nb.duration_short(seconds) == short


@pytest.mark.parametrize(
    ("seconds", "short"),
    [(1e-6, "1 µs"), (2.5e-4, "250 µs"), (1e-9, "< 1 µs"), (0, "0 s"), (0.044, "0.044 s")],
)
def test_short_durations_under_a_millisecond_are_not_in_e_notation(
    seconds: float, short: str
) -> None:
    assert nb.duration_short(seconds) == short


@pytest.mark.parametrize(
    ("name", "value", "cell"),
    [
        ("customers", 1234, "1,234"),
        ("id", 12345678901234567, "12,345,678,901,234,567"),
        ("share", 0.3456, "34.6%"),
        ("conversion_rate", 0.5, "50.0%"),
        ("drop_rate", 12.345, "12.3%"),
        ("median_seconds", 200.0, "3m 20s"),
        ("median_seconds", float("nan"), "\u2013"),
        ("mean", 1234.5678, "1,234.57"),
        ("mean", -2.5, "-2.5"),
        ("mean", -0.004, "0"),
        ("mean", None, "\u2013"),
        ("flag", True, "yes"),
    ],
)
def test_terminal_table_cells(name: str, value: object, cell: str) -> None:
    from journeymap.cli._output import _cell

    assert _cell(name, value) == cell
