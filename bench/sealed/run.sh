#!/usr/bin/env bash
# Benchmark (not a test): the sealed-round API (values and conversations)
# with a long history, against GET /api/v1/me, the cheapest authenticated
# endpoint, on the same server.
#
# A couple is seeded through the real API (seed.py): ROUNDS_HISTORY revealed
# rounds of the `defining_love` deck, one revealed round of `our_values`, and
# one revealed values round, every answer and definition 2,000 characters.
# Then R/values/rounds (asked by one, agreed by the other) starts a second values round, so its draft can be
# written again and again. wrk loads each endpoint at CONNECTIONS
# connections, in ROUNDS alternating rounds (medians are reported):
#
#   GET /api/v1/me                                  the reference
#   GET R/conversations/our_values                  status, 1 round
#   GET R/conversations/defining_love               status, ROUNDS_HISTORY rounds
#   GET R/conversations/defining_love/comparison    latest round beside the previous
#   GET R/values/comparison?round=1                 the revealed values round
#                                                   (round 2 is open, so the latest is sealed)
#   PUT R/values/answers                            one item, a 2,000-character definition
#
# R is /api/v1/relationships/{id}; every request carries partner A's bearer token.
#
#   bash bench/sealed/run.sh
#
# Knobs (environment): ROUNDS_HISTORY (100), CONNECTIONS (8), THREADS (wrk
# threads, 2), DURATION (seconds measured, 10), WARMUP (seconds discarded, 3),
# ROUNDS (alternating rounds over all endpoints; medians are reported, 3),
# SKIP_BUILD=1 to reuse target/release as it is, KEEP=DIR to keep a copy of
# the seeded database (before the load) and its ids.
#
# Everything listens on 127.0.0.1 only; the server is stopped on exit.
set -euo pipefail

ROUNDS_HISTORY=${ROUNDS_HISTORY:-100}
CONNECTIONS=${CONNECTIONS:-8}
THREADS=${THREADS:-2}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
ROUNDS=${ROUNDS:-3}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/bench/sealed"
cd "$ROOT"

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
ensure_tools
command -v python3 >/dev/null 2>&1 || die "python3 is required (seed.py, standard library only)"
build_release
make_scratch bench-sealed

# --- the real server, seeded ---------------------------------------------------
DB="$TMP/bench.db"
PORT=$(free_port)
BASE="http://127.0.0.1:$PORT"
log "starting reciprocity on 127.0.0.1:$PORT"
"$SERVER" serve --database "sqlite://$DB" --bind "127.0.0.1:$PORT" >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
PIDS+=("$SERVER_PID")
wait_for "$BASE/healthz" "$SERVER_PID" || { cat "$TMP/server.log" >&2; exit 1; }

log "seeding $ROUNDS_HISTORY revealed rounds of defining_love, one of our_values and one values round through the API"
timeout 900 python3 "$HERE/seed.py" "$BASE" "$TMP/seed.env" --history "$ROUNDS_HISTORY" \
    || die "seeding failed"
# shellcheck disable=SC1091 # written by seed.py just above
source "$TMP/seed.env"
log "seeded in ${SEED_SECONDS}s: $HISTORY rounds of $DECK ($PROMPTS prompts), 1 of $BASELINE_DECK ($BASELINE_PROMPTS prompts), $VALUE_ITEMS values items, $CHARS characters each"

if [[ -n "${KEEP:-}" ]]; then
    mkdir -p "$KEEP"
    python3 - "$DB" "$KEEP/sealed-seeded.db" <<'PY'
import sqlite3, sys
src, dst = sqlite3.connect(sys.argv[1]), sqlite3.connect(sys.argv[2])
src.backup(dst)
dst.close(); src.close()
PY
    cp "$TMP/seed.env" "$KEEP/seed.env"
    log "kept a copy of the seeded database in $KEEP"
fi

R="$BASE/api/v1/relationships/$RELATIONSHIP"
BEARER="Authorization: Bearer $TOKEN_A"
json=(-H 'Content-Type: application/json' -H "$BEARER")

# A second values round, so the write below replaces a draft, which a
# partner may do any number of times (a submitted round refuses writes).
# It starts when both want it: A asks, and B's ask agrees.
for token in "$TOKEN_A" "$TOKEN_B"; do
    curl -fsS -H 'Content-Type: application/json' -H "Authorization: Bearer $token" -o /dev/null \
        -X POST "$R/values/rounds" -d '{}' || die "POST R/values/rounds failed"
done

# wrk script for the write: the same bytes on every request.
ITEM=love
export TOKEN="$TOKEN_A" ITEM
cat >"$TMP/put.lua" <<'LUA'
-- PUT one values answer with a 2,000-character definition into the draft.
wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("TOKEN") or "")
wrk.body = '{"answers":[{"item":"' .. (os.getenv("ITEM") or "love")
    .. '","importance":4,"definition":"' .. string.rep("care ", 399) .. 'care."}]}'
LUA
PUT_BODY=$(printf '{"answers":[{"item":"%s","importance":4,"definition":"%scare."}]}' \
    "$ITEM" "$(printf 'care %.0s' $(seq 399))")

# name|method|path (relative to the server)|label
ENDPOINTS=(
    "me|GET|/api/v1/me|GET /api/v1/me"
    "status1|GET|${R#"$BASE"}/conversations/$BASELINE_DECK|GET R/conversations/$BASELINE_DECK (1 round)"
    "status|GET|${R#"$BASE"}/conversations/$DECK|GET R/conversations/$DECK ($HISTORY rounds)"
    "compare|GET|${R#"$BASE"}/conversations/$DECK/comparison|GET R/conversations/$DECK/comparison"
    "values|GET|${R#"$BASE"}/values/comparison?round=1|GET R/values/comparison?round=1"
    "put|PUT|${R#"$BASE"}/values/answers|PUT R/values/answers (1 item)"
)

# Every endpoint answers 200 before the load; keeps the size of each answer.
declare -A BYTES LABEL
for e in "${ENDPOINTS[@]}"; do
    IFS='|' read -r name method path label <<<"$e"
    LABEL[$name]=$label
    if [[ $method == GET ]]; then
        curl -fsS -H "$BEARER" -o "$TMP/answer-$name.json" "$BASE$path" || die "$label failed"
    else
        curl -fsS "${json[@]}" -X PUT -o "$TMP/answer-$name.json" "$BASE$path" -d "$PUT_BODY" \
            || die "$label failed"
    fi
    BYTES[$name]=$(wc -c <"$TMP/answer-$name.json")
done
python3 - "$TMP" "$HISTORY" "$CHARS" >&2 <<'PY' || die "the answers are not what was seeded"
import json, os, sys
tmp, history, chars = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
load = lambda n: json.load(open(os.path.join(tmp, f"answer-{n}.json")))
s1, s, c, v, p = (load(n) for n in ("status1", "status", "compare", "values", "put"))
assert len(s1["rounds"]) == 1 and s1["mine"] == "revealed", "baseline deck"
assert len(s["rounds"]) == history and s["round"] == history and s["mine"] == "revealed", "history"
assert c["round"] == history and c["previous_round"] == (history - 1 or None), "comparison"
assert all(len(x["a"]) == chars and len(x["b"]) == chars for x in c["prompts"]), "answer lengths"
assert v["round"] == 1 and all(len(i["a"]["definition"]) == chars for i in v["items"]), "values"
assert p["round"] == 2 and p["mine"] == "drafting" and len(p["answers"]) == 1, "values draft"
assert len(p["answers"][0]["definition"]) == 2000, "definition length"
print(f"== answers check out: status {len(s['rounds'])} rounds, comparison of round {c['round']} "
      f"beside {c['previous_round']}, values round {v['round']}, draft in round {p['round']}")
PY
DB_MB=$(du -m "$DB" | cut -f1)
SEEDED_RSS=$(rss_mb "$SERVER_PID")

# Runs wrk against URL (GET with the bearer token, or with SCRIPT);
# prints "rps p50_ms p99_ms".
load() {
    local name=$1 url=$2 script=${3:-}
    if [[ -n $script ]]; then
        wrk_run "$name" "$url" -s "$script"
    else
        wrk_run "$name" "$url" -H "$BEARER"
    fi
}

# --- load: ROUNDS rounds over every endpoint ----------------------------------------
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$TMP/results"
for round in $(seq "$ROUNDS"); do
    for e in "${ENDPOINTS[@]}"; do
        IFS='|' read -r name method path _ <<<"$e"
        script=
        [[ $method == PUT ]] && script="$TMP/put.lua"
        RESULT=$(load "$name-$round" "$BASE$path" "$script")
        echo "$name $RESULT" >>"$TMP/results"
    done
done
LOADED_RSS=$(rss_mb "$SERVER_PID")
SERVER_THREADS=$(awk '/^Threads:/ { print $2 }' "/proc/$SERVER_PID/status")
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# Median of column COL (2 req/s, 3 p50, 4 p99) over the rounds of NAME.
declare -A RPS P50 P99
for e in "${ENDPOINTS[@]}"; do
    name=${e%%|*}
    printf -v "RPS[$name]" '%.0f' "$(median "$name" 2)"
    printf -v "P50[$name]" '%.2f' "$(median "$name" 3)"
    printf -v "P99[$name]" '%.2f' "$(median "$name" 4)"
done

# --- report ---------------------------------------------------------------------
row() { printf '  %-50s %9s %9s %9s %9s %9s\n' "$@"; }

echo
echo "Sealed rounds: status, comparisons and drafts against GET /api/v1/me"
echo "  $(date -u +%Y-%m-%dT%H:%MZ), git $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- crates 2>/dev/null || echo ' (crates/ modified)')"
echo "  $(nproc) cores ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), load average $LOAD_BEFORE before the load, $LOAD_AFTER after"
echo "  wrk -t$THREADS -c$CONNECTIONS, ${DURATION}s after ${WARMUP}s warm-up, 127.0.0.1; wrk and the server share the cores, nothing pinned"
echo
echo "  seeded through the API in ${SEED_SECONDS}s: $HISTORY revealed rounds of $DECK ($PROMPTS prompts),"
echo "  1 of $BASELINE_DECK ($BASELINE_PROMPTS prompts), 1 values round ($VALUE_ITEMS items) then an open one;"
echo "  every answer and definition $CHARS characters; database ${DB_MB} MB"
echo
echo "  each round:"
row "" "req/s" "p50 ms" "p99 ms" "" ""
round=0
while read -r name rps p50 p99; do
    [[ $name == me ]] && round=$((round + 1))
    row "$round: ${LABEL[$name]}" "$rps" "$p50" "$p99" "" ""
done <"$TMP/results"
echo
echo "  median of $ROUNDS round(s):"
row "" "bytes" "req/s" "p50 ms" "p99 ms" "ours/me"
for e in "${ENDPOINTS[@]}"; do
    name=${e%%|*}
    row "${LABEL[$name]}" "${BYTES[$name]}" "${RPS[$name]}" "${P50[$name]}" "${P99[$name]}" \
        "$(ratio "${RPS[$name]}" "${RPS[me]}" 3)"
done
echo
echo "  reciprocity RSS: after seeding ${SEEDED_RSS} MB, after the load ${LOADED_RSS} MB ($SERVER_THREADS threads)"
