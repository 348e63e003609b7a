"""The demo organisation: Northwind's IT department, as the export files its tools would produce.

`generate` writes five years of seeded, realistic exports (a CMDB extract, ServiceNow incidents
and changes, GitHub deployments, a Jira export, a portfolio workbook, BambooHR, Outlook
calendars, Google Forms...), read the way a user would: a tool's own export through its
built-in preset (`trustmeter import KIND FILES --format PRESET`, with a small mapping file on
top where the preset cannot know something), and the rest with one mapping file each
(`--mapping MAPPING`).

The story (docs/demo.md tells it in full): three bumpy years, then stability is poor in the
fourth year and recovers in the fifth; relationships and planning follow operations' moves two
quarters later and the team's mood leads them by one, so the ordering analysis has an order to
find; the ERP depends on one person since his colleague left; Sales is well served while
Operations is neglected. The same seed gives byte-identical files: every random draw comes from
a `random.Random` seeded per section, and nothing reads the clock.

One module per record family (catalogue, projects, changes, incidents, work_items,
commitments, engagements, talent, budget, survey_responses), each a function of the shared
state in context.py; organisation.py holds the fixed facts and writer.py writes the files.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from trustmeter.demo.budget import write_budget
from trustmeter.demo.catalogue import (
    write_objectives,
    write_people,
    write_services,
    write_stakeholders,
)
from trustmeter.demo.changes import write_changes
from trustmeter.demo.commitments import write_commitments
from trustmeter.demo.context import Demo
from trustmeter.demo.engagements import write_engagements
from trustmeter.demo.incidents import write_incidents
from trustmeter.demo.projects import build_projects, write_projects
from trustmeter.demo.survey_responses import write_stakeholder_surveys, write_team_surveys
from trustmeter.demo.talent import write_learning, write_skills
from trustmeter.demo.work_items import write_work_items
from trustmeter.demo.writer import ImportSpec

__all__ = ["ImportSpec", "generate"]

# The catalogue is imported first, so that stubs are never needed.
CATALOGUE_FIRST = ("services", "people", "stakeholders", "objectives")


def generate(out_dir: Path, seed: int = 7, today: date = date(2026, 10, 1)) -> list[ImportSpec]:
    """Write the demo organisation's exports and their mappings into `out_dir`.

    The history covers the five years before `today`, the story's two years last. Returns one ImportSpec per file, in the
    order to import them: the catalogue (services, people, stakeholders, objectives) first.
    """
    demo = Demo(Path(out_dir), seed, today)
    demo.files.out.mkdir(parents=True, exist_ok=True)
    # Each family draws from its own generator: the order matters only for what one family
    # hands another (the projects, the production changes) and for the order of the specs.
    write_services(demo)
    write_people(demo)
    write_stakeholders(demo)
    write_objectives(demo)
    demo.projects = build_projects(demo)
    write_projects(demo)
    changes = write_changes(demo)
    write_incidents(demo, changes)
    write_work_items(demo)
    write_commitments(demo)
    write_engagements(demo)
    write_skills(demo)
    write_learning(demo)
    write_budget(demo)
    write_stakeholder_surveys(demo)
    write_team_surveys(demo)
    # The incidents need the changes' services, which the catalogue already holds.
    first = CATALOGUE_FIRST
    return sorted(
        demo.files.specs, key=lambda s: first.index(s.kind) if s.kind in first else len(first)
    )
