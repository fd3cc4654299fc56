"""Custom data roles of the record table, and the colours its cells are styled with.

Views and delegates read everything through these roles; nothing in a widget works out a
cell's state on its own.
"""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from ..core import rowquery


class Role(IntEnum):
    RECORD_ID = Qt.ItemDataRole.UserRole + 1  # str
    FIELD = Qt.ItemDataRole.UserRole + 2  # FieldMeta (None in the status column)
    VALUE = Qt.ItemDataRole.UserRole + 3  # the effective stored value (after the pending edit)
    ORIGINAL = Qt.ItemDataRole.UserRole + 4  # the value as loaded
    EDIT = Qt.ItemDataRole.UserRole + 5  # the pending core Edit, or None
    ERROR = Qt.ItemDataRole.UserRole + 6  # the server's RecordError for this cell (or row), or None
    ROW_STATE = Qt.ItemDataRole.UserRole + 7  # one of gui.core.rowquery's states
    READ_ONLY_REASON = Qt.ItemDataRole.UserRole + 8  # why this cell cannot be edited, or None
    CHANGE = Qt.ItemDataRole.UserRole + 9  # setData only: a core CellChange built by a delegate


# Cell tints: soft enough to read text on, distinct enough to scan a 10,000-row table.
EDITED = QColor("#fff4c2")
INVALID = QColor("#f9c9c4")
FAILED = QColor("#f4a9a3")
FAILED_ROW = QColor("#fbe1de")
SENDING = QColor("#dbe8fb")
CONFLICT = QColor("#ffd8a8")
READ_ONLY = QColor("#f0f0f0")
BLOCKED = QColor("#e6e6e6")
MUTED_TEXT = QColor("#6b6b6b")

STATE_COLOURS = {
    rowquery.EDITED: EDITED, rowquery.INVALID: INVALID, rowquery.SENDING: SENDING,
    rowquery.UPDATED: QColor("#d4edd0"), rowquery.FAILED: FAILED, rowquery.CONFLICT: CONFLICT,
    rowquery.BLOCKED: BLOCKED,
}
