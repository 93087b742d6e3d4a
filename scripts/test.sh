#!/usr/bin/env bash
# Runs every test: the Rust suites on SQLite and PostgreSQL, then the browser
# tests in Chromium. Works on a fresh machine of this kind: it starts
# PostgreSQL when it is down and installs what the browser tests need.
#
# Without a reachable PostgreSQL the PostgreSQL half is skipped with a loud
# message (this script sets RECIPROCITY_SKIP_POSTGRES=1 for that; run alone,
# the tests fail instead), except under CI=true, where it is required.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_ADMIN_URL="${RECIPROCITY_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}"
export RECIPROCITY_TEST_POSTGRES="$PG_ADMIN_URL"

pg_up() {
  command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432
}

if ! pg_up && command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  echo "== starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi

if pg_up; then
  # Databases left by an interrupted earlier run.
  psql "$PG_ADMIN_URL" -At -c "SELECT datname FROM pg_database WHERE datname LIKE 'rcp_test_%'" 2>/dev/null |
    while read -r db; do psql "$PG_ADMIN_URL" -q -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" || true; done
else
  if [ "${CI:-}" = "true" ]; then
    echo "!!! PostgreSQL is required under CI=true and is not reachable at $PG_ADMIN_URL" >&2
    exit 1
  fi
  echo
  echo "!!! ================================================================="
  echo "!!! PostgreSQL is not reachable at $PG_ADMIN_URL."
  echo "!!! The PostgreSQL half of the tests will be SKIPPED."
  echo "!!! (RECIPROCITY_SKIP_POSTGRES=1: without it they would fail.)"
  echo "!!! ================================================================="
  echo
  # The tests fail on an unreachable PostgreSQL unless told to skip.
  export RECIPROCITY_SKIP_POSTGRES=1
fi

echo "== Rust tests (SQLite and PostgreSQL)"
cargo test --workspace --all-targets
cargo test --workspace --doc

echo "== H4 schemathesis against the OpenAPI document (bounded)"
# Five examples per operation and role, both engines (about 2 minutes);
# by hand: scripts/harness/schemathesis.sh (100 examples).
H4_SKIP_BUILD=1 MAX_EXAMPLES="${H4_MAX_EXAMPLES:-5}" SEED="${H4_SEED:-20261129}" \
  bash scripts/harness/schemathesis.sh

echo "== Browser tests (Chromium)"
E2E_SKIP_BUILD=1 bash e2e/run.sh
