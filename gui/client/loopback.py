"""Browser sign-in: a one-shot HTTP listener on 127.0.0.1 receives Zoho's redirect.

The flow uses PKCE (S256) and a random ``state``; it gives up after a time-out and stops
as soon as the cancel token is set. The page the browser lands on tells the user to go
back to the editor; no code or token is ever shown there.
"""

from __future__ import annotations

import html
import secrets
import threading
import time
import webbrowser
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from .errors import Cancelled, SignInError
from .oauth import OAuthClient, TokenGrant, pkce_pair
from .transport import CancelToken

CALLBACK_PATH = "/zcrm-editor/callback"
DEFAULT_TIMEOUT = 300.0


@dataclass
class _Outcome:
    code: str | None = None
    error: str | None = None
    accounts_server: str | None = None


class _Listener(HTTPServer):
    outcome: _Outcome
    expected_state: str
    done: threading.Event


class _CallbackHandler(BaseHTTPRequestHandler):
    server: _Listener

    def log_message(self, format: str, *args: object) -> None:  # the query holds the code: never log it
        return

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != CALLBACK_PATH:
            self._page(404, "Not found", "This address is only used to finish signing in to zcrm-editor.")
            return
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        outcome = self.server.outcome
        if self.server.done.is_set():
            self._page(200, "Already signed in", "You can close this tab.")
            return
        if not secrets.compare_digest(query.get("state", ""), self.server.expected_state):
            outcome.error = "state_mismatch"
            self._page(400, "Sign-in not accepted", "The reply did not match the sign-in zcrm-editor started. "
                                                    "Start the sign-in again from the editor.")
        elif "error" in query:
            outcome.error = query["error"]
            self._page(200, "Sign-in cancelled", "Access was declined. You can close this tab.")
        elif query.get("code"):
            outcome.code = query["code"]
            outcome.accounts_server = query.get("accounts-server")
            self._page(200, "Signed in", "zcrm-editor is finishing the sign-in. You can close this tab "
                                         "and go back to the editor.")
        else:
            outcome.error = "no_code"
            self._page(400, "Sign-in not accepted", "The reply carried no grant code.")
        self.server.done.set()

    def _page(self, status: int, title: str, text: str) -> None:
        body = (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title></head>"
                f"<body style='font-family:sans-serif;max-width:32em;margin:4em auto'><h1>{html.escape(title)}</h1>"
                f"<p>{html.escape(text)}</p></body></html>").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


class LoopbackSignIn:
    """Run one browser sign-in. ``open_browser`` gets the authorize URL (default: the system browser)."""

    def __init__(self, oauth: OAuthClient, scopes: tuple[str, ...],
                 open_browser: Callable[[str], object] = webbrowser.open, timeout: float = DEFAULT_TIMEOUT,
                 clock: Callable[[], float] = time.monotonic):
        self.oauth = oauth
        self.scopes = scopes
        self.open_browser = open_browser
        self.timeout = timeout
        self.clock = clock
        self.redirect_uri: str | None = None

    def run(self, cancel: CancelToken | None = None) -> TokenGrant:
        verifier, challenge = pkce_pair()
        state = secrets.token_urlsafe(24)
        listener = _Listener(("127.0.0.1", 0), _CallbackHandler)
        listener.outcome = _Outcome()
        listener.expected_state = state
        listener.done = threading.Event()
        thread = threading.Thread(target=listener.serve_forever, kwargs={"poll_interval": 0.1},
                                  name="zcrm-signin-listener", daemon=True)
        thread.start()
        try:
            self.redirect_uri = f"http://127.0.0.1:{listener.server_address[1]}{CALLBACK_PATH}"
            self.open_browser(self.oauth.authorize_url(self.scopes, self.redirect_uri, state, challenge))
            deadline = self.clock() + self.timeout
            while not listener.done.wait(0.1):
                if cancel is not None and cancel.cancelled:
                    raise Cancelled()
                if self.clock() >= deadline:
                    raise SignInError("TIMEOUT", "The browser sign-in did not finish in time. Try again.")
        finally:
            listener.shutdown()
            listener.server_close()
            thread.join(timeout=2)
        outcome = listener.outcome
        if outcome.error == "state_mismatch":
            raise SignInError("STATE_MISMATCH", "The browser's reply did not belong to this sign-in; nothing was "
                                                "accepted. Start the sign-in again.")
        if outcome.error is not None or not outcome.code:
            code = outcome.error or "no_code"
            message = "Access was declined in the browser." if code == "access_denied" else \
                f"The browser sign-in failed ({code})."
            raise SignInError(code.upper(), message)
        return self.oauth.exchange_code(outcome.code, self.redirect_uri, verifier)
