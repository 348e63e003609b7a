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
