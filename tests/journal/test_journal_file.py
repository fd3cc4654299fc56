"""The journal file: private, in WAL mode, and clear words when it is damaged, foreign or locked."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest
from journal_helpers import expected_rows, offline_changes, rows_in

from gui.core.changeset import CellChange
from gui.services.journal import FILE_NAME, Journal, JournalError
from gui.services.paths import AppPaths

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_file_and_its_wal_are_private_and_the_folder_too(tmp_path):
    path = tmp_path / "new" / "journal.sqlite3"
    old = os.umask(0o022)
    try:
        with Journal(path) as journal:
            changes = offline_changes()
            journal.session("p", "Leads").attach(changes)
            changes.apply([CellChange("1000", "City", value="Delhi")])
            assert mode(path.parent) == 0o700 and mode(path) == 0o600
            for side in ("-wal", "-shm"):
                assert mode(path.with_name(path.name + side)) == 0o600
    finally:
        os.umask(old)


def test_an_existing_file_with_a_wide_mode_is_made_private(tmp_path):
    os.chmod(tmp_path, 0o755)
    path = tmp_path / "journal.sqlite3"
    Journal(path).close()
    os.chmod(path, 0o644)
    Journal(path).close()
    assert mode(path) == 0o600
    assert mode(tmp_path) == 0o755  # a folder that already existed is left as it is


def test_wal_mode_and_the_chosen_sync_level(tmp_path):
    path = tmp_path / "journal.sqlite3"
    with Journal(path) as journal:
        assert journal._conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    with Journal(path, synchronous="full") as journal:
        assert journal._conn.execute("PRAGMA synchronous").fetchone()[0] == 2
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()
    with pytest.raises(ValueError):
        Journal(path, synchronous="OFF")


def test_the_app_journal_lives_in_the_private_data_folder(tmp_path):
    paths = AppPaths.under(tmp_path / "home")
    with Journal.in_data_dir(paths) as journal:
        assert journal.path == paths.data_dir / FILE_NAME
    assert mode(paths.data_dir) == 0o700


def test_edits_are_there_after_reopening(tmp_path):
    path = tmp_path / "journal.sqlite3"
    changes = offline_changes()
    with Journal(path) as journal:
        journal.session("p", "Leads").attach(changes)
        changes.apply([CellChange("1000", "City", value="Delhi"), CellChange("1001", "Languages", kind="append",
                                                                             value=["Hindi"])])
    with Journal(path) as journal:
        assert journal.sessions_with_pending() == [("p", "Leads", 2)]
        assert {e.key: e.value for e in journal.session("p", "Leads").pending()} == {
            ("1000", "City"): "Delhi", ("1001", "Languages"): ["Hindi"]}


def test_a_damaged_file_is_named_explained_and_left_alone(tmp_path):
    path = tmp_path / "journal.sqlite3"
    path.write_bytes(b"this is not a database, but it might be someone's edits" * 100)
    before = path.read_bytes()
    with pytest.raises(JournalError) as caught:
        Journal(path)
    message = str(caught.value)
    assert str(path) in message and "damaged" in message and "move the file aside" in message
    assert caught.value.path == path and path.read_bytes() == before


def test_another_sqlite_file_is_not_taken_for_a_journal(tmp_path):
    path = tmp_path / "journal.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE mine (x)")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(JournalError, match="not a zcrm-editor journal"):
        Journal(path)
    assert path.read_bytes() == before


def test_a_journal_from_a_newer_version_is_refused(tmp_path):
    path = tmp_path / "journal.sqlite3"
    Journal(path).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    before = path.read_bytes()
    with pytest.raises(JournalError, match="newer version of zcrm-editor"):
        Journal(path)
    assert path.read_bytes() == before


def test_a_locked_journal_says_so_and_the_edits_are_written_once_it_is_free(tmp_path):
    path = tmp_path / "journal.sqlite3"
    with Journal(path, busy_timeout=0.1) as journal:
        changes = offline_changes()
        journal.session("p", "Leads").attach(changes)
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        with pytest.raises(JournalError) as caught:
            changes.apply([CellChange("1000", "City", value="Delhi")])
        assert str(path) in str(caught.value) and "locked by another program" in str(caught.value)
        assert changes.edit("1000", "City") is not None  # the window keeps the edit
        other.execute("ROLLBACK")
        other.close()
        changes.apply([CellChange("1001", "City", value="Agra")])  # the next write catches up
        assert rows_in(path) == expected_rows(changes) and len(changes) == 2


def test_an_unreadable_saved_edit_stops_the_restore_and_is_not_dropped(tmp_path):
    path = tmp_path / "journal.sqlite3"
    with Journal(path) as journal:
        changes = offline_changes()
        session = journal.session("p", "Leads")
        session.attach(changes)
        changes.apply([CellChange("1000", "City", value="Delhi"), CellChange("1001", "City", value="Agra")])
        db = sqlite3.connect(path)
        db.execute("UPDATE pending_edits SET payload = replace(payload, '\"format\":1', '\"format\":2') "
                   "WHERE record_id = '1001'")
        db.commit()
        db.close()
        fresh = offline_changes()
        with pytest.raises(JournalError) as caught:
            session.restore(fresh)
        message = str(caught.value)
        assert "City in record 1001" in message and str(path) in message and "format 2" in message
        assert len(fresh) == 0 and len(rows_in(path)) == 2


def test_an_edit_that_cannot_be_saved_is_reported_and_the_others_are_saved(tmp_path):
    with Journal(tmp_path / "journal.sqlite3") as journal:
        changes = offline_changes()
        journal.session("p", "Leads").attach(changes)
        changes.apply([CellChange("1000", "City", value="Delhi")])
        with pytest.raises(JournalError, match="City in record 1000.*a crash would lose it"):
            changes.apply([CellChange("1000", "City", value={1, 2}), CellChange("1001", "City", value="Agra")])
        assert set(rows_in(journal.path)) == {("1001", "City")}  # no stale "Delhi" left to restore


def test_a_closed_journal_says_so(tmp_path):
    journal = Journal(tmp_path / "journal.sqlite3")
    session = journal.session("p", "Leads")
    journal.close()
    journal.close()
    with pytest.raises(JournalError, match="is closed"):
        session.pending()


def test_a_folder_that_cannot_be_created_gives_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(JournalError, match="cannot be created or opened"):
        Journal(blocker / "journal.sqlite3")


def test_a_journal_damaged_in_the_middle_is_refused_not_half_read(tmp_path):
    path = tmp_path / "journal.sqlite3"
    with Journal(path) as journal:
        changes = offline_changes(1000)
        journal.session("p", "Leads").attach(changes)
        changes.apply([CellChange(rid, f"Text_{k}", value="x" * 50) for rid in changes.order for k in range(10)])
    data = bytearray(path.read_bytes())
    assert len(data) > 16 * 4096
    data[4096 * 3:4096 * 6] = b"\xff" * (4096 * 3)  # a few pages of the tables overwritten
    path.write_bytes(bytes(data))
    with pytest.raises(JournalError, match="is damaged"):
        Journal(path)
    assert path.read_bytes() == bytes(data)
