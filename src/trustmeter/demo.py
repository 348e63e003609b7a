"""The demo organisation: Northwind's IT department, as the export files its tools would produce.

`generate` writes two years of seeded, realistic exports (a CMDB extract, ServiceNow incidents
and changes, GitHub deployments, a Jira export, a portfolio workbook, BambooHR, Outlook
calendars, Google Forms...), read the way a user would: a tool's own export through its
built-in preset (`trustmeter import KIND FILES --format PRESET`, with a small mapping file on
top where the preset cannot know something), and the rest with one mapping file each
(`--mapping MAPPING`).

The story (docs/demo.md tells it in full): stability is poor in the first year and recovers in
the second; the ERP depends on one person since his colleague left; Sales is well served while
Operations is neglected. The same seed gives byte-identical files: every random draw comes from
a `random.Random` seeded per section, and nothing reads the clock.
"""

from __future__ import annotations

import csv
import io
import json
import math
import random
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import tomli_w

TZ_NAME = "Europe/Berlin"
TZ = ZoneInfo(TZ_NAME)
DOMAIN = "northwind.example"
BUSINESS_UNITS = ("Finance", "Sales", "Operations", "HR", "Marketing")
WELL_SERVED, NEGLECTED = "Sales", "Operations"
KEY_SERVICE, KEY_PERSON = "ERP", "E1017"


@dataclass
class ImportSpec:
    """One `trustmeter import` call: the CLI kind, its files, and how to read them.

    With `preset`, the files are a tool's own export read by that built-in preset
    (`--format PRESET`), and `mapping`, when given, is a small mapping file layered on top for
    what the preset cannot know (`--mapping`). Without it, `mapping` reads the files alone.
    """

    kind: str
    files: list[Path]
    mapping: Path | None
    preset: str | None = None


# -- the organisation -----------------------------------------------------------------------

# id, name, tier, owner team, business unit, availability SLO (%)
SERVICES = (
    ("ERP", "SAP S/4HANA ERP", 1, "Applications", "Finance", 99.9),
    ("PAYROLL", "Payroll (SAP HCM)", 1, "Applications", "HR", 99.9),
    ("ECOM", "Webshop & checkout", 1, "Applications", "Sales", 99.9),
    ("IDENTITY", "Identity & single sign-on", 1, "Security", "", 99.9),
    ("CRM", "CRM (Salesforce)", 2, "Applications", "Sales", 99.5),
    ("WMS", "Warehouse management", 2, "Applications", "Operations", 99.5),
    ("DWH", "Data warehouse & BI", 2, "Data", "Finance", 99.0),
    ("M365", "Email & collaboration (Microsoft 365)", 2, "Infrastructure", "", 99.5),
    ("NETWORK", "Network & VPN", 2, "Infrastructure", "", 99.5),
    ("ENDPOINT", "Laptops, phones & printing", 3, "Service Desk", "", 99.0),
    ("HRPORTAL", "HR self-service portal", 3, "Applications", "HR", 99.0),
    ("MARTECH", "Marketing automation", 3, "Data", "Marketing", 99.0),
)
# A server the CMDB never heard of: its incidents make the importer create a stub service.
UNLISTED = "LEGACY-FTP"
SERVICE_TEAM = {**{s[0]: s[3] for s in SERVICES}, UNLISTED: "Infrastructure"}

# id, team, job title, hired (days from the start of the history; negative = before), on call
STAFF = (
    ("E1001", "IT Management", "Head of IT", -2900, False),
    ("E1002", "IT Management", "Business Relationship Manager", -700, False),
    ("E1003", "Service Desk", "Service Desk Lead", -3100, False),
    *(
        (f"E{1004 + i}", "Service Desk", "Service Desk Analyst", -300 - 240 * i, False)
        for i in range(8)
    ),
    ("E1012", "Applications", "Head of Applications", -2500, False),
    ("E1013", "Applications", "Scrum Master", -900, False),
    ("E1014", "Applications", "Software Engineer", -1500, True),
    ("E1015", "Applications", "Software Engineer", -1100, True),
    ("E1016", "Applications", "Software Engineer", -600, False),
    ("E1017", "Applications", "SAP Consultant (FI/CO, Basis)", -4200, True),
    ("E1018", "Applications", "SAP Developer", -2000, True),
    ("E1019", "Applications", "Software Engineer", -800, False),
    ("E1020", "Applications", "QA Engineer", -1300, False),
    ("E1021", "Applications", "Software Engineer (HR systems)", -1700, False),
    ("E1022", "Infrastructure", "Infrastructure Lead", -3300, False),
    ("E1023", "Infrastructure", "Network Engineer", -2100, True),
    ("E1024", "Infrastructure", "Network Engineer", -1000, True),
    ("E1025", "Infrastructure", "Systems Engineer", -2600, True),
    ("E1026", "Infrastructure", "Systems Engineer", -1400, True),
    ("E1027", "Infrastructure", "Systems Engineer", -500, True),
    ("E1028", "Infrastructure", "Cloud Engineer", -750, True),
    ("E1029", "Infrastructure", "Platform Engineer", -400, True),
    ("E1030", "Infrastructure", "Database Administrator", -2800, True),
    ("E1031", "Data", "Head of Data", -1600, False),
    ("E1032", "Data", "Data Engineer", -1200, False),
    ("E1033", "Data", "Data Engineer", -700, False),
    ("E1034", "Data", "Data Engineer", -300, False),
    ("E1035", "Data", "BI Analyst", -1900, False),
    ("E1036", "Data", "BI Analyst", -450, False),
    ("E1037", "Security", "Information Security Lead", -1800, False),
    ("E1038", "Security", "Security Engineer", -900, True),
    ("E1039", "Security", "Security Engineer", -350, False),
    ("E1040", "Security", "IAM Engineer", -1500, True),
    ("E1041", "Security", "IAM Engineer", -650, True),
    # left in the year before the history: the turnover that came with the outages
    ("E0981", "Applications", "Software Engineer", -1900, True),
    ("E0984", "Infrastructure", "Systems Engineer", -2200, True),
    ("E0988", "Data", "Data Engineer", -1300, False),
    ("E0990", "Infrastructure", "Network Engineer", -1600, True),
    ("E0993", "Service Desk", "Service Desk Analyst", -900, False),
    # hired during the history
    ("E1042", "Applications", "Software Engineer", 150, True),
    ("E1043", "Service Desk", "Service Desk Analyst", 190, False),
    ("E1044", "Infrastructure", "Systems Engineer", 280, True),
    ("E1045", "Applications", "SAP Consultant (junior)", 490, True),
    ("E1046", "Infrastructure", "Network Engineer", 330, True),
    ("E1047", "Data", "Data Engineer", 400, False),
    ("E1048", "Security", "IAM Engineer", 640, True),
    ("E1049", "Service Desk", "Service Desk Analyst", 680, False),
    ("E1050", "Infrastructure", "Cloud Engineer", 380, True),
)
# id: (left, days from the start; voluntary?; regretted?). E1018 was the ERP's second expert.
LEAVERS = {
    "E0981": (-300, True, True),
    "E0984": (-210, True, True),
    "E0988": (-150, True, False),
    "E0990": (-120, True, True),
    "E0993": (-45, True, True),
    "E1019": (100, True, True),
    "E1006": (135, True, False),
    "E1018": (165, True, True),
    "E1026": (220, False, False),
    "E1023": (255, True, True),
    "E1028": (300, True, True),
    "E1032": (320, True, True),
    "E1040": (560, True, True),
    "E1009": (620, True, False),
}

# Who resolves each service's incidents, by weight, among the people on the books that day.
RESOLVERS: dict[str, tuple[tuple[str, float], ...]] = {
    "ERP": (("E1017", 6), ("E1018", 3), ("E1012", 0.4), ("E1014", 0.4), ("E1045", 0.8)),
    "PAYROLL": (("E1021", 6), ("E1017", 3), ("E1042", 1)),
    "ECOM": (("E1014", 3), ("E1015", 3), ("E1016", 2), ("E1019", 2), ("E1042", 2), ("E1020", 1)),
    "CRM": (("E1015", 3), ("E1016", 3), ("E1042", 1)),
    "WMS": (("E1016", 3), ("E1019", 2), ("E1042", 2), ("E1014", 1)),
    "HRPORTAL": (("E1021", 3), ("E1016", 1)),
    "IDENTITY": (("E1040", 3), ("E1041", 3), ("E1038", 1), ("E1048", 3)),
    "DWH": (("E1033", 3), ("E1034", 2), ("E1032", 3), ("E1047", 2), ("E1035", 1)),
    "MARTECH": (("E1035", 3), ("E1036", 3), ("E1034", 1)),
    "M365": (("E1025", 3), ("E1027", 3), ("E1029", 2), ("E1026", 2), ("E1044", 2), ("E1030", 1)),
    "NETWORK": (("E1023", 3), ("E1024", 3), ("E1046", 3), ("E1022", 1), ("E1028", 1), ("E1050", 1)),
    "ENDPOINT": (("E1003", 0.5), *((f"E{n}", 1.0) for n in (*range(1004, 1012), 1043, 1049))),
    UNLISTED: (("E1025", 1), ("E1030", 1), ("E1044", 1)),
}

# Service knowledge (SFIA level). Only one person is at level 3 or more on the ERP.
SERVICE_SKILLS = {
    "ERP": (("E1017", 5), ("E1045", 2), ("E1012", 2), ("E1014", 2)),
    "PAYROLL": (("E1021", 4), ("E1017", 3), ("E1042", 2)),
    "ECOM": (("E1014", 4), ("E1015", 3), ("E1016", 3), ("E1042", 3), ("E1020", 2)),
    "IDENTITY": (("E1041", 4), ("E1048", 3), ("E1038", 3), ("E1037", 3)),
    "CRM": (("E1015", 3), ("E1016", 3)),
    "WMS": (("E1016", 3), ("E1042", 2)),
    "DWH": (("E1031", 5), ("E1033", 4), ("E1034", 3), ("E1047", 3), ("E1035", 3), ("E1036", 2)),
    "MARTECH": (("E1035", 3), ("E1036", 3)),
    "M365": (("E1025", 4), ("E1027", 3), ("E1029", 2), ("E1044", 3)),
    "NETWORK": (("E1024", 4), ("E1046", 3), ("E1022", 3)),
    "ENDPOINT": (("E1003", 4), ("E1004", 3), ("E1005", 3), ("E1007", 2), ("E1043", 2)),
    "HRPORTAL": (("E1021", 4), ("E1016", 2)),
}
TEAM_SKILLS = {
    "IT Management": ("IT governance", "Relationship management", "Budgeting & forecasting"),
    "Service Desk": ("ITIL 4", "Customer service", "Windows & Intune"),
    "Applications": ("Java", "TypeScript", "ABAP", "Agile delivery", "Test automation"),
    "Infrastructure": ("Azure", "Kubernetes", "Networking", "Linux", "Terraform"),
    "Data": ("SQL", "Python", "Power BI", "Data modelling"),
    "Security": ("Security operations", "Entra ID", "Threat modelling", "ISO 27001"),
}

# (name, title, key) per business unit; the first listed leads the unit.
STAKEHOLDERS = {
    "Finance": (
        ("Katrin Vogel", "Chief Financial Officer", True),
        ("Thomas Berger", "Head of Accounting", True),
        ("Leonie Hartmann", "Head of Controlling", True),
        ("Jonas Krüger", "Treasury Manager", False),
        ("Miriam Schulte", "Accounts Payable Lead", False),
        ("Felix Brandt", "Financial Analyst", False),
        ("Sabine Koch", "Tax Manager", False),
    ),
    "Sales": (
        ("Daniel Richter", "Chief Sales Officer", True),
        ("Aylin Demir", "Head of E-commerce", True),
        ("Markus Weber", "Head of Field Sales", True),
        ("Julia Neumann", "Key Account Manager", False),
        ("Tobias Lang", "Sales Operations Manager", False),
        ("Nina Sommer", "Customer Service Lead", False),
        ("Patrick O'Neill", "E-commerce Manager", False),
    ),
    "Operations": (
        ("Ralf Zimmermann", "Chief Operating Officer", True),
        ("Anja Wolff", "Head of Warehousing", True),
        ("Stefan Braun", "Head of Transport & Logistics", True),
        ("Marco Schäfer", "Warehouse Manager Hamburg", False),
        ("Ines Kaya", "Dispatch Planner", False),
        ("Uwe Lorenz", "Site Manager Kassel", False),
        ("Petra Busch", "Procurement Lead", False),
    ),
    "HR": (
        ("Claudia Fischer", "Chief People Officer", True),
        ("Martin Roth", "Head of Payroll", True),
        ("Sarah Yilmaz", "HR Business Partner", False),
        ("Lukas Engel", "Talent Acquisition Lead", False),
        ("Eva Winter", "Learning & Development Manager", False),
        ("Kai Peters", "HR Systems Coordinator", False),
    ),
    "Marketing": (
        ("Laura Schmitt", "Chief Marketing Officer", True),
        ("Ben Hoffmann", "Head of Digital Marketing", True),
        ("Mia Krause", "Brand Manager", False),
        ("Sven Albrecht", "CRM & Loyalty Manager", False),
        ("Hanna Frank", "Content Lead", False),
        ("Omar Haddad", "Marketing Analyst", False),
    ),
}
RELATIONSHIP_OWNER = {
    "Finance": "E1002",
    "Sales": "E1002",
    "Operations": "E1012",
    "HR": "E1001",
    "Marketing": "E1031",
}

OBJECTIVES = (
    ("OBJ-01", "Close the books in five working days", "Finance"),
    ("OBJ-02", "Cut the cost to serve by 8 %", "Finance"),
    ("OBJ-03", "Grow online revenue to 30 % of sales", "Sales"),
    ("OBJ-04", "One view of the customer across channels", "Sales"),
    ("OBJ-05", "Same-day dispatch for 95 % of orders", "Operations"),
    ("OBJ-06", "Halve warehouse picking errors", "Operations"),
    ("OBJ-07", "Hire in under 40 days", "HR"),
    ("OBJ-08", "Payroll without manual corrections", "HR"),
    ("OBJ-09", "Double qualified leads from digital campaigns", "Marketing"),
    ("OBJ-10", "Launch the loyalty programme", "Marketing"),
    ("OBJ-11", "Zero-trust access for every employee", ""),
)

# name, business unit ("" = IT's own), category, team, objective, approved (months from the
# start; None = not yet approved), duration in months, waterfall (milestones in the tracker)
PROJECTS: tuple[tuple[str, str, str, str, str, int | None, int, bool], ...] = (
    ("Webshop checkout redesign", "Sales", "grow", "Applications", "OBJ-03", -4, 9, False),
    ("Salesforce CPQ rollout", "Sales", "grow", "Applications", "OBJ-04", 1, 7, False),
    ("Customer 360 in the data warehouse", "Sales", "transform", "Data", "OBJ-04", 4, 10, False),
    ("Mobile sales app for field reps", "Sales", "grow", "Applications", "OBJ-03", 9, 6, False),
    ("Webshop personalisation", "Sales", "grow", "Data", "OBJ-03", 14, 6, False),
    ("Partner portal", "Sales", "transform", "Applications", "OBJ-03", 19, 9, False),
    ("Online returns self-service", "Sales", "grow", "Applications", "OBJ-03", 22, 5, False),
    ("Finance close automation", "Finance", "transform", "Applications", "OBJ-01", -6, 14, False),
    ("Treasury dashboard", "Finance", "grow", "Data", "OBJ-02", 2, 4, False),
    ("E-invoicing (XRechnung) mandate", "Finance", "run", "Applications", "OBJ-02", 7, 8, False),
    ("Cost-centre reporting in BI", "Finance", "grow", "Data", "OBJ-02", 12, 5, False),
    ("ERP upgrade to the 2025 release", "Finance", "run", "Applications", "OBJ-01", 16, 6, False),
    ("Procure-to-pay workflow", "Finance", "transform", "Applications", "OBJ-02", 21, 8, False),
    ('Warehouse scanners & "quick wins"', "Operations", "grow", "Infrastructure", "", -2, 6, False),
    ("WMS upgrade", "Operations", "run", "Applications", "OBJ-06", 3, 12, True),
    ("Route planning tool", "Operations", "grow", "Applications", "OBJ-05", 8, 6, False),
    (
        "Second warehouse go-live",
        "Operations",
        "transform",
        "Infrastructure",
        "OBJ-05",
        13,
        10,
        True,
    ),
    ("Forklift telematics", "Operations", "grow", "Data", "OBJ-06", 18, 5, False),
    ("Dock scheduling <pilot>", "Operations", "grow", "Applications", "", 22, 4, False),
    ("Payroll migration to the cloud", "HR", "transform", "Applications", "OBJ-08", 0, 14, True),
    ("Onboarding portal", "HR", "grow", "Applications", "OBJ-07", 6, 5, False),
    ("Learning platform", "HR", "grow", "Infrastructure", "OBJ-07", 15, 4, False),
    ("Time & attendance terminals", "HR", "run", "Infrastructure", "OBJ-08", 20, 6, False),
    ("Marketing automation consolidation", "Marketing", "grow", "Data", "OBJ-09", -1, 6, False),
    ("Loyalty programme", "Marketing", "transform", "Applications", "OBJ-10", 10, 10, False),
    ("Campaign analytics", "Marketing", "grow", "Data", "OBJ-09", 17, 4, False),
    ("Website CMS replacement", "Marketing", "grow", "Applications", "OBJ-09", 23, 6, False),
    ("Data centre exit", "", "transform", "Infrastructure", "OBJ-02", -5, 18, True),
    ("Zero-trust access", "", "transform", "Security", "OBJ-11", 5, 12, False),
    ("Observability platform", "", "run", "Infrastructure", "", 8, 6, False),
    ("Backup & recovery renewal", "", "run", "Infrastructure", "", 11, 5, False),
    ("SIEM replacement", "", "run", "Security", "OBJ-11", 14, 7, False),
    ("Laptop refresh 2026", "", "run", "Service Desk", "", 16, 4, False),
    ("ITSM tool consolidation", "", "run", "Service Desk", "", 20, 6, False),
    ("Network segmentation", "", "run", "Infrastructure", "OBJ-11", 23, 8, False),
    ("AI assistant for customer service", "Sales", "transform", "Data", "OBJ-04", None, 8, False),
    ("Yard management", "Operations", "grow", "Applications", "", None, 6, False),
)
# Sponsor of IT's own projects, where there is one.
IT_SPONSORS = {"Data centre exit": "Katrin Vogel", "Zero-trust access": "Katrin Vogel"}

SYMPTOMS = {
    "ERP": (
        "Month-end closing job hangs in FI",
        'Invoices & credit notes stuck in "Pending"',
        "Users cannot log on to SAP GUI",
        "MRP run overruns into business hours",
        "IDoc queue to WMS blocked",
        "Posting to cost centres fails with a short dump",
    ),
    "PAYROLL": (
        "Payroll simulation fails for company code 2000",
        "Payslips not published to the portal",
        "Tax table update missing",
    ),
    "ECOM": (
        "Checkout returns HTTP 500 for card payments",
        "Webshop slow during campaign traffic",
        "Product images not loading",
        "Basket loses items after login",
    ),
    "IDENTITY": (
        "SSO login loop for Microsoft 365",
        "MFA push notifications delayed",
        "New joiners not provisioned",
    ),
    "CRM": ("Salesforce sync to ERP stalled", "Quote PDF generation fails", "Leads not assigned"),
    "WMS": (
        "Handheld scanners disconnect in hall 2",
        "Pick lists not printed",
        "Stock levels out of sync with ERP",
        "Dispatch labels print blank",
    ),
    "DWH": (
        "Nightly load late: dashboards show yesterday's data",
        "Revenue report totals differ from ERP",
        "BI gateway unreachable",
    ),
    "M365": ("Outlook cannot connect to mailbox", "Teams calls drop", "Shared mailbox access lost"),
    "NETWORK": (
        "VPN drops every few minutes",
        "Wi-Fi outage in the warehouse",
        "Site link to Kassel down",
        "DNS resolution slow",
    ),
    "ENDPOINT": (
        "Laptop does not boot after update",
        "Printer queue stuck on 2nd floor",
        "Phone not receiving email",
        "Docking station not detected",
    ),
    "HRPORTAL": ("Leave requests not saved", "Portal page shows raw <div> markup"),
    "MARTECH": ("Newsletter send stuck in queue", "Form leads not synced to CRM"),
    UNLISTED: ("Supplier EDI files not picked up from FTP", "FTP server disk full"),
}
# P1+P2 incidents per month across all services (first year, second year) and each service's
# share; ERP stays the largest contributor even after the recovery.
MAJORS_PER_MONTH = (11.0, 2.5)
MAJOR_SHARE = {
    "ERP": (0.34, 0.5),
    "PAYROLL": (0.05, 0.02),
    "ECOM": (0.15, 0.06),
    "IDENTITY": (0.07, 0.03),
    "CRM": (0.04, 0.04),
    "WMS": (0.15, 0.18),
    "DWH": (0.04, 0.03),
    "M365": (0.05, 0.04),
    "NETWORK": (0.08, 0.05),
    "ENDPOINT": (0.01, 0.02),
    "HRPORTAL": (0.01, 0.01),
    "MARTECH": (0.01, 0.01),
}
# P3–P5 incidents per month in the second year; the first year has 1.8 times as many.
MINORS_PER_MONTH = {
    "ERP": 3.0,
    "PAYROLL": 0.6,
    "ECOM": 1.0,
    "IDENTITY": 1.0,
    "CRM": 1.0,
    "WMS": 3.0,
    "DWH": 1.5,
    "M365": 2.5,
    "NETWORK": 1.5,
    "ENDPOINT": 12.0,
    "HRPORTAL": 0.5,
    "MARTECH": 0.8,
}
PRIORITY = {
    "P1": "1 - Critical",
    "P2": "2 - High",
    "P3": "3 - Moderate",
    "P4": "4 - Low",
    "P5": "5 - Planning",
}
# Production deployments per weekday from GitHub (first year, second year).
DEPLOYS = {
    "ECOM": ("northwind/webshop", 0.06, 0.6),
    "CRM": ("northwind/crm-integrations", 0.03, 0.25),
    "DWH": ("northwind/dwh-pipelines", 0.03, 0.25),
    "WMS": ("northwind/wms-connectors", 0.02, 0.08),
    "HRPORTAL": ("northwind/hr-portal", 0.02, 0.1),
    "MARTECH": ("northwind/martech-sync", 0.02, 0.12),
}
# ServiceNow change requests per day (first year, second year) and what they are.
CHANGE_REQUESTS = {
    "ERP": (0.09, 0.17, ("SAP transport bundle", "SAP kernel patch", "FI posting rule change")),
    "PAYROLL": (0.03, 0.03, ("Payroll tax table update", "HCM support package")),
    "IDENTITY": (0.03, 0.07, ("Conditional access policy update", "SSO certificate rollover")),
    "NETWORK": (
        0.07,
        0.1,
        ("Firewall rule update", "Core switch firmware upgrade", "VPN gateway patch"),
    ),
    "M365": (0.03, 0.07, ("Exchange Online connector change", "Teams policy update")),
}


# -- helpers --------------------------------------------------------------------------------


def _lerp(a: float, b: float, p: float) -> float:
    return a + (b - a) * p


def _poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    limit, k, prod = math.exp(-lam), 0, rng.random()
    while prod > limit:
        k += 1
        prod *= rng.random()
    return k


def _weighted(rng: random.Random, options: Sequence[tuple[Any, float]]) -> Any:
    total = sum(w for _, w in options)
    x = rng.random() * total
    for value, w in options:
        x -= w
        if x < 0:
            return value
    return options[-1][0]


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, min(d.day, 28))


def _local(d: date, hours: float) -> datetime:
    """A wall-clock time in Berlin on day `d`, as an aware UTC datetime to the second."""
    at = datetime.combine(d, time(), TZ) + timedelta(hours=hours)
    return at.astimezone(UTC).replace(microsecond=0)


def _when(rng: random.Random, d: date, off_hours: float) -> datetime:
    """An event time on `d`: in office hours, or with probability `off_hours` (and at the
    weekend always) outside them."""
    if d.weekday() >= 5:
        return _local(d, rng.uniform(0, 24))
    if rng.random() < off_hours:
        early = rng.random() < 0.4
        return _local(d, rng.uniform(0, 7.5) if early else rng.uniform(18.5, 24))
    return _local(d, rng.uniform(7.5, 18.5))


def _fmt(dt: datetime | None, fmt: str) -> str:
    return dt.astimezone(TZ).strftime(fmt) if dt is not None else ""


def _iso_z(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _days(d0: date, d1: date) -> Iterable[date]:
    d = d0
    while d < d1:
        yield d
        d += timedelta(days=1)


@dataclass(frozen=True)
class _Person:
    id: str
    team: str
    title: str
    hired: date
    left: date | None
    voluntary: bool | None
    regretted: bool | None
    on_call: bool

    def active(self, d: date) -> bool:
        return self.hired <= d and (self.left is None or d < self.left)


@dataclass
class _Project:
    id: str
    name: str
    unit: str
    category: str
    team: str
    objective: str
    sponsor: str
    waterfall: bool
    proposed: date
    engaged: date | None
    approved: date | None
    started: date | None
    planned_end: date | None
    actual_end: date | None
    budget: float
    cost: float | None
    status: str


@dataclass
class _Change:
    id: str
    service: str
    deployed: datetime
    bad: bool  # caused an incident


# -- the generator --------------------------------------------------------------------------


class _Demo:
    def __init__(self, out: Path, seed: int, today: date) -> None:
        self.out, self.seed, self.today = out, seed, today
        try:
            self.start = today.replace(year=today.year - 2)
        except ValueError:  # 29 February
            self.start = today.replace(year=today.year - 2, day=28)
        self.end = _local(today, 0)
        self.span = (today - self.start).days
        self.export_stamp = datetime.combine(today, time(6, 0))
        self.specs: list[ImportSpec] = []
        self.people = [
            _Person(
                pid,
                team,
                title,
                self.start + timedelta(days=hired),
                self.start + timedelta(days=LEAVERS[pid][0]) if pid in LEAVERS else None,
                LEAVERS[pid][1] if pid in LEAVERS else None,
                LEAVERS[pid][2] if pid in LEAVERS else None,
                on_call,
            )
            for pid, team, title, hired, on_call in STAFF
        ]
        self.person = {p.id: p for p in self.people}
        self.stakeholders = [
            (f"{_slug(name)}@{DOMAIN}", name, title, unit, key)
            for unit in BUSINESS_UNITS
            for name, title, key in STAKEHOLDERS[unit]
        ]

    def rng(self, section: str) -> random.Random:
        # A generator per section: changing one export leaves the others' draws alone.
        return random.Random(f"trustmeter-demo:{self.seed}:{section}")

    def progress(self, when: date | datetime) -> float:
        """0 in the troubled first year, 1 after the recovery, a smooth turn in between."""
        d = when.astimezone(TZ).date() if isinstance(when, datetime) else when
        f = (d - self.start).days / self.span
        return 1 / (1 + math.exp(-(f - 0.46) / 0.06))

    def month(self, offset: int) -> date:
        return _add_months(self.start, offset)

    # -- writing ----------------------------------------------------------------------------

    def write_csv(
        self, name: str, header: Sequence[str], rows: Iterable[Sequence[Any]], bom: bool = False
    ) -> Path:
        path = self.out / name
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(header)
        w.writerows(rows)
        path.write_bytes(("\ufeff" if bom else "").encode() + buf.getvalue().encode("utf-8"))
        return path

    def add(
        self, kind: str, files: Path | list[Path], source: str, mapping: dict[str, Any]
    ) -> None:
        files = files if isinstance(files, list) else [files]
        doc: dict[str, Any] = {"kind": kind, "source": source, "timezone": TZ_NAME}
        doc.update(mapping)
        folder = self.out / "mappings"
        folder.mkdir(exist_ok=True)
        path = folder / (files[0].name.rsplit(".", 1)[0] + ".toml")
        header = f"# How trustmeter reads {files[0].name} ({source}).\n"
        path.write_text(header + tomli_w.dumps(doc), "utf-8")
        self.specs.append(ImportSpec(kind, files, path))

    def add_preset(
        self,
        kind: str,
        files: Path | list[Path],
        preset: str,
        overrides: dict[str, Any] | None = None,
        name: str | None = None,
    ) -> None:
        """Files read by a built-in preset, with `overrides` (a mapping file's tables) on top."""
        files = files if isinstance(files, list) else [files]
        path = None
        if overrides:
            folder = self.out / "mappings"
            folder.mkdir(exist_ok=True)
            path = folder / ((name or files[0].name.rsplit(".", 1)[0]) + ".toml")
            header = (
                f"# What the preset {preset} cannot know about {', '.join(f.name for f in files)}:\n"
                f"# trustmeter import {kind} FILE --format {preset} --mapping {path.name}\n"
            )
            path.write_text(header + tomli_w.dumps(overrides), "utf-8")
        self.specs.append(ImportSpec(kind, files, path, preset))

    # -- catalogue --------------------------------------------------------------------------

    def services(self) -> None:
        tiers = {1: "1 - most critical", 2: "2 - somewhat critical", 3: "3 - less critical"}
        rows = [
            (sid, name, tiers[tier], team, unit, f"{slo:.1f}", "Operational", "Business Service")
            for sid, name, tier, team, unit, slo in SERVICES
        ]
        header = (
            "u_service_key",
            "name",
            "busines_criticality",  # sic: ServiceNow's own spelling of the field
            "support_group",
            "u_business_unit",
            "u_slo_availability",
            "operational_status",
            "sys_class_name",
        )
        path = self.write_csv("cmdb_services.csv", header, rows)
        self.add_preset("services", path, "servicenow-services")

    def people_file(self) -> None:
        rng = self.rng("people")
        sites = ("Hamburg", "Hamburg", "Hamburg", "Kassel", "Remote")
        rows = []
        for p in self.people:
            kind = ""
            if p.left is not None:
                kind = "Resignation (Voluntary)" if p.voluntary else "Termination (Involuntary)"
            rows.append(
                (
                    p.id,
                    p.team,
                    p.title,
                    rng.choice(sites),
                    p.hired.isoformat(),
                    p.left.isoformat() if p.left else "",
                    kind,
                    ("Yes" if p.regretted else "No") if p.left else "",
                    "Yes" if p.on_call else "No",
                )
            )
        header = (
            "Employee ID",
            "Department",
            "Job Title",
            "Location",
            "Hire Date",
            "Termination Date",
            "Termination Type",
            "Regretted?",
            "On Call",
        )
        path = self.write_csv("bamboohr_employees.csv", header, rows)
        self.add_preset("people", path, "bamboohr-people")

    def stakeholders_file(self) -> None:
        rows = [
            (email, name, title, unit, "Yes" if key else "No", RELATIONSHIP_OWNER[unit])
            for email, name, title, unit, key in self.stakeholders
        ]
        header = (
            "Email",
            "Full name",
            "Title",
            "Department",
            "Key stakeholder",
            "Relationship owner",
        )
        path = self.write_csv("brm_stakeholders.csv", header, rows)
        self.add(
            "stakeholders",
            path,
            "brm-list",
            {
                "columns": {
                    "id": "Email",
                    "name": "Full name",
                    "role": "Title",
                    "business_unit": "Department",
                    "key": "Key stakeholder",
                    "relationship_owner": "Relationship owner",
                    "email": "Email",
                }
            },
        )

    def objectives_file(self) -> None:
        path = self.write_csv(
            "okr_objectives.csv", ("Objective ID", "Objective", "Business unit"), OBJECTIVES
        )
        self.add(
            "objectives",
            path,
            "okr-sheet",
            {
                "columns": {
                    "id": "Objective ID",
                    "name": "Objective",
                    "business_unit": "Business unit",
                }
            },
        )

    # -- projects (needed by work items and commitments) ------------------------------------

    def build_projects(self) -> None:
        rng = self.rng("projects")
        heads = {unit: STAKEHOLDERS[unit][0][0] for unit in BUSINESS_UNITS}
        self.projects: list[_Project] = []
        for n, (name, unit, cat, team, obj, approved_m, months, waterfall) in enumerate(PROJECTS):
            pid = f"PRJ-{101 + n}"
            if unit:
                pool = [s[0] for s in STAKEHOLDERS[unit][:3] if s[2]]
                sponsor = heads[unit] if rng.random() < 0.6 else rng.choice(pool)
            else:
                sponsor = IT_SPONSORS.get(name, "")
            engaged: date | None
            if approved_m is None:
                proposed = self.today - timedelta(days=rng.randint(20, 70))
                engaged = (
                    proposed + timedelta(days=rng.randint(2, 10)) if unit == WELL_SERVED else None
                )
                self.projects.append(
                    _Project(pid, name, unit, cat, team, obj, sponsor, waterfall, proposed, engaged,
                             None, None, None, None, round(months * rng.uniform(25, 45)) * 1000.0,
                             None, "proposed")
                )  # fmt: skip
                continue
            approved = self.month(approved_m) + timedelta(days=rng.randint(0, 25))
            proposed = approved - timedelta(days=rng.randint(30, 90))
            p = self.progress(approved)
            if not unit:
                early = True  # IT's own projects
            elif unit == WELL_SERVED:
                early = rng.random() < _lerp(0.5, 1.0, p)
            elif unit == NEGLECTED:
                early = False
            else:
                early = rng.random() < _lerp(0.1, 0.8, p)
            if early:
                engaged = proposed + timedelta(days=rng.randint(2, 20))
            elif name == "Forklift telematics":
                engaged = None  # IT heard of it when the trucks arrived
            else:
                engaged = approved + timedelta(days=rng.randint(15, 60))
            started = approved + timedelta(days=rng.randint(10, 45))
            planned_end = _add_months(started, months)
            slip = rng.lognormvariate(math.log(_lerp(50, 8, self.progress(planned_end))), 0.6)
            actual_end: date | None = planned_end + timedelta(days=round(slip))
            budget = round(months * rng.uniform(25, 60)) * 1000.0
            overrun = rng.gauss(_lerp(0.16, 0.04, self.progress(planned_end)), 0.06)
            status = "active"
            if actual_end is not None and actual_end < self.today:
                status = "done"
                cost: float | None = round(budget * (1 + overrun), -2)
            else:
                actual_end = None
                elapsed = max(0, (self.today - started).days) / max(1, (planned_end - started).days)
                cost = (
                    round(budget * min(elapsed, 1.1) * (1 + overrun / 2), -2) if elapsed else None
                )
                if started > self.today:
                    status = "approved"
            if name == "Route planning tool":
                status = "on_hold"
            if name == "Yard management":
                status = "proposed"
            if name == "Mobile sales app for field reps":
                status, actual_end = "cancelled", None  # the field sales reorganisation ended it
            self.projects.append(
                _Project(pid, name, unit, cat, team, obj, sponsor, waterfall, proposed, engaged,
                         approved, started, planned_end, actual_end, budget, cost, status)
            )  # fmt: skip

    def projects_file(self) -> None:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "Portfolio"
        header = (
            "Project ID",
            "Project name",
            "Sponsor",
            "Business unit",
            "Strategic objective",
            "Investment type",
            "Delivery team",
            "Proposed",
            "IT engaged",
            "Approved",
            "Start",
            "Planned finish",
            "Actual finish",
            "Budget (EUR)",
            "Actual cost (EUR)",
            "Status",
        )
        ws.append(header)
        labels = {
            "proposed": "Proposed",
            "approved": "Approved",
            "active": "In progress",
            "on_hold": "On hold",
            "done": "Completed",
            "cancelled": "Cancelled",
        }
        for p in self.projects:
            ws.append(
                [
                    p.id,
                    p.name,
                    p.sponsor or None,
                    p.unit or "IT",
                    p.objective or None,
                    p.category.capitalize(),
                    p.team,
                    p.proposed,
                    p.engaged,
                    p.approved,
                    p.started,
                    p.planned_end,
                    p.actual_end,
                    p.budget,
                    p.cost,
                    labels[p.status],
                ]
            )
        for row in ws.iter_rows(min_row=2, min_col=8, max_col=13):
            for cell in row:
                cell.number_format = "yyyy-mm-dd"
        wb.properties.creator = "Northwind portfolio tool"
        wb.properties.created = self.export_stamp
        buf = io.BytesIO()
        wb.save(buf)
        path = self.out / "portfolio_projects.xlsx"
        path.write_bytes(_stable_zip(buf.getvalue(), self.export_stamp))
        self.add(
            "projects",
            path,
            "portfolio",
            {
                "columns": {
                    "id": "Project ID",
                    "name": "Project name",
                    "sponsor": "Sponsor",
                    "business_unit": "Business unit",
                    "objective": "Strategic objective",
                    "category": "Investment type",
                    "team": "Delivery team",
                    "proposed_on": "Proposed",
                    "it_engaged_on": "IT engaged",
                    "approved_on": "Approved",
                    "started_on": "Start",
                    "planned_end": "Planned finish",
                    "actual_end": "Actual finish",
                    "budget_planned": "Budget (EUR)",
                    "budget_actual": "Actual cost (EUR)",
                    "status": "Status",
                },
                "values": {
                    "category": {c.capitalize(): c for c in ("run", "grow", "transform")},
                    "status": {v: k for k, v in labels.items()},
                },
            },
        )

    # -- changes and incidents --------------------------------------------------------------

    def changes(self) -> list[_Change]:
        """ServiceNow change requests and GitHub deployments; returns the production ones."""
        rng = self.rng("changes")
        prod: list[_Change] = []
        # ServiceNow change requests (timestamps in Berlin local time, no zone)
        requests = []
        for d in _days(self.start, self.today):
            p = self.progress(d)
            for svc, (bad_rate, good_rate, what) in CHANGE_REQUESTS.items():
                for _ in range(_poisson(rng, _lerp(bad_rate, good_rate, p))):
                    kind = _weighted(
                        rng,
                        (
                            ("Emergency", _lerp(0.18, 0.05, p)),
                            ("Standard", _lerp(0.2, 0.45, p)),
                            ("Normal", 1 - _lerp(0.38, 0.5, p)),
                        ),
                    )
                    if kind == "Emergency":
                        begin = _when(rng, d, 0.5)
                        lead = timedelta(hours=rng.uniform(1, 8))
                    else:  # the maintenance window: weekday evenings
                        day = d if d.weekday() < 5 else d - timedelta(days=d.weekday() - 4)
                        begin = _local(day, rng.uniform(19, 21.5))
                        med = _lerp(12, 4, p) if kind == "Normal" else 1.5
                        lead = timedelta(days=rng.lognormvariate(math.log(med), 0.5))
                    finish = begin + timedelta(minutes=rng.randint(20, 240))
                    if finish >= self.end:
                        continue
                    fail = rng.random() < _lerp(0.09, 0.02, p)
                    code = (
                        rng.choice(("Unsuccessful", "Backed out"))
                        if fail
                        else ("Successful with issues" if rng.random() < 0.08 else "Successful")
                    )
                    bad = not fail and rng.random() < _lerp(0.12, 0.03, p)
                    title = str(rng.choice(what))
                    requests.append((begin - lead, begin, finish, svc, kind, code, title, bad))
        requests.sort(key=lambda r: (r[2], r[3]))
        rows = []
        for n, (opened, begin, finish, svc, kind, code, title, bad) in enumerate(requests):
            number = f"CHG{30001 + n:07d}"
            rows.append(
                (
                    number,
                    kind,
                    "Closed",
                    svc,
                    SERVICE_TEAM[svc],
                    _fmt(opened, "%Y-%m-%d %H:%M:%S"),
                    _fmt(begin, "%Y-%m-%d %H:%M:%S"),
                    _fmt(finish, "%Y-%m-%d %H:%M:%S"),
                    code,
                    title,
                )
            )
            prod.append(_Change(number, svc, finish, bad))
        header = (
            "number",
            "type",
            "state",
            "cmdb_ci",
            "assignment_group",
            "opened_at",
            "start_date",
            "end_date",
            "close_code",
            "short_description",
        )
        path = self.write_csv("servicenow_change_requests.csv", header, rows)
        self.add_preset("changes", path, "servicenow-changes")

        # GitHub deployments, flattened as `jq` or pandas.json_normalize would write them
        deploys = []
        authors = ("mkessler", "a-okafor", "jhuber", "lena-dev", "pwojcik", "tsato", "rgarcia")
        for d in _days(self.start, self.today):
            if d.weekday() >= 5:
                continue
            p = self.progress(d)
            for svc, (repo, bad_rate, good_rate) in DEPLOYS.items():
                for _ in range(_poisson(rng, _lerp(bad_rate, good_rate, p))):
                    at = _local(d, rng.uniform(9, 17.5))
                    lead = timedelta(hours=rng.lognormvariate(math.log(_lerp(330, 26, p)), 0.8))
                    staging = at - timedelta(hours=rng.uniform(1, 20))
                    state = "success"
                    if rng.random() < _lerp(0.08, 0.02, p):
                        state = rng.choice(("failure", "error"))
                    bad = state == "success" and rng.random() < _lerp(0.1, 0.025, p)
                    deploys.append(
                        (staging, "staging", svc, repo, lead + (at - staging), "success", False)
                    )
                    deploys.append((at, "production", svc, repo, lead, state, bad))
        deploys.sort(key=lambda r: (r[0], r[1], r[2]))
        objs = []
        gh_id = 1_874_200_000
        for at, env, svc, repo, lead, state, bad in deploys:
            gh_id += rng.randint(1_000, 60_000)
            created = at - timedelta(minutes=rng.randint(2, 25))
            sha = f"{rng.getrandbits(160):040x}"
            objs.append(
                {
                    "id": gh_id,
                    "repository": repo,
                    "sha": sha,
                    "ref": "main",
                    "task": "deploy",
                    "environment": env,
                    "description": f"Deploy {repo.split('/')[1]}@{sha[:7]} to {env}",
                    "creator.login": rng.choice(authors),
                    "payload.service": svc,
                    "created_at": _iso_z(created),
                    "updated_at": _iso_z(at),
                    "first_commit_at": _iso_z(at - lead),
                    "state": state,
                }
            )
            if env == "production":
                prod.append(_Change(str(gh_id), svc, at, bad))
        path = self.out / "github_deployments.json"
        path.write_text(json.dumps(objs, indent=2, ensure_ascii=False) + "\n", "utf-8")
        self.add_preset("changes", path, "github-deployments")
        return prod

    def resolver(self, rng: random.Random, service: str, d: date) -> str:
        pool = [(pid, w) for pid, w in RESOLVERS[service] if self.person[pid].active(d)]
        return str(_weighted(rng, pool))

    def incidents(self, changes: list[_Change]) -> None:
        rng = self.rng("incidents")
        weekday_norm = 7 / (5 + 2 * 0.45)
        raw: list[dict[str, Any]] = []

        def new(
            svc: str, sev: str, opened: datetime, caused_by: str = "", maint: bool = False
        ) -> None:
            raw.append(
                {"svc": svc, "sev": sev, "opened": opened, "caused_by": caused_by, "maint": maint}
            )

        for d in _days(self.start, self.today):
            p = self.progress(d)
            factor = (1.0 if d.weekday() < 5 else 0.45) * weekday_norm / 30.4
            for svc, (bad_share, good_share) in MAJOR_SHARE.items():
                lam = _lerp(MAJORS_PER_MONTH[0] * bad_share, MAJORS_PER_MONTH[1] * good_share, p)
                for _ in range(_poisson(rng, lam * factor)):
                    new(svc, "P1" if rng.random() < 0.3 else "P2", _when(rng, d, 0.35))
                lam = MINORS_PER_MONTH[svc] * _lerp(2.0 if svc == "WMS" else 1.8, 1.0, p)
                for _ in range(_poisson(rng, lam * factor)):
                    sev = _weighted(rng, (("P3", 0.3), ("P4", 0.5), ("P5", 0.2)))
                    new(svc, sev, _when(rng, d, 0.15))
        legacy = self.rng("legacy")
        for _ in range(6):
            day = self.start + timedelta(days=legacy.randrange(self.span))
            new(UNLISTED, "P4", _when(legacy, day, 0.1))
        for ch in changes:  # a change that broke something: the incident follows within hours
            if ch.bad:
                opened = ch.deployed + timedelta(hours=rng.uniform(0.3, 10))
                sev = "P2" if rng.random() < _lerp(0.45, 0.2, self.progress(opened)) else "P3"
                explicit = ch.id.startswith("CHG") and rng.random() < 0.8
                if opened < self.end:
                    new(ch.service, sev, opened, ch.id if explicit else "")
        for q in range(0, self.span // 91):  # planned maintenance: flagged, so not downtime
            for svc in ("ERP", "NETWORK"):
                d = self.start + timedelta(days=91 * q + 40 + (7 if svc == "NETWORK" else 0))
                d += timedelta(days=(5 - d.weekday()) % 7)  # a Saturday morning
                new(svc, "P2" if svc == "ERP" and q % 2 == 0 else "P3", _local(d, 6), maint=True)
        raw.sort(key=lambda r: (r["opened"], r["svc"], r["sev"]))

        problems: dict[str, list[tuple[str, datetime]]] = {}
        next_problem = 40001
        rows = []
        ecom_marked = False
        for n, r in enumerate(raw):
            svc, sev, opened = r["svc"], r["sev"], r["opened"]
            p = self.progress(opened)
            major = sev in ("P1", "P2")
            resolver = self.resolver(rng, svc, opened.astimezone(TZ).date())
            if major:
                ack = rng.lognormvariate(math.log(_lerp(38, 7, p)), 0.7)
                fix = rng.lognormvariate(math.log(_lerp(6.0, 1.6, p)), 0.7)
                if svc == "WMS":
                    fix *= 1.5  # nobody owns the warehouse's problems
                if svc == KEY_SERVICE and resolver != KEY_PERSON:
                    fix *= 1.6  # waiting for the one person who knows
            else:
                base_ack, base_fix = {"P3": (120, 20), "P4": (300, 50), "P5": (600, 140)}[sev]
                ack = rng.lognormvariate(math.log(_lerp(base_ack, base_ack / 2.5, p)), 0.8)
                fix = rng.lognormvariate(math.log(_lerp(base_fix, base_fix / 2.2, p)), 0.9)
            if r["maint"]:
                ack, fix = 1.0, rng.uniform(2.5, 4.5)
            acked: datetime | None = opened + timedelta(minutes=max(1.0, ack))
            resolved: datetime | None = opened + timedelta(
                minutes=max(1.0, ack), hours=max(0.2, fix)
            )
            if (not major and rng.random() < 0.05) or (acked is not None and acked >= self.end):
                acked = None
            if resolved is not None and resolved >= self.end:
                resolved = None
            begin = end = None
            if major or r["maint"]:
                begin = opened - timedelta(minutes=0 if r["maint"] else rng.randint(0, 20))
                end = resolved - timedelta(minutes=rng.randint(0, 10)) if resolved else None
            # problem records: in the first year the same causes keep coming back
            problem = ""
            if sev in ("P1", "P2", "P3") and not r["maint"] and rng.random() < 0.75:
                recent = [
                    pid for pid, seen in problems.get(svc, []) if opened - seen < timedelta(days=45)
                ]
                if recent and rng.random() < _lerp(0.6, 0.12, p):
                    problem = rng.choice(recent)
                else:
                    problem = f"PRB{next_problem:07d}"
                    next_problem += 1
                problems.setdefault(svc, []).append((problem, opened))
            elif sev in ("P4", "P5") and rng.random() < 0.08:
                problem = f"PRB{next_problem:07d}"
                next_problem += 1
            title = rng.choice(SYMPTOMS[svc])
            if r["maint"]:
                title = f"Planned maintenance: {CHANGE_REQUESTS[svc][2][0].lower()} window"
            elif svc == "ECOM" and not ecom_marked and sev == "P3":
                title, ecom_marked = (
                    "<script>alert(1)</script> shown in webshop search results",
                    True,
                )
            elif sev == "P1":
                title = f"Outage: {title}"
            if r["caused_by"]:
                title += " after change"
            if resolved is None:
                state, code = ("In Progress" if acked else "New"), ""
            else:
                state = "Closed" if self.end - resolved > timedelta(days=5) else "Resolved"
                code = _weighted(
                    rng,
                    (
                        ("Solved (Permanently)", 6),
                        ("Solved (Work Around)", 3),
                        ("Not Solved (Not Reproducible)", 1),
                    ),
                )
            closed = resolved + timedelta(days=5) if state == "Closed" and resolved else None
            updated = closed or resolved or acked or opened
            if updated >= self.end:
                updated = self.end - timedelta(minutes=rng.randint(1, 600))
            rows.append(
                (
                    f"INC{10001 + n:07d}",
                    _fmt(opened, "%d-%m-%Y %H:%M:%S"),
                    PRIORITY[sev],
                    state,
                    svc,
                    SERVICE_TEAM[svc],
                    resolver,
                    _fmt(acked, "%d-%m-%Y %H:%M:%S"),
                    _fmt(resolved, "%d-%m-%Y %H:%M:%S"),
                    _fmt(closed, "%d-%m-%Y %H:%M:%S"),
                    _fmt(updated, "%d-%m-%Y %H:%M:%S"),
                    _fmt(begin, "%d-%m-%Y %H:%M:%S"),
                    _fmt(end, "%d-%m-%Y %H:%M:%S"),
                    "true" if r["maint"] else "false",
                    problem,
                    r["caused_by"],
                    code,
                    title,
                )
            )
        header = (
            "number",
            "opened_at",
            "priority",
            "state",
            "cmdb_ci",
            "assignment_group",
            "assigned_to",
            "u_acknowledged_at",
            "resolved_at",
            "closed_at",
            "sys_updated_on",
            "u_outage_begin",
            "u_outage_end",
            "u_planned_maintenance",
            "problem_id",
            "caused_by",
            "close_code",
            "short_description",
        )
        path = self.write_csv("servicenow_incidents.csv", header, rows)
        self.add_preset(
            "incidents",
            path,
            "servicenow-incidents",
            # the list export writes dates in the exporting user's format, here dd-mm-YYYY
            {"date_format": "%d-%m-%Y %H:%M:%S"},
        )

    # -- work items (Jira) ------------------------------------------------------------------

    def active_project(self, rng: random.Random, team: str, d: date) -> _Project | None:
        live = [
            p
            for p in self.projects
            if p.team == team
            and p.started is not None
            and p.started <= d
            and (p.actual_end or p.planned_end or d) >= d
            and p.status not in ("on_hold", "proposed")
        ]
        return rng.choice(live) if live else None

    def work_items(self) -> None:
        rng = self.rng("work-items")
        unit_weights = (
            ("Finance", 0.2),
            ("Sales", 0.2),
            ("Operations", 0.3),
            ("HR", 0.15),
            ("Marketing", 0.15),
        )
        unit_speed = {"Sales": 0.5, "Operations": 2.6, "Finance": 1.0, "HR": 1.0, "Marketing": 1.0}
        # team: (Jira project, items per month, kind mix at (first year, second year))
        streams = {
            "Service Desk": ("SD", 36, (("request", 0.95, 0.97), ("request!", 0.05, 0.03))),
            "Applications": (
                "APP",
                30,
                (
                    ("story", 0.35, 0.55),
                    ("bug", 0.3, 0.17),
                    ("incident", 0.2, 0.05),
                    ("task", 0.17, 0.2),
                    ("epic", 0.03, 0.03),
                ),
            ),
            "Infrastructure": (
                "INF",
                16,
                (
                    ("task", 0.35, 0.4),
                    ("change", 0.2, 0.22),
                    ("incident", 0.4, 0.12),
                    ("story", 0.05, 0.26),
                ),
            ),
            "Data": (
                "DATA",
                12,
                (
                    ("story", 0.4, 0.5),
                    ("request", 0.25, 0.25),
                    ("bug", 0.25, 0.12),
                    ("task", 0.1, 0.13),
                ),
            ),
            "Security": (
                "SEC",
                8,
                (("task", 0.45, 0.5), ("request", 0.3, 0.35), ("incident", 0.25, 0.15)),
            ),
        }
        effort = {
            "story": (6, 24),
            "bug": (3, 14),
            "incident": (4, 16),
            "task": (2, 8),
            "epic": (0, 0),
            "change": (2, 6),
            "request": (0.5, 3),
            "request!": (1, 5),
        }
        lead_days = {"story": 12, "bug": 5, "incident": 1, "task": 6, "epic": 70, "change": 4}
        issue_type = {
            "story": "Story",
            "bug": "Bug",
            "task": "Task",
            "epic": "Epic",
            "change": "Change",
            "incident": "Incident",
            "request": "Service Request",
            "request!": "Service Request",
        }
        summaries = {
            "request": (
                "New laptop for {u} starter",
                "Access to shared drive for {u}",
                "Report change request from {u}",
                "Add user to {u} distribution list",
                "Mobile phone for {u} team lead",
                "Licence request ({u})",
            ),
            "request!": (
                "URGENT: {u} cannot print delivery notes",
                "Expedite: access for {u} auditor",
            ),
            "story": (
                "As a {u} user I can export the report to Excel",
                "Integrate {u} data into the nightly load",
                "Self-service form for {u}",
                "Automate approval step for {u}",
            ),
            "bug": (
                "Fix <b>bold</b> rendering & 'smart quotes' in invoice PDF",
                "Date filter ignores time zone",
                "Rounding error in {u} report",
                "Null pointer on empty basket",
            ),
            "incident": (
                "Break-fix: batch job failed",
                "Break-fix: certificate expired",
                "Break-fix: disk full on app server",
            ),
            "task": (
                "Patch application servers",
                "Rotate service account secrets",
                "Update runbook",
                "Clean up old branches",
            ),
            "epic": ("Epic: {u} roadmap item",),
            "change": (
                "Change: firewall rule for {u}",
                "Change: resize database",
                "Change: new VLAN for {u}",
            ),
        }
        rows = []
        issue_id = 10000
        history_from = self.start - timedelta(days=90)
        cleanup = _local(self.month(15) + timedelta(days=12), 16)
        for team in ("Service Desk", "Applications", "Infrastructure", "Data", "Security"):
            key, per_month, mix = streams[team]
            items = []
            for d in _days(history_from, self.today):
                if d.weekday() >= 5:
                    continue
                p = self.progress(d)
                for _ in range(_poisson(rng, per_month * 12 / 260)):
                    kind = _weighted(rng, [(k, _lerp(a, b, p)) for k, a, b in mix])
                    items.append((_when(rng, d, 0.05), kind))
            items.sort(key=lambda x: x[0])
            for n, (created, kind) in enumerate(items):
                p = self.progress(created)
                project = (
                    self.active_project(rng, team, created.date())
                    if kind in ("story", "epic")
                    else None
                )
                if kind in ("story", "epic") and project is None and team != "Service Desk":
                    kind = "task"
                unit = ""
                if kind.startswith("request") or kind == "story":
                    unit = (
                        project.unit if project and project.unit else _weighted(rng, unit_weights)
                    )
                base = float(lead_days.get(kind, 0))
                if kind.startswith("request"):
                    base = _lerp(9, 2.5, p) * unit_speed[unit] * (0.3 if kind == "request!" else 1)
                elif kind in ("story", "bug", "task"):
                    base *= _lerp(1.8, 0.7, p)
                days = rng.lognormvariate(
                    math.log(max(base, 0.1)), 1.0 if kind.startswith("request") else 0.7
                )
                if kind == "request" and rng.random() < 0.08:
                    days *= 1 + rng.uniform(2, 5)  # waiting for a vendor
                done: datetime | None = created + timedelta(days=days)
                if unit == NEGLECTED and kind == "request" and rng.random() < _lerp(0.08, 0.01, p):
                    # forgotten: closed in the backlog clean-up, if it happened after, or never
                    done = cleanup if created < cleanup and rng.random() < 0.9 else None
                if done is not None and done >= self.end:
                    done = None
                started = created + timedelta(days=days * rng.uniform(0.05, 0.4))
                if started >= self.end:
                    started = None  # type: ignore[assignment]
                if done is not None:  # people close tickets in office hours, on weekdays
                    day = done.astimezone(TZ).date()
                    day += timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)
                    done = max(_local(day, rng.uniform(8, 18)), created + timedelta(minutes=20))
                    done = done if done < self.end else None
                if started is not None and done is not None and started > done:
                    started = created + (done - created) * 0.3
                lo, hi = effort[kind]
                hours = round(rng.uniform(lo, hi) * 2) / 2 if done and hi else None
                due = None
                if kind.startswith("request") and rng.random() < 0.4:
                    due = created.date() + timedelta(days=7)
                elif kind == "story" and rng.random() < 0.3:
                    due = created.date() + timedelta(days=rng.choice((14, 21, 28)))
                planned = not (
                    kind in ("bug", "incident", "request!")
                    or (kind == "change" and rng.random() < 0.2)
                )
                category = project.category if project else "run"
                if kind == "story" and project is None:
                    category = "grow"
                status = "Done" if done else ("In Progress" if started else "To Do")
                labels = " ".join(
                    x
                    for x in (
                        "expedite" if kind == "request!" else "",
                        "sap" if team == "Applications" and rng.random() < 0.2 else "",
                        "tech-debt" if kind == "task" and rng.random() < 0.2 else "",
                    )
                    if x
                )
                issue_id += 1
                jira = "%d/%b/%y %I:%M %p"
                rows.append(
                    (
                        f"{key}-{n + 1}",
                        issue_id,
                        issue_type[kind],
                        status,
                        rng.choice(summaries[kind]).format(u=unit or team),
                        _fmt(created, jira),
                        _fmt(done or started or created, jira),
                        _fmt(done, jira),
                        _fmt(_local(due, 0), jira) if due else "",
                        labels,
                        team,
                        unit,
                        {
                            "run": "Run the business",
                            "grow": "Grow the business",
                            "transform": "Transform the business",
                        }[category],
                        "Planned" if planned else "Unplanned",
                        _fmt(started, jira),
                        project.id if project else "",
                        project.objective if project else "",
                        f"{hours:g}" if hours is not None else "",
                    )
                )
        header = (
            "Issue key",
            "Issue id",
            "Issue Type",
            "Status",
            "Summary",
            "Created",
            "Updated",
            "Resolved",
            "Due Date",
            "Labels",
            "Custom field (Team)",
            "Custom field (Requesting Department)",
            "Custom field (Investment Category)",
            "Custom field (Work Type)",
            "Custom field (Start date)",
            "Custom field (Portfolio Project)",
            "Custom field (Business Objective)",
            "Time Spent (h)",
        )
        path = self.write_csv("jira_issues.csv", header, rows)
        self.add_preset("work-items", path, "jira-work-items")

    # -- commitments ------------------------------------------------------------------------

    def commitments(self) -> None:
        rng = self.rng("commitments")
        rows: list[tuple[Any, ...]] = []

        def late(due: date, on_time: float, scale: float) -> date | None:
            delivered = due
            if rng.random() >= on_time:
                delivered = due + timedelta(
                    days=max(1, round(rng.lognormvariate(math.log(scale), 0.7)))
                )
            return delivered if delivered < self.today else None

        # Applications works in two-week sprints (scrum)
        d = self.start + timedelta(days=(7 - self.start.weekday()) % 7)
        n = 1
        while d + timedelta(days=11) < self.today + timedelta(days=14):
            due = d + timedelta(days=11)
            p = self.progress(due)
            points = rng.randint(34, 48)
            ratio = min(1.0, max(0.3, rng.gauss(_lerp(0.64, 0.9, p), 0.08)))
            finished = due < self.today
            rows.append(
                (f"APP-SPR-{n}", f"Applications sprint {n}", "Sprint", "Applications", "", d, due,
                 due if finished else None, points, round(points * ratio) if finished else None)
            )  # fmt: skip
            d += timedelta(days=14)
            n += 1
        # Webshop releases, planned six weeks ahead
        d = self.start + timedelta(days=20)
        n = 1
        while d < self.today + timedelta(days=30):
            p = self.progress(d)
            rows.append(
                (f"ECOM-REL-{n}", f"Webshop release 3.{n}", "Release", "Applications", "", d - timedelta(days=42),
                 d, late(d, _lerp(0.35, 0.85, p), _lerp(9, 3, p)), None, None)
            )  # fmt: skip
            d += timedelta(days=rng.choice((28, 28, 35)))
            n += 1
        # Milestones of the waterfall projects, against the baseline set at approval
        for proj in self.projects:
            if not proj.waterfall or proj.started is None or proj.planned_end is None:
                continue
            names = (
                "Design signed off",
                "Build complete",
                "Test complete",
                "Go-live",
                "Hypercare closed",
            )
            step = (proj.planned_end - proj.started).days / len(names)
            for k, what in enumerate(names):
                due = proj.started + timedelta(days=round(step * (k + 1)))
                p = self.progress(due)
                rows.append(
                    (f"{proj.id}-M{k + 1}", f"{proj.name}: {what}", "Milestone", proj.team, proj.id,
                     proj.approved, due, late(due, _lerp(0.25, 0.75, p), _lerp(30, 8, p)), None, None)
                )  # fmt: skip
        # Dates the Service Desk promised to the business
        n = 1
        for d in _days(self.start, self.today):
            if d.weekday() >= 5:
                continue
            for _ in range(_poisson(rng, 8 * 12 / 260)):
                p = self.progress(d)
                unit = rng.choice(BUSINESS_UNITS)
                job = rng.choice(
                    (
                        "Laptop refresh",
                        "Onboarding kits",
                        "Meeting room screens",
                        "Phone migration",
                        "Printer swap",
                    )
                )
                due = d + timedelta(days=rng.randint(5, 30))
                rows.append(
                    (f"SD-PROM-{n}", f"{job} for {unit}", "Promised date", "Service Desk", "", d, due,
                     late(due, _lerp(0.45, 0.9, p), _lerp(6, 3, p)), None, None)
                )  # fmt: skip
                n += 1
        # IT's quarterly objectives
        goals = (
            ("Infrastructure", "Patch every server within 30 days"),
            ("Security", "MFA for every admin account"),
            ("Data", "Nightly load finished by 06:00 on 95 % of days"),
            ("Applications", "Automated tests on every webshop release"),
        )
        for q in range(self.span // 91 + 1):
            begin = self.month(3 * q)
            due = self.month(3 * q + 3) - timedelta(days=1)
            p = self.progress(due)
            for k, (team, goal) in enumerate(goals):
                if (q + k) % 2:
                    continue
                rows.append(
                    (f"OKR-{q + 1}-{k + 1}", goal, "Quarterly objective", team, "", begin, due,
                     late(due, _lerp(0.3, 0.75, p), 20), None, None)
                )  # fmt: skip
        rows.sort(key=lambda r: (r[6], r[0]))

        def cell(v: Any) -> str:
            if v is None:
                return ""
            return v.strftime("%d.%m.%Y") if isinstance(v, date) else str(v)

        header = (
            "Ref",
            "Commitment",
            "Type",
            "Team",
            "Project",
            "Committed on",
            "Due",
            "Delivered",
            "Committed (points)",
            "Completed (points)",
        )
        path = self.write_csv(
            "delivery_commitments.csv", header, ([cell(v) for v in r] for r in rows)
        )
        self.add(
            "commitments",
            path,
            "delivery-tracker",
            {
                "date_format": "%d.%m.%Y",
                "columns": {
                    "id": "Ref",
                    "title": "Commitment",
                    "kind": "Type",
                    "team": "Team",
                    "project": "Project",
                    "committed_on": "Committed on",
                    "due_on": "Due",
                    "delivered_on": "Delivered",
                    "scope_committed": "Committed (points)",
                    "scope_delivered": "Completed (points)",
                },
                "values": {
                    "kind": {
                        "Sprint": "sprint",
                        "Milestone": "milestone",
                        "Release": "release",
                        "Promised date": "due_date",
                        "Quarterly objective": "objective",
                    }
                },
            },
        )

    # -- relationships ----------------------------------------------------------------------

    def engagements(self) -> None:
        rng = self.rng("engagements")
        events: list[
            tuple[datetime, str, str, str, str]
        ] = []  # when, stakeholder, unit, category, organiser

        def meet(email: str, unit: str, d: date, category: str, it_side: bool) -> None:
            while d.weekday() >= 5:
                d += timedelta(days=1)
            if d >= self.today:
                return
            at = _local(d, rng.choice((9, 9.5, 10, 11, 13, 14, 14.5, 15, 16)))
            events.append((at, email, unit, category, "IT" if it_side else unit))

        def every(
            email: str,
            unit: str,
            gap: tuple[float, float],
            kinds: Sequence[tuple[str, float, float]],
            by_it: tuple[float, float] = (0.0, 0.0),
            since: date | None = None,
        ) -> None:
            """Meetings every `gap` days on average (first year, second year), each of one of
            `kinds` (category, weight in the first year, in the second); IT organises a share."""
            d = (since or self.start) + timedelta(days=rng.randint(0, 20))
            while d < self.today:
                p = self.progress(d)
                category = _weighted(rng, [(c, _lerp(w1, w2, p)) for c, w1, w2 in kinds])
                meet(email, unit, d, category, rng.random() < _lerp(*by_it, p))
                d += timedelta(days=max(7, round(rng.gauss(_lerp(*gap, p), 5))))

        review = (("Business review", 1, 1),)
        last_ops_review = self.today - timedelta(days=149)
        for email, _name, _title, unit, key in self.stakeholders:
            if unit == WELL_SERVED and key:
                every(email, unit, (40, 28), (*review, ("Planning", 1, 1)), (0.6, 0.85))
                every(email, unit, (70, 45), (("Advice", 1, 1),), (0.3, 0.6))
            elif unit == "Finance" and key:
                every(email, unit, (110, 60), review, (1, 1))
                every(email, unit, (70, 160), (("Escalation", 1, 1),))
                if email.startswith("katrin"):
                    every(email, unit, (45, 30), (("Steering committee", 1, 1),), (0.5, 0.7))
            elif unit == "HR" and key:
                every(email, unit, (100, 75), review, (1, 1))
            elif unit == "Marketing" and key:
                gap = 60 if email.startswith("laura") else 130
                every(email, unit, (gap, gap), (("Planning", 1, 1),), (0.6, 0.6))
            elif unit == NEGLECTED and key:
                for offset in (40, 200):
                    when = self.start + timedelta(days=offset + rng.randint(0, 6))
                    meet(email, unit, when, "Business review", True)
                meet(
                    email,
                    unit,
                    last_ops_review - timedelta(days=rng.randint(0, 12)),
                    "Planning",
                    True,
                )
                every(email, unit, (25, 35), (("Escalation", 1, 1),))
                every(email, unit, (45, 45), (("Incident call", 1, 1),))
            # everyone, key or not, asks for things, and calls when something breaks
            advice = (2, 3) if unit == WELL_SERVED else (0.5, 1.5)
            contact = (("Request", 6, 5), ("Incident call", 3, 1), ("Advice", *advice))
            often = 0.7 if unit == NEGLECTED else 1.0
            every(email, unit, (35 * often, 55 * often), contact, (0.0, 0.1))
            if unit != NEGLECTED:  # the relationship programme of the second year
                every(email, unit, (90, 90), (("Advice", 1, 1),), (1, 1), since=self.month(12))
        events.sort(key=lambda e: (e[0], e[1]))
        subjects = {
            "Business review": "Quarterly business review: IT & {u}",
            "Planning": "{u} planning session with IT",
            "Steering committee": "Finance close automation: steering committee",
            "Advice": "Advice: options for a new {u} initiative",
            "Request": "Request: {u} needs help",
            "Escalation": "Escalation: {u} blocked",
            "Incident call": "Incident bridge call ({u})",
        }
        self.write_calendars(events, subjects)

    def write_calendars(
        self, events: list[tuple[datetime, str, str, str, str]], subjects: dict[str, str]
    ) -> None:
        """Each relationship owner's Outlook calendar, exported as .ics (File > Save Calendar).

        One VEVENT per meeting: organised by the owner (IT initiated it) or by the stakeholder,
        who invited the owner. The category is Outlook's colour category. Rough edges a real
        export has: meeting rooms as attendees, and cancelled meetings still in the file.
        """
        import icalendar

        extras = self.rng("calendar-extras")  # rooms and cancellations: the story's draws stay
        names = {email: name for email, name, _t, _u, _k in self.stakeholders}
        rooms = {"Hamburg": "raum.elbe", "Kassel": "raum.fulda"}
        owner_of = {u: f"{RELATIONSHIP_OWNER[u].lower()}@{DOMAIN}" for u in BUSINESS_UNITS}
        stamp = self.export_stamp.replace(tzinfo=TZ).astimezone(UTC)
        calendars: dict[str, icalendar.Calendar] = {}
        for owner in sorted(set(owner_of.values())):
            cal = icalendar.Calendar()
            cal.add("prodid", "-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN")
            cal.add("version", "2.0")
            cal.add("method", "PUBLISH")
            cal.add("x-wr-calname", owner)
            cal.add("x-wr-timezone", TZ_NAME)
            calendars[owner] = cal

        def person(email: str, **params: str) -> icalendar.vCalAddress:
            addr = icalendar.vCalAddress(f"mailto:{email}")
            if email in names:
                addr.params["CN"] = names[email]
            for k, v in params.items():
                addr.params[k.upper()] = v
            return addr

        for n, (at, email, unit, category, organiser) in enumerate(events):
            owner = owner_of[unit]
            minutes = 30 if category == "Request" else 60
            for cancelled in (True, False) if extras.random() < 0.03 else (False,):
                ev = icalendar.Event()
                # a cancelled meeting and the one that replaced it, a day later
                when = at - timedelta(days=1) if cancelled else at
                ev.add("uid", f"{'x' if cancelled else ''}{n + 1:05d}-{self.seed}@{DOMAIN}")
                ev.add("dtstamp", stamp)
                ev.add("dtstart", when.astimezone(TZ))
                ev.add("dtend", (when + timedelta(minutes=minutes)).astimezone(TZ))
                ev.add("summary", subjects[category].format(u=unit))
                ev.add("categories", [category])
                if cancelled:
                    ev.add("status", "CANCELLED")
                by_it = organiser == "IT"
                ev.add("organizer", person(owner if by_it else email))
                for who in (owner, email) if by_it else (email, owner):
                    chair = (who == owner) == by_it
                    role = "CHAIR" if chair else "REQ-PARTICIPANT"
                    ev.add("attendee", person(who, role=role, partstat="ACCEPTED"))
                if category in ("Business review", "Planning", "Steering committee"):
                    room = rooms["Kassel" if unit == NEGLECTED else "Hamburg"]
                    if extras.random() < 0.7:
                        ev.add(
                            "attendee",
                            person(f"{room}@{DOMAIN}", cutype="ROOM", role="NON-PARTICIPANT"),
                        )
                calendars[owner].add_component(ev)
        files = []
        for owner, cal in calendars.items():
            cal.subcomponents.insert(0, icalendar.Timezone.from_ical(_VTIMEZONE))
            path = self.out / f"outlook_calendar_{owner.split('@')[0]}.ics"
            path.write_bytes(cal.to_ical())
            files.append(path)
        # The preset knows each attendee's address, not their department: the stakeholder list
        # does, so the department is mapped from the address.
        self.add_preset(
            "engagements",
            files,
            "ical-engagements",
            name="outlook_calendars",
            overrides={
                "columns": {"business_unit": "attendee"},
                "values": {"business_unit": {e: u for e, _n, _t, u, _k in self.stakeholders}},
            },
        )

    # -- talent -----------------------------------------------------------------------------

    def skills(self) -> None:
        rng = self.rng("skills")
        current = [p for p in self.people if p.left is None]
        rows: list[tuple[str, str, int]] = []
        for p in current:
            for svc, holders in SERVICE_SKILLS.items():
                rows.extend((p.id, svc, level) for pid, level in holders if pid == p.id)
            for skill in rng.sample(TEAM_SKILLS[p.team], k=min(2, len(TEAM_SKILLS[p.team]))):
                rows.append((p.id, skill, rng.randint(2, 5)))
        path = self.write_csv("skills_matrix.csv", ("Employee", "Skill", "SFIA level"), rows)
        self.add(
            "skills",
            path,
            "skills-matrix",
            {"columns": {"person": "Employee", "skill_or_service": "Skill", "level": "SFIA level"}},
        )

    def learning(self) -> None:
        rng = self.rng("learning")
        courses = (
            ("ITIL 4 Foundation", 16),
            ("AWS Cloud Practitioner", 12),
            ("Kubernetes fundamentals", 8),
            ("SAP S/4HANA Finance overview", 14),
            ("Secure coding", 6),
            ("Incident command", 4),
            ("Data modelling with dbt", 7),
            ("Negotiation skills", 3.5),
            ("Public speaking", 2.5),
            ("Power BI in a day", 6),
        )
        rows = []
        for p in self.people:
            seen: set[tuple[date, str]] = set()
            for d in _days(max(p.hired, self.start), min(p.left or self.today, self.today)):
                # about 15 h a person in the first year, about 35 h in the second
                if rng.random() < _lerp(15, 35, self.progress(d)) / 7.7 / 365:
                    title, hours = rng.choice(courses)
                    if (d, title) not in seen:
                        seen.add((d, title))
                        rows.append((p.id, title, d.strftime("%d.%m.%Y"), f"{hours:g}"))
        rows.sort(key=lambda r: (r[2][6:] + r[2][3:5] + r[2][:2], r[0], r[1]))
        header = ("User ID", "Training title", "Completion date", "Training hours")
        path = self.write_csv("lms_learning.csv", header, rows)
        self.add(
            "learning",
            path,
            "lms",
            {
                "date_format": "%d.%m.%Y",
                "columns": {
                    "person": "User ID",
                    "activity": "Training title",
                    "date": "Completion date",
                    "hours": "Training hours",
                },
            },
        )

    # -- planning ---------------------------------------------------------------------------

    def budget(self) -> None:
        rng = self.rng("budget")
        # k€ per month: (first year, second year) — run shrinks as grow and transform rise
        lines = (
            ("Run the business", "Infrastructure & hosting", 120, 105),
            ("Run the business", "Software licences & support", 95, 90),
            ("Run the business", "Operations staff & contractors", 90, 75),
            ("Grow the business", "Grow projects", 45, 95),
            ("Transform the business", "Transformation programmes", 25, 70),
        )
        rows = []
        months = self.span // 30 + 3  # the plan runs a quarter ahead of the actuals
        for m in range(months):
            period = _add_months(self.start.replace(day=1), m)
            p = self.progress(period)
            for category, line, a, b in lines:
                planned = round(_lerp(a, b, p) * 1000 * rng.uniform(0.97, 1.03), -2)
                actual = ""
                if _add_months(period, 1) <= self.today:
                    drift = (
                        _lerp(0.12, 0.03, p) if category.startswith("Run") else _lerp(0.06, 0.0, p)
                    )
                    actual = (
                        f"{round(planned * (1 + rng.gauss(drift, _lerp(0.09, 0.04, p))), -2):.2f}"
                    )
                rows.append((period.isoformat(), category, line, f"{planned:.2f}", actual))
        header = ("Period", "Category", "Cost line", "Budget (EUR)", "Actual (EUR)")
        # Finance's export comes out of Excel: UTF-8 with a byte-order mark
        path = self.write_csv("finance_budget.csv", header, rows, bom=True)
        self.add(
            "budget",
            path,
            "finance",
            {
                "date_format": "%Y-%m-%d",
                "columns": {
                    "period": "Period",
                    "category": "Category",
                    "line": "Cost line",
                    "planned": "Budget (EUR)",
                    "actual": "Actual (EUR)",
                },
                "values": {
                    "category": {
                        "Run the business": "run",
                        "Grow the business": "grow",
                        "Transform the business": "transform",
                    }
                },
            },
        )

    # -- surveys ----------------------------------------------------------------------------

    def stakeholder_surveys(self) -> None:
        rng = self.rng("stakeholder-survey")
        # mean overall satisfaction (1–10) per unit and campaign: Sales grows, Operations stays low
        mood = {
            "Sales": (6.2, 7.2, 8.1, 8.7),
            "Finance": (4.8, 5.4, 6.6, 7.1),
            "HR": (6.0, 6.2, 6.9, 7.2),
            "Marketing": (5.8, 6.3, 6.9, 7.3),
            "Operations": (4.4, 4.1, 4.5, 4.2),
        }
        importance = {
            "Finance": {"ERP": 10, "DWH": 9, "PAYROLL": 6, "M365": 7},
            "Sales": {"ECOM": 10, "CRM": 10, "ERP": 7, "MARTECH": 6},
            "Operations": {"WMS": 10, "ERP": 9, "NETWORK": 8, "ENDPOINT": 7},
            "HR": {"PAYROLL": 10, "HRPORTAL": 8, "IDENTITY": 6},
            "Marketing": {"MARTECH": 9, "CRM": 8, "ECOM": 8, "DWH": 6},
        }
        weak = {"ERP": 2.5, "WMS": 3.0, "PAYROLL": 0.5}  # satisfaction penalty per service
        comments = {
            "Sales": (
                "The monthly reviews make a real difference.",
                'IT now says "yes, and here is how" & means it.',
                "",
            ),
            "Operations": (
                "We only hear from IT when something is already broken.",
                "WMS outages cost us <b>whole shifts</b> & nobody calls back.",
                "Still waiting for the scanner tickets from last spring.",
                "",
            ),
            "Finance": (
                "ERP month-end is still a gamble.",
                "Better since the steering committee started.",
                "",
            ),
            "HR": ("Payroll runs fine; the portal is clunky.", ""),
            "Marketing": ("Helpful people, slow turnaround.", ""),
        }
        grid_i = "How important is each IT service to your unit? [{}]"
        grid_s = "How satisfied are you with each IT service? [{}]"
        agree = {
            "credibility_1": "IT knows its field, and what it tells us is accurate.",
            "credibility_2": "IT's estimates and advice are well founded.",
            "reliability_1": "IT does what it says it will do.",
            "reliability_2": "IT delivers on the date it promised, to the standard agreed.",
            "intimacy_1": "I am comfortable sharing our plans and worries with IT early.",
            "intimacy_2": "I can raise a difficult subject with IT openly.",
            "self_orientation_1": "IT puts its own priorities ahead of what we need.",
            "self_orientation_2": "In meetings IT talks more about its own concerns than about our problems.",
            "understands_needs": "IT understands what our part of the business needs.",
            "executes_as_expected": "IT delivers what we asked for, the way we expected.",
            "communicates_effectively": "IT keeps us informed clearly and in good time.",
        }
        items = {k: f"{v} (1 = strongly disagree, 7 = strongly agree)" for k, v in agree.items()}
        items.update(
            {
                "overall_satisfaction": "Overall, how satisfied are you with IT? (1-10)",
                "nps": "How likely are you to recommend working with IT to a colleague? (0-10)",
                "ladder": "How do you see IT today?",
                "involve_early": "Would you involve IT at the start of your next initiative?",
            }
        )
        for sid, name, *_ in SERVICES:
            items[f"importance:{sid}"] = grid_i.format(name)
        for sid, name, *_ in SERVICES:
            items[f"satisfaction:{sid}"] = grid_s.format(name)
        items["comment"] = "Anything else you would like IT to hear?"
        ladder = ("Order taker", "Service provider", "Trusted advisor", "Strategic partner")
        unit_q = "Which business unit do you work in?"
        for c, month in enumerate((1, 7, 13, 19)):
            opens = self.month(month)
            rows = []
            for email, _name, _title, unit, key in self.stakeholders:
                forced_small = unit == "Marketing" and c == 0 and not key
                if forced_small and email.startswith(("hanna", "omar", "mia")):
                    continue  # Marketing's first campaign falls under the anonymity threshold
                if rng.random() > (0.97 if key else 0.85):
                    continue
                trust = (mood[unit][c] - 1) / 9 + rng.gauss(0, 0.07)
                trust = min(0.98, max(0.02, trust))

                def likert(t: float, spread: float = 0.8) -> int:
                    return max(1, min(7, round(1 + 6 * t + rng.gauss(0, spread))))

                answers: dict[str, Any] = {}
                for item in agree:
                    reverse = item.startswith("self_orientation")
                    answers[item] = likert(1 - trust if reverse else trust)
                answers["overall_satisfaction"] = max(
                    1, min(10, round(1 + 9 * trust + rng.gauss(0, 0.6)))
                )
                answers["nps"] = max(0, min(10, round(10 * trust + rng.gauss(0.3, 1.0))))
                rung = min(3, max(0, int(trust * 4 - 0.8 + rng.gauss(0, 0.45))))
                answers["ladder"] = ladder[rung]
                answers["involve_early"] = (
                    "Yes" if trust > 0.62 else ("Maybe" if trust > 0.4 else "No")
                )
                for sid, *_ in SERVICES:
                    imp = importance[unit].get(sid)
                    if imp is None and rng.random() < 0.5:
                        continue  # grids left blank for services the unit barely uses
                    imp = imp if imp is not None else rng.randint(3, 6)
                    answers[f"importance:{sid}"] = max(1, min(10, imp + rng.choice((-1, 0, 0, 1))))
                    sat = (
                        1
                        + 9 * trust
                        - weak.get(sid, 0) * _lerp(1.0, 0.6, c / 3)
                        + rng.gauss(0, 0.9)
                    )
                    answers[f"satisfaction:{sid}"] = max(1, min(10, round(sat)))
                answers["comment"] = rng.choice(comments[unit])
                at = _local(opens + timedelta(days=rng.randint(0, 13)), rng.uniform(8, 19))
                rows.append((at, email, unit, answers))
            rows.sort(key=lambda r: (r[0], r[1]))
            header = ["Timestamp", "Email Address", unit_q, *items.values()]
            body = [
                [
                    at.astimezone(TZ).strftime("%m/%d/%Y %H:%M:%S"),
                    email,
                    unit,
                    *(a.get(k, "") for k in items),
                ]
                for at, email, unit, a in rows
            ]
            campaign = f"stakeholder-{opens:%Y-%m}"
            path = self.write_csv(f"google_forms_{campaign}.csv", header, body)
            self.add_preset(
                "survey-responses",
                path,
                "google-forms-survey-responses",
                # the campaign is the file's name unless mapped: name it as the report shows it
                {"values": {"campaign": {path.stem: campaign}}},
            )

    def team_surveys(self) -> None:
        rng = self.rng("team-survey")
        statements = (
            "Information is actively sought.",
            "Messengers are not punished when they deliver news of failures or other bad news.",
            "Responsibilities are shared.",
            "Cross-functional collaboration is encouraged and rewarded.",
            "Failure causes inquiry.",
            "New ideas are welcomed.",
            "Failures are treated primarily as opportunities to improve the system.",
        )
        items = {f"westrum_{i + 1}": f"On my team... [{s}]" for i, s in enumerate(statements)}
        items["enps"] = "How likely are you to recommend IT at Northwind as a place to work? (0-10)"
        items["burnout"] = "How often do you feel burned out by your work? (1 = never, 5 = always)"
        items["comment"] = "Anything else you want the leadership team to know? (anonymous)"
        team_q = "Which team are you in?"
        team_mood = {
            "Service Desk": -0.06,
            "Infrastructure": -0.04,
            "Applications": 0.0,
            "Data": 0.05,
            "Security": 0.0,
        }
        notes = (
            "",
            "",
            "On-call is wearing people out.",
            "Fewer fire drills lately & more time to fix things.",
            "",
        )
        for month in (2, 8, 14, 20):
            opens = self.month(month)
            p = self.progress(opens)
            rows = []
            for person in self.people:
                if person.team not in team_mood or not person.active(opens):
                    continue
                if rng.random() > (0.55 if person.team == "Security" else 0.85):
                    continue  # Security often stays under the anonymity threshold
                culture = _lerp(0.45, 0.7, p) + team_mood[person.team] + rng.gauss(0, 0.08)
                answers: dict[str, Any] = {
                    f"westrum_{i + 1}": max(1, min(7, round(1 + 6 * culture + rng.gauss(0, 0.8))))
                    for i in range(7)
                }
                answers["enps"] = max(0, min(10, round(10 * culture + rng.gauss(1.6, 1.3))))
                answers["burnout"] = max(1, min(5, round(5 - 4 * culture + rng.gauss(0, 0.7))))
                answers["comment"] = rng.choice(notes)
                at = _local(opens + timedelta(days=rng.randint(0, 9)), rng.uniform(8, 18))
                rows.append((at, person.team, answers))
            rows.sort(key=lambda r: (r[0], r[1]))
            header = ["Timestamp", team_q, *items.values()]
            body = [
                [
                    at.astimezone(TZ).strftime("%m/%d/%Y %H:%M:%S"),
                    team,
                    *(a.get(k, "") for k in items),
                ]
                for at, team, a in rows
            ]
            campaign = f"team-{opens:%Y-%m}"
            path = self.write_csv(f"google_forms_{campaign}.csv", header, body)
            self.add_preset(
                "survey-responses",
                path,
                "google-forms-survey-responses",
                {"values": {"campaign": {path.stem: campaign}}},
            )

    def run(self) -> list[ImportSpec]:
        self.out.mkdir(parents=True, exist_ok=True)
        self.services()
        self.people_file()
        self.stakeholders_file()
        self.objectives_file()
        self.build_projects()
        self.projects_file()
        changes = self.changes()
        self.incidents(changes)
        self.work_items()
        self.commitments()
        self.engagements()
        self.skills()
        self.learning()
        self.budget()
        self.stakeholder_surveys()
        self.team_surveys()
        # The catalogue first, so that stubs are never needed; the incidents need the changes'
        # services, which the catalogue already holds.
        order = ("services", "people", "stakeholders", "objectives")
        return sorted(
            self.specs, key=lambda s: order.index(s.kind) if s.kind in order else len(order)
        )


# Europe/Berlin as calendar clients write it: the current rules, not the zone's history.
_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:STANDARD
DTSTART:16011028T030000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010325T020000
RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
END:DAYLIGHT
END:VTIMEZONE
"""


def _slug(name: str) -> str:
    plain = name.lower()
    for umlaut, plain_form in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("'", "")):
        plain = plain.replace(umlaut, plain_form)
    return re.sub(r"[^a-z]+", ".", plain).strip(".")


def _stable_zip(data: bytes, stamp: datetime) -> bytes:
    """Rewrite an .xlsx so the same content gives the same bytes: openpyxl stamps the save
    time into docProps/core.xml and into every zip entry."""
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = body.decode("utf-8")
                for tag in ("dcterms:created", "dcterms:modified"):
                    text = re.sub(rf"(<{tag}[^>]*>)[^<]*(</{tag}>)", rf"\g<1>{iso}\g<2>", text)
                body = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, body)
    return out.getvalue()


def generate(out_dir: Path, seed: int = 7, today: date = date(2026, 10, 1)) -> list[ImportSpec]:
    """Write the demo organisation's exports and their mappings into `out_dir`.

    The history covers the two years before `today`. Returns one ImportSpec per file, in the
    order to import them: the catalogue (services, people, stakeholders, objectives) first.
    """
    return _Demo(Path(out_dir), seed, today).run()
