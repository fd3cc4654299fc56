"""The Qt binding in use must not corrupt Python's reference counts.

PySide6 6.12.0 dropped a reference to ``True`` on every signal emission; on Python 3.11 a
long session (or this test suite) then crashed with "bool_dealloc: deallocating True or
False". pyproject.toml excludes that release; this test catches a regression of its kind.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    number = Signal(int)
    flag = Signal(bool)


def test_emitting_signals_leaves_true_and_false_reference_counts_alone(qapp):
    emitter = _Emitter()
    seen: list[object] = []
    emitter.number.connect(seen.append)
    emitter.flag.connect(seen.append)
    before = (sys.getrefcount(True), sys.getrefcount(False))
    for n in range(200):
        emitter.number.emit(n)
        emitter.flag.emit(n % 2 == 0)
    seen.clear()
    assert (sys.getrefcount(True), sys.getrefcount(False)) == before
