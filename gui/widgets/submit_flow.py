"""Submit from the window: preview, progress with cancel, live results, errors panel, retry, history.

The SubmitController (gui/qt) does the work; this module only asks, shows and routes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog

from ..qt.history_ops import undo_changes
from ..qt.submit_session import Preparation, SubmitController, SubmitOutcome
from .errors_panel import ErrorsPanel
from .history_window import HistoryWindow
from .submit_preview import SMALL_SUBMIT, SubmitPreviewDialog, may_skip_preview

if TYPE_CHECKING:
    from .main_window import MainWindow


class SubmitFlow:
    def __init__(self, window: "MainWindow") -> None:
        self.window = window
        self.controllers: dict[str, SubmitController] = {}
        self._retry_ids: set[str] | None = None
        self.errors = ErrorsPanel(window)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.errors)
        self.errors.hide()
        self.errors.jumpTo.connect(self.jump_to)
        self.errors.onlyFailedToggled.connect(window.only_errors.setChecked)
        self.errors.message.connect(window.show_message)
        self.submit_action = self._action("&Submit…", self.submit, QKeySequence.StandardKey.Save)
        self.retry_action = self._action("&Retry failed", self.retry_failed, "Ctrl+Shift+R")
        self.history_action = self._action("Submit &history…", self.history, "Ctrl+H")
        self.errors_action = self.errors.toggleViewAction()
        self.errors_action.setText("&Errors panel")
        menu = window.menuBar().addMenu("&Submit")
        for action in (self.submit_action, self.retry_action, self.errors_action, self.history_action):
            menu.addAction(action)
        window.toolbar.addSeparator()
        window.toolbar.addAction(self.submit_action)

    def _action(self, text: str, slot: Any, shortcut: Any) -> QAction:
        action = QAction(text, self.window)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        return action

    # -- one controller per open module ---------------------------------------------------------
    def controller(self) -> SubmitController | None:
        session = self.window.session
        if session is None:
            return None
        controller = self.controllers.get(session.module)
        if controller is None:
            controller = SubmitController(session, self.window)
            controller.prepared.connect(self._prepared)
            controller.prepareFailed.connect(lambda text: self.window.banner.show_message(text, error=True))
            controller.started.connect(self._started)
            controller.progress.connect(self._progress)
            controller.waiting.connect(self.window.show_message)
            controller.finished.connect(self._finished)
            self.controllers[session.module] = controller
        return controller

    @property
    def running(self) -> bool:
        return any(c.running for c in self.controllers.values())

    def session_changed(self) -> None:
        session = self.window.session
        self.errors.set_model(session.model if session is not None else None)
        controller = self.controllers.get(session.module) if session is not None else None
        self.errors.set_results(list(controller.results) if controller is not None else [])

    # -- submitting -----------------------------------------------------------------------------
    def submit(self, record_ids: set[str] | None = None) -> None:
        controller = self.controller()
        window = self.window
        if controller is None or controller.running:
            return
        session = controller.session
        if session.loading:
            window.show_message("Wait for the load to finish (or cancel it) before submitting.")
            return
        if not session.changes.pending():
            invalid = len(session.changes.invalid())
            window.show_message(f"Nothing to submit; {invalid} invalid cell(s) need fixing first." if invalid
                                else "Nothing to submit: there are no pending edits.")
            return
        self._retry_ids = record_ids
        window.show_message("Checking the edited records for changes made in Zoho meanwhile…")
        controller.prepare(record_ids)

    def _prepared(self, prep: Preparation) -> None:
        controller = self.controller()
        window = self.window
        if controller is None:
            return
        if not prep.edits:
            window.show_message("Nothing to submit.")
            return
        settings = window.settings
        profile = window.profile_name
        saved = settings.value(f"triggers/{profile}")
        triggers = tuple(saved) if isinstance(saved, list) else ("workflow",) if saved is None else ()
        skip_small = settings.value("submit/skip-preview-small") in (True, "true")
        plan = prep.plan(controller.session.module, controller.session, True, triggers)
        if may_skip_preview(plan, list(prep.conflicts), prep.invalid, skip_small, SMALL_SUBMIT):
            controller.start(plan, prep.conflicts)
            return
        dialog = SubmitPreviewDialog(window, controller.session.model, plan, list(prep.conflicts), triggers,
                                     small_submit=SMALL_SUBMIT, skip_small=skip_small)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            window.show_message("Submit cancelled; nothing was sent.")
            return
        settings.setValue(f"triggers/{profile}", list(dialog.triggers))
        settings.setValue("submit/skip-preview-small", dialog.skip_preview_small)
        plan = prep.plan(controller.session.module, controller.session, dialog.skip_conflicts, dialog.triggers)
        controller.start(plan, prep.conflicts if dialog.skip_conflicts else ())

    def _started(self, records: int, calls: int) -> None:
        window = self.window
        window.progress.setRange(0, max(records, 1))
        window.progress.setValue(0)
        window.progress.setFormat(f"Sending 0 / {records:,}")
        window.progress.show()
        window.cancel_button.show()
        self.submit_action.setEnabled(False)
        window.show_message(f"Sending {records:,} record(s) in {calls:,} call(s)…")

    def _progress(self, done: int, total: int, in_flight: int) -> None:
        window = self.window
        window.progress.setValue(done)
        window.progress.setFormat(f"Sent {done:,} / {total:,}")
        window.progress.setToolTip(f"{in_flight} call(s) in flight")
        window._update_counts()

    def _finished(self, outcome: SubmitOutcome) -> None:
        window = self.window
        window.progress.hide()
        window.cancel_button.hide()
        window.progress.setToolTip("")
        self.submit_action.setEnabled(True)
        self.session_changed()
        self.errors.refresh()
        window._update_counts()
        parts = [f"{outcome.updated:,} updated"]
        refused = outcome.failed - outcome.unknown
        if refused:
            parts.append(f"{refused:,} failed (red cells; see the errors panel)")
        if outcome.unknown:
            parts.append(f"{outcome.unknown:,} may have been applied (Zoho's answer was lost; reload to see)")
        if outcome.not_sent:
            parts.append(f"{outcome.not_sent:,} not sent, still pending")
        text = ("Submit cancelled: " if outcome.cancelled else "Submit finished: ") + ", ".join(parts) + "."
        if outcome.signed_out:
            window.banner.offer("Your Zoho sign-in has expired or was revoked. Your edits are kept. " + text,
                                [("Sign in again and continue", self.sign_in_again)])
        elif outcome.problem:
            window.banner.show_message(f"{text} {outcome.problem}", error=True)
        else:
            window.show_message(text)
        if outcome.failed:
            self.errors.show()

    def cancel(self) -> bool:
        controller = self.controller()
        if controller is not None and controller.running:
            controller.cancel()
            self.window.show_message("Cancelling: no new calls are sent; answers already on the way are applied.")
            return True
        return False

    def retry_failed(self) -> None:
        session = self.window.session
        if session is None:
            return
        failed = {rid for rid, errors in session.changes.errors.items() if errors}
        if not failed:
            self.window.show_message("No failed records to retry.")
            return
        self.submit(failed)

    def sign_in_again(self) -> None:
        window = self.window
        client = window.reconnect() if hasattr(window, "reconnect") else None
        if client is None:
            window.show_message("Sign in again from File > Connect, then choose Submit > Retry failed.")
            return
        for session in window.sessions.values():
            session.client = client
        self.controllers.clear()
        self.retry_failed()

    def jump_to(self, record_id: str, api_name: Any) -> None:
        window = self.window
        session = window.session
        if session is None:
            return
        model = session.model
        row = model.row_of(record_id)
        if row < 0:
            window.show_message("That record is hidden by the filter or not loaded.")
            return
        column = model.column_of(api_name) if api_name else 1
        index = model.index(row, column if column > 0 else 1)
        window.view.setCurrentIndex(index)
        window.view.scrollTo(index)
        window.view.setFocus()

    # -- history ---------------------------------------------------------------------------------
    def history(self) -> None:
        window = self.window
        if window.journal is None:
            window.show_message("No journal is open, so no history is kept in this run.")
            return
        session = window.session
        dialog = HistoryWindow(window, window.journal, window.profile_name,
                               session.module if session is not None else None,
                               model=session.model if session is not None else None)
        dialog.undoRequested.connect(self.undo_submit)
        dialog.show()

    def undo_submit(self, submit_id: int) -> None:
        session = self.window.session
        if session is None:
            return
        plan = undo_changes(self.window.journal, submit_id, session.model)
        session.model.apply_changes(plan.changes, plan.label)
        self.window.show_message(plan.summary())
