"""The last day each record kind runs to, from the store, on DuckDB and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime

from trustmeter.store import Store
from trustmeter.store.freshness import records_end
from trustmeter.store.writer import insert_records


def test_records_end_per_kind(store: Store) -> None:
    insert_records(
        store,
        "incidents",
        [
            {"id": "I1", "opened_at": datetime(2026, 9, 1, 8), "resolved_at": None},
            # resolved after midnight UTC on 30 Sep: 1 Oct in Berlin
            {"id": "I2", "opened_at": datetime(2026, 9, 28), "resolved_at": datetime(2026, 9, 30, 22, 30)},
        ],
    )  # fmt: skip
    insert_records(
        store,
        "commitments",
        [{"id": "C1", "kind": "due_date", "due_on": date(2027, 3, 1), "committed_on": date(2026, 8, 3)}],
    )  # fmt: skip
    insert_records(
        store,
        "budget",
        [
            {"period": date(2026, 7, 1), "category": "run", "planned": 10.0, "actual": 9.0},
            {"period": date(2026, 10, 1), "category": "run", "planned": 10.0, "actual": None},
        ],
    )
    ends = {r.table: r for r in records_end(store, "Europe/Berlin")}
    assert ends["incident"].records == 2
    assert ends["incident"].last_day == date(2026, 10, 1)
    assert records_end(store, "UTC")[0].last_day == date(2026, 9, 30)
    # A commitment's due date is a promise about the future, not data: committed_on counts.
    assert ends["commitment"].last_day == date(2026, 8, 3)
    # Next quarter's plan has no actual yet: the budget runs to the period that has one.
    assert (ends["budget_line"].records, ends["budget_line"].last_day) == (1, date(2026, 7, 1))
    assert (ends["change"].records, ends["change"].last_day) == (0, None)
    assert ends["engagement"].label == "Business contacts"
    # Without counts (the scorer's question, one query per column): the same days, no counts.
    days_only = records_end(store, "Europe/Berlin", counts=False)
    assert [(r.table, r.last_day) for r in days_only] == [
        (r.table, r.last_day) for r in ends.values()
    ]
    assert {r.records for r in days_only} == {0}
