"""The comparison page and its JSON twin: two periods side by side, every metric with its change
and whether that change is beyond the period-to-period noise.

`/compare?a=2026-Q2&b=2026-Q3` answers what `trustmeter compare 2026-Q2 2026-Q3` prints: the
same use case (usecases/comparing.py) on the app's cached Scorer, so the figures, changes and
verdicts are the CLI's. Without `a` and `b` it compares the period `as_of` picks with the one
before; the page links to the same period a year before. `/compare.json` sends
`Comparison.as_dict()` (docs/compare.md).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from trustmeter.periods import Period
from trustmeter.report.compare_view import compare_view
from trustmeter.scorecard.compare import Comparison
from trustmeter.usecases.comparing import period_named
from trustmeter.usecases.reporting import year_before
from trustmeter.web.deps import BadRequest, PeriodDep, StateDep, UserDep, WebState
from trustmeter.web.pages import nav_for
from trustmeter.web.views import DataResponse, page, twin

router = APIRouter(include_in_schema=False)
api_router = APIRouter(tags=["dashboard"], default_response_class=DataResponse)

PeriodName = Annotated[
    str | None,
    Query(
        description="A quarter (2026-Q2), a month (2026-05) or a date; default: the period "
        "before `b` for `a`, the period `as_of` picks for `b`.",
        examples=["2026-Q2"],
    ),
]


def _named(state: WebState, text: str | None, name: str) -> Period | None:
    if text is None or not text.strip():
        return None
    try:
        return period_named(text, state.scorecards.period_kind)
    except ValueError as exc:
        raise BadRequest(f"{name}={exc}") from None


def periods_of(
    state: WebState, period: Period, a: str | None, b: str | None
) -> tuple[Period, Period]:
    """The two periods asked for: `b` (else the `as_of` period) and `a` (else the one before)."""
    later = _named(state, b, "b") or period
    earlier = _named(state, a, "a") or later.previous()
    return earlier, later


def compare_data(state: WebState, a: Period, b: Period) -> Comparison:
    try:
        return state.scorecards.compare(a, b)
    except ValueError as exc:  # two kinds of period, or the same period twice
        raise BadRequest(str(exc)) from None


@api_router.get("/compare.json", summary="Two periods side by side")
def compare_json(
    state: StateDep, user: UserDep, period: PeriodDep, a: PeriodName = None, b: PeriodName = None
) -> DataResponse:
    """What `trustmeter compare A B --json` prints: every metric in both periods with its
    sample, change and noise verdict, the areas, the Trust Index and the stage."""
    first, second = periods_of(state, period, a, b)
    return twin(compare_data(state, first, second))


@router.get("/compare", response_class=HTMLResponse)
def compare_page(
    request: Request,
    state: StateDep,
    user: UserDep,
    period: PeriodDep,
    a: PeriodName = None,
    b: PeriodName = None,
) -> HTMLResponse:
    first, second = periods_of(state, period, a, b)
    data = compare_data(state, first, second)
    nav = nav_for(state, request, second, "/compare.json")
    ago = year_before(second)
    choices = {
        "previous": {"a": second.previous().label, "b": second.label},
        "year_ago": {"a": ago.label, "b": second.label} if ago is not None else None,
    }
    return page(
        request,
        "compare.html.j2",
        data,
        v=compare_view(data),
        nav=nav,
        choices=choices,
        chosen={"a": first.label, "b": second.label},
        recent=[p.label for p in reversed(state.scorecards.recent_periods(12))],
        title=f"{first.label} against {second.label}",
    )
