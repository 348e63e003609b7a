"""Soundness tests for the Planning & Optimization metrics, on DuckDB and PostgreSQL.

Each expected number is worked out by hand in the comment beside it. Never weaken these to
make a refactor pass: a change here means a metric now gives a different answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from typing import Any

import pytest

from trustmeter.metrics.model import Batch
from trustmeter.metrics.registry import REGISTRY, Context, Measurement, has_data
from trustmeter.periods import Period
from trustmeter.store import Store
from trustmeter.store.writer import insert_records

# 2024-Q1 ends at 2024-04-01: "at the end of the period" means as of that moment.
Q1 = Period(date(2024, 1, 1), date(2024, 4, 1), "quarter")
PLANNING = (
    "run_share",
    "budget_variance",
    "objective_traceability",
    "early_involvement",
    "portfolio_load",
)


def d(s: str) -> date:
    return date.fromisoformat(s)


def ts(s: str) -> datetime:
    return datetime.fromisoformat(s)


def test_registered_as_framework_says() -> None:
    for mid in PLANNING:
        assert REGISTRY[mid].area == "planning"
        assert not REGISTRY[mid].log_scale


def test_empty_store_has_no_data_and_no_value(store: Store, ctx: Callable[..., Context]) -> None:
    c = ctx()
    for mid in PLANNING:
        m = REGISTRY[mid]
        if m.needs:
            assert not has_data(c, m), mid
        result = m(c)
        assert (result.value, result.n) == (None, 0), mid


# -- budget --------------------------------------------------------------------------------
def budget() -> list[dict[str, Any]]:
    def b(
        period: str, category: str, planned: float, actual: float | None, line: str
    ) -> dict[str, Any]:
        return {
            "period": d(period),
            "category": category,
            "planned": planned,
            "actual": actual,
            "line": line,
        }

    return [
        b("2024-01-01", "run", 100, 90, "Hosting"),
        b("2024-01-01", "grow", 50, 60, "CRM"),
        b("2024-02-01", "transform", 50, 30, "Data platform"),
        b("2024-03-01", "run", 100, 120, "Hosting"),
        b("2024-03-01", "run", 20, None, "Licences"),  # no actual yet: left out
        b("2024-04-01", "run", 1000, 1000, "Hosting"),  # next period
        b("2023-12-01", "grow", 500, 500, "CRM"),  # previous period
    ]


def test_run_share_from_spend(
    store: Store, measure: Callable[..., Measurement], wording: Callable[[str, Measurement], None]
) -> None:
    insert_records(store, "budget", budget())
    insert_records(store, "budget", budget()[:1], source="finance-copy")  # a duplicate line
    m = measure("run_share")
    # run 90 + 120 = 210 of 90 + 60 + 30 + 120 = 300 -> 70 %
    assert (m.n, m.value) == (4, pytest.approx(70.0))
    assert m.breakdown["basis"] == "spend"
    assert m.breakdown["by_category"] == {"run": 210.0, "grow": 60.0, "transform": 30.0}
    wording("run_share", m)


def test_run_share_falls_back_to_effort(store: Store, measure: Callable[..., Measurement]) -> None:
    # The only budget line in the period has no actual, so effort decides.
    insert_records(store, "budget", budget()[4:5])

    def w(
        id: str,
        category: str | None,
        hours: float | None,
        done: str,
        team: str = "Ops",
        kind: str = "task",
    ) -> dict[str, Any]:
        return {
            "id": id,
            "kind": kind,
            "category": category,
            "effort_hours": hours,
            "created_at": ts("2023-12-01T00:00"),
            "done_at": ts(done),
            "team": team,
        }

    insert_records(
        store,
        "work-items",
        [
            w("e1", "run", 10, "2024-01-05T00:00"),
            w("e2", "grow", 5, "2024-02-05T00:00", "Dev"),
            w("e3", "transform", 5, "2024-03-05T00:00", "Dev"),
            w("e4", "run", 20, "2024-03-31T23:59"),  # last minute of the period: counts
            w("e5", "run", 100, "2024-04-01T00:00"),  # next period
            w("e6", "run", None, "2024-02-01T00:00"),  # no effort recorded
            w("e7", None, 50, "2024-02-01T00:00"),  # no category
            w("e8", "run", 500, "2024-02-01T00:00", kind="epic"),  # a container: its children count
        ],
    )
    m = measure("run_share")
    # run 10 + 20 = 30 of 10 + 5 + 5 + 20 = 40 -> 75 %
    assert (m.n, m.value) == (4, pytest.approx(75.0))
    assert m.breakdown["basis"] == "effort"
    assert (m.evidence[0].name, m.evidence[0].value) == ("Ops", 30.0)  # 30 of 40 hours on run


def test_budget_variance(
    store: Store, measure: Callable[..., Measurement], wording: Callable[[str, Measurement], None]
) -> None:
    insert_records(store, "budget", budget())
    insert_records(store, "budget", budget()[:1], source="finance-copy")
    m = measure("budget_variance")
    # |90-100| + |60-50| + |30-50| + |120-100| = 60 over planned 100 + 50 + 50 + 100 = 300 -> 20 %
    assert (m.n, m.value) == (4, pytest.approx(20.0))
    # Ties on the amount are ordered by category: run before transform.
    wording("budget_variance", m)
    # run: |90-100| + |120-100| = 30 over 200 planned = 15 %
    assert m.breakdown["by_category"]["run"]["variance"] == 15.0


# -- the portfolio -------------------------------------------------------------------------
def portfolio() -> list[dict[str, Any]]:
    def p(id: str, started: str | None, end: str | None = None, **kw: Any) -> dict[str, Any]:
        return {
            "id": id,
            "name": f"Project {id}",
            "started_on": d(started) if started else None,
            "actual_end": d(end) if end else None,
            **kw,
        }

    return [
        p("p1", "2023-06-01", objective="O1", sponsor="Ann", team="A"),  # active, traced
        p("p2", "2024-01-10", objective="O1", team="A"),  # active, no sponsor
        # ends on the day after the period: still active at the end; a blank objective is none
        p("p3", "2023-01-01", "2024-04-01", objective=" ", sponsor="Bob", team="A "),
        p("p4", "2023-01-01", "2024-03-31", objective="O1", sponsor="Ann", team="C"),  # ended
        p("p5", "2024-04-01", objective="O1", sponsor="Ann", team="C"),  # starts after the end
        p("p6", "2023-01-01", status="cancelled", team="C"),  # cancelled, no date: out
        p(
            "p7", "2023-01-01", "2024-05-01", status="done", objective="O2", sponsor="Cy", team="B"
        ),  # done after the end: active then, traced
        p("p8", None, status="active", team="C"),  # no start date: cannot be placed in time
        p("p9", "2024-02-01", status="on_hold", budget_planned=500),  # active, neither, no team
    ]


def test_objective_traceability(
    store: Store, measure: Callable[..., Measurement], wording: Callable[[str, Measurement], None]
) -> None:
    insert_records(store, "projects", portfolio())
    insert_records(store, "projects", portfolio()[:2], source="ppm-copy")  # duplicates
    m = measure("objective_traceability")
    # active: p1 p2 p3 p7 p9 = 5; traced: p1 p7 = 2 -> 40 %
    assert (m.n, m.value) == (5, pytest.approx(40.0))
    assert m.breakdown["without_objective"] == 2  # p3, p9
    assert m.breakdown["without_sponsor"] == 2  # p2, p9
    # The largest budget first, then by name.
    wording("objective_traceability", m)
    assert m.records is not None
    assert m.records.count().execute() == 5


def test_portfolio_load(
    store: Store, measure: Callable[..., Measurement], wording: Callable[[str, Measurement], None]
) -> None:
    insert_records(store, "projects", portfolio())
    m = measure("portfolio_load")
    # active with a team: A has p1 p2 p3 ("A " is A), B has p7 -> 4 projects / 2 teams = 2
    assert (m.n, m.value) == (4, pytest.approx(2.0))
    assert m.breakdown["by_team"] == {"A": 3, "B": 1}
    assert m.breakdown["projects_without_team"] == 1  # p9
    wording("portfolio_load", m)


def test_early_involvement(
    store: Store, measure: Callable[..., Measurement], wording: Callable[[str, Measurement], None]
) -> None:
    def p(
        id: str, approved: str, engaged: str | None, unit: str | None = "Finance"
    ) -> dict[str, Any]:
        return {
            "id": id,
            "name": id,
            "approved_on": d(approved),
            "it_engaged_on": d(engaged) if engaged else None,
            "business_unit": unit,
        }

    insert_records(
        store,
        "projects",
        [
            p("a1", "2024-01-15", "2024-01-01"),  # early
            p("a2", "2024-02-01", "2024-02-01"),  # engaged on the day of approval: early
            p("a3", "2024-02-15", "2024-03-01"),  # late
            p("a4", "2024-03-01", None),  # never engaged: late
            p("a5", "2024-03-31", "2024-04-02", unit="HR"),  # engaged after the period: late
            p("a6", "2024-04-01", "2024-01-01"),  # approved in the next period
            p("a7", "2023-12-31", "2023-12-01"),  # approved in the previous period
            p("a8", "2024-03-10", "2024-01-01", unit=None),  # early
        ],
    )
    m = measure("early_involvement")
    # approved in Q1: a1 a2 a3 a4 a5 a8 = 6; early: a1 a2 a8 = 3 -> 50 %
    assert (m.n, m.value) == (6, pytest.approx(50.0))
    wording("early_involvement", m)


def test_early_involvement_one_short_of_minimum(
    store: Store, measure: Callable[..., Measurement]
) -> None:
    # framework min_sample for early_involvement is 3; two projects are one short.
    insert_records(
        store,
        "projects",
        [
            {
                "id": "x",
                "name": "x",
                "approved_on": d("2024-02-01"),
                "it_engaged_on": d("2024-01-01"),
            },
            {"id": "y", "name": "y", "approved_on": d("2024-02-01")},
        ],
    )
    m = measure("early_involvement")
    assert (m.n, m.value) == (2, pytest.approx(50.0))


# -- a set of periods in one batch ---------------------------------------------------------
Q4_2023 = Period(date(2023, 10, 1), date(2024, 1, 1), "quarter")
Q2 = Period(date(2024, 4, 1), date(2024, 7, 1), "quarter")
QUARTERS = (Q4_2023, Q1, Q2)
# March, April, June and July 2024 (a gap in the middle is fine).
MONTHS = tuple(Period(date(2024, m, 1), date(2024, m + 1, 1), "month") for m in (3, 4, 6, 7))
# Overlapping custom periods: a record can belong to two of them.
CUSTOM = (
    Period(date(2023, 11, 15), date(2024, 2, 15)),
    Period(date(2024, 1, 20), date(2024, 4, 10)),
    Period(date(2024, 3, 31), date(2024, 4, 2)),
)


def _edge_data(store: Store) -> None:
    """Records on and across the edges of 2023-Q4, 2024-Q1 and 2024-Q2."""
    lines = [
        *budget(),
        {"period": d("2024-06-01"), "category": "grow", "planned": 80, "actual": 20, "line": "CRM"},
        {"period": d("2024-05-01"), "category": "run", "planned": 10, "actual": 10, "line": None},
        {
            "period": d("2023-10-01"),
            "category": "run",
            "planned": 5,
            "actual": 8,
            "line": "Hosting",
        },
    ]
    insert_records(store, "budget", lines)
    insert_records(store, "budget", lines[:2], source="finance-copy")

    def w(id: str, category: str, hours: float, done: str, team: str | None) -> dict[str, Any]:
        return {
            "id": id,
            "kind": "task",
            "category": category,
            "effort_hours": hours,
            "created_at": ts("2023-09-01T00:00"),
            "done_at": ts(done),
            "team": team,
        }

    # Effort decides only where no spend is recorded (Q2's May has spend, July has none).
    insert_records(
        store,
        "work-items",
        [
            w("e1", "run", 10, "2024-03-31T23:59", "Ops"),
            w("e2", "grow", 6, "2024-04-01T00:00", "Dev"),
            w("e3", "run", 4, "2024-07-01T00:00", None),
            w("e4", "transform", 3, "2024-06-30T23:59", "Dev"),
            w("e5", "run", 2, "2023-12-31T23:59", "Ops"),
        ],
    )

    def p(id: str, started: str | None, end: str | None = None, **kw: Any) -> dict[str, Any]:
        return {
            "id": id,
            "name": f"Project {id}",
            "started_on": d(started) if started else None,
            "actual_end": d(end) if end else None,
            **kw,
        }

    projects = [
        *portfolio(),
        # started in Q4, ended on Q1's first day: active at Q4's end only
        p("q1", "2023-11-01", "2024-01-01", objective="O", sponsor="S", team="D"),
        # started on Q1's last day, ended on Q2's last day: active at Q1's end only
        p("q2", "2024-03-31", "2024-06-30", sponsor="S", team="D", business_unit="HR"),
        # approved on the edges, engaged before or after
        p("q3", "2023-10-01", approved_on=d("2023-12-31"), it_engaged_on=d("2024-01-01")),
        p("q4", "2024-04-01", approved_on=d("2024-04-01"), it_engaged_on=d("2024-03-01")),
        p("q5", "2024-01-01", approved_on=d("2024-01-01"), it_engaged_on=d("2024-01-01")),
    ]
    insert_records(store, "projects", projects)
    insert_records(store, "projects", projects[:2], source="ppm-copy")


def _same_as_alone(
    ctx: Callable[..., Context],
    batch: Callable[..., Batch],
    metric_id: str,
    periods: tuple[Period, ...],
) -> None:
    """Each period's figure from a batch equals the figure computed for that period alone
    (the alone contexts share their facts and tables, as one Scorer's do)."""
    m = REGISTRY[metric_id]
    together = m.compute(batch(periods))
    assert set(together) == set(periods)
    first = ctx(periods[0])
    for period in periods:
        alone = m(replace(first, period=period))
        got = together[period]
        where = f"{metric_id} {period}"
        assert (got.value, got.n, got.note) == (alone.value, alone.n, alone.note), where
        assert got.breakdown == alone.breakdown, where
        assert [c.as_dict() for c in got.evidence] == [c.as_dict() for c in alone.evidence], where
        recs = (got.records, alone.records)
        if recs[0] is None or recs[1] is None:
            assert recs == (None, None), where
        else:
            assert recs[0].count().execute() == recs[1].count().execute(), where


@pytest.mark.slow
@pytest.mark.parametrize(
    "periods", [QUARTERS, MONTHS, CUSTOM], ids=["quarters", "months", "custom"]
)
def test_a_batch_of_periods_gives_each_period_as_alone(
    store: Store,
    periods: tuple[Period, ...],
    batch: Callable[..., Batch],
    ctx: Callable[..., Context],
) -> None:
    _edge_data(store)
    for mid in PLANNING:
        _same_as_alone(ctx, batch, mid, periods)


def test_a_batch_keeps_each_period_to_its_own_records(
    store: Store, batch: Callable[..., Batch]
) -> None:
    _edge_data(store)
    got = REGISTRY["budget_variance"].compute(batch(QUARTERS))
    # Q4: |8-5| = 3 of 5 planned (the CRM line dated 2023-12 has no variance)
    assert (got[Q4_2023].n, got[Q4_2023].value) == (2, pytest.approx(3 / 505 * 100))
    assert (got[Q1].n, got[Q1].value) == (4, pytest.approx(20.0))  # as test_budget_variance
    # Q2: |1000-1000| + |20-80| + |10-10| = 60 of 1090
    assert (got[Q2].n, got[Q2].value) == (3, pytest.approx(60 / 1090 * 100))
    runs = REGISTRY["run_share"].compute(batch(MONTHS))
    # March: spend, run 120 of 120 (e1's effort, done on its last minute, does not matter)
    assert (runs[MONTHS[0]].breakdown["basis"], runs[MONTHS[0]].value) == ("spend", 100.0)
    # June: spend, grow 20 only -> 0 % run
    assert runs[MONTHS[2]].value == pytest.approx(0.0)
    # July: no spend, so effort: e3 (run 4 h, done on July's first instant) -> 100 %
    assert (runs[MONTHS[3]].breakdown["basis"], runs[MONTHS[3]].n) == ("effort", 1)
    assert (runs[MONTHS[3]].evidence[0].name, runs[MONTHS[3]].evidence[0].value) == (
        "(no team)",
        4.0,  # 4 of 4 hours on run
    )
    load = REGISTRY["portfolio_load"].compute(batch(QUARTERS))
    # Q1 as test_portfolio_load plus q2 on team D; Q4 has q1 on D; Q2 loses q2 (ended 06-30).
    assert load[Q1].breakdown["by_team"] == {"A": 3, "B": 1, "D": 1}
    assert load[Q4_2023].breakdown["by_team"]["D"] == 1
    assert "D" not in load[Q2].breakdown["by_team"]
