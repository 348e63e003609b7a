"""The one anonymity rule, end to end: the dashboard, drill-downs, links, forms and storage.

Each test here failed before the rule was enforced where survey data is read (issue 12).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from test_surveys import answer, close_campaign, team_answers
from web_helpers import create_campaign, csrf_of, download_links, new_client, token_path

from trustmeter.store import Store
from trustmeter.web.campaigns import links_csv, token_hash


def fetch(app: Any, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with app.state.web.db.connection() as store:
        s: Store = store
        return s.fetch(sql, params)


def engine(app: Any) -> str:
    with app.state.web.db.connection() as store:
        return str(store.engine)


def test_the_dashboard_reads_a_campaign_only_once_it_has_closed(
    admin: TestClient, app: Any
) -> None:
    cid = create_campaign(admin, "team now", kind="team")
    platform = [
        token_path(r["link"]) for r in download_links(admin, cid) if r["group"] == "Platform"
    ]
    for n, path in enumerate(platform):
        assert answer(app, path, team_answers(n)).status_code == 200
    # A future as_of asks for a period that ends after today: the campaign is still open, so
    # it must not be read, nor its answers listed.
    future = (date.today() + timedelta(days=200)).isoformat()
    for query in ("", f"?as_of={future}"):
        m = admin.get(f"/metrics/enps.json{query}").json()
        assert m["metric"]["value"] is None, query
        assert m["records"]["rows"] == []
    close_campaign(admin, cid)
    m = admin.get(f"/metrics/enps.json?as_of={future}").json()
    assert m["metric"]["value"] is not None
    assert m["metric"]["breakdown"]["campaign"] == "team now"
    # The drill-down of the anonymous survey counts answers per item and value; it never
    # lists answer sheets (no response id that ties one person's answers together).
    records = m["records"]
    assert records["columns"] == ["item", "value_num", "value_text", "answers"]
    assert sum(row[3] for row in records["rows"]) == 5
    assert all(row[0] == "enps" for row in records["rows"])


def test_an_infinite_or_nan_answer_is_a_clear_400(admin: TestClient, app: Any) -> None:
    cid = create_campaign(admin, "inf")
    path = token_path(download_links(admin, cid)[0]["link"])
    for bad in ("inf", "-inf", "nan", "1e999"):
        r = answer(app, path, {"nps": bad})
        assert r.status_code == 400, bad
        assert "a whole number from 0 to 10" in r.text
    assert fetch(app, "SELECT count(*) FROM survey_response") == [(0,)]


def test_the_links_csv_leaves_empty_cells_empty() -> None:
    text = links_csv(
        [
            {"invitee": "P1", "name": "", "email": "", "group": "=cmd|' /C calc'!A0",
             "link": "https://x/s/t", "closes": "2026-12-25"},
        ]
    )  # fmt: skip
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["name"] == "" and row["email"] == ""
    assert row["group"] == "'=cmd|' /C calc'!A0"  # formula injection still defused
    assert "P1,,,'=" in text


def test_dates_show_the_last_day_and_consent_starts_unticked(admin: TestClient, app: Any) -> None:
    cid = create_campaign(admin, "dates")  # open through today + 7 days
    last = date.today() + timedelta(days=7)
    assert admin.get(f"/surveys/{cid}.json").json()["campaign"]["last_day"] == last.isoformat()
    listing = admin.get("/surveys").text
    assert f"{last:%d %b %Y}" in listing
    assert f"{last + timedelta(days=1):%d %b %Y}" not in listing
    path = token_path(download_links(admin, cid)[0]["link"])
    form = new_client(app).get(path).text
    assert f"until {last:%d %B %Y}" in form
    assert 'value="anonymous" checked' in form and 'value="named" checked' not in form


def test_a_campaign_that_cannot_reach_min_group_warns_at_creation(admin: TestClient) -> None:
    page = admin.get("/surveys/new")
    today = date.today()
    r = admin.post(
        "/surveys/new",
        data={"csrf_token": csrf_of(page.text), "name": "key people", "kind": "stakeholder",
              "audience": "key", "opens": today.isoformat(),
              "closes": (today + timedelta(days=7)).isoformat()},
    )  # fmt: skip
    assert r.status_code == 200 and "Only 3 people are invited" in r.text
    # The team (Platform 5, Apps 2): Apps is too small and Platform would be total − Apps.
    r = admin.post(
        "/surveys/new",
        data={"csrf_token": csrf_of(page.text), "name": "whole team", "kind": "team",
              "audience": "all", "opens": today.isoformat(),
              "closes": (today + timedelta(days=7)).isoformat()},
    )  # fmt: skip
    assert "no team can be shown on its own" in r.text
    # All stakeholders: Finance and Sales have five each, so no warning.
    r = admin.post(
        "/surveys/new",
        data={"csrf_token": csrf_of(page.text), "name": "everyone", "kind": "stakeholder",
              "audience": "all", "opens": today.isoformat(),
              "closes": (today + timedelta(days=7)).isoformat()},
    )  # fmt: skip
    assert "Only" not in r.text and "can be shown on its own" not in r.text


def _is_midnight(t: datetime) -> bool:
    return (t.hour, t.minute, t.second, t.microsecond) == (0, 0, 0, 0)


def test_nothing_in_the_database_joins_an_invitation_to_its_response(
    admin: TestClient, app: Any
) -> None:
    cid = create_campaign(admin, "join", kind="team")
    links = download_links(admin, cid)
    # Answer in an order unlike the invitations' own (they are created sorted by team).
    claimed = [links[i] for i in (3, 0, 6, 2, 5, 1, 4)]
    for n, r in enumerate(claimed):
        assert answer(app, token_path(r["link"]), team_answers(n, f"note {n}")).status_code == 200
    hashes = [token_hash(token_path(r["link"]).rsplit("/", 1)[1]) for r in claimed]
    ids = {h: fetch(app, "SELECT id FROM survey_invitation WHERE token_hash = ?", (h,))[0][0]
           for h in hashes}  # fmt: skip
    claim_order = [ids[h] for h in hashes]

    # No column: nothing that names an invitation appears in the responses or answers.
    invitations = fetch(
        app, "SELECT id, token_hash, invitee, invitee_name, email FROM survey_invitation"
    )
    stored = repr(fetch(app, "SELECT * FROM survey_response")) + repr(
        fetch(app, "SELECT * FROM survey_answer")
    )
    for row in invitations:
        for value in row:
            assert value is None or str(value) not in stored
    # No time finer than the day, on either side.
    times = fetch(app, "SELECT submitted_at, imported_at FROM survey_response")
    assert len(times) == 7 and all(_is_midnight(t) for pair in times for t in pair)
    used = fetch(app, "SELECT used_at FROM survey_invitation WHERE used_at IS NOT NULL")
    assert len(used) == 7 and all(_is_midnight(t) for (t,) in used)
    # Response ids are random, not a sequence in claim order.
    assert all(str(r[0]).startswith("web-") and len(str(r[0])) == 28
               for r in fetch(app, "SELECT id FROM survey_response"))  # fmt: skip

    # No order: the invitations' physical order (DuckDB rowid, PostgreSQL ctid) and their
    # transaction ids do not give the order in which they were claimed.
    keys = ["rowid"] if engine(app) == "duckdb" else ["ctid", "xmin::text::bigint"]
    for key in keys:
        ordered = [r[0] for r in fetch(
            app, f"SELECT id FROM survey_invitation WHERE used_at IS NOT NULL ORDER BY {key}, id"
        )]  # fmt: skip
        assert ordered != claim_order, key
    if engine(app) == "postgres":
        # No shared transaction id: every invitation was rewritten by the last claim, and no
        # response or answer row was written in a claim's transaction.
        inv_x = {r[0] for r in fetch(app, "SELECT xmin::text FROM survey_invitation")}
        assert len(inv_x) == 1
        resp_x = {r[0] for r in fetch(app, "SELECT xmin::text FROM survey_response")}
        ans_x = {r[0] for r in fetch(app, "SELECT xmin::text FROM survey_answer")}
        assert not inv_x & (resp_x | ans_x)
        assert len(resp_x) == 7
