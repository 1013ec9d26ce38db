"""How the journeys end: :func:`outcome_data` -> :func:`draw_outcomes`.

A journey ends at the map's goal, another way the map names (declined, cancelled: finished,
not given up), abandoned (no outcome and quiet for longer than the map's ``abandoned_after``
before the data ends), or is still in progress (no outcome yet, but quiet for less than that:
neither lost nor finished). See docs/measure.md, "Outcomes".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from journeymap import _numbers as nb
from journeymap.model.journey import JourneyMap
from journeymap.model.measurement import Measurement
from journeymap.rendering.measured._chart import CHART_W, REACH, Part, arrow_table, empty, split_bar
from journeymap.rendering.svgkit import INK, LEVEL_COLORS, MUTED, NEGATIVE, THIN, document

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["OUTCOME_KINDS", "draw_outcomes", "outcome_color", "outcome_data", "outcome_kind"]

#: the kinds of outcome, in the order the report lists them: the goal, the map's other ends,
#: abandoned, in progress
OUTCOME_KINDS = ("goal", "end", "abandoned", "in-progress")
#: kind -> (fill, text colour on it)
_STYLE = {
    "goal": (REACH, "#ffffff"),
    "end": (THIN, "#ffffff"),
    "abandoned": (NEGATIVE, "#ffffff"),
    "in-progress": (LEVEL_COLORS[0], INK),
}


def outcome_color(kind: str) -> str:
    """The colour of a kind of outcome, as in :func:`draw_outcomes`."""
    return _STYLE[kind][0]


def outcome_kind(key: str) -> str:
    """The kind of an outcome (:data:`OUTCOME_KINDS`) from its key: the map's other ends are
    ``end``."""
    return key if key in ("goal", "abandoned", "in-progress") else "end"


def outcome_data(m: JourneyMap, measurement: Measurement) -> pa.Table:
    """One row per way a journey can end, in :data:`OUTCOME_KINDS` order (the map's other
    ends in its order): ``key, name, kind, customers, share`` (of every journey, 0..1). Empty
    when the measurement has no outcomes (no event log)."""
    rows: list[dict[str, Any]] = [
        {"key": o.key, "name": o.name, "kind": outcome_kind(o.key), "customers": o.customers,
         "share": o.share}
        for o in measurement.outcomes
    ]  # fmt: skip
    rows.sort(key=lambda r: OUTCOME_KINDS.index(r["kind"]))
    return arrow_table(rows, "key:str name:str kind:str customers:int share:float")


def draw_outcomes(table: pa.Table, *, width: float = CHART_W) -> str:
    """How the journeys end as one bar split by outcome (the goal blue, other ends grey,
    abandoned red, in progress light grey), each part as long as its journeys, with a legend
    of names, customers and shares."""
    rows = table.to_pylist()
    title = "How the journeys end"
    total = sum(r["customers"] for r in rows)
    if not total:
        return empty(width, title, "No journey in this measurement.")
    parts: list[Part] = []
    for r in rows:
        fill, ink = _STYLE[r["kind"]]
        inside = nb.percent(r["customers"] / total, digits=1)
        share = f" ({nb.percent(r['share'], digits=1)})" if r["share"] is not None else ""
        words = f"{r['name']}: {nb.count(r['customers'])}{share}"
        words_ink = INK if r["customers"] else MUTED
        parts.append(Part(r["customers"], fill, ink, inside, words, words_ink))
    out, ly = split_bar(parts, width)
    return document(width, ly + 10, title, out)
