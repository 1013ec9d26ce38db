"""What the charts of a measurement share: their width, their Arrow table, their SVG document,
the room their text needs, a bar split with its legend (outcomes, coverage), an axis and the
frame of a chart of one row per touchpoint (emotion gaps, friction)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from journeymap.model.journey import JourneyMap
from journeymap.rendering.svgkit import INK, MUTED, document, el, text
from journeymap.rendering.text import text_width, truncate

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "CHART_W",
    "REACH",
    "SLACK",
    "Part",
    "TouchpointRows",
    "arrow_table",
    "axis",
    "empty",
    "names",
    "room",
    "split_bar",
]

#: default width of a chart, in pixels (the report's column)
CHART_W = 1120.0
#: the blue of customers who reach a stage, and of measured touchpoints
REACH = "#4575b4"
#: Browsers without Liberation Sans draw the charts' text in a wider font (DejaVu Sans is
#: about 12% wider); text placed side by side leaves that much room.
SLACK = 1.12
_TYPES = {"str": "string", "int": "int64", "float": "float64", "bool": "bool_"}


def arrow_table(rows: list[dict[str, Any]], columns: str) -> pa.Table:
    """An Arrow table of ``rows`` with the columns ``"name:type ..."`` (str, int, float,
    bool, list = list of strings), in that order, also when there are no rows."""
    import pyarrow as pa

    fields = []
    for spec in columns.split():
        name, kind = spec.split(":")
        typ = pa.list_(pa.string()) if kind == "list" else getattr(pa, _TYPES[kind])()
        fields.append((name, typ))
    return pa.Table.from_pylist(rows, schema=pa.schema(fields))


def names(m: JourneyMap) -> tuple[dict[str, str], dict[str, str]]:
    """The names of the map's stages and of its touchpoints, by id."""
    return {s.id: s.name for s in m.stages}, {tp.id: tp.name for _, tp in m.iter_touchpoints()}


def room(content: str, size: float, *, bold: bool = False) -> float:
    """The width to leave for a text: its measured width with room for a wider font."""
    return text_width(content, size, bold=bold) * SLACK


def empty(width: float, title: str, message: str) -> str:
    """A chart with nothing to draw: the reason, in words."""
    return document(width, 48, title, [text(message, 0, 28, 12, italic=True, fill=MUTED)])


class Part(NamedTuple):
    """One part of a split bar, and its entry in the legend under the bar."""

    size: float
    fill: str
    #: the colour of ``share``, written inside the part when it fits
    ink: str
    share: str
    #: the legend: ``words`` in ``words_ink``, after a square of the fill outlined in ``stroke``
    words: str
    words_ink: str = INK
    stroke: str | None = None


def split_bar(parts: Sequence[Part], width: float, *, wrap: bool = True) -> tuple[list[str], float]:
    """One 30 px bar split into ``parts``, each as long as its share of the whole (parts of
    size 0 are not drawn), and its legend under it, part after part on as many lines as
    ``width`` needs (on one line unless ``wrap``); with the baseline of the legend's last
    line."""
    total = sum(p.size for p in parts)
    out: list[str] = []
    x = 0.0
    for p in parts:
        if not p.size or not total:
            continue
        w = width * p.size / total
        out.append(el("rect", x=x, y=0.0, width=w, height=30, fill=p.fill, stroke="#ffffff",
                      stroke_width=1.5))  # fmt: skip
        if room(p.share, 12, bold=True) + 10 < w:
            out.append(text(p.share, x + w / 2, 19.5, 12, bold=True, anchor="middle", fill=p.ink))
        x += w
    lx, ly = 0.0, 52.5
    for p in parts:
        step = 17 + room(p.words, 11) + 22
        if wrap and lx and lx + step - 22 > width:  # the next legend line
            lx, ly = 0.0, ly + 18
        out.append(el("rect", x=lx, y=ly - 10.5, width=12, height=12, rx=2, fill=p.fill,
                      stroke=p.stroke))  # fmt: skip
        out.append(text(p.words, lx + 17, ly, 11, fill=p.words_ink))
        lx += step
    return out, ly


def axis(lo: float, hi: float, x0: float, x1: float) -> Callable[[float], float]:
    """The x of a value on an axis from ``lo`` at ``x0`` to ``hi`` at ``x1``; a value beyond
    either end is drawn at that end."""

    def x_of(v: float) -> float:
        v = min(max(v, lo), hi)
        return x0 + (v - lo) / max(hi - lo, 1) * (x1 - x0)

    return x_of


@dataclass(frozen=True)
class TouchpointRows:
    """The frame of a chart of one row per touchpoint: the touchpoint's name over its stage's
    at the left of each row, light bands behind every other row, room above the first for the
    labels of the axis."""

    count: int
    width: float
    name_w: float = 220.0
    row_h: float = 34.0
    top: float = 34.0

    @property
    def bottom(self) -> float:
        return self.top + self.count * self.row_h

    def bands(self) -> list[str]:
        return [
            el("rect", x=0.0, y=self.top + i * self.row_h, width=self.width, height=self.row_h,
               fill="#f7f9fb")
            for i in range(1, self.count, 2)
        ]  # fmt: skip

    def middle(self, i: int) -> float:
        """The middle of row ``i``, where its marks are drawn."""
        return self.top + i * self.row_h + self.row_h / 2

    def names(self, r: dict[str, Any], y: float) -> list[str]:
        return [
            text(truncate(r["name"], self.name_w, 12, bold=True), 0, y - 1, 12, bold=True),
            text(truncate(r["stage_name"], self.name_w, 10), 0, y + 12, 10, fill=MUTED),
        ]
