"""What the map reader refuses, and how it refuses it: located, before anything is expanded.

A map file is small and plain: the shipped templates are 25 KB, nest 7 levels deep and use
no YAML anchors or aliases. A hostile or broken file asks for much more, and this module
says no before the parser's tree is expanded or validated:

- a file larger than :attr:`MapLimits.max_bytes` is not parsed (nor, from disk, read whole);
- a file of more than :attr:`MapLimits.max_nodes` nodes is refused at the first one too many
  (ruamel's pure-Python parser spends 0.1-0.2 ms a node: the limit bounds the time);
- mappings and lists nested deeper than :attr:`MapLimits.max_depth` stop the scanner or the
  composer at the first level too many (before the recursive parts overflow the stack);
- aliases are counted as the composer meets them: each adds the number of nodes its anchor
  stands for, aliases inside it included, and past :attr:`MapLimits.max_alias_nodes` the file
  is refused ("billion laughs": nine nested levels of nine aliases are 365 bytes and 387
  million nodes); an alias to a node that contains it (a cycle) is refused too;
- a value the YAML constructor cannot build (``2024-02-30``, ``!!int two``) is reported at
  its node instead of escaping as a ``ValueError``;
- control characters other than tab and newline, unpaired surrogates and U+FFFE/U+FFFF are
  refused, whether written raw (the YAML reader's own rule) or through an escape such as
  ``"\\0"`` or ``"\\u001b"`` that would otherwise reach an SVG, an HTML page or a terminal.

Every refusal is a :class:`_Refused` carrying a 0-based mark; ``document`` turns it into a
:class:`~journeymap.errors.MapFileError` with FILE:LINE:COL.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.events import AliasEvent, MappingStartEvent, SequenceStartEvent
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode
from ruamel.yaml.scanner import RoundTripScanner

from journeymap.errors import UsageError

__all__ = ["ENV", "MapLimits", "parse_limits"]

_MIB = 1024 * 1024


@dataclass(frozen=True)
class MapLimits:
    """How much a map file may ask of the reader; every limit is checked before expansion.

    The defaults are far above what a real map needs (the shipped templates: 21-25 KB,
    1,100-1,400 nodes, 7 levels, no aliases) and below what hurts: the slowest file within
    them (a megabyte of comment lines, or 100,000 nodes) takes 10-25 s and under 200 MB on
    a busy two-core machine. Pass your own to :func:`~journeymap.formats.load` or ``loads``
    to raise or lower them; without, they read ``JOURNEYMAP_MAP_LIMITS``
    (:meth:`from_env`), which is how the command line raises them.
    """

    max_bytes: int = 1 * _MIB
    """Largest map file, in bytes of UTF-8."""
    max_nodes: int = 100_000
    """Most nodes written in the file: keys, values, mappings and lists."""
    max_depth: int = 100
    """Deepest nesting of mappings and lists; the top mapping is level 1. Past about 250,
    Python's stack runs out first, and the file is refused as nested too deeply to read."""
    max_alias_nodes: int = 10_000
    """Most nodes that aliases may add to the file, all aliases together."""

    @classmethod
    def from_env(cls) -> MapLimits:
        """The limits the environment variable ``JOURNEYMAP_MAP_LIMITS`` sets, the others
        their defaults: ``KEY=NUMBER`` pairs apart by commas or spaces, the keys the
        fields' names with or without ``max_`` (``bytes``, ``nodes``, ``depth``,
        ``alias_nodes``), the numbers whole, ``_`` allowed, with ``k``, ``M``, ``G``
        (thousands) or ``KiB``, ``MiB``, ``GiB`` (1,024s):
        ``JOURNEYMAP_MAP_LIMITS="bytes=8MiB, nodes=500k"``. Raises
        :class:`~journeymap.errors.UsageError` for a value it cannot read."""
        return parse_limits(os.environ.get(ENV, ""))


#: the environment variable that raises (or lowers) the map limits of every command
ENV = "JOURNEYMAP_MAP_LIMITS"
_UNITS = {
    "": 1, "k": 1000, "m": 1000**2, "g": 1000**3, "kib": 1024, "mib": 1024**2, "gib": 1024**3,
}  # fmt: skip
_LIMIT = re.compile(r"^\s*(?:max_)?(\w+?)\s*=\s*(\d[\d_]*)\s*([a-z]*)\s*$", re.IGNORECASE)


def parse_limits(spec: str) -> MapLimits:
    """:class:`MapLimits` from ``KEY=NUMBER`` pairs (see :meth:`MapLimits.from_env`)."""
    fields = {f.removeprefix("max_"): f for f in MapLimits.__dataclass_fields__}
    values: dict[str, int] = {}
    for part in filter(None, re.split(r"[,;\s]+(?=[A-Za-z_]+\s*=)|[,;]", spec.strip())):
        m = _LIMIT.match(part)
        unit = m.group(3).lower() if m else ""
        if m is None or m.group(1).lower() not in fields or unit not in _UNITS:
            raise UsageError(
                f"{ENV}: cannot read {part.strip()!r}; expected KEY=NUMBER pairs apart by "
                f"commas, KEY one of {', '.join(fields)} (with or without max_), NUMBER whole, "
                'with k, M, G or KiB, MiB, GiB (e.g. "bytes=8MiB, nodes=500k")'
            )
        number = int(m.group(2).replace("_", "")) * _UNITS[unit]
        if number < 1:
            raise UsageError(f"{ENV}: {part.strip()!r}: a limit is at least 1")
        values[fields[m.group(1).lower()]] = number
    return MapLimits(**values)


class _Refused(Exception):
    """A located refusal; ``line`` and ``column`` are 0-based, like ruamel's marks."""

    def __init__(self, message: str, line: int | None, column: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    @classmethod
    def at(cls, message: str, mark: Any) -> _Refused:
        if mark is None:
            return cls(message, None, None)
        return cls(message, int(mark.line), int(mark.column))


# ---- sizes ---------------------------------------------------------------------------------


def _size(n: int) -> str:
    if n >= _MIB and n % _MIB == 0:
        return f"{n // _MIB} MiB ({n:,} bytes)"
    return f"{n:,} bytes"


_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")


def line_col(text: str, pos: int) -> tuple[int, int]:
    """0-based line and column of ``text[pos]``, counting line breaks as YAML does."""
    line, start = 0, 0
    for m in _BREAK.finditer(text, 0, pos):
        line, start = line + 1, m.end()
    return line, pos - start


def check_size(data: bytes | str, limits: MapLimits) -> None:
    """Refuse text over ``max_bytes``, pointing at the first character past the limit."""
    limit = limits.max_bytes
    if isinstance(data, str):
        if len(data) <= limit // 4:  # even four bytes a character would fit
            return
        data = data.encode("utf-8", "surrogatepass")
    if len(data) <= limit:
        return
    head = data[:limit].decode("utf-8", "ignore")
    line, col = line_col(head, len(head))
    raise _Refused(
        f"the file is larger than {_size(limit)}; expected a map file of at most that size",
        line,
        col,
    )


# ---- characters ----------------------------------------------------------------------------

# fmt: off
_C0 = [
    "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF", "VT", "FF", "CR",
    "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB",
    "ESC", "FS", "GS", "RS", "US",
]
# fmt: on

# what the YAML reader refuses raw (YAML 1.2 c-printable: tab, line breaks, printable text)
_NOT_YAML = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# what a text value may not hold, however it was written: tab and newline are text
_NOT_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

_PRINTABLE = "printable text (tab and newline are fine)"


def describe_char(ch: str) -> str:
    cp = ord(ch)
    if cp < 0x20:
        return f"control character U+{cp:04X} ({_C0[cp]})"
    if cp == 0x7F:
        return "control character U+007F (DEL)"
    if 0x80 <= cp <= 0x9F:
        return f"control character U+{cp:04X}"
    if 0xD800 <= cp <= 0xDFFF:
        return f"unpaired surrogate U+{cp:04X}"
    return f"noncharacter U+{cp:04X}"


def check_characters(text: str) -> None:
    """Refuse a character the YAML reader would refuse, at its line and column."""
    m = _NOT_YAML.search(text)
    if m is not None:
        line, col = line_col(text, m.start())
        raise _Refused(f"{describe_char(m.group())} in the file; expected {_PRINTABLE}", line, col)


def bad_text(value: str | bytes) -> str | None:
    """What is wrong with a parsed text value, or None."""
    if isinstance(value, bytes):  # !!binary: pydantic would read it as UTF-8 text
        value = value.decode("utf-8", "replace")
    m = _NOT_TEXT.search(value)
    return None if m is None else f"{describe_char(m.group())}; expected {_PRINTABLE}"


# ---- the scanner and the composer: size, depth and aliases, counted as they are read -------


def _too_deep(limits: MapLimits, mark: Any) -> _Refused:
    return _Refused.at(
        f"nested too deeply: more than {limits.max_depth} levels of mappings and lists; "
        f"expected at most {limits.max_depth}",
        mark,
    )


class _Scanner(RoundTripScanner):
    """ruamel's scanner, stopping at a '[' or '{' nested too deeply.

    The scanner reads up to 1,024 characters ahead of the composer, and each token costs it
    a step per open bracket: without this, 1,000 brackets cost seconds before the
    composer's own depth check is reached.
    """

    def fetch_flow_collection_start(self, TokenClass: Any, to_push: Any) -> None:
        limits: MapLimits = self.loader.map_limits
        if len(self.indents) + len(self.flow_context) + 1 > limits.max_depth:
            raise _too_deep(limits, self.reader.get_mark())
        super().fetch_flow_collection_start(TokenClass, to_push)


class _Composer(Composer):
    """ruamel's composer, counting nesting and alias expansion as it goes."""

    def compose_document(self) -> Any:
        self.warn_double_anchors = False  # legal YAML: the later anchor wins
        self._levels = 0
        self._open: list[int] = []  # expanded size so far of each collection being composed
        self._sizes: dict[int, int] = {}  # id(anchored node) -> expanded size
        self._alias_nodes = 0
        self._nodes = 0
        return super().compose_document()

    def compose_node(self, parent: Any, index: Any) -> Any:
        limits: MapLimits = self.loader.map_limits
        event = self.parser.peek_event()
        if isinstance(event, AliasEvent):
            target = self.anchors.get(event.anchor)
            if target is not None:  # an undefined alias is ruamel's own error
                size = self._sizes.get(id(target))
                if size is None:
                    raise _Refused.at(
                        f"alias *{event.anchor} refers to a node that contains it (a cycle); "
                        "expected an alias to a node that ends before it",
                        event.start_mark,
                    )
                self._alias_nodes += size
                if self._alias_nodes > limits.max_alias_nodes:
                    raise _Refused.at(
                        f"aliases expand to more than {limits.max_alias_nodes:,} nodes "
                        f"(*{event.anchor} repeats {size:,}); expected aliases to add at most "
                        f"{limits.max_alias_nodes:,} nodes in all",
                        event.start_mark,
                    )
                if self._open:
                    self._open[-1] += size
            return super().compose_node(parent, index)
        self._nodes += 1
        if self._nodes > limits.max_nodes:
            raise _Refused.at(
                f"too many nodes: more than {limits.max_nodes:,} keys, values, mappings and "
                f"lists; expected a map of at most {limits.max_nodes:,}",
                event.start_mark,
            )
        collection = isinstance(event, MappingStartEvent | SequenceStartEvent)
        if collection:
            self._levels += 1
            if self._levels > limits.max_depth:
                raise _too_deep(limits, event.start_mark)
            self._open.append(0)
        node = super().compose_node(parent, index)
        size = 1
        if collection:
            self._levels -= 1
            size += self._open.pop()
        if event.anchor is not None:
            self._sizes[id(node)] = size
        if self._open:
            self._open[-1] += size
        return node


# ---- the constructor: a value it cannot build is located -----------------------------------

_KINDS: dict[str, tuple[str, str]] = {
    "int": ("an integer", "digits, such as 42"),
    "float": ("a number", "a number, such as 1.5"),
    "bool": ("true or false", "true or false"),
    "binary": ("base64 data", "base64 text"),
    "omap": ("an ordered mapping", "a list of one-key mappings, no key twice"),
    "pairs": ("pairs", "a list of one-key mappings"),
    "set": ("a set", "a mapping with no values"),
}


def _unreadable(node: Node, exc: BaseException) -> _Refused:
    tag = str(getattr(node, "tag", "") or "")
    kind = tag.rsplit(":", 1)[-1]
    reason = str(exc).split(";")[0].strip()
    if isinstance(node, ScalarNode):
        value = str(node.value)
        shown = (
            repr(value) if len(value) <= 40 else f"{value[:20]!r}... ({len(value):,} characters)"
        )
        if repr(value) in reason:
            reason = ""
    else:
        value = ""
        shown = "this mapping" if isinstance(node, MappingNode) else "this list"
    why = f" ({reason})" if reason else ""
    if kind == "timestamp":
        what = "date and time" if len(value) > 10 else "date"
        example = "YYYY-MM-DDTHH:MM:SS" if len(value) > 10 else "YYYY-MM-DD"
        message = f"invalid {what} {shown}{why}; expected a real {what}, {example}"
    else:
        noun, expected = _KINDS.get(kind, (f"a {tag} value", "a value of that type, or no tag"))
        message = f"cannot read {shown} as {noun}{why}; expected {expected}"
    return _Refused.at(message, node.start_mark)


def _guarded(steps: Iterator[Any], node: Node) -> Iterator[Any]:
    try:
        yield from steps
    except (MarkedYAMLError, _Refused, MemoryError):
        raise
    except Exception as exc:
        raise _unreadable(node, exc) from None


class _Constructor(RoundTripConstructor):
    """ruamel's round-trip constructor; a value it cannot build is refused at its node."""

    def construct_non_recursive_object(self, node: Any, tag: Any = None) -> Any:
        pending = len(self.state_generators)
        try:
            data = super().construct_non_recursive_object(node, tag)
        except (MarkedYAMLError, _Refused, MemoryError):
            raise
        except Exception as exc:
            raise _unreadable(node, exc) from None
        later = self.state_generators[pending:]
        if later:  # the rest of a mapping or list, built after this call returns
            self.state_generators[pending:] = [_guarded(g, node) for g in later]
        return data


class Loader(YAML):
    """A round-trip YAML reader that keeps to ``limits``."""

    def __init__(self, limits: MapLimits) -> None:
        super().__init__(typ="rt")
        self.map_limits = limits
        self.Scanner = _Scanner
        self.Composer = _Composer
        self.Constructor = _Constructor


def walk_text(tree: Any) -> Iterator[tuple[tuple[Any, ...], bool, str]]:
    """(path, is_key, problem) for every key and text value that holds what text may not.

    Each mapping and list is visited once, however many aliases point at it.
    """
    seen: set[int] = set()
    stack: list[tuple[Any, tuple[Any, ...]]] = [(tree, ())]
    while stack:
        node, loc = stack.pop()
        if isinstance(node, Mapping | list):
            if id(node) in seen:
                continue
            seen.add(id(node))
        if isinstance(node, Mapping):
            for key, value in reversed(list(node.items())):
                stack.append((value, (*loc, key)))
            for key in node:
                problem = bad_text(key) if isinstance(key, str | bytes) else None
                if problem:
                    yield (*loc, key), True, problem
        elif isinstance(node, list):
            stack.extend((v, (*loc, i)) for i, v in reversed(list(enumerate(node))))
        elif isinstance(node, str | bytes):
            problem = bad_text(node)
            if problem:
                yield loc, False, problem
