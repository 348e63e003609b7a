"""The dashboard's data: one builder per page, and the page's JSON twin (`….json`).

Each builder returns what its HTML page renders (the scorecard object, or a dict of its
parts); the twin sends the same data as JSON, each scorecard object as its `as_dict()`. The
scorecard twin is the scorecard object itself (docs/scorecard-json.md), and the trend twin is
what `trustmeter trend --json` prints. Nothing here computes a figure: the builders only pick
from the scorecard and from `explain`. The OpenAPI description is served at /api/openapi.json.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from trustmeter.metrics.catalogue import all_metrics
from trustmeter.periods import Period
from trustmeter.scorecard.explain import Explanation
from trustmeter.scorecard.model import Scorecard
from trustmeter.web.deps import PeriodDep, StateDep, UserDep, WebState
from trustmeter.web.views import DataResponse, twin

router = APIRouter(tags=["dashboard"], default_response_class=DataResponse)


class NotFound(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


Limit = Annotated[int, Query(ge=1, le=1000, description="How many records to return.")]
Periods = Annotated[int, Query(ge=1, le=40, description="How many periods, oldest first.")]


def scorecard_data(state: WebState, period: Period) -> Scorecard:
    return state.scorecards.scorecard(period)


def area_data(state: WebState, period: Period, area_id: str) -> dict[str, Any]:
    card = state.scorecards.scorecard(period)
    area = card.area(area_id)
    if area is None:
        known = ", ".join(a.id for a in card.areas)
        raise NotFound(f"no area {area_id!r}; the areas are {known}")
    return {
        "workspace": card.workspace,
        "period": card.period,
        "generated_at": card.generated_at,
        "area": area,
        "blocked_by": [b for b in card.stage.blocked_by if b.target == area_id],
        "areas": [{"id": a.id, "name": a.name} for a in card.areas],
    }


def metric_data(state: WebState, period: Period, metric_id: str, limit: int) -> Explanation:
    if metric_id not in all_metrics() or metric_id not in state.scorecards.framework.metrics:
        raise NotFound(f"no metric {metric_id!r}")
    return state.scorecards.explain(metric_id, period, limit)


def trend_data(state: WebState, last: Period, count: int) -> dict[str, list[Scorecard]]:
    return {"periods": state.scorecards.trend(last, count)}


def perception_data(state: WebState, period: Period) -> dict[str, Any]:
    card = state.scorecards.scorecard(period)
    return {
        "workspace": card.workspace,
        "period": card.period,
        "perception": card.perception,
        "threshold": state.scorecards.framework.params.get("perception_threshold"),
    }


@router.get("/scorecard.json", summary="The scorecard object")
def scorecard_json(state: StateDep, user: UserDep, period: PeriodDep) -> DataResponse:
    """Metrics, area scores, stage and ladder, Trust and Predictability indices, next focus and
    perception for one period: the object `trustmeter score --json` prints."""
    return twin(scorecard_data(state, period))


@router.get("/areas/{area_id}.json", summary="One area of the scorecard")
def area_json(area_id: str, state: StateDep, user: UserDep, period: PeriodDep) -> DataResponse:
    """The area's score, coverage and every metric with its value, sample, status and
    evidence, and the stage conditions on this area that fail."""
    return twin(area_data(state, period, area_id))


@router.get("/metrics/{metric_id}.json", summary="A metric and the records behind it")
def metric_json(
    metric_id: str, state: StateDep, user: UserDep, period: PeriodDep, limit: Limit = 100
) -> DataResponse:
    """What `trustmeter explain METRIC --json` prints: the metric's scorecard entry and up to
    `limit` of the records it was computed from (`records.columns`, `records.rows`,
    `records.total`). Survey records carry the response id, item and value, never the group
    or the respondent."""
    return twin(metric_data(state, period, metric_id, limit))


@router.get("/trends.json", summary="One scorecard per period")
def trends_json(
    state: StateDep, user: UserDep, period: PeriodDep, periods: Periods = 8
) -> DataResponse:
    """`{"periods": [scorecard, …]}`, oldest first, ending with the period `as_of` selects:
    what `trustmeter trend --json` prints."""
    return twin(trend_data(state, period, periods))


@router.get("/perception.json", summary="Perception against measurement")
def perception_json(state: StateDep, user: UserDep, period: PeriodDep) -> DataResponse:
    """The quadrant: stakeholder-rated reliability against the measured stability and
    delivery scores. `perception` is null unless both exist."""
    return twin(perception_data(state, period))
