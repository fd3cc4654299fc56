"""The change set: records as loaded, the user's pending edits, undo/redo, and errors.

Every edit is kept per cell until the server confirms it. A cell is "dirty" only when
its edit really differs from what was loaded. Each call to :meth:`ChangeSet.apply` (one
typed cell, one paste, one fill) is one undo step.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Iterator

from .attachments import attachment_ids
from .meta import FieldMeta
from .results import Record, RecordError

SET, APPEND, REMOVE, DELETE_FILES = "set", "append", "remove", "delete_files"
KINDS = (SET, APPEND, REMOVE, DELETE_FILES)
Key = tuple[str, str]  # (record id, field api name)


@dataclass(slots=True, unsafe_hash=True, init=False)
class CellValue:
    """What a pending edit and a change asked for both say of one cell.

    ``value`` depends on ``kind``: the new value (set), the values to add (append) or to take
    away (remove) from a multi-select, or the attachment/image ids to delete (None: all).
    ``invalid`` holds the message when the typed ``text`` could not be read.

    Treat as read-only (make a changed copy with :func:`dataclasses.replace`). Not frozen on
    purpose: a paste builds 100,000 of these, and a frozen one takes three times as long.
    """

    record_id: str
    api_name: str
    kind: str
    value: Any
    text: str | None
    invalid: str | None

    def _fill(self, record_id: str, api_name: str, kind: str, value: Any, text: str | None,
              invalid: str | None) -> None:
        self.record_id = record_id
        self.api_name = api_name
        self.kind = kind
        self.value = value
        self.text = text
        self.invalid = invalid

    @property
    def key(self) -> Key:
        return (self.record_id, self.api_name)


@dataclass(slots=True, unsafe_hash=True, init=False)
class Edit(CellValue):
    """One pending change of one cell. An invalid one is kept (nothing typed is lost) but never sent."""

    version: int

    def __init__(self, record_id: str, api_name: str, kind: str = SET, value: Any = None, text: str | None = None,
                 invalid: str | None = None, version: int = 0) -> None:
        self._fill(record_id, api_name, kind, value, text, invalid)
        self.version = version

    def same_change(self, other: Edit | None) -> bool:
        """Whether ``other`` changes the cell the same way (versions aside)."""
        return other is not None and (self.kind, self.value, self.text, self.invalid) == \
            (other.kind, other.value, other.text, other.invalid)


@dataclass(slots=True, unsafe_hash=True, init=False)
class CellChange(CellValue):
    """A change asked for one cell (typed, pasted, filled)."""

    revert: bool  # drop the cell's edit instead of setting one

    def __init__(self, record_id: str, api_name: str, kind: str = SET, value: Any = None, text: str | None = None,
                 invalid: str | None = None, revert: bool = False) -> None:
        self._fill(record_id, api_name, kind, value, text, invalid)
        self.revert = revert


@dataclass(frozen=True)
class Step:
    label: str
    before: tuple[tuple[Key, Edit | None], ...]
    after: tuple[tuple[Key, Edit | None], ...]


@dataclass
class ApplyOutcome:
    touched: set[str] = field(default_factory=set)  # record ids whose cells changed
    refused: list[tuple[Key, str]] = field(default_factory=list)  # cells that could not take the change, and why


def default_equal(meta: FieldMeta, a: Any, b: Any) -> bool:
    def empty(v: Any) -> bool:
        return v is None or v == "" or v == []

    if empty(a) and empty(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict) and "id" in a and "id" in b:
        return str(a["id"]) == str(b["id"])
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) \
            and not isinstance(b, bool):
        return float(a) == float(b)
    return bool(a == b)


class ChangeSet:
    def __init__(self, module: str, fields: Iterable[FieldMeta],
                 equal: Callable[[FieldMeta, Any, Any], bool] = default_equal):
        self.module = module
        self.fields: dict[str, FieldMeta] = {f.api_name: f for f in fields}
        self.equal = equal
        self.records: dict[str, Record] = {}
        self.order: list[str] = []
        self._edits: dict[Key, Edit] = {}
        self._by_record: dict[str, set[str]] = {}  # record id -> fields with an edit (fast per-row work)
        self._undo: list[Step] = []
        self._redo: list[Step] = []
        self._version = 0
        self.errors: dict[str, dict[str | None, RecordError]] = {}  # record id -> field (None: row) -> error
        self.sending: set[str] = set()
        # Called with the cells whose edit changed (added, replaced or dropped): the journal
        # listens here so that every pending edit is on disk as soon as it exists.
        self.listeners: list[Callable[[list[Key]], None]] = []
        self._held: list[Key] | None = None  # cells changed while notifications are held

    def _notify(self, keys: Iterable[Key]) -> None:
        if self._held is not None:
            self._held.extend(keys)
            return
        keys = list(keys)
        if not keys:
            return
        failed: Exception | None = None
        for listener in self.listeners:  # each one hears of it, even when one before it failed
            try:
                listener(keys)
            except Exception as err:  # noqa: BLE001 - raised again below, after the others
                failed = failed or err
        if failed is not None:
            raise failed

    @contextmanager
    def notifications_held(self) -> Iterator[None]:
        """Tell the listeners once, at the end, about every cell changed inside (a call's 100 results)."""
        if self._held is not None:  # already held by an outer block
            yield
            return
        self._held = []
        try:
            yield
        finally:
            keys, self._held = self._held, None
            self._notify(keys)

    # -- records -------------------------------------------------------------------
    def add_records(self, records: Iterable[Record]) -> set[str]:
        """Add or replace loaded records; pending edits of records already known are kept."""
        touched = set()
        for record in records:
            if record.record_id not in self.records:
                self.order.append(record.record_id)
            self.records[record.record_id] = record
            touched.add(record.record_id)
        dropped = []
        for key in [(rid, api) for rid in touched for api in list(self._by_record.get(rid, ()))]:
            if not self._drop_if_clean(key):
                dropped.append(key)
        if self.errors:  # a record Zoho now holds as edited (a lost answer that did land) is no longer in error
            for rid in touched:
                if rid not in self._by_record:
                    self.errors.pop(rid, None)
        self._notify(dropped)
        return touched

    def remove_records(self, record_ids: Iterable[str]) -> list[Edit]:
        """Forget records that no longer exist (after a reload); returns the edits that went with them."""
        gone = {rid for rid in record_ids if rid in self.records}
        if not gone:
            return []
        dropped = [self._edits[(rid, api)] for rid in gone for api in list(self._by_record.get(rid, ()))]
        for edit in dropped:
            self._pop(edit.key)
        for rid in gone:
            del self.records[rid]
            self.errors.pop(rid, None)
            self.sending.discard(rid)
        self.order = [rid for rid in self.order if rid not in gone]
        self._notify(edit.key for edit in dropped)
        return dropped

    def original(self, record_id: str, api_name: str) -> Any:
        record = self.records.get(record_id)
        return None if record is None else record.values.get(api_name)

    # -- reading edits -----------------------------------------------------------------
    def edit(self, record_id: str, api_name: str) -> Edit | None:
        return self._edits.get((record_id, api_name))

    def restore_pending(self, edits: Iterable[Edit]) -> int:
        """Put back edits saved by the journal (after a crash); not an undo step. Returns how many stay."""
        kept = []
        for edit in edits:
            if edit.record_id not in self.records or edit.api_name not in self.fields:
                continue
            self._version += 1
            self._put(replace(edit, version=self._version))
            if self._drop_if_clean(edit.key):
                kept.append(edit.key)
        return len(kept)

    def edits(self) -> list[Edit]:
        return list(self._edits.values())

    def pending(self) -> list[Edit]:
        """Edits that can be sent (valid ones)."""
        return [e for e in self._edits.values() if e.invalid is None]

    def invalid(self) -> list[Edit]:
        return [e for e in self._edits.values() if e.invalid is not None]

    def edited_records(self) -> set[str]:
        return set(self._by_record)

    def __len__(self) -> int:
        return len(self._edits)

    def effective(self, record_id: str, api_name: str) -> Any:
        """What the cell holds after its edit (for display and for payloads)."""
        edit = self._edits.get((record_id, api_name))
        original = self.original(record_id, api_name)
        return original if edit is None else resulting_value(edit, original)

    # -- changing ------------------------------------------------------------------------
    def apply(self, changes: Iterable[CellChange], label: str = "Edit") -> ApplyOutcome:
        """Apply many cell changes as one undo step."""
        outcome = ApplyOutcome()
        before: dict[Key, Edit | None] = {}
        edits, records, errors = self._edits, self.records, self.errors
        by_record = self._by_record
        refusal = self._refusal
        equal = self.equal
        touched = outcome.touched
        version = self._version
        # The common case decided with one look-up each: fields that take typing, records open to edits.
        open_fields = {api: meta for api, meta in self.fields.items() if meta.editable}
        open_records: dict[str, Record] = {}
        try:
            for change in changes:
                rid, api = change.record_id, change.api_name
                key = (rid, api)
                record = open_records.get(rid)
                if record is None:
                    record = records.get(rid)
                    if record is not None and record.approved and not record.locked and record.editable:
                        open_records[rid] = record
                    else:
                        record = None
                meta = open_fields.get(api)
                if record is None or meta is None or change.kind != SET or change.revert:
                    why = refusal(change)  # the uncommon cases, and the messages for refusals
                    if why is not None:
                        outcome.refused.append((key, why))
                        continue
                    record, meta = records[rid], self.fields[api]
                before.setdefault(key, edits.get(key))
                version += 1
                if change.revert:
                    self._pop(key)
                elif change.invalid is None and change.kind == SET \
                        and equal(meta, change.value, record.values.get(api)):
                    self._pop(key)  # typing the loaded value back leaves the cell clean
                else:
                    edits[key] = Edit(rid, api, change.kind, change.value, change.text, change.invalid, version)
                    names = by_record.get(rid)
                    if names is None:
                        by_record[rid] = {api}
                    else:
                        names.add(api)
                    if change.invalid is not None or change.kind != SET:
                        self._drop_if_clean(key)
                if errors:
                    row_errors = errors.get(rid)
                    if row_errors is not None:
                        row_errors.pop(api, None)
                touched.add(rid)
        finally:
            self._version = version
        changed: list[tuple[Key, Edit | None]] = []
        after: list[tuple[Key, Edit | None]] = []
        for key, old in before.items():
            new = edits.get(key)
            if new is not old and not (new is not None and new.same_change(old)):
                changed.append((key, old))
                after.append((key, new))
        if changed:
            self._undo.append(Step(label, tuple(changed), tuple(after)))
            self._redo.clear()
            self._notify([key for key, _ in changed])  # last: a listener that fails leaves the step whole
        return outcome

    def _refusal(self, change: CellChange) -> str | None:
        record = self.records.get(change.record_id)
        if record is None:
            return "This record is not loaded yet."
        meta = self.fields.get(change.api_name)
        if meta is None:
            return f"{change.api_name} is not a field of {self.module}."
        if change.revert:
            return None
        kind = change.kind
        if kind == SET and meta.editable and record.approved and not record.locked and record.editable:
            return None  # the common case, decided without building any message
        if kind not in KINDS:
            return f"unknown kind of change {kind!r}"
        if not meta.editable:
            return f"{meta.label} is read-only."
        blocked = block_reason(record)
        if blocked is not None:
            return blocked
        if change.kind in (APPEND, REMOVE) and meta.data_type != "multiselectpicklist":
            return f"{meta.label} is not a multi-select field."
        if change.kind == DELETE_FILES and meta.data_type not in ("fileupload", "imageupload"):
            return f"{meta.label} holds no files or images."
        return None

    def _drop_if_clean(self, key: Key) -> bool:
        """Drop the edit if it changes nothing; True when the cell keeps an edit."""
        edit = self._edits.get(key)
        if edit is None:
            return False
        if edit.invalid is not None:
            return True
        meta = self.fields.get(key[1])
        original = self.original(*key)
        if meta is not None and not changes_anything(edit, original, meta, self.equal):
            self._pop(key)
            return False
        return True

    def _put(self, edit: Edit) -> None:
        rid, api = edit.record_id, edit.api_name
        self._edits[(rid, api)] = edit
        names = self._by_record.get(rid)
        if names is None:
            self._by_record[rid] = {api}
        else:
            names.add(api)

    def _pop(self, key: Key) -> None:
        if self._edits.pop(key, None) is not None:
            fields = self._by_record.get(key[0])
            if fields is not None:
                fields.discard(key[1])
                if not fields:
                    del self._by_record[key[0]]

    def record_edits(self, record_id: str) -> list[Edit]:
        return [self._edits[(record_id, api)] for api in self._by_record.get(record_id, ())]

    def revert(self, keys: Iterable[Key], label: str = "Revert") -> ApplyOutcome:
        return self.apply((CellChange(r, a, revert=True) for r, a in keys if (r, a) in self._edits), label)

    def revert_rows(self, record_ids: Iterable[str]) -> ApplyOutcome:
        wanted = set(record_ids)
        return self.revert([(rid, api) for rid in wanted for api in self._by_record.get(rid, ())], "Revert rows")

    def revert_all(self) -> ApplyOutcome:
        return self.revert(list(self._edits), "Revert all")

    # -- undo / redo ------------------------------------------------------------------
    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    @property
    def undo_depth(self) -> int:
        """How many steps can be undone (grows by one with each effective :meth:`apply`)."""
        return len(self._undo)

    def undo_label(self) -> str | None:
        return self._undo[-1].label if self._undo else None

    def redo_label(self) -> str | None:
        return self._redo[-1].label if self._redo else None

    def undo(self) -> set[str]:
        if not self._undo:
            return set()
        step = self._undo.pop()
        self._redo.append(step)
        return self._restore(step.before)

    def redo(self) -> set[str]:
        if not self._redo:
            return set()
        step = self._redo.pop()
        self._undo.append(step)
        return self._restore(step.after)

    def _restore(self, states: tuple[tuple[Key, Edit | None], ...]) -> set[str]:
        touched = set()
        states = tuple((key, edit) for key, edit in states if key[0] in self.records)
        for key, edit in states:
            if edit is None:
                self._pop(key)
            else:
                self._version += 1
                self._put(replace(edit, version=self._version))
                self._drop_if_clean(key)
            touched.add(key[0])
        self._notify(k for k, _ in states)
        return touched

    # -- after the server answered ------------------------------------------------------
    def confirm(self, record_id: str, sent: Iterable[Edit], modified_time: str | None,
                modified_by: Any = None) -> None:
        """The server stored ``sent`` for a record: that becomes the loaded value.

        An edit the user changed while the call was in flight stays pending (its version
        differs); it is dropped only if it now equals the new value.
        """
        record = self.records.get(record_id)
        if record is None:
            return
        values = dict(record.values)
        for edit in sent:
            values[edit.api_name] = resulting_value(edit, values.get(edit.api_name))
            current = self._edits.get(edit.key)
            if current is not None and current.version == edit.version:
                self._pop(edit.key)
        if modified_time is not None:
            values["Modified_Time"] = modified_time
        if modified_by is not None:
            values["Modified_By"] = modified_by
        self.records[record_id] = replace(record, values=values)
        for api in list(self._by_record.get(record_id, ())):
            self._drop_if_clean((record_id, api))
        self.errors.pop(record_id, None)
        self._notify(edit.key for edit in sent)

    def fail(self, record_id: str, edited_fields: Iterable[str], error: RecordError) -> None:
        """The server refused a record: the edits stay; the error goes on the field it names."""
        edited = set(edited_fields)
        target = error.api_name if error.api_name in edited else None
        self.errors[record_id] = {target: error}

    def error_for(self, record_id: str, api_name: str | None) -> RecordError | None:
        return self.errors.get(record_id, {}).get(api_name)


def block_reason(record: Record) -> str | None:
    """Why a loaded record cannot be edited at all, or None when it can."""
    if not record.approved:
        return "This record is waiting for approval and cannot be edited until it is approved or rejected."
    if record.locked:
        return "This record is locked (another process, such as Zia's image check, is working on it)."
    if not record.editable:
        return "You do not have permission to edit this record."
    return None


def resulting_value(edit: Edit, original: Any) -> Any:
    """The cell's value once the edit is applied to ``original``."""
    if edit.kind == SET:
        return edit.value
    current = list(original) if isinstance(original, list) else []
    if edit.kind == APPEND:
        return current + [v for v in edit.value or [] if v not in current]
    if edit.kind == REMOVE:
        gone = set(edit.value or [])
        return [v for v in current if v not in gone]
    # DELETE_FILES: what stays
    ids = None if edit.value is None else {str(i) for i in edit.value}
    key = "attachment_Id" if current and isinstance(current[0], dict) and "attachment_Id" in current[0] else "id"
    return [item for item in current if ids is not None and str(item.get(key)) not in ids]


def changes_anything(edit: Edit, original: Any, meta: FieldMeta,
                     equal: Callable[[FieldMeta, Any, Any], bool] = default_equal) -> bool:
    if edit.kind == SET:
        return not equal(meta, edit.value, original)
    if edit.kind in (APPEND, REMOVE):
        return resulting_value(edit, original) != (list(original) if isinstance(original, list) else [])
    present = set(attachment_ids(original, image=meta.data_type == "imageupload"))
    return bool(present) and (edit.value is None or bool(present & {str(i) for i in edit.value}))
