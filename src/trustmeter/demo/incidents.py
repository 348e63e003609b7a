"""Incidents: ServiceNow's incident list, with outages, problems, maintenance and the ERP's one expert."""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta
from typing import Any

from trustmeter.demo.changes import CHANGE_REQUESTS
from trustmeter.demo.context import (
    Change,
    Demo,
    each_day,
    event_time,
    fmt_local,
    lerp,
    local,
    poisson,
    weighted,
)
from trustmeter.demo.organisation import KEY_PERSON, KEY_SERVICE, SERVICE_TEAM, TZ, UNLISTED

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


def pick_resolver(demo: Demo, rng: random.Random, service: str, d: date) -> str:
    pool = [(pid, w) for pid, w in RESOLVERS[service] if demo.person[pid].active(d)]
    return str(weighted(rng, pool))


def write_incidents(demo: Demo, changes: list[Change]) -> None:
    rng = demo.rng("incidents")
    weekday_norm = 7 / (5 + 2 * 0.45)
    raw: list[dict[str, Any]] = []

    def new(svc: str, sev: str, opened: datetime, caused_by: str = "", maint: bool = False) -> None:
        raw.append(
            {"svc": svc, "sev": sev, "opened": opened, "caused_by": caused_by, "maint": maint}
        )

    for d in each_day(demo.first, demo.today):
        p = demo.progress(d)
        factor = (1.0 if d.weekday() < 5 else 0.45) * weekday_norm / 30.4
        for svc, (bad_share, good_share) in MAJOR_SHARE.items():
            lam = lerp(MAJORS_PER_MONTH[0] * bad_share, MAJORS_PER_MONTH[1] * good_share, p)
            for _ in range(poisson(rng, lam * factor)):
                new(svc, "P1" if rng.random() < 0.3 else "P2", event_time(rng, d, 0.35))
            lam = MINORS_PER_MONTH[svc] * lerp(2.0 if svc == "WMS" else 1.8, 1.0, p)
            for _ in range(poisson(rng, lam * factor)):
                sev = weighted(rng, (("P3", 0.3), ("P4", 0.5), ("P5", 0.2)))
                new(svc, sev, event_time(rng, d, 0.15))
    legacy = demo.rng("legacy")
    for _ in range(6):
        day = demo.start + timedelta(days=legacy.randrange(demo.span))
        new(UNLISTED, "P4", event_time(legacy, day, 0.1))
    for ch in changes:  # a change that broke something: the incident follows within hours
        if ch.bad:
            opened = ch.deployed + timedelta(hours=rng.uniform(0.3, 10))
            sev = "P2" if rng.random() < lerp(0.45, 0.2, demo.progress(opened)) else "P3"
            explicit = ch.id.startswith("CHG") and rng.random() < 0.8
            if opened < demo.end:
                new(ch.service, sev, opened, ch.id if explicit else "")
    for q in range(0, (demo.today - demo.first).days // 91):  # planned maintenance: not downtime
        for svc in ("ERP", "NETWORK"):
            d = demo.first + timedelta(days=91 * q + 40 + (7 if svc == "NETWORK" else 0))
            d += timedelta(days=(5 - d.weekday()) % 7)  # a Saturday morning
            new(svc, "P2" if svc == "ERP" and q % 2 == 0 else "P3", local(d, 6), maint=True)
    raw.sort(key=lambda r: (r["opened"], r["svc"], r["sev"]))

    problems: dict[str, list[tuple[str, datetime]]] = {}
    next_problem = 40001
    rows = []
    ecom_marked = False
    for n, r in enumerate(raw):
        svc, sev, opened = r["svc"], r["sev"], r["opened"]
        p = demo.progress(opened)
        major = sev in ("P1", "P2")
        resolver = pick_resolver(demo, rng, svc, opened.astimezone(TZ).date())
        if major:
            ack = rng.lognormvariate(math.log(lerp(38, 7, p)), 0.7)
            fix = rng.lognormvariate(math.log(lerp(6.0, 1.6, p)), 0.7)
            if svc == "WMS":
                fix *= 1.5  # nobody owns the warehouse's problems
            if svc == KEY_SERVICE and resolver != KEY_PERSON:
                fix *= 1.6  # waiting for the one person who knows
        else:
            base_ack, base_fix = {"P3": (120, 20), "P4": (300, 50), "P5": (600, 140)}[sev]
            ack = rng.lognormvariate(math.log(lerp(base_ack, base_ack / 2.5, p)), 0.8)
            fix = rng.lognormvariate(math.log(lerp(base_fix, base_fix / 2.2, p)), 0.9)
        if r["maint"]:
            ack, fix = 1.0, rng.uniform(2.5, 4.5)
        acked: datetime | None = opened + timedelta(minutes=max(1.0, ack))
        resolved: datetime | None = opened + timedelta(minutes=max(1.0, ack), hours=max(0.2, fix))
        if (not major and rng.random() < 0.05) or (acked is not None and acked >= demo.end):
            acked = None
        if resolved is not None and resolved >= demo.end:
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
            if recent and rng.random() < lerp(0.6, 0.12, p):
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
            state = "Closed" if demo.end - resolved > timedelta(days=5) else "Resolved"
            code = weighted(
                rng,
                (
                    ("Solved (Permanently)", 6),
                    ("Solved (Work Around)", 3),
                    ("Not Solved (Not Reproducible)", 1),
                ),
            )
        closed = resolved + timedelta(days=5) if state == "Closed" and resolved else None
        updated = closed or resolved or acked or opened
        if updated >= demo.end:
            updated = demo.end - timedelta(minutes=rng.randint(1, 600))
        rows.append(
            (
                f"INC{10001 + n:07d}",
                fmt_local(opened, "%d-%m-%Y %H:%M:%S"),
                PRIORITY[sev],
                state,
                svc,
                SERVICE_TEAM[svc],
                resolver,
                fmt_local(acked, "%d-%m-%Y %H:%M:%S"),
                fmt_local(resolved, "%d-%m-%Y %H:%M:%S"),
                fmt_local(closed, "%d-%m-%Y %H:%M:%S"),
                fmt_local(updated, "%d-%m-%Y %H:%M:%S"),
                fmt_local(begin, "%d-%m-%Y %H:%M:%S"),
                fmt_local(end, "%d-%m-%Y %H:%M:%S"),
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
    path = demo.files.write_csv("servicenow_incidents.csv", header, rows)
    demo.files.add_preset(
        "incidents",
        path,
        "servicenow-incidents",
        # the list export writes dates in the exporting user's format, here dd-mm-YYYY
        {"date_format": "%d-%m-%Y %H:%M:%S"},
    )
