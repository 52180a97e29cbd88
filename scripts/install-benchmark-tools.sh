#!/usr/bin/env bash
# Installs the pinned data generators of the benchmark ground truth (scripts/generate-benchmark-data.sh) from PyPI:
#   tpchgen-cli               TPC-H tables as Parquet (a Rust port of dbgen)
#   duckdb                    to run DuckDB's TPC-DS generator and to read both extensions' query text
#   duckdb-extension-tpcds    DuckDB's tpcds extension (dsdgen, tpcds_queries()); its .duckdb_extension file is loaded by path
#   duckdb-extension-tpch     DuckDB's tpch extension, used only for tpch_queries() (the 22 TPC-H query texts)
# The two extensions are built for one DuckDB version, so duckdb is pinned to the same version.
# Not called by scripts/setup.sh: CI reads the committed runs and never generates data. Idempotent.
#
# Usage: bash scripts/install-benchmark-tools.sh        Env: PYTHON (default python3)
set -euo pipefail

PYTHON="${PYTHON:-python3}"
PINS=(tpchgen-cli==4.0.0 duckdb==1.5.5 duckdb-extension-tpcds==1.5.5 duckdb-extension-tpch==1.5.5)

if "${PYTHON}" - "${PINS[@]}" >/dev/null 2>&1 <<'PY'
import sys
from importlib.metadata import version
for pin in sys.argv[1:]:
    name, want = pin.split("==")
    if version(name) != want:
        sys.exit(1)
PY
then
  echo "benchmark tools already installed: ${PINS[*]}" >&2
else
  echo "Installing ${PINS[*]}..." >&2
  "${PYTHON}" -m pip install --quiet "${PINS[@]}" >&2
fi
command -v tpchgen-cli >/dev/null 2>&1 || { echo "install-benchmark-tools.sh: tpchgen-cli is not on PATH after installing" >&2; exit 1; }
