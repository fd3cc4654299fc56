"""Connection profiles on disk: round trip, modes, and what happens to a bad file."""

from __future__ import annotations

import json
import os
import stat

import pytest

from gui.core.profile import Profile
from gui.services.profiles import ProfileStore, ProfileStoreError

posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX only")

EU = Profile(name="Work EU", data_centre="EU", client_id="1000.ABCDEF", edition="Enterprise",
             user_email="admin@example.com")
SANDBOX = Profile(name="sandbox", data_centre="custom", client_id="1000.SANDBOX",
                  scopes=("ZohoCRM.modules.ALL",), api_base="http://127.0.0.1:8080",
                  accounts_base="http://127.0.0.1:8080", concurrency=4, extra={"note": "demo"})


@pytest.fixture
def store(paths) -> ProfileStore:
    return ProfileStore(paths)


def test_round_trip(store, paths):
    store.save(SANDBOX)
    store.save(EU)
    again = ProfileStore(paths)  # a fresh instance reads only the file
    assert again.list() == [SANDBOX, EU]  # sorted by name, case-insensitively
    assert again.get("sandbox") == SANDBOX
    assert again.get("sandbox").extra == {"note": "demo"}  # extra is not part of ==
    assert again.get("sandbox").scopes == ("ZohoCRM.modules.ALL",)
    assert again.get("missing") is None
    assert store.path == paths.config_dir / "profiles.json"


@posix_only
def test_file_and_folder_are_private(store, paths):
    store.save(EU)
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(paths.config_dir).st_mode) == 0o700


def test_no_secret_ever_reaches_the_file(store):
    store.save(SANDBOX)
    text = store.path.read_text(encoding="utf-8")
    for word in ("secret", "token", "password"):
        assert word not in text.lower()
    assert json.loads(text)["version"] == 1


def test_reading_an_empty_store_creates_nothing(store):
    assert store.list() == []
    assert store.last_used is None
    assert not store.path.exists()


def test_save_replaces_by_name(store):
    store.save(EU)
    changed = Profile(name="Work EU", data_centre="IN", client_id="1000.OTHER")
    store.save(changed)
    assert store.list() == [changed]


def test_delete_and_last_used(store):
    store.save(EU)
    store.save(SANDBOX)
    store.last_used = "sandbox"
    assert ProfileStore(store._paths).last_used == "sandbox"
    with pytest.raises(ProfileStoreError, match="no profile called 'nope'"):
        store.last_used = "nope"
    assert store.delete("sandbox") is True
    assert store.delete("sandbox") is False
    assert store.last_used is None  # the last used profile went with it
    assert store.list() == [EU]
    store.last_used = "Work EU"
    store.last_used = None
    assert store.last_used is None


def test_a_corrupt_file_is_kept_aside_with_a_clear_message(store):
    store.path.parent.mkdir(parents=True)
    store.path.write_text('{"profiles": [', encoding="utf-8")
    with pytest.raises(ProfileStoreError) as caught:
        store.list()
    kept = store.path.with_name("profiles.json.corrupt-1")
    message = str(caught.value)
    assert str(store.path) in message and str(kept) in message and "not valid JSON" in message
    assert caught.value.moved_to == kept
    assert kept.read_text(encoding="utf-8") == '{"profiles": ['  # nothing lost
    assert store.list() == []  # the app can go on
    store.save(EU)  # and save again
    assert store.list() == [EU]


def test_a_second_bad_file_does_not_overwrite_the_first(store):
    store.path.parent.mkdir(parents=True)
    for n, content in enumerate((b"\xff\xfe not utf-8", b"[1, 2]"), start=1):
        store.path.write_bytes(content)
        with pytest.raises(ProfileStoreError):
            store.load()
        assert store.path.with_name(f"profiles.json.corrupt-{n}").read_bytes() == content


@pytest.mark.parametrize("document, words", [
    ({"profiles": [{"name": "x", "data_centre": "MARS", "client_id": "c"}]}, "unknown data centre"),
    ({"profiles": [{"name": "x", "client_id": "c"}]}, "has no 'data_centre'"),
    ({"profiles": [{"name": 5, "data_centre": "US", "client_id": "c"}]}, "'name' is not text"),
    ({"profiles": [{"name": "x", "data_centre": "US", "client_id": "c", "scopes": "all"}]}, "scopes"),
    ({"profiles": [{"name": "x", "data_centre": "US", "client_id": "c"}] * 2}, "more than one profile"),
    ({"profiles": ["x"]}, "profile 1 is not an object"),
    ({"profiles": [], "version": 99}, "newer than this app"),
    ({"profile": []}, "no list of profiles"),
])
def test_bad_content_is_reported_and_kept(store, document, words):
    store.path.parent.mkdir(parents=True)
    store.path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ProfileStoreError, match=words):
        store.get("x")
    assert store.path.with_name("profiles.json.corrupt-1").exists()
    assert not store.path.exists()


def test_unknown_keys_from_a_newer_version_are_ignored(store):
    store.path.parent.mkdir(parents=True)
    store.path.write_text(json.dumps({"version": 1, "profiles": [
        {"name": "x", "data_centre": "US", "client_id": "c", "colour": "blue"}]}), encoding="utf-8")
    assert store.get("x") == Profile(name="x", data_centre="US", client_id="c")
