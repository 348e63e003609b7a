"""The dashboard's "Order" page and its JSON twin: does the framework's order hold here?

The page lays out the same view as the report's section (report/ordering_view.py); the twin
`/ordering.json` is what `trustmeter ordering --json` prints, plus the current period's
predictability per delivery method and per team. The analysis scores the whole history, so
it is kept per data version (every import or survey answer starts afresh), period and
period kind.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from trustmeter.ordering import run
from trustmeter.periods import Period
from trustmeter.report.ordering_view import ordering_view
from trustmeter.scorecard.model import find_metric
from trustmeter.store import Store
from trustmeter.store.version import data_version
from trustmeter.usecases.scoring import scorer_for
from trustmeter.web.deps import PeriodDep, StateDep, UserDep, WebState, take_flashes
from trustmeter.web.views import DataResponse, page, twin

router = APIRouter(include_in_schema=False)
api_router = APIRouter(tags=["dashboard"], default_response_class=DataResponse)

Kind = Annotated[
    Literal["month", "quarter"] | None,
    Query(description="Period length of the history (default: the framework's)."),
]
_CACHE: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
_LOCK = threading.Lock()
_KEEP = 16


def ordering_data(state: WebState, period: Period, kind: str | None) -> dict[str, Any]:
    """`trustmeter ordering --json` for the history ending with `period`, and predictability
    per method and per team of that period."""
    chosen = kind or state.scorecards.period_kind
    period_kind: Literal["month", "quarter"] = "month" if chosen == "month" else "quarter"

    def compute(store: Store) -> dict[str, Any]:
        key = (str(state.workspace.root), data_version(store), period.end, period_kind)
        with _LOCK:
            if key in _CACHE:
                _CACHE.move_to_end(key)
                return _CACHE[key]
            ws = state.workspace
            scorer = scorer_for(ws, store, framework=state.scorecards.framework)
            out = run(scorer, period_kind, end=period.end).as_dict()
            _CACHE[key] = out
            while len(_CACHE) > _KEEP:
                _CACHE.popitem(last=False)
            return out

    data = dict(state.db.read(compute))
    card = state.scorecards.scorecard(period)
    m = find_metric(card.areas, "commitment_reliability")
    data["predictability"] = {
        "period": card.period.as_dict(),
        "by_kind": m.breakdown.get("by_kind", {}) if m else {},
        "by_team": m.breakdown.get("by_team", {}) if m else {},
    }
    return data


@api_router.get("/ordering.json", summary="Does the framework's order hold here?")
def ordering_json(
    state: StateDep, user: UserDep, period: PeriodDep, period_kind: Kind = None
) -> DataResponse:
    """The ordering analysis (docs/ordering.md) and predictability per method and team."""
    return twin(ordering_data(state, period, period_kind))


@router.get("/ordering", response_class=HTMLResponse)
def ordering_page(
    request: Request, state: StateDep, user: UserDep, period: PeriodDep, period_kind: Kind = None
) -> HTMLResponse:
    data = ordering_data(state, period, period_kind)
    view = ordering_view(data, state.scorecards.scorecard(period))
    as_of = request.query_params.get("as_of", "")
    query = str(request.url.query)
    nav = {
        "period": period.as_dict(),
        "last_day": (period.end - timedelta(days=1)).isoformat(),
        "as_of": as_of,
        "json_url": "/ordering.json" + (f"?{query}" if query else ""),
        "recent": [
            {"label": p.label, "as_of": p.end.isoformat()}
            for p in reversed(state.scorecards.recent_periods())
        ],
        "flashes": take_flashes(request),
    }
    return page(request, "ordering.html.j2", data, v={"ordering": view}, nav=nav, title="Order")
