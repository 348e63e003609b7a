"""Daily completions taken from a history already read (`daily_completions(within=...)`), as
the report does for each team: the same days as reading them again, without the query."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from trustmeter.forecast import daily_completions
from trustmeter.forecast import history as history_mod
from trustmeter.store import Store
from trustmeter.store.writer import insert_records


def item(i: str, done: str) -> dict[str, Any]:
    return {"id": i, "created_at": datetime(2024, 1, 1), "done_at": datetime.fromisoformat(done)}


@pytest.fixture
def berlin_days(store: Store) -> Store:
    # Berlin is UTC+1 until 2024-03-31 01:00 UTC, then UTC+2; items either side of midnight.
    insert_records(
        store,
        "work_item",
        [
            item("late", "2024-03-29 23:30"),  # 00:30 on the 30th in Berlin
            item("early", "2024-03-29 22:30"),  # 23:30 on the 29th
            item("before", "2024-03-30 23:30"),  # 00:30 on the 31st (still +1)
            item("after", "2024-03-31 22:30"),  # 00:30 on April 1st (+2 now)
            item("same", "2024-03-31 21:30"),  # 23:30 on the 31st
            item("first", "2024-03-27 23:10"),  # 00:10 on the 28th
            item("last", "2024-04-02 21:50"),  # 23:50 on the 2nd
        ],
    )
    return store


def test_every_part_of_a_longer_read_is_the_same_as_reading_it(berlin_days: Store) -> None:
    tz = "Europe/Berlin"
    wide = daily_completions(berlin_days, date(2024, 3, 20), date(2024, 4, 10), timezone=tz)
    days = [date(2024, 3, 26) + timedelta(days=i) for i in range(9)]
    for first in days:
        for last in days[days.index(first) :]:
            read = daily_completions(berlin_days, first, last, timezone=tz)
            sliced = daily_completions(berlin_days, first, last, timezone=tz, within=wide)
            assert (sliced.start, sliced.counts.tolist()) == (read.start, read.counts.tolist())
    assert wide.counts.sum() == 7


def test_covered_days_are_not_read_again_and_uncovered_ones_are(
    berlin_days: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    tz = "Europe/Berlin"
    wide = daily_completions(berlin_days, date(2024, 3, 28), date(2024, 4, 1), timezone=tz)
    reads: list[Any] = []
    work_items = history_mod.work_items

    def counted(*args: Any) -> Any:
        reads.append(args)
        return work_items(*args)

    monkeypatch.setattr(history_mod, "work_items", counted)
    inside = daily_completions(berlin_days, date(2024, 3, 29), date(2024, 4, 1), None, tz, wide)
    assert inside.counts.tolist() == [1, 1, 2, 1] and reads == []
    # One day past what was read: read from the store, and still right.
    past = daily_completions(berlin_days, date(2024, 3, 29), date(2024, 4, 2), None, tz, wide)
    assert past.counts.tolist() == [1, 1, 2, 1, 1] and len(reads) == 1
