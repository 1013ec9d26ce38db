"""Small line icons drawn as SVG shapes: one per channel, and the map's markers.

Every channel icon lives in a 24 x 24 box and is drawn with strokes only, in the colour given;
``{c}`` in the markup stands for that colour (for the few filled dots). Icons are plain shapes,
no text and no fonts, so they look the same in a browser, in PNG and in PDF.
"""

from __future__ import annotations

import math

from journeymap.model.touchpoint import CHANNEL_ALIASES
from journeymap.rendering.svgkit import num, points

__all__ = ["CHANNEL_ICONS", "channel_icon", "marker_star", "star_points"]

_DOT = '<circle cx="{x}" cy="{y}" r="1.15" fill="{{c}}" stroke="none"/>'


def _dots(*points: tuple[float, float]) -> str:
    return "".join(_DOT.format(x=x, y=y) for x, y in points)


#: Inner markup of each channel's icon (24 x 24, strokes in ``{c}``).
CHANNEL_ICONS: dict[str, str] = {
    "web": (
        '<circle cx="12" cy="12" r="9"/><ellipse cx="12" cy="12" rx="4" ry="9"/>'
        '<path d="M3 12h18M4.6 7.5h14.8M4.6 16.5h14.8"/>'
    ),
    "app": '<rect x="6.5" y="2.5" width="11" height="19" rx="2.2"/><path d="M10.5 18.3h3"/>',
    "email": (
        '<rect x="2.5" y="5" width="19" height="14" rx="2"/><path d="M3.2 6.6 12 13l8.8-6.4"/>'
    ),
    "sms": (
        '<path d="M4 4.5h16A1.5 1.5 0 0 1 21.5 6v9a1.5 1.5 0 0 1-1.5 1.5h-9.5l-5 3.5v-3.5H4'
        'A1.5 1.5 0 0 1 2.5 15V6A1.5 1.5 0 0 1 4 4.5z"/>' + _dots((8, 10.5), (12, 10.5), (16, 10.5))
    ),
    "phone": (
        '<path d="M5.2 3.5h3.1l1.6 4.3-2.1 1.5a11 11 0 0 0 6.9 6.9l1.5-2.1 4.3 1.6v3.1'
        'a1.8 1.8 0 0 1-1.9 1.8A16.4 16.4 0 0 1 3.4 5.4a1.8 1.8 0 0 1 1.8-1.9z"/>'
    ),
    "chat": (
        '<path d="M4.5 3.5h9.5A1.5 1.5 0 0 1 15.5 5v6a1.5 1.5 0 0 1-1.5 1.5H8.5L5 15.5v-3h-.5'
        'A1.5 1.5 0 0 1 3 11V5a1.5 1.5 0 0 1 1.5-1.5z"/>'
        '<path d="M18.5 8h1A1.5 1.5 0 0 1 21 9.5v6a1.5 1.5 0 0 1-1.5 1.5H19v3l-3.5-3h-5'
        'A1.5 1.5 0 0 1 9 15.5v-.5"/>'
    ),
    "store": (
        '<path d="M4 10.5V20.5h16V10.5"/><path d="M2.5 9 4.5 3.5h15l2 5.5"/>'
        '<path d="M2.5 9a2.4 2.4 0 0 0 4.75 0a2.4 2.4 0 0 0 4.75 0a2.4 2.4 0 0 0 4.75 0'
        'a2.4 2.4 0 0 0 4.75 0"/><path d="M9.5 20.5v-5.5h5v5.5"/>'
    ),
    "social": (
        '<circle cx="18" cy="5.5" r="2.6"/><circle cx="6" cy="12" r="2.6"/>'
        '<circle cx="18" cy="18.5" r="2.6"/><path d="M8.3 10.8l7.4-4.1M8.3 13.2l7.4 4.1"/>'
    ),
    "ad": (
        '<path d="M3.5 9.5v5h3l8.5 4.5v-14L6.5 9.5z"/><path d="M6.5 14.5l1.6 5.5h2.6l-1.2-5"/>'
        '<path d="M18.2 9a4 4 0 0 1 0 6"/>'
    ),
    "podcast": (
        '<rect x="9" y="2.5" width="6" height="11" rx="3"/><path d="M5.5 11a6.5 6.5 0 0 0 13 0"/>'
        '<path d="M12 17.5v4M8.5 21.5h7"/>'
    ),
    "search": '<circle cx="10.5" cy="10.5" r="6.5"/><path d="M15.3 15.3l5.2 5.2"/>',
    "review-site": (
        '<path d="M12 3l2.7 5.6 6.1.8-4.5 4.2 1.1 6.1L12 16.8l-5.4 2.9 1.1-6.1-4.5-4.2 6.1-.8z"/>'
    ),
    "referral": (
        '<circle cx="9" cy="8" r="3.6"/><path d="M2.5 20.5a6.5 6.5 0 0 1 13 0"/>'
        '<path d="M19 8v6M16 11h6"/>'
    ),
    "delivery": (
        '<path d="M2.5 5.5h11v11h-11z"/><path d="M13.5 9h4l3.5 3.7v3.8h-7.5"/>'
        '<circle cx="6.5" cy="17.5" r="2" fill="#ffffff"/>'
        '<circle cx="17" cy="17.5" r="2" fill="#ffffff"/>'
    ),
    "event": (
        '<rect x="3" y="4.5" width="18" height="16.5" rx="2"/>'
        '<path d="M3 9.5h18M8 2.5v4M16 2.5v4"/>'
        + _dots((8, 13.5), (12, 13.5), (16, 13.5), (8, 17.2), (12, 17.2))
    ),
    "partner": '<circle cx="9" cy="12" r="5.6"/><circle cx="15" cy="12" r="5.6"/>',
    "community": (
        '<circle cx="12" cy="7.5" r="3"/><path d="M6.5 20a5.5 5.5 0 0 1 11 0"/>'
        '<circle cx="5" cy="10" r="2.2"/><circle cx="19" cy="10" r="2.2"/>'
        '<path d="M1.5 18.5a3.8 3.8 0 0 1 4.6-3.9M22.5 18.5a3.8 3.8 0 0 0-4.6-3.9"/>'
    ),
    "in-product": (
        '<rect x="2.5" y="3.5" width="19" height="15" rx="2"/><path d="M2.5 7.5h19"/>'
        '<path d="M11 10.3l6.6 2.7-2.9 1-1 2.9z" fill="{c}"/>' + _dots((5.2, 5.5), (7.8, 5.5))
    ),
    "document": (
        '<path d="M6 2.5h8.5L19 7v14.5H6z"/><path d="M14.5 2.5V7H19"/>'
        '<path d="M9 11.5h7M9 14.5h7M9 17.5h4.5"/>'
    ),
    "post": (
        '<path d="M6.5 21V8.5a5.5 5.5 0 0 1 11 0V21"/><path d="M4.5 21h15"/>'
        '<path d="M9.5 10.5h5"/><path d="M6.5 14h11"/>'
    ),
    "letter": (
        '<rect x="2.5" y="5" width="19" height="14" rx="1.5"/>'
        '<rect x="15.3" y="7.3" width="3.9" height="4.4" rx=".4"/>'
        '<path d="M5.5 13h7M5.5 16h5"/>'
    ),
    "branch": (
        '<path d="M3 9.5 12 4l9 5.5z"/><path d="M5.5 10.5v7M10 10.5v7M14 10.5v7M18.5 10.5v7"/>'
        '<path d="M3 20.5h18"/>'
    ),
    "whatsapp": (
        '<path d="M12 3.2a8.6 8.6 0 1 1-4.3 16.1L3.3 20.7l1.4-4.2A8.6 8.6 0 0 1 12 3.2z"/>'
        '<path d="M7.6 12.3l2.1 2.1 3.6-4.2M11.8 14l.4.4 3.6-4.2"/>'
    ),
    "ivr": _dots(
        (6.5, 4),
        (12, 4),
        (17.5, 4),
        (6.5, 9.3),
        (12, 9.3),
        (17.5, 9.3),
        (6.5, 14.6),
        (12, 14.6),
        (17.5, 14.6),
        (12, 19.9),
    ).replace('r="1.15"', 'r="1.9"'),
    "video": (
        '<rect x="2.5" y="6" width="13" height="12" rx="2"/>'
        '<path d="M15.5 10.5 21.5 7v10l-6-3.5z"/>'
    ),
    "system": (
        '<rect x="3.5" y="3.5" width="17" height="7" rx="1.5"/>'
        '<rect x="3.5" y="13.5" width="17" height="7" rx="1.5"/>'
        '<path d="M11 7h6M11 17h6"/>' + _dots((7, 7), (7, 17))
    ),
    "other": '<circle cx="12" cy="12" r="9"/>' + _dots((8, 12), (12, 12), (16, 12)),
}


def channel_icon(key: str, x: float, y: float, size: float, *, color: str) -> str:
    """The icon of a channel scaled into a square at x, y: another name of a known channel
    (``phone-menu``, :data:`~journeymap.model.touchpoint.CHANNEL_ALIASES`) gets its icon; a
    channel journeymap does not know (any name a map may use) the neutral ``"other"`` icon."""
    key = CHANNEL_ALIASES.get(key, key)
    body = CHANNEL_ICONS.get(key, CHANNEL_ICONS["other"]).replace("{c}", color)
    s = size / 24
    return (
        f'<g transform="translate({num(x)} {num(y)}) scale({num(s, 4)})" fill="none" '
        f'stroke="{color}" stroke-width="1.7" stroke-linecap="round" '
        f'stroke-linejoin="round">{body}</g>'
    )


def star_points(cx: float, cy: float, r: float) -> list[tuple[float, float]]:
    """The ten corners of a five-pointed star, top point first."""
    pts = []
    for k in range(10):
        radius = r if k % 2 == 0 else r * 0.45
        angle = -math.pi / 2 + k * math.pi / 5
        pts.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return pts


def marker_star(cx: float, cy: float, r: float, *, fill: str, stroke: str) -> str:
    pts = points(star_points(cx, cy, r))
    return (
        f'<polygon points="{pts}" fill="{fill}" stroke="{stroke}" stroke-width="1" '
        f'stroke-linejoin="round"/>'
    )
