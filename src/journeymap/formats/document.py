"""Map files: YAML (round-trip, comments kept) and JSON, with FILE:LINE:COL errors.

YAML is the source of truth a team keeps in git. Loading keeps the parsed YAML tree beside
the model; saving merges the model back into that tree, so comments, key order, quoting and
formatting of untouched parts survive and an unchanged map saves byte-identical. JSON files
are read with the same parser (JSON is YAML), which gives JSON errors their line and column
too, and are written as plain indented JSON.
"""

from __future__ import annotations

import codecs
import datetime as dt
import difflib
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.parser import ParserError
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarfloat import ScalarFloat
from ruamel.yaml.scalarstring import LiteralScalarString
from ruamel.yaml.scanner import ScannerError

from journeymap._atomic import atomic_write_text
from journeymap.errors import MapFileError, Problem
from journeymap.formats import _guard, _yaml_errors
from journeymap.formats._comments import Comments
from journeymap.formats._guard import MapLimits
from journeymap.model.base import Identified, slugify
from journeymap.model.checks import Loc, check_map
from journeymap.model.journey import JourneyMap

__all__ = [
    "MapFormat",
    "MapLimits",
    "dumps",
    "format_file",
    "format_of",
    "format_text",
    "load",
    "loads",
    "locate",
    "pin_ids",
    "read_text",
    "save",
]

MapFormat = Literal["yaml", "json"]


def format_of(path: str | Path) -> MapFormat:
    suffix = Path(path).suffix.lower()
    return "json" if suffix == ".json" else "yaml"


class _Representer(RoundTripRepresenter):
    """ruamel's round-trip representer, except that a float never changes its value.

    ruamel re-emits a loaded float from its remembered width and precision, which for long
    values in exponent notation changes the last digit (5.960464477539063e-08 came back as
    ...062e-08). We keep ruamel's formatting for numbers as people write them, and write
    Python's shortest exact repr() for long machine-written ones or whenever ruamel's text
    would not read back as the same value.
    """

    def represent_scalar_float(self, data: Any) -> Any:
        node = super().represent_scalar_float(data)
        text = str(node.value).replace("_", "")
        try:
            exact = float(text) == float(data)
        except ValueError:  # .inf, .nan and friends
            exact = True
        digits = sum(c.isdigit() for c in text.lower().split("e")[0])
        if not exact or digits >= 15:
            node = self.represent_scalar("tag:yaml.org,2002:float", repr(float(data)))
        return node


_Representer.add_representer(ScalarFloat, _Representer.represent_scalar_float)


def _yaml(y: YAML | None = None) -> YAML:
    y = YAML(typ="rt") if y is None else y
    y.Representer = _Representer
    y.preserve_quotes = True
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 4096
    return y


# ---- locating problems ---------------------------------------------------------------------


def _key_position(node: CommentedMap, key: str, *, on_key: bool) -> tuple[int, int] | None:
    """0-based position of ``key`` (or its value) in ``node``, or in the mapping it was
    merged from (``<<: *anchor``); None when ruamel did not record one."""
    seen: set[int] = set()
    todo = [node]
    while todo:
        m = todo.pop(0)
        if id(m) in seen:
            continue
        seen.add(id(m))
        if key in m.lc.data:
            line, col = m.lc.key(key) if on_key else m.lc.value(key)
            return int(line), int(col)
        todo += [s for s in getattr(m, "merge", None) or [] if isinstance(s, CommentedMap)]
    return None


def _position(tree: Any, loc: Loc, *, on_key: bool) -> tuple[int, int] | None:
    """1-based line and column of the value at ``loc`` in the parsed tree (or its key)."""
    node = tree
    best: tuple[int, int] | None = None
    if isinstance(tree, CommentedMap | CommentedSeq):
        best = (tree.lc.line + 1, tree.lc.col + 1)
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, CommentedMap) and isinstance(part, str) and part in node:
            at = _key_position(node, part, on_key=last and on_key)
            if at is not None:
                best = (at[0] + 1, at[1] + 1)
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            line, col = node.lc.item(part)
            best = (line + 1, col + 1)
            node = node[part]
        else:
            break
    return best


def _clean_loc(tree: Any, loc: tuple[str | int, ...]) -> Loc:
    """Drop pydantic's union-member markers (``'str'``, ``'int'``) that are not keys."""
    out: list[str | int] = []
    node = tree
    for part in loc:
        in_map = isinstance(node, Mapping) and part in node
        in_seq = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_map or in_seq:
            out.append(part)
            node = node[part]
        elif isinstance(node, Mapping) and isinstance(part, str) and out[-1:] != [part]:
            # a key that is missing or unknown: keep it for the message, stop descending
            out.append(part)
            node = None
        else:
            break
    return tuple(out)


def _allowed_keys(model: type[BaseModel]) -> list[str]:
    return [f.alias or name for name, f in model.model_fields.items()]


def _model_at(loc: Loc) -> type[BaseModel] | None:
    """The domain class that lives at ``loc`` in a map file (to list its allowed keys)."""
    from journeymap import model as domain

    path = [p for p in loc if isinstance(p, str)]
    table: dict[tuple[str, ...], type[BaseModel]] = {
        (): domain.JourneyMap,
        ("persona",): domain.Persona,
        ("review",): domain.Review,
        ("emotion_scale",): domain.EmotionScale,
        ("emotion_scale", "levels"): domain.EmotionLevel,
        ("stages",): domain.Stage,
        ("stages", "touchpoints"): domain.Touchpoint,
        ("stages", "touchpoints", "actual_emotion"): domain.ActualEmotion,
        ("pain_points",): domain.PainPoint,
        ("opportunities",): domain.Opportunity,
        ("kpis",): domain.KPI,
        ("insights",): domain.Insight,
        ("lanes",): domain.Lane,
        ("lanes", "items"): domain.LaneItem,
    }
    return table.get(tuple(path))


def _describe(err: Mapping[str, Any], loc: Loc) -> tuple[str, bool]:
    """A message for one pydantic error, and whether it points at a key (not a value)."""
    kind = err["type"]
    key = loc[-1] if loc else None
    if kind == "extra_forbidden" and isinstance(key, str):
        model = _model_at(loc[:-1])
        allowed = _allowed_keys(model) if model else []
        msg = f"unknown key {key!r}"
        close = difflib.get_close_matches(key, allowed, n=1)
        if close:
            msg += f" (did you mean {close[0]!r}?)"
        if allowed:
            msg += f"; expected one of: {', '.join(allowed)}"
        return msg, True
    if kind == "missing":
        return f"missing required key {key!r}", True
    what = f"{key!r}" if isinstance(key, str) else "item"
    text = str(err["msg"])
    if text.startswith("Value error, "):
        text = text.removeprefix("Value error, ")
        return f"{what}: {text}", False
    got = err.get("input")
    shown = "" if isinstance(got, dict | list) else f" {got!r}"
    if kind == "string_pattern_mismatch":
        return (
            f"invalid id{shown} for {what}; expected lower-case letters, digits, '-' or '_' "
            f"(e.g. {slugify(str(got))!r})"
        ), False
    text = text.replace("Input should be", "expected")
    return f"invalid value{shown} for {what}; {text}", False


def _problems_from_validation(exc: ValidationError, tree: Any, file: str) -> list[Problem]:
    out: list[Problem] = []
    seen: set[tuple[Loc, str]] = set()
    written: set[Problem] = set()
    for err in exc.errors():
        loc = _clean_loc(tree, tuple(err["loc"]))
        msg, on_key = _describe(err, loc)
        if (loc, msg) in seen:
            continue
        seen.add((loc, msg))
        pos = _position(tree, loc, on_key=on_key)
        problem = Problem(msg, file, *(pos or (None, None)))
        if problem not in written:  # a key merged into two mappings (<<: *anchor) fails twice
            written.add(problem)
            out.append(problem)
    return out


# ---- loading -------------------------------------------------------------------------------


def _refused(exc: _guard._Refused, file: str) -> MapFileError:
    line = None if exc.line is None else exc.line + 1
    col = None if exc.column is None else exc.column + 1
    return MapFileError.single(exc.message, file=file, line=line, column=col)


def _syntax_error(exc: MarkedYAMLError, text: str, file: str) -> MapFileError:
    """A YAML syntax error in plain words with a hint, and the offending line with a caret
    (the parser's own words, and a general hint, for an uncommon mistake)."""
    found = _yaml_errors.explain(exc, text)
    if found is not None:
        message, line, col = found.message, found.line, found.column
    else:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "not valid YAML"
        if exc.context and exc.context not in problem:
            problem = f"{problem} ({exc.context})"
        message = f"cannot parse: {problem}"
        if isinstance(exc, ScannerError | ParserError):
            message += f" ({_yaml_errors.general_hint()})"
        if mark is None:
            return MapFileError.single(message, file=file)
        line, col = int(mark.line), int(mark.column)
    shown = _yaml_errors.excerpt(text, line, col)
    return MapFileError([Problem(message, file, line + 1, col + 1, shown)])


def _parse(text: str, file: str, limits: MapLimits) -> Any:
    """The ruamel tree of ``text``, within ``limits``; every failure is a located error."""
    try:
        _guard.check_size(text, limits)
        _guard.check_characters(text)
        return _yaml(_guard.Loader(limits)).load(text)
    except _guard._Refused as exc:
        raise _refused(exc, file) from None
    except MarkedYAMLError as exc:
        raise _syntax_error(exc, text, file) from None
    except ReaderError as exc:  # check_characters refuses these first; kept as a safety net
        line, col = _guard.line_col(text, min(int(exc.position), len(text)))
        raise MapFileError.single(
            f"cannot parse: {exc.reason}", file=file, line=line + 1, column=col + 1
        ) from None
    except RecursionError:  # only when max_depth is raised past what Python's stack holds
        raise MapFileError.single(
            f"nested too deeply to read (more levels than Python's stack holds); expected at "
            f"most {limits.max_depth} levels of mappings and lists",
            file=file,
        ) from None


def _check_text(tree: Any, file: str) -> None:
    """Refuse control characters in keys and text values (written as escapes: raw ones
    never reach the parser), each at its line and column."""
    found: list[tuple[tuple[int, int], Problem]] = []
    for loc, is_key, problem in _guard.walk_text(tree):
        path = tuple(p for p in loc if isinstance(p, str | int))
        last = loc[-1] if loc else None
        if is_key:
            what = "a key"
        elif isinstance(last, str):
            what = repr(last)
        else:
            what = "an item"
        line, col = _position(tree, path, on_key=is_key) or (None, None)
        found.append(((line or 0, col or 0), Problem(f"{what} holds {problem}", file, line, col)))
    if found:
        unique = {str(p): (at, p) for at, p in found}  # a merged key is met twice
        raise MapFileError([p for _, p in sorted(unique.values(), key=lambda x: x[0])])


def _to_plain(node: Any) -> Any:
    """ruamel's tree as plain Python values, for validation."""
    if isinstance(node, Mapping):
        return {str(k): _to_plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_to_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


def loads(text: str, *, file: str = "<string>", limits: MapLimits | None = None) -> JourneyMap:
    """Parse and validate a map from YAML or JSON text; raises :class:`MapFileError`.

    ``limits`` bounds the file's size, nesting and alias expansion (see :class:`MapLimits`).
    """
    tree = _parse(text, file, limits or MapLimits.from_env())
    if tree is None:
        raise MapFileError.single(
            "the file is empty; expected a journey map (a mapping with 'title' and 'stages')",
            file=file,
            line=1,
            column=1,
        )
    if not isinstance(tree, CommentedMap):
        raise MapFileError.single(
            f"expected a mapping with 'title' and 'stages' at the top, found "
            f"{type(_to_plain(tree)).__name__}",
            file=file,
            line=1,
            column=1,
        )
    _check_text(tree, file)
    try:
        m = JourneyMap.model_validate(_to_plain(tree))
    except ValidationError as exc:
        raise MapFileError(_problems_from_validation(exc, tree, file)) from None
    findings = check_map(m)
    if findings:
        problems = []
        for f in findings:
            pos = _position(tree, f.loc, on_key=False)
            problems.append(Problem(f.message, file, *(pos or (None, None))))
        raise MapFileError(problems)
    m._source = tree
    return m


_BOMS = {
    "utf-8": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE,
    "utf-32-le": codecs.BOM_UTF32_LE, "utf-32-be": codecs.BOM_UTF32_BE,
}  # fmt: skip


@dataclass(frozen=True)
class _Layout:
    """How a map file's text is stored: its encoding, byte-order mark and line ends."""

    codec: str = "utf-8"
    bom: bytes = b""
    newline: str = "\n"

    def encode(self, text: str) -> bytes:
        """``text`` (lines ending in ``\n``) stored this way."""
        if self.newline != "\n":
            text = text.replace("\n", self.newline)
        return self.bom + text.encode(self.codec, "surrogatepass")


def _read_bytes(path: str | Path, limits: MapLimits) -> bytes:
    """The bytes of a map file, read no further than the size limit. Errors name the file."""
    p = Path(path)
    try:
        with p.open("rb") as f:
            data = f.read(limits.max_bytes + 1)
    except FileNotFoundError:
        raise MapFileError.single("no such file", file=p) from None
    except IsADirectoryError:
        raise MapFileError.single("is a directory; expected a map file", file=p) from None
    except OSError as exc:
        raise MapFileError.single(
            f"cannot read: {(exc.strerror or str(exc)).lower()}", file=p
        ) from None
    try:
        _guard.check_size(data, limits)
    except _guard._Refused as exc:
        raise _refused(exc, str(path)) from None
    return data


def _decode(data: bytes, file: str) -> tuple[str, _Layout]:
    """The text of a map file's bytes (line ends made ``\n``, no byte-order mark) and how
    it was stored: UTF-8, or UTF-8, UTF-16 or UTF-32 as a byte-order mark says."""
    from journeymap.engine.files import decode, encoding_of

    enc = encoding_of(data[:4])
    start = data[:64]
    if (
        not enc.bom
        and len(start) >= 8
        and 4 * max(start[::2].count(0), start[1::2].count(0)) > len(start)
    ):
        raise MapFileError.single(
            "not UTF-8 text: it looks like UTF-16 without a byte-order mark (every other byte "
            "is 0); save it as UTF-8, or as UTF-16 or UTF-32 with a byte-order mark",
            file=file,
        )
    try:
        text = decode(data, enc)
    except UnicodeDecodeError as exc:
        raise MapFileError.single(
            f"not {enc.name.upper()} text ({exc.reason} at byte {exc.start}); expected "
            "UTF-8, or UTF-16 or UTF-32 with a byte-order mark",
            file=file,
        ) from None
    bom = _BOMS.get(enc.codec, b"") if enc.bom else b""
    first = text.find("\n")
    newline = "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"
    return text.replace("\r\n", "\n").replace("\r", "\n"), _Layout(enc.codec, bom, newline)


def read_text(path: str | Path, *, limits: MapLimits | None = None) -> str:
    """The text of a map file, line ends made ``\n``, read no further than the size limit:
    UTF-8 (a byte-order mark dropped), or UTF-16 or UTF-32 with a byte-order mark. Errors
    name the file."""
    limits = limits or MapLimits.from_env()
    text, _ = _decode(_read_bytes(path, limits), str(path))
    return text


def load(path: str | Path, *, limits: MapLimits | None = None) -> JourneyMap:
    """Read a map file (``.yaml``/``.yml``/``.json``). Errors name FILE:LINE:COL.

    ``limits`` bounds the file's size, nesting and alias expansion (see :class:`MapLimits`).
    """
    return loads(read_text(path, limits=limits), file=str(path), limits=limits)


# ---- saving --------------------------------------------------------------------------------


def pin_ids(m: JourneyMap) -> JourneyMap:
    """Mark every derived id as set, so that saving writes it into the file."""

    def visit(obj: Any) -> None:
        if isinstance(obj, Identified) and obj.id_is_derived:
            obj.id = obj.id
        if isinstance(obj, BaseModel):
            for name in type(obj).model_fields:
                visit(getattr(obj, name))
        elif isinstance(obj, list):
            for item in obj:
                visit(item)

    visit(m)
    return m


def _dump(m: JourneyMap) -> dict[str, Any]:
    data = m.model_dump(mode="python", by_alias=True, exclude_unset=True)
    assert isinstance(data, dict)
    return data


def _identity(item: Any) -> Any:
    if isinstance(item, Mapping):
        if item.get("id"):
            return ("id", str(item["id"]))
        name = item.get("name", item.get("title"))
        if isinstance(name, str):
            return ("id", slugify(name))
        if "value" in item:
            return ("value", item["value"])
    return None


def _fresh(value: Any) -> Any:
    """A plain value as a ruamel node: long or multi-line strings as literal blocks."""
    if isinstance(value, Mapping):
        cm = CommentedMap()
        for k, v in value.items():
            cm[k] = _fresh(v)
        return cm
    if isinstance(value, list):
        return CommentedSeq(_fresh(v) for v in value)
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value)
    return value


def _same_scalar(old: Any, new: Any) -> bool:
    if isinstance(old, bool) or isinstance(new, bool):
        return isinstance(old, bool) and isinstance(new, bool) and old == new
    if isinstance(old, dt.datetime) != isinstance(new, dt.datetime):
        return False
    try:
        return bool(old == new) and type(old) is not list and not isinstance(old, Mapping)
    except TypeError:
        return False


def _merge(old: Any, new: Any) -> Any:
    """``new`` expressed as an edit of ``old``: untouched nodes are kept as they are."""
    if isinstance(old, CommentedMap) and isinstance(new, Mapping):
        for key in [k for k in old if k not in new]:
            del old[key]
        order = list(new)
        for idx, key in enumerate(order):
            if key in old:
                merged = _merge(old[key], new[key])
                if merged is not old[key]:
                    old[key] = merged
            else:
                # insert after the nearest preceding key that exists
                pos = 0
                for prev in reversed(order[:idx]):
                    if prev in old:
                        pos = list(old).index(prev) + 1
                        break
                old.insert(pos, key, _fresh(new[key]))
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list):
        _merge_seq(old, new)
        return old
    if _same_scalar(old, new):
        return old
    return _fresh(new)


def _merge_seq(old: CommentedSeq, new: list[Any]) -> None:
    ids_new = [_identity(v) for v in new]
    keyed = all(i is not None for i in ids_new) and len(set(ids_new)) == len(ids_new)
    if not keyed:
        # positional: merge pairwise, then trim or extend
        for i, v in enumerate(new):
            if i < len(old):
                merged = _merge(old[i], v)
                if merged is not old[i]:
                    old[i] = merged
            else:
                old.append(_fresh(v))
        while len(old) > len(new):
            del old[len(old) - 1]
        return
    wanted = set(ids_new)
    for i in reversed(range(len(old))):
        if _identity(old[i]) not in wanted:
            del old[i]
    for i, (ident, v) in enumerate(zip(ids_new, new, strict=True)):
        current = [_identity(x) for x in old]
        if i < len(old) and current[i] == ident:
            merged = _merge(old[i], v)
            if merged is not old[i]:
                old[i] = merged
        elif ident in current[i:]:
            j = current.index(ident, i)
            node = old[j]
            del old[j]
            old.insert(i, _merge(node, v))
        else:
            old.insert(i, _fresh(v))


def _reorder(tree: Any) -> None:
    """Put the keys of every object in the model's order; comments move with their keys.

    ruamel keeps the comment lines above a key at the end of whatever precedes it (the
    value of the key before, or the last value inside it), so moving keys alone would leave
    each comment above the wrong key. The lines are taken off first, each given to the key
    or list item that follows it in the file, and put back above that key once the keys
    are in order (:class:`~journeymap.formats._comments.Comments`)."""
    comments = Comments()
    comments.detach(tree)
    _sort_keys(tree)
    comments.attach(tree)


def _sort_keys(node: Any, loc: Loc = ()) -> None:
    if isinstance(node, CommentedMap):
        model = _model_at(loc)
        if model is not None:
            for key in _allowed_keys(model):
                if key in node:
                    node.move_to_end(key)
        for key in list(node):
            _sort_keys(node[key], (*loc, str(key)))
    elif isinstance(node, CommentedSeq):
        for i, item in enumerate(node):
            _sort_keys(item, (*loc, i))


def locate(m: JourneyMap, loc: Loc) -> tuple[int, int] | None:
    """1-based (line, column) of the object at ``loc`` in the file ``m`` was loaded from."""
    source = getattr(m, "_source", None)
    if source is None:
        return None
    return _position(source, loc, on_key=False)


def dumps(m: JourneyMap, *, fmt: MapFormat = "yaml", canonical: bool = False) -> str:
    """The map as file text. YAML keeps the comments and layout of the file it was loaded from.

    ``canonical`` puts every object's keys in the documented order (what ``fmt`` does).
    """
    data = _dump(m)
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
    source = getattr(m, "_source", None)
    tree = _merge(source, data) if isinstance(source, CommentedMap) else _fresh(data)
    if canonical:
        _reorder(tree)
    buf = io.StringIO()
    _yaml().dump(tree, buf)
    return buf.getvalue()


def save(
    m: JourneyMap, path: str | Path, *, fmt: MapFormat | None = None, canonical: bool = False
) -> None:
    """Write the map atomically; the format follows the suffix unless given."""
    atomic_write_text(path, dumps(m, fmt=fmt or format_of(path), canonical=canonical))


def format_text(
    text: str, *, file: str = "<string>", fmt: MapFormat = "yaml", limits: MapLimits | None = None
) -> str:
    """What ``journeymap fmt`` makes of a file: ids pinned, keys in order, comments kept."""
    m = loads(text, file=file, limits=limits)
    pin_ids(m)
    return dumps(m, fmt=fmt, canonical=True)


def format_file(path: str | Path, *, limits: MapLimits | None = None) -> tuple[bytes, bytes]:
    """(the file's bytes, what ``journeymap fmt`` makes of them): :func:`format_text`, the
    file's encoding, byte-order mark and line ends (LF or CRLF, as its first line ends)
    kept as they are."""
    limits = limits or MapLimits.from_env()
    data = _read_bytes(path, limits)
    text, layout = _decode(data, str(path))
    return data, layout.encode(
        format_text(text, file=str(path), fmt=format_of(path), limits=limits)
    )
