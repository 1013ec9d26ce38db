"""The self-contained HTML report: loads nothing from the network, shows the visual and tables."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from journeymap.model import Insight, JourneyMap, Stage, Touchpoint
from journeymap.rendering import to_html
from journeymap.rendering.tables import map_tables


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser


_NETWORK = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)


def _assert_offline(html: str) -> None:
    parsed = _parse(html)
    for tag, attrs in parsed.tags:
        assert tag not in ("link", "img", "iframe", "object", "embed"), tag
        # the one script is the viewer's pan and zoom, inline: it loads nothing
        assert tag != "script" or attrs == {}, attrs
        for name in ("src", "href", "srcset", "data", "poster", "action"):
            value = attrs.get(name)
            assert value is None or not _NETWORK.match(value), f"<{tag} {name}={value!r}>"
    assert "@import" not in html
    assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//", html, re.IGNORECASE)
    # fonts only embedded in the file (the ones the layout measured), never fetched
    for src in re.findall(r"@font-face\s*{[^}]*src:\s*([^;]*);", html):
        assert all(u.startswith("data:") for u in re.findall(r"url\(\s*['\"]?([^)'\"]*)", src))
    assert html.count("url(") == html.count("url(data:")


def test_report_is_self_contained(sample_map: JourneyMap) -> None:
    html = to_html(sample_map)
    _assert_offline(html)
    # not even a namespace URL: nothing in the file could be fetched
    assert "http://" not in html
    assert "https://" not in html
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert '<meta charset="utf-8">' in html


def test_urls_written_in_the_map_are_text_not_links() -> None:
    m = JourneyMap(
        name="Links",
        stages=[Stage(name="A", touchpoints=[Touchpoint(name="https://example.com/page")])],
        insights=[Insight(name="Survey", link="https://example.com/survey")],
    )
    html = to_html(m)
    _assert_offline(html)
    assert "https://example.com/page" in html


def test_report_has_the_visual_then_the_tables(sample_map: JourneyMap) -> None:
    html = to_html(sample_map)
    assert html.count("<svg") == 1
    assert html.index("</svg>") < html.index("<table")
    tables = map_tables(sample_map)
    assert tables, "the sample map has tables"
    assert html.count("<table") == len(tables)
    parsed = _parse(html)
    text = " ".join(parsed.text)
    for table in tables:
        assert f">{table.title}</h2>" in html
        for header in table.headers:
            assert header in text
    assert "Forced account creation" in text
    assert "Guest checkout" in text
    headers = [a for tag, a in parsed.tags if tag == "th"]
    assert all(a.get("scope") == "col" for a in headers)


def test_user_text_is_escaped() -> None:
    m = JourneyMap(
        name="<script>alert(1)</script>",
        stages=[Stage(name="A & B", touchpoints=[Touchpoint(name='"><img src=x>')])],
    )
    html = to_html(m)
    assert "<script>alert(1)" not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # the only script is the viewer's own
    assert [t for t, _ in _parse(html).tags if t in ("script", "img")] == ["script"]


def test_print_styles_are_inline(sample_map: JourneyMap) -> None:
    html = to_html(sample_map)
    assert "<style>" in html
    assert "@media print" in html
    assert "font-family: 'Liberation Sans', Arial" in html
