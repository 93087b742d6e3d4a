#!/usr/bin/env bash
# Benchmark (not a test): the ledger (issue 4, "Speed").
#
#  1. Balance: a couple with ten years of history, seeded through the real
#     API (seed.py), and GET /api/v1/relationships/{id}/balance over the
#     whole ten years, BALANCE_REQUESTS sequential requests on one
#     keep-alive connection: client time (curl) and server time (the
#     server's own `latency_ms` log line), p50 and p99.
#  2. Writes: POST /api/v1/relationships/{id}/contributions at CONNECTIONS
#     connections (wrk + write.lua) against the floor's
#     POST /floor/contribution (bench/floor: one equivalent INSERT into a copy
#     of the same file, the server's writer settings), in alternating rounds.
#
#   bash bench/ledger/run.sh
#
# Knobs (environment): CONTRIBUTIONS (20000), DAYS (3650), SEED_WORKERS (8),
# BALANCE_REQUESTS (200), CONNECTIONS (32), THREADS (wrk threads, 2),
# DURATION (seconds measured, 15), WARMUP (seconds discarded, 3),
# ROUNDS (rounds of ours then floor; medians are reported, 3),
# SKIP_BUILD=1 to reuse target/release as it is, KEEP=DIR to keep the
# seeded database (copied to DIR before the write rounds).
#
# Everything listens on 127.0.0.1 only; servers are stopped on exit.
# shellcheck disable=SC2153 # OURS_* and FLOOR_* are set by printf -v
set -euo pipefail

CONTRIBUTIONS=${CONTRIBUTIONS:-20000}
DAYS=${DAYS:-3650}
SEED_WORKERS=${SEED_WORKERS:-8}
BALANCE_REQUESTS=${BALANCE_REQUESTS:-200}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-3}
ROUNDS=${ROUNDS:-3}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/bench/ledger"
cd "$ROOT"

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
ensure_tools
command -v python3 >/dev/null 2>&1 || die "python3 is required (seed.py, standard library only)"
build_release
make_scratch bench-ledger

# p50 and p99 (nearest rank) of the numbers on stdin, in the unit they are in.
percentiles() {
    sort -g | awk '{ v[NR] = $1 }
        END {
            if (NR == 0) { print "? ?"; exit }
            i50 = int(NR * 0.50 + 0.999999); i99 = int(NR * 0.99 + 0.999999)
            printf "%.2f %.2f\n", v[i50], v[i99]
        }'
}

# --- the real server, seeded ---------------------------------------------------
DB="$TMP/bench.db"
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
log "starting reciprocity on 127.0.0.1:$PORT"
"$SERVER" serve --database "sqlite://$DB" --bind "127.0.0.1:$PORT" >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
PIDS+=("$SERVER_PID")
wait_for "$BASE/healthz" "$SERVER_PID" || { cat "$TMP/server.log" >&2; exit 1; }

log "seeding $CONTRIBUTIONS contributions over $DAYS days through the API ($SEED_WORKERS connections)"
timeout 900 python3 "$HERE/seed.py" "$BASE" "$TMP/seed.env" \
    --contributions "$CONTRIBUTIONS" --days "$DAYS" --workers "$SEED_WORKERS" \
    || die "seeding failed"
# shellcheck disable=SC1091 # written by seed.py just above
source "$TMP/seed.env"
log "seeded: $CONTRIBUTIONS contributions, $ACKNOWLEDGED acknowledged, in ${SEED_SECONDS}s"
DB_MB=$(du -m "$DB" | cut -f1)

# --- 1. balance ---------------------------------------------------------------------
BAL_URL="$BASE/api/v1/relationships/$RELATIONSHIP/balance?from=$FROM&to=$TO"
BEARER="Authorization: Bearer $TOKEN_A"
curl -fsS -H "$BEARER" "$BAL_URL" >"$TMP/balance.json" || die "GET balance failed"
python3 - "$TMP/balance.json" >&2 <<'PY' || die "the balance answer is not what was seeded"
import json, sys
b = json.load(open(sys.argv[1]))
assert b["numbers_visible"], "numbers are not visible"
given = sum(p["given_count"] for p in b["partners"])
print(f"== balance answers: {given} contributions, {len(b['weekly'])} weeks, "
      f"{len(b['by_domain'])} domains, index {b['reciprocity_index']:.3f}")
PY
BALANCE_BYTES=$(wc -c <"$TMP/balance.json")

# One curl, BALANCE_REQUESTS requests, one keep-alive connection, one after the other.
balance_requests() {
    local n=$1 args=() i
    for ((i = 0; i < n; i++)); do
        args+=(-o /dev/null "$BAL_URL")
    done
    curl -fsS -H "$BEARER" -w '%{time_total}\n' "${args[@]}"
}
log "balance: 20 warm-up requests, then $BALANCE_REQUESTS sequential requests"
balance_requests 20 >/dev/null
# The server writes its logs from a background thread: let the warm-up's
# lines land before taking the offset.
sleep 0.5
BAL_LOG_FROM=$(($(wc -l <"$TMP/server.log") + 1))
balance_requests "$BALANCE_REQUESTS" | awk '{ printf "%.3f\n", $1 * 1000 }' >"$TMP/balance-client.txt"
sleep 0.5
tail -n +"$BAL_LOG_FROM" "$TMP/server.log" \
    | grep -F '"route":"/api/v1/relationships/{id}/balance"' \
    | sed -n 's/.*"latency_ms":\([0-9.eE+-]*\).*/\1/p' >"$TMP/balance-server.txt"
[[ $(wc -l <"$TMP/balance-server.txt") -eq $BALANCE_REQUESTS ]] \
    || die "expected $BALANCE_REQUESTS balance log lines, found $(wc -l <"$TMP/balance-server.txt")"
read -r BAL_CLIENT_P50 BAL_CLIENT_P99 < <(percentiles <"$TMP/balance-client.txt")
read -r BAL_SERVER_P50 BAL_SERVER_P99 < <(percentiles <"$TMP/balance-server.txt")

# --- the floor, on a copy of the same file ---------------------------------------------
FDB="$TMP/floor.db"
python3 - "$DB" "$FDB" <<'PY'
import sqlite3, sys
src, dst = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
src.backup(dst)
dst.execute("PRAGMA journal_mode=WAL")
dst.close(); src.close()
PY
if [[ -n "${KEEP:-}" ]]; then
    mkdir -p "$KEEP"
    cp "$FDB" "$KEEP/ledger-seeded.db"
    cp "$TMP/seed.env" "$KEEP/seed.env"
    log "kept a copy of the seeded database in $KEEP"
fi
FPORT=$(free_port)
FBASE="http://127.0.0.1:$FPORT"
log "starting floor on 127.0.0.1:$FPORT (on a copy of the seeded file)"
"$FLOOR" --database "sqlite://$FDB" --bind "127.0.0.1:$FPORT" \
    --relationship "$RELATIONSHIP" --giver "$ACCOUNT_A" --receiver "$ACCOUNT_B" >"$TMP/floor.log" 2>&1 &
FLOOR_PID=$!
PIDS+=("$FLOOR_PID")
wait_for "$FBASE/floor" "$FLOOR_PID" any || { cat "$TMP/floor.log" >&2; exit 1; }

export TOKEN="$TOKEN_A" DAY="$TO"
WRITE_BODY="{\"domain\":\"household_labor\",\"description\":\"Made dinner\",\"occurred_on\":\"$DAY\",\"effort\":3}"
json=(-H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN")
curl -fsS "${json[@]}" -o /dev/null "$BASE/api/v1/relationships/$RELATIONSHIP/contributions" -d "$WRITE_BODY" \
    || die "POST contributions failed on the real server"
log "POST /floor/contribution answers: $(curl -fsS "${json[@]}" "$FBASE/floor/contribution" -d "$WRITE_BODY")"

# Runs wrk with write.lua against URL; prints "rps p50_ms p99_ms".
load() {
    wrk_run "$1" "$2" -s "$HERE/write.lua"
}

# --- 2. writes: ROUNDS rounds of ours, floor ---------------------------------------------
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$TMP/results"
for round in $(seq "$ROUNDS"); do
    RESULT=$(load "ours-$round" "$BASE/api/v1/relationships/$RELATIONSHIP/contributions")
    echo "ours $RESULT" >>"$TMP/results"
    RESULT=$(load "floor-$round" "$FBASE/floor/contribution")
    echo "floor $RESULT" >>"$TMP/results"
done
SERVER_RSS=$(rss_mb "$SERVER_PID")

for side in ours floor; do
    printf -v "${side^^}_RPS" '%.0f' "$(median "$side" 2)"
    printf -v "${side^^}_P50" '%.2f' "$(median "$side" 3)"
    printf -v "${side^^}_P99" '%.2f' "$(median "$side" 4)"
done

# --- report ---------------------------------------------------------------------
verdict() { if awk "BEGIN { exit !($1) }"; then echo meets; else echo MISSES; fi; }
WRITE_RATIO=$(ratio "$OURS_RPS" "$FLOOR_RPS")
P50_RATIO=$(ratio "$OURS_P50" "$FLOOR_P50")
P99_RATIO=$(ratio "$OURS_P99" "$FLOOR_P99")
row() { printf '  %-34s %9s %9s %9s %11s\n' "$@"; }

echo
echo "Ledger: balance and writes"
echo "  $(date -u +%Y-%m-%dT%H:%MZ), git $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- crates 2>/dev/null || echo ' (crates/ modified)')"
echo "  $(nproc) cores ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), load average $LOAD_BEFORE before the write rounds"
echo
echo "  seeded through the API: $CONTRIBUTIONS contributions over $DAYS days ($FROM to $TO),"
echo "  $ACKNOWLEDGED acknowledged, both partners giving, nine domains, both opted in to numbers;"
echo "  ${SEED_SECONDS}s ($SEED_WORKERS connections), database ${DB_MB} MB"
echo
echo "  1. GET balance?from=$FROM&to=$TO ($BALANCE_BYTES bytes), $BALANCE_REQUESTS sequential requests:"
echo "     server time (latency_ms log): p50 ${BAL_SERVER_P50} ms, p99 ${BAL_SERVER_P99} ms"
echo "     client time (curl, loopback): p50 ${BAL_CLIENT_P50} ms, p99 ${BAL_CLIENT_P99} ms"
echo "     target: server time under 10 ms: p50 $(verdict "$BAL_SERVER_P50 < 10"), p99 $(verdict "$BAL_SERVER_P99 < 10")"
echo
echo "  2. POST contributions, wrk -t$THREADS -c$CONNECTIONS, ${DURATION}s after ${WARMUP}s warm-up, alternating rounds"
echo "     each round:"
row "" "req/s" "p50 ms" "p99 ms" ""
round=0
while read -r side rps p50 p99; do
    [[ $side == ours ]] && round=$((round + 1))
    row "$round: $side" "$rps" "$p50" "$p99" ""
done <"$TMP/results"
echo
echo "     median of $ROUNDS round(s):"
row "" "req/s" "p50 ms" "p99 ms" "ours/floor"
row "POST R/contributions" "$OURS_RPS" "$OURS_P50" "$OURS_P99" "$WRITE_RATIO"
row "POST /floor/contribution" "$FLOOR_RPS" "$FLOOR_P50" "$FLOOR_P99" "1.00"
echo "     latency ours/floor: p50 ${P50_RATIO}x, p99 ${P99_RATIO}x; reciprocity RSS after the load ${SERVER_RSS} MB"
echo "     target: throughput >= 0.70 of the floor: $(verdict "$WRITE_RATIO >= 0.70")"
