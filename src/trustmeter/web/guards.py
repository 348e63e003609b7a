"""Survey tokens kept out of every log line.

`TokenRedactor` is a logging filter that replaces the token of every survey link
(`/s/<token>`) in a record's message, arguments and traceback text. `create_app` puts it on
the app's loggers and uvicorn's (access and error), and on their handlers.
"""

from __future__ import annotations

import logging
import re
from typing import Any

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
