"""The API syncs' bookkeeping: each source's cursors (where the next sync resumes, per stream)
and the log of runs (for `trustmeter sources`). What a cursor holds is the vendor module's
business (connectors/); here it is JSON text."""

from __future__ import annotations

import json
from typing import Any

from trustmeter.store.database import Store


def load_cursors(store: Store, source: str) -> dict[str, dict[str, Any]]:
    rows = store.fetch("SELECT stream, cursor FROM sync_cursor WHERE source = ?", (source,))
    return {str(s): json.loads(c) for s, c in rows}


def save_cursor(store: Store, source: str, stream: str, cursor: dict[str, Any]) -> None:
    """Replace a stream's cursor (inside the caller's transaction, with the page it follows)."""
    store.execute("DELETE FROM sync_cursor WHERE source = ? AND stream = ?", (source, stream))
    store.execute(
        "INSERT INTO sync_cursor (source, stream, cursor, updated_at) "
        "VALUES (?, ?, ?, current_timestamp)",
        (source, stream, json.dumps(cursor, sort_keys=True)),
    )


def start_run(store: Store, source: str) -> int:
    """Log a run as running; its id, to finish it with."""
    log_id = int(store.scalar("SELECT coalesce(max(id), 0) + 1 FROM sync_log"))
    store.execute(
        "INSERT INTO sync_log (id, source, started_at, status, pages, records) "
        "VALUES (?, ?, current_timestamp, 'running', 0, 0)",
        (log_id, source),
    )
    return log_id


def finish_run(
    store: Store, log_id: int, status: str, pages: int, records: int, message: str | None
) -> None:
    store.execute(
        "UPDATE sync_log SET finished_at = current_timestamp, status = ?, pages = ?, records = ?, "
        "message = ? WHERE id = ?",
        (status, pages, records, message, log_id),
    )


def last_run(store: Store, source: str) -> dict[str, Any] | None:
    """The last run of a source, with the streams it has cursors for."""
    rows = store.fetch(
        "SELECT started_at, finished_at, status, pages, records, message FROM sync_log "
        "WHERE source = ? ORDER BY id DESC LIMIT 1",
        (source,),
    )
    if not rows:
        return None
    started, finished, st, pages, recs, msg = rows[0]
    return {
        "started_at": started,
        "finished_at": finished,
        "status": st,
        "pages": pages,
        "records": recs,
        "message": msg,
        "streams": sorted(load_cursors(store, source)),
    }
