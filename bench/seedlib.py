"""What the benchmark seeders share: a keep-alive client for the real API and
a couple made through it (standard library only)."""

import http.client
import json
import sys
import urllib.parse


class Client:
    """One keep-alive HTTP/1.1 connection to the server."""

    def __init__(self, base):
        url = urllib.parse.urlsplit(base)
        if url.hostname not in ("127.0.0.1", "localhost", "::1"):
            sys.exit("seed.py talks to loopback only")
        self.host, self.port = url.hostname, url.port
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)

    def call(self, method, path, body=None, token=None, cookie=None, expect=(200, 201)):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if cookie:
            headers["Cookie"] = cookie
        data = None if body is None else json.dumps(body)
        for attempt in range(3):
            try:
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                raw = resp.read()
                break
            except (ConnectionError, http.client.HTTPException):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                if attempt == 2:
                    raise
        if resp.status not in expect:
            sys.exit(f"{method} {path}: {resp.status} {raw[:300]!r}")
        parsed = json.loads(raw) if raw else None
        return parsed, resp


def couple(c, tag):
    """Two accounts (A and B), each with a bearer token, joined in one
    relationship. Returns (partners, relationship id), where each partner is
    {"id", "token", "name"}."""
    partners = []
    for name in ("a", "b"):
        email, password = f"{tag}-{name}@example.org", "quiet harbour lantern"
        account, _ = c.call("POST", "/api/v1/accounts",
                            {"email": email, "password": password, "display_name": name.upper()})
        _, resp = c.call("POST", "/api/v1/session", {"email": email, "password": password})
        cookie = None
        for key, value in resp.getheaders():
            if key.lower() == "set-cookie" and value.startswith("session="):
                cookie = value.split(";", 1)[0]
        if not cookie:
            sys.exit("no session cookie in the sign-in answer")
        token, _ = c.call("POST", "/api/v1/tokens", {"name": f"{tag}-bench", "password": password}, cookie=cookie)
        partners.append({"id": account["id"], "token": token["token"], "name": name.upper(),
                         "cookie": cookie})
    a, b = partners
    rel, _ = c.call("POST", "/api/v1/relationships", {}, token=a["token"])
    c.call("POST", "/api/v1/relationships/join", {"invite_code": rel["invite_code"]}, token=b["token"])
    return partners, rel["id"]
