"""ColumnChooser: search, checks, order, the pinned name field and Zoho's 50-field cap."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from gui.core.meta import FieldMeta
from gui.widgets.column_chooser import MAX_FIELDS, ColumnChooser

BASE = [
    FieldMeta("Owner", "Lead Owner", "ownerlookup"),
    FieldMeta("First_Name", "First Name", "text"),
    FieldMeta("Last_Name", "Last Name", "text"),
    FieldMeta("Full_Name", "Full Name", "text"),
    FieldMeta("Email", "Email", "email"),
    FieldMeta("Secondary_Email", "Secondary Email", "email"),
    FieldMeta("Lead_Status", "Lead Status", "picklist"),
    FieldMeta("Lead_Source", "Lead Source", "picklist"),
    FieldMeta("Follow_Up_Date", "Follow-up Date", "date"),
    FieldMeta("Modified_Time", "Modified Time", "datetime", read_only=True),
]


def many(count: int) -> list[FieldMeta]:
    return BASE + [FieldMeta(f"Custom_{n:02}", f"Custom {n:02}", "text", custom=True) for n in range(count)]


@pytest.fixture
def make(qtbot):
    def make_(fields=BASE, chosen=(), module="Leads", **options) -> ColumnChooser:
        chooser = ColumnChooser(None, list(fields), list(chosen), module, **options)
        qtbot.addWidget(chooser)
        return chooser
    return make_


def row_names(chooser: ColumnChooser) -> list[str]:
    tree = chooser.tree
    return [tree.topLevelItem(n).data(0, Qt.ItemDataRole.UserRole) for n in range(tree.topLevelItemCount())]


def toggle(chooser: ColumnChooser, api: str) -> None:
    """What a click on the check box does: flip the check state (itemChanged follows)."""
    item = chooser.item_for(api)
    checked = item.checkState(0) == Qt.CheckState.Checked
    item.setCheckState(0, Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)


def test_rows_show_label_api_name_and_type_with_the_chosen_first_in_order(make):
    chooser = make(chosen=["Lead_Status", "Email"])
    assert chooser.chosen() == ["Full_Name", "Lead_Status", "Email"]
    assert row_names(chooser)[:3] == ["Full_Name", "Lead_Status", "Email"]
    assert row_names(chooser)[3:] == ["Owner", "First_Name", "Last_Name", "Secondary_Email", "Lead_Source",
                                      "Follow_Up_Date", "Modified_Time"]
    item = chooser.item_for("Lead_Status")
    assert [item.text(c) for c in range(3)] == ["Lead Status", "Lead_Status", "picklist"]


def test_the_name_field_is_always_first_and_checked(make, qtbot):
    chooser = make(chosen=["Email", "Full_Name"])
    assert chooser.chosen() == ["Full_Name", "Email"]
    name = chooser.item_for("Full_Name")
    assert not name.flags() & Qt.ItemFlag.ItemIsUserCheckable
    assert not name.flags() & Qt.ItemFlag.ItemIsDragEnabled
    name.setCheckState(0, Qt.CheckState.Unchecked)  # even when forced, it comes back
    assert name.checkState(0) == Qt.CheckState.Checked
    chooser.check_none()
    assert chooser.chosen() == ["Full_Name"]

    chooser.tree.setCurrentItem(chooser.item_for("Email"))
    assert not chooser.up_button.isEnabled()  # nothing may go above the name
    chooser.move_current(-1)
    assert row_names(chooser)[:2] == ["Full_Name", "Email"]

    chooser.tree.setCurrentItem(name)
    assert not chooser.up_button.isEnabled() and not chooser.down_button.isEnabled()

    # A drop that lands above the name field (simulated) is put right again.
    chooser.tree.insertTopLevelItem(0, chooser.tree.takeTopLevelItem(row_names(chooser).index("Email")))
    chooser.tree.pin_first()
    assert row_names(chooser)[:2] == ["Full_Name", "Email"]


def test_a_module_without_a_known_name_field_pins_the_given_one(make):
    chooser = make(module="", pinned="Email", chosen=["Lead_Status"])
    assert chooser.chosen() == ["Email", "Lead_Status"]


def test_search_filters_by_label_api_name_and_type(make):
    chooser = make()
    chooser.search.setText("email")
    assert chooser.visible_fields() == ["Email", "Secondary_Email"]
    chooser.search.setText("PICKLIST")
    assert chooser.visible_fields() == ["Lead_Status", "Lead_Source"]
    chooser.search.setText("follow_up")
    assert chooser.visible_fields() == ["Follow_Up_Date"]
    assert "1 match the search" in chooser.count_label.text()
    chooser.search.clear()
    assert len(chooser.visible_fields()) == len(BASE)


def test_enter_in_the_search_goes_to_the_first_match_and_space_checks_it(make, qtbot):
    chooser = make()
    chooser.show()
    qtbot.keyClicks(chooser.search, "secondary")
    qtbot.keyClick(chooser.search, Qt.Key.Key_Return)
    assert chooser.isVisible()  # not taken as OK
    assert chooser.tree.currentItem() is chooser.item_for("Secondary_Email")
    assert chooser.focusWidget() is chooser.tree
    qtbot.keyClick(chooser.tree, Qt.Key.Key_Space)
    assert chooser.chosen() == ["Full_Name", "Secondary_Email"]


def test_checks_while_searching_are_kept_and_all_none_act_on_what_is_shown(make):
    chooser = make(chosen=["Lead_Status"])
    chooser.search.setText("email")
    chooser.check_all()
    assert chooser.chosen() == ["Full_Name", "Lead_Status", "Email", "Secondary_Email"]
    toggle(chooser, "Secondary_Email")
    chooser.search.setText("lead")
    chooser.check_none()
    chooser.search.clear()
    assert chooser.chosen() == ["Full_Name", "Email"]


def test_move_up_and_down_change_the_order_and_skip_hidden_rows(make):
    chooser = make(chosen=["Email", "Lead_Status", "Lead_Source"])
    chooser.tree.setCurrentItem(chooser.item_for("Lead_Source"))
    chooser.up_button.click()
    assert chooser.chosen() == ["Full_Name", "Email", "Lead_Source", "Lead_Status"]
    chooser.down_button.click()
    chooser.down_button.click()
    assert chooser.chosen() == ["Full_Name", "Email", "Lead_Status", "Lead_Source"]
    assert row_names(chooser)[4] == "Lead_Source"

    chooser.search.setText("picklist")  # only Lead_Status and Lead_Source are shown
    chooser.tree.setCurrentItem(chooser.item_for("Lead_Source"))
    chooser.up_button.click()
    assert chooser.chosen() == ["Full_Name", "Email", "Lead_Source", "Lead_Status"]
    assert not chooser.up_button.isEnabled()  # the first shown row (the name field is not shown)


def test_defaults_check_the_default_columns_in_their_order(make):
    chooser = make(chosen=["Lead_Source", "Email"], defaults=["Full_Name", "Email", "Lead_Status"])
    chooser.defaults_button.click()
    assert chooser.chosen() == ["Full_Name", "Email", "Lead_Status"]
    assert row_names(chooser)[:3] == ["Full_Name", "Email", "Lead_Status"]

    computed = make(chosen=["Email"])  # without an explicit list: the session's first-visit columns
    computed.use_defaults()
    assert computed.chosen() == ["Full_Name"] + [f.api_name for f in BASE if f.api_name != "Full_Name"]


def test_all_is_capped_at_50_from_the_top(make):
    chooser = make(fields=many(60))
    chooser.all_button.click()
    assert chooser.chosen() == row_names(chooser)[:MAX_FIELDS]  # Modified_Time among them
    assert chooser.warning.isVisibleTo(chooser)
    assert "at most 50 fields per request" in chooser.warning.text()
    assert "20 fields were left out" in chooser.warning.text()


def test_without_always_loaded_fields_50_columns_may_be_chosen(make):
    chooser = make(fields=many(60), always_loaded=())
    chooser.check_all()
    assert len(chooser.chosen()) == MAX_FIELDS
    assert chooser.chosen() == row_names(chooser)[:MAX_FIELDS]


def test_checking_one_more_than_50_is_refused_with_a_warning(make):
    fields = many(60)
    first = [f.api_name for f in fields if f.api_name != "Modified_Time"][:49]
    chooser = make(fields=fields, chosen=first)
    assert len(chooser.chosen()) == 49 and not chooser.warning.isVisibleTo(chooser)
    toggle(chooser, "Custom_55")
    assert chooser.item_for("Custom_55").checkState(0) == Qt.CheckState.Unchecked
    assert "“Custom 55” was left out" in chooser.warning.text()
    assert chooser.warning.isVisibleTo(chooser)
    assert len(chooser.chosen()) == 49

    toggle(chooser, "Email")  # make room, then the other field fits
    assert not chooser.warning.isVisibleTo(chooser)
    toggle(chooser, "Custom_55")
    assert chooser.chosen()[-1] == "Custom_55" and len(chooser.chosen()) == 49


def test_too_many_saved_columns_are_cut_to_the_limit(make):
    fields = many(60)
    chooser = make(fields=fields, chosen=[f.api_name for f in fields])
    assert len(chooser.chosen()) == MAX_FIELDS  # Modified_Time is among them, so all 50 are columns
    assert "Modified_Time" in chooser.chosen()
    assert "20 fields were left out" in chooser.warning.text()


def test_unknown_saved_names_are_dropped(make):
    chooser = make(chosen=["Gone_Field", "Email"])
    assert chooser.chosen() == ["Full_Name", "Email"]
    assert "2 of 10 fields chosen" in chooser.count_label.text()
