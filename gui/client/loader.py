"""Loading every record of a module, fast: pages fetched in parallel, delivered in order.

The first 2,000 records come from ``GET /{module}`` pages (sorted by id). Past that cap the
loader continues with COQL windows over the same id order, so the caller never notices:
``select … where id > ANCHOR order by id limit 200 offset K``. Windows of one anchor reach
10,000 records and run in parallel; the next anchor is the last id of the previous reach.
When the record count is known up front every window of a reach is requested at once, and
the first pages do not wait for it: they go out with the count, in the first round's spare
slots (for a module with fewer pages, those come back empty: a few calls, no time).

COQL does not report a record's state (``$approved``, ``$locked_for_me``, ``$editable``), which
GET pages carry. Past the cap the loader learns which records await approval from
``GET /{module}?approved=false`` (one call while at most 200 wait) and gives those rows the
state that listing reports. Zoho v2.1 has no list call that reports locks or edit
permission for many records at once (only page-by-page ``page_token`` reading, one call after
another, or ``ids=`` reads of 100 records a call), so a COQL row that does not await
approval is shown as editable; if the server refuses it anyway, the refusal lands on its row.
The org's users (for owner names) are asked for with the count, in the first round's spare
slots; the approval listing goes out first once the count says the cap will be passed.
"""

from __future__ import annotations

import logging
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from ..core.meta import FieldMeta, User
from ..core.results import Record
from .errors import Cancelled, SignInRequired, ZohoError
from .replies import record_from
from .transport import CancelToken, HttpReply

if TYPE_CHECKING:
    from .api import ZohoClient

log = logging.getLogger("zcrm.client.load")

PAGE = 200
PAGE_CAP = 2000  # records reachable with page/per_page
COQL_REACH = 10_000  # offset + limit may not pass this within one anchor
# The field that names a record of each standard module (what a lookup shows).
NAME_FIELDS = {
    "Leads": "Full_Name", "Contacts": "Full_Name", "Accounts": "Account_Name", "Deals": "Deal_Name",
    "Vendors": "Vendor_Name", "Products": "Product_Name", "Campaigns": "Campaign_Name", "Cases": "Subject",
    "Solutions": "Solution_Title", "Quotes": "Subject", "Sales_Orders": "Subject",
    "Purchase_Orders": "Subject", "Invoices": "Subject", "Price_Books": "Price_Book_Name",
}


@dataclass(frozen=True)
class Page:
    records: list[Record]
    start: int  # position of the first record in the module's id order
    total: int | None  # the count known when loading began, if any


@dataclass(frozen=True)
class LoadOutcome:
    loaded: int
    total: int | None
    pages: int
    calls: int


class ModuleLoader:
    def __init__(self, client: "ZohoClient", executor: Executor, module: str, fields: list[str],
                 on_page: Callable[[Page], None], cancel: CancelToken | None):
        self.client = client
        self.executor = executor
        self.module = module
        self.fields = [f for f in dict.fromkeys(fields) if f != "id"]
        self.on_page = on_page
        self.cancel = cancel
        self.loaded = 0
        self.pages = 0
        self.calls = 0
        self.total: int | None = None
        self.last_id: str | None = None
        self.metas: dict[str, FieldMeta] = {}
        self.users: dict[str, User] = {}
        self._users_future: Future[list[User]] | None = None
        self._approval_future: Future[dict[str, dict[str, Any]] | None] | None = None
        self._approval_states: dict[str, dict[str, Any]] | None = None
        self._helper_calls = 0  # calls of the approval listing (counted in its own thread)
        self._prepared = False
        self._plan: tuple[list[tuple[str, str | None]], list[str]] | None = None
        self._early: dict[int, Future[tuple[list[Record], bool]]] = {}  # pages asked for before the count

    # -- entry point ---------------------------------------------------------------------
    def run(self) -> LoadOutcome:
        count_future = self.executor.submit(self.client.count, self.module, self.cancel)
        self._early[1] = self.executor.submit(self._get_page, 1)
        self._start_helpers()
        # The first round, which waits for the count, has slots to spare: the next pages go
        # out in them at once. For a module that turns out to have fewer pages, those calls
        # come back empty (204): a few calls, never any time.
        spare = self.client.transport.concurrency - 2 - (self._users_future is not None)
        for page in range(2, min(PAGE_CAP // PAGE, 1 + spare) + 1):
            self._early[page] = self.executor.submit(self._get_page, page)
        try:
            self._run(count_future)
        finally:
            self._settle_leftovers()
        return LoadOutcome(self.loaded, self.total, self.pages, self.calls + self._helper_calls)

    def _settle_leftovers(self) -> None:
        """Wait for the calls this load started and did not use, so that none outlives it."""
        for helper in (self._users_future, self._approval_future):
            if helper is not None and not helper.cancel():
                try:
                    helper.result()
                except BaseException:
                    pass
        for future in self._early.values():
            if future.cancel():
                continue
            try:
                future.result()
            except Cancelled:
                continue  # never sent
            except BaseException:
                pass
            self.calls += 1
        self._early.clear()

    def _page(self, page: int) -> "Future[tuple[list[Record], bool]]":
        early = self._early.pop(page, None)
        return early if early is not None else self.executor.submit(self._get_page, page)

    def _run(self, count_future: "Future[int | None]") -> None:
        self.total = count_future.result()
        self.calls += 1
        if self.total is None:  # count unknown: discover page by page
            more = self._deliver([self._page(1)])
            page_no = 1
            while more and page_no < PAGE_CAP // PAGE:
                page_no += 1
                more = self._deliver([self._page(page_no)])
            if more and self.last_id is not None:
                self._coql_from("0", PAGE_CAP)
            return
        # Count known: ask for every page and every window of the first reach at once (the
        # approval listing first, so that it is back before the first window is handed over).
        last_page = min(-(-self.total // PAGE), PAGE_CAP // PAGE)
        pages = {p: self._early.pop(p) for p in range(1, last_page + 1) if p in self._early}
        late = [p for p in range(1, last_page + 1) if p not in pages]
        windows: list[int] = []
        if self.total > PAGE_CAP:
            self._approval_future = self.executor.submit(self._awaiting_approval)
            windows = self._plan_windows(PAGE_CAP, self.total - PAGE_CAP)
        asked: dict[int, Future[tuple[list[Record], bool]]] = {}
        if windows and self.metas:  # the fields were known: only the users call may be awaited
            self._prepare_coql()
            # Pages and windows go out interleaved: a page costs the server more than a
            # window, and a round of nothing but pages would keep the last of them waiting.
            for n in range(max(len(late), len(windows))):
                if n < len(late):
                    pages[late[n]] = self.executor.submit(self._get_page, late[n])
                if n < len(windows):
                    asked[windows[n]] = self.executor.submit(self._coql_window, "0", windows[n])
        else:
            pages.update((p, self.executor.submit(self._get_page, p)) for p in late)
            if windows:
                self._prepare_coql()
                asked = {o: self.executor.submit(self._coql_window, "0", o) for o in windows}
        tasks = [pages[p] for p in sorted(pages)] + [asked[o] for o in windows]
        full = self._deliver(tasks)
        if full and self.total > PAGE_CAP and self.last_id is not None:
            offset = (windows[-1] + PAGE) if windows else PAGE_CAP
            self._coql_from("0" if offset + PAGE <= COQL_REACH else self.last_id,
                            offset if offset + PAGE <= COQL_REACH else 0)
        elif full and self.total <= PAGE_CAP and self.loaded >= PAGE_CAP and self.last_id is not None:
            self._coql_from("0", PAGE_CAP)  # records were added while loading

    # -- GET pages -------------------------------------------------------------------
    def _get_page(self, page: int) -> tuple[list[Record], bool]:
        # approved=both: records awaiting approval are listed too (Zoho's default lists approved
        # records only), so that they show, blocked, instead of missing from the table.
        params = {"page": page, "per_page": PAGE, "sort_by": "id", "sort_order": "asc", "approved": "both"}
        if self.fields:
            params["fields"] = ",".join(self.fields)
        reply = self.client.call("GET", self.module, params=params, cancel=self.cancel)
        if reply.status == 204:
            return [], False
        body = self._body(reply)
        with self.client.transport.reading:
            rows = [r for r in (record_from(item) for item in body.get("data") or []) if r is not None]
        info = body.get("info") if isinstance(body.get("info"), dict) else {}
        return rows, bool(info.get("more_records"))

    def _deliver(self, tasks: list["Future[tuple[list[Record], bool]]"]) -> bool:
        """Hand pages over in order as they finish; True when the last one says more may follow."""
        more = False
        for n, future in enumerate(tasks):
            try:
                rows, more = future.result()
            except BaseException:
                for rest in tasks[n + 1:]:
                    rest.cancel()
                raise
            self.calls += 1
            self._hand_over(rows)
            if not rows or not more:
                for rest in tasks[n + 1:]:
                    rest.cancel()
                return False
        return more

    # -- COQL windows ------------------------------------------------------------------
    def _start_helpers(self) -> None:
        """Ask for the org's users alongside the count when owners are among the fields: a
        load past the cap needs their names (COQL gives owners' ids only), the call rides in
        the first round's spare slots, and the client keeps the answer for later loads."""
        metas = self.client.cached_fields(self.module)
        if metas is not None:
            self.metas = {f.api_name: f for f in metas}
            if self._wants_owner_names():
                self._users_future = self.executor.submit(self.client.users)

    def _prepare_coql(self) -> None:
        if self._prepared:
            return
        self._prepared = True
        if not self.metas:
            self.metas = {f.api_name: f for f in self.client.fields(self.module)}
        if self._wants_owner_names():
            users = self._users_future.result() if self._users_future is not None else self.client.users()
            self.users = {u.user_id: u for u in users}
        if self._approval_future is None:
            self._approval_future = self.executor.submit(self._awaiting_approval)

    def _awaiting_approval(self) -> dict[str, dict[str, Any]] | None:
        """The state keys ($approved, $locked_for_me, …) of every record awaiting approval, by id.

        ``GET ?approved=false`` lists exactly those records, with their state; one field is
        asked for because the listing is only read for that state. None when it cannot be
        read: the COQL rows then show no state, as before.
        """
        states: dict[str, dict[str, Any]] = {}
        for page in range(1, PAGE_CAP // PAGE + 1):
            params = {"approved": "false", "page": page, "per_page": PAGE, "sort_by": "id", "sort_order": "asc",
                      "fields": "Modified_Time"}
            try:
                reply = self.client.call("GET", self.module, params=params, cancel=self.cancel)
                if reply.status == 204:
                    break
                body = self._body(reply)
            except (SignInRequired, Cancelled):
                raise
            except ZohoError as err:
                log.info("could not list the %s records awaiting approval: %s", self.module, err.code)
                return None
            finally:
                self._helper_calls += 1
            for item in body.get("data") or []:
                if isinstance(item, dict) and item.get("id") is not None:
                    states[str(item["id"])] = {k: v for k, v in item.items() if k.startswith("$")}
            info = body.get("info") if isinstance(body.get("info"), dict) else {}
            if not info.get("more_records"):
                break
        else:
            # More than 2,000 records await approval: the rest would need page_token reading.
            log.info("more than %d %s records await approval; only the first are marked", PAGE_CAP, self.module)
        return states

    def _approval_state(self, record_id: str) -> dict[str, Any] | None:
        if self._approval_states is None:
            if self._approval_future is None:
                return None
            self._approval_states = self._approval_future.result() or {}
        return self._approval_states.get(record_id)

    def _plan_windows(self, offset: int, remaining: int | None) -> list[int]:
        """Offsets of the next windows under one anchor: to the reach, or to the count."""
        windows = []
        while offset + PAGE <= COQL_REACH:
            windows.append(offset)
            offset += PAGE
            if remaining is None or len(windows) * PAGE >= remaining:
                break
        return windows

    def _coql_from(self, anchor: str, offset: int) -> None:
        """Keep reading windows, re-anchoring at each reach, until a window comes back short."""
        self._prepare_coql()
        while True:
            remaining = None if self.total is None else max(self.total - self.loaded, 0) + PAGE
            windows = self._plan_windows(offset, remaining)
            if not windows:
                anchor, offset = self.last_id or anchor, 0
                continue
            tasks = [self.executor.submit(self._coql_window, anchor, o) for o in windows]
            if not self._deliver(tasks) or self.last_id is None:
                return
            offset = windows[-1] + PAGE
            if offset + PAGE > COQL_REACH:
                anchor, offset = self.last_id, 0

    def _coql_window(self, anchor: str, offset: int) -> tuple[list[Record], bool]:
        columns = list(self.fields) or ["id"]
        for name in self.fields:
            meta = self.metas.get(name)
            if meta is not None and meta.data_type == "lookup" and meta.lookup_module:
                columns.append(self._name_column(name, meta) or name)
        query = (f"select {', '.join(columns)} from {self.module} where id > {anchor} "
                 f"order by id limit {offset}, {PAGE}")
        reply = self.client.call("POST", "coql", json_body={"select_query": query}, cancel=self.cancel)
        if reply.status == 204:
            return [], False
        body = self._body(reply)
        self._approval_state("")  # wait for the approval listing outside the reading lock
        with self.client.transport.reading:
            rows = [r for r in (self._coql_record(item) for item in body.get("data") or []) if r is not None]
        info = body.get("info") if isinstance(body.get("info"), dict) else {}
        more = info.get("more_records")
        return rows, more if isinstance(more, bool) else len(rows) == PAGE

    def _coql_record(self, item: Any) -> Record | None:
        if not isinstance(item, dict):
            return None
        lookups, owners = self._row_plan()
        row = item  # parsed for this window alone: changed in place
        for name, name_column in lookups:  # the only dotted columns asked for
            label = row.pop(name_column, None) if name_column else None
            value = row.get(name)
            if isinstance(value, dict) and "id" in value:
                row[name] = {"id": str(value["id"]), "name": label}
        for name in owners:
            value = row.get(name)
            if isinstance(value, dict) and "id" in value:
                user = self.users.get(str(value["id"]))
                row[name] = {"id": str(value["id"]), "name": user.full_name if user else None,
                             "email": user.email if user else None}
        # COQL does not report a record's state: records awaiting approval get the state the
        # approval listing reports; for the others the server's refusal, if any, shows on submit.
        state = self._approval_state(str(row.get("id")))
        if state:
            row.update(state)
        return record_from(row)

    def _row_plan(self) -> tuple[list[tuple[str, str | None]], list[str]]:
        """Which selected fields are lookups (with the column that names their target) and
        which are owners: worked out once per load, not once per row."""
        if self._plan is None:
            lookups: list[tuple[str, str | None]] = []
            owners: list[str] = []
            for name in self.fields:
                meta = self.metas.get(name)
                if meta is None:
                    continue
                if meta.data_type == "lookup":
                    lookups.append((name, self._name_column(name, meta)))
                elif meta.data_type in ("ownerlookup", "userlookup"):
                    owners.append(name)
            self._plan = (lookups, owners)
        return self._plan

    @staticmethod
    def _name_column(name: str, meta: FieldMeta) -> str | None:
        """The COQL column that names a lookup's target (asked for next to the lookup)."""
        if not meta.lookup_module:
            return None
        return f"{name}.{NAME_FIELDS.get(meta.lookup_module, 'Name')}"

    def _wants_owner_names(self) -> bool:
        return any(self.metas.get(n) is not None and self.metas[n].data_type in ("ownerlookup", "userlookup")
                   for n in self.fields)

    # -- shared ----------------------------------------------------------------------
    def _hand_over(self, rows: list[Record]) -> None:
        if not rows:
            return
        page = Page(rows, self.loaded, self.total)
        self.loaded += len(rows)
        self.pages += 1
        self.last_id = rows[-1].record_id
        self.on_page(page)

    @staticmethod
    def _body(reply: HttpReply) -> dict[str, Any]:
        body = reply.body
        if isinstance(body, dict) and body.get("status") == "error" and "data" not in body:
            details = body.get("details") if isinstance(body.get("details"), dict) else {}
            raise ZohoError(str(body.get("code")), str(body.get("message")), reply.status, details)
        if reply.status >= 400 or not isinstance(body, dict) or not isinstance(body.get("data", []), list):
            raise ZohoError("BAD_REPLY", f"Zoho sent an unexpected reply while loading records "
                                         f"(HTTP {reply.status})", reply.status, {"raw": reply.text})
        return body
