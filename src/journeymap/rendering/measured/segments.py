"""The segments side by side (``measure --by COL``): :func:`segment_data` -> a table in the
report, one column per segment.

A segment is the events whose column holds one value; a customer whose events hold several
values is in several segments. Whether a journey is abandoned or in progress is judged against
the end of the whole data, not of the segment's own events (docs/measure.md, "Filters,
segments and lifecycles").
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from journeymap.model.journey import JourneyMap
from journeymap.model.measurement import Measurement, SegmentMeasure
from journeymap.rendering.measured._chart import arrow_table
from journeymap.rendering.measured.outcomes import OUTCOME_KINDS, outcome_kind

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["EMPTY_SEGMENT", "segment_data", "segment_label"]

#: how a segment of the events without a value is named
EMPTY_SEGMENT = "(empty)"


def segment_label(segment: SegmentMeasure) -> str:
    """A segment's name: its value, or :data:`EMPTY_SEGMENT` for the events without one."""
    return segment.value if segment.value is not None else EMPTY_SEGMENT


def segment_data(m: JourneyMap, measurement: Measurement) -> pa.Table:
    """One row per segment and figure, the segments in the measurement's order: ``column,
    segment`` (the value; null: the events without one), ``label`` (the value, or
    ``(empty)``), ``figure`` and its ``key, name, kind, customers, share``:

    - ``customers``: the segment's customers (``name`` is ``Customers``, no share);
    - ``outcome``, one per way a journey can end (``key``: the outcome's, ``kind`` as in
      :func:`~journeymap.rendering.measured.outcomes.outcome_data`, in that order): the
      segment's journeys that end so and their share of its journeys;
    - ``reach``, one per stage of the map (``key``: the stage id): the segment's customers
      who reach the stage and their share of its customers.

    Every segment has the same figures in the same order; a figure a segment lacks has 0
    customers and no share. Empty without segments."""
    segments = measurement.segments
    outcomes: dict[str, str] = {}
    for s in segments:
        for each in s.outcomes:
            outcomes.setdefault(each.key, each.name)
    keys = sorted(outcomes, key=lambda k: OUTCOME_KINDS.index(outcome_kind(k)))
    rows: list[dict[str, Any]] = []
    for s in segments:
        seg = {"column": s.column, "segment": s.value, "label": segment_label(s)}
        rows.append(seg | {"figure": "customers", "key": None, "name": "Customers",
                           "kind": None, "customers": s.customers, "share": None})  # fmt: skip
        got = {o.key: o for o in s.outcomes}
        for key in keys:
            o = got.get(key)
            rows.append(seg | {"figure": "outcome", "key": key, "name": outcomes[key],
                               "kind": outcome_kind(key), "customers": o.customers if o else 0,
                               "share": o.share if o else None})  # fmt: skip
        stages = {st.stage: st for st in s.stages}
        for stage in m.stages:
            st = stages.get(stage.id)
            rows.append(seg | {"figure": "reach", "key": stage.id, "name": stage.name,
                               "kind": None, "customers": st.customers if st else 0,
                               "share": st.reach_share if st else None})  # fmt: skip
    return arrow_table(
        rows,
        "column:str segment:str label:str figure:str key:str name:str kind:str customers:int "
        "share:float",
    )
