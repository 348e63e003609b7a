"""The admin page of the hands-off refresh: each declared source's schedule, when it last
synced, how many records, what failed, and the digest's; `GET /admin/refresh(.json)`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from trustmeter.web.deps import AdminDep
from trustmeter.web.scheduler import Scheduler, schedule_of
from trustmeter.web.views import page, twin

router = APIRouter(include_in_schema=False)


def _status(request: Request) -> dict[str, Any]:
    scheduler: Scheduler | None = getattr(request.app.state, "scheduler", None)
    if scheduler is not None:
        return {**scheduler.status(), "active": True}
    # An app started otherwise than by `serve` runs no schedule: what is declared, and the
    # logs, all the same.
    state = request.app.state.web
    return {**Scheduler(state, schedule_of(state.workspace)).status(), "active": False}


@router.get("/admin/refresh.json")
def refresh_json(request: Request, user: AdminDep) -> JSONResponse:
    return twin(_status(request))


@router.get("/admin/refresh", response_class=HTMLResponse)
def refresh_page(request: Request, user: AdminDep) -> HTMLResponse:
    return page(request, "refresh.html.j2", _status(request), title="Scheduled refresh")
