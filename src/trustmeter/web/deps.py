"""What routes receive as typed parameters: the app's state, the signed-in user, the period.

`UserDep` signs a visitor in from the session cookie (or answers 401/redirects to the sign-in
page), `AdminDep` also requires the admin role, `CsrfDep` checks a form's CSRF token, and
`PeriodDep` reads `?as_of=YYYY-MM-DD`. Survey pages use none of the first three: their token
is their credential.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from fastapi import Depends, Query, Request

from trustmeter.periods import Period
from trustmeter.store import accounts as account_rows
from trustmeter.store.accounts import UserRow
from trustmeter.web.pool import Database
from trustmeter.web.scorecards import Scorecards
from trustmeter.web.settings import WebSettings
from trustmeter.web.throttle import LoginThrottle
from trustmeter.workspace import Workspace


@dataclass
class WebState:
    workspace: Workspace
    settings: WebSettings
    db: Database
    scorecards: Scorecards
    throttle: LoginThrottle

    def sign(self, purpose: str, value: str) -> str:
        """An HMAC of `value` for one purpose, e.g. the CSRF token of a survey form."""
        key = self.settings.secret.encode()
        return hmac.new(key, f"{purpose}\0{value}".encode(), hashlib.sha256).hexdigest()


class LoginRequired(Exception):
    """No valid session: pages redirect to the sign-in page, JSON answers 401."""


class Forbidden(Exception):
    """Signed in, but the role does not allow this."""


class CsrfFailed(Exception):
    pass


class BadRequest(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def get_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


StateDep = Annotated[WebState, Depends(get_state)]


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made when the session has none; every form carries it."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    request.state.csrf = token
    return token


def session_hash(session_id: str) -> str:
    """What the database keeps of a session id: its SHA-256, never the id itself."""
    return hashlib.sha256(session_id.encode()).hexdigest()


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def start_session(request: Request, state: WebState, user: UserRow) -> None:
    """A new server-side session for `user`: a fresh cookie (so that a token planted before
    sign-in is worthless after it) holding a new random id, and its row in the database."""
    session_id = secrets.token_urlsafe(32)
    at = utcnow()
    with state.db.writing() as store:
        account_rows.purge_sessions(store, at)
        account_rows.add_session(
            store,
            session_hash(session_id),
            user.username,
            at,
            at + timedelta(hours=state.settings.session_hours),
        )
    request.session.clear()
    request.session["sid"] = session_id
    csrf_token(request)


def end_session(request: Request, state: WebState) -> None:
    """Sign out: the session's row goes, so a copy of the cookie signs no one in any more."""
    session_id = request.session.get("sid")
    if isinstance(session_id, str):
        with state.db.writing() as store:
            account_rows.end_session(store, session_hash(session_id))
    request.session.clear()


def current_user(request: Request, state: StateDep) -> UserRow:
    session_id = request.session.get("sid")
    user = None
    if isinstance(session_id, str):
        key, at = session_hash(session_id), utcnow()
        user = state.db.read(lambda store: account_rows.session_user(store, key, at))
    # No row: signed out, expired, a new password or a removed account ended the session.
    if user is None:
        request.session.pop("sid", None)
        raise LoginRequired()
    request.state.user = user
    csrf_token(request)
    return user


UserDep = Annotated[UserRow, Depends(current_user)]


def require_admin(user: UserDep) -> UserRow:
    if not user.is_admin:
        raise Forbidden()
    return user


AdminDep = Annotated[UserRow, Depends(require_admin)]


async def check_csrf(request: Request) -> AsyncIterator[None]:
    """Refuse a form whose CSRF token is not the session's; close its uploads afterwards
    (also when the request is refused before the route reads them)."""
    form = await request.form()
    try:
        sent = form.get("csrf_token")
        expected = request.session.get("csrf")
        if not isinstance(sent, str) or not isinstance(expected, str):
            raise CsrfFailed()
        if not hmac.compare_digest(sent.encode(), expected.encode()):
            raise CsrfFailed()
        yield
    finally:
        await form.close()


CsrfDep = Depends(check_csrf)


def parse_date(text: str | None, name: str = "as_of") -> date | None:
    if text is None or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BadRequest(f"{name}={text!r}: expected a date as YYYY-MM-DD") from None


def period(
    state: StateDep,
    as_of: Annotated[
        str | None,
        Query(
            description="Score the last complete period before this date (YYYY-MM-DD); "
            "default: today, i.e. the last complete quarter.",
            examples=["2026-10-01"],
        ),
    ] = None,
) -> Period:
    return state.scorecards.period(parse_date(as_of))


PeriodDep = Annotated[Period, Depends(period)]


def flash(request: Request, message: str, kind: str = "ok") -> None:
    """A message shown once on the next page (after a redirect)."""
    messages = list(request.session.get("flash", []))
    messages.append([kind, message])
    request.session["flash"] = messages[-5:]


def take_flashes(request: Request) -> list[list[str]]:
    return list(request.session.pop("flash", []))
