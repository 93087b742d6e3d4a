"""Adds a counselor to the couple bench/episodes/seed.py made, through the
real API (standard library only): a counselor account with two-step sign-in
(the code computed here, as an authenticator app would), invited by A for
every part, joined with the code, approved by B; then a bearer token for
the counselor. Appends COUNSELOR_TOKEN and COUNSELOR_COOKIE to the env file.

    python3 seed.py BASE ENV_FILE
"""

import base64
import hashlib
import hmac
import os
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from seedlib import Client  # noqa: E402


def totp(secret_b32, now=None):
    """RFC 6238, SHA-1, 6 digits, 30-second steps."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    step = int((now or time.time()) // 30)
    mac = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = mac[-1] & 15
    code = (struct.unpack(">I", mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{code:06d}"


def main():
    base, env_file = sys.argv[1], sys.argv[2]
    env = dict(line.strip().split("=", 1) for line in open(env_file) if "=" in line)
    c = Client(base)
    email, password = "counselor-bench@example.org", "quiet harbour lantern"
    c.call("POST", "/api/v1/accounts",
           {"email": email, "password": password, "display_name": "Dr Bench", "kind": "counselor"})
    _, resp = c.call("POST", "/api/v1/session", {"email": email, "password": password})
    cookie = next(v.split(";", 1)[0] for k, v in resp.getheaders()
                  if k.lower() == "set-cookie" and v.startswith("session="))
    started, _ = c.call("POST", "/api/v1/me/two-factor", {"password": password}, cookie=cookie)
    c.call("POST", "/api/v1/me/two-factor/confirm", {"code": totp(started["secret"])}, cookie=cookie)
    token, _ = c.call("POST", "/api/v1/tokens", {"name": "bench", "password": password}, cookie=cookie)
    r = f"/api/v1/relationships/{env['RELATIONSHIP']}"
    invited, _ = c.call("POST", f"{r}/counselor", {"email": email}, token=env["TOKEN_A"])
    c.call("POST", "/api/v1/counselor/join", {"code": invited["code"]}, token=token["token"])
    c.call("POST", f"{r}/counselor/{invited['id']}/approve", {}, token=env["TOKEN_B"])
    report, _ = c.call("GET", f"/api/v1/counselor/clients/{env['RELATIONSHIP']}/report",
                       token=token["token"])
    assert report["sections"]["episodes"] is not None, report
    with open(env_file, "a") as f:
        f.write(f"COUNSELOR_TOKEN={token['token']}\nCOUNSELOR_COOKIE={cookie}\n")


if __name__ == "__main__":
    main()
