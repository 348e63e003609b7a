"""A team that changes method: its say/do before and after, hand-computed, on both engines."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from trustmeter.framework import load
from trustmeter.ordering.method_change import Scored, detect, method_changes
from trustmeter.periods import Period, series
from trustmeter.scorecard.scorer import Scorer
from trustmeter.store import Store
from trustmeter.store.writer import insert_records


def test_detect_needs_two_periods_of_each_method() -> None:
    rows = [
        *(Scored("Apps", p, "milestone", 0.5) for p in (0, 1) for _ in range(6)),
        Scored("Apps", 2, "sprint", 1.0),  # one period of sprints, then back: no change
        *(Scored("Apps", p, "milestone", 0.5) for p in (3, 4)),
        *(Scored("Infra", p, "due_date", 1.0) for p in range(5)),  # never changes
    ]
    assert detect(rows) == []


def test_detect_before_and_after_with_interval() -> None:
    before = [1.0, 0.0, 0.5, 0.5, 0.0, 0.5]  # mean 2.5 / 6 = 0.4167
    rows = [Scored("Apps", i % 2, "milestone", s) for i, s in enumerate(before)]
    # a tie between two kinds in a period is no method that period, and is skipped
    rows += [Scored("Apps", 2, "milestone", 1.0), Scored("Apps", 2, "sprint", 1.0)]
    rows += [Scored("Apps", p, "sprint", 0.9) for p in (3, 4) for _ in range(3)]
    [change] = detect(rows)
    assert (change.before_kind, change.after_kind, change.changed_in) == ("milestone", "sprint", 3)
    assert change.difference == pytest.approx(0.9 - 2.5 / 6)
    lo, hi = change.interval
    assert lo <= change.difference <= hi and lo > 0  # the after side has no spread at all
    periods = series(Period(date(2025, 4, 1), date(2025, 7, 1), "quarter"), 5)
    out = change.as_dict(periods)
    assert (
        out["changed_in"] == "2025-Q1"
    )  # periods 2024-Q2 … 2025-Q2: index 3 and out["verdict"] == "more predictable after the change"
    assert out["before"]["method"] == "waterfall milestones" and out["before"]["n"] == 6
    assert out["after"]["value"] == 90.0 and out["difference"] == 48.3
    assert detect(rows) == detect(rows)  # seeded


def d(s: str) -> date:
    return date.fromisoformat(s)


def test_method_change_from_the_store(store: Store) -> None:
    """Team T keeps milestones in 2024-Q1 and Q2, then runs sprints in Q3 and Q4."""

    def c(
        id: str, kind: str, committed: str, due: str, delivered: str | None, **kw: object
    ) -> dict[str, object]:
        return {
            "id": id,
            "kind": kind,
            "team": "T",
            "committed_on": d(committed),
            "due_on": d(due),
            "delivered_on": d(delivered) if delivered else None,
            **kw,
        }

    insert_records(
        store,
        "commitments",
        [
            c("M1", "milestone", "2024-01-01", "2024-02-01", "2024-02-01"),  # 1
            c("M2", "milestone", "2024-01-01", "2024-03-01", None),  # never: 0
            c("M3", "milestone", "2024-04-01", "2024-05-01", "2024-04-30"),  # 1
            c("M4", "milestone", "2024-04-01", "2024-05-01", "2024-05-11"),  # 30/40 = 0.75
            *(
                c(
                    f"S{q}{i}",
                    "sprint",
                    f"2024-{m:02d}-01",
                    f"2024-{m:02d}-15",
                    f"2024-{m:02d}-15",
                    scope_committed=10,
                    scope_delivered=9,
                )  # 0.9 each
                for q, m in ((3, 7), (4, 10))
                for i in range(3)
            ),
        ],
    )

    # What team T delivered: 3 items a quarter taking 20 days before, 4 taking 5 days after
    # (created 20 or 5 days before done); another team's items are not counted.
    def w(id: str, done: str, days: int, team: str = "T") -> dict[str, object]:
        at = datetime.fromisoformat(done)
        return {"id": id, "created_at": at - timedelta(days=days), "done_at": at, "team": team}

    insert_records(
        store,
        "work-items",
        [
            *(w(f"B{m}{i}", f"2024-{m:02d}-1{i}T12:00:00", 20) for m in (2, 5) for i in range(3)),
            *(w(f"A{m}{i}", f"2024-{m:02d}-1{i}T12:00:00", 5) for m in (8, 11) for i in range(4)),
            w("X1", "2024-08-10T12:00:00", 1, team="Other"),
        ],
    )
    periods = series(Period(d("2024-10-01"), d("2025-01-01"), "quarter"), 4)
    [change] = method_changes(Scorer(store, load(), "mid"), periods)
    out = change.as_dict(periods)
    assert (out["before"]["kind"], out["after"]["kind"], out["changed_in"]) == (
        "milestone",
        "sprint",
        "2024-Q3",
    )
    assert (out["before"]["n"], out["after"]["n"]) == (4, 6)
    assert out["before"]["value"] == pytest.approx(2.75 / 4 * 100, abs=0.05)
    assert out["difference"] == pytest.approx((0.9 - 2.75 / 4) * 100, abs=0.05)
    assert out["verdict"] == "too few commitments to compare"  # 4 before, below 5
    dl = out["delivery"]
    assert dl["throughput"]["before"] == {"value": 3.0, "n": 2, "interval": [3.0, 3.0]}
    assert dl["throughput"]["after"]["value"] == 4.0 and dl["throughput"]["difference"] == 1.0
    assert dl["throughput"]["verdict"] == "too few to compare"  # two periods a side
    assert dl["lead_time"]["before"]["value"] == 20.0 and dl["lead_time"]["before"]["n"] == 6
    assert dl["lead_time"]["after"] == {"value": 5.0, "n": 8, "interval": [5.0, 5.0]}
    assert dl["lead_time"]["difference"] == -15.0 and dl["lead_time"]["interval"] == [-15.0, -15.0]
    assert dl["lead_time"]["verdict"] == "faster after the change"
    assert dl["text"] == (
        "done 3 → 4 a period (+1, +1 to +1): too few to compare; "
        "lead time 20 → 5 d (-15, -15 to -15): faster after the change"
    )


def test_delivery_compare_hand_computed() -> None:
    """Throughput: mean per period each side; lead time: the median; after − before."""
    from trustmeter.ordering.method_delivery import _mean, _median, compare

    t = compare([4, 6, 5], [9, 11, 10], _mean, seed=1)
    assert (t.before, t.after, t.difference) == (5.0, 10.0, 5.0)
    assert t.before_interval[0] >= 4 and t.before_interval[1] <= 6
    lo, hi = t.interval
    assert 0 < lo <= 5.0 <= hi  # every resample of after beats every resample of before
    out = t.as_dict("items", 3, "more", "less", up_is_better=True)
    assert out["verdict"] == "more" and out["before"]["n"] == 3
    # lead time: lower is better; a difference whose interval spans zero is no clear difference
    lead = compare([1.0, 2.0, 30.0, 3.0, 2.5], [2.0, 1.0, 3.0, 2.5, 40.0], _median, seed=2)
    assert (lead.before, lead.after) == (2.5, 2.5)
    assert lead.as_dict("d", 5, "faster", "slower", up_is_better=False)["verdict"] == (
        "no clear difference"
    )
    few = compare([1.0, 2.0], [5.0, 6.0], _median, seed=3)
    assert few.as_dict("d", 5, "faster", "slower", up_is_better=False)["verdict"] == (
        "too few to compare"
    )


def test_delivery_side_counts_per_period_and_lead_days() -> None:
    from datetime import datetime

    from trustmeter.ordering.method_delivery import side

    q1 = (datetime(2024, 1, 1), datetime(2024, 4, 1))
    q2 = (datetime(2024, 4, 1), datetime(2024, 7, 1))
    done = [
        (datetime(2024, 1, 10), datetime(2024, 1, 1)),  # 9 days, Q1
        (datetime(2024, 3, 31, 23), datetime(2024, 3, 30, 23)),  # 1 day, Q1
        (datetime(2024, 4, 1), None),  # Q2, creation unknown: counted, no lead time
        (datetime(2024, 8, 1), datetime(2024, 7, 1)),  # outside both
    ]
    s = side(done, [q1, q2])
    assert s.per_period == [2.0, 1.0] and s.lead_days == [9.0, 1.0]


def test_delivery_change_does_not_depend_on_the_order_records_are_stored_in(
    db_url: str,
) -> None:
    """The bootstrap resamples items by position: items read in the engine's order of the
    moment gave another interval on every run (the report differed from run to run)."""
    from trustmeter.ordering.method_delivery import delivery_change
    from trustmeter.store import connect

    periods = series(Period(date(2024, 4, 1), date(2024, 7, 1), "quarter"), 4)
    items = [
        {
            "id": f"W{i}",
            "team": "Apps",
            "kind": "story",
            "created_at": datetime(2023, 7, 1) + timedelta(days=3 * i),
            "done_at": datetime(2023, 7, 1) + timedelta(days=3 * i + 2 + (i * 7) % 23),
        }
        for i in range(110)
    ]
    results = []
    for order in (items, items[::-1], items[1::2] + items[::2]):
        s = connect(db_url)
        s.execute("DELETE FROM work_item")
        insert_records(s, "work_item", order)
        results.append(delivery_change(s, "Apps", periods, [0, 1], [2, 3], "UTC"))
        s.close()
    assert results[0].lead_time is not None
    assert results[1] == results[0] and results[2] == results[0]
