#!/usr/bin/env bash
# Installs a pinned PySpark (which ships a full Spark distribution: bin/spark-submit,
# bin/spark-class, jars/ with the Spark Connect server) from PyPI, plus the `zstandard` module used to read
# Spark 4's compressed event logs and pyspark's Spark Connect client packages (for the benchmark). Idempotent: does nothing when the pinned
# versions are already installed. Prints SPARK_HOME on its last line of stdout.
#
# Usage: bash scripts/install-pyspark.sh
# Env:   PYSPARK_VERSION (default below), PYTHON (default python3)
set -euo pipefail

PYSPARK_VERSION="${PYSPARK_VERSION:-4.3.0}"
PYTHON="${PYTHON:-python3}"

if ! command -v java >/dev/null 2>&1; then
  echo "install-pyspark.sh: 'java' was not found on PATH. Spark ${PYSPARK_VERSION} needs Java 17 or 21" >&2
  echo "  (Debian: apt-get update && apt-get install -y openjdk-17-jre-headless)." >&2
  exit 1
fi
java_major="$(java -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\).*/\1/p' | head -n1)"
if [[ -z "${java_major}" || "${java_major}" -lt 17 ]]; then
  echo "install-pyspark.sh: Spark ${PYSPARK_VERSION} needs Java 17+, found: $(java -version 2>&1 | head -n1)" >&2
  exit 1
fi

if ! command -v "${PYTHON}" >/dev/null 2>&1; then
  echo "install-pyspark.sh: '${PYTHON}' not found" >&2
  exit 1
fi

installed="$("${PYTHON}" -c 'import pyspark; print(pyspark.__version__)' 2>/dev/null || true)"
if [[ "${installed}" != "${PYSPARK_VERSION}" ]]; then
  echo "Installing pyspark==${PYSPARK_VERSION} (found: ${installed:-none})..." >&2
  "${PYTHON}" -m pip install --quiet "pyspark==${PYSPARK_VERSION}" >&2
else
  echo "pyspark ${PYSPARK_VERSION} already installed." >&2
fi

if ! "${PYTHON}" -c 'import zstandard' >/dev/null 2>&1; then
  echo "Installing zstandard (to read .zstd event logs)..." >&2
  "${PYTHON}" -m pip install --quiet zstandard >&2
fi

# pyspark's own Spark Connect client (the `connect` extra's packages), pinned to the versions the benchmark
# test/bench/connect.ts was run with; pyspark 4.3.0 asks for grpcio>=1.76, pandas>=2.2, pyarrow>=18.
CONNECT_PINS=(grpcio==1.85.1 grpcio-status==1.85.1 googleapis-common-protos==1.76.0 pandas==3.1.1 pyarrow==26.0.1 zstandard==0.25.0)
if ! "${PYTHON}" - "${CONNECT_PINS[@]}" >/dev/null 2>&1 <<'PY'
import sys
from importlib.metadata import version
for pin in sys.argv[1:]:
    name, want = pin.split("==")
    if version(name) != want:
        sys.exit(1)
PY
then
  echo "Installing pyspark's Spark Connect client packages: ${CONNECT_PINS[*]}..." >&2
  "${PYTHON}" -m pip install --quiet "${CONNECT_PINS[@]}" >&2
fi

SPARK_HOME="$("${PYTHON}" -c 'import pyspark,os;print(os.path.dirname(pyspark.__file__))')"
if [[ ! -x "${SPARK_HOME}/bin/spark-submit" ]]; then
  echo "install-pyspark.sh: ${SPARK_HOME}/bin/spark-submit is missing or not executable" >&2
  exit 1
fi
echo "${SPARK_HOME}"
