"""What every chart of a measurement shares: its width, its Arrow table, its SVG document and
the room its text needs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from journeymap.model.journey import JourneyMap
from journeymap.rendering.svgkit import MUTED, document, el, text
from journeymap.rendering.text import text_width

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["CHART_W", "REACH", "SLACK", "arrow_table", "empty", "names", "room", "split_bar"]

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


def split_bar(parts: list[tuple[float, str, str, str]], width: float) -> list[str]:
    """One 30 px bar split into ``parts`` (size, fill, ink, the label written inside when it
    fits), each as long as its share of the whole; parts of size 0 are not drawn."""
    total = sum(size for size, *_ in parts)
    out: list[str] = []
    x = 0.0
    for size, fill, ink, share in parts:
        if not size or not total:
            continue
        w = width * size / total
        out.append(el("rect", x=x, y=0.0, width=w, height=30, fill=fill, stroke="#ffffff",
                      stroke_width=1.5))  # fmt: skip
        if room(share, 12, bold=True) + 10 < w:
            out.append(text(share, x + w / 2, 19.5, 12, bold=True, anchor="middle", fill=ink))
        x += w
    return out
