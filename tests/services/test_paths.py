"""App folders and private, atomic file writes."""

from __future__ import annotations

import os
import stat

import pytest

from gui.services import paths as paths_module
from gui.services.paths import AppPaths, ensure_private_dir, write_private_file

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX only")


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_under_puts_every_folder_below_the_root(tmp_path):
    p = AppPaths.under(tmp_path)
    assert [p.config_dir, p.data_dir, p.cache_dir, p.log_dir] == [
        tmp_path / "config", tmp_path / "data", tmp_path / "cache", tmp_path / "log"]
    assert not p.config_dir.exists()  # nothing is created until asked


def test_default_uses_the_app_name():
    p = AppPaths.default()
    for folder in (p.config_dir, p.data_dir, p.cache_dir, p.log_dir):
        assert "zcrm-editor" in str(folder)


@posix_only
def test_ensure_creates_private_folders(tmp_path):
    p = AppPaths.under(tmp_path).ensure()
    for folder in (p.config_dir, p.data_dir, p.cache_dir, p.log_dir):
        assert folder.is_dir() and mode(folder) == 0o700


@posix_only
def test_ensure_private_dir_tightens_an_existing_folder(tmp_path):
    folder = tmp_path / "open"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    assert ensure_private_dir(folder) == folder
    assert mode(folder) == 0o700


def test_write_private_file_writes_text_and_replaces(tmp_path):
    target = tmp_path / "cfg" / "file.json"
    write_private_file(target, "first\n")
    write_private_file(target, "zweite ünicode\r\n")
    assert target.read_bytes() == "zweite ünicode\r\n".encode("utf-8")
    assert sorted(os.listdir(target.parent)) == ["file.json"]  # no temporary files left


@posix_only
def test_write_private_file_modes(tmp_path):
    target = tmp_path / "new" / "file.txt"
    write_private_file(target, "x")
    assert mode(target) == 0o600
    assert mode(target.parent) == 0o700  # a missing parent is created private
    loose = tmp_path / "loose.txt"
    loose.write_text("old")
    os.chmod(loose, 0o644)
    write_private_file(loose, "new")
    assert mode(loose) == 0o600


def test_a_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "keep.txt"
    write_private_file(target, "old")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(paths_module.os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_private_file(target, "new")
    monkeypatch.undo()
    assert target.read_text() == "old"
    assert sorted(os.listdir(tmp_path)) == ["keep.txt"]
