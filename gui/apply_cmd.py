"""``zcrm-editor apply``: send the edits in a CSV/TSV file to Zoho CRM without a window.

It shares every step with the editor (mapping rows to records, reading cell text, the
planner, the client, results, wording); what is here is reading the file, the connection
options and printing.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from .client.api import ZohoClient
from .client.errors import SignInError, SignInRequired, ZohoError
from .client.signin import SignIn
from .client.submit import run_plan
from .core.changeset import ChangeSet
from .core.cell_input import texts_to_changes
from .core.export import safe_cell
from .core.fieldtypes import LocaleSpec, ParseContext
from .core.meta import FieldMeta
from .core.outcomes import OUTCOME_UNKNOWN, apply_results
from .core.paste_mapping import build_key_index, map_by_key
from .core.planner import plan_submit
from .core.profile import Profile, StoredSecrets
from .core.results import RecordError
from .core.wording import describe
from .services.journal import Journal, JournalError, JournalSession
from .services.logs import register_secret
from .services.paths import AppPaths, write_private_file

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
LOCALES = {"en_US": LocaleSpec.en_us, "en_GB": LocaleSpec.en_gb, "de_DE": LocaleSpec.de_de}


class UsageError(Exception):
    pass


@dataclass
class RowReport:
    row: int  # 1-based line in the file, the header being line 1
    record_id: str
    status: str  # updated, failed, unknown, unchanged, conflict, invalid (planned with --dry-run)
    code: str = ""
    field: str = ""
    message: str = ""


@dataclass
class Outcome:
    rows: list[RowReport] = field(default_factory=list)
    signed_out: bool = False  # the sign-in was lost during the submit: the rest was not sent

    def exit_code(self) -> int:
        if self.signed_out:
            return EXIT_USAGE
        bad = {"failed", "invalid", "conflict", "unknown"}
        return EXIT_FAILED if any(r.status in bad for r in self.rows) else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="zcrm-editor apply",
                                description="Update Zoho CRM records from a CSV or TSV file (first row: field "
                                            "API names or labels; one column is the key).")
    p.add_argument("file", type=Path, help="the CSV (UTF-8, BOM allowed) or .tsv file")
    p.add_argument("--module", required=True, help="module API name, e.g. Leads")
    p.add_argument("--key", default="id", help="column that finds each record: id (default) or a unique field")
    p.add_argument("--trigger", default=None,
                   help="'none', or a comma list of approval,workflow,blueprint (default: Zoho runs all)")
    p.add_argument("--dry-run", action="store_true", help="check and plan, send nothing")
    p.add_argument("--no-mass-update", action="store_true", help="send only record updates")
    p.add_argument("--report", type=Path, help="write row,id,status,code,field,message to this CSV")
    p.add_argument("--overwrite-conflicts", action="store_true",
                   help="send rows even when the record changed in Zoho after the file's Modified_Time")
    p.add_argument("--empty", choices=("keep", "clear"), default="keep",
                   help="what an empty cell does: keep the field (default) or clear it")
    p.add_argument("--locale", choices=sorted(LOCALES), default="en_US",
                   help="how numbers and dates in the file are written (ISO dates always work)")
    p.add_argument("--profile", help="a saved connection profile")
    p.add_argument("--api-base", help="API base URL (with --accounts-url and ZCRM_CLIENT_ID, "
                                      "ZCRM_CLIENT_SECRET, ZCRM_REFRESH_TOKEN in the environment)")
    p.add_argument("--accounts-url", help="accounts server base URL (token endpoint: {accounts}/oauth/v2/token)")
    p.add_argument("--timeout", type=positive_seconds, metavar="SECONDS",
                   help="how long to wait for each answer from Zoho before trying again (default 60)")
    p.epilog = ("Exit status: 0 every row done, 1 some rows failed (see the report), 2 nothing or not everything "
                "was tried (bad options or file, or the sign-in failed or was lost).")
    return p


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError("give a number of seconds between 0 and 3600")
    return value


def read_grid(path: Path) -> list[list[str]]:
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise UsageError(f"cannot read {path}: {err.strerror or err}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"{path} is not UTF-8 text; save it as “CSV UTF-8” and try again") from None
    delimiter = "\t" if path.suffix.lower() in (".tsv", ".tab") or ("\t" in text.split("\n", 1)[0]
                                                                       and "," not in text.split("\n", 1)[0]) else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if len(rows) < 2:
        raise UsageError(f"{path} has no data rows (the first row must name the fields)")
    return rows


def app_paths() -> AppPaths:
    home = os.environ.get("ZCRM_EDITOR_HOME")
    return AppPaths.under(home) if home else AppPaths.default()


def connection_name(args: argparse.Namespace) -> str:
    """The journal keeps sessions per connection: a profile, or the API base given."""
    return args.profile or f"command line: {args.api_base}"


def connect(args: argparse.Namespace) -> ZohoClient:
    if args.profile:
        from .services.profiles import ProfileStore
        from .services.secrets import KeyringSecretStore

        profile = ProfileStore(app_paths()).get(args.profile)
        if profile is None:
            raise UsageError(f"no profile named “{args.profile}”")
        return SignIn(KeyringSecretStore(), register_secret=register_secret, timeout=args.timeout).open(profile)
    if not (args.api_base and args.accounts_url):
        raise UsageError("give --profile NAME, or --api-base and --accounts-url with ZCRM_CLIENT_ID, "
                         "ZCRM_CLIENT_SECRET and ZCRM_REFRESH_TOKEN in the environment")
    missing = [v for v in ("ZCRM_CLIENT_ID", "ZCRM_CLIENT_SECRET", "ZCRM_REFRESH_TOKEN") if not os.environ.get(v)]
    if missing:
        raise UsageError("missing in the environment: " + ", ".join(missing))
    from .services.secrets import SessionSecretStore

    profile = Profile("command line", "custom", os.environ["ZCRM_CLIENT_ID"], api_base=args.api_base,
                      accounts_base=args.accounts_url)
    secrets = SessionSecretStore()
    secrets.save(profile.name, StoredSecrets(os.environ["ZCRM_CLIENT_SECRET"], os.environ["ZCRM_REFRESH_TOKEN"]))
    return SignIn(secrets, register_secret=register_secret, timeout=args.timeout).open(profile)


def parse_trigger(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    if text.strip().lower() == "none":
        return ()
    chosen = tuple(t.strip() for t in text.split(",") if t.strip())
    unknown = [t for t in chosen if t not in ("approval", "workflow", "blueprint")]
    if unknown:
        raise UsageError(f"unknown trigger(s): {', '.join(unknown)} (use none, approval, workflow, blueprint)")
    return chosen


class Progress:
    """A one-line progress display on a terminal; silent otherwise."""

    def __init__(self, out: TextIO, total: int):
        self.out = out
        self.total = total
        self.done = 0
        self.lock = threading.Lock()
        self.live = out.isatty()

    def add(self, n: int, note: str = "") -> None:
        with self.lock:
            self.done += n
            if self.live:
                self.out.write(f"\r  sent {self.done:,} of {self.total:,} records {note}".ljust(70))
                self.out.flush()

    def end(self) -> None:
        if self.live:
            self.out.write("\n")


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> Outcome:
    trigger = parse_trigger(args.trigger)
    grid = read_grid(args.file)
    with connect(args) as client:
        fields = client.fields(args.module)
        by_name = {f.api_name: f for f in fields}
        header = [h.strip() for h in grid[0]]
        key = resolve_key(args.key, fields)
        records = load_records(client, args.module, grid, header, key, fields)
        changes = ChangeSet(args.module, fields)
        changes.add_records(records)
        journal = Journal.in_data_dir(app_paths().ensure())
        try:
            session = journal.session(connection_name(args), args.module)
            session.close_interrupted_submits()  # an earlier run was killed while sending
            left = session.count()
            if left:
                # The file says what to send; an earlier run's unfinished edits are replaced by it.
                err.write(f"note: {left} edit(s) left by an earlier run that did not finish were replaced by "
                          f"this file (rows the server already has are skipped)\n")
                session.clear()
            session.attach(changes)
            key_values = {r.record_id: (r.record_id if key == "id" else r.values.get(key)) for r in records}
            plan_map = map_by_key(grid, fields, key,
                                  build_key_index(key_values, key if key == "id" else by_name[key]), empty=args.empty)
            if plan_map.error:
                raise UsageError(plan_map.error)
            return apply_plan(args, client, changes, session, grid, header, plan_map, trigger, out, err)
        finally:
            journal.close()


def resolve_key(name: str, fields: list[FieldMeta]) -> str:
    if name.strip().lower() == "id":
        return "id"
    for f in fields:
        if name in (f.api_name, f.label) or name.lower() in (f.api_name.lower(), f.label.lower()):
            if not f.unique and f.data_type not in ("email",):
                raise UsageError(f"--key {name}: {f.label} is not a unique field, so it cannot find records")
            return f.api_name
    raise UsageError(f"--key {name}: the module has no such field")


def load_records(client: ZohoClient, module: str, grid: list[list[str]], header: list[str], key: str,
                 fields: list[FieldMeta]) -> list[Any]:
    wanted = [f.api_name for f in fields if f.api_name in header or f.label in header
              or f"+{f.api_name}" in header or f"-{f.api_name}" in header]
    wanted = list(dict.fromkeys([*wanted, "Modified_Time"] + ([key] if key != "id" else [])))
    if key == "id":
        column = next((i for i, h in enumerate(header) if h.lower() in ("id", "record id", "record_id")), None)
        if column is None:
            raise UsageError("the file has no id column (or give --key with a unique field)")
        ids = [row[column].strip() for row in grid[1:] if len(row) > column and row[column].strip().isdigit()]
        return client.fetch(module, ids, wanted) if ids else []
    records: list[Any] = []
    client.load(module, wanted, lambda page: records.extend(page.records))
    return records


def apply_plan(args: argparse.Namespace, client: ZohoClient, changes: ChangeSet, session: JournalSession,
               grid: list[list[str]],
               header: list[str], plan_map: Any, trigger: tuple[str, ...] | None, out: TextIO,
               err: TextIO) -> Outcome:
    fields = changes.fields
    outcome = Outcome()
    row_of: dict[str, int] = {}
    for cell in plan_map.cells:
        row_of[cell.record_id] = cell.source_row
    for issue in plan_map.unmatched_rows + plan_map.ambiguous_rows:
        outcome.rows.append(RowReport(issue.source_row + 1, issue.key, "failed", "NOT_FOUND", "", issue.reason))
    for col, name in plan_map.unknown_columns:
        err.write(f"column {col + 1} “{name}”: no such field in {changes.module}; ignored\n")
    for skipped in plan_map.skipped_readonly + plan_map.skipped_columns:
        err.write(f"column {skipped.source_col + 1} “{skipped.header}”: {skipped.reason}; ignored\n")

    ctx = ParseContext(LOCALES[args.locale](), tuple(client.users()))
    cell_changes, notes = texts_to_changes(
        ((c.record_id, fields[c.api_name], c.text, c.mode, c.source_row, c.source_col) for c in plan_map.cells), ctx)
    invalid_rows = {n.record_id for n in notes if n.invalid}
    for note in notes:
        where = f"row {note.source_row + 1 if note.source_row is not None else '?'}, {fields[note.api_name].label}"
        if note.invalid:
            err.write(f"{where}: {note.message}\n")
            outcome.rows.append(RowReport((note.source_row or 0) + 1, note.record_id, "invalid", "INVALID_VALUE",
                                          note.api_name, note.message))
        else:
            err.write(f"{where}: note: {note.message}\n")
    refused = changes.apply([c for c in cell_changes if c.record_id not in invalid_rows], "Apply file").refused
    refused_rows: dict[str, str] = {}
    for (record_id, api_name), why in refused:
        refused_rows.setdefault(record_id, why)
        outcome.rows.append(RowReport(row_of.get(record_id, 0) + 1, record_id, "failed", "NOT_EDITABLE",
                                      api_name, why))

    conflicts = find_file_conflicts(changes, grid, header, plan_map)
    held = set() if args.overwrite_conflicts else set(conflicts)
    for record_id, (file_time, now_time) in conflicts.items():
        if record_id in held:
            outcome.rows.append(RowReport(row_of.get(record_id, 0) + 1, record_id, "conflict", "CONFLICT",
                                          "Modified_Time", f"changed in Zoho at {now_time} after the file's "
                                                           f"{file_time}; not sent (use --overwrite-conflicts)"))
    to_send = [e for e in changes.pending() if e.record_id not in held]
    plan = plan_submit(changes.module, to_send, changes.records, fields, use_mass_update=not args.no_mass_update,
                       trigger=trigger)
    out.write(f"Plan: {plan.summary()}\n")
    sent_ids = {rid for call in plan.calls for rid in call.record_ids}
    reported = {r.record_id for r in outcome.rows}
    for cell in plan_map.cells:
        rid = cell.record_id
        if rid not in sent_ids and rid not in reported and rid not in invalid_rows:
            outcome.rows.append(RowReport(cell.source_row + 1, rid, "unchanged"))
            reported.add(rid)
    if args.dry_run:
        for rid in sorted(sent_ids, key=lambda r: row_of.get(r, 0)):
            outcome.rows.append(RowReport(row_of.get(rid, 0) + 1, rid, "planned"))
        return outcome

    progress = Progress(err, plan.record_count)
    lock = threading.Lock()
    submit_id = session.begin_submit(plan)
    index_of = {id(call): n for n, call in enumerate(plan.calls)}

    def on_sending(call: Any) -> None:
        with lock:
            session.call_sent(submit_id, index_of[id(call)])

    def on_call(call: Any, results: list[Any]) -> None:
        with lock:
            session.call_answered(submit_id, index_of[id(call)], call, results)
            applied = apply_results(changes, call, results)
            for rid in applied.updated:
                outcome.rows.append(RowReport(row_of.get(rid, 0) + 1, rid, "updated"))
            for rid, error in applied.failed:
                outcome.rows.append(failure_row(row_of.get(rid, 0) + 1, rid, error, fields))
        progress.add(len(call.record_ids))

    started = time.perf_counter()
    try:
        totals = run_plan(client, plan, on_call, on_sending=on_sending)
    finally:
        session.finish_submit(submit_id, cancelled=False)
    progress.end()
    out.write(f"Sent in {time.perf_counter() - started:.1f} s: {totals.updated} updated, {totals.failed} failed\n")
    stopped = sum(1 for r in outcome.rows if r.code == "SIGN_IN_REQUIRED")
    if stopped:
        outcome.signed_out = True
        err.write(f"zcrm-editor apply: the Zoho sign-in expired or was revoked during the submit; sign in again. "
                  f"{stopped} row(s) were not saved; run the same file again afterwards (rows Zoho already has "
                  "are skipped).\n")
    return outcome


def failure_row(row: int, record_id: str, error: RecordError, fields: dict[str, FieldMeta]) -> RowReport:
    def label(api: str) -> str:
        meta = fields.get(api)
        return meta.label if meta else api

    status = "unknown" if error.code == OUTCOME_UNKNOWN else "failed"
    return RowReport(row, record_id, status, error.code, error.api_name or "", describe(error, label))


def find_file_conflicts(changes: ChangeSet, grid: list[list[str]], header: list[str],
                        plan_map: Any) -> dict[str, tuple[str, str]]:
    """Rows whose Modified_Time column is older than the record's time in Zoho now."""
    column = next((i for i, h in enumerate(header) if h in ("Modified_Time", "Modified Time")), None)
    if column is None:
        return {}
    found = {}
    for cell in plan_map.cells:
        row = grid[cell.source_row]
        file_time = row[column].strip() if len(row) > column else ""
        record = changes.records.get(cell.record_id)
        now_time = record.values.get("Modified_Time") if record else None
        if file_time and now_time and file_time != now_time:
            found[cell.record_id] = (file_time, str(now_time))
    return found


def write_report(path: Path, outcome: Outcome) -> None:
    """The report as CSV (UTF-8 with a BOM, for Excel), readable by the user only."""
    rows = sorted(outcome.rows, key=lambda r: (r.row, r.record_id))
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["row", "id", "status", "code", "field", "message"])
    for r in rows:
        writer.writerow([r.row, safe_cell(r.record_id), r.status, safe_cell(r.code), safe_cell(r.field),
                         safe_cell(r.message)])
    write_private_file(path, "\ufeff" + buffer.getvalue())


def main(argv: list[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return EXIT_USAGE if stop.code not in (0, None) else EXIT_OK
    try:
        outcome = run(args, out, err)
    except UsageError as problem:
        err.write(f"zcrm-editor apply: {problem}\n")
        return EXIT_USAGE
    except (SignInRequired, SignInError) as problem:
        err.write(f"zcrm-editor apply: {problem.message}\n")
        return EXIT_USAGE
    except JournalError as problem:
        err.write(f"zcrm-editor apply: {problem}\n")
        return EXIT_USAGE
    except ZohoError as problem:
        err.write(f"zcrm-editor apply: Zoho said {problem.code}: {describe(RecordError(problem.code, problem.message, details=problem.details))}\n")
        return EXIT_USAGE
    counts: dict[str, int] = {}
    for r in outcome.rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    out.write("Rows: " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) + "\n")
    if args.report:
        write_report(args.report, outcome)
        out.write(f"Report: {args.report}\n")
    return outcome.exit_code()
