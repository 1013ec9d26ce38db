"""The flows of an event log drawn: a process map (a directly-follows graph) and a Sankey.

Vega-Lite has no graph layout, so both are drawn as SVG with the kit the map and the
measured flows use (:mod:`journeymap.rendering.svgkit`; the Sankey is
:func:`journeymap.rendering.measured.flows.draw_sankey`, the flow chart of a measured map,
with the events in their typical order in place of the map's touchpoints).

:func:`flow_graph` is the data of both: the most frequent events and the transitions between
them, from :func:`journeymap.events.flows.flows` with the start and end markers, each event
placed in a *layer* (its distance in steps from the journeys' start over the transitions
drawn; the end after every other) and a *row* within it (the more frequent higher up).
"""

from __future__ import annotations

import math
import re
from collections import deque
from typing import TYPE_CHECKING, Any, NamedTuple

from journeymap import _numbers as nb
from journeymap.errors import UsageError
from journeymap.rendering.charts._figure import SvgFigure
from journeymap.rendering.svgkit import INK, MUTED, STAGE_FILL, document, el, num, text
from journeymap.rendering.text import text_width, truncate, wrap

if TYPE_CHECKING:
    import pyarrow as pa

    from journeymap.events.prepare import Per
    from journeymap.events.read import EventLog

__all__ = ["FlowGraph", "flow_graph", "process_map", "sankey"]


class FlowGraph(NamedTuple):
    """The data of the process map and the Sankey.

    ``nodes``: ``event, kind`` (start, event, end), ``occurrences`` (transitions into it; for
    the start, journeys), ``layer, row``. ``edges``: ``from, to, count, customers,
    median_seconds, p90_seconds, direction`` (forward to a later layer, loop to itself, else
    back), biggest
    first. ``hidden_events`` / ``hidden_edges`` / ``hidden_moves``: what was left out.
    """

    nodes: pa.Table
    edges: pa.Table
    hidden_events: int
    hidden_edges: int
    hidden_moves: int


def flow_graph(
    source: EventLog | pa.Table,
    *,
    top_events: int = 12,
    max_edges: int = 30,
    per: Per = "customer",
) -> FlowGraph:
    """The ``top_events`` most frequent events and the ``max_edges`` biggest transitions
    between them (and every event's biggest way in and out, so that none floats), from the
    flows with markers (:func:`journeymap.events.flows.flows`; a flows table without markers
    works too: the events no transition enters start the layers)."""
    import pyarrow as pa

    from journeymap.events.flows import END, START, flows

    if top_events < 1 or max_edges < 1:
        raise UsageError("top_events and max_edges must be at least 1")
    table = source if isinstance(source, pa.Table) else flows(source, per=per, markers=True)
    if "segment" in table.column_names:
        raise UsageError("the flow charts draw one log at a time; drop --by")
    rows = table.to_pylist()
    into: dict[str, int] = {}
    out_of: dict[str, int] = {}
    for r in rows:
        into[r["to"]] = into.get(r["to"], 0) + r["count"]
        out_of[r["from"]] = out_of.get(r["from"], 0) + r["count"]
    names = (set(into) | set(out_of)) - {START, END}
    occurrences = {n: max(into.get(n, 0), out_of.get(n, 0)) for n in names}
    ranked = sorted(names, key=lambda n: (-occurrences[n], n))
    kept = set(ranked[:top_events])
    occurrences[START] = out_of.get(START, 0)
    occurrences[END] = into.get(END, 0)
    marks = {m for m in (START, END) if occurrences[m]}
    inside = [r for r in rows if r["from"] in kept | marks and r["to"] in kept | marks]
    chosen = inside[:max_edges]
    for n in kept:  # every event's biggest way in and out
        for side in ("to", "from"):
            best = next((r for r in inside if r[side] == n and r["from"] != r["to"]), None)
            if best is not None and best not in chosen:
                chosen.append(best)
    chosen.sort(key=lambda r: (-r["count"], r["from"], r["to"]))
    layer = _layers(chosen, kept, marks)
    nodes = sorted(kept | marks, key=lambda n: (layer[n], -occurrences[n], n))
    row_of: dict[str, int] = {}
    for n in nodes:
        row_of[n] = sum(1 for m in row_of if layer[m] == layer[n])
    node_rows = [
        {
            "event": n,
            "kind": "start" if n == START else "end" if n == END else "event",
            "occurrences": occurrences[n],
            "layer": layer[n],
            "row": row_of[n],
        }
        for n in nodes
    ]
    edge_rows = [
        {
            "from": r["from"], "to": r["to"], "count": r["count"], "customers": r["customers"],
            "median_seconds": r["median_seconds"], "p90_seconds": r["p90_seconds"],
            "direction": "loop" if r["from"] == r["to"]
            else "forward" if layer[r["to"]] > layer[r["from"]] else "back",
        }
        for r in chosen
    ]  # fmt: skip
    node_schema = pa.schema(
        [("event", pa.string()), ("kind", pa.string()), ("occurrences", pa.int64()),
         ("layer", pa.int64()), ("row", pa.int64())]
    )  # fmt: skip
    edge_schema = pa.schema(
        [("from", pa.string()), ("to", pa.string()), ("count", pa.int64()),
         ("customers", pa.int64()), ("median_seconds", pa.float64()),
         ("p90_seconds", pa.float64()), ("direction", pa.string())]
    )  # fmt: skip
    drawn = {id(r) for r in chosen}
    hidden = [r for r in rows if id(r) not in drawn]
    return FlowGraph(
        pa.Table.from_pylist(node_rows, schema=node_schema),
        pa.Table.from_pylist(edge_rows, schema=edge_schema),
        hidden_events=len(names) - len(kept),
        hidden_edges=len(hidden),
        hidden_moves=sum(r["count"] for r in hidden),
    )


def _layers(edges: list[dict[str, Any]], kept: set[str], marks: set[str]) -> dict[str, int]:
    """Each node's layer: one more than the layer of the node it is most often reached from
    (its main way in), counted from the start (layer 0); a node whose main ways in go round
    in a circle gets its distance from the start over any edge (breadth first); with no
    start marker, the nodes no edge enters start; the end comes after all."""
    from journeymap.events.flows import END, START

    succ: dict[str, list[str]] = {}
    parent: dict[str, str] = {}
    for r in edges:  # the biggest first: the first edge into a node is its main way in
        if r["from"] != r["to"] and r["from"] != END:
            succ.setdefault(r["from"], []).append(r["to"])
            parent.setdefault(r["to"], r["from"])
    roots = [START] if START in marks else sorted(kept - set(parent)) or sorted(kept)[:1]
    hops = dict.fromkeys(roots, 0)
    queue = deque(roots)
    while queue:
        n = queue.popleft()
        for m in succ.get(n, []):
            if m not in hops and m != END:
                hops[m] = hops[n] + 1
                queue.append(m)
    layer: dict[str, int] = dict.fromkeys(roots, 0)

    def place(n: str, seen: frozenset[str]) -> int:
        if n in layer:
            return layer[n]
        p = parent.get(n)
        if p is None or p in seen or p == END:
            value = hops.get(n, 1 if START in marks else 0)
        else:
            value = place(p, seen | {n}) + 1
        layer[n] = value
        return value

    for n in sorted(kept):
        place(n, frozenset())
    if END in marks:
        layer[END] = 1 + max((v for k, v in layer.items() if k != END), default=0)
    return layer


# ---- the process map -------------------------------------------------------------------------

_NODE_W = 176.0
_NODE_H = 46.0
_COL = 250.0
_GAP = 34.0
_TOP = 40.0
_LEFT = 24.0
_PILL = 96.0
_FORWARD = "#2f6db3"
_BACK = "#8a94a3"


def _shade(share: float) -> tuple[str, str]:
    """A node's fill by its share of the most frequent event's occurrences (light to dark
    blue, RdYlBu's blues) and the text colour that reads on it."""
    steps = [(0.25, "#e0ecf6", INK), (0.5, "#abd9e9", INK), (0.75, "#74add1", INK)]
    for bound, fill, ink in steps:
        if share < bound:
            return fill, ink
    return "#4575b4", "#ffffff"


def _bezier_mid(p0: tuple[float, float], p1: tuple[float, float], p2: tuple[float, float],
                p3: tuple[float, float]) -> tuple[float, float]:  # fmt: skip
    return (
        (p0[0] + 3 * p1[0] + 3 * p2[0] + p3[0]) / 8,
        (p0[1] + 3 * p1[1] + 3 * p2[1] + p3[1]) / 8,
    )


def process_map(graph: FlowGraph, *, title: str = "Process map") -> SvgFigure:
    """The directly-follows graph: events as boxes in layers from the start (left) to the end
    (right), shaded by how often they occur; transitions as arrows as thick as their count,
    labelled with the count and the median time; forward arrows blue, arrows back (to an
    earlier or the same layer) grey and dashed, under the boxes."""
    nodes = graph.nodes.to_pylist()
    edges = graph.edges.to_pylist()
    if not nodes:
        return SvgFigure(document(600, 60, title, [text("No flows to draw.", 0, 30, 12)]), title)
    pos: dict[str, tuple[float, float]] = {}
    for r in nodes:
        pos[r["event"]] = (_LEFT + r["layer"] * _COL, _TOP + r["row"] * (_NODE_H + _GAP))
    layers = 1 + max(r["layer"] for r in nodes)
    rows = 1 + max(r["row"] for r in nodes)
    biggest = max([e["count"] for e in edges] + [1])
    top_event = max([r["occurrences"] for r in nodes if r["kind"] == "event"] + [1])
    body: list[str] = [
        "<defs>"
        + "".join(
            f'<marker id="jm-arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" '
            f'markerWidth="11" markerHeight="11" markerUnits="userSpaceOnUse" '
            f'orient="auto-start-reverse">'
            f'<path d="M0 0L10 5L0 10z" fill="{color}"/></marker>'
            for name, color in (("f", _FORWARD), ("b", _BACK))
        )
        + "</defs>"
    ]
    pills = {r["event"] for r in nodes if r["kind"] != "event"}
    labels: list[tuple[int, str, float, float, bool]] = []
    low = _TOP + rows * (_NODE_H + _GAP)
    for e in sorted(edges, key=lambda e: e["count"]):
        (sx, sy), (tx, ty) = pos[e["from"]], pos[e["to"]]
        sr = sx + (_NODE_W / 2 + _PILL / 2 if e["from"] in pills else _NODE_W)
        tl = tx + (_NODE_W / 2 - _PILL / 2 if e["to"] in pills else 0)
        width = 1.2 + 7.0 * math.sqrt(e["count"] / biggest)
        forward = e["direction"] == "forward"
        if e["direction"] == "loop":
            p0 = (sx + _NODE_W * 0.3, sy)
            p3 = (sx + _NODE_W * 0.7, sy - 2)
            p1, p2 = (p0[0] - 10, sy - 30), (p3[0] + 10, sy - 30)
        elif forward:
            p0 = (sr, sy + _NODE_H / 2)
            p3 = (tl - 3, ty + _NODE_H / 2)
            bend = max((p3[0] - p0[0]) * 0.45, 30)
            p1, p2 = (p0[0] + bend, p0[1]), (p3[0] - bend, p3[1])
        else:
            depth = 26 + 18 * abs(sx - tx) / _COL
            p0 = (sx + _NODE_W * 0.62, sy + _NODE_H)
            p3 = (tx + _NODE_W * 0.38, ty + _NODE_H + 3)
            base = max(p0[1], p3[1]) + depth
            p1, p2 = (p0[0], base), (p3[0], base)
            low = max(low, base + 10)
        d = (f"M{num(p0[0])} {num(p0[1])}C{num(p1[0])} {num(p1[1])} {num(p2[0])} {num(p2[1])} "
             f"{num(p3[0])} {num(p3[1])}")  # fmt: skip
        body.append(
            el("path", d=d, fill="none", stroke=_FORWARD if forward else _BACK,
               stroke_width=width, stroke_opacity=0.55 if forward else 0.7,
               stroke_dasharray=None if forward else "5 3",
               marker_end=f"url(#jm-arrow-{'f' if forward else 'b'})")
        )  # fmt: skip
        mx, my = _bezier_mid(p0, p1, p2, p3)
        words = nb.count(e["count"])
        if e["median_seconds"] is not None:
            words += " · " + nb.duration_short(e["median_seconds"])
        labels.append((e["count"], words, mx, my + (-4 if forward else 12), forward))
    body += _edge_labels(labels)
    for r in nodes:
        x, y = pos[r["event"]]
        if r["kind"] == "event":
            fill, ink = _shade(r["occurrences"] / top_event)
            body.append(el("rect", x=x, y=y, width=_NODE_W, height=_NODE_H, rx=6, fill=fill,
                           stroke="#4575b4", stroke_width=0.8))  # fmt: skip
            lines = _name_lines(r["event"], _NODE_W - 12, 11)
            first = y + (17 if len(lines) == 2 else 23)
            for k, line in enumerate(lines):
                body.append(text(line, x + _NODE_W / 2, first + 13 * k, 11, bold=True,
                                 anchor="middle", fill=ink))  # fmt: skip
            body.append(text(nb.count(r["occurrences"]), x + _NODE_W / 2, y + _NODE_H - 5, 10,
                             anchor="middle", fill=ink))  # fmt: skip
        else:
            word = "start" if r["kind"] == "start" else "end"
            pill_h = _NODE_H - 12
            body.append(el("rect", x=x + _NODE_W / 2 - _PILL / 2, y=y + 6, width=_PILL,
                           height=pill_h, rx=pill_h / 2, fill=STAGE_FILL))  # fmt: skip
            body.append(text(f"{word} {nb.count(r['occurrences'])}", x + _NODE_W / 2,
                             y + _NODE_H / 2 + 4, 11, bold=True, anchor="middle",
                             fill="#ffffff"))  # fmt: skip
    width = _LEFT * 2 + (layers - 1) * _COL + _NODE_W
    note = _note(graph)
    width = max(width, text_width(note, 10.5) + _LEFT * 2)
    body.append(text(title, _LEFT, 22, 15, bold=True))
    body.append(text(note, _LEFT, low + 16, 10.5, italic=True, fill=MUTED))
    return SvgFigure(document(width, low + 30, title, body), title)


def _edge_labels(labels: list[tuple[int, str, float, float, bool]]) -> list[str]:
    """The labels of the arrows, the biggest first; one that would cover another is left
    out (the arrow's tooltip-less picture keeps its thickness)."""
    out: list[str] = []
    taken: list[tuple[float, float, float, float]] = []
    for _, words, x, y, forward in sorted(labels, key=lambda t: -t[0]):
        w = text_width(words, 10) + 4
        box = (x - w / 2, y - 10, w, 13)
        if any(_overlap(box, b) for b in taken):
            continue
        taken.append(box)
        out.append(text(words, x, y, 10, anchor="middle", fill=INK if forward else MUTED,
                        halo=True))  # fmt: skip
    return out


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def _name_lines(name: str, width: float, size: float, max_lines: int = 2) -> list[str]:
    """An event's name in at most ``max_lines`` lines, broken after ``_``, ``-``, ``.``, ``/`` or a
    space where it can be (``onboarding_privacy_`` / ``policyShown``), else anywhere; the
    second line shortened with an ellipsis when the name is longer still."""
    parts = re.findall(r"[^_\-./\s]*[_\-./\s]*", name)
    lines: list[str] = []
    line = ""
    for part in (p for p in parts if p):
        if line and text_width(line + part, size, bold=True) > width:
            lines.append(line)
            line = part
        else:
            line += part
    lines.append(line)
    if len(lines) == 1 and text_width(lines[0], size, bold=True) <= width:
        return lines
    if len(lines) > max_lines or any(text_width(x, size, bold=True) > width for x in lines):
        head = lines[: max_lines - 1]
        if all(text_width(x, size, bold=True) <= width for x in head):
            rest = "".join(lines[max_lines - 1 :])
            return [*head, truncate(rest, width, size, bold=True)]
        return wrap(name, width, size, bold=True, max_lines=max_lines)
    return lines


def _note(graph: FlowGraph) -> str:
    words = ("Boxes: events, with how often they occur; arrows: one event directly followed "
             "by the next, as thick as the count, labelled count · median time.")  # fmt: skip
    left = []
    if graph.hidden_events:
        left.append(f"{graph.hidden_events} rarer events")
    if graph.hidden_edges:
        left.append(f"{graph.hidden_edges} smaller transitions "
                    f"({nb.count(graph.hidden_moves)} moves)")  # fmt: skip
    if left:
        words += " Not drawn: " + " and ".join(left) + "."
    return words


# ---- the Sankey ------------------------------------------------------------------------------


def _main_path(edges: list[dict[str, Any]], names: list[str]) -> list[str]:
    """The events of the main path: the one most journeys start with (else the first node),
    then each time the event it is most often followed by that is not on the path yet; when
    that one mostly ends the journey (``passed``, ``lost``), an event that journeys go on from
    and that follows at least half as often is taken instead."""
    from journeymap.events.flows import END, START

    last: dict[str, str] = {}
    for e in edges:  # the biggest first: each event's commonest next step
        last.setdefault(e["from"], e["to"])
    ending = {n for n, to in last.items() if to == END}
    starts = [e["to"] for e in edges if e["from"] == START and e["to"] != END]
    events = [n for n in names if n not in (START, END)]
    path = [starts[0] if starts else events[0]] if events else []
    while path:
        options = [(e["to"], e["count"]) for e in edges if e["from"] == path[-1]
                   and e["to"] not in path and e["to"] not in (START, END)]  # fmt: skip
        if not options:
            break
        best, most = options[0]
        going_on = [n for n, c in options if n not in ending and c >= most / 2]
        path.append(best if best not in ending or not going_on else going_on[0])
    return path


def sankey(graph: FlowGraph, *, title: str = "Flows between events") -> SvgFigure:
    """The Sankey of the measured map's flow chart (:func:`draw_sankey`) over the events: the
    main path (from the commonest first event, each time its commonest next event) straight
    along the middle, then the other events; moves ahead arc over, moves back arc under; as
    thick as their count."""
    import pyarrow as pa

    from journeymap.events.flows import END, START
    from journeymap.rendering.measured._chart import CHART_W, SLACK
    from journeymap.rendering.measured.flows import draw_sankey

    edges = graph.edges.to_pylist()  # the biggest first
    chain = _main_path(edges, [r["event"] for r in graph.nodes.to_pylist()])
    others = [r["event"] for r in graph.nodes.to_pylist()
              if r["event"] not in chain and r["event"] not in (START, END)]  # fmt: skip
    occurrences = {r["event"]: r["occurrences"] for r in graph.nodes.to_pylist()}
    order = chain + others
    width = (CHART_W / max(1, len(order)) - 8) / SLACK
    index = {name: i for i, name in enumerate(order)}
    nodes = pa.Table.from_pylist(
        [
            {"touchpoint": name, "name": "\n".join(_name_lines(name, width, 11, 3)),
             "stage": "main" if name in chain else "other",
             "stage_name": "the main path" if name in chain else "other events",
             "index": i, "customers": occurrences[name]}
            for i, name in enumerate(order)
        ]
    )  # fmt: skip
    links = pa.Table.from_pylist(
        [
            {"source": e["from"], "target": e["to"], "customers": e["count"],
             "designed": index[e["to"]] == index[e["from"]] + 1, "share": None}
            for e in edges
            if e["from"] in index and e["to"] in index and e["from"] != e["to"]
        ],
        schema=pa.schema([("source", pa.string()), ("target", pa.string()),
                          ("customers", pa.int64()), ("designed", pa.bool_()),
                          ("share", pa.float64())]),
    )  # fmt: skip
    svg = draw_sankey(
        nodes,
        links,
        title=title,
        legend=(
            "the main path: from the commonest first event, each time its commonest next one",
            "off the path: skipping ahead (over) or going back (under)",
            "Thickness: transitions; bar height: occurrences of the event.",
        ),
        unit="times",
    )
    return SvgFigure(svg, title)
