#!/usr/bin/env bash
# Click enrichment on the standalone cluster (see scripts/generate-history.sh
# for a local one on 127.0.0.1:7077).
# These flags match the SparkSession.builder settings in skewed_join.py
# (settings made in the builder win over spark-submit flags).
set -euo pipefail
cd "$(dirname "$0")/.."

spark-submit \
  --master spark://127.0.0.1:7077 \
  --name skewed_join \
  --executor-memory 2g \
  --executor-cores 2 \
  --total-executor-cores 4 \
  --conf spark.sql.shuffle.partitions=200 \
  --conf spark.sql.adaptive.enabled=false \
  --conf spark.sql.autoBroadcastJoinThreshold=-1 \
  examples/skewed_join.py
