#!/usr/bin/env bash
# H6 by hand: 500 known and 500 unknown tries per endpoint (CI runs 40),
# interleaved; prints one JSON line per engine with statuses, bodies,
# medians and the two-sample KS statistic and p-value.
#
#   scripts/harness/enumeration.sh            # TRIES=500
#   TRIES=200 scripts/harness/enumeration.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
export RECIPROCITY_ENUM_TRIES="${TRIES:-500}"
export RECIPROCITY_TEST_POSTGRES="${RECIPROCITY_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}"
if ! { command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; }; then
  echo "!!! PostgreSQL unreachable: SQLite only" >&2
  export RECIPROCITY_SKIP_POSTGRES=1
fi
echo "tries=$RECIPROCITY_ENUM_TRIES sha=$(git rev-parse --short HEAD) cores=$(nproc)" >&2
# One test at a time: the timings are the point.
cargo test -p web --test http -- enumeration:: --nocapture --test-threads 1 2>&1 |
  grep --line-buffered -E '"harness":"enumeration"|panicked|FAILED|test result'
