"""Survey responses: the stakeholder and team surveys, as Google Forms exports them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from trustmeter.demo.context import BUSINESS, TEAM, Demo, lerp, local
from trustmeter.demo.organisation import SERVICES, TZ


def campaign_months(demo: Demo, offset: int) -> list[int]:
    """Every quarter's campaign, `offset` months into the quarter, as months from the story's
    start (negative: before it)."""
    before = (demo.start.year - demo.first.year) * 12 + demo.start.month - demo.first.month
    after = (demo.today.year - demo.start.year) * 12 + demo.today.month - demo.start.month
    return list(range(offset - before, after, 3))


def write_stakeholder_surveys(demo: Demo) -> None:
    rng = demo.rng("stakeholder-survey")
    # mean overall satisfaction (1–10) per unit, from the worst of times to the best: it follows
    # the business curve (what the business has seen of IT); Operations stays low throughout
    mood = {
        "Sales": (5.9, 9.0),
        "Finance": (4.6, 7.5),
        "HR": (5.8, 7.5),
        "Marketing": (5.6, 7.6),
        "Operations": (4.3, 4.3),
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
    files: list[Path] = []
    names: dict[str, str] = {}
    for c, month in enumerate(campaign_months(demo, 1)):  # November, February, May, August
        opens = demo.month(month)
        p = demo.progress(opens, BUSINESS)
        rows = []
        for email, _name, _title, unit, key in demo.stakeholders:
            forced_small = unit == "Marketing" and c == 0 and not key
            if forced_small and email.startswith(("hanna", "omar", "mia")):
                continue  # Marketing's first campaign falls under the anonymity threshold
            if rng.random() > (0.97 if key else 0.85):
                continue
            trust = (lerp(*mood[unit], p) - 1) / 9 + rng.gauss(0, 0.07)
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
            answers["involve_early"] = "Yes" if trust > 0.62 else ("Maybe" if trust > 0.4 else "No")
            for sid, *_ in SERVICES:
                imp = importance[unit].get(sid)
                if imp is None and rng.random() < 0.5:
                    continue  # grids left blank for services the unit barely uses
                imp = imp if imp is not None else rng.randint(3, 6)
                answers[f"importance:{sid}"] = max(1, min(10, imp + rng.choice((-1, 0, 0, 1))))
                sat = 1 + 9 * trust - weak.get(sid, 0) * lerp(1.0, 0.6, p) + rng.gauss(0, 0.9)
                answers[f"satisfaction:{sid}"] = max(1, min(10, round(sat)))
            answers["comment"] = rng.choice(comments[unit])
            at = local(opens + timedelta(days=rng.randint(0, 13)), rng.uniform(8, 19))
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
        path = demo.files.write_csv(f"google_forms_{campaign}.csv", header, body)
        files.append(path)
        names[path.stem] = campaign
    _import_forms(demo, files, names, "google_forms_stakeholder")


def write_team_surveys(demo: Demo) -> None:
    rng = demo.rng("team-survey")
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
    files: list[Path] = []
    names: dict[str, str] = {}
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
    for month in campaign_months(demo, 2):  # a month after each stakeholder survey
        opens = demo.month(month)
        p = demo.progress(opens, TEAM)
        rows = []
        for person in demo.people:
            if person.team not in team_mood or not person.active(opens):
                continue
            if rng.random() > (0.55 if person.team == "Security" else 0.85):
                continue  # Security often stays under the anonymity threshold
            culture = lerp(0.45, 0.7, p) + team_mood[person.team] + rng.gauss(0, 0.08)
            answers: dict[str, Any] = {
                f"westrum_{i + 1}": max(1, min(7, round(1 + 6 * culture + rng.gauss(0, 0.8))))
                for i in range(7)
            }
            answers["enps"] = max(0, min(10, round(10 * culture + rng.gauss(1.6, 1.3))))
            answers["burnout"] = max(1, min(5, round(5 - 4 * culture + rng.gauss(0, 0.7))))
            answers["comment"] = rng.choice(notes)
            at = local(opens + timedelta(days=rng.randint(0, 9)), rng.uniform(8, 18))
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
        path = demo.files.write_csv(f"google_forms_{campaign}.csv", header, body)
        files.append(path)
        names[path.stem] = campaign
    _import_forms(demo, files, names, "google_forms_team")


def _import_forms(demo: Demo, files: list[Path], names: dict[str, str], name: str) -> None:
    """One import for every campaign's file (one form a quarter, each exported on its own).
    The campaign is the file's name unless mapped: name each as the report shows it."""
    demo.files.add_preset(
        "survey-responses",
        files,
        "google-forms-survey-responses",
        {"values": {"campaign": names}},
        name=name,
    )
