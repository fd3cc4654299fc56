"""Helpers for the client tests: a fake clock, a headless "browser" for the sandbox's
consent page, and readers for the sandbox's request log."""

from __future__ import annotations

import html
import json
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import requests
from fake_clock import START, FakeClock  # noqa: F401 - the suites import them from here

CLIENT_ID = "demo-client"
CLIENT_SECRET = "demo-secret"  # the sandbox's default client secret
DEMO_REFRESH_TOKEN = "demo-refresh-token"  # a refresh token every sandbox accepts

_HIDDEN = re.compile(r'<input type="hidden" name="([^"]*)" value="([^"]*)">')


def hidden_inputs(page: str) -> dict[str, str]:
    """The hidden inputs of the sandbox's consent form."""
    return {html.unescape(k): html.unescape(v) for k, v in _HIDDEN.findall(page)}


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {**query_of(url), **changes}
    return urlunsplit(parts._replace(query=urlencode(query)))


class HeadlessBrowser:
    """Plays the user's browser: opens the authorize URL, answers the consent form and
    follows the redirect to the editor's loopback listener.

    ``decision`` is "accept" or "deny"; ``tamper`` rewrites the redirect before it is
    followed. What happened is kept for the test to check.
    """

    def __init__(self, decision: str = "accept", tamper: Any = None):
        self.decision = decision
        self.tamper = tamper
        self.authorize_url: str | None = None
        self.form: dict[str, str] = {}
        self.redirect: str | None = None
        self.landing: requests.Response | None = None
        self.consent_status: int | None = None

    def __call__(self, url: str) -> bool:
        self.authorize_url = url
        with requests.Session() as browser:
            page = browser.get(url, timeout=10)
            assert page.status_code == 200, page.text
            self.form = hidden_inputs(page.text)
            assert self.form, "the consent page has no form"
            answer = browser.post(url.split("/oauth/v2/auth")[0] + "/oauth/v2/auth/consent",
                                  data={**self.form, "decision": self.decision}, allow_redirects=False, timeout=10)
            self.consent_status = answer.status_code
            self.redirect = answer.headers["Location"]
            target = self.tamper(self.redirect) if self.tamper else self.redirect
            self.landing = browser.get(target, timeout=10)
        return True


def log_entries(path: Path, settle: float = 0.02) -> list[dict[str, Any]]:
    """The sandbox's request log, one dict per request.

    The sandbox writes a line just after it sends the reply, so a client may already hold
    the reply before the line is there: read until the log stays the same for ``settle``.
    """
    def read() -> str:
        return path.read_text(encoding="utf-8") if path.exists() else ""

    text = read()
    while True:
        time.sleep(settle)
        again = read()
        if again == text:
            break
        text = again
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def calls_to(path: Path, method: str, api_path: str) -> list[dict[str, Any]]:
    return [e for e in log_entries(path) if e["method"] == method and e["path"] == api_path]


def every_file_text(root: Path) -> str:
    """Every file below ``root`` as text (bytes decoded leniently), for secret hunting."""
    out = []
    for file in sorted(root.rglob("*")):
        if file.is_file():
            out.append(f"--- {file}\n" + file.read_bytes().decode("utf-8", "replace"))
    return "\n".join(out)


def server_records(sandbox: Any, module: str, ids: list[str], fields: str) -> dict[str, dict[str, Any]]:
    """Records as the sandbox serves them, fetched over HTTP with a token of our own
    (faults switched off first, so the check itself cannot fail)."""
    sandbox.app.faults.rate = 0.0
    token = requests.post(sandbox.accounts_url + "/oauth/v2/token", timeout=10, data={
        "grant_type": "refresh_token", "refresh_token": DEMO_REFRESH_TOKEN, "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET}).json()["access_token"]
    out: dict[str, dict[str, Any]] = {}
    with requests.Session() as http:
        for start in range(0, len(ids), 200):
            reply = http.get(f"{sandbox.api_url}/crm/v2.1/{module}", timeout=10,
                             headers={"Authorization": f"Zoho-oauthtoken {token}"},
                             params={"ids": ",".join(ids[start:start + 200]), "fields": fields})
            assert reply.status_code == 200, reply.text
            out.update({r["id"]: r for r in reply.json()["data"]})
    return out
