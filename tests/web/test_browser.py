"""Browser tests: a real headless Chromium (Debian's) against a uvicorn server on loopback.

They skip only when /usr/bin/chromium is missing and TRUSTMETER_REQUIRE_BROWSER is unset (CI
installs chromium and sets it). Screenshots of the key pages go to screenshots/ in the test
artefacts folder (tests/artifacts.py: $TRUSTMETER_ARTIFACTS, else a temporary folder whose
path the run prints), so anyone can look at what a person sees.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from serve_process import in_thread
from web_helpers import PASSWORD, SECRET, seed

from artifacts import artifacts_dir
from trustmeter.store import connect, migrate
from trustmeter.web import accounts
from trustmeter.web.settings import WebSettings
from trustmeter.workspace import Workspace

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = artifacts_dir() / "screenshots"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _need_browser() -> Any:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    missing = (
        "Debian's chromium is not installed (apt-get install chromium)"
        if not CHROMIUM.exists()
        else "playwright is not installed (pip install -e '.[dev]')"
        if sync_playwright is None
        else None
    )
    if missing:
        if os.environ.get("TRUSTMETER_REQUIRE_BROWSER"):
            pytest.fail(f"browser tests required, but {missing}")
        pytest.skip(f"browser tests skipped: {missing}")
    return sync_playwright


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    _need_browser()  # before starting anything

    from trustmeter.web.app import create_app

    root = tmp_path_factory.mktemp("browser-ws")
    url = f"duckdb:///{root / 'ws.duckdb'}"
    store = connect(url)
    try:
        migrate(store)
        seed(store)
        accounts.add(store, "admin", PASSWORD, "admin")
    finally:
        store.close()
    app = create_app(Workspace(root, "acme-it", "mid", "UTC", url, None, {}),
                     WebSettings(secret=SECRET))  # fmt: skip
    with in_thread(app) as base:
        yield base, app


@pytest.fixture(scope="module")
def browser(server: tuple[str, Any]) -> Iterator[Any]:
    sync_playwright = _need_browser()
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(browser: Any, base: str) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.goto(base + "/scorecard")
    assert page.url.startswith(base + "/login")
    shot(page, "01-sign-in")
    page.get_by_label("User name").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(base + "/scorecard")
    return page


def test_sign_in_scorecard_and_drill_down(browser: Any, server: tuple[str, Any]) -> None:
    base, _ = server
    page = sign_in(browser, base)
    assert page.get_by_role("heading", name=re.compile("Where IT stands")).is_visible()
    assert page.get_by_text("Trust Index").first.is_visible()
    shot(page, "02-scorecard")
    page.get_by_role("link", name=re.compile("Production Stability")).first.click()
    page.wait_for_url(re.compile(r"/areas/stability"))
    shot(page, "03-area-stability")
    page.get_by_role("link", name="Mean time to restore (median)").click()
    page.wait_for_url(re.compile(r"/metrics/mttr"))
    table = page.get_by_role("table")
    assert table.get_by_role("cell", name="INC-001").is_visible()
    # The script in an imported title is shown as text, never run.
    assert page.get_by_role("cell", name="<script>alert('xss')</script>").is_visible()
    shot(page, "04-metric-drill-down")
    page.goto(base + "/trends?periods=4")
    shot(page, "05-trends")
    page.goto(base + "/perception")
    shot(page, "06-perception")
    page.context.close()


def _create_campaign(page: Any, base: str, name: str, kind_label: str) -> list[dict[str, str]]:
    page.goto(base + "/surveys")
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Campaign name").fill(name)
    page.get_by_label(re.compile(kind_label)).check()
    shot(page, f"07-new-campaign-{kind_label.split()[0].lower()}")
    page.get_by_role("button", name="Create campaign").click()
    page.wait_for_url(re.compile(r"/surveys/[a-z0-9-]+$"))
    with page.expect_download() as info:
        page.get_by_role("button", name="Download links (CSV)").click()
    text = Path(info.value.path()).read_text("utf-8")
    shot(page, f"08-campaign-{kind_label.split()[0].lower()}")
    return list(csv.DictReader(io.StringIO(text)))


def test_answer_with_the_keyboard_alone_then_the_link_is_refused(
    browser: Any, server: tuple[str, Any]
) -> None:
    base, app = server
    page = sign_in(browser, base)
    links = _create_campaign(page, base, "Browser stakeholders", "Stakeholder trust survey")
    link = next(r["link"] for r in links if r["invitee"] == "SAL-2")
    # The respondent: no account, a phone-sized screen, the keyboard only.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True)  # fmt: skip
    survey = phone.new_page()
    survey.goto(link)
    shot(survey, "09-survey-form-phone")
    survey.screenshot(path=str(SHOTS / "09-survey-form-phone-first-screen.png"))
    keys = survey.keyboard
    focused = "document.activeElement && (document.activeElement.name || document.activeElement.textContent)"
    keys.press("Tab")  # the skip link
    keys.press("Tab")  # question 1: the first radio of its group
    assert survey.evaluate(focused) == "credibility_1"
    keys.press("Space")  # 1 …
    for _ in range(5):
        keys.press("ArrowRight")  # … moves the choice to 6
    keys.press("Tab")
    assert survey.evaluate(focused) == "credibility_2"
    keys.press("Space")
    keys.press("ArrowRight")  # 2
    for _ in range(80):  # on through the questions to the comment box and the buttons
        keys.press("Tab")
        name = survey.evaluate(focused)
        if name == "comment":
            keys.type("Typed with the keyboard alone.")
        if name == "action":
            break
    assert survey.evaluate("document.activeElement.value") == "submit"
    with survey.expect_navigation():
        keys.press("Enter")
    assert survey.get_by_role(
        "heading", name=re.compile("your answers have been sent")
    ).is_visible()
    shot(survey, "10-survey-sent")

    with app.state.web.db.connection() as store:
        answers = dict(store.fetch(
            "SELECT a.item, coalesce(a.value_text, CAST(a.value_num AS TEXT)) FROM survey_answer a "
            "JOIN survey_response r ON r.source_id = a.response_id AND r.source = a.source "
            "WHERE r.campaign = 'Browser stakeholders'"
        ))  # fmt: skip
    assert float(answers["credibility_1"]) == 6 and float(answers["credibility_2"]) == 2
    assert answers["comment"] == "Typed with the keyboard alone."

    survey.goto(link)
    assert survey.get_by_role("heading", name="This link has already been used").is_visible()
    shot(survey, "11-survey-link-used")
    survey.goto(base + "/s/" + "Z" * 43)
    assert survey.get_by_role("heading", name="This survey link is not valid").is_visible()
    phone.close()
    page.context.close()


def test_results_appear_once_the_campaign_closes(browser: Any, server: tuple[str, Any]) -> None:
    base, _ = server
    page = sign_in(browser, base)
    links = _create_campaign(page, base, "Browser team", "Team survey")
    platform = [r["link"] for r in links if r["group"] == "Platform"]
    respondent = browser.new_context()
    api = respondent.request

    def answer(link: str, n: int) -> None:
        form = api.get(link).text()
        token = re.search(r'name="form_token" value="([^"]+)"', form)
        assert token
        r = api.post(link, form={"form_token": token.group(1), "action": "submit",
                                 "westrum_1": str(1 + n), "enps": str(5 + n),
                                 "comment": f"comment {n}"})  # fmt: skip
        assert r.status == 200

    for n, link in enumerate(platform):
        answer(link, n)
    campaign_url = page.url
    page.goto(campaign_url + "/results")
    # Five answered, but the campaign is open: nothing shows, not even how many answered.
    assert page.get_by_role("heading", name="Not until the campaign closes").is_visible()
    assert not page.get_by_text("comment 0").is_visible()
    shot(page, "12-results-not-yet")
    page.goto(campaign_url)
    assert page.get_by_text("at least 5").first.is_visible()
    page.get_by_role("button", name="Close the campaign now").click()
    page.wait_for_url(re.compile(r"/surveys/[a-z0-9-]+$"))
    page.goto(campaign_url + "/results")
    assert page.get_by_role("heading", name="Not until the campaign closes").count() == 0
    assert page.get_by_role("heading", name=re.compile("eNPS|Employee")).first.is_visible()
    assert page.get_by_role("rowheader", name="Platform").first.is_visible()
    assert page.get_by_text("comment 0").is_visible()
    shot(page, "13-results-shown")
    page.goto(campaign_url)
    shot(page, "14-campaign-response-rates")
    respondent.close()
    page.context.close()
