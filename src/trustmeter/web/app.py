"""The ASGI app: `create_app(workspace)` wires settings, the database, sessions and routes.

Routes live in their modules (auth, pages, api, surveys_web, respond, uploads); this module
only assembles them and turns the app's exceptions into pages, or into JSON for the `.json`
twins. The OpenAPI description of the JSON API is at /api/openapi.json.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from importlib.resources import files
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from trustmeter import __version__
from trustmeter.errors import TrustmeterError
from trustmeter.store.campaigns import purge_drafts
from trustmeter.web import api, auth, ordering, pages, respond, surveys_web, uploads
from trustmeter.web.database import Database, DatabaseUnavailable
from trustmeter.web.deps import (
    BadRequest,
    CsrfFailed,
    Forbidden,
    LoginRequired,
    UserDep,
    WebState,
)
from trustmeter.web.scorecards import Scorecards
from trustmeter.web.settings import WebSettings, workspace_secret
from trustmeter.web.throttle import LoginThrottle
from trustmeter.web.views import SECURITY_HEADERS, page, twin
from trustmeter.workspace import Workspace

log = logging.getLogger("trustmeter.web")
SESSION_COOKIE = "trustmeter_session"


def create_app(workspace: Workspace, settings: WebSettings | None = None) -> FastAPI:
    settings = settings or WebSettings(secret=workspace_secret(workspace.root))
    db = Database(workspace.database, workspace.root)
    state = WebState(
        workspace=workspace,
        settings=settings,
        db=db,
        scorecards=Scorecards(workspace, db.dedicated),
        throttle=LoginThrottle(settings.login_failures, settings.login_window_s),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with db.writing() as store:
            purge_drafts(store, datetime.now(UTC).replace(tzinfo=None))
        if settings.warm_cache:
            threading.Thread(target=_warm, args=(state,), daemon=True).start()
        yield
        state.scorecards.close()
        db.close()

    app = FastAPI(
        title="trustmeter",
        version=__version__,
        summary="Where does IT stand on the road from order taker to trusted partner?",
        description="Every dashboard page has a JSON twin at the same path with `.json` "
        "added. All of them need a signed-in session (the `trustmeter_session` cookie).",
        openapi_url=None,  # served below, to signed-in users like everything but surveys
        docs_url=None,  # the interactive docs load scripts from a CDN; the CSP forbids it
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.web = state
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret,
        session_cookie=SESSION_COOKIE,
        max_age=int(settings.session_hours * 3600),
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    app.middleware("http")(_headers)
    # The JSON twins first: "/areas/{id}" would otherwise swallow "/areas/x.json".
    for router in (
        api.router,
        ordering.api_router,
        ordering.router,
        surveys_web.api_router,
        auth.router,
        pages.router,
        surveys_web.router,
        respond.router,
        uploads.router,
    ):
        app.include_router(router)
    app.add_api_route("/static/app.css", _css, include_in_schema=False)

    def openapi(user: UserDep) -> JSONResponse:
        return JSONResponse(app.openapi())

    app.add_api_route("/api/openapi.json", openapi, include_in_schema=False)
    _handlers(app)
    return app


def _warm(state: WebState) -> None:
    try:
        state.scorecards.warm(state.settings.trend_periods)
    except Exception:  # a warm-up is a courtesy; the page will show the error itself
        log.exception("computing the scorecards in the background failed")


async def _headers(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    response = await call_next(request)
    for k, v in SECURITY_HEADERS.items():
        response.headers.setdefault(k, v)
    return response


_CSS: dict[str, bytes] = {}


def _css() -> Response:
    if "app" not in _CSS:
        _CSS["app"] = files("trustmeter.web").joinpath("static/app.css").read_bytes()
    return Response(_CSS["app"], media_type="text/css", headers={"Cache-Control": "max-age=3600"})


def _wants_json(request: Request) -> bool:
    return request.url.path.endswith(".json") or request.url.path.startswith("/api/")


def _error(request: Request, status: int, heading: str, text: str) -> Response:
    if _wants_json(request):
        return twin({"error": text or heading, "status": status}, status)
    return page(
        request,
        "error.html.j2",
        {"heading": heading, "text": text},
        status_code=status,
        title=heading,
    )


def _handlers(app: FastAPI) -> None:
    async def login_required(request: Request, exc: Exception) -> Response:
        if _wants_json(request) or request.method != "GET":
            return _error(request, 401, "Sign in first", "This needs a signed-in session.")
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={_quote(target)}", status_code=303)

    async def forbidden(request: Request, exc: Exception) -> Response:
        return _error(
            request,
            403,
            "Admins only",
            "Your account can view the dashboard and survey results; this needs an admin account.",
        )

    async def csrf_failed(request: Request, exc: Exception) -> Response:
        return _error(
            request,
            403,
            "The form could not be accepted",
            "It had expired or did not come from this site. Go back, reload the "
            "page and try again.",
        )

    async def bad_request(request: Request, exc: Exception) -> Response:
        return _error(
            request, 400, "That request could not be read", getattr(exc, "message", str(exc))
        )

    async def not_found(request: Request, exc: Exception) -> Response:
        return _error(request, 404, "Not found", getattr(exc, "message", ""))

    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        parts = [f"{'.'.join(str(x) for x in e['loc'][1:])}: {e['msg']}" for e in exc.errors()]
        return _error(request, 400, "That request could not be read", "; ".join(parts))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404:
            return _error(request, 404, "Not found", "There is no page at this address.")
        return _error(request, exc.status_code, "Something went wrong", str(exc.detail))

    async def core_error(request: Request, exc: Exception) -> Response:
        return _error(request, 400, "trustmeter could not do that", str(exc))

    async def unavailable(request: Request, exc: Exception) -> Response:
        # The reason (which may name the database server) goes to the log, not to the visitor.
        log.error("answered 503 to %s %s: %s", request.method, request.url.path, exc)
        response = _error(
            request,
            503,
            "The database cannot be reached",
            "trustmeter's database is not answering at the moment. Try again in a minute; "
            "if this persists, tell whoever runs trustmeter.",
        )
        response.headers["Retry-After"] = "30"
        return response

    handlers: dict[Any, Any] = {
        LoginRequired: login_required,
        Forbidden: forbidden,
        CsrfFailed: csrf_failed,
        BadRequest: bad_request,
        api.NotFound: not_found,
        RequestValidationError: invalid,
        HTTPException: http_error,
        TrustmeterError: core_error,
        DatabaseUnavailable: unavailable,
    }
    for exc_class, handler in handlers.items():
        app.add_exception_handler(exc_class, handler)


def _quote(target: str) -> str:
    from urllib.parse import quote

    return quote(target, safe="/")


class TokenRedactor(logging.Filter):
    """Keep survey tokens out of access logs: a token is a credential until it is used."""

    _TOKEN = re.compile(r"/s/[^/\s?\"]+")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                self._TOKEN.sub("/s/…", a) if isinstance(a, str) else a for a in record.args
            )
        return True
