"""The demo: the embedded Zoho CRM sandbox with demo data, and a sign-in to it.

Used by ``zcrm-editor --demo``, the connection dialog's "Try the demo sandbox", the tests and
the benchmarks. The sandbox's credentials live in a session-only store: nothing of the demo
is written to the keyring.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from .client.api import ZohoClient
from .client.signin import SignIn
from .core.profile import Profile, StoredSecrets
from .sandbox import SandboxServer
from .services.secrets import SessionSecretStore

DEMO_PROFILE = "Demo sandbox"


@dataclass
class Demo:
    sandbox: SandboxServer
    profile: Profile
    secrets: SessionSecretStore
    signin: SignIn

    def connect(self) -> ZohoClient:
        return self.signin.open(self.profile)

    def stop(self) -> None:
        self.sandbox.stop()


def start_demo(records: int = 500, register_secret: Callable[[str], None] = lambda _: None,
               **sandbox_options: Any) -> Demo:
    """Start a sandbox on a free port of 127.0.0.1 and prepare a profile signed in to it."""
    sandbox = SandboxServer(records=max(0, records), port=0, **sandbox_options).start()
    config = sandbox.config
    secrets = SessionSecretStore()
    profile = Profile(DEMO_PROFILE, "custom", config.client_id, api_base=sandbox.api_url,
                      accounts_base=sandbox.accounts_url)
    secrets.save(profile.name, StoredSecrets(config.client_secret, config.refresh_token))
    return Demo(sandbox, profile, secrets, SignIn(secrets, register_secret=register_secret))
