"""Sending a submit plan: every call of it, concurrently within the org's limits.

Each call's results are handed to ``on_call`` as soon as they arrive (from a worker
thread); the caller applies them to its change set. Cancel stops calls not yet sent;
calls in flight finish and their results are kept. A lost sign-in stops the rest.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable

from ..core.planner import Call, MassUpdateCall, SubmitPlan, UpdateCall
from ..core.results import RecordError, RecordResult
from .api import ZohoClient
from .transport import CancelToken


@dataclass(frozen=True)
class SubmitTotals:
    calls: int
    records: int
    updated: int
    failed: int


def run_plan(client: ZohoClient, plan: SubmitPlan, on_call: Callable[[Call, list[RecordResult]], None],
             cancel: CancelToken | None = None, on_sending: Callable[[Call], None] | None = None) -> SubmitTotals:
    lock = threading.Lock()
    counts = {"updated": 0, "failed": 0}
    signed_out = threading.Event()

    def send(call: Call) -> None:
        if signed_out.is_set():
            error = RecordError("SIGN_IN_REQUIRED", "not sent: the Zoho sign-in was lost", top_level=True)
            results = [RecordResult(rid, error) for rid in call.record_ids]
        else:
            if on_sending is not None and not (cancel is not None and cancel.cancelled):
                on_sending(call)
            if isinstance(call, UpdateCall):
                results = client.update_call(plan.module, list(call.records), plan.trigger, cancel)
            else:
                assert isinstance(call, MassUpdateCall)
                results = client.mass_update_call(plan.module, call.values, call.record_ids, call.over_write,
                                                  plan.trigger, cancel)
            if any(r.error is not None and r.error.code == "SIGN_IN_REQUIRED" for r in results):
                signed_out.set()
        with lock:
            counts["updated"] += sum(1 for r in results if r.ok)
            counts["failed"] += sum(1 for r in results if not r.ok)
        on_call(call, results)

    workers = max(1, client.transport.concurrency)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="zoho-submit") as pool:
        for future in [pool.submit(send, call) for call in plan.calls]:
            future.result()
    return SubmitTotals(len(plan.calls), plan.record_count, counts["updated"], counts["failed"])
