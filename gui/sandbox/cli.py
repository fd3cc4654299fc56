"""``zcrm-sandbox``: run the local Zoho CRM v2.1 emulator in the foreground."""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from .config import SandboxConfig
from .faults import FaultPlan, parse_kinds
from .server import SandboxServer


def build_parser() -> argparse.ArgumentParser:
    d = SandboxConfig()
    p = argparse.ArgumentParser(prog="zcrm-sandbox", description="A local Zoho CRM v2.1 emulator with demo data.")
    p.add_argument("--port", type=int, default=8950, help="port to listen on (0 picks a free one; default 8950)")
    p.add_argument("--host", default=d.host, help="address to bind (default 127.0.0.1)")
    p.add_argument("--seed", default=d.seed, help="demo data seed; 'none' for an org without records")
    p.add_argument("--records", type=int, default=d.records, help="records per module (default 500)")
    p.add_argument("--data", type=Path, help="JSON file to load the org from and save it to")
    p.add_argument("--latency-ms", type=float, default=d.latency_ms,
                   help="the round trip of every API call: the least time each one takes")
    p.add_argument("--max-concurrency", type=int, default=d.max_concurrency,
                   help="concurrent API calls before 429 TOO_MANY_REQUESTS (default 10)")
    p.add_argument("--token-ttl", type=int, default=d.token_ttl, help="access token lifetime in seconds")
    p.add_argument("--credits", type=int, default=d.credits, help="API credits available (default 50000)")
    p.add_argument("--log", type=Path, help="append one JSON line per request to this file")
    p.add_argument("--fault-rate", type=float, default=0.0, help="share of API calls that fail on purpose (0..1)")
    p.add_argument("--fault-kinds", default=",".join(d.fault_kinds),
                   help="comma list of 500,429,reset,timeout,badjson (default: all)")
    p.add_argument("--fault-seed", type=int, default=0, help="seed that makes the faults repeatable")
    p.add_argument("--client-id", default=d.client_id)
    p.add_argument("--client-secret", default=d.client_secret)
    p.add_argument("--refresh-token", default=d.refresh_token)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.records < 0 or args.max_concurrency < 1 or args.token_ttl < 1:
        print("zcrm-sandbox: --records must be >= 0, --max-concurrency and --token-ttl >= 1", file=sys.stderr)
        return 2
    config = SandboxConfig(host=args.host, port=args.port, seed=args.seed, records=args.records,
                           data_file=args.data, latency_ms=args.latency_ms, max_concurrency=args.max_concurrency,
                           token_ttl=args.token_ttl, credits=args.credits, log_file=args.log,
                           client_id=args.client_id, client_secret=args.client_secret,
                           refresh_token=args.refresh_token, fault_rate=args.fault_rate,
                           fault_kinds=parse_kinds(args.fault_kinds), fault_seed=args.fault_seed)
    try:
        FaultPlan(config.fault_rate, config.fault_kinds, config.fault_seed)
    except ValueError as err:
        print(f"zcrm-sandbox: {err}", file=sys.stderr)
        return 2
    try:
        server = SandboxServer(config)
    except OSError as err:
        print(f"zcrm-sandbox: cannot listen on {args.host}:{args.port}: {err.strerror or err}", file=sys.stderr)
        return 1
    except ValueError as err:
        print(f"zcrm-sandbox: cannot read {args.data}: {err}", file=sys.stderr)
        return 1

    def on_signal(signum: int, frame: object) -> None:
        server.shutdown_from_signal()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print(f"listening on {server.base_url}", flush=True)
    server.serve_forever()
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
