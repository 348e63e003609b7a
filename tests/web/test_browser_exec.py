"""Issue 15 in a real browser (Debian's headless Chromium, as test_browser.py): the comparison
page, a business-unit page and a service page, reached by clicking, with screenshots in the
artefacts folder (screenshots/20-… to 24-…).

The server, browser, sign-in and screenshot helpers are test_browser.py's; they skip only when
Chromium or Playwright is missing and TRUSTMETER_REQUIRE_BROWSER is unset.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from serve_process import in_thread
from test_browser import browser, server, shot, sign_in
from web_helpers import PASSWORD, SECRET

from trustmeter.cli import cli
from trustmeter.web import accounts
from trustmeter.web.settings import WebSettings
from trustmeter.workspace import load

__all__ = ["browser", "server"]  # the fixtures, shared with test_browser.py


def test_compare_then_a_unit_and_a_service(browser: Any, server: tuple[str, Any]) -> None:
    base, app = server
    current = app.state.web.scorecards.period(None)
    page = sign_in(browser, base)

    page.get_by_role("link", name="Compare", exact=True).click()
    page.wait_for_url(base + "/compare")
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == f"{current.previous().label} against {current.label}"
    # Every metric side by side: the restore time row with its samples and a noise verdict.
    row = page.locator("tr", has=page.get_by_role("link", name="Mean time to restore (median)"))
    assert "12 P1/P2 incidents resolved" in row.inner_text()
    assert row.locator(".judged").inner_text() != ""
    shot(page, "20-compare-previous")
    page.get_by_role("link", name="Against a year ago").click()
    page.wait_for_load_state()
    assert "against " + current.label in page.get_by_role("heading", level=1).inner_text()
    shot(page, "21-compare-year-ago")

    page.get_by_role("link", name="Slices", exact=True).click()
    page.wait_for_url(base + "/slices/unit")
    assert page.get_by_role("link", name="Finance").is_visible()
    shot(page, "22-business-units")
    page.get_by_role("link", name="Finance").click()
    page.wait_for_url(base + "/slices/unit/Finance")
    assert page.get_by_role("heading", level=1).inner_text() == "Finance"
    assert page.get_by_text("What this business unit leaves out, and why").is_visible()
    shot(page, "23-business-unit-finance")

    page.goto(base + "/slices/service")
    page.get_by_role("link", name="ERP", exact=True).click()
    page.wait_for_url(base + "/slices/service/SVC-ERP")
    assert page.get_by_role("heading", level=1).inner_text() == "ERP"
    restore = page.locator("tr", has_text="Mean time to restore (median)").first
    assert "6 P1/P2 incidents resolved" in restore.inner_text()
    shot(page, "24-service-erp")

    # The metric page's trend: an SVG with one titled point per scored period.
    page.goto(base + "/metrics/mttr")
    chart = page.locator("svg.metric-trend")
    assert chart.is_visible()
    assert chart.locator("circle").count() >= 1
    shot(page, "25-metric-trend")
    page.context.close()


@pytest.fixture(scope="module")
def demo_server(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server on the demo organisation (its records end on 2026-09-30); after `browser`,
    which skips when Chromium is missing."""

    from trustmeter.web.app import create_app

    root = tmp_path_factory.mktemp("browser-demo") / "northwind"
    r = CliRunner().invoke(cli, ["demo", str(root)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    ws = load(root)
    store = ws.open()
    try:
        accounts.add(store, "admin", PASSWORD, "admin")
    finally:
        store.close()
    app = create_app(ws, WebSettings(secret=SECRET, warm_cache=False))
    with in_thread(app, timeout=30) as base:
        yield base


def test_the_demo_operations_unit_and_its_worst_service(browser: Any, demo_server: str) -> None:
    base, q = demo_server, "?as_of=2026-10-01"
    page = sign_in(browser, base)
    page.goto(base + "/slices/unit" + q, timeout=120_000)
    first = page.locator("table.slices tbody tr").first
    assert first.locator("th").inner_text() == "Operations"
    assert first.inner_text().count("Operations is neglected: ") == 1
    shot(page, "30-demo-business-units")
    first.get_by_role("link", name="Operations").click()
    page.wait_for_load_state()
    summary = page.locator(".summary").inner_text()
    assert summary.startswith("Operations is neglected: ") and "respondents" in summary
    assert page.get_by_text("What this business unit leaves out, and why").is_visible()
    shot(page, "31-demo-business-unit-operations")

    page.goto(base + "/slices/service" + q, timeout=120_000)
    page.get_by_role("link", name="SAP S/4HANA ERP").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "SAP S/4HANA ERP"
    shot(page, "32-demo-service-erp")

    page.goto(base + "/compare" + q, timeout=120_000)
    assert page.get_by_role("heading", level=1).inner_text() == "2026-Q2 against 2026-Q3"
    assert page.locator("#cmp-moved-h").is_visible()
    shot(page, "33-demo-compare")
    page.context.close()
