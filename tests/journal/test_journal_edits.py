"""Pending edits reach the journal file as soon as the change set has them, and leave it with them."""

from __future__ import annotations

import random
import threading
import time
from dataclasses import replace

import pytest
from journal_helpers import expected_rows, offline_changes, rows_in

from gui.core.changeset import APPEND, DELETE_FILES, REMOVE, CellChange, ChangeSet
from gui.core.outcomes import apply_results
from gui.core.planner import plan_submit
from gui.core.results import Record, RecordError, RecordResult
from gui.services.journal import Journal, JournalError


@pytest.fixture
def journal(tmp_path):
    with Journal(tmp_path / "data" / "journal.sqlite3") as journal:
        yield journal


def attached(journal: Journal, n: int = 20, profile: str = "p"):
    changes = offline_changes(n)
    session = journal.session(profile, "Leads")
    session.attach(changes)
    return changes, session


def test_an_edit_is_in_the_file_as_soon_as_apply_returns(journal):
    changes, session = attached(journal)
    changes.apply([CellChange("1000", "City", value="Delhi")])
    rows = rows_in(journal.path)  # another connection, as another process would read it
    assert list(rows) == [("1000", "City")] and '"Delhi"' in rows[("1000", "City")]
    changes.apply([CellChange("1000", "City", value="Agra")])
    assert '"Agra"' in rows_in(journal.path)[("1000", "City")]
    assert session.pending() == [replace(changes.edit("1000", "City"), version=0)]


def test_every_kind_of_edit_and_invalid_text_round_trips(journal):
    changes, session = attached(journal)
    changes.apply([CellChange("1000", "Languages", kind=APPEND, value=["Hindi"]),
                   CellChange("1001", "Languages", kind=REMOVE, value=["French"]),
                   CellChange("1002", "Photos", kind=DELETE_FILES, value=["p1"]),
                   CellChange("1003", "Photos", kind=DELETE_FILES, value=None),
                   CellChange("1004", "No_of_Employees", text="many", invalid="“many” is not a number"),
                   CellChange("1005", "Lead_Status", value=None)])
    assert rows_in(journal.path) == expected_rows(changes)
    assert sorted(session.pending(), key=lambda e: e.key) == sorted(
        (replace(e, version=0) for e in changes.edits()), key=lambda e: e.key)


def test_undo_redo_revert_reload_and_confirm_keep_the_file_equal_to_the_change_set(journal):
    changes, session = attached(journal)
    steps = [
        lambda: changes.apply([CellChange(f"10{i:02}", "City", value=f"C{i}") for i in range(10)], "Paste"),
        lambda: changes.apply([CellChange("1001", "Last_Name", value="Smith")]),
        lambda: changes.apply([CellChange("1002", "City", value="Pune")]),  # back to the loaded value: clean
        changes.undo, changes.undo, changes.redo,
        lambda: changes.revert([("1003", "City")]),
        lambda: changes.revert_rows(["1004", "1005"]),
        changes.undo,
        lambda: changes.add_records([Record("1006", {"City": "C6", "Last_Name": "Name6"})]),  # server has it now
    ]
    for step in steps:
        step()
        assert rows_in(journal.path) == expected_rows(changes)
    plan = plan_submit("Leads", changes.pending(), changes.records, changes.fields)
    call = plan.calls[0]
    results = [RecordResult(rid, RecordError("RECORD_LOCKED", "locked") if rid == "1007" else None,
                            "2026-02-02T00:00:00+00:00") for rid in call.record_ids]
    apply_results(changes, call, results)
    assert rows_in(journal.path) == expected_rows(changes)
    assert {k[0] for k in rows_in(journal.path)} == {"1007"}
    changes.revert_all()
    assert rows_in(journal.path) == {} and session.count() == 0


def test_a_random_walk_of_edits_keeps_the_file_equal_to_the_change_set(journal):
    changes, session = attached(journal, n=8)
    rng = random.Random(5)
    cells = [(str(1000 + r), f) for r in range(8) for f in ("City", "Last_Name", "Text_1", "Languages")]
    for _ in range(300):
        op = rng.random()
        if op < 0.5:
            picked = rng.sample(cells, rng.randint(1, 6))
            changes.apply([CellChange(r, f, kind=APPEND, value=[rng.choice(["Hindi", "English"])])
                           if f == "Languages" else CellChange(r, f, value=rng.choice(["Pune", "x", "y", "Name1"]))
                           for r, f in picked])
        elif op < 0.65:
            changes.undo()
        elif op < 0.8:
            changes.redo()
        elif op < 0.9:
            changes.revert(rng.sample(cells, 3))
        else:
            changes.revert_rows([str(1000 + rng.randrange(8))])
        assert rows_in(journal.path) == expected_rows(changes)


def test_sessions_are_kept_apart_and_offered_for_restore(journal):
    leads, s1 = attached(journal, profile="work")
    leads.apply([CellChange("1000", "City", value="X"), CellChange("1001", "City", value="Y")])
    other = offline_changes()
    s2 = journal.session("home", "Leads")
    s2.attach(other)
    other.apply([CellChange("1000", "City", value="Z")])
    empty = journal.session("home", "Contacts")
    assert empty.pending() == []
    assert sorted(journal.sessions_with_pending()) == [("home", "Leads", 1), ("work", "Leads", 2)]
    assert journal.session("work", "Leads").session_id == s1.session_id
    s1.clear()
    assert journal.sessions_with_pending() == [("home", "Leads", 1)]
    assert len(leads) == 2  # clearing the journal does not touch the window's edits


def test_restore_puts_edits_back_and_forgets_what_the_server_already_has(journal):
    changes, session = attached(journal)
    changes.apply([CellChange("1000", "City", value="Delhi"), CellChange("1001", "City", value="Agra"),
                   CellChange("1002", "Languages", kind=APPEND, value=["Hindi"]),
                   CellChange("1003", "No_of_Employees", text="lots", invalid="not a number"),
                   CellChange("1019", "City", value="Goa")])
    session.detach()
    # A fresh start: 1001 and 1002 reached the server before the crash; 1019 is not loaded this time.
    fresh = offline_changes(19)
    fresh.add_records([replace(fresh.records["1001"], values={**fresh.records["1001"].values, "City": "Agra"}),
                       replace(fresh.records["1002"], values={**fresh.records["1002"].values,
                                                              "Languages": ["English", "French", "Hindi"]})])
    again = journal.session("p", "Leads")
    report = again.restore(fresh)
    again.attach(fresh)
    assert (report.restored, report.already_saved, report.not_loaded) == (2, 2, 1)
    assert {e.key for e in fresh.edits()} == {("1000", "City"), ("1003", "No_of_Employees")}
    assert fresh.edit("1003", "No_of_Employees").text == "lots"
    assert set(rows_in(journal.path)) == {("1000", "City"), ("1003", "No_of_Employees"), ("1019", "City")}
    fresh.undo()  # restoring is not an undo step
    assert len(fresh) == 2


def test_attach_refuses_another_module_and_detach_stops_writing(journal):
    changes, session = attached(journal)
    with pytest.raises(ValueError, match="Leads"):
        session.attach(ChangeSet("Contacts", []))
    session.detach()
    changes.apply([CellChange("1000", "City", value="Delhi")])
    assert rows_in(journal.path) == {}


def test_a_10000_cell_paste_is_one_fast_transaction(journal, capsys):
    changes, session = attached(journal, n=1000)
    listener = changes.listeners[-1]
    wall: list[float] = []
    cpu: list[float] = []

    def timed(keys):
        start, start_cpu = time.perf_counter(), time.thread_time()
        listener(keys)  # a batch this big is saved on the journal's own thread:
        window_cpu = time.thread_time() - start_cpu  # the window's thread only hands it over
        journal.wait_for_writes()
        wall.append(time.perf_counter() - start)
        cpu.append(window_cpu)

    changes.listeners[-1] = timed
    transactions = []
    write = journal._write

    def counting(doing):
        transactions.append((doing, threading.current_thread().name.split("_")[0]))
        return write(doing)

    journal._write = counting
    paste = [CellChange(str(1000 + r), f"Text_{f}", value=f"v{r}-{f}") for r in range(1000) for f in range(10)]
    for _ in range(3):  # best of three: the machine may be busy with other work
        changes.apply(paste, "Paste")  # 10,000 inserts
        assert session.count() == 10_000
        changes.apply([replace(c, value=c.value + "!") for c in paste], "Paste again")  # 10,000 updates
        assert rows_in(journal.path) == expected_rows(changes)
        changes.revert_all()  # 10,000 deletes
        assert session.count() == 0
    # One transaction per notification, each on the journal's own thread (the window does not wait).
    assert len(wall) == 9 and transactions == [("save your edits", "zcrm-journal")] * 9
    best = [min(wall[kind::3]) for kind in range(3)]
    with capsys.disabled():
        print(f"\n10,000-cell journal transaction, best of 3 (wall): insert {best[0]:.3f} s, "
              f"update {best[1]:.3f} s, delete {best[2]:.3f} s; the window's thread at most {max(cpu):.3f} s CPU")


def test_an_edit_typed_while_a_big_paste_is_being_saved_is_saved_after_it(journal):
    changes, session = attached(journal, n=1000)
    changes.apply([CellChange(str(1000 + r), "City", value=f"Pasted {r}") for r in range(1000)]
                  + [CellChange(str(1000 + r), "Text_1", value=f"Role {r}") for r in range(1000)], "Paste")
    changes.apply([CellChange("1000", "City", value="Typed after")], "Type")  # saved at once, after the paste
    saved = {e.key: e.value for e in session.pending()}
    assert len(saved) == 2000 and saved[("1000", "City")] == "Typed after"
    assert rows_in(journal.path) == expected_rows(changes)


def test_a_failed_background_save_is_reported_with_the_next_change_and_saved_again(journal):
    changes, session = attached(journal, n=1000)
    write = journal._write
    fail_once = [True]

    def flaky(doing):
        if fail_once.pop() if fail_once else False:
            raise JournalError("Could not save your edits: the disk is full.", journal.path)
        return write(doing)

    journal._write = flaky
    changes.apply([CellChange(str(1000 + r), "City", value=f"Pasted {r}") for r in range(1000)]
                  + [CellChange(str(1000 + r), "Text_1", value=f"Role {r}") for r in range(1000)], "Paste")
    journal.wait_for_writes()
    assert session.count() == 0  # nothing saved, and nobody told yet
    with pytest.raises(JournalError, match="disk is full"):
        changes.apply([CellChange("1001", "City", value="Next edit")], "Type")  # the next change tells
    assert session.count() == 2000 and rows_in(journal.path) == expected_rows(changes)  # and saved them again
