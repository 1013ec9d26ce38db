"""Debian's headless Chromium for the end-to-end tests: how it is started, and what the
page asked the network for (from Chromium's net log)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import pytest
from PIL import Image

# Hosts Chromium itself contacts at start-up (time sync, component updates, accounts).
BROWSER_HOSTS = frozenset(
    {
        "clients2.google.com",
        "accounts.google.com",
        "update.googleapis.com",
        "redirector.gvt1.com",
        "edgedl.me.gvt1.com",
    }
)


@dataclass(frozen=True)
class Chromium:
    """Runs Debian's chromium headless, with the flags this machine's closed network needs."""

    path: str

    def run(self, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [
            self.path, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--hide-scrollbars", f"--user-data-dir={tmp / 'profile'}", *args,
        ]  # fmt: skip
        return subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=True)

    def requests(self, tmp: Path, page: Path) -> tuple[set[str], set[str]]:
        """Open ``page`` with a net log: (the hosts the page asked for beyond the browser's
        own, the file URLs it opened)."""
        log = tmp / "net.json"
        self.run(tmp, f"--log-net-log={log}", "--dump-dom", page.as_uri())
        events = json.loads(log.read_text())["events"]
        urls = {e["params"]["url"] for e in events if "url" in e.get("params", {})}
        hosts = {
            str(urlparse(u).hostname) for u in urls if urlparse(u).scheme in ("http", "https", "ws")
        }
        files = {u for u in urls if urlparse(u).scheme == "file"}
        return hosts - BROWSER_HOSTS, files

    def page_image(self, tmp: Path, page: Path, width: int = 1200) -> Image.Image:
        """The whole page, ``width`` px wide, down to the end of what is drawn."""
        shot = tmp / "page.png"
        # tall enough for the whole page; the grey below the footer is cut off
        self.run(tmp, f"--screenshot={shot}", f"--window-size={width},12000", page.as_uri())
        img = Image.open(shot).convert("RGB")
        bottom = _last_drawn_row(img)
        assert bottom < img.height - 100, "the page is taller than the screenshot"
        return img.crop((0, 0, width, min(bottom + 24, img.height)))

    @staticmethod
    def cards(img: Image.Image) -> list[tuple[int, int]]:
        """The vertical extent of each white section of a report, read down a column inside
        the cards."""
        px = img.load()
        assert px is not None
        # x=40 is inside every card (the page's column starts at 32 px), left of their
        # content; the map's section spans the window, and its padding (x=6) is white
        out: list[tuple[int, int]] = []
        start = None
        for y in range(img.height):
            white = (255, 255, 255) in (px[40, y], px[6, y])
            if white and start is None:
                start = y
            elif not white and start is not None:
                if y - start > 80:
                    out.append((start, y))
                start = None
        return out


def _last_drawn_row(img: Image.Image) -> int:
    px = img.load()
    assert px is not None
    for y in range(img.height - 1, -1, -1):
        if any(_far(px[x, y], PAGE_BG) for x in range(0, img.width, 7)):  # type: ignore[arg-type]
            return y
    return 0


#: the report page's grey between its white section cards
PAGE_BG = (238, 242, 246)


def _far(a: tuple[int, int, int], b: tuple[int, int, int]) -> bool:
    return sum(abs(p - q) for p, q in zip(a, b, strict=True)) > 12


@pytest.fixture(scope="session")
def chromium() -> Chromium:
    path = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run installs Debian's chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return Chromium(path)
