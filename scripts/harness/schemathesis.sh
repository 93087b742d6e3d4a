#!/usr/bin/env bash
# H4: schemathesis, a property-based API fuzzer driven by the OpenAPI
# document, against the real `reciprocity serve` on loopback, on a fresh
# SQLite file and on a fresh PostgreSQL database (dropped after).
#
# The seed (schemathesis/seed.py) makes two partners in a relationship and
# a stranger, each with a personal API token, and plants canaries in their
# words. Then `st run` once per role (partner_a, partner_b, stranger with
# their bearer tokens, anonymous without) with every check on, plus
# no_foreign_canary (schemathesis/hooks.py). Prints one JSON line per run
# and one per engine with the figures; exits non-zero on any finding.
#
#   scripts/harness/schemathesis.sh                  # by hand: 100 examples per operation
#   MAX_EXAMPLES=5 scripts/harness/schemathesis.sh   # what scripts/test.sh runs
#   ENGINES=sqlite SEED=42 scripts/harness/schemathesis.sh
#   ROLES="partner_a anonymous" …                    # some roles only
#
# H4_SKIP_BUILD=1 uses the debug binary already built (scripts/test.sh sets
# it). Reports (JSON, and a pytest file reproducing each failure) go to
# $H4_OUT (default target/h4-schemathesis/).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

SCHEMATHESIS_VERSION=4.32.5
MAX_EXAMPLES="${MAX_EXAMPLES:-100}"
SEED="${SEED:-$(date +%s)}"
ENGINES="${ENGINES:-sqlite postgres}"
ROLES="${ROLES:-partner_a partner_b stranger anonymous}"
PG_ADMIN_URL="${RECIPROCITY_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}"
target="${CARGO_TARGET_DIR:-$root/target}"
out="${H4_OUT:-$target/h4-schemathesis}"
venv="${XDG_CACHE_HOME:-$HOME/.cache}/reciprocity-schemathesis-venv"
LAST_OPS=(leave_relationship values_submit respect_submit conversation_submit revoke_token)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# --- schemathesis in a venv of its own, made when missing -------------------
if [ ! -x "$venv/bin/st" ] || [ "$("$venv/bin/st" --version 2>/dev/null)" != "st, version $SCHEMATHESIS_VERSION" ]; then
  if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then
    echo "h4: installing python3-venv with apt-get" >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv
  fi
  echo "h4: installing schemathesis $SCHEMATHESIS_VERSION into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
py="$venv/bin/python"

# --- the server binary -------------------------------------------------------
bin="$target/debug/reciprocity"
if [ "${H4_SKIP_BUILD:-}" = "1" ] && [ -x "$bin" ]; then
  echo "h4: using the server binary already built" >&2
else
  echo "h4: building the server" >&2
  cargo build -p reciprocity
fi

free_port() {
  "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

server_pid=""
pg_db=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "$pg_db" ]; then psql "$PG_ADMIN_URL" -q -c "DROP DATABASE IF EXISTS \"$pg_db\" WITH (FORCE)" || true; fi
  server_pid=""
  pg_db=""
}
trap cleanup EXIT

# Starts `reciprocity serve` on $1 and waits for /healthz.
start_server() {
  local url="$1" port
  port="$(free_port)"
  base="http://127.0.0.1:$port"
  env -u DATABASE_URL -u RECIPROCITY_BIND RECIPROCITY_LOG=warn \
    "$bin" serve --database "$url" --bind "127.0.0.1:$port" >"$run_dir/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 150); do
    if "$py" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$base/healthz" 2>/dev/null; then return 0; fi
    kill -0 "$server_pid" 2>/dev/null || { cat "$run_dir/server.log" >&2; echo "h4: server exited" >&2; exit 1; }
    sleep 0.1
  done
  echo "h4: server not healthy" >&2
  exit 1
}

pg_up() {
  command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432
}

echo "h4: schemathesis $SCHEMATHESIS_VERSION max_examples=$MAX_EXAMPLES seed=$SEED engines=\"$ENGINES\" sha=$(git rev-parse --short HEAD) load=\"$(cut -d' ' -f1-3 /proc/loadavg)\" cores=$(nproc)" >&2

status=0
for engine in $ENGINES; do
  run_dir="$out/$engine"
  rm -rf "$run_dir"
  mkdir -p "$run_dir"
  case "$engine" in
    sqlite) url="sqlite://$run_dir/h4.db" ;;
    postgres)
      if ! pg_up; then
        if [ "${CI:-}" = "true" ]; then echo "h4: PostgreSQL is required under CI=true" >&2; exit 1; fi
        echo "!!! h4: PostgreSQL unreachable at $PG_ADMIN_URL: PostgreSQL run SKIPPED" >&2
        continue
      fi
      pg_db="rcp_test_h4_$$"
      psql "$PG_ADMIN_URL" -q -c "CREATE DATABASE \"$pg_db\""
      url="${PG_ADMIN_URL%/*}/$pg_db" ;;
    *) echo "h4: unknown engine $engine" >&2; exit 2 ;;
  esac
  start_server "$url"
  "$py" "$here/schemathesis/seed.py" "$base" "$run_dir"
  for run in $ROLES partner_a_last; do
    role="${run%_last}"
    case " $ROLES " in *" $role "*) ;; *) continue ;; esac
    # Operations that change the world the other runs and the canary table
    # rely on run last, once, as partner_a: leaving ends the couple; a
    # revoked token ends the run's own access; a submit by both partners
    # would reveal each one's drafts, which the canary table holds as
    # private (so partner_b never submits: the reveal's visibility is H2's
    # and H1's). Schemathesis finds the real ids in earlier responses, so
    # giving them generated ids would not be enough.
    only=()
    for op in "${LAST_OPS[@]}"; do
      case "$run" in
        partner_a_last) only+=(--include-operation-id "$op") ;;
        partner_a | partner_b) only+=(--exclude-operation-id "$op") ;;
      esac
    done
    # Anonymous: schemathesis also makes up session cookies and bearer
    # tokens, which must all be refused. With a role's real token, it does
    # not: a made-up cookie beside the valid bearer is accepted (the token
    # is enough), which ignored_auth would take for ignored auth. Its own
    # probes still take the token away and send invalid ones instead.
    auth=(--generation-with-security-parameters true)
    if [ "$role" != anonymous ]; then
      auth=(--generation-with-security-parameters false
        -H "Authorization: Bearer $("$py" -c 'import json, sys; print(json.load(open(sys.argv[1]))["roles"][sys.argv[2]]["token"])' "$run_dir/world.json" "$role")")
    fi
    echo "h4: $engine / $run" >&2
    # Exit code ignored here: the summary below reads the report and decides.
    # From the run's folder: schemathesis keeps a cache (.schemathesis/) in
    # the working directory, which must not land in the repository.
    (cd "$run_dir" && H4_WORLD="$run_dir/world.json" H4_ROLE="$role" PYTHONPATH="$here/schemathesis" SCHEMATHESIS_HOOKS=hooks \
      "$venv/bin/st" --config-file "$run_dir/schemathesis.toml" run "$base/api/openapi.json" \
      --url "$base" "${auth[@]}" "${only[@]}" \
      --checks all --phases examples,coverage,fuzzing,stateful \
      --max-examples "$MAX_EXAMPLES" --seed "$SEED" --workers 1 \
      --generation-database none --continue-on-failure --no-color \
      --report json,pytest --report-dir "$run_dir/$run" --report-json-path "$run_dir/$run/report.json" \
      >"$run_dir/$run.log" 2>&1) || true
  done
  cleanup
  runs="$ROLES"
  case " $ROLES " in *" partner_a "*) runs="$runs partner_a_last" ;; esac
  "$py" "$here/schemathesis/summary.py" "$engine" "$run_dir" $runs || status=1
done
exit "$status"
