"""The layout of the map's header: title, context and meta line, what a measured curve rests on,
the KPIs of the whole journey as a row of cards, and the persona with an avatar on the right.
"""

from __future__ import annotations

import re
from dataclasses import replace

from journeymap import _numbers as nb
from journeymap.model.journey import JourneyMap
from journeymap.model.measurement import Measurement
from journeymap.rendering.blocks import (
    AVATAR,
    BODY,
    GAP,
    HEADER_KPI_W,
    PAD,
    PERSONA_W,
    SMALL,
    SUBTITLE,
    TITLE,
    Para,
    quote,
    stack,
)
from journeymap.rendering.cards import kpi_card
from journeymap.rendering.grid import MARGIN
from journeymap.rendering.view import Box, Header, KpiCard, Rect, Text

__all__ = ["header"]


def header(m: JourneyMap, width: float, measurement: Measurement | None) -> tuple[Header, float]:
    """The header of a canvas ``width`` wide, and where it ends.

    The persona's card comes first, on the left, kept compact (a few lines of each field), so
    that the first screen of a wide map shows who it is for and the map below, not a band
    reserved for the card at the far right of the canvas; title, context and the journey's
    KPIs follow to its right.
    """
    persona, avatar, initials = None, None, None
    left = MARGIN
    bottom = MARGIN
    if m.persona is not None:
        persona, avatar, initials = _persona(m, MARGIN, MARGIN, PERSONA_W)
        left = MARGIN + PERSONA_W + 28
        bottom = persona.rect.bottom
    left_w = max(width - MARGIN - left, 240.0)
    title = stack([Para(m.name, TITLE, bold=True)], left, MARGIN, left_w)
    journey_kpis = [k for k in m.kpis if k.stage is None and k.touchpoint is None]
    sub = _subtitle(m, measurement, kpis_follow=bool(journey_kpis))
    subtitle = stack(sub, left, MARGIN + title.height, left_w)
    bottom = max(bottom, MARGIN + title.height + subtitle.height)
    # KPIs of the whole journey: a row of cards under the title
    kpis: list[KpiCard] = []
    row_top, x, row_h = MARGIN + title.height + subtitle.height + 4, left, 0.0
    for kpi in journey_kpis:
        card = kpi_card(kpi, 0.0, 0.0, HEADER_KPI_W, stage_id=None)
        if x > left and x + HEADER_KPI_W > left + left_w:
            row_top, x, row_h = row_top + row_h + GAP, left, 0.0
        kpis.append(card.moved(x, row_top))
        x += HEADER_KPI_W + GAP
        row_h = max(row_h, card.box.rect.h)
        bottom = max(bottom, row_top + row_h)
    head = Header(tuple(title.lines), tuple(subtitle.lines), persona, tuple(kpis), avatar, initials)
    return head, bottom


def _subtitle(m: JourneyMap, measurement: Measurement | None, *, kpis_follow: bool) -> list[Para]:
    """Scenario and scope, objective, owner, status, version, date; what a measured curve
    rests on; the heading of the journey's KPIs."""
    sub: list[Para] = []
    context = " \u00b7 ".join(x for x in (m.scenario, m.scope) if x)
    if context:
        sub.append(Para(context, SUBTITLE, tone="muted", gap_before=2))
    if m.objective:
        sub.append(Para(f"Objective: {m.objective}", 12.5, gap_before=4))
    meta = [f"Owner: {m.owner}" if m.owner else "", f"Status: {m.status.replace('-', ' ')}"]
    if m.version:
        meta.append(f"Version {m.version}")
    if m.updated:
        meta.append(f"Updated {m.updated.isoformat()}")
    sub.append(Para(" \u00b7 ".join(x for x in meta if x), SMALL, tone="muted", gap_before=4))
    if measurement is not None:
        sub.append(Para(_measured_line(measurement), SMALL, bold=True, gap_before=3))
    if kpis_follow:
        sub.append(Para("JOURNEY KPIS", 9.5, bold=True, tone="muted", gap_before=14))
    return sub


def _measured_line(ms: Measurement) -> str:
    """What the measured curve and the friction lane rest on, in one line under the title."""
    events = sum(s.rows_used for s in ms.sources if s.kind == "events")
    answers = sum(s.rows_used for s in ms.sources if s.kind == "feedback")
    when = ms.measured_at.date().isoformat()
    if answers:
        line = (
            f"Actual emotions measured {when} from {nb.count(answers)} feedback rows \u00b7 "
            f"{nb.percent(ms.coverage)} of touchpoints with a measured emotion"
        )
    else:
        line = f"Measured {when}: no feedback, so no measured emotion"
    if events:
        line += f" \u00b7 friction from {nb.count(events)} events"
    return line


def persona_initials(name: str) -> str:
    """The first letters of the first two words made of letters only, in the name before a
    comma, dash or bracket: ``"Maya, 34"`` -> ``"M"``, ``"Amber Lee (VIP)"`` -> ``"AL"``;
    hyphens, dots and apostrophes inside a word are fine (``"Jean-Luc"`` -> ``"J"``); no
    word of letters -> ``""``."""
    head = re.split(r",|;|\(|\s[-–—]\s", name, maxsplit=1)[0]
    for text in (head, name):
        words = [w for w in re.split(r"[\s,;:/()\[\]]+", text) if w]
        lettered = [w for w in words if re.sub(r"[-.'’]", "", w).isalpha()]
        if lettered:
            return "".join(w[0] for w in lettered[:2]).upper()
    return ""


def _persona(m: JourneyMap, x: float, y: float, w: float) -> tuple[Box, Rect, Text]:
    """The persona's card: an avatar with their initials, name and facts beside it, then
    description, quote and goals."""
    p = m.persona
    assert p is not None
    side = AVATAR + 12
    paras = [
        Para("PERSONA", 9.5, bold=True, tone="muted", indent=side),
        Para(p.name, 16, bold=True, gap_before=1, indent=side),
    ]
    facts = [str(p.age) if p.age is not None else "", p.role or "", p.segment or ""]
    if any(facts):
        facts_text = " \u00b7 ".join(f for f in facts if f)
        paras.append(Para(facts_text, BODY, tone="muted", indent=side))
    beside = len(paras)  # the paragraphs next to the avatar
    # compact: a few lines of each field, the goals on one line
    if p.description:
        paras.append(Para(p.description, BODY, gap_before=4, max_lines=3))
    if p.quote:
        paras.append(Para(quote(p.quote), BODY, italic=True, gap_before=4, max_lines=2))
    if p.goals:
        goals = "Goals: " + " \u00b7 ".join(p.goals)
        paras.append(Para(goals, BODY, gap_before=4, max_lines=3))
    inner = w - 2 * PAD - 8
    if beside < len(paras):
        # what follows starts below the avatar
        head = stack(paras[:beside], 0.0, 0.0, inner).height
        extra = max(AVATAR + 2 - head, 0.0)
        paras[beside] = replace(paras[beside], gap_before=paras[beside].gap_before + extra)
    block = stack(paras, x + PAD + 4, y + PAD + 2, inner)
    h = max(block.height, AVATAR) + 2 * PAD + 4
    avatar = Rect(x + PAD + 4, y + PAD + 4, AVATAR, AVATAR)
    letters = persona_initials(p.name)
    initials = Text(letters, avatar.x + AVATAR / 2, avatar.y + AVATAR / 2 + 0.36 * 17, 17,
                    bold=True, anchor="middle", tone="inverse")  # fmt: skip
    box = Box("persona", Rect(x, y, w, h), tuple(block.lines), item_id=p.id)
    return box, avatar, initials
