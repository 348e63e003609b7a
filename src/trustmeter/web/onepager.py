"""The dashboard's download of the executive one-pager, as HTML or as a one-page PDF.

`GET /report/summary?as_of=…` answers the same page `trustmeter report --summary` writes;
`GET /report/summary.pdf?as_of=…&paper=a4|letter` the same PDF as `report --pdf`. The three
scorecards come from the app's scorecard cache, so a download after the dashboard costs the
rendering (and, for the PDF, the start of Chromium). Signed-in users only.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from trustmeter.periods import Period
from trustmeter.report.onepager import OnePagerInput, render_onepager
from trustmeter.report.pdf import html_to_pdf
from trustmeter.store.freshness import records_end
from trustmeter.usecases.reporting import year_before
from trustmeter.web.deps import PeriodDep, StateDep, UserDep, WebState

router = APIRouter()


def summary_page(state: WebState, period: Period) -> tuple[str, str]:
    """The one-pager's HTML for `period` and its file name (the scheduled digest too)."""
    cards = state.scorecards
    ago = year_before(period)
    ws = state.workspace
    data = OnePagerInput(
        current=cards.scorecard(period),
        previous=cards.scorecard(period.previous()),
        year_ago=cards.scorecard(ago) if ago is not None else None,
        freshness=state.db.read(lambda store: records_end(store, ws.timezone)),
        title=f"{ws.name}: IT trust on one page",
    )
    return render_onepager(data), f"trustmeter-summary-{period.label}"


@router.get("/report/summary", response_class=HTMLResponse)
def summary_html(state: StateDep, user: UserDep, period: PeriodDep) -> HTMLResponse:
    html, _ = summary_page(state, period)
    return HTMLResponse(html)


@router.get("/report/summary.pdf")
def summary_pdf(
    state: StateDep,
    user: UserDep,
    period: PeriodDep,
    paper: Annotated[Literal["a4", "letter"], Query(description="The paper size.")] = "a4",
) -> Response:
    # A plain `def`: FastAPI runs it in a worker thread, where Playwright's sync API may run.
    html, name = summary_page(state, period)
    return Response(
        html_to_pdf(html, paper),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
    )
