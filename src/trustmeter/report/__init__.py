"""The executive report: one self-contained HTML file built from scorecard objects.

`render_html(current, trend)` takes the object `trustmeter score --json` prints (and the list
`trend --json` prints) and returns a complete HTML document with inline CSS and inline SVG
charts. It fetches nothing, so the file opens offline; every piece of text that comes from
the data is HTML-escaped. See docs/report.md.
"""

from trustmeter.report.html import DEFAULT_TITLE, render_html

__all__ = ["DEFAULT_TITLE", "render_html"]
