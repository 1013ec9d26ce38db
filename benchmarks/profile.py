"""Where journeymap's time goes, and what the alternatives cost, in plain DuckDB SQL.

    python benchmarks/profile.py --data benchmarks/data/events-10m.parquet

Runs, on one DuckDB connection configured as journeymap's engine (UTC, memory limit, temp
directory), each step of reading and preparing the log as journeymap's Ibis expressions
compile it today, then the same steps written the cheaper ways ANALYSIS.md proposes, and
prints seconds and the process' peak RSS after each. Every variant's result is checked
against the baseline (same transitions, same counts), so a faster variant is also a correct
one.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from typing import Any

import duckdb


def cpu_seconds() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


class Timer:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.rows: list[tuple[str, float, float, float]] = []

    def __call__(self, name: str, sql: str, params: Any = None) -> Any:
        start, cpu = time.perf_counter(), cpu_seconds()
        rel = self.con.execute(sql, params or [])
        out = rel.fetchall() if rel.description else None
        took, used = time.perf_counter() - start, cpu_seconds() - cpu
        self.rows.append((name, took, used, rss_gib()))
        print(f"{took:8.2f} s  cpu {used:7.2f} s  peak {rss_gib():5.2f} GiB  {name}",
              file=sys.stderr, flush=True)  # fmt: skip
        return out


#: journeymap's read_events as compiled today (ibis 12, at the time of writing)
STAGED_TODAY = """
CREATE OR REPLACE VIEW staged AS
SELECT * FROM (
  SELECT NULLIF(TRIM(customer_id), '') AS customer, NULLIF(TRIM(event), '') AS event,
         CAST("timestamp" AS TIMESTAMP) AS ts, 0 AS ts_sub, __seq AS seq,
         CAST("timestamp" AS TEXT) AS __raw_time,
         NULLIF(TRIM(session_id), '') AS session, NULLIF(TRIM(channel), '') AS channel,
         TRY_CAST(CAST(value AS TEXT) AS DOUBLE) AS value
  FROM (SELECT *, ROW_NUMBER() OVER () AS __seq FROM read_parquet($data)))
WHERE NOT (customer IS NULL OR event IS NULL OR __raw_time IS NULL OR TRIM(__raw_time) = ''
           OR (ts IS NULL AND NOT (__raw_time IS NULL OR TRIM(__raw_time) = '')))
"""

#: the same rows, with the input order from the Parquet reader (parallel) and no text casts
#: of columns that are already typed (a native timestamp cannot be an unreadable string)
STAGED_LEAN = """
CREATE OR REPLACE VIEW staged_lean AS
SELECT NULLIF(TRIM(customer_id), '') AS customer, NULLIF(TRIM(event), '') AS event,
       CAST("timestamp" AS TIMESTAMP) AS ts, 0 AS ts_sub, file_row_number + 1 AS seq,
       NULLIF(TRIM(session_id), '') AS session, NULLIF(TRIM(channel), '') AS channel,
       value
FROM read_parquet($data, file_row_number = true)
WHERE customer_id IS NOT NULL AND TRIM(customer_id) <> '' AND event IS NOT NULL
  AND TRIM(event) <> '' AND "timestamp" IS NOT NULL
"""

PREPARE_TODAY = """
CREATE OR REPLACE TEMP TABLE prepared AS
SELECT *, ROW_NUMBER() OVER w AS pos, LEAD(event) OVER w AS next_event,
       LEAD(ts) OVER w AS next_ts,
       date_diff('microsecond', ts, LEAD(ts) OVER w) / 1e6 AS gap_s
FROM {src}
WINDOW w AS (PARTITION BY customer ORDER BY ts, ts_sub, seq)
"""

#: the customer and the event as integer codes first; only the columns analyses read are kept
CODES = """
CREATE OR REPLACE TEMP TABLE customers AS
SELECT customer, (ROW_NUMBER() OVER ())::INTEGER AS cid FROM (SELECT DISTINCT customer FROM {src});
CREATE OR REPLACE TEMP TABLE events AS
SELECT event, (ROW_NUMBER() OVER (ORDER BY event))::SMALLINT AS code
FROM (SELECT DISTINCT event FROM {src});
"""

PREPARE_CODED = """
CREATE OR REPLACE TEMP TABLE prepared_coded AS
SELECT cid, code, ts, ROW_NUMBER() OVER w AS pos, LEAD(code) OVER w AS next_code,
       date_diff('microsecond', ts, LEAD(ts) OVER w) / 1e6 AS gap_s
FROM (SELECT c.cid, e.code, s.ts, s.ts_sub, s.seq FROM {src} s
      JOIN customers c USING (customer) JOIN events e USING (event))
WINDOW w AS (PARTITION BY cid ORDER BY ts, ts_sub, seq)
"""

FLOWS_TODAY = """
SELECT event, next_event, count(*) AS n, count(DISTINCT customer) AS customers,
       quantile_cont(gap_s, 0.5) AS median, quantile_cont(gap_s, 0.9) AS p90
FROM prepared WHERE next_event IS NOT NULL GROUP BY ALL ORDER BY n DESC, event, next_event
"""

#: exact quantiles from counts per (pair, gap): the same values, far less memory at scale
FLOWS_CODED = """
WITH steps AS (SELECT code, next_code, cid, gap_s FROM prepared_coded WHERE next_code IS NOT NULL),
pairs AS (SELECT code, next_code, count(*) AS n, count(DISTINCT cid) AS customers
          FROM steps GROUP BY ALL),
hist AS (SELECT code, next_code, gap_s, count(*) AS k FROM steps GROUP BY ALL),
cum AS (SELECT *, sum(k) OVER (PARTITION BY code, next_code ORDER BY gap_s) AS upto,
               sum(k) OVER (PARTITION BY code, next_code) AS total FROM hist),
-- quantile_cont(q): the values at ranks floor(h) and ceil(h), h = q * (n - 1), 0-based
q AS (SELECT code, next_code, total,
             min(gap_s) FILTER (WHERE upto > floor(0.5 * (total - 1))) AS m_lo,
             min(gap_s) FILTER (WHERE upto > ceil(0.5 * (total - 1))) AS m_hi,
             min(gap_s) FILTER (WHERE upto > floor(0.9 * (total - 1))) AS p_lo,
             min(gap_s) FILTER (WHERE upto > ceil(0.9 * (total - 1))) AS p_hi
      FROM cum GROUP BY ALL)
SELECT e1.event, e2.event AS next_event, p.n, p.customers,
       m_lo + (m_hi - m_lo) * (0.5 * (q.total - 1) - floor(0.5 * (q.total - 1))) AS median,
       p_lo + (p_hi - p_lo) * (0.9 * (q.total - 1) - floor(0.9 * (q.total - 1))) AS p90
FROM pairs p JOIN q USING (code, next_code)
JOIN events e1 ON e1.code = p.code JOIN events e2 ON e2.code = p.next_code
ORDER BY n DESC, e1.event, next_event
"""

FLOWS_CODED_EXACT = """
SELECT e1.event, e2.event AS next_event, p.n, p.customers, p.median, p.p90
FROM (SELECT code, next_code, count(*) AS n, count(DISTINCT cid) AS customers,
             quantile_cont(gap_s, 0.5) AS median, quantile_cont(gap_s, 0.9) AS p90
      FROM prepared_coded WHERE next_code IS NOT NULL GROUP BY ALL) p
JOIN events e1 ON e1.code = p.code JOIN events e2 ON e2.code = p.next_code
ORDER BY n DESC, e1.event, next_event
"""

PATHS_CODED = """
SELECT count(*) AS variants, max(n) AS top FROM (
  SELECT codes, count(*) AS n FROM (
    SELECT cid, list(code ORDER BY pos) AS codes FROM prepared_coded GROUP BY cid)
  GROUP BY codes)
"""

FUNNEL = """
WITH s1 AS (SELECT customer, min(pos) AS pos FROM prepared WHERE event = 'product' GROUP BY ALL),
s2 AS (SELECT p.customer, min(p.pos) AS pos FROM prepared p JOIN s1 USING (customer)
       WHERE p.event = 'cart' AND p.pos > s1.pos GROUP BY ALL),
s3 AS (SELECT p.customer, min(p.pos) AS pos FROM prepared p JOIN s2 USING (customer)
       WHERE p.event = 'checkout' AND p.pos > s2.pos GROUP BY ALL),
s4 AS (SELECT p.customer, min(p.pos) AS pos FROM prepared p JOIN s3 USING (customer)
       WHERE p.event = 'purchase' AND p.pos > s3.pos GROUP BY ALL)
SELECT (SELECT count(*) FROM s1), (SELECT count(*) FROM s2), (SELECT count(*) FROM s3),
       (SELECT count(*) FROM s4)
"""

RETENTION = """
WITH a AS (SELECT DISTINCT customer, date_trunc('month', ts) AS m FROM prepared),
e AS (SELECT m, count(*) AS n_end FROM a GROUP BY m),
r AS (SELECT a.m, count(*) AS retained FROM a JOIN a b
      ON a.customer = b.customer AND b.m = a.m - INTERVAL 1 MONTH GROUP BY a.m)
SELECT e.m, n_end, coalesce(retained, 0) FROM e LEFT JOIN r USING (m) ORDER BY e.m
"""

PATHS_TODAY = """
SELECT count(*) AS variants, max(n) AS top FROM (
  SELECT evs, count(*) AS n FROM (
    SELECT customer, list(event ORDER BY pos) AS evs FROM prepared GROUP BY customer)
  GROUP BY evs)
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--memory-limit", default="4GB")
    ap.add_argument("--temp-directory", default="benchmarks/data/duckdb-tmp")
    ap.add_argument("--threads", type=int)
    args = ap.parse_args(argv)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")
    con.execute("SET memory_limit = ?", [args.memory_limit])
    con.execute("SET temp_directory = ?", [args.temp_directory])
    if args.threads:
        con.execute("SET threads = ?", [args.threads])
    t = Timer(con)
    data = [args.data]
    literal = "'" + args.data.replace("'", "''") + "'"
    con.execute(STAGED_TODAY.replace("$data", literal))
    con.execute(STAGED_LEAN.replace("$data", literal))
    t("scan: count(*) and a group-by on the Parquet file",
      "SELECT count(*), count(DISTINCT event) FROM read_parquet(?)", data)  # fmt: skip
    t("scan: distinct customers (hash aggregate on the string id)",
      "SELECT count(DISTINCT customer_id) FROM read_parquet(?)", data)  # fmt: skip
    t("read today: one pass over the staged view (ROW_NUMBER() OVER (), text casts, trims)",
      "SELECT count(*) FROM staged")  # fmt: skip
    t("read lean: the same with file_row_number and no text casts of typed columns",
      "SELECT count(*) FROM staged_lean")  # fmt: skip
    t("prepare today: all columns kept, string customer, over the staged view",
      PREPARE_TODAY.format(src="staged"))  # fmt: skip
    con.execute("DROP TABLE prepared")
    t("prepare: all columns kept, string customer, over the lean view",
      PREPARE_TODAY.format(src="staged_lean"))  # fmt: skip
    con.execute("DROP TABLE prepared")
    narrow = "(SELECT customer, event, ts, ts_sub, seq FROM staged_lean)"
    t("prepare narrow: customer, event, ts, pos, next, gap only (lean view)",
      PREPARE_TODAY.format(src=narrow))  # fmt: skip
    base = t("flows today (strings; count, customers, exact quantile_cont)", FLOWS_TODAY)
    base_paths = t("paths today (lists of event names)", PATHS_TODAY)
    t("funnel, 4 steps (chained joins on the prepared table)", FUNNEL)
    t("retention, monthly (distinct customer-months, self-join)", RETENTION)
    lean = [
        r
        for r in t.rows
        if r[0].startswith(
            ("read lean", "prepare narrow", "flows today", "paths today", "funnel", "retention")
        )
    ]
    print(f"lean pipeline, all five analyses from the file: {sum(r[1] for r in lean):.2f} s",
          file=sys.stderr)  # fmt: skip
    con.execute("DROP TABLE prepared")
    t("codes: customer and event dictionaries", CODES.format(src="staged_lean"))
    t("prepare coded: integer customer and event, narrow", PREPARE_CODED.format(src="staged_lean"))
    t("flows coded, exact quantile_cont", FLOWS_CODED_EXACT)
    coded = t("flows coded, quantiles from a histogram of gaps", FLOWS_CODED)
    coded_paths = t("paths coded (lists of small ints)", PATHS_CODED)
    same = len(base) == len(coded) and all(
        a[:4] == b[:4] and abs(a[4] - b[4]) < 1e-6 and abs(a[5] - b[5]) < 1e-6
        for a, b in zip(base, coded, strict=True)
    )
    print(f"flows identical: {same}; paths identical: {base_paths == coded_paths}",
          file=sys.stderr)  # fmt: skip
    print("\n| step | wall s | CPU s | peak RSS so far |\n| --- | ---: | ---: | ---: |")
    for name, took, used, peak in t.rows:
        print(f"| {name} | {took:.2f} | {used:.2f} | {peak:.2f} GiB |")
    print(f"\nflows identical: {same}; paths identical: {base_paths == coded_paths}")
    print(f"lean pipeline (read lean + prepare narrow + flows + paths + funnel + retention): "
          f"{sum(r[1] for r in lean):.2f} s wall, {sum(r[2] for r in lean):.2f} s CPU")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
