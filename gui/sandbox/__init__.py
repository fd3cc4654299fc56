"""A local Zoho CRM v2.1 emulator: the demo org, the tests' server and the benchmarks' peer.

It is a product feature: ``zcrm-editor --demo`` runs on it, and ``zcrm-sandbox`` serves it
to any Zoho client. Only the standard library is used here.
"""

from .config import SandboxConfig
from .server import SandboxServer

__all__ = ["SandboxConfig", "SandboxServer"]
