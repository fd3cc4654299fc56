"""The editor's parts of the benchmark: the Qt table model with many rows, and GUI stalls.

``table.*``: records are loaded over HTTP from a sandbox process (no latency), then timed
while they fill the model, sort, filter and take a 10,000 × 10 paste. ``gui.*``: a
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

from gui.core.changeset import CellChange, ChangeSet
from gui.core.fieldtypes import ParseContext, values_equal
from gui.core.localized import LocaleSpec
from gui.qt.module_session import ModuleSession
from gui.qt.paste_ops import apply_paste, parse_paste, plan_paste
from gui.qt.submit_session import SubmitController
from gui.qt.table_model import RecordTableModel


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
        pages: list[Any] = []
        client.load("Leads", [m.api_name for m in columns], pages.append)
        users = tuple(client.users())
    gc.collect()
    changes = ChangeSet("Leads", metas, equal=values_equal)
    model = RecordTableModel(changes, columns, ParseContext(LocaleSpec.en_us(), users))
    started = time.perf_counter()
    for page in pages:
        model.add_records(page.records)
    load_s = time.perf_counter() - started
    del pages
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
    first = model.column_of("First_Name")
    editable = [c for c in range(first, model.columnCount()) if model.field_at(c) is not None
                and model.field_at(c).data_type in ("text", "email", "phone", "website")][:10]
    grid = "\n".join("\t".join(f"v{r}-{c}" for c in range(len(editable))) for r in range(paste_rows)) + "\n"
    started = time.perf_counter()
    request = parse_paste(grid, 0, editable[0], [0], [editable[0]])
    plan = plan_paste(model, request)
    done, _notes = apply_paste(model, plan)
    paste_s = time.perf_counter() - started
    return {"table.rows": model.loaded_count, "table.columns": len(columns), "table.rss_mb": round(memory, 1),
            "table.load_s": round(load_s, 3), "table.sort_s": round(sort_s, 3), "table.filter_s": round(filter_s, 3),
            "table.filter_rows": shown, "table.paste_cells": done, "table.paste_s": round(paste_s, 3)}


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
