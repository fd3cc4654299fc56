"""The record table's editors, driven as a user drives them, against the demo sandbox."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import Any, Callable, Iterator

import pytest
import shiboken6
from PySide6.QtCore import QDate, QModelIndex, QPoint, Qt, QTime
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit, QStyleOptionViewItem, QTableView, QWidget

from gui.core.changeset import APPEND, REMOVE, SET
from gui.core.fieldtypes import ParseContext
from gui.core.localized import LocaleSpec, read_wire_datetime
from gui.qt.module_session import ModuleSession
from gui.qt.roles import Role
from gui.widgets.cell_editors import CellLineEdit, ChoiceCombo, OptionalDateEdit, OptionalDateTimeEdit, TextAreaEditor
from gui.widgets.delegates import RecordDelegate
from gui.widgets.lookup_picker import LookupPicker, search_words
from gui.widgets.multiselect_popup import MultiSelectPopup

LEAD_COLUMNS = ["Last_Name", "Company", "Description", "No_of_Employees", "Annual_Revenue", "Follow_Up_Date",
                "Next_Call", "Lead_Status", "Email_Opt_Out", "Languages_Spoken", "Interests", "Owner", "Documents"]
# The offscreen platform can't raise a popup window or grab the keyboard for it; it says so.
OFFSCREEN_POPUPS = pytest.mark.qt_log_ignore(r"This plugin does not support (raise\(\)|grabbing the keyboard)")


class Table:
    """A shown QTableView over a loaded module, with the delegate under test."""

    def __init__(self, session: ModuleSession, delegate: RecordDelegate, view: QTableView) -> None:
        self.session = session
        self.model = session.model
        self.delegate = delegate
        self.view = view

    def index(self, api_name: str, row: int | None = None) -> QModelIndex:
        column = self.model.column_of(api_name)
        assert column > 0, api_name
        if row is None:  # the first row that can be edited
            row = next(r for r in range(self.model.rowCount())
                       if self.model.flags(self.model.index(r, column)) & Qt.ItemFlag.ItemIsEditable)
        return self.model.index(row, column)

    def open(self, index: QModelIndex, kind: type[QWidget]) -> Any:
        self.view.scrollTo(index)
        self.view.setCurrentIndex(index)
        self.view.edit(index)
        editors = [w for w in self.view.viewport().findChildren(kind) if w.isVisible()]
        assert len(editors) == 1, f"expected one open {kind.__name__}, found {editors}"
        return editors[0]

    def editing(self) -> bool:
        return self.view.state() == QTableView.State.EditingState


@pytest.fixture
def table(open_module: Callable[..., ModuleSession], client: Any, qtbot: Any) -> Iterator[Callable[..., Table]]:
    views: list[QTableView] = []

    def make(module: str = "Leads", columns: list[str] | None = None) -> Table:
        session = open_module(module, LEAD_COLUMNS if columns is None and module == "Leads" else columns)
        view = QTableView()
        view.setModel(session.model)
        delegate = RecordDelegate(view, client.search_names)
        view.setItemDelegate(delegate)
        view.resize(1200, 700)
        view.show()
        qtbot.waitExposed(view)
        view.activateWindow()
        views.append(view)
        return Table(session, delegate, view)

    yield make
    for view in views:  # before the sessions (and their models) go
        delegate = view.itemDelegate()
        if isinstance(delegate, RecordDelegate) and delegate.searcher is not None:
            delegate.searcher.wait()
        view.close()
        shiboken6.delete(view)
    views.clear()


def edit_of(index: QModelIndex) -> Any:
    return index.data(Role.EDIT)


# -- text ------------------------------------------------------------------------------------
def test_text_is_typed_and_committed_with_enter(table: Callable[..., Table], qtbot: Any) -> None:
    t = table()
    index = t.index("Company")
    editor = t.open(index, CellLineEdit)
    assert editor.text() == index.data(Qt.ItemDataRole.EditRole)
    editor.selectAll()
    QTest.keyClicks(editor, "Globex Corporation")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: edit_of(index) is not None)
    assert index.data(Role.VALUE) == "Globex Corporation"
    assert index.data(Qt.ItemDataRole.DisplayRole) == "Globex Corporation"
    assert not t.editing()


def test_escape_cancels_and_an_unchanged_editor_makes_no_edit(table: Callable[..., Table], qtbot: Any) -> None:
    t = table()
    index = t.index("Company")
    editor = t.open(index, CellLineEdit)
    QTest.keyClicks(editor, " and more")
    QTest.keyClick(editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not t.editing())
    assert edit_of(index) is None
    editor = t.open(index, CellLineEdit)
    QTest.keyClick(editor, Qt.Key.Key_Tab)  # Tab commits and moves on: nothing was typed, nothing changes
    qtbot.waitUntil(lambda: t.view.currentIndex().column() != index.column() or not t.editing())
    assert edit_of(index) is None


def test_typing_is_not_lost_when_the_row_is_refreshed(table: Callable[..., Table], qtbot: Any) -> None:
    t = table()
    index = t.index("Company")
    editor = t.open(index, CellLineEdit)
    editor.setText("Typed before a refresh")
    t.model.refresh_rows([index.data(Role.RECORD_ID)])  # e.g. a page of a reload arriving
    assert editor.text() == "Typed before a refresh"
    t.delegate.setModelData(editor, t.model, index)
    assert index.data(Role.VALUE) == "Typed before a refresh"


def test_textarea_keeps_newlines_and_commits_on_ctrl_enter(table: Callable[..., Table], qtbot: Any) -> None:
    t = table()
    index = t.index("Description")
    editor = t.open(index, TextAreaEditor)
    assert editor.height() > t.view.rowHeight(index.row()) * 2  # opens larger than the cell
    editor.clear()
    QTest.keyClicks(editor, "First line")
    QTest.keyClick(editor, Qt.Key.Key_Return)  # a plain Enter is a new line
    QTest.keyClicks(editor, "Second line")
    assert t.editing()
    QTest.keyClick(editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: edit_of(index) is not None)
    assert index.data(Role.VALUE) == "First line\nSecond line"
    assert not t.editing()


# -- numbers ---------------------------------------------------------------------------------
def test_integer_and_an_invalid_value_that_is_kept(table: Callable[..., Table], qtbot: Any) -> None:
    t = table()
    index = t.index("No_of_Employees")
    editor = t.open(index, CellLineEdit)
    editor.setText("1250")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: index.data(Role.VALUE) == 1250)

    editor = t.open(index, CellLineEdit)
    editor.selectAll()
    QTest.keyClicks(editor, "abc")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: edit_of(index) is not None and edit_of(index).invalid is not None)
    assert edit_of(index).text == "abc"
    assert index.data(Qt.ItemDataRole.DisplayRole) == "abc"
    tooltip = index.data(Qt.ItemDataRole.ToolTipRole)
    assert "not a number" in tooltip and "kept" in tooltip
    # Opening it again shows the kept text, with the reason on the editor.
    editor = t.open(index, CellLineEdit)
    assert editor.text() == "abc"
    assert "not a number" in editor.toolTip()
    QTest.keyClick(editor, Qt.Key.Key_Escape)


def test_currency_follows_a_german_locale(table: Callable[..., Table], qtbot: Any) -> None:
    t = table()
    t.model.ctx = ParseContext(LocaleSpec.de_de(), t.model.ctx.users)
    index = t.index("Annual_Revenue")
    editor = t.open(index, CellLineEdit)
    assert editor.placeholderText() == "e.g. 1.234,50"
    if index.data(Role.VALUE) is not None:
        assert "," in editor.text()  # shown the German way
    editor.setText("2.500,75")
    QTest.keyClick(editor, Qt.Key.Key_Enter)
    qtbot.waitUntil(lambda: edit_of(index) is not None)
    assert index.data(Role.VALUE) == 2500.75
    assert index.data(Qt.ItemDataRole.DisplayRole) == "2.500,75"


# -- dates -----------------------------------------------------------------------------------
def test_date_is_picked_and_can_be_cleared(table: Callable[..., Table], qtbot: Any) -> None:
    t = table()
    index = t.index("Follow_Up_Date")
    editor = t.open(index, OptionalDateEdit)
    assert editor.calendarPopup()
    assert editor.displayFormat() == "MM/dd/yyyy"  # the US order of the session's locale
    editor.setDate(QDate(2031, 2, 14))
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: index.data(Role.VALUE) == "2031-02-14")
    assert index.data(Qt.ItemDataRole.DisplayRole) == "02/14/2031"

    editor = t.open(index, OptionalDateEdit)
    assert editor.iso() == "2031-02-14"
    QTest.keyClick(editor, Qt.Key.Key_Delete)  # Delete empties the date
    assert editor.is_empty() and editor.text() == "No date"
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: index.data(Role.VALUE) is None)
    assert edit_of(index) is not None and edit_of(index).invalid is None


def test_empty_date_editor_starts_from_today_on_a_step(table: Callable[..., Table], qtbot: Any) -> None:
    t = table()
    index = t.index("Follow_Up_Date")
    editor = t.open(index, OptionalDateEdit)
    editor.clear_value()
    QTest.keyClick(editor, Qt.Key.Key_Up)
    assert editor.date() == QDate.currentDate()
    QTest.keyClick(editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not t.editing())


def test_datetime_is_written_in_the_locale_zone(table: Callable[..., Table], qtbot: Any) -> None:
    t = table()
    index = t.index("Next_Call")
    editor = t.open(index, OptionalDateTimeEdit)
    assert editor.calendarPopup()
    editor.setDate(QDate(2031, 7, 1))
    editor.setTime(QTime(14, 30))
    t.delegate.setModelData(editor, t.model, index)
    value = index.data(Role.VALUE)
    assert value == "2031-07-01T14:30:00-04:00"  # New York summer time, the en_US session's zone
    assert read_wire_datetime(value) == datetime.fromisoformat("2031-07-01T18:30:00+00:00")
    assert index.data(Qt.ItemDataRole.DisplayRole) == "07/01/2031 2:30 PM"
    QTest.keyClick(editor, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not t.editing())
    # A second edit opens on the local wall-clock time again.
    editor = t.open(index, OptionalDateTimeEdit)
    assert editor.local() == datetime(2031, 7, 1, 14, 30)


# -- lists -----------------------------------------------------------------------------------
@OFFSCREEN_POPUPS
def test_picklist_choice_from_the_list(table: Callable[..., Table], qtbot: Any) -> None:
    t = table()
    index = t.index("Lead_Status")
    combo = t.open(index, ChoiceCombo)
    assert combo.itemText(0) == "(empty)"  # Lead Status is not required
    row = combo.findText("Pre-Qualified")
    if index.data(Role.VALUE) == "Pre-Qualified":
        row = combo.findText("Contacted")
    combo.showPopup()
    combo.setCurrentIndex(row)
    combo.activated.emit(row)  # what a click on the open list does
    qtbot.waitUntil(lambda: edit_of(index) is not None)
    assert index.data(Role.VALUE) == combo.itemText(row)
    assert not t.editing()


def test_owner_from_the_active_users(table: Callable[..., Table], qtbot: Any) -> None:
    t = table()
    index = t.index("Owner")
    users = [u for u in t.model.ctx.users if u.active]
    combo = t.open(index, ChoiceCombo)
    assert combo.count() == len(users)  # no empty entry: a record always has an owner
    other = next(u for u in users if u.user_id != index.data(Role.VALUE)["id"])
    combo.setCurrentIndex(combo.findText(f"{other.full_name} <{other.email}>"))
    QTest.keyClick(combo, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: edit_of(index) is not None)
    assert index.data(Role.VALUE) == {"id": other.user_id}
    assert edit_of(index).text == f"{other.full_name} <{other.email}>"


def test_boolean_toggles_on_click_and_space_without_an_editor(table: Callable[..., Table], qtbot: Any) -> None:
    t = table()
    index = t.index("Email_Opt_Out")
    before = index.data(Role.VALUE) is True
    t.view.scrollTo(index)
    t.view.setCurrentIndex(index)
    centre = t.view.visualRect(index).center()
    QTest.mouseClick(t.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)
    assert index.data(Role.VALUE) is (not before)
    assert not t.editing()
    QTest.keyClick(t.view, Qt.Key.Key_Space)
    assert index.data(Role.VALUE) is before
    assert edit_of(index) is None  # back to the loaded value: no edit left
    # A click beside the box only selects the cell.
    beside = t.view.visualRect(index).topLeft() + QPoint(3, 3)
    QTest.mouseClick(t.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, beside)
    assert index.data(Role.VALUE) is before


def test_files_are_not_edited_in_the_table(table: Callable[..., Table]) -> None:
    t = table()
    index = t.index("Documents", row=0)
    assert not t.model.flags(index) & Qt.ItemFlag.ItemIsEditable
    assert t.delegate.createEditor(t.view.viewport(), QStyleOptionViewItem(), index) is None


# -- multi-select ----------------------------------------------------------------------------
def _fresh_row(t: Table, api_name: str) -> QModelIndex:
    """A row whose multi-select holds one value or more but not all of them."""
    column = t.model.column_of(api_name)
    for row in range(t.model.rowCount()):
        index = t.model.index(row, column)
        value = index.data(Role.VALUE) or []
        if t.model.flags(index) & Qt.ItemFlag.ItemIsEditable and 0 < len(value) < 4:
            return index
    raise AssertionError(f"no row with a short {api_name}")


def test_multiselect_replace(table: Callable[..., Table], qtbot: Any) -> None:
    t = table()
    index = _fresh_row(t, "Languages_Spoken")
    popup = t.open(index, MultiSelectPopup)
    assert popup.search.isVisible()  # twelve languages: a search box
    assert popup.mode() == SET and set(popup.checked_values()) == set(index.data(Role.VALUE))
    assert popup.width() >= 300 and popup.height() > 3 * t.view.rowHeight(index.row())
    for value in list(popup.checked_values()):
        popup.set_checked(value, False)
    QTest.keyClicks(popup.search, "kor")
    assert [popup.list.item(r).text() for r in range(popup.list.count()) if not popup.list.item(r).isHidden()] \
        == ["Korean"]
    QTest.keyClick(popup.search, Qt.Key.Key_Down)  # into the list
    QTest.keyClick(popup.list, Qt.Key.Key_Space)  # ticks the current (only shown) value
    popup.set_checked("Hindi")
    assert popup.summary.text() == "Becomes: Hindi; Korean"
    QTest.keyClick(popup.list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: edit_of(index) is not None)
    assert edit_of(index).kind == SET
    assert index.data(Role.VALUE) == ["Hindi", "Korean"]
    assert index.data(Qt.ItemDataRole.DisplayRole) == "Hindi; Korean"
    assert not t.editing()


def test_multiselect_append_shows_plus(table: Callable[..., Table], qtbot: Any) -> None:
    t = table()
    index = _fresh_row(t, "Interests")
    before = list(index.data(Role.VALUE))
    popup = t.open(index, MultiSelectPopup)
    QTest.mouseClick(popup._mode_buttons[APPEND], Qt.MouseButton.LeftButton)
    assert popup.mode() == APPEND and popup.checked_values() == []
    held = popup._item(before[0])
    assert held.checkState() == Qt.CheckState.Checked and not held.flags() & Qt.ItemFlag.ItemIsEnabled
    new = next(o.actual for o in popup._options if o.actual not in before)
    row = next(r for r in range(popup.list.count()) if popup.list.item(r).text() == new)
    QTest.mouseClick(popup.list.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     popup.list.visualItemRect(popup.list.item(row)).center())  # a click on the row ticks it
    assert popup.checked_values() == [new]
    assert popup.summary.text() == f"Adds: {new}"
    QTest.mouseClick(_ok_button(popup), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: edit_of(index) is not None)
    assert edit_of(index).kind == APPEND and edit_of(index).value == [new]
    assert index.data(Role.VALUE) == before + [new]
    assert index.data(Qt.ItemDataRole.DisplayRole).endswith(f"+ {new}")
    # Opening again shows the pending append.
    popup = t.open(index, MultiSelectPopup)
    assert popup.mode() == APPEND and popup.checked_values() == [new]
    QTest.keyClick(popup.list, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not t.editing())
    assert edit_of(index).kind == APPEND


def _ok_button(popup: MultiSelectPopup) -> QWidget:
    box = popup.findChild(QDialogButtonBox)
    return box.button(QDialogButtonBox.StandardButton.Ok)


def test_multiselect_remove(table: Callable[..., Table], qtbot: Any) -> None:
    t = table()
    index = _fresh_row(t, "Interests")
    before = list(index.data(Role.VALUE))
    popup = t.open(index, MultiSelectPopup)
    popup._mode_buttons[REMOVE].click()
    assert popup.mode() == REMOVE
    absent = next(o.actual for o in popup._options if o.actual not in before)
    assert not popup._item(absent).flags() & Qt.ItemFlag.ItemIsEnabled  # nothing to remove there
    popup.set_checked(before[0])
    t.delegate.setModelData(popup, t.model, index)
    assert edit_of(index).kind == REMOVE and edit_of(index).value == [before[0]]
    assert index.data(Role.VALUE) == before[1:]
    assert f"− {before[0]}" in index.data(Qt.ItemDataRole.DisplayRole)
    popup.cancel()
    qtbot.waitUntil(lambda: not t.editing())


def test_multiselect_commits_when_focus_leaves(table: Callable[..., Table], qtbot: Any) -> None:
    t = table()
    index = _fresh_row(t, "Interests")
    popup = t.open(index, MultiSelectPopup)
    qtbot.waitUntil(lambda: popup.isAncestorOf(QApplication.focusWidget()))
    value = next(o.actual for o in popup._options if o.actual not in index.data(Role.VALUE))
    popup.set_checked(value)
    t.view.setFocus()  # e.g. a click on another cell
    qtbot.waitUntil(lambda: edit_of(index) is not None)
    assert value in index.data(Role.VALUE)
    qtbot.waitUntil(lambda: not t.editing())


# -- lookup ----------------------------------------------------------------------------------
@OFFSCREEN_POPUPS
def test_lookup_searches_off_the_gui_thread_and_picks_by_name(table: Callable[..., Table], client: Any,
                                                               qtbot: Any) -> None:
    t = table("Deals", ["Deal_Name", "Account_Name", "Amount"])
    index = t.index("Account_Name")
    picker = t.open(index, LookupPicker)
    assert picker.text() == index.data(Qt.ItemDataRole.EditRole)
    picker.clear()
    with qtbot.waitSignal(picker.searched, timeout=10_000) as answer:
        QTest.keyClicks(picker, "Atlas")  # searched after a short pause, on a worker thread
    assert answer.args[0] > 0
    popup = picker.completer_popup()
    qtbot.waitUntil(popup.isVisible)
    names = [popup.model().index(r, 0).data() for r in range(popup.model().rowCount())]
    assert all("Atlas" in n for n in names)
    wanted = names[1] if len(names) > 1 else names[0]
    record_id = wanted.rsplit("[", 1)[1].rstrip("]")
    QTest.keyClick(popup, Qt.Key.Key_Down)
    if len(names) > 1:
        QTest.keyClick(popup, Qt.Key.Key_Down)
    QTest.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: edit_of(index) is not None)
    assert index.data(Role.VALUE) == {"id": record_id}
    assert not t.editing()


def test_lookup_accepts_a_typed_id_and_keeps_a_bare_name_as_invalid(table: Callable[..., Table],
                                                                   qtbot: Any) -> None:
    t = table("Deals", ["Deal_Name", "Account_Name", "Amount"])
    index = t.index("Account_Name")
    picker = t.open(index, LookupPicker)
    picker.setText("5725767003000000112")
    QTest.keyClick(picker, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: edit_of(index) is not None)
    assert index.data(Role.VALUE) == {"id": "5725767003000000112"}

    picker = t.open(index, LookupPicker)
    picker.setText("Somebody Unknown")
    QTest.keyClick(picker, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: edit_of(index).invalid is not None)
    assert edit_of(index).text == "Somebody Unknown"
    assert "Pick the record" in index.data(Qt.ItemDataRole.ToolTipRole)


def test_lookup_searches_the_name_part_only() -> None:
    assert search_words("Atlas Media SA [5725767003000000040]") == "Atlas Media SA"
    assert search_words("5725767003000000040") is None
    assert search_words("  Atlas ") == "Atlas"


def test_invalid_date_opens_a_text_editor_with_the_kept_text(table: Callable[..., Table], qtbot: Any) -> None:
    t = table()
    index = t.index("Follow_Up_Date")
    assert t.model.setData(index, "31/31/2031")
    assert edit_of(index).invalid is not None
    editor = t.open(index, CellLineEdit)
    assert isinstance(editor, QLineEdit) and editor.text() == "31/31/2031"
    assert "not a date" in editor.toolTip()
    editor.setText("2031-01-31")
    QTest.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: index.data(Role.VALUE) == "2031-01-31")
    assert edit_of(index).invalid is None


def test_multiselect_with_kept_invalid_text_shows_it(table: Callable[..., Table], qtbot: Any) -> None:
    t = table()
    index = t.index("Languages_Spoken")
    assert t.model.setData(index, "English; Klingon")
    assert edit_of(index).invalid is not None
    popup = t.open(index, MultiSelectPopup)
    assert popup.note.isVisible() and "English; Klingon" in popup.note.text() and "Klingon" in popup.note.text()
    assert popup.checked_values() == ["English"]  # the part that matches is ticked
    QTest.keyClick(popup.list, Qt.Key.Key_Escape)  # cancelling keeps the typed text
    qtbot.waitUntil(lambda: not t.editing())
    assert edit_of(index).text == "English; Klingon" and edit_of(index).invalid is not None


@OFFSCREEN_POPUPS
def test_a_slow_lookup_search_does_not_block_the_window(table: Callable[..., Table], qtbot: Any) -> None:
    t = table("Deals", ["Deal_Name", "Account_Name"])
    threads: list[str] = []
    release = threading.Event()

    def slow_search(module: str, text: str) -> list[tuple[str, str]]:
        threads.append(threading.current_thread().name)
        release.wait(5)
        return [("5725767003000000112", f"{text} Holdings")]

    t.view.setItemDelegate(RecordDelegate(t.view, slow_search))
    index = t.index("Account_Name")
    picker = t.open(index, LookupPicker)
    picker.clear()
    QTest.keyClicks(picker, "Slow")
    started = time.monotonic()
    picker.search_now()
    assert time.monotonic() - started < 0.2  # the search runs on a worker
    qtbot.waitUntil(lambda: bool(threads))
    assert threads[0] != threading.current_thread().name
    with qtbot.waitSignal(picker.searched, timeout=5_000):
        release.set()
    assert picker.match_count() == 1
    picker.choose(0)
    qtbot.waitUntil(lambda: edit_of(index) is not None)
    assert index.data(Role.VALUE) == {"id": "5725767003000000112"}
    assert edit_of(index).text == "Slow Holdings [5725767003000000112]"
