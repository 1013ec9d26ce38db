"""One tool's run of the benchmark analyses, in a process of its own.

    python benchmarks/workers.py --tool journeymap --data FILE --analyses all --out RESULT.json

``run.py`` starts one such process per tool (and, with ``--separate``, one per tool and
analysis), so each tool's peak memory is its own process's peak. Inside, a thread samples the
process' RSS every few milliseconds so each stage also gets the peak seen while it ran.

Stages: ``load`` (read the file into the tool: read_events / read_parquet + format_dataframe
/ Eventstream), ``prepare`` (the ordered pass where the tool has one), then the analyses:

==========  ==================================================================================
flows       directly-follows pairs: count (and customers where the tool gives it)
steptimes   median (and p90) seconds between the two events of each pair
paths       variants (the full ordered event sequence of each customer): how many there
            are and the most common ones with their customers. The peers count every
            variant and take the head; journeymap asks for the top 50 with the count of
            all variants, as ``journeymap events paths --top 50`` does
funnel      ordered funnel over FUNNEL_STEPS: customers reaching each step
retention   monthly activity: at start, retained, new, reactivated, lost, at end
==========  ==================================================================================

Each analysis also returns a small normalised answer (counts per pair, top variants, funnel
counts, retention rows, medians for the most frequent pairs) that ``report.py`` compares
across tools.

``--tool journeymap-measure`` is journeymap's ``measure`` on the same file, which no peer
has: ``load`` reads the map ``shop-map.yaml`` and the log (``read_events``, keeping the
columns the map's ``where:`` conditions read, as ``measure_files`` does), then the one stage
``measure`` runs ``journeymap.measure(map, events=log)``: matching, its own ordered pass,
outcomes, behaviour, friction, pain points, KPIs and actions. Its answer is a summary of the
measurement, and ``substages`` the exclusive time of the functions it calls.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# retentioneering phones home at import time unless told not to
os.environ["RETENTIONEERING_NO_TRACK"] = "1"

FUNNEL_STEPS = ["product", "cart", "checkout", "purchase"]
ANALYSES = ["flows", "steptimes", "paths", "funnel", "retention"]
TOP_VARIANTS = 10
TOP_PAIRS_FOR_TIMES = 20
CUSTOMER, TIME, EVENT = "customer_id", "timestamp", "event"
#: the journey map the measure row holds against the generated clickstream
MEASURE_MAP = Path(__file__).resolve().parent / "shop-map.yaml"


# ---- measuring -------------------------------------------------------------------------------


class Sampler(threading.Thread):
    """Samples this process' RSS; ``mark()`` returns the peak since the previous mark."""

    def __init__(self, every: float = 0.005) -> None:
        super().__init__(daemon=True)
        import psutil

        self._proc = psutil.Process()
        self._every = every
        self._peak = 0
        self._sub_peak = 0  # the same, reset by mark_sub() (substages inside a stage)
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def run(self) -> None:
        while not self._stop.is_set():
            rss = self._proc.memory_info().rss
            with self._lock:
                self._peak = max(self._peak, rss)
                self._sub_peak = max(self._sub_peak, rss)
            time.sleep(self._every)

    def mark(self) -> int:
        rss = self._proc.memory_info().rss
        with self._lock:
            peak, self._peak = max(self._peak, rss), rss
        return peak

    def mark_sub(self) -> int:
        """The peak since the previous ``mark_sub()``; leaves ``mark()``'s peak alone."""
        rss = self._proc.memory_info().rss
        with self._lock:
            peak, self._sub_peak = max(self._sub_peak, rss), rss
        return int(peak)

    def stop(self) -> None:
        self._stop.set()


# ---- shared pandas pieces (plain pandas, and the peers where they have no such analysis) ----


def pd_order(df: Any) -> Any:
    """Events of each customer in time order, ties in file order (a stable sort)."""
    return df.sort_values([CUSTOMER, TIME], kind="stable").reset_index(drop=True)


def pd_next(df: Any) -> Any:
    """Next event and gap in seconds within the customer, on a customer-ordered frame."""
    import numpy as np

    same = df[CUSTOMER].to_numpy()[1:] == df[CUSTOMER].to_numpy()[:-1]
    nxt = df[EVENT].shift(-1)
    nxt_ts = df[TIME].shift(-1)
    last = np.r_[~same, True]
    return df.assign(
        next_event=nxt.where(~last),
        gap_s=(nxt_ts - df[TIME]).dt.total_seconds().where(~last),
    )


def pd_flows(seq: Any) -> Any:
    steps = seq[seq["next_event"].notna()]
    return steps.groupby([EVENT, "next_event"], observed=True, sort=False).agg(
        count=(CUSTOMER, "size"), customers=(CUSTOMER, "nunique")
    )


def pd_steptimes(seq: Any) -> Any:
    steps = seq[seq["next_event"].notna()]
    g = steps.groupby([EVENT, "next_event"], observed=True, sort=False)["gap_s"]
    return g.quantile(0.5).to_frame("median").join(g.quantile(0.9).rename("p90"))


def pd_paths(ordered: Any) -> Any:
    """Variant counts: customers per full event sequence (ordered frame)."""
    seqs = ordered.groupby(CUSTOMER, sort=False, observed=True)[EVENT].agg(">".join)
    return seqs.value_counts()


def pd_funnel(ordered: Any, steps: list[str]) -> list[int]:
    """A customer reaches step k at its first step-k event after where it reached step k-1."""
    import pandas as pd

    pos = ordered.groupby(CUSTOMER, sort=False, observed=True).cumcount()
    frame = pd.DataFrame({"c": ordered[CUSTOMER].to_numpy(), "e": ordered[EVENT], "pos": pos})
    reached: Any = None
    counts = []
    for step in steps:
        cand = frame.loc[frame["e"] == step, ["c", "pos"]]
        if reached is not None:
            cand = cand.merge(reached, on="c")
            cand = cand[cand["pos"] > cand["prev"]]
        reached = cand.groupby("c", sort=False)["pos"].min().rename("prev").reset_index()
        counts.append(len(reached))
    return counts


def pd_retention(df: Any) -> list[dict[str, Any]]:
    """Per calendar month (UTC): customers at start, retained, new (first activity ever),
    reactivated (back after a break), lost, at end; active = any event."""
    import numpy as np
    import pandas as pd

    ts = df[TIME]
    if getattr(ts.dt, "tz", None) is not None:
        ts = ts.dt.tz_convert("UTC").dt.tz_localize(None)
    month = ts.to_numpy().astype("datetime64[M]").astype(np.int64)
    active = pd.DataFrame({"c": df[CUSTOMER].to_numpy(), "m": month}).drop_duplicates()
    shifted = active.assign(m=active["m"] + 1)
    both = active.merge(shifted, on=["c", "m"])
    end = active.groupby("m").size()
    start = shifted.groupby("m").size()
    retained = both.groupby("m").size()
    new = active.groupby("c")["m"].min().value_counts()
    months = range(int(active["m"].min()), int(active["m"].max()) + 1)
    rows = []
    for m in months:
        s, r, e = int(start.get(m, 0)), int(retained.get(m, 0)), int(end.get(m, 0))
        n = int(new.get(m, 0))
        label = str(np.datetime64(m, "M"))
        rows.append({"period": label, "start": s, "retained": r, "new": n,
                     "reactivated": e - r - n, "lost": s - r, "end": e})  # fmt: skip
    return rows


def answer_flows(pairs: dict[tuple[str, str], int], customers: Any = None) -> dict[str, Any]:
    out: dict[str, Any] = {"pairs": {f"{a}>{b}": int(n) for (a, b), n in pairs.items()}}
    if customers is not None:
        out["customers"] = {f"{a}>{b}": int(n) for (a, b), n in customers.items()}
    return out


def answer_times(medians: dict[tuple[str, str], float], p90: Any = None) -> dict[str, Any]:
    out: dict[str, Any] = {"median": {f"{a}>{b}": float(v) for (a, b), v in medians.items()}}
    if p90 is not None:
        out["p90"] = {f"{a}>{b}": float(v) for (a, b), v in p90.items()}
    return out


def answer_paths(counts: list[tuple[str, int]], n_variants: int | None) -> dict[str, Any]:
    top = sorted(counts, key=lambda kv: (-kv[1], kv[0]))[:TOP_VARIANTS]
    return {"n_variants": n_variants, "top": [[v, int(n)] for v, n in top]}


# ---- the tools -------------------------------------------------------------------------------


class Tool:
    """load() then prepare() then any analysis; each analysis returns its normalised answer."""

    name = "?"
    notes: list[str]

    def __init__(self, data: str, options: dict[str, Any]) -> None:
        self.data = data
        self.options = options
        self.notes = []
        self.sampler: Sampler | None = None  # set by work()
        self.substages: dict[str, dict[str, Any]] = {}

    def load(self) -> None:
        raise NotImplementedError

    def prepare(self) -> None:
        """The ordered pass, where the tool has a separate one."""

    def analysis(self, name: str) -> Callable[[], dict[str, Any]]:
        return getattr(self, name)  # type: ignore[no-any-return]

    def versions(self) -> dict[str, str]:
        return {}


class Pandas(Tool):
    name = "pandas"

    def load(self) -> None:
        import pandas as pd

        self.df = pd.read_parquet(self.data, columns=[CUSTOMER, TIME, EVENT])

    def prepare(self) -> None:
        self.seq = pd_next(pd_order(self.df))

    def flows(self) -> dict[str, Any]:
        f = pd_flows(self.seq)
        return answer_flows(f["count"].to_dict(), f["customers"].to_dict())

    def steptimes(self) -> dict[str, Any]:
        t = pd_steptimes(self.seq)
        return answer_times(t["median"].to_dict(), t["p90"].to_dict())

    def paths(self) -> dict[str, Any]:
        v = pd_paths(self.seq)
        return answer_paths(list(v.head(TOP_VARIANTS * 5).items()), len(v))

    def funnel(self) -> dict[str, Any]:
        return {"steps": FUNNEL_STEPS, "reached": pd_funnel(self.seq, FUNNEL_STEPS)}

    def retention(self) -> dict[str, Any]:
        return {"rows": pd_retention(self.seq)}

    def versions(self) -> dict[str, str]:
        import pandas as pd

        return {"pandas": pd.__version__}


class Pm4py(Tool):
    name = "pm4py"

    def load(self) -> None:
        import pandas as pd
        import pm4py

        df = pd.read_parquet(self.data, columns=[CUSTOMER, TIME, EVENT])
        # without format_dataframe, get_variants is silently wrong (see DESIGN.md)
        self.df = pm4py.format_dataframe(
            df, case_id=CUSTOMER, activity_key=EVENT, timestamp_key=TIME
        )

    def flows(self) -> dict[str, Any]:
        import pm4py

        dfg, _, _ = pm4py.discover_dfg(self.df)
        return answer_flows(dfg)

    def steptimes(self) -> dict[str, Any]:
        import pm4py

        perf, _, _ = pm4py.discover_performance_dfg(self.df)
        return answer_times({k: v["median"] for k, v in perf.items()})

    def paths(self) -> dict[str, Any]:
        import pm4py

        variants = pm4py.get_variants(self.df)
        items = [(">".join(k), int(v)) for k, v in variants.items()]
        return answer_paths(items, len(variants))

    def _ordered(self) -> Any:
        # format_dataframe sorted the frame by case, timestamp and its @@index
        cols = ["case:concept:name", "concept:name", "time:timestamp"]
        return self.df[cols].set_axis([CUSTOMER, EVENT, TIME], axis=1)

    def funnel(self) -> dict[str, Any]:
        # pm4py has no ordered funnel (its segment filter means directly-follows): plain pandas
        # on pm4py's formatted frame
        return {"steps": FUNNEL_STEPS, "reached": pd_funnel(self._ordered(), FUNNEL_STEPS)}

    def retention(self) -> dict[str, Any]:
        # pm4py has no retention: plain pandas on its frame
        return {"rows": pd_retention(self._ordered())}

    def versions(self) -> dict[str, str]:
        import pm4py

        return {"pm4py": pm4py.__version__}


class Retentioneering(Tool):
    name = "retentioneering"

    def load(self) -> None:
        import pandas as pd
        from retentioneering import Eventstream

        df = pd.read_parquet(self.data, columns=[CUSTOMER, TIME, EVENT])
        self.es = Eventstream(
            df,
            schema={"path_cols": [CUSTOMER], "event_col": EVENT, "timestamp_col": TIME},
        )

    def _pairs(self, matrix: Any) -> dict[tuple[str, str], Any]:
        out = {}
        stacked = matrix.stack(future_stack=True)
        for (a, b), v in stacked.items():
            if a in ("path_start", "path_end") or b in ("path_start", "path_end"):
                continue
            out[(str(a), str(b))] = v
        return out

    def flows(self) -> dict[str, Any]:
        counts = self._pairs(self.es.transition_graph_data(edge_weight="count"))
        uniq = self._pairs(self.es.transition_graph_data(edge_weight="unique_paths"))
        counts = {k: v for k, v in counts.items() if v}
        return answer_flows(counts, {k: v for k, v in uniq.items() if k in counts})

    def steptimes(self) -> dict[str, Any]:
        import pandas as pd

        med = self._pairs(self.es.transition_graph_data(edge_weight="time_median"))
        return answer_times({k: v.total_seconds() for k, v in med.items() if not pd.isna(v)})

    def stepmatrix(self) -> dict[str, Any]:
        sm = self.es.step_matrix_data(max_steps=10)
        return {"shape": list(sm.shape)}

    def _frame(self) -> Any:
        df = self.es.df
        # sorted by path, timestamp, subindex in Eventstream's preprocessing
        return df[df["event_type"] == "raw"] if "event_type" in df.columns else df

    def paths(self) -> dict[str, Any]:
        # no variants API in retentioneering 5: plain pandas on its (sorted) frame
        df = self._frame()
        frame = df.assign(**{EVENT: df[EVENT].astype(str)})
        v = pd_paths(frame)
        return answer_paths(list(v.head(TOP_VARIANTS * 5).items()), len(v))

    def funnel(self) -> dict[str, Any]:
        data = self.es.funnel_data(steps=FUNNEL_STEPS)
        return {"steps": FUNNEL_STEPS, "reached": [int(s["unique_paths"]) for s in data["steps"]]}

    def retention(self) -> dict[str, Any]:
        # no retention in retentioneering 5: plain pandas on its frame
        return {"rows": pd_retention(self._frame())}

    def versions(self) -> dict[str, str]:
        import retentioneering

        return {"retentioneering": retentioneering.__version__}


class Journeymap(Tool):
    name = "journeymap"

    def load(self) -> None:
        from journeymap.engine import Engine, EngineConfig
        from journeymap.events.read import read_events

        config: dict[str, Any] = {}
        for key in ("memory_limit", "temp_directory", "max_temp_directory_size", "threads"):
            if self.options.get(key):
                config[key] = self.options[key]
        self.engine = Engine.connect(EngineConfig(**config))
        if self.options.get("quiet_progress", True):
            self.engine.execute("SET enable_progress_bar = false")
        self.log = read_events(self.data, engine=self.engine, **self._read_options())
        self.notes.append(f"engine settings: {config or 'defaults'}")

    def _read_options(self) -> dict[str, Any]:
        return {}

    def prepare(self) -> None:
        from journeymap.events.prepare import prepare

        prepare(self.log, per="customer")

    def _flows(self) -> Any:
        if getattr(self, "_flow_table", None) is None:
            from journeymap.events.flows import flows

            self._flow_table = flows(self.log, per="customer").to_pylist()
        return self._flow_table

    def flows(self) -> dict[str, Any]:
        rows = self._flows()
        out = answer_flows(
            {(r["from"], r["to"]): r["count"] for r in rows},
            {(r["from"], r["to"]): r["customers"] for r in rows},
        )
        # flows() computes the step times in the same pass
        out["times"] = answer_times(
            {(r["from"], r["to"]): r["median_seconds"] for r in rows},
            {(r["from"], r["to"]): r["p90_seconds"] for r in rows},
        )
        return out

    def steptimes(self) -> dict[str, Any]:
        # journeymap's flows() returns median and p90 with the counts: one call, measured once
        rows = self._flows()
        return answer_times(
            {(r["from"], r["to"]): r["median_seconds"] for r in rows},
            {(r["from"], r["to"]): r["p90_seconds"] for r in rows},
        )

    def paths(self) -> dict[str, Any]:
        from journeymap.events import paths as paths_mod

        fn = getattr(paths_mod, "paths", paths_mod)
        totals = getattr(paths_mod, "totals", None)
        # the number of variants and the most common ones, the answer the peers give; with
        # a journeymap older than paths.totals, all variants as the peers count them
        top = TOP_VARIANTS * 5 if totals is not None else None
        table = fn(self.log, per="customer", top=top, collapse_loops=False)
        if table.num_rows == 0:
            return answer_paths([], 0)
        counted = totals(table) if totals is not None else None
        n_variants = counted[0] if counted is not None else table.num_rows
        # only the head is turned into Python objects (millions of list rows would cost the
        # harness gigabytes)
        rows = table.slice(0, TOP_VARIANTS * 5).to_pylist()
        cols = list(rows[0])
        seq_col = next(c for c in ("events", "path", "variant", "sequence") if c in cols)
        n_col = next(c for c in ("customers", "count", "journeys", "n") if c in cols)

        def text(v: Any) -> str:
            return ">".join(v) if isinstance(v, list | tuple) else str(v).replace(" > ", ">")

        items = [(text(r[seq_col]), int(r[n_col])) for r in rows]
        return answer_paths(items, n_variants)

    def funnel(self) -> dict[str, Any]:
        from journeymap.events import funnel as funnel_mod

        fn = getattr(funnel_mod, "funnel", funnel_mod)
        rows = fn(self.log, steps=FUNNEL_STEPS, within=None, per="customer").to_pylist()
        n_col = next(c for c in ("customers", "reached", "count") if c in rows[0])
        return {"steps": FUNNEL_STEPS, "reached": [int(r[n_col]) for r in rows]}

    def retention(self) -> dict[str, Any]:
        from journeymap.events import retention as retention_mod

        fn = getattr(retention_mod, "retention", retention_mod)
        result = fn(self.log, period="month", event=None)
        table = result[0] if isinstance(result, tuple) else getattr(result, "periods", result)
        rows = []
        for r in table.to_pylist():

            def pick(*names: str, r: dict[str, Any] = r) -> Any:
                for n in names:
                    if n in r:
                        return r[n]
                raise KeyError(f"none of {names} in {list(r)}")

            period = pick("period", "period_start", "start_date")
            rows.append(
                {
                    "period": str(period)[:7],
                    "start": int(pick("start", "customers_at_start", "at_start") or 0),
                    "retained": int(pick("retained") or 0),
                    "new": int(pick("new") or 0),
                    "reactivated": int(pick("reactivated") or 0),
                    "lost": int(pick("lost") or 0),
                    "end": int(pick("end", "customers_at_end", "at_end") or 0),
                }
            )
        return {"rows": rows}

    def versions(self) -> dict[str, str]:
        import duckdb
        import ibis

        from journeymap._version import __version__ as jm

        return {"journeymap": jm, "ibis-framework": ibis.__version__, "duckdb": duckdb.__version__}


class JourneymapCached(Journeymap):
    """journeymap on a log an earlier command kept with ``--cache`` (a second command): the
    cache is written beforehand by ``run.py`` (``cached.py --step store``), untimed."""

    name = "journeymap-cached"

    def load(self) -> None:
        from journeymap.engine import Engine, EngineConfig
        from journeymap.events import cache

        self.engine = Engine.connect(EngineConfig())
        if self.options.get("quiet_progress", True):
            self.engine.execute("SET enable_progress_bar = false")
        found = cache.entry(Path(self.options["cache_dir"]), [self.data], {})
        log = cache.load(self.engine, found).log
        if log is None:
            raise RuntimeError(f"no cache of {self.data} in {self.options['cache_dir']}")
        self.log = log
        self.notes.append(f"from the cache {found.path.name}")


class Substages:
    """Exclusive wall and CPU seconds (and the peak RSS) of named functions while a call runs.

    ``targets``: (module under ``journeymap.``, function, label); each function is replaced
    on its module for the duration (the measuring code imports its
    helpers inside functions or calls module globals, so the call sites see the wrapper); a
    function's time leaves out that of wrapped functions it calls. Work the engine defers
    (Ibis expressions) counts where it is executed.
    """

    def __init__(self, targets: list[tuple[str, str, str]], sampler: Sampler | None) -> None:
        self.targets = targets
        self.sampler = sampler
        self.times: dict[str, dict[str, Any]] = {}
        self._stack: list[list[float]] = []  # per active call: children's wall, children's cpu
        self._saved: list[tuple[Any, str, Any]] = []

    def _wrap(self, label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            start, cpu = time.perf_counter(), _cpu()
            self._stack.append([0.0, 0.0])
            try:
                return fn(*args, **kwargs)
            finally:
                wall, used = time.perf_counter() - start, _cpu() - cpu
                child_wall, child_cpu = self._stack.pop()
                if self._stack:
                    self._stack[-1][0] += wall
                    self._stack[-1][1] += used
                entry = self.times.setdefault(
                    label, {"seconds": 0.0, "cpu_seconds": 0.0, "calls": 0, "peak_rss": 0}
                )
                entry["seconds"] += wall - child_wall
                entry["cpu_seconds"] += used - child_cpu
                entry["calls"] += 1
                if self.sampler is not None:
                    entry["peak_rss"] = max(entry["peak_rss"], self.sampler.mark_sub())

        return timed

    def __enter__(self) -> Substages:
        import importlib

        for name, attr, label in self.targets:
            try:
                module = importlib.import_module(f"journeymap.{name}")
            except ImportError:  # another journeymap version: not there
                continue
            fn = getattr(module, attr, None)
            if fn is None:
                continue
            self._saved.append((module, attr, fn))
            setattr(module, attr, self._wrap(label, fn))
        if self.sampler is not None:
            self.sampler.mark_sub()
        return self

    def __exit__(self, *exc: object) -> None:
        for module, attr, fn in reversed(self._saved):
            setattr(module, attr, fn)
        self._saved.clear()


class JourneymapMeasure(Journeymap):
    """``journeymap.measure(map, events=log)`` on the generated log, with the map of
    ``shop-map.yaml`` (journeymap only: no peer measures a journey map)."""

    name = "journeymap-measure"
    #: measure orders the matched events itself, inside its stage: no separate prepare
    prepare = Tool.prepare

    def load(self) -> None:
        import journeymap as jm

        self.map = jm.load(self.options.get("map") or MEASURE_MAP)
        super().load()

    def _read_options(self) -> dict[str, Any]:
        from journeymap.measuring.pipeline import columns_to_keep

        keep = columns_to_keep(self.map)
        return {"keep": keep} if keep else {}

    def analysis(self, name: str) -> Callable[[], dict[str, Any]]:
        if name != "measure":
            raise ValueError(f"{self.name} runs the one analysis 'measure', not {name!r}")
        return self.measure

    def measure(self) -> dict[str, Any]:
        from journeymap.measuring import pipeline

        beh, emo, pip = "measuring.behaviour", "measuring.emotion", "measuring.pipeline"
        targets = [
            (beh, "match_events", "matching"),
            (beh, "_ordered", "ordered pass"),
            (beh, "journeys", "journeys' outcomes"),
            (beh, "touchpoint_behaviour", "touchpoint behaviour"),
            (beh, "stage_behaviour", "stage behaviour"),
            (beh, "touchpoint_flows", "touchpoint flows"),
            (pip, "_events_source", "log summary"),
            (emo, "measure_emotions", "emotion"),
            (emo, "measure_friction", "friction"),  # emotion's import of it is what it calls
            ("measuring.painpoints", "find_pain_points", "pain points"),
            (pip, "_outcomes", "outcome counts"),
            ("measuring.kpis", "measure_kpis", "KPIs"),
            ("events.retention", "retention", "KPIs' retention over the log"),
            (pip, "_actions", "actions"),
        ]
        start, cpu = time.perf_counter(), _cpu()
        with Substages(targets, self.sampler) as sub:
            result = pipeline.measure(self.map, events=self.log)
        wall, used = time.perf_counter() - start, _cpu() - cpu
        timed = sum(t["seconds"] for t in sub.times.values())
        timed_cpu = sum(t["cpu_seconds"] for t in sub.times.values())
        sub.times["other"] = {
            "seconds": max(0.0, wall - timed),
            "cpu_seconds": max(0.0, used - timed_cpu),
            "calls": 1,
        }
        self.substages = sub.times
        return measurement_answer(result)


def measurement_answer(result: Any) -> dict[str, Any]:
    """A small summary of a measurement: what ``report.py`` prints beside the timings."""
    src = next((s for s in result.sources if s.kind == "events"), None)
    return {
        "customers": int(src.customers) if src and src.customers is not None else None,
        "rows_used": int(src.rows_used) if src and src.rows_used is not None else None,
        "rows_unmatched": int(src.rows_unmatched or 0) if src else None,
        "outcomes": {o.key: int(o.customers) for o in getattr(result, "outcomes", [])},
        "kpis": {k.key: k.value for k in result.kpis if k.value is not None},
        "touchpoints": len(result.touchpoints),
        "friction": {
            t.touchpoint: level
            for t in result.touchpoints
            if (level := getattr(t, "friction_level", None)) not in (None, "typical")
        },
        "pain_points": len(result.pain_points),
        "flows": len(result.flows),
        "actions": len(getattr(result, "actions", None) or []),
    }


TOOLS: dict[str, type[Tool]] = {
    t.name: t
    for t in (Journeymap, JourneymapCached, JourneymapMeasure, Pandas, Pm4py, Retentioneering)
}


# ---- the worker ------------------------------------------------------------------------------


def _cpu() -> float:
    """CPU seconds of this process, all threads: what a stage costs however busy the machine."""
    import resource

    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def work(tool_name: str, data: str, analyses: list[str], options: dict[str, Any]) -> dict[str, Any]:
    sampler = Sampler()
    sampler.start()
    result: dict[str, Any] = {"tool": tool_name, "data": data, "stages": {}, "answers": {}}
    t0 = time.perf_counter()
    tool = TOOLS[tool_name](data, options)
    tool.sampler = sampler
    stages: list[tuple[str, Callable[[], Any]]] = [("load", tool.load)]
    if type(tool).prepare is not Tool.prepare:  # only tools with an ordered pass of their own
        stages.append(("prepare", tool.prepare))
    stages += [(a, tool.analysis(a)) for a in analyses]
    sampler.mark()
    for stage, fn in stages:
        start, cpu = time.perf_counter(), _cpu()
        entry: dict[str, Any] = {}
        try:
            answer = fn()
        except Exception as exc:  # a tool failing is a result to report, not a crash
            entry["error"] = f"{type(exc).__name__}: {str(exc).strip()[:400]}"
            answer = None
        entry["seconds"] = time.perf_counter() - start
        entry["cpu_seconds"] = _cpu() - cpu
        entry["peak_rss"] = sampler.mark()
        result["stages"][stage] = entry
        if answer is not None:
            result["answers"][stage] = answer
        print(f"  {tool_name} {stage}: {entry['seconds']:.2f} s", file=sys.stderr, flush=True)
        if stage == "load" and "error" in entry:
            break
    result["seconds_total"] = time.perf_counter() - t0
    sampler.stop()
    try:
        result["versions"] = tool.versions()
    except Exception as exc:  # versions are informative only
        result["versions"] = {"error": str(exc)}
    result["notes"] = tool.notes
    if tool.substages:
        result["substages"] = tool.substages
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True, choices=sorted(TOOLS))
    ap.add_argument("--data", required=True)
    ap.add_argument("--analyses", default="all", help="comma-separated, or 'all'")
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--memory-limit")
    ap.add_argument("--temp-directory")
    ap.add_argument("--max-temp-directory-size")
    ap.add_argument("--cache-dir", help="journeymap-cached: where the cache was written")
    ap.add_argument("--map", help=f"journeymap-measure: the map (default {MEASURE_MAP.name})")
    args = ap.parse_args(argv)
    analyses = ANALYSES if args.analyses == "all" else args.analyses.split(",")
    options = {
        "memory_limit": args.memory_limit,
        "temp_directory": args.temp_directory,
        "max_temp_directory_size": args.max_temp_directory_size,
        "cache_dir": args.cache_dir,
        "map": args.map,
    }
    started = time.perf_counter()
    result = work(args.tool, args.data, analyses, options)
    result["process_seconds"] = time.perf_counter() - started
    args.out.write_text(json.dumps(result, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
