"""The column chooser: which fields of a module the table shows, and in which order.

A search box filters the list (label, API name or type); each field is checked or not;
the order is changed with "Move up"/"Move down" or by dragging. The record's name field is
always first and always shown. Zoho returns at most 50 fields per request, so at most 50
may be chosen (fields the editor loads anyway, like ``Modified_Time``, count too).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QDropEvent, QKeyEvent
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout,
                               QWidget)

from ..core.meta import FieldMeta
from ..qt.module_session import ALWAYS_LOADED, default_columns, name_field

MAX_FIELDS = 50  # Zoho's limit on the fields of one GET request
API_ROLE = Qt.ItemDataRole.UserRole


class _FieldTree(QTreeWidget):
    """The field list; after a drag it puts the pinned field back on top."""

    def __init__(self, parent: QWidget, pinned: str | None) -> None:
        super().__init__(parent)
        self.pinned = pinned

    def dropEvent(self, event: QDropEvent) -> None:
        super().dropEvent(event)
        self.pin_first()

    def pin_first(self) -> None:
        for row in range(self.topLevelItemCount()):
            item = self.topLevelItem(row)
            if item.data(0, API_ROLE) == self.pinned:
                if row:
                    self.insertTopLevelItem(0, self.takeTopLevelItem(row))
                return


class ColumnChooser(QDialog):
    """Choose and order the columns of one module; read the result with :meth:`chosen`."""

    def __init__(self, parent: QWidget | None, fields: list[FieldMeta], chosen: list[str], module: str = "",
                 *, defaults: Sequence[str] | None = None, pinned: str | None = None,
                 always_loaded: Sequence[str] = ALWAYS_LOADED, limit: int = MAX_FIELDS) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Columns of {module}" if module else "Columns")
        self.setObjectName("columnChooser")
        self.resize(560, 600)
        self._fields = list(fields)
        names = {f.api_name for f in fields}
        self._pinned = pinned if pinned in names else name_field(module, self._fields)
        self._defaults = [n for n in (defaults if defaults is not None
                                      else [f.api_name for f in default_columns(module, self._fields)])
                          if n in names]
        self._always = [n for n in always_loaded if n in names]
        self._limit = limit
        self._updating = False

        self.search = QLineEdit(self)
        self.search.setObjectName("search")
        self.search.setPlaceholderText("Search by label, API name or type")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._apply_filter)
        self.search.installEventFilter(self)

        self.tree = _FieldTree(self, self._pinned)
        self.tree.setObjectName("fields")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Field", "API name", "Type"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.tree.setDefaultDropAction(Qt.DropAction.MoveAction)
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.tree.itemChanged.connect(self._on_item_changed)
        self.tree.currentItemChanged.connect(lambda *_: self._update_buttons())

        self.all_button = QPushButton("All", self)
        self.none_button = QPushButton("None", self)
        self.defaults_button = QPushButton("Defaults", self)
        self.up_button = QPushButton("Move up", self)
        self.down_button = QPushButton("Move down", self)
        self.all_button.setToolTip(f"Check the fields the search shows, up to {limit} in all "
                                   f"(Zoho sends at most {limit} fields per request)")
        self.none_button.setToolTip("Uncheck the fields the search shows (the name field stays)")
        self.defaults_button.setToolTip("Show the columns a first visit shows")
        self.all_button.clicked.connect(self.check_all)
        self.none_button.clicked.connect(self.check_none)
        self.defaults_button.clicked.connect(self.use_defaults)
        self.up_button.clicked.connect(lambda: self.move_current(-1))
        self.down_button.clicked.connect(lambda: self.move_current(+1))

        self.count_label = QLabel(self)
        self.count_label.setObjectName("count")
        self.warning = QLabel(self)
        self.warning.setObjectName("warning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #8a5300;")
        self.warning.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                   self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        row = QHBoxLayout()
        for button in (self.all_button, self.none_button, self.defaults_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(self.up_button)
        row.addWidget(self.down_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.tree, 1)
        layout.addLayout(row)
        layout.addWidget(self.count_label)
        layout.addWidget(self.warning)
        layout.addWidget(buttons)

        by_name = {f.api_name: f for f in self._fields}
        wanted = [n for n in dict.fromkeys(chosen) if n in by_name and n != self._pinned]
        order = ([self._pinned] if self._pinned else []) + wanted + \
            [f.api_name for f in self._fields if f.api_name != self._pinned and f.api_name not in wanted]
        self._updating = True
        for api in order:
            self.tree.addTopLevelItem(self._make_item(by_name[api], api == self._pinned or api in wanted))
        self._updating = False
        self._enforce_limit()
        self._refresh()

    # -- reading -------------------------------------------------------------------------------
    def chosen(self) -> list[str]:
        """API names of the checked fields, in order; the name field first."""
        checked = [self._api(item) for item in self._items() if item.checkState(0) == Qt.CheckState.Checked]
        if self._pinned:
            checked = [self._pinned] + [a for a in checked if a != self._pinned]
        return checked

    @property
    def limit(self) -> int:
        """How many fields may be chosen (Zoho's 50 less the fields loaded anyway)."""
        extra = [a for a in self._always if a not in set(self.chosen())]
        return self._limit - len(extra)

    def item_for(self, api_name: str) -> QTreeWidgetItem | None:
        return next((item for item in self._items() if self._api(item) == api_name), None)

    def visible_fields(self) -> list[str]:
        """API names of the rows the search leaves visible, in order."""
        return [self._api(item) for item in self._items() if not item.isHidden()]

    # -- changing -------------------------------------------------------------------------------
    def set_checked(self, api_name: str, checked: bool) -> None:
        item = self.item_for(api_name)
        if item is not None:
            item.setCheckState(0, Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def check_all(self) -> None:
        """Check every field the search shows (all when there is no search), up to the limit."""
        self._set_all(lambda item: True if not item.isHidden() else None)

    def check_none(self) -> None:
        """Uncheck every field the search shows (all when there is no search); not the name field."""
        self._set_all(lambda item: False if not item.isHidden() else None)

    def use_defaults(self) -> None:
        """Check the default columns, in their default order, ahead of the rest."""
        rank = {api: n for n, api in enumerate(self._defaults)}
        items = [self.tree.takeTopLevelItem(0) for _ in range(self.tree.topLevelItemCount())]
        fields_order = {f.api_name: n for n, f in enumerate(self._fields)}
        items.sort(key=lambda it: (self._api(it) != self._pinned, rank.get(self._api(it), len(rank)),
                                   fields_order[self._api(it)]))
        self.tree.addTopLevelItems(items)
        self._set_all(lambda item: self._api(item) in rank)

    def move_current(self, step: int) -> None:
        """Move the selected field up (-1) or down (+1), past hidden rows; the name field stays first."""
        item = self.tree.currentItem()
        if item is None or self._api(item) == self._pinned:
            return
        row = self.tree.indexOfTopLevelItem(item)
        target = row + step
        while 0 <= target < self.tree.topLevelItemCount() and self.tree.topLevelItem(target).isHidden():
            target += step
        first = 1 if self._pinned else 0
        if not first <= target < self.tree.topLevelItemCount():
            return
        self.tree.takeTopLevelItem(row)
        self.tree.insertTopLevelItem(target, item)
        self.tree.setCurrentItem(item)
        self._update_buttons()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter in the search box goes to the first match (Space then checks it), not to OK."""
        if watched is self.search and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            first = next((item for item in self._items() if not item.isHidden()), None)
            if first is not None:
                self.tree.setCurrentItem(first)
                self.tree.setFocus()
            return True
        return super().eventFilter(watched, event)

    # -- inside --------------------------------------------------------------------------------
    def _items(self) -> list[QTreeWidgetItem]:
        return [self.tree.topLevelItem(row) for row in range(self.tree.topLevelItemCount())]

    @staticmethod
    def _api(item: QTreeWidgetItem) -> str:
        return str(item.data(0, API_ROLE))

    def _make_item(self, meta: FieldMeta, checked: bool) -> QTreeWidgetItem:
        item = QTreeWidgetItem([meta.label, meta.api_name, meta.data_type])
        item.setData(0, API_ROLE, meta.api_name)
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if meta.api_name == self._pinned:
            item.setToolTip(0, "The record's name is always shown, as the first column.")
            font = item.font(0)
            font.setBold(True)
            item.setFont(0, font)
            checked = True
        else:
            flags |= Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsDragEnabled
        item.setFlags(flags)  # never ItemIsDropEnabled: a drop lands between rows, not inside one
        item.setCheckState(0, Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        return item

    def _set_all(self, wanted: Callable[[QTreeWidgetItem], bool | None]) -> None:
        """Check the fields ``wanted`` says True for, uncheck the False ones, leave the None ones."""
        self._updating = True
        for item in self._items():
            on = True if self._api(item) == self._pinned else wanted(item)
            if on is not None:
                item.setCheckState(0, Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self._updating = False
        self.warning.hide()
        self._enforce_limit()
        self._refresh()

    def _enforce_limit(self, last: QTreeWidgetItem | None = None) -> bool:
        """Uncheck fields beyond the limit (``last`` first, else from the bottom); True if any were."""
        dropped = []
        self._updating = True
        while len(self.chosen()) > self.limit:
            victim = last if last is not None and last.checkState(0) == Qt.CheckState.Checked else next(
                item for item in reversed(self._items())
                if item.checkState(0) == Qt.CheckState.Checked and self._api(item) != self._pinned)
            victim.setCheckState(0, Qt.CheckState.Unchecked)
            dropped.append(victim.text(0))
        self._updating = False
        if dropped:
            loaded = f" ({', '.join(self._always)} is loaded as well)" if self.limit < self._limit else ""
            what = f"“{dropped[0]}” was" if len(dropped) == 1 else f"{len(dropped)} fields were"
            self.warning.setText(f"Zoho sends at most {self._limit} fields per request{loaded}, so at most "
                                 f"{self.limit} columns can be shown; {what} left out. Uncheck a field to "
                                 "choose another.")
            self.warning.show()
        return bool(dropped)

    def _on_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        if self._updating or column != 0:
            return
        if self._api(item) == self._pinned and item.checkState(0) != Qt.CheckState.Checked:
            self._updating = True
            item.setCheckState(0, Qt.CheckState.Checked)
            self._updating = False
        if not self._enforce_limit(item):
            self.warning.hide()
        self._refresh()

    def _apply_filter(self, text: str) -> None:
        needle = text.strip().casefold()
        for item in self._items():
            haystack = " ".join(item.text(c) for c in range(3)).casefold()
            item.setHidden(bool(needle) and needle not in haystack)
        # Dragging among hidden rows would drop fields in places the user cannot see.
        self.tree.setDragDropMode(QAbstractItemView.DragDropMode.NoDragDrop if needle
                                  else QAbstractItemView.DragDropMode.InternalMove)
        self._refresh()

    def _refresh(self) -> None:
        total, shown = len(self._fields), len(self.visible_fields())
        text = f"{len(self.chosen())} of {total} fields chosen (at most {self.limit})"
        if shown != total:
            text += f" · {shown} match the search"
        self.count_label.setText(text)
        self._update_buttons()

    def _update_buttons(self) -> None:
        item = self.tree.currentItem()
        movable = item is not None and not item.isHidden() and self._api(item) != self._pinned
        row = self.tree.indexOfTopLevelItem(item) if item is not None else -1
        visible_rows = [n for n, it in enumerate(self._items()) if not it.isHidden()
                        and self._api(it) != self._pinned]
        self.up_button.setEnabled(movable and bool(visible_rows) and row > visible_rows[0])
        self.down_button.setEnabled(movable and bool(visible_rows) and row < visible_rows[-1])
