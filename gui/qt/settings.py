"""What the editor remembers between runs, as typed values over a :class:`QSettings`.

Columns, column widths, window geometry, splitter sizes, the last module of each profile,
the triggers of each profile, "skip preview for small submits" and the locale. Nothing
secret is ever stored here: client secrets and tokens live in the OS keyring only.

Lists and tables are kept as JSON text, so an ini file (the tests' format) and the native
stores (registry, plist) read back the same types. A value that cannot be understood (a
hand-edited file, an older version) reads as the default instead of failing. In keys,
``%``, ``/`` and ``\\`` of profile and module names are escaped, so each name stays one key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

LOCALES: tuple[str, ...] = ("en_US", "en_GB", "de_DE")
DEFAULT_LOCALE = "en_US"


@dataclass(frozen=True)
class Triggers:
    """Which Zoho automations an update runs. Zoho runs all three unless told otherwise."""

    approval: bool = True
    workflow: bool = True
    blueprint: bool = True

    def as_list(self) -> tuple[str, ...]:
        """The ``trigger`` list of an update call (``("approval", "workflow", …)``)."""
        return tuple(name for name in ("approval", "workflow", "blueprint") if getattr(self, name))


def _key(*parts: str) -> str:
    """A settings key; ``%``, ``/`` and ``\\`` in names are escaped so each name stays one level."""
    return "/".join(p.replace("%", "%25").replace("/", "%2F").replace("\\", "%5C") for p in parts)


class EditorSettings:
    """Typed reads and writes of the editor's settings (see the module docstring)."""

    def __init__(self, qsettings: QSettings) -> None:
        self._s = qsettings

    @property
    def qsettings(self) -> QSettings:
        return self._s

    def sync(self) -> None:
        """Write pending changes to the store now (QSettings also does this on its own)."""
        self._s.sync()

    # -- low-level typed access -----------------------------------------------------------
    def _json(self, key: str) -> Any:
        raw = self._s.value(key)
        if not isinstance(raw, str):
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return None

    def _set_json(self, key: str, value: Any) -> None:
        self._s.setValue(key, json.dumps(value, ensure_ascii=False))

    def _bytes(self, key: str) -> bytes | None:
        raw = self._s.value(key)
        if isinstance(raw, QByteArray):
            return bytes(raw.data()) or None
        if isinstance(raw, (bytes, bytearray)):
            return bytes(raw) or None
        return None

    def _bool(self, key: str, default: bool) -> bool:
        raw = self._s.value(key)
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, str) and raw.lower() in ("true", "false"):
            return raw.lower() == "true"
        return default

    # -- columns ----------------------------------------------------------------------------
    def columns(self, profile: str, module: str) -> list[str] | None:
        """The chosen columns (API names, in order) of ``module`` in ``profile``; None if never chosen."""
        value = self._json(_key("profiles", profile, "modules", module, "columns"))
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list(dict.fromkeys(value))
        return None

    def set_columns(self, profile: str, module: str, columns: list[str]) -> None:
        self._set_json(_key("profiles", profile, "modules", module, "columns"), list(dict.fromkeys(columns)))

    def column_widths(self, profile: str, module: str) -> dict[str, int]:
        """Column widths in pixels by API name (empty when none were saved)."""
        value = self._json(_key("profiles", profile, "modules", module, "widths"))
        if not isinstance(value, dict):
            return {}
        return {k: v for k, v in value.items() if isinstance(k, str) and type(v) is int and v > 0}

    def set_column_widths(self, profile: str, module: str, widths: dict[str, int]) -> None:
        clean = {str(k): int(v) for k, v in widths.items() if int(v) > 0}
        self._set_json(_key("profiles", profile, "modules", module, "widths"), clean)

    # -- window -------------------------------------------------------------------------------
    def window_geometry(self) -> bytes | None:
        """What ``QMainWindow.saveGeometry()`` returned last time, or None."""
        return self._bytes("window/geometry")

    def set_window_geometry(self, data: bytes | QByteArray) -> None:
        self._s.setValue("window/geometry", QByteArray(bytes(data)))

    def window_state(self) -> bytes | None:
        """What ``QMainWindow.saveState()`` returned last time (docks, toolbars), or None."""
        return self._bytes("window/state")

    def set_window_state(self, data: bytes | QByteArray) -> None:
        self._s.setValue("window/state", QByteArray(bytes(data)))

    def splitter_sizes(self, name: str) -> list[int] | None:
        """The sizes of the splitter called ``name``, or None."""
        value = self._json(_key("window", "splitters", name))
        if isinstance(value, list) and value and all(type(v) is int and v >= 0 for v in value):
            return value
        return None

    def set_splitter_sizes(self, name: str, sizes: list[int]) -> None:
        self._set_json(_key("window", "splitters", name), [int(v) for v in sizes])

    # -- per profile ---------------------------------------------------------------------------
    def last_module(self, profile: str) -> str | None:
        value = self._s.value(_key("profiles", profile, "last_module"))
        return value if isinstance(value, str) and value else None

    def set_last_module(self, profile: str, module: str | None) -> None:
        key = _key("profiles", profile, "last_module")
        if module:
            self._s.setValue(key, module)
        else:
            self._s.remove(key)

    def triggers(self, profile: str) -> Triggers:
        value = self._json(_key("profiles", profile, "triggers"))
        if not isinstance(value, dict):
            return Triggers()
        default = Triggers()
        return Triggers(**{name: value[name] if isinstance(value.get(name), bool) else getattr(default, name)
                           for name in ("approval", "workflow", "blueprint")})

    def set_triggers(self, profile: str, triggers: Triggers) -> None:
        self._set_json(_key("profiles", profile, "triggers"), {
            "approval": triggers.approval, "workflow": triggers.workflow, "blueprint": triggers.blueprint})

    def forget_profile(self, profile: str) -> None:
        """Drop everything remembered for ``profile`` (after the profile was deleted)."""
        self._s.remove(_key("profiles", profile))

    # -- app-wide -------------------------------------------------------------------------------
    def skip_preview_for_small_submits(self) -> bool:
        return self._bool("submit/skip_preview_small", False)

    def set_skip_preview_for_small_submits(self, skip: bool) -> None:
        self._s.setValue("submit/skip_preview_small", bool(skip))

    def locale_name(self) -> str:
        """One of :data:`LOCALES`; :data:`DEFAULT_LOCALE` when unset or unknown."""
        value = self._s.value("locale/name")
        return value if isinstance(value, str) and value in LOCALES else DEFAULT_LOCALE

    def set_locale_name(self, name: str) -> None:
        if name not in LOCALES:
            raise ValueError(f"unknown locale {name!r}; choose one of {', '.join(LOCALES)}")
        self._s.setValue("locale/name", name)
