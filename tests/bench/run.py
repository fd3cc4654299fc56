#!/usr/bin/env python3
"""zcrm-editor benchmarks: the product against its floor and against the plain way.

    python tests/bench/run.py [--quick] [--json OUT.json]

Each part starts its own sandbox in a separate process (``--latency-ms 100``,
``--max-concurrency 10``), so the sandbox's work never competes with the client for
Python's interpreter lock. Timings are wall-clock seconds on this machine; compare the
ratios measured in one run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from gui.client.signin import SignIn  # noqa: E402
from gui.client.submit import run_plan  # noqa: E402
from gui.core.changeset import CellChange, ChangeSet  # noqa: E402
from gui.core.outcomes import apply_results  # noqa: E402
from gui.core.planner import plan_submit  # noqa: E402
from gui.core.profile import Profile, StoredSecrets  # noqa: E402
from gui.services.secrets import SessionSecretStore  # noqa: E402

LATENCY_MS = 100
CONCURRENCY = 10


class Sandbox:
    """A sandbox in its own process."""

    def __init__(self, records: int, latency_ms: int = LATENCY_MS, concurrency: int = CONCURRENCY):
        self.latency_ms = latency_ms
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gui.sandbox", "--port", "0", "--records", str(records),
             "--latency-ms", str(latency_ms), "--max-concurrency", str(concurrency), "--credits", "10000000"],
            stdout=subprocess.PIPE, text=True, cwd=ROOT)
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        match = re.search(r"(http://\S+)", line)
        if not match:
            self.proc.kill()
            raise RuntimeError(f"the sandbox did not start: {line!r}")
        self.url = match.group(1)

    def client(self):
        secrets = SessionSecretStore()
        secrets.save("bench", StoredSecrets("demo-secret", "demo-refresh-token"))
        profile = Profile("bench", "custom", "demo-client", api_base=self.url, accounts_base=self.url,
                          concurrency=CONCURRENCY)
        return SignIn(secrets).open(profile)

    def token(self) -> str:
        reply = requests.post(self.url + "/oauth/v2/token", data={
            "grant_type": "refresh_token", "refresh_token": "demo-refresh-token",
            "client_id": "demo-client", "client_secret": "demo-secret"}, timeout=30)
        return reply.json()["access_token"]

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def loaded_changeset(client, module: str, fields: list[str]) -> ChangeSet:
    metas = client.fields(module)
    changes = ChangeSet(module, metas)
    client.load(module, fields, lambda page: changes.add_records(page.records))
    return changes


def editable_ids(changes: ChangeSet) -> list[str]:
    return [rid for rid in changes.order if changes.records[rid].approved and not changes.records[rid].locked
            and changes.records[rid].editable]


def submit(client, changes: ChangeSet) -> tuple[float, int, int]:
    plan = plan_submit(changes.module, changes.pending(), changes.records, changes.fields, trigger=[])
    lock = threading.Lock()

    def on_call(call, results):
        with lock:
            apply_results(changes, call, results)

    started = time.perf_counter()
    totals = run_plan(client, plan, on_call)
    return time.perf_counter() - started, len(plan.calls), totals.updated


def bench_submit(n: int) -> dict[str, Any]:
    rtt = LATENCY_MS / 1000
    with Sandbox(n + 200) as box, box.client() as client:
        changes = loaded_changeset(client, "Leads", ["Last_Name", "Modified_Time"])
        ids = editable_ids(changes)[:n]
        changes.apply([CellChange(rid, "Last_Name", value=f"Bench {i}") for i, rid in enumerate(ids)])
        wall, calls, updated = submit(client, changes)
        # The plain way: one PUT of 100 records at a time, each on a new connection.
        token = box.token()
        started = time.perf_counter()
        for start in range(0, len(ids), 100):
            body = {"data": [{"id": rid, "Last_Name": f"Plain {i}"} for i, rid in enumerate(ids[start:start + 100])],
                    "trigger": []}
            requests.put(box.url + "/crm/v2.1/Leads", json=body, timeout=60,
                         headers={"Authorization": "Zoho-oauthtoken " + token, "Connection": "close"})
        sequential = time.perf_counter() - started
    min_calls = math.ceil(n / 100)
    floor = math.ceil(calls / CONCURRENCY) * rtt
    return {"submit.calls": calls, "submit.min_calls": min_calls, "submit.updated": updated,
            "submit.wall_s": round(wall, 3), "submit.floor_s": round(floor, 3), "submit.ratio": round(wall / floor, 3),
            "submit.sequential_s": round(sequential, 3), "submit.speedup": round(sequential / wall, 2)}


def bench_mass(n: int) -> dict[str, Any]:
    rtt = LATENCY_MS / 1000
    with Sandbox(n + 200) as box, box.client() as client:
        changes = loaded_changeset(client, "Leads", ["Lead_Status", "Modified_Time"])
        ids = editable_ids(changes)[:n]
        for rid in ids:  # every record starts elsewhere, so every edit is real
            changes.records[rid].values["Lead_Status"] = "Not Contacted"
        changes.apply([CellChange(rid, "Lead_Status", value="Contacted") for rid in ids])
        wall, calls, updated = submit(client, changes)
    floor = math.ceil(calls / min(CONCURRENCY, 10)) * rtt
    return {"mass.calls": calls, "mass.min_calls": math.ceil(n / 500), "mass.updated": updated,
            "mass.wall_s": round(wall, 3), "mass.floor_s": round(floor, 3), "mass.ratio": round(wall / floor, 3)}


def bench_load(n: int) -> dict[str, Any]:
    rtt = LATENCY_MS / 1000
    with Sandbox(n) as box, box.client() as client:
        fields = [f.api_name for f in client.fields("Leads") if f.data_type not in ("fileupload", "imageupload")][:20]
        got = [0]
        started = time.perf_counter()
        outcome = client.load("Leads", fields, lambda page: got.__setitem__(0, got[0] + len(page.records)))
        wall = time.perf_counter() - started
    pages = math.ceil(n / 200)
    floor = math.ceil(pages / CONCURRENCY) * rtt
    return {"load.records": got[0], "load.calls": outcome.calls, "load.wall_s": round(wall, 3),
            "load.floor_s": round(floor, 3), "load.ratio": round(wall / floor, 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts (same keys, same ratios)")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    n = 2_000 if args.quick else 10_000
    results: dict[str, Any] = {"machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python "
                                          f"{platform.python_version()}, {platform.system()}",
                               "quick": args.quick, "records": n}
    for part in (bench_submit, bench_mass, bench_load):
        results.update(part(n))
    from tests.bench.gui_bench import bench_gui_submit, bench_table

    results.update(bench_table(20_000 if args.quick else 100_000, Sandbox))
    results.update(bench_gui_submit(n, Sandbox, LATENCY_MS, CONCURRENCY))
    width = max(len(k) for k in results)
    for key, value in results.items():
        print(f"{key.ljust(width)}  {value}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
