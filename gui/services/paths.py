"""Where the app keeps its files, and how it writes files nobody else should read.

:class:`AppPaths` names the four per-user folders (settings, data, cache, logs). In the app
they come from platformdirs; tests point them all under one temporary folder with
:meth:`AppPaths.under`. Folders the app creates are private to the user (mode 0700 on
POSIX) and files holding user data are written atomically with mode 0600, so a crash never
leaves half a file behind and other users on the machine cannot read them.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from platformdirs import PlatformDirs

APP_NAME = "zcrm-editor"
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
_POSIX = os.name == "posix"


@dataclass(frozen=True)
class AppPaths:
    """The per-user folders of the app. Nothing is created until :meth:`ensure` is called."""

    config_dir: Path
    data_dir: Path
    cache_dir: Path
    log_dir: Path

    @classmethod
    def default(cls) -> AppPaths:
        """The platform's usual folders for this user (from platformdirs)."""
        dirs = PlatformDirs(appname=APP_NAME, appauthor=False)
        return cls(
            config_dir=Path(dirs.user_config_dir),
            data_dir=Path(dirs.user_data_dir),
            cache_dir=Path(dirs.user_cache_dir),
            log_dir=Path(dirs.user_log_dir),
        )

    @classmethod
    def under(cls, root: str | os.PathLike[str]) -> AppPaths:
        """All four folders below one root (``root/config``, ``root/data``, …), for tests."""
        base = Path(root)
        return cls(
            config_dir=base / "config",
            data_dir=base / "data",
            cache_dir=base / "cache",
            log_dir=base / "log",
        )

    def ensure(self) -> AppPaths:
        """Create the four folders (private to the user) and return ``self``."""
        for folder in (self.config_dir, self.data_dir, self.cache_dir, self.log_dir):
            ensure_private_dir(folder)
        return self


def ensure_private_dir(path: str | os.PathLike[str]) -> Path:
    """Create ``path`` (and missing parents) and make it readable by the user only.

    On POSIX the folder ends up with mode 0700 even if it already existed with a wider mode;
    parents it has to create are 0700 too (existing parents are left as they are).
    On Windows the folder is created and left to the per-user profile's permissions.
    """
    folder = Path(path)
    missing = [p for p in (folder, *folder.parents) if not p.exists()]
    for parent in reversed(missing[1:]):  # mkdir(parents=True) would make these with the umask's mode
        parent.mkdir(mode=PRIVATE_DIR_MODE, exist_ok=True)
    folder.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    if _POSIX:
        os.chmod(folder, PRIVATE_DIR_MODE)
    return folder


def write_private_file(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically, readable by the user only.

    The text goes to a temporary file in the same folder (mode 0600), is flushed to disk,
    and then replaces ``path`` in one step, so readers see either the old or the new file,
    never a mix. A missing parent folder is created private; an existing one is left as is.
    """
    target = Path(path)
    if not target.parent.exists():
        ensure_private_dir(target.parent)
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            if _POSIX:  # mkstemp already uses 0600; say so explicitly all the same
                os.fchmod(handle.fileno(), PRIVATE_FILE_MODE)
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, target)
    except BaseException:
        try:
            os.unlink(temp_name)
        except OSError:
            pass
        raise
    _fsync_dir(target.parent)
    return target


def _fsync_dir(folder: Path) -> None:
    """Make a rename inside ``folder`` durable (POSIX only; best effort)."""
    if not _POSIX:
        return
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
