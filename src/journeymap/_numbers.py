"""Numbers, shares and durations as people read them: the one place that writes them.

Used by the map picture, the Markdown and HTML tables, the measured report, the CLI's tables
and the sentences of findings (pain points, lint, diff), so that a figure reads the same
wherever it appears. Pure functions of their arguments; nothing here knows about journeys.

* :func:`count`: a whole number of things, ``1,235`` (halves round up, as people do).
* :func:`number`: a value with at most ``decimals`` decimals and no float noise, ``95``,
  ``0.13``, ``1,234.5``.
* :func:`plain`: a number to be read back by a program or an import: no grouping, up to six
  decimals, ``1234.5``, ``0.125``.
* :func:`percent`: a 0..1 share, ``35%``; :func:`percentage`: a value already in percent.
* :func:`signed`: a score or a gap with its sign, ``+1.2``, ``−0.6``, ``0.0``.
* :func:`with_unit`: a number and its unit, ``35%``, ``4.2 days``.
* :func:`figure`: a quantity and its unit for people (a KPI's value, target or bounds):
  ``18%``, ``4.3 days``, ``1,250 €``, ``−3 points``; :func:`change`: how much it moved,
  ``+6 points``, ``−3 pts``, ``±0 pts``.
* :func:`duration`: seconds in a sentence, ``42 seconds``, ``9.2 hours``;
  :func:`duration_short`: seconds in a table cell, ``42 s``, ``3m 20s``, ``5h 02m``.

Missing values (``None``, NaN) are written :data:`MISSING`, an en dash.
"""

from __future__ import annotations

import math

__all__ = [
    "FIGURE_DECIMALS",
    "MINUS",
    "MISSING",
    "change",
    "count",
    "duration",
    "duration_short",
    "figure",
    "number",
    "percent",
    "percentage",
    "plain",
    "signed",
    "with_unit",
]

#: the minus sign of typeset numbers (U+2212), wider and clearer than a hyphen
MINUS = "\u2212"
#: what a missing value is written as (an en dash)
MISSING = "\u2013"
#: units written right after the number, without a space
_TIGHT_UNITS = ("%", "\u2030")
#: decimals of a :func:`figure`: the same on the map and in the measured report
FIGURE_DECIMALS = 1


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def count(value: float | None) -> str:
    """``1234.5`` -> ``"1,235"`` (halves round up); ``None`` -> ``"–"``."""
    if value is None or _missing(value):
        return MISSING
    if isinstance(value, int):  # exact, also beyond the 53 bits of a float (ids, hashes)
        return f"{value:,}"
    whole = math.floor(abs(value) + 0.5)
    return f"{-whole if value < 0 else whole:,}"


def number(
    value: float | None,
    *,
    decimals: int = 2,
    grouping: bool = True,
    typeset_minus: bool = False,
) -> str:
    """A value with at most ``decimals`` decimals, trailing zeros dropped: ``95.0`` -> ``95``,
    ``0.125`` -> ``0.13`` (``decimals=3``: ``0.125``), ``1234.5`` -> ``1,234.5``.

    ``grouping`` puts thousands separators in; ``typeset_minus`` writes a negative number
    with the minus sign (U+2212) instead of a hyphen. A value that rounds to zero is ``0``,
    never ``-0``.
    """
    if value is None or _missing(value):
        return MISSING
    comma = "," if grouping else ""
    if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
        text = f"{int(value):{comma}}"
    else:
        text = f"{value:{comma}.{decimals}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    if text in ("-0", "-0.0"):
        text = "0"
    return text.replace("-", MINUS) if typeset_minus else text


def plain(value: float) -> str:
    """A number to be read back (a table cell an import reads, a file): ``95.0`` -> ``95``,
    ``0.125`` -> ``0.125``, ``1234.5`` -> ``1234.5``; no grouping, no exponent, up to six
    decimals, a hyphen for the minus."""
    return number(value, decimals=6, grouping=False)


def percent(share: float | None, *, digits: int = 0) -> str:
    """A 0..1 share as a percentage: ``0.3456`` -> ``"35%"`` (``digits=1``: ``"34.6%"``)."""
    if share is None or _missing(share):
        return MISSING
    return percentage(share * 100, digits=digits)


def percentage(value: float | None, *, digits: int = 0) -> str:
    """A value already in percent: ``12.345`` -> ``"12%"`` (``digits=1``: ``"12.3%"``)."""
    if value is None or _missing(value):
        return MISSING
    return f"{value:.{digits}f}%"


def signed(value: float, *, digits: int = 1) -> str:
    """A score or a gap with its sign and ``digits`` decimals: ``+1.2``, ``−0.6``; a value
    that rounds to zero is ``0.0`` (no sign)."""
    if abs(value) < 0.5 * 10**-digits:
        return f"{0:.{digits}f}"
    return f"{value:+.{digits}f}".replace("-", MINUS)


def with_unit(text: str, unit: str | None) -> str:
    """A formatted number and its unit: ``%`` and ``‰`` stick to it, others after a space."""
    if not unit:
        return text
    return f"{text}{unit}" if unit in _TIGHT_UNITS else f"{text} {unit}"


def figure(value: float | None, unit: str | None = None) -> str:
    """A quantity for people, with its unit: at most :data:`FIGURE_DECIMALS` decimals, grouped,
    a typeset minus: ``18.0, "%"`` -> ``18%``, ``4.25, "days"`` -> ``4.2 days`` (halves to
    even), ``-3`` -> ``−3``. A KPI's value, target, interval and previous value are written
    this way on the map and in the measured report and its tables (the map's own tables write
    :func:`plain` numbers, which ``journeymap import`` reads back)."""
    if value is None or _missing(value):
        return MISSING
    return with_unit(number(value, decimals=FIGURE_DECIMALS, typeset_minus=True), unit)


def change(value: float, unit: str | None = None, *, flat: float = 0.0) -> str:
    """How much a :func:`figure` moved, with its sign; a change of a percentage is in points:
    ``6, "points"`` -> ``+6 points``, ``-3, "%"`` -> ``−3 pts``. A change smaller than
    ``flat``, or one that rounds to zero, is ``±0``."""
    unit = "pts" if unit == "%" else unit
    text = number(abs(value), decimals=FIGURE_DECIMALS)
    if abs(value) < flat or text == "0":
        return with_unit("\u00b10", unit)
    return with_unit(("+" if value > 0 else MINUS) + text, unit)


def duration(seconds: float) -> str:
    """Seconds in a sentence: ``42 seconds``, ``12 minutes``, ``9.2 hours``, ``3.1 days``,
    ``30 days`` (a whole number without its ``.0``)."""
    if seconds < 90:
        return f"{seconds:.0f} seconds"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} minutes"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.1f}".removesuffix(".0") + " hours"
    return f"{seconds / 86400:.1f}".removesuffix(".0") + " days"


def duration_short(seconds: float) -> str:
    """Seconds in a table cell: ``1 µs``, ``0.25 s``, ``42 s``, ``3m 20s``, ``5h 02m``,
    ``3d 4h``."""
    if 0 < seconds < 0.001:  # not "1e-06 s"
        return f"{seconds * 1e6:.3g} µs" if seconds >= 1e-6 else "< 1 µs"
    if seconds < 60:
        return f"{seconds:.3g} s" if seconds < 10 else f"{seconds:.0f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h {minutes:02d}m"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h"
