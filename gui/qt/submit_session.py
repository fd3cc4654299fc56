"""Submitting a module's pending edits from the editor, with live results.

1. :meth:`SubmitController.prepare` reads the edited records again (off the GUI thread) and
   finds conflicts; the window shows the preview.
2. :meth:`SubmitController.start` plans the calls, records the submit in the journal and
   runs a SubmitJob. Each call's results are applied to the change set as they arrive, so
   rows turn clean or red one call at a time.
3. Cancel stops calls not yet sent; their edits simply stay pending. A lost sign-in ends
   the submit with every unsent record still pending; after signing in again the window
   continues with :meth:`retry`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, Signal

from ..client.api import ZohoClient
from ..core.changeset import Edit
from ..core.conflicts import Conflict, find_conflicts, without_conflicts
from ..core.outcomes import OUTCOME_UNKNOWN, apply_results
from ..core.planner import Call, SubmitPlan, plan_submit
from ..core.results import RecordResult
from .exports import ResultRow, field_label, rows_from_results
from .module_session import ModuleSession
from .workers import CallJob, SubmitJob

log = logging.getLogger("zcrm.qt.submit")

NOT_SENT = ("CANCELLED",)


@dataclass(frozen=True)
class Preparation:
    """What a submit would send, and the conflicts found by reading the records again."""

    edits: tuple[Edit, ...]
    conflicts: tuple[Conflict, ...]
    invalid: int  # edits that cannot be sent until fixed

    def plan(self, module: str, session: ModuleSession, skip_conflicts: bool,
             trigger: tuple[str, ...] | None) -> SubmitPlan:
        edits = without_conflicts(self.edits, self.conflicts) if skip_conflicts else list(self.edits)
        return plan_submit(module, edits, session.changes.records, session.changes.fields, trigger=trigger)


@dataclass
class SubmitOutcome:
    updated: int = 0
    failed: int = 0  # of which ``unknown``: the answer was lost, the change may have been applied
    unknown: int = 0
    not_sent: int = 0
    cancelled: bool = False
    signed_out: bool = False
    problem: str = ""
    failed_ids: list[str] = field(default_factory=list)


class SubmitController(QObject):
    prepared = Signal(object)  # Preparation
    prepareFailed = Signal(str)
    started = Signal(int, int)  # records, calls
    progress = Signal(int, int, int)  # records answered, records in all, calls in flight
    waiting = Signal(str)
    finished = Signal(object)  # SubmitOutcome

    def __init__(self, session: ModuleSession, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._results: dict[str, ResultRow] = {}  # every record's latest result, for exports
        self._generation = 0
        self._job: SubmitJob | None = None
        self._check: CallJob | None = None
        self._plan: SubmitPlan | None = None
        self._submit_id: int | None = None
        self._outcome = SubmitOutcome()
        self._answered = 0
        self._in_flight = 0

    @property
    def results(self) -> list[ResultRow]:
        """Every record's latest result (worded for the user), in the order they came back."""
        return list(self._results.values())

    @property
    def running(self) -> bool:
        return self._job is not None

    @property
    def client(self) -> ZohoClient:
        return self.session.client

    # -- preparing -------------------------------------------------------------------------------
    def prepare(self, record_ids: set[str] | None = None) -> None:
        """Read the edited records again and report a Preparation (or prepareFailed)."""
        changes = self.session.changes
        edits = [e for e in changes.pending() if record_ids is None or e.record_id in record_ids]
        invalid = sum(1 for e in changes.invalid() if record_ids is None or e.record_id in record_ids)
        if not edits:
            self.prepared.emit(Preparation((), (), invalid))
            return
        ids = sorted({e.record_id for e in edits})
        fields = sorted({e.api_name for e in edits} | {"Modified_Time"})
        client, module = self.client, self.session.module

        def check(cancel: Any) -> Preparation:
            current = client.fetch(module, ids, fields, cancel)
            return Preparation(tuple(edits), tuple(find_conflicts(changes, current, edits)), invalid)

        self._generation += 1
        job = CallJob(check, self._generation, self)
        job.result.connect(lambda _g, prep: self.prepared.emit(prep))
        job.failed.connect(lambda _g, _code, message: self.prepareFailed.emit(
            f"The edited records could not be checked for changes made in Zoho meanwhile: {message}"))
        job.finished.connect(self._check_done)
        self._check = job
        job.start()

    def _check_done(self) -> None:
        self._check = None

    # -- sending ------------------------------------------------------------------------------
    def start(self, plan: SubmitPlan, conflicts: tuple[Conflict, ...] = ()) -> None:
        if self.running or not plan.calls:
            return
        session = self.session
        model = session.model
        sent = plan.record_ids()
        for conflict in conflicts:
            if conflict.record_id not in sent:
                model.conflicts[conflict.record_id] = (
                    "Held back: this record was deleted in Zoho." if conflict.deleted else
                    f"Held back: changed in Zoho at {conflict.server_time} after you loaded it. Reload it, "
                    "or submit again and choose to overwrite.")
        self._plan = plan
        self._outcome = SubmitOutcome()
        self._answered = 0
        self._in_flight = 0
        self._submit_id = session.journal.begin_submit(plan) if session.journal is not None else None
        ids = plan.record_ids()
        session.changes.sending.update(ids)
        for rid in ids:
            session.changes.errors.pop(rid, None)
        model.refresh_rows(ids)
        self._generation += 1
        job = SubmitJob(self.client, plan, self._generation, session.journal, self._submit_id, self)
        job.sending.connect(self._on_sending)
        job.answered.connect(self._on_answered)
        job.waiting.connect(lambda _g, text: self.waiting.emit(text))
        job.failed.connect(lambda _g, _code, message: setattr(self._outcome, "problem", message))
        job.done.connect(self._on_done)
        self._job = job
        self.started.emit(plan.record_count, len(plan.calls))
        job.start()

    def cancel(self) -> None:
        if self._check is not None:
            self._check.cancel()
        if self._job is not None:
            self._job.cancel()

    def _on_sending(self, generation: int, _call: Call) -> None:
        if generation == self._generation:
            self._in_flight += 1
            self._emit_progress()

    def _on_answered(self, generation: int, call: Call, results: list[RecordResult]) -> None:
        if generation != self._generation:
            return
        session = self.session
        changes = session.changes
        model = session.model
        ids = call.record_ids
        if results and all(r.error is not None and r.error.code in NOT_SENT for r in results):
            changes.sending.difference_update(ids)  # never sent: the edits just stay pending
            self._outcome.not_sent += len(ids)
        else:
            self._in_flight = max(0, self._in_flight - 1)
            outcome = apply_results(changes, call, results)
            model.updated.update(outcome.updated)
            self._outcome.updated += len(outcome.updated)
            self._outcome.failed += len(outcome.failed)
            self._outcome.unknown += sum(1 for _rid, error in outcome.failed if error.code == OUTCOME_UNKNOWN)
            self._outcome.failed_ids.extend(rid for rid, _ in outcome.failed)
            for row in rows_from_results(call, results, lambda api: field_label(changes, api)):
                self._results.pop(row.record_id, None)  # a record sent again: its latest result counts
                self._results[row.record_id] = row
        self._answered += len(ids)
        model.refresh_rows(ids)
        self._emit_progress()

    def _emit_progress(self) -> None:
        total = self._plan.record_count if self._plan is not None else 0
        self.progress.emit(self._answered, total, self._in_flight)

    def _on_done(self, generation: int, _totals: Any, cancelled: bool, signed_out: bool) -> None:
        if generation != self._generation:
            return
        session = self.session
        plan = self._plan
        if plan is not None:
            left = plan.record_ids() & session.changes.sending
            if left:  # calls that never reported back (a bug or a crash in the job): keep them pending
                session.changes.sending.difference_update(left)
                session.model.refresh_rows(left)
        if session.journal is not None and self._submit_id is not None:
            try:
                session.journal.finish_submit(self._submit_id, cancelled=cancelled)
            except Exception:  # the history misses an end time; the edits are safe either way
                log.exception("could not record the end of a submit")
        self._outcome.cancelled = cancelled
        self._outcome.signed_out = signed_out
        self._job = None
        if session.model.only_errors:
            session.model.refilter()
        self.finished.emit(self._outcome)

    def wait(self, ms: int = 30_000) -> None:
        job = self._job
        if job is not None:
            job.wait(ms)

    def stop(self) -> None:
        self.cancel()
        for job in (self._check, self._job):
            if job is not None:
                job.wait(15_000)
