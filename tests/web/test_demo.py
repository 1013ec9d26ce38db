"""`make run` (`journeymap serve --demo`): the app starts with the demo workspace, and
signing in and opening the demo map works in Debian's Chromium."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.mark.slow
def test_serve_demo_signs_in_and_opens_the_measured_demo_map(tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.fail("Debian's chromium is needed (apt install chromium); .ci/run installs it")
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    exe = Path(sys.executable).parent / "journeymap"
    proc = subprocess.Popen(
        [str(exe), "serve", "--demo", "--data", str(tmp_path / "app"), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
    )  # fmt: skip
    try:
        assert proc.stdout is not None and proc.stderr is not None
        said = proc.stdout.readline()
        assert f"Open http://localhost:{port}/ and sign in" in said
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the app did not answer"
                time.sleep(0.1)
        proc.terminate()
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    found = re.search(r"demo admin: (\S+)\s+password: (\S+)", err)
    assert found, err

    # again, on the same data folder: the workspace is kept, no new password is made
    proc = subprocess.Popen(
        [str(exe), "serve", "--demo", "--data", str(tmp_path / "app"), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        proc.stdout.readline()
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/login", timeout=2)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the app did not answer"
                time.sleep(0.1)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(f"http://127.0.0.1:{port}/")
            page.fill("input[name=email]", found.group(1))
            page.fill("input[name=password]", found.group(2))
            page.click("button.primary")
            page.wait_for_url(re.compile(r"/w/demo/$"))
            page.click("table.maps a")
            page.wait_for_selector("#map-canvas[data-ready]")
            assert page.locator("#map-canvas svg").count() == 1
            assert "Brightcart" in page.locator("h1").first.inner_text()
            assert page.locator("h1").count() == 1
            page.click("#measurement summary")
            assert page.locator("#measurement table").count() >= 3
            assert "Measured" in page.locator("#measurement").inner_text()
            browser.close()
    finally:
        proc.terminate()
        _, err2 = proc.communicate(timeout=20)
    assert "password:" not in err2
