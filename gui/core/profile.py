"""Connection profiles: which Zoho org to talk to and how. No secrets live here.

The client secret and the refresh token of a profile are kept by a :class:`SecretStore`
(the OS keyring in the app, a dictionary in tests); the access token only in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

# Data centre → (API base, accounts base). "custom" profiles carry their own bases.
DATA_CENTRES: dict[str, tuple[str, str]] = {
    "US": ("https://www.zohoapis.com", "https://accounts.zoho.com"),
    "EU": ("https://www.zohoapis.eu", "https://accounts.zoho.eu"),
    "IN": ("https://www.zohoapis.in", "https://accounts.zoho.in"),
    "AU": ("https://www.zohoapis.com.au", "https://accounts.zoho.com.au"),
    "JP": ("https://www.zohoapis.jp", "https://accounts.zoho.jp"),
    "CN": ("https://www.zohoapis.com.cn", "https://accounts.zoho.com.cn"),
    "CA": ("https://www.zohoapis.ca", "https://accounts.zohocloud.ca"),
    "SA": ("https://www.zohoapis.sa", "https://accounts.zoho.sa"),
}

DEFAULT_SCOPES: tuple[str, ...] = (
    "ZohoCRM.modules.ALL",
    "ZohoCRM.settings.fields.READ",
    "ZohoCRM.settings.modules.READ",
    "ZohoCRM.settings.custom_views.READ",
    "ZohoCRM.mass_update.ALL",
    "ZohoCRM.Files.CREATE",
    "ZohoCRM.users.READ",
    "ZohoCRM.coql.READ",
)

# Concurrent calls Zoho allows per org and app, by edition; heavy calls (mass update) ≤ 10.
EDITION_CONCURRENCY: dict[str, int] = {
    "Free": 5, "Standard": 10, "Professional": 15, "Enterprise": 20, "Ultimate": 25,
}
HEAVY_CONCURRENCY = 10


@dataclass(frozen=True)
class Profile:
    name: str
    data_centre: str  # a key of DATA_CENTRES, or "custom"
    client_id: str
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    api_base: str | None = None  # required for "custom" (e.g. the sandbox), else derived
    accounts_base: str | None = None
    edition: str = "Standard"
    concurrency: int | None = None  # overrides the edition's limit when set
    user_email: str | None = None  # who signed in last, for display only
    extra: dict[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("a profile needs a name")
        if self.data_centre != "custom" and self.data_centre not in DATA_CENTRES:
            raise ValueError(f"unknown data centre {self.data_centre!r}")
        if self.data_centre == "custom" and not (self.api_base and self.accounts_base):
            raise ValueError("a custom profile needs both an API base and an accounts base")

    @property
    def api_url(self) -> str:
        if self.api_base:
            return self.api_base.rstrip("/")
        return DATA_CENTRES[self.data_centre][0]

    @property
    def accounts_url(self) -> str:
        if self.accounts_base:
            return self.accounts_base.rstrip("/")
        return DATA_CENTRES[self.data_centre][1]

    @property
    def max_concurrency(self) -> int:
        if self.concurrency:
            return self.concurrency
        return EDITION_CONCURRENCY.get(self.edition, 10)


@dataclass(frozen=True)
class StoredSecrets:
    """What a profile keeps in the secret store."""

    client_secret: str
    refresh_token: str | None = None


class SecretStore(Protocol):
    """Where a profile's client secret and refresh token are kept (the OS keyring)."""

    def load(self, profile_name: str) -> StoredSecrets | None: ...

    def save(self, profile_name: str, secrets: StoredSecrets) -> None: ...

    def delete(self, profile_name: str) -> None: ...
