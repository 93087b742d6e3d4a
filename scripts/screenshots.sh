#!/usr/bin/env bash
# Screenshots of every page of the web UI, for a reviewer: builds the server,
# starts it on a fresh SQLite file, fills it with a couple, a counselor and
# data in every part of the app (e2e/pages.mjs), and saves each page, for
# each role that can see it, at 360 px (light and dark) and 1280 px, full
# length, with an index.html showing them side by side.
#
#   bash scripts/screenshots.sh [OUT_DIR]     (default: target/screenshots)
#
# Needs what the browser tests need (e2e/run.sh installs it when missing:
# Debian's chromium, the npm packages of e2e/). SCREENSHOTS_SKIP_BUILD=1
# uses the server binary already built (as E2E_SKIP_BUILD=1 does for tests).
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-target/screenshots}"
E2E_SETUP_ONLY=1 E2E_SKIP_BUILD="${SCREENSHOTS_SKIP_BUILD:-}" bash e2e/run.sh
node e2e/screenshots.mjs "$out"
