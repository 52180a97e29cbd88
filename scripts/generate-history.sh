#!/usr/bin/env bash
# Runs the example Spark jobs in examples/ on a real (local) Spark standalone
# cluster and keeps their event logs, so the optimizer has genuine run
# history to read.
#
#   bash scripts/generate-history.sh [OUTPUT_DIR]      (default: examples/history)
#
# What it does:
#   1. installs the pinned PySpark from PyPI if needed (scripts/install-pyspark.sh);
#   2. starts a standalone Master and one Worker (4 cores, 8g) bound to 127.0.0.1,
#      so executors are separate JVMs with the heap they were asked for;
#   3. runs every configuration in RUNS below with event logging on, keeping
#      Spark 4's default log format (zstd-compressed, rolling:
#      eventlog_v2_<appId>/events_1_<appId>.zstd + appstatus_<appId>);
#   4. checks that the logs show what they are meant to show (spill, skew,
#      tiny tasks, executor memory) and writes OUTPUT_DIR/manifest.json and
#      OUTPUT_DIR/README.md (provenance of every log);
#   5. always stops the Master and Worker it started (trap), even on failure.
#
# Settings made in a job's SparkSession.builder.config(...) take precedence over
# spark-submit flags (PySpark builds the SparkConf from the submit flags and then
# applies the builder options on top). To run a job under another configuration
# this script therefore runs a copy of the file in which the builder's literal
# values for the run's settings are replaced; the flags it passes to
# spark-submit carry the same values. The app name is never changed.
#
# Takes roughly 8-10 minutes on a 2-core machine.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-${REPO}/examples/history}"
mkdir -p "${OUT}"
OUT="$(cd "${OUT}" && pwd)"

MASTER_HOST=127.0.0.1
MASTER_PORT=7077
MASTER_UI_PORT=8080
WORKER_UI_PORT=8081
WORKER_CORES=4
WORKER_MEMORY=8g
MASTER_URL="spark://${MASTER_HOST}:${MASTER_PORT}"

# name | executor memory | executor cores | total executor cores | shuffle partitions | purpose
RUNS=(
  "nightly_etl|512m|2|4|200|undersized: expect heavy spill"
  "nightly_etl|1g|2|4|200|the file's own setting: expect spill"
  "nightly_etl|1g|2|4|200|the file's own setting, repeated: expect spill"
  "nightly_etl|2g|2|4|200|larger executors"
  "nightly_etl|4g|2|4|200|right-sized: expect no spill"
  "skewed_join|2g|2|4|200|the file's own setting: one straggler task in the join stage"
  "skewed_join|4g|2|4|400|more memory and partitions do not fix the skew"
  "tiny_tasks|1g|2|4|2000|the file's own setting: 2000 tiny tasks"
  "tiny_tasks|1g|2|4|50|50 shuffle partitions"
)

# shellcheck source=scripts/lib/spark-standalone.sh
source "${REPO}/scripts/lib/spark-standalone.sh"
LOG_PREFIX=generate-history

SPARK_HOME="$(bash "${REPO}/scripts/install-pyspark.sh" | tail -n1)"
export SPARK_HOME
export SPARK_LOCAL_IP="${MASTER_HOST}"
export SPARK_MASTER_HOST="${MASTER_HOST}"
export PYSPARK_PYTHON="${PYSPARK_PYTHON:-python3}"
log "SPARK_HOME=${SPARK_HOME}"

WORK="$(mktemp -d -t spark-history-gen.XXXXXX)"
export SPARK_WORKER_DIR="${WORK}/worker"
mkdir -p "${SPARK_WORKER_DIR}" "${WORK}/jobs"
MASTER_PID=""
WORKER_PID=""
OK=0

cleanup() {
  stop_pid "${WORKER_PID}" "worker"
  stop_pid "${MASTER_PID}" "master"
  if [[ "${OK}" == 1 ]]; then
    rm -rf "${WORK}"
  else
    log "FAILED; daemon, driver and executor logs kept in ${WORK}"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_standalone_cluster

# Clear the output directory (only what this script produces).
rm -rf "${OUT}"/eventlog_v2_* "${OUT}"/app-* "${OUT}"/local-* "${OUT}/manifest.json" "${OUT}/README.md"

# Copy a job, replacing the builder's literal values for the given settings.
rewrite_job() {
  python3 - "$@" <<'PY'
import re, sys
src, dst, *pairs = sys.argv[1:]
text = open(src).read()
for pair in pairs:
    key, value = pair.split("=", 1)
    pattern = re.compile(r'(\.config\(\s*"' + re.escape(key) + r'"\s*,\s*)"[^"]*"')
    text = pattern.sub(lambda m: m.group(1) + '"' + value + '"', text)
open(dst, "w").write(text)
PY
}

MANIFEST_TSV="${WORK}/runs.tsv"
: >"${MANIFEST_TSV}"
n=0
for run in "${RUNS[@]}"; do
  IFS='|' read -r name mem cores total parts purpose <<<"${run}"
  n=$((n + 1))
  job_dir="${WORK}/jobs/run${n}"
  mkdir -p "${job_dir}"
  rewrite_job "${REPO}/examples/${name}.py" "${job_dir}/${name}.py" \
    "spark.executor.memory=${mem}" "spark.executor.cores=${cores}" \
    "spark.sql.shuffle.partitions=${parts}"

  before="$(ls -d "${OUT}"/eventlog_v2_* 2>/dev/null | sort || true)"
  log "run ${n}/${#RUNS[@]}: ${name} executor-memory=${mem} executor-cores=${cores} total-executor-cores=${total} shuffle.partitions=${parts}"
  start=$(date +%s)
  if ! "${SPARK_HOME}/bin/spark-submit" \
      --master "${MASTER_URL}" \
      --name "${name}" \
      --executor-memory "${mem}" \
      --executor-cores "${cores}" \
      --total-executor-cores "${total}" \
      --conf "spark.sql.shuffle.partitions=${parts}" \
      --conf "spark.eventLog.enabled=true" \
      --conf "spark.eventLog.dir=file://${OUT}" \
      --conf "spark.driver.host=${MASTER_HOST}" \
      --conf "spark.driver.bindAddress=${MASTER_HOST}" \
      --conf "spark.ui.enabled=false" \
      "${job_dir}/${name}.py" >"${job_dir}/driver.log" 2>&1; then
    tail -n 40 "${job_dir}/driver.log" >&2
    echo "generate-history.sh: run ${n} (${name}, ${mem}) failed; driver log: ${job_dir}/driver.log" >&2
    exit 1
  fi
  after="$(ls -d "${OUT}"/eventlog_v2_* 2>/dev/null | sort || true)"
  new="$(comm -13 <(echo "${before}") <(echo "${after}") | grep . || true)"
  if [[ "$(echo "${new}" | grep -c . || true)" != 1 ]]; then
    echo "generate-history.sh: expected exactly one new event log after run ${n}, got: ${new:-none}" >&2
    exit 1
  fi
  app_id="$(basename "${new}")"
  app_id="${app_id#eventlog_v2_}"
  log "  -> ${app_id} in $(( $(date +%s) - start )) s"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "${app_id}" "${name}" "${mem}" "${cores}" "${total}" "${parts}" "${purpose}" >>"${MANIFEST_TSV}"
done

stop_pid "${WORKER_PID}" "worker"; WORKER_PID=""
stop_pid "${MASTER_PID}" "master"; MASTER_PID=""

# Read the logs back, check them, write manifest.json and README.md.
python3 - "${OUT}" "${MANIFEST_TSV}" <<'PY'
import datetime, glob, io, json, os, re, statistics, sys

import zstandard

out_dir, tsv = sys.argv[1], sys.argv[2]

def read_events(app_dir):
    files = glob.glob(os.path.join(app_dir, "events_*"))
    files.sort(key=lambda f: int(re.match(r"events_(\d+)_", os.path.basename(f)).group(1)))
    for f in files:
        raw = open(f, "rb").read()
        if f.endswith(".zstd"):
            raw = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(raw)).read()
        for line in raw.decode("utf-8").splitlines():
            if line.strip():
                yield json.loads(line)

def mem_bytes(s):
    m = re.fullmatch(r"(\d+)([kmgt]?)b?", s.strip().lower())
    return int(m.group(1)) * 1024 ** " kmgt".index(m.group(2) or " ")

def summarize(app_dir):
    s = dict(spark_version=None, start_ms=None, end_ms=None, tasks=0, failed_tasks=0,
             disk_bytes_spilled=0, memory_bytes_spilled=0, executors_added=0,
             executor_max_memory={}, properties={}, stages={})
    stage_tasks = {}
    for e in read_events(app_dir):
        ev = e["Event"]
        if ev == "SparkListenerLogStart":
            s["spark_version"] = e["Spark Version"]
        elif ev == "SparkListenerApplicationStart":
            s["start_ms"] = e["Timestamp"]; s["app_name"] = e["App Name"]; s["app_id"] = e["App ID"]
        elif ev == "SparkListenerApplicationEnd":
            s["end_ms"] = e["Timestamp"]
        elif ev == "SparkListenerEnvironmentUpdate":
            s["properties"] = dict(e["Spark Properties"])
        elif ev == "SparkListenerExecutorAdded":
            s["executors_added"] += 1
        elif ev == "SparkListenerBlockManagerAdded":
            ex = e["Block Manager ID"]["Executor ID"]
            if ex != "driver":
                s["executor_max_memory"][ex] = e["Maximum Memory"]
        elif ev == "SparkListenerStageSubmitted":
            si = e["Stage Info"]
            s["stages"][si["Stage ID"]] = dict(
                tasks=si["Number of Tasks"],
                join=any(r["Name"].startswith("ZippedPartitionsRDD") for r in si["RDD Info"]))
        elif ev == "SparkListenerTaskEnd":
            s["tasks"] += 1
            if e["Task End Reason"]["Reason"] != "Success":
                s["failed_tasks"] += 1
            m = e.get("Task Metrics") or {}
            s["disk_bytes_spilled"] += m.get("Disk Bytes Spilled", 0)
            s["memory_bytes_spilled"] += m.get("Memory Bytes Spilled", 0)
            ti = e["Task Info"]
            stage_tasks.setdefault(e["Stage ID"], []).append(
                (ti["Finish Time"] - ti["Launch Time"], m.get("Executor Run Time", 0),
                 m.get("Disk Bytes Spilled", 0)))
    for sid, tasks in stage_tasks.items():
        st = s["stages"].setdefault(sid, dict(tasks=len(tasks), join=False))
        d = [t[0] for t in tasks]; r = [t[1] for t in tasks]
        st.update(ended=len(tasks), max_ms=max(d), median_ms=statistics.median(d),
                  max_run_ms=max(r), median_run_ms=statistics.median(r),
                  disk_bytes_spilled=sum(t[2] for t in tasks))
    return s

runs = []
for line in open(tsv):
    app_id, name, mem, cores, total, parts, purpose = line.rstrip("\n").split("\t")
    s = summarize(os.path.join(out_dir, "eventlog_v2_" + app_id))
    s.update(config=dict(executor_memory=mem, executor_cores=int(cores),
                         total_executor_cores=int(total), shuffle_partitions=int(parts)),
             purpose=purpose)
    s["files"] = sorted(os.path.relpath(p, out_dir) for p in
                        glob.glob(os.path.join(out_dir, "eventlog_v2_" + app_id, "*")))
    runs.append(s)

problems = []
def check(cond, msg):
    print(("  ok    " if cond else "  FAIL  ") + msg)
    if not cond:
        problems.append(msg)

print("\nChecks:")
for r in runs:
    c, p, tag = r["config"], r["properties"], f'{r["app_id"]} ({r["app_name"]}, {r["config"]["executor_memory"]})'
    check(p.get("spark.executor.memory") == c["executor_memory"],
          f'{tag}: spark.executor.memory in the log is {p.get("spark.executor.memory")}')
    check(p.get("spark.executor.cores") == str(c["executor_cores"]),
          f'{tag}: spark.executor.cores in the log is {p.get("spark.executor.cores")}')
    check(p.get("spark.sql.shuffle.partitions") == str(c["shuffle_partitions"]),
          f'{tag}: spark.sql.shuffle.partitions in the log is {p.get("spark.sql.shuffle.partitions")}')
    want_execs = c["total_executor_cores"] // c["executor_cores"]
    check(r["executors_added"] == want_execs, f'{tag}: {r["executors_added"]} executors added (want {want_execs})')
    # Unified memory manager: (heap - 300 MiB reserved) * spark.memory.fraction 0.6.
    want_max = (mem_bytes(c["executor_memory"]) - 300 * 1024 * 1024) * 0.6
    got = list(r["executor_max_memory"].values())
    check(bool(got) and all(abs(g - want_max) / want_max < 0.05 for g in got),
          f'{tag}: executor storage+execution memory {got} ~ {int(want_max)} (heap really {c["executor_memory"]})')
    check(r["failed_tasks"] == 0, f'{tag}: {r["failed_tasks"]} failed tasks')

etl = [r for r in runs if r["app_name"] == "nightly_etl"]
small = [r for r in etl if mem_bytes(r["config"]["executor_memory"]) <= 1024 ** 3]
big = [r for r in etl if mem_bytes(r["config"]["executor_memory"]) >= 4 * 1024 ** 3]
for r in small:
    check(r["disk_bytes_spilled"] > 0,
          f'{r["app_id"]} nightly_etl {r["config"]["executor_memory"]}: spilled {r["disk_bytes_spilled"]} bytes to disk (want > 0)')
min_small = min((r["disk_bytes_spilled"] for r in small), default=0)
for r in big:
    check(r["disk_bytes_spilled"] <= 0.1 * min_small,
          f'{r["app_id"]} nightly_etl {r["config"]["executor_memory"]}: spilled {r["disk_bytes_spilled"]} bytes (want <= 10% of {min_small})')
for r in runs:
    if r["app_name"] == "skewed_join":
        joins = [st for st in r["stages"].values() if st["join"] and "max_ms" in st]
        ratio = max((st["max_ms"] / max(st["median_ms"], 1) for st in joins), default=0)
        r["join_stage_skew"] = round(ratio, 1)
        check(ratio > 5, f'{r["app_id"]} skewed_join: join stage max/median task duration {ratio:.1f} (want > 5)')
    if r["app_name"] == "tiny_tasks":
        n = r["config"]["shuffle_partitions"]
        check(any(st["tasks"] == n for st in r["stages"].values()),
              f'{r["app_id"]} tiny_tasks: a stage with {n} tasks')

manifest = []
for r in runs:
    manifest.append(dict(
        app_id=r["app_id"], app_name=r["app_name"], purpose=r["purpose"], config=r["config"],
        spark_version=r["spark_version"],
        start=datetime.datetime.fromtimestamp(r["start_ms"] / 1000, datetime.timezone.utc).isoformat(timespec="seconds"),
        duration_ms=r["end_ms"] - r["start_ms"],
        tasks=r["tasks"], failed_tasks=r["failed_tasks"],
        disk_bytes_spilled=r["disk_bytes_spilled"], memory_bytes_spilled=r["memory_bytes_spilled"],
        executors_added=r["executors_added"],
        executor_max_memory=r["executor_max_memory"],
        join_stage_skew=r.get("join_stage_skew"),
        stages={str(k): v for k, v in sorted(r["stages"].items())},
        files=r["files"]))
with open(os.path.join(out_dir, "manifest.json"), "w") as f:
    json.dump(dict(generated_by="scripts/generate-history.sh", runs=manifest), f, indent=2)
    f.write("\n")

def mib(b):
    return f"{b / 1024 / 1024:.1f} MiB" if b else "0"

rows = []
for m in manifest:
    c = m["config"]
    spill = f'yes, {m["disk_bytes_spilled"]} B ({mib(m["disk_bytes_spilled"])})' if m["disk_bytes_spilled"] else "no (0 B)"
    rows.append(f'| `{m["app_id"]}` | {m["app_name"]} | {c["executor_memory"]} | {c["executor_cores"]} | '
                f'{c["total_executor_cores"]} | {c["shuffle_partitions"]} | {m["spark_version"]} | '
                f'{m["start"].replace("+00:00", "Z")} | {m["duration_ms"] / 1000:.1f} s | {spill} | '
                f'{m["memory_bytes_spilled"]} | {m["tasks"]} | {m["executors_added"]} | '
                f'{m["join_stage_skew"] if m["join_stage_skew"] is not None else ""} | {m["purpose"]} |')

readme = f"""# Event logs of real example runs

Every directory here is the unmodified event log of one run of a job in
[`examples/`](..) on a real Spark {manifest[0]["spark_version"]} standalone cluster (one master and one
worker on 127.0.0.1, 4 cores and 8g offered, executors in their own JVMs).
They were written by Spark itself with its Spark 4 defaults: compressed with
zstd and rolling, one directory per application:

    eventlog_v2_<appId>/events_1_<appId>.zstd   the events, one JSON object per line, zstd-compressed
    eventlog_v2_<appId>/appstatus_<appId>       empty marker: the application has finished

(`.crc` files are Hadoop's local-filesystem checksums.) `manifest.json` holds
the same facts as the table below in machine-readable form, plus per-stage task
counts, max/median task durations and spill.

## Provenance

Every run used `spark-submit --master spark://127.0.0.1:7077 --name <name>
--executor-memory M --executor-cores C --total-executor-cores T --conf
spark.sql.shuffle.partitions=P --conf spark.eventLog.enabled=true` on the job
file. Settings in a job's `SparkSession.builder.config(...)` take precedence
over spark-submit flags, so each run used a copy of the file whose builder
values for those three settings were replaced by the run's values (the
app name and everything else unchanged). Runs whose memory, cores and
partitions equal the file's own values are marked "the file's own setting".

"Disk spilled" and "Memory spilled" are the sums of `Disk Bytes Spilled` and
`Memory Bytes Spilled` over the `Task Metrics` of every `SparkListenerTaskEnd`;
"Tasks" counts `SparkListenerTaskEnd` events; "Executors" counts
`SparkListenerExecutorAdded`; "Join skew" is max/median task duration
(finish - launch time) in the sort-merge-join stage. Dates are the
`SparkListenerApplicationStart` timestamps (UTC); the version is from
`SparkListenerLogStart`.

| appId | App | Executor memory | Executor cores | Total executor cores | Shuffle partitions | Spark | Started (UTC) | Duration | Spilled to disk | Memory spilled (B) | Tasks | Executors | Join skew | Purpose |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
""" + "\n".join(rows) + """

## Regenerating

    bash scripts/generate-history.sh            # writes examples/history (cleared first)
    bash scripts/generate-history.sh /tmp/hist  # or anywhere else

It installs the pinned PySpark from PyPI (`scripts/install-pyspark.sh`; needs
Java 17+), starts the master and worker on 127.0.0.1 (ports 7077, 8080, 8081),
runs every configuration, stops both daemons, checks that the 512m/1g
`nightly_etl` runs spilled and the 4g one did not, that the `skewed_join`
join stage has a straggler (max/median > 5), that each executor really got the
requested heap, and rewrites this file and `manifest.json`. App ids, dates,
durations and exact spill sizes change from one regeneration to the next.
"""
with open(os.path.join(out_dir, "README.md"), "w") as f:
    f.write(readme)

print("\nSummary:")
for m in manifest:
    c = m["config"]
    print(f'  {m["app_id"]}  {m["app_name"]:<12} mem={c["executor_memory"]:<5} cores={c["executor_cores"]} '
          f'total={c["total_executor_cores"]} partitions={c["shuffle_partitions"]:<5} tasks={m["tasks"]:<5} '
          f'disk_spilled={m["disk_bytes_spilled"]} memory_spilled={m["memory_bytes_spilled"]} '
          f'executors={m["executors_added"]}' + (f' join_skew={m["join_stage_skew"]}' if m["join_stage_skew"] else ""))
if problems:
    print(f"\n{len(problems)} check(s) failed", file=sys.stderr)
    sys.exit(1)
PY
OK=1
log "done: $(du -sh "${OUT}" | cut -f1) in ${OUT}"
