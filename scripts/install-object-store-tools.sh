#!/usr/bin/env bash
# Installs the API-compatible object-store servers the object-store tests start on 127.0.0.1
# (test/object-store-*.test.ts): moto's S3 server mode from PyPI (`moto[server]`, pinned), and fake-gcs-server (Go module
# github.com/fsouza/fake-gcs-server, pinned) built with `go install` into .tools/bin/ (needs Go 1.24+: on PATH or
# /usr/local/go/bin). (Azurite, the Azure Blob server, is an npm devDependency: `npm ci` installs it.) Idempotent:
# does nothing when the pinned versions are already installed.
#
# Usage: bash scripts/install-object-store-tools.sh
# Env:   PYTHON (default python3), GO (default: go on PATH, else /usr/local/go/bin/go)
set -euo pipefail

PYTHON="${PYTHON:-python3}"
MOTO_VERSION="5.2.1"
FAKE_GCS_VERSION="v1.56.1"
cd "$(dirname "$0")/.."

if ! command -v "${PYTHON}" >/dev/null 2>&1; then
  echo "install-object-store-tools.sh: '${PYTHON}' not found (moto, the S3 server of the tests, is a Python package)" >&2
  exit 1
fi
# `moto[server]` adds flask and flask-cors, which `python3 -m moto.server` needs.
if ! "${PYTHON}" - "${MOTO_VERSION}" >/dev/null 2>&1 <<'PY'
import sys
from importlib.metadata import version
import flask, flask_cors  # noqa: F401 (the server extra)
sys.exit(0 if version("moto") == sys.argv[1] else 1)
PY
then
  echo "Installing moto[server]==${MOTO_VERSION} (S3-compatible server for the object-store tests)..." >&2
  "${PYTHON}" -m pip install --quiet "moto[server]==${MOTO_VERSION}" >&2
else
  echo "moto ${MOTO_VERSION} already installed." >&2
fi

# fake-gcs-server: the binary records its module version (`go version -m`), so a stale build is replaced.
GO="${GO:-$(command -v go || echo /usr/local/go/bin/go)}"
bin=".tools/bin/fake-gcs-server"
if [[ -x "${bin}" ]] && "${GO}" version -m "${bin}" 2>/dev/null | grep -q "mod.*github.com/fsouza/fake-gcs-server.*${FAKE_GCS_VERSION}"; then
  echo "fake-gcs-server ${FAKE_GCS_VERSION} already built." >&2
elif [[ -x "${GO}" ]] || command -v "${GO}" >/dev/null 2>&1; then
  echo "Building fake-gcs-server ${FAKE_GCS_VERSION} (GCS emulator for the object-store tests) into .tools/bin/..." >&2
  GOBIN="$PWD/.tools/bin" "${GO}" install "github.com/fsouza/fake-gcs-server@${FAKE_GCS_VERSION}" >&2
else
  echo "install-object-store-tools.sh: Go was not found; test/live/object-store-gcs.test.ts needs fake-gcs-server (install Go 1.24+)." >&2
  exit 1
fi
