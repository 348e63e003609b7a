"""The log of file imports: one row per import, which the data version counts (cached scorecards
know the records changed) and a backup carries.

Written inside the import's transaction, so a failed import leaves no row. Like the syncs' log
(synclog.py), its SQL lives here with the rest of the store's; the importer only says what it
counted.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass

from trustmeter.store.database import Store


@dataclass(frozen=True)
class ImportCounts:
    """What one import read and wrote, as the importer counted it."""

    kind: str
    source: str
    files: Sequence[str]
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    zoneless: int


def log_import(store: Store, counts: ImportCounts, started: dt.datetime) -> None:
    """Add the import's row (ids count up from 1, as the data version expects)."""
    next_id = int(store.scalar("SELECT coalesce(max(id), 0) + 1 FROM import_log"))
    store.execute(
        "INSERT INTO import_log (id, kind, source, files, started_at, rows_read, inserted, "
        "updated, unchanged, zoneless) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            next_id,
            counts.kind,
            counts.source,
            json.dumps(list(counts.files)),
            started,
            counts.rows_read,
            counts.inserted,
            counts.updated,
            counts.unchanged,
            counts.zoneless,
        ),
    )
