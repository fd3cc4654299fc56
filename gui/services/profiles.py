"""Connection profiles on disk: ``profiles.json`` in the app's settings folder.

The file holds the profiles (name, data centre, client id, scopes, …) and which one was
used last. It never holds a secret: :class:`~gui.core.profile.Profile` has no secret
fields, and client secrets and refresh tokens live in a secret store (the OS keyring).

Every call reads the file afresh, so two windows (or two processes) never work from a stale
copy, and every change is written atomically with mode 0600. A file that cannot be
understood is never dropped silently: it is moved aside as ``profiles.json.corrupt-<n>``
and a :class:`ProfileStoreError` says where it went.
"""

from __future__ import annotations

import builtins
import json
import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from gui.core.profile import Profile
from gui.services.paths import AppPaths, ensure_private_dir, write_private_file

FILE_NAME = "profiles.json"
FORMAT_VERSION = 1

# Fields of Profile and the JSON types each may hold (None always allowed where optional).
_STRING_FIELDS = {"name", "data_centre", "client_id", "edition"}
_OPTIONAL_STRING_FIELDS = {"api_base", "accounts_base", "user_email"}


class ProfileStoreError(Exception):
    """The profiles file could not be read or written; the message says which file and why."""

    def __init__(self, message: str, path: Path, moved_to: Path | None = None):
        super().__init__(message)
        self.path = path
        self.moved_to = moved_to  # where an unreadable file was kept, if it was moved


@dataclass(frozen=True)
class ProfileSet:
    """Everything in the profiles file: the profiles (sorted by name) and the last used."""

    profiles: tuple[Profile, ...] = ()
    last_used: str | None = None


class ProfileStore:
    """Reads and writes the connection profiles of one user (see the module docstring)."""

    def __init__(self, paths: AppPaths):
        self._paths = paths

    @property
    def path(self) -> Path:
        """The profiles file (it may not exist yet)."""
        return self._paths.config_dir / FILE_NAME

    # -- reading -------------------------------------------------------------------------

    def load(self) -> ProfileSet:
        """Read the file. A missing file is an empty set; an unreadable one is moved aside."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return ProfileSet()
        except OSError as exc:
            raise ProfileStoreError(
                f"Could not read the profiles file {self.path}: {exc.strerror or exc}.", self.path
            ) from exc
        try:
            return _decode(raw)
        except _BadFile as exc:
            moved = self._move_aside()
            raise ProfileStoreError(
                f"The profiles file {self.path} could not be understood ({exc}). It was kept as "
                f"{moved} and the app starts with no profiles; add them again or repair that file.",
                self.path, moved,
            ) from None

    def list(self) -> builtins.list[Profile]:
        """All profiles, sorted by name."""
        return builtins.list(self.load().profiles)

    def get(self, name: str) -> Profile | None:
        """The profile called ``name``, or None."""
        return next((p for p in self.load().profiles if p.name == name), None)

    @property
    def last_used(self) -> str | None:
        """The name of the profile used last, or None (also when it no longer exists)."""
        current = self.load()
        if any(p.name == current.last_used for p in current.profiles):
            return current.last_used
        return None

    @last_used.setter
    def last_used(self, name: str | None) -> None:
        current = self.load()
        if name is not None and not any(p.name == name for p in current.profiles):
            raise ProfileStoreError(f"There is no profile called {name!r} in {self.path}.", self.path)
        self._write(ProfileSet(current.profiles, name))

    # -- changing ------------------------------------------------------------------------

    def save(self, profile: Profile) -> None:
        """Add ``profile``, or replace the one with the same name."""
        current = self.load()
        others = [p for p in current.profiles if p.name != profile.name]
        self._write(ProfileSet(tuple(others) + (profile,), current.last_used))

    def delete(self, name: str) -> bool:
        """Remove the profile called ``name``; True if there was one.

        Only the profile goes; its secrets stay in the secret store until the caller
        deletes them too (sign-out does both).
        """
        current = self.load()
        kept = tuple(p for p in current.profiles if p.name != name)
        if len(kept) == len(current.profiles):
            return False
        last = None if current.last_used == name else current.last_used
        self._write(ProfileSet(kept, last))
        return True

    # -- file handling -------------------------------------------------------------------

    def _write(self, content: ProfileSet) -> None:
        ordered = sorted(content.profiles, key=lambda p: (p.name.casefold(), p.name))
        document = {
            "version": FORMAT_VERSION,
            "last_used": content.last_used,
            "profiles": [_profile_to_json(p) for p in ordered],
        }
        try:
            ensure_private_dir(self._paths.config_dir)
            write_private_file(self.path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise ProfileStoreError(
                f"Could not write the profiles file {self.path}: {exc.strerror or exc}.", self.path
            ) from exc

    def _move_aside(self) -> Path:
        """Rename the current file to the first free ``profiles.json.corrupt-<n>``."""
        n = 1
        while True:
            target = self.path.with_name(f"{FILE_NAME}.corrupt-{n}")
            if not target.exists():
                break
            n += 1
        try:
            os.replace(self.path, target)
        except OSError as exc:
            raise ProfileStoreError(
                f"The profiles file {self.path} could not be understood and could not be moved "
                f"aside either ({exc.strerror or exc}); please move or repair it by hand.", self.path
            ) from exc
        return target


class _BadFile(ValueError):
    """The file's content is not a profiles document we can read."""


def _profile_to_json(profile: Profile) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for f in fields(Profile):
        value = getattr(profile, f.name)
        if f.name == "scopes":
            value = builtins.list(value)
        elif f.name == "extra":
            value = dict(value)
        data[f.name] = value
    return data


def _decode(raw: bytes) -> ProfileSet:
    try:
        document = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise _BadFile("it is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise _BadFile(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    if not isinstance(document, dict) or not isinstance(document.get("profiles"), builtins.list):
        raise _BadFile("it has no list of profiles")
    version = document.get("version", FORMAT_VERSION)
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise _BadFile(f"format version {version!r} is newer than this app understands")
    last_used = document.get("last_used")
    if last_used is not None and not isinstance(last_used, str):
        raise _BadFile("'last_used' is not a name")
    profiles: builtins.list[Profile] = []
    for index, entry in enumerate(document["profiles"], start=1):
        profile = _profile_from_json(entry, index)
        if any(p.name == profile.name for p in profiles):
            raise _BadFile(f"the name {profile.name!r} is used by more than one profile")
        profiles.append(profile)
    return ProfileSet(tuple(profiles), last_used)


def _profile_from_json(entry: object, index: int) -> Profile:
    where = f"profile {index}"
    if not isinstance(entry, dict):
        raise _BadFile(f"{where} is not an object")
    known = {f.name for f in fields(Profile)}
    values: dict[str, Any] = {}
    for key, value in entry.items():
        if key not in known:
            continue  # written by a newer version; ignored rather than refused
        if key in _STRING_FIELDS and not isinstance(value, str):
            raise _BadFile(f"{where}: {key!r} is not text")
        if key in _OPTIONAL_STRING_FIELDS and value is not None and not isinstance(value, str):
            raise _BadFile(f"{where}: {key!r} is not text")
        if key == "scopes":
            if not isinstance(value, builtins.list) or not all(isinstance(s, str) for s in value):
                raise _BadFile(f"{where}: 'scopes' is not a list of text")
            value = tuple(value)
        if key == "concurrency" and value is not None and (type(value) is not int or value < 1):
            raise _BadFile(f"{where}: 'concurrency' is not a positive whole number")
        if key == "extra":
            if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()
            ):
                raise _BadFile(f"{where}: 'extra' is not a table of text")
            value = dict(value)
        values[key] = value
    missing = [name for name in ("name", "data_centre", "client_id") if name not in values]
    if missing:
        raise _BadFile(f"{where} has no {', '.join(repr(m) for m in missing)}")
    try:
        return Profile(**values)
    except ValueError as exc:
        raise _BadFile(f"{where}: {exc}") from None
