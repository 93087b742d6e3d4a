#!/usr/bin/env python3
"""Seeds a couple with two years of episodes through the real API.

    seed.py BASE_URL OUT_FILE [--episodes 1000] [--turns 20]

Signs up two partners in one relationship (`seedlib.couple`). Partner A
records EPISODES episodes over the last two years (a third conflicts, the
rest everyday exchanges), each of TURNS turns that mostly alternate
between the two, with codes drawn so that some negative turns answer
negative ones and some escalate (spirals); most are shared. Partner B adds
their own view to one in five shared episodes, shared too, and both write
a repair for one in ten. Writes RELATIONSHIP, TOKEN_A, COOKIE_A, EPISODES,
TURNS and SEED_SECONDS to OUT_FILE. Standard library only; 127.0.0.1 only.
"""

import argparse
import datetime
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from seedlib import Client, couple  # noqa: E402

NEGATIVE = ["criticism", "contempt", "defensiveness", "stonewalling", "turning_away"]
POSITIVE = ["gentle_start_up", "appreciation", "taking_responsibility", "repair_attempt",
            "affection", "humor", "turning_toward", "bid"]


def turns_of(rng, n, ids, conflict):
    """N turns: partners mostly alternate; negativity is catching."""
    actor = rng.randrange(2)
    previous_negative, intensity = False, 1
    out = []
    for _ in range(n):
        p_negative = (0.55 if previous_negative else 0.25) if conflict else 0.12
        negative = rng.random() < p_negative
        if negative:
            intensity = min(5, intensity + rng.choice([0, 0, 1])) if previous_negative else rng.randint(1, 3)
            code = rng.choice(NEGATIVE)
        else:
            intensity = rng.randint(1, 3)
            code = rng.choice(POSITIVE) if rng.random() < 0.85 else "neutral"
        out.append({"actor_id": ids[actor], "code": code, "intensity": intensity})
        previous_negative = negative
        if rng.random() < 0.92:
            actor = 1 - actor
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("out")
    ap.add_argument("--episodes", type=int, default=1000)
    ap.add_argument("--turns", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    started = time.monotonic()
    c = Client(args.base)
    (a, b), rel = couple(c, "episodes")
    r = f"/api/v1/relationships/{rel}/episodes"
    ids = [a["id"], b["id"]]
    today = datetime.date.today()
    for k in range(args.episodes):
        on = (today - datetime.timedelta(days=730 * (args.episodes - k) // args.episodes)).isoformat()
        conflict = k % 3 == 0
        shared = rng.random() < 0.85
        e, _ = c.call("POST", r, {"title": f"Episode {k}: a few words about it", "kind":
                                  "conflict" if conflict else "everyday", "occurred_at": on,
                                  "share": shared}, token=a["token"], expect=(201,))
        for t in turns_of(rng, args.turns, ids, conflict):
            c.call("POST", f"{r}/{e['id']}/turns", t, token=a["token"], expect=(201,))
        if shared and k % 5 == 0:
            for t in turns_of(rng, args.turns, ids, conflict):
                c.call("POST", f"{r}/{e['id']}/turns", t, token=b["token"], expect=(201,))
            c.call("PUT", f"{r}/{e['id']}/share", {"share": True}, token=b["token"], expect=(204,))
        if shared and k % 10 == 0:
            for who, part in ((a, "I raised my voice." if rng.random() < 0.7 else ""),
                              (b, "I went quiet instead of saying I was hurt.")):
                c.call("PUT", f"{r}/{e['id']}/repair",
                       {"my_part": part, "felt": "Tired and unheard.", "needed": "A pause.",
                        "next_time": "Ask for twenty minutes and come back."},
                       token=who["token"])
    pattern, _ = c.call("GET", f"/api/v1/relationships/{rel}/negative-reciprocity", token=a["token"])
    assert pattern["episodes"] == args.episodes, pattern["episodes"]
    assert pattern["turns"] == args.episodes * args.turns, pattern["turns"]
    with open(args.out, "w") as f:
        for k, v in {
            "RELATIONSHIP": rel, "TOKEN_A": a["token"], "COOKIE_A": a["cookie"],
            "TOKEN_B": b["token"],
            "EPISODES": args.episodes, "TURNS": args.turns,
            "SEED_SECONDS": round(time.monotonic() - started, 1),
        }.items():
            f.write(f"{k}={v}\n")


if __name__ == "__main__":
    main()
