"""The CLI scenario: an analyst's four commands at a terminal, each a fresh process.

    python benchmarks/cli.py --data benchmarks/data/events-10m.parquet

``journeymap events`` flows, paths per session, a funnel and weekly retention (issue 18) run
as separate processes of the ``journeymap`` script next to this Python: first without a
cache, then with ``--cache DIR`` in an empty folder (the first command writes the cache, the
three others read it), then each command again on the cache already written with no answer
kept (a new analysis of the log), then the same commands again (their answers kept).
Beside them, the floor: a fresh Python process that does nothing but sort the log by
customer and time with DuckDB (start-up and import included). Each process'
wall time is measured from outside (start to exit); the answers of the cached commands are
compared with the uncached ones, byte for byte (CSV on stdout).

``run.py`` calls :func:`scenario` for each size (``--tools`` ``journeymap-cli``) and puts
the figures next to retentioneering's and pm4py's in RESULTS.md (``report.py``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

#: the four commands of the issue, on the generated log (its funnel's product_view and
#: add_to_cart are the generator's product and cart)
COMMANDS: list[tuple[str, list[str]]] = [
    ("flows", ["flows"]),
    ("paths per session", ["paths", "--session", "session_id", "--per", "session", "--top", "20"]),
    ("funnel", ["funnel", "--steps", "home,product,cart,purchase"]),
    ("retention", ["retention", "--period", "week"]),
]

#: without a cache; the first command writing it; on the cache written (no answer kept); the
#: same commands again (their answers kept)
PHASES = ("uncached", "first_writes", "cache_written", "answers_kept")

#: the floor: one DuckDB sort of the log by customer and time, in a fresh process
FLOOR = """\
import sys, duckdb
con = duckdb.connect()
con.execute("SET enable_progress_bar = false")
con.execute(
    "CREATE TEMP TABLE s AS SELECT * FROM read_parquet(?) ORDER BY customer_id, timestamp",
    [sys.argv[1]],
)
"""


def _script() -> str:
    """The ``journeymap`` script of the Python running this (the benchmark's venv)."""
    here = Path(sys.executable).parent / "journeymap"
    found = here if here.exists() else shutil.which("journeymap")
    if not found:
        raise SystemExit("no journeymap script next to this Python: pip install -e .")
    return str(found)


def _timed(cmd: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run ``cmd``: its wall time from outside, its CPU seconds, exit status, a hash of
    stdout, stderr's tail."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    out: dict[str, Any] = {
        "seconds": wall,
        # CPU seconds of the process (all threads): what a busy machine inflates least
        "cpu_seconds": cpu,
        "status": done.returncode,
        "stdout_sha256": hashlib.sha256(done.stdout).hexdigest(),
        "stdout_bytes": len(done.stdout),
    }
    if done.returncode != 0:
        out["error"] = done.stderr.decode(errors="replace")[-800:]
    else:
        notes = [ln for ln in done.stderr.decode(errors="replace").splitlines() if "cache:" in ln]
        out["cache_note"] = notes[-1][:200] if notes else None
    return out


def scenario(
    data: Path, *, repeat: int = 1, options: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The floor and the four commands without a cache, with one written by the first, and
    on one already written; ``repeat`` times each (the least wall time is kept too)."""
    script = _script()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1", "COLUMNS": "120"}
    env.pop("JOURNEYMAP_CACHE", None)
    extra: list[str] = []
    for key, flag in (("memory_limit", "--memory-limit"), ("temp_directory", "--temp-dir")):
        if (options or {}).get(key):
            extra += [flag, str(options[key])]  # type: ignore[index]
    runs: list[dict[str, Any]] = []
    for _ in range(repeat):
        run: dict[str, Any] = {"floor": _timed([sys.executable, "-c", FLOOR, str(data)], env)}
        base = [script, "events"]
        tail = [str(data), "--format", "csv", *extra]
        run["uncached"] = {name: _timed([*base, *args, *tail], env) for name, args in COMMANDS}
        with tempfile.TemporaryDirectory(prefix="journeymap-cli-cache-") as folder:
            cached = [*tail, "--cache", folder]
            run["first_writes"] = {
                name: _timed([*base, *args, *cached], env) for name, args in COMMANDS
            }
            # the log kept, but not the answers: each command computes from the cache file
            for kept in Path(folder).glob("*.results"):
                shutil.rmtree(kept)
            run["cache_written"] = {
                name: _timed([*base, *args, *cached], env) for name, args in COMMANDS
            }
            # the same commands again: their answers are read back
            run["answers_kept"] = {
                name: _timed([*base, *args, *cached], env) for name, args in COMMANDS
            }
            run["cache_bytes"] = sum(p.stat().st_size for p in Path(folder).glob("*.duckdb"))
        runs.append(run)
    return {"commands": [" ".join(args) for _, args in COMMANDS], "runs": runs,
            **figures(runs)}  # fmt: skip


def figures(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per phase the least wall time of each command over the runs and the least total; the
    floor's least; whether every cached answer equals the uncached one."""
    names = [name for name, _ in COMMANDS]
    out: dict[str, Any] = {
        "floor_seconds": min(r["floor"]["seconds"] for r in runs),
        "floor_cpu_seconds": min(r["floor"]["cpu_seconds"] for r in runs),
    }
    for phase in PHASES:
        ok = [r for r in runs if all(r[phase][n]["status"] == 0 for n in names)]
        if not ok:
            out[phase] = {"failed": next(r[phase][n].get("error") for r in runs for n in names
                                         if r[phase][n]["status"] != 0)}  # fmt: skip
            continue
        out[phase] = {
            "per_command": {n: min(r[phase][n]["seconds"] for r in ok) for n in names},
            "total": min(sum(r[phase][n]["seconds"] for n in names) for r in ok),
            "cpu_per_command": {n: min(r[phase][n]["cpu_seconds"] for r in ok) for n in names},
            "cpu_total": min(sum(r[phase][n]["cpu_seconds"] for n in names) for r in ok),
        }
    same = all(
        r[phase][n]["stdout_sha256"] == r["uncached"][n]["stdout_sha256"]
        for r in runs
        for phase in PHASES[1:]
        for n in names
    )
    out["cached_answers_equal"] = same
    out["cache_bytes"] = runs[-1].get("cache_bytes")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=Path("benchmarks/data/events-10m.parquet"))
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args(argv)
    res = scenario(args.data, repeat=args.repeat)
    print(json.dumps({k: v for k, v in res.items() if k != "runs"}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
