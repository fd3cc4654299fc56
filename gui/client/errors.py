"""Errors the client raises. Each carries a code and a message a person can act on."""

from __future__ import annotations

from typing import Any


class ZohoError(Exception):
    """A failed call, with Zoho's code (or ours, for problems on our side) and message."""

    def __init__(self, code: str, message: str, status: int | None = None,
                 details: dict[str, Any] | None = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status
        self.details = details or {}


class NetworkError(ZohoError):
    """Zoho could not be reached, or stopped answering, after every retry."""

    def __init__(self, message: str):
        super().__init__("NETWORK", message)


class SignInError(ZohoError):
    """A sign-in step failed (wrong grant code, client id or secret, declined consent…)."""


class SignInRequired(ZohoError):
    """The stored sign-in no longer works; the user must sign in again. Nothing is lost."""

    def __init__(self, message: str = "Your Zoho sign-in has expired or was revoked; sign in again."):
        super().__init__("SIGN_IN_REQUIRED", message)


class Cancelled(ZohoError):
    """The call was not started because the user cancelled."""

    def __init__(self) -> None:
        super().__init__("CANCELLED", "cancelled before it was sent")
