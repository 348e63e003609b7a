"""The dashboard's one-pager download (web/onepager.py), HTML and PDF, for signed-in users."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient


@pytest.fixture
def with_router(app: Any) -> Any:
    """The app as `serve` builds it: web/app.py includes onepager.router."""
    return app


def test_summary_page_for_a_signed_in_user(with_router: Any, admin: TestClient) -> None:
    r = admin.get("/report/summary?as_of=2025-05-01")
    assert r.status_code == 200, r.text
    assert "2025-Q1" in r.text and "IT trust on one page" in r.text
    assert "How fresh the data is" in r.text


def test_summary_needs_a_session(with_router: Any, client: TestClient) -> None:
    r = client.get("/report/summary?as_of=2025-05-01", follow_redirects=False)
    assert r.status_code in (303, 401)
    assert "IT trust on one page" not in r.text


def test_summary_pdf_is_one_page(with_router: Any, admin: TestClient) -> None:
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("Debian's chromium is not installed")
    r = admin.get("/report/summary.pdf?as_of=2025-05-01&paper=letter")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert 'filename="trustmeter-summary-2025-Q1.pdf"' in r.headers["content-disposition"]
    assert r.content.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", r.content)) == 1
