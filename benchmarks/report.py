"""Compare the tools' answers and write RESULTS.md from the results of ``run.py``.

Agreement is checked against plain pandas (an independent sort + shift + groupby) where it
ran, else against journeymap: directly-follows counts pair for pair (and customers per pair
where the tool gives them), the number of variants and the top variants with their counts,
customers reaching each funnel step, the monthly retention rows, and the median time of each
pair (exact to a microsecond, except where a tool is known to round: retentioneering counts
whole-second boundaries).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TARGET_SECONDS = 5.0
TARGET_PEAK = 2 * 10**9  # the GB, decimal: the stricter reading
TARGET_PEAK_BIG = 4 * 10**9
ANALYSES = ["flows", "steptimes", "paths", "funnel", "retention"]
STAGES = ["load", "prepare", *ANALYSES]
#: journeymap's measure of a journey map on the same log (no peer has one)
MEASURE = "journeymap-measure"
#: the issue's reference for measure at 10M (before; a quiet 2-core machine): wall, peak (GB)
MEASURE_BEFORE_SECONDS = 11.0
MEASURE_BEFORE_PEAK = 1.75e9
#: where a tool has no such analysis, what the benchmark uses instead
SUBSTITUTES = {
    ("pm4py", "funnel"): "pandas on pm4py's formatted frame (pm4py has no ordered funnel)",
    ("pm4py", "retention"): "pandas on pm4py's formatted frame (pm4py has no retention)",
    ("retentioneering", "paths"): "pandas on the Eventstream's frame (no variants API in 5.x)",
    ("retentioneering", "retention"): "pandas on the Eventstream's frame (no retention in 5.x)",
}


def _gib(b: float | None) -> str:
    return "–" if not b else f"{b / 2**30:.2f} GiB"


def _both(b: float | None) -> str:
    """Binary and decimal: the targets are in (decimal) GB."""
    return "–" if not b else f"{b / 2**30:.2f} GiB = {b / 1e9:.2f} GB"


def _s(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x:.2f} s" if x < 100 else f"{x:.0f} s"


def _answers(res: dict[str, Any], tool: str) -> dict[str, Any]:
    return dict(res.get("together", {}).get(tool, {}).get("answers", {}))


# ---- agreement -------------------------------------------------------------------------------


def _cmp_counts(ref: dict[str, int], got: dict[str, int]) -> tuple[bool, str]:
    keys = set(ref) | set(got)
    diff = sorted(k for k in keys if ref.get(k) != got.get(k))
    if not diff:
        return True, f"{len(ref)} pairs equal"
    ex = ", ".join(f"{k}: {ref.get(k)} vs {got.get(k)}" for k in diff[:4])
    return False, f"{len(diff)} of {len(keys)} pairs differ (e.g. {ex})"


def _cmp_times(
    ref: dict[str, float], got: dict[str, float], pairs: list[str], tol: float = 1e-6
) -> tuple[bool, str]:
    common = [k for k in pairs if k in ref and k in got and ref[k] is not None]
    if not common:
        return False, "no common pairs"
    diffs = {k: abs(float(got[k]) - float(ref[k])) for k in common if got[k] is not None}
    bad = {k: d for k, d in diffs.items() if d > tol}
    if not bad:
        return True, f"{len(common)} most frequent pairs equal (to 1 µs)"
    worst = max(bad, key=lambda k: bad[k])
    return False, (
        f"{len(bad)} of {len(common)} pairs differ, up to {bad[worst]:.3f} s "
        f"({worst}: {got[worst]:.3f} vs {ref[worst]:.3f})"
    )


def agreement(res: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    tools = [t for t in res.get("together", {}) if t != MEASURE]  # it answers other questions
    ref_tool = "pandas" if "pandas" in tools else (tools[0] if tools else None)
    out: dict[str, dict[str, dict[str, Any]]] = {}
    if ref_tool is None:
        return out
    ref = _answers(res, ref_tool)
    top_pairs = sorted(
        ref.get("flows", {}).get("pairs", {}), key=lambda k: -ref["flows"]["pairs"][k]
    )[:20]
    for tool in tools:
        if tool == ref_tool:
            continue
        got = _answers(res, tool)
        checks: dict[str, Any] = {}
        if "flows" in ref and "flows" in got:
            ok, text = _cmp_counts(ref["flows"]["pairs"], got["flows"]["pairs"])
            if "customers" in got["flows"] and "customers" in ref["flows"]:
                ok2, text2 = _cmp_counts(ref["flows"]["customers"], got["flows"]["customers"])
                ok, text = ok and ok2, f"{text}; customers per pair: {text2}"
            checks["flows"] = {"ok": ok, "detail": text}
        if "steptimes" in ref and "steptimes" in got:
            ok, text = _cmp_times(ref["steptimes"]["median"], got["steptimes"]["median"], top_pairs)
            detail = f"median: {text}"
            if "p90" in ref["steptimes"] and "p90" in got["steptimes"]:
                ok2, text2 = _cmp_times(ref["steptimes"]["p90"], got["steptimes"]["p90"], top_pairs)
                ok, detail = ok and ok2, f"{detail}; p90: {text2}"
            if tool == "retentioneering" and not ok:
                detail += (
                    " — expected: retentioneering takes date_diff('second', ...), whole-second"
                    " boundaries crossed, not the exact gap"
                )
            checks["steptimes"] = {
                "ok": ok,
                "detail": detail,
                "expected": tool == "retentioneering",
            }
        if "paths" in ref and "paths" in got:
            a, b = ref["paths"], got["paths"]
            same_n = a["n_variants"] == b["n_variants"]
            same_top = a["top"] == b["top"]
            text = f"{b['n_variants']:,} variants" + ("" if same_n else f" vs {a['n_variants']:,}")
            text += (
                "; top 10 equal"
                if same_top
                else f"; top 10 differ: {b['top'][:3]} vs {a['top'][:3]}"
            )
            checks["paths"] = {"ok": same_n and same_top, "detail": text}
        if "funnel" in ref and "funnel" in got:
            a, b = ref["funnel"]["reached"], got["funnel"]["reached"]
            text = " → ".join(f"{x:,}" for x in b) + ("" if a == b else f" vs {a}")
            checks["funnel"] = {"ok": a == b, "detail": text}
        if "retention" in ref and "retention" in got:
            a = {r["period"]: r for r in ref["retention"]["rows"]}
            b = {r["period"]: r for r in got["retention"]["rows"]}
            # a tool may leave out empty leading/trailing periods
            keys = sorted(
                k
                for k in set(a) | set(b)
                if (a.get(k) or {}).get("end") or (b.get(k) or {}).get("end")
            )
            bad = [k for k in keys if _ret(a.get(k)) != _ret(b.get(k))]
            text = (
                f"{len(keys)} months equal"
                if not bad
                else (
                    f"{len(bad)} of {len(keys)} months differ (e.g. {bad[0]}: {_ret(b.get(bad[0]))}"
                    f" vs {_ret(a.get(bad[0]))})"
                )
            )
            checks["retention"] = {"ok": not bad, "detail": text}
        out[tool] = checks
    return {"reference": {"tool": {"ok": True, "detail": ref_tool}}, **out}


def _ret(row: dict[str, Any] | None) -> tuple[int, ...] | None:
    if row is None:
        return None
    return tuple(
        int(row.get(k, 0)) for k in ("start", "retained", "new", "reactivated", "lost", "end")
    )


def summary_text(res: dict[str, Any]) -> str:
    lines = [f"== {res['events']:,} events =="]
    for tool, r in res.get("together", {}).items():
        st = r.get("stages", {})
        total = sum(e.get("seconds", 0) for e in st.values())
        errs = [f"{k}: {e['error']}" for k, e in st.items() if "error" in e]
        lines.append(
            f"{tool:18} {total:8.2f} s  peak {_gib(r.get('peak_rss'))}"
            + (f"  FAILED {r['failed'][:200]}" if r.get("failed") else "")
            + (f"  errors: {errs}" if errs else "")
        )
    for tool, checks in res.get("agreement", {}).items():
        if tool == "reference":
            continue
        for name, c in checks.items():
            lines.append(f"  {tool} {name}: {'OK' if c['ok'] else 'DIFFERS'} {c['detail']}")
    return "\n".join(lines)


# ---- the markdown ----------------------------------------------------------------------------


def load_results(folder: Path) -> list[dict[str, Any]]:
    out = [json.loads(p.read_text()) for p in folder.glob("*.json") if p.stem.isdigit()]
    return sorted(out, key=lambda r: r["events"])


def _together_total(r: dict[str, Any], stages: list[str] | None = None) -> float | None:
    st = r.get("stages", {})
    if not st or r.get("failed"):
        return None
    names = stages or list(st)
    if any("error" in st.get(s, {}) for s in names if s in st):
        return None
    return sum(st[s]["seconds"] for s in names if s in st)


def _versions(results: list[dict[str, Any]]) -> dict[str, str]:
    v: dict[str, str] = {}
    for res in results:
        for r in res.get("together", {}).values():
            v.update({k: str(x) for k, x in r.get("versions", {}).items() if k != "error"})
    return v


ABOUT = """\
The data: `benchmarks/generate.py`, seeded — customers in three segments, sessions weeks
apart, the funnel home → category → product → cart → checkout → payment → purchase with
drop-off at each step, loops (product ↔ category, checkout → cart, payment retried), support
chats and tickets after payment errors, repeat purchases over two years; times in µs.

The analyses: **flows** (directly-follows pairs with counts), **step times** (median and p90
seconds per pair), **paths** (variants, each customer's full sequence: how many there are and
the 10 most common with their customers; the peers count every variant and take the head,
journeymap asks for the top 50 and the count, as `journeymap events paths --top 50`), **funnel**
(product → cart → checkout → purchase, ordered), **retention** (per calendar month: at start,
retained, new, reactivated, lost, at end). **load** reads the Parquet file into the tool
(journeymap: `read_events` with its checks; pm4py: `read_parquet` + `format_dataframe`;
retentioneering: `read_parquet` + `Eventstream`); **prepare** is the ordered pass
(journeymap's `prepare`, pandas' sort + shift). Each tool runs in its own process.
**journeymap-cached** is journeymap as a second command on the log: an earlier command kept
it with `--cache` (`benchmarks/cached.py`, untimed, not in the table), so its load opens the
cache file and its prepare finds the ordered table there. **journeymap measure** (journeymap
only: no peer measures a journey map) holds the map `benchmarks/shop-map.yaml` against the same
file in a process of its own: load reads the map and the log (`read_events`), then
`journeymap.measure(map, events=log)` matches the events to the map's touchpoints, orders the
matched events, decides each journey's outcome and measures behaviour, friction, pain points,
KPIs and actions (no feedback file). **The CLI scenario** (issue 18; `benchmarks/cli.py`,
tool `journeymap-cli`) runs four `journeymap events` commands as an analyst does, each a fresh
process timed from outside, without a cache, with one the first command writes, and on one
already written, next to a process that only sorts the log with DuckDB (the floor) and the
peers' processes of the same run (their whole process, every analysis)."""


def _label(n: int) -> str:
    return f"{n // 1_000_000}M" if n % 1_000_000 == 0 else f"{n:,}"


def markdown(results: list[dict[str, Any]]) -> str:
    out: list[str] = []
    w = out.append
    w("# Benchmarks: journeymap against retentioneering, pm4py and plain pandas")
    w("")
    w("Written by `make bench` (`benchmarks/run.py`); do not edit by hand — the hand-written")
    w("analysis is `benchmarks/ANALYSIS.md`, included at the end. Reproduce with")
    w('`make bench` (1M and 10M events) or `make bench SIZES="1000000"`; 100M journeymap only:')
    w(
        "`make bench SIZES=100000000` (the default 1.5GB memory limit; spills to "
        "`benchmarks/data/duckdb-tmp`); journeymap and its `measure` alone: "
        '`make bench SIZES=10000000 BENCH_ARGS="--tools journeymap,journeymap-measure"`.'
    )
    w("")
    if not results:
        w("No results yet.")
        return "\n".join(out) + "\n"
    m = results[-1]["machine"]
    w("## Machine and versions")
    w("")
    w(f"- {m['nproc']} cores ({m['cpu'] or 'unknown CPU'}), {m['ram_gib']} GiB RAM, {m['os']}")
    w(
        f"- Python {m['python']}; "
        + ", ".join(f"{k} {v}" for k, v in sorted(_versions(results).items()))
    )
    for res in results:
        src = res["machine"].get("journeymap_source", "unknown")
        size = res["file_bytes"] / 2**20
        w(
            f"- {_label(res['events'])}: `{res['file']}` ({size:.0f} MiB Parquet),"
            f" run {res['when']}, journeymap at {src}"
        )
    w("")
    w(ABOUT)
    w("")
    _targets(results, w)
    for res in results:
        _size_tables(res, w)
        _cli_section(res, w)
    _linearity(results, w)
    _agreement_section(results, w)
    _traps(w)
    analysis = HERE / "ANALYSIS.md"
    if analysis.exists():
        w("")
        w(analysis.read_text().strip())
    return "\n".join(out) + "\n"


#: issue 18's bars for the CLI scenario (10M, a quiet machine)
CLI_CACHED_MAX = 1.0
CLI_FLOOR_RATIO_MAX = 2.0
CLI_PEER_RATIOS = {"retentioneering": 6.0, "pm4py": 17.0}


def _cli_section(res: dict[str, Any], w: Any) -> None:
    """The CLI scenario (``cli.py``): the four commands as processes, with and without the
    cache, the sort floor, and the peers' processes of the same run."""
    cli = res.get("cli")
    if not cli:
        return
    n = _label(res["events"])
    phases = tuple(ph for ph in ("uncached", "first_writes", "cache_written", "answers_kept")
                   if ph in cli)  # fmt: skip
    w(f"### The CLI scenario at {n}: four commands, each a fresh process (issue 18)")
    w("")
    w(
        "`benchmarks/cli.py`: `journeymap events` "
        + ", ".join(f"`{c}`" for c in cli["commands"])
        + " on the same file, each a fresh process timed from outside (start-up and imports"
        " included), without a cache, then with `--cache` in an empty folder (the first"
        " command writes it), then again on the cache already written with no answer kept"
        " (each a new analysis of the cached log), then the same again (the answers kept)."
        " Least wall time of"
        " the runs, CPU seconds of the process in brackets. The floor is a fresh Python"
        " process that only sorts the log by customer and time with DuckDB."
    )
    w("")
    failed = [ph for ph in phases if "failed" in cli.get(ph, {})]
    for ph in failed:
        w(f"- {ph}: failed: `{str(cli[ph]['failed'])[:300]}`")
    if failed:
        w("")
        return
    heads = {
        "uncached": "no cache",
        "first_writes": "`--cache`, the first command writing it",
        "cache_written": "cache already written",
        "answers_kept": "the same again",
    }
    w("| command | " + " | ".join(heads[ph] for ph in phases) + " |")
    w("| --- |" + " ---: |" * len(phases))
    names = list(cli["uncached"]["per_command"])
    for name in names:
        cells = [
            f"{_s(cli[ph]['per_command'][name])} ({cli[ph]['cpu_per_command'][name]:.2f})"
            for ph in phases
        ]
        w(f"| {name} | " + " | ".join(cells) + " |")
    totals = [f"**{_s(cli[ph]['total'])}** ({cli[ph]['cpu_total']:.2f})" for ph in phases]
    w("| all four | " + " | ".join(totals) + " |")
    floor = cli["floor_seconds"]
    w(f"| the floor: one DuckDB sort | {_s(floor)} ({cli['floor_cpu_seconds']:.2f}) |"
      + " |" * (len(phases) - 1))  # fmt: skip
    w("")
    scenario = cli["first_writes"]["total"]
    cached_max = max(cli["cache_written"]["per_command"].values())
    reading = max(v for k, v in cli["first_writes"]["per_command"].items() if k != names[0])
    w("| bar (issue 18; 10M, quiet machine) | measured | met? |")
    w("| --- | --- | --- |")
    slowest = max(cached_max, reading)
    w(
        f"| every cached command <= {CLI_CACHED_MAX:.1f} s (a new analysis of the cached log) "
        f"| slowest {_s(slowest)} | "
        f"{'yes' if slowest <= CLI_CACHED_MAX else 'no'} |"
    )
    ratio = scenario / floor if floor else None
    ok = ratio is not None and ratio <= CLI_FLOOR_RATIO_MAX
    w(
        f"| the four with the cache (the first writing it) <= {CLI_FLOOR_RATIO_MAX:.0f}x the "
        f"floor | {_s(scenario)} = {_ratio(scenario, floor)} the floor | {'yes' if ok else 'no'} |"
    )
    for peer, bar in CLI_PEER_RATIOS.items():
        r = res.get("together", {}).get(peer)
        wall = r.get("wall_seconds") if r and not r.get("failed") else None
        if wall is None:
            w(f"| >= {bar:.0f}x {peer} (its process, every analysis) | not run | – |")
            continue
        x = wall / scenario
        w(
            f"| >= {bar:.0f}x {peer} (its process: {_s(wall)}, every analysis) | {x:.1f}x | "
            f"{'yes' if x >= bar else 'no'} |"
        )
    if "answers_kept" in cli:
        kept_max = max(cli["answers_kept"]["per_command"].values())
        w(
            f"| an answer kept, asked again <= {CLI_CACHED_MAX:.1f} s | slowest {_s(kept_max)} | "
            f"{'yes' if kept_max <= CLI_CACHED_MAX else 'no'} |"
        )
    same = cli.get("cached_answers_equal")
    w(f"| cached answers equal the uncached ones (CSV, byte for byte) | {same} | "
      f"{'yes' if same else 'no'} |")  # fmt: skip
    cache_bytes = cli.get("cache_bytes")
    if cache_bytes:
        w("")
        w(f"The cache file: {cache_bytes / 2**20:.0f} MiB.")
    w("")


def _jm_total(res: dict[str, Any]) -> float | None:
    r = res.get("together", {}).get("journeymap")
    return _together_total(r) if r else None


def _targets(results: list[dict[str, Any]], w: Any) -> None:
    w("## Targets (issue 3)")
    w("")
    w("| target | measured | met? |")
    w("| --- | --- | --- |")
    by_n = {r["events"]: r for r in results}
    ten = by_n.get(10_000_000)
    if ten and "journeymap" in ten["together"]:
        jm = ten["together"]["journeymap"]
        total = _together_total(jm)
        analyses = _together_total(jm, ANALYSES)
        peak = jm.get("peak_rss")
        if total is not None:
            w(
                f"| 10M: all analyses together <= 5 s | {_s(total)} from the file "
                f"(analyses after load + prepare: {_s(analyses)}) | "
                + (
                    "yes |"
                    if total <= TARGET_SECONDS
                    else f"no: {total / TARGET_SECONDS:.1f}x over |"
                )
            )
        else:
            w(f"| 10M: all analyses together <= 5 s | failed: {_errors(jm)} | no |")
        if peak:
            w(
                f"| 10M: peak memory <= 2 GB | {_both(peak)} | "
                f"{'yes' if peak <= TARGET_PEAK else f'no: {peak / TARGET_PEAK:.2f}x over'} |"
            )
        for peer, need in (("retentioneering", 10), ("pm4py", 30)):
            pr = ten["together"].get(peer)
            pt = _together_total(pr) if pr else None
            if pt and total:
                ratio = pt / total
                w(
                    f"| 10M: >= {need}x faster than {peer} | {ratio:.1f}x "
                    f"({_s(pt)} vs {_s(total)}) | "
                    f"{'yes' if ratio >= need else 'no'} |"
                )
            else:
                w(f"| 10M: >= {need}x faster than {peer} | not measured | – |")
        cached = ten["together"].get("journeymap-cached")
        ct = _together_total(cached) if cached else None
        if ct:
            w(
                f"| 10M: the same, a second command (`--cache`) <= 5 s | {_s(ct)} | "
                + ("yes |" if ct <= TARGET_SECONDS else f"no: {ct / TARGET_SECONDS:.2f}x over |")
            )
            for peer, need in (("retentioneering", 10), ("pm4py", 30)):
                pr = ten["together"].get(peer)
                pt = _together_total(pr) if pr else None
                if pt:
                    ratio = pt / ct
                    w(
                        f"| 10M: >= {need}x faster than {peer}, second command | {ratio:.1f}x "
                        f"({_s(pt)} vs {_s(ct)}) | {'yes' if ratio >= need else 'no'} |"
                    )
    else:
        w("| 10M targets | 10M not run | – |")
    mf = measure_figures(ten) if ten else None
    ref = (
        f"10M: `measure` not slower than before ({MEASURE_BEFORE_SECONDS:.0f} s, "
        f"{MEASURE_BEFORE_PEAK / 1e9:.2f} GB on a quiet 2-core machine)"
    )
    if mf and not mf.get("error") and mf.get("wall") and mf.get("peak"):
        ok = mf["wall"] <= MEASURE_BEFORE_SECONDS and mf["peak"] <= MEASURE_BEFORE_PEAK
        shared = (mf.get("other_cores") or 0) > 0.25
        w(
            f"| {ref} | {_s(mf['wall'])} for the process (load + measure {_s(mf['total'])}), "
            f"peak {_both(mf['peak'])}"
            + (f"; {mf['other_cores']:.2f} cores busy with other work" if shared else "")
            + f" | {'yes' if ok else 'no'} |"
        )
    elif mf:
        w(f"| {ref} | failed: {mf.get('error') or 'no figures'} | no |")
    else:
        w(f"| {ref} | not run | – |")
    big = by_n.get(100_000_000)
    if big and "journeymap" in big["together"]:
        jm = big["together"]["journeymap"]
        peak, total = jm.get("peak_rss"), _together_total(jm)
        ok = total is not None and peak is not None and peak <= TARGET_PEAK_BIG
        failed = [k for k, e in jm.get("stages", {}).items() if "error" in e]
        done = _s(total) if total else "did not complete (" + ", ".join(failed) + " failed)"
        w(
            f"| 100M: completes out of core, peak <= 4 GB | {done}, peak {_both(peak)} | "
            f"{'yes' if ok else 'no'} |"
        )
    else:
        w("| 100M: completes out of core, peak <= 4 GB | not run in this results set | – |")
    for a, b in ((1_000_000, 10_000_000), (10_000_000, 100_000_000)):
        if a in by_n and b in by_n:
            ta, tb = _jm_total(by_n[a]), _jm_total(by_n[b])
            if ta and tb:
                r = tb / ta
                w(
                    f"| linear: {_label(b)} takes <= 11x {_label(a)} | {r:.1f}x | "
                    + ("yes |" if r <= 11 else "no |")
                )
    w("")


def _errors(r: dict[str, Any]) -> str:
    if r.get("failed"):
        return str(r["failed"])[:120]
    return "; ".join(
        f"{k}: {e['error'][:100]}" for k, e in r.get("stages", {}).items() if "error" in e
    )


def _size_tables(res: dict[str, Any], w: Any) -> None:
    n = res["events"]
    together = res.get("together", {})
    jm = together.get("journeymap")
    jm_stage = (jm or {}).get("stages", {})
    w(f"## {_label(n)} events")
    w("")
    if res.get("skipped"):
        w("Not run: " + "; ".join(f"{t} ({why})" for t, why in res["skipped"].items()) + ".")
        w("")
    w("### All analyses in one process (load, prepare, then each analysis in turn)")
    w("")
    w(
        "Wall seconds per stage; *total* is their sum; *CPU* the process' CPU seconds "
        "(user + system,"
    )
    w("all threads: the cost that does not depend on how busy the machine was); *peak* the")
    w("process' maximum RSS; *x jm* is the tool's total over journeymap's (above 1: journeymap")
    w("is faster).")
    w("")
    w("| tool | " + " | ".join(STAGES) + " | total | CPU | peak | x jm |")
    w("| --- | " + " | ".join("---:" for _ in STAGES) + " | ---: | ---: | ---: | ---: |")
    jm_total = _together_total(jm) if jm else None
    for tool, r in together.items():
        if tool == MEASURE:
            continue
        st = r.get("stages", {})
        cells = []
        for s in STAGES:
            e = st.get(s)
            if e is None:
                cells.append("–")
            elif "error" in e:
                cells.append("error")
            elif tool.startswith("journeymap") and s == "steptimes":
                cells.append("(in flows)")
            else:
                cells.append(_s(e["seconds"]))
        total = _together_total(r)
        ratio = f"{total / jm_total:.1f}x" if total and jm_total else "–"
        cpu = r.get("cpu_seconds")
        w(
            f"| {tool} | "
            + " | ".join(cells)
            + f" | {_s(total)} | {_s(cpu)} | {_gib(r.get('peak_rss'))} | {ratio} |"
        )
    w("")
    busy = [
        (t, r.get("other_cores"))
        for t, r in together.items()
        if r.get("other_cores") is not None and t != MEASURE
    ]
    if busy:
        w(
            "Cores used by other processes while each tool ran (of "
            + str(res["machine"]["nproc"])
            + "): "
            + ", ".join(f"{t} {c:.2f}" for t, c in busy)
            + (
                ". **The machine was shared while "
                + ", ".join(t for t, c in busy if c > 0.25)
                + " ran: those wall times are inflated (CPU seconds much less so); rerun"
                " `make bench` on a quiet machine.**"
                if any(c > 0.25 for _, c in busy)
                else " (a quiet machine)."
            )
        )
        w("")
    errs = [(t, _errors(r)) for t, r in together.items() if _errors(r) and t != MEASURE]
    for t, e in errs:
        w(f"- {t}: {e}")
    if errs:
        w("")
    if MEASURE in together:
        _measure_section(res, w)
    sep = res.get("separate", {})
    if sep:
        w("### Each analysis alone (a fresh process: load + prepare + the analysis)")
        w("")
        w("Cells: the analysis' own seconds / the whole process' seconds / its peak RSS; *x jm* ")
        w("compares whole-process seconds with journeymap's for the same analysis (above 1:")
        w("journeymap is faster).")
        w("")
        w("| tool | " + " | ".join(ANALYSES) + " |")
        w("| --- | " + " | ".join("---" for _ in ANALYSES) + " |")
        for tool, per in sep.items():
            cells = []
            for a in ANALYSES:
                r = per.get(a)
                if r is None:
                    cells.append("(in flows)" if tool == "journeymap" and a == "steptimes" else "–")
                    continue
                e = r.get("stages", {}).get(a)
                if r.get("failed") or e is None or "error" in e:
                    cells.append("failed")
                    continue
                whole = _together_total(r)
                ref = sep.get("journeymap", {}).get("flows" if a == "steptimes" else a)
                ref_whole = _together_total(ref) if ref else None
                ratio = (
                    f" ({whole / ref_whole:.1f}x)"
                    if whole and ref_whole and tool != "journeymap"
                    else ""
                )
                cells.append(f"{_s(e['seconds'])} / {_s(whole)} / {_gib(r.get('peak_rss'))}{ratio}")
            w(f"| {tool} | " + " | ".join(cells) + " |")
        w("")
    if jm_stage:
        w(
            "Where journeymap's time goes (one process): "
            + ", ".join(
                f"{s} {_s(e['seconds'])} (peak {_gib(e.get('peak_rss'))})"
                for s, e in jm_stage.items()
                if "seconds" in e
            )
            + "."
        )
        w("")


def _after_load(r: dict[str, Any]) -> float | None:
    """journeymap's stages after the load: prepare and the analyses."""
    total = _together_total(r)
    load = r.get("stages", {}).get("load", {}).get("seconds")
    return None if total is None or load is None else total - load


def measure_figures(res: dict[str, Any]) -> dict[str, Any] | None:
    """measure's figures at one size, and its ratios to journeymap's events analyses."""
    r = res.get("together", {}).get(MEASURE)
    if not r:
        return None
    st = r.get("stages", {})
    out: dict[str, Any] = {
        "load": st.get("load", {}).get("seconds"),
        "measure": st.get("measure", {}).get("seconds"),
        "total": _together_total(r),
        "wall": r.get("wall_seconds"),
        "cpu": r.get("cpu_seconds"),
        "peak": r.get("peak_rss"),
        "other_cores": r.get("other_cores"),
        "error": _errors(r),
    }
    jm = res.get("together", {}).get("journeymap")
    if jm:
        out["jm_total"] = _together_total(jm)
        out["jm_after_load"] = _after_load(jm)
        out["jm_wall"] = jm.get("wall_seconds")
        out["jm_peak"] = jm.get("peak_rss")
    return out


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.1f}x" if a and b else "–"


def _measure_section(res: dict[str, Any], w: Any) -> None:
    r = res["together"][MEASURE]
    f = measure_figures(res) or {}
    w("### journeymap measure (journeymap only: no peer measures a journey map)")
    w("")
    w("`journeymap.measure(map, events=log)` with `benchmarks/shop-map.yaml`, in a process of")
    w("its own: *load* reads the map and the log (`read_events`), *measure* is the call (its")
    w("matching, its own ordered pass, outcomes, behaviour, friction, pain points, KPIs);")
    w("*process* is the whole process' wall time, interpreter start and imports included (what")
    w("a command would take). The ratios compare with journeymap's events analyses on the same")
    w("file, in the table above: *measure* against its prepare + flows + paths + funnel +")
    w("retention (everything after the same load), *total* against its total.")
    w("")
    w(
        "| tool | load | measure | total | process | CPU | peak | measure vs analyses "
        "| total vs analyses | peak vs analyses |"
    )
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: |")
    if f.get("error"):
        w(f"| {MEASURE} | failed: {f['error']} | | | | | | | | |")
        w("")
        return
    after = f.get("jm_after_load")
    w(
        f"| {MEASURE} | {_s(f['load'])} | {_s(f['measure'])} | {_s(f['total'])} | "
        f"{_s(f['wall'])} | {_s(f['cpu'])} | {_gib(f['peak'])} | "
        f"measure = {_ratio(f['measure'], after)} prepare+flows+paths+funnel+retention "
        f"({_s(after)}) | "
        f"{_ratio(f['total'], f.get('jm_total'))} ({_s(f.get('jm_total'))}) | "
        f"{_ratio(f['peak'], f.get('jm_peak'))} |"
    )
    w("")
    sub = r.get("substages") or {}
    if sub:
        order = sorted(sub.items(), key=lambda kv: -kv[1].get("seconds", 0))
        w(
            "Where measure's time goes (exclusive wall seconds of the functions it calls; "
            "work the engine defers counts where it runs): "
            + ", ".join(
                f"{name} {_s(e['seconds'])}"
                + (f" (peak {_gib(e['peak_rss'])})" if e.get("peak_rss") else "")
                for name, e in order
                if e.get("seconds", 0) >= 0.005
            )
            + "."
        )
        w("")
    a = r.get("answers", {}).get("measure")
    if a:
        outcomes = a.get("outcomes", {})
        total = sum(outcomes.values()) or 0
        ends = ", ".join(
            f"{k} {v:,}" + (f" ({v / total:.1%})" if total else "") for k, v in outcomes.items()
        )
        kpis = a.get("kpis", {})
        conv = kpis.get("kpi:visit-conversion", kpis.get("conversion:journey"))
        friction = ", ".join(f"{k} {v}" for k, v in (a.get("friction") or {}).items()) or "none"
        w(
            f"What it found: {a.get('customers') or 0:,} customers, "
            f"{a.get('rows_unmatched') or 0:,} of {a.get('rows_used') or 0:,} events claimed by "
            f"no touchpoint; journeys: {ends}"
            + (f"; visitor conversion {conv:.1f}%" if conv is not None else "")
            + f"; friction above typical: {friction}; {a.get('pain_points', 0)} pain points, "
            f"{a.get('flows', 0)} flows between touchpoints."
        )
        w("")
    if f.get("other_cores") is not None:
        c = f["other_cores"]
        w(
            f"Cores used by other processes while measure ran (of {res['machine']['nproc']}): "
            f"{c:.2f}"
            + (
                ". **The machine was shared: its wall times are inflated (CPU seconds much "
                "less so).**"
                if c > 0.25
                else " (a quiet machine)."
            )
        )
        w("")


def _linearity(results: list[dict[str, Any]], w: Any) -> None:
    rows = [
        (r["events"], _jm_total(r), r["together"].get("journeymap", {}).get("stages", {}), r)
        for r in results
    ]
    rows = [r for r in rows if r[1]]
    if len(rows) < 2:
        return
    with_measure = any((measure_figures(r) or {}).get("total") for *_, r in rows)
    w("## Linearity (journeymap, all analyses in one process)")
    w("")
    head = "| events | total | per 1M events | load | prepare | analyses |"
    rule = "| ---: | ---: | ---: | ---: | ---: | ---: |"
    if with_measure:
        head += " measure (load + measure) | per 1M events |"
        rule += " ---: | ---: |"
    w(head)
    w(rule)
    for n, total, st, res in rows:
        an = sum(st[a]["seconds"] for a in ANALYSES if a in st and "seconds" in st[a])
        line = (
            f"| {_label(n)} | {_s(total)} | {_s(total / (n / 1e6))} | "
            f"{_s(st.get('load', {}).get('seconds'))} | "
            f"{_s(st.get('prepare', {}).get('seconds'))} | {_s(an)} |"
        )
        if with_measure:
            mt = (measure_figures(res) or {}).get("total")
            line += f" {_s(mt)} | {_s(mt / (n / 1e6) if mt else None)} |"
        w(line)
    w("")


def _agreement_section(results: list[dict[str, Any]], w: Any) -> None:
    w("## Do the tools agree?")
    w("")
    w("Each tool's answers against plain pandas (sort + shift + groupby, written independently).")
    w("")
    for res in results:
        agr = res.get("agreement", {})
        if len(agr) <= 1:
            continue
        w(f"### {_label(res['events'])}")
        w("")
        w("| tool | check | agrees | detail |")
        w("| --- | --- | --- | --- |")
        for tool, checks in agr.items():
            if tool == "reference":
                continue
            for name, c in checks.items():
                how = SUBSTITUTES.get((tool, name))
                mark = "yes" if c["ok"] else ("no (expected)" if c.get("expected") else "**NO**")
                detail = c["detail"] + (f" [{how}]" if how else "")
                w(f"| {tool} | {name} | {mark} | {detail} |")
        w("")


def _traps(w: Any) -> None:
    w("## The peers' traps, and what the benchmark does about them")
    w("")
    w("- **pm4py**: `get_variants` assumes a frame that went through `pm4py.format_dataframe`")
    w("  (sorted by case, time and original index, with its column names); on another frame the")
    w("  variants are silently wrong. The benchmark formats first and")
    w("  counts that in pm4py's load time. pm4py's DFG has no customers per pair, and it has no")
    w("  ordered funnel or retention (plain pandas on its frame stands in, marked in the table).")
    w("  It prints an AGPL banner on import.")
    w("- **retentioneering** (5.x): imports PostHog telemetry that sends usage events unless")
    w("  `RETENTIONEERING_NO_TRACK=1` is set before import (the workers set it). Its step times")
    w("  are `date_diff('second', t, next_t)`: whole-second boundaries crossed, not the gap, so")
    w("  medians differ by up to a second. Its transition matrix includes synthetic")
    w("  `path_start`/`path_end` events (left out for the comparison); it has no variants or")
    w("  retention API (pandas on its frame stands in). Its `Eventstream` orders events by")
    w("  (path, timestamp, event type), not by file order; the generated data has no ties in time")
    w("  within a customer, so every tool sees the same order.")
    w('- **plain pandas**: `sort_values` is not stable unless `kind="stable"`; the benchmark asks')
    w("  for it so ties keep file order, as journeymap does.")
    w("")
