#!/usr/bin/env bash
# Installs what the Delta Lake tests need, apart from the default Spark (scripts/install-pyspark.sh):
#  - pyspark of the Spark line that the newest Delta Lake release is built for, in its own virtual environment
#    (the default pyspark stays on the newest Spark, which Delta does not support yet);
#  - io.delta:delta-spark_2.13 and its dependencies from Maven Central, resolved once by that Spark's own
#    `spark-submit --packages` into a private Ivy folder, so the tests' `--packages` finds everything there and
#    downloads nothing.
# Versions: delta-spark_2.13 4.4.0 is the newest release on Maven Central (maven-metadata.xml, 2026-10); its POM
# declares spark-sql_2.13 4.2.0 (scope provided), so its Spark line is 4.2 and the newest pyspark of it is 4.2.1.
# Idempotent: does nothing when both are in place. Prints the folder (DELTA_HOME) on its last line of stdout:
#   DELTA_HOME/venv         the virtual environment (DELTA_HOME/venv/lib/python*/site-packages/pyspark = SPARK_HOME)
#   DELTA_HOME/ivy          spark.jars.ivy for `--packages io.delta:delta-spark_2.13:<version>`
#   DELTA_HOME/versions     DELTA_SPARK_PACKAGE=... and PYSPARK_VERSION=... (read by test/helpers/delta.ts)
#
# Env: SPARK_OPTIMIZER_CACHE (default ~/.cache/spark-optimizer), PYTHON (default python3).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/spark-packages.sh

DELTA_VERSION=4.4.0
PYSPARK_VERSION=4.2.1
PACKAGE="io.delta:delta-spark_2.13:${DELTA_VERSION}"
PYTHON="${PYTHON:-python3}"
CACHE="${SPARK_OPTIMIZER_CACHE:-${HOME}/.cache/spark-optimizer}"
DELTA_HOME="${CACHE}/delta-${DELTA_VERSION}-spark-${PYSPARK_VERSION}"
VENV="${DELTA_HOME}/venv"
IVY="${DELTA_HOME}/ivy"
mkdir -p "${DELTA_HOME}"

installed="$("${VENV}/bin/python" -c 'import pyspark; print(pyspark.__version__)' 2>/dev/null || true)"
if [[ "${installed}" != "${PYSPARK_VERSION}" ]]; then
  echo "install-delta.sh: creating ${VENV} with pyspark==${PYSPARK_VERSION}..." >&2
  "${PYTHON}" -m venv "${VENV}"
  "${VENV}/bin/python" -m pip install --quiet "pyspark==${PYSPARK_VERSION}" >&2
fi
SPARK_HOME="$("${VENV}/bin/python" -c 'import pyspark,os;print(os.path.dirname(pyspark.__file__))')"

if [[ ! -f "${IVY}/resolved-${DELTA_VERSION}" ]]; then
  echo "install-delta.sh: resolving ${PACKAGE} from Maven Central into ${IVY}..." >&2
  resolve_spark_packages "${SPARK_HOME}" "${IVY}" "${PACKAGE}"
  ls "${IVY}/jars/io.delta_delta-spark_2.13-${DELTA_VERSION}.jar" >/dev/null
  touch "${IVY}/resolved-${DELTA_VERSION}"
fi
printf 'DELTA_SPARK_PACKAGE=%s\nPYSPARK_VERSION=%s\n' "${PACKAGE}" "${PYSPARK_VERSION}" > "${DELTA_HOME}/versions"
echo "${DELTA_HOME}"
