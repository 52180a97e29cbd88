#!/usr/bin/env bash
# Installs what the PostgreSQL store tests and the service load benchmark need (test/live/postgres-store.test.ts,
# test/live/service-postgres.test.ts, test/bench/service-load.ts): Debian's postgresql package (initdb and postgres; the
# tests start their own server on a loopback port with a temporary cluster, as an unprivileged user, never the system
# service). The `pg` driver itself comes from npm (package.json).
# Idempotent. Prints the folder of the server programs on its last line of stdout.
set -euo pipefail

find_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [[ -x "${d}/initdb" && -x "${d}/postgres" ]]; then echo "${d}"; return 0; fi
  done
  return 1
}

if ! find_bin >/dev/null; then
  if command -v apt-get >/dev/null 2>&1 && [[ "$(id -u)" == 0 ]]; then
    echo "install-postgresql.sh: installing postgresql (Debian)..." >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "install-postgresql.sh: initdb/postgres are missing; install Debian's postgresql (as root: apt-get install postgresql)" >&2
    exit 1
  fi
fi
# The package starts the system cluster (postgresql.service / pg_ctlcluster) when a service manager runs; the tests
# never use it.
find_bin
