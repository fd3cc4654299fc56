"""The main window: a module picker, the record table, the filter, progress and the menus.

It only wires parts together. Loading and edits live in a ModuleSession per open module (so
switching modules keeps every pending edit), rules in the core, dialogs in their own files.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from PySide6.QtCore import QByteArray, QSettings, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QLabel, QLineEdit, QMainWindow, QProgressBar,
                               QPushButton, QToolBar, QVBoxLayout, QWidget)

from ..client.api import ZohoClient
from ..core.fieldtypes import ParseContext
from ..core.localized import LocaleSpec
from ..core.meta import ModuleMeta, User
from ..qt.module_session import ModuleSession, default_columns
from ..qt.workers import CallJob
from .banner import Banner
from .column_chooser import ColumnChooser
from .delegates import RecordDelegate
from .record_view import RecordTableView
from .submit_flow import SubmitFlow
from .table_actions import TableActions

log = logging.getLogger("zcrm.widgets.main")

LOCALES: dict[str, Callable[[str], LocaleSpec]] = {"en_US": LocaleSpec.en_us, "en_GB": LocaleSpec.en_gb,
                                                   "de_DE": LocaleSpec.de_de}


def system_locale() -> LocaleSpec:
    from PySide6.QtCore import QLocale, QTimeZone

    zone = bytes(QTimeZone.systemTimeZoneId().data()).decode() or "UTC"
    make = LOCALES.get(QLocale.system().name(), LocaleSpec.en_us)
    try:
        return make(zone)
    except ValueError:
        return make("UTC")


class MainWindow(QMainWindow):
    def __init__(self, client: ZohoClient | None, user: User | None, origin: str, *, profile_name: str = "",
                 modules: list[ModuleMeta] | None = None, settings: QSettings | None = None, journal: Any = None,
                 locale: LocaleSpec | None = None, problem: str | None = None) -> None:
        super().__init__()
        self.client = client
        self.user = user
        self.origin = origin
        self.profile_name = profile_name or origin
        self.settings = settings if settings is not None else QSettings()
        self.journal = journal
        self.locale = locale or system_locale()
        self.sessions: dict[str, ModuleSession] = {}
        self.session: ModuleSession | None = None
        self._jobs: list[CallJob] = []
        self._closing = False
        self.setWindowTitle(f"zcrm-editor — {origin}")
        self.resize(1280, 800)
        self._build_actions()
        self._build_toolbar()
        self._build_centre()
        self._build_status()
        self._build_menus()
        self.submit_flow = SubmitFlow(self)
        self._restore_window()
        for module in modules or []:
            label = module.plural_label if module.plural_label == module.api_name \
                else f"{module.plural_label}  ({module.api_name})"
            self.module_box.addItem(label, module.api_name)
        self.module_box.currentIndexChanged.connect(self._module_chosen)
        if problem:
            self.banner.show_message(problem, error=True)
        self.user_label.setText(f"Signed in as {user.full_name} <{user.email}>" if user else "Not signed in")
        self.statusBar().showMessage(self.user_label.text(), 5000)

    # -- building -------------------------------------------------------------------------
    def _action(self, text: str, slot: Callable[[], Any], shortcut: Any = None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_actions(self) -> None:
        self.reload_action = self._action("&Reload", self.reload, QKeySequence.StandardKey.Refresh,
                                          "Load the module's records again; pending edits stay")
        self.columns_action = self._action("&Columns…", self.choose_columns, "Ctrl+Shift+C",
                                           "Choose and order the columns of this module")
        self.undo_action = self._action("&Undo", self.undo, QKeySequence.StandardKey.Undo)
        self.redo_action = self._action("&Redo", self.redo, QKeySequence("Ctrl+Shift+Z"))
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.mass_action = self._action("Set &value for selected rows…", self.mass_update, None,
                                        "Give many records one value")
        self.revert_all_action = self._action("Revert &all edits", self.revert_all, None,
                                              "Drop every pending edit of this module")
        self.find_action = self._action("&Filter rows", self.focus_filter, QKeySequence.StandardKey.Find)
        self.quit_action = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit)
        for action in (self.undo_action, self.redo_action):
            action.setEnabled(False)

    def _build_toolbar(self) -> None:
        bar = QToolBar("Main", self)
        self.toolbar = bar
        bar.setObjectName("main-toolbar")
        bar.setMovable(False)
        self.addToolBar(bar)
        bar.addWidget(QLabel(" Module: "))
        self.module_box = QComboBox(bar)
        self.module_box.setObjectName("module")
        self.module_box.setMinimumContentsLength(14)
        bar.addWidget(self.module_box)
        bar.addAction(self.reload_action)
        bar.addAction(self.columns_action)
        bar.addSeparator()
        self.filter_box = QLineEdit(bar)
        self.filter_box.setObjectName("filter")
        self.filter_box.setPlaceholderText("Filter rows: words, or Field:text  (Ctrl+F)")
        self.filter_box.setClearButtonEnabled(True)
        self.filter_box.setMinimumWidth(280)
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(200)
        self._filter_timer.timeout.connect(self._apply_filter)
        self.filter_box.textChanged.connect(lambda _t: self._filter_timer.start())
        bar.addWidget(self.filter_box)
        self.only_edited = QCheckBox("Only edited", bar)
        self.only_edited.toggled.connect(lambda on: self.session and self.session.model.set_only_edited(on))
        bar.addWidget(self.only_edited)
        self.only_errors = QCheckBox("Only errors", bar)
        self.only_errors.toggled.connect(lambda on: self.session and self.session.model.set_only_errors(on))
        bar.addWidget(self.only_errors)
        bar.addSeparator()
        bar.addAction(self.undo_action)
        bar.addAction(self.redo_action)

    def _build_centre(self) -> None:
        centre = QWidget(self)
        layout = QVBoxLayout(centre)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.banner = Banner(centre)
        layout.addWidget(self.banner)
        self.view = RecordTableView(centre)
        self.view.message.connect(self.show_message)
        layout.addWidget(self.view, 1)
        self.table_actions = TableActions(self)
        search = self.client.search_names if self.client is not None else None
        self.view.setItemDelegate(RecordDelegate(self.view, search))
        self.setCentralWidget(centre)

    def _build_status(self) -> None:
        status = self.statusBar()
        self.count_label = QLabel("", status)
        self.count_label.setObjectName("counts")
        self.progress = QProgressBar(status)
        self.progress.setObjectName("progress")
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel", status)
        self.cancel_button.setObjectName("cancel")
        self.cancel_button.clicked.connect(self.cancel_work)
        self.cancel_button.hide()
        self.user_label = QLabel("", status)
        self.user_label.setObjectName("user")
        status.addPermanentWidget(self.count_label)
        status.addPermanentWidget(self.progress)
        status.addPermanentWidget(self.cancel_button)
        status.addPermanentWidget(self.user_label)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.quit_action)
        edit = bar.addMenu("&Edit")
        edit.addAction(self.undo_action)
        edit.addAction(self.redo_action)
        edit.addSeparator()
        edit.addAction(self._action("&Copy", self.view.copy_selection))
        edit.addAction(self._action("&Paste", self.view.paste))
        edit.addAction(self._action("Fill &down", self.view.fill_down))
        edit.addAction(self._action("C&lear cells", self.view.clear_selection_cells))
        edit.addSeparator()
        edit.addAction(self.mass_action)
        edit.addAction(self.revert_all_action)
        view = bar.addMenu("&View")
        view.addAction(self.find_action)
        view.addAction(self.columns_action)
        view.addAction(self.reload_action)

    # -- settings ------------------------------------------------------------------------
    def _key(self, *parts: str) -> str:
        return "/".join(p.replace("/", "_") for p in parts)

    def _restore_window(self) -> None:
        geometry = self.settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)

    def _save_widths(self) -> None:
        session = self.session
        if session is None:
            return
        widths = {meta.api_name: self.view.columnWidth(col)
                  for col, meta in enumerate(session.model.columns, start=1)}
        self.settings.setValue(self._key("widths", self.profile_name, session.module), widths)

    def _restore_widths(self, session: ModuleSession) -> None:
        widths = self.settings.value(self._key("widths", self.profile_name, session.module))
        self.view.setColumnWidth(0, 128)  # fits "awaiting approval"
        for col, meta in enumerate(session.model.columns, start=1):
            width = widths.get(meta.api_name) if isinstance(widths, dict) else None
            self.view.setColumnWidth(col, int(width) if width else (190 if col == 1 else 140))

    # -- modules -------------------------------------------------------------------------
    def _module_chosen(self, _row: int) -> None:
        module = self.module_box.currentData()
        if module:
            self.open_module(str(module))

    def open_module(self, module: str) -> None:
        """Show a module: its open session, or fetch its fields and start loading it."""
        self._save_widths()
        if self.module_box.currentData() != module:
            index = self.module_box.findData(module)
            if index >= 0:
                self.module_box.blockSignals(True)
                self.module_box.setCurrentIndex(index)
                self.module_box.blockSignals(False)
        self.settings.setValue(self._key("last-module", self.profile_name), module)
        existing = self.sessions.get(module)
        if existing is not None:
            self._show_session(existing)
            return
        client = self.client
        if client is None:
            return
        self.show_message(f"Opening {module}…")
        job = CallJob(lambda cancel: (client.fields(module), client.users()), 0, self)
        job.result.connect(lambda _g, value: self._fields_ready(module, *value))
        job.failed.connect(lambda _g, _code, message: self.banner.show_message(
            f"{module} could not be opened: {message}", error=True))
        job.finished.connect(lambda: self._jobs.remove(job) if job in self._jobs else None)
        self._jobs.append(job)
        job.start()

    def _fields_ready(self, module: str, fields: list[Any], users: list[User]) -> None:
        if module in self.sessions or self.client is None:
            return
        saved = self.settings.value(self._key("columns", self.profile_name, module))
        by_name = {f.api_name: f for f in fields}
        chosen = [by_name[n] for n in saved if n in by_name] if isinstance(saved, list) else []
        columns = chosen or default_columns(module, fields)
        ctx = ParseContext(self.locale, tuple(users))
        journal_session = self.journal.session(self.profile_name, module) if self.journal is not None else None
        session = ModuleSession(self.client, module, fields, columns, ctx, journal_session, self)
        session.loadProgress.connect(self._load_progress)
        session.loadFinished.connect(lambda complete, cancelled, message, s=session:
                                     self._load_finished(s, complete, cancelled, message))
        session.message.connect(self.show_message)
        session.model.viewChanged.connect(lambda _shown, _loaded: self._update_counts())
        session.model.undo_stack.canUndoChanged.connect(lambda _on: self._update_undo())
        session.model.undo_stack.indexChanged.connect(lambda _i: self._update_undo())
        self.sessions[module] = session
        self._show_session(session)
        self._start_load(session)

    def _show_session(self, session: ModuleSession) -> None:
        self.session = session
        model = session.model
        self.view.setModel(model)
        self._restore_widths(session)
        model.set_only_edited(self.only_edited.isChecked())
        model.set_only_errors(self.only_errors.isChecked())
        self._apply_filter()
        self._update_counts()
        self._update_undo()
        self.submit_flow.session_changed()
        self.setWindowTitle(f"zcrm-editor — {session.module} — {self.origin}")

    def _start_load(self, session: ModuleSession) -> None:
        self.progress.setRange(0, 0)
        self.progress.setFormat("Loading…")
        self.progress.show()
        self.cancel_button.show()
        session.load()

    def reload(self) -> None:
        if self.session is not None and not self.session.loading:
            self._start_load(self.session)

    def cancel_work(self) -> None:
        if self.submit_flow.cancel():
            return
        if self.session is not None and self.session.loading:
            self.session.cancel_load()
            self.show_message("Stopping the load…")

    def _load_progress(self, loaded: int, total: Any) -> None:
        if isinstance(total, int) and total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(loaded, total))
            self.progress.setFormat(f"{loaded:,} / {total:,}")
        else:
            self.progress.setRange(0, 0)
            self.progress.setFormat(f"{loaded:,} loaded")
        self._update_counts()

    def _load_finished(self, session: ModuleSession, complete: bool, cancelled: bool, message: str) -> None:
        if session is self.session:
            self.progress.hide()
            self.cancel_button.hide()
            self._update_counts()
        if message:
            self.banner.show_message(message, error=not cancelled)
        elif complete:
            self.show_message(f"Loaded {session.model.loaded_count:,} {session.module}.")
        saved = session.saved_edits() if complete or cancelled else []
        if saved:
            self.banner.offer(f"{len(saved)} edit(s) of {session.module} from an earlier session were not "
                              "submitted.", [("Restore them", lambda: self._restore_saved(session)),
                                             ("Discard them", lambda: self._discard_saved(session))])

    def _restore_saved(self, session: ModuleSession) -> None:
        restored = session.restore_saved()
        self.show_message(f"Restored {restored} edit(s).")
        self._update_counts()

    def _discard_saved(self, session: ModuleSession) -> None:
        session.discard_saved()
        self.show_message("The saved edits were discarded.")

    # -- commands ----------------------------------------------------------------------------
    def _apply_filter(self) -> None:
        if self.session is None:
            return
        problem = self.session.model.set_quick_filter(self.filter_box.text())
        self.filter_box.setToolTip(problem or "")
        if problem:
            self.show_message(problem)

    def focus_filter(self) -> None:
        self.filter_box.setFocus()
        self.filter_box.selectAll()

    def undo(self) -> None:
        if self.session is not None:
            self.session.model.undo_stack.undo()

    def redo(self) -> None:
        if self.session is not None:
            self.session.model.undo_stack.redo()

    def _update_undo(self) -> None:
        if self._closing:
            return
        stack = self.session.model.undo_stack if self.session is not None else None
        self.undo_action.setEnabled(bool(stack and stack.canUndo()))
        self.redo_action.setEnabled(bool(stack and stack.canRedo()))
        self.undo_action.setText(f"&Undo {stack.undoText()}" if stack and stack.canUndo() else "&Undo")
        self.redo_action.setText(f"&Redo {stack.redoText()}" if stack and stack.canRedo() else "&Redo")
        self._update_counts()

    def revert_all(self) -> None:
        if self.session is not None:
            self.session.model.revert_cells([e.key for e in self.session.changes.edits()])

    def mass_update(self) -> None:
        self.table_actions.mass_update()

    def choose_columns(self) -> None:
        session = self.session
        if session is None:
            return
        dialog = ColumnChooser(self, session.fields, [m.api_name for m in session.model.columns], session.module)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        chosen = [session.by_name[name] for name in dialog.chosen() if name in session.by_name]
        if not chosen or chosen == session.model.columns:
            return
        self._save_widths()
        self.settings.setValue(self._key("columns", self.profile_name, session.module), [m.api_name for m in chosen])
        loaded = set(session.load_fields())
        session.model.set_columns(chosen)
        self._restore_widths(session)
        if not {m.api_name for m in chosen} <= loaded and not session.loading:
            self.show_message("Loading the new columns; pending edits stay.")
            self._start_load(session)

    def _update_counts(self) -> None:
        session = self.session
        if session is None:
            self.count_label.setText("")
            return
        model = session.model
        edits = len(session.changes)
        invalid = len(session.changes.invalid())
        shown, loaded = model.rowCount(), model.loaded_count
        parts = [f"{shown:,} of {loaded:,} rows" if shown != loaded else f"{loaded:,} rows"]
        if edits:
            parts.append(f"{edits:,} pending edit(s) in {len(session.changes.edited_records()):,} record(s)")
        if invalid:
            parts.append(f"{invalid:,} invalid")
        self.count_label.setText(" · ".join(parts))

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 8000)

    # -- closing ---------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self._save_widths()
        self._closing = True
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        for controller in self.submit_flow.controllers.values():
            controller.stop()
        for job in list(self._jobs):
            job.stop(5000)
        for session in self.sessions.values():
            session.close()
        super().closeEvent(event)
