"""Run the benchmark: every tool on the same generated file, in the same run, and write RESULTS.md.

    python benchmarks/run.py                          # 1M and 10M events, all tools
    python benchmarks/run.py --sizes 1000000 --tools journeymap,pandas
    python benchmarks/run.py --sizes 100000000 --tools journeymap
    python benchmarks/run.py --sizes 10000000 --tools journeymap,journeymap-measure

For each size the file ``benchmarks/data/events-<size>.parquet`` is generated when missing
(``generate.py``, seeded, so every run sees the same events). Then each tool runs in its own
process (``workers.py``): load, prepare, then flows, step times, paths, funnel and retention
one after the other ("together"). With ``--separate`` (the default) each analysis also runs
alone in a fresh process (load + prepare + that analysis), so its peak memory is its own.
Peak memory is the process' maximum RSS as the kernel reports it (``wait4``), and per stage
the peak sampled while the stage ran.

``journeymap-cli`` is the CLI scenario (``cli.py``): four ``journeymap events`` commands,
each a fresh process, without a cache, then with one (the first command writing it), and the
floor (a process that only sorts the log with DuckDB), next to the peers' processes.

``journeymap-measure`` (journeymap only: no peer measures a journey map) runs
``journeymap.measure`` with the map ``benchmarks/shop-map.yaml`` on the same file in a process
of its own, measured the same way: load (the map and ``read_events``), then ``measure``.

The answers of the tools are compared (``report.py``); results go to
``benchmarks/data/results/<size>.json`` and the table to ``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
RESULTS_DIR = DATA / "results"
DEFAULT_SIZES = [1_000_000, 10_000_000]
TOOLS = [
    "journeymap", "journeymap-cached", "journeymap-measure", "journeymap-cli", "pandas",
    "retentioneering", "pm4py",
]  # fmt: skip
#: how many times the CLI scenario runs (its least times are reported)
CLI_REPEAT = 2
ANALYSES = ["flows", "steptimes", "paths", "funnel", "retention"]
#: tools that run something else than the events analyses, in one process of their own
OWN_ANALYSES = {"journeymap-measure": ["measure"]}
#: above this size only these tools run unless asked (pm4py takes minutes at 10M)
BIG = 20_000_000
BIG_TOOLS = ["journeymap"]

sys.path.insert(0, str(HERE))


def label(n: int) -> str:
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def data_file(n: int) -> Path:
    return DATA / f"events-{label(n).lower()}.parquet"


def ensure_data(n: int) -> Path:
    path = data_file(n)
    if not path.exists():
        print(f"generating {path} ...", file=sys.stderr, flush=True)
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), "--events", str(n), "--out", str(path)],
            check=True,
        )
    return path


def run_worker(
    tool: str, data: Path, analyses: list[str], options: dict[str, Any], timeout: float
) -> dict[str, Any]:
    """One worker process; its result with the kernel's peak RSS and the wall time."""
    out = RESULTS_DIR / f".{tool}-{os.getpid()}.json"
    out.unlink(missing_ok=True)
    cmd = [
        sys.executable, str(HERE / "workers.py"), "--tool", tool, "--data", str(data),
        "--analyses", ",".join(analyses), "--out", str(out),
    ]  # fmt: skip
    for key, value in options.items():
        if value:
            cmd += [f"--{key.replace('_', '-')}", str(value)]
    log = RESULTS_DIR / f"{tool}-{data.stem}-{'-'.join(analyses)}.log"
    busy_before = _busy_cpu_seconds()
    start = time.perf_counter()
    with log.open("w") as err:
        env = {**os.environ, "RETENTIONEERING_NO_TRACK": "1", "PYTHONUNBUFFERED": "1"}
        proc = subprocess.Popen(cmd, stdout=err, stderr=err, env=env)
        deadline = start + timeout
        status = rusage = None
        while True:
            pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                _, status, rusage = os.wait4(proc.pid, 0)
                status = -9
                break
            time.sleep(0.05)
        proc.returncode = 0  # reaped by wait4 above; stop Popen from waiting again
    wall = time.perf_counter() - start
    busy = _busy_cpu_seconds() - busy_before
    own = (rusage.ru_utime + rusage.ru_stime) if rusage else 0.0
    result: dict[str, Any]
    if out.exists():
        result = json.loads(out.read_text())
        out.unlink()
    else:
        tail = log.read_text()[-800:]
        reason = "timeout" if status == -9 else f"exit status {status}"
        result = {"tool": tool, "stages": {}, "answers": {}, "failed": f"{reason}: {tail}"}
    result["wall_seconds"] = wall
    result["peak_rss"] = rusage.ru_maxrss * 1024 if rusage else None  # Linux: KiB
    result["analyses"] = analyses
    # cores kept busy by other processes meanwhile: a shared machine makes timings unreliable
    result["cpu_seconds"] = own
    result["other_cores"] = max(0.0, (busy - own) / wall) if wall > 0 else 0.0
    result["own_cores"] = own / wall if wall > 0 else 0.0
    return result


def _busy_cpu_seconds() -> float:
    import psutil

    t = psutil.cpu_times()
    return float(t.user + t.nice + t.system + getattr(t, "irq", 0) + getattr(t, "softirq", 0))


def machine() -> dict[str, Any]:
    import psutil

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "journeymap_source": _source_state(),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def _source_state() -> str:
    """The commit journeymap ran from, ``+ uncommitted changes`` when src/ differs from it."""
    root = HERE.parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "unknown (no git)"
    return (head or "unknown") + (" + uncommitted changes in src/" if dirty else "")


def bench_size(
    n: int,
    tools: list[str],
    *,
    separate: bool,
    options: dict[str, Any],
    timeout: float,
) -> dict[str, Any]:
    data = ensure_data(n)
    result: dict[str, Any] = {
        "events": n,
        "file": str(data.relative_to(HERE.parent)),
        "file_bytes": data.stat().st_size,
        "when": time.strftime("%Y-%m-%d %H:%M:%S %z"),
        "machine": machine(),
        "options": options,
        "together": {},
        "separate": {},
    }
    for tool in tools:
        tool_options = options
        if tool == "journeymap-cli":  # the analyst's commands, each a process (cli.py)
            import cli

            print(f"[{label(n)}] {tool}: the CLI scenario", file=sys.stderr, flush=True)
            result["cli"] = cli.scenario(data, repeat=CLI_REPEAT, options=options)
            continue
        if tool == "journeymap-cached":  # a second command: the first one keeps the log
            folder = DATA / "cache"
            shutil.rmtree(folder, ignore_errors=True)
            print(f"[{label(n)}] {tool}: keeping the log (untimed)", file=sys.stderr, flush=True)
            subprocess.run(
                [sys.executable, str(HERE / "cached.py"), "--data", str(data),
                 "--step", "store", "--folder", str(folder)],
                check=True, capture_output=True,
            )  # fmt: skip
            tool_options = {**options, "cache_dir": str(folder)}
        if tool in OWN_ANALYSES:  # already alone in its process: no separate runs
            print(f"[{label(n)}] {tool}", file=sys.stderr, flush=True)
            result["together"][tool] = run_worker(
                tool, data, OWN_ANALYSES[tool], tool_options, timeout
            )
            continue
        print(f"[{label(n)}] {tool}: all analyses in one process", file=sys.stderr, flush=True)
        result["together"][tool] = run_worker(tool, data, ANALYSES, tool_options, timeout)
        if tool == "journeymap-cached":
            shutil.rmtree(DATA / "cache", ignore_errors=True)
            continue  # its analyses alone are journeymap's, without the load
        if separate:
            for analysis in ANALYSES:
                if tool == "journeymap" and analysis == "steptimes":
                    continue  # the same flows() call: flows' row already measures it
                print(f"[{label(n)}] {tool}: {analysis} alone", file=sys.stderr, flush=True)
                one = run_worker(tool, data, [analysis], options, timeout)
                one.pop("answers", None)
                result["separate"].setdefault(tool, {})[analysis] = one
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", nargs="+", type=int, default=DEFAULT_SIZES)
    ap.add_argument("--tools", default=",".join(TOOLS), help="comma-separated")
    ap.add_argument(
        "--big-tools",
        default=",".join(BIG_TOOLS),
        help=f"tools run for sizes above {BIG:,} events (pm4py would take hours)",
    )
    ap.add_argument("--no-separate", dest="separate", action="store_false")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per worker process")
    ap.add_argument("--memory-limit", help="journeymap's DuckDB memory_limit, e.g. 3GB")
    ap.add_argument("--temp-directory", help="where journeymap's DuckDB spills")
    ap.add_argument("--max-temp-directory-size")
    ap.add_argument("--results", type=Path, default=HERE / "RESULTS.md")
    args = ap.parse_args(argv)

    import report

    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    big_tools = [t.strip() for t in args.big_tools.split(",") if t.strip()]
    for n in args.sizes:
        options = {
            "memory_limit": args.memory_limit,
            "temp_directory": args.temp_directory or str(DATA / "duckdb-tmp"),
            "max_temp_directory_size": args.max_temp_directory_size,
        }
        use = tools if n <= BIG else [t for t in tools if t in big_tools]
        # above BIG each analysis alone would repeat the long load + prepare five times
        separate = args.separate and n <= BIG
        res = bench_size(n, use, separate=separate, options=options, timeout=args.timeout)
        skipped = {t: f"not run above {label(BIG)} events" for t in tools if t not in use}
        skipped |= {t: "not in --tools" for t in TOOLS if t not in tools}
        if skipped:
            res["skipped"] = skipped
        res["agreement"] = report.agreement(res)
        (RESULTS_DIR / f"{n}.json").write_text(json.dumps(res, indent=1, default=str))
        print(report.summary_text(res), file=sys.stderr, flush=True)
    all_results = report.load_results(RESULTS_DIR)
    args.results.write_text(report.markdown(all_results))
    print(f"wrote {args.results}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
