"""H4's custom schemathesis check: no response carries a canary its
reader may not see.

Loaded by `st run` through SCHEMATHESIS_HOOKS=hooks (with this folder on
PYTHONPATH). H4_WORLD names the world.json that seed.py wrote; H4_ROLE
is the role whose credentials this run sends (partner_a, partner_b,
stranger or anonymous).

Schemathesis reuses values it read in earlier responses when it makes new
requests, so a partner's run may copy its own canary (say, its token's
name) into a field the other partner reads (a respect area's name). That
is the partner sharing their own words, not a leak: a canary a run has
sent is recorded in H4_WORLD's folder as moved, and from then on it no
longer fails a later run's check. A run could only send a canary it
received, and receiving one it may not read already failed the check.
"""

import json
import os
import threading

import schemathesis

with open(os.environ["H4_WORLD"]) as f:
    _WORLD = json.load(f)
_ROLE = os.environ["H4_ROLE"]
_MOVED_FILE = os.path.join(os.path.dirname(os.environ["H4_WORLD"]), "moved.txt")
_LOCK = threading.Lock()


def _moved():
    try:
        with open(_MOVED_FILE) as f:
            return {line.strip() for line in f if line.strip()}
    except FileNotFoundError:
        return set()


# Every canary this role may not read, with whose it is, less those an
# earlier run moved.
_MOVED_BEFORE = _moved()
_FORBIDDEN = [
    (c["text"], c["owner"], c["field"])
    for c in _WORLD["canaries"]
    if _ROLE not in c["readers"] and c["text"] not in _MOVED_BEFORE
]
_ALL = [c["text"] for c in _WORLD["canaries"]]


@schemathesis.hook
def before_call(context, case, kwargs):
    """Records each canary this run sends, anywhere in the request."""
    sent = json.dumps(
        [case.path_parameters, case.query, case.headers, case.cookies, case.body, kwargs],
        default=str,
    )
    found = [text for text in _ALL if text in sent]
    if found:
        with _LOCK, open(_MOVED_FILE, "a") as f:
            f.write("".join(f"{text}\n" for text in found))


@schemathesis.check
def no_foreign_canary(ctx, response, case):
    """Fails when the body or a header holds another person's canary."""
    headers = "\n".join(f"{k}: {v}" for k, values in response.headers.items() for v in values)
    text = headers + "\n" + response.content.decode("utf-8", "replace")
    hits = [f"{owner}'s {field} ({marker})" for marker, owner, field in _FORBIDDEN if marker in text]
    if hits:
        raise AssertionError(f"{_ROLE} received {', '.join(hits)}")
    return None
