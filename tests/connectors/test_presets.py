"""Every preset on a small export in the vendor's own shape."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from connector_helpers import FIXTURES

from trustmeter import records
from trustmeter.connectors import get_preset, ical, import_preset, list_presets, load_preset
from trustmeter.errors import ConfigError, InputError
from trustmeter.ingest import ImportOptions
from trustmeter.store import Store

FILES = FIXTURES / "files"
UTC = ImportOptions(timezone="UTC")


def d(*a: int) -> dt.datetime:
    return dt.datetime(*a)


def rows(store: Store, table: str, cols: str) -> list[tuple[Any, ...]]:
    return store.fetch(f"SELECT {cols} FROM \"{table}\" WHERE source <> 'auto' ORDER BY id")


def xlsx(path: Path, header: list[str], *body: list[Any]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(header)
    for r in body:
        ws.append(r)
    wb.save(path)
    return path


def test_every_preset_loads_and_fits_its_kind() -> None:
    presets = list_presets()
    assert len(presets) >= 20
    for p in presets:
        m = load_preset(p.name, p.kind)
        m.check(records.kind(p.kind))
        assert p.title and p.docs, p.name


def test_every_preset_is_documented() -> None:
    doc = (Path(__file__).parents[2] / "docs" / "connectors.md").read_text("utf-8")
    missing = [p.name for p in list_presets() if f"`{p.name}`" not in doc]
    assert missing == [], "add these presets to docs/connectors.md"


def test_format_names_resolve_by_tool_and_kind() -> None:
    assert get_preset("servicenow", "incidents").name == "servicenow-incidents"
    assert get_preset("git", "changes").name == "git-changes"
    with pytest.raises(ConfigError, match="servicenow has 2 presets for work-items"):
        get_preset("servicenow", "work-items")
    with pytest.raises(ConfigError, match="reads incidents, not changes"):
        get_preset("pagerduty-incidents", "changes")
    with pytest.raises(ConfigError, match="unknown format 'remedy'"):
        get_preset("remedy", "incidents")


def test_jira_csv_with_repeated_columns(store: Store) -> None:
    r = import_preset(store, "work-items", [FILES / "jira-issues.csv"], "jira", UTC)
    assert r.rows_read == 4
    got = rows(store, "work_item", "id, kind, created_at, done_at, due_on, team, effort_hours")
    assert got[0] == (
        "OPS-1",
        "story",
        d(2026, 4, 1, 9),
        d(2026, 4, 8, 17),
        dt.date(2026, 4, 10),
        "Platform",
        4.0,
    )
    assert got[3][:2] == ("SD-14", "request")
    assert "Labels (2)" in r.ignored_columns[str(FILES / "jira-issues.csv")]


def test_jsm_incidents_keep_only_incidents(store: Store) -> None:
    r = import_preset(store, "incidents", [FILES / "jsm-incidents.csv"], "jsm", UTC)
    assert (r.rows_read, r.skipped) == (2, 1)
    assert rows(store, "incident", "id, severity, service, resolver") == [
        ("ITSM-101", "P1", "Email", "Beth Anglin"),
        ("ITSM-103", "P3", "Network", "David Loo"),
    ]


def test_servicenow_change_requests(store: Store) -> None:
    r = import_preset(
        store, "changes", [FILES / "servicenow-change_request.csv"], "servicenow", UTC
    )
    assert (r.rows_read, r.skipped) == (2, 2)  # scheduled and cancelled changes are not deployed
    assert rows(store, "change", "id, kind, deployed_at, outcome, environment, service") == [
        ("CHG0030001", "normal", d(2026, 4, 1, 21, 40), "success", "production", "ERP"),
        ("CHG0030002", "emergency", d(2026, 4, 9, 23, 10), "failed", "production", "Webshop"),
    ]


def test_servicenow_requests_and_problems(store: Store) -> None:
    r = import_preset(
        store, "work-items", [FILES / "servicenow-sc_req_item.csv"], "servicenow-requests", UTC
    )
    assert (r.rows_read, r.skipped) == (2, 1)
    import_preset(
        store, "work-items", [FILES / "servicenow-problem.csv"], "servicenow-problems", UTC
    )
    assert rows(
        store, "work_item", "id, kind, planned, category, team, requester_unit, done_at"
    ) == [
        ("PRB0040001", "bug", False, "run", "Applications", None, d(2026, 4, 20, 10)),
        ("PRB0040002", "bug", False, "run", "Web", None, None),
        ("RITM0010001", "request", None, "run", "Service Desk", "Finance", d(2026, 4, 3, 15)),
        ("RITM0010003", "request", None, "run", "Service Desk", "HR", None),
    ]


def test_servicenow_excel_export_with_labels(store: Store, tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "incident.xlsx",
        [
            "Number",
            "Opened",
            "Short description",
            "Priority",
            "State",
            "Configuration item",
            "Resolved",
            "Resolved by",
        ],
        [
            "INC0010001",
            dt.datetime(2026, 4, 2, 10, 14),
            "SAP logon fails",
            "1 - Critical",
            "Closed",
            "ERP",
            dt.datetime(2026, 4, 2, 11, 2),
            "Beth Anglin",
        ],
    )
    r = import_preset(
        store, "incidents", [path], "servicenow", ImportOptions(timezone="Europe/Berlin")
    )
    assert r.zoneless == 2
    assert rows(store, "incident", "id, opened_at, severity, service, resolved_at, resolver") == [
        ("INC0010001", d(2026, 4, 2, 8, 14), "P1", "ERP", d(2026, 4, 2, 9, 2), "Beth Anglin")
    ]


def test_opsgenie_alerts_and_incidents(store: Store) -> None:
    import_preset(store, "incidents", [FILES / "opsgenie-alerts.json"], "opsgenie-alerts", UTC)
    import_preset(
        store, "incidents", [FILES / "opsgenie-incidents.json"], "opsgenie-incidents", UTC
    )
    got = rows(
        store,
        "incident",
        "id, severity, acknowledged_at, resolved_at, impact_start, service, resolver",
    )
    assert got == [
        ("3ac8d193-1a8e-4b4e-9b0d-5a21c2b9f2b1", "P3", None, None, None, "Datadog", None),
        (
            "70413a06-38d6-4c85-92b8-5ebc900d42e2",
            "P1",
            d(2026, 4, 2, 8, 14, 15),
            d(2026, 4, 2, 9, 2),
            None,
            "Webshop",
            "neo@opsgenie.com",
        ),
        (
            "9ae63dd7-ed00-4c81-86f0-c4ffd33142c9",
            "P2",
            None,
            d(2026, 4, 10, 0, 10),
            d(2026, 4, 9, 21, 40),
            "Webshop",
            None,
        ),
    ]


def test_azure_devops_csv_and_api_json_agree(store: Store) -> None:
    import_preset(
        store,
        "work-items",
        [FILES / "azure-devops.csv"],
        "azure-devops",
        ImportOptions(timezone="Europe/Berlin"),
    )
    by_csv = rows(
        store, "work_item", "id, kind, created_at, started_at, done_at, team, effort_hours"
    )
    assert by_csv[0] == (
        "1201",
        "story",
        d(2026, 4, 1, 7),
        d(2026, 4, 2, 8),
        d(2026, 4, 8, 15),
        "Web",
        12.0,
    )
    assert [r[1] for r in by_csv] == ["story", "bug", "story"]
    store.execute("DELETE FROM work_item")
    import_preset(store, "work-items", [FILES / "azure-devops.json"], "azure-devops")
    by_json = rows(
        store, "work_item", "id, kind, created_at, started_at, done_at, team, effort_hours"
    )
    assert by_json[0] == by_csv[0]


def test_github_and_gitlab_files(store: Store) -> None:
    r = import_preset(store, "work-items", [FIXTURES / "github/pulls.json"], "github-pull-requests")
    assert r.skipped == 1  # closed without merging
    r = import_preset(
        store, "changes", [FIXTURES / "gitlab/deployments.json"], "gitlab-deployments"
    )
    assert (r.rows_read, r.skipped) == (3, 1)
    import_preset(store, "work-items", [FIXTURES / "gitlab/merge_requests.json"], "gitlab")
    assert [x[0] for x in rows(store, "work_item", "id")] == [
        "acme/shop!7",
        "acme/webshop#10",
        "acme/webshop#12",
    ]


def test_hr_people(store: Store, tmp_path: Path) -> None:
    import_preset(store, "people", [FILES / "bamboohr.csv"], "bamboohr", UTC)
    path = xlsx(
        tmp_path / "workers.xlsx",
        [
            "Employee ID",
            "Worker",
            "Supervisory Organization",
            "Business Title",
            "Hire Date",
            "Termination Date",
            "Primary Termination Category",
            "Regrettable Termination",
        ],
        [
            "W-77",
            "X",
            "Data",
            "Analyst",
            dt.datetime(2023, 2, 1),
            dt.datetime(2026, 3, 31),
            "Terminate Employee > Voluntary",
            "Yes",
        ],
    )
    import_preset(store, "people", [path], "workday", UTC)
    assert rows(store, "person", "id, team, left_on, leave_kind, regretted") == [
        ("E1001", "Platform", None, None, None),
        ("E1002", "Web", dt.date(2026, 4, 30), "voluntary", True),
        ("E1003", "Service Desk", dt.date(2026, 5, 31), "involuntary", False),
        ("W-77", "Data", dt.date(2026, 3, 31), "voluntary", True),
    ]


def test_microsoft_forms_team_survey(store: Store, tmp_path: Path) -> None:
    header = ["ID", "Start time", "Completion time", "Email", "Name", "Which team are you in?"]
    header += [
        f"On my team... [{s}]"
        for s in ("Information is actively sought.", "Failure causes inquiry.")
    ]
    header += [
        "How likely are you to recommend working in this IT team to a friend?",
        "How often do you feel burned out?",
    ]
    body = [
        [
            n,
            dt.datetime(2026, 6, 1, 9),
            dt.datetime(2026, 6, 1, 9, 5),
            "anonymous",
            "",
            "Web",
            5,
            6,
            9,
            2,
        ]
        for n in (1, 2, 3)
    ]
    path = xlsx(tmp_path / "team-pulse-2026-06.xlsx", header, *body)
    r = import_preset(store, "survey-responses", [path], "microsoft-forms", UTC)
    assert (r.rows_read, r.answers) == (3, 12)
    assert rows(store, "survey_response", 'id, campaign, kind, "group", stakeholder')[0] == (
        "1",
        "team-pulse-2026-06",
        "team",
        "Web",
        None,
    )
    items = {x[0] for x in store.fetch("SELECT DISTINCT item FROM survey_answer")}
    assert items == {"westrum_1", "westrum_5", "enps", "burnout"}


def test_google_forms_stakeholder_survey_matches_reworded_questions(
    store: Store, tmp_path: Path
) -> None:
    header = [
        "Timestamp",
        "Email Address",
        "Which business unit do you work in?",
        "IT's estimates and advice are well founded. (1 = strongly disagree, 7 = strongly agree)",
        "IT does what it says it will do.",
        "Overall, how satisfied are you with IT? (1-10)",
        "How likely are you to recommend working with IT to a colleague?",
        "How important is each IT service to your unit? [ERP]",
        "Favourite colour",
    ]
    path = tmp_path / "stakeholders-2026-05.csv"
    path.write_text(
        ",".join(f'"{h}"' for h in header)
        + "\n05/04/2026 10:00:00,a@acme.example,Finance,6,5,8,9,10,blue\n"
    )
    r = import_preset(store, "survey-responses", [path], "google-forms", UTC)
    assert r.ignored_columns[str(path)] == ["Favourite colour"]
    items = {x[0] for x in store.fetch("SELECT item FROM survey_answer")}
    assert items == {
        "credibility_2",
        "reliability_1",
        "overall_satisfaction",
        "nps",
        "importance:ERP",
    }


def test_ical_meetings(store: Store) -> None:
    path = FILES / "meetings.ics"
    got = list(ical.rows(path, now=dt.datetime(2026, 7, 1, tzinfo=dt.UTC)))
    steering = [r for _, r in got if r["kind"] == "Steering committee"]
    # first Tuesdays of April, June (May excluded) to July 1st; the room is not a person
    assert [r["start"] for r in steering] == ["2026-04-07T07:00:00Z", "2026-06-02T07:00:00Z"]
    assert {r["attendee"] for r in steering} == {"katrin.vogel@acme.example"}
    assert all(r["initiated_by"] == "it" for r in steering)
    escalation = [r for _, r in got if r["kind"] == "escalation"]
    assert [(r["attendee"], r["initiated_by"]) for r in escalation] == [
        ("petra.busch@acme.example", "business")
    ]
    assert len(got) == 3  # the cancelled meeting is not an engagement
    r = import_preset(store, "engagements", [path], "ical", UTC)
    assert r.rows_read >= 3
    e = rows(store, "engagement", "kind, initiated_by, stakeholder")
    assert ("escalation", "business", "petra.busch@acme.example") in e
    assert ("steering", "it", "katrin.vogel@acme.example") in e


def test_servicenow_business_services(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "cmdb_ci_service.csv"
    path.write_text(
        "name,busines_criticality,support_group,operational_status,sys_class_name\n"
        "ERP,1 - most critical,Applications,Operational,Business Service\n"
        "Intranet,4 - not critical,Web,Operational,Business Service\n"
        "Old CRM,2 - somewhat critical,Applications,Retired,Business Service\n"
    )
    r = import_preset(store, "services", [path], "servicenow", UTC)
    assert (r.rows_read, r.skipped) == (2, 1)
    assert rows(store, "service", "id, name, tier, owner_team") == [
        ("ERP", "ERP", 1, "Applications"),
        ("Intranet", "Intranet", 3, "Web"),
    ]


@pytest.mark.parametrize("sample", ["default-query-export.csv", "neubank-board-export.csv"])
def test_azure_devops_default_export_names_the_date_columns_to_add(
    store: Store, sample: str
) -> None:
    """The real default "Export to CSV" (../shared/data/vendor/azure-devops-csv-msdocs) has
    no date column at all: the error says which columns to add to the query."""
    from connector_helpers import VENDOR

    path = VENDOR / "azure-devops-csv-msdocs" / sample
    with pytest.raises(InputError) as e:
        import_preset(store, "work-items", [path], "azure-devops", UTC)
    msg = str(e.value)
    assert f"{sample}, line 1: the export has no date columns" in msg
    assert "Created Date, Activated Date, Closed Date, Resolved Date" in msg
    assert "Column options" in msg
    assert store.scalar("SELECT count(*) FROM work_item") == 0
