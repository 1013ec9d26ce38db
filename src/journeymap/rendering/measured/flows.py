"""Flows between touchpoints (a Sankey in map order): :func:`flow_nodes`, :func:`flow_links`
-> :func:`draw_sankey`.

A flow is *designed* when it follows the map's order (a touchpoint to the next one); every
other flow is a deviation, drawn grey.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from journeymap import _numbers as nb
from journeymap.model.journey import JourneyMap
from journeymap.model.measurement import Measurement
from journeymap.rendering.measured._chart import CHART_W, SLACK, arrow_table, empty, room
from journeymap.rendering.svgkit import MUTED, STAGE_FILL, document, el, num, text
from journeymap.rendering.text import truncate, wrap

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["DEVIATION", "FLOW", "draw_sankey", "flow_links", "flow_nodes"]

FLOW = "#2f6db3"  # the designed path
DEVIATION = "#9aa5b1"
_STAGE_H = 30.0
_Row = dict[str, Any]


def flow_nodes(m: JourneyMap, measurement: Measurement) -> pa.Table:
    """The nodes of the flow chart: touchpoints with customers or flows, in map order.

    Columns ``touchpoint, name, stage, stage_name, order`` (1-based in the map), ``index``
    (0-based among the nodes: the column drawn), ``customers`` (reach), ``inflow, outflow``
    (customers arriving from / leaving to another touchpoint, summed over flows).
    """
    tps = {t.touchpoint: t for t in measurement.touchpoints}
    inflow: dict[str, int] = {}
    outflow: dict[str, int] = {}
    for f in measurement.flows:
        inflow[f.target] = inflow.get(f.target, 0) + f.customers
        outflow[f.source] = outflow.get(f.source, 0) + f.customers
    rows: list[_Row] = []
    for order, (stage, tp) in enumerate(m.iter_touchpoints(), 1):
        t = tps.get(tp.id)
        customers = t.customers if t else 0
        if not customers and tp.id not in inflow and tp.id not in outflow:
            continue
        rows.append(
            {
                "touchpoint": tp.id,
                "name": tp.name,
                "stage": stage.id,
                "stage_name": stage.name,
                "order": order,
                "index": len(rows),
                "customers": customers,
                "inflow": inflow.get(tp.id, 0),
                "outflow": outflow.get(tp.id, 0),
            }
        )
    return arrow_table(
        rows,
        "touchpoint:str name:str stage:str stage_name:str order:int index:int "
        "customers:int inflow:int outflow:int",
    )


def flow_links(m: JourneyMap, measurement: Measurement) -> pa.Table:
    """The links of the flow chart, one per measured flow between two touchpoints of the map,
    biggest first: ``source, target, source_order, target_order`` (1-based in the map),
    ``customers, moves, designed, direction`` (``forward`` to a later touchpoint of the map,
    ``back`` to an earlier one) and ``share`` (customers / customers of the journey)."""
    order = {tp.id: i for i, (_, tp) in enumerate(m.iter_touchpoints(), 1)}
    total = max((s.customers for s in measurement.stages), default=0) or max(
        (t.customers for t in measurement.touchpoints), default=0
    )
    rows: list[_Row] = [
        {
            "source": f.source,
            "target": f.target,
            "source_order": order[f.source],
            "target_order": order[f.target],
            "customers": f.customers,
            "moves": f.moves,
            "designed": f.designed,
            "direction": "forward" if order[f.target] > order[f.source] else "back",
            "share": f.customers / total if total else None,
        }
        for f in measurement.flows
        if f.source in order and f.target in order and f.source != f.target
    ]
    rows.sort(key=lambda r: (-r["customers"], r["source_order"], r["target_order"]))
    return arrow_table(
        rows,
        "source:str target:str source_order:int target_order:int customers:int moves:int "
        "designed:bool direction:str share:float",
    )


class _Sankey:
    """The geometry of the flow chart: one column per node, one scale (pixels per customer)
    for bars and links, the designed path along the middle line ``y0``, arcs over and under it.
    """

    def __init__(
        self,
        nodes: list[_Row],
        links: list[_Row],
        width: float,
        *,
        min_share: float,
        max_deviations: int,
    ) -> None:
        self.nodes = nodes
        self.col = width / len(nodes)
        self.index = {r["touchpoint"]: r["index"] for r in nodes}
        links = [r for r in links if r["source"] in self.index and r["target"] in self.index]
        big = [r for r in links if r["share"] is None or r["share"] >= min_share]
        path = [r for r in big if self.straight(r)]
        off = sorted((r for r in big if not self.straight(r)), key=lambda r: -r["customers"])
        #: the links drawn: the whole designed path, then the biggest deviations
        self.drawn = path + off[:max_deviations]
        self.hidden = [r for r in links if r not in self.drawn]
        biggest = max([r["customers"] for r in nodes] + [r["customers"] for r in self.drawn] + [1])
        self.thick: float = min(64.0, self.col * 0.7) / biggest
        over = [r for r in self.drawn if not self.straight(r) and self.span(r) > 0]
        under = [r for r in self.drawn if self.span(r) < 0]
        self.biggest_half = max(self.half(i) for i in range(len(nodes)))
        above = max([self.reach(r) for r in over] + [12.0]) + 16
        self.below = max([self.reach(r) for r in under] + [12.0]) + 16
        self.y0 = _STAGE_H + 8 + above + self.biggest_half

    def span(self, r: _Row) -> int:
        """How many columns a link jumps: 1 to the next node, negative going back."""
        return int(self.index[r["target"]] - self.index[r["source"]])

    def straight(self, r: _Row) -> bool:
        """A link of the designed path: to the next node, as the map says."""
        return self.span(r) == 1 and bool(r["designed"])

    def cx(self, i: int) -> float:
        return self.col * (i + 0.5)

    def half(self, i: int) -> float:
        """Half the height of node ``i``'s bar."""
        return max(float(self.nodes[i]["customers"]) * self.thick, 2.0) / 2.0

    def thickness(self, r: _Row) -> float:
        return max(float(r["customers"]) * self.thick, 1.2)

    def ry(self, r: _Row) -> float:
        """The height of a link's arc."""
        rx = abs(self.span(r)) * self.col / 2
        return min(rx * 0.5, 90.0) + self.thickness(r) / 2 + 6

    def reach(self, r: _Row) -> float:
        """How far an arc goes beyond the taller of its two nodes' ends."""
        i, j = self.index[r["source"]], self.index[r["target"]]
        return self.ry(r) + self.thickness(r) / 2 + abs(self.half(i) - self.half(j))


def draw_sankey(
    nodes: pa.Table,
    links: pa.Table,
    *,
    width: float = CHART_W,
    min_share: float = 0.02,
    max_deviations: int = 16,
    title: str = "Flows between touchpoints",
    legend: tuple[str, str, str] | None = None,
    unit: str = "reach",
) -> str:
    """Real flows between touchpoints, nodes in map order under their stage.

    Each touchpoint is a bar as tall as its reach. The designed path (a touchpoint to the next
    one of the map) runs straight along the middle in blue; customers who skip ahead arc over
    the top, those who go back arc underneath, in grey. Every link is as thick as the
    customers who made that move (one scale for bars and links). Only the biggest
    ``max_deviations`` flows off the designed path, each of at least ``min_share`` of the
    journey's customers, are drawn; the chart says how many were left out. ``legend``
    replaces the words of the legend (the designed path, the deviations, the thickness) for
    nodes that are not a map's touchpoints (the events of a log), ``unit`` the word after
    each node's number; a node name with line breaks is drawn in those lines.
    """
    node_rows = nodes.to_pylist()
    if not node_rows:
        return empty(width, title, "No touchpoint has customers in this measurement.")
    s = _Sankey(node_rows, links.to_pylist(), width, min_share=min_share,
                max_deviations=max_deviations)  # fmt: skip
    out = _stages(s)
    paths, labels = _links(s)
    out += paths
    for r in node_rows:
        h = s.half(r["index"]) * 2
        out.append(el("rect", x=s.cx(r["index"]) - 7, y=s.y0 - h / 2, width=14, height=h, rx=2,
                      fill=STAGE_FILL))  # fmt: skip
    out += _link_numbers(labels)
    names, ly = _node_names(s, s.y0 + s.biggest_half + s.below + 14, unit)
    out += names
    out += _legend(ly, s.hidden, legend)
    return document(width, ly + 30, title, out)


def _stages(s: _Sankey) -> list[str]:
    """The stage headers over their touchpoints' columns."""
    out: list[str] = []
    start, n = 0, len(s.nodes)
    for i in range(1, n + 1):
        if i == n or s.nodes[i]["stage"] != s.nodes[start]["stage"]:
            x = s.col * start + 2
            w = s.col * (i - start) - 4
            out.append(el("rect", x=x, y=0.0, width=w, height=_STAGE_H, rx=4, fill=STAGE_FILL))
            name = truncate(s.nodes[start]["stage_name"], w - 12, 12.5, bold=True)
            out.append(text(name, x + w / 2, 20, 12.5, bold=True, anchor="middle", fill="#ffffff"))
            start = i
    return out


def _arc(x1: float, y1: float, x2: float, y2: float, ry: float, *, over: bool) -> str:
    """Half an ellipse from (x1, y1) to (x2, y2), over the top or under the bottom."""
    rx = abs(x2 - x1) / 2
    sweep = 1 if (x2 > x1) == over else 0
    return f"M{num(x1)} {num(y1)}A{num(rx)} {num(ry)} 0 0 {sweep} {num(x2)} {num(y2)}"


def _links(s: _Sankey) -> tuple[list[str], list[tuple[str, float, float, str]]]:
    """The links, deviations first with the biggest at the back, the designed path on top;
    and the number of each link with where it goes and its colour."""
    out: list[str] = []
    labels: list[tuple[str, float, float, str]] = []
    for r in sorted(s.drawn, key=lambda r: (s.straight(r), -r["customers"])):
        i, j = s.index[r["source"]], s.index[r["target"]]
        t = s.thickness(r)
        mid = (s.cx(i) + s.cx(j)) / 2
        if s.straight(r):
            d = f"M{num(s.cx(i))} {num(s.y0)}L{num(s.cx(j))} {num(s.y0)}"
            color, opacity = FLOW, 0.8
            if t >= 13:
                labels.append((nb.count(r["customers"]), mid, s.y0 + 3.5, "#ffffff"))
        elif s.span(r) > 0:
            y1, y2 = s.y0 - s.half(i), s.y0 - s.half(j)
            d = _arc(s.cx(i), y1, s.cx(j), y2, s.ry(r), over=True)
            color, opacity = DEVIATION, 0.42
            ly = min(y1, y2) - s.ry(r) - t / 2 - 4
            labels.append((nb.count(r["customers"]), mid, ly, MUTED))
        else:
            y1, y2 = s.y0 + s.half(i), s.y0 + s.half(j)
            d = _arc(s.cx(i), y1, s.cx(j), y2, s.ry(r), over=False)
            color, opacity = DEVIATION, 0.42
            ly = max(y1, y2) + s.ry(r) + t / 2 + 12
            labels.append((nb.count(r["customers"]), mid, ly, MUTED))
        out.append(el("path", d=d, fill="none", stroke=color, stroke_width=t,
                      stroke_opacity=opacity))  # fmt: skip
    return out, labels


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _link_numbers(labels: list[tuple[str, float, float, str]]) -> list[str]:
    """The numbers of the links, the biggest first; a grey one that would sit on top of
    another is left out."""
    out: list[str] = []
    taken: list[tuple[float, float, float, float]] = []
    for words, x, y, fill in labels:
        w = room(words, 10, bold=True)
        box = (x - w / 2 - 2, y - 10, w + 4, 13)
        if fill == MUTED and any(_overlaps(box, b) for b in taken):
            continue
        taken.append(box)
        out.append(text(words, x, y, 10, bold=True, anchor="middle", fill=fill))
    return out


def _node_names(s: _Sankey, ny: float, unit: str = "reach") -> tuple[list[str], float]:
    """Touchpoint names and reach under everything, and where the legend goes."""
    out: list[str] = []
    lines = 1
    for r in s.nodes:
        rows = (
            str(r["name"]).split("\n")  # broken into lines by the caller
            if "\n" in str(r["name"])
            else wrap(r["name"], (s.col - 8) / SLACK, 11, bold=True, max_lines=3)
        )
        lines = max(lines, len(rows))
        for k, row in enumerate(rows):
            out.append(text(row, s.cx(r["index"]), ny + k * 14, 11, bold=True, anchor="middle"))
    for r in s.nodes:
        out.append(text(f"{nb.count(r['customers'])} {unit}", s.cx(r["index"]),
                        ny + lines * 14 + 1, 10.5, anchor="middle", fill=MUTED))  # fmt: skip
    return out, ny + lines * 14 + 30


def _legend(ly: float, hidden: list[_Row], say: tuple[str, str, str] | None = None) -> list[str]:
    """What blue and grey mean, what thickness means, and how many flows are not drawn."""
    out: list[str] = []
    path, off, thickness = say or (
        "the designed path: each touchpoint to the map's next one",
        "off the path: skipping ahead (over) or going back (under)",
        "Thickness: customers who made the move; bar height: customers who reach the touchpoint.",
    )
    legend = [(FLOW, 0.8, path), (DEVIATION, 0.6, off)]
    x = 0.0
    for color, opacity, words in legend:
        out.append(el("rect", x=x, y=ly - 9, width=22, height=10, fill=color,
                      fill_opacity=opacity))  # fmt: skip
        out.append(text(words, x + 28, ly, 10.5, fill=MUTED))
        x += 28 + room(words, 10.5) + 26
    note = thickness
    if hidden:
        many = len(hidden) > 1
        note += (
            f" {len(hidden)} smaller flow{'s' if many else ''} "
            f"({nb.count(sum(r['customers'] for r in hidden))} customer moves in all) "
            f"{'are' if many else 'is'} not drawn."
        )
    out.append(text(note, 0, ly + 20, 10.5, italic=True, fill=MUTED))
    return out
