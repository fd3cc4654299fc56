"""EditorSettings: typed round trips through a QSettings ini file in tmp_path (never the user's)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow, QSplitter, QWidget

from gui.qt.settings import DEFAULT_LOCALE, LOCALES, EditorSettings, Triggers


@pytest.fixture
def ini(tmp_path: Path) -> Path:
    return tmp_path / "settings.ini"


def open_settings(ini: Path) -> EditorSettings:
    return EditorSettings(QSettings(str(ini), QSettings.Format.IniFormat))


def reopened(settings: EditorSettings, ini: Path) -> EditorSettings:
    settings.sync()
    return open_settings(ini)


def test_nothing_saved_reads_as_defaults(ini):
    s = open_settings(ini)
    assert s.columns("Zylker", "Leads") is None
    assert s.column_widths("Zylker", "Leads") == {}
    assert s.window_geometry() is None and s.window_state() is None
    assert s.splitter_sizes("main") is None
    assert s.last_module("Zylker") is None
    assert s.triggers("Zylker") == Triggers(approval=True, workflow=True, blueprint=True)
    assert s.skip_preview_for_small_submits() is False
    assert s.locale_name() == DEFAULT_LOCALE == "en_US"


def test_columns_and_widths_round_trip_per_profile_and_module(ini):
    s = open_settings(ini)
    s.set_columns("Zylker", "Leads", ["Full_Name", "Email", "Company"])
    s.set_columns("Zylker", "Deals", ["Deal_Name"])  # one element stays a list, not a bare string
    s.set_columns("Other org", "Leads", [])
    s.set_column_widths("Zylker", "Leads", {"Full_Name": 180, "Email": 240})
    again = reopened(s, ini)
    assert again.columns("Zylker", "Leads") == ["Full_Name", "Email", "Company"]
    assert again.columns("Zylker", "Deals") == ["Deal_Name"]
    assert again.columns("Other org", "Leads") == []
    assert again.columns("Other org", "Deals") is None
    assert again.column_widths("Zylker", "Leads") == {"Full_Name": 180, "Email": 240}
    assert again.column_widths("Zylker", "Deals") == {}


def test_names_with_slashes_and_spaces_stay_one_key(ini):
    s = open_settings(ini)
    s.set_columns("Sales / EU", "Leads", ["A"])
    s.set_columns("Sales", "Leads", ["B"])
    s.set_columns("50% \\ back", "Leads", ["C"])
    s.set_last_module("Sales / EU", "Custom_Module/1")
    again = reopened(s, ini)
    assert again.columns("Sales / EU", "Leads") == ["A"]
    assert again.columns("Sales", "Leads") == ["B"]
    assert again.columns("50% \\ back", "Leads") == ["C"]
    assert again.last_module("Sales / EU") == "Custom_Module/1"
    assert again.last_module("Sales") is None


def test_window_geometry_state_and_splitters_restore_a_window(ini, qtbot):
    window = QMainWindow()
    qtbot.addWidget(window)
    splitter = QSplitter(window)
    splitter.addWidget(QWidget())
    splitter.addWidget(QWidget())
    window.setCentralWidget(splitter)
    window.resize(820, 540)
    window.show()
    splitter.setSizes([600, 200])
    s = open_settings(ini)
    s.set_window_geometry(window.saveGeometry())
    s.set_window_state(bytes(window.saveState().data()))
    s.set_splitter_sizes("records", splitter.sizes())

    again = reopened(s, ini)
    geometry, state = again.window_geometry(), again.window_state()
    assert isinstance(geometry, bytes) and geometry == bytes(window.saveGeometry().data())
    assert state == bytes(window.saveState().data())
    assert again.splitter_sizes("records") == splitter.sizes()

    other = QMainWindow()
    qtbot.addWidget(other)
    assert other.restoreGeometry(QByteArray(geometry))
    assert other.restoreState(QByteArray(state))


def test_last_module_triggers_and_preview_round_trip(ini):
    s = open_settings(ini)
    s.set_last_module("Zylker", "Deals")
    s.set_triggers("Zylker", Triggers(approval=False, workflow=True, blueprint=False))
    s.set_skip_preview_for_small_submits(True)
    again = reopened(s, ini)
    assert again.last_module("Zylker") == "Deals"
    assert again.triggers("Zylker") == Triggers(approval=False, workflow=True, blueprint=False)
    assert again.triggers("Zylker").as_list() == ("workflow",)
    assert again.triggers("Other") == Triggers()
    assert again.skip_preview_for_small_submits() is True
    again.set_last_module("Zylker", None)
    assert again.last_module("Zylker") is None


@pytest.mark.parametrize("name", LOCALES)
def test_locale_round_trips(ini, name):
    s = open_settings(ini)
    s.set_locale_name(name)
    assert reopened(s, ini).locale_name() == name


def test_an_unknown_locale_is_refused_and_an_edited_one_reads_as_default(ini):
    s = open_settings(ini)
    with pytest.raises(ValueError, match="en_GB"):
        s.set_locale_name("fr_FR")
    s.qsettings.setValue("locale/name", "xx_YY")
    assert s.locale_name() == DEFAULT_LOCALE


def test_damaged_values_read_as_defaults(ini):
    ini.write_text(
        "[profiles]\n"
        "Zylker\\modules\\Leads\\columns=not json [\n"
        "Zylker\\modules\\Leads\\widths=\"{\\\"Email\\\": \\\"wide\\\", \\\"Phone\\\": 90}\"\n"
        "Zylker\\triggers=\"{\\\"approval\\\": \\\"no\\\", \\\"workflow\\\": false}\"\n"
        "[window]\n"
        "splitters\\main=\"[1, -5]\"\n"
        "[submit]\n"
        "skip_preview_small=maybe\n",
        encoding="utf-8")
    s = open_settings(ini)
    assert s.columns("Zylker", "Leads") is None
    assert s.column_widths("Zylker", "Leads") == {"Phone": 90}
    assert s.triggers("Zylker") == Triggers(approval=True, workflow=False, blueprint=True)
    assert s.splitter_sizes("main") is None
    assert s.skip_preview_for_small_submits() is False


def test_forget_profile_drops_only_that_profile(ini):
    s = open_settings(ini)
    s.set_columns("Old", "Leads", ["A"])
    s.set_last_module("Old", "Leads")
    s.set_columns("Kept", "Leads", ["B"])
    s.forget_profile("Old")
    again = reopened(s, ini)
    assert again.columns("Old", "Leads") is None and again.last_module("Old") is None
    assert again.columns("Kept", "Leads") == ["B"]
