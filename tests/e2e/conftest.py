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
