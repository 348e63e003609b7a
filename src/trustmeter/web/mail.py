"""Sending invitation links by email through the SMTP server set in the workspace.

    [web.smtp]
    host = "smtp.example.com"
    port = 587                  # 465 with ssl = true
    starttls = true
    username = "trustmeter@example.com"
    sender = "IT leadership <cio-office@example.com>"

The same settings send the scheduled digest (`send_digest`, web/scheduler.py): the one-pager
as the message's HTML body, with a plain-text part for mail readers that show no HTML.

The password never sits in the file: it comes from TRUSTMETER_SMTP_PASSWORD (or the variable
named by `password_env`). `[web] base_url` sets the address the links start with when the
server sits behind a proxy that rewrites it.
"""

from __future__ import annotations

import os
import re
import smtplib
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr
from typing import Any

from trustmeter.errors import ConfigError
from trustmeter.workspace import Workspace

_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
_KEYS = {"host", "port", "starttls", "ssl", "username", "password_env", "sender", "timeout"}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    sender: str
    port: int = 587
    starttls: bool = True
    ssl: bool = False
    username: str | None = None
    password_env: str = "TRUSTMETER_SMTP_PASSWORD"
    timeout: float = 30.0

    @property
    def password(self) -> str | None:
        return os.environ.get(self.password_env)


def web_table(ws: Workspace) -> dict[str, Any]:
    """The workspace's [web] table (empty when there is none)."""
    try:
        data = tomllib.loads(ws.config_path.read_text("utf-8"))
    except FileNotFoundError:
        return {}
    web = data.get("web", {})
    if not isinstance(web, dict):
        raise ConfigError(f"{ws.config_path}: [web] must be a table")
    return web


def smtp_settings(ws: Workspace) -> SmtpSettings | None:
    """The [web.smtp] table, checked; None when the workspace sets no SMTP server."""
    raw = web_table(ws).get("smtp")
    if raw is None:
        return None
    where = f"{ws.config_path} [web.smtp]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a table")
    if "password" in raw:
        raise ConfigError(
            f"{where}: keep the password out of the file; set it in the environment variable "
            f"{raw.get('password_env', 'TRUSTMETER_SMTP_PASSWORD')} instead"
        )
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r}; known: {', '.join(sorted(_KEYS))}")
    for key in ("host", "sender"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise ConfigError(f"{where}: {key} is required")
    try:
        return SmtpSettings(**raw)
    except TypeError as exc:
        raise ConfigError(f"{where}: {exc}") from None


@dataclass
class Sent:
    sent: int = 0
    failed: list[str] | None = None


def message(
    smtp: SmtpSettings,
    row: dict[str, str],
    campaign_name: str,
    kind: str,
    text: tuple[str, str] | None = None,
) -> EmailMessage:
    """One invitee's message; `text` (subject, body) is the campaign's own, already filled in
    (web/invitations.py), else the wording below."""
    msg = EmailMessage()
    msg["From"] = smtp.sender
    msg["To"] = formataddr((row["name"], row["email"])) if row["name"] else row["email"]
    if text is not None:
        msg["Subject"] = text[0]
        msg.set_content(text[1])
        return msg
    if kind == "stakeholder":
        msg["Subject"] = f"How do you see IT? ({campaign_name})"
        why = (
            "IT would like to know how far you trust it, and what it should work on first. "
            "The survey takes about ten minutes."
        )
    else:
        msg["Subject"] = f"Anonymous team survey ({campaign_name})"
        why = (
            "How is it working in IT? The survey is anonymous and takes about five minutes; "
            "no figure or comment is shown for a team of fewer than five."
        )
    hello = f"Hello {row['name']}," if row["name"] else "Hello,"
    msg.set_content(
        f"{hello}\n\n{why}\n\nYour personal link (please do not forward it; it works once):\n"
        f"{row['link']}\n\nYou can save your answers and come back with the same link until "
        f"{row['closes']}.\n"
    )
    return msg


def send(
    smtp: SmtpSettings,
    rows: list[dict[str, str]],
    campaign_name: str,
    kind: str,
    connect: Callable[..., Any] | None = None,
    text_for: Callable[[dict[str, str]], tuple[str, str]] | None = None,
) -> Sent:
    """Send one message per row over one connection; addresses that failed are listed.
    `text_for(row)` gives a row's (subject, body) when the campaign has a text of its own."""
    result = Sent(failed=[])
    assert result.failed is not None
    factory = connect or (smtplib.SMTP_SSL if smtp.ssl else smtplib.SMTP)
    with factory(smtp.host, smtp.port, timeout=smtp.timeout) as server:
        if smtp.starttls and not smtp.ssl:
            server.starttls()
        if smtp.username:
            server.login(smtp.username, smtp.password or "")
        for row in rows:
            try:
                if not _ADDRESS.match(row["email"]):
                    raise ValueError("not an email address")
                text = text_for(row) if text_for is not None else None
                server.send_message(message(smtp, row, campaign_name, kind, text))
                result.sent += 1
            except (smtplib.SMTPException, ValueError):
                result.failed.append(row["email"])
    return result


def _connected(smtp: SmtpSettings, connect: Callable[..., Any] | None) -> Any:
    factory = connect or (smtplib.SMTP_SSL if smtp.ssl else smtplib.SMTP)
    return factory(smtp.host, smtp.port, timeout=smtp.timeout)


def send_digest(
    smtp: SmtpSettings,
    recipients: list[str],
    subject: str,
    html: str,
    connect: Callable[..., Any] | None = None,
) -> list[str]:
    """Mail the one-pager to each recipient over one connection; the addresses refused."""
    failed = []
    with _connected(smtp, connect) as server:
        if smtp.starttls and not smtp.ssl:
            server.starttls()
        if smtp.username:
            server.login(smtp.username, smtp.password or "")
        for address in recipients:
            msg = EmailMessage()
            msg["From"] = smtp.sender
            msg["To"] = address
            msg["Subject"] = subject
            msg.set_content(
                f"{subject}\n\nThe one-page summary is in this message as HTML; open it in a "
                "mail reader that shows HTML, or download it from the dashboard "
                "(Report, one page).\n"
            )
            msg.add_alternative(html, subtype="html")
            try:
                if not _ADDRESS.match(address):
                    raise ValueError("not an email address")
                server.send_message(msg)
            except (smtplib.SMTPException, ValueError):
                failed.append(address)
    return failed
