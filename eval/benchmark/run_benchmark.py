"""Runs the benchmark workloads (eval/benchmark/grid.json) over its configuration grid from ONE Python driver, on the
standalone cluster that scripts/generate-benchmark-eval.sh started (a master and several workers on 127.0.0.1).

Every (workload, configuration, repetition) is its own Spark application (own SparkContext, new executor JVMs, own
event log, app name = workload name). Repetitions are interleaved: repetition 1 of every (configuration, workload),
then repetition 2 with the configurations in reverse order, then repetition 3 of grid.json's `thirdRepetition`
configurations.

The shared pieces (SparkConf of a measured run, warm-up, reading a run's log) are eval/run_grid.py's.

Before each run the machine's load is checked: the driver samples, every LOAD_SAMPLE_S, the number of runnable (R)
and uninterruptible (D) threads of every process NOT in this generation's session (the cluster, executors and driver
all run in one session, see the shell script) and keeps a 1-minute exponentially decayed average of it: the kernel's
1-minute load average computed over the other users' threads only ("othersLoad1"). The kernel's own figure would
mostly measure this generation's previous run (16 task threads leave it at 10+ for minutes). A run waits while
othersLoad1 >= --load-threshold, at most --load-max-wait seconds per run and --load-wait-budget seconds in all, and
records the load before and during the run (and the kernel's 1-minute load average) in the manifest.

With --redo-loaded-above X a run is measured only on a quiet machine: a run whose othersLoad1 averaged X or more
while it ran is discarded and made again after the next wait (at most --load-retries tries, 0 = no limit; the last
try is kept and marked loadAboveThreshold), and runs already in the manifest that averaged X or more (marked or not)
are discarded when the generation starts, so they are made again. A run during which the wall clock moved more than CLOCK_JUMP_S away from the
monotonic clock (the machine was suspended or its clock stepped) is discarded the same way. Discarded runs are listed
in the manifest under "discarded" (why, and their load) and their logs moved to OUT/discarded/ (never read by the
evaluation). For an unattended generation that only measures when the machine is idle, give a long --load-max-wait
and --load-wait-budget (scripts/generate-benchmark-eval.sh: LOAD_MAX_WAIT, LOAD_WAIT_BUDGET, LOAD_REDO_ABOVE).

After each run the event log is read back: the properties in SparkListenerEnvironmentUpdate must equal the
configuration asked for, and at least executorInstances executors must have been added (exactly that many when the
run succeeded without losing one). A run whose job failed (e.g. for memory) is recorded with status "failed" and the
first line of the error; one that exceeds --run-timeout has its jobs cancelled and is recorded "timeout". A run
whose log fails the checks is deleted and tried again (at most twice).

The manifest (OUT/manifest.json) is rewritten after every run, so an interrupted generation resumes where it
stopped: runs whose (workload, configId, repetition) are already there are skipped. Its schema extends
eval/runs/manifest.json (server/src/evaluation/ground-truth.ts reads the common fields).

Usage (normally via scripts/generate-benchmark-eval.sh):
    python3 eval/benchmark/run_benchmark.py --master spark://127.0.0.1:PORT --out eval/benchmark-runs \
        [--workloads a,b] [--configs id,...] [--reps 2] [--no-manifest] [--max-runs N]
"""
import argparse
import datetime
import hashlib
import importlib.util
import json
import math
import os
import shutil
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "eval"))
from run_grid import log_facts, run_conf, spark_conf_for, warm_up, write_json  # noqa: E402

LOAD_SAMPLE_S = 2.0
LOAD_TAU_S = 60.0  # the kernel's 1-minute load average is an exponential average with a 60 s time constant


def load_grid(path):
    with open(path) as f:
        return json.load(f)


def load_module(path):
    path = os.path.join(REPO, path)
    spec = importlib.util.spec_from_file_location("workload_" + os.path.basename(path)[:-3], path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def split_workloads(definitions, seed, test_share):
    """The sealed split: within each kind, workloads ordered by sha256("<seed>:<name>") (hex, ascending); the first
    max(1, round(test_share x count)) of each kind are the test set, the rest the tuning set. Depends only on the names,
    kinds and the seed, so it is fixed before any run is made. Returns {name: "test" | "tuning"}."""
    out = {}
    kinds = sorted({d["kind"] for d in definitions.values()})
    for kind in kinds:
        names = sorted((n for n, d in definitions.items() if d["kind"] == kind),
                       key=lambda n: hashlib.sha256(f"{seed}:{n}".encode()).hexdigest())
        k = max(1, round(test_share * len(names)))
        for i, n in enumerate(names):
            out[n] = "test" if i < k else "tuning"
    return out


CLOCK_JUMP_S = 5.0
"""Largest difference between a run's wall-clock and monotonic durations, s, before the run is discarded."""


def discard(manifest, out, run, why):
    """Moves a run out of the measured runs: its log to OUT/discarded/, its record (with `why`) to manifest["discarded"]."""
    src = os.path.join(out, run["eventLog"])
    if os.path.exists(src):
        os.makedirs(os.path.join(out, "discarded"), exist_ok=True)
        shutil.move(src, os.path.join(out, "discarded", run["eventLog"]))
    manifest.setdefault("discarded", []).append(dict(run, discardedBecause=why))


class OthersLoad:
    """1-minute exponentially decayed average of runnable + uninterruptible threads outside our session (user-space
    threads only: kernel threads are not counted)."""

    def __init__(self):
        self.sid = os.getsid(0)
        self.value = None
        self._samples = []  # (time, instantaneous count) while a run is being measured
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _count(self):
        n = 0
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[3]) == self.sid:  # field 6 (session) of stat, after pid and comm
                    continue
                # Kernel threads (kthreadd, pid 2, and its children): their I/O and memory work is mostly done for
                # this generation's own runs (writeback, compaction), so counting them would make a run on an idle
                # machine look loaded.
                if pid == "2" or int(fields[1]) == 2:
                    continue
                for tid in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{tid}/stat") as f:
                        state = f.read().rsplit(")", 1)[1].split()[0]
                    if state in ("R", "D"):
                        n += 1
            except (FileNotFoundError, ProcessLookupError, IndexError, ValueError, PermissionError):
                continue
        return n

    def _loop(self):
        while not self._stop.is_set():
            c = self._count()
            with self._lock:
                if self.value is None:
                    self.value = float(c)
                else:
                    a = math.exp(-LOAD_SAMPLE_S / LOAD_TAU_S)
                    self.value = self.value * a + c * (1 - a)
                self._samples.append((time.time(), c, self.value))
            self._stop.wait(LOAD_SAMPLE_S)

    def current(self):
        with self._lock:
            return self.value

    def mark(self):
        with self._lock:
            self._samples = []

    def since_mark(self):
        """(mean instantaneous others' runnable threads, mean othersLoad1) over the samples since mark()."""
        with self._lock:
            s = list(self._samples)
        if not s:
            return None, None
        return sum(x[1] for x in s) / len(s), sum(x[2] for x in s) / len(s)

    def warm_up(self, seconds):
        end = time.time() + seconds
        while time.time() < end and self.current() is None:
            time.sleep(0.5)


# The machine's speed, measured before and after each run while the cluster is idle. This VM's guest reports almost
# no steal time, yet the first quiet-machine runs (2026-12-03 15:30 UTC) used 1.3-1.8x the executor CPU time of the
# same configurations at 01:00 UTC: contention on the host is invisible to the load averages above, so it is
# measured directly. Three fixed pieces of work, each timed 5 times, median in ms: a pure-Python integer loop
# (interpreter and ALU), SHA-256 of 16 MiB (hashing), a copy of 256 MiB between two preallocated buffers (memory
# bandwidth). On this machine, idle, they take about 8.7, 8.3 and 14.3 ms; larger = a slower machine.
_PROBE_SHA_BLOCK = bytes(range(256)) * 65536
_PROBE_COPY_SRC = None
_PROBE_COPY_DST = None


def speed_probe():
    """{"loopMs", "sha256Ms", "memcpyMs"}: medians of 5 timings (ms, wall clock) of the fixed work described above."""
    global _PROBE_COPY_SRC, _PROBE_COPY_DST
    if _PROBE_COPY_SRC is None:
        _PROBE_COPY_SRC, _PROBE_COPY_DST = bytearray(256 * 2**20), bytearray(256 * 2**20)
        _PROBE_COPY_DST[:] = _PROBE_COPY_SRC  # touch every page once, so the timings exclude page faults

    def loop():
        s = 0
        for i in range(300000):
            s += i * i
        return s

    def sha():
        return hashlib.sha256(_PROBE_SHA_BLOCK).digest()

    def copy():
        _PROBE_COPY_DST[:] = _PROBE_COPY_SRC

    out = {}
    for name, fn in (("loopMs", loop), ("sha256Ms", sha), ("memcpyMs", copy)):
        times = []
        for _ in range(5):
            t = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t) * 1000)
        out[name] = round(sorted(times)[2], 2)
    return out


def kernel_load1():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


# Spark writes event logs with zstd at spark.io.compression.zstd.level (default 1; that key also sets the shuffle's
# level, so it is not raised for the runs). After a run its log is recompressed at this level: the same bytes
# decompressed, ~5x smaller for SQL-heavy logs (AQE plan updates), 0.2 s per MiB-sized log.
COMPACT_ZSTD_LEVEL = 9


def compact_log(app_dir):
    """Recompresses every events_*.zstd file of one rolling event log at COMPACT_ZSTD_LEVEL, checking that the
    decompressed content is unchanged. Returns (bytes before, bytes after)."""
    import glob as _glob
    import io as _io
    import zstandard
    before = after = 0
    for f in _glob.glob(os.path.join(app_dir, "events_*.zstd")):
        with open(f, "rb") as fh:
            comp = fh.read()
        raw = zstandard.ZstdDecompressor().stream_reader(_io.BytesIO(comp)).read()
        new = zstandard.ZstdCompressor(level=COMPACT_ZSTD_LEVEL).compress(raw)
        if zstandard.ZstdDecompressor().decompress(new) != raw:
            raise SystemExit(f"compact_log: round trip changed {f}")
        before, after = before + len(comp), after + len(new)
        if len(new) < len(comp):
            with open(f + ".tmp", "wb") as fh:
                fh.write(new)
            os.replace(f + ".tmp", f)
    return before, after


def check(props, facts, cfg, status):
    problems = []
    for k, v in spark_conf_for(cfg).items():
        if props.get(k) != v:
            problems.append(f"{k} in the log is {props.get(k)!r}, want {v!r}")
    want = cfg["executorInstances"]
    if facts["executorsAdded"] < want:
        problems.append(f"{facts['executorsAdded']} executors added, want {want}")
    if status == "succeeded" and facts["executorsRemoved"] == 0 and facts["executorsAdded"] != want:
        problems.append(f"{facts['executorsAdded']} executors added, want {want}")
    if facts["logDurationMs"] is None:
        problems.append("no SparkListenerApplicationStart/End")
    return problems


def plan(workloads, configs, reps, third_ids):
    """Interleaved order (see the module doc)."""
    out = []
    for rep in range(1, reps + 1):
        order = configs if rep % 2 == 1 else list(reversed(configs))
        for cfg in order:
            for w in workloads:
                out.append((w, cfg, rep))
    if reps >= 2:
        for cfg in configs:
            if cfg["id"] in third_ids:
                for w in workloads:
                    out.append((w, cfg, 3))
    return out


def error_line(e):
    """First informative line of a Spark/py4j error (the Java exception's message)."""
    text = str(e)
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("An error occurred while calling"):
            return line[:400]
    return type(e).__name__


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--master", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--grid", default=os.path.join(HERE, "grid.json"))
    ap.add_argument("--workloads", default="")
    ap.add_argument("--configs", default="")
    ap.add_argument("--reps", type=int, default=2, help="base repetitions (grid.json's thirdRepetition adds a 3rd)")
    ap.add_argument("--max-runs", type=int, default=0, help="stop after this many runs (0: all)")
    ap.add_argument("--load-threshold", type=float, default=2.5)
    ap.add_argument("--load-max-wait", type=float, default=60)
    ap.add_argument("--load-wait-budget", type=float, default=1800)
    ap.add_argument("--run-timeout", type=float, default=600)
    ap.add_argument("--redo-loaded-above", type=float, default=None,
                    help="discard and redo runs whose othersLoad1 averaged this or more while they ran")
    ap.add_argument("--load-retries", type=int, default=3,
                    help="tries of a run discarded for load before it is kept (marked loadAboveThreshold); 0: no limit")
    ap.add_argument("--no-manifest", action="store_true", help="timing trial: do not record runs")
    args = ap.parse_args()

    from pyspark import SparkConf, SparkContext
    from pyspark.sql import SparkSession

    grid = load_grid(args.grid)
    defs = grid["workloadDefinitions"]
    configs = grid["configurations"]
    if args.configs:
        want = args.configs.split(",")
        configs = [c for c in configs if c["id"] in want]
    workloads = args.workloads.split(",") if args.workloads else grid["workloads"]
    # Entry point of each workload: the function `entry` (default `job`) of its module, called as
    # entry(spark, workdir, **params).
    entries = {w: getattr(load_module(defs[w]["module"]), defs[w].get("entry", "job")) for w in workloads}
    split = split_workloads(defs, grid["split"]["seed"], grid["split"]["testShare"])

    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    manifest_path = os.path.join(out, "manifest.json")
    manifest = {"runs": []}
    if os.path.exists(manifest_path) and not args.no_manifest:
        with open(manifest_path) as f:
            manifest = json.load(f)
    manifest.update(
        generatedBy="scripts/generate-benchmark-eval.sh (eval/benchmark/run_benchmark.py)",
        grid=os.path.relpath(os.path.abspath(args.grid), REPO),
        split=dict(seed=grid["split"]["seed"], testShare=grid["split"]["testShare"],
                   method=grid["split"]["method"], sets=split),
        workloads={n: dict(kind=d["kind"], group=d["group"], module=d["module"], entry=d.get("entry", "job"),
                           params=d.get("params", {}), set=split[n]) for n, d in defs.items()},
        cluster=grid["cluster"],
        load=dict(threshold=args.load_threshold, maxWaitS=args.load_max_wait, waitBudgetS=args.load_wait_budget,
                  redoLoadedAbove=args.redo_loaded_above, loadRetries=args.load_retries,
                  measure="othersLoad1: 1-minute exponential average (tau 60 s, sampled every 2 s) of runnable + "
                          "uninterruptible threads outside the generation's session; kernelLoad1: /proc/loadavg"),
    )
    data_prov = os.path.join(os.environ.get("BENCH_DATA", ""), "provenance.json")
    if os.path.exists(data_prov):
        with open(data_prov) as f:
            manifest["data"] = json.load(f)
    if not args.no_manifest:
        write_json(manifest_path, manifest)
    if args.redo_loaded_above is not None and not args.no_manifest:
        kept = []
        for r in manifest["runs"]:
            during = (r.get("load") or {}).get("othersLoad1MeanDuring")
            if during is not None and during >= args.redo_loaded_above:
                discard(manifest, out, r, f"othersLoad1MeanDuring {during} >= {args.redo_loaded_above} (redone)")
            else:
                kept.append(r)
        if len(kept) != len(manifest["runs"]):
            print(f"[run_benchmark] {len(manifest['runs']) - len(kept)} recorded runs were made on a loaded machine: "
                  f"redoing them", flush=True)
        manifest["runs"] = kept
        write_json(manifest_path, manifest)
    done = {(r["workload"], r["configId"], r["repetition"]) for r in manifest["runs"]}
    # Logs of runs that an interruption cut short (not in the manifest) are removed: the run is made again.
    if not args.no_manifest:
        known = {r["eventLog"] for r in manifest["runs"]}
        for name in sorted(os.listdir(out)):
            if name.startswith("eventlog_v2_") and name not in known:
                print(f"[run_benchmark] removing {name}: not in the manifest (an interrupted run)", flush=True)
                shutil.rmtree(os.path.join(out, name), ignore_errors=True)
    todo = [p for p in plan(workloads, configs, args.reps, set(grid.get("thirdRepetition", [])))
            if (p[0], p[1]["id"], p[2]) not in done]
    if args.max_runs:
        todo = todo[:args.max_runs]
    print(f"[run_benchmark] {len(todo)} runs to do ({len(done)} already in the manifest); split {split}", flush=True)

    load = OthersLoad()
    load.warm_up(10)
    waited_total = float(manifest.get("loadWaitedTotalS", 0))
    workdir = tempfile.mkdtemp(prefix="bench-runs-")
    t_all = time.time()
    try:
        if todo:
            warm_up(SparkConf, SparkContext, SparkSession, args.master, "benchmark-warm-up",
                    {"spark.driver.memory": grid["driverMemory"]})
            print(f"[run_benchmark] warm-up done in {time.time() - t_all:.1f} s", flush=True)
        for i, (w, cfg, rep) in enumerate(todo, 1):
            d = defs[w]
            tag = f"{w} {cfg['id']} rep{rep}"
            # Wait (bounded) for the other users' load to drop.
            t_wait = time.time()
            while (load.current() or 0) >= args.load_threshold and time.time() - t_wait < args.load_max_wait \
                    and waited_total + (time.time() - t_wait) < args.load_wait_budget:
                time.sleep(5)
            waited = time.time() - t_wait
            waited_total += waited
            load_tries = 0
            attempt = 0
            while True:
                attempt += 1
                if attempt > 3:
                    raise SystemExit(f"{tag}: checks failed 3 times")
                conf = run_conf(SparkConf(), args.master, w, cfg, out)
                # Compact logs: zstd through the event log's own codec key (Spark 4's default, set explicitly);
                # spark.io.compression.codec is left alone because it also compresses shuffle and broadcast data.
                conf.set("spark.eventLog.compress", "true")
                conf.set("spark.eventLog.compression.codec", "zstd")
                # Up to 8 executors start on 2 loaded cores: allow them longer to register.
                conf.set("spark.scheduler.maxRegisteredResourcesWaitingTime", "120s")
                before = dict(othersLoad1=load.current(), kernelLoad1=kernel_load1(), speed=speed_probe())
                load.mark()
                t0 = time.time()
                m0 = time.monotonic()
                started = datetime.datetime.now(datetime.timezone.utc)
                sc = SparkContext(conf=conf)
                spark = SparkSession(sc)
                app_id = sc.applicationId
                timer = threading.Timer(args.run_timeout, sc.cancelAllJobs)
                timer.start()
                status, error = "succeeded", None
                try:
                    entries[w](spark, workdir, **d.get("params", {}))
                except Exception as e:  # noqa: BLE001 - a failed job is a measured outcome, recorded as such
                    status = "timeout" if time.time() - t0 >= args.run_timeout else "failed"
                    error = error_line(e)
                    traceback.print_exc(file=sys.stderr)
                finally:
                    timer.cancel()
                    spark.stop()
                wall_ms = int((time.time() - t0) * 1000)
                clock_jump_s = (time.time() - t0) - (time.monotonic() - m0)
                during_inst, during_avg = load.since_mark()
                app_dir = os.path.join(out, "eventlog_v2_" + app_id)
                props, facts = log_facts(app_dir)
                problems = check(props, facts, cfg, status)
                if problems:
                    print(f"[run_benchmark] {tag} attempt {attempt}: {app_id} FAILED checks: {problems}", flush=True)
                    shutil.rmtree(app_dir, ignore_errors=True)
                    continue
                load_rec = dict(othersLoad1Before=round(before["othersLoad1"] or 0, 2),
                                kernelLoad1Before=before["kernelLoad1"],
                                othersRunnableMeanDuring=round(during_inst, 2) if during_inst is not None else None,
                                othersLoad1MeanDuring=round(during_avg, 2) if during_avg is not None else None,
                                kernelLoad1After=kernel_load1(), waitedS=round(waited, 1),
                                speedBefore=before["speed"], speedAfter=speed_probe())
                print(f"[run_benchmark] {i}/{len(todo)} {tag}: {app_id} {status} {wall_ms / 1000:.1f} s "
                      f"(log {(facts['logDurationMs'] or 0) / 1000:.1f} s, {facts['tasks']} tasks, "
                      f"{facts['failedTasks']} failed, spill {facts['diskBytesSpilled']} B, "
                      f"{facts['executorsAdded']} executors; load {load_rec}; "
                      f"elapsed {(time.time() - t_all) / 60:.1f} min){' ' + error if error else ''}", flush=True)
                if args.no_manifest:
                    shutil.rmtree(app_dir, ignore_errors=True)
                    break
                compact_log(app_dir)
                run = dict(
                    workload=w, configId=cfg["id"], repetition=rep, appId=app_id,
                    kind=d["kind"], group=d["group"], set=split[w],
                    config={k: cfg[k] for k in ("executorMemory", "executorCores", "executorInstances",
                                                "shufflePartitions")},
                    sparkConf=spark_conf_for(cfg), status=status, error=error, wallTimeMs=wall_ms,
                    startedAt=started.isoformat(timespec="seconds"), eventLog="eventlog_v2_" + app_id,
                    load=load_rec, **facts)
                loaded = args.redo_loaded_above is not None and (during_avg or 0) >= args.redo_loaded_above
                why = (f"clock jump {clock_jump_s:.1f} s (suspended?)" if abs(clock_jump_s) > CLOCK_JUMP_S
                       else f"othersLoad1MeanDuring {load_rec['othersLoad1MeanDuring']} >= {args.redo_loaded_above}"
                       if loaded else None)
                if why is not None and (not loaded or args.load_retries == 0 or load_tries + 1 < args.load_retries):
                    load_tries += 1
                    discard(manifest, out, run, why)
                    write_json(manifest_path, manifest)
                    print(f"[run_benchmark] {tag}: {app_id} discarded ({why}); made again after the next wait",
                          flush=True)
                    attempt -= 1
                    t_wait = time.time()
                    while (load.current() or 0) >= args.load_threshold and time.time() - t_wait < args.load_max_wait \
                            and waited_total + (time.time() - t_wait) < args.load_wait_budget:
                        time.sleep(5)
                    waited = time.time() - t_wait
                    waited_total += waited
                    continue
                if loaded:
                    run["loadAboveThreshold"] = True
                manifest["runs"].append(run)
                manifest["loadWaitedTotalS"] = round(waited_total, 1)
                write_json(manifest_path, manifest)
                break
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
