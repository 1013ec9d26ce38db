"""YAML syntax errors in plain words, with a hint and the line shown.

The YAML parser reports what its grammar expected ("expected <block end>, but found
'<block mapping start>'"), often on the line after the mistake. For the mistakes people make
when they edit a map by hand, :func:`explain` names the mistake, the line and column where it
is, and how to fix it:

- a line indented more or less than the lines around it;
- a tab (YAML indents with spaces only);
- a key without its ``:``, or ``key:value`` without the space;
- ``-item`` without the space after the dash;
- a quote or a ``[`` / ``{`` that is never closed;
- ``key: value: value`` (a ``": "`` inside a value that is not quoted);
- a key written twice in the same mapping.

Any other syntax error keeps the parser's words, with a general hint. :func:`excerpt` draws
the offending line with a caret under the column. Line and column are 0-based here, like the
parser's marks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError

__all__ = ["Explained", "excerpt", "explain", "general_hint"]

_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")
_DUPLICATE = re.compile(r'found duplicate key "(.*)" with value')
#: ``key:value`` with no space after the colon (and no ": " anywhere on the line)
_NO_SPACE = re.compile(r"^\s*(?:-\s+)?[^\s:#'\"\[{][^:#]*:(?=[^\s:/])")
_DASH = re.compile(r"^\s*-(?=[^\s\-])")
#: the widest excerpt line shown; a longer line is cut around the column
_WIDTH = 100


@dataclass(frozen=True)
class Explained:
    """A syntax error in plain words: the message (with its hint) and where it is."""

    message: str
    line: int
    column: int


def general_hint() -> str:
    return (
        "hint: check this line and the one before it: the indentation (spaces, not tabs), "
        "the ': ' after each key, the '- ' before each list item, and closing quotes and "
        "brackets"
    )


def excerpt(text: str, line: int, column: int) -> str | None:
    """The line at ``line`` (0-based), numbered, with a caret under ``column``; tabs are
    shown as ``→`` so that the caret stays under its character."""
    lines = _BREAK.split(text)
    if not 0 <= line < len(lines):
        return None
    shown = lines[line].replace("\t", "→")
    column = max(0, min(column, len(shown)))
    start = 0
    if len(shown) > _WIDTH:  # a long line: the part around the column
        start = max(0, min(column - _WIDTH // 2, len(shown) - _WIDTH))
        shown = ("…" if start else "") + shown[start : start + _WIDTH] + "…"
        column = column - start + (1 if start else 0)
    number = str(line + 1)
    pad = " " * len(number)
    return f"  {number} | {shown.rstrip()}\n  {pad} | {' ' * column}^"


# ---- reading a line the way YAML does, roughly ---------------------------------------------


def _value_start(line: str, i: int) -> bool:
    """Whether a quote or bracket at ``i`` starts a value (not inside plain text: don't)."""
    before = line[:i].rstrip()
    return before == "" or before.endswith((":", "-", "[", "{", ",", "?"))


@dataclass(frozen=True)
class _Scan:
    open_quote: int | None  # column of a quote never closed on this line
    open_flow: int | None  # column of the first '[' or '{' never closed on this line
    colons: tuple[int, ...]  # columns of ': ' (or ':' at the end) outside quotes and brackets


def _scan(line: str) -> _Scan:
    quote: str | None = None
    quote_at = 0
    flows: list[int] = []
    colons: list[int] = []
    i = 0
    while i < len(line):
        ch = line[i]
        if quote == '"':
            if ch == "\\":
                i += 1
            elif ch == '"':
                quote = None
        elif quote == "'":
            if ch == "'" and line[i + 1 : i + 2] == "'":
                i += 1
            elif ch == "'":
                quote = None
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            break
        elif ch in "'\"" and _value_start(line, i):
            quote, quote_at = ch, i
        elif ch in "[{" and _value_start(line, i):
            flows.append(i)
        elif ch in "]}" and flows:
            flows.pop()
        elif ch == ":" and not flows and line[i + 1 : i + 2] in ("", " ", "\t"):
            colons.append(i)
        i += 1
    return _Scan(quote_at if quote else None, flows[0] if flows else None, tuple(colons))


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _key_column(line: str) -> int:
    """Where the key of a line starts: after its indentation and any ``- ``."""
    m = re.match(r"^(\s*(?:-\s+)*)", line)
    return len(m.group(1)) if m else 0


def _meaningful(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _previous(lines: list[str], line: int) -> int | None:
    for i in range(min(line, len(lines)) - 1, -1, -1):
        if _meaningful(lines[i]):
            return i
    return None


def _line_of(lines: list[str], n: int) -> str:
    return lines[n] if 0 <= n < len(lines) else ""


# ---- the mistakes ---------------------------------------------------------------------------


def _unclosed_quote(lines: list[str], line: int, column: int) -> Explained:
    quote = _line_of(lines, line)[column : column + 1] or '"'
    inner = "''" if quote == "'" else '\\"'
    return Explained(
        f"this quoted text is never closed (hint: end it with {quote} on the same line; a "
        f"{quote} inside it is written {inner}, or quote the text with the other kind of quote)",
        line,
        column,
    )


def _unclosed_flow(lines: list[str], line: int, column: int) -> Explained:
    bracket = _line_of(lines, line)[column : column + 1] or "["
    if bracket == "[":
        what, close, lines_form = "list", "]", "one item a line, each after '- '"
    else:
        what, close, lines_form = "mapping", "}", "one 'key: value' a line"
    return Explained(
        f"this {what} opened with '{bracket}' is never closed (hint: close it with '{close}' "
        f"and separate its items with ', ', or write it {lines_form})",
        line,
        column,
    )


def _find_open(lines: list[str], first: int, last: int) -> Explained | None:
    """An unclosed quote or bracket on a line from ``first`` to ``last`` (the last one)."""
    for n in range(min(last, len(lines) - 1), max(first, 0) - 1, -1):
        scan = _scan(lines[n])
        if scan.open_quote is not None:
            return _unclosed_quote(lines, n, scan.open_quote)
        if scan.open_flow is not None:
            return _unclosed_flow(lines, n, scan.open_flow)
    return None


def _indentation(lines: list[str], line: int) -> Explained:
    text = _line_of(lines, line)
    prev = _previous(lines, line)
    column = _indent(text)
    if text.lstrip().startswith("- ") or text.strip() == "-":
        hint = (
            "a list item '- ' stands under the key that holds the list, indented by the "
            "same number of spaces as the other items"
        )
    elif prev is None:
        hint = "keys of the top level start in column 1"
    else:
        before = lines[prev]
        hint = (
            f"line {prev + 1} starts its key in column {_key_column(before) + 1}; the keys of "
            "one mapping start in the same column, and a value on a line of its own is "
            "indented more than its key"
        )
    return Explained(
        f"the indentation of this line does not match the lines around it (hint: {hint})",
        line,
        column,
    )


def _duplicate(exc: MarkedYAMLError, lines: list[str]) -> Explained | None:
    mark = exc.problem_mark
    found = _DUPLICATE.search(exc.problem or "")
    if mark is None or found is None:
        return None
    key = found.group(1)
    first = None
    start = exc.context_mark.line if exc.context_mark is not None else 0
    for n in range(start, mark.line):
        at = _line_of(lines, n)
        if _key_column(at) == mark.column and re.match(
            rf"^\s*(?:-\s+)*['\"]?{re.escape(key)}['\"]?\s*:", at
        ):
            first = n
            break
    where = f", first on line {first + 1}" if first is not None else ""
    return Explained(
        f"the key {key!r} is written twice in the same mapping{where} (hint: keep one of "
        "them; for several values, write one key with a list under it)",
        mark.line,
        mark.column,
    )


def _mapping_values(lines: list[str], line: int, column: int) -> Explained:
    """ "mapping values are not allowed here": a ': ' where the parser wanted none."""
    text = _line_of(lines, line)
    scan = _scan(text)
    earlier = [c for c in scan.colons if c < column]
    if earlier and scan.open_quote is None:
        key = text[: earlier[0]].strip().lstrip("-").strip()
        value = text[earlier[0] + 1 :].split(" #")[0].strip().replace('"', '\\"')
        return Explained(
            f"a second ': ' in the value of {key!r} reads as another key (hint: put the value "
            f'in quotes: {key}: "{value}")',
            line,
            column,
        )
    prev = _previous(lines, line)
    if prev is not None:
        before = lines[prev]
        dash = _DASH.match(before)
        if dash is not None:
            return Explained(
                "a list item needs a space after its '-' (hint: write '- name: ...', "
                "not '-name: ...')",
                prev,
                dash.end() - 1,
            )
        no_space = _NO_SPACE.match(before)
        if no_space is not None and not _scan(before).colons:
            return Explained(
                "the ':' after this key has no space after it, so the line reads as one word "
                "(hint: write 'key: value', with a space after the colon)",
                prev,
                no_space.end() - 1,
            )
        found = _find_open(lines, prev, prev)
        if found is not None:
            return found
    return _indentation(lines, line)


def explain(exc: MarkedYAMLError, text: str) -> Explained | None:
    """The mistake behind a YAML syntax error, or ``None`` when it is not a common one."""
    lines = _BREAK.split(text)
    problem = exc.problem or ""
    context = exc.context or ""
    pm: Any = exc.problem_mark
    cm: Any = exc.context_mark
    if isinstance(exc, DuplicateKeyError):
        return _duplicate(exc, lines)
    if pm is None:
        return None
    line, column = int(pm.line), int(pm.column)
    if "'\\t'" in problem:
        return Explained(
            "a tab character: YAML indents and separates with spaces only (hint: replace the "
            "tab with spaces; most editors have a setting that types spaces for the Tab key)",
            line,
            column,
        )
    if "quoted scalar" in context and cm is not None:
        return _unclosed_quote(lines, int(cm.line), int(cm.column))
    if ("flow sequence" in context or "flow mapping" in context) and cm is not None:
        # a block key (':') or the end of the file inside the brackets: they were not closed
        unclosed = "but got ':'" in problem or "<stream end>" in problem
        if "expected ','" in problem and not unclosed:  # JSON, or [a b]: nothing between two
            return Explained(
                "a ',' is missing before this item (hint: separate the items of a list or "
                "mapping in brackets with ', ')",
                line,
                column,
            )
        return _unclosed_flow(lines, int(cm.line), int(cm.column))
    if "could not find expected ':'" in problem and cm is not None:
        return Explained(
            "this key has no ':' after it (hint: write 'key: value', a colon and a space "
            "after the key; a list item starts with '- ')",
            int(cm.line),
            int(cm.column),
        )
    if "<stream end>" in problem or "end of stream" in problem:
        return _find_open(lines, 0, line)
    if "mapping values are not allowed" in problem:
        return _mapping_values(lines, line, column)
    if (
        "expected <block end>" in problem
        or "did not find expected key" in problem
        or "did not find expected '-'" in problem
    ):
        start = int(cm.line) if cm is not None else 0
        return _find_open(lines, start, line - 1) or _indentation(lines, line)
    return None
