"""A campaign's invitation text, and reminders to the invitees who have not answered yet.

The text (subject and body) is the campaign's own once an admin edits it, else the default
for its survey; the invitation mails and the reminders use it, and its page shows a preview.
Placeholders are replaced, nothing else: `{link}` (required in the body), `{name}`,
`{last_day}` and `{campaign}`. The text reaches the page through the autoescaping templates,
and the mail as plain text.

A reminder goes to every unused invitation with an email address, each with a new link (as
"Send links by email" does; trustmeter keeps only hashes, so it cannot send the old one).
The admin sees only how many were sent and how many failed, never to whom: the addresses
are those of people who have not answered, which the anonymity rule does not show.
"""

from __future__ import annotations

import re
import smtplib
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from trustmeter import surveys
from trustmeter.store import campaigns as rows
from trustmeter.store.campaigns import CampaignRow
from trustmeter.web import campaigns, mail
from trustmeter.web.api import NotFound
from trustmeter.web.deps import AdminDep, CsrfDep, StateDep, WebState, flash, take_flashes
from trustmeter.web.views import page

router = APIRouter(include_in_schema=False)

PLACEHOLDERS = ("link", "name", "last_day", "campaign")
_PLACEHOLDER = re.compile(r"\{([^{}\s]*)\}")
MAX_SUBJECT = 150
MAX_BODY = 5000
REMINDER_PREFIX = "Reminder: "

DEFAULTS: dict[str, tuple[str, str]] = {
    surveys.STAKEHOLDER: (
        "How do you see IT? ({campaign})",
        "Hello {name},\n\nIT would like to know how far you trust it, and what it should work "
        "on first. The survey takes about ten minutes.\n\nYour personal link (please do not "
        "forward it; it works once):\n{link}\n\nYou can save your answers and come back with "
        "the same link until {last_day}.\n",
    ),
    surveys.TEAM: (
        "Anonymous team survey ({campaign})",
        "Hello {name},\n\nHow is it working in IT? The survey is anonymous and takes about five "
        "minutes; no figure or comment is shown for a team of fewer than five.\n\nYour personal "
        "link (please do not forward it; it works once):\n{link}\n\nYou can save your answers "
        "and come back with the same link until {last_day}.\n",
    ),
}


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def text_of(store: Any, campaign: CampaignRow) -> tuple[str, str]:
    """The campaign's own (subject, body), or its survey's default."""
    return rows.invitation_text(store, campaign.id) or DEFAULTS[campaign.kind]


def check(subject: str, body: str) -> dict[str, str]:
    """What is wrong with an edited text, per field (empty when it can be saved)."""
    errors: dict[str, str] = {}
    known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
    if not subject.strip() or len(subject) > MAX_SUBJECT or "\n" in subject or "\r" in subject:
        errors["subject"] = f"Give a subject of one line, up to {MAX_SUBJECT} characters."
    if len(body) > MAX_BODY:
        errors["body"] = f"Keep the text to {MAX_BODY} characters."
    elif "{link}" not in body:
        errors["body"] = "Put {link} where each invitee's personal link goes."
    for field, text in (("subject", subject), ("body", body)):
        unknown = [m for m in _PLACEHOLDER.findall(text) if m not in PLACEHOLDERS]
        if unknown and field not in errors:
            errors[field] = f"Unknown placeholder {{{unknown[0]}}}: the placeholders are {known}."
    return errors


def fill(text: str, values: dict[str, str]) -> str:
    """Replace the known placeholders; everything else stays as written."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def render(
    text: tuple[str, str], campaign: CampaignRow, row: dict[str, str], reminder: bool = False
) -> tuple[str, str]:
    """The subject and body one invitee receives (`row`: a link row of `issue_links`)."""
    values = {
        "link": row["link"],
        "name": row.get("name") or "colleague",
        "last_day": campaign.last_day.isoformat(),
        "campaign": campaign.name,
    }
    subject = fill(text[0], values)
    return (REMINDER_PREFIX + subject if reminder else subject), fill(text[1], values)


def preview(text: tuple[str, str], campaign: CampaignRow, base_url: str) -> dict[str, str]:
    """The text as an invitee would read it, with an example name and link."""
    row = {"name": "Alex Example", "link": f"{base_url.rstrip('/')}/s/<personal link>"}
    subject, body = render(text, campaign, row)
    return {"subject": subject, "reminder_subject": REMINDER_PREFIX + subject, "body": body}


def campaign_or_404(state: WebState, campaign_id: str) -> CampaignRow:
    with state.db.connection() as store:
        c = rows.get_campaign(store, campaign_id)
    if c is None:
        raise NotFound(f"no survey campaign {campaign_id!r}")
    return c


def base_url(state: WebState, request: Request) -> str:
    """`[web] base_url` when set (a server behind a proxy), else the address asked for."""
    configured = mail.web_table(state.workspace).get("base_url")
    return str(configured) if configured else str(request.base_url)


def send_links(
    state: WebState, request: Request, campaign: CampaignRow, reminder: bool
) -> mail.Sent | str:
    """New links for every unused invitation with an address, sent by mail in the campaign's
    text: what was sent, or why nothing was."""
    smtp = mail.smtp_settings(state.workspace)
    if smtp is None:
        return "No SMTP server is set: add [web.smtp] to trustmeter.toml."
    with state.db.writing() as store:
        text = text_of(store, campaign)
        issued = campaigns.issue_links(store, campaign, base_url(state, request), now(), True)
    try:
        # Outside the write lock: a slow mail server must not hold up survey answers.
        sent = mail.send(
            smtp,
            issued,
            campaign.name,
            campaign.kind,
            text_for=lambda row: render(text, campaign, row, reminder),
        )
    except (OSError, smtplib.SMTPException) as exc:
        return f"Could not send through {smtp.host}: {exc}. Try again when the mail server answers."
    return sent


def _form(
    request: Request,
    state: WebState,
    campaign: CampaignRow,
    text: tuple[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    data = {
        "campaign": {"id": campaign.id, "name": campaign.name, "kind": campaign.kind},
        "subject": text[0],
        "body": text[1],
        "errors": errors,
        "preview": None if errors else preview(text, campaign, base_url(state, request)),
        "placeholders": ["{" + p + "}" for p in PLACEHOLDERS],
    }
    return page(
        request,
        "survey_invitation.html.j2",
        data,
        status_code=status_code,
        flashes=take_flashes(request),
        title=f"Invitation text: {campaign.name}",
    )


@router.get("/surveys/{campaign_id}/invitation", response_class=HTMLResponse)
def invitation_page(
    campaign_id: str, request: Request, state: StateDep, user: AdminDep
) -> HTMLResponse:
    c = campaign_or_404(state, campaign_id)
    with state.db.connection() as store:
        text = text_of(store, c)
    return _form(request, state, c, text, {})


@router.post("/surveys/{campaign_id}/invitation", dependencies=[CsrfDep], response_model=None)
async def save_invitation(
    campaign_id: str, request: Request, state: StateDep, user: AdminDep
) -> Response:
    c = campaign_or_404(state, campaign_id)
    form = await request.form()
    # Browsers send text areas with CRLF line ends; the mail is written with LF.
    subject = str(form.get("subject", "")).strip()
    body = str(form.get("body", "")).replace("\r\n", "\n")
    errors = check(subject, body)
    if errors:
        return _form(request, state, c, (subject, body), errors, 400)
    with state.db.writing() as store:
        rows.set_invitation_text(store, c.id, subject, body, user.username, now())
    flash(request, "The invitation text is saved: invitations and reminders use it from now on.")
    return RedirectResponse(f"/surveys/{c.id}/invitation", status_code=303)


@router.post("/surveys/{campaign_id}/remind", dependencies=[CsrfDep])
def remind(campaign_id: str, request: Request, state: StateDep, user: AdminDep) -> RedirectResponse:
    c = campaign_or_404(state, campaign_id)
    back = RedirectResponse(f"/surveys/{c.id}", status_code=303)
    if c.state(now()) != "open":
        flash(request, f"The campaign is {c.state(now())}: reminders go only while it is open.",
              "error")  # fmt: skip
        return back
    result = send_links(state, request, c, reminder=True)
    if isinstance(result, str):
        flash(request, result, "error")
        return back
    sent = result
    failed = len(sent.failed or [])
    text = f"Reminder sent to {sent.sent} invitee{'s' if sent.sent != 1 else ''} who had not answered yet."
    if failed:
        # A count only: these are addresses of people who have not answered.
        text += f" {failed} could not be sent."
    flash(request, text, "error" if failed else "ok")
    return back
