"""A deterministic, realistic e-commerce clickstream for the benchmarks.

    python benchmarks/generate.py --events 10000000 --out benchmarks/data/events-10m.parquet

Customers come in three segments (browsers, shoppers, loyal buyers) that differ in how far
they get down the funnel and how often they come back. Each customer has one or more
sessions weeks apart (inactivity gaps far above 30 minutes); a session is a walk through

    home -> category -> product -> cart -> checkout -> payment -> purchase

with drop-off at every step, loops (product <-> category browsing, checkout back to cart,
cart back to product, payment retried after an error), search and account pages, and
support contacts (``support_chat``, ``support_ticket``) after some payment errors. Loyal
customers buy again over months, so retention has signal. Times have microseconds (so a
tool that truncates to whole seconds shows it); no customer has two events at the same
instant, so every tool sees the same order.

Columns: ``customer_id`` (string, ``c`` + 8 hex digits), ``timestamp`` (timestamp[us, UTC]),
``event`` (string), ``session_id`` (string, ``s`` + 16 hex digits), ``channel`` (string),
``value`` (float64, the revenue of a purchase, else null).

The log is made in chunks of customers with numpy, each chunk from its own seed, so the file
for 1M events is the first customers of the file for 10M, memory stays bounded (one chunk,
about a million events, at a time) and each chunk becomes one Parquet row group. Within a
chunk the rows are in time order, as an export would be.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

EVENTS = (
    "home",  # 0
    "search",  # 1
    "category",  # 2
    "product",  # 3
    "cart",  # 4
    "checkout",  # 5
    "payment",  # 6
    "payment_error",  # 7
    "purchase",  # 8
    "support_chat",  # 9
    "support_ticket",  # 10
    "account",  # 11
)
EXIT = len(EVENTS)
IDX = {name: i for i, name in enumerate(EVENTS)}

#: next-event probabilities; whatever is left of 1 is the probability of leaving
BASE: dict[str, dict[str, float]] = {
    "home": {"search": 0.15, "category": 0.42, "product": 0.10, "account": 0.05},
    "search": {"product": 0.55, "category": 0.15, "search": 0.10},
    "category": {"product": 0.60, "category": 0.10, "search": 0.05, "home": 0.05},
    "product": {"cart": 0.22, "category": 0.25, "product": 0.20, "search": 0.05},
    "cart": {"checkout": 0.55, "product": 0.15},
    "checkout": {"payment": 0.65, "cart": 0.10},
    "payment": {"purchase": 0.80, "payment_error": 0.12},
    "payment_error": {"payment": 0.40, "support_chat": 0.30, "support_ticket": 0.10},
    "purchase": {"home": 0.05, "account": 0.10},
    "support_chat": {"payment": 0.30, "support_ticket": 0.10},
    "support_ticket": {"home": 0.10},
    "account": {"home": 0.30, "product": 0.10},
}
#: the steps a segment's intent scales (the rest of the row is kept, the exit absorbs it)
PROGRESS = (("product", "cart"), ("cart", "checkout"), ("checkout", "payment"))
SEGMENTS = (
    # share, intent, mean sessions, mean days between sessions
    (0.55, 0.55, 1.6, 24.0),  # browsers
    (0.35, 1.00, 3.0, 16.0),  # shoppers
    (0.10, 1.45, 8.0, 9.0),  # loyal buyers
)
START = {"home": 0.55, "category": 0.15, "product": 0.15, "search": 0.15}
#: median seconds spent before each event (log-normal), capped below the 30 min session gap
DWELL = {
    "home": 20, "search": 15, "category": 25, "product": 45, "cart": 30, "checkout": 60,
    "payment": 90, "payment_error": 6, "purchase": 20, "support_chat": 150,
    "support_ticket": 400, "account": 30,
}  # fmt: skip
CHANNELS = ("web", "app", "email", "ad", "social")
CHANNEL_P = (0.50, 0.30, 0.08, 0.07, 0.05)
EPOCH_START_US = 1_704_067_200_000_000  # 2024-01-01T00:00:00Z
DAY_US = 86_400_000_000
MAX_STEPS = 60
YEARS = 2
CUSTOMERS_PER_CHUNK = 50_000

SCHEMA = pa.schema(
    [
        ("customer_id", pa.string()),
        ("timestamp", pa.timestamp("us", tz="UTC")),
        ("event", pa.string()),
        ("session_id", pa.string()),
        ("channel", pa.string()),
        ("value", pa.float64()),
    ]
)


def _matrices() -> np.ndarray:
    """Cumulative transition probabilities, shape (segments, states, states + exit)."""
    out = np.zeros((len(SEGMENTS), EXIT, EXIT + 1))
    for s, (_, intent, _, _) in enumerate(SEGMENTS):
        for src, row in BASE.items():
            probs = np.zeros(EXIT + 1)
            for dst, p in row.items():
                probs[IDX[dst]] = p
            for a, b in PROGRESS:
                if a == src:  # scale by intent, leaving at least 5% to leave
                    rest = probs[:EXIT].sum() - probs[IDX[b]]
                    probs[IDX[b]] = min(probs[IDX[b]] * intent, 0.95 - rest)
            probs[EXIT] = 1.0 - probs[:EXIT].sum()
            assert probs[EXIT] > 0, (src, probs)
            out[s, IDX[src]] = np.cumsum(probs)
    out[..., -1] = 1.0
    return out


CUM = _matrices()
START_CUM = np.cumsum([START.get(e, 0.0) for e in EVENTS])
START_CUM[-1] = 1.0
LOG_DWELL = np.log(np.array([DWELL[e] for e in EVENTS], dtype=float))
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _hex_ids(prefix: bytes, numbers: np.ndarray, digits: int) -> pa.Array:
    """``prefix`` + ``digits`` lowercase hex digits of each number, as an Arrow string array."""
    n = len(numbers)
    chars = np.empty((n, len(prefix) + digits), dtype=np.uint8)
    chars[:, : len(prefix)] = np.frombuffer(prefix, dtype=np.uint8)
    shifts = np.arange(4 * (digits - 1), -1, -4, dtype=np.uint64)
    chars[:, len(prefix) :] = _HEX[(numbers[:, None] >> shifts) & np.uint64(15)]
    raw = chars.reshape(-1).tobytes()
    width = chars.shape[1]
    offsets = pa.array(np.arange(0, (n + 1) * width, width, dtype=np.int32))
    return pa.StringArray.from_buffers(n, offsets.buffers()[1], pa.py_buffer(raw))


def _scramble(index: np.ndarray, bits: int) -> np.ndarray:
    """A bijection of [0, 2**bits) so ids look random but never collide."""
    x = index.astype(np.uint64)
    if bits == 32:
        return (x * np.uint64(2_654_435_761) + np.uint64(0x5BD1E995)) & np.uint64(0xFFFFFFFF)
    with np.errstate(over="ignore"):
        return x * np.uint64(0x9E3779B97F4A7C15) + np.uint64(0x632BE59BD9B4E019)


def _walk(rng: np.random.Generator, segment: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Simulate sessions: (session index, state) of every event, in session then step order."""
    n = len(segment)
    state = np.searchsorted(START_CUM, rng.random(n), side="right")
    alive = np.arange(n)
    sessions, states, steps = [], [], []
    for step in range(MAX_STEPS):
        sessions.append(alive)
        states.append(state)
        steps.append(np.full(len(alive), step, dtype=np.int16))
        cum = CUM[segment[alive], state]
        nxt = (rng.random(len(alive))[:, None] >= cum).sum(axis=1)
        keep = nxt != EXIT
        alive, state = alive[keep], nxt[keep]
        if len(alive) == 0:
            break
    s = np.concatenate(sessions)
    e = np.concatenate(states)
    order = np.lexsort((np.concatenate(steps), s))
    return s[order], e[order]


def chunk(seed: int, number: int, first_customer: int, first_session: int) -> pa.Table:
    """One chunk of customers (``CUSTOMERS_PER_CHUNK``), rows in customer, then time order."""
    rng = np.random.default_rng([seed, number])
    n_cust = CUSTOMERS_PER_CHUNK
    shares = np.array([s[0] for s in SEGMENTS])
    segment = rng.choice(len(SEGMENTS), size=n_cust, p=shares / shares.sum())
    mean_sessions = np.array([s[2] for s in SEGMENTS])[segment]
    n_sess = rng.geometric(1.0 / mean_sessions)
    n_sess = np.minimum(n_sess, 60)
    total_sess = int(n_sess.sum())
    sess_cust = np.repeat(np.arange(n_cust), n_sess)
    sess_seg = segment[sess_cust]
    # session starts: first visit anywhere in 2024, then weeks apart (at least 45 minutes)
    first = rng.integers(0, 366 * DAY_US, size=n_cust)
    mean_gap = np.array([s[3] for s in SEGMENTS])[sess_seg] * DAY_US
    gaps = (rng.exponential(1.0, size=total_sess) * mean_gap).astype(np.int64) + 45 * 60_000_000
    sess_first = np.r_[0, np.cumsum(n_sess)[:-1]]
    gaps[sess_first] = 0
    csum = np.cumsum(gaps)
    start = EPOCH_START_US + first[sess_cust] + csum - np.repeat(csum[sess_first], n_sess)
    channel = rng.choice(len(CHANNELS), size=total_sess, p=CHANNEL_P)
    # the log covers two years: later sessions are not in it
    inside = start < EPOCH_START_US + YEARS * 365 * DAY_US
    start, channel, sess_cust, sess_seg = (
        start[inside],
        channel[inside],
        sess_cust[inside],
        sess_seg[inside],
    )
    total_sess = len(start)

    ev_sess, ev_state = _walk(rng, sess_seg)
    n_ev = len(ev_sess)
    # seconds before each event (the first of a session starts at the session start)
    dwell = np.exp(LOG_DWELL[ev_state] + 0.8 * rng.standard_normal(n_ev))
    dwell_us = np.clip((dwell * 1e6).astype(np.int64), 1_000_000, 25 * 60_000_000)
    dwell_us += rng.integers(0, 1_000_000, size=n_ev)  # sub-second part
    first_of_sess = np.r_[True, ev_sess[1:] != ev_sess[:-1]]
    dwell_us[first_of_sess] = 0
    c = np.cumsum(dwell_us)
    starts_at = np.flatnonzero(first_of_sess)
    run = np.diff(np.r_[starts_at, n_ev])
    ts = start[ev_sess] + c - np.repeat(c[starts_at], run)

    ev_chan = channel[ev_sess]
    ev_chan = np.where(ev_state == IDX["support_chat"], len(CHANNELS), ev_chan)
    ev_chan = np.where(ev_state == IDX["support_ticket"], len(CHANNELS) + 1, ev_chan)
    value = np.where(
        ev_state == IDX["purchase"],
        np.round(np.exp(4.0 + 0.6 * rng.standard_normal(n_ev)), 2),
        np.nan,
    )

    cust_ids = _hex_ids(b"c", _scramble(np.arange(n_cust) + first_customer, 32), 8)
    sess_ids = _hex_ids(b"s", _scramble(np.arange(total_sess) + first_session, 64), 16)
    event_names = pa.array(EVENTS)
    channel_names = pa.array((*CHANNELS, "chat", "email"))
    return pa.table(
        {
            "customer_id": cust_ids.take(pa.array(sess_cust[ev_sess])),
            "timestamp": pa.array(ts, type=pa.timestamp("us", tz="UTC")),
            "event": event_names.take(pa.array(ev_state)),
            "session_id": sess_ids.take(pa.array(ev_sess)),
            "channel": channel_names.take(pa.array(ev_chan)),
            "value": pa.array(value, from_pandas=True),
        },
        schema=SCHEMA,
    ).replace_schema_metadata({"n_sessions": str(total_sess)})


def generate(events: int, out: Path, *, seed: int = 7, csv: Path | None = None) -> dict[str, int]:
    """Write ``events`` events to ``out`` (Parquet) and optionally ``csv``; return counts."""
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    writer = pq.ParquetWriter(tmp, SCHEMA, compression="zstd")
    csv_writer = None
    csv_tmp = None
    if csv is not None:
        csv_tmp = csv.with_name(csv.name + ".tmp")
        csv_writer = pacsv.CSVWriter(csv_tmp, SCHEMA)
    written = customers = sessions = 0
    number = 0
    try:
        while written < events:
            t = chunk(seed, number, number * CUSTOMERS_PER_CHUNK, sessions)
            sessions += int(t.schema.metadata[b"n_sessions"])
            number += 1
            room = events - written
            if t.num_rows > room:
                t = t.slice(0, room)  # the last customer's journey is cut off, like an export
            customers += len(pc.unique(t.column("customer_id")))
            order = pc.sort_indices(t, [("timestamp", "ascending")])
            t = t.take(order).replace_schema_metadata(None)
            writer.write_table(t, row_group_size=t.num_rows)
            if csv_writer is not None:
                csv_writer.write_table(t)
            written += t.num_rows
    finally:
        writer.close()
        if csv_writer is not None:
            csv_writer.close()
    tmp.replace(out)
    if csv is not None and csv_tmp is not None:
        csv_tmp.replace(csv)
    return {"events": written, "customers": customers, "chunks": number}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, required=True, help="number of events, e.g. 10000000")
    ap.add_argument("--out", type=Path, required=True, help="the Parquet file to write")
    ap.add_argument("--csv", type=Path, help="also write the same rows as CSV here")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    counts = generate(args.events, args.out, seed=args.seed, csv=args.csv)
    took = time.perf_counter() - t0
    print(
        f"{args.out}: {counts['events']:,} events, {counts['customers']:,} customers, "
        f"{counts['chunks']} row groups in {took:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
