"""Layouts of the kept (cached) prepared table, measured on a cache file (issue 18).

    python benchmarks/layout.py --cache-file /tmp/cache/events-....duckdb

Copies the cache file's per-customer prepared table into new DuckDB files laid out in
different ways, then times, on each, the queries the analyses run most (plain DuckDB SQL,
no ibis: what the data costs, not the compiler): the directly-follows counts (flows), the
journeys' fingerprints (paths), the first event of two funnel steps per journey (funnel),
the customers active per week (retention). Each figure is the least wall time of
``--repeat`` runs, and the CPU seconds of that run, in this one process (the layouts are
measured one after the other, at the same moment of a shared machine). Prints a Markdown
table for benchmarks/ANALYSIS.md.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

#: the narrow table: what is computed, not what can be derived from it on reading
NARROW = "cid, code, next_code, ts, seq, pos, gap_s"

LAYOUTS = {
    "as kept now (every column, window order)": "SELECT * FROM src.prepared",
    "narrow (derived columns computed on reading)": f"SELECT {NARROW} FROM src.prepared",
    "narrow, sorted by event code": f"SELECT {NARROW} FROM src.prepared ORDER BY code, cid, pos",
    "narrow, uncompressed": f"SELECT {NARROW} FROM src.prepared",
}

QUERIES = {
    "flows: transitions counted": (
        "SELECT code, next_code, count(*), count(DISTINCT cid) FROM t "
        "WHERE next_code IS NOT NULL GROUP BY ALL"
    ),
    "flows: median, p90 of gaps": (
        "SELECT code, next_code, quantile_cont(gap_s, 0.5), quantile_cont(gap_s, 0.9) FROM t "
        "WHERE next_code IS NOT NULL GROUP BY ALL"
    ),
    "paths: fingerprints": (
        "SELECT n, h, count(*) FROM (SELECT cid, count(*) AS n, "
        "sum(hash(pos * 1000 + code) >> 8) AS h FROM t GROUP BY cid) GROUP BY ALL"
    ),
    "funnel: 2 steps": (
        "WITH a AS (SELECT cid, min(pos) AS p FROM t WHERE code = 1 GROUP BY cid), "
        "b AS (SELECT t.cid, min(t.pos) FROM t JOIN a ON t.cid = a.cid AND t.pos > a.p "
        "WHERE t.code = 4 GROUP BY t.cid) SELECT count(*) FROM b"
    ),
    "retention: active per week": (
        "SELECT w, count(*) FROM (SELECT DISTINCT cid, date_trunc('week', ts) AS w FROM t) "
        "GROUP BY w"
    ),
}


def _timed(con: object, sql: str, repeat: int) -> tuple[float, float]:
    best = (float("inf"), 0.0)
    for _ in range(repeat):
        ru = resource.getrusage(resource.RUSAGE_SELF)
        cpu0 = ru.ru_utime + ru.ru_stime
        t0 = time.perf_counter()
        con.execute(sql).fetchall()  # type: ignore[attr-defined]
        wall = time.perf_counter() - t0
        ru = resource.getrusage(resource.RUSAGE_SELF)
        if wall < best[0]:
            best = (wall, ru.ru_utime + ru.ru_stime - cpu0)
    return best


def main(argv: list[str] | None = None) -> int:
    import duckdb

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache-file", type=Path, required=True)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    rows: list[str] = []
    extra: list[str] = []
    with tempfile.TemporaryDirectory(prefix="journeymap-layout-") as folder:
        for i, (name, select) in enumerate(LAYOUTS.items()):
            path = Path(folder) / f"layout{i}.duckdb"
            con = duckdb.connect(str(path))
            con.execute("SET enable_progress_bar = false")
            con.execute("ATTACH ? AS src (READ_ONLY)", [str(args.cache_file)])
            if "uncompressed" in name:
                con.execute("PRAGMA force_compression = 'uncompressed'")
            t0 = time.perf_counter()
            con.execute(f"CREATE TABLE t AS {select}")
            con.execute("CHECKPOINT")
            written = time.perf_counter() - t0
            con.execute("DETACH src")
            con.close()
            size = path.stat().st_size
            con = duckdb.connect(str(path), read_only=True)
            con.execute("SET enable_progress_bar = false")
            times = [_timed(con, sql, args.repeat) for sql in QUERIES.values()]
            con.close()
            if i == 1:  # materialised aggregates, from the narrow table: what they cost to keep
                built = {}
                for what, sql in (
                    ("the flows table (transitions, customers, median, p90)",
                     QUERIES["flows: median, p90 of gaps"].replace(
                         "quantile_cont(gap_s, 0.5)",
                         "count(*), count(DISTINCT cid), quantile_cont(gap_s, 0.5)")),
                    ("per-journey fingerprints (length, hash sum)",
                     "SELECT cid, count(*) AS n, sum(hash(pos * 1000 + code) >> 8) AS h "
                     "FROM t GROUP BY cid"),
                ):  # fmt: skip
                    rw = duckdb.connect(str(path))
                    t1 = time.perf_counter()
                    rw.execute(f"CREATE TABLE agg AS {sql}")
                    rw.execute("CHECKPOINT")
                    build = time.perf_counter() - t1
                    n = rw.execute("SELECT count(*) FROM agg").fetchone()[0]  # type: ignore[index]
                    read = _timed(rw, "SELECT * FROM agg", args.repeat)[0]
                    rw.execute("DROP TABLE agg")
                    rw.close()
                    built[what] = (build, n, read)
                extra.extend(
                    f"- {what}: built and kept in {b:.2f} s, {n:,} rows, read back in {r:.3f} s"
                    for what, (b, n, r) in built.items()
                )
            cells = " | ".join(f"{w:.2f} s ({c:.2f})" for w, c in times)
            rows.append(
                f"| {name} | {written:.2f} s | {size / 2**20:.0f} MiB | {cells} | "
                f"{sum(w for w, _ in times):.2f} s |"
            )
            path.unlink()
    print("| layout | write | size | " + " | ".join(QUERIES) + " | sum |")
    print("| --- | ---: | ---: | " + " | ".join("---:" for _ in QUERIES) + " | ---: |")
    print("\n".join(rows))
    print()
    print("\n".join(extra))
    return 0


if __name__ == "__main__":
    sys.exit(main())
