"""Issue 15 in a real browser (Debian's headless Chromium, as test_browser.py): the comparison
page, a business-unit page and a service page, reached by clicking, with screenshots in the
artefacts folder (screenshots/20-… to 24-…).

The server, browser, sign-in and screenshot helpers are test_browser.py's; they skip only when
Chromium or Playwright is missing and TRUSTMETER_REQUIRE_BROWSER is unset.
"""

from __future__ import annotations

from typing import Any

from test_browser import browser, server, shot, sign_in

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
