"""Runs the evaluation workloads over the configuration grid from ONE Python driver.

Every (workload, configuration, repetition) becomes its own Spark application
with its own event log: the driver creates a SparkContext with the run's
settings, runs the workload, stops the context and creates the next one (the
py4j gateway JVM stays up, which saves ~5 s of JVM start-up per run; the
executors are new JVMs on the standalone worker for every application).

After each run the event log is read back and checked: the properties in
SparkListenerEnvironmentUpdate equal the configuration asked for and the
number of SparkListenerExecutorAdded events equals executorInstances. A run
that fails a check is deleted and tried again (at most twice).

The manifest (OUT/manifest.json) is rewritten after every run, so an
interrupted generation resumes where it stopped: runs whose
(workload, configId, repetition) are already there are skipped.

Usage (normally via scripts/generate-eval.sh, which starts the cluster):
    python3 eval/run_grid.py --master spark://127.0.0.1:7077 --out eval/runs \
        [--workloads a,b] [--configs default,...] [--reps 2] [--scale 1.0] [--no-manifest]
"""
import argparse
import datetime
import glob
import importlib.util
import io
import json
import os
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def load_grid():
    with open(os.path.join(HERE, "grid.json")) as f:
        return json.load(f)


def load_workload(name):
    path = os.path.join(HERE, "workloads", name + ".py")
    spec = importlib.util.spec_from_file_location("workload_" + name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def spark_conf_for(cfg):
    """Spark properties for one grid configuration (standalone mode: the
    executor count is spark.cores.max / spark.executor.cores)."""
    return {
        "spark.executor.memory": cfg["executorMemory"],
        "spark.executor.cores": str(cfg["executorCores"]),
        "spark.executor.instances": str(cfg["executorInstances"]),
        "spark.cores.max": str(cfg["executorInstances"] * cfg["executorCores"]),
        "spark.sql.shuffle.partitions": str(cfg["shufflePartitions"]),
    }


def run_conf(conf, master, app_name, cfg, out):
    """The SparkConf of one measured run: the grid configuration's properties, event log into `out`, no UI,
    driver on 127.0.0.1, executor memory metrics every second, and tasks held back until every requested
    executor has registered. Returns `conf` (a pyspark SparkConf)."""
    conf.setMaster(master).setAppName(app_name)
    for k, v in spark_conf_for(cfg).items():
        conf.set(k, v)
    conf.set("spark.eventLog.enabled", "true")
    conf.set("spark.eventLog.dir", "file://" + out)
    conf.set("spark.ui.enabled", "false")
    # Executor memory metrics (JVMHeapMemory etc.) are sampled at heartbeats (10 s) by
    # default, too rarely for 20-60 s runs: sample every second so task ends carry peaks,
    # and log per-stage executor peaks (SparkListenerStageExecutorMetrics).
    conf.set("spark.executor.metrics.pollingInterval", "1s")
    conf.set("spark.eventLog.logStageExecutorMetrics", "true")
    conf.set("spark.driver.host", "127.0.0.1")
    conf.set("spark.driver.bindAddress", "127.0.0.1")
    # Start tasks only once every requested executor has registered (as
    # YARN/K8s do with 0.8), so the executor count is the one asked for.
    conf.set("spark.scheduler.minRegisteredResourcesRatio", "1.0")
    conf.set("spark.scheduler.maxRegisteredResourcesWaitingTime", "60s")
    return conf


def warm_up(SparkConf, SparkContext, SparkSession, master, app_name, extra=None):
    """Warm-up application (no event log, not recorded): loads and JIT-compiles the driver's planning and
    code-generation paths, so the first measured run is not slower for that. `extra`: more Spark properties
    (e.g. spark.driver.memory, which only the first SparkContext of the driver process can set)."""
    conf = (SparkConf().setMaster(master).setAppName(app_name)
            .set("spark.eventLog.enabled", "false").set("spark.ui.enabled", "false")
            .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1")
            .set("spark.cores.max", "2"))
    for k, v in (extra or {}).items():
        conf.set(k, v)
    sc = SparkContext(conf=conf)
    SparkSession(sc).range(0, 10000, 1, 4).selectExpr("id % 10 as k", "sha2(cast(id as string), 256) as h") \
        .groupBy("k").count().collect()
    sc.stop()


def read_events(app_dir):
    import zstandard
    files = glob.glob(os.path.join(app_dir, "events_*"))
    files.sort(key=lambda f: int(os.path.basename(f).split("_")[1]))
    for f in files:
        raw = open(f, "rb").read()
        if f.endswith(".zstd"):
            raw = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(raw)).read()
        for line in raw.decode("utf-8").splitlines():
            if line.strip():
                yield json.loads(line)


def log_facts(app_dir):
    """Reads one finished application's event log. Returns (Spark properties of SparkListenerEnvironmentUpdate,
    facts): executorsAdded/Removed, tasks, failedTasks, failedJobs, failureReasons ("<Task End Reason>: <first
    line of its description>" and "ExecutorRemoved: <reason>" -> count), disk/memoryBytesSpilled (bytes) and
    logDurationMs (ApplicationEnd - ApplicationStart, None when either is missing)."""
    props, added, removed, failed_tasks, tasks, start, end = {}, 0, 0, 0, 0, None, None
    disk_spill = mem_spill = jobs_failed = 0
    reasons = {}
    for e in read_events(app_dir):
        ev = e["Event"]
        if ev == "SparkListenerEnvironmentUpdate":
            props = dict(e["Spark Properties"])
        elif ev == "SparkListenerExecutorAdded":
            added += 1
        elif ev == "SparkListenerExecutorRemoved":
            removed += 1
            if e.get("Removed Reason"):
                key = "ExecutorRemoved: " + str(e["Removed Reason"]).splitlines()[0][:160]
                reasons[key] = reasons.get(key, 0) + 1
        elif ev == "SparkListenerApplicationStart":
            start = e["Timestamp"]
        elif ev == "SparkListenerApplicationEnd":
            end = e["Timestamp"]
        elif ev == "SparkListenerJobEnd":
            if e.get("Job Result", {}).get("Result") != "JobSucceeded":
                jobs_failed += 1
        elif ev == "SparkListenerTaskEnd":
            tasks += 1
            r = e["Task End Reason"]
            if r["Reason"] != "Success":
                failed_tasks += 1
                text = str(r.get("Description") or r.get("Loss Reason") or r.get("Class Name") or "").strip()
                key = f"{r['Reason']}: {text.splitlines()[0][:160] if text else ''}"
                reasons[key] = reasons.get(key, 0) + 1
            m = e.get("Task Metrics") or {}
            disk_spill += m.get("Disk Bytes Spilled", 0)
            mem_spill += m.get("Memory Bytes Spilled", 0)
    return props, dict(executorsAdded=added, executorsRemoved=removed, tasks=tasks, failedTasks=failed_tasks,
                       failedJobs=jobs_failed, failureReasons=reasons, diskBytesSpilled=disk_spill,
                       memoryBytesSpilled=mem_spill,
                       logDurationMs=(end - start) if start is not None and end is not None else None)


def check_log(app_dir, cfg):
    """Returns (facts, problems) for one finished application's event log."""
    props, all_facts = log_facts(app_dir)
    problems = []
    for k, v in spark_conf_for(cfg).items():
        if props.get(k) != v:
            problems.append(f"{k} in the log is {props.get(k)!r}, want {v!r}")
    if all_facts["executorsAdded"] != cfg["executorInstances"]:
        problems.append(f"{all_facts['executorsAdded']} executors added, want {cfg['executorInstances']}")
    if all_facts["logDurationMs"] is None:
        problems.append("no SparkListenerApplicationStart/End")
    facts = {k: all_facts[k] for k in ("executorsAdded", "tasks", "failedTasks", "diskBytesSpilled", "logDurationMs")}
    return facts, problems


def plan(workloads, configs, reps):
    """Interleaved order: repetition r runs every configuration of every
    workload before repetition r+1 starts; even repetitions walk the
    configurations in reverse order, so two runs of one configuration are far
    apart in time and noise from machine load shows up honestly."""
    out = []
    for rep in range(1, reps + 1):
        order = configs if rep % 2 == 1 else list(reversed(configs))
        for cfg in order:
            for w in workloads:
                out.append((w, cfg, rep))
    return out


def write_json(path, data):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--master", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--workloads", default="")
    ap.add_argument("--configs", default="")
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--no-manifest", action="store_true", help="timing trial: do not record runs")
    args = ap.parse_args()

    from pyspark import SparkConf, SparkContext
    from pyspark.sql import SparkSession

    grid = load_grid()
    configs = grid["configurations"]
    if args.configs:
        want = args.configs.split(",")
        configs = [c for c in configs if c["id"] in want]
    workloads = args.workloads.split(",") if args.workloads else grid["workloads"]
    mods = {w: load_workload(w) for w in workloads}

    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    manifest_path = os.path.join(out, "manifest.json")
    manifest = {"generatedBy": "scripts/generate-eval.sh", "runs": []}
    if os.path.exists(manifest_path) and not args.no_manifest:
        with open(manifest_path) as f:
            manifest = json.load(f)
    done = {(r["workload"], r["configId"], r["repetition"]) for r in manifest["runs"]}
    todo = [p for p in plan(workloads, configs, args.reps) if (p[0], p[1]["id"], p[2]) not in done]
    print(f"[run_grid] {len(todo)} runs to do ({len(done)} already in the manifest)", flush=True)

    workdir = tempfile.mkdtemp(prefix="eval-runs-")
    t_all = time.time()
    try:
        if todo:
            warm_up(SparkConf, SparkContext, SparkSession, args.master, "eval-warm-up")
            print(f"[run_grid] warm-up done in {time.time() - t_all:.1f} s", flush=True)
        for i, (w, cfg, rep) in enumerate(todo, 1):
            for attempt in range(1, 4):
                conf = run_conf(SparkConf(), args.master, w, cfg, out)
                t0 = time.time()
                started = datetime.datetime.now(datetime.timezone.utc)
                sc = SparkContext(conf=conf)
                spark = SparkSession(sc)
                app_id = sc.applicationId
                try:
                    mods[w].job(spark, workdir, args.scale)
                finally:
                    spark.stop()
                wall_ms = int((time.time() - t0) * 1000)
                app_dir = os.path.join(out, "eventlog_v2_" + app_id)
                facts, problems = check_log(app_dir, cfg)
                tag = f"{w} {cfg['id']} rep{rep}"
                if problems:
                    print(f"[run_grid] {tag} attempt {attempt}: {app_id} FAILED checks: {problems}", flush=True)
                    shutil.rmtree(app_dir, ignore_errors=True)
                    if attempt == 3:
                        raise SystemExit(f"{tag}: checks failed 3 times")
                    continue
                print(f"[run_grid] {i}/{len(todo)} {tag}: {app_id} {wall_ms / 1000:.1f} s "
                      f"(log {facts['logDurationMs'] / 1000:.1f} s, {facts['tasks']} tasks, "
                      f"spill {facts['diskBytesSpilled']} B, {facts['executorsAdded']} executors; "
                      f"elapsed {(time.time() - t_all) / 60:.1f} min)", flush=True)
                if args.no_manifest:
                    break
                manifest["runs"].append(dict(
                    workload=w, configId=cfg["id"], repetition=rep, appId=app_id,
                    config={k: cfg[k] for k in ("executorMemory", "executorCores", "executorInstances",
                                                "shufflePartitions")},
                    sparkConf=spark_conf_for(cfg), wallTimeMs=wall_ms,
                    startedAt=started.isoformat(timespec="seconds"),
                    eventLog="eventlog_v2_" + app_id, **facts))
                write_json(manifest_path, manifest)
                break
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
