#!/usr/bin/env bash
# Benchmark (not a test): the couple's home over two years of history.
#
# The home gathers a little from every part of the space (things to thank,
# sealed rounds, check-ins, agreements, the counselor, the spiral note, the
# next conversation, recent thanks), so it is the page most likely to grow
# slow with history. The couple is seeded through the real API by the
# episodes benchmark's seed (bench/episodes/seed.py: EPISODES episodes of
# TURNS turns, the spiral note's input, the largest history we seed). Then,
# in ROUNDS alternating rounds, REQUESTS sequential requests on one
# keep-alive connection (curl) to each of:
#
#   GET /api/v1/me                  the reference (bearer token)
#   GET R/home                      what is waiting, as JSON
#   GET /api/v1/me (cookie), /home  the same reference and the home page,
#                                   as a signed-in browser asks for them
#
# and reads the server time of each from the server's own `latency_ms` log
# line (bench/endpoints.sh). Reports p50 and p99 of each and each
# endpoint's server p50 as a ratio to /me's. Target: under 20 ms server time.
#
#   bash bench/home/run.sh
#
# Knobs (environment): EPISODES (1000), TURNS (20), REQUESTS (100 per round
# and endpoint), ROUNDS (3), SKIP_BUILD=1, PROFILE=debug (a debug server: an
# upper bound, labelled as such). Everything listens on 127.0.0.1 only; the
# server is stopped on exit.
set -euo pipefail

EPISODES=${EPISODES:-1000}
TURNS=${TURNS:-20}
REQUESTS=${REQUESTS:-100}
ROUNDS=${ROUNDS:-3}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
# shellcheck source=bench/endpoints.sh
source "$ROOT/bench/endpoints.sh"
command -v curl >/dev/null 2>&1 || die "curl is required"
command -v python3 >/dev/null 2>&1 || die "python3 is required (seed.py, standard library only)"
server_for_profile
make_scratch bench-home
start_reciprocity

log "seeding $EPISODES episodes of $TURNS turns through the API"
timeout 1800 python3 "$ROOT/bench/episodes/seed.py" "$BASE" "$TMP/seed.env" --episodes "$EPISODES" --turns "$TURNS" \
    || die "seeding failed"
# shellcheck disable=SC1091 # written by seed.py just above
source "$TMP/seed.env"
log "seeded in ${SEED_SECONDS}s"

R="/api/v1/relationships/$RELATIONSHIP"
BEARER="Authorization: Bearer $TOKEN_A"
COOKIE="Cookie: $COOKIE_A"
ENDPOINTS=(
    "me|token|/api/v1/me|/api/v1/me|GET /api/v1/me (token)|me"
    "home|token|$R/home|/api/v1/relationships/{id}/home|GET R/home|me"
    "me_page|cookie|/api/v1/me|/api/v1/me|GET /api/v1/me (cookie)|me_page"
    "home_page|cookie|/home|/home|GET /home (page)|me_page"
)
measure_endpoints
endpoint_table "Home: what is waiting, over $EPISODES episodes, against GET /api/v1/me" \
    "seeded through the API in ${SEED_SECONDS}s: $EPISODES episodes x $TURNS turns"
echo "  target: the home under 20 ms server time (p50 / p99):" \
    "$(verdict "${S50[home]} < 20") / $(verdict "${S99[home]} < 20")"
