#!/usr/bin/env bash
# Builds the Hadoop codecs that let Spark SQL's text source read Spark's compressed event logs with Spark's own decoders
# (jvm/event-log-codecs/SparkEventLogCodecs.java; `collect --engine spark` needs them on the Spark Connect server, given
# with `--jars`) into .tools/jvm/spark-optimizer-event-log-codecs.jar, compiled with javac against the jars of
# SPARK_HOME (default: the pip-installed pyspark of scripts/install-pyspark.sh) for Java 17 (Spark 4's minimum).
# Idempotent: does nothing when the jar is newer than its source. Prints the jar's path on its last line of stdout.
#
# Usage: bash scripts/build-event-log-codecs.sh
# Env:   SPARK_HOME (default: pyspark's folder), PYTHON (default python3)
set -euo pipefail
cd "$(dirname "$0")/.."

src="jvm/event-log-codecs/SparkEventLogCodecs.java"
out=".tools/jvm/spark-optimizer-event-log-codecs.jar"
if [[ -f "${out}" && "${out}" -nt "${src}" ]]; then
  echo "event-log codecs jar up to date." >&2
  echo "${PWD}/${out}"
  exit 0
fi
if ! command -v javac >/dev/null 2>&1 || ! command -v jar >/dev/null 2>&1; then
  echo "build-event-log-codecs.sh: javac and jar (a JDK 17+) are needed (Debian: apt-get install -y openjdk-17-jdk-headless)." >&2
  exit 1
fi
PYTHON="${PYTHON:-python3}"
if [[ -z "${SPARK_HOME:-}" ]]; then
  SPARK_HOME="$("${PYTHON}" -c 'import pyspark, os; print(os.path.dirname(pyspark.__file__))')"
fi
if [[ ! -d "${SPARK_HOME}/jars" ]]; then
  echo "build-event-log-codecs.sh: no Spark jars in ${SPARK_HOME}/jars (run bash scripts/install-pyspark.sh or set SPARK_HOME)." >&2
  exit 1
fi
tmp="$(mktemp -d)"
trap 'rm -rf "${tmp}"' EXIT
echo "Building ${out} against ${SPARK_HOME}/jars..." >&2
javac --release 17 -nowarn -cp "${SPARK_HOME}/jars/*" -d "${tmp}" "${src}" >&2
mkdir -p "$(dirname "${out}")"
jar cf "${out}" -C "${tmp}" .
echo "${PWD}/${out}"
