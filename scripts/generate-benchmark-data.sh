#!/usr/bin/env bash
# Generates the data of the benchmark ground truth (TPC-H with tpchgen-cli, TPC-DS with DuckDB's tpcds extension,
# both as Parquet, plus the query texts of DuckDB's tpch/tpcds extensions) at the scale factors in
# eval/benchmark/grid.json (`data`), after installing the pinned generators (scripts/install-benchmark-tools.sh).
# Not committed (hundreds of MiB): written to BENCH_DATA (default .benchmark-data/tpch<SF>-tpcds<SF> in the
# repository, git-ignored). Idempotent (eval/benchmark/make_data.py). Prints the data folder on its last line.
#
# Usage: bash scripts/generate-benchmark-data.sh
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "${REPO}/scripts/install-benchmark-tools.sh"
read -r TPCH_SF TPCDS_SF < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["data"]; print(d["tpchScaleFactor"], d["tpcdsScaleFactor"])' "${REPO}/eval/benchmark/grid.json")
DATA="${BENCH_DATA:-${REPO}/.benchmark-data/tpch${TPCH_SF}-tpcds${TPCDS_SF}}"
python3 "${REPO}/eval/benchmark/make_data.py" --out "${DATA}" --tpch-sf "${TPCH_SF}" --tpcds-sf "${TPCDS_SF}" >&2
echo "${DATA}"
