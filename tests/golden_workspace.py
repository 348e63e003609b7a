"""A small workspace with a record of every kind, so that every metric builds all its queries.

The golden-SQL test (tests/test_golden_sql.py) compiles what the metrics run against it. The
figures do not matter here; what matters is that each metric reaches its grouped queries
(a survey metric needs a closed campaign, key-person coverage a tier-1 service, ...), and that
the data never changes: the SQL of a metric may depend on it (one source or two, which
campaign). Change it only with the golden files (TRUSTMETER_UPDATE_GOLDEN=1), and say why.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from survey_responses import write_responses
from trustmeter.store import Store
from trustmeter.store.writer import insert_records


def ts(s: str) -> datetime:
    return datetime.fromisoformat(s)


def d(s: str) -> date:
    return date.fromisoformat(s)


RECORDS: dict[str, list[dict[str, Any]]] = {
    "services": [
        {"id": "ERP", "name": "ERP", "tier": 1, "owner_team": "Apps", "slo_availability": 99.9},
        {"id": "CRM", "name": "CRM", "tier": 2, "owner_team": "Apps", "business_unit": "Sales"},
    ],
    "incidents": [
        {
            "id": "I1",
            "opened_at": ts("2024-02-01T10:00:00"),
            "acknowledged_at": ts("2024-02-01T10:05:00"),
            "resolved_at": ts("2024-02-01T12:00:00"),
            "severity": "P1",
            "service": "ERP",
            "problem": "disk",
            "resolver": "p1",
            "caused_by_change": "C2",
        },
        {
            "id": "I2",
            "opened_at": ts("2024-02-20T08:00:00"),
            "resolved_at": ts("2024-02-20T09:00:00"),
            "severity": "P2",
            "service": "ERP",
            "problem": "disk",
            "resolver": "p2",
        },
        {"id": "I3", "opened_at": ts("2024-03-05T08:00:00"), "severity": "P3", "service": "CRM"},
    ],
    "changes": [
        {
            "id": "C1",
            "deployed_at": ts("2024-01-10T09:00:00"),
            "created_at": ts("2024-01-09T09:00:00"),
            "first_commit_at": ts("2024-01-08T09:00:00"),
            "service": "ERP",
            "kind": "deployment",
            "environment": "production",
            "outcome": "success",
        },
        {
            "id": "C2",
            "deployed_at": ts("2024-02-01T09:00:00"),
            "service": "ERP",
            "kind": "normal",
            "environment": "production",
            "outcome": "failed",
        },
    ],
    "work-items": [
        {
            "id": "W1",
            "created_at": ts("2024-01-02T09:00:00"),
            "done_at": ts("2024-01-20T09:00:00"),
            "kind": "request",
            "planned": True,
            "category": "run",
            "team": "Apps",
            "effort_hours": 4.0,
        },
        {
            "id": "W2",
            "created_at": ts("2023-09-01T09:00:00"),
            "kind": "request",
            "team": "Apps",
        },
        {
            "id": "W3",
            "created_at": ts("2024-02-02T09:00:00"),
            "done_at": ts("2024-02-03T09:00:00"),
            "kind": "incident",
            "planned": False,
            "category": "run",
            "team": "Ops",
            "effort_hours": 2.0,
        },
    ],
    "commitments": [
        {
            "id": "S1",
            "kind": "sprint",
            "committed_on": d("2024-01-01"),
            "due_on": d("2024-01-14"),
            "delivered_on": d("2024-01-14"),
            "team": "Apps",
            "scope_committed": 10,
            "scope_delivered": 8,
        },
        {
            "id": "M1",
            "kind": "milestone",
            "committed_on": d("2023-12-01"),
            "due_on": d("2024-02-01"),
            "delivered_on": d("2024-02-10"),
            "team": "Ops",
        },
    ],
    "objectives": [{"id": "O1", "name": "Grow online sales", "business_unit": "Sales"}],
    "projects": [
        {
            "id": "P1",
            "name": "Web shop",
            "sponsor": "Ann",
            "business_unit": "Sales",
            "objective": "O1",
            "category": "grow",
            "team": "Apps",
            "proposed_on": d("2023-11-01"),
            "it_engaged_on": d("2023-11-15"),
            "approved_on": d("2024-01-15"),
            "started_on": d("2024-02-01"),
            "planned_end": d("2024-09-30"),
            "budget_planned": 100.0,
            "budget_actual": 40.0,
            "status": "active",
        }
    ],
    "stakeholders": [
        {"id": "S-ann", "name": "Ann", "business_unit": "Sales", "key": True},
        {"id": "S-bob", "name": "Bob", "business_unit": "Finance", "key": True},
    ],
    "engagements": [
        {
            "id": "E1",
            "date": ts("2024-02-12T10:00:00"),
            "stakeholder": "S-ann",
            "business_unit": "Sales",
            "kind": "review",
            "initiated_by": "it",
        },
        {
            "id": "E2",
            "date": ts("2024-03-01T10:00:00"),
            "stakeholder": "S-bob",
            "business_unit": "Finance",
            "kind": "escalation",
            "initiated_by": "business",
        },
    ],
    "people": [
        {"id": "p1", "team": "Apps", "started_on": d("2020-01-01"), "on_call": True},
        {"id": "p2", "team": "Ops", "started_on": d("2021-06-01"), "on_call": True},
        {
            "id": "p3",
            "team": "Apps",
            "started_on": d("2019-01-01"),
            "left_on": d("2024-02-29"),
            "leave_kind": "voluntary",
            "regretted": True,
        },
    ],
    "skills": [{"person": "p1", "skill_or_service": "ERP", "level": 4}],
    "learning": [{"person": "p1", "date": d("2024-02-05"), "hours": 8.0}],
    "budget": [
        {"period": d("2024-01-01"), "category": "run", "planned": 100.0, "actual": 90.0},
        {"period": d("2024-02-01"), "category": "grow", "planned": 50.0, "actual": 60.0},
    ],
}

STAKEHOLDER_ANSWERS: dict[str, Any] = {
    "credibility_1": 6,
    "credibility_2": 5,
    "reliability_1": 5,
    "reliability_2": 4,
    "intimacy_1": 4,
    "intimacy_2": 5,
    "self_orientation_1": 3,
    "self_orientation_2": 2,
    "overall_satisfaction": 8,
    "nps": 9,
    "importance:ERP": 9,
    "satisfaction:ERP": 6,
    "ladder": "trusted_advisor",
}
TEAM_ANSWERS: dict[str, Any] = {f"westrum_{i}": 5 for i in range(1, 8)} | {"enps": 8}


def fill(store: Store) -> None:
    """Write the workspace: every record kind, a stakeholder and a team survey in 2024-Q1."""
    for kind, rows in RECORDS.items():
        insert_records(store, kind, rows, source="golden")
    groups = ("Sales", "Finance", "Ops")
    write_responses(
        store,
        "2024-Q1",
        [(f"s{g}{i}", g, STAKEHOLDER_ANSWERS) for g in groups for i in range(5)],
        submitted="2024-03-10T09:00:00",
        survey="stakeholder",
        source="golden",
    )
    write_responses(
        store,
        "team-2024-Q1",
        [(f"t{g}{i}", g, TEAM_ANSWERS) for g in ("Apps", "Ops") for i in range(5)],
        submitted="2024-02-15T09:00:00",
        survey="team",
        source="golden",
    )
