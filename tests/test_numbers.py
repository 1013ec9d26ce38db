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


@pytest.mark.parametrize(
    ("seconds", "words", "short"),
    [
        (0.25, "0 seconds", "0.25 s"),
        (42, "42 seconds", "42 s"),
        (200, "3 minutes", "3m 20s"),
        (9.2 * 3600, "9.2 hours", "9h 12m"),
        (3.1 * 86400, "3.1 days", "3d 2h"),
    ],
)
def test_durations(seconds: float, words: str, short: str) -> None:
    assert nb.duration(seconds) == words
    assert nb.duration_short(seconds) == short
