"""The dashboard's HTML pages. Each renders the data its JSON twin in `api` returns.

The templates lay out the report's view of the scorecard (`views.scorecard_view`), so a
figure reads the same here, in the HTML report and in the terminal.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from trustmeter.periods import Period
from trustmeter.report.metric_trend import metric_trend
from trustmeter.scorecard.samples import sample_phrase
from trustmeter.web import api
from trustmeter.web.deps import PeriodDep, StateDep, UserDep, WebState, take_flashes
from trustmeter.web.views import page, scorecard_view

router = APIRouter(include_in_schema=False)
# How many periods a metric page's trend shows.
TREND_PERIODS = 8


def nav_for(state: WebState, request: Request, period: Period, json_path: str) -> dict[str, Any]:
    """The period bar and the link to the page's JSON twin."""
    as_of = request.query_params.get("as_of", "")
    query = str(request.url.query)
    return {
        "period": period.as_dict(),
        "last_day": (period.end - timedelta(days=1)).isoformat(),
        "as_of": as_of,
        "json_url": json_path + (f"?{query}" if query else ""),
        "qs": f"?as_of={as_of}" if as_of else "",
        "recent": [
            {"label": p.label, "as_of": p.end.isoformat()}
            for p in reversed(state.scorecards.recent_periods())
        ],
        "flashes": take_flashes(request),
    }


@router.get("/")
def home(request: Request) -> RedirectResponse:
    query = str(request.url.query)
    return RedirectResponse("/scorecard" + (f"?{query}" if query else ""), status_code=303)


@router.get("/scorecard", response_class=HTMLResponse)
def scorecard_page(
    request: Request, state: StateDep, user: UserDep, period: PeriodDep
) -> HTMLResponse:
    card = api.scorecard_data(state, period)
    previous = api.scorecard_data(state, period.previous())
    view = scorecard_view(card, [previous, card])
    nav = nav_for(state, request, period, "/scorecard.json")
    return page(
        request,
        "scorecard.html.j2",
        card,
        v=view,
        nav=nav,
        blocking=card.blocking_areas(),
        title="Scorecard",
    )


@router.get("/areas/{area_id}", response_class=HTMLResponse)
def area_page(
    area_id: str, request: Request, state: StateDep, user: UserDep, period: PeriodDep
) -> HTMLResponse:
    data = api.area_data(state, period, area_id)
    card = api.scorecard_data(state, period)
    table = next(t for t in scorecard_view(card)["tables"] if t["id"] == area_id)
    nav = nav_for(state, request, period, f"/areas/{area_id}.json")
    return page(request, "area.html.j2", data, table=table, nav=nav, title=data["area"].name)


@router.get("/metrics/{metric_id}", response_class=HTMLResponse)
def metric_page(
    metric_id: str,
    request: Request,
    state: StateDep,
    user: UserDep,
    period: PeriodDep,
    limit: api.Limit = 100,
) -> HTMLResponse:
    data = api.metric_data(state, period, metric_id, limit)
    card = api.scorecard_data(state, period)
    area = card.area(data.metric.area)
    nav = nav_for(state, request, period, f"/metrics/{metric_id}.json")
    # The last periods of this metric, from the trend the Trends page also reads (cached).
    trend = metric_trend(state.scorecards.trend(period, TREND_PERIODS), metric_id)
    return page(
        request,
        "metric.html.j2",
        data,
        area=area,
        nav=nav,
        trend=trend,
        sample=sample_phrase(data.metric),
        title=data.metric.name,
    )


@router.get("/trends", response_class=HTMLResponse)
def trends_page(
    request: Request,
    state: StateDep,
    user: UserDep,
    period: PeriodDep,
    periods: api.Periods = 8,
) -> HTMLResponse:
    data = api.trend_data(state, period, periods)
    view = scorecard_view(data["periods"][-1], data["periods"])
    nav = nav_for(state, request, period, "/trends.json")
    return page(request, "trends.html.j2", data, v=view, nav=nav, count=periods, title="Trends")


@router.get("/perception", response_class=HTMLResponse)
def perception_page(
    request: Request, state: StateDep, user: UserDep, period: PeriodDep
) -> HTMLResponse:
    data = api.perception_data(state, period)
    view = scorecard_view(api.scorecard_data(state, period))
    nav = nav_for(state, request, period, "/perception.json")
    return page(request, "perception.html.j2", data, v=view, nav=nav, title="Perception")
