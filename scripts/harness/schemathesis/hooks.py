"""H4's custom schemathesis check: no response carries a canary its
reader may not see.

Loaded by `st run` through SCHEMATHESIS_HOOKS=hooks (with this folder on
PYTHONPATH). H4_WORLD names the world.json that seed.py wrote; H4_ROLE
is the role whose credentials this run sends (partner_a, partner_b,
stranger or anonymous).
"""

import json
import os

import schemathesis

with open(os.environ["H4_WORLD"]) as f:
    _WORLD = json.load(f)
_ROLE = os.environ["H4_ROLE"]
# Every canary this role may not read, with whose it is.
_FORBIDDEN = [(c["text"], c["owner"], c["field"]) for c in _WORLD["canaries"] if _ROLE not in c["readers"]]


@schemathesis.check
def no_foreign_canary(ctx, response, case):
    """Fails when the body or a header holds another person's canary."""
    headers = "\n".join(f"{k}: {v}" for k, values in response.headers.items() for v in values)
    text = headers + "\n" + response.content.decode("utf-8", "replace")
    hits = [f"{owner}'s {field} ({marker})" for marker, owner, field in _FORBIDDEN if marker in text]
    if hits:
        raise AssertionError(f"{_ROLE} received {', '.join(hits)}")
    return None
