"""What stands between the network and the routes: request-size limits enforced while the
body is read, and survey tokens kept out of every log line.

`BodyLimit` is ASGI middleware. A request that declares a body larger than its path's limit
(Content-Length) is answered 413 before any of it is read; a body sent without a length
(chunked) is counted as it arrives, and the request fails with 413 as soon as the count
passes the limit. Nothing past the limit is parsed, spooled to a temporary file or kept in
memory. Uploads get the upload limit, every other path `request_max_bytes`.

`TokenRedactor` is a logging filter that replaces the token of every survey link
(`/s/<token>`) in a record's message, arguments and traceback text. `create_app` puts it on
the app's loggers and uvicorn's (access and error), and on their handlers.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from trustmeter.web.views import SECURITY_HEADERS


class BodyTooLarge(HTTPException):
    """An HTTPException, so that form parsing (FastAPI, Starlette) passes it on unchanged."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request is larger than {_size(limit)}.")
        self.limit = limit


def _size(n: int) -> str:
    return f"{n / (1 << 20):g} MB" if n >= 1 << 20 else f"{n / 1024:g} KB"


class BodyLimit:
    def __init__(self, app: ASGIApp, limit_for: Callable[[str], int]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, limit)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge:
            # Raised where no handler answered it (outside a route): answer here if we can.
            if started:
                raise
            await _refuse(send, limit)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # h11 and httptools refuse such a request before it gets here
    return None


async def _refuse(send: Send, limit: int) -> None:
    body = f"The request is larger than {_size(limit)}.\n".encode()
    headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
    headers += [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# -- logs ---------------------------------------------------------------------------------------
_TOKEN = re.compile(r"/s/[^/\s?#\"'<>]+")
REDACTED = "/s/…"


def redact(text: str) -> str:
    """`text` with every survey token replaced: a token is a credential until it is used."""
    return _TOKEN.sub(REDACTED, text)


class TokenRedactor(logging.Filter):
    """Keep survey tokens out of every log line: message, arguments and traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        # The arguments stay a tuple of the same length: uvicorn's access formatter reads them.
        if isinstance(record.args, tuple):
            record.args = tuple(_clean(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _clean(v) for k, v in record.args.items()}
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def _clean(value: object) -> object:
    """A log argument without tokens: text redacted, and any other object whose text holds
    one (an exception, a URL) replaced by its redacted text."""
    if isinstance(value, str):
        return redact(value)
    if value is None or isinstance(value, int | float):
        return value
    text = str(value)
    clean = redact(text)
    return value if clean == text else clean


LOGGERS = ("trustmeter", "trustmeter.web", "uvicorn", "uvicorn.access", "uvicorn.error")


def install_redaction(logger_names: tuple[str, ...] = LOGGERS) -> None:
    """Put one TokenRedactor on each logger and on its handlers (a logger's filters do not
    see records that its children propagate to its handlers; a handler's do)."""
    for name in logger_names:
        logger = logging.getLogger(name)
        _add_once(logger)
        for handler in logger.handlers:
            _add_once(handler)
    for handler in logging.getLogger().handlers:
        _add_once(handler)


def _add_once(target: Any) -> None:
    if not any(isinstance(f, TokenRedactor) for f in target.filters):
        target.addFilter(TokenRedactor())
