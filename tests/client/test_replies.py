"""Replies that make no sense, built by hand: whatever Zoho sends, each sent record gets
exactly one result, in the order sent, and nothing raises. A broken reply becomes a
BAD_REPLY error that keeps the raw text for the log."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from gui.client.replies import results_from_reply
from gui.client.transport import HttpReply

SENT = ["5725767001000000001", "5725767001000000004", "5725767001000000007"]


def reply(body: Any, status: int = 200, text: str | None = None) -> HttpReply:
    return HttpReply(status, body, text if text is not None else json.dumps(body))


def ok(record_id: str | None = None, stamp: str = "2026-03-01T09:00:00+00:00") -> dict[str, Any]:
    details: dict[str, Any] = {"Modified_Time": stamp}
    if record_id is not None:
        details["id"] = record_id
    return {"code": "SUCCESS", "details": details, "message": "record updated", "status": "success"}


def error(code: str, **details: Any) -> dict[str, Any]:
    return {"code": code, "details": details, "message": f"{code.lower()} happened", "status": "error"}


def codes(results) -> list[str]:
    return ["SUCCESS" if r.ok else r.error.code for r in results]


def assert_all_bad(results, raw: str) -> None:
    assert [r.record_id for r in results] == SENT
    for result in results:
        assert result.error.code == "BAD_REPLY" and result.error.top_level
        assert result.error.raw == raw


def test_an_html_page_instead_of_json():
    page = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    results = results_from_reply(HttpReply(502, None, page), SENT)
    assert_all_bad(results, page)
    assert results[0].error.message == "Zoho sent a reply that is not JSON (HTTP 502)"


def test_json_cut_short():
    cut = '{"data": [{"code": "SUCCESS", "details": {"Modified_Time": "2026-03-01T09:'
    results = results_from_reply(HttpReply(200, None, cut), SENT)
    assert_all_bad(results, cut)
    assert "not JSON" in results[0].error.message


def test_json_without_a_data_list():
    for body in ({"info": {"count": 3}}, {"data": "nothing"}, [ok(i) for i in SENT], "SUCCESS", 42):
        results = results_from_reply(reply(body), SENT)
        assert_all_bad(results, json.dumps(body))
        assert "no data list" in results[0].error.message


def test_an_empty_body():
    results = results_from_reply(HttpReply(204, None, ""), SENT)
    assert codes(results) == ["BAD_REPLY"] * 3


def test_more_entries_than_records():
    body = {"data": [ok(SENT[0], "t0"), ok(SENT[1], "t1"), ok(SENT[2], "t2"), ok("5725767001000000999", "t9")]}
    results = results_from_reply(reply(body), SENT)
    assert [(r.record_id, r.modified_time) for r in results] == [(SENT[0], "t0"), (SENT[1], "t1"), (SENT[2], "t2")]


def test_more_entries_than_records_without_ids():
    body = {"data": [ok(), ok(), ok(), ok()]}
    results = results_from_reply(reply(body), SENT)
    assert codes(results) == ["BAD_REPLY"] * 3
    assert "answered for 4 of 3 records" in results[0].error.message
    assert results[0].error.raw == json.dumps(body)


def test_fewer_entries_than_records():
    body = {"data": [ok(SENT[0], "t0"), error("NOT_APPROVED", id=SENT[2])]}
    results = results_from_reply(reply(body, 207), SENT)
    assert [r.record_id for r in results] == SENT
    assert codes(results) == ["SUCCESS", "BAD_REPLY", "NOT_APPROVED"]
    assert results[0].modified_time == "t0"
    assert "outcome is unknown" in results[1].error.message and results[1].error.raw == json.dumps(body)
    assert not results[1].error.top_level


def test_fewer_entries_without_ids():
    results = results_from_reply(reply({"data": [ok(), ok()]}), SENT)
    assert codes(results) == ["BAD_REPLY"] * 3


def test_entries_out_of_order_are_matched_by_their_ids():
    body = {"data": [ok(SENT[2], "t2"), ok(SENT[0], "t0"), ok(SENT[1], "t1")]}
    results = results_from_reply(reply(body), SENT)
    assert [(r.record_id, r.modified_time, r.details["id"]) for r in results] == [
        (SENT[0], "t0", SENT[0]), (SENT[1], "t1", SENT[1]), (SENT[2], "t2", SENT[2])]


def test_an_error_out_of_order_stays_with_its_own_record():
    """The refusal of the second record must not be shown on the first, which was saved."""
    body = {"data": [error("NOT_APPROVED", id=SENT[1]), ok(SENT[0], "t0")]}
    results = results_from_reply(reply(body, 207), SENT[:2])
    assert codes(results) == ["SUCCESS", "NOT_APPROVED"]
    assert results[0].modified_time == "t0"


def test_a_success_for_a_record_that_was_not_sent():
    body = {"data": [ok("5725767001000000999"), ok(SENT[1]), ok(SENT[2])]}
    results = results_from_reply(reply(body), SENT)
    assert codes(results) == ["BAD_REPLY", "SUCCESS", "SUCCESS"]
    assert "5725767001000000999" in results[0].error.message and results[0].error.raw


def test_a_duplicate_names_the_existing_record_and_stays_in_place():
    existing = "5725767001000000300"
    body = {"data": [ok(SENT[0]), error("DUPLICATE_DATA", api_name="Email", json_path="$.data[1].Email", id=existing)]}
    results = results_from_reply(reply(body, 207), SENT[:2])
    assert codes(results) == ["SUCCESS", "DUPLICATE_DATA"]
    assert (results[1].error.api_name, results[1].error.json_path, results[1].error.details["id"]) == \
        ("Email", "$.data[1].Email", existing)


def test_an_entry_that_is_not_an_object():
    body = {"data": ["SUCCESS", ok(SENT[1]), None]}
    results = results_from_reply(reply(body), SENT)
    assert codes(results) == ["BAD_REPLY", "SUCCESS", "BAD_REPLY"]
    assert results[0].error.raw == json.dumps(body)


def test_unknown_codes_are_kept_with_the_raw_reply():
    body = {"data": [error("SOMETHING_NEW", api_name="Phone"), {"status": "error"}, ok(SENT[2])]}
    results = results_from_reply(reply(body, 207), SENT)
    assert codes(results) == ["SOMETHING_NEW", "UNKNOWN_ERROR", "SUCCESS"]
    assert results[0].error.api_name == "Phone" and results[0].error.message == "something_new happened"
    assert results[0].error.raw == results[1].error.raw == json.dumps(body)
    known = results_from_reply(reply({"data": [error("NOT_APPROVED", id=SENT[0])]}, 400), SENT[:1])[0]
    assert known.error.raw is None  # a known refusal needs no raw reply in the log


def test_a_field_named_only_by_its_json_path():
    body = {"data": [error("INVALID_DATA", json_path="$.data[0].Phone", expected_data_type="phone")]}
    [result] = results_from_reply(reply(body, 202), SENT[:1])
    assert (result.error.api_name, result.error.json_path) == ("Phone", "$.data[0].Phone")
    assert result.error.details["expected_data_type"] == "phone"


def test_a_top_level_envelope_applies_to_every_record():
    body = {"code": "INVALID_TOKEN", "details": {}, "message": "invalid oauth token", "status": "error"}
    results = results_from_reply(reply(body, 401), SENT)
    assert [(r.record_id, r.error.code, r.error.top_level) for r in results] == [(i, "INVALID_TOKEN", True) for i in SENT]


def test_one_call_level_entry_applies_to_every_record():
    """Seed 004: ``{"data": [INVALID_DATA "No field found"]}`` or MANDATORY_NOT_FOUND for a whole call."""
    for entry in (error("INVALID_DATA"), error("MANDATORY_NOT_FOUND")):
        results = results_from_reply(reply({"data": [entry]}), SENT)
        assert {(r.error.code, r.error.top_level) for r in results} == {(entry["code"], True)}


def test_a_success_status_is_not_trusted_when_the_entries_say_otherwise():
    body = {"data": [error("RECORD_LOCKED", action="zia_vision_processing", id=SENT[0])]}
    [result] = results_from_reply(reply(body, 200), SENT[:1])
    assert result.error.code == "RECORD_LOCKED" and result.error.details["action"] == "zia_vision_processing"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
    | st.sampled_from(SENT + ["SUCCESS", "success", "error", "INVALID_DATA", "$.data[0].Email"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["code", "status", "details", "message", "id", "api_name", "json_path", "data",
                         "Modified_Time", "x"]), inner, max_size=5),
    max_leaves=25)


@settings(max_examples=100, deadline=None)
@given(body=json_values, status=st.sampled_from([200, 201, 202, 204, 207, 400, 401, 429, 500]),
       sent=st.lists(st.sampled_from(SENT + [None]), min_size=1, max_size=4))
def test_no_reply_ever_raises_or_loses_a_record(body, status, sent):
    results = results_from_reply(HttpReply(status, body, json.dumps(body)[:2000]), sent)
    assert [r.record_id for r in results] == sent
    for result in results:
        assert result.ok or (isinstance(result.error.code, str) and result.error.code)
