"""The catalogue: the CMDB's services, BambooHR's people, the BRM stakeholder list, the OKRs."""

from __future__ import annotations

from trustmeter.demo.context import Demo
from trustmeter.demo.organisation import OBJECTIVES, RELATIONSHIP_OWNER, SERVICES


def write_services(demo: Demo) -> None:
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
    path = demo.files.write_csv("cmdb_services.csv", header, rows)
    demo.files.add_preset("services", path, "servicenow-services")


def write_people(demo: Demo) -> None:
    rng = demo.rng("people")
    sites = ("Hamburg", "Hamburg", "Hamburg", "Kassel", "Remote")
    rows = []
    for p in demo.people:
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
    path = demo.files.write_csv("bamboohr_employees.csv", header, rows)
    demo.files.add_preset("people", path, "bamboohr-people")


def write_stakeholders(demo: Demo) -> None:
    rows = [
        (email, name, title, unit, "Yes" if key else "No", RELATIONSHIP_OWNER[unit])
        for email, name, title, unit, key in demo.stakeholders
    ]
    header = (
        "Email",
        "Full name",
        "Title",
        "Department",
        "Key stakeholder",
        "Relationship owner",
    )
    path = demo.files.write_csv("brm_stakeholders.csv", header, rows)
    demo.files.add(
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


def write_objectives(demo: Demo) -> None:
    path = demo.files.write_csv(
        "okr_objectives.csv", ("Objective ID", "Objective", "Business unit"), OBJECTIVES
    )
    demo.files.add(
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
