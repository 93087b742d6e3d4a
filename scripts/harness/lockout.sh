#!/usr/bin/env bash
# H7's lockout abuse by hand: 10,000 wrong passwords for the owner's e-mail
# (CI runs 2,000) from many addresses, forwarded and loopback source; one
# JSON line per run with attempts, attempts admitted and the owner's
# success rates and sign-in times.
#
#   scripts/harness/lockout.sh                # ATTEMPTS=10000
set -euo pipefail
cd "$(dirname "$0")/../.."
export RECIPROCITY_LOCKOUT_ATTEMPTS="${ATTEMPTS:-10000}"
export RECIPROCITY_TEST_POSTGRES="${RECIPROCITY_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}"
if ! { command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; }; then
  echo "!!! PostgreSQL unreachable: SQLite only" >&2
  export RECIPROCITY_SKIP_POSTGRES=1
fi
echo "attempts=$RECIPROCITY_LOCKOUT_ATTEMPTS sha=$(git rev-parse --short HEAD) cores=$(nproc)" >&2
cargo test -p web --test http -- lockout:: --nocapture --test-threads 1 2>&1 |
  grep --line-buffered -E '"harness":"lockout_abuse"|panicked|FAILED|test result'
