"""Uploads go through the importers: same errors, all or nothing, plain file names only."""

from __future__ import annotations

from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_helpers import csrf_of, upload

from trustmeter.web.uploads import UploadRefused, safe_name

INCIDENTS = (
    "id,opened_at,resolved_at,severity,service,title\n"
    "UP-1,{d} 10:00,{d} 12:00,P1,ERP,<img src=x onerror=alert(1)>\n"
    "UP-2,{d} 11:00,{d} 11:30,P2,CRM,Fine\n"
)


def count(app: Any, table: str, where: str = "") -> int:
    with app.state.web.db.connection() as store:
        return int(store.scalar(f"SELECT count(*) FROM {table} {where}"))


def test_upload_imports_and_titles_are_escaped(admin: TestClient, app: Any) -> None:
    period = app.state.web.scorecards.period(None)
    day = period.start.isoformat()
    r = upload(admin, "incidents", "export.csv", INCIDENTS.format(d=day).encode(),
               source="servicenow")  # fmt: skip
    assert r.status_code == 200
    assert "Imported 2 incidents rows from export.csv as source 'servicenow'" in unescape(r.text)
    assert count(app, "incident", "WHERE source = 'servicenow'") == 2
    page = admin.get("/metrics/major_incidents").text
    assert "UP-1" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    # Re-uploading the same source updates, never duplicates.
    r = upload(admin, "incidents", "export.csv", INCIDENTS.format(d=day).encode(),
               source="servicenow")  # fmt: skip
    assert "0 new, 0 updated, 2 unchanged" in r.text


def test_a_bad_row_rejects_the_whole_file(admin: TestClient, app: Any) -> None:
    body = b"id,opened_at,severity\nOK-1,2026-01-05 10:00,P1\nBAD-2,not a date,P2\n"
    r = upload(admin, "incidents", "broken.csv", body)
    assert r.status_code == 400
    assert "broken.csv, line 3" in r.text and "opened_at" in r.text
    assert "trustmeter-upload-" not in r.text  # no temporary path leaks into the message
    assert count(app, "incident", "WHERE id IN ('OK-1', 'BAD-2')") == 0
    dry = upload(admin, "services", "s.csv", b"id,name\nS1,One\n", dry_run="1")
    assert "Dry run: nothing was written" in dry.text
    assert count(app, "service", "WHERE id = 'S1'") == 0


@pytest.mark.parametrize(
    "name",
    ["../../etc/cron.d/x.csv", "..\\..\\x.csv", "/etc/passwd.csv", "a/b.csv", ".hidden.csv",
     "x.csv\x00.png", "report.exe", ""],
)  # fmt: skip
def test_file_names_with_a_path_are_refused(name: str) -> None:
    with pytest.raises(UploadRefused):
        safe_name(name)


def test_path_traversal_upload_is_refused(admin: TestClient, app: Any, tmp_path: Any) -> None:
    r = upload(admin, "services", "../../../tmp/evil.csv", b"id,name\nEVIL,Evil\n")
    assert r.status_code == 400 and "contains a path" in r.text
    assert count(app, "service", "WHERE id = 'EVIL'") == 0


def test_upload_needs_its_fields(admin: TestClient) -> None:
    page = admin.get("/uploads")
    r = admin.post("/uploads", data={"csrf_token": csrf_of(page.text), "kind": "services"})
    assert r.status_code == 400 and "Choose a file" in r.text
    r = upload(admin, "nonsense", "s.csv", b"id,name\n")
    assert r.status_code == 400 and "Choose what the file holds" in r.text


def test_plain_names_are_kept() -> None:
    assert safe_name("Incidents Q3 (final).csv") == "Incidents Q3 (final).csv"
    assert safe_name("jira-export_2026.xlsx") == "jira-export_2026.xlsx"


# ServiceNow's default list export, as a user downloads it (tests/connectors/
# test_servicenow_shapes.py): its own column names, "2 - High" priorities, no resolved time.
SERVICENOW_LIST = (
    "number,opened_at,short_description,caller_id,priority,state,assignment_group,assigned_to\n"
    "INC0010001,{d} 06:04:00,VPN down,Abel Tuter,2 - High,Closed,Network,Beth Anglin\n"
    "INC0010002,{d} 09:30:00,Printer jam,Abel Tuter,4 - Low,New,Service Desk,\n"
)


def test_the_form_offers_the_built_in_formats_for_each_kind(admin: TestClient) -> None:
    page = admin.get("/uploads").text
    assert '<option value="none">' in page
    assert '<optgroup label="incidents">' in page
    assert '<option value="servicenow-incidents">' in page
    assert '<option value="jira-work-items">' in page


def test_a_raw_servicenow_export_imports_with_its_format(admin: TestClient, app: Any) -> None:
    day = app.state.web.scorecards.period(None).start.isoformat()
    body = SERVICENOW_LIST.format(d=day).encode()
    # Without a format the export's own columns are not trustmeter's: refused, nothing written.
    plain = upload(admin, "incidents", "incident.csv", body)
    assert plain.status_code == 400
    assert count(app, "incident", "WHERE id LIKE 'INC00100%'") == 0
    r = upload(admin, "incidents", "incident.csv", body, format="servicenow-incidents")
    assert r.status_code == 200
    text = unescape(r.text)
    assert "Imported 2 incidents rows from incident.csv" in text
    assert "no resolved time" in text  # the format's note reaches the page
    with app.state.web.db.connection() as store:
        rows = store.fetch(
            "SELECT id, severity, resolved_at FROM incident WHERE id LIKE 'INC00100%' ORDER BY id"
        )
    assert rows == [("INC0010001", "P2", None), ("INC0010002", "P4", None)]


def test_a_format_for_another_kind_is_refused(admin: TestClient, app: Any) -> None:
    r = upload(admin, "services", "incident.csv", b"number,opened_at\nINC1,2026-01-05 10:00\n",
               format="servicenow-incidents")  # fmt: skip
    assert r.status_code == 400
    assert "reads incidents, not services" in unescape(r.text)
    r = upload(admin, "incidents", "i.csv", b"id\n", format="no-such-tool")
    assert r.status_code == 400 and "Unknown format" in unescape(r.text)
    assert count(app, "incident", "WHERE id = 'INC1'") == 0
