#!/usr/bin/env python3
"""Seeds a couple with years of weekly check-ins through the real API.

    seed.py BASE_URL OUT_FILE [--weeks 261]

Signs up two partners in one relationship (`seedlib.couple`). Each keeps a
check-in every week for WEEKS weeks (five years by default), dated in the
past with `on` (as a check-in done on paper is entered); about four in five
are shared, so the partner's series and reciprocated love are computed too.
Answers drift slowly with a little noise. Writes RELATIONSHIP, TOKEN_A,
COOKIE_A, WEEKS and SEED_SECONDS to OUT_FILE. Standard library only;
127.0.0.1 only.
"""

import argparse
import datetime
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from seedlib import Client, couple  # noqa: E402

KEYS = ["satisfaction", "rewards", "costs", "investment", "alternatives", "commitment",
        "passion", "love_given", "love_received", "respected"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("out")
    ap.add_argument("--weeks", type=int, default=261)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    started = time.monotonic()
    c = Client(args.base)
    (a, b), rel = couple(c, "checkins")
    r = f"/api/v1/relationships/{rel}/checkins"
    today = datetime.date.today()
    for week in range(args.weeks, 0, -1):
        on = (today - datetime.timedelta(days=7 * week)).isoformat()
        for who in (a, b):
            body = {"on": on, "share": rng.random() < 0.8}
            for i, key in enumerate(KEYS):
                drift = 4 + 2 * ((week + 13 * i) % 40) / 40
                body[key] = max(0, min(8, round(drift + rng.uniform(-1.5, 1.5))))
            c.call("POST", r, body, token=who["token"], expect=(201,))
    summary, _ = c.call("GET", f"{r}/summary", token=a["token"])
    assert len(summary["partners"][0]["series"]) == args.weeks, len(summary["partners"][0]["series"])
    assert len(summary["partners"]) == 2
    with open(args.out, "w") as f:
        for k, v in {
            "RELATIONSHIP": rel, "TOKEN_A": a["token"], "COOKIE_A": a["cookie"],
            "WEEKS": args.weeks, "SEED_SECONDS": round(time.monotonic() - started, 1),
        }.items():
            f.write(f"{k}={v}\n")


if __name__ == "__main__":
    main()
