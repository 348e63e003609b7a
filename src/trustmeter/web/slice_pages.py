"""Slice pages: per business unit, service and team ("how is IT serving Finance", "which
services hurt most", "which team is overloaded").

`/slices/{kind}` (unit, service or team) lists every slice of that kind the records name, worst
first, each with its headline figures and a one-sentence synthesis across areas;
`/slices/{kind}/{name}` shows one slice's scorecard (what `score --unit|--service|--team`
computes), its top three focus items, and the metrics the slice leaves out with the reason.
Each has a JSON twin with `.json` added. The scorecards come from the app's cache, one Scorer
per slice (web/scorecards.py); nothing here computes a figure.
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from trustmeter.periods import Period
from trustmeter.report.onepager_focus import focus_items
from trustmeter.report.plain import plain_text
from trustmeter.report.slices_view import (
    KIND_PLURAL,
    KIND_WORDS,
    order_rows,
    slice_row,
    synthesis_sentence,
)
from trustmeter.scorecard.focus import slice_synthesis
from trustmeter.scorecard.samples import sample_phrase
from trustmeter.usecases.slicing import SliceName, find_slice
from trustmeter.web.api import NotFound
from trustmeter.web.deps import PeriodDep, StateDep, UserDep, WebState
from trustmeter.web.pages import nav_for
from trustmeter.web.views import DataResponse, page, scorecard_view, twin

router = APIRouter(include_in_schema=False)
api_router = APIRouter(tags=["dashboard"], default_response_class=DataResponse)

Kind = Literal["unit", "service", "team"]


def slice_href_of(kind: str, name: str) -> str:
    return f"/slices/{kind}/{quote(name, safe='')}"


def slice_href(n: SliceName) -> str:
    return slice_href_of(n.slice.kind, n.slice.name)


def index_data(state: WebState, period: Period, kind: Kind) -> dict[str, Any]:
    """Every slice of `kind` with its headline figures and synthesis, worst first."""
    cards = state.scorecards
    department = cards.scorecard(period)
    rows = []
    for n in cards.slice_names()[kind]:
        card = cards.sliced(n.slice, period)
        synthesis = slice_synthesis(card, department)
        rows.append(slice_row(card, synthesis, n.label, slice_href(n)))
    return {
        "kind": kind,
        "period": period.as_dict(),
        "slices": order_rows(rows),
    }


def slice_data(state: WebState, period: Period, kind: Kind, name: str) -> dict[str, Any]:
    found = find_slice(state.scorecards.slice_names(), kind, name)
    if found is None:
        raise NotFound(f"no {KIND_WORDS[kind]} {name!r} in the records")
    card = state.scorecards.sliced(found.slice, period)
    synthesis = slice_synthesis(card, state.scorecards.scorecard(period))
    left_out = card.slice.left_out if card.slice is not None else {}
    names = {m.id: m.name for m in card.metrics()}
    return {
        "kind": kind,
        "name": found.slice.name,
        "label": found.label,
        "synthesis": synthesis_sentence(synthesis, found.label),
        "verdict": synthesis.verdict,
        "focus": focus_items(card, 3),
        "left_out": [
            {"id": mid, "name": names.get(mid, mid), "reason": plain_text(why)}
            for mid, why in left_out.items()
        ],
        "scorecard": card,
    }


@api_router.get("/slices/{kind}.json", summary="Every business unit, service or team")
def index_json(kind: Kind, state: StateDep, user: UserDep, period: PeriodDep) -> DataResponse:
    """Each slice of the kind with its area scores, key figures and a one-sentence synthesis
    across areas, the slices with most figures at their floor first."""
    return twin(index_data(state, period, kind))


@api_router.get("/slices/{kind}/{name:path}.json", summary="One business unit, service or team")
def slice_json(
    kind: Kind, name: str, state: StateDep, user: UserDep, period: PeriodDep
) -> DataResponse:
    """The slice's scorecard object (with `slice`: the metrics it leaves out and why), its
    synthesis sentence and top three focus items."""
    return twin(slice_data(state, period, kind, name))


@router.get("/slices")
def slices_home(request: Request) -> RedirectResponse:
    query = str(request.url.query)
    return RedirectResponse("/slices/unit" + (f"?{query}" if query else ""), status_code=303)


@router.get("/slices/{kind}", response_class=HTMLResponse)
def index_page(
    kind: Kind, request: Request, state: StateDep, user: UserDep, period: PeriodDep
) -> HTMLResponse:
    data = index_data(state, period, kind)
    nav = nav_for(state, request, period, f"/slices/{kind}.json")
    return page(
        request,
        "slices.html.j2",
        data,
        nav=nav,
        kinds=KIND_PLURAL,
        title=f"By {KIND_WORDS[kind]}",
    )


@router.get("/slices/{kind}/{name:path}", response_class=HTMLResponse)
def slice_page(
    kind: Kind, name: str, request: Request, state: StateDep, user: UserDep, period: PeriodDep
) -> HTMLResponse:
    data = slice_data(state, period, kind, name)
    card = data["scorecard"]
    view = scorecard_view(card)
    nav = nav_for(state, request, period, f"{slice_href_of(kind, data['name'])}.json")
    return page(
        request,
        "slice.html.j2",
        data,
        v=view,
        nav=nav,
        kinds=KIND_PLURAL,
        kind_word=KIND_WORDS[kind],
        samples={m.id: sample_phrase(m) for m in card.metrics()},
        title=f"{data['label']} ({KIND_WORDS[kind]})",
    )
