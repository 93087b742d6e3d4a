#!/usr/bin/env bash
# Benchmark (not a test): agreements with a long list and a long negotiation.
#
# A couple is seeded through the real API (seed.py): AGREEMENTS agreements,
# one of them negotiated over THREAD versions. Then, in ROUNDS alternating
# rounds, REQUESTS sequential requests on one keep-alive connection (curl)
# to each of:
#
#   GET /api/v1/me                       the reference
#   GET R/agreements                     the list (AGREEMENTS summaries, titles opened)
#   GET R/agreements/{aid}               the THREAD-version agreement (every
#                                        version opened and compared with the one before)
#
# and reads the server time of each from the server's own `latency_ms` log
# line (as bench/ledger does), and the client time from curl. Reports p50
# and p99 of each, and each endpoint's server p50 as a ratio to /me's.
# Target (issue "Agreements", Speed): under 10 ms server time.
#
#   bash bench/agreements/run.sh
#
# Knobs (environment): AGREEMENTS (500), THREAD (30), CHARS (600),
# REQUESTS (200 per round and endpoint), ROUNDS (3), SKIP_BUILD=1,
# PROFILE=debug to build and run the debug server instead of the release
# one (slower: its figures are an upper bound, labelled as such).
# Everything listens on 127.0.0.1 only; the server is stopped on exit.
set -euo pipefail

AGREEMENTS=${AGREEMENTS:-500}
THREAD=${THREAD:-30}
CHARS=${CHARS:-600}
REQUESTS=${REQUESTS:-200}
ROUNDS=${ROUNDS:-3}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/bench/agreements"
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
make_scratch bench-agreements

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

log "seeding $AGREEMENTS agreements (one of $THREAD versions) through the API"
timeout 900 python3 "$HERE/seed.py" "$BASE" "$TMP/seed.env" \
    --agreements "$AGREEMENTS" --thread "$THREAD" --chars "$CHARS" || die "seeding failed"
# shellcheck disable=SC1091 # written by seed.py just above
source "$TMP/seed.env"
log "seeded in ${SEED_SECONDS}s"
DB_MB=$(du -m "$DB" | cut -f1)

R="/api/v1/relationships/$RELATIONSHIP"
BEARER="Authorization: Bearer $TOKEN_A"
# name|path|log route|label
ENDPOINTS=(
    "me|/api/v1/me|/api/v1/me|GET /api/v1/me"
    "list|$R/agreements|/api/v1/relationships/{id}/agreements|GET R/agreements ($AGREEMENTS)"
    "thread|$R/agreements/$THREAD_ID|/api/v1/relationships/{id}/agreements/{aid}|GET R/agreements/{aid} ($THREAD versions)"
)
declare -A BYTES LABEL ROUTE
for e in "${ENDPOINTS[@]}"; do
    IFS='|' read -r name path route label <<<"$e"
    LABEL[$name]=$label
    ROUTE[$name]=$route
    curl -fsS -H "$BEARER" -o "$TMP/answer-$name.json" "$BASE$path" || die "$label failed"
    BYTES[$name]=$(wc -c <"$TMP/answer-$name.json")
done

# N sequential requests to PATH on one keep-alive connection; client ms per line.
requests() {
    local n=$1 path=$2 args=() i
    for ((i = 0; i < n; i++)); do
        args+=(-o /dev/null "$BASE$path")
    done
    curl -fsS -H "$BEARER" -w '%{time_total}\n' "${args[@]}" | awk '{ printf "%.3f\n", $1 * 1000 }'
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for round in $(seq "$ROUNDS"); do
    for e in "${ENDPOINTS[@]}"; do
        IFS='|' read -r name path route _ <<<"$e"
        log "round $round: $name, 20 warm-up then $REQUESTS requests"
        requests 20 "$path" >/dev/null
        sleep 0.3
        from=$(($(wc -l <"$TMP/server.log") + 1))
        requests "$REQUESTS" "$path" >>"$TMP/client-$name.txt"
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
echo "Agreements: the list and a long negotiation against GET /api/v1/me"
echo "  $(date -u +%Y-%m-%dT%H:%MZ), git $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- crates 2>/dev/null || echo ' (crates/ modified)')"
echo "  $(nproc) cores ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), load average $LOAD_BEFORE before, $LOAD_AFTER after"
echo "  server build: $PROFILE"
echo "  seeded through the API in ${SEED_SECONDS}s: $AGREEMENTS agreements (terms $CHARS characters), one of $THREAD versions; database ${DB_MB} MB"
echo "  $ROUNDS rounds x $REQUESTS sequential requests per endpoint, one keep-alive connection"
echo
row "" "bytes" "server p50" "server p99" "client p50" "client p99" "p50 / me"
for e in "${ENDPOINTS[@]}"; do
    name=${e%%|*}
    row "${LABEL[$name]}" "${BYTES[$name]}" "${S50[$name]}" "${S99[$name]}" "${C50[$name]}" "${C99[$name]}" \
        "$(ratio "${S50[$name]}" "${S50[me]}" 1)"
done
echo
verdict() { awk "BEGIN { exit !($1) }" && echo yes || echo NO; }
echo "  target: server time under 10 ms (p50 / p99):" \
    "list $(verdict "${S50[list]} < 10") / $(verdict "${S99[list]} < 10")," \
    "thread $(verdict "${S50[thread]} < 10") / $(verdict "${S99[thread]} < 10")"
