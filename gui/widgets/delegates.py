"""The record table's delegate: one editor per Zoho data type, and checkbox cells for booleans.

Every editor ends in text (or a core change) that the model reads with the core, so the
rules for what a value may be live in one place (:mod:`gui.core.fieldtypes`). Nothing typed
is lost: a cell whose kept text is not valid opens a text editor with that text and the
reason as its tooltip, and an open editor is not reset when the model refreshes its row.

Editors: text fields and numbers (locale-formatted) in a line edit; text areas in a larger
multi-line box (Ctrl+Enter or clicking away keeps, Escape cancels); dates and date-times in
spin boxes with a calendar (Delete clears them); picklists and owners in a list box; lookups
in :class:`~gui.widgets.lookup_picker.LookupPicker`; multi-select values in
:class:`~gui.widgets.multiselect_popup.MultiSelectPopup` (Replace / Append / Remove).
Boolean cells show a checkbox that a click or Space toggles. Files and images are edited
elsewhere (the model refuses them here).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from PySide6.QtCore import (QAbstractItemModel, QAbstractProxyModel, QEvent, QModelIndex, QObject,
                            QPersistentModelIndex, QPoint, QRect, QSize, Qt)
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QPolygon
from PySide6.QtWidgets import (QAbstractItemDelegate, QApplication, QCompleter, QStyle, QStyledItemDelegate,
                               QStyleOptionViewItem, QWidget)

from ..core.cell_input import text_to_change
from ..core.changeset import APPEND, REMOVE, SET, CellChange, Edit
from ..core.fieldtypes import CellError, ParseContext, format_value, parse_cell
from ..core.localized import format_number, read_wire_datetime
from ..core.meta import FieldMeta
from ..qt.roles import Role
from .cell_editors import CellLineEdit, ChoiceCombo, OptionalDateEdit, OptionalDateTimeEdit, TextAreaEditor
from .lookup_picker import LookupPicker, LookupSearch, LookupSearcher
from .multiselect_popup import MultiSelectPopup

AnyIndex = QModelIndex | QPersistentModelIndex
NUMBER_TYPES = ("integer", "bigint", "double", "decimal", "currency", "percent")
OWNER_TYPES = ("ownerlookup", "userlookup")
NOT_HERE = ("fileupload", "imageupload", "autonumber", "formula")
_MARK = QColor("#c0392b")
_LINE_TYPES = (CellLineEdit, LookupPicker)
_EDITOR_TYPES = (CellLineEdit, TextAreaEditor, OptionalDateEdit, OptionalDateTimeEdit, ChoiceCombo, LookupPicker,
                 MultiSelectPopup)


def _context(model: QAbstractItemModel | None) -> ParseContext:
    while isinstance(model, QAbstractProxyModel):
        model = model.sourceModel()
    ctx = getattr(model, "ctx", None)
    return ctx if isinstance(ctx, ParseContext) else ParseContext()


def _invalid(edit: Any) -> bool:
    return isinstance(edit, Edit) and edit.invalid is not None


def number_hint(meta: FieldMeta, ctx: ParseContext) -> str:
    """An example of how a number is written in the user's locale, for the editor's placeholder."""
    locale = ctx.locale
    if meta.data_type in ("integer", "bigint"):
        return "A whole number, e.g. 1250"
    if meta.data_type == "percent":
        return f"A percentage, e.g. {format_number(12.5, locale)}"
    return f"e.g. {format_number(1234.5, locale, min_decimals=2)}"


class RecordDelegate(QStyledItemDelegate):
    """Chooses each cell's editor from its field's data type (``Role.FIELD``)."""

    def __init__(self, parent: QObject | None = None, lookup_search: LookupSearch | None = None) -> None:
        super().__init__(parent)
        self.searcher = LookupSearcher(lookup_search, self) if lookup_search is not None else None

    # -- editors ------------------------------------------------------------------------------
    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: AnyIndex) -> QWidget | None:
        meta = index.data(Role.FIELD)
        if not isinstance(meta, FieldMeta) or meta.data_type in NOT_HERE:
            return None
        ctx = _context(index.model())
        kind = meta.data_type
        kept_text = _invalid(index.data(Role.EDIT))
        editor: QWidget
        if kind == "multiselectpicklist" and meta.picklist:
            editor = self._multiselect(parent, meta)
        elif kind == "textarea":
            editor = TextAreaEditor(parent)
        elif kind == "lookup":
            picker = LookupPicker(meta.lookup_module or "", self.searcher, parent)
            picker.picked.connect(lambda: self._finish(picker))
            editor = picker
        elif kind in ("date", "datetime", "picklist", *OWNER_TYPES) and not kept_text \
                and (kind != "picklist" or meta.picklist):
            editor = self._structured(parent, meta, ctx)
        elif kind == "boolean" and not kept_text:
            return None  # toggled in place (editorEvent)
        else:
            editor = self._line_edit(parent, meta, ctx)
        if kept_text:
            editor.setToolTip(str(index.data(Qt.ItemDataRole.ToolTipRole) or ""))
        return editor

    def _line_edit(self, parent: QWidget, meta: FieldMeta, ctx: ParseContext) -> CellLineEdit:
        edit = CellLineEdit(parent)
        kind = meta.data_type
        if kind in NUMBER_TYPES:
            edit.setPlaceholderText(number_hint(meta, ctx))
        elif kind == "boolean":
            edit.setPlaceholderText("Yes or No")
        elif kind in ("date", "datetime"):
            edit.setPlaceholderText("e.g. 2024-05-31" + (" 14:30" if kind == "datetime" else ""))
        names = [o.display for o in meta.picklist] if kind in ("picklist", "multiselectpicklist") else \
            [u.full_name for u in ctx.users if u.active] if kind in OWNER_TYPES else []
        if names:  # fixing a kept value: the choices complete as one types
            completer = QCompleter(names, edit)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            edit.setCompleter(completer)
        return edit

    def _structured(self, parent: QWidget, meta: FieldMeta, ctx: ParseContext) -> QWidget:
        kind = meta.data_type
        if kind == "date":
            return OptionalDateEdit(ctx.locale, parent)
        if kind == "datetime":
            return OptionalDateTimeEdit(ctx.locale, parent)
        combo = ChoiceCombo(parent)
        empty_allowed = not meta.mandatory and kind != "ownerlookup"
        if empty_allowed:
            combo.add_choice("(empty)", "", None, "Clear the field")
        if kind == "picklist":
            for option in meta.picklist:
                combo.add_choice(option.display, option.display, option.actual)
        else:
            for user in ctx.users:
                if user.active:
                    label = f"{user.full_name} <{user.email}>" if user.email else user.full_name
                    combo.add_choice(label, label if user.email else user.user_id, user.user_id)
        combo.picked.connect(lambda: self._finish(combo))
        return combo

    def _multiselect(self, parent: QWidget, meta: FieldMeta) -> MultiSelectPopup:
        popup = MultiSelectPopup(meta.picklist, parent, meta.label)
        popup.accepted.connect(lambda: self._finish(popup))
        popup.cancelled.connect(lambda: self.closeEditor.emit(popup, QAbstractItemDelegate.EndEditHint.RevertModelCache))
        return popup

    def _finish(self, editor: QWidget) -> None:
        self.commitData.emit(editor)
        self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    # -- editor data ----------------------------------------------------------------------------
    def setEditorData(self, editor: QWidget, index: AnyIndex) -> None:
        if not isinstance(editor, _EDITOR_TYPES):
            super().setEditorData(editor, index)
            return
        if editor.loaded:
            return  # a refresh of the row while editing must not throw away what is being typed
        editor.loaded = True
        text = str(index.data(Qt.ItemDataRole.EditRole) or "")
        value = index.data(Role.VALUE)
        if isinstance(editor, _LINE_TYPES):
            editor.setText(text)
        elif isinstance(editor, TextAreaEditor):
            editor.setPlainText(text)
            editor.selectAll()
        elif isinstance(editor, OptionalDateTimeEdit):
            editor.set_local(self._local_datetime(value, index))
        elif isinstance(editor, OptionalDateEdit):
            editor.set_iso(value)
        elif isinstance(editor, ChoiceCombo):
            key = value.get("id") if isinstance(value, dict) else value
            key = None if key == "" else key
            if editor.select_key(key):
                pass
            elif key is None:
                editor.setCurrentIndex(-1)  # empty, and no empty entry: nothing chosen until the user chooses
            else:
                meta: FieldMeta = index.data(Role.FIELD)  # a value no longer on the list: keep showing it
                editor.insertItem(0, f"{format_value(meta, value, _context(index.model()).locale)} (current)", text)
                editor.setItemData(0, key, Qt.ItemDataRole.UserRole + 1)
                editor.setCurrentIndex(0)
        elif isinstance(editor, MultiSelectPopup):
            self._load_multiselect(editor, index)

    @staticmethod
    def _local_datetime(value: Any, index: AnyIndex) -> datetime | None:
        if not isinstance(value, str) or not value.strip():
            return None
        try:
            return read_wire_datetime(value).astimezone(_context(index.model()).locale.tz).replace(tzinfo=None)
        except (ValueError, OverflowError):
            return None

    def _load_multiselect(self, popup: MultiSelectPopup, index: AnyIndex) -> None:
        edit = index.data(Role.EDIT)
        original = index.data(Role.ORIGINAL)
        current = index.data(Role.VALUE)
        base = original if isinstance(original, list) else []
        mode, checked = SET, current if isinstance(current, list) else []
        if isinstance(edit, Edit) and edit.kind in (APPEND, REMOVE):
            mode, checked = edit.kind, edit.value if isinstance(edit.value, list) else []
        if _invalid(edit):
            meta: FieldMeta = index.data(Role.FIELD)
            ctx = _context(index.model())
            checked = []
            for part in re.split(r"[;\n]", edit.text or ""):  # tick the parts of the kept text that match
                try:
                    checked += parse_cell(meta, part, ctx).value if part.strip() else []
                except CellError:
                    pass
            popup.set_note(f"Kept text “{edit.text}”: {edit.invalid}")
        popup.set_state(mode, checked, base, current if isinstance(current, list) else [])

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: AnyIndex) -> None:
        if not isinstance(editor, _EDITOR_TYPES):
            super().setModelData(editor, model, index)
            return
        kept = _invalid(index.data(Role.EDIT))
        value = index.data(Role.VALUE)
        if isinstance(editor, _LINE_TYPES):
            model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)
        elif isinstance(editor, TextAreaEditor):
            model.setData(index, editor.toPlainText(), Qt.ItemDataRole.EditRole)
        elif isinstance(editor, OptionalDateTimeEdit):
            moment = editor.local()
            if kept or moment != self._local_datetime(value, index):
                # Wall-clock time without an offset: the core places it in the locale's zone
                # (and says so when the clocks make it ambiguous or impossible).
                model.setData(index, "" if moment is None else moment.isoformat(), Qt.ItemDataRole.EditRole)
        elif isinstance(editor, OptionalDateEdit):
            if kept or editor.iso() != (value or ""):
                model.setData(index, editor.iso(), Qt.ItemDataRole.EditRole)
        elif isinstance(editor, ChoiceCombo):
            key = value.get("id") if isinstance(value, dict) else (value if value != "" else None)
            if kept or editor.current_key() != key:
                model.setData(index, editor.write_text(), Qt.ItemDataRole.EditRole)
        elif isinstance(editor, MultiSelectPopup):
            self._save_multiselect(editor, model, index)

    def _save_multiselect(self, popup: MultiSelectPopup, model: QAbstractItemModel, index: AnyIndex) -> None:
        meta: FieldMeta = index.data(Role.FIELD)
        record_id = str(index.data(Role.RECORD_ID))
        edit = index.data(Role.EDIT)
        mode, values = popup.mode(), popup.checked_values()
        display = {o.actual: o.display for o in meta.picklist}
        if mode != SET and not values:  # nothing left to add (or remove): that pending change goes
            if isinstance(edit, Edit) and edit.kind == mode:
                model.setData(index, CellChange(record_id, meta.api_name, revert=True), Role.CHANGE)
            return
        text = "; ".join(display.get(v, v) for v in values)
        if mode == SET and not _invalid(edit) and set(values) == set(index.data(Role.VALUE) or []):
            return  # unchanged
        change, _warning = text_to_change(record_id, meta, text, _context(model), mode)
        model.setData(index, change, Role.CHANGE)

    # -- geometry -------------------------------------------------------------------------------
    def updateEditorGeometry(self, editor: QWidget, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        if isinstance(editor, _LINE_TYPES) and option.rect.width() >= 120:
            super().updateEditorGeometry(editor, option, index)  # in the cell, where its text is drawn
            return
        cell = QRect(option.rect)
        hint = editor.sizeHint()
        if isinstance(editor, MultiSelectPopup):
            size = QSize(max(cell.width(), 300, hint.width()), max(hint.height(), 260))
        elif isinstance(editor, TextAreaEditor):
            size = QSize(max(cell.width(), 360), max(cell.height() * 5, 150))
        elif isinstance(editor, (OptionalDateEdit, OptionalDateTimeEdit, ChoiceCombo)):
            size = QSize(max(cell.width(), min(hint.width(), 360)), max(cell.height(), hint.height()))
        else:  # a narrow column: the line edit gets room to type
            size = QSize(120, cell.height())
        rect = QRect(cell.topLeft(), size)
        parent = editor.parentWidget()
        if isinstance(editor, MultiSelectPopup) and parent is not None:
            # Below the cell (above it when there is no room), so the cell's value stays in sight.
            rect.moveTop(cell.bottom() + 1)
            if rect.bottom() > parent.rect().bottom() and cell.top() - size.height() >= 0:
                rect.moveBottom(cell.top() - 1)
        editor.setGeometry(self._fit(rect, parent))
        editor.raise_()

    @staticmethod
    def _fit(rect: QRect, parent: QWidget | None) -> QRect:
        """Keep an editor larger than its cell inside the table's viewport."""
        if parent is None:
            return rect
        area = parent.rect()
        if rect.right() > area.right():
            rect.moveRight(max(area.right(), rect.width() - 1))
        if rect.bottom() > area.bottom():
            rect.moveBottom(max(area.bottom(), rect.height() - 1))
        rect.moveLeft(max(0, rect.left()))
        rect.moveTop(max(0, rect.top()))
        return rect

    # -- keys -----------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(watched, MultiSelectPopup):
            return False  # the popup ends itself (OK, Cancel, Enter, Escape, focus leaving it)
        if isinstance(watched, TextAreaEditor) and event.type() == QEvent.Type.KeyPress \
                and isinstance(event, QKeyEvent) and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._finish(watched)
            return True
        return super().eventFilter(watched, event)

    # -- boolean cells and marks ----------------------------------------------------------------
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        meta = index.data(Role.FIELD)
        edit = index.data(Role.EDIT)
        if isinstance(meta, FieldMeta) and meta.data_type == "boolean" and not _invalid(edit):
            self._paint_checkbox(painter, option, index)
        else:
            super().paint(painter, option, index)
        if _invalid(edit) or (meta is not None and index.data(Role.ERROR) is not None):
            self._paint_mark(painter, option.rect)

    def _paint_checkbox(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        value = index.data(Role.VALUE)
        check = QStyleOptionViewItem(opt)
        check.rect = self._check_rect(option)
        check.state = (opt.state & ~QStyle.StateFlag.State_HasFocus) | (
            QStyle.StateFlag.State_On if value is True else
            QStyle.StateFlag.State_NoChange if value is None else QStyle.StateFlag.State_Off)
        if not index.flags() & Qt.ItemFlag.ItemIsEditable:
            check.state &= ~QStyle.StateFlag.State_Enabled
        style.drawPrimitive(QStyle.PrimitiveElement.PE_IndicatorItemViewItemCheck, check, painter, widget)

    @staticmethod
    def _check_rect(option: QStyleOptionViewItem) -> QRect:
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        w = style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth, option, widget)
        h = style.pixelMetric(QStyle.PixelMetric.PM_IndicatorHeight, option, widget)
        rect = QRect(0, 0, w, h)
        rect.moveCenter(option.rect.center())
        return rect

    @staticmethod
    def _paint_mark(painter: QPainter, cell: QRect) -> None:
        """A small red corner: the cell holds text that can't be sent, or the server refused it."""
        size = 7
        corner = cell.topRight()
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(_MARK)
        painter.drawPolygon(QPolygon([corner + QPoint(-size, 0), corner + QPoint(1, 0), corner + QPoint(1, size + 1)]))
        painter.restore()

    def editorEvent(self, event: QEvent, model: QAbstractItemModel, option: QStyleOptionViewItem,
                    index: AnyIndex) -> bool:
        meta = index.data(Role.FIELD)
        if not isinstance(meta, FieldMeta) or meta.data_type != "boolean" or _invalid(index.data(Role.EDIT)) \
                or not index.flags() & Qt.ItemFlag.ItemIsEditable:
            return super().editorEvent(event, model, option, index)
        kind = event.type()
        if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease, QEvent.Type.MouseButtonDblClick) \
                and isinstance(event, QMouseEvent):
            on_box = self._check_rect(option).adjusted(-4, -4, 4, 4).contains(event.position().toPoint())
            if not on_box or event.button() != Qt.MouseButton.LeftButton:
                return False
            if kind == QEvent.Type.MouseButtonRelease:
                self.toggle(model, index)
            return True
        if kind == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Space, Qt.Key.Key_Select):
            self.toggle(model, index)
            return True
        return False

    @staticmethod
    def toggle(model: QAbstractItemModel, index: AnyIndex) -> bool:
        """Flip a boolean cell (an empty one becomes Yes)."""
        return model.setData(index, "false" if index.data(Role.VALUE) is True else "true", Qt.ItemDataRole.EditRole)

