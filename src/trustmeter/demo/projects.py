"""The project portfolio (a workbook from the portfolio tool); work items and milestones refer to it."""

from __future__ import annotations

import io
import math
from datetime import date, timedelta

from trustmeter.demo.context import BUSINESS, Demo, Project, add_months, lerp
from trustmeter.demo.organisation import BUSINESS_UNITS, NEGLECTED, STAKEHOLDERS, WELL_SERVED
from trustmeter.demo.writer import stable_zip

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
    # the three years before the story (listed last, so the story's ids stay as they were)
    ("Microsoft 365 migration", "", "run", "Infrastructure", "OBJ-02", -38, 8, False),
    ("ERP migration to S/4HANA", "Finance", "transform", "Applications", "OBJ-01", -37, 12, True),
    ("Webshop replatforming", "Sales", "grow", "Applications", "OBJ-03", -35, 10, False),
    ("Warehouse Wi-Fi refresh", "Operations", "run", "Infrastructure", "OBJ-06", -33, 4, False),
    ("Payroll year-end automation", "HR", "run", "Applications", "OBJ-08", -31, 4, False),
    ("Sales reporting in BI", "Sales", "grow", "Data", "OBJ-04", -29, 5, False),
    ("Email security gateway", "", "run", "Security", "OBJ-11", -27, 4, False),
    ("Budget planning tool", "Finance", "grow", "Data", "OBJ-02", -25, 6, False),
    ("Marketing website relaunch", "Marketing", "grow", "Applications", "OBJ-09", -23, 6, False),
    (
        "Transport management interface",
        "Operations",
        "grow",
        "Applications",
        "OBJ-05",
        -21,
        7,
        True,
    ),
    ("Applicant tracking system", "HR", "grow", "Applications", "OBJ-07", -19, 5, False),
    ("Data platform in the cloud", "", "transform", "Data", "OBJ-02", -17, 9, False),
    ("Click & collect", "Sales", "grow", "Applications", "OBJ-03", -15, 6, False),
    ("Endpoint management (Intune)", "", "run", "Service Desk", "OBJ-11", -13, 5, False),
    ("Supplier portal", "Finance", "transform", "Applications", "OBJ-02", -11, 8, False),
    ("Demand forecasting pilot", "Operations", "grow", "Data", "OBJ-05", -9, 5, False),
)
# Sponsor of IT's own projects, where there is one.
IT_SPONSORS = {
    "Data centre exit": "Katrin Vogel",
    "Zero-trust access": "Katrin Vogel",
    # before the story every project of IT's own had a sponsor
    **{
        name: "Katrin Vogel"
        for name in (
            "Microsoft 365 migration",
            "Email security gateway",
            "Data platform in the cloud",
            "Endpoint management (Intune)",
        )
    },
}


def build_projects(demo: Demo) -> list[Project]:
    """The portfolio: dates, engagement of IT, budget and status per project of PROJECTS."""
    rng = demo.rng("projects")
    heads = {unit: STAKEHOLDERS[unit][0][0] for unit in BUSINESS_UNITS}
    projects: list[Project] = []
    for n, (name, unit, cat, team, obj, approved_m, months, waterfall) in enumerate(PROJECTS):
        pid = f"PRJ-{101 + n}"
        if unit:
            pool = [s[0] for s in STAKEHOLDERS[unit][:3] if s[2]]
            sponsor = heads[unit] if rng.random() < 0.6 else rng.choice(pool)
        else:
            sponsor = IT_SPONSORS.get(name, "")
        engaged: date | None
        if approved_m is None:
            proposed = demo.today - timedelta(days=rng.randint(20, 70))
            engaged = proposed + timedelta(days=rng.randint(2, 10)) if unit == WELL_SERVED else None
            projects.append(
                Project(pid, name, unit, cat, team, obj, sponsor, waterfall, proposed, engaged,
                         None, None, None, None, round(months * rng.uniform(25, 45)) * 1000.0,
                         None, "proposed")
            )  # fmt: skip
            continue
        approved = demo.month(approved_m) + timedelta(days=rng.randint(0, 25))
        proposed = approved - timedelta(days=rng.randint(30, 90))
        p = demo.progress(approved, BUSINESS)
        if not unit:
            early = True  # IT's own projects
        elif unit == WELL_SERVED:
            early = rng.random() < lerp(0.5, 1.0, p)
        elif unit == NEGLECTED:
            early = False
        else:
            early = rng.random() < lerp(0.1, 0.8, p)
        if early:
            engaged = proposed + timedelta(days=rng.randint(2, 20))
        elif name == "Forklift telematics":
            engaged = None  # IT heard of it when the trucks arrived
        else:
            engaged = approved + timedelta(days=rng.randint(15, 60))
        started = approved + timedelta(days=rng.randint(10, 45))
        planned_end = add_months(started, months)
        slip = rng.lognormvariate(math.log(lerp(50, 8, demo.progress(planned_end, BUSINESS))), 0.6)
        actual_end: date | None = planned_end + timedelta(days=round(slip))
        budget = round(months * rng.uniform(25, 60)) * 1000.0
        overrun = rng.gauss(lerp(0.16, 0.04, demo.progress(planned_end, BUSINESS)), 0.06)
        status = "active"
        if actual_end is not None and actual_end < demo.today:
            status = "done"
            cost: float | None = round(budget * (1 + overrun), -2)
        else:
            actual_end = None
            elapsed = max(0, (demo.today - started).days) / max(1, (planned_end - started).days)
            cost = round(budget * min(elapsed, 1.1) * (1 + overrun / 2), -2) if elapsed else None
            if started > demo.today:
                status = "approved"
        if name == "Route planning tool":
            status = "on_hold"
        if name == "Yard management":
            status = "proposed"
        if name == "Mobile sales app for field reps":
            status, actual_end = "cancelled", None  # the field sales reorganisation ended it
        projects.append(
            Project(pid, name, unit, cat, team, obj, sponsor, waterfall, proposed, engaged,
                     approved, started, planned_end, actual_end, budget, cost, status)
        )  # fmt: skip
    return projects


def write_projects(demo: Demo) -> None:
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
    for p in demo.projects:
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
    wb.properties.created = demo.export_stamp
    buf = io.BytesIO()
    wb.save(buf)
    path = demo.files.out / "portfolio_projects.xlsx"
    path.write_bytes(stable_zip(buf.getvalue(), demo.export_stamp))
    demo.files.add(
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
