"""The forecast ledger's rows: written when a forecast is recorded, settled when its outcome is
known. What the rows mean (and how they are resolved and scored) is in forecast/ledger.py."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from trustmeter.store.database import Store

COLUMNS = (
    "id",
    "forecast_id",
    "kind",
    "made_on",
    "made_at",
    "team",
    "project",
    "item_kinds",
    "history_from",
    "history_to",
    "start_on",
    "items",
    "by_date",
    "level",
    "predicted_date",
    "predicted_items",
    "probability",
    "trials",
    "seed",
    "calendar",
    "calibrated",
)


def insert_forecast_rows(store: Store, rows: Sequence[dict[str, Any]]) -> None:
    """One forecast's rows (one per stated level), all or none; missing columns are NULL."""
    unknown = {k for r in rows for k in r} - set(COLUMNS)
    if unknown:
        raise ValueError(f"not columns of the forecast ledger: {sorted(unknown)}")
    sql = f"INSERT INTO forecast ({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)})"
    with store.transaction():
        for r in rows:
            store.execute(sql, [r.get(c) for c in COLUMNS])


def settle_forecast_rows(
    store: Store,
    outcomes: Sequence[tuple[str, date | None, int | None, bool, date]],
) -> None:
    """(row id, actual date, actual items, came true, resolved on) for each settled row."""
    with store.transaction():
        for rid, actual_date, actual_items, outcome, resolved_on in outcomes:
            store.execute(
                "UPDATE forecast SET actual_date = ?, actual_items = ?, outcome = ?, "
                "resolved_on = ? WHERE id = ?",
                [actual_date, actual_items, outcome, resolved_on, rid],
            )
