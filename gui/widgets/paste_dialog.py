"""The paste preview: how pasted rows find their records, where each pasted column goes, what
the first cells become, and what the core found worth a look (spreadsheet damage, unmatched
rows, skipped columns, unreadable values), before anything changes. The rules live in the core
and :mod:`gui.qt.paste_ops`; on Apply the caller hands :attr:`PasteDialog.plan` to ``apply_paste``.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QGuiApplication, QIcon
from PySide6.QtWidgets import (QAbstractItemView, QButtonGroup, QCheckBox, QComboBox, QDialog, QDialogButtonBox,
                               QGroupBox, QHBoxLayout, QLabel, QListView, QListWidget, QListWidgetItem,
                               QRadioButton, QStyle, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ..core.cell_input import text_to_change
from ..core.changeset import SET, block_reason
from ..core.fieldtypes import format_value
from ..core.paste_keys import HeaderNames
from ..core.paste_mapping import APPEND, REMOVE, CellAssignment, PastePlan
from ..qt import roles
from ..qt.module_session import name_field
from ..qt.paste_ops import PasteMode, PasteRequest, looks_like_header, plan_paste
from ..qt.table_model import RecordTableModel

DIRECT_PASTE_CELLS = 200  # a plain Ctrl+V of at most this many clean cells applies without asking
PREVIEW_CELLS = 50
LISTED_ISSUES = 200
CHECK_CHUNK = 800  # cells validated per turn of the event loop (about 30 ms)
Options = tuple[PasteMode, str, bool]  # mode, key field, empty cells clear


def key_choices(model: RecordTableModel) -> list[tuple[str, str]]:
    """(label, key) pairs for matching by key: the record id, then the loaded unique and e-mail fields."""
    fields = [m for m in model.columns if m.api_name != "id"]
    ranked = [m for m in fields if m.unique] + [m for m in fields if m.data_type == "email" and not m.unique]
    return [("Record id", "id")] + [(m.label, m.api_name) for m in ranked]


def _plans(model: RecordTableModel, request: PasteRequest, cache: dict[Options, PastePlan],
           options: Options) -> PastePlan:
    if options not in cache:
        cache[options] = plan_paste(model, request, *options)
    return cache[options]


def suggest_mode(model: RecordTableModel, request: PasteRequest,
                 cache: dict[Options, PastePlan] | None = None) -> tuple[PasteMode, str]:
    """The mode a paste most likely means: by key when the header has a key column whose values
    find most rows' records, by header when the first row names fields, else by position."""
    if not looks_like_header(model, request):
        return "position", "id"
    cache = {} if cache is None else cache
    names = HeaderNames(list(model.changes.fields.values()))
    in_header: set[str] = set()
    for found, mode, _, is_id in (names.resolve(text) for text in request.grid[0]):
        if is_id or (found is not None and mode == SET):
            in_header.add("id" if is_id or found is None else found.api_name)
    for _, key in key_choices(model):
        if key not in in_header:
            continue
        plan = _plans(model, request, cache, ("key", key, False))
        rows = len(request.grid) - 1 - len(plan.blank_rows)
        matched = rows - len(plan.unmatched_rows) - len(plan.ambiguous_rows)
        if plan.error is None and matched > 0 and matched * 2 >= rows:
            return "key", key
    return "header", "id"


def blocked_records(model: RecordTableModel, record_ids: list[str]) -> dict[str, str]:
    """Record id -> why it cannot be edited, for the records among ``record_ids`` that cannot."""
    records = model.changes.records
    reasons = {rid: block_reason(records[rid]) if rid in records else "This record is not loaded."
               for rid in record_ids}
    return {rid: why for rid, why in reasons.items() if why is not None}


def should_preview(model: RecordTableModel, request: PasteRequest, plan: PastePlan) -> bool:
    """Whether a plain Ctrl+V must show the preview instead of applying ``plan`` directly.

    It may apply directly only when the first row is not a header, the plan has no warning,
    no error and nothing unmatched or skipped, no target record is blocked, it is small, and
    (for more than one cell) every value can be read.
    """
    if looks_like_header(model, request) or plan.error is not None or plan.warnings or plan.unmatched_rows \
            or plan.ambiguous_rows or plan.unknown_columns or plan.skipped_readonly or plan.skipped_columns \
            or plan.extra_columns or len(plan.cells) > DIRECT_PASTE_CELLS \
            or blocked_records(model, plan.record_ids):
        return True
    fields, ctx = model.changes.fields, model.ctx
    return len(plan.cells) > 1 and any(
        text_to_change(c.record_id, fields[c.api_name], c.text, ctx, c.mode)[0].invalid is not None
        for c in plan.cells)


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def _one_line(text: str, most: int = 80) -> str:
    flat = text.replace("\r\n", "\n").replace("\n", " ↵ ").replace("\t", " ")
    return flat if len(flat) <= most else flat[: most - 1] + "…"


class PasteDialog(QDialog):
    """Preview of a paste; after ``exec()`` returns Accepted, :attr:`plan` is what to apply."""

    checksFinished = Signal()

    def __init__(self, parent: QWidget | None, model: RecordTableModel, request: PasteRequest) -> None:
        super().__init__(parent)
        self.model = model
        self.request = request
        self._cache: dict[Options, PastePlan] = {}
        mode, key = suggest_mode(model, request, self._cache)
        self.plan: PastePlan = _plans(model, request, self._cache, (mode, key, False))
        self.checks_done = False  # every value of the plan was read (see invalid_cells, unchanged_cells)
        self.invalid_cells: list[tuple[CellAssignment, str]] = []
        self.unchanged_cells = 0
        self._check_at = self._insert_at = 0
        self._blocked: dict[str, str] = {}
        self._all_clear = False
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._check_some)
        self._name_api = name_field(model.changes.module, list(model.changes.fields.values()))
        self.setWindowTitle("Paste preview")
        self._build(mode, key)
        self._show_plan()

    # -- building -------------------------------------------------------------------------------
    def _build(self, mode: PasteMode, key: str) -> None:
        rows, width = len(self.request.grid), max((len(r) for r in self.request.grid), default=0)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>Pasting {_plural(rows, 'row')} × {_plural(width, 'column')}</b> — nothing "
                                "changes until you press Apply, and Undo takes the whole paste back.", self))
        top = QHBoxLayout()
        top.addWidget(self._build_options(mode, key), 0)
        self.mapping_table = self._table(["Pasted column", "Goes to"])
        top.addWidget(self._group("Pasted columns", self.mapping_table), 1)
        layout.addLayout(top, 0)
        self.preview_table = self._table(["Row", "Record", "Field", "Now", "After the paste"])
        layout.addWidget(self._group(f"Preview (first {PREVIEW_CELLS} cells)", self.preview_table), 5)
        self.issues_list = QListWidget(self)
        self.issues_list.setObjectName("pasteIssues")
        self.issues_list.setWordWrap(True)
        self.issues_list.setResizeMode(QListView.ResizeMode.Adjust)
        self.issues_list.setIconSize(QSize(16, 16))
        self.issues_list.setAlternatingRowColors(True)
        layout.addWidget(self._group("Check before you apply", self.issues_list), 4)
        self.count_label, self.check_label = QLabel(self), QLabel(self)
        self.check_label.setWordWrap(True)
        layout.addWidget(self.count_label)
        layout.addWidget(self.check_label)
        buttons = QDialogButtonBox(self)
        self.apply_button = buttons.addButton("Apply", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.apply_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(1040, 800)

    def _group(self, title: str, widget: QWidget) -> QGroupBox:
        group = QGroupBox(title, self)
        QVBoxLayout(group).addWidget(widget)
        return group

    def _build_options(self, mode: PasteMode, key: str) -> QGroupBox:
        group = QGroupBox("How rows are matched", self)
        box = QVBoxLayout(group)
        self.position_radio, self.header_radio, self.key_radio = (QRadioButton(text, group) for text in (
            "By position from the current cell", "First row is a header (columns by name)", "Match rows by key column"))
        self.key_combo = QComboBox(group)
        for label, api in key_choices(self.model):
            self.key_combo.addItem(label, api)
        self.key_combo.setCurrentIndex(max(self.key_combo.findData(key), 0))
        self.clear_empty_box = QCheckBox("Empty cells clear the field", group)
        self.clear_empty_box.setToolTip("Off: an empty pasted cell leaves the field as it is.\n"
                                        "On: an empty pasted cell empties the field.")
        self._modes = QButtonGroup(self)
        for n, radio in enumerate((self.position_radio, self.header_radio, self.key_radio)):
            self._modes.addButton(radio, n)
            radio.setEnabled(n == 0 or len(self.request.grid) > 1)  # a header needs a row under it
        box.addWidget(self.position_radio)
        box.addWidget(self.header_radio)
        row = QHBoxLayout()
        row.addWidget(self.key_radio)
        row.addWidget(self.key_combo, 1)
        box.addLayout(row)
        box.addWidget(self.clear_empty_box)
        self.hint_label = QLabel(group)
        self.hint_label.setWordWrap(True)
        self.hint_label.setStyleSheet(f"color: {roles.MUTED_TEXT.name()};")
        box.addWidget(self.hint_label)
        box.addStretch(1)
        {"position": self.position_radio, "header": self.header_radio, "key": self.key_radio}[mode].setChecked(True)
        self._modes.idToggled.connect(lambda _id, checked: checked and self._replan())
        self.key_combo.currentIndexChanged.connect(lambda _: self._replan())
        self.clear_empty_box.toggled.connect(lambda _: self._replan())
        group.setMinimumWidth(330)
        return group

    def _table(self, headers: list[str]) -> QTableWidget:
        table = QTableWidget(0, len(headers), self)
        table.setHorizontalHeaderLabels(headers)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setAlternatingRowColors(True)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    def _icon(self, which: QStyle.StandardPixmap) -> QIcon:
        return self.style().standardIcon(which)

    # -- options --------------------------------------------------------------------------------
    @property
    def mode(self) -> PasteMode:
        return "key" if self.key_radio.isChecked() else "header" if self.header_radio.isChecked() else "position"

    @property
    def key_field(self) -> str:
        return str(self.key_combo.currentData() or "id")

    @property
    def clear_empty(self) -> bool:
        return self.clear_empty_box.isChecked() and self.mode != "position"

    def _replan(self) -> None:
        options: Options = (self.mode, self.key_field, self.clear_empty)
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # a 10,000-row plan takes a moment
        self.plan = _plans(self.model, self.request, self._cache, options)
        QGuiApplication.restoreOverrideCursor()
        self._show_plan()

    # -- showing a plan -------------------------------------------------------------------------
    def _show_plan(self) -> None:
        self.key_combo.setEnabled(self.mode == "key")
        self.clear_empty_box.setEnabled(self.mode != "position")
        self._blocked = blocked_records(self.model, self.plan.record_ids)
        self.hint_label.setText(self._hint(self.mode))
        self._fill_mapping()
        self._fill_preview()
        self._fill_issues()
        live = sum(1 for c in self.plan.cells if c.record_id not in self._blocked)
        records = len(self.plan.record_ids) - len(self._blocked)
        self.count_label.setText(f"<b>{_plural(live, 'cell')} in {_plural(records, 'record')}</b>"
                                 if live else "<b>Nothing to paste with these options.</b>")
        self.apply_button.setEnabled(live > 0 and self.plan.error is None)
        self._start_checks()

    def _hint(self, mode: PasteMode) -> str:
        row = self.request.anchor_row + 1
        if mode == "key":
            return (f"Each pasted row finds its record by its {self.key_combo.currentText()}, in any order; "
                    "rows of records hidden by a filter are pasted too.")
        if mode == "header":
            return f"Columns are matched to fields by name; the rows land on table rows {row} and below."
        start = self.model.field_at(self.request.anchor_column) or self.model.field_at(1)
        where = f", columns from {start.label} to the right" if start is not None else ""
        return f"The block lands on table rows {row} and below{where}, as in a spreadsheet."

    def _target_of_column(self, col: int) -> str:
        """Where a pasted column without cells would have gone (for the mapping table)."""
        if self.mode == "position":
            meta = self.model.field_at(max(self.request.anchor_column, 1) + col)
            return f"{meta.label} (no values)" if meta is not None else "Not pasted"
        header = self.request.grid[0][col] if col < len(self.request.grid[0]) else ""
        found, _, _, is_id = HeaderNames(list(self.model.changes.fields.values())).resolve(header)
        key = self.key_field if self.mode == "key" else None
        if (is_id and key == "id") or (found is not None and found.api_name == key):
            return "Used to find each row's record (not pasted)"
        if is_id:
            return "Record id: not pasted" + (", checked against the row it lands on" if key is None else "")
        return f"{found.label} (no values)" if found is not None else "Not pasted: the header is empty"

    def _fill_mapping(self) -> None:
        plan, grid = self.plan, self.request.grid
        width = max((len(r) for r in grid), default=0)
        targets: dict[int, tuple[str, str]] = {}
        for cell in plan.cells:
            targets.setdefault(cell.source_col, (cell.api_name, cell.mode))
        reasons = {col: f"Not pasted: no field is called “{name}”" for col, name in plan.unknown_columns}
        reasons |= {s.source_col: f"Not pasted: {s.reason}" for s in (*plan.skipped_readonly, *plan.skipped_columns)}
        reasons |= {col: "Not pasted: past the last column of the table" for col in plan.extra_columns}
        shown_fields = {m.api_name for m in self.model.columns}
        fill = self.mode == "position" and self.request.single_value and len(plan.cells) > 1
        table = self.mapping_table
        table.setRowCount(width)
        muted = QBrush(roles.MUTED_TEXT)
        for col in range(width):
            sample = next((r[col] for r in grid if col < len(r) and r[col].strip()), "")
            source = f"Column {col + 1}" + (f": {_one_line(sample, 24)}" if sample else "")
            if self.mode != "position" and col < len(grid[0]) and grid[0][col].strip():
                source = grid[0][col].strip()
            if fill:
                labels = dict.fromkeys(self._label(c.api_name) for c in plan.cells)
                goes = f"{', '.join(labels)} — every selected cell"
            elif col in targets:
                api, mode = targets[col]
                goes = {APPEND: "Add to ", REMOVE: "Remove from "}.get(mode, "") + self._label(api)
                if api not in shown_fields:
                    goes += " (a field not shown in the table)"
            else:
                goes = reasons.get(col) or self._target_of_column(col)
            right = QTableWidgetItem(goes)
            right.setToolTip(goes)
            if col not in targets and not fill:
                right.setForeground(muted)
                if col in reasons:
                    right.setIcon(self._icon(QStyle.StandardPixmap.SP_MessageBoxWarning))
            table.setItem(col, 0, QTableWidgetItem(source))
            table.setItem(col, 1, right)
        table.resizeColumnToContents(0)
        rows = table.verticalHeader().defaultSectionSize() * min(max(width, 4), 8)
        table.setMaximumHeight(table.horizontalHeader().sizeHint().height() + rows + 2 * table.frameWidth())

    def _label(self, api: str) -> str:
        meta = self.model.changes.fields.get(api)
        return meta.label if meta is not None else api

    def _where(self, row: int, col: int, api: str) -> str:
        return f"Row {row + 1}, column {col + 1} ({self._label(api)})"  # counted as a person does, from 1

    def _record_name(self, record_id: str) -> str:
        value = self.model.changes.original(record_id, self._name_api) if self._name_api else None
        return str(value).strip() if value not in (None, "") else record_id

    def _fill_preview(self) -> None:
        changes, ctx = self.model.changes, self.model.ctx
        damaged = {(w.source_row, w.source_col): w for w in self.plan.warnings if w.api_name is not None}
        cells = self.plan.cells[:PREVIEW_CELLS]
        table = self.preview_table
        table.setRowCount(len(cells))
        for n, cell in enumerate(cells):
            meta = changes.fields[cell.api_name]
            now = format_value(meta, changes.effective(cell.record_id, cell.api_name), ctx.locale)
            sign = {APPEND: "+ ", REMOVE: "− "}.get(cell.mode, "")
            change, note = text_to_change(cell.record_id, meta, cell.text, ctx, cell.mode)
            shown = cell.text
            if change.invalid is None and change.kind == SET:
                shown = format_value(meta, change.value, ctx.locale)
            after = QTableWidgetItem(sign + (_one_line(shown) if shown else "(empty)"))
            record = QTableWidgetItem(self._record_name(cell.record_id))
            record.setToolTip(f"Record id {cell.record_id}")
            tips = [f"Pasted: {cell.text}" if cell.text else "Pasted: an empty cell"] + ([note] if note else [])
            blocked = self._blocked.get(cell.record_id)
            warning = damaged.get((cell.source_row, cell.source_col))
            if blocked is not None:
                after.setText(after.text() + "  (left out)")
                after.setForeground(QBrush(roles.MUTED_TEXT))
                after.setBackground(roles.BLOCKED)
                tips.append(f"Left out: {blocked}")
            elif change.invalid is not None:
                after.setBackground(roles.INVALID)
                after.setIcon(self._icon(QStyle.StandardPixmap.SP_MessageBoxCritical))
                tips.append(f"Not a valid value: {change.invalid}. It is pasted and marked invalid, never sent.")
            elif warning is not None:
                after.setBackground(roles.CONFLICT if warning.severity == "warning" else roles.EDITED)
                after.setIcon(self._icon(QStyle.StandardPixmap.SP_MessageBoxWarning))
                tips.append(warning.message)
            after.setToolTip("\n".join(tips))
            for c, item in enumerate((QTableWidgetItem(str(cell.source_row + 1)), record,
                                      QTableWidgetItem(meta.label), QTableWidgetItem(_one_line(now)), after)):
                table.setItem(n, c, item)
        for c in range(4):
            table.resizeColumnToContents(c)
            table.setColumnWidth(c, min(table.columnWidth(c), 220))

    def _add_issue(self, icon: QStyle.StandardPixmap, text: str, tip: str | None = None, at: int = -1) -> None:
        item = QListWidgetItem(self._icon(icon), text)
        item.setToolTip(tip or text)
        self.issues_list.insertItem(self.issues_list.count() if at < 0 else at, item)

    def _fill_issues(self) -> None:
        self.issues_list.clear()
        plan = self.plan
        sp = QStyle.StandardPixmap
        for line in plan.summary():
            self._add_issue(sp.SP_MessageBoxCritical if line == plan.error else sp.SP_MessageBoxWarning, line)
        if self._blocked:
            n, names = len(self._blocked), ", ".join(self._record_name(rid) for rid in list(self._blocked)[:5])
            self._add_issue(sp.SP_MessageBoxWarning, f"{_plural(n, 'record')} can't be edited and will be left "
                            f"out: {names}" + (f" and {n - 5:,} more." if n > 5 else "."),
                            "\n".join(f"{self._record_name(r)}: {why}" for r, why in list(self._blocked.items())[:20]))
        hidden = sum(1 for rid in plan.record_ids if self.model.row_of(rid) < 0)
        if hidden:
            self._add_issue(sp.SP_MessageBoxInformation, f"{_plural(hidden, 'record')} of this paste "
                            "are hidden by the current filter; their cells are pasted too.")
        self._insert_at = self.issues_list.count()  # invalid values go here once checked
        for w in plan.warnings[:LISTED_ISSUES]:
            self._add_issue(sp.SP_MessageBoxWarning if w.severity == "warning" else sp.SP_MessageBoxInformation,
                            w.message if w.api_name is None
                            else f"{self._where(w.source_row, w.source_col, w.api_name)}: {w.message}")
        if len(plan.warnings) > LISTED_ISSUES:
            self._add_issue(sp.SP_MessageBoxInformation,
                            f"… and {len(plan.warnings) - LISTED_ISSUES:,} more warnings like these.")
        self._all_clear = self.issues_list.count() == 0
        if self._all_clear:
            self._add_issue(sp.SP_DialogApplyButton, "Every pasted column has a field and no value looks "
                            "changed by a spreadsheet.")

    # -- checking every value, a chunk per turn of the event loop ----------------------------------------
    def _start_checks(self) -> None:
        self.checks_done, self.invalid_cells, self.unchanged_cells, self._check_at = False, [], 0, 0
        self.check_label.setText("Checking the pasted values…")
        self._timer.start()

    def _check_some(self) -> None:
        changes, ctx, cells = self.model.changes, self.model.ctx, self.plan.cells
        end = min(self._check_at + CHECK_CHUNK, len(cells))
        for cell in cells[self._check_at:end]:
            if cell.record_id in self._blocked:
                continue
            meta = changes.fields[cell.api_name]
            change, _ = text_to_change(cell.record_id, meta, cell.text, ctx, cell.mode)
            if change.invalid is not None:
                self.invalid_cells.append((cell, change.invalid))
            elif change.kind == SET and changes.equal(meta, change.value,
                                                      changes.effective(cell.record_id, cell.api_name)):
                self.unchanged_cells += 1
        self._check_at = end
        if end < len(cells):
            self.check_label.setText(f"Checking the pasted values… {end:,} of {len(cells):,}")
            return
        self._timer.stop()
        self._finish_checks()

    def _finish_checks(self) -> None:
        parts: list[str] = []
        bad = len(self.invalid_cells)
        if bad:
            them = "it is" if bad == 1 else "they are"
            parts.append(f"<span style='color:#a40000'>{_plural(bad, 'cell')} can't be read: {them} pasted "
                         "as typed and marked invalid (never sent) until you fix them.</span>")
            if self._all_clear:
                self.issues_list.clear()
                self._insert_at = 0
            for n, (cell, why) in enumerate(self.invalid_cells[:LISTED_ISSUES]):
                self._add_issue(QStyle.StandardPixmap.SP_MessageBoxCritical,
                                f"{self._where(cell.source_row, cell.source_col, cell.api_name)}: {why}",
                                f"{why}\nThe text is pasted as it is and marked invalid; it is never sent.",
                                self._insert_at + n)
        if self.unchanged_cells:
            verb = "holds" if self.unchanged_cells == 1 else "hold"
            parts.append(f"{_plural(self.unchanged_cells, 'cell')} already {verb} the pasted value.")
        self.check_label.setText(" ".join(parts) or "Every pasted value can be read.")
        self.checks_done = True
        self.checksFinished.emit()

    def run_checks_now(self) -> None:
        """Finish the value checks at once (tests, and callers that need the counts)."""
        while not self.checks_done:
            self._check_some()

    def done(self, result: int) -> None:
        self._timer.stop()  # no checks on a closed dialog
        super().done(result)
