"""The submit preview: what will change, how it goes out, what changed in Zoho, which automations run.

Nothing is sent without this confirmation (unless the user chose to skip it for small
submits). The dialog only shows and asks: the main window re-plans with the chosen triggers
and, when the user keeps "Skip conflicting records", without the records Zoho changed.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QDialog, QDialogButtonBox, QGroupBox, QHBoxLayout, QLabel,
                               QRadioButton, QSplitter, QVBoxLayout, QWidget)

from ..core.changeset import APPEND, DELETE_FILES, REMOVE, Edit, resulting_value
from ..core.conflicts import Conflict, FieldConflict
from ..core.fieldtypes import format_value
from ..core.planner import TRIGGERS, SubmitPlan
from ..qt import roles
from ..qt.exports import field_label, record_name
from ..qt.rows_model import AnyIndex, RowsModel
from ..qt.table_model import RecordTableModel
from .rows_view import rows_table

SMALL_SUBMIT = 10  # "Don't ask for submits of up to N records"
EMPTY = "(empty)"
TRIGGER_TEXT = {
    "approval": ("Approval processes", "Records that match an approval process go to a reviewer and stay "
                                       "locked until approved or rejected."),
    "workflow": ("Workflow rules", "Field updates, e-mails, tasks and webhooks that Zoho runs when a record "
                                   "is edited."),
    "blueprint": ("Blueprint", "Checks Blueprint transitions: a record inside a Blueprint may refuse field "
                               "changes that its current state does not allow."),
}


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n:,} {word if n == 1 else many or word + 's'}"


def summary_text(plan: SubmitPlan) -> str:
    """"412 records, 1,030 cells: 5 updates, 1 mass update, about 6 API credits"."""
    if not plan.calls:
        return "Nothing to send: there are no valid changes."
    cells = sum(len(edits) for call in plan.calls for _, edits in call.sent)
    return (f"{plural(plan.record_count, 'record')}, {plural(cells, 'cell')}: "
            f"{plural(len(plan.updates), 'update')}, {plural(len(plan.mass_updates), 'mass update')}, "
            f"about {plural(plan.credits, 'API credit')}")


def may_skip_preview(plan: SubmitPlan, conflicts: list[Conflict], invalid_edits: int, skip_small: bool,
                     small_submit: int = SMALL_SUBMIT) -> bool:
    """Whether a submit may go out without the preview: the user chose so, it is small and nothing needs a word."""
    return skip_small and 0 < plan.record_count <= small_submit and not conflicts and not invalid_edits


class _RowsModel(RowsModel):
    """Rows of a plan or of conflicts; subclasses say what each cell shows (``cell``)."""

    def __init__(self, rows: list[Any], parent: QWidget | None = None) -> None:
        super().__init__(rows, parent)
        self._muted = QFont()
        self._muted.setItalic(True)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            text = self.cell(self.rows[index.row()], index.column(), role == Qt.ItemDataRole.ToolTipRole)
            return text if text or role == Qt.ItemDataRole.ToolTipRole else EMPTY
        if role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole) and index.column() >= 2:
            if not self.cell(self.rows[index.row()], index.column(), False):
                return roles.MUTED_TEXT if role == Qt.ItemDataRole.ForegroundRole else self._muted
        return None

    def cell(self, row: Any, column: int, tooltip: bool) -> str | None:
        raise NotImplementedError


class ChangeRowsModel(_RowsModel):
    """Record / field / was / will be, one row per edit of the plan (computed as rows are painted)."""

    headers = ("Record", "Field", "Was", "Will be")

    def __init__(self, model: RecordTableModel, rows: list[tuple[str, Edit]], parent: QWidget | None = None) -> None:
        super().__init__(rows, parent)
        self._records = model

    def cell(self, row: tuple[str, Edit], column: int, tooltip: bool) -> str | None:
        record_id, edit = row
        changes = self._records.changes
        if column == 0:
            return f"Record id {record_id}" if tooltip else record_name(self._records, record_id) or record_id
        if column == 1:
            return edit.api_name if tooltip else field_label(changes, edit.api_name)
        meta = changes.fields[edit.api_name]
        locale = self._records.ctx.locale
        original = changes.original(record_id, edit.api_name)
        if column == 2:
            return None if tooltip else format_value(meta, original, locale)
        if edit.kind == DELETE_FILES:
            total = len(original) if isinstance(original, list) else 0
            gone = total if edit.value is None else len(edit.value)
            noun = "file" if meta.data_type == "fileupload" else "image"
            return f"{plural(total, noun)}, deleting {gone:,}"
        after = format_value(meta, resulting_value(edit, original), locale)
        if tooltip and edit.kind in (APPEND, REMOVE):
            verb = "adds" if edit.kind == APPEND else "removes"
            return f"{verb} {format_value(meta, list(edit.value or []), locale)}"
        return None if tooltip else after


class ConflictRowsModel(_RowsModel):
    """Record / field / loaded / now in Zoho / yours, one row per edited field of a conflicting record."""

    headers = ("Record", "Field", "When you loaded it", "Now in Zoho", "Yours")

    def __init__(self, model: RecordTableModel, conflicts: list[Conflict], parent: QWidget | None = None) -> None:
        super().__init__([(c, f) for c in conflicts for f in c.fields], parent)
        self._records = model

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and role == Qt.ItemDataRole.BackgroundRole and index.column() == 3 \
                and self.changed_in_zoho(index.row()):
            return roles.CONFLICT
        if index.isValid() and role == Qt.ItemDataRole.ToolTipRole and index.column() == 3:
            return "Zoho holds another value now" if self.changed_in_zoho(index.row()) else \
                "Unchanged in Zoho (another field of the record changed)"
        return super().data(index, role)

    def changed_in_zoho(self, row: int) -> bool:
        conflict, fc = self.rows[row]
        meta = self._records.changes.fields.get(fc.api_name)
        if conflict.deleted or meta is None:
            return True
        return not self._records.changes.equal(meta, fc.loaded, fc.now)

    def cell(self, row: tuple[Conflict, FieldConflict], column: int, tooltip: bool) -> str | None:
        conflict, fc = row
        if column == 0:
            if tooltip:
                return f"Record id {conflict.record_id}\nLoaded at {conflict.loaded_time or '?'}; " + \
                    ("deleted since" if conflict.deleted else f"changed in Zoho at {conflict.server_time}")
            return record_name(self._records, conflict.record_id) or conflict.record_id
        changes = self._records.changes
        if column == 1:
            return fc.api_name if tooltip else field_label(changes, fc.api_name)
        if tooltip:
            return None
        meta = changes.fields.get(fc.api_name)
        value = (fc.loaded, fc.now, fc.yours)[column - 2]
        if column == 3 and conflict.deleted:
            return "record deleted in Zoho"
        if meta is None:
            return "" if value is None else str(value)
        return format_value(meta, value, self._records.ctx.locale)


class SubmitPreviewDialog(QDialog):
    """Read ``.triggers``, ``.skip_conflicts`` and ``.skip_preview_small`` after ``exec()``."""

    def __init__(self, parent: QWidget | None, model: RecordTableModel, plan: SubmitPlan,
                 conflicts: list[Conflict], triggers: tuple[str, ...], *, small_submit: int = SMALL_SUBMIT,
                 skip_small: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("submitPreview")
        self.setWindowTitle(f"Submit changes to {plan.module}")
        self.resize(900, 640)
        self._plan = plan
        planned = {rid for call in plan.calls for rid, _ in call.sent}
        self._conflicts = [c for c in conflicts if c.record_id in planned]
        self._held_cells = sum(len(edits) for call in plan.calls for rid, edits in call.sent
                               if rid in {c.record_id for c in self._conflicts})
        layout = QVBoxLayout(self)

        heading = QLabel(summary_text(plan))
        heading.setObjectName("summary")
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setBold(True)
        heading.setFont(font)
        heading.setWordWrap(True)
        layout.addWidget(heading)
        invalid = model.changes.invalid()
        if invalid:
            one = len(invalid) == 1
            note = QLabel(f"{plural(len(invalid), 'edit')} will NOT be sent: "
                          f"{'its value is' if one else 'their values are'} not valid for the field (marked red in "
                          f"the table). {'It stays' if one else 'They stay'} in the table; fix or revert "
                          f"{'it' if one else 'them'}.")
            note.setObjectName("invalidNote")
            note.setWordWrap(True)
            note.setStyleSheet(f"QLabel {{ background: {roles.INVALID.name()}; padding: 4px; }}")
            layout.addWidget(note)

        split = QSplitter(Qt.Orientation.Vertical)
        rows = [(rid, edit) for call in plan.calls for rid, edits in call.sent for edit in edits]
        self.changes_model = ChangeRowsModel(model, rows, self)
        self.changes_view = rows_table(self.changes_model, (220, 160, 220), alternating=True)
        self.changes_view.setObjectName("changes")
        split.addWidget(self.changes_view)
        self._skip = QRadioButton("Skip conflicting records (their edits stay in the table)")
        self._overwrite = QRadioButton("Overwrite them with your values")
        self._sending = QLabel()
        self._sending.setObjectName("sendingNote")
        if self._conflicts:
            split.addWidget(self._conflict_box(model))
            split.setSizes([360, 200])
        layout.addWidget(split, 1)

        box = QGroupBox("When Zoho saves these records, run")
        box.setObjectName("triggers")
        row = QHBoxLayout(box)
        self._trigger_boxes: dict[str, QCheckBox] = {}
        for name in TRIGGERS:
            text, tip = TRIGGER_TEXT[name]
            check = QCheckBox(text)
            check.setObjectName(f"trigger_{name}")
            check.setToolTip(tip)
            check.setChecked(name in triggers)
            row.addWidget(check)
            self._trigger_boxes[name] = check
        row.addStretch(1)
        layout.addWidget(box)

        self._small = QCheckBox(f"Don't ask for submits of up to {plural(small_submit, 'record')}")
        self._small.setObjectName("skipSmall")
        self._small.setChecked(skip_small)
        self._small.setToolTip("Small submits are then sent at once, with the triggers chosen here. "
                               "Conflicts are still checked; a submit with conflicts always asks.")
        buttons = QDialogButtonBox()
        self.submit_button = buttons.addButton("Submit", QDialogButtonBox.ButtonRole.AcceptRole)
        self.submit_button.setObjectName("submit")
        self.submit_button.setDefault(True)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self._small)
        bottom.addStretch(1)
        bottom.addWidget(buttons)
        layout.addLayout(bottom)
        self._update_sending()
        self.submit_button.setFocus()

    def _conflict_box(self, model: RecordTableModel) -> QGroupBox:
        n = len(self._conflicts)
        box = QGroupBox(f"Changed in Zoho since you loaded {'it' if n == 1 else 'them'}: {plural(n, 'record')}")
        box.setObjectName("conflicts")
        inner = QVBoxLayout(box)
        self.conflicts_model = ConflictRowsModel(model, self._conflicts, self)
        self.conflicts_view = rows_table(self.conflicts_model, (200, 140, 170, 170), alternating=True)
        self.conflicts_view.setObjectName("conflictsTable")
        inner.addWidget(self.conflicts_view, 1)
        group = QButtonGroup(box)
        for button in (self._skip, self._overwrite):
            group.addButton(button)
            inner.addWidget(button)
        self._skip.setChecked(True)
        self._skip.toggled.connect(self._update_sending)
        deleted = sum(1 for c in self._conflicts if c.deleted)
        if deleted:
            self._overwrite.setToolTip(f"{plural(deleted, 'record')} no longer exist in Zoho and will fail "
                                       "if sent.")
        inner.addWidget(self._sending)
        return box

    def _update_sending(self) -> None:
        records = self._plan.record_count
        held = len(self._conflicts) if self.skip_conflicts else 0
        if self._conflicts:
            if held:
                self._sending.setText(f"Will send {plural(records - held, 'record')}; "
                                      f"{plural(held, 'conflicting record')} ({plural(self._held_cells, 'cell')}) "
                                      "held back.")
            else:
                self._sending.setText(f"Will send all {plural(records, 'record')}, replacing what changed in "
                                      "Zoho with your values.")
        self.submit_button.setEnabled(records - held > 0)

    # -- answers ------------------------------------------------------------------------
    @property
    def triggers(self) -> tuple[str, ...]:
        return tuple(name for name in TRIGGERS if self._trigger_boxes[name].isChecked())

    @property
    def skip_conflicts(self) -> bool:
        return not self._overwrite.isChecked()

    @property
    def skip_preview_small(self) -> bool:
        return self._small.isChecked()

    @property
    def conflict_count(self) -> int:
        """Conflicting records that are part of the plan."""
        return len(self._conflicts)
