"""Signing in and out.

A session is a row in the database (`web_session`, keyed by the SHA-256 of a random id) and a
signed cookie (Starlette's SessionMiddleware, itsdangerous underneath) holding that id and the
CSRF token; the cookie is renewed on sign-in so that a token planted before sign-in is
worthless after it. Signing out deletes the row (web.deps). Every sign-in attempt is counted
per user name and address before its password is checked (web.throttle).
"""

from __future__ import annotations

import math
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from trustmeter.web import accounts
from trustmeter.web.deps import (
    CsrfDep,
    StateDep,
    csrf_token,
    end_session,
    start_session,
    take_flashes,
)
from trustmeter.web.views import page

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target:
        return "/"
    return target


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    csrf_token(request)
    data = {"next": _safe_next(next), "error": None, "username": ""}
    return page(request, "login.html.j2", data, flashes=take_flashes(request))


@router.post("/login", dependencies=[CsrfDep], response_model=None)
def login(
    request: Request,
    state: StateDep,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    address = _address(request)
    username = username.strip()
    # Counted before the password is checked: simultaneous guesses cannot all be checked.
    wait = state.throttle.attempt(username, address)
    error = None
    if wait > 0:
        minutes = max(1, math.ceil(wait / 60))
        error = (
            f"Too many failed sign-ins for this user from your address. "
            f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
        )
        status = 429
    else:
        with state.db.connection() as store:
            user = accounts.authenticate(store, username, password, state.db.write_lock)
        if user is not None:
            state.throttle.succeeded(username, address)
            start_session(request, state, user)
            return RedirectResponse(_safe_next(next), status_code=303)
        error = "That user name and password do not match an account."
        status = 401
    csrf_token(request)
    data = {"next": _safe_next(next), "error": error, "username": username}
    return page(request, "login.html.j2", data, status_code=status, flashes=[])


@router.post("/logout", dependencies=[CsrfDep])
def logout(request: Request, state: StateDep) -> RedirectResponse:
    end_session(request, state)
    return RedirectResponse("/login", status_code=303)
