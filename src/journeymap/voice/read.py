"""Reading feedback: survey exports, reviews and tickets, with the role of each column.

Feedback is what customers say (a verbatim) and how they score us (NPS, CSAT, CES, a star
rating), per touchpoint, stage and segment. It is small next to event logs (thousands to a few
million rows) and its methods (a sentiment lexicon, scikit-learn) work in memory, so it is read
into a pyarrow Table, not into the engine.

:func:`read_feedback` reads CSV (the delimiter ``,`` ``;`` tab ``|`` or whitespace read from
the first lines; quoted fields may hold delimiters and newlines), XLSX (a sheet by name, by
default the first) and JSON Lines (``.jsonl .ndjson .json``; a file that starts with ``[`` is
one JSON array of objects), each text format optionally gzip-compressed; or a pyarrow Table.
Files are opened by the rules event logs and table import follow
(:mod:`journeymap.engine.files`; raw reading in :mod:`journeymap.voice._raw`): text is in the
encoding given (any Python knows), else the one its byte-order mark says, else UTF-8, and
bytes that are not text in it are an error naming the byte, never read as another encoding.

Roles
-----
Each role is a column named by the caller or found by its name (:data:`ROLE_NAMES`, compared
without case, spaces, dots or dashes; the first candidate present wins; a column plays one
role): ``score``, ``text``, ``date``, ``customer``, ``touchpoint``, ``stage``, ``segment``,
``outcome``. ``ratings`` (several rating columns, one per touchpoint) are only ever named by
the caller. A score column found by name must hold numbers (most of its first 2,000
values), or it is not taken; a date column found by name is taken when any of its first
2,000 values reads as a date (the others are rows without a date, counted and reported). A
column passed over is named in the read report (``notes``). Two columns whose names differ
only in case, spaces or punctuation (``Date`` and ``date``) are not chosen between: the role
must be given. A header that names two columns alike is an error naming both.

The scale of the score is the caller's, or told by the column's name: ``nps`` /
``recommend`` -> NPS (0-10), ``csat`` / ``satisfaction`` -> CSAT (1-5), ``ces`` / ``effort``
-> CES (1-7); anything else is a plain ``rating`` whose range is only observed (a 0-10 column
named ``score`` is a rating, not NPS). ``scale_range`` gives another range (CSAT on 1-7).

Rows
----
An empty score, rating or date is missing: the row is kept (many rows only have a verbatim).
A row is rejected, counted and reported with ``FILE:ROW: column "x": ...`` when its score or a
rating is not a number or lies outside the scale, or (CSV) it has another number of fields
than the header; ``strict=True`` makes that an error. ``n/a``, ``na``, ``nan``, ``null``,
``none`` and ``-`` count as empty in score, rating and date columns, and in a column of
numbers that plays no role. A date that cannot be read leaves its row *without a date*: the
row is kept, counted (``undated``) and reported with examples; ``strict=True`` makes it an
error too.

Dates: ISO 8601 with or without an offset (``2015-02-24 11:35:52 -0800`` too), converted to
UTC; a few unambiguous variants (RFC 2822, the Twitter API's); a day, the month's name and
the year in either order, the day with or without an ordinal (``19th November 2023``,
``Nov 1st, 2023``, ``2 March 2024``, ``Sunday, 19-Nov-2023``); numbers as epoch seconds,
milliseconds, microseconds or nanoseconds told by their magnitude, or YYYYMMDD when most look
like one; native spreadsheet dates; or a strptime ``date_format`` (an ordinal day such as
"1st" is read with ``%d`` too).

Types: scores and ratings float64, the date timestamp[us] (UTC), text, customer, touchpoint,
stage and segment strings; an outcome of numbers float64, else as read. Other columns keep
their type (CSV: whole numbers int64, decimals float64, else text); columns named like ids
(``tweet_id``, ``reviewerID``, ``asin``) stay text, never numbers. Nested JSON values are JSON
text. ``__jm_row`` is the row as an editor shows it: CSV the line where the record starts
(the header is line 1), XLSX the sheet row, JSON Lines the line, a JSON array the element
(from 1), a Table its position (from 1) or its own ``__jm_row``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from journeymap._numbers import count
from journeymap.engine.reading import (
    ambiguous_role,
    missing_column,
    name_key,
    pick_examples,
    rows,
)
from journeymap.errors import EvidenceError, Problem, UsageError
from journeymap.voice._raw import ROW, Raw, from_table, read_file

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "DEFAULT_RANGES",
    "ROLES",
    "ROLE_NAMES",
    "ROW",
    "Feedback",
    "FeedbackRoles",
    "Scale",
    "read_feedback",
]

Scale = Literal["nps", "csat", "ces", "rating"]
Role = Literal["score", "text", "date", "customer", "touchpoint", "stage", "segment", "outcome"]
ROLES: tuple[Role, ...] = get_args(Role)

#: The range of each scale when none is given (a rating's range is only observed).
DEFAULT_RANGES: dict[Scale, tuple[float, float] | None] = {
    "nps": (0, 10),
    "csat": (1, 5),
    "ces": (1, 7),
    "rating": None,
}

#: Column names recognised for each role, most specific first.
ROLE_NAMES: dict[Role, tuple[str, ...]] = {
    "score": (
        "score", "nps", "nps_score", "likelihood_to_recommend", "csat", "csat_score", "ces",
        "ces_score", "rating", "overall", "overall_rating", "stars", "star_rating",
    ),
    "text": (
        "text", "comment", "comments", "verbatim", "review", "reviewText", "review_text",
        "feedback", "body", "message",
    ),
    "date": (
        "date", "created_at", "tweet_created", "submitted_at", "timestamp", "unixReviewTime",
        "time", "response_date", "survey_date", "review_date",
    ),
    "customer": (
        "customer_id", "user_id", "reviewerID", "respondent", "respondent_id", "email",
    ),
    "touchpoint": ("touchpoint", "touch_point"),
    "stage": ("stage", "journey_stage"),
    "segment": ("segment", "customer_segment", "persona", "plan"),
    "outcome": ("outcome", "recommended", "would_recommend", "retained", "churned", "overall"),
}  # fmt: skip

_MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "-"})
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$", re.ASCII)  # not "٩"
_INTEGER = re.compile(r"^-?(0|[1-9]\d{0,17})$")
_ID_TOKENS = frozenset({"id", "uuid", "guid", "asin", "sku", "isbn", "zip", "zipcode", "phone"})
_SAMPLE = 2000
_EPOCH = datetime(1970, 1, 1)
_UNIT_US = {"s": 1_000_000, "ms": 1_000, "us": 1, "ns": 0.001}


def _tokens(name: str) -> list[str]:
    """``reviewerID`` -> ``["reviewer", "id"]``, ``tweet_id`` -> ``["tweet", "id"]``."""
    return [t.lower() for t in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", name)]


def _id_like(name: str) -> bool:
    tokens = _tokens(name)
    return bool(tokens) and (tokens[-1] in _ID_TOKENS or name_key(name).endswith("id"))


def scale_of_name(name: str) -> Scale:
    """The scale a column's name suggests: NPS, CSAT, CES, else a plain rating."""
    tokens, norm = _tokens(name), name_key(name)
    if "nps" in tokens or "recommend" in norm:
        return "nps"
    if "csat" in tokens or "satisf" in norm:
        return "csat"
    if "ces" in tokens or "effort" in norm:
        return "ces"
    return "rating"


def range_text(lo_hi: tuple[float, float]) -> str:
    return "-".join(f"{v:g}" for v in lo_hi)


# ---- the result ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackRoles:
    """Which column plays which role, and the scale of the score."""

    score: str | None = None
    scale: Scale | None = None
    text: str | None = None
    date: str | None = None
    customer: str | None = None
    touchpoint: str | None = None
    stage: str | None = None
    segment: str | None = None
    outcome: str | None = None
    ratings: tuple[str, ...] = ()
    #: the range of the scale (None: the default of the scale; a rating's is only observed)
    scale_range: tuple[float, float] | None = None


@dataclass
class Feedback:
    """Feedback read into memory: typed input columns plus ``__jm_row``, and how it was read."""

    table: pa.Table
    roles: FeedbackRoles
    source: str
    rows_read: int
    rejected: int
    examples: list[Problem]
    #: rejected rows by reason
    reasons: dict[str, int] = field(default_factory=dict)
    #: how the dates were read ("ISO 8601", "epoch s (by magnitude)", ...)
    date_parse: str | None = None
    #: the roles found by column names (the others were given)
    detected: tuple[str, ...] = ()
    #: rows kept without a date because theirs cannot be read, and some of them
    undated: int = 0
    undated_examples: list[Problem] = field(default_factory=list)
    #: what the read report says besides: merged cells filled, a column named like a role
    #: but not taken for it
    notes: list[str] = field(default_factory=list)

    @property
    def rows_used(self) -> int:
        return self.rows_read - self.rejected

    def column(self, role: str) -> str:
        """The column of a role, or a :class:`UsageError` naming the flag that sets it."""
        if role not in ROLES:
            raise UsageError(f"unknown role {role!r}; the roles are {', '.join(ROLES)}")
        name = getattr(self.roles, role)
        if name is None:
            raise UsageError(
                f"{self.source}: no {role} column (none of {', '.join(ROLE_NAMES[role][:5])} "
                f"...); say which with --{role} COL. The columns are: "
                + ", ".join(c for c in self.table.column_names if c != ROW)
            )
        return str(name)

    def lines(self) -> list[str]:
        """The read report, for people: counts, roles, rejected rows with examples."""
        import pyarrow.compute as pc

        r = self.roles
        out = [
            f"{self.source}: {rows(self.rows_read)} read, {count(self.rows_used)} used, "
            f"{count(self.rejected)} rejected"
        ]
        parts = []
        for role in ROLES:
            col = getattr(r, role)
            if col is None:
                continue
            text = f"{role}={col!r}"
            if role == "score":
                scale = r.scale or "rating"
                lo_hi = r.scale_range or DEFAULT_RANGES[scale]
                if lo_hi is None and self.table.num_rows:
                    mm = pc.min_max(self.table.column(col)).as_py()
                    lo_hi = None if mm["min"] is None else (mm["min"], mm["max"])
                    text += f" ({scale}" + (f", {range_text(lo_hi)} observed)" if lo_hi else ")")
                else:
                    text += f" ({scale}" + (f" {range_text(lo_hi)})" if lo_hi else ")")
            if role == "date" and self.date_parse:
                text += f" ({self.date_parse})"
            parts.append(text)
        if r.ratings:
            parts.append("ratings=" + ",".join(r.ratings))
        out.append("roles: " + (" ".join(parts) if parts else "none found"))
        if self.detected:
            out.append(f"  detected by name: {', '.join(self.detected)} (say --ROLE COL to change)")
        out += self.notes
        out += [f"rejected: {rows(n)} with {reason}" for reason, n in self.reasons.items()]
        out += [f"  e.g. {ex}" for ex in self.examples]
        if self.undated:
            out.append(
                f"kept without a date: {rows(self.undated)} whose date cannot be read "
                "(--strict rejects them)"
            )
            out += [f"  e.g. {ex}" for ex in self.undated_examples]
        return out


# ---- values ----------------------------------------------------------------------------------


def _number(value: Any) -> float | str | None:
    """A number, ``None`` for missing, or the text of a value that is not a number."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return None if isinstance(value, float) and math.isnan(value) else float(value)
    text = str(value).strip()
    if text.lower() in _MISSING:
        return None
    return float(text) if _NUMBER.match(text) else text


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _verbatim(value: Any) -> str | None:
    """Text as written (inner newlines kept); blank is missing."""
    if isinstance(value, str):
        return value if value.strip() else None
    return _text(value)


def _empty_markers_among_numbers(values: list[Any]) -> list[Any]:
    """``n/a``, ``NaN``, ``-`` ... as None in a column whose other values are all numbers
    (exports write them for "not rated"); any other column as it is."""
    blank = [isinstance(v, str) and v.strip().lower() in _MISSING for v in values]
    if not any(blank):
        return values
    others = [v for v, b in zip(values, blank, strict=True) if v is not None and not b]
    numbers = all(
        _NUMBER.match(v.strip()) if isinstance(v, str) else isinstance(v, int | float)
        for v in others
    )
    if not others or not numbers or any(isinstance(v, bool) for v in others):
        return values
    return [None if b else v for v, b in zip(values, blank, strict=True)]


def _infer(name: str, values: list[Any], textual: bool) -> pa.Array:
    """A column that plays no role, typed as its values say (ids stay text)."""
    import pyarrow as pa

    if _id_like(name):
        return pa.array([_text(v) for v in values], pa.string())
    values = _empty_markers_among_numbers(values)
    present = [v for v in values if v is not None]
    if textual:
        if present and all(_INTEGER.match(v.strip()) for v in present):
            return pa.array([None if v is None else int(v) for v in values], pa.int64())
        if present and all(_NUMBER.match(v.strip()) for v in present):
            return pa.array([None if v is None else float(v) for v in values], pa.float64())
        return pa.array(values, pa.string())
    kinds = {type(v) for v in present}
    if kinds and kinds <= {bool}:
        return pa.array(values, pa.bool_())
    if kinds and kinds <= {int}:
        if all(-(2**63) <= v < 2**63 for v in present):
            return pa.array(values, pa.int64())
    elif kinds and kinds <= {int, float}:
        return pa.array([None if v is None else float(v) for v in values], pa.float64())
    elif kinds and kinds <= {datetime, date}:
        return pa.array([_naive(_as_datetime(v)) for v in values], pa.timestamp("us"))
    return pa.array([_text(v) for v in values], pa.string())


def _as_datetime(value: datetime | date) -> datetime:
    return value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)


def _naive(value: datetime) -> datetime:
    """In UTC, without a time zone (no zone means UTC already)."""
    if value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


# ---- dates -----------------------------------------------------------------------------------


def _date_reader(
    sample: list[Any], date_format: str | None
) -> tuple[Callable[[Any], datetime | None], str]:
    """(parse one value -> datetime or None when unreadable, how) for a date column, decided
    on a sample of its values the way event times are (see the module docstring)."""
    from journeymap.engine.times import YMD, unit_by_magnitude

    texts = [str(v).strip() for v in sample if isinstance(v, str) and v.strip()]
    numbers = [float(v) for v in sample if isinstance(v, int | float) and not isinstance(v, bool)]
    numbers += [float(t) for t in texts if _NUMBER.match(t)]
    numeric = bool(numbers) and 2 * len(numbers) > len(sample)
    ymd = numeric and 2 * sum(1 for t in texts if YMD.match(t)) > len(numbers)
    unit = unit_by_magnitude(numbers) if numeric and not ymd else "s"
    limit = 253_402_300_799 * 1_000_000 / _UNIT_US[unit]
    parse_text = _TextDates(date_format)

    def parse(value: Any) -> datetime | None:
        if isinstance(value, datetime | date):
            return _naive(_as_datetime(value))
        if isinstance(value, int | float) and not isinstance(value, bool):
            number: float | None = float(value)
        else:
            text = str(value).strip()
            if ymd and YMD.match(text):
                return datetime.strptime(text, "%Y%m%d")
            number = float(text) if numeric and _NUMBER.match(text) else None
            if number is None:
                return parse_text(text)
        if number is None or math.isnan(number) or abs(number) > limit:
            return None
        return _EPOCH + timedelta(microseconds=round(number * _UNIT_US[unit]))

    if date_format:
        how = f"format {date_format!r}"
    elif ymd:
        how = "YYYYMMDD"
    elif numeric:
        how = f"epoch {unit}, by magnitude"
    elif sample and all(isinstance(v, datetime | date) for v in sample):
        how = "native dates"
    else:
        how = parse_text.how(texts)
    return parse, how


#: how text dates were read, by the kind of format that read most of a sample
_ISO, _NAMED = "ISO 8601", "day, month name and year"


class _TextDates:
    """Dates written as text: with a strptime ``date_format`` (an ordinal day such as "1st"
    read too), else ISO 8601, its variants (:data:`~journeymap.engine.times.ISO_VARIANTS`)
    and dates with the month's name and an ordinal day ("19th November 2023",
    "Nov 1st, 2023"). The format that read the last value is tried first."""

    def __init__(self, date_format: str | None) -> None:
        from journeymap.engine.times import (
            ISO_VARIANTS,
            NAMED_MONTH_FORMATS,
            plain_date,
            strip_ordinals,
            without_ordinals,
        )

        self.date_format = date_format
        self.candidates: list[tuple[str, Callable[[str], str] | None, str]]
        if date_format:
            self.candidates = [
                (date_format, None, _ISO),
                (without_ordinals(date_format), strip_ordinals, _ISO),
            ]
        else:
            self.candidates = [(f, None, _ISO) for f in ISO_VARIANTS]
            self.candidates += [(f, plain_date, _NAMED) for f in NAMED_MONTH_FORMATS]
        self.last: list[tuple[str, Callable[[str], str] | None, str]] = []
        self.kind = ""

    def __call__(self, text: str) -> datetime | None:
        if self.date_format is None:
            try:
                found = _naive(datetime.fromisoformat(text))
            except ValueError:
                pass
            else:
                self.kind = _ISO
                return found
        for fmt, prepare, kind in self.last + self.candidates:
            try:
                found = _naive(datetime.strptime(prepare(text) if prepare else text, fmt))
            except ValueError:
                continue
            self.last[:] = [(fmt, prepare, kind)]
            self.kind = kind
            return found
        return None

    def how(self, texts: list[str]) -> str:
        """How most of ``texts`` read: ISO 8601, or day, month name and year."""
        kinds = {_ISO: 0, _NAMED: 0}
        for text in texts:
            if self(text) is not None:
                kinds[self.kind] += 1
        return _NAMED if kinds[_NAMED] > kinds[_ISO] else _ISO


# ---- roles -----------------------------------------------------------------------------------


def _mostly(values: list[Any], ok: Callable[[Any], bool]) -> bool:
    sample = [v for v in values if v is not None][:_SAMPLE]
    return bool(sample) and 2 * sum(1 for v in sample if ok(v)) > len(sample)


def _detect(
    raw: Raw, given: dict[Role, str | None], ratings: Sequence[str], label: str,
    date_format: str | None, skipped: list[str],
) -> tuple[dict[Role, str | None], tuple[str, ...]]:  # fmt: skip
    """The column of each role: as given (checked), else the first candidate name present;
    a candidate whose values do not fit is passed over with a line in ``skipped``."""
    names = raw.names
    for rating in ratings:
        if rating not in names:
            raise EvidenceError(missing_column(label, rating, names, wanted="for --ratings"))
    chosen: dict[Role, str | None] = {}
    for role, name in given.items():
        if name is not None:
            if name not in names:
                raise EvidenceError(missing_column(label, name, names, wanted=f"for --{role}"))
            chosen[role] = name
    taken = {c for c in chosen.values() if c} | set(ratings)
    by_norm: dict[str, str] = {}
    alike: dict[str, list[str]] = {}
    for c in names:
        by_norm.setdefault(name_key(c), c)
        alike.setdefault(name_key(c), []).append(c)
    detected: list[str] = []
    for role in ROLES:
        if role in chosen:
            continue
        chosen[role] = None
        for cand in ROLE_NAMES[role]:
            col = by_norm.get(name_key(cand))
            if col is None or col in taken:
                continue
            values = raw.columns[names.index(col)]
            if role == "score" and not _mostly(values, lambda v: isinstance(_number(v), float)):
                skipped.append(_not_taken(col, role, values, "most of them are not numbers"))
                continue
            if role == "date" and not _any_date(values, date_format):
                skipped.append(_not_taken(col, role, values, "none of them reads as a date"))
                continue
            rivals = [c for c in alike[name_key(col)] if c not in taken]
            if len(rivals) > 1:  # "Date" and "date": taking the first would be a guess
                raise EvidenceError(ambiguous_role(label, role, rivals, f"--{role}"))
            chosen[role] = col
            taken.add(col)
            detected.append(role)
            break
    return chosen, tuple(detected)


def _any_date(values: list[Any], date_format: str | None) -> bool:
    """Some of a column's first values read as dates. A column named like a date is taken
    when any of them does: the others are then counted and reported as rows without a date
    (``--strict`` rejects them), never left unread without a word."""
    sample = [v for v in values if v is not None and _text(v)][:_SAMPLE]
    parse, _ = _date_reader(sample, date_format)
    return any(parse(v) is not None for v in sample)


def _not_taken(col: str, role: str, values: list[Any], why: str) -> str:
    """The read report's line for a column named like a role but not taken for it."""
    first = next((_text(v) for v in values if v is not None and _text(v)), None)
    example = "" if first is None else f", e.g. {first[:40]!r}"
    return (
        f"column {col!r} is named like the {role} but not taken as it: {why}{example} "
        f"(say --{role} {col} to take it)"
    )


# ---- reading ---------------------------------------------------------------------------------


def read_feedback(
    source: str | Path | pa.Table,
    *,
    score: str | None = None,
    scale: Scale | None = None,
    text: str | None = None,
    date: str | None = None,
    customer: str | None = None,
    touchpoint: str | None = None,
    stage: str | None = None,
    segment: str | None = None,
    outcome: str | None = None,
    ratings: Sequence[str] | None = None,
    strict: bool = False,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
    scale_range: tuple[float, float] | None = None,
    date_format: str | None = None,
    name: str | None = None,
) -> Feedback:
    """Read a survey export, review dump or ticket export; roles found by name unless given.

    ``source`` is a CSV, XLSX or JSON Lines file (text ones optionally gzipped) or a pyarrow
    Table. ``scale`` is the scale of the score (default: from the column's name, see the
    module docstring), ``scale_range`` its range when not the default (``(1, 7)`` for CSAT on
    seven points). ``ratings`` names several rating columns (one per touchpoint). ``sheet``
    picks an XLSX sheet by name (default: the first); ``date_format`` is a strptime format for
    dates that are not ISO 8601 or epoch numbers; ``name`` is how messages call the source.

    Raises :class:`EvidenceError` for a missing, empty or unreadable file, an unknown column,
    no usable row, and with ``strict`` any rejected row.
    """
    import pyarrow as pa

    if scale is not None and scale not in DEFAULT_RANGES:
        raise UsageError(f"unknown scale {scale!r}; expected nps, csat, ces or rating")
    if scale_range is not None and not scale_range[0] < scale_range[1]:
        raise UsageError(f"scale range {scale_range}: the low end must be below the high end")
    if isinstance(source, pa.Table):
        label = name or "<table>"
        raw = from_table(source)
    else:
        label = name or str(source)
        raw = read_file(Path(source), label, encoding=encoding, delimiter=delimiter, sheet=sheet)
    if not raw.rows:
        raise EvidenceError(f"{label}: no rows (only a header)")
    given: dict[Role, str | None] = {
        "score": score, "text": text, "date": date, "customer": customer,
        "touchpoint": touchpoint, "stage": stage, "segment": segment, "outcome": outcome,
    }  # fmt: skip
    skipped: list[str] = []
    chosen, detected = _detect(raw, given, tuple(ratings or ()), label, date_format, skipped)
    the_scale: Scale | None = None
    if chosen["score"] is not None:
        the_scale = scale or scale_of_name(chosen["score"])
    elif scale is not None:
        raise UsageError(f"--scale {scale}: there is no score column; say which with --score COL")
    roles = FeedbackRoles(
        score=chosen["score"], scale=the_scale, text=chosen["text"], date=chosen["date"],
        customer=chosen["customer"], touchpoint=chosen["touchpoint"], stage=chosen["stage"],
        segment=chosen["segment"], outcome=chosen["outcome"], ratings=tuple(ratings or ()),
        scale_range=scale_range,
    )  # fmt: skip
    fb = _build(raw, roles, label, detected, strict=strict, date_format=date_format)
    fb.notes = [*raw.notes, *skipped]
    return fb


def _build(
    raw: Raw,
    roles: FeedbackRoles,
    label: str,
    detected: tuple[str, ...],
    *,
    strict: bool,
    date_format: str | None,
) -> Feedback:
    """Type every column, reject the rows that cannot be used, and say so."""
    import pyarrow as pa
    import pyarrow.compute as pc

    typed = _Typed(raw, dict(raw.bad))
    date_how = typed.columns(roles, date_format)
    columns = {c: typed.arrays[c] for c in raw.names}  # none when no record is an object
    table = pa.table({**columns, ROW: pa.array(raw.rows, pa.int64())})
    bad = typed.bad
    undated = {i: m for i, m in typed.undated.items() if i not in bad}
    if strict:  # with --strict an unreadable date is an error like any other
        for i, message in undated.items():
            bad[i] = ("a date that cannot be read", message)
        undated = {}
    rows_read = len(raw.rows)
    reasons: dict[str, int] = {}
    for reason, _ in (bad[i] for i in sorted(bad)):
        reasons[reason] = reasons.get(reason, 0) + 1
    picked = pick_examples((i, bad[i][0]) for i in bad)
    examples = [Problem(bad[i][1], label, raw.rows[i]) for i in picked]
    _refuse_unusable(label, rows_read, len(bad), reasons, examples, strict=strict)
    if bad:
        keep = pa.array([i not in bad for i in range(rows_read)], pa.bool_())
        table = table.filter(keep)
    if (
        roles.date is not None
        and date_how in ("ISO 8601", "day, month name and year")
        and not pc.any(pc.is_valid(table.column(roles.date))).as_py()
    ):
        date_how = None
    picked = pick_examples((i, "date") for i in undated)
    return Feedback(
        table=table, roles=roles, source=label, rows_read=rows_read, rejected=len(bad),
        examples=examples, reasons=reasons, date_parse=date_how, detected=detected,
        undated=len(undated),
        undated_examples=[Problem(undated[i], label, raw.rows[i]) for i in picked],
    )  # fmt: skip


def _refuse_unusable(
    label: str,
    rows_read: int,
    rejected: int,
    reasons: dict[str, int],
    examples: list[Problem],
    *,
    strict: bool,
) -> None:
    """Raise :class:`EvidenceError` when no row can be used, or, with ``strict``, any row
    cannot: the examples, the counts and what to do."""
    if strict and rejected:
        lines = [str(e) for e in examples]
        lines.append(
            f"{label}: {count(rejected)} of {rows(rows_read)} cannot be used ("
            + ", ".join(f"{rows(n)} with {r}" for r, n in reasons.items())
            + "); without --strict they are counted, reported and left out"
        )
        raise EvidenceError("\n".join(lines))
    if rejected == rows_read:
        detail = "".join(f"\n{e}" for e in examples[:2])
        raise EvidenceError(f"{label}: no usable rows ({rows(rows_read)} read){detail}")


@dataclass
class _Typed:
    """The columns of ``raw`` typed one by one (``arrays``), the rows found unusable on the
    way (``bad``: row index -> (reason, message); the first reason of a row stays) and the
    rows kept without their unreadable date (``undated``)."""

    raw: Raw
    bad: dict[int, tuple[str, str]]
    arrays: dict[str, pa.Array] = field(default_factory=dict)
    #: rows whose date cannot be read (row index -> message): kept, without a date
    undated: dict[int, str] = field(default_factory=dict)

    def reject(self, i: int, reason: str, message: str) -> None:
        self.bad.setdefault(i, (reason, message))

    def values(self, col: str) -> list[Any]:
        return self.raw.columns[self.raw.names.index(col)]

    def columns(self, roles: FeedbackRoles, date_format: str | None) -> str | None:
        """Type every column by its role (the others as their values say); how the dates
        were read."""
        import pyarrow as pa

        if roles.score is not None:
            scale = roles.scale or "rating"
            lo_hi = roles.scale_range or DEFAULT_RANGES[scale]
            shown = scale.upper() if scale != "rating" else "rating"
            self.numbers(roles.score, "score", lo_hi, shown)
        for col in roles.ratings:
            self.numbers(col, "rating", None, "rating")
        date_how = self.dates(roles.date, date_format) if roles.date is not None else None
        if roles.text is not None:
            verbatims = [_verbatim(v) for v in self.values(roles.text)]
            self.arrays[roles.text] = pa.array(verbatims, pa.string())
        for role in ("customer", "touchpoint", "stage", "segment"):
            col = getattr(roles, role)
            if col is not None and col not in self.arrays:
                self.arrays[col] = pa.array([_text(v) for v in self.values(col)], pa.string())
        if roles.outcome is not None and roles.outcome not in self.arrays:
            as_numbers = [_number(v) for v in self.values(roles.outcome)]
            if all(not isinstance(x, str) for x in as_numbers):
                self.arrays[roles.outcome] = pa.array(as_numbers, pa.float64())
        for col, values in zip(self.raw.names, self.raw.columns, strict=True):
            if col not in self.arrays:
                self.arrays[col] = _infer(col, values, self.raw.textual)
        return date_how

    def numbers(self, col: str, what: str, lo_hi: tuple[float, float] | None, scale: str) -> None:
        """A score or rating column as numbers; text and values outside the scale reject
        their rows."""
        import pyarrow as pa

        where = f'column "{col}"'
        out: list[float | None] = []
        for i, v in enumerate(self.values(col)):
            x = _number(v)
            if isinstance(x, str):
                message = f'{where}: cannot read "{x}" as a number'
                self.reject(i, f"a {what} that is not a number", message)
                x = None
            elif x is not None and lo_hi is not None and not lo_hi[0] <= x <= lo_hi[1]:
                outside = f"{where}: {x:g} is outside the {scale} scale {range_text(lo_hi)}"
                hint = "" if scale == "NPS" else " (say another with --range)"
                self.reject(i, f"a {what} outside the scale", outside + hint)
            elif x is not None and scale == "NPS" and not float(x).is_integer():
                whole = f"{where}: {x:g} is not a whole number; NPS answers are 0, 1, ..., 10"
                self.reject(i, f"a {what} that is not a whole number", whole)
            out.append(x)
        self.arrays[col] = pa.array(out, pa.float64())

    def dates(self, col: str, date_format: str | None) -> str:
        """The date column as timestamps; a date that cannot be read leaves its row without
        a date (``undated``). How the dates were read."""
        import pyarrow as pa

        values = self.values(col)
        sample = [v for v in values if v is not None and _text(v)][:_SAMPLE]
        parse, how = _date_reader(sample, date_format)
        expected = f"expected {how}"
        if how in ("ISO 8601", "day, month name and year"):
            expected = (
                "expected ISO 8601 like 2024-03-05 or 2024-03-05T14:30:00+01:00, a day, month "
                "name and year like 19th November 2023, or say --date-format"
            )
        parsed: list[datetime | None] = []
        for i, v in enumerate(values):
            shown = None if v is None else _text(v)
            if shown is not None and shown.lower() in _MISSING:
                shown = None
            when = None if shown is None else parse(v)
            if when is None and shown is not None:
                message = f'column "{col}": cannot read "{shown}" as a date ({expected})'
                self.undated.setdefault(i, message)
            parsed.append(when)
        self.arrays[col] = pa.array(parsed, pa.timestamp("us"))
        return how
