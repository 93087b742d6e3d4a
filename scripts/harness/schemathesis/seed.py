"""H4's world: two partners in a relationship and a stranger, each with a
personal API token, and data holding planted canaries.

    python3 seed.py BASE_URL OUT_DIR

Writes OUT_DIR/world.json (tokens, ids, and every canary with the roles
allowed to read it) and OUT_DIR/schemathesis.toml (which real ids the
fuzzer may put in paths). Talks to the real server over HTTP with the
standard library only; any unexpected answer stops the script.

Who may read what (SECURITY.md §1.3): a partner's drafts and token names
are theirs alone; a contribution and a thank-you are the couple's; the
stranger's words are the stranger's. No anonymous caller reads any.
"""

import json
import sys
import urllib.error
import urllib.request
import uuid
from http.cookiejar import CookieJar

PASSWORD = "a long password for h4"
DECK = "defining_love"


class Person:
    """A client with a cookie jar of its own (the seed signs in with a
    session, since making a token needs one)."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def call(self, method, path, body=None, expect=200):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with self.opener.open(request, timeout=30) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as err:
            status, text = err.code, err.read().decode()
        if status != expect:
            sys.exit(f"seed: {method} {path} answered {status}, expected {expect}: {text}")
        return json.loads(text) if text else None


class Canaries:
    """Unique markers, each with the roles allowed to read it."""

    def __init__(self):
        self.all = []

    def plant(self, owner, field, readers):
        text = f"CANARY-{owner}-{field}-{uuid.uuid4().hex[:12]}"
        self.all.append({"text": text, "owner": owner, "field": field, "readers": sorted(readers)})
        return text


def sign_up(base, canaries, role, readers_of_name):
    person = Person(base)
    email = f"{role}.{uuid.uuid4().hex[:8]}@example.org"
    name = canaries.plant(role, "display_name", readers_of_name)
    created = person.call(
        "POST", "/api/v1/accounts", {"email": email, "password": PASSWORD, "display_name": name}, 201
    )
    person.call("POST", "/api/v1/session", {"email": email, "password": PASSWORD, "remember": True}, 200)
    token_name = canaries.plant(role, "token_name", {role})
    token = person.call("POST", "/api/v1/tokens", {"name": token_name, "password": PASSWORD}, 201)
    return person, {"account_id": created["id"], "token": token["token"], "token_id": token["id"]}


def main():
    base, out = sys.argv[1].rstrip("/"), sys.argv[2]
    canaries = Canaries()
    couple = {"partner_a", "partner_b"}
    a, role_a = sign_up(base, canaries, "partner_a", couple)
    b, role_b = sign_up(base, canaries, "partner_b", couple)
    s, role_s = sign_up(base, canaries, "stranger", {"stranger"})

    created = a.call("POST", "/api/v1/relationships", {}, 201)
    rel = created["id"]
    b.call("POST", "/api/v1/relationships/join", {"invite_code": created["invite_code"]}, 200)
    r = f"/api/v1/relationships/{rel}"

    # Shared words: A's contribution, thanked by B with a note.
    desc = canaries.plant("partner_a", "contribution", couple)
    cid = a.call(
        "POST",
        f"{r}/contributions",
        {"domain": "household_labor", "description": desc, "effort": 3, "minutes": 20},
        201,
    )["id"]
    note = canaries.plant("partner_b", "thanks_note", couple)
    b.call("POST", f"{r}/contributions/{cid}/acknowledgment", {"value": 4, "note": note}, 200)
    # One entry of B's, not thanked, so A's run can try to thank and B's to correct it.
    desc_b = canaries.plant("partner_b", "contribution", couple)
    cid_b = b.call(
        "POST",
        f"{r}/contributions",
        {"domain": "emotional_support", "description": desc_b, "effort": 2},
        201,
    )["id"]

    # Private drafts, never submitted: values definitions and a deck's answers.
    items = [i["key"] for i in a.call("GET", f"{r}/values/items")["items"]]
    prompts = [p["key"] for p in a.call("GET", f"{r}/conversations/{DECK}")["prompts"]]
    for person, role in ((a, "partner_a"), (b, "partner_b")):
        answers = [
            {"key": k, "importance": 3, "definition": canaries.plant(role, "values_draft", {role})}
            for k in items
        ]
        person.call("PUT", f"{r}/values/answers", {"answers": answers}, 200)
        answers = [{"key": k, "text": canaries.plant(role, "conversation_draft", {role})} for k in prompts]
        person.call("PUT", f"{r}/conversations/{DECK}/answers", {"answers": answers}, 200)

    # Private reflections, readable by their author alone.
    for person, role in ((a, "partner_a"), (b, "partner_b")):
        text = canaries.plant(role, "reflection", {role})
        person.call("POST", f"{r}/reflections", {"text": text}, 201)

    # An agreement A proposed and B countered: shared words, sealed with the couple's key.
    aid = a.call(
        "POST",
        f"{r}/agreements",
        {
            "domain": "household_labor",
            "title": canaries.plant("partner_a", "agreement_title", couple),
            "terms": canaries.plant("partner_a", "agreement_terms", couple),
        },
        201,
    )["id"]
    b.call(
        "POST",
        f"{r}/agreements/{aid}/counter",
        {"terms": canaries.plant("partner_b", "agreement_terms", couple)},
        200,
    )

    # An episode A recorded and shared (its title shared words), with a turn
    # each way; and one A keeps to herself (a private title).
    eid = a.call(
        "POST",
        f"{r}/episodes",
        {"title": canaries.plant("partner_a", "episode_title", couple), "kind": "conflict", "share": True},
        201,
    )["id"]
    for actor in (role_a["account_id"], role_b["account_id"]):
        a.call("POST", f"{r}/episodes/{eid}/turns",
               {"actor_id": actor, "code": "criticism", "intensity": 2}, 201)
    a.call(
        "POST",
        f"{r}/episodes",
        {"title": canaries.plant("partner_a", "episode_title", {"partner_a"}), "kind": "everyday"},
        201,
    )

    # The stranger's own words, in a relationship of their own still waiting for a partner.
    s.call("POST", "/api/v1/relationships", {}, 201)

    world = {
        "base": base,
        "relationship": rel,
        "contributions": [cid, cid_b],
        "agreements": [aid],
        "episodes": [eid],
        "deck": DECK,
        "roles": {"partner_a": role_a, "partner_b": role_b, "stranger": role_s},
        "canaries": canaries.all,
    }
    with open(f"{out}/world.json", "w") as f:
        json.dump(world, f, indent=2)
    with open(f"{out}/schemathesis.toml", "w") as f:
        f.write(config(world))


def config(world):
    """Real ids as dictionaries the fuzzer draws from half the time, so it
    reaches the handlers past the 404 and still tries ids that exist
    nowhere."""
    rel = json.dumps(world["relationship"])
    cids = json.dumps(world["contributions"])
    deck = json.dumps(world["deck"])
    aids = json.dumps(world["agreements"])
    eids = json.dumps(world["episodes"])
    return f"""# Written by scripts/harness/schemathesis/seed.py for one run.

# positive_data_acceptance: 422 is also an acceptable answer to data the
# document calls valid. 422 is a rule about a value's meaning that a JSON
# schema cannot state: a day at most one day ahead, a password strong
# enough and not the owner's name, an invitation code that exists, an
# area name not already on the map. What a schema can state (types,
# ranges, enums, required fields) answers 400 when broken, and 400 to
# schema-valid data still fails the check.
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]

[dictionaries.relationship]
values = [{rel}]
[dictionaries.contribution]
values = {cids}
[dictionaries.deck]
values = [{deck}]
[dictionaries.agreement]
values = {aids}
[dictionaries.episode]
values = {eids}

[[operations]]
include-path-regex = "^/api/v1/relationships/[{{]id[}}]"
parameters = {{ "path.id" = {{ dictionary = "relationship", probability = 0.5 }}, "path.cid" = {{ dictionary = "contribution", probability = 0.5 }}, "path.deck" = {{ dictionary = "deck", probability = 0.5 }}, "path.aid" = {{ dictionary = "agreement", probability = 0.5 }}, "path.eid" = {{ dictionary = "episode", probability = 0.5 }} }}
"""


if __name__ == "__main__":
    main()
