"""Sending a submit plan: every call of it, concurrently within the org's limits.

Each call's results are handed to ``on_call`` as soon as they arrive (from a worker
thread); the caller applies them to its change set. ``on_sending`` runs just before a call
goes out, once it holds its place under the concurrency limit. Cancel stops calls not yet sent;
calls in flight finish and their results are kept. A lost sign-in stops the rest.

A call whose answer was lost (the connection dropped or timed out, the reply was cut short
or made no sense, or a retried call failed) may still have been applied. Before its results
are handed over, its records are read back and each is reported as Zoho has it: updated if
it holds the change, failed if it does not, and OUTCOME_UNKNOWN ("may have been applied")
only if the read fails too. So a result never claims a failure the server does not show.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable

from ..core.meta import FieldMeta
from ..core.outcomes import needs_settling, results_by_record, settle_results
from ..core.planner import Call, MassUpdateCall, SubmitPlan, UpdateCall
from ..core.results import Record, RecordError, RecordResult
from .api import ZohoClient
from .errors import SignInRequired, ZohoError
from .transport import CancelToken

log = logging.getLogger("zcrm.client.submit")


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
            # Announced when the call has its place under the concurrency limit, just before
            # it goes out: calls still waiting for a place are not yet "sending".
            failed: list[BaseException] = []

            def announce() -> None:
                try:
                    if on_sending is not None:
                        on_sending(call)
                except BaseException as err:  # the call is not sent; the error ends the submit, as before
                    failed.append(err)
                    raise

            if isinstance(call, UpdateCall):
                results = client.update_call(plan.module, list(call.records), plan.trigger, cancel, announce)
            else:
                assert isinstance(call, MassUpdateCall)
                results = client.mass_update_call(plan.module, call.values, call.record_ids, call.over_write,
                                                  plan.trigger, cancel, announce)
            if failed:
                raise failed[0]
            if any(needs_settling(r) for r in results):
                results = settle(client, plan.module, call, results, signed_out)
            if any(r.error is not None and r.error.code == "SIGN_IN_REQUIRED" for r in results):
                signed_out.set()
        with lock:
            counts["updated"] += sum(1 for r in results if r.ok)
            counts["failed"] += sum(1 for r in results if not r.ok)
        on_call(call, results)

    # Twice as many workers as calls allowed at once (the transport holds the rest back): while
    # some workers read and hand over their results, others are already sending, so the
    # org's concurrency stays in use instead of idling for the client's own work.
    workers = max(1, 2 * client.transport.concurrency)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="zoho-submit") as pool:
        for future in [pool.submit(send, call) for call in plan.calls]:
            future.result()
    return SubmitTotals(len(plan.calls), plan.record_count, counts["updated"], counts["failed"])


def settle(client: ZohoClient, module: str, call: Call, results: list[RecordResult],
           signed_out: threading.Event | None = None) -> list[RecordResult]:
    """The call's results with unsure failures decided by reading those records back."""
    unsure = [rid for rid, _, result in results_by_record(call, results) if needs_settling(result)]
    checked = set(unsure)
    wanted = sorted({edit.api_name for rid, edits in call.sent if rid in checked for edit in edits})
    now: dict[str, Record] | None = None
    fields: dict[str, FieldMeta] = {}
    try:
        fields = {f.api_name: f for f in client.fields(module)}
        now = {record.record_id: record for record in client.fetch(module, unsure, wanted)}
    except SignInRequired:
        if signed_out is not None:
            signed_out.set()
    except ZohoError as err:
        log.info("could not read back %d record(s) of %s after a lost answer: %s", len(unsure), module, err.code)
    except Exception:  # a bug must not lose the call's results
        log.exception("reading back records after a lost answer failed")
    settled = settle_results(call, results, now, fields)
    if now is not None:
        log.info("read back %d record(s) of %s after a lost answer: %d held the change", len(unsure), module,
                 sum(1 for r in settled if r.ok) - sum(1 for r in results if r.ok))
    return settled
