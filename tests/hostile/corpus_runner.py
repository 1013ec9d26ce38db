"""Run command lines of journeymap, each in a process of its own, a few at a time.

Used by ``test_corpus.py``: started as ``python corpus_runner.py`` under the memory limit
(which every child inherits), it reads ``{"cases": [{"name", "args", "cwd"}], "timeout",
"workers"}`` as JSON on stdin and writes ``{name: {"code", "output", "seconds"}}`` on
stdout. It imports the command line and the engine once, then forks a child per case that
runs ``journeymap ARGS`` (``journeymap.cli.main``, as the installed script does) with its
output to a file; a child that runs past the timeout is killed (code -9). Starting Python
and importing the engine is most of a small case's time (1-2 s); forked, a case costs what
its command does. Nothing imported here starts a thread (checked), so forking is safe.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Any

#: what the cases import, imported once. None of it starts a thread when the environment
#: says ``OPENBLAS_NUM_THREADS=1`` (numpy's BLAS) and ``JE_ARROW_MALLOC_CONF=
#: background_thread:false`` (pyarrow's allocator), which the test gives.
PRELOADED = (
    "pyarrow", "pyarrow.compute", "pyarrow.parquet", "pyarrow.csv", "numpy", "openpyxl",
    "duckdb", "ibis", "ibis.backends.duckdb", "ruamel.yaml", "journeymap.cli",
    "journeymap.cli.events", "journeymap.cli.feedback", "journeymap.cli.maps",
    "journeymap.cli.measure", "journeymap.cli.files", "journeymap.events.read",
    "journeymap.events.summary", "journeymap.events.flows", "journeymap.events.paths",
    "journeymap.events.funnel", "journeymap.events.logs", "journeymap.voice.read",
    "journeymap.voice.scores", "journeymap.voice.sentiment", "journeymap.measuring.pipeline",
    "journeymap.rendering.files", "journeymap.formats.tables",
)  # fmt: skip


def _tasks() -> list[Path]:
    return list(Path("/proc/self/task").iterdir())


def _child(args: list[str], cwd: str, out: Path) -> None:  # pragma: no cover - in the child
    """Run the command line in this (forked) process and leave it with its exit code."""
    code = 1
    try:
        os.chdir(cwd)
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        sys.argv = ["journeymap", *args]
        from journeymap.cli import main

        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # what escapes the command line: shown as the traceback it is
        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def main() -> None:
    request = json.load(sys.stdin)
    cases: list[dict[str, Any]] = request["cases"]
    timeout, workers = float(request["timeout"]), int(request["workers"])
    for module in PRELOADED:
        importlib.import_module(module)
    threads = [(task / "comm").read_text().strip() for task in _tasks()]
    if len(threads) != 1:  # a child forked from a process with threads may hang
        raise SystemExit(f"cannot fork safely: the imports started threads {threads}")
    results: dict[str, dict[str, Any]] = {}
    waiting = list(cases)
    running: dict[int, tuple[dict[str, Any], float, Path]] = {}
    while waiting or running:
        while waiting and len(running) < workers:
            case = waiting.pop(0)
            out = Path(case["cwd"]) / ".output"
            sys.stdout.flush()
            pid = os.fork()
            if pid == 0:
                _child(case["args"], case["cwd"], out)
            running[pid] = (case, time.monotonic(), out)
        time.sleep(0.01)
        for pid, (case, started, out) in list(running.items()):
            done, status = os.waitpid(pid, os.WNOHANG)
            took = time.monotonic() - started
            if done == 0 and took <= timeout:
                continue
            if done == 0:  # past the timeout
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                code = -9
            else:
                code = os.waitstatus_to_exitcode(status)
            del running[pid]
            output = out.read_text(errors="replace") if out.exists() else ""
            results[case["name"]] = {"code": code, "output": output, "seconds": took}
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
