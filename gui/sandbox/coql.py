"""A subset of COQL (``POST /crm/v2.1/coql``): enough for keyset paging past the
2,000-record page cap and for simple filtered reads.

Supported: ``select f1, f2 from Module where <cond> [order by f [asc|desc], ...]
[limit n [offset m] | limit m, n]`` with conditions built from ``= != <> < <= > >=``,
``like``, ``not like``, ``in``, ``not in``, ``between``, ``is null``, ``is not null``,
joined by ``and``/``or`` with parentheses.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from .errors import ApiError
from .schema import ModuleDef, find_module

if TYPE_CHECKING:
    from .store import Store

MAX_LIMIT = 200  # v2.1 caps a COQL page at 200 rows (later versions allow 2,000)
MAX_REACH = 10_000  # offset + limit may not go past this; keyset paging has no such cap
TOKEN_RE = re.compile(r"\s*(?:(?P<str>'(?:[^'\\]|\\.|'')*')|(?P<num>-?\d+(?:\.\d+)?)|"
                      r"(?P<op><>|!=|<=|>=|=|<|>|\(|\)|,)|(?P<word>[A-Za-z_$][\w$.]*))")
KEYWORDS = {"select", "from", "where", "order", "by", "asc", "desc", "limit", "offset", "and", "or", "not",
            "like", "in", "is", "null", "between", "true", "false"}

Predicate = Callable[[dict[str, Any]], bool]
PLAIN, REF, PATH = 0, 1, 2  # how a selected column is shown (see row_renderer)


def syntax_error(clause: str, near: str = "") -> ApiError:
    details = {"clause": clause}
    if near:
        details["near"] = near
    return ApiError(400, "SYNTAX_ERROR", "error occurred while parsing the query", details)


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    text = text.strip().rstrip(";")
    while pos < len(text):
        match = TOKEN_RE.match(text, pos)
        if not match or match.end() == pos:
            raise syntax_error("select", text[pos:pos + 20])
        kind = match.lastgroup or ""
        value = match.group(kind)
        if kind == "word" and value.lower() in KEYWORDS:
            kind, value = "kw", value.lower()
        tokens.append((kind, value))
        pos = match.end()
    return tokens


@dataclass
class Query:
    module: ModuleDef
    fields: list[str]
    where: Predicate
    order: list[tuple[str, bool]]  # (field, descending)
    limit: int
    offset: int
    after_id: int | None  # set when the whole condition is "id > N": lets the store seek


class Parser:
    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.pos = 0

    def peek(self, offset: int = 0) -> tuple[str, str]:
        index = self.pos + offset
        return self.tokens[index] if index < len(self.tokens) else ("end", "")

    def take(self) -> tuple[str, str]:
        token = self.peek()
        self.pos += 1
        return token

    def expect_kw(self, word: str, clause: str) -> None:
        if self.take() != ("kw", word):
            raise syntax_error(clause, word)

    def accept_kw(self, word: str) -> bool:
        if self.peek() == ("kw", word):
            self.pos += 1
            return True
        return False

    def parse(self) -> Query:
        self.expect_kw("select", "select")
        fields = [self.field_name("select")]
        while self.peek() == ("op", ","):
            self.take()
            fields.append(self.field_name("select"))
        self.expect_kw("from", "from")
        kind, name = self.take()
        module = find_module(name) if kind == "word" else None
        if module is None:
            raise ApiError(400, "INVALID_QUERY", "invalid query formed", {"reason": "invalid module", "module": name})
        self.module = module
        for f in fields:
            self.check_field(f, allow_lookup_path=True)
        if not self.accept_kw("where"):
            # The real COQL requires a WHERE clause.
            raise syntax_error("where")
        start = self.pos
        where = self.condition()
        after_id = self.simple_id_seek(start)
        order: list[tuple[str, bool]] = []
        if self.accept_kw("order"):
            self.expect_kw("by", "order by")
            while True:
                name = self.field_name("order by")
                self.check_field(name)
                desc = self.accept_kw("desc")
                if not desc:
                    self.accept_kw("asc")
                order.append((name, desc))
                if self.peek() != ("op", ","):
                    break
                self.take()
        limit, offset = MAX_LIMIT, 0
        if self.accept_kw("limit"):
            first = self.number("limit")
            if self.peek() == ("op", ","):
                self.take()
                offset, limit = first, self.number("limit")
            else:
                limit = first
                if self.accept_kw("offset"):
                    offset = self.number("offset")
        if self.peek()[0] != "end":
            raise syntax_error("end", self.peek()[1])
        if limit < 1 or limit > MAX_LIMIT:
            raise ApiError(400, "LIMIT_EXCEEDED", f"limit must be between 1 and {MAX_LIMIT}", {"limit": MAX_LIMIT})
        if offset + limit > MAX_REACH:
            raise ApiError(400, "LIMIT_EXCEEDED", "offset and limit reach past 10,000 rows; page by id instead",
                           {"limit": MAX_REACH})
        return Query(module, fields, where, order, limit, offset, after_id)

    def number(self, clause: str) -> int:
        kind, value = self.take()
        if kind != "num" or "." in value or value.startswith("-"):
            raise syntax_error(clause, value)
        return int(value)

    def field_name(self, clause: str) -> str:
        kind, value = self.take()
        if kind != "word":
            raise syntax_error(clause, value)
        return value

    def check_field(self, name: str, allow_lookup_path: bool = False) -> None:
        if allow_lookup_path and "." in name:
            # A lookup's own field, e.g. Account_Name.Account_Name (one level deep).
            head, _, tail = name.partition(".")
            f = self.module.get(head)
            target = find_module(f.lookup_module) if f is not None and f.lookup_module else None
            if target is None or (tail != "id" and target.get(tail) is None):
                raise ApiError(400, "INVALID_QUERY", "invalid query formed",
                               {"column_name": name, "reason": "column given seems to be invalid"})
            return
        if name != "id" and self.module.get(name) is None:
            raise ApiError(400, "INVALID_QUERY", "invalid query formed",
                           {"column_name": name, "reason": "column given seems to be invalid"})

    def simple_id_seek(self, start: int) -> int | None:
        span = self.tokens[start:self.pos]
        if len(span) == 3 and span[0] == ("word", "id") and span[1] == ("op", ">") and span[2][0] in ("num", "str"):
            value = span[2][1].strip("'")
            return int(value) if value.isdigit() else None
        return None

    # -- conditions ----------------------------------------------------------------
    def condition(self) -> Predicate:
        left = self.conjunction()
        while self.accept_kw("or"):
            right = self.conjunction()
            left = (lambda a, b: lambda r: a(r) or b(r))(left, right)
        return left

    def conjunction(self) -> Predicate:
        left = self.term()
        while self.accept_kw("and"):
            right = self.term()
            left = (lambda a, b: lambda r: a(r) and b(r))(left, right)
        return left

    def term(self) -> Predicate:
        if self.peek() == ("op", "("):
            self.take()
            inner = self.condition()
            if self.take() != ("op", ")"):
                raise syntax_error("where", ")")
            return inner
        name = self.field_name("where")
        self.check_field(name)
        getter = self.getter(name)
        kind, op = self.take()
        if kind == "op" and op in ("=", "!=", "<>", "<", "<=", ">", ">="):
            value = self.literal()
            return compare(getter, op, value, numeric=self.is_numeric(name))
        if (kind, op) == ("kw", "is"):
            negate = self.accept_kw("not")
            self.expect_kw("null", "where")
            return (lambda r: getter(r) not in (None, "", [])) if negate else (lambda r: getter(r) in (None, "", []))
        negate = False
        if (kind, op) == ("kw", "not"):
            negate = True
            kind, op = self.take()
        if (kind, op) == ("kw", "like"):
            pattern = like_regex(str(self.literal()))
            test: Predicate = lambda r: pattern.match(str(getter(r) or "")) is not None
        elif (kind, op) == ("kw", "in"):
            if self.take() != ("op", "("):
                raise syntax_error("where", "in")
            values = [self.literal()]
            while self.peek() == ("op", ","):
                self.take()
                values.append(self.literal())
            if self.take() != ("op", ")"):
                raise syntax_error("where", ")")
            wanted = {normal(v) for v in values}
            test = lambda r: normal(getter(r)) in wanted
        elif (kind, op) == ("kw", "between") and not negate:
            low = self.literal()
            self.expect_kw("and", "where")
            high = self.literal()
            lo, hi = compare(getter, ">=", low, self.is_numeric(name)), compare(getter, "<=", high, self.is_numeric(name))
            return lambda r: lo(r) and hi(r)
        else:
            raise syntax_error("where", op)
        return (lambda r: not test(r)) if negate else test

    def literal(self) -> Any:
        kind, value = self.take()
        if kind == "str":
            return value[1:-1].replace("''", "'").replace("\\'", "'")
        if kind == "num":
            return value
        if kind == "kw" and value in ("true", "false"):
            return value == "true"
        if kind == "kw" and value == "null":
            return None
        raise syntax_error("where", value)

    def is_numeric(self, name: str) -> bool:
        if name == "id":
            return True
        f = self.module.get(name)
        return f is not None and f.data_type in ("integer", "bigint", "double", "currency", "percent",
                                                 "decimal", "formula", "lookup", "ownerlookup")

    def getter(self, name: str) -> Callable[[dict[str, Any]], Any]:
        f = self.module.get(name)
        if f is not None and f.data_type in ("lookup", "ownerlookup"):
            return lambda r: (r.get(name) or {}).get("id")
        return lambda r: r.get(name)


def normal(value: Any) -> Any:
    if isinstance(value, str):
        return value.lower()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return value


def compare(getter: Callable[[dict[str, Any]], Any], op: str, value: Any, numeric: bool) -> Predicate:
    def convert(v: Any) -> Any:
        if v is None or isinstance(v, bool):
            return v
        if numeric:
            try:
                return float(v) if not str(v).isdigit() else int(v)
            except ValueError:
                raise ApiError(400, "INVALID_QUERY", "invalid query formed",
                               {"reason": "value does not match the field type", "value": str(v)}) from None
        return str(v).lower()

    target = convert(value)

    def test(record: dict[str, Any]) -> bool:
        current = getter(record)
        if isinstance(current, list):
            current = ";".join(current)
        current = convert(current) if current is not None else None
        if op == "=":
            return current == target
        if op in ("!=", "<>"):
            return current != target
        if current is None or target is None:
            return False
        try:
            return {"<": current < target, "<=": current <= target,
                    ">": current > target, ">=": current >= target}[op]
        except TypeError:
            return False

    return test


def like_regex(pattern: str) -> re.Pattern[str]:
    parts = [".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern]
    return re.compile("^" + "".join(parts) + "$", re.IGNORECASE | re.DOTALL)


def run_query(store: "Store", body: Any) -> tuple[int, dict[str, Any] | None]:
    if not isinstance(body, dict) or not isinstance(body.get("select_query"), str):
        raise ApiError(400, "MANDATORY_NOT_FOUND", "required field not found",
                       {"api_name": "select_query", "json_path": "$.select_query"})
    query = Parser(body["select_query"]).parse()
    module = query.module.api_name
    end = query.offset + query.limit
    render = row_renderer(store, query)
    with store.lock:
        table = store.records[module]
        order = store.order[module]  # every id, ascending
        by_id = query.order in ([], [("id", False)])
        if query.after_id is not None and by_id:
            # The whole condition is "id > N" in id order: the sorted id list answers it
            # directly, so a window costs the same wherever it sits.
            first = bisect.bisect_right(order, query.after_id)
            page = [table[str(rid)] for rid in order[first + query.offset:first + end]]
            more = len(order) > first + end
        else:
            rows = [r for r in (table[str(rid)] for rid in order) if query.where(r)]  # in id order
            for name, desc in reversed(query.order):
                if name == "id":
                    if desc:  # ascending is the order the rows are already in
                        rows.sort(key=lambda r: int(r["id"]), reverse=True)
                else:
                    rows.sort(key=lambda r, n=name: sort_key(r.get(n)), reverse=desc)
            page = rows[query.offset:end]
            more = len(rows) > end
        data = [render(r) for r in page]
    if not data:
        return 204, None
    return 200, {"data": data, "info": {"count": len(data), "more_records": more}}


def sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, dict):
        return (1, str(value.get("id", "")))
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (1, value)
    return (2, str(value).lower())


def row_renderer(store: "Store", query: Query) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A function that shows one record the way COQL answers: lookups with the id only,
    like the real API, and a lookup's own field (``Account_Name.Account_Name``) by name.
    What each selected column needs is worked out once per query, not once per row."""
    refs = query.module.refs
    plan: list[tuple[str, int, str, str, str]] = []  # (column, kind, head field, target module, tail)
    for name in query.fields:
        if "." in name:
            head, _, tail = name.partition(".")
            f = query.module.get(head)
            plan.append((name, PATH, head, f.lookup_module if f is not None and f.lookup_module else "", tail))
        else:
            plan.append((name, REF if name in refs else PLAIN, name, "", ""))

    def render(record: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        get = record.get
        for name, kind, head, target_module, tail in plan:
            if kind == PATH:
                ref = get(head)
                target = (store.get_record(target_module, ref["id"])
                          if target_module and isinstance(ref, dict) else None)
                out[name] = None if target is None else (target["id"] if tail == "id" else target.get(tail))
                continue
            value = get(name)
            if kind == REF and isinstance(value, dict):
                value = {"id": value.get("id")}
            elif isinstance(value, list):
                value = [dict(v) if isinstance(v, dict) else v for v in value]
            out[name] = value
        out["id"] = record["id"]
        return out

    return render
