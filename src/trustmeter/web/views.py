"""One data object per page, sent either as JSON (the `.json` twin) or into a template.

Templates get the report's view of a scorecard (`trustmeter.report.html.build_view`: every
figure formatted, every missing value decided) and its chart macros, so the dashboard and
the HTML report show the same thing the same way. Autoescape is on for every template and
nothing is marked safe: names, titles, comments and evidence from the data reach the page
escaped. Pages carry no script at all, which the Content-Security-Policy enforces.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, JSONResponse
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader, StrictUndefined

from trustmeter import __version__
from trustmeter.report import html as report_view
from trustmeter.scorecard.model import Scorecard

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Survey links carry their token in the path: never send it on as a Referer.
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@cache
def environment() -> Environment:
    env = Environment(
        loader=ChoiceLoader(
            [
                PackageLoader("trustmeter.web", "templates"),
                PrefixLoader({"report": PackageLoader("trustmeter.report", "templates")}),
            ]
        ),
        autoescape=True,  # every template, whatever its name; never disabled
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        value=report_view.fmt_value,
        score=report_view.fmt_score,
        num=report_view.fmt_num,
        pct=report_view.fmt_pct,
        date=report_view.fmt_date,
        timestamp=report_view.fmt_timestamp,
        status=lambda s: report_view.STATUS_LABELS.get(str(s), str(s)),
        cell=cell,
        heading=lambda c: str(c).replace("_", " "),
    )
    env.globals["version"] = __version__
    return env


_ISO = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2}(\.\d+)?)?$")


def cell(v: Any) -> str:
    """A record's value in a drill-down table: times to the minute, numbers as the report does."""
    if v is None:
        return report_view.DASH
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int | float):
        return report_view.fmt_num(v)
    text = str(v)
    m = _ISO.match(text)
    if m:
        return f"{m.group(1)} {m.group(2)}"
    return text


def scorecard_view(card: Scorecard, trend: Sequence[Scorecard] | None = None) -> Any:
    """The report's formatted view of a scorecard (and, for charts, its trend)."""
    return report_view.build_view(card, trend or [card], "IT trust scorecard")


def page(
    request: Request, template: str, data: Any, status_code: int = 200, **extra: Any
) -> HTMLResponse:
    """Render `template` with the page's data (`d`: a dict, or a scorecard object whose
    attributes the template reads) and what the layout needs."""
    context = {
        "request": request,
        "d": data,
        "user": getattr(request.state, "user", None),
        "csrf": getattr(request.state, "csrf", ""),
        "workspace": request.app.state.web.workspace.name,
        "path": request.url.path,
        "title": "Sign in" if template == "login.html.j2" else "trustmeter",
        **extra,
    }
    body = environment().get_template(template).render(context)
    return HTMLResponse(body, status_code=status_code)


class DataResponse(JSONResponse):
    """JSON as `score --json` prints it: dates and other values as their text."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, default=str, ensure_ascii=False).encode("utf-8")


def jsonable(v: Any) -> Any:
    """The JSON form of a page's data: scorecard objects (and anything else with `as_dict`)
    as their `as_dict()`, inside dicts and lists too."""
    if hasattr(v, "as_dict"):
        return v.as_dict()
    if isinstance(v, dict):
        return {k: jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [jsonable(x) for x in v]
    return v


def twin(data: Any, status_code: int = 200) -> DataResponse:
    return DataResponse(jsonable(data), status_code=status_code)
