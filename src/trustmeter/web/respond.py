"""The respondent's pages: `/s/{token}`. No account, no cookie; the token is the credential.

A link that is unknown, used, not yet open or closed says so in plain words. The form is
plain HTML (no script): every question is a fieldset with a legend, every choice a labelled
radio button, so it works on a phone, with the keyboard alone and with a screen reader.
"Save and come back" keeps the answers under a key derived from the token until the
campaign closes; "Send" uses up the link in one transaction and writes the response in
another (given the link back if that fails), so that no transaction joins the two.
"""

from __future__ import annotations

import hmac
import re
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from trustmeter import surveys
from trustmeter.store import campaigns as rows
from trustmeter.store.campaigns import CampaignRow, InvitationRow
from trustmeter.web import campaigns
from trustmeter.web.deps import StateDep, WebState
from trustmeter.web.surveys_web import now
from trustmeter.web.views import page

router = APIRouter(include_in_schema=False)
MAX_TOKEN = 200


def _lookup(state: WebState, token: str) -> tuple[InvitationRow | None, CampaignRow | None]:
    if len(token) > MAX_TOKEN:
        return None, None
    with state.db.connection() as store:
        inv = rows.find_invitation(store, campaigns.token_hash(token))
        c = rows.get_campaign(store, inv.campaign_id) if inv else None
    return inv, c


def _message(request: Request, heading: str, text: str, status: int) -> HTMLResponse:
    data = {"heading": heading, "text": text}
    return page(request, "respond_message.html.j2", data, status_code=status, title=heading)


def _refusal(
    request: Request, inv: InvitationRow | None, c: CampaignRow | None, at: datetime
) -> HTMLResponse | None:
    if inv is None or c is None:
        return _message(
            request,
            "This survey link is not valid",
            "Check that you opened the whole link from your invitation. If it still does not "
            "work, ask the person who invited you for a new link.",
            404,
        )
    if inv.used_at is not None:
        return _message(
            request,
            "This link has already been used",
            "Answers were already sent with this link, and each link can be used once. "
            "Thank you for taking part.",
            410,
        )
    state = c.state(at)
    if state == "closed":
        return _message(
            request,
            "This survey has closed",
            f"The survey closed on {c.last_day:%d %B %Y}, so it no longer accepts answers.",
            410,
        )
    if state == "scheduled":
        return _message(
            request,
            "This survey has not opened yet",
            f"It opens on {c.opens_at:%d %B %Y}. Please use the same link then.",
            403,
        )
    return None


def _form(
    request: Request,
    state: WebState,
    c: CampaignRow,
    token: str,
    values: dict[str, Any],
    errors: dict[str, str],
    attributed: bool,
    status: int = 200,
    saved_at: datetime | None = None,
) -> HTMLResponse:
    data = {
        "campaign": {"name": c.name, "kind": c.kind, "closes": f"{c.last_day:%d %B %Y}"},
        "questions": _questions(campaigns.items(c)),
        "values": {k: _shown(v) for k, v in values.items()},
        "errors": errors,
        "attributed": attributed,
        "saved_at": f"{saved_at:%d %B %Y, %H:%M} UTC" if saved_at else None,
        "form_token": state.sign("survey", campaigns.token_hash(token)),
    }
    title = "Your view of IT" if c.kind == surveys.STAKEHOLDER else "Team survey"
    return page(request, "respond_form.html.j2", data, status_code=status, title=title)


def _shown(v: Any) -> str:
    return str(int(v)) if isinstance(v, float) and v == int(v) else str(v)


def _questions(items: list[surveys.Item]) -> list[dict[str, Any]]:
    out = []
    for n, it in enumerate(items, 1):
        text, anchors = _split_anchors(it.text)
        q: dict[str, Any] = {"id": it.id, "html_id": f"q{n}", "text": text, "kind": "text"}
        if it.scale is not None:
            lo, hi = it.scale
            q.update(kind="scale", options=[str(v) for v in range(lo, hi + 1)])
            q["low"], q["high"] = anchors or _anchors(it)
        elif it.choices:
            q.update(
                kind="choice",
                options=[
                    (c, it.choice_labels.get(c, c.replace("_", " ").capitalize()))
                    for c in it.choices
                ],
            )
        out.append(q)
    return out


_ANCHORS = re.compile(r"^(.*?)\s*\(\s*\d+\s*=\s*([^,]+?),\s*\d+\s*=\s*([^)]+?)\s*\)\s*$")


def _split_anchors(text: str) -> tuple[str, tuple[str, str] | None]:
    """'How important is ERP? (1 = not at all, 10 = critical)' → the question, the anchors."""
    m = _ANCHORS.match(text)
    return (m.group(1), (m.group(2), m.group(3))) if m else (text, None)


def _anchors(it: surveys.Item) -> tuple[str, str]:
    if it.scale == (1, 7):
        return "strongly disagree", "strongly agree"
    if it.id in (surveys.NPS, surveys.ENPS):
        return "not at all likely", "extremely likely"
    if it.id == surveys.BURNOUT:
        return "never", "nearly all the time"
    return "not at all", "completely"


@router.get("/s/{token}", response_class=HTMLResponse)
def survey_form(token: str, request: Request, state: StateDep) -> HTMLResponse:
    inv, c = _lookup(state, token)
    refused = _refusal(request, inv, c, now())
    if refused is not None or c is None:
        return refused or _message(request, "Not found", "", 404)
    with state.db.connection() as store:
        draft = rows.load_draft(store, campaigns.draft_key(token))
    values: dict[str, Any] = {}
    saved_at: datetime | None = None
    attributed = False  # consent to be named is given, never assumed
    if draft is not None:
        values, saved_at = draft
        attributed = values.pop("_attributed", False) is True
    return _form(request, state, c, token, values, {}, attributed, saved_at=saved_at)


@router.post("/s/{token}", response_class=HTMLResponse)
async def survey_submit(token: str, request: Request, state: StateDep) -> HTMLResponse:
    inv, c = _lookup(state, token)
    at = now()
    refused = _refusal(request, inv, c, at)
    if refused is not None or c is None:
        return refused or _message(request, "Not found", "", 404)
    form = await request.form()
    sent = form.get("form_token")
    expected = state.sign("survey", campaigns.token_hash(token))
    if not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        return _message(
            request,
            "The form could not be accepted",
            "It did not come from this survey's page. Open your invitation link again and "
            "send your answers from there.",
            403,
        )
    answers, errors = campaigns.parse_answers(c, form)
    # Named only when the respondent says so (the form offers it unticked).
    attributed = c.kind == surveys.STAKEHOLDER and form.get("attribution") == "named"
    values: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str)}
    if form.get("action") == "save":
        if errors:
            return _form(request, state, c, token, values, errors, attributed, 400)
        with state.db.writing() as store:
            rows.purge_drafts(store, at)
            rows.save_draft(
                store, campaigns.draft_key(token), c.id, {**answers, "_attributed": attributed}, at
            )
        return _form(request, state, c, token, answers, {}, attributed, saved_at=at)
    if not answers and not errors:
        errors["_form"] = "Please answer at least one question before sending."
    if errors:
        return _form(request, state, c, token, values, errors, attributed, 400)
    with state.db.writing() as store:
        claimed = campaigns.claim_link(store, token, at)
    if claimed is None:  # another submission with this link won the race
        return _message(
            request,
            "This link has already been used",
            "Answers were already sent with this link, and each link can be used once.",
            410,
        )
    try:
        with state.db.writing() as store:
            campaigns.write_response(store, c, claimed, token, answers, attributed, at)
    except BaseException:
        # Nothing was written: the link works again, so the answers can be sent again.
        with state.db.writing() as store:
            rows.unclaim(store, campaigns.token_hash(token))
        raise
    return _message(
        request,
        "Thank you: your answers have been sent",
        "They are stored without this link, so they cannot be traced back to your "
        "invitation. This link cannot be used again.",
        200,
    )
