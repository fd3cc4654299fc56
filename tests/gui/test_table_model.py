"""The record table model over a module loaded from the sandbox."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester

from gui.qt.roles import Role
from gui.qt import roles


def test_model_passes_qt_model_tester_while_loading_editing_sorting_and_filtering(open_module, qtbot):
    session = open_module("Leads")
    model = session.model
    tester = QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    assert model.rowCount() == 60
    email = model.column_of("Email")
    assert model.setData(model.index(0, email), "someone@example.com")
    model.sort(email, Qt.SortOrder.DescendingOrder)
    model.set_quick_filter("example")
    model.set_only_edited(True)
    assert model.rowCount() == 1
    model.set_only_edited(False)
    model.set_quick_filter("")
    with qtbot.waitSignal(session.loadFinished, timeout=20_000):
        session.load()
    assert model.rowCount() == 60
    del tester


def test_blocked_rows_are_marked_on_load(open_module):
    model = open_module("Leads").model
    states = {model.data(model.index(r, 0), Role.ROW_STATE) for r in range(model.rowCount())}
    assert "blocked" in states
    row = next(r for r in range(model.rowCount()) if model.data(model.index(r, 0), Role.ROW_STATE) == "blocked")
    index = model.index(row, model.column_of("Email"))
    assert not model.flags(index) & Qt.ItemFlag.ItemIsEditable
    assert model.data(index, Qt.ItemDataRole.BackgroundRole) == roles.BLOCKED
    assert "approval" in model.data(index, Qt.ItemDataRole.ToolTipRole) or \
        "locked" in model.data(index, Qt.ItemDataRole.ToolTipRole) or \
        "permission" in model.data(index, Qt.ItemDataRole.ToolTipRole)


def test_an_edit_the_journal_cannot_save_stays_in_the_table_and_can_be_undone(open_module, qtbot, tmp_path):
    from gui.services.journal import Journal, JournalError

    with Journal(tmp_path / "journal.sqlite3") as journal:
        session = open_module("Leads", journal=journal.session("demo", "Leads"))
        model = session.model
        write = journal._write

        def full_disk(doing):
            raise JournalError(f"Could not {doing}: the disk is full.", journal.path)

        journal._write = full_disk
        city = model.column_of("City")
        messages: list[str] = []
        model.message.connect(messages.append)
        assert model.setData(model.index(0, city), "Lisbon")
        assert "disk is full" in messages[-1] and "stay in this window" in messages[-1]
        assert model.data(model.index(0, city)) == "Lisbon" and model.undo_stack.canUndo()
        journal._write = write
        model.undo_stack.undo()  # the next change saves again: the undone cell leaves the journal too
        assert model.data(model.index(0, city)) != "Lisbon" and session.journal.count() == 0
