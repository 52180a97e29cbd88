#!/usr/bin/env bash
# The benchmark ground truth (issue 14): runs the workloads of eval/benchmark/grid.json (TPC-H and TPC-DS query
# groups, the memory-heavy shuffle_spill, and workloads whose tasks mostly wait) over its configuration grid on a
# Spark standalone cluster of one master and WORKERS workers on 127.0.0.1, every run its own application with a
# zstd-compressed event log, and writes
#
#   eval/benchmark-runs/eventlog_v2_<appId>/...   the logs, as Spark wrote them
#   eval/benchmark-runs/manifest.json             workload (kind, group, set), configuration, repetition, load, outcome
#   eval/benchmark-runs/README.md                 provenance and the runs (eval/benchmark/write_readme.py)
#
#   bash scripts/generate-benchmark-eval.sh [--workloads a,b] [--configs id,...] [--reps N] [--max-runs N] [--trial]
#
# Resumable: runs already in the manifest are skipped, so after an interruption start it again; on a fresh checkout
# it resumes from the grid in progress committed to eval/benchmark-runs-partial (packed, see below). --trial records
# nothing (to time runs). Generates the data first (scripts/generate-benchmark-data.sh). Always stops the master and
# workers it started. Env: BENCH_OUT (default eval/benchmark-runs), EVAL_NICE (default -15 as root),
# LOAD_THRESHOLD (2.5), LOAD_MAX_WAIT (60 s per run), LOAD_WAIT_BUDGET (1800 s in all), LOAD_REDO_ABOVE (unset: keep
# every run; X: discard and redo runs whose others' load averaged X or more while they ran, see run_benchmark.py),
# LOAD_RETRIES (3 tries of a run discarded for load, then it is kept and marked; 0: no limit).
# Unattended on a shared machine, measuring only when it is idle:
#   LOAD_THRESHOLD=1 LOAD_REDO_ABOVE=1 LOAD_RETRIES=0 LOAD_MAX_WAIT=86400 LOAD_WAIT_BUDGET=10000000 \
#     bash scripts/generate-benchmark-eval.sh
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/lib/spark-standalone.sh
source "${REPO}/scripts/lib/spark-standalone.sh"
LOG_PREFIX=generate-benchmark-eval

# Higher priority than the other users of the shared machine (process nice and, with CFS autogroups, the nice of
# a session of our own), inherited by the master, workers, executors and driver. Needs root. -15 rather than the
# -10 of generate-eval.sh: with autogroups every other session (each test run's servers start their own) weighs
# 1024 against our group's weight (-10: 9548, -15: 29154), and the pilot saw 15-30 runnable threads of others.
export EVAL_NICE="${EVAL_NICE:-$([[ "$(id -u)" == 0 ]] && echo -15 || echo 0)}"
enter_priority_session "$0" "$@"

OUT="${BENCH_OUT:-${REPO}/eval/benchmark-runs}"
EXTRA=()
TRIAL=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --reps|--workloads|--configs|--max-runs) EXTRA+=("$1" "$2"); shift 2 ;;
    --trial) TRIAL=1; EXTRA+=("--no-manifest"); shift ;;
    *) echo "generate-benchmark-eval.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

BENCH_DATA="$(bash "${REPO}/scripts/generate-benchmark-data.sh" | tail -n1)"
export BENCH_DATA
SPARK_HOME="$(bash "${REPO}/scripts/install-pyspark.sh" | tail -n1)"
export SPARK_HOME
export PYSPARK_PYTHON="${PYSPARK_PYTHON:-python3}"
log "SPARK_HOME=${SPARK_HOME}, data ${BENCH_DATA}"

if [[ "${TRIAL}" == 1 ]]; then OUT="$(mktemp -d -t bench-trial.XXXXXX)"; fi
mkdir -p "${OUT}"
OUT="$(cd "${OUT}" && pwd)"
# A grid in progress is committed packed to eval/benchmark-runs-partial (scripts/pack-benchmark-runs.js --partial),
# so that a generation started on another machine resumes from it: its runs are copied in and skipped.
PARTIAL="${REPO}/eval/benchmark-runs-partial"
if [[ "${TRIAL}" == 0 && ! -f "${OUT}/manifest.json" && -f "${PARTIAL}/manifest.json" ]]; then
  cp "${PARTIAL}"/*.zstd "${PARTIAL}/manifest.json" "${OUT}/"
  log "resuming from ${PARTIAL}: $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["runs"]))' "${OUT}/manifest.json") runs already made"
fi

# The cluster of eval/benchmark/grid.json: WORKERS workers of WORKER_CORES cores and WORKER_MEMORY each.
read -r WORKERS WORKER_CORES WORKER_MEMORY < <(python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["cluster"]; print(c["workers"], c["nodeCores"], str(c["nodeMemoryMiB"]) + "m")' "${REPO}/eval/benchmark/grid.json")
MASTER_HOST=127.0.0.1
MASTER_PORT="$(free_port)"
MASTER_UI_PORT="$(free_port)"
WORKER_UI_PORT="$(free_port)"

WORK="$(mktemp -d -t spark-bench-gen.XXXXXX)"
MASTER_PID=""
WORKER_PID=""
OK=0
cleanup() {
  stop_pids "worker" ${EXTRA_WORKER_PIDS[@]+"${EXTRA_WORKER_PIDS[@]}"}
  stop_pid "${WORKER_PID}" "worker"
  stop_pid "${MASTER_PID}" "master"
  if [[ "${OK}" == 1 ]]; then rm -rf "${WORK}"; else log "FAILED or interrupted; daemon and executor logs kept in ${WORK}"; fi
  if [[ "${TRIAL}" == 1 ]]; then rm -rf "${OUT}"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_standalone_cluster
start_standalone_workers $((WORKERS - 1))

python3 "${REPO}/eval/benchmark/run_benchmark.py" --master "${MASTER_URL}" --out "${OUT}" \
  --load-threshold "${LOAD_THRESHOLD:-2.5}" --load-max-wait "${LOAD_MAX_WAIT:-60}" \
  --load-wait-budget "${LOAD_WAIT_BUDGET:-1800}" ${LOAD_REDO_ABOVE:+--redo-loaded-above "${LOAD_REDO_ABOVE}"} \
  --load-retries "${LOAD_RETRIES:-3}" \
  ${EXTRA[@]+"${EXTRA[@]}"} 2>"${WORK}/driver.log"

if [[ "${TRIAL}" == 0 ]]; then
  python3 "${REPO}/eval/benchmark/write_readme.py" --out "${OUT}"
fi
OK=1
log "done: ${OUT}"
