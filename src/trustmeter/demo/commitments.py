"""Commitments: sprints, webshop releases, waterfall milestones, promised dates and IT's OKRs."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from trustmeter.demo.context import Demo, add_months, each_day, lerp, poisson
from trustmeter.demo.organisation import BUSINESS_UNITS


def write_commitments(demo: Demo) -> None:
    rng = demo.rng("commitments")
    rows: list[tuple[Any, ...]] = []

    def late(due: date, on_time: float, scale: float) -> date | None:
        delivered = due
        if rng.random() >= on_time:
            delivered = due + timedelta(
                days=max(1, round(rng.lognormvariate(math.log(scale), 0.7)))
            )
        return delivered if delivered < demo.today else None

    # Applications works in two-week sprints (scrum)
    d = demo.first + timedelta(days=(7 - demo.first.weekday()) % 7)
    n = 1
    while d + timedelta(days=11) < demo.today + timedelta(days=14):
        due = d + timedelta(days=11)
        p = demo.progress(due)
        points = rng.randint(34, 48)
        ratio = min(1.0, max(0.3, rng.gauss(lerp(0.64, 0.9, p), 0.08)))
        finished = due < demo.today
        rows.append(
            (f"APP-SPR-{n}", f"Applications sprint {n}", "Sprint", "Applications", "", d, due,
             due if finished else None, points, round(points * ratio) if finished else None)
        )  # fmt: skip
        d += timedelta(days=14)
        n += 1
    # Webshop releases, planned six weeks ahead
    d = demo.first + timedelta(days=20)
    n = 1
    while d < demo.today + timedelta(days=30):
        p = demo.progress(d)
        rows.append(
            (f"ECOM-REL-{n}", f"Webshop release 3.{n}", "Release", "Applications", "", d - timedelta(days=42),
             d, late(d, lerp(0.35, 0.85, p), lerp(9, 3, p)), None, None)
        )  # fmt: skip
        d += timedelta(days=rng.choice((28, 28, 35)))
        n += 1
    # Milestones of the waterfall projects, against the baseline set at approval
    for proj in demo.projects:
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
            p = demo.progress(due)
            rows.append(
                (f"{proj.id}-M{k + 1}", f"{proj.name}: {what}", "Milestone", proj.team, proj.id,
                 proj.approved, due, late(due, lerp(0.25, 0.75, p), lerp(30, 8, p)), None, None)
            )  # fmt: skip
    # Dates the Service Desk promised to the business
    n = 1
    for d in each_day(demo.first, demo.today):
        if d.weekday() >= 5:
            continue
        for _ in range(poisson(rng, 8 * 12 / 260)):
            p = demo.progress(d)
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
                 late(due, lerp(0.45, 0.9, p), lerp(6, 3, p)), None, None)
            )  # fmt: skip
            n += 1
    # IT's quarterly objectives
    goals = (
        ("Infrastructure", "Patch every server within 30 days"),
        ("Security", "MFA for every admin account"),
        ("Data", "Nightly load finished by 06:00 on 95 % of days"),
        ("Applications", "Automated tests on every webshop release"),
    )
    for q in range((demo.today - demo.first).days // 91 + 1):
        begin = add_months(demo.first, 3 * q)
        due = add_months(demo.first, 3 * q + 3) - timedelta(days=1)
        p = demo.progress(due)
        for k, (team, goal) in enumerate(goals):
            if (q + k) % 2:
                continue
            rows.append(
                (f"OKR-{q + 1}-{k + 1}", goal, "Quarterly objective", team, "", begin, due,
                 late(due, lerp(0.3, 0.75, p), 20), None, None)
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
    path = demo.files.write_csv(
        "delivery_commitments.csv", header, ([cell(v) for v in r] for r in rows)
    )
    demo.files.add(
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
