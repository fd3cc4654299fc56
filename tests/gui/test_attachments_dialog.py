"""Files and images of a cell: ticking “Delete” stages a delete_files change, one undo step."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt

from gui.core.attachments import attachment_ids
from gui.core.changeset import DELETE_FILES, block_reason
from gui.qt.roles import Role
from gui.qt.table_model import RecordTableModel
from gui.widgets.attachments_dialog import AttachmentsDialog, delete_all_files, human_size, read_attachments

DISPLAY = Qt.ItemDataRole.DisplayRole


@pytest.fixture
def leads(open_module: Any) -> RecordTableModel:
    return open_module("Leads", columns=["Full_Name", "Email", "Documents", "Photos"]).model


def file_cell(model: RecordTableModel, api: str, at_least: int = 1, blocked: bool = False) -> QModelIndex:
    """A cell of ``api`` holding at least ``at_least`` entries, in a blocked or an editable record."""
    image = api == "Photos"
    column = model.column_of(api)
    for row in range(model.rowCount()):
        record = model.changes.records[model.record_id_at(row)]
        if (block_reason(record) is not None) == blocked \
                and len(attachment_ids(record.values.get(api), image)) >= at_least:
            return model.index(row, column)
    raise AssertionError(f"the demo data has no such {api} cell")


def open_dialog(qtbot: Any, model: RecordTableModel, index: QModelIndex) -> AttachmentsDialog:
    dialog = AttachmentsDialog(None, model, index)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_files_are_listed_with_names_and_sizes(qtbot: Any, leads: RecordTableModel) -> None:
    index = file_cell(leads, "Documents")
    entries = index.data(Role.ORIGINAL)
    dialog = open_dialog(qtbot, leads, index)
    assert [a.item_id for a in dialog.attachments] == [e["attachment_Id"] for e in entries]
    assert [a.name for a in dialog.attachments] == [e["file_Name"] for e in entries]
    assert dialog.attachments[0].size == int(entries[0]["file_Size"])
    assert not any(box.isChecked() for box in dialog.delete_boxes.values())
    assert dialog.summary_label.text() == "Nothing will be deleted."


def test_ticking_delete_stages_the_ids_and_reopening_shows_them(qtbot: Any, leads: RecordTableModel) -> None:
    index = file_cell(leads, "Documents", at_least=2)
    ids = attachment_ids(index.data(Role.ORIGINAL), image=False)
    dialog = open_dialog(qtbot, leads, index)
    dialog.delete_boxes[ids[0]].click()
    assert dialog.summary_label.text() == f"Deleting 1 of {len(ids)} files when you submit."
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    edit = index.data(Role.EDIT)
    assert edit.kind == DELETE_FILES and edit.value == [ids[0]]
    assert index.data(DISPLAY) == f"{len(ids)} files, deleting 1"
    assert [e["attachment_Id"] for e in index.data(Role.VALUE)] == ids[1:]
    assert leads.undo_stack.count() == 1

    again = open_dialog(qtbot, leads, index)
    assert again.delete_boxes[ids[0]].isChecked() and not again.delete_boxes[ids[1]].isChecked()
    again.delete_boxes[ids[0]].click()  # keep it after all
    qtbot.mouseClick(again.ok_button, Qt.MouseButton.LeftButton)
    assert index.data(Role.EDIT) is None
    leads.undo_stack.undo()
    assert index.data(Role.EDIT).value == [ids[0]]
    leads.undo_stack.undo()
    assert index.data(Role.EDIT) is None


def test_delete_all_stages_none_and_is_prechecked(qtbot: Any, leads: RecordTableModel) -> None:
    index = file_cell(leads, "Documents")
    dialog = open_dialog(qtbot, leads, index)
    qtbot.mouseClick(dialog.delete_all_button, Qt.MouseButton.LeftButton)
    assert all(box.isChecked() for box in dialog.delete_boxes.values())
    dialog.accept()
    edit = index.data(Role.EDIT)
    assert edit.kind == DELETE_FILES and edit.value is None and edit.text == "*"
    assert index.data(Role.VALUE) == []
    again = open_dialog(qtbot, leads, index)
    assert all(box.isChecked() for box in again.delete_boxes.values())


def test_images_use_their_ids(qtbot: Any, leads: RecordTableModel) -> None:
    index = file_cell(leads, "Photos")
    entries = index.data(Role.ORIGINAL)
    assert all("Preview_Id" in e and "File_Name" in e for e in entries)
    dialog = open_dialog(qtbot, leads, index)
    assert [a.item_id for a in dialog.attachments] == [e["id"] for e in entries]
    assert [a.name for a in dialog.attachments] == [e["File_Name"] for e in entries]
    first = entries[0]["id"]
    dialog.delete_boxes[first].click()
    dialog.accept()
    edit = index.data(Role.EDIT)
    assert edit.kind == DELETE_FILES
    assert edit.value == ([first] if len(entries) > 1 else None)
    noun = "image" if len(entries) == 1 else "images"
    assert index.data(DISPLAY) == f"{len(entries)} {noun}, deleting 1"


def test_blocked_record_shows_files_but_cannot_delete(qtbot: Any, leads: RecordTableModel) -> None:
    try:
        index = file_cell(leads, "Documents", blocked=True)
    except AssertionError:
        index = file_cell(leads, "Photos", blocked=True)
    dialog = open_dialog(qtbot, leads, index)
    assert dialog.read_only_reason is not None
    assert not any(box.isEnabled() for box in dialog.delete_boxes.values())
    assert not dialog.delete_all_button.isEnabled()
    dialog.accept()
    assert index.data(Role.EDIT) is None and leads.undo_stack.count() == 0


def test_cancel_keeps_the_pending_deletion(qtbot: Any, leads: RecordTableModel) -> None:
    index = file_cell(leads, "Documents")
    dialog = open_dialog(qtbot, leads, index)
    qtbot.mouseClick(dialog.delete_all_button, Qt.MouseButton.LeftButton)
    dialog.reject()
    assert index.data(Role.EDIT) is None


def test_delete_all_files_in_selected_rows_is_one_step(qtbot: Any, leads: RecordTableModel) -> None:
    ids = leads.shown_ids()
    with_files = [rid for rid in ids if attachment_ids(leads.changes.original(rid, "Documents"), False)]
    blocked = [rid for rid in with_files if block_reason(leads.changes.records[rid]) is not None]
    staged, skipped = delete_all_files(leads, ids, "Documents")
    assert staged == len(with_files) - len(blocked) > 0
    assert skipped == blocked
    for rid in with_files:
        edit = leads.changes.edit(rid, "Documents")
        assert (edit is None) == (rid in blocked)
        if edit is not None:
            assert edit.kind == DELETE_FILES and edit.value is None
    assert leads.undo_stack.count() == 1
    assert leads.undo_stack.undoText().startswith("Delete all files in Documents")
    leads.undo_stack.undo()
    assert len(leads.changes) == 0
    with pytest.raises(ValueError):
        delete_all_files(leads, ids, "Email")


def test_reading_entries_and_sizes() -> None:
    value = [{"attachment_Id": "1", "file_Name": "a.pdf", "file_Size": "2048", "extn": "pdf"},
             {"attachment_Id": "2", "file_Name": "b", "file_Size": "?"}, "junk"]
    found = read_attachments(value, image=False)
    assert [(a.item_id, a.name, a.size, a.extension) for a in found] == [("1", "a.pdf", 2048, "pdf"),
                                                                          ("2", "b", None, "")]
    assert read_attachments(None, image=True) == []
    assert [human_size(s) for s in (None, 10, 2048, 900_000, 5 * 1024**2)] == \
        ["size unknown", "10 bytes", "2.0 KB", "879 KB", "5.0 MB"]
