"""Update and mass update against the sandbox: one result per record in input order for
every error code of the seeds, batching (100 / 500 a call), triggers, over_write, custom
view jobs, file upload and attach, and cancel in the middle of a submit."""

from __future__ import annotations

import threading

import pytest

from gui.client.errors import ZohoError
from gui.client.submit import run_plan
from gui.client.transport import CancelToken
from gui.core.changeset import CellChange, ChangeSet
from gui.core.planner import plan_submit
from gui.core.attachments import file_attach, file_delete, image_attach, image_delete

from .helpers import calls_to, server_records

GHOST = "5725767999999999999"  # well formed, but no such record


def ids_of(sandbox, module, n=None):
    order = sandbox.store.order[module]
    return [str(i) for i in (order if n is None else order[:n])]


def stored(sandbox, module, record_id):
    return sandbox.store.records[module][record_id]


# -- update: result mapping --------------------------------------------------------------------
def test_update_maps_every_outcome_to_its_record_in_order(sandbox, connect):
    c = connect(sandbox)
    lead = ids_of(sandbox, "Leads")
    taken_email = stored(sandbox, "Leads", lead[2])["Email"]
    records = [
        {"id": lead[0], "Company": "Good One Ltd"},
        {"id": lead[3], "Company": "Awaiting approval"},
        {"id": lead[5], "Company": "Locked"},
        {"id": lead[1], "Email": taken_email.upper()},
        {"id": lead[6], "No_of_Employees": "many"},
        {"id": lead[7], "Last_Name": None},
        {"id": GHOST, "Company": "Ghost"},
        {"Company": "No id at all"},
        {"id": int(lead[9]), "Lead_Status": "Contacted"},  # a 19-digit JSON number, as the SDK sends
    ]
    results = c.client.update("Leads", records)

    assert [r.record_id for r in results] == [lead[0], lead[3], lead[5], lead[1], lead[6], lead[7], GHOST, None,
                                              lead[9]]
    ok, not_approved, locked, duplicate, invalid, mandatory, ghost, no_id, ok_too = results

    for good, rid in ((ok, lead[0]), (ok_too, lead[9])):
        assert good.ok and good.error is None
        assert good.modified_time == stored(sandbox, "Leads", rid)["Modified_Time"] == "2026-03-01T09:00:00+00:00"
        assert good.details["id"] == rid
    assert stored(sandbox, "Leads", lead[0])["Company"] == "Good One Ltd"

    assert (not_approved.error.code, not_approved.error.details["id"]) == ("NOT_APPROVED", lead[3])
    assert (locked.error.code, locked.error.details["action"]) == ("RECORD_LOCKED", "zia_vision_processing")
    assert (duplicate.error.code, duplicate.error.api_name) == ("DUPLICATE_DATA", "Email")
    assert duplicate.error.json_path == "$.data[3].Email"
    assert duplicate.error.details["id"] == lead[2]  # the record that already has it
    assert (invalid.error.code, invalid.error.api_name, invalid.error.json_path) == \
        ("INVALID_DATA", "No_of_Employees", "$.data[4].No_of_Employees")
    assert (mandatory.error.code, mandatory.error.api_name) == ("MANDATORY_NOT_FOUND", "Last_Name")
    assert (ghost.error.code, ghost.error.details["id"]) == ("INVALID_DATA", GHOST)
    assert "invalid" in ghost.error.message
    assert (no_id.error.code, no_id.error.api_name) == ("MANDATORY_NOT_FOUND", "id")
    for failed in results[1:8]:
        assert not failed.ok and failed.modified_time is None and not failed.error.top_level
        assert failed.error.message
    # Nothing of a refused record was applied.
    assert stored(sandbox, "Leads", lead[3])["Company"] != "Awaiting approval"
    assert stored(sandbox, "Leads", lead[1])["Email"] != taken_email.upper()
    assert stored(sandbox, "Leads", lead[7])["Last_Name"]


def test_update_of_a_read_only_record(sandbox, connect):
    c = connect(sandbox)
    [result] = c.client.update("Leads", [{"id": ids_of(sandbox, "Leads")[8], "Company": "Nope"}])
    assert result.error.code == "NO_PERMISSION" and not result.error.top_level


def test_a_whole_call_refused_applies_to_every_record(sandbox, connect):
    c = connect(sandbox)
    ids = ids_of(sandbox, "Leads", 3)
    results = c.client.update("Nonsense", [{"id": i, "Company": "x"} for i in ids])
    assert [r.record_id for r in results] == ids
    assert {(r.error.code, r.error.top_level) for r in results} == {("INVALID_MODULE", True)}


def test_250_records_go_in_three_calls_of_at_most_100(make_sandbox, connect):
    sandbox = make_sandbox(records=300)
    c = connect(sandbox)
    ids = ids_of(sandbox, "Contacts", 250)
    batches = []

    results = c.client.update("Contacts", [{"id": i, "Department": f"D{n}"} for n, i in enumerate(ids)],
                              on_results=batches.append)

    assert [r.record_id for r in results] == ids and all(r.ok for r in results)
    puts = calls_to(sandbox.config.log_file, "PUT", "/crm/v2.1/Contacts")
    assert sorted(e["records"] for e in puts) == [50, 100, 100]
    assert sorted(len(b) for b in batches) == [50, 100, 100]
    on_server = server_records(sandbox, "Contacts", ids, "Department")
    assert [on_server[i]["Department"] for i in ids] == [f"D{n}" for n in range(250)]


@pytest.mark.parametrize("trigger, workflow_ran", [(None, True), (["workflow"], True), ([], False),
                                                    (["approval"], False)])
def test_the_trigger_choice_reaches_zoho(sandbox, connect, trigger, workflow_ran):
    c = connect(sandbox)
    lead = next(i for i in ids_of(sandbox, "Leads") if stored(sandbox, "Leads", i)["Lead_Status"] != "Contacted"
                and stored(sandbox, "Leads", i)["$approved"] and not stored(sandbox, "Leads", i)["$locked_for_me"])
    [result] = c.client.update("Leads", [{"id": lead, "Lead_Status": "Contacted"}], trigger=trigger)
    assert result.ok
    assert (stored(sandbox, "Leads", lead)["Last_Activity_Time"] is not None) is workflow_ran


def test_an_unknown_trigger_is_refused_before_anything_is_sent(sandbox, connect):
    c = connect(sandbox)
    with pytest.raises(ValueError, match="unknown trigger"):
        c.client.update("Leads", [{"id": ids_of(sandbox, "Leads")[0]}], trigger=["workflows"])


# -- cancel -------------------------------------------------------------------------------------
def test_cancel_after_the_first_batch_keeps_sent_results_and_sends_nothing_more(make_sandbox, connect):
    sandbox = make_sandbox(records=500)
    c = connect(sandbox, concurrency=1)
    ids = ids_of(sandbox, "Contacts", 500)
    cancel = CancelToken()
    delivered = []

    def on_results(batch):
        delivered.append(batch)
        cancel.cancel()  # the user presses Cancel as soon as the first batch is back

    results = c.client.update("Contacts", [{"id": i, "Title": "Submitted"} for i in ids], cancel=cancel,
                              on_results=on_results)

    assert [r.record_id for r in results] == ids
    assert len(delivered) == 5 and all(r.ok for r in delivered[0])
    batches = [results[n:n + 100] for n in range(0, 500, 100)]
    sent = [b for b in batches if all(r.ok for r in b)]
    held = [b for b in batches if not any(r.ok for r in b)]
    assert len(sent) + len(held) == 5
    # The first batch went; at most one more had taken the connection before the cancel.
    assert 1 <= len(sent) <= 2
    for batch in held:
        for result in batch:
            assert result.error.code == "CANCELLED" and result.error.top_level
            assert result.error.message == "not sent: the submit was cancelled"
    puts = calls_to(sandbox.config.log_file, "PUT", "/crm/v2.1/Contacts")
    assert len(puts) == len(sent)
    on_server = server_records(sandbox, "Contacts", ids, "Title")
    assert [on_server[r.record_id]["Title"] == "Submitted" for r in results] == [r.ok for r in results]


def contact_titles_plan(c):
    changes = ChangeSet("Contacts", c.client.fields("Contacts"))
    c.client.load("Contacts", ["Title"], lambda page: changes.add_records(page.records))
    changes.apply([CellChange(rid, "Title", value=f"Announced {n}") for n, rid in enumerate(changes.order)])
    return plan_submit("Contacts", changes.pending(), changes.records, changes.fields, trigger=[])


@pytest.mark.parametrize("concurrency, cancel_at", [(2, "first answer"), (1, "first announcement")])
def test_a_submit_announces_each_call_as_it_goes_out(make_sandbox, connect, concurrency, cancel_at):
    """``on_sending`` runs when a call holds its place under the concurrency limit, just
    before it goes out: the calls announced are exactly the calls Zoho saw, and after a
    cancel the calls still waiting for a place are neither announced nor sent."""
    sandbox = make_sandbox(records=1000, latency_ms=30)
    c = connect(sandbox, concurrency=concurrency)
    plan = contact_titles_plan(c)
    assert len(plan.calls) == 10
    cancel = CancelToken()
    lock = threading.Lock()
    announced: list[int] = []
    answered: dict[int, list] = {}

    def on_sending(call):
        with lock:
            announced.append(id(call))
        if cancel_at == "first announcement":
            cancel.cancel()

    def on_call(call, results):
        with lock:
            answered[id(call)] = results
        if cancel_at == "first answer":
            cancel.cancel()

    totals = run_plan(c.client, plan, on_call, cancel, on_sending)

    assert totals.calls == 10 and len(answered) == 10
    puts = calls_to(sandbox.config.log_file, "PUT", "/crm/v2.1/Contacts")
    assert len(announced) == len(set(announced)) == len(puts)
    if cancel_at == "first announcement":
        assert len(announced) == 1  # the calls waiting behind it never went out
    else:
        assert concurrency <= len(announced) <= 2 * concurrency
    for call in plan.calls:
        codes = {r.error.code if r.error else "OK" for r in answered[id(call)]}
        assert codes == ({"OK"} if id(call) in announced else {"CANCELLED"})


# -- mass update --------------------------------------------------------------------------------
def test_mass_update_of_1200_ids_goes_in_three_calls(make_sandbox, connect):
    sandbox = make_sandbox(records=1200)
    c = connect(sandbox)
    ids = ids_of(sandbox, "Contacts", 1200)

    results = c.client.mass_update("Contacts", {"Department": "Mass"}, ids)

    assert [r.record_id for r in results] == ids and all(r.ok for r in results)
    assert all(r.modified_time for r in results)
    posts = calls_to(sandbox.config.log_file, "POST", "/crm/v2.1/Contacts/actions/mass_update")
    assert sorted(e["records"] for e in posts) == [200, 500, 500]
    on_server = server_records(sandbox, "Contacts", ids, "Department")
    assert {r["Department"] for r in on_server.values()} == {"Mass"} and len(on_server) == 1200


def test_mass_update_maps_per_id_outcomes(sandbox, connect):
    c = connect(sandbox)
    lead = ids_of(sandbox, "Leads")
    ids = [lead[0], lead[3], lead[5], "12345", "not-an-id", lead[1]]

    results = c.client.mass_update("Leads", {"Rating": "Acquired"}, ids)

    assert [r.record_id for r in results] == ids
    assert [r.error.code if r.error else "SUCCESS" for r in results] == [
        "SUCCESS", "NOT_APPROVED", "RECORD_LOCKED", "INVALID_DATA", "INVALID_DATA", "SUCCESS"]
    assert results[3].error.details == {"id": "12345"} and "invalid" in results[3].error.message
    assert results[4].error.details == {"id": "not-an-id"}
    assert not any(r.error.top_level for r in results if r.error)
    assert [e["status"] for e in calls_to(sandbox.config.log_file, "POST", "/crm/v2.1/Leads/actions/mass_update")] \
        == [207]
    assert stored(sandbox, "Leads", lead[0])["Rating"] == "Acquired"
    assert stored(sandbox, "Leads", lead[3])["Modified_Time"] != results[0].modified_time  # left alone
    assert results[0].modified_time == stored(sandbox, "Leads", lead[0])["Modified_Time"]


def test_mass_update_of_blocked_records_only(sandbox, connect):
    c = connect(sandbox)
    lead = ids_of(sandbox, "Leads")
    results = c.client.mass_update("Leads", {"Rating": "Acquired"}, [lead[3], lead[13]])
    assert [(r.record_id, r.error.code, r.error.details["id"]) for r in results] == [
        (lead[3], "NOT_APPROVED", lead[3]), (lead[13], "NOT_APPROVED", lead[13])]
    assert calls_to(sandbox.config.log_file, "POST", "/crm/v2.1/Leads/actions/mass_update")[0]["status"] == 400


def test_mass_update_without_a_field_fails_every_record(sandbox, connect):
    c = connect(sandbox)
    ids = ids_of(sandbox, "Leads", 3)
    results = c.client.mass_update("Leads", {}, ids)
    assert [r.record_id for r in results] == ids
    assert {(r.error.code, r.error.message, r.error.top_level) for r in results} == \
        {("INVALID_DATA", "No field found", True)}


def test_mass_update_of_a_field_that_does_not_allow_it(sandbox, connect):
    c = connect(sandbox)
    ids = ids_of(sandbox, "Leads", 2)
    results = c.client.mass_update("Leads", {"Email": "same@example.com"}, ids)
    for result in results:
        assert (result.error.code, result.error.api_name, result.error.json_path, result.error.top_level) == \
            ("INVALID_DATA", "Email", "$.data[0].Email", True)
        assert "cannot be updated in the Mass Update" in result.error.message


@pytest.mark.parametrize("over_write", [False, True])
def test_mass_update_over_write_of_a_multi_select(sandbox, connect, over_write):
    c = connect(sandbox)
    contact = next(i for i in ids_of(sandbox, "Contacts") if stored(sandbox, "Contacts", i)["Hobbies"])
    before = list(stored(sandbox, "Contacts", contact)["Hobbies"])
    fields = {f.api_name: f for f in c.client.fields("Contacts")}
    extra = next(o.actual for o in fields["Hobbies"].picklist if o.actual not in before)

    [result] = c.client.mass_update("Contacts", {"Hobbies": [extra]}, [contact], over_write=over_write)

    assert result.ok
    after = server_records(sandbox, "Contacts", [contact], "Hobbies")[contact]["Hobbies"]
    assert after == ([extra] if over_write else before + [extra])


def test_mass_update_of_a_custom_view_runs_as_a_job(sandbox, connect):
    c = connect(sandbox)
    views = c.client.call("GET", "settings/custom_views", params={"module": "Contacts"}).body["custom_views"]
    cvid = next(v["id"] for v in views if v["name"] == "All Contacts")
    seen = []

    job = c.client.mass_update_view("Contacts", {"Department": "From the job"}, cvid)
    status = c.client.wait_for_job("Contacts", job, poll=0.05, timeout=10, on_status=seen.append)

    assert (status.job_id, status.status, status.finished) == (job, "COMPLETED", True)
    assert (status.total, status.updated, status.not_updated, status.failed) == (60, 60, 0, 0)
    assert seen[-1] == status
    on_server = server_records(sandbox, "Contacts", ids_of(sandbox, "Contacts"), "Department")
    assert {r["Department"] for r in on_server.values()} == {"From the job"}

    with pytest.raises(ZohoError) as caught:
        c.client.mass_update_view("Contacts", {"Department": "x"}, "42")
    assert (caught.value.code, caught.value.details.get("api_name")) == ("INVALID_DATA", "cvid")
    with pytest.raises(ZohoError) as caught:
        c.client.mass_update_status("Contacts", "999")
    assert caught.value.code == "INVALID_DATA"


# -- files ---------------------------------------------------------------------------------------
def test_upload_then_attach_and_delete_a_file_and_an_image(sandbox, connect):
    c = connect(sandbox)
    contact = ids_of(sandbox, "Contacts")[0]
    files_before = len(stored(sandbox, "Contacts", contact)["Resume"])
    images_before = len(stored(sandbox, "Contacts", contact)["Contact_Images"])

    file_id = c.client.upload_file("cv.pdf", b"%PDF-1.4 a short test file", "application/pdf")
    image_id = c.client.upload_file("face.jpg", b"\xff\xd8\xff\xe0 jpeg bytes", "image/jpeg")
    assert file_id != image_id
    [result] = c.client.update("Contacts", [{"id": contact, "Resume": [file_attach(file_id)],
                                             "Contact_Images": [image_attach(image_id)]}])
    assert result.ok, result.error

    record = server_records(sandbox, "Contacts", [contact], "Resume,Contact_Images")[contact]
    [attached] = [f for f in record["Resume"] if f["file_Id"] == file_id]
    assert attached["file_Name"] == "cv.pdf" and len(record["Resume"]) == files_before + 1
    [image] = [i for i in record["Contact_Images"] if i["File_Id"] == image_id]
    assert len(record["Contact_Images"]) == images_before + 1

    [removed] = c.client.update("Contacts", [{"id": contact, "Resume": [file_delete(attached["attachment_Id"])],
                                              "Contact_Images": [image_delete(image["id"])]}])
    assert removed.ok
    record = server_records(sandbox, "Contacts", [contact], "Resume,Contact_Images")[contact]
    assert file_id not in [f["file_Id"] for f in record["Resume"]]
    assert image_id not in [i["File_Id"] for i in record["Contact_Images"]]

    [bad] = c.client.update("Contacts", [{"id": contact, "Resume": [file_attach("no-such-file")]}])
    assert (bad.error.code, bad.error.api_name, bad.error.json_path) == ("INVALID_DATA", "Resume",
                                                                         "$.data[0].Resume[0]")
