"""Text helpers shared by sentiment and themes: finding the verbatims, cleaning, tokens.

Verbatims come from a :class:`~journeymap.voice.read.Feedback` (its ``text`` role) or
from a plain Arrow table with the column named. Either way the analyses see one
:class:`Verbatims`: the texts in input order (``None`` where a row has no text), the row
number of each (``__jm_row`` when the reader set it, else the 1-based position) and the
table, for the other columns an analysis needs (a score, a ``by`` column).

Tokens are for grouping, not for reading: lower case, apostrophes dropped, a light English
stemmer (plurals, ``-ed``, ``-ing``, a final ``e``) so that "delayed", "delays" and "delay"
count as one term, stop words removed. :class:`Analyzer` remembers the words each stem was
seen as, so a label shows "delayed", never "delay" made up or "servic".
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from journeymap.errors import UsageError

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "ROW_COLUMN",
    "Analyzer",
    "Verbatims",
    "by_column",
    "clean_for_themes",
    "numeric_column",
    "resolve_column",
    "stem",
    "stop_words",
    "strip_handles",
    "verbatims",
]

#: The column in which a feedback reader keeps each row's position as an editor shows it.
ROW_COLUMN = "__jm_row"

_MENTION = re.compile(r"(?<![\w@])@\w+")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_ENTITY = re.compile(r"&(?:amp|lt|gt|quot|apos|#\d+);", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)*")

# sklearn's English list less the words that carry a complaint ("call back", "still nothing",
# "never again"); plus contractions written without the apostrophe and social-media noise.
_KEEP = frozenset(
    "call back never nothing again still found find give full empty fire cry system move "  # noqa: SIM905
    "bill top front side part name put keep take see serious done get".split()
)
_EXTRA = frozenset(
    "im ive id ill youre youve youll theyre weve dont cant didnt doesnt isnt wasnt werent wont "  # noqa: SIM905
    "wouldnt couldnt shouldnt havent hasnt hadnt arent aint thats theres whats lets u ur pls "
    "plz amp rt via http https www com just ok okay yes oh hi hey".split()
)


def stop_words() -> frozenset[str]:
    """Words that never make a term (checked after apostrophes are dropped)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return (frozenset(ENGLISH_STOP_WORDS) - _KEEP) | _EXTRA


def strip_handles(text: str) -> str:
    """Drop @handles: a name is not an opinion (VADER reads "@united" as "united", +1.8)."""
    return _MENTION.sub(" ", text)


def clean_for_themes(text: str) -> str:
    """What a theme is about: no @handles, links, HTML entities or numbers."""
    text = _URL.sub(" ", text)
    text = _MENTION.sub(" ", text)
    text = _ENTITY.sub(" ", text)
    return _NUMBER.sub(" ", text)


def stem(word: str) -> str:
    """A light English stemmer: ``delays``/``delayed``/``delaying`` -> ``delay``,
    ``cancelled``/``canceled`` -> ``cancel``, ``bags`` -> ``bag``, ``line``/``lines`` -> ``lin``.
    Consistent, not pretty: labels show the words as written (see :class:`Analyzer`)."""
    w = word
    if len(w) <= 3:
        return w
    if w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "y"
    elif w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix in ("ing", "ed"):
        if w.endswith(suffix):
            base = w[: -len(suffix)]
            if len(base) >= 3 and any(c in "aeiouy" for c in base):
                w = base
                if w.endswith("i"):
                    w = w[:-1] + "y"
                elif len(w) > 4 and w[-1] == w[-2] and w[-1] not in "sz":
                    w = w[:-1]
            break
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    return w


class Analyzer:
    """Text -> terms (stemmed unigrams and bigrams of neighbouring kept words), for
    scikit-learn's vectorisers (``analyzer=Analyzer()``). Records the surface form of every
    term it produces, so :meth:`surface` can show a term as people wrote it."""

    def __init__(self, *, bigrams: bool = True) -> None:
        self.bigrams = bigrams
        self.stops = stop_words()
        self._seen: dict[str, Counter[str]] = {}

    def __call__(self, text: str) -> list[str]:
        words: list[tuple[str, str]] = []
        for match in _WORD.finditer(clean_for_themes(text).lower()):
            word = match.group(0).replace("'", "")
            if len(word) < 2 or word in self.stops:
                continue
            words.append((word, stem(word)))
        terms = [s for _, s in words]
        for word, s in words:
            self._seen.setdefault(s, Counter())[word] += 1
        if self.bigrams:
            for (w1, s1), (w2, s2) in itertools.pairwise(words):
                term = f"{s1} {s2}"
                terms.append(term)
                self._seen.setdefault(term, Counter())[f"{w1} {w2}"] += 1
        return terms

    def surface(self, term: str) -> str:
        """The most frequent way ``term`` was written (ties: the first seen)."""
        seen = self._seen.get(term)
        return seen.most_common(1)[0][0] if seen else term


@dataclass(frozen=True)
class Verbatims:
    """The texts an analysis works on, in input order."""

    table: pa.Table
    column: str
    texts: list[str | None]  # None: no text (null, empty or only spaces)
    rows: pa.Array  # int64: __jm_row when present, else the 1-based position
    roles: object | None  # the Feedback's roles when a Feedback was given


def _unwrap(data: object) -> tuple[pa.Table, object | None]:
    import pyarrow as pa

    if isinstance(data, pa.Table):
        return data, None
    table = getattr(data, "table", None)
    if isinstance(table, pa.Table):
        return table, getattr(data, "roles", None)
    raise UsageError(
        f"expected feedback (read_feedback(...)) or a pyarrow Table, not {type(data).__name__}"
    )


def resolve_column(table: pa.Table, name: str, *, what: str) -> str:
    """``name`` if the table has it, else a :class:`UsageError` suggesting close names."""
    if name in table.column_names:
        return name
    names = [c for c in table.column_names if c != ROW_COLUMN]
    close = difflib.get_close_matches(name, names, n=3)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise UsageError(f"{what} column {name!r} is not in the data{hint} (columns: {names})")


def _role(roles: object | None, role: str) -> str | None:
    value = getattr(roles, role, None) if roles is not None else None
    return value if isinstance(value, str) else None


def verbatims(data: object, text: str | None) -> Verbatims:
    """Find the texts of ``data``: the ``text`` column if named, else the feedback's text role,
    else a column called ``text``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    table, roles = _unwrap(data)
    name = text or _role(roles, "text")
    if name is None:
        if "text" not in table.column_names:
            raise UsageError(
                "no text column: name it with text=COLUMN (--text COL); "
                f"columns: {[c for c in table.column_names if c != ROW_COLUMN]}"
            )
        name = "text"
    name = resolve_column(table, name, what="text")
    col = table.column(name)
    if pa.types.is_dictionary(col.type):
        col = col.cast(col.type.value_type)
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        if not pa.types.is_null(col.type):
            raise UsageError(f'text column "{name}" holds {col.type}, not text')
        col = col.cast(pa.string())
    texts = [t if t is not None and t.strip() else None for t in col.to_pylist()]
    if ROW_COLUMN in table.column_names:
        rows = pc.cast(table.column(ROW_COLUMN), pa.int64()).combine_chunks()
    else:
        rows = pa.array(range(1, table.num_rows + 1), pa.int64())
    return Verbatims(table, name, texts, rows, roles)


def numeric_column(v: Verbatims, name: str | None, *, role: str) -> tuple[str, list[float | None]]:
    """A numeric column (explicit, else the feedback's ``role``) as floats; ("", []) if none."""
    import pyarrow as pa

    name = name or _role(v.roles, role)
    if name is None:
        return "", []
    name = resolve_column(v.table, name, what=role)
    col = v.table.column(name)
    if not (pa.types.is_integer(col.type) or pa.types.is_floating(col.type)):
        raise UsageError(f'{role} column "{name}" holds {col.type}, not numbers')
    return name, col.cast(pa.float64()).to_pylist()


def by_column(v: Verbatims, by: str) -> tuple[str, pa.ChunkedArray]:
    """The column to group by: a column of the table, else a role of the feedback
    (``by="stage"`` with ``read_feedback(..., stage="journey_stage")``)."""
    import pyarrow as pa

    name = by if by in v.table.column_names else (_role(v.roles, by) or by)
    name = resolve_column(v.table, name, what="by")
    col = v.table.column(name)
    if pa.types.is_nested(col.type):
        raise UsageError(f'by column "{name}" holds {col.type}; group by a column of values')
    return name, col
