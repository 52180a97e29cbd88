"""Writes OUT/README.md for the benchmark runs from OUT/manifest.json and eval/benchmark/grid.json: provenance
(Spark, data generators with versions, scale factors and seeds, cluster, priority, load), the sealed split, the
workloads with their kind and query group, and per (workload, configuration) the runs' wall times, noise,
outcome, spill and load. Safe to run at any time, also while the generation is still running (it reads the
manifest as it stands).

Usage: python3 eval/benchmark/write_readme.py --out eval/benchmark-runs
"""
import argparse
import json
import os
import platform
import statistics
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))


def java_version():
    try:
        return subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
    except (OSError, IndexError):
        return "unknown"


def spark_version():
    try:
        import pyspark
        return pyspark.__version__
    except ImportError:
        return "unknown"


def fmt_s(ms):
    return f"{ms / 1000:.1f}"


def quiet_words(m):
    """How the runs were kept apart from other work, from the manifest's `load` and discarded runs."""
    ld = m.get("load", {})
    redo = ld.get("redoLoadedAbove")
    n = len(m.get("discarded", [])) or (m.get("discardedRuns") or {}).get("count", 0)
    if redo is None and not n:
        return "runs were made whatever the other load (see Load)"
    return (f"a run is kept only when the other users' load averaged below {redo if redo is not None else 'the threshold'} "
            f"while it ran: {n} runs made under more load (or across a suspension) were discarded and made again")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--grid", default=os.path.join(HERE, "grid.json"))
    args = ap.parse_args()
    with open(os.path.join(args.out, "manifest.json")) as f:
        m = json.load(f)
    with open(args.grid) as f:
        grid = json.load(f)
    runs = m["runs"]
    defs = grid["workloadDefinitions"]
    data = m.get("data", {})
    size = sum(os.path.getsize(os.path.join(dp, f)) for dp, _, fs in os.walk(args.out) for f in fs)
    c = grid["cluster"]
    cfg_ids = [x["id"] for x in grid["configurations"]]
    planned = len(grid["workloads"]) * (2 * len(cfg_ids) + len(grid.get("thirdRepetition", [])))

    lines = []
    w = lines.append
    w("# Benchmark ground truth: TPC-H, TPC-DS and waiting workloads on a 4-worker standalone cluster")
    w("")
    w(f"Event logs of {len(runs)} real Spark applications (of {planned} planned: {len(grid['workloads'])} workloads x "
      f"{len(cfg_ids)} configurations x 2 repetitions, plus a 3rd repetition of {len(grid.get('thirdRepetition', []))} "
      f"configurations), written by Spark itself as zstd-compressed rolling logs "
      f"(`eventlog_v2_<appId>/events_1_<appId>.zstd`); committed as `scripts/pack-benchmark-runs.js` packs them: one "
      f"single-file log `<appId>.zstd` per run with the same events, recompressed at zstd level 19. Made by `bash scripts/generate-benchmark-eval.sh` "
      f"(`eval/benchmark/run_benchmark.py`, grid `eval/benchmark/grid.json`); this README by "
      f"`eval/benchmark/write_readme.py`. The older, smaller ground truth of `npm run eval` is `eval/runs/`.")
    w("")
    w("## Sealed test set")
    w("")
    sp = m.get("split", {})
    w(f"Fixed before any run and before any tuning: {sp.get('method', '')} (seed {sp.get('seed')}, testShare "
      f"{sp.get('testShare')}; `split_workloads` in `eval/benchmark/run_benchmark.py`). Tune only on the tuning set; "
      f"report the test set separately and never change a rule because of it (if that ever happens, say so and "
      f"make a new test set with a new seed and new runs).")
    w("")
    w("| Workload | Kind | Set | Group | sha256(seed:name) |")
    w("|---|---|---|---|---|")
    import hashlib
    for name in grid["workloads"]:
        d = defs[name]
        h = hashlib.sha256(f"{sp.get('seed')}:{name}".encode()).hexdigest()[:12]
        w(f"| {name} | {d['kind']} | **{sp.get('sets', {}).get(name, '?')}** | {d['group']} | `{h}…` |")
    w("")
    w("Kinds: **cpu** = the work is computation on this 2-core machine, so more task slots than cores do not make it "
      "faster (CPU contention hides scale-out); **wait** = tasks mostly wait (a documented sleep per chunk of rows in "
      "the task thread, `eval/benchmark/workloads/waits.py`, standing for object-store GETs, JDBC fetches or lookup "
      "calls), so all 16 slots really run in parallel and scale-out is real.")
    w("")
    w("## Workloads")
    w("")
    for name in grid["workloads"]:
        d = defs[name]
        params = json.dumps(d.get("params", {}))
        w(f"- **{name}** ({d['kind']}): {d['group']}. `{d['module']}` `{d.get('entry', 'job')}`, params `{params}`.")
    w("")
    w("## Provenance")
    w("")
    w(f"- Spark {spark_version()} (pyspark from PyPI, `scripts/install-pyspark.sh`), {java_version()}; "
      f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, shared with other engineers' builds "
      "and tests; " + quiet_words(m) + ".")
    if data:
        th, td = data.get("tpch", {}), data.get("tpcds", {})
        w(f"- **TPC-H data**: {th.get('generator')}, scale factor {th.get('scaleFactor')}, "
          f"`{th.get('command')}`; seed: {th.get('seed')}. Rows: "
          + ", ".join(f"{k} {v:,}" for k, v in th.get("rows", {}).items()) + f"; {th.get('bytes', 0) / 2**20:.0f} MiB of Parquet.")
        w(f"- **TPC-DS data**: {td.get('generator')}, scale factor {td.get('scaleFactor')}, "
          f"`{td.get('command')}`; seed: {td.get('seed')}. {len(td.get('rows', {}))} tables, "
          f"store_sales {td.get('rows', {}).get('store_sales', 0):,} rows; {td.get('bytes', 0) / 2**20:.0f} MiB of Parquet. "
          "The extension is loaded from the PyPI package's folder by path with `allow_unsigned_extensions`.")
        q = data.get("queries", {})
        w(f"- **Query texts**: {q.get('tpch')}; {q.get('tpcds')}. Used unchanged except for the trailing `;` "
          "(`eval/benchmark/sql_suite.py`). Data and query files are generated by `scripts/generate-benchmark-data.sh` "
          "(not committed; `.benchmark-data/`, git-ignored); the tools are pinned in `scripts/install-benchmark-tools.sh`.")
    groups = "; ".join(f"{n}: {defs[n]['group']}" for n in grid["workloads"] if defs[n]["module"].endswith("tpc.py"))
    w("- **Which queries**: `eval/benchmark/check_queries.py` ran every query text through `spark.sql` with Spark's "
      "default settings (ANSI on) at scale factor 1 in local mode (`eval/benchmark/queries-check.json`): all 22 TPC-H "
      "queries and 91 of the 99 TPC-DS queries run unmodified; 8 TPC-DS queries fail to parse (q16, q32, q50, q62, "
      "q92, q94, q95, q99: DuckDB's text quotes column aliases and interval units with double quotes). The TPC-DS "
      "group is drawn from the 91 by a seeded rule (`seeded_groups` in `check_queries.py`: shuffle with seed 14, fill "
      f"up to 13 s of the check's local-mode time). Groups: {groups}.")
    w(f"- **Cluster**: a standalone Master and {c['workers']} Workers on 127.0.0.1 started with `bin/spark-class`, "
      f"each Worker offering {c['nodeCores']} cores and {c['nodeMemoryMiB']} MiB ({c['workers'] * c['nodeCores']} "
      f"cores, {c['workers'] * c['nodeMemoryMiB'] / 1024:.0f} GiB in all) on a machine with {c['physicalCores']} "
      f"physical cores: a cpu workload cannot use more than 2 slots' worth of CPU, a wait workload can use all 16. "
      f"Driver memory {grid['driverMemory']}. In standalone mode the executor count is `spark.cores.max / "
      "spark.executor.cores`; every run sets `spark.cores.max` = instances x cores (and `spark.executor.instances` "
      "for the record), `spark.scheduler.minRegisteredResourcesRatio=1.0` so tasks start once every executor has "
      "registered. Spark's default resources on this cluster (`default`): one executor per worker with all its "
      "cores, 1g, 200 shuffle partitions.")
    w("- **Logging**: `spark.eventLog.compress=true`, `spark.eventLog.compression.codec=zstd` (the event log's own "
      "codec key; `spark.io.compression.codec` is left at lz4 because it also compresses shuffle and broadcast "
      "data, which would change what is measured), rolling logs (Spark 4's default); after each run the log was "
      "recompressed at zstd level 9 (`compact_log` in `run_benchmark.py`: same bytes decompressed, ~5x smaller "
      "than Spark's level 1), "
      "`spark.executor.metrics.pollingInterval=1s`, `spark.eventLog.logStageExecutorMetrics=true`.")
    w(f"- **Priority**: master, workers, executors and driver ran at nice {os.environ.get('EVAL_NICE', '-10')} in a "
      "session (and CFS autogroup) of their own.")
    ld = m.get("load", {})
    w(f"- **Load**: before each run the generator waits while the other users' 1-minute load is >= "
      f"{ld.get('threshold')} (at most {ld.get('maxWaitS')} s per run, {ld.get('waitBudgetS')} s in all; waited "
      f"{m.get('loadWaitedTotalS', 0) / 60:.0f} min so far). Measure: {ld.get('measure')}. Each run records "
      "`load.othersLoad1Before`, `load.othersLoad1MeanDuring`, `load.othersRunnableMeanDuring`, the kernel's "
      "`kernelLoad1Before/After`, `waitedS`, and the machine's speed before and after (`speedBefore`, `speedAfter`: "
      "medians of 5 timings, ms, of a pure-Python loop, SHA-256 of 16 MiB and a 256 MiB copy, `speed_probe` in "
      "run_benchmark.py; contention outside this VM shows there, not in the load averages).")
    w("- **Order**: one Python driver; every run its own SparkContext (own application, new executor JVMs, own log). "
      "Repetition 1 of every (configuration, workload), repetition 2 in reverse configuration order, then "
      "repetition 3 of the `thirdRepetition` configurations (for noise).")
    w("- **Outcome**: `status` is `succeeded`, `failed` (a job failed, e.g. for memory; `error` holds the first line) "
      "or `timeout`. `wallTimeMs` is measured around SparkContext creation ... stop(); `logDurationMs` is "
      "ApplicationEnd - ApplicationStart. After each run the log was read back and checked (settings in "
      "SparkListenerEnvironmentUpdate, executors added).")
    if runs:
        walls = [r["wallTimeMs"] / 1000 for r in runs]
        w(f"- Wall times: {min(walls):.1f} s to {max(walls):.1f} s, mean {statistics.mean(walls):.1f} s, "
          f"{sum(walls) / 3600:.2f} h in all. Size of this folder: {size / 2**20:.1f} MiB.")
    w("")
    w("## Manifest (`manifest.json`)")
    w("")
    w("Extends `eval/runs/manifest.json` (the fields `server/src/evaluation/ground-truth.ts` reads are unchanged: "
      "workload, configId, repetition, appId, config, sparkConf, wallTimeMs, executorsAdded, eventLog). Added per "
      "run: `kind` (cpu/wait), `group`, `set` (tuning/test), `status`, `error`, `failureReasons` (task-end and "
      "executor-removed reasons from the log, counted), `load`, `executorsRemoved`, `failedJobs`, `memoryBytesSpilled`. Top level: `split`, `workloads`, `cluster`, `load`, `data` (the data "
      "provenance), `grid`.")
    w("")
    w("## Runs (wall time, s)")
    w("")
    w("Noise = |max - min| / mean of the repetitions of one configuration. Spill = mean disk bytes spilled.")
    w("")
    w("| Workload | Configuration | Runs | Mean | Min | Max | Noise | Outcome | Spill MiB | Others' load (mean during) "
      "| Loop probe ms (before) |")
    w("|---|---|---|---|---|---|---|---|---|---|---|")
    by = {}
    for r in runs:
        by.setdefault((r["workload"], r["configId"]), []).append(r)
    for name in grid["workloads"]:
        for cid in cfg_ids:
            rs = by.get((name, cid))
            if not rs:
                continue
            ts = [r["wallTimeMs"] / 1000 for r in rs]
            mean = statistics.mean(ts)
            noise = (max(ts) - min(ts)) / mean if len(ts) > 1 else None
            outcome = ", ".join(sorted({r.get("status", "succeeded") for r in rs}))
            spill = statistics.mean(r.get("diskBytesSpilled", 0) for r in rs) / 2**20
            loads = [r.get("load", {}).get("othersLoad1MeanDuring") for r in rs]
            loads = [x for x in loads if x is not None]
            probes = [((r.get("load") or {}).get("speedBefore") or {}).get("loopMs") for r in rs]
            probes = [x for x in probes if x is not None]
            w(f"| {name} | {cid} | {len(rs)} | {mean:.1f} | {min(ts):.1f} | {max(ts):.1f} | "
              f"{'' if noise is None else f'{noise * 100:.0f} %'} | {outcome} | {spill:.0f} | "
              f"{'' if not loads else f'{statistics.mean(loads):.1f}'} | "
              f"{' / '.join(f'{x:.1f}' for x in probes)} |")
    w("")
    with open(os.path.join(args.out, "README.md"), "w") as f:
        f.write("\n".join(lines))
    print(f"{len(runs)} runs, {size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
