"""Property: no sequence of answers and page views reveals a group below min_group.

Hypothesis draws who answers, in which order, when the pages are looked at and when the
campaign closes. After every step, everything a signed-in viewer can read about the
campaign (its response rates, its results page, the eNPS drill-down as of a future date) is
checked against the rule, and against what the viewer saw before: while the campaign is
open, what is shown may change only when the count of answers passes a multiple of
`min_group`, so no difference between two views singles out an answer.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_surveys import close_campaign, team_answers
from web_helpers import BASE, create_campaign, download_links, form_token, token_path

from trustmeter.store.writer import insert_records

LEAST = 5  # the framework's default min_group
FUTURE = (date.today() + timedelta(days=200)).isoformat()
_names = itertools.count()

Step = tuple[str, int]
steps = st.lists(
    st.one_of(
        st.tuples(st.just("answer"), st.integers(0, 11)),
        st.tuples(st.just("view"), st.just(0)),
        st.tuples(st.just("close"), st.just(0)),
    ),
    max_size=16,
)


@pytest.fixture
def three_teams(app: Any) -> None:
    """Platform 5 and Apps 2 (seeded), and Data 5: a pool, a group and a small one."""
    with app.state.web.db.connection() as store:
        insert_records(store, "people", [{"id": f"D{n}", "team": "Data"} for n in range(5)])


def answer(app: Any, path: str, answers: dict[str, str]) -> Any:
    """A respondent's visit. The client is not entered as a context: that would run the
    app's lifespan, whose end closes the connection pool, once per answer."""
    c = TestClient(app, base_url=BASE)
    page = c.get(path)
    if page.status_code != 200:
        return page
    return c.post(path, data={"form_token": form_token(page.text), "action": "submit", **answers})


TEAMS = ("Platform", "Apps", "Data")


def observe(admin: TestClient, cid: str) -> dict[str, Any]:
    results = admin.get(f"/surveys/{cid}/results.json").json()
    views = {}
    if results["ready"]:  # while not, every team's view is a 404 (checked in `check`)
        for team in TEAMS:
            r = admin.get(f"/surveys/{cid}/results.json", params={"group": team})
            views[team] = r.json() if r.status_code == 200 else r.status_code
    else:
        views["Platform"] = admin.get(
            f"/surveys/{cid}/results.json", params={"group": "Platform"}
        ).status_code
    return {
        "rates": admin.get(f"/surveys/{cid}.json").json()["response"],
        "results": results,
        "views": views,
        "enps": admin.get(f"/metrics/enps.json?as_of={FUTURE}").json(),
    }


def comparable(seen: dict[str, Any]) -> dict[str, Any]:
    """What a viewer could compare between two views while the campaign is open."""
    entry = seen["enps"]["metric"]
    return {
        "rates": seen["rates"],
        "results": seen["results"],
        "views": seen["views"],
        "enps": (entry["value"], entry["breakdown"], seen["enps"]["records"]),
    }


def check_groups(shown: dict[str, int], other: int | None, total: int, hidden: int) -> None:
    """Shown groups and the pool are at least LEAST, and total − shown is 0 or the pool."""
    assert all(n >= LEAST for n in shown.values()), shown
    rest = total - sum(shown.values())
    if other is not None:
        assert other >= LEAST and rest == other
    elif hidden:
        assert not shown, (shown, total)  # else the hidden rest would be a subtraction away


def check(seen: dict[str, Any], name: str, answered: dict[str, int], closed: bool) -> None:
    total = sum(answered.values())
    rates, res, enps = seen["rates"], seen["results"], seen["enps"]
    entry = enps["metric"]
    assert "response_id" not in enps["records"]["columns"]
    if not closed:
        assert rates["answered"] == total // LEAST * LEAST
        assert all(g["answered"] is None for g in rates["by_group"])
        assert rates["other_groups"] is None
        assert not res["ready"] and res["respondents"] is None
        assert res["metrics"] == [] and res["comments"] == [] and res["questions"] == {}
        assert seen["views"] == {"Platform": 404}
        assert entry["breakdown"].get("campaign") != name
        return
    assert rates["answered"] == total
    shown = {g["group"]: g["answered"] for g in rates["by_group"] if g["answered"] is not None}
    other = rates["other_groups"]["answered"] if rates["other_groups"] else None
    hidden = len(rates["by_group"]) - len(shown)
    check_groups(shown, other, total, hidden)
    assert res["ready"] == (total >= LEAST)
    for m in res["metrics"]:
        b = m["breakdown"]
        if m["value"] is None:
            assert "by_group" not in b
            continue
        assert b["respondents"] >= LEAST
        by = {g: f["respondents"] for g, f in b["by_group"].items()}
        pool = b["other_groups"]["respondents"] if b["other_groups"] else None
        check_groups(by, pool, b["respondents"], b["hidden_groups"])
    check_questions(res["questions"])
    for team, view in seen["views"].items():
        # A team has a view of its own only when some figure shows it, and then every figure
        # in it rests on at least LEAST respondents of that team.
        assert (view != 404) == (team in res["groups"]), (team, view)
        if view != 404:
            assert all(q["n"] >= LEAST for q in view["questions"].values())
            assert all(m["respondents"] >= LEAST for m in view["metrics"])
    named = {g["group"] for g in res["comments"]}
    assert named <= set(shown) | {"other groups"} or not res["ready"]
    if entry["breakdown"].get("campaign") == name:
        assert total >= LEAST
        if entry["value"] is not None:
            assert entry["breakdown"]["respondents"] >= LEAST


def check_questions(questions: dict[str, Any]) -> None:
    """Every question's figure, its groups and its change since the previous campaign."""
    for q in questions.values():
        if q["n"] is None:
            assert q["by_group"] == {} and q["other_groups"] is None
            continue
        assert q["n"] >= LEAST
        by = {g: f["n"] for g, f in q["by_group"].items()}
        pool = q["other_groups"]["n"] if q["other_groups"] else None
        check_groups(by, pool, q["n"], q["hidden_groups"])
        changes = [q.get("previous")] + [f.get("previous") for f in q["by_group"].values()]
        for c in changes:
            assert c is None or (c["n"] >= LEAST and c["now_n"] >= LEAST)


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=steps)
def test_no_sequence_of_answers_and_views_reveals_a_small_group(
    admin: TestClient, app: Any, three_teams: None, plan: list[Step]
) -> None:
    name = f"prop-{next(_names):04d}"
    cid = create_campaign(admin, name, kind="team")
    links = download_links(admin, cid)
    assert len(links) == 12
    answered: dict[str, int] = {}
    used: set[int] = set()
    closed = False
    by_step: dict[int, dict[str, Any]] = {}  # while open: what was seen at each step count
    for action, n in [*plan, ("view", 0), ("close", 0), ("view", 0)]:
        if action == "answer":
            r = answer(app, token_path(links[n]["link"]), team_answers(n, f"c{n}"))
            if closed or n in used:
                assert r.status_code == 410
                continue
            assert r.status_code == 200
            used.add(n)
            group = links[n]["group"]
            answered[group] = answered.get(group, 0) + 1
        elif action == "close":
            if not closed:
                close_campaign(admin, cid)
            closed = True
        seen = observe(admin, cid)
        check(seen, name, answered, closed)
        if not closed:
            # By difference: two views with the same count of steps show the same thing. (The
            # metric's status is left out: it says whether any survey answer is stored at all,
            # which the first answer of a new database changes; it never names a group.)
            step = sum(answered.values()) // LEAST
            assert by_step.setdefault(step, comparable(seen)) == comparable(seen)
