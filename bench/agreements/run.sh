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
# shellcheck source=bench/endpoints.sh
source "$ROOT/bench/endpoints.sh"
command -v curl >/dev/null 2>&1 || die "curl is required"
command -v python3 >/dev/null 2>&1 || die "python3 is required (seed.py, standard library only)"
server_for_profile
make_scratch bench-agreements
start_reciprocity

log "seeding $AGREEMENTS agreements (one of $THREAD versions) through the API"
timeout 900 python3 "$HERE/seed.py" "$BASE" "$TMP/seed.env" \
    --agreements "$AGREEMENTS" --thread "$THREAD" --chars "$CHARS" || die "seeding failed"
# shellcheck disable=SC1091 # written by seed.py just above
source "$TMP/seed.env"
log "seeded in ${SEED_SECONDS}s"

R="/api/v1/relationships/$RELATIONSHIP"
BEARER="Authorization: Bearer $TOKEN_A"
ENDPOINTS=(
    "me|token|/api/v1/me|/api/v1/me|GET /api/v1/me|me"
    "list|token|$R/agreements|/api/v1/relationships/{id}/agreements|GET R/agreements ($AGREEMENTS)|me"
    "thread|token|$R/agreements/$THREAD_ID|/api/v1/relationships/{id}/agreements/{aid}|GET R/agreements/{aid} ($THREAD versions)|me"
)
measure_endpoints
endpoint_table "Agreements: the list and a long negotiation against GET /api/v1/me" \
    "seeded through the API in ${SEED_SECONDS}s: $AGREEMENTS agreements (terms $CHARS characters), one of $THREAD versions"
echo "  target: server time under 10 ms (p50 / p99):" \
    "list $(verdict "${S50[list]} < 10") / $(verdict "${S99[list]} < 10")," \
    "thread $(verdict "${S50[thread]} < 10") / $(verdict "${S99[thread]} < 10")"
