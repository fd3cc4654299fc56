"""The record table's model: one row per record of a core ChangeSet, one column per field.

Column 0 is the row status; the others are the chosen fields. The model keeps its own view
order (sorted and filtered record ids) instead of a QSortFilterProxyModel: a list of ids is
all a 100,000-row sort or filter needs, and the rules (search text, sort keys, the quick
filter, row states) come from :mod:`gui.core.rowquery`. Every edit goes through the change
set as one undo step on the model's QUndoStack.
"""

from __future__ import annotations

from typing import Any, Iterable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont, QUndoStack

from ..core import rowquery
from ..core.bulk import collector_paused
from ..core.cell_input import text_to_change
from ..core.changeset import APPEND, DELETE_FILES, REMOVE, CellChange, ChangeSet, Edit, Key, block_reason
from ..core.fieldtypes import ParseContext, format_value
from ..core.meta import FieldMeta
from ..core.results import Record
from ..core.wording import describe
from ..services.journal import JournalError
from . import roles
from .roles import Role
from .undo import ChangeStep

AnyIndex = QModelIndex | QPersistentModelIndex
STATUS_COLUMN = 0
_ATTACHMENT_TYPES = ("fileupload", "imageupload")
_STATE_ORDER = {s: n for n, s in enumerate((rowquery.FAILED, rowquery.CONFLICT, rowquery.INVALID, rowquery.SENDING,
                                            rowquery.EDITED, rowquery.UPDATED, rowquery.BLOCKED, rowquery.CLEAN))}


class RecordTableModel(QAbstractTableModel):
    message = Signal(str)  # something to tell the user (a refused edit, how a value was read)
    viewChanged = Signal(int, int)  # rows shown, rows loaded (after sort, filter or load)

    def __init__(self, changes: ChangeSet, columns: Iterable[FieldMeta], ctx: ParseContext,
                 parent: Any = None) -> None:
        super().__init__(parent)
        self.changes = changes
        self.ctx = ctx
        self.columns: list[FieldMeta] = list(columns)
        self.undo_stack = QUndoStack(self)
        self.updated: set[str] = set()  # records confirmed by the server since they were loaded
        self.conflicts: dict[str, str] = {}  # record id -> why its edits were held back
        self._shown: list[str] = list(changes.order)
        self._row_of: dict[str, int] = {rid: n for n, rid in enumerate(self._shown)}
        self._hay: dict[str, str] = {}
        self._stale: set[str] = set()  # rows whose edits changed since their search text was built
        self._search_fields = [meta.api_name for meta in self.columns]
        for rid in changes.order:
            self._hay[rid] = rowquery.haystack(changes.records[rid].values, self._search_fields)
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self._sorted_all: list[str] | None = None
        self._filter = rowquery.QuickFilter()
        self.only_edited = False
        self.only_errors = False
        self._bold = QFont()
        self._bold.setBold(True)
        self._italic = QFont()
        self._italic.setItalic(True)
        changes.listeners.append(self._on_edits_changed)

    # -- shape ----------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns) + 1

    def field_at(self, column: int) -> FieldMeta | None:
        return self.columns[column - 1] if 1 <= column <= len(self.columns) else None

    def column_of(self, api_name: str) -> int:
        for n, meta in enumerate(self.columns, start=1):
            if meta.api_name == api_name:
                return n
        return -1

    def record_id_at(self, row: int) -> str:
        return self._shown[row]

    def row_of(self, record_id: str) -> int:
        return self._row_of.get(record_id, -1)

    def shown_ids(self) -> list[str]:
        return list(self._shown)

    @property
    def loaded_count(self) -> int:
        return len(self.changes.order)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Vertical:
            return section + 1 if role == Qt.ItemDataRole.DisplayRole else None
        meta = self.field_at(section)
        if role == Qt.ItemDataRole.DisplayRole:
            if meta is None:
                return "Status" if section == STATUS_COLUMN else None
            return meta.label + (" *" if meta.mandatory else "")
        if role == Qt.ItemDataRole.ToolTipRole and meta is not None:
            lines = [f"{meta.label} ({meta.api_name})", f"Type: {meta.data_type}"]
            if meta.mandatory:
                lines.append("Required")
            if meta.unique:
                lines.append("Unique: no two records may share a value")
            reason = rowquery.readonly_reason(meta)
            if reason:
                lines.append(reason)
            return "\n".join(lines)
        if role == Role.FIELD:
            return meta
        return None

    # -- cells ----------------------------------------------------------------------------
    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self._read_only_reason(self._shown[index.row()], self.field_at(index.column())) is None:
            base |= Qt.ItemFlag.ItemIsEditable
        return base

    def _read_only_reason(self, record_id: str, meta: FieldMeta | None) -> str | None:
        if meta is None:
            return "The status column shows what happened to the row."
        reason = rowquery.readonly_reason(meta)
        if reason is not None:
            return reason
        if meta.data_type in _ATTACHMENT_TYPES:
            return "Files and images are managed from the attachments dialog (double-click or context menu)."
        record = self.changes.records.get(record_id)
        return None if record is None else block_reason(record)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        record_id = self._shown[index.row()]
        meta = self.field_at(index.column())
        if meta is None:
            return self._status_data(record_id, role)
        changes = self.changes
        api = meta.api_name
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(record_id, meta, changes.edit(record_id, api))
        if role == Qt.ItemDataRole.EditRole:
            edit = changes.edit(record_id, api)
            if edit is not None and edit.invalid is not None and edit.text is not None:
                return edit.text
            return format_value(meta, changes.effective(record_id, api), self.ctx.locale)
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._background(record_id, meta)
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if changes.edit(record_id, api) is not None else None
        if role == Qt.ItemDataRole.ForegroundRole:
            return roles.MUTED_TEXT if self._read_only_reason(record_id, meta) is not None \
                and meta.data_type not in _ATTACHMENT_TYPES else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(record_id, meta)
        if role == Role.RECORD_ID:
            return record_id
        if role == Role.FIELD:
            return meta
        if role == Role.VALUE:
            return changes.effective(record_id, api)
        if role == Role.ORIGINAL:
            return changes.original(record_id, api)
        if role == Role.EDIT:
            return changes.edit(record_id, api)
        if role == Role.ERROR:
            return self._cell_error(record_id, api)
        if role == Role.ROW_STATE:
            return self.row_state(record_id)
        if role == Role.READ_ONLY_REASON:
            return self._read_only_reason(record_id, meta)
        return None

    def row_state(self, record_id: str) -> str:
        return rowquery.row_state(self.changes, record_id, self.updated, self.conflicts)

    def _status_data(self, record_id: str, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            state = self.row_state(record_id)
            if state == rowquery.BLOCKED:
                record = self.changes.records[record_id]
                return "awaiting approval" if not record.approved else "locked" if record.locked else "no permission"
            return rowquery.STATE_WORDS[state]
        if role == Qt.ItemDataRole.BackgroundRole:
            return roles.STATE_COLOURS.get(self.row_state(record_id))
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._row_tooltip(record_id)
        if role == Role.RECORD_ID:
            return record_id
        if role == Role.ROW_STATE:
            return self.row_state(record_id)
        if role == Role.ERROR:
            errors = self.changes.errors.get(record_id) or {}
            return next(iter(errors.values()), None)
        if role == Role.READ_ONLY_REASON:
            return self._read_only_reason(record_id, None)
        return None

    def _display(self, record_id: str, meta: FieldMeta, edit: Edit | None) -> str:
        locale = self.ctx.locale
        if edit is None:
            return format_value(meta, self.changes.original(record_id, meta.api_name), locale)
        if edit.invalid is not None:
            return edit.text or ""
        if edit.kind in (APPEND, REMOVE):
            before = format_value(meta, self.changes.original(record_id, meta.api_name), locale)
            sign = "+" if edit.kind == APPEND else "−"
            part = f"{sign} " + format_value(meta, list(edit.value or []), locale)
            return f"{before}  {part}" if before else part
        if edit.kind == DELETE_FILES:
            original = self.changes.original(record_id, meta.api_name)
            total = len(original) if isinstance(original, list) else 0
            gone = total if edit.value is None else len(edit.value)
            noun = "file" if meta.data_type == "fileupload" else "image"
            return f"{total} {noun}{'s' if total != 1 else ''}, deleting {gone}"
        value = self.changes.effective(record_id, meta.api_name)
        if meta.data_type in ("ownerlookup", "userlookup") and isinstance(value, dict) and not value.get("name"):
            user = next((u for u in self.ctx.users if u.user_id == str(value.get("id"))), None)
            if user is not None:  # a newly chosen owner: the parser keeps only the id
                return user.full_name
        return format_value(meta, value, locale)

    def _cell_error(self, record_id: str, api: str) -> Any:
        errors = self.changes.errors.get(record_id)
        if not errors:
            return None
        return errors.get(api) or errors.get(None)

    def _background(self, record_id: str, meta: FieldMeta) -> Any:
        changes = self.changes
        api = meta.api_name
        errors = changes.errors.get(record_id)
        edit = changes.edit(record_id, api)
        if errors:
            if api in errors:
                return roles.FAILED
            if None in errors:
                return roles.FAILED if edit is not None else roles.FAILED_ROW
        if edit is not None:
            if edit.invalid is not None:
                return roles.INVALID
            if record_id in changes.sending:
                return roles.SENDING
            if record_id in self.conflicts:
                return roles.CONFLICT
            return roles.EDITED
        record = changes.records.get(record_id)
        if record is not None and block_reason(record) is not None:
            return roles.BLOCKED
        if rowquery.readonly_reason(meta) is not None:
            return roles.READ_ONLY
        return None

    def _label(self, api_name: str) -> str:
        meta = self.changes.fields.get(api_name)
        return meta.label if meta is not None else api_name

    def _tooltip(self, record_id: str, meta: FieldMeta) -> str | None:
        changes = self.changes
        lines: list[str] = []
        error = self._cell_error(record_id, meta.api_name)
        if error is not None:
            lines.append(f"{describe(error, self._label)}  [{error.code}]")
        edit = changes.edit(record_id, meta.api_name)
        if edit is not None and edit.invalid is not None:
            lines.append(f"Not a valid value: {edit.invalid}")
            lines.append("The text you typed is kept; fix it or revert the cell.")
        reason = self._read_only_reason(record_id, meta)
        if reason is not None:
            lines.append(reason)
        if record_id in self.conflicts and edit is not None:
            lines.append(self.conflicts[record_id])
        if edit is not None:
            was = format_value(meta, changes.original(record_id, meta.api_name), self.ctx.locale)
            lines.append(f"Was: {was}" if was else "Was empty")
        return "\n".join(lines) if lines else None

    def _row_tooltip(self, record_id: str) -> str | None:
        lines = [f"Record id {record_id}"]
        for api, error in (self.changes.errors.get(record_id) or {}).items():
            where = f"{self._label(api)}: " if api else ""
            lines.append(f"{where}{describe(error, self._label)}  [{error.code}]")
        if record_id in self.conflicts:
            lines.append(self.conflicts[record_id])
        record = self.changes.records.get(record_id)
        reason = None if record is None else block_reason(record)
        if reason:
            lines.append(reason)
        n = len(self.changes.record_edits(record_id))
        if n:
            lines.append(f"{n} pending change{'s' if n != 1 else ''}")
        return "\n".join(lines)

    # -- editing --------------------------------------------------------------------------
    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid():
            return False
        record_id = self._shown[index.row()]
        meta = self.field_at(index.column())
        if meta is None:
            return False
        if role == Role.CHANGE and isinstance(value, CellChange):
            return self.apply_changes([value], f"Edit {meta.label}") > 0
        if role != Qt.ItemDataRole.EditRole:
            return False
        text = "" if value is None else str(value)
        edit = self.changes.edit(record_id, meta.api_name)
        if edit is None or edit.invalid is None:
            # Opening and closing an editor without typing must not create an edit.
            if text == format_value(meta, self.changes.effective(record_id, meta.api_name), self.ctx.locale):
                return False
        change, warning = text_to_change(record_id, meta, text, self.ctx)
        done = self.apply_changes([change], f"Edit {meta.label}") > 0
        if done and change.invalid is not None:
            self.message.emit(f"{meta.label}: {change.invalid} (the text is kept and marked invalid)")
        elif done and warning:
            self.message.emit(f"{meta.label}: {warning}")
        return done

    @collector_paused()
    def apply_changes(self, cell_changes: Iterable[CellChange], label: str) -> int:
        """Apply changes as one undo step; returns how many cells took them. Refusals are reported."""
        batch = list(cell_changes)
        before = self.changes.undo_depth
        try:
            outcome = self.changes.apply(batch, label)
        except JournalError as err:  # the edits are in the table; only the copy on disk is missing
            self.message.emit(f"{err} Your edits stay in this window; they are saved again with the next change.")
            if self.changes.undo_depth > before:
                self.undo_stack.push(ChangeStep(self, label))
            return len(batch)
        if outcome.refused:
            (rid, api), why = outcome.refused[0]
            more = len(outcome.refused) - 1
            tail = f" ({more} more cell{'s' if more != 1 else ''} refused)" if more else ""
            self.message.emit(f"{self._label(api)}: {why}{tail}")
        if self.changes.undo_depth > before:
            self.undo_stack.push(ChangeStep(self, label))
        for rid in outcome.touched:
            self.updated.discard(rid)
            self.conflicts.pop(rid, None)
        return len(batch) - len(outcome.refused)

    def revert_cells(self, keys: Iterable[Key]) -> None:
        self.apply_changes([CellChange(r, a, revert=True) for r, a in keys if self.changes.edit(r, a) is not None],
                           "Revert")

    def revert_rows(self, record_ids: Iterable[str]) -> None:
        keys = [(rid, e.api_name) for rid in record_ids for e in self.changes.record_edits(rid)]
        self.apply_changes([CellChange(r, a, revert=True) for r, a in keys], "Revert rows")

    def _on_edits_changed(self, keys: list[Key]) -> None:
        rows = {rid for rid, _ in keys}
        self._stale.update(rows)  # their search text is rebuilt when a filter next needs it
        self.refresh_rows(rows)

    def _fresh_haystacks(self) -> None:
        records = self.changes.records
        for rid in self._stale:
            if rid in records:
                self._hay[rid] = self._row_haystack(rid)
        self._stale.clear()

    def _row_haystack(self, record_id: str) -> str:
        values = dict(self.changes.records[record_id].values)
        for edit in self.changes.record_edits(record_id):
            values[edit.api_name] = edit.text if edit.invalid is not None else \
                self.changes.effective(record_id, edit.api_name)
        return rowquery.haystack(values, self._search_fields)

    def refresh_rows(self, record_ids: Iterable[str]) -> None:
        """Repaint the rows of these records (only the ones shown)."""
        rows = sorted(r for r in (self._row_of.get(rid, -1) for rid in record_ids) if r >= 0)
        if not rows:
            return
        last = self.columnCount() - 1
        if len(rows) > 200:
            self.dataChanged.emit(self.index(rows[0], 0), self.index(rows[-1], last))
            return
        start = prev = rows[0]
        for row in rows[1:] + [None]:
            if row is not None and row == prev + 1:
                prev = row
                continue
            self.dataChanged.emit(self.index(start, 0), self.index(prev, last))
            if row is not None:
                start = prev = row

    # -- loading --------------------------------------------------------------------------
    @collector_paused()
    def add_records(self, records: list[Record]) -> None:
        """Rows arriving from a load (new ones are appended; known ones are refreshed)."""
        known = self.changes.records
        new = [r for r in records if r.record_id not in known]
        existing = [r.record_id for r in records if r.record_id in known]
        self.changes.add_records(records)
        fields = self._search_fields
        for record in records:
            self._hay[record.record_id] = rowquery.haystack(record.values, fields) \
                if not self.changes.record_edits(record.record_id) else self._row_haystack(record.record_id)
        if self._stale:
            self._fresh_haystacks()
        if self._sorted_all is not None:
            self._sorted_all.extend(r.record_id for r in new)
        visible = [r.record_id for r in new if self._passes(r.record_id)]
        if visible:
            first = len(self._shown)
            self.beginInsertRows(QModelIndex(), first, first + len(visible) - 1)
            for rid in visible:
                self._row_of[rid] = len(self._shown)
                self._shown.append(rid)
            self.endInsertRows()
        self.refresh_rows(existing)
        self.viewChanged.emit(len(self._shown), self.loaded_count)

    def remove_records(self, record_ids: Iterable[str]) -> list[Edit]:
        """Records that no longer exist in Zoho: their rows and edits go."""
        gone = set(record_ids) & set(self.changes.records)
        if not gone:
            return []
        self.beginResetModel()
        dropped = self.changes.remove_records(gone)
        for rid in gone:
            self._hay.pop(rid, None)
            self.updated.discard(rid)
            self.conflicts.pop(rid, None)
        if self._sorted_all is not None:
            self._sorted_all = [rid for rid in self._sorted_all if rid not in gone]
        self._set_shown([rid for rid in self._shown if rid not in gone])
        self.endResetModel()
        self.viewChanged.emit(len(self._shown), self.loaded_count)
        return dropped

    # -- sorting and filtering ----------------------------------------------------------------
    @collector_paused()
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column < 0 or column >= self.columnCount():
            self._sort = None
            self._sorted_all = None
        else:
            self._sort = (column, order)
            self._sorted_all = self._sorted(list(self.changes.order))
        self._relayout()

    def _sorted(self, ids: list[str]) -> list[str]:
        assert self._sort is not None
        column, order = self._sort
        reverse = order == Qt.SortOrder.DescendingOrder
        meta = self.field_at(column)
        if meta is None:
            keyed = [(_STATE_ORDER[self.row_state(rid)], rid) for rid in ids]
        else:
            effective = self.changes.effective
            api = meta.api_name
            keyed = [(rowquery.sort_key(meta, effective(rid, api)), rid) for rid in ids]
        # Empty values stay last in both directions.
        keyed.sort(key=lambda kv: kv[0], reverse=reverse)
        if meta is not None:
            filled = [rid for key, rid in keyed if key[0] == 0]
            empty = [rid for key, rid in keyed if key[0] == 1]
            return filled + empty
        return [rid for _, rid in keyed]

    @property
    def sort_state(self) -> tuple[int, Qt.SortOrder] | None:
        return self._sort

    def set_quick_filter(self, text: str) -> str | None:
        """Filter rows by words (anywhere) and ``Field:text`` terms; returns a problem to show, if any."""
        self._filter = rowquery.parse_quick_filter(text, self.columns)
        self._relayout()
        return self._filter.problem

    def set_only_edited(self, on: bool) -> None:
        self.only_edited = on
        self._relayout()

    def set_only_errors(self, on: bool) -> None:
        self.only_errors = on
        self._relayout()

    def refilter(self) -> None:
        self._relayout()

    def _passes(self, record_id: str) -> bool:
        changes = self.changes
        if self.only_errors and not changes.errors.get(record_id) and record_id not in self.conflicts:
            return False
        if self.only_edited and not changes.record_edits(record_id):
            return False
        if self._filter.empty:
            return True
        return rowquery.row_matches(self._filter, self._hay.get(record_id, ""), changes, record_id)

    @collector_paused()
    def _relayout(self) -> None:
        if self._stale:
            self._fresh_haystacks()
        base = self._sorted_all if self._sorted_all is not None else self.changes.order
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_ids = [(self._shown[i.row()] if 0 <= i.row() < len(self._shown) else None, i.column()) for i in old]
        if self.only_edited or self.only_errors or not self._filter.empty:
            shown = [rid for rid in base if self._passes(rid)]
        else:
            shown = list(base)
        self._set_shown(shown)
        new = [self.index(self._row_of[rid], col) if rid is not None and rid in self._row_of else QModelIndex()
               for rid, col in old_ids]
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()
        self.viewChanged.emit(len(self._shown), self.loaded_count)

    def _set_shown(self, shown: list[str]) -> None:
        self._shown = shown
        self._row_of = {rid: n for n, rid in enumerate(shown)}

    # -- columns --------------------------------------------------------------------------
    def set_columns(self, columns: Iterable[FieldMeta]) -> None:
        self.beginResetModel()
        self.columns = list(columns)
        self._search_fields = [meta.api_name for meta in self.columns]
        self._hay = {rid: self._row_haystack(rid) for rid in self.changes.order}
        if self._sort is not None:
            self._sort = None
            self._sorted_all = None
        self.endResetModel()
        self.viewChanged.emit(len(self._shown), self.loaded_count)

    def detach(self) -> None:
        """Stop listening to the change set (before the model is thrown away)."""
        if self._on_edits_changed in self.changes.listeners:
            self.changes.listeners.remove(self._on_edits_changed)
