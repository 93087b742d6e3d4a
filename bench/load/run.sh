#!/usr/bin/env bash
# H10 load test (not a CI test; its bounded form is crates/cli/tests/load.rs):
# the real `reciprocity serve` on a fresh SQLite file and on a fresh
# PostgreSQL database, each seeded with COUPLES couples of history through
# the API, then DURATION seconds of a 70% read / 30% write mix at
# CONCURRENCY virtual users. See bench/load/README.md.
#
#   bash bench/load/run.sh
#
# Knobs (environment): COUPLES (1000), DURATION (seconds of mix, 60),
# CONCURRENCY (virtual users, 32), SEED_CONCURRENCY (couples seeded at once,
# 16), ENGINE (sqlite, postgres or both; both), SEED (20261129),
# RECIPROCITY_TEST_POSTGRES (the admin URL PostgreSQL databases are created
# from; postgres://postgres@127.0.0.1:5432/postgres), SKIP_BUILD=1 to reuse
# the release binaries as they are.
#
# Everything listens on 127.0.0.1 only; the server is stopped and the
# PostgreSQL database dropped on exit. Exits 1 if any request failed.
set -euo pipefail

COUPLES=${COUPLES:-1000}
DURATION=${DURATION:-60}
CONCURRENCY=${CONCURRENCY:-32}
SEED_CONCURRENCY=${SEED_CONCURRENCY:-16}
ENGINE=${ENGINE:-both}
SEED=${SEED:-20261129}
ADMIN=${RECIPROCITY_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

case "$ENGINE" in
    both) ENGINES=(sqlite postgres) ;;
    sqlite | postgres) ENGINES=("$ENGINE") ;;
    *) die "ENGINE must be sqlite, postgres or both, not '$ENGINE'" ;;
esac
command -v curl >/dev/null 2>&1 || die "curl is required"

RELEASE="${CARGO_TARGET_DIR:-$ROOT/target}/release"
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    log "building release (reciprocity, load)"
    cargo build --release -p reciprocity -p load
fi
SERVER="$RELEASE/reciprocity"
LOAD="$RELEASE/load"
[[ -x "$SERVER" && -x "$LOAD" ]] || die "release binaries missing under $RELEASE"

make_scratch bench-load
PG_DB=""
drop_pg() {
    if [[ -n "$PG_DB" ]]; then
        psql "$ADMIN" -qAtc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
        PG_DB=""
    fi
}
trap 'drop_pg; cleanup' EXIT

SHA=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
DIRTY=$(git diff --quiet HEAD -- crates bench 2>/dev/null || echo ' (uncommitted changes)')
STATUS=0

for engine in "${ENGINES[@]}"; do
    case "$engine" in
        sqlite) URL="sqlite://$TMP/load.db" ;;
        postgres)
            command -v psql >/dev/null 2>&1 || die "psql is required for ENGINE=postgres"
            PG_DB="rcp_load_$$"
            psql "$ADMIN" -qAtc "CREATE DATABASE $PG_DB" >/dev/null
            URL="${ADMIN%/*}/$PG_DB"
            ;;
    esac
    PORT=$(free_port)
    BASE="http://127.0.0.1:$PORT"
    log "$engine: starting reciprocity on 127.0.0.1:$PORT"
    "$SERVER" serve --database "$URL" --bind "127.0.0.1:$PORT" >"$TMP/server-$engine.log" 2>&1 &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    wait_for "$BASE/healthz" "$SERVER_PID" || { tail -n 20 "$TMP/server-$engine.log" >&2; exit 1; }
    LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

    echo
    echo "H10 load, $engine: $(date -u +%Y-%m-%dT%H:%MZ), git $SHA$DIRTY"
    echo "  $(nproc) cores ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), load average $LOAD_BEFORE before"
    echo "  $COUPLES couples, $DURATION s of mix at $CONCURRENCY virtual users, closed loop on 127.0.0.1; generator and server share the cores"
    if ! "$LOAD" --base "$BASE" --engine "$engine" --couples "$COUPLES" \
        --seed-concurrency "$SEED_CONCURRENCY" --concurrency "$CONCURRENCY" \
        --duration "$DURATION" --seed "$SEED" --server-pid "$SERVER_PID" \
        | tee "$TMP/load-$engine.txt"; then
        STATUS=1
        log "$engine: errors; the server's last log lines:"
        grep -v '"level":"INFO"' "$TMP/server-$engine.log" | tail -n 20 >&2 || true
    fi
    echo "  load average $(cut -d' ' -f1-3 /proc/loadavg) after"
    SIZE=$([[ $engine == sqlite ]] && du -sh "$TMP" | cut -f1 || psql "$ADMIN" -qAtc "SELECT pg_size_pretty(pg_database_size('$PG_DB'))")
    echo "  database size: $SIZE"

    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    [[ $engine == postgres ]] && drop_pg
done
exit "$STATUS"
