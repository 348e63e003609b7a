"""Campaigns imported as survey exports are listed with the web's own (issue 12: "imported
campaigns are not listed"), under the same anonymity rule as the metrics."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient

from survey_responses import write_responses


def _import(app: Any, campaign: str, people: int, day: str, survey: str = "stakeholder") -> None:
    item = "overall_satisfaction" if survey == "stakeholder" else "enps"
    with app.state.web.db.connection() as store:
        write_responses(
            store,
            campaign,
            [(f"{campaign}-{i}", "Finance", {item: 5}) for i in range(people)],
            submitted=f"{day}T09:00:00",
            survey=survey,  # type: ignore[arg-type]
        )


def test_imported_campaigns_are_listed_with_their_respondents_once_readable(
    admin: TestClient, app: Any
) -> None:
    today = date.today().isoformat()
    _import(app, "Pulse 2024-Q1", 6, "2024-03-10")
    _import(app, "Tiny pulse", 3, "2024-02-10")  # below min_group (5): its count is not shown
    _import(app, "Team 2024", 7, "2024-04-02", survey="team")
    _import(app, "Still coming in", 8, today)  # closes at the end of today: not readable yet
    body = admin.get("/surveys.json").json()
    got = {c["name"]: (c["kind"], c["last_answer"], c["respondents"]) for c in body["imported"]}
    assert got == {
        "Pulse 2024-Q1": ("stakeholder", "2024-03-10", 6),
        "Tiny pulse": ("stakeholder", "2024-02-10", None),
        "Team 2024": ("team", "2024-04-02", 7),
        "Still coming in": ("stakeholder", today, None),
    }
    # newest last answer first
    assert [c["name"] for c in body["imported"]] == [
        "Still coming in",
        "Team 2024",
        "Pulse 2024-Q1",
        "Tiny pulse",
    ]
    page = admin.get("/surveys")
    assert page.status_code == 200
    assert "Imported campaigns" in page.text and "Pulse 2024-Q1" in page.text
    assert "No campaigns yet" not in page.text
    assert page.text.count("not shown yet") == 2
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert tomorrow not in page.text


def test_no_campaigns_at_all_says_so(admin: TestClient) -> None:
    body = admin.get("/surveys.json").json()
    assert body["imported"] == [] and body["campaigns"] == []
    assert "No campaigns yet" in admin.get("/surveys").text
