"""The fuzzers' inputs as real command lines under the corpus's limits: each a process of
its own (forked by ``tests/hostile/corpus_runner.py``) under a 2 GB address-space limit and
30 s, exiting 0, 1 or 2 with no traceback (issue 16's rule for the corpus, held for what the
fuzzers make too)."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from fuzz_strategies import FUZZ, Sample, event_csv, event_jsonl, feedback_files, map_texts
from hypothesis import given, settings
from hypothesis import strategies as st

MEMORY = 2 << 30
TIMEOUT = 30.0
RUNNER = Path(__file__).resolve().parents[1] / "hostile" / "corpus_runner.py"


def _limit() -> None:  # pragma: no cover - runs in the child, before Python starts
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def _cases(tmp: Path) -> list[dict[str, object]]:
    """Command lines on files the fuzz strategies make (repeatable: derandomized)."""
    cases: list[dict[str, object]] = []

    def add(kind: str, name: str, data: bytes, commands: list[list[str]]) -> None:
        folder = tmp / f"{kind}-{len(cases)}"
        folder.mkdir()
        path = folder / name
        path.write_bytes(data)
        for i, args in enumerate(commands):
            cases.append({"name": f"{kind} {len(cases)}.{i}", "args": [*args, str(path)],
                          "cwd": str(folder)})  # fmt: skip

    @settings(FUZZ, max_examples=8)
    @given(sample=st.one_of(event_csv(), event_jsonl()))
    def logs(sample: Sample) -> None:
        add("log", sample.name, sample.data, [["events", "summary", "--strict"]])

    @settings(FUZZ, max_examples=6)
    @given(sample=feedback_files())
    def feedback(sample: Sample) -> None:
        add("feedback", sample.name, sample.data, [["feedback", "summary"]])

    @settings(FUZZ, max_examples=8)
    @given(sample=map_texts())
    def maps(sample: tuple[bytes, str]) -> None:
        add("map", "map.yaml", sample[0], [["validate"], ["fmt", "--check"]])

    logs()
    feedback()
    maps()
    return cases


@pytest.mark.skipif(sys.platform != "linux", reason="the address-space limit is Linux's")
def test_fuzzed_inputs_exit_0_1_or_2_under_the_memory_and_time_limits(tmp_path: Path) -> None:
    cases = _cases(tmp_path)
    assert len(cases) >= 20
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOURNEYMAP_")}
    env.update(COLUMNS="200", NO_COLOR="1", TERM="dumb")
    env.update(OPENBLAS_NUM_THREADS="1", JE_ARROW_MALLOC_CONF="background_thread:false")
    request = {"cases": cases, "timeout": TIMEOUT, "workers": max(2, min(4, os.cpu_count() or 2))}
    done = subprocess.run(
        [sys.executable, str(RUNNER)], input=json.dumps(request), capture_output=True,
        text=True, preexec_fn=_limit, env=env, check=False, timeout=TIMEOUT * len(cases),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout)
    assert set(results) == {c["name"] for c in cases}
    for case in cases:
        r = results[case["name"]]
        assert r["code"] in (0, 1, 2), (case["args"], r["code"], r["output"][-2000:])
        assert "Traceback" not in r["output"], (case["args"], r["output"][-2000:])
        assert r["seconds"] <= TIMEOUT, case["args"]
