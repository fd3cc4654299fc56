"""One module open in the editor: its change set, table model, journal and background load.

The window owns at most one ModuleSession at a time. The session loads records in a LoadJob,
adds each page to the model as it arrives, keeps the pending edits in the journal, and on a
reload keeps every edit whose record still exists.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Signal

from ..client.api import ZohoClient
from ..client.loader import NAME_FIELDS
from ..core.changeset import ChangeSet, Edit
from ..core.fieldtypes import ParseContext, values_equal
from ..core.meta import FieldMeta
from .table_model import RecordTableModel
from .workers import LoadJob

log = logging.getLogger("zcrm.qt.session")

ALWAYS_LOADED = ("Modified_Time",)  # needed to find conflicts before a submit


def name_field(module: str, fields: list[FieldMeta]) -> str | None:
    """The field that names a record of ``module`` (shown first and kept in view)."""
    wanted = NAME_FIELDS.get(module)
    names = {f.api_name for f in fields}
    if wanted in names:
        return wanted
    for candidate in ("Name", "Full_Name", "Last_Name", "Subject"):
        if candidate in names:
            return candidate
    return fields[0].api_name if fields else None


def default_columns(module: str, fields: list[FieldMeta], most: int = 30) -> list[FieldMeta]:
    """The columns a first visit shows: the name, then the fields in Zoho's order."""
    first = name_field(module, fields)
    ordered = [f for f in fields if f.api_name == first] + [f for f in fields if f.api_name != first]
    return ordered[:most]


class ModuleSession(QObject):
    loadProgress = Signal(int, object)  # records loaded, total (None when unknown)
    loadFinished = Signal(bool, bool, str)  # complete, cancelled, message ("" when fine)
    message = Signal(str)

    def __init__(self, client: ZohoClient, module: str, fields: list[FieldMeta], columns: list[FieldMeta],
                 ctx: ParseContext, journal: Any = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.module = module
        self.fields = fields
        self.by_name = {f.api_name: f for f in fields}
        self.ctx = ctx
        self.changes = ChangeSet(module, fields, equal=values_equal)
        self.journal = journal  # a JournalSession, or None (then edits live only in memory)
        if journal is not None:
            journal.attach(self.changes)
            self._close_cut_short_submits()
        self.model = RecordTableModel(self.changes, columns, ctx, self)
        self.model.message.connect(self.message)
        self._generation = 0
        self._job: LoadJob | None = None
        self._seen: set[str] = set()
        self._reloading = False
        self._failure = ""
        self.loading = False
        self.complete = False  # every record of the module is loaded

    # -- loading ------------------------------------------------------------------------------
    def load_fields(self) -> list[str]:
        wanted = [m.api_name for m in self.model.columns]
        wanted += [f for f in ALWAYS_LOADED if f in self.by_name]
        return list(dict.fromkeys(wanted))

    def load(self) -> None:
        """Load (or reload) every record; pending edits stay where their record still exists."""
        self.cancel_load(wait=True)
        self._generation += 1
        self._reloading = bool(self.changes.records)
        self._seen = set()
        self.loading = True
        self.complete = False
        job = LoadJob(self.client, self.module, self.load_fields(), self._generation, self)
        job.page.connect(self._on_page)
        job.done.connect(self._on_done)
        job.failed.connect(self._on_failed)
        self._job = job
        self._failure = ""
        job.start()

    def cancel_load(self, wait: bool = False) -> None:
        job = self._job
        if job is None:
            return
        job.cancel()
        if wait:
            job.wait(15_000)

    def _on_page(self, generation: int, records: list[Any], loaded: int, total: Any) -> None:
        if generation != self._generation:
            return
        self._seen.update(r.record_id for r in records)
        self.model.add_records(records)
        self.loadProgress.emit(loaded, total)

    def _on_failed(self, generation: int, code: str, message: str) -> None:
        if generation == self._generation:
            self._failure = message

    def _on_done(self, generation: int, outcome: Any, cancelled: bool) -> None:
        if generation != self._generation:
            return
        self.loading = False
        self._job = None
        failure = self._failure
        self.complete = outcome is not None and not cancelled and not failure
        if self.complete and self._reloading:
            gone = [rid for rid in self.changes.order if rid not in self._seen]
            dropped = self.model.remove_records(gone)
            if gone:
                self.message.emit(f"{len(gone)} record(s) no longer exist in Zoho and left the table"
                                  + (f", with {len(dropped)} pending edit(s)." if dropped else "."))
        if self.model.sort_state is not None:
            self.model.sort(*self.model.sort_state)
        loaded = self.model.loaded_count
        if cancelled:
            message = f"Loading stopped: {loaded:,} record(s) loaded. Rows not loaded cannot be edited until you reload."
        elif failure:
            message = f"Loading failed after {loaded:,} record(s): {failure}"
        else:
            message = ""
        self.loadFinished.emit(self.complete, cancelled, message)

    # -- pending edits from an earlier run ----------------------------------------------------------
    def _close_cut_short_submits(self) -> None:
        """Submits the journal still shows as running were cut short (the app was killed or crashed while
        sending): the history shows them as interrupted. Their unconfirmed edits are still pending."""
        try:
            closed = self.journal.close_interrupted_submits()
            if closed:
                log.info("%d submit(s) of %s were interrupted", closed, self.module)
        except Exception:  # the history keeps showing it as running; the edits are safe either way
            log.exception("could not close an interrupted submit in the journal")

    def saved_edits(self) -> list[Edit]:
        """Edits the journal kept from an earlier run that are not in the table yet."""
        if self.journal is None:
            return []
        return [e for e in self.journal.pending() if self.changes.edit(*e.key) is None]

    def restore_saved(self) -> int:
        if self.journal is None:
            return 0
        report = self.journal.restore(self.changes)
        self.model.refilter()
        return int(report.restored)

    def discard_saved(self) -> None:
        if self.journal is not None:
            self.journal.clear()

    def close(self) -> None:
        self.cancel_load(wait=True)
        self.model.detach()
        if self.journal is not None:
            self.journal.detach()
