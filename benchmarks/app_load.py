"""Load test of the team app on loopback: the map page of a 12-stage map, 20 users at once.

Starts ``journeymap serve`` (a real uvicorn server, SQLite in a temporary folder) as its own
process, makes a workspace with a 12-stage map and 20 signed-in users, then runs two
scenarios with 20 concurrent users, each a browser session of its own (cookie, keep-alive):

- *team*: each user opens the map page, reads it for 0.5-1.5 s, and opens it again (what a
  team looking at its maps does);
- *saturated*: each user asks again as soon as the answer arrives (the server's ceiling).

Prints (and writes to ``--out FILE``) the latency percentiles and the throughput of each.
Run it from the repo's venv; benchmarks/APP_LOAD.md keeps the figures and what they mean::

    .venv/bin/python benchmarks/app_load.py --seconds 30
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

PASSWORD = "load test password 1"


def twelve_stage_map() -> str:
    from journeymap.formats import dumps, loads, pin_ids
    from journeymap.formats.templates import template_text

    m = pin_ids(loads(template_text("ecommerce")))
    stages = list(m.stages)
    n = 0
    while len(m.stages) < 12:
        copy = stages[n % len(stages)].model_copy(deep=True)
        k = len(m.stages) + 1
        copy.id, copy.name = f"stage-{k}", f"{copy.name} {k}"
        for tp in copy.touchpoints:
            tp.id = f"{tp.id}-{k}"
        m.stages.append(copy)
        n += 1
    return dumps(m)


def prepare(data: Path, users: int) -> str:
    """The database: an admin, ``users`` viewers, a workspace and the 12-stage map."""
    from journeymap.web import store
    from journeymap.web.db import Member, connect, upgrade

    engine, sessions = connect(f"sqlite:///{data / 'journeymap.db'}")
    upgrade(engine)
    with sessions() as db:
        admin = store.create_user(db, "admin@example.com", "Admin", PASSWORD, is_admin=True)
        ws = store.create_workspace(db, "Load", admin)
        row = store.create_map(db, ws, twelve_stage_map(), admin)
        for i in range(users):
            u = store.create_user(db, f"user{i}@example.com", f"User {i}", PASSWORD)
            db.add(Member(workspace_id=ws.id, user_id=u.id, role="viewer"))
        db.commit()
        slug = row.slug
    engine.dispose()
    return f"/w/{ws.slug}/maps/{slug}"


async def sign_in(base: str, i: int) -> httpx.AsyncClient:
    c = httpx.AsyncClient(base_url=base, timeout=30)
    page = await c.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf, "no CSRF token on the sign-in page"
    r = await c.post(
        "/login",
        data={"csrf": csrf.group(1), "email": f"user{i}@example.com", "password": PASSWORD},
    )
    assert r.status_code == 303, r.text
    return c


async def scenario(
    clients: list[httpx.AsyncClient], path: str, seconds: float, think: bool
) -> tuple[list[float], int]:
    times: list[float] = []
    errors = 0
    stop = time.monotonic() + seconds

    async def user(c: httpx.AsyncClient) -> None:
        nonlocal errors
        rng = random.Random(id(c))
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            r = await c.get(path)
            times.append(time.perf_counter() - t0)
            if r.status_code != 200 or "<svg" not in r.text:
                errors += 1
            if think:
                await asyncio.sleep(rng.uniform(0.5, 1.5))

    await asyncio.gather(*(user(c) for c in clients))
    return times, errors


def pct(times: list[float], q: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def run(base: str, path: str, users: int, seconds: float) -> list[str]:
    clients = [await sign_in(base, i) for i in range(users)]
    for c in clients:  # warm: the first view draws the map once, later ones are cached
        await c.get(path)
    lines = [
        "| scenario | requests | errors | req/s | p50 ms | p95 ms | p99 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, think in (("team (0.5-1.5 s reading)", True), ("saturated (no pause)", False)):
        times, errors = await scenario(clients, path, seconds, think)
        lines.append(
            f"| {name} | {len(times)} | {errors} | {len(times) / seconds:.0f} | "
            f"{statistics.median(times) * 1000:.1f} | {pct(times, 0.95):.1f} | "
            f"{pct(times, 0.99):.1f} | {max(times) * 1000:.1f} |"
        )
    for c in clients:
        await c.aclose()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="journeymap-load-") as tmp:
        data = Path(tmp)
        path = prepare(data, args.users)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        exe = Path(sys.executable).parent / "journeymap"
        server = subprocess.Popen(
            [str(exe), "serve", "--data", str(data), "--port", str(port)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    httpx.get(f"{base}/login", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            lines = asyncio.run(run(base, path, args.users, args.seconds))
        finally:
            server.terminate()
            server.wait(10)
    head = (
        f"Map page of a 12-stage map, {args.users} concurrent users, {args.seconds:.0f} s per "
        f"scenario, one uvicorn process on 127.0.0.1, SQLite; {os.cpu_count()} cores shared "
        "with the load generator."
    )
    text = "\n".join([head, "", *lines]) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
