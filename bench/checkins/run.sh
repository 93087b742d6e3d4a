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
# shellcheck source=bench/endpoints.sh
source "$ROOT/bench/endpoints.sh"
command -v curl >/dev/null 2>&1 || die "curl is required"
command -v python3 >/dev/null 2>&1 || die "python3 is required (seed.py, standard library only)"
server_for_profile
make_scratch bench-checkins
start_reciprocity

log "seeding $WEEKS weeks of check-ins for both partners through the API"
timeout 900 python3 "$HERE/seed.py" "$BASE" "$TMP/seed.env" --weeks "$WEEKS" || die "seeding failed"
# shellcheck disable=SC1091 # written by seed.py just above
source "$TMP/seed.env"
log "seeded in ${SEED_SECONDS}s"

R="/api/v1/relationships/$RELATIONSHIP"
BEARER="Authorization: Bearer $TOKEN_A"
COOKIE="Cookie: $COOKIE_A"
ENDPOINTS=(
    "me|token|/api/v1/me|/api/v1/me|GET /api/v1/me (token)|me"
    "summary|token|$R/checkins/summary|/api/v1/relationships/{id}/checkins/summary|GET R/checkins/summary ($WEEKS weeks x 2)|me"
    "me_page|cookie|/api/v1/me|/api/v1/me|GET /api/v1/me (cookie)|me_page"
    "trends|cookie|/checkins/trends|/checkins/trends|GET /checkins/trends (page)|me_page"
)
measure_endpoints
endpoint_table "Check-ins: five years of weekly check-ins against GET /api/v1/me" \
    "seeded through the API in ${SEED_SECONDS}s: $WEEKS weekly check-ins per partner"
echo "  target: server time under 10 ms (p50 / p99):" \
    "summary $(verdict "${S50[summary]} < 10") / $(verdict "${S99[summary]} < 10")," \
    "trends page $(verdict "${S50[trends]} < 10") / $(verdict "${S99[trends]} < 10")"
