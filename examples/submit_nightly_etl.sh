#!/usr/bin/env bash
# Nightly ETL, started by the scheduler at 02:00 on the YARN cluster.
# These flags match the SparkSession.builder settings in nightly_etl.py
# (settings made in the builder win over spark-submit flags).
set -euo pipefail
cd "$(dirname "$0")/.."

spark-submit \
  --master yarn \
  --deploy-mode cluster \
  --name nightly_etl \
  --driver-memory 1g \
  --executor-memory 1g \
  --executor-cores 2 \
  --num-executors 2 \
  --conf spark.sql.shuffle.partitions=200 \
  examples/nightly_etl.py
