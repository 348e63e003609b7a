"""Survey campaigns: single-use links, answers as canonical records, anonymity of results."""

from __future__ import annotations

import threading
from typing import Any

from fastapi.testclient import TestClient
from web_helpers import (
    SCRIPT,
    create_campaign,
    csrf_of,
    download_links,
    form_token,
    new_client,
    token_path,
)

from trustmeter.store import Store
from trustmeter.web.campaigns import token_hash

STAKEHOLDER_ANSWERS = {"reliability_1": "6", "overall_satisfaction": "8", "nps": "9"}


def answer(app: Any, path: str, answers: dict[str, str], action: str = "submit") -> Any:
    """Open a link as a respondent (no session) and send the answers."""
    with new_client(app) as c:
        page = c.get(path)
        if page.status_code != 200:
            return page
        data = {"form_token": form_token(page.text), "action": action, **answers}
        return c.post(path, data=data)


def rows(app: Any, sql: str) -> list[tuple[Any, ...]]:
    with app.state.web.db.connection() as store:
        s: Store = store
        return s.fetch(sql)


def test_a_link_answers_once_and_the_answers_feed_the_records(admin: TestClient, app: Any) -> None:
    cid = create_campaign(admin, "2026-Q4 stakeholders")
    links = download_links(admin, cid)
    assert len(links) == 12
    assert {r["group"] for r in links} == {"Finance", "Sales", "Ops"}
    finance = next(r for r in links if r["invitee"] == "FIN-1")
    assert finance["email"] == "finance1@example.com"
    path = token_path(finance["link"])
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 43  # 32 random bytes

    # Only hashes are kept; the token itself appears nowhere in the database.
    stored = rows(app, "SELECT token_hash FROM survey_invitation")
    assert (token_hash(token),) in stored
    assert all(token not in str(r) for r in rows(app, "SELECT * FROM survey_invitation"))

    form = new_client(app).get(path)
    assert form.status_code == 200
    assert "set-cookie" not in form.headers  # a respondent gets no session
    assert '<fieldset class="question"' in form.text and "<legend>" in form.text

    done = answer(
        app, path, {**STAKEHOLDER_ANSWERS, "comment": "Keep it up", "attribution": "named"}
    )
    assert done.status_code == 200 and "your answers have been sent" in done.text

    response = rows(
        app,
        'SELECT id, campaign, kind, "group", stakeholder, source, submitted_at FROM survey_response',
    )
    assert len(response) == 1
    rid, campaign, kind, group, stakeholder, source, submitted = response[0]
    assert (campaign, kind, group, stakeholder, source) == (
        "2026-Q4 stakeholders",
        "stakeholder",
        "Finance",
        "FIN-1",
        f"web:{cid}",
    )
    assert (submitted.hour, submitted.minute, submitted.second) == (0, 0, 0)  # to the day
    answers = dict(rows(app, "SELECT item, coalesce(value_text, CAST(value_num AS TEXT)) "
                            "FROM survey_answer"))  # fmt: skip
    assert float(answers["reliability_1"]) == 6 and answers["comment"] == "Keep it up"

    # The invitation says it was used, and nothing that leads to the response.
    used = rows(app, "SELECT used_at FROM survey_invitation WHERE used_at IS NOT NULL")
    assert len(used) == 1 and (used[0][0].hour, used[0][0].minute) == (0, 0)
    assert all(rid not in str(r) for r in rows(app, "SELECT * FROM survey_invitation"))

    # The same link again: refused, in plain words, and nothing more is stored.
    again = answer(app, path, STAKEHOLDER_ANSWERS)
    assert again.status_code == 410 and "already been used" in again.text
    with new_client(app) as c:
        r = c.post(path, data={"form_token": "x", "action": "submit", **STAKEHOLDER_ANSWERS})
        assert r.status_code == 410
    assert len(rows(app, "SELECT id FROM survey_response")) == 1

    # Response rates while open: invited by business unit, answered only overall and in
    # steps of min_group (one answer shows as none yet), never by business unit.
    rates = admin.get(f"/surveys/{cid}.json").json()["response"]
    by = {g["group"]: (g["invited"], g["answered"]) for g in rates["by_group"]}
    assert by == {"Finance": (5, None), "Ops": (2, None), "Sales": (5, None)}
    assert (rates["answered"], rates["answered_step"], rates["closed"]) == (0, 5, False)


def test_guessed_or_reissued_links_are_refused(admin: TestClient, app: Any) -> None:
    cid = create_campaign(admin, "guessing")
    first = download_links(admin, cid)
    guessed = answer(app, "/s/" + "A" * 43, STAKEHOLDER_ANSWERS)
    assert guessed.status_code == 404 and "not valid" in guessed.text
    assert answer(app, "/s/" + "x" * 500, STAKEHOLDER_ANSWERS).status_code == 404
    # A new download cancels the unused links of the earlier one.
    second = download_links(admin, cid)
    assert answer(app, token_path(first[0]["link"]), {}).status_code == 404
    assert answer(app, token_path(second[0]["link"]), STAKEHOLDER_ANSWERS).status_code == 200
    assert rows(app, "SELECT count(*) FROM survey_response") == [(1,)]


def test_forged_form_and_bad_answers_store_nothing(admin: TestClient, app: Any) -> None:
    cid = create_campaign(admin, "forged")
    path = token_path(download_links(admin, cid)[0]["link"])
    with new_client(app) as c:
        r = c.post(path, data={"action": "submit", **STAKEHOLDER_ANSWERS})
        assert r.status_code == 403
        r = c.post(path, data={"form_token": "0" * 64, "action": "submit", "nps": "9"})
        assert r.status_code == 403
    bad = answer(app, path, {"reliability_1": "9", "nps": "5"})
    assert bad.status_code == 400
    assert "a whole number from 1 to 7" in bad.text and 'aria-invalid="true"' in bad.text
    empty = answer(app, path, {})
    assert empty.status_code == 400 and "at least one question" in empty.text
    assert rows(app, "SELECT count(*) FROM survey_response") == [(0,)]
    assert answer(app, path, STAKEHOLDER_ANSWERS).status_code == 200


def test_save_and_come_back(admin: TestClient, app: Any) -> None:
    cid = create_campaign(admin, "drafts")
    path = token_path(download_links(admin, cid)[0]["link"])
    saved = answer(app, path, {"reliability_1": "3", "attribution": "anonymous"}, "save")
    assert saved.status_code == 200 and "were saved" in saved.text
    assert rows(app, "SELECT count(*) FROM survey_response") == [(0,)]
    back = new_client(app).get(path).text
    assert 'value="3" checked' in back and 'value="anonymous" checked' in back
    assert answer(app, path, {"reliability_1": "4"}).status_code == 200
    assert rows(app, "SELECT count(*) FROM survey_draft") == [(0,)]
    # Saved without a name: the response is not attributed.
    assert rows(app, "SELECT stakeholder FROM survey_response") == [(None,)]


def test_closed_campaign_says_so(admin: TestClient, app: Any) -> None:
    cid = create_campaign(admin, "closing")
    path = token_path(download_links(admin, cid)[0]["link"])
    page = admin.get(f"/surveys/{cid}")
    r = admin.post(f"/surveys/{cid}/close", data={"csrf_token": csrf_of(page.text)})
    assert "The campaign is closed" in r.text
    closed = answer(app, path, STAKEHOLDER_ANSWERS)
    assert closed.status_code == 410 and "has closed" in closed.text


def test_one_of_two_racing_submissions_wins(admin: TestClient, app: Any) -> None:
    cid = create_campaign(admin, "race")
    path = token_path(download_links(admin, cid)[0]["link"])
    pages = [new_client(app) for _ in range(4)]
    tokens = [form_token(c.get(path).text) for c in pages]
    codes: list[int] = []

    def send(c: TestClient, t: str) -> None:
        r = c.post(path, data={"form_token": t, "action": "submit", "nps": "7"})
        codes.append(r.status_code)

    threads = [threading.Thread(target=send, args=ct) for ct in zip(pages, tokens, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes) == [200, 410, 410, 410]
    assert rows(app, "SELECT count(*) FROM survey_response") == [(1,)]


def team_answers(n: int, comment: str = "") -> dict[str, str]:
    out = {"westrum_1": str(1 + n % 7), "enps": str(n % 11), "burnout": "3"}
    if comment:
        out["comment"] = comment
    return out


def close_campaign(admin: TestClient, cid: str) -> None:
    page = admin.get(f"/surveys/{cid}")
    r = admin.post(f"/surveys/{cid}/close", data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 200 and "The campaign is closed" in r.text


def test_results_appear_only_at_close_and_hide_small_groups(admin: TestClient, app: Any) -> None:
    cid = create_campaign(admin, "2026 team", kind="team")
    links = download_links(admin, cid)
    platform = [token_path(r["link"]) for r in links if r["group"] == "Platform"]
    apps = [token_path(r["link"]) for r in links if r["group"] == "Apps"]
    assert (len(platform), len(apps)) == (5, 2)
    seen = []
    for n, path in enumerate(platform):
        assert answer(app, path, team_answers(n, SCRIPT if n == 0 else "")).status_code == 200
        seen.append(admin.get(f"/surveys/{cid}/results.json").json())
    # Five of Platform answered, but the campaign is open: results would change with each
    # answer and tie it to whoever just answered, so nothing shows, not even a count.
    for early in seen:
        assert early["ready"] is False and early["metrics"] == [] and early["comments"] == []
        assert early["respondents"] is None
    assert "Not until the campaign closes" in admin.get(f"/surveys/{cid}/results").text

    # One answer from Apps, then the campaign closes. Apps is too small, and Platform would
    # then be total − Apps, so neither is named: both are pooled as "other groups",
    # comments and response counts included.
    assert answer(app, apps[0], team_answers(9, "from apps")).status_code == 200
    close_campaign(admin, cid)
    later = admin.get(f"/surveys/{cid}/results.json").json()
    assert later["ready"] is True and later["respondents"] == 6
    enps = next(m for m in later["metrics"] if m["id"] == "enps")
    assert enps["breakdown"]["by_group"] == {} and enps["breakdown"]["hidden_groups"] == 2
    assert enps["breakdown"]["other_groups"]["respondents"] == 6
    assert later["comments"] == [
        {"group": "other groups", "groups": 2, "comments": sorted([SCRIPT, "from apps"])}
    ]
    html = admin.get(f"/surveys/{cid}/results").text
    assert SCRIPT not in html and "&lt;script&gt;" in html
    assert "Platform" not in html and "Apps" not in html.split("<main")[1]
    rates = admin.get(f"/surveys/{cid}.json").json()["response"]
    assert rates["closed"] is True and rates["answered"] == 6
    assert all(g["answered"] is None for g in rates["by_group"])
    assert rates["other_groups"] == {"groups": 2, "invited": 7, "answered": 6, "rate": 0.857}


def test_campaign_form_checks_its_fields(admin: TestClient) -> None:
    page = admin.get("/surveys/new")
    assert page.status_code == 200 and "12 stakeholders" in page.text
    r = admin.post(
        "/surveys/new",
        data={"csrf_token": csrf_of(page.text), "name": "", "kind": "team",
              "opens": "2026-12-01", "closes": "2026-11-01"},
    )  # fmt: skip
    assert r.status_code == 400
    assert "Give the campaign a name" in r.text and "on or after the first day" in r.text
    create_campaign(admin, "same name")
    r = admin.post(
        "/surveys/new",
        data={"csrf_token": csrf_of(page.text), "name": "same name", "kind": "team",
              "opens": "2026-12-01", "closes": "2026-12-08"},
    )  # fmt: skip
    assert r.status_code == 400 and "exists already" in r.text
