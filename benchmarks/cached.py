"""The benchmark's five analyses on a log kept with ``--cache`` (a second command on a log).

    python benchmarks/cached.py --data benchmarks/data/events-10m.parquet

Writes the cache of the file once (timed, as the first command pays it) in a temporary
folder, then, in a fresh process, opens the log from the cache and runs flows (with step
times), paths (the top 50 and the count of all variants, as the benchmark's journeymap),
the 4-step funnel and monthly retention, timing each stage as
``run.py`` does (wall, CPU of the process, peak RSS). The first process' time includes
importing journeymap; so does the second's "load".
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FUNNEL_STEPS = ["product", "cart", "checkout", "purchase"]


def _stage(name: str, started: tuple[float, float], out: dict[str, dict[str, float]]) -> None:
    wall, cpu = started
    ru = resource.getrusage(resource.RUSAGE_SELF)
    out[name] = {
        "seconds": time.perf_counter() - wall,
        "cpu_seconds": ru.ru_utime + ru.ru_stime - cpu,
        "peak_gib": ru.ru_maxrss / 2**20,
    }


def _now() -> tuple[float, float]:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return time.perf_counter(), ru.ru_utime + ru.ru_stime


def work(data: str, folder: str, step: str) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    t = _now()
    from journeymap.engine import Engine, EngineConfig
    from journeymap.events import cache
    from journeymap.events.flows import flows
    from journeymap.events.funnel import funnel
    from journeymap.events.paths import paths
    from journeymap.events.read import read_events
    from journeymap.events.retention import retention

    found = cache.entry(Path(folder), [data], {})
    engine = Engine.connect(EngineConfig())
    engine.execute("SET enable_progress_bar = false")
    if step == "store":
        cache.store(read_events(data, engine=engine), found)
        _stage("read, order and keep", t, out)
        return out
    log = cache.load(engine, found).log
    if log is None:
        raise SystemExit(f"no cache in {folder}")
    _stage("load (from the cache)", t, out)
    for name, run in (
        ("flows + step times", lambda: flows(log)),
        ("paths (top 50, count of all)", lambda: paths(log, top=50)),
        ("funnel", lambda: funnel(log, steps=FUNNEL_STEPS)),
        ("retention", lambda: retention(log, period="month")),
    ):
        t = _now()
        run()
        _stage(name, t, out)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default="benchmarks/data/events-10m.parquet")
    ap.add_argument("--step", choices=["store", "load"], help=argparse.SUPPRESS)
    ap.add_argument("--folder", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.step:  # one process' part
        print(json.dumps(work(args.data, args.folder, args.step)))
        return 0
    with tempfile.TemporaryDirectory(prefix="journeymap-cache-") as folder:
        results = {}
        for step in ("store", "load"):
            done = subprocess.run(
                [sys.executable, __file__, "--data", args.data, "--step", step, "--folder", folder],
                check=True,
                capture_output=True,
                text=True,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
            results[step] = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"{args.data}, analyses from the cache")
    print("| stage | wall | CPU | peak |\n| --- | ---: | ---: | ---: |")
    for step in ("store", "load"):
        for name, r in results[step].items():
            print(
                f"| {name} | {r['seconds']:.2f} s | {r['cpu_seconds']:.2f} s | "
                f"{r['peak_gib']:.2f} GiB |"
            )
    second = results["load"]
    total = sum(r["seconds"] for r in second.values())
    print(f"\nsecond command, all analyses: {total:.2f} s (including imports)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
