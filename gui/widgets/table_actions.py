"""What the table's spreadsheet commands open: the paste preview, the mass-update dialog and
the attachments dialog. Kept apart from the main window so that it stays a thin frame."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QDialog

from ..qt.paste_ops import PasteRequest, apply_paste, plan_paste
from ..qt.roles import Role
from .attachments_dialog import AttachmentsDialog, delete_all_files
from .mass_update_dialog import MassUpdateDialog
from .paste_dialog import PasteDialog, should_preview

if TYPE_CHECKING:
    from .main_window import MainWindow


class TableActions:
    def __init__(self, window: "MainWindow") -> None:
        self.window = window
        view = window.view
        view.paste_handler = self.paste
        view.massUpdateRequested.connect(self.mass_update)
        view.attachmentsRequested.connect(self.attachments)
        view.deleteFilesRequested.connect(self.delete_files)

    def _model(self):  # noqa: ANN202 - the current session's RecordTableModel, or None
        session = self.window.session
        return session.model if session is not None else None

    def paste(self, request: PasteRequest) -> None:
        model = self._model()
        if model is None:
            return
        plan = plan_paste(model, request)
        if should_preview(model, request, plan):
            dialog = PasteDialog(self.window, model, request)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                self.window.show_message("Paste cancelled; nothing changed.")
                return
            plan = dialog.plan
        done, notes = apply_paste(model, plan)
        invalid = sum(1 for n in notes if n.invalid)
        self.window.show_message(f"Pasted {done:,} cell(s)" + (f"; {invalid:,} invalid, marked red with the reason "
                                                                "in their tooltip." if invalid else "."))

    def mass_update(self) -> None:
        model = self._model()
        ids = self.window.view.selected_record_ids()
        if model is None or not ids:
            self.window.show_message("Select the rows to change first.")
            return
        current = self.window.view.currentIndex()
        meta = current.data(Role.FIELD) if current.isValid() else None
        dialog = MassUpdateDialog(self.window, model, ids, field=meta.api_name if meta is not None else None)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.window.show_message(f"Staged {dialog.staged:,} cell(s); submit to send them.")

    def attachments(self, index: QModelIndex) -> None:
        model = self._model()
        if model is not None and index.isValid():
            AttachmentsDialog(self.window, model, index).exec()

    def delete_files(self, api_name: str) -> None:
        model = self._model()
        ids = self.window.view.selected_record_ids()
        if model is None or not ids:
            return
        staged, skipped = delete_all_files(model, ids, api_name)
        tail = f"; {len(skipped)} blocked record(s) skipped" if skipped else ""
        self.window.show_message(f"Marked the files of {staged} record(s) for deletion{tail}.")
