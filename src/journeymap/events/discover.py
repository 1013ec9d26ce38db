"""Discovery: a draft journey map proposed from an event log.

1. **Touchpoints.** The ``top_events`` events reached by the most customers (ties by name),
   of those reached by at least ``min_share`` of the customers, become touchpoints, one per
   event name.
2. **Typical order.** Each customer's first occurrence of each event is placed on its journey
   by its normalised position, (position − 1) / (events of the customer − 1): 0 at the start,
   1 at the end (0 for a one-event customer). Touchpoints are ordered by the median of that
   over the customers who reach them (ties: more customers first, then name).
3. **Stages.** The typical order is cut into ``stages`` contiguous groups (default: the square
   root of the number of touchpoints, rounded, kept within 3..6 and at most one stage per
   touchpoint) by Jenks' natural breaks on the typical positions: the cut with the least
   spread of positions within the stages, so that each stage holds events customers meet
   close together and big jumps in position separate stages.
4. **Rules.** Each touchpoint's event-matching rule (``events:``) is its event name (a
   regular expression that matches only that name when the name holds glob characters).
   Reach, typical position and the median time from the journey's start are written into
   its observed behaviour.

The draft has ids pinned (saved as written), status ``draft``, stages named "Stage 1", ...
for the team to rename.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journeymap._numbers import count, duration, percent
from journeymap.errors import UsageError
from journeymap.events.prepare import prepare, seconds_between

if TYPE_CHECKING:
    from journeymap.events.read import EventLog
    from journeymap.model import JourneyMap, Outcomes, Stage

__all__ = ["discover", "split_points"]

MIN_STAGES = 3
MAX_STAGES = 6


def _default_stages(n: int) -> int:
    return min(n, max(MIN_STAGES, min(MAX_STAGES, round(math.sqrt(n)))))


def split_points(positions: list[float], stages: int) -> list[int]:
    """Indices where new stages begin, cutting the ordered ``positions`` into ``stages``
    contiguous groups with the least sum of squared distances to their group's mean
    (Jenks' natural breaks, exact by dynamic programming; ties: the earlier cut)."""
    n = len(positions)
    k = max(1, min(stages, n))
    if n == 0 or k == 1:
        return []
    prefix, prefix_sq = [0.0], [0.0]
    for x in positions:
        prefix.append(prefix[-1] + x)
        prefix_sq.append(prefix_sq[-1] + x * x)

    def cost(a: int, b: int) -> float:  # positions[a:b]
        total = prefix[b] - prefix[a]
        return max(0.0, prefix_sq[b] - prefix_sq[a] - total * total / (b - a))

    inf = float("inf")
    # best[g][b]: least cost of cutting positions[:b] into g groups; cut[g][b]: last group's start
    best = [[inf] * (n + 1) for _ in range(k + 1)]
    cut = [[0] * (n + 1) for _ in range(k + 1)]
    best[0][0] = 0.0
    for g in range(1, k + 1):
        for b in range(g, n + 1):
            for a in range(g - 1, b):
                c = best[g - 1][a] + cost(a, b)
                if c < best[g][b] - 1e-12:
                    best[g][b], cut[g][b] = c, a
    out: list[int] = []
    b = n
    for g in range(k, 1, -1):
        b = cut[g][b]
        out.append(b)
    return sorted(out)


def _event_stats(log: EventLog, top_events: int) -> tuple[list[dict[str, Any]], int, float | None]:
    """Per frequent event: customers reaching it, median normalised first position, median
    seconds from the journey's start to it and customers whose journey it ends; the number
    of customers; and the 95th percentile of the seconds between consecutive events."""
    import ibis

    ready = prepare(log, per="customer")
    p = ready.table
    ends = p.filter(p.is_last).select("cid", n=p.pos)
    starts = p.filter(p.is_first).select("cid", t0=p.ts, s0=p.ts_sub)
    firsts = p.group_by(["cid", "code"]).aggregate(
        fp=p.pos.min(), fts=p.ts.argmin(p.pos), fsub=p.ts_sub.argmin(p.pos)
    )
    j = firsts.join(ends, "cid").join(starts, "cid")
    j = j.mutate(
        rel=(j.fp - 1).cast("float64") / ibis.greatest(j.n - 1, 1).cast("float64"),
        secs=seconds_between(j.t0, j.s0, j.fts, j.fsub),
    )
    stats = j.group_by("code").aggregate(
        customers=j.count().cast("int64"),
        position=j.rel.quantile(0.5).cast("float64"),
        seconds=j.secs.quantile(0.5).cast("float64"),
    )
    last = p.filter(p.is_last)
    lasts = last.group_by("code").aggregate(ended=last.count().cast("int64"))
    stats = stats.left_join(lasts, "code").select(stats, ended=lasts.ended.fill_null(0))
    stats = ready.decode(stats, code="event")
    stats = stats.order_by([ibis.desc("customers"), "event"]).limit(top_events)
    rows = log.engine.run(stats).to_pylist()
    got = log.engine.run(
        p.aggregate(n=p.count(where=p.is_last), gap=p.gap_s.quantile(0.95).cast("float64"))
    ).to_pylist()[0]
    return rows, int(got["n"] or 0), got["gap"]


def discover(
    log: EventLog,
    *,
    top_events: int = 30,
    stages: int | None = None,
    title: str | None = None,
    min_share: float = 0.05,
) -> JourneyMap:
    """A draft journey map from the log; see the module docstring for the method. The map
    passes :func:`journeymap.check_map` and has its ids pinned."""
    from journeymap.formats.document import pin_ids
    from journeymap.model import JourneyMap

    if top_events < 1:
        raise UsageError(f"--top-events must be at least 1, not {top_events}")
    if stages is not None and stages < 1:
        raise UsageError(f"--stages must be at least 1, not {stages}")
    if not 0.0 <= min_share <= 1.0:
        raise UsageError(f"--min-share must be between 0 and 1, not {min_share}")
    rows, total, gap = _event_stats(log, top_events)
    rows = [r for r in rows if r["customers"] >= min_share * total]
    if not rows:
        raise UsageError(
            f"no event is reached by {percent(min_share)} of the customers; lower --min-share"
        )
    rows.sort(key=lambda r: (r["position"], -r["customers"], r["event"]))
    number = min(stages, len(rows)) if stages is not None else _default_stages(len(rows))
    cuts = split_points([r["position"] for r in rows], number)
    groups = [rows[a:b] for a, b in zip([0, *cuts], [*cuts, len(rows)], strict=True)]
    source = log.report.source
    drafted = _stages(groups, total)
    outcomes, said = _outcomes(drafted, rows, gap)
    m = JourneyMap(
        name=title or f"Discovered journey: {Path(source).name or source}",
        objective="A draft discovered from an event log: rename the stages, check the order.",
        status="draft",
        stages=drafted,
        outcomes=outcomes,
        notes={
            "outcomes": said,
            "source": source,
            "method": (
                f"journeymap discover: the {len(rows)} events reached by most customers "
                f"(at least {percent(min_share)}), "
                "ordered by median normalised position of first occurrence, cut into stages "
                "by natural breaks in that position"
            ),
            "customers": str(total),
        },
    )
    return pin_ids(m)


#: an event ends at least this share of the journeys that reach it: a proposed outcome
TERMINAL_SHARE = 0.5


def _outcomes(
    stages: list[Stage], rows: list[dict[str, Any]], gap: float | None
) -> tuple[Outcomes, str]:
    """Proposed outcomes: the events that end at least half of the journeys that reach them
    (the one most customers reach as the goal, the others as other ends, for the team to
    sort), and silence longer than 95% of the gaps between events as giving up."""
    from journeymap.model import OutcomeEnd, Outcomes

    ids = {tp.name: tp.id for s in stages for tp in s.touchpoints}
    ending = sorted(
        (r for r in rows if r["customers"] and r["ended"] / r["customers"] >= TERMINAL_SHARE),
        key=lambda r: (-r["customers"], r["event"]),
    )
    after = _friendly(gap) if gap else "30d"
    if not ending:
        said = f"no event ends most journeys that reach it; abandoned after {after} (95% of gaps)"
        return Outcomes(abandoned_after=after), said
    ends = [
        OutcomeEnd(id=f"end-{ids[r['event']]}", name=r["event"], touchpoints=[ids[r["event"]]])
        for r in ending[1:]
    ]
    shares = ", ".join(f"{r['event']} ({percent(r['ended'] / r['customers'])})" for r in ending)
    said = (
        f"proposed by discover, to be checked: these events end most journeys that reach "
        f"them: {shares}; the goal is taken to be {ending[0]['event']!r}, the most reached; "
        f"a journey quiet for {after} (longer than 95% of the gaps between events) is "
        "abandoned"
    )
    return Outcomes(goal=[ids[ending[0]["event"]]], ends=ends, abandoned_after=after), said


def _friendly(seconds: float) -> str:
    """Seconds rounded up to a duration people write: ``45m``, ``6h``, ``3d``."""
    if seconds <= 3600:
        return f"{max(1, math.ceil(seconds / 60))}m"
    if seconds <= 2 * 86400:
        return f"{math.ceil(seconds / 3600)}h"
    return f"{math.ceil(seconds / 86400)}d"


def _stages(groups: list[list[dict[str, Any]]], total: int) -> list[Stage]:
    """The stages of the draft: one per group of events, a touchpoint per event, with what
    the log says of it (reach, typical position, time from the start) and its rule."""
    from journeymap.model import EventMatch, Stage, Touchpoint, slugify

    used: set[str] = set()

    def unique(slug: str) -> str:
        candidate, k = slug, 2
        while candidate in used:
            candidate, k = f"{slug}-{k}", k + 1
        used.add(candidate)
        return candidate

    out = []
    for i, group in enumerate(groups, 1):
        touchpoints = [
            Touchpoint(
                id=unique(slugify(r["event"], fallback="event")),
                name=r["event"],
                observed_behavior=(
                    f"Reached by {percent(r['customers'] / total if total else 0.0, digits=1)} "
                    f"of customers ({count(r['customers'])} of {count(total)}); typically at "
                    f"{percent(r['position'])} of the journey, {duration(r['seconds'])} after "
                    "its start (medians)."
                ),
                events=EventMatch.exactly(r["event"]),
            )
            for r in group
        ]
        first, last = group[0]["event"], group[-1]["event"]
        out.append(
            Stage(
                id=unique(f"stage-{i}"),
                name=f"Stage {i}",
                description=f"From {first!r} to {last!r}" if first != last else repr(first),
                touchpoints=touchpoints,
            )
        )
    return out
