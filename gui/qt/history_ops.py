"""Undoing a submit from History: its old values staged again as ordinary edits.

Nothing is sent from here. The edits land in the table as one undo step, and the normal
submit path (preview, conflict check, journal) sends them, so a record Zoho changed since it
was loaded is caught as usual.

Only what can really be put back is staged: fields of records the submit updated, that are
loaded now, whose value is still what that submit wrote (a later change is never clobbered),
and that are not files or images (deleted files cannot be brought back).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from ..core.changeset import DELETE_FILES, SET, CellChange, ChangeSet
from ..core.fieldtypes import ParseContext, format_value
from ..core.journal_format import RecordHistory

_ATTACHMENT_TYPES = ("fileupload", "imageupload")


class SubmitHistorySource(Protocol):
    def submit_records(self, submit_id: int) -> list[RecordHistory]: ...


class EditableModel(Protocol):
    changes: ChangeSet
    ctx: ParseContext


@dataclass(frozen=True)
class UndoPlan:
    """The edits that undo one submit, and what could not be undone (counts of records or cells)."""

    submit_id: int
    changes: list[CellChange] = field(default_factory=list)
    records: int = 0  # records with at least one staged edit
    not_loaded: int = 0  # updated records that are not in the table now
    not_updated: int = 0  # records the submit did not update (failed or unanswered): nothing to undo
    changed_since: int = 0  # cells whose value is no longer what the submit wrote
    not_undoable: int = 0  # cells of files/images, or of fields this module no longer has

    @property
    def label(self) -> str:
        return f"Undo submit #{self.submit_id}"

    def summary(self) -> str:
        """A sentence for the status bar: what was staged and what was left alone."""
        n = len(self.changes)
        parts = [f"{n} change{'s' if n != 1 else ''} in {self.records} record{'s' if self.records != 1 else ''} "
                 f"staged to undo submit #{self.submit_id}; review them and submit to send."]
        skipped = [(self.not_loaded, "record(s) not loaded (load them and try again)"),
                   (self.not_updated, "record(s) the submit did not update"),
                   (self.changed_since, "field(s) changed again since that submit"),
                   (self.not_undoable, "file/image field(s) that cannot be put back")]
        left = [f"{count} {what}" for count, what in skipped if count]
        if left:
            parts.append("Left alone: " + ", ".join(left) + ".")
        return " ".join(parts)


def undo_changes(journal: SubmitHistorySource, submit_id: int, model: EditableModel) -> UndoPlan:
    """SET edits back to the old values of every field the submit changed in loaded records."""
    changes = model.changes
    locale = model.ctx.locale
    staged: list[CellChange] = []
    records = not_loaded = not_updated = changed_since = not_undoable = 0
    for entry in journal.submit_records(submit_id):
        if entry.result is None or not entry.result.ok:
            not_updated += 1
            continue
        if entry.record_id not in changes.records:
            not_loaded += 1
            continue
        before = len(staged)
        kinds = {edit.api_name: edit.kind for edit in entry.edits}
        for api_name, old in entry.old_values.items():
            meta = changes.fields.get(api_name)
            if meta is None or meta.data_type in _ATTACHMENT_TYPES or kinds.get(api_name) == DELETE_FILES:
                not_undoable += 1
                continue
            written = entry.new_values.get(api_name)
            current = changes.original(entry.record_id, api_name)
            if not changes.equal(meta, current, written):
                changed_since += 1
                continue
            staged.append(CellChange(entry.record_id, api_name, SET, _copy(old), format_value(meta, old, locale)))
        if len(staged) > before:
            records += 1
    return UndoPlan(submit_id, staged, records, not_loaded, not_updated, changed_since, not_undoable)


def _copy(value: Any) -> Any:
    """A value safe to keep in an edit (lists and lookups are not shared with the journal's copy)."""
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    return value
