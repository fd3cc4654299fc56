"""The record table view: frozen status and name columns, spreadsheet keys, the context menu.

Copy, paste, fill down and clear work on the selection the way a spreadsheet does; every
change goes through the model (and the core) as one undo step. Cells that cannot be edited
say why in the status bar when someone tries.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QContextMenuEvent, QGuiApplication, QKeySequence, QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView, QWidget

from ..core.cell_input import text_to_change
from ..core.changeset import APPEND, DELETE_FILES, REMOVE, CellChange
from ..qt import paste_ops
from ..qt.roles import Role
from ..qt.table_model import RecordTableModel

FROZEN_COLUMNS = 2  # the status column and the record's name


class RecordTableView(QTableView):
    message = Signal(str)
    massUpdateRequested = Signal()  # "Set value for selected rows…"
    attachmentsRequested = Signal(QModelIndex)
    deleteFilesRequested = Signal(str)  # api name: delete every file of this field in the selected rows

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("records")
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # loaded order until asked
        self.setSortingEnabled(True)
        self.setAlternatingRowColors(False)
        self.setWordWrap(False)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.verticalHeader().setDefaultSectionSize(24)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.horizontalHeader().setHighlightSections(False)
        self.horizontalHeader().setSortIndicatorShown(True)
        self.paste_handler: Callable[[paste_ops.PasteRequest], None] | None = None
        self._frozen = QTableView(self)
        self._setup_frozen()
        self.doubleClicked.connect(self._on_double_click)

    # -- model --------------------------------------------------------------------------------
    def record_model(self) -> RecordTableModel | None:
        model = self.model()
        return model if isinstance(model, RecordTableModel) else None

    def setModel(self, model: Any) -> None:  # noqa: N802 - Qt's name
        super().setModel(model)
        self._frozen.setModel(model)
        self._frozen.setSelectionModel(self.selectionModel())
        if model is not None:
            model.modelReset.connect(self._sync_frozen_columns)
            model.layoutChanged.connect(self._sync_frozen_columns)
        self._sync_frozen_columns()

    # -- frozen columns (a second view laid over the left edge) ----------------------------------
    def _setup_frozen(self) -> None:
        frozen = self._frozen
        frozen.setObjectName("frozen")
        frozen.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        frozen.verticalHeader().hide()
        frozen.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        frozen.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        frozen.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        frozen.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        frozen.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        frozen.setEditTriggers(self.editTriggers())
        frozen.setWordWrap(False)
        frozen.verticalHeader().setDefaultSectionSize(self.verticalHeader().defaultSectionSize())
        frozen.setStyleSheet("QTableView#frozen { border: none; border-right: 2px solid palette(mid); }")
        self.viewport().stackUnder(frozen)
        frozen.verticalScrollBar().valueChanged.connect(self.verticalScrollBar().setValue)
        self.verticalScrollBar().valueChanged.connect(frozen.verticalScrollBar().setValue)
        self.horizontalHeader().sectionResized.connect(self._on_section_resized)
        frozen.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        frozen.horizontalHeader().setSortIndicatorShown(True)
        frozen.horizontalHeader().sectionClicked.connect(self._sort_from_frozen)
        frozen.doubleClicked.connect(self._on_double_click)
        frozen.show()

    def _sort_from_frozen(self, column: int) -> None:
        header = self.horizontalHeader()
        order = Qt.SortOrder.AscendingOrder
        if header.sortIndicatorSection() == column and header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder:
            order = Qt.SortOrder.DescendingOrder
        header.setSortIndicator(column, order)

    def _sync_frozen_columns(self) -> None:
        model = self.model()
        columns = model.columnCount() if model is not None else 0
        for c in range(columns):
            self._frozen.setColumnHidden(c, c >= FROZEN_COLUMNS)
            if c < FROZEN_COLUMNS:
                self._frozen.setColumnWidth(c, self.columnWidth(c))
        self._frozen.setItemDelegate(self.itemDelegate())
        self._place_frozen()

    def setItemDelegate(self, delegate: Any) -> None:  # noqa: N802
        super().setItemDelegate(delegate)
        self._frozen.setItemDelegate(delegate)

    def _on_section_resized(self, column: int, _old: int, new: int) -> None:
        if column < FROZEN_COLUMNS:
            self._frozen.setColumnWidth(column, new)
            self._place_frozen()

    def _place_frozen(self) -> None:
        model = self.model()
        shown = min(FROZEN_COLUMNS, model.columnCount()) if model is not None else 0
        width = sum(self.columnWidth(c) for c in range(shown))
        self._frozen.setGeometry(self.verticalHeader().width() + self.frameWidth(), self.frameWidth(), width,
                                 self.viewport().height() + self.horizontalHeader().height())
        self._frozen.setVisible(shown > 0)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._place_frozen()

    def updateGeometries(self) -> None:  # noqa: N802
        super().updateGeometries()
        if hasattr(self, "_frozen"):
            self._place_frozen()

    def moveCursor(self, action: QAbstractItemView.CursorAction, modifiers: Qt.KeyboardModifier) -> QModelIndex:  # noqa: N802
        current = super().moveCursor(action, modifiers)
        # Keep the cursor's cell out from under the frozen columns when moving left.
        frozen_width = sum(self.columnWidth(c) for c in range(FROZEN_COLUMNS))
        if action == QAbstractItemView.CursorAction.MoveLeft and current.column() >= FROZEN_COLUMNS \
                and self.visualRect(current).topLeft().x() < frozen_width:
            value = self.horizontalScrollBar().value() + self.visualRect(current).topLeft().x() - frozen_width
            self.horizontalScrollBar().setValue(value)
        return current

    def scrollTo(self, index: QModelIndex | QPersistentModelIndex,  # noqa: N802
                 hint: QAbstractItemView.ScrollHint = QAbstractItemView.ScrollHint.EnsureVisible) -> None:
        # A frozen cell is always in view horizontally: scroll only to its row.
        keep = self.horizontalScrollBar().value()
        super().scrollTo(index, hint)
        if index.column() < FROZEN_COLUMNS:
            self.horizontalScrollBar().setValue(keep)

    # -- editing ------------------------------------------------------------------------------------
    def edit(self, index: Any, trigger: Any = None, event: Any = None) -> bool:  # type: ignore[override]
        if trigger is None:
            return super().edit(index)
        started = super().edit(index, trigger, event)
        wants = trigger in (QAbstractItemView.EditTrigger.DoubleClicked, QAbstractItemView.EditTrigger.EditKeyPressed,
                            QAbstractItemView.EditTrigger.AnyKeyPressed)
        if not started and wants and index.isValid() and index.column() > 0:
            reason = index.data(Role.READ_ONLY_REASON)
            meta = index.data(Role.FIELD)
            if reason and not (meta is not None and meta.data_type in ("fileupload", "imageupload")):
                self.message.emit(reason)
        return started

    def _on_double_click(self, index: QModelIndex) -> None:
        meta = index.data(Role.FIELD) if index.isValid() else None
        if meta is not None and meta.data_type in ("fileupload", "imageupload"):
            self.attachmentsRequested.emit(index)

    def selected_cells(self) -> list[QModelIndex]:
        return sorted(self.selectionModel().selectedIndexes(), key=lambda i: (i.row(), i.column())) \
            if self.selectionModel() is not None else []

    def selected_rows(self) -> list[int]:
        return sorted({i.row() for i in self.selected_cells()})

    def selected_record_ids(self) -> list[str]:
        model = self.record_model()
        if model is None:
            return []
        return [model.record_id_at(r) for r in self.selected_rows()]

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
        elif event.matches(QKeySequence.StandardKey.Paste):
            self.paste()
        elif event.key() == Qt.Key.Key_D and event.modifiers() == Qt.KeyboardModifier.ControlModifier:
            self.fill_down()
        elif event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.state() != \
                QAbstractItemView.State.EditingState and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            self.clear_selection_cells()
        else:
            super().keyPressEvent(event)

    def copy_selection(self, with_header: bool = False) -> None:
        model = self.record_model()
        cells = self.selected_cells()
        if model is None or not cells:
            return
        rows = sorted({i.row() for i in cells})
        columns = sorted({i.column() for i in cells})
        QGuiApplication.clipboard().setText(paste_ops.copy_text(model, rows, columns, with_header))
        self.message.emit(f"Copied {len(rows):,} row(s) × {len(columns)} column(s).")

    def paste(self, text: str | None = None) -> None:
        model = self.record_model()
        current = self.currentIndex()
        if model is None or not current.isValid():
            self.message.emit("Choose a cell to paste into first.")
            return
        text = QGuiApplication.clipboard().text() if text is None else text
        if not text:
            self.message.emit("The clipboard holds no text to paste.")
            return
        cells = self.selected_cells() or [current]
        request = paste_ops.parse_paste(text, current.row(), max(current.column(), 1),
                                        [i.row() for i in cells], [i.column() for i in cells if i.column() > 0])
        if self.paste_handler is not None:
            self.paste_handler(request)
            return
        plan = paste_ops.plan_paste(model, request)
        done, notes = paste_ops.apply_paste(model, plan)
        invalid = sum(1 for n in notes if n.invalid)
        self.message.emit(f"Pasted {done:,} cell(s)" + (f"; {invalid} invalid, marked red." if invalid else "."))

    def fill_down(self) -> None:
        model = self.record_model()
        cells = [i for i in self.selected_cells() if i.column() > 0]
        if model is None or not cells:
            return
        by_column: dict[int, list[QModelIndex]] = {}
        for index in cells:
            by_column.setdefault(index.column(), []).append(index)
        changes: list[CellChange] = []
        for column, indexes in by_column.items():
            meta = model.field_at(column)
            if meta is None or len(indexes) < 2:
                continue
            top = indexes[0]
            edit = top.data(Role.EDIT)
            for index in indexes[1:]:
                rid = model.record_id_at(index.row())
                if edit is not None and (edit.invalid is not None or edit.kind in (APPEND, REMOVE, DELETE_FILES)):
                    changes.append(CellChange(rid, meta.api_name, edit.kind, edit.value, edit.text, edit.invalid))
                else:
                    changes.append(CellChange(rid, meta.api_name, value=top.data(Role.VALUE),
                                              text=top.data(Qt.ItemDataRole.EditRole)))
        if not changes:
            self.message.emit("Select a cell and the cells below it to fill down.")
            return
        done = model.apply_changes(changes, "Fill down")
        self.message.emit(f"Filled {done:,} cell(s).")

    def clear_selection_cells(self) -> None:
        model = self.record_model()
        cells = [i for i in self.selected_cells() if i.column() > 0 and i.flags() & Qt.ItemFlag.ItemIsEditable]
        if model is None or not cells:
            return
        changes = []
        for index in cells:
            meta = model.field_at(index.column())
            assert meta is not None
            change, _ = text_to_change(model.record_id_at(index.row()), meta, "", model.ctx)
            changes.append(change)
        done = model.apply_changes(changes, "Clear")
        self.message.emit(f"Cleared {done:,} cell(s).")

    # -- context menu -------------------------------------------------------------------------------
    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802
        model = self.record_model()
        if model is None:
            return
        index = self.indexAt(self.viewport().mapFrom(self, event.pos()))
        if index.isValid() and not self.selectionModel().isSelected(index):
            self.setCurrentIndex(index)
        menu = self.build_context_menu(index)
        menu.exec(event.globalPos())

    def build_context_menu(self, index: QModelIndex) -> QMenu:
        model = self.record_model()
        assert model is not None
        menu = QMenu(self)
        cells = self.selected_cells()
        edited = [i for i in cells if i.data(Role.EDIT) is not None]
        rows = self.selected_record_ids()
        revert_cells = menu.addAction(f"Revert {len(edited)} cell(s)" if len(edited) != 1 else "Revert cell")
        revert_cells.setEnabled(bool(edited))
        revert_cells.triggered.connect(lambda: model.revert_cells(
            [(model.record_id_at(i.row()), i.data(Role.FIELD).api_name) for i in edited]))
        edited_rows = [rid for rid in rows if model.changes.record_edits(rid)]
        revert_rows = menu.addAction(f"Revert {len(edited_rows)} row(s)" if len(edited_rows) != 1 else "Revert row")
        revert_rows.setEnabled(bool(edited_rows))
        revert_rows.triggered.connect(lambda: model.revert_rows(edited_rows))
        menu.addSeparator()
        self._add(menu, "Copy", QKeySequence.StandardKey.Copy, self.copy_selection)
        self._add(menu, "Copy with column names", None, lambda: self.copy_selection(with_header=True))
        self._add(menu, "Paste", QKeySequence.StandardKey.Paste, self.paste)
        self._add(menu, "Fill down", QKeySequence("Ctrl+D"), self.fill_down)
        self._add(menu, "Clear", QKeySequence(Qt.Key.Key_Delete), self.clear_selection_cells)
        menu.addSeparator()
        mass = self._add(menu, f"Set value for {len(rows)} selected row(s)…", None, self.massUpdateRequested.emit)
        mass.setEnabled(bool(rows))
        meta = index.data(Role.FIELD) if index.isValid() else None
        if meta is not None and meta.data_type in ("fileupload", "imageupload"):
            noun = "files" if meta.data_type == "fileupload" else "images"
            self._add(menu, f"{meta.label}: show {noun}…", None, lambda: self.attachmentsRequested.emit(index))
            self._add(menu, f"Delete all {noun} of {meta.label} in {len(rows)} row(s)", None,
                      lambda: self.deleteFilesRequested.emit(meta.api_name))
        return menu

    def _add(self, menu: QMenu, text: str, shortcut: Any, slot: Callable[[], Any]) -> QAction:
        action = menu.addAction(text)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        return action
