#!/usr/bin/env bash
# Browser tests for the web UI: Playwright (playwright-core) driving Debian's
# chromium, axe-core scans. Installs what is missing, builds the server and
# runs every e2e/tests/*.test.mjs; each file starts its own server on a free
# loopback port with a fresh SQLite file. Exits non-zero on any failure.
#
#   bash e2e/run.sh            (from the repository root, or anywhere)
#
# CHROMIUM_PATH overrides /usr/bin/chromium; RECIPROCITY_BIN overrides the
# server binary (default: the debug build in CARGO_TARGET_DIR or target/).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  echo "e2e: installing $* with apt-get" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}

chromium_path="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$chromium_path" ]; then
  apt_install chromium
fi
# Node.js 20+ and npm come with this kind of machine (playwright-core needs 20).
node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$node_major" -lt 20 ] || ! command -v npm >/dev/null 2>&1; then
  echo "e2e: Node.js 20 or newer with npm is required (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

if [ ! -d "$here/node_modules/playwright-core" ] || [ ! -d "$here/node_modules/axe-core" ] \
  || { [ -f "$here/package-lock.json" ] && [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; }; then
  echo "e2e: installing npm packages" >&2
  if [ -f "$here/package-lock.json" ]; then
    (cd "$here" && npm ci --no-audit --no-fund)
  else
    (cd "$here" && npm install --no-audit --no-fund)
  fi
fi

# scripts/test.sh sets E2E_SKIP_BUILD=1: `cargo test` has just built the same
# binary, and building it again outside the test profile would recompile
# every dependency with other features (minutes on two cores).
if [ "${E2E_SKIP_BUILD:-}" = "1" ] && [ -x "${CARGO_TARGET_DIR:-$root/target}/debug/reciprocity" ]; then
  echo "e2e: using the server binary cargo test built" >&2
else
  echo "e2e: building the server" >&2
  cargo build -p reciprocity
fi

# scripts/screenshots.sh needs the same set-up and server, then runs its own script.
if [ "${E2E_SETUP_ONLY:-}" = "1" ]; then
  exit 0
fi

echo "e2e: running the browser tests" >&2
exec node --test --test-reporter=spec "$here/tests/"
