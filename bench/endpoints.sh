# shellcheck shell=bash
# Measuring a few GET endpoints of one seeded server against GET /api/v1/me,
# as bench/agreements, bench/checkins and bench/episodes do. Source it after
# lib.sh (it expects ROOT, and make_scratch to have set TMP and PIDS).
#
# A script sets ENDPOINTS, one entry per endpoint:
#   "name|credential|path|log route|label|reference"
# where credential is `token` (the BEARER header) or `cookie` (COOKIE), the
# log route is the route the server's `latency_ms` line names, and the
# reference is the name of the endpoint its p50 is compared with (the /me
# of the same credential). Then it calls measure_endpoints and
# endpoint_table.

# Builds (unless SKIP_BUILD=1) and sets SERVER: the release build, or with
# PROFILE=debug the debug one (its figures an upper bound, labelled so).
server_for_profile() {
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
}

# Starts the server on a new SQLite file in TMP, logging to
# $TMP/server.log; sets DB, BASE and SERVER_PID.
start_reciprocity() {
    DB="$TMP/bench.db"
    local port
    port=$(free_port)
    BASE="http://127.0.0.1:$port"
    log "starting reciprocity on 127.0.0.1:$port"
    "$SERVER" serve --database "sqlite://$DB" --bind "127.0.0.1:$port" >"$TMP/server.log" 2>&1 &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    wait_for "$BASE/healthz" "$SERVER_PID" || { cat "$TMP/server.log" >&2; exit 1; }
}

# p50 and p99 (nearest rank) of the numbers on stdin.
percentiles() {
    sort -g | awk '{ v[NR] = $1 }
        END {
            if (NR == 0) { print "? ?"; exit }
            i50 = int(NR * 0.50 + 0.999999); i99 = int(NR * 0.99 + 0.999999)
            printf "%.3f %.3f\n", v[i50], v[i99]
        }'
}

credential_header() { if [[ $1 == cookie ]]; then echo "$COOKIE"; else echo "$BEARER"; fi; }

# N sequential requests to PATH with CREDENTIAL on one keep-alive
# connection; client ms per line.
requests() {
    local n=$1 cred=$2 path=$3 args=() i
    for ((i = 0; i < n; i++)); do
        args+=(-o /dev/null "$BASE$path")
    done
    curl -fsS -H "$(credential_header "$cred")" -w '%{time_total}\n' "${args[@]}" \
        | awk '{ printf "%.3f\n", $1 * 1000 }'
}

# Fetches each endpoint once (its size in BYTES), then in ROUNDS
# alternating rounds 20 warm-up and REQUESTS measured requests to each;
# fills C50 C99 (client) and S50 S99 (server, from the log) per name, and
# LOAD_BEFORE / LOAD_AFTER.
measure_endpoints() {
    declare -gA BYTES LABEL REF C50 C99 S50 S99
    local e name cred path route label ref round from n
    for e in "${ENDPOINTS[@]}"; do
        IFS='|' read -r name cred path route label ref <<<"$e"
        LABEL[$name]=$label
        REF[$name]=$ref
        curl -fsS -H "$(credential_header "$cred")" -o "$TMP/answer-$name.json" "$BASE$path" \
            || die "$label failed"
        BYTES[$name]=$(wc -c <"$TMP/answer-$name.json")
    done
    LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
    for round in $(seq "$ROUNDS"); do
        for e in "${ENDPOINTS[@]}"; do
            IFS='|' read -r name cred path route _ _ <<<"$e"
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
    for e in "${ENDPOINTS[@]}"; do
        name=${e%%|*}
        n=$(wc -l <"$TMP/server-$name.txt")
        [[ $n -eq $((REQUESTS * ROUNDS)) ]] || die "$name: expected $((REQUESTS * ROUNDS)) log lines, found $n"
        read -r "C50[$name]" "C99[$name]" < <(percentiles <"$TMP/client-$name.txt")
        read -r "S50[$name]" "S99[$name]" < <(percentiles <"$TMP/server-$name.txt")
    done
}

# The report: TITLE, then SEEDED (what was seeded), then the table.
endpoint_table() {
    local title=$1 seeded=$2 e name
    row() { printf '  %-46s %8s %10s %10s %10s %10s %8s\n' "$@"; }
    echo
    echo "$title"
    echo "  $(date -u +%Y-%m-%dT%H:%MZ), git $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD -- crates 2>/dev/null || echo ' (crates/ modified)')"
    echo "  $(nproc) cores ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), load average $LOAD_BEFORE before, $LOAD_AFTER after"
    echo "  server build: $PROFILE"
    echo "  $seeded; database $(du -m "$DB" | cut -f1) MB"
    echo "  $ROUNDS rounds x $REQUESTS sequential requests per endpoint, one keep-alive connection"
    echo
    row "" "bytes" "server p50" "server p99" "client p50" "client p99" "p50 / me"
    for e in "${ENDPOINTS[@]}"; do
        name=${e%%|*}
        row "${LABEL[$name]}" "${BYTES[$name]}" "${S50[$name]}" "${S99[$name]}" "${C50[$name]}" \
            "${C99[$name]}" "$(ratio "${S50[$name]}" "${S50[${REF[$name]}]}" 1)"
    done
    echo
}

# "yes" when the awk condition holds, else "NO".
verdict() { awk "BEGIN { exit !($1) }" && echo yes || echo NO; }
