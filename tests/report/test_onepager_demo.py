"""The one-pager end to end on the demo: `report --summary`, `report --pdf` on A4 and Letter.

The PDF tests print with a real headless Chromium (Debian's /usr/bin/chromium, as the web
browser tests do) and skip only when it or Playwright is missing and TRUSTMETER_REQUIRE_BROWSER
is unset. The screenshot goes under pytest's tmp_path, never into the checkout.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from pdf_text import media_box, page_count, text

from trustmeter.cli import cli
from trustmeter.report.pdf import PdfError, html_to_pdf

CHROMIUM = Path("/usr/bin/chromium")
AREAS = [
    "Production Stability",
    "Delivery",
    "Planning & Optimization",
    "Fostering Key Relationships",
    "Talent Development",
]
# Points: A4 is 210 × 297 mm, Letter 8.5 × 11 in.
SHEETS = {"a4": (595.9, 842.9), "letter": (612.0, 792.0)}


def need_browser() -> None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = "playwright is not installed (pip install -e '.[dev]')"
    else:
        missing = "" if CHROMIUM.exists() else "Debian's chromium is not installed"
    if missing:
        if os.environ.get("TRUSTMETER_REQUIRE_BROWSER"):
            pytest.fail(f"browser tests required, but {missing}")
        pytest.skip(f"browser tests skipped: {missing}")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("onepager") / "northwind"
    r = CliRunner().invoke(cli, ["demo", str(root)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    return root


def run(root: Path, *args: str) -> str:
    r = CliRunner().invoke(cli, ["-w", str(root), "report", "--as-of", "2026-10-01", *args])
    assert r.exit_code == 0, r.output
    return r.output


@pytest.fixture(scope="module")
def summary(demo: Path) -> Path:
    out = demo / "summary.html"
    assert f"wrote {out}" in run(demo, "--summary", "--out", str(out))
    return out


def flat(s: str) -> str:
    return "".join(s.split())


def test_summary_html_on_the_demo(summary: Path) -> None:
    html = summary.read_text("utf-8")
    assert "Stage 1 of 4: Order Taker" in html
    assert "1 of 4 tier-1 services has a single expert (SAP S/4HANA ERP)" in html
    for name in AREAS:
        assert name.replace("&", "&amp;") in html
    # Freshness from the store: the demo's exports run to the end of September.
    assert 'Incidents</td><td class="num">30 Sep 2026' in html
    assert "since 2026-Q2" in html and "since 2025-Q3, a year before" in html
    assert "<script" not in html and "http" not in html.split("</style>", 1)[1]


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_pdf_is_one_page_with_the_stage_and_the_five_areas(demo: Path, paper: str) -> None:
    need_browser()
    out = demo / f"summary-{paper}.pdf"
    assert f"wrote {out}" in run(demo, "--pdf", str(out), "--paper", paper)
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF")
    assert page_count(pdf) == 1
    width, height = media_box(pdf)
    assert (width, height) == pytest.approx(SHEETS[paper], abs=1.0)
    words = flat(text(pdf))
    assert flat("Order Taker") in words
    for name in AREAS:
        assert flat(name) in words, name


def test_screenshot_of_the_one_pager(summary: Path, tmp_path: Path) -> None:
    need_browser()
    from playwright.sync_api import sync_playwright

    shot = tmp_path / "onepager.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 900, "height": 1200})
            page.goto(summary.as_uri())
            assert page.get_by_text("Stage 1 of 4: Order Taker").is_visible()
            assert page.get_by_role("table", name="The five areas").is_visible()
            assert page.get_by_role("table", name="Data freshness").is_visible()
            # Nothing runs off the sheet sideways.
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            page.screenshot(path=str(shot), full_page=True)
        finally:
            browser.close()
    assert shot.stat().st_size > 10_000


def test_missing_playwright_names_the_extra_and_the_browser(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)  # import fails
    with pytest.raises(PdfError) as err:
        html_to_pdf("<p>x</p>")
    msg = str(err.value)
    assert "trustmeter[pdf]" in msg and "playwright install chromium" in msg
    out = demo / "never.pdf"
    r = CliRunner().invoke(cli, ["-w", str(demo), "report", "--pdf", str(out)])
    assert r.exit_code == 1 and "trustmeter[pdf]" in r.output and "Traceback" not in r.output
    assert not out.exists()


def test_a_chromium_path_that_is_not_there_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUSTMETER_CHROMIUM", "/nowhere/chromium")
    with pytest.raises(PdfError, match="TRUSTMETER_CHROMIUM names '/nowhere/chromium'"):
        html_to_pdf("<p>x</p>")


def test_a_long_page_is_scaled_onto_one_sheet() -> None:
    need_browser()
    html = "<html><body>" + "".join(f"<p>line {i}</p>" for i in range(150)) + "</body></html>"
    pdf = html_to_pdf(html, "letter")
    assert page_count(pdf) == 1
    assert "line149" in flat(text(pdf))


def test_no_chromium_at_all_names_both_ways_to_get_one(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    need_browser()  # Playwright itself is there; its browsers and the system's are not
    from trustmeter.report import pdf

    monkeypatch.setattr(pdf, "chromium_path", lambda: None)
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "no-browsers"))
    with pytest.raises(PdfError) as err:
        html_to_pdf("<p>x</p>")
    msg = str(err.value)
    assert msg.startswith("Chromium could not start")
    assert "playwright install chromium" in msg and "apt-get install chromium" in msg


def test_the_printing_page_runs_no_script_and_fetches_nothing() -> None:
    need_browser()
    html = (
        "<p>kept</p><script>document.body.textContent = 'script ran'</script>"
        "<img src='http://127.0.0.1:9/x.png'>"
    )
    words = flat(text(html_to_pdf(html)))
    assert "kept" in words and "scriptran" not in words
