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
