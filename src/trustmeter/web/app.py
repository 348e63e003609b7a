"""The ASGI app: `create_app(workspace)` wires settings, the database, sessions and routes.

Routes live in their modules (auth, pages, api, surveys_web, respond, uploads, control); this
module only assembles them, with a body-size limit on every route (FastAPI's `max_body_size`,
enforced while the body is read), the proxy headers of `trusted_proxies` only and survey
tokens redacted from the logs (web.guards), and turns the app's exceptions into pages, or into
JSON for the `.json` twins. Every error response, a 500 included, carries the security
headers. The OpenAPI description of the JSON API is at /api/openapi.json.
"""

from __future__ import annotations

import contextlib
import logging
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
from trustmeter.web import (
    api,
    auth,
    compare_pages,
    control,
    onepager,
    ordering,
    pages,
    refresh,
    respond,
    slice_pages,
    surveys_web,
    uploads,
)
from trustmeter.web.deps import (
    BadRequest,
    CsrfFailed,
    Forbidden,
    LoginRequired,
    UserDep,
    WebState,
)
from trustmeter.web.guards import install_redaction, redact
from trustmeter.web.pool import Database, DatabaseBusy, DatabaseUnavailable
from trustmeter.web.scheduler import Scheduler, schedule_of
from trustmeter.web.scorecards import Scorecards
from trustmeter.web.settings import WebSettings, workspace_secret
from trustmeter.web.throttle import LoginThrottle
from trustmeter.web.views import SECURITY_HEADERS, page, twin
from trustmeter.workspace import Workspace

log = logging.getLogger("trustmeter.web")
SESSION_COOKIE = "trustmeter_session"


def create_app(workspace: Workspace, settings: WebSettings | None = None) -> FastAPI:
    settings = settings or WebSettings(secret=workspace_secret(workspace.root))
    db = Database(
        workspace.database,
        workspace.root,
        wait_s=settings.database_wait_s,
        idle_s=settings.database_idle_s,
    )
    state = WebState(
        workspace=workspace,
        settings=settings,
        db=db,
        scorecards=Scorecards(workspace, db.dedicated, db.held),
        throttle=LoginThrottle(settings.login_failures, settings.login_window_s),
    )
    db.on_release(state.scorecards.release)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        with db.writing() as store:
            purge_drafts(store, datetime.now(UTC).replace(tzinfo=None))
        if settings.warm_cache:
            threading.Thread(target=_warm, args=(state,), daemon=True).start()
        if settings.control_url:
            control.write_serve_file(workspace.root, settings.control_url, settings.control_key)
        if settings.run_schedule:
            schedule = schedule_of(workspace)
            app.state.scheduler = Scheduler(state, schedule)
            if schedule.anything:
                app.state.scheduler.start()
        try:
            yield
        finally:
            if getattr(app.state, "scheduler", None) is not None:
                app.state.scheduler.stop()
            # Here rather than after uvicorn returns: on SIGTERM uvicorn shuts the app down,
            # then raises the signal again, which ends the process without running `finally`.
            control.remove_serve_file(workspace.root, settings.control_key)
            uploads.forget_all()
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
    if settings.trusted_proxies:
        # Only these addresses may say who the client is (X-Forwarded-For) and whether it
        # came over HTTPS; from anyone else the headers are ignored.
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))
    install_redaction()
    # The JSON twins first: "/areas/{id}" would otherwise swallow "/areas/x.json".
    for router in (
        api.router,
        ordering.api_router,
        ordering.router,
        surveys_web.api_router,
        compare_pages.api_router,
        slice_pages.api_router,
        auth.router,
        pages.router,
        compare_pages.router,
        slice_pages.router,
        surveys_web.router,
        respond.router,
        uploads.router,
        control.router,
        onepager.router,
        refresh.router,
    ):
        # Counted while the body is read: a request is refused (413) as soon as it passes the
        # limit, or at once when it declares a larger Content-Length; nothing past the limit
        # is parsed or spooled to disk. Set per route, inside the security-header middleware.
        limit = settings.upload_body_bytes() if router is uploads.router else None
        app.include_router(router, max_body_size=limit or settings.request_max_bytes)
    app.add_api_route("/static/app.css", _css, include_in_schema=False)

    def openapi(user: UserDep) -> JSONResponse:
        return JSONResponse(app.openapi())

    app.add_api_route("/api/openapi.json", openapi, include_in_schema=False)
    _handlers(app, state)
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
    response: Response
    if _wants_json(request):
        response = twin({"error": text or heading, "status": status}, status)
    else:
        try:
            response = page(
                request,
                "error.html.j2",
                {"heading": heading, "text": text},
                status_code=status,
                title=heading,
            )
        except Exception:  # the page itself failed (e.g. no app state): plain text then
            log.exception("rendering the error page failed")
            response = Response(f"{heading}\n{text}\n", status, media_type="text/plain")
    # Set here, not only by the middleware: a 500 is answered outside it.
    for k, v in SECURITY_HEADERS.items():
        response.headers.setdefault(k, v)
    return response


def _handlers(app: FastAPI, state: WebState) -> None:
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
        if exc.status_code == 413:
            limit = request.scope.get("starlette.max_body_size")
            size = f" ({limit / (1 << 20):g} MB at most)" if isinstance(limit, int) else ""
            return _error(request, 413, "That request is too large", f"It was refused{size}.")
        return _error(request, exc.status_code, "Something went wrong", str(exc.detail))

    async def core_error(request: Request, exc: Exception) -> Response:
        return _error(request, 400, "trustmeter could not do that", str(exc))

    async def server_error(request: Request, exc: Exception) -> Response:
        # Starlette logs the traceback itself (through the redacting filter); the visitor gets
        # a page without one.
        return _error(
            request,
            500,
            "Something went wrong",
            "trustmeter could not answer this request. If it happens again, tell whoever runs "
            "trustmeter; the server's log says what failed.",
        )

    async def unavailable(request: Request, exc: Exception) -> Response:
        # The reason (which may name the database server) goes to the log, not to the visitor;
        # the address goes without a survey token.
        log.error("answered 503 to %s %s: %s", request.method, redact(request.url.path), exc)
        if isinstance(exc, DatabaseBusy):
            heading, text = (
                "The database is busy",
                "The workspace database is busy: another trustmeter command (an import, "
                f"say) uses it, and this page waited {state.settings.database_wait_s:g} s for it. Try again "
                "in a minute: the page will answer as soon as the command is done.",
            )
        else:
            heading, text = (
                "The database cannot be reached",
                "trustmeter's database is not answering at the moment. Try again in a minute; "
                "if this persists, tell whoever runs trustmeter.",
            )
        response = _error(request, 503, heading, text)
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
        Exception: server_error,
    }
    for exc_class, handler in handlers.items():
        app.add_exception_handler(exc_class, handler)


def _quote(target: str) -> str:
    from urllib.parse import quote

    return quote(target, safe="/")
