"""The shared ordered pass: each event's position in its journey, its next event and the gap.

Sorting every customer's events is the expensive part of journey analytics; aggregating is
cheap. So the log is prepared once — ordered by (customer[, session], time, input order),
each event given its position, the next event and the time to it — and materialised in the
engine; flows, paths, funnels, step times, sessions, discovery and retention read the
prepared table.

The prepared table is **coded**: customers, journeys and event names are integers, and only
what the analyses read travels through the sort. A sort keyed and loaded with integers is
much cheaper than one carrying strings, and so is every aggregate after it
(benchmarks/ANALYSIS.md: the ordered pass at 10M events went from 7.4 s to about 2.5 s).
Analyses decode names at the end, on their small results.

- Event names are numbered 1.. in their sorted order, from the reader's counts (or a scan).
- On DuckDB a customer's code is its 64-bit hash (63 bits kept): no scan for a dictionary and
  no join. Two customers with one code would be one journey, so a second, independent hash
  travels through the sort, and a journey in which it changes makes the pass start again
  with customers numbered from a ``SELECT DISTINCT`` (as on Spark). Only a collision of
  both hashes (about 2^-126 per pair of customers) would go unseen. The dictionary of
  hashed codes is computed only if something asks for it (:meth:`Prepared.named`).

A *journey* is the unit the order applies to: a customer (``per="customer"``), or a session
of a customer (``per="session"``, from the log's session column).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

from journeymap.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Callable

    import ibis.expr.types as ir
    import pyarrow as pa

    from journeymap.events.read import EventLog

__all__ = [
    "Per",
    "Preparations",
    "Prepared",
    "adopt",
    "completed",
    "dense_customers",
    "events_of",
    "hashed_customers",
    "journey_key",
    "order_keys",
    "prepare",
    "prepared",
    "seconds_between",
    "stored",
]

Per = Literal["customer", "session"]


@dataclass(frozen=True)
class Prepared:
    """A prepared log. ``table`` has one row per event, coded:

    ============  =======  ================================================================
    column        type     meaning
    ============  =======  ================================================================
    journey       int64    the journey's code (the customer's, or one per customer+session)
    cid           int64    the customer's code (``customers`` decodes it)
    code          int32    the event name's code, 1.. in the sorted order of the names
    next_code     int32    the next event's code in the journey, null for the last
    ts, ts_sub    as the log's
    seq           int64    the input order (the log's)
    pos           int64    1-based position in the journey
    next_ts       ts       the next event's time, null for the last
    gap_s         float64  seconds to the next event (to the ns), null for the last
    is_first      boolean  pos == 1
    is_last       boolean  no next event
    ============  =======  ================================================================

    ``codes`` is the event dictionary (``event, code``), ``customers`` the customer
    dictionary (``customer, cid``). :meth:`named` gives the table with names.
    """

    log: EventLog
    table: ir.Table
    per: Per
    codes: ir.Table
    customers: ir.Table

    def named(self) -> ir.Table:
        """``table`` with the names: ``customer``, ``event`` and ``next_event`` (strings).
        Joins to the dictionaries: for analyses that need names on every row."""
        t, codes, customers = self.table, self.codes, self.customers
        nxt = codes.select(next_code=codes.code, next_event=codes.event)
        out = t.join(customers, "cid").join(codes, "code").left_join(nxt, "next_code")
        return out.select(*t.columns, "customer", "event", "next_event")

    def code_of(self, names: list[str] | tuple[str, ...]) -> list[int]:
        """The codes of these event names (names the log does not have are left out)."""
        wanted = set(names)
        return [k for k, name in enumerate(self.names(), 1) if name in wanted]

    def names(self) -> list[str]:
        """Every event name of the log, in code order (code k is ``names()[k - 1]``)."""
        return list(self._names)

    def name_array(self) -> pa.Array:
        """:meth:`names` as an Arrow string array (code k is item k - 1), as the engine gave
        it: building one from Python strings would import pandas."""
        return self._name_array

    @cached_property
    def _name_array(self) -> pa.Array:
        column = self.log.engine.run(self.codes.order_by("code")).column("event")
        return column.combine_chunks()

    @cached_property
    def _names(self) -> tuple[str, ...]:
        return tuple(str(r) for r in self._name_array.to_pylist())

    def decode(self, result: ir.Table, **columns: str) -> ir.Table:
        """``result`` with code columns replaced by names: ``decode(r, from_code="from")``
        puts a string column ``from`` where ``from_code`` was (a null code stays null)."""
        for code_col, name_col in columns.items():
            d = self.codes.select(**{code_col: self.codes.code, name_col: self.codes.event})
            order = [name_col if c == code_col else c for c in result.columns]
            result = result.left_join(d, code_col).select(order)
        return result


@dataclass
class Preparations:
    """What has been prepared of one log, kept with it (``EventLog.preparations``) so that
    every analysis of the log orders it once. Written only by this module: :func:`prepare`,
    and :func:`adopt` for tables prepared elsewhere (sessions, a cache file)."""

    #: the event dictionary (``event, code``) and the customer dictionary (``customer, cid``)
    dictionaries: tuple[ir.Table, ir.Table] | None = None
    #: whether the customer codes are the customers' hashes (``None``: not known)
    hashed: bool | None = None
    per_customer: Prepared | None = None
    per_session: Prepared | None = None
    #: where :func:`prepare` computes a prepared table (``place(expr, per)``, a table of a
    #: cache file being written) instead of the engine's own tables
    place: Callable[[ir.Table, Per], ir.Table] | None = None
    #: called with what :func:`prepare` makes from now on (a cache keeps it; it may put
    #: in its place the same table read from where it is kept)
    keeper: Callable[[Prepared], None] | None = None

    def get(self, per: Per) -> Prepared | None:
        return self.per_customer if per == "customer" else self.per_session

    def put(self, ready: Prepared) -> None:
        if ready.per == "customer":
            self.per_customer = ready
        else:
            self.per_session = ready


def journey_key(t: ir.Table, per: Per) -> ir.StringValue:
    """The journey as text: the customer, or the customer and the session."""
    if per == "customer":
        return t.customer
    if "session" not in t.columns:
        raise UsageError(
            "--per session needs a session column (--session COL) or sessions made with "
            "`journeymap events sessions --session-gap 30m`"
        )
    # the customer is part of the key: session ids are often only unique per customer
    return t.customer.concat("\x1f", t.session.fill_null(""))


def order_keys(t: ir.Table) -> list[ir.Value]:
    """The order of events within a journey: time, then sub-µs time, then input order."""
    return [t.ts, t.ts_sub, t.seq]


def seconds_between(
    ts_from: ir.TimestampValue,
    sub_from: ir.IntegerValue,
    ts_to: ir.TimestampValue,
    sub_to: ir.IntegerValue,
) -> ir.FloatingValue:
    """Seconds from one (timestamp, sub-µs ns) instant to another, to the nanosecond."""
    micros = ts_to.delta(ts_from, unit="microsecond").cast("float64")
    return (micros + (sub_to - sub_from).cast("float64") / 1000.0) / 1_000_000.0


def _plus_gap(ts: ir.TimestampValue, gap_s: ir.FloatingValue) -> ir.TimestampValue:
    """``ts`` plus ``gap_s`` seconds, to the µs: the next event's time from the gap, which is
    whole µs over 10^6 (exact back to the µs for gaps under 30 years). Null with the gap."""
    micros = (gap_s * 1_000_000.0).round().cast("int64")
    return ts + micros.as_interval("us")


def dense_customers(log: EventLog) -> bool:
    """Whether the prepared log's customer codes are numbers 1..N (not hashes)."""
    return log.preparations.hashed is False


def prepared(log: EventLog, *, per: Per = "customer") -> Prepared | None:
    """The log's prepared table if it has been made already, else ``None``."""
    return log.preparations.get(per)


def adopt(
    log: EventLog,
    *,
    codes: ir.Table,
    customers: ir.Table,
    customer: ir.Table | None = None,
    session: ir.Table | None = None,
    dictionaries: bool = False,
) -> None:
    """Keep tables prepared elsewhere as ``log``'s prepared tables (per ``customer``, per
    ``session``), coded with ``codes`` and ``customers``: :func:`journeymap.events.sessions.
    sessions` makes both at once, a cache file holds one. ``dictionaries``: also code what is
    prepared later with these dictionaries."""
    kept = log.preparations
    if customer is not None:
        kept.per_customer = Prepared(log, customer, "customer", codes, customers)
    if session is not None:
        kept.per_session = Prepared(log, session, "session", codes, customers)
    if dictionaries:
        kept.dictionaries = (codes, customers)


def events_of(log: EventLog) -> tuple[ir.Table, Prepared | None]:
    """The log's events for an analysis that needs no order, and the prepared log they
    come from. With a prepared log (already computed and kept), the coded table (columns
    ``cid, code, ts, ...``); else ``log.table`` (``customer, event, ts, ...``) and ``None``."""
    ready = prepared(log, per="customer") or prepared(log, per="session")
    return (ready.table, ready) if ready is not None else (log.table, None)


def _hash63(value: ir.StringValue) -> ir.IntegerValue:
    """DuckDB's 64-bit hash of a string, as a non-negative BIGINT (its upper 63 bits)."""
    import ibis

    hashed = ibis.udf.scalar.builtin(lambda x: None, name="hash", signature=(("string",), "uint64"))
    return (hashed(value) >> 1).cast("int64")


def hashed_customers(log: EventLog) -> ir.Table:
    """The customer dictionary (``customer, cid``) of a log coded by the customers' hashes:
    an expression, computed only where it is used (decoding a customer)."""
    people = log.table.select("customer").distinct()
    return people.mutate(cid=_customer_hash(people.customer))


def _customer_hash(customer: ir.StringValue) -> ir.IntegerValue:
    """The customer's code on DuckDB (see :func:`prepare`)."""
    return _hash63(customer)


def _customer_check(customer: ir.StringValue) -> ir.IntegerValue:
    """A second hash of the customer, independent of :func:`_customer_hash`'s: two
    customers with one code almost surely differ in it (see :func:`prepare`)."""
    return _hash63(customer.concat("\x1f"))


def _dictionaries(log: EventLog, *, hashed: bool) -> tuple[ir.Table, ir.Table]:
    """(event codes, customer codes) of the log, made once. The event codes come from the
    reader's counts or a scan. The customer codes are the customers' hashes (``hashed``:
    nothing is computed until the dictionary is used) or numbers from a scan."""
    import ibis

    kept = log.preparations
    if kept.dictionaries is not None:
        return kept.dictionaries
    engine, t = log.engine, log.table
    # event codes in the sorted order of the names: sequences of codes then sort as the
    # sequences of names do (paths' ties), and a code decodes by position
    if log.event_names is not None:  # the reader counted them
        known = list(log.event_names)
        numbered: dict[str, list[Any]] = {"event": known, "code": list(range(1, len(known) + 1))}
        codes = engine.from_columns(numbered, {"event": "string", "code": "int32"}, prefix="codes")
    else:
        names = t.select("event").distinct()
        names = names.mutate(code=(ibis.row_number().over(order_by=names.event) + 1).cast("int32"))
        codes = engine.materialise(names, prefix="codes")
    people = t.select("customer").distinct()
    if hashed:
        customers = hashed_customers(log)
    else:
        # any numbering will do (codes never leave an analysis); DuckDB numbers the
        # distinct values as they stream out, Spark needs an order for row_number
        over = {"order_by": people.customer} if engine.kind == "spark" else {}
        people = people.mutate(cid=(ibis.row_number().over(**over) + 1).cast("int64"))
        customers = engine.materialise(people, prefix="customers")
    kept.dictionaries = (codes, customers)
    kept.hashed = hashed
    return codes, customers


def prepare(log: EventLog, *, per: Per = "customer") -> Prepared:
    """Order the log once and keep the result in the engine (cached per ``per``)."""

    ready = prepared(log, per=per)
    if ready is not None:
        return ready
    journey_key(log.table, per)  # a clear error before any work
    kept = log.preparations
    # DuckDB codes customers by their hash, without a scan or a join (0.7 s of 10M events);
    # a dictionary made otherwise (Spark, a collision, a cache file) is joined
    known = kept.hashed if kept.hashed is not None else kept.dictionaries is None
    ready = _prepare(log, per, hashed=log.engine.kind == "duckdb" and known)
    if ready is None:  # two customers (or sessions) share a hash: number them instead
        kept.dictionaries = None
        kept.hashed = False
        # a table prepared with the hashes is coded otherwise: it is prepared again if asked
        kept.per_customer = kept.per_session = None
        ready = _prepare(log, per, hashed=False)
        assert ready is not None
    kept.put(ready)
    if kept.keeper is not None:
        kept.keeper(ready)
    found = kept.get(per)
    assert found is not None
    return found


def _prepare(log: EventLog, per: Per, *, hashed: bool) -> Prepared | None:
    """The prepared log; ``None`` if ``hashed`` and two customers share a hash."""
    import ibis

    codes, customers = _dictionaries(log, hashed=hashed)
    sub = log.sub_microsecond
    carried = ["customer", "event", "ts", "seq"] + (["ts_sub"] if sub else [])
    if per == "session":
        carried.append("session")
    t = log.table.select(carried)
    t = t.join(codes, "event")
    if hashed:
        t = t.mutate(cid=_customer_hash(t.customer), check=_customer_check(t.customer))
    else:
        t = t.join(customers, "customer")
    if per == "session" and hashed:
        # one code per (customer, session): its hash, as the customer's, with a second one
        # that tells two journeys of one code apart (then they are numbered, as on Spark);
        # numbering them from a scan costs a sort of the pairs on one thread and a join
        # (benchmarks/ANALYSIS.md)
        key = t.customer.concat("\x1f", t.session.fill_null(""))
        t = t.mutate(journey=_hash63(key), check=_hash63(key.concat("\x1f")))
        journey = t.journey
    elif per == "session":
        # one code per (customer, session): the journeys, from a scan
        t = t.mutate(session=t.session.fill_null(""))
        pairs = t.select("cid", "session").distinct()
        w_all = ibis.window(order_by=[pairs.cid, pairs.session])
        pairs = pairs.mutate(journey=(ibis.row_number().over(w_all) + 1).cast("int64"))
        t = t.join(pairs, ["cid", "session"])
        journey = t.journey
    else:
        journey = t.cid
    keys = [t.ts, t.ts_sub, t.seq] if sub else [t.ts, t.seq]
    w = ibis.window(group_by=journey, order_by=keys)
    cols: dict[str, Any] = {
        "cid": t.cid,
        "code": t.code,
        "ts": t.ts,
        "seq": t.seq,
        "pos": (ibis.row_number().over(w) + 1).cast("int64"),
        "next_code": t.code.lead().over(w),
        "next_ts": t.ts.lead().over(w),
    }
    if per == "session":
        cols["journey"] = t.journey
    if sub:
        cols["ts_sub"] = t.ts_sub
        cols["next_sub"] = t.ts_sub.lead().over(w)
    if hashed:
        # a journey holding two customers or sessions (one hash) has two values of the
        # second hash
        cols["mixed"] = (t.check.lead().over(w) != t.check).fill_null(False)
    p = t.select(**cols)
    if sub:
        gap = seconds_between(p.ts, p.ts_sub, p.next_ts, p.next_sub)
    else:
        gap = p.next_ts.delta(p.ts, unit="microsecond").cast("float64") / 1_000_000.0
    # is_first and is_last are not stored: they cost more to write than to compute; on
    # DuckDB neither is the next time of a log without sub-µs times (the time plus the gap)
    p = p.mutate(gap_s=gap)
    derived_next = not sub and log.engine.kind == "duckdb"
    if derived_next:
        p = p.drop("next_ts")
    place = log.preparations.place
    if place is not None:  # a cache file's table (replaced by the next try on a collision)
        kept = place(p, per)
    else:
        kept = log.engine.materialise(p, prefix="prepared", rows=log.size)
    if hashed and log.engine.scalar(kept.mixed.any()):
        if place is None:
            log.engine.drop(kept)
        return None
    table = completed(kept, per, sub=sub, derived_next=derived_next)
    return Prepared(log, table, per, codes, customers)


def stored(ready: Prepared) -> ir.Table:
    """The columns of a prepared table that cannot be derived from the others (what a cache
    file keeps; :func:`completed` gives the rest back): 28% less to write and to read than
    the whole table at 10M events (benchmarks/ANALYSIS.md)."""
    sub = ready.log.sub_microsecond
    t = ready.table
    names = ["cid", "code", "next_code", "ts", "seq", "pos", "gap_s"]
    if ready.per == "session":
        names.insert(0, "journey")
    if sub:
        names += ["ts_sub", "next_ts"]
    return t.select(names)


def completed(kept: ir.Table, per: Per, *, sub: bool, derived_next: bool) -> ir.Table:
    """The columns every prepared table has, in one order, from those kept (constants and
    what follows from the others are not stored: ``derived_next``, the next event's time
    is the time plus the gap)."""
    import ibis

    zero = ibis.literal(0, type="int64")
    return kept.select(
        journey=kept.journey if per == "session" else kept.cid,
        cid=kept.cid,
        code=kept.code,
        next_code=kept.next_code,
        ts=kept.ts,
        ts_sub=kept.ts_sub if sub else zero,
        seq=kept.seq,
        pos=kept.pos,
        next_ts=_plus_gap(kept.ts, kept.gap_s) if derived_next else kept.next_ts,
        gap_s=kept.gap_s,
        is_first=kept.pos == 1,
        is_last=kept.next_code.isnull(),
    )
