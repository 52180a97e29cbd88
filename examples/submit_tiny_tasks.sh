#!/usr/bin/env bash
# Per-country visit counts on the standalone cluster (see
# scripts/generate-history.sh for a local one on 127.0.0.1:7077).
# These flags match the SparkSession.builder settings in tiny_tasks.py
# (settings made in the builder win over spark-submit flags).
set -euo pipefail
cd "$(dirname "$0")/.."

spark-submit \
  --master spark://127.0.0.1:7077 \
  --name tiny_tasks \
  --executor-memory 1g \
  --executor-cores 2 \
  --total-executor-cores 4 \
  --conf spark.sql.shuffle.partitions=2000 \
  --conf spark.sql.adaptive.enabled=false \
  examples/tiny_tasks.py
