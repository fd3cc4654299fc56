"""OAuth with Zoho's accounts server: grant-code exchange (with PKCE), refresh, revoke,
and the in-memory access token that is refreshed ahead of expiry.

The token endpoint answers HTTP 200 even when it refuses; a body with ``error`` is a
refusal. Nothing here logs a token, a secret or a code.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Callable
from urllib.parse import urlencode

import requests

from .errors import NetworkError, SignInError, SignInRequired
from .transport import TIMEOUT, check_tls

log = logging.getLogger("zcrm.client.oauth")

REFUSALS = {
    "invalid_code": "The grant code is wrong, was already used or has expired. Create a new one and try again.",
    "invalid_client": "Zoho does not accept this client id and secret. Check them in the Zoho API Console.",
    "invalid_client_secret": "Zoho does not accept this client secret. Check it in the Zoho API Console.",
    "invalid_redirect_uri": "The redirect URI is not registered for this client in the Zoho API Console.",
    "access_denied": "Access was declined in the browser.",
}


@dataclass(frozen=True)
class TokenGrant:
    access_token: str
    expires_in: float
    refresh_token: str | None = None
    api_domain: str | None = None
    scope: str | None = None

    def __repr__(self) -> str:  # never print tokens by accident
        return f"TokenGrant(expires_in={self.expires_in}, api_domain={self.api_domain!r})"


def pkce_pair() -> tuple[str, str]:
    """A PKCE verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(64)[:96]
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class OAuthClient:
    def __init__(self, accounts_base: str, client_id: str, client_secret: str,
                 session: requests.Session | None = None, verify: bool = True):
        check_tls(accounts_base, verify)
        self.accounts_base = accounts_base.rstrip("/")
        self.client_id = client_id
        self._client_secret = client_secret
        self._session = session or requests.Session()
        self._verify = verify

    def authorize_url(self, scopes: tuple[str, ...], redirect_uri: str, state: str, code_challenge: str) -> str:
        query = {"scope": ",".join(scopes), "client_id": self.client_id, "response_type": "code",
                 "access_type": "offline", "prompt": "consent", "redirect_uri": redirect_uri, "state": state,
                 "code_challenge": code_challenge, "code_challenge_method": "S256"}
        return f"{self.accounts_base}/oauth/v2/auth?{urlencode(query)}"

    def exchange_code(self, code: str, redirect_uri: str | None = None, code_verifier: str | None = None) -> TokenGrant:
        form = {"grant_type": "authorization_code", "code": code.strip(), "client_id": self.client_id,
                "client_secret": self._client_secret}
        if redirect_uri:
            form["redirect_uri"] = redirect_uri
        if code_verifier:
            form["code_verifier"] = code_verifier
        grant = self._token_call(form)
        if not grant.refresh_token:
            raise SignInError("NO_REFRESH_TOKEN", "Zoho gave no refresh token. Ask for offline access and try again.")
        return grant

    def refresh(self, refresh_token: str) -> TokenGrant:
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": self.client_id,
                "client_secret": self._client_secret}
        try:
            return self._token_call(form)
        except SignInError as err:
            log.info("refreshing the access token failed: %s", err.code)
            raise SignInRequired() from None

    def revoke(self, token: str) -> None:
        try:
            self._session.post(f"{self.accounts_base}/oauth/v2/token/revoke", data={"token": token},
                               timeout=TIMEOUT, verify=self._verify, allow_redirects=False)
        except requests.RequestException as err:
            raise NetworkError(f"could not reach the Zoho accounts server ({err.__class__.__name__})") from None

    def _token_call(self, form: dict[str, str]) -> TokenGrant:
        try:
            reply = self._session.post(f"{self.accounts_base}/oauth/v2/token", data=form, timeout=TIMEOUT,
                                       verify=self._verify, allow_redirects=False)
        except requests.RequestException as err:
            raise NetworkError(f"could not reach the Zoho accounts server ({err.__class__.__name__})") from None
        try:
            body = reply.json()
        except ValueError:
            raise SignInError("BAD_REPLY", f"The Zoho accounts server sent a reply that is not JSON "
                                           f"(HTTP {reply.status_code}).") from None
        if not isinstance(body, dict):
            raise SignInError("BAD_REPLY", "The Zoho accounts server sent an unexpected reply.")
        if "error" in body or not body.get("access_token"):
            code = str(body.get("error") or "no_access_token")
            raise SignInError(code.upper(), REFUSALS.get(code, f"Zoho refused the sign-in ({code})."))
        try:
            expires_in = float(body.get("expires_in", 3600))
        except (TypeError, ValueError):
            expires_in = 3600.0
        return TokenGrant(str(body["access_token"]), expires_in, body.get("refresh_token") or None,
                          body.get("api_domain") or None, body.get("scope") or None)


class TokenManager:
    """Keeps the access token in memory and refreshes it ahead of expiry or once when rejected."""

    def __init__(self, oauth: OAuthClient, refresh_token: str, clock: Callable[[], float] = time.monotonic,
                 margin: float = 60.0, on_secret: Callable[[str], None] | None = None):
        self._oauth = oauth
        self._refresh_token = refresh_token
        self._clock = clock
        self._margin = margin
        self._on_secret = on_secret
        self._access: str | None = None
        self._expires = 0.0
        self._lock = threading.Lock()
        self.refreshes = 0
        self.api_domain: str | None = None

    def prime(self, grant: TokenGrant) -> None:
        """Use a token just obtained by a sign-in instead of refreshing at once."""
        with self._lock:
            self._store(grant)

    def access_token(self) -> str:
        with self._lock:
            if self._access is None or self._clock() >= self._expires:
                self._refresh()
            assert self._access is not None
            return self._access

    def refresh_after_rejection(self, rejected: str) -> None:
        with self._lock:
            if self._access == rejected:  # another thread may have refreshed already
                self._refresh()

    def _refresh(self) -> None:
        grant = self._oauth.refresh(self._refresh_token)
        self.refreshes += 1
        self._store(grant)

    def _store(self, grant: TokenGrant) -> None:
        self._access = grant.access_token
        if self._on_secret is not None:
            self._on_secret(grant.access_token)
        # Refresh a little before the end: a minute, or half the lifetime of short tokens.
        early = min(self._margin, grant.expires_in / 2)
        self._expires = self._clock() + grant.expires_in - early
        self.api_domain = grant.api_domain or self.api_domain
