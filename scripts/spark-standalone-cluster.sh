#!/usr/bin/env bash
# Runs a throw-away Spark standalone cluster on 127.0.0.1 (scripts/lib/spark-standalone.sh) until it is sent SIGTERM
# or SIGINT, or its stdin closes: a master and WORKERS workers of CORES cores and MEMORY each. Prints
# "MASTER_URL=spark://127.0.0.1:PORT" on stdout once every worker has registered. For programs that need a cluster
# for a while (test/bench/spark-engine.ts starts one and connects a Spark Connect server to it).
#
# Usage: bash scripts/spark-standalone-cluster.sh WORKERS CORES MEMORY     (e.g. 2 2 2500m)
# Env:   SPARK_HOME (default: the pip-installed pyspark's), PYTHON (default python3)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/spark-standalone.sh
source "${REPO}/scripts/lib/spark-standalone.sh"
LOG_PREFIX="cluster"
WORKERS="${1:?workers}"
WORKER_CORES="${2:?cores per worker}"
WORKER_MEMORY="${3:?memory per worker}"
if [[ -z "${SPARK_HOME:-}" ]]; then
  SPARK_HOME="$("${PYTHON:-python3}" -c 'import pyspark, os; print(os.path.dirname(pyspark.__file__))')"
fi
export SPARK_HOME
WORK="$(mktemp -d "${TMPDIR:-/tmp}/spark-standalone-cluster.XXXXXX")"
MASTER_HOST=127.0.0.1
MASTER_PORT="$(free_port)"
MASTER_UI_PORT="$(free_port)"
WORKER_UI_PORT="$(free_port)"
cleanup() {
  stop_pids worker "${EXTRA_WORKER_PIDS[@]}"
  stop_pid "${WORKER_PID:-}" worker
  stop_pid "${MASTER_PID:-}" master
  rm -rf "${WORK}"
}
trap cleanup EXIT
trap 'exit 0' TERM INT
start_standalone_cluster
if [[ "${WORKERS}" -gt 1 ]]; then start_standalone_workers $((WORKERS - 1)); fi
echo "MASTER_URL=${MASTER_URL}"
# Until told to stop: stdin closing (the parent went away) or a signal.
cat >/dev/null || true
