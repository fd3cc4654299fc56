"""Field and module metadata of the sandbox org.

Four modules (Leads, Contacts, Accounts, Deals) whose fields cover every ``data_type`` the
editor must handle. Each field is described once here; :func:`field_json` renders the
``settings/fields`` entry with the keys the real API and Zoho's SDK read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JSON_TYPES = {
    "text": "string", "textarea": "string", "email": "string", "phone": "string",
    "website": "string", "picklist": "string", "autonumber": "string",
    "integer": "integer", "bigint": "integer",
    "double": "double", "currency": "double", "percent": "double", "decimal": "double",
    "boolean": "boolean", "date": "string", "datetime": "string",
    "multiselectpicklist": "jsonarray", "fileupload": "jsonarray", "imageupload": "jsonarray",
    "lookup": "jsonobject", "ownerlookup": "jsonobject",
    # Formula fields answer in their return type; ours all return numbers.
    "formula": "double",
}

# Default text lengths, as the real metadata reports them.
DEFAULT_LENGTH = {
    "text": 255, "textarea": 32000, "email": 100, "phone": 30, "website": 255,
    "picklist": 120, "multiselectpicklist": 2000, "integer": 9, "bigint": 18,
    "double": 16, "currency": 16, "percent": 5, "decimal": 16, "autonumber": 255,
    "date": 20, "datetime": 120, "boolean": 5, "lookup": 120, "ownerlookup": 120,
    "fileupload": 255, "imageupload": 255, "formula": 16,
}

# Guess: Zoho caps files per file-upload field at 5 and images per image field at 10;
# going past the cap is answered with LIMIT_EXCEEDED.
MAX_FILES = 5
MAX_IMAGES = 10


@dataclass(frozen=True)
class FieldDef:
    api_name: str
    label: str
    data_type: str
    mandatory: bool = False
    read_only: bool = False
    unique: bool = False
    mass_update: bool = True
    length: int | None = None
    picklist: tuple[str, ...] = ()
    lookup_module: str | None = None
    custom: bool = False
    formula: str | None = None  # a small expression over other fields, see store.compute_formulas

    @property
    def max_length(self) -> int:
        return self.length if self.length is not None else DEFAULT_LENGTH.get(self.data_type, 255)

    @property
    def editable(self) -> bool:
        return not self.read_only and self.data_type not in ("autonumber", "formula")


@dataclass(frozen=True)
class ModuleDef:
    api_name: str
    singular: str
    plural: str
    module_id: str
    name_field: str
    fields: tuple[FieldDef, ...]
    # Fields allowed in one mass-update call (Zoho allows three in Deals, one elsewhere).
    mass_update_fields: int = 1
    _index: dict[str, FieldDef] = field(default_factory=dict, compare=False, repr=False)
    # api_name -> "owner" or the lookup's target module, for fields that hold a reference
    refs: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._index.update({f.api_name: f for f in self.fields})
        for f in self.fields:
            if f.data_type == "ownerlookup":
                self.refs[f.api_name] = "owner"
            elif f.lookup_module:
                self.refs[f.api_name] = f.lookup_module

    def get(self, api_name: str) -> FieldDef | None:
        return self._index.get(api_name)


LEAD_SOURCES = ("-None-", "Advertisement", "Cold Call", "Employee Referral", "External Referral",
                "Online Store", "Partner", "Public Relations", "Sales Email Alias", "Seminar Partner",
                "Internal Seminar", "Trade Show", "Web Download", "Web Research", "Chat")
LEAD_STATUSES = ("-None-", "Attempted to Contact", "Contact in Future", "Contacted", "Junk Lead",
                 "Lost Lead", "Not Contacted", "Pre-Qualified", "Not Qualified")
INDUSTRIES = ("-None-", "ASP (Application Service Provider)", "Data/Telecom OEM", "ERP (Enterprise Resource Planning)",
              "Government/Military", "Large Enterprise", "Management ISV", "MSP (Management Service Provider)",
              "Network Equipment Enterprise", "Non-management ISV", "Optical Networking", "Service Provider",
              "Small/Medium Enterprise", "Storage Equipment", "Storage Service Provider", "Systems Integrator",
              "Wireless Industry")
RATINGS = ("-None-", "Acquired", "Active", "Market Failed", "Project Cancelled", "Shut Down")
LANGUAGES = ("English", "French", "German", "Spanish", "Portuguese", "Italian", "Dutch", "Hindi",
             "Japanese", "Korean", "Mandarin", "Arabic")
INTERESTS = ("Analytics", "Automation", "Cloud Hosting", "Consulting", "Integrations", "Mobile Apps",
             "Security", "Support Plans", "Training")
ACCOUNT_TYPES = ("-None-", "Analyst", "Competitor", "Customer", "Distributor", "Integrator", "Investor",
                 "Other", "Partner", "Press", "Prospect", "Reseller", "Supplier", "Vendor")
OWNERSHIP = ("-None-", "Other", "Private", "Public", "Subsidiary", "Partnership", "Government",
             "Privately Held", "Public Company")
SERVICES = ("Hardware", "Software", "Hosting", "Consulting", "Training", "Maintenance", "Staffing")
STAGES = ("Qualification", "Needs Analysis", "Value Proposition", "Id. Decision Makers",
          "Perception Analysis", "Proposal/Price Quote", "Negotiation/Review", "Closed Won",
          "Closed Lost", "Closed-Lost to Competition")
DEAL_TYPES = ("-None-", "Existing Business", "New Business")
COMPETITORS = ("Acme Corp", "Globex", "Initech", "Umbrella", "Hooli", "Stark Industries", "Wayne Enterprises")


def _system_fields() -> tuple[FieldDef, ...]:
    return (
        FieldDef("Created_By", "Created By", "ownerlookup", read_only=True, mass_update=False),
        FieldDef("Modified_By", "Modified By", "ownerlookup", read_only=True, mass_update=False),
        FieldDef("Created_Time", "Created Time", "datetime", read_only=True, mass_update=False),
        FieldDef("Modified_Time", "Modified Time", "datetime", read_only=True, mass_update=False),
    )


def _person_fields() -> tuple[FieldDef, ...]:
    return (
        FieldDef("Owner", "Lead Owner", "ownerlookup"),
        FieldDef("First_Name", "First Name", "text", length=40),
        FieldDef("Last_Name", "Last Name", "text", mandatory=True, length=80),
        FieldDef("Full_Name", "Full Name", "text", read_only=True, mass_update=False),
    )


LEADS = ModuleDef("Leads", "Lead", "Leads", "5725767000000002175", "Full_Name", (
    *_person_fields(),
    FieldDef("Lead_Number", "Lead Number", "autonumber", read_only=True, mass_update=False, custom=True),
    FieldDef("Company", "Company", "text", length=200),
    FieldDef("Designation", "Title", "text", length=100),
    FieldDef("Email", "Email", "email", unique=True, mass_update=False),
    FieldDef("Secondary_Email", "Secondary Email", "email"),
    FieldDef("Phone", "Phone", "phone"),
    FieldDef("Mobile", "Mobile", "phone"),
    FieldDef("Website", "Website", "website"),
    FieldDef("Lead_Source", "Lead Source", "picklist", picklist=LEAD_SOURCES),
    FieldDef("Lead_Status", "Lead Status", "picklist", picklist=LEAD_STATUSES),
    FieldDef("Industry", "Industry", "picklist", picklist=INDUSTRIES),
    FieldDef("Rating", "Rating", "picklist", picklist=RATINGS),
    FieldDef("No_of_Employees", "No. of Employees", "integer"),
    FieldDef("Annual_Revenue", "Annual Revenue", "currency"),
    FieldDef("Revenue_per_Employee", "Revenue per Employee", "formula", read_only=True,
             mass_update=False, custom=True, formula="Annual_Revenue / No_of_Employees"),
    FieldDef("Lead_Score", "Lead Score", "double", custom=True),
    FieldDef("Email_Opt_Out", "Email Opt Out", "boolean"),
    FieldDef("Languages_Spoken", "Languages Spoken", "multiselectpicklist", picklist=LANGUAGES, custom=True),
    FieldDef("Interests", "Interests", "multiselectpicklist", picklist=INTERESTS, custom=True),
    FieldDef("Follow_Up_Date", "Follow-up Date", "date", custom=True),
    FieldDef("Next_Call", "Next Call", "datetime", custom=True),
    FieldDef("Last_Activity_Time", "Last Activity Time", "datetime", read_only=True, mass_update=False),
    FieldDef("Street", "Street", "text", length=250),
    FieldDef("City", "City", "text", length=100),
    FieldDef("State", "State", "text", length=100),
    FieldDef("Zip_Code", "Zip Code", "text", length=30),
    FieldDef("Country", "Country", "text", length=100),
    FieldDef("Description", "Description", "textarea"),
    FieldDef("Documents", "Documents", "fileupload", mass_update=False, custom=True),
    FieldDef("Photos", "Photos", "imageupload", mass_update=False, custom=True),
    *_system_fields(),
))

CONTACTS = ModuleDef("Contacts", "Contact", "Contacts", "5725767000000002179", "Full_Name", (
    *_person_fields(),
    FieldDef("Account_Name", "Account Name", "lookup", lookup_module="Accounts"),
    FieldDef("Email", "Email", "email"),
    FieldDef("Phone", "Phone", "phone"),
    FieldDef("Mobile", "Mobile", "phone"),
    FieldDef("Title", "Title", "text", length=100),
    FieldDef("Department", "Department", "text", length=100),
    FieldDef("Lead_Source", "Lead Source", "picklist", picklist=LEAD_SOURCES),
    FieldDef("Date_of_Birth", "Date of Birth", "date"),
    FieldDef("Email_Opt_Out", "Email Opt Out", "boolean"),
    FieldDef("Hobbies", "Hobbies", "multiselectpicklist", picklist=INTERESTS, custom=True),
    FieldDef("Mailing_Street", "Mailing Street", "text", length=250),
    FieldDef("Mailing_City", "Mailing City", "text", length=100),
    FieldDef("Mailing_State", "Mailing State", "text", length=100),
    FieldDef("Mailing_Zip", "Mailing Zip", "text", length=30),
    FieldDef("Mailing_Country", "Mailing Country", "text", length=100),
    FieldDef("Description", "Description", "textarea"),
    FieldDef("Resume", "Resume", "fileupload", mass_update=False, custom=True),
    FieldDef("Contact_Images", "Contact Images", "imageupload", mass_update=False, custom=True),
    *_system_fields(),
))

ACCOUNTS = ModuleDef("Accounts", "Account", "Accounts", "5725767000000002177", "Account_Name", (
    FieldDef("Owner", "Account Owner", "ownerlookup"),
    FieldDef("Account_Name", "Account Name", "text", mandatory=True, unique=True, mass_update=False, length=200),
    FieldDef("Account_Number", "Account Number", "bigint"),
    FieldDef("Parent_Account", "Parent Account", "lookup", lookup_module="Accounts"),
    FieldDef("Account_Type", "Account Type", "picklist", picklist=ACCOUNT_TYPES),
    FieldDef("Industry", "Industry", "picklist", picklist=INDUSTRIES),
    FieldDef("Ownership", "Ownership", "picklist", picklist=OWNERSHIP),
    FieldDef("Rating", "Rating", "picklist", picklist=RATINGS),
    FieldDef("Annual_Revenue", "Annual Revenue", "currency"),
    FieldDef("Employees", "Employees", "integer"),
    FieldDef("SIC_Code", "SIC Code", "integer"),
    FieldDef("Ticker_Symbol", "Ticker Symbol", "text", length=30),
    FieldDef("Phone", "Phone", "phone"),
    FieldDef("Website", "Website", "website"),
    FieldDef("Customer_Since", "Customer Since", "date", custom=True),
    FieldDef("Services", "Services", "multiselectpicklist", picklist=SERVICES, custom=True),
    FieldDef("Billing_City", "Billing City", "text", length=100),
    FieldDef("Billing_Country", "Billing Country", "text", length=100),
    FieldDef("Description", "Description", "textarea"),
    FieldDef("Contracts", "Contracts", "fileupload", mass_update=False, custom=True),
    FieldDef("Logo", "Logo", "imageupload", mass_update=False, custom=True),
    *_system_fields(),
))

DEALS = ModuleDef("Deals", "Deal", "Deals", "5725767000000002181", "Deal_Name", (
    FieldDef("Owner", "Deal Owner", "ownerlookup"),
    FieldDef("Deal_Name", "Deal Name", "text", mandatory=True, length=120),
    FieldDef("Account_Name", "Account Name", "lookup", lookup_module="Accounts"),
    FieldDef("Contact_Name", "Contact Name", "lookup", lookup_module="Contacts"),
    FieldDef("Amount", "Amount", "currency"),
    FieldDef("Stage", "Stage", "picklist", mandatory=True, picklist=STAGES),
    FieldDef("Probability", "Probability (%)", "percent"),
    FieldDef("Expected_Revenue", "Expected Revenue", "formula", read_only=True, mass_update=False,
             formula="Amount * Probability / 100"),
    # A decimal field reports data_type "double" in v2.1; Zoho's v2.1 SDK knows no "decimal".
    FieldDef("Discount", "Discount", "double", custom=True),
    FieldDef("Closing_Date", "Closing Date", "date", mandatory=True),
    FieldDef("Type", "Type", "picklist", picklist=DEAL_TYPES),
    FieldDef("Lead_Source", "Lead Source", "picklist", picklist=LEAD_SOURCES),
    FieldDef("Next_Step", "Next Step", "text", length=100),
    FieldDef("Competitors", "Competitors", "multiselectpicklist", picklist=COMPETITORS, custom=True),
    FieldDef("Description", "Description", "textarea"),
    FieldDef("Proposal", "Proposal", "fileupload", mass_update=False, custom=True),
    *_system_fields(),
), mass_update_fields=3)

MODULES: dict[str, ModuleDef] = {m.api_name: m for m in (LEADS, CONTACTS, ACCOUNTS, DEALS)}


def find_module(name: str) -> ModuleDef | None:
    """Module by API name; the real API accepts any letter case in the URL."""
    if name in MODULES:
        return MODULES[name]
    lowered = name.lower()
    for module in MODULES.values():
        if module.api_name.lower() == lowered:
            return module
    return None


def _field_id(module: ModuleDef, index: int) -> str:
    return str(int(module.module_id) + 1000 + index * 3)


def field_json(module: ModuleDef, index: int, f: FieldDef) -> dict[str, Any]:
    """The ``settings/fields`` entry for one field."""
    out: dict[str, Any] = {
        "api_name": f.api_name,
        "id": _field_id(module, index),
        "field_label": f.label,
        "display_label": f.label,
        "column_name": f.api_name.upper(),
        "data_type": f.data_type,
        "json_type": JSON_TYPES[f.data_type],
        "length": f.max_length,
        "read_only": f.read_only,
        "field_read_only": f.read_only,
        "system_mandatory": f.mandatory,
        "custom_field": f.custom,
        "visible": True,
        "mass_update": f.mass_update,
        "unique": {"casesensitive": "false"} if f.unique else {},
        "pick_list_values": [
            {"display_value": v, "actual_value": v, "sequence_number": i + 1,
             "id": str(int(_field_id(module, index)) * 10 + i), "type": "used"}
            for i, v in enumerate(f.picklist)
        ],
        "decimal_place": 2 if f.data_type in ("currency", "decimal", "double", "formula") else None,
        "created_source": "default" if not f.custom else "crm_ui",
        "lookup": {},
        "formula": {},
        "auto_number": {},
        "sequence_number": index + 1,
    }
    if f.lookup_module:
        target = MODULES[f.lookup_module]
        # v2.1 names the target module by its API name (Zoho's SDK reads a string here).
        out["lookup"] = {"display_label": f.label, "api_name": f.api_name,
                         "module": target.api_name, "id": _field_id(module, index)}
    if f.data_type == "formula":
        out["formula"] = {"return_type": "currency" if "Revenue" in f.api_name else "double",
                          "expression": f.formula}
    if f.data_type == "autonumber":
        out["auto_number"] = {"prefix": "LD-", "suffix": "", "start_number": 1}
    if f.data_type == "multiselectpicklist":
        # An object or null, never a bool: Zoho's SDK parses it as an object.
        out["history_tracking"] = None
    return out


def fields_json(module: ModuleDef) -> list[dict[str, Any]]:
    return [field_json(module, i, f) for i, f in enumerate(module.fields)]


def module_json(module: ModuleDef, index: int) -> dict[str, Any]:
    return {
        "api_name": module.api_name,
        "module_name": module.api_name,
        "singular_label": module.singular,
        "plural_label": module.plural,
        "id": module.module_id,
        "api_supported": True,
        "editable": True,
        "creatable": True,
        "deletable": True,
        "viewable": True,
        "convertable": module.api_name == "Leads",
        "generated_type": "default",
        "sequence_number": index + 1,
        "visible": True,
        "visibility": 1,
        "profiles": [{"name": "Administrator", "id": "5725767000000026011"}],
        "modified_time": None,
        "modified_by": None,
        "presence_sub_menu": True,
        "quick_create": True,
        "business_card_field_limit": 5,
        "show_as_tab": True,
        "web_link": None,
        "arguments": [],
        "parent_module": {},
        "feeds_required": False,
        "scoring_supported": module.api_name in ("Leads", "Contacts", "Accounts", "Deals"),
        "webform_supported": module.api_name in ("Leads", "Contacts"),
        "global_search_supported": True,
        "triggers_supported": True,
        "kanban_view_supported": True,
        "kanban_view": False,
        "filter_supported": True,
        "inventory_template_supported": False,
        "emailTemplate_support": True,
        "description": None,
        "lookup_field_properties": {},
        "related_list_properties": {},
        "$properties": [],
        "per_page": 200,
        "search_layout_fields": [],
        "custom_view": None,
        "territory": None,
    }


def modules_json() -> list[dict[str, Any]]:
    return [module_json(m, i) for i, m in enumerate(MODULES.values())]
