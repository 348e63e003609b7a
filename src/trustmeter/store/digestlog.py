"""The scheduled digest's log (web/scheduler.py): when each one-pager went out, to how many
recipients, and what failed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from trustmeter.store.database import Store


def start_digest(store: Store, started_at: datetime, period: str) -> int:
    log_id = int(store.scalar("SELECT coalesce(max(id), 0) + 1 FROM digest_log"))
    store.execute(
        "INSERT INTO digest_log (id, started_at, status, period, recipients) "
        "VALUES (?, ?, 'running', ?, 0)",
        (log_id, started_at, period),
    )
    return log_id


def finish_digest(
    store: Store,
    log_id: int,
    finished_at: datetime,
    status: str,
    recipients: int,
    message: str | None,
) -> None:
    store.execute(
        "UPDATE digest_log SET finished_at = ?, status = ?, recipients = ?, message = ? "
        "WHERE id = ?",
        (finished_at, status, recipients, message, log_id),
    )


def last_digest(store: Store) -> dict[str, Any] | None:
    rows = store.fetch(
        "SELECT started_at, finished_at, status, period, recipients, message FROM digest_log "
        "ORDER BY id DESC LIMIT 1"
    )
    if not rows:
        return None
    keys = ("started_at", "finished_at", "status", "period", "recipients", "message")
    return dict(zip(keys, rows[0], strict=True))
