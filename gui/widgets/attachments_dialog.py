"""The files or images of one file-upload or image-upload cell, each with a “Delete” toggle.

The loaded value is a list of entries as Zoho returns them. Files carry ``attachment_Id``,
``file_Name``, ``file_Size`` (bytes, as a string), ``extn`` and ``is_Preview_Available``;
images carry ``id``, ``File_Name``, ``Size``, ``Preview_Id`` and ``Sequence_Number``. None of
it is a URL: a thumbnail would need another authenticated download, so each entry shows an
icon for its kind instead. OK stages one ``delete_files`` change for the cell (or reverts it
when nothing is ticked) as one undo step; nothing is sent until the user submits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QGridLayout, QHBoxLayout, QLabel,
                               QPushButton, QScrollArea, QStyle, QVBoxLayout, QWidget)

from ..core.attachments import attachment_ids
from ..core.changeset import DELETE_FILES, CellChange, block_reason
from ..qt import roles
from ..qt.module_session import name_field
from ..qt.roles import Role
from ..qt.table_model import RecordTableModel

_ICON_NAMES = {"pdf": "application-pdf", "doc": "x-office-document", "docx": "x-office-document",
               "odt": "x-office-document", "xls": "x-office-spreadsheet", "xlsx": "x-office-spreadsheet",
               "ods": "x-office-spreadsheet", "csv": "text-csv", "txt": "text-x-generic",
               "zip": "package-x-generic", "png": "image-x-generic", "jpg": "image-x-generic",
               "jpeg": "image-x-generic", "gif": "image-x-generic"}


@dataclass(frozen=True)
class Attachment:
    """One file or image of a cell, read from the loaded value."""

    item_id: str
    name: str
    size: int | None
    extension: str


def read_attachments(value: Any, image: bool) -> list[Attachment]:
    """The entries of a loaded file-upload or image-upload value, in their order."""
    out: list[Attachment] = []
    ids = set(attachment_ids(value, image))
    for item in value if isinstance(value, list) else []:
        if not isinstance(item, dict):
            continue
        item_id = str(item.get("id" if image else "attachment_Id"))
        if item_id not in ids:
            continue
        name = str(item.get("File_Name" if image else "file_Name") or item_id)
        raw_size = item.get("Size" if image else "file_Size")
        try:
            size: int | None = int(str(raw_size))
        except ValueError:
            size = None
        ext = str(item.get("extn") or (name.rsplit(".", 1)[-1] if "." in name else "")).lower()
        out.append(Attachment(item_id, name, size, ext))
    return out


def human_size(size: int | None) -> str:
    if size is None:
        return "size unknown"
    if size < 1024:
        return f"{size} bytes"
    value = float(size)
    for unit in ("KB", "MB"):
        value /= 1024
        if value < 1024:
            break
    else:
        unit = "GB"
        value /= 1024
    return f"{value:.1f} {unit}" if value < 10 else f"{value:,.0f} {unit}"


def delete_all_files(model: RecordTableModel, record_ids: list[str], api_name: str) -> tuple[int, list[str]]:
    """Stage the deletion of every file (or image) of ``api_name`` in these records, as one undo step.

    Records with nothing in the field are passed over; records that cannot be edited are
    skipped. Returns (records staged, ids of the records skipped as blocked).
    """
    meta = model.changes.fields.get(api_name)
    if meta is None or meta.data_type not in ("fileupload", "imageupload"):
        raise ValueError(f"{api_name} is not a file or image field")
    image = meta.data_type == "imageupload"
    staged: list[CellChange] = []
    skipped: list[str] = []
    for rid in dict.fromkeys(record_ids):
        record = model.changes.records.get(rid)
        if record is None or not attachment_ids(record.values.get(api_name), image):
            continue
        if block_reason(record) is not None:
            skipped.append(rid)
            continue
        staged.append(CellChange(rid, api_name, DELETE_FILES, None, "*"))
    if not staged:
        return 0, skipped
    noun = "images" if image else "files"
    n = len(staged)
    done = model.apply_changes(staged, f"Delete all {noun} in {meta.label} for {n} row{'s' if n != 1 else ''}")
    return done, skipped


class AttachmentsDialog(QDialog):
    """Lists a cell's files or images; ticking “Delete” marks one for deletion on the next submit."""

    def __init__(self, parent: QWidget | None, model: RecordTableModel,
                 index: QModelIndex | QPersistentModelIndex) -> None:
        super().__init__(parent)
        self.model = model
        meta = index.data(Role.FIELD)
        if meta is None or meta.data_type not in ("fileupload", "imageupload"):
            raise ValueError("the attachments dialog needs a file or image cell")
        self.meta = meta
        self.record_id = str(index.data(Role.RECORD_ID))
        self.image = meta.data_type == "imageupload"
        self.attachments = read_attachments(index.data(Role.ORIGINAL), self.image)
        record = model.changes.records.get(self.record_id)
        self.read_only_reason = "This record is not loaded." if record is None else block_reason(record)
        if self.read_only_reason is None and not meta.editable:
            self.read_only_reason = f"{meta.label} is read-only."
        self.delete_boxes: dict[str, QCheckBox] = {}
        self._names: dict[str, QLabel] = {}
        noun = "Images" if self.image else "Files"
        self.setWindowTitle(f"{noun} — {meta.label}")
        self.setObjectName("attachmentsDialog")
        self._build(index.data(Role.EDIT))
        self._update_summary()
        self.resize(560, 170 + 46 * min(len(self.attachments), 8))

    def _noun(self, n: int) -> str:
        word = "image" if self.image else "file"
        return f"{n} {word}" if n == 1 else f"{n} {word}s"

    def _build(self, edit: Any) -> None:
        layout = QVBoxLayout(self)
        names = list(self.model.changes.fields.values())
        name_api = name_field(self.model.changes.module, names)
        owner = self.model.changes.original(self.record_id, name_api) if name_api else None
        title = QLabel(f"<b>{self.meta.label}</b> of {owner or 'record ' + self.record_id}: "
                       f"{self._noun(len(self.attachments))}", self)
        title.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(title)
        pending: set[str] | None = set()
        if edit is not None and edit.kind == DELETE_FILES:
            if edit.invalid is not None:
                layout.addWidget(self._muted(f"A pasted deletion could not be read ({edit.invalid}); tick the "
                                             "files to delete instead.", "#a40000"))
            else:
                pending = None if edit.value is None else {str(v) for v in edit.value}
        # An unreadable pasted deletion stays as it is unless something is ticked.
        self.had_edit = edit is not None and edit.invalid is None
        rows = QWidget(self)
        grid = QGridLayout(rows)
        grid.setColumnStretch(1, 1)
        for n, item in enumerate(self.attachments):
            icon = QLabel(rows)
            icon.setPixmap(self._icon_for(item).pixmap(32, 32))
            text = QLabel(rows)
            text.setObjectName("attachmentName")
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            details = [item.extension.upper()] if item.extension else []
            details += [human_size(item.size), f"id {item.item_id}"]
            text.setToolTip(f"{item.name}\n" + " · ".join(details))
            text.setText(f"{item.name}<br><span style='color:{roles.MUTED_TEXT.name()}'>{' · '.join(details)}</span>")
            box = QCheckBox("Delete", rows)
            box.setChecked(pending is None or item.item_id in pending)
            box.setEnabled(self.read_only_reason is None)
            box.toggled.connect(lambda _on: self._update_summary())
            self.delete_boxes[item.item_id] = box
            self._names[item.item_id] = text
            grid.addWidget(icon, n, 0)
            grid.addWidget(text, n, 1)
            grid.addWidget(box, n, 2)
        if not self.attachments:
            grid.addWidget(self._muted(f"No {self._noun(0)[2:]} in this cell."), 0, 0, 1, 3)
        grid.setRowStretch(max(len(self.attachments), 1), 1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(rows)
        layout.addWidget(scroll, 1)
        if self.read_only_reason is not None:
            layout.addWidget(self._muted(self.read_only_reason, "#a40000"))
        self.summary_label = self._muted("")
        self.summary_label.setObjectName("summaryLabel")
        layout.addWidget(self.summary_label)
        bottom = QHBoxLayout()
        self.delete_all_button = QPushButton("Delete all", self)
        self.keep_all_button = QPushButton("Keep all", self)
        for button, state in ((self.delete_all_button, True), (self.keep_all_button, False)):
            button.setEnabled(self.read_only_reason is None and bool(self.attachments))
            button.clicked.connect(lambda _=False, s=state: self._set_all(s))
            bottom.addWidget(button)
        bottom.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                   self)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        bottom.addWidget(buttons)
        layout.addLayout(bottom)

    def _muted(self, text: str, colour: str | None = None) -> QLabel:
        label = QLabel(text, self)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setStyleSheet(f"color: {colour or roles.MUTED_TEXT.name()};")
        return label

    def _icon_for(self, item: Attachment) -> QIcon:
        fallback = self.style().standardIcon(QStyle.StandardPixmap.SP_FileIcon)
        name = "image-x-generic" if self.image else _ICON_NAMES.get(item.extension, "text-x-generic")
        return QIcon.fromTheme(name, fallback)

    def _set_all(self, delete: bool) -> None:
        for box in self.delete_boxes.values():
            box.setChecked(delete)

    def checked_ids(self) -> list[str]:
        return [item_id for item_id, box in self.delete_boxes.items() if box.isChecked()]

    def _update_summary(self) -> None:
        n, total = len(self.checked_ids()), len(self.attachments)
        for item_id, box in self.delete_boxes.items():
            font = self._names[item_id].font()
            font.setStrikeOut(box.isChecked())
            self._names[item_id].setFont(font)
        if not total:
            text = ""
        elif n:
            text = f"Deleting {n} of {self._noun(total)} when you submit."
        else:
            text = "Nothing will be deleted."
        self.summary_label.setText(text)

    def change(self) -> CellChange | None:
        """The change OK stages: the deletion, a revert of a pending one, or None for nothing to do."""
        if self.read_only_reason is not None:
            return None
        ids = self.checked_ids()
        api = self.meta.api_name
        if not ids:
            return CellChange(self.record_id, api, revert=True) if self.had_edit else None
        if len(ids) == len(self.attachments):
            return CellChange(self.record_id, api, DELETE_FILES, None, "*")
        return CellChange(self.record_id, api, DELETE_FILES, ids, "; ".join(ids))

    def accept(self) -> None:
        change = self.change()
        if change is not None:
            what = f"Keep all {self._noun(2)[2:]}" if change.revert else f"Delete {self._noun(2)[2:]}"
            self.model.apply_changes([change], f"{what} in {self.meta.label}")
        super().accept()
