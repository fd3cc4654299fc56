"""Helpers for the sandbox tests: a fake clock, PKCE, the token endpoint, and a small
HTTP client for ``/crm/v2.1`` that gets its access token through the real token endpoint.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import requests
from fake_clock import START, FakeClock  # noqa: F401 - the suites import them from here

from gui.sandbox import SandboxServer

CLIENT_ID = "demo-client"
CLIENT_SECRET = "demo-secret"
REFRESH_TOKEN = "demo-refresh-token"
API = "/crm/v2.1"
LOOPBACK = "http://127.0.0.1:53682/callback"


def pkce_pair(verifier: str = "a-long-enough-code-verifier-0123456789-abcdefghijklmnop") -> tuple[str, str]:
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_call(base_url: str, **form: str) -> requests.Response:
    return requests.post(base_url + "/oauth/v2/token", data=form, timeout=10)


def refresh_access_token(base_url: str, refresh_token: str = REFRESH_TOKEN) -> str:
    reply = token_call(base_url, grant_type="refresh_token", refresh_token=refresh_token,
                       client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert "error" not in body, body
    return body["access_token"]


def exchange_code(base_url: str, code: str, redirect_uri: str | None = None,
                  verifier: str | None = None) -> dict[str, Any]:
    form = {"grant_type": "authorization_code", "code": code, "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET}
    if redirect_uri is not None:
        form["redirect_uri"] = redirect_uri
    if verifier is not None:
        form["code_verifier"] = verifier
    reply = token_call(base_url, **form)
    assert reply.status_code == 200
    return reply.json()


class Api:
    """A tiny client for ``/crm/v2.1``: adds the Authorization header, nothing else."""

    def __init__(self, server: SandboxServer | str, token: str | None = None):
        """``server``: a running :class:`SandboxServer`, or the base URL of one (e.g. a child process)."""
        self.base = server if isinstance(server, str) else server.base_url
        self.token = token if token is not None else refresh_access_token(self.base)
        self.session = requests.Session()

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        out = {"Authorization": f"Zoho-oauthtoken {self.token}"}
        out.update(extra or {})
        return out

    def request(self, method: str, path: str, *, headers: dict[str, str] | None = None,
                **kwargs: Any) -> requests.Response:
        url = path if path.startswith("http") else self.base + API + path
        kwargs.setdefault("timeout", 15)
        return self.session.request(method, url, headers=self.headers(headers), **kwargs)

    def get(self, path: str, **params: Any) -> requests.Response:
        return self.request("GET", path, params=params or None)

    def put(self, path: str, payload: Any) -> requests.Response:
        return self.request("PUT", path, json=payload)

    def post(self, path: str, payload: Any) -> requests.Response:
        return self.request("POST", path, json=payload)

    def raw(self, method: str, path: str, body: bytes) -> requests.Response:
        """Send bytes exactly as given, without a Content-Type header (like Zoho's SDK)."""
        return self.request(method, path, data=body)

    # -- conveniences -------------------------------------------------------------
    def all_records(self, module: str, fields: str | None = None) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        page = 1
        while True:
            params: dict[str, Any] = {"page": page, "per_page": 200}
            if fields:
                params["fields"] = fields
            reply = self.get(f"/{module}", **params)
            if reply.status_code == 204:
                return out
            assert reply.status_code == 200, reply.text
            body = reply.json()
            out.extend(body["data"])
            if not body["info"]["more_records"]:
                return out
            page += 1

    def record(self, module: str, record_id: str) -> dict[str, Any]:
        reply = self.get(f"/{module}/{record_id}")
        assert reply.status_code == 200, reply.text
        return reply.json()["data"][0]

    def editable(self, module: str = "Leads", count: int = 1) -> list[dict[str, Any]]:
        rows = [r for r in self.all_records(module)
                if r.get("$approved") is True and r.get("$locked_for_me") is False and r.get("$editable") is True]
        assert len(rows) >= count
        return rows[:count]

    def upload(self, name: str, content: bytes, content_type: str = "application/octet-stream") -> str:
        reply = self.request("POST", "/files", files={"file": (name, content, content_type)})
        assert reply.status_code == 200, reply.text
        entry = reply.json()["data"][0]
        assert entry["code"] == "SUCCESS", entry
        return entry["details"]["id"]


def error_of(reply: requests.Response) -> dict[str, Any]:
    """The top-level error envelope of a reply, checked for its shape."""
    body = reply.json()
    assert body["status"] == "error", body
    assert set(body) == {"code", "details", "message", "status"}, body
    return body


def only_entry(reply: requests.Response) -> dict[str, Any]:
    body = reply.json()
    assert len(body["data"]) == 1, body
    return body["data"][0]


def dumps(payload: Any) -> bytes:
    return json.dumps(payload).encode()
