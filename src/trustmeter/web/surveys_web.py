"""Survey campaigns for signed-in users: list, create, links, close, response rates, results.

Viewers see campaigns, response rates and anonymised results; only admins create campaigns,
download links and close campaigns. The respondents' own pages are in `respond`.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from trustmeter import surveys
from trustmeter.store import campaigns as rows
from trustmeter.store.campaigns import CampaignRow
from trustmeter.web import campaigns, invitations, mail, results, survey_chart
from trustmeter.web.deps import (
    AdminDep,
    CsrfDep,
    StateDep,
    UserDep,
    WebState,
    flash,
    take_flashes,
)
from trustmeter.web.views import DataResponse, page, twin

router = APIRouter(include_in_schema=False)
# The invitation text and reminders (their own module, under the same prefix).
router.include_router(invitations.router)
api_router = APIRouter(tags=["surveys"], default_response_class=DataResponse)

KINDS = {"stakeholder": "Stakeholder trust survey", "team": "Team survey (anonymous)"}
DEFAULT_DAYS = 21


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def _campaign(state: WebState, campaign_id: str) -> CampaignRow:
    return invitations.campaign_or_404(state, campaign_id)


def _summary(c: CampaignRow, at: datetime) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "kind": c.kind,
        "state": c.state(at),
        "opens_at": c.opens_at.isoformat(),
        "closes_at": c.ends_at.isoformat(),
        # The last day answers are accepted (closes_at is the moment after it).
        "last_day": c.last_day.isoformat(),
        "created_by": c.created_by,
        "services": [{"id": s, "name": n} for s, n in c.service_list()],
    }


def list_data(state: WebState) -> dict[str, Any]:
    at = now()
    least = results.min_group(state.scorecards)
    out = []
    with state.db.connection() as store:
        for c in rows.list_campaigns(store):
            item = _summary(c, at)
            item["response"] = results.response_rates(store, c, least, at)
            out.append(item)
        imported = results.imported_campaigns(store, least, at)
    return {"campaigns": out, "imported": imported}


def campaign_data(state: WebState, campaign_id: str) -> dict[str, Any]:
    c = _campaign(state, campaign_id)
    at = now()
    least = results.min_group(state.scorecards)
    with state.db.connection() as store:
        return {
            "campaign": _summary(c, at),
            "response": results.response_rates(store, c, least, at),
        }


def results_data(state: WebState, campaign_id: str, group: str | None = None) -> dict[str, Any]:
    c = _campaign(state, campaign_id)
    with state.db.connection() as store:
        return results.results(store, state.scorecards, c, now(), group)


@api_router.get("/surveys.json", summary="Survey campaigns")
def surveys_json(state: StateDep, user: UserDep) -> DataResponse:
    """Every campaign with its state (scheduled, open, closed) and response rate, and the
    campaigns imported as survey exports (`imported`: respondents once readable)."""
    return twin(list_data(state))


@api_router.get("/surveys/{campaign_id}.json", summary="One campaign and its response rates")
def campaign_json(campaign_id: str, state: StateDep, user: UserDep) -> DataResponse:
    """Invited and answered, overall and by business unit (stakeholder survey) or team: while
    the campaign is open, only the overall count, in steps of `min_group`; once closed, per
    group as the anonymity rule allows."""
    return twin(campaign_data(state, campaign_id))


@api_router.get("/surveys/{campaign_id}/results.json", summary="A campaign's results")
def results_json(
    campaign_id: str, state: StateDep, user: UserDep, group: str | None = None
) -> DataResponse:
    """The survey metrics as they read this campaign, every question's figure
    (`questions`), importance against satisfaction per service (`services`, `gaps` named),
    the change since the previous campaign of the survey, and its comments, with the
    anonymity rules applied: nothing until the campaign has closed with at least `min_group`
    respondents, no group below it, no group that subtraction would reveal. `ready` says
    whether results are shown yet. `?group=` gives one business unit's (or team's) view, for
    the groups listed in `groups`; any other is a 404."""
    return twin(results_data(state, campaign_id, group))


@router.get("/surveys", response_class=HTMLResponse)
def surveys_page(request: Request, state: StateDep, user: UserDep) -> HTMLResponse:
    data = list_data(state)
    return page(
        request,
        "surveys.html.j2",
        data,
        kinds=KINDS,
        flashes=take_flashes(request),
        title="Surveys",
    )


def _form_defaults(state: WebState) -> dict[str, Any]:
    today = date.today()
    with state.db.connection() as store:
        catalogue = campaigns.services(store)
        counts = {
            "stakeholder": len(campaigns.invitees(store, surveys.STAKEHOLDER)),
            "key": len(campaigns.invitees(store, surveys.STAKEHOLDER, key_only=True)),
            "team": len(campaigns.invitees(store, surveys.TEAM, today=today)),
        }
    return {
        "name": "",
        "kind": "stakeholder",
        "audience": "all",
        "opens": today.isoformat(),
        "closes": (today + timedelta(days=DEFAULT_DAYS)).isoformat(),
        "services": [s for s, _ in catalogue],
        "catalogue": catalogue,
        "counts": counts,
        "errors": {},
    }


@router.get("/surveys/new", response_class=HTMLResponse)
def new_page(request: Request, state: StateDep, user: AdminDep) -> HTMLResponse:
    return page(
        request,
        "survey_new.html.j2",
        _form_defaults(state),
        kinds=KINDS,
        title="New survey campaign",
    )


@router.post("/surveys/new", dependencies=[CsrfDep], response_model=None)
async def create(request: Request, state: StateDep, user: AdminDep) -> Response:
    form = await request.form()
    data = _form_defaults(state)
    data.update(
        name=str(form.get("name", "")).strip(),
        kind=str(form.get("kind", "")),
        audience=str(form.get("audience", "all")),
        opens=str(form.get("opens", "")),
        closes=str(form.get("closes", "")),
        services=[str(s) for s in form.getlist("services")],
    )
    errors: dict[str, str] = {}
    if not data["name"] or len(data["name"]) > 80:
        errors["name"] = "Give the campaign a name of up to 80 characters, e.g. 2026-Q4."
    if data["kind"] not in KINDS:
        errors["kind"] = "Choose which survey to run."
    opens = closes = None
    try:
        opens = date.fromisoformat(data["opens"])
    except ValueError:
        errors["opens"] = "Enter the first day as a date, e.g. 2026-11-24."
    try:
        closes = date.fromisoformat(data["closes"])
    except ValueError:
        errors["closes"] = "Enter the last day as a date, e.g. 2026-12-15."
    if opens and closes and closes < opens:
        errors["closes"] = "The last day must be on or after the first day."
    known = {s for s, _ in data["catalogue"]}
    chosen = [s for s in data["services"] if s in known]
    with state.db.connection() as store:
        if data["name"] and rows.name_taken(store, data["name"]):
            errors["name"] = (
                "A campaign with this name exists already: survey results are "
                "grouped by campaign name, so each needs its own."
            )
        people = []
        if data["kind"] in KINDS:
            people = campaigns.invitees(
                store, data["kind"], key_only=data["audience"] == "key", today=date.today()
            )
            if not people:
                what = "stakeholders" if data["kind"] == "stakeholder" else "people (IT staff)"
                errors["kind"] = f"There is no one to invite: import {what} first."
    if errors or opens is None or closes is None:
        data["errors"] = errors
        return page(
            request,
            "survey_new.html.j2",
            data,
            kinds=KINDS,
            status_code=400,
            title="New survey campaign",
        )
    catalogue = dict(data["catalogue"])
    at = now()
    c = CampaignRow(
        id=campaigns.slug(data["name"]),
        name=data["name"],
        kind=data["kind"],
        opens_at=datetime(opens.year, opens.month, opens.day),
        # Open through the whole last day.
        closes_at=datetime(closes.year, closes.month, closes.day) + timedelta(days=1),
        services=json.dumps([[s, catalogue[s]] for s in chosen])
        if data["kind"] == "stakeholder"
        else None,
        created_by=user.username,
        created_at=at,
        closed_early_at=None,
    )
    with state.db.writing() as store:
        campaigns.create(store, c, people, at)
    flash(
        request,
        f"Campaign created with {len(people)} invitations. Download the links below to send them.",
    )
    warning = campaigns.group_warning(people, results.min_group(state.scorecards), c.kind)
    if warning:
        flash(request, warning, "error")
    return RedirectResponse(f"/surveys/{c.id}", status_code=303)


@router.get("/surveys/{campaign_id}", response_class=HTMLResponse)
def campaign_page(
    campaign_id: str, request: Request, state: StateDep, user: UserDep
) -> HTMLResponse:
    data = campaign_data(state, campaign_id)
    smtp = mail.smtp_settings(state.workspace) if user.is_admin else None
    text = None
    if user.is_admin:
        c = _campaign(state, campaign_id)
        with state.db.connection() as store:
            own = invitations.text_of(store, c)
        text = invitations.preview(own, c, invitations.base_url(state, request))
    return page(
        request,
        "survey_campaign.html.j2",
        data,
        kinds=KINDS,
        smtp_host=smtp.host if smtp else None,
        invitation=text,
        flashes=take_flashes(request),
        title=data["campaign"]["name"],
    )


@router.post("/surveys/{campaign_id}/links.csv", dependencies=[CsrfDep])
def links(campaign_id: str, request: Request, state: StateDep, user: AdminDep) -> Response:
    c = _campaign(state, campaign_id)
    with state.db.writing() as store:
        issued = campaigns.issue_links(store, c, invitations.base_url(state, request), now())
    filename = f"{c.id}-links.csv"
    return Response(
        campaigns.links_csv(issued),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post("/surveys/{campaign_id}/email", dependencies=[CsrfDep])
def email_links(
    campaign_id: str, request: Request, state: StateDep, user: AdminDep
) -> RedirectResponse:
    c = _campaign(state, campaign_id)
    result = invitations.send_links(state, request, c, reminder=False)
    if isinstance(result, str):
        flash(request, result, "error")
        return RedirectResponse(f"/surveys/{c.id}", status_code=303)
    sent = result
    failed = sent.failed or []
    text = f"Sent {sent.sent} invitation{'s' if sent.sent != 1 else ''} by email."
    if failed:
        text += f" {len(failed)} could not be sent: {', '.join(failed[:10])}."
    flash(request, text, "error" if failed else "ok")
    return RedirectResponse(f"/surveys/{c.id}", status_code=303)


@router.post("/surveys/{campaign_id}/close", dependencies=[CsrfDep])
def close(campaign_id: str, request: Request, state: StateDep, user: AdminDep) -> RedirectResponse:
    c = _campaign(state, campaign_id)
    with state.db.writing() as store:
        rows.close_campaign(store, c.id, now())
    flash(request, "The campaign is closed: its links no longer accept answers.")
    return RedirectResponse(f"/surveys/{c.id}", status_code=303)


@router.get("/surveys/{campaign_id}/results", response_class=HTMLResponse)
def results_page(
    campaign_id: str, request: Request, state: StateDep, user: UserDep, group: str | None = None
) -> HTMLResponse:
    data = results_data(state, campaign_id, group)
    where = f" ({group})" if group is not None else ""
    return page(
        request,
        "survey_results.html.j2",
        data,
        kinds=KINDS,
        chart=survey_chart.services_chart(data["services"]),
        title=f"Results: {data['campaign']['name']}{where}",
    )
