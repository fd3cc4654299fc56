"""The errors panel: every refused record and held-back conflict, one line each, in plain words.

A line names the record, the field, Zoho's code and what to do (worded by the core's
``describe``). Clicking a line jumps to its cell; a DUPLICATE_DATA line also offers the
record that already holds the value. An error of the whole call (expired sign-in, missing
permission or scope) is one grouped line for all its records, which unfolds on click.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeyEvent, QPalette
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QDockWidget, QFileDialog, QHBoxLayout, QHeaderView,
                               QLabel, QMessageBox, QPushButton, QTableView, QVBoxLayout, QWidget)

from ..core.results import RecordError
from ..core.wording import describe
from ..qt import roles
from ..qt.exports import (CONFLICT_CODE, ResultRow, export_errors_csv, export_results_csv, field_label,
                          other_record_id, record_name)
from ..qt.table_model import RecordTableModel

AnyIndex = QModelIndex | QPersistentModelIndex
ROW, FIELD, CODE, MESSAGE, OTHER = range(5)
HEADERS = ("Record", "Field", "Code", "Message", "Duplicate of")


@dataclass(frozen=True)
class ErrorLine:
    """One line of the panel. A group line stands for ``members`` (records failed by one call error)."""

    record_id: str | None
    api_name: str | None
    code: str
    message: str
    name: str = ""
    field: str = ""
    other_id: str | None = None
    other_name: str = ""  # the other record's name, when it is loaded
    members: tuple[tuple[str, str], ...] = ()  # (record id, name) of a group's records
    child: bool = False

    @property
    def group(self) -> bool:
        return bool(self.members)


def build_lines(model: RecordTableModel) -> list[ErrorLine]:
    """The panel's lines (groups folded), in the table's load order."""
    changes = model.changes

    def label(api_name: str) -> str:
        return field_label(changes, api_name)

    lines: list[ErrorLine] = []
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for record_id in changes.order:
        errors = changes.errors.get(record_id) or {}
        for api_name, error in errors.items():
            if error.top_level:
                key = (error.code, describe(error, label))
                groups.setdefault(key, []).append((record_id, record_name(model, record_id)))
                continue
            lines.append(_line(model, record_id, api_name, error))
        if not errors and record_id in model.conflicts:
            lines.append(ErrorLine(record_id, None, CONFLICT_CODE, model.conflicts[record_id],
                                   record_name(model, record_id), "whole record"))
    grouped = []
    for (code, message), members in groups.items():
        if len(members) == 1:
            rid = members[0][0]
            api, error = next((a, e) for a, e in changes.errors[rid].items() if e.top_level)
            grouped.append(_line(model, rid, api, error))
        else:
            grouped.append(ErrorLine(None, None, code, message, plural_records(len(members)), "whole record",
                                     members=tuple(members)))
    return grouped + lines


def plural_records(n: int) -> str:
    return f"{n:,} record{'s' if n != 1 else ''}"


def _line(model: RecordTableModel, record_id: str, api_name: str | None, error: RecordError) -> ErrorLine:
    changes = model.changes
    other = other_record_id(error)
    other_name = record_name(model, other) or other if other is not None and other in changes.records else ""
    return ErrorLine(record_id, api_name, error.code, describe(error, lambda a: field_label(changes, a)),
                     record_name(model, record_id), field_label(changes, api_name), other, other_name)


class ErrorLinesModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.lines: list[ErrorLine] = []
        self.expanded: set[tuple[str, str]] = set()  # (code, message) of unfolded groups
        self.loaded: set[str] = set()  # record ids in the table (duplicate links only go to these)
        self._bold = QFont()
        self._bold.setBold(True)
        self._link = QFont()
        self._link.setUnderline(True)

    def set_lines(self, lines: list[ErrorLine], loaded: set[str]) -> None:
        shown: list[ErrorLine] = []
        for line in lines:
            shown.append(line)
            if line.group and (line.code, line.message) in self.expanded:
                shown.extend(ErrorLine(rid, None, line.code, line.message, name or rid, "whole record", child=True)
                             for rid, name in line.members)
        self.beginResetModel()
        self.lines = shown
        self.loaded = loaded
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.lines)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        line = self.lines[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(line, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == OTHER and line.other_id:
                return (f"Show record {line.other_id}" if line.other_id in self.loaded
                        else f"Record {line.other_id} is not loaded in the table")
            if line.group:
                return "Click to list the records"
            return f"{line.message}\nRecord id {line.record_id}"
        if role == Qt.ItemDataRole.FontRole:
            if line.group:
                return self._bold
            if column == OTHER and line.other_id in self.loaded:
                return self._link
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == OTHER and line.other_id:
                group = QPalette.ColorRole.Link if line.other_id in self.loaded else QPalette.ColorRole.PlaceholderText
                return QPalette().color(group)
            if line.child and column in (CODE, MESSAGE):
                return roles.MUTED_TEXT
        if role == Qt.ItemDataRole.BackgroundRole and line.group:
            return roles.FAILED_ROW
        return None

    def _text(self, line: ErrorLine, column: int) -> str:
        if column == ROW:
            if line.group:
                return ("▾ " if (line.code, line.message) in self.expanded else "▸ ") + line.name
            return ("    " if line.child else "") + (line.name or line.record_id or "")
        if column == FIELD:
            return line.field
        if column == CODE:
            return line.code
        if column == MESSAGE:
            return line.message
        if not line.other_id:
            return ""
        return f"Go to {line.other_name}" if line.other_id in self.loaded else f"id {line.other_id} (not loaded)"

    def toggle(self, row: int) -> None:
        line = self.lines[row]
        key = (line.code, line.message)
        if key in self.expanded:
            self.expanded.discard(key)
        else:
            self.expanded.add(key)
        self.set_lines([x for x in self.lines if not x.child], self.loaded)


class _LinesView(QTableView):
    """A table that reports a chosen line on click, Enter or Return (once per gesture)."""

    chosen = Signal(QModelIndex)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.chosen.emit(self.currentIndex())
            return
        super().keyPressEvent(event)


class ErrorsPanel(QDockWidget):
    jumpTo = Signal(str, object)  # record id, field api name (None: the whole row)
    onlyFailedToggled = Signal(bool)  # the table's "only failed rows" filter
    message = Signal(str)  # something to tell the user (export written, record not loaded)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Errors", parent)
        self.setObjectName("errorsPanel")
        self._records: RecordTableModel | None = None
        self._results: list[ResultRow] = []
        self._signature: tuple[Any, ...] | None = None  # the lines shown (None: rebuild on the next refresh)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        self.summary = QLabel("No errors.")
        self.summary.setObjectName("errorsSummary")
        self.only_failed = QCheckBox("Only failed")
        self.only_failed.setObjectName("onlyFailed")
        self.only_failed.setToolTip("Show only the rows that failed or were held back in the table")
        self.only_failed.toggled.connect(self.onlyFailedToggled)
        self.export_errors = QPushButton("Export errors…")
        self.export_errors.setObjectName("exportErrors")
        self.export_errors.clicked.connect(self._export_errors)
        self.export_results = QPushButton("Export results…")
        self.export_results.setObjectName("exportResults")
        self.export_results.setToolTip("Every record of the last submit, updated or failed")
        self.export_results.clicked.connect(self._export_results)
        top.addWidget(self.summary, 1)
        top.addWidget(self.only_failed)
        top.addWidget(self.export_errors)
        top.addWidget(self.export_results)
        layout.addLayout(top)
        self.lines = ErrorLinesModel(self)
        self.view = _LinesView(body)
        self.view.setObjectName("errorsTable")
        self.view.setModel(self.lines)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.view.verticalHeader().setDefaultSectionSize(22)
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        for column, width in ((ROW, 180), (FIELD, 110), (CODE, 185), (OTHER, 170)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(MESSAGE, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.view.clicked.connect(self._on_chosen)
        self.view.chosen.connect(self._on_chosen)
        layout.addWidget(self.view, 1)
        self.setWidget(body)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(150)
        self._timer.timeout.connect(self.refresh)
        self._update_buttons()

    # -- model ----------------------------------------------------------------------------
    def set_model(self, model: RecordTableModel | None) -> None:
        """Show the errors of this table model (None: of nothing); follows its edits by itself."""
        if self._records is not None:
            for signal in (self._records.dataChanged, self._records.modelReset, self._records.rowsRemoved):
                signal.disconnect(self._schedule)
        self._records = model
        self._results = []
        self._signature = None
        if model is not None:
            for signal in (model.dataChanged, model.modelReset, model.rowsRemoved):
                signal.connect(self._schedule)
            self.set_only_failed(model.only_errors)
        self.refresh()

    def set_results(self, rows: list[ResultRow]) -> None:
        """The last submit's per-record outcomes, for "Export results…"."""
        self._results = list(rows)
        self._update_buttons()

    def set_only_failed(self, on: bool) -> None:
        """Show the table filter's state without emitting onlyFailedToggled."""
        blocked = self.only_failed.blockSignals(True)
        self.only_failed.setChecked(on)
        self.only_failed.blockSignals(blocked)

    def _schedule(self, *_: Any) -> None:
        self._timer.start()

    def refresh(self) -> None:
        """Rebuild the lines from the model's errors and conflicts (keeps the view if nothing changed)."""
        self._timer.stop()
        model = self._records
        lines = build_lines(model) if model is not None else []
        signature = tuple(lines)
        if signature != self._signature:
            self._signature = signature
            self.lines.set_lines(lines, set(model.changes.records) if model is not None else set())
        self._update_summary(lines)
        self._update_buttons()

    def _update_summary(self, lines: list[ErrorLine]) -> None:
        model = self._records
        if model is None or not lines:
            self.summary.setText("No errors.")
            self.setWindowTitle("Errors")
            return
        failed = sum(1 for rid in model.changes.order if model.changes.errors.get(rid))
        held = sum(1 for line in lines if line.code == CONFLICT_CODE)
        parts = [f"{plural_records(failed)} failed"] if failed else []
        if held:
            parts.append(f"{held:,} held back (changed in Zoho)")
        self.summary.setText(" · ".join(parts) + ". Click a line to go to its cell.")
        self.setWindowTitle(f"Errors ({failed + held:,})")

    def _update_buttons(self) -> None:
        model = self._records
        has_errors = model is not None and (any(model.changes.errors.values()) or bool(model.conflicts))
        self.export_errors.setEnabled(has_errors)
        self.export_results.setEnabled(bool(self._results))

    # -- choosing a line ----------------------------------------------------------------------
    def _on_chosen(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        line = self.lines.lines[index.row()]
        if line.group:
            self.lines.toggle(index.row())
            return
        if index.column() == OTHER and line.other_id:
            if line.other_id in self.lines.loaded:
                self.jumpTo.emit(line.other_id, None)
            else:
                self.message.emit(f"Record {line.other_id} is not loaded in the table; find it in Zoho.")
            return
        if line.record_id is not None:
            self.jumpTo.emit(line.record_id, line.api_name)

    # -- exports ----------------------------------------------------------------------------------
    def ask_path(self, title: str, name: str) -> str:
        """The file to write (empty when cancelled); tests replace this."""
        path, _ = QFileDialog.getSaveFileName(self, title, str(Path.home() / name), "CSV files (*.csv)")
        return path

    def _module_name(self) -> str:
        return self._records.changes.module if self._records is not None else "records"

    def _export_errors(self) -> None:
        if self._records is None:
            return
        path = self.ask_path("Export errors", f"{self._module_name()}-errors.csv")
        if path:
            self._write(path, lambda: export_errors_csv(path, self._records), "error line")

    def _export_results(self) -> None:
        path = self.ask_path("Export results", f"{self._module_name()}-results.csv")
        if path:
            self._write(path, lambda: export_results_csv(path, self._results, self._records), "record")

    def _write(self, path: str, write: Any, noun: str) -> None:
        try:
            n = write()
        except OSError as err:
            QMessageBox.warning(self, "Export failed", f"{path} could not be written: {err.strerror or err}. "
                                "Choose another folder or file name.")
            return
        self.message.emit(f"Wrote {n:,} {noun}{'s' if n != 1 else ''} to {path}")
