"""Signing in, opening a signed-in client, and signing out, for one connection profile.

The client secret and refresh token go only to the :class:`SecretStore` (the OS keyring);
the access token stays in memory. Every secret learnt here is handed to ``register_secret``
so the log filter can scrub it wherever it might appear.
"""

from __future__ import annotations

import time
from typing import Callable
from urllib.parse import urlsplit

from ..core.meta import User
from ..core.profile import HEAVY_CONCURRENCY, Profile, SecretStore, StoredSecrets
from .api import ZohoClient
from .errors import SignInRequired
from .loopback import LoopbackSignIn
from .oauth import OAuthClient, TokenGrant, TokenManager
from .transport import TIMEOUT, CancelToken, RetryPolicy, Transport, Wait


def _api_base(profile: Profile, api_domain: str | None) -> str:
    """Zoho tells the API host in the token reply; trust it only for Zoho's own hosts."""
    if not api_domain or profile.data_centre == "custom":
        return profile.api_url
    host = urlsplit(api_domain).hostname or ""
    if urlsplit(api_domain).scheme == "https" and ".zohoapis." in f".{host}":
        return api_domain.rstrip("/")
    return profile.api_url


class SignIn:
    def __init__(self, secrets: SecretStore, register_secret: Callable[[str], None] = lambda _: None,
                 on_wait: Callable[[Wait], None] | None = None, retry: RetryPolicy = RetryPolicy(),
                 clock: Callable[[], float] = time.monotonic, timeout: float | None = None):
        """``timeout``: seconds to wait for each answer of the CRM API (default: the transport's)."""
        self.secrets = secrets
        self.register_secret = register_secret
        self.on_wait = on_wait
        self.retry = retry
        self.clock = clock
        self.timeout = TIMEOUT if timeout is None else (min(TIMEOUT[0], timeout), timeout)

    def _oauth(self, profile: Profile, client_secret: str) -> OAuthClient:
        self.register_secret(client_secret)
        return OAuthClient(profile.accounts_url, profile.client_id, client_secret)

    def _client(self, profile: Profile, oauth: OAuthClient, refresh_token: str,
                grant: TokenGrant | None = None) -> ZohoClient:
        self.register_secret(refresh_token)
        tokens = TokenManager(oauth, refresh_token, clock=self.clock, on_secret=self.register_secret)
        if grant is not None:
            tokens.prime(grant)
        else:
            tokens.access_token()  # signs in now, so a dead refresh token shows at once
        transport = Transport(_api_base(profile, tokens.api_domain), tokens, concurrency=profile.max_concurrency,
                              heavy_concurrency=HEAVY_CONCURRENCY, retry=self.retry, on_wait=self.on_wait,
                              timeout=self.timeout)
        return ZohoClient(transport)

    def open(self, profile: Profile) -> ZohoClient:
        """A client on the stored sign-in; raises SignInRequired when there is none that works."""
        stored = self.secrets.load(profile.name)
        if stored is None or not stored.refresh_token:
            raise SignInRequired(f"Sign in to “{profile.name}” first.")
        return self._client(profile, self._oauth(profile, stored.client_secret), stored.refresh_token)

    def with_grant_code(self, profile: Profile, client_secret: str, code: str) -> tuple[ZohoClient, User]:
        """Finish a sign-in with a grant code pasted from the Zoho API Console (Self Client)."""
        self.register_secret(code.strip())
        oauth = self._oauth(profile, client_secret)
        grant = oauth.exchange_code(code)
        return self._finish(profile, oauth, client_secret, grant)

    def with_browser(self, profile: Profile, client_secret: str, open_browser: Callable[[str], object],
                     cancel: CancelToken | None = None, timeout: float = 300.0) -> tuple[ZohoClient, User]:
        """Sign in through the browser (loopback redirect and PKCE)."""
        oauth = self._oauth(profile, client_secret)
        flow = LoopbackSignIn(oauth, profile.scopes, open_browser=open_browser, timeout=timeout, clock=self.clock)
        grant = flow.run(cancel)
        return self._finish(profile, oauth, client_secret, grant)

    def _finish(self, profile: Profile, oauth: OAuthClient, client_secret: str,
                grant: TokenGrant) -> tuple[ZohoClient, User]:
        assert grant.refresh_token is not None
        self.register_secret(grant.access_token)
        self.secrets.save(profile.name, StoredSecrets(client_secret, grant.refresh_token))
        client = self._client(profile, oauth, grant.refresh_token, grant)
        try:
            user = client.current_user()
        except BaseException:
            client.close()
            raise
        return client, user

    def sign_out(self, profile: Profile) -> None:
        """Revoke the refresh token at Zoho and forget the stored secrets."""
        stored = self.secrets.load(profile.name)
        try:
            if stored is not None and stored.refresh_token:
                self._oauth(profile, stored.client_secret).revoke(stored.refresh_token)
        finally:
            self.secrets.delete(profile.name)
