#!/usr/bin/env bash
# Runs Spark's own History Server from the pip-installed pyspark (scripts/install-pyspark.sh) in the
# FOREGROUND over a local folder of event logs, bound to 127.0.0.1 only. The process that keeps running
# is the JVM itself (spark-class execs java), so stopping this script's PID (or its process group) stops
# the server. The tests (test/history-server-*.test.ts) start it with `detached` and kill the group.
#
# Usage: bash scripts/start-history-server.sh LOG_DIR [PORT]
#   LOG_DIR  folder of event logs (spark.history.fs.logDirectory)
#   PORT     spark.history.ui.port (default 18080)
# Env: SPARK_HOME (default: the pyspark package folder, installed if missing), SPARK_DAEMON_MEMORY
#      (default 512m), SHS_EXTRA_OPTS (more -D options).
#
# Settings (docs/monitoring.md): spark.history.fs.update.interval=1s so new logs are listed within a
# second; the in-memory store (spark.history.store.path unset); SPARK_LOCAL_IP=127.0.0.1 makes the web UI
# bind to 127.0.0.1 (WebUI binds to $SPARK_LOCAL_IP, else 0.0.0.0).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $# -lt 1 ]]; then
  echo "usage: $0 LOG_DIR [PORT]" >&2
  exit 2
fi
log_dir="$(cd "$1" && pwd)"
port="${2:-18080}"

if [[ -z "${SPARK_HOME:-}" ]]; then
  SPARK_HOME="$(bash scripts/install-pyspark.sh | tail -n1)"
fi
export SPARK_HOME
export SPARK_LOCAL_IP=127.0.0.1
export SPARK_PUBLIC_DNS=127.0.0.1
export SPARK_DAEMON_MEMORY="${SPARK_DAEMON_MEMORY:-512m}"
export SPARK_HISTORY_OPTS="-Dspark.history.fs.logDirectory=file:${log_dir} -Dspark.history.ui.port=${port} -Dspark.history.fs.update.interval=1s -Dspark.ui.showConsoleProgress=false ${SHS_EXTRA_OPTS:-}"

exec "${SPARK_HOME}/bin/spark-class" org.apache.spark.deploy.history.HistoryServer
