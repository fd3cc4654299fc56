"""“Set value for selected rows…”: one value for one field of many records, staged as one undo step.

The dialog collects a field and a value, asks the core whether the value can be read
(:func:`gui.core.cell_input.text_to_change`), and stages one CellChange per record that can be
edited. Records that cannot (awaiting approval, locked, no permission) are counted and named.
Nothing is sent here: the submit planner later turns equal edits into mass-update calls.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QListWidget, QListWidgetItem, QRadioButton, QVBoxLayout, QWidget)

from ..core.cell_input import text_to_change
from ..core.changeset import APPEND, REMOVE, SET, CellChange, Edit, block_reason, resulting_value
from ..core.fieldtypes import format_value
from ..core.meta import FieldMeta
from ..qt import roles
from ..qt.module_session import name_field
from ..qt.table_model import RecordTableModel

_NO_MASS_TYPES = ("fileupload", "imageupload")
_CHOICE_TYPES = ("picklist", "boolean", "ownerlookup", "userlookup")
_HINTS = {
    "date": "a date, e.g. {example}", "datetime": "a date and time, e.g. {example}",
    "lookup": "a record id, or Name [id] as the table shows it", "email": "an e-mail address",
    "phone": "a phone number", "website": "a web address", "integer": "a whole number",
    "bigint": "a whole number", "currency": "an amount", "double": "a number", "decimal": "a number",
    "percent": "a percentage", "textarea": "text", "text": "text",
}
_EXAMPLES = {"date": "2025-03-31", "datetime": "2025-03-31T09:30:00+00:00"}


def mass_update_fields(model: RecordTableModel) -> list[FieldMeta]:
    """The table's fields one value can be set for: editable, mass-updatable, not files or images."""
    return [m for m in model.columns if m.editable and m.mass_update and m.data_type not in _NO_MASS_TYPES]


class MassUpdateDialog(QDialog):
    """Choose a field and a value; OK stages it for every selected record that can take it."""

    def __init__(self, parent: QWidget | None, model: RecordTableModel, record_ids: list[str],
                 field: str | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.record_ids = [rid for rid in dict.fromkeys(record_ids) if rid in model.changes.records]
        self.blocked: dict[str, str] = {}
        for rid in self.record_ids:
            reason = block_reason(model.changes.records[rid])
            if reason is not None:
                self.blocked[rid] = reason
        self.allowed = [rid for rid in self.record_ids if rid not in self.blocked]
        self.fields = mass_update_fields(model)
        self.staged = 0  # cells staged by OK
        self._change: CellChange | None = None
        self._name_api = name_field(model.changes.module, list(model.changes.fields.values()))
        self.setWindowTitle("Set value for selected rows")
        self.setObjectName("massUpdateDialog")
        self._build()
        start = next((n for n, m in enumerate(self.fields) if m.api_name == field), 0)
        self.field_combo.setCurrentIndex(start)
        self._on_field_changed()
        self.resize(520, 520)

    # -- building -------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        title = QLabel(f"<b>Set one value for {self._records(len(self.record_ids))}</b>", self)
        layout.addWidget(title)
        form = QFormLayout()
        self.field_combo = QComboBox(self)
        for meta in self.fields:
            self.field_combo.addItem(meta.label + (" *" if meta.mandatory else ""), meta.api_name)
        form.addRow("Field:", self.field_combo)
        self.value_edit = QLineEdit(self)
        self.value_edit.setClearButtonEnabled(True)
        self.choice_combo = QComboBox(self)
        self.choice_combo.setPlaceholderText("Choose…")
        value_box = QVBoxLayout()
        value_box.setContentsMargins(0, 0, 0, 0)
        value_box.addWidget(self.value_edit)
        value_box.addWidget(self.choice_combo)
        value_box.addWidget(self._build_multi())
        holder = QWidget(self)
        holder.setLayout(value_box)
        form.addRow("Value:", holder)
        layout.addLayout(form)
        self.error_label = self._label("errorLabel", "color: #a40000;")
        self.note_label = self._label("noteLabel", f"color: {roles.MUTED_TEXT.name()};")
        self.count_label = self._label("countLabel")
        layout.addWidget(self.error_label)
        layout.addWidget(self.note_label)
        layout.addWidget(self.count_label)
        self.skipped_label = self._label("skippedLabel")
        self.skipped_list = QListWidget(self)
        self.skipped_list.setObjectName("skippedList")
        self.skipped_list.setMaximumHeight(120)
        self.skipped_list.setWordWrap(True)
        self.skipped_list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.skipped_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._fill_skipped()
        layout.addWidget(self.skipped_label)
        layout.addWidget(self.skipped_list)
        layout.addStretch(1)
        layout.addWidget(self._label("sendHint", f"color: {roles.MUTED_TEXT.name()};",
                                     "The value is staged like any edit: Undo takes it back in one step, and "
                                     "nothing is sent until you submit."))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                   self)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Set value")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.field_combo.currentIndexChanged.connect(lambda _: self._on_field_changed())
        self.value_edit.textChanged.connect(lambda _: self._revalidate())
        self.choice_combo.currentIndexChanged.connect(lambda _: self._revalidate())

    def _build_multi(self) -> QWidget:
        self.multi_box = QWidget(self)
        box = QVBoxLayout(self.multi_box)
        box.setContentsMargins(0, 0, 0, 0)
        modes = QHBoxLayout()
        self.replace_radio = QRadioButton("Replace", self.multi_box)
        self.append_radio = QRadioButton("Append", self.multi_box)
        self.remove_radio = QRadioButton("Remove", self.multi_box)
        self.replace_radio.setToolTip("The checked choices become the field's whole value.")
        self.append_radio.setToolTip("The checked choices are added to what each record has.")
        self.remove_radio.setToolTip("The checked choices are taken away from what each record has.")
        self._multi_modes = QButtonGroup(self)
        for n, radio in enumerate((self.replace_radio, self.append_radio, self.remove_radio)):
            self._multi_modes.addButton(radio, n)
            modes.addWidget(radio)
        modes.addStretch(1)
        self.replace_radio.setChecked(True)
        self.multi_list = QListWidget(self.multi_box)
        self.multi_list.setObjectName("multiChoices")
        box.addLayout(modes)
        box.addWidget(self.multi_list)
        self._multi_modes.idToggled.connect(lambda _id, on: on and self._revalidate())
        self.multi_list.itemChanged.connect(lambda _: self._revalidate())
        return self.multi_box

    def _label(self, name: str, style: str = "", text: str = "") -> QLabel:
        label = QLabel(text, self)
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        if style:
            label.setStyleSheet(style)
        return label

    def _records(self, n: int) -> str:
        return f"{n:,} selected record" + ("" if n == 1 else "s")

    def _record_name(self, record_id: str) -> str:
        value = self.model.changes.original(record_id, self._name_api) if self._name_api else None
        return str(value).strip() if value not in (None, "") else record_id

    def _fill_skipped(self) -> None:
        n = len(self.blocked)
        self.skipped_label.setText(f"{n:,} of the selected records can't be edited and will be skipped:"
                                   if n else "")
        for rid, why in self.blocked.items():
            item = QListWidgetItem(f"{self._record_name(rid)} — {why}")
            item.setToolTip(f"Record id {rid}\n{why}")
            self.skipped_list.addItem(item)
        self.skipped_label.setVisible(bool(n))
        self.skipped_list.setVisible(bool(n))

    # -- the value ----------------------------------------------------------------------------------
    @property
    def field(self) -> FieldMeta | None:
        n = self.field_combo.currentIndex()
        return self.fields[n] if 0 <= n < len(self.fields) else None

    @property
    def mode(self) -> str:
        meta = self.field
        if meta is None or meta.data_type != "multiselectpicklist" or self.replace_radio.isChecked():
            return SET
        return APPEND if self.append_radio.isChecked() else REMOVE

    def value_text(self) -> str:
        """The value as text, in the form a cell would be typed or pasted."""
        meta = self.field
        if meta is None:
            return ""
        if meta.data_type == "multiselectpicklist":
            items = (self.multi_list.item(n) for n in range(self.multi_list.count()))
            return "; ".join(i.text() for i in items if i.checkState() == Qt.CheckState.Checked)
        if meta.data_type in _CHOICE_TYPES:
            return str(self.choice_combo.currentData() or "")
        return self.value_edit.text()

    def _on_field_changed(self) -> None:
        meta = self.field
        kind = meta.data_type if meta is not None else ""
        self.value_edit.setVisible(kind not in _CHOICE_TYPES and kind != "multiselectpicklist")
        self.choice_combo.setVisible(kind in _CHOICE_TYPES)
        self.multi_box.setVisible(kind == "multiselectpicklist")
        self.choice_combo.blockSignals(True)
        self.multi_list.blockSignals(True)
        self.choice_combo.clear()
        self.multi_list.clear()
        if meta is not None:
            for text, data in self._choices(meta):
                self.choice_combo.addItem(text, data)
            self.choice_combo.setCurrentIndex(-1)
            for option in meta.picklist if kind == "multiselectpicklist" else ():
                item = QListWidgetItem(option.display)
                item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
                item.setCheckState(Qt.CheckState.Unchecked)
                self.multi_list.addItem(item)
            hint = _HINTS.get(kind, "the value").format(example=self._example(meta))
            self.value_edit.setPlaceholderText(hint[:1].upper() + hint[1:])
        self.choice_combo.blockSignals(False)
        self.multi_list.blockSignals(False)
        self._revalidate()

    def _example(self, meta: FieldMeta) -> str:
        sample = _EXAMPLES.get(meta.data_type)
        return format_value(meta, sample, self.model.ctx.locale) if sample else ""

    def _choices(self, meta: FieldMeta) -> list[tuple[str, str]]:
        empty = [] if meta.mandatory else [("(empty: clear the field)", "")]
        if meta.data_type == "picklist":
            return empty + [(o.display, o.display) for o in meta.picklist]
        if meta.data_type == "boolean":
            return [("Yes", "Yes"), ("No", "No")]
        if meta.data_type in ("ownerlookup", "userlookup"):
            users = sorted((u for u in self.model.ctx.users if u.active), key=lambda u: u.full_name.casefold())
            return empty + [(f"{u.full_name} <{u.email}>", f"{u.full_name} <{u.email}>") for u in users]
        return []

    def _revalidate(self) -> None:
        self._change = None
        meta = self.field
        self.note_label.clear()
        problem: str | None = None
        if meta is None:
            problem = "No field of this table can be set for many records at once."
        elif meta.data_type in _CHOICE_TYPES and self.choice_combo.currentIndex() < 0:
            problem = "Choose a value."
        elif not self.allowed:
            problem = "None of the selected records can be edited."
        if meta is not None and problem is None:
            change, warning = text_to_change(self.allowed[0], meta, self.value_text(), self.model.ctx, self.mode)
            if change.invalid is not None:
                problem = change.invalid
            else:
                self._change = change
                if warning:
                    self.note_label.setText(warning)
                elif change.value in (None, []) and change.kind == SET:
                    self.note_label.setText(f"{meta.label} will be emptied.")
        self.error_label.setText(problem or "")
        self.error_label.setVisible(bool(problem))
        self.ok_button.setEnabled(self._change is not None)
        self._count()

    def _count(self) -> None:
        meta, change = self.field, self._change
        n = len(self.allowed)
        if meta is None or change is None:
            self.count_label.setText(f"{n:,} of the {self._records(len(self.record_ids))} can take a value.")
            return
        changes = self.model.changes
        probe = Edit("", meta.api_name, change.kind, change.value)
        same = 0
        for rid in self.allowed:
            now = changes.effective(rid, meta.api_name)
            if changes.equal(meta, resulting_value(probe, now), now):
                same += 1
        verb = {APPEND: f"Adds to {meta.label}", REMOVE: f"Removes from {meta.label}"}.get(
            change.kind, f"Sets {meta.label}")
        text = f"{verb} on {n:,} of the {self._records(len(self.record_ids))}."
        if same:
            text += f" {same:,} of them already {'has' if same == 1 else 'have'} this value."
        self.count_label.setText(text)

    # -- staging ----------------------------------------------------------------------------------
    @property
    def undo_label(self) -> str:
        meta = self.field
        label = meta.label if meta is not None else ""
        n = len(self.allowed)
        what = {APPEND: f"Add to {label}", REMOVE: f"Remove from {label}"}.get(self.mode, f"Set {label}")
        return f"{what} for {n} row{'s' if n != 1 else ''}"

    def accept(self) -> None:
        change = self._change
        if change is None:
            return
        staged = [replace(change, record_id=rid) for rid in self.allowed]
        self.staged = self.model.apply_changes(staged, self.undo_label)
        super().accept()
