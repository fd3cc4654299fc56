"""A message bar above the table: problems, and offers with buttons (restore saved edits…).

It never blocks: the user can go on working and answer when it suits them.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget


class Banner(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(10, 6, 10, 6)
        self.text = QLabel("", self)
        self.text.setObjectName("banner-text")
        self.text.setWordWrap(True)
        self._layout.addWidget(self.text, 1)
        self.buttons: list[QPushButton] = []
        self.close_button = QPushButton("Dismiss", self)
        self.close_button.clicked.connect(self.hide)
        self._layout.addWidget(self.close_button)
        self.hide()

    def _clear_buttons(self) -> None:
        for button in self.buttons:
            self._layout.removeWidget(button)
            button.deleteLater()
        self.buttons = []

    def _style(self, error: bool) -> None:
        colour, border = ("#fdecea", "#e0a39c") if error else ("#eef4fc", "#a9c3e8")
        self.setStyleSheet(f"QFrame#banner {{ background: {colour}; border-bottom: 1px solid {border}; }}")

    def show_message(self, text: str, error: bool = False) -> None:
        self._clear_buttons()
        self.text.setText(text)
        self._style(error)
        self.close_button.show()
        self.show()

    def offer(self, text: str, choices: list[tuple[str, Callable[[], None]]]) -> None:
        """A question with one button per answer; answering hides the bar."""
        self._clear_buttons()
        self.text.setText(text)
        self._style(False)
        for label, action in choices:
            button = QPushButton(label, self)
            button.clicked.connect(lambda _checked=False, act=action: (self.hide(), act()))
            self._layout.insertWidget(self._layout.count() - 1, button)
            self.buttons.append(button)
        self.close_button.hide()
        self.show()
