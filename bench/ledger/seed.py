#!/usr/bin/env python3
"""Seeds a couple with ten years of ledger history through the real API.

    seed.py BASE_URL OUT_FILE [--contributions 20000] [--days 3650]
            [--acknowledged 0.85] [--workers 8] [--seed 1]

Signs up two partners, signs each in and makes a bearer token, creates a
relationship (partner A) that partner B joins with its invitation code, and
has both choose to see numbers. Then it records CONTRIBUTIONS contributions
spread over the last DAYS days, in all nine domains, each by its giver
(about 55% by A, 45% by B) with POST R/contributions, and has the receiver
acknowledge about ACKNOWLEDGED of them with a value from 1 to 5 (POST
R/contributions/{cid}/acknowledgment). Requests go out on WORKERS persistent
keep-alive connections. Writes `KEY=VALUE` lines (RELATIONSHIP, TOKEN_A,
TOKEN_B, ACCOUNT_A, ACCOUNT_B, FROM, TO, CONTRIBUTIONS, ACKNOWLEDGED,
SEED_SECONDS) to OUT_FILE for run.sh. Standard library only; 127.0.0.1 only.
"""

import argparse
import datetime
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from seedlib import Client, couple  # noqa: E402  (the path above comes first)

DOMAINS = [
    "household_labor", "money_and_goods", "emotional_support",
    "physical_affection", "sexual_intimacy", "parenting",
    "family_and_social", "planning", "personal_growth",
]
DESCRIPTIONS = [
    "Made dinner", "Did the laundry", "Paid the bills", "Listened after a hard day",
    "Long hug in the morning", "Planned the weekend", "Took the kids to school",
    "Called your mother", "Booked the holiday", "Fixed the bike",
    "Brought flowers", "Cleaned the kitchen", "Read together", "Remembered the dentist",
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("out")
    ap.add_argument("--contributions", type=int, default=20000)
    ap.add_argument("--days", type=int, default=3650)
    ap.add_argument("--acknowledged", type=float, default=0.85)
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    started = time.monotonic()

    c = Client(args.base)
    partners, rel_id = couple(c, "ledger")
    base = f"/api/v1/relationships/{rel_id}"
    a, b = partners
    for p in partners:
        c.call("PUT", f"{base}/preferences", {"show_numbers": True}, token=p["token"])

    today = datetime.date.today()
    first = today - datetime.timedelta(days=args.days - 1)
    plan = []
    for _ in range(args.contributions):
        giver, receiver = (a, b) if rng.random() < 0.55 else (b, a)
        plan.append((
            giver, receiver,
            {
                "domain": rng.choice(DOMAINS),
                "description": rng.choice(DESCRIPTIONS),
                "occurred_on": (first + datetime.timedelta(days=rng.randrange(args.days))).isoformat(),
                "effort": rng.randint(1, 5),
            },
            rng.randint(1, 5) if rng.random() < args.acknowledged else None,
        ))

    lock = threading.Lock()
    counts = {"contributions": 0, "acknowledged": 0}
    next_index = iter(range(len(plan)))

    def work():
        client = Client(args.base)
        while True:
            with lock:
                i = next(next_index, None)
            if i is None:
                return
            giver, receiver, body, value = plan[i]
            made, _ = client.call("POST", f"{base}/contributions", body, token=giver["token"], expect=(201,))
            acked = 0
            if value is not None:
                client.call("POST", f"{base}/contributions/{made['id']}/acknowledgment",
                            {"value": value}, token=receiver["token"])
                acked = 1
            with lock:
                counts["contributions"] += 1
                counts["acknowledged"] += acked

    threads = [threading.Thread(target=work) for _ in range(args.workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if counts["contributions"] != args.contributions:
        sys.exit("some contributions were not recorded")

    with open(args.out, "w") as out:
        for key, value in {
            "RELATIONSHIP": rel_id, "ACCOUNT_A": a["id"], "ACCOUNT_B": b["id"],
            "TOKEN_A": a["token"], "TOKEN_B": b["token"],
            "FROM": first.isoformat(), "TO": today.isoformat(),
            "CONTRIBUTIONS": counts["contributions"], "ACKNOWLEDGED": counts["acknowledged"],
            "SEED_SECONDS": f"{time.monotonic() - started:.1f}",
        }.items():
            out.write(f"{key}={value}\n")


if __name__ == "__main__":
    main()
