"""Deterministic demo data for the sandbox (``--seed demo``).

The same seed and record count always give the same org: same ids, names, values,
blocked records, images and files. Nothing here reads the wall clock.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from typing import Any

from . import schema
from .schema import MODULES
from .store import ORG_PREFIX, Store, compute_derived
from .validation import format_datetime

EPOCH = datetime(2026, 1, 1, 9, 0, tzinfo=timezone.utc)

FIRST = ("Ava", "Liam", "Noah", "Emma", "Olivia", "Mateo", "Sofia", "Lucas", "Mia", "Arjun", "Priya",
         "Kenji", "Yuki", "Lena", "Jonas", "Chloé", "Hugo", "Amara", "Kwame", "Fatima", "Omar", "Elena",
         "Marco", "Giulia", "Sven", "Ingrid", "Diego", "Camila", "Wei", "Mei", "Patricia", "Samuel")
LAST = ("Smith", "Johnson", "García", "Müller", "Rossi", "Dubois", "Nakamura", "Patel", "Okafor",
        "Nguyen", "Kowalski", "Andersen", "Silva", "Haddad", "Kim", "O'Brien", "van Dijk", "Novak",
        "Fischer", "Moreau", "Lopez", "Chen", "Ivanova", "Schmidt", "Boyle", "Tanaka", "Costa", "Berg")
COMPANY_A = ("Blue", "North", "Bright", "Iron", "Silver", "Green", "Rapid", "Summit", "Harbor", "Vertex",
             "Cedar", "Atlas", "Nimbus", "Quartz", "Pioneer", "Orbit", "Maple", "Falcon", "Lumen", "Beacon")
COMPANY_B = ("Logistics", "Analytics", "Foods", "Robotics", "Media", "Health", "Energy", "Textiles",
             "Software", "Builders", "Partners", "Labs", "Systems", "Outfitters", "Consulting", "Motors")
COMPANY_C = ("Inc", "Ltd", "GmbH", "LLC", "SA", "AB", "BV", "Co")
CITIES = (("Austin", "TX", "United States", "78701"), ("Chennai", "TN", "India", "600001"),
          ("Berlin", "BE", "Germany", "10115"), ("Lyon", "ARA", "France", "69001"),
          ("Toronto", "ON", "Canada", "M5H 2N2"), ("Sydney", "NSW", "Australia", "2000"),
          ("Osaka", "Osaka", "Japan", "530-0001"), ("Boston", "MA", "United States", "02108"),
          ("Amsterdam", "NH", "Netherlands", "1012"), ("São Paulo", "SP", "Brazil", "01000-000"))
USERS = (("Patricia Boyle", "patricia.boyle", "Administrator", "CEO"),
         ("Marco Rossi", "marco.rossi", "Standard", "Sales Manager"),
         ("Amara Okafor", "amara.okafor", "Standard", "Sales Rep"),
         ("Kenji Nakamura", "kenji.nakamura", "Standard", "Sales Rep"))
DOMAIN = "zylker-demo.com"


def _module_id_base(index: int) -> int:
    return ORG_PREFIX * 10**12 + (index + 1) * 10**9


def build_demo(store: Store, records: int, seed: str = "demo") -> None:
    rnd = random.Random(f"zcrm-sandbox:{seed}")
    _add_users(store)
    accounts = _add_accounts(store, rnd, records)
    contacts = _add_contacts(store, rnd, records, accounts)
    _add_deals(store, rnd, records, accounts, contacts)
    _add_leads(store, rnd, records)
    store.dirty = True


def _add_users(store: Store) -> None:
    for i, (name, handle, profile, role) in enumerate(USERS):
        uid = str(ORG_PREFIX * 10**12 + 281001 + i * 17)
        first, last = name.split(" ", 1)
        store.users[uid] = {
            "id": uid, "full_name": name, "first_name": first, "last_name": last,
            "email": f"{handle}@{DOMAIN}", "status": "active", "confirm": True,
            "role": {"name": role, "id": str(ORG_PREFIX * 10**12 + 26005 + i)},
            "profile": {"name": profile, "id": str(ORG_PREFIX * 10**12 + 26011 + i)},
            "time_zone": "Etc/UTC", "locale": "en_US", "language": "en_US", "country": "US",
            "date_format": "MM/dd/yyyy", "time_format": "hh:mm a", "zuid": str(60000000 + i),
        }
    store.current_user_id = next(iter(store.users))


def _stamp(rnd: random.Random, store: Store, index: int) -> dict[str, Any]:
    created = EPOCH - timedelta(days=rnd.randint(30, 700), minutes=rnd.randint(0, 1440))
    modified = created + timedelta(days=rnd.randint(0, 25), minutes=rnd.randint(0, 600))
    owner = list(store.users)[index % len(store.users)]
    creator = list(store.users)[rnd.randrange(len(store.users))]
    return {
        "Owner": {"id": owner},
        "Created_By": {"id": creator}, "Modified_By": {"id": creator},
        "Created_Time": format_datetime(created), "Modified_Time": format_datetime(min(modified, EPOCH)),
        "$approved": True, "$editable": True, "$locked_for_me": False, "$in_merge": False,
        "$approval_state": "approved", "$process_flow": False, "$currency_symbol": "$",
        "$review": None, "$state": "save",
    }


def _company(rnd: random.Random) -> str:
    return f"{rnd.choice(COMPANY_A)} {rnd.choice(COMPANY_B)} {rnd.choice(COMPANY_C)}"


def _phone(rnd: random.Random) -> str:
    return f"+1 {rnd.randint(200, 989)}-{rnd.randint(200, 999)}-{rnd.randint(1000, 9999)}"


def _slug(text: str) -> str:
    keep = "".join(ch for ch in text.lower() if ch.isascii() and (ch.isalnum() or ch == " "))
    return keep.replace(" ", "")


def _files(store: Store, rnd: random.Random, label: str, chance: float) -> list[dict[str, Any]]:
    out = []
    if rnd.random() < chance:
        for n in range(rnd.randint(1, 2)):
            ext = rnd.choice(("pdf", "docx", "xlsx"))
            upload = store.add_upload(f"{label}-{n + 1}.{ext}", rnd.randint(8_000, 900_000), "application/octet-stream")
            out.append(store.attach_file(upload))
    return out


def _images(store: Store, rnd: random.Random, label: str, chance: float) -> list[dict[str, Any]]:
    out = []
    if rnd.random() < chance:
        for n in range(rnd.randint(1, 3)):
            upload = store.add_upload(f"{label}-{n + 1}.jpg", rnd.randint(20_000, 400_000), "image/jpeg")
            out.append(store.attach_image(upload, n + 1))
    return out


def _add_accounts(store: Store, rnd: random.Random, n: int) -> list[str]:
    ids: list[str] = []
    used: set[str] = set()
    base = _module_id_base(2)
    for i in range(n):
        name = _company(rnd)
        while name.lower() in used:
            name = f"{_company(rnd)} {rnd.randint(2, 999)}"
        used.add(name.lower())
        city, _, country, _ = rnd.choice(CITIES)
        rid = str(base + i * 3 + 1)
        rec: dict[str, Any] = {"id": rid, **_stamp(rnd, store, i),
            "Account_Name": name, "Account_Number": rnd.randint(10**11, 10**13),
            "Parent_Account": {"id": rnd.choice(ids)} if ids and rnd.random() < 0.1 else None,
            "Account_Type": rnd.choice(schema.ACCOUNT_TYPES[1:]), "Industry": rnd.choice(schema.INDUSTRIES[1:]),
            "Ownership": rnd.choice(schema.OWNERSHIP), "Rating": rnd.choice(schema.RATINGS),
            "Annual_Revenue": float(rnd.randint(1, 500) * 10_000), "Employees": rnd.randint(5, 20_000),
            "SIC_Code": rnd.randint(1000, 9999), "Ticker_Symbol": name[:4].upper().strip(),
            "Phone": _phone(rnd), "Website": f"https://www.{_slug(name)[:18]}.example",
            "Customer_Since": (EPOCH - timedelta(days=rnd.randint(100, 3000))).date().isoformat(),
            "Services": rnd.sample(schema.SERVICES, rnd.randint(0, 3)),
            "Billing_City": city, "Billing_Country": country,
            "Description": rnd.choice((None, "Key account.", "Renewal due next quarter.\nAsk about volume pricing.")),
            "Contracts": _files(store, rnd, f"contract-{i}", 0.15), "Logo": _images(store, rnd, f"logo-{i}", 0.1)}
        compute_derived(MODULES["Accounts"], rec)
        store.add_record("Accounts", rec)
        ids.append(rid)
    return ids


def _person(rnd: random.Random) -> tuple[str, str]:
    return rnd.choice(FIRST), rnd.choice(LAST)


def _add_contacts(store: Store, rnd: random.Random, n: int, accounts: list[str]) -> list[str]:
    ids = []
    base = _module_id_base(1)
    for i in range(n):
        first, last = _person(rnd)
        city, state, country, zip_code = rnd.choice(CITIES)
        rid = str(base + i * 3 + 1)
        rec: dict[str, Any] = {"id": rid, **_stamp(rnd, store, i),
            "First_Name": first, "Last_Name": last,
            "Account_Name": {"id": rnd.choice(accounts)} if accounts else None,
            "Email": f"{_slug(first)}.{_slug(last)}{i}@{rnd.choice(('example.com', 'mail.example', 'corp.example'))}",
            "Phone": _phone(rnd), "Mobile": _phone(rnd) if rnd.random() < 0.5 else None,
            "Title": rnd.choice(("CEO", "CTO", "Buyer", "Office Manager", "Head of IT", "Engineer", None)),
            "Department": rnd.choice(("Sales", "IT", "Finance", "Operations", None)),
            "Lead_Source": rnd.choice(schema.LEAD_SOURCES),
            "Date_of_Birth": f"{rnd.randint(1955, 2001)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
            "Email_Opt_Out": rnd.random() < 0.1, "Hobbies": rnd.sample(schema.INTERESTS, rnd.randint(0, 3)),
            "Mailing_Street": f"{rnd.randint(1, 999)} {rnd.choice(('Main St', 'Park Ave', 'High St', 'Ring Rd'))}",
            "Mailing_City": city, "Mailing_State": state, "Mailing_Zip": zip_code, "Mailing_Country": country,
            "Description": None,
            "Resume": _files(store, rnd, f"resume-{i}", 0.1), "Contact_Images": _images(store, rnd, f"contact-{i}", 0.1)}
        compute_derived(MODULES["Contacts"], rec)
        store.add_record("Contacts", rec)
        ids.append(rid)
    return ids


def _add_deals(store: Store, rnd: random.Random, n: int, accounts: list[str], contacts: list[str]) -> None:
    base = _module_id_base(3)
    for i in range(n):
        stage_index = rnd.randrange(len(schema.STAGES))
        rid = str(base + i * 3 + 1)
        rec: dict[str, Any] = {"id": rid, **_stamp(rnd, store, i),
            "Deal_Name": f"{rnd.choice(COMPANY_A)} {rnd.choice(('renewal', 'expansion', 'pilot', 'rollout'))} #{i + 1}",
            "Account_Name": {"id": rnd.choice(accounts)} if accounts else None,
            "Contact_Name": {"id": rnd.choice(contacts)} if contacts and rnd.random() < 0.8 else None,
            "Amount": float(rnd.randint(5, 900) * 100), "Stage": schema.STAGES[stage_index],
            "Probability": float(min(100, stage_index * 10 + 10)),
            "Discount": round(rnd.random() * 15, 2), "Type": rnd.choice(schema.DEAL_TYPES),
            "Closing_Date": (EPOCH + timedelta(days=rnd.randint(-120, 240))).date().isoformat(),
            "Lead_Source": rnd.choice(schema.LEAD_SOURCES),
            "Next_Step": rnd.choice(("Send proposal", "Demo call", "Legal review", None)),
            "Competitors": rnd.sample(schema.COMPETITORS, rnd.randint(0, 2)), "Description": None,
            "Proposal": _files(store, rnd, f"proposal-{i}", 0.2)}
        compute_derived(MODULES["Deals"], rec)
        store.add_record("Deals", rec)


def blocked_indexes(n: int) -> tuple[set[int], set[int], set[int]]:
    """Which Leads rows await approval, are locked, or may not be edited.

    Fixed positions near the top (so even a small org has five of each) plus a sprinkle
    further down for larger orgs.
    """
    not_approved = {i for i in (3, 13, 23, 33, 43) if i < n} | {i for i in range(n) if i % 97 == 61}
    locked = {i for i in (5, 15, 25, 35, 45) if i < n} | {i for i in range(n) if i % 89 == 71}
    read_only = {i for i in (8, 48) if i < n}
    return not_approved, locked - not_approved, read_only - not_approved - locked


def _add_leads(store: Store, rnd: random.Random, n: int) -> None:
    base = _module_id_base(0)
    not_approved, locked, read_only = blocked_indexes(n)
    for i in range(n):
        first, last = _person(rnd)
        company = _company(rnd)
        city, state, country, zip_code = rnd.choice(CITIES)
        staff = rnd.choice((None, rnd.randint(1, 5000)))
        rid = str(base + i * 3 + 1)
        rec: dict[str, Any] = {"id": rid, **_stamp(rnd, store, i),
            "First_Name": first, "Last_Name": last, "Lead_Number": f"LD-{i + 1:05d}",
            "Company": company, "Designation": rnd.choice(("Manager", "Director", "Owner", "Analyst", None)),
            "Email": f"{_slug(first)}.{_slug(last)}.{i}@{_slug(company)[:16]}.example",
            "Secondary_Email": None, "Phone": _phone(rnd), "Mobile": _phone(rnd) if rnd.random() < 0.4 else None,
            "Website": f"https://{_slug(company)[:16]}.example" if rnd.random() < 0.6 else None,
            "Lead_Source": rnd.choice(schema.LEAD_SOURCES), "Lead_Status": rnd.choice(schema.LEAD_STATUSES),
            "Industry": rnd.choice(schema.INDUSTRIES), "Rating": rnd.choice(schema.RATINGS),
            "No_of_Employees": staff, "Annual_Revenue": float(rnd.randint(0, 300) * 25_000) if staff else None,
            "Lead_Score": round(rnd.random() * 100, 1), "Email_Opt_Out": rnd.random() < 0.08,
            "Languages_Spoken": rnd.sample(schema.LANGUAGES, rnd.randint(0, 3)),
            "Interests": rnd.sample(schema.INTERESTS, rnd.randint(0, 4)),
            "Follow_Up_Date": (EPOCH + timedelta(days=rnd.randint(-30, 90))).date().isoformat() if rnd.random() < 0.5 else None,
            "Next_Call": format_datetime(EPOCH + timedelta(hours=rnd.randint(1, 2000))) if rnd.random() < 0.3 else None,
            "Last_Activity_Time": None,
            "Street": f"{rnd.randint(1, 999)} {rnd.choice(('Main St', 'Market St', 'Station Rd', 'Elm St'))}",
            "City": city, "State": state, "Zip_Code": zip_code, "Country": country,
            "Description": rnd.choice((None, None, "Met at the trade show.", "Asked for a call back\nafter the budget review.")),
            "Documents": _files(store, rnd, f"lead-doc-{i}", 0.12), "Photos": _images(store, rnd, f"lead-photo-{i}", 0.12)}
        if i in not_approved:
            rec.update({"$approved": False, "$approval_state": "awaiting"})
        if i in locked:
            rec.update({"$locked_for_me": True})
        if i in read_only:
            rec.update({"$editable": False})
        compute_derived(MODULES["Leads"], rec)
        store.add_record("Leads", rec)
