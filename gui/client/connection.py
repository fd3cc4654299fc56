"""A first, small Zoho CRM connection: refresh-token sign-in, JSON calls, metadata.

The full client (profiles, keyring, retries, paging, update calls) grows from this in its
own issue; what is here is what the demo window needs, done properly: time-outs on every
call, tokens refreshed ahead of expiry, and Zoho's error envelopes turned into
:class:`ZohoError` with the code and message the server sent.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

import requests

TIMEOUT = (5.0, 30.0)  # connect, read
REFRESH_MARGIN = 60.0  # refresh this many seconds before the token runs out


class ZohoError(Exception):
    """A failed call, with Zoho's code (or ours, for transport problems) and message."""

    def __init__(self, code: str, message: str, status: int | None = None, details: dict[str, Any] | None = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.details = details or {}


@dataclass(frozen=True)
class ModuleInfo:
    api_name: str
    singular_label: str
    plural_label: str
    editable: bool


@dataclass(frozen=True)
class UserInfo:
    user_id: str
    full_name: str
    email: str


class ZohoConnection:
    def __init__(self, api_base: str, accounts_base: str, client_id: str, client_secret: str,
                 refresh_token: str, clock: Callable[[], float] = time.monotonic):
        self.api_base = api_base.rstrip("/")
        self.accounts_base = accounts_base.rstrip("/")
        self._client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        self._clock = clock
        self._access: str | None = None
        self._expires = 0.0
        self._lock = threading.Lock()
        self._http = requests.Session()

    def close(self) -> None:
        self._http.close()

    # -- tokens ------------------------------------------------------------------------
    def _token(self) -> str:
        with self._lock:
            if self._access is None or self._clock() >= self._expires - REFRESH_MARGIN:
                self._refresh()
            assert self._access is not None
            return self._access

    def _refresh(self) -> None:
        form = {"grant_type": "refresh_token", "refresh_token": self._refresh_token,
                "client_id": self._client_id, "client_secret": self._client_secret}
        try:
            reply = self._http.post(self.accounts_base + "/oauth/v2/token", data=form, timeout=TIMEOUT)
            body = reply.json()
        except requests.RequestException as err:
            raise ZohoError("NETWORK", f"could not reach the Zoho accounts server: {err.__class__.__name__}") from None
        except ValueError:
            raise ZohoError("BAD_REPLY", "the Zoho accounts server sent a reply that is not JSON") from None
        # The token endpoint answers 200 even on failure, with {"error": ...}.
        if not isinstance(body, dict) or "error" in body or "access_token" not in body:
            code = body.get("error", "no_token") if isinstance(body, dict) else "no_token"
            raise ZohoError("SIGN_IN_FAILED", f"sign-in was refused ({code}); sign in again")
        self._access = str(body["access_token"])
        self._expires = self._clock() + float(body.get("expires_in", 3600))
        if body.get("api_domain"):
            self.api_base = str(body["api_domain"]).rstrip("/")

    # -- calls -------------------------------------------------------------------------
    def get_json(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """GET ``/crm/v2.1/<path>``; ``None`` for 204 No Content."""
        headers = {"Authorization": "Zoho-oauthtoken " + self._token()}
        try:
            reply = self._http.get(f"{self.api_base}/crm/v2.1/{path}", params=params, headers=headers,
                                   timeout=TIMEOUT)
        except requests.RequestException as err:
            raise ZohoError("NETWORK", f"could not reach Zoho CRM: {err.__class__.__name__}") from None
        if reply.status_code == 204:
            return None
        try:
            body = reply.json()
        except ValueError:
            raise ZohoError("BAD_REPLY", f"Zoho CRM sent a reply that is not JSON (HTTP {reply.status_code})",
                            reply.status_code) from None
        if not isinstance(body, dict):
            raise ZohoError("BAD_REPLY", "Zoho CRM sent an unexpected reply", reply.status_code)
        if body.get("status") == "error" and "data" not in body:
            raise ZohoError(str(body.get("code")), str(body.get("message")), reply.status_code,
                            body.get("details") if isinstance(body.get("details"), dict) else None)
        return body

    # -- metadata ----------------------------------------------------------------------
    def modules(self) -> list[ModuleInfo]:
        body = self.get_json("settings/modules") or {}
        out = []
        for item in body.get("modules", []):
            if isinstance(item, dict) and item.get("api_supported") and item.get("api_name"):
                out.append(ModuleInfo(str(item["api_name"]), str(item.get("singular_label") or item["api_name"]),
                                      str(item.get("plural_label") or item["api_name"]),
                                      bool(item.get("editable", True))))
        return out

    def current_user(self) -> UserInfo:
        body = self.get_json("users", {"type": "CurrentUser"}) or {}
        users = body.get("users") or []
        if not users or not isinstance(users[0], dict):
            raise ZohoError("BAD_REPLY", "Zoho CRM did not say who is signed in")
        user = users[0]
        return UserInfo(str(user.get("id")), str(user.get("full_name") or ""), str(user.get("email") or ""))
