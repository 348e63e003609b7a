"""Stakeholder results a CIO can show (issue 12): importance against satisfaction per service,
named; the relationship questions, "involve IT early" and burnout with their n; business-unit
views only where the anonymity rule allows; change since the previous campaign only for
figures readable in both. On DuckDB and PostgreSQL (the `db_url` fixture)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from test_survey_property import answer
from test_surveys import close_campaign, team_answers
from web_helpers import SCRIPT, create_campaign, download_links, token_path

from survey_responses import write_responses
from trustmeter import surveys

SERVICES = ["SVC-ERP", "SVC-CRM", "SVC-MAIL"]
# Per business unit (the seed has Finance 5, Sales 5, Ops 2): with min_group 5, Ops is too
# small, and Finance (first by name of the smallest shown) joins it so that Ops cannot be
# worked out by subtraction. Only Sales can be shown on its own.
UNDERSTANDS = {"Finance": 3, "Sales": 6, "Ops": 2}
INVOLVE = {"Finance": "maybe", "Sales": "yes", "Ops": "no"}


def create(client: TestClient, name: str, kind: str = "stakeholder") -> str:
    return create_campaign(client, name, kind, SERVICES)


def stakeholder_answers(group: str, n: int) -> dict[str, str]:
    return {
        # ERP and CRM are the most important and the least liked: two gaps. Mail is neither.
        "importance:SVC-ERP": "10",
        "satisfaction:SVC-ERP": str(2 + n % 3),
        "importance:SVC-CRM": "10",
        "satisfaction:SVC-CRM": "6",
        "importance:SVC-MAIL": "4",
        "satisfaction:SVC-MAIL": "9",
        "understands_needs": str(UNDERSTANDS[group]),
        "involve_early": INVOLVE[group],
        "overall_satisfaction": "7",
        "nps": "8",
        "comment": SCRIPT if group == "Sales" else f"from {group}",
    }


def run_stakeholder_campaign(admin: TestClient, app: Any, name: str) -> str:
    cid = create(admin, name)
    for n, row in enumerate(download_links(admin, cid)):
        sent = answer(app, token_path(row["link"]), stakeholder_answers(row["group"], n))
        assert sent.status_code == 200
    close_campaign(admin, cid)
    return cid


def test_results_name_the_services_and_show_the_relationship_items(
    admin: TestClient, app: Any
) -> None:
    cid = run_stakeholder_campaign(admin, app, "2026 stakeholders")
    body = admin.get(f"/surveys/{cid}/results.json").json()
    assert body["ready"] is True and body["respondents"] == 12
    # The importance-gap metric counts two services; the page names them.
    gap = next(m for m in body["metrics"] if m["id"] == "importance_gap")
    assert gap["value"] == 2
    assert body["gaps"] == ["CRM", "ERP"]
    services = {s["name"]: s for s in body["services"]}
    assert set(services) == {"ERP", "CRM", "Mail"}
    assert services["CRM"]["importance"] == 100 and services["CRM"]["flagged"] is True
    assert round(services["CRM"]["satisfaction"], 6) == round((6 - 1) / 9 * 100, 6)
    assert services["Mail"]["flagged"] is False
    assert services["ERP"]["importance_n"] == services["ERP"]["satisfaction_n"] == 12

    # The relationship statement and "involve IT early", each with its n.
    q = body["questions"]
    expected = (5 * 3 + 5 * 6 + 2 * 2) / 12
    assert q["understands_needs"]["n"] == 12
    assert abs(q["understands_needs"]["mean"] - expected) < 1e-9
    assert q["involve_early"]["counts"] == {"yes": 5, "maybe": 5, "no": 2}
    # Per business unit only what the rule shows: Sales; Finance and Ops pooled.
    assert set(q["understands_needs"]["by_group"]) == {"Sales"}
    assert q["understands_needs"]["other_groups"]["n"] == 7
    assert q["understands_needs"]["other_groups"]["groups"] == 2
    assert body["groups"] == ["Sales"]
    assert body["previous"] is None

    html = admin.get(f"/surveys/{cid}/results").text
    assert "2 services with a satisfaction gap</strong>: CRM, ERP" in html
    assert '<svg viewBox="0 0 960' in html and 'id="services-chart"' in html
    assert "ERP: importance 100.0, satisfaction 22.2, a gap of 77.8 points" in html
    assert "IT understands what our part of the business needs." in html
    assert "Would you involve IT at the start of your next initiative?" in html
    assert SCRIPT not in html and "&lt;script&gt;" in html
    assert f'href="/surveys/{cid}/results?group=Sales"' in html
    assert "group=Finance" not in html and "group=Ops" not in html


def test_business_unit_views_only_where_the_rule_allows(admin: TestClient, app: Any) -> None:
    cid = run_stakeholder_campaign(admin, app, "bu views")
    sales = admin.get(f"/surveys/{cid}/results.json", params={"group": "Sales"}).json()
    assert sales["group"] == "Sales"
    assert sales["questions"]["understands_needs"]["n"] == 5
    assert sales["questions"]["understands_needs"]["mean"] == 6
    assert sales["questions"]["involve_early"]["counts"] == {"yes": 5, "maybe": 0, "no": 0}
    assert {m["id"] for m in sales["metrics"]} >= {"stakeholder_satisfaction"}
    assert all(m["respondents"] == 5 for m in sales["metrics"])
    assert [s["name"] for s in sales["services"]] == ["CRM", "ERP", "Mail"]
    assert [c["group"] for c in sales["comments"]] == ["Sales"]
    page = admin.get(f"/surveys/{cid}/results", params={"group": "Sales"})
    assert page.status_code == 200 and "Results: 2026" not in page.text
    assert "— Sales" in page.text and "&lt;script&gt;" in page.text

    # Ops (2 people) is too small; Finance (5) would give Ops away by subtraction; a group
    # that does not exist reads the same, so the answer tells nothing either way.
    for group in ("Ops", "Finance", "Nobody", "other groups"):
        r = admin.get(f"/surveys/{cid}/results.json", params={"group": group})
        assert r.status_code == 404, group
        assert "no figures can be shown for" in r.json()["error"]
        assert admin.get(f"/surveys/{cid}/results", params={"group": group}).status_code == 404


def test_no_business_unit_view_while_open(admin: TestClient, app: Any) -> None:
    cid = create(admin, "still open")
    for n, row in enumerate(download_links(admin, cid)):
        answer(app, token_path(row["link"]), stakeholder_answers(row["group"], n))
    r = admin.get(f"/surveys/{cid}/results.json", params={"group": "Sales"})
    assert r.status_code == 404 and "closes" in r.json()["error"]
    assert admin.get(f"/surveys/{cid}/results.json").json()["questions"] == {}


def import_previous(app: Any, days_ago: int, sales: int) -> None:
    """An earlier stakeholder survey, imported: Finance 6 and `sales` Sales respondents."""
    answers = []
    for i in range(6):
        answers.append((f"fin-{i}", "Finance", {"understands_needs": 2, "involve_early": "no"}))
    for i in range(sales):
        answers.append(
            (
                f"sal-{i}",
                "Sales",
                {"understands_needs": 4, "involve_early": "yes", "overall_satisfaction": 5},
            )
        )
    day = (date.today() - timedelta(days=days_ago)).isoformat()
    with app.state.web.db.connection() as store:
        write_responses(store, "2025 stakeholders", answers, submitted=f"{day}T09:00:00")


def test_change_since_the_previous_campaign_only_for_figures_readable_in_both(
    admin: TestClient, app: Any
) -> None:
    import_previous(app, 120, sales=4)
    cid = run_stakeholder_campaign(admin, app, "2026 with history")
    body = admin.get(f"/surveys/{cid}/results.json").json()
    assert body["previous"]["campaign"] == "2025 stakeholders"
    assert body["previous"]["respondents"] == 10
    q = body["questions"]
    prev = q["understands_needs"]["previous"]
    then = (6 * 2 + 4 * 4) / 10
    now = (5 * 3 + 5 * 6 + 2 * 2) / 12
    assert (prev["n"], prev["now_n"]) == (10, 12)
    assert abs(prev["change"] - (now - then) / 6 * 100) < 1e-9
    assert prev["change"] > 0
    choice = q["involve_early"]["previous"]
    assert abs(choice["change"]["yes"] - (5 / 12 - 4 / 10) * 100) < 1e-9
    # Overall satisfaction: 4 answered it then, fewer than min_group: no change shown.
    assert q["overall_satisfaction"]["n"] == 12
    assert q["overall_satisfaction"]["previous"] is None
    # Sales had 4 respondents then: never shown then, so no change for Sales now.
    assert q["understands_needs"]["by_group"]["Sales"]["previous"] is None
    sales = admin.get(f"/surveys/{cid}/results.json", params={"group": "Sales"}).json()
    assert sales["questions"]["understands_needs"]["previous"] is None
    html = admin.get(f"/surveys/{cid}/results").text
    assert "Change since 2025 stakeholders" in html


def test_change_for_a_group_shown_in_both_campaigns(admin: TestClient, app: Any) -> None:
    import_previous(app, 120, sales=6)
    cid = run_stakeholder_campaign(admin, app, "2026 again")
    body = admin.get(f"/surveys/{cid}/results.json").json()
    sales_prev = body["questions"]["understands_needs"]["by_group"]["Sales"]["previous"]
    assert (sales_prev["n"], sales_prev["now_n"]) == (6, 5)
    assert abs(sales_prev["change"] - (6 - 4) / 6 * 100) < 1e-9
    # The satisfaction metric read 6 Sales answers then and 5 now: its change is there too.
    view = admin.get(f"/surveys/{cid}/results.json", params={"group": "Sales"}).json()
    sat = next(m for m in view["metrics"] if m["id"] == "stakeholder_satisfaction")
    assert sat["previous"]["n"] == 6 and sat["previous"]["now_n"] == 5
    assert abs(sat["previous"]["change"] - ((7 - 1) / 9 * 100 - (5 - 1) / 9 * 100)) < 1e-9
    assert body["metric_changes"]["stakeholder_satisfaction"]["n"] == 6


def test_team_results_show_burnout_with_its_n(admin: TestClient, app: Any) -> None:
    cid = create(admin, "team with burnout", kind="team")
    links = download_links(admin, cid)
    for n, row in enumerate(links):
        a = team_answers(n)
        a["burnout"] = "5" if n < 3 else "2"
        assert answer(app, token_path(row["link"]), a).status_code == 200
    close_campaign(admin, cid)
    q = admin.get(f"/surveys/{cid}/results.json").json()["questions"]
    assert q[surveys.BURNOUT]["n"] == 7
    assert abs(q[surveys.BURNOUT]["mean"] - (3 * 5 + 4 * 2) / 7) < 1e-9
    assert abs(q[surveys.BURNOUT]["often"] - 3 / 7 * 100) < 1e-9
    html = admin.get(f"/surveys/{cid}/results").text
    assert "How often does your work leave you worn out?" in html
    assert "43% answered 4 or 5" in html


def test_no_gap_count_is_claimed_when_the_metric_reads_another_campaign(
    admin: TestClient, app: Any
) -> None:
    first = run_stakeholder_campaign(admin, app, "first of the day")
    # A second campaign closes later the same day: the metrics read that one, so the first
    # one's page has no gap count of its own to name, and must not say "0 services".
    second = create(admin, "second of the day")
    for n, row in enumerate(download_links(admin, second)[:5]):
        assert (
            answer(app, token_path(row["link"]), stakeholder_answers("Sales", n)).status_code == 200
        )
    close_campaign(admin, second)
    body = admin.get(f"/surveys/{first}/results.json").json()
    assert body["ready"] is True and body["gaps"] is None
    assert "A later campaign of the same kind closed on the same day" in body["note"]
    # The questions are this campaign's own, so they still show.
    assert body["questions"]["understands_needs"]["n"] == 12
    html = admin.get(f"/surveys/{first}/results").text
    assert "with a satisfaction gap</strong>" not in html
    assert admin.get(f"/surveys/{second}/results.json").json()["gaps"] == ["CRM", "ERP"]
