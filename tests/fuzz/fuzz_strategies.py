"""Hypothesis strategies for the files journeymap reads: map files, event logs (CSV, JSON
Lines, XES) and feedback files, valid and broken.

Each strategy draws a :class:`Sample`: the file's bytes, its name, and what a reader that
succeeds must report (the records it holds, when they can be told), or where an error must
point (the line of a broken record). Broken files are made from valid ones by the mistakes
people and tools make: a line with a field too many, a quote never closed, a broken JSON
line, a byte that is not UTF-8, a byte-order mark, CRLF line ends, a cut-off tail, control
characters, YAML aliases, deep nesting.

Shared by the modules of ``tests/fuzz`` (their ``conftest`` puts this folder on the path).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from xml.sax.saxutils import quoteattr

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

__all__ = [
    "FUZZ",
    "Sample",
    "event_csv",
    "event_jsonl",
    "event_xes",
    "feedback_files",
    "map_texts",
    "ordered_maps_with_comments",
]

#: every fuzz test: repeatable in CI (derandomize), nothing stored between runs, bounded
FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=timedelta(seconds=10),  # one example; far above what any takes (< 0.5 s)
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=False,
)


@dataclass(frozen=True)
class Sample:
    """A file to read and what reading it must give."""

    name: str
    data: bytes
    #: the records the file holds when a reader succeeds (None: cannot be told in advance)
    records: int | None = None
    #: the line an error must name (a broken record), when there is one
    error_line: int | None = None
    #: how the file was made (for the failure report)
    how: str = "valid"


# ---- values ----------------------------------------------------------------------------------

#: text as it comes in exports: letters, accents, digits, punctuation, CSV and YAML specials,
#: a formula, markup, a tab, line breaks, non-ASCII digits, emoji
_ALPHABET = st.sampled_from([
    *"abcxyzABC019", " ", ",", ";", "|", '"', "'", ":", "#", "-", "=", "@", "[", "]", "{",
    "}", "&", "*", "!", "%", "\t", "\n", "\r", "é", "ß", "—", "٩", "😀", "\\",
])  # fmt: skip
TEXT = st.text(alphabet=_ALPHABET, max_size=12)

TIMES = st.one_of(
    st.sampled_from([
        "2024-01-05T10:00:00Z", "2024-02-29 23:59:59", "2024-03-10T01:30:00+05:30",
        "2015-02-24 11:35:52 -0800", "1700000000", "1700000000123", "20240105",
        "2024-02-30", "25:61", "soon", "", "n/a", "2024-05-01 11:00 PST", "99999999999999999999",
    ]),
    TEXT,
)  # fmt: skip

SCORES = st.one_of(
    st.integers(-3, 13).map(str),
    st.sampled_from(["9.5", "٩", "", "n/a", "ten", "1e1", "-0", " 7 ", "NaN", "inf"]),
    TEXT,
)


def _csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    """Valid CSV: a field with the delimiter, a quote or a line break (``\r`` too, which
    Python's csv writer leaves bare) in quotes, quotes doubled."""

    def field(value: str) -> str:
        if any(c in value for c in (delimiter, '"', "\n", "\r")):
            return '"' + value.replace('"', '""') + '"'
        return value

    return "".join(delimiter.join(field(v) for v in row) + "\n" for row in rows)


def _first_wrong_record(text: str, delimiter: str) -> int | None:
    """The line where the first record with another number of fields than the header
    starts (blank lines are lines, not records)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header, before = None, 0
    for record in reader:
        if record:
            if header is None:
                header = len(record)
            elif len(record) != header:
                return before + 1
        before = reader.line_num
    return None


def _records_of(text: str, delimiter: str) -> list[list[str]]:
    """The records of CSV text as Python's csv module splits it (the oracle of the count:
    a record of only empty fields on a line of its own is a blank line, not a row)."""
    return [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) if r]


# ---- mistakes --------------------------------------------------------------------------------


@st.composite
def _broken(draw: st.DrawFn, text: str, *, lines_from: int = 2) -> tuple[bytes, str]:
    """``text`` with one mistake of a careless tool or person, as bytes; and which."""
    how = draw(
        st.sampled_from(
            ["bom", "crlf", "latin-1 byte", "cut", "nul", "garbage line", "utf-16", "cr only"]
        )
    )
    data = text.encode("utf-8")
    if how == "bom":
        return b"\xef\xbb\xbf" + data, how
    if how == "crlf":
        return text.replace("\r\n", "\n").replace("\n", "\r\n").encode(), how
    if how == "cr only":
        return text.replace("\r\n", "\n").replace("\n", "\r").encode(), how
    if how == "utf-16":
        return "\ufeff".encode("utf-16-le") + text.encode("utf-16-le"), how
    at = draw(st.integers(0, len(data)))
    if how == "latin-1 byte":
        return data[:at] + b"\xe9" + data[at:], how
    if how == "cut":
        return data[:at], how
    if how == "nul":
        return data[:at] + b"\x00" + data[at:], how
    lines = text.splitlines(keepends=True)
    where = draw(st.integers(min(lines_from - 1, len(lines)), len(lines)))
    junk = draw(st.sampled_from(['"unclosed,quote\n', "{]\n", "\x1b[2J\n", ",,,,,,,,\n", "\n\n"]))
    return "".join([*lines[:where], junk, *lines[where:]]).encode(), how


# ---- event logs ------------------------------------------------------------------------------

_EVENT_HEADERS = (
    ["user_id", "event", "timestamp"],
    ["case:concept:name", "concept:name", "time:timestamp", "org:resource"],
    ["customer_id", "event_name", "date", "session_id", "value"],
)


@st.composite
def event_csv(draw: st.DrawFn) -> Sample:
    """An event log as CSV: valid (every record counted), with a record of the wrong
    number of fields (an error at its line), or with another mistake."""
    header = draw(st.sampled_from(_EVENT_HEADERS))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    n = draw(st.integers(1, 12))
    rows = [
        [
            draw(st.one_of(st.sampled_from(["u1", "u2", "", " u3 "]), TEXT)),
            draw(st.one_of(st.sampled_from(["view", "cart", "buy"]), TEXT)),
            draw(TIMES),
            *[draw(st.one_of(st.just("1.5"), TEXT)) for _ in header[3:]],
        ]
        for _ in range(n)
    ]
    text = _csv_text([header, *rows], delimiter)
    kind = draw(st.sampled_from(["valid", "valid", "wrong fields", "broken"]))
    if kind == "valid":
        return Sample("log.csv", text.encode(), len(_records_of(text, delimiter)) - 1)
    if kind == "wrong fields":  # an error at the line where that record starts
        at = draw(st.integers(0, n - 1))
        rows[at] = [*rows[at], "extra"]
        text = _csv_text([header, *rows], delimiter)
        line = _first_wrong_record(text, delimiter)
        return Sample("log.csv", text.encode(), error_line=line, how="wrong fields")
    data, how = draw(_broken(text))
    return Sample("log.csv", data, how=how)


def _event_object(draw: st.DrawFn) -> dict[str, Any]:
    value = st.one_of(TEXT, st.integers(-(2**63), 2**63), st.floats(), st.none(), st.booleans())
    obj: dict[str, Any] = {
        "user_id": draw(st.one_of(st.sampled_from(["u1", "u2"]), value)),
        "event": draw(st.one_of(st.sampled_from(["view", "buy"]), value)),
        "timestamp": draw(st.one_of(TIMES, value)),
    }
    if draw(st.booleans()):
        obj["extra"] = draw(st.one_of(value, st.lists(value, max_size=2), st.just({"a": 1})))
    return obj


@st.composite
def event_jsonl(draw: st.DrawFn) -> Sample:
    """An event log as JSON Lines: valid (every non-blank line a record), with one broken
    or non-object line (an error naming that line), or with another mistake."""
    n = draw(st.integers(1, 10))
    lines = [json.dumps(_event_object(draw), allow_nan=True) for _ in range(n)]
    for _ in range(draw(st.integers(0, 2))):  # blank lines are lines, not records
        lines.insert(draw(st.integers(0, len(lines))), draw(st.sampled_from(["", "  "])))
    kind = draw(st.sampled_from(["valid", "valid", "bad line", "broken"]))
    if kind == "valid":
        return Sample("log.jsonl", ("\n".join(lines) + "\n").encode(), n)
    if kind == "bad line":
        bad = draw(st.sampled_from(['{"user_id": "u1"', "[1, 2]", "42", '"text"', "{oops}"]))
        first = next(i for i, line in enumerate(lines) if line.strip())
        # a file that starts with "[" is one JSON array: not a line of JSON Lines
        at = draw(st.integers(first + 1 if bad.startswith("[") else 0, len(lines)))
        lines.insert(at, bad)
        return Sample("log.jsonl", ("\n".join(lines) + "\n").encode(), error_line=at + 1,
                      how=f"bad line {bad!r}")  # fmt: skip
    data, how = draw(_broken("\n".join(lines) + "\n", lines_from=1))
    return Sample("log.jsonl", data, how=how)


@st.composite
def event_xes(draw: st.DrawFn) -> Sample:
    """An event log as XES: valid (every event a record) or broken (bad XML, an entity
    bomb, a cut-off file)."""
    traces = []
    events = 0
    for t in range(draw(st.integers(1, 4))):
        body = []
        for _ in range(draw(st.integers(0, 4))):
            events += 1
            name, when = draw(TEXT), draw(TIMES)
            body.append(
                "<event>"
                f'<string key="concept:name" value={quoteattr(name)}/>'
                f'<date key="time:timestamp" value={quoteattr(when)}/>'
                "</event>"
            )
        traces.append(f'<trace><string key="concept:name" value="c{t}"/>{"".join(body)}</trace>')
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1.0">\n'
        + "\n".join(traces)
        + "\n</log>\n"
    )
    kind = draw(st.sampled_from(["valid", "valid", "broken", "entities"]))
    if kind == "valid":
        return Sample("log.xes", text.encode(), events)
    if kind == "entities":
        bomb = (
            '<?xml version="1.0"?>\n<!DOCTYPE log [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>\n'
            '<log><trace><string key="concept:name" value="&c;"/></trace></log>\n'
        )
        return Sample("log.xes", bomb.encode(), how="entities")
    data, how = draw(_broken(text))
    return Sample("log.xes", data, how=how)


# ---- feedback --------------------------------------------------------------------------------

_FEEDBACK_HEADERS = (
    ["respondent_id", "nps", "comment"],
    ["customer_id", "date", "csat", "review", "segment"],
    ["user_id", "submitted_at", "rating", "text", "touchpoint"],
)


@st.composite
def feedback_files(draw: st.DrawFn) -> Sample:
    """A feedback file as CSV or JSON Lines: valid (every record counted, bad values
    rejected or undated), or with a mistake."""
    header = draw(st.sampled_from(_FEEDBACK_HEADERS))
    n = draw(st.integers(1, 12))
    rows: list[list[str]] = []
    for i in range(n):
        row = [f"r{i}"]
        for column in header[1:]:
            if column in ("date", "submitted_at"):
                row.append(draw(TIMES))
            elif column in ("nps", "csat", "rating"):
                row.append(draw(SCORES))
            else:
                row.append(draw(TEXT))
        rows.append(row)
    if draw(st.booleans()):
        lines = []
        for row in rows:
            obj: dict[str, Any] = dict(zip(header, row, strict=True))
            if draw(st.booleans()):  # a number as a JSON number, where it is one
                obj = {k: _as_number(v) for k, v in obj.items()}
            lines.append(json.dumps(obj))
        kind = draw(st.sampled_from(["valid", "bad line", "broken"]))
        if kind == "bad line":  # a feedback reader rejects and counts it
            at = draw(st.integers(0, len(lines)))
            lines.insert(at, draw(st.sampled_from(['{"nps": 3', "[1]", "7", "{x}"])))
            return Sample("answers.jsonl", ("\n".join(lines) + "\n").encode(), n + 1,
                          how="bad line")  # fmt: skip
        text = "\n".join(lines) + "\n"
        if kind == "valid":
            return Sample("answers.jsonl", text.encode(), n)
        data, how = draw(_broken(text, lines_from=1))
        return Sample("answers.jsonl", data, how=how)
    delimiter = draw(st.sampled_from([",", ";", "|"]))
    text = _csv_text([header, *rows], delimiter)
    kind = draw(st.sampled_from(["valid", "valid", "broken"]))
    if kind == "valid":
        return Sample("answers.csv", text.encode(), len(_records_of(text, delimiter)) - 1)
    data, how = draw(_broken(text))
    return Sample("answers.csv", data, how=how)


def _as_number(value: str) -> Any:
    try:
        return int(value) if value.strip().lstrip("-").isascii() and value.strip() else value
    except ValueError:
        return value


# ---- map files -------------------------------------------------------------------------------

_EMOTIONS = st.one_of(
    st.sampled_from(["Happy", "Frustrated", "Interested", "Delighted", "Angry", "Confused"]),
    st.integers(-4, 4),
    st.sampled_from([True, None, "", 2.5, "Elated"]),
)


def _yaml_text(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML string


@st.composite
def _valid_map(draw: st.DrawFn) -> str:
    lines = [f"title: {_yaml_text(draw(TEXT) or 'Map')}"]
    if draw(st.booleans()):
        lines.append(f"persona:\n  name: {_yaml_text(draw(TEXT) or 'Amber')}")
    lines.append("stages:")
    for s in range(draw(st.integers(1, 3))):
        lines.append(f"  - name: {_yaml_text(draw(TEXT) + f' s{s}')}")
        tps = draw(st.integers(0, 3))
        if tps:
            lines.append("    touchpoints:")
        for t in range(tps):
            lines.append(f"      - name: {_yaml_text(draw(TEXT) + f' t{s}{t}')}")
            emotion = draw(_EMOTIONS)
            if emotion is not None:
                lines.append(f"        actual_emotion: {json.dumps(emotion)}")
            if draw(st.booleans()):
                lines.append(f"        channel: {draw(st.sampled_from(['web', 'app', 'fax']))}")
    return "\n".join(lines) + "\n"


_MAP_MISTAKES = (
    "  - oops: [\n",
    "title: again\n",
    "stages: 3\n",
    "a: &a [x, x]\nb: [*a, *a, *a]\n",
    "x: *undefined\n",
    "notes: " + "[" * 150 + "]" * 150 + "\n",
    "\tname: tab\n",
    "updated: 2024-02-30\n",
    "n: !!python/object:os.system ls\n",
    "'unclosed: \n",
    'k: "\\x1b[2J"\n',
    "? [a, b]\n: c\n",
    "<<: {title: merged}\n",
    "big: " + "9" * 5000 + "\n",
)


@st.composite
def map_texts(draw: st.DrawFn) -> tuple[bytes, str]:
    """A map file's bytes: valid YAML of a map (values that may not validate), the same
    with a YAML mistake inserted, or with a byte-level mistake; and how it was made."""
    text = draw(_valid_map())
    kind = draw(st.sampled_from(["valid", "yaml mistake", "broken"]))
    if kind == "valid":
        return text.encode(), kind
    if kind == "yaml mistake":
        lines = text.splitlines(keepends=True)
        at = draw(st.integers(0, len(lines)))
        mistake = draw(st.sampled_from(_MAP_MISTAKES))
        return "".join([*lines[:at], mistake, *lines[at:]]).encode(), f"{kind} {mistake!r}"
    data, how = draw(_broken(text, lines_from=1))
    return data, how


# ---- maps whose keys fmt reorders ------------------------------------------------------------


@st.composite
def ordered_maps_with_comments(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    """A map whose mappings have their keys in a random order and a comment line above
    every key but the first of its mapping; and, by comment, the key line it stands above
    (what ``fmt`` must keep: each comment directly above its key)."""
    counter = iter(range(10_000))
    above: dict[str, str] = {}

    def block(pairs: list[tuple[str, str | None]], indent: int, first_prefix: str) -> list[str]:
        order = draw(st.permutations(pairs))
        out = []
        for i, (key, value) in enumerate(order):
            pad = " " * indent
            line = f"{key}: {value}" if value is not None else f"{key}:"
            if i == 0:
                out.append(pad[: indent - len(first_prefix)] + first_prefix + line)
                continue
            comment = f"# c{next(counter)}"
            above[comment] = line
            out.append(pad + comment)
            out.append(pad + line)
        return out

    lines = ["stages:"]
    for s in range(draw(st.integers(1, 2))):
        tps = []
        for t in range(draw(st.integers(1, 2))):
            tp = [("id", f"t{s}{t}"), ("name", f"T{s}{t}"), ("channel", "web"),
                  ("actual_emotion", "Happy")]  # fmt: skip
            tps.append(block(tp, 8, "- "))
        stage: list[tuple[str, str | None]] = [
            ("id", f"s{s}"), ("name", f"S{s}"), ("customer_goal", "buy"), ("touchpoints", None),
        ]  # fmt: skip
        stage_lines = block(stage, 4, "- ")
        at = next(i for i, line in enumerate(stage_lines) if line.strip().endswith("touchpoints:"))
        stage_lines[at + 1 : at + 1] = [line for tp in tps for line in tp]
        lines += stage_lines
    top = draw(st.permutations(["title: Fuzz", "id: fuzz", "objective: a map"]))
    groups: list[list[str]] = [[top[0]]]
    for line in top[1:]:
        comment = f"# c{next(counter)}"
        above[comment] = line
        groups.append([comment, line])
    groups.insert(draw(st.integers(1, len(groups))), lines)  # stages anywhere but first
    text = "\n".join(line for group in groups for line in group) + "\n"
    return text, above
