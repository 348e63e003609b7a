"""The dashboard's Order page and its JSON twin, on DuckDB and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from web_helpers import SCRIPT

from trustmeter.ordering import run
from trustmeter.scorecard.scorer import Scorer
from trustmeter.store.writer import insert_records


def test_order_page_and_twin(admin: TestClient, app: Any) -> None:
    state = app.state.web
    period = state.scorecards.period(None)
    due = period.start + timedelta(days=20)
    with state.db.connection() as store:
        insert_records(
            store,
            "commitments",
            [
                {
                    "id": "S1",
                    "kind": "sprint",
                    "team": SCRIPT,
                    "committed_on": due - timedelta(days=14),
                    "due_on": due,
                    "delivered_on": due,
                    "scope_committed": 41,
                    "scope_delivered": 38,
                }
            ],
        )
    data = admin.get("/ordering.json").json()
    # The twin is the core's analysis, as `trustmeter ordering --json` computes it.
    ws = state.workspace
    store = state.db.dedicated()
    try:
        scorer = Scorer(store, ws.framework(), ws.profile, ws.as_dict())
        expected = run(scorer, "quarter", end=period.end).as_dict()
    finally:
        store.close()
    assert data["verdict"] == expected["verdict"] == "not_demonstrable"
    assert data["pairs"] == expected["pairs"]
    assert data["crossings"] == expected["crossings"]
    assert [p["label"] for p in data["periods"]] == [p["label"] for p in expected["periods"]]
    assert data["periods"][-1]["label"] == period.label
    sprint = data["predictability"]["by_kind"]["sprint"]
    assert (sprint["value"], sprint["n"]) == (round(38 / 41 * 100, 1), 1)
    assert sprint["caveat"] == "only 1 commitment: too few to compare"

    html = admin.get("/ordering").text
    assert "Do you agree with this order?" in html
    assert "not demonstrable yet" in html
    assert "Predictability by delivery method and by team" in html
    # The team's name came from an import: escaped, never markup.
    assert SCRIPT not in html and "&lt;script&gt;" in html
    assert 'href="/ordering"' in html  # in the main navigation


def test_order_page_needs_a_session(client: TestClient) -> None:
    r = client.get("/ordering.json")
    assert r.status_code == 401
