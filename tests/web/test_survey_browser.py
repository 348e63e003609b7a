"""Browser test (issue 12): a stakeholder campaign from creation to the results a CIO shows,
in Debian's Chromium against a uvicorn server on loopback (the fixtures of test_browser.py).

Screenshots of the invitation text, the results page, its chart and a business unit's view
go to screenshots/ in the test artefacts folder, beside the other browser tests' ones.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from test_browser import SHOTS, browser, server, shot, sign_in  # noqa: F401  (fixtures)
from test_survey_results import stakeholder_answers

from survey_responses import write_responses


def _previous_campaign(app: Any) -> None:
    """An earlier stakeholder survey, imported four months ago, to compare with."""
    answers = [
        (f"old-{g}-{i}", g, {"understands_needs": 3, "involve_early": "maybe",
                             "importance:SVC-ERP": 9, "satisfaction:SVC-ERP": 4})
        for g in ("Finance", "Sales")
        for i in range(6)
    ]  # fmt: skip
    day = (date.today() - timedelta(days=120)).isoformat()
    with app.state.web.db.connection() as store:
        write_responses(store, "2025 stakeholders", answers, submitted=f"{day}T09:00:00")


def test_a_stakeholder_campaign_from_creation_to_results(
    browser: Any,  # noqa: F811
    server: tuple[str, Any],  # noqa: F811
) -> None:
    base, app = server
    _previous_campaign(app)
    page = sign_in(browser, base)

    # Create: all stakeholders, every service of the catalogue (ticked by default).
    page.goto(base + "/surveys/new")
    page.get_by_label("Campaign name").fill("2026 CIO stakeholders")
    page.get_by_label(re.compile("Stakeholder trust survey")).check()
    page.get_by_role("button", name="Create campaign").click()
    page.wait_for_url(re.compile(r"/surveys/[a-z0-9-]+$"))
    campaign_url = page.url

    # The invitation text: edit it, see the preview.
    page.get_by_role("link", name="Edit the text").click()
    page.get_by_label("Subject").fill("Your view of IT, {campaign}")
    page.get_by_label("Text").fill("Dear {name},\n\nTen minutes, please: {link}\n\nBy {last_day}.")
    page.get_by_role("button", name="Save and preview").click()
    assert page.get_by_text("The invitation text is saved").is_visible()
    assert page.locator("#preview-subject").inner_text() == "Your view of IT, 2026 CIO stakeholders"
    assert "Dear Alex Example," in page.locator("#preview-body").inner_text()
    shot(page, "15-invitation-text-preview")

    page.goto(campaign_url)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download links (CSV)").click()
    links = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text("utf-8"))))
    assert len(links) == 12

    respondent = browser.new_context()
    api = respondent.request
    for n, row in enumerate(links):
        form = api.get(row["link"]).text()
        token = re.search(r'name="form_token" value="([^"]+)"', form)
        assert token
        data = {"form_token": token.group(1), "action": "submit",
                **stakeholder_answers(row["group"], n)}  # fmt: skip
        assert api.post(row["link"], form=data).status == 200
    respondent.close()

    page.get_by_role("button", name="Close the campaign now").click()
    page.wait_for_url(re.compile(r"/surveys/[a-z0-9-]+$"))
    page.goto(campaign_url + "/results")

    # The gaps, named; the chart; the relationship questions with their n; the change.
    assert page.get_by_text(
        re.compile(r"2 services with a satisfaction gap: CRM, ERP")
    ).is_visible()
    chart = page.locator("#services-chart")
    assert chart.is_visible()
    assert "ERP: importance 100.0, satisfaction 22.2" in chart.locator("desc").text_content()
    assert page.get_by_role(
        "rowheader", name="IT understands what our part of the business needs."
    ).first.is_visible()
    assert page.get_by_text(re.compile("Changes are against the previous")).is_visible()
    assert page.get_by_role(
        "columnheader", name="Change since 2025 stakeholders"
    ).first.is_visible()
    shot(page, "16-stakeholder-results")
    chart.screenshot(path=str(SHOTS / "17-importance-satisfaction-chart.png"))

    # Business-unit views: only Sales may be shown on its own (Ops is too small, and
    # Finance would give it away by subtraction).
    views = page.get_by_role("navigation", name="By business unit")
    assert views.get_by_role("link").all_inner_texts() == ["Sales"]
    views.get_by_role("link", name="Sales").click()
    page.wait_for_url(re.compile(r"results\?group=Sales$"))
    assert page.get_by_role("heading", name=re.compile("— Sales")).is_visible()
    shot(page, "18-stakeholder-results-sales")
    page.goto(campaign_url + "/results?group=Ops")
    assert page.get_by_text(re.compile("no figures can be shown for 'Ops'")).is_visible()
    page.context.close()
