"""Loading whole modules over real HTTP: every record once, in id order, page by page,
past the 2,000-record page cap (COQL) with lookups and owners still named; without a
record count; an empty module; cancel; and the metadata calls."""

from __future__ import annotations

from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

import pytest

from gui.client.errors import Cancelled
from gui.client.transport import CancelToken
from gui.sandbox import SandboxServer

from .conftest import start_sandbox
from .helpers import FakeClock, calls_to, log_entries, query_of

FIELDS = ["Full_Name", "Account_Name", "Owner", "Email"]


def big_sandbox(records: int, tmp_path_factory: pytest.TempPathFactory,
                reaper: Callable[[SandboxServer], None]) -> Iterator[SandboxServer]:
    srv = start_sandbox(tmp_path_factory.mktemp(f"load-{records}"), records=records, clock=FakeClock())
    yield srv
    reaper(srv)


@pytest.fixture(scope="module")
def sandbox_2500(tmp_path_factory, reaper):
    yield from big_sandbox(2500, tmp_path_factory, reaper)


@pytest.fixture(scope="module")
def sandbox_4321(tmp_path_factory, reaper):
    yield from big_sandbox(4321, tmp_path_factory, reaper)


class Collector:
    def __init__(self) -> None:
        self.pages: list[Any] = []

    def __call__(self, page: Any) -> None:
        self.pages.append(page)

    @property
    def records(self) -> list[Any]:
        return [r for p in self.pages for r in p.records]


def expected_contact(sandbox: SandboxServer, record_id: str) -> dict[str, Any]:
    raw = sandbox.store.records["Contacts"][record_id]
    account = raw["Account_Name"]["id"]
    owner = raw["Owner"]["id"]
    return {"Full_Name": raw["Full_Name"], "Email": raw["Email"],
            "Account_Name": {"id": account, "name": sandbox.store.records["Accounts"][account]["Account_Name"]},
            "Owner": {"id": owner, "name": sandbox.store.users[owner]["full_name"]}}


def seen_as(record: Any) -> dict[str, Any]:
    values = record.values
    return {"Full_Name": values["Full_Name"], "Email": values["Email"],
            "Account_Name": {k: values["Account_Name"][k] for k in ("id", "name")},
            "Owner": {k: values["Owner"][k] for k in ("id", "name")}}


@pytest.mark.parametrize("size", [2500, 4321])
def test_every_record_loads_once_in_id_order_with_names(request, connect, size):
    sandbox = request.getfixturevalue(f"sandbox_{size}")
    c = connect(sandbox)
    got = Collector()

    outcome = c.client.load("Contacts", FIELDS, got)

    ids = [str(i) for i in sandbox.store.order["Contacts"]]
    assert len(ids) == size
    assert [r.record_id for r in got.records] == ids  # each once, in id order
    assert (outcome.loaded, outcome.total, outcome.pages) == (size, size, len(got.pages))
    assert len(got.pages) >= size // 200  # handed over page by page, not all at the end
    position = 0
    for page in got.pages:
        assert page.start == position and page.total == size and 0 < len(page.records) <= 200
        position += len(page.records)
    for n, record in enumerate(got.records):
        assert seen_as(record) == expected_contact(sandbox, record.record_id), f"record {n}"
        assert {k for k in record.values if not k.startswith("$")} == set(FIELDS)
    # The first 2,000 came from pages, the rest through COQL, without the caller noticing.
    log = sandbox.config.log_file
    pages = [e for e in calls_to(log, "GET", "/crm/v2.1/Contacts") if e["status"] == 200]
    assert len(pages) == 10
    assert sum(e["records"] for e in calls_to(log, "POST", "/crm/v2.1/coql")) >= size - 2000
    assert not [e for e in log_entries(log) if e["status"] >= 400]
    # The last window says there is no more: no call goes out only to come back empty.
    assert all(e["status"] == 200 for e in calls_to(log, "POST", "/crm/v2.1/coql"))


def test_pages_are_fetched_in_order_so_each_is_handed_over_as_soon_as_it_can_be(sandbox_4321, connect):
    """Pages go out first come, first served: a page asked for early is never held back
    behind later ones (which would keep every page after it from the screen)."""
    c = connect(sandbox_4321, concurrency=2)
    ahead = []  # calls answered beyond the pages handed over, at each hand-over

    def on_page(page):
        ahead.append(c.client.transport.calls - len(ahead) - 1)

    c.client.load("Contacts", FIELDS, on_page)
    assert len(ahead) == 22
    # Past the first pages (count, fields and users calls included) at most a couple of
    # calls run ahead of what has been handed over: concurrency 2, plus one finishing.
    assert max(ahead[10:]) <= 8, ahead


def test_loading_without_a_record_count(sandbox_4321, connect, monkeypatch):
    c = connect(sandbox_4321)
    monkeypatch.setattr(c.client, "count", lambda module, cancel=None: None)
    got = Collector()

    outcome = c.client.load("Contacts", FIELDS, got)

    ids = [str(i) for i in sandbox_4321.store.order["Contacts"]]
    assert [r.record_id for r in got.records] == ids
    assert (outcome.loaded, outcome.total) == (4321, None)
    assert all(p.total is None for p in got.pages)
    last = got.records[-1]
    assert seen_as(last) == expected_contact(sandbox_4321, last.record_id)


def test_a_lead_page_reports_what_blocks_edits(sandbox_2500, connect):
    c = connect(sandbox_2500)
    got = Collector()
    c.client.load("Leads", ["Last_Name", "Company"], got)
    first = got.records[:10]
    assert [r.approved for r in first] == [True, True, True, False] + [True] * 6
    assert [r.locked for r in first] == [False] * 5 + [True] + [False] * 4
    assert [r.editable for r in first] == [True] * 8 + [False, True]


def test_records_past_the_page_cap_show_which_await_approval(sandbox_2500, connect):
    """COQL rows carry no state; the records awaiting approval among them are learnt from
    Zoho's approval listing, so they come blocked like those on GET pages."""
    c = connect(sandbox_2500)
    got = Collector()
    c.client.load("Leads", ["Last_Name", "Company", "Owner"], got)

    stored = sandbox_2500.store.records["Leads"]
    assert [r.record_id for r in got.records] == [str(i) for i in sandbox_2500.store.order["Leads"]]
    past = got.records[2000:]
    waiting = [r for r in past if stored[r.record_id]["$approved"] is False]
    assert waiting  # the demo org has records awaiting approval past the cap
    for record in got.records:
        assert record.approved is (stored[record.record_id]["$approved"] is not False), record.record_id
    for record in got.records[:2000] + waiting:
        raw = stored[record.record_id]
        assert (record.locked, record.editable) == (raw["$locked_for_me"] is True, raw["$editable"] is not False)
        assert {k: v for k, v in record.values.items() if k.startswith("$")} == {
            k: v for k, v in raw.items() if k.startswith("$")}
    assert all(r.values["Owner"]["name"] for r in past)
    # What Zoho v2.1 cannot list for many records at once: a lock on a record past the cap
    # that does not await approval is learnt only when Zoho refuses it on submit.
    locked = [r for r in past if stored[r.record_id]["$locked_for_me"] and stored[r.record_id]["$approved"]]
    assert locked and not any(r.locked for r in locked)


def test_every_page_asks_for_records_awaiting_approval_too(sandbox_2500, connect):
    """Zoho lists approved records only unless asked otherwise (``approved=both``); the
    approval listing asks for the others alone (``approved=false``), once."""
    c = connect(sandbox_2500)
    urls: list[str] = []
    c.client.transport.session.hooks["response"].append(lambda reply, *a, **k: urls.append(reply.request.url))
    c.client.load("Leads", ["Last_Name"], Collector())
    gets = [query_of(u) for u in urls if urlsplit(u).path == "/crm/v2.1/Leads"]
    pages = [q for q in gets if "page" in q and q.get("approved") == "both"]
    listing = [q for q in gets if q.get("approved") == "false"]
    assert sorted(int(q["page"]) for q in pages) == list(range(1, 11))
    assert len(listing) == 1 and len(gets) == 11


def test_a_small_module_loads_in_one_round_for_a_few_empty_calls(make_sandbox, connect):
    """Pages go out with the count, before it says how many there are; for a small module
    the pages past its end come back empty (204), and the outcome counts them."""
    sandbox = make_sandbox(records=300)
    c = connect(sandbox)
    got = Collector()
    outcome = c.client.load("Leads", ["Last_Name"], got)
    assert [r.record_id for r in got.records] == [str(i) for i in sandbox.store.order["Leads"]]
    assert (outcome.loaded, outcome.total, outcome.pages) == (300, 300, 2)
    log = sandbox.config.log_file
    pages = calls_to(log, "GET", "/crm/v2.1/Leads")
    assert [e["status"] for e in pages].count(200) == 2 and set(e["status"] for e in pages) == {200, 204}
    assert len(pages) <= c.client.transport.concurrency - 1
    assert outcome.calls == len(pages) + len(calls_to(log, "GET", "/crm/v2.1/Leads/actions/count"))
    assert not calls_to(log, "POST", "/crm/v2.1/coql")


def test_an_empty_module_loads_nothing(make_sandbox, connect):
    sandbox = make_sandbox(seed="none")
    c = connect(sandbox)
    got = Collector()
    outcome = c.client.load("Leads", ["Last_Name"], got)
    assert (outcome.loaded, outcome.total, outcome.pages) == (0, 0, 0)
    assert got.pages == []


def test_cancel_while_loading_keeps_the_pages_already_delivered(make_sandbox, connect):
    sandbox = make_sandbox(records=1000, latency_ms=20)  # slow enough that pages are still to come
    c = connect(sandbox, concurrency=1)
    cancel = CancelToken()
    got = Collector()

    def on_page(page: Any) -> None:
        got(page)
        cancel.cancel()

    with pytest.raises(Cancelled):
        c.client.load("Contacts", FIELDS, on_page, cancel=cancel)
    ids = [str(i) for i in sandbox.store.order["Contacts"]]
    delivered = [r.record_id for r in got.records]
    assert 200 <= len(delivered) < 1000 and delivered == ids[:len(delivered)]
    # Pages already asked for were delivered; nothing was asked for after the cancel.
    pages = calls_to(sandbox.config.log_file, "GET", "/crm/v2.1/Contacts")
    assert len(pages) * 200 == len(delivered) and len(got.pages) == len(pages)


def test_metadata_modules_fields_and_users(sandbox, connect):
    c = connect(sandbox)
    modules = {m.api_name: m for m in c.client.modules()}
    assert {"Leads", "Contacts", "Accounts", "Deals"} <= set(modules)
    assert modules["Leads"].plural_label == "Leads" and modules["Leads"].singular_label == "Lead"

    fields = {f.api_name: f for f in c.client.fields("Contacts")}
    assert fields["Account_Name"].data_type == "lookup" and fields["Account_Name"].lookup_module == "Accounts"
    assert fields["Last_Name"].mandatory and not fields["Full_Name"].editable
    assert [o.actual for o in fields["Lead_Source"].picklist][:1] == ["-None-"]
    assert not c.client.fields("Leads")[0].api_name == ""
    lead_fields = {f.api_name: f for f in c.client.fields("Leads")}
    assert lead_fields["Email"].unique and not lead_fields["Email"].mass_update

    c.client.fields("Contacts")  # cached
    log = sandbox.config.log_file
    assert len(calls_to(log, "GET", "/crm/v2.1/settings/fields")) == 2
    c.client.fields("Contacts", refresh=True)
    assert len(calls_to(log, "GET", "/crm/v2.1/settings/fields")) == 3

    me = c.client.current_user()
    users = c.client.users()
    assert me in users and len(users) == 4
    assert c.client.count("Deals") == 60
    assert c.client.count("Nonsense") is None
