#!/usr/bin/env bash
# Benchmark (not a test): a counselor's session report on a couple with
# two years of episodes (bench/episodes/seed.py: EPISODES episodes of TURNS
# turns, with repairs), every part allowed by both partners.
#
# In ROUNDS alternating rounds, REQUESTS sequential requests on one
# keep-alive connection (curl) to each of:
#
#   GET /api/v1/me                              the reference (the same token)
#   GET /api/v1/counselor/clients/{id}/report   the report (the counselor's
#                                               token): the sight checked
#                                               from the rows, every allowed
#                                               section, access-log lines
#   GET /clients/{id}                           the printable page (PAGES=1)
#
# and reads the server time of each from the server's own `latency_ms` log
# line. Reports p50 and p99, and each endpoint's server p50 as a ratio to
# /me's.
#
#   bash bench/counselor/run.sh
#
# Knobs (environment): EPISODES (1000), TURNS (20), REQUESTS (100 per round
# and endpoint), ROUNDS (3), PAGES=1, SKIP_BUILD=1, PROFILE=debug.
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
command -v python3 >/dev/null 2>&1 || die "python3 is required (standard library only)"
server_for_profile
make_scratch bench-counselor
start_reciprocity

log "seeding $EPISODES episodes of $TURNS turns, then a counselor, through the API"
timeout 1800 python3 "$ROOT/bench/episodes/seed.py" "$BASE" "$TMP/seed.env" \
    --episodes "$EPISODES" --turns "$TURNS" || die "seeding failed"
timeout 300 python3 "$ROOT/bench/counselor/seed.py" "$BASE" "$TMP/seed.env" \
    || die "seeding the counselor failed"
# shellcheck disable=SC1091 # written by the seeders just above
source "$TMP/seed.env"

# The counselor's own credentials throughout: /me with the same token is
# the reference.
BEARER="Authorization: Bearer $COUNSELOR_TOKEN"
COOKIE="Cookie: $COUNSELOR_COOKIE"
REPORT="/api/v1/counselor/clients/$RELATIONSHIP/report"
ENDPOINTS=(
    "me|token|/api/v1/me|/api/v1/me|GET /api/v1/me (the counselor's token)|me"
    "report|token|$REPORT|/api/v1/counselor/clients/{id}/report|GET the counselor's report|me"
)
if [[ -n "${PAGES:-}" ]]; then
    ENDPOINTS+=(
        "me_page|cookie|/api/v1/me|/api/v1/me|GET /api/v1/me (cookie)|me_page"
        "report_page|cookie|/clients/$RELATIONSHIP|/clients/{rid}|GET /clients/{rid} (page)|me_page"
    )
fi
measure_endpoints
endpoint_table "Counselor: the session report against GET /api/v1/me" \
    "$EPISODES episodes x $TURNS turns, every part allowed"
