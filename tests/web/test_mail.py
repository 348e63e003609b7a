"""Invitation links by email through the workspace's SMTP server (a fake one here)."""

from __future__ import annotations

import re
import smtplib
from email.message import EmailMessage
from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient
from web_helpers import create_campaign, csrf_of, form_token, new_client

from trustmeter.errors import ConfigError
from trustmeter.web.mail import smtp_settings
from trustmeter.workspace import Workspace

SMTP = """
[web]
base_url = "https://trust.example.com/"

[web.smtp]
host = "mail.example.com"
port = 2525
starttls = true
username = "trustmeter"
sender = "CIO office <cio@example.com>"
"""


class FakeSMTP:
    sent: ClassVar[list[EmailMessage]] = []
    logins: ClassVar[list[tuple[str, str]]] = []

    def __init__(self, host: str, port: int, timeout: float) -> None:
        assert (host, port) == ("mail.example.com", 2525)

    def __enter__(self) -> FakeSMTP:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def starttls(self) -> None:
        pass

    def login(self, user: str, password: str) -> None:
        FakeSMTP.logins.append((user, password))

    def send_message(self, msg: EmailMessage) -> None:
        if "sales4" in str(msg["To"]):
            raise smtplib.SMTPRecipientsRefused({})
        FakeSMTP.sent.append(msg)


def test_links_are_sent_by_email(
    admin: TestClient, app: Any, workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = create_campaign(admin, "by mail")
    assert "Send links by email" not in admin.get(f"/surveys/{cid}").text
    workspace.config_path.write_text(SMTP, "utf-8")
    monkeypatch.setenv("TRUSTMETER_SMTP_PASSWORD", "from-the-environment")
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    FakeSMTP.sent, FakeSMTP.logins = [], []
    page = admin.get(f"/surveys/{cid}")
    assert "Send links by email" in page.text
    r = admin.post(f"/surveys/{cid}/email", data={"csrf_token": csrf_of(page.text)})
    assert "Sent 11 invitations by email. 1 could not be sent: sales4@example.com" in r.text
    assert FakeSMTP.logins == [("trustmeter", "from-the-environment")]
    msg = next(m for m in FakeSMTP.sent if "finance2@example.com" in str(m["To"]))
    assert msg["From"] == "CIO office <cio@example.com>"
    body = msg.get_content()
    link = re.search(r"https://trust\.example\.com/s/(\S+)", body)
    assert link and "Finance person 2" in body
    path = "/s/" + link.group(1)
    with new_client(app) as c:
        form = c.get(path)
        assert form.status_code == 200
        sent = c.post(path, data={"form_token": form_token(form.text), "action": "submit",
                                  "nps": "10"})  # fmt: skip
        assert sent.status_code == 200


def test_smtp_settings_are_checked(workspace: Workspace) -> None:
    assert smtp_settings(workspace) is None
    workspace.config_path.write_text(SMTP + 'password = "secret"\n', "utf-8")
    with pytest.raises(ConfigError, match="keep the password out of the file"):
        smtp_settings(workspace)
    workspace.config_path.write_text('[web.smtp]\nhost = "x"\n', "utf-8")
    with pytest.raises(ConfigError, match="sender is required"):
        smtp_settings(workspace)
