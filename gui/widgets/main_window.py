"""The main window. For now it shows the connection and the org's modules; the record
table, editing and submitting arrive in their own issues and will live in panels here."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QLabel, QListWidget, QListWidgetItem, QMainWindow, QVBoxLayout, QWidget)

from ..core.meta import ModuleMeta, User


class MainWindow(QMainWindow):
    def __init__(self, origin: str, user: User | None, modules: list[ModuleMeta], problem: str | None = None):
        super().__init__()
        self.setWindowTitle("zcrm-editor")
        self.resize(960, 640)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        heading = QLabel(f"<h2>Zoho CRM at {origin}</h2>", central)
        heading.setObjectName("heading")
        layout.addWidget(heading)
        if problem:
            error = QLabel(problem, central)
            error.setObjectName("problem")
            error.setStyleSheet("color: #a40000;")
            error.setWordWrap(True)
            layout.addWidget(error)
        hint = QLabel("Modules in this org. Loading and editing records comes with the record table.", central)
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.module_list = QListWidget(central)
        self.module_list.setObjectName("modules")
        for module in modules:
            label = module.plural_label
            if label != module.api_name:
                label += f"  ({module.api_name})"
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, module.api_name)
            self.module_list.addItem(item)
        layout.addWidget(self.module_list, 1)
        self.setCentralWidget(central)
        if user is not None:
            self.statusBar().showMessage(f"Signed in as {user.full_name} <{user.email}>")
        else:
            self.statusBar().showMessage("Not signed in")
