"""The editor of a multi-select cell: a checkable list of the choices and a mode.

* **Replace** — the checked choices become the cell's value.
* **Append** — the checked choices are added to what the record holds (the cell then shows
  ``+ value``); choices it already holds are shown checked and greyed.
* **Remove** — the checked choices are taken away; choices it does not hold are greyed.

Long lists get a search box. Enter (or OK) confirms, Escape (or Cancel) cancels, and moving
the focus out of the popup confirms, like every other cell editor. The popup only collects
the choice; the delegate turns it into a change.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (QApplication, QButtonGroup, QDialogButtonBox, QFrame, QHBoxLayout, QLabel,
                               QLineEdit, QListWidget, QListWidgetItem, QToolButton, QVBoxLayout, QWidget)

from ..core.changeset import APPEND, REMOVE, SET
from ..core.meta import PicklistOption

SEARCH_FROM = 9  # lists with at least this many choices get a search box
_ACTUAL = Qt.ItemDataRole.UserRole + 1
_MODE_LABELS = ((SET, "&Replace", "The checked values become the cell's value"),
                (APPEND, "&Append", "Add the checked values to the ones the record holds"),
                (REMOVE, "Re&move", "Take the checked values away from the ones the record holds"))

_STYLE = """
#multiSelectPopup { border: 1px solid palette(dark); background: palette(window); }
#multiSelectTitle { font-weight: bold; padding-right: 12px; }
#mode_set, #mode_append, #mode_remove { border: 1px solid palette(mid); padding: 3px 10px; background: palette(button); }
#mode_set:checked, #mode_append:checked, #mode_remove:checked {
    background: palette(highlight); color: palette(highlighted-text); border-color: palette(highlight); }
#mode_set { border-top-left-radius: 4px; border-bottom-left-radius: 4px; }
#mode_remove { border-top-right-radius: 4px; border-bottom-right-radius: 4px; }
"""


class MultiSelectPopup(QFrame):
    accepted = Signal()
    cancelled = Signal()

    def __init__(self, options: Sequence[PicklistOption], parent: QWidget | None = None, title: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("multiSelectPopup")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setStyleSheet(_STYLE)
        self.loaded = False
        self._options = tuple(options)
        self._display = {o.actual: o.display for o in self._options}
        self._base: set[str] = set()  # what the record holds (Append and Remove work on it)
        self._picked: dict[str, set[str]] = {SET: set(), APPEND: set(), REMOVE: set()}
        self._mode = SET
        self._done = False
        self._syncing = False

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        modes = QHBoxLayout()
        modes.setSpacing(0)
        if title:
            heading = QLabel(title, self)
            heading.setObjectName("multiSelectTitle")
            modes.addWidget(heading)
            modes.addStretch(1)
        self._mode_group = QButtonGroup(self)
        self._mode_group.setExclusive(True)
        self._mode_buttons: dict[str, QToolButton] = {}
        for mode, label, tip in _MODE_LABELS:
            button = QToolButton(self)
            button.setText(label)
            button.setToolTip(tip)
            button.setCheckable(True)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setObjectName(f"mode_{mode}")
            button.setMinimumWidth(64)
            button.clicked.connect(lambda _=False, m=mode: self.set_mode(m))
            self._mode_group.addButton(button)
            self._mode_buttons[mode] = button
            modes.addWidget(button)
        if not title:
            modes.addStretch(1)
        layout.addLayout(modes)

        self.search = QLineEdit(self)
        self.search.setPlaceholderText(f"Search {len(self._options)} values…")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.search.setVisible(len(self._options) >= SEARCH_FROM)
        layout.addWidget(self.search)

        self.list = QListWidget(self)
        self.list.setUniformItemSizes(True)
        row_height = self.list.fontMetrics().height() + 8
        for option in self._options:
            item = QListWidgetItem(option.display, self.list)
            item.setData(_ACTUAL, option.actual)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setSizeHint(QSize(0, row_height))
        self.list.itemChanged.connect(self._on_item_changed)
        self.list.viewport().installEventFilter(self)
        rows = max(3, min(len(self._options), 10))
        self.list.setMinimumHeight(rows * row_height + 2 * self.list.frameWidth() + 2)
        layout.addWidget(self.list, 1)

        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #a40000;")
        self.note.hide()
        layout.addWidget(self.note)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.summary)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                   self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.cancel)
        layout.addWidget(buttons)

        for child in (self.search, self.list):
            child.installEventFilter(self)
        self.setFocusProxy(self.search if len(self._options) >= SEARCH_FROM else self.list)
        self.list.setCurrentRow(0)
        self.set_mode(SET)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.connect(self._on_focus_changed)

    # -- state ------------------------------------------------------------------------------
    def set_state(self, mode: str, checked: Iterable[str], base: Iterable[str], current: Iterable[str]) -> None:
        """Open on ``mode`` with ``checked`` ticked; ``base`` is what the record holds, ``current`` the cell."""
        self._base = set(base)
        self._picked = {SET: set(current), APPEND: set(), REMOVE: set()}
        self._picked[mode if mode in self._picked else SET] = set(checked)
        self.set_mode(mode if mode in self._picked else SET)

    def set_note(self, text: str | None) -> None:
        self.note.setText(text or "")
        self.note.setVisible(bool(text))

    def mode(self) -> str:
        return self._mode

    def set_mode(self, mode: str) -> None:
        self._mode = mode
        self._mode_buttons[mode].setChecked(True)
        self._syncing = True
        try:
            for item in self._items():
                actual = item.data(_ACTUAL)
                held = actual in self._base
                fixed = (mode == APPEND and held) or (mode == REMOVE and not held)
                flags = Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable
                if not fixed:
                    flags |= Qt.ItemFlag.ItemIsEnabled
                item.setFlags(flags)
                on = (mode == APPEND and held) or actual in self._picked[mode]
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
                item.setToolTip({APPEND: "Already in this record", REMOVE: "Not in this record"}.get(mode, "")
                                if fixed else "")
        finally:
            self._syncing = False
        self._show_summary()

    def checked_values(self) -> list[str]:
        """The values the mode acts on (in the list's order): the new value, or those to add or remove."""
        return [o.actual for o in self._options if o.actual in self._picked[self._mode]]

    def set_checked(self, actual: str, on: bool = True) -> None:
        item = self._item(actual)
        if item is not None and item.flags() & Qt.ItemFlag.ItemIsEnabled:
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def _items(self) -> list[QListWidgetItem]:
        return [self.list.item(row) for row in range(self.list.count())]

    def _item(self, actual: str) -> QListWidgetItem | None:
        return next((i for i in self._items() if i.data(_ACTUAL) == actual), None)

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        if self._syncing or not item.flags() & Qt.ItemFlag.ItemIsEnabled:
            return
        chosen = self._picked[self._mode]
        actual = item.data(_ACTUAL)
        if item.checkState() == Qt.CheckState.Checked:
            chosen.add(actual)
        else:
            chosen.discard(actual)
        self._show_summary()

    def _toggle(self, item: QListWidgetItem) -> None:
        if item.flags() & Qt.ItemFlag.ItemIsEnabled:
            checked = item.checkState() == Qt.CheckState.Checked
            item.setCheckState(Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)

    def _show_summary(self) -> None:
        names = "; ".join(self._display[v] for v in self.checked_values())
        if self._mode == SET:
            text = f"Becomes: {names}" if names else "Becomes empty"
        elif self._mode == APPEND:
            text = f"Adds: {names}" if names else "Check the values to add"
        else:
            text = f"Removes: {names}" if names else "Check the values to remove"
        self.summary.setText(text)

    def _filter(self, text: str) -> None:
        needle = " ".join(text.split()).casefold()
        first = None
        for item in self._items():
            hidden = bool(needle) and needle not in item.text().casefold()
            item.setHidden(hidden)
            if not hidden and first is None:
                first = item
        if first is not None:
            self.list.setCurrentItem(first)

    # -- ending -----------------------------------------------------------------------------
    def accept(self) -> None:
        if not self._done:
            self._finish()
            self.accepted.emit()

    def cancel(self) -> None:
        if not self._done:
            self._finish()
            self.cancelled.emit()

    def _finish(self) -> None:
        self._done = True
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.focusChanged.disconnect(self._on_focus_changed)

    def _on_focus_changed(self, _old: QWidget | None, now: QWidget | None) -> None:
        if self._done or now is None or not self.isVisible():
            return
        if now is self or self.isAncestorOf(now):
            return
        self.accept()  # clicking elsewhere keeps the choice, like the other cell editors

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._handle_key(event):
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.list.viewport() and event.type() == QEvent.Type.MouseButtonRelease \
                and isinstance(event, QMouseEvent) and event.button() == Qt.MouseButton.LeftButton:
            item = self.list.itemAt(event.position().toPoint())
            if item is not None:  # a click anywhere on the row ticks it, not only on the box
                self._toggle(item)
                return True
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if watched is self.search and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_PageDown):
                self.list.setFocus()
                return True
            if watched is self.list and event.key() == Qt.Key.Key_Space:
                item = self.list.currentItem()
                if item is not None:
                    self._toggle(item)
                return True
            return self._handle_key(event)
        return super().eventFilter(watched, event)

    def _handle_key(self, event: QKeyEvent) -> bool:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.accept()
            return True
        if event.key() == Qt.Key.Key_Escape:
            self.cancel()
            return True
        return False
