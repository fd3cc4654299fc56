"""The on-disk journal: pending edits and submit progress in SQLite, written as they happen.

One file (``journal.sqlite3`` in the data folder) holds, per (profile, module) *session*, the
pending edits of every cell and the history of every submit: its calls (planned → sent →
answered) and each record's old values, new values and result. A crash or a kill loses
no edit, the next start can offer to restore them, and a resumed submit does not resend
what the server already confirmed (confirmed edits leave the journal in the same
transaction that records the answer; a call that was sent but never answered is settled
by reloading the records: edits the server already holds then equal the loaded values and
drop out of the change set by themselves).

Durability: WAL mode with ``synchronous=NORMAL``. A committed transaction is in the WAL
file (in the OS's page cache) when ``commit`` returns, so killing the app — even with
SIGKILL — loses nothing; only an OS crash or power cut could lose the last transactions
(never corrupt the file), because the WAL is fsynced at checkpoints rather than at every
commit. This keeps each commit free of fsync, which matters because edits are saved from
the GUI thread. Pass ``synchronous="FULL"`` to fsync every commit as well.

A change of many cells at once (from 2,000: a big paste or fill) is saved on the journal's
own thread, so the window never waits for the disk; it is on disk about a second after a
100,000-cell paste. Everything else that uses the journal (a smaller edit, a submit, a
read) first waits for those saves, so the order of writes is the order of the edits and a
submit never starts before the edits it sends are saved.

Secrets never reach the journal: it is handed edits, plans and results, never tokens.
The file (and SQLite's -wal/-shm files, which copy its mode) is private to the user (0600).
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

from ..core.changeset import ChangeSet, Edit, Key
from ..core.outcomes import results_by_record
from ..core.journal_format import (SCHEMA, SCHEMA_VERSION, JournalFormatError, RecordHistory, RestoreReport,
                                   SessionPending, SubmitEntry, SubmitProgress, edit_from_dict, edit_from_json,
                                   edit_to_dict, edit_to_json, old_and_new, result_from_json, result_to_json,
                                   values_from_json, values_to_json)
from ..core.planner import Call, MassUpdateCall, SubmitPlan
from ..core.results import RecordResult
from .paths import AppPaths, PRIVATE_FILE_MODE, ensure_private_dir

log = logging.getLogger(__name__)

FILE_NAME = "journal.sqlite3"
_POSIX = os.name == "posix"


class JournalError(Exception):
    """The journal could not be opened, read or written. The message names the file and says what to do."""

    def __init__(self, message: str, path: Path):
        super().__init__(message)
        self.path = path


def _when(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


class Journal:
    """One journal file. Thread-safe: one connection, every use under one lock."""

    def __init__(self, path: str | os.PathLike[str], *, synchronous: str = "NORMAL", busy_timeout: float = 5.0,
                 clock: Callable[[], float] = time.time):
        if synchronous.upper() not in ("NORMAL", "FULL"):
            raise ValueError("synchronous must be NORMAL or FULL")
        self.path = Path(path)
        self.clock = clock
        self._lock = threading.RLock()
        # Big batches of edits (a 100,000-cell paste) are saved on the journal's own thread so that
        # the window does not wait for the disk; every other use of the journal waits for them first.
        self._writer: ThreadPoolExecutor | None = None
        self._writer_ident: int | None = None
        self._queued: list[Future[None]] = []
        self._queue_lock = threading.Lock()
        self._background_problem: JournalError | None = None
        self._conn: sqlite3.Connection | None = None
        self._create_private_file()
        try:
            self._conn = sqlite3.connect(self.path, timeout=busy_timeout, isolation_level=None,
                                         check_same_thread=False)
            self._setup(synchronous.upper())
        except sqlite3.Error as err:
            self.close()
            raise self._error(err, "open the journal") from err
        except JournalError:
            self.close()
            raise

    @classmethod
    def in_data_dir(cls, paths: AppPaths, **kwargs: Any) -> Journal:
        """The app's journal: ``journal.sqlite3`` in the (private) data folder."""
        try:
            ensure_private_dir(paths.data_dir)
        except OSError as err:
            raise JournalError(f"The folder {paths.data_dir} for the journal cannot be created: {err.strerror}. "
                               "Check that it is writable.", paths.data_dir / FILE_NAME) from err
        return cls(paths.data_dir / FILE_NAME, **kwargs)

    # -- opening ---------------------------------------------------------------------------
    def _create_private_file(self) -> None:
        """Create the file 0600 before SQLite opens it (SQLite gives -wal/-shm the same mode)."""
        try:
            if not self.path.parent.exists():
                ensure_private_dir(self.path.parent)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), PRIVATE_FILE_MODE)
            try:
                if _POSIX:
                    os.fchmod(fd, PRIVATE_FILE_MODE)
            finally:
                os.close(fd)
            for suffix in ("-wal", "-shm"):
                side = self.path.with_name(self.path.name + suffix)
                if _POSIX and side.exists():
                    os.chmod(side, PRIVATE_FILE_MODE)
        except OSError as err:
            raise JournalError(f"The journal {self.path} cannot be created or opened: {err.strerror}. "
                               "Check that its folder exists and is writable, and that the disk is not full.",
                               self.path) from err

    def _setup(self, synchronous: str) -> None:
        db = self._db()
        # Read-only checks first, so that a damaged, foreign or newer file is left exactly as it was.
        check = db.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise self._damaged(str(check), "open the journal")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise JournalError(f"The journal {self.path} was written by a newer version of zcrm-editor "
                               f"(journal schema {version}; this version knows {SCHEMA_VERSION}). Update "
                               "zcrm-editor to restore what it holds; the file has not been changed.", self.path)
        if version == 0 and db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            raise JournalError(f"The file {self.path} is an SQLite database but not a zcrm-editor journal. "
                               "Move it elsewhere; zcrm-editor has not changed it.", self.path)
        mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":  # e.g. a network drive without shared memory
            log.warning("journal %s cannot use WAL mode (%s); every commit is synced instead", self.path, mode)
            synchronous = "FULL"
        db.execute(f"PRAGMA synchronous={synchronous}")
        db.execute("PRAGMA foreign_keys=ON")
        if version == SCHEMA_VERSION:
            return
        with self._write("set up the journal") as db:
            if db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
                return  # another process set it up meanwhile
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise JournalError(f"The journal {self.path} is closed.", self.path)
        return self._conn

    # -- errors ----------------------------------------------------------------------------
    def _damaged(self, detail: str, doing: str) -> JournalError:
        return JournalError(
            f"Could not {doing}: the journal {self.path} is damaged ({detail}). zcrm-editor has not changed or "
            f"deleted it. Quit zcrm-editor, move the file aside (for example rename it to {self.path.name}.damaged) "
            "and start again: a new, empty journal is then created. Edits saved in the damaged file cannot be "
            "restored automatically; keep it if you want someone to try.", self.path)

    def _error(self, err: sqlite3.Error, doing: str) -> JournalError:
        text = str(err)
        low = text.lower()
        if "locked" in low or "busy" in low:
            return JournalError(
                f"Could not {doing}: the journal {self.path} is locked by another program, most likely another "
                "zcrm-editor window. Close the other window and try again; your edits stay in this window "
                "meanwhile.", self.path)
        if "not a database" in low or "malformed" in low or "corrupt" in low:
            return self._damaged(text, doing)
        if "full" in low:
            return JournalError(f"Could not {doing}: the disk holding the journal {self.path} is full. Free some "
                                "space and try again; your edits stay in this window meanwhile.", self.path)
        if "readonly" in low or "read-only" in low or "unable to open" in low:
            return JournalError(f"Could not {doing}: the journal {self.path} cannot be written ({text}). Check "
                                "that you own the file and its folder.", self.path)
        return JournalError(f"Could not {doing} in the journal {self.path}: {text}.", self.path)

    # -- transactions ---------------------------------------------------------------------
    @contextmanager
    def _write(self, doing: str) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE … COMMIT), under the lock."""
        self.wait_for_writes()
        with self._lock:
            db = self._db()
            try:
                db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as err:
                raise self._error(err, doing) from err
            try:
                yield db
                db.execute("COMMIT")
            except BaseException as err:
                try:
                    db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass
                if isinstance(err, sqlite3.Error):
                    raise self._error(err, doing) from err
                raise

    @contextmanager
    def _read(self, doing: str) -> Iterator[sqlite3.Connection]:
        """One read transaction: every query inside sees the same state."""
        self.wait_for_writes()
        with self._lock:
            db = self._db()
            try:
                db.execute("BEGIN")
                try:
                    yield db
                finally:
                    db.execute("COMMIT")
            except sqlite3.Error as err:
                raise self._error(err, doing) from err

    # -- sessions ------------------------------------------------------------------------
    def session(self, profile: str, module: str) -> JournalSession:
        """The journal of one profile's module (created on first use)."""
        now = self.clock()
        with self._write("open the journal of " + module) as db:
            db.execute("INSERT INTO sessions (profile, module, created, updated) VALUES (?, ?, ?, ?) "
                       "ON CONFLICT (profile, module) DO NOTHING", (profile, module, now, now))
            session_id = db.execute("SELECT id FROM sessions WHERE profile = ? AND module = ?",
                                    (profile, module)).fetchone()[0]
        return JournalSession(self, int(session_id), profile, module)

    def sessions_with_pending(self) -> list[SessionPending]:
        """(profile, module, count) of every session holding pending edits: the "restore?" offer."""
        with self._read("read the journal") as db:
            rows = db.execute("SELECT s.profile, s.module, count(p.id) FROM sessions s "
                              "JOIN pending_edits p ON p.session_id = s.id "
                              "GROUP BY s.id ORDER BY max(p.saved) DESC").fetchall()
        return [SessionPending(str(p), str(m), int(n)) for p, m, n in rows]

    # -- history -------------------------------------------------------------------------
    def history(self, profile: str | None = None, module: str | None = None, limit: int = 100) -> list[SubmitEntry]:
        """Submits, newest first."""
        where, args = [], []
        if profile is not None:
            where.append("s.profile = ?")
            args.append(profile)
        if module is not None:
            where.append("s.module = ?")
            args.append(module)
        sql = ("SELECT u.id, s.profile, s.module, u.started, u.finished, u.state, u.trigger, u.summary, u.calls, "
               "u.records, u.updated, u.failed FROM submits u JOIN sessions s ON s.id = u.session_id "
               + ("WHERE " + " AND ".join(where) + " " if where else "") + "ORDER BY u.started DESC, u.id DESC LIMIT ?")
        with self._read("read the submit history") as db:
            rows = db.execute(sql, (*args, limit)).fetchall()
        return [SubmitEntry(int(i), str(p), str(m), _when(st), None if fi is None else _when(fi), str(state),
                            None if trig is None else tuple(json.loads(trig)), str(summ), int(c), int(r), int(up),
                            int(fa))
                for i, p, m, st, fi, state, trig, summ, c, r, up, fa in rows]

    def submit_records(self, submit_id: int) -> list[RecordHistory]:
        """What one submit sent to each record, the values before and after, and the answer."""
        with self._read("read the submit history") as db:
            rows = db.execute("SELECT record_id, call_index, edits, old_values, new_values, result "
                              "FROM submit_results WHERE submit_id = ? ORDER BY call_index, rowid",
                              (submit_id,)).fetchall()
        try:
            return [RecordHistory(str(rid), int(index), tuple(edit_from_dict(e) for e in json.loads(edits)),
                                  values_from_json(old), values_from_json(new),
                                  None if result is None else result_from_json(result))
                    for rid, index, edits, old, new, result in rows]
        except (JournalFormatError, ValueError) as err:
            raise JournalError(f"The submit history in the journal {self.path} cannot be read: {err}",
                               self.path) from err

    # -- saving in the background ---------------------------------------------------------
    def save_in_background(self, work: Callable[[], None]) -> None:
        """Run ``work`` (a write) on the journal's own thread, after every write queued before it."""
        with self._queue_lock:
            if self._writer is None:
                self._writer = ThreadPoolExecutor(1, thread_name_prefix="zcrm-journal")
            self._queued.append(self._writer.submit(self._run_queued, work))

    def _run_queued(self, work: Callable[[], None]) -> None:
        self._writer_ident = threading.get_ident()
        try:
            work()
        except JournalError as err:
            self._background_problem = self._background_problem or err
        except Exception as err:  # noqa: BLE001 - kept for the user, like a failed write
            log.exception("saving edits in the background failed")
            self._background_problem = self._background_problem or JournalError(
                f"Could not save your edits in the journal {self.path}: {err}", self.path)

    def wait_for_writes(self) -> None:
        """Return once every queued write is done (from the journal's own thread: at once)."""
        if threading.get_ident() == self._writer_ident:
            return
        with self._queue_lock:
            self._queued = [f for f in self._queued if not f.done()]
            last = self._queued[-1] if self._queued else None
        if last is not None:
            last.result()  # one writer thread, first in first out: the last done means all are done

    def take_background_problem(self) -> JournalError | None:
        """The first failure of a background write since the last call (its cells are saved again later)."""
        problem, self._background_problem = self._background_problem, None
        return problem

    def close(self) -> None:
        """Close the file (SQLite folds the WAL back into it). Safe to call twice."""
        self.wait_for_writes()
        with self._queue_lock:
            writer, self._writer = self._writer, None
        if writer is not None:
            writer.shutdown(wait=True)
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.close()
                finally:
                    self._conn = None

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_UPSERT = ("INSERT INTO pending_edits (session_id, record_id, api_name, payload, saved) VALUES (?, ?, ?, ?, ?) "
           "ON CONFLICT (session_id, record_id, api_name) DO UPDATE SET payload = excluded.payload, "
           "saved = excluded.saved")
_DELETE = "DELETE FROM pending_edits WHERE session_id = ? AND record_id = ? AND api_name = ?"
BACKGROUND_BATCH = 2000  # cells changed at once from which the journal saves them on its own thread


class JournalSession:
    """The journal of one (profile, module): its pending edits and its submits."""

    def __init__(self, journal: Journal, session_id: int, profile: str, module: str):
        self.journal = journal
        self.session_id = session_id
        self.profile = profile
        self.module = module
        self._changes: ChangeSet | None = None
        self._unsaved: set[Key] = set()  # cells a failed write left behind; retried with the next one

    # -- pending edits ------------------------------------------------------------------
    def attach(self, changes: ChangeSet) -> None:
        """Save every change of ``changes``' edits from now on: one transaction per notification.

        A failed write raises JournalError from the change set's notification (the edit itself
        is already in the change set); the cells are written again with the next change. A
        big change is saved in the background: its failure is raised with the next change.
        """
        if changes.module != self.module:
            raise ValueError(f"this journal session is for {self.module}, not {changes.module}")
        self.detach()
        self._changes = changes
        changes.listeners.append(self._on_changed)

    def detach(self) -> None:
        if self._changes is not None and self._on_changed in self._changes.listeners:
            self._changes.listeners.remove(self._on_changed)
        self._changes = None

    def _on_changed(self, keys: list[Key]) -> None:
        changes = self._changes
        if changes is None:
            return
        journal = self.journal
        with journal._lock:  # _unsaved is also filled by a failed background write
            touched = list(dict.fromkeys([*self._unsaved, *keys]))
            self._unsaved.difference_update(touched)
        # What each cell holds now (edits are never changed in place, so the snapshot stays true).
        snapshot = [(record_id, api_name, changes.edit(record_id, api_name)) for record_id, api_name in touched]
        earlier = journal.take_background_problem()
        if len(snapshot) >= BACKGROUND_BATCH:
            journal.save_in_background(lambda: self._save(snapshot))
        else:
            self._save(snapshot)  # waits for queued writes first, so the latest edit is written last
        if earlier is not None:
            raise earlier

    def _save(self, snapshot: list[tuple[str, str, Edit | None]]) -> None:
        now = self.journal.clock()
        upserts, deletes, refused = [], [], []
        for record_id, api_name, edit in snapshot:
            if edit is None:
                deletes.append((self.session_id, record_id, api_name))
                continue
            try:
                upserts.append((self.session_id, record_id, api_name, edit_to_json(edit), now))
            except JournalFormatError as err:
                refused.append(str(err))
                deletes.append((self.session_id, record_id, api_name))  # never restore an older edit
        try:
            with self.journal._write("save your edits") as db:
                db.executemany(_UPSERT, upserts)
                db.executemany(_DELETE, deletes)
                db.execute("UPDATE sessions SET updated = ? WHERE id = ?", (now, self.session_id))
        except JournalError:
            with self.journal._lock:
                self._unsaved.update((record_id, api_name) for record_id, api_name, _ in snapshot)
            raise
        if refused:
            raise JournalError(f"{refused[0]} It stays in this window but is not in the journal {self.journal.path}, "
                               f"so a crash would lose it ({len(refused)} such edit(s)).", self.journal.path)

    def pending(self) -> list[Edit]:
        """The saved pending edits, oldest first. An unreadable one raises JournalError (none is skipped)."""
        with self.journal._read("read your saved edits") as db:
            rows = db.execute("SELECT record_id, api_name, payload FROM pending_edits WHERE session_id = ? "
                              "ORDER BY id", (self.session_id,)).fetchall()
        edits = []
        for record_id, api_name, payload in rows:
            try:
                edit = edit_from_json(payload)
            except JournalFormatError as err:
                raise JournalError(f"The saved edit of {api_name} in record {record_id} in the journal "
                                   f"{self.journal.path} cannot be read: {err}", self.journal.path) from err
            if edit.key != (record_id, api_name):
                raise JournalError(f"The saved edit of {api_name} in record {record_id} in the journal "
                                   f"{self.journal.path} names another cell; the file is damaged.", self.journal.path)
            edits.append(edit)
        return edits

    def restore(self, changes: ChangeSet) -> RestoreReport:
        """Put the saved edits back into ``changes`` (records loaded fresh from the server).

        Edits the server already holds equal the loaded values, drop out of the change set and
        leave the journal. Edits of records or fields not loaded stay in the journal.
        """
        edits = self.pending()
        restored = changes.restore_pending(edits)
        loaded = [e for e in edits if e.record_id in changes.records and e.api_name in changes.fields]
        gone = [(self.session_id, *e.key) for e in loaded if changes.edit(*e.key) is None]
        if gone:
            with self.journal._write("forget edits the server already has") as db:
                db.executemany(_DELETE, gone)
        return RestoreReport(restored, len(gone), len(edits) - len(loaded))

    def clear(self) -> None:
        """Forget every pending edit of this session (the user chose to discard them)."""
        with self.journal._write("discard the saved edits") as db:
            db.execute("DELETE FROM pending_edits WHERE session_id = ?", (self.session_id,))

    def count(self) -> int:
        with self.journal._read("read your saved edits") as db:
            return int(db.execute("SELECT count(*) FROM pending_edits WHERE session_id = ?",
                                  (self.session_id,)).fetchone()[0])

    # -- submits -------------------------------------------------------------------------
    def begin_submit(self, plan: SubmitPlan) -> int:
        """Record a submit about to start: its calls (planned) and each record's old and new values.

        Old values come from the attached change set's loaded records, so call this before any
        result is applied.
        """
        if plan.module != self.module:
            raise ValueError(f"this journal session is for {self.module}, not {plan.module}")
        now = self.journal.clock()
        records = self._changes.records if self._changes is not None else {}
        calls, results = [], []
        for index, call in enumerate(plan.calls):
            kind = "mass_update" if isinstance(call, MassUpdateCall) else "update"
            calls.append((index, kind, len(call.sent)))
            for record_id, edits in call.sent:
                record = records.get(record_id)
                old, new = old_and_new(edits, record.values if record is not None else {})
                sent = json.dumps([edit_to_dict(e) for e in edits], ensure_ascii=False, separators=(",", ":"))
                results.append((record_id, index, sent, values_to_json(old), values_to_json(new)))
        trigger = None if plan.trigger is None else json.dumps(list(plan.trigger))
        with self.journal._write("record the submit") as db:
            cursor = db.execute("INSERT INTO submits (session_id, started, trigger, summary, calls, records) "
                                "VALUES (?, ?, ?, ?, ?, ?)", (self.session_id, now, trigger, plan.summary(),
                                                              len(plan.calls), plan.record_count))
            submit_id = int(cursor.lastrowid or 0)
            db.executemany("INSERT INTO submit_calls (submit_id, call_index, kind, records, state) "
                           "VALUES (?, ?, ?, ?, 'planned')", [(submit_id, *c) for c in calls])
            db.executemany("INSERT INTO submit_results (submit_id, record_id, call_index, edits, old_values, "
                           "new_values) VALUES (?, ?, ?, ?, ?, ?)", [(submit_id, *r) for r in results])
        return submit_id

    def call_sent(self, submit_id: int, index: int) -> None:
        """Call ``index`` is about to go out: from now on the server may have it."""
        with self.journal._write("record the submit's progress") as db:
            db.execute("UPDATE submit_calls SET state = 'sent', sent = ? WHERE submit_id = ? AND call_index = ? "
                       "AND state = 'planned'", (self.journal.clock(), submit_id, index))

    def call_answered(self, submit_id: int, index: int, call: Call, results: list[RecordResult]) -> None:
        """The server answered call ``index``: record each record's result, and drop confirmed edits.

        A confirmed edit leaves the pending edits only if it is still the one saved there (an
        edit changed while the call was in flight stays pending), all in one transaction.
        """
        now = self.journal.clock()
        rows: list[tuple[Any, ...]] = []
        confirmed: list[tuple[Any, ...]] = []
        updated = failed = 0
        for record_id, sent, result in results_by_record(call, results):
            error = result.error
            code, message, field = (None, None, None) if error is None else (error.code, error.message, error.api_name)
            rows.append((int(result.ok), code, message, field, result_to_json(result), now, submit_id, record_id))
            if result.ok:
                updated += 1
                confirmed.extend((self.session_id, e.record_id, e.api_name, edit_to_json(e)) for e in sent)
            else:
                failed += 1
        with self.journal._write("record the submit's results") as db:
            db.execute("UPDATE submit_calls SET state = 'answered', answered = ?, sent = coalesce(sent, ?) "
                       "WHERE submit_id = ? AND call_index = ?", (now, now, submit_id, index))
            db.executemany("UPDATE submit_results SET ok = ?, code = ?, message = ?, api_name = ?, result = ?, "
                           "answered = ? WHERE submit_id = ? AND record_id = ?", rows)
            db.executemany(_DELETE + " AND payload = ?", confirmed)
            db.execute("UPDATE submits SET updated = updated + ?, failed = failed + ? WHERE id = ?",
                       (updated, failed, submit_id))

    def finish_submit(self, submit_id: int, cancelled: bool) -> None:
        self._end_submit(submit_id, "cancelled" if cancelled else "finished")

    def abandon_submit(self, submit_id: int) -> None:
        """Close a submit found unfinished after a crash (History shows it as interrupted)."""
        self._end_submit(submit_id, "interrupted")

    def close_interrupted_submits(self) -> int:
        """Close every submit still shown as running: at start-up that means the app was killed or
        crashed while sending (their unconfirmed edits are still pending). Returns how many."""
        unfinished = self.unfinished_submits()
        for submit in unfinished:
            self.abandon_submit(submit.submit_id)
        return len(unfinished)

    def _end_submit(self, submit_id: int, state: str) -> None:
        with self.journal._write("record the end of the submit") as db:
            db.execute("UPDATE submits SET state = ?, finished = ? WHERE id = ? AND state = 'running'",
                       (state, self.journal.clock(), submit_id))

    def unfinished_submits(self) -> list[SubmitProgress]:
        """Submits of this session that never finished, with where each of their records stands."""
        found = []
        with self.journal._read("read the submit history") as db:
            submits = db.execute("SELECT id, started, summary FROM submits WHERE session_id = ? AND state = 'running' "
                                 "ORDER BY id", (self.session_id,)).fetchall()
            for submit_id, started, summary in submits:
                rows = db.execute("SELECT r.record_id, r.ok, c.state FROM submit_results r JOIN submit_calls c "
                                  "ON c.submit_id = r.submit_id AND c.call_index = r.call_index "
                                  "WHERE r.submit_id = ? ORDER BY r.call_index, r.rowid", (submit_id,)).fetchall()
                by: dict[str, list[str]] = {"ok": [], "failed": [], "unanswered": [], "unsent": []}
                for record_id, ok, state in rows:
                    if ok is not None:
                        by["ok" if ok else "failed"].append(record_id)
                    else:
                        by["unsent" if state == "planned" else "unanswered"].append(record_id)
                found.append(SubmitProgress(int(submit_id), _when(started), str(summary), tuple(by["ok"]),
                                            tuple(by["failed"]), tuple(by["unanswered"]), tuple(by["unsent"])))
        return found
