"""What the columns and cells of an imported table mean: header synonyms and value words.

Headers are compared without case, spacing and punctuation ("Department(s)" = "departments");
a header that is not a synonym but close to one (a plural, a typo) is read as it, and the
import report says so.
"""

from __future__ import annotations

import difflib
import re

from journeymap._numbers import count
from journeymap.model.emotion import normalise_word
from journeymap.model.kpi import KPIKind
from journeymap.model.touchpoint import CHANNELS

__all__ = [
    "CANONICAL",
    "CHANNEL_WORDS",
    "KEY_HEADERS",
    "NO",
    "SEVERITY",
    "STATUS",
    "SYNONYMS",
    "YES",
    "channel_of",
    "hnorm",
    "kpi_kind",
    "parse_number",
    "plural",
    "resolve",
]

#: role -> the headers that mean it (compared without case, spacing and punctuation)
SYNONYMS: dict[str, tuple[str, ...]] = {
    "stage": ("Stage", "Customer Stage", "Journey Stage", "Phase", "Journey Phase", "Stage Name"),
    "touchpoint": ("Touchpoint", "Touch point", "Interaction", "Touchpoint Name"),
    "channel": ("Channel",),
    "expected_emotion": ("Expected Emotion", "Expected Feeling"),
    "actual_emotion": ("Actual Emotion", "Actual Feeling"),
    "emotion": ("Emotion", "Feeling", "Mood"),
    "gap_note": ("Gap in Experience", "Experience Gap"),
    "gap": ("Gap", "Emotion Gap"),
    "pain_point": ("Pain Point", "Friction", "Friction Point"),
    "source": ("Source of Insight", "Source", "Insight Source", "Source of Insights"),
    "observed_behavior": ("Observed Behavior", "Observed Behaviour", "Behavior", "Behaviour"),
    "action_item": ("Action Items", "Action Item", "Action", "Opportunity"),
    "expected_outcome": ("Expected Outcome", "Outcome"),
    "owner": ("Owner",),
    "customer_goal": ("Customer Goal",),
    "business_goal": ("Business Goal",),
    "description": ("Description",),
    "severity": ("Severity",),
    "departments": ("Department(s)", "Departments", "Department", "Departments Involved"),
    "trigger": ("Trigger",),
    "customer_reaction": ("Customer Reaction", "Reaction"),
    "thoughts": ("Thoughts", "Quote", "Customer Thoughts"),
    "actions": ("Actions", "Customer Actions"),
    "moment_of_truth": ("Moment of Truth",),
    "status": ("Status",),
    "period": ("Period", "Timeframe"),
    "input:customers_at_start": ("Customers at Start", "Customers at the Start"),
    "input:customers_at_end": ("Customers at End", "Customers at the End"),
    "input:new_customers": ("New Customers",),
    "input:lost_customers": ("Lost Customers",),
    "rate:retention": ("Retention Rate (%)", "Retention Rate", "Retention"),
    "rate:churn": ("Churn Rate (%)", "Churn Rate", "Churn"),
    "kpi": ("KPI", "Metric", "Key Performance Indicator"),
    "value": ("Value",),
    "target": ("Target",),
    "definition": ("Definition", "Formula"),
    "insight": ("Insight",),
    "kind": ("Kind",),
    "finding": ("Finding",),
    "date": ("Date",),
    "sample_size": ("Sample Size",),
    "link": ("Link",),
}

KEY_HEADERS = (
    "Stage, Touchpoint, Expected Emotion, Actual Emotion, Pain Point, Source of Insight, "
    "Action Items, Expected Outcome, KPI, or Period with Retention Rate (%)"
)


def hnorm(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


_BY_NORM: dict[str, str] = {hnorm(h): role for role, hs in SYNONYMS.items() for h in hs}
CANONICAL: dict[str, str] = {role: hs[0] for role, hs in SYNONYMS.items()}


def resolve(header: str) -> tuple[str, bool] | None:
    """The role of a header and whether it was an exact synonym (else a close reading)."""
    key = hnorm(header)
    if not key:
        return None
    if key in _BY_NORM:
        return _BY_NORM[key], True
    for variant in (key + "s", key[:-1] if key.endswith("s") else None):
        if variant and variant in _BY_NORM:
            return _BY_NORM[variant], False
    if len(key) >= 6:
        close = difflib.get_close_matches(key, list(_BY_NORM), n=1, cutoff=0.86)
        if close:
            return _BY_NORM[close[0]], False
    return None


# ---- values --------------------------------------------------------------------------------

CHANNEL_WORDS: dict[str, str] = {
    "website": "web",
    "web site": "web",
    "online": "web",
    "landing page": "web",
    "mobile app": "app",
    "mobile": "app",
    "e mail": "email",
    "newsletter": "email",
    "text": "sms",
    "text message": "sms",
    "call": "phone",
    "phone call": "phone",
    "call center": "phone",
    "call centre": "phone",
    "telephone": "phone",
    "live chat": "chat",
    "chatbot": "chat",
    "in store": "store",
    "shop": "store",
    "retail": "store",
    "social media": "social",
    "advert": "ad",
    "ads": "ad",
    "advertising": "ad",
    "advertisement": "ad",
    "search engine": "search",
    "review site": "review-site",
    "word of mouth": "referral",
    "shipping": "delivery",
    "webinar": "event",
    "forum": "community",
    "in app": "in-product",
    "product": "in-product",
    "docs": "document",
    "documentation": "document",
}
_CHANNELS_BY_WORD = {normalise_word(c): c for c in CHANNELS}

SEVERITY: dict[str, str] = {
    "low": "low",
    "minor": "low",
    "medium": "medium",
    "med": "medium",
    "moderate": "medium",
    "high": "high",
    "major": "high",
    "severe": "high",
    "critical": "critical",
    "blocker": "critical",
}
STATUS: dict[str, str] = {
    "idea": "idea",
    "proposed": "idea",
    "planned": "planned",
    "todo": "planned",
    "to do": "planned",
    "backlog": "planned",
    "in progress": "in-progress",
    "doing": "in-progress",
    "started": "in-progress",
    "wip": "in-progress",
    "done": "done",
    "complete": "done",
    "completed": "done",
    "closed": "done",
    "dropped": "dropped",
    "cancelled": "dropped",
    "canceled": "dropped",
    "wont do": "dropped",
}
YES = {"yes", "y", "x", "true", "1", "✓", "✔", "✅"}
NO = {"no", "n", "false", "0", "-", "–"}

_KPI_KINDS: list[tuple[str, KPIKind]] = [
    ("retention", "retention"),
    ("churn", "churn"),
    ("net promoter", "nps"),
    ("nps", "nps"),
    ("csat", "csat"),
    ("satisfaction", "csat"),
    ("ces", "ces"),
    ("effort", "ces"),
    ("abandon", "cart-abandonment"),
    ("conversion", "conversion"),
    ("resolution", "time-to-resolution"),
    ("revenue", "revenue"),
]
# thousands separated by "," or " " in groups of three: "1,000"; "1,5" is not a number
_NUMBER = re.compile(r"^([+\-−]?)\s*((?:\d{1,3}(?:[, ]\d{3})+|\d+)(?:\.\d+)?|\.\d+)\s*(.*?)$")


def channel_of(text: str) -> str | None:
    """The channel a word names ("Website" -> web), or ``None``."""
    word = normalise_word(text)
    return _CHANNELS_BY_WORD.get(word) or CHANNEL_WORDS.get(word)


def kpi_kind(name: str) -> KPIKind:
    """The kind a KPI's name suggests: "Retention Rate" -> retention; else custom."""
    low = name.lower()
    return next((k for word, k in _KPI_KINDS if re.search(rf"\b{word}", low)), "custom")


def parse_number(text: str) -> tuple[float, str] | None:
    """``"95%"`` -> ``(95.0, "%")``; ``"1,000"`` -> ``(1000.0, "")``; ``"3 days"`` ->
    ``(3.0, "days")``; ``None`` when the text is not a number (with a unit)."""
    m = _NUMBER.match(text.strip())
    if not m:
        return None
    digits = m.group(2).replace(",", "").replace(" ", "")
    try:
        value = float(digits)
    except ValueError:
        return None
    unit = m.group(3).strip()
    if unit and unit != "%" and not unit[0].isalpha():
        return None  # "1,5", "2024-Q1": not a number with a unit
    return (-value if m.group(1) in ("-", "−") else value), unit


def plural(n: int, word: str) -> str:
    """``1 row``, ``2 rows``, ``1,200 rows``; ``1 entry``, ``3 entries``."""
    if n == 1:
        return f"1 {word}"
    many = word[:-1] + "ies" if word.endswith("y") and not word.endswith("ey") else word + "s"
    return f"{count(n)} {many}"
