"""H4's figures: reads the JSON report of each role's `st run` and prints
one JSON line per role and one for the engine; exits 1 on any finding.

    python3 summary.py ENGINE RUN_DIR ROLE...

A finding is any failure schemathesis reports (a 5xx, a status or body
the document does not describe, invalid data accepted, a canary where it
may not be, …), any error that stopped a case, a run that did not
complete, and a canary in the server's log.
"""

import json
import sys

# Failure groups by the schemathesis check behind them (failure codes of
# schemathesis 4: ST101 server error, ST103 undocumented status, ST108
# body off the schema, ST201 accepted negative data, ST901 a custom check).
SERVER_ERRORS = {"ServerError", "ContentTypeServerError"}
SCHEMA_VIOLATIONS = {
    "UndefinedStatusCode",
    "JsonSchemaError",
    "MissingContentType",
    "UndefinedContentType",
    "MalformedMediaType",
    "MalformedJson",
    "ContentDeserializationError",
    "MissingHeaders",
    "DiscriminatorMismatch",
    "AllowHeaderMismatch",
}
NEGATIVE_ACCEPTED = {"AcceptedNegativeData"}


def main():
    engine, run_dir, roles = sys.argv[1], sys.argv[2], sys.argv[3:]
    with open(f"{run_dir}/world.json") as f:
        world = json.load(f)
    totals = {"harness": "h4_schemathesis", "engine": engine, "runs": 0, "cases": 0, "findings": 0}
    found = False
    for role in roles:
        line = figures(engine, role, f"{run_dir}/{role}/report.json")
        print(json.dumps(line), flush=True)
        totals["runs"] += 1
        totals["cases"] += line["generated_cases"]
        totals["findings"] += line["findings"]
        for key in ("5xx", "schema_violations", "negative_data_accepted", "canary_hits", "other_failures"):
            totals[key] = totals.get(key, 0) + line[key]
        totals["operations_covered"] = max(totals.get("operations_covered", 0), line["operations_covered"])
        totals["operations_total"] = line["operations_total"]
        found |= line["findings"] > 0
    with open(f"{run_dir}/server.log", encoding="utf-8", errors="replace") as f:
        log = f.read()
    totals["canaries"] = len(world["canaries"])
    totals["canaries_in_log"] = sum(1 for c in world["canaries"] if c["text"] in log)
    totals["panics_in_log"] = log.count("panicked")
    # Canaries a run copied into a request (hooks.py): no longer checked.
    try:
        with open(f"{run_dir}/moved.txt") as f:
            totals["canaries_moved"] = len({line.strip() for line in f if line.strip()})
    except FileNotFoundError:
        totals["canaries_moved"] = 0
    found |= totals["canaries_in_log"] > 0 or totals["panics_in_log"] > 0
    print(json.dumps(totals), flush=True)
    return 1 if found else 0


def figures(engine, role, path):
    try:
        with open(path) as f:
            report = json.load(f)
    except (OSError, ValueError) as err:
        return {"harness": "h4_schemathesis", "engine": engine, "role": role, "error": str(err),
                "operations_covered": 0, "operations_total": 0, "generated_cases": 0, "5xx": 0,
                "schema_violations": 0, "negative_data_accepted": 0, "canary_hits": 0,
                "other_failures": 0, "findings": 1}
    by_kind = {"5xx": 0, "schema_violations": 0, "negative_data_accepted": 0, "canary_hits": 0, "other_failures": 0}
    failures = {}
    for group in report["failures"]:
        kind, count = group["type"], group["count"]
        if kind in SERVER_ERRORS:
            by_kind["5xx"] += count
        elif kind in SCHEMA_VIOLATIONS:
            by_kind["schema_violations"] += count
        elif kind in NEGATIVE_ACCEPTED:
            by_kind["negative_data_accepted"] += count
        elif group["title"].startswith("no_foreign_canary") or "canary" in group["title"].lower():
            by_kind["canary_hits"] += count
        else:
            by_kind["other_failures"] += count
        failures[f"{kind}: {group['title']}"] = count
    errors = sum(e["count"] for e in report["errors"])
    ops = report["operations"] or {}
    line = {
        "harness": "h4_schemathesis",
        "engine": engine,
        "role": role,
        "operations_covered": ops.get("tested", 0),
        "operations_total": ops.get("total", 0),
        "generated_cases": report["test_cases"]["generated"],
        **by_kind,
        "errors": errors,
        "complete": report["complete"],
        "seconds": round(report["running_time"] or 0, 1),
    }
    line["findings"] = sum(by_kind.values()) + errors + (0 if report["complete"] else 1)
    if failures:
        line["failures"] = failures
    if errors:
        line["error_titles"] = [e["title"] for e in report["errors"]]
    return line


if __name__ == "__main__":
    sys.exit(main())
