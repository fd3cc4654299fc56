"""Picking the record a lookup cell points to, by name, without blocking the window.

:class:`LookupSearcher` runs the search callable (in the app ``ZohoClient.search_names``, a
COQL query over HTTP) on its own small thread pool; results come back to the GUI thread as
signals, each tagged with its request number so that a picker keeps only its newest answer.
:class:`LookupPicker` is the cell editor: a line edit that searches what is typed (after a
short pause) and lists the matches under it. Choosing one writes ``Name [id]``; typing
``Name [id]`` or a bare record id by hand works too, since the core reads both.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Callable

from PySide6.QtCore import QModelIndex, QObject, QRect, QRunnable, QThreadPool, QTimer, Qt, Signal
from PySide6.QtGui import QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget

LookupSearch = Callable[[str, str], list[tuple[str, str]]]  # (module, text) -> [(id, name)]

log = logging.getLogger("zcrm.widgets.lookup")
DEBOUNCE_MS = 250
_NAMED_ID = re.compile(r"(.*?)\s*\[\s*[0-9]{1,20}\s*\]\s*")
_BARE_ID = re.compile(r"\s*[0-9]{10,20}\s*")
_WRITE_ROLE = Qt.ItemDataRole.UserRole + 1


def cell_text(record_id: str, name: str) -> str:
    """How a chosen record is written into a lookup cell (the form the core reads back)."""
    return f"{name} [{record_id}]" if name else record_id


def search_words(text: str) -> str | None:
    """The part of a lookup cell's text to search for; None when it already names a record by id."""
    if _BARE_ID.fullmatch(text):
        return None
    match = _NAMED_ID.fullmatch(text)
    return (match[1] if match else text).strip()


class _SearchJob(QRunnable):
    def __init__(self, search: LookupSearch, module: str, text: str, request: int,
                 searcher: LookupSearcher, closed: threading.Event) -> None:
        super().__init__()
        self._search = search
        self._module = module
        self._text = text
        self._request = request
        self._searcher = searcher
        self._closed = closed

    def run(self) -> None:
        results: list[tuple[str, str]] = []
        error = ""
        try:
            results = [(str(rid), str(name)) for rid, name in self._search(self._module, self._text)]
        except Exception as err:  # noqa: BLE001 - any failure is shown in the picker, not raised in a thread
            error = getattr(err, "message", None) or str(err) or type(err).__name__
            log.info("lookup search in %s failed: %s", self._module, error)
        if self._closed.is_set():
            return
        try:  # signals may be emitted from any thread; the pickers receive them on the GUI thread
            self._searcher.finished.emit(self._request, results, error)
        except RuntimeError:  # the searcher went away while this search ran
            pass


class LookupSearcher(QObject):
    """Runs lookup searches off the GUI thread; ``finished(request, [(id, name)], error)``."""

    finished = Signal(int, object, str)

    def __init__(self, search: LookupSearch, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._search = search
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._next = 0
        closed = self._closed = threading.Event()
        self.destroyed.connect(lambda *_: closed.set())

    def request(self, module: str, text: str) -> int:
        """Start a search; returns its request number (the ``finished`` signal carries it)."""
        self._next += 1
        self._pool.start(_SearchJob(self._search, module, text, self._next, self, self._closed))
        return self._next

    def wait(self, msecs: int = 5_000) -> bool:
        """Wait (bounded) for the running searches; True when none is left."""
        return self._pool.waitForDone(msecs)

    def shutdown(self, msecs: int = 2_000) -> None:
        """Drop queued searches, deliver nothing more, and wait (bounded) for running ones."""
        self._closed.set()
        self._pool.clear()
        self._pool.waitForDone(msecs)


class LookupPicker(QLineEdit):
    """A lookup cell's editor: type a name, pick the record from the list that appears.

    ``picked`` is emitted when a record is chosen from the list (the cell's text is then
    ``Name [id]``). Down, Alt+Down or F4 search at once (an empty text lists the first records).
    """

    picked = Signal()
    searched = Signal(int)  # number of matches shown (after each answer), for status and tests

    def __init__(self, module: str, searcher: LookupSearcher | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrame(False)
        self.loaded = False
        self.module = module
        self._searcher = searcher
        self._request = 0
        self._asked = ""
        self._matches = QStandardItemModel(self)
        self._completer = QCompleter(self._matches, self)
        self._completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._completer.setMaxVisibleItems(12)
        self._completer.setWidget(self)
        self._completer.activated[QModelIndex].connect(self._on_chosen)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.search_now)
        if searcher is not None:
            self.textEdited.connect(lambda _text: self._timer.start())
            searcher.finished.connect(self._on_finished)
            self.setPlaceholderText(f"Type to search {module}, or a record id")
            self.setToolTip(f"Type part of a name and pick the record from the list ({module}).\n"
                            "A record id, or Name [id], can be typed as well.")
        else:
            self.setPlaceholderText("Name [id] or a record id")
            self.setToolTip("Type the record id, or Name [id] as a copied cell shows it.")

    def completer_popup(self) -> QWidget:
        return self._completer.popup()

    def match_count(self) -> int:
        return sum(1 for row in range(self._matches.rowCount()) if self._matches.item(row).isEnabled())

    def search_now(self) -> None:
        """Search for the current text at once (the debounce timer calls this too)."""
        self._timer.stop()
        if self._searcher is None:
            return
        words = search_words(self.text())
        if words is None:
            return
        self._asked = words
        self._request = self._searcher.request(self.module, words)

    def _on_finished(self, request: int, results: object, error: str) -> None:
        if request != self._request:
            return  # an older search, or another picker's
        matches = results if isinstance(results, list) else []
        self._matches.clear()
        for record_id, name in matches:
            item = QStandardItem(cell_text(record_id, name))
            item.setData(cell_text(record_id, name), _WRITE_ROLE)
            item.setToolTip(f"{name}\nRecord id {record_id}")
            item.setEditable(False)
            self._matches.appendRow(item)
        if error or not matches:
            words = f"“{self._asked}”" if self._asked else "anything"
            text = f"Search failed: {error}" if error else f"No {self.module} record matches {words}"
            note = QStandardItem(text)
            note.setFlags(Qt.ItemFlag.NoItemFlags)
            self._matches.appendRow(note)
        if self.isVisible():
            self._show_matches()
        self.searched.emit(len(matches))

    def _show_matches(self) -> None:
        popup = self._completer.popup()
        metrics = popup.fontMetrics()
        widest = max((metrics.horizontalAdvance(self._matches.item(r).text()) for r in range(self._matches.rowCount())),
                     default=0)
        scrollbar = popup.verticalScrollBar().sizeHint().width()
        width = min(max(self.width(), widest + scrollbar + 24), 560)
        self._completer.complete(QRect(0, 0, width, self.height()))

    def choose(self, row: int) -> None:
        """Pick the match in ``row`` of the list, as a click on it does."""
        self._on_chosen(self._matches.index(row, 0))

    def _on_chosen(self, index: QModelIndex) -> None:
        text = index.data(_WRITE_ROLE)
        if not text:
            return
        self._timer.stop()
        self._completer.popup().hide()
        self.setText(str(text))
        self.picked.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        if key == Qt.Key.Key_F4 or (key == Qt.Key.Key_Down and (
                mods & Qt.KeyboardModifier.AltModifier or not self._completer.popup().isVisible())):
            if self._matches.rowCount() and not self._timer.isActive() and self._asked == search_words(self.text()):
                self._show_matches()
            else:
                self.search_now()
            event.accept()
            return
        super().keyPressEvent(event)
