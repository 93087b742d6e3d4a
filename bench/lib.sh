# shellcheck shell=bash
# Shared by the benchmark scripts (source it; it defines functions and the
# scratch folder, and changes nothing else). Expects ROOT to be the repo root.

log() { printf '== %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# wrk from Debian's packages, installed when missing; curl is required.
ensure_tools() {
    if ! command -v wrk >/dev/null 2>&1; then
        log "installing wrk (Debian package)"
        command -v apt-get >/dev/null 2>&1 || die "wrk is missing and apt-get is not available"
        if ! apt-get install -y wrk >/dev/null 2>&1; then
            apt-get update >/dev/null
            apt-get install -y wrk >/dev/null
        fi
    fi
    command -v curl >/dev/null 2>&1 || die "curl is required"
}

# Builds the release server and the floor (unless SKIP_BUILD=1); sets SERVER and FLOOR.
build_release() {
    if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
        log "building release (reciprocity, floor)"
        cargo build --release -p reciprocity -p floor
    fi
    SERVER="$ROOT/target/release/reciprocity"
    FLOOR="$ROOT/target/release/floor"
    [[ -x "$SERVER" && -x "$FLOOR" ]] || die "release binaries missing under target/release"
}

# A scratch folder in TMP, removed with every process in PIDS on exit.
make_scratch() {
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
    PIDS=()
    trap cleanup EXIT
    trap 'exit 130' INT TERM
}

cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$TMP"
}

free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
        return
    fi
    local port
    for _ in $(seq 200); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
    die "no free port found"
}

# Waits (at most 30 s) until URL answers (200 only, unless the third argument
# is "any"); fails if PID exits first.
wait_for() {
    local url=$1 pid=$2 fail=-f
    [[ "${3:-}" == any ]] && fail=
    for _ in $(seq 300); do
        if ! kill -0 "$pid" 2>/dev/null; then
            printf 'error: the server exited before %s answered\n' "$url" >&2
            return 1
        fi
        if curl $fail -sS -o /dev/null --max-time 1 "$url" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    printf 'error: %s did not answer within 30 s\n' "$url" >&2
    return 1
}

rss_mb() {
    awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

# Runs wrk against URL with the extra wrk ARGS (headers, a script): WARMUP
# seconds discarded, then DURATION seconds measured at THREADS threads and
# CONNECTIONS connections. Dies if any request failed; prints
# "rps p50_ms p99_ms".
wrk_run() {
    local name=$1 url=$2
    shift 2
    local common=(-t"$THREADS" -c"$CONNECTIONS" --timeout 30s)
    log "$name: warm-up ${WARMUP}s"
    timeout $((WARMUP + 30)) wrk "${common[@]}" -d"${WARMUP}s" "$@" "$url" >/dev/null
    log "$name: ${DURATION}s at $CONNECTIONS connections"
    local out="$TMP/wrk-$name.txt"
    timeout $((DURATION + 30)) wrk "${common[@]}" -d"${DURATION}s" --latency "$@" "$url" >"$out"
    if grep -qE 'Non-2xx|Socket errors' "$out"; then
        cat "$out" >&2
        die "$name: some requests failed"
    fi
    awk '
        function ms(v) {
            if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
            if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
            if (v ~ /s$/)  return substr(v, 1, length(v) - 1) * 1000
            return v + 0
        }
        /^ *50%/ { p50 = ms($2) }
        /^ *99%/ { p99 = ms($2) }
        /^Requests\/sec:/ { rps = $2 }
        END { printf "%.0f %.2f %.2f\n", rps, p50, p99 }
    ' "$out"
}

# The median of column COL over the lines of $TMP/results that start with NAME.
median() {
    awk -v name="$1" -v col="$2" '$1 == name { print $col }' "$TMP/results" | sort -g \
        | awk '{ v[NR] = $1 } END { printf "%s", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

# A / B with DIGITS decimals (2 by default); 0 when B is 0.
ratio() { awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN { printf "%.*f", d, (b > 0 ? a / b : 0) }'; }
