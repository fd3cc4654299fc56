"""The connection dialog: pick or create a profile and sign in, or try the demo sandbox.

Every sign-in step talks HTTP (and the browser one waits for Zoho's redirect), so each runs
in a :class:`~gui.qt.workers.CallJob` while the dialog shows that it is busy; the browser wait
can be cancelled. On success the dialog holds ``client``, ``profile``, ``user``, ``signin``,
``secrets`` and (for the demo) ``demo``, which the caller stops on exit.

The client secret and refresh token go only to the secret store (the OS keyring, or memory
when the user explicitly chose "this session only"); the profile is saved without them.
"""

from __future__ import annotations

import html
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QCoreApplication, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QFormLayout, QFrame, QHBoxLayout, QLabel, QLayout,
                               QLineEdit, QProgressBar, QPushButton, QVBoxLayout, QWidget)

from ..client.api import ZohoClient
from ..client.errors import Cancelled
from ..client.signin import SignIn
from ..client.transport import CancelToken
from ..core.meta import User
from ..core.profile import DATA_CENTRES, DEFAULT_SCOPES, Profile, SecretStore
from ..qt.workers import CallJob
from ..services.profiles import ProfileStore, ProfileStoreError
from ..services.secrets import NoKeyringError, SecretsError, open_secret_store

if TYPE_CHECKING:  # the app passes a demo starter in; widgets never start a sandbox themselves
    from ..demo import Demo

CUSTOM = "custom"
SecretsSource = SecretStore | Callable[[bool], SecretStore]  # a store, or open_secret_store(session_only)
ERROR_STYLE = "color: #a40000;"


class ConnectDialog(QDialog):
    """Sign in to a Zoho org (see the module docstring)."""

    connected = Signal()  # emitted just before the dialog accepts
    _browse = Signal(str)  # from the sign-in thread: open this address in the browser

    def __init__(self, parent: QWidget | None, profiles: ProfileStore,
                 secrets: SecretsSource = open_secret_store,
                 signin: Callable[[SecretStore], SignIn] | None = None,
                 start_demo: Callable[[], "Demo"] | None = None, *,
                 register_secret: Callable[[str], None] = lambda _: None,
                 open_browser: Callable[[str], object] | None = None,
                 browser_timeout: float = 300.0, auto_connect: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect to Zoho CRM")
        self.setObjectName("connectDialog")
        self._profiles = profiles
        self._register_secret = register_secret
        self._make_signin = signin or (lambda store: SignIn(store, register_secret=register_secret))
        self._start_demo = start_demo  # None: no demo button
        self._open_browser = open_browser  # called on the sign-in thread; None: the desktop's browser
        self._browser_timeout = browser_timeout
        self._secrets_source = secrets
        self._jobs: list[CallJob] = []
        self._generation = 0
        self._on_success: Callable[[Any], None] | None = None
        self._known: list[Profile] = []
        # What a successful sign-in leaves for the caller.
        self.client: ZohoClient | None = None
        self.profile: Profile | None = None
        self.user: User | None = None
        self.demo: "Demo | None" = None
        self.signin: SignIn | None = None
        self.secrets: SecretStore | None = None
        self.problem: str | None = None  # e.g. the profile could not be saved; worth showing once
        self._store: SecretStore | None = None
        self._busy = False
        self._build()
        self._browse.connect(self._open_in_desktop_browser)
        self._store = self._open_store()
        self._load_profiles()
        if auto_connect and not self.connect_button.isHidden():  # the last profile has a stored sign-in
            self.connect_stored()

    # -- layout -----------------------------------------------------------------------------------
    def _edit(self, name: str, placeholder: str = "", echo: QLineEdit.EchoMode = QLineEdit.EchoMode.Normal,
              parent: QWidget | None = None) -> QLineEdit:
        edit = QLineEdit(parent or self)
        edit.setObjectName(name)
        edit.setPlaceholderText(placeholder)
        edit.setEchoMode(echo)
        return edit

    def _button(self, text: str, slot: Callable[[], None], tip: str = "", parent: QWidget | None = None) -> QPushButton:
        button = QPushButton(text, parent or self)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    def _note(self, text: str = "", parent: QWidget | None = None, dim: bool = False) -> QLabel:
        label = QLabel(text, parent or self)
        label.setWordWrap(True)
        label.setEnabled(not dim)
        return label

    def _build(self) -> None:
        self.keyring_box = QFrame(self)
        self.keyring_box.setObjectName("keyringProblem")
        self.keyring_box.setFrameShape(QFrame.Shape.StyledPanel)
        self.keyring_text = self._note(parent=self.keyring_box)
        self.session_only = QCheckBox("Keep the client secret and sign-in for this session only "
                                      "(forgotten when the app exits)", self.keyring_box)
        self.session_only.toggled.connect(self._on_session_only)
        _box(QVBoxLayout(self.keyring_box), self.keyring_text, self.session_only)
        self.keyring_box.hide()

        self.profile_combo = QComboBox(self)
        self.profile_combo.currentIndexChanged.connect(self._on_profile_picked)
        self.name_edit = self._edit("name", "e.g. Zylker production")
        self.dc_combo = QComboBox(self)
        for key, (_, accounts) in DATA_CENTRES.items():
            self.dc_combo.addItem(f"{key}  ({accounts.removeprefix('https://')})", key)
        self.dc_combo.addItem("Custom (other API and accounts servers)", CUSTOM)
        self.dc_combo.currentIndexChanged.connect(self._show_custom_fields)
        self.api_edit = self._edit("apiBase", "https://www.zohoapis.com")
        self.accounts_edit = self._edit("accountsBase", "https://accounts.zoho.com")
        self.client_id_edit = self._edit("clientId", "1000.XXXXXXXXXXXXXXXXXXXXXXXXXXXXXX")
        self.secret_edit = self._edit("clientSecret", echo=QLineEdit.EchoMode.Password)
        self.form = QFormLayout()
        for label, field in (("Profile:", self.profile_combo), ("Name:", self.name_edit),
                             ("Data centre:", self.dc_combo), ("API server:", self.api_edit),
                             ("Accounts server:", self.accounts_edit),
                             ("Client ID:", self.client_id_edit), ("Client secret:", self.secret_edit)):
            self.form.addRow(label, field)
        hint = self._note("Get a client ID and secret in the Zoho API Console (api-console.zoho.com): a "
                          "server-based client for “Sign in with browser”, or a Self Client to paste a grant "
                          "code.", dim=True)
        self.connect_button = self._button("Connect", self.connect_stored, "Use the sign-in stored for this profile")
        self.browser_button = self._button("Sign in with browser", self.sign_in_with_browser)
        self.code_button = QPushButton("Paste a grant code…", self)
        self.code_button.setCheckable(True)
        self.code_button.toggled.connect(self._show_code_box)

        self.code_box = QFrame(self)
        self.code_edit = self._edit("grantCode", "1000.…  (the code the Self Client generated)",
                                    QLineEdit.EchoMode.PasswordEchoOnEdit, self.code_box)
        self.code_go = self._button("Sign in with code", self.sign_in_with_code, parent=self.code_box)
        scopes = QLineEdit(",".join(DEFAULT_SCOPES), self.code_box)
        scopes.setReadOnly(True)
        scopes.setToolTip("Paste these into the Self Client's Scope box when you generate the code")
        code_form = QFormLayout(self.code_box)
        code_form.setContentsMargins(0, 0, 0, 0)
        code_form.addRow("Scopes to grant:", scopes)
        code_form.addRow("Grant code:", _box(QHBoxLayout(), self.code_edit, self.code_go))
        self.code_box.hide()

        self.demo_button = self._button("Try the demo sandbox", self.try_demo)
        demo_note = self._note("A sandbox with sample records, running on this computer.", dim=True)
        for widget in (self.demo_button, demo_note):
            widget.setVisible(self._start_demo is not None)

        self.status = self._note()
        self.status.setObjectName("status")
        self.status.setTextFormat(Qt.TextFormat.RichText)
        self.status.setOpenExternalLinks(True)
        self.busy_bar = QProgressBar(self)
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setMaximumHeight(8)
        self.stop_button = self._button("Cancel", self.cancel_sign_in, "Stop signing in")
        self.close_button = self._button("Close", self.reject)
        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)

        layout = QVBoxLayout(self)
        for part in (self.keyring_box, self.form, hint,
                     _box(QHBoxLayout(), self.connect_button, self.browser_button, self.code_button, 1),
                     self.code_box, line, _box(QHBoxLayout(), self.demo_button, demo_note, 1), self.status,
                     _box(QHBoxLayout(), self.busy_bar, self.stop_button), _box(QHBoxLayout(), 1, self.close_button)):
            if isinstance(part, QWidget):
                layout.addWidget(part)
            else:
                layout.addLayout(part)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)  # wrapped notes are never squeezed
        self.setMinimumWidth(560)
        self._show_custom_fields()
        self._set_busy(False)

    # -- secrets and profiles -------------------------------------------------------------------
    def _open_store(self) -> SecretStore | None:
        source = self._secrets_source
        if not callable(source) or hasattr(source, "load"):
            return source  # type: ignore[return-value]
        try:
            return source(False)
        except NoKeyringError as err:
            self.keyring_text.setText(str(err))
            self.keyring_box.show()
            return None

    def _on_session_only(self, on: bool) -> None:
        source = self._secrets_source
        self._store = source(True) if on and callable(source) else None  # type: ignore[operator]
        self._show_stored(self._picked())

    def _load_profiles(self) -> None:
        try:
            self._known = self._profiles.list()
            last = self._profiles.last_used
        except ProfileStoreError as err:
            self._known, last = [], None
            self._say(str(err), error=True)
        self.profile_combo.blockSignals(True)
        self.profile_combo.clear()
        self.profile_combo.addItem("New profile…", None)
        for profile in self._known:
            self.profile_combo.addItem(profile.name, profile.name)
        if last is not None:
            self.profile_combo.setCurrentIndex(self.profile_combo.findData(last))
        self.profile_combo.blockSignals(False)
        self._on_profile_picked()

    def _picked(self) -> Profile | None:
        return self.profile_named(self.profile_combo.currentData() or "")

    def _stored(self, profile: Profile | None) -> Any:
        if profile is None or self._store is None:
            return None
        try:
            return self._store.load(profile.name)
        except SecretsError as err:
            self._say(str(err), error=True)
            return None

    def _on_profile_picked(self, *_: object) -> None:
        profile = self._picked()
        if profile is not None:
            self.name_edit.setText(profile.name)
            self.dc_combo.setCurrentIndex(max(0, self.dc_combo.findData(profile.data_centre)))
            self.api_edit.setText(profile.api_base or "")
            self.accounts_edit.setText(profile.accounts_base or "")
            self.client_id_edit.setText(profile.client_id)
        for edit in (self.secret_edit,) if profile is not None else (self.name_edit, self.client_id_edit,
                                                                       self.secret_edit):
            edit.clear()
        self._show_stored(profile)

    def _show_stored(self, profile: Profile | None) -> None:
        """Offer "Connect" when ``profile`` has a stored sign-in; say when its secret is stored."""
        stored = self._stored(profile)
        where = "in the keyring" if getattr(self._store, "persistent", True) else "for this session"
        self.secret_edit.setPlaceholderText(f"Stored {where}; leave empty to keep it" if stored else "")
        self.connect_button.setVisible(bool(stored and stored.refresh_token))
        self._show_code_box(self.code_button.isChecked())
        self._set_busy(False)

    def _show_code_box(self, on: bool) -> None:
        """Show or hide the grant code field; Enter then signs in the way that is in view."""
        self.code_box.setVisible(on)
        default = self.code_go if on else self.browser_button if self.connect_button.isHidden() \
            else self.connect_button
        for button in (self.connect_button, self.browser_button, self.code_go):
            button.setDefault(button is default)

    def _show_custom_fields(self, *_: object) -> None:
        for edit in (self.api_edit, self.accounts_edit):
            self.form.setRowVisible(edit, self.dc_combo.currentData() == CUSTOM)

    def _profile_from_form(self) -> tuple[Profile, str] | None:
        """The profile and client secret typed in, or None after saying what is missing."""
        name, client_id = self.name_edit.text().strip(), self.client_id_edit.text().strip()
        centre = str(self.dc_combo.currentData())
        api, accounts = self.api_edit.text().strip(), self.accounts_edit.text().strip()
        problem = None
        if not name:
            problem = "Give the profile a name, for example the name of the org."
        elif not client_id:
            problem = "Enter the client ID from the Zoho API Console."
        elif centre == CUSTOM and not all(u.startswith(("https://", "http://")) for u in (api, accounts)):
            problem = "A custom data centre needs both an API server and an accounts server address (https://…)."
        secret = self.secret_edit.text().strip()
        if not secret and problem is None:
            stored = self._stored(self.profile_named(name))
            secret = stored.client_secret if stored else ""
            if not secret:
                problem = "Enter the client secret from the Zoho API Console."
        if problem:
            self._say(problem, error=True)
            return None
        base = self.profile_named(name) or Profile(name, centre if centre != CUSTOM else "US", client_id)
        profile = replace(base, name=name, data_centre=centre, client_id=client_id,
                          api_base=api or None if centre == CUSTOM else None,
                          accounts_base=accounts or None if centre == CUSTOM else None)
        return profile, secret

    def profile_named(self, name: str) -> Profile | None:
        """The saved profile called ``name`` (as listed when the dialog opened), or None."""
        return next((p for p in self._known if p.name == name), None)

    # -- actions --------------------------------------------------------------------------------
    def connect_stored(self) -> None:
        """Open the selected profile with its stored sign-in."""
        profile, store = self._picked(), self._store
        if profile is not None and store is not None:
            signin = self._make_signin(store)
            self._sign_in(f"Connecting to “{profile.name}”…", profile, store, signin,
                          lambda cancel: _signed_in(signin.open(profile), cancel))

    def sign_in_with_browser(self) -> None:
        """Sign in through the browser (loopback redirect and PKCE); the wait can be cancelled."""
        typed = self._ready_to_sign_in()
        if typed is not None:
            profile, secret, store, signin = typed
            self._sign_in("Waiting for you to sign in and allow access in your browser…", profile, store, signin,
                          lambda cancel: _keep_if_wanted(signin.with_browser(
                              profile, secret, self._open_url, cancel=cancel, timeout=self._browser_timeout), cancel))

    def sign_in_with_code(self) -> None:
        """Sign in with a grant code generated by a Self Client in the Zoho API Console."""
        code = self.code_edit.text().strip()
        if not code:
            self.code_button.setChecked(True)
            self._say("Paste the grant code that the Self Client generated in the Zoho API Console.", error=True)
            return
        typed = self._ready_to_sign_in()
        if typed is not None:
            profile, secret, store, signin = typed
            self._sign_in("Signing in with the grant code…", profile, store, signin,
                          lambda cancel: _keep_if_wanted(signin.with_grant_code(profile, secret, code), cancel))

    def try_demo(self) -> None:
        """Start the embedded sandbox and sign in to it (nothing goes to the keyring)."""
        starter = self._start_demo
        if starter is None:
            return

        def call(cancel: CancelToken) -> tuple["Demo", ZohoClient, User]:
            demo = starter()
            try:
                return (demo, *_signed_in(demo.connect(), cancel))
            except BaseException:
                demo.stop()
                raise

        def done(got: tuple["Demo", ZohoClient, User]) -> None:
            self.demo = got[0]
            self._accept_with(got[0].profile, got[0].signin, got[0].secrets, got[1], got[2], save=False)

        self._run("Starting the demo sandbox…", call, done)

    def cancel_sign_in(self) -> None:
        """Stop waiting: the running step is cancelled and whatever it brings back is dropped."""
        for job in self._jobs:
            job.cancel()
        self._generation += 1
        self._set_busy(False)
        self._say("Sign-in cancelled.")

    def _ready_to_sign_in(self) -> tuple[Profile, str, SecretStore, SignIn] | None:
        if self._store is None:
            self._say("Choose where to keep the client secret first (see the note about the keyring above).",
                      error=True)
            return None
        typed = self._profile_from_form()
        if typed is None:
            return None
        self._register_secret(typed[1])
        return typed[0], typed[1], self._store, self._make_signin(self._store)

    def _sign_in(self, message: str, profile: Profile, store: SecretStore, signin: SignIn,
                 call: Callable[[CancelToken], tuple[ZohoClient, User]]) -> None:
        self._run(message, call, lambda got: self._accept_with(profile, signin, store, *got))

    def _accept_with(self, profile: Profile, signin: SignIn, store: SecretStore, client: ZohoClient,
                     user: User, save: bool = True) -> None:
        if save:  # remember the profile (never its secrets) and that it was used last
            profile = replace(profile, user_email=user.email)
            try:
                self._profiles.save(profile)
                self._profiles.last_used = profile.name
            except ProfileStoreError as err:
                self.problem = f"Signed in, but the profile could not be saved: {err}"
        self.profile, self.signin, self.secrets, self.client, self.user = profile, signin, store, client, user
        self.connected.emit()
        self.accept()

    # -- the browser ------------------------------------------------------------------------------
    def _open_url(self, url: str) -> object:
        """Called on the sign-in thread with Zoho's sign-in address."""
        if self._open_browser is not None:
            return self._open_browser(url)
        self._browse.emit(url)  # queued to the GUI thread
        return True

    def _open_in_desktop_browser(self, url: str) -> None:
        opened = QDesktopServices.openUrl(QUrl(url))
        link = f'<a href="{html.escape(url)}">open the sign-in page</a>'
        if opened:
            self._say(f"Waiting for you to sign in and allow access in your browser… (If no page "
                      f"opened, {link} yourself.)", rich=True)
        else:
            self._say(f"No browser could be started; {link} yourself, then come back here.", rich=True)

    # -- jobs ------------------------------------------------------------------------------------
    def _run(self, message: str, call: Callable[[CancelToken], Any], on_success: Callable[[Any], None]) -> None:
        if self._busy:
            return
        self._generation += 1
        self._on_success = on_success
        job = CallJob(call, self._generation, self)
        job.result.connect(self._on_result)
        job.failed.connect(self._on_failed)
        job.finished.connect(lambda: self._forget(job))
        self._jobs.append(job)
        self._set_busy(True)
        self._say(message)
        job.start()

    def _forget(self, job: CallJob) -> None:
        if job in self._jobs:
            self._jobs.remove(job)
        job.deleteLater()

    def _on_result(self, generation: int, value: Any) -> None:
        if generation != self._generation:
            _discard(value)  # the user cancelled or moved on: do not leave it running
            return
        self._set_busy(False)
        assert self._on_success is not None
        self._on_success(value)

    def _on_failed(self, generation: int, code: str, message: str) -> None:
        if generation != self._generation:
            return
        self._set_busy(False)
        if code == "CANCELLED":
            self._say("Sign-in cancelled.")
        else:
            self._say(message, error=True)
        if code == "INVALID_CODE":
            self.code_button.setChecked(True)
        elif code == "SIGN_IN_REQUIRED":  # the stored sign-in is gone: only a new sign-in helps now
            self.connect_button.hide()

    @property
    def busy(self) -> bool:  # True while a sign-in step runs
        return self._busy

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for widget in (self.profile_combo, self.name_edit, self.dc_combo, self.api_edit, self.accounts_edit,
                       self.client_id_edit, self.secret_edit, self.connect_button, self.demo_button, self.keyring_box):
            widget.setEnabled(not busy)
        for widget in (self.browser_button, self.code_button, self.code_box):
            widget.setEnabled(not busy and self._store is not None)
        for widget in (self.busy_bar, self.stop_button):
            widget.setVisible(busy)

    def _say(self, text: str, error: bool = False, rich: bool = False) -> None:
        self.status.setStyleSheet(ERROR_STYLE if error else "")
        self.status.setText(text if rich else html.escape(text, quote=False).replace("\n", "<br>"))

    def done(self, result: int) -> None:
        self._generation += 1  # whatever still runs is no longer wanted
        for job in list(self._jobs):
            if not job.stop(wait_ms=2_000):  # a browser wait ends at once; an HTTP call may take longer:
                job.setParent(QCoreApplication.instance())  # it may outlive the dialog and cleans up itself
        super().done(result)


def _box(layout: Any, *items: QWidget | int) -> Any:
    """``layout`` with ``items`` added in order; a number is a stretch of that factor."""
    for item in items:
        if isinstance(item, int):
            layout.addStretch(item)
        else:
            layout.addWidget(item, 1 if isinstance(item, (QLineEdit, QProgressBar)) else 0)
    return layout


def _signed_in(client: ZohoClient, cancel: CancelToken) -> tuple[ZohoClient, User]:
    """``client`` with the signed-in user; closed again when it fails or the user cancelled."""
    try:
        user = client.current_user()
    except BaseException:
        client.close()
        raise
    return _keep_if_wanted((client, user), cancel)


def _keep_if_wanted(got: tuple[ZohoClient, User], cancel: CancelToken) -> tuple[ZohoClient, User]:
    if cancel.cancelled:
        got[0].close()
        raise Cancelled()
    return got


def _discard(value: Any) -> None:
    """Close what a stale job brought back (a client, a demo sandbox)."""
    for part in value if isinstance(value, tuple) else (value,):
        if isinstance(part, ZohoClient):
            part.close()
        elif callable(getattr(part, "stop", None)):  # a Demo
            part.stop()
