"""The demo data: a deterministic online shop with known frictions, and the map drawn for it.

:func:`generate_sample` writes three files into a folder:

``events.parquet``
    The clickstream, orders, deliveries and support contacts of ``customers`` customers over
    ``weeks`` weeks: ``customer_id, timestamp (UTC, µs), event, session_id, channel, value,
    segment``. ``value`` is the order value on ``order_placed`` and ``repeat_order`` and null
    elsewhere; ``session_id`` is null for what happens outside a visit (shipping, delivery,
    e-mail tickets).
``feedback.csv``
    Survey answers: ``response_id, customer_id, submitted_at (ISO 8601 with the survey
    tool's offset), survey (nps | csat), touchpoint, score (0-10 for NPS, 1-5 for CSAT),
    comment, segment``. CSAT is asked about Search, Product page, Checkout, Delivery and
    Support; NPS (the relationship survey, sent after the first delivery) is filed under
    Loyalty. Each touchpoint value is asked with one survey only.
``journey.yaml``
    The team's map of the same journey: six stages, thirteen touchpoints linked to the
    events (names, a glob and a regular expression) and to the feedback, the team's
    optimistic expected emotions, two pain points the team wrote (one the data confirms,
    one it does not), action items with KPI targets, and the KPIs.

The customers
-------------
Three segments, drawn at random with fixed shares: **new visitors** (45%: arrive from ads
and search, few visits, first-time buyers), **returning shoppers** (35%: come back often,
buy more and at higher value, read reviews) and **bargain hunters** (20%: many short
visits, compare and wish-list, smaller baskets). Their first visit falls in the first 85% of
the period; visits are weeks apart, clicks seconds to minutes apart, delivery days after the
order; times of day follow an evening-heavy daily curve.

The injected frictions (the ground truth in :attr:`SampleFiles.frictions`)
------------------------------------------------------------------------
1. **A confusing checkout.** A card-scheme bug refuses 80% of the payments of 40% of the
   customers (``payment_submit -> payment_error``, retried up to four times): many leave at
   the payment step and most of those never return; an account wall before the shipping
   form loses more; chats follow payment errors within minutes; checkout CSAT and the
   comments about it are bad.
2. **Slow delivery.** A share of orders (15%, 50% in weeks 5-9 when the carrier changed;
   about a third in all) misses the promised three days: ``delivery_late``, repeated
   tracking, a parcel that arrives 7-13 days after the order, tickets and chats within two
   days of the delay, bad delivery CSAT and NPS, fewer reviews and far fewer customers
   coming back.

Everything else is smooth: search and product pages score well (the team's pain point
"Search results are irrelevant" is *not* backed by the data), support answers well.

Determinism: one :class:`random.Random` seeded with ``seed`` drives every draw, rows are
written in a fixed order, nothing depends on the clock or on dict order, so the same
arguments give the same bytes.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from random import Random

from journeymap._atomic import atomic_write_bytes, atomic_write_text
from journeymap.errors import UsageError
from journeymap.measuring._sample_text import ITEMS, comment, sample_map

__all__ = [
    "EVENTS_FILE",
    "FEEDBACK_FILE",
    "FRICTIONS",
    "MAP_FILE",
    "SEGMENTS",
    "Friction",
    "SampleCounts",
    "SampleFiles",
    "generate_sample",
]

EVENTS_FILE = "events.parquet"
FEEDBACK_FILE = "feedback.csv"
MAP_FILE = "journey.yaml"

SEC = 1_000_000
MIN = 60 * SEC
HOUR = 60 * MIN
DAY = 24 * HOUR

#: The survey tool exports times in Central European time (+01:00, +02:00 in summer).
_CET, _CEST = timedelta(hours=1), timedelta(hours=2)


@dataclass(frozen=True)
class Friction:
    """One injected friction: where it is (a touchpoint id of the map) and how it shows.

    ``kind`` uses the pain-point kinds of the analysis: ``drop-off``, ``loops``, ``slow``,
    ``support``, ``low-score``, ``negative-themes``.
    """

    touchpoint: str
    kind: str
    description: str


@dataclass(frozen=True)
class SampleCounts:
    """How big the generated data is."""

    customers: int
    events: int
    responses: int
    orders: int
    late_orders: int


@dataclass(frozen=True)
class SampleFiles:
    """What :func:`generate_sample` wrote, and the ground truth of the frictions in it."""

    events: Path
    feedback: Path
    map: Path
    frictions: tuple[Friction, ...]
    counts: SampleCounts
    #: ids of pain points the team wrote that the data does not back up
    unbacked_pain_points: tuple[str, ...]
    #: first and last day with data (the map's ``updated`` is the last)
    first: date
    last: date


FRICTIONS: tuple[Friction, ...] = (
    Friction(
        "checkout",
        "drop-off",
        "Cards of one scheme are refused (40% of customers): many leave at the payment step "
        "and most of them never come back; the account wall and the shipping form lose more.",
    ),
    Friction(
        "checkout",
        "loops",
        "payment_submit -> payment_error -> payment_submit, up to four tries within the "
        "checkout (repeat events; flows show payment_error -> payment_submit).",
    ),
    Friction("checkout", "support", "Chats start within minutes of a payment error."),
    Friction("checkout", "low-score", "Checkout CSAT is the lowest of the journey."),
    Friction("checkout", "negative-themes", "Comments say the checkout kept rejecting the card."),
    Friction(
        "delivery",
        "slow",
        "Late orders (15%, 50% in weeks 5-9) arrive 7-13 days after the order instead of 1-3.",
    ),
    Friction(
        "delivery",
        "drop-off",
        "Customers whose parcel was late come back far less often (30% against 85%).",
    ),
    Friction("delivery", "support", "Tickets and chats follow a late delivery within two days."),
    Friction("delivery", "low-score", "Delivery CSAT and the NPS of late customers are low."),
    Friction("delivery", "negative-themes", "Comments say the parcel arrived a week late."),
)

UNBACKED_PAIN_POINTS: tuple[str, ...] = ("irrelevant-search-results",)


# ---- the customers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Persona:
    segment: str
    share: float
    entries: tuple[tuple[str, float], ...]  # first event of a visit and its weight
    app_share: float  # share of visits in the app (the rest on the web)
    views: tuple[int, int]  # pages per visit
    reviews: float  # chance of reading reviews after a product view
    compare: float
    wishlist: float
    cart: float  # chance a visit ends in the cart (grows with each visit)
    checkout: float  # chance a cart goes to checkout
    returns: float  # chance of another visit after one without an order
    gap_days: float  # mean days between visits
    max_visits: int
    buy_again: float  # chance a visit after the first order is a one-click reorder
    order_value: float  # median order value


PERSONAS: tuple[_Persona, ...] = (
    _Persona(
        "new visitors", 0.45, (("ad_click", 0.5), ("search", 0.3), ("home", 0.2)), 0.2,
        (2, 5), 0.35, 0.05, 0.05, 0.32, 0.82, 0.55, 9.0, 4, 0.45, 55.0,
    ),
    _Persona(
        "returning shoppers", 0.35, (("home", 0.5), ("search", 0.3), ("category", 0.2)), 0.45,
        (3, 7), 0.45, 0.08, 0.1, 0.42, 0.86, 0.8, 11.0, 8, 0.6, 85.0,
    ),
    _Persona(
        "bargain hunters", 0.2, (("ad_click", 0.35), ("search", 0.35), ("category", 0.3)), 0.3,
        (4, 8), 0.3, 0.4, 0.35, 0.3, 0.8, 0.85, 6.0, 10, 0.4, 38.0,
    ),
)  # fmt: skip

#: The customer segments (the ``segment`` column of both files).
SEGMENTS: tuple[str, ...] = tuple(p.segment for p in PERSONAS)

#: Relative traffic per hour of the day (UTC): quiet at night, busy in the evening.
_HOURS = (1, 1, 1, 1, 1, 2, 3, 5, 6, 7, 7, 8, 9, 8, 7, 7, 8, 9, 11, 13, 13, 11, 6, 3)

#: CSAT answer weights for 1..5 and NPS answer weights for 0..10, by experience.
_CSAT = {
    "good": (1, 3, 9, 40, 47),
    "fair": (6, 16, 40, 30, 8),
    "bad": (40, 33, 17, 8, 2),
}
_NPS = {
    "good": (1, 0, 1, 1, 1, 3, 5, 12, 18, 27, 31),
    "fair": (3, 3, 4, 5, 7, 10, 14, 19, 16, 10, 9),
    "bad": (12, 9, 11, 12, 12, 13, 11, 8, 5, 4, 3),
}
_EMPTY_COMMENT = {"positive": 0.25, "neutral": 0.35, "negative": 0.12}

#: An event: time (µs), customer index, its position in the customer's events, event,
#: session, channel, value. Sorting these gives the file's row order.
_Row = tuple[int, int, int, str, str | None, str, float | None]
#: A survey answer: time (µs), customer index, customer id, survey, touchpoint, score,
#: comment, segment.
_Answer = tuple[int, int, str, str, str, int, str, str]


@dataclass
class _Customer:
    index: int
    id: str
    persona: _Persona
    card_trouble: bool
    item: str
    events: list[_Row] = field(default_factory=list)
    visits: int = 0
    orders: int = 0
    payment_errors: int = 0
    late: bool = False
    nps_asked: bool = False


@dataclass(frozen=True)
class _Order:
    delivered: int
    late: bool


class _Simulation:
    """Draws every customer's visits, orders, deliveries, support contacts and answers."""

    def __init__(self, seed: int, start: datetime, weeks: int) -> None:
        self.rng = Random(seed)
        self.t0 = int(start.timestamp()) * SEC
        self.end = self.t0 + weeks * 7 * DAY
        self.responses: list[_Answer] = []
        self.orders = 0
        self.late_orders = 0
        self._hour_cum = _cumulative(_HOURS)

    # -- small draws

    def gap(self, median_s: float, spread: float = 0.6) -> int:
        """A positive time gap (µs) around ``median_s`` seconds, log-normally spread."""
        return SEC + int(self.rng.lognormvariate(math.log(median_s), spread) * SEC)

    def between(self, low_us: int, high_us: int) -> int:
        return low_us + int(self.rng.random() * (high_us - low_us))

    def pick(self, options: tuple[tuple[str, float], ...]) -> str:
        names = [o[0] for o in options]
        return self.rng.choices(names, weights=[o[1] for o in options])[0]

    def score(self, weights: tuple[int, ...], low: int) -> int:
        return low + self.rng.choices(range(len(weights)), weights=weights)[0]

    def visit_start(self, not_before: int) -> int:
        """A time of day from the daily curve, on the day of ``not_before`` or the next."""
        day = not_before - (not_before - self.t0) % DAY
        hour = self.rng.choices(range(24), cum_weights=self._hour_cum)[0]
        t = day + hour * HOUR + int(self.rng.random() * HOUR)
        return t if t > not_before else t + DAY

    # -- recording

    def emit(
        self,
        c: _Customer,
        t: int,
        event: str,
        session: str | None,
        channel: str,
        value: float | None = None,
    ) -> None:
        c.events.append((t, c.index, len(c.events), event, session, channel, value))

    def answer(
        self,
        c: _Customer,
        t: int,
        survey: str,
        touchpoint: str,
        experience: str,
        topic: str | None = None,
        days: int = 0,
    ) -> None:
        """One survey answer whose score follows ``experience`` (good | fair | bad)."""
        if survey == "nps":
            score = self.score(_NPS[experience], 0)
            mood = "negative" if score <= 6 else "neutral" if score <= 8 else "positive"
        else:
            score = self.score(_CSAT[experience], 1)
            mood = "negative" if score <= 2 else "neutral" if score == 3 else "positive"
        topic = topic or touchpoint
        if mood == "negative" and experience == "good" and topic in ("Checkout", "Delivery"):
            mood = "neutral"  # a low score after a smooth experience names no friction
        elif mood == "positive" and experience == "bad":
            mood = "neutral"  # nobody praises what just failed them
        text = ""
        if self.rng.random() >= _EMPTY_COMMENT[mood]:
            tries = max(2, c.payment_errors)
            text = comment(self.rng, topic, mood, item=c.item, days=days, tries=tries)
        self.responses.append(
            (t, c.index, c.id, survey, touchpoint, score, text, c.persona.segment)
        )

    # -- one customer

    def customer(self, index: int) -> _Customer:
        rng = self.rng
        persona = rng.choices(PERSONAS, weights=[p.share for p in PERSONAS])[0]
        c = _Customer(
            index=index,
            id=f"C{index + 1:05d}",
            persona=persona,
            card_trouble=rng.random() < 0.4,
            item=ITEMS[rng.randrange(len(ITEMS))],
        )
        first = self.t0 + int(rng.random() * 0.85 * (self.end - self.t0))
        t = self.visit_start(first)
        while True:  # every customer visits once; later visits only within the period
            c.visits += 1
            if c.orders == 0:
                t_end, order, put_off = self.browse(c, t)
                keep = persona.returns * put_off
                gap_days = persona.gap_days
            else:
                t_end, order = self.revisit(c, t)
                keep, gap_days = 0.55, 14.0
            if order is not None:
                t_end = order.delivered
                keep = 0.3 if order.late else 0.85
                gap_days = 18.0
            if c.visits >= persona.max_visits or rng.random() >= keep:
                return c
            t = self.visit_start(t_end + int(rng.expovariate(1 / gap_days) * DAY) + HOUR)
            if t >= self.end:
                return c

    def browse(self, c: _Customer, t: int) -> tuple[int, _Order | None, float]:
        """A visit before the first order: discover, consider, maybe buy."""
        rng, p = self.rng, c.persona
        sid = f"{c.id}-{c.visits:02d}"
        channel = "app" if rng.random() < p.app_share else "web"
        entry = self.pick(p.entries)
        if entry == "ad_click":
            self.emit(c, t, "ad_click", sid, "ad")
            t += self.gap(6)
            self.emit(c, t, "product_view", sid, channel)
        else:
            self.emit(c, t, entry, sid, channel)
        searched = entry == "search"
        for _ in range(rng.randint(0, 2)):  # a look around the listings first
            t += self.gap(25)
            page = self.pick((("category", 0.6), ("search", 0.4)))
            searched = searched or page == "search"
            self.emit(c, t, page, sid, channel)
        for _ in range(rng.randint(*p.views)):
            t += self.gap(35)
            if rng.random() < 0.08:  # back to the listings now and then
                page = self.pick((("category", 0.6), ("search", 0.4)))
                searched = searched or page == "search"
                self.emit(c, t, page, sid, channel)
                t += self.gap(20)
            self.emit(c, t, "product_view", sid, channel)
            if rng.random() < p.reviews:
                t += self.gap(50)
                self.emit(c, t, "reviews_read", sid, channel)
            if rng.random() < p.compare:
                t += self.gap(40)
                self.emit(c, t, "compare", sid, channel)
            if rng.random() < p.wishlist:
                t += self.gap(10)
                self.emit(c, t, "wishlist_add", sid, channel)
        if rng.random() < 0.035:  # the on-site survey widget
            asked = "Search" if searched and rng.random() < 0.6 else "Product page"
            self.answer(c, t + self.gap(20), "csat", asked, "good")
        if rng.random() >= min(0.9, p.cart + 0.08 * (c.visits - 1)):
            if rng.random() < 0.35:  # leaves from a listing page
                t += self.gap(30)
                self.emit(c, t, self.pick((("category", 0.6), ("search", 0.4))), sid, channel)
            return t, None, 1.0
        t += self.gap(20)
        self.emit(c, t, "cart_add", sid, channel)
        if rng.random() < 0.3:  # "frequently bought together", added from the cart
            t += self.gap(15)
            self.emit(c, t, "cart_add", sid, channel)
        if rng.random() >= p.checkout:
            return t, None, 1.0
        t += self.gap(25)
        self.emit(c, t, "checkout_start", sid, channel)
        if rng.random() >= 0.8:  # the account wall before the shipping form
            if rng.random() < 0.08:
                self.answer(c, t + self.gap(60), "csat", "Checkout", "fair", topic="checkout-form")
            return t, None, 0.5
        t += self.gap(80)
        self.emit(c, t, "shipping_info", sid, channel)
        if rng.random() >= 0.87:
            return t, None, 0.5
        return self.pay(c, t, sid, channel)

    def pay(self, c: _Customer, t: int, sid: str, channel: str) -> tuple[int, _Order | None, float]:
        """The payment step: a refused card is retried up to four times; before giving up,
        half the customers ask in the chat, and most of those try once more."""
        rng = self.rng
        p_error = 0.8 if c.card_trouble else 0.05
        errors, chatted = 0, False
        while True:
            t += self.gap(45 if errors == 0 else 30)
            self.emit(c, t, "payment_submit", sid, channel)
            if rng.random() >= p_error:
                break
            t += self.gap(3, 0.3)
            self.emit(c, t, "payment_error", sid, channel)
            errors += 1
            if errors < 4 and rng.random() < 0.55:
                continue
            if not chatted and rng.random() < 0.5:
                chatted = True
                t = self.chat(c, t + self.gap(240, 0.8), sid)
                if rng.random() < 0.3:
                    self.answer(c, t + self.gap(120), "csat", "Support", "good")
                if rng.random() < 0.6:
                    continue
            c.payment_errors += errors
            if rng.random() < 0.2:
                self.answer(c, t + self.gap(90), "csat", "Checkout", "bad")
            return t, None, 0.15
        c.payment_errors += errors
        t += self.gap(4, 0.3)
        value = round(self.rng.lognormvariate(math.log(c.persona.order_value), 0.45), 2)
        self.emit(c, t, "order_placed", sid, channel, value)
        if errors and not chatted and rng.random() < 0.1:
            t = self.chat(c, t + self.gap(300, 0.8), sid)
        if rng.random() < 0.15:
            self.answer(c, t + self.gap(600, 0.8), "csat", "Checkout", "bad" if errors else "good")
        return t, self.fulfil(c, t), 1.0

    def revisit(self, c: _Customer, t: int) -> tuple[int, _Order | None]:
        """A visit after the first order: a one-click reorder, or a look around."""
        rng = self.rng
        sid = f"{c.id}-{c.visits:02d}"
        channel = "app" if rng.random() < c.persona.app_share + 0.15 else "web"
        self.emit(c, t, "repeat_visit", sid, channel)
        if rng.random() < c.persona.buy_again:
            t += self.gap(70)
            value = round(rng.lognormvariate(math.log(c.persona.order_value), 0.45), 2)
            self.emit(c, t, "repeat_order", sid, channel, value)
            return t, self.fulfil(c, t)
        for _ in range(rng.randint(1, 3)):
            t += self.gap(40)
            self.emit(c, t, "product_view", sid, channel)
        if rng.random() < 0.15:
            t += self.gap(10)
            self.emit(c, t, "wishlist_add", sid, channel)
        return t, None

    def chat(self, c: _Customer, t: int, sid: str | None) -> int:
        self.emit(c, t, "chat_started", sid, "chat")
        t += self.gap(900, 0.5)
        self.emit(c, t, "ticket_resolved", sid, "chat")
        return t

    def fulfil(self, c: _Customer, placed: int) -> _Order:
        """Shipping and delivery of an order, then what the customer does about it."""
        week = (placed - self.t0) // (7 * DAY) + 1
        late = self.rng.random() < (0.5 if 5 <= week <= 9 else 0.15)
        delivered = self.ship(c, placed, late)
        self.after_delivery(c, placed, delivered, late)
        self.orders += 1
        self.late_orders += late
        return _Order(delivered, late)

    def ship(self, c: _Customer, placed: int, late: bool) -> int:
        """Shipped within a day, promised in three; a late parcel brings repeated tracking,
        a ticket and a chat soon after the promise is missed. Returns the delivery time."""
        rng = self.rng
        shipped = placed + self.between(8 * HOUR, 28 * HOUR)
        self.emit(c, shipped, "order_shipped", None, "email")
        promised = placed + 3 * DAY
        if not late:
            delivered = min(shipped + self.between(18 * HOUR, 44 * HOUR), promised - HOUR)
            delivered = max(delivered, shipped + 6 * HOUR)
            self.emit(c, self.between(shipped + HOUR, delivered), "delivery_update", None, "sms")
            return delivered
        delivered = placed + self.between(7 * DAY, 13 * DAY)
        update = shipped + self.between(12 * HOUR, 20 * HOUR)
        self.emit(c, update, "delivery_update", None, "sms")
        overdue = promised + self.between(HOUR, 8 * HOUR)
        self.emit(c, overdue, "delivery_late", None, "delivery")
        for _ in range(rng.randint(2, 4)):
            update = self.between(overdue + HOUR, delivered)
            self.emit(c, update, "delivery_update", None, "sms")
        if rng.random() < 0.6:
            opened = self.visit_start(overdue + 2 * HOUR)
            self.emit(c, opened, "ticket_opened", None, "email")
            resolved = opened + self.between(20 * HOUR, 72 * HOUR)
            self.emit(c, resolved, "ticket_resolved", None, "email")
            if rng.random() < 0.3:
                mood = "fair" if rng.random() < 0.25 else "good"
                self.answer(c, self.visit_start(resolved), "csat", "Support", mood)
        if rng.random() < 0.25:
            self.chat(c, self.visit_start(overdue + HOUR), None)
        return delivered

    def after_delivery(self, c: _Customer, placed: int, delivered: int, late: bool) -> None:
        """The parcel is in: a delivery event, perhaps a question, a review, a survey."""
        rng = self.rng
        self.emit(c, delivered, "delivered", None, "delivery")
        days = max(2, round((delivered - placed) / DAY))  # as people count: "in 2 days"
        if not late and rng.random() < 0.04:
            opened = self.visit_start(delivered + self.between(DAY, 2 * DAY))
            self.emit(c, opened, "ticket_opened", None, "email")
            resolved = opened + self.between(4 * HOUR, 30 * HOUR)
            self.emit(c, resolved, "ticket_resolved", None, "email")
        if rng.random() < (0.05 if late else 0.22):
            wrote = self.visit_start(delivered + self.between(DAY, 6 * DAY))
            self.emit(c, wrote, "review_written", None, "web")
        if rng.random() < 0.16:
            asked = self.visit_start(delivered + self.between(HOUR, 2 * DAY))
            self.answer(c, asked, "csat", "Delivery", "bad" if late else "good", days=days)
        c.orders += 1
        c.late = c.late or late
        if not c.nps_asked:
            c.nps_asked = True
            if rng.random() < 0.22:
                asked = self.visit_start(delivered + self.between(9 * DAY, 13 * DAY))
                self.nps(c, asked, days)

    def nps(self, c: _Customer, t: int, days: int) -> None:
        """The relationship NPS after the first delivery, coloured by what went wrong."""
        troubles = [
            topic
            for topic, hit in (("nps-checkout", c.payment_errors > 0), ("nps-delivery", c.late))
            if hit
        ]
        experience = "bad" if len(troubles) == 2 else "fair" if troubles else "good"
        if troubles and self.rng.random() < 0.5:
            experience = "bad"
        topic = troubles[self.rng.randrange(len(troubles))] if troubles else "nps-generic"
        self.answer(c, t, "nps", "Loyalty", experience, topic=topic, days=days)


def _cumulative(weights: tuple[int, ...]) -> list[int]:
    out, total = [], 0
    for w in weights:
        total += w
        out.append(total)
    return out


# ---- writing ---------------------------------------------------------------------------------


def _offset(t_us: int) -> timedelta:
    """Central European time: +02:00 from the last Sunday of March to that of October."""
    when = datetime.fromtimestamp(t_us / SEC, UTC)

    def last_sunday(month: int) -> datetime:
        day = datetime(when.year, month + 1, 1, 1, tzinfo=UTC) - timedelta(days=1)
        return day - timedelta(days=(day.weekday() + 1) % 7)

    return _CEST if last_sunday(3) <= when < last_sunday(10) else _CET


def _iso(t_us: int) -> str:
    t_s = t_us // SEC
    offset = _offset(t_us)
    local = datetime.fromtimestamp(t_s, UTC).replace(tzinfo=None) + offset
    hours = int(offset.total_seconds() // 3600)
    return f"{local.isoformat(timespec='seconds')}+{hours:02d}:00"


def _write_events(
    path: Path,
    rows: list[_Row],
    customers: list[_Customer],
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    ids = [c.id for c in customers]
    segments = [c.persona.segment for c in customers]
    table = pa.table(
        {
            "customer_id": pa.array([ids[r[1]] for r in rows], pa.string()),
            "timestamp": pa.array([r[0] for r in rows], pa.timestamp("us", tz="UTC")),
            "event": pa.array([r[3] for r in rows], pa.string()),
            "session_id": pa.array([r[4] for r in rows], pa.string()),
            "channel": pa.array([r[5] for r in rows], pa.string()),
            "value": pa.array([r[6] for r in rows], pa.float64()),
            "segment": pa.array([segments[r[1]] for r in rows], pa.string()),
        }
    )
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", row_group_size=1 << 20)
    atomic_write_bytes(path, sink.getvalue().to_pybytes())


def _write_feedback(path: Path, rows: list[_Answer]) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(
        [
            "response_id",
            "customer_id",
            "submitted_at",
            "survey",
            "touchpoint",
            "score",
            "comment",
            "segment",
        ]
    )
    for i, (t, _, cid, survey, touchpoint, score, text, segment) in enumerate(rows, 1):
        w.writerow([f"R{i:05d}", cid, _iso(t), survey, touchpoint, score, text, segment])
    atomic_write_text(path, buf.getvalue())


def generate_sample(
    out_dir: str | Path,
    *,
    customers: int = 3000,
    seed: int = 7,
    start: date = date(2026, 1, 5),
    weeks: int = 12,
) -> SampleFiles:
    """Write the demo event log, survey answers and journey map into ``out_dir``.

    ``customers`` customers have their first visit in the first 85% of ``weeks`` weeks from
    ``start`` (a Monday by default); the same arguments always give the same bytes (with
    the same pyarrow, whose version Parquet records). The default size (3,000 customers,
    12 weeks) gives about 82,000 events and 1,000 survey answers from about 800 customers,
    in about a second. Events are written in time order (ties: by customer, then in the
    order they happened), answers in the order they were submitted. See the module
    docstring for what is in the files. Raises :class:`UsageError` for fewer than one
    customer or week.
    """
    if customers < 1:
        raise UsageError(f"customers must be at least 1, not {customers}")
    if weeks < 1:
        raise UsageError(f"weeks must be at least 1, not {weeks}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sim = _Simulation(seed, datetime(start.year, start.month, start.day, tzinfo=UTC), weeks)
    people = [sim.customer(i) for i in range(customers)]
    rows = sorted(row for c in people for row in c.events)
    responses = sorted(sim.responses)
    events_path, feedback_path, map_path = out / EVENTS_FILE, out / FEEDBACK_FILE, out / MAP_FILE
    _write_events(events_path, rows, people)
    _write_feedback(feedback_path, responses)
    first = datetime.fromtimestamp(rows[0][0] // SEC, UTC).date()
    last_us = max(rows[-1][0], responses[-1][0] if responses else 0)
    last = datetime.fromtimestamp(last_us // SEC, UTC).date()
    _write_map(map_path, first=first, last=last, weeks=weeks)
    return SampleFiles(
        events=events_path,
        feedback=feedback_path,
        map=map_path,
        frictions=FRICTIONS,
        counts=SampleCounts(
            customers=customers,
            events=len(rows),
            responses=len(responses),
            orders=sim.orders,
            late_orders=sim.late_orders,
        ),
        unbacked_pain_points=UNBACKED_PAIN_POINTS,
        first=first,
        last=last,
    )


def _write_map(path: Path, *, first: date, last: date, weeks: int) -> None:
    from journeymap.formats import save

    save(sample_map(first=first, last=last, weeks=weeks), path)
