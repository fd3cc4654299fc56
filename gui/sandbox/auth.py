"""OAuth 2.0 as Zoho's accounts server does it: grant codes (with PKCE), refresh tokens,
access tokens with a lifetime, revocation, and scope checks for API calls.

Token endpoint failures answer HTTP 200 with ``{"error": ...}``, like the real server.
"""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
import threading
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlencode, urlsplit

from .errors import ApiError

DEFAULT_SCOPES = (
    "ZohoCRM.modules.ALL", "ZohoCRM.settings.ALL", "ZohoCRM.users.READ", "ZohoCRM.org.READ",
    "ZohoCRM.mass_update.ALL", "ZohoCRM.Files.CREATE", "ZohoCRM.coql.READ",
)
GRANT_CODE_TTL = 180.0  # seconds a grant code stays usable (guess; Zoho documents "a few minutes")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")


@dataclass
class Grant:
    client_id: str
    scopes: tuple[str, ...]
    user_id: str
    redirect_uri: str | None = None
    challenge: str | None = None
    expires: float = 0.0


@dataclass
class AccessToken:
    refresh_token: str
    scopes: tuple[str, ...]
    user_id: str
    expires: float


@dataclass
class OAuthState:
    client_id: str
    client_secret: str
    token_ttl: float
    clock: Callable[[], float]
    user_id: str
    codes: dict[str, Grant] = field(default_factory=dict)
    refresh_tokens: dict[str, Grant] = field(default_factory=dict)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_refresh_token(self, token: str, scopes: tuple[str, ...] = DEFAULT_SCOPES) -> None:
        with self.lock:
            self.refresh_tokens[token] = Grant(self.client_id, scopes, self.user_id)

    def issue_grant_code(self, scopes: tuple[str, ...] = DEFAULT_SCOPES, redirect_uri: str | None = None,
                         challenge: str | None = None) -> str:
        """A one-time grant code, as the consent page or a Self Client would hand out."""
        code = "1000." + secrets.token_hex(16) + "." + secrets.token_hex(16)
        with self.lock:
            self.codes[code] = Grant(self.client_id, scopes, self.user_id, redirect_uri, challenge,
                                     self.clock() + GRANT_CODE_TTL)
        return code

    # -- token endpoint ------------------------------------------------------------
    def token(self, form: dict[str, str], api_domain: str) -> dict[str, object]:
        grant_type = form.get("grant_type", "")
        if grant_type not in ("refresh_token", "authorization_code"):
            return {"error": "unsupported_grant_type"}
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return {"error": "invalid_client"}
        with self.lock:
            if grant_type == "refresh_token":
                refresh = form.get("refresh_token", "")
                grant = self.refresh_tokens.get(refresh)
                if grant is None:
                    return {"error": "invalid_code"}
                access = self._new_access(refresh, grant)
                return {"access_token": access, "scope": " ".join(grant.scopes), "api_domain": api_domain,
                        "token_type": "Bearer", "expires_in": int(self.token_ttl)}
            code = form.get("code", "")
            grant = self.codes.pop(code, None)
            if grant is None or grant.expires < self.clock():
                return {"error": "invalid_code"}
            if grant.redirect_uri and form.get("redirect_uri") != grant.redirect_uri:
                return {"error": "invalid_redirect_uri"}
            if grant.challenge is not None:
                verifier = form.get("code_verifier", "")
                digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
                if not verifier or digest != grant.challenge:
                    # Guess: the real server's code for a failed PKCE check is not documented.
                    return {"error": "invalid_code"}
            refresh = "1000." + secrets.token_hex(16) + "." + secrets.token_hex(16)
            self.refresh_tokens[refresh] = grant
            access = self._new_access(refresh, grant)
            return {"access_token": access, "refresh_token": refresh, "scope": " ".join(grant.scopes),
                    "api_domain": api_domain, "token_type": "Bearer", "expires_in": int(self.token_ttl)}

    def _new_access(self, refresh: str, grant: Grant) -> str:
        token = "1000." + secrets.token_hex(16) + "." + secrets.token_hex(16)
        self.access_tokens[token] = AccessToken(refresh, grant.scopes, grant.user_id, self.clock() + self.token_ttl)
        return token

    def revoke(self, token: str) -> bool:
        """Revoke a refresh token and every access token minted from it."""
        with self.lock:
            if self.refresh_tokens.pop(token, None) is None:
                return self.access_tokens.pop(token, None) is not None
            for key in [k for k, v in self.access_tokens.items() if v.refresh_token == token]:
                del self.access_tokens[key]
            return True

    def expire_all_access_tokens(self) -> None:
        with self.lock:
            for access in self.access_tokens.values():
                access.expires = 0.0

    # -- API calls -------------------------------------------------------------------
    def authenticate(self, header: str | None) -> AccessToken:
        if not header:
            raise ApiError(401, "AUTHENTICATION_FAILURE", "Authentication failed")
        scheme, _, token = header.strip().partition(" ")
        if scheme not in ("Zoho-oauthtoken", "Bearer") or not token.strip():
            raise ApiError(401, "AUTHENTICATION_FAILURE", "Authentication failed")
        with self.lock:
            access = self.access_tokens.get(token.strip())
            if access is None or access.expires <= self.clock():
                raise ApiError(401, "INVALID_TOKEN", "invalid oauth token")
            return access


def scope_allows(granted: tuple[str, ...], group: str, operation: str, module: str | None = None) -> bool:
    """Whether any granted scope covers ``ZohoCRM.<group>[.<module>].<operation>``.

    ``ALL`` covers every operation; ``WRITE`` covers ``UPDATE``; case is ignored.
    """
    for scope in granted:
        parts = scope.split(".")
        if len(parts) < 3 or parts[0].lower() != "zohocrm" or parts[1].lower() != group.lower():
            continue
        op = parts[-1].upper()
        sub = ".".join(parts[2:-1]).lower()
        if sub and (module is None or sub != module.lower()):
            continue
        if op == "ALL" or op == operation.upper() or (op == "WRITE" and operation.upper() == "UPDATE"):
            return True
    return False


def require_scope(access: AccessToken, group: str, operation: str, module: str | None = None) -> None:
    if not scope_allows(access.scopes, group, operation, module):
        raise ApiError(401, "OAUTH_SCOPE_MISMATCH", "invalid oauth scope to access this URL")


def is_loopback_uri(uri: str) -> bool:
    parts = urlsplit(uri)
    return parts.scheme == "http" and (parts.hostname or "") in LOOPBACK_HOSTS


def consent_page(params: dict[str, str], user_name: str) -> str:
    """The page a browser sees at /oauth/v2/auth: who asks, for what, Accept or Deny."""
    hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                     for k, v in params.items())
    scopes = "".join(f"<li>{html.escape(s)}</li>" for s in params.get("scope", "").replace(",", " ").split())
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>zcrm-sandbox sign-in</title>"
        "<style>body{font-family:sans-serif;max-width:34em;margin:4em auto}button{font-size:1.1em;"
        "margin-right:1em;padding:.4em 1.2em}</style></head><body>"
        "<h1>zcrm-sandbox</h1><p>The application <b>" + html.escape(params.get("client_id", "")) +
        "</b> asks to access the demo org as <b>" + html.escape(user_name) + "</b> with these scopes:</p><ul>" + scopes +
        "</ul><form method='post' action='/oauth/v2/auth/consent'>" + hidden +
        "<button name='decision' value='accept' id='accept'>Accept</button>"
        "<button name='decision' value='deny' id='deny'>Deny</button></form></body></html>"
    )


def consent_redirect(oauth: OAuthState, form: dict[str, str], accounts_url: str) -> str:
    """Where the browser goes after Accept/Deny: the app's loopback URI with code or error."""
    redirect = form.get("redirect_uri", "")
    state = form.get("state")
    if form.get("decision") != "accept":
        query = {"error": "access_denied"}
    else:
        scopes = tuple(s for s in form.get("scope", "").replace(",", " ").split() if s) or DEFAULT_SCOPES
        challenge = form.get("code_challenge") if form.get("code_challenge_method") == "S256" else None
        code = oauth.issue_grant_code(scopes, redirect, challenge)
        query = {"code": code, "location": "us", "accounts-server": accounts_url}
    if state is not None:
        query["state"] = state
    return redirect + ("&" if "?" in redirect else "?") + urlencode(query)
