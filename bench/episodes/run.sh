#!/usr/bin/env bash
# Benchmark (not a test): the negative-reciprocity pattern over two years of
# episodes (1,000 episodes of 20 turns: 20,000 turns).
#
# A couple is seeded through the real API (seed.py). Then, in ROUNDS
# alternating rounds, REQUESTS sequential requests on one keep-alive
# connection (curl) to each of:
#
#   GET /api/v1/me                   the reference (bearer token)
#   GET R/negative-reciprocity       directions (lag engine, turn-taking
#                                    model), spirals, ratios, bids, months,
#                                    responsibility balance over the repairs
#   GET R/episodes                   the list (every title opened)
#
# and reads the server time of each from the server's own `latency_ms` log
# line, and the client time from curl. Reports p50 and p99 of each, and each
# endpoint's server p50 as a ratio to /me's. Target (issue "Episodes",
# Speed): the pattern under 20 ms server time.
#
#   bash bench/episodes/run.sh
#
# Knobs (environment): EPISODES (1000), TURNS (20), REQUESTS (100 per round
# and endpoint), ROUNDS (3), SKIP_BUILD=1, PROFILE=debug. Everything listens
# on 127.0.0.1 only; the server is stopped on exit.
set -euo pipefail

EPISODES=${EPISODES:-1000}
TURNS=${TURNS:-20}
REQUESTS=${REQUESTS:-100}
ROUNDS=${ROUNDS:-3}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/bench/episodes"
cd "$ROOT"

# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"
# shellcheck source=bench/endpoints.sh
source "$ROOT/bench/endpoints.sh"
command -v curl >/dev/null 2>&1 || die "curl is required"
command -v python3 >/dev/null 2>&1 || die "python3 is required (seed.py, standard library only)"
server_for_profile
make_scratch bench-episodes
start_reciprocity

log "seeding $EPISODES episodes of $TURNS turns through the API"
timeout 1800 python3 "$HERE/seed.py" "$BASE" "$TMP/seed.env" --episodes "$EPISODES" --turns "$TURNS" \
    || die "seeding failed"
# shellcheck disable=SC1091 # written by seed.py just above
source "$TMP/seed.env"
log "seeded in ${SEED_SECONDS}s"

R="/api/v1/relationships/$RELATIONSHIP"
BEARER="Authorization: Bearer $TOKEN_A"
COOKIE="Cookie: $COOKIE_A"
ENDPOINTS=(
    "me|token|/api/v1/me|/api/v1/me|GET /api/v1/me (token)|me"
    "pattern|token|$R/negative-reciprocity|/api/v1/relationships/{id}/negative-reciprocity|GET R/negative-reciprocity|me"
    "list|token|$R/episodes|/api/v1/relationships/{id}/episodes|GET R/episodes ($EPISODES)|me"
)
if [[ -n "${PAGES:-}" ]]; then
    ENDPOINTS+=(
        "me_page|cookie|/api/v1/me|/api/v1/me|GET /api/v1/me (cookie)|me_page"
        "pattern_page|cookie|/episodes/patterns|/episodes/patterns|GET /episodes/patterns (page)|me_page"
    )
fi
measure_endpoints
endpoint_table "Episodes: two years of episodes against GET /api/v1/me" \
    "seeded through the API in ${SEED_SECONDS}s: $EPISODES episodes x $TURNS turns"
echo "  target: the pattern under 20 ms server time (p50 / p99):" \
    "$(verdict "${S50[pattern]} < 20") / $(verdict "${S99[pattern]} < 20")"
