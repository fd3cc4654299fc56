"""Where client secrets and refresh tokens are kept: the OS keyring, or this session only.

:class:`KeyringSecretStore` keeps one keyring entry per profile (service ``zcrm-editor``,
username = the profile name) holding ``{"client_secret": …, "refresh_token": …}`` as JSON.
If the machine has no usable keyring it raises :class:`NoKeyringError`, whose message says
what to install; it never falls back to a plain-text file. The user may then choose
:class:`SessionSecretStore`, which keeps secrets in memory and forgets them on exit.

Error messages never contain a secret.
"""

from __future__ import annotations

import json
import sys
import threading
from typing import Callable, TypeVar

import keyring
import keyring.errors
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null

from gui.core.profile import SecretStore, StoredSecrets

T = TypeVar("T")

SERVICE = "zcrm-editor"
SESSION_ONLY_NOTE = (
    "Secrets are kept for this session only: they are forgotten when the app exits, "
    "and you will need to sign in again next time."
)


class SecretsError(Exception):
    """A secret could not be read, saved or deleted. The message is fit to show the user."""


class NoKeyringError(SecretsError):
    """No usable, secure keyring backend; ``advice`` says what to install."""

    def __init__(self, message: str, advice: str):
        super().__init__(message)
        self.advice = advice


def install_advice(platform: str | None = None) -> str:
    """What to install or check so that keyring finds a secure backend on ``platform``."""
    platform = platform or sys.platform
    if platform == "darwin":
        return ("On macOS the login Keychain works out of the box; check that keyring has not "
                "been configured to use another backend (PYTHON_KEYRING_BACKEND or keyringrc.cfg).")
    if platform.startswith("win"):
        return ("On Windows the Credential Locker works out of the box; check that pywin32-ctypes "
                "is installed and that keyring has not been configured to use another backend "
                "(PYTHON_KEYRING_BACKEND or keyringrc.cfg).")
    return ("On Linux, install and run a Secret Service provider such as GNOME Keyring "
            "(gnome-keyring) or KWallet in your desktop session (it needs D-Bus), and make sure "
            "the Python packages 'secretstorage' and 'jeepney' are installed (keyring 24 and "
            "later reaches the Secret Service through SecretStorage; KWallet also needs "
            "'dbus-python').")


def _no_keyring(problem: str) -> NoKeyringError:
    advice = install_advice()
    message = (f"{problem} The client secret and refresh token can only be stored in a secure "
               f"keyring. {advice} Or choose \"this session only\": the secrets are then kept in "
               "memory and forgotten when the app exits.")
    return NoKeyringError(message, advice)


def _backend_name(backend: KeyringBackend) -> str:
    if isinstance(backend, chainer.ChainerBackend):
        inner = ", ".join(_backend_name(b) for b in backend.backends) or "no backends"
        return f"keyring chainer ({inner})"
    return f"{type(backend).__module__}.{type(backend).__qualname__}"


def _problem_with(backend: KeyringBackend) -> str | None:
    """Why ``backend`` cannot keep secrets safely, or None if it can."""
    if isinstance(backend, fail.Keyring):
        return "No keyring backend is available on this system."
    if isinstance(backend, null.Keyring):
        return "The keyring is switched off (the null backend is configured)."
    if isinstance(backend, chainer.ChainerBackend):
        chained = backend.backends
        if not chained:
            return "No keyring backend is available on this system."
        return _problem_with(chained[0])  # writes go to the first (highest priority) backend
    module = type(backend).__module__
    if module.startswith("keyrings.alt") or "plaintext" in type(backend).__name__.lower():
        return (f"The configured keyring backend ({_backend_name(backend)}) keeps secrets in a "
                f"plain or weakly protected file, which this app does not use.")
    return None


def backend_description(backend: KeyringBackend | None = None) -> tuple[str, bool]:
    """The keyring backend in use (or ``backend``) as (readable name, is it secure)."""
    ring = backend if backend is not None else keyring.get_keyring()
    return _backend_name(ring), _problem_with(ring) is None


class KeyringSecretStore:
    """Secrets in the OS keyring, one entry per profile (see the module docstring).

    Uses ``backend`` if given, else keyring's current backend at construction time.
    Raises :class:`NoKeyringError` at once if that backend is missing or not secure.
    """

    persistent = True

    def __init__(self, backend: KeyringBackend | None = None, service: str = SERVICE):
        try:
            ring = backend if backend is not None else keyring.get_keyring()
        except (keyring.errors.NoKeyringError, keyring.errors.InitError):
            raise _no_keyring("The keyring could not be started.") from None
        problem = _problem_with(ring)
        if problem:
            raise _no_keyring(problem)
        self._backend = ring
        self._service = service

    @property
    def backend_name(self) -> str:
        return _backend_name(self._backend)

    def load(self, profile_name: str) -> StoredSecrets | None:
        """The secrets of ``profile_name``, or None if the keyring has none for it."""
        raw = self._call("read", profile_name, lambda: self._backend.get_password(self._service, profile_name))
        if raw is None:
            return None
        try:
            data = json.loads(raw)
        except ValueError:
            data = None
        if (not isinstance(data, dict) or not isinstance(data.get("client_secret"), str)
                or not isinstance(data.get("refresh_token"), (str, type(None)))):
            raise SecretsError(f"The keyring entry of profile {profile_name!r} is not in the expected "
                               "format; sign in again to replace it.")
        return StoredSecrets(client_secret=data["client_secret"], refresh_token=data.get("refresh_token"))

    def save(self, profile_name: str, secrets: StoredSecrets) -> None:
        """Store (or replace) the secrets of ``profile_name``."""
        payload = json.dumps({"client_secret": secrets.client_secret, "refresh_token": secrets.refresh_token})
        hide = (secrets.client_secret, secrets.refresh_token or "", payload)
        self._call("save", profile_name,
                   lambda: self._backend.set_password(self._service, profile_name, payload), hide)

    def delete(self, profile_name: str) -> None:
        """Remove the secrets of ``profile_name``; nothing happens if there are none."""
        if self._call("read", profile_name,
                      lambda: self._backend.get_password(self._service, profile_name)) is None:
            return
        self._call("delete", profile_name, lambda: self._backend.delete_password(self._service, profile_name))

    def _call(self, action: str, profile_name: str, operation: Callable[[], T],
              hide: tuple[str, ...] = ()) -> T:
        """Run one keyring operation, turning its failures into :class:`SecretsError`."""
        try:
            return operation()
        except (keyring.errors.NoKeyringError, keyring.errors.InitError):
            raise _no_keyring("The keyring could not be used.") from None
        except keyring.errors.KeyringLocked:
            raise SecretsError("The keyring is locked. Unlock it (for example by signing in to your "
                               f"desktop session) and try again to {action} the secrets of profile "
                               f"{profile_name!r}.") from None
        except Exception as exc:  # backends raise D-Bus, OS and their own errors alike
            detail = str(exc)
            for secret in sorted((h for h in hide if h), key=len, reverse=True):
                detail = detail.replace(secret, "[redacted]")
            raise SecretsError(f"Could not {action} the secrets of profile {profile_name!r} in the "
                               f"keyring ({self.backend_name}): {type(exc).__name__}: {detail}") from None


class SessionSecretStore:
    """Secrets kept in memory for this session only, chosen explicitly by the user.

    Nothing is written anywhere: everything is forgotten when the app exits (or on
    :meth:`forget_all`), and the user signs in again next time.
    """

    persistent = False
    note = SESSION_ONLY_NOTE

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: dict[str, StoredSecrets] = {}

    def load(self, profile_name: str) -> StoredSecrets | None:
        with self._lock:
            return self._secrets.get(profile_name)

    def save(self, profile_name: str, secrets: StoredSecrets) -> None:
        with self._lock:
            self._secrets[profile_name] = secrets

    def delete(self, profile_name: str) -> None:
        with self._lock:
            self._secrets.pop(profile_name, None)

    def forget_all(self) -> None:
        """Drop every secret held in memory."""
        with self._lock:
            self._secrets.clear()


def open_secret_store(session_only: bool, backend: KeyringBackend | None = None) -> SecretStore:
    """The keyring store, or (when the user chose it) the session-only store.

    Raises :class:`NoKeyringError` when the keyring is wanted but not usable; the caller
    shows the message and may offer "this session only" (``session_only=True``).
    """
    if session_only:
        return SessionSecretStore()
    return KeyringSecretStore(backend)
