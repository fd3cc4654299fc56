"""Loading every record of a module, fast: pages fetched in parallel, delivered in order.

The first 2,000 records come from ``GET /{module}`` pages (sorted by id). Past that cap the
loader continues with COQL windows over the same id order, so the caller never notices:
``select … where id > ANCHOR order by id limit 200 offset K``. Windows of one anchor reach
10,000 records and run in parallel; the next anchor is the last id of the previous reach.
When the record count is known up front every window of a reach is requested at once.
"""

from __future__ import annotations

import logging
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from ..core.meta import FieldMeta, User
from ..core.results import Record
from .errors import ZohoError
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

    # -- entry point ---------------------------------------------------------------------
    def run(self) -> LoadOutcome:
        count_future = self.executor.submit(self.client.count, self.module, self.cancel)
        first = self.executor.submit(self._get_page, 1)
        self.total = count_future.result()
        self.calls += 1
        if self.total is None:  # count unknown: discover page by page
            more = self._deliver([first])
            page_no = 1
            while more and page_no < PAGE_CAP // PAGE:
                page_no += 1
                more = self._deliver([self.executor.submit(self._get_page, page_no)])
            if more and self.last_id is not None:
                self._coql_from("0", PAGE_CAP)
            return self._outcome()
        # Count known: ask for every page and every window of the first reach at once.
        last_page = min(-(-self.total // PAGE), PAGE_CAP // PAGE)
        tasks = [first] + [self.executor.submit(self._get_page, p) for p in range(2, last_page + 1)]
        windows: list[int] = []
        if self.total > PAGE_CAP:
            self._prepare_coql()
            windows = self._plan_windows(PAGE_CAP, self.total - PAGE_CAP)
            tasks += [self.executor.submit(self._coql_window, "0", offset) for offset in windows]
        full = self._deliver(tasks)
        if full and self.total > PAGE_CAP and self.last_id is not None:
            offset = (windows[-1] + PAGE) if windows else PAGE_CAP
            self._coql_from("0" if offset + PAGE <= COQL_REACH else self.last_id,
                            offset if offset + PAGE <= COQL_REACH else 0)
        elif full and self.total <= PAGE_CAP and self.loaded >= PAGE_CAP and self.last_id is not None:
            self._coql_from("0", PAGE_CAP)  # records were added while loading
        return self._outcome()

    def _outcome(self) -> LoadOutcome:
        return LoadOutcome(self.loaded, self.total, self.pages, self.calls)

    # -- GET pages -------------------------------------------------------------------
    def _get_page(self, page: int) -> tuple[list[Record], bool]:
        params = {"page": page, "per_page": PAGE, "sort_by": "id", "sort_order": "asc"}
        if self.fields:
            params["fields"] = ",".join(self.fields)
        reply = self.client.call("GET", self.module, params=params, cancel=self.cancel)
        if reply.status == 204:
            return [], False
        body = self._body(reply)
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
    def _prepare_coql(self) -> None:
        self.metas = {f.api_name: f for f in self.client.fields(self.module)}
        self.users = {u.user_id: u for u in self.client.users()} if self._wants_owner_names() else {}

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
        if not self.metas:
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
                columns.append(f"{name}.{NAME_FIELDS.get(meta.lookup_module, 'Name')}")
        query = (f"select {', '.join(columns)} from {self.module} where id > {anchor} "
                 f"order by id limit {offset}, {PAGE}")
        reply = self.client.call("POST", "coql", json_body={"select_query": query}, cancel=self.cancel)
        if reply.status == 204:
            return [], False
        body = self._body(reply)
        rows = [r for r in (self._coql_record(item) for item in body.get("data") or []) if r is not None]
        return rows, len(rows) == PAGE

    def _coql_record(self, item: Any) -> Record | None:
        if not isinstance(item, dict):
            return None
        row = {k: v for k, v in item.items() if "." not in k}
        for name in self.fields:
            meta = self.metas.get(name)
            value = row.get(name)
            if meta is None or not isinstance(value, dict) or "id" not in value:
                continue
            if meta.data_type == "lookup":
                name_key = next((k for k in item if k.startswith(name + ".")), None)
                row[name] = {"id": str(value["id"]), "name": item.get(name_key) if name_key else None}
            elif meta.data_type in ("ownerlookup", "userlookup"):
                user = self.users.get(str(value["id"]))
                row[name] = {"id": str(value["id"]), "name": user.full_name if user else None,
                             "email": user.email if user else None}
        # COQL does not report approval or lock state; the server still refuses such
        # records on submit, and that refusal is shown on the row.
        return record_from(row)

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
