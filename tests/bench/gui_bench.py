"""The editor's parts of the benchmark: the Qt table model with many rows, and GUI stalls.

``table.*``: records are loaded the editor's way (a load thread reading a sandbox process
with no latency, the model filled on this thread; ``load_s`` is this thread's CPU time for
that), then timed while the model sorts, filters and takes a 10,000 × 10 paste of valid
values of each column's type (two of the ten columns are read-only and skipped, as the
editor skips them for a user). ``rss_mb`` is the process's memory once loaded. ``gui.*``: a
10,000-edit submit runs through the editor's SubmitController at ``--latency-ms 100``
while a 10 ms timer measures how late the GUI event loop gets to it.
"""

from __future__ import annotations

import gc
import math
import os
import time
from typing import Any

from PySide6.QtCore import QEventLoop, QTimer, Qt
from PySide6.QtGui import QGuiApplication

from gui.core.changeset import CellChange
from gui.core.fieldtypes import ParseContext
from gui.core.localized import LocaleSpec
from gui.qt.module_session import ModuleSession
from gui.qt.paste_ops import apply_paste, parse_paste, plan_paste
from gui.qt.submit_session import SubmitController


def rss_mb() -> float:
    """Resident memory of this process, from /proc (Linux) or getrusage's peak elsewhere."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if os.uname().sysname == "Darwin" else peak / 1024


def _app() -> QGuiApplication:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QGuiApplication.instance()
    return app if isinstance(app, QGuiApplication) else QGuiApplication([])


def bench_table(rows: int, sandbox_cls: Any) -> dict[str, Any]:
    _app()
    with sandbox_cls(rows, latency_ms=0) as box, box.client() as client:
        metas = client.fields("Leads")
        columns = [m for m in metas if m.data_type not in ("fileupload", "imageupload")][:30]
        users = tuple(client.users())
        # Loaded the way the editor loads: a LoadJob thread hands pages to the model on this thread.
        session = ModuleSession(client, "Leads", metas, columns, ParseContext(LocaleSpec.en_us(), users))
        model = session.model
        fill = [0.0]
        add_records = model.add_records

        def timed_add(records: Any) -> None:
            # The GUI thread's part of loading: filling the model. Its CPU time, because the
            # wall time here also counts waiting for the interpreter lock while the load
            # thread reads the next pages.
            started = time.thread_time()
            add_records(records)
            fill[0] += time.thread_time() - started

        model.add_records = timed_add  # type: ignore[method-assign]
        loop = QEventLoop()
        session.loadFinished.connect(lambda *_: loop.quit())
        session.load()
        loop.exec()
        model.add_records = add_records  # type: ignore[method-assign]
    load_s = fill[0]
    gc.collect()
    memory = rss_mb()
    text_column = model.column_of("Last_Name")
    started = time.perf_counter()
    model.sort(text_column, Qt.SortOrder.AscendingOrder)
    sort_s = time.perf_counter() - started
    started = time.perf_counter()
    model.set_quick_filter("fischer")
    filter_s = time.perf_counter() - started
    shown = model.rowCount()
    model.set_quick_filter("")
    model.sort(-1)
    paste_rows = min(10_000, model.rowCount())
    start = model.column_of("First_Name")  # a 10-column block from there (two of them are read-only)
    kinds = [model.field_at(start + c).data_type if model.field_at(start + c) is not None else "" for c in range(10)]
    grid = "\n".join("\t".join(_cell_text(kind, r, c) for c, kind in enumerate(kinds)) for r in range(paste_rows))
    started = time.perf_counter()
    request = parse_paste(grid + "\n", 0, start, [0], [start])
    plan = plan_paste(model, request)
    done, notes = apply_paste(model, plan)
    paste_s = time.perf_counter() - started
    results = {"table.rows": model.loaded_count, "table.columns": len(columns), "table.rss_mb": round(memory, 1),
               "table.load_s": round(load_s, 3), "table.sort_s": round(sort_s, 3),
               "table.filter_s": round(filter_s, 3), "table.filter_rows": shown, "table.paste_cells": done,
               "table.paste_invalid": sum(1 for n in notes if n.invalid), "table.paste_s": round(paste_s, 3)}
    session.close()
    return results


def _cell_text(kind: str, row: int, col: int) -> str:
    """What a spreadsheet column of that kind holds: valid values, different in every cell."""
    if kind == "email":
        return f"person{row}.{col}@example.org"
    if kind == "phone":
        return f"+1 555 {row:04d} {col:02d}"
    if kind == "website":
        return f"www.site{row}-{col}.example"
    return f"Pasted {row}-{col}"


def bench_gui_submit(n: int, sandbox_cls: Any, latency_ms: int, concurrency: int) -> dict[str, Any]:
    app = _app()
    with sandbox_cls(n + 200, latency_ms=latency_ms) as box, box.client() as client:
        fields = client.fields("Leads")
        columns = [f for f in fields if f.api_name in ("Last_Name", "First_Name", "Designation", "Email")]
        session = ModuleSession(client, "Leads", fields, columns, ParseContext(LocaleSpec.en_us(), ()))
        loop = QEventLoop()
        session.loadFinished.connect(lambda *_: loop.quit())
        session.load()
        loop.exec()
        changes = session.changes
        ids = [rid for rid in changes.order if changes.records[rid].approved and not changes.records[rid].locked
               and changes.records[rid].editable][:n]
        session.model.apply_changes([CellChange(rid, "Last_Name", value=f"Gui {i}", text=f"Gui {i}")
                                     for i, rid in enumerate(ids)], "Bench edits")
        controller = SubmitController(session)
        from gui.core.planner import plan_submit

        plan = plan_submit("Leads", changes.pending(), changes.records, changes.fields, trigger=[])
        stalls = [0.0]
        last = [time.perf_counter()]

        def tick() -> None:
            now = time.perf_counter()
            stalls[0] = max(stalls[0], (now - last[0]) * 1000 - 10)
            last[0] = now

        timer = QTimer()
        timer.setTimerType(Qt.TimerType.PreciseTimer)
        timer.setInterval(10)
        timer.timeout.connect(tick)
        done = QEventLoop()
        result: list[Any] = []
        controller.finished.connect(lambda outcome: (result.append(outcome), done.quit()))
        timer.start()
        last[0] = time.perf_counter()
        started = time.perf_counter()
        controller.start(plan)
        done.exec()
        wall = time.perf_counter() - started
        timer.stop()
        session.close()
        app.processEvents()
    floor = math.ceil(len(plan.calls) / concurrency) * latency_ms / 1000
    outcome = result[0]
    return {"gui.submit_records": n, "gui.submit_updated": outcome.updated, "gui.submit_wall_s": round(wall, 3),
            "gui.submit_floor_s": round(floor, 3), "gui.max_stall_ms": round(max(stalls[0], 0.0), 1)}
