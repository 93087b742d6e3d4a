#!/usr/bin/env python3
"""Seeds a couple with a long history of sealed rounds through the real API.

    seed.py BASE_URL OUT_FILE [--history 100] [--chars 2000] [--deck defining_love]
            [--baseline-deck our_values]

Signs up two partners, signs each in and makes a bearer token, and creates a
relationship (partner A) that partner B joins with its invitation code. Then:

  * HISTORY complete revealed rounds of the conversation deck DECK: in each,
    both partners PUT an answer of CHARS characters to every prompt of the
    deck (GET R/conversations/DECK lists them), both submit (the second
    submit is the reveal), and partner A starts the next round with
    POST R/conversations/DECK/rounds, except after the last;
  * exactly one revealed round of BASELINE_DECK, answered the same way (the
    "one round" baseline for the status endpoint);
  * one complete revealed values round: both PUT R/values/answers with every
    item of GET R/values/items, importance 1 to 5 and a definition of CHARS
    characters, and both submit.

It then reads back the latest comparisons to check that what was written is
what the server answers. Writes `KEY=VALUE` lines (RELATIONSHIP, TOKEN_A,
TOKEN_B, ACCOUNT_A, ACCOUNT_B, DECK, BASELINE_DECK, HISTORY, PROMPTS,
BASELINE_PROMPTS, VALUE_ITEMS, CHARS, SEED_SECONDS) to OUT_FILE for run.sh.
Standard library only; 127.0.0.1 only.
"""

import argparse
import os
import random
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from seedlib import Client, couple  # noqa: E402  (the path above comes first)

WORDS = (
    "love is showing up when it is inconvenient and listening before answering "
    "it is the small things done every day without being asked and the big "
    "things said out loud when they are hard to say trust grows from kept "
    "promises and from owning the broken ones we give it in time in attention "
    "in patience and we feel it when the other notices what we carry"
).split()


def text(rng, tag, chars):
    """Exactly `chars` characters of prose (no blank at either end), starting with `tag`."""
    out = [tag]
    length = len(tag)
    while length < chars:
        word = rng.choice(WORDS)
        out.append(word)
        length += 1 + len(word)
    s = " ".join(out)[:chars]
    # The server trims; a cut that ends on a space would lose a character.
    return s[:-1] + "." if s.endswith(" ") else s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("base")
    ap.add_argument("out")
    ap.add_argument("--history", type=int, default=100)
    ap.add_argument("--chars", type=int, default=2000)
    ap.add_argument("--deck", default="defining_love")
    ap.add_argument("--baseline-deck", default="our_values")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    if args.history < 1:
        sys.exit("--history must be at least 1")
    rng = random.Random(args.seed)
    started = time.monotonic()

    c = Client(args.base)
    partners, rel_id = couple(c, "sealed")
    base = f"/api/v1/relationships/{rel_id}"
    a, b = partners

    def run_deck(deck, rounds):
        """`rounds` complete revealed rounds of `deck`; returns its prompt count."""
        path = f"{base}/conversations/{deck}"
        status, _ = c.call("GET", path, token=a["token"])
        prompts = [p["key"] for p in status["prompts"]]
        for number in range(1, rounds + 1):
            for p in partners:
                answers = [{"prompt": k, "text": text(rng, f"{p['name']}{number}-{k}:", args.chars)}
                           for k in prompts]
                saved, _ = c.call("PUT", f"{path}/answers", {"answers": answers}, token=p["token"])
                if saved["round"] != number or len(saved["answers"]) != len(prompts):
                    sys.exit(f"{deck} round {number}: unexpected draft {saved['round']}")
            for p in partners:
                c.call("POST", f"{path}/submit", {}, token=p["token"])
            if number < rounds:
                c.call("POST", f"{path}/rounds", {}, token=a["token"], expect=(201,))
        talk, _ = c.call("GET", f"{path}/comparison", token=b["token"])
        want_previous = rounds - 1 if rounds > 1 else None
        if talk["round"] != rounds or talk["previous_round"] != want_previous:
            sys.exit(f"{deck}: comparison is of round {talk['round']}, previous {talk['previous_round']}")
        for p in talk["prompts"]:
            if len(p["a"]) != args.chars or len(p["b"]) != args.chars:
                sys.exit(f"{deck}: an answer came back at another length")
        return len(prompts)

    prompts = run_deck(args.deck, args.history)
    baseline_prompts = run_deck(args.baseline_deck, 1)

    items, _ = c.call("GET", f"{base}/values/items", token=a["token"])
    keys = [i["key"] for i in items["items"]]
    for p in partners:
        answers = [{"item": k, "importance": rng.randint(1, 5),
                    "definition": text(rng, f"{p['name']}-{k}:", args.chars)} for k in keys]
        c.call("PUT", f"{base}/values/answers", {"answers": answers}, token=p["token"])
    for p in partners:
        c.call("POST", f"{base}/values/submit", {}, token=p["token"])
    compared, _ = c.call("GET", f"{base}/values/comparison", token=a["token"])
    if len(compared["items"]) != len(keys):
        sys.exit("values: the comparison does not hold every item")

    with open(args.out, "w") as out:
        for key, value in {
            "RELATIONSHIP": rel_id, "ACCOUNT_A": a["id"], "ACCOUNT_B": b["id"],
            "TOKEN_A": a["token"], "TOKEN_B": b["token"],
            "DECK": args.deck, "BASELINE_DECK": args.baseline_deck,
            "HISTORY": args.history, "PROMPTS": prompts, "BASELINE_PROMPTS": baseline_prompts,
            "VALUE_ITEMS": len(keys), "CHARS": args.chars,
            "SEED_SECONDS": f"{time.monotonic() - started:.1f}",
        }.items():
            out.write(f"{key}={value}\n")


if __name__ == "__main__":
    main()
