#!/usr/bin/env bash
# Installs the API-compatible object-store servers the object-store tests start on 127.0.0.1
# (test/object-store-*.test.ts): moto's S3 server mode from PyPI (`moto[server]`, pinned). (Azurite, the Azure Blob
# server, is an npm devDependency: `npm ci` installs it.) Idempotent: does nothing when the pinned version is already
# installed.
#
# Usage: bash scripts/install-object-store-tools.sh
# Env:   PYTHON (default python3)
set -euo pipefail

PYTHON="${PYTHON:-python3}"
MOTO_VERSION="5.2.1"

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
