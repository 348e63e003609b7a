"""Daily completions and flow metrics from the store, on DuckDB and PostgreSQL.

Every expected figure is worked out by hand in the comment beside it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest

from trustmeter.forecast import History, Subject, daily_completions, xmr
from trustmeter.forecast.flow import flow
from trustmeter.forecast.history import default_window, utc_offsets
from trustmeter.store import Store
from trustmeter.store.writer import insert_records


def ts(s: str) -> datetime:
    return datetime.fromisoformat(s)


def item(i: str, done: str | None, created: str = "2024-01-01 09:00", **kw: Any) -> dict[str, Any]:
    return {"id": i, "created_at": ts(created), "done_at": ts(done) if done else None, **kw}


def test_daily_counts_include_zero_days_and_respect_the_subject(store: Store) -> None:
    insert_records(
        store,
        "work_item",
        [
            item("a", "2024-03-01 10:00", team="Desk"),
            item("b", "2024-03-01 16:00", team="Desk", project="ERP"),
            item("c", "2024-03-03 08:00", team="Platform", project="ERP"),
            item("d", "2024-03-03 09:00", team="Desk", kind="epic"),  # a container: left out
            item("e", "2024-03-05 23:59", team="Desk", kind="story"),
            item("f", "2024-02-29 23:59", team="Desk"),  # before the window
            item("g", None, team="Desk"),  # open
        ],
    )
    # the same item imported again under another source name counts once
    insert_records(store, "work_item", [item("a", "2024-03-01 10:00", team="Desk")], "copy")
    h = daily_completions(store, date(2024, 3, 1), date(2024, 3, 5))
    assert h.counts.tolist() == [2, 0, 1, 0, 1]
    desk = daily_completions(store, date(2024, 3, 1), date(2024, 3, 5), Subject(team="Desk"))
    assert desk.counts.tolist() == [2, 0, 0, 0, 1]
    erp = daily_completions(store, date(2024, 3, 1), date(2024, 3, 5), Subject(project="ERP"))
    assert erp.counts.tolist() == [1, 0, 1, 0, 0]
    stories = daily_completions(
        store, date(2024, 3, 1), date(2024, 3, 5), Subject(kinds=("story",))
    )
    assert stories.counts.tolist() == [0, 0, 0, 0, 1]


def test_days_are_the_workspace_local_days_across_daylight_saving(store: Store) -> None:
    # Berlin is UTC+1 until 2024-03-31 01:00 UTC, then UTC+2.
    insert_records(
        store,
        "work_item",
        [
            item("late", "2024-03-29 23:30"),  # 00:30 on the 30th in Berlin
            item("early", "2024-03-29 22:30"),  # 23:30 on the 29th
            item("before", "2024-03-30 23:30"),  # 00:30 on the 31st (still +1)
            item("after", "2024-03-31 22:30"),  # 00:30 on April 1st (+2 now)
            item("same", "2024-03-31 21:30"),  # 23:30 on the 31st
        ],
    )
    utc = daily_completions(store, date(2024, 3, 29), date(2024, 4, 1))
    assert utc.counts.tolist() == [2, 1, 2, 0]
    berlin = daily_completions(store, date(2024, 3, 29), date(2024, 4, 1), timezone="Europe/Berlin")
    assert berlin.counts.tolist() == [1, 1, 2, 1]
    steps = utc_offsets("Europe/Berlin", datetime(2024, 3, 28), datetime(2024, 4, 2))
    assert steps == [(datetime(2024, 3, 28), 3600), (datetime(2024, 3, 31, 1), 7200)]


def test_default_window_is_the_last_90_complete_days() -> None:
    assert default_window(None, None, today=date(2024, 4, 1)) == (
        date(2024, 1, 2),
        date(2024, 3, 31),
    )
    assert default_window(None, date(2024, 3, 31)) == (date(2024, 1, 2), date(2024, 3, 31))


def test_flow_metrics(store: Store) -> None:
    insert_records(
        store,
        "work_item",
        [
            # done in March: cycle times 1, 2, 3, 4, 5 days (started_at, else created_at)
            item("d1", "2024-03-02 09:00", started_at=ts("2024-03-01 09:00"), team="Desk"),
            item("d2", "2024-03-03 09:00", created="2024-03-01 09:00", team="Desk"),
            item("d3", "2024-03-04 09:00", started_at=ts("2024-03-01 09:00"), team="Desk"),
            item("d4", "2024-03-05 09:00", started_at=ts("2024-03-01 09:00"), team="Desk"),
            item("d5", "2024-03-06 09:00", started_at=ts("2024-03-01 09:00"), team="Desk"),
            item("bad", "2024-03-06 09:00", started_at=ts("2024-03-08 09:00"), team="Desk"),
            # in progress at the end of March 31 (= April 1 00:00)
            item("w1", None, started_at=ts("2024-03-30 00:00"), team="Desk", title="New"),
            item("w2", None, started_at=ts("2024-03-20 00:00"), team="Desk", title="Old"),
            item("w3", "2024-04-02 09:00", started_at=ts("2024-03-31 00:00"), team="Desk"),
            item("x", None, started_at=ts("2024-03-01 00:00"), team="Other"),
        ],
    )
    f = flow(store, date(2024, 3, 1), date(2024, 3, 31), Subject(team="Desk"))
    # 6 done in March (the bad one counts as done, but not in cycle time)
    assert f.history.counts.sum() == 6
    assert f.per_day == pytest.approx(6 / 31) and f.per_week == pytest.approx(42 / 31)
    # continuous percentiles of 1..5: 3, 4.4, 4.8
    assert f.cycle_n == 5
    assert f.cycle_time[50] == pytest.approx(3.0)
    assert f.cycle_time[85] == pytest.approx(4.4)
    assert f.cycle_time[95] == pytest.approx(4.8)
    # WIP: w1 (2 days old), w2 (12 days), w3 (1 day); the other team's item is not counted
    assert f.wip == 3
    assert f.age[50] == pytest.approx(2.0)
    # only w2 is older than the 85th-percentile cycle time (4.4 days)
    assert f.aged_count == 1
    assert f.aged[0]["id"] == "w2" and f.aged[0]["title"] == "Old" and f.aged[0]["age_days"] == 12.0
    d = f.as_dict()
    assert d["cycle_time_days"] == {"n": 5, "50": 3.0, "85": 4.4, "95": 4.8}
    assert d["wip"]["older_than_p85_cycle_time"] == 1
    assert d["stability"]["stable"] is None  # 4 full weeks: too few to judge


def test_flow_with_nothing_done(store: Store) -> None:
    insert_records(store, "work_item", [item("w", None, team="Desk")])
    f = flow(store, date(2024, 3, 1), date(2024, 3, 31))
    assert f.cycle_n == 0 and f.cycle_time[85] is None and f.aged_count == 0 and f.wip == 1


# -- stability -------------------------------------------------------------------------------------
def weeks(*totals: int) -> History:
    """A history of full weeks (Monday first), each week's completions on its Wednesday."""
    counts = []
    for t in totals:
        counts += [0, 0, t, 0, 0, 0, 0]
    return History.of(date(2024, 1, 1), counts)


def test_stable_weekly_throughput() -> None:
    s = xmr(weeks(10, 12, 9, 11, 10, 13, 9, 11, 12, 10))
    # mean 10.7; moving ranges 2,3,2,1,3,4,2,1,2 -> 20/9; limits 10.7 ± 2.66 × 2.22
    assert s.stable is True and s.mean == pytest.approx(10.7)
    assert s.upper == pytest.approx(10.7 + 2.66 * 20 / 9)
    assert s.lower == pytest.approx(10.7 - 2.66 * 20 / 9)
    assert "stable over 10 weeks" in s.verdict()


def test_a_spike_and_a_shift_are_signals() -> None:
    spike = xmr(weeks(10, 11, 10, 11, 10, 40, 10, 11, 10, 11))
    assert spike.stable is False
    assert "the week of 2024-02-05 (40) is above the limits" in spike.signals
    shift = xmr(weeks(5, 6, 5, 6, 5, 6, 5, 6, 14, 15, 14, 15, 14, 15, 14, 15))
    assert shift.stable is False
    assert any("8 weeks in a row below the mean" in s for s in shift.signals)
    assert "NOT stable" in shift.verdict()


def test_partial_weeks_are_left_out_and_few_weeks_are_not_judged() -> None:
    h = History.of(date(2024, 1, 3), [1] * 30)  # a Wednesday: full weeks from Jan 8
    assert [w for w, _ in xmr(h).weeks] == [date(2024, 1, 8), date(2024, 1, 15), date(2024, 1, 22)]
    assert xmr(h).stable is None and "not judged" in xmr(h).verdict()
    assert xmr(h).weeks[0][1] == 7
    assert sum(n for _, n in xmr(h).weeks) == 21
    assert h.end == date(2024, 1, 3) + timedelta(days=29)
