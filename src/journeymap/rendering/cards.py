"""The layout of the map's cards: the stage headers, the lanes of one box per touchpoint
(customer actions, touchpoints, thoughts) and the lanes of stacked cards (pain points,
opportunities, back stage, KPIs).

Stacked cards are placed on a :class:`~journeymap.rendering.grid.Skyline`: each card goes
below whatever is already in the sub-columns it spans. A card tied to a touchpoint sits in that
touchpoint's sub-column; a card tied only to a stage spans the stage.
"""

from __future__ import annotations

from journeymap import _numbers as nb
from journeymap.model.emotion import format_level
from journeymap.model.journey import JourneyMap, Opportunity, PainPoint
from journeymap.model.kpi import KPI
from journeymap.model.touchpoint import Stage, Touchpoint
from journeymap.rendering.blocks import (
    ARROW,
    BODY,
    CARD_TITLE,
    LANE_PAD,
    MARK,
    PAD,
    PIN_ICON,
    SMALL,
    STAGE_NAME,
    Block,
    Para,
    quote,
    shift,
    stack,
    tp_card,
    tp_paras,
)
from journeymap.rendering.grid import Filled, Grid, Skyline
from journeymap.rendering.text import LINE_HEIGHT
from journeymap.rendering.view import (
    Box,
    BoxKind,
    KpiCard,
    LaneKey,
    Pin,
    Rect,
    StageColumn,
    SubColumn,
    TouchpointCard,
)

__all__ = ["backstage_lane", "kpi_card", "kpi_lane", "pin_lane", "row_lane", "stage_headers"]


def stage_headers(m: JourneyMap, grid: Grid, y: float) -> tuple[list[StageColumn], float]:
    """The chevron of every stage, all as tall as the tallest, and where they end."""
    blocks = []
    for stage in m.stages:
        start, end = grid.ranges[stage.id]
        x, w = grid.span_box(start, end)
        paras = [Para(stage.name, STAGE_NAME, bold=True, tone="inverse")]
        if stage.customer_goal:
            paras.append(
                Para(f"Goal: {stage.customer_goal}", BODY, tone="inverse-muted", gap_before=3)
            )
        paras += _stage_feeling(m, stage)
        inner = ARROW / 2 + PAD + 2
        blocks.append((stage, x, w, stack(paras, x + inner, 0.0, w - 2 * inner)))
    h = max((b.height for *_, b in blocks), default=0.0) + 2 * PAD + 2
    columns = []
    for stage, x, w, block in blocks:
        start, end = grid.ranges[stage.id]
        subs = tuple(SubColumn(s.tp.id if s.tp else None, s.x, s.w) for s in grid.slots[start:end])
        box = Box(
            "stage",
            Rect(x, y, w, h),
            shift(block.lines, y + (h - block.height) / 2),
            stage_id=stage.id,
        )
        sx = grid.slots[start].x
        columns.append(StageColumn(stage.id, stage.name, sx, grid.span_w(start, end), subs, box))
    return columns, y + h


def _stage_feeling(m: JourneyMap, stage: Stage) -> list[Para]:
    """A stage's own emotion and observed behaviour, in its header when it has touchpoints
    (a stage without them draws its emotion on the curve: :mod:`~journeymap.rendering.curve`)."""
    if not stage.touchpoints:
        return []
    out: list[Para] = []
    value = m.emotion_value(stage.emotion) if stage.emotion is not None else None
    if stage.emotion is not None and value is not None:
        word = str(stage.emotion).strip()
        word = word[:1].upper() + word[1:]
        text = word if word.lstrip("+-\u2212").isdigit() else f"{word} {format_level(value)}"
        out.append(Para(f"Stage emotion: {text}", BODY, tone="inverse-muted", gap_before=3))
    if stage.observed_behavior:
        out.append(
            Para(f"Seen: {stage.observed_behavior}", BODY, tone="inverse-muted", gap_before=2)
        )
    return out


# ---- one box per touchpoint -------------------------------------------------------------------


def row_lane(grid: Grid, key: LaneKey, kind: BoxKind, y: float) -> Filled | None:
    """A lane of one box per touchpoint, all boxes as tall as the tallest."""
    made: list[tuple[int, float, float, Block]] = []
    for i, slot in enumerate(grid.slots):
        if slot.tp is None:
            continue
        paras = _row_paras(key, slot.tp)
        if not paras:
            continue
        x, w = grid.slot_box(i)
        made.append((i, x, w, stack(paras, x + PAD, PAD, w - 2 * PAD)))
    if not made:
        return None
    content = max(b.height for *_, b in made) + 2 * PAD
    filled = Filled(grid.lane(key, y, content))
    top = filled.lane.y + LANE_PAD
    for i, x, w, block in made:
        tp = grid.slots[i].tp
        assert tp is not None
        box = Box(
            kind,
            Rect(x, top, w, content),
            shift(block.lines, top),
            stage_id=grid.slots[i].stage.id,
            touchpoint_id=tp.id,
        )
        if key == "touchpoints":
            filled.cards.append(tp_card(box, tp, block.tops, top))
        else:
            filled.boxes.append(box)
    return filled


def _row_paras(key: LaneKey, tp: Touchpoint) -> list[Para]:
    if key == "actions":
        return [Para(a, BODY, bullet=True, gap_before=3) for a in tp.actions]
    if key == "thoughts":
        return [Para(quote(t), BODY, italic=True, gap_before=5) for t in tp.thoughts]
    return tp_paras(tp)


# ---- pain points and opportunities ----------------------------------------------------------


def pin_lane(
    m: JourneyMap, grid: Grid, key: LaneKey, items: list[PainPoint] | list[Opportunity], y: float
) -> Filled | None:
    """Pain points or opportunities as cards under their touchpoint (or across their stage)."""
    if not items or not grid.slots:
        return None
    # the stage of every touchpoint, once (``m.stage_id_of`` looks through the whole map)
    stage_of: dict[str, str] = {}
    for stage, tp in m.iter_touchpoints():
        stage_of.setdefault(tp.id, stage.id)
    placed: list[tuple[int, int, str | None, PainPoint | Opportunity]] = []
    for item in items:
        stage_id = item.stage or (stage_of.get(item.touchpoint) if item.touchpoint else None)
        start, end = grid.span_of(stage_id, item.touchpoint)
        placed.append((start, end, stage_id, item))
    # cards for a whole stage first, then those under a touchpoint; file order otherwise
    placed.sort(key=lambda p: p[1] - p[0] == 1 and p[3].touchpoint is not None)
    sky = Skyline(len(grid.slots), 0.0)
    made: list[Pin] = []
    for start, end, stage_id, item in placed:
        x, w = grid.span_box(start, end)
        pin = _pin(m, item, x, w, stage_id)
        dy = sky.place(start, end, pin.box.rect.h)
        made.append(pin.moved(0.0, dy))
    lane = grid.lane(key, y, sky.height)
    return Filled(lane, pins=[p.moved(0.0, lane.y + LANE_PAD) for p in made])


def _pain_paras(item: PainPoint) -> list[Para]:
    paras = [Para(item.name, CARD_TITLE, bold=True, indent=PIN_ICON + 7)]
    # a default the map's author did not give is not drawn (an import of tables without a
    # Severity column does not make every pain point 'Medium severity')
    given = item.model_fields_set
    facts = [f"{item.severity.capitalize()} severity" if "severity" in given else "",
             item.frequency or ""]  # fmt: skip
    if any(facts):
        paras.append(Para(" \u00b7 ".join(f for f in facts if f), SMALL, bold=True, tone="pain"))
    if item.departments:
        paras.append(Para(f"Teams: {', '.join(item.departments)}", SMALL, tone="muted"))
    if item.source:
        paras.append(Para(f"Source: {item.source}", SMALL, tone="muted"))
    return paras


def _opportunity_paras(m: JourneyMap, item: Opportunity) -> list[Para]:
    paras = [Para(item.name, CARD_TITLE, bold=True, indent=PIN_ICON + 7)]
    if item.expected_outcome:
        paras.append(Para(f"Outcome: {item.expected_outcome}", BODY, gap_before=2))
    who = item.owner or item.department
    given = item.model_fields_set  # defaults the author did not give are not drawn
    status = item.status.replace("-", " ") if "status" in given else ""
    facts = [who or "", status, f"{item.priority} priority" if "priority" in given else ""]
    if any(facts):
        paras.append(
            Para(" \u00b7 ".join(f for f in facts if f), SMALL, tone="muted", gap_before=2)
        )
    if item.kpi is not None:
        kpi = next((k for k in m.kpis if k.id == item.kpi), None)
        name = kpi.name if kpi else item.kpi
        target = (
            f" \u2192 {nb.figure(item.kpi_target, kpi.unit if kpi else None)}"
            if item.kpi_target is not None
            else ""
        )
        paras.append(Para(f"KPI: {name}{target}", SMALL, tone="opportunity"))
    return paras


def _pin(
    m: JourneyMap, item: PainPoint | Opportunity, x: float, w: float, stage_id: str | None
) -> Pin:
    """The card of a pain point (severity, teams, source) or an opportunity (outcome, owner,
    status, priority, KPI), in stage ``stage_id``, with its icon beside the title."""
    # a severity or priority the author did not give is no level ('': a neutral bar)
    given = item.model_fields_set
    if isinstance(item, PainPoint):
        kind: BoxKind = "pain"
        level = item.severity if "severity" in given else ""
        paras = _pain_paras(item)
    else:
        kind, level = "opportunity", item.priority if "priority" in given else ""
        paras = _opportunity_paras(m, item)
    block = stack(paras, x + PAD + 3, PAD, w - 2 * PAD - 3)
    h = block.height + 2 * PAD
    first_h = max(LINE_HEIGHT * CARD_TITLE, 0.0)
    icon = Rect(x + PAD + 3, PAD + (first_h - PIN_ICON) / 2, PIN_ICON, PIN_ICON)
    box = Box(
        kind,
        Rect(x, 0.0, w, h),
        tuple(block.lines),
        stage_id=stage_id,
        touchpoint_id=item.touchpoint,
        item_id=item.id,
    )
    return Pin("pain" if kind == "pain" else "opportunity", box, box.stage_id, item.touchpoint,
               level, icon)  # fmt: skip


# ---- back stage ---------------------------------------------------------------------------


def backstage_lane(m: JourneyMap, grid: Grid, y: float) -> Filled | None:
    """The systems behind each front-stage touchpoint, and the back-stage and support
    touchpoints under the first front-stage touchpoint they support."""
    systems = [(i, s.tp) for i, s in enumerate(grid.slots) if s.tp and s.tp.systems]
    back = [(st, tp) for st, tp in m.iter_touchpoints() if tp.lane != "frontstage"]
    if (not systems and not back) or not grid.slots:
        return None
    sky = Skyline(len(grid.slots), 0.0)
    boxes: list[Box] = []
    cards: list[TouchpointCard] = []
    for i, tp in systems:
        x, w = grid.slot_box(i)
        paras = [
            Para("Systems", SMALL, bold=True, tone="muted"),
            *(Para(s, BODY, bullet=True) for s in tp.systems),
        ]
        block = stack(paras, x + PAD, PAD, w - 2 * PAD)
        h = block.height + 2 * PAD
        dy = sky.place(i, i + 1, h)
        stage_id = grid.slots[i].stage.id
        boxes.append(Box("systems", Rect(x, dy, w, h), shift(block.lines, dy), stage_id, tp.id))
    for stage, tp in back:
        start, end = grid.ranges[stage.id]
        # under the first front-stage touchpoint it supports (in its stage), else where
        # the stage has most room
        supported = [grid.tp_slot[t] for t in tp.supports if t in grid.tp_slot]
        inside = [i for i in supported if start <= i < end]
        i = inside[0] if inside else sky.lowest(start, end)
        x, w = grid.slot_box(i)
        paras = tp_paras(tp)
        if tp.systems:
            paras.append(Para(f"Systems: {', '.join(tp.systems)}", SMALL, tone="muted"))
        block = stack(paras, x + PAD, PAD, w - 2 * PAD)
        h = block.height + 2 * PAD
        dy = sky.place(i, i + 1, h)
        box = Box("backstage", Rect(x, dy, w, h), shift(block.lines, dy), stage.id, tp.id)
        cards.append(tp_card(box, tp, block.tops, dy))
    lane = grid.lane("backstage", y, sky.height)
    dy = lane.y + LANE_PAD
    return Filled(
        lane, boxes=[b.moved(0.0, dy) for b in boxes], cards=[c.moved(0.0, dy) for c in cards]
    )


# ---- KPIs ---------------------------------------------------------------------------------


def kpi_lane(m: JourneyMap, grid: Grid, y: float) -> Filled | None:
    """The KPIs of a stage or a touchpoint, under it (those of the whole journey are in the
    header)."""
    items = [k for k in m.kpis if k.stage is not None or k.touchpoint is not None]
    if not items or not grid.slots:
        return None
    sky = Skyline(len(grid.slots), 0.0)
    made: list[KpiCard] = []
    for kpi in items:
        stage_id = kpi.stage
        if stage_id is None and kpi.touchpoint is not None:
            try:
                stage_id = m.stage_of(kpi.touchpoint).id
            except KeyError:
                stage_id = None
        start, end = grid.span_of(stage_id, kpi.touchpoint)
        i = sky.lowest(start, end)
        x, w = grid.slot_box(i)
        card = kpi_card(kpi, x, 0.0, w, stage_id=stage_id)
        dy = sky.place(i, i + 1, card.box.rect.h)
        made.append(card.moved(0.0, dy))
    lane = grid.lane("kpis", y, sky.height)
    return Filled(lane, kpis=[c.moved(0.0, lane.y + LANE_PAD) for c in made])


def kpi_card(kpi: KPI, x: float, y: float, w: float, *, stage_id: str | None) -> KpiCard:
    """A KPI's card: its name, value and target, on or off target, its period."""
    paras = [Para(kpi.name, BODY, bold=True)]
    if kpi.value is not None:
        value = nb.figure(kpi.value, kpi.unit)
        target = "" if kpi.target is None else f"  \u00b7  target {nb.figure(kpi.target, kpi.unit)}"
        paras.append(Para(f"{value}{target}", 13, bold=True, gap_before=2))
    elif kpi.target is not None:
        paras.append(Para(f"Target {nb.figure(kpi.target, kpi.unit)}", BODY, gap_before=2))
    else:
        paras.append(Para("No value yet", SMALL, tone="muted", gap_before=2))
    on = kpi.on_target
    status_at = len(paras)
    if on is not None:
        word = "On target" if on else "Off target"
        paras.append(Para(word, SMALL, bold=True, tone="muted", indent=MARK + 5))
    if kpi.period:
        paras.append(Para(kpi.period, SMALL, tone="muted"))
    block = stack(paras, x + PAD, y + PAD, w - 2 * PAD)
    marker = None
    if on is not None:
        top = block.tops[status_at]
        marker = Rect(x + PAD, top + (LINE_HEIGHT * SMALL - MARK) / 2, MARK, MARK)
    box = Box(
        "kpi",
        Rect(x, y, w, block.height + 2 * PAD),
        tuple(block.lines),
        stage_id=stage_id,
        touchpoint_id=kpi.touchpoint,
        item_id=kpi.id,
    )
    return KpiCard(box, on, marker)
