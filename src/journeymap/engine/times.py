"""Parsing times: native, formats, epochs by magnitude, ISO 8601.

:func:`time_exprs` parses the time column of an event log as engine expressions
(:mod:`journeymap.events.read`); feedback (:mod:`journeymap.voice.read`) parses its dates in
Python with the same rules: :data:`YMD`, :func:`unit_by_magnitude` and :data:`ISO_VARIANTS`.
Feedback also reads dates written with the month's name and an ordinal day ("19th November
2023", "Nov 1st, 2023"): :func:`plain_date`, :data:`NAMED_MONTH_FORMATS`, and
:func:`without_ordinals` for a strptime format given with such days.
"""

from __future__ import annotations

import functools
import re
import statistics
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import ibis.expr.types as ir

__all__ = [
    "ISO_VARIANTS",
    "NAMED_MONTH_FORMATS",
    "YMD",
    "TimeUnit",
    "plain_date",
    "strip_ordinals",
    "time_exprs",
    "unit_by_magnitude",
    "without_ordinals",
]

TimeUnit = Literal["s", "ms", "us", "ns"]

_NUMERIC = re.compile(r"^\s*-?\d+(\.\d*)?\s*$")
#: a YYYYMMDD date (1900-2199), as numbers or text
YMD = re.compile(r"^\s*(19|20|21)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])\s*$")
_UNIT_NS = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1}
#: 9999-12-31T23:59:59 as epoch seconds: later (or as early before 1970) is not a time
_MAX_EPOCH_S = 253_402_300_799


def unit_by_magnitude(values: list[float]) -> TimeUnit:
    """Epoch unit from the size of the numbers: 2024 in s ~1.7e9, ms ~1.7e12, ..."""
    mag = statistics.median(abs(v) for v in values)
    if mag < 1e11:
        return "s"
    if mag < 1e14:
        return "ms"
    if mag < 1e17:
        return "us"
    return "ns"


def _naive_utc(ts: ir.TimestampValue, engine_kind: str) -> ir.TimestampValue:
    """A time zone-aware timestamp as the naive UTC timestamp of the same instant.

    On DuckDB, ``CAST(x AS TIMESTAMP)`` of a TIMESTAMPTZ goes through the session's time
    zone (ICU) for every value: 1.1 s of CPU per 10M values, paid by every query that reads
    the log. The instant's epoch microseconds make the same timestamp for a fraction of it.
    """
    import ibis
    import ibis.expr.datatypes as dt

    if engine_kind != "duckdb" or not ts.type().timezone:
        return ts.cast(dt.Timestamp())

    def epoch_us(value: Any) -> None:
        """Microseconds since 1970 of a timestamp with time zone."""

    def make_timestamp(micros: Any) -> None:
        """The timestamp of epoch microseconds."""

    builtin = ibis.udf.scalar.builtin
    to_micros = builtin(epoch_us, signature=((dt.Timestamp(timezone="UTC"),), dt.int64))
    to_ts = builtin(make_timestamp, signature=((dt.int64,), dt.Timestamp()))
    return to_ts(to_micros(ts))


@functools.cache
def _duckdb_functions() -> tuple[Any, Any, Any]:
    """DuckDB's ``try_strptime`` (NULL where the text does not fit; one format or a list of
    them) and ``epoch_ns``."""
    import ibis
    import ibis.expr.datatypes as dt

    def try_strptime(value: str, fmt: str) -> None:
        """Parse ``value`` with a strptime format."""

    def epoch_ns(value: Any) -> None:
        """Nanoseconds since 1970 of a nanosecond timestamp."""

    builtin = ibis.udf.scalar.builtin
    utc = dt.Timestamp(timezone="UTC")
    return (
        builtin(try_strptime, signature=((dt.string, dt.string), utc)),
        builtin(try_strptime, signature=((dt.string, dt.Array(dt.string)), utc)),
        builtin(epoch_ns, signature=((dt.Timestamp(scale=9),), dt.int64)),
    )


#: Unambiguous times that DuckDB's cast does not read but exports often hold (with offsets).
ISO_VARIANTS = (
    "%Y-%m-%d %H:%M:%S %z",  # 2015-02-24 11:35:52 -0800 (Twitter exports)
    "%Y-%m-%d %H:%M:%S.%f %z",
    "%Y%m%dT%H%M%S%z",  # ISO 8601 basic format: 20150224T113552+0100
    "%Y%m%dT%H%M%SZ",  # and in UTC: 20150224T113552Z
    "%a, %d %b %Y %H:%M:%S %z",  # RFC 2822 (e-mail, RSS)
    "%a %b %d %H:%M:%S %z %Y",  # Twitter API
)


#: Dates with the month's name, day first or month first, after :func:`plain_date` (no
#: ordinals, no commas, no weekday): the name makes them unambiguous, unlike 03/04/2024.
NAMED_MONTH_FORMATS = (
    "%d %B %Y",  # 19 November 2023 (from "19th November 2023", "Sunday, 19th November 2023")
    "%d %b %Y",  # 19 Nov 2023, 19-Nov-2023
    "%B %d %Y",  # November 19 2023 (from "November 19th, 2023")
    "%b %d %Y",  # Nov 1 2023 (from "Nov 1st, 2023")
    "%d %B %Y %H:%M",
    "%d %b %Y %H:%M",
    "%B %d %Y %H:%M",
    "%b %d %Y %H:%M",
    "%d %B %Y %H:%M:%S",
    "%d %b %Y %H:%M:%S",
    "%B %d %Y %H:%M:%S",
    "%b %d %Y %H:%M:%S",
)

_ORDINAL = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)\b", re.IGNORECASE)
_ORDINAL_FORMAT = re.compile(r"(%-?d)(?:st|nd|rd|th)")
_WEEKDAY = re.compile(
    r"^(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?\.?[\s,]+",
    re.IGNORECASE,
)
_DASHED_MONTH = re.compile(r"(?<=\d)-(?=[A-Za-z])|(?<=[A-Za-z])-(?=\d)")


def strip_ordinals(text: str) -> str:
    """``"19th November 2023"`` -> ``"19 November 2023"``: a day's ordinal suffix dropped."""
    return _ORDINAL.sub(r"\1", text)


def without_ordinals(fmt: str) -> str:
    """A strptime format with the ordinal written after the day dropped (``"%dth %B %Y"`` ->
    ``"%d %B %Y"``), to read :func:`strip_ordinals` text with the format a person gave."""
    return _ORDINAL_FORMAT.sub(r"\1", fmt)


def plain_date(text: str) -> str:
    """A date written for people, made ready for :data:`NAMED_MONTH_FORMATS`: ordinals, a
    leading weekday and commas dropped, ``Sept`` as ``Sep``, dashes between day, month name
    and year as spaces, one space between words (``"Sunday, Nov 19th, 2023"`` ->
    ``"Nov 19 2023"``)."""
    text = _WEEKDAY.sub("", strip_ordinals(text.strip()))
    text = _DASHED_MONTH.sub(" ", text.replace(",", " "))
    text = re.sub(r"\bsept\b", "Sep", text, flags=re.IGNORECASE)
    return " ".join(text.split())


@functools.cache
def _spark_try_to_timestamp() -> Any:
    """Spark's ``try_to_timestamp`` (NULL where the text does not fit; ``to_timestamp``, which
    Ibis' ``as_timestamp`` uses, fails the whole query in ANSI mode)."""
    import ibis
    import ibis.expr.datatypes as dt

    def try_to_timestamp(value: str, fmt: str) -> None:
        """Parse ``value`` with a Spark datetime pattern."""

    return ibis.udf.scalar.builtin(
        try_to_timestamp, signature=((dt.string, dt.string), dt.timestamp)
    )


#: Spark letters that parse one or two digits, for directives not touching another number
_SPARK_LENIENT = {"%d": "d", "%m": "M", "%H": "H", "%M": "m", "%S": "s", "%I": "h"}
_NUMBERS = frozenset({"%d", "%m", "%H", "%M", "%S", "%I", "%y", "%Y", "%j", "%f"})


def _spark_pattern(fmt: str) -> str:
    """A strptime format as a Spark datetime pattern (``%d/%m/%YT%H`` -> ``d/M/yyyy'T'H``).

    Python's ``%d`` reads "1" and "01"; so does Spark's ``d``, but ``dd`` wants two digits,
    which it needs where two numbers touch (``%Y%m%d`` -> ``yyyyMMdd``). Other directives
    follow sqlglot's mapping; literal text is quoted where it holds letters.
    """
    from sqlglot.dialects.spark import Spark
    from sqlglot.time import format_time

    tokens = re.findall(r"%-?.|[^%]+", fmt)
    out: list[str] = []
    for i, token in enumerate(tokens):
        if token.startswith("%"):
            touching = any(0 <= j < len(tokens) and tokens[j] in _NUMBERS for j in (i - 1, i + 1))
            if token in _SPARK_LENIENT and not touching:
                out.append(_SPARK_LENIENT[token])
            else:
                mapped = format_time(token, Spark.INVERSE_TIME_MAPPING, Spark.INVERSE_TIME_TRIE)
                out.append(mapped or token)
        elif re.search(r"[A-Za-z]", token):
            out.append("'" + token.replace("'", "''") + "'")
        else:
            out.append(token.replace("'", "''"))
    return "".join(out)


def _strptime(text: ir.StringValue, fmt: str, engine_kind: str) -> ir.TimestampValue:
    """``text`` parsed with a strptime format; NULL where it does not fit."""
    import ibis.expr.datatypes as dt

    if engine_kind == "duckdb":
        try_strptime, _, _ = _duckdb_functions()
        return try_strptime(text, fmt).cast(dt.Timestamp())
    if engine_kind == "spark":
        return _spark_try_to_timestamp()(text, _spark_pattern(fmt)).cast(dt.Timestamp())
    return text.as_timestamp(fmt).cast(dt.Timestamp())


def _from_ns(n: ir.IntegerValue) -> tuple[ir.TimestampValue, ir.IntegerValue]:
    """Epoch nanoseconds as (timestamp in µs, the ns below it): floor, also before 1970."""
    import ibis

    sub = ((n % 1000) + 1000) % 1000
    micros = (n - sub) // 1000
    return ibis.timestamp("1970-01-01 00:00:00") + micros.as_interval("us"), sub


#: Time-zone abbreviations read by their fixed offset (PST is UTC-8 on any day: a time
#: written in PST in May is not silently read as PDT); UTC, GMT and Z are read as they are.
FIXED_ZONES: dict[str, str] = {
    "EST": "-05:00", "EDT": "-04:00", "CDT": "-05:00", "MST": "-07:00", "MDT": "-06:00",
    "PST": "-08:00", "PDT": "-07:00", "AKST": "-09:00", "AKDT": "-08:00", "HST": "-10:00",
    "WET": "+00:00", "WEST": "+01:00", "CET": "+01:00", "CEST": "+02:00", "EET": "+02:00",
    "EEST": "+03:00", "MSK": "+03:00", "JST": "+09:00", "KST": "+09:00", "SGT": "+08:00",
    "HKT": "+08:00", "AWST": "+08:00", "ACST": "+09:30", "ACDT": "+10:30", "AEST": "+10:00",
    "AEDT": "+11:00", "NZST": "+12:00", "NZDT": "+13:00",
}  # fmt: skip
#: A zone abbreviation at the end of a time: ``2024-05-01 11:00 PST``.
_ZONE_AT_END = r"\s+([A-Za-z]{2,5})$"
#: Read as they are: the UTC names, and the 12-hour clock's halves.
_AS_WRITTEN = ("UTC", "GMT", "Z", "AM", "PM")


def fixed_zones(text: ir.StringValue) -> ir.StringValue:
    """``text`` with a time-zone abbreviation at its end written as its fixed offset
    (:data:`FIXED_ZONES`), so that the engine does not take it for a region with summer
    time; any other abbreviation (CST, IST, BST: each names several zones) makes the value
    unreadable, a rejected row, never a guess."""
    import ibis

    abbr = text.re_extract(_ZONE_AT_END, 1).upper()
    has = text.re_search(_ZONE_AT_END) & ~abbr.isin(list(_AS_WRITTEN))
    offset = ibis.cases(
        *[(abbr == name, ibis.literal(off)) for name, off in FIXED_ZONES.items()],
        else_=ibis.null("string"),
    )
    base = text.re_replace(_ZONE_AT_END, "")
    # hours and minutes only: the seconds written out (Spark reads an offset only after them)
    seconds = ibis.cases((base.re_search(r"[ T]\d{1,2}:\d{2}$"), ibis.literal(":00")), else_="")
    return ibis.cases((has, base + seconds + offset), else_=text)


def time_exprs(
    raw: ir.Value,
    sample: list[Any],
    *,
    time_format: str | None,
    time_unit: TimeUnit | None,
    engine_kind: str,
) -> tuple[ir.TimestampValue, ir.IntegerValue, str]:
    """(timestamp, sub-microsecond ns, how it was parsed) for a raw time column.

    The kind of the column is decided on a sample of its first non-empty values: native
    timestamps and dates as they are; a ``time_format``; numbers (most of the sample) as
    YYYYMMDD dates when most look like one (8 digits, 1900-2199, a real month and day; an
    epoch in seconds would be in 1970), else as epochs in ``time_unit`` or in the unit their
    magnitude says; anything else as ISO 8601 (an offset is converted to UTC, no offset means
    UTC) or, on DuckDB, one of the unambiguous variants in :data:`ISO_VARIANTS`. A value that
    does not parse the chosen way is a rejected row.
    """
    import ibis
    import ibis.expr.datatypes as dt

    zero = ibis.literal(0, type="int64")
    typ = raw.type()
    if typ.is_timestamp():
        if engine_kind == "duckdb" and not typ.timezone and (typ.scale or 6) > 6:
            _, _, epoch_ns = _duckdb_functions()
            ts, sub = _from_ns(epoch_ns(raw))
            return ts, sub, "native timestamp (ns)"
        return _naive_utc(raw, engine_kind), zero, "native timestamp"
    if typ.is_date():
        return raw.cast(dt.Timestamp()), zero, "date"
    text = raw.cast("string").strip()
    if time_format:
        return _strptime(text, time_format, engine_kind), zero, f"format {time_format!r}"
    if typ.is_numeric():
        values = [float(v) for v in sample if v is not None]
        numbers = [str(v) for v in sample if v is not None]
        numeric = True
    else:
        strings = [str(v).strip() for v in sample if v is not None and str(v).strip()]
        numbers = [s for s in strings if _NUMERIC.match(s)]
        values = [float(s) for s in numbers]
        numeric = bool(strings) and 2 * len(numbers) > len(strings)
    integral = typ.is_integer() or (not typ.is_numeric() and all("." not in s for s in numbers))
    ymd = sum(1 for s in numbers if YMD.match(s))
    if numeric and time_unit is None and integral and numbers and 2 * ymd > len(numbers):
        return _strptime(text, "%Y%m%d", engine_kind), zero, "format YYYYMMDD"
    if not (numeric or time_unit is not None):
        ts = fixed_zones(text).try_cast(dt.Timestamp(timezone="UTC"))
        if engine_kind == "duckdb":  # and the variants in ISO_VARIANTS
            _, try_strptime_any, _ = _duckdb_functions()
            variants = ibis.literal(list(ISO_VARIANTS), type="array<string>")
            ts = ts.coalesce(try_strptime_any(text, variants))
        return _naive_utc(ts, engine_kind), zero, "ISO 8601"
    unit: TimeUnit = time_unit or (unit_by_magnitude(values) if values else "s")
    how = f"epoch {unit}" + ("" if time_unit else " (by magnitude)")
    limit = _MAX_EPOCH_S * 1_000_000_000 // _UNIT_NS[unit]  # in the unit
    if integral:
        n = raw.cast("int64") if typ.is_integer() else text.try_cast("int64")
        if unit == "ns":
            ts, sub = _from_ns(n)
            return ts, sub, how
        n = ibis.cases((n.abs() <= limit, n), else_=ibis.null("int64"))
        micros = n * (_UNIT_NS[unit] // 1000)
    else:
        f = raw.cast("float64") if typ.is_numeric() else text.try_cast("float64")
        scaled = (f * (_UNIT_NS[unit] / 1000)).round()
        # as a float: the limit in nanoseconds is past int64, which Ibis cannot compare with
        within = f.abs() <= float(limit)
        micros = ibis.cases((within, scaled), else_=ibis.null("float64")).cast("int64")
    epoch = ibis.timestamp("1970-01-01 00:00:00")
    return epoch + micros.as_interval("us"), zero, how
