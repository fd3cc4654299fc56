"""Background jobs of the editor: loading a module and sending a submit plan.

Each job is a QThread whose signals are the only thing that crosses to the GUI thread; no job
touches a widget or a model. Every signal carries the job's generation so that the receiver
can drop results of a job it has since replaced (a reload, another module). Cancel is
cooperative: calls not yet sent are not sent; what already came back is still delivered.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from PySide6.QtCore import QThread, Signal

from ..client.api import ZohoClient
from ..client.errors import Cancelled, SignInRequired, ZohoError
from ..client.loader import Page
from ..client.submit import run_plan
from ..client.transport import CancelToken, Wait
from ..core.bulk import ValuePool
from ..core.planner import Call, SubmitPlan
from ..core.results import RecordResult

log = logging.getLogger("zcrm.qt.workers")


class Job(QThread):
    """A cancellable background job with a generation number."""

    failed = Signal(int, str, str)  # generation, error code, message for the user

    def __init__(self, generation: int, parent: Any = None) -> None:
        super().__init__(parent)
        self.generation = generation
        self.cancel_token = CancelToken()

    def cancel(self) -> None:
        self.cancel_token.cancel()

    @property
    def cancelled(self) -> bool:
        return self.cancel_token.cancelled

    def stop(self, wait_ms: int = 10_000) -> bool:
        """Cancel and wait (bounded) for the thread to end; True when it ended."""
        self.cancel()
        return self.wait(wait_ms) if self.isRunning() else True

    def _report(self, err: BaseException) -> None:
        if isinstance(err, ZohoError):
            self.failed.emit(self.generation, err.code, err.message)
        else:  # a bug: say so plainly, keep the details in the log
            log.exception("background job failed", exc_info=err)
            self.failed.emit(self.generation, "INTERNAL", f"Something went wrong in zcrm-editor: {err!r}. "
                                                         "The details are in the log.")


class LoadJob(Job):
    """Loads every record of a module; pages arrive in id order as ``page`` signals."""

    page = Signal(int, object, int, object)  # generation, list[Record], records loaded so far, total or None
    done = Signal(int, object, bool)  # generation, LoadOutcome or None, cancelled

    def __init__(self, client: ZohoClient, module: str, fields: list[str], generation: int,
                 parent: Any = None) -> None:
        super().__init__(generation, parent)
        self.client = client
        self.module = module
        self.fields = fields
        self._loaded = 0
        self._pool = ValuePool()

    def _on_page(self, page: Page) -> None:
        share = self._pool.share  # here, off the GUI thread: a third less memory for a big module
        for record in page.records:
            share(record.values)
        self._loaded += len(page.records)
        self.page.emit(self.generation, page.records, self._loaded, page.total)

    def run(self) -> None:
        try:
            outcome = self.client.load(self.module, self.fields, self._on_page, self.cancel_token)
        except Cancelled:
            self.done.emit(self.generation, None, True)
        except BaseException as err:  # noqa: BLE001 - reported to the user, never swallowed
            self._report(err)
            self.done.emit(self.generation, None, self.cancelled)
        else:
            self.done.emit(self.generation, outcome, self.cancelled)


class SubmitJob(Job):
    """Sends a submit plan; each call's results come back as one ``answered`` signal.

    The journal (when given) records each call as sent and as answered from this thread, so a
    crash between the server's answer and the GUI applying it loses nothing.
    """

    sending = Signal(int, object)  # generation, Call about to go out
    answered = Signal(int, object, object)  # generation, Call, list[RecordResult]
    waiting = Signal(int, str)  # generation, why the client pauses ("Zoho asked us to slow down; …")
    done = Signal(int, object, bool, bool)  # generation, SubmitTotals or None, cancelled, signed out

    def __init__(self, client: ZohoClient, plan: SubmitPlan, generation: int, journal: Any = None,
                 submit_id: int | None = None, parent: Any = None) -> None:
        super().__init__(generation, parent)
        self.client = client
        self.plan = plan
        self.journal = journal
        self.submit_id = submit_id
        self._index = {id(call): n for n, call in enumerate(plan.calls)}
        self._lock = threading.Lock()
        self.signed_out = False

    def _on_sending(self, call: Call) -> None:
        if self.journal is not None and self.submit_id is not None:
            with self._lock:
                self.journal.call_sent(self.submit_id, self._index[id(call)])
        self.sending.emit(self.generation, call)

    def _on_call(self, call: Call, results: list[RecordResult]) -> None:
        if any(r.error is not None and r.error.code == "SIGN_IN_REQUIRED" for r in results):
            self.signed_out = True
        never_sent = bool(results) and all(r.error is not None and r.error.code == "CANCELLED" for r in results)
        if self.journal is not None and self.submit_id is not None and not never_sent:
            with self._lock:
                try:
                    self.journal.call_answered(self.submit_id, self._index[id(call)], call, results)
                except Exception:  # the results still reach the table; the journal error is logged
                    log.exception("could not record a submit result in the journal")
        self.answered.emit(self.generation, call, results)

    def _on_wait(self, wait: Wait) -> None:
        self.waiting.emit(self.generation, wait.message)

    def run(self) -> None:
        transport = self.client.transport
        previous = transport.on_wait
        transport.on_wait = self._on_wait
        try:
            totals = run_plan(self.client, self.plan, self._on_call, self.cancel_token, self._on_sending)
        except SignInRequired:
            self.signed_out = True
            self.done.emit(self.generation, None, self.cancelled, True)
        except BaseException as err:  # noqa: BLE001
            self._report(err)
            self.done.emit(self.generation, None, self.cancelled, self.signed_out)
        else:
            self.done.emit(self.generation, totals, self.cancelled, self.signed_out)
        finally:
            transport.on_wait = previous


class CallJob(Job):
    """Runs one blocking call (metadata, a sign-in, a search) off the GUI thread."""

    result = Signal(int, object)  # generation, what the call returned

    def __init__(self, call: Callable[[CancelToken], Any], generation: int = 0, parent: Any = None) -> None:
        super().__init__(generation, parent)
        self._call = call

    def run(self) -> None:
        try:
            value = self._call(self.cancel_token)
        except Cancelled:
            self.failed.emit(self.generation, "CANCELLED", "Cancelled.")
        except BaseException as err:  # noqa: BLE001 - reported to the user
            self._report(err)
        else:
            self.result.emit(self.generation, value)
