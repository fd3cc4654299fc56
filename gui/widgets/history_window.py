"""History: every submit recorded in the journal, what it sent to each record, and "Undo this submit".

The window only reads the journal. "Undo this submit" emits ``undoRequested``; the main
window stages the old values as edits (``gui.qt.history_ops.undo_changes``) and the usual
submit preview and conflict check send them.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QSplitter, QVBoxLayout, QWidget

from ..core.fieldtypes import format_value
from ..core.journal_format import RecordHistory, SubmitEntry
from ..core.wording import describe
from ..qt import roles
from ..qt.exports import record_name
from ..qt.rows_model import AnyIndex, RowsModel
from ..qt.table_model import RecordTableModel
from .rows_view import rows_table

HISTORY_LIMIT = 200
STATE_WORDS = {"running": "running", "finished": "finished", "cancelled": "cancelled",
               "interrupted": "interrupted (the app closed while sending)"}


class _ListModel(RowsModel):
    """Read-only rows of text, with a colour per row."""

    def __init__(self, headers: tuple[str, ...], parent: Any = None) -> None:
        super().__init__(None, parent)
        self.headers = headers
        self.tips: list[str | None] = []
        self.colours: list[Any] = []

    def set_rows(self, rows: Sequence[tuple[str, ...]], tips: Sequence[str | None], colours: Sequence[Any]) -> None:
        self.beginResetModel()
        self.rows, self.tips, self.colours = list(rows), list(tips), list(colours)
        self.endResetModel()

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tips[index.row()] or self.rows[index.row()][index.column()] or None
        if role == Qt.ItemDataRole.BackgroundRole:
            return self.colours[index.row()]
        return None


class HistoryWindow(QDialog):
    undoRequested = Signal(int)  # submit id

    def __init__(self, parent: QWidget | None, journal: Any, profile: str, module: str | None, *,
                 model: RecordTableModel | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("history")
        self.setWindowTitle(f"Submit history — {profile}" + (f" — {module}" if module else ""))
        self.setModal(False)
        self.resize(980, 640)
        self.journal = journal
        self.profile = profile
        self.module = module
        self.records_model = model  # names, labels and formatting for the module it shows
        self.entries: list[SubmitEntry] = []
        self.details: list[RecordHistory] = []
        layout = QVBoxLayout(self)
        self.submits = _ListModel(("When", "Module", "Records", "Updated", "Failed", "State"), self)
        self.submits_view = rows_table(self.submits, (150, 110, 80, 80, 80), single_selection=True)
        self.submits_view.setObjectName("submits")
        self.records = _ListModel(("Record", "Field", "Was", "Sent", "Result"), self)
        self.records_view = rows_table(self.records, (190, 130, 170, 170), single_selection=True)
        self.records_view.setObjectName("submitRecords")
        self.detail = QLabel("Choose a submit to see what it sent.")
        self.detail.setObjectName("submitSummary")
        self.detail.setWordWrap(True)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.detail)
        lower_layout.addWidget(self.records_view, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.submits_view)
        split.addWidget(lower)
        split.setSizes([220, 380])
        layout.addWidget(split, 1)
        buttons = QHBoxLayout()
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.undo_button = QPushButton("Undo this submit")
        self.undo_button.setObjectName("undoSubmit")
        self.undo_button.setToolTip("Stage the values from before this submit as new edits in the table. "
                                    "Nothing is sent until you submit them.")
        self.undo_button.clicked.connect(self._undo)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        buttons.addWidget(self.undo_button)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.submits_view.selectionModel().selectionChanged.connect(self._on_selected)
        self.refresh()

    # -- submits ----------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the submits again (newest first) and keep the selected one selected."""
        chosen = self.selected_submit()
        self.entries = self.journal.history(self.profile, self.module, HISTORY_LIMIT)
        rows, tips, colours = [], [], []
        for entry in self.entries:
            when = entry.started.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            rows.append((when, entry.module, f"{entry.records:,}", f"{entry.updated:,}", f"{entry.failed:,}",
                         STATE_WORDS.get(entry.state, entry.state)))
            triggers = "Zoho's default automations" if entry.trigger is None else \
                (", ".join(entry.trigger) or "no automations")
            tips.append(f"Submit #{entry.submit_id}: {entry.summary}\nTriggers: {triggers}")
            colours.append(roles.FAILED_ROW if entry.failed or entry.state == "interrupted" else None)
        self.submits.set_rows(rows, tips, colours)
        ids = [e.submit_id for e in self.entries]
        if chosen in ids:
            self.submits_view.selectRow(ids.index(chosen))
        elif self.entries:
            self.submits_view.selectRow(0)
        else:
            self._show(None)

    def selected_submit(self) -> int | None:
        rows = self.submits_view.selectionModel().selectedRows() if self.submits_view.selectionModel() else []
        if not rows or rows[0].row() >= len(self.entries):
            return None
        return self.entries[rows[0].row()].submit_id

    def _on_selected(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        chosen = self.selected_submit()
        self._show(next((e for e in self.entries if e.submit_id == chosen), None))

    def _show(self, entry: SubmitEntry | None) -> None:
        if entry is None:
            self.details = []
            self.records.set_rows([], [], [])
            self.detail.setText("No submits yet." if not self.entries else "Choose a submit to see what it sent.")
            self.undo_button.setEnabled(False)
            return
        self.details = self.journal.submit_records(entry.submit_id)
        fmt, label, name = self._formatters(entry.module)
        rows, tips, colours = [], [], []
        for item in self.details:
            result, tip, failed = self._result(item, label)
            for api_name in item.old_values:
                rows.append((name(item.record_id), label(api_name), fmt(api_name, item.old_values.get(api_name)),
                             fmt(api_name, item.new_values.get(api_name)), result))
                tips.append(f"Record id {item.record_id}\n{tip}")
                colours.append(roles.FAILED_ROW if failed else None)
        self.records.set_rows(rows, tips, colours)
        finished = entry.finished.astimezone().strftime("%H:%M:%S") if entry.finished else "not finished"
        self.detail.setText(f"Submit #{entry.submit_id} ({finished}): {entry.summary}")
        self.undo_button.setEnabled(entry.updated > 0 and entry.state != "running")

    def _formatters(self, module: str) -> tuple[Callable[[str, Any], str], Callable[[str], str], Callable[[str], str]]:
        model = self.records_model
        if model is None or model.changes.module != module:
            return (lambda _api, value: _plain(value)), (lambda api: api), (lambda rid: rid)
        fields, locale = model.changes.fields, model.ctx.locale

        def fmt(api_name: str, value: Any) -> str:
            meta = fields.get(api_name)
            return format_value(meta, value, locale) if meta is not None else _plain(value)

        def label(api_name: str) -> str:
            meta = fields.get(api_name)
            return meta.label if meta is not None else api_name

        def name(record_id: str) -> str:
            if record_id not in model.changes.records:
                return record_id
            return record_name(model, record_id) or record_id

        return fmt, label, name

    @staticmethod
    def _result(item: RecordHistory, label: Callable[[str], str]) -> tuple[str, str, bool]:
        """The result column, its tooltip, and whether the record failed."""
        if item.result is None:
            return "no answer", "Zoho's answer never arrived: the change may or may not be in Zoho.", True
        if item.result.error is None:
            return "updated", "Zoho saved this record.", False
        error = item.result.error
        words = describe(error, label)
        return f"failed: {error.code}", words, True

    def _undo(self) -> None:
        chosen = self.selected_submit()
        if chosen is not None:
            self.undoRequested.emit(chosen)


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return str(value.get("name") or value.get("id") or value)
    if isinstance(value, list):
        return "; ".join(_plain(v) for v in value)
    return str(value)
