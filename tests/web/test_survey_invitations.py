"""A campaign's editable invitation text and reminders (issue 12), through a fake SMTP server,
on DuckDB and PostgreSQL."""

from __future__ import annotations

import re
import smtplib
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from test_mail import SMTP, FakeSMTP
from test_survey_property import answer
from web_helpers import SCRIPT, create_campaign, csrf_of, download_links, login, new_client

from trustmeter.workspace import Workspace

LINK = re.compile(r"https://trust\.example\.com(/s/\S+)")


@pytest.fixture
def mailer(workspace: Workspace, monkeypatch: pytest.MonkeyPatch) -> type[FakeSMTP]:
    workspace.config_path.write_text(SMTP, "utf-8")
    monkeypatch.setenv("TRUSTMETER_SMTP_PASSWORD", "from-the-environment")
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    FakeSMTP.sent, FakeSMTP.logins = [], []
    return FakeSMTP


def post(client: TestClient, page: str, action: str, **data: str) -> Any:
    return client.post(action, data={"csrf_token": csrf_of(client.get(page).text), **data})


def test_the_invitation_text_is_edited_checked_previewed_and_used(
    admin: TestClient, app: Any, mailer: type[FakeSMTP]
) -> None:
    cid = create_campaign(admin, "texts")
    page = f"/surveys/{cid}/invitation"
    default = admin.get(page)
    assert default.status_code == 200
    assert "How do you see IT? (texts)" in default.text  # the survey's default, previewed
    assert "Hello Alex Example," in default.text
    assert "https://trust.example.com/s/&lt;personal link&gt;" in default.text

    # Checked: the link must be there, placeholders must be known, the subject one line.
    r = post(admin, page, page, subject="Hi", body="No link here")
    assert r.status_code == 400 and "Put {link} where each invitee" in r.text
    r = post(admin, page, page, subject="Hi", body="{link} {first_name}")
    assert r.status_code == 400 and "Unknown placeholder {first_name}" in r.text
    r = post(admin, page, page, subject="Hi\r\nBcc: x@example.com", body="{link}")
    assert r.status_code == 400 and "one line" in r.text
    assert 'id="preview"' not in r.text

    subject = f"{SCRIPT} Survey {{campaign}}"
    body = f"Dear {{name}},\n{SCRIPT}\nAnswer by {{last_day}}: {{link}}\nThanks"
    saved = post(admin, page, page, subject=subject, body=body)
    assert saved.status_code == 200 and "The invitation text is saved" in saved.text
    # Text from users is escaped wherever shown: the form, the preview, the campaign page.
    for html in (saved.text, admin.get(f"/surveys/{cid}").text):
        assert SCRIPT not in html and "&lt;script&gt;alert(" in html
    assert "Dear Alex Example," in saved.text

    sent = post(admin, f"/surveys/{cid}", f"/surveys/{cid}/email")
    assert "Sent 11 invitations by email" in sent.text
    msg = next(m for m in mailer.sent if "finance2@example.com" in str(m["To"]))
    assert msg["Subject"] == f"{SCRIPT} Survey texts"
    content = msg.get_content()
    assert content.startswith("Dear Finance person 2,\n")
    link = LINK.search(content)
    assert link and "Answer by " in content
    assert new_client(app).get(link.group(1)).status_code == 200

    # Admins only, and only with the form's token.
    with new_client(app) as viewer:
        assert login(viewer, "viewer").status_code == 303
        assert viewer.get(page).status_code == 403
    assert admin.post(page, data={"subject": "x", "body": "{link}"}).status_code == 403


def test_a_reminder_goes_to_those_who_have_not_answered_and_says_only_how_many(
    admin: TestClient, app: Any, mailer: type[FakeSMTP]
) -> None:
    cid = create_campaign(admin, "reminded")
    post(admin, f"/surveys/{cid}", f"/surveys/{cid}/email")
    first = {str(m["To"]): LINK.search(m.get_content()) for m in mailer.sent}
    answered = [t for t in first if "finance" in t][:3]
    for to in answered:
        match = first[to]
        assert match is not None
        assert answer(app, match.group(1), {"nps": "9"}).status_code == 200
    mailer.sent = []

    page = admin.get(f"/surveys/{cid}")
    assert "Send a reminder" in page.text
    r = post(admin, f"/surveys/{cid}", f"/surveys/{cid}/remind")
    # 12 invited, 3 answered: 9 reminders, of which the one to sales4 fails. Counts only:
    # the addresses are those of people who have not answered.
    assert "Reminder sent to 8 invitees who had not answered yet. 1 could not be sent." in r.text
    assert "sales4" not in r.text and "@example.com" not in r.text.split("<main")[1]
    to = {str(m["To"]) for m in mailer.sent}
    assert len(to) == 8 and not any(a in to for a in answered)
    assert all(str(m["Subject"]) == "Reminder: How do you see IT? (reminded)" for m in mailer.sent)
    # Each reminder carries a new link; the one from the first mail stops working.
    someone = next(iter(to))
    old, new = (
        first[someone],
        LINK.search(next(m for m in mailer.sent if str(m["To"]) == someone).get_content()),
    )
    assert old is not None and new is not None and old.group(1) != new.group(1)
    assert new_client(app).get(old.group(1)).status_code == 404
    assert answer(app, new.group(1), {"nps": "7"}).status_code == 200

    with new_client(app) as viewer:
        assert login(viewer, "viewer").status_code == 303
        assert "Send a reminder" not in viewer.get(f"/surveys/{cid}").text
        token = csrf_of(viewer.get("/surveys").text)
        refused = viewer.post(f"/surveys/{cid}/remind", data={"csrf_token": token})
        assert refused.status_code == 403

    # Once the campaign has closed, no reminders.
    post(admin, f"/surveys/{cid}", f"/surveys/{cid}/close")
    mailer.sent = []
    r = post(admin, f"/surveys/{cid}", f"/surveys/{cid}/remind")
    assert "reminders go only while it is open" in r.text and mailer.sent == []


def test_no_reminder_without_a_mail_server(admin: TestClient) -> None:
    cid = create_campaign(admin, "no smtp")
    assert "Send a reminder" not in admin.get(f"/surveys/{cid}").text
    r = post(admin, f"/surveys/{cid}", f"/surveys/{cid}/remind")
    assert "No SMTP server is set" in r.text
    assert admin.get("/surveys/no-such-campaign/invitation").status_code == 404
    token = csrf_of(admin.get(f"/surveys/{cid}").text)
    assert admin.post("/surveys/nope/remind", data={"csrf_token": token}).status_code == 404


def test_links_and_mails_give_the_last_day_answers_are_taken(
    admin: TestClient, mailer: type[FakeSMTP]
) -> None:
    # create_campaign's last day is a week from today; the links work through its end.
    cid = create_campaign(admin, "dated")
    last_day = (date.today() + timedelta(days=7)).isoformat()
    assert {row["closes"] for row in download_links(admin, cid)} == {last_day}
    post(admin, f"/surveys/{cid}", f"/surveys/{cid}/email")
    assert all(f"until {last_day}." in m.get_content() for m in mailer.sent)
