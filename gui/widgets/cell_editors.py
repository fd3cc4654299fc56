"""The small editor widgets the record table's delegate opens in a cell.

Each editor only holds what the user is choosing; turning it into a change is the delegate's
job (:mod:`gui.widgets.delegates`), and reading text is the core's. Dates and times are shown
in the person's locale (order, separators, 12/24 hours) and can be empty: a date editor holds
"no date" as a special value that Delete (or the context menu) sets.
"""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QDate, QDateTime, QEvent, QObject, QTime, QTimeZone, QTimer, Qt, Signal
from PySide6.QtGui import QContextMenuEvent, QKeyEvent
from PySide6.QtWidgets import QComboBox, QDateEdit, QDateTimeEdit, QFrame, QLineEdit, QPlainTextEdit, QWidget

from ..core.localized import LocaleSpec

EMPTY_DATE = QDate(1000, 1, 1)  # the "no date" special value (no real CRM date is this old)
_UTC = QTimeZone(QTimeZone.Initialization.UTC)
_CLEAR_HINT = "Delete clears the value; the arrows or the calendar pick one."


def qt_date_format(locale: LocaleSpec) -> str:
    parts = {"D": "dd", "M": "MM", "Y": "yyyy"}
    return locale.date_separator.join(parts[key] for key in locale.date_order)


def qt_time_format(locale: LocaleSpec) -> str:
    return "h:mm AP" if locale.hour12 else "HH:mm"


class CellLineEdit(QLineEdit):
    """A one-line editor for text, numbers and any cell whose kept text is not valid."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrame(False)
        self.loaded = False  # setEditorData ran once; later model refreshes must not reset typing


class TextAreaEditor(QPlainTextEdit):
    """A multi-line editor that opens larger than its cell; Ctrl+Enter or clicking away commits."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loaded = False
        self.setTabChangesFocus(True)
        self.setFrameShape(QFrame.Shape.Box)
        self.setToolTip("Enter starts a new line; Ctrl+Enter or clicking elsewhere keeps the text, "
                        "Escape cancels.")


class _OptionalDateMixin:
    """An empty value for QDateEdit/QDateTimeEdit (the minimum date, shown as special text)."""

    loaded: bool

    def _setup_optional(self, empty_text: str) -> None:
        edit: QDateTimeEdit = self  # type: ignore[assignment]
        self.loaded = False
        edit.setCalendarPopup(True)
        edit.setMinimumDate(EMPTY_DATE)
        edit.setSpecialValueText(empty_text)
        edit.setFrame(False)
        edit.setToolTip(_CLEAR_HINT)
        edit.calendarWidget().installEventFilter(self)  # type: ignore[arg-type]

    def is_empty(self) -> bool:
        edit: QDateTimeEdit = self  # type: ignore[assignment]
        return edit.date() == EMPTY_DATE

    def clear_value(self) -> None:
        edit: QDateTimeEdit = self  # type: ignore[assignment]
        edit.setDate(EMPTY_DATE)

    def _fill_from_today(self) -> None:
        edit: QDateTimeEdit = self  # type: ignore[assignment]
        edit.setDate(QDate.currentDate())
        edit.setSelectedSection(edit.sectionAt(0))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # An empty editor opens its calendar on today's month, not on the "no date" year.
        calendar = self.calendarWidget()  # type: ignore[attr-defined]
        if watched is calendar and event.type() == QEvent.Type.Show and self.is_empty():
            today = QDate.currentDate()
            calendar.setCurrentPage(today.year(), today.month())
        return super().eventFilter(watched, event)  # type: ignore[misc]

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Delete or (key == Qt.Key.Key_Backspace and self.is_empty()):
            self.clear_value()
            event.accept()
            return
        if self.is_empty() and (event.text()[:1].isdigit() or key in (Qt.Key.Key_Up, Qt.Key.Key_Down)):
            self._fill_from_today()
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                event.accept()
                return
        super().keyPressEvent(event)  # type: ignore[misc]

    def stepBy(self, steps: int) -> None:
        if self.is_empty():
            self._fill_from_today()
            return
        super().stepBy(steps)  # type: ignore[misc]

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        edit: QDateTimeEdit = self  # type: ignore[assignment]
        menu = edit.lineEdit().createStandardContextMenu()
        menu.setParent(edit, menu.windowFlags())
        menu.addSeparator()
        menu.addAction("Clear", self.clear_value).setEnabled(not self.is_empty())
        menu.addAction("Today", self._fill_from_today)
        menu.exec(event.globalPos())
        menu.deleteLater()


class OptionalDateEdit(_OptionalDateMixin, QDateEdit):
    """A date in the locale's order; :meth:`iso` is ``YYYY-MM-DD`` or "" for no date."""

    def __init__(self, locale: LocaleSpec, parent: QWidget | None = None) -> None:
        QDateEdit.__init__(self, parent)
        self._setup_optional("No date")
        self.setDisplayFormat(qt_date_format(locale))

    def set_iso(self, value: object) -> None:
        try:
            day = date.fromisoformat(str(value).strip()[:10]) if value else None
        except ValueError:
            day = None
        if day is None:
            self.clear_value()
        else:
            self.setDate(QDate(day.year, day.month, day.day))

    def iso(self) -> str:
        if self.is_empty():
            return ""
        return self.date().toString("yyyy-MM-dd")


class OptionalDateTimeEdit(_OptionalDateMixin, QDateTimeEdit):
    """A wall-clock date and time in the locale's zone (held as UTC digits so no DST shifts them)."""

    def __init__(self, locale: LocaleSpec, parent: QWidget | None = None) -> None:
        QDateTimeEdit.__init__(self, parent)
        self.setTimeZone(_UTC)
        self._setup_optional("No date and time")
        self.setDisplayFormat(f"{qt_date_format(locale)} {qt_time_format(locale)}")

    def clear_value(self) -> None:
        self.setDateTime(QDateTime(EMPTY_DATE, QTime(0, 0), _UTC))

    def _fill_from_today(self) -> None:
        now = QDateTime.currentDateTime()
        self.setDateTime(QDateTime(now.date(), QTime(now.time().hour(), 0), _UTC))
        self.setSelectedSection(self.sectionAt(0))

    def set_local(self, moment: datetime | None) -> None:
        if moment is None:
            self.clear_value()
            return
        self.setDateTime(QDateTime(QDate(moment.year, moment.month, moment.day),
                                   QTime(moment.hour, moment.minute, moment.second), _UTC))

    def local(self) -> datetime | None:
        """The wall-clock time shown (no zone), or None when empty."""
        if self.is_empty():
            return None
        value = self.dateTime()
        day, clock = value.date(), value.time()
        return datetime(day.year(), day.month(), day.day(), clock.hour(), clock.minute(), clock.second())


class ChoiceCombo(QComboBox):
    """A fixed list of choices (picklist values, users); ``picked`` when one is chosen from the list.

    Each item's data is the text to write into the cell. Choosing from the open list ends the
    edit at once; arrows on the closed box only move the choice (Enter keeps it).
    """

    picked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.loaded = False
        self.setEditable(False)
        self.setFrame(False)
        self.setMaxVisibleItems(16)
        self._popup_open = False
        self.activated.connect(self._on_activated)

    def add_choice(self, label: str, write_text: str, key: object, tooltip: str | None = None) -> None:
        self.addItem(label, write_text)
        row = self.count() - 1
        self.setItemData(row, key, Qt.ItemDataRole.UserRole + 1)
        if tooltip:
            self.setItemData(row, tooltip, Qt.ItemDataRole.ToolTipRole)

    def select_key(self, key: object) -> bool:
        for row in range(self.count()):
            if self.itemData(row, Qt.ItemDataRole.UserRole + 1) == key:
                self.setCurrentIndex(row)
                return True
        return False

    def current_key(self) -> object:
        return self.itemData(self.currentIndex(), Qt.ItemDataRole.UserRole + 1)

    def write_text(self) -> str:
        data = self.currentData()
        return "" if data is None else str(data)

    def showPopup(self) -> None:
        self._popup_open = True
        super().showPopup()

    def hidePopup(self) -> None:
        super().hidePopup()
        QTimer.singleShot(0, self, self._popup_closed)  # after the activation this hide belongs to

    def _popup_closed(self) -> None:
        self._popup_open = False

    def _on_activated(self, _row: int) -> None:
        if self._popup_open:
            self._popup_open = False
            self.picked.emit()
