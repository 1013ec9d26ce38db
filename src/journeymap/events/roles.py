"""The roles of an event log's columns: which input column holds the customer, the time, the
event, and the optional session, channel, value and lifecycle transition.

Each role is a column named by the caller, or found by its name (:data:`ROLE_NAMES`,
compared without case, spaces, dots, dashes or colons; the first candidate present wins; a
column plays one role). Two columns whose names differ only in that way (``Date`` and
``date``) are not chosen between: the role must be given. Customer, time and event are
required, unless every row is the same event (``default_event``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from journeymap.engine.reading import ambiguous_role, missing_column, name_key
from journeymap.errors import EvidenceError

__all__ = ["ROLES", "ROLE_NAMES", "Columns", "Role", "detect_roles"]

Role = Literal["customer", "time", "event", "session", "channel", "value", "lifecycle"]
#: every role, in the order they are looked for
ROLES: tuple[Role, ...] = (
    "customer", "time", "event", "session", "channel", "value", "lifecycle",
)  # fmt: skip

#: Column names recognised for each role, most specific first (compared without case,
#: spaces, dots, dashes or colons: ``case:concept:name`` ~ ``caseconceptname``).
ROLE_NAMES: dict[Role, tuple[str, ...]] = {
    "customer": (
        "customer_id", "customerid", "user_id", "userid", "user_pseudo_id", "case:concept:name",
        "case_id", "caseid", "client_id", "clientid", "visitor_id", "account_id", "member_id",
        "person_id", "contact_id", "uid", "customer", "user", "client", "case", "visitor",
    ),
    "time": (
        "time:timestamp", "timestamp", "event_timestamp", "event_time", "eventtime", "datetime",
        "date_time", "created_at", "occurred_at", "time", "ts", "event_date", "date",
    ),
    "event": (
        "event_name", "eventname", "event", "concept:name", "activity", "activity_name",
        "action", "event_type", "eventtype", "step", "page", "name",
    ),
    "session": ("session_id", "sessionid", "ga_session_id", "session", "visit_id"),
    "channel": ("channel", "case:channel", "source", "medium", "platform", "device"),
    "value": ("value", "revenue", "amount", "dollar_value", "order_value", "price"),
    # XES' lifecycle extension (start, complete, schedule, ...), as pm4py and CSV exports
    # name it; names like event_type or status are not taken: they often hold other things
    "lifecycle": ("lifecycle:transition", "lifecycle", "transition", "lifecycle_state"),
}  # fmt: skip


@dataclass(frozen=True)
class Columns:
    """Which input column plays which role.

    ``event`` is ``None`` when the log has no event column and every row is the same event
    (``read_events(..., default_event="purchase")``).
    """

    customer: str
    time: str
    event: str | None
    session: str | None = None
    channel: str | None = None
    value: str | None = None
    #: the lifecycle transition of each event (XES ``lifecycle:transition``: start, complete)
    lifecycle: str | None = None


#: the roles every log needs (the event unless every row is the same event)
_REQUIRED: tuple[Role, ...] = ("customer", "time", "event")


def detect_roles(
    columns: Sequence[str],
    given: dict[Role, str | None],
    source: str,
    *,
    default_event: str | None,
) -> Columns:
    """The column of each role among ``columns``: as ``given`` (checked), else found by
    name; an :class:`EvidenceError` naming the flags when a required one is not found."""
    by_norm: dict[str, str] = {}
    alike: dict[str, list[str]] = {}
    for c in columns:
        by_norm.setdefault(name_key(c), c)
        alike.setdefault(name_key(c), []).append(c)
    chosen: dict[Role, str | None] = {}
    for role, name in given.items():
        if name is None:
            continue
        if name not in columns:
            flag = "--lifecycle-column" if role == "lifecycle" else f"--{role}"
            raise EvidenceError(missing_column(source, name, columns, wanted=f"for {flag}"))
        chosen[role] = name
    taken = {c for c in chosen.values() if c is not None}
    for role in ROLES:
        if role in chosen:
            continue
        if role == "event" and default_event is not None:
            chosen[role] = None
            continue
        found = next(
            (
                by_norm[name_key(cand)]
                for cand in ROLE_NAMES[role]
                if name_key(cand) in by_norm and by_norm[name_key(cand)] not in taken
            ),
            None,
        )
        chosen[role] = found
        if found is not None:
            rivals = [c for c in alike[name_key(found)] if c not in taken]
            if len(rivals) > 1:  # "Date" and "date": taking the first would be a guess
                flag = "--lifecycle-column" if role == "lifecycle" else f"--{role}"
                raise EvidenceError(ambiguous_role(source, role, rivals, flag))
            taken.add(found)
    missing = [r for r in _REQUIRED if chosen[r] is None and not (r == "event" and default_event)]
    if missing:
        hints = "; ".join(f"--{r} COL (e.g. {', '.join(ROLE_NAMES[r][:4])})" for r in missing)
        if "event" in missing:
            hints += "; or, when every row is the same event, --default-event NAME"
        raise EvidenceError(
            f"{source}: cannot tell which column holds the {' and the '.join(missing)}; the "
            f"columns are: {', '.join(columns)}. Say it with {hints}"
        )
    return Columns(
        customer=str(chosen["customer"]),
        time=str(chosen["time"]),
        event=chosen["event"],
        session=chosen["session"],
        channel=chosen["channel"],
        value=chosen["value"],
        lifecycle=chosen["lifecycle"],
    )
