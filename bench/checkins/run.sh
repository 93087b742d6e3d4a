#!/usr/bin/env bash
# Benchmark (not a test): check-ins over five years of weekly check-ins.
#
# A couple is seeded through the real API (seed.py): both partners check in
# every week for WEEKS weeks (five years by default), most of them shared.
# Then, in ROUNDS alternating rounds, REQUESTS sequential requests on one
# keep-alive connection (curl) to each of:
#
#   GET /api/v1/me                  the reference (bearer token)
#   GET R/checkins/summary          both series, every figure, reciprocated love
#   GET /me (cookie), /checkins/trends   the same reference and the trends
#                                   page (its charts drawn on the server), as
#                                   a signed-in browser asks for them
#
# and reads the server time of each from the server's own `latency_ms` log
# line (as bench/ledger does), and the client time from curl. Reports p50
# and p99 of each, and each endpoint's server p50 as a ratio to /me's.
# Target (issue "Check-ins", Speed): under 10 ms server time.
#
#   bash bench/checkins/run.sh
#
# Knobs (environment): WEEKS (261), REQUESTS (200 per round and endpoint),
# ROUNDS (3), SKIP_BUILD=1, PROFILE=debug (a debug server: an upper bound,
# labelled as such). Everything listens on 127.0.0.1 only; the server is
# stopped on exit.
set -euo pipefail

WEEKS=${WEEKS:-261}
REQUESTS=${REQUESTS:-200}
ROUNDS=${ROUNDS:-3}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/bench/checkins"
cd "$ROOT"

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
command -v curl >/dev/null 2>&1 || die "curl is required"
command -v python3 >/dev/null 2>&1 || die "python3 is required (seed.py, standard library only)"
PROFILE=${PROFILE:-release}
if [[ $PROFILE == debug ]]; then
    if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
        log "building debug (reciprocity)"
        cargo build -p reciprocity
    fi
    SERVER="${CARGO_TARGET_DIR:-$ROOT/target}/debug/reciprocity"
    [[ -x "$SERVER" ]] || die "debug binary missing"
else
    build_release
fi
make_scratch bench-checkins

# p50 and p99 (nearest rank) of the numbers on stdin.
percentiles() {
    sort -g | awk '{ v[NR] = $1 }
        END {
            if (NR == 0) { print "? ?"; exit }
            i50 = int(NR * 0.50 + 0.999999); i99 = int(NR * 0.99 + 0.999999)
            printf "%.3f %.3f\n", v[i50], v[i99]
        }'
}

DB="$TMP/bench.db"
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
log "starting reciprocity on 127.0.0.1:$PORT"
"$SERVER" serve --database "sqlite://$DB" --bind "127.0.0.1:$PORT" >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
PIDS+=("$SERVER_PID")
wait_for "$BASE/healthz" "$SERVER_PID" || { cat "$TMP/server.log" >&2; exit 1; }

log "seeding $WEEKS weeks of check-ins for both partners through the API"
timeout 900 python3 "$HERE/seed.py" "$BASE" "$TMP/seed.env" --weeks "$WEEKS" || die "seeding failed"
# shellcheck disable=SC1091 # written by seed.py just above
source "$TMP/seed.env"
log "seeded in ${SEED_SECONDS}s"
DB_MB=$(du -m "$DB" | cut -f1)

R="/api/v1/relationships/$RELATIONSHIP"
BEARER="Authorization: Bearer $TOKEN_A"
COOKIE="Cookie: $COOKIE_A"
# name|credential|path|log route|label
ENDPOINTS=(
    "me|token|/api/v1/me|/api/v1/me|GET /api/v1/me (token)"
    "summary|token|$R/checkins/summary|/api/v1/relationships/{id}/checkins/summary|GET R/checkins/summary ($WEEKS weeks x 2)"
    "me_page|cookie|/api/v1/me|/api/v1/me|GET /api/v1/me (cookie)"
    "trends|cookie|/checkins/trends|/checkins/trends|GET /checkins/trends (page)"
)
declare -A BYTES LABEL ROUTE
header_for() { if [[ $1 == cookie ]]; then echo "$COOKIE"; else echo "$BEARER"; fi; }
for e in "${ENDPOINTS[@]}"; do
    IFS='|' read -r name cred path route label <<<"$e"
    LABEL[$name]=$label
    ROUTE[$name]=$route
    curl -fsS -H "$(header_for "$cred")" -o "$TMP/answer-$name.json" "$BASE$path" || die "$label failed"
    BYTES[$name]=$(wc -c <"$TMP/answer-$name.json")
done

# N sequential requests to PATH with CREDENTIAL on one keep-alive
# connection; client ms per line.
requests() {
    local n=$1 cred=$2 path=$3 args=() i
    for ((i = 0; i < n; i++)); do
        args+=(-o /dev/null "$BASE$path")
    done
    curl -fsS -H "$(header_for "$cred")" -w '%{time_total}\n' "${args[@]}" | awk '{ printf "%.3f\n", $1 * 1000 }'
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq "$ROUNDS"); do
    for e in "${ENDPOINTS[@]}"; do
        IFS='|' read -r name cred path route _ <<<"$e"
        log "round $round: $name, 20 warm-up then $REQUESTS requests"
        requests 20 "$cred" "$path" >/dev/null
        sleep 0.3
        from=$(($(wc -l <"$TMP/server.log") + 1))
        requests "$REQUESTS" "$cred" "$path" >>"$TMP/client-$name.txt"
        sleep 0.5
        tail -n +"$from" "$TMP/server.log" | grep -F "\"route\":\"$route\"" \
            | sed -n 's/.*"latency_ms":\([0-9.eE+-]*\).*/\1/p' >>"$TMP/server-$name.txt"
    done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

declare -A C50 C99 S50 S99
for e in "${ENDPOINTS[@]}"; do
    name=${e%%|*}
    n=$(wc -l <"$TMP/server-$name.txt")
    [[ $n -eq $((REQUESTS * ROUNDS)) ]] || die "$name: expected $((REQUESTS * ROUNDS)) log lines, found $n"
    read -r "C50[$name]" "C99[$name]" < <(percentiles <"$TMP/client-$name.txt")
    read -r "S50[$name]" "S99[$name]" < <(percentiles <"$TMP/server-$name.txt")
done

row() { printf '  %-42s %8s %10s %10s %10s %10s %8s\n' "$@"; }
echo
echo "Check-ins: five years of weekly check-ins against GET /api/v1/me"
echo "  $(date -u +%Y-%m-%dT%H:%MZ), git $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- crates 2>/dev/null || echo ' (crates/ modified)')"
echo "  $(nproc) cores ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), load average $LOAD_BEFORE before, $LOAD_AFTER after"
echo "  server build: $PROFILE"
echo "  seeded through the API in ${SEED_SECONDS}s: $WEEKS weekly check-ins per partner; database ${DB_MB} MB"
echo "  $ROUNDS rounds x $REQUESTS sequential requests per endpoint, one keep-alive connection"
echo
row "" "bytes" "server p50" "server p99" "client p50" "client p99" "p50 / me"
for e in "${ENDPOINTS[@]}"; do
    name=${e%%|*}
    ref=me
    [[ $name == me_page || $name == trends ]] && ref=me_page
    row "${LABEL[$name]}" "${BYTES[$name]}" "${S50[$name]}" "${S99[$name]}" "${C50[$name]}" "${C99[$name]}" \
        "$(ratio "${S50[$name]}" "${S50[$ref]}" 1)"
done
echo
verdict() { awk "BEGIN { exit !($1) }" && echo yes || echo NO; }
echo "  target: server time under 10 ms (p50 / p99):" \
    "summary $(verdict "${S50[summary]} < 10") / $(verdict "${S99[summary]} < 10")," \
    "trends page $(verdict "${S50[trends]} < 10") / $(verdict "${S99[trends]} < 10")"
