#!/usr/bin/env bash
# H8 by hand: kill -9 the real server many times (default 1,000) on SQLite
# and, when reachable, PostgreSQL; prints one JSON line per engine.
#
#   scripts/harness/crash.sh                       # 1,000 kills, 0-2 s apart
#   KILLS=200 MAX_MS=500 SEED=7 scripts/harness/crash.sh
#   ENGINE=sqlite scripts/harness/crash.sh         # one engine only
#
# The CI run of the same test is bounded (30 kills, 0-400 ms apart).
set -euo pipefail
cd "$(dirname "$0")/../.."

export RECIPROCITY_CRASH_KILLS="${KILLS:-1000}"
export RECIPROCITY_CRASH_MAX_MS="${MAX_MS:-2000}"
export RECIPROCITY_CRASH_SEED="${SEED:-$(date +%s)}"
export RECIPROCITY_TEST_POSTGRES="${RECIPROCITY_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}"

filter="survives_kill_nine"
case "${ENGINE:-both}" in
  sqlite) filter="sqlite_survives_kill_nine" ;;
  postgres) filter="postgres_app_survives_kill_nine" ;;
  both)
    if ! { command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; }; then
      echo "!!! PostgreSQL unreachable: SQLite only" >&2
      export RECIPROCITY_SKIP_POSTGRES=1
    fi ;;
esac

echo "kills=$RECIPROCITY_CRASH_KILLS max_ms=$RECIPROCITY_CRASH_MAX_MS seed=$RECIPROCITY_CRASH_SEED sha=$(git rev-parse --short HEAD) cpu=\"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)\" cores=$(nproc)" >&2
cargo test -p reciprocity --test crash -- "$filter" --nocapture --test-threads 1 2>&1 |
  grep --line-buffered -E '"harness":"crash_kill9"|panicked|FAILED|test result' 
