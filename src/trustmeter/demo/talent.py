"""Talent: the skills matrix (SFIA levels) and the learning platform's completions."""

from __future__ import annotations

from datetime import date

from trustmeter.demo.context import TEAM, Demo, each_day, lerp
from trustmeter.demo.organisation import SERVICE_SKILLS, TEAM_SKILLS


def write_skills(demo: Demo) -> None:
    rng = demo.rng("skills")
    current = [p for p in demo.people if p.left is None]
    rows: list[tuple[str, str, int]] = []
    for p in current:
        for svc, holders in SERVICE_SKILLS.items():
            rows.extend((p.id, svc, level) for pid, level in holders if pid == p.id)
        for skill in rng.sample(TEAM_SKILLS[p.team], k=min(2, len(TEAM_SKILLS[p.team]))):
            rows.append((p.id, skill, rng.randint(2, 5)))
    path = demo.files.write_csv("skills_matrix.csv", ("Employee", "Skill", "SFIA level"), rows)
    demo.files.add(
        "skills",
        path,
        "skills-matrix",
        {"columns": {"person": "Employee", "skill_or_service": "Skill", "level": "SFIA level"}},
    )


def write_learning(demo: Demo) -> None:
    rng = demo.rng("learning")
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
    for p in demo.people:
        seen: set[tuple[date, str]] = set()
        for d in each_day(max(p.hired, demo.first), min(p.left or demo.today, demo.today)):
            # about 15 h a person in the first year, about 35 h in the second
            if rng.random() < lerp(15, 35, demo.progress(d, TEAM)) / 7.7 / 365:
                title, hours = rng.choice(courses)
                if (d, title) not in seen:
                    seen.add((d, title))
                    rows.append((p.id, title, d.strftime("%d.%m.%Y"), f"{hours:g}"))
    rows.sort(key=lambda r: (r[2][6:] + r[2][3:5] + r[2][:2], r[0], r[1]))
    header = ("User ID", "Training title", "Completion date", "Training hours")
    path = demo.files.write_csv("lms_learning.csv", header, rows)
    demo.files.add(
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
