"""The hostile corpus through the real command line: every case is its own process of the
CLI, under a 2 GB address-space limit and a 30 s timeout, and must exit 0, 1 or 2 with no
traceback, saying what its case expects (the file, line and column of what is wrong).

The corpus is ``tests/hostile/``: ``maps/`` (checked one by one, with their messages, by
``tests/formats/test_hostile_maps.py``), ``logs/`` (event logs) and ``feedback/``. Each
file is named in :data:`CASES` at least once (a test checks it), so a file added to the
corpus is run here. ``corpus_runner.py`` runs the cases, started under the memory limit
(``resource.setrlimit`` in ``preexec_fn``, which every case inherits): it imports the
engine once and forks a process per case, a few at a time, each killed past the timeout.
A case then costs what its command does, not the 1-2 s of starting Python and importing
the engine; a test per case reports it.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent
MAPS = CORPUS / "maps"
LOGS = CORPUS / "logs"
FEEDBACK = CORPUS / "feedback"

MEMORY = 2 * 1024**3  # bytes of address space each case may use
TIMEOUT = 30  # seconds each case may take


@dataclass(frozen=True)
class Case:
    """``journeymap ARGS`` ({maps}, {logs}, {feedback}, {tmp} filled in), the exit codes it
    may end with and what its output must say."""

    args: tuple[str, ...]
    exits: frozenset[int]
    says: tuple[str, ...] = ()
    #: a file the case writes, and what it must hold
    writes: tuple[str, str] | None = None


def case(
    *args: str, exits: set[int], says: tuple[str, ...] = (), writes: tuple[str, str] | None = None
) -> Case:
    return Case(tuple(args), frozenset(exits), says, writes)


MAP_FILES = sorted(str(p.relative_to(CORPUS)) for p in MAPS.iterdir())
HYPERLINK = "'=HYPERLINK("

CASES: dict[str, Case] = {
    # maps: every command that reads one, on all of them or on the worst of them
    "validate every map": case(
        "validate",
        *(f"{{corpus}}/{m}" for m in MAP_FILES),
        exits={2},
        says=tuple(f"{m}:" for m in MAP_FILES),
    ),
    # fmt stops at the first file it cannot read
    "fmt --check every map": case(
        "fmt",
        "--check",
        *(f"{{corpus}}/{m}" for m in MAP_FILES),
        exits={2},
        says=(f"{MAP_FILES[0]}:",),
    ),
    "render the alias bomb to PNG": case(
        "render",
        "{corpus}/maps/billion-laughs.yaml",
        "-o",
        "{tmp}/bomb.png",
        exits={2},
        says=("billion-laughs.yaml:6:8: aliases expand to more than 10,000 nodes",),
    ),
    "lint deep nesting": case(
        "lint",
        "{corpus}/maps/deep-mappings.yaml",
        exits={2},
        says=("deep-mappings.yaml:4:396: nested too deeply",),
    ),
    "diff a NUL byte": case(
        "diff",
        "{corpus}/maps/nul-byte.yaml",
        "{corpus}/maps/binary-nul.yaml",
        exits={2},
        says=("nul-byte.yaml:5:20:",),
    ),
    "measure a map with a hostile log": case(
        "measure",
        "{corpus}/maps/terminal-escape.yaml",
        "--events",
        "{corpus}/logs/duplicate-header.csv",
        "--no-save",
        exits={2},
        says=("terminal-escape.yaml:4:18:",),
    ),
    # event logs
    "half the times unreadable": case(
        "events",
        "summary",
        "{corpus}/logs/half-unreadable-times.csv",
        exits={0},
        says=("40 rows read, 20 used, 20 rejected", "half-unreadable-times.csv:3: column"),
    ),
    "half the times unreadable, --strict": case(
        "events",
        "summary",
        "--strict",
        "{corpus}/logs/half-unreadable-times.csv",
        exits={2},
        says=("20 of 40 rows cannot be used",),
    ),
    "a broken JSON line": case(
        "events",
        "summary",
        "{corpus}/logs/broken-line.jsonl",
        exits={2},
        says=("broken-line.jsonl:42:67: not valid JSON",),
    ),
    "a JSON line not an object": case(
        "events",
        "paths",
        "{corpus}/logs/not-an-object.jsonl",
        exits={2},
        says=("not-an-object.jsonl:4:1: not a JSON object (a list)",),
    ),
    "a field too many after a quoted line break": case(
        "events",
        "flows",
        "{corpus}/logs/wrong-fields-after-a-quoted-line-break.csv",
        exits={2},
        says=("wrong-fields-after-a-quoted-line-break.csv:5: 4 fields where the header has 3",),
    ),
    "a repeated header": case(
        "events",
        "summary",
        "{corpus}/logs/duplicate-header.csv",
        exits={2},
        says=("duplicate-header.csv:1: the header names two columns 'event' (columns 2 and 4)",),
    ),
    "a header repeated in another case": case(
        "events",
        "funnel",
        "{corpus}/logs/case-duplicate-header.csv",
        "--steps",
        "view,buy",
        exits={2},
        says=("case-duplicate-header.csv:1: the header names two columns alike",),
    ),
    "an unclosed quote": case(
        "events",
        "summary",
        "{corpus}/logs/unclosed-quote.csv",
        exits={2},
        says=("unclosed-quote.csv:4: a quote opened here is never closed",),
    ),
    "a name like a glob": case(
        "events",
        "summary",
        "{corpus}/logs/glob[ab].csv",
        exits={0},
        says=("2 rows read, 2 used, 0 rejected",),
    ),
    "a carriage return alone": case(
        "events",
        "summary",
        "{corpus}/logs/bare-carriage-return.csv",
        exits={2},
        says=("bare-carriage-return.csv:3: 2 fields where the header has 3",),
    ),
    "UTF-16 with a byte-order mark": case(
        "events",
        "summary",
        "{corpus}/logs/utf16-bom.csv",
        exits={0},
        says=("1 row read, 1 used, 0 rejected",),
    ),
    "an XML entity bomb": case(
        "events", "summary", "{corpus}/logs/entity-bomb.xes", exits={2}, says=("entity-bomb.xes:",)
    ),
    "a folder of mixed files": case(
        "events",
        "summary",
        "{corpus}/logs/mixed-folder",
        exits={2},
        says=("1 CSV or text (a.csv); 1 JSON (b.jsonl)",),
    ),
    "terminal escapes in event names": case(
        "events", "paths", "{corpus}/logs/terminal-escapes.csv", exits={0}, says=("\\x1b[2J",)
    ),
    "time-zone abbreviations": case(
        "events",
        "summary",
        "{corpus}/logs/time-zone-abbreviations.csv",
        exits={0},
        says=("time-zone-abbreviations.csv:4: column",),
    ),
    "formulas in event names to CSV": case(
        "events",
        "flows",
        "{corpus}/logs/formula-injection.csv",
        "-o",
        "{tmp}/flows.csv",
        exits={0},
        writes=("flows.csv", HYPERLINK),
    ),
    # feedback
    "half the dates unreadable": case(
        "feedback",
        "scores",
        "{corpus}/feedback/half-unreadable-dates.csv",
        "--by",
        "month",
        exits={0},
        says=("2024-01", "kept without a date: 20 rows"),
    ),
    "half the dates unreadable, --strict": case(
        "feedback",
        "summary",
        "--strict",
        "{corpus}/feedback/half-unreadable-dates.csv",
        exits={2},
        says=('half-unreadable-dates.csv:3: column "date"',),
    ),
    "an unclosed quote in answers": case(
        "feedback",
        "summary",
        "{corpus}/feedback/unclosed-quote.csv",
        exits={2},
        says=("unclosed-quote.csv:12: cannot read the CSV: a quote opened here is never closed",),
    ),
    "a repeated header in answers": case(
        "feedback",
        "themes",
        "{corpus}/feedback/duplicate-header.csv",
        exits={2},
        says=("duplicate-header.csv:1: the header names two columns 'nps'",),
    ),
    "a broken JSON line in answers": case(
        "feedback",
        "summary",
        "{corpus}/feedback/broken-line.jsonl",
        exits={0},
        says=("30 rows read, 29 used, 1 rejected", "broken-line.jsonl:13: not a JSON object"),
    ),
    "formulas in answers to CSV": case(
        "feedback",
        "sentiment",
        "{corpus}/feedback/formula-injection.csv",
        "-o",
        "{tmp}/sentiment.csv",
        exits={0},
        writes=("sentiment.csv", HYPERLINK),
    ),
    "markup and escapes in answers": case(
        "feedback",
        "sentiment",
        "{corpus}/feedback/markup-and-escapes.csv",
        exits={0},
        says=("[link=https://evil.example]click[/link]", "\\x1b[2J"),
    ),
    "scores that are not whole ASCII numbers": case(
        "feedback",
        "scores",
        "--strict",
        "{corpus}/feedback/not-whole-numbers.csv",
        exits={2},
        says=('not-whole-numbers.csv:2: column "nps": 9.5 is not a whole number',),
    ),
}


@dataclass(frozen=True)
class Ran:
    code: int
    output: str
    seconds: float
    tmp: Path


def _limit() -> None:  # pragma: no cover - runs in the child, before Python starts
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Ran]:
    """Every case run by ``corpus_runner.py``: a process of its own each, forked from one
    that has imported the engine, all under the memory limit."""
    tmp = tmp_path_factory.mktemp("corpus")
    cases = []
    for name, case in CASES.items():
        folder = tmp / name.replace(" ", "-").replace(",", "")
        folder.mkdir()
        args = [a.format(corpus=CORPUS, tmp=folder) for a in case.args]
        cases.append({"name": name, "args": args, "cwd": str(folder)})
    env = {k: v for k, v in os.environ.items() if not k.startswith("JOURNEYMAP_")}
    env.update(COLUMNS="200", NO_COLOR="1", TERM="dumb")
    # no thread before the runner forks: numpy's BLAS and pyarrow's allocator start none
    env.update(OPENBLAS_NUM_THREADS="1", JE_ARROW_MALLOC_CONF="background_thread:false")
    request = {"cases": cases, "timeout": TIMEOUT, "workers": max(2, min(4, os.cpu_count() or 2))}
    done = subprocess.run(
        [sys.executable, str(CORPUS / "corpus_runner.py")], input=json.dumps(request),
        capture_output=True, text=True, preexec_fn=_limit, env=env, check=False,
        timeout=TIMEOUT * len(cases),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(done.stdout)
    return {
        name: Ran(r["code"], r["output"], r["seconds"], Path(c["cwd"]))
        for c in cases
        for name, r in [(c["name"], results[c["name"]])]
    }


def test_every_file_of_the_corpus_is_run() -> None:
    named = " ".join(a for c in CASES.values() for a in c.args)
    for folder in (MAPS, LOGS, FEEDBACK):
        for path in folder.iterdir():
            assert f"{{corpus}}/{path.relative_to(CORPUS)}" in named, path


@pytest.mark.skipif(sys.platform != "linux", reason="the address-space limit is Linux's")
@pytest.mark.parametrize("name", list(CASES))
def test_a_case_exits_0_1_or_2_and_says_what_is_wrong(name: str, ran: dict[str, Ran]) -> None:
    case, result = CASES[name], ran[name]
    assert result.code in (0, 1, 2), result.output[-3000:]
    assert "Traceback" not in result.output, result.output[-3000:]
    assert result.code in case.exits, result.output[-3000:]
    for fragment in case.says:
        assert fragment in result.output, (fragment, result.output[-3000:])
    if case.writes is not None:
        name_, holds = case.writes
        assert holds in (result.tmp / name_).read_text(), name_
    assert result.seconds < TIMEOUT
