"""Undo and redo through Qt's QUndoStack, with the core change set keeping the real history.

Each effective ChangeSet.apply is one step there; a ChangeStep mirrors it on the QUndoStack so
that Edit > Undo, Ctrl+Z and the undo view work as Qt users expect.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

if TYPE_CHECKING:
    from .table_model import RecordTableModel


class ChangeStep(QUndoCommand):
    def __init__(self, model: "RecordTableModel", label: str) -> None:
        super().__init__(label)
        self._model = model
        self._first = True  # the change set applied the step before it was pushed

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self._model.changes.redo()

    def undo(self) -> None:
        self._model.changes.undo()
