"""The words of the demo data: survey verbatims, how they vary, and the team's journey map.

:mod:`journeymap.measuring.sample` picks a template for each answer from the touchpoint the
survey asked about and the sentiment of the score (negative, neutral or positive), fills its
slots (``{item}``, ``{days}``, ``{tries}``) and varies it lightly, as people write: a lower-case
answer, a missing full stop, an opening word, a closing remark. Negative templates carry the
friction a customer actually met (a refused card, a late parcel), so themes and sentiment
computed from them point at the injected frictions; positive and neutral ones stay generic.

Keys of :data:`COMMENTS` are the values of the feedback's ``touchpoint`` column; the topic
keys of the NPS survey (``nps-...``) and ``checkout-form`` (the exit survey of customers who
leave at the account wall, filed under Checkout) say what the comment is about.

:func:`sample_map` is the map the shop's team drew before looking at the data: its expected
emotions are optimistic, it names one pain point the data confirms (card payments) and one it
does not (search), and none at delivery, where the data finds one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from random import Random

from journeymap.model.evidence import Insight
from journeymap.model.journey import JourneyMap, Opportunity, PainPoint, Review
from journeymap.model.kpi import KPI, Counted
from journeymap.model.outcome import Outcomes
from journeymap.model.persona import Persona
from journeymap.model.touchpoint import EventMatch, FeedbackMatch, Stage, Touchpoint

__all__ = ["COMMENTS", "ITEMS", "Sentiment", "comment", "sample_map"]

Sentiment = str  # "negative" | "neutral" | "positive"

#: What customers bought, for the ``{item}`` slot.
ITEMS: tuple[str, ...] = (
    "trainers",
    "rain jacket",
    "backpack",
    "desk lamp",
    "headphones",
    "linen shirt",
    "coffee grinder",
    "yoga mat",
    "wool scarf",
    "water bottle",
)

COMMENTS: dict[str, dict[Sentiment, tuple[str, ...]]] = {
    "Search": {
        "positive": (
            "Found what I was looking for straight away.",
            "Search suggestions were spot on, great.",
            "Typed '{item}' and the right one was the first result.",
            "Really easy to find the {item} I wanted.",
            "Filters and search work well together, love it.",
        ),
        "neutral": (
            "Search worked fine.",
            "Found the {item} after a couple of searches.",
            "Results were okay, a few odd ones in there.",
        ),
        "negative": (
            "Search showed me lots of things I did not ask for, annoying.",
            "Could not find the {item} by its name, annoying.",
        ),
    },
    "Product page": {
        "positive": (
            "Great photos and a clear description of the {item}.",
            "The reviews helped me pick the right size, very useful.",
            "Love the detailed product pages, everything I needed to know.",
            "Clear sizing and honest reviews, great.",
            "Easy to compare colours of the {item}, nice pictures.",
        ),
        "neutral": (
            "Would like more photos of the {item}.",
            "The size guide could be clearer but it was fine.",
            "Product info was okay.",
        ),
        "negative": (
            "Not enough detail about the material of the {item}, disappointing.",
            "The size guide is confusing.",
        ),
    },
    "Checkout": {
        "positive": (
            "Quick and easy checkout.",
            "Paid in seconds, no problems at all.",
            "Smooth checkout, great experience.",
            "Ordering the {item} was easy and fast.",
            "Checkout was simple, love the saved address.",
        ),
        "neutral": (
            "Checkout was okay, a bit long.",
            "Took a while to enter all my details but it worked.",
            "Too many steps to pay, but I got there.",
            "Had to create an account to order, not ideal.",
        ),
        "negative": (
            "The checkout kept rejecting my card, so frustrating.",
            "Payment failed {tries} times before I gave up. Terrible.",
            "I got a payment error every time I pressed pay.",
            "Why does the card form keep saying declined when my bank says it is fine? Awful.",
            "Card was refused again and again at checkout, I gave up on the {item}.",
            "Entered my card details {tries} times, every time an error. Very annoying.",
            "The payment page is broken, my card was rejected with no explanation.",
            "Worst checkout ever: shipping form twice and then the payment failed.",
        ),
    },
    "checkout-form": {
        "neutral": (
            "Too many steps before I could even pay.",
            "Had to create an account to order, not ideal.",
            "The shipping form asked for the same things twice.",
        ),
        "negative": (
            "Why do I need an account just to buy a {item}? Annoying.",
            "The shipping form kept losing my address, so frustrating.",
            "Gave up, the checkout asks for far too much.",
        ),
    },
    "Delivery": {
        "positive": (
            "Arrived on time and well packed.",
            "Delivery was quick, the {item} arrived in {days} days.",
            "Great delivery, parcel came earlier than expected.",
            "Fast delivery and good tracking updates, thanks.",
            "Delivered on the promised day, happy with it.",
        ),
        "neutral": (
            "Delivery was fine.",
            "Took {days} days, about what I expected.",
            "Parcel arrived, the tracking could be clearer.",
        ),
        "negative": (
            "My parcel arrived a week late.",
            "Delivery took {days} days instead of 3, really disappointed.",
            "The tracking said out for delivery for days. Terrible service.",
            "Parcel was late and nobody told me why, frustrating.",
            "Still waiting days after the promised date, no update from the courier.",
            "The {item} arrived {days} days after I ordered it, far too slow and annoying.",
            "Late delivery again, I needed the {item} for the weekend. Very disappointed.",
            "Delivery was so slow I had to chase it with customer service, not happy.",
        ),
    },
    "Support": {
        "positive": (
            "The agent sorted out my issue quickly, great help, thank you.",
            "Friendly and helpful chat, great service.",
            "Support answered within minutes, very helpful.",
            "Really helpful agent, problem solved.",
        ),
        "neutral": (
            "Took a while to get an answer but it was resolved.",
            "Support was okay.",
            "Had to wait for a reply, but they helped in the end.",
        ),
        "negative": (
            "Had to explain my problem twice, annoying.",
            "Support could not tell me where my parcel was, useless and frustrating.",
            "Slow reply and no real answer, disappointed.",
        ),
    },
    "nps-generic": {
        "positive": (
            "Great products and fair prices, I recommend you to friends.",
            "Love the shop, easy to find things and quick delivery.",
            "Always a great experience, will order again.",
            "Good quality, good service, happy customer.",
            "The {item} is great, I have already told my friends.",
        ),
        "neutral": (
            "Good shop, nothing special.",
            "Decent prices, decent service.",
            "Fine overall, a few things could be smoother.",
        ),
        "negative": (
            "Prices have gone up, not sure I will come back.",
            "The {item} was not what I expected, disappointed.",
        ),
    },
    "nps-checkout": {
        "negative": (
            "Could not pay, the checkout kept rejecting my card. I will shop elsewhere.",
            "Payment errors every time I order, too frustrating to recommend.",
            "Your checkout is broken, my card was refused {tries} times.",
        ),
        "neutral": (
            "Nice products but paying was a struggle, the card was refused at first.",
            "Good shop once the payment finally went through.",
        ),
    },
    "nps-delivery": {
        "negative": (
            "My parcel arrived a week late, I will not order again.",
            "Delivery was far too slow, {days} days for a {item}. Disappointed.",
            "Late delivery and no updates, terrible.",
        ),
        "neutral": (
            "Nice products but the delivery was late.",
            "Good shop, slow delivery this time.",
        ),
    },
}

_OPENERS: dict[Sentiment, tuple[str, ...]] = {
    "positive": ("Honestly, ", "Overall ", "So far ", "Again, "),
    "neutral": ("Overall ", "Well, ", "Hmm, "),
    "negative": ("Honestly, ", "Sorry but ", "Seriously, ", "Again, "),
}
_CLOSERS: dict[Sentiment, tuple[str, ...]] = {
    "positive": (" Thanks!", " Keep it up.", " :)", " Will be back."),
    "neutral": (" Thanks.", " That's all.", ""),
    "negative": (" Please fix this.", " Not good enough.", " Very poor.", "!!"),
}


def _pick(rng: Random, options: Sequence[str]) -> str:
    return options[rng.randrange(len(options))]


def comment(
    rng: Random, topic: str, sentiment: Sentiment, *, item: str, days: int, tries: int
) -> str:
    """A verbatim for ``topic`` (a key of :data:`COMMENTS`) in ``sentiment``, lightly varied.

    Falls back to the neutral templates of a topic that has none for ``sentiment``.
    """
    by_sentiment = COMMENTS[topic]
    options = by_sentiment.get(sentiment) or by_sentiment["neutral"]
    text = _pick(rng, options).format(item=item, days=days, tries=tries)
    r = rng.random()
    if r < 0.12:
        opener = _pick(rng, _OPENERS[sentiment])
        text = opener + text[0].lower() + text[1:]
    r = rng.random()
    if r < 0.12:
        text = text + _pick(rng, _CLOSERS[sentiment])
    r = rng.random()
    if r < 0.10:
        text = text.lower()
    elif r < 0.18:
        text = text.rstrip(".")
    return text


# ---- the team's map --------------------------------------------------------------------------


def _tp(
    id: str, name: str, channel: str, events: list[str], expected: str, *, owner: str,
    feedback: str | None = None, survey: str = "csat", **more: object,
) -> Touchpoint:  # fmt: skip
    data: dict[str, object] = {
        "id": id, "name": name, "channel": channel, "owner": owner,
        "events": EventMatch(names=events), "expected_emotion": expected, **more,
    }  # fmt: skip
    if feedback is not None:
        data["feedback"] = FeedbackMatch(values=[feedback], survey=survey)
    return Touchpoint.model_validate(data)


def _day(d: date) -> date:
    """A copy of ``d``: YAML would anchor one date object written twice (``&id001``)."""
    return date.fromordinal(d.toordinal())


def _stages() -> list[Stage]:
    web, ecom, ops, cs, crm = "web", "E-commerce", "Operations", "Customer Service", "CRM"
    return [
        Stage(
            id="discover", name="Discover", expected_emotion="Interested",
            customer_goal="Find a shop that has what I need", business_goal="Turn ads and "
            "searches into visits", touchpoints=[
                _tp("online-ads", "Online ads", "ad", ["ad_click"], "Interested",
                    owner="Marketing", description="Paid social and search ads for deals and "
                    "new arrivals."),
                _tp("site-search", "Site search", web, ["search"], "Satisfied", owner=ecom,
                    feedback="Search", actions=["Types what she is looking for"],
                    thoughts=["Will it understand what I mean?"]),
                _tp("home-category", "Home and category pages", web, ["home", "category"],
                    "Interested", owner=ecom),
            ],
        ),
        Stage(
            id="consider", name="Consider", expected_emotion="Interested",
            customer_goal="Be sure it is the right product at a fair price",
            business_goal="Answer every question on the product page", touchpoints=[
                _tp("product-page", "Product page", web, ["product_view", "reviews_read"],
                    "Interested", owner=ecom, feedback="Product page",
                    actions=["Looks at photos, sizes and reviews"]),
                _tp("compare-wishlist", "Compare and wish list", web,
                    ["compare", "wishlist_add"], "Interested", owner=ecom),
            ],
        ),
        Stage(
            id="purchase", name="Purchase", expected_emotion="Satisfied",
            customer_goal="Pay quickly and safely", business_goal="Turn carts into orders",
            touchpoints=[
                _tp("cart", "Cart", web, ["cart_add"], "Satisfied", owner=ecom),
                _tp("checkout", "Checkout", web,
                    ["checkout_start", "shipping_info", "payment_*"], "Satisfied", owner=ecom,
                    feedback="Checkout", moment_of_truth=True,
                    description="Account, shipping form and card payment.",
                    actions=["Creates an account", "Enters the address", "Pays by card"],
                    thoughts=["Almost done."], systems=["Shop checkout", "Payment gateway"]),
                _tp("order-confirmation", "Order confirmation", "email", ["order_placed"],
                    "Delighted", owner=crm),
            ],
        ),
        Stage(
            id="delivery", name="Delivery", expected_emotion="Delighted",
            customer_goal="Get the parcel on the promised day",
            business_goal="Deliver within three days, every time", touchpoints=[
                _tp("order-tracking", "Order tracking", "sms",
                    ["order_shipped", "delivery_update"], "Satisfied", owner=ops),
                _tp("delivery", "Delivery", "delivery", ["delivered", "delivery_late"],
                    "Delighted", owner=ops, feedback="Delivery", moment_of_truth=True,
                    description="Carrier delivery, promised within three days.",
                    systems=["Warehouse management system", "Carrier API"]),
            ],
        ),
        Stage(
            id="support", name="Support", expected_emotion="Satisfied",
            customer_goal="Get a problem solved without chasing",
            business_goal="Resolve contacts at the first reply", touchpoints=[
                _tp("customer-support", "Customer support", "chat",
                    ["chat_started", "ticket_*"], "Satisfied", owner=cs, feedback="Support",
                    description="Live chat on the site and e-mail tickets.",
                    systems=["Helpdesk"]),
            ],
        ),
        Stage(
            id="loyalty", name="Loyalty", expected_emotion="Delighted",
            customer_goal="Reorder without effort", business_goal="Earn the second order "
            "and a review", touchpoints=[
                _tp("product-review", "Product review", web, ["review_written"], "Satisfied",
                    owner=crm),
                _tp("repeat-purchase", "Repeat purchase", web, ["/^repeat_/"], "Delighted",
                    owner=crm, feedback="Loyalty", survey="nps",
                    description="Coming back and reordering with one click."),
            ],
        ),
    ]  # fmt: skip


def sample_map(*, first: date, last: date, weeks: int) -> JourneyMap:
    """The demo shop's map for data from ``first`` to ``last`` (``weeks`` weeks of visits)."""
    interviews = first - timedelta(days=21)
    return JourneyMap.model_validate(
        {
            "id": "demo-online-shop",
            "title": "Brightcart: from first visit to repeat order",
            "objective": "Find where shoppers struggle between the first visit and the second "
            "order, and fix what costs the most orders first.",
            "scenario": "First purchase and repeat order",
            "scope": f"{weeks} weeks of visits, orders, deliveries, support contacts and "
            "surveys.",
            "persona": Persona(
                id="maya", name="Maya, 34", age=34, role="Project manager, shops on her phone",
                description="Buys clothes and things for the home online, mostly in the "
                "evening.",
                segment="Online shoppers: new visitors, returning shoppers, bargain hunters",
                quote="I want to find it, pay and forget about it until it arrives.",
                goals=["Find the right product fast", "Get it on the promised day"],
                frustrations=["Long forms", "Parcels that do not arrive when promised"],
                data_sources=["Web analytics", "Post-purchase and delivery surveys"],
            ),
            "owner": "Head of E-commerce",
            "team": ["E-commerce", "Marketing", "Operations", "Customer Service", "CRM"],
            "status": "in-review",
            "version": "1.0",
            "updated": _day(last),
            "review": Review(
                due=last + timedelta(days=91), every="quarterly", last=_day(last),
                triggers=["Checkout or payment provider changes", "A new carrier",
                          "NPS drops by 5 points or more"],
            ),
            "stages": _stages(),
            "pain_points": [
                PainPoint(
                    id="card-payments-fail", name="Card payments fail", touchpoint="checkout",
                    description="Some customers say their card is refused at checkout.",
                    trigger="Pressing Pay", customer_reaction="Tries again, then opens a chat "
                    "or leaves.", departments=["E-commerce", "Payments"],
                    owner="Checkout Product Manager", severity="high", frequency="frequent",
                    source="Support tickets", evidence=["support-tickets"],
                ),
                PainPoint(
                    id="irrelevant-search-results", name="Search results are irrelevant",
                    touchpoint="site-search", description="Interviewees said search shows "
                    "things they did not ask for.", trigger="Searching by product name",
                    customer_reaction="Browses categories instead.", departments=["E-commerce"],
                    owner="Search Product Manager", severity="medium", frequency="occasional",
                    source="User interviews", evidence=["user-interviews"],
                ),
            ],
            "opportunities": [
                Opportunity(
                    id="simplify-checkout", name="Simplify checkout", touchpoint="checkout",
                    description="Guest checkout on one page; fix the refused card scheme.",
                    expected_outcome="Checkout conversion from about 60% to 80%; fewer "
                    "payment chats.", addresses=["card-payments-fail"],
                    owner="Checkout Product Manager", department="E-commerce",
                    priority="high", status="planned", kpi="checkout-conversion",
                    kpi_target=80, due=last + timedelta(days=60),
                ),
                Opportunity(
                    id="rebuild-search", name="Rebuild search ranking",
                    touchpoint="site-search", expected_outcome="More searches end on a "
                    "product page.", addresses=["irrelevant-search-results"],
                    owner="Search Product Manager", department="E-commerce",
                    priority="medium", status="idea", kpi="visit-conversion", kpi_target=30,
                ),
                Opportunity(
                    id="delivery-promise", name="Keep the delivery promise",
                    touchpoint="delivery", expected_outcome="95% of parcels on the promised "
                    "day; delivery CSAT above 85%.", owner="Operations Manager",
                    department="Operations", priority="medium", status="idea",
                    kpi="delivery-csat", kpi_target=85,
                ),
            ],
            "kpis": [
                KPI(id="visit-conversion", name="Visitor conversion", kind="conversion",
                    definition="Customers who order ÷ customers who visit × 100", unit="%",
                    target=30, numerator=Counted(touchpoints=["order-confirmation"])),
                KPI(id="checkout-conversion", name="Checkout conversion", kind="conversion",
                    definition="Customers who order ÷ customers who start checkout × 100",
                    unit="%", target=80, stage="purchase", touchpoint="checkout",
                    numerator=Counted(touchpoints=["order-confirmation"]),
                    denominator=Counted(touchpoints=["checkout"])),
                KPI(id="nps", name="NPS", kind="nps", unit="points", target=40,
                    definition="% promoters − % detractors of the relationship survey"),
                KPI(id="checkout-csat", name="Checkout CSAT", kind="csat", unit="%",
                    target=85, touchpoint="checkout"),
                KPI(id="delivery-csat", name="Delivery CSAT", kind="csat", unit="%",
                    target=85, touchpoint="delivery"),
                KPI(id="retention", name="Customer retention", kind="retention", unit="%",
                    target=50, period="monthly",
                    definition="customers active last month who are active this month ÷ "
                    "customers active last month × 100"),
                KPI(id="churn", name="Customer churn", kind="churn", unit="%", target=50,
                    period="monthly", definition="lost customers ÷ customers at start × 100"),
            ],
            "outcomes": Outcomes(goal=["order-confirmation", "repeat-purchase"],
                                 abandoned_after="14d"),
            "insights": [
                Insight(id="web-analytics", name="Web analytics", kind="analytics",
                        date=_day(last), description="Clickstream, orders and deliveries."),
                Insight(id="support-tickets", name="Support tickets", kind="support-tickets",
                        date=_day(last), finding="Payment problems are a frequent chat topic."),
                Insight(id="user-interviews", name="User interviews", kind="interview",
                        date=interviews, n=8,
                        finding="Three of eight interviewees disliked the search results."),
            ],
        }
    )  # fmt: skip
