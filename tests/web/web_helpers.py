"""Helpers for the web tests: a small seeded workspace and the steps a client takes.

The data is small on purpose (a scorecard takes well under a second): three services, a
dozen incidents in the last complete quarter (one title carries a script), stakeholders in
three business units and IT staff in two teams.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient

from trustmeter.periods import last_complete
from trustmeter.store import Store
from trustmeter.store.writer import insert_records

SECRET = "test-secret-" + "x" * 40
PASSWORD = "correct horse battery"
SCRIPT = "<script>alert('xss')</script>"
BASE = "https://testserver"


def seed(store: Store, today: date | None = None) -> None:
    period = last_complete(today or date.today(), "quarter")
    start = period.start_ts
    insert_records(
        store,
        "services",
        [
            {"id": "SVC-ERP", "name": "ERP", "tier": 1, "owner_team": "Apps"},
            {"id": "SVC-CRM", "name": "CRM", "tier": 1, "owner_team": "Apps"},
            {"id": "SVC-MAIL", "name": "Mail", "tier": 2, "owner_team": "Platform"},
        ],
    )
    incidents = []
    for i in range(12):
        opened = start + timedelta(days=3 + i * 6, hours=i)
        incidents.append(
            {
                "id": f"INC-{i:03d}",
                "opened_at": opened,
                "resolved_at": opened + timedelta(hours=1 + i % 5),
                "severity": "P1" if i % 4 == 0 else "P2",
                "service": "SVC-ERP" if i % 2 else "SVC-CRM",
                "resolver": f"p{i % 3}",
                "title": SCRIPT if i == 0 else f"Outage number {i}",
            }
        )
    insert_records(store, "incidents", incidents)
    units = {"Finance": 5, "Sales": 5, "Ops": 2}
    stakeholders = [
        {
            "id": f"{u[:3].upper()}-{n}",
            "name": f"{u} person {n}",
            "business_unit": u,
            "key": n == 0,
            "email": f"{u.lower()}{n}@example.com",
        }
        for u, count in units.items()
        for n in range(count)
    ]
    insert_records(store, "stakeholders", stakeholders)
    people = [{"id": f"P{n}", "team": "Platform" if n < 5 else "Apps"} for n in range(7)]
    insert_records(store, "people", people)


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "the page has no CSRF token"
    return m.group(1)


def login(client: TestClient, username: str = "admin", password: str = PASSWORD) -> Any:
    page = client.get("/login")
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )


def new_client(app: Any) -> TestClient:
    return TestClient(app, base_url=BASE)


def create_campaign(
    client: TestClient,
    name: str,
    kind: str = "stakeholder",
    services: Sequence[str] = ("SVC-ERP",),
) -> str:
    """Create a campaign as the signed-in admin, its stakeholders rating `services`; returns
    its id."""
    form = client.get("/surveys/new")
    today = date.today()
    r = client.post(
        "/surveys/new",
        data={
            "csrf_token": csrf_of(form.text),
            "name": name,
            "kind": kind,
            "audience": "all",
            "opens": today.isoformat(),
            "closes": (today + timedelta(days=7)).isoformat(),
            "services": list(services),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return str(r.headers["location"]).rsplit("/", 1)[-1]


def download_links(client: TestClient, campaign_id: str) -> list[dict[str, str]]:
    import csv
    import io

    page = client.get(f"/surveys/{campaign_id}")
    r = client.post(f"/surveys/{campaign_id}/links.csv", data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(r.text)))


def token_path(link: str) -> str:
    return "/s/" + link.rsplit("/s/", 1)[1]


def form_token(html: str) -> str:
    m = re.search(r'name="form_token" value="([^"]+)"', html)
    assert m, "the survey page has no form token"
    return m.group(1)


def upload(
    client: TestClient, kind: str, name: str, body: bytes, confirm: bool = True, **fields: str
) -> Any:
    """Upload a file as the signed-in admin: the preview, then (when it offers to import and
    `confirm`) the confirmation, following the redirect to the result."""
    page = client.get("/uploads")
    preview = client.post(
        "/uploads",
        data={"csrf_token": csrf_of(page.text), "kind": kind, **fields},
        files={"file": (name, body, "text/csv")},
    )
    m = re.search(r'name="preview_token" value="([^"]+)"', preview.text)
    if not confirm or m is None:
        return preview
    return client.post(
        "/uploads/confirm", data={"csrf_token": csrf_of(preview.text), "preview_token": m.group(1)}
    )
