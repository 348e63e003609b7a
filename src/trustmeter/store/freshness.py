"""How fresh the records are: per record kind, the last day its data runs to.

A figure for a period past that day rests on an export that stops early, not on a quiet
month, so the one-pager shows these dates beside the figures (docs/report.md). Only record
kinds that describe events in time have such a day; catalogues (services, people, skills,
stakeholders, objectives) do not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import ibis

from trustmeter.records import EVENTS
from trustmeter.store.database import Store

# The label a reader understands, by table. The kinds whose events say how far an export
# runs are records.EVENTS; survey responses and budget lines are shown too, never flagged:
# they come in waves (a campaign, a planning round). Budget lines count only once they carry
# an actual: a plan for next quarter is not data about it.
LABELS = {
    "incident": "Incidents",
    "change": "Changes",
    "work_item": "Work items",
    "commitment": "Commitments",
    "project": "Projects",
    "engagement": "Business contacts",
    "learning": "Training",
    "survey_response": "Survey responses",
    "budget_line": "Budget lines",
}
EVENT_COLUMNS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    *((table, LABELS[table], columns) for table, columns in EVENTS.items()),
    ("survey_response", LABELS["survey_response"], ("submitted_at",)),
    ("budget_line", LABELS["budget_line"], ("period",)),
)


@dataclass(frozen=True)
class RecordsEnd:
    """One record kind: how many records the store holds and the last day they describe."""

    table: str
    label: str
    records: int
    last_day: date | None  # None when the kind holds no record with a date


def records_end(store: Store, timezone: str = "UTC", *, counts: bool = True) -> list[RecordsEnd]:
    """Each event kind's last day, in the workspace's time zone (timestamps are naive UTC),
    and with `counts` how many records it holds (0 without).

    Budget lines carry the first day of their month or quarter, so their last day is that
    first day: the plan covers the period it starts, which the reader sees beside it.

    One query for every kind. With counts, one aggregate per table: its count and each
    column's latest value in one scan of it (a scan per column took PostgreSQL 2.8 s on ten
    million work items, one per table 1.5 s). Without (the scorer needs only the days), one
    aggregate per column, so that PostgreSQL answers a column's latest value from its index
    where it has one (incidents' opened_at, changes' deployed_at, work items' done_at).
    """
    zone = ZoneInfo(timezone)
    parts = []
    is_timestamp: dict[tuple[str, str], bool] = {}
    for table, _, columns in EVENT_COLUMNS:
        t = store.table(table)
        counted = t.filter(t.actual.notnull()) if table == "budget_line" else t
        for c in columns:
            is_timestamp[(table, c)] = t[c].type().is_timestamp()
        # A row per (table, column), the latest value as a timestamp so that the rows share
        # one schema.
        if counts:
            agg = counted.aggregate(
                n=counted.count(),
                **{f"hi_{i}": counted[c].max().cast("timestamp") for i, c in enumerate(columns)},
            )
            for i, c in enumerate(columns):
                parts.append(
                    agg.select("n", hi=agg[f"hi_{i}"], tbl=ibis.literal(table), col=ibis.literal(c))
                )
        else:
            for c in columns:
                parts.append(
                    counted.aggregate(
                        n=ibis.literal(0, "int64"), hi=counted[c].max().cast("timestamp")
                    ).mutate(tbl=ibis.literal(table), col=ibis.literal(c))
                )
    union = parts[0]
    for part in parts[1:]:
        union = union.union(part)
    found: dict[str, int] = {}
    days: dict[str, list[date]] = {}
    for row in store.con.to_pyarrow(union).to_pylist():
        table, column = str(row["tbl"]), str(row["col"])
        found[table] = int(row["n"])
        # Dates are calendar days already; timestamps are naive UTC, read in the zone.
        day = _day(row["hi"], zone if is_timestamp[(table, column)] else None)
        if day is not None:
            days.setdefault(table, []).append(day)
    return [
        RecordsEnd(table, label, found.get(table, 0), max(days[table]) if table in days else None)
        for table, label, _ in EVENT_COLUMNS
    ]


def _day(v: Any, zone: ZoneInfo | None) -> date | None:
    if v is None or v != v:  # NULL, NaT
        return None
    stamp = v.to_pydatetime() if hasattr(v, "to_pydatetime") else v
    if isinstance(stamp, datetime):
        if zone is None:
            return stamp.date()
        return stamp.replace(tzinfo=UTC).astimezone(zone).date()
    return stamp if isinstance(stamp, date) else None
