"""The journal format: edits and results as text, refused when written by another format."""

from __future__ import annotations

import json

import pytest

from gui.core.changeset import APPEND, DELETE_FILES, REMOVE, Edit
from gui.core.outcomes import results_by_record
from gui.core.journal_format import (FORMAT_VERSION, RAW_LIMIT, JournalFormatError, edit_from_json, edit_to_dict, edit_to_json,
                                     error_from_json, error_to_json, old_and_new, result_from_json, result_to_json,
                                     values_from_json, values_to_json)
from gui.core.planner import MassUpdateCall, UpdateCall
from gui.core.results import RecordError, RecordResult

EDITS = [
    Edit("1001", "Last_Name", value="Smith"),
    Edit("1001", "Annual_Revenue", value=1234.5),
    Edit("1002", "No_of_Employees", value=None),
    Edit("1002", "Email_Opt_Out", value=True),
    Edit("1003", "Owner", value={"id": "42", "name": "Zoë"}),
    Edit("1003", "Languages", kind=APPEND, value=["Hindi", "Français"]),
    Edit("1004", "Languages", kind=REMOVE, value=["English"]),
    Edit("1004", "Photos", kind=DELETE_FILES, value=None),
    Edit("1005", "Documents", kind=DELETE_FILES, value=["f1", "f2"]),
    Edit("1006", "No_of_Employees", text="many", invalid="“many” is not a number"),
    Edit("1007", "Description", value='line 1\nline 2\t"quoted" 😀', text="typed"),
]


@pytest.mark.parametrize("edit", EDITS, ids=lambda e: f"{e.kind}-{e.api_name}")
def test_an_edit_comes_back_as_it_was_written(edit):
    text = edit_to_json(edit)
    assert json.loads(text)["format"] == FORMAT_VERSION
    assert edit_from_json(text) == edit


@pytest.mark.parametrize("edit", [*EDITS, Edit("1", "City", value="\u2028 \\ \x00 \x7f é", text="\t", invalid="“q”"),
                                  Edit("1", "City", value=""), Edit("1", "City", value=0), Edit("1", "City", value=False)])
def test_the_quick_writer_gives_exactly_the_text_of_the_general_one(edit):
    general = json.dumps(edit_to_dict(edit), ensure_ascii=False, separators=(",", ":"))
    assert edit_to_json(edit) == general


def test_the_version_is_not_written_and_comes_back_as_zero():
    edit = Edit("1", "City", value="Pune", version=77)
    assert "77" not in edit_to_json(edit)
    assert edit_from_json(edit_to_json(edit)).version == 0


def test_writing_is_deterministic_so_a_saved_edit_can_be_compared_by_text():
    assert edit_to_json(Edit("1", "A", value={"b": 1, "a": 2})) == edit_to_json(Edit("1", "A", value={"b": 1, "a": 2}))


def test_an_entry_of_another_format_is_refused_with_a_message_saying_what_to_do():
    newer = json.loads(edit_to_json(EDITS[0]))
    newer["format"] = FORMAT_VERSION + 1
    with pytest.raises(JournalFormatError) as caught:
        edit_from_json(json.dumps(newer))
    message = str(caught.value)
    assert f"format {FORMAT_VERSION + 1}" in message and "reads only format 1" in message
    assert "nothing in it has been changed" in message
    unversioned = {k: v for k, v in newer.items() if k != "format"}
    with pytest.raises(JournalFormatError, match="format None"):
        edit_from_json(json.dumps(unversioned))


@pytest.mark.parametrize("text, words", [
    ("{not json", "not readable JSON"),
    ("[1, 2]", "not a JSON object"),
    ('{"format": 1, "api_name": "City", "kind": "set"}', "record_id"),
    ('{"format": 1, "record_id": "1", "api_name": "City", "kind": "rename"}', "unknown kind"),
    ('{"format": 1, "record_id": "1", "api_name": "City", "kind": "set", "text": 5}', "'text'"),
])
def test_a_broken_edit_is_refused_never_guessed(text, words):
    with pytest.raises(JournalFormatError, match=words):
        edit_from_json(text)


def test_a_value_that_is_not_json_is_refused_naming_the_cell():
    with pytest.raises(JournalFormatError, match="Last_Name in record 1001"):
        edit_to_json(Edit("1001", "Last_Name", value=object()))


def test_results_and_errors_come_back_as_they_were_written():
    error = RecordError("DUPLICATE_DATA", "duplicate data", "Email", "$.data[0].Email",
                        {"api_name": "Email", "id": "555"}, raw=None)
    for result in (RecordResult("1001", modified_time="2026-01-01T10:00:00+05:30", details={"Modified_By": {"id": "7"}}),
                   RecordResult("1002", error),
                   RecordResult(None, RecordError("INVALID_TOKEN", "invalid oauth token", top_level=True))):
        back = result_from_json(result_to_json(result))
        assert back == result and back.details == result.details
    assert error_from_json(error_to_json(error)).details == {"api_name": "Email", "id": "555"}


def test_a_long_raw_reply_is_cut_short():
    error = RecordError("BAD_REPLY", "Zoho's reply made no sense", raw="x" * (RAW_LIMIT * 3))
    back = error_from_json(error_to_json(error))
    assert back.raw is not None and len(back.raw) == RAW_LIMIT + 1 and back.raw.endswith("…")


def test_a_result_of_another_format_is_refused():
    text = result_to_json(RecordResult("1", RecordError("X", "y")))
    obj = json.loads(text)
    obj["error"]["format"] = 99
    with pytest.raises(JournalFormatError, match="format 99"):
        result_from_json(json.dumps(obj))


def test_values_for_history_never_refuse_an_odd_value():
    values = {"City": "Pune", "Tags": ["a"], "When": object()}
    back = values_from_json(values_to_json(values))
    assert back["City"] == "Pune" and back["Tags"] == ["a"] and isinstance(back["When"], str)


def test_old_and_new_values_of_a_record():
    edits = (Edit("1", "City", value="Pune"), Edit("1", "Languages", kind=APPEND, value=["Hindi"]),
             Edit("1", "Photos", kind=DELETE_FILES, value=["p1"]))
    old, new = old_and_new(edits, {"City": "Delhi", "Languages": ["English"], "Photos": [{"id": "p1"}, {"id": "p2"}],
                                   "Phone": "1"})
    assert old == {"City": "Delhi", "Languages": ["English"], "Photos": [{"id": "p1"}, {"id": "p2"}]}
    assert new == {"City": "Pune", "Languages": ["English", "Hindi"], "Photos": [{"id": "p2"}]}


def test_results_are_matched_to_records_by_id_then_by_position():
    a, b, c = Edit("a", "City", value="x"), Edit("b", "City", value="y"), Edit("c", "City", value="z")
    call = UpdateCall(({"id": "a"}, {"id": "b"}, {"id": "c"}), (("a", (a,)), ("b", (b,)), ("c", (c,))))
    matched = results_by_record(call, [RecordResult("a"), RecordResult(None, RecordError("INVALID_DATA", "bad"))])
    assert [(rid, edits) for rid, edits, _ in matched] == [("a", (a,)), ("b", (b,)), ("c", (c,))]
    assert [r.error.code if r.error else "ok" for _, _, r in matched] == ["ok", "INVALID_DATA", "BAD_REPLY"]
    mass = MassUpdateCall({"City": "x"}, False, (("a", (a,)), ("b", (b,))))
    matched = results_by_record(mass, [RecordResult("b"), RecordResult("a", RecordError("NOT_APPROVED", "held"))])
    assert [(rid, r.error.code if r.error else "ok") for rid, _, r in matched] == [("a", "NOT_APPROVED"), ("b", "ok")]
