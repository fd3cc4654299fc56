"""The whole window: edit, Ctrl+S, confirm the preview, watch results land on the right cells."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication

from gui.core.changeset import CellChange
from gui.qt import roles
from gui.qt.roles import Role
from gui.services.journal import Journal
from gui.widgets.main_window import MainWindow
from gui.widgets.submit_preview import SubmitPreviewDialog


def _accept_preview_when_shown(seen: list[str]) -> None:
    def check() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, SubmitPreviewDialog):
            seen.append(dialog.windowTitle())
            dialog.accept()
        else:
            QTimer.singleShot(20, check)
    QTimer.singleShot(20, check)


def test_submit_from_the_window_marks_failures_and_records_history(qtbot, tmp_path, demo, client):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    journal = Journal(tmp_path / "journal.sqlite3")
    window = MainWindow(client, client.current_user(), "test", profile_name="demo", modules=client.modules(),
                        settings=settings, journal=journal)
    qtbot.addWidget(window)
    window.show()
    window.open_module("Leads")
    qtbot.waitUntil(lambda: window.session is not None and window.session.complete, timeout=20_000)
    session = window.session
    changes, model = session.changes, session.model
    locked = next(rid for rid in changes.order if changes.records[rid].locked)
    changes.records[locked] = replace(changes.records[locked], locked=False)  # let the server refuse it
    fine = [rid for rid in changes.order if changes.records[rid].approved and not changes.records[rid].locked
            and changes.records[rid].editable][:3]
    model.apply_changes([CellChange(rid, "Designation", value="Head of Sales", text="Head of Sales")
                         for rid in fine + [locked]], "edits")
    seen: list[str] = []
    _accept_preview_when_shown(seen)
    window.submit_flow.submit()
    qtbot.waitUntil(lambda: bool(window.submit_flow.controller().results)
                    and not window.submit_flow.running, timeout=30_000)
    assert seen, "the preview was shown before anything was sent"
    cell = model.index(model.row_of(locked), model.column_of("Designation"))
    assert model.data(cell, Qt.ItemDataRole.BackgroundRole) == roles.FAILED
    assert "locked" in model.data(cell, Qt.ItemDataRole.ToolTipRole)
    assert all(changes.record_edits(rid) == [] for rid in fine)
    assert window.submit_flow.errors.isVisible()
    entries = journal.history("demo", "Leads")
    assert entries and entries[0].updated == 3 and entries[0].failed == 1
    assert model.data(model.index(model.row_of(fine[0]), 0), Role.ROW_STATE) == "updated"
    window.close()
    journal.close()


def test_a_small_submit_skips_the_preview_only_when_nothing_needs_a_word(qtbot, tmp_path, demo, client):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("submit/skip-preview-small", True)  # the user ticked "don't ask for small submits"
    window = MainWindow(client, client.current_user(), "test", profile_name="demo", modules=client.modules(),
                        settings=settings)
    qtbot.addWidget(window)
    window.show()
    window.open_module("Leads")
    qtbot.waitUntil(lambda: window.session is not None and window.session.complete, timeout=20_000)
    changes, model = window.session.changes, window.session.model
    first, second = [rid for rid in changes.order if changes.records[rid].approved and not changes.records[rid].locked
                     and changes.records[rid].editable][:2]
    model.apply_changes([CellChange(first, "Designation", value="Buyer", text="Buyer"),
                         CellChange(second, "No_of_Employees", text="many", invalid="not a number")], "edits")
    seen: list[str] = []
    _accept_preview_when_shown(seen)  # an invalid cell would silently stay behind: the preview says so
    window.submit_flow.submit()
    qtbot.waitUntil(lambda: bool(window.submit_flow.controller().results)
                    and not window.submit_flow.running, timeout=30_000)
    assert seen and changes.record_edits(first) == [] and changes.record_edits(second)

    model.revert_rows([second])
    model.apply_changes([CellChange(first, "Designation", value="Manager", text="Manager")], "edit")
    window.submit_flow.submit()  # small, valid, no conflicts: sent straight away
    qtbot.waitUntil(lambda: changes.record_edits(first) == [] and not window.submit_flow.running, timeout=30_000)
    assert len(seen) == 1 and changes.records[first].values["Designation"] == "Manager"
    window.close()
