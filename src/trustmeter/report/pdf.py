"""Print an HTML page to a one-page PDF with Chromium, through Playwright (the `pdf` extra).

Why Chromium: the one-pager is already a self-contained HTML page that the browser tests
render, so the PDF is exactly what a reader sees on screen, with the same fonts and CSS grid;
WeasyPrint would be a second layout engine with its own gaps (no CSS grid before v62) and
system libraries (Pango) to install. Playwright drives either the system's Chromium (Debian's
/usr/bin/chromium, or the path in TRUSTMETER_CHROMIUM) or the one `playwright install
chromium` downloads.

"One page" is a promise: the page is measured at the paper's printable width, scaled down
when it would run over, and the PDF's pages are counted before it is returned.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any, Literal

from trustmeter.errors import TrustmeterError

Paper = Literal["a4", "letter"]
# Playwright's format name and the sheet's width and height in millimetres.
PAPERS: dict[str, tuple[str, float, float]] = {
    "a4": ("A4", 210.0, 297.0),
    "letter": ("Letter", 215.9, 279.4),
}
MARGIN_MM = 10.0
PX_PER_MM = 96 / 25.4
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
SYSTEM_CHROMIUMS = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
HOW_TO_INSTALL = (
    "install the extra with `pip install 'trustmeter[pdf]'`, then either run "
    "`playwright install chromium` or install the system's Chromium (Debian: "
    "`apt-get install chromium`; another path can be given in TRUSTMETER_CHROMIUM)"
)


class PdfError(TrustmeterError):
    """The PDF could not be printed: the extra or a browser is missing, or the page ran over."""


def chromium_path() -> str | None:
    """The Chromium to use: TRUSTMETER_CHROMIUM, else a system one; None for Playwright's own."""
    named = os.environ.get("TRUSTMETER_CHROMIUM")
    if named:
        if not Path(named).is_file():
            raise PdfError(f"TRUSTMETER_CHROMIUM names {named!r}, which is not a file")
        return named
    for candidate in SYSTEM_CHROMIUMS:
        if Path(candidate).is_file():
            return candidate
    return shutil.which("chromium")


def page_count(pdf: bytes) -> int:
    """The number of page objects in a PDF (Chromium writes them uncompressed)."""
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", pdf))


def html_to_pdf(html: str, paper: Paper = "a4") -> bytes:
    """`html` printed on one sheet of `paper`, backgrounds included."""
    if paper not in PAPERS:
        raise PdfError(f"paper {paper!r} is not known; expected one of {', '.join(PAPERS)}")
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise PdfError(
            f"printing a PDF needs Playwright, which is not installed: {HOW_TO_INSTALL}"
        ) from exc
    fmt, width_mm, height_mm = PAPERS[paper]
    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        except PlaywrightError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise PdfError(f"Chromium could not start ({first}): {HOW_TO_INSTALL}") from exc
        try:
            # The page needs neither scripts nor the network; with both off, nothing in the
            # data could run or fetch anything even if it escaped the templates' escaping.
            page = browser.new_context(java_script_enabled=False, offline=True).new_page()
            page.set_content(html, wait_until="load")
            page.emulate_media(media="print")
            scale = _fit_scale(page, width_mm, height_mm)
            margin = f"{MARGIN_MM}mm"
            for _ in range(5):
                pdf: bytes = page.pdf(
                    format=fmt,
                    print_background=True,
                    scale=scale,
                    margin={"top": margin, "right": margin, "bottom": margin, "left": margin},
                )
                if page_count(pdf) == 1:
                    return pdf
                scale = max(0.1, scale * 0.9)
        finally:
            browser.close()
    raise PdfError(f"the page does not fit on one {fmt} sheet even at {scale:.0%} scale")


def _fit_scale(page: Any, width_mm: float, height_mm: float) -> float:
    """The scale at which the page's height fits the printable height (at most 1)."""
    width = (width_mm - 2 * MARGIN_MM) * PX_PER_MM
    height = (height_mm - 2 * MARGIN_MM) * PX_PER_MM
    page.set_viewport_size({"width": int(width), "height": int(height)})
    content = float(page.evaluate("document.documentElement.scrollHeight"))
    if content <= height:
        return 1.0
    return max(0.1, round(height / content * 0.98, 3))
