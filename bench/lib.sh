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
