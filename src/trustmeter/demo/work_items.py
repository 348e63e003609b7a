"""Work items: the Jira export of the five delivery teams, requests, stories, bugs and break-fix."""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta

from trustmeter.demo.context import (
    Demo,
    Project,
    each_day,
    event_time,
    fmt_local,
    lerp,
    local,
    poisson,
    weighted,
)
from trustmeter.demo.organisation import NEGLECTED, TZ


def active_project(demo: Demo, rng: random.Random, team: str, d: date) -> Project | None:
    live = [
        p
        for p in demo.projects
        if p.team == team
        and p.started is not None
        and p.started <= d
        and (p.actual_end or p.planned_end or d) >= d
        and p.status not in ("on_hold", "proposed")
    ]
    return rng.choice(live) if live else None


def write_work_items(demo: Demo) -> None:
    rng = demo.rng("work-items")
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
    history_from = demo.first - timedelta(days=90)
    cleanup = local(demo.month(15) + timedelta(days=12), 16)
    for team in ("Service Desk", "Applications", "Infrastructure", "Data", "Security"):
        key, per_month, mix = streams[team]
        items = []
        for d in each_day(history_from, demo.today):
            if d.weekday() >= 5:
                continue
            p = demo.progress(d)
            for _ in range(poisson(rng, per_month * 12 / 260)):
                kind = weighted(rng, [(k, lerp(a, b, p)) for k, a, b in mix])
                items.append((event_time(rng, d, 0.05), kind))
        items.sort(key=lambda x: x[0])
        for n, (created, kind) in enumerate(items):
            p = demo.progress(created)
            project = (
                active_project(demo, rng, team, created.date())
                if kind in ("story", "epic")
                else None
            )
            if kind in ("story", "epic") and project is None and team != "Service Desk":
                kind = "task"
            unit = ""
            if kind.startswith("request") or kind == "story":
                unit = project.unit if project and project.unit else weighted(rng, unit_weights)
            base = float(lead_days.get(kind, 0))
            if kind.startswith("request"):
                base = lerp(9, 2.5, p) * unit_speed[unit] * (0.3 if kind == "request!" else 1)
            elif kind in ("story", "bug", "task"):
                base *= lerp(1.8, 0.7, p)
            days = rng.lognormvariate(
                math.log(max(base, 0.1)), 1.0 if kind.startswith("request") else 0.7
            )
            if kind == "request" and rng.random() < 0.08:
                days *= 1 + rng.uniform(2, 5)  # waiting for a vendor
            done: datetime | None = created + timedelta(days=days)
            neglected = unit == NEGLECTED and created.date() >= demo.start - timedelta(days=90)
            if neglected and kind == "request" and rng.random() < lerp(0.08, 0.01, p):
                # forgotten: closed in the backlog clean-up, if it happened after, or never
                done = cleanup if created < cleanup and rng.random() < 0.9 else None
            if done is not None and done >= demo.end:
                done = None
            begun = created + timedelta(days=days * rng.uniform(0.05, 0.4))
            started = begun if begun < demo.end else None
            if done is not None:  # people close tickets in office hours, on weekdays
                day = done.astimezone(TZ).date()
                day += timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)
                done = max(local(day, rng.uniform(8, 18)), created + timedelta(minutes=20))
                done = done if done < demo.end else None
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
                kind in ("bug", "incident", "request!") or (kind == "change" and rng.random() < 0.2)
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
                    fmt_local(created, jira),
                    fmt_local(done or started or created, jira),
                    fmt_local(done, jira),
                    fmt_local(local(due, 0), jira) if due else "",
                    labels,
                    team,
                    unit,
                    {
                        "run": "Run the business",
                        "grow": "Grow the business",
                        "transform": "Transform the business",
                    }[category],
                    "Planned" if planned else "Unplanned",
                    fmt_local(started, jira),
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
    path = demo.files.write_csv("jira_issues.csv", header, rows)
    demo.files.add_preset("work-items", path, "jira-work-items")
