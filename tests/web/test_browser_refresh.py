"""Issue 15 in a real browser: an upload previewed, then confirmed, and the scheduled-refresh
page; screenshots in the test artefacts (tests/artifacts.py), like tests/web/test_browser.py."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from serve_process import in_thread
from web_helpers import PASSWORD, SECRET, seed

from artifacts import artifacts_dir
from trustmeter import workspace as ws_mod
from trustmeter.web import accounts
from trustmeter.web.settings import WebSettings

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = artifacts_dir() / "screenshots"
EXPORT = (
    "number,opened_at,short_description,caller_id,priority,state,assignment_group\n"
    "INC0030001,{d} 06:04:00,VPN <down>,Abel Tuter,2 - High,Closed,Network\n"
    "INC0030002,{d} 09:30:00,Printer jam,Abel Tuter,4 - Low,New,Service Desk\n"
)


def _playwright() -> Any:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if sync_playwright is None or not CHROMIUM.exists():
        if os.environ.get("TRUSTMETER_REQUIRE_BROWSER"):
            pytest.fail("browser tests required, but chromium or playwright is missing")
        pytest.skip("browser tests skipped: chromium or playwright is missing")
    return sync_playwright


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Any]]:
    _playwright()

    from trustmeter.web.app import create_app

    ws = ws_mod.init(tmp_path / "ws", name="acme-it")
    ws.config_path.write_text(
        ws.config_path.read_text() + '\n[sources.pagerduty]\ntype = "pagerduty"\n'
        '\n[web.schedule]\nsync_every = "6h"\n'
    )
    ws = ws_mod.load(ws.root)
    store = ws.open()
    try:
        seed(store)
        accounts.add(store, "admin", PASSWORD, "admin")
    finally:
        store.close()
    app = create_app(ws, WebSettings(secret=SECRET))
    with in_thread(app) as base:
        yield base, app


def test_upload_preview_confirm_and_the_refresh_page(
    served: tuple[str, Any], tmp_path: Path
) -> None:
    base, app = served
    day = app.state.web.scorecards.period(None).start.isoformat()
    export = tmp_path / "incident.csv"
    export.write_text(EXPORT.format(d=day))
    SHOTS.mkdir(parents=True, exist_ok=True)
    with _playwright()() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base + "/login")
        page.get_by_label("User name").fill("admin")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(base + "/scorecard")

        page.get_by_role("link", name="Upload").click()
        page.get_by_label("What the file holds").select_option("incidents")
        page.get_by_label("Format").select_option("servicenow-incidents")
        page.get_by_label("Export file").set_input_files(str(export))
        page.get_by_role("button", name="Upload and preview").click()
        page.get_by_role("heading", name="Preview of incident.csv").wait_for()
        page.screenshot(path=str(SHOTS / "20-upload-preview.png"), full_page=True)
        assert "Nothing is written yet" in page.content()
        assert page.get_by_role("cell", name="VPN <down>").count() == 1  # shown as text
        with app.state.web.db.connection() as store:
            assert store.scalar("SELECT count(*) FROM incident WHERE id LIKE 'INC00300%'") == 0

        page.get_by_role("button", name="Import incident.csv").click()
        page.wait_for_url(base + "/uploads")
        assert "Imported 2 incidents rows from incident.csv" in page.content()
        with app.state.web.db.connection() as store:
            assert store.scalar("SELECT count(*) FROM incident WHERE id LIKE 'INC00300%'") == 2

        page.get_by_role("link", name="Refresh").click()
        page.get_by_role("heading", name="Scheduled refresh").wait_for()
        page.screenshot(path=str(SHOTS / "21-scheduled-refresh.png"), full_page=True)
        row = page.get_by_role("row", name="pagerduty")
        assert "6h" in row.inner_text() and "never" in row.inner_text()
        browser.close()
