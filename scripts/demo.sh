#!/usr/bin/env bash
# The main job on real data shipped in the repo: set up, collect the committed real Spark event logs
# (examples/history, produced by scripts/generate-history.sh on a real Spark) into a fresh store, then
# check the example job files and print the recommendations with the runs they rest on.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
DB="${SPARK_OPTIMIZER_DEMO_DB:-.demo/history.db}"
rm -f "$DB" "$DB-wal" "$DB-shm"
echo
echo "== spark-optimizer collect --source event-logs --path examples/history --db $DB"
bin/spark-optimizer collect --source event-logs --path examples/history --db "$DB"
echo
echo "== spark-optimizer workloads --db $DB"
bin/spark-optimizer workloads --db "$DB"
echo
echo "== spark-optimizer check examples/*.py examples/*.sh --db $DB"
set +e
bin/spark-optimizer check examples/*.py examples/*.sh --db "$DB"
code=$?
set -e
# check exits 1 when it has findings (like a linter): that is the expected outcome here.
if [ "$code" -gt 1 ]; then exit "$code"; fi
echo
echo "demo: done (check exit code $code: 1 = recommendations found)."
