#!/usr/bin/env bash
# Generates the event-log archive of the `collect --engine spark` benchmark (test/bench/spark-engine.ts): APPS
# application logs made by varying this repository's real logs (new app ids, shifted times, scaled byte figures; the
# bases' layouts and codecs kept; test/bench/event-log-archive.ts says which bases and how). Not committed: written to
# DIR (default .benchmark-data/event-log-archive-APPS in the repository, git-ignored). Idempotent for the same APPS.
# Prints the folder on its first line of stdout and the manifest (JSON) on the second.
#
# Usage: bash scripts/generate-event-log-archive.sh [APPS (default 20000)] [DIR]
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "${REPO}"
export PATH="${REPO}/node_modules/.bin:${PATH}"
[[ -f build/test/bench/event-log-archive.js ]] || npx tsc -b
exec node build/test/bench/event-log-archive.js "${1:-20000}" ${2:+"$2"}
