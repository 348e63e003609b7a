"""The dashboard: every page renders the core's scorecard, and has a JSON twin."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from web_helpers import SCRIPT, login, upload

from trustmeter.scorecard.scorer import Scorer


def test_pages_and_their_json_twins(admin: TestClient, app: Any) -> None:
    card = admin.get("/scorecard.json").json()
    # The twin is the core's scorecard object, for the same period `score` would pick.
    ws = app.state.web.workspace
    store = app.state.web.db.dedicated()
    try:
        expected = (
            Scorer(store, ws.framework(), ws.profile, ws.as_dict())
            .scorecard(app.state.web.scorecards.period(None))
            .as_dict()
        )
    finally:
        store.close()
    assert card["schema"] == 1
    assert card["period"] == expected["period"]
    assert card["stage"]["level"] == expected["stage"]["level"]
    assert card["trust_index"] == expected["trust_index"]
    assert [a["score"] for a in card["areas"]] == [a["score"] for a in expected["areas"]]

    html = admin.get("/scorecard").text
    assert card["stage"]["name"] in html
    assert "Trust Index" in html and "Predictability Index" in html and "Next focus" in html
    assert 'href="/areas/stability"' in html

    area = admin.get("/areas/stability").text
    assert 'href="/metrics/mttr"' in area
    assert admin.get("/areas/stability.json").json()["area"]["id"] == "stability"

    # Drill-down: the records behind the figure, with an imported title escaped.
    mttr = admin.get("/metrics/mttr.json").json()
    assert mttr["metric"]["id"] == "mttr" and mttr["records"]["total"] == 12
    assert "title" in mttr["records"]["columns"]
    page = admin.get("/metrics/mttr").text
    assert "INC-000" in page
    assert SCRIPT not in page
    assert "&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;" in page
    assert "<script" not in page

    trends = admin.get("/trends.json?periods=3").json()
    assert len(trends["periods"]) == 3
    assert trends["periods"][-1]["period"] == card["period"]
    assert "Are we getting better?" in admin.get("/trends?periods=3").text

    assert "perception" in admin.get("/perception.json").json()
    assert "Does the business see" in admin.get("/perception").text


def test_period_is_chosen_with_as_of(admin: TestClient) -> None:
    card = admin.get("/scorecard.json?as_of=2025-05-01").json()
    assert card["period"]["label"] == "2025-Q1"
    r = admin.get("/scorecard.json?as_of=yesterday")
    assert r.status_code == 400 and "YYYY-MM-DD" in r.json()["error"]
    assert admin.get("/scorecard?as_of=2025-13-01").status_code == 400
    assert admin.get("/areas/nowhere.json").status_code == 404
    assert "no area" in admin.get("/areas/nowhere").text
    assert admin.get("/metrics/not_a_metric.json").status_code == 404


def test_scorecards_are_cached_until_the_data_changes(admin: TestClient, app: Any) -> None:
    cards = app.state.web.scorecards
    period = cards.period(None)
    first = cards.scorecard(period)
    assert cards.scorecard(period) is first
    r = upload(admin, "services", "more.csv", b"id,name,tier\nSVC-HR,HR system,2\n")
    assert r.status_code == 200 and "Imported 1 services rows" in r.text
    assert cards.scorecard(period) is not first


def test_openapi_describes_the_json_api(client: TestClient) -> None:
    assert client.get("/api/openapi.json").status_code == 401
    assert login(client, "viewer").status_code == 303
    spec = client.get("/api/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/scorecard.json",
        "/areas/{area_id}.json",
        "/metrics/{metric_id}.json",
        "/trends.json",
        "/perception.json",
        "/surveys.json",
        "/surveys/{campaign_id}.json",
        "/surveys/{campaign_id}/results.json",
    ):
        assert path in paths, path
        assert paths[path]["get"]["summary"]
    assert "/scorecard" not in paths  # HTML pages are not part of the API
    params = {p["name"] for p in paths["/scorecard.json"]["get"]["parameters"]}
    assert "as_of" in params


def test_pages_carry_no_script_and_a_strict_policy(admin: TestClient) -> None:
    r = admin.get("/surveys")
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert "<script" not in r.text
    assert admin.get("/static/app.css").headers["content-type"].startswith("text/css")
