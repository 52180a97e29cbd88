#!/usr/bin/env bash
# Installs what the MySQL/MariaDB tests need (test/live/connect-mysql.test.ts):
#  - Debian's mariadb-server (mariadb-install-db and mariadbd; the tests start their own server on a loopback
#    port with a temporary data directory, never the system service);
#  - MariaDB Connector/J (org.mariadb.jdbc:mariadb-java-client) from Maven Central, resolved by the default
#    Spark's own `spark-submit --packages` into a private Ivy folder; the tests put the jar on the Spark Connect
#    server's classpath with --jars (it needs no other jar: its POM's dependencies are optional, provided or test).
# Idempotent. Prints the path of the driver jar on its last line of stdout.
#
# Env: SPARK_OPTIMIZER_CACHE (default ~/.cache/spark-optimizer).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/spark-packages.sh

DRIVER_VERSION=3.5.7
PACKAGE="org.mariadb.jdbc:mariadb-java-client:${DRIVER_VERSION}"
CACHE="${SPARK_OPTIMIZER_CACHE:-${HOME}/.cache/spark-optimizer}"
IVY="${CACHE}/jdbc-ivy"
JAR="${IVY}/jars/org.mariadb.jdbc_mariadb-java-client-${DRIVER_VERSION}.jar"

if ! command -v mariadbd >/dev/null 2>&1 && [[ ! -x /usr/sbin/mariadbd ]]; then
  if command -v apt-get >/dev/null 2>&1 && [[ "$(id -u)" == 0 ]]; then
    echo "install-mariadb.sh: installing mariadb-server (Debian)..." >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server >/dev/null
  else
    echo "install-mariadb.sh: mariadbd is missing; install Debian's mariadb-server (as root: apt-get install mariadb-server)" >&2
    exit 1
  fi
fi

if [[ ! -f "${JAR}" ]]; then
  SPARK_HOME="$(bash scripts/install-pyspark.sh | tail -n 1)"
  echo "install-mariadb.sh: resolving ${PACKAGE} from Maven Central into ${IVY}..." >&2
  resolve_spark_packages "${SPARK_HOME}" "${IVY}" "${PACKAGE}"
  ls "${JAR}" >/dev/null
fi
echo "${JAR}"
