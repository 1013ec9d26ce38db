"""Which lanes a map's visual draws, in what order, and the lanes of the map's own.

The built-in lanes (:data:`~journeymap.model.journey.BUILTIN_LANES`) come in their fixed order,
the map's own lanes (``lanes:`` in the map file, e.g. "Regulation", "Partner") after the
opportunities, above the line of visibility. ``journeymap render --lanes`` names the lanes to
draw, in the order to draw them; a lane with nothing in it is left out as always.
"""

from __future__ import annotations

from collections.abc import Sequence

from journeymap.errors import UsageError
from journeymap.model.journey import BUILTIN_LANES, JourneyMap, Lane
from journeymap.rendering.blocks import BODY, LANE_PAD, PAD, SMALL, Para, shift, stack
from journeymap.rendering.grid import Filled, Grid, Skyline
from journeymap.rendering.view import Box, Rect

__all__ = ["custom_lane", "lane_order"]

#: other names a user may give a built-in lane
_ALIASES = {
    "pain-points": "pains",
    "pain_points": "pains",
    "pain": "pains",
    "actions-items": "opportunities",
    "action-items": "opportunities",
    "back-stage": "backstage",
    "emotions": "emotion",
    "kpi": "kpis",
    "quotes": "thoughts",
}


def lane_order(m: JourneyMap, lanes: Sequence[str] | None) -> list[str]:
    """The keys of the lanes to lay out, top to bottom: every lane by default, else those
    named in ``lanes`` (built-in keys, or ids or names of the map's own lanes), in that order.
    An unknown name is a :class:`UsageError` listing the known ones."""
    own = [lane.id for lane in m.lanes]
    default = [*BUILTIN_LANES[:7], *own, *BUILTIN_LANES[7:]]
    if lanes is None:
        return default
    by_name = {lane.name.strip().lower(): lane.id for lane in m.lanes}
    chosen: list[str] = []
    for raw in lanes:
        word = raw.strip().lower()
        if not word:
            continue
        key = _ALIASES.get(word, word)
        key = by_name.get(key, key)
        if key not in default:
            raise UsageError(f"unknown lane {raw.strip()!r}; expected one of: {', '.join(default)}")
        if key not in chosen:
            chosen.append(key)
    if not chosen:
        raise UsageError(f"no lane chosen; expected one or more of: {', '.join(default)}")
    return chosen


def custom_lane(m: JourneyMap, grid: Grid, lane: Lane, y: float) -> Filled | None:
    """A lane of the map's own: each card under its touchpoint, or across its stage."""
    if not lane.items or not grid.slots:
        return None
    stage_of = {tp.id: stage.id for stage, tp in m.iter_touchpoints()}
    placed = []
    for k, item in enumerate(lane.items):
        stage_id = item.stage or (stage_of.get(item.touchpoint) if item.touchpoint else None)
        start, end = grid.span_of(stage_id, item.touchpoint)
        placed.append((start, end, stage_id, k, item))
    # cards of a whole stage first, then those under a touchpoint; file order otherwise
    placed.sort(key=lambda p: (p[1] - p[0] == 1 and p[4].touchpoint is not None, p[3]))
    sky = Skyline(len(grid.slots), 0.0)
    boxes: list[Box] = []
    for start, end, stage_id, _, item in placed:
        x, w = grid.span_box(start, end)
        paras = [Para(item.text, BODY, bold=True)]
        if item.detail:
            paras.append(Para(item.detail, SMALL, tone="muted", gap_before=2))
        block = stack(paras, x + PAD + 3, PAD, w - 2 * PAD - 3)
        h = block.height + 2 * PAD
        dy = sky.place(start, end, h)
        boxes.append(
            Box("lane-item", Rect(x, dy, w, h), shift(block.lines, dy), stage_id,
                item.touchpoint, item_id=lane.id)
        )  # fmt: skip
    view = grid.lane(lane.id, y, sky.height, title=lane.name, note=lane.description)
    top = view.y + LANE_PAD
    return Filled(view, boxes=[b.moved(0.0, top) for b in boxes])
