#!/usr/bin/env python3
"""Seeds a couple with many agreements through the real API.

    seed.py BASE_URL OUT_FILE [--agreements 500] [--thread 30] [--chars 600]

Signs up two partners (bearer token each) in one relationship
(`seedlib.couple`). Partner A proposes AGREEMENTS agreements across the nine
domains, each with a title and terms of CHARS characters; a third of them
partner B accepts (agreed), a sixth B declines with a reason, the rest wait.
One more agreement is negotiated for THREAD versions: A proposes, then B and
A counter in turn (each counter rewrites part of the terms), and the last
version is accepted. Writes RELATIONSHIP, TOKEN_A, TOKEN_B, THREAD_ID,
AGREEMENTS (the total), THREAD, CHARS and SEED_SECONDS to OUT_FILE.
Standard library only; 127.0.0.1 only.
"""

import argparse
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from seedlib import Client, couple  # noqa: E402

DOMAINS = [
    "household_labor", "money_and_goods", "emotional_support", "physical_affection",
    "sexual_intimacy", "parenting", "family_and_social", "planning", "personal_growth",
]
WORDS = (
    "we take turns with the dishes on weekdays and whoever cooks does not clean "
    "on sundays we plan the week together and check in about money once a month "
    "each of us has an evening alone every week and we say so early when plans change"
).split()


def text(rng, tag, chars):
    out, length = [tag], len(tag)
    while length < chars:
        word = rng.choice(WORDS)
        out.append(word)
        length += 1 + len(word)
    s = " ".join(out)[:chars]
    return s[:-1] + "." if s.endswith(" ") else s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("out")
    ap.add_argument("--agreements", type=int, default=500)
    ap.add_argument("--thread", type=int, default=30)
    ap.add_argument("--chars", type=int, default=600)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    started = time.monotonic()
    c = Client(args.base)
    (a, b), rel = couple(c, "agreements")
    r = f"/api/v1/relationships/{rel}/agreements"

    # The long thread first, so the others are "more recently changed".
    body = {"domain": "planning", "title": "Sunday planning",
            "terms": text(rng, "v1", args.chars)}
    thread, _ = c.call("POST", r, body, token=a["token"], expect=(201,))
    tid = thread["id"]
    for n in range(2, args.thread + 1):
        who = b if n % 2 == 0 else a
        c.call("POST", f"{r}/{tid}/counter", {"terms": text(rng, f"v{n}", args.chars)},
               token=who["token"])
    last = b if args.thread % 2 == 1 else a  # the one who did not write the last version
    c.call("POST", f"{r}/{tid}/accept", {"version": args.thread}, token=last["token"])

    for i in range(args.agreements - 1):
        body = {"domain": DOMAINS[i % len(DOMAINS)], "title": text(rng, f"#{i}", 60),
                "terms": text(rng, f"terms{i}", args.chars)}
        made, _ = c.call("POST", r, body, token=a["token"], expect=(201,))
        if i % 3 == 0:
            c.call("POST", f"{r}/{made['id']}/accept", {"version": 1}, token=b["token"])
        elif i % 6 == 1:
            c.call("POST", f"{r}/{made['id']}/decline",
                   {"version": 1, "reason": text(rng, "why", 200)}, token=b["token"])

    listed, _ = c.call("GET", r, token=a["token"])
    assert len(listed) == args.agreements, len(listed)
    got, _ = c.call("GET", f"{r}/{tid}", token=a["token"])
    assert len(got["versions"]) == args.thread and got["status"] == "accepted", got["status"]
    with open(args.out, "w") as f:
        for k, v in {
            "RELATIONSHIP": rel, "TOKEN_A": a["token"], "TOKEN_B": b["token"],
            "THREAD_ID": tid, "AGREEMENTS": args.agreements, "THREAD": args.thread,
            "CHARS": args.chars, "SEED_SECONDS": round(time.monotonic() - started, 1),
        }.items():
            f.write(f"{k}={v}\n")


if __name__ == "__main__":
    main()
