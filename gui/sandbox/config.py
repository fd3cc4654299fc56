"""Settings of one sandbox instance (the command-line options, as a dataclass)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SandboxConfig:
    host: str = "127.0.0.1"
    port: int = 0  # 0 picks a free port
    seed: str = "demo"  # "none" gives an org with users but no records
    records: int = 500  # per module
    data_file: Path | None = None
    latency_ms: float = 0.0
    max_concurrency: int = 10
    token_ttl: int = 3600
    credits: int = 50_000
    log_file: Path | None = None
    client_id: str = "demo-client"
    client_secret: str = "demo-secret"
    refresh_token: str = "demo-refresh-token"
    fault_rate: float = 0.0  # share of /crm/ calls that fail (see faults.py)
    fault_kinds: tuple[str, ...] = ("500", "429", "reset", "timeout", "badjson")
    fault_seed: int = 0
    fault_stall_s: float = 90.0  # how long a "timeout" fault stalls
