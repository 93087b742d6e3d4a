#!/usr/bin/env bash
# Benchmark (not a test): authenticated GET /api/v1/me of the real server
# against the floor, a minimal axum handler reading one row of the same
# SQLite file. See bench/README.md.
#
#   bash bench/me/run.sh
#
# Knobs (environment): CONNECTIONS (32), THREADS (wrk threads, 2),
# DURATION (seconds measured, 15), WARMUP (seconds discarded, 3),
# ROUNDS (rounds of session, token, floor, alternating; medians are
# reported, 3), IDLE (seconds idle before reading the idle RSS, 5),
# SKIP_BUILD=1 to reuse target/release as it is.
#
# Everything listens on 127.0.0.1 only; servers are stopped on exit.
set -euo pipefail

CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-3}
IDLE=${IDLE:-5}
ROUNDS=${ROUNDS:-3}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
ensure_tools
build_release
make_scratch bench-me

# Runs wrk against URL (extra args are headers); prints "rps p50_ms p99_ms".
load() {
    local name=$1 url=$2
    shift 2
    local headers=()
    local h
    for h in "$@"; do
        headers+=(-H "$h")
    done
    wrk_run "$name" "$url" "${headers[@]}"
}

# --- the real server ----------------------------------------------------------
DB="$TMP/bench.db"
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
log "starting reciprocity on 127.0.0.1:$PORT"
"$SERVER" serve --database "sqlite://$DB" --bind "127.0.0.1:$PORT" >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
PIDS+=("$SERVER_PID")
wait_for "$BASE/healthz" "$SERVER_PID" || { cat "$TMP/server.log" >&2; exit 1; }

log "idle for ${IDLE}s"
sleep "$IDLE"
IDLE_RSS=$(rss_mb "$SERVER_PID")

EMAIL="bench@example.org"
PASSWORD="quiet harbour lantern"
json=(-H 'Content-Type: application/json')
curl -fsS "${json[@]}" -o /dev/null "$BASE/api/v1/accounts" \
    -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\",\"display_name\":\"Bench\"}" \
    || die "sign-up failed"
curl -fsS "${json[@]}" -o /dev/null -D "$TMP/signin.headers" "$BASE/api/v1/session" \
    -d "{\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" || die "sign-in failed"
SESSION=$(sed -n 's/^[Ss]et-[Cc]ookie: session=\([^;]*\).*/\1/p' "$TMP/signin.headers" | tr -d '\r' | head -n1)
[[ -n "$SESSION" ]] || die "no session cookie in the sign-in answer"
COOKIE="Cookie: session=$SESSION"
TOKEN=$(curl -fsS "${json[@]}" -H "$COOKIE" "$BASE/api/v1/tokens" -d "{\"name\":\"bench\",\"password\":\"$PASSWORD\"}" \
    | sed -n 's/.*"token" *: *"\([^"]*\)".*/\1/p')
[[ -n "$TOKEN" ]] || die "no token in the POST /api/v1/tokens answer"
BEARER="Authorization: Bearer $TOKEN"
# A realistic caller is in a relationship, so /me has a membership to list.
curl -fsS "${json[@]}" -H "$COOKIE" -o /dev/null "$BASE/api/v1/relationships" -d '{}' \
    || log "warning: could not create a relationship; /me will list none"

ME_BODY=$(curl -fsS -H "$COOKIE" "$BASE/api/v1/me") || die "GET /api/v1/me with the session failed"
curl -fsS -o /dev/null -H "$BEARER" "$BASE/api/v1/me" || die "GET /api/v1/me with the token failed"
log "GET /api/v1/me answers: $ME_BODY"

SIGNED_IN_RSS=$(rss_mb "$SERVER_PID")

# --- the floor, on the same file ------------------------------------------------
# It runs beside the real server (each sits idle while the other is loaded),
# so the rounds can alternate and a burst of other work on the machine hits
# both sides alike.
FPORT=$(free_port)
FBASE="http://127.0.0.1:$FPORT"
log "starting floor on 127.0.0.1:$FPORT"
"$FLOOR" --database "sqlite://$DB" --bind "127.0.0.1:$FPORT" >"$TMP/floor.log" 2>&1 &
FLOOR_PID=$!
PIDS+=("$FLOOR_PID")
wait_for "$FBASE/floor" "$FLOOR_PID" || { cat "$TMP/floor.log" >&2; exit 1; }
log "GET /floor answers: $(curl -fsS "$FBASE/floor")"
FLOOR_IDLE_RSS=$(rss_mb "$FLOOR_PID")

# --- load: ROUNDS rounds of session, token, floor ---------------------------------
: >"$TMP/results"
for round in $(seq "$ROUNDS"); do
    RESULT=$(load "me-session-$round" "$BASE/api/v1/me" "$COOKIE")
    echo "session $RESULT" >>"$TMP/results"
    RESULT=$(load "me-token-$round" "$BASE/api/v1/me" "$BEARER")
    echo "token $RESULT" >>"$TMP/results"
    RESULT=$(load "floor-$round" "$FBASE/floor")
    echo "floor $RESULT" >>"$TMP/results"
done
LOADED_RSS=$(rss_mb "$SERVER_PID")
SERVER_THREADS=$(awk '/^Threads:/ { print $2 }' "/proc/$SERVER_PID/status")
FLOOR_LOADED_RSS=$(rss_mb "$FLOOR_PID")

# Median of column COL (2 req/s, 3 p50, 4 p99) over the rounds of NAME.
for side in session token floor; do
    printf -v "${side^^}_RPS" '%.0f' "$(median "$side" 2)"
    printf -v "${side^^}_P50" '%.2f' "$(median "$side" 3)"
    printf -v "${side^^}_P99" '%.2f' "$(median "$side" 4)"
done

# --- report ---------------------------------------------------------------------
verdict() { if awk "BEGIN { exit !($1) }"; then echo meets; else echo MISSES; fi; }
SESSION_RATIO=$(ratio "$SESSION_RPS" "$FLOOR_RPS")
TOKEN_RATIO=$(ratio "$TOKEN_RPS" "$FLOOR_RPS")
row() { printf '  %-24s %9s %9s %9s %11s\n' "$@"; }

echo
echo "GET /api/v1/me against the floor"
echo "  $(date -u +%Y-%m-%dT%H:%MZ), git $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- crates 2>/dev/null || echo ' (crates/ modified)')"
echo "  $(nproc) cores ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  wrk -t$THREADS -c$CONNECTIONS, ${DURATION}s after ${WARMUP}s warm-up, 127.0.0.1; wrk and both servers share the cores, nothing pinned"
echo
echo "  each round:"
row "" "req/s" "p50 ms" "p99 ms" ""
round=0
while read -r side rps p50 p99; do
    [[ $side == session ]] && round=$((round + 1))
    row "$round: $side" "$rps" "$p50" "$p99" ""
done <"$TMP/results"
echo
echo "  median of $ROUNDS round(s):"
row "" "req/s" "p50 ms" "p99 ms" "ours/floor"
row "/api/v1/me (session)" "$SESSION_RPS" "$SESSION_P50" "$SESSION_P99" "$SESSION_RATIO"
row "/api/v1/me (token)" "$TOKEN_RPS" "$TOKEN_P50" "$TOKEN_P99" "$TOKEN_RATIO"
# shellcheck disable=SC2153 # FLOOR_P50 and FLOOR_P99 are set by printf -v above
row "/floor" "$FLOOR_RPS" "$FLOOR_P50" "$FLOOR_P99" "1.00"
echo
echo "  reciprocity RSS: idle ${IDLE_RSS} MB, after sign-up and sign-in ${SIGNED_IN_RSS} MB, after load ${LOADED_RSS} MB ($SERVER_THREADS threads)"
echo "  floor RSS:       idle ${FLOOR_IDLE_RSS} MB, after load ${FLOOR_LOADED_RSS} MB"
echo
echo "  targets: throughput >= 0.70 of floor: session $(verdict "$SESSION_RATIO >= 0.70"), token $(verdict "$TOKEN_RATIO >= 0.70")"
echo "           p99 < 20 ms:                 session $(verdict "$SESSION_P99 < 20"), token $(verdict "$TOKEN_P99 < 20")"
echo "           idle RSS < 60 MB:            $(verdict "$IDLE_RSS < 60")"
